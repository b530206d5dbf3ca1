"""Near-duplicates: signatures, the LSH index, clusters, `corpus dupes`, `show` and `check`,
on real BBC stories and copies republished from them, in real SQLite stores."""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result

from corpus.check import check_store
from corpus.dupes import BANDS, SCHEME, verify
from corpus.dupes import index as dupes_index
from corpus.dupes.clusters import representative, similarity
from corpus.dupes.queries import clusters
from corpus.dupes.signatures import band_keys, marks, shingle_hashes, sign
from corpus.ingest import Ingest, NullTagger
from corpus.migrations import MIGRATIONS
from corpus.report.select import Filters, select_articles
from corpus.scope import Scope
from corpus.store import Store, StoreError
from republish import republish, split_story
from stores import drop_cjk_index, drop_record_columns

DUPES_VERSION = next(n for n, m in enumerate(MIGRATIONS, 1) if dupes_index.sign_stored in m)

Cli = Callable[..., Result]
DUPE_TABLES = ("dupe_signatures", "dupe_bands", "dupe_marks", "dupe_pairs", "dupe_clusters")
STORIES = ("business/260.txt", "tech/106.txt", "sport/424.txt")


def ingest(db: Path, *paths: Path) -> None:
    with Store.open(db) as store:
        report = Ingest(store, NullTagger, NullTagger.fingerprint).run([str(p) for p in paths])
        assert not report.failed, report.failed


def jaccard(a: str, b: str) -> float:
    x, y = set(shingle_hashes(a).tolist()), set(shingle_hashes(b).tolist())
    return len(x & y) / len(x | y)


def dupe_rows(db: Path) -> dict[str, list[tuple[object, ...]]]:
    with closing(sqlite3.connect(db)) as conn:
        return {t: sorted(conn.execute(f"SELECT * FROM {t}")) for t in DUPE_TABLES}


def body_of(text: str) -> str:
    return "\n\n".join(split_story(text)[1])


@pytest.fixture
def copies(tmp_path: Path, bbc_dir: Path) -> Path:
    """Three BBC stories, each with a copy cut, retitled and mistyped and one with a paragraph
    added."""
    folder = tmp_path / "news"
    folder.mkdir()
    for n, story in enumerate(STORIES):
        text = (bbc_dir / story).read_text()
        (folder / f"{n}-original.txt").write_text(text)
        cut = republish(text, n, ("headline", "dateline", "typos", "cut"))
        (folder / f"{n}-cut.txt").write_text(cut)
        (folder / f"{n}-added.txt").write_text(republish(text, 10 + n, ("headline", "added")))
    return folder


def test_the_estimate_follows_the_exact_jaccard_similarity(bbc_dir: Path) -> None:
    text = (bbc_dir / "politics" / "226.txt").read_text()
    pairs = [
        (body_of(text), body_of(republish(text, 1))),
        (body_of(text), body_of((bbc_dir / "politics" / "265.txt").read_text())),  # 0.81
        (body_of(text), body_of((bbc_dir / "tech" / "009.txt").read_text())),  # unrelated
    ]
    for a, b in pairs:
        assert abs(similarity(sign(a).minhash, sign(b).minhash) - jaccard(a, b)) < 0.12
    assert similarity(sign(pairs[2][0]).minhash, sign(pairs[2][1]).minhash) < 0.05
    assert sign(pairs[0][0]) == sign(pairs[0][0])  # stable, whatever the process


def test_republished_copies_cluster_with_their_original(copies: Path, db: Path) -> None:
    ingest(db, copies)
    with Store.open(db, readonly=True) as store:
        found, _ = clusters(store)
        titles = dict(store.conn.execute("SELECT article_id, path FROM occurrences"))
        assert len(found) == len(STORIES)
        for cluster in found:
            names = sorted(Path(titles[i]).name.split("-")[1] for i in cluster["articles"])
            assert names == ["added.txt", "cut.txt", "original.txt"]
            longest = max(cluster["members"], key=lambda m: m["words"])
            assert cluster["representative"] == longest["id"]  # the copy with an added paragraph
        assert check_store(store) == []


def test_a_copy_cut_to_a_quarter_joins_its_original(tmp_path: Path, bbc_dir: Path) -> None:
    """BBC paragraphs are blocks: without its last, this copy keeps a quarter of the story's
    shingles (Jaccard 0.23), all but a dateline's few inside the original."""
    text = (bbc_dir / "business" / "008.txt").read_text()
    cut = republish(text, 1, ("headline", "dateline", "cut"))
    assert jaccard(body_of(text), body_of(cut)) < 0.3
    folder = tmp_path / "news"
    folder.mkdir()
    (folder / "original.txt").write_text(text)
    (folder / "cut.txt").write_text(cut)
    shutil.copy(bbc_dir / "business" / "009.txt", folder / "next.txt")  # the next story
    db = tmp_path / "corpus.db"
    ingest(db, folder)
    with Store.open(db, readonly=True) as store:
        found, total = clusters(store)
        assert total == 1 and len(found[0]["articles"]) == 2
        ids = dict(store.conn.execute("SELECT path, article_id FROM occurrences"))
        assert set(found[0]["articles"]) == {
            ids[str(folder / n)] for n in ("original.txt", "cut.txt")
        }
        (contained,) = store.conn.execute("SELECT contained FROM dupe_pairs").fetchone()
        assert contained > 0.95
        assert check_store(store) == []


def test_one_topic_and_a_quoted_paragraph_stay_apart(tmp_path: Path, bbc_dir: Path) -> None:
    folder = tmp_path / "news"
    folder.mkdir()
    # Two BBC stories on one event that share quotes (word 5-shingle Jaccard 0.47).
    for name in ("327", "328"):
        shutil.copy(bbc_dir / "politics" / f"{name}.txt", folder / f"{name}.txt")
    quoted = (bbc_dir / "tech" / "009.txt").read_text()
    title, paragraphs = split_story((bbc_dir / "business" / "260.txt").read_text())
    shutil.copy(bbc_dir / "tech" / "009.txt", folder / "quoted.txt")
    quoting = [*paragraphs, split_story(quoted)[1][1]]  # quotes one paragraph of quoted.txt
    (folder / "quoting.txt").write_text(title + "\n\n" + "\n\n".join(quoting) + "\n")
    db = tmp_path / "corpus.db"
    ingest(db, folder)
    with Store.open(db, readonly=True) as store:
        assert clusters(store) == ([], 0)
        assert clusters(store, 0.45)[1] == 1  # the topic pair, lower down
        assert check_store(store) == []


def test_replaced_files_shrink_the_index_as_a_fresh_ingest_would(
    copies: Path, tmp_path: Path, bbc_dir: Path
) -> None:
    db = tmp_path / "growing.db"
    ingest(db, copies)
    before = dupe_rows(db)
    assert len(before["dupe_bands"]) == BANDS * len(before["dupe_signatures"])
    # Replace each story's longest copy (the representative) with an unrelated story.
    for n in range(len(STORIES)):
        shutil.copy(bbc_dir / "entertainment" / f"00{n + 1}.txt", copies / f"{n}-added.txt")
    ingest(db, copies)
    after = dupe_rows(db)
    fresh = tmp_path / "fresh.db"
    ingest(fresh, copies)
    assert after == dupe_rows(fresh)
    assert len(after["dupe_bands"]) == BANDS * len(after["dupe_signatures"])
    assert len({row[1] for row in after["dupe_clusters"]}) == len(STORIES)  # pairs remain
    assert len(after["dupe_clusters"]) == 2 * len(STORIES)
    with Store.open(db, readonly=True) as store:
        assert check_store(store) == []


def test_a_store_from_before_near_duplicates_is_signed_when_upgraded(
    copies: Path, db: Path
) -> None:
    ingest(db, copies)
    signed = dupe_rows(db)
    with closing(sqlite3.connect(db)) as conn, conn:
        for table in DUPE_TABLES:
            conn.execute(f"DROP TABLE {table}")
        drop_record_columns(conn)  # added by a later migration, added again
        drop_cjk_index(conn)  # likewise
        conn.execute(f"PRAGMA user_version = {DUPES_VERSION - 1}")
    with pytest.raises(StoreError, match="needs an upgrade"):
        Store.open(db, readonly=True)
    Store.open(db).close()  # what `corpus ingest` does first
    assert dupe_rows(db) == signed
    with closing(sqlite3.connect(db)) as conn, conn:
        first = "(SELECT min(id) FROM articles)"
        conn.execute(f"DELETE FROM dupe_signatures WHERE article_id = {first}")
    with Store.open(db, readonly=True) as store:
        assert [p.message for p in check_store(store)][:1] == ["no near-duplicate signature"]


def test_check_finds_a_cluster_that_is_not_what_the_pairs_say(copies: Path, db: Path) -> None:
    ingest(db, copies)
    with closing(sqlite3.connect(db)) as conn, conn:
        conn.execute("DELETE FROM dupe_pairs WHERE (a, b) = (SELECT a, b FROM dupe_pairs LIMIT 1)")
        conn.execute(
            "UPDATE dupe_clusters SET representative = article_id WHERE article_id = "
            "(SELECT max(article_id) FROM dupe_clusters WHERE article_id != representative)"
        )
    with Store.open(db, readonly=True) as store:
        problems = check_store(store)
    assert problems and {p.kind for p in problems} == {"dupes"}
    assert any("missing: a recomputation finds it" in p.message for p in problems)
    assert any("a recomputation puts it in cluster of" in p.message for p in problems)


def test_check_finds_wrong_marks_and_a_wrong_containment(copies: Path, db: Path) -> None:
    ingest(db, copies)
    with closing(sqlite3.connect(db)) as conn, conn:
        conn.execute("DELETE FROM dupe_marks WHERE key = (SELECT min(key) FROM dupe_marks)")
        conn.execute("UPDATE dupe_pairs SET contained = contained / 2 WHERE contained > 0.9")
    with Store.open(db, readonly=True) as store:
        messages = [p.message for p in check_store(store)]
    assert "its near-duplicate marks do not match its body" in messages
    assert any(m.startswith("similarity (") and "computed" in m for m in messages)


@pytest.mark.parametrize(
    "damage",
    [
        "UPDATE dupe_signatures SET minhash = zeroblob(512) WHERE article_id = "
        "(SELECT min(article_id) FROM dupe_signatures)",
        "UPDATE dupe_signatures SET shingles = shingles + 1 WHERE article_id = "
        "(SELECT min(article_id) FROM dupe_signatures)",
        "UPDATE dupe_signatures SET text_digest = zeroblob(16) WHERE article_id = "
        "(SELECT min(article_id) FROM dupe_signatures)",
    ],
)
def test_check_finds_a_corrupted_signature(copies: Path, db: Path, damage: str) -> None:
    """The body is not signed again: the signature's seals tell a changed signature."""
    ingest(db, copies)
    with closing(sqlite3.connect(db)) as conn, conn:
        first = conn.execute("SELECT min(article_id) FROM dupe_signatures").fetchone()[0]
        conn.execute(damage)
    with Store.open(db, readonly=True) as store:
        found = [(p.subject, p.message) for p in check_store(store)]
    assert (f"article {first}", "its near-duplicate signature does not match its body") in found


def test_check_finds_a_mark_of_another_article(copies: Path, db: Path) -> None:
    ingest(db, copies)
    with closing(sqlite3.connect(db)) as conn, conn:
        first, last = conn.execute(
            "SELECT min(article_id), max(article_id) FROM dupe_marks"
        ).fetchone()
        conn.execute(
            "UPDATE dupe_marks SET article_id = ? WHERE article_id = ? AND key = "
            "(SELECT min(key) FROM dupe_marks WHERE article_id = ?)",
            (last, first, first),
        )
    with Store.open(db, readonly=True) as store:
        found = [(p.subject, p.message) for p in check_store(store)]
    marks = "its near-duplicate marks do not match its body"
    assert (f"article {first}", marks) in found and (f"article {last}", marks) in found


def test_check_finds_the_articles_whose_band_keys_differ(copies: Path, db: Path) -> None:
    """Keys read a whole article at a time: one article with none, one with a key changed, one
    with a key more; the keys of an id of no article are not an article's."""
    ingest(db, copies)
    with closing(sqlite3.connect(db)) as conn, conn:
        ids = [id_ for (id_,) in conn.execute("SELECT id FROM articles ORDER BY id")]
        none, changed, more = ids[0], ids[len(ids) // 2], ids[-1]
        conn.execute("DELETE FROM dupe_bands WHERE article_id = ?", (none,))
        conn.execute(
            "UPDATE dupe_bands SET key = key + 1 WHERE article_id = ? AND key = "
            "(SELECT max(key) FROM dupe_bands WHERE article_id = ?)",
            (changed, changed),
        )
        conn.execute("INSERT INTO dupe_bands VALUES (12345, ?), (12345, 'gone')", (more,))
    with Store.open(db, readonly=True) as store:
        found = [p.subject for p in check_store(store) if "LSH band keys" in p.message]
    assert found == [f"article {none}", f"article {changed}", f"article {more}"]


def test_keys_are_read_sorted_whatever_order_sqlite_gives(tmp_path: Path) -> None:
    with closing(sqlite3.connect(tmp_path / "keys.db")) as conn:
        conn.execute("CREATE TABLE keys (key INTEGER, article_id TEXT)")  # no index: any order
        rows = [(9, "b"), (-3, "b"), (2**62, "a"), (7, "c"), (1, "a"), (4, "b"), (5, "gone")]
        conn.executemany("INSERT INTO keys VALUES (?, ?)", rows)
        read = verify._keys_of(conn, "keys", {"a": 0, "b": 1, "c": 2, "d": 3})
    assert [keys.tolist() for keys in read.split()] == [[1, 2**62], [-3, 4, 9], [7], []]


def test_check_finds_signatures_of_another_scheme(
    copies: Path, db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A store signed by another version of the scheme is told apart from a sound one."""
    ingest(db, copies)
    monkeypatch.setattr("corpus.dupes.signatures.SCHEME", SCHEME + 1)
    with Store.open(db, readonly=True) as store:
        messages = {p.message for p in check_store(store)}
    assert messages == {"its near-duplicate signature does not match its body"}


def test_what_a_body_signs_to_is_the_scheme_of_its_version() -> None:
    """A change to what a body signs to (words, shingles, hashes, bands, marks) must bump
    SCHEME, with a migration that signs every article again: stored seals would otherwise
    pass signatures the new code no longer makes. Then record the new digest here."""
    text = "Tokyo's Nikkei rose 2% on Friday, as 東京 and 서울 markets opened. " * 40
    shingles = shingle_hashes(text)
    signed = sign(text)
    parts = [signed.minhash, str(signed.shingles).encode(), str(band_keys(signed.minhash)).encode()]
    parts.append(str(marks(shingles)).encode())
    digest = hashlib.sha256(b"|".join(parts)).hexdigest()[:16]
    assert (SCHEME, digest) == (1, "cb0c5438ad30995d")


def test_the_representative_is_the_earliest_dated_then_the_longest() -> None:
    assert representative([("a", None, 900), ("b", "2024-04-02", 100), ("c", "2024-04-01", 50)])
    assert representative([("a", None, 900), ("b", "2024-04-02", 100)]) == "b"
    assert representative([("a", "Apr 1", 100), ("b", None, 300), ("c", None, 300)]) == "b"
    assert representative([("b", "2024-04-02", 100), ("c", "2024-04-01", 50)]) == "c"


def test_dupes_and_show_name_the_near_duplicates(copies: Path, db: Path, cli: Cli) -> None:
    ingest(db, copies)
    listed = cli("dupes", "--json")
    assert listed.exit_code == 0, listed.output
    found = json.loads(listed.stdout)
    assert [len(c["articles"]) for c in found] == [3, 3, 3]
    member = found[0]["articles"][1]
    shown = json.loads(cli("show", member, "--json").stdout)
    assert {d["id"] for d in shown["near_duplicates"]} == set(found[0]["articles"]) - {member}
    table = cli("show", member, env={"COLUMNS": "200"})
    assert "near-duplicates" in table.stdout and found[0]["representative"] in table.stdout
    assert cli("dupes", "--threshold", "0.2").exit_code == 2
    assert "3 clusters of near-duplicates" in cli("dupes", env={"COLUMNS": "200"}).stdout
    assert "the largest 1 (--top N" in cli("dupes", "--top", "1", env={"COLUMNS": "200"}).stdout


def test_show_names_ten_near_duplicates_and_dupes_id_lists_them_all(
    tmp_path: Path, bbc_dir: Path, db: Path, cli: Cli
) -> None:
    folder = tmp_path / "news"
    folder.mkdir()
    text = (bbc_dir / STORIES[0]).read_text()
    (folder / "original.txt").write_text(text)
    for n in range(14):
        (folder / f"copy-{n}.txt").write_text(republish(text, n, ("headline", "typos")))
    shutil.copy(bbc_dir / STORIES[1], folder / "other.txt")  # in no cluster
    ingest(db, folder)
    with Store.open(db, readonly=True) as store:
        (cluster,), _ = clusters(store)
        other = next(
            row[0]
            for row in store.conn.execute("SELECT id FROM articles")
            if row[0] not in cluster["articles"]
        )
    member = cluster["articles"][3]
    shown = json.loads(cli("show", member, "--json").stdout)["near_duplicates"]
    assert sorted(d["id"] for d in shown) == sorted(set(cluster["articles"]) - {member})
    table = cli("show", member, env={"COLUMNS": "200"}).stdout
    listed = [id_ for id_ in cluster["articles"] if id_ in table]
    assert len(listed) == 1 + 10  # the article itself (its metadata) and ten others
    assert f"and 4 more: corpus dupes {member}" in table
    whole = cli("dupes", member[:6], env={"COLUMNS": "200"}).stdout
    assert all(id_ in whole for id_ in cluster["articles"])
    assert json.loads(cli("dupes", member[:6], "--json").stdout) == [cluster]
    assert json.loads(cli("dupes", other, "--json").stdout) == []
    assert "has no near-duplicates" in cli("dupes", other).stdout
    assert cli("dupes", "0000").exit_code == 1  # no such article: one line, failure


def test_reading_near_duplicates_imports_neither_spacy_nor_numpy(copies: Path, db: Path) -> None:
    ingest(db, copies)
    with Store.open(db, readonly=True) as store:
        some_id = clusters(store)[0][0]["articles"][0]
    script = (
        "import sys\nfrom corpus.cli import main\n"
        "for args in (['dupes'], ['dupes', '--threshold', '0.5'], ['show', sys.argv[1]]):\n"
        "    try:\n        main(args, standalone_mode=False)\n"
        "    except SystemExit:\n        pass\n"
        "print(sorted(m for m in ('spacy', 'numpy') if m in sys.modules))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script, some_id],
        capture_output=True,
        text=True,
        env={"CORPUS_DB": str(db), "PATH": "/usr/bin:/bin"},
        check=True,
    )
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_the_tagging_workers_sign_what_they_tag(tagged_db: Path) -> None:
    with Store.open(tagged_db, readonly=True) as store:
        rows = store.conn.execute(
            "SELECT a.body, s.minhash FROM articles a JOIN dupe_signatures s ON s.article_id = a.id"
        ).fetchall()
        total = store.conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    assert len(rows) == total > 0
    assert all(sign(body).minhash == bytes(blob) for body, blob in rows)


def test_dedupe_reads_as_a_store_of_the_representatives_alone(
    copies: Path, tmp_path: Path, db: Path, cli: Cli
) -> None:
    """Every read command with --dedupe gives what it gives, without, on a store that holds
    only each cluster's representative (and the articles in no cluster)."""
    assert cli("ingest", copies, "--jobs", "1").exit_code == 0
    found = json.loads(cli("dupes", "--json").stdout)
    listed = json.loads(cli("list", "--json").stdout)
    copies_ids = {i for c in found for i in c["articles"]} - {c["representative"] for c in found}
    assert len(copies_ids) == 2 * len(STORIES)
    alone = tmp_path / "alone"
    alone.mkdir()
    for row in listed:
        if row["id"] not in copies_ids:
            shutil.copy(row["path"], alone / Path(row["path"]).name)
    other = tmp_path / "alone.db"
    assert cli("ingest", alone, "--jobs", "1", "--db", other).exit_code == 0

    def both(*args: str, keys: Callable[[Any], Any]) -> None:
        deduped = cli(*args, "--dedupe")
        assert deduped.exit_code == 0, deduped.output
        plain = cli(*args, "--db", other)
        assert keys(deduped.stdout) == keys(plain.stdout), args

    def ids(text: str) -> list[str]:
        return sorted(row["id"] for row in json.loads(text))

    both("list", "--json", keys=ids)
    both(
        "entities",
        "--json",
        keys=lambda t: [(e["id"], e["mentions"], e["articles"]) for e in json.loads(t)],
    )
    both(
        "summary",
        "--json",
        keys=lambda t: {
            k: json.loads(t)[k] for k in ("articles", "words", "sentences", "mentions")
        },
    )
    top = json.loads(cli("entities", "--json", "--top", "1").stdout)[0]["id"]
    both(
        "mentions",
        top,
        "--json",
        keys=lambda t: sorted((m["article"], m["start"]) for m in json.loads(t)),
    )
    both(
        "cooccur",
        "--format",
        "json",
        keys=lambda t: sorted((p["a"], p["b"], p["count"], p["pmi"]) for p in json.loads(t)),
    )
    both("search", "the", "--json", "--limit", "100", keys=ids)
    both("export", keys=lambda t: sorted(json.loads(line)["id"] for line in t.splitlines()))
    assert len(ids(cli("list", "--json").stdout)) == len(
        ids(cli("list", "--json", "--dedupe").stdout)
    ) + len(copies_ids)
    with Store.open(db, readonly=True) as store:
        selection = select_articles(store, Filters(scope=Scope(dedupe=True)))
    assert sorted(a["id"] for a in selection.articles) == ids(
        cli("list", "--json", "--dedupe").stdout
    )
    assert selection.filters["dedupe"] and selection.stored == len(listed)
