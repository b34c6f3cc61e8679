"""The dynamic provider: Pulumi's check, diff, create, read, update and delete for one configuration.

An instance is pickled into every resource's `__provider` input and unpickled in the provider
process, so it carries nothing: settings, the HTTP client and the manifest source are built in
`configure()`, which runs only in the provider process.
"""

from __future__ import annotations

import os
import threading
from typing import Any

from pulumi.dynamic import (
    CheckFailure,
    CheckResult,
    ConfigureRequest,
    CreateResult,
    DiffResult,
    ReadResult,
    ResourceProvider,
    UpdateResult,
)

from .adoption import import_only_on_first_create, plan_adoption
from .client import LaunchDarklyClient
from .diffing import patch_operations, plan_change
from .drift import refresh_state
from .errors import ConfigurationError, message_first
from .manifest_source import ManifestSource
from .manifest_validation import validate_against_manifest
from .notices import notify
from .settings import ProviderSettings
from .state import PROVIDER_PROPERTY, ConfigurationInputs, ConfigurationState
from .validation import Failure, usable_integration_key, validate_declared


class IntegrationConfigurationProvider(ResourceProvider):
    """Manages one LaunchDarkly integration configuration per resource."""

    def __init__(self) -> None:
        super().__init__()
        self._client: LaunchDarklyClient | None = None
        self._manifests: ManifestSource | None = None
        self._client_lock = threading.Lock()

    # Pickled state carries nothing on purpose: no token, session or lock may ever reach Pulumi state.
    # (Non-empty so that unpickling always calls __setstate__.)
    def __getstate__(self) -> dict[str, Any]:
        return {"pickled_by": "provider.lifecycle"}

    def __setstate__(self, _state: dict[str, Any]) -> None:
        self.__init__()  # type: ignore[misc]

    @message_first
    def configure(self, req: ConfigureRequest) -> None:
        settings = ProviderSettings.load(req.config.get, os.environ)
        with self._client_lock:
            self._build(settings)

    def _build(self, settings: ProviderSettings) -> tuple[LaunchDarklyClient, ManifestSource]:
        """Build what the provider needs from settings; call with `_client_lock` held."""
        self._client = LaunchDarklyClient(settings)
        self._manifests = ManifestSource.from_settings(settings)
        return self._client, self._manifests

    def _configured(self) -> tuple[LaunchDarklyClient, ManifestSource]:
        with self._client_lock:
            if self._client is None or self._manifests is None:
                # SDKs older than configure() support never call it: fall back to the environment.
                return self._build(ProviderSettings.load(lambda _key: None, os.environ))
            return self._client, self._manifests

    @property
    def client(self) -> LaunchDarklyClient:
        return self._configured()[0]

    @property
    def manifests(self) -> ManifestSource:
        """Where manifests come from: one source per process, so each key is fetched at most once."""
        return self._configured()[1]

    @message_first
    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        news = import_only_on_first_create(olds, news)
        failures = validate_declared(news)
        integration_key = usable_integration_key(news)
        if integration_key is not None:
            try:
                manifest = self.manifests.lookup(integration_key)
            except ConfigurationError as error:
                failures.append(Failure("config_values", str(error)))
            else:
                if manifest is not None:
                    failures += validate_against_manifest(news, manifest)
        return CheckResult(news, [CheckFailure(failure.property, failure.reason) for failure in failures])

    @message_first
    def diff(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        integration_key = usable_integration_key(news)
        manifest = self.manifests.lookup(integration_key) if integration_key else None
        plan = plan_change(olds, news, manifest.locked_keys if manifest else frozenset())
        if plan.locked:
            fields = ", ".join(f"config_values.{key}" for key in plan.locked)
            notify(
                f"configuration {olds.get('name')!r} ({id_}) will be replaced, not updated: LaunchDarkly does "
                f"not allow changing {fields} after it is saved (disableAfterSaving in the "
                f"`{integration_key}` manifest)."
            )
        return DiffResult(
            changes=plan.any,
            replaces=list(plan.replaces),
            stables=[],
            delete_before_replace=False,
        )

    @message_first
    def create(self, props: dict[str, Any]) -> CreateResult:
        declared = ConfigurationInputs.from_props(props)
        if declared.import_id is not None:
            return self._adopt(declared, declared.import_id)
        response = self.client.create_configuration(declared.integration_key, declared.to_post())
        return CreateResult(response.id, ConfigurationState.from_response(response, declared).to_props())

    def _adopt(self, declared: ConfigurationInputs, import_id: str) -> CreateResult:
        """Take over an existing configuration: one GET, then one PATCH when anything differs; no POST."""
        secret_keys = self._secret_keys(declared.integration_key)
        adoption = plan_adoption(declared, self.client.get_configuration(import_id), secret_keys)
        response = adoption.configuration
        if adoption.operations:
            response = self.client.update_configuration(response.id, adoption.operations)
        return CreateResult(response.id, ConfigurationState.from_response(response, declared).to_props())

    @message_first
    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        previous = ConfigurationState.from_props(olds)
        declared = ConfigurationInputs.from_props(news)
        operations = patch_operations(previous, declared, plan_change(olds, news).changed)
        if not operations:
            return UpdateResult(previous.model_copy(update=declared.model_dump()).to_props())
        response = self.client.update_configuration(id_, operations)
        return UpdateResult(ConfigurationState.from_response(response, declared, previous).to_props())

    @message_first
    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        response = self.client.get_configuration(id_)
        if response is None:
            return ReadResult(None, {})
        has_state = any(key != PROVIDER_PROPERTY and value is not None for key, value in props.items())
        previous = ConfigurationState.from_props(props) if has_state else None
        integration_key = response.integration_key or (previous.integration_key if previous else "")
        current = refresh_state(previous, response, self._secret_keys(integration_key))
        # Inputs are rewritten only on drift, so that a clean refresh leaves the program's inputs as declared.
        drifted = previous is None or current != previous
        return ReadResult(id_, current.to_props(), inputs=current.inputs().to_props() if drifted else None)

    @message_first
    def delete(self, id_: str, _props: dict[str, Any]) -> None:
        self.client.delete_configuration(id_)

    def _secret_keys(self, integration_key: str) -> frozenset[str]:
        """Config value keys whose values LaunchDarkly masks, so they are never compared."""
        manifest = self.manifests.lookup(integration_key) if integration_key else None
        return manifest.secret_keys if manifest else frozenset()
