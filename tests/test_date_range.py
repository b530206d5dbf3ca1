"""--since and --until on every read command (list, search, entities, cooccur, summary,
mentions, export): ISO days, inclusive; articles without a full date are left out of any
range."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

STORIES = {
    "march.txt": ("2024-03-10", "Naver and SoftBank met in Tokyo on Monday."),
    "april.txt": ("2024-04-15", "Naver and LY Corporation talked in Seoul about Line."),
    "may.txt": ("May 21, 2024", "SoftBank and LY Corporation met in Osaka about Line."),
    "undated.txt": (None, "Naver and SoftBank met again in Busan about Line."),
    "yearless.txt": ("Apr 10", "Naver and Kakao met in Seoul about Line."),
}

Cli = Callable[..., Result]


@pytest.fixture
def dated(tmp_path: Path, cli: Cli) -> Cli:
    folder = tmp_path / "stories"
    folder.mkdir()
    for name, (date, body) in STORIES.items():
        header = f"Date: {date}\n" if date else ""
        (folder / name).write_text(f"{header}Talks on {name[:-4]}\n\n{body}\n")
    assert cli("ingest", str(folder), "--jobs", "1").exit_code == 0
    return cli


def listed(cli: Cli, *args: str) -> list[str]:
    result = cli("list", "--json", *args)
    assert result.exit_code == 0, result.output
    return sorted(str(row["date"]) for row in json.loads(result.stdout))


def test_list_by_date_range(dated: Cli) -> None:
    assert listed(dated) == ["2024-03-10", "2024-04-15", "2024-05-21", "Apr 10", "None"]
    assert listed(dated, "--since", "2024-04-01") == ["2024-04-15", "2024-05-21"]
    assert listed(dated, "--until", "2024-04-15") == ["2024-03-10", "2024-04-15"]
    assert listed(dated, "--since", "2024-04-15", "--until", "2024-04-15") == ["2024-04-15"]


def test_search_entities_and_cooccur_by_date_range(dated: Cli) -> None:
    found = json.loads(dated("search", "Line", "--json", "--since", "2024-05-01").stdout)
    assert [row["date"] for row in found] == ["2024-05-21"]
    everyone = json.loads(dated("entities", "--json").stdout)
    april = json.loads(
        dated("entities", "--json", "--since", "2024-04-01", "--until", "2024-04-30").stdout
    )
    names = {row["name"] for row in april}
    assert "Kakao" in {row["name"] for row in everyone} and "Kakao" not in names
    assert all(row["articles"] == 1 for row in april)
    pairs = json.loads(dated("cooccur", "--json", "--until", "2024-03-31").stdout)
    named = {name for p in pairs for name in (p["a_name"], p["b_name"])}
    [march] = json.loads(dated("list", "--json", "--until", "2024-03-31").stdout)
    in_march = json.loads(dated("entities", "--json", "--article", march["id"]).stdout)
    assert named and named <= {row["name"] for row in in_march}  # the March story's pairs only
    assert any({p["a"], p["b"]} == {"naver", "softbank"} for p in pairs)


def test_summary_mentions_and_export_by_date_range(dated: Cli) -> None:
    spring = ("--since", "2024-04-01", "--until", "2024-05-31")
    summary = json.loads(dated("summary", "--json", *spring).stdout)
    assert summary["articles"] == 2 and summary["dates"]["first"] == "2024-04-15"
    assert json.loads(dated("summary", "--json").stdout)["articles"] == 5
    lines = json.loads(dated("mentions", "Line", "--json", *spring).stdout)
    assert len({row["article"] for row in lines}) == 2
    exported = dated("export", *spring).stdout.splitlines()
    assert sorted(json.loads(line)["date"] for line in exported) == ["2024-04-15", "2024-05-21"]


@pytest.mark.parametrize(
    "args",
    [
        ("--since", "2024-13-01"),
        ("--until", "April"),
        ("--since", "2024-05-01", "--until", "2024-04-01"),
    ],
)
def test_bad_dates_are_usage_errors(dated: Cli, args: tuple[str, ...]) -> None:
    commands = (("list",), ("search", "Line"), ("entities",), ("cooccur",), ("summary",))
    for command in (*commands, ("mentions", "Line"), ("export",), ("report",)):
        result = dated(*command, *args)
        assert result.exit_code == 2, (command, result.output)
        assert "Traceback" not in result.output
