"""A guard around the Pulumi SDK's provider serialization.

`pulumi.dynamic.serialize_provider` (checked on pulumi 3.272) patches `pickle._Pickler` on every
call and never undoes it, each call wrapping the previous patch once more. A program declaring
about a thousand dynamic resources then overflows the stack while pickling. Putting the two
methods back after each resource's serialization keeps the bytes identical (the wrappers only
sort again what is already sorted) and the depth constant.
"""

from __future__ import annotations

import pickle
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

PATCHED_PICKLER_METHODS = ("_batch_setitems", "save_dict")


@contextmanager
def sdk_pickler_restored() -> Iterator[None]:
    pickler: Any = pickle._Pickler  # type: ignore[attr-defined]
    saved = {name: pickler.__dict__[name] for name in PATCHED_PICKLER_METHODS if name in pickler.__dict__}
    try:
        yield
    finally:
        for name, method in saved.items():
            setattr(pickler, name, method)
