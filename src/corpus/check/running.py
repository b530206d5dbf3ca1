"""Running the checks: in one read transaction, SQLite's own beside the ones in Python."""

from __future__ import annotations

import sqlite3
from collections.abc import Collection, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from itertools import count
from pathlib import Path

from corpus.check.core import Check, CheckReport, Outcome, Problem, Skipped, Status
from corpus.store import Store, StoreError


def run_checks(
    store: Store,
    checks: Sequence[tuple[str, Check]],
    apart: Collection[str],
    on_check: Status = lambda text: None,
) -> CheckReport:
    """Every problem found, in the order of `checks`, and the checks that could not run;
    `on_check` hears the name of each check as it starts ("files (1/12)"), then how far a
    long one has gone ("aggregate counts (6/12): 5,000 of 9,000 articles").

    The checks named in `apart` are SQLite's C, which lets go of the interpreter while it
    runs: they are queued, in order, for a thread with a connection of its own, which runs
    them beside the checks written in Python, so that the two take a core each. When the
    Python checks are done, the main thread takes the queued checks the other has not begun,
    one at a time, and then waits for the ones it has. They are named last, as each is
    taken or waited for."""
    outcomes: dict[str, Outcome] = {}
    numbers = count(1)

    def announced(name: str) -> str:
        label = f"{name} ({next(numbers)}/{len(checks)})"
        on_check(label)
        return label

    alone = [(name, check) for name, check in checks if name in apart]
    with ThreadPoolExecutor(max_workers=1) as pool, _one_snapshot(store.conn):
        queued = {name: pool.submit(_alone, store.path, name, check) for name, check in alone}
        for name, check in checks:
            if name not in apart:
                label = announced(name)
                outcomes[name] = _outcome(name, check, store, _prefixed(on_check, label))
        for name, check in alone:
            if queued[name].cancel():  # not begun: run here, while the thread runs another
                announced(name)
                outcomes[name] = _alone(store.path, name, check) or _quietly(name, check, store)
        for name, check in alone:
            if name not in outcomes:
                announced(name)
                outcomes[name] = queued[name].result() or _quietly(name, check, store)
    report = CheckReport()
    for name, _ in checks:
        problems, skipped = outcomes[name]
        report.problems.extend(problems)
        report.skipped.extend(skipped)
    return report


@contextmanager
def _one_snapshot(conn: sqlite3.Connection) -> Iterator[None]:
    """The checks written in Python read the store in one read transaction: while another
    process writes, the rows and the counts kept from them are read as of the same commit
    (each statement on its own would see the latest, and the recount would differ)."""
    conn.execute("BEGIN")
    try:
        yield
    finally:
        if conn.in_transaction:
            conn.execute("ROLLBACK")


MAPPED = 1 << 40  # as much as SQLite maps (its build's limit: 2 GB here)


def _mapped(conn: sqlite3.Connection) -> None:
    """Read the store's pages through a memory map, for the checks run apart: SQLite's page
    check reads pages again and again (at 100,000 articles mapping halved their CPU
    time, most of it copying pages in and out of a 2 MB cache). The mapped pages are the
    system's file cache, counted in the resident memory of the process but not allocated."""
    conn.execute(f"PRAGMA mmap_size = {MAPPED}")


def _prefixed(status: Status, label: str) -> Status:
    return lambda text: status(f"{label}: {text}")


def _outcome(name: str, check: Check, store: Store, status: Status) -> Outcome:
    try:
        return list(check(store, status)), []
    except Skipped as reason:
        return [], [f"{name} not checked: {reason}"]
    except sqlite3.DatabaseError as error:
        return [Problem("integrity", "store", f"cannot read the {name}: {error}")], []


def _quietly(name: str, check: Check, store: Store) -> Outcome:
    return _outcome(name, check, store, lambda text: None)


def _alone(path: Path, name: str, check: Check) -> Outcome | None:
    """A check on a connection of its own; None when the store cannot be opened twice."""
    try:
        own = Store.open(path, readonly=True)
    except StoreError:
        return None
    with own:
        _mapped(own.conn)
        return _quietly(name, check, own)
