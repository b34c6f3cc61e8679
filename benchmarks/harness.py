"""What the benchmarks share: the engine harness of the test suite, plugin processes pointed at an
emulator, the declared configurations, and small timing helpers.

The engine stand-in (`tests/engine.py`) and the declaration helpers (`tests/lifecycle_helpers.py`)
are imported from the test suite rather than copied, so that the benchmarks drive the plugin
exactly as the tests do: tests/ goes on `sys.path` here, as pytest puts it there for the tests.
"""

from __future__ import annotations

import math
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
TESTS_DIR = REPO_ROOT / "tests"
if str(TESTS_DIR) not in sys.path:
    sys.path.insert(0, str(TESTS_DIR))

from engine import (  # noqa: E402
    CheckFailed,
    Declared,
    Engine,
    PluginProcess,
    ProviderCallError,
    StateEntry,
    from_struct,
    to_struct,
)
from lifecycle_helpers import (  # noqa: E402
    CONFIGURATIONS_PATH,
    MANIFESTS_PATH,
    RESOURCE_TYPE,
    approvals,
)

from provider.emulator import Emulator, RecordedRequest  # noqa: E402

__all__ = [
    "RESOURCE_TYPE",
    "TOKEN",
    "CheckFailed",
    "Declared",
    "Engine",
    "PluginProcess",
    "ProviderCallError",
    "StateEntry",
    "align_to_window",
    "approvals",
    "configuration_calls",
    "from_struct",
    "manifest_calls",
    "median_ms",
    "plugin",
    "program_dir",
    "settings_for",
    "to_struct",
]

TOKEN = "api-benchmark-token-0123456789"


@contextmanager
def program_dir() -> Iterator[Path]:
    """A throwaway folder for plugin processes to run in (the engine runs them in the program's)."""
    with tempfile.TemporaryDirectory(prefix="ld-bench-") as folder:
        yield Path(folder)


def settings_for(emulator: Emulator | None, **extra: str) -> dict[str, str]:
    """Stack config of a `pulumi up` against `emulator` (no token at all when None: no network)."""
    config = {f"launchdarkly:{key}": value for key, value in extra.items()}
    if emulator is not None:
        config.update({"launchdarkly:accessToken": TOKEN, "launchdarkly:apiHost": emulator.url})
    return config


def plugin(folder: Path, config: dict[str, str]) -> PluginProcess:
    """A started and configured plugin process. The repository root is on its PYTHONPATH so that
    providers defined under benchmarks/ unpickle there too; `provider` is installed in the venv."""
    python_path = [str(REPO_ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]
    process = PluginProcess(folder, {"PYTHONPATH": os.pathsep.join(python_path)}, timeout=600.0)
    try:
        secret = {"launchdarkly:accessToken"} & set(config)
        process.configure(config, secret_keys=secret)
    except BaseException:
        process.close()
        raise
    return process


def configuration_calls(requests: Sequence[RecordedRequest]) -> list[RecordedRequest]:
    """Requests to the integration-configuration endpoints: what the lifecycle steps cost."""
    return [request for request in requests if request.path.startswith(CONFIGURATIONS_PATH)]


def manifest_calls(requests: Sequence[RecordedRequest]) -> list[RecordedRequest]:
    """Manifest fetches: once per integration key per provider process, reported apart."""
    return [request for request in requests if request.path.startswith(MANIFESTS_PATH)]


def align_to_window(window: float) -> None:
    """Sleep until just after the emulator's next rate-limit window opens (its windows are fixed
    and aligned to the epoch), so that every measured phase starts with a whole window and the
    rate-limit bound is the same from run to run."""
    now = time.time()
    opens = math.floor(now / window) * window + window
    time.sleep(opens - now + 0.002)


def median_ms(seconds: Sequence[float]) -> float:
    return statistics.median(seconds) * 1000.0
