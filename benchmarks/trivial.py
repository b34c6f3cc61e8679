"""The least a dynamic provider can do: the baseline of the cold-start and per-call floors.

It imports only the Pulumi SDK (which every dynamic provider needs), makes no network call and
keeps nothing: create hands back the inputs under a new id. Kept apart from the rest of
`benchmarks` so that unpickling it in the plugin process imports nothing else.
"""

from __future__ import annotations

import itertools
from typing import Any

from pulumi.dynamic import CheckResult, CreateResult, DiffResult, ReadResult, ResourceProvider, UpdateResult

_ids = itertools.count(1)


class TrivialProvider(ResourceProvider):
    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        return CheckResult(news, [])

    def diff(self, _id: str, _olds: dict[str, Any], _news: dict[str, Any]) -> DiffResult:
        return DiffResult(changes=False)

    def create(self, props: dict[str, Any]) -> CreateResult:
        return CreateResult(f"trivial-{next(_ids)}", dict(props))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        return ReadResult(id_, dict(props))

    def update(self, _id: str, _olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        return UpdateResult(dict(news))

    def delete(self, _id: str, _props: dict[str, Any]) -> None:
        return None
