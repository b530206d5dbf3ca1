"""Dates as written in news text -> ISO `YYYY-MM-DD` when the year is known, else `Mon DD`.

`normalise_date` is the one place every input format turns a date into what `articles.date`
holds: `2012-02-22T17:00:00+0900`, `Mon, 13 May 2024 07:30:00 +0900`, `May 21, 2024`,
`13 May 2024`, `2024/05/13`, `2024年5月13日`, `2024년 5월 13일` -> `2024-05-13`-style ISO dates (the
day as written, not moved to UTC). A date without a year has one form however it is written:
`March 2`, `MARCH 2`, `2 March`, `Mar. 2` -> `Mar 02` (wire copy writes its datelines every way).
python-dateutil does the parsing; only the CJK forms, which it does not read, are matched here.
"""

from __future__ import annotations

import re
from datetime import datetime
from functools import lru_cache

from dateutil import parser as dateparser

# Two defaults that differ in every field: a field that differs between the two parses was
# missing from the text. Both years are leap years, so "Feb 29" without a year still parses.
_DEFAULTS = (datetime(2000, 1, 1), datetime(2004, 3, 2))
_CJK = re.compile(
    r"^(?P<year>\d{4})\s*[年년.]\s*(?P<month>\d{1,2})\s*[月월.]\s*(?P<day>\d{1,2})\s*[日일]?"
    r"(?:\s*[(（][^)）]{1,6}[)）])?(?:\s+\d{1,2}[:時시].*)?$"
)
_MAX_CHARS = 64
# not strftime's %b, which is the locale's
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@lru_cache(maxsize=4096)  # wire copy repeats its dates ("Feb 26"); dateutil takes ~0.1 ms
def normalise_date(text: str) -> str | None:
    """ISO `YYYY-MM-DD` when the text is a date with a year; `Mon DD` (`Mar 02`) without one;
    None when the text is not a date (a month and a day are required)."""
    text = " ".join(text.split())
    if not text or len(text) > _MAX_CHARS or not re.search(r"\d", text):
        return None
    if match := _CJK.match(text):
        return _iso(int(match["year"]), int(match["month"]), int(match["day"]))
    try:
        first, second = (dateparser.parse(text, default=d) for d in _DEFAULTS)
    except (ValueError, OverflowError):
        return None
    if first.month != second.month or first.day != second.day:
        return None  # no month or no day: "2024", "12:30", "Tuesday"
    if first.year != second.year:
        return f"{_MONTHS[first.month - 1]} {first.day:02d}"
    return first.date().isoformat()


def _iso(year: int, month: int, day: int) -> str | None:
    try:
        return datetime(year, month, day).date().isoformat()
    except ValueError:
        return None
