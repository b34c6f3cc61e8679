"""The example projects' files: complete, consistent with each other, and free of the known traps."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from test_examples import EXAMPLES, STACKS, data_file_entries, project_name, stack_config

ROOT = Path(__file__).resolve().parent.parent
PROGRAMS = (
    "ai-config-test-run",
    "custom-approvals",
    "many-configurations",
    "pagerduty-guardian",
    "snowflake-experimentation",
)
REQUIRED_FILES = (
    "Pulumi.yaml",
    "__main__.py",
    "README.md",
    "requirements.txt",
    *(f"Pulumi.{stack}.yaml" for stack in STACKS),
)
PROVIDER_NAMESPACE = "launchdarkly"


def program_secrets(example: Path) -> set[str]:
    """The config keys a program reads as secrets: `require_secret*("name")`, plus data-file secrets."""
    source = (example / "__main__.py").read_text()
    names = set(re.findall(r"\.(?:require|get)_secret(?:_object)?\(\s*\"([^\"]+)\"", source))
    if example.name == "many-configurations":
        for stack in STACKS:
            data_file = example / stack_config(example, stack)["dataFile"]
            for _, entry in data_file_entries(data_file).values():
                names.update(entry.get("secrets", {}).values())
    return names


def test_examples_folder_holds_the_tested_programs_and_the_workflows() -> None:
    programs = sorted(path.parent.name for path in EXAMPLES.glob("*/Pulumi.yaml"))
    assert programs == sorted(PROGRAMS)
    folders = sorted(path.name for path in EXAMPLES.iterdir() if path.is_dir())
    assert folders == sorted([*PROGRAMS, "github-actions"])


@pytest.mark.parametrize("name", PROGRAMS)
def test_example_has_every_file_and_a_python_pip_virtualenv_project(name: str) -> None:
    example = EXAMPLES / name
    missing = [file for file in REQUIRED_FILES if not (example / file).is_file()]
    assert not missing
    project: dict[str, Any] = yaml.safe_load((example / "Pulumi.yaml").read_text())
    assert project["name"] == name
    assert project["description"]
    assert project["runtime"] == {"name": "python", "options": {"toolchain": "pip", "virtualenv": ".venv"}}
    # `main:` would move the provider process's cwd away from the virtualenv's folder.
    assert "main" not in project


@pytest.mark.parametrize("name", PROGRAMS)
@pytest.mark.parametrize("stack", STACKS)
def test_stack_config_keys_belong_to_the_project_and_hold_no_secret(name: str, stack: str) -> None:
    example = EXAMPLES / name
    config: dict[str, Any] = yaml.safe_load((example / f"Pulumi.{stack}.yaml").read_text())["config"]
    assert config
    namespaces = {key.split(":", 1)[0] for key in config}
    assert namespaces <= {project_name(example), PROVIDER_NAMESPACE}, namespaces
    assert all(":" in key for key in config)
    # Secrets are set per person or per CI with `pulumi config set --secret`, never committed in plain text.
    committed_secrets = {key.split(":", 1)[1] for key in config} & (
        program_secrets(example) | {"accessToken"}
    )
    assert not committed_secrets


@pytest.mark.parametrize("name", PROGRAMS)
def test_readme_says_how_to_set_every_secret(name: str) -> None:
    example = EXAMPLES / name
    readme = (example / "README.md").read_text()
    assert f"cd examples/{name}\n" in readme
    assert "pulumi config set --secret launchdarkly:accessToken" in readme
    for secret in program_secrets(example):
        assert re.search(rf"pulumi config set --secret (--path '{secret}\.|{secret} )", readme), secret


@pytest.mark.parametrize("name", PROGRAMS)
def test_requirements_install_the_provider_from_this_checkout(name: str) -> None:
    lines = [
        line.strip()
        for line in (EXAMPLES / name / "requirements.txt").read_text().splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    editable = [line.removeprefix("-e").strip() for line in lines if line.startswith("-e")]
    assert len(editable) == 1
    assert (EXAMPLES / name / editable[0]).resolve() == ROOT
    if "import yaml" in (EXAMPLES / name / "__main__.py").read_text():
        assert any(line.lower().startswith("pyyaml") for line in lines)


def test_root_readme_lists_every_example() -> None:
    readme = (ROOT / "README.md").read_text()
    examples_section = readme.split("## Examples\n", 1)[1].split("\n## ", 1)[0]
    for folder in sorted(path.name for path in EXAMPLES.iterdir() if path.is_dir()):
        assert f"](examples/{folder}/)" in examples_section, folder
    assert "\n## Use in pull requests\n" in readme
