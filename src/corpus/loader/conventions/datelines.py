"""Datelines at the start of a body: `LOS ANGELES, Feb 26 -`, `SEOUL, May 3 (Yonhap) --`,
`BEIJING (Reuters) —`, `TOKYO, Apr 10 Kyodo -`, `NAMIE, Japan —`, `TOKYO -`.

The dateline leaves the body and gives the place (in capitals, with a country as written), the
date (ISO when a year is given, else as written) and the agency, if any, as the source.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from corpus.loader.conventions.wire import CAPS_PLACE, TITLE_PLACE, agency_name, looks_like_agency
from corpus.loader.dates import normalise_date

_MONTH = r"(?i:(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?)"
_DATE = rf"(?:{_MONTH} +\d{{1,2}}|\d{{1,2}} {_MONTH})(?:, \d{{4}})?"
_DATELINE = re.compile(
    rf"^(?:(?P<place>{CAPS_PLACE})(?:,? (?P<date>{_DATE}))?"
    rf"|(?P<titled>{TITLE_PLACE}),? (?P<tdate>{_DATE}))"
    r"(?: \((?P<paren>[A-Z][^()]{1,40})\)"  # (Reuters)
    r"| (?P<agency>[A-Z][\w.'’&-]*(?: [A-Z][\w.'’&-]*){0,3}))?"
    # a hyphen needs a space after it, a capital or the end of the line: "UK-based" is no
    # dateline; a place and date alone on their line need no dash (`LONDON, March 3`)
    r"(?:\s*(?:--|—)\s?|\s*[-–](?:\s|$)|\s+[-–](?=[A-Z])|(?<=\d)$)(?=\S|$)"
)


@dataclass(frozen=True)
class Dateline:
    place: str
    date: str | None = None
    source: str | None = None


def split_dateline(paragraph: str) -> tuple[Dateline | None, str]:
    """The dateline at the start of a paragraph and the paragraph without it, or (None, it)."""
    match = _DATELINE.match(paragraph.lstrip())
    if match is None:
        return None, paragraph
    agency = match["paren"] or match["agency"]
    if match["agency"] and not looks_like_agency(match["agency"]):
        return None, paragraph
    written = match["date"] or match["tdate"]
    date = normalise_date(written) if written else None
    source = agency_name(agency) if agency else None
    rest = paragraph.lstrip()[match.end() :].lstrip()
    return Dateline(match["place"] or match["titled"], date, source), rest
