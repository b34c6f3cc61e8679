"""After a create whose outcome is unknown: which listed configuration, if any, did it make?

A POST that timed out, lost its connection or met a server error may still have been stored.
Before sending it again, the client lists the integration's configurations and adopts the one this
request created. A candidate must
- have the same name and the same non-secret `configValues` as the request (secrets come back
  masked, so they cannot be compared: keys the manifest marks secret, and masked-looking values,
  are skipped);
- have been created after the first attempt was sent (by the server's clock, with a margin);
- not be a configuration this process already created or adopted (two identical resources in one
  program must not end up sharing one configuration).
Among several, the newest wins: a look-alike made earlier by someone else is older than ours.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import Any

from .drift import looks_masked, loosely_equal
from .models import IntegrationConfigurationPost, IntegrationConfigurationRep

# The server's clock is estimated from its `Date` header, which has one-second resolution.
CLOCK_MARGIN_MS = 2000


def same_request(
    candidate: IntegrationConfigurationRep, body: IntegrationConfigurationPost, secret_keys: Collection[str]
) -> bool:
    if candidate.name != body.name:
        return False
    for key, sent in body.config_values.items():
        if key in secret_keys:
            continue
        if key not in candidate.config_values:
            return False
        stored: Any = candidate.config_values[key]
        if looks_masked(stored):
            continue
        if not loosely_equal(stored, sent):
            return False
    return True


def find_created(
    listed: Iterable[IntegrationConfigurationRep],
    body: IntegrationConfigurationPost,
    *,
    secret_keys: Collection[str],
    sent_at_ms: float,
    known_ids: Collection[str],
) -> IntegrationConfigurationRep | None:
    """The configuration the request `body`, first sent at `sent_at_ms` (server clock), created."""
    earliest = sent_at_ms - CLOCK_MARGIN_MS
    candidates = [
        item
        for item in listed
        if item.id not in known_ids
        # An answer without `_createdAt` cannot prove its age: it is not adopted.
        and item.created_at is not None
        and item.created_at >= earliest
        and same_request(item, body, secret_keys)
    ]
    if not candidates:
        return None
    return max(candidates, key=lambda item: (item.created_at or 0, item.id))
