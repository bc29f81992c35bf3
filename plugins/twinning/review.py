"""The facilitator's work on the pool: groups, settings, imports, runs and the draft.

Pure Python (no Flask; the engine is imported when a run is checked). Each
function changes the state it is given or raises :class:`facilitator.ActionError`
(the core then throws that copy away, so nothing is half-done).
"""

from __future__ import annotations

from typing import Any

from facilitator import ActionError, MethodContext, _

from . import csvimport, history, pool, runner
from .config import ODD_CHOICES, WEIGHTS
from .profiles import clean_profile, drop_excluded, normalise_name, split_list

#: The most groups in one pool.
MAX_GROUPS = 1000
#: The longest CSV text accepted (as the core's file field).
MAX_CSV = 500_000


# -- groups and settings -----------------------------------------------------------
def save_group(state: dict, payload: Any, group_id: str | None, source: str,
               participant: str | None) -> str:
    """Add a group (``group_id`` None) or replace its profile; returns its id."""
    if group_id is None:
        if len(state["groups"]) >= MAX_GROUPS:
            raise ActionError("pool_full", _("The pool is full."))
        group_id = f"g{state['next_group']}"
    profile = clean_profile(payload, state["topics"], group_id, state["groups"])
    old = state["groups"].get(group_id)
    if old is None:
        state["next_group"] += 1
        state["order"].append(group_id)
        profile.update(participant=participant, source=source)
    else:
        profile.update(participant=old.get("participant"), source=old.get("source", source))
    state["groups"][group_id] = profile
    return group_id


def remove_group(state: dict, group_id: str) -> None:
    """Take a group out of the pool, its exclusions, locks and forbidden pairs."""
    del state["groups"][group_id]
    state["order"].remove(group_id)
    drop_excluded(state["groups"], [group_id])
    state["locks"] = pool.drop_pair(state["locks"], [group_id])
    state["forbidden"] = pool.drop_pair(state["forbidden"], [group_id])


def set_topics(state: dict, value: Any) -> None:
    """A new topic list (one per line, 1 … 30 topics, no repeats)."""
    if not isinstance(value, str | list):
        raise ActionError("invalid", _("“%(field)s” must be text.", field=_("Topics")))
    lines = value.splitlines() if isinstance(value, str) else value
    topics = split_list([" ".join(str(t).split()) for t in lines if str(t).strip()], _("Topics"))
    if not topics:
        raise ActionError("required", _("Give at least one topic."))
    state["topics"] = topics[:30]


def set_settings(state: dict, payload: Any) -> None:
    """Weights (whole numbers 0 … 10) and the rule options, all checked before any is set."""
    if not isinstance(payload, dict):
        raise ActionError("invalid", _("These settings are not valid."))
    weights = dict(state["weights"])
    for key, label in WEIGHTS.items():
        if key in payload:
            value = payload[key]
            if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 10:
                raise ActionError("invalid_weight", _("“%(field)s” must be a whole number from 0 to 10.",
                                                      field=str(label)))
            weights[key] = value
    rules = dict(state["rules"])
    for key in ("language_required", "forbid_same_organisation"):
        if key in payload:
            if not isinstance(payload[key], bool):
                raise ActionError("invalid", _("These settings are not valid."))
            rules[key] = payload[key]
    if "odd" in payload:
        if payload["odd"] not in dict(ODD_CHOICES):
            raise ActionError("invalid_choice", _("Please choose a valid value for “%(field)s”.",
                                                  field=_("With an odd number of groups")))
        rules["odd"] = payload["odd"]
    state.update(weights=weights, rules=rules)


# -- CSV import --------------------------------------------------------------------------
def stage_import(state: dict, text: Any) -> None:
    """Read a CSV text: its good rows and row errors wait for the facilitator's confirmation."""
    if not isinstance(text, str) or not text.strip():
        raise ActionError("csv_empty", _("The file is empty."))
    if len(text) > MAX_CSV:
        raise ActionError("too_long", _("The file is too long."))
    found = csvimport.parse(text, state["topics"], state["groups"])
    if not found["rows"] and not found["errors"]:
        raise ActionError("csv_empty", _("The file holds no groups."))
    state["pending_import"] = found


def confirm_import(state: dict) -> int:
    """Add the waiting good rows to the pool; returns how many."""
    waiting = state["pending_import"]
    if waiting is None:
        raise ActionError("no_import", _("There is no import waiting."))
    if not waiting["rows"]:
        raise ActionError("no_rows", _("The file has no good rows to import."))
    for row in waiting["rows"]:
        try:
            row["profile"]["id"] = save_group(state, row["profile"], None, "csv", None)
        except ActionError as refused:
            raise ActionError(refused.code, _("Row %(row)d: %(reason)s", row=row["row"],
                                              reason=refused.message)) from None
    missing = csvimport.resolve(waiting["rows"], state["groups"])
    if missing:
        raise ActionError("unknown_group", _("“%(name)s” (not to be paired with) is no group of the "
                                             "pool or the file.", name=missing[0]))
    for row in waiting["rows"]:
        state["groups"][row["profile"]["id"]]["excludes"] = row["profile"]["excludes"]
    state["pending_import"] = None
    return len(waiting["rows"])


# -- runs ---------------------------------------------------------------------------------
def rules_now(state: dict, ctx: MethodContext, locks: list[list[str]]) -> dict:
    """The run's hard rules as JSON, with what earlier twinning sessions on this server tell."""
    found_pairs, sat_out = history.from_context(ctx)
    return pool.engine_rules(state, found_pairs, sat_out, locks)


def start_run(state: dict, ctx: MethodContext, locks: list[list[str]]) -> None:
    """Hand the pool to the engine off the lock; the result comes back as ``matched``."""
    if len(state["groups"]) < 2:
        raise ActionError("too_few_groups", _("At least two groups are needed for matching."))
    if state["pending_import"] is not None:
        raise ActionError("import_waiting", _("Confirm or discard the waiting import first."))
    rules = rules_now(state, ctx, locks)
    state.update(run_from=state["phase"], phase="matching", running=True, notice="", run_rules=rules)
    ctx.compute("match", runner.run, pool.profiles(state), state["weights"], rules, then="matched")


def receive(state: dict, payload: dict) -> None:
    """The engine's answer: a draft in review, or back where the run started, with a notice."""
    if payload.get("key") != "match" or state["phase"] != "matching":
        return  # superseded (e.g. the facilitator went back meanwhile)
    state["running"] = False
    result = payload.get("result")
    if payload.get("error") or not isinstance(result, dict) or "lock_error" in result:
        reason = (result or {}).get("lock_error") if isinstance(result, dict) else None
        state["notice"] = reason or _("The matching failed: %(error)s", error=payload.get("error", "?"))
        state["phase"] = state.get("run_from", "registration")
        if state["phase"] == "review" and state["draft"] is None:
            state["phase"] = "registration"
        return
    state["draft"] = {**result, "chosen": "optimal"}
    state["phase"] = "review"


def check_pair(state: dict, first: str, second: str, ctx: MethodContext) -> None:
    """Refuse a pair that breaks a hard rule, naming the rule."""
    from . import matching

    a, b = state["groups"][first], state["groups"][second]
    code = matching.hard_rule(a, b, runner.engine_rules(rules_now(state, ctx, [])))
    if code:
        raise ActionError("breaks_rule", _("This pair breaks a hard rule: %(rule)s",
                                           rule=matching.describe_rule(code, a, b)))


def lock(state: dict, first: str, second: str, ctx: MethodContext) -> None:
    """Lock a pair for the next runs."""
    if pool.has_pair(state["locks"], first, second):
        return
    for gid in (first, second):
        if pool.partner_pair(state["locks"], gid):
            raise ActionError("already_locked", _("%(name)s is already locked in another pair.",
                                                  name=state["groups"][gid]["name"]))
    check_pair(state, first, second, ctx)
    state["locks"].append([first, second])


def forbid(state: dict, first: str, second: str) -> None:
    """Rule a pair out (and release its lock)."""
    state["locks"] = [p for p in state["locks"] if {first, second} != set(p)]
    if not pool.has_pair(state["forbidden"], first, second):
        state["forbidden"].append([first, second])


def _draft_pair(state: dict, gid: str) -> list[str]:
    found = pool.partner_pair(state["draft"]["pairs"] if state["draft"] else [], gid)
    if found is None:
        raise ActionError("not_paired", _("%(name)s has no twin in this draft.",
                                          name=state["groups"][gid]["name"]))
    return found


def swap(state: dict, first: str, second: str, ctx: MethodContext) -> None:
    """``first`` takes ``second``'s twin and the other way round; both pairs locked; re-run."""
    pair_a, pair_b = _draft_pair(state, first), _draft_pair(state, second)
    if pair_a == pair_b:
        raise ActionError("same_pair", _("These two are twins already."))
    if len(pair_a) != 2 or len(pair_b) != 2:
        raise ActionError("triplet", _("Groups of three cannot be swapped."))
    twin_a = next(g for g in pair_a if g != first)
    twin_b = next(g for g in pair_b if g != second)
    check_pair(state, first, twin_b, ctx)
    check_pair(state, second, twin_a, ctx)
    state["locks"] = pool.drop_pair(state["locks"], [first, second, twin_a, twin_b])
    state["locks"] += [[first, twin_b], [second, twin_a]]
    start_run(state, ctx, state["locks"])


def dissolve(state: dict, first: str, second: str, ctx: MethodContext) -> None:
    """Split a draft pair, rule it out, re-run."""
    if not any({first, second} <= set(p) for p in (state["draft"] or {}).get("pairs", [])):
        raise ActionError("not_a_pair", _("These two are not twins in this draft."))
    forbid(state, first, second)
    start_run(state, ctx, state["locks"])


def use_stable(state: dict) -> None:
    """Replace the draft by its stable alternative."""
    stable = (state["draft"] or {}).get("stable")
    if not stable:
        raise ActionError("no_stable", _("There is no stable alternative to choose."))
    state["draft"] = {**state["draft"], **stable, "blocking": [], "alternatives": {},
                      "stable": None, "chosen": "stable"}


def names_of(state: dict, members: list[str]) -> list[str]:
    """The names of ``members``."""
    return [state["groups"][g]["name"] for g in members if g in state["groups"]]


def same_name(first: str, second: str) -> bool:
    """Whether two group names are the same, case and spacing ignored."""
    return normalise_name(first) == normalise_name(second)
