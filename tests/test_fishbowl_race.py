"""The race for the last open chair, over the wire against a real server.

The issue asks: "two people asking for the last open chair at the same
moment: exactly one gets it, the other is queued, and every screen agrees".
This test starts ``facilitator serve --demo`` on 127.0.0.1 (``Server`` from
``tests/helpers/server.py``), fills the demo fishbowl until exactly one
chair is free, and lets several participants (python-socketio clients, one
WebSocket each) send ``request_chair`` at the same moment, released together
by a :class:`threading.Barrier`. It checks the acks (one ``seated``, the
others ``queued`` at places 1, 2, 3, ...), then that the latest ``view`` of
every client (each phone, the projector, the facilitator) shows the same
circle and the same queue. Then the round is undone (the winner leaves, the
others withdraw) and the race is run again.

Every wait is bounded; every client is disconnected and the server stopped
by its pid at the end.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.request
import uuid
from collections.abc import Callable
from urllib.parse import parse_qs, urlsplit

import pytest
import socketio
from helpers.server import Server

RACERS = 6  # participants asking for the one free chair at the same moment
ROUNDS = 5
TIMEOUT = 10.0  # seconds, for every ack and every wait for views
FILLERS = ("Guest Three", "Guest Four")  # added to the demo panel to leave one chair free


class Client:
    """One Socket.IO connection that keeps the latest ``view`` it was sent."""

    def __init__(self, base: str, auth: dict, name: str) -> None:
        self.name = name
        self.latest: dict | None = None
        self.changed = threading.Condition()
        self.sio = socketio.Client(reconnection=False)
        self.sio.on("view", self._on_view)
        self.sio.connect(base, auth=auth, transports=["websocket"], wait_timeout=TIMEOUT)

    def _on_view(self, view: dict) -> None:
        with self.changed:
            self.latest = view
            self.changed.notify_all()

    def call(self, event: str, data: dict) -> dict:
        """Send ``event`` and return its ack (bounded by ``TIMEOUT``)."""
        return self.sio.call(event, data, timeout=TIMEOUT)

    def act(self, session_id: str, action: str, **payload) -> dict:
        """Send a method action with a fresh action id; return the ack."""
        return self.call("action", {"session_id": session_id, "action": action,
                                    "payload": payload, "action_id": uuid.uuid4().hex})

    def wait_view(self, check: Callable[[dict], bool], what: str) -> dict:
        """Wait until the latest ``view`` passes ``check``; return it."""
        deadline = time.monotonic() + TIMEOUT
        with self.changed:
            while not (self.latest and check(self.latest)):
                left = deadline - time.monotonic()
                if left <= 0:
                    data = self.latest and self.latest["data"]
                    pytest.fail(f"{self.name}: no view with {what} within {TIMEOUT}s; "
                                f"latest data: {json.dumps(data)[:2000]}")
                self.changed.wait(left)
            return self.latest

    def wait_for(self, check: Callable[[dict], bool], what: str) -> dict:
        """Wait until the latest view's method ``data`` passes ``check``; return that data."""
        return self.wait_view(lambda view: bool(view["data"]) and check(view["data"]), what)["data"]

    def close(self) -> None:
        """Disconnect (bounded by the library's own timeouts)."""
        self.sio.disconnect()


def join(base: str, code: str, name: str) -> dict:
    """Join the workshop over HTTP (``POST /j/<code>``, JSON); return the answer."""
    body = json.dumps({"name": name, "organisation": "Race club", "org_type": "association",
                       "language": "en"}).encode()
    request = urllib.request.Request(f"{base}/j/{code}", data=body, method="POST",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
        answer = json.loads(response.read())
    assert answer["ok"], answer
    return answer


def fishbowl_session_id(facilitator: Client) -> str:
    """The demo's fishbowl session, from the facilitator's ``agenda`` (docs/protocol.md §5)."""
    agenda = facilitator.wait_view(lambda view: "agenda" in view, "the agenda")["agenda"]
    fishbowls = [entry["id"] for entry in agenda if entry["method"] == "fishbowl"]
    assert fishbowls, f"the demo workshop has no fishbowl session: {agenda}"
    return fishbowls[0]


# -- what each screen shows ------------------------------------------------------


def seen_by_participant(data: dict) -> tuple[list[str], list[str]]:
    """(who sits on each chair, "" when open; the queue) as a phone shows it."""
    return [c["label"] for c in data["chairs"]], [q["label"] for q in data["queue"]]


def seen_by_projector(data: dict) -> tuple[list[str], list[str]]:
    """The same as the projector shows it (its queue is a list of labels)."""
    return [c["label"] for c in data["chairs"]], list(data["queue"])


def seen_by_facilitator(data: dict, names: dict[str, str]) -> tuple[list[str], list[str]]:
    """The same from the facilitator's ids, turned into names."""
    chairs = [names.get(c["person"], c["label"]) if not c["empty"] else "" for c in data["chairs"]]
    return chairs, [names[q["person"]] for q in data["queue"]]


# -- the test ---------------------------------------------------------------------


@pytest.fixture
def server(tmp_path):
    """``facilitator serve --demo`` on 127.0.0.1, stopped (by pid) at the end."""
    running = Server(tmp_path / "data").start()
    try:
        yield running
    finally:
        running.stop()


def test_simultaneous_requests_for_the_last_chair(server):
    """N people tap "Take the open chair" at once: one sits, N-1 queue, all screens agree."""
    join_url = urlsplit(server.links["Join"])
    projector_url = urlsplit(server.links["Projector"])
    code = join_url.path.rsplit("/", 1)[1]
    workshop_id = projector_url.path.rsplit("/", 1)[1]
    projector_key = parse_qs(projector_url.query)["key"][0]
    token = urlsplit(server.links["Facilitator"]).path.rsplit("/", 1)[1]

    clients: list[Client] = []
    try:
        facilitator = Client(server.base, {"role": "facilitator", "workshop": workshop_id,
                                           "token": token, "language": "en"}, "facilitator")
        clients.append(facilitator)
        session_id = fishbowl_session_id(facilitator)
        assert facilitator.call("session.activate", {"session_id": session_id})["ok"]
        assert facilitator.act(session_id, "start")["ok"]
        for guest in FILLERS:
            assert facilitator.act(session_id, "add_guest", name=guest, seat=True)["ok"]

        projector = Client(server.base, {"role": "projector", "workshop": workshop_id,
                                         "key": projector_key}, "projector")
        clients.append(projector)
        names: dict[str, str] = {}  # participant id -> name
        phones: list[Client] = []
        for number in range(1, RACERS + 1):
            name = f"Racer {number}"
            joined = join(server.base, code, name)
            names[joined["participant_id"]] = name
            phone = Client(server.base, {"role": "participant", "token": joined["token"]}, name)
            clients.append(phone)
            phones.append(phone)

        circle = facilitator.wait_for(
            lambda d: d["phase"] == "running" and d["free_chairs"] == 1, "one free chair"
        )["chairs"]
        panel = [c["label"] for c in circle if not c["empty"]]
        assert len(panel) == len(circle) - 1 and set(FILLERS) <= set(panel)
        free_index = next(c["index"] for c in circle if c["empty"])

        for round_number in range(1, ROUNDS + 1):
            acks = race(phones, session_id)
            results = {phone.name: ack["reply"] for phone, ack in zip(phones, acks)}
            assert all(ack["ok"] for ack in acks), (round_number, acks)
            seated = [name for name, reply in results.items() if reply["result"] == "seated"]
            queued = sorted(
                (reply["position"], name) for name, reply in results.items()
                if reply["result"] == "queued"
            )
            assert len(seated) == 1, (round_number, results)
            assert [position for position, _ in queued] == list(range(1, RACERS)), results
            assert results[seated[0]]["position"] is None
            winner, queue = seated[0], [name for _, name in queued]

            # Every screen shows the winner on the free chair and the queue in ack order.
            chairs = [c["label"] for c in circle]
            chairs[free_index] = winner
            screens_agree(facilitator, projector, phones, names, (chairs, queue), results,
                          f"round {round_number}")
            assert facilitator.latest["data"]["free_chairs"] == 0
            assert projector.latest["data"]["queue_length"] == RACERS - 1

            # Undo the round: the winner leaves, the queue withdraws; one chair is free again.
            by_name = {phone.name: phone for phone in phones}
            assert by_name[winner].act(session_id, "done")["ok"]
            for name in queue:
                assert by_name[name].act(session_id, "withdraw")["ok"]
            for client in clients:
                client.wait_for(lambda d: d["free_chairs"] == 1 and d["queue_length"] == 0,
                                f"round {round_number} undone")
    finally:
        close_all(clients)


def screens_agree(
    facilitator: Client, projector: Client, phones: list[Client], names: dict[str, str],
    expected: tuple[list[str], list[str]], results: dict[str, dict], label: str,
) -> None:
    """Wait (bounded) until every client's latest view shows ``expected`` (chairs, queue).

    Each phone must also show its own place as its ack said: seated, or queued
    at the position the ack gave.
    """
    facilitator.wait_for(lambda d: seen_by_facilitator(d, names) == expected,
                         f"{label}: {expected}")
    projector.wait_for(lambda d: seen_by_projector(d) == expected, f"{label}: {expected}")
    for phone in phones:
        mine = results[phone.name]

        def shows(data: dict, mine: dict = mine) -> bool:
            return (seen_by_participant(data) == expected
                    and data["me"]["seated"] == (mine["result"] == "seated")
                    and data["me"]["queued"] == (mine["result"] == "queued")
                    and data["me"]["position"] == mine["position"])

        phone.wait_for(shows, f"{label}: {expected}, own place {mine}")


def close_all(clients: list[Client]) -> None:
    """Disconnect every client at once (each close waits up to ~3 s for the socket to shut)."""
    closing = [threading.Thread(target=client.close, daemon=True) for client in clients]
    for thread in closing:
        thread.start()
    for thread in closing:
        thread.join(TIMEOUT)


def race(phones: list[Client], session_id: str) -> list[dict]:
    """Let every phone send ``request_chair`` at the same moment; return the acks in order."""
    barrier = threading.Barrier(len(phones), timeout=TIMEOUT)
    acks: list[dict | None] = [None] * len(phones)
    errors: list[Exception] = []

    def ask(index: int) -> None:
        try:
            barrier.wait()
            acks[index] = phones[index].act(session_id, "request_chair")
        except Exception as exc:  # noqa: BLE001 -- reported below, in the test's thread
            errors.append(exc)

    threads = [threading.Thread(target=ask, args=(i,), daemon=True) for i in range(len(phones))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(2 * TIMEOUT)
    assert not errors, errors
    assert all(ack is not None for ack in acks), f"requests without an ack: {acks}"
    return acks
