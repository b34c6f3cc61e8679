"""`python -m benchmarks`: run every benchmark and print one report (Markdown tables).

    python -m benchmarks                                # full run (several minutes)
    python -m benchmarks --quick                        # under a minute
    python -m benchmarks --write docs/benchmarks.md     # also replace the report in that file

Sizes can be overridden (the smoke test runs tiny ones). The exit status is 0 even when a target
is missed: a miss is a finding to report, not a crash; it is 1 only when a benchmark fails to run.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from . import bulk, calls, coldstart, overhead, preview
from .report import Section, render, write_section

BENCHMARKS = ("calls", "bulk", "overhead", "coldstart", "preview")


@dataclass(frozen=True)
class Plan:
    """How big each benchmark runs."""

    sizes: tuple[int, ...]
    window: float
    latency: float
    limit: int | None
    iterations: int
    repetitions: int
    preview_count: int
    # One more bulk load (N, L, latency) with a longer round trip, or None.
    far: tuple[int, int, float] | None = None


FULL = Plan(
    sizes=(50, 200, 1000),
    window=1.0,
    latency=0.01,
    limit=None,
    iterations=200,
    repetitions=7,
    preview_count=1000,
    far=(200, 40, 0.05),
)
# Under a minute on a 2-core machine: one bulk size over five short windows, fewer repetitions.
QUICK = Plan(sizes=(50,), window=0.5, latency=0.01, limit=10, iterations=40, repetitions=3, preview_count=200)


def parse(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes: finishes in under a minute")
    parser.add_argument(
        "--write", type=Path, metavar="FILE", help="replace the marked report section in FILE"
    )
    parser.add_argument("--only", help=f"comma-separated subset of: {', '.join(BENCHMARKS)}")
    parser.add_argument("--sizes", help="bulk sizes N, comma-separated (default 50,200,1000; quick 50)")
    parser.add_argument("--window", type=float, help="rate-limit window in seconds (default 1; quick 0.5)")
    parser.add_argument("--limit", type=int, help="route limit L per window (default N/10, 2..40; quick 10)")
    parser.add_argument("--latency", type=float, help="seconds added to each emulator answer in bulk (0.01)")
    parser.add_argument(
        "--far",
        help="one more bulk load N,L,LATENCY with a longer round trip, or 'none' (default 200,40,0.05; quick none)",
    )
    parser.add_argument("--iterations", type=int, help="overhead iterations (default 200; quick 40)")
    parser.add_argument("--repetitions", type=int, help="cold starts and import timings (default 7; quick 3)")
    parser.add_argument(
        "--preview-count", type=int, help="resources in the preview (default 1000; quick 200)"
    )
    return parser.parse_args(argv)


def plan_from(args: argparse.Namespace) -> Plan:
    base = QUICK if args.quick else FULL
    return Plan(
        sizes=tuple(int(size) for size in args.sizes.split(",")) if args.sizes else base.sizes,
        window=args.window if args.window is not None else base.window,
        latency=args.latency if args.latency is not None else base.latency,
        limit=args.limit if args.limit is not None else base.limit,
        iterations=args.iterations or base.iterations,
        repetitions=args.repetitions or base.repetitions,
        preview_count=args.preview_count or base.preview_count,
        far=_far(args.far) if args.far is not None else base.far,
    )


def _far(text: str) -> tuple[int, int, float] | None:
    if text.strip().lower() == "none":
        return None
    count, limit, latency = text.split(",")
    return int(count), int(limit), float(latency)


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    args = parse(argv)
    plan = plan_from(args)
    chosen = args.only.split(",") if args.only else list(BENCHMARKS)
    unknown = sorted(set(chosen) - set(BENCHMARKS))
    if unknown:
        print(
            f"unknown benchmarks: {', '.join(unknown)} (choose from {', '.join(BENCHMARKS)})", file=sys.stderr
        )
        return 2
    # Settings must come from the benchmarks alone: a token or host exported for real work would
    # otherwise reach the in-process providers (the plugin harness already drops them for plugins).
    for name in [name for name in os.environ if name.startswith("LAUNCHDARKLY_")]:
        del os.environ[name]

    runners: dict[str, Callable[[], Section]] = {
        "calls": calls.run,
        "bulk": lambda: bulk.run(
            plan.sizes, plan.window, plan.latency, plan.limit, plan.far, progress=_progress
        ),
        "overhead": lambda: overhead.run(plan.iterations),
        "coldstart": lambda: coldstart.run(plan.repetitions),
        "preview": lambda: preview.run(plan.preview_count),
    }
    sections: list[Section] = []
    started = time.perf_counter()
    for name in BENCHMARKS:
        if name in chosen:
            _progress(f"running {name} ...")
            sections.append(runners[name]())
    elapsed = time.perf_counter() - started
    settings = [
        f"mode: {'quick' if args.quick else 'full'} ({elapsed:.0f} s); bulk N = {', '.join(map(str, plan.sizes))}, "
        f"window {plan.window:g} s, latency {plan.latency * 1000:g} ms"
        + (f", and N = {plan.far[0]}, L = {plan.far[1]} at {plan.far[2] * 1000:g} ms" if plan.far else "")
        + f"; overhead {plan.iterations} iterations; "
        f"{plan.repetitions} cold start(s); preview of {plan.preview_count} resources",
        "command: `" + " ".join(["python -m benchmarks", *argv]) + "`",
    ]
    text = render("Latest results", settings, sections)
    print(text)
    if args.write:
        write_section(args.write, text)
        _progress(f"wrote the report into {args.write}")
    return 0


def _progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


if __name__ == "__main__":
    sys.exit(main())
