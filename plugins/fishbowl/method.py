"""The fishbowl method: an inner circle of chairs, open chairs, and the outer circle.

The state machine around :mod:`.rules` (chairs, queue, turns, clock),
:mod:`.questions` and :mod:`.people`; views live in :mod:`.views`, the
minutes in :mod:`.minutes`. Actions and their error codes are listed in
``docs/protocol.md``.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import ClassVar

from facilitator_plugins.fishbowl import minutes, openchair, questions, rules, views
from facilitator_plugins.fishbowl.config import DEFAULTS, demo, fields, settings, validate
from facilitator_plugins.fishbowl.messages import refusal
from facilitator_plugins.fishbowl.people import MAX_GUESTS, parse_panel, remember_participant

from facilitator.i18n import _, lazy_gettext
from facilitator.ledger import clean_agreement
from facilitator.methods import ActionError, Actor, Field, Method, MethodContext
from facilitator.model import (
    MAX_NAME,
    MAX_ORGANISATION,
    MAX_TEXT,
    ORG_TYPES,
    clean_choice,
    clean_text,
)

P, F = ("participant",), ("facilitator",)


class FishbowlMethod(Method):
    """A fishbowl: a few talk in the inner circle, anyone may take an open chair."""

    slug = "fishbowl"
    name = lazy_gettext("Fishbowl")
    description = lazy_gettext(
        "A few people talk in an inner circle; one chair stays open, and anyone from the "
        "audience can take it to join in. Queue, fair statistics, questions, rotation log."
    )
    actions: ClassVar[dict[str, tuple[str, ...]]] = {
        "request_chair": P,
        "withdraw": P,
        "done": P,
        "post_question": ("participant", "facilitator"),
        "upvote_question": P,
        "start": F,
        "pause": F,
        "resume": F,
        "end": F,
        "next_round": F,
        "add_guest": F,
        "seat": F,
        "seat_next": F,
        "ask_to_leave": F,
        "confirm_make_room": F,
        "mark_statement": F,
        "record_agreement": F,
        "hide_question": F,
        "answer_question": F,
        "show_question": F,
        "unshow_question": F,
    }

    # -- configuration ------------------------------------------------------
    def config_fields(self) -> list[Field]:
        """Topic, chairs, open chairs, mode, panel, guidance time, questions, fairness."""
        return fields()

    def validate_config(self, config: dict) -> dict:
        """Fill defaults, check open chairs < chairs and that the panel parses and fits."""
        return validate(config)

    def demo_config(self) -> dict:
        """A demo about arriving in a town, with two panel guests."""
        return demo()

    # -- state machine ------------------------------------------------------
    def initial_state(self, config: dict) -> dict:
        """A fishbowl ready to start, with the configured panel seated."""
        config = {**DEFAULTS, **config}
        return rules.new_state(settings(config), config["topic"], parse_panel(config["panel"]))

    def apply(
        self, state: dict, action: str, payload: dict, actor: Actor, ctx: MethodContext
    ) -> dict:
        """Apply one action to a copy of ``state``; refusals raise ``ActionError``."""
        handler: Callable[..., None] | None = getattr(self, f"_do_{action}", None)
        if action not in self.actions or handler is None:
            raise ActionError("unknown_action", _("This session has no such action."))
        if not isinstance(payload, dict):
            raise ActionError("invalid", _("The action's data must be an object."))
        state = copy.deepcopy(state)  # a refusal halfway must leave the caller's state intact
        try:
            rules.ensure_not_ended(state)
            handler(state, payload, actor, ctx, ctx.now())
        except rules.RuleError as exc:
            raise ActionError(exc.code, refusal(exc.code, own=actor.role == "participant")) from None
        return state

    def participant_removed(self, state: dict, participant_id: str, ctx: MethodContext) -> dict:
        """Close the removed person's turn and take them off chair and queue."""
        state = copy.deepcopy(state)
        rules.remove_person(state, participant_id, ctx.now())
        return state

    # -- participant actions -------------------------------------------------
    def _do_request_chair(self, state, payload, actor, ctx, now) -> None:
        person = self._participant(state, actor, ctx)
        result = openchair.request_chair(state, person, now)
        ctx.reply({"result": result, "position": openchair.queue_position(state, person)})

    def _do_withdraw(self, state, payload, actor, ctx, now) -> None:
        openchair.withdraw(state, actor.participant_id)

    def _do_done(self, state, payload, actor, ctx, now) -> None:
        rules.leave(state, actor.participant_id, now, "done")

    def _do_post_question(self, state, payload, actor, ctx, now) -> None:
        if not state["settings"]["questions_enabled"]:
            raise rules.RuleError("questions_disabled")
        text = clean_text(payload.get("text"), _("Your question"), questions.MAX_QUESTION, True)
        author = self._participant(state, actor, ctx) if actor.role == "participant" else None
        ctx.reply({"question": questions.post(state, author, text, now)})

    def _do_upvote_question(self, state, payload, actor, ctx, now) -> None:
        voter = self._participant(state, actor, ctx)
        ctx.reply({"upvoted": questions.toggle_upvote(state, payload.get("question"), voter)})

    # -- facilitator: phases -------------------------------------------------
    def _do_start(self, state, payload, actor, ctx, now) -> None:
        rules.start(state, now)

    def _do_pause(self, state, payload, actor, ctx, now) -> None:
        rules.pause(state, now)

    def _do_resume(self, state, payload, actor, ctx, now) -> None:
        rules.resume(state, now)

    def _do_end(self, state, payload, actor, ctx, now) -> None:
        rules.end(state, now)

    def _do_next_round(self, state, payload, actor, ctx, now) -> None:
        rules.next_round(state, now)

    # -- facilitator: people and chairs ---------------------------------------
    def _do_add_guest(self, state, payload, actor, ctx, now) -> None:
        name = clean_text(payload.get("name"), _("Name of the guest"), MAX_NAME, required=True)
        organisation = clean_text(
            payload.get("organisation"), _("Organisation"), MAX_ORGANISATION
        )
        org_type = clean_choice(
            payload.get("org_type") or "other", _("Type of organisation"), ORG_TYPES
        )
        if sum(1 for p in state["people"].values() if p["kind"] == "guest") >= MAX_GUESTS:
            raise rules.RuleError("too_many_guests")
        guest = rules.add_guest(state, name, organisation, org_type)
        if self._flag(payload, "seat"):
            rules.seat(state, guest, now)
        ctx.reply({"guest": guest})

    def _do_seat(self, state, payload, actor, ctx, now) -> None:
        person = self._known_person(state, payload.get("person"), ctx, present=True)
        rules.seat(state, person, now)

    def _do_seat_next(self, state, payload, actor, ctx, now) -> None:
        ctx.reply({"person": openchair.seat_next(state, now)})

    def _do_ask_to_leave(self, state, payload, actor, ctx, now) -> None:
        person = payload.get("person")
        if not isinstance(person, str) or not person:
            raise ActionError("invalid", _("Please choose a person."))
        rules.leave(state, person, now, "asked")

    def _do_confirm_make_room(self, state, payload, actor, ctx, now) -> None:
        candidate = openchair.make_room_candidate(state, now)
        if candidate is None:
            raise rules.RuleError("no_suggestion")
        expected = payload.get("person")
        if expected not in (None, "", candidate):
            raise rules.RuleError("suggestion_changed")
        rules.leave(state, candidate, now, "made_room")
        ctx.reply({"person": candidate})

    # -- facilitator: record -------------------------------------------------
    def _do_mark_statement(self, state, payload, actor, ctx, now) -> None:
        text = clean_text(payload.get("text"), _("Statement"), MAX_TEXT, required=True)
        person = payload.get("person") or None
        if person is not None:
            person = self._known_person(state, person, ctx, present=False)
        state["statements"].append(
            {"id": f"s{len(state['statements']) + 1}", "text": text, "person": person, "at": now}
        )

    def _do_record_agreement(self, state, payload, actor, ctx, now) -> None:
        agreement = clean_agreement(payload)
        ctx.reply({"agreement": ctx.record_agreement(**agreement)})

    # -- facilitator: questions ----------------------------------------------
    def _do_hide_question(self, state, payload, actor, ctx, now) -> None:
        questions.set_hidden(state, payload.get("question"), self._flag(payload, "hidden", True))

    def _do_answer_question(self, state, payload, actor, ctx, now) -> None:
        answered = self._flag(payload, "answered", True)
        questions.set_answered(state, payload.get("question"), answered)

    def _do_show_question(self, state, payload, actor, ctx, now) -> None:
        questions.show(state, payload.get("question"))

    def _do_unshow_question(self, state, payload, actor, ctx, now) -> None:
        questions.unshow(state)

    # -- payload helpers -----------------------------------------------------
    @staticmethod
    def _participant(state: dict, actor: Actor, ctx: MethodContext) -> str:
        person = actor.participant_id
        if not person:
            raise ActionError("forbidden", _("You may not do this in your role."))
        if person in state["removed"]:
            raise rules.RuleError("person_removed")
        remember_participant(state, person, ctx, actor.org_type)
        return person

    @staticmethod
    def _known_person(state: dict, person: object, ctx: MethodContext, present: bool) -> str:
        """A guest or a participant; ``present``: only one who has not been removed."""
        if not isinstance(person, str) or not person:
            raise ActionError("invalid", _("Please choose a person."))
        if rules.is_panel(state, person):
            return person
        if person in state["removed"]:
            if present:
                raise rules.RuleError("person_removed")
            return person
        if any(p["id"] == person for p in ctx.participants()):
            remember_participant(state, person, ctx)
            return person
        if not present and person in state["people"]:
            return person
        raise rules.RuleError("unknown_person")

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
