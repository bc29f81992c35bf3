"""Helpers for testing a method without a server (like pytest's ``pytester``).

``FakeContext`` implements :class:`facilitator.MethodContext` in memory so a
method's ``apply``/``view``/``minutes`` can be driven directly::

    ctx = FakeContext(config=method.validate_config(...), participants=["a", "b"])
    state = method.initial_state(ctx.config)
    state = ctx.apply(method, state, "vote", {"option": "o1"}, ctx.actor("a"))
"""

from __future__ import annotations

import copy
import itertools

from facilitator.methods import Actor, Method


class FakeContext:
    """An in-memory :class:`~facilitator.MethodContext` with a settable clock."""

    def __init__(
        self,
        config: dict | None = None,
        participants: list[str] | None = None,
        privacy: str = "named",
        language: str = "en",
        now: float = 1_700_000_000.0,
        org_types: dict[str, str] | None = None,
    ) -> None:
        self.session_id = "s1"
        self.config = config or {}
        self.privacy = privacy
        self.language = language
        self.clock = now
        self._people = list(participants or [])
        self._org_types = org_types or {}
        self.ledger: list[dict] = []
        self._staged: list[dict] = []
        self.last_reply: dict = {}
        self._ids = itertools.count(1)

    # -- MethodContext ---------------------------------------------------
    def now(self) -> float:
        """The fake clock; advance it with ``ctx.clock += seconds``."""
        return self.clock

    def participants(self) -> list[dict]:
        """Participants present, in join order."""
        return [
            {
                "id": pid,
                "label": self.label(pid),
                "org_type": self._org_types.get(pid, "other"),
                "org_type_label": self.org_type_label(self._org_types.get(pid, "other")),
                "connected": True,
            }
            for pid in self._people
        ]

    def label(self, participant_id: str) -> str:
        """Named mode: the id capitalised; anonymous mode: the org type."""
        if self.privacy == "anonymous":
            return self.org_type_label(self._org_types.get(participant_id, "other"))
        return participant_id.capitalize()

    def org_type_label(self, org_type: str) -> str:
        """The org type key itself, capitalised."""
        return org_type.replace("_", " ").capitalize()

    def record_agreement(self, what, who_person="", who_org="", due="", review="") -> str:
        """Stage an agreement; committed by :meth:`apply` when the action succeeds."""
        from facilitator.ledger import clean_agreement

        fields = clean_agreement(  # the same checks as the core's ledger
            {"what": what, "who_person": who_person, "who_org": who_org, "due": due, "review": review}
        )
        agreement_id = f"a{next(self._ids)}"
        self._staged.append({"id": agreement_id, "session_id": self.session_id, **fields})
        return agreement_id

    def agreements(self) -> list[dict]:
        """Agreements committed so far."""
        return list(self.ledger)

    def reply(self, data: dict) -> None:
        """Remember the reply data of the last action."""
        self.last_reply.update(data)

    # -- helpers for tests ------------------------------------------------
    def add_participant(self, participant_id: str, org_type: str = "other") -> None:
        """Let one more person join."""
        self._people.append(participant_id)
        self._org_types[participant_id] = org_type

    def remove_participant(self, participant_id: str) -> None:
        """Remove a person (as the facilitator would)."""
        self._people.remove(participant_id)

    def actor(self, participant_id: str | None = None, role: str | None = None) -> Actor:
        """An Actor: a participant by id, or ``role="facilitator"``/``"projector"``."""
        if participant_id is None:
            return Actor(role=role or "facilitator")
        return Actor(
            role="participant",
            participant_id=participant_id,
            label=self.label(participant_id),
            org_type=self._org_types.get(participant_id, "other"),
        )

    def apply(self, method: Method, state: dict, action: str, payload: dict, actor: Actor) -> dict:
        """Apply like the core does: role check, copy, commit staged agreements on success."""
        allowed = method.actions.get(action)
        if allowed is None:
            from facilitator.methods import ActionError

            raise ActionError("unknown_action", f"Unknown action: {action}")
        if actor.role not in allowed:
            from facilitator.methods import ActionError

            raise ActionError("forbidden", "Your role may not do this.")
        self._staged = []
        self.last_reply = {}
        try:
            new_state = method.apply(copy.deepcopy(state), action, payload, actor, self)
        except Exception:
            self._staged = []
            raise
        self.ledger.extend(self._staged)
        self._staged = []
        return new_state
