"""Method contract v2 through the real engine: actions, lifecycle, timers, ledger, computations."""

from __future__ import annotations

import time

import pytest

from facilitator import SYSTEM, ActionError, Field, Method, action
from facilitator.core import Core
from facilitator.storage import MemoryStore, TinyJournalStore
from facilitator.testing import FakeClock, MethodHarness


class Recorder(Method):
    """Records every call the core makes, and offers a timer and a computation."""

    slug = "recorder"
    name = "Recorder"
    fields = (Field(name="topic", label="Topic"),)

    def initial_state(self, config):
        return {"calls": [], "count": 0, "result": None, "job_error": None}

    @action("participant", "facilitator")
    def bump(self, state, payload, actor, ctx):
        state["count"] += int(payload.get("by", 1))
        ctx.reply({"count": state["count"]})

    @action("facilitator", name="raise")  # a name that is a Python keyword
    def raise_hand(self, state, payload, actor, ctx):
        state["calls"].append("raise")

    @action("facilitator")
    def refuse_halfway(self, state, payload, actor, ctx):
        state["count"] = 999  # changed before the refusal: must not be stored
        raise ActionError("no", "Refused.")

    @action("facilitator")
    def arm(self, state, payload, actor, ctx):
        ctx.schedule("limit", ctx.now() + payload["seconds"], "time_up", {"why": "limit"})

    @action("facilitator")
    def disarm(self, state, payload, actor, ctx):
        ctx.cancel("limit")

    @action(SYSTEM)
    def time_up(self, state, payload, actor, ctx):
        state["calls"].append(("time_up", payload["why"], actor.role))

    @action("facilitator")
    def crunch(self, state, payload, actor, ctx):
        ctx.compute("crunch", busy_sum, payload["n"], payload.get("seconds", 0), then="crunched")

    @action(SYSTEM)
    def crunched(self, state, payload, actor, ctx):
        state["result"] = payload.get("result")
        state["job_error"] = payload.get("error")

    @action("facilitator")
    def promise(self, state, payload, actor, ctx):
        ctx.reply({"agreement": ctx.record_agreement(what=payload["what"], who_org="VHS",
                                                     follow_up="Frau Aydın")})

    @action("facilitator")
    def review(self, state, payload, actor, ctx):
        earlier = ctx.earlier_agreements()
        state["reviewed"] = [a["what"] for a in earlier]
        for agreement in earlier:
            ctx.set_agreement_status(agreement["id"], payload["status"], payload.get("note", ""),
                                     due=payload.get("due"))

    def activated(self, state, ctx):
        state["calls"].append("activated")

    def left(self, state, ctx):
        state["calls"].append("left")

    def closed(self, state, ctx):
        state["calls"].append("closed")

    def participant_removed(self, state, participant_id, ctx):
        state["calls"].append(("removed", ctx.participant(participant_id)["present"],
                               [p["id"] for p in ctx.participants()]))

    def view(self, state, role, actor, ctx):
        return {"count": state["count"]}


def busy_sum(n: int, seconds: float) -> int:
    """CPU-bound work for ``seconds`` (at least), then the sum of 0..n-1."""
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        sum(range(1000))
    if n < 0:
        raise ValueError("n must not be negative")
    return sum(range(n))


def test_one_declaration_gives_name_roles_and_dispatch():
    assert {name: spec.roles for name, spec in Recorder.actions.items()}["bump"] == ("participant", "facilitator")
    assert "raise" in Recorder.actions and "raise_hand" not in Recorder.actions
    h = MethodHarness(Recorder(), {"topic": "x"}, participants=["anna"])
    assert h.act("bump", {"by": 2}, by="anna") == {"count": 2}
    h.act("raise")
    assert h.state["calls"][-1] == "raise"
    with pytest.raises(ActionError) as refused:
        h.act("raise", by="anna")
    assert refused.value.code == "forbidden"
    with pytest.raises(ActionError) as unknown:
        h.act("nonexistent")
    assert unknown.value.code == "unknown_action"
    with pytest.raises(ActionError) as system:  # nobody may send a system action
        h.act("time_up", {"why": "x"})
    assert system.value.code == "forbidden"


def test_action_needs_valid_roles():
    with pytest.raises(ValueError):
        action("organiser")
    with pytest.raises(ValueError):
        action()


def test_refusal_half_way_stores_nothing():
    h = MethodHarness(Recorder(), {"topic": "x"})
    h.act("bump")
    with pytest.raises(ActionError):
        h.act("refuse_halfway")
    assert h.state["count"] == 1


def test_same_action_id_with_other_payload_is_refused():
    h = MethodHarness(Recorder(), {"topic": "x"}, participants=["anna"])
    assert h.act("bump", {"by": 2}, by="anna", action_id="x1") == {"count": 2}
    assert h.act("bump", {"by": 2}, by="anna", action_id="x1") == {"count": 2}  # a retry
    with pytest.raises(ActionError) as reused:
        h.act("bump", {"by": 1}, by="anna", action_id="x1")
    assert reused.value.code == "action_id_reused"
    assert h.state["count"] == 2


def test_lifecycle_calls_in_order():
    h = MethodHarness(Recorder(), {"topic": "x"}, participants=["anna", "ben"], start=False)
    assert h.state["calls"] == []
    h.activate()
    h.to_lobby()
    h.activate()
    h.remove("ben")
    h.close()
    h.activate()  # reopening a closed session
    calls = h.state["calls"]
    assert calls[:3] == ["activated", "left", "activated"]
    assert calls[3] == ["removed", False, [h.pid("anna")]]  # stored as JSON: lists
    assert calls[4:] == ["closed", "activated"]
    with pytest.raises(ActionError) as refused:  # the core refuses a removed participant
        h.act("bump", by="ben")
    assert refused.value.code == "removed"


def test_entering_another_session_tells_the_one_left():
    h = MethodHarness(Recorder(), {"topic": "one"})
    other = h.core.workshops.add_session(h.workshop_id, "recorder", {"topic": "two"})
    h.core.engine.activate_session(h.workshop_id, other["id"])
    assert h.state["calls"] == ["activated", "left"]
    assert h.session["status"] == "pending"
    assert h.core.workshops.session(h.workshop_id, other["id"])["state"]["calls"] == ["activated"]


def test_participant_leaving_on_the_phone():
    h = MethodHarness(Recorder(), {"topic": "x"}, participants=["anna", "ben"])
    token = h.core.people.get(h.workshop_id, h.pid("anna"))["token"]
    h.leave("anna")
    assert h.state["calls"][-1] == ["removed", False, [h.pid("ben")]]  # default: like a removal
    with pytest.raises(ActionError) as gone:
        h.core.people.by_token(token)
    assert gone.value.code == "unknown_participant"


def test_scheduled_action_fires_once_at_its_time():
    h = MethodHarness(Recorder(), {"topic": "x"})
    h.act("arm", {"seconds": 120})
    assert h.advance(119) == 0
    assert h.advance(1) == 1
    assert h.state["calls"][-1] == ["time_up", "limit", "system"]
    assert h.advance(600) == 0 and h.timers == []


def test_rescheduling_replaces_and_cancel_removes():
    h = MethodHarness(Recorder(), {"topic": "x"})
    h.act("arm", {"seconds": 10})
    h.act("arm", {"seconds": 100})
    assert len(h.timers) == 1
    assert h.advance(50) == 0
    h.act("disarm")
    assert h.advance(100) == 0
    assert "time_up" not in str(h.state["calls"])


def test_closing_drops_timers():
    h = MethodHarness(Recorder(), {"topic": "x"})
    h.act("arm", {"seconds": 10})
    h.close()
    assert h.timers == [] and h.advance(20) == 0


def test_scheduled_action_survives_a_restart_and_fires_once(tmp_path):
    clock = FakeClock()
    store = TinyJournalStore(tmp_path)
    h = MethodHarness(Recorder(), {"topic": "x"}, clock=clock,
                      core=Core(store, {"recorder": Recorder()}, clock=clock))
    h.act("arm", {"seconds": 60})
    store.close()  # the server stops before the timer is due
    clock.advance(3600)
    for _restart in range(2):
        core = Core(TinyJournalStore(tmp_path), {"recorder": Recorder()}, clock=clock)
        fired = core.engine.fire_due()
        state = core.workshops.session(h.workshop_id, h.session_id)["state"]
        core.close()
        assert state["calls"].count(["time_up", "limit", "system"]) == 1
        assert fired == (1 if _restart == 0 else 0)


def test_ledger_status_across_workshops():
    h = MethodHarness(Recorder(), {"topic": "first"})
    reply = h.act("promise", {"what": "Sprachcafé starten"})
    first = h.core.ledger.find(reply["agreement"])
    assert (first["status"], first["follow_up"], first["history"]) == ("open", "Frau Aydın", [])
    later = MethodHarness(Recorder(), {"topic": "next"}, core=h.core, clock=h.clock)
    h.clock.advance(86400)
    later.act("review", {"status": "in_progress", "note": "Raum gefunden", "due": "2027-02-01"})
    assert later.state["reviewed"] == ["Sprachcafé starten"]
    changed = h.core.ledger.find(first["id"])
    assert (changed["status"], changed["status_note"], changed["due"]) == ("in_progress", "Raum gefunden", "2027-02-01")
    assert changed["status_at"] == h.clock() and changed["history"][-1]["status"] == "in_progress"
    later.act("review", {"status": "done"})  # still open: reviewed again
    assert h.core.ledger.find(first["id"])["status"] == "done"
    later.act("review", {"status": "dropped"})  # done ones are no longer offered
    assert later.state["reviewed"] == [] and h.core.ledger.find(first["id"])["status"] == "done"
    with pytest.raises(ActionError) as bad:
        h.core.ledger.set_status(first["id"], "finished")
    assert bad.value.code == "invalid_choice"


def test_a_refused_review_changes_no_status():
    h = MethodHarness(Recorder(), {"topic": "first"})
    agreement = h.act("promise", {"what": "Flyer drucken"})["agreement"]
    later = MethodHarness(Recorder(), {"topic": "next"}, core=h.core, clock=h.clock)
    with pytest.raises(ActionError):
        later.act("review", {"status": "nonsense"})
    assert h.core.ledger.find(agreement)["status"] == "open"


def test_computation_result_arrives_as_a_system_action():
    h = MethodHarness(Recorder(), {"topic": "x"})
    h.act("crunch", {"n": 10})
    assert h.state["result"] == 45
    h.act("crunch", {"n": -1})
    assert "negative" in h.state["job_error"]
    assert h.core.store.all("jobs") == []


def test_long_computation_does_not_block_other_workshops():
    """Measured: another workshop's action is acknowledged while a 3-second computation runs."""
    core = Core(MemoryStore(), {"recorder": Recorder()})
    busy = MethodHarness(Recorder(), {"topic": "busy"}, core=core, clock=time.time)
    other = MethodHarness(Recorder(), {"topic": "other"}, participants=["anna"], core=core, clock=time.time)
    started = time.perf_counter()
    busy.act("crunch", {"n": 100, "seconds": 3.0})
    assert time.perf_counter() - started < 1.0  # the action itself returns at once
    latencies = []
    while time.perf_counter() - started < 2.5:
        sent = time.perf_counter()
        other.act("bump", by="anna")
        latencies.append(time.perf_counter() - sent)
        time.sleep(0.05)
    assert busy.state["result"] is None  # still computing, and yet:
    assert len(latencies) >= 20 and max(latencies) < 0.5
    deadline = time.monotonic() + 10
    while busy.state["result"] is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert busy.state["result"] == sum(range(100))


def test_superseded_computation_is_not_delivered():
    started = []

    def runner(function, args, done):
        started.append((function, args, done))

    core = Core(MemoryStore(), {"recorder": Recorder()}, run_off=runner)
    h = MethodHarness(Recorder(), {"topic": "x"}, core=core)
    h.act("crunch", {"n": 3})
    h.act("crunch", {"n": 4})
    first, second = started
    first[2](first[0](*first[1]), None)  # the old one finishes last: dropped
    assert h.state["result"] is None
    second[2](second[0](*second[1]), None)
    assert h.state["result"] == 6


def test_computation_is_started_again_after_a_restart(tmp_path):
    started = []
    core = Core(TinyJournalStore(tmp_path), {"recorder": Recorder()}, run_off=lambda *job: started.append(job))
    h = MethodHarness(Recorder(), {"topic": "x"}, core=core)
    h.act("crunch", {"n": 5})
    core.close()  # stopped before the result came
    from facilitator.testing import run_inline

    again = Core(TinyJournalStore(tmp_path), {"recorder": Recorder()}, run_off=run_inline)
    assert again.engine.resume_jobs() == 1
    assert again.workshops.session(h.workshop_id, h.session_id)["state"]["result"] == 10
    assert again.store.all("jobs") == []
    again.close()


# -- privacy modes and speaking time: declared attributes of the context --------------------
@pytest.mark.parametrize(("privacy", "named"), [("named", True), ("anonymous", False), ("chatham", True)])
def test_privacy_mode_labels_and_organisations(privacy, named):
    h = MethodHarness(Recorder(), {"topic": "x"}, privacy=privacy)
    anna = h.join("anna", "welfare", organisation="Caritas")
    h.join("ben", "welfare", organisation="AWO")
    h.remove("ben")
    ctx = h.context()
    assert ctx.privacy == privacy
    entry = ctx.participant(anna)
    # Names in the room in named and Chatham House mode; organisation names only when named.
    if named:
        assert entry["label"] == "Anna"
    else:
        assert "Anna" not in repr(entry) and entry["label"]
    assert entry["organisation"] == ("Caritas" if privacy == "named" else "")
    # A removed participant is "removed participant" in every mode, never named.
    assert ctx.label(h.pid("ben")) == "removed participant"
    assert ctx.participant(h.pid("ben"))["organisation"] == ""


def test_speaking_time_is_a_context_attribute_set_by_the_protocol():
    from facilitator.methods import MethodContext

    assert MethodContext.__annotations__["speaking_time"] in (bool, "bool")
    h = MethodHarness(Recorder(), {"topic": "x"})
    assert h.context().speaking_time is False
    h.set_speaking_time(True)
    assert h.context().speaking_time is True
    h.set_speaking_time(False)
    assert h.context().speaking_time is False
    assert MethodHarness(Recorder(), {"topic": "x"}, speaking_time=True).context().speaking_time is True


def test_speaking_time_follows_the_minutes_page_setting():
    from facilitator.minutes_protocol import Protocol

    h = MethodHarness(Recorder(), {"topic": "x"})
    Protocol(h.core.workshops).save(h.workshop_id, {"speaking_time": "1"})
    assert h.context().speaking_time is True
