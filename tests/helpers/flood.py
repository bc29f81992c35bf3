"""One phone floods the server while the others vote: the scenario of tests/test_flood.py
and bench/bench_flood.py.

Against a real server (:class:`tests.helpers.server.Server`, demo workshop):
the facilitator opens the demo's dot-voting session for voting; ``phones``
participants join over HTTP and connect over WebSocket; each taps
``set_dots`` (1, 0, 1, … dots on one option: every tap is accepted) about
every ``interval`` seconds and waits for its ack, as a phone does. After
``warmup`` seconds a flooder (another participant, in a process of its own
so that its sending does not slow the phones' clients) sends ``rate``
actions a second for ``duration`` seconds without waiting for acks, and
reconnects whenever the server disconnects it. The phones go on for
``after`` seconds once the flood ends.

The report holds the phones' ack latencies before, during and after the
flood, the acks they lost (timeouts or refusals) and the flooder's counts
(acks ok, ``rate_limited``, other, disconnects, refused reconnects).
Every wait is bounded.
"""

from __future__ import annotations

import contextlib
import json
import multiprocessing
import os
import random
import statistics
import threading
import time
import urllib.request
import uuid
from dataclasses import dataclass, field
from typing import Any

import socketio

ACK_TIMEOUT = 10.0  # seconds: an ack later than this counts as lost
CONNECT_TIMEOUT = 10.0


def now() -> float:
    return time.monotonic()


def join(base: str, code: str, name: str) -> str:
    """Join the workshop over HTTP (JSON); the participant token."""
    body = json.dumps({"name": name, "org_type": "other", "language": "en"}).encode()
    request = urllib.request.Request(f"{base}/j/{code}", data=body, method="POST", headers={
        "Content-Type": "application/json", "Accept": "application/json"})
    with urllib.request.urlopen(request, timeout=CONNECT_TIMEOUT) as response:
        return json.loads(response.read())["token"]


def connect(base: str, auth: dict, views: list | None = None) -> socketio.Client:
    """A connected python-socketio client (WebSocket, no automatic reconnection)."""
    client = socketio.Client(reconnection=False)
    if views is not None:
        client.on("view", views.append)
    client.connect(base, auth=auth, transports=["websocket"], wait_timeout=CONNECT_TIMEOUT)
    return client


def wait_for(views: list, check, timeout: float = 10.0) -> dict:
    """The newest view that satisfies ``check``, waiting (bounded) for it."""
    deadline = now() + timeout
    while now() < deadline:
        for view in reversed(views):
            if check(view):
                return view
        time.sleep(0.02)
    raise RuntimeError(f"no matching view within {timeout:.0f} s")


def open_voting(base: str, workshop_id: str, token: str) -> tuple[socketio.Client, str, str]:
    """Connect the facilitator, activate the demo's dot vote and open voting.

    Returns the facilitator's client, the session id and an option id.
    """
    views: list[dict] = []
    fac = connect(base, {"role": "facilitator", "workshop": workshop_id, "token": token,
                         "language": "en"}, views)
    first = wait_for(views, lambda v: "agenda" in v)
    session_id = next(s["id"] for s in first["agenda"] if s["method"] == "dotvoting")
    assert fac.call("session.activate", {"session_id": session_id}, timeout=ACK_TIMEOUT)["ok"]
    view = wait_for(views, lambda v: (v.get("session") or {}).get("id") == session_id)
    if view["data"]["phase"] == "collect":
        ack = fac.call("action", {"session_id": session_id, "action": "start_voting", "payload": {},
                                  "action_id": uuid.uuid4().hex}, timeout=ACK_TIMEOUT)
        assert ack["ok"], ack
        view = wait_for(views, lambda v: (v.get("data") or {}).get("phase") == "vote")
    return fac, session_id, view["data"]["options"][0]["id"]


def tap(session_id: str, option: str, count: int) -> dict:
    return {"session_id": session_id, "action": "set_dots",
            "payload": {"option": option, "count": count}, "action_id": uuid.uuid4().hex}


# -- the flooder (its own process) ------------------------------------------------


def flood(base: str, token: str, session_id: str, option: str, start_at: float,
          duration: float, rate: float, results) -> None:
    """Send ``rate`` actions a second for ``duration`` seconds, from ``start_at`` on.

    ``start_at`` is wall-clock time (``time.time()``: the same in every process).
    Puts a dict of counts, and the flood's actual start and end, on ``results``
    (a multiprocessing queue).
    """
    counts = {"sent": 0, "ok": 0, "rate_limited": 0, "other": 0, "disconnects": 0,
              "refused_connects": 0, "connects": 0}
    lock = threading.Lock()

    def on_ack(ack: Any = None) -> None:
        code = "ok" if isinstance(ack, dict) and ack.get("ok") else (
            ack.get("error", {}).get("code") if isinstance(ack, dict) else None)
        with lock:
            counts[code if code in ("ok", "rate_limited") else "other"] += 1

    auth = {"role": "participant", "token": token}
    client = None
    try:
        client = connect(base, auth)
        counts["connects"] += 1
        time.sleep(max(0.0, start_at - time.time()))
        counts["from"] = time.time()
        start = now()
        end = start + duration
        sent = 0
        retry_at = 0.0
        connected = True
        while now() < end:
            if not client.connected:
                if connected:  # the server disconnected us
                    counts["disconnects"] += 1
                    counts.setdefault("kicked", time.time())
                    connected = False
                if now() < retry_at or now() + 3.0 > end:  # a refused connect can take seconds
                    time.sleep(0.05)
                    continue
                try:
                    client = connect(base, auth)
                    counts["connects"] += 1
                    connected = True
                except socketio.exceptions.ConnectionError:
                    counts["refused_connects"] += 1
                    retry_at = now() + 0.5
                    continue
            due = int((now() - start) * rate)
            while sent < due and client.connected:
                try:
                    client.emit("action", tap(session_id, option, sent % 2), callback=on_ack)
                except socketio.exceptions.SocketIOError:
                    break
                sent += 1
                counts["sent"] = sent
            time.sleep(0.002)
        counts["to"] = time.time()
        time.sleep(1.0)  # the last acks
        counts["cpu"] = time.process_time()  # what sending cost the flooder's own process
    except Exception as exc:  # noqa: BLE001 (reported to the parent)
        counts["error"] = repr(exc)
    finally:
        if client is not None:
            _close(client)
        with lock:
            results.put(dict(counts))


# -- the well-behaved phones ----------------------------------------------------------


@dataclass
class Tap:
    started: float
    latency: float
    ok: bool
    code: str | None = None


@dataclass
class Report:
    """What one run measured (times in seconds, relative to the phones' start)."""

    phones: int
    flood_from: float
    flood_to: float
    taps: list[Tap] = field(default_factory=list)
    flooder: dict = field(default_factory=dict)
    #: CPU seconds the server process used while the phones tapped, and over how
    #: many seconds (None: unknown on this platform).
    server_cpu: float | None = None
    span: float = 0.0
    #: Wall-clock time (``time.time()``) at which the phones started.
    t0: float = 0.0

    def during(self) -> list[Tap]:
        """Taps started while the flood ran (and in the second after it)."""
        return [t for t in self.taps if self.flood_from <= t.started <= self.flood_to + 1.0]

    def flooding(self) -> list[Tap]:
        """Taps started while the flooder's events were arriving (until it was first disconnected)."""
        end = self.flooder["kicked"] - self.t0 if "kicked" in self.flooder else self.flood_to
        return [t for t in self.taps if self.flood_from <= t.started <= end]

    def before(self) -> list[Tap]:
        return [t for t in self.taps if t.started < self.flood_from]

    def after(self) -> list[Tap]:
        return [t for t in self.taps if t.started > self.flood_to + 1.0]

    def lost(self) -> list[Tap]:
        return [t for t in self.taps if not t.ok]

    @staticmethod
    def stats(taps: list[Tap]) -> dict[str, float]:
        """p50/p99/max of the latencies in milliseconds (0 for no taps)."""
        values = sorted(t.latency * 1000 for t in taps)
        if not values:
            return {"n": 0, "p50": 0.0, "p99": 0.0, "max": 0.0}
        p99 = values[min(len(values) - 1, max(0, round(0.99 * len(values)) - 1))]
        return {"n": len(values), "p50": statistics.median(values), "p99": p99, "max": values[-1]}

    def summary(self) -> str:
        lines = []
        for name, taps in (("before", self.before()), ("during", self.during()),
                           ("flooding", self.flooding()), ("after", self.after())):
            s = self.stats(taps)
            lines.append(f"phones {name:8}: {s['n']:5d} acks  p50 {s['p50']:7.1f} ms  "
                         f"p99 {s['p99']:7.1f} ms  max {s['max']:7.1f} ms")
        lines.append(f"  (during: the flood window {self.flood_from:.1f}-{self.flood_to:.1f} s plus 1 s; "
                     "flooding: until the server disconnected the flooder)")
        lost = self.lost()
        lines.append(f"phones lost    : {len(lost)} acks" + (f" ({[t.code for t in lost][:5]})" if lost else ""))
        f = self.flooder
        lines.append(f"flooder        : sent {f.get('sent', 0)}, ok {f.get('ok', 0)}, "
                     f"rate_limited {f.get('rate_limited', 0)}, other {f.get('other', 0)}, "
                     f"disconnected {f.get('disconnects', 0)}x, refused reconnects "
                     f"{f.get('refused_connects', 0)}, its own CPU {f.get('cpu', 0):.1f} s"
                     + (f", error {f['error']}" if "error" in f else ""))
        if self.server_cpu is not None:
            lines.append(f"server CPU     : {self.server_cpu:.1f} s in {self.span:.1f} s "
                         f"({100 * self.server_cpu / max(self.span, 1e-9):.0f} % of one core)")
        return "\n".join(lines)


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU seconds of process ``pid`` (Linux ``/proc``; None elsewhere)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError, AttributeError):
        return None


def run_phone(client: socketio.Client, session_id: str, option: str, t0: float, stop_at: float,
              interval: float, taps: list[Tap], lock: threading.Lock) -> None:
    """Tap every ``interval`` seconds (±50 %) until ``stop_at`` (wall clock), waiting for each ack."""
    count = 1
    rng = random.Random()
    time.sleep(rng.uniform(0, interval))
    while time.time() < stop_at:
        started, wall = now(), time.time()
        try:
            ack = client.call("action", tap(session_id, option, count), timeout=ACK_TIMEOUT)
            ok = isinstance(ack, dict) and ack.get("ok") is True
            code = None if ok else str((ack or {}).get("error", {}).get("code"))
        except Exception as exc:  # noqa: BLE001 (a timeout or a dropped connection: lost)
            ok, code = False, type(exc).__name__
        latency = now() - started
        with lock:
            taps.append(Tap(wall - t0, latency, ok, code))
        count = 1 - count
        time.sleep(max(0.0, interval * rng.uniform(0.5, 1.5) - latency))


def run(server, phones: int = 20, warmup: float = 2.0, duration: float = 10.0, after: float = 3.0,
        rate: float = 1000.0, interval: float = 0.5) -> Report:
    """Run the scenario against ``server`` (a started :class:`tests.helpers.server.Server`)."""
    base = server.base
    workshop_id = server.links["Projector"].split("/p/", 1)[1].split("?", 1)[0]
    fac_token = server.links["Facilitator"].rsplit("/", 1)[1]
    code = server.links["Code"]
    fac, session_id, option = open_voting(base, workshop_id, fac_token)
    clients: list[socketio.Client] = []
    ctx = multiprocessing.get_context("spawn")
    results = ctx.Queue()
    flooder = None
    try:
        tokens = [join(base, code, f"Phone {n}") for n in range(phones)]
        flood_token = join(base, code, "Flooder")
        clients = [connect(base, {"role": "participant", "token": t}) for t in tokens]
        for client in clients:  # one tap each first: templates compile on their first use
            client.call("action", tap(session_id, option, 0), timeout=ACK_TIMEOUT)
        setup = 3.0  # seconds for the flooder's process to start and connect
        t0 = time.time() + setup  # the phones start tapping
        flooder = ctx.Process(target=flood, args=(base, flood_token, session_id, option,
                                                  t0 + warmup, duration, rate, results),
                              daemon=True)
        flooder.start()
        time.sleep(max(0.0, t0 - time.time()))
        report = Report(phones, warmup, warmup + duration, t0=t0)
        lock = threading.Lock()
        stop_at = t0 + warmup + duration + after
        threads = [threading.Thread(target=run_phone, daemon=True,
                                    args=(c, session_id, option, t0, stop_at, interval, report.taps, lock))
                   for c in clients]
        cpu_before = cpu_seconds(server.process.pid)
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(max(0.0, stop_at - time.time()) + ACK_TIMEOUT + 5)
        cpu_after = cpu_seconds(server.process.pid)
        if cpu_before is not None and cpu_after is not None:
            report.server_cpu, report.span = cpu_after - cpu_before, time.time() - t0
        try:
            report.flooder = results.get(timeout=15)
        except Exception:  # noqa: BLE001
            report.flooder = {"error": "the flooder reported nothing"}
        if "from" in report.flooder and "to" in report.flooder:  # when it really flooded
            report.flood_from, report.flood_to = report.flooder["from"] - t0, report.flooder["to"] - t0
        report.taps.sort(key=lambda t: t.started)
        return report
    finally:
        if flooder is not None:
            flooder.join(5)
            if flooder.is_alive():
                flooder.kill()
                flooder.join(5)
        closers = [threading.Thread(target=_close, args=(c,), daemon=True) for c in [*clients, fac]]
        for closer in closers:
            closer.start()
        for closer in closers:
            closer.join(10)


def _close(client: socketio.Client) -> None:
    """Disconnect, if still connected; cleanup never raises."""
    with contextlib.suppress(Exception):
        if client.connected:
            client.disconnect()
