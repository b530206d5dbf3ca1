"""The ingest job: files -> loader -> Articles -> tagger -> store, streamed in batches.

Unchanged files are skipped by size and mtime, then by content hash, before any decoding; an
article already stored with the current pipeline fingerprint is never tagged again.
"""

from __future__ import annotations

import hashlib
import itertools
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from corpus.languages import with_language
from corpus.loader import (
    MAX_FILE_BYTES,
    LoadedFile,
    LoadError,
    Skipped,
    discover_keyed,
    format_of,
    load_bytes,
    printable,
    read_bytes,
    record_reader,
)
from corpus.loader.formats import Format
from corpus.loader.records import FieldMap
from corpus.store import FileState, Store, StoredFile
from corpus.tagging import Fingerprints, pipeline_note, pipeline_of

if TYPE_CHECKING:  # a re-ingest of unchanged files makes no article: it imports no pydantic
    from corpus.models import Article, TaggedArticle

WRITE_BATCH_ARTICLES = 256
MAX_RECORD_MESSAGES = 100  # bad records listed one by one per file; the rest are counted
STATE_BATCH = 256  # files whose stored state is read at once


@dataclass(frozen=True)
class Untagged:
    """What a tagger yields in an article's place when it could not tag it (a remote failure)."""

    article: Article
    reason: str


class Tagger(Protocol):
    fingerprint: str

    def tag(
        self, articles: Iterable[Article], *, batch_size: int = 64, n_process: int = 1
    ) -> Iterator[TaggedArticle | Untagged]: ...


class NullTagger:
    """Tags nothing; for loading and storing without NLP (and for tests of the plumbing)."""

    fingerprint = "none"

    def tag(
        self, articles: Iterable[Article], *, batch_size: int = 64, n_process: int = 1
    ) -> Iterator[TaggedArticle]:
        from corpus.models import TaggedArticle

        for article in articles:
            yield TaggedArticle(article=article, fingerprint=self.fingerprint)


@dataclass
class Reporter:
    """Callbacks through which the job reports; the CLI turns them into a progress bar."""

    warning: Callable[[str], None] = lambda message: None
    note: Callable[[str], None] = lambda message: None
    error: Callable[[str], None] = lambda message: None
    files_found: Callable[[int], None] = lambda count: None
    file_done: Callable[[str], None] = lambda path: None
    tagging_started: Callable[[], None] = lambda: None
    articles_tagged: Callable[[int], None] = lambda count: None


@dataclass
class IngestReport:
    files: int = 0
    new: int = 0
    unchanged: int = 0
    duplicates: int = 0  # items whose text was already met earlier in the same run
    skipped_records: int = 0  # records that are not articles (a WARC's requests, images...)
    replaced_files: int = 0
    retagged: int = 0
    merged: int = 0  # merges of short names across articles made or undone
    failed: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # files that are not articles, and why

    def summary(self) -> str:
        parts = [f"{self.new} new", f"{self.unchanged} unchanged"]
        if self.duplicates:
            parts.append(f"{self.duplicates} duplicate{'' if self.duplicates == 1 else 's'}")
        if self.skipped_records:
            parts.append(f"{self.skipped_records} records skipped (not article pages)")
        if self.replaced_files:
            parts.append(f"{self.replaced_files} changed files replaced")
        if self.retagged:
            parts.append(f"{self.retagged} re-tagged")
        if self.failed:
            parts.append(f"{len(self.failed)} failed")
        if self.skipped:
            parts.append(f"{len(self.skipped)} skipped (not articles)")
        return f"{', '.join(parts)} ({self.files} files)"


@dataclass
class IngestOptions:
    pattern: str | None = None  # a glob for directories; None: every supported format
    fmt: str | None = None  # read every file as this format (and, in directories, only it)
    jobs: int = 1
    batch_size: int = 64
    max_bytes: int = MAX_FILE_BYTES  # a whole file's limit, and a record's
    all_files: bool = False  # take README, LICENSE... found in directories too
    fields: FieldMap = field(default_factory=FieldMap)  # where records keep each field


class Ingest:
    """One run of `corpus ingest` against one store."""

    def __init__(
        self,
        store: Store,
        tagger: Callable[[], Tagger],
        fingerprint: str | Fingerprints,
        options: IngestOptions | None = None,
        reporter: Reporter | None = None,
    ) -> None:
        self.store = store
        self._tagger_factory = tagger
        self._tagger: Tagger | None = None
        # What each article should be tagged with, by its language (a string: for every one).
        self.fingerprints = (
            Fingerprints(fingerprint) if isinstance(fingerprint, str) else fingerprint
        )
        self._noted: set[str] = set()
        self.options = options or IngestOptions()
        self.reporter = reporter or Reporter()
        self.report = IngestReport()
        self._seen_ids: set[str] = set()

    @property
    def tagger(self) -> Tagger:
        """Loaded on first use, so that a run with nothing to tag never loads the model."""
        if self._tagger is None:
            self.reporter.tagging_started()
            self._tagger = self._tagger_factory()
        return self._tagger

    def run(self, paths: Sequence[str]) -> IngestReport:
        files = self._discover(paths)
        self.reporter.files_found(len(files))
        batch: list[StoredFile] = []
        for stored in self._tag_files(self._load_changed(files)):
            batch.append(stored)
            # A part of a record file is written at once: its commit is where a killed ingest
            # resumes, and parts of records with no articles (a WARC's images) add up to none.
            part = stored.loaded.records is not None
            if part or sum(len(s.loaded.articles) for s in batch) >= WRITE_BATCH_ARTICLES:
                self._write(batch)
                batch = []
        self._write(batch)
        self.retag(stale_only=True)
        return self.report

    def retag(self, stale_only: bool = False) -> int:
        """Re-tag stored articles (with another fingerprint, or all) from their stored text."""
        ids = self.store.stale_article_ids(self.fingerprints.is_current if stale_only else None)
        if ids:  # otherwise the model is not loaded
            self._retag(ids)
        # Also when nothing was written: a killed run may have stopped before this.
        self.report.merged += self.store.resolve_across_articles()
        return self.report.retagged

    def _retag(self, ids: list[str]) -> None:
        tagged: list[TaggedArticle] = []
        # One stream through the tagger, so that its workers never idle between write batches.
        # Stores from before language detection hold no language: it is detected here.
        articles = (with_language(a) for a in self.store.load_articles(ids))
        for result in self.tagger.tag(self._noting(articles), **self._pipe_options()):
            if isinstance(result, Untagged):
                self._not_retagged(result)
                continue
            tagged.append(result)
            self.reporter.articles_tagged(1)
            if len(tagged) >= WRITE_BATCH_ARTICLES:
                self._write_tagging(tagged)
                tagged = []
        self._write_tagging(tagged)

    # --- stages ---------------------------------------------------------------------------

    def _discover(self, paths: Sequence[str]) -> list[tuple[Path, str]]:
        """The files to ingest, each with its key in the store (its resolved path)."""
        files = []
        options = self.options
        for found in discover_keyed(paths, options.pattern, options.fmt, options.all_files):
            if isinstance(found, LoadError):
                self._fail(found)
            elif isinstance(found, Skipped):
                self.report.skipped.append(str(found))
                self.reporter.note(str(found))
            else:
                files.append(found)
        self.report.files = len(files)
        return files

    def _load_changed(self, files: Sequence[tuple[Path, str]]) -> Iterator[LoadedFile]:
        """Load each file whose size, mtime or content differs from what the store holds."""
        states: dict[str, FileState] = {}
        for n, (path, key) in enumerate(files):
            if n % STATE_BATCH == 0:  # what the store holds of the next files, in one query
                states = self.store.file_states([k for _, k in files[n : n + STATE_BATCH]])
            state = states.get(key)
            try:
                stat = path.stat()
                fmt = format_of(path, self.options.fmt)
                if fmt.records:
                    yield from self._load_records(path, key, fmt, state, stat)
                    continue
                same_format = state is not None and (state.fmt or "txt") == fmt.name
                if state and same_format and _same_version(state, stat):
                    self._unchanged(key, state.items)
                    continue
                data, stat = read_bytes(path, self.options.max_bytes)
                # The same bytes with a new mtime (a copy, a checkout): hashed, not parsed.
                if state and same_format and state.sha256 == hashlib.sha256(data).hexdigest():
                    self.store.touch_file(key, stat.st_size, stat.st_mtime_ns)
                    self._unchanged(key, state.items)
                    continue
                loaded = load_bytes(path, data, stat, self.options.fmt)
            except LoadError as error:
                self._fail(error)
                continue
            except OSError as error:
                self._fail(LoadError(path, error.strerror or str(error)))
                continue
            self._warn(loaded.warnings)
            if state:
                self.report.replaced_files += 1
            yield loaded

    def _load_records(
        self, path: Path, key: str, fmt: Format, state: FileState | None, stat: os.stat_result
    ) -> Iterator[LoadedFile]:
        """A record file's new records, in parts: all of them, or those appended since."""
        from corpus.loader.streams import StoredState, plan_read, stream_records  # records only

        stored = None
        if state is not None and state.fmt == fmt.name and state.resume_at is not None:
            kept, position = self.store.kept_items(key, state.resume_at)
            stored = StoredState(
                state.size, state.mtime_ns, state.sha256, state.resume_at, kept, position
            )
        plan = plan_read(path, stored, stat)
        if state is not None and plan.unchanged:
            if not _same_version(state, stat):
                self.store.touch_file(key, stat.st_size, stat.st_mtime_ns)
            self._unchanged(key, state.items)
            return
        if state is not None and plan.replace_from is None:
            self.report.replaced_files += 1
        self.report.unchanged += plan.kept
        reader = record_reader(fmt)
        options = self.options
        bad = 0
        for part in stream_records(path, key, fmt, reader, plan, options.fields, options.max_bytes):
            self._warn(part.warnings[: max(0, MAX_RECORD_MESSAGES - bad)])
            for message in part.errors[: max(0, MAX_RECORD_MESSAGES - bad)]:
                self._record_error(message)
            bad += len(part.errors)
            self.report.skipped_records += part.skipped
            yield part
        if bad > MAX_RECORD_MESSAGES:  # a file of garbage: not a million lines, nor in memory
            more = bad - MAX_RECORD_MESSAGES
            self._record_error(f"{printable(key)}: {more:,} more bad records (not listed)")

    def _record_error(self, message: str) -> None:
        self.report.failed.append(message)
        self.reporter.error(message)

    def _tag_files(self, loaded_files: Iterator[LoadedFile]) -> Iterator[StoredFile]:
        """Tag the articles that need it, streaming, and regroup them by file, in order.

        A file with an article the tagger could not tag is not stored, and is reported failed.
        """
        waiting: deque[tuple[StoredFile, set[str]]] = deque()
        untagged = _Untagged()
        new_ids: set[str] = set()

        def needing_tags() -> Iterator[Article]:
            for loaded in loaded_files:
                stored = self.store.fingerprints([a.id for a in loaded.articles])
                self.report.unchanged += sum(1 for a in loaded.articles if a.id in stored)
                new = {a.id for a in loaded.articles} - stored.keys() - self._seen_ids
                self.report.duplicates += sum(
                    1 for a in loaded.articles if a.id not in stored
                ) - len(new)
                new_ids.update(new)
                self.report.new += len(new)
                needed = _unique(
                    a
                    for a in loaded.articles
                    if not self.fingerprints.is_current(a.lang, stored.get(a.id))
                    and a.id not in self._seen_ids
                )
                self._seen_ids.update(a.id for a in needed)
                self._note_pipelines(needed)
                waiting.append((StoredFile(loaded, {}), {a.id for a in needed}))
                yield from needed

        def complete() -> Iterator[StoredFile]:
            while waiting and not waiting[0][1]:
                stored = waiting.popleft()[0]
                if reason := untagged.check(stored):
                    self._fail(LoadError(stored.loaded.path, f"not stored: {reason}"))
                else:
                    yield stored

        articles = needing_tags()
        first = next(articles, None)
        if first is not None:
            for result in self.tagger.tag(
                itertools.chain([first], articles), **self._pipe_options()
            ):
                yield from complete()
                stored, pending = waiting[0]
                if isinstance(result, Untagged):
                    untagged.reasons[result.article.id] = result.reason
                else:
                    stored.tagged[result.article.id] = result
                    self.reporter.articles_tagged(1)
                pending.discard(result.article.id)
        yield from complete()
        self.report.new -= len(new_ids & untagged.lost())

    def _write_tagging(self, tagged: list[TaggedArticle]) -> None:
        self.store.write_tagging(tagged)
        self.report.retagged += len(tagged)

    def _write(self, batch: list[StoredFile]) -> None:
        if not batch:
            return
        self.store.write_files(batch)
        for stored in batch:
            if stored.loaded.last:
                self.reporter.file_done(stored.loaded.path)

    # --- bookkeeping ------------------------------------------------------------------------

    def _pipe_options(self) -> dict[str, int]:
        return {"batch_size": self.options.batch_size, "n_process": self.options.jobs}

    def _warn(self, warnings: list[str]) -> None:
        for warning in warnings:
            self.report.warnings.append(warning)
            self.reporter.warning(warning)

    def _noting(self, articles: Iterable[Article]) -> Iterator[Article]:
        for article in articles:
            self._note_pipelines([article])
            yield article

    def _note_pipelines(self, articles: Iterable[Article]) -> None:
        """Say once per run what a user should know of a pipeline about to tag (no GiNZA)."""
        for pipeline in {pipeline_of(a.lang) for a in articles} - self._noted:
            self._noted.add(pipeline)
            if note := pipeline_note(pipeline):
                self._warn([note])

    def _unchanged(self, key: str, items: int) -> None:
        self.report.unchanged += items
        self.reporter.file_done(key)

    def _fail(self, error: LoadError) -> None:
        self.report.failed.append(str(error))
        self.reporter.error(str(error))
        self.reporter.file_done(error.path)

    def _not_retagged(self, result: Untagged) -> None:
        article = result.article
        message = f"{article.path}: article {article.id} not re-tagged: {result.reason}"
        self.report.failed.append(message)
        self.reporter.error(message)


class _Untagged:
    """Articles a tagger could not tag, and the tagging of those a failed file leaves behind."""

    def __init__(self) -> None:
        self.reasons: dict[str, str] = {}  # article id -> why it was not tagged
        self.orphans: dict[str, TaggedArticle] = {}  # tagged, but their file was not stored

    def check(self, stored: StoredFile) -> str | None:
        """Why this file cannot be stored, if so; it adopts the orphans it holds either way."""
        for article in stored.loaded.articles:
            if (orphan := self.orphans.pop(article.id, None)) is not None:
                stored.tagged[article.id] = orphan
        reasons = [self.reasons[a.id] for a in stored.loaded.articles if a.id in self.reasons]
        if not reasons:
            return None
        self.orphans.update(stored.tagged)
        return reasons[0]

    def lost(self) -> set[str]:
        return self.reasons.keys() | self.orphans.keys()


def _same_version(state: FileState, stat: os.stat_result) -> bool:
    return (state.size, state.mtime_ns) == (stat.st_size, stat.st_mtime_ns)


def _unique(articles: Iterable[Article]) -> list[Article]:
    return list({a.id: a for a in articles}.values())
