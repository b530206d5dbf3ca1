"""Files -> Articles: find files, read and decode their bytes, split them into news items.

One module per job: `files` (finding and reading files), `formats` (which format a file is),
`decoding` (bytes -> text), and one module per format: `plaintext` (a text's layout ->
articles, through the text conventions of `conventions/`), `html` (a saved web page); `dates`
turns any format's dates into ISO days. Each article's language is then detected
(`corpus.languages`) unless its file declares it.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from corpus.languages import with_language
from corpus.loader.decoding import decode, is_blank, normalise_newlines
from corpus.loader.files import (
    MAX_FILE_BYTES,
    MAX_ITEM_CHARS,
    LoadedFile,
    LoadError,
    Skipped,
    discover,
    discover_keyed,
    printable,
    read_bytes,
)
from corpus.loader.formats import FORMAT_NAMES, Format, format_of

if TYPE_CHECKING:  # finding files and comparing them with the store needs neither: a
    # re-ingest of unchanged files imports no models (pydantic), layouts or record readers
    from corpus.loader.streams import Reader
    from corpus.models import Article

__all__ = [
    "FORMAT_NAMES",
    "MAX_FILE_BYTES",
    "MAX_ITEM_CHARS",
    "LoadError",
    "LoadedFile",
    "Skipped",
    "decode",
    "discover",
    "discover_keyed",
    "format_of",
    "is_blank",
    "load_bytes",
    "load_file",
    "normalise_newlines",
    "parse_text",
    "printable",
    "read_bytes",
    "record_reader",
]


def parse_text(text: str, path: str, encoding: str = "utf-8") -> list[Article]:
    """Split one decoded text into Articles: a main article, then any briefs."""
    from corpus.loader.plaintext import parse_text as parse

    return parse(text, path, encoding)


def load_file(path: Path, max_bytes: int = MAX_FILE_BYTES, fmt: str | None = None) -> LoadedFile:
    """Read, decode and split one file (a whole-file format: text or a web page).

    `fmt` forces a format; otherwise the file's suffix chooses. Raises LoadError naming the file.
    """
    return load_bytes(path, *read_bytes(path, max_bytes), fmt)


def load_bytes(
    path: Path, data: bytes, stat: os.stat_result, fmt: str | None = None
) -> LoadedFile:
    """`load_file` of bytes already read (by `read_bytes`, with their stat)."""
    if not data:
        raise LoadError(path, "empty file")
    key = str(path.resolve())
    name = format_of(path, fmt).name
    if name == "html":
        from corpus.loader.html import load_page  # trafilatura loads in ~0.3 s: only for pages

        article, warnings = load_page(data, str(path))
        articles, encoding = [article.model_copy(update={"path": key})], article.encoding
    else:
        text, encoding, warnings = decode(data, path)
        if is_blank(text):
            raise LoadError(path, "no text (only whitespace)")
        articles = parse_text(text, key, encoding)
    articles = [with_language(article) for article in articles]
    _check_item_lengths(path, articles)
    return LoadedFile(
        key, data, stat.st_size, stat.st_mtime_ns, encoding, articles, warnings, fmt=name
    )


def record_reader(fmt: Format) -> Reader:
    """The reader of a record-based format's records."""
    if fmt.name == "jsonl":
        from corpus.loader.jsonl import read_jsonl

        return read_jsonl
    if fmt.name == "csv":
        from corpus.loader.csvfile import read_csv

        return read_csv
    from corpus.loader.warc import read_warc

    return read_warc


def _check_item_lengths(path: Path, articles: list[Article]) -> None:
    longest = max((len(a.body) for a in articles), default=0)
    if longest > MAX_ITEM_CHARS:
        raise LoadError(
            path,
            f"an article of {longest:,} characters is over the {MAX_ITEM_CHARS:,}-character "
            "limit for tagging; split the file",
        )
