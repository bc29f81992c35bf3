"""One phone floods the server; the others must not notice.

Run from the repository root::

    python bench/bench_flood.py [--phones 20] [--rate 1000] [--duration 10]
                                [--interval 0.5] [--p99 250]

What it does (the scenario lives in ``tests/helpers/flood.py``, which
``tests/test_flood.py`` runs with a shorter flood):

1. starts ``python -m facilitator serve --demo`` on 127.0.0.1 and a free port,
   with its data in a fresh temporary folder;
2. the facilitator opens the demo's dot vote for voting; ``--phones``
   participants join over HTTP and connect over WebSocket;
3. every phone taps ``set_dots`` about every ``--interval`` seconds (±50 %)
   and waits for each ack, as a phone does;
4. after 2 s a flooder (one more participant, in its own process) sends
   ``--rate`` actions a second for ``--duration`` seconds without waiting
   for acks, and reconnects whenever the server disconnects it;
5. prints the phones' ack latency (p50/p99/max) before, during (the flood
   window), while flooding (until the server disconnected the flooder) and
   after the flood, the acks they lost, the flooder's counts (ok, ``rate_limited``,
   disconnects, refused reconnects) and the server's CPU time.

Goals (the exit status is 1 when one is missed): during the flood the
phones' p99 stays under ``--p99`` ms (250) and none of their acks is lost;
the flooder gets ``rate_limited`` answers and no more accepted actions than
its rate limits allow.

The clients share the machine with the server, so latencies include their own
scheduling delays; on a machine busy with other work the "before" numbers
show what the machine itself adds. The server is stopped by its pid at the
end, also after an error or Ctrl+C; the whole run is bounded (about
``--duration`` + 30 s).
"""

from __future__ import annotations

import argparse
import platform
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from facilitator.ratelimit import Settings
from tests.helpers import flood
from tests.helpers.server import Server


def machine() -> str:
    """CPU count and model, for the report."""
    import os

    model = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as info:
            model = next(line.split(":", 1)[1].strip() for line in info if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return f"{os.cpu_count()} CPUs, {model}, Python {platform.python_version()}"


def allowed(duration: float) -> float:
    """The most actions one participant's limits let through in ``duration`` seconds."""
    s = Settings()
    return s.participant_burst + s.participant_rate * duration


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--phones", type=int, default=20, help="well-behaved phones (20)")
    parser.add_argument("--rate", type=float, default=1000.0, help="the flooder's events per second (1000)")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds of flood (10)")
    parser.add_argument("--interval", type=float, default=0.5, help="seconds between a phone's taps (0.5)")
    parser.add_argument("--p99", type=float, default=250.0, help="goal for the phones' p99 in ms (250)")
    args = parser.parse_args(argv)

    print(f"machine: {machine()}")
    with tempfile.TemporaryDirectory(prefix="bench-flood-") as tmp:
        server = Server(Path(tmp) / "data")
        try:
            server.start()
            started = time.monotonic()
            report = flood.run(server, phones=args.phones, duration=args.duration, rate=args.rate,
                               interval=args.interval)
            took = time.monotonic() - started
        finally:
            server.stop()
    print(report.summary())
    print(f"(run took {took:.1f} s)")

    during, flooding = report.stats(report.during()), report.stats(report.flooding())
    f = report.flooder
    window = report.flood_to - report.flood_from
    goals = [
        (f"phones' p99 during the flood < {args.p99:.0f} ms", during["p99"] < args.p99,
         f"{during['p99']:.1f} ms"),
        (f"phones' p99 while the flooder's events arrived < {args.p99:.0f} ms", flooding["p99"] < args.p99,
         f"{flooding['p99']:.1f} ms"),
        ("no phone ack lost", not report.lost(), f"{len(report.lost())} lost"),
        ("the flooder is answered rate_limited", f.get("rate_limited", 0) > 0,
         f"{f.get('rate_limited', 0)} of {f.get('sent', 0)}"),
        ("the flooder gets no more than its limits allow", f.get("ok", 0) <= allowed(window),
         f"{f.get('ok', 0)} ok, at most {allowed(window):.0f}"),
        ("the flooder ran", "error" not in f and f.get("sent", 0) > 0, f.get("error", "ok")),
    ]
    missed = 0
    for name, met, value in goals:
        missed += not met
        print(f"{'ok  ' if met else 'MISS'} {name}: {value}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
