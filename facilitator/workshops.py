"""Workshops and their agenda of sessions (part of :class:`facilitator.core.Core`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from facilitator.forms import parse_config
from facilitator.i18n import UI_LANGUAGES, _
from facilitator.methods import ActionError
from facilitator.model import (
    MAX_ORGANISATION,
    MAX_TITLE,
    PRIVACY_MODES,
    clean_choice,
    clean_date,
    clean_text,
    new_id,
    new_join_code,
    new_secret,
)

SESSION_STATUSES = ("pending", "active", "closed")


class WorkshopsMixin:
    """Create, edit and run workshops; add, order, activate and close sessions."""

    # -- workshops --------------------------------------------------------
    def _clean_workshop(self, data: Mapping) -> dict[str, Any]:
        return {
            "title": clean_text(data.get("title"), _("Title"), MAX_TITLE, required=True),
            "date": clean_date(data.get("date"), _("Date")),
            "place": clean_text(data.get("place"), _("Place"), MAX_TITLE),
            "organiser": clean_text(data.get("organiser"), _("Organiser"), MAX_ORGANISATION),
            "language": clean_choice(data.get("language") or "de", _("Language"), UI_LANGUAGES),
            "privacy": clean_choice(data.get("privacy") or "named", _("Privacy mode"), PRIVACY_MODES),
        }

    def create_workshop(self, data: Mapping) -> dict:
        """Create a workshop from form data; returns the stored record."""
        fields = self._clean_workshop(data)
        with self.lock:
            codes = {w["join_code"] for w in self.store.all("workshops")}
            code = new_join_code()
            while code in codes:
                code = new_join_code()
            workshop = {
                "id": new_id("w"),
                **fields,
                "join_code": code,
                "projector_key": new_secret(),
                "session_ids": [],
                "active_session_id": None,
                "created_at": self.clock(),
            }
            self.store.put("workshops", workshop["id"], workshop)
        self.changed(workshop["id"])
        return workshop

    def update_workshop(self, workshop_id: str, data: Mapping) -> dict:
        """Change title, date, place, organiser, language or privacy mode."""
        fields = self._clean_workshop(data)
        with self.lock:
            workshop = self.workshop(workshop_id)
            if fields["privacy"] != workshop["privacy"] and self.participants(workshop_id):
                raise ActionError(
                    "privacy_locked",
                    _("The privacy mode cannot change once people have joined."),
                )
            workshop.update(fields)
            self.store.put("workshops", workshop_id, workshop)
        self.changed(workshop_id)
        return workshop

    def workshop(self, workshop_id: str) -> dict:
        """The workshop record, or the error ``unknown_workshop``."""
        workshop = self.store.get("workshops", workshop_id) if isinstance(workshop_id, str) else None
        if workshop is None:
            raise ActionError("unknown_workshop", _("There is no such workshop."))
        return workshop

    def workshops(self) -> list[dict]:
        """All workshops, newest first."""
        return sorted(self.store.all("workshops"), key=lambda w: w["created_at"], reverse=True)

    def workshop_by_code(self, code: str) -> dict:
        """The workshop with this join code (case and spaces ignored)."""
        wanted = "".join(str(code or "").split()).upper()
        for workshop in self.store.all("workshops"):
            if workshop["join_code"] == wanted:
                return workshop
        raise ActionError("unknown_workshop", _("No workshop has this code. Please check it."))

    def delete_workshop(self, workshop_id: str) -> None:
        """Delete a workshop and every record that belongs to it (GDPR erasure)."""
        with self.lock:
            self.workshop(workshop_id)
            batch: list[tuple[str, str, dict | None]] = [("workshops", workshop_id, None)]
            for table in ("sessions", "participants", "agreements", "receipts"):
                for doc in self.store.all(table):
                    if doc.get("workshop_id") == workshop_id:
                        batch.append((table, doc["id"], None))
            self.store.put_many(batch)
        self.changed(workshop_id)

    # -- sessions -----------------------------------------------------------
    def session(self, workshop_id: str, session_id: str) -> dict:
        """A session of this workshop, or the error ``unknown_session``."""
        doc = self.store.get("sessions", session_id) if isinstance(session_id, str) else None
        if doc is None or doc["workshop_id"] != workshop_id:
            raise ActionError("unknown_session", _("There is no such session in this workshop."))
        return doc

    def sessions(self, workshop_id: str) -> list[dict]:
        """The workshop's sessions in agenda order."""
        workshop = self.workshop(workshop_id)
        return [self.store.get("sessions", sid) for sid in workshop["session_ids"]]

    def add_session(self, workshop_id: str, slug: str, data: Mapping) -> dict:
        """Add a session of method ``slug``, configured from form data.

        :raises ConfigError: when the form is invalid (nothing is stored).
        """
        method = self.method(slug)
        title, config = parse_config(method, data)
        with self.lock:
            workshop = self.workshop(workshop_id)
            session = {
                "id": new_id("s"),
                "workshop_id": workshop_id,
                "method": slug,
                "title": title,
                "config": config,
                "state": method.initial_state(config),
                "status": "pending",
                "created_at": self.clock(),
            }
            workshop["session_ids"].append(session["id"])
            self.store.put_many(
                [("sessions", session["id"], session), ("workshops", workshop_id, workshop)]
            )
        self.changed(workshop_id)
        return session

    def configure_session(self, workshop_id: str, session_id: str, data: Mapping) -> dict:
        """Change a session's title and, while it has not started, its config."""
        with self.lock:
            session = self.session(workshop_id, session_id)
            method = self.method(session["method"])
            data = dict(data)
            for field in method.config_fields():  # a file not uploaded again is kept
                if field.kind == "file" and not data.get(field.name):
                    data[field.name] = session["config"].get(field.name)
            title, config = parse_config(method, data)
            session["title"] = title
            if config != session["config"]:
                if session.get("started"):
                    raise ActionError(
                        "session_started",
                        _("This session has started; only its title can change."),
                    )
                session["config"] = config
                session["state"] = method.initial_state(config)
            self.store.put("sessions", session_id, session)
        self.changed(workshop_id)
        return session

    def move_session(self, workshop_id: str, session_id: str, position: Any) -> None:
        """Move a session to ``position`` (0-based) in the agenda."""
        with self.lock:
            workshop = self.workshop(workshop_id)
            self.session(workshop_id, session_id)
            ids = workshop["session_ids"]
            if isinstance(position, bool) or not isinstance(position, int):
                raise ActionError("invalid", _("The position must be a whole number."))
            if not 0 <= position < len(ids):
                raise ActionError("invalid", _("There is no such position in the agenda."))
            ids.remove(session_id)
            ids.insert(position, session_id)
            self.store.put("workshops", workshop_id, workshop)
        self.changed(workshop_id)

    def delete_session(self, workshop_id: str, session_id: str) -> None:
        """Remove a session and the agreements recorded in it."""
        with self.lock:
            workshop = self.workshop(workshop_id)
            self.session(workshop_id, session_id)
            workshop["session_ids"].remove(session_id)
            if workshop["active_session_id"] == session_id:
                workshop["active_session_id"] = None
            batch: list[tuple[str, str, dict | None]] = [
                ("workshops", workshop_id, workshop),
                ("sessions", session_id, None),
            ]
            for agreement in self.agreements(workshop_id, session_id):
                batch.append(("agreements", agreement["id"], None))
            self.store.put_many(batch)
        self.changed(workshop_id)

    def activate_session(self, workshop_id: str, session_id: str | None) -> None:
        """Put the room into ``session_id`` (``None``: back to the lobby).

        The previously active session keeps its state and can be resumed; a
        closed session that is activated again is reopened.
        """
        with self.lock:
            workshop = self.workshop(workshop_id)
            batch: list[tuple[str, str, dict | None]] = []
            previous = workshop["active_session_id"]
            if previous and previous != session_id:
                old = self.store.get("sessions", previous)
                if old and old["status"] == "active":
                    old["status"] = "pending"
                    batch.append(("sessions", previous, old))
            if session_id is not None:
                session = self.session(workshop_id, session_id)
                session["status"] = "active"
                session["started"] = True
                session.setdefault("activated_at", self.clock())
                batch.append(("sessions", session_id, session))
            workshop["active_session_id"] = session_id
            batch.append(("workshops", workshop_id, workshop))
            self.store.put_many(batch)
        self.changed(workshop_id)

    def close_session(self, workshop_id: str, session_id: str) -> None:
        """Close a session: it stays on screen but accepts no more actions."""
        with self.lock:
            session = self.session(workshop_id, session_id)
            session["status"] = "closed"
            session["closed_at"] = self.clock()
            self.store.put("sessions", session_id, session)
        self.changed(workshop_id)
