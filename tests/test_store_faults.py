"""A store that cannot be used: each gives one clear line, exit status 1, and stays as it was."""

from __future__ import annotations

import resource
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from corpus.cli import main
from corpus.ingest import Ingest, NullTagger
from corpus.migrations import SCHEMA_VERSION
from corpus.models import Article, TaggedArticle
from corpus.store import Store, StoreError
from privileges import without_root_override
from stores import digest, dump

READ_COMMANDS = (["list"], ["show", "38dc"], ["entities"], ["check"])
NEW_TEXT = "Ferry Service Resumes\nThe ferry between Busan and Fukuoka resumed on Tuesday.\n"


def run(db: Path, *args: str) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args], env={"CORPUS_DB": str(db)})


def corpus(
    db: Path, *args: object, preexec_fn: Callable[[], None] | None = None
) -> subprocess.CompletedProcess[str]:
    """The real `corpus` in a subprocess (needed for resource limits and dropped privileges)."""
    return subprocess.run(
        [sys.executable, "-m", "corpus", *map(str, args), "--db", str(db)],
        capture_output=True,
        text=True,
        preexec_fn=preexec_fn,
        timeout=300,
    )


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seeds ingested by the real pipeline, once for the module."""
    db = tmp_path_factory.mktemp("faults") / "template.db"
    result = run(db, "ingest", str(Path(__file__).resolve().parent.parent / "seeds"), "-j", "1")
    assert result.exit_code == 0, result.output
    return db


@pytest.fixture
def store_path(template: Path, tmp_path: Path) -> Path:
    path = tmp_path / "store" / "corpus.db"
    path.parent.mkdir()
    shutil.copyfile(template, path)
    return path


@pytest.fixture
def new_file(tmp_path: Path) -> Path:
    path = tmp_path / "new.txt"
    path.write_text(NEW_TEXT, encoding="utf-8")
    return path


def integrity(db: Path) -> str:
    with closing(sqlite3.connect(db)) as conn:
        result: str = conn.execute("PRAGMA integrity_check").fetchone()[0]
        return result


def one_error_line(stderr: str) -> str:
    assert "Traceback" not in stderr
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("corpus: error: ")
    return lines[0]


@contextmanager
def unchanged(path: Path) -> Iterator[None]:
    """Assert that the file's bytes are the same after the block."""
    before = digest(path)
    yield
    assert digest(path) == before, f"{path} was changed"


# --- a file that is not a store ----------------------------------------------------------------


def test_not_an_sqlite_database(tmp_path: Path, new_file: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_text("shopping list: rice, kimchi, tea\n" * 50)
    message = f"corpus: error: {path}: not a corpus store (the file is not an SQLite database)"
    with unchanged(path):
        for args in (["ingest", str(new_file)], *READ_COMMANDS):
            result = run(path, *args)
            assert result.exit_code == 1, args
            assert one_error_line(result.stderr) == message, args


def test_sqlite_database_of_another_program_is_not_touched(tmp_path: Path, new_file: Path) -> None:
    path = tmp_path / "other.db"
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("CREATE TABLE recipes (name TEXT, steps TEXT)")
        conn.execute("INSERT INTO recipes VALUES ('bibimbap', 'mix')")
        conn.commit()
    message = (
        f"corpus: error: {path}: an SQLite database of another program, not a corpus store; "
        "choose another --db"
    )
    with unchanged(path):
        for args in (["ingest", str(new_file)], ["list"]):
            result = run(path, *args)
            assert result.exit_code == 1
            assert one_error_line(result.stderr) == message
    with closing(sqlite3.connect(path)) as conn:
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    assert names == {"recipes"}


def test_store_of_a_newer_schema(store_path: Path, new_file: Path) -> None:
    with closing(sqlite3.connect(store_path)) as conn:
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 7}")
    message = (
        f"corpus: error: {store_path}: written by a newer corpus (schema {SCHEMA_VERSION + 7}, "
        f"this one reads up to {SCHEMA_VERSION}); upgrade corpus"
    )
    with unchanged(store_path):
        for args in (["ingest", str(new_file)], *READ_COMMANDS):
            result = run(store_path, *args)
            assert result.exit_code == 1, args
            assert one_error_line(result.stderr) == message, args
    wal = Path(f"{store_path}-wal")
    assert not wal.exists() or wal.stat().st_size == 0


# --- a corrupt store -------------------------------------------------------------------------


def corrupt(db: Path, table: str) -> None:
    """Overwrite the root page of a table with garbage, as a disk fault would."""
    with closing(sqlite3.connect(db)) as conn:
        size = conn.execute("PRAGMA page_size").fetchone()[0]
        [root] = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (table,))
    with db.open("r+b") as handle:
        handle.seek((root[0] - 1) * size)
        handle.write(bytes(range(256)) * (size // 256))


@pytest.mark.parametrize("args", [["list"], ["entities"], ["ingest", "NEW"]])
def test_corrupt_store_gives_one_line_and_is_left_alone(
    store_path: Path, new_file: Path, args: list[str]
) -> None:
    corrupt(store_path, "articles")
    corrupt(store_path, "mentions")
    corrupt(store_path, "entity_counts")  # what `entities` reads: the counts kept at write time
    args = [str(new_file) if a == "NEW" else a for a in args]
    with unchanged(store_path):
        result = run(store_path, *args)
    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit), f"uncaught: {result.exception!r}"
    assert one_error_line(result.stderr) == (
        f"corpus: error: {store_path}: the store is corrupt (database disk image is malformed); "
        "run `corpus check` or restore a backup"
    )


def test_truncated_store_gives_one_line(store_path: Path) -> None:
    data = store_path.read_bytes()
    store_path.write_bytes(data[: len(data) // 3])
    with unchanged(store_path):
        result = run(store_path, "list")
    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit), f"uncaught: {result.exception!r}"
    assert "malformed" in one_error_line(result.stderr)


# --- a read-only store -------------------------------------------------------------------------


@pytest.mark.slow
def test_read_only_store_can_be_read_but_not_written(store_path: Path, new_file: Path) -> None:
    before = dump(store_path)
    store_path.chmod(0o444)
    with unchanged(store_path):
        listed = corpus(store_path, "list", "--json", preexec_fn=without_root_override())
        assert listed.returncode == 0, listed.stderr
        assert listed.stdout.count('"id"') == 19
        result = corpus(
            store_path, "ingest", new_file, "-j", "1", preexec_fn=without_root_override()
        )
    assert result.returncode == 1
    assert one_error_line(result.stderr) == f"corpus: error: {store_path}: the store is read-only"
    assert dump(store_path) == before


@pytest.mark.slow
def test_store_in_a_read_only_directory(store_path: Path, new_file: Path) -> None:
    """Writing fails in one line; reading works though SQLite cannot create its -shm file."""
    store_path.parent.chmod(0o555)
    try:
        with unchanged(store_path):
            result = corpus(
                store_path, "ingest", new_file, "-j", "1", preexec_fn=without_root_override()
            )
            listed = corpus(store_path, "list", "--json", preexec_fn=without_root_override())
            checked = corpus(store_path, "check", preexec_fn=without_root_override())
    finally:
        store_path.parent.chmod(0o755)
    assert result.returncode == 1
    assert one_error_line(result.stderr) == f"corpus: error: {store_path}: the store is read-only"
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.count('"id"') == 19
    assert checked.returncode == 0, checked.stdout + checked.stderr


# --- writing over articles of an older pipeline -----------------------------------------------


class OtherPipeline(NullTagger):
    """Tags nothing, under another fingerprint: as if the model had been upgraded."""

    fingerprint = "other-pipeline"

    def tag(
        self, articles: Iterable[Article], *, batch_size: int = 64, n_process: int = 1
    ) -> Iterator[TaggedArticle]:
        for article in articles:
            yield TaggedArticle(article=article, fingerprint=self.fingerprint)


def test_new_copy_of_an_article_tagged_by_an_older_pipeline(tmp_path: Path, db: Path) -> None:
    """The article is re-tagged in place: the first file's item must keep pointing to it."""
    for name in ("old.txt", "copy.txt"):
        (tmp_path / name).write_text(NEW_TEXT, encoding="utf-8")
    for tagger, name in ((NullTagger(), "old.txt"), (OtherPipeline(), "copy.txt")):
        with Store.open(db) as store:
            report = Ingest(store, lambda t=tagger: t, tagger.fingerprint).run(
                [str(tmp_path / name)]
            )
        assert report.failed == []
    with closing(sqlite3.connect(db)) as conn:
        assert conn.execute("SELECT fingerprint FROM articles").fetchall() == [("other-pipeline",)]
        paths = conn.execute("SELECT path FROM occurrences ORDER BY path").fetchall()
        assert paths == [(str(tmp_path / "copy.txt"),), (str(tmp_path / "old.txt"),)]
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []


# --- a full disk -----------------------------------------------------------------------------


def test_full_store_rolls_back_the_batch(store_path: Path, seeds_dir: Path, tmp_path: Path) -> None:
    folder = tmp_path / "more"
    folder.mkdir()
    for i in range(40):
        (folder / f"{i:02d}.txt").write_text(f"Item {i}\n" + NEW_TEXT * 40, encoding="utf-8")
    before = dump(store_path)
    tagger = NullTagger()
    with Store.open(store_path) as store:
        pages = store.conn.execute("PRAGMA page_count").fetchone()[0]
        store.conn.execute(f"PRAGMA max_page_count = {pages}")  # no room to grow
        job = Ingest(store, lambda: tagger, tagger.fingerprint)
        with pytest.raises(StoreError) as error:
            job.run([str(folder)])
    assert str(error.value) == (
        f"{store_path}: cannot write: the disk is full or a size limit is reached "
        "(database or disk is full); nothing of this batch was written"
    )
    assert dump(store_path) == before
    assert integrity(store_path) == "ok"


def file_size_limit(limit: int) -> Callable[[], None]:
    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


@pytest.mark.slow
def test_full_disk_during_ingest_leaves_the_store_as_it_was(
    store_path: Path, bbc_dir: Path
) -> None:
    """A file size limit below what the batch needs: SQLite cannot grow its write-ahead log."""
    files = sorted((bbc_dir / "sport").glob("*.txt"))[:60]
    before = dump(store_path)
    with unchanged(store_path):
        result = corpus(store_path, "ingest", *files, "-j", "1", preexec_fn=file_size_limit(2**16))
    assert result.returncode == 1
    assert one_error_line(result.stderr) == (
        f"corpus: error: {store_path}: cannot write: the disk is full or a size limit is "
        "reached (disk I/O error); nothing of this batch was written"
    )
    assert integrity(store_path) == "ok"
    assert dump(store_path) == before
    again = corpus(store_path, "ingest", *files, "-j", "1")
    assert again.returncode == 0, again.stderr
    assert again.stderr.splitlines()[-1] == "59 new, 0 unchanged, 1 duplicate (60 files)"
