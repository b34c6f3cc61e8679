"""Form variables locked after saving (`disableAfterSaving`): changing one plans a replacement, and
the preview says why, instead of `up` failing on LaunchDarkly's refusal to patch it."""

from __future__ import annotations

from typing import Any

from engine import Engine
from lifecycle_helpers import configuration, configuration_requests
from pulumi.output import Unknown

from provider.emulator import Emulator

WAREHOUSE_VALUES = {
    "snowflakeHostAddress": "https://ab123.snowflakecomputing.com",
    "selectedEnv": "production",
}


def warehouse(**config_changes: Any) -> Any:
    return configuration(
        "warehouse",
        integration_key="snowflake-experimentation",
        name="Warehouse",
        config_values={**WAREHOUSE_VALUES, **config_changes},
    )


def test_changing_a_locked_value_replaces_and_says_why(engine: Engine, emulator: Emulator) -> None:
    engine.up([warehouse()])
    old_id = engine.state["warehouse"].id
    emulator.clear_requests()

    moved = warehouse(snowflakeHostAddress="https://cd456.snowflakecomputing.com")
    preview = engine.preview([moved])
    assert preview.operations == {"warehouse": "replace"}
    assert preview.diffs["warehouse"].replaces == ["config_values"]
    stderr = engine.process.wait_for_stderr("will be replaced")
    assert (
        f"launchdarkly: configuration 'Warehouse' ({old_id}) will be replaced, not updated: LaunchDarkly does "
        "not allow changing config_values.snowflakeHostAddress after it is saved (disableAfterSaving in the "
        "`snowflake-experimentation` manifest)."
    ) in stderr

    assert engine.up([moved]).operations == {"warehouse": "replace"}
    assert [f"{r.method} {r.path}" for r in configuration_requests(emulator)] == [
        "POST /api/v2/integration-configurations/keys/snowflake-experimentation",
        f"DELETE /api/v2/integration-configurations/{old_id}",
    ]
    (held,) = emulator.configurations()
    assert held["configValues"]["snowflakeHostAddress"] == "https://cd456.snowflakecomputing.com"
    assert engine.state["warehouse"].id == held["_id"] != old_id


def test_every_locked_key_that_changes_is_named(engine: Engine) -> None:
    engine.up([warehouse()])
    both = warehouse(snowflakeHostAddress="https://ef789.snowflakecomputing.com", selectedEnv="staging")
    assert engine.preview([both]).operations == {"warehouse": "replace"}
    assert "changing config_values.selectedEnv, config_values.snowflakeHostAddress after" in (
        engine.process.wait_for_stderr("config_values.selectedEnv, ")
    )


def test_unlocked_values_still_update_in_place(engine: Engine, emulator: Emulator) -> None:
    engine.up([warehouse()])
    config_id = engine.state["warehouse"].id
    emulator.clear_requests()
    assert engine.up([warehouse(publicKey="ssh-rsa AAAA")]).operations == {"warehouse": "update"}
    assert [f"{r.method} {r.path}" for r in configuration_requests(emulator)] == [
        f"PATCH /api/v2/integration-configurations/{config_id}"
    ]
    assert "will be replaced" not in engine.process.stderr_text()


def test_a_locked_value_not_known_yet_previews_as_a_replacement(engine: Engine) -> None:
    engine.up([warehouse()])
    assert engine.preview([warehouse(selectedEnv=Unknown())]).operations == {"warehouse": "replace"}


def test_creating_is_unaffected(engine: Engine, emulator: Emulator) -> None:
    assert engine.up([warehouse()]).operations == {"warehouse": "create"}
    assert engine.up([warehouse()]).operations == {"warehouse": "same"}
    assert len(emulator.configurations()) == 1
