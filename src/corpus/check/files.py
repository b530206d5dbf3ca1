"""The checks of what was read: each file's stored bytes against its size and hash, each
item's text against its file, and each record of a record file (JSON Lines, CSV, WARC: stored
record by record) against its hash and its place in the file."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

from corpus.check.core import Problem, rows
from corpus.loader import normalise_newlines, printable
from corpus.store import Store


def files(store: Store) -> Iterator[Problem]:
    found = store.conn.execute("SELECT path, size, sha256, raw, resume_at FROM files ORDER BY path")
    for path, size, sha256, raw, resume_at in rows(found):
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


def items(store: Store) -> Iterator[Problem]:
    """Each item's text must be part of its file's stored bytes, decoded as recorded."""
    found = store.conn.execute(
        "SELECT path, encoding, raw FROM files WHERE resume_at IS NULL ORDER BY path"
    )
    for path, encoding, raw in rows(found):
        subject = f"file {printable(path)}"
        try:
            text = normalise_newlines(bytes(raw).decode(encoding))
        except (LookupError, UnicodeDecodeError) as error:
            yield Problem("file", subject, f"stored bytes do not decode as {encoding}: {error}")
            continue
        texts = store.conn.execute(
            "SELECT position, raw FROM occurrences WHERE path = ? ORDER BY position", (path,)
        )
        for position, item in texts:
            if item not in text:
                yield Problem("item", f"{subject} item {position}", "text is not in the file")


def records(store: Store) -> Iterator[Problem]:
    """Each record's bytes against its hash, inside the bytes read of its file, none overlapping."""
    found = store.conn.execute(
        "SELECT o.path, o.position, o.offset, o.data, o.sha256, f.size FROM occurrences o "
        "JOIN files f ON f.path = o.path WHERE f.resume_at IS NOT NULL ORDER BY o.path, o.offset"
    )
    previous_end: tuple[str, int] = ("", 0)
    for path, position, offset, data, sha256, size in rows(found):
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
