"""The whole lifecycle through the real plugin process against the emulator.

After each step: what the emulator holds, and exactly which HTTP calls the step made.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import EMULATOR_TOKEN
from engine import Engine, ProviderCallError
from lifecycle_helpers import approvals, configuration, configuration_requests
from pulumi.output import Unknown

from provider.emulator import Emulator
from provider.manifests import bundled_manifests

CAPABILITY = {
    "approvals": {"additionalFormVariables": [{"key": "ticket", "name": "Change ticket", "type": "string"}]}
}


AI_VALUES = {"provider": "OpenAI", "apiKey": "sk-test-123456"}


def calls(emulator: Emulator) -> list[str]:
    """The configuration calls since the last check, as 'METHOD /path', then forget them.

    Manifest fetches (at most one per integration key per provider process, for validation) are
    left out here; tests/test_manifest_fetching.py counts them.
    """
    made = [f"{request.method} {request.path}" for request in configuration_requests(emulator)]
    emulator.clear_requests()
    return made


def only(emulator: Emulator) -> dict[str, Any]:
    held = emulator.configurations()
    assert len(held) == 1, held
    return held[0]


def test_create_makes_one_post_and_stores_outputs(engine: Engine, emulator: Emulator) -> None:
    result = engine.up([approvals()])
    assert result.operations == {"approvals": "create"}
    assert calls(emulator) == ["POST /api/v2/integration-configurations/keys/custom-approvals"]

    held = only(emulator)
    assert held["name"] == "Change approvals"
    assert held["configValues"] == {
        "apiKey": "approvals-secret-key-1",
        "baseURL": "https://approvals.example.com",
    }
    assert held["tags"] == ["platform", "approvals"]
    assert held["enabled"] is True

    state = engine.state["approvals"]
    assert state.id == held["_id"]
    outputs = state.outputs
    assert outputs["integration_key"] == "custom-approvals"
    assert outputs["config_values"]["apiKey"] == "approvals-secret-key-1"  # the real value, not the mask
    assert outputs["enabled"] is True
    assert outputs["created_at"] == held["_createdAt"]
    assert outputs["access"]["allowed"]
    assert "config_values" in state.secret_outputs


def test_secrets_and_token_never_reach_state_in_plain_text(engine: Engine) -> None:
    engine.up([approvals()])
    engine.refresh()
    state_file = engine.state_file_json()
    assert "approvals-secret-key-1" not in state_file
    assert EMULATOR_TOKEN not in state_file
    entry = engine.state["approvals"]
    assert "config_values" in entry.secret_outputs
    assert "config_values" in entry.secret_inputs


def test_unchanged_up_makes_no_call(engine: Engine, emulator: Emulator) -> None:
    engine.up([approvals()])
    calls(emulator)
    assert engine.up([approvals()]).operations == {"approvals": "same"}
    assert engine.up([approvals(tags=["approvals", "platform"])]).operations == {"approvals": "same"}
    assert calls(emulator) == []


def test_preview_makes_no_call(engine: Engine, emulator: Emulator) -> None:
    assert engine.preview([approvals()]).operations == {"approvals": "create"}
    engine.up([approvals()])
    calls(emulator)
    assert engine.preview([approvals(name="Renamed")]).operations == {"approvals": "update"}
    assert engine.preview(
        [approvals(integration_key="aiconfig-test-run", config_values=AI_VALUES)]
    ).operations == {"approvals": "replace"}
    assert calls(emulator) == []


def test_preview_with_unknown_values(engine: Engine, emulator: Emulator) -> None:
    engine.up([approvals()])
    calls(emulator)
    unknown_secret = {"apiKey": Unknown(), "baseURL": "https://approvals.example.com"}
    preview = engine.preview([approvals(config_values=unknown_secret)])
    assert preview.operations == {"approvals": "update"}
    assert engine.preview([approvals(integration_key=Unknown())]).operations == {"approvals": "replace"}
    assert calls(emulator) == []


@pytest.mark.parametrize(
    ("changes", "patch", "api_field", "expected"),
    [
        ({"name": "Renamed"}, [{"op": "replace", "path": "/name", "value": "Renamed"}], "name", "Renamed"),
        ({"enabled": False}, [{"op": "replace", "path": "/enabled", "value": False}], "enabled", False),
        (
            {"tags": ["security"]},
            [{"op": "replace", "path": "/tags", "value": ["security"]}],
            "tags",
            ["security"],
        ),
        (
            {
                "config_values": {
                    "apiKey": "approvals-secret-key-2",
                    "baseURL": "https://approvals.example.com",
                }
            },
            [
                {
                    "op": "replace",
                    "path": "/configValues",
                    "value": {"apiKey": "approvals-secret-key-2", "baseURL": "https://approvals.example.com"},
                }
            ],
            "configValues",
            {"apiKey": "approvals-secret-key-2", "baseURL": "https://approvals.example.com"},
        ),
        (
            {"capability_config": CAPABILITY},
            [{"op": "add", "path": "/capabilityConfig", "value": CAPABILITY}],
            "capabilityConfig",
            CAPABILITY,
        ),
    ],
    ids=["name", "enabled", "tags", "config_values", "capability_config"],
)
def test_update_of_each_field_is_one_patch_of_that_field(
    engine: Engine,
    emulator: Emulator,
    changes: dict[str, Any],
    patch: list[dict[str, Any]],
    api_field: str,
    expected: Any,
) -> None:
    engine.up([approvals()])
    created_id = engine.state["approvals"].id
    calls(emulator)

    assert engine.up([approvals(**changes)]).operations == {"approvals": "update"}
    requests_made = emulator.requests
    assert calls(emulator) == [f"PATCH /api/v2/integration-configurations/{created_id}"]
    assert requests_made[0].body == patch
    assert only(emulator)[api_field] == expected
    assert engine.state["approvals"].id == created_id
    assert engine.up([approvals(**changes)]).operations == {"approvals": "same"}
    assert calls(emulator) == []


def test_update_never_sends_the_masked_secret(engine: Engine, emulator: Emulator) -> None:
    engine.up([approvals()])
    engine.refresh()
    calls(emulator)
    new_values = {"apiKey": "approvals-secret-key-1", "baseURL": "https://new.example.com"}
    engine.up([approvals(config_values=new_values)])
    assert emulator.requests[-1].body[0]["value"]["apiKey"] == "approvals-secret-key-1"
    assert only(emulator)["configValues"] == new_values


def test_removing_optional_inputs_restores_defaults(engine: Engine, emulator: Emulator) -> None:
    engine.up([approvals(enabled=False, capability_config=CAPABILITY)])
    calls(emulator)
    engine.up([approvals()])
    assert emulator.requests[0].body == [
        {"op": "replace", "path": "/enabled", "value": True},
        {"op": "remove", "path": "/capabilityConfig"},
    ]
    held = only(emulator)
    assert held["enabled"] is True
    assert "capabilityConfig" not in held


def test_changing_integration_key_replaces(engine: Engine, emulator: Emulator) -> None:
    engine.up([approvals()])
    old_id = engine.state["approvals"].id
    calls(emulator)
    result = engine.up([approvals(integration_key="aiconfig-test-run", config_values=AI_VALUES)])
    assert result.operations == {"approvals": "replace"}
    assert calls(emulator) == [
        "POST /api/v2/integration-configurations/keys/aiconfig-test-run",
        f"DELETE /api/v2/integration-configurations/{old_id}",
    ]
    held = only(emulator)
    assert held["_integrationKey"] == "aiconfig-test-run"
    assert engine.state["approvals"].id == held["_id"] != old_id


def test_refresh_reports_out_of_band_drift(engine: Engine, emulator: Emulator) -> None:
    engine.up([approvals()])
    config_id = engine.state["approvals"].id
    emulator.modify_configuration(
        config_id,
        name="Renamed in the UI",
        enabled=False,
        tags=["ui"],
        configValues={"apiKey": "approvals-secret-key-1", "baseURL": "https://changed.example.com"},
    )
    calls(emulator)

    assert engine.refresh() == {"approvals": "update"}
    assert calls(emulator) == [f"GET /api/v2/integration-configurations/{config_id}"]
    entry = engine.state["approvals"]
    for props in (entry.outputs, entry.inputs):
        assert props["name"] == "Renamed in the UI"
        assert props["enabled"] is False
        assert props["tags"] == ["ui"]
        assert props["config_values"] == {
            "apiKey": "approvals-secret-key-1",  # masked by the API, so the declared value stays
            "baseURL": "https://changed.example.com",
        }

    preview = engine.preview([approvals()])
    assert preview.operations == {"approvals": "update"}
    engine.up([approvals()])
    patch_paths = [operation["path"] for operation in emulator.requests[-1].body]
    assert sorted(patch_paths) == ["/configValues", "/enabled", "/name", "/tags"]
    held = only(emulator)
    assert (held["name"], held["enabled"], held["tags"]) == (
        "Change approvals",
        True,
        ["platform", "approvals"],
    )
    assert held["configValues"]["baseURL"] == "https://approvals.example.com"


def test_masked_secrets_and_api_defaults_cause_no_diff(engine: Engine, emulator: Emulator) -> None:
    snowflake = configuration(
        "warehouse",
        integration_key="snowflake-experimentation",
        name="Warehouse",
        config_values={
            "snowflakeHostAddress": "https://ab123.eu-west-1.snowflakecomputing.com",
            "selectedEnv": "production",
        },
    )
    engine.up([approvals(), snowflake])
    held = {item["_integrationKey"]: item for item in emulator.configurations()}
    assert "privateKey" in held["snowflake-experimentation"]["configValues"]  # a default the API added
    assert engine.refresh() == {"approvals": "same", "warehouse": "same"}
    calls(emulator)
    assert engine.preview([approvals(), snowflake]).operations == {"approvals": "same", "warehouse": "same"}
    assert engine.up([approvals(), snowflake]).operations == {"approvals": "same", "warehouse": "same"}
    assert calls(emulator) == []


def test_snowflake_setup_script_is_an_output_that_survives_refresh(engine: Engine) -> None:
    snowflake = configuration(
        "warehouse",
        integration_key="snowflake-experimentation",
        name="Warehouse",
        config_values={
            "snowflakeHostAddress": "https://ab123.snowflakecomputing.com",
            "selectedEnv": "production",
        },
    )
    engine.up([snowflake])
    script = engine.state["warehouse"].outputs["snowflake_setup_script"]
    assert script and engine.state["warehouse"].id in script
    engine.refresh()
    assert engine.state["warehouse"].outputs["snowflake_setup_script"] == script


def test_refresh_after_out_of_band_deletion_drops_then_recreates(engine: Engine, emulator: Emulator) -> None:
    engine.up([approvals()])
    emulator.remove_configuration(engine.state["approvals"].id)
    calls(emulator)
    assert engine.refresh() == {"approvals": "delete"}
    assert len(calls(emulator)) == 1
    assert "approvals" not in engine.state
    assert engine.up([approvals()]).operations == {"approvals": "create"}
    assert len(emulator.configurations()) == 1


def test_destroy_makes_one_delete_each(engine: Engine, emulator: Emulator) -> None:
    engine.up([approvals(), approvals("second", name="Second")])
    ids = [entry.id for entry in engine.state.values()]
    calls(emulator)
    engine.destroy()
    assert calls(emulator) == [
        f"DELETE /api/v2/integration-configurations/{config_id}" for config_id in reversed(ids)
    ]
    assert emulator.configurations() == []


def test_deleting_what_is_already_gone_succeeds(engine: Engine, emulator: Emulator) -> None:
    engine.up([approvals()])
    emulator.remove_configuration(engine.state["approvals"].id)
    assert engine.up([]).operations == {"approvals": "delete"}
    assert engine.state == {}


def test_api_refusal_is_a_short_message_without_the_token(
    spawn_plugin: Any, emulator: Emulator, tmp_path: Path
) -> None:
    # A stale pinned manifest (from before `baseUrl` became `baseURL`) lets the typo past check, so
    # the emulator is the one to refuse it.
    manifest = bundled_manifests()["custom-approvals"].to_api()
    manifest["formVariables"] = [
        {"key": "apiKey", "name": "API Token", "type": "string", "isSecret": True},
        {"key": "baseUrl", "name": "Base URL (old spelling)", "type": "string"},
    ]
    pinned = tmp_path / "stale-manifests.json"
    pinned.write_text(json.dumps({"items": [manifest]}))
    process = spawn_plugin()
    process.configure(
        {
            "launchdarkly:accessToken": EMULATOR_TOKEN,
            "launchdarkly:apiHost": emulator.url,
            "launchdarkly:manifestsFile": str(pinned),
        },
        secret_keys={"launchdarkly:accessToken"},
    )
    bad = approvals(config_values={"apiKey": "k", "baseUrl": "https://typo.example.com"})
    with pytest.raises(ProviderCallError) as raised:
        Engine(process).up([bad])
    details = raised.value.details
    assert "HTTP 400 invalid_request" in details
    # The message, not a traceback, is the first thing the user reads.
    assert details.splitlines()[0].startswith(
        "provider.errors.LaunchDarklyApiError: LaunchDarkly refused to create the integration configuration"
    )
    assert "baseUrl" in details
    assert EMULATOR_TOKEN not in details
    assert emulator.configurations() == []


def test_missing_token_still_previews_but_up_says_how_to_set_it(
    spawn_plugin: Any, emulator: Emulator
) -> None:
    process = spawn_plugin()
    process.configure({"launchdarkly:apiHost": emulator.url})
    engine = Engine(process)
    assert engine.preview([approvals()]).operations == {"approvals": "create"}
    with pytest.raises(ProviderCallError) as raised:
        engine.up([approvals()])
    first_line = raised.value.details.splitlines()[0]
    assert first_line.startswith("provider.errors.ConfigurationError: No LaunchDarkly access token")
    assert "launchdarkly:accessToken" in first_line
    assert "LAUNCHDARKLY_ACCESS_TOKEN" in first_line
    assert emulator.requests == []


def test_token_and_host_from_the_environment(spawn_plugin: Any, emulator: Emulator) -> None:
    process = spawn_plugin(
        env={"LAUNCHDARKLY_ACCESS_TOKEN": EMULATOR_TOKEN, "LAUNCHDARKLY_API_HOST": emulator.url}
    )
    process.configure({})
    engine = Engine(process)
    assert engine.up([approvals()]).operations == {"approvals": "create"}
    assert emulator.requests[0].headers["authorization"] == [EMULATOR_TOKEN]


def test_check_failures_stop_before_any_call(engine: Engine, emulator: Emulator) -> None:
    from engine import CheckFailed

    with pytest.raises(CheckFailed) as raised:
        engine.up([approvals(name="", tags=["not a tag"])])
    assert {prop for prop, _reason in raised.value.failures} == {"name", "tags[0]"}
    assert configuration_requests(emulator) == []
