"""Refresh: what counts as drift and what never does."""

from __future__ import annotations

from typing import Any

import pytest

from provider.drift import looks_masked, loosely_equal, refresh_state
from provider.models import IntegrationConfigurationRep
from provider.state import ConfigurationState

STATE = ConfigurationState(
    integration_key="custom-approvals",
    name="Approvals",
    config_values={"apiKey": "super-secret-123", "baseURL": "https://a.example.com", "retries": 3},
    enabled=True,
    tags=["b", "a"],
    capability_config=None,
    created_at=1,
)


def response(**changes: Any) -> IntegrationConfigurationRep:
    body: dict[str, Any] = {
        "_id": "abc",
        "_links": {},
        "_integrationKey": "custom-approvals",
        "_createdAt": 1,
        "name": "Approvals",
        "configValues": {"apiKey": "sup**********123", "baseURL": "https://a.example.com", "retries": "3"},
        "enabled": True,
        "tags": ["a", "b"],
    }
    body.update(changes)
    return IntegrationConfigurationRep.model_validate(body)


@pytest.mark.parametrize("value", ["sup********123", "dum****ion", "****", "*", "ab***"])
def test_masked_values_are_recognised(value: str) -> None:
    assert looks_masked(value)


@pytest.mark.parametrize("value", ["https://x", "a*b", 3, None, "a**b"])
def test_plain_values_are_not_masked(value: Any) -> None:
    assert not looks_masked(value)


def test_number_returned_as_string_is_not_drift() -> None:
    assert loosely_equal("3", 3)
    assert loosely_equal("true", True)
    assert not loosely_equal("4", 3)


def test_no_drift_keeps_state_exactly() -> None:
    assert refresh_state(STATE, response(), frozenset({"apiKey"})) == STATE


def test_masked_secret_is_never_drift_even_without_a_manifest() -> None:
    refreshed = refresh_state(STATE, response(), frozenset())
    assert refreshed.config_values["apiKey"] == "super-secret-123"


def test_out_of_band_changes_are_taken_into_state() -> None:
    current = response(
        name="Renamed",
        enabled=False,
        tags=["c"],
        configValues={
            "apiKey": "xyz****",
            "baseURL": "https://b.example.com",
            "retries": "3",
            "extra": "default",
        },
        capabilityConfig={
            "approvals": {"additionalFormVariables": [{"key": "k", "name": "K", "type": "string"}]}
        },
    )
    refreshed = refresh_state(STATE, current, frozenset({"apiKey"}))
    assert refreshed.name == "Renamed"
    assert refreshed.enabled is False
    assert refreshed.tags == ["c"]
    assert refreshed.config_values == {
        "apiKey": "super-secret-123",
        "baseURL": "https://b.example.com",
        "retries": 3,
    }
    assert refreshed.capability_config == {
        "approvals": {"additionalFormVariables": [{"key": "k", "name": "K", "type": "string"}]}
    }


def test_key_removed_out_of_band_leaves_state() -> None:
    current = response(configValues={"apiKey": "sup****123"})
    refreshed = refresh_state(STATE, current, frozenset({"apiKey"}))
    assert refreshed.config_values == {"apiKey": "super-secret-123"}


def test_read_without_state_takes_the_api_view() -> None:
    refreshed = refresh_state(None, response(), frozenset())
    assert refreshed.integration_key == "custom-approvals"
    assert refreshed.config_values["apiKey"] == "sup**********123"
