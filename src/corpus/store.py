"""The embedded SQLite store: opening it safely, and writing ingested articles to it.

Reads live in `queries.py`. Every write happens inside `Store.transaction()`, one per batch, so
a killed ingest leaves exactly the batches that were committed.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from corpus.aggregates import account
from corpus.dupes import index as dupes_index
from corpus.merges import (
    apply_to_article,
    is_stale,
    mark_stale,
    plan_across_articles,
    resolve_across_articles,
)
from corpus.migrations import SCHEMA_VERSION, migrate, schema_version
from corpus.parallel import chunked

if TYPE_CHECKING:  # read commands import the store without the loader and pydantic models
    from corpus.loader import LoadedFile
    from corpus.loader.files import RecordSpan
    from corpus.models import Article, TaggedArticle

DEFAULT_DB = Path("data") / "corpus.db"
# The Article fields stored as columns of `articles`, in this order (then words, fingerprint...).
ARTICLE_FIELDS = (
    *("id", "kind", "title", "source", "date", "rights"),
    *("author", "place", "url", "lang", "body"),
)
_STORED_COLUMNS = (*ARTICLE_FIELDS, "words", "fingerprint", "ingested_at")
_UPSERT_ARTICLE = (
    f"INSERT INTO articles ({', '.join(_STORED_COLUMNS)}) "
    f"VALUES ({', '.join('?' * len(_STORED_COLUMNS))}) ON CONFLICT(id) DO UPDATE SET "
    + ", ".join(f"{name} = excluded.{name}" for name in _STORED_COLUMNS[1:])
)
LOCK_WAIT_SECONDS = 120.0


class StoreError(Exception):
    """A store that cannot be opened or written; the message names the file and the reason."""


def default_db_path() -> Path:
    return Path(os.environ.get("CORPUS_DB") or DEFAULT_DB)


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def describe_sqlite_error(path: Path, error: sqlite3.Error) -> str:
    message = str(error)
    if "not a database" in message:
        return f"{path}: not a corpus store (the file is not an SQLite database)"
    if "malformed" in message:
        return f"{path}: the store is corrupt ({message}); run `corpus check` or restore a backup"
    if "readonly" in message:
        return f"{path}: the store is read-only"
    if "full" in message or getattr(error, "sqlite_errorname", "") == "SQLITE_IOERR_WRITE":
        return (
            f"{path}: cannot write: the disk is full or a size limit is reached ({message}); "
            "nothing of this batch was written"
        )
    if "locked" in message or "busy" in message:
        return f"{path}: the store is locked by another process; try again when it has finished"
    return f"{path}: {message}"


def _frozen_wal_store(path: Path) -> bool:
    """A store in a directory nobody here can write to, with no write-ahead log beside it."""
    wal = path.with_name(path.name + "-wal")
    return not os.access(path.parent, os.W_OK) and (not wal.exists() or wal.stat().st_size == 0)


@dataclass(frozen=True)
class FileState:
    size: int
    mtime_ns: int
    sha256: str
    items: int  # the articles and briefs stored from it
    fmt: str | None = None  # None: stored before formats were recorded (plain text)
    resume_at: int | None = None  # record files: where an appended file is read on from


@dataclass
class StoredFile:
    """A file ready to write: what was loaded, and the tagging of its articles that needed it."""

    loaded: LoadedFile
    tagged: dict[str, TaggedArticle]


class Store:
    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self.conn = conn
        self.path = path
        self.on_wait: Callable[[str], None] = lambda message: None

    # --- opening ---------------------------------------------------------------------------

    @classmethod
    def open(
        cls,
        path: Path | str | None = None,
        *,
        readonly: bool = False,
        on_upgrade: Callable[[str], None] = lambda message: None,
    ) -> Store:
        """The store at `path` (the default store without one), created or upgraded to this
        schema unless `readonly`; `on_upgrade` hears, before it starts, that an existing store
        is upgraded (a large one takes minutes)."""
        path = Path(path) if path is not None else default_db_path()
        if path.is_dir():
            raise StoreError(f"{path}: is a directory, not a store file")
        if readonly and not path.exists():
            raise StoreError(f"{path}: no store here yet; run `corpus ingest PATH...` first")
        try:
            if not readonly:
                path.parent.mkdir(parents=True, exist_ok=True)
            return cls._connect(path, "ro" if readonly else "rwc", on_upgrade)
        except sqlite3.Error as error:
            if readonly and _frozen_wal_store(path):
                return cls._open_frozen(path)
            raise StoreError(describe_sqlite_error(path, error)) from None
        except OSError as error:
            raise StoreError(f"{path}: {error.strerror or error}") from None

    @classmethod
    def _connect(
        cls, path: Path, mode: str, on_upgrade: Callable[[str], None] = lambda message: None
    ) -> Store:
        uri = f"{path.absolute().as_uri()}?mode={mode}"
        conn = sqlite3.connect(uri, uri=True, isolation_level=None, timeout=0.2)
        store = cls(conn, path)
        try:
            store._prepare(readonly=mode != "rwc", on_upgrade=on_upgrade)
        except BaseException:
            conn.close()
            raise
        return store

    @classmethod
    def _open_frozen(cls, path: Path) -> Store:
        """Read a WAL store whose directory is read-only. SQLite cannot create the store's
        shared-memory file there; but with no write-ahead log left over the main file holds every
        commit, and no writer can create one, so the file can be read as immutable."""
        try:
            return cls._connect(path, "ro&immutable=1")
        except sqlite3.Error as error:
            raise StoreError(describe_sqlite_error(path, error)) from None

    def _prepare(self, readonly: bool, on_upgrade: Callable[[str], None]) -> None:
        version = schema_version(self.conn)  # also detects a file that is not a database
        if version > SCHEMA_VERSION:
            self.conn.close()
            raise StoreError(
                f"{self.path}: written by a newer corpus (schema {version}, this one reads up to "
                f"{SCHEMA_VERSION}); upgrade corpus"
            )
        # Tables and their version are committed together: re-read the version once tables are
        # seen, since another process may have created the store between the two reads.
        if version == 0 and self._has_tables() and schema_version(self.conn) == 0:
            self.conn.close()
            raise StoreError(
                f"{self.path}: an SQLite database of another program, not a corpus store; "
                "choose another --db"
            )
        self.conn.execute("PRAGMA foreign_keys = ON")
        if readonly:
            if version < SCHEMA_VERSION:
                self.conn.close()
                raise StoreError(f"{self.path}: store needs an upgrade; run `corpus ingest` once")
            return
        if self.conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
            self._with_lock(lambda: self.conn.execute("PRAGMA journal_mode = WAL"))
        self.conn.execute("PRAGMA synchronous = NORMAL")
        if 0 < version < SCHEMA_VERSION:
            on_upgrade(
                f"{self.path}: upgrading the store from schema {version} to {SCHEMA_VERSION} "
                "(once; on a large store this takes minutes)"
            )
        self._with_lock(lambda: migrate(self.conn))

    def _has_tables(self) -> bool:
        row = self.conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return bool(row[0])

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- locking and transactions ----------------------------------------------------------

    def _with_lock(self, action: Callable[[], object]) -> None:
        """Run action; if another process holds the write lock, say so once and wait for it."""
        try:
            action()
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) and "busy" not in str(error):
                raise
            self.on_wait(f"{self.path}: another process is writing to the store; waiting...")
            self.conn.execute(f"PRAGMA busy_timeout = {int(LOCK_WAIT_SECONDS * 1000)}")
            try:
                action()
            finally:
                self.conn.execute("PRAGMA busy_timeout = 200")

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        try:
            self._with_lock(lambda: self.conn.execute("BEGIN IMMEDIATE"))
        except sqlite3.Error as error:
            raise StoreError(describe_sqlite_error(self.path, error)) from None
        try:
            yield self.conn
            self.conn.execute("COMMIT")
        except sqlite3.Error as error:
            self._rollback()
            raise StoreError(describe_sqlite_error(self.path, error)) from None
        except BaseException:
            self._rollback()
            raise

    def _rollback(self) -> None:
        """Roll back if SQLite has not already done so itself (it does on a full disk)."""
        if self.conn.in_transaction:
            with suppress(sqlite3.Error):  # the error being raised says more than this one
                self.conn.execute("ROLLBACK")

    # --- what is stored already ------------------------------------------------------------

    def file_state(self, path: str) -> FileState | None:
        return self.file_states([path]).get(path)

    def file_states(self, paths: Sequence[str]) -> dict[str, FileState]:
        """`file_state` of each of these paths that is stored, by path."""
        found: dict[str, FileState] = {}
        for chunk in chunked(paths, 500):
            rows = self.conn.execute(
                "SELECT path, size, mtime_ns, sha256, "
                "(SELECT count(*) FROM occurrences o WHERE o.path = f.path), format, resume_at "
                f"FROM files f WHERE path IN ({','.join('?' * len(chunk))})",
                chunk,
            )
            found.update((path, FileState(*state)) for path, *state in rows)
        return found

    def kept_items(self, path: str, before: int) -> tuple[int, int]:
        """How many records of a file lie before byte `before`, and the next free position."""
        row = self.conn.execute(
            "SELECT count(*), coalesce(max(position) + 1, 0) FROM occurrences "
            "WHERE path = ? AND offset < ?",
            (path, before),
        ).fetchone()
        return row[0], row[1]

    def fingerprints(self, ids: Sequence[str]) -> dict[str, str]:
        """The stored pipeline fingerprint of each of these article ids that is stored."""
        found: dict[str, str] = {}
        for chunk in chunked(ids, 500):
            marks = ",".join("?" * len(chunk))
            rows = self.conn.execute(
                f"SELECT id, fingerprint FROM articles WHERE id IN ({marks})", chunk
            )
            found.update(dict(rows))
        return found

    def stale_article_ids(self, current: Callable[[str | None, str], bool] | None) -> list[str]:
        """Ids of articles whose fingerprint is not `current(lang, fingerprint)` for their
        language (all of them when `current` is None)."""
        if current is not None:  # most often none: asked of each language and fingerprint once
            pairs = self.conn.execute("SELECT DISTINCT lang, fingerprint FROM articles")
            if all(current(lang, fingerprint) for lang, fingerprint in pairs):
                return []
        rows = self.conn.execute("SELECT id, lang, fingerprint FROM articles ORDER BY id")
        return [
            id_
            for id_, lang, fingerprint in rows
            if current is None or not current(lang, fingerprint)
        ]

    def known_fingerprints(self, key: str) -> dict[str, str] | None:
        """The pipelines' fingerprints kept for this environment key (`tagging.environment_key`)."""
        rows = self.conn.execute(
            "SELECT pipeline, fingerprint FROM pipeline_fingerprints WHERE key = ?", (key,)
        )
        return dict(rows.fetchall()) or None

    def keep_fingerprints(self, key: str, fingerprints: dict[str, str]) -> None:
        """Keep the fingerprints of one environment, in place of any other's."""
        with self.transaction() as conn:
            conn.execute("DELETE FROM pipeline_fingerprints")
            conn.executemany(
                "INSERT INTO pipeline_fingerprints (key, pipeline, fingerprint) VALUES (?, ?, ?)",
                [(key, pipeline, value) for pipeline, value in fingerprints.items()],
            )

    def load_articles(self, ids: Sequence[str]) -> Iterator[Article]:
        """Rebuild stored articles (with their first occurrence's path) for re-tagging.

        Streamed, 500 at a time: each chunk is read whole, so the store may be written between.
        """
        from corpus.models import Article

        for chunk in chunked(ids, 500):
            marks = ",".join("?" * len(chunk))
            rows = self.conn.execute(
                "SELECT a.id, a.kind, a.title, a.source, a.date, a.rights, a.author, a.place, "
                "a.url, a.lang, a.body, min(o.path), min(o.position) FROM articles a "
                f"JOIN occurrences o ON o.article_id = a.id WHERE a.id IN ({marks}) GROUP BY a.id",
                chunk,
            ).fetchall()
            for *fields, path, position in rows:
                yield Article(
                    **dict(zip(ARTICLE_FIELDS, fields, strict=True)), path=path, position=position
                )

    # --- writing ---------------------------------------------------------------------------

    def touch_file(self, path: str, size: int, mtime_ns: int) -> None:
        """Record a new mtime for a file whose bytes have not changed."""
        with self.transaction() as conn:
            conn.execute(
                "UPDATE files SET size = ?, mtime_ns = ? WHERE path = ?", (size, mtime_ns, path)
            )

    def write_files(self, batch: Iterable[StoredFile]) -> None:
        """Store files with their articles in one transaction, replacing what they held before.

        The aggregates lose what the articles about to be replaced counted, and gain what they
        count once written, in the same transaction.
        """
        stamp = now()
        items = list(batch)
        tagged = list(dict.fromkeys(i for item in items for i in item.tagged))
        with self.transaction() as conn:
            account(conn, list(self.fingerprints(tagged)), -1)
            replaced: set[str] = set()
            signing: list[TaggedArticle] = []
            for item in items:
                replaced.update(self._replace_file(conn, item, stamp))
                signing.extend(item.tagged.values())
            mates = dupes_index.cluster_mates(conn, replaced)
            self._delete_orphans(conn, replaced, uncounted=tagged)
            account(conn, tagged, 1)
            signed = [(t.article.id, t.article.body, t.signature, t.shingles) for t in signing]
            dupes_index.add(conn, signed, mates)
            mark_stale(conn)

    def write_tagging(self, tagged: Iterable[TaggedArticle]) -> None:
        """Replace the tagging of articles already stored (re-tagging after a pipeline change)."""
        items = list(tagged)
        ids = [item.article.id for item in items]
        with self.transaction() as conn:
            account(conn, ids, -1)
            for item in items:
                conn.execute("DELETE FROM mentions WHERE article_id = ?", (item.article.id,))
                conn.execute("DELETE FROM sentences WHERE article_id = ?", (item.article.id,))
                conn.execute(
                    "UPDATE articles SET fingerprint = ?, lang = ? WHERE id = ?",
                    (item.fingerprint, item.article.lang, item.article.id),
                )
                _insert_tagging(conn, item)
            account(conn, ids, 1)
            mark_stale(conn)

    def resolve_across_articles(self) -> int:
        """Merge the short names of people the corpus makes unambiguous (`corpus.merges`);
        how many merges were made or undone. Writes only when something changes."""
        if not is_stale(self.conn):
            return 0
        with self.transaction() as conn:
            plan = plan_across_articles(conn)  # again, under the write lock
            resolve_across_articles(conn, plan, stamp=now())
        return len(plan.undo) + len(plan.make)

    def _replace_file(self, conn: sqlite3.Connection, item: StoredFile, stamp: str) -> list[str]:
        loaded = item.loaded
        # A whole file replaces every item it held; a part of a record file, those from its
        # first byte on (records re-read after an append).
        where = "path = ?" if loaded.replace_from is None else "path = ? AND offset >= ?"
        params = (
            (loaded.path,) if loaded.replace_from is None else (loaded.path, loaded.replace_from)
        )
        old_ids = [
            row[0]
            for row in conn.execute(f"SELECT article_id FROM occurrences WHERE {where}", params)
        ]
        conn.execute(f"DELETE FROM occurrences WHERE {where}", params)
        # An upsert: replacing the row would delete the file's other occurrences by cascade.
        conn.execute(
            "INSERT INTO files "
            "(path, size, mtime_ns, sha256, encoding, raw, format, resume_at, ingested_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(path) DO UPDATE SET "
            "size = excluded.size, mtime_ns = excluded.mtime_ns, sha256 = excluded.sha256, "
            "encoding = excluded.encoding, raw = excluded.raw, format = excluded.format, "
            "resume_at = excluded.resume_at, ingested_at = excluded.ingested_at",
            (
                loaded.path,
                loaded.size,
                loaded.mtime_ns,
                loaded.sha256,
                loaded.encoding,
                loaded.data,
                loaded.fmt,
                loaded.resume_at,
                stamp,
            ),
        )
        spans: list[RecordSpan | None] = (
            list(loaded.records) if loaded.records is not None else [None] * len(loaded.articles)
        )
        for article, span in zip(loaded.articles, spans, strict=True):
            if (tagged := item.tagged.get(article.id)) is not None:
                _insert_article(conn, tagged, stamp)
            conn.execute(
                "INSERT INTO occurrences "
                "(path, position, article_id, raw, offset, data, sha256, encoding) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (loaded.path, article.position, article.id, article.raw, *_span_columns(span)),
            )
        return old_ids

    @staticmethod
    def _delete_orphans(
        conn: sqlite3.Connection, candidates: set[str], uncounted: list[str]
    ) -> None:
        """Delete the articles no file holds any more (`uncounted`: those stored by this
        write, not counted yet)."""
        orphans = [
            article_id
            for article_id in sorted(candidates)
            if conn.execute(
                "SELECT 1 FROM articles WHERE id = ?1 AND NOT EXISTS "
                "(SELECT 1 FROM occurrences WHERE article_id = ?1)",
                (article_id,),
            ).fetchone()
        ]
        account(conn, orphans, -1, uncounted=uncounted)
        conn.executemany("DELETE FROM articles WHERE id = ?", [(i,) for i in orphans])


def _span_columns(
    span: RecordSpan | None,
) -> tuple[int | None, bytes | None, str | None, str | None]:
    if span is None:
        return None, None, None, None
    return span.offset, span.data, hashlib.sha256(span.data).hexdigest(), span.encoding


def _insert_article(conn: sqlite3.Connection, tagged: TaggedArticle, stamp: str) -> None:
    a = tagged.article
    # An upsert, not DELETE + INSERT: other files' occurrences may reference the stored article.
    conn.execute("DELETE FROM mentions WHERE article_id = ?", (a.id,))
    conn.execute("DELETE FROM sentences WHERE article_id = ?", (a.id,))
    conn.execute(
        _UPSERT_ARTICLE,
        (*(getattr(a, name) for name in ARTICLE_FIELDS), a.words, tagged.fingerprint, stamp),
    )
    _insert_tagging(conn, tagged)


def _insert_tagging(conn: sqlite3.Connection, tagged: TaggedArticle) -> None:
    article_id = tagged.article.id
    conn.executemany(
        "INSERT INTO entities (id, name, label, kind, country) VALUES (?, ?, ?, ?, ?) "
        # Gazetteer entities (with a kind) take the entry's fields; the others are renamed from
        # their counted forms once the articles are counted (`naming.rename`), so this name does
        # not last and the stored one does not depend on the order files were ingested.
        "ON CONFLICT(id) DO UPDATE SET "
        "name = iif(excluded.kind IS NULL, min(name, excluded.name), excluded.name), "
        "label = iif(excluded.kind IS NULL, label, excluded.label), "
        "kind = iif(excluded.kind IS NULL, kind, excluded.kind), "
        "country = iif(excluded.kind IS NULL, country, excluded.country)",
        [(e.id, e.name, e.label, e.kind, e.country) for e in tagged.entities],
    )
    conn.executemany(
        "INSERT INTO mentions (article_id, start, end, text, label, entity_id) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        [(article_id, m.start, m.end, m.text, m.label, m.entity) for m in tagged.mentions],
    )
    apply_to_article(conn, article_id)
    conn.executemany(
        "INSERT INTO sentences (article_id, idx, start, end, rank) VALUES (?, ?, ?, ?, ?)",
        [(article_id, i, s.start, s.end, s.rank) for i, s in enumerate(tagged.sentences)],
    )
