"""Reconcile state with what LaunchDarkly holds now (refresh).

Out-of-band changes to `name`, `enabled`, `tags`, `capability_config` and non-secret
`config_values` keys are taken into state so the next preview shows them. Secret values are
never compared (the API masks them), and keys the program never set (API defaults, UI
additions) are not drift.
"""

from __future__ import annotations

import json
import re
from typing import Any

from .diffing import same_input
from .models import IntegrationConfigurationRep
from .state import ConfigurationInputs, ConfigurationState, from_wire

MASKED_VALUE = re.compile(r"[^*]*\*{3,}[^*]*|\*+")


def looks_masked(value: Any) -> bool:
    """LaunchDarkly shows secrets as a few characters around a run of asterisks."""
    return isinstance(value, str) and bool(MASKED_VALUE.fullmatch(value))


def loosely_equal(current: Any, declared: Any) -> bool:
    """Equal, allowing for the API returning a number or boolean as a string."""
    current, declared = from_wire(current), from_wire(declared)
    if current == declared:
        return True
    if isinstance(current, str) != isinstance(declared, str):
        return _as_text(current) == _as_text(declared)
    return False


def _as_text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, sort_keys=True)


def refreshed_config_values(
    declared: dict[str, Any], current: dict[str, Any], secret_keys: frozenset[str]
) -> dict[str, Any]:
    refreshed: dict[str, Any] = {}
    for key, declared_value in declared.items():
        if key in secret_keys or (key in current and looks_masked(current[key])):
            refreshed[key] = declared_value
        elif key not in current:
            continue  # removed out of band: the next preview shows the key coming back
        elif loosely_equal(current[key], declared_value):
            refreshed[key] = declared_value
        else:
            refreshed[key] = current[key]
    return refreshed


def refresh_state(
    state: ConfigurationState | None,
    response: IntegrationConfigurationRep,
    secret_keys: frozenset[str],
) -> ConfigurationState:
    """State as LaunchDarkly has it now. With no prior state (a read by id), the API's view whole."""
    current_capability = response.capability_config.to_api() if response.capability_config else None
    current_tags = response.tags or []
    if state is None:
        return ConfigurationState(
            integration_key=response.integration_key or "",
            name=response.name,
            config_values=response.config_values,
            enabled=True if response.enabled is None else response.enabled,
            tags=current_tags,
            capability_config=current_capability,
            created_at=response.created_at,
            access=response.access.to_api() if response.access else None,
        )
    keep_tags = same_input("tags", current_tags, state.tags)
    keep_capability = same_input("capability_config", current_capability, state.capability_config)
    return state.model_copy(
        update={
            "integration_key": response.integration_key or state.integration_key,
            "name": response.name,
            "enabled": True if response.enabled is None else response.enabled,
            "tags": state.tags if keep_tags else current_tags,
            "capability_config": state.capability_config if keep_capability else current_capability,
            "config_values": refreshed_config_values(
                state.config_values, response.config_values, secret_keys
            ),
            "created_at": response.created_at or state.created_at,
            "access": response.access.to_api() if response.access else state.access,
        }
    )


def refreshed_inputs(state: ConfigurationState) -> ConfigurationInputs:
    """The inputs Pulumi should remember after a refresh, so the next diff sees the drift."""
    return state.inputs()
