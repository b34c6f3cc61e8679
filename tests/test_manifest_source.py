"""Where manifests come from: pinned file, then the API, then the bundled copy, then none.

Over real HTTP (the emulator, or a tiny server for the failures it does not produce); notices are
collected instead of printed.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import EMULATOR_TOKEN
from fault_servers import fixed_answer_server, silent_server

from provider.emulator import Emulator, running_emulator
from provider.errors import ConfigurationError
from provider.manifest_source import ManifestSource
from provider.manifests import bundled_manifests
from provider.models import IntegrationManifest
from provider.settings import ProviderSettings

BUNDLED_APPROVALS = bundled_manifests()["custom-approvals"]


def variant(note: str) -> IntegrationManifest:
    """custom-approvals with one more field, so each source's copy can be told apart."""
    raw = BUNDLED_APPROVALS.to_api()
    raw["formVariables"] = [
        *raw["formVariables"],
        {"key": note, "name": note, "type": "string", "isOptional": True},
    ]
    return IntegrationManifest.model_validate(raw)


def field_keys(manifest: IntegrationManifest | None) -> list[str]:
    assert manifest is not None
    return [variable.key for variable in manifest.form_variables]


@pytest.fixture
def live_emulator() -> Iterator[Emulator]:
    """An emulator whose custom-approvals manifest is newer than the bundled one."""
    manifests = {**bundled_manifests(), "custom-approvals": variant("fromApi")}
    with running_emulator(token=EMULATOR_TOKEN, manifests=manifests) as emulator:
        yield emulator


class Source:
    """A ManifestSource built from settings, with its notices collected."""

    def __init__(self, **settings: Any) -> None:
        self.notices: list[str] = []
        self.source = ManifestSource.from_settings(ProviderSettings(**settings), notice=self.notices.append)

    def lookup(self, key: str) -> IntegrationManifest | None:
        return self.source.lookup(key)


def pin(path: Path, *manifests: IntegrationManifest) -> str:
    path.write_text(json.dumps({"items": [manifest.to_api() for manifest in manifests]}))
    return str(path)


def test_the_live_manifest_wins_over_the_bundled_copy(live_emulator: Emulator) -> None:
    source = Source(access_token=EMULATOR_TOKEN, api_host=live_emulator.url)
    assert field_keys(source.lookup("custom-approvals")) == ["apiKey", "baseURL", "fromApi"]
    assert source.notices == []


def test_a_pinned_file_wins_over_the_api(live_emulator: Emulator, tmp_path: Path) -> None:
    pinned = pin(tmp_path / "m.json", variant("fromFile"))
    source = Source(access_token=EMULATOR_TOKEN, api_host=live_emulator.url, manifests_file=pinned)
    assert field_keys(source.lookup("custom-approvals")) == ["apiKey", "baseURL", "fromFile"]
    assert live_emulator.requests == []
    # A key the file does not hold goes on to the API.
    assert source.lookup("devin") == bundled_manifests()["devin"]
    assert [request.path for request in live_emulator.requests] == ["/api/v2/integration-manifests/devin"]


def test_without_a_token_the_bundled_copy_is_used_quietly(live_emulator: Emulator) -> None:
    source = Source(api_host=live_emulator.url)
    assert source.lookup("custom-approvals") == BUNDLED_APPROVALS
    assert source.notices == []
    assert live_emulator.requests == []


def test_no_manifest_anywhere_is_said_once_with_a_suggestion() -> None:
    source = Source()
    assert source.lookup("custom-aprovals") is None
    assert source.lookup("custom-aprovals") is None
    assert source.notices == [
        "manifest validation skipped for integration `custom-aprovals`: no access token to fetch it from "
        "LaunchDarkly; not bundled with the provider. Did you mean `custom-approvals`? Only schema-level "
        "checks ran."
    ]


def test_each_key_is_fetched_once_even_from_many_threads(live_emulator: Emulator) -> None:
    source = Source(access_token=EMULATOR_TOKEN, api_host=live_emulator.url)
    found: list[IntegrationManifest | None] = []
    start = threading.Barrier(8)

    def look() -> None:
        start.wait()
        found.append(source.lookup("custom-approvals"))

    threads = [threading.Thread(target=look) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(found) == 8 and all(manifest is found[0] for manifest in found)
    source.lookup("custom-approvals")
    source.lookup("devin")
    assert sorted(request.path for request in live_emulator.requests) == [
        "/api/v2/integration-manifests/custom-approvals",
        "/api/v2/integration-manifests/devin",
    ]


def test_404_falls_back_to_the_bundled_copy() -> None:
    with running_emulator(token=EMULATOR_TOKEN, manifests={}) as emulator:
        url = emulator.url
        source = Source(access_token=EMULATOR_TOKEN, api_host=url)
        assert source.lookup("custom-approvals") == BUNDLED_APPROVALS
        assert source.lookup("brand-new") is None
    assert source.notices[0] == (
        "could not fetch the manifest of integration `custom-approvals` "
        f"({url} has no manifest for it (HTTP 404)); validating against the copy bundled with the "
        "provider instead."
    )
    assert "skipped for integration `brand-new`" in source.notices[1]
    assert "has no manifest for it (HTTP 404); not bundled with the provider" in source.notices[1]


def test_refused_token_falls_back_and_stops_asking(live_emulator: Emulator) -> None:
    source = Source(access_token="api-refused-token-0042", api_host=live_emulator.url)
    assert source.lookup("custom-approvals") == BUNDLED_APPROVALS
    assert source.lookup("devin") == bundled_manifests()["devin"]
    assert len(live_emulator.requests) == 1  # every other key would be refused too
    assert len(source.notices) == 2
    assert all("answered HTTP 401 unauthorized" in notice for notice in source.notices)
    assert not any("api-refused-token-0042" in notice for notice in source.notices)


def test_server_error_falls_back_per_key() -> None:
    with fixed_answer_server(500, {"code": "internal_server_error", "message": "boom"}) as server:
        source = Source(access_token=EMULATOR_TOKEN, api_host=server.url)
        assert source.lookup("custom-approvals") == BUNDLED_APPROVALS
        assert source.lookup("devin") == bundled_manifests()["devin"]
        assert source.lookup("devin") == bundled_manifests()["devin"]
    assert len(server.hits.paths) == 2  # a 5xx may be passing: each key is still tried, once
    assert "answered HTTP 500 internal_server_error" in source.notices[0]


def test_no_answer_gives_up_after_the_manifest_timeout() -> None:
    with silent_server() as server:
        source = Source(access_token=EMULATOR_TOKEN, api_host=server.url, manifest_timeout=0.3)
        assert source.lookup("custom-approvals") == BUNDLED_APPROVALS
        assert source.lookup("devin") == bundled_manifests()["devin"]
    assert server.hits.connections == 1
    assert f"no answer from {server.url} in time" in source.notices[0]


def test_an_unusable_pinned_file_is_an_error_until_it_is_fixed(tmp_path: Path) -> None:
    path = tmp_path / "pinned.json"
    source = Source(manifests_file=str(path))
    for _ in range(2):
        with pytest.raises(ConfigurationError, match="does not exist"):
            source.lookup("custom-approvals")
    pin(path, variant("fixed"))
    assert field_keys(source.lookup("custom-approvals")) == ["apiKey", "baseURL", "fixed"]
