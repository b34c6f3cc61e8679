"""Declaring `IntegrationConfiguration`s for the engine harness, the way `provider.resource` registers them."""

from __future__ import annotations

from typing import Any

from engine import Declared, Engine

from provider.emulator import Emulator, RecordedRequest
from provider.lifecycle import IntegrationConfigurationProvider
from provider.state import SECRET_OUTPUT_NAMES

RESOURCE_TYPE = "pulumi-python:dynamic/launchdarkly:IntegrationConfiguration"


def configuration(resource_name: str, /, **props: Any) -> Declared:
    """A declared configuration, registered as `IntegrationConfiguration` does: `config_values` secret."""
    return Declared(
        name=resource_name,
        provider=IntegrationConfigurationProvider(),
        props={key: value for key, value in props.items() if value is not None},
        secret_props=set(SECRET_OUTPUT_NAMES) & set(props),
        additional_secret_outputs=SECRET_OUTPUT_NAMES,
        resource_type=RESOURCE_TYPE,
    )


def approvals(resource_name: str = "approvals", /, **changes: Any) -> Declared:
    props: dict[str, Any] = {
        "integration_key": "custom-approvals",
        "name": "Change approvals",
        "config_values": {"apiKey": "approvals-secret-key-1", "baseURL": "https://approvals.example.com"},
        "tags": ["platform", "approvals"],
    }
    props.update(changes)
    return configuration(resource_name, **props)


MANIFESTS_PATH = "/api/v2/integration-manifests"
CONFIGURATIONS_PATH = "/api/v2/integration-configurations"


def configuration_requests(emulator: Emulator) -> list[RecordedRequest]:
    """What the emulator received on the integration-configuration endpoints (manifest fetches left out)."""
    return [request for request in emulator.requests if request.path.startswith(CONFIGURATIONS_PATH)]


def manifest_requests(emulator: Emulator) -> list[RecordedRequest]:
    return [request for request in emulator.requests if request.path.startswith(MANIFESTS_PATH)]


def assert_each_exists_once(engine: Engine, emulator: Emulator, names: dict[str, str]) -> None:
    """Each resource (name -> declared configuration name) in state is one configuration with that
    name, and the emulator holds nothing else."""
    held = {item["_id"]: item["name"] for item in emulator.configurations()}
    assert len(held) == len(names)
    assert {engine.state[resource].id: name for resource, name in names.items()} == held
