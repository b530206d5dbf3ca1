"""Finding files and reading their bytes safely: one error per bad path, naming it."""

from __future__ import annotations

import errno
import glob as globlib
import hashlib
import os
import re
import stat as statlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from corpus.escapes import UNSAFE_IN_LINE, escape
from corpus.loader.conventions.discovery import not_an_article
from corpus.loader.formats import name_matches_format

if TYPE_CHECKING:  # finding files needs no models: a re-ingest of unchanged files loads none
    from corpus.models import Article

MAX_FILE_BYTES = 20 * 1024 * 1024
# spaCy's default `nlp.max_length`: its NER needs about 1 GB per 100,000 characters beyond it.
MAX_ITEM_CHARS = 1_000_000
_GLOB_CHARS = re.compile(r"[*?\[]")
_SPECIAL_FILES = (
    (statlib.S_ISFIFO, "a named pipe"),
    (statlib.S_ISSOCK, "a socket"),
    (statlib.S_ISCHR, "a character device"),
    (statlib.S_ISBLK, "a block device"),
)


def printable(path: str | os.PathLike[str]) -> str:
    """A path as one printable line: undecodable bytes and control characters as escapes."""
    text = os.fsencode(path).decode("utf-8", "backslashreplace")
    return escape(text, UNSAFE_IN_LINE)


class LoadError(Exception):
    """A file that cannot be ingested; the message names the file and the reason."""

    def __init__(self, path: str | os.PathLike[str], reason: str) -> None:
        super().__init__(f"{printable(path)}: {reason}")
        self.path = str(path)
        self.reason = reason


@dataclass(frozen=True)
class RecordSpan:
    """Where one record of a record-based file lies, and its exact bytes."""

    offset: int
    data: bytes
    encoding: str


@dataclass
class LoadedFile:
    """One file read from disk: its exact bytes, how they were decoded, and its articles.

    A record-based file (JSON Lines, CSV, WARC) comes in parts, each a run of records: `data` is
    then empty, `size` and `digest` cover the bytes read so far, `records` holds each article's
    record (in the order of `articles`), and the part replaces the file's stored records from
    byte `replace_from` on (None: the file's every item, as for a whole file).
    """

    path: str
    data: bytes
    size: int
    mtime_ns: int
    encoding: str
    articles: list[Article]
    warnings: list[str] = field(default_factory=list)
    fmt: str = "txt"
    digest: str = ""
    records: list[RecordSpan] | None = None
    resume_at: int | None = None  # record files: where reading an appended file goes on
    replace_from: int | None = None
    errors: list[str] = field(default_factory=list)  # bad records; the others are stored
    skipped: int = 0  # records that are not articles (a WARC's requests, images...)
    last: bool = True  # the file's last part

    @property
    def sha256(self) -> str:
        return self.digest or hashlib.sha256(self.data).hexdigest()


# --- finding files -------------------------------------------------------------------------


@dataclass(frozen=True)
class Skipped:
    """A file found in a directory or by a glob that is not an article (a README...)."""

    path: Path
    reason: str

    def __str__(self) -> str:
        return f"{printable(self.path)}: {self.reason}; skipped (--all-files takes it)"


def discover(
    paths: Sequence[str],
    pattern: str | None = None,
    only: str | None = None,
    all_files: bool = False,
) -> Iterator[Path | LoadError | Skipped]:
    """Yield each matching file once, in a stable order, or a LoadError for a bad argument.

    In a directory, `pattern` (a glob) chooses the files; without one, every file of a supported
    format (of the format `only`, when given) by its suffix, in any case. Files found in a
    directory or by a glob that are not articles (README, LICENSE...) come as `Skipped`, unless
    `all_files`; a file named on its own is always taken.
    """
    for found in discover_keyed(paths, pattern, only, all_files):
        yield found[0] if isinstance(found, tuple) else found


def discover_keyed(
    paths: Sequence[str],
    pattern: str | None = None,
    only: str | None = None,
    all_files: bool = False,
) -> Iterator[tuple[Path, str] | LoadError | Skipped]:
    """`discover`, each file with its key in the store: its resolved path (resolved once)."""
    seen: set[str] = set()
    directories: dict[str, str] = {}  # each directory resolved once
    for arg in paths:
        named = not Path(arg).is_dir() and not _GLOB_CHARS.search(arg)
        for found in _expand(arg, pattern, only):
            if isinstance(found, LoadError):
                yield found
                continue
            if not (all_files or named) and (reason := not_an_article(found)):
                yield Skipped(found, reason)
                continue
            key = _resolved(found, directories)
            if key not in seen:
                seen.add(key)
                yield found, key


def _resolved(path: Path, directories: dict[str, str]) -> str:
    """`path.resolve()` (`absolute()` when it is gone); a file that is not a link is its
    directory resolved (once, in `directories`) and its name, found with one `lstat`."""
    try:
        link = statlib.S_ISLNK(os.lstat(path).st_mode)
    except OSError:
        return str(path.absolute())
    head, name = os.path.split(path)
    if link or name in ("", ".", ".."):
        return str(path.resolve()) if path.exists() else str(path.absolute())
    if (directory := directories.get(head)) is None:
        directory = directories[head] = os.path.realpath(head or ".")
    return os.path.join(directory, name)


def _expand(arg: str, pattern: str | None, only: str | None) -> Iterator[Path | LoadError]:
    path = Path(arg)
    if path.is_dir():
        errors: list[OSError] = []
        if pattern is None:
            matches = sorted(_supported_files(path, only, errors))
        else:
            matches = sorted(p for p in path.rglob(pattern) if not p.is_dir())
            _walk_for_errors(path, errors)  # rglob skips them without a word
        unreadable = [
            LoadError(error.filename or path, f"cannot read this directory ({_reason(error)})")
            for error in errors
        ]
        if not matches and not unreadable:
            wanted = repr(pattern) if pattern else f"a {only or 'supported'} format"
            yield LoadError(arg, f"no files matching {wanted} in this directory")
        yield from unreadable
        yield from map(_checked, matches)
    elif path.is_symlink() or path.exists():
        yield _checked(path)
    elif _GLOB_CHARS.search(arg):
        matches = sorted(Path(p) for p in globlib.glob(arg, recursive=True) if not Path(p).is_dir())
        if not matches:
            yield LoadError(arg, "no files match this pattern")
        yield from map(_checked, matches)
    else:
        yield LoadError(arg, "no such file or directory")


def _supported_files(root: Path, only: str | None, errors: list[OSError]) -> Iterator[Path]:
    """The files under `root` of a supported format (of `only`): `root.rglob("*")` less its
    directories, told apart as a directory's listing tells them (no `stat` of each file), in
    one walk that puts each directory it cannot read in `errors`. Neither follows a link to a
    directory; a link to a file, or a broken one, is a file."""
    for directory, _, names in os.walk(root, onerror=errors.append):
        base = Path(directory)
        yield from (base / name for name in names if name_matches_format(name, only))


def _walk_for_errors(root: Path, errors: list[OSError]) -> None:
    for _ in os.walk(root, onerror=errors.append):
        pass


def _reason(error: OSError) -> str:
    return (error.strerror or str(error)).lower()


def _checked(path: Path) -> Path | LoadError:
    """The path, or why it cannot be a key of the store: a dangling link, an undecodable name."""
    try:
        str(path).encode("utf-8")
    except UnicodeEncodeError:
        return LoadError(path, "file name is not valid UTF-8; rename the file to ingest it")
    if path.is_symlink():
        try:
            path.stat()
        except OSError as error:
            loop = error.errno == errno.ELOOP
            return LoadError(path, "symbolic link loop" if loop else "broken symbolic link")
    return path


# --- reading ---------------------------------------------------------------------------------


def read_bytes(path: Path, max_bytes: int = MAX_FILE_BYTES) -> tuple[bytes, os.stat_result]:
    """The file's bytes and its stat, read once; refused when it changes while being read."""
    try:
        _check_regular(path, path.stat())  # before opening: opening a FIFO would block
        with path.open("rb") as handle:
            before = os.fstat(handle.fileno())
            _check_size(path, before.st_size, max_bytes)
            data = handle.read(max_bytes + 1)
            after = os.fstat(handle.fileno())
    except PermissionError:
        raise LoadError(path, "permission denied") from None
    except IsADirectoryError:
        raise LoadError(path, "is a directory") from None
    except OSError as error:
        raise LoadError(path, error.strerror or str(error)) from None
    if len(data) > max_bytes:
        raise LoadError(path, f"file grew past the {max_bytes // 2**20} MiB limit while being read")
    if _version(before) != _version(after) or len(data) != after.st_size:
        raise LoadError(path, "file changed while being read; ingest it again when it is complete")
    return data, before


def _check_regular(path: Path, stat: os.stat_result) -> None:
    if statlib.S_ISDIR(stat.st_mode):
        raise LoadError(path, "is a directory")
    if not statlib.S_ISREG(stat.st_mode):
        kind = next((name for test, name in _SPECIAL_FILES if test(stat.st_mode)), "special")
        raise LoadError(path, f"not a regular file ({kind})")


def _check_size(path: Path, size: int, max_bytes: int) -> None:
    if size > max_bytes:
        raise LoadError(
            path, f"file is {size / 2**20:.1f} MiB, over the {max_bytes // 2**20} MiB limit"
        )


def _version(stat: os.stat_result) -> tuple[int, int]:
    return stat.st_size, stat.st_mtime_ns
