"""Manifest sources through the real plugin process: one fetch per key per process, clean fallbacks
when the fetch fails (one stderr line, never a failed preview), skipped validation when no manifest
can be had, pinned files used offline, and unknown values during a preview.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import EMULATOR_TOKEN, SpawnPlugin
from engine import CheckFailed, Declared, Engine, PluginProcess
from fault_servers import closed_port_url, fixed_answer_server, silent_server
from lifecycle_helpers import approvals, configuration, configuration_requests, manifest_requests
from manifest_helpers import HOOK_KEY, HOOK_VALUES, configured_plugin, hook_emulator, preview_hook, run_sync
from pulumi.output import Unknown

from provider.emulator import Emulator

TYPO = {"apiKey": "approvals-secret-key-1", "baseUrl": "https://approvals.example.com"}


def failures_of(engine: Engine, *declared: Declared) -> dict[str, str]:
    with pytest.raises(CheckFailed) as raised:
        engine.preview(list(declared))
    return dict(raised.value.failures)


def settled_stderr(process: PluginProcess, engine: Engine) -> str:
    """All stderr so far. A notice printed during a call may reach us a moment after the call returned;
    the plugin's stderr is one ordered pipe, so once a later notice (about a made-up integration, for
    which no source has a manifest) has arrived, everything before it has too."""
    sentinel = "zz-stderr-sentinel"
    engine.preview([configuration("sentinel", integration_key=sentinel, name="Sentinel", config_values={})])
    return process.wait_for_stderr(f"`{sentinel}`")


def test_one_fetch_per_integration_key_per_process(engine: Engine, emulator: Emulator) -> None:
    ai_values = {"provider": "OpenAI", "apiKey": "sk-test-123456"}
    declared = [approvals(f"approvals-{n}", name=f"Approvals {n}") for n in range(4)] + [
        configuration(f"ai-{n}", integration_key="aiconfig-test-run", name=f"AI {n}", config_values=ai_values)
        for n in range(4)
    ]
    engine.up(declared, parallel=4)  # the plugin serves 4 threads at once
    engine.preview(declared)
    engine.refresh()
    engine.up(declared)
    assert sorted(request.path for request in manifest_requests(emulator)) == [
        "/api/v2/integration-manifests/aiconfig-test-run",
        "/api/v2/integration-manifests/custom-approvals",
    ]
    assert len(configuration_requests(emulator)) == 8 + 8  # 8 creates, 8 refresh reads; nothing else


def test_refused_token_falls_back_to_the_bundled_copy(spawn_plugin: SpawnPlugin, emulator: Emulator) -> None:
    process = configured_plugin(spawn_plugin, token="api-refused-token-1234", apiHost=emulator.url)
    engine = Engine(process)
    for _ in range(2):
        found = failures_of(engine, approvals(config_values=TYPO))
        assert "Did you mean `baseURL`?" in found["config_values.baseUrl"]  # validated all the same
    stderr = settled_stderr(process, engine)
    line = (
        "launchdarkly: could not fetch the manifest of integration `custom-approvals` "
        f"({emulator.url} answered HTTP 401 unauthorized); validating against the copy bundled with the "
        "provider instead."
    )
    assert stderr.count(line) == 1, stderr
    assert "api-refused-token-1234" not in stderr
    assert "Traceback" not in stderr
    assert len(manifest_requests(emulator)) == 1  # after a refused token, no other key is tried
    assert configuration_requests(emulator) == []


def test_server_error_falls_back_to_the_bundled_copy(spawn_plugin: SpawnPlugin) -> None:
    with fixed_answer_server(500, {"code": "internal_server_error", "message": "down"}) as server:
        process = configured_plugin(spawn_plugin, apiHost=server.url)
        engine = Engine(process)
        assert engine.preview([approvals()]).operations == {"approvals": "create"}
        assert "config_values.baseUrl" in failures_of(engine, approvals(config_values=TYPO))
        stderr = settled_stderr(process, engine)
    assert stderr.count("`custom-approvals` (") == 1
    assert f"{server.url} answered HTTP 500 internal_server_error" in stderr
    assert server.hits.paths.count("/api/v2/integration-manifests/custom-approvals") == 1


def test_no_answer_falls_back_after_the_manifest_timeout(spawn_plugin: SpawnPlugin) -> None:
    with silent_server() as server:
        process = configured_plugin(spawn_plugin, apiHost=server.url, manifestTimeout="0.5")
        engine = Engine(process)
        assert "config_values.baseUrl" in failures_of(engine, approvals(config_values=TYPO))
        assert engine.preview([approvals()]).operations == {"approvals": "create"}
        stderr = settled_stderr(process, engine)
    assert stderr.count(f"(no answer from {server.url} in time)") == 1
    assert server.hits.connections == 1  # the sentinel key did not wait for the silent host again


def test_without_any_manifest_the_preview_still_works(spawn_plugin: SpawnPlugin, emulator: Emulator) -> None:
    process = configured_plugin(spawn_plugin, token=None, apiHost=emulator.url)  # a fork's PR: no token
    engine = Engine(process)
    novel = configuration("novel", integration_key="novel-integration", name="Novel", config_values={"a": 1})
    assert engine.preview([novel]).operations == {"novel": "create"}
    bad_tag = configuration(
        "novel", integration_key="novel-integration", name="Novel", config_values={}, tags=["a b"]
    )
    assert set(failures_of(engine, bad_tag)) == {"tags[0]"}  # schema-level checks still run
    stderr = settled_stderr(process, engine)
    line = (
        "launchdarkly: manifest validation skipped for integration `novel-integration`: no access token to "
        "fetch it from LaunchDarkly; not bundled with the provider. Only schema-level checks ran."
    )
    assert stderr.count(line) == 1, stderr
    assert emulator.requests == []


def test_an_unknown_key_says_what_was_probably_meant(spawn_plugin: SpawnPlugin, emulator: Emulator) -> None:
    process = configured_plugin(spawn_plugin, apiHost=emulator.url)
    engine = Engine(process)
    assert engine.preview([approvals(integration_key="custom-aprovals")]).operations == {
        "approvals": "create"
    }
    stderr = settled_stderr(process, engine)
    assert (
        "skipped for integration `custom-aprovals`: "
        f"{emulator.url} has no manifest for it (HTTP 404); not bundled with the provider. "
        "Did you mean `custom-approvals`?"
    ) in stderr


def test_unknown_values_pass_and_the_known_rest_is_checked(engine: Engine, emulator: Emulator) -> None:
    declared = approvals(
        name=Unknown(),
        tags=[Unknown(), "not ok"],
        config_values={"apiKey": Unknown(), "baseUrl": "https://approvals.example.com"},
        capability_config={
            "auditLogEventsHook": {
                "statements": [
                    {"effect": Unknown(), "resources": [Unknown()]},
                    {"effect": "allow", "resources": Unknown(), "notResources": ["proj/x"]},
                    {"effect": "sometimes"},
                ]
            }
        },
    )
    assert set(failures_of(engine, declared)) == {
        "tags[1]",
        "config_values.baseUrl",
        "capability_config.auditLogEventsHook.statements[2].effect",
    }
    everything_unknown = approvals(name=Unknown(), config_values=Unknown(), tags=Unknown(), enabled=Unknown())
    assert engine.preview([everything_unknown]).operations == {"approvals": "create"}
    key_unknown = approvals(integration_key=Unknown(), config_values={"anything": Unknown()})
    assert engine.preview([key_unknown]).operations == {"approvals": "create"}
    assert configuration_requests(emulator) == []


# -- pinned manifests: sync from the emulator, then validate offline ------------------------------


@pytest.fixture
def pinned_file(tmp_path: Path) -> Iterator[Path]:
    """A manifests file synced, by the CLI in a child process, from an emulator that knows preview-hook."""
    with hook_emulator() as emulator:
        env = {"LAUNCHDARKLY_ACCESS_TOKEN": EMULATOR_TOKEN, "LAUNCHDARKLY_API_HOST": emulator.url}
        result = run_sync("--output", "manifests/pinned.json", env=env, cwd=tmp_path)
        assert result.returncode == 0, result.stderr
    path = tmp_path / "manifests" / "pinned.json"
    assert HOOK_KEY in {item["key"] for item in json.loads(path.read_text())["items"]}
    yield path


BAD_HOOK: dict[str, Any] = {**HOOK_VALUES, "endpoint": "hooks.example.com", "verbose": "yes"}


def assert_validated_by_the_pinned_hook_manifest(engine: Engine) -> None:
    # preview-hook is not bundled: only the pinned file can have told the provider about its fields.
    found = failures_of(engine, preview_hook(config_values=BAD_HOOK))
    assert set(found) == {"config_values.endpoint", "config_values.verbose"}
    assert engine.preview([preview_hook()]).operations == {"hook": "create"}


def test_pinned_file_validates_without_token_or_network(spawn_plugin: SpawnPlugin, pinned_file: Path) -> None:
    process = configured_plugin(
        spawn_plugin, token=None, apiHost=closed_port_url(), manifestsFile=str(pinned_file)
    )
    engine = Engine(process)
    assert_validated_by_the_pinned_hook_manifest(engine)
    notices = [
        line for line in settled_stderr(process, engine).splitlines() if line.startswith("launchdarkly:")
    ]
    assert [line for line in notices if "zz-stderr-sentinel" not in line] == []  # nothing skipped or fetched


def test_pinned_file_wins_even_with_a_token(
    spawn_plugin: SpawnPlugin, pinned_file: Path, tmp_path: Path
) -> None:
    with silent_server() as server:
        # A relative path starts at the program's folder (the plugin's working directory).
        relative = str(pinned_file.relative_to(tmp_path))
        process = configured_plugin(spawn_plugin, apiHost=server.url, manifestsFile=relative)
        engine = Engine(process)
        assert_validated_by_the_pinned_hook_manifest(engine)
        assert engine.preview([approvals()]).operations == {"approvals": "create"}
    assert server.hits.connections == 0  # nothing was fetched


def test_a_missing_pinned_file_is_a_clear_check_failure(
    spawn_plugin: SpawnPlugin, emulator: Emulator
) -> None:
    process = configured_plugin(spawn_plugin, apiHost=emulator.url, manifestsFile="missing/manifests.json")
    found = failures_of(Engine(process), approvals())
    reason = found["config_values"]
    assert "missing/manifests.json" in reason and "cannot be used: it does not exist" in reason
    assert "python -m provider.manifests sync --output missing/manifests.json" in reason
    assert "Traceback" not in reason
    assert emulator.requests == []


def test_refresh_takes_secret_keys_from_the_same_source(
    spawn_plugin: SpawnPlugin, emulator: Emulator, tmp_path: Path
) -> None:
    # A pinned manifest that marks baseURL secret: an out-of-band change to it is then not drift,
    # while the bundled manifest (baseURL not secret) would report it.
    manifest: dict[str, Any] = {
        "key": "custom-approvals",
        "name": "Custom Approvals",
        "formVariables": [
            {"key": "apiKey", "name": "API Token", "type": "string", "isSecret": True},
            {"key": "baseURL", "name": "Base URL", "type": "string", "isSecret": True},
        ],
    }
    pinned = tmp_path / "secret-url.json"
    pinned.write_text(json.dumps({"items": [manifest]}))
    outcomes = {}
    for name, settings in {"pinned": {"manifestsFile": str(pinned)}, "bundled": {}}.items():
        engine = Engine(
            configured_plugin(spawn_plugin, token=EMULATOR_TOKEN, apiHost=emulator.url, **settings)
        )
        engine.up([approvals(name)])
        emulator.modify_configuration(
            engine.state[name].id,
            configValues={"apiKey": "approvals-secret-key-1", "baseURL": "https://moved.example.com"},
        )
        outcomes[name] = engine.refresh()
    # The bundled run fetched custom-approvals from the emulator (baseURL not secret there either).
    assert outcomes == {"pinned": {"pinned": "same"}, "bundled": {"bundled": "update"}}
