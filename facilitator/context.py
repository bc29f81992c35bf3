"""The :class:`facilitator.MethodContext` the core hands to a method. Pure Python (no Flask).

A context lives for one call (an action, a lifecycle hook, a view render).
Whatever the method stages through it (agreements, status changes, timers,
computations) is turned into storage writes by :meth:`CoreContext.writes`,
stored together with the new state, or dropped when the action is refused.
"""

from __future__ import annotations

import copy
import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from facilitator.errors import ActionError
from facilitator.i18n import _
from facilitator.ledger import Ledger, status_change
from facilitator.people import People, is_present
from facilitator.presence import Presence

if TYPE_CHECKING:
    from facilitator.storage import Store
from facilitator.vocabulary import org_type_label

KEY_LENGTH = 64


def function_path(function: Callable) -> str:
    """``module:qualname`` of a module-level function, checked to import back to it."""
    path = f"{function.__module__}:{function.__qualname__}"
    if "<" in function.__qualname__ or resolve_function(path) is not function:
        raise TypeError(f"ctx.compute needs a module-level function, not {function!r}")
    return path


def resolve_function(path: str) -> Callable:
    """The function named by :func:`function_path`."""
    module, _sep, qualname = path.partition(":")
    target: Any = importlib.import_module(module)
    for part in qualname.split("."):
        target = getattr(target, part)
    return target


def _check_key(key: Any) -> str:
    if not isinstance(key, str) or not 0 < len(key) <= KEY_LENGTH:
        raise ValueError(f"timer and computation keys are 1-{KEY_LENGTH} characters, not {key!r}")
    return key


class CoreContext:
    """One session's context: read the room, stage writes, add to the reply.

    ``store`` (the engine's) is only read, by :meth:`earlier_sessions`; without
    it there are no earlier sessions.
    """

    def __init__(self, workshop: dict, session: dict, people: People, ledger: Ledger,
                 presence: Presence, clock: Callable[[], float],
                 roster: list[dict] | None = None, store: Store | None = None) -> None:
        self._workshop = workshop
        self._store = store
        self._method = session.get("method")
        self._earlier: list[dict] | None = None
        self._people = people
        self._ledger = ledger
        self._presence = presence
        self._clock = clock
        self.workshop_id = workshop["id"]
        self.session_id = session["id"]
        self.config = session["config"]
        self.language = workshop["language"]
        self.privacy = workshop["privacy"]
        #: Whether the facilitator chose per-person speaking time for the minutes.
        self.speaking_time = bool((workshop.get("protocol") or {}).get("speaking_time"))
        self._roster = roster
        self._entries: dict[str, dict] | None = None
        self.new_agreements: list[dict] = []
        self.changed_agreements: dict[str, dict] = {}
        self.timers: dict[str, dict | None] = {}
        self.jobs: list[dict] = []
        self.reply_data: dict = {}

    # -- reading ------------------------------------------------------------
    def now(self) -> float:
        """Seconds since the epoch, from the core's clock."""
        return self._clock()

    def _all(self) -> dict[str, dict]:
        if self._entries is None:
            roster = self._roster
            if roster is None:
                roster = self._people.of_workshop(self.workshop_id, include_absent=True)
            self._entries = {p["id"]: self._entry(p) for p in roster}
        return self._entries

    def _entry(self, person: dict) -> dict:
        """What a method may know of a person, in the workshop's privacy mode.

        The organisation's name only in named mode (anonymous and Chatham House
        mode never name it); a removed participant is labelled the same way
        everywhere ("removed participant"), whatever the mode, so that no
        section of the minutes names someone the facilitator took out.
        """
        named = self.privacy == "named"
        removed = bool(person.get("removed"))
        label = _("removed participant") if removed else self._people.label(self._workshop, person)
        return {
            "id": person["id"],
            "label": label,
            "org_type": person["org_type"],
            "org_type_label": org_type_label(person["org_type"]),
            "organisation": person.get("organisation", "") if named and not removed else "",
            "connected": self._presence.is_online(person["id"]),
            "present": is_present(person),
        }

    def participants(self) -> list[dict]:
        """Participants present (not removed, not left), with privacy-aware labels."""
        return [{k: v for k, v in p.items() if k != "present"} for p in self._all().values() if p["present"]]

    def participant(self, participant_id: str) -> dict | None:
        """One participant (absent ones included, with ``present``), or ``None``."""
        entry = self._all().get(participant_id) if isinstance(participant_id, str) else None
        return dict(entry) if entry else None

    def label(self, participant_id: str) -> str:
        """The privacy-aware label of a participant (absent ones included)."""
        entry = self._all().get(participant_id)
        return entry["label"] if entry else _("(unknown)")

    def org_type_label(self, org_type: str) -> str:
        """The translated name of a type of organisation."""
        return org_type_label(org_type)

    def agreements(self) -> list[dict]:
        """This session's agreements as edited in the ledger, plus staged ones."""
        stored = [self.changed_agreements.get(a["id"], a)
                  for a in self._ledger.of_workshop(self.workshop_id, self.session_id)]
        return stored + list(self.new_agreements)

    def earlier_agreements(self, workshop_ids: list[str] | None = None,
                           statuses: tuple[str, ...] = ("open", "in_progress")) -> list[dict]:
        """Agreements of other workshops on this server with one of ``statuses``."""
        found = self._ledger.elsewhere(self.workshop_id, workshop_ids, statuses)
        return [{**a, **self.changed_agreements.get(a["id"], {})} for a in found]

    def earlier_sessions(self) -> list[dict]:
        """Other started sessions of this session's method on this server, newest first.

        Read from the store on the first call only (once per context); every
        call returns deep copies, so a method may change what it gets.
        """
        if self._earlier is None:
            self._earlier = self._read_earlier()
        return copy.deepcopy(self._earlier)

    def _read_earlier(self) -> list[dict]:
        if self._store is None or not self._method:
            return []
        workshops = {w["id"]: w for w in self._store.all("workshops")}
        found = []
        for index, session in enumerate(self._store.all("sessions")):
            workshop = workshops.get(session.get("workshop_id"))
            if (session.get("method") != self._method or session["id"] == self.session_id
                    or workshop is None or not session.get("started")):
                continue
            found.append((index, {
                "workshop_id": workshop["id"], "workshop_title": workshop.get("title", ""),
                "workshop_date": workshop.get("date", ""), "session_id": session["id"],
                "title": session.get("title", ""), "status": session.get("status", ""),
                "started": session.get("activated_at"), "closed": session.get("closed_at"),
                "state": session.get("state") or {},
            }))
        found.sort(key=lambda item: (item[1]["started"] or 0.0, item[1]["workshop_date"], item[0]),
                   reverse=True)
        return [entry for _index, entry in found]

    # -- staging ------------------------------------------------------------
    def record_agreement(self, what: str, who_person: str = "", who_org: str = "", due: str = "",
                         review: str = "", follow_up: str = "") -> str:
        """Stage an agreement; the core stores it only if the action succeeds."""
        agreement = self._ledger.new(
            self.workshop_id, self.session_id,
            {"what": what, "who_person": who_person, "who_org": who_org, "due": due,
             "review": review, "follow_up": follow_up},
            "method",
        )
        self.new_agreements.append(agreement)
        return agreement["id"]

    def set_agreement_status(self, agreement_id: str, status: str, note: str = "",
                             due: str | None = None) -> None:
        """Stage a status change of any agreement on this server (also one staged in this call)."""
        for index, staged in enumerate(self.new_agreements):
            if staged["id"] == agreement_id:
                self.new_agreements[index] = status_change(staged, status, note, due, self.now())
                return
        current = self.changed_agreements.get(agreement_id) or self._ledger.find(agreement_id)
        self.changed_agreements[agreement_id] = status_change(current, status, note, due, self.now())

    def schedule(self, key: str, at: float, action: str, payload: dict | None = None) -> None:
        """Stage a timer that sends ``action`` to this session at ``at``."""
        key = _check_key(key)
        if not isinstance(at, int | float) or isinstance(at, bool):
            raise TypeError("ctx.schedule needs an epoch time in seconds")
        self.timers[key] = {"id": f"{self.session_id}:{key}", "workshop_id": self.workshop_id,
                            "session_id": self.session_id, "key": key, "at": float(at),
                            "action": action, "payload": dict(payload or {})}

    def cancel(self, key: str) -> None:
        """Stage the cancellation of a timer."""
        self.timers[_check_key(key)] = None

    def compute(self, key: str, function: Callable[..., Any], *args: Any, then: str) -> None:
        """Stage a computation to run off the lock after this call is stored."""
        key = _check_key(key)
        self.jobs = [job for job in self.jobs if job["key"] != key]
        self.jobs.append({"id": f"{self.session_id}:{key}", "workshop_id": self.workshop_id,
                          "session_id": self.session_id, "key": key,
                          "function": function_path(function), "args": list(args), "then": then,
                          "token": f"{self.now():.6f}:{len(self.jobs)}:{id(self)}"})

    def reply(self, data: dict) -> None:
        """Add data to the sender's acknowledgement."""
        self.reply_data.update(data)

    def writes(self) -> list[tuple[str, str, dict | None]]:
        """Everything staged, as storage writes."""
        batch: list[tuple[str, str, dict | None]] = [("agreements", a["id"], a) for a in self.new_agreements]
        batch += [("agreements", key, doc) for key, doc in self.changed_agreements.items()]
        batch += [("timers", f"{self.session_id}:{key}", doc) for key, doc in self.timers.items()]
        batch += [("jobs", job["id"], job) for job in self.jobs]
        return batch


def refuse_unknown(actions: dict, action: Any) -> None:
    """Raise ``unknown_action`` unless ``action`` is declared."""
    if action not in actions:
        raise ActionError("unknown_action", _("This session has no such action."))
