"""Load: 200 configurations created, updated and destroyed through the real plugin process with 4
steps in flight, against a route limit plus 10% server errors and 2% creates dropped after commit.

Asserted: no operation fails, every declared configuration exists exactly once, nothing is left
after destroy. Printed (see them with `pytest -s`): operations, requests, retries, wall time, and
wall time divided by the time the rate limit alone forces. The emulator's window is 1 s instead
of LaunchDarkly's 10 s to keep the suite quick; only the ratio matters.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from conftest import MakeEngine
from lifecycle_helpers import approvals, assert_each_exists_once, configuration_requests

from provider.emulator import Emulator, Faults, RecordedRequest

COUNT = 200
PARALLEL = 4
WINDOW = 1.0
ROUTE_LIMIT = 50
FAULTS = Faults(window=WINDOW, route_limit=ROUTE_LIMIT, error_rate=0.10, drop_after_create=0.02, seed=2024)
# The request each operation needs, by the emulator's route names.
WRITE_ROUTES = {"POST": "create", "PATCH": "update", "DELETE": "delete"}


@dataclass(frozen=True)
class Phase:
    name: str
    operations: int
    requests: list[RecordedRequest]
    wall: float

    @property
    def by_route(self) -> Counter[str]:
        return Counter(_route(request) for request in self.requests)

    @property
    def bound(self) -> float:
        """What the route limit alone forces: each route's requests / limit * window (routes are
        limited separately and run side by side, so the busiest one decides)."""
        return max(self.by_route.values()) / ROUTE_LIMIT * WINDOW

    @property
    def retries(self) -> int:
        """Write requests beyond one per operation."""
        return sum(1 for request in self.requests if request.method in WRITE_ROUTES) - self.operations

    def row(self) -> str:
        answers = Counter(request.status for request in self.requests)
        server_errors = sum(count for status, count in answers.items() if status >= 500)
        dropped = sum(request.dropped for request in self.requests)
        checks = self.by_route.get("list", 0)
        return (
            f"{self.name:<8} {self.operations:>5} {len(self.requests):>8} {self.retries:>7} {answers[429]:>4} "
            f"{server_errors:>4} {dropped:>4} {checks:>6} {self.wall:>7.2f} {self.bound:>7.2f} "
            f"{self.wall / self.bound:>6.2f}"
        )


def _route(request: RecordedRequest) -> str:
    if request.method == "GET":
        return "list" if "/keys/" in request.path else "read"
    return WRITE_ROUTES.get(request.method, request.method)


def test_bulk_apply_under_rate_limit_server_errors_and_drops(
    make_engine: MakeEngine, emulator: Emulator
) -> None:
    engine = make_engine()
    emulator.set_faults(FAULTS)
    names = {f"cfg-{i:03d}": f"Config {i}" for i in range(COUNT)}
    renamed = {resource: f"{name} renamed" for resource, name in names.items()}
    phases: list[Phase] = []

    def measured(name: str, run: Callable[[], object]) -> None:
        seen_before = len(configuration_requests(emulator))
        started = time.perf_counter()
        run()
        wall = time.perf_counter() - started
        # Manifest fetches (one per integration key and process, during check) are not the load.
        phases.append(Phase(name, COUNT, configuration_requests(emulator)[seen_before:], wall))

    def create() -> None:
        result = engine.up([approvals(r, name=n) for r, n in names.items()], parallel=PARALLEL)
        assert Counter(result.operations.values()) == {"create": COUNT}

    def update() -> None:
        result = engine.up([approvals(r, name=n) for r, n in renamed.items()], parallel=PARALLEL)
        assert Counter(result.operations.values()) == {"update": COUNT}

    measured("create", create)
    assert_each_exists_once(engine, emulator, names)
    measured("update", update)
    assert_each_exists_once(engine, emulator, renamed)
    measured("destroy", lambda: engine.destroy(parallel=PARALLEL))
    assert engine.state == {}
    assert emulator.configurations() == []

    # The faults really happened, or this test would prove nothing.
    everything = [request for phase in phases for request in phase.requests]
    assert any(request.status >= 500 for request in everything)
    assert any(request.dropped for request in everything)

    header = (
        f"{'phase':<8} {'ops':>5} {'requests':>8} {'retries':>7} {'429':>4} {'5xx':>4} {'drop':>4} "
        f"{'checks':>6} {'wall s':>7} {'bound s':>7} {'ratio':>6}"
    )
    total_wall = sum(phase.wall for phase in phases)
    total_bound = sum(phase.bound for phase in phases)
    print(
        f"\nLoad test: {COUNT} configurations, {PARALLEL} in flight, route limit {ROUTE_LIMIT} per {WINDOW:g} s "
        "window, 10% 5xx, 2% creates dropped after commit",
        header,
        *(phase.row() for phase in phases),
        f"{'total':<8} {3 * COUNT:>5} {len(everything):>8} {sum(p.retries for p in phases):>7} "
        f"{'':>4} {'':>4} {'':>4} {'':>6} {total_wall:>7.2f} {total_bound:>7.2f} {total_wall / total_bound:>6.2f}",
        "(bound = requests on the busiest route / limit * window; checks = lists after ambiguous creates)",
        sep="\n",
    )
