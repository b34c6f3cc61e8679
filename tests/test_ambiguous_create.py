"""Which listed configuration an ambiguous create made: the rules, without HTTP."""

from __future__ import annotations

from typing import Any

from provider.ambiguous_create import CLOCK_MARGIN_MS, find_created
from provider.models import IntegrationConfigurationPost, IntegrationConfigurationRep

SENT_AT_MS = 1_760_000_000_000
SECRET_KEYS = frozenset({"apiKey"})
BODY = IntegrationConfigurationPost(
    name="Approvals",
    config_values={"apiKey": "real-secret-123", "baseURL": "https://a.example.com", "retries": 3},
)


def listed(
    id_: str, *, created_at: int | None = SENT_AT_MS + 50, **fields: Any
) -> IntegrationConfigurationRep:
    values = {"apiKey": "rea*********123", "baseURL": "https://a.example.com", "retries": "3"}
    return IntegrationConfigurationRep.model_validate(
        {"_id": id_, "name": "Approvals", "_createdAt": created_at, "configValues": values, **fields}
    )


def find(*items: IntegrationConfigurationRep, known: frozenset[str] = frozenset()) -> str | None:
    found = find_created(items, BODY, secret_keys=SECRET_KEYS, sent_at_ms=SENT_AT_MS, known_ids=known)
    return found.id if found else None


def test_same_name_and_non_secret_values_match_despite_masked_secret_and_string_numbers() -> None:
    assert find(listed("ours")) == "ours"


def test_a_masked_value_is_skipped_even_for_a_key_not_known_to_be_secret() -> None:
    body = IntegrationConfigurationPost(name="Approvals", config_values={"token": "abcdefghij"})
    item = IntegrationConfigurationRep.model_validate(
        {"_id": "x", "name": "Approvals", "_createdAt": SENT_AT_MS, "configValues": {"token": "abc****hij"}}
    )
    assert find_created([item], body, secret_keys=frozenset(), sent_at_ms=SENT_AT_MS, known_ids=()) is item


def test_a_different_name_or_value_or_a_missing_key_is_not_ours() -> None:
    assert find(listed("renamed", name="Other")) is None
    assert find(listed("elsewhere", configValues={"apiKey": "x", "baseURL": "https://b.example.com"})) is None
    assert find(listed("partial", configValues={"apiKey": "x", "baseURL": "https://a.example.com"})) is None


def test_created_before_the_request_is_not_ours() -> None:
    assert find(listed("old", created_at=SENT_AT_MS - CLOCK_MARGIN_MS - 1)) is None
    assert find(listed("within-margin", created_at=SENT_AT_MS - CLOCK_MARGIN_MS)) == "within-margin"


def test_without_a_creation_time_nothing_is_adopted() -> None:
    assert find(listed("ageless", created_at=None)) is None


def test_known_configurations_are_skipped_and_the_newest_match_wins() -> None:
    twin, ours = listed("twin", created_at=SENT_AT_MS + 10), listed("ours", created_at=SENT_AT_MS + 20)
    assert find(twin, ours) == "ours"
    assert find(ours, twin) == "ours"
    assert find(twin, ours, known=frozenset({"ours"})) == "twin"
    assert find(twin, known=frozenset({"twin"})) is None
