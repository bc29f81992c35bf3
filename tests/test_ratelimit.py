"""The pure limiter logic (facilitator/ratelimit.py), driven by a fake clock."""

from __future__ import annotations

import logging

import pytest

from facilitator.ratelimit import (
    Buckets,
    GuessThrottle,
    Limits,
    RateLimited,
    Settings,
    Verdict,
)
from facilitator.testing import FakeClock

PHONE = "192.168.1.23"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(start=1000.0)


def test_a_bucket_allows_its_burst_then_its_rate(clock):
    bucket = Buckets(rate=10, burst=30, clock=clock)
    assert all(bucket.take("a") for _ in range(30))
    assert not bucket.take("a")
    assert bucket.wait("a") == pytest.approx(0.1)
    clock.advance(0.5)  # five new tokens
    assert [bucket.take("a") for _ in range(6)] == [True] * 5 + [False]
    clock.advance(3600)  # never more than the burst
    assert sum(bucket.take("a") for _ in range(100)) == 30
    assert bucket.take("b"), "every key has a bucket of its own"


def test_a_refused_take_costs_nothing(clock):
    bucket = Buckets(rate=1, burst=2, clock=clock)
    assert bucket.take("a") and bucket.take("a")
    for _ in range(50):
        assert not bucket.take("a")
    clock.advance(1)
    assert bucket.take("a")


def test_buckets_forget_and_prune_full_ones(clock):
    bucket = Buckets(rate=1, burst=5, clock=clock, max_keys=3)
    for key in "abc":
        bucket.take(key)
    clock.advance(10)  # a, b, c are full again: nothing to remember
    bucket.take("d")
    assert len(bucket) == 1
    bucket.forget("d")
    assert len(bucket) == 0


def test_dot_voting_taps_are_never_limited(clock):
    """A person tapping +/- as fast as they can (8 taps a second for 10 s), and a phone
    re-sending 30 queued taps after a reconnect, stay within the defaults."""
    limits = Limits(clock=clock)
    for _ in range(30):  # the queued taps after a reconnect, at once
        assert limits.event("sid", "p1") is Verdict.OK
    for _ in range(80):
        clock.advance(1 / 8)
        assert limits.event("sid", "p1") is Verdict.OK


def test_a_flood_is_limited_then_disconnected(clock):
    s = Settings()
    limits = Limits(s, clock=clock)
    verdicts = []
    for _ in range(int(s.event_burst + s.strike_burst) + 10):  # all at once
        verdicts.append(limits.event("sid", "p1"))
    assert verdicts[: int(s.event_burst)] == [Verdict.OK] * int(s.event_burst)
    assert set(verdicts[int(s.event_burst): int(s.event_burst + s.strike_burst)]) == {Verdict.LIMITED}
    assert verdicts[-1] is Verdict.KICK


def test_a_participant_is_limited_over_all_their_connections(clock):
    s = Settings()
    limits = Limits(s, clock=clock)
    accepted = 0
    for n in range(10):  # ten tabs (or reconnects), each with a fresh connection bucket
        accepted += sum(limits.event(f"sid{n}", "p1") is Verdict.OK for _ in range(int(s.event_burst)))
    assert accepted == s.participant_burst
    assert limits.event("sid-other", "p2") is Verdict.OK, "other people are not affected"


def test_a_disconnected_flooder_waits_before_connecting_again(clock):
    limits = Limits(Settings(kick_cooldown=10), clock=clock)
    limits.kicked("p1")
    with pytest.raises(RateLimited) as refused:
        limits.check_participant("p1")
    assert refused.value.code == "rate_limited" and refused.value.retry_after == 10
    limits.check_participant("p2")
    clock.advance(10.5)
    limits.check_participant("p1")


def test_connects_per_address_rate_and_open_connections(clock):
    limits = Limits(Settings(connect_rate=1, connect_burst=5, connections_per_address=3), clock=clock)
    for n in range(3):
        limits.check_connect(PHONE)
        limits.connected(f"s{n}", PHONE)
    with pytest.raises(RateLimited):  # three open connections: the cap
        limits.check_connect(PHONE)
    limits.disconnected("s0")
    limits.check_connect(PHONE)  # the 4th connect (the refused one took no token)
    limits.connected("s3", PHONE)
    limits.disconnected("s3")
    limits.check_connect(PHONE)  # the 5th
    with pytest.raises(RateLimited) as refused:  # five connects in no time: the burst
        limits.check_connect(PHONE)
    assert refused.value.retry_after == 1
    clock.advance(1)
    limits.check_connect(PHONE)
    limits.check_connect("192.168.1.24")  # another phone


def test_joins_per_address(clock):
    s = Settings()
    limits = Limits(s, clock=clock)
    for _ in range(int(s.join_burst)):
        limits.check_join(PHONE)
    with pytest.raises(RateLimited) as refused:
        limits.check_join(PHONE)
    assert refused.value.retry_after == pytest.approx(1 / s.join_rate, abs=1)
    clock.advance(1 / s.join_rate)
    limits.check_join(PHONE)


def test_the_laptop_itself_is_not_limited_per_address(clock):
    limits = Limits(Settings(join_burst=1, connect_burst=1, free_failures=0), clock=clock)
    for address in ("127.0.0.1", "::1", None):
        for _ in range(20):
            limits.check_join(address)
            limits.check_connect(address)
            assert limits.failed(address, "participant token") == 0
            limits.check_guess(address)


def test_guessing_locks_the_address_out_longer_and_longer(clock, caplog):
    throttle = GuessThrottle(free=3, forgive_seconds=60, base=1, cap=8, clock=clock)
    assert [throttle.failed(PHONE) for _ in range(3)] == [0, 0, 0]
    assert throttle.locked(PHONE) == 0
    assert [throttle.failed(PHONE) for _ in range(5)] == [1, 2, 4, 8, 8]
    assert throttle.locked(PHONE) == 8
    assert throttle.locked("192.168.1.24") == 0
    clock.advance(8)
    assert throttle.locked(PHONE) == 0
    clock.advance(60 * 8)  # every failure forgiven
    assert throttle.score(PHONE) == 0
    assert throttle.failed(PHONE) == 0


def test_a_lock_out_is_logged_without_the_secret(clock, caplog):
    limits = Limits(Settings(free_failures=2), clock=clock)
    secret = "q0Zr8MLtLQ2ZxHJmYq6y1JX4aYk3dV8e"
    with caplog.at_level(logging.WARNING, logger="facilitator.ratelimit"):
        for _ in range(3):
            limits.failed(PHONE, "participant token")
    with pytest.raises(RateLimited):
        limits.check_guess(PHONE)
    with pytest.raises(RateLimited):
        limits.check_connect(PHONE)
    with pytest.raises(RateLimited):
        limits.check_join(PHONE)
    assert PHONE in caplog.text and "participant token" in caplog.text
    assert secret not in caplog.text


def test_settings_come_from_a_mapping():
    assert Settings.from_mapping(None) == Settings()
    assert Settings.from_mapping({"event_rate": 5, "exempt": ["10.0.0.1"]}).exempt == ("10.0.0.1",)
    with pytest.raises(ValueError, match="evnt_rate"):
        Settings.from_mapping({"evnt_rate": 5})


def test_the_defaults_are_generous_for_people_and_tight_for_scripts():
    s = Settings()
    assert s.event_rate >= 10 and s.event_burst >= 30  # nobody taps faster than this
    assert s.participant_rate >= s.event_rate and s.participant_burst >= s.event_burst
    assert s.join_burst >= 30  # people behind one hotspot can still join
    assert s.connect_rate * 5 >= 1  # a phone reconnecting every 5 s is fine
    assert (s.strike_burst / (1000 - s.strike_rate)) < 5  # a 1,000 events/s script goes within 5 s
