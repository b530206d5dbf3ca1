"""Bylines near the top of a body: `By Jane Doe`, `By Jane Doe and Kim Min-jun, AP`,
`by Janie Gabbett, Reuters`. The names (joined as written) are the author; an agency after
them is the source."""

from __future__ import annotations

import re
from dataclasses import dataclass

from corpus.loader.conventions.wire import agency_name, looks_like_agency

_PARTICLE = r"de|da|van|von|der|la|le|bin|al-\w+"
_NAME = rf"(?:[A-Z][\w'’.-]*)(?: (?:[A-Z][\w'’.-]*|{_PARTICLE})){{0,4}}"
_BYLINE = re.compile(
    rf"^[Bb][Yy]:? (?P<names>{_NAME}(?:(?:, | and | & ){_NAME})*?)(?:, (?P<agency>[^,]{{2,40}}))?$"
)
MAX_CHARS = 100


@dataclass(frozen=True)
class Byline:
    author: str
    source: str | None = None


def parse_byline(line: str) -> Byline | None:
    """The byline a line is, or None."""
    line = line.strip()
    if len(line) > MAX_CHARS or (match := _BYLINE.match(line)) is None:
        return None
    names, agency = match["names"], match["agency"]
    if agency and not looks_like_agency(agency):
        if not re.fullmatch(_NAME, agency):
            return None
        names, agency = f"{names}, {agency}", None
    return Byline(names, agency_name(agency) if agency else None)
