"""Shared fixtures. `spawn_plugin` starts real dynamic-provider plugin processes (see engine.py)."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

import pytest
from engine import Engine, PluginProcess

from provider.emulator import Emulator, running_emulator

FIXTURES_DIR = Path(__file__).parent / "fixtures"

# Provider classes are pickled by reference (module.Class): a helper provider in tests/fixtures must
# import under the same module name here and in the plugin process, which gets the same folder on
# its PYTHONPATH from `spawn_plugin`.
if str(FIXTURES_DIR) not in sys.path:
    sys.path.insert(0, str(FIXTURES_DIR))

SpawnPlugin = Callable[..., PluginProcess]


@pytest.fixture
def spawn_plugin(tmp_path: Path) -> Iterator[SpawnPlugin]:
    """Start plugin processes: ``spawn_plugin(env=None, program_dir=tmp_path, **PluginProcess kwargs)``.

    The process runs in ``program_dir`` with tests/fixtures prepended to PYTHONPATH and ``env``
    applied on top; every process started is closed at teardown.
    """
    started: list[PluginProcess] = []

    def spawn(
        env: Mapping[str, str] | None = None, program_dir: Path = tmp_path, **kwargs: float
    ) -> PluginProcess:
        python_path = [str(FIXTURES_DIR), *filter(None, [os.environ.get("PYTHONPATH")])]
        merged = {"PYTHONPATH": os.pathsep.join(python_path), **(env or {})}
        process = PluginProcess(program_dir, merged, **kwargs)
        started.append(process)
        return process

    yield spawn
    for process in started:
        process.close()


# -- LaunchDarkly provider fixtures ------------------------------------------------------------

EMULATOR_TOKEN = "api-emulator-test-token-0123456789"


@pytest.fixture
def emulator() -> Iterator[Emulator]:
    """A fresh emulator on 127.0.0.1 with a free port, stopped after the test."""
    with running_emulator(token=EMULATOR_TOKEN) as emu:
        yield emu


@pytest.fixture
def provider_process(spawn_plugin: SpawnPlugin, emulator: Emulator) -> PluginProcess:
    """The real plugin process, configured like `pulumi up` with a secret token pointing at the emulator."""
    process = spawn_plugin()
    process.configure(
        {"launchdarkly:accessToken": EMULATOR_TOKEN, "launchdarkly:apiHost": emulator.url},
        secret_keys={"launchdarkly:accessToken"},
    )
    return process


@pytest.fixture
def engine(provider_process: PluginProcess) -> Engine:
    return Engine(provider_process)


MakeEngine = Callable[..., Engine]


@pytest.fixture
def make_engine(spawn_plugin: SpawnPlugin, emulator: Emulator) -> MakeEngine:
    """``make_engine(**settings)``: an engine over a fresh plugin process pointed at the emulator,
    configured like `pulumi up` plus extra ``launchdarkly:`` stack config (``maxRetries="1"``)."""

    def make(**settings: str) -> Engine:
        process = spawn_plugin()
        process.configure(
            {
                "launchdarkly:accessToken": EMULATOR_TOKEN,
                "launchdarkly:apiHost": emulator.url,
                **{f"launchdarkly:{key}": value for key, value in settings.items()},
            },
            secret_keys={"launchdarkly:accessToken"},
        )
        return Engine(process)

    return make
