"""Participants: joining, identity kept on the phone, how others see them. Pure Python (no Flask).

Leaving and removal involve the methods and live in
:class:`facilitator.engine.Engine`; this part marks the records.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping

from facilitator.errors import ActionError
from facilitator.events import ChangeEvents
from facilitator.i18n import UI_LANGUAGES, _
from facilitator.ids import new_id, new_secret
from facilitator.methods import Actor
from facilitator.storage import Store
from facilitator.validation import MAX_NAME, MAX_ORGANISATION, clean_choice, clean_text
from facilitator.vocabulary import NAMED_MODES, ORG_TYPES, org_type_label
from facilitator.workshops import Workshops


class People:
    """Join a workshop, find a participant by token, list people, label them.

    :param store: where records live.
    :param clock: epoch seconds.
    :param events: told after every change.
    :param lock: the core's lock.
    :param workshops: to check the workshop a participant joins.
    """

    def __init__(self, store: Store, clock: Callable[[], float], events: ChangeEvents,
                 lock: threading.RLock, workshops: Workshops) -> None:
        self.store = store
        self.clock = clock
        self.events = events
        self.lock = lock
        self.workshops = workshops
        self._token_index: dict[str, str] | None = None
        workshops.on_delete(self._workshop_deleted)

    def join(self, workshop_id: str, data: Mapping) -> dict:
        """Register a participant; returns the record including its secret ``token``.

        In named mode a display name is required; in anonymous mode no name is
        stored at all (data minimisation), only the type of organisation.
        Everyone gets the workshop's next participant ``number`` (1, 2, …; never
        given twice, also not after a removal): the stable pseudonym of
        anonymous mode (:meth:`label`).
        """
        with self.lock:
            workshop = self.workshops.get(workshop_id)
            named = workshop["privacy"] in NAMED_MODES
            name = clean_text(data.get("name"), _("Your name"), MAX_NAME, required=named)
            participant = {
                "id": new_id("p"),
                "workshop_id": workshop_id,
                "token": new_secret(),
                "name": name if named else "",
                "organisation": clean_text(data.get("organisation"), _("Organisation (optional)"),
                                           MAX_ORGANISATION),
                "org_type": clean_choice(data.get("org_type") or "other", _("Type of organisation"),
                                         ORG_TYPES),
                "language": clean_choice(data.get("language") or workshop["language"], _("Language"),
                                         UI_LANGUAGES),
                "number": self._next_number(workshop_id),
                "joined_at": self.clock(),
                "removed": False,
                "left": False,
            }
            self.store.put("participants", participant["id"], participant)
            self._tokens()[participant["token"]] = participant["id"]
        self.events.changed(workshop_id)
        return participant

    def _next_number(self, workshop_id: str) -> int:
        """The next free participant number of a workshop (removed and departed people keep theirs)."""
        numbers = [p.get("number") or 0 for p in self.store.all("participants") if p["workshop_id"] == workshop_id]
        return max(numbers, default=0) + 1

    def by_token(self, token: str) -> dict:
        """The participant holding ``token``; removed or departed participants are refused."""
        pid = self._tokens().get(token) if isinstance(token, str) and token else None
        participant = self.store.get("participants", pid) if pid else None
        if participant is None or participant["token"] != token or participant.get("left"):
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

    def forget_tokens(self, participant_ids: set[str]) -> None:
        """Drop tokens of deleted participants from the index."""
        with self.lock:
            if self._token_index is not None:
                self._token_index = {t: p for t, p in self._token_index.items() if p not in participant_ids}

    def _workshop_deleted(self, workshop_id: str, deleted: dict[str, set[str]]) -> None:
        """A workshop went: its participants' tokens go from the index too."""
        if deleted.get("participants"):
            self.forget_tokens(deleted["participants"])

    def get(self, workshop_id: str, participant_id: str) -> dict:
        """A participant of this workshop (removed and departed ones included)."""
        doc = self.store.get("participants", participant_id) if isinstance(participant_id, str) else None
        if doc is None or doc["workshop_id"] != workshop_id:
            raise ActionError("unknown_participant", _("There is no such participant."))
        return doc

    def of_workshop(self, workshop_id: str, include_absent: bool = False) -> list[dict]:
        """Participants of a workshop in join order (present only, unless ``include_absent``)."""
        return [p for p in self.store.all("participants")
                if p["workshop_id"] == workshop_id and (include_absent or is_present(p))]

    def set_language(self, workshop_id: str, participant_id: str, language: str) -> dict:
        """A participant picks their own language, independent of the workshop's."""
        language = clean_choice(language, _("Language"), UI_LANGUAGES)
        with self.lock:
            participant = self.get(workshop_id, participant_id)
            participant["language"] = language
            self.store.put("participants", participant["id"], participant)
        self.events.changed(workshop_id)
        return participant

    @staticmethod
    def label(workshop: dict, participant: dict) -> str:
        """How a participant is shown to others in the workshop's privacy mode.

        Named mode and Chatham House mode (names are known in the room; the
        minutes attribute nothing, see docs/privacy.md): the display name.
        Anonymous mode: a stable pseudonym that everyone sees the same way, so
        that people can be told apart on chairs, in queues and when removing
        someone: "Welfare association · 7", or "Participant 7" when the type
        is "other" (records from before numbers existed show the type alone).
        """
        if workshop["privacy"] in NAMED_MODES and participant.get("name"):
            return participant["name"]
        return People.pseudonym(participant)

    @staticmethod
    def pseudonym(participant: dict) -> str:
        """The stable pseudonym of anonymous mode ("Welfare association · 7", "Participant 7")."""
        number = participant.get("number")
        org_type = participant.get("org_type") or "other"
        if not number:
            return org_type_label(org_type)
        if org_type == "other":
            return _("Participant %(num)d", num=number)
        return f"{org_type_label(org_type)} · {number}"

    def actor(self, workshop: dict, participant: dict) -> Actor:
        """The :class:`Actor` of a participant."""
        return Actor(role="participant", participant_id=participant["id"],
                     label=self.label(workshop, participant), org_type=participant["org_type"])


def is_present(participant: dict) -> bool:
    """Neither removed by the facilitator nor left on their phone."""
    return not participant["removed"] and not participant.get("left")
