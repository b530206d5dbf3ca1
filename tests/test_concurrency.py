"""Two `corpus ingest` processes on one store, and readers during an ingest.

Both writers finish (one may wait for the other's batch, saying so); nothing is lost or stored
twice: the store ends exactly as one ingest of all their files leaves it. Readers (`list`,
`check`) get a consistent store at every moment of an ingest.
"""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import pytest

from corpus.check import check_store
from corpus.store import Store
from stores import dump

SUMMARY = re.compile(r"^\d+ new, \d+ unchanged(, \d+ duplicates?)? \(100 files\)$")
READ_EVERY = 0.3  # seconds between reads: readers must not starve the writers of CPU

pytestmark = pytest.mark.slow


def corpus(db: Path, *args: object) -> list[str]:
    return [sys.executable, "-m", "corpus", *map(str, args), "--db", str(db)]


def read_while(db: Path, writers: list[subprocess.Popen[str]]) -> list[int]:
    """Run `list --json` and `check` until the writers exit; the article counts seen."""
    counts: list[int] = []
    while any(w.poll() is None for w in writers):
        listed = subprocess.run(corpus(db, "list", "--json"), capture_output=True, text=True)
        if "no store here yet" in listed.stderr or "needs an upgrade" in listed.stderr:
            continue  # the first writer has not created the store yet
        assert listed.returncode == 0, listed.stderr
        counts.append(len(json.loads(listed.stdout)))
        checked = subprocess.run(corpus(db, "check"), capture_output=True, text=True)
        assert checked.returncode == 0, checked.stdout + checked.stderr
        time.sleep(READ_EVERY)
    return counts


def test_two_ingests_at_once_lose_nothing_and_double_nothing(bbc_dir: Path, tmp_path: Path) -> None:
    files = sorted((bbc_dir / "tech").glob("*.txt"))[:160]
    first, second = files[:100], files[60:]  # 40 files in both
    db = tmp_path / "shared.db"
    writers = [
        subprocess.Popen(
            corpus(db, "ingest", *part, "-j", "1"),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for part in (first, second)
    ]
    counts = read_while(db, writers)
    for writer in writers:
        _, stderr = writer.communicate(timeout=600)
        assert writer.returncode == 0, stderr
        assert "Traceback" not in stderr and "error" not in stderr
        lines = stderr.splitlines()
        assert SUMMARY.match(lines[-1]), lines[-1]
        waits = [line for line in lines[:-1] if line]
        assert waits in (
            [],
            [f"warning: {db}: another process is writing to the store; waiting..."],
        )
    assert len(counts) >= 3, "readers should have run during the ingests"
    assert counts == sorted(counts), "a reader saw articles disappear"

    reference = tmp_path / "reference.db"
    alone = subprocess.run(corpus(reference, "ingest", *files, "-j", "1"), capture_output=True)
    assert alone.returncode == 0
    assert dump(db) == dump(reference)
    with closing(sqlite3.connect(db)) as conn:
        assert conn.execute("SELECT count(*) FROM occurrences").fetchone()[0] == len(files)
        assert conn.execute("SELECT count(*) FROM files").fetchone()[0] == len(files)
    with Store.open(db, readonly=True) as store:
        assert check_store(store) == []


def test_a_writer_waits_for_the_lock_and_says_so(seeds_dir: Path, tmp_path: Path) -> None:
    db = tmp_path / "corpus.db"
    seeded = subprocess.run(corpus(db, "ingest", seeds_dir, "-j", "1"), capture_output=True)
    assert seeded.returncode == 0
    new = tmp_path / "new.txt"
    new.write_text("Ferry Service Resumes\nThe ferry between Busan and Fukuoka resumed.\n")
    log = tmp_path / "stderr"
    with closing(sqlite3.connect(db, isolation_level=None)) as holder, log.open("w") as stderr:
        holder.execute("BEGIN IMMEDIATE")  # another writer, in the middle of its batch
        writer = subprocess.Popen(
            corpus(db, "ingest", new, "-j", "1"), stdout=subprocess.DEVNULL, stderr=stderr
        )
        message = f"warning: {db}: another process is writing to the store; waiting..."
        deadline = time.monotonic() + 120
        while message not in log.read_text():
            assert writer.poll() is None, log.read_text()
            assert time.monotonic() < deadline, "no waiting message"
            time.sleep(0.05)
        time.sleep(0.5)
        assert writer.poll() is None, "the writer gave up instead of waiting"
        listed = subprocess.run(corpus(db, "list", "--json"), capture_output=True, text=True)
        assert listed.returncode == 0 and len(json.loads(listed.stdout)) == 19  # readers read
        holder.execute("ROLLBACK")
        assert writer.wait(timeout=120) == 0, log.read_text()
    assert log.read_text().splitlines() == [message, "1 new, 0 unchanged (1 files)"]
    with closing(sqlite3.connect(db)) as conn:
        assert conn.execute("SELECT count(*) FROM articles").fetchone()[0] == 20
