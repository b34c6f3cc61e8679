"""Benchmark 5: what a preview costs per resource, with no network.

N configurations are in state; a preview checks and diffs each, in a plugin process with no
access token (so no manifest fetch: validation uses the bundled manifests) and no configuration
call. Two previews: nothing changed, and every name changed. Measured three ways:

- `Check` + `Diff` through the plugin process, the RPCs alone (requests built beforehand);
- this provider's `check` + `diff` called in this process: the provider's own cost;
- the trivial provider's `Check` + `Diff` RPCs: what gRPC and the SDK cost any dynamic provider.
"""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path
from typing import Any

from pulumi.dynamic import Config, ConfigureRequest
from pulumi.runtime.proto import provider_pb2

from provider.emulator import running_emulator
from provider.lifecycle import IntegrationConfigurationProvider

from .harness import (
    RESOURCE_TYPE,
    TOKEN,
    Declared,
    Engine,
    PluginProcess,
    StateEntry,
    approvals,
    plugin,
    program_dir,
    to_struct,
)
from .report import Section, Table, Target
from .trivial import TrivialProvider

TARGET_MS = 1.0


def run(count: int) -> Section:
    table = Table(
        f"5. Preview cost per resource ({count} resources, no network)",
        ["preview", "Check + Diff via plugin ms", "provider in-process ms", "trivial provider via plugin ms"],
    )
    worst_local = worst_plugin = worst_floor = 0.0
    with running_emulator(token=TOKEN) as emulator, program_dir() as folder:
        template = _template(folder, emulator.url)
        seen = len(emulator.requests)
        # No token: a preview without credentials, validating against the bundled manifests.
        with plugin(folder, {"launchdarkly:apiHost": emulator.url}) as ours, plugin(folder, {}) as trivial:
            provider = IntegrationConfigurationProvider()
            provider.configure(ConfigureRequest(Config({"launchdarkly:apiHost": emulator.url}, "benchmarks")))
            for label, suffix in (("nothing changed", ""), ("every name changed", " renamed")):
                declared = [approvals(f"cfg-{i:04d}", name=f"Config {i}{suffix}") for i in range(count)]
                state = {d.name: _entry(template, d.name, f"Config {i}") for i, d in enumerate(declared)}
                via_plugin = _rpc_preview(ours, declared, state)
                local = _in_process_preview(provider, ours, declared, state)
                trivial_declared = [dataclasses.replace(d, provider=TrivialProvider()) for d in declared]
                floor = _rpc_preview(trivial, trivial_declared, state)
                worst_local = max(worst_local, local)
                if via_plugin > worst_plugin:
                    worst_plugin, worst_floor = via_plugin, floor
                table.add(label, f"{via_plugin:.3f}", f"{local:.3f}", f"{floor:.3f}")
        if len(emulator.requests) != seen:
            raise RuntimeError("the preview benchmark made network calls")
    table.notes += [
        "Per resource, sequential. Via plugin: the Check and Diff RPCs alone, requests built beforehand (the engine "
        "builds them in Go). In-process: `check` then `diff` on a provider object, no gRPC.",
        "The Pulumi engine runs steps in parallel, so a preview's wall time per resource is lower than the "
        "sequential figure on a machine with cores to spare.",
    ]
    targets = [
        Target(
            "5. preview per resource, the provider's check + diff",
            f"{worst_local:.3f} ms",
            f"< {TARGET_MS:g} ms",
            worst_local < TARGET_MS,
        ),
        Target(
            "5. preview per resource, through the plugin process",
            f"{worst_plugin:.2f} ms, of which {worst_floor:.2f} ms is the trivial provider's floor",
            f"< {TARGET_MS:g} ms",
            worst_plugin < TARGET_MS,
        ),
    ]
    return Section([table], targets)


def _template(folder: Path, url: str) -> StateEntry:
    """One configuration really created through the plugin: the shape every state entry copies."""
    with plugin(folder, {"launchdarkly:accessToken": TOKEN, "launchdarkly:apiHost": url}) as process:
        engine = Engine(process)
        engine.up([approvals("template", name="Config 0")])
        return engine.state["template"]


def _entry(template: StateEntry, resource: str, name: str) -> StateEntry:
    return dataclasses.replace(
        template,
        id=f"{template.id}-{resource}",
        inputs={**template.inputs, "name": name},
        outputs={**template.outputs, "name": name},
    )


def _requests(process: PluginProcess, declared: list[Declared], state: dict[str, StateEntry]) -> list[Any]:
    """Each resource's Check request, as the engine sends it (inputs with `__provider`)."""
    engine = Engine(process)
    provider_string = engine.preview(declared[:1]).inputs[declared[0].name]["__provider"]
    built = []
    for d in declared:
        news = {**d.props, "__provider": provider_string}
        urn = engine.urn(d.name, RESOURCE_TYPE)
        built.append(
            provider_pb2.CheckRequest(
                urn=urn,
                name=d.name,
                type=RESOURCE_TYPE,
                olds=to_struct(state[d.name].inputs),
                news=to_struct(news),
            )
        )
    return built


def _rpc_preview(process: PluginProcess, declared: list[Declared], state: dict[str, StateEntry]) -> float:
    """Milliseconds per resource of Check + Diff RPCs."""
    total = 0.0
    for d, check in zip(declared, _requests(process, declared, state), strict=True):
        started = time.perf_counter()
        checked = process.call("Check", check)
        total += time.perf_counter() - started
        entry = state[d.name]
        diff = provider_pb2.DiffRequest(
            id=entry.id,
            urn=check.urn,
            name=d.name,
            type=RESOURCE_TYPE,
            olds=to_struct(entry.outputs),
            news=checked.inputs,
            old_inputs=to_struct(entry.inputs),
        )
        started = time.perf_counter()
        process.call("Diff", diff)
        total += time.perf_counter() - started
    return total / len(declared) * 1000.0


def _in_process_preview(
    provider: IntegrationConfigurationProvider,
    process: PluginProcess,
    declared: list[Declared],
    state: dict[str, StateEntry],
) -> float:
    """Milliseconds per resource of `check` + `diff` called directly, with what the plugin passes."""
    provider_string = Engine(process).preview(declared[:1]).inputs[declared[0].name]["__provider"]
    cases = [({**d.props, "__provider": provider_string}, state[d.name]) for d in declared]
    started = time.perf_counter()
    for news, entry in cases:
        checked = provider.check(entry.inputs, news)
        provider.diff(entry.id, entry.outputs, checked.inputs)
    return (time.perf_counter() - started) / len(cases) * 1000.0
