"""JSON Lines / NDJSON exports: one JSON object a line, each an article (its fields: `records`)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from corpus.loader.records import RecordError, record_article, record_name
from corpus.loader.streams import Item, Source

_SKIP_BLOCK = 2**20


def read_jsonl(source: Source) -> Iterator[Item]:
    """Each line's record; blank lines are nothing, a bad line is an error naming its number."""
    reader, offset, line = source.reader, source.start, source.line
    while data := reader.readline(source.max_bytes + 1):
        if len(data) > source.max_bytes and not data.endswith(b"\n"):
            end = reader.position + _skip_line(source)
            error = f"line {line}: over the {source.limit} limit for a record"
            yield Item(offset, b"", end, error=error)
        else:
            yield _item(source, offset, line, data)
        offset, line = reader.position, line + 1


def _skip_line(source: Source) -> int:
    """Read past the rest of an over-long line, a block at a time; how many bytes that was."""
    skipped = 0
    while block := source.reader.readline(_SKIP_BLOCK):
        skipped += len(block)
        if block.endswith(b"\n"):
            break
    return skipped


def _item(source: Source, offset: int, line: int, data: bytes) -> Item:
    item = Item(offset, data, offset + len(data), terminated=data.endswith(b"\n"))
    if not data.strip():
        return item  # a blank line: no record
    record = None
    try:
        record = _record(data)
        item.article = record_article(record, source.fields, source.key, "utf-8")
    except RecordError as error:
        named = record_name(record, source.fields) if record is not None else ""
        item.error = f"line {line}{named}: {error}"
    return item


def _record(data: bytes) -> dict[str, Any]:
    try:
        record = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError as error:
        raise RecordError(f"not UTF-8 (byte {error.start} of the line)") from None
    except json.JSONDecodeError as error:
        what = error.msg.removesuffix(" at")
        raise RecordError(f"broken JSON ({what} at column {error.colno})") from None
    if not isinstance(record, dict):
        raise RecordError(f"a JSON {type(record).__name__}, not an object")
    return record
