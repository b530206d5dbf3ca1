"""`corpus check`: a sound store passes; each kind of damage is named, with exit status 1."""

from __future__ import annotations

import json
import shutil
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from corpus.check import APART, CHECKS, FTS_REBUILD, Problem, check_store, run_checks
from corpus.check import counts as store_counts
from corpus.check.articles import _mention, mentions
from corpus.check.core import Status
from corpus.check.running import run_checks as run_apart
from corpus.cli import main
from corpus.ingest import Ingest, NullTagger
from corpus.store import Store
from stores import digest

SEED_000 = "000_1603184ea48eea77.txt"


def run(db: Path, *args: str) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args], env={"CORPUS_DB": str(db)})


@pytest.fixture(scope="module")
def tagged_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store of the seeds, tagged by the real pipeline: ingested once for the module."""
    db = tmp_path_factory.mktemp("check") / "template.db"
    seeds = Path(__file__).resolve().parent.parent / "seeds"
    result = run(db, "ingest", str(seeds), "--jobs", "1")
    assert result.exit_code == 0, result.output
    return db


@pytest.fixture
def store_path(tagged_template: Path, db: Path) -> Path:
    db.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(tagged_template, db)
    return db


@contextmanager
def tamper(db: Path) -> Iterator[sqlite3.Connection]:
    """A plain connection, foreign keys not enforced, committed on leaving."""
    with closing(sqlite3.connect(db)) as conn:
        yield conn
        conn.commit()


def problems(db: Path) -> list[Problem]:
    """What check finds, but the aggregate counts: the damage done here to mentions or
    sentences makes them differ too, which tests/test_aggregates.py checks."""
    with Store.open(db, readonly=True) as store:
        return [p for p in check_store(store) if p.kind != "aggregate"]


def seed_article(db: Path, seeds_dir: Path) -> tuple[str, str]:
    """(id, body) of the article of seed 000."""
    with closing(sqlite3.connect(db)) as conn:
        row = conn.execute(
            "SELECT a.id, a.body FROM articles a JOIN occurrences o ON o.article_id = a.id "
            "WHERE o.path = ?",
            (str(seeds_dir / SEED_000),),
        ).fetchone()
    return row[0], row[1]


def test_sound_store_passes_and_is_not_changed(store_path: Path) -> None:
    before = digest(store_path)
    assert problems(store_path) == []
    result = run(store_path, "check")
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    [line] = result.stderr.splitlines()
    assert line.startswith(f"{store_path}: ok (3 files, 19 articles, ")
    assert line.endswith(" sentences checked)")
    assert digest(store_path) == before


def test_progress_names_each_check_and_counts_the_recount(store_path: Path) -> None:
    heard: list[str] = []
    with Store.open(store_path, readonly=True) as store:
        report = run_checks(store, heard.append)
    assert report.problems == [] and report.skipped == []
    started = [text for text in heard if ": " not in text]
    in_python = [name for name, _ in CHECKS if name not in APART]
    numbered = [f"{name} ({n}/{len(CHECKS)})" for n, name in enumerate(in_python, 1)]
    assert started[: len(in_python)] == numbered  # then the ones run apart, in any order
    names = {text.rsplit(" (", 1)[0] for text in started[len(in_python) :]}
    assert names == set(APART) < {name for name, _ in CHECKS}
    numbers = [text.rsplit(" (", 1)[1] for text in started[len(in_python) :]]
    first = len(in_python) + 1
    assert numbers == [f"{n}/{len(CHECKS)})" for n in range(first, len(CHECKS) + 1)]
    label = next(text for text in started if text.startswith("aggregate counts"))
    with Store.open(store_path, readonly=True) as store:
        mentions = store_counts(store)["mentions"]
    assert f"{label}: 0 of {mentions:,} mentions read" in heard
    assert f"{label}: pairs counted in 0 of 19 articles" in heard


def test_a_check_the_thread_has_not_begun_is_run_beside_it(store_path: Path) -> None:
    """The first check run apart holds the thread until the second has run: only the main
    thread, taking the second from the queue, can run it meanwhile."""
    second_ran = threading.Event()

    def first(store: Store, status: Status) -> Iterator[Problem]:
        if not second_ran.wait(timeout=20):
            yield Problem("test", "first", "the second check waited for the first")

    def second(store: Store, status: Status) -> Iterator[Problem]:
        second_ran.set()
        yield from ()

    def in_python(store: Store, status: Status) -> Iterator[Problem]:
        yield Problem("test", "python", "found")

    checks = [("first", first), ("python", in_python), ("second", second)]
    heard: list[str] = []
    with Store.open(store_path, readonly=True) as store:
        report = run_apart(store, checks, {"first", "second"}, heard.append)
    assert [str(p) for p in report.problems] == ["python: found"]
    assert heard == ["python (1/3)", "second (2/3)", "first (3/3)"]


def test_json_report_of_a_sound_store(store_path: Path) -> None:
    result = run(store_path, "check", "--json")
    assert result.exit_code == 0
    report = json.loads(result.stdout)
    assert report["ok"] is True and report["problems"] == [] and report["skipped"] == []
    assert report["checked"]["files"] == 3 and report["checked"]["articles"] == 19
    assert report["checked"]["mentions"] > 0 and report["checked"]["sentences"] > 0


def test_file_bytes_that_do_not_match_their_hash(store_path: Path, seeds_dir: Path) -> None:
    path = str(seeds_dir / SEED_000)
    with tamper(store_path) as conn:
        raw = conn.execute("SELECT raw FROM files WHERE path = ?", (path,)).fetchone()[0]
        flipped = bytes(raw).replace(b"Naver", b"Nover", 1)
        conn.execute("UPDATE files SET raw = ? WHERE path = ?", (flipped, path))
    found = problems(store_path)
    assert Problem("file", f"file {path}", "stored bytes do not match their recorded sha256") in (
        found
    )
    result = run(store_path, "check")
    assert result.exit_code == 1
    assert f"file {path}: stored bytes do not match their recorded sha256\n" in result.stdout
    assert result.stderr.splitlines()[-1].startswith(f"{store_path}: {len(found)} problem")


def test_truncated_file_bytes(store_path: Path, seeds_dir: Path) -> None:
    path = str(seeds_dir / SEED_000)
    size = (seeds_dir / SEED_000).stat().st_size
    with tamper(store_path) as conn:
        conn.execute("UPDATE files SET raw = substr(raw, 1, 100) WHERE path = ?", (path,))
    found = problems(store_path)
    assert Problem("file", f"file {path}", f"100 bytes stored, {size} recorded") in found
    assert Problem("item", f"file {path} item 0", "text is not in the file") in found


def test_item_text_that_is_not_in_its_file(store_path: Path, seeds_dir: Path) -> None:
    path = str(seeds_dir / SEED_000)
    with tamper(store_path) as conn:
        conn.execute("UPDATE occurrences SET raw = raw || ' extra' WHERE path = ?", (path,))
    assert problems(store_path) == [
        Problem("item", f"file {path} item 0", "text is not in the file")
    ]


def test_article_whose_body_no_longer_matches_its_id(store_path: Path, seeds_dir: Path) -> None:
    article_id, body = seed_article(store_path, seeds_dir)
    with tamper(store_path) as conn:
        conn.execute("UPDATE articles SET body = ? WHERE id = ?", (body + " More.", article_id))
    found = problems(store_path)
    assert [(p.kind, p.subject) for p in found] == [
        ("article", f"article {article_id}"),
        ("article", f"article {article_id}"),
        ("dupes", f"article {article_id}"),
    ]
    assert found[0].message.startswith("id does not match its title and body (")
    assert (
        found[1].message
        == f"{len(body.split())} words recorded, the body has {len(body.split()) + 1}"
    )
    assert found[2].message == "its near-duplicate signature does not match its body"


def test_mention_outside_its_body(store_path: Path, seeds_dir: Path) -> None:
    article_id, body = seed_article(store_path, seeds_dir)
    end = len(body) + 5
    with tamper(store_path) as conn:
        conn.execute(
            "UPDATE mentions SET end = ? WHERE article_id = ? AND start = "
            "(SELECT max(start) FROM mentions WHERE article_id = ?)",
            (end, article_id, article_id),
        )
        start = conn.execute(
            "SELECT max(start) FROM mentions WHERE article_id = ?", (article_id,)
        ).fetchone()[0]
    assert problems(store_path) == [
        Problem("mention", f"article {article_id}", f"mention [{start}, {end}) is outside its body")
    ]


def test_mention_whose_text_is_not_at_its_offsets(store_path: Path, seeds_dir: Path) -> None:
    article_id, _ = seed_article(store_path, seeds_dir)
    with tamper(store_path) as conn:
        start, end = conn.execute(
            "SELECT start, end FROM mentions WHERE article_id = ? ORDER BY start LIMIT 1",
            (article_id,),
        ).fetchone()
        conn.execute(
            "UPDATE mentions SET start = start + 1, end = end + 1 WHERE article_id = ? "
            "AND start = ?",
            (article_id, start),
        )
    [problem] = problems(store_path)
    assert (problem.kind, problem.subject) == ("mention", f"article {article_id}")
    assert problem.message == f"mention [{start + 1}, {end + 1}) is not the text 'Japan'"


BODIES = st.text(st.sampled_from("ab \x00\né😀\u0301"), max_size=24)
EDITS = st.sampled_from(["none", "drop last", "add one", "change first", "empty"])


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(body=BODIES, start=st.integers(-2, 26), length=st.integers(-2, 26), edit=EDITS)
@example(body="a\x00b", start=0, length=3, edit="none")  # a NUL: SQLite's length() stops there
@example(body="ab", start=1, length=2, edit="none")  # the text the body's tail, the end past it
def test_sqlite_picks_every_mention_python_faults(
    store_path: Path, seeds_dir: Path, body: str, start: int, length: int, edit: str
) -> None:
    """SQLite picks the mentions to look at, and Python tells what is wrong: the problems
    found are those of Python's rule applied to every mention, for any body, any offsets."""
    article_id, _ = seed_article(store_path, seeds_dir)
    end = start + length
    text = body[max(start, 0) : max(end, 0)]
    text = {
        "none": text,
        "drop last": text[:-1],
        "add one": text + "a",
        "change first": "b" + text[1:] if text[:1] != "b" else "a" + text[1:],
        "empty": "",
    }[edit]
    with tamper(store_path) as conn:
        conn.execute("UPDATE articles SET body = ? WHERE id = ?", (body, article_id))
        conn.execute("DELETE FROM mentions WHERE article_id = ?", (article_id,))
        conn.execute(
            "INSERT INTO mentions (article_id, start, end, text, label, entity_id) "
            "VALUES (?, ?, ?, ?, 'ORG', 'x')",
            (article_id, start, end, text),
        )
    with Store.open(store_path, readonly=True) as store:
        found = list(mentions(store))
    assert found == list(_mention(article_id, start, end, text, body))


def test_article_without_its_tagging(store_path: Path, seeds_dir: Path) -> None:
    article_id, _ = seed_article(store_path, seeds_dir)
    with tamper(store_path) as conn:
        conn.execute("DELETE FROM sentences WHERE article_id = ?", (article_id,))
    assert problems(store_path) == [
        Problem("sentence", f"article {article_id}", "no sentences: its tagging is incomplete")
    ]


def test_sentence_outside_body_and_broken_ranks(store_path: Path, seeds_dir: Path) -> None:
    article_id, body = seed_article(store_path, seeds_dir)
    with tamper(store_path) as conn:
        conn.execute(
            "UPDATE sentences SET end = ?, rank = 0 WHERE article_id = ? AND idx = 0",
            (len(body) + 1, article_id),
        )
        start = conn.execute(
            "SELECT start FROM sentences WHERE article_id = ? AND idx = 0", (article_id,)
        ).fetchone()[0]
    subject = f"article {article_id}"
    assert problems(store_path) == [
        Problem("sentence", subject, f"sentence [{start}, {len(body) + 1}) is outside its body"),
        Problem("sentence", subject, "summary ranks are not 0..n-1, each once"),
    ]


def test_orphan_article_and_dangling_reference(store_path: Path, seeds_dir: Path) -> None:
    article_id, _ = seed_article(store_path, seeds_dir)
    with tamper(store_path) as conn:
        conn.execute("DELETE FROM occurrences WHERE article_id = ?", (article_id,))
        conn.execute(
            "INSERT INTO mentions (article_id, start, end, text, label, entity_id) "
            "VALUES ('ffffffffffff', 0, 1, 'x', 'ORG', 'x')"
        )
        rowid = conn.execute(
            "SELECT rowid FROM mentions WHERE article_id = 'ffffffffffff'"
        ).fetchone()[0]
    assert problems(store_path) == [
        Problem("reference", f"mentions row {rowid}", "points to a missing articles row"),
        Problem("article", f"article {article_id}", "no file holds it (an orphan)"),
    ]


def test_a_missing_parent_is_found_through_every_foreign_key(
    tagged_template: Path, tmp_path: Path
) -> None:
    """The check looks up each key's distinct values and runs SQLite's own check only on a
    table where one is missing: for a row of each foreign key pointed elsewhere, it finds
    exactly what SQLite's own check of the whole store finds."""
    with closing(sqlite3.connect(tagged_template)) as conn:
        tables = [t for (t,) in conn.execute("SELECT name FROM sqlite_schema WHERE type='table'")]
        keys = [
            (table, column)
            for table in tables
            for _, _, _, column, *_ in conn.execute(f"PRAGMA foreign_key_list('{table}')")
        ]
    assert len(keys) >= 10
    for table, column in keys:
        db = tmp_path / f"{table}-{column}.db"
        shutil.copyfile(tagged_template, db)
        with tamper(db) as conn:
            first, second = [id_ for (id_,) in conn.execute("SELECT id FROM articles LIMIT 2")]
            conn.execute("INSERT INTO dupe_pairs VALUES (?, ?, 0.9, 0.9)", sorted([first, second]))
            conn.execute("INSERT INTO dupe_clusters VALUES (?, ?, 1.0)", (first, first))
            conn.execute(
                f"UPDATE {table} SET {column} = {column} || ' (missing)' "
                f"WHERE {column} = (SELECT min({column}) FROM {table})"
            )
            expected = [
                Problem("reference", f"{child} row {rowid}", f"points to a missing {parent} row")
                for child, rowid, parent, _ in conn.execute("PRAGMA foreign_key_check")
            ]
        assert expected, (table, column)
        found = [p for p in problems(db) if p.kind == "reference"]
        assert sorted(found, key=str) == sorted(expected, key=str), (table, column)


def test_corrupt_pages_are_reported_and_the_file_is_left_alone(store_path: Path) -> None:
    corrupt_pages(store_path)
    before = digest(store_path)
    result = run(store_path, "check")
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    lines = result.stdout.splitlines()
    assert lines and all(line.startswith("store: ") for line in lines)
    assert any("malformed" in line for line in lines)
    report = json.loads(run(store_path, "check", "--json").stdout)
    assert report["ok"] is False and {p["kind"] for p in report["problems"]} == {"integrity"}
    assert digest(store_path) == before


def test_search_index_out_of_step_with_the_articles(store_path: Path) -> None:
    with tamper(store_path) as conn:  # drop one article from the index, as a lost write would
        conn.execute(
            "INSERT INTO articles_fts (articles_fts, rowid, title, body) "
            "SELECT 'delete', rowid, title, body FROM articles ORDER BY rowid LIMIT 1"
        )
    before = digest(store_path)
    result = run(store_path, "check")
    assert result.exit_code == 1
    [line] = result.stdout.splitlines()
    assert line.startswith("store: the search index does not match the articles")
    assert digest(store_path) == before
    rebuild = line.split("rebuild it: ")[1]
    assert rebuild == f'sqlite3 {store_path} "{FTS_REBUILD}"'
    with tamper(store_path) as conn:
        conn.execute(FTS_REBUILD)
    assert problems(store_path) == []


def test_search_index_is_skipped_while_another_process_writes(store_path: Path) -> None:
    with closing(sqlite3.connect(store_path, isolation_level=None)) as writer:
        writer.execute("BEGIN IMMEDIATE")
        result = run(store_path, "check")
        report = json.loads(run(store_path, "check", "--json").stdout)
        writer.execute("ROLLBACK")
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines()[0] == (
        "note: search index not checked: another process is writing to the store"
    )
    assert report["ok"] is True
    assert report["skipped"] == [
        "search index not checked: another process is writing to the store"
    ]


def test_not_a_store_is_one_line_error(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_text("my notes, not a database\n")
    result = run(path, "check")
    assert result.exit_code == 1
    assert result.stderr == (
        f"corpus: error: {path}: not a corpus store (the file is not an SQLite database)\n"
    )
    assert path.read_text() == "my notes, not a database\n"


def test_store_of_untagged_articles_passes(db: Path, seeds_dir: Path) -> None:
    tagger = NullTagger()
    with Store.open(db) as store:
        Ingest(store, lambda: tagger, tagger.fingerprint).run([str(seeds_dir)])
    assert problems(db) == []


def corrupt_pages(db: Path) -> None:
    """Overwrite the root page of `articles` and of `mentions` with garbage."""
    with closing(sqlite3.connect(db)) as conn:
        size = conn.execute("PRAGMA page_size").fetchone()[0]
        roots = dict(conn.execute("SELECT name, rootpage FROM sqlite_master"))
    with db.open("r+b") as handle:
        for table in ("articles", "mentions"):
            handle.seek((roots[table] - 1) * size)
            handle.write(bytes(range(256)) * (size // 256))
