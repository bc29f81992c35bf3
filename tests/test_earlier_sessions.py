"""``ctx.earlier_sessions()``: the other started sessions of the same method on the server,
newest first, with deep copies of their states; read lazily, once per context, never written."""

from __future__ import annotations

import pytest

from facilitator import Field, Method, action
from facilitator.core import Core
from facilitator.storage import MemoryStore
from facilitator.testing import FakeClock, MethodHarness

KEYS = {"workshop_id", "workshop_title", "workshop_date", "session_id", "title", "status", "started",
        "closed", "state"}


class Probe(Method):
    """Counts, and tells what the context offers."""

    slug = "probe"
    name = "Probe"
    fields = (Field(name="topic", label="Topic"),)

    def initial_state(self, config):
        return {"topic": config["topic"], "count": 0, "notes": []}

    @action("facilitator")
    def bump(self, state, payload, actor, ctx):
        state["count"] += 1

    @action("facilitator")
    def peek(self, state, payload, actor, ctx):
        ctx.reply({"earlier": ctx.earlier_sessions()})

    @action("facilitator")
    def spoil(self, state, payload, actor, ctx):
        """Change what earlier_sessions() returned, then read again."""
        for session in ctx.earlier_sessions():
            session["state"]["count"] = -1
            session["state"]["notes"].append("spoiled")
        ctx.reply({"again": [s["state"]["count"] for s in ctx.earlier_sessions()]})


class Other(Probe):
    slug = "other"


class CountingStore(MemoryStore):
    """A memory store that counts full reads of the sessions table."""

    def __init__(self) -> None:
        super().__init__()
        self.session_reads = 0

    def all(self, table: str) -> list[dict]:
        if table == "sessions":
            self.session_reads += 1
        return super().all(table)


def harness(store=None, **kwargs) -> MethodHarness:
    clock = FakeClock()
    core = Core(store or MemoryStore(), {"probe": Probe(), "other": Other()}, clock=clock)
    return MethodHarness(Probe(), {"topic": "now"}, core=core, clock=clock, **kwargs)


def run_session(h: MethodHarness, workshop_id: str, topic: str, method: str = "probe",
                close: bool = True, bumps: int = 1) -> str:
    """Add a session to ``workshop_id``, start it, bump it and (by default) close it."""
    session = h.core.workshops.add_session(workshop_id, method, {"title": topic, "topic": topic})
    h.clock.advance(60)
    h.core.engine.activate_session(workshop_id, session["id"])
    for n in range(bumps):
        h.core.engine.apply_action(workshop_id, h.actor(), session["id"], "bump", {}, f"{session['id']}-{n}")
    if close:
        h.core.engine.close_session(workshop_id, session["id"])
    return session["id"]


def test_a_first_session_has_no_earlier_ones():
    assert harness().act("peek") == {"earlier": []}


def test_other_sessions_of_the_same_method_newest_first():
    h = harness()
    spring = h.core.workshops.create({"title": "Spring round", "date": "2026-03-01", "language": "de"})
    autumn = h.core.workshops.create({"title": "Autumn round", "date": "2025-10-01", "language": "de"})
    old = run_session(h, autumn["id"], "autumn", bumps=2)
    run_session(h, autumn["id"], "voting", method="other")        # another method: not listed
    h.core.workshops.add_session(spring["id"], "probe", {"topic": "never started"})  # not listed
    new = run_session(h, spring["id"], "spring", close=False)      # still pending after leaving
    h.core.engine.activate_session(spring["id"], None)
    same = run_session(h, h.workshop_id, "this workshop, earlier")
    h.activate()  # back to the harness's own session: never in its own list
    earlier = h.act("peek")["earlier"]
    assert [s["session_id"] for s in earlier] == [same, new, old]
    assert all(set(s) == KEYS for s in earlier)
    first, second, third = earlier
    assert first["workshop_id"] == h.workshop_id and first["title"] == "this workshop, earlier"
    assert second["workshop_title"] == "Spring round" and second["workshop_date"] == "2026-03-01"
    assert second["status"] == "pending" and second["closed"] is None
    assert third["status"] == "closed" and third["closed"] >= third["started"] > 0
    assert third["state"] == {"topic": "autumn", "count": 2, "notes": []}
    assert first["started"] > second["started"] > third["started"]


def test_a_deleted_workshop_takes_its_sessions_with_it():
    h = harness()
    gone = h.core.workshops.create({"title": "Gone", "date": "2025-01-01", "language": "de"})
    run_session(h, gone["id"], "gone")
    h.activate()
    assert len(h.act("peek")["earlier"]) == 1
    h.core.workshops.delete(gone["id"])
    assert h.act("peek") == {"earlier": []}


def test_what_a_method_gets_is_a_copy_and_nothing_is_written_back():
    h = harness()
    other = h.core.workshops.create({"title": "Other", "date": "2025-01-01", "language": "de"})
    sid = run_session(h, other["id"], "other", bumps=3)
    h.activate()
    before = h.core.store.get("sessions", sid)
    assert h.act("spoil") == {"again": [3]}  # the second call is not spoiled by the first
    assert h.core.store.get("sessions", sid) == before


def test_read_lazily_and_once_per_context():
    store = CountingStore()
    h = harness(store)
    store.session_reads = 0
    ctx = h.context()
    assert store.session_reads == 0  # nothing read until asked
    ctx.earlier_sessions()
    ctx.earlier_sessions()
    assert store.session_reads == 1


@pytest.mark.parametrize("workshops", [300])
def test_hundreds_of_workshops_are_read_in_one_pass(workshops):
    store = CountingStore()
    h = harness(store)
    for number in range(workshops):
        h.add_earlier_session({"count": number}, workshop_title=f"W{number}",
                              started=1_000.0 + number, method="other" if number % 3 else None)
    store.session_reads = 0
    earlier = h.act("peek")["earlier"]
    assert store.session_reads == 1
    assert [s["state"]["count"] for s in earlier] == list(range(workshops - 3, -1, -3))


def test_harness_can_add_an_earlier_session_to_its_own_workshop():
    h = harness()
    sid = h.add_earlier_session({"count": 7}, title="Before lunch", same_workshop=True, status="active")
    (found,) = h.act("peek")["earlier"]
    assert found["session_id"] == sid and found["workshop_id"] == h.workshop_id
    assert found["status"] == "active" and found["closed"] is None
    assert sid in h.core.workshops.get(h.workshop_id)["session_ids"]
