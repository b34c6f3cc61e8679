"""The repository's own quickstart program (Pulumi.yaml + __main__.py), run as `pulumi up` would."""

from __future__ import annotations

from pathlib import Path

import yaml
from engine import Engine
from program_runner import run_program

from provider.emulator import Emulator

ROOT = Path(__file__).resolve().parent.parent


def quickstart_config() -> dict[str, str]:
    """The program's config from the offline stack file, as `pulumi up --stack emulator` would read it."""
    stack_file = yaml.safe_load((ROOT / "Pulumi.emulator.yaml").read_text())
    project = yaml.safe_load((ROOT / "Pulumi.yaml").read_text())["name"]
    return {key: str(value) for key, value in stack_file["config"].items() if key.startswith(f"{project}:")}


def test_quickstart_deploys_one_configuration_and_is_then_unchanged(
    engine: Engine, emulator: Emulator
) -> None:
    project = yaml.safe_load((ROOT / "Pulumi.yaml").read_text())["name"]
    first = run_program(ROOT, engine, project=project, config=quickstart_config())
    assert first.operations == {"change-approvals": "create"}
    (held,) = emulator.configurations()
    assert held["_integrationKey"] == "custom-approvals"
    assert held["name"] == "Change approvals"
    assert held["configValues"] == {
        "apiKey": "emulator-approvals-key",
        "baseURL": "https://approvals.example.com",
    }
    assert sorted(held["tags"]) == ["approvals", "platform"]
    assert first.exports == {"approvals_id": held["_id"]}

    emulator.clear_requests()
    second = run_program(ROOT, engine, project=project, config=quickstart_config())
    assert second.operations == {"change-approvals": "same"}
    assert emulator.requests == []


def test_offline_stack_points_at_a_loopback_emulator() -> None:
    stack_file = yaml.safe_load((ROOT / "Pulumi.emulator.yaml").read_text())["config"]
    assert stack_file["launchdarkly:apiHost"].startswith("http://127.0.0.1:")
    assert stack_file["launchdarkly:accessToken"]
