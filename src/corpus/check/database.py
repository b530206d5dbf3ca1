"""The checks SQLite makes of itself: its pages, the references between tables, and the
full-text search index against the articles."""

from __future__ import annotations

import shlex
import sqlite3
from collections.abc import Iterator
from contextlib import closing

from corpus.check.core import Problem, Skipped
from corpus.loader import printable
from corpus.store import Store


def integrity(store: Store) -> Iterator[Problem]:
    for (message,) in store.conn.execute("PRAGMA integrity_check"):
        if message != "ok":
            yield Problem("integrity", "store", f"SQLite integrity check: {message}")


def references(store: Store) -> Iterator[Problem]:
    for table, rowid, parent, _ in store.conn.execute("PRAGMA foreign_key_check"):
        yield Problem("reference", f"{table} row {rowid}", f"points to a missing {parent} row")


def search_index(store: Store) -> Iterator[Problem]:
    """FTS5's own check of the index against the articles table.

    FTS5 runs it only as a write (it takes the write lock), so it runs on a connection of its
    own, in a transaction that is rolled back: nothing is changed. A store that cannot be
    written, or is being written, is skipped rather than waited for.
    """
    uri = f"{store.path.absolute().as_uri()}?mode=rw"
    try:
        with closing(sqlite3.connect(uri, uri=True, isolation_level=None, timeout=0.2)) as conn:
            conn.execute("BEGIN")
            try:
                conn.execute(FTS_INTEGRITY_CHECK)
            finally:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
    except sqlite3.DatabaseError as error:
        if reason := _cannot_write(error):
            raise Skipped(reason) from None
        if getattr(error, "sqlite_errorname", "") != "SQLITE_CORRUPT_VTAB":
            raise  # damage to the tables themselves: reported as such by run_checks
        command = f'sqlite3 {shlex.quote(printable(store.path))} "{FTS_REBUILD}"'
        yield Problem(
            "search",
            "store",
            f"the search index does not match the articles ({error}); rebuild it: {command}",
        )


FTS_INTEGRITY_CHECK = "INSERT INTO articles_fts (articles_fts, rank) VALUES ('integrity-check', 1)"
FTS_REBUILD = "INSERT INTO articles_fts (articles_fts) VALUES ('rebuild')"


def _cannot_write(error: sqlite3.DatabaseError) -> str | None:
    """Why a write was refused, when it was for want of access rather than a fault."""
    message = str(error)
    if "locked" in message or "busy" in message:
        return "another process is writing to the store"
    if "readonly" in message or "unable to open" in message:
        return "it needs write access to the store, and this store is read-only"
    return None
