"""Names in a generated program: Pulumi resource names, Python variables, stack-config keys.

Every name is valid, unique within the program, and stable: derived from the configuration's own
name, with ties broken by creation time, then id, so that rerunning the generator gives the same
names to the same configurations.
"""

from __future__ import annotations

import keyword
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence

MAX_NAME_LENGTH = 60
NOT_NAME_CHARACTERS = re.compile(r"[^a-z0-9]+")
NOT_KEY_CHARACTERS = re.compile(r"[^A-Za-z0-9]+")
# Names the generated program itself uses: a variable named like one of them would shadow it.
PROGRAM_NAMES = frozenset({"pulumi", "config", "IntegrationConfiguration"})


def slug(text: str) -> str:
    """Lowercase ASCII letters and digits joined by single dashes ('Café Approvals!' -> 'cafe-approvals')."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return NOT_NAME_CHARACTERS.sub("-", ascii_text.lower()).strip("-")[:MAX_NAME_LENGTH].strip("-")


def unique_names(bases: Sequence[str], separator: str = "-") -> list[str]:
    """`bases` made unique: the first of equal bases keeps it, the others get -2, -3, ... (in order).

    Bases that occur once are reserved first, so a configuration named 'Approvals 2' keeps its
    name even when two others are named 'Approvals'.
    """
    counts = Counter(bases)
    taken = {base for base, count in counts.items() if count == 1}
    names: list[str] = []
    for base in bases:
        if counts[base] == 1:
            names.append(base)
            continue
        candidate, number = base, 1
        while candidate in taken:
            number += 1
            candidate = f"{base}{separator}{number}"
        taken.add(candidate)
        names.append(candidate)
    return names


def resource_name(configuration_name: str, integration_key: str) -> str:
    """A resource name from the configuration's name; from its integration when the name has no letters."""
    return slug(configuration_name) or slug(integration_key) or "configuration"


def variable_name(name: str) -> str:
    """A Python identifier for a resource name made by `slug`; distinct names give distinct identifiers."""
    identifier = name.replace("-", "_")
    if identifier[:1].isdigit():
        identifier = f"_{identifier}"
    if keyword.iskeyword(identifier) or identifier in PROGRAM_NAMES:
        identifier = f"{identifier}_"
    return identifier


def secret_config_keys(pairs: Iterable[tuple[str, str]]) -> list[str]:
    """A camelCase stack-config key per (resource name, form field key): ('change-approvals', 'apiKey') -> 'changeApprovalsApiKey'."""
    return unique_names(
        [_camel_case([*resource.split("-"), *_words(field)]) for resource, field in pairs], separator=""
    )


def _words(field_key: str) -> list[str]:
    return [word for word in NOT_KEY_CHARACTERS.split(field_key) if word] or ["value"]


def _camel_case(words: Sequence[str]) -> str:
    first, *rest = [word for word in words if word] or ["secret"]
    return first[:1].lower() + first[1:] + "".join(word[:1].upper() + word[1:] for word in rest)
