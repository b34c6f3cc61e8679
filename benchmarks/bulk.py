"""Benchmark 2: bulk apply under a route rate limit, against the bound the limit alone forces.

N configurations are created, updated and destroyed (three phases) by three clients, each against
a fresh emulator limiting every route to L requests per window:

- this provider, through the real plugin process, with the engine's 4 steps in flight;
- the official `launchdarkly-api` client, 4 calls in flight, no retries (a script);
- the fixed policy of LaunchDarkly's Terraform provider, one request at a time (see baselines.py).

The bound of a phase is N / L x window: each operation needs one request on the phase's route, and
the route allows L per window. Every phase starts just after a window opens, so a client that
spends each window's allowance at once finishes the last window early: slightly under the bound
is possible, and 1.00 means no time lost to the limit beyond what it forces.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from provider.emulator import Emulator, Faults, RecordedRequest, running_emulator

from .baselines import FixedPolicy, OfficialClient, create_body, rename
from .harness import (
    TOKEN,
    CheckFailed,
    Engine,
    ProviderCallError,
    align_to_window,
    approvals,
    configuration_calls,
    plugin,
    program_dir,
    settings_for,
)
from .report import Section, Table, Target

PARALLEL = 4
TARGET_RATIO = 1.15
INTEGRATION_KEY = "custom-approvals"
OURS = "this provider"
OFFICIAL = "official client, no retries"
FIXED_POLICY = "fixed policy (Terraform's)"


@dataclass(frozen=True)
class Load:
    """The workload and the limit it runs under."""

    count: int
    limit: int
    window: float
    latency: float

    @property
    def phase_bound(self) -> float:
        return self.count / self.limit * self.window

    def faults(self) -> Faults:
        return Faults(window=self.window, route_limit=self.limit, latency=self.latency, seed=7)


@dataclass
class Phase:
    name: str
    wall: float
    calls: list[RecordedRequest]
    operations: int
    failed: int


@dataclass
class Run:
    client: str
    in_flight: int
    load: Load
    phases: list[Phase] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def wall(self) -> float:
        return sum(phase.wall for phase in self.phases)

    @property
    def bound(self) -> float:
        return len(self.phases) * self.load.phase_bound

    @property
    def ratio(self) -> float:
        return self.wall / self.bound

    @property
    def requests(self) -> int:
        return sum(len(phase.calls) for phase in self.phases)

    @property
    def refused(self) -> int:
        return sum(1 for phase in self.phases for call in phase.calls if call.status == 429)

    @property
    def retries(self) -> int:
        """Requests beyond one per attempted operation."""
        attempted = sum(phase.operations for phase in self.phases)
        return self.requests - attempted

    @property
    def failed(self) -> int:
        return sum(phase.failed for phase in self.phases)


def default_limit(count: int) -> int:
    """L for N: N/10, so that each phase spans ten windows (the first and last window's effects are
    then about a tenth of the bound), at most 40 per window so that the allowed rate stays well
    below what the plugin and this harness push through on a small machine (the limit, not the
    CPU, must be what binds), and at least 2."""
    return max(2, min(40, count // 10))


def run(
    sizes: Sequence[int],
    window: float,
    latency: float,
    limit: int | None = None,
    far: tuple[int, int, float] | None = None,
    progress: Callable[[str], None] = print,
) -> Section:
    """Every size under `latency`, then, when `far` = (N, L, latency) is given, one more load with a
    longer round trip: where one request at a time can no longer spend a window's allowance."""
    loads = [Load(count, limit or default_limit(count), window, latency) for count in sizes]
    if far is not None:
        loads.append(Load(far[0], far[1], window, far[2]))
    runs: list[Run] = []
    for load in loads:
        for make in (run_provider, run_official, run_fixed_policy):
            result = make(load)
            progress(
                f"  bulk N={load.count} L={load.limit} latency {load.latency * 1000:g} ms, {result.client}: "
                f"{result.wall:.1f} s, {result.ratio:.2f} x bound, {result.failed} failed"
            )
            runs.append(result)
    return _section(runs, window)


def run_provider(load: Load) -> Run:
    result = Run(OURS, PARALLEL, load)
    declared = [approvals(f"cfg-{i:04d}", name=f"Config {i}") for i in range(load.count)]
    renamed = [approvals(d.name, name=f"{d.props['name']} renamed") for d in declared]
    with (
        running_emulator(token=TOKEN, faults=load.faults()) as emulator,
        program_dir() as folder,
        plugin(folder, settings_for(emulator)) as process,
    ):
        engine = Engine(process)
        # Warm the process (unpickle, configure, fetch the manifest) so that the phases measure the
        # rate-limited work; cold start is benchmark 4.
        engine.preview(declared[:1])

        def create() -> int:
            _attempt(result, lambda: engine.up(declared, parallel=PARALLEL))
            return load.count - len(engine.state)

        def update() -> int:
            _attempt(result, lambda: engine.up(renamed, parallel=PARALLEL))
            names = {entry.outputs.get("name") for entry in engine.state.values()}
            return sum(1 for d in renamed if d.props["name"] not in names)

        def destroy() -> int:
            _attempt(result, lambda: engine.destroy(parallel=PARALLEL))
            return len(engine.state)

        result.phases.append(_phase(emulator, load, "create", load.count, create))
        held = Counter(item["name"] for item in emulator.configurations())
        duplicated = sum(count - 1 for count in held.values() if count > 1)
        if duplicated:
            result.problems.append(f"{duplicated} configurations created twice")
        result.phases.append(_phase(emulator, load, "update", load.count, update))
        result.phases.append(_phase(emulator, load, "destroy", load.count, destroy))
        if emulator.configurations():
            result.problems.append(f"{len(emulator.configurations())} configurations left after destroy")
    return result


def _attempt(result: Run, step: Callable[[], object]) -> None:
    """Run a deployment; a failure is recorded and counted from the state afterwards, as a
    `pulumi up` reports failed steps and keeps the ones that succeeded."""
    try:
        step()
    except (ProviderCallError, CheckFailed) as error:
        result.problems.append(str(error).strip().splitlines()[-1][:200])


def run_official(load: Load) -> Run:
    return _run_baseline(OFFICIAL, OfficialClient, load)


def run_fixed_policy(load: Load) -> Run:
    return _run_baseline(FIXED_POLICY, FixedPolicy, load)


def _run_baseline(label: str, kind: type[OfficialClient] | type[FixedPolicy], load: Load) -> Run:
    result = Run(label, kind.in_flight, load)
    props = [dict(approvals(f"cfg-{i:04d}", name=f"Config {i}").props) for i in range(load.count)]
    ids: dict[int, str] = {}
    with running_emulator(token=TOKEN, faults=load.faults()) as emulator:
        client = kind(emulator.url, TOKEN)

        def create(i: int) -> None:
            created = client.call(
                lambda api: api.create_integration_configuration(INTEGRATION_KEY, create_body(props[i]))
            )
            ids[i] = created.id

        def update(i: int) -> None:
            client.call(
                lambda api: api.update_integration_configuration(ids[i], rename(f"Config {i} renamed"))
            )

        def delete(i: int) -> None:
            client.call(lambda api: api.delete_integration_configuration(ids[i]))

        # An operation on a configuration whose create failed cannot happen: it counts as failed too.
        result.phases.append(
            _phase(
                emulator, load, "create", load.count, lambda: _each(kind.in_flight, range(load.count), create)
            )
        )
        created = sorted(ids)
        never_created = load.count - len(created)

        def on_created(operation: Callable[[int], None]) -> Callable[[], int]:
            return lambda: _each(kind.in_flight, created, operation) + never_created

        result.phases.append(_phase(emulator, load, "update", len(created), on_created(update)))
        result.phases.append(_phase(emulator, load, "destroy", len(created), on_created(delete)))
    return result


def _each(in_flight: int, items: Sequence[int] | range, operation: Callable[[int], None]) -> int:
    """Run `operation` on every item, `in_flight` at a time; returns how many raised."""

    def attempt(item: int) -> bool:
        try:
            operation(item)
        except Exception:
            return False
        return True

    if in_flight <= 1:
        outcomes = [attempt(item) for item in items]
    else:
        with ThreadPoolExecutor(max_workers=in_flight) as pool:
            outcomes = list(pool.map(attempt, items))
    return outcomes.count(False)


def _phase(emulator: Emulator, load: Load, name: str, operations: int, body: Callable[[], int]) -> Phase:
    align_to_window(load.window)
    seen = len(emulator.requests)
    started = time.perf_counter()
    failed = body()
    wall = time.perf_counter() - started
    return Phase(name, wall, configuration_calls(emulator.requests[seen:]), operations, failed)


def _section(runs: list[Run], window: float) -> Section:
    table = Table(
        "2. Bulk apply under a route rate limit",
        [
            "N",
            "L per window",
            "latency ms",
            "client",
            "in flight",
            "wall s",
            "bound s",
            "wall / bound",
            "create / update / destroy",
            "requests",
            "429s",
            "retries",
            "failed ops",
        ],
    )
    for result in runs:
        per_phase = " / ".join(f"{phase.wall / result.load.phase_bound:.2f}" for phase in result.phases)
        failed = f"{result.failed} of {3 * result.load.count}"
        if result.problems:
            failed += " (" + "; ".join(result.problems) + ")"
        table.add(
            result.load.count,
            result.load.limit,
            f"{result.load.latency * 1000:g}",
            result.client,
            result.in_flight,
            f"{result.wall:.2f}",
            f"{result.bound:.2f}",
            f"{result.ratio:.2f}",
            per_phase,
            result.requests,
            result.refused,
            result.retries,
            failed,
        )
    table.notes += [
        f"Window {window:g} s (LaunchDarkly's is 10 s; shortened so that N = 1000 finishes in minutes: only the "
        "ratio matters); latency: added to every answer by the emulator; route limit L per window on each of "
        "create, update and delete; a fresh emulator for every client and load.",
        "One request at a time manages at most 1 / (latency + the emulator's own time) requests per second: "
        "the fixed policy keeps up only while that exceeds L / window. The longer-latency load shows the "
        "other case.",
        "bound = 3 phases x N / L x window: what the limit alone forces. Each phase starts as a window opens, "
        "so a client that spends every window's allowance at once finishes the last window early and can "
        "score a little under 1.",
        "requests, 429s and retries count integration-configuration calls only (retries = requests beyond one "
        "per attempted operation; 429s are among them). The provider's plugin is warmed first (one check, "
        "which fetches the manifest once); cold start is benchmark 4.",
        "failed ops: of the 3N creates, updates and deletes, those that did not happen; an update or delete of "
        "a configuration whose create failed counts as failed.",
    ]
    ours = [result for result in runs if result.client == OURS]
    worst = max(ours, key=lambda result: result.ratio)
    failures = sum(result.failed + len(result.problems) for result in ours)
    beside = {result.client: result for result in runs if result.load == worst.load}
    fixed, official = beside[FIXED_POLICY], beside[OFFICIAL]
    target = Target(
        "2. bulk wall / rate-limit bound",
        f"{worst.ratio:.2f} at worst (N = {worst.load.count}), {failures} failed; beside it the fixed policy "
        f"{fixed.ratio:.2f} and the official client {official.failed} of {3 * official.load.count} failed",
        f"<= {TARGET_RATIO} at every N, 0 failed",
        all(result.ratio <= TARGET_RATIO for result in ours) and failures == 0,
    )
    return Section([table], [target])
