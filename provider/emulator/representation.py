"""How a stored configuration is shown to clients: links, access, and obfuscated secrets."""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from typing import Any

from ..models import IntegrationManifest

API_PREFIX = "/api/v2"
CONFIGURATIONS_PATH = f"{API_PREFIX}/integration-configurations"
JSON_TYPE = "application/json"

# The emulator has a single caller, an account admin, so every configuration grants everything.
ADMIN_ACCESS: dict[str, Any] = {
    "allowed": [
        {
            "action": "*",
            "reason": {"effect": "allow", "resources": ["*"], "actions": ["*"], "role_name": "admin"},
        }
    ],
    "denied": [],
}

# Field order of the real representation, so dumps read like real answers.
_FIELD_ORDER = (
    "_links",
    "_id",
    "name",
    "_createdAt",
    "_integrationKey",
    "tags",
    "enabled",
    "_access",
    "configValues",
    "capabilityConfig",
    "snowflakeSetupScript",
    "_maintainerId",
)


def obfuscate(value: Any) -> str:
    """Hide a secret the way LaunchDarkly's integration endpoints do: a few characters each side."""
    if value is None:
        text = ""
    elif isinstance(value, str):
        text = value
    else:
        text = json.dumps(value, separators=(",", ":"))
    if len(text) > 6:
        return text[:3] + "*" * (len(text) - 6) + text[-3:]
    return "*" * len(text)


def configuration_href(configuration_id: str) -> str:
    return f"{CONFIGURATIONS_PATH}/{configuration_id}"


def collection_href(integration_key: str) -> str:
    return f"{CONFIGURATIONS_PATH}/keys/{integration_key}"


def link(href: str) -> dict[str, str]:
    return {"href": href, "type": JSON_TYPE}


def render_configuration(
    stored: dict[str, Any],
    manifest: IntegrationManifest | None,
    *,
    masked: bool,
    extra_fields: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The API representation of a stored configuration; `masked=False` is for test assertions only."""
    rendered = copy.deepcopy(stored)
    rendered.update(extra_fields or {})
    rendered["_links"] = {
        "self": link(configuration_href(stored["_id"])),
        "parent": link(collection_href(stored["_integrationKey"])),
    }
    rendered["_access"] = copy.deepcopy(ADMIN_ACCESS)
    if masked and manifest is not None:
        values = rendered["configValues"]
        for key in manifest.secret_keys:
            if key in values:
                values[key] = obfuscate(values[key])
    ordered = {key: rendered[key] for key in _FIELD_ORDER if key in rendered}
    ordered.update((key, value) for key, value in rendered.items() if key not in ordered)
    return ordered


def snowflake_setup_script(configuration_id: str) -> str:
    """A stand-in for the SQL LaunchDarkly hands back when a Snowflake configuration is created.

    It only has to look plausible and be tied to the configuration; it must never carry secrets.
    """
    suffix = configuration_id[-8:].upper()
    role = f"LAUNCHDARKLY_ROLE_{suffix}"
    user = f"LAUNCHDARKLY_USER_{suffix}"
    warehouse = f"LAUNCHDARKLY_WH_{suffix}"
    database = f"LAUNCHDARKLY_DB_{suffix}"
    return "\n".join(
        [
            f"-- LaunchDarkly Warehouse Native Experimentation setup, configuration {configuration_id}",
            "-- Run as a role allowed to create roles, users, warehouses and databases.",
            "USE ROLE ACCOUNTADMIN;",
            f"CREATE ROLE IF NOT EXISTS {role};",
            f"CREATE WAREHOUSE IF NOT EXISTS {warehouse} WAREHOUSE_SIZE = 'XSMALL' AUTO_SUSPEND = 60;",
            f"CREATE DATABASE IF NOT EXISTS {database};",
            f"CREATE SCHEMA IF NOT EXISTS {database}.EXPERIMENTATION;",
            f"GRANT USAGE ON WAREHOUSE {warehouse} TO ROLE {role};",
            f"GRANT OWNERSHIP ON DATABASE {database} TO ROLE {role};",
            f"GRANT OWNERSHIP ON SCHEMA {database}.EXPERIMENTATION TO ROLE {role};",
            f"CREATE USER IF NOT EXISTS {user} TYPE = SERVICE DEFAULT_ROLE = {role}",
            f"  DEFAULT_WAREHOUSE = {warehouse}",
            f"  COMMENT = 'LaunchDarkly integration configuration {configuration_id}';",
            f"GRANT ROLE {role} TO USER {user};",
            "-- Then paste the public key LaunchDarkly shows into: ALTER USER "
            f"{user} SET RSA_PUBLIC_KEY = '<public key>';",
            "",
        ]
    )
