"""Each emulator fault alone, through the real plugin process: the lifecycle completes, nothing is
lost or duplicated, and waits honour what the server announced (checked on recorded arrival
times, never on durations)."""

from __future__ import annotations

import itertools

import pytest
from conftest import EMULATOR_TOKEN, MakeEngine
from engine import Engine, ProviderCallError
from lifecycle_helpers import approvals, assert_each_exists_once, configuration_requests

from provider.emulator import Emulator, Faults, RecordedRequest, ScriptedAnswer


def lifecycle(engine: Engine, emulator: Emulator, count: int = 3, parallel: int = 1) -> None:
    """Create, update, refresh and destroy `count` configurations, checking the emulator each time."""
    names = {f"cfg-{i}": f"Config {i}" for i in range(count)}
    created = engine.up(
        [approvals(resource, name=name) for resource, name in names.items()], parallel=parallel
    )
    assert set(created.operations.values()) == {"create"}
    assert_each_exists_once(engine, emulator, names)

    renamed = {resource: f"{name} renamed" for resource, name in names.items()}
    updated = engine.up(
        [approvals(resource, name=name) for resource, name in renamed.items()], parallel=parallel
    )
    assert set(updated.operations.values()) == {"update"}
    assert_each_exists_once(engine, emulator, renamed)

    assert set(engine.refresh().values()) == {"same"}
    engine.destroy(parallel=parallel)
    assert engine.state == {}
    assert emulator.configurations() == []


def statuses(emulator: Emulator) -> list[int]:
    return [request.status for request in emulator.requests]


def after_each_429(requests_seen: list[RecordedRequest]) -> list[tuple[RecordedRequest, RecordedRequest]]:
    return [(first, second) for first, second in itertools.pairwise(requests_seen) if first.status == 429]


def test_route_limit_alone_is_paced_without_a_429(make_engine: MakeEngine, emulator: Emulator) -> None:
    emulator.set_faults(Faults(window=0.5, route_limit=2))
    lifecycle(make_engine(), emulator)
    assert 429 not in statuses(emulator)


def test_global_limit_alone_is_paced_without_a_429(make_engine: MakeEngine, emulator: Emulator) -> None:
    emulator.set_faults(Faults(window=0.5, global_limit=3))
    lifecycle(make_engine(), emulator)
    assert 429 not in statuses(emulator)


def test_ip_limit_alone_waits_out_each_retry_after(make_engine: MakeEngine, emulator: Emulator) -> None:
    emulator.set_faults(Faults(window=0.5, ip_limit=3))
    lifecycle(make_engine(), emulator, count=2)
    waits = after_each_429(emulator.requests)
    assert waits, "the IP limit never answered 429"
    for limited, following in waits:
        assert following.timestamp >= limited.timestamp + float(limited.response_headers["Retry-After"])


def test_announced_reset_is_honoured_and_a_long_wait_is_shown(
    make_engine: MakeEngine, emulator: Emulator
) -> None:
    engine = make_engine()
    engine.up([approvals()])
    emulator.clear_requests()
    emulator.script(
        "update", [ScriptedAnswer(status=429, reset_in=1.2, headers={"X-Ratelimit-Route-Remaining": "0"})]
    )
    engine.up([approvals(name="Renamed")])
    limited, retried = emulator.requests
    assert (limited.status, retried.status) == (429, 200)
    assert retried.timestamp >= int(limited.response_headers["X-Ratelimit-Reset"]) / 1000
    stderr = engine.process.wait_for_stderr("rate limit is used up")
    assert "waiting 1." in stderr
    assert EMULATOR_TOKEN not in stderr


def test_server_errors_alone(make_engine: MakeEngine, emulator: Emulator) -> None:
    emulator.set_faults(Faults(error_rate=0.2, seed=2))
    lifecycle(make_engine(), emulator, count=6, parallel=4)
    assert {500, 502, 503, 504} & set(statuses(emulator))


def test_latency_alone(make_engine: MakeEngine, emulator: Emulator) -> None:
    emulator.set_faults(Faults(latency=0.05))
    lifecycle(make_engine(), emulator, count=2)


def test_a_read_timeout_is_retried(make_engine: MakeEngine, emulator: Emulator) -> None:
    engine = make_engine(requestTimeout="0.3")
    engine.up([approvals()])
    emulator.clear_requests()
    emulator.script("update", ["pass:delay=1"])
    assert engine.up([approvals(name="Renamed")]).operations == {"approvals": "update"}
    assert [request.method for request in emulator.requests] == ["PATCH", "PATCH"]
    assert engine.state["approvals"].outputs["name"] == "Renamed"


def test_create_dropped_after_commit_exists_once_and_is_in_state(
    make_engine: MakeEngine, emulator: Emulator
) -> None:
    emulator.script("create", ["drop"])
    engine = make_engine()
    assert engine.up([approvals()]).operations == {"approvals": "create"}
    assert [(request.method, request.dropped) for request in configuration_requests(emulator)] == [
        ("POST", True),
        ("GET", False),  # the list that found the stored configuration: no second POST
    ]
    (held,) = emulator.configurations()
    state = engine.state["approvals"]
    assert state.id == held["_id"]
    assert (
        state.outputs["config_values"]["apiKey"] == "approvals-secret-key-1"
    )  # the real value, not the mask
    assert state.outputs["created_at"] == held["_createdAt"]


def test_drops_after_create_alone(make_engine: MakeEngine, emulator: Emulator) -> None:
    emulator.set_faults(Faults(drop_after_create=0.5, seed=3))
    lifecycle(make_engine(), emulator, count=6, parallel=4)
    assert any(request.dropped for request in emulator.requests)


def test_giving_up_reaches_the_user_with_attempts_and_last_answer(
    make_engine: MakeEngine, emulator: Emulator
) -> None:
    engine = make_engine(maxRetries="1")
    engine.up([approvals()])
    emulator.script("delete", ["503", "502"])
    with pytest.raises(ProviderCallError) as raised:
        engine.destroy()
    details = raised.value.details
    assert "HTTP 502 bad_gateway" in details
    assert "gave up after 2 attempts: launchdarkly:maxRetries is 1" in details
    assert EMULATOR_TOKEN not in details
    assert len(emulator.configurations()) == 1
    assert "approvals" in engine.state
