"""The API models: tolerant when reading, exact when writing."""

from __future__ import annotations

from provider.models import (
    IntegrationConfigurationPost,
    IntegrationConfigurationRep,
    IntegrationManifest,
    PatchOperation,
)
from provider.state import ConfigurationInputs


def test_response_with_unknown_fields_still_parses() -> None:
    rep = IntegrationConfigurationRep.model_validate(
        {"_id": "abc", "_links": {}, "name": "n", "_createdAt": 5, "someNewField": {"x": 1}}
    )
    assert (rep.id, rep.name, rep.created_at) == ("abc", "n", 5)
    assert rep.config_values == {}


def test_post_body_leaves_out_what_was_not_set() -> None:
    body = IntegrationConfigurationPost(name="n", config_values={"apiKey": "k"}).to_api()
    assert body == {"name": "n", "configValues": {"apiKey": "k"}}


def test_post_body_from_inputs_uses_api_names_and_keeps_nested_keys() -> None:
    inputs = ConfigurationInputs.from_props(
        {
            "integration_key": "custom-approvals",
            "name": "n",
            "config_values": {"apiKey": "k", "baseURL": "https://x", "port": 8080.0},
            "enabled": False,
            "tags": ["a"],
            "capability_config": {
                "auditLogEventsHook": {"statements": [{"effect": "deny", "notActions": ["*"]}]}
            },
        }
    )
    assert inputs.to_post().to_api() == {
        "name": "n",
        "configValues": {"apiKey": "k", "baseURL": "https://x", "port": 8080},
        "enabled": False,
        "tags": ["a"],
        "capabilityConfig": {"auditLogEventsHook": {"statements": [{"effect": "deny", "notActions": ["*"]}]}},
    }


def test_remove_operation_has_no_value() -> None:
    assert PatchOperation(op="remove", path="/tags").to_api() == {"op": "remove", "path": "/tags"}
    assert PatchOperation(op="replace", path="/enabled", value=False).to_api() == {
        "op": "replace",
        "path": "/enabled",
        "value": False,
    }


def test_manifest_knows_its_secret_keys() -> None:
    manifest = IntegrationManifest.model_validate(
        {
            "key": "x",
            "name": "X",
            "formVariables": [
                {"key": "apiKey", "name": "Key", "type": "string", "isSecret": True},
                {"key": "url", "name": "URL", "type": "uri"},
            ],
        }
    )
    assert manifest.secret_keys == frozenset({"apiKey"})
    assert manifest.form_variable("url") is not None
    assert manifest.form_variable("nope") is None
