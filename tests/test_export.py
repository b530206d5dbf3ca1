"""`corpus export` (JSONL, CSV, a spaCy DocBin read back with spaCy) and the co-occurrence
graph formats (CSV, GraphML, DOT), on the seeds tagged by the real pipeline."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import pytest
from click.testing import CliRunner, Result
from hypothesis import given, settings
from hypothesis import strategies as st

from corpus import analysis, export, queries
from corpus.cli import main
from corpus.store import Store

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
GRAPHML = "{http://graphml.graphdrawing.org/xmlns}"


@pytest.fixture
def store(tagged_db: Path) -> Iterator[Store]:
    with Store.open(tagged_db, readonly=True) as opened:
        yield opened


def run(db: Path, *args: str) -> Result:
    return CliRunner().invoke(main, [*args, "--db", str(db)])


def expected_articles(store: Store) -> list[dict[str, Any]]:
    """What `show --json` says of every article, in `list` order."""
    return [queries.get_article(store, row["id"]) for row in queries.list_articles(store)]


# --- articles --------------------------------------------------------------------------------


def test_jsonl_has_one_article_per_line_with_its_entities(tagged_db: Path, store: Store) -> None:
    result = run(tagged_db, "export")
    assert result.exit_code == 0, result.output
    assert result.stderr.strip() == "exported 19 articles"
    lines = result.stdout.splitlines()
    records = [json.loads(line) for line in lines]
    shown = expected_articles(store)
    assert [r["id"] for r in records] == [a["id"] for a in shown]
    for record, article in zip(records, shown, strict=True):
        assert record["body"] == article["body"] and record["title"] == article["title"]
        keys = ("text", "label", "start", "end", "entity")
        core = [{k: m[k] for k in keys} for m in article["entities"]]
        assert [{k: m[k] for k in keys} for m in record["entities"]] == core
        assert record["sentences"] == article["sentences"]
        assert record["path"] == article["path"]
        for m in record["entities"]:
            assert record["body"][m["start"] : m["end"]] == m["text"]
    names = {m["entity"]: m["name"] for m in records[0]["entities"]}
    assert (names["naver"], names["softbank"], names["line"]) == ("Naver", "SoftBank Group", "LINE")


def test_csv_has_one_row_per_article(tagged_db: Path, store: Store, tmp_path: Path) -> None:
    out = tmp_path / "deep" / "corpus.csv"
    result = run(tagged_db, "export", "--format", "csv", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert result.stderr.strip() == f"exported 19 articles to {out}"
    with out.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    shown = expected_articles(store)
    assert [r["id"] for r in rows] == [a["id"] for a in shown]
    first, article = rows[0], shown[0]
    assert first["body"] == article["body"]
    assert first["mentions"] == str(len(article["entities"]))
    entities = list(dict.fromkeys(m["entity"] for m in article["entities"]))
    assert first["entities"].split("|") == entities
    assert list(rows[0]) == [*export.CSV_KEYS, "body"]
    assert not list(out.parent.glob(".corpus.csv.*"))  # no temporary file left behind


def docbin_docs(data: bytes) -> list[Any]:
    import spacy
    from spacy.tokens import DocBin

    return list(DocBin().from_bytes(data).get_docs(spacy.blank("en").vocab))


def test_docbin_loads_back_with_the_entity_spans(
    tagged_db: Path, store: Store, tmp_path: Path
) -> None:
    out = tmp_path / "corpus.spacy"
    result = run(tagged_db, "export", "--format", "docbin", "--out", str(out))
    assert result.exit_code == 0, result.output
    docs = docbin_docs(out.read_bytes())
    shown = expected_articles(store)
    assert len(docs) == len(shown) == 19
    for doc, article in zip(docs, shown, strict=True):
        assert doc.text == article["body"]
        spans = [(e.start_char, e.end_char, e.text, e.label_, e.kb_id_) for e in doc.ents]
        assert spans == [
            (m["start"], m["end"], m["text"], m["label"], m["entity"]) for m in article["entities"]
        ]
        starts = [s.start_char for s in doc.sents]
        assert starts == [s["start"] for s in article["sentences"]]
        assert doc.user_data["id"] == article["id"]
        assert doc.user_data["title"] == article["title"]
    naver = [e for e in docs[0].ents if e.kb_id_ == "naver"]
    assert naver and all(e.text == "Naver" and e.label_ == "ORG" for e in naver)


def test_docbin_to_a_pipe(tagged_db: Path) -> None:
    result = run(tagged_db, "export", "--format", "docbin")
    assert result.exit_code == 0
    assert len(docbin_docs(result.stdout_bytes)) == 19


def test_tokens_split_inside_a_word() -> None:
    body = "LINEPay and Kakao’s app"
    natural = [(0, "LINEPay", True), (8, "and", True), (12, "Kakao’s", True), (20, "app", False)]
    words, spaces = export.tokens_for(body, natural, [0, 4, 12, 17])
    assert words == ["LINE", "Pay", "and", "Kakao", "’s", "app"]
    assert spaces == [False, True, True, False, True, False]


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_every_span_aligns_and_the_text_is_kept(data: st.DataObject) -> None:
    import spacy
    from spacy.tokens import Doc

    alphabet = st.sampled_from([*"ab .,’'\n-Ü", "  "])
    body = "".join(data.draw(st.lists(alphabet, min_size=1, max_size=40)))
    points = sorted(set(data.draw(st.lists(st.integers(0, len(body)), max_size=8))))
    nlp = spacy.blank("en")
    natural = [(t.idx, t.text, bool(t.whitespace_)) for t in nlp.make_doc(body)]
    words, spaces = export.tokens_for(body, natural, points)
    doc = Doc(nlp.vocab, words=words, spaces=spaces)
    assert doc.text == body
    boundaries = {t.idx for t in doc} | {t.idx + len(t.text) for t in doc} | {0, len(body)}
    assert set(points) <= boundaries


# --- co-occurrence graphs --------------------------------------------------------------------


def test_graphml_has_entities_as_nodes_and_pairs_as_edges(tagged_db: Path, store: Store) -> None:
    result = run(tagged_db, "cooccur", "--label", "ORG", "--format", "graphml")
    assert result.exit_code == 0, result.output
    root = ET.fromstring(result.stdout)
    expected = analysis.cooccurrence(store, labels=["ORG"])
    graph = root.find(f"{GRAPHML}graph")
    assert graph is not None and graph.get("edgedefault") == "undirected"
    nodes = {n.get("id"): n for n in graph.iter(f"{GRAPHML}node")}
    assert set(nodes) == set(expected.entities)
    edges = {(e.get("source"), e.get("target")): e for e in graph.iter(f"{GRAPHML}edge")}
    assert set(edges) == {(p["a"], p["b"]) for p in expected.pairs}
    weight = edges[("naver", "softbank")].find(f"{GRAPHML}data[@key='e_weight']")
    assert weight is not None and weight.text == "1"
    caption = nodes["softbank"].find(f"{GRAPHML}data[@key='n_label']")
    assert caption is not None and caption.text == "SoftBank Group"


def test_dot_is_an_undirected_graph(tagged_db: Path, store: Store) -> None:
    result = run(tagged_db, "cooccur", "naver", "--format", "dot")
    assert result.exit_code == 0, result.output
    lines = result.stdout.strip().splitlines()
    assert lines[0].startswith("graph cooccurrence {") and lines[-1] == "}"
    edge = re.compile(r'^  "(?:[^"\\]|\\.)+" -- "(?:[^"\\]|\\.)+" \[label="\d+", .*\];$')
    node = re.compile(r'^  "(?:[^"\\]|\\.)+" \[label="(?:[^"\\]|\\.)*"\];$')
    body = lines[2:-1]
    assert all(edge.match(line) or node.match(line) for line in body), body
    assert '  "naver" -- "softbank" [label="1", weight=1, penwidth=' in result.stdout
    expected = analysis.cooccurrence(store, entity="naver")
    assert sum(1 for line in body if " -- " in line) == len(expected.pairs)


def test_dot_strings_are_escaped() -> None:
    assert export.dot_string('say "hi"\\\nnow') == '"say \\"hi\\"\\\\\\nnow"'


def test_pairs_csv(tagged_db: Path, store: Store) -> None:
    result = run(tagged_db, "cooccur", "--format", "csv", "--min-count", "2")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    expected = analysis.cooccurrence(store, min_count=2).pairs
    assert [(r["a"], r["b"], int(r["count"])) for r in rows] == [
        (p["a"], p["b"], p["count"]) for p in expected
    ]
    assert list(rows[0]) == list(export.PAIR_KEYS)


def test_only_docbin_imports_spacy(tagged_db: Path, tmp_path: Path) -> None:
    script = (
        "import sys\nfrom corpus.cli import main\n"
        "for args in sys.argv[2:]:\n"
        "    try:\n        main(args.split() + ['--db', sys.argv[1]], standalone_mode=False)\n"
        "    except SystemExit:\n        pass\n"
        "print('spacy' in sys.modules)\n"
    )

    def imports_spacy(*commands: str) -> bool:
        out = subprocess.run(
            [sys.executable, "-c", script, str(tagged_db), *commands],
            capture_output=True,
            text=True,
            check=True,
        )
        return out.stdout.strip().splitlines()[-1] == "True"

    jsonl, csv_out, docbin = (tmp_path / n for n in ("a.jsonl", "a.csv", "a.spacy"))
    assert not imports_spacy(f"export --out {jsonl}", f"export --format csv --out {csv_out}")
    assert imports_spacy(f"export --format docbin --out {docbin}")
