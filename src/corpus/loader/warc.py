"""WARC crawls (`.warc`, `.warc.gz`), by warcio (Apache-2.0): each HTML page an article.

A `response` (or `resource`) record of an HTML page with a 2xx status goes through the web-page
path (`html`), its `url` the record's `WARC-Target-URI`, its date the page's own or else the
record's `WARC-Date`, its charset the HTTP header's or else the page's. Every other record
(requests, metadata, warcinfo, images, redirects, pages without article text) is skipped and
counted. A record's stored bytes are its bytes in the file (a gzip member in a `.warc.gz`), so
`corpus show --raw ID > page.warc.gz` is a one-record WARC file.

Compressed input is bounded: warcio reads a record's headers line by line, and a line is read
no further than the size limit; a page that inflates past the limit is refused, naming its
record, and then read past in blocks. Nothing is written to disk.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

from corpus.loader.files import LoadError
from corpus.loader.streams import Item, Source

_HTML_TYPES = ("text/html", "application/xhtml+xml")
_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9_.:-]+)", re.IGNORECASE)
_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}")


def read_warc(source: Source) -> Iterator[Item]:
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    records = ArchiveIterator(source.reader, check_digests=False)
    records.reader.readline = _bounded(records.reader.readline, source.max_bytes)
    iterator = iter(records)
    while True:
        try:
            record = next(iterator)
        except StopIteration:
            return
        except (ArchiveLoadFailed, ValueError, OSError, EOFError) as error:
            at = source.reader.position
            message = f"not a readable WARC record near byte {at} ({_reason(error)})"
            yield Item(at, b"", at, terminated=False, error=message + "; the rest is not read")
            return
        yield _item(source, records, record)


def _item(source: Source, records: Any, record: Any) -> Item:
    page: bytes | None = None
    error = None
    if _is_page(record):
        try:
            page = record.content_stream().read(source.max_bytes + 1)
        except Exception as failure:  # a broken chunked or compressed payload, from any codec
            error = f"cannot read the page ({_reason(failure)})"
        if page is not None and len(page) > source.max_bytes:
            page, error = None, f"the page is over the {source.limit} limit"
    offset, length = records.get_record_offset(), records.get_record_length()
    uri = record.rec_headers.get_header("WARC-Target-URI") or ""
    # The record ends where the next begins: in an uncompressed WARC, after the blank lines
    # that its length leaves out.
    item = Item(offset, b"", max(offset + length, records.offset))
    if error is not None:
        item.error = f"record at byte {offset} ({uri[:200]}): {error}"
    elif page is None:
        item.skipped = True
    elif length > source.max_bytes:
        item.error = f"record at byte {offset} ({uri[:200]}): over the size limit"
    else:
        _page_article(item, source, record, page, uri)
        if item.article is not None:
            item.data = source.reader.pread(offset, length)
    return item


def _page_article(item: Item, source: Source, record: Any, page: bytes, uri: str) -> None:
    from corpus.loader.html import load_page

    content_type = record.http_headers.get_header("Content-Type") or ""
    charset = match[1] if (match := _CHARSET.search(content_type)) else None
    try:
        article, warnings = load_page(page, source.key, header_charset=charset, url=uri or None)
    except LoadError:
        item.skipped = True  # a page without article text (an index, a login page)
        return
    updates: dict[str, str | None] = {"url": uri or article.url}
    if article.date is None:
        warc_date = record.rec_headers.get_header("WARC-Date") or ""
        updates["date"] = warc_date[:10] if _ISO_DAY.match(warc_date) else None
    item.article = article.model_copy(update=updates)
    item.encoding = article.encoding
    if warnings:
        item.warning = (
            f"record at byte {item.offset} ({uri[:200]}): {warnings[0].split(': ', 1)[-1]}"
        )


def _is_page(record: Any) -> bool:
    if record.rec_type not in ("response", "resource"):
        return False
    if record.rec_type == "response":
        if record.http_headers is None:
            return False
        status = record.http_headers.get_statuscode() or ""
        if not status.startswith("2"):
            return False
        content_type = record.http_headers.get_header("Content-Type") or ""
    else:
        content_type = record.rec_headers.get_header("Content-Type") or ""
    return content_type.split(";")[0].strip().lower() in _HTML_TYPES


def _bounded(readline: Callable[..., bytes], limit: int) -> Callable[..., bytes]:
    """warcio's readline, never reading a line past `limit` bytes (a bomb of one long line)."""

    def read(length: int | None = None) -> bytes:
        return readline(limit if length is None or length <= 0 else min(length, limit))

    return read


def _reason(error: BaseException) -> str:
    return " ".join(str(error).split())[:200] or type(error).__name__
