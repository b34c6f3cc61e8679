"""Taking over a configuration that already exists (`import_id`), instead of creating one.

Adoption compares LaunchDarkly's current view with what the program declares, by the same rules
as `diff` (`plan_change`), and turns the difference into one JSON Patch (`patch_operations`).
Secrets cannot be read back, so whenever the program declares one, `config_values` is sent.
`import_id` matters only for the first create: afterwards it is inert (see `diffing.INERT_NAMES`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .diffing import patch_operations, plan_change
from .drift import looks_masked, refresh_state, refreshed_config_values
from .errors import AdoptionError
from .models import IntegrationConfigurationRep, PatchOperation
from .state import INPUT_NAMES, PROVIDER_PROPERTY, ConfigurationInputs

IMPORT_ID = "import_id"


@dataclass(frozen=True)
class Adoption:
    """The configuration to take over, and the operations that make it match the program (maybe none)."""

    configuration: IntegrationConfigurationRep
    operations: list[PatchOperation]


def plan_adoption(
    declared: ConfigurationInputs,
    current: IntegrationConfigurationRep | None,
    secret_keys: frozenset[str],
) -> Adoption:
    """What adopting `declared.import_id` takes; `current` is LaunchDarkly's answer (None: not found)."""
    import_id = declared.import_id
    if current is None:
        raise AdoptionError(
            f"import_id {import_id!r} is not the id of any integration configuration LaunchDarkly knows "
            "(HTTP 404). Check the id (`python -m provider.generate --integration-key "
            f"{declared.integration_key}` lists the existing ones), or remove import_id to create a new "
            "configuration."
        )
    if current.integration_key is not None and current.integration_key != declared.integration_key:
        raise AdoptionError(
            f"import_id {import_id!r} is a configuration of integration {current.integration_key!r}, but "
            f"integration_key is {declared.integration_key!r}. Set integration_key to "
            f"{current.integration_key!r}, or set import_id to a configuration of "
            f"{declared.integration_key!r}."
        )
    api_view = refresh_state(None, current, secret_keys).model_copy(
        update={
            "integration_key": declared.integration_key,
            # Secret and masked values keep the declared value here: they cannot be compared.
            "config_values": refreshed_config_values(
                declared.config_values, current.config_values, secret_keys
            ),
        }
    )
    changed = set(plan_change(api_view.to_props(), declared.to_props()).changed)
    if declares_secret(declared, current, secret_keys):
        changed.add("config_values")
    ordered = tuple(name for name in INPUT_NAMES if name in changed)
    return Adoption(configuration=current, operations=patch_operations(api_view, declared, ordered))


def declares_secret(
    declared: ConfigurationInputs, current: IntegrationConfigurationRep, secret_keys: frozenset[str]
) -> bool:
    """Whether the program sets a value LaunchDarkly will not show (a manifest secret, or masked)."""
    return any(
        key in secret_keys or looks_masked(current.config_values.get(key)) for key in declared.config_values
    )


def import_only_on_first_create(olds: dict[str, Any], news: dict[str, Any]) -> dict[str, Any]:
    """The checked inputs, with `import_id` dropped when a replacement is coming.

    A replacement creates a new configuration and deletes the one in state; taking over the
    `import_id` configuration then would at best fail (another integration key) and at worst
    adopt the very configuration about to be deleted. Otherwise the input stays, so that state
    records what the program declares.
    """
    in_state = any(key != PROVIDER_PROPERTY and value is not None for key, value in olds.items())
    if not in_state or news.get(IMPORT_ID) is None or not plan_change(olds, news).replaces:
        return news
    return {key: value for key, value in news.items() if key != IMPORT_ID}
