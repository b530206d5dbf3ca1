"""No mention crosses a line break or has whitespace at an edge (`corpus_span_edges`), on real
Japanese bench articles through the real pipelines, and a store tagged before is re-tagged."""

from __future__ import annotations

import json
import shutil
import sqlite3
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

import pytest
import spacy
from click.testing import Result
from spacy.tokens import Span

from corpus import tagging
from corpus.loader import load_file
from corpus.pipeline.span_edges import SpanEdges, span_bounds
from corpus.pipeline.tagger import load_japanese_tagger

Cli = Callable[..., Result]
JA = Path(__file__).resolve().parents[1].parent / "shared" / "bench" / "ja"
# Bench articles where GiNZA's spans ran past a line's end or took a space: (file, article,
# where the mention starts, how it began, what it is).
SHOWN = (
    ("sports-watch/sports-watch-4815850.txt", "37436bc8ab69", 546, "本田\n", "本田"),
    (
        "sports-watch/sports-watch-4776243.txt",
        "3b314c0b1dbb",
        197,
        "イチロー\n自己管理力",
        "イチロー",
    ),
    ("topic-news/topic-news-5971727.txt", "e2587bf540eb", 546, "ベンツ\u3000", "ベンツ"),
)


@pytest.mark.parametrize(
    ("text", "bounds"),
    [
        ("本田", (0, 2)),
        ("本田\n", (0, 2)),
        (" 本田\u3000", (1, 3)),
        ("配当ゲット\n他", (0, 5)),
        ("\n本田\n圭佑", (1, 3)),  # edges first, then the first line break
        ("本田 \r\n圭佑", (0, 2)),
        ("\n \u3000", None),
    ],
)
def test_span_bounds(text: str, bounds: tuple[int, int] | None) -> None:
    assert span_bounds(text, 0, len(text)) == bounds


def test_an_english_entity_is_cut_and_trimmed_too() -> None:
    nlp = spacy.blank("en")
    doc = nlp("Met Kim Jong\nUn and\u00a0Naver\u00a0today")
    assert [t.text for t in doc][3:9] == ["\n", "Un", "and", "\u00a0", "Naver", "\u00a0"]
    doc.ents = [Span(doc, 1, 5, label="PERSON"), Span(doc, 7, 9, label="ORG"), Span(doc, 6, 7, "X")]
    assert [(e.text, e.label_) for e in SpanEdges()(doc).ents] == [
        ("Kim Jong", "PERSON"),
        ("Naver", "ORG"),
    ]


def test_japanese_bench_mentions_cross_no_line_and_have_no_edge_whitespace() -> None:
    """GiNZA's spans, through the real Japanese pipeline, on the bench articles that showed it."""
    if not JA.is_dir():
        pytest.skip(f"the ja bench corpus is not at {JA}")
    articles = [load_file(JA / name).articles[0] for name, *_ in SHOWN]
    for (_, id_, start, _, now), tagged in zip(
        SHOWN, load_japanese_tagger().tag(articles), strict=True
    ):
        assert tagged.article.id == id_
        found = [(id_, m.start, m.text) for m in tagged.mentions]
        assert (id_, start, now) in found
        assert _bad(found) == []


def _mentions(db: Path) -> list[tuple[str, int, str]]:
    with closing(sqlite3.connect(db)) as conn:
        return conn.execute("SELECT article_id, start, text FROM mentions").fetchall()


def _bad(mentions: list[tuple[str, int, str]]) -> list[str]:
    return [text for _, _, text in mentions if "\n" in text or text != text.strip()]


def test_a_store_tagged_before_is_retagged_by_the_next_ingest(
    cli: Cli, db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As the code before wrote it (the component doing nothing, the Japanese pipeline's
    version not yet bumped), the bench articles hold the mentions seen; the next ingest of the
    same files re-tags them, and no mention crosses a line or has whitespace at an edge."""
    if not JA.is_dir():
        pytest.skip(f"the ja bench corpus is not at {JA}")
    folder = tmp_path / "news"
    folder.mkdir()
    for name, *_ in SHOWN:
        shutil.copy(JA / name, folder / Path(name).name)
    with monkeypatch.context() as old:
        old.setattr(SpanEdges, "__call__", lambda self, doc: doc)
        old.setattr(tagging, "PIPELINE_VERSIONS", {})
        assert cli("ingest", folder, "--jobs", "1").exit_code == 0
    before = {(id_, start): text for id_, start, text in _mentions(db)}
    assert all(before[id_, start].startswith(was) for _, id_, start, was, _ in SHOWN)
    assert len(_bad(_mentions(db))) >= 3

    again = cli("ingest", folder, "--jobs", "1", "--json")
    assert again.exit_code == 0, again.output
    assert json.loads(again.stdout[again.stdout.index("{") :])["retagged"] == len(SHOWN)
    after = _mentions(db)
    assert _bad(after) == []
    assert {(id_, start, now) for _, id_, start, _, now in SHOWN} <= set(after)
    checked = cli("check")
    assert checked.exit_code == 0, checked.output


def test_only_the_japanese_pipelines_fingerprint_changes(monkeypatch: pytest.MonkeyPatch) -> None:
    """English, Korean and the rest keep their fingerprints (their stores are not re-tagged):
    BBC News had no mention to change (0 of 85,937)."""
    now = {name: tagging.fingerprint(None, (), name) for name in tagging.PIPELINES}
    monkeypatch.setattr(tagging, "PIPELINE_VERSIONS", {})
    before = {name: tagging.fingerprint(None, (), name) for name in tagging.PIPELINES}
    assert {name for name in now if now[name] != before[name]} == {"ja"}
