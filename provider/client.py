"""HTTP client for LaunchDarkly's integration-configuration and manifest endpoints.

One client per provider process, built in `configure()`; it is never pickled. Every request
carries the raw token (no `Bearer`), exactly one `LD-API-Version: beta`, a User-Agent naming this
package, and connect/read timeouts.
"""

from __future__ import annotations

from typing import Any, TypeVar
from urllib.parse import quote, urljoin

import requests
from pydantic import BaseModel, ValidationError

from .errors import LaunchDarklyApiError, LaunchDarklyConnectionError, LaunchDarklyProviderError
from .models import (
    ApiErrorBody,
    IntegrationConfigurationCollection,
    IntegrationConfigurationPost,
    IntegrationConfigurationRep,
    IntegrationManifest,
    ManifestCollection,
    PatchOperation,
)
from .settings import ProviderSettings
from .version import __version__

USER_AGENT = f"pulumi-launchdarkly-integrations/{__version__}"
CONFIGURATIONS_PATH = "/api/v2/integration-configurations"
MANIFESTS_PATH = "/api/v2/integration-manifests"

ModelT = TypeVar("ModelT", bound=BaseModel)


class LaunchDarklyClient:
    def __init__(self, settings: ProviderSettings, session: requests.Session | None = None) -> None:
        self._settings = settings
        self._session = session or requests.Session()
        # The token is checked lazily so that a preview without credentials can still check and diff.
        self._session.headers.update(
            {"LD-API-Version": "beta", "User-Agent": USER_AGENT, "Accept": "application/json"}
        )

    @property
    def api_host(self) -> str:
        return self._settings.api_host

    def create_configuration(
        self, integration_key: str, body: IntegrationConfigurationPost
    ) -> IntegrationConfigurationRep:
        response = self._request(
            "POST", f"{CONFIGURATIONS_PATH}/keys/{_segment(integration_key)}", "create", body.to_api()
        )
        return _parse(IntegrationConfigurationRep, response, "create")

    def get_configuration(self, configuration_id: str) -> IntegrationConfigurationRep | None:
        """The configuration, or None when LaunchDarkly no longer has it."""
        response = self._request_unless_missing(
            "GET", f"{CONFIGURATIONS_PATH}/{_segment(configuration_id)}", "read"
        )
        if response is None:
            return None
        return _parse(IntegrationConfigurationRep, response, "read")

    def list_configurations(self, integration_key: str) -> list[IntegrationConfigurationRep]:
        items: list[IntegrationConfigurationRep] = []
        path: str | None = f"{CONFIGURATIONS_PATH}/keys/{_segment(integration_key)}"
        while path:
            response = self._request("GET", path, "list")
            page = _parse(IntegrationConfigurationCollection, response, "list")
            items.extend(page.items)
            next_link = page.links.get("next")
            path = next_link.href if next_link and next_link.href != path else None
        return items

    def update_configuration(
        self, configuration_id: str, operations: list[PatchOperation]
    ) -> IntegrationConfigurationRep:
        body = [operation.to_api() for operation in operations]
        response = self._request(
            "PATCH", f"{CONFIGURATIONS_PATH}/{_segment(configuration_id)}", "update", body
        )
        return _parse(IntegrationConfigurationRep, response, "update")

    def delete_configuration(self, configuration_id: str) -> bool:
        """Delete; False when it was already gone."""
        response = self._request_unless_missing(
            "DELETE", f"{CONFIGURATIONS_PATH}/{_segment(configuration_id)}", "delete"
        )
        return response is not None

    def get_manifest(self, integration_key: str) -> IntegrationManifest | None:
        response = self._request_unless_missing(
            "GET", f"{MANIFESTS_PATH}/{_segment(integration_key)}", "read the manifest of"
        )
        if response is None:
            return None
        return _parse(IntegrationManifest, response, "read the manifest of")

    def list_manifests(self) -> list[IntegrationManifest]:
        response = self._request("GET", MANIFESTS_PATH, "list the manifests of")
        return _parse(ManifestCollection, response, "list the manifests of").items

    def _request(
        self,
        method: str,
        path: str,
        operation: str,
        json_body: Any = None,
    ) -> requests.Response:
        token = self._settings.require_token()
        url = urljoin(self._settings.api_host + "/", path.lstrip("/"))
        try:
            response = self._session.request(
                method,
                url,
                json=json_body,
                headers={"Authorization": token},
                timeout=(self._settings.connect_timeout, self._settings.request_timeout),
            )
        except requests.RequestException as error:
            raise LaunchDarklyConnectionError(
                f"Could not {operation} the integration configuration: no answer from {self._settings.api_host} "
                f"({type(error).__name__}). Check the network and `launchdarkly:apiHost`."
            ) from None
        if response.status_code >= 400:
            raise _api_error(response, operation, token)
        return response

    def _request_unless_missing(self, method: str, path: str, operation: str) -> requests.Response | None:
        """Like `_request`, but None when LaunchDarkly answers 404."""
        try:
            return self._request(method, path, operation)
        except LaunchDarklyApiError as error:
            if error.status == 404:
                return None
            raise


def _segment(value: str) -> str:
    """A path segment with every reserved character escaped, so an id can never change the route."""
    return quote(value, safe="")


def _api_error(response: requests.Response, operation: str, token: str) -> LaunchDarklyApiError:
    try:
        body = ApiErrorBody.model_validate(response.json())
    except (ValueError, ValidationError):
        body = ApiErrorBody(message=response.text[:200] or None)
    message = body.message.replace(token, "[redacted]") if body.message else None
    return LaunchDarklyApiError(
        operation=operation,
        status=response.status_code,
        code=body.code,
        message=message,
        request_id=body.id or response.headers.get("X-Request-Id"),
    )


def _parse(model: type[ModelT], response: requests.Response, operation: str) -> ModelT:
    try:
        return model.model_validate(response.json())
    except (ValueError, ValidationError) as error:
        raise LaunchDarklyProviderError(
            f"LaunchDarkly answered the request to {operation} the integration configuration with a body "
            f"this provider cannot read (HTTP {response.status_code}): {str(error).splitlines()[0]}"
        ) from None
