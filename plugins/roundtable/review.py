"""The review of earlier agreements: which ones, their old and new status.

Pure Python (no Flask). Entries come from this server's ledger (agreements
of earlier workshops, through ``ctx.earlier_agreements``) or from an
uploaded minutes file exported by Facilitator (read by the core's
``read_minutes_agreements``). The facilitator records per entry *done*,
*in progress*, *dropped* or *postponed* (which stays open with a new due
date), with a note.

Which earlier workshops: the session form is the same for every workshop
and has no access to this server's data, so its field only says *which
kind* of pick (none, the latest, all, or chosen); the round table lists the
earlier workshops with open agreements when it starts, and the facilitator
adds or removes them on the dashboard.
"""

from __future__ import annotations

import facilitator

#: What the facilitator may record, and the ledger status each one becomes.
OUTCOMES = {"done": "done", "in_progress": "in_progress", "dropped": "dropped", "postponed": "open"}
FIELDS = ("what", "who_person", "who_org", "follow_up", "due", "review")


class ReviewError(ValueError):
    """A refusal in the review; ``code`` names it (see :mod:`.messages`)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def parse_minutes_file(text: str) -> dict:
    """The agreements of an uploaded minutes file (``{title, date, language, agreements}``).

    The file field gives the text only: JSON is recognised by its first
    character, anything else is read as Markdown.

    :raises ValueError: a sentence naming the line (the core's ``MinutesFileError``).
    """
    reader = getattr(facilitator, "read_minutes_agreements", None)
    if reader is None:
        raise ValueError(facilitator._("This version of Facilitator cannot read minutes files yet."))
    filename = "minutes.json" if text.lstrip().startswith(("{", "[")) else "minutes.md"
    return reader(text, filename)


def from_ledger(agreement: dict) -> dict:
    """A review entry for an agreement of this server's ledger."""
    return {
        "id": f"l:{agreement['id']}", "source": "server", "ledger_id": agreement["id"],
        "workshop_id": agreement["workshop_id"], "origin": agreement.get("workshop_title", ""),
        "origin_date": agreement.get("workshop_date", ""),
        **{key: agreement.get(key, "") for key in FIELDS},
        "old_status": agreement.get("status", "open"), "old_note": agreement.get("status_note", ""),
        "outcome": None, "note": "", "new_due": "",
    }


def from_file(number: int, agreement: dict, minutes: dict) -> dict:
    """A review entry for agreement ``number`` of an uploaded minutes file."""
    return {
        "id": f"f:{number}", "source": "file", "ledger_id": None, "workshop_id": None,
        "origin": minutes.get("title", ""), "origin_date": minutes.get("date", ""),
        **{key: str(agreement.get(key) or "") for key in FIELDS},
        "old_status": agreement.get("status") or "open", "old_note": agreement.get("status_note", ""),
        "outcome": None, "note": "", "new_due": "",
    }


def file_entries(minutes: dict) -> list[dict]:
    """Entries for the file's agreements that are still open or in progress."""
    return [from_file(number, agreement, minutes)
            for number, agreement in enumerate(minutes.get("agreements", []), start=1)
            if (agreement.get("status") or "open") in facilitator.OPEN_STATUSES]


def workshops_of(agreements: list[dict]) -> list[dict]:
    """The earlier workshops among ``agreements``: ``{id, title, date, count}``, latest first."""
    found: dict[str, dict] = {}
    for agreement in agreements:
        row = found.setdefault(agreement["workshop_id"], {
            "id": agreement["workshop_id"], "title": agreement.get("workshop_title", ""),
            "date": agreement.get("workshop_date", ""), "count": 0, "latest": 0.0})
        row["count"] += 1
        row["latest"] = max(row["latest"], agreement.get("created_at", 0.0))
    return sorted(found.values(), key=lambda w: (w["date"], w["latest"]), reverse=True)


def record_outcome(entry: dict, outcome: object, note: str, new_due: str) -> str:
    """Write the facilitator's outcome into ``entry``; returns the ledger status.

    :raises ReviewError: unknown outcome, or a postponement without a new due date.
    """
    if not isinstance(outcome, str) or outcome not in OUTCOMES:  # a list or object is no key
        raise ReviewError("invalid_outcome")
    if outcome == "postponed" and not new_due:
        raise ReviewError("due_required")
    entry.update(outcome=outcome, note=note, new_due=new_due if outcome == "postponed" else "")
    return OUTCOMES[str(outcome)]
