"""One phone floods a real server with 1,000 events a second; the room must not notice.

The scenario (tests/helpers/flood.py, also run by bench/bench_flood.py with a
10 s flood): 20 phones tap ``set_dots`` every ~0.5 s and wait for each ack
while one more participant sends 1,000 actions a second for 5 s. Before the
rate limits, such a flood pushed the others' p99 from 13 ms to 5.9 s, lost
an ack and took the room 24.5 s to recover.

Goals: no ack of the phones lost; their p99 during the flood under 250 ms;
the flooder answered ``rate_limited``, with no more actions accepted than its
limits allow, and disconnected when it keeps going.

The phones' clients share the machine with the server. On a machine busy with
other work the phones' p99 *without* a flood (before and after it, measured in
the same run) can itself exceed 250 ms; the bound is then three times that baseline,
which still fails by far when the flood gets through (seconds).
"""

from __future__ import annotations

import pytest

from facilitator.ratelimit import Settings
from tests.helpers import flood
from tests.helpers.server import Server

P99_MS = 250.0


@pytest.fixture
def server(tmp_path):
    started = Server(tmp_path / "data").start()
    try:
        yield started
    finally:
        started.stop()


def test_a_flooding_phone_does_not_slow_the_room(server):
    report = flood.run(server, phones=20, warmup=2.0, duration=5.0, after=3.0, rate=1000.0)
    print(report.summary())  # shown with -s or when the test fails
    during, before = report.stats(report.during()), report.stats(report.before())
    assert not report.lost(), report.summary()
    assert during["n"] >= 100, report.summary()
    f = report.flooder
    assert "error" not in f and f["sent"] >= 1000, report.summary()
    assert f["rate_limited"] > 0.8 * f["sent"], report.summary()
    s = Settings()
    window = report.flood_to - report.flood_from
    assert f["ok"] <= s.participant_burst + s.participant_rate * window, report.summary()
    assert f["disconnects"] >= 1, "a phone that keeps flooding is disconnected"
    baseline = report.stats(report.before() + report.after())["p99"]
    bound = max(P99_MS, 3 * baseline)
    assert during["p99"] < bound, report.summary()
    assert report.stats(report.flooding())["p99"] < bound, report.summary()
    assert report.stats(report.after())["max"] < 1000, "the room recovers at once"
    assert before["n"] > 0
