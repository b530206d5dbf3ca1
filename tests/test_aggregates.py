"""The counts kept at write time equal a recount from the rows after every kind of write."""

from __future__ import annotations

import itertools
import shutil
import sqlite3
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

import pytest
from click.testing import Result

from corpus import aggregates, analysis, kept_pairs
from corpus.migrations import MIGRATIONS
from corpus.scope import Scope
from corpus.store import Store
from stores import drop_cjk_index, drop_record_columns

BBC_SAMPLE = ["business/001.txt", "business/002.txt", "politics/001.txt", "tech/001.txt"]


def counts_match(db: Path) -> dict[str, dict[object, tuple[object, ...]]]:
    """The stored aggregates, after asserting that they equal a recount."""
    with Store.open(db, readonly=True) as store:
        found = aggregates.stored(store.conn)
        assert found == aggregates.expected(store.conn)
    return found


@pytest.fixture
def articles(tmp_path: Path, seeds_dir: Path, bbc_dir: Path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    for seed in sorted(seeds_dir.glob("*.txt")):
        shutil.copy(seed, folder / seed.name)
    for name in BBC_SAMPLE:
        shutil.copy(bbc_dir / name, folder / name.replace("/", "-"))
    return folder


def test_every_write_path_keeps_the_counts_exact(
    cli: Callable[..., Result], db: Path, articles: Path
) -> None:
    assert cli("ingest", articles, "--jobs", "1").exit_code == 0
    first = counts_match(db)
    assert first["pair_counts"], "the seeds have entities sharing sentences"
    # the same text in a second file: stored once, counted once
    shutil.copy(articles / "business-001.txt", articles / "again.txt")
    assert cli("ingest", articles, "--jobs", "1").exit_code == 0
    assert counts_match(db) == first
    # a changed file replaces its article (orphan deleted, new one inserted)
    changed = articles / "tech-001.txt"
    changed.write_text(changed.read_text() + "\nMicrosoft and Google met Naver in Seoul.\n")
    assert cli("ingest", articles, "--jobs", "1").exit_code == 0
    after_change = counts_match(db)
    assert after_change != first
    # a file whose text is gone from the folder and replaced by another seed's text
    (articles / "again.txt").write_text((articles / "politics-001.txt").read_text())
    assert cli("ingest", articles, "--jobs", "1").exit_code == 0
    before_retag = counts_match(db)
    # re-tagging every article takes away and puts back all mentions and sentences
    assert cli("retag").exit_code == 0
    assert counts_match(db) == before_retag


def test_check_reports_a_wrong_count_and_repair_recounts(
    cli: Callable[..., Result], db: Path, articles: Path
) -> None:
    assert cli("ingest", articles, "--jobs", "1").exit_code == 0
    with closing(sqlite3.connect(db)) as conn:
        conn.execute(
            "UPDATE entity_counts SET mentions = mentions + 1 "
            "WHERE key = (SELECT min(key) FROM entity_counts)"
        )
        conn.execute(
            "DELETE FROM pair_counts WHERE articles = (SELECT max(articles) FROM pair_counts)"
        )
        conn.commit()
    result = cli("check")
    assert result.exit_code == 1
    lines = [line for line in result.stdout.splitlines() if "differs from the rows" in line]
    assert [line.split(" differs")[0] for line in lines] == [
        "store: entity_counts",
        "store: pair_counts",
    ]
    assert all("corpus check --repair --db" in line for line in lines)
    repaired = cli("check", "--repair")
    assert repaired.exit_code == 0, repaired.output
    counts_match(db)


def test_the_migration_counts_a_store_written_before_it(
    cli: Callable[..., Result], db: Path, articles: Path
) -> None:
    assert cli("ingest", articles, "--jobs", "1").exit_code == 0
    before = counts_match(db)
    version = MIGRATIONS.index([*aggregates.TABLES, aggregates.rebuild])
    with closing(sqlite3.connect(db)) as conn:
        for table in aggregates.ALL_TABLES:
            conn.execute(f"DROP TABLE {table}")
        for table in ("dupe_clusters", "dupe_pairs", "dupe_bands", "dupe_signatures"):
            conn.execute(f"DROP TABLE {table}")  # made by a later migration, made again
        drop_record_columns(conn)  # added by a later migration, added again
        drop_cjk_index(conn)  # likewise
        conn.execute(f"PRAGMA user_version = {version}")
        conn.commit()
    Store.open(db).close()  # a writable open migrates
    assert counts_match(db) == before


def test_a_mention_between_sentences_belongs_to_none() -> None:
    sentences = [(0, 10), (20, 30)]
    mentions = [(2, "a", "ORG", "A"), (12, "b", "ORG", "B"), (21, "c", "ORG", "C")]
    mentions += [(25, "a", "ORG", "A"), (40, "d", "ORG", "D")]
    assert aggregates.sentence_sets(sentences, mentions) == [{"a"}, {"c", "a"}]


def pairs_match(db: Path) -> None:
    """Every ranking `cooccur` reads from `pair_counts` (the rank index of the pairs seen more
    than once, then the table when the pairs seen once are needed, then the pairs it leaves
    out, from the rows) equals the one counted from the mention rows, which a language filter
    takes (every article here is English): for the whole store, the most seen person, and the
    entity of one article with the most pairs."""
    with Store.open(db, readonly=True) as store:
        assert {row[0] for row in store.conn.execute("SELECT lang FROM articles")} == {"en"}
        top = store.conn.execute(
            "SELECT entity_id FROM entity_counts WHERE label = 'PERSON' "
            "ORDER BY articles DESC, entity_id LIMIT 1"
        ).fetchone()[0]
        single = store.conn.execute(
            "SELECT c.entity_id FROM entity_counts c WHERE c.articles = 1 AND c.label = 'ORG' "
            "ORDER BY (SELECT count(*) FROM mentions m WHERE m.article_id = "
            "(SELECT article_id FROM mentions WHERE entity_id = c.entity_id)) DESC, 1 LIMIT 1"
        ).fetchone()[0]
        for unit, focus, labels, min_count, size in itertools.product(
            ("sentence", "article"),
            (None, top, single),
            ((), ("PERSON", "ORG")),
            (1, 2),
            (1, 5, 40, None),
        ):
            asked = dict(unit=unit, entity=focus, labels=labels, min_count=min_count, top=size)
            from_table = analysis.cooccurrence(store, **asked)  # type: ignore[arg-type]
            english = Scope(lang="en")
            from_rows = analysis.cooccurrence(store, **asked, scope=english)  # type: ignore[arg-type]
            assert from_table.pairs == from_rows.pairs, asked
            assert from_table.units == from_rows.units


def test_pairs_read_from_the_table_equal_a_count_from_the_rows(
    cli: Callable[..., Result], db: Path, tmp_path: Path, bench_sample: Callable[..., list[Path]]
) -> None:
    folder = tmp_path / "bbc"
    folder.mkdir()
    for path in bench_sample("bbc", 16):
        shutil.copy(path, folder / f"{path.parent.name}-{path.name}")
    assert cli("ingest", folder, "--jobs", "1").exit_code == 0
    with Store.open(db, readonly=True) as store:
        once, pairs = store.conn.execute(
            "SELECT sum(articles = 1), count(*) FROM pair_counts"
        ).fetchone()
        assert 0 < once < pairs  # both kinds of pairs, so that both readings are tried
        left_out = list(kept_pairs.left_out(store.conn, None))
        assert len(left_out) > pairs  # most pairs touch an entity of one article
        assert {s for *_, s, _ in left_out} == {0, 1}
    pairs_match(db)


def singles(db: Path) -> set[str]:
    """The entities of one article."""
    with closing(sqlite3.connect(db)) as conn:
        rows = conn.execute("SELECT entity_id FROM entity_counts WHERE articles = 1")
        return {row[0] for row in rows}


def test_pairs_stay_exact_as_entities_reach_a_second_article_and_fall_back(
    cli: Callable[..., Result], db: Path, tmp_path: Path, bbc_dir: Path
) -> None:
    """The table keeps the pairs of `aggregates.kept` through every kind of write, as entities
    go from one article to more (their earlier article's pairs come in) and back (those of
    their last article go out): each step equals a recount and reads as the rows count."""
    folder = tmp_path / "bbc"
    folder.mkdir()
    paths = sorted((bbc_dir / "tech").glob("*.txt"))[:20]  # one topic: entities in common
    names = [f"{path.parent.name}-{path.name}" for path in paths]
    up: set[str] = set()  # entities gone from one article to more
    down: set[str] = set()  # and back
    counted: set[str] = set()

    def step(*args: str) -> None:
        nonlocal counted
        before = singles(db) if db.exists() else set()
        result = cli(*args)
        assert result.exit_code == 0, result.output
        after = singles(db)
        with closing(sqlite3.connect(db)) as conn:
            now = {r[0] for r in conn.execute("SELECT entity_id FROM entity_counts")}
        up.update(before & (now - after))
        down.update((counted - before) & after)
        counted = now
        counts_match(db)
        pairs_match(db)

    for path, name in list(zip(paths, names, strict=True))[:8]:
        shutil.copy(path, folder / name)
    step("ingest", folder, "--jobs", "1")
    for path, name in list(zip(paths, names, strict=True))[8:16]:
        shutil.copy(path, folder / name)
    step("ingest", folder, "--jobs", "1")  # inserts: entities reach a second article
    assert up
    for name, other in zip(names[8:12], paths[16:20], strict=True):
        shutil.copy(other, folder / name)  # replaced: the articles before are deleted
    (folder / names[12]).write_text((folder / names[0]).read_text())  # one text in two files
    step("ingest", folder, "--jobs", "1")
    assert down
    step("retag")
    with closing(sqlite3.connect(db)) as conn:  # an entity of one article into one of more
        into, merged = conn.execute(
            "SELECT m.entity_id, s.entity_id FROM entity_counts m JOIN entity_counts s "
            "ON s.label = m.label AND s.articles = 1 "
            "WHERE m.articles > 1 AND m.label IN ('ORG', 'GPE', 'PERSON') "
            "ORDER BY m.articles, m.entity_id, s.entity_id LIMIT 1"
        ).fetchone()
    step("merge", merged, "--into", into)
    step("unmerge", merged)
