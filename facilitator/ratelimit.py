"""Rate limits for the transport: token buckets and a throttle for guessed secrets. Pure Python (no Flask).

What is limited (the numbers are :class:`Settings`; ``docs/protocol.md`` §9 lists them):

* **events** per connection and per participant (all of a person's
  connections together): a token bucket each. An event that finds a bucket
  empty is answered ``rate_limited`` and never applied; a connection that
  keeps sending after that (its *strikes* bucket runs empty) is disconnected,
  and the participant may not connect again for ``kick_cooldown`` seconds.
* **connects** per client address (a token bucket, and a cap on the open
  connections of one address) and **joins** per client address.
* **guessing**: failed credential checks (unknown participant token, wrong
  projector key or facilitator token, unknown join code or workshop) per
  address. The first ``free_failures`` cost nothing; each further one locks
  the address out of credential checks for twice as long as the one before
  (``lock_base`` seconds, at most ``lock_cap``). One failure is forgiven every
  ``forgive_seconds``. The log line names the address and what was guessed,
  never the guessed value.

Addresses in ``Settings.exempt`` (the laptop itself: 127.0.0.1 and ::1) are
not limited per address: the facilitator's own browser, the projector on a
second screen and the load benchmarks run there. Events are limited for
every connection, wherever it comes from.

Every class takes a ``clock`` (seconds, monotonic) so tests can drive time.
All methods are short and take one small lock: they are called for every
event before anything else happens, and must stay cheap.
"""

from __future__ import annotations

import enum
import logging
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, fields

from facilitator.errors import ActionError
from facilitator.i18n import _

log = logging.getLogger(__name__)
Clock = Callable[[], float]


@dataclass(frozen=True)
class Settings:
    """The limits; override any of them with the app's ``RATE_LIMITS`` dict."""

    #: Events per connection: a person taps a few times a second at most; dot voting's
    #: fastest +/- runs and a reconnect that re-sends queued actions stay within the burst.
    event_rate: float = 10.0
    event_burst: float = 40.0
    #: Events of one participant over all their connections (two tabs, a reconnect).
    participant_rate: float = 15.0
    participant_burst: float = 60.0
    #: Refused events a connection may send (refilled per second) before it is disconnected:
    #: a script sending 1,000 events a second goes after about 3 s.
    strike_rate: float = 50.0
    strike_burst: float = 3000.0
    #: Seconds a disconnected (flooding) participant may not connect again.
    kick_cooldown: float = 10.0
    #: Socket.IO connects per address (a phone on bad Wi-Fi reconnects every 1-5 s).
    connect_rate: float = 1.0
    connect_burst: float = 60.0
    #: Open Socket.IO connections per address.
    connections_per_address: int = 50
    #: HTTP joins (``POST /j/<code>``) per address: 30 at once, then 10 a minute.
    join_rate: float = 10 / 60
    join_burst: float = 30.0
    #: Failed credential checks per address before the address is locked out.
    free_failures: int = 10
    #: Seconds after which one failure is forgotten.
    forgive_seconds: float = 60.0
    #: The first lock-out (seconds); each further failure doubles it, up to ``lock_cap``.
    lock_base: float = 1.0
    lock_cap: float = 300.0
    #: Addresses that are not limited per address (the laptop itself).
    exempt: tuple[str, ...] = ("127.0.0.1", "::1", "::ffff:127.0.0.1")

    @classmethod
    def from_mapping(cls, overrides: dict | None) -> Settings:
        """Defaults with ``overrides`` applied; unknown names are an error."""
        overrides = dict(overrides or {})
        unknown = set(overrides) - {f.name for f in fields(cls)}
        if unknown:
            raise ValueError(f"unknown RATE_LIMITS settings: {', '.join(sorted(unknown))}")
        if "exempt" in overrides:
            overrides["exempt"] = tuple(overrides["exempt"])
        return cls(**overrides)


class RateLimited(ActionError):
    """Refused for a while: code ``rate_limited``; ``retry_after`` in whole seconds (≥ 1)."""

    def __init__(self, retry_after: float = 1.0, message: str | None = None) -> None:
        self.retry_after = max(1, math.ceil(retry_after))
        super().__init__("rate_limited", message or wait_message(self.retry_after))


def wait_message(seconds: float) -> str:
    """The readable refusal for something that may be tried again in ``seconds``."""
    return _("Too many attempts. Please try again in %(seconds)d seconds.",
             seconds=max(1, math.ceil(seconds)))


def too_fast_message() -> str:
    """The readable refusal of a rate-limited event."""
    return _("You are sending too fast. Please wait a moment.")


class Buckets:
    """Token buckets under keys: ``burst`` tokens at most, ``rate`` new tokens per second.

    A key's bucket starts full. Full buckets carry no information, so when
    more than ``max_keys`` are kept the full ones are dropped.
    """

    def __init__(self, rate: float, burst: float, clock: Clock = time.monotonic,
                 max_keys: int = 10_000) -> None:
        self.rate = float(rate)
        self.burst = float(burst)
        self.clock = clock
        self.max_keys = max_keys
        self._buckets: dict[object, list[float]] = {}  # key -> [tokens, stamp]
        self._lock = threading.Lock()

    def _level(self, key: object, now: float) -> list[float]:
        bucket = self._buckets.get(key)
        if bucket is None:
            if len(self._buckets) >= self.max_keys:
                self._prune(now)
            bucket = self._buckets[key] = [self.burst, now]
        else:
            bucket[0] = min(self.burst, bucket[0] + (now - bucket[1]) * self.rate)
            bucket[1] = now
        return bucket

    def take(self, key: object, cost: float = 1.0) -> bool:
        """Take ``cost`` tokens from ``key``'s bucket; False (and nothing taken) when too few."""
        now = self.clock()
        with self._lock:
            bucket = self._level(key, now)
            if bucket[0] < cost:
                return False
            bucket[0] -= cost
            return True

    def wait(self, key: object, cost: float = 1.0) -> float:
        """Seconds until ``key``'s bucket holds ``cost`` tokens (0: now)."""
        now = self.clock()
        with self._lock:
            tokens = self._level(key, now)[0]
        if tokens >= cost:
            return 0.0
        return (cost - tokens) / self.rate if self.rate > 0 else math.inf

    def forget(self, key: object) -> None:
        """Drop ``key``'s bucket (a closed connection)."""
        with self._lock:
            self._buckets.pop(key, None)

    def __len__(self) -> int:
        return len(self._buckets)

    def _prune(self, now: float) -> None:
        """Drop the buckets that have refilled completely (called with the lock held)."""
        full = [key for key, (tokens, stamp) in self._buckets.items()
                if tokens + (now - stamp) * self.rate >= self.burst]
        for key in full:
            del self._buckets[key]


class GuessThrottle:
    """Failed credential checks per address, and the lock-outs they earn.

    A failure adds one to the address's score; one point is forgiven every
    ``forgive_seconds``. While the score is above ``free`` each failure locks
    the address for ``base * 2 ** (score - free - 1)`` seconds, at most ``cap``.
    """

    def __init__(self, free: int = 10, forgive_seconds: float = 60.0, base: float = 1.0,
                 cap: float = 300.0, clock: Clock = time.monotonic, max_keys: int = 10_000) -> None:
        self.free = free
        self.forgive_seconds = forgive_seconds
        self.base = base
        self.cap = cap
        self.clock = clock
        self.max_keys = max_keys
        self._scores: dict[str, list[float]] = {}  # address -> [score, stamp, locked_until]
        self._lock = threading.Lock()

    def _entry(self, address: str, now: float) -> list[float] | None:
        entry = self._scores.get(address)
        if entry is not None:
            forgiven = (now - entry[1]) / self.forgive_seconds if self.forgive_seconds > 0 else math.inf
            entry[0] = max(0.0, entry[0] - forgiven)
            entry[1] = now
        return entry

    def locked(self, address: str) -> float:
        """Seconds this address stays locked out (0: not locked)."""
        now = self.clock()
        with self._lock:
            entry = self._scores.get(address)
            return max(0.0, entry[2] - now) if entry else 0.0

    def failed(self, address: str) -> float:
        """Count a failure; returns the seconds of the lock-out it starts (0: none)."""
        now = self.clock()
        with self._lock:
            entry = self._entry(address, now)
            if entry is None:
                if len(self._scores) >= self.max_keys:
                    self._prune(now)
                entry = self._scores[address] = [0.0, now, 0.0]
            entry[0] += 1
            over = entry[0] - self.free
            if over <= 0:
                return 0.0
            seconds = min(self.cap, self.base * 2 ** min(62, math.ceil(over) - 1))
            entry[2] = max(entry[2], now + seconds)
            return seconds

    def score(self, address: str) -> float:
        """The address's current count of (not yet forgiven) failures."""
        now = self.clock()
        with self._lock:
            entry = self._entry(address, now)
            return entry[0] if entry else 0.0

    def _prune(self, now: float) -> None:
        stale = [address for address, (score, stamp, until) in self._scores.items()
                 if until <= now and score - (now - stamp) / self.forgive_seconds <= 0]
        for address in stale:
            del self._scores[address]


class Verdict(enum.Enum):
    """What to do with one event."""

    OK = "ok"  #: handle it
    LIMITED = "limited"  #: answer ``rate_limited``, apply nothing
    KICK = "kick"  #: answer ``rate_limited`` and disconnect the connection


#: What a failed credential check was guessing, for the log (never the value itself).
GUESSES = {
    "unknown_participant": "participant token",
    "unknown_workshop": "workshop id or join code",
    "forbidden": "projector key or facilitator token",
}


class Limits:
    """Every limit of one server, keyed by connection id, participant id and address."""

    def __init__(self, settings: Settings | None = None, clock: Clock = time.monotonic) -> None:
        s = self.settings = settings or Settings()
        self.clock = clock
        self.events = Buckets(s.event_rate, s.event_burst, clock)
        self.participants = Buckets(s.participant_rate, s.participant_burst, clock)
        self.strikes = Buckets(s.strike_rate, s.strike_burst, clock)
        self.connects = Buckets(s.connect_rate, s.connect_burst, clock)
        self.joins = Buckets(s.join_rate, s.join_burst, clock)
        self.guesses = GuessThrottle(s.free_failures, s.forgive_seconds, s.lock_base, s.lock_cap, clock)
        self._lock = threading.Lock()
        self._cooldown: dict[str, float] = {}  # participant id -> monotonic time
        self._open: dict[str, int] = {}  # address -> open connections
        self._address_of: dict[str, str] = {}  # connection id -> address

    def exempt(self, address: str | None) -> bool:
        """Not limited per address (the laptop itself)."""
        return not address or address in self.settings.exempt

    # -- events -------------------------------------------------------------
    def event(self, sid: str, participant_id: str | None = None) -> Verdict:
        """One event of connection ``sid`` (of ``participant_id``, if a participant's)."""
        allowed = self.events.take(sid)
        if allowed and participant_id:
            allowed = self.participants.take(participant_id)
        if allowed:
            return Verdict.OK
        if self.strikes.take(sid):
            return Verdict.LIMITED
        return Verdict.KICK

    def kicked(self, participant_id: str | None) -> None:
        """A participant was disconnected for flooding: refuse their connects for a while."""
        if participant_id:
            with self._lock:
                self._cooldown[participant_id] = self.clock() + self.settings.kick_cooldown
                if len(self._cooldown) > 10_000:
                    now = self.clock()
                    self._cooldown = {k: v for k, v in self._cooldown.items() if v > now}

    # -- connections --------------------------------------------------------
    def check_connect(self, address: str | None) -> None:
        """Before the credentials are looked at: the address's lock-out, rate and open connections.

        :raises RateLimited:
        """
        if self.exempt(address):
            return
        locked = self.guesses.locked(address)
        if locked:
            raise RateLimited(locked)
        with self._lock:
            full = self._open.get(address, 0) >= self.settings.connections_per_address
        if full:
            raise RateLimited(self.settings.kick_cooldown,
                              _("Too many connections from this device."))
        if not self.connects.take(address):
            raise RateLimited(self.connects.wait(address))

    def check_participant(self, participant_id: str) -> None:
        """A participant disconnected for flooding waits out the cooldown.

        :raises RateLimited:
        """
        with self._lock:
            until = self._cooldown.get(participant_id, 0.0)
        left = until - self.clock()
        if left > 0:
            raise RateLimited(left)

    def connected(self, sid: str, address: str | None) -> None:
        """A connection was accepted."""
        if self.exempt(address):
            return
        with self._lock:
            self._address_of[sid] = address
            self._open[address] = self._open.get(address, 0) + 1

    def disconnected(self, sid: str) -> None:
        """A connection closed: forget its buckets and count."""
        self.events.forget(sid)
        self.strikes.forget(sid)
        with self._lock:
            address = self._address_of.pop(sid, None)
            if address is not None:
                left = self._open.get(address, 0) - 1
                if left > 0:
                    self._open[address] = left
                else:
                    self._open.pop(address, None)

    # -- HTTP joins -------------------------------------------------------------
    def check_join(self, address: str | None) -> None:
        """Before an HTTP join (``POST /j/<code>``): the address's lock-out and join rate.

        :raises RateLimited:
        """
        if self.exempt(address):
            return
        self.check_guess(address)
        if not self.joins.take(address):
            raise RateLimited(self.joins.wait(address))

    # -- guessing -------------------------------------------------------------
    def check_guess(self, address: str | None) -> None:
        """Before checking a secret (token, key, join code) sent from ``address``.

        :raises RateLimited: while the address is locked out.
        """
        if self.exempt(address):
            return
        locked = self.guesses.locked(address)
        if locked:
            raise RateLimited(locked)

    def failed(self, address: str | None, what: str) -> float:
        """A credential check from ``address`` failed (``what``: e.g. ``participant token``).

        Returns the seconds of the lock-out this starts (0: none) and logs it.
        """
        if self.exempt(address):
            return 0.0
        seconds = self.guesses.failed(address)
        if seconds:
            log.warning("Locking out %s for %.0f s after %.0f failed attempts (last: %s)",
                        address, seconds, self.guesses.score(address), what)
        return seconds
