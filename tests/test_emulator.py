"""The LaunchDarkly API emulator, exercised over real HTTP the way the provider will use it."""

from __future__ import annotations

import http.client
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests

from provider.emulator import ApiError, Emulator, RecordedRequest, running_emulator
from provider.manifests import bundled_manifests

TOKEN = "test-token"
BETA = {"Authorization": TOKEN, "LD-API-Version": "beta"}
CONFIGS = "/api/v2/integration-configurations"
APPROVALS = "custom-approvals"
SNOWFLAKE = "snowflake-experimentation"
SECRET = "super-secret-api-key-123"
MASKED_SECRET = "sup" + "*" * (len(SECRET) - 6) + "123"
REPO_ROOT = Path(__file__).resolve().parents[1]


def approvals_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": "Approvals",
        "configValues": {"apiKey": SECRET, "baseURL": "https://approvals.example.com"},
        "tags": ["team-a", "prod"],
    }
    body.update(overrides)
    return body


def snowflake_body() -> dict[str, Any]:
    return {
        "name": "Warehouse",
        "configValues": {
            "snowflakeHostAddress": "acme.snowflakecomputing.com",
            "selectedEnv": {"projectKey": "default", "environmentKey": "production"},
        },
    }


@pytest.fixture
def emu() -> Iterator[Emulator]:
    with running_emulator(token=TOKEN) as emulator:
        yield emulator


@pytest.fixture
def api() -> Iterator[requests.Session]:
    with requests.Session() as session:
        session.headers.update(BETA)
        yield session


def create(emu: Emulator, api: requests.Session, key: str = APPROVALS, **overrides: Any) -> dict[str, Any]:
    body = snowflake_body() if key == SNOWFLAKE else approvals_body(**overrides)
    response = api.post(f"{emu.url}{CONFIGS}/keys/{key}", json=body)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def patch(emu: Emulator, api: requests.Session, config_id: str, body: Any) -> requests.Response:
    return api.patch(f"{emu.url}{CONFIGS}/{config_id}", json=body)


def assert_error(response: requests.Response, status: int, code: str, *fragments: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert set(body) == {"code", "message", "id"}
    assert body["code"] == code
    assert body["id"] == response.headers["X-Request-Id"]
    for fragment in fragments:
        assert fragment in body["message"]
    return body


# Create, read, list


def test_create_masks_secrets_in_the_answer_but_stores_the_real_value(
    emu: Emulator, api: requests.Session
) -> None:
    response = api.post(f"{emu.url}{CONFIGS}/keys/{APPROVALS}", json=approvals_body())

    assert response.status_code == 201
    assert response.headers["Content-Type"] == "application/json"
    assert response.headers["X-Request-Id"]
    body = response.json()
    assert len(body["_id"]) == 24 and all(c in "0123456789abcdef" for c in body["_id"])
    assert body["name"] == "Approvals"
    assert body["enabled"] is True
    assert body["tags"] == ["team-a", "prod"]
    assert body["_integrationKey"] == APPROVALS
    assert isinstance(body["_createdAt"], int) and body["_createdAt"] > 1_600_000_000_000
    assert body["_links"]["self"] == {"href": f"{CONFIGS}/{body['_id']}", "type": "application/json"}
    assert body["_links"]["parent"]["href"] == f"{CONFIGS}/keys/{APPROVALS}"
    assert body["_access"]["allowed"][0]["reason"]["role_name"] == "admin"
    assert body["_maintainerId"]
    assert "capabilityConfig" not in body
    assert "snowflakeSetupScript" not in body
    assert body["configValues"] == {"apiKey": MASKED_SECRET, "baseURL": "https://approvals.example.com"}

    stored = emu.get_configuration(body["_id"])
    assert stored is not None
    assert stored["configValues"]["apiKey"] == SECRET
    assert [c["configValues"]["apiKey"] for c in emu.configurations()] == [SECRET]


@pytest.mark.parametrize(
    ("secret", "masked"),
    [("abcdefg", "abc*efg"), ("abcdef", "******"), ("ab", "**"), ("", "")],
)
def test_secret_obfuscation_lengths(emu: Emulator, api: requests.Session, secret: str, masked: str) -> None:
    body = approvals_body(configValues={"apiKey": secret, "baseURL": "u"})
    response = api.post(f"{emu.url}{CONFIGS}/keys/{APPROVALS}", json=body)
    assert response.json()["configValues"]["apiKey"] == masked


def test_create_defaults_enabled_and_tags_and_keeps_capability_config(
    emu: Emulator, api: requests.Session
) -> None:
    capability = {
        "approvals": {"additionalFormVariables": [{"key": "ticket", "name": "Ticket", "type": "string"}]},
        "auditLogEventsHook": {
            "statements": [{"effect": "allow", "resources": ["proj/*"], "actions": ["*"]}]
        },
    }
    body = {"name": "n", "configValues": {"apiKey": "k", "baseURL": "u"}, "capabilityConfig": capability}
    created = api.post(f"{emu.url}{CONFIGS}/keys/{APPROVALS}", json=body).json()
    assert created["enabled"] is True
    assert created["tags"] == []
    assert created["capabilityConfig"] == capability


def test_create_fills_manifest_defaults_and_snowflake_script_only_on_create(
    emu: Emulator, api: requests.Session
) -> None:
    created = create(emu, api, SNOWFLAKE)
    assert created["configValues"] == {
        **snowflake_body()["configValues"],
        "publicKey": "",
        "privateKey": "",
        "syncTaskId": "",
        "eventTaskId": "",
    }
    script = created["snowflakeSetupScript"]
    assert isinstance(script, str) and created["_id"] in script

    fetched = api.get(f"{emu.url}{CONFIGS}/{created['_id']}").json()
    listed = api.get(f"{emu.url}{CONFIGS}/keys/{SNOWFLAKE}").json()["items"]
    assert "snowflakeSetupScript" not in fetched
    assert "snowflakeSetupScript" not in listed[0]
    assert "snowflakeSetupScript" not in emu.configurations()[0]


def test_list_and_get(emu: Emulator, api: requests.Session) -> None:
    first = create(emu, api)
    second = create(emu, api, name="Second")

    listed = api.get(f"{emu.url}{CONFIGS}/keys/{APPROVALS}")
    assert listed.status_code == 200
    body = listed.json()
    assert [item["_id"] for item in body["items"]] == [first["_id"], second["_id"]]
    assert body["_links"]["self"]["href"] == f"{CONFIGS}/keys/{APPROVALS}"
    assert all(item["configValues"]["apiKey"] == MASKED_SECRET for item in body["items"])
    assert api.get(f"{emu.url}{CONFIGS}/keys/devin").json()["items"] == []

    fetched = api.get(f"{emu.url}{CONFIGS}/{second['_id']}")
    assert fetched.status_code == 200
    assert fetched.json() == second


def test_unknown_ids_and_integration_keys_are_404(emu: Emulator, api: requests.Session) -> None:
    assert_error(api.get(f"{emu.url}{CONFIGS}/{'0' * 24}"), 404, "not_found")
    assert_error(api.get(f"{emu.url}{CONFIGS}/keys/no-such-integration"), 404, "not_found")
    response = api.post(f"{emu.url}{CONFIGS}/keys/no-such-integration", json=approvals_body())
    assert_error(response, 404, "not_found", "no-such-integration")


def test_unknown_path_is_404_and_wrong_method_is_405(emu: Emulator, api: requests.Session) -> None:
    assert_error(api.get(f"{emu.url}/api/v2/flags"), 404, "not_found")
    created = create(emu, api)
    response = api.put(f"{emu.url}{CONFIGS}/{created['_id']}", json={})
    assert_error(response, 405, "method_not_allowed")
    assert "PATCH" in response.headers["Allow"]


# Validation


@pytest.mark.parametrize(
    ("key", "body", "fragment"),
    [
        (APPROVALS, {"configValues": {"apiKey": "k", "baseURL": "u"}}, "name"),
        (APPROVALS, {"name": "", "configValues": {"apiKey": "k", "baseURL": "u"}}, "name"),
        (APPROVALS, {"name": "n"}, "configValues"),
        (APPROVALS, {"name": "n", "configValues": ["x"]}, "configValues"),
        (APPROVALS, approvals_body(configValues={"apiKey": "k", "baseURL": "u", "extra": 1}), "extra"),
        (APPROVALS, approvals_body(configValues={"apiKey": "k"}), "baseURL"),
        (APPROVALS, approvals_body(configValues={"apiKey": 12345, "baseURL": "u"}), "apiKey"),
        (APPROVALS, approvals_body(enabled="yes"), "enabled"),
        (APPROVALS, approvals_body(tags=["ok", "not ok"]), "tags[1]"),
        (APPROVALS, approvals_body(tags=["x" * 65]), "tags[0]"),
        (APPROVALS, approvals_body(tags="prod"), "tags"),
        (APPROVALS, approvals_body(capabilityConfig={"flagLinks": {}}), "capabilityConfig.flagLinks"),
        (
            APPROVALS,
            approvals_body(capabilityConfig={"auditLogEventsHook": {"statements": [{"effect": "maybe"}]}}),
            "effect",
        ),
        (
            APPROVALS,
            approvals_body(capabilityConfig={"approvals": {"additionalFormVariables": [{"key": "k"}]}}),
            "additionalFormVariables[0].name",
        ),
        (
            "aiconfig-test-run",
            {"name": "n", "configValues": {"provider": "Mistral", "apiKey": "k"}},
            "provider",
        ),
        (
            "pagerduty-guardian-edition",
            {
                "name": "n",
                "configValues": {"integrationKey": "k", "severity": "info", "eventFilter": ["nope"]},
            },
            "eventFilter",
        ),
        (
            SNOWFLAKE,
            {"name": "n", "configValues": {"snowflakeHostAddress": "h", "selectedEnv": 3}},
            "selectedEnv",
        ),
    ],
)
def test_create_validation_errors(
    emu: Emulator, api: requests.Session, key: str, body: dict[str, Any], fragment: str
) -> None:
    response = api.post(f"{emu.url}{CONFIGS}/keys/{key}", json=body)
    assert_error(response, 400, "invalid_request", fragment)
    assert emu.configurations() == []


def test_optional_and_hidden_fields_need_not_be_sent(emu: Emulator, api: requests.Session) -> None:
    body = {"name": "n", "configValues": {"integrationKey": "k", "severity": "info"}}
    response = api.post(f"{emu.url}{CONFIGS}/keys/pagerduty-guardian-edition", json=body)
    assert response.status_code == 201, response.text


def test_writes_need_json_content_type_and_valid_json(emu: Emulator, api: requests.Session) -> None:
    url = f"{emu.url}{CONFIGS}/keys/{APPROVALS}"
    as_text = api.post(url, data=b'{"name": "n"}', headers={"Content-Type": "text/plain"})
    assert_error(as_text, 400, "invalid_request", "Content-Type")
    malformed = api.post(url, data=b'{"name": ', headers={"Content-Type": "application/json"})
    assert_error(malformed, 400, "invalid_request", "JSON")
    with_charset = api.post(
        url,
        data=b'{"name": "n", "configValues": {"apiKey": "k", "baseURL": "u"}}',
        headers={"Content-Type": "application/json; charset=utf-8"},
    )
    assert with_charset.status_code == 201


# Update


def test_patch_replace_add_remove_and_sub_paths(emu: Emulator, api: requests.Session) -> None:
    created = create(emu, api)
    operations = [
        {"op": "replace", "path": "/name", "value": "Renamed"},
        {"op": "replace", "path": "/enabled", "value": False},
        {"op": "add", "path": "/tags/-", "value": "added"},
        {"op": "replace", "path": "/configValues/baseURL", "value": "https://new.example.com"},
        {"op": "add", "path": "/capabilityConfig", "value": {"auditLogEventsHook": {"statements": []}}},
    ]
    response = patch(emu, api, created["_id"], operations)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["name"] == "Renamed"
    assert body["enabled"] is False
    assert body["tags"] == ["team-a", "prod", "added"]
    assert body["configValues"] == {"apiKey": MASKED_SECRET, "baseURL": "https://new.example.com"}
    assert body["capabilityConfig"] == {"auditLogEventsHook": {"statements": []}}
    assert body["_id"] == created["_id"] and body["_createdAt"] == created["_createdAt"]

    removed = patch(
        emu,
        api,
        created["_id"],
        {
            "comment": "tidy up",
            "patch": [{"op": "remove", "path": "/tags"}, {"op": "remove", "path": "/capabilityConfig"}],
        },
    )
    assert removed.status_code == 200, removed.text
    assert removed.json()["tags"] == []
    assert "capabilityConfig" not in removed.json()
    stored = emu.get_configuration(created["_id"])
    assert stored is not None and stored["configValues"]["apiKey"] == SECRET


def test_patch_test_op_checks_the_stored_value(emu: Emulator, api: requests.Session) -> None:
    created = create(emu, api)
    ok = patch(
        emu,
        api,
        created["_id"],
        [
            {"op": "test", "path": "/name", "value": "Approvals"},
            {"op": "replace", "path": "/name", "value": "x"},
        ],
    )
    assert ok.status_code == 200
    failed = patch(emu, api, created["_id"], [{"op": "test", "path": "/name", "value": "Approvals"}])
    assert_error(failed, 422, "patch_failed")


def test_patching_a_masked_value_back_overwrites_the_real_secret(
    emu: Emulator, api: requests.Session
) -> None:
    created = create(emu, api)
    masked_value = created["configValues"]["apiKey"]
    response = patch(
        emu,
        api,
        created["_id"],
        [{"op": "replace", "path": "/configValues", "value": created["configValues"]}],
    )
    assert response.status_code == 200
    stored = emu.get_configuration(created["_id"])
    assert stored is not None
    assert stored["configValues"]["apiKey"] == masked_value == MASKED_SECRET


@pytest.mark.parametrize(
    ("operations", "status", "code", "fragment"),
    [
        ([{"op": "replace", "path": "/_id", "value": "abc"}], 400, "invalid_request", "/_id"),
        ([{"op": "replace", "path": "/_createdAt", "value": 1}], 400, "invalid_request", "/_createdAt"),
        ([{"op": "replace", "path": "/name/x", "value": 1}], 400, "invalid_request", "/name/x"),
        ([{"op": "move", "from": "/name", "path": "/configValues/baseURL"}], 400, "invalid_request", "move"),
        ([{"op": "copy", "from": "/name", "path": "/configValues/baseURL"}], 400, "invalid_request", "copy"),
        ([{"op": "replace", "path": "/name"}], 400, "invalid_request", "value"),
        ({"name": "not a patch"}, 400, "invalid_request", "JSON Patch"),
        ([{"op": "remove", "path": "/configValues/missing"}], 422, "patch_failed", ""),
        ([{"op": "replace", "path": "/configValues/missing", "value": 1}], 422, "patch_failed", ""),
        ([{"op": "remove", "path": "/name"}], 400, "invalid_request", "name"),
        ([{"op": "add", "path": "/configValues/unknown", "value": "x"}], 400, "invalid_request", "unknown"),
        ([{"op": "remove", "path": "/configValues/baseURL"}], 400, "invalid_request", "baseURL"),
        ([{"op": "add", "path": "/tags/-", "value": "bad tag"}], 400, "invalid_request", "tags[2]"),
    ],
)
def test_patch_errors(
    emu: Emulator, api: requests.Session, operations: Any, status: int, code: str, fragment: str
) -> None:
    created = create(emu, api)
    before = emu.get_configuration(created["_id"])
    assert_error(patch(emu, api, created["_id"], operations), status, code, fragment)
    assert emu.get_configuration(created["_id"]) == before


def test_patch_cannot_change_fields_locked_after_saving(emu: Emulator, api: requests.Session) -> None:
    created = create(emu, api, SNOWFLAKE)
    locked = patch(
        emu,
        api,
        created["_id"],
        [{"op": "replace", "path": "/configValues/snowflakeHostAddress", "value": "other"}],
    )
    assert_error(locked, 400, "invalid_request", "snowflakeHostAddress", "cannot be changed after")
    unchanged = patch(
        emu,
        api,
        created["_id"],
        [
            {
                "op": "replace",
                "path": "/configValues/snowflakeHostAddress",
                "value": "acme.snowflakecomputing.com",
            },
            {"op": "replace", "path": "/name", "value": "renamed"},
        ],
    )
    assert unchanged.status_code == 200, unchanged.text
    assert "snowflakeSetupScript" not in unchanged.json()


def test_patch_unknown_id_is_404(emu: Emulator, api: requests.Session) -> None:
    response = patch(emu, api, "f" * 24, [{"op": "replace", "path": "/name", "value": "x"}])
    assert_error(response, 404, "not_found")


# Delete


def test_delete_then_404(emu: Emulator, api: requests.Session) -> None:
    created = create(emu, api)
    url = f"{emu.url}{CONFIGS}/{created['_id']}"
    deleted = api.delete(url)
    assert deleted.status_code == 204
    assert deleted.content == b""
    assert deleted.headers["X-Request-Id"]
    assert_error(api.get(url), 404, "not_found")
    assert_error(api.delete(url), 404, "not_found")
    assert emu.configurations() == []


# Authentication and the beta header


@pytest.mark.parametrize(
    "authorization",
    [None, "wrong-token", f"Bearer {TOKEN}", ""],
    ids=["missing", "wrong", "bearer-prefixed", "empty"],
)
def test_bad_or_missing_token_is_401(emu: Emulator, authorization: str | None) -> None:
    headers = {"LD-API-Version": "beta"}
    if authorization is not None:
        headers["Authorization"] = authorization
    for path in (f"{CONFIGS}/keys/{APPROVALS}", "/api/v2/integration-manifests"):
        body = assert_error(requests.get(f"{emu.url}{path}", headers=headers), 401, "unauthorized")
        assert body["message"] == "Invalid access token"


def test_without_a_configured_token_any_token_is_accepted() -> None:
    with running_emulator() as emulator:
        url = f"{emulator.url}{CONFIGS}/keys/{APPROVALS}"
        accepted = requests.get(url, headers={"Authorization": "anything", "LD-API-Version": "beta"})
        assert accepted.status_code == 200
        assert_error(requests.get(url, headers={"LD-API-Version": "beta"}), 401, "unauthorized")


@pytest.mark.parametrize("version", [None, "20240415", "Beta"])
def test_configurations_need_the_beta_header(emu: Emulator, version: str | None) -> None:
    headers = {"Authorization": TOKEN}
    if version is not None:
        headers["LD-API-Version"] = version
    response = requests.get(f"{emu.url}{CONFIGS}/keys/{APPROVALS}", headers=headers)
    assert_error(response, 403, "forbidden", "beta", "LD-API-Version")


def send_with_repeated_version_header(emu: Emulator, versions: list[str]) -> http.client.HTTPResponse:
    parts = urlsplit(emu.url)
    assert parts.hostname is not None and parts.port is not None
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=5)
    connection.putrequest("GET", f"{CONFIGS}/keys/{APPROVALS}")
    connection.putheader("Authorization", TOKEN)
    for version in versions:
        connection.putheader("LD-API-Version", version)
    connection.endheaders()
    response = connection.getresponse()
    response.read()
    connection.close()
    return response


def test_a_repeated_beta_header_is_read_by_its_first_value(emu: Emulator) -> None:
    assert send_with_repeated_version_header(emu, ["20240415", "beta"]).status == 403
    assert send_with_repeated_version_header(emu, ["beta", "20240415"]).status == 200
    recorded = emu.requests[0]
    assert recorded.headers["ld-api-version"] == ["20240415", "beta"]
    assert recorded.header("LD-API-Version") == "20240415"
    assert recorded.status == 403


# Manifests


def test_manifest_endpoints_need_the_token_but_not_the_beta_header(emu: Emulator) -> None:
    headers = {"Authorization": TOKEN}
    listed = requests.get(f"{emu.url}/api/v2/integration-manifests", headers=headers)
    assert listed.status_code == 200
    assert sorted(item["key"] for item in listed.json()["items"]) == sorted(bundled_manifests())

    one = requests.get(f"{emu.url}/api/v2/integration-manifests/gitar", headers=headers)
    assert one.status_code == 200
    assert one.json() == bundled_manifests()["gitar"].to_api()

    missing = requests.get(f"{emu.url}/api/v2/integration-manifests/nope", headers=headers)
    assert_error(missing, 404, "not_found")


# Recording, concurrency, out-of-band changes, lifecycle


def test_requests_are_recorded_in_order(emu: Emulator, api: requests.Session) -> None:
    created = create(emu, api)
    api.get(f"{emu.url}{CONFIGS}/keys/{APPROVALS}?limit=5")
    requests.get(f"{emu.url}{CONFIGS}/keys/{APPROVALS}")

    recorded = emu.requests
    assert [(r.method, r.status) for r in recorded] == [("POST", 201), ("GET", 200), ("GET", 401)]
    post, listing, _ = recorded
    assert isinstance(post, RecordedRequest)
    assert post.path == f"{CONFIGS}/keys/{APPROVALS}"
    assert post.body == approvals_body()
    assert post.header("authorization") == TOKEN
    assert post.header("Content-Type") == "application/json"
    assert listing.query == "limit=5" and listing.body is None
    assert recorded[0].timestamp <= recorded[1].timestamp <= recorded[2].timestamp
    assert created["_id"]

    recorded.clear()
    assert len(emu.requests) == 3
    emu.clear_requests()
    assert emu.requests == []


def test_non_json_bodies_are_recorded_as_text(emu: Emulator, api: requests.Session) -> None:
    api.post(
        f"{emu.url}{CONFIGS}/keys/{APPROVALS}", data=b"not json", headers={"Content-Type": "application/json"}
    )
    assert emu.requests[0].body == "not json"
    assert emu.requests[0].status == 400


def test_concurrent_creates_get_distinct_ids(emu: Emulator) -> None:
    ids: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()
    barrier = threading.Barrier(8)

    def worker(index: int) -> None:
        try:
            barrier.wait(timeout=5)
            response = requests.post(
                f"{emu.url}{CONFIGS}/keys/{APPROVALS}",
                json=approvals_body(name=f"c{index}"),
                headers=BETA,
                timeout=10,
            )
            assert response.status_code == 201
            with lock:
                ids.append(response.json()["_id"])
        except BaseException as error:
            with lock:
                errors.append(error)

    threads = [threading.Thread(target=worker, args=(index,)) for index in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=15)
    assert errors == []
    assert len(set(ids)) == 8
    assert len(emu.configurations()) == 8
    assert len(emu.requests) == 8


def test_out_of_band_seed_modify_remove(emu: Emulator, api: requests.Session) -> None:
    seeded = emu.seed_configuration(APPROVALS, approvals_body(name="From the UI"))
    assert seeded["configValues"]["apiKey"] == SECRET
    assert emu.requests == []
    url = f"{emu.url}{CONFIGS}/{seeded['_id']}"
    assert api.get(url).json()["configValues"]["apiKey"] == MASKED_SECRET

    modified = emu.modify_configuration(
        seeded["_id"], name="Changed", enabled=False, configValues={"apiKey": "rotated-key", "baseURL": "u"}
    )
    assert modified["name"] == "Changed"
    fetched = api.get(url).json()
    assert (fetched["name"], fetched["enabled"]) == ("Changed", False)
    assert fetched["configValues"] == {"apiKey": "rot*****key", "baseURL": "u"}

    emu.remove_configuration(seeded["_id"])
    assert api.get(url).status_code == 404
    assert emu.get_configuration(seeded["_id"]) is None

    with pytest.raises(KeyError):
        emu.remove_configuration(seeded["_id"])
    with pytest.raises(KeyError):
        emu.modify_configuration(seeded["_id"], name="x")
    with pytest.raises(TypeError):
        emu.modify_configuration(seeded["_id"], _id="x")
    with pytest.raises(ApiError) as refused:
        emu.seed_configuration(APPROVALS, {"name": "no values"})
    assert refused.value.status == 400


def test_stop_closes_the_listening_socket_and_kept_alive_connections() -> None:
    emulator = Emulator(token=TOKEN).start()
    url = emulator.url
    with requests.Session() as session:
        session.headers.update(BETA)
        assert session.get(f"{url}{CONFIGS}/keys/{APPROVALS}").status_code == 200
        emulator.stop()
        assert not emulator.running
        with pytest.raises(requests.ConnectionError):
            session.get(f"{url}{CONFIGS}/keys/{APPROVALS}", timeout=2)
    emulator.stop()


# Contract with the official client's models


def test_answers_parse_with_the_official_client_models(emu: Emulator, api: requests.Session) -> None:
    # Imported here: the official client takes seconds to import and only this test needs it.
    from launchdarkly_api.models.integration_configuration_collection_rep import (
        IntegrationConfigurationCollectionRep,
    )
    from launchdarkly_api.models.integration_configurations_rep import IntegrationConfigurationsRep

    created = [
        create(emu, api),
        create(emu, api, SNOWFLAKE),
        create(
            emu,
            api,
            capabilityConfig={
                "approvals": {"additionalFormVariables": [{"key": "t", "name": "T", "type": "string"}]},
                "auditLogEventsHook": {"statements": [{"effect": "deny", "notResources": ["proj/x"]}]},
            },
        ),
    ]
    for body in created:
        parsed = IntegrationConfigurationsRep.from_dict(body)
        assert parsed is not None and parsed.id == body["_id"]
        fetched = api.get(f"{emu.url}{CONFIGS}/{body['_id']}").json()
        assert IntegrationConfigurationsRep.from_dict(fetched) is not None
    assert IntegrationConfigurationsRep.from_dict(created[1]).snowflake_setup_script  # type: ignore[union-attr]
    for key in (APPROVALS, SNOWFLAKE, "devin"):
        collection = IntegrationConfigurationCollectionRep.from_dict(
            api.get(f"{emu.url}{CONFIGS}/keys/{key}").json()
        )
        assert collection is not None
    patched = patch(emu, api, created[0]["_id"], [{"op": "replace", "path": "/name", "value": "p"}]).json()
    assert IntegrationConfigurationsRep.from_dict(patched) is not None


# Command line


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_cli_prints_its_url_serves_and_exits_cleanly(stop_signal: signal.Signals) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "provider.emulator", "--port", "0", "--token", "t"],
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:")
        response = requests.get(
            f"{url}{CONFIGS}/keys/{APPROVALS}",
            headers={"Authorization": "t", "LD-API-Version": "beta"},
            timeout=5,
        )
        assert response.status_code == 200
        assert response.json()["items"] == []
        process.send_signal(stop_signal)
        stdout, stderr = process.communicate(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0, stderr
    assert stdout == ""
    assert "Traceback" not in stderr


def test_cli_refuses_a_remote_host_without_opt_in() -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "provider.emulator", "--host", "0.0.0.0"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=10,
    )
    assert completed.returncode == 2
    assert completed.stdout == ""
    assert "--allow-remote" in completed.stderr
