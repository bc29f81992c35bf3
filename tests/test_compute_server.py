"""A 3-second computation on a real server (gevent) does not hold up another workshop's phones."""

from __future__ import annotations

import statistics
import textwrap
import threading
import time

import socketio
from helpers.server import Server

from facilitator.core import Core
from facilitator.ids import new_secret
from facilitator.storage import TinyJournalStore

PLUGIN = '''
"""A method with a slow, CPU-bound computation run off the core's lock."""
import time

from facilitator import SYSTEM, Method, action, hookimpl


def crunch(seconds):
    end = time.perf_counter() + seconds
    total = 0
    while time.perf_counter() < end:
        total += sum(range(2000))
    return {"seconds": seconds, "done": True}


class Slow(Method):
    slug = "slow"
    name = "Slow"

    def initial_state(self, config):
        return {"count": 0, "result": None}

    @action("facilitator")
    def start(self, state, payload, actor, ctx):
        ctx.compute("crunch", crunch, payload["seconds"], then="finished")

    @action(SYSTEM)
    def finished(self, state, payload, actor, ctx):
        state["result"] = payload.get("result") or payload.get("error")

    @action("participant")
    def bump(self, state, payload, actor, ctx):
        state["count"] += 1
        ctx.reply({"count": state["count"]})

    def view(self, state, role, actor, ctx):
        return dict(state)


@hookimpl
def facilitator_register_methods():
    return [Slow()]
'''


def install_plugin(root) -> None:
    package = root / "slow_method"
    (package / "templates" / "slow").mkdir(parents=True)
    (package / "__init__.py").write_text(textwrap.dedent(PLUGIN))
    for role in ("participant", "facilitator", "projector"):
        (package / "templates" / "slow" / f"{role}.html").write_text("<p>{{ view.count }}</p>")
    dist = root / "slow_method-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: slow-method\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text("[facilitator]\nslow = slow_method\n")


def test_other_workshops_phones_are_answered_during_a_long_computation(tmp_path, monkeypatch):
    plugins = tmp_path / "site"
    install_plugin(plugins)
    monkeypatch.syspath_prepend(str(plugins))
    from slow_method import Slow  # the same code the server loads

    data = tmp_path / "data"
    core = Core(TinyJournalStore(data), {"slow": Slow()})
    token = core.settings.get("facilitator_token", new_secret)
    busy = core.workshops.create({"title": "Matching", "language": "en"})
    other = core.workshops.create({"title": "Other room", "language": "en"})
    rooms = {}
    for workshop in (busy, other):
        session = core.workshops.add_session(workshop["id"], "slow", {})
        core.engine.activate_session(workshop["id"], session["id"])
        rooms[workshop["id"]] = session["id"]
    phone = core.people.join(other["id"], {"name": "Lea"})
    core.close()

    server = Server(data, demo=False, env={"PYTHONPATH": str(plugins)}).start()
    clients = []
    try:
        facilitator = socketio.Client(reconnection=False)
        clients.append(facilitator)
        results = []
        facilitator.on("view", lambda view: results.append(view["data"]["result"]))
        facilitator.connect(server.base, auth={"role": "facilitator", "workshop": busy["id"], "token": token},
                            transports=["websocket"], wait_timeout=10)
        lea = socketio.Client(reconnection=False)
        clients.append(lea)
        lea.connect(server.base, auth={"role": "participant", "token": phone["token"]},
                    transports=["websocket"], wait_timeout=10)

        started = time.perf_counter()
        ack = facilitator.call("action", {"session_id": rooms[busy["id"]], "action": "start",
                                          "payload": {"seconds": 3.0}, "action_id": "go"}, timeout=10)
        assert ack["ok"], ack
        latencies = []
        n = 0
        while time.perf_counter() - started < 2.5:
            n += 1
            sent = time.perf_counter()
            reply = lea.call("action", {"session_id": rooms[other["id"]], "action": "bump", "payload": {},
                                        "action_id": f"b{n}"}, timeout=10)
            latencies.append(time.perf_counter() - sent)
            assert reply == {"ok": True, "reply": {"count": n}}
            time.sleep(0.05)
        assert not any(results), "the computation finished early: the test measured nothing"
        print(f"acks during the computation: n={len(latencies)} p50={statistics.median(latencies) * 1000:.0f} ms "
              f"max={max(latencies) * 1000:.0f} ms")
        assert len(latencies) >= 15
        assert max(latencies) < 0.5, latencies
        finished = threading.Event()
        deadline = time.monotonic() + 15
        while not finished.is_set() and time.monotonic() < deadline:
            if any(r and r.get("done") for r in results):
                finished.set()
            time.sleep(0.05)
        assert finished.is_set(), f"no result arrived: {results[-3:]}"
    finally:
        for client in clients:
            client.disconnect()
        server.stop()
