"""The room the fuzz tests run in, and the checks every generated input goes through.

* :class:`Room`: a workshop with a dot-voting and a fishbowl session (a round table
  when a test asks for one),
  :data:`PHONES` phones, a removed participant, the facilitator and the projector connected
  over Socket.IO test clients; a second workshop for ids from elsewhere.
* :func:`snapshot`: the whole store, to compare before and after an input.
* :func:`check_ack`: an ack is ``{"ok": true, ...}`` or a documented refusal.
* :func:`bounded`: every call to the server ends within ``CALL_SECONDS``.
"""

from __future__ import annotations

import contextlib
import json
import logging
import signal
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from forms import FORMS, OTHER_MINUTES, SETUPS
from strategies import CODES, METHODS, OUTCOMES, resolve

from facilitator.minutes_data import minutes_data

#: Typed in by the strategies (``TRICKY_TEXT``); must never come back unescaped in HTML.
MARKER = "<script>alert(1)</script>"
#: The longest a single event or request may take before the test calls it a hang.
CALL_SECONDS = 10.0
#: Phones connected in a room.
PHONES = 4
#: Tables snapshotted when the store is not the in-memory one.
TABLES = ("workshops", "sessions", "participants", "agreements", "receipts", "timers", "jobs",
          "settings")


class CallTimeout(AssertionError):
    """A call to the server did not end within :data:`CALL_SECONDS`."""


@contextlib.contextmanager
def bounded(seconds: float = CALL_SECONDS) -> Iterator[None]:
    """Fail the test if the block takes longer than ``seconds`` (SIGALRM, main thread)."""

    def alarm(_signum, _frame):
        raise CallTimeout(f"a call to the server took longer than {seconds} s")

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def snapshot(core) -> dict:
    """Every record of the store. The in-memory store keeps JSON text: copying that is fast
    (thousands of snapshots per run); any other store is read through its API."""
    tables = getattr(core.store, "_tables", None)
    if isinstance(tables, dict) and all(isinstance(doc, str) for docs in tables.values()
                                        for doc in docs.values()):
        return {name: dict(docs) for name, docs in tables.items() if docs}
    return {name: core.store.all(name) for name in TABLES if core.store.all(name)}


def check_ack(ack: Any, allowed: set[str]) -> bool:
    """Assert ``ack`` is well-formed; True for ``ok``, False for a documented refusal."""
    assert isinstance(ack, dict), f"no well-formed ack: {ack!r}"[:300]
    if ack.get("ok") is True:
        return True
    assert ack.get("ok") is False, f"ack without ok: {ack!r}"[:300]
    error = ack.get("error")
    assert isinstance(error, dict), f"refusal without error: {ack!r}"[:300]
    code, message = error.get("code"), error.get("message")
    assert code != "internal_error", "internal_error: a server bug (see the log)"
    assert code in allowed, f"undocumented error code {code!r}"
    assert isinstance(message, str) and message.strip(), f"empty message for {code!r}"
    return False


def codes_for(slug: str | None = None) -> set[str]:
    """The codes an event (``None``) or an action of method ``slug`` may answer with."""
    return CODES["core"] | (CODES[slug] if slug else set().union(*(CODES[m] for m in METHODS)))


class ErrorLog(logging.Handler):
    """Collects ERROR records (and anything with a traceback) of every logger."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.levelno >= logging.ERROR or record.exc_info:
            self.records.append(record)

    def check(self) -> None:
        """Assert nothing was logged as an error since the last check."""
        found, self.records = self.records, []
        assert not found, "server logged errors: " + "; ".join(
            f"{r.name}: {r.getMessage()} {r.exc_info[1]!r}" if r.exc_info else r.getMessage()
            for r in found)[:2000]


@dataclass
class Room:
    """One workshop full of people (:data:`PHONES` phones), reachable over Socket.IO test
    clients."""

    app: Any
    core: Any
    sio: Any
    workshop: dict
    other: dict
    phones: dict[str, Any] = field(default_factory=dict)  # participant id -> client
    removed: dict = field(default_factory=dict)
    errors: ErrorLog = field(default_factory=ErrorLog)
    fac: Any = None
    projector: Any = None
    minutes_file: str = ""

    # -- setting up -------------------------------------------------------------------
    @classmethod
    def open(cls, app, core, sio) -> Room:
        workshop = core.workshops.create({"title": "Fuzz", "date": "2026-03-30", "language": "de",
                                          "privacy": "named"})
        other = core.workshops.create({"title": "Elsewhere", "language": "en", "privacy": "anonymous"})
        room = cls(app, core, sio, workshop, other)
        core.workshops.add_session(other["id"], "dotvoting", {"question": "Other?"})
        core.people.join(other["id"], {"org_type": "mso"})
        core.ledger.save(other["id"], {"what": "Elsewhere", "who_org": "Them"})
        room.fac = sio("facilitator", workshop)
        room.projector = sio("projector", workshop)
        for _ in range(PHONES):
            room.add_phone()
        gone = core.people.join(workshop["id"], {"name": "Gone", "org_type": "mso"})
        core.engine.remove_participant(workshop["id"], gone["id"])
        room.removed = gone
        room.replenish()
        logging.getLogger().addHandler(room.errors)
        return room

    def close(self) -> None:
        logging.getLogger().removeHandler(self.errors)

    def add_phone(self) -> dict:
        number = len(self.core.people.of_workshop(self.workshop["id"], include_absent=True)) + 1
        person = self.core.people.join(self.workshop["id"], {
            "name": f"Person {number}", "organisation": f"Org {number % 3}",
            "org_type": ("welfare", "mso", "education")[number % 3], "language": "de"})
        self.phones[person["id"]] = self.sio("participant", token=person["token"])
        return person

    def add_session(self, slug: str, variant: int = 0) -> dict:
        """A session of ``slug`` in one of the configurations of :data:`FORMS`."""
        forms = FORMS[slug]
        form = {key: self.other_minutes() if value == OTHER_MINUTES else value
                for key, value in forms[variant % len(forms)].items()}
        return self.core.workshops.add_session(self.workshop["id"], slug, form)

    def other_minutes(self) -> str:
        """The other workshop's minutes as exported JSON (an uploaded minutes file), made once."""
        if not self.minutes_file:
            with self.app.app_context():
                self.minutes_file = json.dumps(minutes_data(self.core, self.core.workshops.get(self.other["id"])))
        return self.minutes_file

    def replenish(self) -> None:
        """Keep enough people, sessions and agreements around for the next input."""
        wid = self.workshop["id"]
        self.phones = {pid: c for pid, c in self.phones.items() if c.is_connected()}
        while len(self.phones) < PHONES:
            self.add_phone()
        sessions = self.core.workshops.sessions(wid)
        for slug in ("dotvoting", "fishbowl"):
            if not any(s["method"] == slug for s in sessions):
                self.add_session(slug)
        if not self.core.ledger.of_workshop(wid):
            self.core.ledger.save(wid, {"what": "Flyer drucken", "who_person": "Ana"})
        self.drain()

    def activate(self, slug: str, fresh: bool = False, variant: int = 0, busy: bool = False) -> dict:
        """Put the room into a session of ``slug`` (a new one if ``fresh``; ``busy``: with
        the :data:`SETUPS` of its form run first)."""
        sessions = [s for s in self.core.workshops.sessions(self.workshop["id"]) if s["method"] == slug]
        session = self.add_session(slug, variant) if fresh or not sessions else sessions[-1]
        assert self.fac.emit("session.activate", {"session_id": session["id"]},
                             callback=True) == {"ok": True}
        phones = [c for c in self.phones.values() if c.is_connected()]
        for who, action, payload in SETUPS[slug].get(variant % len(FORMS[slug]), []) if busy else ():
            client = self.fac if who == "facilitator" else phones[who % len(phones)]
            envelope = {"session_id": session["id"], "action": action, "payload": payload,
                        "action_id": f"setup-{session['id']}-{action}-{who}"}
            check_ack(self.send(client, "action", envelope), codes_for(slug))
        self.drain()
        return self.core.workshops.session(self.workshop["id"], session["id"])

    # -- what the strategies pick from ------------------------------------------------
    def clients(self) -> list[tuple[str, Any]]:
        """(role, client) of every open connection."""
        phones = [("participant", c) for c in self.phones.values() if c.is_connected()]
        return [("facilitator", self.fac), ("projector", self.projector), *phones]

    def session_ids(self) -> list[str]:
        other = self.core.workshops.sessions(self.other["id"])
        return [s["id"] for s in self.core.workshops.sessions(self.workshop["id"]) + other]

    def participant_ids(self) -> list[str]:
        wid, oid = self.workshop["id"], self.other["id"]
        people = self.core.people.of_workshop(wid, include_absent=True)
        return [p["id"] for p in people + self.core.people.of_workshop(oid)]

    def agreement_ids(self) -> list[str]:
        return [a["id"] for a in self.core.store.all("agreements")]

    def active_state(self) -> dict:
        """The state of the active session (``{}`` in the lobby)."""
        session = self.core.workshops.active_session(self.core.workshops.get(self.workshop["id"]))
        return session["state"] if session else {}

    def known(self, kind: str) -> list[str]:
        """The ids of ``kind`` a :class:`strategies.Ref` picks from."""
        if kind == "session":
            return self.session_ids()
        if kind == "active_session":
            return [self.core.workshops.get(self.workshop["id"])["active_session_id"] or "s0"]
        if kind == "participant":
            return self.participant_ids()
        if kind == "agreement":
            return self.agreement_ids()
        state = self.active_state()
        if kind == "option":
            return [o["id"] for o in state.get("options", []) if isinstance(o, dict)]
        if kind == "category":
            return [*state.get("categories", []), ""]
        if kind == "question":
            return [q["id"] for q in state.get("questions", [])]
        if kind == "person":
            return [*state.get("people", {}), *self.participant_ids()]
        return self.known_roundtable(kind, state)

    def known_roundtable(self, kind: str, state: dict) -> list[str]:
        """The ids of the round table's items, hands, checks, proposals and review."""
        if kind == "item":
            return [i["id"] for i in state.get("items", [])]
        if kind == "hand":
            return [h["id"] for h in state.get("hands", [])]
        if kind in ("check", "open_check"):
            checks = state.get("checks", [])
            found = [c["id"] for c in checks if c["open"] or kind == "check"]
            return found or [c["id"] for c in checks]
        if kind == "proposal":
            return [p["id"] for p in state.get("proposals", [])]
        if kind == "removed":
            return [p["id"] for p in self.core.people.of_workshop(self.workshop["id"], include_absent=True)
                    if p["removed"]]
        review = state.get("review") or {}
        if kind == "entry":
            return [e["id"] for e in review.get("entries", [])]
        if kind == "workshop":
            return [*(w["id"] for w in review.get("workshops", [])), self.other["id"], self.workshop["id"]]
        raise KeyError(kind)

    def resolve(self, value: Any) -> Any:
        """``value`` with its :class:`strategies.Ref` replaced by ids of this room."""
        return resolve(value, self.known)

    def pick(self, sender: tuple[str, int]) -> tuple[str, Any]:
        """The (role, client) a drawn ``(role, index)`` names."""
        role, index = sender
        if role == "facilitator":
            return role, self.fac
        if role == "projector":
            return role, self.projector
        phones = [c for c in self.phones.values() if c.is_connected()]
        return role, phones[index % len(phones)]

    # -- after every input -----------------------------------------------------------
    def drain(self) -> None:
        """Read every client's queue; views must be whole views of this workshop, and no
        typed-in ``<script>`` may reach their HTML unescaped."""
        for _role, client in self.clients():
            for message in client.get_received():
                if message["name"] == "view":
                    view = message["args"][0]
                    assert isinstance(view, dict) and isinstance(view.get("html"), str), view
                    assert view["workshop"]["id"] == self.workshop["id"]
                    assert MARKER not in view["html"], "a view shows typed-in HTML unescaped"

    def send(self, client, event: str, *args: Any) -> Any:
        """Emit ``event`` with an ack, bounded in time."""
        with bounded():
            return client.emit(event, *args, callback=True)

    def step(self, client, event: str, args: tuple, allowed: set[str]) -> tuple[bool, Any]:
        """Send one input; a refusal must leave the store exactly as it was."""
        before = snapshot(self.core)
        ack = self.send(client, event, *args)
        ok = check_ack(ack, allowed)
        outcome = "ok" if ok else ack["error"]["code"]
        OUTCOMES[(str(event)[:40], outcome)] += 1
        if event == "action" and args and isinstance(args[0], dict):
            OUTCOMES[(str(args[0].get("action"))[:40], outcome)] += 1
        if not ok:
            assert snapshot(self.core) == before, f"refused {event} changed the store: {ack}"
        self.errors.check()
        self.drain()
        return ok, ack

    @staticmethod
    def check_reached(names: list[str], share: float = 0.9) -> None:
        """At least ``share`` of ``names`` were accepted at least once (when the fuzz test
        ran): the generated inputs reach deep into the methods, not only their refusals."""
        tried = {name for name, _code in OUTCOMES}
        if set(names) <= tried:
            missed = [name for name in names if not OUTCOMES[(name, "ok")]]
            seen = {key: n for key, n in OUTCOMES.items() if key[0] in missed}
            assert len(missed) <= int(len(names) * (1 - share) + 1e-9), \
                f"the fuzzing never got these accepted: {missed} ({seen})"

    def minutes_render(self, browser) -> None:
        """The minutes of the workshop still render, as a page and as Markdown."""
        wid = self.workshop["id"]
        with bounded(30):
            page = browser.get(f"/facilitator/w/{wid}/minutes")
            markdown = browser.get(f"/facilitator/w/{wid}/minutes.md")
        assert page.status_code == 200, page.status_code
        assert MARKER.encode() not in page.data, "the minutes show typed-in HTML unescaped"
        assert markdown.status_code == 200 and markdown.data.strip(), markdown.status_code
        self.errors.check()
