"""Checks of declared inputs against the integration's manifest, run by `check` after the schema checks.

`config_values` must use the manifest's `formVariables`: known keys (with a suggestion for near
misses), every required key, values of the declared type (`boolean`, `uri`, `enum` within
`allowedValues`, `multiselect` within its options, ...), and no empty secret. `capability_config`
may only use capabilities the integration has. Values not known yet (previews) are skipped.

Reasons never quote a value of a secret form variable: check failures end up in CI logs and
pull-request comments.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from .models import FormVariable, IntegrationManifest
from .state import from_wire
from .suggest import closest, did_you_mean
from .validation import Failure, describe, unknown_here

# Types whose value the LaunchDarkly form stores as text.
TEXT_TYPES = frozenset({"string", "uri", "enum", "publicKey", "dynamicEnum"})
URI_SCHEMES = ("https", "http")


def validate_against_manifest(props: Mapping[str, Any], manifest: IntegrationManifest) -> list[Failure]:
    """Every manifest-level problem in the declared inputs."""
    failures: list[Failure] = []
    config_values = from_wire(props.get("config_values"))
    if isinstance(config_values, dict):
        failures += config_value_failures(config_values, manifest)
    capability_config = from_wire(props.get("capability_config"))
    if isinstance(capability_config, dict):
        failures += capability_failures(capability_config, manifest)
    return failures


def config_value_failures(values: Mapping[str, Any], manifest: IntegrationManifest) -> list[Failure]:
    known = [variable.key for variable in manifest.form_variables]
    failures: list[Failure] = []
    meant: set[str] = set()
    for key, value in values.items():
        variable = manifest.form_variable(key)
        if variable is None:
            match = closest(key, known)
            if match:
                meant.add(match)
            failures.append(Failure(f"config_values.{key}", _unknown_key_reason(key, manifest)))
        elif value is not None and not unknown_here(value):
            failures += value_failures(variable, value, f"config_values.{key}")
    for variable in manifest.form_variables:
        # A misspelt key already says what to do; "missing" on top of it would only repeat it.
        if variable.required and values.get(variable.key) is None and variable.key not in meant:
            failures.append(
                Failure(
                    f"config_values.{variable.key}",
                    f"`{variable.key}` ({variable.name}) is required by integration `{manifest.key}`: "
                    "add it to config_values.",
                )
            )
    return failures


def _unknown_key_reason(key: str, manifest: IntegrationManifest) -> str:
    known = [variable.key for variable in manifest.form_variables]
    if not known:
        return (
            f"integration `{manifest.key}` takes no config_values (it has no form fields): "
            f"remove `{key}` and pass config_values={{}}."
        )
    return (
        f"`{key}` is not a field of integration `{manifest.key}`.{did_you_mean(key, known)} "
        f"Its fields: {', '.join(known)}."
    )


def value_failures(variable: FormVariable, value: Any, path: str) -> list[Failure]:
    """Problems with one known value of one form variable."""
    key, kind = variable.key, variable.type
    if variable.is_secret and isinstance(value, str) and not value.strip():
        leave_out = f", or leave `{key}` out (it is optional)" if not variable.required else ""
        return [
            Failure(
                path,
                f"`{key}` is a secret and is empty: set the real value, for example from "
                f"`pulumi config set --secret ...`{leave_out}.",
            )
        ]
    if kind in TEXT_TYPES:
        return _text_failures(variable, value, path)
    if kind == "boolean" and not isinstance(value, bool):
        hint = " (write True or False without quotes)" if isinstance(value, str) else ""
        return [Failure(path, f"`{key}` must be a boolean, got {describe(value)}{hint}.")]
    if kind == "multiselect":
        return _multiselect_failures(variable, value, path)
    if kind == "environmentSelector" and not isinstance(value, (str, dict)):
        return [
            Failure(
                path, f"`{key}` must be a string or a mapping (environmentSelector), got {describe(value)}."
            )
        ]
    # `oauth`, `generated` and types newer than this provider: LaunchDarkly fills or checks them itself.
    return []


def _text_failures(variable: FormVariable, value: Any, path: str) -> list[Failure]:
    key, kind = variable.key, variable.type
    if not isinstance(value, str):
        hint = " (quote it)" if isinstance(value, (int, float)) else ""
        kind_note = "" if kind == "string" else f" ({kind})"
        return [Failure(path, f"`{key}` must be a string{kind_note}, got {describe(value)}{hint}.")]
    if not value.strip():
        if variable.required:
            return [Failure(path, f"`{key}` ({variable.name}) is required and must not be empty.")]
        return []
    if kind == "uri":
        problem = uri_problem(value)
        if problem:
            return [Failure(path, f"`{key}` must be an absolute URL such as https://example.com: {problem}.")]
    if kind == "enum" and variable.allowed_values is not None and value not in variable.allowed_values:
        allowed = variable.allowed_values
        shown = "" if variable.is_secret else f", got {value!r}"
        return [
            Failure(
                path,
                f"`{key}` must be one of {', '.join(allowed)}{shown}.{did_you_mean(value, allowed)}",
            )
        ]
    return []


def uri_problem(value: str) -> str | None:
    """What is wrong with a `uri` value, or None when it is an absolute http(s) URL."""
    if any(character.isspace() for character in value):
        return "it contains spaces"
    try:
        parts = urlsplit(value)
        port_ok = parts.port is None or parts.port > 0
    except ValueError:
        return "it is not a valid URL"
    if not parts.scheme:
        return "it has no scheme (start it with https://)"
    if parts.scheme.lower() not in URI_SCHEMES:
        return f"scheme `{parts.scheme}` is not http or https"
    if not parts.hostname:
        return "it has no host name"
    if not port_ok:
        return "its port is not valid"
    return None


def _multiselect_failures(variable: FormVariable, value: Any, path: str) -> list[Failure]:
    key = variable.key
    if not isinstance(value, list):
        return [Failure(path, f"`{key}` must be a list of strings (multiselect), got {describe(value)}.")]
    options = multiselect_values(variable)
    failures: list[Failure] = []
    for index, item in enumerate(value):
        if unknown_here(item):
            continue
        if not isinstance(item, str):
            failures.append(Failure(f"{path}[{index}]", f"must be a string, got {describe(item)}."))
        elif options is not None and item not in options:
            failures.append(
                Failure(
                    f"{path}[{index}]",
                    f"{item!r} is not an option of `{key}`.{did_you_mean(item, options)} "
                    f"Options: {', '.join(options)}.",
                )
            )
    return failures


def multiselect_values(variable: FormVariable) -> list[str] | None:
    """The option values of a multiselect, or None when the manifest does not list them."""
    options = (variable.model_extra or {}).get("multiselectOptions")
    if not isinstance(options, list):
        return None
    return [option["value"] for option in options if isinstance(option, dict) and "value" in option]


def capability_failures(capability_config: Mapping[str, Any], manifest: IntegrationManifest) -> list[Failure]:
    """`approvals` only for integrations whose manifest has the approval capability.

    Only judged when the manifest states its capabilities at all, so that a trimmed manifest
    (without `capabilities`) never blocks a configuration.
    """
    if "approvals" not in capability_config or "capabilities" not in manifest.model_fields_set:
        return []
    approval = manifest.capabilities.get("approval")
    if not isinstance(approval, dict):
        return [
            Failure(
                "capability_config.approvals",
                f"integration `{manifest.key}` has no approval capability, so `approvals` does not apply "
                "to it: remove it from capability_config.",
            )
        ]
    approvals = capability_config["approvals"]
    extra_fields = approvals.get("additionalFormVariables") if isinstance(approvals, dict) else None
    if extra_fields and not approval.get("allowAdditionalApprovalFormVariables", False):
        return [
            Failure(
                "capability_config.approvals.additionalFormVariables",
                f"integration `{manifest.key}` does not accept additional approval form variables: remove them.",
            )
        ]
    return []
