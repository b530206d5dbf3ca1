"""Record-based files (JSON Lines, CSV, WARC), streamed in parts of a few hundred records.

A 5 GB export never sits in memory: records are read one at a time, and every few hundred of
them leave as one part (a `LoadedFile` without `data`) that the ingest writes in one transaction.
Each part records how far the file was read (`size`, and the sha256 of those bytes) and where
reading would go on (`resume_at`: after the last whole record), so that a killed ingest resumes
there, and a file that grows (an appended JSONL) is read on from there: its first bytes must
hash as stored, or the file was rewritten and is read again from the start. The size limit
applies to each record, not to the file.
"""

from __future__ import annotations

import codecs
import hashlib
import os
import stat as statlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from corpus.languages import with_language
from corpus.loader.files import MAX_ITEM_CHARS, LoadedFile, LoadError, RecordSpan, printable
from corpus.loader.formats import Format
from corpus.loader.records import FieldMap

if TYPE_CHECKING:
    from corpus.models import Article

PART_ARTICLES = 256
PART_BYTES = 16 * 2**20  # a part also ends after this much of the file, articles or not
_HASH_BLOCK = 2**20


@dataclass
class Item:
    """One record as a format's reader found it."""

    offset: int  # its first byte in the file
    data: bytes  # its exact bytes
    end: int  # the byte after it
    terminated: bool = True  # False: the file's last record, without its final newline
    article: Article | None = None
    encoding: str = "utf-8"
    error: str | None = None  # why it is not stored: "line 7: broken JSON (...)"
    skipped: bool = False  # not an article, and not an error (a WARC request record)
    warning: str | None = None


class CountingReader:
    """A file read through: every byte hashed and counted, and none past `end`."""

    def __init__(self, handle: BinaryIO, start: int, end: int, hasher: Any) -> None:
        self._handle = handle
        self.position = start
        self.end = end
        self.hasher = hasher

    def read(self, size: int = -1) -> bytes:
        left = self.end - self.position
        data = self._handle.read(left if size is None or size < 0 else min(size, left))
        return self._took(data)

    def readline(self, size: int = -1) -> bytes:
        left = self.end - self.position
        data = self._handle.readline(left if size is None or size < 0 else min(size, left))
        return self._took(data)

    def _took(self, data: bytes) -> bytes:
        self.hasher.update(data)
        self.position += len(data)
        return data

    def tell(self) -> int:
        return self.position

    def pread(self, offset: int, size: int) -> bytes:
        """Bytes already read, again (a record's own bytes), without moving the position."""
        return os.pread(self._handle.fileno(), size, offset)

    def drain(self) -> None:
        while self.read(_HASH_BLOCK):
            pass

    def digest(self) -> str:
        return str(self.hasher.copy().hexdigest())


@dataclass(frozen=True)
class Source:
    """What a format's reader reads: the file from `start` (on line `line`), and its settings."""

    path: Path  # as given, for messages
    key: str  # the store's key, for the articles
    reader: CountingReader
    start: int
    line: int
    fields: FieldMap
    max_bytes: int

    @property
    def limit(self) -> str:
        """The record size limit, for messages: `20 MiB`, `4 KiB`."""
        for unit, size in (("MiB", 2**20), ("KiB", 2**10)):
            if self.max_bytes >= size:
                return f"{self.max_bytes / size:g} {unit}"
        return f"{self.max_bytes} bytes"


Reader = Callable[[Source], Iterator[Item]]


@dataclass(frozen=True)
class StoredState:
    """What the store holds of a record file: how far it was read, and where to go on."""

    size: int
    mtime_ns: int
    sha256: str
    resume_at: int
    kept: int  # records stored before resume_at
    next_position: int


@dataclass
class Plan:
    """How to read a file now: not at all, or from `start` (replacing from `replace_from`)."""

    unchanged: bool = False
    start: int = 0
    line: int = 1
    position: int = 0
    kept: int = 0
    replace_from: int | None = None
    hasher: Any = field(default_factory=hashlib.sha256)


def plan_read(path: Path, state: StoredState | None, stat: os.stat_result) -> Plan:
    """Whether the file is unchanged, appended to (read on) or new or rewritten (read whole)."""
    if state is None:
        return Plan()
    if (state.size, state.mtime_ns) == (stat.st_size, stat.st_mtime_ns):
        return Plan(unchanged=True)
    if stat.st_size < state.size:
        return Plan()
    hasher, at_resume, lines = hashlib.sha256(), None, 1
    try:
        with path.open("rb") as handle:
            done = 0
            while done < state.size:
                block = handle.read(min(_HASH_BLOCK, state.size - done))
                if not block:
                    return Plan()
                if done < state.resume_at:
                    lines += block.count(b"\n", 0, state.resume_at - done)
                if done <= state.resume_at < done + len(block):
                    hasher.update(block[: state.resume_at - done])
                    at_resume = hasher.copy()
                    hasher.update(block[state.resume_at - done :])
                else:
                    hasher.update(block)
                done += len(block)
    except OSError as error:
        raise LoadError(path, error.strerror or str(error)) from None
    if state.resume_at == state.size:
        at_resume = hasher.copy()
    if hasher.hexdigest() != state.sha256 or at_resume is None:
        return Plan()
    if stat.st_size == state.size and state.resume_at == state.size:
        return Plan(unchanged=True)  # touched, not changed
    return Plan(
        start=state.resume_at,
        line=lines,
        position=state.next_position,
        kept=state.kept,
        replace_from=state.resume_at,
        hasher=at_resume,
    )


def stream_records(
    path: Path,
    key: str,
    fmt: Format,
    reader: Reader,
    plan: Plan,
    fields: FieldMap,
    max_bytes: int,
) -> Iterator[LoadedFile]:
    """The file's records from `plan.start`, in parts; LoadError if it cannot be read at all."""
    try:
        _check_regular(path)
        with path.open("rb") as handle:
            before = os.fstat(handle.fileno())
            if before.st_size < plan.start:
                raise LoadError(path, "file shrank while being read")
            handle.seek(plan.start)
            counting = CountingReader(handle, plan.start, before.st_size, plan.hasher)
            encoding = _file_encoding(handle)
            if encoding == "utf-16":
                raise LoadError(path, "UTF-16 text: save it as UTF-8 to ingest its records")
            if plan.start == 0 and encoding == "utf-8-sig":
                counting.read(len(codecs.BOM_UTF8))  # a preamble, not part of a record
            start = counting.position
            source = Source(path, key, counting, start, plan.line, fields, max_bytes)
            parts = _Parts(key, fmt, before, plan, encoding)
            for item in reader(source):
                if (part := parts.add(item, counting)) is not None:
                    yield part
            counting.drain()
            after = os.fstat(handle.fileno())
            if after.st_size < before.st_size or (
                after.st_size == before.st_size and after.st_mtime_ns != before.st_mtime_ns
            ):
                raise LoadError(path, "file changed while being read; ingest it again")
            yield parts.finish(counting)
    except PermissionError:
        raise LoadError(path, "permission denied") from None
    except OSError as error:
        raise LoadError(path, error.strerror or str(error)) from None


def _file_encoding(handle: BinaryIO) -> str:
    """How the file's bytes are encoded, from its first bytes (whatever byte reading starts at)."""
    head = os.pread(handle.fileno(), 3, 0)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    return "gzip" if head.startswith(b"\x1f\x8b") else "utf-8"


def _check_regular(path: Path) -> None:
    mode = path.stat().st_mode  # before opening: opening a FIFO would block
    if statlib.S_ISDIR(mode):
        raise LoadError(path, "is a directory")
    if not statlib.S_ISREG(mode):
        raise LoadError(path, "not a regular file")


class _Parts:
    """Groups a file's records into parts, each a `LoadedFile` written in one transaction."""

    def __init__(
        self, key: str, fmt: Format, stat: os.stat_result, plan: Plan, encoding: str
    ) -> None:
        self.key, self.fmt, self.stat, self.encoding = key, fmt, stat, encoding
        self.position = plan.position
        self.replace_from = plan.replace_from  # the first part's; then each part's own start
        self.resume_at = plan.start
        self.part_start = plan.start
        self._reset()

    def _reset(self) -> None:
        self.articles: list[Article] = []
        self.spans: list[RecordSpan] = []
        self.errors: list[str] = []
        self.warnings: list[str] = []
        self.skipped = 0

    def add(self, item: Item, counting: CountingReader) -> LoadedFile | None:
        if item.article is not None and len(item.article.body) > MAX_ITEM_CHARS:
            item.error = (
                f"record at byte {item.offset}: an article of {len(item.article.body):,} "
                f"characters is over the {MAX_ITEM_CHARS:,}-character limit for tagging"
            )
        if item.error is not None:
            self.errors.append(f"{printable(self.key)}: {item.error}")
        elif item.skipped:
            self.skipped += 1
        elif item.article is not None:
            article = with_language(item.article).model_copy(update={"position": self.position})
            self.position += 1
            self.articles.append(article)
            self.spans.append(RecordSpan(item.offset, item.data, item.encoding))
        if item.warning is not None:
            self.warnings.append(f"{printable(self.key)}: {item.warning}")
        if item.terminated:
            self.resume_at = item.end
        full = len(self.articles) >= PART_ARTICLES
        if full or counting.position - self.part_start >= PART_BYTES:
            return self._part(counting, last=False)
        return None

    def finish(self, counting: CountingReader) -> LoadedFile:
        return self._part(counting, last=True)

    def _part(self, counting: CountingReader, last: bool) -> LoadedFile:
        part = LoadedFile(
            self.key,
            b"",
            counting.position,
            self.stat.st_mtime_ns,
            self.encoding,
            self.articles,
            self.warnings,
            fmt=self.fmt.name,
            digest=counting.digest(),
            records=self.spans,
            resume_at=self.resume_at,
            replace_from=self.replace_from,
            errors=self.errors,
            skipped=self.skipped,
            last=last,
        )
        # The next part's records lie after this one's last whole record.
        self.replace_from, self.part_start = self.resume_at, counting.position
        self._reset()
        return part
