"""Integer columns of a table of an article's rows, read a whole article at a time, for the
bulk checks (`recount`, `dupes.verify`).

Each article's values come back as one string of `group_concat` (SQLite's GROUP BY walks the
table's index on article_id, so no sort), and all of them are parsed at once by numpy: a few
hundred thousand Python strings for millions of rows, where one row at a time made a Python
tuple and number of each.
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


def integers(texts: Sequence[str], n: int) -> Array:
    """The n integers of texts of integers between commas (`group_concat`'s)."""
    found = np.fromstring(",".join(texts), dtype=np.int64, sep=",") if n else np.zeros(0, np.int64)
    if len(found) != n:
        raise ValueError(f"{n:,} integers expected, {len(found):,} read")
    return found
