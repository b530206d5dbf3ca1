"""The seed files are the loader's specification: exact expectations for each."""

from __future__ import annotations

from pathlib import Path

import pytest

from corpus.loader import LoadError, decode, discover, discover_keyed, load_file, parse_text
from corpus.loader.plaintext import first_sentence, looks_like_headline
from corpus.models import article_id


def load(seeds_dir: Path, prefix: str) -> list:  # type: ignore[type-arg]
    [path] = seeds_dir.glob(f"{prefix}_*.txt")
    return load_file(path).articles


def test_seed_000_is_one_article_with_headline_and_no_source(seeds_dir: Path) -> None:
    [article] = load(seeds_dir, "000")
    assert article.kind == "article"
    assert article.title == "Discussions Ongoing Between Korea and Naver Amid Japan\u2019s Pressure"
    assert article.source is None and article.rights is None and article.date is None
    assert article.body.startswith("In the wake of reports that Japan has exerted pressure")
    assert article.body.endswith("national data security concerns.")
    assert article.words == len(article.body.split()) == 322
    assert article.id == article_id(article.title, article.body)


def test_seed_001_splits_main_article_and_sixteen_briefs(seeds_dir: Path) -> None:
    articles = load(seeds_dir, "001")
    assert [a.kind for a in articles] == ["article"] + ["brief"] * 16
    assert [a.position for a in articles] == list(range(17))
    main = articles[0]
    assert main.title == "Line cuts off access from China to protect personal data in Japan"
    assert main.source == "Nikkei"
    assert "- Nikkei" not in main.body
    assert main.body.endswith("amid growing scrutiny worldwide over data management.")
    sources = [a.source for a in articles[1:]]
    assert sources[:3] == ["JapanNutrition.com", "washingtonpost.com", "newsonjapan.com"]
    assert "Nikkein" in sources  # kept as written
    assert sources[-1] == "Bloomberg Markets and Finance"
    reuters = next(a for a in articles if a.source == "Reuters")
    assert reuters.date == "Apr 10"
    assert reuters.body.startswith("The number of Japan's")  # the dateline is out of the body
    assert reuters.place == "TOKYO"
    assert reuters.title == reuters.body  # one sentence
    places = {a.source: a.place for a in articles if a.place}
    assert places == {
        "washingtonpost.com": "NAMIE, Japan",
        "Nikkei": "NAGOYA, Japan",
        "Reuters": "TOKYO",
    }
    assert not any(a.title and a.title.startswith(("NAMIE", "NAGOYA", "TOKYO")) for a in articles)
    assert articles[1].date == "Apr 17" and articles[-1].date == "Apr 09"


def test_brief_title_is_first_sentence_not_cut_at_initials(seeds_dir: Path) -> None:
    articles = load(seeds_dir, "001")
    toshiba = next(a for a in articles if a.source == "Kyodo")
    assert toshiba.title == "The head of Japanese industrial giant Toshiba has stepped down."
    bloomberg = articles[-1]
    assert bloomberg.title == (
        "Japan recently overtook China as the largest international holder of "
        "U.S. Treasury securities."
    )


def test_seed_002_has_rights_line_out_of_body_and_nbsp_lines_blank(seeds_dir: Path) -> None:
    [article] = load(seeds_dir, "002")
    assert article.title == "Korean Messengers in China"
    assert article.source == "BusinessKorea"
    assert article.rights is not None and article.rights.startswith(
        "Copyright \u00a9 BusinessKorea."
    )
    assert "Copyright" not in article.body
    assert "\u00a0" not in article.body
    assert article.body.startswith("Mobile messengers Line and Kakao")
    assert "\n\n\n" not in article.body


def test_all_seeds_give_nineteen_distinct_articles(seeds_dir: Path) -> None:
    found = [p for p in discover([str(seeds_dir)]) if isinstance(p, Path)]
    articles = [a for path in found for a in load_file(path).articles]
    assert len(articles) == 19
    assert len({a.id for a in articles}) == 19


def test_same_text_gets_same_id_wherever_it_lies(tmp_path: Path, seeds_dir: Path) -> None:
    [seed] = seeds_dir.glob("000_*.txt")
    copy = tmp_path / "elsewhere" / "copy.txt"
    copy.parent.mkdir()
    copy.write_bytes(seed.read_bytes().replace(b"\n", b"\r\n"))
    assert load_file(copy).articles[0].id == load_file(seed).articles[0].id


def test_non_utf8_is_decoded_as_cp1252_with_a_warning_naming_the_file() -> None:
    text, encoding, warnings = decode("caf\u00e9 \u2019".encode("cp1252"), "x/a.txt")
    assert (text, encoding) == ("caf\u00e9 \u2019", "cp1252")
    assert len(warnings) == 1 and warnings[0].startswith("x/a.txt: not valid UTF-8")


def test_utf8_bom_and_utf16_are_decoded() -> None:
    assert decode(b"\xef\xbb\xbfHello", "a") == ("Hello", "utf-8-sig", [])
    assert decode("Hello".encode("utf-16"), "a")[:2] == ("Hello", "utf-16")


def test_binary_file_is_refused() -> None:
    with pytest.raises(LoadError, match="binary file"):
        decode(b"\x89PNG\x00\x00", "img.txt")


def test_headline_rules() -> None:
    assert looks_like_headline("Korean Messengers in China")
    assert not looks_like_headline("This is a sentence that ends with a period.")
    assert looks_like_headline("CHINA CALLS FOR BETTER TRADE DEAL WITH U.S.")  # an initialism
    assert not looks_like_headline(" ".join(["word"] * 40))


def test_text_without_headline_keeps_first_line_in_body() -> None:
    [article] = parse_text("It rained in Seoul today.\nMore rain is expected.", "p.txt")
    assert article.title is None
    assert article.body == "It rained in Seoul today.\nMore rain is expected."


def test_dated_brief_with_year_gets_iso_date() -> None:
    text = (
        "Main story\n\nBody of the story.\n\n"
        "Reuters - Apr 10, 2021\nSomething happened. Then more.\n"
    )
    main, brief = parse_text(text, "p.txt")
    assert main.title == "Main story" and main.body == "Body of the story."
    assert (brief.source, brief.date, brief.title) == (
        "Reuters",
        "2021-04-10",
        "Something happened.",
    )


def test_first_sentence_skips_abbreviations() -> None:
    assert first_sentence("Mr. Kim met Dr. Lee. They talked.") == "Mr. Kim met Dr. Lee."


def test_discover_reports_missing_paths_and_empty_directories(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    found = list(discover([str(tmp_path / "nope.txt"), str(tmp_path / "empty")]))
    assert [type(f) for f in found] == [LoadError, LoadError]
    assert "no such file" in str(found[0]) and "no files matching" in str(found[1])


def test_discover_accepts_globs_and_deduplicates(seeds_dir: Path) -> None:
    found = list(discover([str(seeds_dir / "00*.txt"), str(seeds_dir)]))
    assert len(found) == 3


def test_each_file_found_is_keyed_by_its_resolved_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = tmp_path / "real"
    (real / "sub").mkdir(parents=True)
    (real / "a.txt").write_text("A story.")
    (real / "sub" / "b.txt").write_text("B story.")
    (tmp_path / "linked").symlink_to(real, target_is_directory=True)  # a directory through a link
    (real / "sub" / "c.txt").symlink_to(real / "a.txt")  # a link to a file found already
    monkeypatch.chdir(tmp_path)  # relative arguments, with `..` in them
    args = ["linked/sub/../a.txt", "linked", str(real)]
    found = [f for f in discover_keyed(args) if isinstance(f, tuple)]
    assert [key for _, key in found] == [str((real / n).resolve()) for n in ("a.txt", "sub/b.txt")]
    assert all(key == str(path.resolve()) for path, key in found)


def test_a_directory_gives_the_files_rglob_finds(tmp_path: Path) -> None:
    """One walk lists a directory's files as `rglob("*")` less its directories did: hidden
    files, any case of suffix, links to files and broken ones; no link to a directory followed."""
    root = tmp_path / "in"
    (root / "sub" / "deeper").mkdir(parents=True)
    (root / "dir.txt").mkdir()  # a directory named like a file
    for name in (
        "a.txt",
        ".hidden.txt",
        "sub/b.TXT",
        "sub/c.md",
        "sub/deeper/e.jsonl",
        "dir.txt/d.txt",
    ):
        (root / name).write_text(f"The story of {name}.")
    (root / "linked").symlink_to(root / "sub", target_is_directory=True)
    (root / "copy.txt").symlink_to(root / "sub" / "b.TXT")
    (root / "broken.txt").symlink_to(root / "missing.txt")
    found = list(discover([str(root)]))
    expected = sorted(
        p for p in root.rglob("*") if not p.is_dir() and p.suffix.lower() in (".txt", ".jsonl")
    )
    taken = [p for p in expected if p.name not in ("broken.txt", "b.TXT")]  # b.TXT: as copy.txt
    assert [f for f in found if isinstance(f, Path)] == taken
    [error] = [f for f in found if isinstance(f, LoadError)]
    assert "broken.txt: broken symbolic link" in str(error)
