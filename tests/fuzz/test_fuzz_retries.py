"""Retries and dropped connections: every action is applied exactly once (docs/protocol.md §7).

A generated schedule interleaves actions of four phones and the facilitator
with lost acks (the server answered, the client never saw it), retries with
the same ``action_id`` and payload, dropped and new Socket.IO connections, and
switches between a dot-voting and a fishbowl session. The test keeps the true
ack of every send: a send whose action was already accepted must get that
first ack word for word and change nothing; every other accepted send applies
the action once, and a model replays exactly those. At the end every pending
action is retried on a fresh connection, and the sessions must equal the
model: each participant's dots are their last accepted ``set_dots`` per option
and the totals their sum; every accepted question, upvote and guest is there
exactly once; nobody is seated or queued twice.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import pytest
from facilitator_plugins.dotvoting import rules
from hypothesis import given
from hypothesis import strategies as st
from invariants import check_workshop
from kit import Room, codes_for, snapshot
from strategies import count, fuzz_settings

PHONES = 4
KINDS = ["set_dots"] * 4 + ["post_question", "upvote_question", "request_chair", "withdraw",
                            "add_guest", "retry", "retry", "drop", "reconnect", "switch"]
OP = st.tuples(st.sampled_from(KINDS), st.integers(0, PHONES), st.integers(0, 63), st.booleans())
_ids = itertools.count()


@dataclass
class Action:
    """One action the user meant, sent once or more with the same id and payload."""

    who: str  # a participant id, or "facilitator"
    session_id: str
    name: str
    payload: dict
    action_id: str = field(default_factory=lambda: f"r{next(_ids)}")
    ack: dict | None = None  # the first true "ok" ack
    seen: bool = False  # the client saw an ack for it


@pytest.fixture
def fresh(app, core, sio):
    """A new room (its own workshops and connections) per example, in one app."""
    opened: list[Room] = []

    def make() -> Room:
        while opened:  # the last example's room: hang up
            old = opened.pop()
            old.close()
            for _role, client in old.clients():
                client.disconnect()
        opened.append(Room.open(app, core, sio))
        return opened[-1]

    yield make
    for room in opened:
        room.close()


class Schedule:
    """The clients, the actions and the model of one generated schedule."""

    def __init__(self, room: Room) -> None:
        self.room = room
        self.dv = room.activate("dotvoting", fresh=True, variant=1)
        self.fb = room.add_session("fishbowl")
        self.people = list(room.phones)[:PHONES - 1] + [room.add_phone()["id"]]
        self.tokens = {p["id"]: p["token"] for p in room.core.store.all("participants")}
        self.clients = room.phones  # participant id -> its current connection
        self.actions: list[Action] = []
        self.dots: dict[str, dict[str, int]] = {}
        self.questions: list[tuple[str, str]] = []  # (id from the reply, text)
        self.upvotes: dict[str, set[str]] = {}
        self.guests: list[str] = []

    def active(self) -> str:
        return self.room.core.workshops.get(self.room.workshop["id"])["active_session_id"]

    def client(self, who: str):
        return self.room.fac if who == "facilitator" else self.clients.get(who)

    def send(self, action: Action, lose: bool) -> None:
        """Send ``action`` (if its sender is connected); ``lose``: its ack never arrives."""
        client = self.client(action.who)
        if client is None or not client.is_connected():
            return
        envelope = {"session_id": action.session_id, "action": action.name,
                    "payload": action.payload, "action_id": action.action_id}
        before = snapshot(self.room.core)
        ok, ack = self.room.step(client, "action", (envelope,), codes_for(None))
        count("retries")
        if action.ack is not None:
            assert ack == action.ack, f"a retry of {action.name} got {ack}, first {action.ack}"
            assert snapshot(self.room.core) == before, f"a retry of {action.name} changed data"
        elif ok:
            action.ack = ack
            self.apply(action, ack["reply"])
        action.seen = action.seen or not lose
        if lose and action.who != "facilitator":
            client.disconnect()  # the connection dropped before the ack came

    def apply(self, action: Action, reply: dict) -> None:
        """The model: what an accepted action does."""
        if action.name == "set_dots":
            own = self.dots.setdefault(action.who, {})
            own[action.payload["option"]] = action.payload["count"]
            if not own[action.payload["option"]]:
                del own[action.payload["option"]]
        elif action.name == "post_question":
            self.questions.append((reply["question"], action.payload["text"]))
        elif action.name == "upvote_question":
            self.upvotes.setdefault(action.payload["question"], set()).symmetric_difference_update(
                {action.who})
        elif action.name == "add_guest":
            self.guests.append(action.payload["name"])

    def new(self, kind: str, who: str, arg: int) -> Action:
        session = self.dv["id"] if kind == "set_dots" else self.fb["id"]
        payload: dict = {}
        if kind == "set_dots":
            options = self.dv["state"]["ballot"]
            payload = {"option": options[arg % len(options)], "count": arg % 4}
        elif kind in ("post_question", "add_guest"):
            payload = {"name" if kind == "add_guest" else "text": f"{kind} {len(self.actions)}"}
        elif kind == "upvote_question":
            asked = [qid for qid, _text in self.questions] or ["q1"]
            payload = {"question": asked[arg % len(asked)]}
        action = Action("facilitator" if kind == "add_guest" else who, session, kind, payload)
        self.actions.append(action)
        return action

    def run(self, op: tuple) -> None:
        kind, index, arg, lose = op
        who = self.people[index % PHONES]
        if kind == "drop" and self.clients[who].is_connected():
            self.clients[who].disconnect()
        elif kind == "reconnect" and not self.clients[who].is_connected():
            self.clients[who] = self.room.sio("participant", token=self.tokens[who])
        elif kind == "switch":
            target = self.fb if self.active() == self.dv["id"] else self.dv
            assert self.room.send(self.room.fac, "session.activate",
                                  {"session_id": target["id"]}) == {"ok": True}
        elif kind == "retry":
            mine = [a for a in self.actions if a.who in (who, "facilitator")]
            if mine:
                self.send(mine[arg % len(mine)], lose)
        elif kind not in ("drop", "reconnect"):
            self.send(self.new(kind, who, arg), lose)
        self.room.drain()
        check_workshop(self.room.core, self.room.workshop["id"])

    def finish(self) -> None:
        """Reconnect everybody, retry what was never acknowledged, compare with the model."""
        for who in self.people:
            if not self.clients[who].is_connected():
                self.clients[who] = self.room.sio("participant", token=self.tokens[who])
        for session in (self.dv, self.fb):
            self.room.send(self.room.fac, "session.activate", {"session_id": session["id"]})
            for action in self.actions:
                if action.session_id == session["id"] and not action.seen:
                    self.send(action, lose=False)
        dv = self.room.core.workshops.session(self.room.workshop["id"], self.dv["id"])["state"]
        assert dv["dots"] == {pid: own for pid, own in self.dots.items() if own}
        assert dv["totals"] == rules.tally(self.dots, dv["ballot"])
        fb = self.room.core.workshops.session(self.room.workshop["id"], self.fb["id"])["state"]
        assert [(q["id"], q["text"]) for q in fb["questions"]] == self.questions
        for question in fb["questions"]:
            assert set(question["upvoters"]) == self.upvotes.get(question["id"], set())
        guests = [p["name"] for p in fb["people"].values() if p["kind"] == "guest"]
        assert guests == ["Dr. Gast", *self.guests]
        check_workshop(self.room.core, self.room.workshop["id"])


@fuzz_settings(80)
@given(ops=st.lists(OP, min_size=10, max_size=40))
def test_retries_and_reconnects_apply_every_action_exactly_once(fresh, ops):
    schedule = Schedule(fresh())
    for op in ops:
        schedule.run(op)
    schedule.finish()
