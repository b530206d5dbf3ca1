"""Tagging on several processes gives exactly the store one process gives, in order."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
from collections.abc import Callable
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import pytest
from click.testing import Result

from corpus.parallel import chunked, ordered_map

TABLES = {
    "articles": "SELECT id, kind, title, source, date, rights, body, words, fingerprint "
    "FROM articles",
    "occurrences": "SELECT path, position, article_id, raw FROM occurrences",
    "mentions": "SELECT article_id, start, end, text, label, entity_id FROM mentions",
    "sentences": "SELECT article_id, idx, start, end, rank FROM sentences",
    "entities": "SELECT id, name, label, kind, country FROM entities",
}


def dump(db: Path) -> dict[str, list[tuple[object, ...]]]:
    conn = sqlite3.connect(db)
    try:
        return {name: sorted(conn.execute(query).fetchall()) for name, query in TABLES.items()}
    finally:
        conn.close()


def _square_all(chunk: list[int]) -> list[int]:
    return [n * n for n in chunk]


def _die(chunk: list[int]) -> list[int]:
    os._exit(9)  # a worker killed mid-task


def test_chunked_and_ordered_map_keep_order() -> None:
    assert list(chunked(range(7), 3)) == [[0, 1, 2], [3, 4, 5], [6]]
    results = ordered_map(_square_all, chunked(range(100), 7), processes=2, in_flight=3)
    assert [n for chunk in results for n in chunk] == [n * n for n in range(100)]


def test_a_dead_worker_raises_instead_of_hanging() -> None:
    with pytest.raises(BrokenProcessPool):
        list(ordered_map(_die, chunked(range(10), 2), processes=2))


def test_jobs_2_gives_the_same_store_as_jobs_1(
    cli: Callable[..., Result], bbc_dir: Path, seeds_dir: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "in"
    shutil.copytree(seeds_dir, folder / "seeds")
    for path in sorted((bbc_dir / "politics").glob("*.txt"))[:40]:
        (folder / "bbc").mkdir(exist_ok=True)
        shutil.copy(path, folder / "bbc" / path.name)
    shutil.copy(next((folder / "bbc").glob("*.txt")), folder / "zz-copy.txt")
    stores, reports = [], []
    for jobs in ("1", "2"):
        db = tmp_path / f"jobs{jobs}.db"
        result = cli("ingest", folder, "--jobs", jobs, "--batch-size", "8", "--db", db, "--json")
        assert result.exit_code == 0, result.output
        stores.append(dump(db))
        reports.append(json.loads(result.stdout))
    assert len(stores[0]["articles"]) == 59 and len(stores[0]["mentions"]) > 1000
    assert stores[0] == stores[1]
    for report in reports:
        assert (report["new"], report["unchanged"], report["duplicates"]) == (59, 0, 1)
