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
        korean = {r["id"] for r in queries.list_articles(store, lang="ko")}
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
