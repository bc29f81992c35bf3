"""Drive one method's actions with generated payloads and check every ack.

Used by ``test_fuzz_dotvoting.py``, ``test_fuzz_fishbowl.py`` and
``test_fuzz_roundtable.py``: each gives the payload fields of its actions
(strategies) and their documented types.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Callable
from typing import Any

from hypothesis import strategies as st
from invariants import check_workshop
from kit import codes_for, snapshot
from strategies import action_names, count, shapes, weighted

SENDERS = weighted((5, st.just(("facilitator", 0))), (1, st.just(("projector", 0))),
                   (6, st.tuples(st.just("participant"), st.integers(0, 7))))
#: What a step does with its action id: a fresh one, the last one again with the same
#: payload (a retry), or the last one with another payload.
REUSE = weighted((12, st.just("fresh")), (2, st.just("retry")), (1, st.just("reuse")))
#: (intent, action pick, sender pick): below 60 the step sends an action the phase allows.
PLAN = st.tuples(st.integers(0, 99), st.integers(0, 255), st.integers(0, 255))
_ids = itertools.count()
#: (method, action) -> how often it was accepted (first sends, not retries).
ACCEPTED: Counter[tuple[str, str]] = Counter()


def well_typed(types: dict[str, str], payload: Any) -> bool:
    """Whether ``payload`` has the documented type for every field in ``types``.

    Kinds: ``str`` (present, text), ``str?`` (text, null or missing), ``int``
    (present, a whole number, not a bool), ``bool`` (present, a bool), ``bool?``
    (a bool or missing).
    """
    if payload is None:
        payload = {}
    if not isinstance(payload, dict):
        return False
    for name, kind in types.items():
        value = payload.get(name)
        good = {
            "str": isinstance(value, str),
            "str?": value is None or isinstance(value, str),
            "int": isinstance(value, int) and not isinstance(value, bool),
            "bool": isinstance(value, bool),
            "bool?": name not in payload or isinstance(value, bool),
        }[kind]
        if not good:
            return False
    return True


class MethodFuzz:
    """Sends generated actions of one method into the room's active session of it."""

    def __init__(self, slug: str, fields: dict[str, dict], types: dict[str, dict],
                 phases: dict[str, tuple[str, ...]], final: tuple[str, ...] = (),
                 phase_of: Callable[[dict], Any] = lambda state: state.get("phase"),
                 prefer: Callable[[dict, str], Any] = lambda state, action: None) -> None:
        self.slug = slug
        self.phase_of = phase_of  # what the steering calls the phase of a state
        self.prefer = prefer  # the participant a steered action is best sent by, if any
        self.final = final  # phases after which the room mostly moves on to a fresh session
        self.fields = fields
        self.types = types
        self.phases = phases
        self.names = action_names(sorted(fields))
        union: dict[str, st.SearchStrategy] = {}
        for action_fields in fields.values():
            for name, strategy in action_fields.items():
                union.setdefault(name, strategy)
        #: One payload strategy for every action (so that what is drawn never depends on the
        #: state); ``trim`` keeps only the chosen action's fields.
        self.shapes = shapes(union)
        self.last: dict[str, tuple[str, str, Any, dict]] = {}  # sender -> (id, action, payload, ack)
        self.applied = False  # whether the last step's action was applied

    def plausible(self, room) -> list[str]:
        """The actions the active session's phase allows (all if none does); an action
        whose phases name the phase twice is picked twice as often."""
        phase = self.phase_of(room.active_state())
        found = [name for name, phases in sorted(self.phases.items())
                 for listed in phases if listed == phase]
        return found or sorted(self.fields)

    def example(self, room, data, browser) -> None:
        """One hypothesis example: maybe a fresh session, then 1-4 actions."""
        room.replenish()
        # Rare events sit on a middle value: hypothesis draws 0 (and the bounds) often.
        fresh = data.draw(st.integers(0, 14), label="fresh session") == 7
        variant = data.draw(st.integers(0, 2), label="variant")
        move_on = data.draw(st.integers(0, 3), label="after the end") != 3
        busy = data.draw(st.booleans(), label="busy")
        session = room.core.workshops.active_session(room.core.workshops.get(room.workshop["id"]))
        ended = session is not None and self.phase_of(session["state"]) in self.final
        if fresh or session is None or session["method"] != self.slug or (ended and move_on):
            session = room.activate(self.slug, fresh=True, variant=variant, busy=busy)
            self.last.clear()
        if data.draw(st.integers(0, 29), label="tick") == 13:
            room.app.config["CLOCK"].advance(data.draw(st.integers(1, 600), label="seconds"))
        for _ in range(data.draw(st.integers(1, 4), label="actions")):
            self.step(room, data, session["id"])
        if data.draw(st.integers(0, 149), label="minutes") == 75:
            room.minutes_render(browser)

    def step(self, room, data, session_id: str) -> tuple[bool, Any, Any, Any]:
        """Send one action; check the ack, the store, retries, roles, types, invariants.

        Returns whether it was accepted, the ack, and the action and payload sent.
        """
        intent, pick_action, pick_sender = data.draw(PLAN, label="plan")
        sender = data.draw(SENDERS, label="sender")
        action = data.draw(self.names, label="action")
        shape = data.draw(self.shapes, label="payload")
        trim = data.draw(st.booleans(), label="trim")
        how = data.draw(REUSE, label="action id")
        if intent < 60:  # something the phase allows, from a role that may send it
            candidates = self.plausible(room)
            action = candidates[pick_action % len(candidates)]
            roles = sorted(set(room.core.methods[self.slug].actions[action].roles) - {"system"})
            sender = (roles[pick_sender % len(roles)], pick_sender)
        role, client = room.pick(sender)
        preferred = self.prefer(room.active_state(), action) if intent < 30 and role == "participant" else None
        if preferred in room.phones and room.phones[preferred].is_connected():
            client = room.phones[preferred]  # e.g. the one who has the floor gives it back
        key = f"{role}:{id(client)}"
        names = sorted(self.fields.get(action, {})) if isinstance(action, str) else []
        payload = room.resolve(shape.build(names, trim))
        last = self.last.get(key)
        if how == "fresh" or last is None:
            action_id = f"fz-{next(_ids)}"
        else:
            action_id = last[0]
            if how == "retry":
                action, payload = last[1], last[2]
        envelope = {"session_id": session_id, "action": action, "payload": payload,
                    "action_id": action_id}
        before = snapshot(room.core)
        ok, ack = room.step(client, "action", (envelope,), codes_for(self.slug))
        count(self.slug)
        receipt = last is not None and action_id == last[0] and last[3].get("ok")
        if receipt and (action, payload) == (last[1], last[2]):
            # a retry of an accepted action: the first ack again, nothing applied
            assert ack == last[3], f"a retry got another ack: {ack} != {last[3]}"
            assert snapshot(room.core) == before, "a retry changed the store"
        elif receipt:  # the same id for something else: refused (malformed data first)
            assert not ok and ack["error"]["code"] in ("action_id_reused", "invalid"), ack
        elif ok:
            spec = room.core.methods[self.slug].actions.get(action)
            assert spec is not None, f"undeclared action {action!r} accepted"
            assert role in spec.roles, f"{role} may not send {action} but it was accepted"
            assert well_typed(self.types.get(action, {}), payload), \
                f"{action} accepted an ill-typed payload {payload!r}"[:500]
        self.applied = bool(ok) and not receipt  # accepted now, not answered from a receipt
        if not receipt:
            self.last[key] = (action_id, action, payload, ack)
            if ok:
                ACCEPTED[(self.slug, action)] += 1
        check_workshop(room.core, room.workshop["id"])
        return ok, ack, action, payload
