"""Change events: how the core tells the transport that views must be refreshed. Pure Python (no Flask)."""

from __future__ import annotations

from collections.abc import Callable

Listener = Callable[[str, "set[str] | None"], None]


class ChangeEvents:
    """Listeners called after every change to a workshop."""

    def __init__(self) -> None:
        self._listeners: list[Listener] = []

    def subscribe(self, listener: Listener) -> None:
        """Call ``listener(workshop_id, participants)`` after every change."""
        self._listeners.append(listener)

    def changed(self, workshop_id: str, participants: set[str] | None = None) -> None:
        """Tell listeners that ``workshop_id`` changed.

        ``participants``: only these participants' own views (and the facilitator's
        and projector's) can have changed; ``None``: anybody's.
        """
        for listener in self._listeners:
            listener(workshop_id, participants)
