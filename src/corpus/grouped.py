"""Integer columns of a table of an article's rows, read a whole article at a time, or the
whole table at once, for the bulk checks (`recount`, `dupes.verify`).

Each article's values come back as one string of `group_concat` (SQLite's GROUP BY walks the
table's index on article_id, so no sort), and all of them are parsed at once by numpy: a few
hundred thousand Python strings for millions of rows, where one row at a time made a Python
tuple and number of each. Columns outside that index are read by a scan of the table
(`scanned`), in rowid order, and meet the index's rows by rowid (`placed`).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from corpus.arrays import Array


@dataclass(frozen=True)
class Grouped:
    """The rows of each article together, articles in id order; within one article the rows
    are in no set order (sort them by a column)."""

    ids: list[str]  # each article id once
    counts: Array  # how many rows each has
    columns: list[Array]  # each column asked for, row by row

    def owners(self, numbers: Array) -> Array:
        """Each row's value of `numbers` (one per article id)."""
        return np.repeat(numbers, self.counts)


def per_article(conn: sqlite3.Connection, table: str, columns: Sequence[str]) -> Grouped:
    """The columns (integers, or made integers as SQLite's CAST does) of every row of a table
    with an article_id."""
    concatenated = ", ".join(f"group_concat(CAST({column} AS INTEGER))" for column in columns)
    rows = conn.execute(
        f"SELECT article_id, count(*), {concatenated} FROM {table} "
        "GROUP BY article_id ORDER BY article_id"
    ).fetchall()
    counts = np.array([row[1] for row in rows], np.int64)
    n = int(counts.sum())
    return Grouped(
        [row[0] for row in rows],
        counts,
        [integers([row[2 + i] for row in rows], n) for i in range(len(columns))],
    )


def scanned(
    conn: sqlite3.Connection, table: str, columns: Sequence[str]
) -> tuple[Array, list[Array]]:
    """Every row's rowid and columns (integers, as SQLite's CAST makes them), by a scan of the
    table: one aggregate, so that every column comes in the same order."""
    concatenated = ", ".join(
        f"group_concat(CAST({column} AS INTEGER))" for column in ["rowid", *columns]
    )
    n, *texts = conn.execute(f"SELECT count(*), {concatenated} FROM {table}").fetchone()
    rowid, *found = (integers([text] if n else [], n) for text in texts)
    return rowid, found


def placed(rowids: Array, scan: Array) -> Array:
    """Where each of `rowids` is in `scan` (the same rowids in the order a scan gave them:
    ascending, as a scan of a rowid table gives them, else sorted first)."""
    if len(scan) > 1 and not (scan[1:] > scan[:-1]).all():
        order: Array = np.argsort(scan)
        return order[np.searchsorted(scan[order], rowids)]
    if len(scan) and int(scan[-1]) - int(scan[0]) + 1 == len(scan):  # consecutive
        return rowids - int(scan[0])
    return np.searchsorted(scan, rowids)


def integers(texts: Sequence[str], n: int) -> Array:
    """The n integers of texts of integers between commas (`group_concat`'s)."""
    found = np.fromstring(",".join(texts), dtype=np.int64, sep=",") if n else np.zeros(0, np.int64)
    if len(found) != n:
        raise ValueError(f"{n:,} integers expected, {len(found):,} read")
    return found
