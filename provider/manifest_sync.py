"""`python -m provider.manifests sync`: fetch integration manifests into a file a team can commit.

    LAUNCHDARKLY_ACCESS_TOKEN=api-... python -m provider.manifests sync [--output FILE] [--integration-key KEY ...]

With `--integration-key`, each named manifest is fetched (`GET /api/v2/integration-manifests/{key}`);
without, the whole list (`GET /api/v2/integration-manifests`), keeping the integrations that accept
integration configurations. The file records when (UTC) and from which host it was fetched. Point
`launchdarkly:manifestsFile` at it and previews validate against it without credentials or network.

Settings come from the environment: LAUNCHDARKLY_ACCESS_TOKEN, LAUNCHDARKLY_API_HOST and
LAUNCHDARKLY_REQUEST_TIMEOUT. A failure is one line on stderr and exit status 1.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Mapping, Sequence
from datetime import datetime, timezone

from .client import LaunchDarklyClient
from .errors import LaunchDarklyApiError, LaunchDarklyConnectionError, LaunchDarklyProviderError
from .manifests import PinnedManifests, write_manifests_file
from .models import IntegrationManifest
from .settings import ACCESS_TOKEN, API_HOST, ProviderSettings
from .version import __version__

DEFAULT_OUTPUT = "launchdarkly-manifests.json"


class SyncError(Exception):
    """A failure whose message is the whole story, printed as one line."""


def main(argv: Sequence[str] | None = None, environ: Mapping[str, str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = ProviderSettings.load(lambda _key: None, os.environ if environ is None else environ)
        pinned = sync(settings, args.output, args.integration_keys or [])
    except (SyncError, LaunchDarklyProviderError) as error:
        print(f"error: {_one_line(str(error))}", file=sys.stderr)
        return 1
    keys = ", ".join(manifest.key for manifest in pinned.items)
    print(f"Wrote {len(pinned.items)} manifests ({keys}) from {pinned.api_host} to {args.output}.")
    return 0


def _one_line(message: str) -> str:
    return " ".join(message.split())


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m provider.manifests",
        description="Integration manifests for validating LaunchDarkly integration configurations.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    sync_command = commands.add_parser(
        "sync",
        help="fetch manifests from LaunchDarkly into a file to commit",
        description=f"Fetch manifests from LaunchDarkly ({ACCESS_TOKEN.env_var} and {API_HOST.env_var} "
        "from the environment) into a JSON file; point `launchdarkly:manifestsFile` at it.",
    )
    sync_command.add_argument(
        "--output", "-o", default=DEFAULT_OUTPUT, metavar="FILE", help=f"default: {DEFAULT_OUTPUT}"
    )
    sync_command.add_argument(
        "--integration-key",
        action="append",
        dest="integration_keys",
        metavar="KEY",
        help="fetch only this integration's manifest (repeatable); default: every integration that "
        "accepts integration configurations",
    )
    return parser


def sync(settings: ProviderSettings, output: str, integration_keys: Sequence[str]) -> PinnedManifests:
    """Fetch the manifests and write them to `output`."""
    if not settings.access_token:
        raise SyncError(f"No access token: export {ACCESS_TOKEN.env_var} with an API access token (api-...).")
    client = LaunchDarklyClient(settings)
    manifests = _fetch(client, integration_keys)
    try:
        return write_manifests_file(
            output,
            manifests,
            api_host=settings.api_host,
            fetched_at=datetime.now(timezone.utc).replace(microsecond=0),
            generator=f"pulumi-launchdarkly-integrations {__version__}",
        )
    except OSError as error:
        raise SyncError(f"Could not write {output}: {error.strerror or error}.") from None


def _fetch(client: LaunchDarklyClient, integration_keys: Sequence[str]) -> list[IntegrationManifest]:
    try:
        if not integration_keys:
            configurable = [
                manifest for manifest in client.list_manifests() if manifest.allow_integration_configurations
            ]
            if not configurable:
                raise SyncError(
                    f"{client.api_host} listed no integration that accepts integration configurations; "
                    "nothing was written."
                )
            return configurable
        manifests: list[IntegrationManifest] = []
        for key in dict.fromkeys(integration_keys):
            manifest = client.get_manifest(key)
            if manifest is None:
                raise SyncError(
                    f"{client.api_host} has no manifest for integration `{key}` (HTTP 404); check the key. "
                    "Nothing was written."
                )
            manifests.append(manifest)
        return manifests
    except LaunchDarklyConnectionError:
        raise SyncError(
            f"No answer from {client.api_host}: check the network and {API_HOST.env_var}. Nothing was written."
        ) from None
    except LaunchDarklyApiError as error:
        status = f"HTTP {error.status}" + (f" {error.code}" if error.code else "")
        detail = f": {error.api_message}" if error.api_message else ""
        raise SyncError(
            f"LaunchDarkly refused to serve the manifests ({status}){detail}. {error.hint} Nothing was written."
        ) from None
