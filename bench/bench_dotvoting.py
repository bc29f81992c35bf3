"""Dot voting under load: N simulated phones place their dots against a real server.

Run from the repository root::

    python bench/bench_dotvoting.py [--phones 500] [--processes 4] [--dots 3]
                                    [--spread 5] [--think 0.5] [--profile DIR]
                                    [--data-parent DIR] [--server-src DIR]

What it does (issue 3, "Speed"):

1. starts ``python -m facilitator serve --demo`` on 127.0.0.1 and a free port,
   with its data in a fresh temporary folder;
2. connects as the facilitator (Socket.IO), activates the demo's dot-voting
   session (collecting, with its prepared options; more are added up to
   ``--options``) and connects a projector client;
3. starts ``--processes`` worker processes; each runs its share of the phones
   in threads: join over HTTP (``POST /j/<code>``, JSON), connect with
   python-socketio over WebSocket, wait;
4. the facilitator starts voting; that moment is the start signal. Every phone
   taps its first dot at a random moment within ``--spread`` seconds, then its
   next dots ``--think`` seconds apart (±50 %), each a ``set_dots`` action with
   an absolute count and a fresh action id, waiting for each ack as a phone
   does;
5. measures acks (ok vs sent, and each reply's ``dots_left``), ack latency
   (p50/p99/max), the time until the last ack, the server's CPU time, how many
   views the phones received (phones get only their own changes: about
   1 + dots each, not one per dot in the room), and how far the projector's
   voter count lags behind the acks; then the facilitator closes voting and
   reveals, and the projector's ranking must equal the dots acknowledged.

Goals (the exit status is 1 when one is missed):

* every dot acknowledged ok, with the right ``dots_left``;
* the last ack within 10 s of the start signal;
* the projector shows the final voter count within 0.5 s of the ack that made
  it final (the last phone's first dot; this is at or before the last ack, so
  the goal is at least as strict as "within 0.5 s of the last ack");
* after the reveal, the projector shows exactly the acknowledged tally within
  0.5 s of the reveal's ack.

With hidden results (the default) the projector shows no totals while voting,
so the exact tally is checked on the revealed ranking.

Latencies are measured in the phone processes, which share the machine's two
cores with the server, so they include the clients' own scheduling delays.
``--profile DIR`` records the server with py-spy (``pip install py-spy``;
``--gil``: only the thread holding the interpreter lock, i.e. where the
server's CPU goes) from the start signal to the end of the vote and prints the
hottest frames. ``--data-parent /dev/shm`` takes the disk's fsync latency out
of the measurement; ``--server-src DIR`` runs the server from another source
tree (e.g. a copy with a proposed fix) for A/B comparisons.

The server and every worker are stopped by their pids at the end, also after
an error or Ctrl+C.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import math
import multiprocessing as mp
import os
import queue
import random
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import requests
import socketio

WINDOW = 10.0  # seconds: every dot acknowledged within this time after the start signal
PROJECTOR_STALE = 0.5  # seconds the projector may lag behind what was acknowledged
CALL_TIMEOUT = 20.0  # seconds to wait for one ack before counting it as missing
SETUP_TIMEOUT = 180.0  # seconds for all phones to join and connect
SERVER_START_TIMEOUT = 30.0
EXTRA_OPTIONS = ["Mobilität", "Kinderbetreuung", "Digitale Beratung", "Ehrenamt"]


def now() -> float:
    """One clock for every process (CLOCK_MONOTONIC is system-wide on Linux)."""
    return time.monotonic()


# -- the server -------------------------------------------------------------------


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Server:
    """``facilitator serve --demo`` in a subprocess and the links it printed."""

    data_dir: Path
    source: Path | None = None
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None
    links: dict[str, str] = field(default_factory=dict)
    log_path: Path | None = None

    @property
    def base(self) -> str:
        """``http://127.0.0.1:<port>``."""
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        """Start the server and wait (bounded) until it printed its links and listens."""
        self.log_path = self.data_dir.parent / "server-stderr.log"
        command = [sys.executable, "-m", "facilitator", "serve", "--host", "127.0.0.1",
                   "--port", str(self.port), "--data-dir", str(self.data_dir), "--demo"]
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        if self.source:  # another checkout first on the path: A/B-test a proposed change
            env["PYTHONPATH"] = os.pathsep.join(
                p for p in (str(self.source), env.get("PYTHONPATH", "")) if p
            )
        with open(self.log_path, "w") as stderr:
            self.process = subprocess.Popen(
                command, stdout=subprocess.PIPE, stderr=stderr, stdin=subprocess.DEVNULL,
                text=True, env=env, cwd=self.data_dir.parent,  # not the checkout: see --server-src
            )
        lines: queue.Queue[str | None] = queue.Queue()

        def drain() -> None:  # keeps the pipe from filling up for the whole run
            for line in self.process.stdout:
                lines.put(line.rstrip("\n"))
            lines.put(None)

        threading.Thread(target=drain, daemon=True).start()
        deadline = now() + SERVER_START_TIMEOUT
        while len(self.links) < 4:
            try:
                line = lines.get(timeout=max(0.0, deadline - now()))
            except queue.Empty:
                line = None
            if line is None:
                raise RuntimeError(f"the server did not print its links:\n{self.stderr()}")
            for key in ("Join", "Code", "Facilitator", "Projector"):
                if line.startswith(key + ":"):
                    self.links[key] = line.split(":", 1)[1].strip()
        while now() < deadline:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.05)
        raise RuntimeError(f"the server never listened:\n{self.stderr()}")

    def stderr(self) -> str:
        """What the server wrote to stderr so far."""
        return self.log_path.read_text() if self.log_path and self.log_path.exists() else ""

    @property
    def facilitator_token(self) -> str:
        """The last path segment of the ``Facilitator:`` link."""
        return urlsplit(self.links["Facilitator"]).path.rsplit("/", 1)[-1]

    @property
    def workshop_id(self) -> str:
        """The workshop id from the ``Projector:`` link."""
        return urlsplit(self.links["Projector"]).path.rsplit("/", 1)[-1]

    @property
    def projector_key(self) -> str:
        """The ``key`` parameter of the ``Projector:`` link."""
        return parse_qs(urlsplit(self.links["Projector"]).query)["key"][0]

    def stop(self) -> None:
        """SIGTERM by pid, SIGKILL after 10 s."""
        stop_pid(self.process, 10.0)


def stop_pid(process, grace: float) -> None:
    """Stop one child process (Popen or multiprocessing.Process) by its pid."""
    if process is None or process.pid is None:
        return
    alive = process.poll() is None if isinstance(process, subprocess.Popen) else process.is_alive()
    if not alive:
        return
    try:
        os.kill(process.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    if isinstance(process, subprocess.Popen):
        try:
            process.wait(timeout=grace)
            return
        except subprocess.TimeoutExpired:
            pass
    else:
        process.join(grace)
        if not process.is_alive():
            return
    try:
        os.kill(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        return
    if isinstance(process, subprocess.Popen):
        process.wait(timeout=10)
    else:
        process.join(10)


# -- Socket.IO clients of the main process ------------------------------------------


class Watcher:
    """A facilitator or projector client that keeps every view it receives, with times."""

    def __init__(self, base: str, auth: dict) -> None:
        self.client = socketio.Client(reconnection=False)
        self.views: list[tuple[float, dict]] = []
        self.changed = threading.Condition()
        self.client.on("view", self._on_view)
        self.client.connect(base, auth=auth, transports=["websocket"], wait_timeout=10)

    def _on_view(self, view: dict) -> None:
        with self.changed:
            self.views.append((now(), view))
            self.changed.notify_all()

    def wait_for(self, check, timeout: float, since: int = 0) -> tuple[float, dict] | None:
        """The first view (at index ``since`` or later) for which ``check(view)`` is true."""
        deadline = now() + timeout
        with self.changed:
            while True:
                for stamp, view in self.views[since:]:
                    if check(view):
                        return stamp, view
                left = deadline - now()
                if left <= 0:
                    return None
                self.changed.wait(left)

    def latest(self) -> dict:
        """The last view received."""
        with self.changed:
            return self.views[-1][1] if self.views else {}

    def act(self, session_id: str, action: str, payload: dict | None = None) -> dict:
        """Send a method action and return its ack (raises on a refusal)."""
        ack = self.call("action", {"session_id": session_id, "action": action,
                                   "payload": payload or {}, "action_id": uuid.uuid4().hex})
        return ack["reply"]

    def call(self, event: str, data: dict) -> dict:
        """Send an event and return its ack; a refusal raises RuntimeError."""
        ack = self.client.call(event, data, timeout=CALL_TIMEOUT)
        if not ack or not ack.get("ok"):
            raise RuntimeError(f"{event} {data} refused: {ack}")
        return ack

    def close(self) -> None:
        """Disconnect (bounded by python-socketio's own timeouts)."""
        with contextlib.suppress(Exception):  # cleanup must not hide the report
            self.client.disconnect()


def method_of(view: dict) -> str | None:
    """The method of the view's session, if any."""
    return (view.get("session") or {}).get("method")


def setup_session(fac: Watcher, want_options: int) -> tuple[str, list[str], int]:
    """Activate the demo's dot-voting session and make sure it offers ``want_options`` options."""
    first = fac.wait_for(lambda v: "agenda" in v, 10)
    if first is None:
        raise RuntimeError("the facilitator got no view with an agenda")
    dotvoting = [s["id"] for s in first[1]["agenda"] if s["method"] == "dotvoting"]
    if not dotvoting:
        raise RuntimeError("the demo workshop has no dot-voting session")
    session_id = dotvoting[0]
    mark = len(fac.views)
    fac.call("session.activate", {"session_id": session_id})
    if fac.wait_for(lambda v: method_of(v) == "dotvoting", 10, mark) is None:
        raise RuntimeError("the dot-voting session did not become active")
    data = fac.latest()["data"]
    if data["phase"] != "collect":
        raise RuntimeError(f"the demo's dot voting starts in {data['phase']!r}, not 'collect'")
    for text in EXTRA_OPTIONS[: max(0, want_options - len(data["options"]))]:
        fac.act(session_id, "add_option", {"text": text})
    got = fac.wait_for(
        lambda v: method_of(v) == "dotvoting" and len(v["data"]["options"]) >= want_options, 10
    )
    if got is None:
        raise RuntimeError(f"the ballot never had {want_options} options")
    data = got[1]["data"]
    return session_id, [o["id"] for o in data["options"]], data["dots_per_participant"]


# -- the phones (worker processes) ------------------------------------------------------


def taps_of(phone: int, options: list[str], dots: int) -> list[tuple[str, int]]:
    """The ``set_dots`` taps of one phone: absolute counts, alternating two options.

    With 3 dots: (a, 1), (b, 1), (a, 2), so the absolute count is exercised
    and each phone ends with 2 dots on a and 1 on b.
    """
    a = options[phone % len(options)]
    b = options[(phone * 7 + 3) % len(options)]
    if b == a:
        b = options[(phone + 1) % len(options)]
    return [(a if j % 2 == 0 else b, j // 2 + 1) for j in range(dots)]


def run_phone(number: int, cfg: dict, start: mp.Event, start_at, gate: threading.Semaphore,
              ready: threading.Barrier, out: list) -> None:
    """One phone: join, connect, wait for the start signal, tap its dots one by one."""
    rng = random.Random(cfg["seed"] * 100_003 + number)
    result = {"phone": number, "joined": False, "connected": False, "taps": [], "error": None}
    out.append(result)
    client = socketio.Client(reconnection=False)
    view_times: list[float] = []
    result["view_times"] = view_times
    client.on("view", lambda view: view_times.append(now()))
    try:
        with gate:
            answer = requests.post(
                f"{cfg['base']}/j/{cfg['code']}",
                json={"name": f"Phone {number}", "org_type": "other", "language": "en"},
                headers={"Accept": "application/json"}, timeout=30,
            )
            body = answer.json()
            if not body.get("ok"):
                raise RuntimeError(f"join refused: {body}")
            result["joined"] = True
            client.connect(cfg["base"], auth={"role": "participant", "token": body["token"]},
                           transports=["websocket"], wait_timeout=30)
            result["connected"] = True
    except Exception as exc:  # noqa: BLE001 - reported, counted as missing dots
        result["error"] = f"setup: {exc!r}"
    with contextlib.suppress(threading.BrokenBarrierError):  # all phones set up, then report
        ready.wait(SETUP_TIMEOUT)
    if not start.wait(SETUP_TIMEOUT + 60) or not result["connected"]:
        if result["connected"]:
            client.disconnect()
        return
    t0 = start_at.value
    time.sleep(max(0.0, t0 + rng.uniform(0, cfg["spread"]) - now()))
    for j, (option, count) in enumerate(taps_of(number, cfg["options"], cfg["dots"])):
        if j:
            time.sleep(cfg["think"] * rng.uniform(0.5, 1.5))
        sent = now()
        try:
            ack = client.call("action", {
                "session_id": cfg["session_id"], "action": "set_dots",
                "payload": {"option": option, "count": count},
                "action_id": f"bench-{number}-{j}-{uuid.uuid4().hex[:8]}",
            }, timeout=CALL_TIMEOUT)
            acked = now()
            ok = bool(ack and ack.get("ok"))
            code = None if ok else (ack or {}).get("error", {}).get("code", "no_ack")
            left = ack["reply"].get("dots_left") if ok else None
        except socketio.exceptions.TimeoutError:
            acked, ok, code, left = None, False, "timeout", None
        except Exception as exc:  # noqa: BLE001 - e.g. the connection dropped
            acked, ok, code, left = None, False, f"error: {exc!r}", None
        result["taps"].append({"j": j, "option": option, "count": count, "sent": sent,
                               "acked": acked, "ok": ok, "code": code, "left": left})
    result["client"] = client  # disconnected when the main process says so


def worker(index: int, numbers: list[int], cfg: dict, start, start_at, finish, results) -> None:
    """A worker process: runs its phones in threads, reports when connected and when done."""
    signal.signal(signal.SIGTERM, lambda *_: os._exit(3))
    out: list[dict] = []
    gate = threading.Semaphore(cfg["connect_concurrency"])
    ready = threading.Barrier(len(numbers) + 1)
    threads = [
        threading.Thread(target=run_phone, args=(n, cfg, start, start_at, gate, ready, out),
                         daemon=True, name=f"phone-{n}")
        for n in numbers
    ]
    for thread in threads:
        thread.start()
    with contextlib.suppress(threading.BrokenBarrierError):
        ready.wait(SETUP_TIMEOUT)
    connected = sum(1 for r in out if r["connected"])
    errors = [r["error"] for r in out if r["error"]]
    results.put(("ready", index, connected, errors[:3]))
    deadline = now() + SETUP_TIMEOUT + 60 + cfg["spread"] + cfg["dots"] * (cfg["think"] * 1.5
                                                                         + CALL_TIMEOUT)
    for thread in threads:
        thread.join(max(0.0, deadline - now()))
    results.put(("done", index, [{k: v for k, v in r.items() if k not in ("client", "view_times")}
                                 for r in out]))
    finish.wait(120)  # phones stay connected until the projector has been checked
    results.put(("views", index, [list(r["view_times"]) for r in out]))
    for r in out:
        client = r.get("client")
        if client is not None:
            with contextlib.suppress(Exception):
                client.disconnect()
    os._exit(0)  # do not wait for python-socketio's daemon threads


# -- measuring -----------------------------------------------------------------------


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile (nearest rank) of ``values``."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far (0.0 if it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def raise_open_files(needed: int) -> None:
    """Lift the soft limit of open files towards ``needed`` (never above the hard limit)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = needed if hard == resource.RLIM_INFINITY else min(needed, hard)
    if soft != resource.RLIM_INFINITY and soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    soft = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    if soft != resource.RLIM_INFINITY and soft < needed:
        print(f"warning: only {soft} open files allowed, {needed} wanted", file=sys.stderr)


def start_profiler(pid: int, folder: Path) -> subprocess.Popen | None:
    """py-spy sampling the server's interpreter-lock holder, as collapsed stacks.

    ``--gil`` because the server is one Python process: whatever holds the lock
    is what the server spends its (one core of) CPU on.
    """
    exe = shutil.which("py-spy")
    if exe is None:
        print("--profile needs py-spy: pip install py-spy", file=sys.stderr)
        return None
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "py-spy.log", "w") as log:
        return subprocess.Popen(
            [exe, "record", "--pid", str(pid), "--rate", "100", "--gil", "--format", "raw",
             "--output", str(folder / "server.collapsed"), "--nonblocking"],
            stdout=subprocess.DEVNULL, stderr=log,
        )


def stop_profiler(profiler: subprocess.Popen | None, folder: Path) -> None:
    """Stop py-spy (SIGINT lets it write its file) and print the hottest frames."""
    if profiler is None:
        return
    if profiler.poll() is None:
        os.kill(profiler.pid, signal.SIGINT)
        try:
            profiler.wait(timeout=30)
        except subprocess.TimeoutExpired:
            stop_pid(profiler, 5)
    path = folder / "server.collapsed"
    if not path.exists():
        print(f"py-spy wrote nothing; see {folder / 'py-spy.log'}")
        return
    inclusive: collections.Counter[str] = collections.Counter()
    own: collections.Counter[str] = collections.Counter()
    total = 0
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        samples = int(count)
        frames = [f for f in stack.split(";")[1:] if f]  # the first item is the thread
        total += samples
        for frame in set(frames):
            inclusive[frame] += samples
        if frames:
            own[frames[-1]] += samples
    print(f"\nServer profile ({total} samples of the interpreter-lock holder, {path}):")
    print("  inclusive (share of samples):")
    for frame, samples in inclusive.most_common(25):
        print(f"    {100 * samples / total:5.1f} %  {frame}")
    print("  own time:")
    for frame, samples in own.most_common(12):
        print(f"    {100 * samples / total:5.1f} %  {frame}")


@dataclass
class Goal:
    """One goal of the benchmark and whether it was met."""

    name: str
    met: bool
    detail: str


class Timeout(RuntimeError):
    """A worker process did not report in time."""


def collect(results, kind: str, count: int, timeout: float) -> list[tuple]:
    """``count`` messages of ``kind`` from the workers, within ``timeout`` seconds in all."""
    deadline, got = now() + timeout, []
    while len(got) < count:
        try:
            message = results.get(timeout=max(0.1, deadline - now()))
        except queue.Empty:
            raise Timeout(f"only {len(got)} of {count} worker processes reported {kind!r} "
                          f"within {timeout:.0f} s") from None
        if message[0] == kind:
            got.append(message)
    return got


@dataclass
class Vote:
    """What one vote produced: the phones' taps and what the watchers saw, with times."""

    t0: float
    phones: list[dict]
    options: list[str]
    cpu: dict[str, float]
    wall: float
    projector: Watcher
    projector_mark: int
    fac: Watcher
    budget: int
    phone_views: list[int] = field(default_factory=list)
    reveal_ack: float | None = None
    revealed: tuple[float, dict] | None = None

    @property
    def taps(self) -> list[dict]:
        """Every tap of every phone."""
        return [tap for phone in self.phones for tap in phone["taps"]]

    def first_dot_acks(self) -> list[float]:
        """When each phone's first dot was acknowledged (each makes one more voter), sorted."""
        return sorted(t["acked"] for t in self.taps if t["j"] == 0 and t["ok"])

    def tally(self) -> dict[str, int]:
        """The dots that were acknowledged, per option (absolute counts: the last one wins)."""
        tally: collections.Counter[str] = collections.Counter()
        for phone in self.phones:
            final: dict[str, int] = {}
            for tap in phone["taps"]:
                if tap["ok"]:
                    final[tap["option"]] = tap["count"]
            tally.update(final)
        return {oid: tally.get(oid, 0) for oid in self.options}

    def projector_staleness(self) -> list[float]:
        """For the k-th new voter: how long the projector still showed fewer than k voters."""
        views = [(t, (v.get("data") or {}).get("voters") or 0)
                 for t, v in self.projector.views[self.projector_mark:]]
        lags = []
        for k, acked in enumerate(self.first_dot_acks(), start=1):
            shown = next((t for t, voters in views if voters >= k and t >= acked - 0.05), None)
            lags.append(float("inf") if shown is None else max(0.0, shown - acked))
        return lags


def prepare(args: argparse.Namespace, server: Server, ctx, finish, watchers: list,
            workers: list) -> tuple:
    """Server, facilitator, projector and phones ready; returns what the vote needs."""
    server.start()
    print(f"server pid {server.process.pid} on {server.base}, data in {server.data_dir}"
          + (f", code from {args.server_src}" if args.server_src else ""))
    fac = Watcher(server.base, {"role": "facilitator", "workshop": server.workshop_id,
                                "token": server.facilitator_token, "language": "en"})
    watchers.append(fac)
    session_id, options, budget = setup_session(fac, args.options)
    if args.dots > budget:
        raise ValueError(f"--dots {args.dots} is more than the session's {budget} dots")
    projector = Watcher(server.base, {"role": "projector", "workshop": server.workshop_id,
                                      "key": server.projector_key})
    watchers.append(projector)
    cfg = {
        "base": server.base, "code": server.links["Code"], "session_id": session_id,
        "options": options, "dots": args.dots, "spread": args.spread, "think": args.think,
        "seed": args.seed, "connect_concurrency": args.connect_concurrency,
    }
    start, start_at, results = ctx.Event(), ctx.Value("d", 0.0), ctx.Queue()
    numbers = list(range(args.phones))
    for index in range(min(args.processes, args.phones)):
        process = ctx.Process(target=worker, daemon=True, name=f"phones-{index}",
                              args=(index, numbers[index:: args.processes], cfg, start,
                                    start_at, finish, results))
        process.start()
        workers.append(process)
    began = now()
    ready = collect(results, "ready", len(workers), SETUP_TIMEOUT + 30)
    connected = sum(message[2] for message in ready)
    print(f"{connected} of {args.phones} phones joined and connected in {now() - began:.1f} s "
          f"({len(workers)} processes)")
    for message in ready:
        for error in message[3]:
            print(f"  setup error: {error}")
    if fac.wait_for(lambda v: (v.get("data") or {}).get("present") == args.phones, 30) is None:
        print("warning: the facilitator never saw every phone present")
    time.sleep(1.0)  # let the connect wave's view updates settle
    return fac, projector, session_id, options, budget, start, start_at, results


def vote(args: argparse.Namespace, server: Server, workers: list, finish, prepared) -> Vote:
    """Start voting (the start signal), wait for every phone, then close and reveal."""
    fac, projector, session_id, options, budget, start, start_at, results = prepared
    pids = {"server": [server.process.pid], "phones": [w.pid for w in workers]}
    cpu_before = {k: sum(cpu_seconds(pid) for pid in v) for k, v in pids.items()}
    profiler = start_profiler(server.process.pid, args.profile) if args.profile else None
    try:
        mark = len(projector.views)
        start_at.value = now()
        fac.act(session_id, "start_voting")
        start.set()
        t0 = start_at.value
        longest = args.spread + args.dots * (1.5 * args.think + CALL_TIMEOUT) + 30
        done = collect(results, "done", len(workers), longest)
        result = Vote(
            t0=t0, phones=[phone for message in done for phone in message[2]], options=options,
            cpu={k: sum(cpu_seconds(pid) for pid in v) - cpu_before[k] for k, v in pids.items()},
            wall=now() - t0, projector=projector, projector_mark=mark, fac=fac, budget=budget,
        )
        # The projector gets a moment to show the final count before voting closes.
        voters = len(result.first_dot_acks())
        projector.wait_for(lambda v: (v.get("data") or {}).get("voters") == voters,
                           PROJECTOR_STALE + 5, mark)
    finally:
        if profiler is not None:
            stop_profiler(profiler, args.profile)
    closed_at = now()
    mark = len(projector.views)
    fac.act(session_id, "close_voting")
    fac.act(session_id, "reveal")
    result.reveal_ack = now()
    result.revealed = projector.wait_for(
        lambda v: (v.get("data") or {}).get("phase") == "revealed", PROJECTOR_STALE + 5, mark
    )
    finish.set()
    for message in collect(results, "views", len(workers), 60):
        result.phone_views += [sum(1 for t in phone if t0 <= t < closed_at)
                               for phone in message[2]]
    return result


def report(args: argparse.Namespace, result: Vote) -> list[Goal]:
    """Print the numbers and return the goals, met or not."""
    t0, taps = result.t0, result.taps
    expected = args.phones * args.dots
    ok = [t for t in taps if t["ok"]]
    wrong_left = [t for t in ok if t["left"] != result.budget - t["j"] - 1]
    failures = collections.Counter(t["code"] for t in taps if not t["ok"])
    latencies = [t["acked"] - t["sent"] for t in ok]
    last_ack = max((t["acked"] for t in ok), default=t0)
    first_acks = result.first_dot_acks()
    deciding_ack = first_acks[-1] if first_acks else t0
    voters = len(first_acks)
    seen = result.projector.wait_for(lambda v: (v.get("data") or {}).get("voters") == voters,
                                     0, result.projector_mark)
    fac_seen = result.fac.wait_for(lambda v: (v.get("data") or {}).get("voters") == voters, 0)
    staleness = result.projector_staleness()
    shown = ({row["id"]: row["total"] for row in result.revealed[1]["data"]["ranking"]}
             if result.revealed else {})
    sent_tally = result.tally()
    reveal_lag = result.revealed[0] - result.reveal_ack if result.revealed else None

    print()
    print(f"Dot voting: {args.phones} phones x {args.dots} dots, {len(result.options)} options, "
          f"first taps spread over {args.spread:g} s, {args.think:g} s between one phone's taps")
    print(f"  dots sent          {len(taps)} of {expected}")
    print(f"  acknowledged ok    {len(ok)}"
          + (f"   refused/missing: {dict(failures)}" if failures else "")
          + (f"   wrong dots_left: {len(wrong_left)}" if wrong_left else ""))
    if latencies:
        print(f"  ack latency        p50 {1000 * percentile(latencies, 50):7.1f} ms   "
              f"p99 {1000 * percentile(latencies, 99):7.1f} ms   "
              f"max {1000 * max(latencies):7.1f} ms   "
              f"mean {1000 * statistics.fmean(latencies):7.1f} ms")
    offered = args.spread + (args.dots - 1) * args.think
    print(f"  last ack           {last_ack - t0:6.2f} s after the start signal "
          f"(window {WINDOW:g} s; taps offered over ~{offered:.1f} s)")
    print(f"  CPU while voting   server {result.cpu['server']:.1f} s, phones "
          f"{result.cpu['phones']:.1f} s in {result.wall:.1f} s on {os.cpu_count()} cores")
    print(f"  views to phones    {sum(result.phone_views)} from the start of voting to its close "
          f"(max {max(result.phone_views, default=0)} on one phone; 1 + {args.dots} expected)")
    if staleness:
        print(f"  projector lag      behind each new voter: p50 {percentile(staleness, 50):.3f} s, "
              f"max {max(staleness):.3f} s")
    if seen:
        print(f"  projector voters   {voters} shown {seen[0] - deciding_ack:+.3f} s after the ack "
              f"that made the count final, {seen[0] - last_ack:+.3f} s after the last ack")
    else:
        print(f"  projector voters   never showed {voters}")
    if fac_seen:
        print(f"  facilitator voters {voters} shown {fac_seen[0] - deciding_ack:+.3f} s after the "
              "ack that made the count final")
    if reveal_lag is not None:
        print(f"  reveal -> projector ranking in {reveal_lag:.3f} s; totals "
              f"{'match' if shown == sent_tally else 'DIFFER'} ({sum(shown.values())} dots shown, "
              f"{sum(sent_tally.values())} acknowledged)")

    # The wall is stale while it shows an older count than the acks allow; the count is
    # final with the last first dot, which may come before the last ack.
    stale = None if seen is None else max(0.0, seen[0] - deciding_ack)
    return [
        Goal("every dot acknowledged", len(ok) == expected and not wrong_left,
             f"{len(ok)}/{expected}"),
        Goal(f"all dots within {WINDOW:g} s", len(ok) == expected and last_ack - t0 <= WINDOW,
             f"{last_ack - t0:.2f} s"),
        Goal(f"projector shows the final voter count within {PROJECTOR_STALE:g} s",
             stale is not None and stale <= PROJECTOR_STALE,
             "never" if stale is None else f"{stale:.3f} s after the ack that made it final"),
        Goal(f"revealed tally exact on the projector within {PROJECTOR_STALE:g} s",
             shown == sent_tally and reveal_lag is not None and reveal_lag <= PROJECTOR_STALE,
             "no ranking" if reveal_lag is None
             else f"{reveal_lag:.3f} s, {'exact' if shown == sent_tally else 'WRONG'}"),
    ]


def run(args: argparse.Namespace) -> int:
    """Run the benchmark once; returns the exit status."""
    raise_open_files(4 * args.phones + 1024)
    temp = Path(tempfile.mkdtemp(prefix="facilitator-bench-dv-", dir=args.data_parent))
    server = Server(temp / "data", source=args.server_src)
    workers: list[mp.Process] = []
    watchers: list[Watcher] = []
    ctx = mp.get_context("spawn")  # no fork of a process that already runs threads
    finish = ctx.Event()
    try:
        prepared = prepare(args, server, ctx, finish, watchers, workers)
        goals = report(args, vote(args, server, workers, finish, prepared))
        print()
        for goal in goals:
            print(f"  [{'ok' if goal.met else 'MISSED'}] {goal.name}: {goal.detail}")
        return 0 if all(goal.met for goal in goals) else 1
    except Timeout as exc:
        print(f"MISSED: {exc}")
        return 1
    finally:
        finish.set()
        for watcher in watchers:
            watcher.close()
        for process in workers:
            process.join(5)
            stop_pid(process, 5)
        server.stop()
        if args.keep:
            print(f"kept {temp}")
        else:
            shutil.rmtree(temp, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    """Parse arguments and run the benchmark."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--phones", type=int, default=500, help="simulated phones")
    parser.add_argument("--processes", type=int, default=4, help="worker processes for the phones")
    parser.add_argument("--dots", type=int, default=3, choices=(1, 2, 3),
                        help="dots per phone (the demo's budget is 3)")
    parser.add_argument("--options", type=int, default=6, help="options on the ballot (4-8)")
    parser.add_argument("--spread", type=float, default=5.0,
                        help="seconds over which phones tap their first dot (0: all at once)")
    parser.add_argument("--think", type=float, default=0.5,
                        help="mean seconds between one phone's taps")
    parser.add_argument("--connect-concurrency", type=int, default=8,
                        help="joins+connects in flight per worker process")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--profile", type=Path, default=None,
                        help="record the server with py-spy into this folder")
    parser.add_argument("--keep", action="store_true", help="keep the server's data folder")
    parser.add_argument("--data-parent", type=Path, default=None,
                        help="where the server's temporary data folder goes (default: $TMPDIR; "
                             "/dev/shm takes the disk's fsync out of the measurement)")
    parser.add_argument("--server-src", type=Path, default=None,
                        help="run the server from this source tree (put first on PYTHONPATH; "
                             "it needs facilitator/, facilitator_plugins/ and "
                             "facilitator_templates/), e.g. a copy with a proposed fix")
    args = parser.parse_args(argv)
    if args.phones < 1 or args.processes < 1:
        parser.error("--phones and --processes must be at least 1")
    args.options = max(4, min(args.options, 4 + len(EXTRA_OPTIONS)))
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
