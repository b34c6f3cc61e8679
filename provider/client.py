"""HTTP client for LaunchDarkly's integration-configuration and manifest endpoints.

One client per provider process, built in `configure()`; it is never pickled. Every request
carries the raw token (no `Bearer`), exactly one `LD-API-Version: beta`, a User-Agent naming this
package, and connect/read timeouts. Every request goes through `_request`, which retries under the
settings' budget and shares the process's rate-limit gate (see `retrying` and `ratelimit`).
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar
from urllib.parse import quote, urljoin

import requests
from pydantic import BaseModel, ValidationError

from .ambiguous_create import find_created
from .errors import (
    CONFIGURATION_SUBJECT,
    LaunchDarklyApiError,
    LaunchDarklyConnectionError,
    LaunchDarklyProviderError,
    RateLimitWaitError,
)
from .manifests import bundled_manifests
from .models import (
    ApiErrorBody,
    IntegrationConfigurationCollection,
    IntegrationConfigurationPost,
    IntegrationConfigurationRep,
    IntegrationManifest,
    ManifestCollection,
    PatchOperation,
)
from .notices import notify
from .ratelimit import RateLimitGate, shared_gate
from .retrying import Answer, NoAnswer, Retrier, RetryPolicy, WaitTooLong
from .settings import ProviderSettings
from .version import __version__

USER_AGENT = f"pulumi-launchdarkly-integrations/{__version__}"
CONFIGURATIONS_PATH = "/api/v2/integration-configurations"
MANIFESTS_PATH = "/api/v2/integration-manifests"

# What a message says was being read or written, by rate-limit route (configurations otherwise).
MANIFEST_SUBJECTS = {"manifest": "the integration manifest", "manifests": "the integration manifests"}

ModelT = TypeVar("ModelT", bound=BaseModel)
R = TypeVar("R")


class LaunchDarklyClient:
    def __init__(
        self,
        settings: ProviderSettings,
        session: requests.Session | None = None,
        *,
        gate: RateLimitGate | None = None,
        announce: Callable[[str], None] = notify,
    ) -> None:
        self._settings = settings
        self._session = session or _session_for(settings.api_host)
        # The token is checked lazily so that a preview without credentials can still check and diff.
        self._session.headers.update(
            {"LD-API-Version": "beta", "User-Agent": USER_AGENT, "Accept": "application/json"}
        )
        policy = RetryPolicy(max_retries=settings.max_retries, budget=settings.retry_timeout)
        # One gate per host and process: the engine's concurrent steps must all see the same limits.
        self._retrier = Retrier(policy, gate or shared_gate(settings.api_host), announce)
        # Configurations this process created or adopted: never adopted again for another resource.
        self._known_ids: set[str] = set()
        self._known_lock = threading.Lock()

    @property
    def api_host(self) -> str:
        return self._settings.api_host

    def create_configuration(
        self, integration_key: str, body: IntegrationConfigurationPost
    ) -> IntegrationConfigurationRep:
        """Create once: an attempt that may have been stored is looked for before any new POST."""

        def recover(sent_at: float, deadline: float) -> IntegrationConfigurationRep | None:
            return self._find_created(integration_key, body, sent_at, deadline)

        outcome = self._request(
            "POST",
            f"{CONFIGURATIONS_PATH}/keys/{_segment(integration_key)}",
            "create",
            body.to_api(),
            route="create",
            recover=recover,
        )
        if isinstance(outcome, IntegrationConfigurationRep):
            return outcome
        created = _parse(IntegrationConfigurationRep, outcome, "create")
        with self._known_lock:
            self._known_ids.add(created.id)
        return created

    def get_configuration(self, configuration_id: str) -> IntegrationConfigurationRep | None:
        """The configuration, or None when LaunchDarkly no longer has it."""
        response = self._request_unless_missing(
            "GET", f"{CONFIGURATIONS_PATH}/{_segment(configuration_id)}", "read", route="read"
        )
        if response is None:
            return None
        return _parse(IntegrationConfigurationRep, response, "read")

    def list_configurations(self, integration_key: str) -> list[IntegrationConfigurationRep]:
        return self._list(integration_key)[0]

    def _list(
        self, integration_key: str, deadline: float | None = None
    ) -> tuple[list[IntegrationConfigurationRep], float]:
        """Every configuration of the integration, and how far the server's clock is ahead of ours."""
        items: list[IntegrationConfigurationRep] = []
        clock_offset = 0.0
        path: str | None = f"{CONFIGURATIONS_PATH}/keys/{_segment(integration_key)}"
        while path:
            response = self._request("GET", path, "list", route="list", deadline=deadline)
            clock_offset = _server_clock_offset(response)
            page = _parse(IntegrationConfigurationCollection, response, "list")
            items.extend(page.items)
            next_link = page.links.get("next")
            path = next_link.href if next_link and next_link.href != path else None
        return items, clock_offset

    def _find_created(
        self, integration_key: str, body: IntegrationConfigurationPost, sent_at: float, deadline: float
    ) -> IntegrationConfigurationRep | None:
        try:
            listed, clock_offset = self._list(integration_key, deadline)
        except LaunchDarklyProviderError as error:
            raise LaunchDarklyProviderError(
                f"The request to create integration configuration {body.name!r} got no clear answer, and "
                f"checking whether LaunchDarkly stored it failed: {error} Look for it in LaunchDarkly before "
                "running the command again, or it may exist twice."
            ) from None
        manifest = bundled_manifests().get(integration_key)
        with self._known_lock:
            found = find_created(
                listed,
                body,
                secret_keys=manifest.secret_keys if manifest else frozenset(),
                sent_at_ms=(sent_at + clock_offset) * 1000,
                known_ids=self._known_ids,
            )
            if found is not None:
                self._known_ids.add(found.id)
        return found

    def update_configuration(
        self, configuration_id: str, operations: list[PatchOperation]
    ) -> IntegrationConfigurationRep:
        body = [operation.to_api() for operation in operations]
        response = self._request(
            "PATCH", f"{CONFIGURATIONS_PATH}/{_segment(configuration_id)}", "update", body, route="update"
        )
        return _parse(IntegrationConfigurationRep, response, "update")

    def delete_configuration(self, configuration_id: str) -> bool:
        """Delete; False when it was already gone."""
        response = self._request_unless_missing(
            "DELETE", f"{CONFIGURATIONS_PATH}/{_segment(configuration_id)}", "delete", route="delete"
        )
        return response is not None

    def get_manifest(self, integration_key: str) -> IntegrationManifest | None:
        response = self._request_unless_missing(
            "GET", f"{MANIFESTS_PATH}/{_segment(integration_key)}", "read", route="manifest"
        )
        if response is None:
            return None
        return _parse(IntegrationManifest, response, "read", MANIFEST_SUBJECTS["manifest"])

    def list_manifests(self) -> list[IntegrationManifest]:
        response = self._request("GET", MANIFESTS_PATH, "list", route="manifests")
        return _parse(ManifestCollection, response, "list", MANIFEST_SUBJECTS["manifests"]).items

    def _request(
        self,
        method: str,
        path: str,
        operation: str,
        json_body: Any = None,
        *,
        route: str,
        recover: Callable[[float, float], R | None] | None = None,
        deadline: float | None = None,
    ) -> requests.Response | R:
        """One API call, retried as `retrying` says; an error status becomes `LaunchDarklyApiError`.

        `route` names the endpoint for rate limiting; `recover` finds what an ambiguous attempt
        did (creates only); `deadline` caps the budget of a call made for another operation.
        """
        token = self._settings.require_token()
        subject = MANIFEST_SUBJECTS.get(route, CONFIGURATION_SUBJECT)
        url = urljoin(self._settings.api_host + "/", path.lstrip("/"))

        def send(time_left: float) -> requests.Response:
            return self._session.request(
                method,
                url,
                json=json_body,
                headers={"Authorization": token},
                timeout=(
                    min(self._settings.connect_timeout, time_left),
                    min(self._settings.request_timeout, time_left),
                ),
            )

        try:
            outcome = self._retrier.call(
                operation=operation, method=method, route=route, send=send, recover=recover, deadline=deadline
            )
        except NoAnswer as failed:
            raise LaunchDarklyConnectionError(
                f"Could not {operation} {subject}: no answer from {self._settings.api_host} "
                f"({type(failed.error).__name__}), gave up after {_attempts(failed.attempts)} because "
                f"{failed.gave_up}. Check the network and `launchdarkly:apiHost`."
            ) from None
        except requests.RequestException as error:
            raise LaunchDarklyConnectionError(
                f"Could not {operation} {subject}: no answer from {self._settings.api_host} "
                f"({type(error).__name__}). Check the network and `launchdarkly:apiHost`."
            ) from None
        except WaitTooLong as waiting:
            raise RateLimitWaitError(
                f"Did not {operation} {subject}: LaunchDarkly's rate limit allows the next "
                f"request in {waiting.wait:.0f} s, past the retry budget of {waiting.budget:g} s "
                "(launchdarkly:retryTimeout). Run the command again later, or raise launchdarkly:retryTimeout."
            ) from None
        if not isinstance(outcome, Answer):
            return outcome
        response = outcome.response
        if response.status_code >= 400:
            raise _api_error(response, operation, subject, token, outcome.attempts, outcome.gave_up)
        return response

    def _request_unless_missing(
        self, method: str, path: str, operation: str, *, route: str
    ) -> requests.Response | None:
        """Like `_request`, but None when LaunchDarkly answers 404."""
        try:
            response: requests.Response = self._request(method, path, operation, route=route)
        except LaunchDarklyApiError as error:
            if error.status == 404:
                return None
            raise
        return response


def _session_for(api_host: str) -> requests.Session:
    """A session that takes the environment's proxy and CA-bundle settings once, when it is built.

    requests otherwise reads them again for every request: it scans the whole environment for
    `*_proxy` variables (twice) and looks for a `~/.netrc`, which together cost more than the rest
    of the client's own work on each call (see docs/benchmarks.md). They cannot change while the
    provider process runs, so `trust_env` is turned off and what it would have found is set on the
    session instead: `HTTPS_PROXY`/`HTTP_PROXY`/`ALL_PROXY` unless `NO_PROXY` exempts the host, and
    `REQUESTS_CA_BUNDLE`/`CURL_CA_BUNDLE`. `.netrc` is no longer consulted; its credentials would
    only have replaced the access token with Basic auth, which LaunchDarkly refuses.
    """
    session = requests.Session()
    session.trust_env = False
    session.proxies.update(requests.utils.get_environ_proxies(api_host))
    ca_bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
    if ca_bundle:
        session.verify = ca_bundle
    return session


def _segment(value: str) -> str:
    """A path segment with every reserved character escaped, so an id can never change the route."""
    return quote(value, safe="")


def _attempts(count: int) -> str:
    return "1 attempt" if count == 1 else f"{count} attempts"


def _server_clock_offset(response: requests.Response) -> float:
    """Seconds the server's clock is ahead of ours, from its `Date` header (0 when it has none)."""
    try:
        server_now = parsedate_to_datetime(response.headers.get("Date", ""))
    except (TypeError, ValueError, IndexError):
        return 0.0
    return server_now.timestamp() - time.time() if server_now.tzinfo else 0.0


def _api_error(
    response: requests.Response,
    operation: str,
    subject: str,
    token: str,
    attempts: int = 1,
    gave_up: str | None = None,
) -> LaunchDarklyApiError:
    try:
        body = ApiErrorBody.model_validate(response.json())
    except (ValueError, ValidationError):
        body = ApiErrorBody(message=response.text[:200] or None)
    message = body.message.replace(token, "[redacted]") if body.message else None
    return LaunchDarklyApiError(
        operation=operation,
        subject=subject,
        status=response.status_code,
        code=body.code,
        message=message,
        request_id=body.id or response.headers.get("X-Request-Id"),
        attempts=attempts,
        gave_up=gave_up,
    )


def _parse(
    model: type[ModelT], response: requests.Response, operation: str, subject: str = CONFIGURATION_SUBJECT
) -> ModelT:
    try:
        return model.model_validate(response.json())
    except (ValueError, ValidationError) as error:
        raise LaunchDarklyProviderError(
            f"LaunchDarkly answered the request to {operation} {subject} with a body "
            f"this provider cannot read (HTTP {response.status_code}): {str(error).splitlines()[0]}"
        ) from None
