"""`corpus check`'s bulk recount (`recount.py`) finds a wrong row in every aggregate table, and
counts exactly as the writer's tally (`aggregates`) does, whatever the rows hold."""

from __future__ import annotations

import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from corpus import aggregates, arrays, grouped, recount
from corpus.cli import main
from corpus.store import Store


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seeds and a dozen BBC articles (dated, with sources: every facet), tagged once."""
    folder = tmp_path_factory.mktemp("recount-in")
    root = Path(__file__).resolve().parent.parent
    for seed in sorted((root / "seeds").glob("*.txt")):
        shutil.copy(seed, folder / seed.name)
    for path in sorted((root / "../shared/bench/bbc/politics").glob("*.txt"))[:12]:
        shutil.copy(path, folder / f"politics-{path.name}")
    db = tmp_path_factory.mktemp("recount") / "template.db"
    result = CliRunner().invoke(main, ["ingest", str(folder), "--jobs", "1", "--db", str(db)])
    assert result.exit_code == 0, result.output
    return db


@pytest.fixture
def store(template: Path, tmp_path: Path) -> Path:
    db = tmp_path / "corpus.db"
    shutil.copyfile(template, db)
    return db


def damaged(db: Path, *statements: str) -> list[recount.Difference]:
    with closing(sqlite3.connect(db)) as conn:
        for statement in statements:
            assert conn.execute(statement).rowcount > 0, statement
        conn.commit()
    with Store.open(db, readonly=True) as opened:
        return list(recount.differences(opened.conn))


def tallied(db: Path) -> list[recount.Difference]:
    """The differences as the writer's own tally (one article at a time, in Python) finds them."""
    with Store.open(db, readonly=True) as opened:
        counted, stored = aggregates.expected(opened.conn), aggregates.stored(opened.conn)
    found = []
    for table, rows in counted.items():
        have = stored[table]
        wrong = sorted(
            (k for k in rows.keys() | have.keys() if rows.get(k) != have.get(k)), key=str
        )
        if wrong:
            first = wrong[0]
            found.append(
                recount.Difference(table, len(wrong), first, have.get(first), rows.get(first))
            )
    return found


def test_a_sound_store_has_no_differences(store: Path) -> None:
    with Store.open(store, readonly=True) as opened:
        conn = opened.conn
        assert conn.execute("SELECT count(*) FROM pair_counts WHERE sentences > 0").fetchone()[0]
        assert conn.execute("SELECT count(DISTINCT facet) FROM entity_facets").fetchone()[0] == 3
        assert list(recount.differences(conn)) == []


@pytest.mark.parametrize(
    ("table", "statement"),
    [
        ("article_counts", "UPDATE article_counts SET words = words + 1 WHERE facet = 'source'"),
        ("article_counts", "DELETE FROM article_counts WHERE facet = 'date'"),
        ("entity_counts", "UPDATE entity_counts SET mentions = mentions + 1 WHERE key = 3"),
        ("entity_counts", "UPDATE entity_counts SET sentences = sentences - 1 WHERE key = 4"),
        ("entity_counts", "UPDATE entity_counts SET label = 'LAW' WHERE key = 5"),
        ("entity_facets", "UPDATE entity_facets SET articles = 7 WHERE entity = 6"),
        (
            "entity_facets",
            "DELETE FROM entity_facets WHERE facet = 'date' AND entity = "
            "(SELECT max(entity) FROM entity_facets WHERE facet = 'date')",
        ),
        ("entity_aliases", "UPDATE entity_aliases SET mentions = mentions + 1 WHERE entity = 8"),
        ("entity_aliases", "INSERT INTO entity_aliases VALUES (9, 'Not Written So', 1)"),
        (
            "pair_counts",
            "UPDATE pair_counts SET sentences = sentences - 1 WHERE sentences > 0 AND a = "
            "(SELECT min(a) FROM pair_counts WHERE sentences > 0)",
        ),
        (
            "pair_counts",
            "DELETE FROM pair_counts WHERE articles = (SELECT max(articles) FROM pair_counts)",
        ),
        ("pair_counts", "INSERT INTO pair_counts VALUES (11, 999999, 1, 1)"),
    ],
)
def test_a_wrong_row_in_each_table_is_found(store: Path, table: str, statement: str) -> None:
    found = damaged(store, statement)
    assert [difference.table for difference in found] == [table]
    assert found == tallied(store)  # the same first row, stored and counted values


@pytest.mark.parametrize(
    "statement",
    [
        # a mention that moves into the gap between two sentences, or to another sentence
        "UPDATE sentences SET end = end - 40 WHERE idx = 1",
        "UPDATE sentences SET start = start + 25 WHERE idx % 2 = 0",
        # a mention now a value (no pairs), or of an entity no table counts
        "UPDATE mentions SET label = 'DATE' WHERE label = 'PERSON' AND start % 3 = 0",
        "UPDATE mentions SET entity_id = 'person:nobody' WHERE start % 11 = 0",
        "DELETE FROM mentions WHERE start % 13 = 0",
        # an article's facets
        "UPDATE articles SET source = NULL WHERE words % 2 = 0",
        "UPDATE articles SET date = '2001-02-03' WHERE words % 3 = 0",
        # an entity_counts row gone: its key names the rows that point to it
        "DELETE FROM entity_counts WHERE key = 12",
    ],
)
def test_the_recount_equals_the_writers_tally_of_damaged_rows(store: Path, statement: str) -> None:
    found = damaged(store, statement)
    assert found and found == tallied(store)


def test_overlapping_sentences_place_a_mention_as_the_writer_does(store: Path) -> None:
    """A mention belongs to the first sentence by start that ends after it, even when a later
    one (overlapping it) contains it too."""
    found = damaged(
        store,
        "UPDATE sentences SET end = end + 200 WHERE idx = 0",
        "UPDATE sentences SET start = 0 WHERE idx = 3",
    )
    assert found and found == tallied(store)


@pytest.mark.parametrize(
    "statements",
    [
        # rowids reversed (consecutive still), and then with gaps: the forms are read in rowid
        # order and the rest by article, so each mention must meet its own form
        (
            "UPDATE mentions SET rowid = rowid + 1000000",
            "UPDATE mentions SET rowid = 2000000 - rowid",
        ),
        (
            "UPDATE mentions SET rowid = rowid + 1000000",
            "UPDATE mentions SET rowid = 3 * (2000000 - rowid)",
        ),
        # and of sentences: their spans are read by a scan of the table, the rest by article
        (
            "UPDATE sentences SET rowid = rowid + 1000000",
            "UPDATE sentences SET rowid = 2000000 - rowid",
        ),
        (
            "UPDATE sentences SET rowid = rowid + 1000000",
            "UPDATE sentences SET rowid = 3 * (2000000 - rowid)",
        ),
    ],
)
def test_rows_in_any_rowid_order_are_recounted(store: Path, statements: tuple[str]) -> None:
    assert damaged(store, *statements) == []


@pytest.mark.parametrize(
    "statement",
    [
        # a separator of the form in a label or an entity id: it is read again, lengths first
        "UPDATE mentions SET label = 'PER' || char(31) || 'SON' WHERE label = 'PERSON'",
        "UPDATE mentions SET entity_id = entity_id || char(31) || 'x' WHERE start % 5 = 0",
        "UPDATE mentions SET text = text || char(31) || 'x' WHERE start % 5 = 0",
        # an offset far from the others (positions are then ranked)
        "UPDATE sentences SET end = 4611686018427387904 WHERE idx = 2",
    ],
)
def test_odd_values_are_recounted_as_the_writer_counts_them(store: Path, statement: str) -> None:
    assert damaged(store, statement) == tallied(store)


def test_rows_are_ordered_as_lexsort_orders_them_or_left_when_in_order() -> None:
    rng = np.random.default_rng(7)
    for size in [0, 1, 2, 5, 50, 500]:
        keys = [rng.integers(0, 4, size), rng.integers(0, 3, size), rng.integers(0, 3, size)]
        order = arrays.lexsorted(keys)
        expected = np.lexsort(keys)
        if order is None:  # only when already in order
            assert np.array_equal(expected, np.arange(size))
        else:
            assert np.array_equal(order, expected)
        ordered = [key[expected] for key in keys]
        assert arrays.lexsorted(ordered) is None


def test_pairs_counted_a_few_articles_at_a_time_are_added_up(
    store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The pairs of a block of articles at a time (two here), their counts added by key."""
    monkeypatch.setattr(recount, "BLOCK", 2)
    found = damaged(store, "DELETE FROM pair_counts WHERE articles > 1 AND sentences > 1")
    assert [difference.table for difference in found] == ["pair_counts"]
    assert found == tallied(store)
    found = damaged(store, "UPDATE sentences SET end = end - 40 WHERE idx = 1")
    assert found == tallied(store)


@pytest.mark.parametrize(
    "scan",
    [[4, 5, 6, 7], [2, 5, 7, 9], [9, 5, 2, 7], [7, 6, 5, 4]],  # consecutive, gaps, any order
)
def test_rows_meet_their_scan_by_rowid(scan: list[int]) -> None:
    rowids = np.array([*sorted(scan, reverse=True)[1:], min(scan)], np.int64)
    at = grouped.placed(rowids, np.array(scan, np.int64))
    assert np.array(scan)[at].tolist() == rowids.tolist()
