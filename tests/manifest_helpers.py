"""Manifests for tests: `preview-hook`, an integration known only to the test emulator (not bundled),
whose form uses the types no bundled manifest has (`uri`, `boolean`), and ways to run the provider
against chosen manifest sources."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from conftest import EMULATOR_TOKEN, SpawnPlugin
from engine import Declared, PluginProcess
from lifecycle_helpers import configuration

from provider.emulator import Emulator, running_emulator
from provider.manifests import bundled_manifests
from provider.models import IntegrationManifest

HOOK_KEY = "preview-hook"

PREVIEW_HOOK: dict[str, Any] = {
    "key": HOOK_KEY,
    "name": "Preview hook",
    "version": "1.0.0",
    "allowIntegrationConfigurations": True,
    "formVariables": [
        {"key": "endpoint", "name": "Endpoint URL", "type": "uri"},
        {"key": "signingSecret", "name": "Signing secret", "type": "string", "isSecret": True},
        {"key": "verbose", "name": "Verbose payloads", "type": "boolean", "isOptional": True},
        {"key": "level", "name": "Level", "type": "enum", "allowedValues": ["debug", "info", "warn"]},
    ],
    "capabilities": {},
}

# A manifest that must never reach a manifests file: it does not accept integration configurations.
NOT_CONFIGURABLE: dict[str, Any] = {
    "key": "datadog",
    "name": "Datadog",
    "allowIntegrationConfigurations": False,
    "formVariables": [{"key": "apiKey", "name": "API key", "type": "string", "isSecret": True}],
}

HOOK_VALUES = {
    "endpoint": "https://hooks.example.com/ld",
    "signingSecret": "hook-signing-secret-1",
    "level": "info",
}


def emulator_manifests() -> dict[str, IntegrationManifest]:
    extra = [IntegrationManifest.model_validate(raw) for raw in (PREVIEW_HOOK, NOT_CONFIGURABLE)]
    return {**bundled_manifests(), **{manifest.key: manifest for manifest in extra}}


@contextmanager
def hook_emulator() -> Iterator[Emulator]:
    """An emulator that also knows `preview-hook` (and a manifest that takes no configurations)."""
    with running_emulator(token=EMULATOR_TOKEN, manifests=emulator_manifests()) as emulator:
        yield emulator


def preview_hook(resource_name: str = "hook", /, **changes: Any) -> Declared:
    props: dict[str, Any] = {
        "integration_key": HOOK_KEY,
        "name": "Preview hook",
        "config_values": HOOK_VALUES,
    }
    props.update(changes)
    return configuration(resource_name, **props)


def configured_plugin(
    spawn_plugin: SpawnPlugin, *, token: str | None = EMULATOR_TOKEN, **settings: str
) -> PluginProcess:
    """A plugin configured like a stack: `settings` are `launchdarkly:` keys (apiHost=..., manifestsFile=...)."""
    config = {f"launchdarkly:{key}": value for key, value in settings.items()}
    if token is not None:
        config["launchdarkly:accessToken"] = token
    process = spawn_plugin()
    process.configure(config, secret_keys={"launchdarkly:accessToken"} if token is not None else set())
    return process


def run_sync(*args: str, env: Mapping[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """`python -m provider.manifests sync ...` in a child process, with only the LAUNCHDARKLY_* given."""
    base = {key: value for key, value in os.environ.items() if not key.startswith("LAUNCHDARKLY_")}
    return subprocess.run(
        [sys.executable, "-m", "provider.manifests", "sync", *args],
        cwd=cwd,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
