"""What every check shares: the problem it reports, how it says it cannot run, how it tells
of its progress, and how it streams rows."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from corpus.store import Store

ROW_CHUNK = 256


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the store: what kind, where (a file, an article, the store), what."""

    kind: str
    subject: str
    message: str

    def __str__(self) -> str:
        return f"{self.subject}: {self.message}"

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


class Skipped(Exception):
    """A check that cannot run here; the message says why. Not a problem of the store."""


@dataclass
class CheckReport:
    problems: list[Problem] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # "what: why", one per skipped check


Status = Callable[[str], None]  # what a check is doing now ("1,000 of 9,000 articles")
Check = Callable[["Store", Status], Iterator[Problem]]
Outcome = tuple[list[Problem], list[str]]  # problems, and why the check did not run


def plain(check: Callable[[Store], Iterator[Problem]]) -> Check:
    """A check that says nothing of its progress."""
    return lambda store, status: check(store)


def rows(cursor: sqlite3.Cursor) -> Iterator[Any]:
    """Stream a cursor in chunks, so that large raw files are not all held at once."""
    while chunk := cursor.fetchmany(ROW_CHUNK):
        yield from chunk
