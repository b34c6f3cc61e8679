"""Pinned manifests files: the format, and `python -m provider.manifests sync` run as a user runs it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from conftest import EMULATOR_TOKEN
from fault_servers import closed_port_url
from manifest_helpers import HOOK_KEY, hook_emulator, run_sync

from provider.emulator import Emulator
from provider.errors import ConfigurationError
from provider.manifests import bundled_manifests, read_manifests_file, write_manifests_file


@pytest.fixture
def emulator() -> Iterator[Emulator]:
    with hook_emulator() as emu:
        yield emu


def env_for(emulator: Emulator, token: str = EMULATOR_TOKEN) -> dict[str, str]:
    return {"LAUNCHDARKLY_ACCESS_TOKEN": token, "LAUNCHDARKLY_API_HOST": emulator.url}


def test_sync_keeps_every_integration_that_accepts_configurations(emulator: Emulator, tmp_path: Path) -> None:
    before = datetime.now(timezone.utc).replace(microsecond=0)
    result = run_sync("--output", "pinned/manifests.json", env=env_for(emulator), cwd=tmp_path)
    after = datetime.now(timezone.utc)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert "pinned/manifests.json" in result.stdout

    written = json.loads((tmp_path / "pinned" / "manifests.json").read_text())
    fetched_at = datetime.fromisoformat(written["fetchedAt"].replace("Z", "+00:00"))
    assert written["fetchedAt"].endswith("Z")
    assert before <= fetched_at <= after
    assert written["apiHost"] == emulator.url
    keys = [item["key"] for item in written["items"]]
    assert keys == sorted({*bundled_manifests(), HOOK_KEY})  # not `datadog`, which takes no configurations
    assert [(r.method, r.path) for r in emulator.requests] == [("GET", "/api/v2/integration-manifests")]
    assert EMULATOR_TOKEN not in json.dumps(written)


def test_sync_named_integrations_only(emulator: Emulator, tmp_path: Path) -> None:
    result = run_sync(
        "--integration-key",
        HOOK_KEY,
        "--integration-key",
        "custom-approvals",
        env=env_for(emulator),
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    pinned = read_manifests_file(tmp_path / "launchdarkly-manifests.json")
    assert [manifest.key for manifest in pinned.items] == ["custom-approvals", HOOK_KEY]
    assert pinned.by_key()[HOOK_KEY].form_variable("endpoint") is not None
    assert [r.path for r in emulator.requests] == [
        f"/api/v2/integration-manifests/{HOOK_KEY}",
        "/api/v2/integration-manifests/custom-approvals",
    ]


@pytest.mark.parametrize(
    ("case", "words"),
    [
        ("wrong token", "HTTP 401 unauthorized"),
        ("unknown key", "has no manifest for integration `custom-aprovals`"),
        ("no token", "export LAUNCHDARKLY_ACCESS_TOKEN"),
        ("no answer", "No answer from http://127.0.0.1:"),
        ("bad host", "LAUNCHDARKLY_API_HOST"),
        ("unwritable output", "Could not write"),
    ],
)
def test_sync_failures_are_one_line_without_traceback(
    emulator: Emulator, tmp_path: Path, case: str, words: str
) -> None:
    env = env_for(emulator)
    args = ["--output", "out.json"]
    if case == "wrong token":
        env["LAUNCHDARKLY_ACCESS_TOKEN"] = "api-wrong-token-4711"
    elif case == "unknown key":
        args += ["--integration-key", "custom-aprovals"]
    elif case == "no token":
        del env["LAUNCHDARKLY_ACCESS_TOKEN"]
    elif case == "no answer":
        env["LAUNCHDARKLY_API_HOST"] = closed_port_url()
        # Retrying a refused connection (and its stderr notices) is tested with the client; here
        # only the final line matters.
        env["LAUNCHDARKLY_MAX_RETRIES"] = "0"
    elif case == "bad host":
        env["LAUNCHDARKLY_API_HOST"] = "app.launchdarkly.com"
    else:
        (tmp_path / "out.json").mkdir()  # a directory where the file should go
    result = run_sync(*args, env=env, cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    assert words in lines[0]
    assert "Traceback" not in result.stderr
    assert EMULATOR_TOKEN not in result.stderr and "api-wrong-token-4711" not in result.stderr
    assert not (tmp_path / "out.json").is_file()


def test_written_file_reads_back(tmp_path: Path) -> None:
    fetched_at = datetime(2025, 5, 1, 12, 30, tzinfo=timezone.utc)
    target = tmp_path / "m.json"
    write_manifests_file(
        target,
        bundled_manifests().values(),
        api_host="https://app.eu.launchdarkly.com",
        fetched_at=fetched_at,
        generator="t",
    )
    assert json.loads(target.read_text())["fetchedAt"] == "2025-05-01T12:30:00Z"
    pinned = read_manifests_file(target)
    assert pinned.fetched_at == fetched_at
    assert pinned.api_host == "https://app.eu.launchdarkly.com"
    assert pinned.by_key() == bundled_manifests()
    assert not [path for path in tmp_path.iterdir() if path.name != "m.json"]  # no temporary left behind


def test_a_hand_made_items_file_is_accepted(tmp_path: Path) -> None:
    target = tmp_path / "hand.json"
    target.write_text(json.dumps({"items": [{"key": "x", "name": "X", "formVariables": []}]}))
    assert list(read_manifests_file(target).by_key()) == ["x"]


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (None, "it does not exist"),
        ("{not json", "it is not JSON (line 1"),
        ('{"manifests": []}', "it is not a manifests file (items: Field required)"),
        ('{"items": [{"name": "no key"}]}', "it is not a manifests file (items.0.key"),
    ],
)
def test_unusable_files_say_what_to_fix(tmp_path: Path, content: str | None, words: str) -> None:
    target = tmp_path / "pinned.json"
    if content is not None:
        target.write_text(content)
    with pytest.raises(ConfigurationError) as raised:
        read_manifests_file(target)
    message = str(raised.value)
    assert words in message
    assert str(target) in message
    assert "launchdarkly:manifestsFile" in message and "LAUNCHDARKLY_MANIFESTS_FILE" in message
    assert "python -m provider.manifests sync --output" in message


def test_fetched_at_is_stored_as_utc(tmp_path: Path) -> None:
    local = datetime(2025, 5, 1, 14, 30, tzinfo=timezone(timedelta(hours=2)))
    target = tmp_path / "m.json"
    write_manifests_file(target, [], api_host="h", fetched_at=local.astimezone(timezone.utc), generator="t")
    assert json.loads(target.read_text())["fetchedAt"] == "2025-05-01T12:30:00Z"
