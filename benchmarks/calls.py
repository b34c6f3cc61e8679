"""Benchmark 1: HTTP calls per lifecycle step, against the minimum possible.

Each step is one Pulumi command, so each runs in a fresh plugin process (as the CLI starts one per
command) with the engine's state carried over, against an emulator without faults. Calls to the
integration-configuration endpoints are counted per resource; manifest fetches (at most one per
integration key per process, issue 3) are counted apart, for the whole step.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence

from provider.emulator import running_emulator

from .harness import (
    TOKEN,
    Engine,
    StateEntry,
    approvals,
    configuration_calls,
    manifest_calls,
    plugin,
    program_dir,
    settings_for,
)
from .report import Section, Table, Target

# Step, the fewest configuration calls per resource it can take, and what the engine must report.
STEPS: tuple[tuple[str, int, str], ...] = (
    ("create", 1, "create"),
    ("unchanged up", 0, "same"),
    ("update", 1, "update"),
    ("refresh", 1, "same"),
    ("preview (check + diff)", 0, "update"),
    ("delete", 1, "delete"),
)


def run(resources: int = 3) -> Section:
    declared = [approvals(f"approvals-{i}", name=f"Approvals {i}") for i in range(resources)]
    renamed = [approvals(f"approvals-{i}", name=f"Approvals {i} renamed") for i in range(resources)]
    previewed = [approvals(f"approvals-{i}", name=f"Approvals {i} previewed") for i in range(resources)]
    actions: dict[str, Callable[[Engine], Sequence[str]]] = {
        "create": lambda engine: list(engine.up(declared).operations.values()),
        "unchanged up": lambda engine: list(engine.up(declared).operations.values()),
        "update": lambda engine: list(engine.up(renamed).operations.values()),
        "refresh": lambda engine: list(engine.refresh().values()),
        "preview (check + diff)": lambda engine: list(engine.preview(previewed).operations.values()),
        "delete": lambda engine: ["delete" for _ in engine.destroy()],
    }
    table = Table(
        "1. HTTP calls per lifecycle step",
        [
            "step",
            "configuration calls per resource",
            "minimum",
            "calls seen",
            "manifest fetches",
            "at minimum",
        ],
    )
    all_at_minimum = True
    state: dict[str, StateEntry] = {}
    with running_emulator(token=TOKEN) as emulator, program_dir() as folder:
        for step, minimum, expected in STEPS:
            seen = len(emulator.requests)
            with plugin(folder, settings_for(emulator)) as process:
                engine = Engine(process)
                engine.state = state
                operations = actions[step](engine)
                state = engine.state
            if Counter(operations) != {expected: resources}:
                raise RuntimeError(
                    f"step {step!r} did {dict(Counter(operations))}, not {resources} x {expected}"
                )
            requests = emulator.requests[seen:]
            calls = configuration_calls(requests)
            per_resource = len(calls) / resources
            at_minimum = per_resource == minimum
            all_at_minimum &= at_minimum
            methods = ", ".join(
                f"{count} {method}" for method, count in Counter(r.method for r in calls).items()
            )
            table.add(
                step,
                f"{per_resource:g}",
                minimum,
                methods or "none",
                len(manifest_calls(requests)),
                "yes" if at_minimum else "**no**",
            )
    table.notes += [
        f"{resources} custom-approvals configurations per step; each step is a fresh plugin process, "
        "like each Pulumi command.",
        "Manifest fetches are not configuration calls: a process fetches each integration key's manifest "
        "once, at its first check or refresh (delete needs none); a pinned manifests file "
        "(`launchdarkly:manifestsFile`) removes them.",
    ]
    target = Target(
        "1. calls per step",
        "all at the minimum" if all_at_minimum else "above the minimum (see table 1)",
        "= minimum at every step",
        all_at_minimum,
    )
    return Section([table], [target])
