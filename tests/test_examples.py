"""Every example program under examples/, run as `pulumi up --stack dev|prod` would against the emulator.

The config comes from the example's own Pulumi.<stack>.yaml (so those files cannot rot); the test
adds only the secrets a person sets with `pulumi config set --secret`. After the run the emulator
must hold exactly the configurations the program declared, with the values the stack config
asked for; a second run must change nothing and send no request.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from engine import Engine
from program_runner import ProgramRun, run_program

from provider.emulator import Emulator
from provider.emulator.representation import snowflake_setup_script
from provider.manifests import bundled_manifests

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
STACKS = ("dev", "prod")


def project_name(example: Path) -> str:
    name: str = yaml.safe_load((example / "Pulumi.yaml").read_text())["name"]
    return name


def stack_config(example: Path, stack: str) -> dict[str, Any]:
    """The program's own config in Pulumi.<stack>.yaml, keyed without the project prefix."""
    config = yaml.safe_load((example / f"Pulumi.{stack}.yaml").read_text())["config"]
    prefix = f"{project_name(example)}:"
    return {key.removeprefix(prefix): value for key, value in config.items() if key.startswith(prefix)}


def as_pulumi_config(project: str, values: dict[str, Any]) -> dict[str, str]:
    """Config as the CLI hands it to a program: full keys, structured values as JSON text."""
    return {
        f"{project}:{key}": value if isinstance(value, str) else json.dumps(value)
        for key, value in values.items()
    }


def secret_value(name: str, stack: str) -> str:
    return f"{stack}-{name}-s3cr3t-value"


@dataclass(frozen=True)
class Deployed:
    """One example run: what the program declared, what the emulator holds, and the stack outputs."""

    stack: str
    config: dict[str, Any]
    run: ProgramRun
    held: dict[str, dict[str, Any]]  # emulator configuration by Pulumi resource name


def held_by_resource(engine: Engine, emulator: Emulator) -> dict[str, dict[str, Any]]:
    """Each resource's configuration in the emulator; fails unless the two match one to one."""
    by_id = {configuration["_id"]: configuration for configuration in emulator.configurations()}
    ids = {name: entry.id for name, entry in engine.state.items()}
    assert sorted(by_id) == sorted(ids.values()), (
        "the emulator holds configurations the program did not declare"
    )
    return {name: by_id[configuration_id] for name, configuration_id in ids.items()}


def assert_holds_what_was_declared(engine: Engine, held: dict[str, dict[str, Any]]) -> None:
    """Every declared input reached LaunchDarkly unchanged (plus the API's defaults for unset fields)."""
    manifests = bundled_manifests()
    for name, entry in engine.state.items():
        declared, configuration = entry.inputs, held[name]
        assert configuration["_integrationKey"] == declared["integration_key"], name
        assert configuration["name"] == declared["name"], name
        assert configuration["enabled"] is (declared.get("enabled") is not False), name
        assert sorted(configuration["tags"]) == sorted(declared.get("tags") or []), name
        assert configuration.get("capabilityConfig") == declared.get("capability_config"), name
        defaults = {
            variable.key: variable.default_value
            for variable in manifests[declared["integration_key"]].form_variables
            if variable.default_value is not None
        }
        assert configuration["configValues"] == {**defaults, **declared["config_values"]}, name


def deploy(
    example_name: str,
    stack: str,
    engine: Engine,
    emulator: Emulator,
    secrets: dict[str, Any],
    overrides: dict[str, Any] | None = None,
) -> Deployed:
    """Run the example twice, as two `pulumi up`s: the first creates, the second changes nothing.

    `overrides` replaces keys of the stack file's config, as `pulumi config set` would.
    """
    example = EXAMPLES / example_name
    project = project_name(example)
    config = {**stack_config(example, stack), **(overrides or {})}
    full_config = as_pulumi_config(project, {**config, **secrets})
    secret_keys = tuple(f"{project}:{key}" for key in secrets)

    first = run_program(
        example, engine, project=project, stack=stack, config=full_config, secret_keys=secret_keys
    )
    assert first.operations, "the program declared nothing"
    assert set(first.operations.values()) == {"create"}
    held = held_by_resource(engine, emulator)
    assert_holds_what_was_declared(engine, held)

    emulator.clear_requests()
    second = run_program(
        example, engine, project=project, stack=stack, config=full_config, secret_keys=secret_keys
    )
    assert second.operations == dict.fromkeys(first.operations, "same")
    assert emulator.requests == []
    assert second.exports == first.exports
    return Deployed(stack=stack, config=config, run=first, held=held)


# -- custom-approvals --------------------------------------------------------------------------


@pytest.mark.parametrize("stack", STACKS)
def test_custom_approvals(stack: str, engine: Engine, emulator: Emulator) -> None:
    api_key = secret_value("approvalsApiKey", stack)
    deployed = deploy("custom-approvals", stack, engine, emulator, {"approvalsApiKey": api_key})

    approvals = deployed.held["change-approvals"]
    assert approvals["_integrationKey"] == "custom-approvals"
    assert approvals["configValues"] == {"apiKey": api_key, "baseURL": deployed.config["approvalsBaseUrl"]}
    assert stack in approvals["tags"]
    form = {
        field["key"]: field for field in approvals["capabilityConfig"]["approvals"]["additionalFormVariables"]
    }
    assert sorted(form) == ["changeTicket", "customerVisible"]
    assert form["changeTicket"]["isOptional"] is (deployed.config["changeTicketRequired"] != "true")
    assert deployed.run.exports == {"approvals_id": approvals["_id"]}


# -- ai-config-test-run --------------------------------------------------------------------------


@pytest.mark.parametrize("stack", STACKS)
def test_ai_config_test_run_has_one_configuration_per_environment(
    stack: str, engine: Engine, emulator: Emulator
) -> None:
    environments = stack_config(EXAMPLES / "ai-config-test-run", stack)["environments"]
    api_keys = {environment["key"]: secret_value(environment["key"], stack) for environment in environments}
    deployed = deploy("ai-config-test-run", stack, engine, emulator, {"apiKeys": api_keys})

    assert len(environments) >= 2
    assert sorted(deployed.held) == sorted(f"test-runs-{environment['key']}" for environment in environments)
    for environment in environments:
        key = environment["key"]
        test_runs = deployed.held[f"test-runs-{key}"]
        assert test_runs["_integrationKey"] == "aiconfig-test-run"
        assert test_runs["configValues"] == {"provider": environment["provider"], "apiKey": api_keys[key]}
        assert key in test_runs["name"]
        assert key in test_runs["tags"]
    assert deployed.run.exports == {
        "configuration_ids": {
            environment["key"]: deployed.held[f"test-runs-{environment['key']}"]["_id"]
            for environment in environments
        }
    }


def test_ai_config_test_run_names_the_command_for_a_missing_api_key(
    engine: Engine, emulator: Emulator
) -> None:
    example = EXAMPLES / "ai-config-test-run"
    config = {**stack_config(example, "dev"), "apiKeys": {"development": "only-one-key"}}
    with pytest.raises(Exception, match=r"pulumi config set --secret --path 'apiKeys\.test'"):
        run_program(
            example,
            engine,
            project="ai-config-test-run",
            stack="dev",
            config=as_pulumi_config("ai-config-test-run", config),
            secret_keys=("ai-config-test-run:apiKeys",),
        )


# -- snowflake-experimentation -------------------------------------------------------------------


@pytest.mark.parametrize("stack", STACKS)
def test_snowflake_experimentation_exports_the_setup_script(
    stack: str, engine: Engine, emulator: Emulator
) -> None:
    deployed = deploy("snowflake-experimentation", stack, engine, emulator, {})

    snowflake = deployed.held["snowflake-experimentation"]
    assert snowflake["_integrationKey"] == "snowflake-experimentation"
    assert snowflake["configValues"]["snowflakeHostAddress"] == deployed.config["snowflakeHostAddress"]
    assert snowflake["configValues"]["selectedEnv"] == deployed.config["selectedEnv"]
    script = deployed.run.exports["snowflake_setup_script"]
    assert script == snowflake_setup_script(snowflake["_id"])
    assert deployed.run.exports["configuration_id"] == snowflake["_id"]


# -- pagerduty-guardian --------------------------------------------------------------------------


@pytest.mark.parametrize("stack", STACKS)
def test_pagerduty_guardian_filters_and_severity(stack: str, engine: Engine, emulator: Emulator) -> None:
    routing_key = secret_value("pagerdutyIntegrationKey", stack)
    deployed = deploy("pagerduty-guardian", stack, engine, emulator, {"pagerdutyIntegrationKey": routing_key})

    guardian = deployed.held["guardian-pagerduty"]
    assert guardian["_integrationKey"] == "pagerduty-guardian-edition"
    assert guardian["configValues"] == {
        "integrationKey": routing_key,
        "severity": deployed.config["severity"],
        "eventFilter": deployed.config["eventFilter"],
        "projectAndEnv": deployed.config["projectAndEnv"],
    }
    assert deployed.run.exports == {"guardian_configuration_id": guardian["_id"]}


def test_pagerduty_guardian_filters_are_optional(engine: Engine, emulator: Emulator) -> None:
    example = EXAMPLES / "pagerduty-guardian"
    config = {"severity": "info", "pagerdutyIntegrationKey": "routing-key-0123456789"}
    run_program(
        example,
        engine,
        project="pagerduty-guardian",
        stack="dev",
        config=as_pulumi_config("pagerduty-guardian", config),
        secret_keys=("pagerduty-guardian:pagerdutyIntegrationKey",),
    )
    (guardian,) = emulator.configurations()
    assert guardian["configValues"] == {"integrationKey": "routing-key-0123456789", "severity": "info"}


# -- many-configurations -------------------------------------------------------------------------


def data_file_entries(path: Path) -> dict[str, tuple[dict[str, Any], dict[str, Any]]]:
    """(team, entry) by the resource name the README promises: `<team>-<key>`."""
    text = path.read_text()
    teams = (json.loads(text) if path.suffix == ".json" else yaml.safe_load(text))["teams"]
    return {
        f"{team['team']}-{entry['key']}": (team, entry) for team in teams for entry in team["configurations"]
    }


def data_file_secrets(path: Path, stack: str) -> dict[str, str]:
    return {
        config_key: secret_value(config_key, stack)
        for _, entry in data_file_entries(path).values()
        for config_key in entry.get("secrets", {}).values()
    }


def assert_matches_data_file(deployed: Deployed, data_file: Path, secrets: dict[str, str]) -> None:
    entries = data_file_entries(data_file)
    assert sorted(deployed.held) == sorted(entries)
    for name, (team, entry) in entries.items():
        configuration = deployed.held[name]
        assert configuration["_integrationKey"] == entry["integration"], name
        assert configuration["name"] == entry["name"], name
        assert configuration["enabled"] is entry.get("enabled", True), name
        assert set(configuration["tags"]) == {
            f"team-{team['team']}",
            *team.get("tags", []),
            *entry.get("tags", []),
        }
        assert configuration.get("capabilityConfig") == entry.get("capabilityConfig"), name
        declared_values = {
            **entry.get("values", {}),
            **{field: secrets[key] for field, key in entry.get("secrets", {}).items()},
        }
        assert {key: configuration["configValues"][key] for key in declared_values} == declared_values, name
    assert deployed.run.exports == {
        "configuration_ids": {name: held["_id"] for name, held in deployed.held.items()}
    }


@pytest.mark.parametrize("stack", STACKS)
def test_many_configurations_from_the_stack_data_file(stack: str, engine: Engine, emulator: Emulator) -> None:
    example = EXAMPLES / "many-configurations"
    data_file = example / stack_config(example, stack)["dataFile"]
    secrets = data_file_secrets(data_file, stack)
    deployed = deploy("many-configurations", stack, engine, emulator, secrets)

    assert len(deployed.held) >= 8
    assert_matches_data_file(deployed, data_file, secrets)
    assert len({entry["integration"] for _, entry in data_file_entries(data_file).values()}) >= 3


def test_many_configurations_reads_a_json_data_file(
    tmp_path: Path, engine: Engine, emulator: Emulator
) -> None:
    example = EXAMPLES / "many-configurations"
    yaml_file = example / stack_config(example, "dev")["dataFile"]
    json_file = tmp_path / "dev.json"
    json_file.write_text(json.dumps(yaml.safe_load(yaml_file.read_text())))
    secrets = data_file_secrets(json_file, "dev")
    project = "many-configurations"
    run = run_program(
        example,
        engine,
        project=project,
        stack="dev",
        config=as_pulumi_config(project, {"dataFile": str(json_file), **secrets}),
        secret_keys=tuple(f"{project}:{key}" for key in secrets),
    )
    held = held_by_resource(engine, emulator)
    assert_matches_data_file(Deployed("dev", {}, run, held), json_file, secrets)


def test_many_configurations_adopts_a_configuration_made_by_hand(
    tmp_path: Path, engine: Engine, emulator: Emulator
) -> None:
    example = EXAMPLES / "many-configurations"
    data = yaml.safe_load((example / stack_config(example, "dev")["dataFile"]).read_text())
    entry = data["teams"][0]["configurations"][0]
    by_hand = emulator.seed_configuration(
        entry["integration"],
        {
            "name": "Approvals (made in the UI)",
            "configValues": {"apiKey": "old-key", "baseURL": "https://old.example.com"},
        },
    )
    entry["importId"] = by_hand["_id"]
    data_file = tmp_path / "adopting.yaml"
    data_file.write_text(yaml.safe_dump(data))
    secrets = data_file_secrets(data_file, "dev")
    emulator.clear_requests()

    deployed = deploy("many-configurations", "dev", engine, emulator, secrets, {"dataFile": str(data_file)})

    name = f"{data['teams'][0]['team']}-{entry['key']}"
    assert deployed.held[name]["_id"] == by_hand["_id"]
    assert_matches_data_file(deployed, data_file, secrets)
    assert len(emulator.configurations()) == len(data_file_entries(data_file))


MISTAKES: dict[str, tuple[Callable[[dict[str, Any]], None], str]] = {
    "duplicate key": (
        lambda data: data["teams"][0]["configurations"].append(dict(data["teams"][0]["configurations"][0])),
        "keys must be unique per team",
    ),
    "unknown field": (
        lambda data: data["teams"][-1]["configurations"][-1].update(vaules={}),
        r"unknown fields \['vaules'\]",
    ),
    "resource name with spaces": (
        lambda data: data["teams"][-1].update(team="Data Platform"),
        "lowercase letters, digits and '-'",
    ),
}


@pytest.mark.parametrize("mistake", sorted(MISTAKES))
def test_many_configurations_stops_before_any_change_on_a_bad_data_file(
    mistake: str, tmp_path: Path, engine: Engine, emulator: Emulator
) -> None:
    example = EXAMPLES / "many-configurations"
    data = yaml.safe_load((example / stack_config(example, "dev")["dataFile"]).read_text())
    spoil, message = MISTAKES[mistake]
    spoil(data)
    bad_file = tmp_path / "bad.yaml"
    bad_file.write_text(yaml.safe_dump(data))
    secrets = data_file_secrets(bad_file, "dev")
    project = "many-configurations"
    with pytest.raises(Exception, match=message):
        run_program(
            example,
            engine,
            project=project,
            stack="dev",
            config=as_pulumi_config(project, {"dataFile": str(bad_file), **secrets}),
            secret_keys=tuple(f"{project}:{key}" for key in secrets),
        )
    assert emulator.configurations() == []
    assert engine.state == {}
