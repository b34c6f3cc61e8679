"""When to retry a request to LaunchDarkly, how long to wait, and when to give up.

- 429: wait until the server's reset (`X-Ratelimit-Reset`, `Retry-After`: the later), plus jitter;
  without either, exponential backoff with jitter.
- 409, 500, 502, 503, 504, a dropped connection or a read timeout: retry with backoff, except that
  a POST which may have reached the server is first reconciled (`recover`): creating is not
  idempotent, so a retried POST could create a second configuration.
- A request that surely never left (no connection) is retried whatever its method.
- Every operation has a budget: at most `max_retries` retries and `budget` seconds, waits included.

tenacity runs the loop (attempt count, time budget, exponential backoff); the rate-limit gate
(`ratelimit.RateLimitGate`) and the reconciliation of ambiguous creates are ours.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import requests
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
    stop_before_delay,
    wait_exponential_jitter,
)
from urllib3.exceptions import ConnectTimeoutError, MaxRetryError, NewConnectionError

from .ratelimit import ANNOUNCE_AFTER, BudgetExceeded, RateLimitGate, jitter

RETRYABLE_STATUSES = frozenset({409, 429, 500, 502, 503, 504})
# PATCH is here because this provider's patches replace whole fields: applying one twice is harmless.
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "PATCH", "DELETE"})
# Never give a request less time than this, even when the budget is nearly spent.
MIN_ATTEMPT_TIMEOUT = 0.5
# Time for the list that checks, when giving up, whether a create went through after all.
LAST_CHECK_BUDGET = 10.0

R = TypeVar("R")


@dataclass(frozen=True)
class RetryPolicy:
    max_retries: int = 10
    budget: float = 300.0
    first_backoff: float = 0.1
    max_backoff: float = 10.0

    @property
    def max_attempts(self) -> int:
        return self.max_retries + 1


@dataclass(frozen=True)
class Answer:
    """The answer an operation ended with, after `attempts` requests.

    `gave_up` says why retrying stopped when the answer is itself a retryable failure.
    """

    response: requests.Response
    attempts: int
    gave_up: str | None = None


class NoAnswer(Exception):
    """The last attempt got no HTTP answer at all (refused, dropped, timed out)."""

    def __init__(self, error: requests.RequestException, attempts: int, gave_up: str | None) -> None:
        super().__init__(type(error).__name__)
        self.error = error
        self.attempts = attempts
        self.gave_up = gave_up


class WaitTooLong(Exception):
    """The rate limit would allow the first attempt only after the budget ran out."""

    def __init__(self, wait: float, budget: float) -> None:
        super().__init__(f"next request allowed in {wait:.1f} s")
        self.wait = wait
        self.budget = budget


class _Retry(Exception):
    """One attempt failed in a way worth retrying."""

    def __init__(
        self,
        *,
        response: requests.Response | None = None,
        error: requests.RequestException | None = None,
        not_before: float | None = None,
    ) -> None:
        super().__init__(response.status_code if response is not None else type(error).__name__)
        self.response = response
        self.error = error
        self.not_before = not_before


def was_sent(error: requests.RequestException) -> bool:
    """False only when the request surely never reached the server (no connection was made)."""
    if isinstance(error, requests.exceptions.ConnectTimeout):
        return False
    reason = error.args[0] if error.args else None
    if isinstance(reason, MaxRetryError):
        reason = reason.reason
    # NewConnectionError covers refused connections and failed DNS look-ups.
    return not isinstance(reason, (NewConnectionError, ConnectTimeoutError))


def is_transient(error: requests.RequestException) -> bool:
    """Network trouble that may pass; TLS and proxy failures, bad URLs and the like will not."""
    if isinstance(error, (requests.exceptions.SSLError, requests.exceptions.ProxyError)):
        return False
    return isinstance(error, (requests.ConnectionError, requests.Timeout))


@dataclass
class _Progress:
    attempts: int = 0
    first_sent_at: float | None = None
    # The previous attempt of a non-idempotent request may have taken effect.
    ambiguous: bool = False
    last: _Retry | None = None


class Retrier:
    """Runs one operation's requests under a `RetryPolicy`, sharing a `RateLimitGate`."""

    def __init__(
        self, policy: RetryPolicy, gate: RateLimitGate, announce: Callable[[str], None] | None = None
    ) -> None:
        self.policy = policy
        self.gate = gate
        self._announce = announce
        self._backoff = wait_exponential_jitter(
            multiplier=policy.first_backoff, max=policy.max_backoff, jitter=policy.first_backoff
        )

    def call(
        self,
        *,
        operation: str,
        method: str,
        route: str,
        send: Callable[[float], requests.Response],
        recover: Callable[[float, float], R | None] | None = None,
        deadline: float | None = None,
    ) -> Answer | R:
        """Send until an answer is final, then return it (or what `recover` found).

        `send(timeout)` makes one request with at most `timeout` seconds to answer. `recover(sent_at,
        deadline)`, for a non-idempotent `method`, is called before retrying after an attempt that
        may have taken effect (times are epoch seconds); a value it returns ends the operation.
        `deadline` (epoch seconds) shortens this operation's budget, e.g. for a request made on
        behalf of another operation. Raises `NoAnswer` when the last attempt got no answer and
        `WaitTooLong` when the rate limit would not allow a first attempt within the budget.
        """
        started = time.time()
        budget = (
            self.policy.budget if deadline is None else max(0.0, min(self.policy.budget, deadline - started))
        )
        deadline = started + budget
        idempotent = method.upper() in IDEMPOTENT_METHODS
        progress = _Progress()

        def attempt() -> Answer | R:
            if progress.ambiguous and recover is not None and progress.first_sent_at is not None:
                found = recover(progress.first_sent_at, deadline)
                if found is not None:
                    return found
                progress.ambiguous = False
            ticket = self.gate.acquire(route, deadline)
            progress.attempts += 1
            now = time.time()
            if progress.first_sent_at is None:
                progress.first_sent_at = now
            try:
                response = send(max(MIN_ATTEMPT_TIMEOUT, deadline - now))
            except requests.RequestException as error:
                self.gate.release(ticket)
                if not is_transient(error):
                    raise
                if was_sent(error) and not idempotent:
                    progress.ambiguous = True
                raise self._failed(progress, _Retry(error=error)) from None
            info = self.gate.observe(ticket, response.headers, response.status_code)
            status = response.status_code
            if status not in RETRYABLE_STATUSES:
                return Answer(response, progress.attempts)
            if status >= 500 and not idempotent:
                progress.ambiguous = True  # a server error may come after the create was stored
            now = time.time()
            # On a 429 the reset is when to come back; on other answers it only describes the window,
            # and a server's own Retry-After (503) is the one demand.
            not_before = info.not_before(now) if status == 429 else info.retry_after_not_before(now)
            raise self._failed(progress, _Retry(response=response, not_before=not_before))

        def wait(state: RetryCallState) -> float:
            failure = progress.last
            assert failure is not None
            now = time.time()
            if failure.not_before is not None:
                seconds = failure.not_before - now
                seconds += jitter(seconds)
            else:
                seconds = self._backoff(state)
                if failure.response is not None and failure.response.status_code == 429:
                    # A 429 without a time: the other threads should slow down too.
                    self.gate.hold_back(seconds)
            return max(seconds, self.gate.opens_in(route))

        def before_sleep(state: RetryCallState) -> None:
            failure = progress.last
            if failure is None or state.upcoming_sleep <= ANNOUNCE_AFTER:
                return
            if (
                failure.not_before is not None
                and failure.response is not None
                and failure.response.status_code == 429
            ):
                # Every thread that met this reset would say the same: the gate says it once.
                self.gate.announce_reset(failure.not_before, state.upcoming_sleep, route)
                return
            if self._announce is None:
                return
            self._announce(
                f"{_describe(failure)} to {operation} an integration configuration; retrying in "
                f"{state.upcoming_sleep:.1f} s (attempt {progress.attempts + 1} of {self.policy.max_attempts})"
            )

        def last_check() -> R | None:
            """Giving up after an attempt that may have created something: look once more, or the
            next `pulumi up` would create it again. This check may run a little past the budget."""
            if not (progress.ambiguous and recover is not None and progress.first_sent_at is not None):
                return None
            return recover(progress.first_sent_at, max(deadline, time.time() + LAST_CHECK_BUDGET))

        def give_up(state: RetryCallState) -> Answer | R:
            failure = progress.last
            assert failure is not None
            found = last_check()
            if found is not None:
                return found
            if progress.attempts >= self.policy.max_attempts:
                reason = f"launchdarkly:maxRetries is {self.policy.max_retries}"
            else:
                reason = f"the next attempt would pass the retry budget of {budget:g} s (launchdarkly:retryTimeout)"
            return self._final(failure, progress.attempts, reason)

        retrying = Retrying(
            stop=stop_after_attempt(self.policy.max_attempts) | stop_before_delay(budget),
            wait=wait,
            retry=retry_if_exception_type(_Retry),
            before_sleep=before_sleep,
            retry_error_callback=give_up,
        )
        try:
            result: Answer | R = retrying(attempt)
        except BudgetExceeded as exceeded:
            if progress.last is None:
                raise WaitTooLong(exceeded.wait, budget) from None
            found = last_check()
            if found is not None:
                return found
            reason = (
                f"the rate limit allows the next attempt in {exceeded.wait:.1f} s, past the retry budget "
                f"of {budget:g} s (launchdarkly:retryTimeout)"
            )
            return self._final(progress.last, progress.attempts, reason)
        return result

    @staticmethod
    def _failed(progress: _Progress, failure: _Retry) -> _Retry:
        progress.last = failure
        return failure

    @staticmethod
    def _final(failure: _Retry, attempts: int, reason: str) -> Answer:
        if failure.response is not None:
            return Answer(failure.response, attempts, gave_up=reason)
        assert failure.error is not None
        raise NoAnswer(failure.error, attempts, reason)


def _describe(failure: _Retry) -> str:
    if failure.response is not None:
        return f"LaunchDarkly answered HTTP {failure.response.status_code}"
    return f"No answer from LaunchDarkly ({type(failure.error).__name__})"
