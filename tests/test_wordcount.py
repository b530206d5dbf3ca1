"""Word counts as word processors count them: each CJK ideograph and kana a word; spaced text
(English, Korean) as before; the migration that counts stored articles again, in real stores."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

import pytest
from click.testing import Result
from hypothesis import given, settings
from hypothesis import strategies as st

from corpus import aggregates
from corpus.check import check_store
from corpus.dupes import index as dupes_index
from corpus.loader import load_file
from corpus.migrations import MIGRATIONS
from corpus.models import Article
from corpus.store import Store
from corpus.stored_words import recount
from corpus.wordcount import count_words

BENCH = Path(__file__).resolve().parents[1].parent / "shared" / "bench"
NOTES = {"LICENSE.txt", "CHANGES.txt", "README.txt"}
# A livedoor article: its body is 525 words by this count, 4 split at spaces.
JA_STORY = "sports-watch/sports-watch-4597641.txt"


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("本田は", 3),
        ("東京都", 3),  # Chinese too: each ideograph
        ("イチロー\n自己管理力、ストイックなまでの…", 18),  # ー is a kana; 、 and … are not words
        ("「本田」。", 2),
        ("（笑）", 1),
        ("配当ゲット!! 他", 6),  # !! belongs to the word it is written against
        ("iPhone5を買った", 5),
        ("2012年5月13日", 6),
        ("ＡＢＣ社", 2),
        ("「 」 、", 0),  # runs of CJK punctuation only
        ("동(銅) 中 美경제는", 3),  # Korean: a spaced run holding Hangul is one word
        ("Goal! ... it's 2-1", 4),  # no CJK: split's count
        ("", 0),
    ],
)
def test_words_as_word_processors_count_them(text: str, words: int) -> None:
    assert count_words(text) == words


@given(st.text(), st.text())
@settings(max_examples=300, deadline=None)
def test_words_add_up_across_a_space(a: str, b: str) -> None:
    assert count_words(f"{a} {b}") == count_words(a) + count_words(b)


@given(st.text(st.characters(max_codepoint=0x2FFF)))  # below every CJK block: split's count
@settings(max_examples=300, deadline=None)
def test_text_without_cjk_counts_as_split(text: str) -> None:
    assert count_words(text) == len(text.split())


def test_an_articles_words_count_its_japanese_characters() -> None:
    article = load_file(BENCH / "ja" / JA_STORY).articles[0]
    assert len(article.body.split()) == 4  # what was stored
    assert article.words == 525
    assert Article(body="秋山成勲、メールで吉田に対戦迫った!?", path="x").words == 16


@pytest.mark.parametrize("corpus", ["bbc", "ko"])
def test_spaced_languages_count_as_before(corpus: str) -> None:
    """Every article of the BBC and Korean bench corpora has the count of `split` (the Korean
    ones hold Hanja: 동(銅), 美경제, 中)."""
    files = sorted(p for p in (BENCH / corpus).rglob("*.txt") if p.name not in NOTES)
    if not files:
        pytest.skip(f"the {corpus} bench corpus is not at {BENCH / corpus}")
    bodies = [a.body for f in files for a in load_file(f).articles]
    assert len(bodies) >= 356
    assert [count_words(b) for b in bodies] == [len(b.split()) for b in bodies]
    assert sum(any("\u4e00" <= c <= "\u9fff" for c in b) for b in bodies) >= (corpus == "ko")


# --- the migration ---------------------------------------------------------------------------


@pytest.fixture
def republished(tmp_path: Path) -> Path:
    """A Japanese story (dated) and two copies of it under new headlines on the same day: one
    with an English paragraph of 21 words added, one with a Japanese sentence of 35 characters.
    Counted by split, the English one has the most words; counted by characters, the Japanese
    one. Beside them two other Japanese articles and an English one."""
    folder = tmp_path / "news"
    folder.mkdir()
    source = BENCH / "ja" / JA_STORY
    if not source.exists():
        pytest.skip(f"the ja bench corpus is not at {BENCH / 'ja'}")
    url, stamp, _headline, body = source.read_text().split("\n", 3)
    english = " ".join(["The", "fight", "was", "announced", "in", "Tokyo", "on", "Monday."] * 2)
    english += " Tickets go on sale soon."
    japanese = "引退試合のチケットは来月から販売される予定で、早くも話題となっている。"
    for name, headline, extra in (
        ("english", "吉田の引退試合が決定", english),
        ("japanese", "秋山、吉田戦を熱望", japanese),
    ):
        (folder / f"{name}.txt").write_text(
            f"{url}\n{stamp}\n{headline}\n{body.rstrip()}\n{extra}\n"
        )
    shutil.copy(source, folder / "original.txt")
    for other in ("topic-news/topic-news-5903225.txt", "sports-watch/sports-watch-4698492.txt"):
        shutil.copy(BENCH / "ja" / other, folder / Path(other).name)
    shutil.copy(BENCH / "bbc" / "business" / "001.txt", folder / "bbc.txt")
    return folder


def _state(db: Path) -> dict[str, list[tuple[object, ...]]]:
    with closing(sqlite3.connect(db)) as conn:
        return {
            "articles": sorted(conn.execute("SELECT id, title, words FROM articles")),
            "article_counts": sorted(conn.execute("SELECT * FROM article_counts")),
            "dupe_clusters": sorted(conn.execute("SELECT * FROM dupe_clusters")),
        }


def _write_as_the_old_code(db: Path) -> None:
    """What the code before `count_words` wrote: words by split, the aggregates and clusters
    from them."""
    with closing(sqlite3.connect(db)) as conn, conn:
        conn.create_function("split_words", 1, lambda body: len(body.split()))
        conn.execute("UPDATE articles SET words = split_words(body)")
        aggregates.rebuild(conn)
        clustered = [row[0] for row in conn.execute("SELECT article_id FROM dupe_clusters")]
        dupes_index.recluster(conn, clustered)


def test_the_migration_counts_words_again_with_aggregates_and_clusters(
    cli: Callable[..., Result], db: Path, republished: Path
) -> None:
    ingested = cli("ingest", republished, "--jobs", "1")
    assert ingested.exit_code == 0, ingested.output
    new = _state(db)
    words = {title: n for _, title, n in new["articles"]}
    assert words["吉田の引退試合が決定"] == 525 + 21
    assert words["秋山、吉田戦を熱望"] == 525 + 33  # 35 characters, two of them 、。
    representatives = {row[1] for row in new["dupe_clusters"]}
    japanese_copy = next(i for i, title, _ in new["articles"] if title == "秋山、吉田戦を熱望")
    assert representatives == {japanese_copy}  # the most words, the same date

    _write_as_the_old_code(db)
    old = _state(db)
    assert {row[1] for row in old["dupe_clusters"]} != representatives  # the English copy
    assert old["article_counts"] != new["article_counts"]
    with Store.open(db, readonly=True) as store:
        problems = {p.subject for p in check_store(store) if "words recorded" in p.message}
    assert len(problems) == 5  # every Japanese article; the BBC one counts the same
    with closing(sqlite3.connect(db)) as conn:
        conn.execute(f"PRAGMA user_version = {MIGRATIONS.index([recount])}")  # before it

    Store.open(db).close()  # a writable open upgrades (the first thing `corpus ingest` does)
    assert _state(db) == new
    with Store.open(db, readonly=True) as store:
        assert check_store(store) == []
    assert cli("check").exit_code == 0
