"""Drive a method through the real core over an in-memory store (like pytest's ``pytester``).

:class:`MethodHarness` runs one session of one method with the same engine the
server uses (validation of the form, role checks, receipts, lifecycle calls,
timers, computations, the ledger), so a method's tests cannot drift from the
server. No Flask, no sockets::

    h = MethodHarness(MyMethod(), {"question": "Where first?"}, participants=["anna", "ben"])
    h.act("add_option", {"text": "Housing"}, by="anna")     # -> the reply
    h.view("anna"), h.view("projector"), h.state, h.ledger
    h.advance(60)                                           # the clock, and due timers fire
    h.minutes()

Earlier sessions (what ``ctx.earlier_sessions()`` reads): run another harness
on the same core (``MethodHarness(method, form, core=h.core)``: a second
workshop on the same server), or store one directly with
:meth:`MethodHarness.add_earlier_session`.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping

from facilitator.core import Core
from facilitator.ids import new_id
from facilitator.methods import Actor, Method
from facilitator.storage import MemoryStore
from facilitator.workers import run_inline, run_off_lock


class FakeClock:
    """A clock the test moves by hand: ``clock.advance(seconds)``."""

    def __init__(self, start: float = 1_774_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        """The current fake time."""
        return self.now

    def advance(self, seconds: float) -> None:
        """Move time forward."""
        self.now += seconds


class MethodHarness:
    """One workshop with one session of ``method``, already started.

    :param method: the method under test.
    :param form: the session form's data (as the facilitator would submit it;
        ``title`` optional); checked by the method's fields and ``validate_config``.
    :param participants: names of people who join; refer to them by these names.
    :param privacy: ``"named"``, ``"anonymous"`` or ``"chatham"`` (Chatham House).
    :param language: the workshop's language.
    :param org_types: name -> type of organisation (default ``"other"``).
    :param compute: ``"inline"`` runs ``ctx.compute`` work at once, ``"thread"``
        off the lock in a thread, as the server does.
    :param start: activate the session right away.
    :param speaking_time: the workshop's protocol setting "per-person speaking
        time in the minutes" (``ctx.speaking_time``); see :meth:`set_speaking_time`.
    :param core: run on an existing harness's core (``h.core``): a further
        workshop on the same server, e.g. a later round.
    """

    def __init__(self, method: Method, form: Mapping | None = None,
                 participants: Iterable[str] = (), privacy: str = "named", language: str = "en",
                 org_types: Mapping[str, str] | None = None, compute: str = "inline",
                 start: bool = True, clock: FakeClock | None = None,
                 core: Core | None = None, speaking_time: bool = False) -> None:
        self.method = method
        self.clock = clock or FakeClock()
        self.core = core or Core(MemoryStore(), {method.slug: method}, clock=self.clock,
                                 run_off=run_inline if compute == "inline" else run_off_lock)
        workshop = self.core.workshops.create(
            {"title": "Test workshop", "date": "2026-03-30", "language": language, "privacy": privacy})
        self.workshop_id = workshop["id"]
        if speaking_time:
            self.set_speaking_time(True)
        # As the server reads a form: a missing field takes its default, a missing
        # checkbox (bool) is unchecked, as a browser sends it.
        session = self.core.workshops.add_session(self.workshop_id, method.slug, dict(form or {}))
        self.session_id = session["id"]
        self.ids: dict[str, str] = {}
        self._action_ids = itertools.count(1)
        for name in participants:
            self.join(name, (org_types or {}).get(name, "other"))
        if start:
            self.activate()

    # -- the workshop and the server ------------------------------------------------
    def set_speaking_time(self, shown: bool) -> None:
        """Set the protocol setting behind ``ctx.speaking_time`` (as the minutes page does)."""
        workshop = self.core.workshops.get(self.workshop_id)
        workshop["protocol"] = {**(workshop.get("protocol") or {}), "speaking_time": bool(shown)}
        self.core.store.put("workshops", self.workshop_id, workshop)

    def add_earlier_session(self, state: dict, title: str = "Earlier session",
                            workshop_title: str = "Earlier workshop", date: str = "",
                            same_workshop: bool = False, status: str = "closed",
                            started: float | None = None, closed: float | None = None,
                            method: str | None = None) -> str:
        """Store a session that ran before, with ``state`` as it ended; returns its id.

        It belongs to a new workshop ``workshop_title`` on ``date`` (or, with
        ``same_workshop``, to this workshop's agenda) and shows in
        ``ctx.earlier_sessions()`` of this harness's session; ``started`` (the
        clock's time by default; later calls count as newer on a tie) orders
        them. ``method`` is another method's slug (default: this one).
        """
        if same_workshop:
            workshop = self.core.workshops.get(self.workshop_id)
        else:
            workshop = self.core.workshops.create(
                {"title": workshop_title, "date": date, "language": "en", "privacy": "named"})
        started_at = self.clock() if started is None else started
        session = {"id": new_id("s"), "workshop_id": workshop["id"], "method": method or self.method.slug,
                   "title": title, "config": {}, "state": state, "status": status, "started": True,
                   "created_at": started_at, "activated_at": started_at}
        if status == "closed":
            session["closed_at"] = started_at if closed is None else closed
        workshop["session_ids"].append(session["id"])
        self.core.store.put_many([("sessions", session["id"], session),
                                  ("workshops", workshop["id"], workshop)])
        return session["id"]

    # -- people --------------------------------------------------------------
    def join(self, name: str, org_type: str = "other", organisation: str = "") -> str:
        """Let ``name`` join (in anonymous mode without a name); returns their participant id."""
        record = self.core.people.join(self.workshop_id, {
            "name": name.capitalize(), "org_type": org_type, "organisation": organisation})
        self.ids[name] = record["id"]
        return record["id"]

    def pid(self, name: str) -> str:
        """The participant id of ``name``."""
        return self.ids[name]

    def name_of(self, participant_id: str) -> str:
        """The name a participant id was joined under."""
        return {pid: name for name, pid in self.ids.items()}[participant_id]

    def remove(self, name: str) -> None:
        """The facilitator removes ``name``."""
        self.core.engine.remove_participant(self.workshop_id, self.ids[name])

    def leave(self, name: str) -> None:
        """``name`` leaves on their phone."""
        self.core.engine.participant_left(self.workshop_id, self.ids[name])

    def actor(self, who: str = "facilitator") -> Actor:
        """The :class:`Actor` of a role (``facilitator``, ``projector``) or a participant's name."""
        if who in ("facilitator", "projector"):
            return Actor(role=who)
        workshop = self.core.workshops.get(self.workshop_id)
        return self.core.people.actor(workshop, self.core.people.get(self.workshop_id, self.ids[who]))

    # -- acting ----------------------------------------------------------------
    def act(self, action: str, payload: dict | None = None, by: str = "facilitator",
            action_id: str | None = None) -> dict:
        """Send ``action`` as ``by`` (a role or a participant's name); returns the reply.

        :raises ActionError: as the server would answer it; nothing changed then.
        """
        return self.core.engine.apply_action(
            self.workshop_id, self.actor(by), self.session_id, action, payload or {},
            action_id or f"t{next(self._action_ids)}")

    def advance(self, seconds: float) -> int:
        """Move the clock and fire the timers that are due; returns how many fired."""
        self.clock.advance(seconds)
        return self.core.engine.fire_due()

    # -- lifecycle ---------------------------------------------------------------
    def activate(self) -> None:
        """Start (or resume, or reopen) the session."""
        self.core.engine.activate_session(self.workshop_id, self.session_id)

    def to_lobby(self) -> None:
        """Leave the session for the lobby (it keeps its state)."""
        self.core.engine.activate_session(self.workshop_id, None)

    def close(self) -> None:
        """Close the session."""
        self.core.engine.close_session(self.workshop_id, self.session_id)

    # -- reading -------------------------------------------------------------------
    @property
    def session(self) -> dict:
        """The stored session record."""
        return self.core.workshops.session(self.workshop_id, self.session_id)

    @property
    def state(self) -> dict:
        """The stored state."""
        return self.session["state"]

    @property
    def config(self) -> dict:
        """The validated config."""
        return self.session["config"]

    def context(self):
        """A fresh method context, as the core builds it."""
        workshop = self.core.workshops.get(self.workshop_id)
        return self.core.engine.context(workshop, self.session)

    def view(self, who: str = "facilitator") -> dict:
        """What a role (``facilitator``, ``projector``) or a participant (by name) sees."""
        workshop = self.core.workshops.get(self.workshop_id)
        role = who if who in ("facilitator", "projector") else "participant"
        return self.core.engine.method_view(workshop, self.session, role, self.actor(who))

    def minutes(self) -> str:
        """The method's Markdown section of the minutes."""
        workshop = self.core.workshops.get(self.workshop_id)
        return self.core.engine.session_minutes(workshop, self.session)

    @property
    def ledger(self) -> list[dict]:
        """This session's agreements in the ledger."""
        return self.core.ledger.of_workshop(self.workshop_id, self.session_id)

    @property
    def timers(self) -> list[dict]:
        """This session's pending timers."""
        return [t for t in self.core.store.all("timers") if t["session_id"] == self.session_id]


__all__ = ["FakeClock", "MethodHarness", "run_inline"]
