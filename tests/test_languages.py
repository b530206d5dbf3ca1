"""Languages: detection on real text, the stored language, and --lang on the read commands."""

from __future__ import annotations

import json
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from corpus import queries
from corpus.languages import detect_language
from corpus.loader import load_file
from corpus.scope import Scope
from corpus.store import Store

Cli = Callable[..., Result]
Sample = Callable[[str, int], list[Path]]
SEEDS = Path(__file__).resolve().parent.parent / "seeds"


@pytest.mark.parametrize(("corpus", "lang"), [("ja", "ja"), ("ko", "ko"), ("bbc", "en")])
def test_bench_articles_are_detected_in_their_language(
    corpus: str, lang: str, bench_sample: Sample
) -> None:
    files = bench_sample(corpus, 40)
    found = [a.lang for path in files for a in load_file(path).articles]
    assert found.count(lang) == len(found), sorted(set(map(str, found)))


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("中国外交部发言人表示，中方坚决反对美方的做法。", "zh"),
        ("日本政府は中国と協議した。", "ja"),
        ("네이버는 라인야후의 지분을 매각하지 않겠다고 밝혔다.", "ko"),
        ("The minister said the talks would resume next week.", "en"),
        ("Le gouvernement a annoncé de nouvelles mesures.", "fr"),
    ],
)
def test_languages_of_short_texts(text: str, lang: str) -> None:
    assert detect_language(text) == lang


@pytest.mark.parametrize("text", ["", "12,345 — 678", "Naver and SoftBank own LY Corp."])
def test_too_little_to_tell_is_undetermined(text: str) -> None:
    assert detect_language(text) is None


def test_a_mixed_article_takes_the_language_of_most_of_its_text(tmp_path: Path) -> None:
    korean = "네이버는 라인야후의 지분 매각 문제를 두고 일본 정부와 협의하고 있다고 밝혔다. " * 6
    path = tmp_path / "mixed.txt"
    path.write_text(f"Naver talks\n\nNaver (NAVER Corp.) said on Monday: {korean}\n")
    [article] = load_file(path).articles
    assert article.lang == "ko"


@pytest.fixture(scope="module")
def languages_db(tmp_path_factory: pytest.TempPathFactory, bench_sample: Sample) -> Path:
    """Seeds (English) plus a few Japanese and Korean bench articles, tagged for real."""
    folder = tmp_path_factory.mktemp("languages")
    for path in [*SEEDS.iterdir(), *bench_sample("ja", 4), *bench_sample("ko", 4)]:
        shutil.copy(path, folder / path.name)
    db = folder / "corpus.db"
    from click.testing import CliRunner

    from corpus.cli import main

    result = CliRunner().invoke(main, ["ingest", str(folder), "--jobs", "1", "--db", str(db)])
    assert result.exit_code == 0, result.output
    return db


def _json(cli: Cli, *args: str) -> object:
    result = cli(*args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_lang_is_stored_and_listed(languages_db: Path, cli: Cli) -> None:
    rows = _json(cli, "list", "--db", str(languages_db))
    assert isinstance(rows, list)
    assert {r["lang"] for r in rows} == {"en", "ja", "ko"}
    by_lang = {lang: [r for r in rows if r["lang"] == lang] for lang in ("en", "ja", "ko")}
    assert len(by_lang["ja"]) == 4 and len(by_lang["ko"]) == 4
    for lang, expected in by_lang.items():
        listed = _json(cli, "list", "--lang", lang, "--db", str(languages_db))
        assert listed == expected
    article = _json(cli, "show", by_lang["ja"][0]["id"], "--db", str(languages_db))
    assert isinstance(article, dict) and article["lang"] == "ja"


def test_summary_counts_articles_per_language(languages_db: Path, cli: Cli) -> None:
    data = _json(cli, "summary", "--db", str(languages_db))
    assert isinstance(data, dict)
    languages = {row["lang"]: row["articles"] for row in data["languages"]}
    assert languages["ja"] == 4 and languages["ko"] == 4
    assert sum(languages.values()) == data["articles"]
    japanese = _json(cli, "summary", "--lang", "ja", "--db", str(languages_db))
    assert isinstance(japanese, dict)
    assert japanese["articles"] == 4 and japanese["languages"] == [{"lang": "ja", "articles": 4}]
    assert japanese["mentions"] < data["mentions"]


def test_lang_filters_entities_mentions_cooccur_search_and_export(
    languages_db: Path, cli: Cli
) -> None:
    db = ("--db", str(languages_db))
    with Store.open(languages_db, readonly=True) as store:
        korean = {r["id"] for r in queries.list_articles(store, scope=Scope(lang="ko"))}
        lang_of = {r["id"]: r["lang"] for r in queries.list_articles(store)}
    entities = _json(cli, "entities", "--lang", "ko", *db)
    assert isinstance(entities, list) and entities
    all_entities = _json(cli, "entities", *db)
    assert isinstance(all_entities, list)
    everywhere = {e["id"]: e for e in all_entities}
    assert all(e["mentions"] <= everywhere[e["id"]]["mentions"] for e in entities)
    top = entities[0]["id"]
    rows = _json(cli, "mentions", top, "--lang", "ko", *db)
    assert isinstance(rows, list) and rows
    assert {r["article"] for r in rows} <= korean and all(r["lang"] == "ko" for r in rows)
    pairs = _json(cli, "cooccur", "--lang", "en", *db)
    assert isinstance(pairs, list) and pairs
    english = _json(cli, "entities", "--lang", "en", *db)
    assert isinstance(english, list)
    english_entities = {e["id"] for e in english}
    assert all({p["a"], p["b"]} <= english_entities for p in pairs)
    found = _json(cli, "search", "Japan OR Korea", "--lang", "en", *db)
    assert isinstance(found, list) and found
    assert all(lang_of[r["id"]] == "en" and r["lang"] == "en" for r in found)
    assert _json(cli, "search", "Japan OR Korea", "--lang", "fr", *db) == []
    exported = cli("export", "--lang", "ko", *db)
    assert exported.exit_code == 0, exported.output
    lines = [json.loads(line) for line in exported.stdout.splitlines() if line.startswith("{")]
    assert {a["id"] for a in lines} == korean


def test_a_bad_language_code_is_a_usage_error(languages_db: Path, cli: Cli) -> None:
    result = cli("list", "--lang", "Japanese", "--db", str(languages_db))
    assert result.exit_code == 2
    assert "not a language code" in result.output


def test_retag_detects_the_language_of_articles_stored_without_one(
    cli: Cli, db: Path, bench_sample: Sample
) -> None:
    [ko] = bench_sample("ko", 1)
    assert cli("ingest", str(SEEDS), str(ko), "--jobs", "1").exit_code == 0
    conn = sqlite3.connect(db)
    conn.execute("UPDATE articles SET lang = NULL, fingerprint = 'old'")
    conn.commit()
    conn.close()
    assert cli("retag", "--stale").exit_code == 0
    with Store.open(db, readonly=True) as store:
        langs = [r["lang"] for r in queries.list_articles(store)]
    assert langs.count("ko") == 1 and langs.count("en") == len(langs) - 1


# --- search across scripts ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def searchable_db(tmp_path_factory: pytest.TempPathFactory, bench_sample: Sample) -> Path:
    """Japanese and Korean bench articles, a mixed one and an English seed, stored untagged."""
    from corpus.ingest import Ingest, NullTagger

    folder = tmp_path_factory.mktemp("searchable")
    japanese = bench_sample("ja", 10_000)
    docomo = [p for p in japanese if "ドコモ" in p.read_text(encoding="utf-8")]  # only two
    for path in {*bench_sample("ja", 150), *docomo, *bench_sample("ko", 100), *SEEDS.iterdir()}:
        (folder / path.name).write_bytes(path.read_bytes())
    (folder / "mixed.txt").write_text(
        "Naver talks\n\nNaver (네이버) said its stake in LY Corp. was not for sale.\n"
    )
    db = folder / "corpus.db"
    tagger = NullTagger()
    with Store.open(db) as store:
        Ingest(store, lambda: tagger, tagger.fingerprint).run([str(folder)])
    return db


CJK_TERMS = [
    "日本",
    "選手",
    "ソフトバンク",
    "ドコモ",
    "한국",
    "게임",
    "넥슨",
    "삼성전자",
    "네이버",
    "카카오",
]


@pytest.mark.parametrize("term", CJK_TERMS)
def test_cjk_search_finds_every_article_holding_the_term(searchable_db: Path, term: str) -> None:
    from corpus.analysis import search

    with Store.open(searchable_db, readonly=True) as store:
        texts = dict(
            store.conn.execute("SELECT id, coalesce(title, '') || '\n' || body FROM articles")
        )
        rows = search(store, term, limit=None)
    holding = {a for a, text in texts.items() if term in text}
    assert holding and {r["id"] for r in rows} == holding
    for row in rows:  # the first occurrence is highlighted, in the title or in the snippet
        in_title = any(row["title"][a:b] == term for a, b in row["title_highlights"])
        assert in_title or any(row["snippet"][a:b] == term for a, b in row["highlights"]), row
    assert [r["bm25"] for r in rows] == sorted(r["bm25"] for r in rows)


def test_cjk_search_takes_filters_and_several_terms(searchable_db: Path) -> None:
    from corpus.analysis import search

    with Store.open(searchable_db, readonly=True) as store:
        both = {r["id"] for r in search(store, "넥슨 게임", limit=None)}
        nexon = {r["id"] for r in search(store, "넥슨", limit=None)}
        games = {r["id"] for r in search(store, "게임", limit=None)}
        assert both == nexon & games and both
        assert search(store, "넥슨", scope=Scope(lang="ja"), limit=None) == []
        mixed = search(store, "네이버", scope=Scope(lang="en"), limit=None)
        assert [r["title"] for r in mixed] == ["Naver talks"]
        assert len(search(store, "日本", limit=3)) == 3


def test_english_search_is_unchanged_by_the_cjk_index(searchable_db: Path) -> None:
    from corpus.analysis import search

    with Store.open(searchable_db, readonly=True) as store:
        rows = search(store, "Naver", limit=None)
        assert {r["title"] for r in rows} >= {"Naver talks"}
        assert all("bm25" in r and r["snippet"] for r in rows)


def test_the_trigram_index_follows_language_changes(searchable_db: Path, tmp_path: Path) -> None:
    import sqlite3 as sql

    copy = tmp_path / "copy.db"
    source, target = sql.connect(searchable_db), sql.connect(copy)
    source.backup(target)
    source.close()
    target.close()
    count = "SELECT count(*) FROM articles_cjk WHERE articles_cjk MATCH '\"ソフトバンク\"'"
    with Store.open(copy) as store:
        before = store.conn.execute(count).fetchone()[0]
        assert before > 0
        store.conn.execute("UPDATE articles SET lang = 'en' WHERE lang = 'ja'")
        assert store.conn.execute(count).fetchone()[0] == 0
        store.conn.execute("UPDATE articles SET lang = 'ja' WHERE body LIKE '%ソフトバンク%'")
        assert store.conn.execute(count).fetchone()[0] == before
