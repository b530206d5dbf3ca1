"""Strange input files: each bad one gets one line naming it and the reason, the rest go in.

The library tests run the loader and the ingest job (without NLP); the CLI tests run the real
`corpus ingest` with the real pipeline in a subprocess, so that stderr is what a user sees.
"""

from __future__ import annotations

import codecs
import json
import os
import subprocess
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, BinaryIO

import pytest
from click.testing import Result

from corpus import queries
from corpus.ingest import Ingest, IngestReport, NullTagger
from corpus.loader import MAX_ITEM_CHARS, LoadedFile, LoadError, discover, load_file
from corpus.store import Store
from privileges import without_root_override

Process = Callable[..., subprocess.CompletedProcess[str]]

GOOD = "Harbour Reopens After Storm\nThe harbour at Busan reopened on Monday after the storm.\n"
CP1252_TEXT = "Caf\u00e9 Prices Rise\nThe caf\u00e9 said \u201cprices\u201d rose \u2013 again.\n"
UNICODE_NAME = "Seoul \u2014 T\u014dky\u014d report \u00fcber news.txt"


# --- making bad files ------------------------------------------------------------------------


def write(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


def sparse(folder: Path, name: str, size: int) -> Path:
    path = folder / name
    with path.open("wb") as handle:
        handle.truncate(size)
    return path


def bad_files(folder: Path) -> dict[str, str]:
    """Create one file of each bad kind in folder; name -> the reason ingest must give."""
    folder.mkdir(parents=True, exist_ok=True)
    write(folder, "empty.txt", b"")
    write(folder, "blank.txt", " \n\t\n\u00a0 \r\n".encode())
    write(folder, "binary.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    sparse(folder, "huge.txt", 50 * 2**20)
    (folder / "broken.txt").symlink_to(folder / "nowhere.txt")
    (folder / "loop.txt").symlink_to(folder / "loop.txt")
    os.mkfifo(folder / "pipe.txt")
    long_body = "The port of Busan handled more containers than ever. " * 20_000
    write(folder, "long.txt", f"A Very Long Report\n{long_body}\n".encode())
    return {
        "binary.txt": "binary file (contains NUL bytes)",
        "blank.txt": "no text (only whitespace)",
        "broken.txt": "broken symbolic link",
        "empty.txt": "empty file",
        "huge.txt": "file is 50.0 MiB, over the 20 MiB limit",
        "long.txt": "an article of 1,059,999 characters is over the 1,000,000-character limit "
        "for tagging; split the file",
        "loop.txt": "symbolic link loop",
        "pipe.txt": "not a regular file (a named pipe)",
    }


def good_files(folder: Path) -> dict[str, bytes]:
    """Create files that must be ingested: plain, UTF-16 with BOM, cp1252, an odd name."""
    folder.mkdir(parents=True, exist_ok=True)
    files = {
        "good.txt": GOOD.encode(),
        "utf16.txt": codecs.BOM_UTF16_LE + GOOD.replace("Busan", "Incheon").encode("utf-16-le"),
        "cp1252.txt": CP1252_TEXT.encode("cp1252"),
        UNICODE_NAME: GOOD.replace("Busan", "Ulsan").encode(),
    }
    for name, data in files.items():
        write(folder, name, data)
    return files


def null_ingest(db: Path, *paths: Path) -> IngestReport:
    tagger = NullTagger()
    with Store.open(db) as store:
        return Ingest(store, lambda: tagger, tagger.fingerprint).run([str(p) for p in paths])


def reason(path: Path) -> str:
    try:
        load_file(path)
    except LoadError as error:
        assert str(error) == f"{path}: {error.reason}"
        return error.reason
    raise AssertionError(f"{path} was loaded")


# --- the loader, file by file ----------------------------------------------------------------


def test_each_bad_file_gets_its_reason(tmp_path: Path) -> None:
    expected = bad_files(tmp_path)
    for name in ("empty.txt", "blank.txt", "binary.txt", "huge.txt", "pipe.txt", "long.txt"):
        assert reason(tmp_path / name) == expected[name], name


def test_discovery_names_dangling_links_and_missing_paths(tmp_path: Path) -> None:
    bad_files(tmp_path / "in")
    missing = tmp_path / "missing.txt"
    errors = [f for f in discover([str(tmp_path / "in"), str(missing)]) if isinstance(f, LoadError)]
    assert sorted(str(e) for e in errors) == [
        f"{tmp_path / 'in' / 'broken.txt'}: broken symbolic link",
        f"{tmp_path / 'in' / 'loop.txt'}: symbolic link loop",
        f"{missing}: no such file or directory",
    ]
    link = tmp_path / "in" / "loop.txt"
    [error] = list(discover([str(link)]))  # named directly, not found in a directory
    assert isinstance(error, LoadError) and error.reason == "symbolic link loop"


def test_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)  # opening it for reading would wait for a writer forever
    found: list[str] = []
    reader = threading.Thread(target=lambda: found.append(reason(fifo)), daemon=True)
    reader.start()
    reader.join(timeout=10)
    if reader.is_alive():
        with fifo.open("wb"):  # let the blocked reader go
            pass
        pytest.fail("loading a named pipe blocked")
    assert found == ["not a regular file (a named pipe)"]


def test_file_of_only_a_rights_line_keeps_it_as_the_body(tmp_path: Path) -> None:
    path = write(tmp_path, "rights.txt", "Copyright \u00a9 BusinessKorea. All rights.\n".encode())
    [article] = load_file(path).articles
    assert article.body == "Copyright \u00a9 BusinessKorea. All rights."
    assert (article.title, article.source) == (None, "BusinessKorea")


def test_link_to_a_device_is_refused(tmp_path: Path) -> None:
    (tmp_path / "zero.txt").symlink_to("/dev/zero")
    assert reason(tmp_path / "zero.txt") == "not a regular file (a character device)"


def test_fifty_megabytes_are_refused_before_reading(tmp_path: Path) -> None:
    path = sparse(tmp_path, "huge.txt", 50 * 2**20)
    assert reason(path) == "file is 50.0 MiB, over the 20 MiB limit"


def test_an_article_too_long_to_tag_is_refused(tmp_path: Path) -> None:
    words = ("The port of Busan handled more containers than ever. " * 20_000).strip()
    path = write(tmp_path, "long.txt", f"A Very Long Report\n{words}\n".encode())
    assert len(words) > MAX_ITEM_CHARS
    assert reason(path) == (
        f"an article of {len(words):,} characters is over the 1,000,000-character limit "
        "for tagging; split the file"
    )


def test_utf16_bom_followed_by_binary_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "fake.txt", codecs.BOM_UTF16_LE + b"\x00\x00\x41\x00")
    assert reason(path) == "binary file (UTF-16 text with NUL characters)"


def test_file_name_that_is_not_utf8_is_named_and_refused(tmp_path: Path) -> None:
    name = os.fsdecode(b"caf\xe9.txt")  # a Latin-1 file name, as old archives have
    write(tmp_path, name, GOOD.encode())
    [error] = list(discover([str(tmp_path)]))
    assert isinstance(error, LoadError)
    assert str(error) == (
        f"{tmp_path}/caf\\xe9.txt: file name is not valid UTF-8; rename the file to ingest it"
    )
    str(error).encode("utf-8")  # printable: no surrogates left in the message


def test_non_utf8_text_is_decoded_as_cp1252_with_a_warning(tmp_path: Path) -> None:
    path = write(tmp_path, "cp1252.txt", CP1252_TEXT.encode("cp1252"))
    loaded = load_file(path)
    assert loaded.encoding == "cp1252"
    assert loaded.warnings == [f"{path}: not valid UTF-8 (at byte 3); decoded as cp1252"]
    [article] = loaded.articles
    assert article.title == "Caf\u00e9 Prices Rise"
    assert article.body == "The caf\u00e9 said \u201cprices\u201d rose \u2013 again."


def test_utf16_with_bom_is_decoded_and_its_bytes_kept(tmp_path: Path, db: Path) -> None:
    data = codecs.BOM_UTF16_BE + GOOD.encode("utf-16-be")
    path = write(tmp_path, "utf16.txt", data)
    loaded = load_file(path)
    assert (loaded.encoding, loaded.warnings) == ("utf-16", [])
    [article] = loaded.articles
    assert article.title == "Harbour Reopens After Storm"
    null_ingest(db, path)
    with Store.open(db, readonly=True) as store:
        assert queries.raw_file(store, str(path)) == data


class GrowingReader:
    """A file handle whose file gets more text appended while it is being read."""

    def __init__(self, handle: BinaryIO, path: Path) -> None:
        self.handle, self.path = handle, path

    def read(self, size: int = -1) -> bytes:
        data = self.handle.read(size)
        with open(self.path, "ab") as writer:  # Path.open is patched
            writer.write(b"A late paragraph, written while the file was read.\n")
        return data

    def fileno(self) -> int:
        return self.handle.fileno()

    def __enter__(self) -> GrowingReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.handle.close()


@pytest.fixture
def growing(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Files named growing.txt grow while they are read."""
    real_open = Path.open

    def open_growing(self: Path, *args: Any, **kwargs: Any) -> Any:
        handle = real_open(self, *args, **kwargs)
        reading = (args[0] if args else kwargs.get("mode", "r")) == "rb"
        return GrowingReader(handle, self) if reading and self.name == "growing.txt" else handle

    monkeypatch.setattr(Path, "open", open_growing)
    yield "growing.txt"


def test_file_that_changes_while_read_is_refused(tmp_path: Path, growing: str) -> None:
    path = write(tmp_path, growing, GOOD.encode())
    assert reason(path) == "file changed while being read; ingest it again when it is complete"


# --- the ingest job: the bad are named, the rest are stored ----------------------------------


def test_ingest_names_each_bad_file_once_and_stores_the_rest(
    tmp_path: Path, db: Path, growing: str
) -> None:
    folder = tmp_path / "in"
    expected = bad_files(folder)
    write(folder, growing, GOOD.replace("Busan", "Mokpo").encode())
    expected[growing] = "file changed while being read; ingest it again when it is complete"
    goods = good_files(folder)
    report = null_ingest(db, folder, tmp_path / "missing.txt")
    assert sorted(report.failed) == sorted(
        [f"{folder / name}: {why}" for name, why in expected.items()]
        + [f"{tmp_path / 'missing.txt'}: no such file or directory"]
    )
    assert report.warnings == [
        f"{folder / 'cp1252.txt'}: not valid UTF-8 (at byte 3); decoded as cp1252"
    ]
    assert report.new == len(goods)
    with Store.open(db, readonly=True) as store:
        stored = {Path(row["path"]).name for row in queries.list_articles(store)}
        assert stored == set(goods)
        for name, data in goods.items():
            assert queries.raw_file(store, str(folder / name)) == data


def test_odd_file_name_is_stored_and_shown_exactly(tmp_path: Path, db: Path) -> None:
    files = good_files(tmp_path)
    report = null_ingest(db, tmp_path / UNICODE_NAME)
    assert (report.new, report.failed) == (1, [])
    with Store.open(db, readonly=True) as store:
        [row] = queries.list_articles(store)
        assert row["path"] == str(tmp_path / UNICODE_NAME)
        assert queries.raw_file(store, row["path"]) == files[UNICODE_NAME]


# --- the real command ------------------------------------------------------------------------


def error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("error: ")]


@pytest.mark.slow
def test_cli_ingest_reports_each_bad_file_on_one_line(
    corpus_process: Process, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "40")  # a narrow terminal must not break the lines
    folder = tmp_path / "in"
    expected = bad_files(folder)
    goods = good_files(folder)
    missing = tmp_path / "missing.txt"
    result = corpus_process("ingest", folder, missing, "--jobs", "1")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert sorted(error_lines(result.stderr)) == sorted(
        [f"error: {folder / name}: {why}" for name, why in expected.items()]
        + [f"error: {missing}: no such file or directory"]
    )
    assert f"warning: {folder / 'cp1252.txt'}: not valid UTF-8" in result.stderr
    assert len(result.stderr.splitlines()) == len(expected) + 1 + 1 + 1  # + warning, summary
    assert result.stderr.splitlines()[-1] == "4 new, 0 unchanged, 9 failed (10 files)"
    rows = json.loads(corpus_process("list", "--json").stdout)
    assert sorted(Path(str(r["path"])).name for r in rows) == sorted(goods)


def test_cli_file_changing_while_read_is_named_and_the_rest_ingested(
    cli: Callable[..., Result], tmp_path: Path, growing: str
) -> None:
    goods = good_files(tmp_path / "in")
    changing = write(tmp_path / "in", growing, GOOD.replace("Busan", "Mokpo").encode())
    result = cli("ingest", tmp_path / "in", "--jobs", "1")
    assert result.exit_code == 1
    assert error_lines(result.stderr) == [
        f"error: {changing}: file changed while being read; ingest it again when it is complete"
    ]
    assert result.stderr.splitlines()[-1] == f"{len(goods)} new, 0 unchanged, 1 failed (5 files)"
    assert "Traceback" not in result.output


@pytest.mark.slow
def test_cli_ingest_json_report_lists_failures(corpus_process: Process, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    expected = bad_files(folder)
    good_files(folder)
    result = corpus_process("ingest", folder, "--jobs", "1", "--json")
    assert result.returncode == 1
    report = json.loads(result.stdout)
    assert sorted(report["failed"]) == sorted(f"{folder / n}: {why}" for n, why in expected.items())
    assert (report["new"], report["files"]) == (4, 10)


@pytest.mark.slow
def test_cli_ingest_of_odd_encodings_and_names_succeeds(
    corpus_process: Process, tmp_path: Path
) -> None:
    goods = good_files(tmp_path / "in")
    result = corpus_process("ingest", tmp_path / "in", "--jobs", "1")
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines() == [
        f"warning: {tmp_path / 'in' / 'cp1252.txt'}: not valid UTF-8 (at byte 3); decoded as "
        "cp1252",
        f"{len(goods)} new, 0 unchanged (4 files)",
    ]
    rows = json.loads(corpus_process("list", "--json").stdout)
    odd = next(r for r in rows if str(r["path"]).endswith(UNICODE_NAME))
    assert odd["path"] == str(tmp_path / "in" / UNICODE_NAME)
    shown = corpus_process("show", odd["id"], "--raw")
    assert shown.stdout == goods[UNICODE_NAME].decode()
    utf16 = next(r for r in rows if str(r["path"]).endswith("utf16.txt"))
    article = json.loads(corpus_process("show", utf16["id"], "--json").stdout)
    assert (article["encoding"], article["title"]) == ("utf-16", "Harbour Reopens After Storm")
    assert "Incheon" in {e["text"] for e in article["entities"]}


@pytest.mark.slow
def test_cli_unreadable_file_is_named_and_the_rest_ingested(
    corpus_process: Process, tmp_path: Path
) -> None:
    good_files(tmp_path / "in")
    secret = write(tmp_path / "in", "secret.txt", GOOD.replace("Busan", "Jeju").encode())
    closed = tmp_path / "in" / "closed"
    closed.mkdir()
    write(closed, "hidden.txt", GOOD.replace("Busan", "Pohang").encode())
    secret.chmod(0)
    closed.chmod(0)
    try:
        result = corpus_process(
            "ingest", tmp_path / "in", "--jobs", "1", preexec_fn=without_root_override()
        )
    finally:
        secret.chmod(0o644)
        closed.chmod(0o755)
    assert result.returncode == 1, result.stderr
    assert error_lines(result.stderr) == [
        f"error: {closed}: cannot read this directory (permission denied)",
        f"error: {secret}: permission denied",
    ]
    assert result.stderr.splitlines()[-1] == "4 new, 0 unchanged, 2 failed (5 files)"


def test_loaded_file_keeps_exact_bytes(tmp_path: Path) -> None:
    data = b"Title\r\nBody with CRLF line ends.\r\n"
    loaded: LoadedFile = load_file(write(tmp_path, "crlf.txt", data))
    assert loaded.data == data and loaded.size == len(data)
    assert loaded.articles[0].body == "Body with CRLF line ends."
