"""The CLI end to end, in-process through click's CliRunner and as a real `corpus` process."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import click
import pytest
from click.testing import Result

from corpus.cli import main
from corpus.store import Store

Cli = Callable[..., Result]


@pytest.fixture
def seeded(cli: Cli, seeds_dir: Path) -> Cli:
    result = cli("ingest", seeds_dir, "--jobs", "1")
    assert result.exit_code == 0, result.output
    return cli


def list_json(cli: Cli) -> list[dict[str, object]]:
    result = cli("list", "--json")
    assert result.exit_code == 0, result.output
    rows: list[dict[str, object]] = json.loads(result.stdout)
    return rows


def test_ingest_then_reingest_reports_counts(cli: Cli, seeds_dir: Path) -> None:
    first = cli("ingest", seeds_dir, "--jobs", "1")
    assert first.exit_code == 0
    assert first.stderr.strip().splitlines()[-1] == "19 new, 0 unchanged (3 files)"
    second = cli("ingest", seeds_dir, "--jobs", "1")
    assert second.exit_code == 0
    assert second.stderr.strip().splitlines()[-1] == "0 new, 19 unchanged (3 files)"


def test_ingest_json_report(cli: Cli, seeds_dir: Path) -> None:
    result = cli("ingest", seeds_dir, "--jobs", "1", "--json")
    report = json.loads(result.stdout)
    assert (report["new"], report["unchanged"], report["files"], report["failed"]) == (19, 0, 3, [])


def test_list_json_has_the_documented_keys(seeded: Cli) -> None:
    rows = list_json(seeded)
    assert len(rows) == 19
    assert {"id", "kind", "title", "source", "date", "path", "words"} <= set(rows[0])
    kinds = [r["kind"] for r in rows]
    assert kinds.count("brief") == 16 and kinds.count("article") == 3
    reuters = next(r for r in rows if r["source"] == "Reuters")
    assert reuters["date"] == "Apr 10" and reuters["kind"] == "brief"


def test_list_table_shows_titles(seeded: Cli) -> None:
    result = seeded("list", env={"COLUMNS": "200"})
    assert result.exit_code == 0
    assert "19 articles" in result.stdout
    assert "Korean Messengers in China" in result.stdout


def test_show_by_prefix_renders_panel(seeded: Cli) -> None:
    row = next(r for r in list_json(seeded) if r["title"] == "Korean Messengers in China")
    result = seeded("show", str(row["id"])[:5], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "Korean Messengers in China" in result.stdout
    assert "BusinessKorea" in result.stdout
    assert "Mobile messengers Line and Kakao" in result.stdout


def test_show_json_entities_have_offsets_into_body(seeded: Cli) -> None:
    row = next(r for r in list_json(seeded) if r["title"] == "Korean Messengers in China")
    result = seeded("show", str(row["id"]), "--json")
    article = json.loads(result.stdout)
    assert {"id", "kind", "title", "source", "date", "path", "body", "entities"} <= set(article)
    body = article["body"]
    assert article["entities"], "the seed names Line, Kakao, WeChat..."
    for mention in article["entities"]:
        assert body[mention["start"] : mention["end"]] == mention["text"]
        assert mention["entity"] and mention["label"]
    best = sorted(article["sentences"], key=lambda s: s["rank"])[:2]
    expected = " ".join(
        body[s["start"] : s["end"]].strip() for s in sorted(best, key=lambda s: s["start"])
    )
    assert article["summary"] == expected and len(expected) > 100


def test_show_raw_gives_file_bytes(seeded: Cli, seeds_dir: Path) -> None:
    [seed] = seeds_dir.glob("000_*.txt")
    row = next(r for r in list_json(seeded) if r["path"] == str(seed.resolve()))
    result = seeded("show", str(row["id"]), "--raw")
    assert result.stdout_bytes == seed.read_bytes()


def test_show_unknown_or_short_id_is_one_line_error(seeded: Cli) -> None:
    for prefix, words in (("ffffffff", "no article"), ("ab", "too short")):
        result = seeded("show", prefix)
        assert result.exit_code == 1
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and words in lines[0] and lines[0].startswith("corpus: error:")


def test_missing_path_fails_but_others_are_ingested(
    cli: Cli, seeds_dir: Path, tmp_path: Path
) -> None:
    missing = tmp_path / "missing.txt"
    result = cli("ingest", missing, seeds_dir, "--jobs", "1")
    assert result.exit_code == 1
    assert f"error: {missing}: no such file or directory" in result.stderr
    assert "Traceback" not in result.output
    assert len(list_json(cli)) == 19


def test_read_commands_on_missing_store_fail_cleanly(cli: Cli) -> None:
    for command in (["list"], ["show", "abcd"], ["entities"]):
        result = cli(*command)
        assert result.exit_code == 1
        assert "no store here yet" in result.stderr


def test_every_command_has_help_with_an_example() -> None:
    from click.testing import CliRunner

    names = main.list_commands(click.Context(main))  # type: ignore[attr-defined]
    assert len(names) == 17
    for name in names:
        result = CliRunner().invoke(main, [name, "--help"])
        assert result.exit_code == 0
        assert "Example" in result.output, name


def test_version() -> None:
    from click.testing import CliRunner

    result = CliRunner().invoke(main, ["--version"])
    assert result.exit_code == 0 and result.output.startswith("corpus, version ")


def test_real_process_ingest_list_show(
    corpus_process: Callable[..., subprocess.CompletedProcess[str]], seeds_dir: Path
) -> None:
    ingest = corpus_process("ingest", seeds_dir, "--jobs", "1")
    assert ingest.returncode == 0, ingest.stderr
    assert ingest.stderr.strip().endswith("19 new, 0 unchanged (3 files)")
    listed = corpus_process("list", "--json")
    rows = json.loads(listed.stdout)
    assert len(rows) == 19
    shown = corpus_process("show", rows[0]["id"][:6])
    assert shown.returncode == 0 and rows[0]["title"] in shown.stdout
    assert "\x1b[" not in shown.stdout  # a pipe gets no colour


def test_read_commands_do_not_import_spacy(seeded: Cli, db: Path) -> None:
    rows = list_json(seeded)
    script = (
        "import sys\nfrom corpus.cli import main\n"
        "for args in (['list'], ['show', sys.argv[1]], ['entities']):\n"
        "    try:\n        main(args, standalone_mode=False)\n"
        "    except SystemExit:\n        pass\n"
        "print('spacy' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script, str(rows[0]["id"])],
        capture_output=True,
        text=True,
        env={"CORPUS_DB": str(db), "PATH": "/usr/bin:/bin"},
        check=True,
    )
    assert out.stdout.strip().splitlines()[-1] == "False"


def test_reingest_of_unchanged_files_imports_no_tagging_or_models(
    cli: Cli, db: Path, seeds_dir: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "in"
    shutil.copytree(seeds_dir, folder)
    records = [{"title": f"Record {n}", "body": f"Naver met LY Corp, {n}."} for n in (1, 2)]
    (folder / "export.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
    (folder / "README.txt").write_text("Not an article.\n")  # a note: printed without rich
    assert cli("ingest", folder, "--jobs", "1").exit_code == 0
    script = (
        "import sys\nfrom corpus.cli import main\n"
        "try:\n    main(['ingest', sys.argv[1], '--no-progress'], standalone_mode=False)\n"
        "except SystemExit:\n    pass\n"
        "heavy = ('spacy', 'thinc', 'pydantic', 'dateutil', 'trafilatura', 'corpus.models',"
        " 'corpus.gazetteer', 'corpus.engines', 'corpus.pipeline', 'rich', 'importlib.metadata')\n"
        "print(sorted(m for m in heavy if m in sys.modules))\n"
    )

    def reingest(cwd: Path) -> subprocess.CompletedProcess[str]:
        cwd.mkdir()  # first on the import path of `python -c`: where it is does not matter
        return subprocess.run(
            [sys.executable, "-c", script, str(folder)],
            capture_output=True,
            text=True,
            env={"CORPUS_DB": str(db), "PATH": "/usr/bin:/bin"},
            cwd=cwd,
            check=True,
        )

    reingest(tmp_path / "here")  # this environment's pipeline fingerprints are computed, kept
    touched = sorted(folder.glob("*.txt"))[0]  # the same bytes, a new mtime: hashed, not parsed
    os.utime(touched, ns=(touched.stat().st_atime_ns, touched.stat().st_mtime_ns + 10**9))
    out = reingest(tmp_path / "there")
    assert "README.txt: a README file, not an article; skipped" in out.stderr
    assert "0 new, 21 unchanged, 1 skipped (not articles) (4 files)" in out.stderr
    assert out.stdout.strip().splitlines()[-1] == "[]"
    with Store.open(db, readonly=True) as store:  # the new mtime is recorded
        state = store.file_state(str(touched.resolve()))
        assert state is not None and state.mtime_ns == touched.stat().st_mtime_ns


@pytest.mark.parametrize(
    "line",
    [
        "note: a\rb\ac\bd\ve\ff \x1b[31m \x00\x1f\x7f\x9b\u202e é 日本 " + "x" * 150,
        "warning:   spaces  kept  ",
    ],
)
def test_a_message_to_a_pipe_is_printed_as_rich_prints_it(line: str) -> None:
    from rich.console import Console
    from rich.text import Text

    from corpus.cli.ingest import plain_line

    out = io.StringIO()
    Console(file=out, highlight=False, soft_wrap=True).print(Text(line, style="yellow"))
    assert plain_line(line) + "\n" == out.getvalue()


def test_a_package_installed_on_the_import_path_retags_as_its_fingerprint_says(
    tmp_path: Path,
) -> None:
    """The fingerprints kept for an environment are computed again when a package is
    installed, upgraded or removed in a directory of the import path (here: a newer `names`,
    whose version every pipeline's fingerprint holds), so stale articles are still re-tagged."""
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text("Naver met LY Corp in Tokyo on Monday.\n")
    site = tmp_path / "site"
    site.mkdir()
    env = {"CORPUS_DB": str(tmp_path / "c.db"), "PATH": "/usr/bin:/bin", "PYTHONPATH": str(site)}

    def ingest() -> str:
        args = ["ingest", str(tmp_path / "in"), "--jobs", "1", "--no-progress"]
        done = subprocess.run(
            [sys.executable, "-m", "corpus", *args], capture_output=True, text=True, env=env
        )
        assert done.returncode == 0, done.stderr
        return done.stderr.strip().splitlines()[-1]

    assert ingest() == "1 new, 0 unchanged (1 files)"
    assert ingest() == "0 new, 1 unchanged (1 files)"
    newer = site / "names-99.0.dist-info"
    newer.mkdir()
    (newer / "METADATA").write_text("Metadata-Version: 2.1\nName: names\nVersion: 99.0\n")
    assert ingest() == "0 new, 1 unchanged, 1 re-tagged (1 files)"
    assert ingest() == "0 new, 1 unchanged (1 files)"
    shutil.rmtree(newer)  # removed: the installed version's fingerprint again
    assert ingest() == "0 new, 1 unchanged, 1 re-tagged (1 files)"


def test_tables_are_capped_with_a_note_but_json_is_whole(seeded: Cli) -> None:
    listed = seeded("list", "--limit", "5", env={"COLUMNS": "200"})
    assert "19 articles (the first 5; --limit N or --all for more)" in listed.stdout
    assert listed.stdout.count("│ brief ") + listed.stdout.count("│ article ") == 5
    everything = seeded("list", "--limit", "5", "--all", env={"COLUMNS": "200"})
    assert everything.stdout.count("│ brief ") + everything.stdout.count("│ article ") == 19
    entities = json.loads(seeded("entities", "--json").stdout)
    assert len(entities) > 50  # JSON is not capped at the table's default
    table = seeded("entities", env={"COLUMNS": "200"})
    assert f"{len(entities):,} entities (the 50 most mentioned;" in table.stdout
    top = seeded("entities", "--top", "3", "--json")
    assert [e["id"] for e in json.loads(top.stdout)] == [e["id"] for e in entities[:3]]


def test_entities_shows_names_unless_all_labels(seeded: Cli) -> None:
    values = {"DATE", "TIME", "CARDINAL", "ORDINAL", "QUANTITY", "MONEY", "PERCENT"}
    names = json.loads(seeded("entities", "--json").stdout)
    everything = json.loads(seeded("entities", "--json", "--all-labels").stdout)
    dates = json.loads(seeded("entities", "--json", "--label", "DATE").stdout)
    assert names and not {row["label"] for row in names} & values
    assert {row["label"] for row in everything} & values
    assert dates and {row["label"] for row in dates} == {"DATE"}
    assert len(everything) == len(names) + sum(row["label"] in values for row in everything)
