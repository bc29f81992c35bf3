"""The Socket.IO transport against malformed, reserved, oversized and flooding input.

* every field of every event, and of the connect ``auth``, may hold any JSON
  value: a wrong type is refused with a documented code, never
  ``internal_error``;
* client events named like python-socketio's lifecycle events (``connect``,
  ``disconnect``, …) are answered ``unknown_event`` and change nothing;
* frames that are not one JSON object are answered ``invalid`` when they carry
  an ack id, and break nothing when they don't;
* too many events are answered ``rate_limited`` and not applied, a flooder is
  disconnected, and addresses that guess secrets are locked out (HTTP and
  Socket.IO);
* against a real server (gevent): oversized long-polling POSTs get HTTP 413 at
  once and leave nothing behind; raw WebSocket frames get the same answers.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
import time
from pathlib import Path

import pytest
import websocket

from facilitator.app import create_app
from facilitator.testing import FakeClock
from tests.helpers.server import Server

LAN = "192.168.1.50"  # a phone in the room (the laptop itself, 127.0.0.1, is not limited per address)
BAD_VALUES = [[[1]], {"a": {"b": 1}}, [], {}, 5, 1.5, -1, 10**30, None, True, "", "x" * 300, "\ud800"]


#: This module's limits: a short fuse for flooders (the tests need few events) and long
#: lock-outs (a slow machine must not see one expire in the middle of a test).
LIMITS = {"strike_burst": 20, "kick_cooldown": 30, "lock_base": 60}


def limits(**overrides):
    """Give one test other limits (e.g. ``@limits(event_burst=10**6)``)."""

    def mark(test):
        test.rate_limits = overrides
        return test

    return mark


@pytest.fixture
def app(clock, request):
    """The suite's app (conftest.py) with this module's limits."""
    overrides = {**LIMITS, **getattr(request.function, "rate_limits", {})}
    app = create_app({"TESTING": True, "LIVE_SYNC": True, "CLOCK": clock, "SECRET_KEY": "test",
                      "RATE_LIMITS": overrides})
    yield app
    app.extensions["facilitator"].store.close()


def dot_session(core, workshop):
    """An active-able dot vote, already voting, with options o1…o3."""
    return core.workshops.add_session(workshop["id"], "dotvoting", {
        "question": "Was zuerst?", "options": "Bildung\nArbeit\nWohnen", "skip_collect": True})


def code_of(reply) -> str | None:
    return reply.get("error", {}).get("code") if isinstance(reply, dict) else None


def raw(app, client, frame: str):
    """Hand one Socket.IO packet (the text after Engine.IO's ``4``) to the server; the ack, if any."""
    client.acks = None
    app.extensions["socketio"].server._handle_eio_message(client.eio_sid, frame)
    return client.acks["args"] if client.acks else None


def freeze(app) -> FakeClock:
    """Stop the limits' clock (no bucket refills while a slow machine runs the test)."""
    limits = app.extensions["facilitator.limits"]
    frozen = FakeClock(start=1000.0)
    for part in (limits, limits.events, limits.participants, limits.strikes, limits.connects,
                 limits.joins, limits.guesses):
        part.clock = frozen
    return frozen


def lan_client(app, address: str = LAN):
    """A Flask test client whose requests come from ``address``."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def lan_socket(app, auth: dict, address: str = LAN):
    """A Socket.IO test client connecting from ``address``."""
    socketio = app.extensions["socketio"]
    return socketio.test_client(app, auth=auth, flask_test_client=lan_client(app, address))


# ---------------------------------------------------------------------------
# 1. Wrong types in every field
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("value", [[[1]], {"a": {"b": 1}}, [], {}, 5, None, True, "xx"])
def test_language_with_any_non_language_value_is_invalid_choice(sio, core, workshop, value):
    p = core.people.join(workshop["id"], {"name": "Ana", "language": "en"})
    phone, fac = sio("participant", token=p["token"]), sio("facilitator", workshop, language="en")
    for client in (phone, fac):
        reply = client.emit("language", {"language": value}, callback=True)
        assert code_of(reply) == "invalid_choice", reply
        assert reply["error"]["message"].startswith("Please choose"), "still the connection's language"
    assert core.people.get(workshop["id"], p["id"])["language"] == "en"
    assert phone.emit("language", {"language": "de"}, callback=True) == {"ok": True}


EVENT_FIELDS = {
    "language": ["language"],
    "action": ["session_id", "action", "payload", "action_id"],
    "session.activate": ["session_id"],
    "session.close": ["session_id"],
    "session.move": ["session_id", "position"],
    "session.delete": ["session_id"],
    "participant.remove": ["participant_id"],
    "agreement.save": ["id", "session_id", "what", "who_person", "who_org", "follow_up", "due", "review"],
    "agreement.status": ["id", "status", "note", "due"],
    "agreement.delete": ["id"],
}


@limits(event_burst=10**6, participant_burst=10**6)
def test_no_field_of_any_event_can_cause_an_internal_error(sio, core, workshop, caplog):
    session = dot_session(core, workshop)
    fac = sio("facilitator", workshop)
    assert fac.emit("session.activate", {"session_id": session["id"]}, callback=True)["ok"]
    p = core.people.join(workshop["id"], {"name": "Ana"})
    valid = {
        "action": {"session_id": session["id"], "action": "set_dots",
                   "payload": {"option": "o1", "count": 1}, "action_id": "a1"},
        "session.move": {"session_id": session["id"], "position": 0},
        "agreement.save": {"what": "Protokoll", "who_org": "Landkreis"},
        "agreement.status": {"id": "aNoSuchAgreemnt", "status": "done"},
    }
    number = 0
    with caplog.at_level(logging.ERROR):
        for name, fields in EVENT_FIELDS.items():
            for field in fields:
                for value in BAD_VALUES:
                    number += 1
                    data = {**valid.get(name, {}), field: value}
                    if name == "action":
                        data["action_id"] = value if field == "action_id" else f"bad-{number}"
                    phone = sio("participant", token=p["token"])
                    for client in (phone, fac):
                        reply = client.emit(name, data, callback=True)
                        assert isinstance(reply, dict) and "ok" in reply, (name, field, value, reply)
                        assert code_of(reply) != "internal_error", (name, field, value, reply)
                    phone.disconnect()
    assert "Traceback" not in caplog.text
    # (``session.activate`` with ``null`` is valid: the lobby.) Nothing was deleted or removed.
    assert [s["id"] for s in core.workshops.sessions(workshop["id"])] == [session["id"]]
    assert core.people.get(workshop["id"], p["id"])["removed"] is False


@pytest.mark.parametrize("field", ["role", "token", "workshop", "key", "language"])
def test_any_value_in_the_auth_object_is_refused_with_a_documented_code(app, core, workshop, field):
    from flask import request

    from facilitator import realtime
    from facilitator.errors import ActionError

    p = core.people.join(workshop["id"], {"name": "Ana"})
    documented = {"auth_required", "invalid_role", "unknown_participant", "removed",
                  "unknown_workshop", "forbidden"}
    for role in ("participant", "projector", "facilitator"):
        for value in BAD_VALUES:
            auth = {"role": role, "workshop": workshop["id"], "key": workshop["projector_key"],
                    "token": app.config["FACILITATOR_TOKEN"] if role == "facilitator" else p["token"],
                    field: value}
            with app.test_request_context("/socket.io/"):
                request.sid = "probe"
                try:
                    conn = realtime.authenticate(auth)
                except ActionError as exc:
                    assert exc.code in documented, (role, field, value, exc.code)
                else:  # accepted: the wrong-typed field was optional (a facilitator's language)
                    assert conn.role == role and conn.language in ("de", "en"), (role, field, value)
            client = app.extensions["socketio"].test_client(app, auth=auth)  # no exception either
            if client.is_connected():
                client.disconnect()
    for auth in BAD_VALUES:  # not an object at all
        assert not app.extensions["socketio"].test_client(app, auth=auth).is_connected()


# ---------------------------------------------------------------------------
# 2. Reserved event names
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["connect", "disconnect", "connect_error", "message", "json", "*"])
def test_reserved_event_names_are_unknown_events_and_change_nothing(sio, app, core, workshop, name):
    p = core.people.join(workshop["id"], {"name": "Ana"})
    phone, beamer = sio("participant", token=p["token"]), sio("projector", workshop)
    broadcaster = app.extensions["facilitator.broadcaster"]
    before = {sid: (c.role, c.participant_id) for sid, c in broadcaster.connections.items()}
    # The auth of another role in the data must not make the projector someone else.
    for client, data in ((phone, {"role": "facilitator", "workshop": workshop["id"],
                                  "token": app.config["FACILITATOR_TOKEN"]}),
                         (beamer, {"role": "participant", "token": p["token"]})):
        for args in ((), (data,), ("x", data)):
            reply = client.emit(name, *args, callback=True)
            assert code_of(reply) == "unknown_event", (name, args, reply)
            assert name in reply["error"]["message"]
        assert client.is_connected()
    assert {sid: (c.role, c.participant_id) for sid, c in broadcaster.connections.items()} == before
    assert phone.emit("language", {"language": "en"}, callback=True) == {"ok": True}
    assert code_of(beamer.emit("language", {"language": "en"}, callback=True)) == "forbidden"


def test_the_real_lifecycle_still_works(sio, app, core, workshop):
    p = core.people.join(workshop["id"], {"name": "Ana"})
    broadcaster = app.extensions["facilitator.broadcaster"]
    phone = sio("participant", token=p["token"])
    assert [c.participant_id for c in broadcaster.connections.values()] == [p["id"]]
    phone.emit("disconnect", callback=True)
    assert len(broadcaster.connections) == 1
    phone.disconnect()
    assert broadcaster.connections == {}
    limits = app.extensions["facilitator.limits"]
    assert len(limits.events) == 0, "a closed connection's bucket is forgotten"


# ---------------------------------------------------------------------------
# 3. Frames that are not one JSON object
# ---------------------------------------------------------------------------

MALFORMED = [
    '2["action",{},{}]',  # two arguments (python-socketio: a TypeError, no answer)
    '2["action"]',  # no argument
    '2[',  # not JSON
    '2{"session_id":"x"}',  # an object, not a list
    '2"action"',  # a string (python-socketio would read the event name "a")
    '2[5]',  # no event name
    '2[[1],{}]',  # an unhashable event name
    '2[]',
    '2',
    '51-["action",{"_placeholder":true,"num":0}]',  # binary attachments: the protocol has none
]


def test_packets_a_client_must_not_send_are_dropped_quietly(sio, app, core, workshop, caplog):
    p = core.people.join(workshop["id"], {"name": "Ana"})
    phone = sio("participant", token=p["token"])
    with caplog.at_level(logging.DEBUG):
        for frame in ['4{"message":"x"}', "7", "9[]", "x", ""]:
            assert raw(app, phone, frame) is None
    assert "Traceback" not in caplog.text
    assert phone.emit("language", {"language": "en"}, callback=True) == {"ok": True}


@pytest.mark.parametrize("frame", MALFORMED)
def test_malformed_frames_are_answered_invalid_when_they_ask_for_an_ack(sio, app, core, workshop, frame):
    session = dot_session(core, workshop)
    sio("facilitator", workshop).emit("session.activate", {"session_id": session["id"]}, callback=True)
    p = core.people.join(workshop["id"], {"name": "Ana", "language": "en"})
    phone = sio("participant", token=p["token"])
    state = core.workshops.session(workshop["id"], session["id"])["state"]
    with_id = frame[0] + ("1-7" + frame[3:] if frame.startswith("51-") else "7" + frame[1:])
    reply = raw(app, phone, with_id)
    assert reply and code_of(reply[0]) == "invalid", (with_id, reply)
    assert reply[0]["error"]["message"] == "The event's data must be an object."
    assert raw(app, phone, frame) is None  # no ack id: no answer, and nothing breaks
    assert core.workshops.session(workshop["id"], session["id"])["state"] == state
    assert phone.is_connected()
    ack = phone.emit("action", {"session_id": session["id"], "action": "set_dots",
                                "payload": {"option": "o1", "count": 1}, "action_id": "after"}, callback=True)
    assert ack == {"ok": True, "reply": {"dots_left": 2}}


def test_the_order_of_checks_holds_for_extra_arguments(sio, core, workshop):
    beamer = sio("projector", workshop)
    assert code_of(beamer.emit("action", {}, {}, callback=True)) == "forbidden"
    assert code_of(beamer.emit("action", callback=True)) == "forbidden"
    fac = sio("facilitator", workshop)
    assert code_of(fac.emit("session.close", {"session_id": "x"}, "more", callback=True)) == "invalid"
    assert code_of(fac.emit("teleport", 1, 2, 3, callback=True)) == "unknown_event"


# ---------------------------------------------------------------------------
# 5. Rate limits
# ---------------------------------------------------------------------------


def test_a_flooding_phone_is_limited_not_applied_and_disconnected(sio, app, core, workshop, caplog):
    session = dot_session(core, workshop)
    sio("facilitator", workshop).emit("session.activate", {"session_id": session["id"]}, callback=True)
    flooder_p = core.people.join(workshop["id"], {"name": "Flo", "language": "en"})
    calm_p = core.people.join(workshop["id"], {"name": "Ana"})
    flooder, calm = sio("participant", token=flooder_p["token"]), sio("participant", token=calm_p["token"])
    settings = app.extensions["facilitator.limits"].settings
    frozen = freeze(app)
    codes = []
    with caplog.at_level(logging.WARNING, logger="facilitator.realtime"):
        for number in range(500):
            if not flooder.is_connected():
                break
            reply = flooder.emit("action", {"session_id": session["id"], "action": "set_dots",
                                            "payload": {"option": "o1", "count": number % 2},
                                            "action_id": f"flood-{number}"}, callback=True)
            codes.append(code_of(reply) or "ok")
    accepted = codes.count("ok")
    assert accepted == settings.event_burst, codes[:60]
    assert set(codes[accepted:]) == {"rate_limited"}, set(codes[accepted:])
    assert not flooder.is_connected(), "a connection that keeps going is disconnected"
    assert len(codes) == accepted + settings.strike_burst + 1  # the last one: disconnected
    receipts = [r for r in core.store.all("receipts") if ":" + flooder_p["id"] + ":" in r["id"]]
    assert len(receipts) == accepted, "a rate-limited action is never applied"
    assert "keeps sending" in caplog.text and flooder_p["token"] not in caplog.text
    # The others are not affected; the flooder may not come back at once.
    ack = calm.emit("action", {"session_id": session["id"], "action": "set_dots",
                               "payload": {"option": "o2", "count": 1}, "action_id": "calm"}, callback=True)
    assert ack["ok"], ack
    assert not sio("participant", token=flooder_p["token"]).is_connected()
    assert sio("participant", token=calm_p["token"]).is_connected()
    frozen.advance(settings.kick_cooldown + 1)
    assert sio("participant", token=flooder_p["token"]).is_connected(), "after the cooldown"


@pytest.mark.parametrize("language, message", [
    ("en", "You are sending too fast. Please wait a moment."),
    ("de", "Sie senden zu schnell. Bitte warten Sie einen Moment."),
])
def test_rate_limited_is_answered_in_the_connections_language(sio, core, workshop, language, message):
    p = core.people.join(workshop["id"], {"name": "Flo", "language": language})
    phone = sio("participant", token=p["token"])
    freeze(phone.app)
    replies = [phone.emit("language", {"language": language}, callback=True) for _ in range(45)]
    limited = [r for r in replies if code_of(r) == "rate_limited"]
    assert limited and limited[0]["error"]["message"] == message


def test_guessing_tokens_locks_the_address_out(app, core, workshop, caplog):
    p = core.people.join(workshop["id"], {"name": "Ana"})
    free = app.extensions["facilitator.limits"].settings.free_failures
    wrong = "x" * 32
    with caplog.at_level(logging.WARNING):
        for _ in range(free + 1):
            assert not lan_socket(app, {"role": "participant", "token": wrong}).is_connected()
    # Locked out: even the right token is refused from this address for a while ...
    assert not lan_socket(app, {"role": "participant", "token": p["token"]}).is_connected()
    assert not lan_socket(app, {"role": "projector", "workshop": workshop["id"],
                                "key": workshop["projector_key"]}).is_connected()
    # ... but not from other phones, nor from the laptop itself.
    assert lan_socket(app, {"role": "participant", "token": p["token"]}, "192.168.1.51").is_connected()
    assert lan_socket(app, {"role": "participant", "token": p["token"]}, "127.0.0.1").is_connected()
    assert LAN in caplog.text and "participant token" in caplog.text
    assert wrong not in caplog.text and p["token"] not in caplog.text


def test_guessing_over_http_locks_the_address_out(app, core, workshop, caplog):
    free = app.extensions["facilitator.limits"].settings.free_failures
    browser = lan_client(app)
    with caplog.at_level(logging.WARNING):
        for number in range(free + 1):
            guess = ["/j/ZZZZZZ", f"/p/{workshop['id']}?key=wrong", "/f/not-the-token",
                     "/qr/ZZZZZZ.svg"][number % 4]
            assert browser.get(guess).status_code in (403, 404)
    locked = browser.get(f"/j/{workshop['join_code']}", headers={"Accept": "application/json"})
    assert locked.status_code == 429 and int(locked.headers["Retry-After"]) >= 1
    assert locked.get_json()["error"]["code"] == "rate_limited"
    page = browser.get(f"/p/{workshop['id']}?key={workshop['projector_key']}")
    assert page.status_code == 429 and b"<html" in page.data.lower()  # a page for browsers
    assert "wrong" not in caplog.text and "not-the-token" not in caplog.text
    assert lan_client(app, "192.168.1.51").get(f"/j/{workshop['join_code']}").status_code == 200
    laptop = lan_client(app, "127.0.0.1")
    for _ in range(free + 5):
        laptop.get("/j/ZZZZZZ")
    assert laptop.get(f"/j/{workshop['join_code']}").status_code == 200


def test_joins_per_address_are_limited(app, workshop):
    freeze(app)
    burst = int(app.extensions["facilitator.limits"].settings.join_burst)
    phone = lan_client(app)
    for number in range(burst):
        answer = phone.post(f"/j/{workshop['join_code']}", json={"name": f"P{number}"})
        assert answer.status_code == 200, answer.get_json()
    refused = phone.post(f"/j/{workshop['join_code']}", json={"name": "One more"},
                         headers={"Accept-Language": "de"})
    assert refused.status_code == 429 and refused.get_json()["error"]["code"] == "rate_limited"
    assert refused.get_json()["error"]["message"].startswith("Zu viele Versuche. Bitte versuchen Sie es in")
    assert int(refused.headers["Retry-After"]) >= 1
    other = lan_client(app, "192.168.1.51").post(f"/j/{workshop['join_code']}", json={"name": "Ben"})
    assert other.status_code == 200


@limits(connections_per_address=3)
def test_open_connections_per_address_are_limited(app, core, workshop):
    p = core.people.join(workshop["id"], {"name": "Ana"})
    clients = [lan_socket(app, {"role": "participant", "token": p["token"]}) for _ in range(4)]
    assert [c.is_connected() for c in clients] == [True, True, True, False]
    clients[0].disconnect()
    assert lan_socket(app, {"role": "participant", "token": p["token"]}).is_connected()
    assert not lan_socket(app, {"role": "participant", "token": p["token"]}).is_connected()
    assert lan_socket(app, {"role": "participant", "token": p["token"]}, "192.168.1.51").is_connected()


# ---------------------------------------------------------------------------
# Against a real server (gevent)
# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """``facilitator serve --demo`` on 127.0.0.1, stopped by its pid."""
    started = Server(tmp_path_factory.mktemp("hardening-data")).start()
    try:
        yield started
    finally:
        started.stop()


def http(server, head: str, body: bytes = b"", timeout: float = 5.0) -> bytes:
    """Send a raw HTTP request; the whole answer."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=timeout) as conn:
        conn.sendall(head.encode() + body)
        answer = b""
        while True:
            chunk = conn.recv(65536)
            if not chunk:
                return answer
            answer += chunk


def polling_session(server) -> str:
    """A fresh Engine.IO long-polling session id."""
    answer = http(server, f"GET /socket.io/?EIO=4&transport=polling HTTP/1.1\r\n"
                          f"Host: 127.0.0.1:{server.port}\r\nConnection: close\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 200"), answer[:200]
    return json.loads(answer.split(b"\r\n\r\n", 1)[1][1:])["sid"]


def oversized_post(server, sid: str, size: int, how: str) -> tuple[bytes, float]:
    """POST ``size`` bytes to the session; ``how``: ``wait`` for the answer after the first
    64 KiB, ``all`` (send everything, then read), or ``close`` right after the headers."""
    conn = socket.create_connection(("127.0.0.1", server.port), timeout=5)
    try:
        conn.sendall(f"POST /socket.io/?EIO=4&transport=polling&sid={sid} HTTP/1.1\r\n"
                     f"Host: 127.0.0.1:{server.port}\r\nContent-Type: text/plain;charset=UTF-8\r\n"
                     f"Content-Length: {size}\r\n\r\n".encode())
        if how == "close":
            return b"", 0.0
        started = time.monotonic()
        try:
            conn.sendall(b"4" * (size if how == "all" else 65536))
        except OSError:  # the server answered and closed while we were still sending
            pass
        try:
            answer = conn.recv(4096)
        except OSError as exc:
            answer = repr(exc).encode()
        return answer, time.monotonic() - started
    finally:
        conn.close()


def proc_status(pid: int) -> tuple[int, int] | None:
    """Open file descriptors and resident memory (KiB) of ``pid`` (Linux), else None."""
    if not Path(f"/proc/{pid}/fd").is_dir():
        return None
    fds = len(os.listdir(f"/proc/{pid}/fd"))
    rss = next(int(line.split()[1]) for line in Path(f"/proc/{pid}/status").read_text().splitlines()
               if line.startswith("VmRSS"))
    return fds, rss


def test_oversized_polling_posts_get_413_at_once_and_leave_nothing_behind(server):
    """Each request greenlet holds its client socket: a leak shows as open descriptors."""
    pid = server.process.pid
    polling_session(server)  # warm up
    before = proc_status(pid)
    answers = []
    for number in range(50):
        size, how = [(65_537, "wait"), (5_000_000, "wait"), (70_000, "close"),
                     (5_000_000, "all"), (5_000_000, "close")][number % 5]
        answers.append((how, *oversized_post(server, polling_session(server), size, how)))
    for how, answer, took in answers:
        if how != "close":
            assert answer.startswith(b"HTTP/1.1 413"), (how, answer)
            assert took < 2.0, (how, took)
    # A body over the pages' limit is refused the same way, from its headers alone.
    page = http(server, f"POST /j/{server.links['Code']} HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n"
                        "Content-Type: application/json\r\nContent-Length: 5000000\r\n\r\n")
    assert page.startswith(b"HTTP/1.1 413"), page[:100]
    # Still answering, and at once.
    started = time.monotonic()
    polling_session(server)
    assert time.monotonic() - started < 1.0
    if before is None:
        return  # no /proc on this platform: the answers above are all we can check
    deadline = time.monotonic() + 5  # lingering closes end within a second
    while True:
        after = proc_status(pid)
        if after[0] <= before[0] + 2 or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert after[0] <= before[0] + 2, f"open descriptors grew from {before[0]} to {after[0]}"
    assert after[1] - before[1] < 20_000, f"resident memory grew by {after[1] - before[1]} KiB"


def test_raw_websocket_frames_are_answered(server):
    """A client without a Socket.IO library (docs/protocol.md §1) sends odd frames."""
    url = f"ws://127.0.0.1:{server.port}/socket.io/?EIO=4&transport=websocket"
    token = json.loads(http(server, f"POST /j/{server.links['Code']} HTTP/1.1\r\n"
                                    f"Host: 127.0.0.1:{server.port}\r\nContent-Type: application/json\r\n"
                                    "Accept: application/json\r\nConnection: close\r\n"
                                    "Content-Length: 15\r\n\r\n", b'{"name": "Raw"}')
                       .split(b"\r\n\r\n", 1)[1])["token"]
    ws = websocket.create_connection(url, timeout=10)
    lock = threading.Lock()

    def ack(number: int) -> dict:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            frame = ws.recv()
            if frame == "2":
                with lock:
                    ws.send("3")
            elif frame.startswith(f"43{number}["):
                return json.loads(frame[len(f"43{number}"):])[0]
        pytest.fail(f"no ack {number}")

    try:
        assert ws.recv().startswith("0{")
        ws.send("40" + json.dumps({"role": "participant", "token": token}))
        assert ws.recv().startswith("40{")
        ws.send("421" + json.dumps(["connect", {"role": "participant", "token": token}]))
        assert ack(1)["error"]["code"] == "unknown_event"
        ws.send('422["disconnect"]')
        assert ack(2)["error"]["code"] == "unknown_event"
        ws.send('42["disconnect"]')  # no ack id: nothing happens at all
        ws.send("42[")
        ws.send("423[")
        assert ack(3)["error"]["code"] == "invalid"
        ws.send('424["language",{"language":"en"},"extra"]')
        assert ack(4)["error"]["code"] == "invalid"
        ws.send('425["language",{"language":[[1]]}]')
        assert ack(5)["error"]["code"] == "invalid_choice"
        ws.send("426")
        assert ack(6)["error"]["code"] == "invalid"
        ws.send_binary(b"\x00\x01garbage")
        ws.send('44{"message":"a client may not send this"}')
        ws.send("47")
        ws.send('427["language",{"language":"en"}]')  # the connection still works
        assert ack(7) == {"ok": True}
    finally:
        ws.close()
    assert "Traceback" not in server.stderr_path.read_text(), server.stderr_path.read_text()[-2000:]
