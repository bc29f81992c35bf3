"""Published pairs: confirm or decline, re-match after a decline, record the joint projects.

Pure Python (no Flask). A confirmed twinning and every dated step of its plan
go into the ledger through ``ctx.record_agreement``; the twinning's entry names
the twins joined by :data:`.pool.TWIN_MARK` (for the ledger and the archive).
Later rounds on this server find the pairs already twinned in this session's
state (``ctx.earlier_sessions()``, see :mod:`.history`), not in that text.
"""

from __future__ import annotations

from typing import Any

from facilitator import MAX_ORGANISATION, ActionError, Actor, MethodContext, _

from . import planning, pool, review

RESPONSES = ("confirm", "decline")


def publish(state: dict) -> None:
    """The draft's pairs become published; answers of pairs published before are kept."""
    draft = state["draft"]
    if not draft or not draft["pairs"]:
        raise ActionError("no_pairs", _("There are no pairs to publish."))
    for members in draft["pairs"]:  # ruled out after the run (forbid in review)
        if any(pool.has_pair(state["forbidden"], a, b) for a in members for b in members if a < b):
            raise ActionError("breaks_rule", _("%(pair)s was ruled out after this draft: run the "
                                               "matching again.",
                                               pair=pool.TWIN_MARK.join(review.names_of(state, members))))
    before = {p["key"]: p for p in state["pairs"]}
    pairs = []
    for members in draft["pairs"]:
        key = pool.pair_key(members)
        old = before.get(key)
        pairs.append(old or {"key": key, "members": sorted(members),
                             "answers": dict.fromkeys(members, "pending"), "agreement": None})
    state.update(pairs=pairs, phase="publish")


def _acting_group(state: dict, payload: dict, actor: Actor) -> str:
    if actor.role == "facilitator":
        return pool.group(state, payload.get("group"))["id"]
    own = pool.group_of_participant(state, actor.participant_id)
    if own is None:
        raise ActionError("no_group", _("You have not registered a group."))
    return own["id"]


def _pair_of(state: dict, group_id: str) -> dict:
    for pair in state["pairs"]:
        if group_id in pair["members"]:
            return pair
    raise ActionError("no_twin", _("%(name)s has no twin at the moment.",
                                   name=state["groups"][group_id]["name"]))


def respond(state: dict, payload: Any, actor: Actor, ctx: MethodContext) -> None:
    """Confirm or decline a twin. All confirmed: the twinning goes into the ledger.
    A decline dissolves the pair and rules it out; both wait for re-matching."""
    if not isinstance(payload, dict) or payload.get("response") not in RESPONSES:
        raise ActionError("invalid_choice", _("Please confirm or decline."))
    group_id = _acting_group(state, payload, actor)
    pair = _pair_of(state, group_id)
    if payload["response"] == "confirm":
        pair["answers"][group_id] = "confirmed"
        if pair["agreement"] is None and all(a == "confirmed" for a in pair["answers"].values()):
            names = review.names_of(state, pair["members"])
            pair["agreement"] = ctx.record_agreement(
                what=_("Twinning: %(pair)s", pair=pool.TWIN_MARK.join(names)),
                who_org=", ".join(names)[:MAX_ORGANISATION])
        return
    if state["phase"] != "publish":
        raise ActionError("wrong_phase", _("Twins can only decline before planning starts."))
    if pair["agreement"] is not None:
        raise ActionError("already_confirmed", _("This twinning is confirmed by all; ask the "
                                                 "facilitator to change it."))
    state["pairs"].remove(pair)
    state["declined"].append({"members": pair["members"], "by": group_id})
    for other in pair["members"]:
        if other != group_id:
            review.forbid(state, group_id, other)


def rematch(state: dict, ctx: MethodContext) -> None:
    """Run again for the groups without a confirmed twin; confirmed pairs are locked."""
    free = pool.free_groups(state)
    if not free:
        raise ActionError("nothing_to_rematch", _("Every group has a twin; nothing to re-match."))
    confirmed = [p["members"] for p in state["pairs"] if p["agreement"] is not None
                 and len(p["members"]) == 2]
    locks = pool.drop_pair(state["locks"], [g for p in confirmed for g in p]) + confirmed
    state["locks"] = [lk for lk in state["locks"] if not pool.has_pair(state["forbidden"], *lk)]
    locks = [lk for lk in locks if not pool.has_pair(state["forbidden"], *lk)]
    state["locks"] = locks  # confirmed pairs stay locked in every re-run of the new draft
    review.start_run(state, ctx, locks)


def record_plan(state: dict, payload: Any, actor: Actor, ctx: MethodContext) -> list[str]:
    """Check and store a confirmed pair's plan; each dated step goes into the ledger.

    A changed plan replaces the earlier one: its ledger entries are marked dropped.
    """
    if not isinstance(payload, dict):
        raise ActionError("invalid", _("This plan is not valid."))
    if actor.role == "facilitator":
        pair = next((p for p in state["pairs"] if p["key"] == payload.get("pair")), None)
        if pair is None:
            raise ActionError("unknown_pair", _("This pair does not exist (any more)."))
    else:
        pair = _pair_of(state, _acting_group(state, payload, actor))
    if pair["agreement"] is None:
        raise ActionError("not_confirmed", _("All twins must confirm before the project is planned."))
    members = [state["groups"][g] for g in pair["members"]]
    plan = planning.clean_plan(payload, members)
    old = state["plans"].get(pair["key"])
    for agreement_id in (old or {}).get("agreements", []):
        ctx.set_agreement_status(agreement_id, "dropped", _("Replaced by a changed plan."))
    plan["agreements"] = [ctx.record_agreement(**entry)
                          for entry in planning.ledger_entries(plan, members)]
    state["plans"][pair["key"]] = plan
    return plan["agreements"]
