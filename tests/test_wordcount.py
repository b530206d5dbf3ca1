"""Word counts as word processors count them: each CJK ideograph and kana a word; spaced text
(English, Korean) as before."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corpus.loader import load_file
from corpus.models import Article
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
