"""Stop the server in the middle of a workshop (even with kill -9): everything is back, phones reconnect."""

from __future__ import annotations

import json
import threading
import urllib.request

import socketio
from helpers.server import Server


def post_json(url: str, data: dict) -> dict:
    request = urllib.request.Request(url, data=json.dumps(data).encode(),
                                     headers={"Content-Type": "application/json", "Accept": "application/json"})
    with urllib.request.urlopen(request, timeout=5) as response:
        return json.loads(response.read())


class Phone:
    """A python-socketio client that remembers the latest view and reconnects by itself."""

    def __init__(self, base: str, auth: dict) -> None:
        self.client = socketio.Client(reconnection=True, reconnection_delay=0.2, reconnection_delay_max=0.5)
        self.latest: dict | None = None
        self.changed = threading.Event()
        self.client.on("view", self._on_view)
        self.client.on("disconnect", self._on_disconnect)
        self.client.connect(base, auth=auth, transports=["websocket"], wait_timeout=5)

    def _on_disconnect(self, *args) -> None:
        self.latest = None  # whatever we saw is stale until the server sends a fresh view

    def _on_view(self, payload: dict) -> None:
        self.latest = payload
        self.changed.set()

    def wait_view(self, predicate, timeout: float = 10.0) -> dict:
        """Wait (bounded) for a view for which ``predicate(view)`` is true."""
        import time

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.latest is not None and predicate(self.latest):
                return self.latest
            self.changed.wait(0.1)
            self.changed.clear()
        raise AssertionError(f"no matching view; latest: {self.latest and self.latest.get('session')}")


def test_restart_keeps_everything_and_phones_reconnect(tmp_path):
    server = Server(tmp_path).start()
    phone = fac = None
    try:
        workshop_id = server.links["Projector"].split("/p/")[1].split("?")[0]
        code = server.links["Join"].rsplit("/", 1)[1]
        token = server.links["Facilitator"].rsplit("/", 1)[1]
        joined = post_json(f"{server.base}/j/{code}", {"name": "Selin", "organisation": "MSO", "org_type": "mso"})
        fac = Phone(server.base, {"role": "facilitator", "workshop": workshop_id, "token": token})
        phone = Phone(server.base, {"role": "participant", "token": joined["token"]})
        fac.wait_view(lambda v: "session.activate" in v["html"])
        dot_id = next(s for s in _sessions(fac) if s["method"] == "dotvoting")["id"]
        assert fac.client.call("session.activate", {"session_id": dot_id}, timeout=5) == {"ok": True}
        view = phone.wait_view(lambda v: v["session"] and v["session"]["id"] == dot_id)
        assert view["data"]["phase"] in ("collect", "vote")
        reply = fac.client.call("agreement.save", {"what": "Sprachcafé starten", "who_org": "VHS"}, timeout=5)
        assert reply["ok"]
        acked = phone.client.call("action", {"session_id": dot_id, "action": "add_option",
                                             "payload": {"text": "Mehr Sprachkurse"}, "action_id": "opt-1"},
                                  timeout=5)
        assert acked["ok"], acked
        server.kill()  # no shutdown, no checkpoint: only the journal has it
        import time

        deadline = time.monotonic() + 10
        while phone.latest is not None and time.monotonic() < deadline:
            time.sleep(0.05)  # the phone notices the server is gone
        assert phone.latest is None
        server = Server(tmp_path, port=server.port).start()
        view = phone.wait_view(lambda v: v["session"] and v["session"]["id"] == dot_id
                               and any(o["text"] == "Mehr Sprachkurse" for o in v["data"]["options"]), timeout=15)
        assert view["session"]["status"] == "active"
        fac.wait_view(lambda v: "Sprachcafé starten" in v["html"], timeout=15)
        # the same action retried after the restart is answered, not applied twice
        again = phone.client.call("action", {"session_id": dot_id, "action": "add_option",
                                             "payload": {"text": "Mehr Sprachkurse"}, "action_id": "opt-1"},
                                  timeout=5)
        assert again == acked
        assert sum(o["text"] == "Mehr Sprachkurse" for o in phone.latest["data"]["options"]) == 1
    finally:
        for client in (phone, fac):
            if client is not None:
                client.client.disconnect()
        server.stop()


def _sessions(fac: Phone) -> list[dict]:
    """Sessions of the demo workshop, as the facilitator's view lists them (its ``agenda``)."""
    return [{"id": s["id"], "method": s["method"]} for s in fac.latest["agenda"]]
