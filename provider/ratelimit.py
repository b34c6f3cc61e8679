"""LaunchDarkly's rate limits: what an answer says about them, and one shared gate per process.

LaunchDarkly counts requests in fixed windows (10 s) per route and per account, and says so in
every answer: `X-Ratelimit-Route-Remaining`, `X-Ratelimit-Global-Remaining` and
`X-Ratelimit-Reset` (when the window ends, epoch milliseconds). IP-based limits answer 429 with
`Retry-After` (seconds) only.

`RateLimitGate` is shared by every thread of the provider process (the engine runs four steps at
once): once any answer shows that a window is used up until T, no thread sends on it before T.
Within a window it paces by the remaining counts, so that a bulk apply spends each window's
allowance and then waits, instead of collecting 429s.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.utils import parsedate_to_datetime

from .notices import notify

GLOBAL_BUCKET = "global"
RESET_HEADER = "X-Ratelimit-Reset"
ROUTE_REMAINING_HEADER = "X-Ratelimit-Route-Remaining"
GLOBAL_REMAINING_HEADER = "X-Ratelimit-Global-Remaining"
RETRY_AFTER_HEADER = "Retry-After"

# X-Ratelimit-Reset is documented in epoch milliseconds; a value below this (about the year 5138 in
# seconds, 1973 in milliseconds) can only be meant as seconds, so it is read as seconds.
_SECONDS_OR_MILLISECONDS = 1e11
# A wait announced on stderr only when it is this long: shorter ones are routine pacing.
ANNOUNCE_AFTER = 1.0


def jitter(wait: float, rng: random.Random | None = None) -> float:
    """A small random extra on top of a wait (5% of it, plus up to 20 ms, capped at 0.5 s).

    Proportional, so that pacing through many short windows does not lose a fixed slice of each,
    and enough to keep threads and processes that learned the same reset from arriving together.
    """
    spread = min(0.5, 0.02 + 0.05 * max(wait, 0.0))
    return (rng or random).uniform(0.0, spread)


def parse_reset(raw: str | None) -> float | None:
    """`X-Ratelimit-Reset` as epoch seconds; None when absent or not a number."""
    number = _number(raw)
    if number is None or number <= 0:
        return None
    return number if number < _SECONDS_OR_MILLISECONDS else number / 1000.0


def parse_retry_after(raw: str | None, now: float) -> float | None:
    """`Retry-After` as an epoch time: delay-seconds or an HTTP date (RFC 9110); None when unusable."""
    if raw is None or not raw.strip():
        return None
    seconds = _number(raw)
    if seconds is not None:
        return now + seconds if seconds >= 0 else None
    try:
        moment = parsedate_to_datetime(raw.strip())
    except (TypeError, ValueError, IndexError):
        return None
    if moment.tzinfo is None:
        return None
    return moment.timestamp()


def parse_remaining(raw: str | None) -> int | None:
    number = _number(raw)
    if number is None or number < 0 or not float(number).is_integer():
        return None
    return int(number)


def _number(raw: str | None) -> float | None:
    if raw is None:
        return None
    try:
        number = float(raw.strip())
    except ValueError:
        return None
    # float() accepts "nan" and "inf": neither is a time or a count.
    return number if number == number and abs(number) != float("inf") else None


@dataclass(frozen=True)
class RateLimitInfo:
    """What one answer's headers say about the rate limits. Times are epoch seconds."""

    reset_at: float | None = None
    retry_after_until: float | None = None
    route_remaining: int | None = None
    global_remaining: int | None = None

    @classmethod
    def from_headers(cls, headers: Mapping[str, str], now: float) -> RateLimitInfo:
        # requests' headers are case-insensitive; a plain dict from elsewhere may not be.
        lowered = {name.lower(): value for name, value in headers.items()}
        return cls(
            reset_at=parse_reset(lowered.get(RESET_HEADER.lower())),
            retry_after_until=parse_retry_after(lowered.get(RETRY_AFTER_HEADER.lower()), now),
            route_remaining=parse_remaining(lowered.get(ROUTE_REMAINING_HEADER.lower())),
            global_remaining=parse_remaining(lowered.get(GLOBAL_REMAINING_HEADER.lower())),
        )

    def not_before(self, now: float) -> float | None:
        """The earliest moment the server allows a retry, or None if it said nothing usable.

        With both headers the later one wins; a reset already in the past says nothing.
        """
        moments = [t for t in (self.reset_at, self.retry_after_until) if t is not None and t > now]
        return max(moments) if moments else None

    def retry_after_not_before(self, now: float) -> float | None:
        """`Retry-After` alone, for answers other than 429 (a 503 may carry it)."""
        until = self.retry_after_until
        return until if until is not None and until > now else None


class BudgetExceeded(Exception):
    """Waiting for the rate limit would run past the operation's deadline."""

    def __init__(self, wait: float) -> None:
        super().__init__(f"the rate limit allows the next request in {wait:.1f} s")
        self.wait = wait


@dataclass
class _Bucket:
    """What this process knows of one rate-limit counter (a route's, or the account's)."""

    # Whether answers carry a remaining count for this bucket; until they do, nothing is paced.
    paced: bool = False
    reset_at: float | None = None
    remaining: int | None = None
    # A request is out to learn the new window's count: others wait for its answer.
    probing: bool = False
    in_flight: int = 0


@dataclass(frozen=True)
class Ticket:
    """Permission to send one request; hand it back with `observe` or `release`."""

    route: str
    probes: tuple[str, ...]


class RateLimitGate:
    """Shared rate-limit state of one LaunchDarkly host in this process."""

    def __init__(
        self,
        *,
        clock: Callable[[], float] = time.time,
        rng: random.Random | None = None,
        announce: Callable[[str], None] | None = None,
    ) -> None:
        self._clock = clock
        self._rng = rng or random.Random()
        self._announce = announce or notify
        self._condition = threading.Condition()
        self._buckets: dict[str, _Bucket] = {}
        # Set by 429s that name no window (Retry-After only, or no header): every route waits.
        self._blocked_until = 0.0
        # The latest reset already announced, so that threads waiting for the same one print one line.
        self._announced_until = 0.0

    def acquire(self, route: str, deadline: float) -> Ticket:
        """Block until a request on `route` may be sent, and count it against the window.

        `deadline` is an epoch time; raises `BudgetExceeded` rather than wait past it.
        """
        names = (route, GLOBAL_BUCKET)
        my_jitter: dict[float, float] = {}
        with self._condition:
            while True:
                now = self._clock()
                buckets = [self._bucket(name, now) for name in names]
                opens_at = self._blocked_until
                for bucket in buckets:
                    if bucket.reset_at is not None and bucket.remaining is not None and bucket.remaining <= 0:
                        opens_at = max(opens_at, bucket.reset_at)
                if opens_at > now:
                    # Each waiter adds its own jitter, chosen once per moment it waits for.
                    target = opens_at + my_jitter.setdefault(opens_at, jitter(opens_at - now, self._rng))
                    if target > deadline:
                        raise BudgetExceeded(target - now)
                    self._announce_reset(opens_at, target - now, route)
                    self._condition.wait(target - now)
                    continue
                if any(bucket.probing for bucket in buckets):
                    # Another request is learning the new window's count; its answer wakes us.
                    if now >= deadline:
                        raise BudgetExceeded(0.0)
                    self._condition.wait(min(1.0, deadline - now))
                    continue
                probes = []
                for name, bucket in zip(names, buckets, strict=True):
                    bucket.in_flight += 1
                    if bucket.remaining is not None:
                        bucket.remaining -= 1
                    elif bucket.paced:
                        bucket.probing = True
                        probes.append(name)
                return Ticket(route, tuple(probes))

    def observe(self, ticket: Ticket, headers: Mapping[str, str], status: int) -> RateLimitInfo:
        """Learn from an answer to a request sent with `ticket`; returns what its headers said."""
        with self._condition:
            now = self._clock()
            info = RateLimitInfo.from_headers(headers, now)
            counts = {ticket.route: info.route_remaining, GLOBAL_BUCKET: info.global_remaining}
            for name, remaining in counts.items():
                bucket = self._finish(ticket, name, now)
                if remaining is None or info.reset_at is None or info.reset_at <= now:
                    if name in ticket.probes:
                        # No count with a live window came back: nothing to pace on, so stop
                        # sending this bucket's requests one at a time.
                        bucket.paced = False
                    continue
                self._learn(bucket, remaining, info.reset_at)
            if status == 429 and info.route_remaining is None and info.global_remaining is None:
                # A 429 that names no counter (an IP-based limit) holds back every route.
                until = info.not_before(now)
                if until is not None:
                    self._blocked_until = max(self._blocked_until, until)
            self._condition.notify_all()
            return info

    def release(self, ticket: Ticket) -> None:
        """The request got no answer: give back what `acquire` took, without learning anything."""
        with self._condition:
            now = self._clock()
            for name in (ticket.route, GLOBAL_BUCKET):
                self._finish(ticket, name, now)
            self._condition.notify_all()

    def hold_back(self, seconds: float) -> None:
        """Keep every route quiet for a while (after a 429 that gave no time at all)."""
        with self._condition:
            self._blocked_until = max(self._blocked_until, self._clock() + seconds)
            self._condition.notify_all()

    def opens_in(self, route: str) -> float:
        """Seconds until a request on `route` may go, as far as is known now (0 when it may now)."""
        with self._condition:
            now = self._clock()
            opens_at = self._blocked_until
            for name in (route, GLOBAL_BUCKET):
                bucket = self._bucket(name, now)
                if bucket.reset_at is not None and bucket.remaining is not None and bucket.remaining <= 0:
                    opens_at = max(opens_at, bucket.reset_at)
            return max(0.0, opens_at - now)

    def _bucket(self, name: str, now: float) -> _Bucket:
        bucket = self._buckets.setdefault(name, _Bucket())
        if bucket.reset_at is not None and now >= bucket.reset_at:
            # The window is over; its count says nothing about the next one.
            bucket.reset_at = None
            bucket.remaining = None
        return bucket

    def _finish(self, ticket: Ticket, name: str, now: float) -> _Bucket:
        bucket = self._bucket(name, now)
        bucket.in_flight = max(0, bucket.in_flight - 1)
        if name in ticket.probes:
            bucket.probing = False
        return bucket

    @staticmethod
    def _learn(bucket: _Bucket, remaining: int, reset_at: float) -> None:
        bucket.paced = True
        if bucket.reset_at is not None and reset_at < bucket.reset_at - 0.001:
            return  # a late answer from an earlier window
        if (
            bucket.reset_at is not None
            and abs(reset_at - bucket.reset_at) <= 0.001
            and bucket.remaining is not None
        ):
            # Same window: our own count already includes requests still in flight; the server's
            # may be lower when other clients share the limit.
            bucket.remaining = min(bucket.remaining, remaining)
            return
        # A new window: requests still in flight may not be in the server's count yet.
        bucket.reset_at = reset_at
        bucket.remaining = remaining - bucket.in_flight

    def announce_reset(self, opens_at: float, wait: float, route: str) -> None:
        """Say on stderr that requests wait `wait` seconds for the rate limit to reset at `opens_at`,
        once per reset however many threads wait for it, and only for waits over a second."""
        with self._condition:
            self._announce_reset(opens_at, wait, route)

    def _announce_reset(self, opens_at: float, wait: float, route: str) -> None:
        if wait <= ANNOUNCE_AFTER or opens_at <= self._announced_until:
            return
        self._announced_until = opens_at
        self._announce(
            f"LaunchDarkly's rate limit is used up; waiting {wait:.1f} s for it to reset ({route} and other requests)"
        )


_GATES: dict[str, RateLimitGate] = {}
_GATES_LOCK = threading.Lock()


def shared_gate(api_host: str) -> RateLimitGate:
    """The one gate of this process for `api_host`: every client for that host shares it."""
    with _GATES_LOCK:
        gate = _GATES.get(api_host)
        if gate is None:
            gate = _GATES[api_host] = RateLimitGate()
        return gate
