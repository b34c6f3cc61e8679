"""Benchmark 3: time per operation, the provider through the plugin process against the official
client making the same call directly, on the same emulator (no faults, no added latency: what is
left is the cost of each side's own work).

Each iteration creates, reads, updates and deletes one configuration with each of:

- this provider through the plugin process: the `Create`/`Read`/`Update`/`Delete` RPC alone is
  timed (the request is built beforehand: serializing it is the engine's work, done in Go);
- the official `launchdarkly-api` client, called directly;
- this provider's methods called in this process (no gRPC, no SDK): the provider's own share;
- a trivial provider through its plugin process: the floor the Pulumi SDK and gRPC put under any
  dynamic provider's RPC.

The four are interleaved within each iteration so that the machine's noise hits them alike; the
medians are compared.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pulumi.dynamic import Config, ConfigureRequest
from pulumi.runtime.proto import provider_pb2

from provider.emulator import Emulator, running_emulator
from provider.lifecycle import IntegrationConfigurationProvider

from .baselines import create_body, official_api, rename
from .harness import (
    RESOURCE_TYPE,
    TOKEN,
    Declared,
    Engine,
    PluginProcess,
    approvals,
    from_struct,
    median_ms,
    plugin,
    program_dir,
    settings_for,
    to_struct,
)
from .report import Section, Table, Target
from .trivial import TrivialProvider

OPERATIONS = ("create", "read", "update", "delete")
TARGET_RATIO = 1.3
WARM_UP = 3


@dataclass
class Timings:
    seconds: dict[str, list[float]] = field(default_factory=lambda: {op: [] for op in OPERATIONS})

    def median(self, operation: str) -> float:
        return median_ms(self.seconds[operation])


def timed(timings: Timings, operation: str, call: Callable[[], Any], record: bool) -> Any:
    started = time.perf_counter()
    result = call()
    if record:
        timings.seconds[operation].append(time.perf_counter() - started)
    return result


class ViaPlugin:
    """One provider's lifecycle through its plugin process, RPC by RPC."""

    def __init__(self, process: PluginProcess, declared: Declared) -> None:
        self.process = process
        engine = Engine(process)
        self.urn = engine.urn(declared.name, declared.resource_type)
        # A preview (one check) gives the inputs as the engine holds them, `__provider` included;
        # the iterations change only the name.
        self.inputs = engine.preview([declared]).inputs[declared.name]

    def lifecycle(self, timings: Timings, name: str, record: bool) -> None:
        inputs = {**self.inputs, "name": name}
        kind = RESOURCE_TYPE
        create = provider_pb2.CreateRequest(urn=self.urn, name="r", type=kind, properties=to_struct(inputs))
        created = timed(timings, "create", lambda: self.process.call("Create", create), record)
        outputs = from_struct(created.properties)
        read = provider_pb2.ReadRequest(
            id=created.id,
            urn=self.urn,
            name="r",
            type=kind,
            properties=to_struct(outputs),
            inputs=to_struct(inputs),
        )
        timed(timings, "read", lambda: self.process.call("Read", read), record)
        news = {**inputs, "name": f"{name} renamed"}
        update = provider_pb2.UpdateRequest(
            id=created.id,
            urn=self.urn,
            name="r",
            type=kind,
            olds=to_struct(outputs),
            news=to_struct(news),
            old_inputs=to_struct(inputs),
        )
        updated = timed(timings, "update", lambda: self.process.call("Update", update), record)
        delete = provider_pb2.DeleteRequest(
            id=created.id,
            urn=self.urn,
            name="r",
            type=kind,
            properties=updated.properties,
            old_inputs=to_struct(news),
        )
        timed(timings, "delete", lambda: self.process.call("Delete", delete), record)


def official_lifecycle(api: Any, timings: Timings, props: dict[str, Any], name: str, record: bool) -> None:
    created = timed(
        timings,
        "create",
        lambda: api.create_integration_configuration(
            "custom-approvals", create_body({**props, "name": name})
        ),
        record,
    )
    timed(timings, "read", lambda: api.get_integration_configuration(created.id), record)
    timed(
        timings,
        "update",
        lambda: api.update_integration_configuration(created.id, rename(f"{name} renamed")),
        record,
    )
    timed(timings, "delete", lambda: api.delete_integration_configuration(created.id), record)


def in_process_lifecycle(
    provider: IntegrationConfigurationProvider,
    timings: Timings,
    props: dict[str, Any],
    name: str,
    record: bool,
) -> None:
    created = timed(timings, "create", lambda: provider.create({**props, "name": name}), record)
    timed(timings, "read", lambda: provider.read(created.id, created.outs), record)
    news = {**props, "name": f"{name} renamed"}
    updated = timed(timings, "update", lambda: provider.update(created.id, created.outs, news), record)
    timed(timings, "delete", lambda: provider.delete(created.id, updated.outs), record)


def in_process_provider(emulator: Emulator) -> IntegrationConfigurationProvider:
    provider = IntegrationConfigurationProvider()
    provider.configure(ConfigureRequest(Config(settings_for(emulator), "benchmarks")))
    return provider


def run(iterations: int) -> Section:
    declared = approvals("overhead")
    props = dict(declared.props)
    ours, official, local, trivial = Timings(), Timings(), Timings(), Timings()
    trivial_declared = Declared(name="trivial", provider=TrivialProvider(), props=props)
    with (
        running_emulator(token=TOKEN) as emulator,
        program_dir() as folder,
        plugin(folder, settings_for(emulator)) as our_process,
        plugin(folder, {}) as trivial_process,
    ):
        via_plugin = ViaPlugin(our_process, declared)
        via_trivial = ViaPlugin(trivial_process, trivial_declared)
        api = official_api(emulator.url, TOKEN)
        provider = in_process_provider(emulator)
        for i in range(WARM_UP + iterations):
            record = i >= WARM_UP
            via_plugin.lifecycle(ours, f"Plugin {i}", record)
            official_lifecycle(api, official, props, f"Official {i}", record)
            in_process_lifecycle(provider, local, props, f"Local {i}", record)
            via_trivial.lifecycle(trivial, f"Trivial {i}", record)
        if emulator.configurations():
            raise RuntimeError("the overhead benchmark left configurations behind")
    table = Table(
        "3. Time per operation: this provider against the official client",
        [
            "operation",
            "provider via plugin ms",
            "official client ms",
            "ratio",
            "provider in-process ms",
            "in-process ratio",
            "trivial provider via plugin ms",
        ],
    )
    worst = worst_floor = worst_local = 0.0
    worst_operation = ""
    for operation in OPERATIONS:
        ratio = ours.median(operation) / official.median(operation)
        worst_local = max(worst_local, local.median(operation) / official.median(operation))
        if ratio > worst:
            worst, worst_operation = ratio, operation
            # What a provider that did nothing would add on top of the official client's own call.
            worst_floor = (trivial.median(operation) + official.median(operation)) / official.median(
                operation
            )
        table.add(
            operation,
            f"{ours.median(operation):.2f}",
            f"{official.median(operation):.2f}",
            f"{ratio:.2f}",
            f"{local.median(operation):.2f}",
            f"{local.median(operation) / official.median(operation):.2f}",
            f"{trivial.median(operation):.2f}",
        )
    table.notes += [
        f"Medians of {iterations} interleaved iterations after {WARM_UP} unrecorded ones; one emulator, no faults, "
        "no added latency.",
        "provider via plugin: the RPC alone (gRPC, the Pulumi SDK's (de)serialization in the plugin, the "
        "provider, the HTTP call). trivial provider via plugin: the same RPC to a provider that does nothing, "
        "the floor under any dynamic provider. provider in-process: the provider's methods called directly.",
        "The emulator runs in the benchmark's process; the official client and the in-process provider share "
        "its interpreter, the plugin does not.",
        "A provider that did nothing would take (trivial + official) / official of the official client's time: "
        "the floor that the plugin process puts under this ratio.",
    ]
    target = Target(
        "3. overhead per operation",
        f"{worst:.2f}x the official client at worst ({worst_operation}); a provider doing nothing would be "
        f"{worst_floor:.2f}x there; in-process {worst_local:.2f}x at worst",
        f"<= {TARGET_RATIO}x",
        worst <= TARGET_RATIO,
    )
    return Section([table], [target])
