"""`python -m provider.generate`: write a Pulumi program that adopts existing integration configurations.

    LAUNCHDARKLY_ACCESS_TOKEN=api-... python -m provider.generate \\
        --integration-key custom-approvals [--integration-key ...] [--id ID ...] [--output __main__.py]

Makes one API call per integration key (the list endpoint), writes the program to --output (or
standard output), and prints the `pulumi config set` commands to run on standard error. Errors
are one line on standard error and exit status 1; the token never appears in any of it.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TextIO

from ..client import LaunchDarklyClient
from ..errors import LaunchDarklyApiError, LaunchDarklyConnectionError, LaunchDarklyProviderError
from ..manifests import bundled_manifests
from ..models import IntegrationConfigurationRep
from ..settings import ACCESS_TOKEN, API_HOST, ProviderSettings
from .plan import plan_configurations
from .program import config_set_commands, render_program


class GeneratorError(Exception):
    """A problem the user can fix; its message is the whole story."""


def parse_arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m provider.generate",
        description=(
            "Write a Pulumi program that adopts existing LaunchDarkly integration configurations "
            f"(import_id). Reads {ACCESS_TOKEN.env_var} and, optionally, {API_HOST.env_var}."
        ),
    )
    parser.add_argument(
        "--integration-key",
        action="append",
        required=True,
        metavar="KEY",
        help="an integration whose configurations to adopt, e.g. custom-approvals (repeatable)",
    )
    parser.add_argument(
        "--id",
        action="append",
        default=[],
        metavar="ID",
        help="adopt only the configuration with this id (repeatable; default: all of them)",
    )
    parser.add_argument(
        "--output", type=Path, metavar="FILE", help="where to write the program (default: stdout)"
    )
    parser.add_argument("--force", action="store_true", help="overwrite --output if it exists")
    return parser.parse_args(argv)


def list_configurations(
    client: LaunchDarklyClient, integration_keys: Sequence[str]
) -> tuple[list[IntegrationConfigurationRep], dict[str, str]]:
    """Every configuration of the integrations, and by id the integration each was listed under."""
    found: list[IntegrationConfigurationRep] = []
    listed_under: dict[str, str] = {}
    for integration_key in dict.fromkeys(integration_keys):
        try:
            items = client.list_configurations(integration_key)
        except LaunchDarklyApiError as error:
            if error.status == 404:
                raise GeneratorError(
                    f"LaunchDarkly does not know integration key {integration_key!r}, or it does not take "
                    "integration configurations (HTTP 404). Check --integration-key (for example "
                    "custom-approvals)."
                ) from None
            raise
        except LaunchDarklyConnectionError:
            raise GeneratorError(
                f"No answer from {client.api_host}. Check the network, and {API_HOST.env_var} if the "
                "account is not on app.launchdarkly.com."
            ) from None
        found += items
        listed_under.update((item.id, integration_key) for item in items)
    return found, listed_under


def select(
    configurations: list[IntegrationConfigurationRep], ids: Sequence[str], integration_keys: Sequence[str]
) -> list[IntegrationConfigurationRep]:
    keys = ", ".join(dict.fromkeys(integration_keys))
    if not ids:
        if not configurations:
            raise GeneratorError(
                f"LaunchDarkly holds no integration configurations of {keys}: nothing to adopt."
            )
        return configurations
    missing = [
        config_id for config_id in dict.fromkeys(ids) if config_id not in {c.id for c in configurations}
    ]
    if missing:
        raise GeneratorError(
            f"No configuration of {keys} has the id {', '.join(repr(config_id) for config_id in missing)}. "
            "Add the --integration-key it belongs to, or leave --id out to list them all."
        )
    return [configuration for configuration in configurations if configuration.id in ids]


def generate(
    arguments: argparse.Namespace, environ: Mapping[str, str], stdout: TextIO, stderr: TextIO
) -> None:
    output: Path | None = arguments.output
    if output is not None and output.exists() and not arguments.force:
        raise GeneratorError(f"{output} exists; pass --force to overwrite it, or choose another --output.")
    settings = ProviderSettings.load(lambda _key: None, environ)
    if not settings.access_token:
        raise GeneratorError(
            f"No LaunchDarkly access token: export {ACCESS_TOKEN.env_var}=api-... (an API access token "
            "whose role may read integrations) and run the command again."
        )
    client = LaunchDarklyClient(settings)
    configurations, listed_under = list_configurations(client, arguments.integration_key)
    selected = select(configurations, arguments.id, arguments.integration_key)
    plans = plan_configurations(selected, bundled_manifests(), listed_under)
    program = render_program(plans, settings.api_host)
    if output is None:
        stdout.write(program)
        stdout.flush()
    else:
        output.write_text(program, encoding="utf-8")
    count = f"{len(plans)} configuration{'s' if len(plans) != 1 else ''}"
    stderr.write(f"Wrote a program adopting {count} to {output or 'standard output'}.\n")
    stderr.write("Before the first `pulumi up`, run (each --secret command prompts for its value):\n")
    stderr.writelines(f"  {command}\n" for command in config_set_commands(plans, settings.api_host))


def main(
    argv: Sequence[str] | None = None,
    environ: Mapping[str, str] | None = None,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
) -> int:
    arguments = parse_arguments(argv)
    error_stream = stderr or sys.stderr
    try:
        generate(arguments, os.environ if environ is None else environ, stdout or sys.stdout, error_stream)
    except (GeneratorError, LaunchDarklyProviderError) as error:
        error_stream.write(f"error: {error}\n")
        return 1
    except OSError as error:
        error_stream.write(f"error: could not write {arguments.output}: {error.strerror or error}\n")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
