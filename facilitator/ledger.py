"""The agreements ledger: who does what by when, its status, across workshops. Pure Python (no Flask).

Every agreement has a status (:data:`STATUSES`) with a note and the date of the
last change, and keeps the history of its changes, so that the next meeting
(e.g. a round table reviewing last time's agreements) sees what became of it.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Mapping
from typing import Any

from facilitator.errors import ActionError
from facilitator.events import ChangeEvents
from facilitator.i18n import _, lazy_gettext
from facilitator.ids import new_id
from facilitator.storage import Store
from facilitator.validation import (
    MAX_NAME,
    MAX_ORGANISATION,
    MAX_TEXT,
    clean_choice,
    clean_date,
    clean_text,
)
from facilitator.workshops import Workshops

STATUSES: dict[str, Any] = {
    "open": lazy_gettext("open"),
    "in_progress": lazy_gettext("in progress"),
    "done": lazy_gettext("done"),
    "dropped": lazy_gettext("dropped"),
}
#: Statuses of agreements that still need following up.
OPEN_STATUSES = ("open", "in_progress")
#: The fields a facilitator (or a method) sets; the rest is bookkeeping.
AGREEMENT_FIELDS = ("what", "who_person", "who_org", "follow_up", "due", "review")


def clean_agreement(data: Mapping) -> dict:
    """Validate the editable fields of an agreement."""
    agreement = {
        "what": clean_text(data.get("what"), _("What"), MAX_TEXT, required=True),
        "who_person": clean_text(data.get("who_person"), _("Who (person)"), MAX_NAME),
        "who_org": clean_text(data.get("who_org"), _("Organisation"), MAX_ORGANISATION),
        "follow_up": clean_text(data.get("follow_up"), _("Who follows up"), MAX_NAME),
        "due": clean_date(data.get("due"), _("By when")),
        "review": clean_date(data.get("review"), _("Review on")),
    }
    if not agreement["who_person"] and not agreement["who_org"]:
        raise ActionError(
            "responsible_required",
            _("Please name who takes care of it: a person, an organisation or both."),
        )
    return agreement


def status_change(agreement: dict, status: Any, note: Any, due: Any, now: float) -> dict:
    """``agreement`` with a checked new status, note and (optionally) due date, dated ``now``."""
    status = clean_choice(status, _("Status"), STATUSES)
    note = clean_text(note, _("Note"), MAX_TEXT)
    changed = dict(agreement)
    if due is not None:
        changed["due"] = clean_date(due, _("By when"))
    changed.update(status=status, status_note=note, status_at=now, updated_at=now)
    changed["history"] = [*agreement.get("history", []),
                          {"status": status, "note": note, "due": changed["due"], "at": now}]
    return changed


def is_overdue(agreement: dict, today: dt.date) -> bool:
    """Open with a due date before ``today``."""
    return bool(agreement.get("due")) and agreement.get("status", "open") in OPEN_STATUSES \
        and agreement["due"] < today.isoformat()


class Ledger:
    """Record, edit, list agreements and change their status.

    :param store: where records live.
    :param clock: epoch seconds.
    :param events: told after every change.
    :param lock: the core's lock.
    :param workshops: to check workshops and sessions.
    """

    def __init__(self, store: Store, clock: Callable[[], float], events: ChangeEvents,
                 lock: threading.RLock, workshops: Workshops) -> None:
        self.store = store
        self.clock = clock
        self.events = events
        self.lock = lock
        self.workshops = workshops

    def new(self, workshop_id: str, session_id: str | None, data: Mapping, source: str) -> dict:
        """Build (not store) a validated agreement record with the status ``open``."""
        now = self.clock()
        return {
            "id": new_id("a"), "workshop_id": workshop_id, "session_id": session_id,
            **clean_agreement(data), "status": "open", "status_note": "", "status_at": now,
            "history": [], "source": source, "created_at": now, "updated_at": now,
        }

    def save(self, workshop_id: str, data: Mapping) -> dict:
        """Create an agreement (no ``id``) or edit an existing one (with ``id``)."""
        for key in ("id", "session_id"):  # absent, null or "" means none; anything else is an id
            if data.get(key) not in (None, "") and not isinstance(data.get(key), str):
                raise ActionError("invalid", _("“%(field)s” must be text.", field=key))
        with self.lock:
            self.workshops.get(workshop_id)
            agreement_id = data.get("id")
            if agreement_id:
                agreement = self.get(workshop_id, agreement_id)
                agreement.update(clean_agreement(data))
                agreement["updated_at"] = self.clock()
            else:
                session_id = data.get("session_id") or None
                if session_id is not None:
                    self.workshops.session(workshop_id, session_id)
                agreement = self.new(workshop_id, session_id, data, "facilitator")
            self.store.put("agreements", agreement["id"], agreement)
        self.events.changed(workshop_id)
        return agreement

    def set_status(self, agreement_id: str, status: Any, note: Any = "", due: Any = None) -> dict:
        """Change the status of any agreement on this server (the archive, a review)."""
        with self.lock:
            agreement = self.find(agreement_id)
            changed = status_change(agreement, status, note, due, self.clock())
            self.store.put("agreements", agreement_id, changed)
        self.events.changed(changed["workshop_id"])
        return changed

    def find(self, agreement_id: str) -> dict:
        """Any agreement on this server, or the error ``unknown_agreement``."""
        doc = self.store.get("agreements", agreement_id) if isinstance(agreement_id, str) else None
        if doc is None:
            raise ActionError("unknown_agreement", _("There is no such agreement."))
        return doc

    def get(self, workshop_id: str, agreement_id: str) -> dict:
        """One agreement of this workshop, or the error ``unknown_agreement``."""
        doc = self.find(agreement_id)
        if doc["workshop_id"] != workshop_id:
            raise ActionError("unknown_agreement", _("There is no such agreement."))
        return doc

    def delete(self, workshop_id: str, agreement_id: str) -> None:
        """Delete an agreement."""
        with self.lock:
            self.get(workshop_id, agreement_id)
            self.store.delete("agreements", agreement_id)
        self.events.changed(workshop_id)

    def of_workshop(self, workshop_id: str, session_id: str | None = None) -> list[dict]:
        """Agreements of a workshop (or of one session), oldest first."""
        found = [a for a in self.store.all("agreements")
                 if a["workshop_id"] == workshop_id and (session_id is None or a["session_id"] == session_id)]
        return sorted(found, key=lambda a: a["created_at"])

    def elsewhere(self, workshop_id: str, workshop_ids: list[str] | None = None,
                  statuses: tuple[str, ...] = OPEN_STATUSES) -> list[dict]:
        """Agreements of workshops other than ``workshop_id`` (or of ``workshop_ids``)
        with one of ``statuses``, oldest first, with ``workshop_title``/``workshop_date``."""
        workshops = {w["id"]: w for w in self.store.all("workshops")}
        wanted = set(workshop_ids) if workshop_ids is not None else set(workshops)
        wanted.discard(workshop_id)
        found = []
        for agreement in self.store.all("agreements"):
            workshop = workshops.get(agreement["workshop_id"])
            if workshop and workshop["id"] in wanted and agreement.get("status", "open") in statuses:
                found.append({**agreement, "workshop_title": workshop["title"],
                              "workshop_date": workshop.get("date", "")})
        return sorted(found, key=lambda a: a["created_at"])
