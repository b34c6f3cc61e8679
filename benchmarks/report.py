"""Tables, the targets they are judged against, the machine they ran on, and the marked section
of docs/benchmarks.md that `--write` replaces."""

from __future__ import annotations

import datetime
import os
import platform
import subprocess
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

# The begin marker is found by its start, so that a reworded comment still matches.
BEGIN_PREFIX = "<!-- benchmarks:begin"
BEGIN_MARKER = f"{BEGIN_PREFIX} (written by `python -m benchmarks --write`; do not edit by hand) -->"
END_MARKER = "<!-- benchmarks:end -->"


@dataclass
class Table:
    title: str
    columns: list[str]
    rows: list[list[str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, *cells: object) -> None:
        self.rows.append([str(cell) for cell in cells])

    def markdown(self) -> str:
        lines = [f"### {self.title}", ""]
        lines.append("| " + " | ".join(self.columns) + " |")
        lines.append("|" + "|".join("---" for _ in self.columns) + "|")
        lines += ["| " + " | ".join(row) + " |" for row in self.rows]
        if self.notes:
            lines.append("")
            lines += [f"- {note}" for note in self.notes]
        return "\n".join(lines)


@dataclass(frozen=True)
class Target:
    """One of the issue's targets, as measured in this run."""

    benchmark: str
    measured: str
    target: str
    met: bool


@dataclass
class Section:
    """What one benchmark produced."""

    tables: list[Table]
    targets: list[Target]


def summary(targets: list[Target]) -> Table:
    table = Table("Targets", ["benchmark", "measured", "target", "met"])
    for target in targets:
        table.add(target.benchmark, target.measured, target.target, "yes" if target.met else "**no**")
    return table


def machine() -> list[str]:
    """Where and when the numbers were taken: they mean little without it."""
    return [
        f"date: {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC",
        f"machine: {os.cpu_count()} CPUs ({_cpu_model()}), {platform.system()} {platform.release()}",
        f"Python {platform.python_version()}, pulumi {_version('pulumi')}, "
        f"launchdarkly-api {_version('launchdarkly-api')}, provider {_version('pulumi-launchdarkly-integrations')}",
        f"commit: {_commit()}",
    ]


def render(title: str, settings: list[str], sections: list[Section]) -> str:
    targets = [target for section in sections for target in section.targets]
    parts = [f"## {title}", "", *[f"- {line}" for line in machine() + settings], ""]
    parts.append(summary(targets).markdown())
    for section in sections:
        for table in section.tables:
            parts += ["", table.markdown()]
    return "\n".join(parts) + "\n"


def write_section(path: Path, text: str) -> None:
    """Replace what lies between the markers in `path` (appending them when absent)."""
    block = f"{BEGIN_MARKER}\n\n{text}\n{END_MARKER}"
    current = path.read_text(encoding="utf-8") if path.exists() else ""
    start, end = current.find(BEGIN_PREFIX), current.find(END_MARKER)
    if start == -1 or end == -1 or end < start:
        updated = current.rstrip("\n") + ("\n\n" if current else "") + block + "\n"
    else:
        updated = current[:start] + block + current[end + len(END_MARKER) :]
    path.write_text(updated, encoding="utf-8")


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def _version(distribution: str) -> str:
    try:
        return version(distribution)
    except PackageNotFoundError:
        return "not installed"


def _commit() -> str:
    try:
        described = subprocess.run(
            ["git", "describe", "--always", "--dirty"],
            cwd=Path(__file__).resolve().parent,
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except OSError:
        return "unknown"
    return described.stdout.strip() or "unknown"
