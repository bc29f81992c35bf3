"""Participants: joining, identity kept on the phone, removal (part of ``Core``)."""

from __future__ import annotations

from collections.abc import Mapping

from facilitator.i18n import UI_LANGUAGES, _
from facilitator.methods import ActionError, Actor
from facilitator.model import (
    MAX_NAME,
    MAX_ORGANISATION,
    ORG_TYPES,
    clean_choice,
    clean_text,
    new_id,
    new_secret,
    org_type_label,
)


class PeopleMixin:
    """Join a workshop, find a participant by token, list and remove people."""

    def join(self, workshop_id: str, data: Mapping) -> dict:
        """Register a participant; returns the record including its secret ``token``.

        In named mode a display name is required; in anonymous mode no name is
        stored at all (data minimisation), only the type of organisation.
        """
        with self.lock:
            workshop = self.workshop(workshop_id)
            named = workshop["privacy"] == "named"
            name = clean_text(data.get("name"), _("Your name"), MAX_NAME, required=named)
            participant = {
                "id": new_id("p"),
                "workshop_id": workshop_id,
                "token": new_secret(),
                "name": name if named else "",
                "organisation": clean_text(
                    data.get("organisation"), _("Organisation (optional)"), MAX_ORGANISATION
                ),
                "org_type": clean_choice(
                    data.get("org_type") or "other", _("Type of organisation"), ORG_TYPES
                ),
                "language": clean_choice(
                    data.get("language") or workshop["language"], _("Language"), UI_LANGUAGES
                ),
                "joined_at": self.clock(),
                "removed": False,
            }
            self.store.put("participants", participant["id"], participant)
            self._tokens()[participant["token"]] = participant["id"]
        self.changed(workshop_id)
        return participant

    def participant_by_token(self, token: str) -> dict:
        """The participant holding ``token``; removed participants are refused."""
        pid = self._tokens().get(token) if isinstance(token, str) and token else None
        participant = self.store.get("participants", pid) if pid else None
        if participant is None or participant["token"] != token:
            raise ActionError("unknown_participant", _("Please join the workshop again."))
        if participant["removed"]:
            raise ActionError("removed", _("The facilitator has removed you from this workshop."))
        return participant

    def _tokens(self) -> dict[str, str]:
        """token -> participant id, built once from the store (every phone connect asks)."""
        with self.lock:
            if self._token_index is None:
                self._token_index = {p["token"]: p["id"] for p in self.store.all("participants")}
            return self._token_index

    def participant(self, workshop_id: str, participant_id: str) -> dict:
        """A participant of this workshop (removed ones included)."""
        doc = self.store.get("participants", participant_id) if isinstance(participant_id, str) else None
        if doc is None or doc["workshop_id"] != workshop_id:
            raise ActionError("unknown_participant", _("There is no such participant."))
        return doc

    def participants(self, workshop_id: str, include_removed: bool = False) -> list[dict]:
        """Participants of a workshop in join order."""
        return [
            p
            for p in self.store.all("participants")
            if p["workshop_id"] == workshop_id and (include_removed or not p["removed"])
        ]

    def set_language(self, participant: dict, language: str) -> dict:
        """A participant picks their own language, independent of the workshop's."""
        language = clean_choice(language, _("Language"), UI_LANGUAGES)
        with self.lock:
            participant = self.participant(participant["workshop_id"], participant["id"])
            participant["language"] = language
            self.store.put("participants", participant["id"], participant)
        self.changed(participant["workshop_id"])
        return participant

    def remove_participant(self, workshop_id: str, participant_id: str) -> None:
        """Remove someone: their token stops working and every method drops them."""
        with self.lock:
            participant = self.participant(workshop_id, participant_id)
            if participant["removed"]:
                raise ActionError("already_removed", _("This person has already been removed."))
            participant["removed"] = True
            participant["removed_at"] = self.clock()
            batch: list[tuple[str, str, dict | None]] = [("participants", participant_id, participant)]
            for session in self.sessions(workshop_id):
                ctx = self.context(self.workshop(workshop_id), session)
                method = self.method(session["method"])
                session["state"] = method.participant_removed(session["state"], participant_id, ctx)
                batch.append(("sessions", session["id"], session))
            self.store.put_many(batch)
        self.changed(workshop_id)

    def label(self, workshop: dict, participant: dict) -> str:
        """How a participant is shown to others in the workshop's privacy mode."""
        if workshop["privacy"] == "named" and participant.get("name"):
            return participant["name"]
        return org_type_label(participant["org_type"])

    def actor(self, workshop: dict, participant: dict) -> Actor:
        """The :class:`Actor` of a participant."""
        return Actor(
            role="participant",
            participant_id=participant["id"],
            label=self.label(workshop, participant),
            org_type=participant["org_type"],
        )
