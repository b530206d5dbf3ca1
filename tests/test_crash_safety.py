"""Crash safety: `corpus ingest` killed with SIGKILL at several points loses nothing committed.

Each test runs the real `corpus ingest --jobs 1` on 300 BBC articles (two write batches) in a
subprocess on one store, kills it with SIGKILL at one point, restarts it and kills it at another,
and checks after each kill that the store passes SQLite's integrity check and that every article
it holds is whole (the same file, text, mentions and ranked sentences as a clean ingest gives).
A last rerun must say exactly what is new and what is unchanged, and complete to exactly the
store that a clean ingest gives.

Kill points: while the first batch is tagged (nothing written), as soon as a batch's transaction
reaches the write-ahead log (mid-write), and just after the first batch is committed.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

import pytest

from corpus.check import check_store
from corpus.ingest import WRITE_BATCH_ARTICLES
from corpus.migrations import SCHEMA_VERSION
from corpus.store import Store
from stores import Dump, dump

FILES = 300

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def sample() -> list[Path]:
    bbc = Path(__file__).resolve().parent.parent.parent / "shared" / "bench" / "bbc"
    if not bbc.is_dir():
        pytest.skip(f"the BBC bench corpus is not at {bbc}")
    files = sorted((bbc / "business").glob("*.txt"))[:FILES]
    assert len(files) == FILES > WRITE_BATCH_ARTICLES  # at least two write batches
    return files


@pytest.fixture(scope="module")
def clean(sample: list[Path], tmp_path_factory: pytest.TempPathFactory) -> Dump:
    """The store a clean, uninterrupted ingest gives."""
    db = tmp_path_factory.mktemp("clean") / "corpus.db"
    done = subprocess.run(ingest_command(db, sample), capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    return dump(db)


def ingest_command(db: Path, files: list[Path]) -> list[str]:
    return [sys.executable, "-m", "corpus", "ingest", *map(str, files), "-j", "1", "--db", str(db)]


def rows_of(data: Dump, table: str, article: str) -> set[tuple[object, ...]]:
    return {row for row in data[table] if row[0] == article}


# --- watching the store from outside -----------------------------------------------------------


def query(db: Path, sql: str) -> int:
    """One number from the store, read-only; 0 when there is no readable store yet."""
    try:
        with closing(sqlite3.connect(f"{db.as_uri()}?mode=ro", uri=True, timeout=1)) as conn:
            value: int = conn.execute(sql).fetchone()[0]
            return value
    except sqlite3.Error:
        return 0


def committed(db: Path) -> int:
    return query(db, "SELECT count(*) FROM files")


def migrated(db: Path) -> bool:
    return query(db, "PRAGMA user_version") == SCHEMA_VERSION


def wal_size(db: Path) -> int:
    try:
        return os.stat(f"{db}-wal").st_size
    except FileNotFoundError:
        return 0


def wait_for(condition: Callable[[], bool], process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 120
    while not condition():
        assert process.poll() is None, "ingest finished before the kill point"
        assert time.monotonic() < deadline, "kill point not reached in two minutes"
        time.sleep(0.005)


# --- kill points -------------------------------------------------------------------------------


def while_tagging(db: Path, process: subprocess.Popen[bytes]) -> None:
    """The model is loading or the first batch is being tagged: nothing is being written."""
    wait_for(lambda: migrated(db), process)
    time.sleep(1.5)


def mid_write(db: Path, process: subprocess.Popen[bytes]) -> None:
    """A batch's transaction has started to reach the write-ahead log."""
    wait_for(lambda: migrated(db), process)
    baseline = wal_size(db)
    wait_for(lambda: wal_size(db) > baseline, process)


def after_a_commit(db: Path, process: subprocess.Popen[bytes]) -> None:
    """A batch has just been committed (more files are still to come)."""
    before = committed(db)
    wait_for(lambda: committed(db) > before, process)


KillPoint = Callable[[Path, subprocess.Popen[bytes]], None]


def killed_at(point: KillPoint, db: Path, files: list[Path], clean: Dump) -> Dump:
    """Run ingest, SIGKILL it at the point, check what it left; returns what it left."""
    with (db.parent / "stderr").open("wb") as stderr:
        process = subprocess.Popen(
            ingest_command(db, files), stdout=subprocess.DEVNULL, stderr=stderr
        )
        try:
            point(db, process)
            assert process.poll() is None, "ingest finished before the kill point"
            process.send_signal(signal.SIGKILL)
        finally:
            process.kill()
            process.wait()
    assert process.returncode == -signal.SIGKILL
    partial = assert_whole(db, clean)
    with closing(sqlite3.connect(db)) as conn:  # empty the log: the next run's writes show
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return partial


def rerun_completes(db: Path, files: list[Path], partial: Dump, clean: Dump) -> None:
    rerun = subprocess.run(ingest_command(db, files), capture_output=True, text=True, timeout=600)
    assert rerun.returncode == 0, rerun.stderr
    assert rerun.stderr.splitlines()[-1] == expected_report(partial, clean)
    assert dump(db) == clean
    with Store.open(db, readonly=True) as store:
        assert check_store(store) == []


def test_killed_while_tagging_then_after_the_first_commit(
    sample: list[Path], clean: Dump, tmp_path: Path
) -> None:
    db = tmp_path / "corpus.db"
    partial = killed_at(while_tagging, db, sample, clean)
    assert not partial["files"] and not partial["articles"]
    partial = killed_at(after_a_commit, db, sample, clean)
    assert 0 < len(partial["files"]) < FILES
    assert len(partial["files"]) >= WRITE_BATCH_ARTICLES  # one article a file
    rerun_completes(db, sample, partial, clean)


def test_killed_twice_in_the_middle_of_a_write(
    sample: list[Path], clean: Dump, tmp_path: Path
) -> None:
    db = tmp_path / "corpus.db"
    partial = killed_at(mid_write, db, sample, clean)
    assert len(partial["files"]) < FILES
    partial = killed_at(mid_write, db, sample, clean)
    assert len(partial["files"]) < FILES
    rerun_completes(db, sample, partial, clean)


def assert_whole(db: Path, clean: Dump) -> Dump:
    """The store is sound, and whatever it holds is exactly what a clean ingest holds for it."""
    with closing(sqlite3.connect(db)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    partial = dump(db)
    for table in ("files", "occurrences", "articles", "mentions", "sentences"):
        assert partial[table] <= clean[table], f"{table} holds rows a clean ingest does not"
    articles = {row[0] for row in partial["articles"]}
    for article in articles:
        for table in ("mentions", "sentences"):
            whole = rows_of(clean, table, article)
            assert whole and rows_of(partial, table, article) == whole, (article, table)
    paths = {row[0] for row in partial["files"]}
    assert {row[0] for row in partial["occurrences"]} == paths  # every file with its items
    assert {row[2] for row in partial["occurrences"]} == articles  # no article without a file
    with Store.open(db, readonly=True) as store:
        assert check_store(store) == []
    return partial


def expected_report(partial: Dump, clean: Dump) -> str:
    """What the rerun must say: what was committed is unchanged, the rest new or a duplicate."""
    stored = {row[0] for row in partial["articles"]}
    done = {row[0] for row in partial["files"]}
    remaining = [a for p, _, a, *_ in clean["occurrences"] if p not in done]
    unchanged = sum(1 for p, *_ in clean["occurrences"] if p in done)
    unchanged += sum(1 for a in remaining if a in stored)
    fresh = [a for a in remaining if a not in stored]
    new, duplicates = len(set(fresh)), len(fresh) - len(set(fresh))
    said = f", {duplicates} duplicate{'' if duplicates == 1 else 's'}" if duplicates else ""
    return f"{new} new, {unchanged} unchanged{said} ({FILES} files)"
