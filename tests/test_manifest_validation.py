"""Manifest-level checks of `config_values` and `capability_config` (pure functions, no process)."""

from __future__ import annotations

from typing import Any

import pytest
from pulumi.output import Unknown

from provider.manifest_validation import uri_problem, validate_against_manifest
from provider.manifests import bundled_manifests
from provider.models import IntegrationManifest

HOOK = IntegrationManifest.model_validate(
    {
        "key": "preview-hook",
        "name": "Preview hook",
        "formVariables": [
            {"key": "endpoint", "name": "Endpoint URL", "type": "uri"},
            {"key": "signingSecret", "name": "Signing secret", "type": "string", "isSecret": True},
            {"key": "verbose", "name": "Verbose", "type": "boolean", "isOptional": True},
            {"key": "level", "name": "Level", "type": "enum", "allowedValues": ["debug", "info"]},
            {"key": "callback", "name": "Callback", "type": "uri", "isOptional": True},
            {"key": "token", "name": "Token", "type": "oauth", "isOptional": True},
        ],
    }
)
HOOK_VALUES = {"endpoint": "https://hooks.example.com/ld", "signingSecret": "s3cr3t-value", "level": "info"}


def failures(manifest: IntegrationManifest, **props: Any) -> dict[str, str]:
    return {failure.property: failure.reason for failure in validate_against_manifest(props, manifest)}


def test_valid_values_pass() -> None:
    assert failures(HOOK, config_values=HOOK_VALUES) == {}
    assert failures(HOOK, config_values={**HOOK_VALUES, "verbose": False, "callback": ""}) == {}
    approvals = bundled_manifests()["custom-approvals"]
    assert failures(approvals, config_values={"apiKey": "k", "baseURL": "https://a.example.com"}) == {}


def test_misspelt_key_is_named_once_with_a_suggestion() -> None:
    found = failures(bundled_manifests()["custom-approvals"], config_values={"apiKey": "k", "baseUrl": "x"})
    assert set(found) == {"config_values.baseUrl"}  # no extra "baseURL is required" for the same slip
    assert "Did you mean `baseURL`?" in found["config_values.baseUrl"]
    assert "Its fields: apiKey, baseURL" in found["config_values.baseUrl"]


def test_every_problem_is_reported_at_once() -> None:
    found = failures(HOOK, config_values={"endpoint": "hooks", "verbose": "true", "level": "trace", "x": 1})
    assert set(found) == {
        "config_values.endpoint",
        "config_values.verbose",
        "config_values.level",
        "config_values.x",
        "config_values.signingSecret",
    }


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("", "is a secret and is empty"),
        ("   ", "is a secret and is empty"),
        (12345, "must be a string, got a number (quote it)"),
        (True, "must be a string, got a boolean"),
    ],
)
def test_secret_values_are_checked_but_never_quoted(value: Any, words: str) -> None:
    found = failures(HOOK, config_values={**HOOK_VALUES, "signingSecret": value})
    assert words in found["config_values.signingSecret"]
    assert str(value).strip() == "" or str(value) not in found["config_values.signingSecret"]


def test_enum_lists_the_allowed_values_and_suggests() -> None:
    found = failures(
        bundled_manifests()["aiconfig-test-run"], config_values={"provider": "openai", "apiKey": "k"}
    )
    assert found == {
        "config_values.provider": "`provider` must be one of Anthropic, Bedrock, OpenAI, got 'openai'. "
        "Did you mean `OpenAI`?"
    }


def test_multiselect_items_are_checked_one_by_one() -> None:
    pagerduty = bundled_manifests()["pagerduty-guardian-edition"]
    values = {"integrationKey": "k", "severity": "info"}
    found = failures(
        pagerduty, config_values={**values, "eventFilter": ["measured-rollout-reverted", "rollback", 3]}
    )
    assert set(found) == {"config_values.eventFilter[1]", "config_values.eventFilter[2]"}
    assert (
        "Options: measured-rollout-regression, measured-rollout-reverted"
        in found["config_values.eventFilter[1]"]
    )
    assert (
        "must be a list"
        in failures(pagerduty, config_values={**values, "eventFilter": "x"})["config_values.eventFilter"]
    )


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("https://hooks.example.com/path?q=1", None),
        ("http://127.0.0.1:8080", None),
        ("hooks.example.com", "no scheme"),
        ("ftp://hooks.example.com", "scheme `ftp`"),
        ("https://", "no host"),
        ("https:///path", "no host"),
        ("https://hooks example.com", "spaces"),
        ("http://[::1", "not a valid URL"),
        ("https://hooks.example.com:99999", "not a valid URL"),
    ],
)
def test_uri_problems(value: str, problem: str | None) -> None:
    found = uri_problem(value)
    assert (found is None) if problem is None else (found is not None and problem in found)


def test_required_values_must_be_there_and_not_empty() -> None:
    found = failures(HOOK, config_values={"endpoint": "", "signingSecret": "s"})
    assert "is required and must not be empty" in found["config_values.endpoint"]
    assert "`level` (Level) is required by integration `preview-hook`" in found["config_values.level"]


def test_hidden_fields_with_defaults_and_optional_fields_are_not_required() -> None:
    snowflake = bundled_manifests()["snowflake-experimentation"]
    values = {"snowflakeHostAddress": "https://a.snowflakecomputing.com", "selectedEnv": "production"}
    assert failures(snowflake, config_values=values) == {}


def test_unknown_values_pass_and_their_keys_still_count() -> None:
    values = {"endpoint": Unknown(), "signingSecret": Unknown(), "level": Unknown(), "verbose": "no"}
    assert set(failures(HOOK, config_values=values)) == {"config_values.verbose"}
    assert failures(HOOK, config_values=Unknown()) == {}


def test_types_the_provider_cannot_judge_pass() -> None:
    assert failures(HOOK, config_values={**HOOK_VALUES, "token": {"anything": 1}}) == {}


def test_integration_without_form_fields_takes_no_config_values() -> None:
    found = failures(bundled_manifests()["custom-approvals-oauth"], config_values={"apiKey": "k"})
    assert "takes no config_values" in found["config_values.apiKey"]


def test_approvals_capability_needs_the_approval_capability() -> None:
    approvals = {"approvals": {"additionalFormVariables": [{"key": "t", "name": "T", "type": "string"}]}}
    ai = bundled_manifests()["aiconfig-test-run"]
    found = failures(ai, config_values={"provider": "OpenAI", "apiKey": "k"}, capability_config=approvals)
    assert "no approval capability" in found["capability_config.approvals"]
    custom = bundled_manifests()["custom-approvals"]
    ok_values = {"apiKey": "k", "baseURL": "https://a.example.com"}
    assert failures(custom, config_values=ok_values, capability_config=approvals) == {}


def test_a_manifest_that_does_not_state_its_capabilities_never_blocks_them() -> None:
    trimmed = IntegrationManifest.model_validate({"key": "trimmed", "name": "Trimmed", "formVariables": []})
    assert failures(trimmed, config_values={}, capability_config={"approvals": {}}) == {}


def test_approval_capability_without_additional_fields() -> None:
    strict = IntegrationManifest.model_validate(
        {
            "key": "s",
            "name": "S",
            "capabilities": {"approval": {"allowAdditionalApprovalFormVariables": False}},
        }
    )
    extra = {"approvals": {"additionalFormVariables": [{"key": "t", "name": "T", "type": "string"}]}}
    found = failures(strict, config_values={}, capability_config=extra)
    assert (
        "does not accept additional approval form variables"
        in found["capability_config.approvals.additionalFormVariables"]
    )
    assert failures(strict, config_values={}, capability_config={"approvals": {}}) == {}
