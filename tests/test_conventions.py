"""Each text convention of the loader on text written for it, then on the Reuters bench sample."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from itertools import pairwise
from pathlib import Path

import pytest
from click.testing import Result

from corpus.loader import Skipped, discover, load_file, parse_text
from corpus.loader.conventions.bylines import Byline, parse_byline
from corpus.loader.conventions.datelines import Dateline, split_dateline
from corpus.loader.conventions.paragraphs import rebuild, wrap_width
from corpus.loader.conventions.signoffs import EndMatter, strip_end_matter
from corpus.loader.dates import normalise_date
from corpus.pipeline import load_tagger

REUTERS = Path(__file__).resolve().parents[1].parent / "shared" / "bench" / "reuters"

WRAPPED = """\
    OSAKA, June 3 - The harbour authority said on Monday that
the new container terminal would open three months late,
because the dredging contractor had found an old wreck in
the channel and work stopped while divers surveyed it.
    A spokesman said the delay would cost about two billion
yen. Shipping lines were told last week.
    The terminal is the city's largest port project in a
decade, and the first since the coastal tsunami-
resistant sea wall was finished.
 Reuter"""


def test_hard_wrapped_lines_become_paragraphs() -> None:
    assert wrap_width(WRAPPED.split("\n")) is not None
    paragraphs = rebuild(WRAPPED.split("\n"))
    assert paragraphs[0].startswith("OSAKA, June 3 - The harbour authority said on Monday that the")
    assert paragraphs[0].endswith("while divers surveyed it.")
    assert paragraphs[1] == (
        "A spokesman said the delay would cost about two billion yen. Shipping lines were told "
        "last week."
    )
    assert "tsunami-resistant sea wall" in paragraphs[2]  # hyphen at the wrap kept, no space
    assert paragraphs[3] == "Reuter"


def test_one_paragraph_a_line_is_left_alone() -> None:
    lines = [
        "The council met on Tuesday to discuss the budget for the coming year and beyond.",
        "",
        "Members agreed to raise spending on schools by four percent, the mayor said later.",
        "",
        "A vote is expected next month.",
    ]
    assert wrap_width(lines) is None
    assert rebuild(lines) == lines
    table = ["Shr 34 cts vs 1.19 dlrs", "Net 807,000 vs 2,858,000", "Revs 5.1 mln vs 4.9 mln"]
    assert rebuild(table) == table  # short lines are a table, not wrapped prose


@pytest.mark.parametrize(
    ("text", "dateline", "rest"),
    [
        ("LOS ANGELES, Feb 26 - Shares rose.", Dateline("LOS ANGELES", "Feb 26"), "Shares rose."),
        (
            "SEOUL, May 3 (Yonhap) -- Exports fell.",
            Dateline("SEOUL", "May 03", "Yonhap"),
            "Exports fell.",
        ),
        ("BEIJING (Reuters) — Talks ended.", Dateline("BEIJING", None, "Reuters"), "Talks ended."),
        ("TOKYO, Apr 10 Kyodo - Rain.", Dateline("TOKYO", "Apr 10", "Kyodo"), "Rain."),
        ("NAMIE, Japan — Snow fell.", Dateline("NAMIE, Japan"), "Snow fell."),
        (
            "SAN MATEO, Calif., March 2, 1987 - Up.",
            Dateline("SAN MATEO, Calif.", "1987-03-02"),
            "Up.",
        ),
        ("Toronto, Feb 26 - It said.", Dateline("Toronto", "Feb 26"), "It said."),
        ("HANOI, 2 March (VNA) - It rained.", Dateline("HANOI", "Mar 02", "VNA"), "It rained."),
        ("LONDON, March 3", Dateline("LONDON", "Mar 03"), ""),  # alone on its line, above a table
    ],
)
def test_datelines(text: str, dateline: Dateline, rest: str) -> None:
    assert split_dateline(text) == (dateline, rest)


@pytest.mark.parametrize(
    "text",
    [
        "UK-based bank Standard Chartered said it would buy a bank.",
        "US-German carmaker DaimlerChrysler sold more cars.",
        "Toronto - a city of lakes - grew.",  # title case needs a date
        "NASA said on Monday it would launch.",
    ],
)
def test_not_datelines(text: str) -> None:
    assert split_dateline(text) == (None, text)


def test_bylines() -> None:
    assert parse_byline("by Janie Gabbett, Reuters") == Byline("Janie Gabbett", "Reuters")
    assert parse_byline("By Mari Yamaguchi and Kim Tong-hyung, AP") == Byline(
        "Mari Yamaguchi and Kim Tong-hyung", "AP"
    )
    assert parse_byline("By Jane Doe") == Byline("Jane Doe")
    assert parse_byline("By Jane Doe, Ben Ito") == Byline("Jane Doe, Ben Ito")
    assert parse_byline("by the end of March, they said.") is None
    assert parse_byline("by Senate Majority Leader Robert Dole (Kan.), said they would") is None


def test_end_matter_gives_source_and_rights_and_leaves_the_body() -> None:
    story = ["The port will reopen on Friday.", "It was closed for a week."]
    for tail, expected in [
        (["", "Reuter"], EndMatter("Reuters")),
        (["REUTER"], EndMatter("Reuters")),
        (["==Kyodo"], EndMatter("Kyodo")),
        (["(END)"], EndMatter()),
        (["-30-"], EndMatter()),
        (["###"], EndMatter()),
        (["jane.doe@example.com"], EndMatter()),
        (["(ADDS comments from the minister in paragraph 4)"], EndMatter()),
        (["Reporting by Jane Doe; Editing by Kim Lee"], EndMatter()),
        (["Additional reporting by Kim Lee in Seoul"], EndMatter()),
        (["Kim Lee in Seoul contributed to this report."], EndMatter()),
        (
            ["Copyright 2024 The Associated Press. All rights reserved. Do not redistribute."],
            EndMatter(
                "The Associated Press",
                "Copyright 2024 The Associated Press. All rights reserved. Do not redistribute.",
            ),
        ),
        (["- Nikkei"], EndMatter("Nikkei")),
    ]:
        assert strip_end_matter([*story, *tail]) == (story, expected), tail
    assert strip_end_matter(["It fell 1.2 pct. REUTER"]) == (
        ["It fell 1.2 pct."],
        EndMatter("Reuters"),
    )
    for sentence in (
        ["Copyright law is changing, the minister said."],
        ["Reporting by the BBC showed that prices rose."],
        ["(new figures are due in May)"],
    ):
        assert strip_end_matter(sentence) == (sentence, EndMatter())


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("2012-02-22T17:00:00+0900", "2012-02-22"),
        ("May 21, 2024", "2024-05-21"),
        ("13 May 2024", "2024-05-13"),
        ("Mon, 13 May 2024 07:30:00 +0900", "2024-05-13"),
        ("2024/05/13", "2024-05-13"),
        ("2024년 5월 13일", "2024-05-13"),
        ("2024年5月13日", "2024-05-13"),
        ("Apr 10", "Apr 10"),
        ("Feb 26", "Feb 26"),
        # without a year, one form however written (wire copy's datelines)
        ("March 2", "Mar 02"),
        ("MARCH 2", "Mar 02"),
        ("MArch 2", "Mar 02"),
        ("2 March", "Mar 02"),
        ("Mar. 2", "Mar 02"),
        ("FEb 26", "Feb 26"),
        ("Feb 29", "Feb 29"),
        ("Reuters", None),
        ("2024", None),
        ("Tuesday", None),
        ("2024年2月30日", None),
    ],
)
def test_dates(text: str, iso: str | None) -> None:
    assert normalise_date(text) == iso


def test_a_wire_story_end_to_end() -> None:
    text = "HARBOUR TERMINAL DELAYED\n\nby Aiko Tanaka, Reuters\n\n" + WRAPPED + "\n"
    [article] = parse_text(text, "story.txt")
    assert (article.title, article.author, article.place, article.date, article.source) == (
        "HARBOUR TERMINAL DELAYED",
        "Aiko Tanaka",
        "OSAKA",
        "Jun 03",
        "Reuters",
    )
    assert article.body.startswith("The harbour authority said on Monday that the new container")
    assert len(article.body.split("\n")) == 3 and "Reuter" not in article.body


@pytest.mark.skipif(not REUTERS.is_dir(), reason=f"the Reuters bench corpus is not at {REUTERS}")
def test_reuters_sample() -> None:
    files = sorted(REUTERS.glob("reut-*.txt"))[::20]
    articles = [a for path in files for a in load_file(path).articles]
    stories = [a for a in articles if a.title]  # a file of only a headline has no body
    assert len(stories) > 40
    share = lambda field: sum(1 for a in stories if getattr(a, field)) / len(stories)  # noqa: E731
    assert share("place") > 0.9 and share("date") > 0.9 and share("source") > 0.9
    broken = pairs = 0
    for article in stories:
        assert not article.body.rstrip().endswith(("Reuter", "REUTER")), article.path
        paragraphs = article.body.split("\n")
        for before, after in pairwise(paragraphs):
            pairs += 1
            # a wrap left unjoined: a paragraph ends mid-clause and the next goes on in lower case
            broken += bool(re.search(r"[a-z,]$", before) and re.match(r"[a-z]", after))
    assert pairs > 200 and broken <= 0.01 * pairs


@pytest.mark.skipif(not REUTERS.is_dir(), reason=f"the Reuters bench corpus is not at {REUTERS}")
def test_names_wrapped_across_lines_are_one_mention() -> None:
    [article] = load_file(REUTERS / "reut-00004.txt").articles
    assert "Merrill Lynch, Pierce, Fenner and Smith" in article.body
    mentions, _, sentences = load_tagger().tag_text(article.body)
    assert ("Joseph Arsenio", "PERSON") in {(m.text, m.label) for m in mentions}
    assert not any("\n" in m.text for m in mentions)
    for sentence in sentences:  # a sentence ends at a paragraph's end or at its punctuation
        text = article.body[sentence.start : sentence.end].rstrip()
        assert text.endswith((".", '"', ":", "?")) or article.body[sentence.end :][:1] in ("\n", "")


# --- header blocks --------------------------------------------------------------------------------

JA = REUTERS.parent / "ja"


def test_url_and_timestamp_lines_then_the_headline() -> None:
    text = (
        "https://news.example.jp/article/12345/\n2024-05-13T07:30:00+0900\n"
        "港の新ターミナル、開業が3か月遅れる?\n港湾局は13日、新しいコンテナターミナルの開業が遅れると発表した。\n"
    )
    [article] = parse_text(text, "a.txt")
    assert (article.url, article.date) == ("https://news.example.jp/article/12345/", "2024-05-13")
    assert (
        article.title == "港の新ターミナル、開業が3か月遅れる?"
    )  # ends with "?": still the headline
    assert article.body == "港湾局は13日、新しいコンテナターミナルの開業が遅れると発表した。"


def test_key_value_header_block() -> None:
    text = (
        "Title: Harbour terminal delayed\nAuthor: By Aiko Tanaka\nPublished: May 21, 2024\n"
        "Source: Osaka Daily\nLink: https://example.com/harbour\nLanguage: English\n\n"
        "Harbour terminal delayed\n\nThe harbour authority said the terminal would open late.\n"
    )
    [article] = parse_text(text, "a.txt")
    assert article.model_dump(include={"title", "author", "date", "source", "url", "lang"}) == {
        "title": "Harbour terminal delayed",
        "author": "Aiko Tanaka",
        "date": "2024-05-21",
        "source": "Osaka Daily",
        "url": "https://example.com/harbour",
        "lang": "en",
    }
    assert article.body == "The harbour authority said the terminal would open late."


def test_yaml_front_matter() -> None:
    text = (
        "---\ntitle: Rain in Seoul\nauthors: [Kim Min-jun, Lee Seo-yeon]\ndate: 2024-05-13\n"
        "lang: ko\n---\n\nIt rained in Seoul today. More rain is expected.\n"
    )
    [article] = parse_text(text, "a.md")
    assert (article.title, article.author, article.date, article.lang) == (
        "Rain in Seoul",
        "Kim Min-jun, Lee Seo-yeon",
        "2024-05-13",
        "ko",
    )
    assert article.body == "It rained in Seoul today. More rain is expected."


def test_source_and_date_under_the_headline_is_a_newsletter_layout_not_a_digest() -> None:
    text = "Ports reopen\nNikkei - May 13, 2024\n\nThe ports reopened on Monday.\n"
    [article] = parse_text(text, "a.txt")
    assert (article.title, article.source, article.date, article.body) == (
        "Ports reopen",
        "Nikkei",
        "2024-05-13",
        "The ports reopened on Monday.",
    )


def test_a_text_without_a_header_is_untouched_by_it() -> None:
    text = "Source: officials said the talks failed.\nThey will meet again."
    [article] = parse_text(text, "a.txt")
    assert article.source is None and article.body.startswith("Source: officials")


@pytest.mark.skipif(not JA.is_dir(), reason=f"the livedoor bench corpus is not at {JA}")
def test_livedoor_sample() -> None:
    files = sorted(JA.glob("*/*-[0-9]*.txt"))[::30]
    assert len(files) >= 15
    for path in files:
        [article] = load_file(path).articles
        url, stamp, headline = path.read_text(encoding="utf-8").split("\n")[:3]
        assert (article.url, article.title) == (url, headline.strip())
        assert article.date == stamp[:10]
        assert not article.body.startswith(("http", headline))


# --- files that are not articles ------------------------------------------------------------------


def test_files_that_are_not_articles_are_skipped_in_directories(tmp_path: Path) -> None:
    for name in ("README.txt", "license.TXT", "Changes.txt", "COPYING.txt", "STORY.TXT"):
        (tmp_path / name).write_text("Some text.\n")
    found = list(discover([str(tmp_path)]))
    assert [p.name for p in found if isinstance(p, Path)] == ["STORY.TXT"]
    skipped = sorted(str(s) for s in found if isinstance(s, Skipped))
    assert len(skipped) == 4 and all("not an article; skipped" in s for s in skipped)
    assert len([p for p in discover([str(tmp_path)], all_files=True) if isinstance(p, Path)]) == 5
    named = list(discover([str(tmp_path / "README.txt")]))  # named alone: taken
    assert named == [tmp_path / "README.txt"]


def test_ingest_notes_each_skipped_file_and_exits_zero(
    tmp_path: Path, cli: Callable[..., Result]
) -> None:
    (tmp_path / "README.txt").write_text("About this folder.\n")
    (tmp_path / "story.txt").write_text("Rain\n\nIt rained in Seoul today.\n")
    result = cli("ingest", str(tmp_path), "--jobs", "1", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["new"] == 1 and len(report["skipped"]) == 1
    assert result.stderr.count("note: ") == 1 and "README.txt" in result.stderr


# --- headlines and digests ------------------------------------------------------------------------


def test_a_digest_header_shaped_first_line_is_a_headline() -> None:
    text = "LONDON ZINC 2ND RING 1252 - APR 7\n\nZinc traded at 1,252 stg in the second ring.\n"
    [article] = parse_text(text, "a.txt")
    assert (article.kind, article.title) == ("article", "LONDON ZINC 2ND RING 1252 - APR 7")
    assert article.body == "Zinc traded at 1,252 stg in the second ring."


def test_two_headers_in_a_row_are_a_digest_without_a_main_article() -> None:
    text = "Nikkei - Apr 7\nShares rose in Tokyo.\n\nKyodo - Apr 8\nIt rained in Osaka.\n"
    briefs = parse_text(text, "a.txt")
    assert [(a.kind, a.source, a.date) for a in briefs] == [
        ("brief", "Nikkei", "Apr 07"),
        ("brief", "Kyodo", "Apr 08"),
    ]


def test_a_last_line_starting_with_a_dash_is_a_source_only_when_it_reads_as_a_name() -> None:
    story = ["The match ended in a draw.", "Both coaches were pleased."]
    for tail, source in [
        ("- Nikkei", "Nikkei"),
        ("- The Japan Times", "The Japan Times"),
        ("- washingtonpost.com", "washingtonpost.com"),
        ("- The match will be shown on BBC One at 1400 GMT.", None),
        ("- Listen to the full interview on Sunday", None),
        ("- R Beattie (Northampton), G Bulloch (Glasgow)", None),
    ]:
        paragraphs, end = strip_end_matter([*story, tail])
        assert end.source == source, tail
        assert paragraphs == (story if source else [*story, tail])
