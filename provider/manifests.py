"""Integration manifests: the copies bundled with this package.

The bundled file holds, for each integration that accepts integration configurations, the
manifest facts the provider and the emulator need (form variables and capabilities).
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources

from .models import IntegrationManifest, ManifestCollection

BUNDLED_MANIFESTS_FILE = "integration-manifests.json"


@cache
def bundled_manifests() -> dict[str, IntegrationManifest]:
    """Manifests shipped with the package, by integration key."""
    text = resources.files("provider").joinpath("data").joinpath(BUNDLED_MANIFESTS_FILE).read_text("utf-8")
    collection = ManifestCollection.model_validate(json.loads(text))
    return {manifest.key: manifest for manifest in collection.items}
