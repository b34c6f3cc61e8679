"""Where settings come from, and which values are refused."""

from __future__ import annotations

import pytest

from provider.errors import ConfigurationError
from provider.settings import DEFAULT_API_HOST, ProviderSettings


def load(config: dict[str, str] | None = None, environ: dict[str, str] | None = None) -> ProviderSettings:
    return ProviderSettings.load((config or {}).get, environ or {})


def test_stack_config_wins_over_environment() -> None:
    settings = load(
        {
            "launchdarkly:accessToken": "api-config",
            "launchdarkly:apiHost": "https://app.eu.launchdarkly.com/",
        },
        {"LAUNCHDARKLY_ACCESS_TOKEN": "api-env", "LAUNCHDARKLY_API_HOST": "https://app.launchdarkly.us"},
    )
    assert settings.access_token == "api-config"
    assert settings.api_host == "https://app.eu.launchdarkly.com"


def test_environment_fills_in_when_config_is_absent() -> None:
    settings = load(
        {}, {"LAUNCHDARKLY_ACCESS_TOKEN": "api-env", "LAUNCHDARKLY_API_HOST": "https://app.launchdarkly.us"}
    )
    assert settings.access_token == "api-env"
    assert settings.api_host == "https://app.launchdarkly.us"


def test_defaults_to_the_commercial_host() -> None:
    assert load().api_host == DEFAULT_API_HOST


def test_missing_token_names_both_ways_to_set_it() -> None:
    with pytest.raises(ConfigurationError) as raised:
        load().require_token()
    message = str(raised.value)
    assert "pulumi config set --secret launchdarkly:accessToken" in message
    assert "LAUNCHDARKLY_ACCESS_TOKEN" in message


def test_token_is_not_in_repr() -> None:
    assert "api-secret-token" not in repr(load({"launchdarkly:accessToken": "api-secret-token"}))


@pytest.mark.parametrize("host", ["http://127.0.0.1:8080", "http://localhost:1234", "http://[::1]:99"])
def test_plain_http_is_allowed_for_loopback(host: str) -> None:
    assert load({"launchdarkly:apiHost": host}).api_host == host


@pytest.mark.parametrize("host", ["http://app.launchdarkly.com", "http://10.0.0.5:8080"])
def test_plain_http_is_refused_elsewhere(host: str) -> None:
    with pytest.raises(ConfigurationError, match="unencrypted"):
        load({"launchdarkly:apiHost": host})


@pytest.mark.parametrize("host", ["app.launchdarkly.com", "ftp://x", "https://app.launchdarkly.com/?a=1"])
def test_malformed_hosts_are_refused_with_the_source_named(host: str) -> None:
    with pytest.raises(ConfigurationError, match="launchdarkly:apiHost"):
        load({"launchdarkly:apiHost": host})


def test_request_timeout_must_be_positive() -> None:
    assert load({}, {"LAUNCHDARKLY_REQUEST_TIMEOUT": "2.5"}).request_timeout == 2.5
    with pytest.raises(ConfigurationError, match="LAUNCHDARKLY_REQUEST_TIMEOUT"):
        load({}, {"LAUNCHDARKLY_REQUEST_TIMEOUT": "0"})


def test_manifest_settings_default_to_no_file_and_a_short_timeout() -> None:
    settings = load()
    assert settings.manifests_file is None
    assert settings.manifest_timeout == 5.0
    assert settings.manifest_timeout < settings.request_timeout


def test_manifest_settings_from_config_then_environment() -> None:
    environ = {"LAUNCHDARKLY_MANIFESTS_FILE": "env.json", "LAUNCHDARKLY_MANIFEST_TIMEOUT": "2"}
    from_env = load({}, environ)
    assert (from_env.manifests_file, from_env.manifest_timeout) == ("env.json", 2.0)
    config = {"launchdarkly:manifestsFile": "pinned/manifests.json", "launchdarkly:manifestTimeout": "0.5"}
    from_config = load(config, environ)
    assert (from_config.manifests_file, from_config.manifest_timeout) == ("pinned/manifests.json", 0.5)


def test_manifest_timeout_must_be_positive() -> None:
    with pytest.raises(ConfigurationError) as raised:
        load({"launchdarkly:manifestTimeout": "0"})
    assert "launchdarkly:manifestTimeout" in str(raised.value)


def test_retry_settings_default_and_come_from_config_or_environment() -> None:
    defaults = load()
    assert (defaults.max_retries, defaults.retry_timeout) == (10, 300.0)
    from_config = load({"launchdarkly:maxRetries": "3", "launchdarkly:retryTimeout": "45.5"})
    assert (from_config.max_retries, from_config.retry_timeout) == (3, 45.5)
    from_env = load({}, {"LAUNCHDARKLY_MAX_RETRIES": "0", "LAUNCHDARKLY_RETRY_TIMEOUT": "5"})
    assert (from_env.max_retries, from_env.retry_timeout) == (0, 5.0)


@pytest.mark.parametrize("value", ["-1", "2.5", "many"])
def test_max_retries_must_be_a_whole_number(value: str) -> None:
    with pytest.raises(ConfigurationError, match=r"launchdarkly:maxRetries.*whole number"):
        load({"launchdarkly:maxRetries": value})


def test_retry_timeout_must_be_positive() -> None:
    with pytest.raises(ConfigurationError, match="LAUNCHDARKLY_RETRY_TIMEOUT"):
        load({}, {"LAUNCHDARKLY_RETRY_TIMEOUT": "-3"})
