"""Readable, translated sentences for the round table's refusal codes, and names of kinds."""

from __future__ import annotations

from facilitator import _


def kind_label(kind: str) -> str:
    """The name of a kind of hand."""
    return {
        "order": _("Point of order"),
        "clarify": _("Clarifying question"),
        "reply": _("Direct reply"),
        "new": _("New contribution"),
        "round": _("Turn in the round"),
        "floor": _("Given the floor"),
    }.get(kind, kind)


def answer_label(answer: str) -> str:
    """The name of a consent answer."""
    return {"agree": _("Agree"), "live_with": _("Can live with it"), "object": _("Object")}.get(answer, answer)


def outcome_label(outcome: str) -> str:
    """The name of a review outcome."""
    return {"done": _("done"), "in_progress": _("in progress"), "dropped": _("dropped"),
            "postponed": _("postponed"), "open": _("open")}.get(outcome, outcome)


def format_label(fmt: str) -> str:
    """The name of an item's format."""
    return {"list": _("Open speakers list"), "round": _("Round: every person present"),
            "round_org": _("Round: every institution present")}.get(fmt, fmt)


def refusal(code: str) -> str:
    """The sentence for a refusal code of the speakers list, consent or review."""
    messages = {
        "invalid_kind": _("Please choose how you want to speak: point of order, clarifying question, reply or new contribution."),
        "already_raised": _("Your hand is already up for this kind of contribution."),
        "no_hand": _("You have no hand up for this."),
        "no_item": _("No agenda item is being discussed right now."),
        "list_closed": _("The speakers list of this item is closed; only a point of order is possible."),
        "round_item": _("This item is a round: everyone gets one turn in order. Only a point of order is possible."),
        "nobody_to_reply": _("Nobody is speaking right now, so there is nothing to reply to."),
        "own_reply": _("You cannot reply to yourself."),
        "speaking_now": _("You have the floor right now."),
        "not_speaking": _("You do not have the floor."),
        "nobody_waiting": _("Nobody is waiting to speak."),
        "nobody_speaking": _("Nobody has the floor."),
        "unknown_person": _("There is no such person in this workshop."),
        "person_removed": _("This person has left or been removed from the workshop."),
        "unknown_item": _("There is no such agenda item."),
        "item_closed": _("This agenda item is closed. Go back to it to change it."),
        "already_current": _("This item is being discussed already."),
        "unknown_hand": _("There is no such hand in the speakers list."),
        "check_open": _("A consent check is already open; close it first."),
        "check_closed": _("This consent check is not open."),
        "no_check": _("There is no such consent check."),
        "invalid_answer": _("Please answer agree, can live with it, or object."),
        "reason_required": _("Please give a reason for your objection."),
        "reason_too_long": _("The reason is too long (at most 300 characters)."),
        "unknown_proposal": _("There is no such proposal."),
        "too_many_proposals": _("You have proposed as many agreements as one person may."),
        "unknown_entry": _("There is no such agreement in the review."),
        "invalid_outcome": _("Please choose done, in progress, dropped or postponed."),
        "due_required": _("A postponed agreement needs a new due date."),
        "unknown_workshop": _("There is no such earlier workshop with open agreements."),
        "reviewed_already": _("Agreements of this workshop have been reviewed already; they stay in the review."),
        "chatham": _("Under the Chatham House rule nothing is attributed to a person, also no statistics."),
        "already_answered": _("This has been recorded already."),
    }
    return messages.get(code, _("This is not possible right now."))
