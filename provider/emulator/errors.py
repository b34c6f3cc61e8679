"""The API's error answers as one exception type, so every layer can refuse a request the same way."""

from __future__ import annotations

from collections.abc import Mapping


class ApiError(Exception):
    """A refusal the emulator answers with LaunchDarkly's error body `{code, message, id}`."""

    def __init__(
        self, status: int, code: str, message: str, headers: Mapping[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers: dict[str, str] = dict(headers or {})

    def __repr__(self) -> str:
        return f"ApiError({self.status}, {self.code!r}, {self.message!r})"


def invalid_request(message: str) -> ApiError:
    return ApiError(400, "invalid_request", message)


def not_found(message: str = "Invalid resource identifier") -> ApiError:
    return ApiError(404, "not_found", message)


def patch_failed(message: str) -> ApiError:
    return ApiError(422, "patch_failed", message)
