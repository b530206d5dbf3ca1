"""Names and text as read commands compare and show them."""

from __future__ import annotations

import re

from corpus.naming import fold as fold  # the first step of the tagger's own name keys

_SPACES = re.compile(r"\s+")


def collapse(text: str) -> str:
    """Runs of whitespace (newlines, no-break spaces) as one space, for one-line display."""
    return _SPACES.sub(" ", text)
