"""What clients sent the emulator, kept so tests can assert on the exact requests."""

from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class RecordedRequest:
    """One request as the emulator received it, with the status it answered."""

    method: str
    path: str
    query: str
    # Every value is kept, in order, so a header sent twice (a classic client bug) stays visible.
    headers: dict[str, list[str]]
    body: Any
    status: int
    # When the request arrived, epoch seconds.
    timestamp: float
    # Headers of the answer as the API (and any injected fault) set them.
    response_headers: dict[str, str] = field(default_factory=dict)
    # The request was processed, but the connection was closed instead of answering.
    dropped: bool = False

    def header(self, name: str) -> str | None:
        """The first value of a header (case-insensitive name), or None when it was not sent."""
        values = self.headers.get(name.lower())
        return values[0] if values else None


class RequestLog:
    """A thread-safe journal of requests, ordered by arrival rather than by completion."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sequence = itertools.count()
        self._entries: list[tuple[int, RecordedRequest]] = []

    def arrival(self) -> int:
        """A ticket taken when a request arrives; slow handlers then cannot reorder the journal."""
        with self._lock:
            return next(self._sequence)

    def add(self, ticket: int, request: RecordedRequest) -> None:
        with self._lock:
            self._entries.append((ticket, request))

    def snapshot(self) -> list[RecordedRequest]:
        with self._lock:
            entries = sorted(self._entries, key=lambda entry: entry[0])
        return [request for _, request in entries]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
