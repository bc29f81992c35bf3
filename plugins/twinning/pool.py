"""Reading and changing the pool and its pairs in a twinning state. Pure Python (no Flask).

Pairs are lists of group ids (two, or three for the one triplet of an odd
pool); :func:`pair_key` names one. Earlier pairs (from the form and from
earlier sessions, :mod:`.history`) are kept as normalised names, so that a
group registering again in a later round is recognised by its name.
"""

from __future__ import annotations

from collections.abc import Iterable

from facilitator import ActionError, _

from .hardrules import normalise_name

#: Bookkeeping keys of a group beyond the engine's profile.
BOOKKEEPING = ("participant", "source")
#: Joins the names of twins in the ledger entry of a confirmed twinning (for the archive;
#: later rounds read earlier pairs from the sessions' states, see :mod:`.history`).
TWIN_MARK = " ⇄ "


def pair_key(members: Iterable[str]) -> str:
    """The key of a pair (or triplet): its sorted ids joined by ``+``."""
    return "+".join(sorted(members))


def group(state: dict, group_id: object) -> dict:
    """The group ``group_id`` of the pool, or a readable refusal."""
    if isinstance(group_id, str) and group_id in state["groups"]:
        return state["groups"][group_id]
    raise ActionError("unknown_group", _("This group does not exist (any more)."))


def two_groups(state: dict, payload: dict) -> tuple[str, str]:
    """The two different groups ``a`` and ``b`` of a payload."""
    first, second = group(state, payload.get("a"))["id"], group(state, payload.get("b"))["id"]
    if first == second:
        raise ActionError("same_group", _("Choose two different groups."))
    return first, second


def group_of_participant(state: dict, participant_id: str | None) -> dict | None:
    """The group a participant registered, or ``None``."""
    for candidate in state["groups"].values():
        if participant_id and candidate.get("participant") == participant_id:
            return candidate
    return None


def profiles(state: dict) -> list[dict]:
    """The engine's profiles of the pool, in registration order."""
    return [dict(state["groups"][gid]) for gid in state["order"] if gid in state["groups"]]


def has_pair(pairs: list[list[str]], first: str, second: str) -> bool:
    """Whether ``first`` and ``second`` are one of ``pairs`` (in either order)."""
    return any({first, second} == set(p) for p in pairs)


def drop_pair(pairs: list[list[str]], members: Iterable[str]) -> list[list[str]]:
    """``pairs`` without any pair touching ``members``."""
    members = set(members)
    return [p for p in pairs if not members & set(p)]


def partner_pair(pairs: list[list[str]], group_id: str) -> list[str] | None:
    """The pair (or triplet) ``group_id`` is in, or ``None``."""
    return next((p for p in pairs if group_id in p), None)


def earlier_pairs(state: dict, found: list[list[str]]) -> list[list[str]]:
    """Earlier pairs from the form (imported) and ``found`` in earlier sessions, as normalised names."""
    pairs = [[normalise_name(a), normalise_name(b)] for a, b in state["earlier_pairs"]]
    return pairs + found


def engine_rules(state: dict, found_pairs: list[list[str]], sat_out_names: list[str],
                 locks: list[list[str]]) -> dict:
    """The hard rules of the next run, as JSON (see :func:`.runner.engine_rules`).

    ``found_pairs`` / ``sat_out_names``: what earlier sessions on this server
    tell (see :mod:`.history`), besides what the form names.
    """
    sat_out_before = set(state["sat_out"]) | {normalise_name(n) for n in sat_out_names}
    sat_out = [gid for gid, g in state["groups"].items() if normalise_name(g["name"]) in sat_out_before]
    return {**state["rules"], "earlier_pairs": earlier_pairs(state, found_pairs),
            "forbidden": state["forbidden"], "locks": locks, "sat_out_before": sat_out}


def free_groups(state: dict) -> list[str]:
    """Groups in no published pair (after a decline, or left out)."""
    paired = {gid for pair in state["pairs"] for gid in pair["members"]}
    return [gid for gid in state["order"] if gid in state["groups"] and gid not in paired]
