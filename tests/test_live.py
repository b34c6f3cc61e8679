"""The lifecycle against a real LaunchDarkly account. Skipped unless LD_LIVE_TESTS=1 and a token are set.

LD_LIVE_TESTS=1 LAUNCHDARKLY_ACCESS_TOKEN=api-... [LAUNCHDARKLY_API_HOST=...] pytest -m live
"""

from __future__ import annotations

import os
import uuid
from typing import Any

import pytest
from engine import Engine
from lifecycle_helpers import approvals

TOKEN = os.environ.get("LAUNCHDARKLY_ACCESS_TOKEN", "")

pytestmark = [
    pytest.mark.live,
    pytest.mark.skipif(
        os.environ.get("LD_LIVE_TESTS") != "1" or not TOKEN,
        reason="live tests need LD_LIVE_TESTS=1 and LAUNCHDARKLY_ACCESS_TOKEN",
    ),
]


def test_live_lifecycle(spawn_plugin: Any) -> None:
    config = {"launchdarkly:accessToken": TOKEN}
    if os.environ.get("LAUNCHDARKLY_API_HOST"):
        config["launchdarkly:apiHost"] = os.environ["LAUNCHDARKLY_API_HOST"]
    process = spawn_plugin()
    process.configure(config, secret_keys={"launchdarkly:accessToken"})
    engine = Engine(process)
    suffix = uuid.uuid4().hex[:8]
    declared = approvals(name=f"pulumi live test {suffix}", tags=["pulumi-live-test"])
    try:
        assert engine.up([declared]).operations == {"approvals": "create"}
        assert engine.refresh() == {"approvals": "same"}
        assert engine.up([declared]).operations == {"approvals": "same"}
        renamed = approvals(
            name=f"pulumi live test {suffix} renamed", tags=["pulumi-live-test"], enabled=False
        )
        assert engine.up([renamed]).operations == {"approvals": "update"}
        assert engine.refresh() == {"approvals": "same"}
        assert engine.state["approvals"].outputs["enabled"] is False
    finally:
        engine.destroy()
    assert engine.state == {}
