"""Merges: across articles where the corpus is sure, by hand, undone, and kept across retag."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from corpus.gazetteer import parse_gazetteer

Cli = Callable[..., Result]

ARTICLES = {
    "a.txt": "SoftBank chief\n\nSoftBank Corp chief executive Junichi Miyakawa said in Tokyo that "
    "the company would keep its stake in the venture.\n",
    "b.txt": "Miyakawa stays\n\nSoftBank said in Tokyo on Monday that Mr. Miyakawa would stay on "
    "as chief executive for two more years.\n",
    "c.txt": "Kakao founder\n\nKakao founder Kim Beom-su met Kim Do-hyun, a lawmaker, in Seoul on "
    "Tuesday to discuss the bill.\n",
    "d.txt": "Kim again\n\nKim said on Friday that the vote in the National Assembly would be "
    "close.\n",
    "e.txt": "Cabinet row\n\nLord Armstrong told BBC Two's Newsnight in London that the Cabinet "
    "Office had been wrong.\n",
    "f.txt": "Leeds win\n\nBill Armstrong scored twice for Leeds against Hull at Elland Road on "
    "Saturday.\n",
}


@pytest.fixture
def ingested(cli: Cli, tmp_path: Path) -> Cli:
    folder = tmp_path / "articles"
    folder.mkdir()
    for name, text in ARTICLES.items():
        (folder / name).write_text(text, encoding="utf-8")
    result = cli("ingest", folder, "--jobs", "1")
    assert result.exit_code == 0, result.output
    return cli


def entity_rows(cli: Cli) -> dict[str, dict[str, object]]:
    result = cli("entities", "--label", "PERSON", "--json")
    assert result.exit_code == 0, result.output
    return {str(row["id"]): row for row in json.loads(result.stdout)}


def checked(cli: Cli) -> None:
    result = cli("check")
    assert result.exit_code == 0, result.output  # aggregates recounted from the rows agree


def test_a_short_name_joins_the_corpus_only_fuller_name(ingested: Cli) -> None:
    people = entity_rows(ingested)
    assert "person:miyakawa" not in people
    assert people["person:junichi miyakawa"]["mentions"] == 2
    assert people["person:junichi miyakawa"]["articles"] == 2
    merges = json.loads(ingested("merges", "--json").stdout)
    assert [(m["source"], m["how"]) for m in merges] == [("person:miyakawa", "auto")]
    checked(ingested)


def test_an_ambiguous_short_name_is_only_a_candidate(ingested: Cli) -> None:
    people = entity_rows(ingested)
    assert people["person:kim"]["mentions"] == 1
    result = ingested("entities", "--candidates", "--json")
    pairs = {(row["a"], row["b"]) for row in json.loads(result.stdout)}
    assert ("person:kim", "person:kim beom-su") in pairs
    assert ("person:kim", "person:kim do-hyun") in pairs


def test_a_short_name_from_another_story_is_only_a_candidate(ingested: Cli) -> None:
    people = entity_rows(ingested)
    lord = [i for i in people if i.endswith("armstrong") and i != "person:bill armstrong"]
    assert lord and "person:bill armstrong" in people  # "Lord Armstrong" stays apart
    result = ingested("entities", "--candidates", "--json")
    pairs = {(row["a"], row["b"]) for row in json.loads(result.stdout)}
    assert (lord[0], "person:bill armstrong") in pairs


def test_merge_by_hand_then_unmerge(ingested: Cli) -> None:
    result = ingested("merge", "person:kim", "--into", "Kim Do-hyun")
    assert result.exit_code == 0, result.output
    people = entity_rows(ingested)
    assert "person:kim" not in people and people["person:kim do-hyun"]["mentions"] == 2
    mentions = json.loads(ingested("mentions", "Kim Do-hyun", "--json").stdout)
    assert {row["text"] for row in mentions} == {"Kim", "Kim Do-hyun"}
    checked(ingested)
    assert ingested("retag").exit_code == 0  # kept across re-tagging
    assert entity_rows(ingested)["person:kim do-hyun"]["mentions"] == 2
    checked(ingested)
    result = ingested("unmerge", "person:kim")
    assert result.exit_code == 0, result.output
    people = entity_rows(ingested)
    assert people["person:kim"]["mentions"] == 1 and people["person:kim do-hyun"]["mentions"] == 1
    checked(ingested)


def test_an_auto_merge_undone_by_hand_stays_apart(ingested: Cli) -> None:
    assert ingested("unmerge", "person:junichi miyakawa").exit_code == 0
    assert ingested("retag").exit_code == 0
    people = entity_rows(ingested)
    assert people["person:miyakawa"]["mentions"] == 1
    merges = json.loads(ingested("merges", "--json").stdout)
    assert [(m["source"], m["how"]) for m in merges] == [("person:miyakawa", "apart")]


def test_merges_export_as_a_gazetteer(ingested: Cli) -> None:
    assert ingested("merge", "person:kim", "--into", "person:kim beom-su").exit_code == 0
    text = ingested("merges", "--gazetteer").stdout
    gazetteer = parse_gazetteer(text.encode(), source="export")
    # "Kim" alone names many people: as an alias it would make each of them Kim Beom-su.
    assert set(gazetteer.entities["person:kim beom-su"].aliases) == {"Kim Beom-su"}
    assert '# left out, a part of the name that names others too: "Kim"' in text
    (miyakawa,) = [e for e in gazetteer.entities.values() if e.id == "person:junichi miyakawa"]
    assert set(miyakawa.aliases) == {"Junichi Miyakawa"}  # not "Mr. Miyakawa" nor "Miyakawa"


def test_bad_merges_are_one_line_errors(ingested: Cli) -> None:
    for args in (
        ["merge", "person:nobody", "--into", "person:kim"],
        ["merge", "person:kim", "--into", "person:kim"],
        ["unmerge", "person:kim"],
    ):
        result = ingested(*args)
        assert result.exit_code == 1, args
        assert result.stderr.startswith("corpus: error: ") and len(result.stderr.splitlines()) == 1


def test_a_title_of_the_other_gender_is_not_merged_across_articles(
    cli: Cli, tmp_path: Path
) -> None:
    folder = tmp_path / "howards"
    folder.mkdir()
    (folder / "a.txt").write_text(
        "Campaign\n\nMichael Howard spoke with Liam Fox and Oliver Letwin on Monday about taxes.\n"
    )
    (folder / "b.txt").write_text(
        "Visits\n\nMrs Howard met voters with Liam Fox and Oliver Letwin on Tuesday.\n"
    )
    (folder / "c.txt").write_text(
        "Rally\n\nMr Blunkett spoke in Sheffield and Leeds. David Blunkett was cheered.\n"
    )
    (folder / "d.txt").write_text("Leeds\n\nMr Blunkett returned to Sheffield and Leeds.\n")
    assert cli("ingest", folder, "--jobs", "1").exit_code == 0
    made = {m["source"]: m["target"] for m in json.loads(cli("merges", "--json").stdout)}
    assert "person:mrs howard" not in made  # the same company, but "Michael" is a man's name
    assert entity_rows(cli)["person:mrs howard"]["mentions"] == 1
    assert made.get("person:blunkett") == "person:david blunkett"  # the control: merged
