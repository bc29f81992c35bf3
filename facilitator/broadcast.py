"""Sending fresh views to the right clients, coalesced.

Re-sending everything to every phone after every action would be O(N^2)
messages. Instead a change only marks its workshop dirty; a background task
flushes dirty workshops at most every ``LIVE_INTERVAL`` seconds, renders the
projector and facilitator views once per language, and sends each phone its
view only when that view actually changed since the last one it received.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from dataclasses import dataclass, field

from flask import Flask

from facilitator.errors import ActionError
from facilitator.i18n import force_locale
from facilitator.people import is_present
from facilitator.render import build_view, render_view
from facilitator.storage import StoreClosedError

log = logging.getLogger(__name__)
FACILITATOR_INTERVAL = 0.5  # seconds between dashboard updates under load
TIMER_CHECK = 2.0  # seconds between looks at the timers when none is due sooner


@dataclass
class Connection:
    """One open Socket.IO connection and who is behind it."""

    sid: str
    role: str
    workshop_id: str
    language: str
    participant_id: str | None = None
    last_digest: str = field(default="", repr=False)


def digest(payload: dict) -> str:
    """A fingerprint of a payload (before rendering), to skip what the client already has."""
    body = json.dumps(payload, sort_keys=True, default=str)
    return hashlib.blake2b(body.encode(), digest_size=16).hexdigest()


class Broadcaster:
    """Tracks connections and pushes coalesced view updates."""

    def __init__(self, app: Flask, socketio) -> None:
        self.app = app
        self.socketio = socketio
        self.core = app.extensions["facilitator"]
        self.presence = app.extensions["facilitator.presence"]
        self.connections: dict[str, Connection] = {}
        self.lock = threading.Lock()
        self._dirty: dict[str, set[str] | None] = {}
        self._flush_locks: dict[str, threading.Lock] = {}
        self._wake = threading.Event()
        self._facilitator_due: dict[str, float] = {}
        self._pending_later: set[str] = set()
        self._task = None
        self._logged_failures: set[tuple] = set()
        self.core.events.subscribe(self.mark)

    # -- connections --------------------------------------------------------
    def add(self, conn: Connection) -> None:
        """Register a connection (and count a participant as connected)."""
        with self.lock:
            self.connections[conn.sid] = conn
            if conn.participant_id:
                self.presence.connected(conn.participant_id)
        self.mark(conn.workshop_id)

    def remove(self, sid: str) -> Connection | None:
        """Forget a connection that closed."""
        with self.lock:
            conn = self.connections.pop(sid, None)
            if conn and conn.participant_id:
                self.presence.disconnected(conn.participant_id)
        if conn:
            self.mark(conn.workshop_id)
        return conn

    def of_workshop(self, workshop_id: str) -> list[Connection]:
        """Open connections to one workshop."""
        with self.lock:
            return [c for c in self.connections.values() if c.workshop_id == workshop_id]

    # -- updates --------------------------------------------------------------
    def mark(self, workshop_id: str, participants: set[str] | None = None) -> None:
        """Note that a workshop changed; its clients get new views soon.

        ``participants``: only these phones can see a difference (plus facilitator and
        projector); ``None``: everybody's view may have changed.
        """
        if self.app.config["LIVE_SYNC"]:
            self.flush(workshop_id, phones=participants)
            return
        with self.lock:
            if participants is None or self._dirty.get(workshop_id, set()) is None:
                self._dirty[workshop_id] = None
            else:
                self._dirty.setdefault(workshop_id, set()).update(participants)
        self.start()
        self._wake.set()

    def _later(self, workshop_id: str, due: float) -> None:
        """Mark the workshop again at ``due`` (once), for the postponed dashboard."""
        with self.lock:
            if workshop_id in self._pending_later:
                return
            self._pending_later.add(workshop_id)

        def run() -> None:
            self.socketio.sleep(max(0.0, due - time.monotonic()))
            with self.lock:
                self._pending_later.discard(workshop_id)
            self.mark(workshop_id, set())

        self.socketio.start_background_task(run)

    def start(self) -> None:
        """Start the background loop (flushes and timers) if it is not running yet."""
        with self.lock:
            if self._task is None:
                self._task = self.socketio.start_background_task(self._run)

    def _timer_wait(self) -> float:
        """Seconds until the next timer is due, between 0.05 and TIMER_CHECK."""
        due = self.core.engine.next_due()
        if due is None:
            return TIMER_CHECK
        return min(TIMER_CHECK, max(0.05, due - self.core.clock()))

    def _run(self) -> None:
        interval = self.app.config["LIVE_INTERVAL"]
        while True:
            try:
                wait = self._timer_wait()
            except StoreClosedError:
                return  # the server is shutting down
            woken = self._wake.wait(timeout=wait)
            if woken:
                self.socketio.sleep(interval)
                self._wake.clear()
                with self.lock:
                    dirty, self._dirty = self._dirty, {}
                for workshop_id, phones in dirty.items():
                    try:
                        self.flush(workshop_id, phones=phones)
                    except Exception:  # a broken workshop must not stop all updates
                        log.exception("Could not send views of workshop %s", workshop_id)
            try:
                self.core.engine.fire_due()
            except StoreClosedError:
                return
            except Exception:
                log.exception("Firing timers failed")

    def flush(self, workshop_id: str, only_sid: str | None = None,
              phones: set[str] | None = None) -> None:
        """Render and send changed views of one workshop (or to one connection).

        One flush per workshop at a time, so an older view can never be sent
        after a newer one.
        """
        with self.lock:
            flush_lock = self._flush_locks.setdefault(workshop_id, threading.Lock())
        with flush_lock:
            self._flush(workshop_id, only_sid, phones)

    def _flush(self, workshop_id: str, only_sid: str | None, phones: set[str] | None = None) -> None:
        conns = self.of_workshop(workshop_id)
        if only_sid:
            conns = [c for c in conns if c.sid == only_sid]
        if phones is not None:  # only these phones can see a change
            conns = [c for c in conns if not c.participant_id or c.participant_id in phones]
        conns.sort(key=lambda c: c.participant_id is not None)  # the wall first
        now = time.monotonic()
        throttle = not only_sid and not self.app.config["LIVE_SYNC"]
        if throttle and now < self._facilitator_due.get(workshop_id, 0.0):
            # The dashboard (the whole roster) at most every FACILITATOR_INTERVAL.
            conns = [c for c in conns if c.role != "facilitator"]
            self._later(workshop_id, self._facilitator_due[workshop_id])
        elif throttle and any(c.role == "facilitator" for c in conns):
            self._facilitator_due[workshop_id] = now + FACILITATOR_INTERVAL
        if not conns:
            return
        base_url = self.app.config.get("PUBLIC_URL") or "http://localhost/"
        with self.app.test_request_context("/", base_url=base_url):
            try:
                workshop = self.core.workshops.get(workshop_id)
            except ActionError:
                for conn in conns:
                    self.socketio.emit("removed", {"reason": "workshop_deleted"}, to=conn.sid)
                return
            session = self.core.workshops.active_session(workshop)
            # One read for everybody: a read per phone waits behind every commit's fsync.
            roster = self.core.people.of_workshop(workshop_id, include_absent=True)
            people = {p["id"]: p for p in roster}
            ctx = self.core.engine.context(workshop, session, roster) if session else None
            views: dict[tuple, tuple[dict, dict, str] | None] = {}
            rendered: dict[str, dict | None] = {}
            for conn in conns:
                participant = None
                if conn.participant_id:
                    participant = people.get(conn.participant_id)
                    if participant is None or not is_present(participant):
                        continue
                key = (conn.role, conn.participant_id, conn.language)
                if key not in views:
                    views[key] = self._build(workshop, session, ctx, conn, participant)
                if views[key] is None:
                    continue  # this view failed (logged once); everyone else stays live
                payload, context, fingerprint = views[key]
                if fingerprint == conn.last_digest:
                    continue  # the client has this view already: no rendering, no message
                if fingerprint not in rendered:
                    rendered[fingerprint] = self._render(session, conn, payload, context)
                if rendered[fingerprint] is None:
                    continue
                conn.last_digest = fingerprint
                self.socketio.emit("view", rendered[fingerprint], to=conn.sid)

    def _build(self, workshop: dict, session: dict | None, ctx, conn: Connection,
               participant: dict | None) -> tuple[dict, dict, str] | None:
        """One role's payload, template context and fingerprint, or ``None`` if the method failed."""
        try:
            with force_locale(conn.language):
                payload, context = build_view(self.core, workshop, conn.role, participant, ctx, session)
        except Exception:  # noqa: BLE001 (logged once by _failed)
            self._failed(session, conn, "view")
            return None
        # What the HTML depends on beyond the payload: language and own name.
        extra = [conn.language, participant and participant.get("name")]
        return payload, context, digest({**payload, "extra": extra})

    def _render(self, session: dict | None, conn: Connection, payload: dict, context: dict) -> dict | None:
        """The rendered ``view`` message, or ``None`` if the template failed."""
        try:
            with force_locale(conn.language):
                return render_view(self.core, payload, context)
        except Exception:  # noqa: BLE001 (logged once by _failed)
            self._failed(session, conn, "template")
            return None

    def _failed(self, session: dict | None, conn: Connection, what: str) -> None:
        """Log a failing view once per session, role and kind of failure."""
        key = (session["id"] if session else None, conn.role, what)
        if key in self._logged_failures:
            return
        self._logged_failures.add(key)
        log.exception("The %s of session %s for the %s failed; other connections stay live",
                      what, key[0], conn.role)
