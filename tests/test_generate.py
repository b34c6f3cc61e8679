"""The generator (`python -m provider.generate`): names, literals, the CLI, and its program run end to end."""

from __future__ import annotations

import ast
import io
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import EMULATOR_TOKEN
from engine import Engine
from lifecycle_helpers import configuration_requests
from program_runner import run_program

from provider.emulator import Emulator
from provider.generate.__main__ import main
from provider.generate.naming import secret_config_keys, slug, unique_names, variable_name
from provider.generate.plan import SecretSetting, plan_configurations
from provider.generate.program import python_literal
from provider.manifests import bundled_manifests
from provider.models import IntegrationConfigurationRep

CONFIGURATIONS = "/api/v2/integration-configurations"
TRICKY_NAME = "Ops \"blue\" 'green' — ünïcödé ☃\nline2 \\ # end"
TRICKY_URL = "https://approvals.example.com/?q=\"x\"&y='z'#frag\n☃ \\n"


# -- names -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Change approvals", "change-approvals"),
        ("  Café -- Approvals!! ", "cafe-approvals"),
        (TRICKY_NAME, "ops-blue-green-unicode-line2-end"),
        ("日本語", ""),
        ("x" * 80, "x" * 60),
    ],
)
def test_slug(text: str, expected: str) -> None:
    assert slug(text) == expected


def test_unique_names_keep_single_names_and_number_duplicates_in_order() -> None:
    assert unique_names(["a", "a-2", "a", "a", "b"]) == ["a", "a-2", "a-3", "a-4", "b"]


@pytest.mark.parametrize(
    ("name", "identifier"),
    [
        ("change-approvals", "change_approvals"),
        ("123-warehouse", "_123_warehouse"),
        ("class", "class_"),
        ("pulumi", "pulumi_"),
        ("config", "config_"),
    ],
)
def test_variable_names_are_identifiers_that_shadow_nothing(name: str, identifier: str) -> None:
    assert variable_name(name) == identifier
    assert identifier.isidentifier()


def test_secret_config_keys_are_camel_case_and_unique() -> None:
    pairs = [("change-approvals", "apiKey"), ("change", "approvalsApiKey"), ("ai", "api_key")]
    assert secret_config_keys(pairs) == ["changeApprovalsApiKey", "changeApprovalsApiKey2", "aiApiKey"]


# -- literals --------------------------------------------------------------------------------

TRICKY_VALUES: list[Any] = [
    TRICKY_URL,
    "'''\"\"\"",
    "line\u2028separator\x85next\x00nul\x0bvt\r\ncrlf",
    "lone \ud800 surrogate",
    "",
    ["a", 1, 2.5, True, None, {"nested": ["x" * 50, "y" * 50]}],
    {"key with 'quotes'": {"deep": [[], {}]}, "n": -3},
]


@pytest.mark.parametrize("value", TRICKY_VALUES)
def test_python_literal_round_trips(value: Any) -> None:
    source = python_literal(value, 1)
    assert ast.literal_eval(source) == value


def test_python_literal_writes_secrets_and_non_finite_numbers_as_expressions() -> None:
    namespace = {"config": type("Config", (), {"require_secret": staticmethod(lambda key: f"<{key}>")})}
    source = python_literal({"apiKey": SecretSetting("someKey", "apiKey"), "limit": float("inf")})
    assert eval(source, namespace) == {"apiKey": "<someKey>", "limit": float("inf")}


# -- what gets declared ----------------------------------------------------------------------


def test_plan_hides_secrets_and_leaves_out_hidden_fields() -> None:
    listed = [
        IntegrationConfigurationRep.model_validate(body)
        for body in (
            {
                "_id": "b2",
                "name": "Warehouse",
                "_createdAt": 2,
                "_integrationKey": "snowflake-experimentation",
                "configValues": {
                    "snowflakeHostAddress": "h",
                    "selectedEnv": "e",
                    "privateKey": "",
                    "syncTaskId": "t",
                },
            },
            # An integration this package has no manifest for, and an answer without `_integrationKey`.
            {
                "_id": "a1",
                "name": "Warehouse",
                "_createdAt": 2,
                "configValues": {"token": "abc****xyz", "n": 1},
            },
        )
    ]
    plans = plan_configurations(listed, bundled_manifests(), {"a1": "future-integration"})
    assert [(plan.resource_name, plan.integration_key) for plan in plans] == [
        ("warehouse", "future-integration"),
        ("warehouse-2", "snowflake-experimentation"),
    ]
    assert plans[0].config_values == {"token": SecretSetting("warehouseToken", "token"), "n": 1}
    assert plans[1].config_values == {"snowflakeHostAddress": "h", "selectedEnv": "e"}
    assert plans[1].left_out == ("privateKey", "syncTaskId")


# -- the generator against the emulator ---------------------------------------------------------


def seed_several(emulator: Emulator) -> list[dict[str, Any]]:
    """Configurations as people make them in the UI: duplicate names, odd names, odd values."""
    capability = {
        "approvals": {"additionalFormVariables": [{"key": "ticket", "name": "Ticket", "type": "string"}]}
    }
    bodies: list[tuple[str, dict[str, Any]]] = [
        (
            "custom-approvals",
            {
                "name": "Change approvals",
                "configValues": {"apiKey": "first-ui-secret", "baseURL": TRICKY_URL},
                "tags": ["platform", "approvals"],
            },
        ),
        (
            "custom-approvals",
            {
                "name": "Change approvals",
                "configValues": {"apiKey": "second-ui-secret", "baseURL": "https://b.example.com"},
                "enabled": False,
                "capabilityConfig": capability,
            },
        ),
        (
            "custom-approvals",
            {
                "name": TRICKY_NAME,
                "configValues": {"apiKey": "third-ui-secret", "baseURL": "https://c.example.com"},
            },
        ),
        (
            "custom-approvals",
            {
                "name": "日本語",
                "configValues": {"apiKey": "fourth-secret", "baseURL": "https://d.example.com"},
            },
        ),
        (
            "custom-approvals",
            {"name": "class", "configValues": {"apiKey": "fifth-secret", "baseURL": "https://e.example.com"}},
        ),
        (
            "aiconfig-test-run",
            {
                "name": "Change approvals",
                "configValues": {"provider": "Anthropic", "apiKey": "sk-ant-0123456"},
            },
        ),
        (
            "snowflake-experimentation",
            {
                "name": "123 Warehouse",
                "configValues": {
                    "snowflakeHostAddress": "https://ab123.snowflakecomputing.com",
                    "selectedEnv": "production",
                },
            },
        ),
        (
            "pagerduty-guardian-edition",
            {
                "name": "Guardian",
                "configValues": {
                    "integrationKey": "R0123456789",
                    "severity": "critical",
                    "eventFilter": ["measured-rollout-regression"],
                    "projectAndEnv": {"default": ["production"]},
                },
                "tags": ["ops"],
            },
        ),
    ]
    held = [emulator.seed_configuration(key, body) for key, body in bodies]
    emulator.clear_requests()
    return held


INTEGRATIONS = [
    "custom-approvals",
    "aiconfig-test-run",
    "snowflake-experimentation",
    "pagerduty-guardian-edition",
]


def generator_env(emulator: Emulator) -> dict[str, str]:
    return {"LAUNCHDARKLY_ACCESS_TOKEN": EMULATOR_TOKEN, "LAUNCHDARKLY_API_HOST": emulator.url}


def run_generator(emulator: Emulator, *arguments: str) -> tuple[int, str, str]:
    """The CLI in this process (fast); `main` is exactly what `python -m provider.generate` runs."""
    stdout, stderr = io.StringIO(), io.StringIO()
    code = main(list(arguments), generator_env(emulator), stdout, stderr)
    return code, stdout.getvalue(), stderr.getvalue()


def declarations(program: str) -> dict[str, dict[str, Any]]:
    """Resource name -> keyword arguments of each `IntegrationConfiguration(...)` in the program.

    Secrets show as ('secret', config key); everything else as the literal value.
    """

    def value(node: ast.expr) -> Any:
        if isinstance(node, ast.Call) and ast.unparse(node.func) == "config.require_secret":
            return ("secret", ast.literal_eval(node.args[0]))
        if isinstance(node, ast.Dict):
            return {
                ast.literal_eval(key): value(item) for key, item in zip(node.keys, node.values, strict=True)
            }  # type: ignore[arg-type]
        return ast.literal_eval(node)

    found: dict[str, dict[str, Any]] = {}
    for statement in ast.parse(program).body:
        if (
            isinstance(statement, ast.Assign)
            and isinstance(statement.value, ast.Call)
            and ast.unparse(statement.value.func) == "IntegrationConfiguration"
        ):
            call = statement.value
            name = ast.literal_eval(call.args[0])
            found[name] = {keyword.arg: value(keyword.value) for keyword in call.keywords}
    return found


def test_generated_program_adopts_everything_changing_only_secrets_then_is_a_no_op(
    tmp_path: Path, engine: Engine, emulator: Emulator
) -> None:
    before = {held["_id"]: held for held in seed_several(emulator)}
    program_dir = tmp_path / "adopted"
    program_dir.mkdir()
    flags = [argument for key in INTEGRATIONS for argument in ("--integration-key", key)]

    generated = subprocess.run(
        [sys.executable, "-m", "provider.generate", *flags, "--output", str(program_dir / "__main__.py")],
        env={**os.environ, **generator_env(emulator)},
        capture_output=True,
        text=True,
        check=False,
    )

    assert generated.returncode == 0, generated.stderr
    assert generated.stdout == ""
    assert [f"{request.method} {request.path}" for request in emulator.requests] == [
        f"GET {CONFIGURATIONS}/keys/{key}" for key in INTEGRATIONS
    ]
    program = (program_dir / "__main__.py").read_text(encoding="utf-8")
    declared = declarations(program)
    assert set(declared) == {
        "change-approvals",
        "change-approvals-2",
        "change-approvals-3",
        "ops-blue-green-unicode-line2-end",
        "custom-approvals",  # '日本語' has no ASCII letters: named after its integration
        "class",
        "123-warehouse",
        "guardian",
    }
    assert {declaration["import_id"] for declaration in declared.values()} == set(before)
    secret_keys = sorted(
        value[1]
        for declaration in declared.values()
        for value in declaration["config_values"].values()
        if isinstance(value, tuple)
    )
    assert (
        len(secret_keys) == 6 and len(set(secret_keys)) == 6
    )  # every apiKey; Snowflake's hidden key left out
    for key in secret_keys:
        assert f"pulumi config set --secret {key} " in generated.stderr
        assert f"#   pulumi config set --secret {key} " in program
    assert "EMULATOR_TOKEN" not in program and EMULATOR_TOKEN not in program + generated.stderr
    assert "ui-secret" not in program  # no secret, nor its masked copy, is written down
    assert "fir*" not in program

    # Run the program as `pulumi up` would, with a new value for every secret.
    new_secrets = {key: f"rotated-{key}-value" for key in secret_keys}
    config = {f"adopted:{key}": secret for key, secret in new_secrets.items()}
    emulator.clear_requests()
    first = run_program(program_dir, engine, project="adopted", config=config, secret_keys=tuple(config))

    assert first.operations == dict.fromkeys(declared, "create")
    made = configuration_requests(emulator)  # manifest fetches (for validation) left out
    assert not any(request.method in ("POST", "DELETE") for request in made)
    patches = {request.path.rsplit("/", 1)[1]: request.body for request in made if request.method == "PATCH"}
    gets = sorted(request.path.rsplit("/", 1)[1] for request in made if request.method == "GET")
    assert gets == sorted(before)
    after = {held["_id"]: held for held in emulator.configurations()}
    assert set(after) == set(before)
    for name, declaration in declared.items():
        config_id = declaration["import_id"]
        assert engine.state[name].id == config_id
        secrets = {
            field: new_secrets[value[1]]
            for field, value in declaration["config_values"].items()
            if isinstance(value, tuple)
        }
        expected = {**before[config_id], "configValues": {**before[config_id]["configValues"], **secrets}}
        assert after[config_id] == expected, name
        if secrets:  # exactly one PATCH, of configValues only, with nothing but the secrets new
            assert patches.pop(config_id) == [
                {"op": "replace", "path": "/configValues", "value": expected["configValues"]}
            ]
    assert patches == {}  # Snowflake and PagerDuty declare no secret: nothing to send

    emulator.clear_requests()
    second = run_program(program_dir, engine, project="adopted", config=config, secret_keys=tuple(config))
    assert second.operations == dict.fromkeys(declared, "same")
    assert emulator.requests == []


def test_the_same_configurations_give_the_same_program(emulator: Emulator) -> None:
    seed_several(emulator)
    code, program, _ = run_generator(emulator, "--integration-key", "custom-approvals")
    assert code == 0
    assert run_generator(emulator, "--integration-key", "custom-approvals")[1] == program
    compile(program, "__main__.py", "exec")


def test_ids_select_configurations(emulator: Emulator) -> None:
    held = seed_several(emulator)
    code, program, stderr = run_generator(
        emulator,
        "--integration-key",
        "custom-approvals",
        "--integration-key",
        "pagerduty-guardian-edition",
        "--id",
        held[2]["_id"],
        "--id",
        held[7]["_id"],
    )
    assert code == 0, stderr
    assert {declaration["import_id"] for declaration in declarations(program).values()} == {
        held[2]["_id"],
        held[7]["_id"],
    }
    assert "Wrote a program adopting 2 configurations to standard output." in stderr


def one_line_error(code: int, stdout: str, stderr: str) -> str:
    assert code == 1
    assert stdout == ""
    assert stderr.startswith("error: ") and stderr.count("\n") == 1, stderr
    assert EMULATOR_TOKEN not in stderr
    return stderr


def test_errors_are_one_line(tmp_path: Path, emulator: Emulator) -> None:
    held = seed_several(emulator)
    assert "'nope'" in one_line_error(*run_generator(emulator, "--integration-key", "nope"))
    assert "--integration-key" in one_line_error(*run_generator(emulator, "--integration-key", "nope"))
    message = one_line_error(
        *run_generator(emulator, "--integration-key", "aiconfig-test-run", "--id", held[0]["_id"])
    )
    assert repr(held[0]["_id"]) in message
    assert "holds no integration configurations of devin" in one_line_error(
        *run_generator(emulator, "--integration-key", "devin")
    )
    existing = tmp_path / "__main__.py"
    existing.write_text("# mine\n")
    assert "--force" in one_line_error(
        *run_generator(emulator, "--integration-key", "custom-approvals", "--output", str(existing))
    )
    assert existing.read_text() == "# mine\n"
    assert (
        run_generator(
            emulator, "--integration-key", "custom-approvals", "--output", str(existing), "--force"
        )[0]
        == 0
    )
    assert "IntegrationConfiguration(" in existing.read_text(encoding="utf-8")


def test_a_missing_token_or_refused_token_says_what_to_do(emulator: Emulator) -> None:
    stdout, stderr = io.StringIO(), io.StringIO()
    code = main(
        ["--integration-key", "custom-approvals"], {"LAUNCHDARKLY_API_HOST": emulator.url}, stdout, stderr
    )
    assert "LAUNCHDARKLY_ACCESS_TOKEN" in one_line_error(code, stdout.getvalue(), stderr.getvalue())
    assert emulator.requests == []

    stdout, stderr = io.StringIO(), io.StringIO()
    environ = {"LAUNCHDARKLY_ACCESS_TOKEN": "api-wrong-token-987654", "LAUNCHDARKLY_API_HOST": emulator.url}
    code = main(["--integration-key", "custom-approvals"], environ, stdout, stderr)
    message = one_line_error(code, stdout.getvalue(), stderr.getvalue())
    assert "HTTP 401" in message
    assert "api-wrong-token-987654" not in message


def test_the_cli_fails_without_a_traceback(emulator: Emulator) -> None:
    failed = subprocess.run(
        [sys.executable, "-m", "provider.generate", "--integration-key", "nope"],
        env={**os.environ, **generator_env(emulator)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert failed.returncode == 1
    assert failed.stderr.startswith("error: LaunchDarkly does not know integration key 'nope'")
    assert "Traceback" not in failed.stderr
