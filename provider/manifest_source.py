"""Where the provider finds an integration's manifest, for validation (check), locked fields (diff)
and secret keys (refresh).

In order:
1. the pinned manifests file (`launchdarkly:manifestsFile` / LAUNCHDARKLY_MANIFESTS_FILE), when set:
   what the team committed wins, and needs neither credentials nor network;
2. LaunchDarkly's API (`GET /api/v2/integration-manifests/{key}`), when an access token is set:
   the real, current manifest is preferred over the bundled copy, which may be older;
3. the copy bundled with this package;
4. none: only schema-level validation runs, and one line on stderr says why.

Each key is resolved at most once per source, and one source serves the whole provider process
(built in `configure()`), so a key costs at most one fetch per process even with the engine's 4
threads. A fetch that fails (401, 404, 5xx, timeout) falls back to the next source and never fails
the caller; after a failure every later fetch would repeat (no answer, token refused), no other
key is fetched.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable, Mapping
from typing import Protocol

from .client import LaunchDarklyClient
from .errors import (
    LaunchDarklyApiError,
    LaunchDarklyConnectionError,
    LaunchDarklyProviderError,
    RateLimitWaitError,
)
from .manifests import bundled_manifests, read_manifests_file
from .models import IntegrationManifest
from .notices import notify
from .settings import ProviderSettings
from .suggest import did_you_mean

# Answers that every other key would get too: stop asking.
HOPELESS_STATUSES = frozenset({401, 403})


class ManifestFetcher(Protocol):
    @property
    def api_host(self) -> str: ...

    def get_manifest(self, integration_key: str) -> IntegrationManifest | None: ...


class ManifestSource:
    def __init__(
        self,
        *,
        pinned_file: str | None = None,
        fetcher: ManifestFetcher | None = None,
        bundled: Callable[[], Mapping[str, IntegrationManifest]] = bundled_manifests,
        notice: Callable[[str], None] = notify,
    ) -> None:
        self._pinned_file = pinned_file
        self._fetcher = fetcher
        self._bundled = bundled
        self._notice = notice
        self._lock = threading.Lock()
        self._key_locks: dict[str, threading.Lock] = {}
        self._resolved: dict[str, IntegrationManifest | None] = {}
        self._pinned: dict[str, IntegrationManifest] | None = None
        self._api_unusable: str | None = None

    @classmethod
    def from_settings(
        cls, settings: ProviderSettings, notice: Callable[[str], None] = notify
    ) -> ManifestSource:
        fetcher = None
        if settings.access_token:
            # Its own client with a short timeout and a single try: a preview waits for this call,
            # and a failed fetch only means validating against the bundled copy.
            quick = dataclasses.replace(
                settings,
                connect_timeout=settings.manifest_timeout,
                request_timeout=settings.manifest_timeout,
                max_retries=0,
                retry_timeout=settings.manifest_timeout,
            )
            fetcher = LaunchDarklyClient(quick)
        return cls(pinned_file=settings.manifests_file, fetcher=fetcher, notice=notice)

    def lookup(self, integration_key: str) -> IntegrationManifest | None:
        """The integration's manifest, or None when no source has it.

        Raises ConfigurationError when a pinned file is configured but unusable: the team asked
        for it, so silently validating against something else would hide the mistake.
        """
        with self._lock:
            if integration_key in self._resolved:
                return self._resolved[integration_key]
            key_lock = self._key_locks.setdefault(integration_key, threading.Lock())
        # One lock per key: threads asking for the same key wait for one fetch; other keys go on.
        with key_lock:
            with self._lock:
                if integration_key in self._resolved:
                    return self._resolved[integration_key]
            manifest = self._resolve(integration_key)
            with self._lock:
                self._resolved[integration_key] = manifest
            return manifest

    def _resolve(self, key: str) -> IntegrationManifest | None:
        misses: list[str] = []
        pinned = self._pinned_manifests()
        if pinned is not None:
            if key in pinned:
                return pinned[key]
            misses.append(f"not in the pinned file {self._pinned_file}")

        fetched, fetch_failure = self._fetch(key)
        if fetched is not None:
            return fetched
        misses.append(fetch_failure)

        bundled = self._bundled().get(key)
        if bundled is not None:
            if self._fetcher is not None:
                self._notice(
                    f"could not fetch the manifest of integration `{key}` ({fetch_failure}); "
                    "validating against the copy bundled with the provider instead."
                )
            return bundled

        misses.append("not bundled with the provider")
        known = [*(pinned or {}), *self._bundled()]
        self._notice(
            f"manifest validation skipped for integration `{key}`: {'; '.join(misses)}."
            f"{did_you_mean(key, known)} Only schema-level checks ran."
        )
        return None

    def _pinned_manifests(self) -> dict[str, IntegrationManifest] | None:
        if self._pinned_file is None:
            return None
        with self._lock:
            if self._pinned is not None:
                return self._pinned
        # Read outside the lock; a failure is raised each time, so a fixed file is picked up.
        pinned = read_manifests_file(self._pinned_file).by_key()
        with self._lock:
            self._pinned = pinned
        return pinned

    def _fetch(self, key: str) -> tuple[IntegrationManifest | None, str]:
        """The fetched manifest, or None and why not."""
        if self._fetcher is None:
            return None, "no access token to fetch it from LaunchDarkly"
        with self._lock:
            if self._api_unusable is not None:
                return None, self._api_unusable
        host = self._fetcher.api_host
        try:
            manifest = self._fetcher.get_manifest(key)
        except LaunchDarklyApiError as error:
            reason = f"{host} answered HTTP {error.status}" + (f" {error.code}" if error.code else "")
            if error.status in HOPELESS_STATUSES:
                self._give_up_on_api(reason)
            return None, reason
        except LaunchDarklyConnectionError:
            reason = f"no answer from {host} in time"
            self._give_up_on_api(reason)
            return None, reason
        except RateLimitWaitError:
            return None, f"{host}'s rate limit is used up for now"
        except LaunchDarklyProviderError:
            return None, f"{host} answered with a manifest this provider cannot read"
        if manifest is None:
            return None, f"{host} has no manifest for it (HTTP 404)"
        return manifest, ""

    def _give_up_on_api(self, reason: str) -> None:
        with self._lock:
            self._api_unusable = reason
