"""Saved web pages -> an Article: the main text and metadata, by trafilatura.

trafilatura (Apache-2.0) finds the article's text and leaves navigation, cookie banners,
related links, comments, share bars, footers, scripts and styles out; its metadata gives the
title, author, date, site name (our `source`) and canonical URL. The page's bytes are decoded by
its declared charset (a byte order mark, then an HTTP header's charset when the page came from a
crawl, then `<meta charset>` or an XML declaration), else as UTF-8, else by a detector.
"""

from __future__ import annotations

import codecs
import logging
import os
import re
from dataclasses import dataclass

from corpus.loader.decoding import normalise_newlines
from corpus.loader.files import LoadError, printable
from corpus.models import Article

_SNIFF_BYTES = 16 * 1024
_META_CHARSET = re.compile(
    rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]{1,40})""", re.IGNORECASE
)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]{0,100}?encoding\s*=\s*["']([A-Za-z0-9_.:-]{1,40})""")
_HTML_LANG = re.compile(
    rb"""<html\b[^>]{0,500}?\blang\s*=\s*["']?([A-Za-z]{2,3})(?![A-Za-z])""", re.IGNORECASE
)
_META_LANG = re.compile(
    rb"""<meta[^>]{0,200}?(?:http-equiv\s*=\s*["']?content-language|property\s*=\s*["']og:locale)"""
    rb"""[^>]{0,200}?content\s*=\s*["']?([A-Za-z]{2,3})(?![A-Za-z])""",
    re.IGNORECASE,
)
# What browsers decode these labels as: the Windows supersets, which pages labelled with the
# older name use in practice (CP949 for EUC-KR, CP932 for Shift_JIS).
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_SUPERSETS = {
    "euc_kr": "cp949",
    "shift_jis": "cp932",
    "iso8859-1": "cp1252",
    "ascii": "cp1252",
    "gb2312": "gb18030",
    "gbk": "gb18030",
}
_ALIASES = {"x-sjis": "shift_jis", "windows-31j": "cp932", "x-euc-kr": "euc_kr"}

for _name in ("trafilatura", "htmldate", "courlan", "justext"):
    logging.getLogger(_name).addHandler(logging.NullHandler())  # its warnings are not ours
    logging.getLogger(_name).propagate = False


@dataclass(frozen=True)
class Page:
    """A decoded page: its text, the codec it was decoded with, and any warning about that."""

    text: str
    encoding: str
    warnings: list[str]


def codec_name(label: str | bytes) -> str | None:
    """Python's codec for a charset label (its superset, where browsers use one), or None."""
    text = label.decode("ascii", "replace") if isinstance(label, bytes) else label
    try:
        text = text.strip().lower()
        name = codecs.lookup(_ALIASES.get(text, text)).name
    except LookupError:
        return None
    return _SUPERSETS.get(name, name)


def declared_charset(data: bytes) -> str | None:
    head = data[:_SNIFF_BYTES]
    match = _XML_ENCODING.match(head) or _META_CHARSET.search(head)
    return codec_name(match[1]) if match else None


def decode_page(
    data: bytes, path: str | os.PathLike[str], header_charset: str | None = None
) -> Page:
    """The page's text by its byte order mark, declared charset, UTF-8, then a detector."""
    bom = next((name for mark, name in _BOMS if data.startswith(mark)), None)
    if bom is not None:
        if (page := _decode_as(data, bom)) is None:
            raise LoadError(path, f"starts with a {bom} byte order mark but is not {bom}")
        return page
    if b"\x00" in data:
        raise LoadError(path, "binary file (contains NUL bytes)")
    warnings: list[str] = []
    declared = codec_name(header_charset) if header_charset else None
    declared = declared or declared_charset(data)
    if declared and declared not in ("utf-8", "utf-16"):
        if (page := _decode_as(data, declared)) is not None:
            return page
        warnings.append(f"{printable(path)}: declares {declared} but is not {declared}")
    if (page := _decode_as(data, "utf-8")) is not None:
        return Page(page.text, page.encoding, warnings)
    guess = _detect(data)
    if guess and (page := _decode_as(data, guess)) is not None:
        return Page(page.text, page.encoding, [*warnings, f"{printable(path)}: decoded as {guess}"])
    text = data.decode("latin-1")
    return Page(text, "latin-1", [*warnings, f"{printable(path)}: not valid UTF-8; as latin-1"])


def _decode_as(data: bytes, encoding: str) -> Page | None:
    try:
        return Page(data.decode(encoding), encoding, [])
    except (UnicodeDecodeError, LookupError):
        return None


def _detect(data: bytes) -> str | None:
    from charset_normalizer import from_bytes

    best = from_bytes(data[: 4 * _SNIFF_BYTES]).best()
    return codec_name(best.encoding) if best is not None else None


def declared_language(data: bytes) -> str | None:
    """The page's declared language (`<html lang>`, Content-Language, og:locale), ISO 639-1."""
    head = data[:_SNIFF_BYTES]
    match = _HTML_LANG.search(head) or _META_LANG.search(head)
    if match is None or len(match[1]) != 2:
        return None
    return match[1].decode("ascii").lower()


def parse_page(
    text: str, path: str, encoding: str, *, url: str | None = None, lang: str | None = None
) -> Article:
    """The page's article; raises LoadError when the page has no main text."""
    from trafilatura import bare_extraction

    document = bare_extraction(
        text, url=url, include_comments=False, with_metadata=True, deduplicate=False
    )
    title = _field(document, "title")
    body = _paragraphs(getattr(document, "text", None) or "", title)
    if not body:
        raise LoadError(path, "no article text found in this page")
    return Article(
        title=title,
        author=_field(document, "author"),
        date=_field(document, "date"),
        source=_field(document, "sitename"),
        url=_field(document, "url") or url,
        lang=lang,
        body=body,
        path=path,
        encoding=encoding,
        raw=normalise_newlines(text),
    )


def load_page(
    data: bytes, path: str, *, header_charset: str | None = None, url: str | None = None
) -> tuple[Article, list[str]]:
    """Decode a page's bytes and extract its article, with any decoding warnings."""
    page = decode_page(data, path, header_charset)
    article = parse_page(page.text, path, page.encoding, url=url, lang=declared_language(data))
    return article, page.warnings


def _paragraphs(text: str, title: str | None) -> str:
    """One paragraph a line, without the headline the page repeats above the text."""
    lines = [line.strip() for line in normalise_newlines(text).split("\n") if line.strip()]
    if len(lines) > 1 and title and " ".join(lines[0].split()) == title:
        lines = lines[1:]
    return "\n".join(lines)


def _field(document: object, name: str) -> str | None:
    value = getattr(document, name, None)
    if not isinstance(value, str):
        return None
    return " ".join(value.split()) or None
