"""An outside client, written from ``docs/protocol.md`` alone, against a real server.

It starts ``facilitator serve --demo`` as a subprocess on 127.0.0.1, reads the
links the server prints, and then talks to it only as the document describes:
plain HTTP (urllib, no ``requests``) for joining and the minutes, and
``socketio.Client`` for the live protocol. Nothing here imports the server's
code, so a change that breaks the documented protocol breaks this test.

Every wait is bounded; the server process is always killed by its pid.
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import socketio

HOST = "127.0.0.1"
#: Upper bound for every wait: server start, acknowledgements, views.
TIMEOUT = 15.0


# ---------------------------------------------------------------------------
# The server process
# ---------------------------------------------------------------------------


@dataclass
class Server:
    """What the ``serve`` banner tells a client (docs/protocol.md, "Credentials")."""

    base: str
    join_code: str
    facilitator_token: str
    workshop_id: str
    projector_key: str
    banner: list[str] = field(default_factory=list)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def read_banner(lines: queue.Queue, deadline: float) -> dict[str, str]:
    """Collect the ``Join:``, ``Facilitator:`` and ``Projector:`` lines before ``deadline``."""
    found: dict[str, str] = {}
    seen: list[str] = []
    while len(found) < 3:
        left = deadline - time.monotonic()
        if left <= 0:
            pytest.fail(f"the server printed no complete banner in {TIMEOUT}s: {seen!r}")
        try:
            line = lines.get(timeout=left)
        except queue.Empty:
            continue
        if line is None:
            pytest.fail(f"the server exited before printing its links: {seen!r}")
        seen.append(line)
        for prefix in ("Join:", "Facilitator:", "Projector:"):
            if line.startswith(prefix):
                found[prefix[:-1]] = line[len(prefix):].strip()
    found["_lines"] = "\n".join(seen)
    return found


def wait_until_listening(base: str, path: str, deadline: float) -> None:
    """Poll ``path`` until the server answers (it prints its links before it listens)."""
    while True:
        try:
            with urllib.request.urlopen(base + path, timeout=2):
                return
        except (urllib.error.URLError, ConnectionError, OSError):
            if time.monotonic() > deadline:
                pytest.fail(f"the server did not answer on {base} within {TIMEOUT}s")
            time.sleep(0.1)


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Server:
    """A real ``facilitator serve --demo`` on a free port of 127.0.0.1."""
    port = free_port()
    data_dir = tmp_path_factory.mktemp("protocol-data")
    log_path = tmp_path_factory.mktemp("protocol-log") / "stderr.txt"
    command = [
        sys.executable, "-m", "facilitator", "serve", "--host", HOST, "--port", str(port),
        "--data-dir", str(data_dir), "--demo",
    ]
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=log, text=True, encoding="utf-8",
            errors="replace",  # the terminal QR code is drawn with block characters
            env={**os.environ, "PYTHONUNBUFFERED": "1", "PYTHONIOENCODING": "utf-8"},
        )
    lines: queue.Queue = queue.Queue()

    def pump() -> None:  # keep draining stdout so the server never blocks on a full pipe
        for line in process.stdout:
            lines.put(line.rstrip("\n"))
        lines.put(None)

    threading.Thread(target=pump, daemon=True).start()
    try:
        deadline = time.monotonic() + TIMEOUT
        links = read_banner(lines, deadline)
        # The printed host may be a LAN address; this test talks to 127.0.0.1 only.
        join = urlsplit(links["Join"])
        facilitator = urlsplit(links["Facilitator"])
        projector = urlsplit(links["Projector"])
        assert join.port == facilitator.port == projector.port == port
        base = f"http://{HOST}:{port}"
        found = Server(
            base=base,
            join_code=join.path.rsplit("/", 1)[1],
            facilitator_token=facilitator.path.rsplit("/", 1)[1],
            workshop_id=projector.path.rsplit("/", 1)[1],
            projector_key=parse_qs(projector.query)["key"][0],
            banner=links["_lines"].splitlines(),
        )
        assert join.path == f"/j/{found.join_code}"
        assert facilitator.path == f"/f/{found.facilitator_token}"
        wait_until_listening(base, f"/qr/{found.join_code}.svg", deadline)
        yield found
    finally:
        if process.poll() is None:
            os.kill(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.kill(process.pid, signal.SIGKILL)
                process.wait(timeout=10)


# ---------------------------------------------------------------------------
# HTTP (docs/protocol.md, "HTTP endpoints")
# ---------------------------------------------------------------------------


def post_json(url: str, body: Any, opener=None) -> tuple[int, dict]:
    """POST ``body`` as JSON; return the status and the decoded JSON answer."""
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), method="POST",
        headers={"Content-Type": "application/json", "Accept": "application/json"},
    )
    opener = opener or urllib.request.build_opener()
    try:
        with opener.open(request, timeout=TIMEOUT) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def join(server: Server, name: str, **fields: str) -> dict:
    """Join the workshop as a participant through the JSON join endpoint."""
    status, answer = post_json(
        f"{server.base}/j/{server.join_code}",
        {"name": name, "organisation": "Verein Beispiel", "org_type": "association",
         "language": "en", **fields},
    )
    assert status == 200, answer
    assert answer["ok"] is True
    assert answer["workshop_id"] == server.workshop_id
    assert re.fullmatch(r"p[A-Za-z0-9]{12}", answer["participant_id"]), answer
    assert isinstance(answer["token"], str) and answer["token"]
    return answer


# ---------------------------------------------------------------------------
# Socket.IO (docs/protocol.md, "Connecting", "Server → client", "Client → server")
# ---------------------------------------------------------------------------


class Peer:
    """One Socket.IO connection that records every ``view`` and ``removed`` it receives."""

    def __init__(self, server: Server, name: str, auth: dict) -> None:
        self.name = name
        self.base = server.base
        self.auth = auth
        self.views: list[dict] = []
        self.removed: list[dict] = []
        self.refusals: list[Any] = []
        self._changed = threading.Condition()
        self.sio = socketio.Client(reconnection=False)
        self.sio.on("view", self._on_view)
        self.sio.on("removed", self._on_removed)
        self.sio.on("connect_error", self._on_connect_error)
        self.sio.on("disconnect", self._on_disconnect)

    # -- incoming -----------------------------------------------------------
    def _on_view(self, payload: dict) -> None:
        with self._changed:
            self.views.append(payload)
            self._changed.notify_all()

    def _on_removed(self, payload: dict) -> None:
        with self._changed:
            self.removed.append(payload)
            self._changed.notify_all()

    def _on_connect_error(self, data: Any = None) -> None:
        with self._changed:
            self.refusals.append(data)
            self._changed.notify_all()

    def _on_disconnect(self, *_reason: Any) -> None:
        with self._changed:
            self._changed.notify_all()

    # -- connection ---------------------------------------------------------
    def connect(self, transport: str = "websocket") -> Peer:
        """Connect with the role's ``auth`` object over ``websocket`` or ``polling``."""
        self.sio.connect(self.base, auth=self.auth, transports=[transport],
                         socketio_path="socket.io", wait_timeout=TIMEOUT)
        return self

    def close(self) -> None:
        """Disconnect (if still connected)."""
        if self.sio.connected:
            self.sio.disconnect()

    # -- waiting ------------------------------------------------------------
    def wait_for(self, what: str, predicate: Callable[[], Any]) -> Any:
        """Wait (bounded) until ``predicate()`` is truthy; return its value."""
        deadline = time.monotonic() + TIMEOUT
        with self._changed:
            while True:
                value = predicate()
                if value:
                    return value
                left = deadline - time.monotonic()
                if left <= 0:
                    last = self.views[-1] if self.views else None
                    brief = {k: v for k, v in (last or {}).items() if k != "html"}
                    pytest.fail(f"{self.name}: no {what} within {TIMEOUT}s; last view: {brief!r}")
                self._changed.wait(left)

    def mark(self) -> int:
        """The number of views so far: later waits look only at newer views."""
        with self._changed:
            return len(self.views)

    def wait_view(self, what: str, predicate: Callable[[dict], bool], since: int = 0) -> dict:
        """The first view received after ``since`` that satisfies ``predicate``."""

        def find() -> dict | None:
            for view in self.views[since:]:
                if predicate(view):
                    return view
            return None

        return self.wait_for(what, find)

    # -- outgoing -----------------------------------------------------------
    def call(self, event: str, data: Any) -> dict:
        """Send an event and return its acknowledgement."""
        return self.sio.call(event, data, timeout=TIMEOUT)

    def act(self, session_id: str, action: str, payload: Any = None,
            action_id: str | None = None) -> dict:
        """Send a method action with a fresh (or the given) action id."""
        envelope = {"session_id": session_id, "action": action,
                    "payload": {} if payload is None else payload,
                    "action_id": action_id or uuid.uuid4().hex}
        return self.call("action", envelope)


def in_session(session_id: str, **data: Any) -> Callable[[dict], bool]:
    """A view predicate: the view shows ``session_id`` and its ``data`` has ``data``."""

    def check(view: dict) -> bool:
        session = view.get("session")
        if not session or session["id"] != session_id or not isinstance(view.get("data"), dict):
            return False
        return all(view["data"].get(key) == value for key, value in data.items())

    return check


def refused(ack: dict, code: str) -> None:
    """Assert an error acknowledgement with ``code`` and a readable message."""
    assert ack["ok"] is False, ack
    assert ack["error"]["code"] == code, ack
    assert isinstance(ack["error"]["message"], str) and ack["error"]["message"].strip(), ack


def agenda_session_ids(view: dict) -> list[str]:
    """Session ids in agenda order, from the facilitator's ``html``.

    docs/protocol.md, "Finding sessions and people": one ``session.delete``
    marker per agenda session.
    """
    marker = re.compile(
        r"""data-event="session\.delete" data-payload='\{"session_id": "([A-Za-z0-9]+)"\}'"""
    )
    return marker.findall(view["html"])


def option_by_id(view: dict, option_id: str) -> dict:
    """The dot-voting option ``option_id`` in a view's ``data.options``."""
    return next(o for o in view["data"]["options"] if o["id"] == option_id)


@pytest.fixture
def peers():
    """Collects the test's Socket.IO clients and disconnects them all at the end."""
    made: list[Peer] = []
    yield made
    # Closing a WebSocket waits for the server's close frame: close all at once.
    closers = [threading.Thread(target=peer.close) for peer in made]
    for closer in closers:
        closer.start()
    for closer in closers:
        closer.join(TIMEOUT)


# ---------------------------------------------------------------------------
# The scenario
# ---------------------------------------------------------------------------


def test_dot_voting_as_an_outside_client(server, peers):
    """Join, connect every role, run a dot vote, and check acks, retries and views."""
    ana = join(server, "Ana")
    ben = join(server, "Ben", org_type="mso")

    # -- connect every role; each receives its view at once -----------------
    fac = Peer(server, "facilitator", {"role": "facilitator", "workshop": server.workshop_id,
                                       "token": server.facilitator_token, "language": "en"})
    beamer = Peer(server, "projector", {"role": "projector", "workshop": server.workshop_id,
                                        "key": server.projector_key})
    phone_a = Peer(server, "Ana", {"role": "participant", "token": ana["token"]})
    phone_b = Peer(server, "Ben", {"role": "participant", "token": ben["token"]})
    peers.extend([fac, beamer, phone_a, phone_b])
    for peer in peers:
        peer.connect()
        first = peer.wait_view("first view", lambda v: True)
        assert set(first) >= {"workshop", "session", "data", "html", "now"}, first.keys()
        assert first["workshop"]["id"] == server.workshop_id
        assert first["workshop"]["join_code"] == server.join_code
        assert isinstance(first["now"], (int, float)) and isinstance(first["html"], str)

    # -- the facilitator finds the dot-voting session and activates it ------
    candidates = agenda_session_ids(fac.views[-1])
    assert candidates, "the facilitator's html lists no agenda session"
    dot_session = None
    for session_id in candidates:
        since = fac.mark()
        assert fac.call("session.activate", {"session_id": session_id}) == {"ok": True}
        view = fac.wait_view("activated session", in_session(session_id), since)
        assert view["session"]["status"] == "active"
        if view["session"]["method"] == "dotvoting":
            dot_session = session_id
            break
    assert dot_session, "the demo workshop has no dot-voting session"

    for peer in peers:
        view = peer.wait_view("the dot-voting session", in_session(dot_session))
        assert view["data"]["phase"] in ("collect", "vote")
        assert view["session"]["method"] == "dotvoting"
    settings = fac.views[-1]["data"]
    budget, cap = settings["dots_per_participant"], settings["max_per_option"]
    assert budget >= 2 and cap >= budget - 1, "the scenario needs the demo's 3 dots, cap 3"

    # -- collecting: a participant adds an option; a retry applies it once --
    if settings["phase"] == "collect":
        since = fac.mark()
        first = phone_a.act(dot_session, "add_option", {"text": "Mobility  and transport"},
                            action_id="ana-add-1")
        assert first["ok"] is True and first["reply"]["option"], first
        retry = phone_a.act(dot_session, "add_option", {"text": "Mobility  and transport"},
                            action_id="ana-add-1")
        assert retry == first, "a retried action id must get the first reply"
        # The same id with another payload is no retry: refused, nothing changes (§7).
        refused(phone_a.act(dot_session, "add_option", {"text": "Mobility and transport"},
                            action_id="ana-add-1"), "action_id_reused")
        view = fac.wait_view("the new option", lambda v: any(
            o["text"] == "Mobility and transport" for o in (v.get("data") or {}).get("options", [])
        ), since)
        assert [o["text"] for o in view["data"]["options"]].count("Mobility and transport") == 1
        refused(phone_a.act(dot_session, "add_option", {"text": "mobility AND transport"}),
                "duplicate_option")
        refused(phone_a.act(dot_session, "start_voting"), "forbidden")

        marks = {peer.name: peer.mark() for peer in peers}
        assert fac.act(dot_session, "start_voting") == {"ok": True, "reply": {}}
        for peer in peers:
            peer.wait_view("phase vote", in_session(dot_session, phase="vote"), marks[peer.name])

    # -- refusals: malformed data, unknown action/session, wrong role -------
    options = [o["id"] for o in fac.views[-1]["data"]["options"]]
    first_option, second_option = options[0], options[1]
    refused(phone_a.call("action", "not an object"), "invalid")
    refused(phone_a.call("action", [dot_session, "set_dots"]), "invalid")
    refused(phone_a.act(dot_session, "set_dots", ["not", "an", "object"]), "invalid")
    refused(phone_a.call("action", {"session_id": dot_session, "action": "set_dots",
                                    "payload": {"option": first_option, "count": 1}}), "invalid")
    refused(phone_a.act(dot_session, "Set Dots!", {}), "invalid")
    refused(phone_a.act(dot_session, "teleport", {}), "unknown_action")
    refused(phone_a.act("sNoSuchSession", "set_dots", {"option": first_option, "count": 1}),
            "unknown_session")
    refused(phone_a.act(dot_session, "set_dots", {"option": "o999", "count": 1}), "unknown_option")
    refused(phone_a.act(dot_session, "set_dots", {"option": first_option, "count": -1}),
            "invalid_count")
    refused(phone_a.act(dot_session, "set_dots", {"option": first_option, "count": cap + 1}),
            "over_cap")
    refused(phone_a.act(dot_session, "close_voting"), "forbidden")
    refused(beamer.act(dot_session, "set_dots", {"option": first_option, "count": 1}), "forbidden")
    refused(phone_a.call("session.activate", {"session_id": None}), "forbidden")
    refused(beamer.call("language", {"language": "en"}), "forbidden")
    refused(phone_a.call("language", {"language": "xx"}), "invalid_choice")

    # -- voting: acks carry the reply; a retried action id is applied once --
    marks = {peer.name: peer.mark() for peer in peers}
    ack = phone_a.act(dot_session, "set_dots", {"option": first_option, "count": 1},
                      action_id="ana-dots-1")
    assert ack == {"ok": True, "reply": {"dots_left": budget - 1}}, ack
    again = phone_a.act(dot_session, "set_dots", {"option": first_option, "count": 1},
                        action_id="ana-dots-1")
    assert again == ack, "a retry gets the first reply and changes nothing"
    # The same id with another payload is not a retry: refused, and it changes nothing.
    refused(phone_a.act(dot_session, "set_dots", {"option": first_option, "count": 2},
                        action_id="ana-dots-1"), "action_id_reused")
    mine = phone_a.wait_view("Ana's own dot", in_session(dot_session, dots_left=budget - 1),
                             marks["Ana"])
    assert option_by_id(mine, first_option)["mine"] == 1
    # Had the retry been applied (count 2), the rest of the budget would not fit.
    ack = phone_a.act(dot_session, "set_dots", {"option": second_option, "count": budget - 1})
    assert ack == {"ok": True, "reply": {"dots_left": 0}}, ack
    refused(phone_a.act(dot_session, "set_dots", {"option": first_option, "count": 2}),
            "over_budget")
    view = phone_a.wait_view("Ana's full budget", in_session(dot_session, dots_left=0),
                             marks["Ana"])
    assert option_by_id(view, first_option)["mine"] == 1
    assert option_by_id(view, second_option)["mine"] == budget - 1
    assert view["data"]["dots_used"] == budget

    ack = phone_b.act(dot_session, "set_dots", {"option": first_option, "count": 1})
    assert ack == {"ok": True, "reply": {"dots_left": budget - 1}}, ack
    view = phone_b.wait_view("Ben's own dot", in_session(dot_session, dots_left=budget - 1),
                             marks["Ben"])
    assert option_by_id(view, first_option)["mine"] == 1

    # The facilitator and the projector see turnout, never who voted what.
    for peer in (fac, beamer):
        view = peer.wait_view("two voters", in_session(dot_session, voters=2), marks[peer.name])
        assert all("mine" not in o for o in view["data"]["options"])

    # -- closing: results revealed to everyone, actions refused, retries answered
    assert fac.act(dot_session, "close_voting")["ok"] is True
    marks = {peer.name: peer.mark() for peer in peers}
    assert fac.act(dot_session, "reveal")["ok"] is True
    for peer in peers:
        view = peer.wait_view("the result", in_session(dot_session, phase="revealed"),
                              marks[peer.name])
        top = view["data"]["ranking"][0]
        assert (top["id"], top["total"], top["rank"]) == (first_option, 2, 1), view["data"]

    marks = {peer.name: peer.mark() for peer in peers}
    assert fac.call("session.close", {"session_id": dot_session}) == {"ok": True}
    for peer in peers:
        view = peer.wait_view("closed session", lambda v: (v.get("session") or {}).get(
            "status") == "closed", marks[peer.name])
        assert view["session"]["id"] == dot_session
    refused(phone_b.act(dot_session, "set_dots", {"option": second_option, "count": 1}),
            "session_not_active")
    retry = phone_a.act(dot_session, "set_dots", {"option": first_option, "count": 1},
                        action_id="ana-dots-1")
    assert retry == {"ok": True, "reply": {"dots_left": budget - 1}}, retry

    # -- removal: the phone is told, disconnected and can no longer connect --
    cleo = join(server, "Cleo")
    phone_c = Peer(server, "Cleo", {"role": "participant", "token": cleo["token"]})
    peers.append(phone_c)
    phone_c.connect().wait_view("first view", lambda v: True)
    assert fac.call("participant.remove", {"participant_id": cleo["participant_id"]}) == {"ok": True}
    assert phone_c.wait_for("removed event", lambda: phone_c.removed) == [{"reason": "removed"}]
    phone_c.wait_for("disconnect", lambda: not phone_c.sio.connected)
    refused(fac.call("participant.remove", {"participant_id": cleo["participant_id"]}),
            "already_removed")
    again = Peer(server, "Cleo again", {"role": "participant", "token": cleo["token"]})
    peers.append(again)
    with pytest.raises(socketio.exceptions.ConnectionError):
        again.connect()

    # -- back to the lobby -------------------------------------------------------
    marks = {peer.name: peer.mark() for peer in peers}
    assert fac.call("session.activate", {"session_id": None}) == {"ok": True}
    for peer in (fac, beamer, phone_a, phone_b):
        view = peer.wait_view("the lobby", lambda v: v["session"] is None, marks[peer.name])
        assert view["data"] is None


# ---------------------------------------------------------------------------
# Connecting with bad credentials
# ---------------------------------------------------------------------------

BAD_CREDENTIALS = {
    "participant": ({"role": "participant", "token": "not-a-token"}, "unknown_participant"),
    "projector": ({"role": "projector", "key": "wrong"}, "forbidden"),
    "facilitator": ({"role": "facilitator", "token": "wrong"}, "forbidden"),
    "unknown role": ({"role": "king"}, "invalid_role"),
}


@dataclass
class Attempt:
    """One refused connect: the client, and what ``connect()`` raised."""

    peer: Peer
    raised: Exception | None = None


@pytest.fixture(scope="module")
def attempts(server) -> dict[str, Attempt]:
    """Connect once with each set of bad credentials, all at the same time.

    A refused client closes its transport before ``connect()`` returns, which can
    take seconds; in parallel the attempts cost that wait only once.
    """
    results: dict[str, Attempt] = {}

    def attempt(name: str, auth: dict) -> None:
        if auth["role"] != "participant":
            auth = {**auth, "workshop": server.workshop_id}
        result = results[name] = Attempt(Peer(server, f"bad {name}", auth))
        try:
            result.peer.connect("websocket")
        except Exception as exc:  # noqa: BLE001 (recorded; the tests assert on it)
            result.raised = exc

    threads = [threading.Thread(target=attempt, args=(name, auth))
               for name, (auth, _code) in BAD_CREDENTIALS.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(3 * TIMEOUT)
    yield results
    for result in results.values():
        result.peer.close()


@pytest.mark.parametrize("name", BAD_CREDENTIALS)
def test_bad_credentials_are_refused_with_the_documented_code(attempts, name):
    """``connect_error`` carries ``{message, data: {code, message}}``; no view is sent."""
    result = attempts[name]
    assert isinstance(result.raised, socketio.exceptions.ConnectionError), result.raised
    refusal = result.peer.wait_for("connect_error", lambda: result.peer.refusals)[0]
    assert refusal["data"]["code"] == BAD_CREDENTIALS[name][1], refusal
    assert refusal["data"]["message"].strip(), refusal
    assert refusal["message"] == refusal["data"]["message"], refusal
    assert not result.peer.sio.connected
    assert result.peer.views == [], "a refused client must not receive any view"


# ---------------------------------------------------------------------------
# The other HTTP endpoints a client needs
# ---------------------------------------------------------------------------


def test_join_refusals_resume_qr_and_minutes(server):
    """Join errors, restoring the cookie, the QR code, and the minutes for the facilitator."""
    status, answer = post_json(f"{server.base}/j/{server.join_code}", {"org_type": "science"})
    assert status == 400 and answer["ok"] is False
    assert answer["error"]["code"] == "required" and answer["error"]["message"]
    status, answer = post_json(f"{server.base}/j/{server.join_code}",
                               {"name": "Dora", "org_type": "pirates"})
    assert (status, answer["error"]["code"]) == (400, "invalid_choice")
    status, answer = post_json(f"{server.base}/j/NOCODE", {"name": "Dora"})
    assert (status, answer["error"]["code"]) == (404, "unknown_workshop")

    dora = join(server, "Dora")
    cookies = http.cookiejar.CookieJar()
    browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(cookies))
    status, answer = post_json(f"{server.base}/j/{server.join_code.lower()}/resume",
                               {"token": dora["token"]}, opener=browser)
    assert (status, answer) == (200, {"ok": True})
    assert f"fp_{server.workshop_id}" in {c.name for c in cookies}
    status, answer = post_json(f"{server.base}/j/{server.join_code}/resume", {"token": "nope"})
    assert (status, answer["error"]["code"]) == (400, "unknown_participant")

    with urllib.request.urlopen(f"{server.base}/qr/{server.join_code}.svg",
                                timeout=TIMEOUT) as response:
        assert response.headers["Content-Type"].startswith("image/svg+xml")
        assert b"<svg" in response.read()

    minutes_url = f"{server.base}/facilitator/w/{server.workshop_id}/minutes.md"
    with pytest.raises(urllib.error.HTTPError) as refused_minutes:
        urllib.request.urlopen(minutes_url, timeout=TIMEOUT)
    assert refused_minutes.value.code == 403
    facilitator = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )
    with facilitator.open(f"{server.base}/f/{server.facilitator_token}", timeout=TIMEOUT) as r:
        assert r.status == 200  # after the redirect to the dashboard
    with facilitator.open(minutes_url, timeout=TIMEOUT) as response:
        assert response.headers["Content-Type"].startswith("text/markdown")
        assert "attachment" in response.headers["Content-Disposition"]
        text = response.read().decode("utf-8")
    assert text.startswith("# ") and "Dora" in text
