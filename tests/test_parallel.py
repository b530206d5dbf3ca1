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

from corpus import ingest as ingest_module
from corpus.ingest import Ingest, NullTagger
from corpus.models import Article
from corpus.parallel import chunked, chunked_by_weight, ordered_map
from corpus.store import Store
from corpus.tagging import BATCH_CHARACTERS, text_batches

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


def test_chunked_by_weight_caps_count_and_weight() -> None:
    words = ["aaaa", "bb", "c", "dddddddddd", "ee", "f", "g", "h"]
    chunks = list(chunked_by_weight(words, 3, 6, len))
    assert chunks == [["aaaa", "bb"], ["c"], ["dddddddddd"], ["ee", "f", "g"], ["h"]]
    assert list(chunked_by_weight([], 3, 6, len)) == []


def test_batches_of_articles_are_capped_by_characters() -> None:
    over_half, over_all = BATCH_CHARACTERS // 2 + 1, BATCH_CHARACTERS + 1
    bodies = ["x" * over_half, "y" * over_half, "z" * over_all, *("w" * 100 for _ in range(100))]
    articles = [Article(body=body, path=f"{n}.txt") for n, body in enumerate(bodies)]
    sizes = [len(batch) for batch in text_batches(articles, 64)]
    assert sizes == [1, 1, 1, 64, 36]
    assert [a for batch in text_batches(articles, 64) for a in batch] == articles


def test_a_dead_worker_raises_instead_of_hanging() -> None:
    with pytest.raises(BrokenProcessPool):
        list(ordered_map(_die, chunked(range(10), 2), processes=2))


def sample_folder(tmp_path: Path, seeds_dir: Path, bbc_dir: Path) -> Path:
    """The seeds, 40 BBC articles and a byte copy of one of them: 59 articles, 1 duplicate."""
    folder = tmp_path / "in"
    shutil.copytree(seeds_dir, folder / "seeds")
    for path in sorted((bbc_dir / "politics").glob("*.txt"))[:40]:
        (folder / "bbc").mkdir(exist_ok=True)
        shutil.copy(path, folder / "bbc" / path.name)
    shutil.copy(next((folder / "bbc").glob("*.txt")), folder / "zz-copy.txt")
    return folder


def test_jobs_2_gives_the_same_store_as_jobs_1(
    cli: Callable[..., Result], bbc_dir: Path, seeds_dir: Path, tmp_path: Path
) -> None:
    folder = sample_folder(tmp_path, seeds_dir, bbc_dir)
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


def test_retag_on_2_processes_gives_the_store_a_tagging_ingest_gives(
    cli: Callable[..., Result],
    bbc_dir: Path,
    seeds_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Re-tagging streams the stored articles through one pool, writing every few articles."""
    monkeypatch.setattr(ingest_module, "WRITE_BATCH_ARTICLES", 16)  # 59 articles: 4 writes
    folder = sample_folder(tmp_path, seeds_dir, bbc_dir)
    tagged, untagged = tmp_path / "tagged.db", tmp_path / "untagged.db"
    assert cli("ingest", folder, "--jobs", "1", "--db", tagged).exit_code == 0
    with Store.open(untagged) as store:
        null = NullTagger()
        Ingest(store, lambda: null, null.fingerprint).run([str(folder)])
    assert dump(untagged)["mentions"] == []
    result = cli("retag", "--jobs", "2", "--db", untagged, "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["retagged"] == 59
    assert dump(untagged) == dump(tagged)
