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
        ({"integration_key": ""}, "integration_key", "must not be empty"),
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


STATEMENTS = "capability_config.auditLogEventsHook.statements"
FORM_VARIABLES = "capability_config.approvals.additionalFormVariables"


def hook(*statements: Any) -> dict[str, Any]:
    return {"capability_config": {"auditLogEventsHook": {"statements": list(statements)}}}


def extra_fields(*variables: Any) -> dict[str, Any]:
    return {"capability_config": {"approvals": {"additionalFormVariables": list(variables)}}}


TICKET = {"key": "ticket", "name": "Change ticket", "type": "string"}


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        (
            {"capability_config": {"approval": {}}},
            {"capability_config.approval": "Did you mean `approvals`?"},
        ),
        (
            {"capability_config": {"auditLogEventHook": {}}},
            {"capability_config.auditLogEventHook": "Did you mean `auditLogEventsHook`?"},
        ),
        ({"capability_config": {"approvals": []}}, {"capability_config.approvals": "valid dictionary"}),
        (hook({}), {f"{STATEMENTS}[0].effect": "`effect` is required"}),
        (hook({"effect": "Allow"}), {f"{STATEMENTS}[0].effect": "'allow' or 'deny', got 'Allow'"}),
        (
            hook({"effect": "allow", "resources": ["proj/*"], "notResources": ["proj/x"]}),
            {f"{STATEMENTS}[0].notResources": "either `resources` or `notResources`"},
        ),
        (
            hook({"effect": "deny", "actions": ["*"], "notActions": ["updateOn"]}),
            {f"{STATEMENTS}[0].notActions": "either `actions` or `notActions`"},
        ),
        (hook({"effect": "allow", "resource": ["proj/*"]}), {f"{STATEMENTS}[0].resource": "`resources`?"}),
        (hook({"effect": "allow", "resources": "proj/*"}), {f"{STATEMENTS}[0].resources": "valid list"}),
        (
            {"capability_config": {"auditLogEventsHook": {"statements": {"effect": "allow"}}}},
            {STATEMENTS: "valid list"},
        ),
        (extra_fields({"name": "Ticket", "type": "string"}), {f"{FORM_VARIABLES}[0].key": "needs a `key`"}),
        (extra_fields({**TICKET, "type": "strng"}), {f"{FORM_VARIABLES}[0].type": "Did you mean `string`?"}),
        (extra_fields({**TICKET, "isoptional": True}), {f"{FORM_VARIABLES}[0].isoptional": "`isOptional`?"}),
        (extra_fields({**TICKET, "key": "change ticket"}), {f"{FORM_VARIABLES}[0].key": "without spaces"}),
        (extra_fields({**TICKET, "isOptional": "yes"}), {f"{FORM_VARIABLES}[0].isOptional": "valid boolean"}),
    ],
)
def test_capability_config_must_match_the_api_shape(
    changes: dict[str, Any], expected: dict[str, str]
) -> None:
    found = failures(**changes)
    assert set(found) == set(expected), found
    for prop, words in expected.items():
        assert words in found[prop]


def test_a_well_formed_capability_config_passes() -> None:
    valid = {
        "approvals": {"additionalFormVariables": [{**TICKET, "isOptional": True, "description": "Jira key"}]},
        "auditLogEventsHook": {
            "statements": [
                {"effect": "allow", "resources": ["proj/*:env/*:flag/*"], "actions": ["*"]},
                {"effect": "deny", "notResources": ["proj/secret"], "notActions": ["deleteFlag"]},
                {"effect": "allow", "resources": [], "notResources": ["proj/x"]},  # empty counts as unset
            ]
        },
    }
    assert failures(capability_config=valid) == {}


def test_unknown_values_deep_inside_pass_and_known_siblings_are_checked() -> None:
    found = failures(
        tags=["ok", UNKNOWN, "bad tag"],
        capability_config={
            "auditLogEventsHook": {
                "statements": [
                    {"effect": UNKNOWN, "resources": [UNKNOWN]},
                    UNKNOWN,
                    {"effect": "perhaps"},
                    {"effect": "allow", "resources": ["a"], "notResources": UNKNOWN},
                ]
            }
        },
    )
    assert set(found) == {"tags[2]", f"{STATEMENTS}[2].effect"}


def test_request_models_are_strict_but_answers_keep_unknown_fields() -> None:
    from pydantic import ValidationError

    from provider.models import CapabilityConfig, CapabilityConfigPost, IntegrationConfigurationRep

    answer = {
        "approvals": {"additionalFormVariables": [{**TICKET, "newField": 1}], "later": True},
        "future": {},
    }
    assert CapabilityConfig.model_validate(answer).to_api() == answer
    rep = IntegrationConfigurationRep.model_validate({"_id": "x", "name": "n", "capabilityConfig": answer})
    assert rep.capability_config is not None
    with pytest.raises(ValidationError):
        CapabilityConfigPost.model_validate(answer)
    with pytest.raises(ValidationError):  # the API's spelling only: no snake_case aliases on input
        CapabilityConfigPost.model_validate({"audit_log_events_hook": {"statements": []}})
