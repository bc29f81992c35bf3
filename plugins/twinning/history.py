"""What earlier twinning sessions on this server tell a new round. Pure Python (no Flask).

Read from ``ctx.earlier_sessions()`` (the other twinning sessions on this
server, newest first, each with a copy of its state), never from the text of
ledger entries:

* **earlier pairs**: every pair (or, within a triplet, every two of its groups)
  that was twinned: confirmed by all its groups, or published and past the
  point where it could still be declined (the session went on to planning, is
  done, or was closed);
* **sat out last time**: the groups of the latest earlier session that
  published pairs which ended up in no pair.

Groups are compared by their normalised names (:func:`.hardrules.normalise_name`),
so a group registering again in a later round is recognised. States of older
versions of the method are read defensively: what does not fit is skipped.
"""

from __future__ import annotations

from typing import Any

from .hardrules import normalise_name

#: Phases in which published pairs can no longer be declined.
SETTLED_PHASES = ("planning", "done")
#: Phases in which a session has published pairs.
PUBLISHED_PHASES = ("publish", *SETTLED_PHASES)


def _groups(state: dict) -> dict[str, str]:
    """Group id -> normalised name."""
    groups = state.get("groups")
    if not isinstance(groups, dict):
        return {}
    return {gid: normalise_name(g["name"]) for gid, g in groups.items()
            if isinstance(g, dict) and isinstance(g.get("name"), str) and g["name"].strip()}


def _pairs(state: dict) -> list[dict]:
    pairs = state.get("pairs")
    return [p for p in pairs if isinstance(p, dict) and isinstance(p.get("members"), list)] \
        if isinstance(pairs, list) else []


def _twinned(pair: dict, settled: bool) -> bool:
    """Whether a published pair counts as twinned."""
    answers = pair.get("answers")
    confirmed = pair.get("agreement") is not None or (
        isinstance(answers, dict) and bool(answers)
        and all(a == "confirmed" for a in answers.values()))
    return confirmed or settled


def pairs_of(session: dict) -> list[list[str]]:
    """The pairs one earlier session twinned, as sorted lists of two normalised names."""
    state = session.get("state")
    if not isinstance(state, dict):
        return []
    names = _groups(state)
    settled = state.get("phase") in SETTLED_PHASES or session.get("status") == "closed"
    found = []
    for pair in _pairs(state):
        if not _twinned(pair, settled):
            continue
        members = sorted({names[g] for g in pair["members"] if g in names})
        found += [[a, b] for i, a in enumerate(members) for b in members[i + 1:]]
    return found


def earlier_pairs(sessions: list[dict]) -> list[list[str]]:
    """The pairs twinned in ``sessions`` (``ctx.earlier_sessions()``), without repeats."""
    seen: set[tuple[str, ...]] = set()
    found = []
    for session in sessions:
        for pair in pairs_of(session):
            if tuple(pair) not in seen:
                seen.add(tuple(pair))
                found.append(pair)
    return found


def sat_out_last_time(sessions: list[dict]) -> list[str]:
    """Normalised names of the groups without a twin in the latest session that published pairs."""
    for session in sessions:  # newest first
        state: Any = session.get("state")
        if not isinstance(state, dict) or state.get("phase") not in PUBLISHED_PHASES:
            continue
        names = _groups(state)
        paired = {g for pair in _pairs(state) for g in pair["members"]}
        order = state.get("order") if isinstance(state.get("order"), list) else list(names)
        return [names[g] for g in order if g in names and g not in paired]
    return []


def from_context(ctx: Any) -> tuple[list[list[str]], list[str]]:
    """Earlier pairs and the groups that sat out last time, read from ``ctx``."""
    sessions = ctx.earlier_sessions()
    return earlier_pairs(sessions), sat_out_last_time(sessions)
