"""The store: round trips, idempotence, replacement of changed files, duplicates, migrations."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

import pytest
from click.testing import Result

from corpus import queries
from corpus.ingest import Ingest, NullTagger
from corpus.migrations import SCHEMA_VERSION
from corpus.store import Store


def ingest(db: Path, *paths: Path) -> Ingest:
    tagger = NullTagger()
    with Store.open(db) as store:
        job = Ingest(store, lambda: tagger, tagger.fingerprint)
        job.run([str(p) for p in paths])
    return job


def test_schema_is_versioned_and_wal(db: Path) -> None:
    Store.open(db).close()
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"files", "articles", "occurrences", "entities", "mentions", "sentences"} <= tables


def test_raw_bytes_are_recoverable_exactly(db: Path, seeds_dir: Path) -> None:
    ingest(db, seeds_dir)
    items = 0
    with Store.open(db, readonly=True) as store:
        for path in sorted(seeds_dir.glob("*.txt")):
            data = queries.raw_file(store, str(path.resolve()))
            assert data == path.read_bytes()
            state = store.file_state(str(path.resolve()))
            assert state is not None and state.sha256 == hashlib.sha256(data).hexdigest()
            items += state.items
    assert items == 19


def test_reingest_adds_nothing_and_says_so(db: Path, seeds_dir: Path) -> None:
    first = ingest(db, seeds_dir).report
    assert (first.new, first.unchanged, first.files) == (19, 0, 3)
    second = ingest(db, seeds_dir).report
    assert (second.new, second.unchanged) == (0, 19)
    assert second.summary() == "0 new, 19 unchanged (3 files)"


def test_touched_but_identical_file_is_unchanged(db: Path, seeds_dir: Path, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    shutil.copytree(seeds_dir, folder)
    ingest(db, folder)
    for path in folder.glob("*.txt"):
        path.touch()
    report = ingest(db, folder).report
    assert (report.new, report.unchanged, report.replaced_files) == (0, 19, 0)


def test_changed_file_replaces_its_articles(db: Path, seeds_dir: Path, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    shutil.copytree(seeds_dir, folder)
    ingest(db, folder)
    [seed] = folder.glob("000_*.txt")
    seed.write_text("A New Headline\nOnly one short body now.\n", encoding="utf-8")
    report = ingest(db, folder).report
    assert (report.new, report.unchanged, report.replaced_files) == (1, 18, 1)
    with Store.open(db, readonly=True) as store:
        rows = queries.list_articles(store)
        assert len(rows) == 19
        assert "A New Headline" in {r["title"] for r in rows}
        assert not any(r["title"] and r["title"].startswith("Discussions Ongoing") for r in rows)


def test_same_text_in_two_files_is_stored_once_with_both_paths(
    db: Path, seeds_dir: Path, tmp_path: Path
) -> None:
    [seed] = seeds_dir.glob("002_*.txt")
    copy = tmp_path / "copy.txt"
    copy.write_bytes(seed.read_bytes())
    report = ingest(db, seed, copy).report
    assert (report.new, report.unchanged, report.duplicates) == (1, 0, 1)
    assert report.summary() == "1 new, 0 unchanged, 1 duplicate (2 files)"
    with Store.open(db, readonly=True) as store:
        [row] = queries.list_articles(store)
        article = queries.get_article(store, row["id"])
        assert {o["path"] for o in article["occurrences"]} == {
            str(seed.resolve()),
            str(copy.resolve()),
        }


def test_removing_one_duplicate_keeps_the_article(
    db: Path, seeds_dir: Path, tmp_path: Path
) -> None:
    [seed] = seeds_dir.glob("002_*.txt")
    copy = tmp_path / "copy.txt"
    copy.write_bytes(seed.read_bytes())
    ingest(db, seed, copy)
    copy.write_text("Different\nEntirely different text here.\n", encoding="utf-8")
    ingest(db, copy)
    with Store.open(db, readonly=True) as store:
        assert len(queries.list_articles(store)) == 2


def test_id_prefix_resolution(db: Path, seeds_dir: Path) -> None:
    ingest(db, seeds_dir)
    with Store.open(db, readonly=True) as store:
        ids = [r["id"] for r in queries.list_articles(store)]
        assert queries.resolve_id(store, ids[0][:6]) == ids[0]
        assert queries.resolve_id(store, ids[0].upper()) == ids[0]
        with pytest.raises(queries.NotFound, match="too short"):
            queries.resolve_id(store, ids[0][:3])
        with pytest.raises(queries.NotFound, match="no article"):
            queries.resolve_id(store, "ffffffff0000")
        first_chars = {}
        for id_ in ids:
            first_chars.setdefault(id_[:1], []).append(id_)
        shared = next((group for group in first_chars.values() if len(group) > 1), None)
        if shared is not None:  # one-character prefixes are refused before ambiguity
            with pytest.raises(queries.NotFound):
                queries.resolve_id(store, shared[0][:1])


def test_ambiguous_prefix_lists_candidates(db: Path, tmp_path: Path) -> None:
    # Find two texts whose ids share 4 hex digits, by trying small variations.
    seen: dict[str, Path] = {}
    from corpus.models import article_id

    i = 0
    while True:
        body = f"Body number {i}."
        prefix = article_id("Title", body)[:4]
        if prefix in seen:
            break
        path = tmp_path / f"f{i}.txt"
        path.write_text(f"Title\n{body}\n", encoding="utf-8")
        seen[prefix] = path
        i += 1
    (tmp_path / "last.txt").write_text(f"Title\n{body}\n", encoding="utf-8")
    ingest(db, seen[prefix], tmp_path / "last.txt")
    with Store.open(db, readonly=True) as store, pytest.raises(queries.NotFound) as error:
        queries.resolve_id(store, prefix)
    message = str(error.value)
    assert "ambiguous" in message and message.count(prefix) == 3


def test_readonly_open_of_missing_store_says_to_ingest(tmp_path: Path) -> None:
    from corpus.store import StoreError

    with pytest.raises(StoreError, match="corpus ingest"):
        Store.open(tmp_path / "none.db", readonly=True)
    assert not (tmp_path / "none.db").exists()


def test_entity_names_do_not_depend_on_ingest_order(tmp_path: Path) -> None:
    from corpus.loader import LoadedFile
    from corpus.models import Article, Entity, Mention, TaggedArticle
    from corpus.store import StoredFile

    def stored(name: str, text: str) -> StoredFile:
        article = Article(title=name, body=text, path=name)
        mention = Mention(text=text[:4], label="CARDINAL", start=0, end=4, entity="cardinal:four")
        entity = Entity(id="cardinal:four", name=text[:4], label="CARDINAL")
        tagged = TaggedArticle(article=article, mentions=[mention], entities=[entity])
        loaded = LoadedFile(name, text.encode(), len(text), 0, "utf-8", [article])
        return StoredFile(loaded, {article.id: tagged})

    names = []
    for order in (["four men", "Four men"], ["Four men", "four men"]):
        with Store.open(tmp_path / f"{order[0]}.db") as store:
            for i, text in enumerate(order):
                store.write_files([stored(f"f{i}", text)])
            names.append(store.conn.execute("SELECT name FROM entities").fetchone()[0])
    assert names == ["four", "four"]  # a value label: the form in lower case (`naming`)


def test_version_2_store_gains_the_metadata_columns_and_keeps_its_articles(db: Path) -> None:
    from corpus.migrations import MIGRATIONS

    db.parent.mkdir(parents=True)
    conn = sqlite3.connect(db)
    for migration in MIGRATIONS[:2]:
        for statement in migration:
            conn.execute(statement)
    conn.execute(
        "INSERT INTO articles (id, kind, title, body, words, fingerprint, ingested_at) "
        "VALUES ('abcdef012345', 'article', 'Old', 'Stored before bylines.', 3, 'x', 'y')"
    )
    conn.execute("PRAGMA user_version = 2")
    conn.commit()
    conn.close()
    with Store.open(db) as store:
        article = queries.get_article(store, "abcdef012345")
    assert article["body"] == "Stored before bylines."
    assert {k: article[k] for k in ("author", "place", "url", "lang")} == dict.fromkeys(
        ("author", "place", "url", "lang")
    )


def test_article_metadata_round_trips_through_the_store(db: Path, tmp_path: Path) -> None:
    from corpus.loader import LoadedFile
    from corpus.models import Article, TaggedArticle
    from corpus.store import StoredFile

    fields = {
        "author": "Jane Roe",
        "place": "NAMIE, Japan",
        "url": "https://x.test/a",
        "lang": "en",
    }
    article = Article(title="T", body="Body text.", path=str(tmp_path / "a.txt"), **fields)
    loaded = LoadedFile(article.path, b"raw", 3, 1, "utf-8", [article])
    with Store.open(db) as store:
        store.write_files([StoredFile(loaded, {article.id: TaggedArticle(article=article)})])
        stored = queries.get_article(store, article.id)
        [listed] = queries.list_articles(store)
        [reloaded] = store.load_articles([article.id])
    assert {k: stored[k] for k in fields} == fields
    assert {k: listed[k] for k in fields} == fields
    assert {k: getattr(reloaded, k) for k in fields} == fields


def test_an_upgrade_is_announced_before_it_runs(
    db: Path, seeds_dir: Path, cli: Callable[..., Result]
) -> None:
    """An existing store of an older schema is upgraded with a note first (a large store
    takes minutes); a new store is created without one."""
    created = cli("ingest", seeds_dir, "--jobs", "1")
    assert created.exit_code == 0, created.output
    assert "upgrading" not in created.output
    with closing(sqlite3.connect(db)) as conn:
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION - 1}")  # the last step runs again
    upgraded = cli("ingest", seeds_dir)
    assert upgraded.exit_code == 0, upgraded.output
    assert f"from schema {SCHEMA_VERSION - 1} to {SCHEMA_VERSION}" in upgraded.output
    with closing(sqlite3.connect(db)) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert "upgrading" not in cli("ingest", seeds_dir).output


def test_the_migration_writes_each_date_without_a_year_in_one_form(
    db: Path, seeds_dir: Path, cli: Callable[..., Result]
) -> None:
    """A store written before holds yearless dates as written; upgraded, they read `Apr 09`,
    and the counts by date agree with the rows (`corpus check` passes)."""
    from corpus.check import repair
    from corpus.migrations import MIGRATIONS, yearless_dates_in_one_form

    assert cli("ingest", seeds_dir, "--jobs", "1").exit_code == 0
    with closing(sqlite3.connect(db)) as conn:
        dates = dict(conn.execute("SELECT id, date FROM articles"))
        conn.execute("UPDATE articles SET date = 'APRIL 9' WHERE date = 'Apr 09'")
        conn.execute("UPDATE articles SET date = '14 April' WHERE date = 'Apr 14'")
        conn.commit()
    with Store.open(db) as store:
        repair(store)  # counts by date as the old store kept them
    assert cli("check").exit_code == 0
    with closing(sqlite3.connect(db)) as conn:
        conn.execute(f"PRAGMA user_version = {MIGRATIONS.index([yearless_dates_in_one_form])}")
        conn.commit()
    Store.open(db).close()  # a writable open migrates
    with closing(sqlite3.connect(db)) as conn:
        assert dict(conn.execute("SELECT id, date FROM articles")) == dates
        by_date = dict(
            conn.execute("SELECT value, articles FROM article_counts WHERE facet = 'date'")
        )
    assert {"APRIL 9", "14 April"}.isdisjoint(by_date) and by_date["Apr 14"] == 5
    checked = cli("check")
    assert checked.exit_code == 0, checked.output
