"""The emulated REST API, independent of HTTP plumbing: a request goes in, a response comes out.

`EmulatedApi.dispatch` is the single entry point for every request; fault injection (`faults.py`:
rate limits, 5xx, latency, dropped connections, scripted answers) wraps it, and names each request's
route with `EmulatedApi.route_name`.
"""

from __future__ import annotations

import json
import re
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from .errors import ApiError, invalid_request, not_found
from .patching import parse_patch_body
from .representation import collection_href, link, render_configuration, snowflake_setup_script
from .store import ConfigurationStore

BETA_VERSION = "beta"
SNOWFLAKE_KEY = "snowflake-experimentation"


@dataclass(frozen=True)
class ApiRequest:
    method: str
    path: str
    query: str
    # Lower-cased names; each list holds every value in the order received.
    headers: Mapping[str, list[str]]
    raw_body: bytes
    request_id: str
    # The caller's IP address (IP-based rate limits count per address).
    client_address: str = ""

    def header(self, name: str) -> str | None:
        values = self.headers.get(name.lower())
        return values[0] if values else None

    def json_body(self) -> Any:
        """The body as JSON, enforcing the content type the real API requires on writes."""
        content_type = (self.header("content-type") or "").split(";", 1)[0].strip().lower()
        if content_type != "application/json":
            raise invalid_request("Content-Type must be application/json")
        try:
            return json.loads(self.raw_body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as error:
            raise invalid_request(f"request body is not valid JSON: {error}") from error


@dataclass
class ApiResponse:
    status: int
    # A JSON-serialisable value; None means the response has no body (204).
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    # Close the connection instead of answering (the request was processed all the same).
    drop: bool = False
    # Seconds to hold the answer back after the request was processed and recorded.
    delay: float = 0.0


Handler = Callable[["ApiRequest", tuple[str, ...]], ApiResponse]


@dataclass(frozen=True)
class Route:
    pattern: re.Pattern[str]
    handlers: Mapping[str, Handler]
    # Integration configurations are a beta resource; the manifests endpoints are not.
    beta: bool
    # The operation each method performs, as rate limits and fault scripts name it.
    names: Mapping[str, str] = field(default_factory=dict)


# Every route name `EmulatedApi.route_name` can give, plus the name of requests no route serves.
ROUTE_NAMES = ("create", "list", "read", "update", "delete", "manifests", "manifest")
OTHER_ROUTE = "other"


def error_response(request_id: str, error: ApiError) -> ApiResponse:
    body = {"code": error.code, "message": error.message, "id": request_id}
    return ApiResponse(error.status, body, dict(error.headers))


class EmulatedApi:
    def __init__(self, store: ConfigurationStore, token: str | None) -> None:
        self._store = store
        self._token = token
        configurations = r"/api/v2/integration-configurations"
        manifests = r"/api/v2/integration-manifests"
        self._routes = (
            Route(
                re.compile(rf"{configurations}/keys/([^/]+)"),
                {"GET": self._list_configurations, "POST": self._create_configuration},
                beta=True,
                names={"GET": "list", "POST": "create"},
            ),
            Route(
                re.compile(rf"{configurations}/([^/]+)"),
                {
                    "GET": self._get_configuration,
                    "PATCH": self._patch_configuration,
                    "DELETE": self._delete_configuration,
                },
                beta=True,
                names={"GET": "read", "PATCH": "update", "DELETE": "delete"},
            ),
            Route(
                re.compile(manifests), {"GET": self._list_manifests}, beta=False, names={"GET": "manifests"}
            ),
            Route(
                re.compile(rf"{manifests}/([^/]+)"),
                {"GET": self._get_manifest},
                beta=False,
                names={"GET": "manifest"},
            ),
        )

    def route_name(self, request: ApiRequest) -> str:
        """The operation a request asks for (`create`, `update`, ...; see ROUTE_NAMES), else `other`."""
        for route in self._routes:
            if route.pattern.fullmatch(request.path):
                return route.names.get(request.method, OTHER_ROUTE)
        return OTHER_ROUTE

    def dispatch(self, request: ApiRequest) -> ApiResponse:
        """Answer one request; every refusal becomes LaunchDarkly's error body."""
        try:
            return self._route(request)
        except ApiError as error:
            return error_response(request.request_id, error)
        except Exception:
            # A bug in the emulator: say so loudly instead of hanging the client.
            traceback.print_exc()
            return error_response(
                request.request_id, ApiError(500, "internal_server_error", "The emulator failed unexpectedly")
            )

    def _route(self, request: ApiRequest) -> ApiResponse:
        self._authenticate(request)
        for route in self._routes:
            match = route.pattern.fullmatch(request.path)
            if match is None:
                continue
            handler = route.handlers.get(request.method)
            if handler is None:
                allowed = ", ".join(route.handlers)
                raise ApiError(
                    405,
                    "method_not_allowed",
                    f"Method {request.method} is not allowed on {request.path} (allowed: {allowed})",
                    {"Allow": allowed},
                )
            if route.beta:
                self._require_beta(request)
            return handler(request, tuple(unquote(group) for group in match.groups()))
        raise not_found(f"No API resource at {request.path}")

    def _authenticate(self, request: ApiRequest) -> None:
        # LaunchDarkly takes the raw token: "Bearer <token>" is simply a different, wrong token.
        presented = request.header("authorization")
        accepted = bool(presented) if self._token is None else presented == self._token
        if not accepted:
            raise ApiError(401, "unauthorized", "Invalid access token")

    def _require_beta(self, request: ApiRequest) -> None:
        # Like the real server, only the first LD-API-Version header counts.
        version = request.header("ld-api-version")
        if version is None or version.strip() != BETA_VERSION:
            raise ApiError(
                403,
                "forbidden",
                "Integration configurations are a beta resource: send LD-API-Version: beta "
                f"(got {version!r})",
            )

    def _render(self, stored: dict[str, Any], **extra_fields: Any) -> dict[str, Any]:
        manifest = self._store.manifest(stored["_integrationKey"])
        return render_configuration(stored, manifest, masked=True, extra_fields=extra_fields)

    def _list_configurations(self, request: ApiRequest, params: tuple[str, ...]) -> ApiResponse:
        (integration_key,) = params
        items = [self._render(stored) for stored in self._store.list_for(integration_key)]
        return ApiResponse(200, {"items": items, "_links": {"self": link(collection_href(integration_key))}})

    def _create_configuration(self, request: ApiRequest, params: tuple[str, ...]) -> ApiResponse:
        (integration_key,) = params
        # An unknown integration is reported before any problem with the body.
        self._store.configurable_manifest(integration_key)
        stored = self._store.create(integration_key, request.json_body())
        if integration_key != SNOWFLAKE_KEY:
            return ApiResponse(201, self._render(stored))
        # Only the setup (create) answer carries the script; later reads never do.
        return ApiResponse(
            201, self._render(stored, snowflakeSetupScript=snowflake_setup_script(stored["_id"]))
        )

    def _get_configuration(self, request: ApiRequest, params: tuple[str, ...]) -> ApiResponse:
        (configuration_id,) = params
        return ApiResponse(200, self._render(self._store.get(configuration_id)))

    def _patch_configuration(self, request: ApiRequest, params: tuple[str, ...]) -> ApiResponse:
        (configuration_id,) = params
        # An unknown id is reported before any problem with the body.
        self._store.get(configuration_id)
        operations = parse_patch_body(request.json_body())
        return ApiResponse(200, self._render(self._store.patch(configuration_id, operations)))

    def _delete_configuration(self, request: ApiRequest, params: tuple[str, ...]) -> ApiResponse:
        (configuration_id,) = params
        self._store.delete(configuration_id)
        return ApiResponse(204)

    def _list_manifests(self, request: ApiRequest, params: tuple[str, ...]) -> ApiResponse:
        return ApiResponse(200, {"items": [m.to_api() for m in self._store.manifests.values()]})

    def _get_manifest(self, request: ApiRequest, params: tuple[str, ...]) -> ApiResponse:
        (integration_key,) = params
        manifest = self._store.manifest(integration_key)
        if manifest is None:
            raise not_found(f"Integration manifest {integration_key!r} not found")
        return ApiResponse(200, manifest.to_api())
