"""Running the checks: in one read transaction, SQLite's own beside the ones in Python."""

from __future__ import annotations

import sqlite3
from collections.abc import Collection, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
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
    runs: they run one after another on a connection of their own, in a thread, beside the
    checks written in Python, so that the two take a core each. They are named last, as the
    Python checks are done and each one that is still running is waited for."""
    outcomes: dict[str, Outcome] = {}
    alone = [(name, check) for name, check in checks if name in apart]
    heard = [*(c for c in checks if c[0] not in apart), *alone]  # the order they are named in
    labels = {name: f"{name} ({n}/{len(checks)})" for n, (name, _) in enumerate(heard, 1)}
    with ThreadPoolExecutor(max_workers=1) as pool, _one_snapshot(store.conn):
        running = {name: pool.submit(_alone, store.path, name, check) for name, check in alone}
        for name, check in heard:
            on_check(labels[name])
            if name in running:
                found = running[name].result()
                outcomes[name] = found or _outcome(name, check, store, lambda text: None)
            else:
                outcomes[name] = _outcome(name, check, store, _prefixed(on_check, labels[name]))
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


def _alone(path: Path, name: str, check: Check) -> Outcome | None:
    """A check on a connection of its own; None when the store cannot be opened twice."""
    try:
        own = Store.open(path, readonly=True)
    except StoreError:
        return None
    with own:
        _mapped(own.conn)
        return _outcome(name, check, own, lambda text: None)
