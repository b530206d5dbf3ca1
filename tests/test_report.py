"""`corpus report` without a browser: what the page holds agrees with the other commands on the
seeds tagged by the real pipeline; focus, sampling, graph files, the embedding of data in the
page and its Content-Security-Policy; errors. The page in a browser: test_report_browser.py."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import pytest
from click.testing import CliRunner, Result

from corpus.aggregates import VALUE_LABELS
from corpus.cli import main
from corpus.labels import EVERY_LABEL, Labels
from corpus.report import Filters, build_report, network, timeline
from corpus.report.build import utf16_offsets
from corpus.report.page import render_page, script_json
from corpus.scope import Scope
from corpus.store import Store


def run(db: Path, *args: str) -> Result:
    return CliRunner().invoke(main, [*args, "--db", str(db)])


def run_json(db: Path, *args: str) -> Any:
    result = run(db, *args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def seeds_report(tagged_db: Path) -> Any:
    with Store.open(tagged_db, readonly=True) as store:
        return build_report(store)


def entity_list(db: Path, *args: str) -> list[list[Any]]:
    return [
        [e["id"], e["name"], e["label"], e["mentions"], e["articles"], e["aliases"]]
        for e in run_json(db, "entities", *args)
    ]


def test_entities_are_those_of_corpus_entities(tagged_db: Path, seeds_report: Any) -> None:
    assert seeds_report.data["entities"] == entity_list(tagged_db)  # names only, by default
    assert {row[2] for row in seeds_report.data["entities"]}.isdisjoint(VALUE_LABELS)
    with Store.open(tagged_db, readonly=True) as store:
        every = build_report(store, Filters(labels=EVERY_LABEL)).data
        chosen = build_report(store, Filters(labels=Labels.of(["gov", "DATE"]))).data
    assert every["entities"] == entity_list(tagged_db, "--all-labels")
    assert every["meta"]["filters"] == {"labels": "all"}
    assert chosen["entities"] == entity_list(tagged_db, "--label", "GOV", "--label", "date")
    assert chosen["meta"]["filters"] == {"labels": "DATE, GOV"}
    assert {row[2] for row in chosen["entities"]} == {"GOV", "DATE"}


def test_pairs_are_those_of_corpus_cooccur(tagged_db: Path, seeds_report: Any) -> None:
    articles = seeds_report.selection.articles
    table = {row[0]: {"name": row[1], "label": row[2]} for row in seeds_report.data["entities"]}
    pairs = network.cooccurrence(network.count_pairs(articles), table).pairs
    assert pairs == run_json(tagged_db, "cooccur")
    assert len(pairs) > 100


def test_network_is_the_top_entities_with_their_strongest_pairs(seeds_report: Any) -> None:
    data = seeds_report.data
    nodes = [data["entities"][i] for i, _ in data["network"]["nodes"]]
    assert len(nodes) == network.DEFAULT_NODES or len(nodes) == len(seeds_report.graph.entities)
    assert all(node[2] not in ("DATE", "CARDINAL", "PERCENT") for node in nodes)
    assert nodes[0][0] == "line"  # the most mentioned
    shown = {i for i, _ in data["network"]["nodes"]}
    edges = data["network"]["edges"]
    assert edges and all(a in shown and b in shown and count >= 1 for a, b, count, _ in edges)
    counts = [count for _, _, count, _ in edges]
    assert counts == sorted(counts, reverse=True)


def test_articles_carry_text_summary_and_mentions(tagged_db: Path, seeds_report: Any) -> None:
    listed = run_json(tagged_db, "list")
    articles = seeds_report.data["articles"]
    assert [a["id"] for a in articles] == [row["id"] for row in listed]
    entities = seeds_report.data["entities"]
    shown = run_json(tagged_db, "show", listed[0]["id"])
    first = articles[0]
    assert first["body"] == shown["body"] and first["title"] == shown["title"]
    assert first["summary"] and first["summary"] in " ".join(first["body"].split("\n"))
    flat = first["m"]
    mentions = [(flat[k], flat[k + 1], entities[flat[k + 2]][0]) for k in range(0, len(flat), 3)]
    named = [m for m in shown["entities"] if m["label"] not in VALUE_LABELS]
    assert mentions == [(m["start"], m["end"], m["entity"]) for m in named]


def test_timeline_of_dated_briefs(seeds_report: Any) -> None:
    line = seeds_report.data["timeline"]
    assert line["unit"] == "day" and line["periods"][0] == "Apr 09"
    assert line["periods"][-1] == "Apr 17" and line["undated"] == 3
    assert sum(line["articles"]) == 16
    assert line["series"] and all(len(c) == len(line["periods"]) for _, c in line["series"])


def test_timeline_periods_of_iso_dates() -> None:
    def rows(*dates: str) -> list[dict[str, Any]]:
        return [{"id": str(i), "date": d} for i, d in enumerate(dates)]

    weekly = timeline.periods(rows("2024-04-10", "2024-04-15", "2024-05-01", "Apr 3", ""))
    assert weekly.unit == "week" and weekly.labels[0] == "2024-04-08"
    assert weekly.of_article == {"0": 0, "1": 1, "2": 3} and weekly.undated == 2
    monthly = timeline.periods(rows("2023-11-30", "2024-06-01"))
    assert monthly.unit == "month" and len(monthly.labels) == 8
    assert (monthly.first, monthly.last) == ("2023-11-30", "2024-06-01")


def test_focus_on_an_entity(tagged_db: Path) -> None:
    with Store.open(tagged_db, readonly=True) as store:
        report = build_report(store, Filters(entity="naver"))  # by alias, any case
    naver = next(e for e in run_json(tagged_db, "entities") if e["id"] == "naver")
    data = report.data
    assert data["focus"] is not None and data["entities"][data["focus"]][0] == "naver"
    assert len(data["articles"]) == naver["articles"] == data["meta"]["matched"]
    assert data["meta"]["filters"] == {"entity": "naver"}
    neighbours = {
        p["b"] if p["a"] == "naver" else p["a"] for p in run_json(tagged_db, "cooccur", "naver")
    }
    graph = list(report.graph.entities)
    assert graph[0] == "naver" and set(graph[1:]) <= neighbours and len(graph) > 5
    assert data["timeline"]["series"] == []  # Naver is only in the undated articles


def test_focus_leads_the_timeline(tagged_db: Path) -> None:
    with Store.open(tagged_db, readonly=True) as store:
        data = build_report(store, Filters(entity="Toshiba")).data
    (focus, counts), *_ = data["timeline"]["series"]
    assert focus == data["focus"] and data["entities"][focus][0] == "org:toshiba"
    assert sum(counts) == data["entities"][focus][3] > 0  # its articles are dated


def test_sample_keeps_the_first_ids_and_says_so(tagged_db: Path) -> None:
    with Store.open(tagged_db, readonly=True) as store:
        report = build_report(store, max_articles=5)
    ids = [row["id"] for row in run_json(tagged_db, "list")]
    meta = report.data["meta"]
    assert (meta["included"], meta["matched"], meta["stored"], meta["sampled"]) == (5, 19, 19, True)
    assert {a["id"] for a in report.data["articles"]} == set(sorted(ids)[:5])
    total = sum(len(a["m"]) // 3 for a in report.data["articles"])
    assert sum(e[3] for e in report.data["entities"]) == total  # counts over the sample


def test_offsets_count_utf16_units_after_wide_characters() -> None:
    text = "😀 Naver and 😀😀 LINE"
    to16 = utf16_offsets(text)
    start = text.index("LINE")
    units = text.encode("utf-16-le")
    assert units[2 * to16(start) : 2 * to16(start + 4)].decode("utf-16-le") == "LINE"
    assert utf16_offsets("plain")(3) == 3


HOSTILE = "</script><script>alert(1)</script><!-- {{data}} {{scripts}} \u2028 & </SCRIPT >"


def test_script_json_cannot_end_its_element() -> None:
    embedded = script_json({"title": HOSTILE})
    assert "<" not in embedded and ">" not in embedded and "\u2028" not in embedded
    assert json.loads(embedded) == {"title": HOSTILE}


class _Scripts(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self.styles: list[str] = []
        self.csp = ""
        self._in: str | None = None
        self._attrs: dict[str, str | None] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._in, self._attrs = tag, dict(attrs)
            (self.scripts.append((self._attrs, "")) if tag == "script" else self.styles.append(""))
        if tag == "meta" and dict(attrs).get("http-equiv") == "Content-Security-Policy":
            self.csp = dict(attrs)["content"] or ""

    def handle_endtag(self, tag: str) -> None:
        self._in = None

    def handle_data(self, data: str) -> None:
        if self._in == "script":
            attrs, text = self.scripts[-1]
            self.scripts[-1] = (attrs, text + data)
        elif self._in == "style":
            self.styles[-1] += data


def _sha(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def test_page_scripts_are_exactly_those_the_policy_allows() -> None:
    html = render_page({"title": HOSTILE, "list": [HOSTILE] * 3}, title=HOSTILE)
    parsed = _Scripts()
    parsed.feed(html)
    policy = dict(part.strip().split(" ", 1) for part in parsed.csp.split(";"))
    assert policy["default-src"] == "'none'" and policy["base-uri"] == "'none'"
    code = [text for attrs, text in parsed.scripts if attrs.get("type") != "application/json"]
    data = [text for attrs, text in parsed.scripts if attrs.get("type") == "application/json"]
    assert len(code) == 4 and len(data) == 1
    assert policy["script-src"].split() == [_sha(text) for text in code]
    assert policy["style-src"].split() == [_sha(text) for text in parsed.styles]
    assert json.loads(data[0]) == {"title": HOSTILE, "list": [HOSTILE] * 3}
    assert "<title>&lt;/script&gt;" in html
    # Markers in the data stay as written: four in the data and one in <title>, none expanded.
    assert html.count("{{data}}") == html.count("{{scripts}}") == 5


def test_graph_files_for_gephi(tagged_db: Path, tmp_path: Path) -> None:
    gexf, graphml = tmp_path / "net.gexf", tmp_path / "net.graphml"
    for path in (gexf, graphml):
        result = run(tagged_db, "report", "--out", str(tmp_path / "r.html"), "--graph", str(path))
        assert result.exit_code == 0, result.output
    with Store.open(tagged_db, readonly=True) as store:
        graph = build_report(store).graph
    ns = {"g": "http://gexf.net/1.3", "viz": "http://gexf.net/1.3/viz"}
    root = ET.parse(gexf).getroot()
    nodes = root.findall(".//g:node", ns)
    assert [n.get("id") for n in nodes] == list(graph.entities)
    line = next(n for n in nodes if n.get("id") == "line")
    assert line.get("label") == graph.entities["line"]["name"]
    assert line.find("viz:color", ns) is not None
    edges = root.findall(".//g:edge", ns)
    assert [int(e.get("weight") or 0) for e in edges] == [p["count"] for p in graph.pairs]
    gml = {"g": "http://graphml.graphdrawing.org/xmlns"}
    groot = ET.parse(graphml).getroot()
    assert len(groot.findall(".//g:node", gml)) == len(nodes)
    assert len(groot.findall(".//g:edge", gml)) == len(edges)


def test_cli_json_and_the_file(tagged_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "deep" / "report.html"
    summary = run_json(tagged_db, "report", "--out", str(out), "--max-articles", "7")
    assert summary["bytes"] == out.stat().st_size and summary["articles"] == 7
    assert summary["sampled"] is True and summary["matched"] == 19
    text = out.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>") and 'http-equiv="Content-Security-Policy"' in text
    assert not list(out.parent.glob(".report.html.*"))  # no temporary file left


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--entity", "Nobody Atall"], "no entity 'Nobody Atall'"),
        (["--out", "{tmp}/file.txt/report.html"], "cannot write"),
        (["--max-articles", "0"], None),
    ],
)
def test_cli_errors(tagged_db: Path, tmp_path: Path, args: list[str], message: str | None) -> None:
    (tmp_path / "file.txt").write_text("not a directory")
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    if "--out" not in args:
        args += ["--out", str(tmp_path / "r.html")]
    result = run(tagged_db, "report", *args)
    if message is None:
        assert result.exit_code == 2
        return
    assert result.exit_code == 1, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("corpus: error: ") and message in lines[0]
    assert not (tmp_path / "r.html").exists()


def test_report_does_not_import_spacy(tagged_db: Path, tmp_path: Path) -> None:
    script = (
        "import sys\nfrom corpus.cli import main\n"
        "try:\n    main(sys.argv[1:], standalone_mode=False)\nexcept SystemExit:\n    pass\n"
        "print('spacy' in sys.modules, 'numpy' in sys.modules)\n"
    )
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            script,
            "report",
            "--db",
            str(tagged_db),
            "--out",
            str(tmp_path / "r.html"),
            "--graph",
            str(tmp_path / "g.gexf"),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip().splitlines()[-1] == "False False"
    assert re.search(r"wrote .*r\.html \(\d\.\d MB\): 19 articles", out.stderr)


DIGEST = (
    "Messenger deals in Asia\n\n"
    "Naver and SoftBank talked about LINE in Tokyo this week, officials said.\n\n"
    "Nikkei - Apr 10, 2024\nNaver said LINE would move user data to Japan by December.\n\n"
    "Kyodo - May 2, 2024\nSoftBank said it would buy more shares of LY Corp from Naver.\n\n"
    "Reuters - Jun 20, 2024\nKakao said LINE and Naver face new rules in South Korea.\n"
)


@pytest.fixture(scope="module")
def dated_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A digest of three briefs dated 2024-04-10, 2024-05-02 and 2024-06-20, and an undated
    main article, tagged by the real pipeline."""
    folder = tmp_path_factory.mktemp("dated")
    (folder / "digest.txt").write_text(DIGEST, encoding="utf-8")
    db = folder / "corpus.db"
    result = CliRunner().invoke(main, ["ingest", str(folder), "--db", str(db), "--jobs", "1"])
    assert result.exit_code == 0, result.output
    return db


def test_since_and_until_keep_the_dated_articles_in_range(dated_db: Path, tmp_path: Path) -> None:
    with Store.open(dated_db, readonly=True) as store:
        whole = build_report(store).data
        ranged = build_report(
            store, Filters(scope=Scope(since="2024-04-15", until="2024-06-20"))
        ).data
    assert whole["timeline"]["unit"] == "week" and whole["timeline"]["undated"] == 1
    assert whole["timeline"]["periods"][0] == "2024-04-08"  # the Monday of Apr 10
    assert sum(whole["timeline"]["articles"]) == 3
    assert [a["date"] for a in ranged["articles"]] == ["2024-05-02", "2024-06-20"]
    assert ranged["meta"]["filters"] == {"since": "2024-04-15", "until": "2024-06-20"}
    assert (ranged["meta"]["matched"], ranged["meta"]["stored"]) == (2, 4)
    assert ranged["overview"]["first"] == "2024-05-02"
    summary = run_json(
        dated_db, "report", "--out", str(tmp_path / "r.html"), "--since", "2024-06-01"
    )
    assert summary["articles"] == 1
    bad = run(dated_db, "report", "--since", "2024-06-01", "--until", "2024-05-01")
    assert bad.exit_code == 2 and "--since is after --until" in bad.output


def test_a_language_without_articles_makes_an_empty_report(dated_db: Path) -> None:
    with Store.open(dated_db, readonly=True) as store:
        data = build_report(store, Filters(scope=Scope(lang="ja"))).data
    assert data["articles"] == [] and data["entities"] == [] and data["network"]["nodes"] == []
    assert data["meta"]["stored"] == 4 and data["meta"]["filters"] == {"lang": "ja"}
    assert run(dated_db, "report", "--lang", "j@").exit_code == 2


def test_dedupe_keeps_each_cluster_once(bbc_dir: Path, tmp_path: Path) -> None:
    """tech/009 and tech/379 are two versions of one story (a near-duplicate cluster);
    tech/010 is another story."""
    folder = tmp_path / "files"
    folder.mkdir()
    for name in ("009.txt", "379.txt", "010.txt"):
        (folder / name).write_bytes((bbc_dir / "tech" / name).read_bytes())
    db = tmp_path / "corpus.db"
    result = CliRunner().invoke(main, ["ingest", str(folder), "--db", str(db), "--jobs", "1"])
    assert result.exit_code == 0, result.output
    (cluster,) = json.loads(run(db, "dupes", "--json").stdout)
    with Store.open(db, readonly=True) as store:
        whole = build_report(store).data
        once = build_report(store, Filters(scope=Scope(dedupe=True))).data
    assert len(whole["articles"]) == 3
    kept = {a["id"] for a in once["articles"]}
    assert kept == {a["id"] for a in whole["articles"]} - set(cluster["articles"][1:])
    assert cluster["representative"] in kept and len(kept) == 2
    assert once["meta"]["filters"] == {"dedupe": 1} and once["meta"]["matched"] == 2
    assert sum(e[3] for e in once["entities"]) < sum(e[3] for e in whole["entities"])
