"""Tiny local servers for the failures the emulator does not produce: a fixed error status for every
request, a server that accepts connections and never answers, and a port nothing listens on.

Each counts what reached it, so a test can also prove that nothing was attempted.
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from contextlib import closing, contextmanager, suppress
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Hits:
    """What reached a server: request paths (HTTP) or connection count (raw sockets)."""

    paths: list[str] = field(default_factory=list)
    connections: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add_path(self, path: str) -> None:
        with self.lock:
            self.paths.append(path)

    def add_connection(self) -> None:
        with self.lock:
            self.connections += 1


@dataclass(frozen=True)
class RunningServer:
    url: str
    hits: Hits


@contextmanager
def fixed_answer_server(status: int, body: dict[str, Any]) -> Iterator[RunningServer]:
    """Answers every request with `status` and `body` as JSON (LaunchDarkly's error shape, say)."""
    hits = Hits()
    payload = json.dumps(body).encode()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            hits.add_path(self.path)
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield RunningServer(f"http://127.0.0.1:{server.server_address[1]}", hits)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@contextmanager
def silent_server() -> Iterator[RunningServer]:
    """Accepts every connection and never sends a byte: a client must give up by its own timeout."""
    hits = Hits()
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    listener.settimeout(0.05)
    held: list[socket.socket] = []
    stopping = threading.Event()

    def accept_forever() -> None:
        while not stopping.is_set():
            try:
                connection, _ = listener.accept()
            except (TimeoutError, OSError):
                continue
            hits.add_connection()
            held.append(connection)

    thread = threading.Thread(target=accept_forever, daemon=True)
    thread.start()
    try:
        yield RunningServer(f"http://127.0.0.1:{listener.getsockname()[1]}", hits)
    finally:
        stopping.set()
        thread.join(timeout=5)
        for connection in held:
            with suppress(OSError):
                connection.close()
        listener.close()


def closed_port_url() -> str:
    """A loopback URL on a port that was just free, so connecting to it is refused."""
    with closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"
