"""Diff rules and the JSON Patch they produce."""

from __future__ import annotations

from typing import Any

import pytest
from pulumi.runtime.rpc import UNKNOWN

from provider.diffing import patch_operations, plan_change
from provider.state import ConfigurationInputs, ConfigurationState

FIELD = {"key": "ticket", "name": "Ticket", "type": "string"}
STATE: dict[str, Any] = {
    "integration_key": "custom-approvals",
    "name": "Approvals",
    "config_values": {"apiKey": "secret-1", "baseURL": "https://a.example.com"},
    "enabled": True,
    "tags": ["a", "b"],
    "capability_config": None,
    "created_at": 1.7e12,
    "access": {"allowed": [], "denied": []},
    "snowflake_setup_script": None,
    "__provider": "old-pickle",
}


def declared(**changes: Any) -> dict[str, Any]:
    props = {key: STATE[key] for key in ("integration_key", "name", "config_values", "tags")}
    props["__provider"] = "new-pickle"
    props.update(changes)
    return props


def test_no_change_even_with_a_new_provider_pickle() -> None:
    plan = plan_change(STATE, declared())
    assert not plan.any


def test_tags_compare_as_a_set() -> None:
    assert not plan_change(STATE, declared(tags=["b", "a"])).any
    assert plan_change(STATE, declared(tags=["a"])).changed == ("tags",)


def test_unset_enabled_means_the_default() -> None:
    assert not plan_change(STATE, declared(enabled=None)).any
    assert plan_change({**STATE, "enabled": False}, declared()).changed == ("enabled",)


def test_numbers_from_the_wire_compare_equal_to_ints() -> None:
    state = {**STATE, "config_values": {"port": 8080}}
    assert not plan_change(state, declared(config_values={"port": 8080.0})).any


def test_integration_key_replaces_and_the_rest_update() -> None:
    plan = plan_change(STATE, declared(integration_key="aiconfig-test-run", name="New"))
    assert plan.changed == ("integration_key", "name")
    assert plan.replaces == ("integration_key",)


def test_unknown_values_count_as_changes() -> None:
    plan = plan_change(STATE, declared(config_values={"apiKey": UNKNOWN, "baseURL": "https://a.example.com"}))
    assert plan.changed == ("config_values",)
    assert plan_change(STATE, declared(integration_key=UNKNOWN)).replaces == ("integration_key",)


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"name": "Renamed"}, [{"op": "replace", "path": "/name", "value": "Renamed"}]),
        ({"enabled": False}, [{"op": "replace", "path": "/enabled", "value": False}]),
        ({"tags": None}, [{"op": "replace", "path": "/tags", "value": []}]),
        (
            {"config_values": {"apiKey": "secret-2", "baseURL": "https://a.example.com"}},
            [
                {
                    "op": "replace",
                    "path": "/configValues",
                    "value": {"apiKey": "secret-2", "baseURL": "https://a.example.com"},
                }
            ],
        ),
        (
            {"capability_config": {"approvals": {"additionalFormVariables": [FIELD]}}},
            [
                {
                    "op": "add",
                    "path": "/capabilityConfig",
                    "value": {"approvals": {"additionalFormVariables": [FIELD]}},
                }
            ],
        ),
    ],
)
def test_patch_touches_only_changed_fields(changes: dict[str, Any], expected: list[dict[str, Any]]) -> None:
    news = declared(**changes)
    operations = patch_operations(
        ConfigurationState.from_props(STATE),
        ConfigurationInputs.from_props(news),
        plan_change(STATE, news).changed,
    )
    assert [operation.to_api() for operation in operations] == expected


def test_removing_capability_config_removes_it() -> None:
    state = {**STATE, "capability_config": {"approvals": {"additionalFormVariables": [FIELD]}}}
    news = declared(capability_config=None)
    plan = plan_change(state, news)
    operations = patch_operations(
        ConfigurationState.from_props(state), ConfigurationInputs.from_props(news), plan.changed
    )
    assert [operation.to_api() for operation in operations] == [{"op": "remove", "path": "/capabilityConfig"}]


def test_semantically_empty_capability_config_is_no_change() -> None:
    assert not plan_change(
        STATE, declared(capability_config={"approvals": {"additionalFormVariables": []}})
    ).any


LOCKED = frozenset({"baseURL"})


def test_changing_a_locked_config_value_replaces() -> None:
    plan = plan_change(
        STATE, declared(config_values={"apiKey": "secret-1", "baseURL": "https://b.example.com"}), LOCKED
    )
    assert plan.replaces == ("config_values",)
    assert plan.locked == ("baseURL",)


@pytest.mark.parametrize(
    "config_values",
    [
        {"apiKey": "secret-2", "baseURL": "https://a.example.com"},  # only an unlocked key changes
        {"apiKey": "secret-1", "baseURL": "https://a.example.com"},  # nothing changes
    ],
)
def test_unlocked_changes_still_update_in_place(config_values: dict[str, Any]) -> None:
    plan = plan_change(STATE, declared(config_values=config_values), LOCKED)
    assert plan.replaces == ()
    assert plan.locked == ()


def test_adding_or_removing_a_locked_value_replaces() -> None:
    assert plan_change(STATE, declared(config_values={"apiKey": "secret-1"}), LOCKED).locked == ("baseURL",)
    added = {**STATE, "config_values": {"apiKey": "secret-1"}}
    assert plan_change(added, declared(), LOCKED).locked == ("baseURL",)


def test_a_locked_value_not_known_yet_may_replace() -> None:
    unknown_value = declared(config_values={"apiKey": "secret-1", "baseURL": UNKNOWN})
    assert plan_change(STATE, unknown_value, LOCKED).replaces == ("config_values",)
    assert plan_change(STATE, declared(config_values=UNKNOWN), LOCKED).locked == ("baseURL",)


def test_a_new_integration_key_replaces_without_blaming_locked_values() -> None:
    changes = declared(integration_key="aiconfig-test-run", config_values={"provider": "OpenAI"})
    plan = plan_change(STATE, changes, LOCKED)
    assert plan.replaces == ("integration_key",)
    assert plan.locked == ()
