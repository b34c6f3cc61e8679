"""Suggestions for misspelt names ("did you mean `baseURL`?") in validation messages."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

# difflib's default; low enough for `baseUrl`/`baseURL`-style slips, high enough to stay quiet on nonsense.
SIMILARITY_CUTOFF = 0.6


def closest(word: str, candidates: Iterable[str]) -> str | None:
    """The candidate `word` most likely meant, or None when nothing is close.

    A match that differs only in case wins outright: manifest keys are case-sensitive, and a wrong
    case is the commonest slip (`baseUrl` for `baseURL`).
    """
    known = [candidate for candidate in dict.fromkeys(candidates) if candidate != word]
    by_case = [candidate for candidate in known if candidate.casefold() == word.casefold()]
    if by_case:
        return by_case[0]
    folded = {candidate.casefold(): candidate for candidate in known}
    matches = difflib.get_close_matches(word.casefold(), list(folded), n=1, cutoff=SIMILARITY_CUTOFF)
    return folded[matches[0]] if matches else None


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    """` Did you mean `x`?` (with its leading space), or an empty string."""
    match = closest(word, candidates)
    return f" Did you mean `{match}`?" if match else ""
