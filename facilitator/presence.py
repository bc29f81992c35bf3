"""Who is online: open connections per participant, kept by the transport. Pure Python (no Flask).

The transport writes (:meth:`Presence.connected`, :meth:`Presence.disconnected`);
the core and the methods only read (:meth:`Presence.is_online`).
"""

from __future__ import annotations

import threading


class Presence:
    """Counts open connections per participant."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._open: dict[str, int] = {}

    def connected(self, participant_id: str) -> None:
        """A phone of ``participant_id`` connected."""
        with self._lock:
            self._open[participant_id] = self._open.get(participant_id, 0) + 1

    def disconnected(self, participant_id: str) -> None:
        """A phone of ``participant_id`` disconnected."""
        with self._lock:
            left = self._open.get(participant_id, 1) - 1
            if left > 0:
                self._open[participant_id] = left
            else:
                self._open.pop(participant_id, None)

    def is_online(self, participant_id: str) -> bool:
        """Whether at least one phone of ``participant_id`` is connected now."""
        return self._open.get(participant_id, 0) > 0
