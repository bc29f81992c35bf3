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
from dataclasses import dataclass, field

from flask import Flask

from facilitator.i18n import force_locale
from facilitator.methods import ActionError
from facilitator.render import build_view, render_view

log = logging.getLogger(__name__)


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
        self.connections: dict[str, Connection] = {}
        self.lock = threading.Lock()
        self._dirty: set[str] = set()
        self._flush_locks: dict[str, threading.Lock] = {}
        self._wake = threading.Event()
        self._task = None
        self.core.on_change(self.mark)

    # -- connections --------------------------------------------------------
    def add(self, conn: Connection) -> None:
        """Register a connection (and count a participant as connected)."""
        with self.lock:
            self.connections[conn.sid] = conn
            if conn.participant_id:
                counts = self.core.connections
                counts[conn.participant_id] = counts.get(conn.participant_id, 0) + 1
        self.mark(conn.workshop_id)

    def remove(self, sid: str) -> Connection | None:
        """Forget a connection that closed."""
        with self.lock:
            conn = self.connections.pop(sid, None)
            if conn and conn.participant_id:
                counts = self.core.connections
                counts[conn.participant_id] = max(0, counts.get(conn.participant_id, 1) - 1)
        if conn:
            self.mark(conn.workshop_id)
        return conn

    def of_workshop(self, workshop_id: str) -> list[Connection]:
        """Open connections to one workshop."""
        with self.lock:
            return [c for c in self.connections.values() if c.workshop_id == workshop_id]

    # -- updates --------------------------------------------------------------
    def mark(self, workshop_id: str) -> None:
        """Note that a workshop changed; its clients get new views soon."""
        if self.app.config["LIVE_SYNC"]:
            self.flush(workshop_id)
            return
        with self.lock:
            self._dirty.add(workshop_id)
            if self._task is None:
                self._task = self.socketio.start_background_task(self._run)
        self._wake.set()

    def _run(self) -> None:
        interval = self.app.config["LIVE_INTERVAL"]
        while True:
            self._wake.wait()
            self.socketio.sleep(interval)
            self._wake.clear()
            with self.lock:
                dirty, self._dirty = self._dirty, set()
            for workshop_id in dirty:
                try:
                    self.flush(workshop_id)
                except Exception:  # a broken view must not stop all updates
                    log.exception("Could not send views of workshop %s", workshop_id)

    def flush(self, workshop_id: str, only_sid: str | None = None) -> None:
        """Render and send changed views of one workshop (or to one connection).

        One flush per workshop at a time, so an older view can never be sent
        after a newer one.
        """
        with self.lock:
            flush_lock = self._flush_locks.setdefault(workshop_id, threading.Lock())
        with flush_lock:
            self._flush(workshop_id, only_sid)

    def _flush(self, workshop_id: str, only_sid: str | None) -> None:
        conns = self.of_workshop(workshop_id)
        if only_sid:
            conns = [c for c in conns if c.sid == only_sid]
        if not conns:
            return
        base_url = self.app.config.get("PUBLIC_URL") or "http://localhost/"
        with self.app.test_request_context("/", base_url=base_url):
            try:
                workshop = self.core.workshop(workshop_id)
            except ActionError:
                for conn in conns:
                    self.socketio.emit("removed", {"reason": "workshop_deleted"}, to=conn.sid)
                return
            session = self.core.active_session(workshop)
            ctx = self.core.context(workshop, session) if session else None
            views: dict[tuple, tuple[dict, dict, str]] = {}
            rendered: dict[str, dict] = {}
            for conn in conns:
                participant = None
                if conn.participant_id:
                    participant = self.core.store.get("participants", conn.participant_id)
                    if participant is None or participant["removed"]:
                        continue
                key = (conn.role, conn.participant_id, conn.language)
                if key not in views:
                    with force_locale(conn.language):
                        payload, context = build_view(
                            self.core, workshop, conn.role, participant, ctx, session
                        )
                    # What the HTML depends on beyond the payload: language and own name.
                    extra = [conn.language, participant and participant.get("name")]
                    views[key] = (payload, context, digest({**payload, "extra": extra}))
                payload, context, fingerprint = views[key]
                if fingerprint == conn.last_digest:
                    continue  # the client has this view already: no rendering, no message
                if fingerprint not in rendered:
                    with force_locale(conn.language):
                        rendered[fingerprint] = render_view(self.core, payload, context)
                conn.last_digest = fingerprint
                self.socketio.emit("view", rendered[fingerprint], to=conn.sid)
