"""The core service, composed of explicit parts. Pure Python (no Flask, no sockets).

:class:`Core` builds the parts in one place and hands each what it needs:

* :class:`~facilitator.workshops.Workshops`: workshops and their agenda;
* :class:`~facilitator.people.People`: joining, tokens, labels;
* :class:`~facilitator.ledger.Ledger`: agreements and their status;
* :class:`~facilitator.engine.Engine`: method actions, session lifecycle,
  timers and computations off the lock;
* :class:`Settings`: persistent server settings (secret keys).

Every read-modify-write runs under one lock: TinyDB is not thread-safe, and
serialising actions is what makes races (two people taking the last open
chair) come out the same on every screen. The web layer keeps one ``Core``
per app in ``app.extensions["facilitator"]`` and subscribes to
``core.events`` to broadcast fresh views.

Deleting a workshop leaves nothing of it: its records go in one batch, the
parts told through :meth:`Workshops.on_delete` forget what they keep in memory
(People: the tokens), the store rewrites its files, and the change event fires
for listeners that hold per-workshop state, which ask
``core.workshops.exists(workshop_id)`` to tell a deletion from a change.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping

from facilitator.engine import Engine
from facilitator.events import ChangeEvents
from facilitator.ledger import Ledger
from facilitator.methods import Method
from facilitator.people import People
from facilitator.presence import Presence
from facilitator.registry import MethodRegistry
from facilitator.storage import Store
from facilitator.workers import run_off_lock
from facilitator.workshops import Workshops


class Settings:
    """Persistent settings of this server, e.g. the facilitator's secret token."""

    def __init__(self, store: Store, lock: threading.RLock) -> None:
        self.store = store
        self.lock = lock

    def get(self, key: str, factory: Callable[[], str]) -> str:
        """The setting ``key``, created with ``factory()`` on first use."""
        with self.lock:
            doc = self.store.get("settings", key)
            if doc is None:
                doc = {"value": factory()}
                self.store.put("settings", key, doc)
            return doc["value"]


class Core:
    """Workshops and everything in them, persisted in a :class:`Store`.

    :param store: where records live (TinyDB journal store by default).
    :param methods: installed methods by slug.
    :param clock: returns seconds since the epoch (tests pass a fake clock).
    :param presence: who is online; written by the transport, read here.
    :param run_off: runs long computations off the lock (a thread by default).
    """

    def __init__(self, store: Store, methods: Mapping[str, Method],
                 clock: Callable[[], float] = time.time, presence: Presence | None = None,
                 run_off: Callable = run_off_lock) -> None:
        self.store = store
        self.clock = clock
        self.lock = threading.RLock()
        self.events = ChangeEvents()
        self.presence = presence or Presence()
        self.methods = MethodRegistry(methods)
        parts = (store, clock, self.events, self.lock)
        self.workshops = Workshops(*parts, self.methods)
        self.people = People(*parts, self.workshops)
        self.ledger = Ledger(*parts, self.workshops)
        self.engine = Engine(*parts, self.methods, self.workshops, self.people, self.ledger,
                             self.presence, run_off)
        self.settings = Settings(store, self.lock)

    def close(self) -> None:
        """Close the store (checkpoint and release the data folder)."""
        self.store.close()
