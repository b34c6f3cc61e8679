"""The dynamic provider: Pulumi's check, diff, create, read, update and delete for one configuration.

An instance is pickled into every resource's `__provider` input and unpickled in the provider
process, so it carries nothing: settings and the HTTP client are built in `configure()`, which
runs only in the provider process.
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
from .manifests import bundled_manifests
from .settings import ProviderSettings
from .state import PROVIDER_PROPERTY, ConfigurationInputs, ConfigurationState
from .validation import validate_declared


class IntegrationConfigurationProvider(ResourceProvider):
    """Manages one LaunchDarkly integration configuration per resource."""

    def __init__(self) -> None:
        super().__init__()
        self._client: LaunchDarklyClient | None = None
        self._client_lock = threading.Lock()

    # Pickled state carries nothing on purpose: no token, session or lock may ever reach Pulumi state.
    # (Non-empty so that unpickling always calls __setstate__.)
    def __getstate__(self) -> dict[str, Any]:
        return {"pickled_by": "provider.lifecycle"}

    def __setstate__(self, _state: dict[str, Any]) -> None:
        self.__init__()  # type: ignore[misc]

    def configure(self, req: ConfigureRequest) -> None:
        settings = ProviderSettings.load(req.config.get, os.environ)
        with self._client_lock:
            self._client = LaunchDarklyClient(settings)

    @property
    def client(self) -> LaunchDarklyClient:
        # SDKs older than configure() support never call it: fall back to the environment.
        with self._client_lock:
            if self._client is None:
                self._client = LaunchDarklyClient(ProviderSettings.load(lambda _key: None, os.environ))
            return self._client

    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        news = import_only_on_first_create(olds, news)
        failures = [CheckFailure(failure.property, failure.reason) for failure in validate_declared(news)]
        return CheckResult(news, failures)

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        plan = plan_change(olds, news)
        return DiffResult(
            changes=plan.any,
            replaces=list(plan.replaces),
            stables=[],
            delete_before_replace=False,
        )

    def create(self, props: dict[str, Any]) -> CreateResult:
        declared = ConfigurationInputs.from_props(props)
        if declared.import_id is not None:
            return self._adopt(declared, declared.import_id)
        response = self.client.create_configuration(declared.integration_key, declared.to_post())
        return CreateResult(response.id, ConfigurationState.from_response(response, declared).to_props())

    def _adopt(self, declared: ConfigurationInputs, import_id: str) -> CreateResult:
        """Take over an existing configuration: one GET, then one PATCH when anything differs; no POST."""
        manifest = bundled_manifests().get(declared.integration_key)
        secret_keys = manifest.secret_keys if manifest else frozenset()
        adoption = plan_adoption(declared, self.client.get_configuration(import_id), secret_keys)
        response = adoption.configuration
        if adoption.operations:
            response = self.client.update_configuration(response.id, adoption.operations)
        return CreateResult(response.id, ConfigurationState.from_response(response, declared).to_props())

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        previous = ConfigurationState.from_props(olds)
        declared = ConfigurationInputs.from_props(news)
        operations = patch_operations(previous, declared, plan_change(olds, news).changed)
        if not operations:
            return UpdateResult(previous.model_copy(update=declared.model_dump()).to_props())
        response = self.client.update_configuration(id_, operations)
        return UpdateResult(ConfigurationState.from_response(response, declared, previous).to_props())

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        response = self.client.get_configuration(id_)
        if response is None:
            return ReadResult(None, {})
        has_state = any(key != PROVIDER_PROPERTY and value is not None for key, value in props.items())
        previous = ConfigurationState.from_props(props) if has_state else None
        integration_key = response.integration_key or (previous.integration_key if previous else "")
        manifest = bundled_manifests().get(integration_key)
        secret_keys = manifest.secret_keys if manifest else frozenset()
        current = refresh_state(previous, response, secret_keys)
        # Inputs are rewritten only on drift, so that a clean refresh leaves the program's inputs as declared.
        drifted = previous is None or current != previous
        return ReadResult(id_, current.to_props(), inputs=current.inputs().to_props() if drifted else None)

    def delete(self, id_: str, _props: dict[str, Any]) -> None:
        self.client.delete_configuration(id_)
