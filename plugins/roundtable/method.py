"""The round table method: agenda with time boxes, speakers list, consent and review.

The state machine around :mod:`.agenda` (items, floor, clocks),
:mod:`.speakers` (hands and their order), :mod:`.consent` (checks and
tallies) and :mod:`.review` (earlier agreements). Participant and
facilitator actions are in this module and :mod:`.actions`; views live in
:mod:`.views`, the minutes in :mod:`.minutes`. Actions and their error codes
are listed in ``docs/protocol.md``.

Timers: after every action and lifecycle call, :meth:`RoundTable.sync_timers`
schedules the speaking-time limit (``speaker``) and the item's time box
(``item``) from the state, or cancels them; they arrive as the ``SYSTEM``
actions ``speaker_over`` and ``item_over``.
"""

from __future__ import annotations

from facilitator_plugins.roundtable import agenda, review, views
from facilitator_plugins.roundtable import minutes as minutes_section
from facilitator_plugins.roundtable.actions import FacilitatorActions, ParticipantActions
from facilitator_plugins.roundtable.agreements import AgreementActions
from facilitator_plugins.roundtable.config import FIELDS, demo, validate
from facilitator_plugins.roundtable.config import agenda as parse_agenda
from facilitator_plugins.roundtable.consent import ConsentError
from facilitator_plugins.roundtable.messages import refusal
from facilitator_plugins.roundtable.review import ReviewError
from facilitator_plugins.roundtable.speakers import SpeakersError

from facilitator import SYSTEM, ActionError, Actor, Method, MethodContext, _, action, lazy_gettext

RULE_ERRORS = (SpeakersError, ConsentError, ReviewError)


class RoundTable(ParticipantActions, FacilitatorActions, AgreementActions, Method):
    """A round table (Runder Tisch): all actors on equal footing work through an agenda."""

    slug = "roundtable"
    name = lazy_gettext("Round table")
    description = lazy_gettext(
        "An agenda with time boxes, a speakers list with replies and points of order, consent "
        "on agreements with responsibilities, and the review of last meeting's agreements."
    )
    fields = FIELDS
    validate_config = staticmethod(validate)
    demo_config = staticmethod(demo)

    # -- state machine ------------------------------------------------------
    def initial_state(self, config: dict) -> dict:
        """The agenda, led by the review when earlier agreements are to be reviewed."""
        minutes_file = review.parse_minutes_file(config["review_file"]) if config.get("review_file") else None
        reviewing = config.get("review_from", "none") != "none" or minutes_file is not None
        state = agenda.new_state(parse_agenda(config), config.get("speaking_limit", 0),
                                 config.get("consent_by", "person"), reviewing,
                                 config.get("review_minutes", 15), "")
        state["review"]["from"] = config.get("review_from", "none")
        if minutes_file is not None:
            state["review"]["file"] = {"title": minutes_file.get("title", ""),
                                       "date": minutes_file.get("date", "")}
            state["review"]["entries"] = review.file_entries(minutes_file)
        return state

    def apply(self, state: dict, action: str, payload: dict, actor: Actor, ctx: MethodContext) -> dict:
        """Run the action, word the rules' refusals, then bring the timers in line."""
        try:
            state = super().apply(state, action, payload, actor, ctx)
        except RULE_ERRORS as exc:
            raise ActionError(exc.code, refusal(exc.code)) from None
        self.sync_timers(state, ctx)
        return state

    @staticmethod
    def sync_timers(state: dict, ctx: MethodContext) -> None:
        """Schedule (or cancel) the speaking-time limit and the item's time box.

        Only a deadline that changed is written (the state remembers what is
        scheduled), so that a busy consent check writes no timers at all.
        """
        scheduled = state.setdefault("timers", {})
        for key, (action_name, due) in {"speaker": ("speaker_over", agenda.deadlines(state)["speaker"]),
                                        "item": ("item_over", agenda.deadlines(state)["item"])}.items():
            wanted = [due[0], due[1]] if due else None
            if scheduled.get(key) == wanted:
                continue
            if due:
                ctx.schedule(key, due[0], action_name, due[1])
            else:
                ctx.cancel(key)
            scheduled[key] = wanted

    def view_scope(self, old: dict, new: dict, action: str) -> str:
        """An answer or a proposal changes only the sender's phone (and the wall and dashboard)."""
        return "actor" if action in ("answer", "propose") else "everyone"

    # -- lifecycle ----------------------------------------------------------
    def activated(self, state: dict, ctx: MethodContext) -> None:
        """The room is here: list earlier workshops, pick as configured, run the item's clock."""
        earlier = ctx.earlier_agreements(None)
        rv = state["review"]
        rv["workshops"] = [{k: w[k] for k in ("id", "title", "date", "count")}
                           for w in review.workshops_of(earlier)]
        if rv["from"] != "none" and not rv.get("picked_at_start"):
            rv["picked_at_start"] = True
            ids = [w["id"] for w in rv["workshops"]]
            chosen = ids[:1] if rv["from"] == "latest" else ids if rv["from"] == "all" else []
            for workshop_id in chosen:
                self.pick_workshop(state, workshop_id, earlier)
        it = agenda.current(state)
        if it is not None:
            agenda.start_clock(it, ctx.now())
        self.sync_timers(state, ctx)

    def left(self, state: dict, ctx: MethodContext) -> None:
        """The room went elsewhere: end the turn, stop the item's clock."""
        agenda.end_turn(state, ctx.now())
        it = agenda.current(state)
        if it is not None:
            agenda.stop_clock(it, ctx.now())
        self.sync_timers(state, ctx)

    def closed(self, state: dict, ctx: MethodContext) -> None:
        """The session was closed: close the item and any open consent check."""
        for check in state["checks"]:
            if check["open"]:
                self.close_open_check(state, check, ctx)
        agenda.finish_current(state, ctx.now())
        state["timers"] = {}  # the core drops a closed session's timers

    def participant_removed(self, state: dict, participant_id: str, ctx: MethodContext) -> None:
        """Take the person off the speakers list, the floor and the open check's tally."""
        state["hands"] = [h for h in state["hands"] if h["person"] != participant_id]
        if state["floor"] and state["floor"]["person"] == participant_id:
            agenda.end_turn(state, ctx.now())
        for check in state["checks"]:
            if check["open"]:
                check["answers"].pop(participant_id, None)
        self.sync_timers(state, ctx)

    # -- timers -------------------------------------------------------------
    @action(SYSTEM)
    def speaker_over(self, state: dict, payload: dict, actor: Actor, ctx: MethodContext) -> None:
        """The speaking-time limit of the current turn has run out: signal it."""
        if state["floor"] and state["floor"]["id"] == payload.get("turn"):
            state["floor"]["over"] = True

    @action(SYSTEM)
    def item_over(self, state: dict, payload: dict, actor: Actor, ctx: MethodContext) -> None:
        """The item's time box has run out: signal it."""
        it = agenda.current(state)
        if it is not None and it["id"] == payload.get("item"):
            it["over"] = True

    # -- what people see -----------------------------------------------------
    def view(self, state: dict, role: str, actor: Actor | None, ctx: MethodContext) -> dict:
        """Phones: item, floor, own hands and answers; facilitator: everything; wall: the floor."""
        if role == "facilitator":
            return views.facilitator_view(state, ctx)
        if role == "projector":
            return views.projector_view(state, ctx)
        return views.participant_view(state, actor.participant_id if actor else None, ctx)

    def minutes(self, state: dict, ctx: MethodContext) -> str:
        """Items with time, speakers, notes, decisions, agreements and consent; review; statistics."""
        return minutes_section.render(state, ctx)


def review_title() -> str:
    """The name of the review item (translated when shown)."""
    return _("Review of last meeting's agreements")
