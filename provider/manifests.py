"""Integration manifests on disk: the copy bundled with this package, and pinned manifests files.

The bundled file holds, for each integration that accepts integration configurations, the
manifest facts the provider and the emulator need (form variables and capabilities). A pinned
file is what `python -m provider.manifests sync` writes (see `manifest_sync`): the manifests as
the API served them, with when and from which host they were fetched, for a team to commit so
that previews validate against them without credentials or network.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable
from datetime import datetime
from functools import cache
from importlib import resources
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .errors import ConfigurationError
from .models import IntegrationManifest, ManifestCollection
from .settings import MANIFESTS_FILE

BUNDLED_MANIFESTS_FILE = "integration-manifests.json"


@cache
def bundled_manifests() -> dict[str, IntegrationManifest]:
    """Manifests shipped with the package, by integration key."""
    text = resources.files("provider").joinpath("data").joinpath(BUNDLED_MANIFESTS_FILE).read_text("utf-8")
    collection = ManifestCollection.model_validate(json.loads(text))
    return {manifest.key: manifest for manifest in collection.items}


class PinnedManifests(BaseModel):
    """A pinned manifests file. `fetchedAt` and `apiHost` say where the manifests came from;
    they are optional on reading so that a hand-made `{items: [...]}` file works too."""

    model_config = ConfigDict(populate_by_name=True, extra="allow")

    fetched_at: datetime | None = Field(default=None, alias="fetchedAt")
    api_host: str | None = Field(default=None, alias="apiHost")
    generator: str | None = None
    items: list[IntegrationManifest]

    def by_key(self) -> dict[str, IntegrationManifest]:
        return {manifest.key: manifest for manifest in self.items}


def read_manifests_file(path: str | os.PathLike[str]) -> PinnedManifests:
    """The pinned manifests at `path` (relative paths start at the working directory, which for the
    provider is the Pulumi program's folder). Raises ConfigurationError saying what to fix."""
    location = Path(path).expanduser()
    try:
        text = location.read_text("utf-8")
    except FileNotFoundError:
        raise _unusable(location, "it does not exist") from None
    except (OSError, UnicodeDecodeError) as error:
        raise _unusable(
            location, f"it cannot be read ({getattr(error, 'strerror', None) or error})"
        ) from None
    try:
        return PinnedManifests.model_validate(json.loads(text))
    except json.JSONDecodeError as error:
        raise _unusable(location, f"it is not JSON (line {error.lineno}: {error.msg})") from None
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "the top level"
        raise _unusable(location, f"it is not a manifests file ({where}: {first['msg']})") from None


def _unusable(location: Path, problem: str) -> ConfigurationError:
    return ConfigurationError(
        f"The manifests file {location.absolute()} (`{MANIFESTS_FILE.full_config_key}` or "
        f"{MANIFESTS_FILE.env_var}) cannot be used: {problem}. Fix the path (a relative path starts at the "
        f"Pulumi program's folder), or write the file with `python -m provider.manifests sync --output {location}`."
    )


def write_manifests_file(
    path: str | os.PathLike[str],
    manifests: Iterable[IntegrationManifest],
    *,
    api_host: str,
    fetched_at: datetime,
    generator: str,
) -> PinnedManifests:
    """Write a pinned manifests file atomically (a reader never sees half a file); items sorted by key."""
    pinned = PinnedManifests(
        fetched_at=fetched_at,
        api_host=api_host,
        generator=generator,
        items=sorted(manifests, key=lambda manifest: manifest.key),
    )
    body = {
        "fetchedAt": fetched_at.isoformat().replace("+00:00", "Z"),
        "apiHost": api_host,
        "generator": generator,
        "items": [manifest.to_api() for manifest in pinned.items],
    }
    location = Path(path).expanduser()
    location.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{location.name}.", dir=location.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            json.dump(body, stream, indent=2, ensure_ascii=False)
            stream.write("\n")
        os.chmod(temporary, 0o644)  # a file to commit and share, not mkstemp's private 0600
        os.replace(temporary, location)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return pinned


if __name__ == "__main__":
    from .manifest_sync import main

    raise SystemExit(main())
