"""The agreements ledger: who does what by when (part of ``Core``)."""

from __future__ import annotations

from collections.abc import Mapping

from facilitator.i18n import _
from facilitator.methods import ActionError
from facilitator.model import MAX_NAME, MAX_ORGANISATION, MAX_TEXT, clean_date, clean_text, new_id


def clean_agreement(data: Mapping) -> dict:
    """Validate the editable fields of an agreement."""
    agreement = {
        "what": clean_text(data.get("what"), _("What"), MAX_TEXT, required=True),
        "who_person": clean_text(data.get("who_person"), _("Who (person)"), MAX_NAME),
        "who_org": clean_text(data.get("who_org"), _("Organisation"), MAX_ORGANISATION),
        "due": clean_date(data.get("due"), _("By when")),
        "review": clean_date(data.get("review"), _("Review on")),
    }
    if not agreement["who_person"] and not agreement["who_org"]:
        raise ActionError(
            "responsible_required",
            _("Please name who takes care of it: a person, an organisation or both."),
        )
    return agreement


class LedgerMixin:
    """Record, edit and list agreements of a workshop."""

    def new_agreement(self, workshop_id: str, session_id: str | None, data: Mapping, source: str) -> dict:
        """Build (not store) a validated agreement record."""
        now = self.clock()
        return {
            "id": new_id("a"),
            "workshop_id": workshop_id,
            "session_id": session_id,
            **clean_agreement(data),
            "source": source,
            "created_at": now,
            "updated_at": now,
        }

    def save_agreement(self, workshop_id: str, data: Mapping) -> dict:
        """Create an agreement (no ``id``) or edit an existing one (with ``id``)."""
        with self.lock:
            self.workshop(workshop_id)
            agreement_id = data.get("id")
            if agreement_id:
                agreement = self.agreement(workshop_id, agreement_id)
                agreement.update(clean_agreement(data))
                agreement["updated_at"] = self.clock()
            else:
                session_id = data.get("session_id") or None
                if session_id is not None:
                    self.session(workshop_id, session_id)
                agreement = self.new_agreement(workshop_id, session_id, data, "facilitator")
            self.store.put("agreements", agreement["id"], agreement)
        self.changed(workshop_id)
        return agreement

    def agreement(self, workshop_id: str, agreement_id: str) -> dict:
        """One agreement of this workshop, or the error ``unknown_agreement``."""
        doc = self.store.get("agreements", agreement_id) if isinstance(agreement_id, str) else None
        if doc is None or doc["workshop_id"] != workshop_id:
            raise ActionError("unknown_agreement", _("There is no such agreement."))
        return doc

    def delete_agreement(self, workshop_id: str, agreement_id: str) -> None:
        """Delete an agreement."""
        with self.lock:
            self.agreement(workshop_id, agreement_id)
            self.store.delete("agreements", agreement_id)
        self.changed(workshop_id)

    def agreements(self, workshop_id: str, session_id: str | None = None) -> list[dict]:
        """Agreements of a workshop (or of one session), oldest first."""
        found = [
            a
            for a in self.store.all("agreements")
            if a["workshop_id"] == workshop_id and (session_id is None or a["session_id"] == session_id)
        ]
        return sorted(found, key=lambda a: a["created_at"])
