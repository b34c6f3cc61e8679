"""Compare declared inputs with state, and turn the difference into one JSON Patch.

Rules: a new `integration_key` replaces; so does a new value for a `config_values` key the manifest
locks after saving (`disableAfterSaving`), since the API refuses to change it; every other input
updates in place; tags compare as a set; an unset `enabled` means LaunchDarkly's default (true);
unknown values (previews) count as changes. `__provider` is never compared, so a re-pickled
provider alone changes nothing, and neither is `import_id`, which only steers the first create.
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
    # `config_values` keys whose change forces the replacement (locked after saving).
    locked: tuple[str, ...] = ()

    @property
    def any(self) -> bool:
        return bool(self.changed)


def plan_change(
    state_props: dict[str, Any], declared_props: dict[str, Any], locked_keys: frozenset[str] = frozenset()
) -> PlannedChange:
    """Which inputs differ between state (old outputs) and the declared, checked inputs.

    `locked_keys` are the manifest's `disableAfterSaving` keys.
    """
    changed = tuple(
        name
        for name in INPUT_NAMES
        if name not in INERT_NAMES
        and (
            is_unknown(declared_props.get(name))
            or not same_input(name, state_props.get(name), declared_props.get(name))
        )
    )
    replaces = tuple(name for name in changed if name in REPLACING_NAMES)
    locked: tuple[str, ...] = ()
    if "config_values" in changed and not replaces:
        locked = changed_locked_keys(
            state_props.get("config_values"), declared_props.get("config_values"), locked_keys
        )
        if locked:
            replaces = ("config_values",)
    return PlannedChange(changed=changed, replaces=replaces, locked=locked)


def changed_locked_keys(old_values: Any, new_values: Any, locked_keys: frozenset[str]) -> tuple[str, ...]:
    """Locked keys whose value changes, or may change (not known yet in a preview)."""
    if not locked_keys:
        return ()
    if not isinstance(new_values, dict):
        return tuple(sorted(locked_keys)) if is_unknown(new_values) else ()
    old = old_values if isinstance(old_values, dict) else {}
    return tuple(
        key
        for key in sorted(locked_keys)
        if is_unknown(new_values.get(key)) or canonical(old.get(key)) != canonical(new_values.get(key))
    )


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
