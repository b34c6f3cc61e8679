"""Errors the provider raises on purpose: each message is the whole story for the user."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")

# What an error says was being read or written, unless told otherwise.
CONFIGURATION_SUBJECT = "the integration configuration"

HINTS_BY_STATUS = {
    400: "LaunchDarkly rejected the request body; the message above names the field to fix.",
    401: (
        "The access token was refused. Check `launchdarkly:accessToken` (or LAUNCHDARKLY_ACCESS_TOKEN): "
        "it must be an API access token, not an SDK key, mobile key or client-side ID, and it must not "
        "have expired."
    ),
    403: (
        "Access was denied. Integration configurations are a beta API (this provider sends "
        "`LD-API-Version: beta`), need a token whose role may manage integrations, and are an "
        "Enterprise-plan feature."
    ),
    409: "Another change to this configuration happened at the same time. Run the command again.",
    422: "LaunchDarkly could not apply the JSON Patch to the configuration as it is now. Run `pulumi refresh`.",
    429: (
        "LaunchDarkly's rate limit was reached and retrying did not get through. Run the command again "
        "later, or allow more with `launchdarkly:maxRetries` and `launchdarkly:retryTimeout`."
    ),
}

NOT_FOUND_HINTS = {
    "create": (
        "LaunchDarkly does not know this integration key, or the integration does not accept integration "
        "configurations. Check `integration_key` (for example `custom-approvals`)."
    ),
    "list": "LaunchDarkly does not know this integration key. Check `integration_key`.",
}


class LaunchDarklyProviderError(Exception):
    """Base class of errors with a message meant for the user."""


class ConfigurationError(LaunchDarklyProviderError):
    """The provider's settings (stack config or environment) are missing or invalid."""


class LaunchDarklyApiError(LaunchDarklyProviderError):
    """LaunchDarkly answered with an error status."""

    def __init__(
        self,
        *,
        operation: str,
        status: int,
        subject: str = CONFIGURATION_SUBJECT,
        code: str | None = None,
        message: str | None = None,
        request_id: str | None = None,
        attempts: int = 1,
        gave_up: str | None = None,
    ) -> None:
        self.operation = operation
        self.subject = subject
        self.status = status
        self.code = code
        self.api_message = message
        self.request_id = request_id
        self.attempts = attempts
        # Why retrying stopped, when the last answer was itself worth retrying.
        self.gave_up = gave_up
        super().__init__(self.describe())

    @property
    def hint(self) -> str:
        if self.status == 404:
            if self.subject != CONFIGURATION_SUBJECT:
                return f"LaunchDarkly does not have {self.subject} asked for."
            return NOT_FOUND_HINTS.get(self.operation, "The configuration does not exist (any more).")
        if self.status >= 500:
            return "LaunchDarkly had a server error. Run the command again; if it persists, check status.launchdarkly.com."
        return HINTS_BY_STATUS.get(self.status, "")

    def describe(self) -> str:
        status = f"HTTP {self.status}" + (f" {self.code}" if self.code else "")
        text = f"LaunchDarkly refused to {self.operation} {self.subject} ({status})"
        if self.api_message:
            text += f": {self.api_message}"
        details = []
        if self.request_id:
            details.append(f"request id {self.request_id}")
        if self.gave_up:
            tries = "1 attempt" if self.attempts == 1 else f"{self.attempts} attempts"
            details.append(f"gave up after {tries}: {self.gave_up}")
        elif self.attempts > 1:
            details.append(f"after {self.attempts} attempts")
        if details:
            text += f" [{', '.join(details)}]"
        text += "."
        return f"{text} {self.hint}".strip()


class RateLimitWaitError(LaunchDarklyProviderError):
    """LaunchDarkly's rate limit would allow the next request only after the retry budget ran out."""


class LaunchDarklyConnectionError(LaunchDarklyProviderError):
    """No HTTP answer at all: DNS, TLS, refused or dropped connection, or a timeout."""


class AdoptionError(LaunchDarklyProviderError):
    """`import_id` names a configuration this resource cannot take over."""


class ProviderStopped(Exception):
    """Stands in for a `LaunchDarklyProviderError` so that its message is the first thing the user reads.

    Pulumi's dynamic-provider host reports a failure as the formatted traceback. Raising this
    *from* the original error, with the original's own traceback cleared, makes Python print the
    original message first (as the cause, with no traceback), then the host's frames.
    """


def message_first(method: Callable[P, R]) -> Callable[P, R]:
    """Decorate a provider method so that an expected error reads as its message, not as a traceback."""

    @functools.wraps(method)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return method(*args, **kwargs)
        except LaunchDarklyProviderError as error:
            error.__cause__ = error.__context__ = None
            error.__suppress_context__ = True
            raise ProviderStopped(
                "The LaunchDarkly provider stopped for the reason on the first line above."
            ) from error.with_traceback(None)

    return wrapper
