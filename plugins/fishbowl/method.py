"""The fishbowl method: an inner circle of chairs, open chairs, and the outer circle.

The state machine around :mod:`.rules` (chairs, queue, turns, clock),
:mod:`.questions` and :mod:`.people`; views live in :mod:`.views`, the
minutes in :mod:`.minutes`. Actions and their error codes are listed in
``docs/protocol.md``.

Every action goes through :meth:`FishbowlMethod.apply`, which refuses all of
them once the fishbowl has ended and turns a :class:`.rules.RuleError` into a
readable :class:`ActionError`. When the room moves, the discussion clock
follows: leaving the session pauses a running fishbowl and coming back resumes
it (:meth:`~FishbowlMethod.left`, :meth:`~FishbowlMethod.activated`); closing
the session ends it (:meth:`~FishbowlMethod.closed`).
"""

from __future__ import annotations

from facilitator_plugins.fishbowl import minutes, openchair, questions, rules, views
from facilitator_plugins.fishbowl.config import DEFAULTS, FIELDS, demo, settings, validate
from facilitator_plugins.fishbowl.messages import refusal
from facilitator_plugins.fishbowl.people import MAX_GUESTS, parse_panel, remember_participant

from facilitator import (
    MAX_NAME,
    MAX_ORGANISATION,
    MAX_TEXT,
    ORG_TYPES,
    ActionError,
    Actor,
    Method,
    MethodContext,
    _,
    action,
    clean_agreement,
    clean_choice,
    clean_text,
    lazy_gettext,
)


class FishbowlMethod(Method):
    """A fishbowl: a few talk in the inner circle, anyone may take an open chair."""

    slug = "fishbowl"
    name = lazy_gettext("Fishbowl")
    description = lazy_gettext(
        "A few people talk in an inner circle; one chair stays open, and anyone from the "
        "audience can take it to join in. Queue, fair statistics, questions, rotation log."
    )

    # -- configuration ------------------------------------------------------
    fields = FIELDS
    validate_config = staticmethod(validate)
    demo_config = staticmethod(demo)

    # -- state machine ------------------------------------------------------
    def initial_state(self, config: dict) -> dict:
        """A fishbowl ready to start, with the configured panel seated."""
        config = {**DEFAULTS, **config}
        return rules.new_state(settings(config), config["topic"], parse_panel(config["panel"]))

    def apply(
        self, state: dict, action: str, payload: dict, actor: Actor, ctx: MethodContext
    ) -> dict:
        """Refuse everything once ended, run the action, and word the rules' refusals."""
        try:
            rules.ensure_not_ended(state)
            return super().apply(state, action, payload, actor, ctx)
        except rules.RuleError as exc:
            raise ActionError(exc.code, refusal(exc.code, own=actor.role == "participant")) from None

    # -- lifecycle ----------------------------------------------------------
    def activated(self, state: dict, ctx: MethodContext) -> None:
        """The room is back: resume the clock if leaving paused it (not the facilitator)."""
        rules.unsuspend(state, ctx.now())

    def left(self, state: dict, ctx: MethodContext) -> None:
        """The room went to another session or the lobby: pause a running fishbowl."""
        rules.suspend(state, ctx.now())

    def closed(self, state: dict, ctx: MethodContext) -> None:
        """The session was closed: end a started fishbowl now, closing open turns."""
        rules.finish(state, ctx.now())

    def participant_removed(self, state: dict, participant_id: str, ctx: MethodContext) -> None:
        """Close the person's turn and take them off chair and queue.

        Also what happens when someone leaves the workshop on their phone (the
        default :meth:`participant_left`). The core refuses their actions.
        """
        rules.remove_person(state, participant_id, ctx.now())

    # -- participant actions -------------------------------------------------
    @action("participant")
    def request_chair(self, state: dict, payload: dict, actor: Actor, ctx: MethodContext) -> None:
        """Sit down on a free chair, or queue for one."""
        person = self._participant(state, actor, ctx)
        result = openchair.request_chair(state, person, ctx.now())
        ctx.reply({"result": result, "position": openchair.queue_position(state, person)})

    @action("participant")
    def withdraw(self, state: dict, payload: dict, actor: Actor, ctx: MethodContext) -> None:
        """Leave the queue."""
        openchair.withdraw(state, actor.participant_id)

    @action("participant")
    def done(self, state: dict, payload: dict, actor: Actor, ctx: MethodContext) -> None:
        """Leave the inner circle."""
        rules.leave(state, actor.participant_id, ctx.now(), "done")

    @action("participant", "facilitator")
    def post_question(self, state: dict, payload: dict, actor: Actor, ctx: MethodContext) -> None:
        """A question from the outer circle (or typed in by the facilitator)."""
        if not state["settings"]["questions_enabled"]:
            raise rules.RuleError("questions_disabled")
        text = clean_text(payload.get("text"), _("Your question"), questions.MAX_QUESTION, True)
        author = self._participant(state, actor, ctx) if actor.role == "participant" else None
        ctx.reply({"question": questions.post(state, author, text, ctx.now())})

    @action("participant")
    def upvote_question(self, state: dict, payload: dict, actor: Actor, ctx: MethodContext) -> None:
        """Upvote a question, or take the upvote back."""
        voter = self._participant(state, actor, ctx)
        ctx.reply({"upvoted": questions.toggle_upvote(state, payload.get("question"), voter)})

    # -- facilitator: phases -------------------------------------------------
    @action("facilitator")
    def start(self, state: dict, payload: dict, actor: Actor, ctx: MethodContext) -> None:
        """Start the discussion clock; everyone seated begins a turn."""
        rules.start(state, ctx.now())

    @action("facilitator")
    def pause(self, state: dict, payload: dict, actor: Actor, ctx: MethodContext) -> None:
        """Stop the discussion clock."""
        rules.pause(state, ctx.now())

    @action("facilitator")
    def resume(self, state: dict, payload: dict, actor: Actor, ctx: MethodContext) -> None:
        """Let the discussion clock run again."""
        rules.resume(state, ctx.now())

    @action("facilitator")
    def end(self, state: dict, payload: dict, actor: Actor, ctx: MethodContext) -> None:
        """End the fishbowl for good."""
        rules.end(state, ctx.now())

    @action("facilitator")
    def next_round(self, state: dict, payload: dict, actor: Actor, ctx: MethodContext) -> None:
        """A new round: the people seated start new turns."""
        rules.next_round(state, ctx.now())

    # -- facilitator: people and chairs ---------------------------------------
    @action("facilitator")
    def add_guest(self, state: dict, payload: dict, actor: Actor, ctx: MethodContext) -> None:
        """Add a panel guest without a phone, and seat them at once if asked to."""
        name = clean_text(payload.get("name"), _("Name of the guest"), MAX_NAME, required=True)
        organisation = clean_text(
            payload.get("organisation"), _("Organisation"), MAX_ORGANISATION
        )
        org_type = payload.get("org_type")
        if org_type is None or org_type == "":  # not `or`: false, 0 or [] is no type
            org_type = "other"
        org_type = clean_choice(org_type, _("Type of organisation"), ORG_TYPES)
        if sum(1 for p in state["people"].values() if p["kind"] == "guest") >= MAX_GUESTS:
            raise rules.RuleError("too_many_guests")
        guest = rules.add_guest(state, name, organisation, org_type)
        if self._flag(payload, "seat"):
            rules.seat(state, guest, ctx.now())
        ctx.reply({"guest": guest})

    @action("facilitator")
    def seat(self, state: dict, payload: dict, actor: Actor, ctx: MethodContext) -> None:
        """Seat a guest or a participant present."""
        person = self._known_person(state, payload.get("person"), ctx, present=True)
        rules.seat(state, person, ctx.now())

    @action("facilitator")
    def seat_next(self, state: dict, payload: dict, actor: Actor, ctx: MethodContext) -> None:
        """Seat the first of the queue."""
        ctx.reply({"person": openchair.seat_next(state, ctx.now())})

    @action("facilitator")
    def ask_to_leave(self, state: dict, payload: dict, actor: Actor, ctx: MethodContext) -> None:
        """Ask someone to leave the inner circle."""
        person = payload.get("person")
        if not isinstance(person, str) or not person:
            raise ActionError("invalid", _("Please choose a person."))
        rules.leave(state, person, ctx.now(), "asked")

    @action("facilitator")
    def confirm_make_room(self, state: dict, payload: dict, actor: Actor,
                          ctx: MethodContext) -> None:
        """The suggested person makes room (if the suggestion is still the one seen)."""
        now = ctx.now()
        candidate = openchair.make_room_candidate(state, now)
        if candidate is None:
            raise rules.RuleError("no_suggestion")
        expected = payload.get("person")
        if expected not in (None, "", candidate):
            raise rules.RuleError("suggestion_changed")
        rules.leave(state, candidate, now, "made_room")
        ctx.reply({"person": candidate})

    # -- facilitator: record -------------------------------------------------
    @action("facilitator")
    def mark_statement(self, state: dict, payload: dict, actor: Actor, ctx: MethodContext) -> None:
        """Note a key statement, optionally of a person (also one who is gone now)."""
        text = clean_text(payload.get("text"), _("Statement"), MAX_TEXT, required=True)
        person = payload.get("person")
        if person is None or person == "":  # not `or`: false, 0 or [] is no person id
            person = None
        else:
            person = self._known_person(state, person, ctx, present=False)
        state["statements"].append(
            {"id": f"s{len(state['statements']) + 1}", "text": text, "person": person,
             "at": ctx.now()}
        )

    @action("facilitator")
    def record_agreement(self, state: dict, payload: dict, actor: Actor,
                         ctx: MethodContext) -> None:
        """Record an agreement in the ledger; replies its id."""
        agreement = clean_agreement(payload)
        ctx.reply({"agreement": ctx.record_agreement(**agreement)})

    # -- facilitator: questions ----------------------------------------------
    @action("facilitator")
    def hide_question(self, state: dict, payload: dict, actor: Actor, ctx: MethodContext) -> None:
        """Hide a question (or show it again)."""
        questions.set_hidden(state, payload.get("question"), self._flag(payload, "hidden", True))

    @action("facilitator")
    def answer_question(self, state: dict, payload: dict, actor: Actor,
                        ctx: MethodContext) -> None:
        """Mark a question answered (or not)."""
        answered = self._flag(payload, "answered", True)
        questions.set_answered(state, payload.get("question"), answered)

    @action("facilitator")
    def show_question(self, state: dict, payload: dict, actor: Actor, ctx: MethodContext) -> None:
        """Put a question on the projector."""
        questions.show(state, payload.get("question"))

    @action("facilitator")
    def unshow_question(self, state: dict, payload: dict, actor: Actor,
                        ctx: MethodContext) -> None:
        """Take the question off the projector."""
        questions.unshow(state)

    # -- payload helpers -----------------------------------------------------
    @staticmethod
    def _participant(state: dict, actor: Actor, ctx: MethodContext) -> str:
        """The sending participant (present: the core refuses anyone else), now known."""
        person = actor.participant_id
        remember_participant(state, person, ctx, actor.org_type)
        return person

    @staticmethod
    def _known_person(state: dict, person: object, ctx: MethodContext, present: bool) -> str:
        """A guest or a participant; ``present``: only one who is still in the workshop."""
        if not isinstance(person, str) or not person:
            raise ActionError("invalid", _("Please choose a person."))
        if rules.is_panel(state, person):
            return person
        entry = ctx.participant(person)
        if entry is None:
            if not present and person in state["people"]:
                return person
            raise rules.RuleError("unknown_person")
        if not entry["present"]:
            if present:
                raise rules.RuleError("person_removed")
            return person
        remember_participant(state, person, ctx)
        return person

    @staticmethod
    def _flag(payload: dict, key: str, default: bool = False) -> bool:
        value = payload.get(key, default)
        if not isinstance(value, bool):
            raise ActionError("invalid", _("%(field)s must be true or false.", field=key))
        return value

    # -- what people see -----------------------------------------------------
    def view(self, state: dict, role: str, actor: Actor | None, ctx: MethodContext) -> dict:
        """The circle for everyone; queue place and questions for phones; all for the facilitator."""
        if role == "facilitator":
            return views.facilitator_view(state, ctx)
        if role == "projector":
            return views.projector_view(state, ctx)
        person = actor.participant_id if actor is not None else None
        return views.participant_view(state, person, ctx)

    def minutes(self, state: dict, ctx: MethodContext) -> str:
        """Topic, panel, rotation log, statistics, statements, questions, agreements."""
        return minutes.render(state, ctx)
