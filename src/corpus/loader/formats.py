"""The input formats: which file suffixes each one reads, and which format a path is.

A format is chosen by the file's suffix (case-insensitive), or forced with `--format`. A file
named on the command line whose suffix is not one of these is read as plain text.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePath


@dataclass(frozen=True)
class Format:
    name: str
    suffixes: tuple[str, ...]
    records: bool  # one article per record, streamed (never the whole file in memory)


FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format("txt", (".txt",), records=False),
        Format("html", (".html", ".htm", ".xhtml"), records=False),
        Format("jsonl", (".jsonl", ".ndjson"), records=True),
        Format("csv", (".csv", ".tsv"), records=True),
        Format("warc", (".warc", ".warc.gz"), records=True),
    )
}
FORMAT_NAMES = tuple(FORMATS)
# The longest suffix first: `.warc.gz` is WARC, whatever a shorter suffix would say.
_BY_SUFFIX = sorted(
    ((s, f) for f in FORMATS.values() for s in f.suffixes), key=lambda pair: -len(pair[0])
)
_SUFFIXES = tuple(suffix for suffix, _ in _BY_SUFFIX)


def file_name(path: str | PurePath) -> str:
    """The last part of a path (a `PurePath` is not made again for it: they are slow to make)."""
    return (path if isinstance(path, PurePath) else PurePath(path)).name


def suffix_format(path: str | PurePath) -> Format | None:
    """The format a file's name says it holds, or None for a suffix of no supported format."""
    return name_format(file_name(path))


def name_format(name: str) -> Format | None:
    """`suffix_format` of a file's name alone (the last part of its path)."""
    name = name.lower()
    if not name.endswith(_SUFFIXES):
        return None
    return next(f for suffix, f in _BY_SUFFIX if name.endswith(suffix))


def format_of(path: str | PurePath, forced: str | None = None) -> Format:
    """The format to read a file as: the forced one, else its suffix's, else plain text."""
    if forced is not None:
        return FORMATS[forced]
    return suffix_format(path) or FORMATS["txt"]


def name_matches_format(name: str, only: str | None = None) -> bool:
    """Whether a file found in a directory is taken by default, by its name (the last part of
    its path): a supported suffix (of `only`)."""
    found = name_format(name)
    return found is not None and (only is None or found.name == only)
