"""Running methods: actions, the session lifecycle, timers and long computations. Pure Python (no Flask).

The one path every method call takes: find the session, give the method its
own copy of the state and a fresh context, then persist the new state, what
the method staged (agreements, status changes, timers, computations) and the
receipt in one durable batch before anybody is told. A refusal stores nothing.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import threading
from collections.abc import Callable
from typing import Any

from facilitator.context import CoreContext, refuse_unknown, resolve_function
from facilitator.errors import ActionError
from facilitator.events import ChangeEvents
from facilitator.i18n import _
from facilitator.ledger import Ledger
from facilitator.methods import SYSTEM, Actor, Method
from facilitator.people import People, is_present
from facilitator.presence import Presence
from facilitator.registry import MethodRegistry
from facilitator.storage import Store
from facilitator.workers import run_off_lock
from facilitator.workshops import Workshops

log = logging.getLogger(__name__)
ACTION_NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
ACTION_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")
SYSTEM_ACTOR = Actor(role=SYSTEM)
Call = Callable[[Method, dict, CoreContext], "dict | None"]
#: How long (seconds) a receipt answers retries of its action. A phone retries an
#: unacknowledged action within seconds or minutes, and only while its page is
#: open, so a day is ample; receipts of a deleted session or workshop go with it.
RECEIPT_TTL = 24 * 60 * 60
#: How often (clock seconds) :meth:`Engine.apply_action` drops expired receipts.
RECEIPT_PRUNE_EVERY = 60 * 60


def payload_digest(action: str, payload: dict) -> str:
    """A fingerprint of an action and its payload, kept in the receipt."""
    body = json.dumps([action, payload], sort_keys=True, default=str)
    return hashlib.blake2b(body.encode("utf-8", "replace"), digest_size=12).hexdigest()


class Engine:
    """Route actions and lifecycle events to methods; fire timers; run computations.

    :param store: where records live.
    :param clock: epoch seconds.
    :param events: told after every change.
    :param lock: the core's lock, held around every method call and its write.
    :param methods: the installed methods.
    :param workshops, people, ledger: the parts a context reads from.
    :param presence: who is online (read only).
    :param run_off: runs a function off the lock (see :mod:`facilitator.workers`).
    """

    def __init__(self, store: Store, clock: Callable[[], float], events: ChangeEvents,
                 lock: threading.RLock, methods: MethodRegistry, workshops: Workshops,
                 people: People, ledger: Ledger, presence: Presence,
                 run_off: Callable = run_off_lock) -> None:
        self.store = store
        self.clock = clock
        self.events = events
        self.lock = lock
        self.methods = methods
        self.workshops = workshops
        self.people = people
        self.ledger = ledger
        self.presence = presence
        self.run_off = run_off
        self._receipts_pruned_at = float("-inf")

    def context(self, workshop: dict, session: dict, roster: list[dict] | None = None) -> CoreContext:
        """A fresh method context for ``session`` (``roster``: participants already read)."""
        return CoreContext(workshop, session, self.people, self.ledger, self.presence, self.clock, roster,
                           store=self.store)

    # -- one method call, stored whole ------------------------------------------
    def _run(self, workshop: dict, session: dict, call: Call,
             roster: list[dict] | None = None) -> tuple[CoreContext, list]:
        """Run ``call(method, state, ctx)`` on the session's own copy; return the writes.

        Called with the lock held. Raises what the method raises; nothing is stored.
        """
        method = self.methods.method(session["method"])
        ctx = self.context(workshop, session, roster)
        state = session["state"]  # decoded for this call alone: the method's own copy
        result = call(method, state, ctx)
        new_state = state if result is None else result
        if not isinstance(new_state, dict):
            raise TypeError(f"{method.slug} returned {type(new_state).__name__}, not dict")
        session["state"] = new_state
        return ctx, [("sessions", session["id"], session), *ctx.writes()]

    def _commit(self, writes: list, contexts: list[CoreContext]) -> None:
        """Store one batch durably, then start the computations it holds."""
        self.store.put_many(writes)
        for ctx in contexts:
            self._start_jobs(ctx.jobs)

    def _call(self, workshop: dict, session: dict, call: Call, extra: list | None = None) -> CoreContext:
        """:meth:`_run` and store its writes with ``extra`` in one batch."""
        ctx, writes = self._run(workshop, session, call)
        self._commit([*writes, *(extra or [])], [ctx])
        return ctx

    # -- actions ------------------------------------------------------------
    def apply_action(self, workshop_id: str, actor: Actor, session_id: Any, action: Any,
                     payload: Any, action_id: Any) -> dict:
        """Apply one method action; returns the reply data for the sender.

        :raises ActionError: with a code and readable message; nothing changed.
        """
        if actor.participant_id and not is_present(self.people.get(workshop_id, actor.participant_id)):
            raise ActionError("removed", _("You are no longer part of this workshop."))
        if not isinstance(action, str) or not ACTION_NAME.match(action):
            raise ActionError("invalid", _("The action name is missing or malformed."))
        if payload is None:
            payload = {}
        if not isinstance(payload, dict):
            raise ActionError("invalid", _("The action's data must be an object."))
        if not isinstance(action_id, str) or not ACTION_ID.match(action_id):
            raise ActionError("invalid", _("Every action needs an action id (1-64 letters or digits)."))
        if actor.role == SYSTEM:
            raise ActionError("forbidden", _("You may not do this in your role."))
        digest = payload_digest(action, payload)
        with self.lock:
            if self.clock() - self._receipts_pruned_at >= RECEIPT_PRUNE_EVERY:
                self.prune_receipts()
            workshop = self.workshops.get(workshop_id)
            session = self.workshops.session(workshop_id, session_id)
            receipt_key = f"{session_id}:{actor.participant_id or actor.role}:{action_id}"
            receipt = self.store.get("receipts", receipt_key)
            if receipt is not None:
                if receipt.get("digest", digest) != digest:
                    raise ActionError("action_id_reused",
                                      _("This action id was already used for another action."))
                return receipt["reply"]
            if session["status"] != "active" or workshop["active_session_id"] != session_id:
                raise ActionError("session_not_active", _("This session is not running right now."))
            method = self.methods.method(session["method"])
            refuse_unknown(method.actions, action)
            if actor.role not in method.actions[action].roles:
                raise ActionError("forbidden", _("You may not do this in your role."))
            old_state = dict(session["state"])  # shallow: enough to compare top-level fields
            receipt = {"id": receipt_key, "workshop_id": workshop_id, "session_id": session_id,
                       "action": action, "digest": digest, "at": self.clock()}
            ctx, writes = self._run(workshop, session,
                                    lambda m, state, c: m.apply(state, action, payload, actor, c))
            reply = dict(ctx.reply_data)
            receipt["reply"] = reply  # a retry is answered with the same reply
            self._commit([*writes, ("receipts", receipt_key, receipt)], [ctx])
        if actor.participant_id and method.view_scope(old_state, session["state"], action) == "actor":
            self.events.changed(workshop_id, {actor.participant_id})
        else:
            self.events.changed(workshop_id)
        return reply

    def prune_receipts(self) -> int:
        """Drop the receipts older than :data:`RECEIPT_TTL`; returns how many went.

        :meth:`apply_action` calls it at most every :data:`RECEIPT_PRUNE_EVERY`
        seconds. A receipt from before receipts were dated is kept while its
        session is the active one, and dropped otherwise.
        """
        with self.lock:
            now = self.clock()
            self._receipts_pruned_at = now
            expired = [("receipts", receipt["id"], None) for receipt in self.store.all("receipts")
                       if self._receipt_expired(receipt, now - RECEIPT_TTL)]
            if expired:
                self.store.put_many(expired)
        return len(expired)

    def _receipt_expired(self, receipt: dict, cutoff: float) -> bool:
        at = receipt.get("at")
        if isinstance(at, int | float):
            return at < cutoff
        session_id = receipt.get("session_id") or str(receipt["id"]).split(":", 1)[0]
        session = self.store.get("sessions", session_id)
        return session is None or session.get("status") != "active"

    def _system_action(self, workshop: dict, session: dict, action: str, payload: dict,
                       extra: list) -> None:
        """Send the session an action of role ``SYSTEM`` (a timer, a computation's result).

        Called with the lock held. A refusal is logged; ``extra`` is stored either way.
        """
        method = self.methods.method(session["method"])
        spec = method.actions.get(action)
        try:
            if spec is None or SYSTEM not in spec.roles:
                raise ActionError("unknown_action", f"{method.slug} has no system action {action!r}")
            self._call(workshop, session, lambda m, state, c: m.apply(state, action, payload, SYSTEM_ACTOR, c),
                       extra=extra)
        except ActionError as exc:
            log.warning("System action %s of session %s refused: %s", action, session["id"], exc.message)
            self.store.put_many(extra)
        self.events.changed(workshop["id"])

    # -- lifecycle ------------------------------------------------------------
    def activate_session(self, workshop_id: str, session_id: str | None) -> None:
        """Put the room into ``session_id`` (``None``: back to the lobby).

        The session left is told (:meth:`Method.left`) and keeps its state; the
        one entered is told (:meth:`Method.activated`); a closed one is reopened.
        """
        with self.lock:
            workshop = self.workshops.get(workshop_id)
            entering = self.workshops.session(workshop_id, session_id) if session_id is not None else None
            previous = workshop["active_session_id"]
            if previous == session_id and (entering is None or entering["status"] == "active"):
                return
            workshop["active_session_id"] = session_id
            writes, contexts = [("workshops", workshop_id, workshop)], []
            old = self.store.get("sessions", previous) if previous and previous != session_id else None
            if old is not None:
                if old["status"] == "active":
                    old["status"] = "pending"
                ctx, more = self._run(workshop, old, lambda m, state, c: m.left(state, c))
                writes, contexts = writes + more, contexts + [ctx]
            if entering is not None:
                entering.update(status="active", started=True)
                entering.setdefault("activated_at", self.clock())
                entering.pop("closed_at", None)
                ctx, more = self._run(workshop, entering, lambda m, state, c: m.activated(state, c))
                writes, contexts = writes + more, contexts + [ctx]
            self._commit(writes, contexts)
        self.events.changed(workshop_id)

    def close_session(self, workshop_id: str, session_id: str) -> None:
        """Close a session: it stays on screen but accepts no more actions; its timers go."""
        with self.lock:
            workshop = self.workshops.get(workshop_id)
            session = self.workshops.session(workshop_id, session_id)
            if session["status"] == "closed":
                return  # closing twice (a double tap) changes nothing
            session.update(status="closed", closed_at=self.clock())
            pending = self.workshops.session_records(session_id, tables=("timers", "jobs"))
            self._call(workshop, session, lambda m, state, c: m.closed(state, c), extra=pending)
        self.events.changed(workshop_id)

    def remove_participant(self, workshop_id: str, participant_id: str) -> None:
        """Remove someone: their token stops working and every method drops them."""
        self._depart(workshop_id, participant_id, "removed", "participant_removed")

    def participant_left(self, workshop_id: str, participant_id: str) -> None:
        """Someone left on their phone: their token stops working, the record stays."""
        self._depart(workshop_id, participant_id, "left", "participant_left")

    def _depart(self, workshop_id: str, participant_id: str, flag: str, hook: str) -> None:
        with self.lock:
            workshop = self.workshops.get(workshop_id)
            participant = self.people.get(workshop_id, participant_id)
            if not is_present(participant):
                raise ActionError("already_removed", _("This person has already been removed."))
            participant.update({flag: True, f"{flag}_at": self.clock()})
            # Every context below sees them gone; all is stored in one batch.
            roster = [participant if p["id"] == participant_id else p
                      for p in self.people.of_workshop(workshop_id, include_absent=True)]
            writes, contexts = [("participants", participant_id, participant)], []
            for session in self.workshops.sessions(workshop_id):
                if session["status"] == "closed" and hook == "participant_left":
                    continue  # leaving after the end changes nothing in a closed session
                ctx, more = self._run(workshop, session,
                                      lambda m, state, c: getattr(m, hook)(state, participant_id, c),
                                      roster)
                writes, contexts = writes + more, contexts + [ctx]
            self._commit(writes, contexts)
        self.events.changed(workshop_id)

    # -- timers ---------------------------------------------------------------
    def next_due(self) -> float | None:
        """When the next timer is due (epoch seconds), or ``None``."""
        times = [timer["at"] for timer in self.store.all("timers")]
        return min(times) if times else None

    def fire_due(self) -> int:
        """Fire every timer that is due, each once; returns how many fired."""
        fired = 0
        now = self.clock()
        for timer in sorted(self.store.all("timers"), key=lambda t: t["at"]):
            if timer["at"] > now:
                break
            with self.lock:
                # Skipped when cancelled or rescheduled meanwhile.
                fired += self._run_pending("timers", timer, timer["action"], timer["payload"])
        return fired

    def _run_pending(self, table: str, record: dict, action: str, payload: dict) -> bool:
        """Deliver a pending timer or computation result once, removing its record.

        Called with the lock held. False when the record changed meanwhile
        (cancelled, superseded) or its session is gone.
        """
        if self.store.get(table, record["id"]) != record:
            return False
        done = [(table, record["id"], None)]
        try:
            workshop = self.workshops.get(record["workshop_id"])
            session = self.workshops.session(workshop["id"], record["session_id"])
        except ActionError:
            self.store.put_many(done)
            return False
        self._system_action(workshop, session, action, payload, done)
        return True

    # -- computations off the lock ------------------------------------------------
    def _start_jobs(self, jobs: list[dict]) -> None:
        for job in jobs:
            function = resolve_function(job["function"])
            self.run_off(function, tuple(job["args"]), lambda result, error, job=job: self._deliver(job, result, error))

    def resume_jobs(self) -> int:
        """Start again the computations a stopped server left unfinished."""
        jobs = self.store.all("jobs")
        self._start_jobs(jobs)
        return len(jobs)

    def _deliver(self, job: dict, result: Any, error: BaseException | None) -> None:
        """Send a computation's result to its session as the action ``then``."""
        payload = {"key": job["key"]}
        if error is None:
            payload["result"] = result
        else:
            log.error("Computation %s of session %s failed: %r", job["function"], job["session_id"], error)
            payload["error"] = str(error) or type(error).__name__
        with self.lock:
            self._run_pending("jobs", job, job["then"], payload)

    # -- reading --------------------------------------------------------------
    def method_view(self, workshop: dict, session: dict, role: str, actor: Actor | None,
                    ctx: CoreContext | None = None) -> dict:
        """What ``role`` (and ``actor``) may see of ``session``'s state."""
        method = self.methods.method(session["method"])
        return method.view(session["state"], role, actor, ctx or self.context(workshop, session))

    def session_minutes(self, workshop: dict, session: dict) -> str:
        """The method's Markdown section for one session."""
        method = self.methods.method(session["method"])
        return method.minutes(session["state"], self.context(workshop, session))
