"""`IntegrationConfiguration`: the resource a Pulumi program declares."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pulumi
from pulumi.dynamic import Resource

from .lifecycle import IntegrationConfigurationProvider
from .pickling import sdk_pickler_restored
from .state import INPUT_NAMES, OUTPUT_ONLY_NAMES, SECRET_OUTPUT_NAMES


class IntegrationConfigurationArgs:
    """The inputs of an `IntegrationConfiguration`, for programs that build them apart from the resource."""

    def __init__(
        self,
        *,
        integration_key: pulumi.Input[str],
        name: pulumi.Input[str],
        config_values: pulumi.Input[Mapping[str, Any]],
        enabled: pulumi.Input[bool] | None = None,
        tags: pulumi.Input[Sequence[pulumi.Input[str]]] | None = None,
        capability_config: pulumi.Input[Mapping[str, Any]] | None = None,
        import_id: pulumi.Input[str] | None = None,
    ) -> None:
        self.integration_key = integration_key
        self.name = name
        self.config_values = config_values
        self.enabled = enabled
        self.tags = tags
        self.capability_config = capability_config
        self.import_id = import_id

    def to_props(self) -> dict[str, Any]:
        return dict(vars(self))


class IntegrationConfiguration(Resource, module="launchdarkly", name="IntegrationConfiguration"):
    """A LaunchDarkly integration configuration.

    Changing `integration_key` replaces the configuration; every other input updates it in place.
    `config_values` is always stored as a secret.

    `import_id` takes over an existing configuration on the first `pulumi up` instead of creating
    one; afterwards it is inert. `IntegrationConfiguration.get` reads one without managing it.
    """

    integration_key: pulumi.Output[str]
    name: pulumi.Output[str]
    config_values: pulumi.Output[dict[str, Any]]
    enabled: pulumi.Output[bool]
    tags: pulumi.Output[list[str]]
    capability_config: pulumi.Output[dict[str, Any] | None]
    import_id: pulumi.Output[str | None]
    """The id of the existing configuration this resource took over, as declared."""
    created_at: pulumi.Output[int]
    """When LaunchDarkly created the configuration, in epoch milliseconds."""
    access: pulumi.Output[dict[str, Any]]
    """What the access token may do with this configuration (LaunchDarkly's `_access`)."""
    snowflake_setup_script: pulumi.Output[str | None]
    """The setup script LaunchDarkly returns when a Snowflake configuration is created."""

    def __init__(
        self,
        resource_name: str,
        args: IntegrationConfigurationArgs | None = None,
        *,
        integration_key: pulumi.Input[str] | None = None,
        name: pulumi.Input[str] | None = None,
        config_values: pulumi.Input[Mapping[str, Any]] | None = None,
        enabled: pulumi.Input[bool] | None = None,
        tags: pulumi.Input[Sequence[pulumi.Input[str]]] | None = None,
        capability_config: pulumi.Input[Mapping[str, Any]] | None = None,
        import_id: pulumi.Input[str] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        props: dict[str, Any] = args.to_props() if args else {}
        keywords = {
            "integration_key": integration_key,
            "name": name,
            "config_values": config_values,
            "enabled": enabled,
            "tags": tags,
            "capability_config": capability_config,
            "import_id": import_id,
        }
        props.update({key: value for key, value in keywords.items() if value is not None})
        for secret_name in SECRET_OUTPUT_NAMES:
            # Secret as an input too: otherwise plain values would sit unencrypted among the state's inputs.
            if props.get(secret_name) is not None:
                props[secret_name] = pulumi.Output.secret(props[secret_name])
        # Every property is registered, even when unset, so that each output exists on the resource.
        for output_name in (*INPUT_NAMES, *OUTPUT_ONLY_NAMES):
            props.setdefault(output_name, None)
        secret_outputs = pulumi.ResourceOptions(additional_secret_outputs=list(SECRET_OUTPUT_NAMES))
        with sdk_pickler_restored():
            super().__init__(
                IntegrationConfigurationProvider(),
                resource_name,
                props,
                pulumi.ResourceOptions.merge(opts, secret_outputs),
            )

    @staticmethod
    def get(
        resource_name: str, id: pulumi.Input[str], opts: pulumi.ResourceOptions | None = None
    ) -> IntegrationConfiguration:
        """A read-only reference to an existing configuration: read by id, never created, changed or deleted.

        Outputs are LaunchDarkly's view; `config_values` holds secrets as the API shows them
        (masked) and is a secret output all the same.
        """
        return IntegrationConfiguration(
            resource_name, opts=pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(id=id))
        )
