"""The HTTP client over real HTTP against the emulator: headers, bodies, errors."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from provider.client import USER_AGENT, LaunchDarklyClient
from provider.emulator import Emulator, running_emulator
from provider.errors import ConfigurationError, LaunchDarklyApiError, LaunchDarklyConnectionError
from provider.models import IntegrationConfigurationPost, PatchOperation
from provider.settings import ProviderSettings

TOKEN = "api-test-token-123"


@pytest.fixture(scope="module")
def emulator() -> Iterator[Emulator]:
    with running_emulator(token=TOKEN) as emu:
        yield emu


def client_for(emulator: Emulator, token: str | None = TOKEN) -> LaunchDarklyClient:
    return LaunchDarklyClient(ProviderSettings(access_token=token, api_host=emulator.url))


def approvals_body(name: str = "Approvals") -> IntegrationConfigurationPost:
    return IntegrationConfigurationPost(
        name=name, config_values={"apiKey": "secret-value-1", "baseURL": "https://a.example.com"}, tags=["t"]
    )


def test_every_request_carries_the_required_headers(emulator: Emulator) -> None:
    emulator.clear_requests()
    client = client_for(emulator)
    created = client.create_configuration("custom-approvals", approvals_body())
    client.get_configuration(created.id)
    client.update_configuration(created.id, [PatchOperation(op="replace", path="/name", value="Renamed")])
    client.list_configurations("custom-approvals")
    client.delete_configuration(created.id)
    requests_seen = emulator.requests
    assert [request.method for request in requests_seen] == ["POST", "GET", "PATCH", "GET", "DELETE"]
    for request in requests_seen:
        assert request.headers["authorization"] == [TOKEN]
        assert request.headers["ld-api-version"] == ["beta"]
        assert request.header("user-agent") == USER_AGENT
        if request.method in ("POST", "PATCH"):
            assert request.header("content-type") == "application/json"
    assert requests_seen[2].body == [{"op": "replace", "path": "/name", "value": "Renamed"}]


def test_create_sends_only_set_fields(emulator: Emulator) -> None:
    emulator.clear_requests()
    client_for(emulator).create_configuration("custom-approvals", approvals_body())
    assert emulator.requests[0].body == {
        "name": "Approvals",
        "configValues": {"apiKey": "secret-value-1", "baseURL": "https://a.example.com"},
        "tags": ["t"],
    }


def test_missing_resources_are_none_not_errors(emulator: Emulator) -> None:
    client = client_for(emulator)
    assert client.get_configuration("0" * 24) is None
    assert client.delete_configuration("0" * 24) is False


def test_ids_cannot_change_the_route(emulator: Emulator) -> None:
    emulator.clear_requests()
    assert client_for(emulator).get_configuration("../keys/custom-approvals") is None
    assert emulator.requests[0].path == "/api/v2/integration-configurations/..%2Fkeys%2Fcustom-approvals"


def test_unauthorized_error_is_short_with_hint_and_no_token(emulator: Emulator) -> None:
    with pytest.raises(LaunchDarklyApiError) as raised:
        client_for(emulator, token="api-wrong-token").list_configurations("custom-approvals")
    message = str(raised.value)
    assert "HTTP 401 unauthorized" in message
    assert "Invalid access token" in message
    assert "request id" in message
    assert "launchdarkly:accessToken" in message
    assert "api-wrong-token" not in message


def test_not_found_on_create_points_at_the_integration_key(emulator: Emulator) -> None:
    with pytest.raises(LaunchDarklyApiError) as raised:
        client_for(emulator).create_configuration("no-such-integration", approvals_body())
    assert raised.value.status == 404
    assert "integration_key" in str(raised.value)


def test_validation_error_carries_the_api_message(emulator: Emulator) -> None:
    body = IntegrationConfigurationPost(name="x", config_values={"apiKey": "k", "baseUrl": "https://x"})
    with pytest.raises(LaunchDarklyApiError) as raised:
        client_for(emulator).create_configuration("custom-approvals", body)
    assert raised.value.status == 400
    assert "baseUrl" in str(raised.value)


def test_forbidden_hint_names_beta_role_and_plan() -> None:
    message = str(LaunchDarklyApiError(operation="create", status=403, code="forbidden", message="Forbidden"))
    for words in ("LD-API-Version: beta", "role", "Enterprise"):
        assert words in message


def test_conflict_hint_mentions_concurrent_change() -> None:
    assert "at the same time" in str(LaunchDarklyApiError(operation="update", status=409))


def test_missing_token_fails_before_any_request(emulator: Emulator) -> None:
    emulator.clear_requests()
    with pytest.raises(ConfigurationError, match="LAUNCHDARKLY_ACCESS_TOKEN"):
        client_for(emulator, token=None).list_configurations("custom-approvals")
    assert emulator.requests == []


def test_no_answer_is_a_short_connection_error_after_the_retries() -> None:
    with running_emulator(token=TOKEN) as emu:
        url = emu.url
    settings = ProviderSettings(access_token=TOKEN, api_host=url, connect_timeout=1, max_retries=2)
    with pytest.raises(LaunchDarklyConnectionError, match="no answer from") as raised:
        LaunchDarklyClient(settings).list_configurations("custom-approvals")
    assert "gave up after 3 attempts because launchdarkly:maxRetries is 2" in str(raised.value)


# The session takes proxy and CA settings from the environment once (requests would re-read them
# on every request); these check that what the environment says still applies.

PROXIED_HOST = "http://ld-through-proxy.invalid"


@pytest.fixture
def clean_proxy_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in (
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "ALL_PROXY",
        "NO_PROXY",
        "REQUESTS_CA_BUNDLE",
        "CURL_CA_BUNDLE",
    ):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
    return monkeypatch


def test_requests_go_through_the_proxy_the_environment_names(
    emulator: Emulator, clean_proxy_env: pytest.MonkeyPatch
) -> None:
    # The emulator stands in for the proxy: it serves the absolute URL a client sends a proxy, and the
    # host in that URL does not resolve, so an answer proves the request went through the proxy.
    clean_proxy_env.setenv("HTTP_PROXY", emulator.url)
    emulator.clear_requests()
    client = LaunchDarklyClient(ProviderSettings(access_token=TOKEN, api_host=PROXIED_HOST, max_retries=0))
    assert client.list_configurations("custom-approvals") is not None
    assert [request.method for request in emulator.requests] == ["GET"]


def test_no_proxy_exempts_the_host(emulator: Emulator, clean_proxy_env: pytest.MonkeyPatch) -> None:
    clean_proxy_env.setenv("HTTP_PROXY", emulator.url)
    clean_proxy_env.setenv("NO_PROXY", "ld-through-proxy.invalid")
    emulator.clear_requests()
    settings = ProviderSettings(access_token=TOKEN, api_host=PROXIED_HOST, max_retries=0, connect_timeout=2)
    with pytest.raises(LaunchDarklyConnectionError):
        LaunchDarklyClient(settings).list_configurations("custom-approvals")
    assert emulator.requests == []


def test_a_ca_bundle_from_the_environment_is_used(clean_proxy_env: pytest.MonkeyPatch) -> None:
    clean_proxy_env.setenv("REQUESTS_CA_BUNDLE", "/etc/ssl/corporate-ca.pem")
    client = LaunchDarklyClient(ProviderSettings(access_token=TOKEN))
    assert client._session.verify == "/etc/ssl/corporate-ca.pem"


def test_manifest_errors_name_the_manifest_not_a_configuration() -> None:
    message = str(
        LaunchDarklyApiError(
            operation="read", subject="the integration manifest", status=500, code="internal"
        )
    )
    assert message.startswith("LaunchDarkly refused to read the integration manifest (HTTP 500 internal)")
    assert "integration configuration" not in message
