"""Validation of a configuration body (POST, or the result of a PATCH) against its integration manifest.

Messages name the offending field, because the provider surfaces them to users verbatim.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..models import FormVariable, IntegrationManifest
from .errors import invalid_request

TAG_PATTERN = re.compile(r"[A-Za-z0-9._-]{1,64}")

STATEMENT_LIST_FIELDS = ("resources", "notResources", "actions", "notActions")
STATEMENT_EFFECTS = ("allow", "deny")
CAPABILITY_KEYS = ("approvals", "auditLogEventsHook")

# Form-variable types whose value the form always stores as text.
STRING_TYPES = frozenset({"string", "uri", "enum", "publicKey"})


@dataclass(frozen=True)
class ValidConfiguration:
    """The editable part of a configuration after validation and default filling."""

    name: str
    enabled: bool
    tags: list[str]
    config_values: dict[str, Any]
    capability_config: dict[str, Any] | None


def validate_configuration(manifest: IntegrationManifest, body: Any) -> ValidConfiguration:
    """Check a POST-shaped body; raise a 400 `ApiError` naming the first problem found."""
    if not isinstance(body, dict):
        raise invalid_request("request body must be a JSON object")

    name = body.get("name")
    if not isinstance(name, str) or not name.strip():
        raise invalid_request("name is required and must be a non-empty string")

    if "configValues" not in body or not isinstance(body["configValues"], dict):
        raise invalid_request("configValues is required and must be an object")
    config_values = _validate_config_values(manifest, body["configValues"])

    # JSON null counts as present-but-wrong, so a client that serialises None is caught here.
    enabled = body.get("enabled", True)
    if not isinstance(enabled, bool):
        raise invalid_request("enabled must be a boolean")

    tags = _validate_tags(body.get("tags", []))

    capability_config: dict[str, Any] | None = None
    if "capabilityConfig" in body:
        capability_config = _validate_capability_config(body["capabilityConfig"])

    return ValidConfiguration(
        name=name,
        enabled=enabled,
        tags=tags,
        config_values=config_values,
        capability_config=capability_config,
    )


def check_locked_values(
    manifest: IntegrationManifest, before: Mapping[str, Any], after: Mapping[str, Any]
) -> None:
    """Refuse a change to any form variable that the integration locks once saved."""
    for variable in manifest.form_variables:
        if variable.disable_after_saving and before.get(variable.key) != after.get(variable.key):
            raise invalid_request(
                f"configValues.{variable.key} cannot be changed after the configuration is saved"
            )


def _validate_config_values(manifest: IntegrationManifest, values: dict[str, Any]) -> dict[str, Any]:
    for key in values:
        if manifest.form_variable(key) is None:
            known = ", ".join(variable.key for variable in manifest.form_variables) or "none"
            raise invalid_request(
                f"configValues.{key} is not a field of integration {manifest.key!r} (fields: {known})"
            )
    for variable in manifest.form_variables:
        if variable.key in values:
            _check_value_type(variable, values[variable.key])
        elif variable.required:
            raise invalid_request(f"configValues.{variable.key} is required")

    result = copy.deepcopy(values)
    for variable in manifest.form_variables:
        if variable.key not in result and variable.default_value is not None:
            result[variable.key] = copy.deepcopy(variable.default_value)
    return result


def _check_value_type(variable: FormVariable, value: Any) -> None:
    field = f"configValues.{variable.key}"
    kind = variable.type
    if kind in STRING_TYPES:
        if not isinstance(value, str):
            raise invalid_request(f"{field} must be a string ({kind})")
        if kind == "enum" and variable.allowed_values is not None and value not in variable.allowed_values:
            allowed = ", ".join(variable.allowed_values)
            raise invalid_request(f"{field} must be one of: {allowed} (got {value!r})")
    elif kind == "boolean":
        if not isinstance(value, bool):
            raise invalid_request(f"{field} must be a boolean")
    elif kind == "multiselect":
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise invalid_request(f"{field} must be a list of strings")
        options = _multiselect_values(variable)
        if options is not None:
            for item in value:
                if item not in options:
                    raise invalid_request(f"{field} has {item!r}, which is not one of: {', '.join(options)}")
    elif kind == "environmentSelector" and not isinstance(value, (str, dict)):
        raise invalid_request(f"{field} must be a string or an object (environmentSelector)")


def _multiselect_values(variable: FormVariable) -> list[str] | None:
    # multiselectOptions is not modelled by FormVariable; the model keeps it as an extra field.
    options = (variable.model_extra or {}).get("multiselectOptions")
    if not isinstance(options, list):
        return None
    return [option["value"] for option in options if isinstance(option, dict) and "value" in option]


def _validate_tags(tags: Any) -> list[str]:
    if not isinstance(tags, list):
        raise invalid_request("tags must be a list of strings")
    for index, tag in enumerate(tags):
        if not isinstance(tag, str) or not TAG_PATTERN.fullmatch(tag):
            raise invalid_request(
                f"tags[{index}] {tag!r} is invalid: a tag is 1 to 64 letters, digits, '.', '-' or '_'"
            )
    return list(tags)


def _validate_capability_config(config: Any) -> dict[str, Any]:
    if not isinstance(config, dict):
        raise invalid_request("capabilityConfig must be an object")
    for key in config:
        if key not in CAPABILITY_KEYS:
            raise invalid_request(
                f"capabilityConfig.{key} is not supported (allowed: {', '.join(CAPABILITY_KEYS)})"
            )
    if "approvals" in config:
        _validate_approvals(config["approvals"])
    if "auditLogEventsHook" in config:
        _validate_audit_log_events_hook(config["auditLogEventsHook"])
    return copy.deepcopy(config)


def _validate_approvals(approvals: Any) -> None:
    field = "capabilityConfig.approvals"
    if not isinstance(approvals, dict):
        raise invalid_request(f"{field} must be an object")
    _refuse_unknown_keys(field, approvals, ("additionalFormVariables",))
    variables = approvals.get("additionalFormVariables", [])
    if not isinstance(variables, list):
        raise invalid_request(f"{field}.additionalFormVariables must be a list")
    for index, variable in enumerate(variables):
        item = f"{field}.additionalFormVariables[{index}]"
        if not isinstance(variable, dict):
            raise invalid_request(f"{item} must be an object")
        for required in ("key", "name", "type"):
            value = variable.get(required)
            if not isinstance(value, str) or not value:
                raise invalid_request(f"{item}.{required} is required and must be a non-empty string")


def _validate_audit_log_events_hook(hook: Any) -> None:
    field = "capabilityConfig.auditLogEventsHook"
    if not isinstance(hook, dict):
        raise invalid_request(f"{field} must be an object")
    _refuse_unknown_keys(field, hook, ("statements",))
    statements = hook.get("statements", [])
    if not isinstance(statements, list):
        raise invalid_request(f"{field}.statements must be a list")
    for index, statement in enumerate(statements):
        item = f"{field}.statements[{index}]"
        if not isinstance(statement, dict):
            raise invalid_request(f"{item} must be an object")
        _refuse_unknown_keys(item, statement, ("effect", *STATEMENT_LIST_FIELDS))
        if statement.get("effect") not in STATEMENT_EFFECTS:
            raise invalid_request(f"{item}.effect must be 'allow' or 'deny'")
        for list_field in STATEMENT_LIST_FIELDS:
            if list_field in statement:
                values = statement[list_field]
                if not isinstance(values, list) or not all(isinstance(value, str) for value in values):
                    raise invalid_request(f"{item}.{list_field} must be a list of strings")


def _refuse_unknown_keys(field: str, value: dict[str, Any], allowed: tuple[str, ...]) -> None:
    for key in value:
        if key not in allowed:
            raise invalid_request(f"{field}.{key} is not supported (allowed: {', '.join(allowed)})")
