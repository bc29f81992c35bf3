"""One bad view cannot stop a workshop: every connection is rendered on its own.

Runs the production path: views are flushed by the background loop (no
``LIVE_SYNC``), with the facilitator's dashboard throttled as in a real room.
"""

from __future__ import annotations

import logging
import time

import pytest

from facilitator import Method, action, hookimpl
from facilitator.app import create_app


class Fragile(Method):
    """A method whose participant view fails for Eve and whose projector template fails."""

    slug = "fragile"
    name = "Fragile"

    def initial_state(self, config):
        return {"count": 0}

    @action("participant", "facilitator")
    def bump(self, state, payload, actor, ctx):
        state["count"] += 1

    def view(self, state, role, actor, ctx):
        if actor is not None and actor.label == "Eve":
            raise RuntimeError("this view breaks for Eve")
        return {"count": state["count"], "broken_template": role == "projector"}


class FragilePlugin:
    @staticmethod
    @hookimpl
    def facilitator_register_methods():
        return [Fragile()]


@pytest.fixture
def live_app(tmp_path):
    folder = tmp_path / "templates" / "fragile"
    folder.mkdir(parents=True)
    for role in ("participant", "facilitator", "projector"):
        (folder / f"{role}.html").write_text(
            "{% if view.broken_template %}{{ view.count / none_such }}{% endif %}"
            '<p class="count">{{ view.count }}</p>')
    Fragile.root = tmp_path  # the method's templates/ live here
    app = create_app({"TESTING": True, "SECRET_KEY": "t", "PLUGINS": (FragilePlugin,),
                      "LIVE_INTERVAL": 0.02})
    yield app
    Fragile.root = None
    app.extensions["facilitator"].store.close()


def _latest_count(client) -> int | None:
    views = [e["args"][0] for e in client.get_received() if e["name"] == "view"]
    return views[-1]["data"]["count"] if views else None


def _wait_for(clients: dict, wanted: int, timeout: float = 5.0) -> dict:
    seen: dict = {name: None for name in clients}
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and any(seen[n] != wanted for n in clients):
        for name, client in clients.items():
            count = _latest_count(client)
            if count is not None:
                seen[name] = count
        time.sleep(0.02)
    return seen


def test_a_failing_view_leaves_everyone_else_live(live_app, caplog):
    core = live_app.extensions["facilitator"]
    socketio = live_app.extensions["socketio"]
    workshop = core.workshops.create({"title": "Isolation", "language": "en"})
    session = core.workshops.add_session(workshop["id"], "fragile", {})
    core.engine.activate_session(workshop["id"], session["id"])
    anna = core.people.join(workshop["id"], {"name": "Anna"})
    eve = core.people.join(workshop["id"], {"name": "Eve"})
    clients = {
        "anna": socketio.test_client(live_app, auth={"role": "participant", "token": anna["token"]}),
        "eve": socketio.test_client(live_app, auth={"role": "participant", "token": eve["token"]}),
        "projector": socketio.test_client(live_app, auth={"role": "projector", "workshop": workshop["id"],
                                                          "key": workshop["projector_key"]}),
        "facilitator": socketio.test_client(live_app, auth={"role": "facilitator", "workshop": workshop["id"],
                                                            "token": live_app.config["FACILITATOR_TOKEN"]}),
    }
    with caplog.at_level(logging.ERROR, logger="facilitator.broadcast"):
        for expected in (1, 2, 3):
            message = {"session_id": session["id"], "action": "bump", "payload": {}, "action_id": f"b{expected}"}
            assert clients["anna"].emit("action", message, callback=True)["ok"]
            seen = _wait_for({k: clients[k] for k in ("anna", "facilitator")}, expected)
            assert seen == {"anna": expected, "facilitator": expected}
        time.sleep(0.3)
        assert _latest_count(clients["eve"]) is None  # her view fails: nothing sent to her
        assert _latest_count(clients["projector"]) is None  # its template fails
    failures = [r for r in caplog.records if "other connections stay live" in r.getMessage()]
    # Logged once per session, role and kind of failure, however often it failed.
    assert sorted(r.getMessage().split(" of session")[0] for r in failures) == \
        ["The template", "The view"]
    for client in clients.values():
        client.disconnect()
