"""Reading LaunchDarkly's rate-limit headers: units, past resets, garbage, both headers at once."""

from __future__ import annotations

import time
from datetime import datetime, timezone
from email.utils import format_datetime

import pytest

from provider.ratelimit import (
    BudgetExceeded,
    RateLimitGate,
    RateLimitInfo,
    jitter,
    parse_remaining,
    parse_reset,
    parse_retry_after,
)

NOW = 1_760_000_000.0  # an epoch time in seconds (October 2025)


def info(now: float = NOW, **headers: str) -> RateLimitInfo:
    return RateLimitInfo.from_headers({name.replace("_", "-"): value for name, value in headers.items()}, now)


def test_reset_is_read_as_epoch_milliseconds() -> None:
    assert parse_reset("1760000002500") == 1_760_000_002.5


def test_reset_that_can_only_be_seconds_is_read_as_seconds() -> None:
    assert parse_reset("1760000002") == 1_760_000_002.0


def test_retry_after_is_seconds_from_now() -> None:
    assert parse_retry_after("3", NOW) == NOW + 3
    assert parse_retry_after(" 1.5 ", NOW) == NOW + 1.5


def test_retry_after_may_be_an_http_date() -> None:
    moment = datetime.fromtimestamp(NOW + 7, tz=timezone.utc)
    assert parse_retry_after(format_datetime(moment, usegmt=True), NOW) == NOW + 7


@pytest.mark.parametrize("garbage", ["", "  ", "soon", "12abc", "nan", "inf", "-5", "0x10"])
def test_garbage_reset_and_retry_after_say_nothing(garbage: str) -> None:
    assert parse_reset(garbage) is None
    assert parse_retry_after(garbage, NOW) is None
    assert info(X_Ratelimit_Reset=garbage, Retry_After=garbage).not_before(NOW) is None


@pytest.mark.parametrize("garbage", ["", "-1", "2.5", "lots", "nan"])
def test_garbage_remaining_counts_say_nothing(garbage: str) -> None:
    assert parse_remaining(garbage) is None


def test_remaining_counts_are_read_per_route_and_global() -> None:
    read = info(X_Ratelimit_Route_Remaining="4", X_Ratelimit_Global_Remaining="0")
    assert (read.route_remaining, read.global_remaining) == (4, 0)


def test_header_names_are_case_insensitive() -> None:
    read = RateLimitInfo.from_headers({"x-ratelimit-reset": "1760000001000", "RETRY-AFTER": "2"}, NOW)
    assert read.reset_at == NOW + 1
    assert read.retry_after_until == NOW + 2


def test_a_reset_in_the_past_says_nothing() -> None:
    assert info(X_Ratelimit_Reset=str(int((NOW - 5) * 1000))).not_before(NOW) is None


def test_with_both_headers_the_later_wins() -> None:
    reset_later = info(X_Ratelimit_Reset=str(int((NOW + 4) * 1000)), Retry_After="1")
    assert reset_later.not_before(NOW) == NOW + 4
    retry_after_later = info(X_Ratelimit_Reset=str(int((NOW + 4) * 1000)), Retry_After="9")
    assert retry_after_later.not_before(NOW) == NOW + 9


def test_a_usable_header_beside_a_garbage_one_still_counts() -> None:
    assert info(X_Ratelimit_Reset="tomorrow", Retry_After="2").not_before(NOW) == NOW + 2
    assert info(X_Ratelimit_Reset=str(int((NOW + 3) * 1000)), Retry_After="x").not_before(NOW) == NOW + 3


def test_no_headers_say_nothing() -> None:
    assert info().not_before(NOW) is None


@pytest.mark.parametrize("wait", [0.0, 0.4, 10.0, 600.0])
def test_jitter_is_small_and_never_negative(wait: float) -> None:
    extras = [jitter(wait) for _ in range(200)]
    assert all(0 <= extra <= min(0.5, 0.02 + 0.05 * wait) for extra in extras)
    assert len(set(extras)) > 1


# -- the shared gate -------------------------------------------------------------------------------
# A deadline of "now" turns any wait the gate would make into BudgetExceeded, so these tests see
# whether the gate lets a request go without timing anything.


def window_headers(remaining: int, reset_in: float, route: bool = True) -> dict[str, str]:
    name = "X-Ratelimit-Route-Remaining" if route else "X-Ratelimit-Global-Remaining"
    return {name: str(remaining), "X-Ratelimit-Reset": str(int((time.time() + reset_in) * 1000))}


def test_a_server_that_reports_nothing_is_not_paced() -> None:
    gate = RateLimitGate()
    first = gate.acquire("read", time.time())
    gate.observe(first, {}, 200)
    tickets = [gate.acquire("read", time.time()) for _ in range(10)]
    assert all(ticket.probes == () for ticket in tickets)


def test_the_remaining_count_is_spent_then_the_gate_waits_for_the_reset() -> None:
    gate = RateLimitGate()
    gate.observe(gate.acquire("update", time.time()), window_headers(2, reset_in=30), 200)
    gate.acquire("update", time.time())
    gate.acquire("update", time.time())
    with pytest.raises(BudgetExceeded) as raised:
        gate.acquire("update", time.time() + 5)
    assert 25 < raised.value.wait <= 31.5
    assert gate.opens_in("update") > 25
    assert gate.opens_in("read") == 0  # another route has its own count
    gate.acquire("read", time.time())


def test_the_global_count_holds_back_every_route() -> None:
    gate = RateLimitGate()
    gate.observe(gate.acquire("update", time.time()), window_headers(1, reset_in=30, route=False), 200)
    gate.acquire("delete", time.time())
    with pytest.raises(BudgetExceeded):
        gate.acquire("read", time.time())


def test_after_the_reset_one_request_learns_the_new_count_while_others_wait() -> None:
    gate = RateLimitGate()
    gate.observe(gate.acquire("read", time.time()), window_headers(0, reset_in=0.05), 200)
    time.sleep(0.06)
    probe = gate.acquire("read", time.time() + 1)
    assert probe.probes == ("read",)
    with pytest.raises(BudgetExceeded):
        gate.acquire("read", time.time())
    gate.observe(probe, window_headers(5, reset_in=30), 200)
    assert gate.acquire("read", time.time()).probes == ()


def test_counts_without_a_reset_do_not_serialise_requests() -> None:
    gate = RateLimitGate()
    gate.observe(gate.acquire("read", time.time()), window_headers(0, reset_in=0.05), 200)
    time.sleep(0.06)
    probe = gate.acquire("read", time.time() + 1)
    gate.observe(probe, {"X-Ratelimit-Route-Remaining": "7"}, 200)
    tickets = [gate.acquire("read", time.time()) for _ in range(4)]
    assert all(ticket.probes == () for ticket in tickets)


def test_a_request_without_an_answer_gives_its_probe_back() -> None:
    gate = RateLimitGate()
    gate.observe(gate.acquire("read", time.time()), window_headers(0, reset_in=0.05), 200)
    time.sleep(0.06)
    gate.release(gate.acquire("read", time.time() + 1))
    assert gate.acquire("read", time.time()).probes == ("read",)


def test_a_429_with_retry_after_only_holds_back_every_route() -> None:
    gate = RateLimitGate()
    gate.observe(gate.acquire("create", time.time()), {"Retry-After": "20"}, 429)
    for route in ("create", "read", "delete"):
        with pytest.raises(BudgetExceeded):
            gate.acquire(route, time.time() + 5)


def test_hold_back_holds_back_every_route() -> None:
    gate = RateLimitGate()
    gate.hold_back(20)
    with pytest.raises(BudgetExceeded):
        gate.acquire("read", time.time() + 5)


def test_a_late_answer_from_an_earlier_window_is_ignored() -> None:
    gate = RateLimitGate()
    gate.observe(gate.acquire("read", time.time()), window_headers(1, reset_in=30), 200)
    gate.observe(gate.acquire("read", time.time()), window_headers(9, reset_in=20), 200)
    with pytest.raises(BudgetExceeded):
        gate.acquire("read", time.time())


def test_a_reset_is_announced_once_and_only_when_over_a_second() -> None:
    lines: list[str] = []
    gate = RateLimitGate(announce=lines.append)
    gate.announce_reset(time.time() + 0.8, 0.8, "read")
    assert lines == []
    reset = time.time() + 8
    for _ in range(4):
        gate.announce_reset(reset, 8.0, "read")
    assert len(lines) == 1
    assert "waiting 8.0 s" in lines[0]
