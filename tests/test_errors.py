"""Errors meant for the user read as their message first, even framed by a traceback."""

from __future__ import annotations

import traceback

import pytest

from provider.errors import ConfigurationError, LaunchDarklyApiError, ProviderStopped, message_first


def failing_with(error: Exception) -> str:
    @message_first
    def method() -> None:
        try:
            raise KeyError("low-level detail")
        except KeyError:
            raise error from None

    try:
        method()
    except Exception:
        return traceback.format_exc()
    raise AssertionError("the method did not fail")


def test_expected_errors_come_first_without_their_own_frames() -> None:
    shown = failing_with(
        LaunchDarklyApiError(operation="update", status=409, code="optimistic_locking_error")
    )
    first_line = shown.splitlines()[0]
    assert first_line.startswith("provider.errors.LaunchDarklyApiError: LaunchDarkly refused to update")
    assert "at the same time" in first_line
    assert "low-level detail" not in shown
    assert shown.rstrip().endswith(
        f"{ProviderStopped.__module__}.ProviderStopped: "
        + str(
            ProviderStopped.__doc__
            and "The LaunchDarkly provider stopped for the reason on the first line above."
        )
    )


def test_unexpected_errors_keep_their_traceback() -> None:
    shown = failing_with(RuntimeError("a bug"))
    assert shown.startswith("Traceback (most recent call last):")
    assert "RuntimeError: a bug" in shown


def test_return_values_pass_through() -> None:
    @message_first
    def method(value: int) -> int:
        return value * 2

    assert method(21) == 42


def test_configuration_errors_are_expected_errors() -> None:
    with pytest.raises(ProviderStopped) as raised:
        message_first(lambda: (_ for _ in ()).throw(ConfigurationError("set the token")))()
    assert isinstance(raised.value.__cause__, ConfigurationError)
