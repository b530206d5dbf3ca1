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
    """Every row whose foreign key points to no row. SQLite's own check looks up the parent
    of every child row (some 20 million lookups at 100,000 articles); here each key's
    distinct values are looked up first, one lookup a value, and SQLite's check runs only on
    a table where one is missing, for its exact rows."""
    conn = store.conn
    tables = [name for (name,) in conn.execute(_TABLES)]
    for table in tables:
        if not _may_dangle(conn, table):
            continue
        for child, rowid, parent, _ in conn.execute(f"PRAGMA foreign_key_check({_name(table)})"):
            yield Problem("reference", f"{child} row {rowid}", f"points to a missing {parent} row")


_TABLES = "SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name"


def _may_dangle(conn: sqlite3.Connection, table: str) -> bool:
    """Whether a value of one of the table's foreign keys is missing from its parent: so
    when in doubt (a key of several columns, one naming no column, a parent not there)."""
    keys: dict[int, list[tuple[str, str, str | None]]] = {}
    for key, _, parent, column, parent_column, *_ in conn.execute(
        f"PRAGMA foreign_key_list({_name(table)})"
    ):
        keys.setdefault(key, []).append((parent, column, parent_column))
    for columns in keys.values():
        [(parent, column, parent_column), *more] = columns
        if more or parent_column is None:
            return True
        missing = (
            f"SELECT 1 FROM (SELECT DISTINCT {_name(column)} AS value FROM {_name(table)} "
            f"WHERE value IS NOT NULL) WHERE NOT EXISTS "
            f"(SELECT 1 FROM {_name(parent)} WHERE {_name(parent_column)} = value) LIMIT 1"
        )
        try:
            if conn.execute(missing).fetchone():
                return True
        except sqlite3.OperationalError:
            return True
    return False


def _name(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


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
