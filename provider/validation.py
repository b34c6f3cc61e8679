"""Schema-level checks of declared inputs, run by `check` (so they show up in a preview).

Each failure names a property path (`tags[1]`, `capability_config.auditLogEventsHook.statements[0].effect`)
and a reason a person can act on. Values not known yet (previews) are skipped; the rest is checked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from .diffing import is_unknown
from .models import CapabilityConfig
from .state import INPUT_NAMES, ConfigurationInputs, from_wire

TAG_PATTERN = re.compile(r"[A-Za-z0-9._-]{1,64}")
KEY_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
# LaunchDarkly's ids are opaque tokens (24 hex digits today); this only catches values that cannot be one.
ID_PATTERN = re.compile(r"[A-Za-z0-9._-]{1,128}")

# Stand-ins for required values that are unknown during a preview, so the known rest still validates.
PLACEHOLDERS: dict[str, Any] = {"integration_key": "unknown", "name": "unknown", "config_values": {}}

FIXES = {
    "integration_key": "set it to the integration's key, for example `custom-approvals`",
    "name": "give the configuration a human-readable name",
    "config_values": "pass a mapping of the integration's form fields, for example {'apiKey': ..., 'baseURL': ...}",
    "enabled": "use True or False, or leave it out for LaunchDarkly's default (enabled)",
    "tags": "pass a list of strings, for example ['platform', 'approvals']",
    "capability_config": "pass a mapping such as {'approvals': {'additionalFormVariables': [...]}}",
    "import_id": "set it to the id (`_id`) of an existing configuration, or leave it out to create one",
}


@dataclass(frozen=True)
class Failure:
    property: str
    reason: str


def property_path(location: tuple[int | str, ...]) -> str:
    path = ""
    for part in location:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else part
    return path


def validate_declared(props: dict[str, Any]) -> list[Failure]:
    """Every schema-level problem in the declared inputs, not just the first."""
    known = {name: from_wire(props.get(name)) for name in INPUT_NAMES}
    unknown_names = {name for name, value in known.items() if is_unknown(value)}
    candidate = {
        name: PLACEHOLDERS.get(name) if name in unknown_names else value
        for name, value in known.items()
        if value is not None or name in unknown_names
    }
    failures: list[Failure] = []
    try:
        ConfigurationInputs.model_validate(candidate)
    except ValidationError as error:
        for problem in error.errors():
            location = tuple(problem["loc"])
            if location and location[0] in unknown_names:
                continue
            failures.append(_schema_failure(location, problem["type"], problem["msg"]))
    failures += _key_failures(known.get("integration_key"))
    failures += _tag_failures(known.get("tags"))
    failures += _capability_failures(known.get("capability_config"))
    failures += _import_id_failures(known.get("import_id"))
    return failures


def _schema_failure(location: tuple[int | str, ...], error_type: str, message: str) -> Failure:
    field = str(location[0]) if location else ""
    if error_type == "missing":
        reason = f"`{field}` is required: {FIXES.get(field, 'set it')}."
    else:
        reason = f"{message}; {FIXES.get(field, 'fix the value')}."
    return Failure(property_path(location), reason)


def _key_failures(integration_key: Any) -> list[Failure]:
    if not isinstance(integration_key, str) or not integration_key or is_unknown(integration_key):
        return []
    if KEY_PATTERN.fullmatch(integration_key):
        return []
    return [
        Failure(
            "integration_key",
            f"{integration_key!r} is not an integration key: keys use letters, digits, '.', '-' and '_' and "
            "start with a letter or digit, for example `custom-approvals`.",
        )
    ]


def _import_id_failures(import_id: Any) -> list[Failure]:
    # Whether the configuration exists, and whose it is, is checked at `up`: check makes no API call.
    if not isinstance(import_id, str) or is_unknown(import_id) or ID_PATTERN.fullmatch(import_id):
        return []
    if not import_id.strip():
        problem = "is empty"
    elif import_id != import_id.strip() or any(character.isspace() for character in import_id):
        problem = "contains spaces or line breaks"
    elif "/" in import_id:
        problem = "looks like a URL or path"
    else:
        problem = "is not an id"
    return [
        Failure(
            "import_id",
            f"{import_id!r} {problem}: import_id is the id (`_id`) of an existing integration configuration, "
            "letters and digits such as '65f1c3d2e4b0a1b2c3d4e5f6' (the last segment of its API URL). "
            "Leave import_id out to create a new configuration.",
        )
    ]


def _tag_failures(tags: Any) -> list[Failure]:
    if not isinstance(tags, list):
        return []
    return [
        Failure(
            f"tags[{index}]",
            f"tag {tag!r} is not allowed: tags are 1 to 64 letters, digits, '.', '-' or '_'.",
        )
        for index, tag in enumerate(tags)
        if isinstance(tag, str) and not is_unknown(tag) and not TAG_PATTERN.fullmatch(tag)
    ]


def _capability_failures(capability_config: Any) -> list[Failure]:
    if not isinstance(capability_config, dict) or is_unknown(capability_config):
        return []
    try:
        CapabilityConfig.model_validate(capability_config)
    except ValidationError as error:
        return [
            Failure(
                property_path(("capability_config", *problem["loc"])),
                f"{problem['msg']}; see LaunchDarkly's capabilityConfig shape for this integration.",
            )
            for problem in error.errors()
        ]
    return []
