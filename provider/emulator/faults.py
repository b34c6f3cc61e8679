"""Faults the emulator can inject, to test clients against what the real service does under load.

- Rate limits in fixed windows (aligned to the epoch, `window` seconds long): `route_limit`
  requests per route and `global_limit` in all, answered with LaunchDarkly's headers
  (`X-Ratelimit-Route-Remaining`, `X-Ratelimit-Global-Remaining`, `X-Ratelimit-Reset` in epoch
  milliseconds) and a 429 once used up; `ip_limit` per client address, whose 429s carry only
  `Retry-After` (whole seconds), like LaunchDarkly's IP-based limits. A refused request is not
  counted.
- `error_rate`: that fraction of requests gets a 500, 502, 503 or 504 without being processed.
- `latency`: seconds added before every answer (after processing and recording).
- `drop_after_create`: that fraction of successful creates is stored, then the connection is
  closed without an answer.
- Scripts: the next answers of a route, exactly (`ScriptedAnswer`); a scripted request is not
  rate limited and gets no random fault.

Randomness comes from one seeded generator, so a run can be repeated.
"""

from __future__ import annotations

import math
import random
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from .api import OTHER_ROUTE, ROUTE_NAMES, ApiRequest, ApiResponse, error_response
from .errors import ApiError

SERVER_ERRORS = {
    500: ("internal_server_error", "Internal server error (injected by the emulator)"),
    502: ("bad_gateway", "Bad gateway (injected by the emulator)"),
    503: ("service_unavailable", "Service unavailable (injected by the emulator)"),
    504: ("gateway_timeout", "Gateway timeout (injected by the emulator)"),
}
RESET_HEADER = "X-Ratelimit-Reset"
ROUTE_REMAINING_HEADER = "X-Ratelimit-Route-Remaining"
GLOBAL_REMAINING_HEADER = "X-Ratelimit-Global-Remaining"
RETRY_AFTER_HEADER = "Retry-After"


@dataclass(frozen=True)
class ScriptedAnswer:
    """One scripted answer. `status` None answers as the API would; otherwise that status with
    LaunchDarkly's error body, without processing the request.

    `drop` processes the request, then closes the connection without answering. `reset_in` adds
    `X-Ratelimit-Reset` that many seconds ahead, `retry_after` adds `Retry-After` (seconds),
    `headers` anything else; `delay` holds the answer back that many seconds.

    As text (CLI): `pass`, `drop` or a status, then `:option=value` pairs, e.g. `429:reset=0.8`,
    `429:retry-after=1`, `503`, `pass:delay=2`.
    """

    status: int | None = None
    drop: bool = False
    reset_in: float | None = None
    retry_after: float | None = None
    delay: float = 0.0
    headers: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.status is not None and not 400 <= self.status <= 599:
            raise ValueError(f"a scripted status is an error status (400-599), got {self.status}")
        if self.drop and self.status is not None:
            raise ValueError(
                "a dropped answer has no status: the request is processed, then the connection closed"
            )
        if self.delay < 0 or (self.retry_after is not None and self.retry_after < 0):
            raise ValueError("delays cannot be negative")

    @classmethod
    def parse(cls, text: str) -> ScriptedAnswer:
        kind, *options = text.strip().split(":")
        values: dict[str, float] = {}
        for option in options:
            name, _, raw = option.partition("=")
            if name not in ("reset", "retry-after", "delay"):
                raise ValueError(f"unknown option {name!r} in scripted answer {text!r}")
            try:
                values[name] = float(raw)
            except ValueError:
                raise ValueError(f"{name} needs a number of seconds in scripted answer {text!r}") from None
        if kind == "pass":
            status, drop = None, False
        elif kind == "drop":
            status, drop = None, True
        elif kind.isdigit():
            status, drop = int(kind), False
        else:
            raise ValueError(f"a scripted answer starts with pass, drop or an HTTP status, not {kind!r}")
        return cls(
            status=status,
            drop=drop,
            reset_in=values.get("reset"),
            retry_after=values.get("retry-after"),
            delay=values.get("delay", 0.0),
        )


@dataclass(frozen=True)
class Faults:
    """Which faults to inject; see the module documentation. The default injects none."""

    window: float = 10.0
    route_limit: int | None = None
    global_limit: int | None = None
    ip_limit: int | None = None
    error_rate: float = 0.0
    latency: float = 0.0
    drop_after_create: float = 0.0
    seed: int | None = None
    scripts: Mapping[str, Sequence[ScriptedAnswer]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.window > 0:
            raise ValueError(f"window must be a positive number of seconds, got {self.window}")
        for name in ("route_limit", "global_limit", "ip_limit"):
            limit = getattr(self, name)
            if limit is not None and limit < 1:
                raise ValueError(f"{name} must be at least 1, got {limit}")
        for name in ("error_rate", "drop_after_create"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"{name} is a fraction between 0 and 1, got {getattr(self, name)}")
        if self.latency < 0:
            raise ValueError(f"latency cannot be negative, got {self.latency}")
        for route in self.scripts:
            check_route(route)


def check_route(route: str) -> None:
    if route not in ROUTE_NAMES:
        raise ValueError(f"unknown route {route!r}; routes: {', '.join(ROUTE_NAMES)}")


Answer = Callable[[ApiRequest], ApiResponse]


class FaultInjector:
    """Applies `Faults` around the emulated API's answers. Safe under concurrent requests."""

    def __init__(self, faults: Faults, clock: Callable[[], float] = time.time) -> None:
        self.faults = faults
        self._clock = clock
        self._lock = threading.Lock()
        self._random = random.Random(faults.seed)
        self._window_index: int | None = None
        self._counts: Counter[str] = Counter()
        self._scripts: dict[str, deque[ScriptedAnswer]] = {
            route: deque(answers) for route, answers in faults.scripts.items()
        }

    def script(self, route: str, answers: Iterable[ScriptedAnswer]) -> None:
        """Queue the next answers of `route` (after any still queued)."""
        check_route(route)
        with self._lock:
            self._scripts.setdefault(route, deque()).extend(answers)

    def pending(self, route: str) -> int:
        """How many scripted answers of `route` are still to be given."""
        with self._lock:
            return len(self._scripts.get(route, ()))

    def apply(self, request: ApiRequest, route: str, answer: Answer) -> ApiResponse:
        with self._lock:
            scripted = self._next_scripted(route)
            limited, headers = (None, {}) if scripted else self._rate_limit(request, route)
            failure = None if scripted or limited else self._random_server_error()
            drop = (
                scripted is None
                and limited is None
                and failure is None
                and route == "create"
                and self._chance(self.faults.drop_after_create)
            )
        if scripted is not None:
            response = self._scripted(scripted, request, answer)
        elif limited is not None:
            response = limited
        elif failure is not None:
            response = error_response(request.request_id, ApiError(failure, *SERVER_ERRORS[failure], headers))
        else:
            response = answer(request)
            response.headers.update(headers)
            # Only a create that was stored is dropped: the point is a client left not knowing.
            response.drop = drop and response.status == 201
        response.delay += self.faults.latency + (scripted.delay if scripted else 0.0)
        return response

    def _next_scripted(self, route: str) -> ScriptedAnswer | None:
        queue = self._scripts.get(route)
        return queue.popleft() if queue else None

    def _chance(self, fraction: float) -> bool:
        return fraction > 0 and self._random.random() < fraction

    def _random_server_error(self) -> int | None:
        if not self._chance(self.faults.error_rate):
            return None
        return self._random.choice(sorted(SERVER_ERRORS))

    def _scripted(self, scripted: ScriptedAnswer, request: ApiRequest, answer: Answer) -> ApiResponse:
        now = self._clock()
        headers = dict(scripted.headers)
        if scripted.reset_in is not None:
            headers[RESET_HEADER] = str(math.ceil((now + scripted.reset_in) * 1000))
        if scripted.retry_after is not None:
            headers[RETRY_AFTER_HEADER] = f"{scripted.retry_after:g}"
        if scripted.status is None:
            response = answer(request)
            response.headers.update(headers)
            response.drop = scripted.drop
            return response
        code, message = _error_words(scripted.status)
        return error_response(request.request_id, ApiError(scripted.status, code, message, headers))

    def _rate_limit(self, request: ApiRequest, route: str) -> tuple[ApiResponse | None, dict[str, str]]:
        """A 429 when a limit is used up (nothing is counted), else the headers for the answer."""
        faults = self.faults
        now = self._clock()
        index = math.floor(now / faults.window)
        if index != self._window_index:
            self._window_index = index
            self._counts.clear()
        reset_at = (index + 1) * faults.window
        address_key = f"ip {request.client_address}"
        if faults.ip_limit is not None and self._counts[address_key] >= faults.ip_limit:
            wait = max(1, math.ceil(reset_at - now))
            refusal = ApiError(
                429, "rate_limited", "Too many requests from this address", {RETRY_AFTER_HEADER: str(wait)}
            )
            return error_response(request.request_id, refusal), {}
        limits = []
        if faults.route_limit is not None and route != OTHER_ROUTE:
            limits.append((f"route {route}", faults.route_limit, ROUTE_REMAINING_HEADER))
        if faults.global_limit is not None:
            limits.append(("global", faults.global_limit, GLOBAL_REMAINING_HEADER))
        used_up = any(self._counts[key] >= limit for key, limit, _ in limits)
        if not used_up:
            self._counts[address_key] += 1
            for key, _, _ in limits:
                self._counts[key] += 1
        headers = {header: str(max(0, limit - self._counts[key])) for key, limit, header in limits}
        if limits:
            headers[RESET_HEADER] = str(math.ceil(reset_at * 1000))
        if used_up:
            refusal = ApiError(429, "rate_limited", "Rate limit exceeded; retry after the reset", headers)
            return error_response(request.request_id, refusal), {}
        return None, headers


def _error_words(status: int) -> tuple[str, str]:
    if status in SERVER_ERRORS:
        return SERVER_ERRORS[status]
    if status == 429:
        return "rate_limited", "Rate limit exceeded (scripted)"
    if status == 409:
        return "optimistic_locking_error", "conflicts with a concurrent API request. Retry your request."
    return "scripted_error", f"Scripted answer {status}"
