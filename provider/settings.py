"""Provider settings: where they come from (stack config, then environment) and what is valid."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from .errors import ConfigurationError

DEFAULT_API_HOST = "https://app.launchdarkly.com"
KNOWN_API_HOSTS = (
    "https://app.launchdarkly.com",
    "https://app.eu.launchdarkly.com",
    "https://app.launchdarkly.us",
)

CONFIG_NAMESPACE = "launchdarkly"


@dataclass(frozen=True)
class SettingSource:
    """One setting's stack-config key and the environment variable that stands in for it."""

    config_key: str
    env_var: str

    @property
    def full_config_key(self) -> str:
        return f"{CONFIG_NAMESPACE}:{self.config_key}"


ACCESS_TOKEN = SettingSource("accessToken", "LAUNCHDARKLY_ACCESS_TOKEN")
API_HOST = SettingSource("apiHost", "LAUNCHDARKLY_API_HOST")
REQUEST_TIMEOUT = SettingSource("requestTimeout", "LAUNCHDARKLY_REQUEST_TIMEOUT")
MANIFESTS_FILE = SettingSource("manifestsFile", "LAUNCHDARKLY_MANIFESTS_FILE")
MANIFEST_TIMEOUT = SettingSource("manifestTimeout", "LAUNCHDARKLY_MANIFEST_TIMEOUT")
MAX_RETRIES = SettingSource("maxRetries", "LAUNCHDARKLY_MAX_RETRIES")
RETRY_TIMEOUT = SettingSource("retryTimeout", "LAUNCHDARKLY_RETRY_TIMEOUT")

ALL_SETTINGS = (
    ACCESS_TOKEN,
    API_HOST,
    REQUEST_TIMEOUT,
    MANIFESTS_FILE,
    MANIFEST_TIMEOUT,
    MAX_RETRIES,
    RETRY_TIMEOUT,
)

DEFAULT_REQUEST_TIMEOUT = 30.0
# A preview waits for a manifest fetch, so it gets a much shorter leash than a write.
DEFAULT_MANIFEST_TIMEOUT = 5.0
# Enough to ride out several 10-second rate-limit windows and a burst of server errors, without a
# stuck `pulumi up` going unnoticed for long.
DEFAULT_MAX_RETRIES = 10
DEFAULT_RETRY_TIMEOUT = 300.0


@dataclass(frozen=True)
class ProviderSettings:
    """Everything the provider needs to reach LaunchDarkly.

    `access_token` is None when neither source sets it: previews can still run `check` and `diff`,
    and the first API call reports the missing token (see `require_token`).
    """

    access_token: str | None = field(default=None, repr=False)
    api_host: str = DEFAULT_API_HOST
    connect_timeout: float = 10.0
    request_timeout: float = DEFAULT_REQUEST_TIMEOUT
    manifests_file: str | None = None
    manifest_timeout: float = DEFAULT_MANIFEST_TIMEOUT
    max_retries: int = DEFAULT_MAX_RETRIES
    retry_timeout: float = DEFAULT_RETRY_TIMEOUT

    def require_token(self) -> str:
        if not self.access_token:
            raise ConfigurationError(
                "No LaunchDarkly access token is set. Set it in the stack config with "
                f"`pulumi config set --secret {ACCESS_TOKEN.full_config_key} <token>`, or export "
                f"{ACCESS_TOKEN.env_var}. Use an API access token (api-...), not an SDK or mobile key."
            )
        return self.access_token

    @classmethod
    def load(cls, config_get: Callable[[str], str | None], environ: Mapping[str, str]) -> ProviderSettings:
        """Read settings from stack config (`config_get` takes full keys), falling back to the environment."""

        def value(source: SettingSource) -> tuple[str | None, str]:
            configured = config_get(source.full_config_key)
            if configured not in (None, ""):
                return str(configured).strip(), f"stack config `{source.full_config_key}`"
            from_env = environ.get(source.env_var)
            if from_env not in (None, ""):
                return str(from_env).strip(), f"environment variable {source.env_var}"
            return None, ""

        token, _ = value(ACCESS_TOKEN)
        host, host_origin = value(API_HOST)
        timeout, timeout_origin = value(REQUEST_TIMEOUT)
        manifests_file, _ = value(MANIFESTS_FILE)
        manifest_timeout, manifest_timeout_origin = value(MANIFEST_TIMEOUT)
        retries, retries_origin = value(MAX_RETRIES)
        budget, budget_origin = value(RETRY_TIMEOUT)
        return cls(
            access_token=token or None,
            api_host=normalize_api_host(host, host_origin) if host else DEFAULT_API_HOST,
            request_timeout=positive_seconds(timeout, timeout_origin) if timeout else DEFAULT_REQUEST_TIMEOUT,
            manifests_file=manifests_file or None,
            manifest_timeout=positive_seconds(manifest_timeout, manifest_timeout_origin)
            if manifest_timeout
            else DEFAULT_MANIFEST_TIMEOUT,
            max_retries=retry_count(retries, retries_origin) if retries else DEFAULT_MAX_RETRIES,
            retry_timeout=positive_seconds(budget, budget_origin) if budget else DEFAULT_RETRY_TIMEOUT,
        )


def normalize_api_host(raw: str, origin: str) -> str:
    """A base URL without trailing slash; plain http only for loopback hosts (the emulator)."""
    parts = urlsplit(raw)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise ConfigurationError(
            f"{origin} is {raw!r}, which is not a URL. Use a base URL such as "
            f"{DEFAULT_API_HOST} (EU: {KNOWN_API_HOSTS[1]}, federal: {KNOWN_API_HOSTS[2]})."
        )
    if parts.query or parts.fragment:
        raise ConfigurationError(f"{origin} must be a base URL without query or fragment, got {raw!r}.")
    if parts.scheme == "http" and not is_loopback(parts.hostname):
        raise ConfigurationError(
            f"{origin} uses plain http:// for {parts.hostname}; the access token would cross the network "
            "unencrypted. Use https://, or http:// only for a local emulator on 127.0.0.1 or localhost."
        )
    return raw.rstrip("/")


def is_loopback(hostname: str) -> bool:
    if hostname == "localhost":
        return True
    try:
        return ipaddress.ip_address(hostname).is_loopback
    except ValueError:
        return False


def positive_seconds(raw: str, origin: str) -> float:
    try:
        seconds = float(raw)
    except ValueError:
        seconds = -1.0
    if not seconds > 0:
        raise ConfigurationError(f"{origin} must be a positive number of seconds, got {raw!r}.")
    return seconds


def retry_count(raw: str, origin: str) -> int:
    try:
        count = int(raw)
    except ValueError:
        count = -1
    if count < 0:
        raise ConfigurationError(f"{origin} must be a whole number of retries (0 or more), got {raw!r}.")
    return count
