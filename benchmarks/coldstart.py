"""Benchmark 4: cold start, and what importing the provider costs.

Cold start is the time from spawning the plugin process to the answer of its first `Create`, as
the engine drives it (spawn, `Configure`, `Check`, `Create`), against the same for the trivial
provider of benchmarks/trivial.py. This provider's first check also fetches the integration's
manifest from the emulator and its create makes one POST: a real `pulumi up` does both.

Import times are measured in fresh interpreters. Both are measured with this package's bytecode
compiled, as an installation leaves it (pip compiles what it installs); an editable install under
PYTHONDONTWRITEBYTECODE would otherwise compile every module from source in every process.
"""

from __future__ import annotations

import compileall
import subprocess
import sys
import time
from pathlib import Path

import provider
from provider.emulator import running_emulator

from .harness import TOKEN, Declared, Engine, approvals, median_ms, plugin, program_dir, settings_for
from .report import Section, Table, Target
from .trivial import TrivialProvider

TARGET_RATIO = 1.5
IMPORTS = (
    ("import provider", "", "provider"),
    ("import pulumi.dynamic (any dynamic provider's plugin)", "", "pulumi.dynamic"),
    (
        "import provider.lifecycle after pulumi.dynamic (what this provider adds)",
        "pulumi.dynamic",
        "provider.lifecycle",
    ),
)


def run(repetitions: int) -> Section:
    for package in (Path(provider.__file__).parent, Path(__file__).parent):
        compileall.compile_dir(package, quiet=1)
    ours: list[float] = []
    trivial: list[float] = []
    with running_emulator(token=TOKEN) as emulator, program_dir() as folder:
        trivial_declared = Declared(
            name="trivial", provider=TrivialProvider(), props=dict(approvals("x").props)
        )
        for i in range(repetitions):
            # Alternated, so that the machine's noise falls on both alike.
            trivial.append(_cold_start(folder, {}, trivial_declared))
            ours.append(_cold_start(folder, settings_for(emulator), approvals(f"cold-{i}")))
    ratio = median_ms(ours) / median_ms(trivial)
    table = Table("4. Cold start", ["measure", "ms (median)", "against the trivial provider"])
    table.add("spawn to first Create answered: this provider", f"{median_ms(ours):.0f}", f"{ratio:.2f}x")
    table.add("spawn to first Create answered: trivial provider", f"{median_ms(trivial):.0f}", "1.00x")
    for label, before, module in IMPORTS:
        table.add(label, f"{median_ms([_import_time(before, module) for _ in range(repetitions)]):.0f}", "")
    table.notes += [
        f"Medians of {repetitions} runs, alternating the two providers. Cold start includes Configure and Check; "
        "this provider's first Check fetches the manifest (one GET) and its Create makes one POST.",
        "Import times are measured in a fresh interpreter each; `import provider` stays light on purpose (the "
        "resource and provider load on first use).",
        "Measured with the provider's bytecode compiled beforehand, as `pip install` leaves it.",
    ]
    target = Target(
        "4. cold start", f"{ratio:.2f}x the trivial provider", f"<= {TARGET_RATIO}x", ratio <= TARGET_RATIO
    )
    return Section([table], [target])


def _cold_start(folder: Path, config: dict[str, str], declared: Declared) -> float:
    started = time.perf_counter()
    process = plugin(folder, config)
    try:
        operations = Engine(process).up([declared]).operations
        elapsed = time.perf_counter() - started
    finally:
        process.close()
    if operations != {declared.name: "create"}:
        raise RuntimeError(f"cold start did {operations}, not one create")
    return elapsed


def _import_time(before: str, module: str) -> float:
    """Seconds to import `module` in a fresh interpreter, after importing `before` (untimed)."""
    script = (
        "import time\n"
        + (f"import {before}\n" if before else "")
        + f"started = time.perf_counter()\nimport {module}\nprint(time.perf_counter() - started)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    )
    return float(done.stdout.strip())
