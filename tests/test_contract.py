"""Contract tests against the official `launchdarkly-api` client, generated from LaunchDarkly's spec.

What our client sends must parse, field for field, as the official request models; what our
emulator answers must parse as the official response models; and the official client must be
able to drive the emulator through a whole lifecycle.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from provider.client import LaunchDarklyClient
from provider.diffing import patch_operations, plan_change
from provider.emulator import Emulator, running_emulator
from provider.settings import ProviderSettings
from provider.state import ConfigurationInputs, ConfigurationState, without_nulls

launchdarkly_api = pytest.importorskip("launchdarkly_api")
from launchdarkly_api.api.integrations_beta_api import IntegrationsBetaApi  # noqa: E402
from launchdarkly_api.models.integration_configuration_collection_rep import (  # noqa: E402
    IntegrationConfigurationCollectionRep,
)
from launchdarkly_api.models.integration_configuration_post import IntegrationConfigurationPost  # noqa: E402
from launchdarkly_api.models.integration_configurations_rep import IntegrationConfigurationsRep  # noqa: E402
from launchdarkly_api.models.patch_operation import PatchOperation  # noqa: E402

TOKEN = "api-contract-token"

DECLARED: list[dict[str, Any]] = [
    {
        "integration_key": "custom-approvals",
        "name": "Approvals",
        "config_values": {"apiKey": "secret-1", "baseURL": "https://a.example.com"},
    },
    {
        "integration_key": "custom-approvals",
        "name": "Approvals with everything",
        "config_values": {"apiKey": "secret-1", "baseURL": "https://a.example.com"},
        "enabled": False,
        "tags": ["platform", "approvals"],
        "capability_config": {
            "approvals": {
                "additionalFormVariables": [
                    {"key": "ticket", "name": "Ticket", "type": "string", "description": "Change ticket"}
                ]
            }
        },
    },
    {
        "integration_key": "pagerduty-guardian-edition",
        "name": "Guardian",
        "config_values": {"integrationKey": "pd-key", "severity": "critical"},
        "capability_config": {
            "auditLogEventsHook": {
                "statements": [
                    {"effect": "allow", "resources": ["proj/*:env/production:flag/*"], "actions": ["*"]}
                ]
            }
        },
    },
]


@pytest.fixture(scope="module")
def emulator() -> Iterator[Emulator]:
    with running_emulator(token=TOKEN) as emu:
        yield emu


@pytest.mark.parametrize("declared", DECLARED, ids=lambda d: d["name"])
def test_create_bodies_are_official_post_models(declared: dict[str, Any]) -> None:
    body = ConfigurationInputs.from_props(declared).to_post().to_api()
    official = IntegrationConfigurationPost.from_dict(body)
    assert official is not None
    # The official models fill every optional field with None; what we send has no nulls.
    assert without_nulls(official.to_dict()) == body


def test_patch_bodies_are_official_patch_operations() -> None:
    old = ConfigurationState.from_props(DECLARED[1])
    changes = {
        "name": "Renamed",
        "enabled": None,
        "tags": None,
        "capability_config": None,
        "config_values": {"apiKey": "secret-2", "baseURL": "https://b.example.com"},
    }
    news = {**DECLARED[1], **changes}
    operations = patch_operations(
        old, ConfigurationInputs.from_props(news), plan_change(DECLARED[1], news).changed
    )
    assert len(operations) == 5
    for operation in operations:
        body = operation.to_api()
        official = PatchOperation.from_dict(body)
        assert official is not None
        assert without_nulls(official.to_dict()) == body


def test_emulator_answers_parse_as_official_models(emulator: Emulator) -> None:
    client = LaunchDarklyClient(ProviderSettings(access_token=TOKEN, api_host=emulator.url))
    for declared in DECLARED:
        client.create_configuration(
            declared["integration_key"], ConfigurationInputs.from_props(declared).to_post()
        )
    emulator.clear_requests()
    client.list_configurations("custom-approvals")
    client.list_configurations("pagerduty-guardian-edition")
    for request in emulator.requests:
        assert request.status == 200
    import requests

    for key in ("custom-approvals", "pagerduty-guardian-edition"):
        raw = requests.get(
            f"{emulator.url}/api/v2/integration-configurations/keys/{key}",
            headers={"Authorization": TOKEN, "LD-API-Version": "beta"},
            timeout=5,
        ).json()
        collection = IntegrationConfigurationCollectionRep.from_dict(raw)
        assert collection is not None and len(collection.items) >= 1
        for item in raw["items"]:
            assert IntegrationConfigurationsRep.from_dict(item) is not None


def test_official_client_drives_the_emulator_through_a_lifecycle(emulator: Emulator) -> None:
    configuration = launchdarkly_api.Configuration(host=emulator.url)
    configuration.api_key["ApiKey"] = TOKEN
    api_client = launchdarkly_api.ApiClient(configuration)
    # The generated client sends its own LD-API-Version default; replace it rather than add a second one.
    api_client.default_headers["LD-API-Version"] = "beta"
    api = IntegrationsBetaApi(api_client)

    created = api.create_integration_configuration(
        "custom-approvals",
        IntegrationConfigurationPost.from_dict(
            {
                "name": "Official",
                "configValues": {"apiKey": "official-secret", "baseURL": "https://o.example.com"},
            }
        ),
    )
    assert created.name == "Official"
    assert created.config_values["apiKey"] != "official-secret"  # masked in every answer
    fetched = api.get_integration_configuration(created.id)
    assert fetched.id == created.id
    updated = api.update_integration_configuration(
        created.id, [PatchOperation.from_dict({"op": "replace", "path": "/name", "value": "Official 2"})]
    )
    assert updated.name == "Official 2"
    api.delete_integration_configuration(created.id)
    assert emulator.get_configuration(created.id) is None
