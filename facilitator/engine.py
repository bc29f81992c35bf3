"""Applying method actions and computing views (part of ``Core``).

The one path every method action takes: check the envelope, find the active
session, check the role, answer a retried action from its receipt, let the
method apply it to a copy, then persist state, agreements and receipt in one
durable batch before the sender is acknowledged.
"""

from __future__ import annotations

import re
from typing import Any

from facilitator.i18n import _
from facilitator.methods import ActionError, Actor
from facilitator.model import org_type_label

ACTION_NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
ACTION_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")


class CoreContext:
    """The :class:`facilitator.MethodContext` the core hands to a method."""

    def __init__(self, core: Any, workshop: dict, session: dict) -> None:
        self._core = core
        self._workshop = workshop
        self.session_id = session["id"]
        self.config = session["config"]
        self.language = workshop["language"]
        self.privacy = workshop["privacy"]
        self.staged: list[dict] = []
        self.reply_data: dict = {}
        self._people: dict[str, dict] | None = None
        self._present: list[dict] | None = None

    def now(self) -> float:
        """Seconds since the epoch, from the core's clock."""
        return self._core.clock()

    def _all_people(self) -> dict[str, dict]:
        if self._people is None:
            self._people = {
                p["id"]: p
                for p in self._core.participants(self._workshop["id"], include_removed=True)
            }
        return self._people

    def participants(self) -> list[dict]:
        """Participants present (not removed), with privacy-aware labels (built once per context)."""
        if self._present is None:
            self._present = self._build_participants()
        return [dict(p) for p in self._present]

    def _build_participants(self) -> list[dict]:
        return [
            {
                "id": p["id"],
                "label": self._core.label(self._workshop, p),
                "org_type": p["org_type"],
                "org_type_label": org_type_label(p["org_type"]),
                "connected": self._core.connections.get(p["id"], 0) > 0,
            }
            for p in self._all_people().values()
            if not p["removed"]
        ]

    def label(self, participant_id: str) -> str:
        """The privacy-aware label of a participant (removed ones included)."""
        person = self._all_people().get(participant_id)
        return self._core.label(self._workshop, person) if person else _("(unknown)")

    def org_type_label(self, org_type: str) -> str:
        """The translated name of a type of organisation."""
        return org_type_label(org_type)

    def record_agreement(self, what, who_person="", who_org="", due="", review="") -> str:
        """Stage an agreement; the core stores it only if the action succeeds."""
        agreement = self._core.new_agreement(
            self._workshop["id"],
            self.session_id,
            {"what": what, "who_person": who_person, "who_org": who_org, "due": due, "review": review},
            "method",
        )
        self.staged.append(agreement)
        return agreement["id"]

    def agreements(self) -> list[dict]:
        """This session's agreements as edited in the ledger, plus staged ones."""
        return self._core.agreements(self._workshop["id"], self.session_id) + list(self.staged)

    def reply(self, data: dict) -> None:
        """Add data to the sender's acknowledgement."""
        self.reply_data.update(data)


class EngineMixin:
    """Route actions to methods and compute what each role sees."""

    def context(self, workshop: dict, session: dict) -> CoreContext:
        """A fresh method context for ``session``."""
        return CoreContext(self, workshop, session)

    def apply_action(
        self,
        workshop_id: str,
        actor: Actor,
        session_id: Any,
        action: Any,
        payload: Any,
        action_id: Any,
    ) -> dict:
        """Apply one method action; returns the reply data for the sender.

        :raises ActionError: with a code and readable message; nothing changed.
        """
        if not isinstance(action, str) or not ACTION_NAME.match(action):
            raise ActionError("invalid", _("The action name is missing or malformed."))
        if payload is None:
            payload = {}
        if not isinstance(payload, dict):
            raise ActionError("invalid", _("The action's data must be an object."))
        if not isinstance(action_id, str) or not ACTION_ID.match(action_id):
            raise ActionError("invalid", _("Every action needs an action id (1-64 letters or digits)."))
        actor_key = actor.participant_id or actor.role
        with self.lock:
            workshop = self.workshop(workshop_id)
            session = self.session(workshop_id, session_id)
            receipt_key = f"{session_id}:{actor_key}:{action_id}"
            receipt = self.store.get("receipts", receipt_key)
            if receipt is not None:
                if receipt.get("action", action) != action:
                    raise ActionError(
                        "action_id_reused",
                        _("This action id was already used for another action."),
                    )
                return receipt["reply"]
            if session["status"] != "active" or workshop["active_session_id"] != session_id:
                raise ActionError("session_not_active", _("This session is not running right now."))
            method = self.method(session["method"])
            allowed = method.actions.get(action)
            if allowed is None:
                raise ActionError("unknown_action", _("This session has no such action."))
            if actor.role not in allowed:
                raise ActionError("forbidden", _("You may not do this in your role."))
            ctx = self.context(workshop, session)
            old_state = dict(session["state"])  # shallow: enough to compare top-level fields
            new_state = method.apply(session["state"], action, payload, actor, ctx)
            if not isinstance(new_state, dict):
                raise TypeError(f"{method.slug}.apply returned {type(new_state).__name__}, not dict")
            session["state"] = new_state
            reply = dict(ctx.reply_data)
            batch: list[tuple[str, str, dict | None]] = [("sessions", session_id, session)]
            batch += [("agreements", a["id"], a) for a in ctx.staged]
            batch.append(
                (
                    "receipts",
                    receipt_key,
                    {"id": receipt_key, "workshop_id": workshop_id, "action": action, "reply": reply},
                )
            )
            self.store.put_many(batch)
        if actor.participant_id and method.view_scope(old_state, new_state, action) == "actor":
            self.changed(workshop_id, {actor.participant_id})
        else:
            self.changed(workshop_id)
        return reply

    def active_session(self, workshop: dict) -> dict | None:
        """The session the room is in, or ``None`` (lobby)."""
        sid = workshop.get("active_session_id")
        return self.store.get("sessions", sid) if sid else None

    def method_view(
        self, workshop: dict, session: dict, role: str, actor: Actor | None, ctx: CoreContext | None = None
    ) -> dict:
        """What ``role`` (and ``actor``) may see of ``session``'s state."""
        method = self.method(session["method"])
        ctx = ctx or self.context(workshop, session)
        return method.view(session["state"], role, actor, ctx)

    def session_minutes(self, workshop: dict, session: dict) -> str:
        """The method's Markdown section for one session."""
        method = self.method(session["method"])
        return method.minutes(session["state"], self.context(workshop, session))
