"""Schema-level checks of declared inputs, run by `check` (so they show up in a preview).

Each failure names a property path (`tags[1]`, `capability_config.auditLogEventsHook.statements[0].effect`)
and a reason a person can act on. Values not known yet (previews) are skipped wherever they sit; the
known rest is still checked. Checks against the integration's manifest are in `manifest_validation`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, get_args

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from .diffing import is_unknown
from .models import CapabilityConfigPost
from .state import INPUT_NAMES, ConfigurationInputs, from_wire
from .suggest import did_you_mean

TAG_PATTERN = re.compile(r"[A-Za-z0-9._-]{1,64}")
KEY_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
# LaunchDarkly's ids are opaque tokens (24 hex digits today); this only catches values that cannot be one.
ID_PATTERN = re.compile(r"[A-Za-z0-9._-]{1,128}")

FIXES = {
    "integration_key": "set it to the integration's key, for example `custom-approvals`",
    "name": "give the configuration a human-readable name",
    "config_values": "pass a mapping of the integration's form fields, for example {'apiKey': ..., 'baseURL': ...}",
    "enabled": "use True or False, or leave it out for LaunchDarkly's default (enabled)",
    "tags": "pass a list of strings, for example ['platform', 'approvals']",
    "capability_config": "pass a mapping such as {'approvals': {'additionalFormVariables': [...]}}",
    "import_id": "set it to the id (`_id`) of an existing configuration, or leave it out to create one",
}

# What each required capability field is for, so a "missing" failure says what to put there.
REQUIRED_HINTS = {
    "effect": "set it to `allow` or `deny`",
    "key": "every additional form variable needs a `key`, a `name` and a `type`",
    "name": "every additional form variable needs a `key`, a `name` and a `type`",
    "type": "every additional form variable needs a `key`, a `name` and a `type`, for example `string`",
}

Location = tuple[int | str, ...]


@dataclass(frozen=True)
class Failure:
    property: str
    reason: str


def property_path(location: Sequence[int | str]) -> str:
    path = ""
    for part in location:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else part
    return path


def unknown_here(value: Any) -> bool:
    """Whether this value itself is not known yet (a container holding unknowns is itself known)."""
    return is_unknown(value) and not isinstance(value, (dict, list))


def unknown_at(root: Any, location: Sequence[int | str]) -> bool:
    """Whether the value at `location`, or a container on the way to it, is not known yet."""
    value = root
    for part in location:
        if unknown_here(value):
            return True
        in_list = isinstance(part, int) and isinstance(value, list) and 0 <= part < len(value)
        in_dict = isinstance(part, str) and isinstance(value, dict) and part in value
        if not (in_list or in_dict):
            return False
        value = value[part]
    return is_unknown(value)


def describe(value: Any) -> str:
    """A value's kind in the user's words; never the value itself, which may be a secret."""
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, (list, tuple)):
        return "a list"
    if isinstance(value, Mapping):
        return "a mapping"
    return f"a {type(value).__name__}"


def usable_integration_key(props: Mapping[str, Any]) -> str | None:
    """The declared integration key when it is known and well-formed, else None."""
    key = props.get("integration_key")
    if isinstance(key, str) and not is_unknown(key) and KEY_PATTERN.fullmatch(key):
        return key
    return None


def validate_declared(props: dict[str, Any]) -> list[Failure]:
    """Every schema-level problem in the declared inputs, not just the first."""
    known = {name: from_wire(props.get(name)) for name in INPUT_NAMES}
    candidate = {name: value for name, value in known.items() if value is not None}
    failures: list[Failure] = []
    try:
        ConfigurationInputs.model_validate(candidate)
    except ValidationError as error:
        failures += [
            _schema_failure(problem)
            for problem in error.errors()
            if not unknown_at(candidate, problem["loc"])
        ]
    failures += _key_failures(known.get("integration_key"))
    failures += _tag_failures(known.get("tags"))
    failures += _capability_failures(known.get("capability_config"))
    failures += _import_id_failures(known.get("import_id"))
    return failures


def _schema_failure(problem: ErrorDetails) -> Failure:
    location = tuple(problem["loc"])
    field = str(location[0]) if location else ""
    fix = FIXES.get(field, "fix the value")
    if problem["type"] == "missing":
        reason = f"`{field}` is required: {fix}."
    elif problem["type"] == "string_too_short":
        reason = f"`{property_path(location)}` must not be empty: {fix}."
    elif problem["type"] == "value_error":
        reason = f"`{property_path(location)}` {_own_message(problem)}: {fix}."
    else:
        reason = f"{problem['msg']}, got {describe(problem['input'])}: {fix}."
    return Failure(property_path(location), reason)


def _own_message(problem: ErrorDetails) -> str:
    """The message a validator raised, without pydantic's "Value error, " in front."""
    return str(problem["msg"]).removeprefix("Value error, ")


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
    if not isinstance(capability_config, dict):
        return []  # not a mapping at all: the schema check above says so
    try:
        CapabilityConfigPost.model_validate(capability_config)
    except ValidationError as error:
        return [
            Failure(property_path(("capability_config", *problem["loc"])), _capability_reason(problem))
            for problem in error.errors()
            if not unknown_at(capability_config, problem["loc"])
        ]
    return []


def _capability_reason(problem: ErrorDetails) -> str:
    location = tuple(problem["loc"])
    name = str(location[-1]) if location else ""
    if problem["type"] == "extra_forbidden":
        allowed = allowed_fields(CapabilityConfigPost, location[:-1])
        what = (
            "a capability LaunchDarkly accepts" if len(location) == 1 else "a field LaunchDarkly accepts here"
        )
        return f"`{name}` is not {what}.{did_you_mean(name, allowed)} Allowed: {', '.join(allowed)}."
    if problem["type"] == "missing":
        return f"`{name}` is required: {REQUIRED_HINTS.get(name, 'set it')}."
    if problem["type"] == "value_error":
        return f"{_own_message(problem)}."
    if problem["type"] == "literal_error":
        return f"{problem['msg']}, got {problem['input']!r}."
    return f"{problem['msg']}, got {describe(problem['input'])}."


def allowed_fields(model: type[BaseModel], location: Sequence[int | str]) -> list[str]:
    """The API names of the fields the model at `location` (below `model`) accepts."""
    current: type[BaseModel] | None = model
    for part in location:
        if isinstance(part, int) or current is None:
            continue  # list positions do not change the model
        field = next(
            (info for key, info in current.model_fields.items() if (info.alias or key) == part), None
        )
        current = _model_in(field.annotation) if field is not None else None
    if current is None:
        return []
    return [info.alias or key for key, info in current.model_fields.items()]


def _model_in(annotation: Any) -> type[BaseModel] | None:
    """The pydantic model inside an annotation such as `list[StatementPost] | None`."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for argument in get_args(annotation):
        found = _model_in(argument)
        if found is not None:
            return found
    return None
