"""Consent checks on a proposed agreement: answers, and their tally.

Pure Python (no Flask). Each person answers *agree*, *can live with it* or
*object*; an objection needs a reason. While the check is open, a person may
change their answer: the last one counts, never two. Counted per person, or
per institution ("one institution, one voice": the last answer given by
anyone of an institution is its voice; someone without an organisation is
an institution of their own).
"""

from __future__ import annotations

from facilitator_plugins.roundtable.speakers import institution_key

#: The answers, most agreeing first.
ANSWERS = ("agree", "live_with", "object")
MAX_REASON = 300


class ConsentError(ValueError):
    """A refused answer; ``code`` names it (see :mod:`.messages`)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def new_check(check_id: str, text: str, item: str | None, at: float, proposal: str | None = None) -> dict:
    """An open consent check on ``text``."""
    return {"id": check_id, "text": text, "item": item, "proposal": proposal, "open": True,
            "opened_at": at, "closed_at": None, "answers": {}, "changes": 0,
            "agreement": None, "result": None}


def answer(check: dict, person: str, organisation: str, value: object, reason: object, at: float) -> bool:
    """Record ``person``'s answer (replacing an earlier one); True if it changed one.

    :raises ConsentError: the check is closed (``check_closed``), the answer is
        unknown (``invalid_answer``), an objection has no reason (``reason_required``)
        or the reason is too long (``reason_too_long``).
    """
    if not check["open"]:
        raise ConsentError("check_closed")
    if value not in ANSWERS:
        raise ConsentError("invalid_answer")
    reason = " ".join(reason.split()) if isinstance(reason, str) else ""
    if value == "object" and not reason:
        raise ConsentError("reason_required")
    if len(reason) > MAX_REASON:
        raise ConsentError("reason_too_long")
    previous = check["answers"].get(person)
    changed = previous is not None and previous["answer"] != value
    check["answers"][person] = {"answer": value, "reason": reason if value == "object" else "",
                                "at": at, "voice": institution_key(person, organisation),
                                "changed": bool(previous and (changed or previous.get("changed")))}
    if changed:
        check["changes"] += 1
    return changed


def voices(check: dict, by: str) -> dict[str, dict]:
    """The counted answers: per person, or per institution (its latest answer)."""
    if by != "institution":
        return {person: {**entry, "person": person} for person, entry in check["answers"].items()}
    counted: dict[str, dict] = {}
    for person, entry in sorted(check["answers"].items(), key=lambda item: item[1]["at"]):
        counted[entry["voice"]] = {**entry, "person": person}
    return counted


def tally(check: dict, by: str) -> dict:
    """Counts per answer, the objections (person and reason) and the result.

    ``result`` is ``"consent"`` (answers and no objection), ``"objections"``
    or ``"no_answers"``.
    """
    counted = voices(check, by)
    counts = {key: 0 for key in ANSWERS}
    for entry in counted.values():
        counts[entry["answer"]] += 1
    objections = [{"person": e["person"], "reason": e["reason"], "voice": voice}
                  for voice, e in counted.items() if e["answer"] == "object"]
    if not counted:
        result = "no_answers"
    elif objections:
        result = "objections"
    else:
        result = "consent"
    return {"counts": counts, "objections": objections, "voices": len(counted),
            "people": len(check["answers"]), "by": by, "result": result, "changes": check["changes"]}


def close(check: dict, by: str, at: float) -> dict:
    """Close the check and keep its final tally."""
    if not check["open"]:
        raise ConsentError("check_closed")
    check["open"] = False
    check["closed_at"] = at
    check["result"] = tally(check, by)
    return check["result"]
