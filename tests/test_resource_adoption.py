"""`import_id` and `IntegrationConfiguration.get` as a program registers them, and a program reading by id."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pulumi
import pytest
from engine import Engine
from program_runner import run_program
from pulumi.runtime import mocks, rpc
from test_lifecycle import calls

from provider import IntegrationConfiguration, IntegrationConfigurationArgs
from provider.emulator import Emulator


class PassThroughMocks(pulumi.runtime.Mocks):
    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        return args.resource_id or f"{args.name}-id", dict(args.inputs)

    def call(self, args: pulumi.runtime.MockCallArgs) -> dict[str, Any]:
        return {}


@pytest.fixture
def monitor_requests(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[str, Any]]]:
    """Every RegisterResource and ReadResource request, as the engine would receive them."""
    seen: list[tuple[str, Any]] = []
    for method in ("RegisterResource", "ReadResource"):
        original = getattr(mocks.MockMonitor, method)

        def record(self: Any, request: Any, method: str = method, original: Any = original) -> Any:
            if request.type != "pulumi:pulumi:Stack":
                seen.append((method, request))
            return original(self, request)

        monkeypatch.setattr(mocks.MockMonitor, method, record)
    pulumi.runtime.set_mocks(PassThroughMocks(), preview=False)
    yield seen


@pulumi.runtime.test
def test_import_id_is_registered_as_a_plain_input(monitor_requests: list[tuple[str, Any]]) -> Any:
    resource = IntegrationConfiguration(
        "adopted",
        IntegrationConfigurationArgs(
            integration_key="custom-approvals",
            name="Approvals",
            config_values={"apiKey": "k"},
            import_id="65f1c3d2e4b0a1b2c3d4e5f6",
        ),
    )

    def verify(_: Any) -> None:
        ((method, request),) = monitor_requests
        assert method == "RegisterResource"
        registered = rpc.deserialize_properties(request.object, keep_unknowns=True)
        assert registered["import_id"] == "65f1c3d2e4b0a1b2c3d4e5f6"

    return resource.import_id.apply(verify)


@pulumi.runtime.test
def test_get_is_a_read_by_id_with_secret_config_values(monitor_requests: list[tuple[str, Any]]) -> Any:
    reference = IntegrationConfiguration.get(
        "shared", "65f1c3d2e4b0a1b2c3d4e5f6", opts=pulumi.ResourceOptions(protect=True)
    )

    def verify(_: Any) -> None:
        ((method, request),) = monitor_requests
        assert method == "ReadResource"
        assert request.id == "65f1c3d2e4b0a1b2c3d4e5f6"
        assert request.type == "pulumi-python:dynamic/launchdarkly:IntegrationConfiguration"
        assert "config_values" in request.additionalSecretOutputs
        registered = rpc.deserialize_properties(request.properties, keep_unknowns=True)
        assert {key for key, value in registered.items() if value is not None} == {"__provider"}

    return reference.id.apply(verify)


def test_a_program_reads_another_teams_configuration_by_id(
    tmp_path: Path, engine: Engine, emulator: Emulator
) -> None:
    held = emulator.seed_configuration(
        "custom-approvals",
        {
            "name": "Shared approvals",
            "configValues": {"apiKey": "their-secret-key", "baseURL": "https://a.example.com"},
        },
    )
    emulator.clear_requests()
    (tmp_path / "__main__.py").write_text(
        textwrap.dedent(
            """
            import pulumi
            from provider import IntegrationConfiguration

            shared = IntegrationConfiguration.get("shared", pulumi.Config().require("sharedId"))
            pulumi.export("id", shared.id)
            pulumi.export("name", shared.name)
            pulumi.export("integration_key", shared.integration_key)
            pulumi.export("base_url", shared.config_values.apply(lambda values: values["baseURL"]))
            """
        )
    )
    run = run_program(tmp_path, engine, project="reader", config={"reader:sharedId": held["_id"]})

    assert run.operations == {"shared": "read"}
    assert run.exports == {
        "id": held["_id"],
        "name": "Shared approvals",
        "integration_key": "custom-approvals",
        "base_url": "https://a.example.com",
    }
    assert calls(emulator) == [f"GET /api/v2/integration-configurations/{held['_id']}"]
    assert emulator.configurations() == [held]
    assert engine.state == {}
