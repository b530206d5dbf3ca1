"""Verifying a store: what `corpus check` runs. Reads only; never changes the store.

Checks SQLite's own integrity and references, every file's stored bytes against its stored
size and hash, every item's text against its file, every record of a record-based file (JSON
Lines, CSV, WARC: stored record by record) against its hash and its place in the file, every
article id against its title and body, every entity mention and sentence against the body it
points into, the full-text search index against the articles, the near-duplicate signatures
against their seals and their bands, pairs and clusters against a recomputation, and the
entities' names against the ones their counted forms choose. One module a kind of thing
checked; `running` runs them.
"""

from __future__ import annotations

import sqlite3

from corpus.check import articles, database, derived, files
from corpus.check.core import Check, CheckReport, Problem, Skipped, Status, plain
from corpus.check.database import FTS_REBUILD
from corpus.check.derived import repair
from corpus.check.running import run_checks as _run
from corpus.store import Store

__all__ = [
    "APART",
    "CHECKS",
    "FTS_REBUILD",
    "CheckReport",
    "Problem",
    "Skipped",
    "check_store",
    "counts",
    "repair",
    "run_checks",
]

CHECKS: list[tuple[str, Check]] = [
    ("database pages", plain(database.integrity)),
    ("references between tables", plain(database.references)),
    ("files", plain(files.files)),
    ("items of files", plain(files.items)),
    ("records of record files", plain(files.records)),
    ("articles", plain(articles.articles)),
    ("mentions", plain(articles.mentions)),
    ("sentences", plain(articles.sentences)),
    ("search index", plain(database.search_index)),
    ("aggregate counts", derived.aggregate_counts),
    ("entity names", plain(derived.names)),
    ("near-duplicates", plain(derived.near_duplicates)),
]
# SQLite's C from start to end: `running` runs them in a thread, in this order (longest first)
APART = ("database pages", "references between tables", "mentions", "search index")


def run_checks(store: Store, on_check: Status = lambda text: None) -> CheckReport:
    """Every problem found, in a stable order, and the checks that could not run; `on_check`
    hears the name of each check as it starts, then how far a long one has gone."""
    return _run(store, CHECKS, APART, on_check)


def check_store(store: Store) -> list[Problem]:
    """Every problem found, in a stable order; an empty list for a sound store."""
    return run_checks(store).problems


def counts(store: Store) -> dict[str, int]:
    """How many rows of each kind the store holds (-1 for a table that cannot be read)."""
    totals: dict[str, int] = {}
    for table in ("files", "articles", "mentions", "sentences"):
        try:
            totals[table] = store.conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        except sqlite3.DatabaseError:
            totals[table] = -1
    return totals
