"""Adopting existing configurations (`import_id`) and reading them by id, through the real plugin process.

After each step: what the emulator holds, and exactly which HTTP calls the step made.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from engine import CheckFailed, Engine, ProviderCallError
from lifecycle_helpers import approvals, configuration, configuration_requests
from pulumi.output import Unknown
from test_lifecycle import calls

from provider.emulator import Emulator
from provider.lifecycle import IntegrationConfigurationProvider

CONFIGURATIONS = "/api/v2/integration-configurations"
SEEDED = {
    "name": "Change approvals",
    "configValues": {"apiKey": "made-in-the-ui-key", "baseURL": "https://approvals.example.com"},
    "tags": ["platform", "approvals"],
}
DECLARED_VALUES = {"apiKey": "approvals-secret-key-1", "baseURL": "https://approvals.example.com"}


def seed(emulator: Emulator, integration_key: str = "custom-approvals", **body: Any) -> dict[str, Any]:
    held = emulator.seed_configuration(integration_key, body or copy.deepcopy(SEEDED))
    emulator.clear_requests()
    return held


def first_line(details: str) -> str:
    """The provider's message: what the user reads first, before Pulumi's traceback."""
    return details.strip().splitlines()[0]


def without_volatile(held: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in held.items() if key != "_links"}


def test_adopting_an_identical_configuration_sends_only_the_secrets(
    engine: Engine, emulator: Emulator
) -> None:
    before = seed(emulator)
    config_id = before["_id"]

    result = engine.up([approvals(import_id=config_id)])

    assert result.operations == {"approvals": "create"}
    requests_made = configuration_requests(emulator)  # manifest fetches left out
    assert calls(emulator) == [f"GET {CONFIGURATIONS}/{config_id}", f"PATCH {CONFIGURATIONS}/{config_id}"]
    assert requests_made[1].body == [{"op": "replace", "path": "/configValues", "value": DECLARED_VALUES}]
    (after,) = emulator.configurations()
    assert without_volatile(after) == without_volatile({**before, "configValues": DECLARED_VALUES})

    entry = engine.state["approvals"]
    assert entry.id == config_id
    assert entry.outputs["config_values"] == DECLARED_VALUES  # the declared secret, never the API's mask
    assert entry.outputs["created_at"] == before["_createdAt"]
    assert entry.outputs["import_id"] == entry.inputs["import_id"] == config_id
    assert "config_values" in entry.secret_outputs

    assert engine.up([approvals(import_id=config_id)]).operations == {"approvals": "same"}
    assert engine.refresh() == {"approvals": "same"}
    assert engine.up([approvals(import_id=config_id)]).operations == {"approvals": "same"}
    assert calls(emulator) == [f"GET {CONFIGURATIONS}/{config_id}"]  # the refresh only


def test_adopting_a_different_configuration_patches_only_the_differences(
    engine: Engine, emulator: Emulator
) -> None:
    before = seed(
        emulator,
        name="Approvals (made by hand)",
        configValues={"apiKey": "made-in-the-ui-key", "baseURL": "https://approvals.example.com"},
        tags=["ui"],
        enabled=False,
    )
    config_id = before["_id"]

    engine.up([approvals(import_id=config_id)])

    requests_made = configuration_requests(emulator)  # manifest fetches left out
    assert calls(emulator) == [f"GET {CONFIGURATIONS}/{config_id}", f"PATCH {CONFIGURATIONS}/{config_id}"]
    assert requests_made[1].body == [
        {"op": "replace", "path": "/name", "value": "Change approvals"},
        {"op": "replace", "path": "/configValues", "value": DECLARED_VALUES},
        {"op": "replace", "path": "/enabled", "value": True},
        {"op": "replace", "path": "/tags", "value": ["platform", "approvals"]},
    ]
    (after,) = emulator.configurations()
    assert (after["_id"], after["name"], after["enabled"], after["tags"]) == (
        config_id,
        "Change approvals",
        True,
        ["platform", "approvals"],
    )
    assert after["configValues"] == DECLARED_VALUES
    assert engine.up([approvals(import_id=config_id)]).operations == {"approvals": "same"}
    assert calls(emulator) == []


def test_adopting_with_a_capability_config_adds_it(engine: Engine, emulator: Emulator) -> None:
    config_id = seed(emulator)["_id"]
    capability = {
        "approvals": {"additionalFormVariables": [{"key": "ticket", "name": "Ticket", "type": "string"}]}
    }
    engine.up([approvals(import_id=config_id, capability_config=capability)])
    assert [operation["path"] for operation in configuration_requests(emulator)[1].body] == [
        "/configValues",
        "/capabilityConfig",
    ]
    assert configuration_requests(emulator)[1].body[1] == {
        "op": "add",
        "path": "/capabilityConfig",
        "value": capability,
    }
    assert emulator.get_configuration(config_id)["capabilityConfig"] == capability  # type: ignore[index]


def test_adopting_without_secrets_or_differences_is_one_get(engine: Engine, emulator: Emulator) -> None:
    values = {
        "integrationKey": "R0123456789ABCDEF",
        "severity": "critical",
        "eventFilter": ["measured-rollout-regression"],
    }
    before = seed(emulator, "pagerduty-guardian-edition", name="Guardian", configValues=values)
    guardian = configuration(
        "guardian",
        integration_key="pagerduty-guardian-edition",
        name="Guardian",
        config_values=values,
        import_id=before["_id"],
    )
    assert engine.up([guardian]).operations == {"guardian": "create"}
    assert calls(emulator) == [f"GET {CONFIGURATIONS}/{before['_id']}"]
    assert emulator.configurations() == [before]
    assert engine.state["guardian"].id == before["_id"]


def test_a_wrong_id_is_a_clear_error_and_changes_nothing(engine: Engine, emulator: Emulator) -> None:
    before = seed(emulator)
    with pytest.raises(ProviderCallError) as raised:
        engine.up([approvals(import_id="0123456789abcdef01234567")])
    message = first_line(raised.value.details)
    assert "import_id '0123456789abcdef01234567'" in message
    assert "HTTP 404" in message
    assert "python -m provider.generate --integration-key custom-approvals" in message
    assert calls(emulator) == [f"GET {CONFIGURATIONS}/0123456789abcdef01234567"]
    assert emulator.configurations() == [before]
    assert engine.state == {}


def test_the_id_of_another_integration_is_a_clear_error(engine: Engine, emulator: Emulator) -> None:
    other = seed(
        emulator,
        "aiconfig-test-run",
        name="Test runs",
        configValues={"provider": "OpenAI", "apiKey": "sk-1234567"},
    )
    with pytest.raises(ProviderCallError) as raised:
        engine.up([approvals(import_id=other["_id"])])
    message = first_line(raised.value.details)
    assert "'aiconfig-test-run'" in message
    assert "'custom-approvals'" in message
    assert "integration_key" in message
    assert calls(emulator) == [f"GET {CONFIGURATIONS}/{other['_id']}"]
    assert emulator.configurations() == [other]
    assert engine.state == {}


MALFORMED_IDS: list[tuple[Any, str]] = [
    ("", "is empty"),
    ("65f1c3d2e4b0a1b2c3d4e5f6\n", "contains spaces or line breaks"),
    ("https://app.launchdarkly.com/api/v2/integration-configurations/65f1c3d2", "looks like a URL"),
    ("65f1c3d2?x=1", "is not an id"),
    (123, "valid string"),
]


def test_a_malformed_id_fails_check_at_preview_without_any_call(engine: Engine, emulator: Emulator) -> None:
    # One plugin process for every case: the suite stays fast.
    for import_id, problem in MALFORMED_IDS:
        with pytest.raises(CheckFailed) as raised:
            engine.preview([approvals(import_id=import_id)])
        ((prop, reason),) = raised.value.failures
        assert prop == "import_id"
        assert problem in reason, (import_id, reason)
    assert configuration_requests(emulator) == []


def test_preview_of_an_adoption_makes_no_call(engine: Engine, emulator: Emulator) -> None:
    config_id = seed(emulator)["_id"]
    assert engine.preview([approvals(import_id=config_id)]).operations == {"approvals": "create"}
    assert engine.preview([approvals(import_id=Unknown())]).operations == {"approvals": "create"}
    assert configuration_requests(emulator) == []


def test_import_id_is_inert_once_adopted(engine: Engine, emulator: Emulator) -> None:
    config_id = seed(emulator)["_id"]
    engine.up([approvals(import_id=config_id)])
    calls(emulator)

    assert engine.preview([approvals(import_id="ffffffffffffffffffffffff")]).operations == {
        "approvals": "same"
    }
    assert engine.up([approvals(import_id="ffffffffffffffffffffffff")]).operations == {"approvals": "same"}
    assert engine.up([approvals()]).operations == {"approvals": "same"}
    assert calls(emulator) == []
    assert engine.state["approvals"].id == config_id
    assert len(emulator.configurations()) == 1


def test_replacing_an_adopted_configuration_creates_a_new_one(engine: Engine, emulator: Emulator) -> None:
    config_id = seed(emulator)["_id"]
    engine.up([approvals(import_id=config_id)])
    calls(emulator)

    ai_values = {"provider": "OpenAI", "apiKey": "sk-test-123456"}
    replaced = approvals(integration_key="aiconfig-test-run", config_values=ai_values, import_id=config_id)
    assert engine.up([replaced]).operations == {"approvals": "replace"}
    assert calls(emulator) == [
        f"POST {CONFIGURATIONS}/keys/aiconfig-test-run",
        f"DELETE {CONFIGURATIONS}/{config_id}",
    ]
    (held,) = emulator.configurations()
    assert held["_integrationKey"] == "aiconfig-test-run"
    assert engine.state["approvals"].id == held["_id"]


def test_destroying_an_adopted_configuration_deletes_it(engine: Engine, emulator: Emulator) -> None:
    config_id = seed(emulator)["_id"]
    engine.up([approvals(import_id=config_id)])
    calls(emulator)
    engine.destroy()
    assert calls(emulator) == [f"DELETE {CONFIGURATIONS}/{config_id}"]
    assert emulator.configurations() == []


def test_get_by_id_reads_once_and_writes_nothing(engine: Engine, emulator: Emulator) -> None:
    capability = {
        "approvals": {"additionalFormVariables": [{"key": "ticket", "name": "Ticket", "type": "string"}]}
    }
    before = seed(emulator, **SEEDED, enabled=False, capabilityConfig=capability)
    config_id = before["_id"]

    outputs = engine.get("shared-approvals", config_id, IntegrationConfigurationProvider())

    assert calls(emulator) == [f"GET {CONFIGURATIONS}/{config_id}"]
    assert emulator.configurations() == [before]
    assert outputs["integration_key"] == "custom-approvals"
    assert outputs["name"] == "Change approvals"
    assert outputs["enabled"] is False
    assert outputs["tags"] == ["platform", "approvals"]
    assert outputs["capability_config"] == capability
    assert outputs["created_at"] == before["_createdAt"]
    assert outputs["access"]["allowed"]
    # The API's view: the secret as LaunchDarkly masks it, the rest as it is.
    assert outputs["config_values"] == {
        "apiKey": "mad************key",
        "baseURL": "https://approvals.example.com",
    }
    assert "made-in-the-ui-key" not in repr(outputs)


def test_get_of_a_missing_id_finds_nothing(engine: Engine, emulator: Emulator) -> None:
    with pytest.raises(LookupError):
        engine.get("gone", "0123456789abcdef01234567", IntegrationConfigurationProvider())
    assert calls(emulator) == [f"GET {CONFIGURATIONS}/0123456789abcdef01234567"]
