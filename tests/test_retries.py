"""Retries, rate limits and ambiguous creates in the client, over real HTTP against the emulator.

No timing assertions: what is checked is the order of events, e.g. that the emulator saw no
request before the reset it announced (recorded arrival times against the announced reset).
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from provider.client import LaunchDarklyClient
from provider.emulator import Emulator, Faults, RecordedRequest, ScriptedAnswer, running_emulator
from provider.errors import LaunchDarklyApiError, LaunchDarklyProviderError
from provider.models import IntegrationConfigurationPost, PatchOperation
from provider.ratelimit import RateLimitGate
from provider.settings import ProviderSettings

TOKEN = "api-retry-test-token"
VALUES = {"apiKey": "approvals-secret-1", "baseURL": "https://approvals.example.com"}


@pytest.fixture
def emulator() -> Iterator[Emulator]:
    with running_emulator(token=TOKEN) as emu:
        yield emu


class Announcements(list[str]):
    """Lines the client would print on stderr."""


@pytest.fixture
def said() -> Announcements:
    return Announcements()


def client_for(emulator: Emulator, said: list[str] | None = None, **settings: Any) -> LaunchDarklyClient:
    """A client with its own gate, so that no other test's rate-limit state leaks in."""
    lines = said if said is not None else []
    return LaunchDarklyClient(
        ProviderSettings(access_token=TOKEN, api_host=emulator.url, **settings),
        gate=RateLimitGate(announce=lines.append),
        announce=lines.append,
    )


def body(name: str = "Approvals") -> IntegrationConfigurationPost:
    return IntegrationConfigurationPost(name=name, config_values=dict(VALUES))


def seeded(emulator: Emulator, name: str = "Approvals", **extra: Any) -> dict[str, Any]:
    return emulator.seed_configuration("custom-approvals", {"name": name, "configValues": VALUES}, **extra)


def seen(emulator: Emulator, method: str | None = None) -> list[RecordedRequest]:
    return [request for request in emulator.requests if method is None or request.method == method]


def statuses(emulator: Emulator, method: str | None = None) -> list[int]:
    return [request.status for request in seen(emulator, method)]


def announced_reset(request: RecordedRequest) -> float:
    return int(request.response_headers["X-Ratelimit-Reset"]) / 1000


# -- rate limits ---------------------------------------------------------------------------------


def test_429_waits_until_the_announced_reset(emulator: Emulator, said: Announcements) -> None:
    emulator.script(
        "read", [ScriptedAnswer(status=429, reset_in=0.6, headers={"X-Ratelimit-Route-Remaining": "0"})]
    )
    assert client_for(emulator, said).get_configuration("0" * 24) is None
    limited, retried = seen(emulator)
    assert (limited.status, retried.status) == (429, 404)
    assert retried.timestamp >= announced_reset(limited)
    assert said == []  # waits under a second are routine


def test_429_with_retry_after_only_waits_that_long(emulator: Emulator) -> None:
    emulator.script("read", ["429:retry-after=1"])
    client_for(emulator).get_configuration("0" * 24)
    limited, retried = seen(emulator)
    assert limited.status == 429
    assert retried.timestamp >= limited.timestamp + 1


@pytest.mark.parametrize(
    ("answer", "later"),
    [("429:reset=0.2:retry-after=1", "retry-after"), ("429:reset=1.3:retry-after=1", "reset")],
)
def test_429_with_both_headers_waits_for_the_later(emulator: Emulator, answer: str, later: str) -> None:
    emulator.script("read", [answer])
    client_for(emulator).get_configuration("0" * 24)
    limited, retried = seen(emulator)
    assert retried.timestamp >= limited.timestamp + 1
    if later == "reset":
        assert retried.timestamp >= announced_reset(limited)


def test_429_without_headers_backs_off_and_retries(emulator: Emulator) -> None:
    emulator.script("read", ["429", "429"])
    assert client_for(emulator).get_configuration("0" * 24) is None
    assert statuses(emulator) == [429, 429, 404]


def test_a_wait_over_a_second_is_announced_once(emulator: Emulator, said: Announcements) -> None:
    emulator.script(
        "read", [ScriptedAnswer(status=429, reset_in=1.3, headers={"X-Ratelimit-Route-Remaining": "0"})]
    )
    client_for(emulator, said).get_configuration("0" * 24)
    assert len(said) == 1
    assert "rate limit" in said[0] and "waiting 1." in said[0]


def test_one_429_holds_back_every_thread_until_the_reset(emulator: Emulator) -> None:
    """The gate is shared: once one call learns the window is used up, the others wait too."""
    gate = RateLimitGate()
    client = LaunchDarklyClient(ProviderSettings(access_token=TOKEN, api_host=emulator.url), gate=gate)
    emulator.script(
        "read", [ScriptedAnswer(status=429, reset_in=0.8, headers={"X-Ratelimit-Route-Remaining": "0"})]
    )
    first = threading.Thread(target=client.get_configuration, args=("first",))
    first.start()
    # Start the others only once the client has taken in the 429.
    while gate.opens_in("read") == 0 and first.is_alive():
        time.sleep(0.005)
    others = [threading.Thread(target=client.get_configuration, args=(f"other-{i}",)) for i in range(3)]
    for thread in others:
        thread.start()
    for thread in [first, *others]:
        thread.join(timeout=30)
    limited, *rest = seen(emulator)
    assert limited.status == 429
    assert len(rest) == 4
    assert all(request.timestamp >= announced_reset(limited) for request in rest)
    assert all(request.status == 404 for request in rest)


def test_route_limit_is_paced_without_a_single_429() -> None:
    with running_emulator(token=TOKEN, faults=Faults(window=0.5, route_limit=3)) as emulator:
        client = client_for(emulator)
        for i in range(10):
            client.get_configuration(f"id-{i}")
        assert statuses(emulator) == [404] * 10
        windows = {int(request.timestamp // 0.5) for request in seen(emulator)}
        assert len(windows) >= 4  # ten requests at three per window


def test_global_limit_is_paced_across_routes_without_a_single_429() -> None:
    with running_emulator(token=TOKEN, faults=Faults(window=0.5, global_limit=3)) as emulator:
        client = client_for(emulator)
        for i in range(4):
            client.get_configuration(f"id-{i}")
            client.delete_configuration(f"id-{i}")
        assert statuses(emulator) == [404] * 8


def test_ip_limit_retry_after_holds_back_every_route() -> None:
    with running_emulator(token=TOKEN, faults=Faults(window=0.5, ip_limit=2)) as emulator:
        client = client_for(emulator)
        for i in range(3):
            client.get_configuration(f"id-{i}")
            client.delete_configuration(f"id-{i}")
        requests_seen = seen(emulator)
        assert [request.status for request in requests_seen].count(404) == 6
        for limited, following in itertools.pairwise(requests_seen):
            if limited.status == 429:
                retry_after = float(limited.response_headers["Retry-After"])
                assert following.timestamp >= limited.timestamp + retry_after


# -- server errors, conflicts, timeouts ----------------------------------------------------------


def test_server_errors_and_conflicts_are_retried_for_idempotent_calls(emulator: Emulator) -> None:
    created = client_for(emulator).create_configuration("custom-approvals", body())
    emulator.clear_requests()
    emulator.script("update", ["500", "409"])
    emulator.script("read", ["503", "504"])
    emulator.script("delete", ["502"])
    client = client_for(emulator)
    renamed = client.update_configuration(
        created.id, [PatchOperation(op="replace", path="/name", value="Renamed")]
    )
    assert renamed.name == "Renamed"
    assert client.get_configuration(created.id) is not None
    assert client.delete_configuration(created.id) is True
    assert statuses(emulator, "PATCH") == [500, 409, 200]
    assert statuses(emulator, "GET") == [503, 504, 200]
    assert statuses(emulator, "DELETE") == [502, 204]


def test_a_503_retry_after_is_honoured(emulator: Emulator) -> None:
    emulator.script("read", ["503:retry-after=1"])
    client_for(emulator).get_configuration("0" * 24)
    failed, retried = seen(emulator)
    assert retried.timestamp >= failed.timestamp + 1


def test_client_errors_are_not_retried(emulator: Emulator) -> None:
    bad = IntegrationConfigurationPost(name="x", config_values={"apiKey": "k", "baseUrl": "https://x"})
    with pytest.raises(LaunchDarklyApiError) as raised:
        client_for(emulator).create_configuration("custom-approvals", bad)
    assert raised.value.status == 400
    assert statuses(emulator) == [400]


def test_a_read_timeout_on_update_is_retried(emulator: Emulator) -> None:
    created = client_for(emulator).create_configuration("custom-approvals", body())
    emulator.script("update", ["pass:delay=1"])
    client = client_for(emulator, request_timeout=0.3)
    client.update_configuration(created.id, [PatchOperation(op="replace", path="/name", value="Renamed")])
    assert statuses(emulator, "PATCH") == [200, 200]
    assert emulator.get_configuration(created.id)["name"] == "Renamed"  # type: ignore[index]


# -- creates whose outcome is unknown ------------------------------------------------------------


def test_create_after_a_server_error_checks_then_posts_again(emulator: Emulator) -> None:
    emulator.script("create", ["503"])
    created = client_for(emulator).create_configuration("custom-approvals", body())
    assert [f"{r.method} {r.status}" for r in seen(emulator)] == ["POST 503", "GET 200", "POST 201"]
    assert [held["_id"] for held in emulator.configurations()] == [created.id]


def test_create_dropped_after_commit_is_adopted_not_duplicated(emulator: Emulator) -> None:
    emulator.script("create", ["drop"])
    created = client_for(emulator).create_configuration("custom-approvals", body())
    assert [f"{r.method} {r.status}" for r in seen(emulator)] == ["POST 201", "GET 200"]
    assert seen(emulator)[0].dropped
    (held,) = emulator.configurations()
    assert created.id == held["_id"]
    assert held["configValues"] == VALUES  # the masked secret in the list did not stop the match


def test_create_timed_out_after_commit_is_adopted(emulator: Emulator) -> None:
    emulator.script("create", ["pass:delay=1"])
    created = client_for(emulator, request_timeout=0.3).create_configuration("custom-approvals", body())
    assert [request.method for request in seen(emulator)] == ["POST", "GET"]
    assert [held["_id"] for held in emulator.configurations()] == [created.id]


def test_an_older_look_alike_is_never_adopted(emulator: Emulator) -> None:
    look_alike = seeded(emulator, created_at=int((time.time() - 3600) * 1000))
    emulator.script("create", ["500"])
    created = client_for(emulator).create_configuration("custom-approvals", body())
    assert created.id != look_alike["_id"]
    assert [request.method for request in seen(emulator)] == ["POST", "GET", "POST"]
    assert {held["_id"] for held in emulator.configurations()} == {look_alike["_id"], created.id}


def test_the_newest_match_is_adopted_over_an_older_look_alike(emulator: Emulator) -> None:
    look_alike = seeded(emulator, created_at=int((time.time() - 3600) * 1000))
    emulator.script("create", ["drop"])
    created = client_for(emulator).create_configuration("custom-approvals", body())
    assert created.id != look_alike["_id"]
    assert len(emulator.configurations()) == 2
    assert [request.method for request in seen(emulator)] == ["POST", "GET"]


def test_a_twin_created_by_this_process_is_not_adopted(emulator: Emulator) -> None:
    client = client_for(emulator)
    twin = client.create_configuration("custom-approvals", body())
    emulator.script("create", ["500"])
    second = client.create_configuration("custom-approvals", body())
    assert second.id != twin.id
    assert {held["_id"] for held in emulator.configurations()} == {twin.id, second.id}


def test_different_values_are_not_adopted(emulator: Emulator) -> None:
    emulator.seed_configuration(
        "custom-approvals",
        {"name": "Approvals", "configValues": {**VALUES, "baseURL": "https://other.example.com"}},
    )
    emulator.script("create", ["500"])
    client_for(emulator).create_configuration("custom-approvals", body())
    assert len(emulator.configurations()) == 2


def test_out_of_retries_after_an_ambiguous_create_it_still_looks_before_failing(emulator: Emulator) -> None:
    emulator.script("create", ["500", "drop"])
    created = client_for(emulator, max_retries=1).create_configuration("custom-approvals", body())
    assert [f"{r.method} {r.status}" for r in seen(emulator)] == [
        "POST 500",
        "GET 200",
        "POST 201",
        "GET 200",
    ]
    assert [held["_id"] for held in emulator.configurations()] == [created.id]


def test_a_failed_check_says_the_create_may_exist(emulator: Emulator) -> None:
    emulator.script("create", ["drop"])
    emulator.script("list", ["403"])
    with pytest.raises(LaunchDarklyProviderError) as raised:
        client_for(emulator).create_configuration("custom-approvals", body("Change approvals"))
    message = str(raised.value)
    assert "'Change approvals' got no clear answer" in message
    assert "HTTP 403" in message
    assert TOKEN not in message


# -- giving up -----------------------------------------------------------------------------------


def test_after_max_retries_the_error_names_attempts_and_last_answer(emulator: Emulator) -> None:
    emulator.script("read", ["503", "502", "504"])
    with pytest.raises(LaunchDarklyApiError) as raised:
        client_for(emulator, max_retries=2).get_configuration("0" * 24)
    assert raised.value.status == 504
    assert raised.value.attempts == 3
    assert "HTTP 504 gateway_timeout" in str(raised.value)
    assert "gave up after 3 attempts: launchdarkly:maxRetries is 2" in str(raised.value)
    assert statuses(emulator) == [503, 502, 504]


def test_a_reset_beyond_the_budget_fails_at_once_without_waiting(emulator: Emulator) -> None:
    limited = ScriptedAnswer(status=429, reset_in=30, headers={"X-Ratelimit-Route-Remaining": "0"})
    emulator.script("read", [limited])
    client = client_for(emulator, retry_timeout=2)
    with pytest.raises(LaunchDarklyApiError) as raised:
        client.get_configuration("0" * 24)
    assert raised.value.status == 429
    assert "gave up after 1 attempt" in str(raised.value)
    assert "launchdarkly:retryTimeout" in str(raised.value)
    # The gate remembers the window: the next call fails without a request.
    with pytest.raises(LaunchDarklyProviderError, match=r"rate limit allows the next request in \d+ s"):
        client.get_configuration("0" * 24)
    assert statuses(emulator) == [429]
