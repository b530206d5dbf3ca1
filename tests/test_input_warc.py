"""WARC crawls: each HTML page an article through the web-page path; the rest skipped, counted."""

from __future__ import annotations

import gzip
import io
import json
import re
import shutil
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result
from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from corpus import queries
from corpus.check import check_store
from corpus.ingest import Ingest, IngestOptions, IngestReport, NullTagger
from corpus.store import Store

Cli = Callable[..., Result]
PAGES = Path(__file__).parent / "fixtures" / "html"


def ingest(db: Path, *paths: Path, **options: object) -> IngestReport:
    tagger = NullTagger()
    with Store.open(db) as store:
        options_ = IngestOptions(**options)  # type: ignore[arg-type]
        return Ingest(store, lambda: tagger, tagger.fingerprint, options_).run(map(str, paths))  # type: ignore[arg-type]


def response(
    writer: WARCWriter,
    uri: str,
    body: bytes,
    content_type: str = "text/html; charset=utf-8",
    status: str = "200 OK",
    date: str = "2024-05-11T01:02:03Z",
) -> None:
    headers = StatusAndHeaders(status, [("Content-Type", content_type)], protocol="HTTP/1.1")
    record = writer.create_warc_record(
        uri,
        "response",
        payload=io.BytesIO(body),
        http_headers=headers,
        warc_headers_dict={"WARC-Date": date},
    )
    writer.write_record(record)


def crawl(path: Path, gz: bool = True) -> Path:
    """A small crawl: warcinfo, a request, two pages, an image, a redirect, a page of no text."""
    korean = (PAGES / "korean-euc-kr.html").read_bytes().replace(b"; charset=euc-kr", b"")
    undated = re.sub(
        rb"<meta property=.article:published_time[^>]*>",
        b"",
        (PAGES / "meta-only.html").read_bytes(),
    )
    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=gz)
        writer.write_record(writer.create_warcinfo_record(path.name, {"software": "test"}))
        request = StatusAndHeaders("GET /a HTTP/1.1", [("Host", "x.example")], is_http_request=True)
        writer.write_record(
            writer.create_warc_record(
                "https://x.example/a", "request", payload=io.BytesIO(b""), http_headers=request
            )
        )
        response(writer, "https://x.example/a", (PAGES / "jsonld-newsarticle.html").read_bytes())
        response(writer, "https://x.example/logo.png", b"\x89PNG\r\n\x1a\n....", "image/png")
        response(writer, "https://x.example/old", b"", status="301 Moved Permanently")
        # the charset only in the HTTP header: the page itself declares none
        response(writer, "https://kr.example/b", korean, "text/html; charset=EUC-KR")
        response(writer, "https://x.example/menu", b"<html><head><title>M</title></head></html>")
        response(writer, "https://st.example/c", undated, date="2024-06-03T10:00:00Z")
    return path


@pytest.mark.parametrize("gz", [True, False], ids=["warc.gz", "warc"])
def test_pages_become_articles_and_the_rest_is_skipped(db: Path, tmp_path: Path, gz: bool) -> None:
    path = crawl(tmp_path / ("crawl.warc.gz" if gz else "crawl.warc"), gz)
    report = ingest(db, path)
    assert (report.new, report.skipped_records, report.failed) == (3, 5, [])
    with Store.open(db) as store:
        rows = queries.list_articles(store)
        assert [str(p) for p in check_store(store)] == []
        articles = [queries.get_article(store, row["id"]) for row in rows]
    assert [a["url"] for a in articles] == [
        "https://x.example/a",
        "https://kr.example/b",
        "https://st.example/c",
    ]
    english, korean, undated = articles
    assert english["title"] == "Naver weighs sale of LY Corp stake"
    assert english["date"] == "2024-05-09"  # the page's own date, not the record's
    assert "COMMENT-TEXT" not in english["body"]
    assert korean["encoding"] == "cp949" and "네이버가 라인야후의" in korean["body"]
    assert undated["date"] == "2024-06-03"  # from WARC-Date


def test_show_raw_of_a_page_is_its_record_a_one_record_warc(cli: Cli, tmp_path: Path) -> None:
    path = crawl(tmp_path / "crawl.warc.gz")
    result = cli("ingest", path, "--jobs", "1")
    assert result.exit_code == 0, result.output
    assert "5 records skipped (not article pages)" in result.stderr
    rows = json.loads(cli("list", "--json").stdout)
    korean = next(row for row in rows if row["url"] == "https://kr.example/b")
    raw = cli("show", korean["id"], "--raw").stdout_bytes
    assert raw.startswith(b"\x1f\x8b")  # a gzip member, as in the file
    [record] = list(ArchiveIterator(io.BytesIO(raw)))
    assert record.rec_headers.get_header("WARC-Target-URI") == "https://kr.example/b"
    assert raw in path.read_bytes()
    assert cli("check").exit_code == 0


def test_an_appended_crawl_reads_only_its_new_records(db: Path, tmp_path: Path) -> None:
    path = crawl(tmp_path / "crawl.warc.gz")
    ingest(db, path)
    more = crawl(tmp_path / "more.warc.gz")
    with path.open("ab") as handle:
        handle.write(more.read_bytes())
    response(WARCWriter(path.open("ab"), gzip=True), "https://y.example/new", b"<p>x</p>")
    report = ingest(db, path)
    # the appended records repeat the first crawl's pages: the same texts, stored once
    assert (report.new, report.unchanged, report.duplicates, report.skipped_records) == (0, 6, 0, 6)
    assert report.replaced_files == 0


def test_a_page_that_inflates_past_the_limit_is_refused_by_name(db: Path, tmp_path: Path) -> None:
    path = tmp_path / "bomb.warc.gz"
    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=True)
        response(writer, "https://x.example/a", (PAGES / "jsonld-newsarticle.html").read_bytes())
        response(writer, "https://bomb.example/", b"<html><p>" + b"A" * 3_000_000 + b"</p></html>")
        response(writer, "https://st.example/c", (PAGES / "meta-only.html").read_bytes())
    assert path.stat().st_size < 50_000
    report = ingest(db, path, max_bytes=2**20)
    assert report.new == 2
    [error] = report.failed
    assert "(https://bomb.example/): the page is over the 1 MiB limit" in error


def test_a_header_line_bomb_is_read_in_bounded_memory(db: Path, tmp_path: Path) -> None:
    path = tmp_path / "bomb.warc.gz"
    page = tmp_path / "page.warc.gz"
    with page.open("wb") as out:
        response(WARCWriter(out, gzip=True), "https://x.example/a", b"<p>Naver and LINE.</p>")
    # a member of one endless header line: 120 MB of "X" and no newline, 120 kB compressed
    bomb = gzip.compress(b"WARC/1.0\r\nWARC-Type: " + b"X" * 120_000_000, 6)
    path.write_bytes(bomb + page.read_bytes())
    tracemalloc.start()
    try:
        report = ingest(db, path, max_bytes=2**20)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    # warcio inflates a 16 kB block at a time (at most ~16 MB of output each), and its lines
    # stop at the limit: memory stays tens of MB however long the line (400 MB: 68 MB)
    assert peak < 100_000_000
    assert report.files == 1 and report.new + report.skipped_records + len(report.failed) >= 1


def test_a_file_that_is_not_a_warc_is_one_error(db: Path, tmp_path: Path) -> None:
    path = tmp_path / "notes.warc"
    path.write_text("just some text\n")
    report = ingest(db, path)
    assert report.new == 0 and len(report.failed) == 1
    assert "notes.warc: not a readable WARC record near byte" in report.failed[0]


def test_format_forces_warc_for_another_suffix(db: Path, tmp_path: Path) -> None:
    path = crawl(tmp_path / "crawl.warc.gz")
    renamed = tmp_path / "crawl.bin"
    shutil.copy(path, renamed)
    assert ingest(db, renamed, fmt="warc").new == 3
