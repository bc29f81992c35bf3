"""The round table's actions: what phones send, and how the facilitator runs the agenda and the floor.

Mixed into :class:`.method.RoundTable`; each handler checks its payload and
changes the state through :mod:`.agenda`, :mod:`.speakers`, :mod:`.consent`
and :mod:`.review`, whose refusals the method words (:mod:`.messages`).
"""

from __future__ import annotations

from facilitator_plugins.roundtable import agenda, consent, speakers

from facilitator import (
    MAX_TEXT,
    ActionError,
    Actor,
    MethodContext,
    _,
    action,
    clean_date,
    clean_text,
)

MAX_PROPOSAL = 300
MAX_PROPOSALS_EACH = 10
MAX_NOTES = 3000
MAX_PLACE = 200
RULE = speakers.SpeakersError


def remember(state: dict, person: str, ctx: MethodContext) -> dict:
    """The person as the statistics need them (kept when they leave), from the core."""
    entry = ctx.participant(person)
    if entry is None:
        raise RULE("unknown_person")
    state["people"][person] = {"org_type": entry["org_type"], "organisation": entry["organisation"]}
    return entry


def flag(payload: dict, key: str, default: bool | None = None) -> bool:
    """A true/false value of the payload."""
    value = payload.get(key, default)
    if not isinstance(value, bool):
        raise ActionError("invalid", _("“%(field)s” must be true or false.", field=key))
    return value


class ParticipantActions:
    """What a phone can do: hands, finishing a turn, proposals, consent answers."""

    @action("participant")
    def raise_hand(self, state: dict, payload: dict, actor: Actor, ctx: MethodContext) -> None:
        """Raise a hand of a kind (point of order, clarifying question, reply, new contribution)."""
        kind = speakers.check_kind(payload.get("kind"))
        it = agenda.require_current(state)
        person = actor.participant_id
        if kind != "order":
            if it["format"] != "list":
                raise RULE("round_item")
            if not it["list_open"]:
                raise RULE("list_closed")
        floor = state["floor"]
        reply_to = None
        if kind == "reply":
            if floor is None:
                raise RULE("nobody_to_reply")
            if floor["person"] == person:
                raise RULE("own_reply")
            reply_to = floor["person"]
        remember(state, person, ctx)
        agenda.next_id(state, "h")
        speakers.raise_hand(state["hands"], person, kind, state["seq"], ctx.now(), reply_to)
        ctx.reply({"place": speakers.place_of(agenda.queue(state), person)})

    @action("participant")
    def withdraw(self, state: dict, payload: dict, actor: Actor, ctx: MethodContext) -> None:
        """Take back my hand of a kind (or all my hands without a kind)."""
        kind = payload.get("kind")
        if kind == "":  # not `or`: false, 0 or [] is a wrong kind, not "every kind"
            kind = None
        state["hands"] = speakers.withdraw(state["hands"], actor.participant_id, kind)

    @action("participant")
    def finish_speaking(self, state: dict, payload: dict, actor: Actor, ctx: MethodContext) -> None:
        """I have finished: give back the floor."""
        if not state["floor"] or state["floor"]["person"] != actor.participant_id:
            raise RULE("not_speaking")
        agenda.end_turn(state, ctx.now())

    @action("participant")
    def propose(self, state: dict, payload: dict, actor: Actor, ctx: MethodContext) -> None:
        """Propose the text of an agreement."""
        text = clean_text(payload.get("text"), _("Proposed agreement"), MAX_PROPOSAL, required=True)
        it = agenda.require_current(state)
        if sum(1 for p in state["proposals"] if p["by"] == actor.participant_id) >= MAX_PROPOSALS_EACH:
            raise RULE("too_many_proposals")
        remember(state, actor.participant_id, ctx)
        proposal = {"id": agenda.next_id(state, "p"), "text": text, "by": actor.participant_id,
                    "item": it["id"], "at": ctx.now(), "checked": False}
        state["proposals"].append(proposal)
        ctx.reply({"proposal": proposal["id"]})

    @action("participant")
    def answer(self, state: dict, payload: dict, actor: Actor, ctx: MethodContext) -> None:
        """Answer the open consent check; the last answer counts."""
        if payload.get("reason") is not None and not isinstance(payload["reason"], str):
            raise ActionError("invalid", _("“%(field)s” must be text.", field="reason"))  # not ignored
        check = next((c for c in state["checks"] if c["id"] == payload.get("check")), None)
        if check is None:
            raise consent.ConsentError("no_check")
        entry = remember(state, actor.participant_id, ctx)
        organisation = entry["organisation"] if ctx.privacy == "named" else ""
        changed = consent.answer(check, actor.participant_id, organisation, payload.get("answer"),
                                 payload.get("reason"), ctx.now())
        ctx.reply({"changed": changed})


class FacilitatorActions:
    """What the facilitator can do: items, floor, list, record, consent, review, next meeting."""

    @action("facilitator")
    def go_to_item(self, state: dict, payload: dict, actor: Actor, ctx: MethodContext) -> None:
        """Close the current item and discuss ``item`` (a closed one opens again)."""
        target = agenda.go_to(state, payload.get("item"), ctx.now())
        if target["format"] != "list" and not target["round_order"]:
            self.set_round(state, target, ctx)

    @staticmethod
    def set_round(state: dict, it: dict, ctx: MethodContext) -> None:
        """The order of a round: people present in join order, per person or institution."""
        by = "institution" if it["format"] == "round_org" and ctx.privacy == "named" else "person"
        people = ctx.participants()
        for person in people:
            remember(state, person["id"], ctx)
        it["round_by"] = by
        it["round_order"] = speakers.round_order(people, by)

    @action("facilitator")
    def finish_item(self, state: dict, payload: dict, actor: Actor, ctx: MethodContext) -> None:
        """Close the current item without opening another."""
        agenda.require_current(state)
        agenda.finish_current(state, ctx.now())

    @action("facilitator")
    def next_speaker(self, state: dict, payload: dict, actor: Actor, ctx: MethodContext) -> None:
        """Give the floor to the first hand (a point of order, else the list or the round)."""
        it = agenda.require_current(state)
        queue = agenda.queue(state)
        orders = [h for h in queue if h["kind"] == "order"]
        if it["format"] != "list" and not orders:
            person = agenda.round_next(state, [p["id"] for p in ctx.participants()])
            if person is None:
                raise RULE("nobody_waiting")
            agenda.give_floor(state, person, "round", ctx.now())
            ctx.reply({"person": person})
            return
        if not queue:
            raise RULE("nobody_waiting")
        hand = queue[0]
        agenda.give_floor(state, hand["person"], hand["kind"], ctx.now(), hand.get("reply_to"))
        ctx.reply({"person": hand["person"]})

    @action("facilitator")
    def give_floor(self, state: dict, payload: dict, actor: Actor, ctx: MethodContext) -> None:
        """Give the floor to anyone present (their hand, if any, is taken down)."""
        agenda.require_current(state)
        person = payload.get("person")
        entry = ctx.participant(person) if isinstance(person, str) else None
        if entry is None:
            raise RULE("unknown_person")
        if not entry["present"]:
            raise RULE("person_removed")
        remember(state, person, ctx)
        hands = [h for h in agenda.queue(state) if h["person"] == person]
        kind = hands[0]["kind"] if hands else "floor"
        agenda.give_floor(state, person, kind, ctx.now(), hands[0].get("reply_to") if hands else None)

    @action("facilitator")
    def end_turn(self, state: dict, payload: dict, actor: Actor, ctx: MethodContext) -> None:
        """End the current speaker's turn."""
        if agenda.end_turn(state, ctx.now()) is None:
            raise RULE("nobody_speaking")

    @action("facilitator")
    def remove_hand(self, state: dict, payload: dict, actor: Actor, ctx: MethodContext) -> None:
        """Take a hand off the list (e.g. the point was made)."""
        left = [h for h in state["hands"] if h["id"] != payload.get("hand")]
        if len(left) == len(state["hands"]):
            raise RULE("unknown_hand")
        state["hands"] = left

    @action("facilitator")
    def set_list_open(self, state: dict, payload: dict, actor: Actor, ctx: MethodContext) -> None:
        """Close the speakers list (hands already up stay) or open it again."""
        agenda.require_current(state)["list_open"] = flag(payload, "open")

    @action("facilitator")
    def set_fairness(self, state: dict, payload: dict, actor: Actor, ctx: MethodContext) -> None:
        """Switch the item's option "who has not spoken on it yet goes first"."""
        agenda.open_item(state, payload.get("item"))["fair"] = flag(payload, "fair")

    @action("facilitator")
    def save_notes(self, state: dict, payload: dict, actor: Actor, ctx: MethodContext) -> None:
        """Replace the notes of an item (not of a closed one)."""
        it = agenda.open_item(state, payload.get("item"))
        it["notes"] = clean_text(payload.get("notes"), _("Notes"), MAX_NOTES)

    @action("facilitator")
    def add_decision(self, state: dict, payload: dict, actor: Actor, ctx: MethodContext) -> None:
        """Record a decision on the current item."""
        it = agenda.require_current(state)
        it["decisions"].append(clean_text(payload.get("text"), _("Decision"), MAX_TEXT, required=True))

    @action("facilitator")
    def carry_over(self, state: dict, payload: dict, actor: Actor, ctx: MethodContext) -> None:
        """Mark an item to be carried over to the next meeting (or not)."""
        agenda.item(state, payload.get("item"))["carry_over"] = flag(payload, "on", True)

    @action("facilitator")
    def set_next_meeting(self, state: dict, payload: dict, actor: Actor, ctx: MethodContext) -> None:
        """Set the next meeting's date and place."""
        state["next_meeting"] = {"date": clean_date(payload.get("date"), _("Date of the next meeting")),
                                 "place": clean_text(payload.get("place"), _("Place"), MAX_PLACE)}

    @action("facilitator")
    def set_stats_per_person(self, state: dict, payload: dict, actor: Actor, ctx: MethodContext) -> None:
        """Put per-person speaking statistics into the minutes (personal data: a choice)."""
        on = flag(payload, "on")
        if on and ctx.privacy == "chatham":
            raise RULE("chatham")
        state["stats_per_person"] = on
