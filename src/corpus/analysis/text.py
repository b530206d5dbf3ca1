"""Names and text as read commands compare and show them."""

from __future__ import annotations

import re
import unicodedata

_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"'})
_SPACES = re.compile(r"\s+")


def fold(text: str) -> str:
    """Comparison key for names: Unicode-normalised, case-folded, one kind of quote and space."""
    key = unicodedata.normalize("NFKC", text).translate(_QUOTES)
    return _SPACES.sub(" ", key).strip().casefold()


def collapse(text: str) -> str:
    """Runs of whitespace (newlines, no-break spaces) as one space, for one-line display."""
    return _SPACES.sub(" ", text)
