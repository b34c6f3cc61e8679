"""Run a real Pulumi program (its `__main__.py`) with the engine harness behind it.

`pulumi.runtime.set_mocks` stands in for the engine inside the program process; our mocks hand
every dynamic resource the program registers to the real provider process through `Engine`, as
`pulumi up` would, and give the program back the provider's real id and outputs. After the
program finishes, resources in state that it no longer declares are deleted.
"""

from __future__ import annotations

import base64
import os
import runpy
import sys
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import dill
import pulumi
from engine import Declared, Engine, Operation
from pulumi.runtime import mocks, settings

DYNAMIC_TYPE_PREFIX = "pulumi-python:dynamic"


@dataclass
class ProgramRun:
    """What one run of a program did: the operation per resource and the stack's exports."""

    operations: dict[str, Operation] = field(default_factory=dict)
    exports: dict[str, Any] = field(default_factory=dict)


class _EngineBackedMocks(pulumi.runtime.Mocks):
    def __init__(self, engine: Engine, run: ProgramRun, secret_outputs: Mapping[str, list[str]]) -> None:
        self._engine = engine
        self._run = run
        self._secret_outputs = secret_outputs
        self._lock = threading.Lock()
        self._steps = threading.Condition()
        self._steps_in_flight = 0
        self._stopped = False

    def stop_and_wait(self, timeout: float = 60.0) -> None:
        """No more steps after the program ends; wait for those in flight.

        A program that fails part-way leaves registrations running on the SDK's threads; without
        this they would reach the provider process after the test closed it.
        """
        with self._steps:
            self._stopped = True
            self._steps.wait_for(lambda: self._steps_in_flight == 0, timeout=timeout)

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        if not args.typ.startswith(DYNAMIC_TYPE_PREFIX):
            return f"{args.name}-id", dict(args.inputs)
        with self._steps:
            if self._stopped:
                return None, {}
            self._steps_in_flight += 1
        try:
            return self._apply(args)
        finally:
            with self._steps:
                self._steps_in_flight -= 1
                self._steps.notify_all()

    def _apply(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        props = dict(args.inputs)
        pickled = props.pop("__provider")
        pickled = pickled["value"] if isinstance(pickled, dict) and "value" in pickled else pickled
        declared = Declared(
            name=args.name,
            provider=dill.loads(base64.b64decode(pickled)),
            props=props,
            additional_secret_outputs=tuple(self._secret_outputs.get(args.name, ())),
            resource_type=args.typ,
        )
        if args.resource_id:
            outputs = self._engine.get(args.name, args.resource_id, declared.provider, props)
            with self._lock:
                self._run.operations[args.name] = "read"  # type: ignore[assignment]
            return args.resource_id, outputs
        operation = self._engine.step(declared)
        with self._lock:
            self._run.operations[args.name] = operation
        entry = self._engine.state[args.name]
        return entry.id, entry.outputs

    def call(self, args: pulumi.runtime.MockCallArgs) -> dict[str, Any]:
        raise NotImplementedError(f"the program called {args.token}, which these mocks do not serve")


class _RecordingMonitor(mocks.MockMonitor):  # type: ignore[misc]
    """Keeps each registration's additional_secret_outputs, which the mocks API does not pass on."""

    def __init__(self, mocks_impl: pulumi.runtime.Mocks, secret_outputs: dict[str, list[str]]) -> None:
        super().__init__(mocks_impl)
        self._secret_outputs = secret_outputs

    def RegisterResource(self, request: Any) -> Any:
        self._secret_outputs[request.name] = list(request.additionalSecretOutputs)
        return super().RegisterResource(request)


@contextmanager
def _inside(program_dir: Path) -> Iterator[None]:
    """The program's folder as cwd and first on sys.path, as the Pulumi language host runs it."""
    previous_cwd = Path.cwd()
    sys.path.insert(0, str(program_dir))
    os.chdir(program_dir)
    try:
        yield
    finally:
        os.chdir(previous_cwd)
        sys.path.remove(str(program_dir))


def run_program(
    program_dir: Path,
    engine: Engine,
    *,
    project: str,
    config: Mapping[str, str] | None = None,
    secret_keys: tuple[str, ...] = (),
    stack: str = "test",
) -> ProgramRun:
    """Run `program_dir/__main__.py` as `pulumi up` would, against `engine`'s provider process.

    `config` uses full keys (`project:approvalsApiKey`), like a stack's config file.
    """
    run = ProgramRun()
    secret_outputs: dict[str, list[str]] = {}
    engine_mocks = _EngineBackedMocks(engine, run, secret_outputs)
    settings.ROOT.set(None)
    pulumi.runtime.set_all_config(dict(config or {}), list(secret_keys))
    pulumi.runtime.set_mocks(
        engine_mocks,
        project=project,
        stack=stack,
        preview=False,
        monitor=_RecordingMonitor(engine_mocks, secret_outputs),
    )

    @pulumi.runtime.test  # type: ignore[misc]
    def execute() -> pulumi.Output[None]:
        with _inside(program_dir):
            runpy.run_path(str(program_dir / "__main__.py"), run_name="__main__")
        root = settings.get_root_resource()
        exports = dict(getattr(root, "outputs", {}))
        return pulumi.Output.from_input(exports).apply(run.exports.update)

    try:
        execute()
    finally:
        engine_mocks.stop_and_wait()
    deleted = engine.delete_undeclared(run.operations)
    run.operations.update(dict.fromkeys(deleted, "delete"))
    return run
