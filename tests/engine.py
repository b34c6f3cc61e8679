"""A stand-in for the Pulumi engine that drives the real dynamic-provider plugin process.

The Pulumi CLI cannot run in these tests, so this module plays its part:

* `PluginProcess` starts ``python -u -m pulumi.dynamic`` (what the ``pulumi-resource-pulumi-python``
  shim runs) and speaks the ResourceProvider gRPC protocol to it, one method per RPC, with plain
  Python dicts in and out.
* `Engine` adds the deployment semantics on top: resources are declared like a Pulumi program
  declares them (`Declared`), and `Engine.up`, `Engine.preview`, `Engine.refresh` and
  `Engine.destroy` make the same calls, in the same order, with the same arguments as the engine
  does, while keeping a state (`Engine.state`) whose secret tracking follows the engine's rules.

Everything crosses a real process boundary: the provider is pickled into ``__provider`` exactly as
`pulumi.dynamic.Resource` does, unpickled in the plugin, configured once per distinct
``__provider`` string, and every property travels as a protobuf Struct (so every number arrives
as a float).

Typical use::

    with PluginProcess(tmp_path, env={"PYTHONPATH": ...}) as process:
        process.configure({"launchdarkly:accessToken": "api-x"}, secret_keys={"launchdarkly:accessToken"})
        engine = Engine(process)
        result = engine.up([Declared(name="approvals", provider=MyProvider(), props={...})])
        assert result.operations == {"approvals": "create"}
"""

from __future__ import annotations

import asyncio
import json
import os
import pickle
import subprocess
import sys
import threading
import time
import weakref
from collections.abc import Collection, Mapping, Sequence
from concurrent.futures import FIRST_EXCEPTION, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from queue import Empty, Queue
from types import TracebackType
from typing import IO, Any, Final, Literal, cast

import grpc
from pulumi.dynamic import ResourceProvider
from pulumi.dynamic.dynamic import serialize_provider
from pulumi.output import Unknown
from pulumi.runtime import rpc
from pulumi.runtime._grpc_settings import _GRPC_CHANNEL_OPTIONS
from pulumi.runtime._serialization import _serialize
from pulumi.runtime.proto import provider_pb2, provider_pb2_grpc

__all__ = [
    "DYNAMIC_RESOURCE_TYPE",
    "PROVIDER_KEY",
    "SECRET_PLACEHOLDER",
    "CheckFailed",
    "CheckOutcome",
    "Declared",
    "DiffChanges",
    "DiffOutcome",
    "Engine",
    "Operation",
    "PluginProcess",
    "PluginStartError",
    "PreviewResult",
    "ProviderCallError",
    "ReadOutcome",
    "StateEntry",
    "UpResult",
    "from_struct",
    "to_struct",
]

PROVIDER_KEY: Final = "__provider"
"""The reserved input that carries the pickled provider."""

DYNAMIC_RESOURCE_TYPE: Final = "pulumi-python:dynamic:Resource"
"""The type token of a `pulumi.dynamic.Resource` declared without a ``module``."""

SECRET_PLACEHOLDER: Final[Mapping[str, str]] = {
    rpc._special_sig_key: rpc._special_secret_sig,
    "ciphertext": "<opaque>",
}
"""What `Engine.state_file_json` writes in place of every secret property value."""

_SCRUBBED_ENV_PREFIX: Final = "LAUNCHDARKLY_"

Operation = Literal["create", "same", "update", "replace", "delete"]
"""A step the engine takes (or, in a preview, plans) for one resource."""

DiffChanges = Literal["some", "none", "unknown"]
"""What a provider's diff said: changes, no changes, or "unknown" (``DiffResult.changes`` is None)."""

_DIFF_CHANGES: Final[Mapping[int, DiffChanges]] = {
    provider_pb2.DiffResponse.DIFF_SOME: "some",
    provider_pb2.DiffResponse.DIFF_NONE: "none",
    provider_pb2.DiffResponse.DIFF_UNKNOWN: "unknown",
}


# --------------------------------------------------------------------------------------------
# Errors and results
# --------------------------------------------------------------------------------------------


class PluginStartError(RuntimeError):
    """The plugin process died or stayed silent before printing its port."""


class ProviderCallError(Exception):
    """A provider RPC failed; `details` is the text the Pulumi CLI would show the user.

    For an exception raised in a provider method that is the whole Python traceback (the
    dynamic-provider servicer aborts the call with ``traceback.format_exc()``).
    """

    def __init__(
        self, method: str, details: str, code: grpc.StatusCode | None = None, note: str = ""
    ) -> None:
        self.method = method
        self.details = details
        self.code = code
        code_name = code.name if code is not None else "UNKNOWN"
        super().__init__(f"{method} failed ({code_name}): {details}{note}")


class CheckFailed(Exception):
    """`check` answered with failures, so the engine stops before touching the resource."""

    def __init__(self, name: str, failures: list[tuple[str, str]]) -> None:
        self.name = name
        self.failures = failures
        listed = "; ".join(f"{prop}: {reason}" for prop, reason in failures)
        super().__init__(f"{name}: check failed: {listed}")


@dataclass(frozen=True)
class CheckOutcome:
    """What `Check` returned: the checked inputs (``__provider`` included) and the failures."""

    inputs: dict[str, Any]
    failures: list[tuple[str, str]]


@dataclass(frozen=True)
class DiffOutcome:
    """What `Diff` returned. ``changes`` is "unknown" when the provider's `DiffResult.changes` is None."""

    changes: DiffChanges
    replaces: list[str]
    delete_before_replace: bool


@dataclass(frozen=True)
class ReadOutcome:
    """What `Read` returned: an empty ``id`` means the resource is gone; ``inputs`` is None unless
    the provider's `ReadResult` set ``inputs``."""

    id: str
    outs: dict[str, Any]
    inputs: dict[str, Any] | None


# --------------------------------------------------------------------------------------------
# Layer 1: the plugin process
# --------------------------------------------------------------------------------------------


def _plugin_env(env: Mapping[str, str] | None) -> dict[str, str]:
    """The inherited environment without LAUNCHDARKLY_* variables, then the caller's ``env``."""
    merged = {k: v for k, v in os.environ.items() if not k.startswith(_SCRUBBED_ENV_PREFIX)}
    merged.update(env or {})
    return merged


def _stop_process(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


def to_struct(props: Mapping[str, Any]) -> Any:
    """Serialize a property bag as the SDK does (``serialize_properties`` in a private event loop).

    Public, with `from_struct` and `PluginProcess.call`, so that benchmarks can build a request once
    and time the RPC alone."""
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(rpc.serialize_properties(dict(props), {}))
    finally:
        loop.close()


def from_struct(struct: Any) -> dict[str, Any]:
    return cast("dict[str, Any]", rpc.deserialize_properties(struct, keep_unknowns=True))


def _urn_type_and_name(urn: str) -> tuple[str, str]:
    parts = urn.split("::")
    return (parts[-2], parts[-1]) if len(parts) >= 4 else ("", "")


class PluginProcess:
    """The real ``python -u -m pulumi.dynamic`` plugin, driven over gRPC like the engine drives it.

    The process runs with ``cwd=program_dir`` (as the ``pulumi-resource-pulumi-python`` shim runs
    it in the program folder) and the current environment minus every ``LAUNCHDARKLY_*`` variable,
    updated with ``env`` (so a variable you pass explicitly always gets through). A provider class
    is unpickled by reference, so its module must be importable in the plugin: pass its folder in
    ``env["PYTHONPATH"]``.

    Every RPC has a deadline of ``timeout`` seconds. stdout after the port line and all of stderr
    are collected in background threads (see `stderr_text`, `wait_for_stderr`, `stdout_text`).
    Use as a context manager or call `close`; a forgotten process is terminated when this object
    is garbage collected or the interpreter exits.
    """

    def __init__(
        self,
        program_dir: str | os.PathLike[str],
        env: Mapping[str, str] | None = None,
        *,
        timeout: float = 60.0,
        start_timeout: float = 30.0,
    ) -> None:
        self.program_dir = Path(program_dir)
        self.timeout = timeout
        self.accept_secrets: bool | None = None
        """What the plugin answered to `configure` (None before the call)."""

        self._stdout = bytearray()
        self._stderr = bytearray()
        self._stderr_done = False
        self._output_changed = threading.Condition()
        self._channel: Any = None

        self._proc = subprocess.Popen(
            [sys.executable, "-u", "-m", "pulumi.dynamic"],
            cwd=self.program_dir,
            env=_plugin_env(env),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        self._finalizer = weakref.finalize(self, _stop_process, self._proc)
        port_line: Queue[bytes | None] = Queue()
        assert self._proc.stdout is not None and self._proc.stderr is not None
        self._readers = [
            threading.Thread(target=self._pump_stdout, args=(self._proc.stdout, port_line), daemon=True),
            threading.Thread(target=self._pump_stderr, args=(self._proc.stderr,), daemon=True),
        ]
        for reader in self._readers:
            reader.start()
        try:
            port = self._await_port(port_line, start_timeout)
        except BaseException:
            self.close()
            raise
        self._channel = grpc.insecure_channel(f"127.0.0.1:{port}", options=_GRPC_CHANNEL_OPTIONS)
        self._stub = provider_pb2_grpc.ResourceProviderStub(self._channel)

    # -- process plumbing ---------------------------------------------------------------------

    def _pump_stdout(self, stream: IO[bytes], port_line: Queue[bytes | None]) -> None:
        first = stream.readline()
        port_line.put(first or None)
        for chunk in iter(lambda: stream.read1(65536), b""):  # type: ignore[attr-defined]
            with self._output_changed:
                self._stdout.extend(chunk)
                self._output_changed.notify_all()

    def _pump_stderr(self, stream: IO[bytes]) -> None:
        for chunk in iter(lambda: stream.read1(65536), b""):  # type: ignore[attr-defined]
            with self._output_changed:
                self._stderr.extend(chunk)
                self._output_changed.notify_all()
        with self._output_changed:
            self._stderr_done = True
            self._output_changed.notify_all()

    def _await_port(self, port_line: Queue[bytes | None], start_timeout: float) -> int:
        try:
            line = port_line.get(timeout=start_timeout)
        except Empty:
            raise PluginStartError(
                f"the plugin printed no port within {start_timeout}s; stderr so far:\n{self.stderr_text()}"
            ) from None
        if line is None:
            self._proc.wait(timeout=10)
            self._readers[1].join(timeout=5)
            raise PluginStartError(
                f"the plugin exited with code {self._proc.returncode} before printing its port; "
                f"stderr:\n{self.stderr_text()}"
            )
        try:
            return int(line.strip())
        except ValueError:
            raise PluginStartError(
                f"the plugin's first stdout line is not a port: {line!r}; stderr:\n{self.stderr_text()}"
            ) from None

    @property
    def returncode(self) -> int | None:
        """The plugin's exit code, or None while it runs."""
        return self._proc.poll()

    def stderr_text(self) -> str:
        """Everything the plugin wrote to stderr so far (provider ``print(..., file=sys.stderr)``,
        warnings, logging)."""
        with self._output_changed:
            return self._stderr.decode(errors="replace")

    def stdout_text(self) -> str:
        """Everything the plugin wrote to stdout after its port line (a provider's plain ``print``)."""
        with self._output_changed:
            return self._stdout.decode(errors="replace")

    def wait_for_stderr(self, needle: str, timeout: float = 5.0) -> str:
        """Wait until ``needle`` shows up in stderr and return the whole stderr text.

        stderr is read by a background thread, so a line printed during an RPC may land a moment
        after the RPC returned. Raises TimeoutError (with the text so far) if it never shows up.
        """
        deadline = time.monotonic() + timeout
        with self._output_changed:
            while True:
                text = self._stderr.decode(errors="replace")
                remaining = deadline - time.monotonic()
                if needle in text:
                    return text
                if remaining <= 0 or self._stderr_done:
                    raise TimeoutError(f"{needle!r} not in the plugin's stderr after {timeout}s:\n{text}")
                self._output_changed.wait(remaining)

    def close(self) -> None:
        """Close the channel and terminate the process (SIGTERM, then SIGKILL after 5 s). Idempotent."""
        if self._channel is not None:
            self._channel.close()
            self._channel = None
        self._finalizer()
        for reader in self._readers:
            reader.join(timeout=5)
        for stream in (self._proc.stdout, self._proc.stderr):
            if stream is not None:
                stream.close()

    def __enter__(self) -> PluginProcess:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- RPCs -----------------------------------------------------------------------------------

    def call(self, method: str, request: Any) -> Any:
        """Send a prebuilt request message (``provider_pb2.CreateRequest``, ...) and return the raw
        response, with the same deadline and error handling as the methods below.

        For benchmarks: building the request (`to_struct`) is this harness's Python work, done by
        the engine in Go in real life, so it is kept out of what they time."""
        return self._call(method, request)

    def _call(self, method: str, request: Any) -> Any:
        if self._channel is None:
            raise RuntimeError("the plugin process is closed")
        try:
            return getattr(self._stub, method)(request, timeout=self.timeout)
        except grpc.RpcError as exc:
            note = ""
            returncode = self._proc.poll()
            if returncode is not None:
                note = f"\n(the plugin exited with code {returncode}; stderr:\n{self.stderr_text()})"
            raise ProviderCallError(method, exc.details() or str(exc), exc.code(), note) from None

    def configure(self, config: Mapping[str, str], secret_keys: Collection[str] = frozenset()) -> bool:
        """Send `Configure` as the engine does and return (and record) the plugin's ``acceptSecrets``.

        ``config`` is the stack configuration with full keys (``launchdarkly:accessToken``) and string
        values; keys in ``secret_keys`` travel as secrets in ``args`` (the plugin unwraps them). The
        provider's own ``configure(req)`` runs later, when a `__provider` is first unpickled, and only
        once per distinct ``__provider`` string per process: configuring again does not reach a
        provider instance that is already cached.
        """
        not_strings = sorted(k for k, v in config.items() if not isinstance(v, str))
        if not_strings:
            raise TypeError(f"stack config values are strings; not for {not_strings}")
        stray = sorted(set(secret_keys) - set(config))
        if stray:
            raise ValueError(f"secret_keys not in config: {stray}")
        args = {k: rpc.wrap_rpc_secret(v) if k in secret_keys else v for k, v in config.items()}
        request = provider_pb2.ConfigureRequest(
            variables=dict(config),
            args=to_struct(args),
            acceptSecrets=True,
            acceptResources=True,
        )
        response = self._call("Configure", request)
        self.accept_secrets = bool(response.acceptSecrets)
        return self.accept_secrets

    def check(self, urn: str, olds: Mapping[str, Any], news: Mapping[str, Any]) -> CheckOutcome:
        """`Check`: ``olds`` are the old inputs ({} for a new resource), ``news`` the declared inputs."""
        type_, name = _urn_type_and_name(urn)
        request = provider_pb2.CheckRequest(
            urn=urn, name=name, type=type_, olds=to_struct(olds), news=to_struct(news)
        )
        response = self._call("Check", request)
        failures = [(f.property, f.reason) for f in response.failures]
        return CheckOutcome(inputs=from_struct(response.inputs), failures=failures)

    def diff(
        self,
        urn: str,
        id: str,
        olds: Mapping[str, Any],
        news: Mapping[str, Any],
        old_inputs: Mapping[str, Any] | None = None,
    ) -> DiffOutcome:
        """`Diff`: ``olds`` are the old outputs, ``news`` the checked inputs."""
        type_, name = _urn_type_and_name(urn)
        request = provider_pb2.DiffRequest(
            id=id,
            urn=urn,
            name=name,
            type=type_,
            olds=to_struct(olds),
            news=to_struct(news),
            old_inputs=to_struct(old_inputs) if old_inputs is not None else None,
        )
        response = self._call("Diff", request)
        return DiffOutcome(
            changes=_DIFF_CHANGES[response.changes],
            replaces=list(response.replaces),
            delete_before_replace=bool(response.deleteBeforeReplace),
        )

    def create(self, urn: str, props: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
        """`Create` with the checked inputs; returns (id, outputs)."""
        type_, name = _urn_type_and_name(urn)
        request = provider_pb2.CreateRequest(urn=urn, name=name, type=type_, properties=to_struct(props))
        response = self._call("Create", request)
        return str(response.id), from_struct(response.properties)

    def read(self, urn: str, id: str, props: Mapping[str, Any], inputs: Mapping[str, Any]) -> ReadOutcome:
        """`Read`: ``props`` are the last outputs ({} for a `get`), ``inputs`` the last inputs."""
        type_, name = _urn_type_and_name(urn)
        request = provider_pb2.ReadRequest(
            id=id,
            urn=urn,
            name=name,
            type=type_,
            properties=to_struct(props),
            inputs=to_struct(inputs),
        )
        response = self._call("Read", request)
        returned_inputs = from_struct(response.inputs) if response.HasField("inputs") else None
        return ReadOutcome(id=str(response.id), outs=from_struct(response.properties), inputs=returned_inputs)

    def update(
        self,
        urn: str,
        id: str,
        olds: Mapping[str, Any],
        news: Mapping[str, Any],
        old_inputs: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        """`Update`: ``olds`` are the old outputs, ``news`` the checked inputs; returns the new outputs."""
        type_, name = _urn_type_and_name(urn)
        request = provider_pb2.UpdateRequest(
            id=id,
            urn=urn,
            name=name,
            type=type_,
            olds=to_struct(olds),
            news=to_struct(news),
            old_inputs=to_struct(old_inputs) if old_inputs is not None else None,
        )
        response = self._call("Update", request)
        return from_struct(response.properties)

    def delete(
        self, urn: str, id: str, props: Mapping[str, Any], old_inputs: Mapping[str, Any] | None = None
    ) -> None:
        """`Delete`: ``props`` are the last outputs."""
        type_, name = _urn_type_and_name(urn)
        request = provider_pb2.DeleteRequest(
            id=id,
            urn=urn,
            name=name,
            type=type_,
            properties=to_struct(props),
            old_inputs=to_struct(old_inputs) if old_inputs is not None else None,
        )
        self._call("Delete", request)


# --------------------------------------------------------------------------------------------
# Layer 2: deployment semantics
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Declared:
    """A resource as a Pulumi program declares it: ``MyResource(name, props, opts)``.

    ``props`` holds plain values; a value may also be `pulumi.output.Unknown()` (or contain one) in
    a preview, and a value wrapped with `pulumi.runtime.rpc.wrap_rpc_secret` (anywhere inside it)
    makes that property secret, like naming it in ``secret_props`` (``pulumi.Output.secret(...)``
    in a program). ``additional_secret_outputs`` is `ResourceOptions.additional_secret_outputs`.
    ``resource_type`` is the type token (``pulumi-python:dynamic/<module>:<Name>`` for a subclass
    declared with ``module=``).
    """

    name: str
    provider: ResourceProvider
    props: Mapping[str, Any]
    secret_props: Collection[str] = frozenset()
    additional_secret_outputs: Sequence[str] = ()
    resource_type: str = DYNAMIC_RESOURCE_TYPE

    def __post_init__(self) -> None:
        if PROVIDER_KEY in self.props:
            raise ValueError("A dynamic resource must not define the __provider key")
        stray = sorted(set(self.secret_props) - set(self.props))
        if stray:
            raise ValueError(f"{self.name}: secret_props not in props: {stray}")


@dataclass
class StateEntry:
    """One resource in the engine's state. Values are plain; secretness is kept by property name."""

    id: str
    inputs: dict[str, Any]
    outputs: dict[str, Any]
    secret_outputs: set[str] = field(default_factory=set)
    secret_inputs: set[str] = field(default_factory=set)
    additional_secret_outputs: tuple[str, ...] = ()
    resource_type: str = DYNAMIC_RESOURCE_TYPE


@dataclass(frozen=True)
class UpResult:
    """What `Engine.up` did: the operation per resource (declared ones in declaration order, then
    deletions) and the state outputs of every declared resource afterwards."""

    operations: dict[str, Operation]
    outputs: dict[str, dict[str, Any]]


@dataclass(frozen=True)
class PreviewResult:
    """What `Engine.preview` planned: the operation per resource, the checked inputs of every
    declared resource (may hold `Unknown` values) and the diff of every declared resource already in
    state."""

    operations: dict[str, Operation]
    inputs: dict[str, dict[str, Any]]
    diffs: dict[str, DiffOutcome]


@dataclass(frozen=True)
class _Prepared:
    """A declared resource as the engine receives it from the program."""

    name: str
    urn: str
    inputs: dict[str, Any]
    secret_names: frozenset[str]
    additional_secret_outputs: tuple[str, ...]
    resource_type: str


def _strip_secrets(value: Any) -> tuple[Any, bool]:
    """Remove secret wrappers at any depth; report whether there was one."""
    if rpc.is_rpc_secret(value):
        return _strip_secrets(value["value"])[0], True
    if isinstance(value, Mapping):
        items = {k: _strip_secrets(v) for k, v in value.items()}
        return {k: v for k, (v, _) in items.items()}, any(s for _, s in items.values())
    if isinstance(value, (list, tuple)):
        elements = [_strip_secrets(v) for v in value]
        return [v for v, _ in elements], any(s for _, s in elements)
    return value, False


def _serialize_provider(provider: ResourceProvider) -> tuple[str, bool]:
    """``__provider`` exactly as `pulumi.dynamic.Resource` builds it.

    `serialize_provider` (pulumi 3.272) patches ``pickle._Pickler`` for good on every call, each
    time wrapping the previous patch once more; after about a thousand calls in one process the
    pickler overflows the stack. The harness serializes once per declared resource per `up`, so it
    puts the pickler back after each call. The bytes are the same: the wrappers only sort again.
    """
    pickler = cast(Any, pickle)._Pickler
    saved = (pickler._batch_setitems, pickler.save_dict)
    try:
        return cast("tuple[str, bool]", _serialize(True, serialize_provider, provider))
    finally:
        pickler._batch_setitems, pickler.save_dict = saved


def _contains_unknowns(value: Any) -> bool:
    if isinstance(value, Unknown) or (isinstance(value, str) and value == rpc.UNKNOWN):
        return True
    if isinstance(value, Mapping):
        return any(_contains_unknowns(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(_contains_unknowns(v) for v in value)
    return False


def _secret_names_in(props: Mapping[str, Any], *secret_sources: Collection[str]) -> set[str]:
    """The keys of ``props`` named in any of ``secret_sources`` (the engine's by-name rule)."""
    names: set[str] = set().union(*secret_sources)
    return {k for k in props if k in names}


def _seal(props: Mapping[str, Any], secret: Collection[str]) -> dict[str, Any]:
    return {k: dict(SECRET_PLACEHOLDER) if k in secret else v for k, v in props.items()}


class Engine:
    """The Pulumi engine's deployment logic over one configured `PluginProcess`.

    Declare resources with `Declared` and run `up`, `preview`, `refresh`, `destroy` as the CLI
    would; `state` holds what the CLI would persist and `state_file_json` renders it with secrets
    encrypted (placeholders). The rules copied from the engine:

    * check(olds = old inputs or {}, news = declared inputs + ``__provider``); failures stop the
      deployment (`CheckFailed`).
    * A resource not in state is created. Otherwise diff(id, olds = old outputs, news = checked
      inputs): "none" is a same step, "some" with replaces a replacement (create the new one, then
      delete the old, unless delete_before_replace), "some" otherwise an update(id, old outputs,
      checked inputs); "unknown" compares old and new inputs, ``__provider`` included: equal is a
      same step, different an update.
    * Resources in state but no longer declared are deleted (reverse state order) after the rest.
    * The dynamic provider answers acceptSecrets=False, so secret values travel as plain values.
      After each call an output is secret when an input of the same name is secret (``__provider``
      is, unless the provider sets ``serialize_as_secret_always = False``) or when it is listed in
      ``additional_secret_outputs``.

    If the process has not been configured, the engine configures it with an empty stack config.

    Simplifications: resources are independent (no dependency graph, so no ordering by
    dependencies), a failed delete of the old resource after a create-before-delete replacement
    is not kept as a pending delete, and `get` does not record the resource in `state`.
    """

    def __init__(self, process: PluginProcess, *, stack: str = "test", project: str = "test") -> None:
        self.process = process
        self.stack = stack
        self.project = project
        self.state: dict[str, StateEntry] = {}
        """Resource name -> state entry, in the order the resources entered the state."""
        self._lock = threading.Lock()
        if process.accept_secrets is None:
            process.configure({})

    def urn(self, name: str, resource_type: str = DYNAMIC_RESOURCE_TYPE) -> str:
        """The URN the engine gives a resource of this stack."""
        return f"urn:pulumi:{self.stack}::{self.project}::{resource_type}::{name}"

    # -- program side ----------------------------------------------------------------------------

    def _prepare(self, decl: Declared, *, allow_unknowns: bool) -> _Prepared:
        inputs: dict[str, Any] = {}
        secret_names = set(decl.secret_props)
        for key, value in decl.props.items():
            inputs[key], was_secret = _strip_secrets(value)
            if was_secret:
                secret_names.add(key)
        if not allow_unknowns and _contains_unknowns(inputs):
            raise ValueError(f"{decl.name}: unknown values can only be declared in a preview")
        serialized, captured_secrets = _serialize_provider(decl.provider)
        if getattr(decl.provider, "serialize_as_secret_always", True) or captured_secrets:
            secret_names.add(PROVIDER_KEY)
        inputs[PROVIDER_KEY] = serialized
        return _Prepared(
            name=decl.name,
            urn=self.urn(decl.name, decl.resource_type),
            inputs=inputs,
            secret_names=frozenset(secret_names),
            additional_secret_outputs=tuple(decl.additional_secret_outputs),
            resource_type=decl.resource_type,
        )

    def _prepare_all(self, declared: Sequence[Declared], *, allow_unknowns: bool) -> list[_Prepared]:
        names = [d.name for d in declared]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"duplicate resource names: {duplicates}")
        return [self._prepare(d, allow_unknowns=allow_unknowns) for d in declared]

    # -- steps ---------------------------------------------------------------------------------

    def _old(self, name: str) -> StateEntry | None:
        with self._lock:
            return self.state.get(name)

    def _store(self, name: str, entry: StateEntry) -> None:
        with self._lock:
            self.state[name] = entry

    def _forget(self, name: str) -> None:
        with self._lock:
            del self.state[name]

    def _check(self, p: _Prepared, old: StateEntry | None) -> dict[str, Any]:
        outcome = self.process.check(p.urn, old.inputs if old else {}, p.inputs)
        if outcome.failures:
            raise CheckFailed(p.name, outcome.failures)
        return outcome.inputs

    def _diff(
        self, p: _Prepared, old: StateEntry, checked: Mapping[str, Any]
    ) -> tuple[Operation, DiffOutcome]:
        outcome = self.process.diff(p.urn, old.id, old.outputs, checked, old_inputs=old.inputs)
        operation: Operation
        if outcome.changes == "none":
            operation = "same"
        elif outcome.changes == "unknown":
            operation = "same" if old.inputs == checked else "update"
        else:
            operation = "replace" if outcome.replaces else "update"
        return operation, outcome

    def _entry(
        self,
        p: _Prepared,
        id: str,
        inputs: dict[str, Any],
        outputs: dict[str, Any],
        carried_secrets: Collection[str] = (),
    ) -> StateEntry:
        secret_inputs = _secret_names_in(inputs, p.secret_names)
        return StateEntry(
            id=id,
            inputs=inputs,
            outputs=outputs,
            secret_outputs=_secret_names_in(
                outputs, secret_inputs, p.additional_secret_outputs, carried_secrets
            ),
            secret_inputs=secret_inputs,
            additional_secret_outputs=p.additional_secret_outputs,
            resource_type=p.resource_type,
        )

    def _create(self, p: _Prepared, checked: dict[str, Any]) -> None:
        id, outs = self.process.create(p.urn, checked)
        self._store(p.name, self._entry(p, id, checked, outs))

    def _delete(self, name: str, entry: StateEntry) -> None:
        self.process.delete(
            self.urn(name, entry.resource_type), entry.id, entry.outputs, old_inputs=entry.inputs
        )
        self._forget(name)

    def _apply(self, p: _Prepared) -> Operation:
        old = self._old(p.name)
        checked = self._check(p, old)
        if old is None:
            self._create(p, checked)
            return "create"
        operation, diff = self._diff(p, old, checked)
        if operation == "same":
            self._store(p.name, self._entry(p, old.id, checked, old.outputs, old.secret_outputs))
        elif operation == "update":
            outs = self.process.update(p.urn, old.id, old.outputs, checked, old_inputs=old.inputs)
            self._store(p.name, self._entry(p, old.id, checked, outs))
        elif diff.delete_before_replace:
            self._delete(p.name, old)
            self._create(p, checked)
        else:
            self._create(p, checked)
            self.process.delete(p.urn, old.id, old.outputs, old_inputs=old.inputs)
        return operation

    def _undeclared(self, prepared: Sequence[_Prepared]) -> list[str]:
        declared = {p.name for p in prepared}
        return [name for name in reversed(self.state) if name not in declared]

    # -- public operations ---------------------------------------------------------------------

    def up(self, declared: Sequence[Declared], *, parallel: int = 1) -> UpResult:
        """Run ``pulumi up`` for ``declared`` and return the operation per resource.

        With ``parallel > 1`` the declared resources (independent of each other) are stepped
        through a thread pool of that size, like the engine's parallel step executor; the
        deletions of undeclared resources still run afterwards, one by one. The first failure
        (`CheckFailed`, `ProviderCallError`) is raised once in-flight steps finish; steps not yet
        started are skipped, and the state keeps every step that completed.
        """
        prepared = self._prepare_all(declared, allow_unknowns=False)
        operations: dict[str, Operation] = {}
        if parallel <= 1:
            for p in prepared:
                operations[p.name] = self._apply(p)
        else:
            with ThreadPoolExecutor(max_workers=parallel) as pool:
                futures: list[Future[Operation]] = [pool.submit(self._apply, p) for p in prepared]
                wait(futures, return_when=FIRST_EXCEPTION)
                for future in futures:
                    future.cancel()
            for p, future in zip(prepared, futures, strict=True):
                if not future.cancelled():
                    operations[p.name] = future.result()  # raises the first failure in order
        for name in self._undeclared(prepared):
            self._delete(name, self.state[name])
            operations[name] = "delete"
        outputs = {p.name: self.state[p.name].outputs for p in prepared}
        return UpResult(operations=operations, outputs=outputs)

    def step(self, decl: Declared) -> Operation:
        """One resource's step of ``pulumi up`` (check, then create, update, replace or nothing),
        as the engine runs it when a program registers the resource."""
        return self._apply(self._prepare(decl, allow_unknowns=False))

    def delete_undeclared(self, declared_names: Collection[str]) -> list[str]:
        """The end of ``pulumi up``: delete what is in state but was not declared; returns the names."""
        names = [name for name in reversed(self.state) if name not in declared_names]
        for name in names:
            self._delete(name, self.state[name])
        return names

    def preview(self, declared: Sequence[Declared]) -> PreviewResult:
        """Run ``pulumi preview``: check and diff only, nothing is created, changed or deleted.

        Props may contain `Unknown` values; they reach check and diff as `pulumi.output.Unknown`.
        """
        prepared = self._prepare_all(declared, allow_unknowns=True)
        operations: dict[str, Operation] = {}
        inputs: dict[str, dict[str, Any]] = {}
        diffs: dict[str, DiffOutcome] = {}
        for p in prepared:
            old = self._old(p.name)
            inputs[p.name] = checked = self._check(p, old)
            if old is None:
                operations[p.name] = "create"
            else:
                operations[p.name], diffs[p.name] = self._diff(p, old, checked)
        for name in self._undeclared(prepared):
            operations[name] = "delete"
        return PreviewResult(operations=operations, inputs=inputs, diffs=diffs)

    def refresh(self) -> dict[str, Operation]:
        """Run ``pulumi refresh``: read every resource in state with its last outputs and inputs.

        A read that returns no id drops the resource ("delete"); otherwise the outputs (and the
        inputs, when the read returned some) replace the stored ones ("update" if anything
        changed, else "same"). Secretness carries over by property name.
        """
        operations: dict[str, Operation] = {}
        for name, old in list(self.state.items()):
            urn = self.urn(name, old.resource_type)
            result = self.process.read(urn, old.id, old.outputs, old.inputs)
            if not result.id:
                self._forget(name)
                operations[name] = "delete"
                continue
            inputs = result.inputs if result.inputs is not None else old.inputs
            secret_inputs = _secret_names_in(inputs, old.secret_inputs)
            entry = StateEntry(
                id=result.id,
                inputs=inputs,
                outputs=result.outs,
                secret_outputs=_secret_names_in(
                    result.outs, old.secret_outputs, old.additional_secret_outputs
                ),
                secret_inputs=secret_inputs,
                additional_secret_outputs=old.additional_secret_outputs,
                resource_type=old.resource_type,
            )
            self._store(name, entry)
            unchanged = (entry.id, entry.inputs, entry.outputs) == (old.id, old.inputs, old.outputs)
            operations[name] = "same" if unchanged else "update"
        return operations

    def destroy(self, *, parallel: int = 1) -> list[str]:
        """Run ``pulumi destroy``: delete every resource in reverse state order; returns their names.

        With ``parallel > 1`` the deletions (of resources independent of each other) run through a
        thread pool of that size, like the engine's parallel step executor; the first failure is
        raised once in-flight deletions finish, and the state keeps what was not deleted.
        """
        names = list(reversed(self.state))
        if parallel <= 1:
            for name in names:
                self._delete(name, self.state[name])
            return names
        entries = [(name, self.state[name]) for name in names]
        with ThreadPoolExecutor(max_workers=parallel) as pool:
            futures = [pool.submit(self._delete, name, entry) for name, entry in entries]
            wait(futures, return_when=FIRST_EXCEPTION)
            for future in futures:
                future.cancel()
        for future in futures:
            if not future.cancelled():
                future.result()
        return names

    def get(
        self,
        name: str,
        id: str,
        provider: ResourceProvider,
        props: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Read an existing resource by id, like ``MyResource(name, props, ResourceOptions(id=id))``.

        Read gets empty properties and the declared inputs (``__provider`` plus ``props``); the
        plugin then hands those inputs to the provider's ``read``. Returns the outputs; the
        resource is not added to `state`. Raises LookupError if the read returns no id.
        """
        p = self._prepare(Declared(name=name, provider=provider, props=props or {}), allow_unknowns=False)
        result = self.process.read(p.urn, id, {}, p.inputs)
        if not result.id:
            raise LookupError(f"{name}: resource {id!r} does not exist")
        return result.outs

    def state_file_json(self) -> str:
        """The state as the CLI would persist it, every secret input/output value replaced by
        `SECRET_PLACEHOLDER`."""
        resources: list[dict[str, Any]] = []
        for name, entry in self.state.items():
            resource: dict[str, Any] = {
                "urn": self.urn(name, entry.resource_type),
                "custom": True,
                "id": entry.id,
                "type": entry.resource_type,
                "inputs": _seal(entry.inputs, entry.secret_inputs),
                "outputs": _seal(entry.outputs, entry.secret_outputs),
            }
            if entry.additional_secret_outputs:
                resource["additionalSecretOutputs"] = list(entry.additional_secret_outputs)
            resources.append(resource)
        return json.dumps({"version": 3, "deployment": {"resources": resources}}, indent=2, sort_keys=True)
