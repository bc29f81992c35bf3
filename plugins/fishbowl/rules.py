"""The pure rules of a fishbowl: phases, the discussion clock, chairs, turns.

The queue for the open chair and the make-room rule live in :mod:`.openchair`.

Nothing here imports Flask or translates text: a refused move raises
:class:`RuleError` with a code, and the method turns the code into a
readable message. Functions change the ``state`` dict they are given (the
method always works on a copy).

The parts of the state these rules use:

* ``settings``: ``chairs`` (3-8), ``open_chairs``, ``mode`` (``open`` or
  ``closed``), ``fairness`` (``arrival`` or ``first_timers_first``);
* ``phase``: ``ready`` -> ``running`` <-> ``paused`` -> ``ended``;
  ``paused_by_core`` is true while the fishbowl is paused because the room
  left it (:func:`suspend`), not by the facilitator;
* ``clock``: ``run`` (seconds the discussion ran before the current stretch)
  and ``since`` (wall time the current running stretch began, or ``None``).
  The discussion clock stands still while paused, so pauses never count as
  anybody's time in the circle;
* ``chairs``: one entry per chair, ``None`` or ``{"person", "seq"}`` where
  ``seq`` is the seating order;
* ``queue``: ``{"person", "at"}`` in arrival order;
* ``turns``: ``{"person", "round", "start", "end", "clock_start",
  "clock_end", "reason"}``; ``start``/``end`` are wall times for the log,
  ``clock_*`` are discussion-clock readings for durations; ``end`` is
  ``None`` while the turn runs. A turn runs only while the session is
  running or paused: people seated before the start begin their turn at the
  start;
* ``people``: ``{id: {"kind": "guest" | "participant", ...}}``; guests are
  the panel. Who is removed or has left the workshop is the core's record,
  not the state's.
"""

from __future__ import annotations

from typing import Any

ACTIVE_PHASES = ("running", "paused")


class RuleError(Exception):
    """A move the rules refuse; ``code`` names the reason (e.g. ``chair_full``)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def new_state(settings: dict, topic: str, guests: list[dict]) -> dict:
    """A fishbowl before its start; ``guests`` (the panel) are seated in order.

    :param guests: dicts with ``name``, ``organisation`` and ``org_type``.
    :raises RuleError: ``chair_full`` when the panel does not fit.
    """
    state: dict[str, Any] = {
        "settings": dict(settings),
        "topic": topic,
        "phase": "ready",
        "round": 1,
        "clock": {"run": 0.0, "since": None},
        "started_at": None,
        "ended_at": None,
        "chairs": [None] * settings["chairs"],
        "queue": [],
        "turns": [],
        "people": {},
        "seq": 0,
        "paused_by_core": False,
        "statements": [],
        "questions": [],
        "shown_question": None,
    }
    for guest in guests:
        guest_id = add_guest(state, **guest)
        seat(state, guest_id, 0.0)
    return state


# -- phases and the discussion clock ---------------------------------------


def clock(state: dict, now: float) -> float:
    """Seconds the discussion has been running (pauses excluded) at ``now``."""
    since = state["clock"]["since"]
    return state["clock"]["run"] + (max(0.0, now - since) if since is not None else 0.0)


def ensure_not_ended(state: dict) -> None:
    """:raises RuleError: ``session_ended`` once the fishbowl has ended."""
    if state["phase"] == "ended":
        raise RuleError("session_ended")


def start(state: dict, now: float) -> None:
    """Start the discussion: the clock runs and everyone seated begins a turn."""
    if state["phase"] != "ready":
        raise RuleError("already_started")
    state["phase"] = "running"
    state["started_at"] = now
    state["clock"] = {"run": 0.0, "since": now}
    for person in seated_people(state):
        _open_turn(state, person, now)


def pause(state: dict, now: float) -> None:
    """Stop the discussion clock; turns stay open but do not grow."""
    if state["phase"] != "running":
        raise RuleError("not_running")
    state["clock"] = {"run": clock(state, now), "since": None}
    state["phase"] = "paused"
    state["paused_by_core"] = False


def resume(state: dict, now: float) -> None:
    """Let the discussion clock run again after a pause."""
    if state["phase"] != "paused":
        raise RuleError("not_paused")
    state["clock"]["since"] = now
    state["phase"] = "running"
    state["paused_by_core"] = False


def end(state: dict, now: float) -> None:
    """End the fishbowl: every running turn closes, the clock stops, the queue empties."""
    ensure_not_ended(state)
    state["queue"] = []
    for person in seated_people(state):
        _close_turn(state, person, now, "end")
    state["clock"] = {"run": clock(state, now), "since": None}
    state["phase"] = "ended"
    state["ended_at"] = now
    state["paused_by_core"] = False


def suspend(state: dict, now: float) -> None:
    """The room left the fishbowl (for another session or the lobby): pause it if it runs.

    Remembers that the room, not the facilitator, paused it, so that
    :func:`unsuspend` resumes only this pause.
    """
    if state["phase"] == "running":
        pause(state, now)
        state["paused_by_core"] = True


def unsuspend(state: dict, now: float) -> None:
    """The room came back: resume the fishbowl if :func:`suspend` paused it.

    A pause the facilitator made stays; time away from the room never counts.
    """
    if state["phase"] == "paused" and state.get("paused_by_core"):
        resume(state, now)


def finish(state: dict, now: float) -> None:
    """The session was closed: a started fishbowl ends now (:func:`end`), so its clocks stop.

    One that never started stays ``ready``: nothing runs, and if the session is
    opened again it can still start.
    """
    if state["phase"] in ACTIVE_PHASES:
        end(state, now)


def next_round(state: dict, now: float) -> None:
    """Begin a new round: the people seated keep their chairs but start new turns."""
    if state["phase"] not in ACTIVE_PHASES:
        raise RuleError("not_started")
    people = seated_people(state)
    for person in people:
        _close_turn(state, person, now, "round")
    state["round"] += 1
    for person in people:
        _open_turn(state, person, now)


# -- people --------------------------------------------------------------------


def add_guest(state: dict, name: str, organisation: str = "", org_type: str = "other") -> str:
    """Add a panel guest without a phone; returns the new id (``g1``, ``g2``, ...)."""
    guests = [p for p in state["people"].values() if p["kind"] == "guest"]
    guest_id = f"g{len(guests) + 1}"
    state["people"][guest_id] = {
        "kind": "guest",
        "name": name,
        "organisation": organisation,
        "org_type": org_type or "other",
    }
    return guest_id


def is_panel(state: dict, person: str) -> bool:
    """Whether ``person`` belongs to the panel (the guests)."""
    return state["people"].get(person, {}).get("kind") == "guest"


def remove_person(state: dict, person: str, now: float) -> None:
    """Take a participant who is gone (removed, or left the workshop) out of the circle.

    Their turn closes (reason ``removed``) and they leave chair and queue; their
    turns stay in the log.
    """
    state["queue"] = [e for e in state["queue"] if e["person"] != person]
    if seat_of(state, person) is not None:
        leave(state, person, now, "removed")


# -- chairs and turns ------------------------------------------------------------


def seated_people(state: dict) -> list[str]:
    """The people in the inner circle, in the order they sat down."""
    taken = sorted((c for c in state["chairs"] if c), key=lambda c: c["seq"])
    return [c["person"] for c in taken]


def seat_of(state: dict, person: str) -> int | None:
    """The chair index ``person`` sits on, or ``None``."""
    for index, chair in enumerate(state["chairs"]):
        if chair and chair["person"] == person:
            return index
    return None


def free_chairs(state: dict) -> int:
    """How many chairs are empty."""
    return sum(1 for chair in state["chairs"] if chair is None)


def seat(state: dict, person: str, now: float) -> int:
    """Seat ``person`` on the first empty chair (leaving the queue); returns its index.

    :raises RuleError: ``already_seated`` or ``chair_full``.
    """
    if seat_of(state, person) is not None:
        raise RuleError("already_seated")
    if free_chairs(state) == 0:
        raise RuleError("chair_full")
    index = state["chairs"].index(None)
    state["seq"] += 1
    state["chairs"][index] = {"person": person, "seq": state["seq"]}
    state["queue"] = [e for e in state["queue"] if e["person"] != person]
    if state["phase"] in ACTIVE_PHASES:
        _open_turn(state, person, now)
    return index


def leave(state: dict, person: str, now: float, reason: str = "done") -> None:
    """``person`` leaves the inner circle; their turn ends.

    :raises RuleError: ``not_seated``.
    """
    index = seat_of(state, person)
    if index is None:
        raise RuleError("not_seated")
    _close_turn(state, person, now, reason)
    state["chairs"][index] = None


def open_turn(state: dict, person: str) -> dict | None:
    """The running turn of ``person``, or ``None``."""
    for turn in reversed(state["turns"]):
        if turn["person"] == person and turn["end"] is None:
            return turn
    return None


def turn_seconds(state: dict, turn: dict, now: float) -> float:
    """How long a turn lasted (or has lasted so far), pauses excluded."""
    end_clock = turn["clock_end"] if turn["end"] is not None else clock(state, now)
    return max(0.0, end_clock - turn["clock_start"])


def has_spoken(state: dict, person: str) -> bool:
    """Whether ``person`` has had a turn in the circle."""
    return any(turn["person"] == person for turn in state["turns"])


def _open_turn(state: dict, person: str, now: float) -> None:
    state["turns"].append(
        {
            "person": person,
            "round": state["round"],
            "start": now,
            "end": None,
            "clock_start": clock(state, now),
            "clock_end": None,
            "reason": "",
        }
    )


def _close_turn(state: dict, person: str, now: float, reason: str) -> None:
    turn = open_turn(state, person)
    if turn is not None:
        turn["end"] = now
        turn["clock_end"] = clock(state, now)
        turn["reason"] = reason
