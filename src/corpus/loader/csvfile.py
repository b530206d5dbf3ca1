"""CSV and TSV exports: a header row naming the fields, then one article a row.

Quoted fields may hold newlines (a multi-paragraph body), so a record is one or more physical
lines; each record's own bytes are kept. The delimiter is a tab for `.tsv`, otherwise the one
the header uses most of `,` `;` `\\t` `|`. Lines are UTF-8 (a BOM allowed); a line that is not
is decoded as cp1252, with a warning.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import sys
from collections.abc import Iterator
from pathlib import Path

from corpus.loader.records import RecordError, record_article, record_name
from corpus.loader.streams import CountingReader, Item, Source

_DELIMITERS = (",", ";", "\t", "|")


class _TooLong(Exception):
    pass


class _Lines:
    """Physical lines for the csv module, decoded, remembering the bytes of the current record."""

    def __init__(self, reader: CountingReader, max_bytes: int, line: int) -> None:
        self.reader, self.max_bytes = reader, max_bytes
        self.line = line  # the number of the next line
        self.record: list[bytes] = []
        self.fallback_line: int | None = None  # the first line that was not UTF-8

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        used = sum(map(len, self.record))
        data = self.reader.readline(self.max_bytes + 1 - used)
        if not data:
            raise StopIteration
        self.record.append(data)
        self.line += 1
        if used + len(data) > self.max_bytes:
            raise _TooLong
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            self.fallback_line = self.fallback_line or self.line - 1
            try:
                return data.decode("cp1252")
            except UnicodeDecodeError:
                return data.decode("latin-1")

    def take(self) -> bytes:
        data = b"".join(self.record)
        self.record = []
        return data


def read_csv(source: Source) -> Iterator[Item]:
    csv.field_size_limit(max(csv.field_size_limit(), min(source.max_bytes, sys.maxsize)))
    lines = _Lines(source.reader, source.max_bytes, source.line)
    if source.line == 1:
        header_line = source.reader.position
        header, delimiter = _header(lines, source.path)
        header_bytes = lines.take()
        yield Item(header_line, header_bytes, source.reader.position, header_bytes.endswith(b"\n"))
    else:  # read on after an append: the header is the file's first line
        header, delimiter = _header_of(source.path, source.max_bytes)
    rows = csv.reader(lines, delimiter=delimiter)
    warned = False
    while True:
        offset, line = source.reader.position, lines.line
        try:
            row = next(rows)
        except StopIteration:
            return
        except _TooLong:
            message = f"line {line}: a record over the {source.limit} limit (an unclosed quote?); "
            yield Item(offset, b"", source.reader.position, error=message + "the rest is not read")
            return
        except csv.Error as error:
            data = lines.take()
            yield Item(offset, data, offset + len(data), error=f"line {line}: {error}")
            continue
        data = lines.take()
        item = Item(offset, data, offset + len(data), terminated=data.endswith((b"\n", b"\r")))
        if lines.fallback_line is not None and not warned:
            item.warning = f"line {lines.fallback_line} is not UTF-8: decoded as cp1252"
            warned = True
        if row:
            _fill(item, source, header, row, line)
        yield item


def _fill(item: Item, source: Source, header: list[str], row: list[str], line: int) -> None:
    if len(row) != len(header):
        item.error = f"line {line}: {len(row)} fields, the header has {len(header)}"
        return
    record = dict(zip(header, row, strict=True))
    try:
        item.article = record_article(record, source.fields, source.key, "utf-8")
    except RecordError as error:
        item.error = f"line {line}{record_name(record, source.fields)}: {error}"


def _header(lines: _Lines, path: Path) -> tuple[list[str], str]:
    try:
        first = next(lines)
    except StopIteration:
        return [], ","
    except _TooLong:
        return [], ","
    delimiter = "\t" if path.name.lower().endswith(".tsv") else _delimiter(first)
    header = next(csv.reader([first], delimiter=delimiter), [])
    return [name.strip() for name in header], delimiter


def _header_of(path: Path, max_bytes: int) -> tuple[list[str], str]:
    with path.open("rb") as handle:
        start = len(codecs.BOM_UTF8) if handle.read(3) == codecs.BOM_UTF8 else 0
        handle.seek(start)
        reader = CountingReader(handle, start, start + max_bytes, hashlib.sha256())
        return _header(_Lines(reader, max_bytes, 1), path)


def _delimiter(line: str) -> str:
    counts = {d: line.count(d) for d in _DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","
