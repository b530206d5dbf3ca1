"""`--json` and `--csv` of large results are streamed: written a chunk of rows at a time as the
rows are read, and the same rows the library's lists (and the tables) hold."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import subprocess
import sys
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from corpus import analysis, queries
from corpus.analysis.cooccur import _scanned_pairs
from corpus.cli import main, options
from corpus.scope import EVERYTHING
from corpus.store import Store


def run_json(db: Path, *args: str) -> Any:
    result = CliRunner().invoke(main, [*args, "--json", "--db", str(db)])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "[" and lines[-1] == "]"  # one row a line
    rows = json.loads(result.stdout)
    assert [json.loads(line.rstrip(",")) for line in lines[1:-1]] == rows
    return rows


def test_rows_are_written_as_they_come(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(options, "JSON_CHUNK", 10)
    seen: list[str] = []

    def rows() -> Iterator[dict[str, object]]:
        for n in range(35):
            if n == 25:  # two chunks are out before the third is read
                seen.append(capsys.readouterr().out)
            yield {"n": n, "text": "bidi\u202e csi\x9b esc\x1b é"}

    options.stream_json(rows())
    rest = capsys.readouterr().out
    assert json.loads(seen[0] + rest) == list(rows())
    written = seen[0].splitlines()
    assert written[0] == "[" and len(written) == 21  # rows 0 to 19, one a line
    assert json.loads(written[20])["n"] == 19
    assert not any(c in seen[0] + rest for c in "\u202e\x9b\x1b") and "é" in rest


def test_an_empty_stream_is_an_empty_list(capsys: pytest.CaptureFixture[str]) -> None:
    options.stream_json(iter([]))
    assert capsys.readouterr().out == "[]\n"


def test_entities_json_is_the_recount_of_the_mentions(tagged_db: Path) -> None:
    """Every entity with its counts and top aliases, as counted afresh from the mention rows,
    in the order of the table."""
    with closing(sqlite3.connect(tagged_db)) as conn:
        mentions = conn.execute("SELECT entity_id, article_id, text FROM mentions").fetchall()
        entities = {row[0]: row[1:] for row in conn.execute("SELECT id, name, label FROM entities")}
    counts: Counter[str] = Counter(m[0] for m in mentions)
    articles: dict[str, set[str]] = defaultdict(set)
    forms: dict[str, Counter[str]] = defaultdict(Counter)
    for entity, article, text in mentions:
        articles[entity].add(article)
        forms[entity][text] += 1
    expected = sorted(
        (
            -counts[e],
            -len(articles[e]),
            entities[e][0],
            e,
            [t for t, _ in sorted(forms[e].items(), key=lambda f: (-f[1], f[0]))[:3]],
        )
        for e in counts
    )
    rows = run_json(tagged_db, "entities", "--all-labels")
    assert [
        (-r["mentions"], -r["articles"], r["name"], r["id"], r["aliases"]) for r in rows
    ] == expected
    assert rows[0].keys() == {
        *("id", "name", "label", "kind", "country", "mentions", "articles", "aliases")
    }


def test_entities_csv_holds_the_json_rows(tagged_db: Path) -> None:
    rows = run_json(tagged_db, "entities")
    result = CliRunner().invoke(main, ["entities", "--csv", "--db", str(tagged_db)])
    assert result.exit_code == 0, result.output
    found = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [(r["id"], r["name"], int(r["mentions"]), r["aliases"].split("|")) for r in found] == [
        (r["id"], r["name"], r["mentions"], r["aliases"]) for r in rows
    ]


def test_list_mentions_search_cooccur_json_are_the_lists(tagged_db: Path) -> None:
    with Store.open(tagged_db, readonly=True) as store:
        line = analysis.find_entity(store, "Line")["id"]
        listed = queries.list_articles(store)
        kwic = analysis.kwic_page(store, line, width=30).rows
        found = analysis.search(store, "Line OR Naver", limit=None)
        pairs = analysis.cooccurrence(store).pairs
        by_article = analysis.cooccurrence(store, unit="article", entity=line, top=5).pairs
    keys = ("id", "title", "path", "words")
    assert [{k: r[k] for k in keys} for r in run_json(tagged_db, "list")] == [
        {k: r[k] for k in keys} for r in listed
    ]
    assert len(run_json(tagged_db, "list", "--limit", "3")) == 3
    assert run_json(tagged_db, "mentions", "Line", "--width", "30") == kwic and len(kwic) > 3
    assert run_json(tagged_db, "mentions", "Line", "--width", "30", "--limit", "2") == kwic[:2]
    assert run_json(tagged_db, "search", "Line OR Naver", "--limit", "1000") == found
    assert run_json(tagged_db, "cooccur") == pairs and len(pairs) > 10
    assert run_json(tagged_db, "cooccur", "Line", "--by", "article", "--top", "5") == by_article


def test_pairs_streamed_from_the_counts_rank_as_a_recount_does(tagged_db: Path) -> None:
    """The pair table is read a run of one count at a time: the order is the one of sorting
    every pair counted afresh from the mentions."""
    with Store.open(tagged_db, readonly=True) as store:
        _, ranked, _ = _scanned_pairs(
            store,
            unit="sentence",
            focus=None,
            labels=(),
            all_labels=False,
            min_count=1,
            top=None,
            scope=EVERYTHING,
        )
    streamed = run_json(tagged_db, "cooccur")
    assert [(r["count"], r["pmi"], r["a"], r["b"], r["npmi"]) for r in streamed] == ranked
    result = CliRunner().invoke(main, ["cooccur", "--format", "csv", "--db", str(tagged_db)])
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [(r["a"], r["b"], int(r["count"])) for r in rows] == [
        (r["a"], r["b"], r["count"]) for r in streamed
    ]


def test_json_output_imports_no_rich(tagged_db: Path) -> None:
    """rich (and every view) is imported to draw a table only: start-up time of scripts."""
    script = (
        "import sys, json\nfrom corpus.cli import main\n"
        "for args in json.loads(sys.argv[1]):\n"
        "    try:\n        main([*args, '--json'], standalone_mode=False)\n"
        "    except SystemExit:\n        pass\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'rich' or"
        " m.startswith(('corpus.views', 'corpus.render', 'corpus.export'))))\n"
    )
    commands = [
        ["list"],
        ["entities"],
        ["cooccur"],
        ["search", "Line"],
        ["summary"],
        ["mentions", "Line"],
    ]
    out = subprocess.run(
        [sys.executable, "-c", script, json.dumps(commands)],
        capture_output=True,
        text=True,
        env={"CORPUS_DB": str(tagged_db), "PATH": "/usr/bin:/bin"},
        check=True,
    )
    assert out.stdout.strip().splitlines()[-1] == "[]"
