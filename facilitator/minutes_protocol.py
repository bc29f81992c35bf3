"""The protocol details of a workshop, the facilitator's corrections and finalised versions.

Pure Python (no Flask). Stored on the workshop record (so they go when the
workshop goes):

* ``workshop["protocol"]``: the header an office files (start and end time,
  who moderated, who took the minutes, apologies, distribution list, next
  meeting), the summary, whether per-person speaking time appears, and the
  facilitator's corrected text of a session's section (``corrections``);
* ``workshop["minutes_versions"]``: each finalised version, a frozen copy of
  the raw minutes data (:mod:`facilitator.minutes_data`), numbered from 1.
  An edit after finalising makes the draft of the next version; older
  versions stay as they were and can be downloaded.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from facilitator.errors import ActionError
from facilitator.i18n import _
from facilitator.validation import MAX_NAME, MAX_TITLE, clean_date, clean_text

#: Longest summary, corrected section and list (apologies, distribution), in characters.
MAX_SUMMARY = 10_000
MAX_SECTION = 50_000
MAX_LIST = 3_000
_TIME = re.compile(r"([01][0-9]|2[0-3]):[0-5][0-9]")

#: The header fields of the protocol and their defaults.
PROTOCOL_DEFAULTS: dict[str, Any] = {
    "start_time": "", "end_time": "", "moderator": "", "minute_taker": "", "apologies": "",
    "distribution": "", "next_date": "", "next_place": "", "summary": "", "speaking_time": False,
}


def _clean_time(value: Any, field: str) -> str:
    value = clean_text(value, field, 5)
    if value and not _TIME.fullmatch(value):
        raise ActionError("invalid_time", _("“%(field)s” must be a time like 09:30.", field=field))
    return value


def clean_protocol(data: Mapping) -> dict[str, Any]:
    """Validate the protocol header and summary (a form or JSON payload)."""
    return {
        "start_time": _clean_time(data.get("start_time"), _("Starting time")),
        "end_time": _clean_time(data.get("end_time"), _("Ending time")),
        "moderator": clean_text(data.get("moderator"), _("Facilitator"), MAX_TITLE),
        "minute_taker": clean_text(data.get("minute_taker"), _("Minutes taken by"), MAX_NAME),
        "apologies": clean_text(data.get("apologies"), _("Apologies"), MAX_LIST),
        "distribution": clean_text(data.get("distribution"), _("Distribution list"), MAX_LIST),
        "next_date": clean_date(data.get("next_date"), _("Next meeting")),
        "next_place": clean_text(data.get("next_place"), _("Place of the next meeting"), MAX_TITLE),
        "summary": clean_text(data.get("summary"), _("Summary"), MAX_SUMMARY),
        "speaking_time": data.get("speaking_time") in (True, "1", "on", "true", "yes"),
    }


def protocol_of(workshop: dict) -> dict[str, Any]:
    """The workshop's protocol details, defaults filled in."""
    stored = workshop.get("protocol") or {}
    return {**PROTOCOL_DEFAULTS, **{k: v for k, v in stored.items() if k in PROTOCOL_DEFAULTS},
            "corrections": dict(stored.get("corrections") or {})}


def lines_of(text: str) -> list[str]:
    """The non-empty lines of a list field (apologies, distribution)."""
    return [line.strip() for line in str(text or "").splitlines() if line.strip()]


def versions_of(workshop: dict) -> list[dict]:
    """The finalised versions, oldest first."""
    return list(workshop.get("minutes_versions") or [])


def version(workshop: dict, number: int) -> dict:
    """One finalised version, or the error ``unknown_version``."""
    for found in versions_of(workshop):
        if found["version"] == number:
            return found
    raise ActionError("unknown_version", _("There is no such version of the minutes."))


class Protocol:
    """Edit the protocol, correct sections, finalise versions (a part of the core).

    :param workshops: the core's :class:`facilitator.workshops.Workshops` (its
        store, lock, clock and change events are used).
    """

    def __init__(self, workshops) -> None:
        self.workshops = workshops

    def _write(self, workshop_id: str, change) -> dict:
        with self.workshops.lock:
            workshop = self.workshops.get(workshop_id)
            change(workshop)
            workshop["minutes_edits"] = int(workshop.get("minutes_edits") or 0) + 1
            self.workshops.store.put("workshops", workshop_id, workshop)
        self.workshops.events.changed(workshop_id)
        return workshop

    def save(self, workshop_id: str, data: Mapping) -> dict:
        """Store the protocol header and summary (every field of :func:`clean_protocol`)."""
        fields = clean_protocol(data)

        def change(workshop: dict) -> None:
            workshop["protocol"] = {**(workshop.get("protocol") or {}), **fields}
        return self._write(workshop_id, change)

    def correct(self, workshop_id: str, session_id: Any, text: Any) -> dict:
        """Store the facilitator's corrected text of a session's section (empty: generated again)."""
        self.workshops.session(workshop_id, session_id)
        text = clean_text(text, _("Text of the section"), MAX_SECTION)

        def change(workshop: dict) -> None:
            protocol = dict(workshop.get("protocol") or {})
            corrections = dict(protocol.get("corrections") or {})
            if text:
                corrections[session_id] = text
            else:
                corrections.pop(session_id, None)
            protocol["corrections"] = corrections
            workshop["protocol"] = protocol
        return self._write(workshop_id, change)

    def finalise(self, workshop_id: str, data: dict) -> dict:
        """Store ``data`` (the raw minutes of now) as the next finalised version; returns it."""
        with self.workshops.lock:
            workshop = self.workshops.get(workshop_id)
            versions = versions_of(workshop)
            entry = {"version": len(versions) + 1, "finalised_at": self.workshops.clock(),
                     "edits": int(workshop.get("minutes_edits") or 0),
                     "data": {**data, "version": len(versions) + 1}}
            workshop["minutes_versions"] = [*versions, entry]
            self.workshops.store.put("workshops", workshop_id, workshop)
        self.workshops.events.changed(workshop_id)
        return entry


def is_draft_changed(workshop: dict) -> bool:
    """Whether the minutes changed since the last finalised version (or none exists)."""
    versions = versions_of(workshop)
    return not versions or int(workshop.get("minutes_edits") or 0) > versions[-1].get("edits", 0)
