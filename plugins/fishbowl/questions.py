"""Questions and comments from the outer circle: post, upvote, moderate, show.

Pure functions over the fishbowl state's ``questions`` list and
``shown_question`` id; refusals raise :class:`.rules.RuleError`.

A question is ``{"id", "text", "author", "at", "upvoters", "hidden",
"answered"}``; ``author`` is a participant id, or ``None`` when the
facilitator typed it in (e.g. from a paper card). Upvoting toggles: a second
upvote by the same person takes the first back, so every person counts once.
"""

from __future__ import annotations

from facilitator_plugins.fishbowl.rules import RuleError

#: Longest question, in characters.
MAX_QUESTION = 280
#: Most questions one participant may post in a session (guards against floods).
MAX_PER_PERSON = 20


def post(state: dict, author: str | None, text: str, now: float) -> str:
    """Add a question (already cleaned text); returns its id (``q1``, ``q2``, ...).

    :raises RuleError: ``too_many_questions``.
    """
    if author is not None:
        mine = sum(1 for q in state["questions"] if q["author"] == author)
        if mine >= MAX_PER_PERSON:
            raise RuleError("too_many_questions")
    question_id = f"q{len(state['questions']) + 1}"
    state["questions"].append(
        {
            "id": question_id,
            "text": text,
            "author": author,
            "at": now,
            "upvoters": [],
            "hidden": False,
            "answered": False,
        }
    )
    return question_id


def find(state: dict, question_id: object, include_hidden: bool = True) -> dict:
    """The question with ``question_id``.

    :raises RuleError: ``unknown_question`` (also for hidden ones unless
        ``include_hidden``).
    """
    for question in state["questions"]:
        if question["id"] == question_id and (include_hidden or not question["hidden"]):
            return question
    raise RuleError("unknown_question")


def toggle_upvote(state: dict, question_id: object, voter: str) -> bool:
    """Upvote a visible question, or take one's upvote back; returns whether it now counts.

    :raises RuleError: ``unknown_question`` or ``own_question``.
    """
    question = find(state, question_id, include_hidden=False)
    if question["author"] == voter:
        raise RuleError("own_question")
    if voter in question["upvoters"]:
        question["upvoters"].remove(voter)
        return False
    question["upvoters"].append(voter)
    return True


def set_hidden(state: dict, question_id: object, hidden: bool = True) -> None:
    """Hide a question from phones, projector and minutes (or show it again)."""
    question = find(state, question_id)
    question["hidden"] = hidden
    if hidden and state["shown_question"] == question["id"]:
        state["shown_question"] = None


def set_answered(state: dict, question_id: object, answered: bool = True) -> None:
    """Mark a question answered (or not)."""
    find(state, question_id)["answered"] = answered


def show(state: dict, question_id: object) -> None:
    """Put one question on the projector (replacing any other).

    :raises RuleError: ``unknown_question`` or ``question_hidden``.
    """
    question = find(state, question_id)
    if question["hidden"]:
        raise RuleError("question_hidden")
    state["shown_question"] = question["id"]


def unshow(state: dict) -> None:
    """Take the question off the projector (nothing happens if none is shown)."""
    state["shown_question"] = None


def ranked(state: dict, include_hidden: bool = False) -> list[dict]:
    """Questions with most upvotes first; on a tie the earlier first."""
    questions = [q for q in state["questions"] if include_hidden or not q["hidden"]]
    return sorted(questions, key=lambda q: (-len(q["upvoters"]), q["at"]))
