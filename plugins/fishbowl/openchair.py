"""The queue for the open chair, and who should make room when the circle is full.

Pure rules over the fishbowl state described in :mod:`.rules`; refusals
raise :class:`.rules.RuleError`.
"""

from __future__ import annotations

from facilitator_plugins.fishbowl.rules import (
    ACTIVE_PHASES,
    RuleError,
    free_chairs,
    has_spoken,
    is_panel,
    open_turn,
    seat,
    seat_of,
    seated_people,
    turn_seconds,
)


def request_chair(state: dict, person: str, now: float) -> str:
    """Ask for a chair: sit at once if one is free and nobody waits, else queue.

    The core applies actions one at a time, so of two people asking for the
    last free chair the first sits and the second is queued.

    :return: ``"seated"`` or ``"queued"``.
    :raises RuleError: ``closed_fishbowl``, ``already_seated``, ``already_queued``.
    """
    if state["settings"]["mode"] != "open":
        raise RuleError("closed_fishbowl")
    if seat_of(state, person) is not None:
        raise RuleError("already_seated")
    if any(e["person"] == person for e in state["queue"]):
        raise RuleError("already_queued")
    if free_chairs(state) and not state["queue"]:
        seat(state, person, now)
        return "seated"
    state["queue"].append({"person": person, "at": now})
    return "queued"


def withdraw(state: dict, person: str) -> None:
    """Leave the queue. :raises RuleError: ``not_queued``."""
    if not any(e["person"] == person for e in state["queue"]):
        raise RuleError("not_queued")
    state["queue"] = [e for e in state["queue"] if e["person"] != person]


def queue_order(state: dict) -> list[str]:
    """Who gets the next free chair, first first.

    ``arrival``: first come, first served. ``first_timers_first``: people who
    have not been in the circle yet go before those who have, each group in
    arrival order.
    """
    people = [e["person"] for e in state["queue"]]
    if state["settings"].get("fairness") != "first_timers_first":
        return people
    new = [p for p in people if not has_spoken(state, p)]
    return new + [p for p in people if has_spoken(state, p)]


def queue_position(state: dict, person: str) -> int | None:
    """1-based place of ``person`` in :func:`queue_order`, or ``None``."""
    order = queue_order(state)
    return order.index(person) + 1 if person in order else None


def seat_next(state: dict, now: float) -> str:
    """Seat the first person of the queue; returns who.

    :raises RuleError: ``queue_empty`` or ``chair_full``.
    """
    order = queue_order(state)
    if not order:
        raise RuleError("queue_empty")
    seat(state, order[0], now)
    return order[0]


def open_chairs_free(state: dict) -> int:
    """How many of the empty chairs are open chairs, kept for the audience.

    The circle has ``chairs - open_chairs`` regular chairs and ``open_chairs``
    open ones. Empty regular chairs are simply free: anyone may sit down on
    them (or the facilitator seats someone). Once they are taken, the empty
    chairs left are the open ones; whoever sits down on one of them makes the
    circle "full", and the person seated longest is asked to make room
    (:func:`make_room_candidate`). A closed fishbowl has no open chairs.
    """
    if state["settings"]["mode"] != "open":
        return 0
    return min(free_chairs(state), state["settings"]["open_chairs"])


def open_chair_indexes(state: dict) -> set[int]:
    """The indexes of the empty chairs that are open chairs (:func:`open_chairs_free`).

    People sit down on the first empty chair, so the open chairs are the last
    empty ones: the free regular chairs fill up first.
    """
    empty = [index for index, chair in enumerate(state["chairs"]) if chair is None]
    count = open_chairs_free(state)
    return set(empty[len(empty) - count:]) if count else set()


def make_room_candidate(state: dict, now: float) -> str | None:
    """Who should make room, or ``None`` when nobody needs to.

    Room is needed in an open fishbowl once more people sit than there are
    regular chairs (``chairs - open_chairs``): the newest arrivals hold the
    open chairs, and of the others the seated non-panel person with the
    longest current turn is asked to leave (the earlier seated on a tie).
    """
    settings = state["settings"]
    if settings["mode"] != "open" or state["phase"] not in ACTIVE_PHASES:
        return None
    seated = seated_people(state)
    excess = len(seated) - (settings["chairs"] - settings["open_chairs"])
    if excess <= 0:
        return None
    holders = [p for p in seated[: len(seated) - excess] if not is_panel(state, p)]
    if not holders:
        return None

    def current(person: str) -> float:
        turn = open_turn(state, person)
        return turn_seconds(state, turn, now) if turn else 0.0

    return max(holders, key=lambda p: (current(p), -seated.index(p)))
