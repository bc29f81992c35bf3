"""Readable, translated sentences for the fishbowl's refusal codes."""

from __future__ import annotations

from facilitator import _


def refusal(code: str, own: bool = False) -> str:
    """The sentence for a :class:`.rules.RuleError` code.

    :param own: the sender is a participant talking about themself ("you"),
        rather than the facilitator acting on someone else.
    """
    if code == "already_seated":
        return _("You are already in the circle.") if own else _(
            "This person is already in the circle."
        )
    if code == "not_seated":
        return _("You are not in the circle.") if own else _("This person is not in the circle.")
    messages = {
        "session_ended": _("The fishbowl has ended; nothing can change any more."),
        "already_started": _("The fishbowl has already started."),
        "not_running": _("The fishbowl is not running right now."),
        "not_paused": _("The fishbowl is not paused."),
        "not_started": _("Please start the fishbowl first."),
        "closed_fishbowl": _(
            "This is a closed fishbowl: the facilitator decides who sits in the circle."
        ),
        "already_queued": _("You are already in the queue."),
        "not_queued": _("You are not in the queue."),
        "chair_full": _("All chairs are taken: someone has to leave the circle first."),
        "queue_empty": _("Nobody is waiting for a chair."),
        "unknown_person": _("There is no such person in this workshop."),
        "person_removed": _("This person has been removed from the workshop."),
        "too_many_guests": _("This fishbowl already has as many guests as it can hold."),
        "no_suggestion": _("Nobody needs to make room right now."),
        "suggestion_changed": _(
            "The circle has changed in the meantime; please look at the suggestion again."
        ),
        "questions_disabled": _("Questions are switched off in this fishbowl."),
        "too_many_questions": _("You have posted as many questions as one person may."),
        "unknown_question": _("There is no such question."),
        "own_question": _("You cannot upvote your own question."),
        "question_hidden": _("A hidden question cannot be shown."),
    }
    return messages.get(code, _("This is not possible right now."))
