"""Names people read: an entity is named by its most frequent form, kept exact by every write."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

import pytest
from click.testing import Result

from corpus import naming
from corpus.migrations import MIGRATIONS
from corpus.naming import choose, name_key
from corpus.store import Store

Cli = Callable[..., Result]


@pytest.mark.parametrize(
    ("entity_id", "label", "forms", "name"),
    [
        ("gpe:tokyo", "GPE", [("TOKYO", 3), ("Tokyo", 1)], "Tokyo"),  # mixed case first
        ("gpe:new york", "GPE", [("NEW YORK", 2)], "NEW YORK"),  # no other form
        ("ordinal:first", "ORDINAL", [("First", 3), ("first", 1)], "first"),
        ("cardinal:two", "CARDINAL", [("Two", 2)], "two"),  # a number word opens a sentence
        ("date:tuesday", "DATE", [("Tuesday", 2)], "Tuesday"),  # never written in lower case
        ("date:friday", "DATE", [("Friday", 180), ("friday", 1)], "Friday"),  # BBC's counts
        ("date:last year", "DATE", [("Last year", 52), ("last year", 295)], "last year"),
        ("date:today", "DATE", [("Today", 2), ("today", 2)], "today"),  # a tie: lower case
        ("quantity:5 mw", "QUANTITY", [("5 MW", 1)], "5 MW"),
        # A person joined by surname keeps the form that spells the id, however rare.
        (
            "person:takeshi idezawa",
            "PERSON",
            [("Idezawa", 5), ("Takeshi Idezawa", 1)],
            "Takeshi Idezawa",
        ),
        ("org:naver", "ORG", [("Naver Corp", 2), ("Naver", 1), ("NAVER", 4)], "Naver Corp"),
        ("org:bbc", "ORG", [("the BBC's", 2), ("BBC", 1)], "BBC"),  # one name, three mentions
        ("person:kim", "PERSON", [("Kim", 1), ("Kim", 0)], "Kim"),
        ("gpe:東京", "GPE", [("東京", 2), ("TOKYO", 1)], "東京"),  # no case: not ALL CAPS
        ("org:cia", "ORG", [("CIA", 60), ("Cia", 2)], "CIA"),  # an acronym: by frequency
        ("org:nato", "ORG", [("NATO", 2), ("Nato", 5)], "Nato"),  # the BBC's spelling
        ("org:grand theft auto", "ORG", [("Grand Theft Auto:", 3)], "Grand Theft Auto"),
        ("org:social security", "ORG", [('"Social Security', 3)], "Social Security"),
        ("org:warner bros", "ORG", [("Warner Bros.", 2)], "Warner Bros."),
        ("work_of_art:x (y)", "WORK_OF_ART", [("X (Y)", 1)], "X (Y)"),
        ("org:x", "ORG", [], None),
    ],
)
def test_a_name_is_the_most_frequent_readable_form(
    entity_id: str, label: str, forms: list[tuple[str, int]], name: str | None
) -> None:
    assert choose(entity_id, label, forms) == name


def test_a_korean_name_written_apart_has_the_hyphenated_key() -> None:
    assert name_key("Choi Won Sik", "PERSON") == name_key("Choi Won-sik", "PERSON")
    assert name_key("Choi Won Sik's", "PERSON") == "choi won-sik"
    assert name_key("Lee Ann Rimes", "PERSON") == "lee ann rimes"  # not Korean syllables
    assert name_key("Kim Do Hyun", "ORG") == "kim do hyun"  # a person's name only


def test_ties_do_not_depend_on_order() -> None:
    forms = [("Seoul", 2), ("SEOUL", 2), ("seoul", 2)]
    assert {choose("gpe:seoul", "GPE", order) for order in (forms, forms[::-1])} == {"Seoul"}


ARTICLES = {
    "a.txt": "Caps headline\n\nShares in TOKYO STOCK EXCHANGE firms fell. Dealers in TOKYO said "
    "First, the yen rose. Traders in TOKYO sold two lots.\n",
    "b.txt": "Rain\n\nIt rained in Tokyo for the first time in weeks, and First, the trains "
    "stopped. Brokers in TOKYO went home.\n",
}


def names(db: Path) -> dict[str, str]:
    with closing(sqlite3.connect(db)) as conn:
        return dict(conn.execute("SELECT id, name FROM entities ORDER BY id"))


def write(folder: Path, files: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def checked(cli: Cli) -> None:
    result = cli("check")
    assert result.exit_code == 0, result.output


def test_names_are_chosen_from_the_whole_store_in_any_order(
    cli: Cli, db: Path, tmp_path: Path
) -> None:
    folder = write(tmp_path / "articles", ARTICLES)
    assert cli("ingest", folder, "--jobs", "1").exit_code == 0
    chosen = names(db)
    assert chosen["gpe:tokyo"] == "Tokyo"  # TOKYO x4, Tokyo x1
    assert chosen["ordinal:first"] == "first"
    checked(cli)
    # The same files, one ingest each, the other way round: the same names.
    other = tmp_path / "other.db"
    for name in sorted(ARTICLES, reverse=True):
        one = write(tmp_path / f"only-{name}", {name: ARTICLES[name]})
        assert cli("ingest", one, "--jobs", "1", "--db", other).exit_code == 0
    assert {k: v for k, v in names(other).items() if k in chosen} == chosen
    # Replaced: the last mixed-case Tokyo goes, and the name with it.
    (folder / "b.txt").write_text(ARTICLES["b.txt"].replace("in Tokyo", "at home"), "utf-8")
    assert cli("ingest", folder, "--jobs", "1").exit_code == 0
    assert names(db)["gpe:tokyo"] == "TOKYO"
    checked(cli)


KIMS = {
    "c.txt": "Kakao founder\n\nKakao founder Kim Beom-su met Kim Do-hyun, a lawmaker, in Seoul on "
    "Tuesday to discuss the bill.\n",
    "d.txt": "Kim again\n\nKim said on Friday that the vote would be close. Kim said the bill "
    "would pass. Kim said so twice.\n",
}


def test_a_merged_entity_keeps_the_name_of_its_target(cli: Cli, db: Path, tmp_path: Path) -> None:
    assert cli("ingest", write(tmp_path / "kims", KIMS), "--jobs", "1").exit_code == 0
    assert names(db)["person:kim"] == "Kim"
    assert cli("merge", "person:kim", "--into", "person:kim do-hyun").exit_code == 0
    rows = json.loads(cli("entities", "--label", "PERSON", "--json").stdout)
    (merged,) = [row for row in rows if row["id"] == "person:kim do-hyun"]
    assert merged["mentions"] == 4 and merged["aliases"][0] == "Kim"  # the most frequent form
    assert merged["name"] == "Kim Do-hyun"  # but not its name
    checked(cli)
    assert cli("unmerge", "person:kim").exit_code == 0
    assert names(db)["person:kim"] == "Kim"
    checked(cli)


def test_check_flags_a_stale_name_and_repair_renames(cli: Cli, db: Path, tmp_path: Path) -> None:
    assert cli("ingest", write(tmp_path / "articles", ARTICLES), "--jobs", "1").exit_code == 0
    with closing(sqlite3.connect(db)) as conn:
        conn.execute("UPDATE entities SET name = 'TOKYO' WHERE id = 'gpe:tokyo'")
        conn.commit()
    result = cli("check")
    assert result.exit_code == 1
    assert "1 entity name not chosen from their forms (first gpe:tokyo: 'TOKYO' stored" in (
        result.stdout
    )
    assert cli("check", "--repair").exit_code == 0
    assert names(db)["gpe:tokyo"] == "Tokyo"


def test_the_migration_renames_a_store_written_before_it(
    cli: Cli, db: Path, tmp_path: Path
) -> None:
    assert cli("ingest", write(tmp_path / "articles", ARTICLES), "--jobs", "1").exit_code == 0
    chosen = names(db)
    with closing(sqlite3.connect(db)) as conn:
        # What the smallest form made them, as stores before names were chosen hold.
        conn.execute(
            "UPDATE entities SET name = (SELECT min(a.text) FROM entity_aliases a "
            "JOIN entity_counts c ON c.key = a.entity WHERE c.entity_id = entities.id) "
            "WHERE kind IS NULL AND id IN (SELECT entity_id FROM entity_counts)"
        )
        conn.execute(f"PRAGMA user_version = {MIGRATIONS.index([naming.rename_all])}")
        conn.commit()
    assert names(db)["gpe:tokyo"] == "TOKYO"
    Store.open(db).close()  # a writable open migrates
    assert names(db) == chosen
