"""The engine harness (tests/engine.py) drives the real plugin process faithfully.

Every test runs a real ``python -m pulumi.dynamic`` process in ``tmp_path`` with the echo provider
from tests/fixtures/echo_provider.py, which records what it receives in files there.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from echo_provider import CONFIGURE_FILE, EchoProvider, UnknownDiffEchoProvider, read_journal, store_path
from engine import (
    PROVIDER_KEY,
    SECRET_PLACEHOLDER,
    CheckFailed,
    Declared,
    Engine,
    PluginProcess,
    PluginStartError,
    ProviderCallError,
)
from pulumi.output import UNKNOWN, Unknown
from pulumi.runtime import rpc

pytestmark = pytest.mark.timeout(30)

SpawnPlugin = Callable[..., PluginProcess]  # the `spawn_plugin` fixture from conftest.py


@pytest.fixture
def engine(spawn_plugin: SpawnPlugin) -> Engine:
    process = spawn_plugin()
    process.configure({"launchdarkly:accessToken": "api-test"}, secret_keys={"launchdarkly:accessToken"})
    return Engine(process)


def echo(name: str = "thing", provider: EchoProvider | None = None, **props: Any) -> Declared:
    return Declared(name=name, provider=provider or EchoProvider(), props={"name": name, **props})


def calls(program_dir: Path, *methods: str) -> list[dict[str, Any]]:
    return [c for c in read_journal(program_dir) if c["method"] in methods]


def test_configure_sends_full_keys_and_unwrapped_secrets(
    spawn_plugin: SpawnPlugin, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LAUNCHDARKLY_ACCESS_TOKEN", "from-the-developer-shell")
    monkeypatch.setenv("LAUNCHDARKLY_API_HOST", "https://shell.example")
    process = spawn_plugin(env={"LAUNCHDARKLY_API_HOST": "http://explicit.example"})
    config = {
        "launchdarkly:accessToken": "api-secret",
        "launchdarkly:apiHost": "https://ld.example",
        "other:x": "1",
    }

    assert process.configure(config, secret_keys={"launchdarkly:accessToken"}) is False
    assert process.accept_secrets is False
    Engine(process).up([echo()])  # the provider's configure() runs when __provider is first unpickled

    seen = json.loads((tmp_path / CONFIGURE_FILE).read_text())
    assert seen["config"] == config
    assert seen["launchdarkly_env"] == {"LAUNCHDARKLY_API_HOST": "http://explicit.example"}
    assert Path(seen["cwd"]) == tmp_path
    assert "echo: configured" in process.wait_for_stderr("echo: configured")


def test_create_same_update_replace_delete(engine: Engine, tmp_path: Path) -> None:
    created = engine.up([echo(count=1), echo("other")])
    assert created.operations == {"thing": "create", "other": "create"}
    first_id = engine.state["thing"].id
    assert created.outputs["thing"]["count"] == 1.0  # numbers travel as floats
    assert created.outputs["thing"]["receipt"] == f"receipt-{first_id}"
    assert PROVIDER_KEY in engine.state["thing"].inputs

    assert engine.up([echo(count=1), echo("other")]).operations == {"thing": "same", "other": "same"}
    assert engine.up([echo(count=2), echo("other")]).operations == {"thing": "update", "other": "same"}
    assert engine.state["thing"].id == first_id
    update = calls(tmp_path, "update")[-1]
    assert update["olds"]["receipt"] == f"receipt-{first_id}"  # update gets the old *outputs*
    assert update["news"] == {"name": "thing", "count": 2.0}

    replaced = engine.up([echo(count=2, key="k2"), echo("other")])
    assert replaced.operations == {"thing": "replace", "other": "same"}
    new_id = engine.state["thing"].id
    assert new_id != first_id
    assert not store_path(tmp_path, first_id).exists()
    assert store_path(tmp_path, new_id).exists()

    assert engine.up([echo("other")]).operations == {"other": "same", "thing": "delete"}
    assert list(engine.state) == ["other"]
    assert not store_path(tmp_path, new_id).exists()

    assert engine.destroy() == ["other"]
    assert engine.state == {}
    assert not list((tmp_path / "echo-store").iterdir())
    engine.process.close()  # joins the output readers, so stdout is complete
    assert f"echo: deleted {new_id}" in engine.process.stdout_text()


@pytest.mark.parametrize(
    ("delete_first", "order"), [(False, ["create", "delete"]), (True, ["delete", "create"])]
)
def test_replace_order(engine: Engine, tmp_path: Path, delete_first: bool, order: list[str]) -> None:
    provider = EchoProvider(delete_before_replace=delete_first)
    engine.up([echo(provider=provider, key="a")])
    assert engine.up([echo(provider=provider, key="b")]).operations == {"thing": "replace"}
    assert [c["method"] for c in calls(tmp_path, "create", "delete")][1:] == order


def test_diff_unknown_falls_back_to_comparing_inputs(engine: Engine, tmp_path: Path) -> None:
    engine.up([echo(provider=UnknownDiffEchoProvider(), count=1)])
    assert engine.up([echo(provider=UnknownDiffEchoProvider(), count=1)]).operations == {"thing": "same"}
    assert engine.up([echo(provider=UnknownDiffEchoProvider(), count=2)]).operations == {"thing": "update"}
    # Same props, different pickled provider: __provider is part of the compared inputs.
    assert engine.up([echo(provider=UnknownDiffEchoProvider(tag="v2"), count=2)]).operations == {
        "thing": "update"
    }
    assert len(calls(tmp_path, "update")) == 2


def test_secrets_reach_the_provider_plain_and_never_the_state_file(engine: Engine, tmp_path: Path) -> None:
    declared = Declared(
        name="thing",
        provider=EchoProvider(),
        props={"name": "thing", "token": "tok-s3cret", "nested": {"pin": rpc.wrap_rpc_secret("pin-s3cret")}},
        secret_props={"token"},
        additional_secret_outputs=["receipt"],
    )
    engine.up([declared])

    create = calls(tmp_path, "create")[0]
    assert create["props"]["token"] == "tok-s3cret"
    assert create["props"]["nested"] == {"pin": "pin-s3cret"}
    entry = engine.state["thing"]
    assert entry.secret_inputs == {"token", "nested", PROVIDER_KEY}
    assert entry.secret_outputs == {"token", "nested", "receipt", PROVIDER_KEY}
    assert entry.outputs["token"] == "tok-s3cret"  # the harness keeps plain values in memory

    state_file = engine.state_file_json()
    for secret in ("tok-s3cret", "pin-s3cret", entry.outputs["receipt"], entry.inputs[PROVIDER_KEY]):
        assert secret not in state_file
    resource = json.loads(state_file)["deployment"]["resources"][0]
    assert resource["outputs"]["token"] == SECRET_PLACEHOLDER
    assert resource["outputs"]["receipt"] == SECRET_PLACEHOLDER
    assert resource["outputs"]["name"] == "thing"
    assert resource["additionalSecretOutputs"] == ["receipt"]

    # Secretness survives a refresh (by property name).
    engine.refresh()
    assert engine.state["thing"].secret_outputs == {"token", "nested", "receipt", PROVIDER_KEY}


def test_refresh_drops_gone_resources_and_rewrites_inputs(engine: Engine, tmp_path: Path) -> None:
    engine.up([echo("gone"), echo("drifted", color="red")])
    store_path(tmp_path, engine.state["gone"].id).unlink()
    drifted = store_path(tmp_path, engine.state["drifted"].id)
    stored = json.loads(drifted.read_text())
    stored["props"]["color"] = "blue"
    drifted.write_text(json.dumps(stored))

    assert engine.refresh() == {"gone": "delete", "drifted": "update"}
    assert list(engine.state) == ["drifted"]
    assert engine.state["drifted"].inputs["color"] == "blue"
    assert engine.state["drifted"].outputs["color"] == "blue"
    read = calls(tmp_path, "read")[-1]
    assert read["props"]["receipt"].startswith("receipt-")  # read gets the last outputs

    again = engine.up([echo("gone"), echo("drifted", color="red")])
    assert again.operations == {"gone": "create", "drifted": "update"}
    assert engine.refresh() == {"drifted": "same", "gone": "same"}


def test_preview_sends_unknowns_to_check_and_diff_only(engine: Engine, tmp_path: Path) -> None:
    engine.up([echo(color="red")])
    before = len(read_journal(tmp_path))

    planned = engine.preview([echo(color=UNKNOWN), echo("new", color=UNKNOWN)])

    assert planned.operations == {"thing": "update", "new": "create"}
    assert isinstance(planned.inputs["thing"]["color"], Unknown)
    assert planned.diffs["thing"].changes == "some"
    assert {c["method"] for c in read_journal(tmp_path)[before:]} == {"check", "diff"}
    assert calls(tmp_path, "diff")[-1]["news"]["color"] == "<unknown>"
    engine.process.wait_for_stderr("echo: check got unknown values for ['color']")
    assert "new" not in engine.state
    with pytest.raises(ValueError, match="only be declared in a preview"):
        engine.up([echo(color=UNKNOWN)])


def test_check_failures_stop_the_deployment(engine: Engine) -> None:
    with pytest.raises(CheckFailed) as failed:
        engine.up([echo(invalid=True)])
    assert failed.value.failures == [("invalid", "invalid is not allowed (got True)")]
    assert engine.state == {}


def test_provider_exceptions_surface_with_their_message(engine: Engine, tmp_path: Path) -> None:
    with pytest.raises(ProviderCallError) as failure:
        engine.up([echo("x", provider=EchoProvider(fail_in="create"))])
    assert failure.value.method == "Create"
    assert "RuntimeError: echo refused to create x" in failure.value.details
    assert "Traceback" in failure.value.details
    assert engine.state == {}

    failing = EchoProvider(fail_in="update")
    engine.up([echo(provider=failing, color="red")])
    with pytest.raises(ProviderCallError, match="echo refused to update"):
        engine.up([echo(provider=failing, color="blue")])
    assert engine.state["thing"].outputs["color"] == "red"  # a failed step leaves the state alone


def test_get_reads_by_id_with_only_the_provider(engine: Engine, tmp_path: Path) -> None:
    engine.up([echo(color="red")])
    outs = engine.get("copy", engine.state["thing"].id, EchoProvider())
    assert outs["color"] == "red"
    assert calls(tmp_path, "read")[-1]["props"] == {}  # __provider is all a get provides
    with pytest.raises(LookupError):
        engine.get("missing", "no-such-id", EchoProvider())


def test_parallel_up_and_destroy(engine: Engine, tmp_path: Path) -> None:
    declared = [echo(f"r{i}", index=i) for i in range(12)]
    result = engine.up(declared, parallel=4)
    assert result.operations == {f"r{i}": "create" for i in range(12)}
    assert engine.up(declared, parallel=4).operations == {f"r{i}": "same" for i in range(12)}
    assert len(engine.destroy()) == 12
    assert not list((tmp_path / "echo-store").iterdir())

    with pytest.raises(ProviderCallError, match="echo refused to create bad"):
        engine.up([*declared[:3], echo("bad", provider=EchoProvider(fail_in="create"))], parallel=4)
    assert "bad" not in engine.state


def test_process_start_failure_reports_stderr(spawn_plugin: SpawnPlugin, tmp_path: Path) -> None:
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "grpc.py").write_text("raise ImportError('grpc is broken on purpose')\n")
    with pytest.raises(PluginStartError, match="grpc is broken on purpose"):
        spawn_plugin(env={"PYTHONPATH": str(broken)})


def test_close_ends_the_process(tmp_path: Path) -> None:
    with PluginProcess(tmp_path, {"PYTHONPATH": os.environ.get("PYTHONPATH", "")}) as process:
        assert process.returncode is None
    assert process.returncode is not None
    with pytest.raises(RuntimeError, match="closed"):
        process.configure({})
