"""What a program registers when it declares an `IntegrationConfiguration` (Pulumi's mocks as the engine)."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Any

import dill
import pulumi
import pytest
from pulumi.runtime import mocks, rpc

from provider import IntegrationConfiguration, IntegrationConfigurationArgs, IntegrationConfigurationProvider


class RecordingMocks(pulumi.runtime.Mocks):
    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        return f"{args.name}-id", {**args.inputs, "created_at": 1}

    def call(self, args: pulumi.runtime.MockCallArgs) -> dict[str, Any]:
        return {}


@pytest.fixture
def registrations(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Any]]:
    """The raw RegisterResource requests, to see secrets and options as the engine would."""
    seen: list[Any] = []
    original = mocks.MockMonitor.RegisterResource

    def record(self: Any, request: Any) -> Any:
        if request.type != "pulumi:pulumi:Stack":
            seen.append(request)
        return original(self, request)

    monkeypatch.setattr(mocks.MockMonitor, "RegisterResource", record)
    pulumi.runtime.set_mocks(RecordingMocks(), preview=False)
    yield seen


def raw_object(request: Any) -> dict[str, Any]:
    return rpc.deserialize_properties(request.object, keep_unknowns=True)  # type: ignore[no-any-return]


@pulumi.runtime.test
def test_registration_type_secrets_and_provider(registrations: list[Any]) -> Any:
    resource = IntegrationConfiguration(
        "approvals",
        integration_key="custom-approvals",
        name="Approvals",
        config_values={"apiKey": "plain-value", "baseURL": "https://a.example.com"},
        tags=["platform"],
    )

    for output_name in ("enabled", "capability_config", "created_at", "access", "snowflake_setup_script"):
        assert isinstance(getattr(resource, output_name), pulumi.Output)

    def verify(_: Any) -> None:
        (request,) = registrations
        assert request.type == "pulumi-python:dynamic/launchdarkly:IntegrationConfiguration"
        assert "config_values" in request.additionalSecretOutputs
        registered = raw_object(request)
        # Plain config values are registered as a secret input too.
        assert rpc.is_rpc_secret(registered["config_values"])
        assert registered["integration_key"] == "custom-approvals"
        pickled = registered["__provider"]
        pickled = pickled["value"] if rpc.is_rpc_secret(pickled) else pickled
        # Pickled by reference: small, and nothing but the class name travels.
        assert len(pickled) < 400
        assert isinstance(dill.loads(base64.b64decode(pickled)), IntegrationConfigurationProvider)

    return resource.id.apply(verify)


@pulumi.runtime.test
def test_args_class_is_equivalent(registrations: list[Any]) -> Any:
    args = IntegrationConfigurationArgs(
        integration_key="custom-approvals", name="Approvals", config_values={"apiKey": "k"}, enabled=False
    )
    resource = IntegrationConfiguration("from-args", args)

    def verify(_: Any) -> None:
        registered = raw_object(registrations[0])
        assert registered["enabled"] is False
        assert registered["name"] == "Approvals"

    return resource.id.apply(verify)


def test_pickled_provider_carries_no_runtime_state() -> None:
    provider = IntegrationConfigurationProvider()
    provider.client  # noqa: B018 - builds a client, as configure() would in the provider process
    restored = dill.loads(dill.dumps(provider, recurse=True))
    assert restored._client is None
    assert b"Session" not in dill.dumps(provider, recurse=True)


@pulumi.runtime.test
def test_a_thousand_resources_do_not_exhaust_the_pickler(registrations: list[Any]) -> Any:
    import pickle

    pickler: Any = pickle._Pickler  # type: ignore[attr-defined]
    IntegrationConfiguration(
        "first", integration_key="custom-approvals", name="n", config_values={"apiKey": "k"}
    )
    after_first = (pickler._batch_setitems, pickler.save_dict)
    # Without the guard each declaration wraps the SDK's pickler patch once more, until pickling overflows.
    resources = [
        IntegrationConfiguration(
            f"r{i}", integration_key="custom-approvals", name="n", config_values={"apiKey": "k"}
        )
        for i in range(1200)
    ]
    assert (pickler._batch_setitems, pickler.save_dict) == after_first
    return resources[-1].id.apply(lambda _: None)
