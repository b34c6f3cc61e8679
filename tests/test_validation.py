"""Schema-level checks (the manifest-level ones live beside the manifests)."""

from __future__ import annotations

from typing import Any

import pytest
from pulumi.runtime.rpc import UNKNOWN

from provider.validation import validate_declared

VALID: dict[str, Any] = {
    "integration_key": "custom-approvals",
    "name": "Approvals",
    "config_values": {"apiKey": "k", "baseURL": "https://a.example.com"},
    "tags": ["platform"],
    "__provider": "pickle",
}


def failures(**changes: Any) -> dict[str, str]:
    props = {**VALID, **changes}
    return {failure.property: failure.reason for failure in validate_declared(props)}


def test_valid_inputs_pass() -> None:
    assert failures() == {}


@pytest.mark.parametrize(
    ("changes", "prop", "words"),
    [
        ({"integration_key": None}, "integration_key", "required"),
        ({"integration_key": ""}, "integration_key", "at least 1"),
        ({"integration_key": "Custom Approvals!"}, "integration_key", "not an integration key"),
        ({"name": "   "}, "name", "blank"),
        ({"name": None}, "name", "required"),
        ({"enabled": "yes"}, "enabled", "boolean"),
        ({"tags": "platform"}, "tags", "list"),
        ({"tags": ["ok", "not ok"]}, "tags[1]", "not allowed"),
        ({"config_values": ["a"]}, "config_values", "dictionary"),
        (
            {"capability_config": {"auditLogEventsHook": {"statements": [{"effect": "maybe"}]}}},
            "capability_config.auditLogEventsHook.statements[0].effect",
            "allow",
        ),
    ],
)
def test_bad_inputs_name_the_property(changes: dict[str, Any], prop: str, words: str) -> None:
    found = failures(**changes)
    assert prop in found, found
    assert words in found[prop]


def test_all_failures_are_reported_at_once() -> None:
    assert set(failures(name="", enabled="no", tags=["bad tag"])) == {"name", "enabled", "tags[0]"}


def test_unknown_values_pass_and_the_rest_is_still_checked() -> None:
    found = failures(name=UNKNOWN, config_values=UNKNOWN, tags=["bad tag"])
    assert set(found) == {"tags[0]"}
