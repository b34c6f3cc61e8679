"""What a generated program declares for each existing configuration, before any code is written.

Values LaunchDarkly cannot show (form fields the manifest marks secret, or values that come back
masked) become stack-config secrets. Hidden form fields are left out: LaunchDarkly fills them in
itself (Snowflake's key pair and task ids), nobody can supply the secret ones, and declaring the
others would turn LaunchDarkly's own later changes into drift that `pulumi up` reverts. Every
other value is declared exactly as LaunchDarkly holds it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..drift import looks_masked
from ..models import IntegrationConfigurationRep, IntegrationManifest
from .naming import resource_name, secret_config_keys, unique_names, variable_name

# Marks a value to read from stack config, until every secret has its config key.
_SECRET = object()


@dataclass(frozen=True)
class SecretSetting:
    """A secret the program reads from stack config: `config.require_secret(config_key)`."""

    config_key: str
    field: str


@dataclass(frozen=True)
class PlannedConfiguration:
    configuration: IntegrationConfigurationRep
    integration_key: str
    resource_name: str
    variable: str
    config_values: dict[str, Any]
    """Form field key -> value as LaunchDarkly holds it, or the `SecretSetting` that stands in for it."""
    left_out: tuple[str, ...] = ()
    """Hidden form fields, which LaunchDarkly manages (not declared)."""

    @property
    def secrets(self) -> list[SecretSetting]:
        return [value for value in self.config_values.values() if isinstance(value, SecretSetting)]


def plan_configurations(
    configurations: Sequence[IntegrationConfigurationRep],
    manifests: Mapping[str, IntegrationManifest],
    fallback_integration_key: Mapping[str, str] | None = None,
) -> list[PlannedConfiguration]:
    """One plan per configuration, in a stable order (integration, then creation time, then id).

    `fallback_integration_key` gives, by id, the integration a configuration was listed under, for
    answers that leave `_integrationKey` out.
    """
    fallback = fallback_integration_key or {}

    def integration_of(configuration: IntegrationConfigurationRep) -> str:
        return configuration.integration_key or fallback.get(configuration.id, "")

    ordered = sorted(
        configurations,
        key=lambda configuration: (
            integration_of(configuration),
            configuration.created_at or 0,
            configuration.id,
        ),
    )
    names = unique_names([resource_name(item.name, integration_of(item)) for item in ordered])
    classified = [_classify(item.config_values, manifests.get(integration_of(item))) for item in ordered]
    secret_fields = [
        (name, key)
        for name, (values, _left_out) in zip(names, classified, strict=True)
        for key, value in values.items()
        if value is _SECRET
    ]
    config_keys = iter(secret_config_keys(secret_fields))
    plans: list[PlannedConfiguration] = []
    for item, name, (values, left_out) in zip(ordered, names, classified, strict=True):
        declared = {
            key: SecretSetting(next(config_keys), key) if value is _SECRET else value
            for key, value in values.items()
        }
        plans.append(
            PlannedConfiguration(
                configuration=item,
                integration_key=integration_of(item),
                resource_name=name,
                variable=variable_name(name),
                config_values=declared,
                left_out=left_out,
            )
        )
    return plans


def _classify(
    values: Mapping[str, Any], manifest: IntegrationManifest | None
) -> tuple[dict[str, Any], tuple[str, ...]]:
    """Values to declare (secrets marked `_SECRET`), and the hidden fields left out."""
    secret_keys = manifest.secret_keys if manifest else frozenset()
    declared: dict[str, Any] = {}
    left_out: list[str] = []
    for key, value in values.items():
        variable = manifest.form_variable(key) if manifest else None
        if variable is not None and variable.is_hidden:
            left_out.append(key)
        elif key in secret_keys or looks_masked(value):
            declared[key] = _SECRET
        else:
            declared[key] = value
    return declared, tuple(left_out)
