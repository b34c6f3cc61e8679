"""The GitHub Actions workflows in examples/github-actions: valid workflows that do what the README says.

Each file is validated against GitHub's workflow schema (check-jsonschema's vendored copy, no
network), then checked for the actions, inputs and settings it depends on. The emulator step of
ci.yml is run for real in bash, as the runner would.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import yaml
from engine import Engine
from program_runner import run_program

from provider.emulator import Emulator

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS_DIR = ROOT / "examples" / "github-actions"
WORKFLOW_FILES = ("preview.yml", "deploy.yml", "ci.yml")

# Inputs of pulumi/actions (v6 and v7 share them), from the action's README: a typo in a `with:`
# key would otherwise be ignored silently by the runner.
PULUMI_ACTION_INPUTS = frozenset(
    {
        "command", "stack-name", "work-dir", "cloud-url", "comment-on-pr", "comment-on-summary",
        "github-token", "refresh", "secrets-provider", "color", "log-verbosity", "log-flow", "debug",
        "config-map", "diff", "comment-on-pr-number", "edit-pr-comment", "expect-no-changes", "message",
        "parallel", "policyPacks", "policyPackConfigs", "pulumi-version", "pulumi-version-file", "remove",
        "replace", "target", "target-dependents", "upsert", "exclude-protected", "suppress-outputs",
        "suppress-progress", "omit-stdout", "plan", "always-include-summary", "continue-on-error",
    }
)  # fmt: skip
MAJOR_TAG = re.compile(r"[\w.-]+/[\w.-]+@v\d+")
MANIFESTS_FILE_ENV = "LAUNCHDARKLY_MANIFESTS_FILE"


def load(name: str) -> dict[str, Any]:
    workflow: dict[str, Any] = yaml.safe_load((WORKFLOWS_DIR / name).read_text())
    # YAML 1.1 reads the bare key `on` as the boolean true.
    if True in workflow:
        workflow["on"] = workflow.pop(True)
    return workflow


def steps(workflow: dict[str, Any]) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    for job in workflow["jobs"].values():
        for step in job["steps"]:
            yield job, step


def pulumi_steps(workflow: dict[str, Any]) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    return [
        (job, step) for job, step in steps(workflow) if step.get("uses", "").startswith("pulumi/actions@")
    ]


def step_env(job: dict[str, Any], step: dict[str, Any]) -> dict[str, str]:
    return {**job.get("env", {}), **step.get("env", {})}


def test_every_workflow_is_valid_against_githubs_workflow_schema() -> None:
    files = [str(WORKFLOWS_DIR / name) for name in WORKFLOW_FILES]
    result = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.github-workflows", *files],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_folder_holds_the_documented_workflows() -> None:
    assert sorted(path.name for path in WORKFLOWS_DIR.glob("*.yml")) == sorted(WORKFLOW_FILES)
    readme = (WORKFLOWS_DIR / "README.md").read_text()
    for name in WORKFLOW_FILES:
        assert f"`{name}`" in readme


@pytest.mark.parametrize("name", WORKFLOW_FILES)
def test_actions_are_pinned_to_a_major_version_and_pulumi_inputs_exist(name: str) -> None:
    workflow = load(name)
    used = [step["uses"] for _, step in steps(workflow) if "uses" in step]
    assert used
    assert all(MAJOR_TAG.fullmatch(action) for action in used), used
    for _, step in pulumi_steps(workflow):
        unknown = set(step.get("with", {})) - PULUMI_ACTION_INPUTS
        assert not unknown, f"{name}: pulumi/actions has no input {sorted(unknown)}"


@pytest.mark.parametrize("name", WORKFLOW_FILES)
def test_the_program_folder_is_the_same_in_every_step(name: str) -> None:
    """Dependencies are installed where Pulumi runs, or the provider process cannot import `provider`."""
    workflow = load(name)
    folders = set()
    for job, step in steps(workflow):
        if "run" in step:
            default = job.get("defaults", {}).get("run", {}).get("working-directory")
            folders.add(step.get("working-directory", default))
        if step.get("uses", "").startswith("pulumi/actions@") and "command" in step.get("with", {}):
            folders.add(step["with"]["work-dir"])
    assert folders == {"infra"}


def test_preview_comments_on_pull_requests_with_secrets_from_the_repository() -> None:
    workflow = load("preview.yml")
    assert "pull_request" in workflow["on"]
    assert workflow["permissions"]["pull-requests"] == "write"
    ((job, step),) = pulumi_steps(workflow)
    inputs = step["with"]
    assert inputs["command"] == "preview"
    assert inputs["comment-on-pr"] is True
    assert inputs["stack-name"]
    env = step_env(job, step)
    assert env["LAUNCHDARKLY_ACCESS_TOKEN"] == "${{ secrets.LAUNCHDARKLY_ACCESS_TOKEN }}"
    assert env["PULUMI_ACCESS_TOKEN"] == "${{ secrets.PULUMI_ACCESS_TOKEN }}"
    assert env[MANIFESTS_FILE_ENV].endswith("/integration-manifests.json")
    # Forks get no secrets: the job must not run for them (ci.yml covers them).
    assert "head.repo.full_name == github.repository" in job["if"]


def test_deploy_runs_up_on_main_and_never_overlaps() -> None:
    workflow = load("deploy.yml")
    assert workflow["on"]["push"]["branches"] == ["main"]
    assert "pull_request" not in workflow["on"]
    concurrency = workflow["concurrency"]
    assert concurrency["group"]
    assert concurrency["cancel-in-progress"] is False
    ((job, step),) = pulumi_steps(workflow)
    assert step["with"]["command"] == "up"
    assert (
        step["with"]["stack-name"]
        == load("preview.yml")["jobs"]["preview"]["steps"][-1]["with"]["stack-name"]
    )
    env = step_env(job, step)
    assert env["LAUNCHDARKLY_ACCESS_TOKEN"] == "${{ secrets.LAUNCHDARKLY_ACCESS_TOKEN }}"
    assert env[MANIFESTS_FILE_ENV] == step_env(*pulumi_steps(load("preview.yml"))[0])[MANIFESTS_FILE_ENV]


def test_ci_runs_the_stack_against_the_emulator_without_any_secret() -> None:
    text = (WORKFLOWS_DIR / "ci.yml").read_text()
    assert not re.search(r"\$\{\{[^}]*\bsecrets\b", text), "ci.yml must run without repository secrets"
    workflow = load("ci.yml")
    assert {"pull_request", "push"} <= set(workflow["on"])
    commands = "\n".join(step.get("run", "") for _, step in steps(workflow))
    assert "python -m provider.emulator" in commands
    assert 'pulumi login "file://' in commands
    assert "--secrets-provider passphrase" in commands
    assert 'launchdarkly:apiHost "$EMULATOR_URL"' in commands
    assert '--secret launchdarkly:accessToken "$EMULATOR_TOKEN"' in commands
    # Deploy, then prove the second run is a no-op, in that order.
    order = [commands.index(command) for command in ("pulumi up", "--expect-no-changes", "pulumi destroy")]
    assert order == sorted(order)


def run_step(name: str, step_name: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run one `run:` step of a workflow with bash, as GitHub's runner does (bash -e -o pipefail)."""
    (step,) = [step for _, step in steps(load(name)) if step.get("name") == step_name]
    return subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
        cwd=cwd,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def github_env(path: Path) -> dict[str, str]:
    return dict(line.split("=", 1) for line in path.read_text().splitlines() if line)


def refuses_connections(url: str) -> bool:
    for _ in range(100):
        try:
            requests.get(url, timeout=1)
        except requests.ConnectionError:
            return True
        time.sleep(0.05)
    return False


def test_ci_emulator_steps_start_a_reachable_emulator_and_stop_it(tmp_path: Path) -> None:
    workflow = load("ci.yml")
    job = workflow["jobs"]["emulator"]
    program_dir = tmp_path / job["defaults"]["run"]["working-directory"]
    program_dir.mkdir()
    # The step runs the emulator from the program's virtualenv, where requirements.txt installed the provider.
    (program_dir / ".venv").symlink_to(Path(sys.prefix), target_is_directory=True)
    env_file = tmp_path / "github_env"
    env_file.touch()
    env = {
        "RUNNER_TEMP": str(tmp_path),
        "GITHUB_ENV": str(env_file),
        "EMULATOR_TOKEN": job["env"]["EMULATOR_TOKEN"],
    }

    started = run_step("ci.yml", "Start the LaunchDarkly API emulator", env, program_dir)
    exported = github_env(env_file)
    pid = int(exported["EMULATOR_PID"])
    try:
        assert started.returncode == 0, started.stderr
        url = exported["EMULATOR_URL"]
        assert url.startswith("http://127.0.0.1:")
        collection = f"{url}/api/v2/integration-configurations/keys/custom-approvals"
        headers = {"LD-API-Version": "beta"}
        answer = requests.get(
            collection, headers={**headers, "Authorization": env["EMULATOR_TOKEN"]}, timeout=5
        )
        assert answer.status_code == 200
        assert answer.json()["items"] == []
        # The emulator accepts only the token the later steps configure for the stack.
        wrong = requests.get(collection, headers={**headers, "Authorization": "another-token"}, timeout=5)
        assert wrong.status_code == 401

        stopped = run_step("ci.yml", "Stop the emulator", {**env, "EMULATOR_PID": str(pid)}, program_dir)
        assert stopped.returncode == 0, stopped.stderr
        assert refuses_connections(collection), "the emulator still answers after the stop step"
    finally:
        # The process the step started, whatever happened above (it is no child of this one).
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def test_readme_ci_stack_config_runs_the_custom_approvals_example(engine: Engine, emulator: Emulator) -> None:
    """The Pulumi.ci.yaml shown in the README works as is: plain-text stand-ins for secrets included."""
    readme = (WORKFLOWS_DIR / "README.md").read_text()
    blocks = re.findall(r"```yaml\n(.*?)```", readme, flags=re.DOTALL)
    (block,) = [block for block in blocks if "custom-approvals:" in block]
    config = {key: str(value) for key, value in yaml.safe_load(block)["config"].items()}
    run = run_program(
        ROOT / "examples" / "custom-approvals", engine, project="custom-approvals", stack="ci", config=config
    )
    assert run.operations == {"change-approvals": "create"}
    (held,) = emulator.configurations()
    assert held["configValues"]["apiKey"] == config["custom-approvals:approvalsApiKey"]
