"""Workshops and their agenda of sessions: create, edit, order, delete. Pure Python (no Flask).

Running the agenda (activating and closing sessions) involves the methods and
lives in :class:`facilitator.engine.Engine`.

Deleting a workshop erases it: every record that belongs to it goes in one
batch, the parts that keep something of it in memory are told
(:meth:`Workshops.on_delete`; :class:`~facilitator.people.People` forgets the
tokens), and the store rewrites its files (:meth:`~facilitator.storage.Store.compact`)
so that no byte of it stays in the data folder.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from typing import Any

from facilitator.errors import ActionError
from facilitator.events import ChangeEvents
from facilitator.fields import parse_config
from facilitator.i18n import UI_LANGUAGES, _
from facilitator.ids import new_id, new_join_code, new_secret
from facilitator.registry import MethodRegistry
from facilitator.storage import StorageError, Store
from facilitator.validation import MAX_ORGANISATION, MAX_TITLE, clean_choice, clean_date, clean_text
from facilitator.vocabulary import PRIVACY_MODES

log = logging.getLogger(__name__)
SESSION_STATUSES = ("pending", "active", "closed")
#: Tables whose records carry a ``workshop_id`` and go when their workshop goes.
WORKSHOP_TABLES = ("sessions", "participants", "agreements", "receipts", "timers", "jobs")
#: Tables whose records carry a ``session_id`` and go when their session goes.
#: (Receipts written before they carried one are found by their key, ``<session_id>:…``.)
SESSION_TABLES = ("agreements", "receipts", "timers", "jobs")

Batch = list[tuple[str, str, "dict | None"]]
#: Told ``(workshop_id, deleted)`` after a workshop was deleted; ``deleted`` maps
#: each table to the keys of the records that went.
DeleteListener = Callable[[str, "dict[str, set[str]]"], None]


def belongs_to_session(table: str, doc: dict, session_id: str) -> bool:
    """Whether ``doc`` of ``table`` is a record of the session ``session_id``."""
    if doc.get("session_id") == session_id:
        return True
    return table == "receipts" and "session_id" not in doc and str(doc.get("id", "")).startswith(f"{session_id}:")


def clean_workshop(data: Mapping) -> dict[str, Any]:
    """Validate the editable fields of a workshop."""
    return {
        "title": clean_text(data.get("title"), _("Title"), MAX_TITLE, required=True),
        "date": clean_date(data.get("date"), _("Date")),
        "place": clean_text(data.get("place"), _("Place"), MAX_TITLE),
        "organiser": clean_text(data.get("organiser"), _("Organiser"), MAX_ORGANISATION),
        "language": clean_choice(data.get("language") or "de", _("Language"), UI_LANGUAGES),
        "privacy": clean_choice(data.get("privacy") or "named", _("Privacy mode"), PRIVACY_MODES),
    }


class Workshops:
    """Workshops and the sessions on their agenda.

    :param store: where records live.
    :param clock: epoch seconds.
    :param events: told after every change.
    :param lock: the core's lock, held around every read-modify-write.
    :param methods: the installed methods.
    """

    def __init__(self, store: Store, clock: Callable[[], float], events: ChangeEvents,
                 lock: threading.RLock, methods: MethodRegistry) -> None:
        self.store = store
        self.clock = clock
        self.events = events
        self.lock = lock
        self.methods = methods
        self._delete_listeners: list[DeleteListener] = []

    def on_delete(self, listener: DeleteListener) -> None:
        """Call ``listener(workshop_id, deleted)`` after a workshop was deleted (lock held)."""
        self._delete_listeners.append(listener)

    # -- workshops --------------------------------------------------------
    def create(self, data: Mapping) -> dict:
        """Create a workshop from form data; returns the stored record."""
        fields = clean_workshop(data)
        with self.lock:
            codes = {w["join_code"] for w in self.store.all("workshops")}
            code = new_join_code()
            while code in codes:
                code = new_join_code()
            workshop = {
                "id": new_id("w"), **fields, "join_code": code, "projector_key": new_secret(),
                "session_ids": [], "active_session_id": None, "created_at": self.clock(),
            }
            self.store.put("workshops", workshop["id"], workshop)
        self.events.changed(workshop["id"])
        return workshop

    def update(self, workshop_id: str, data: Mapping) -> dict:
        """Change title, date, place, organiser, language or privacy mode."""
        fields = clean_workshop(data)
        with self.lock:
            workshop = self.get(workshop_id)
            joined = any(p["workshop_id"] == workshop_id for p in self.store.all("participants"))
            if fields["privacy"] != workshop["privacy"] and joined:
                raise ActionError("privacy_locked", _("The privacy mode cannot change once people have joined."))
            workshop.update(fields)
            self.store.put("workshops", workshop_id, workshop)
        self.events.changed(workshop_id)
        return workshop

    def get(self, workshop_id: str) -> dict:
        """The workshop record, or the error ``unknown_workshop``."""
        workshop = self.store.get("workshops", workshop_id) if isinstance(workshop_id, str) else None
        if workshop is None:
            raise ActionError("unknown_workshop", _("There is no such workshop."))
        return workshop

    def exists(self, workshop_id: str) -> bool:
        """Whether ``workshop_id`` is a workshop (False once it is deleted)."""
        return isinstance(workshop_id, str) and self.store.get("workshops", workshop_id) is not None

    def all(self) -> list[dict]:
        """All workshops, newest first."""
        return sorted(self.store.all("workshops"), key=lambda w: w["created_at"], reverse=True)

    def by_code(self, code: str) -> dict:
        """The workshop with this join code (case and spaces ignored)."""
        wanted = "".join(str(code or "").split()).upper()
        for workshop in self.store.all("workshops"):
            if workshop["join_code"] == wanted:
                return workshop
        raise ActionError("unknown_workshop", _("No workshop has this code. Please check it."))

    def delete(self, workshop_id: str) -> None:
        """Delete a workshop and every record that belongs to it (GDPR erasure).

        When it returns, the store's files hold nothing of the workshop any more
        (see :meth:`~facilitator.storage.Store.compact`); should rewriting them
        fail, the error is logged and the next checkpoint completes the erasure.
        """
        with self.lock:
            workshop = self.get(workshop_id)
            sessions = set(workshop["session_ids"])
            batch: Batch = [("workshops", workshop_id, None)]
            for table in WORKSHOP_TABLES:
                batch += [(table, doc["id"], None) for doc in self.store.all(table)
                          if doc.get("workshop_id") == workshop_id
                          or any(belongs_to_session(table, doc, sid) for sid in sessions)]
            self.store.put_many(batch)
            deleted: dict[str, set[str]] = {}
            for table, key, _doc in batch:
                deleted.setdefault(table, set()).add(key)
            for listener in self._delete_listeners:
                listener(workshop_id, deleted)
        try:
            self.store.compact()
        except (OSError, StorageError):
            log.exception("Workshop %s is deleted, but the data folder could not be rewritten yet; "
                          "the next checkpoint removes its records from the files", workshop_id)
        self.events.changed(workshop_id)

    # -- sessions -----------------------------------------------------------
    def session(self, workshop_id: str, session_id: str) -> dict:
        """A session of this workshop, or the error ``unknown_session``."""
        doc = self.store.get("sessions", session_id) if isinstance(session_id, str) else None
        if doc is None or doc["workshop_id"] != workshop_id:
            raise ActionError("unknown_session", _("There is no such session in this workshop."))
        return doc

    def sessions(self, workshop_id: str) -> list[dict]:
        """The workshop's sessions in agenda order."""
        workshop = self.get(workshop_id)
        return [self.store.get("sessions", sid) for sid in workshop["session_ids"]]

    def active_session(self, workshop: dict) -> dict | None:
        """The session the room is in, or ``None`` (lobby)."""
        sid = workshop.get("active_session_id")
        return self.store.get("sessions", sid) if sid else None

    def add_session(self, workshop_id: str, slug: str, data: Mapping) -> dict:
        """Add a session of method ``slug``, configured from form data.

        :raises ConfigError: when the form is invalid (nothing is stored).
        """
        method = self.methods.method(slug)
        title, config = parse_config(method, data)
        with self.lock:
            workshop = self.get(workshop_id)
            session = {
                "id": new_id("s"), "workshop_id": workshop_id, "method": slug, "title": title,
                "config": config, "state": method.initial_state(config), "status": "pending",
                "created_at": self.clock(),
            }
            workshop["session_ids"].append(session["id"])
            self.store.put_many([("sessions", session["id"], session),
                                 ("workshops", workshop_id, workshop)])
        self.events.changed(workshop_id)
        return session

    def configure_session(self, workshop_id: str, session_id: str, data: Mapping) -> dict:
        """Change a session's title and, while it has not started, its config."""
        with self.lock:
            session = self.session(workshop_id, session_id)
            method = self.methods.method(session["method"])
            data = dict(data)
            for field in method.config_fields():  # a file not uploaded again is kept
                if field.kind == "file" and not data.get(field.name):
                    data[field.name] = session["config"].get(field.name)
            title, config = parse_config(method, data)
            session["title"] = title
            if config != session["config"]:
                if session.get("started"):
                    raise ActionError("session_started", _("This session has started; only its title can change."))
                session["config"] = config
                session["state"] = method.initial_state(config)
            self.store.put("sessions", session_id, session)
        self.events.changed(workshop_id)
        return session

    def move_session(self, workshop_id: str, session_id: str, position: Any) -> None:
        """Move a session to ``position`` (0-based) in the agenda."""
        with self.lock:
            workshop = self.get(workshop_id)
            self.session(workshop_id, session_id)
            ids = workshop["session_ids"]
            if isinstance(position, bool) or not isinstance(position, int):
                raise ActionError("invalid", _("The position must be a whole number."))
            if not 0 <= position < len(ids):
                raise ActionError("invalid", _("There is no such position in the agenda."))
            ids.remove(session_id)
            ids.insert(position, session_id)
            self.store.put("workshops", workshop_id, workshop)
        self.events.changed(workshop_id)

    def delete_session(self, workshop_id: str, session_id: str) -> None:
        """Remove a session with its agreements, receipts, timers and computations."""
        with self.lock:
            workshop = self.get(workshop_id)
            self.session(workshop_id, session_id)
            workshop["session_ids"].remove(session_id)
            if workshop["active_session_id"] == session_id:
                workshop["active_session_id"] = None
            batch: Batch = [("workshops", workshop_id, workshop), ("sessions", session_id, None)]
            batch += self.session_records(session_id)
            self.store.put_many(batch)
        self.events.changed(workshop_id)

    def session_records(self, session_id: str, tables: tuple[str, ...] = SESSION_TABLES) -> Batch:
        """Deletions of the records of ``tables`` that belong to ``session_id``."""
        return [(table, doc["id"], None) for table in tables for doc in self.store.all(table)
                if belongs_to_session(table, doc, session_id)]
