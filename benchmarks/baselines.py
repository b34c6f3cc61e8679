"""The two ways to do the bulk workload without this provider, both with the official client.

- `OfficialClient` with no retries: what a script-writer does with `launchdarkly-api`; a 429 is an
  exception, so the operation fails.
- `FixedPolicy`: LaunchDarkly's Terraform provider's strategy, as documented in
  /work/shared/reference/launchdarkly-api.md: one request at a time; after a 429, sleep until
  `X-Ratelimit-Reset` plus jitter, then retry; 5xx retried with backoff from 0.2 s to 10 s; at most
  12 retries. Its jitter is the provider's own (`provider.ratelimit.jitter`), so that the two
  differ in policy only.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import Any, TypeVar

import launchdarkly_api
from launchdarkly_api.api.integrations_beta_api import IntegrationsBetaApi
from launchdarkly_api.exceptions import ApiException
from launchdarkly_api.models.integration_configuration_post import IntegrationConfigurationPost
from launchdarkly_api.models.patch_operation import PatchOperation

from provider.ratelimit import jitter, parse_reset

R = TypeVar("R")

FIXED_POLICY_RETRIES = 12
FIXED_POLICY_MIN_BACKOFF = 0.2
FIXED_POLICY_MAX_BACKOFF = 10.0


def official_api(url: str, token: str) -> IntegrationsBetaApi:
    configuration = launchdarkly_api.Configuration(host=url)
    configuration.api_key["ApiKey"] = token
    api_client = launchdarkly_api.ApiClient(configuration)
    # The generated client sends its own LD-API-Version default; replacing it (rather than passing
    # `_headers`) is the only way to send exactly one header, and `beta` is what this API needs.
    api_client.default_headers["LD-API-Version"] = "beta"
    return IntegrationsBetaApi(api_client)


def create_body(props: dict[str, Any]) -> IntegrationConfigurationPost:
    """The official request model for a declared configuration (snake_case props -> API fields)."""
    body: dict[str, Any] = {"name": props["name"], "configValues": props["config_values"]}
    if props.get("tags") is not None:
        body["tags"] = props["tags"]
    if props.get("enabled") is not None:
        body["enabled"] = props["enabled"]
    return IntegrationConfigurationPost.from_dict(body)


def rename(name: str) -> list[PatchOperation]:
    return [PatchOperation.from_dict({"op": "replace", "path": "/name", "value": name})]


class OfficialClient:
    """Each operation is one call; any error, a 429 included, fails it."""

    in_flight = 4

    def __init__(self, url: str, token: str) -> None:
        self.api = official_api(url, token)

    def call(self, operation: Callable[[IntegrationsBetaApi], R]) -> R:
        return operation(self.api)


class FixedPolicy:
    """Sleep until the reset after a 429, then retry; one request at a time (see the module doc)."""

    in_flight = 1

    def __init__(self, url: str, token: str, rng: random.Random | None = None) -> None:
        self.api = official_api(url, token)
        self._rng = rng or random.Random()

    def call(self, operation: Callable[[IntegrationsBetaApi], R]) -> R:
        for attempt in range(FIXED_POLICY_RETRIES + 1):
            try:
                return operation(self.api)
            except ApiException as error:
                status = error.status or 0
                if attempt == FIXED_POLICY_RETRIES or not (status == 429 or status >= 500):
                    raise
                time.sleep(self._wait(error, attempt))
        raise AssertionError("unreachable: the last attempt returns or raises")

    def _wait(self, error: ApiException, attempt: int) -> float:
        headers = error.headers or {}
        reset_at = parse_reset(headers.get("X-Ratelimit-Reset"))
        if error.status == 429 and reset_at is not None:
            wait = max(0.0, reset_at - time.time())
        else:
            wait = min(FIXED_POLICY_MAX_BACKOFF, FIXED_POLICY_MIN_BACKOFF * 2**attempt)
        return wait + jitter(wait, self._rng)
