"""Saved web pages: the article's text and metadata, never the page's furniture."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from corpus.loader import LoadError, discover, load_file
from corpus.loader.html import declared_charset, decode_page

Cli = Callable[..., Result]
PAGES = Path(__file__).parent / "fixtures" / "html"
# Each fixture marks its page furniture with one of these words: none may reach a body.
FURNITURE = (
    "NAV-LINK-TEXT",
    "COOKIE-BANNER-TEXT",
    "SHARE-BAR-TEXT",
    "RELATED-LINK-TEXT",
    "COMMENT-TEXT",
    "FOOTER-TEXT",
    "SCRIPT-TEXT-MUST-NOT-APPEAR",
)
EXPECTED = {
    "jsonld-newsarticle.html": {
        "title": "Naver weighs sale of LY Corp stake",
        "author": "Mina Park",
        "date": "2024-05-09",
        "source": "Harbour Times",
        "url": "https://harbourtimes.example/business/2024/05/naver-weighs-ly-stake",
        "lang": "en",
        "encoding": "utf-8",
        "first": "Naver is reviewing whether to sell part of its holding in LY Corp",
        "last": "while stressing that the decision rested with Naver.",
    },
    "meta-only.html": {
        "title": "Kakao and Line race to add AI assistants",
        "author": "Joon Lee",
        "date": "2024-06-02",
        "source": "Seoul Tech Daily",
        "url": "https://seoultech.example/news/kakao-line-ai",
        "lang": "en",
        "encoding": "utf-8",
        "first": "Kakao said on Sunday that it would build an artificial intelligence",
        "last": "has its own HyperCLOVA X model, which Line could use.",
    },
    "korean-euc-kr.html": {
        "title": "네이버, 라인야후 지분 매각 검토",
        "author": "김민수 기자",
        "date": "2024-05-10",
        "source": "한빛일보",
        "url": None,
        "lang": "ko",
        "encoding": "cp949",
        "first": "네이버가 라인야후의 지분 일부를 매각하는 방안을",
        "last": "똠방각하 같은 확장 완성형 글자도 쓰인다.",
    },
    "japanese-shift-jis.html": {
        "title": "LINEヤフー、韓国ネイバーとの委託関係を見直し",
        "author": None,
        "date": "2024-05-08",
        "source": "東都新聞",
        "url": None,
        "lang": "ja",
        "encoding": "cp932",
        "first": "LINEヤフーは8日、韓国のネイバーへのシステム業務の委託を",
        "last": "資本関係の見直しについては協議を続けるとしている。",
    },
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_page_gives_its_article_and_metadata(name: str) -> None:
    expected = EXPECTED[name]
    loaded = load_file(PAGES / name)
    [article] = loaded.articles
    assert loaded.encoding == expected["encoding"] and loaded.warnings == []
    for key in ("title", "author", "date", "source", "url", "lang"):
        assert getattr(article, key) == expected[key], key
    assert article.body.startswith(str(expected["first"]))
    assert article.body.endswith(str(expected["last"]))
    assert article.body.count("\n") == 2 or name == "jsonld-newsarticle.html"
    assert not article.body.startswith(str(expected["title"]))  # the repeated headline is dropped


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_no_page_furniture_reaches_the_body(name: str) -> None:
    [article] = load_file(PAGES / name).articles
    found = [marker for marker in FURNITURE if marker in article.body or marker in article.title]
    assert found == []
    assert "{" not in article.body and "track()" not in article.body


def test_declared_charset_is_read_from_meta_and_xml_declaration() -> None:
    meta = b'<meta http-equiv="content-type" content="text/html; charset=EUC-KR">'
    assert declared_charset(meta) == "cp949"
    assert declared_charset(b"<meta charset='shift_jis'>") == "cp932"
    assert declared_charset(b'<?xml version="1.0" encoding="Shift_JIS"?><html>') == "cp932"
    assert declared_charset(b"<meta charset=iso-8859-1>") == "cp1252"
    assert declared_charset(b"<meta charset=klingon>") is None
    assert declared_charset(b"<html><p>no declaration</p>") is None


def test_a_wrong_declaration_falls_back_to_utf8_with_a_warning(tmp_path: Path) -> None:
    page = PAGES.joinpath("jsonld-newsarticle.html").read_text("utf-8")
    page = page.replace('<meta charset="utf-8">', '<meta charset="euc-kr">')
    page = page.replace("Mina Park", "Mina Park — 박민아")  # not valid EUC-KR bytes
    path = tmp_path / "wrong.html"
    path.write_text(page, "utf-8")
    loaded = load_file(path)
    assert loaded.encoding == "utf-8"
    assert len(loaded.warnings) == 1 and "declares cp949" in loaded.warnings[0]
    assert "wrong.html" in loaded.warnings[0]


def test_an_undeclared_legacy_page_is_detected() -> None:
    page = (PAGES / "korean-euc-kr.html").read_bytes().replace(b"; charset=euc-kr", b"")
    decoded = decode_page(page, "undeclared.html")
    assert decoded.encoding in ("cp949", "euc_kr", "johab") or decoded.encoding.startswith("cp9")
    assert "네이버가 라인야후의" in decoded.text
    assert any("decoded as" in warning for warning in decoded.warnings)


def test_a_header_charset_wins_over_meta() -> None:
    data = "<meta charset=utf-8><p>ネイバー</p>".encode("cp932")
    assert decode_page(data, "p.html", header_charset="Shift_JIS").encoding == "cp932"


def test_a_page_without_text_is_one_error_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "menu.html"
    path.write_text(
        "<html><head><title>Menu</title></head><body><script>x()</script></body></html>"
    )
    with pytest.raises(LoadError, match=r"menu\.html: no article text found"):
        load_file(path)


def test_directories_give_every_supported_suffix_in_any_case(tmp_path: Path) -> None:
    for name in ("a.html", "b.HTM", "c.XHTML", "d.txt", "e.TXT", "f.md", "g.html.bak"):
        (tmp_path / name).write_text("x")
    found = sorted(p.name for p in discover([str(tmp_path)]) if isinstance(p, Path))
    assert found == ["a.html", "b.HTM", "c.XHTML", "d.txt", "e.TXT"]
    only = sorted(p.name for p in discover([str(tmp_path)], only="html") if isinstance(p, Path))
    assert only == ["a.html", "b.HTM", "c.XHTML"]
    globbed = sorted(p.name for p in discover([str(tmp_path)], "*.md") if isinstance(p, Path))
    assert globbed == ["f.md"]


def test_format_forces_the_reader(tmp_path: Path) -> None:
    path = tmp_path / "saved.txt"
    shutil.copy(PAGES / "meta-only.html", path)
    assert "<div" in load_file(path).articles[0].body  # as text: the markup is the text
    [article] = load_file(path, fmt="html").articles
    assert article.title == EXPECTED["meta-only.html"]["title"] and "<div" not in article.body


def test_ingest_pages_stores_metadata_raw_bytes_and_checks(
    cli: Cli, tmp_path: Path, seeds_dir: Path
) -> None:
    folder = tmp_path / "pages"
    shutil.copytree(PAGES, folder)
    shutil.copy(next(seeds_dir.glob("000_*.txt")), folder / "seed.TXT")
    result = cli("ingest", folder, "--jobs", "1")
    assert result.exit_code == 0, result.output
    assert result.stderr.strip().splitlines()[-1] == "5 new, 0 unchanged (5 files)"
    rows = json.loads(cli("list", "--json").stdout)
    by_title = {row["title"]: row for row in rows}
    korean = by_title[EXPECTED["korean-euc-kr.html"]["title"]]
    shown = json.loads(cli("show", korean["id"], "--json").stdout)
    assert (shown["author"], shown["source"], shown["lang"]) == ("김민수 기자", "한빛일보", "ko")
    raw = cli("show", korean["id"], "--raw").stdout_bytes
    assert raw == (PAGES / "korean-euc-kr.html").read_bytes()
    assert cli("check").exit_code == 0
    again = cli("ingest", folder, "--jobs", "1")
    assert again.stderr.strip().splitlines()[-1] == "0 new, 5 unchanged (5 files)"
    only = cli("ingest", folder, "--jobs", "1", "--format", "txt", "--json")
    assert json.loads(only.stdout)["files"] == 1
