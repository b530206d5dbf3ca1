"""JSON Lines and CSV exports: one article a record, streamed, each record's bytes kept."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import pytest
from click.testing import Result

from corpus import queries
from corpus.check import check_store
from corpus.ingest import Ingest, IngestOptions, IngestReport, NullTagger
from corpus.loader import streams
from corpus.loader.records import FieldMap, lookup
from corpus.models import Article, TaggedArticle
from corpus.store import Store
from stores import dump

Cli = Callable[..., Result]

NEWSAPI = {
    "source": {"id": None, "name": "Harbour Times"},
    "author": "Mina Park",
    "title": "Naver weighs sale of LY Corp stake",
    "url": "https://harbourtimes.example/naver",
    "publishedAt": "2024-05-09",
    "content": "Naver is reviewing its LY Corp stake.\n\nJapan's ministry asked for changes.",
}
OTHER = {
    "headline": "Kakao adds an AI assistant",
    "body": "Kakao said it would add an assistant to KakaoTalk.",
    "authors": ["Joon Lee", {"name": "Ara Kim"}],
    "language": "en-US",
    "media_name": "Seoul Tech Daily",
}


def line(record: object) -> bytes:
    return json.dumps(record, ensure_ascii=False).encode() + b"\n"


def ingest(db: Path, *paths: Path, **options: object) -> IngestReport:
    tagger = NullTagger()
    with Store.open(db) as store:
        job = Ingest(store, lambda: tagger, tagger.fingerprint, IngestOptions(**options))  # type: ignore[arg-type]
        return job.run([str(p) for p in paths])


def stored(db: Path) -> list[dict[str, object]]:
    with Store.open(db) as store:
        return queries.list_articles(store)


def raw_of(db: Path, article_id: str) -> bytes | None:
    with Store.open(db) as store:
        return queries.raw_item(store, article_id)


def problems(db: Path) -> list[str]:
    with Store.open(db) as store:
        return [str(p) for p in check_store(store)]


# --- field names -----------------------------------------------------------------------------


def test_common_field_names_nested_objects_and_lists(db: Path, tmp_path: Path) -> None:
    path = tmp_path / "export.jsonl"
    path.write_bytes(line(NEWSAPI) + line(OTHER))
    report = ingest(db, path)
    assert (report.new, report.failed) == (2, [])
    first, second = stored(db)
    assert (first["title"], first["source"], first["author"]) == (
        "Naver weighs sale of LY Corp stake",
        "Harbour Times",
        "Mina Park",
    )
    assert (first["date"], first["url"]) == ("2024-05-09", "https://harbourtimes.example/naver")
    assert (second["title"], second["author"], second["lang"]) == (
        "Kakao adds an AI assistant",
        "Joon Lee, Ara Kim",
        "en",
    )
    assert second["source"] == "Seoul Tech Daily"
    with Store.open(db) as store:
        body = queries.get_article(store, str(first["id"]))["body"]
    assert body == "Naver is reviewing its LY Corp stake.\n\nJapan's ministry asked for changes."


def test_field_overrides_by_dotted_path(db: Path, tmp_path: Path) -> None:
    path = tmp_path / "cms.ndjson"
    record = {"payload": {"html_free": "SoftBank said so."}, "meta": {"outlet": {"label": "Kyodo"}}}
    path.write_bytes(line({**record, "body": "not this"}))
    fields = FieldMap.parse(["body=payload.html_free", "Source=meta.outlet.label"])
    assert ingest(db, path, fields=fields).failed == []
    [article] = stored(db)
    assert article["source"] == "Kyodo" and article["words"] == 3


def test_bad_field_specs_are_refused() -> None:
    with pytest.raises(ValueError, match="NAME=PATH"):
        FieldMap.parse(["body"])
    with pytest.raises(ValueError, match="NAME is one of"):
        FieldMap.parse(["bodyy=text"])


def test_lookup_matches_keys_in_any_case_and_spelling() -> None:
    record = {"Published_At": "2024", "source": {"Name": "x"}, "source.name": "literal"}
    assert lookup(record, "publishedAt") == "2024"
    assert lookup(record, "source.name") == "literal"  # a key with a dot, as written, first
    assert lookup({"source": {"Name": "x"}}, "source.name") == "x"
    assert lookup({"source": "flat"}, "source.name") is None


# --- bad records ---------------------------------------------------------------------------


def test_bad_records_are_one_line_each_naming_the_line_and_the_rest_is_stored(
    db: Path, tmp_path: Path
) -> None:
    path = tmp_path / "export.jsonl"
    path.write_bytes(
        b"\xef\xbb\xbf"  # a BOM: allowed before the first record
        + line(NEWSAPI)
        + b'{"title": "cut off", "body": "the export was\n'  # line 2: broken JSON
        + b"{}\n"  # line 3: no body
        + b"\n"  # line 4: blank, nothing
        + b"[1, 2]\n"  # line 5: not an object
        + line({"id": "x-9", "title": "only a title"})  # line 6: no body, named by its id
        + line({"text": "   "})  # line 7: a blank body
        + b'{"text": "caf\xe9"}\n'  # line 8: not UTF-8
        + line(OTHER)
    )
    report = ingest(db, path)
    assert report.new == 2
    name = str(path)
    assert [message.split(": ", 2)[:2] for message in report.failed] == [
        [name, f"line {n}"] for n in (2, 3, 5)
    ] + [[name, "line 6 (id 'x-9')"]] + [[name, f"line {n}"] for n in (7, 8)]
    assert "broken JSON" in report.failed[0] and "no body" in report.failed[1]
    assert "not UTF-8" in report.failed[5]
    assert problems(db) == []


def test_a_record_over_the_limit_is_refused_by_line_and_read_past(db: Path, tmp_path: Path) -> None:
    path = tmp_path / "big.jsonl"
    huge = line({"title": "huge", "body": "word " * 5000})
    path.write_bytes(line(NEWSAPI) + huge + line(OTHER))
    report = ingest(db, path, max_bytes=4096)
    assert report.new == 2
    assert report.failed == [f"{path}: line 2: over the 4 KiB limit for a record"]


def test_the_file_limit_is_per_record_not_per_file(db: Path, tmp_path: Path) -> None:
    path = tmp_path / "many.jsonl"
    records = [
        line({"title": f"t{i}", "body": f"Story number {i} about Naver."}) for i in range(400)
    ]
    path.write_bytes(b"".join(records))
    assert path.stat().st_size > 8192
    report = ingest(db, path, max_bytes=8192)
    assert (report.new, report.failed) == (400, [])


# --- raw bytes, streaming, append ----------------------------------------------------------


def test_each_record_keeps_its_own_bytes_and_the_file_none(db: Path, tmp_path: Path) -> None:
    path = tmp_path / "export.jsonl"
    path.write_bytes(line(NEWSAPI) + line(OTHER))
    ingest(db, path)
    raws = {raw_of(db, str(a["id"])) for a in stored(db)}
    assert raws == {line(NEWSAPI), line(OTHER)}
    with Store.open(db) as store:
        assert queries.raw_file(store, str(path)) == b""


def test_parts_are_written_as_they_are_read(
    db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(streams, "PART_ARTICLES", 3)
    path = tmp_path / "export.jsonl"
    path.write_bytes(b"".join(line({"title": f"t{i}", "body": f"Body {i}."}) for i in range(10)))
    report = ingest(db, path)
    assert (report.new, report.files) == (10, 1)
    assert [a["title"] for a in stored(db)] == [f"t{i}" for i in range(10)]
    assert problems(db) == []


def test_an_appended_file_reads_only_its_new_records(db: Path, tmp_path: Path) -> None:
    path = tmp_path / "feed.jsonl"
    path.write_bytes(line(NEWSAPI) + b"{broken\n" + line(OTHER))
    first = ingest(db, path)
    assert (first.new, len(first.failed)) == (2, 1)
    with path.open("ab") as handle:
        handle.write(line({"title": "New", "body": "SoftBank buys shares."}))
    second = ingest(db, path)
    # the broken line 2 is not read again, so not reported again
    assert (second.new, second.unchanged, second.failed, second.replaced_files) == (1, 2, [], 0)
    with Store.open(db) as store:
        positions = [row[0] for row in store.conn.execute("SELECT position FROM occurrences")]
    assert sorted(positions) == [0, 1, 2]
    assert ingest(db, path).summary() == "0 new, 3 unchanged (1 files)"
    assert problems(db) == []


def test_an_unfinished_last_line_is_read_again_when_the_file_grows(
    db: Path, tmp_path: Path
) -> None:
    path = tmp_path / "feed.jsonl"
    path.write_bytes(line(NEWSAPI) + b'{"title": "Half", "body": "writ')
    first = ingest(db, path)
    assert first.new == 1 and "line 2: broken JSON" in first.failed[0]
    with path.open("ab") as handle:
        handle.write(b'ten at last."}\n')
    second = ingest(db, path)
    assert (second.new, second.failed) == (1, [])
    assert [a["title"] for a in stored(db)] == [NEWSAPI["title"], "Half"]
    with path.open("ab") as handle:
        handle.write(line(OTHER)[:-1])  # a complete record without its newline
    assert ingest(db, path).new == 1
    with path.open("ab") as handle:
        handle.write(b"\n" + line({"title": "Last", "body": "Line again."}))
    third = ingest(db, path)
    assert (third.new, third.unchanged, third.failed) == (1, 3, [])
    assert len(stored(db)) == 4 and problems(db) == []


def test_a_rewritten_file_is_read_again_whole(db: Path, tmp_path: Path) -> None:
    path = tmp_path / "feed.jsonl"
    path.write_bytes(line(NEWSAPI) + line(OTHER))
    ingest(db, path)
    path.write_bytes(
        line({"title": "Other", "body": "Different first record."}) + line(OTHER) + line(NEWSAPI)
    )
    report = ingest(db, path)
    assert (report.new, report.unchanged, report.replaced_files) == (1, 2, 1)
    assert [a["title"] for a in stored(db)] == ["Other", OTHER["headline"], NEWSAPI["title"]]
    assert problems(db) == []


class _Dying:
    """A tagger that stops the run (as a kill would) after tagging `after` articles."""

    fingerprint = NullTagger.fingerprint

    def __init__(self, after: int) -> None:
        self.after = after

    def tag(
        self, articles: Iterable[Article], *, batch_size: int = 64, n_process: int = 1
    ) -> Iterator[TaggedArticle]:
        for count, tagged in enumerate(NullTagger().tag(articles)):
            if count == self.after:
                raise KeyboardInterrupt
            yield tagged


def test_a_killed_ingest_resumes_after_its_last_part(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(streams, "PART_ARTICLES", 4)
    path = tmp_path / "feed.jsonl"
    path.write_bytes(b"".join(line({"title": f"t{i}", "body": f"Body {i}."}) for i in range(10)))
    whole, killed = tmp_path / "whole.db", tmp_path / "killed.db"
    ingest(whole, path)
    with Store.open(killed) as store, pytest.raises(KeyboardInterrupt):
        dying = _Dying(after=6)
        Ingest(store, lambda: dying, dying.fingerprint).run([str(path)])
    assert len(stored(killed)) == 4  # the first part was committed
    report = ingest(killed, path)
    assert (report.new, report.unchanged) == (6, 4)
    assert dump(killed) == dump(whole)


def test_check_finds_a_damaged_record(db: Path, tmp_path: Path) -> None:
    path = tmp_path / "export.jsonl"
    path.write_bytes(line(NEWSAPI) + line(OTHER))
    ingest(db, path)
    conn = sqlite3.connect(db)
    conn.execute("UPDATE occurrences SET data = CAST('{}' AS BLOB) WHERE position = 1")
    conn.execute("UPDATE occurrences SET offset = 1 WHERE position = 0")
    conn.commit()
    conn.close()
    found = problems(db)
    assert any("item 1: stored record bytes do not match their sha256" in p for p in found)
    assert any("item 1: record at byte" in p and "overlaps" in p for p in found) or any(
        "item 0" in p for p in found
    )


# --- CSV -----------------------------------------------------------------------------------


def test_csv_with_bom_quoted_newlines_and_a_bad_row(db: Path, tmp_path: Path) -> None:
    path = tmp_path / "export.CSV"
    rows = (
        b"\xef\xbb\xbfHeadline,Story,Published,source.name\r\n"
        b'"Line, Yahoo merge","First paragraph.\r\n\r\nSecond paragraph, ""quoted"".",'
        b"2024-05-01,Nikkei\r\n"
        b"short,row\r\n"
        b"Kakao,Kakao adds AI.,2024-06-02,Yonhap\r\n"
    )
    path.write_bytes(rows)
    report = ingest(db, path)
    assert report.new == 2
    assert report.failed == [f"{path.resolve()}: line 5: 2 fields, the header has 4"]
    first, second = stored(db)
    assert (first["title"], first["source"], first["date"]) == (
        "Line, Yahoo merge",
        "Nikkei",
        "2024-05-01",
    )
    with Store.open(db) as store:
        body = queries.get_article(store, str(first["id"]))["body"]
    assert body == 'First paragraph.\n\nSecond paragraph, "quoted".'
    assert raw_of(db, str(first["id"])) == rows[rows.index(b'"Line') : rows.index(b"short")]
    assert second["source"] == "Yonhap" and problems(db) == []


def test_tsv_and_semicolons_and_a_legacy_line(db: Path, tmp_path: Path) -> None:
    tsv = tmp_path / "a.tsv"
    tsv.write_text("title\ttext\nOne\tSoftBank, Naver and LY Corp.\n")
    semi = tmp_path / "b.csv"
    semi.write_bytes("titre;text\nDeux;Caf\xe9 au lait, à Tokyo.\n".encode("cp1252"))
    report = ingest(db, tsv, semi)
    assert (report.new, report.failed) == (2, [])
    assert len(report.warnings) == 1 and "line 2 is not UTF-8" in report.warnings[0]
    texts = {a["title"] or "" for a in stored(db)}
    assert texts == {"One", ""}
    with Store.open(db) as store:
        bodies = {row[0] for row in store.conn.execute("SELECT body FROM articles")}
    assert "Café au lait, à Tokyo." in bodies


def test_an_appended_csv_keeps_its_header(db: Path, tmp_path: Path) -> None:
    path = tmp_path / "feed.csv"
    path.write_text("title,body\nOne,First story.\n")
    ingest(db, path)
    with path.open("a") as handle:
        handle.write('Two,"Second\nstory."\n')
    report = ingest(db, path)
    assert (report.new, report.unchanged, report.failed) == (1, 1, [])
    assert [a["title"] for a in stored(db)] == ["One", "Two"]


# --- the CLI -------------------------------------------------------------------------------


def test_cli_names_bad_records_exits_1_and_shows_a_record_raw(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "export.jsonl"
    path.write_bytes(line(NEWSAPI) + b"{nope\n" + line(OTHER))
    result = cli("ingest", path, "--jobs", "1", "--field", "source=source.name")
    assert result.exit_code == 1
    errors = [row for row in result.stderr.splitlines() if row.startswith("error:")]
    assert errors == [
        f"error: {path}: line 2: broken JSON "
        "(Expecting property name enclosed in double quotes at column 2)"
    ]
    assert result.stderr.strip().splitlines()[-1] == "2 new, 0 unchanged, 1 failed (1 files)"
    rows = json.loads(cli("list", "--json").stdout)
    assert cli("show", rows[1]["id"], "--raw").stdout_bytes == line(OTHER)
    assert cli("check").exit_code == 0


def test_cli_refuses_a_bad_field_as_a_usage_error(cli: Cli, tmp_path: Path) -> None:
    result = cli("ingest", tmp_path, "--field", "words=count")
    assert result.exit_code == 2 and "NAME is one of" in result.stderr


def test_a_file_of_garbage_lists_a_hundred_bad_records_then_counts(
    db: Path, tmp_path: Path
) -> None:
    path = tmp_path / "garbage.jsonl"
    path.write_bytes(b"not json\n" * 150 + line(NEWSAPI))
    report = ingest(db, path)
    assert report.new == 1 and len(report.failed) == 101
    assert report.failed[99].endswith("line 100: broken JSON (Expecting value at column 1)")
    assert report.failed[100] == f"{path}: 50 more bad records (not listed)"


def test_a_utf16_export_is_refused_in_one_line(db: Path, tmp_path: Path) -> None:
    path = tmp_path / "excel.csv"
    path.write_text("title\tbody\nOne\tA story.\n", encoding="utf-16")
    report = ingest(db, path)
    assert report.failed == [f"{path}: UTF-16 text: save it as UTF-8 to ingest its records"]
