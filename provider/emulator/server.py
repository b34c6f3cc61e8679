"""The HTTP side of the emulator: a threaded stdlib server in front of `EmulatedApi`, plus the
`Emulator` object tests drive (start/stop, recorded requests, out-of-band changes, faults)."""

from __future__ import annotations

import json
import socket
import socketserver
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager, suppress
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

from ..manifests import bundled_manifests
from ..models import IntegrationManifest
from .api import ApiRequest, ApiResponse, EmulatedApi, error_response
from .errors import ApiError, invalid_request
from .faults import FaultInjector, Faults, ScriptedAnswer
from .patching import EDITABLE_FIELDS
from .recording import RecordedRequest, RequestLog
from .representation import render_configuration
from .store import ConfigurationStore


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # Keep-alive connections would otherwise outlive stop(): remember them so stop() can cut them.
    connections: set[socket.socket]

    def __init__(
        self,
        address: tuple[str, int],
        answer: Callable[[ApiRequest], ApiResponse],
        log: RequestLog,
        log_requests: bool,
    ) -> None:
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        self.answer = answer
        self.log = log
        self.log_requests = log_requests
        self.connections = set()
        self._connections_lock = threading.Lock()
        super().__init__(address, _Handler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind resolves the host's FQDN, which can stall for seconds where DNS is
        # slow or absent (CI sandboxes); the emulator never needs that name.
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name = host.decode() if isinstance(host, bytes) else str(host)
        self.server_port = port

    def process_request(self, request: Any, client_address: Any) -> None:
        if isinstance(request, socket.socket):
            with self._connections_lock:
                self.connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._connections_lock:
            self.connections.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        with self._connections_lock:
            open_connections = list(self.connections)
        for connection in open_connections:
            # Already closed by the client is fine: the point is only that nothing stays open.
            with suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)


class _Handler(BaseHTTPRequestHandler):
    # HTTP/1.1 with exact Content-Length lets keep-alive clients (requests.Session) reuse sockets.
    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes; with Nagle's algorithm the body then waits for the
    # client's delayed ACK (about 40 ms on Linux) on every kept-alive request.
    disable_nagle_algorithm = True
    server: _Server

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def do_PUT(self) -> None:
        self._serve()

    def do_PATCH(self) -> None:
        self._serve()

    def do_DELETE(self) -> None:
        self._serve()

    def do_HEAD(self) -> None:
        self._serve()

    def do_OPTIONS(self) -> None:
        self._serve()

    def log_message(self, format: str, *args: Any) -> None:
        if self.server.log_requests:
            sys.stderr.write(f"emulator: {self.address_string()} {format % args}\n")

    def _serve(self) -> None:
        arrived = time.time()
        ticket = self.server.log.arrival()
        request_id = str(uuid.uuid4())
        split = urlsplit(self.path)
        headers: dict[str, list[str]] = {}
        for name, value in self.headers.items():
            headers.setdefault(name.lower(), []).append(value)
        request = ApiRequest(
            method=self.command,
            path=split.path,
            query=split.query,
            headers=headers,
            raw_body=b"",
            request_id=request_id,
        )
        try:
            # The body is read before anything can refuse the request, so that no unread bytes
            # are left on a kept-alive connection to be misread as the next request.
            raw_body = self._read_body()
        except ApiError as error:
            self.close_connection = True
            response = error_response(request_id, error)
        else:
            request = ApiRequest(
                method=request.method,
                path=request.path,
                query=request.query,
                headers=headers,
                raw_body=raw_body,
                request_id=request_id,
                client_address=str(self.client_address[0]),
            )
            response = self.server.answer(request)
        # Recorded before answering, so a client that asserts right after its call sees it.
        self.server.log.add(
            ticket,
            RecordedRequest(
                method=request.method,
                path=request.path,
                query=request.query,
                headers=headers,
                body=_recorded_body(request.raw_body),
                status=response.status,
                timestamp=arrived,
                response_headers=dict(response.headers),
                dropped=response.drop,
            ),
        )
        if response.delay > 0:
            time.sleep(response.delay)
        try:
            self._write(request_id, response)
        except (BrokenPipeError, ConnectionResetError):
            # The client stopped waiting (its timeout was shorter than the delay): nothing to answer.
            self.close_connection = True

    def _read_body(self) -> bytes:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            return self._read_chunked()
        length_header = self.headers.get("Content-Length")
        if length_header is None:
            return b""
        try:
            length = int(length_header)
        except ValueError:
            raise invalid_request(f"invalid Content-Length {length_header!r}") from None
        if length < 0:
            raise invalid_request(f"invalid Content-Length {length_header!r}")
        return self.rfile.read(length)

    def _read_chunked(self) -> bytes:
        chunks: list[bytes] = []
        while True:
            size_line = self.rfile.readline(65537).split(b";", 1)[0].strip()
            try:
                size = int(size_line, 16)
            except ValueError:
                raise invalid_request("malformed chunked request body") from None
            if size == 0:
                # Skip optional trailers up to the blank line that ends the message.
                while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                    pass
                return b"".join(chunks)
            chunks.append(self.rfile.read(size))
            self.rfile.readline(65537)

    def _write(self, request_id: str, response: ApiResponse) -> None:
        if response.drop:
            # Nothing is written: the client sees the connection close with no answer at all.
            self.close_connection = True
            return
        self.send_response(response.status)
        self.send_header("X-Request-Id", request_id)
        for name, value in response.headers.items():
            self.send_header(name, value)
        payload = b""
        if response.status != 204:
            if response.body is not None:
                payload = json.dumps(response.body).encode("utf-8")
                self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if payload and self.command != "HEAD":
            self.wfile.write(payload)


def _recorded_body(raw: bytes) -> Any:
    if not raw:
        return None
    text = raw.decode("utf-8", errors="replace")
    try:
        return json.loads(text)
    except ValueError:
        return text


class Emulator:
    """A local LaunchDarkly API for integration configurations, served from a background thread."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        token: str | None = None,
        manifests: Mapping[str, IntegrationManifest] | None = None,
        *,
        log_requests: bool = False,
        faults: Faults | None = None,
    ) -> None:
        self.host = host
        self.port = port
        self.token = token
        self._store = ConfigurationStore(bundled_manifests() if manifests is None else manifests)
        self._log = RequestLog()
        self._api = EmulatedApi(self._store, token)
        self._injector: FaultInjector | None = FaultInjector(faults) if faults is not None else None
        self._log_requests = log_requests
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # Lifecycle

    def start(self) -> Emulator:
        if self._server is not None:
            raise RuntimeError("the emulator is already running")
        server = _Server((self.host, self.port), self._answer, self._log, self._log_requests)
        thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="ld-emulator", daemon=True
        )
        thread.start()
        self._server, self._thread = server, thread
        return self

    def stop(self) -> None:
        server, thread = self._server, self._thread
        self._server = self._thread = None
        if server is None:
            return
        server.shutdown()
        server.close_connections()
        server.server_close()
        if thread is not None:
            thread.join(timeout=5)

    @property
    def running(self) -> bool:
        return self._server is not None

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("the emulator is not running: call start() first")
        host, port = self._server.server_address[:2]
        host_text = host.decode() if isinstance(host, bytes) else str(host)
        if ":" in host_text:
            host_text = f"[{host_text}]"
        return f"http://{host_text}:{port}"

    def __enter__(self) -> Emulator:
        if self._server is None:
            self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    # Faults (see faults.py)

    @property
    def faults(self) -> Faults | None:
        injector = self._injector
        return injector.faults if injector is not None else None

    def set_faults(self, faults: Faults | None) -> None:
        """Inject these faults from now on (None: none); rate-limit counts and scripts start afresh."""
        self._injector = FaultInjector(faults) if faults is not None else None

    def script(self, route: str, answers: Iterable[ScriptedAnswer | str]) -> None:
        """Give the next requests of `route` (`create`, `update`, ...) exactly these answers, in order.

        Answers are `ScriptedAnswer`s or their text form (`"429:reset=0.8"`, `"drop"`, `"503"`).
        """
        parsed = [
            answer if isinstance(answer, ScriptedAnswer) else ScriptedAnswer.parse(answer)
            for answer in answers
        ]
        if self._injector is None:
            self._injector = FaultInjector(Faults())
        self._injector.script(route, parsed)

    def scripted_answers_left(self, route: str) -> int:
        injector = self._injector
        return injector.pending(route) if injector is not None else 0

    def _answer(self, request: ApiRequest) -> ApiResponse:
        injector = self._injector
        if injector is None:
            return self._api.dispatch(request)
        return injector.apply(request, self._api.route_name(request), self._api.dispatch)

    # Recorded traffic

    @property
    def requests(self) -> list[RecordedRequest]:
        """A copy of every request received so far, in arrival order."""
        return self._log.snapshot()

    def clear_requests(self) -> None:
        self._log.clear()

    # Direct access to the store, bypassing HTTP (for test set-up and assertions)

    def configurations(self) -> list[dict[str, Any]]:
        """Every stored configuration in API shape, with real (unmasked) secrets."""
        return [self._unmasked(stored) for stored in self._store.all()]

    def get_configuration(self, config_id: str) -> dict[str, Any] | None:
        stored = self._store.find(config_id)
        return None if stored is None else self._unmasked(stored)

    def seed_configuration(
        self, integration_key: str, body: Mapping[str, Any], *, created_at: int | None = None
    ) -> dict[str, Any]:
        """Create a configuration as if made in the LaunchDarkly UI; validated like a POST.

        `created_at` (epoch milliseconds) backdates it. Raises `ApiError` when the API would refuse
        the body or the integration.
        """
        return self._unmasked(self._store.create(integration_key, dict(body), created_at=created_at))

    def modify_configuration(self, config_id: str, **api_fields: Any) -> dict[str, Any]:
        """Replace whole top-level fields out of band, e.g. `modify_configuration(id, enabled=False)`.

        Validated like a POST, except that fields locked after saving may change (a test may need
        drift the UI would not allow). Raises KeyError for an unknown id, TypeError for a field
        that is not editable, `ApiError` for an invalid result.
        """
        unknown = sorted(set(api_fields) - set(EDITABLE_FIELDS))
        if unknown:
            raise TypeError(
                f"not editable configuration fields: {', '.join(unknown)} (editable: {EDITABLE_FIELDS})"
            )
        try:
            return self._unmasked(self._store.replace_fields(config_id, api_fields))
        except ApiError as error:
            if error.status == 404:
                raise KeyError(config_id) from None
            raise

    def remove_configuration(self, config_id: str) -> None:
        """Delete a configuration out of band. Raises KeyError for an unknown id."""
        try:
            self._store.delete(config_id)
        except ApiError:
            raise KeyError(config_id) from None

    def _unmasked(self, stored: dict[str, Any]) -> dict[str, Any]:
        return render_configuration(stored, self._store.manifest(stored["_integrationKey"]), masked=False)


@contextmanager
def running_emulator(**kwargs: Any) -> Iterator[Emulator]:
    """Run an `Emulator` (same keyword arguments) for the duration of a `with` block."""
    emulator = Emulator(**kwargs)
    emulator.start()
    try:
        yield emulator
    finally:
        emulator.stop()
