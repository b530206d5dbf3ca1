"""Verifying a store: what `corpus check` runs. Reads only; never changes the store.

Checks SQLite's own integrity and references, every file's stored bytes against its stored
size and hash, every item's text against its file, every record of a record-based file (JSON
Lines, CSV, WARC: stored record by record) against its hash and its place in the file, every
article id against its title and body, every entity mention and sentence against the body it
points into, the full-text search index against the articles, the near-duplicate signatures
against their seals and their bands, pairs and clusters against a recomputation, and the
entities' names against the ones their counted forms choose.
"""

from __future__ import annotations

import hashlib
import shlex
import sqlite3
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing, contextmanager
from dataclasses import asdict, dataclass, field
from itertools import groupby
from pathlib import Path
from typing import Any

from corpus import aggregates, naming
from corpus.ingest import NullTagger
from corpus.loader import normalise_newlines, printable
from corpus.models import article_id
from corpus.store import Store, StoreError

ROW_CHUNK = 256


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the store: what kind, where (a file, an article, the store), what."""

    kind: str
    subject: str
    message: str

    def __str__(self) -> str:
        return f"{self.subject}: {self.message}"

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


class Skipped(Exception):
    """A check that cannot run here; the message says why. Not a problem of the store."""


@dataclass
class CheckReport:
    problems: list[Problem] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # "what: why", one per skipped check


Status = Callable[[str], None]  # what a check is doing now ("1,000 of 9,000 articles")
Check = Callable[[Store, Status], Iterator[Problem]]
Outcome = tuple[list[Problem], list[str]]  # problems, and why the check did not run


def run_checks(store: Store, on_check: Status = lambda text: None) -> CheckReport:
    """Every problem found, in a stable order, and the checks that could not run; `on_check`
    hears the name of each check as it starts ("mentions (7/11)"), then how far a long one
    has gone ("aggregate counts (10/11): 5,000 of 9,000 articles").

    SQLite's page and reference checks are C that lets go of the interpreter while it runs:
    they run on a connection of their own, in a thread, beside the checks written in Python."""
    outcomes: dict[str, Outcome] = {}
    alone = CHECKS[:IN_THREAD]
    with ThreadPoolExecutor(max_workers=1) as pool, _one_snapshot(store.conn):
        running = {name: pool.submit(_alone, store.path, name, check) for name, check in alone}
        for number, (name, check) in enumerate(CHECKS, 1):
            label = f"{name} ({number}/{len(CHECKS)})"
            on_check(label)
            if number > IN_THREAD:
                outcomes[name] = _outcome(name, check, store, _prefixed(on_check, label))
        for name, check in alone:
            found = running[name].result()
            outcomes[name] = found or _outcome(name, check, store, lambda text: None)
    report = CheckReport()
    for name, _ in CHECKS:
        problems, skipped = outcomes[name]
        report.problems.extend(problems)
        report.skipped.extend(skipped)
    return report


@contextmanager
def _one_snapshot(conn: sqlite3.Connection) -> Iterator[None]:
    """The checks written in Python read the store in one read transaction: while another
    process writes, the rows and the counts kept from them are read as of the same commit
    (each statement on its own would see the latest, and the recount would differ)."""
    conn.execute("BEGIN")
    try:
        yield
    finally:
        if conn.in_transaction:
            conn.execute("ROLLBACK")


MAPPED = 1 << 40  # as much as SQLite maps (its build's limit: 2 GB here)


def _mapped(conn: sqlite3.Connection) -> None:
    """Read the store's pages through a memory map, for SQLite's own page and reference
    checks, which read pages again and again (at 100,000 articles mapping halved their CPU
    time, most of it copying pages in and out of a 2 MB cache). The mapped pages are the
    system's file cache, counted in the resident memory of the process but not allocated."""
    conn.execute(f"PRAGMA mmap_size = {MAPPED}")


def _prefixed(status: Status, label: str) -> Status:
    return lambda text: status(f"{label}: {text}")


def _outcome(name: str, check: Check, store: Store, status: Status) -> Outcome:
    try:
        return list(check(store, status)), []
    except Skipped as reason:
        return [], [f"{name} not checked: {reason}"]
    except sqlite3.DatabaseError as error:
        return [Problem("integrity", "store", f"cannot read the {name}: {error}")], []


def _alone(path: Path, name: str, check: Check) -> Outcome | None:
    """A check on a connection of its own; None when the store cannot be opened twice."""
    try:
        own = Store.open(path, readonly=True)
    except StoreError:
        return None
    with own:
        _mapped(own.conn)
        return _outcome(name, check, own, lambda text: None)


def check_store(store: Store) -> list[Problem]:
    """Every problem found, in a stable order; an empty list for a sound store."""
    return run_checks(store).problems


def counts(store: Store) -> dict[str, int]:
    """How many rows of each kind the store holds (-1 for a table that cannot be read)."""
    totals: dict[str, int] = {}
    for table in ("files", "articles", "mentions", "sentences"):
        try:
            totals[table] = store.conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        except sqlite3.DatabaseError:
            totals[table] = -1
    return totals


# --- the checks ------------------------------------------------------------------------------


def _integrity(store: Store) -> Iterator[Problem]:
    for (message,) in store.conn.execute("PRAGMA integrity_check"):
        if message != "ok":
            yield Problem("integrity", "store", f"SQLite integrity check: {message}")


def _references(store: Store) -> Iterator[Problem]:
    for table, rowid, parent, _ in store.conn.execute("PRAGMA foreign_key_check"):
        yield Problem("reference", f"{table} row {rowid}", f"points to a missing {parent} row")


def _files(store: Store) -> Iterator[Problem]:
    rows = store.conn.execute("SELECT path, size, sha256, raw, resume_at FROM files ORDER BY path")
    for path, size, sha256, raw, resume_at in _rows(rows):
        data = bytes(raw)
        subject = f"file {printable(path)}"
        if resume_at is not None:  # a record file: its records are checked one by one
            if data or not 0 <= resume_at <= size:
                yield Problem(
                    "file", subject, "record file with stored bytes or a bad resume point"
                )
            continue
        if len(data) != size:
            yield Problem("file", subject, f"{len(data)} bytes stored, {size} recorded")
        if hashlib.sha256(data).hexdigest() != sha256:
            yield Problem("file", subject, "stored bytes do not match their recorded sha256")


def _occurrences(store: Store) -> Iterator[Problem]:
    """Each item's text must be part of its file's stored bytes, decoded as recorded."""
    rows = store.conn.execute(
        "SELECT path, encoding, raw FROM files WHERE resume_at IS NULL ORDER BY path"
    )
    for path, encoding, raw in _rows(rows):
        subject = f"file {printable(path)}"
        try:
            text = normalise_newlines(bytes(raw).decode(encoding))
        except (LookupError, UnicodeDecodeError) as error:
            yield Problem("file", subject, f"stored bytes do not decode as {encoding}: {error}")
            continue
        items = store.conn.execute(
            "SELECT position, raw FROM occurrences WHERE path = ? ORDER BY position", (path,)
        )
        for position, item in items:
            if item not in text:
                yield Problem("item", f"{subject} item {position}", "text is not in the file")


def _records(store: Store) -> Iterator[Problem]:
    """Each record's bytes against its hash, inside the bytes read of its file, none overlapping."""
    rows = store.conn.execute(
        "SELECT o.path, o.position, o.offset, o.data, o.sha256, f.size FROM occurrences o "
        "JOIN files f ON f.path = o.path WHERE f.resume_at IS NOT NULL ORDER BY o.path, o.offset"
    )
    previous_end: tuple[str, int] = ("", 0)
    for path, position, offset, data, sha256, size in _rows(rows):
        subject = f"file {printable(path)} item {position}"
        if data is None or offset is None or sha256 is None:
            yield Problem("item", subject, "a record without its bytes, offset or hash")
            continue
        data = bytes(data)
        if hashlib.sha256(data).hexdigest() != sha256:
            yield Problem("item", subject, "stored record bytes do not match their sha256")
        if not 0 <= offset <= offset + len(data) <= size:
            yield Problem(
                "item",
                subject,
                f"record [{offset}, {offset + len(data)}) is not in the file's {size} bytes read",
            )
        elif previous_end[0] == path and offset < previous_end[1]:
            yield Problem("item", subject, f"record at byte {offset} overlaps the one before")
        previous_end = (path, offset + len(data))


def _articles(store: Store) -> Iterator[Problem]:
    rows = store.conn.execute(
        "SELECT a.id, a.title, a.body, a.words, "
        "EXISTS (SELECT 1 FROM occurrences o WHERE o.article_id = a.id) FROM articles a "
        "ORDER BY a.id"
    )
    for id_, title, body, words, found in _rows(rows):
        subject = f"article {id_}"
        if (expected := article_id(title, body)) != id_:
            yield Problem("article", subject, f"id does not match its title and body ({expected})")
        if words != (actual := len(body.split())):
            yield Problem("article", subject, f"{words} words recorded, the body has {actual}")
        if not found:
            yield Problem("article", subject, "no file holds it (an orphan)")


def _mentions(store: Store) -> Iterator[Problem]:
    """Each mention against its article's body: the two tables read side by side in article
    order, so that each body is read once (not once per mention)."""
    bodies = store.conn.execute("SELECT id, body FROM articles ORDER BY id")
    rows = store.conn.execute(
        "SELECT article_id, start, end, text FROM mentions ORDER BY article_id, start"
    )  # a mention of no article is left to the check of references
    by_article = aggregates.Grouped(rows)
    for id_, body in _rows(bodies):
        for _, start, end, text in by_article.take(id_):
            yield from _mention(id_, start, end, text, body)


def _mention(id_: str, start: int, end: int, text: str, body: str) -> Iterator[Problem]:
    where = f"mention [{start}, {end})"
    if not 0 <= start < end <= len(body):
        yield Problem("mention", f"article {id_}", f"{where} is outside its body")
    elif body[start:end] != text:
        yield Problem("mention", f"article {id_}", f"{where} is not the text {text!r}")


def _sentences(store: Store) -> Iterator[Problem]:
    rows = store.conn.execute(
        "SELECT a.id, a.fingerprint, length(a.body), s.start, s.end, s.rank FROM articles a "
        "LEFT JOIN sentences s ON s.article_id = a.id ORDER BY a.id, s.idx"
    )
    for (id_, fingerprint, length), group in groupby(_rows(rows), key=lambda row: row[:3]):
        spans = [(start, end, rank) for *_, start, end, rank in group if start is not None]
        yield from _article_sentences(f"article {id_}", fingerprint, length, spans)


def _article_sentences(
    subject: str, fingerprint: str, length: int, spans: list[tuple[int, int, int | None]]
) -> Iterator[Problem]:
    if not spans and fingerprint != NullTagger.fingerprint:
        yield Problem("sentence", subject, "no sentences: its tagging is incomplete")
    for start, end, _ in spans:
        if not 0 <= start < end <= length:
            yield Problem("sentence", subject, f"sentence [{start}, {end}) is outside its body")
    ranks = sorted(rank for _, _, rank in spans if rank is not None)
    if ranks and ranks != list(range(len(spans))):
        yield Problem("sentence", subject, "summary ranks are not 0..n-1, each once")


def _search_index(store: Store) -> Iterator[Problem]:
    """FTS5's own check of the index against the articles table.

    FTS5 runs it only as a write (it takes the write lock), so it runs on a connection of its
    own, in a transaction that is rolled back: nothing is changed. A store that cannot be
    written, or is being written, is skipped rather than waited for.
    """
    uri = f"{store.path.absolute().as_uri()}?mode=rw"
    try:
        with closing(sqlite3.connect(uri, uri=True, isolation_level=None, timeout=0.2)) as conn:
            conn.execute("BEGIN")
            try:
                conn.execute(FTS_INTEGRITY_CHECK)
            finally:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
    except sqlite3.DatabaseError as error:
        if reason := _cannot_write(error):
            raise Skipped(reason) from None
        if getattr(error, "sqlite_errorname", "") != "SQLITE_CORRUPT_VTAB":
            raise  # damage to the tables themselves: reported as such by run_checks
        command = f'sqlite3 {shlex.quote(printable(store.path))} "{FTS_REBUILD}"'
        yield Problem(
            "search",
            "store",
            f"the search index does not match the articles ({error}); rebuild it: {command}",
        )


FTS_INTEGRITY_CHECK = "INSERT INTO articles_fts (articles_fts, rank) VALUES ('integrity-check', 1)"
FTS_REBUILD = "INSERT INTO articles_fts (articles_fts) VALUES ('rebuild')"


def _cannot_write(error: sqlite3.DatabaseError) -> str | None:
    """Why a write was refused, when it was for want of access rather than a fault."""
    message = str(error)
    if "locked" in message or "busy" in message:
        return "another process is writing to the store"
    if "readonly" in message or "unable to open" in message:
        return "it needs write access to the store, and this store is read-only"
    return None


def _aggregates(store: Store, status: Status) -> Iterator[Problem]:
    """Every count kept at write time against a recount from the rows (`recount`)."""
    from corpus.recount import differences  # numpy: only when checking

    for found in differences(store.conn, status):
        yield Problem(
            "aggregate",
            "store",
            f"{found.table} differs from the rows in {found.rows} "
            f"row{'s' * (found.rows != 1)} (first {found.first}: {found.stored} stored, "
            f"{found.counted} counted); recount them: {REPAIR_COMMAND.format(db=_quoted(store))}",
        )


def _names(store: Store) -> Iterator[Problem]:
    """Every entity's stored name against the one its counted forms choose (`naming`)."""
    if wrong := naming.stale(store.conn):
        first, stored, chosen = wrong[0]
        yield Problem(
            "aggregate",
            "store",
            f"{len(wrong)} entity name{'s' * (len(wrong) != 1)} not chosen from their forms "
            f"(first {first}: {stored!r} stored, {chosen!r} chosen); rename them: "
            f"{REPAIR_COMMAND.format(db=_quoted(store))}",
        )


def _ticks(status: Status, total: int, what: str, every: int = 1000) -> Iterator[None]:
    """One tick per item done; every `every`, the status says how many of `total`."""
    done = 0
    while True:
        if done % every == 0:
            status(f"{done:,} of {total:,} {what}")
        yield None
        done += 1


REPAIR_COMMAND = "corpus check --repair --db {db}"


def _quoted(store: Store) -> str:
    return shlex.quote(printable(store.path))


def repair(store: Store) -> None:
    """Recount the aggregates from the rows and rename the entities from them, in one
    transaction (the only things it changes)."""
    with store.transaction() as conn:
        aggregates.rebuild(conn)
        naming.rename_all(conn)


def _near_duplicates(store: Store) -> Iterator[Problem]:
    from corpus.dupes.verify import differences

    for subject, message in differences(store.conn):
        yield Problem("dupes", subject, message)


IN_THREAD = 2


def _plain(check: Callable[[Store], Iterator[Problem]]) -> Check:
    """A check that says nothing of its progress."""
    return lambda store, status: check(store)


CHECKS: list[tuple[str, Check]] = [
    # the first IN_THREAD: `run_checks` runs them in a thread
    ("database pages", _plain(_integrity)),
    ("references between tables", _plain(_references)),
    ("files", _plain(_files)),
    ("items of files", _plain(_occurrences)),
    ("records of record files", _plain(_records)),
    ("articles", _plain(_articles)),
    ("mentions", _plain(_mentions)),
    ("sentences", _plain(_sentences)),
    ("search index", _plain(_search_index)),
    ("aggregate counts", _aggregates),
    ("entity names", _plain(_names)),
    ("near-duplicates", _plain(_near_duplicates)),
]


# --- helpers ---------------------------------------------------------------------------------


def _rows(cursor: sqlite3.Cursor) -> Iterator[Any]:
    """Stream a cursor in chunks, so that large raw files are not all held at once."""
    while chunk := cursor.fetchmany(ROW_CHUNK):
        yield from chunk
