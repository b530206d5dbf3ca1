"""`corpus summary`, `mentions`, `cooccur`, `search` and `export` end to end, on the seeds tagged
by the real pipeline: exact results, --json, errors, pipes without colour, no spaCy import."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from corpus.cli import main
from corpus.ingest import Ingest, NullTagger
from corpus.store import Store

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
LINE_WORD = re.compile(r"\bLine\b(?! Friends)")


def run(db: Path, *args: str) -> Result:
    return CliRunner().invoke(main, [*args, "--db", str(db)])


def run_json(db: Path, *args: str) -> Any:
    result = run(db, *args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def seed_articles(db: Path) -> dict[str, dict[str, Any]]:
    """ "000", "001" (its main article) and "002" -> the article as `show --json` gives it."""
    rows = run_json(db, "list")
    found = {}
    for row in rows:
        if row["kind"] == "article":
            found[Path(row["path"]).name[:3]] = run_json(db, "show", row["id"])
    return found


def one_line_error(result: Result) -> str:
    assert result.exit_code == 1, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("corpus: error: "), result.stderr
    assert "Traceback" not in result.output
    return lines[0]


# --- summary ---------------------------------------------------------------------------------


def test_summary_json(tagged_db: Path) -> None:
    data = run_json(tagged_db, "summary")
    assert (data["articles"], data["kinds"]) == (19, {"brief": 16, "article": 3})
    listed = run_json(tagged_db, "list")
    assert data["words"] == sum(r["words"] for r in listed)
    assert data["dates"]["undated"] == 3 and data["dates"]["months"] == [
        {"month": "Apr", "articles": 16}
    ]
    entities = run_json(tagged_db, "entities", "--all-labels")
    assert data["entities"] == len(entities)
    assert data["mentions"] == sum(e["mentions"] for e in entities)
    org = next(label for label in data["labels"] if label["label"] == "ORG")
    top_org = [e for e in entities if e["label"] == "ORG"][:1]
    assert org["top"][0]["id"] == top_org[0]["id"] == "line"
    assert len(data["pairs"]) == 10


@pytest.mark.parametrize(
    ("kinds", "said"),
    [
        ({"article": 2127}, "2,127 articles · "),
        ({"brief": 2127}, "2,127 articles (all briefs) · "),
        ({"brief": 16, "article": 1}, "2,127 articles (16 briefs, 1 article) · "),
    ],
)
def test_the_summary_headline_counts_kinds_in_words(kinds: dict[str, int], said: str) -> None:
    from corpus.views.overview import headline

    data = {"articles": 2127, "kinds": kinds, "words": 1, "sentences": 1, "mentions": 1}
    assert headline({**data, "entities": 1}).plain.startswith(said)


def test_summary_table(tagged_db: Path) -> None:
    result = run(tagged_db, "summary")
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert text.startswith("19 articles (16 briefs, 3 articles) · ")
    for expected in ("13 sources", "Nikkei", "Apr 09 to Apr 17", "undated", "ORG", "GOV"):
        assert expected in text
    assert "strongest pairs (same sentence)" in text
    first = run_json(tagged_db, "summary")["pairs"][0]
    row = (
        rf"{first['a_name']} {first['a_label']}\s+{first['b_name']} {first['b_label']}"
        rf"\s+{first['count']}\s+{first['pmi']:.2f}\s+{first['npmi']:.2f}"
    )
    assert re.search(row, text), text


# --- mentions --------------------------------------------------------------------------------


def test_mentions_line_finds_every_line_in_001_and_002(tagged_db: Path) -> None:
    rows = run_json(tagged_db, "mentions", "Line")
    seeds = seed_articles(tagged_db)
    expected = [
        (seeds[name]["id"], m.start())
        for name in ("000", "001", "002")
        for m in LINE_WORD.finditer(seeds[name]["body"])
    ]
    assert [(r["article"], r["start"]) for r in rows] == expected
    per_article = {
        name: sum(1 for r in rows if r["article"] == a["id"]) for name, a in seeds.items()
    }
    assert per_article["001"] == 7 and per_article["002"] == 15
    assert {r["entity"] for r in rows} == {"line"} and {r["text"] for r in rows} == {"Line"}


def test_mentions_table_is_aligned(tagged_db: Path) -> None:
    result = run(tagged_db, "mentions", "LINE", "--width", "20")
    assert result.exit_code == 0, result.output
    title, *lines = result.stdout.splitlines()
    assert re.fullmatch(r"LINE \(line, ORG\): \d+ mentions in 3 articles", title)
    assert lines and all(line[14 + 20 : 14 + 24] == "Line" for line in lines), lines
    assert all(re.fullmatch(r"[0-9a-f]{12}  .{20}Line.{0,20}", line) for line in lines)
    seeds = seed_articles(tagged_db)
    assert f"{seeds['002']['id']}    Mobile messengers Line and Kakao are on th" in lines


@pytest.mark.parametrize("name", ["kakaotalk", "KAKAO", "Kakao", "kakaostory"])
def test_mentions_by_alias_any_case(tagged_db: Path, name: str) -> None:
    rows = run_json(tagged_db, "mentions", name)
    assert rows and {r["entity"] for r in rows} == {"kakao"}
    assert {r["text"] for r in rows} == {"Kakao", "Kakaotalk", "KakaoStory"}


def test_mentions_label_narrows_the_lookup(tagged_db: Path) -> None:
    assert {r["entity"] for r in run_json(tagged_db, "mentions", "Korea", "--label", "gpe")} == {
        "gpe:south korea"
    }
    error = one_line_error(run(tagged_db, "mentions", "Naver", "--label", "PERSON"))
    assert "no PERSON entity 'Naver'" in error


def test_mentions_unknown_entity_suggests(tagged_db: Path) -> None:
    error = one_line_error(run(tagged_db, "mentions", "Softbnak"))
    assert error.startswith(
        "corpus: error: no entity 'Softbnak'; closest: SoftBank Group (softbank"
    )


# --- cooccur ---------------------------------------------------------------------------------


def test_cooccur_naver_and_softbank_in_seed_000(tagged_db: Path) -> None:
    pairs = run_json(tagged_db, "cooccur", "Naver")
    pair = next(p for p in pairs if (p["a"], p["b"]) == ("naver", "softbank"))
    assert pair["count"] == 1 and pair["b_name"] == "SoftBank Group"
    assert all("naver" in (p["a"], p["b"]) for p in pairs)
    by_article = run_json(tagged_db, "cooccur", "naver", "--by", "article")
    assert next(p for p in by_article if p["b"] == "softbank")["count"] == 2


def test_cooccur_table(tagged_db: Path) -> None:
    result = run(tagged_db, "cooccur", "--label", "ORG", "--min-count", "2")
    assert result.exit_code == 0, result.output
    pairs = run_json(tagged_db, "cooccur", "--label", "ORG", "--min-count", "2")
    sentences = run_json(tagged_db, "summary")["sentences"]
    title = f"{len(pairs)} pairs in the same sentence ({sentences} sentences)"
    assert result.stdout.startswith(title)
    assert len(pairs) >= 2 and {p["a_label"] for p in pairs} == {p["b_label"] for p in pairs} == {
        "ORG"
    }
    for p in pairs:
        row = rf"{p['a_name']} ORG\s+│ {p['b_name']} ORG\s+│\s+{p['count']} │\s+{p['pmi']:.2f} │"
        assert re.search(row, result.stdout), result.stdout
    assert ("kakao", "line") in {(p["a"], p["b"]) for p in pairs}
    assert ("ly-corp", "softbank") in {(p["a"], p["b"]) for p in pairs}


def test_cooccur_top_and_format_json_agree(tagged_db: Path) -> None:
    top = run_json(tagged_db, "cooccur", "--top", "3")
    same = json.loads(run(tagged_db, "cooccur", "--top", "3", "--format", "json").stdout)
    assert top == same == run_json(tagged_db, "cooccur")[:3]
    assert (top[0]["a"], top[0]["b"]) == ("kakao", "line")


def test_cooccur_unknown_entity(tagged_db: Path) -> None:
    assert "no entity 'Nvaer'" in one_line_error(run(tagged_db, "cooccur", "Nvaer"))


# --- search ----------------------------------------------------------------------------------


def test_search_kakao_finds_002_only(tagged_db: Path) -> None:
    seeds = seed_articles(tagged_db)
    rows = run_json(tagged_db, "search", "Kakao")
    assert [r["id"] for r in rows] == [seeds["002"]["id"]]
    result = run(tagged_db, "search", "Kakao")
    assert result.exit_code == 0
    assert result.stdout.startswith("1 article match 'Kakao'")
    assert "Mobile messengers Line and Kakao are on the verge" in result.stdout
    assert "BusinessKorea" in result.stdout


def test_search_filters_by_entity_and_source(tagged_db: Path) -> None:
    seeds = seed_articles(tagged_db)
    naver = {r["id"] for r in run_json(tagged_db, "search", "data", "--entity", "Naver")}
    assert naver == {seeds["000"]["id"], seeds["001"]["id"]}
    nikkei = run_json(tagged_db, "search", "Japanese", "--source", "NIKKEI")
    assert nikkei and {r["source"] for r in nikkei} == {"Nikkei"}


def test_search_malformed_query_is_one_line(tagged_db: Path) -> None:
    error = one_line_error(run(tagged_db, "search", "LY Corp."))
    assert "malformed search query 'LY Corp.'" in error and "--phrase" in error
    seeds = seed_articles(tagged_db)
    rows = run_json(tagged_db, "search", "LY Corp.", "--phrase")
    assert [r["id"] for r in rows] == [seeds["000"]["id"]]


# --- article text is data --------------------------------------------------------------------


def test_markup_and_escapes_in_text_are_printed_literally(db: Path, tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(
        "Odd [bold]title[/bold]\n\nKakao said [red]hello[/red] and \x1b[31mred\x1b[0m things.\n",
        "utf-8",
    )
    tagger = NullTagger()
    with Store.open(db) as store:
        Ingest(store, lambda: tagger, tagger.fingerprint).run([str(tmp_path / "a.txt")])
    result = run(db, "search", "Kakao")
    assert result.exit_code == 0, result.output
    assert "Odd [bold]title[/bold]" in result.stdout
    assert "[red]hello[/red]" in result.stdout
    assert "\x1b" not in result.stdout and "\\x1b[31mred" in result.stdout


# --- pipes and imports -----------------------------------------------------------------------

READ_COMMANDS = [
    ["summary"],
    ["mentions", "Line"],
    ["cooccur"],
    ["cooccur", "naver", "--format", "graphml"],
    ["cooccur", "--format", "dot"],
    ["search", "Kakao"],
    ["export", "--format", "csv"],
]


def test_read_commands_do_not_import_spacy(tagged_db: Path) -> None:
    script = (
        "import sys, json\nfrom corpus.cli import main\n"
        "for args in json.loads(sys.argv[1]):\n"
        "    try:\n        main(args, standalone_mode=False)\n"
        "    except SystemExit:\n        pass\n"
        "print('spacy' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script, json.dumps(READ_COMMANDS)],
        capture_output=True,
        text=True,
        env={"CORPUS_DB": str(tagged_db), "PATH": "/usr/bin:/bin"},
        check=True,
    )
    assert out.stdout.strip().splitlines()[-1] == "False"


@pytest.mark.parametrize("args", READ_COMMANDS[:3] + READ_COMMANDS[5:6])
def test_pipe_output_has_no_colour(tagged_db: Path, args: list[str]) -> None:
    env = {**os.environ, "CORPUS_DB": str(tagged_db), "TERM": "xterm-256color"}
    env.pop("NO_COLOR", None)
    out = subprocess.run(
        [sys.executable, "-m", "corpus", *args], capture_output=True, text=True, env=env, timeout=60
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout and "\x1b[" not in out.stdout and "\x1b[" not in out.stderr


def test_store_without_entities(db: Path) -> None:
    tagger = NullTagger()
    with Store.open(db) as store:
        Ingest(store, lambda: tagger, tagger.fingerprint).run([str(SEEDS)])
    result = run(db, "summary")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("19 articles (16 briefs, 3 articles) · ")
    assert "0 mentions of 0 entities" in result.stdout and "top entities" not in result.stdout
    assert run_json(db, "cooccur") == []
    error = one_line_error(run(db, "mentions", "Line"))
    assert error == "corpus: error: no entity 'Line'; `corpus entities` lists them"


def test_export_to_an_unwritable_place(tagged_db: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("", "utf-8")
    error = one_line_error(run(tagged_db, "export", "--out", str(blocker / "out.jsonl")))
    assert error.startswith(f"corpus: error: {blocker / 'out.jsonl'}: cannot write: ")


def test_missing_store_is_one_line_error(tmp_path: Path) -> None:
    for args in (["summary"], ["mentions", "x"], ["cooccur"], ["search", "x"], ["export"]):
        error = one_line_error(run(tmp_path / "none.db", *args))
        assert "no store here yet" in error


VALUES = {"DATE", "TIME", "CARDINAL", "ORDINAL", "QUANTITY", "MONEY", "PERCENT"}


def shown_labels(db: Path, command: str, *args: str) -> set[str]:
    """The labels of the entities `command` shows, from its JSON."""
    if command == "summary":
        data = run_json(db, "summary", "--pairs", "30", *args)
        pairs = {p[side] for p in data["pairs"] for side in ("a_label", "b_label")}
        return {g["label"] for g in data["labels"]} | pairs
    if command == "cooccur":
        rows = run_json(db, "cooccur", "--top", "200", *args)
        return {p[side] for p in rows for side in ("a_label", "b_label")}
    if command == "report":
        from corpus.labels import Labels
        from corpus.report import Filters, build_report
        from corpus.store import Store

        chosen = [a for a in args if a != "--label" and a != "--all-labels"]
        labels = Labels.of(chosen, "--all-labels" in args)
        with Store.open(db, readonly=True) as store:
            return {row[2] for row in build_report(store, Filters(labels=labels)).data["entities"]}
    return {row["label"] for row in run_json(db, command, *args)}


@pytest.mark.parametrize("command", ["entities", "summary", "cooccur", "report"])
def test_names_first_everywhere(tagged_db: Path, command: str) -> None:
    names = shown_labels(tagged_db, command)
    assert names and not names & VALUES and {"ORG", "GOV"} <= names
    everything = shown_labels(tagged_db, command, "--all-labels")
    assert everything & VALUES and names < everything
    picked = shown_labels(tagged_db, command, "--label", "gov", "--label", "DATE")
    assert picked == {"GOV", "DATE"}
    help_text = run(tagged_db, command, "--help").stdout
    assert "--all-labels" in help_text and "--label LABEL" in help_text
