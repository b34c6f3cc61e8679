"""The emulator's fault injection, over real HTTP: rate limits with real headers, 5xx, latency,
dropped connections after a create, scripted answers, and the same from the command line."""

from __future__ import annotations

import math
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from provider.emulator import Emulator, Faults, ScriptedAnswer, running_emulator

TOKEN = "test-token"
HEADERS = {"Authorization": TOKEN, "LD-API-Version": "beta"}
CONFIGS = "/api/v2/integration-configurations"
BODY = {"name": "Approvals", "configValues": {"apiKey": "secret-1", "baseURL": "https://a.example.com"}}


@pytest.fixture
def api() -> Iterator[requests.Session]:
    with requests.Session() as session:
        session.headers.update(HEADERS)
        yield session


def create(emu: Emulator, api: requests.Session, **body: Any) -> requests.Response:
    return api.post(f"{emu.url}{CONFIGS}/keys/custom-approvals", json={**BODY, **body})


def list_configs(emu: Emulator, api: requests.Session) -> requests.Response:
    return api.get(f"{emu.url}{CONFIGS}/keys/custom-approvals")


def sleep_until(moment: float) -> None:
    while (left := moment - time.time()) > 0:
        time.sleep(left)


def start_of_a_fresh_window(window: float) -> None:
    """Wait for the next window boundary, so a test's requests all fall in one window."""
    sleep_until((math.floor(time.time() / window) + 1) * window + 0.01)


def test_route_and_global_limits_answer_429_with_the_real_headers(api: requests.Session) -> None:
    with running_emulator(token=TOKEN, faults=Faults(window=1.0, route_limit=2, global_limit=3)) as emu:
        start_of_a_fresh_window(1.0)
        first, second, third = (list_configs(emu, api) for _ in range(3))
        assert [r.status_code for r in (first, second, third)] == [200, 200, 429]
        assert first.headers["X-Ratelimit-Route-Remaining"] == "1"
        assert first.headers["X-Ratelimit-Global-Remaining"] == "2"
        assert second.headers["X-Ratelimit-Route-Remaining"] == "0"
        assert third.json()["code"] == "rate_limited"
        assert third.headers["X-Ratelimit-Route-Remaining"] == "0"
        assert third.headers["X-Ratelimit-Global-Remaining"] == "1"  # the refused request was not counted
        reset = int(third.headers["X-Ratelimit-Reset"])
        assert reset > time.time() * 1000  # epoch milliseconds, in the future
        assert reset % 1000 == 0  # windows are aligned to the epoch

        # Another route still has its own allowance, until the global limit is used up.
        assert create(emu, api).status_code == 201
        assert create(emu, api).status_code == 429

        sleep_until(reset / 1000)
        fresh = list_configs(emu, api)
        assert fresh.status_code == 200
        assert fresh.headers["X-Ratelimit-Route-Remaining"] == "1"
        assert int(fresh.headers["X-Ratelimit-Reset"]) == reset + 1000


def test_ip_limit_answers_429_with_retry_after_only(api: requests.Session) -> None:
    with running_emulator(token=TOKEN, faults=Faults(window=1.0, ip_limit=1)) as emu:
        start_of_a_fresh_window(1.0)
        allowed, refused = list_configs(emu, api), list_configs(emu, api)
        assert allowed.status_code == 200
        assert not [name for name in allowed.headers if name.lower().startswith("x-ratelimit")]
        assert refused.status_code == 429
        assert refused.headers["Retry-After"] == "1"  # whole seconds, rounded up
        assert not [name for name in refused.headers if name.lower().startswith("x-ratelimit")]


def test_server_errors_are_not_processed_and_follow_the_seed(api: requests.Session) -> None:
    def statuses(seed: int) -> list[int]:
        with running_emulator(token=TOKEN, faults=Faults(error_rate=0.5, seed=seed)) as emu:
            answers = [create(emu, api, name=f"Config {i}") for i in range(30)]
            stored = len(emu.configurations())
        assert stored == sum(answer.status_code == 201 for answer in answers)
        for answer in answers:
            if answer.status_code >= 500:
                assert answer.json()["code"] in {
                    "internal_server_error",
                    "bad_gateway",
                    "service_unavailable",
                    "gateway_timeout",
                }
        return [answer.status_code for answer in answers]

    first = statuses(seed=7)
    assert set(first) == {201} | ({500, 502, 503, 504} & set(first))
    assert {500, 502, 503, 504} & set(first)
    assert 201 in first
    assert statuses(seed=7) == first


def test_latency_delays_every_answer(api: requests.Session) -> None:
    with running_emulator(token=TOKEN, faults=Faults(latency=0.3)) as emu:
        list_configs(emu, api)
        answered = time.time()
        (recorded,) = emu.requests
        assert answered >= recorded.timestamp + 0.3


def test_drop_after_create_stores_the_configuration_but_never_answers(api: requests.Session) -> None:
    with running_emulator(token=TOKEN, faults=Faults(drop_after_create=1.0)) as emu:
        with pytest.raises(requests.ConnectionError):
            create(emu, api)
        assert len(emu.configurations()) == 1
        (recorded,) = emu.requests
        assert (recorded.status, recorded.dropped) == (201, True)
        # Only creates are dropped.
        assert list_configs(emu, api).status_code == 200


def test_scripted_answers_come_in_order_then_normal_service_resumes(api: requests.Session) -> None:
    with running_emulator(token=TOKEN) as emu:
        emu.script(
            "create",
            [
                "429:reset=5:retry-after=2",
                ScriptedAnswer(status=503, headers={"X-Test": "yes"}),
                "409",
                "429",
                "drop",
            ],
        )
        limited = create(emu, api)
        assert limited.status_code == 429
        assert limited.headers["Retry-After"] == "2"
        assert 4000 < int(limited.headers["X-Ratelimit-Reset"]) - time.time() * 1000 <= 5001  # ms, rounded up
        unavailable = create(emu, api)
        assert (unavailable.status_code, unavailable.headers["X-Test"]) == (503, "yes")
        conflict = create(emu, api)
        assert (conflict.status_code, conflict.json()["code"]) == (409, "optimistic_locking_error")
        bare = create(emu, api)
        assert bare.status_code == 429
        assert "Retry-After" not in bare.headers and "X-Ratelimit-Reset" not in bare.headers
        assert emu.configurations() == []  # scripted statuses are not processed
        with pytest.raises(requests.ConnectionError):
            create(emu, api)
        assert len(emu.configurations()) == 1
        assert emu.scripted_answers_left("create") == 0
        assert create(emu, api).status_code == 201
        # Other routes were never touched by the script.
        assert [r.status for r in emu.requests if r.method == "POST"] == [429, 503, 409, 429, 201, 201]


def test_a_scripted_delay_holds_back_a_processed_answer(api: requests.Session) -> None:
    with running_emulator(token=TOKEN) as emu:
        emu.script("create", ["pass:delay=0.3"])
        answer = create(emu, api)
        answered = time.time()
        assert answer.status_code == 201
        assert answered >= emu.requests[0].timestamp + 0.3


def test_faults_can_change_while_running(api: requests.Session) -> None:
    with running_emulator(token=TOKEN) as emu:
        assert emu.faults is None
        emu.set_faults(Faults(error_rate=1.0))
        assert list_configs(emu, api).status_code >= 500
        emu.set_faults(None)
        assert list_configs(emu, api).status_code == 200


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("pass", ScriptedAnswer()),
        ("drop", ScriptedAnswer(drop=True)),
        ("503", ScriptedAnswer(status=503)),
        ("429:reset=0.8:retry-after=1", ScriptedAnswer(status=429, reset_in=0.8, retry_after=1.0)),
        ("pass:delay=2", ScriptedAnswer(delay=2.0)),
    ],
)
def test_scripted_answer_text(text: str, expected: ScriptedAnswer) -> None:
    assert ScriptedAnswer.parse(text) == expected


@pytest.mark.parametrize("text", ["teapot", "200", "429:reset=soon", "429:wait=1", "drop:delay=-1"])
def test_bad_scripted_answers_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        ScriptedAnswer.parse(text)


@pytest.mark.parametrize(
    "faults",
    [
        {"window": 0},
        {"route_limit": 0},
        {"error_rate": 1.5},
        {"drop_after_create": -0.1},
        {"latency": -1},
        {"scripts": {"nowhere": [ScriptedAnswer()]}},
    ],
)
def test_bad_fault_settings_are_refused(faults: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        Faults(**faults)


def test_scripting_an_unknown_route_names_the_known_ones() -> None:
    with running_emulator(token=TOKEN) as emu, pytest.raises(ValueError, match="create, list, read"):
        emu.script("upsert", ["503"])


def test_cli_fault_flags(api: requests.Session) -> None:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "provider.emulator",
            "--token",
            TOKEN,
            "--window",
            "60",
            "--route-limit",
            "1",
            "--script",
            "read=503,409",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip()
        listed = api.get(f"{url}{CONFIGS}/keys/custom-approvals")
        assert listed.status_code == 200
        assert listed.headers["X-Ratelimit-Route-Remaining"] == "0"
        assert api.get(f"{url}{CONFIGS}/keys/custom-approvals").status_code == 429
        assert [api.get(f"{url}{CONFIGS}/0123").status_code for _ in range(2)] == [503, 409]
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.mark.parametrize(
    "flags", [["--error-rate", "2"], ["--script", "create"], ["--script", "create=teapot"], ["--window", "0"]]
)
def test_cli_refuses_bad_fault_flags(flags: list[str]) -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "provider.emulator", *flags], capture_output=True, text=True, timeout=30
    )
    assert completed.returncode == 2
    assert "error:" in completed.stderr
