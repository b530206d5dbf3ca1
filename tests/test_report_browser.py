"""The report in a real browser (headless Chromium, tests/browser.py), opened from disk.

The seeds' report draws every view without a console error or a request beyond its own file,
and a click on an entity filters the articles. A hostile store — files whose titles, bodies and
sources carry script, event handlers, `javascript:` links, `</script>` and template markers,
tagged by the real pipeline with a gazetteer whose entity id and name carry them too — shows
all of it as text, runs none of it, and keeps the entity highlights on their words. The page's
Content-Security-Policy stops any request and any script that did get in.
"""

from __future__ import annotations

import http.server
import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar
from xml.etree import ElementTree as ET

import pytest
from click.testing import CliRunner

from browser import browser, open_page
from corpus.aggregates import VALUE_LABELS
from corpus.cli import main
from corpus.escapes import UNSAFE_IN_LINE, escape

pytestmark = pytest.mark.slow

VIEWS = ("#overview", "#entities", "#network", "#timeline", "#articles", "#search")


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    with browser() as context:
        yield context


def write_report(db: Path, out: Path, *args: str) -> Path:
    result = CliRunner().invoke(main, ["report", "--db", str(db), "--out", str(out), *args])
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def seeds_page(tagged_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_report(tagged_db, tmp_path_factory.mktemp("report") / "seeds.html")


def canvas_drawn(page: Any, selector: str) -> bool:
    """Whether some canvas under `selector` holds anything (differs from a blank one)."""
    return bool(
        page.evaluate(
            """(selector) => [...document.querySelectorAll(selector + ' canvas')].some((c) => {
                 if (!c.width || !c.height) return false;
                 const blank = document.createElement('canvas');
                 blank.width = c.width; blank.height = c.height;
                 return c.toDataURL() !== blank.toDataURL();
               })""",
            selector,
        )
    )


def stat_cards(page: Any) -> list[list[str]]:
    """The overview's cards: [value, what] each."""
    return list(
        page.eval_on_selector_all(
            "#stats .stat",
            "cards => cards.map((c) => [c.firstChild.textContent, c.lastChild.textContent])",
        )
    )


def test_every_view_draws_offline_without_errors(
    chromium: Any, seeds_page: Path, tagged_db: Path
) -> None:
    entities = show_json(tagged_db, "entities")  # names only, as the report by default
    page, log = open_page(chromium, seeds_page)
    assert page.title() == "corpus report: corpus.db"
    assert "19 articles" in page.inner_text("#report-note")
    assert "names only (--all-labels for dates and numbers)" in page.inner_text("#report-note")
    assert canvas_drawn(page, "#overview") and page.is_visible("#chart-dates")
    assert ["16 briefs, 3 articles", "kinds"] in stat_cards(page)
    for view in VIEWS:
        page.click(f"#tabs a[href='{view}']")
        page.wait_for_selector(f"{view}:not([hidden])")
        if view == "#network":
            page.wait_for_selector("html[data-network-ms]", state="attached")
            assert canvas_drawn(page, "#network-graph")
            assert "Click a node" in page.inner_text("#network-info")
            top = entities[0]  # the most mentioned, drawn largest
            at = page.evaluate("() => window.corpusReport.nodePosition(0)")
            page.mouse.click(at["x"], at["y"])
            info = page.inner_text("#network-info")
            assert info.startswith(f"{top['name']}: {top['mentions']} mentions")
            page.click("#network-info >> text=open the entity")
            page.wait_for_selector("#entity:not([hidden])")
            assert page.inner_text("#entity h2").startswith(top["name"])
            page.go_back()
            page.wait_for_selector("#network:not([hidden])")
            box = page.locator("#network-graph").bounding_box()
            assert box and box["height"] > 300
        if view == "#timeline":
            assert canvas_drawn(page, "#timeline")
        if view == "#entities":  # all the seeds' entities: fewer than a page
            assert page.locator("#entity-table tbody tr").count() == len(entities)
    assert log.problems() == []
    assert log.requests == [seeds_page.resolve().as_uri()]


def test_clicking_an_entity_shows_it_and_filters_the_articles(
    chromium: Any, seeds_page: Path
) -> None:
    page, log = open_page(chromium, seeds_page, "#entities")
    page.select_option("#entity-label", "ORG")
    page.fill("#entity-filter", "kakao")
    rows = page.locator("#entity-table tbody tr")
    assert rows.count() == 1 and "Kakao" in rows.first.inner_text()
    rows.first.click()
    page.wait_for_selector("#entity:not([hidden])")
    assert page.inner_text("#entity h2").startswith("Kakao")
    contexts = page.locator("#entity table.kwic tbody tr")
    assert contexts.count() >= 5
    assert all("Kakao" in m for m in page.locator("#entity mark.entity").all_inner_texts())
    listed = page.locator("#entity ul.titles li").all_inner_texts()
    page.click("#entity >> text=its articles in the table")
    page.wait_for_selector("#articles:not([hidden])")
    articles = page.locator("#article-table tbody tr")
    assert "mentioning Kakao" in page.inner_text("#article-entity")
    count = articles.count()
    assert 0 < count < 19 and count == len(listed)
    articles.first.click()
    page.wait_for_selector("#article:not([hidden])")
    assert any("Kakao" in text for text in page.locator("#article mark.entity").all_inner_texts())
    page.click("#tabs a[href='#network']")
    page.wait_for_selector("html[data-network-ms]", state="attached")
    assert log.problems() == []


def test_search_finds_titles_and_bodies(chromium: Any, seeds_page: Path) -> None:
    page, log = open_page(chromium, seeds_page, "#search")
    page.fill("#search-input", "toshiba")
    page.wait_for_selector("#search-results li")  # once the background index is built
    results = page.locator("#search-results li")
    assert results.count() >= 1
    assert "toshiba" in page.locator("#search-results mark.hit").first.inner_text().lower()
    results.first.locator("button").click()
    page.wait_for_selector("#article:not([hidden])")
    assert "Toshiba" in page.inner_text("#article .body")
    assert log.problems() == []


def test_a_report_of_one_kind_says_so(chromium: Any, tagged_db: Path, tmp_path: Path) -> None:
    path = write_report(tagged_db, tmp_path / "one.html", "--entity", "South Korea")
    page, log = open_page(chromium, path)
    assert page.inner_text("#report-note").startswith("3 articles")
    assert ["articles only", "kind"] in stat_cards(page)
    assert log.problems() == []


def test_an_empty_report_says_so(chromium: Any, tagged_db: Path, tmp_path: Path) -> None:
    path = write_report(tagged_db, tmp_path / "empty.html", "--lang", "ja")
    page, log = open_page(chromium, path)
    assert "0 articles · in language ja · of 19 in the store" in page.inner_text("#report-note")
    assert "No article names its source." in page.inner_text("#overview")
    for view in VIEWS:
        page.click(f"#tabs a[href='{view}']")
        page.wait_for_selector(f"{view}:not([hidden])")
    page.click("#tabs a[href='#network']")
    assert "No two entities share a sentence" in page.inner_text("#network-info")
    assert log.problems() == []


# --- hostile text ----------------------------------------------------------------------------

PWN = "window.__pwned"
TITLE = f"<script>{PWN}='title'</script> Samsung Electronics {{{{data}}}} report"
BODY = (
    f"Samsung Electronics said <img src=x onerror=\"{PWN}='img'\"> on Monday that Naver agreed.\n"
    f"</script><script>{PWN}='close'</script> and <!-- and "
    f"<a href=\"javascript:{PWN}='link'\">click me</a> in Seoul.\n"
    f"Markers {{{{scripts}}}} ${{{PWN}='tpl'}} {{{{ 7*7 }}}} <% x %> stay text, as does "
    "\x1b[31mcolour\x1b[0m and \u202ereversed\u202c text.\n"
    "Emoji 😀😀 before Samsung Electronics and Naver keep highlights on their words."
)
SOURCE = f"<b onmouseover=\"{PWN}='source'\">Evil</b> Wire"
BRIEF = f"Naver said Samsung Electronics would move data <script>{PWN}='brief'</script> again."
GAZETTEER = f"""
[[entity]]
id = "org:evil</script><script>{PWN}='id'</script>"
name = "<img src=x onerror=\\"{PWN}='name'\\">Samsung"
label = "ORG"
aliases = ["Samsung Electronics"]
"""


@pytest.fixture(scope="module")
def hostile_page(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(page, store): the hostile file ingested with the real pipeline, and its report."""
    folder = tmp_path_factory.mktemp("hostile")
    files = folder / "files"
    files.mkdir()
    (files / "evil <script>.txt").write_text(
        f"{TITLE}\n\n{BODY}\n\n{SOURCE} - Apr 10\n{BRIEF}\n", encoding="utf-8"
    )
    gazetteer = folder / "evil.toml"
    gazetteer.write_text(GAZETTEER, encoding="utf-8")
    db = folder / "corpus.db"
    result = CliRunner().invoke(
        main,
        ["ingest", str(files), "--db", str(db), "--jobs", "1", "--gazetteer", str(gazetteer)],
    )
    assert result.exit_code == 0, result.output
    return write_report(db, folder / "report.html", "--graph", str(folder / "g.gexf")), db


def show_json(db: Path, *args: str) -> Any:
    result = CliRunner().invoke(main, [*args, "--db", str(db), "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


INJECTED = """() => ({
  pwned: window.__pwned,
  scripts: document.scripts.length,
  elements: [...document.querySelectorAll('img, iframe, object, embed, a[href], form, base')]
    .map((e) => e.outerHTML.slice(0, 80)),
  handlers: [...document.querySelectorAll('*')].flatMap((e) =>
    [...e.attributes].filter((a) => a.name.startsWith('on')).map((a) => e.tagName + ' ' + a.name)),
})"""


def assert_nothing_ran(page: Any) -> None:
    found = page.evaluate(INJECTED)
    assert found["pwned"] is None
    assert found["scripts"] == 5  # the three libraries, the report's code, its JSON data
    assert found["elements"] == [a for a in found["elements"] if a.startswith('<a href="#')]
    assert found["handlers"] == []


def test_hostile_text_stays_text(chromium: Any, hostile_page: tuple[Path, Path]) -> None:
    path, db = hostile_page
    listed = show_json(db, "list")
    assert [row["kind"] for row in listed] == ["article", "brief"]
    page, log = open_page(chromium, path)
    assert_nothing_ran(page)
    for view in VIEWS:
        page.click(f"#tabs a[href='{view}']")
        page.wait_for_selector(f"{view}:not([hidden])")
        assert_nothing_ran(page)
    page.fill("#search-input", "samsung")
    page.wait_for_selector("#search-results li")
    assert page.locator("#search-results li").count() == 2
    assert_nothing_ran(page)
    entities = show_json(db, "entities")
    evil = next(i for i, e in enumerate(entities) if e["id"].startswith("org:evil"))
    page.evaluate("(hash) => { location.hash = hash; }", f"#entity/{evil}")
    page.wait_for_selector("#entity:not([hidden])")
    assert page.inner_text("#entity h2").startswith(entities[evil]["name"])
    assert entities[evil]["id"] in page.inner_text("#entity")
    assert page.locator("#entity table.kwic tbody tr").count() == entities[evil]["mentions"]
    assert_nothing_ran(page)
    for index, row in enumerate(listed):
        article = show_json(db, "show", row["id"])
        page.evaluate("(hash) => { location.hash = hash; }", f"#article/{index}")
        page.wait_for_selector("#article:not([hidden]) h2")
        assert page.inner_text("#article h2") == escape(article["title"], UNSAFE_IN_LINE)
        shown = page.evaluate(
            """() => { const body = document.querySelector('#article .body').cloneNode(true);
                 body.querySelectorAll('.label').forEach((l) => l.remove());
                 return body.textContent; }"""
        )
        assert shown == escape(article["body"])  # every character, controls as escapes
        marks = page.locator("#article mark.entity")
        texts = page.evaluate(
            """() => [...document.querySelectorAll('#article mark.entity')]
                 .map((m) => m.firstChild.textContent)"""
        )
        named = [m["text"] for m in article["entities"] if m["label"] not in VALUE_LABELS]
        assert texts == named and marks.count() >= 2  # the names: what the report shows
        assert_nothing_ran(page)
    assert SOURCE in page.inner_text("#article dl.meta")  # the brief's source, as written
    assert log.problems() == []
    assert log.requests == [path.resolve().as_uri()]


def test_hostile_names_in_the_graph_file_are_xml_text(hostile_page: tuple[Path, Path]) -> None:
    path, db = hostile_page
    root = ET.parse(path.parent / "g.gexf").getroot()
    labels = {n.get("id"): n.get("label") for n in root.iter("{http://gexf.net/1.3}node")}
    evil = next(
        e for e in show_json(db, "entities", "--all-labels") if e["id"].startswith("org:evil")
    )
    assert labels[evil["id"]] == evil["name"]  # parsed back exactly: escaped, not markup


class _Counting(http.server.BaseHTTPRequestHandler):
    hits: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        _Counting.hits.append(self.path)
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def test_the_policy_blocks_requests_and_injected_scripts(chromium: Any, seeds_page: Path) -> None:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Counting)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        page, log = open_page(chromium, seeds_page)
        outcome = page.evaluate(
            """async (url) => {
                 const fetched = await fetch(url + '/fetch').then(() => 'fetched', () => 'blocked');
                 const img = new Image(); img.src = url + '/img'; document.body.appendChild(img);
                 const s = document.createElement('script');
                 s.textContent = 'window.__pwned = "script"'; document.body.appendChild(s);
                 const link = document.createElement('link'); link.rel = 'stylesheet';
                 link.href = url + '/css'; document.head.appendChild(link);
                 await new Promise((r) => setTimeout(r, 500));
                 return { fetched, pwned: window.__pwned };
               }""",
            url,
        )
    finally:
        server.shutdown()
    assert outcome == {"fetched": "blocked", "pwned": None}
    assert _Counting.hits == []
    violations = [text for kind, text in log.console if "Content Security Policy" in text]
    assert len(violations) >= 4
