"""The corpus-wide reads: migration 2 and full-text search, entity lookup, KWIC, co-occurrence
and the overview, on the seeds (tagged by the real pipeline unless a test needs no entities)."""

from __future__ import annotations

import math
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from corpus import aggregates, analysis, queries
from corpus.analysis import corpus_overview
from corpus.ingest import Ingest, NullTagger
from corpus.labels import EVERY_LABEL, Labels
from corpus.migrations import MIGRATIONS, SCHEMA_VERSION
from corpus.store import Store

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
LINE_WORD = re.compile(r"\bLine\b(?! Friends)")


# --- stores --------------------------------------------------------------------------------


def plain_ingest(db: Path, *paths: Path) -> None:
    """Store files without NLP: articles and full text, no entities."""
    tagger = NullTagger()
    with Store.open(db) as store:
        Ingest(store, lambda: tagger, tagger.fingerprint).run([str(p) for p in paths])


@pytest.fixture
def tagged(tagged_db: Path) -> Iterator[Store]:
    with Store.open(tagged_db, readonly=True) as store:
        yield store


@pytest.fixture
def plain(db: Path) -> Iterator[Store]:
    plain_ingest(db, SEEDS)
    with Store.open(db) as store:
        yield store


def ids_by_title(store: Store) -> dict[str, str]:
    return {row["title"]: row["id"] for row in queries.list_articles(store)}


def seed_ids(store: Store) -> dict[str, str]:
    """ "000", "001" (the main article of 001) and "002" -> article id."""
    found = {}
    for row in queries.list_articles(store):
        name = Path(row["path"]).name[:3]
        if row["kind"] == "article":
            found[name] = row["id"]
    return found


# --- migration 2 -----------------------------------------------------------------------------


def test_fresh_store_has_the_fts_table_and_triggers(db: Path) -> None:
    Store.open(db).close()
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    names = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
    assert {"articles_fts", "articles_fts_insert", "articles_fts_delete"} <= names
    assert "articles_fts_update" in names


def test_version_1_store_is_upgraded_and_backfilled(db: Path) -> None:
    db.parent.mkdir(parents=True)
    conn = sqlite3.connect(db)
    for statement in MIGRATIONS[0]:
        conn.execute(statement)
    conn.execute(
        "INSERT INTO articles (id, kind, title, body, words, fingerprint, ingested_at) "
        "VALUES ('abcdef012345', 'article', 'Old news', 'Kakao was here before FTS.', 5, 'x', 'y')"
    )
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()
    with Store.open(db) as store:
        assert [r["id"] for r in analysis.search(store, "kakao")] == ["abcdef012345"]
        assert [r["id"] for r in analysis.search(store, "title:old")] == ["abcdef012345"]


def test_index_follows_inserts_updates_and_deletes(plain: Store) -> None:
    conn = plain.conn
    [karaage] = analysis.search(plain, "Karaage")
    conn.execute("UPDATE articles SET title = 'Fried chicken wars' WHERE id = ?", (karaage["id"],))
    assert analysis.search(plain, "title:Karaage") == []
    assert [r["id"] for r in analysis.search(plain, "title:wars")] == [karaage["id"]]
    conn.execute("DELETE FROM occurrences WHERE article_id = ?", (karaage["id"],))
    conn.execute("DELETE FROM articles WHERE id = ?", (karaage["id"],))
    assert analysis.search(plain, "Karaage OR wars") == []
    # 'integrity-check' with rank 1 compares the index with the content table
    conn.execute("INSERT INTO articles_fts (articles_fts, rank) VALUES ('integrity-check', 1)")


def test_changed_file_is_reindexed(db: Path, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text("Messenger news\n\nKakao grew fast this year.\n", "utf-8")
    plain_ingest(db, folder)
    (folder / "a.txt").write_text("Messenger news\n\nWeChat grew fast this year.\n", "utf-8")
    plain_ingest(db, folder)
    (folder / "b.txt").write_text("Messenger news\n\nWeChat grew fast this year.\n", "utf-8")
    plain_ingest(db, folder)  # the same text in a second file: stored once
    with Store.open(db) as store:
        assert analysis.search(store, "Kakao") == []
        assert [r["title"] for r in analysis.search(store, "WeChat")] == ["Messenger news"]
        store.conn.execute(
            "INSERT INTO articles_fts (articles_fts, rank) VALUES ('integrity-check', 1)"
        )


# --- search ----------------------------------------------------------------------------------


def test_search_kakao_finds_seed_002_only(plain: Store) -> None:
    rows = analysis.search(plain, "Kakao")
    assert [r["id"] for r in rows] == [seed_ids(plain)["002"]]
    snippet = rows[0]["snippet"]
    assert rows[0]["highlights"]
    for start, end in rows[0]["highlights"]:
        assert snippet[start:end].casefold() == "kakao"


def test_search_ignores_case_and_accents(plain: Store) -> None:
    # the body says "Ürümqi"
    assert [r["id"] for r in analysis.search(plain, "urumqi")] == [seed_ids(plain)["002"]]


def test_search_ranks_by_bm25_and_highlights_titles(plain: Store) -> None:
    rows = analysis.search(plain, "Line")
    ids = seed_ids(plain)
    assert {r["id"] for r in rows} == {ids["000"], ids["001"], ids["002"]}
    assert [r["bm25"] for r in rows] == sorted(r["bm25"] for r in rows)
    titled = next(r for r in rows if r["id"] == ids["001"])
    assert titled["title"].startswith("Line cuts off access")
    assert titled["title_highlights"] == [[0, 4]]


def test_search_filters(plain: Store) -> None:
    nikkei = analysis.search(plain, "Japanese", source="nikkei", limit=None)
    assert nikkei and {r["source"] for r in nikkei} == {"Nikkei"}
    briefs = analysis.search(plain, "Japan", kind="brief", limit=None)
    assert briefs and {r["kind"] for r in briefs} == {"brief"}
    assert len(analysis.search(plain, "Japan", limit=2)) == 2


@pytest.mark.parametrize(
    "query", ["LY Corp.", "AND", '"unclosed', "nosuchcolumn:x", "*", "NEAR(a b, x)", "x NOT"]
)
def test_malformed_query_is_a_bad_query(plain: Store, query: str) -> None:
    with pytest.raises(analysis.BadQuery, match="malformed search query"):
        analysis.search(plain, query)


def test_phrase_matches_punctuation_literally(plain: Store) -> None:
    rows = analysis.search(plain, "LY Corp.", phrase=True)
    assert [r["id"] for r in rows] == [seed_ids(plain)["000"]]
    assert analysis.search(plain, 'say "hi"', phrase=True) == []


def test_empty_query(plain: Store) -> None:
    with pytest.raises(analysis.BadQuery, match="empty"):
        analysis.search(plain, "   ")


def test_unmark() -> None:
    assert analysis.unmark("a \x02b\x03 c \x02dd\x03") == ("a b c dd", [[2, 3], [6, 8]])


# --- entity lookup ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("line", "line"),  # id
        ("LINE", "line"),  # name, any case
        ("naver", "naver"),
        ("SoftBank Group", "softbank"),
        ("softbank", "softbank"),  # alias as written
        ("kakaotalk", "kakao"),  # alias as written: "Kakaotalk"
        ("gov:kr:msit", "gov:kr:msit"),
        ("ministry of science and ict", "gov:kr:msit"),
        ("Korea's science ministry", "gov:kr:msit"),  # the text has a curly apostrophe
        ("  the   chinese government ", "gov:cn"),
    ],
)
def test_find_entity(tagged: Store, query: str, expected: str) -> None:
    assert analysis.find_entity(tagged, query)["id"] == expected


def test_unknown_entity_names_the_closest(tagged: Store) -> None:
    with pytest.raises(queries.NotFound) as caught:
        analysis.find_entity(tagged, "Lnie")
    assert str(caught.value).startswith("no entity 'Lnie'; closest: LINE (line, ORG), ")
    with pytest.raises(queries.NotFound, match="`corpus entities` lists them"):
        analysis.find_entity(tagged, "zzzzzz")
    with pytest.raises(queries.NotFound, match=r"^no GPE entity 'Naver'"):
        analysis.find_entity(tagged, "Naver", label="GPE")


def test_ambiguous_name_and_label(db: Path, tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Fruit\n\nApple sells Apple phones.\n", "utf-8")
    plain_ingest(db, tmp_path / "a.txt")
    with Store.open(db) as store:
        [article] = queries.list_articles(store)
        store.conn.executemany(
            "INSERT INTO mentions (article_id, start, end, text, label, entity_id) "
            "VALUES (?, ?, ?, 'Apple', ?, ?)",
            [(article["id"], 0, 5, "ORG", "org:apple"), (article["id"], 12, 17, "PRODUCT", "x")],
        )
        aggregates.rebuild(store.conn)  # rows written by hand, not by the store: recount
        with pytest.raises(queries.NotFound, match="ambiguous: Apple \\(org:apple, ORG\\)"):
            analysis.find_entity(store, "apple")
        assert analysis.find_entity(store, "apple", label="product")["id"] == "x"


# --- keyword in context ----------------------------------------------------------------------


def test_kwic_line_finds_every_mention_in_text_order(tagged: Store) -> None:
    rows = analysis.kwic(tagged, "line", width=30)
    ids = seed_ids(tagged)
    bodies = {i: queries.get_article(tagged, i)["body"] for i in ids.values()}
    expected = [
        (ids[seed], m.start())
        for seed in ("000", "001", "002")
        for m in LINE_WORD.finditer(bodies[ids[seed]])
    ]
    assert [(r["article"], r["start"]) for r in rows] == expected
    assert {r["article"] for r in rows} >= {ids["001"], ids["002"]}
    for row in rows:
        assert row["text"] == "Line" and len(row["left"]) <= 30 and len(row["right"]) <= 30
        body = analysis.collapse(bodies[row["article"]])
        assert row["left"] + row["text"] + row["right"] in body


def test_kwic_context_is_one_line_and_cut_to_width(tagged: Store) -> None:
    rows = analysis.kwic(tagged, "line", width=12)
    first_002 = next(r for r in rows if r["article"] == seed_ids(tagged)["002"])
    assert (first_002["left"], first_002["right"]) == (" messengers ", " and Kakao a")
    first_001 = next(r for r in rows if r["article"] == seed_ids(tagged)["001"])
    assert (first_001["start"], first_001["left"], first_001["right"]) == (0, "", " also said i")
    assert all("\n" not in r["left"] + r["right"] for r in analysis.kwic(tagged, "kakao"))


# --- co-occurrence ---------------------------------------------------------------------------


def sentence_sets(store: Store) -> list[set[str]]:
    """Entity ids per sentence, computed from `show`'s data in Python (no SQL range join)."""
    units = []
    for row in queries.list_articles(store):
        article = queries.get_article(store, row["id"])
        for s in article["sentences"]:
            ents = {m["entity"] for m in article["entities"] if s["start"] <= m["start"] < s["end"]}
            units.append(ents)
    return units


def test_naver_and_softbank_share_a_sentence_in_seed_000(tagged: Store) -> None:
    result = analysis.cooccurrence(tagged, entity="naver")
    pair = next(p for p in result.pairs if {p["a"], p["b"]} == {"naver", "softbank"})
    units = sentence_sets(tagged)
    assert result.units == len(units)
    assert pair["count"] == sum(1 for u in units if {"naver", "softbank"} <= u) == 1
    assert pair["a_count"] == sum(1 for u in units if "naver" in u)
    assert pair["b_count"] == sum(1 for u in units if "softbank" in u)
    pmi = math.log2(pair["count"] * result.units / (pair["a_count"] * pair["b_count"]))
    assert pair["pmi"] == round(pmi, 4)
    assert all("naver" in (p["a"], p["b"]) for p in result.pairs)


def test_by_article_counts_articles(tagged: Store) -> None:
    result = analysis.cooccurrence(tagged, unit="article", labels=["ORG"])
    pair = next(p for p in result.pairs if (p["a"], p["b"]) == ("naver", "softbank"))
    assert pair["count"] == 2  # seed 000 and the main article of 001
    assert result.units == 19
    assert {p["a_label"] for p in result.pairs} == {p["b_label"] for p in result.pairs} == {"ORG"}


def test_pairs_are_ordered_distinct_and_sorted(tagged: Store) -> None:
    pairs = analysis.cooccurrence(tagged).pairs
    assert pairs and all(p["a"] < p["b"] for p in pairs)
    assert len({(p["a"], p["b"]) for p in pairs}) == len(pairs)
    keys = [(-p["count"], -p["pmi"], p["a"], p["b"]) for p in pairs]
    assert keys == sorted(keys)
    assert pairs[0]["count"] == max(p["count"] for p in pairs)


def test_value_labels_are_left_out_unless_asked(tagged: Store) -> None:
    default = analysis.cooccurrence(tagged).pairs
    labels = {p[k] for p in default for k in ("a_label", "b_label")}
    assert not labels & analysis.VALUE_LABELS
    everything = analysis.cooccurrence(tagged, all_labels=True).pairs
    assert {p[k] for p in everything for k in ("a_label", "b_label")} & {"DATE", "CARDINAL"}
    dates = analysis.cooccurrence(tagged, labels=["date"]).pairs
    assert all(p["a_label"] == p["b_label"] == "DATE" for p in dates)


def test_min_count_and_top(tagged: Store) -> None:
    strong = analysis.cooccurrence(tagged, min_count=3).pairs
    assert strong and min(p["count"] for p in strong) >= 3
    full = analysis.cooccurrence(tagged).pairs
    assert strong == [p for p in full if p["count"] >= 3]
    assert analysis.cooccurrence(tagged, top=2).pairs == full[:2]


def test_association() -> None:
    pmi, npmi = analysis.association(2, 4, 5, 40)
    assert pmi == pytest.approx(math.log2(2 * 40 / 20)) and npmi == pytest.approx(2 / math.log2(20))
    assert analysis.association(3, 3, 3, 3) == (0.0, 1.0)


# --- overview --------------------------------------------------------------------------------


def test_overview_of_the_seeds(tagged: Store) -> None:
    data = analysis.overview(tagged)
    listed = queries.list_articles(tagged)
    assert data["articles"] == 19 and data["kinds"] == {"brief": 16, "article": 3}
    assert data["words"] == sum(r["words"] for r in listed)
    assert data["dates"] == {
        "first": "Apr 09",
        "last": "Apr 17",
        "undated": 3,
        "months": [{"month": "Apr", "articles": 16}],
    }
    assert data["sources"]["top"][0] == {"source": "Nikkei", "articles": 5}
    assert data["sources"]["count"] == len({r["source"] for r in listed if r["source"]})
    org = next(label for label in data["labels"] if label["label"] == "ORG")
    assert org["top"][0]["id"] == "line"
    assert org["top"][0]["mentions"] == len(analysis.kwic(tagged, "line"))
    assert data["labels"] and all(g["label"] not in analysis.VALUE_LABELS for g in data["labels"])
    assert data["pairs"] == analysis.cooccurrence(tagged, top=10).pairs
    every = analysis.overview(tagged, labels=EVERY_LABEL)  # names first, then values
    assert every["labels"][-1]["label"] in analysis.VALUE_LABELS
    assert every["labels"][: len(data["labels"])] == data["labels"]
    assert every["entities"] == data["entities"]  # every entity counted either way
    dates = analysis.overview(tagged, labels=Labels.of(["date"]), pairs=3)
    assert [g["label"] for g in dates["labels"]] == ["DATE"]
    assert dates["pairs"] == analysis.cooccurrence(tagged, top=3, labels=["DATE"]).pairs
    assert {p["a_label"] for p in dates["pairs"]} == {"DATE"}


def test_date_range_is_of_dates_with_a_year_when_there_are_any() -> None:
    counts: dict[str | None, int] = {"Feb 16": 2, "2012-02-08": 1, "2011-05": 1, None: 4}
    dates = corpus_overview._months(counts)
    assert (dates["first"], dates["last"], dates["undated"]) == ("2011-05", "2012-02-08", 4)
    assert dates["months"][0] == {"month": "Feb", "articles": 2}  # counted still
    assert corpus_overview._months({"Mar 02": 1, "Feb 16": 1}) | {"months": []} == {
        "first": "Feb 16",
        "last": "Mar 02",
        "undated": 0,
        "months": [],
    }


def test_overview_of_an_empty_store(db: Path) -> None:
    with Store.open(db) as store:
        data = analysis.overview(store)
    assert (data["articles"], data["words"], data["mentions"], data["pairs"]) == (0, 0, 0, [])
    assert data["dates"] == {"first": None, "last": None, "undated": 0, "months": []}


def test_dates_sort_chronologically() -> None:
    dates = ["Apr 10", "2021-04-02", "Mar 31", "2020-12-01", "Sept 3"]
    assert sorted(dates, key=corpus_overview._date_key) == [
        "Mar 31",
        "Apr 10",
        "Sept 3",
        "2020-12-01",
        "2021-04-02",
    ]
