"""One record of an export (a JSON object, a CSV row) -> an Article, by its field names.

Exports name their fields differently (NewsAPI's `publishedAt` and `source.name`, GDELT's
`seendate`, Media Cloud's `media_name`, news-please's `maintext`...): the common names are
recognised, in any case and with or without `_`/`-`, nested objects by dotted path, and
`--field NAME=PATH` overrides a field's path.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # a re-ingest of unchanged files reads no record: it loads no models
    from corpus.models import Article

# The Article fields a record can fill, and the names (or dotted paths) each is looked for under,
# in order of preference.
FIELD_NAMES: dict[str, tuple[str, ...]] = {
    "title": ("title", "headline", "heading"),
    "body": (
        *("body", "text", "content", "article", "article_text", "articlebody", "full_text"),
        *("maintext", "story"),
    ),
    "date": (
        *("date", "published", "publishedAt", "published_at", "publish_date", "pubdate"),
        *("datePublished", "date_publish", "publication_date", "seendate", "created_at"),
    ),
    "author": ("author", "byline", "authors", "creator", "writer"),
    "source": (
        *("source.name", "source.title", "source", "outlet", "publication", "site", "sitename"),
        *("site_name", "media_name", "publisher.name", "publisher", "source_domain", "domain"),
    ),
    "url": ("url", "link", "canonical_url", "uri", "permalink"),
    "lang": ("lang", "language"),
    "id": ("id", "_id", "guid", "uuid", "stories_id"),
}
FIELDS = tuple(FIELD_NAMES)
_PUNCTUATION = re.compile(r"[_\-\s]")


class RecordError(Exception):
    """A record that cannot be an article; the message says why (the caller adds where)."""


@dataclass(frozen=True)
class FieldMap:
    """Where each field is looked for: `--field` overrides, then the common names."""

    overrides: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def parse(cls, specs: Sequence[str]) -> FieldMap:
        """From `NAME=PATH` specs (`body=content`, `source=source.name`); ValueError if bad."""
        overrides: dict[str, str] = {}
        for spec in specs:
            name, sep, path = spec.partition("=")
            name, path = name.strip().lower(), path.strip()
            if not sep or not path:
                raise ValueError(f"--field {spec!r}: give NAME=PATH, e.g. body=content")
            if name not in FIELD_NAMES:
                raise ValueError(f"--field {spec!r}: NAME is one of {', '.join(FIELDS)}")
            overrides[name] = path
        return cls(overrides)

    def paths(self, name: str) -> tuple[str, ...]:
        if name in self.overrides:
            return (self.overrides[name],)
        return FIELD_NAMES[name]


def lookup(record: Mapping[str, Any], path: str) -> Any:
    """The value at a dotted path, keys matched in any case and without `_`/`-`; else None.

    A key that itself holds a dot (a CSV column `source.name`) is found as written first.
    """
    return _Keys(record).lookup(path)


class _Keys:
    """A record's keys, normalised once: every field looks in the same record several times."""

    def __init__(self, record: Mapping[str, Any]) -> None:
        self.record = record
        self._normalised: dict[str, Any] | None = None

    def key(self, name: str) -> Any:
        if name in self.record:
            return self.record[name]
        if self._normalised is None:
            self._normalised = {}
            for key, value in self.record.items():
                if isinstance(key, str):
                    self._normalised.setdefault(_normal(key), value)
        return self._normalised.get(_normal(name))

    def lookup(self, path: str) -> Any:
        found = self.key(path)
        if found is not None or "." not in path:
            return found
        head, _, rest = path.partition(".")
        inner = self.key(head)
        return _Keys(inner).lookup(rest) if isinstance(inner, Mapping) else None


@functools.lru_cache(maxsize=4096)  # field names recur in every record
def _normal(name: str) -> str:
    return _PUNCTUATION.sub("", name).lower()


def as_text(value: Any) -> str | None:
    """A field's value as one string: lists joined (`authors`), objects by their name."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, Mapping):
        return as_text(value.get("name") or value.get("title"))
    if isinstance(value, list):
        parts = [text for item in value if (text := as_text(item))]
        return ", ".join(parts) or None
    return None


def field_text(record: Mapping[str, Any] | _Keys, fields: FieldMap, name: str) -> str | None:
    keys = record if isinstance(record, _Keys) else _Keys(record)
    for path in fields.paths(name):
        if (text := as_text(keys.lookup(path))) is not None:
            return text
    return None


def record_article(
    record: Mapping[str, Any], fields: FieldMap, path: str, encoding: str
) -> Article:
    """The record's article; RecordError when it has no body."""
    from corpus.models import Article

    keys = _Keys(record)
    body_text = field_text(keys, fields, "body")
    if body_text is None:
        names = ", ".join(fields.paths("body"))
        raise RecordError(f"no body (no text in any of: {names}; choose one with --field body=...)")
    body = _paragraphs(body_text)
    if not body:
        raise RecordError("the body is only whitespace")
    title, date = field_text(keys, fields, "title"), field_text(keys, fields, "date")
    return Article(
        title=" ".join(title.split()) if title else None,
        body=body,
        date=normalised_date(date) if date else None,
        author=_one_line(field_text(keys, fields, "author")),
        source=_one_line(field_text(keys, fields, "source")),
        url=_one_line(field_text(keys, fields, "url")),
        lang=_language(field_text(keys, fields, "lang")),
        path=path,
        encoding=encoding,
    )


def record_name(record: Mapping[str, Any], fields: FieldMap) -> str:
    """` (id X)` when the record has an id, to name it in a message."""
    found = field_text(record, fields, "id")
    return f" (id {found[:40]!r})" if found else ""


def normalised_date(text: str) -> str:
    """ISO `YYYY-MM-DD` when the text reads as a date with a year, `Mon DD` when it reads as
    one without; otherwise as written."""
    from corpus.loader.dates import normalise_date  # dateutil: only when a record has a date

    return normalise_date(text) or text


def _paragraphs(text: str) -> str:
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    kept: list[str] = []
    for line in (line.strip() for line in lines):
        if line or (kept and kept[-1]):
            kept.append(line)
    while kept and not kept[-1]:
        kept.pop()
    return "\n".join(kept)


def _one_line(text: str | None) -> str | None:
    return " ".join(text.split()) if text else None


def _language(text: str | None) -> str | None:
    """ISO 639-1 from `en`, `en-US`, `en_GB`, `EN`; else None (a name like `English`)."""
    if not text:
        return None
    code = re.split(r"[-_]", text.strip())[0].lower()
    return code if len(code) == 2 and code.isalpha() else None
