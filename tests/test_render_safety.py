"""Article text is data: rich markup, ANSI escapes and control characters print literally.

The store is filled from a file whose title, body, brief source and file name carry markup and
escape sequences, tagged by a small stand-in tagger whose entity names and aliases carry them
too, so that every view meets them. Output goes to click's runner (not a terminal, so the tool
itself emits no escape codes): any ESC, BEL, backspace or CSI in it came from the data.
"""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
from collections.abc import Callable, Iterable, Iterator
from contextlib import closing
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from corpus.cli import main
from corpus.ingest import Ingest
from corpus.models import Article, Entity, Mention, Sentence, TaggedArticle
from corpus.store import Store

TITLE = "[bold red]Breaking[/bold red] \x1b[31mNews\x1b[0m"
SAMSUNG = "[link=https://evil.example]Samsung Electronics[/link]"
HYUNDAI = "Hyundai \x1b[2JMotor"
BODY = (
    f"Officials at {SAMSUNG} and {HYUNDAI} said on Monday that prices rose.\n"
    "The terminal title escape \x1b]0;pwned\x07 appeared in a report, with a bell\x07 too.\n"
    "A backspace\x08 and a CSI \x9b31m and \u202ereversed\u202c text were found in prices."
)
BRIEF_SOURCE = "[blink]Evil\x1b[5mWire"
BRIEF = "Markets fell [bold]sharply[/bold] as prices \x1b[7mrose\x1b[27m again."
FILE_NAME = "[bold]report[red] \x1b]0;title\x07.txt"  # no "/": it separates directories
FILE_TEXT = f"{TITLE}\n\n{BODY}\n\n{BRIEF_SOURCE} - Apr 10\n{BRIEF}\n"
# With a kind, as gazetteer entries have, the entities keep these names (`corpus.naming` names
# the others after their surface forms, which are hostile too).
ENTITIES = {
    SAMSUNG: Entity(
        id="org:samsung", name="[bold red]Samsung[/bold red]", label="ORG", kind="[i]company"
    ),
    HYUNDAI: Entity(id="org:hyundai", name="Hyundai\x1b[5m Motor", label="ORG", kind="company"),
}
RAW_CONTROLS = ("\x1b", "\x07", "\x08", "\x9b", "\u202e")
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e]")
SENTENCE = re.compile(r"[^\n]+")  # each line of the texts above is one sentence


class MarkupTagger:
    """Tags the fixed aliases above wherever they occur; each line is a sentence."""

    fingerprint = "markup-test"

    def tag(
        self, articles: Iterable[Article], *, batch_size: int = 64, n_process: int = 1
    ) -> Iterator[TaggedArticle]:
        for article in articles:
            mentions = [
                Mention(
                    text=alias, label=entity.label, start=m.start(), end=m.end(), entity=entity.id
                )
                for alias, entity in ENTITIES.items()
                for m in re.finditer(re.escape(alias), article.body)
            ]
            sentences = [
                Sentence(start=m.start(), end=m.end(), rank=rank)
                for rank, m in enumerate(SENTENCE.finditer(article.body))
            ]
            yield TaggedArticle(
                article=article,
                mentions=sorted(mentions, key=lambda m: m.start),
                entities=[e for a, e in ENTITIES.items() if a in article.body],
                sentences=sentences,
                fingerprint=self.fingerprint,
            )


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(store, file): the hostile file ingested with the markup tagger."""
    folder = tmp_path_factory.mktemp("hostile")
    path = folder / FILE_NAME
    path.write_text(FILE_TEXT, encoding="utf-8")
    db = folder / "corpus.db"
    tagger = MarkupTagger()
    with Store.open(db) as store:
        report = Ingest(store, lambda: tagger, tagger.fingerprint).run([str(path)])
    assert (report.new, report.failed) == (2, [])
    return db, path


def run(db: Path, *args: str, input: str | None = None) -> Result:
    env = {"CORPUS_DB": str(db), "COLUMNS": "400"}
    return CliRunner().invoke(main, list(args), env=env, input=input)


def article_id(db: Path, kind: str) -> str:
    with closing(sqlite3.connect(db)) as conn:
        row = conn.execute("SELECT id FROM articles WHERE kind = ?", (kind,)).fetchone()
        return str(row[0])


def assert_literal(output: str, *fragments: str) -> None:
    """No raw control characters in output, and each (visible) fragment in it as written."""
    for control in RAW_CONTROLS:
        assert control not in output, f"raw {control!r} in output"
    for fragment in fragments:
        assert fragment in output, f"{fragment!r} not in output"


def visible(text: str) -> str:
    """How text must print: control and bidi characters as escapes like \\x1b, the rest as is."""
    return CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


# --- tables and panels -----------------------------------------------------------------------


Case = tuple[list[str], list[str]]
CASES: dict[str, Callable[[Path], Case]] = {
    "list": lambda db: (["list"], [TITLE, BRIEF_SOURCE]),
    "list --summaries": lambda db: (["list", "--summaries"], [TITLE, "[bold]sharply[/bold]"]),
    "show": lambda db: (
        ["show", article_id(db, "article")],
        [TITLE, SAMSUNG, HYUNDAI, "escape \x1b]0;pwned\x07 appeared", "CSI \x9b31m", FILE_NAME],
    ),
    "show brief": lambda db: (["show", article_id(db, "brief")], [BRIEF_SOURCE, BRIEF]),
    "entities": lambda db: (
        ["entities"],
        [ENTITIES[SAMSUNG].name, ENTITIES[HYUNDAI].name, SAMSUNG],
    ),
    "summary": lambda db: (["summary"], [ENTITIES[SAMSUNG].name, BRIEF_SOURCE]),
    "mentions": lambda db: (["mentions", "org:samsung"], [SAMSUNG]),
    "cooccur": lambda db: (["cooccur"], [ENTITIES[SAMSUNG].name, ENTITIES[HYUNDAI].name]),
    "search": lambda db: (["search", "prices"], [TITLE]),
}


@pytest.mark.parametrize("case", CASES)
def test_text_prints_literally(hostile: tuple[Path, Path], case: str) -> None:
    db, _ = hostile
    args, fragments = CASES[case](db)
    result = run(db, *args)
    assert result.exit_code == 0, result.output
    assert_literal(result.stdout + result.stderr, *(visible(f) for f in fragments))


@pytest.mark.parametrize(
    "args", [["list", "--json"], ["show", "ARTICLE", "--json"], ["entities", "--json"]]
)
def test_json_escapes_controls_and_keeps_the_text(
    hostile: tuple[Path, Path], args: list[str]
) -> None:
    db, path = hostile
    args = [article_id(db, "article") if a == "ARTICLE" else a for a in args]
    result = run(db, *args)
    assert result.exit_code == 0, result.output
    for control in ("\x1b", "\x07", "\x08"):
        assert control not in result.stdout
    data = json.loads(result.stdout)
    if args[0] == "list":
        assert TITLE in {row["title"] for row in data}
        assert str(path) in {row["path"] for row in data}
    elif args[0] == "show":
        assert (data["title"], data["body"], data["path"]) == (TITLE, BODY, str(path))
    else:
        assert {row["name"] for row in data} == {e.name for e in ENTITIES.values()}


def test_show_raw_gives_the_exact_bytes(hostile: tuple[Path, Path]) -> None:
    db, path = hostile
    result = run(db, "show", article_id(db, "article"), "--raw")
    assert result.stdout_bytes == path.read_bytes()  # asked for explicitly: bytes as they are


# --- messages that name files ----------------------------------------------------------------


def test_ingest_error_and_warning_lines_show_file_names_literally(tmp_path: Path) -> None:
    bad = tmp_path / "\x1b[31mred[blink]\x07.txt"
    bad.write_bytes(b"")
    odd = tmp_path / "[bold]caf\u00e9\x1b[0m.txt"
    odd.write_bytes("Caf\u00e9 News\nThe caf\u00e9 opened.\n".encode("cp1252"))
    result = run(tmp_path / "corpus.db", "ingest", str(bad), str(odd), "--jobs", "1")
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[:2] == [
        f"error: {tmp_path}/\\x1b[31mred[blink]\\x07.txt: empty file",
        f"warning: {tmp_path}/[bold]caf\u00e9\\x1b[0m.txt: not valid UTF-8 (at byte 3); "
        "decoded as cp1252",
    ]
    assert_literal(result.stderr)


def test_check_problem_lines_show_file_names_literally(
    hostile: tuple[Path, Path], tmp_path: Path
) -> None:
    db, path = hostile
    copy = tmp_path / "copy.db"
    copy.write_bytes(db.read_bytes())
    with closing(sqlite3.connect(copy)) as conn:
        conn.execute("UPDATE files SET sha256 = 'x'")
        conn.commit()
    result = run(copy, "check")
    assert result.exit_code == 1
    assert result.stdout == (
        f"file {visible(str(path))}: stored bytes do not match their recorded sha256\n"
    )
    assert_literal(result.stdout + result.stderr)


# --- the real pipeline -----------------------------------------------------------------------


def test_tag_prints_input_literally(tmp_path: Path) -> None:
    text = f"{SAMSUNG} and {HYUNDAI} met officials of the Japanese government in Tokyo.\x07\n"
    result = run(tmp_path / "unused.db", "tag", "-", input=text)
    assert result.exit_code == 0, result.output
    assert_literal(result.stdout, visible(SAMSUNG), "Hyundai \\x1b[2JMotor", "\\x07")
    tagged = run(tmp_path / "unused.db", "tag", "-", "--json", input=text)
    mentions = json.loads(tagged.stdout)["entities"]
    assert mentions and all(text[m["start"] : m["end"]] == m["text"] for m in mentions)


@pytest.mark.slow
def test_real_ingest_and_show_in_a_process(
    corpus_process: Callable[..., subprocess.CompletedProcess[str]], tmp_path: Path
) -> None:
    path = tmp_path / FILE_NAME
    path.write_text(FILE_TEXT, encoding="utf-8")
    ingest = corpus_process("ingest", path, "--jobs", "1")
    assert ingest.returncode == 0, ingest.stderr
    rows = json.loads(corpus_process("list", "--json").stdout)
    article = next(r for r in rows if r["kind"] == "article")
    shown = corpus_process("show", article["id"])
    assert shown.returncode == 0, shown.stderr
    assert_literal(shown.stdout, visible(TITLE), "\\x1b]0;pwned\\x07", "\\x1b]0;title\\x07")
    assert "[link=https://evil.example]Samsung" in shown.stdout


def test_json_output_escapes_c1_and_bidi_controls_and_stays_valid(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from corpus.cli.options import print_json

    data = {"body": "csi\x9b31m bidi\u202e esc\x1b[1m plain é"}
    print_json(data)
    out = capsys.readouterr().out
    assert json.loads(out) == data
    assert not any(c in out for c in "\x9b\u202e\x1b")
    assert "é" in out
