"""Compare declared inputs with state, and turn the difference into one JSON Patch.

Rules: a new `integration_key` replaces; every other input updates in place; tags compare as a
set; an unset `enabled` means LaunchDarkly's default (true); unknown values (previews) count as
changes. `__provider` is never compared, so a re-pickled provider alone changes nothing, and
neither is `import_id`, which only steers the first create.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from pulumi.output import Unknown
from pulumi.runtime.rpc import UNKNOWN

from .models import PatchOperation
from .state import INPUT_NAMES, ConfigurationInputs, ConfigurationState, from_wire

REPLACING_NAMES = frozenset({"integration_key"})
# Inputs that describe how the resource came to be, not the configuration: never a change.
INERT_NAMES = frozenset({"import_id"})

# Where each input lives in the API's document, for JSON Patch paths.
API_PATHS = {
    "name": "/name",
    "enabled": "/enabled",
    "tags": "/tags",
    "config_values": "/configValues",
    "capability_config": "/capabilityConfig",
}


def is_unknown(value: Any) -> bool:
    """True when the value, or anything inside it, is not known yet (during a preview)."""
    if isinstance(value, Unknown) or (isinstance(value, str) and value == UNKNOWN):
        return True
    if isinstance(value, dict):
        return any(is_unknown(item) for item in value.values())
    if isinstance(value, list):
        return any(is_unknown(item) for item in value)
    return False


def meaningful(value: Any) -> Any:
    """The value with None members and empty containers dropped, for comparisons only."""
    if isinstance(value, dict):
        cleaned = {key: meaningful(item) for key, item in value.items()}
        return {key: item for key, item in cleaned.items() if item not in (None, {}, [])}
    if isinstance(value, list):
        return [meaningful(item) for item in value]
    return value


def canonical(value: Any) -> str:
    return json.dumps(meaningful(from_wire(value)), sort_keys=True, default=str)


def same_input(name: str, old: Any, new: Any) -> bool:
    """Whether state value `old` already satisfies declared value `new` for input `name`."""
    if name == "enabled":
        return (True if old is None else bool(old)) == (True if new is None else bool(new))
    if name == "tags":
        return set(old or []) == set(new or [])
    if name in ("config_values", "capability_config"):
        return canonical(old or {}) == canonical(new or {})
    return bool(old == new)


@dataclass(frozen=True)
class PlannedChange:
    changed: tuple[str, ...]
    replaces: tuple[str, ...]

    @property
    def any(self) -> bool:
        return bool(self.changed)


def plan_change(state_props: dict[str, Any], declared_props: dict[str, Any]) -> PlannedChange:
    """Which inputs differ between state (old outputs) and the declared, checked inputs."""
    changed = tuple(
        name
        for name in INPUT_NAMES
        if name not in INERT_NAMES
        and (
            is_unknown(declared_props.get(name))
            or not same_input(name, state_props.get(name), declared_props.get(name))
        )
    )
    return PlannedChange(changed=changed, replaces=tuple(name for name in changed if name in REPLACING_NAMES))


def patch_operations(
    state: ConfigurationState, desired: ConfigurationInputs, changed: tuple[str, ...]
) -> list[PatchOperation]:
    """One operation per changed input, each replacing the whole field (idempotent on retry).

    Secrets go out as the program declares them; state never holds the API's masked copies.
    """
    operations: list[PatchOperation] = []
    for name in changed:
        path = API_PATHS.get(name)
        if path is None:
            continue
        if name == "capability_config":
            if desired.capability_config is None:
                if state.capability_config is not None:
                    operations.append(PatchOperation(op="remove", path=path))
                continue
            operations.append(
                PatchOperation(
                    op="replace" if state.capability_config is not None else "add",
                    path=path,
                    value=_capability_config_body(desired),
                )
            )
        elif name == "enabled":
            operations.append(PatchOperation(op="replace", path=path, value=desired.effective_enabled))
        elif name == "tags":
            operations.append(PatchOperation(op="replace", path=path, value=desired.tags or []))
        else:
            operations.append(PatchOperation(op="replace", path=path, value=getattr(desired, name)))
    return operations


def _capability_config_body(desired: ConfigurationInputs) -> dict[str, Any] | None:
    model = desired.capability_config_model()
    return model.to_api() if model else None
