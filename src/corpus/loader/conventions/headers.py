"""Header blocks at the top of a file: metadata lines before the headline.

Recognised, in any mix, from the first line on: a URL line, a timestamp line (a date with its
year: `2012-02-22T17:00:00+0900`), `Key: value` lines (Title, Headline, Author, By, Date,
Published, Source, Publication, URL, Link, Language; any case) and YAML front matter between
`---` lines. The block ends at the first line that is none of these: the headline.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

import yaml

from corpus.loader.dates import normalise_date

_URL = re.compile(r"^(?:<)?(?P<url>https?://[^\s<>]+)(?:>)?$")
_KEY_VALUE = re.compile(r"^(?P<key>[A-Za-z][A-Za-z -]{0,20}?)\s*:\s+(?P<value>\S.*)$")
_KEYS = {
    "title": "title",
    "headline": "title",
    "author": "author",
    "authors": "author",
    "by": "author",
    "byline": "author",
    "date": "date",
    "published": "date",
    "publication date": "date",
    "pubdate": "date",
    "source": "source",
    "publication": "source",
    "publisher": "source",
    "url": "url",
    "link": "url",
    "language": "lang",
    "lang": "lang",
}
_LANGUAGE = re.compile(r"^(?P<code>[A-Za-z]{2})(?:[-_][A-Za-z]{2,4})?$")
_LANGUAGE_NAMES = {"english": "en", "japanese": "ja", "korean": "ko", "chinese": "zh"}
MAX_HEADER_LINES = 40
MAX_NAME_WORDS = 10


@dataclass(frozen=True)
class Header:
    title: str | None = None
    author: str | None = None
    date: str | None = None
    source: str | None = None
    url: str | None = None
    lang: str | None = None

    def fill(self, name: str, value: str | None) -> Header:
        """This header with `name` set to `value` unless it is already set."""
        if not value or getattr(self, name) is not None:
            return self
        return replace(self, **{name: value})


def split_header(lines: list[str]) -> tuple[Header, int]:
    """The header block at the top of `lines` and the index of the first line after it."""
    header, i = Header(), 0
    while i < len(lines) and not lines[i].strip():
        i += 1
    if i < len(lines) and lines[i].strip() == "---":
        header, i = _front_matter(lines, i)
    while i < min(len(lines), MAX_HEADER_LINES):
        line = lines[i].strip()
        found = _header_line(line, header)
        if found is None:
            break
        header, i = found, i + 1
        while i < len(lines) and not lines[i].strip():
            i += 1
    return header, i


def _header_line(line: str, header: Header) -> Header | None:
    if match := _URL.match(line):
        return header.fill("url", match["url"]) if header.url is None else None
    if header.date is None and (found := normalise_date(line)) and found[:1].isdigit():
        return header.fill("date", found)  # a timestamp line: a date with its year
    if (match := _KEY_VALUE.match(line)) and (name := _KEYS.get(match["key"].lower())):
        value = _value(name, match["value"])
        return header.fill(name, value) if value else None
    return None


def _value(name: str, value: str) -> str | None:
    value = value.strip()
    if name == "date":
        return normalise_date(value) or value
    if name == "lang":
        value = _LANGUAGE_NAMES.get(value.lower(), value)
        match = _LANGUAGE.match(value)
        return match["code"].lower() if match else None
    if name in ("author", "source") and (len(value.split()) > MAX_NAME_WORDS or value[-1] in ".!?"):
        return None  # a sentence ("Source: officials said the talks failed."), not a name
    if name == "author":
        return re.sub(r"^[Bb]y\s+", "", value)
    return value


def _front_matter(lines: list[str], start: int) -> tuple[Header, int]:
    """YAML between `---` lines; not front matter (nothing consumed) if it does not parse."""
    for end in range(start + 1, min(len(lines), start + MAX_HEADER_LINES)):
        if lines[end].strip() in ("---", "..."):
            break
    else:
        return Header(), start
    try:
        data = yaml.safe_load("\n".join(lines[start + 1 : end]))
    except yaml.YAMLError:
        return Header(), start
    if not isinstance(data, dict):
        return Header(), start
    header = Header()
    for key, value in data.items():
        name = _KEYS.get(str(key).lower())
        if name and (text := _yaml_text(value)):
            header = header.fill(name, _value(name, text))
    return header, end + 1


def _yaml_text(value: Any) -> str | None:
    if isinstance(value, datetime | date):
        return value.isoformat()[:10]
    if isinstance(value, list):
        return ", ".join(str(v) for v in value if v is not None) or None
    if isinstance(value, str | int | float):
        return str(value).strip() or None
    return None
