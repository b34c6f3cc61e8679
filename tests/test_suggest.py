"""Near-miss suggestions for misspelt names."""

from __future__ import annotations

import pytest

from provider.suggest import closest, did_you_mean


@pytest.mark.parametrize(
    ("word", "candidates", "expected"),
    [
        ("baseUrl", ["apiKey", "baseURL"], "baseURL"),  # case only: always the answer
        ("APIKEY", ["apiKey", "apiKeys"], "apiKey"),
        ("approval", ["approvals", "auditLogEventsHook"], "approvals"),
        ("openai", ["Anthropic", "Bedrock", "OpenAI"], "OpenAI"),
        ("custom-aprovals", ["custom-approvals-oauth", "custom-approvals"], "custom-approvals"),
        ("zzzz", ["apiKey", "baseURL"], None),
        ("apiKey", ["apiKey"], None),  # the word itself is not a suggestion
        ("x", [], None),
    ],
)
def test_closest(word: str, candidates: list[str], expected: str | None) -> None:
    assert closest(word, candidates) == expected


def test_did_you_mean_is_a_sentence_or_nothing() -> None:
    assert did_you_mean("baseUrl", ["baseURL"]) == " Did you mean `baseURL`?"
    assert did_you_mean("qqq", ["baseURL"]) == ""
