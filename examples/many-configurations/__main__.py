"""Many integration configurations from one data file, tagged per team.

Config (per stack): dataFile, a YAML or JSON file (configurations/<stack>.yaml here); secrets:
every stack config key named under `secrets:` in that file, and launchdarkly:accessToken.
"""

import json
import re
from pathlib import Path
from typing import Any

import pulumi
import yaml

from provider import IntegrationConfiguration

# Team names and keys make up resource names: keep them boring so names stay valid and readable.
NAME_PART = re.compile(r"[a-z0-9][a-z0-9-]*")
ENTRY_FIELDS = {
    "key",
    "integration",
    "name",
    "values",
    "secrets",
    "enabled",
    "tags",
    "capabilityConfig",
    "importId",
}

config = pulumi.Config()
data_file = Path(config.require("dataFile"))


def load_teams(path: Path) -> list[dict[str, Any]]:
    text = path.read_text(encoding="utf-8")
    data = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    teams: list[dict[str, Any]] = data["teams"]
    return teams


def resource_name(team: str, entry: dict[str, Any]) -> str:
    where = f"{data_file}: team {team!r}, configuration {entry.get('key')!r}"
    unknown = sorted(set(entry) - ENTRY_FIELDS)
    if unknown:
        raise ValueError(f"{where}: unknown fields {unknown}; allowed: {sorted(ENTRY_FIELDS)}")
    for part in (team, entry.get("key")):
        if not isinstance(part, str) or not NAME_PART.fullmatch(part):
            raise ValueError(f"{where}: team names and keys use lowercase letters, digits and '-'")
    overlap = sorted(set(entry.get("values", {})) & set(entry.get("secrets", {})))
    if overlap:
        raise ValueError(f"{where}: {overlap} given both as a value and as a secret")
    return f"{team}-{entry['key']}"


# Everything is read and checked before the first resource is declared, so a mistake anywhere in
# the file (or a missing secret) stops the program before any configuration changes.
entries: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {}
for team in load_teams(data_file):
    for entry in team["configurations"]:
        name = resource_name(team["team"], entry)
        # Resource names are a configuration's identity in state: a duplicate would make two entries fight.
        if name in entries:
            raise ValueError(
                f"{data_file}: two configurations would be {name!r}; keys must be unique per team"
            )
        secrets = {field: config.require_secret(key) for field, key in entry.get("secrets", {}).items()}
        entries[name] = (team, {**entry, "values": {**entry.get("values", {}), **secrets}})

configurations = {
    name: IntegrationConfiguration(
        name,
        integration_key=entry["integration"],
        name=entry["name"],
        config_values=entry["values"],
        enabled=entry.get("enabled"),
        tags=sorted({f"team-{team['team']}", *team.get("tags", []), *entry.get("tags", [])}),
        capability_config=entry.get("capabilityConfig"),
        # Takes over a configuration made by hand on the first `pulumi up`; inert afterwards.
        import_id=entry.get("importId"),
    )
    for name, (team, entry) in entries.items()
}

pulumi.export("configuration_ids", {name: resource.id for name, resource in configurations.items()})
