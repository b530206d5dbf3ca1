"""Files -> Articles: find files, read and decode their bytes, split them into news items.

The three seed files are the specification: a plain article (000), an article followed by a
digest of dated briefs (001) and an article ending in a copyright line (002).
"""

from __future__ import annotations

import codecs
import errno
import glob as globlib
import hashlib
import os
import re
import stat as statlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from corpus.escapes import UNSAFE_IN_LINE, escape
from corpus.models import Article

MAX_FILE_BYTES = 20 * 1024 * 1024
# spaCy's default `nlp.max_length`: its NER needs about 1 GB per 100,000 characters beyond it.
MAX_ITEM_CHARS = 1_000_000
DEFAULT_GLOB = "*.txt"
_GLOB_CHARS = re.compile(r"[*?\[]")

_MONTHS = "Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec"
_MONTH_NUMBER = {m: i for i, m in enumerate(_MONTHS.split("|"), start=1)}
_MONTH_NUMBER["Sept"] = 9
_DATE = rf"(?P<month>{_MONTHS})[a-z]*\.? (?P<day>\d{{1,2}})(?:,? (?P<year>\d{{4}}))?"
BRIEF_HEADER = re.compile(rf"^(?P<source>\S.{{0,80}}?) [-–—] (?P<date>{_DATE})$")
SOURCE_TRAILER = re.compile(r"^[-–—]\s*(?P<source>[^\s.].{0,60})$")
RIGHTS_TRAILER = re.compile(
    r"^(?:Copyright\s*)?(?:©|\(c\))\s*(?:\d{4}\s*)?(?P<holder>[^.©]+?)\s*(?:\.|$)",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"[.!?][\"”’)]*\s+")
_ABBREVIATIONS = {"mr", "mrs", "ms", "dr", "st", "inc", "corp", "co", "ltd", "jr", "sr", "vs", "no"}
_INITIALISM = re.compile(r"^(?:[A-Za-z]\.)*[A-Za-z]$")
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


@dataclass
class LoadedFile:
    """One file read from disk: its exact bytes, how they were decoded, and its articles."""

    path: str
    data: bytes
    size: int
    mtime_ns: int
    encoding: str
    articles: list[Article]
    warnings: list[str] = field(default_factory=list)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


# --- finding files -------------------------------------------------------------------------


def discover(paths: Sequence[str], pattern: str = DEFAULT_GLOB) -> Iterator[Path | LoadError]:
    """Yield each matching file once, in a stable order, or a LoadError for a bad argument."""
    seen: set[Path] = set()
    for arg in paths:
        for found in _expand(arg, pattern):
            if isinstance(found, LoadError):
                yield found
                continue
            key = found.resolve() if found.exists() else found.absolute()
            if key not in seen:
                seen.add(key)
                yield found


def _expand(arg: str, pattern: str) -> Iterator[Path | LoadError]:
    path = Path(arg)
    if path.is_dir():
        matches = sorted(p for p in path.rglob(pattern) if not p.is_dir())
        unreadable = _unreadable_directories(path)  # rglob skips them without a word
        if not matches and not unreadable:
            yield LoadError(arg, f"no files matching {pattern!r} in this directory")
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


def _unreadable_directories(root: Path) -> list[LoadError]:
    errors: list[OSError] = []
    for _ in os.walk(root, onerror=errors.append):
        pass
    return [
        LoadError(error.filename or root, f"cannot read this directory ({_reason(error)})")
        for error in errors
    ]


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


# --- reading and decoding ------------------------------------------------------------------


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


def decode(data: bytes, path: str | os.PathLike[str]) -> tuple[str, str, list[str]]:
    """Return (text, encoding, warnings). UTF-8 (BOM allowed) and UTF-16 with BOM; else cp1252."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            raise LoadError(
                path, "starts with a UTF-16 byte order mark but is not UTF-16"
            ) from None
        if "\x00" in text:
            raise LoadError(path, "binary file (UTF-16 text with NUL characters)")
        return text, "utf-16", []
    if b"\x00" in data:
        raise LoadError(path, "binary file (contains NUL bytes)")
    try:
        if data.startswith(codecs.BOM_UTF8):
            return data.decode("utf-8-sig"), "utf-8-sig", []
        return data.decode("utf-8"), "utf-8", []
    except UnicodeDecodeError as error:
        where = f"byte {error.start}"
    try:
        text, encoding = data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        text, encoding = data.decode("latin-1"), "latin-1"
    warning = f"{printable(path)}: not valid UTF-8 (at {where}); decoded as {encoding}"
    return text, encoding, [warning]


def normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def is_blank(line: str) -> bool:
    """Blank includes lines of only whitespace such as U+00A0."""
    return not line.strip()


# --- splitting a text into articles -------------------------------------------------------


def looks_like_headline(line: str) -> bool:
    stripped = line.strip()
    return 0 < len(stripped) <= 200 and len(stripped.split()) <= 25 and stripped[-1] not in ".!?;,:"


def first_sentence(paragraph: str) -> str:
    for match in _SENTENCE_END.finditer(paragraph):
        before = paragraph[: match.start() + 1].split()
        word = before[-1].rstrip(".!?") if before else ""
        if word.lower() in _ABBREVIATIONS or _INITIALISM.match(word):
            continue
        return paragraph[: match.end()].strip()
    return paragraph.strip()


def iso_date(match: re.Match[str]) -> str:
    """ISO date when the year is known, else the date as written (e.g. "Apr 10")."""
    if match["year"]:
        return f"{match['year']}-{_MONTH_NUMBER[match['month']]:02d}-{int(match['day']):02d}"
    return match["date"]


def _clean_lines(lines: list[str]) -> list[str]:
    """Blank out whitespace-only lines, collapse runs of blanks, trim blank edges."""
    out: list[str] = []
    for line in lines:
        line = line.rstrip()
        if is_blank(line):
            if out and out[-1] != "":
                out.append("")
        else:
            out.append(line)
    while out and out[-1] == "":
        out.pop()
    return out


def _brief_starts(lines: list[str]) -> list[int]:
    """Indices of brief header lines: `Source - Mon DD` after a blank line, before text."""
    starts = []
    for i, line in enumerate(lines):
        if not BRIEF_HEADER.match(line.strip()):
            continue
        after_blank = i == 0 or is_blank(lines[i - 1])
        has_text = i + 1 < len(lines) and not is_blank(lines[i + 1])
        if after_blank and has_text:
            starts.append(i)
    return starts


def parse_text(text: str, path: str, encoding: str = "utf-8") -> list[Article]:
    """Split one decoded text into Articles: a main article, then any briefs."""
    lines = normalise_newlines(text).split("\n")
    starts = _brief_starts(lines)
    segments = [(0, starts[0] if starts else len(lines))]
    segments += [(s, e) for s, e in zip(starts, [*starts[1:], len(lines)], strict=False)]
    articles: list[Article] = []
    for position, (start, end) in enumerate(segments):
        segment = lines[start:end]
        raw = "\n".join(segment)
        parse = _parse_brief if position > 0 else _parse_article
        article = parse(segment, path, encoding, raw)
        if article is not None:
            articles.append(article.model_copy(update={"position": len(articles)}))
    return articles


def _parse_article(lines: list[str], path: str, encoding: str, raw: str) -> Article | None:
    cleaned = _clean_lines(lines)
    if not cleaned:
        return None
    title = None
    if len(cleaned) > 1 and looks_like_headline(cleaned[0]):
        title = cleaned[0].strip()
        cleaned = _clean_lines(cleaned[1:])
    source = rights = None
    if cleaned and (match := RIGHTS_TRAILER.match(cleaned[-1].strip())):
        rights, source = cleaned[-1].strip(), match["holder"].strip()
        cleaned = _clean_lines(cleaned[:-1])
    if cleaned and (match := SOURCE_TRAILER.match(cleaned[-1].strip())):
        source = match["source"].strip()
        cleaned = _clean_lines(cleaned[:-1])
    body = "\n".join(cleaned)
    if not body:  # only a title or a trailer: that line is the body, so no article is empty
        body, title = title or "\n".join(_clean_lines(lines)), None
    return Article(
        kind="article",
        title=title,
        source=source,
        rights=rights,
        body=body,
        path=path,
        encoding=encoding,
        raw=raw,
    )


def _parse_brief(lines: list[str], path: str, encoding: str, raw: str) -> Article | None:
    header = BRIEF_HEADER.match(lines[0].strip())
    assert header is not None  # _brief_starts only returns header lines
    body = "\n".join(_clean_lines(lines[1:]))
    return Article(
        kind="brief",
        title=first_sentence(body.split("\n")[0]),
        source=header["source"].strip(),
        date=iso_date(header),
        body=body,
        path=path,
        encoding=encoding,
        raw=raw,
    )


def load_file(path: Path, max_bytes: int = MAX_FILE_BYTES) -> LoadedFile:
    """Read, decode and split one file; raises LoadError with the file named."""
    data, stat = read_bytes(path, max_bytes)
    if not data:
        raise LoadError(path, "empty file")
    text, encoding, warnings = decode(data, path)
    if is_blank(text):
        raise LoadError(path, "no text (only whitespace)")
    key = str(path.resolve())
    articles = parse_text(text, key, encoding)
    _check_item_lengths(path, articles)
    return LoadedFile(key, data, stat.st_size, stat.st_mtime_ns, encoding, articles, warnings)


def _check_item_lengths(path: Path, articles: list[Article]) -> None:
    longest = max((len(a.body) for a in articles), default=0)
    if longest > MAX_ITEM_CHARS:
        raise LoadError(
            path,
            f"an article of {longest:,} characters is over the {MAX_ITEM_CHARS:,}-character "
            "limit for tagging; split the file",
        )
