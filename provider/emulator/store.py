"""The emulator's in-memory configurations, guarded by one lock.

Stored values are the real ones (secrets unmasked); masking happens only when answering clients.
Everything handed out is a deep copy, so callers can never mutate the store behind the lock.
"""

from __future__ import annotations

import copy
import secrets
import threading
import time
from collections.abc import Mapping
from typing import Any

from ..models import IntegrationManifest
from .errors import ApiError, not_found
from .patching import apply_operations
from .validation import ValidConfiguration, check_locked_values, validate_configuration

# The member every emulated configuration is maintained by (a made-up member id).
MAINTAINER_ID = "5e1f0c0ffee0ddba11ad5e7a"


class ConfigurationStore:
    def __init__(self, manifests: Mapping[str, IntegrationManifest]) -> None:
        self._manifests = dict(manifests)
        self._lock = threading.Lock()
        self._configurations: dict[str, dict[str, Any]] = {}

    @property
    def manifests(self) -> dict[str, IntegrationManifest]:
        return dict(self._manifests)

    def manifest(self, integration_key: str) -> IntegrationManifest | None:
        return self._manifests.get(integration_key)

    def configurable_manifest(self, integration_key: str) -> IntegrationManifest:
        """The manifest of an integration that accepts configurations, else a 404."""
        manifest = self._manifests.get(integration_key)
        if manifest is None or not manifest.allow_integration_configurations:
            raise not_found(f"Integration {integration_key!r} not found or does not support configurations")
        return manifest

    def create(self, integration_key: str, body: Any, *, created_at: int | None = None) -> dict[str, Any]:
        manifest = self.configurable_manifest(integration_key)
        valid = validate_configuration(manifest, body)
        with self._lock:
            configuration_id = self._new_id()
            stored: dict[str, Any] = {
                "_id": configuration_id,
                "_createdAt": int(time.time() * 1000) if created_at is None else created_at,
                "_integrationKey": integration_key,
                "_maintainerId": MAINTAINER_ID,
            }
            _assign(stored, valid)
            self._configurations[configuration_id] = stored
            return copy.deepcopy(stored)

    def list_for(self, integration_key: str) -> list[dict[str, Any]]:
        self.configurable_manifest(integration_key)
        with self._lock:
            return [
                copy.deepcopy(stored)
                for stored in self._configurations.values()
                if stored["_integrationKey"] == integration_key
            ]

    def all(self) -> list[dict[str, Any]]:
        with self._lock:
            return copy.deepcopy(list(self._configurations.values()))

    def find(self, configuration_id: str) -> dict[str, Any] | None:
        with self._lock:
            stored = self._configurations.get(configuration_id)
            return copy.deepcopy(stored) if stored is not None else None

    def get(self, configuration_id: str) -> dict[str, Any]:
        stored = self.find(configuration_id)
        if stored is None:
            raise _missing(configuration_id)
        return stored

    def patch(self, configuration_id: str, operations: list[dict[str, Any]]) -> dict[str, Any]:
        """Apply checked JSON Patch operations, then validate the result as a whole."""
        with self._lock:
            stored = self._require(configuration_id)
            manifest = self.configurable_manifest(stored["_integrationKey"])
            patched = apply_operations(stored, operations)
            valid = validate_configuration(manifest, patched)
            check_locked_values(manifest, stored["configValues"], valid.config_values)
            _assign(stored, valid)
            return copy.deepcopy(stored)

    def replace_fields(self, configuration_id: str, fields: Mapping[str, Any]) -> dict[str, Any]:
        """Overwrite whole top-level fields, as a change made in the LaunchDarkly UI would."""
        with self._lock:
            stored = self._require(configuration_id)
            manifest = self.configurable_manifest(stored["_integrationKey"])
            candidate = {**copy.deepcopy(stored), **copy.deepcopy(dict(fields))}
            valid = validate_configuration(manifest, candidate)
            _assign(stored, valid)
            return copy.deepcopy(stored)

    def delete(self, configuration_id: str) -> None:
        with self._lock:
            if self._configurations.pop(configuration_id, None) is None:
                raise _missing(configuration_id)

    def _require(self, configuration_id: str) -> dict[str, Any]:
        stored = self._configurations.get(configuration_id)
        if stored is None:
            raise _missing(configuration_id)
        return stored

    def _new_id(self) -> str:
        while True:
            candidate = secrets.token_hex(12)
            if candidate not in self._configurations:
                return candidate


def _assign(stored: dict[str, Any], valid: ValidConfiguration) -> None:
    stored["name"] = valid.name
    stored["tags"] = valid.tags
    stored["enabled"] = valid.enabled
    stored["configValues"] = valid.config_values
    if valid.capability_config is None:
        stored.pop("capabilityConfig", None)
    else:
        stored["capabilityConfig"] = valid.capability_config


def _missing(configuration_id: str) -> ApiError:
    return not_found(f"Integration configuration {configuration_id!r} not found")
