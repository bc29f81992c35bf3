"""Twinning matchmaking: register groups, match them optimally, review, publish, plan.

Phases: ``registration`` → ``matching`` (the engine runs off the lock) →
``review`` (lock, swap, dissolve, forbid, re-run; back to ``registration``) →
``publish`` (twins confirm or decline; a decline frees both for re-matching) →
``planning`` (each confirmed pair records its joint project) → ``done``.

State layout (plain JSON)::

    phase, topics, weights {offer_need, topics, bridging, distance}, rules {language_required,
    forbid_same_organisation, odd}
    groups: {gid: profile + participant, source}     order: [gid]   next_group
    pending_import: None | {rows: [{row, profile, exclude_names}], errors: [{row, reason}]}
    earlier_pairs: [[name, name]] (imported: from the form)   locks, forbidden: [[gid, gid]]
    sat_out: [normalised names of groups that sat out last time (from the form)]

Earlier twinning sessions on this server add their pairs and the groups that
sat out last time at every run, read from their states (``ctx.earlier_sessions()``,
see :mod:`.history`); the form's fields are for rounds held elsewhere.
    running: bool   notice: str (why the last run failed)   run_from: the phase a run started in
    run_rules: the hard rules of the last run (JSON; for explaining unmatched groups)
    draft: None | {pairs, total, unmatched, optimal, blocking, stable, alternatives, chosen}
    pairs: [{key, members, answers: {gid: "pending" | "confirmed"}, agreement}]
    declined: [{members, by}]   plans: {pair key: plan + agreements: [ids]}
"""

from __future__ import annotations

from facilitator import SYSTEM, ActionError, Actor, Method, MethodContext, _, action, lazy_gettext

from . import config, pool, published, review
from .hardrules import normalise_name
from .minutes import render_minutes
from .views import view_for

#: The phases in order.
PHASES = ("registration", "matching", "review", "publish", "planning", "done")


def wrong_phase(state: dict, allowed: tuple[str, ...], message: str) -> None:
    """Refuse with ``message`` unless the session is in one of ``allowed``."""
    if state["phase"] not in allowed:
        raise ActionError("wrong_phase", message)


class TwinningMethod(Method):
    """Pair groups from a pool optimally, explain every pair, plan each joint project."""

    slug = "twinning"
    name = lazy_gettext("Twinning")
    description = lazy_gettext(
        "Pair groups from a pool (associations, offices, clubs, migrant organisations) "
        "optimally, explain every pair, and plan each pair's joint project of up to six months."
    )

    fields = config.FIELDS
    validate_config = staticmethod(config.validate)
    demo_config = staticmethod(config.demo)

    def initial_state(self, config: dict) -> dict:
        """Registration open, with the facilitator's topics, weights, rules and any CSV waiting."""
        state = {
            "phase": "registration", "topics": list(config.get("topics") or []),
            "weights": {key: config.get(f"weight_{key}", value)
                        for key, value in config_defaults().items()},
            "rules": {"language_required": bool(config.get("language_required", True)),
                      "forbid_same_organisation": bool(config.get("forbid_same_organisation", True)),
                      "odd": config.get("odd", "sit_out")},
            "groups": {}, "order": [], "next_group": 1, "pending_import": None,
            "earlier_pairs": [list(p) for p in config.get("earlier_pairs") or []],
            "locks": [], "forbidden": [],
            "sat_out": [normalise_name(n) for n in config.get("sat_out_before") or []], "running": False, "notice": "",
            "draft": None, "pairs": [], "declined": [], "plans": {},
        }
        if config.get("groups_csv"):
            review.stage_import(state, config["groups_csv"])
        return state

    # -- views and minutes -------------------------------------------------
    def view(self, state: dict, role: str, actor: Actor | None, ctx: MethodContext) -> dict:
        """See :mod:`.views`: phones their own group and twin, the facilitator everything."""
        return view_for(role)(state, actor, ctx)

    def minutes(self, state: dict, ctx: MethodContext) -> str:
        """Pairs with reasons, projects, unmatched groups, total score and stability."""
        return render_minutes(state, ctx)

    # -- registration --------------------------------------------------------
    @action("participant")
    def register(self, state: dict, payload: dict, actor: Actor, ctx: MethodContext) -> None:
        """Register (or correct) the sender's group; replies ``{"group": id}``."""
        wrong_phase(state, ("registration",),
                    _("Registration is closed: profiles can be changed until matching starts."))
        own = pool.group_of_participant(state, actor.participant_id)
        saved = review.save_group(state, payload, own["id"] if own else None, "phone",
                                  actor.participant_id)
        ctx.reply({"group": saved})

    @action("facilitator")
    def save_group(self, state: dict, payload: dict, actor: Actor, ctx: MethodContext) -> None:
        """Add a group (no ``group``) or correct one; replies ``{"group": id}``."""
        wrong_phase(state, ("registration",), _("Groups can only be changed during registration."))
        existing = payload.get("group")
        if existing in (None, ""):
            existing = None
        else:
            pool.group(state, existing)  # refuses what is no group id
        ctx.reply({"group": review.save_group(state, payload, existing, "facilitator", None)})

    @action("facilitator")
    def remove_group(self, state: dict, payload: dict, actor: Actor, ctx: MethodContext) -> None:
        """Take a group out of the pool (registration only)."""
        wrong_phase(state, ("registration",), _("Groups can only be changed during registration."))
        review.remove_group(state, pool.group(state, payload.get("group"))["id"])

    @action("facilitator")
    def set_topics(self, state: dict, payload: dict, actor: Actor, ctx: MethodContext) -> None:
        """Replace the topic list (one per line); topics groups chose stay theirs."""
        wrong_phase(state, ("registration",), _("Topics can only be changed during registration."))
        review.set_topics(state, payload.get("topics"))

    @action("facilitator")
    def set_weights(self, state: dict, payload: dict, actor: Actor, ctx: MethodContext) -> None:
        """Set the weights (0 … 10) and hard-rule options for the next run."""
        wrong_phase(state, ("registration", "review"), _("Settings apply to the next run: "
                                                          "change them before matching or in review."))
        review.set_settings(state, payload)

    @action("facilitator")
    def import_csv(self, state: dict, payload: dict, actor: Actor, ctx: MethodContext) -> None:
        """Read a pasted CSV text; its good rows wait for ``confirm_import``."""
        wrong_phase(state, ("registration",), _("Groups can only be imported during registration."))
        review.stage_import(state, payload.get("text"))
        ctx.reply({"rows": len(state["pending_import"]["rows"]),
                   "errors": len(state["pending_import"]["errors"])})

    @action("facilitator")
    def confirm_import(self, state: dict, payload: dict, actor: Actor, ctx: MethodContext) -> None:
        """Add the good rows of the waiting import to the pool."""
        wrong_phase(state, ("registration",), _("Groups can only be imported during registration."))
        ctx.reply({"imported": review.confirm_import(state)})

    @action("facilitator")
    def discard_import(self, state: dict, payload: dict, actor: Actor, ctx: MethodContext) -> None:
        """Drop the waiting import."""
        if state["pending_import"] is None:
            raise ActionError("no_import", _("There is no import waiting."))
        state["pending_import"] = None

    # -- matching and review ---------------------------------------------------
    @action("facilitator")
    def run_matching(self, state: dict, payload: dict, actor: Actor, ctx: MethodContext) -> None:
        """Close registration (or re-run in review) and match the pool off the lock."""
        wrong_phase(state, ("registration", "review"), _("Matching runs from registration or review."))
        review.start_run(state, ctx, state["locks"])

    @action(SYSTEM)
    def matched(self, state: dict, payload: dict, actor: Actor, ctx: MethodContext) -> None:
        """The engine's result (or error) arrives: a draft to review."""
        review.receive(state, payload)

    @action("facilitator")
    def lock(self, state: dict, payload: dict, actor: Actor, ctx: MethodContext) -> None:
        """Keep ``a`` and ``b`` together in every re-run (refused naming a broken hard rule)."""
        wrong_phase(state, ("review",), _("Pairs can be locked during review."))
        review.lock(state, *pool.two_groups(state, payload), ctx)

    @action("facilitator")
    def unlock(self, state: dict, payload: dict, actor: Actor, ctx: MethodContext) -> None:
        """Release a lock."""
        wrong_phase(state, ("review",), _("Pairs can be unlocked during review."))
        first, second = pool.two_groups(state, payload)
        state["locks"] = [p for p in state["locks"] if {first, second} != set(p)]

    @action("facilitator")
    def forbid(self, state: dict, payload: dict, actor: Actor, ctx: MethodContext) -> None:
        """Never pair ``a`` with ``b`` (applies from the next run)."""
        wrong_phase(state, ("registration", "review"), _("Pairs can be ruled out before matching "
                                                          "or during review."))
        review.forbid(state, *pool.two_groups(state, payload))

    @action("facilitator")
    def swap(self, state: dict, payload: dict, actor: Actor, ctx: MethodContext) -> None:
        """Swap the twins of ``a`` and ``b``, lock both new pairs and re-run the rest."""
        wrong_phase(state, ("review",), _("Pairs can be swapped during review."))
        review.swap(state, *pool.two_groups(state, payload), ctx)

    @action("facilitator")
    def dissolve(self, state: dict, payload: dict, actor: Actor, ctx: MethodContext) -> None:
        """Split the draft pair ``a``–``b``, rule it out and re-run the rest."""
        wrong_phase(state, ("review",), _("Pairs can be dissolved during review."))
        review.dissolve(state, *pool.two_groups(state, payload), ctx)

    @action("facilitator")
    def use_stable(self, state: dict, payload: dict, actor: Actor, ctx: MethodContext) -> None:
        """Take the stable alternative (no blocking pairs) instead of the optimal draft."""
        wrong_phase(state, ("review",), _("The stable alternative can be chosen during review."))
        review.use_stable(state)

    @action("facilitator")
    def back_to_registration(self, state: dict, payload: dict, actor: Actor,
                             ctx: MethodContext) -> None:
        """Drop the draft and let groups register and correct their profiles again."""
        wrong_phase(state, ("review",), _("Only a draft in review can go back to registration."))
        if state["pairs"]:  # a re-match: the published pairs (and their groups) stay
            raise ActionError("wrong_phase", _("Pairs are published: publish the new draft "
                                               "or run the matching again."))
        state.update(phase="registration", draft=None, notice="")

    @action("facilitator")
    def publish(self, state: dict, payload: dict, actor: Actor, ctx: MethodContext) -> None:
        """Publish the draft: each group sees its twin, why and the contact."""
        wrong_phase(state, ("review",), _("Only a draft in review can be published."))
        published.publish(state)

    # -- published pairs ----------------------------------------------------------
    @action("participant", "facilitator")
    def respond(self, state: dict, payload: dict, actor: Actor, ctx: MethodContext) -> None:
        """Confirm or decline the twin (``response``); the facilitator answers for ``group``."""
        wrong_phase(state, ("publish", "planning"), _("Twins can be confirmed once they are published."))
        published.respond(state, payload, actor, ctx)

    @action("facilitator")
    def rematch(self, state: dict, payload: dict, actor: Actor, ctx: MethodContext) -> None:
        """Re-match the groups without a confirmed twin; confirmed and locked pairs stay."""
        wrong_phase(state, ("publish",), _("Re-matching is for published pairs."))
        published.rematch(state, ctx)

    @action("facilitator")
    def start_planning(self, state: dict, payload: dict, actor: Actor, ctx: MethodContext) -> None:
        """Open planning: confirmed pairs record their joint projects."""
        wrong_phase(state, ("publish",), _("Planning starts after publishing."))
        state["phase"] = "planning"

    @action("participant", "facilitator")
    def plan(self, state: dict, payload: dict, actor: Actor, ctx: MethodContext) -> None:
        """Record (or change) a confirmed pair's joint project; its dates go into the ledger."""
        wrong_phase(state, ("planning",), _("Joint projects are recorded during planning."))
        ctx.reply({"agreements": published.record_plan(state, payload, actor, ctx)})

    @action("facilitator")
    def finish(self, state: dict, payload: dict, actor: Actor, ctx: MethodContext) -> None:
        """End the twinning session."""
        wrong_phase(state, ("planning",), _("The session finishes after planning."))
        state["phase"] = "done"


def config_defaults() -> dict:
    """The weights' defaults (the form's)."""
    return dict(config.DEFAULT_WEIGHTS)


__all__ = ["PHASES", "TwinningMethod"]
