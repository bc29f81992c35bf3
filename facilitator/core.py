"""The core service: one object that owns workshops, sessions, participants,
agreements and the application of method actions.

It is plain Python (no Flask, no sockets) so the whole domain is testable
directly. The web layer keeps one ``Core`` per app in
``app.extensions["facilitator"]`` and subscribes to :meth:`Core.on_change` to
broadcast fresh views.

Every public mutation runs under one lock: TinyDB is not thread-safe, and
serialising actions is what makes races (two people taking the last open
chair) come out the same on every screen.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from facilitator.engine import EngineMixin
from facilitator.i18n import _
from facilitator.ledger import LedgerMixin
from facilitator.methods import ActionError, Method
from facilitator.people import PeopleMixin
from facilitator.storage.base import Store
from facilitator.workshops import WorkshopsMixin


class Core(WorkshopsMixin, PeopleMixin, LedgerMixin, EngineMixin):
    """Workshops and everything in them, persisted in a :class:`Store`.

    :param store: where records live (TinyDB journal store by default).
    :param methods: installed methods by slug.
    :param clock: returns seconds since the epoch (tests pass a fake clock).
    """

    def __init__(
        self,
        store: Store,
        methods: dict[str, Method],
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store = store
        self.methods = methods
        self.clock = clock
        self.lock = threading.RLock()
        #: participant id -> number of open connections (set by the transport).
        self.connections: dict[str, int] = {}
        self._listeners: list[Callable[[str], None]] = []
        self._token_index: dict[str, str] | None = None  # see PeopleMixin._tokens

    def on_change(self, listener: Callable[[str], None]) -> None:
        """Call ``listener(workshop_id)`` after every change to a workshop."""
        self._listeners.append(listener)

    def changed(self, workshop_id: str, participants: set[str] | None = None) -> None:
        """Tell listeners that ``workshop_id`` changed (views must be refreshed).

        ``participants``: only these participants' own views (and the facilitator's and
        projector's) can have changed; ``None``: anybody's.
        """
        for listener in self._listeners:
            listener(workshop_id, participants)

    def method(self, slug: str) -> Method:
        """The installed method ``slug``, or a readable error."""
        try:
            return self.methods[slug]
        except KeyError:
            raise ActionError("unknown_method", _("There is no method called %(slug)s.", slug=slug)) from None

    def setting(self, key: str, factory: Callable[[], str]) -> str:
        """A persistent setting, created with ``factory()`` on first use."""
        with self.lock:
            doc = self.store.get("settings", key)
            if doc is None:
                doc = {"value": factory()}
                self.store.put("settings", key, doc)
            return doc["value"]
