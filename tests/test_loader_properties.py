"""Properties of the loader over any text: Articles without an exception, nothing lost.

* Any text parses into valid Articles; their raw items, joined by newlines, give back the text
  (newlines normalised) apart from a blank lead-in; every line of a body is in its raw item,
  up to whitespace (a rebuilt paragraph is its wrapped lines joined).
* Any text written in any supported encoding loads; the file's bytes are kept exactly, and the
  decoded text is the text written.
* Any bytes at all either load or give a LoadError: never another exception.
"""

from __future__ import annotations

import codecs
import hashlib
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from corpus import queries
from corpus.ingest import Ingest, NullTagger
from corpus.loader import (
    LoadError,
    decode,
    is_blank,
    load_file,
    normalise_newlines,
    parse_text,
)
from corpus.loader.plaintext import BRIEF_HEADER
from corpus.models import Article, article_id
from corpus.store import Store
from corpus.wordcount import count_words

NEWS_LINES = [
    "",
    " ",
    "\u00a0",
    "\t\u00a0 ",
    "Korean Messengers in China",
    "Reuters - Apr 10",
    "JapanNutrition.com - Apr 17, 2024",
    "Kyodo \u2014 Sept. 3",
    "- Nikkei",
    "\u2014 Yonhap",
    "Copyright \u00a9 BusinessKorea. All rights reserved.",
    "(c) 2024 Example Media",
    "Mr. Kim met Dr. Lee. They talked.",
    "The ministry said prices rose 3.5% in April.",
    "\ufeffBOM-led line",
]

any_text = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=400)
news_line = st.one_of(st.sampled_from(NEWS_LINES), st.text(max_size=60))
news_text = st.tuples(
    st.lists(news_line, max_size=25), st.sampled_from(["\n", "\r\n", "\r"]), st.booleans()
).map(lambda t: t[1].join(t[0]) + (t[1] if t[2] else ""))
texts = st.one_of(any_text, news_text)
FILE_SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def assert_recoverable(text: str, articles: list[Article]) -> None:
    """The items' raw texts are the text itself, after at most a blank lead-in."""
    normalised = normalise_newlines(text)
    joined = "\n".join(a.raw for a in articles)
    if not articles:
        assert is_blank(normalised)
    elif normalised != joined:
        lead_in = normalised[: len(normalised) - len(joined)]
        assert normalised.endswith(joined) and lead_in.endswith("\n") and is_blank(lead_in)


@given(texts)
@settings(max_examples=400, deadline=None)
@example("Reuters - Apr 10\nSomething happened.")
@example("\n\n \nReuters - Apr 10\nSomething happened.\n\nKyodo - May 1\nMore.")
@example("Title\n- Nikkei")
@example("Copyright \u00a9 X.")
@example("http://0")  # a text of one header line only: the text, not an empty header
@example("\r\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")
def test_any_text_parses_into_valid_articles(text: str) -> None:
    articles = parse_text(text, "/p.txt")
    assert [a.position for a in articles] == list(range(len(articles)))
    for article in articles:
        assert article.body.strip(), "an article always has a body"
        assert article.id == article_id(article.title, article.body)
        assert article.words == count_words(article.body)
        assert article.path == "/p.txt"
    assert all(a.kind == "brief" for a in articles[1:])
    assert_recoverable(text, articles)


def squeeze(text: str) -> str:
    return "".join(text.split())


@given(texts)
@settings(max_examples=200, deadline=None)
@example("0\n0\na")
@example("0\n(C)0\na")
@example("0\n\n0 - APR 0\n0\na")
@example("by Jane Doe, Reuters\n\nTOKYO, May 3 - It rained, and\nit rained more.\n Reuter")
def test_every_field_comes_from_the_items_raw_text(text: str) -> None:
    for article in parse_text(text, "/p.txt"):
        raw_text = squeeze(article.raw)
        for line in article.body.split("\n"):  # a rebuilt paragraph is its lines joined
            assert squeeze(line) in raw_text
        for field in (article.title, article.rights):  # also from rebuilt paragraphs
            assert field is None or squeeze(field) in raw_text
        if article.kind == "brief":
            header = article.raw.split("\n")[0].strip()
            assert BRIEF_HEADER.match(header)
            assert article.source is not None and header.startswith(article.source)


ENCODINGS = {
    "utf-8": lambda text: text.encode("utf-8"),
    "utf-8-sig": lambda text: codecs.BOM_UTF8 + text.encode("utf-8"),
    "utf-16-le": lambda text: codecs.BOM_UTF16_LE + text.encode("utf-16-le"),
    "utf-16-be": lambda text: codecs.BOM_UTF16_BE + text.encode("utf-16-be"),
}


@given(texts, st.sampled_from(sorted(ENCODINGS)))
@FILE_SETTINGS
@example("Title\nBody.\n", "utf-16-le")
@example("\ufeffTitle\nBody with a BOM-like first character.\n", "utf-8")
def test_any_text_in_any_encoding_loads_with_its_bytes_kept(
    tmp_path: Path, text: str, encoding: str
) -> None:
    data = ENCODINGS[encoding](text)
    path = tmp_path / "item.txt"
    path.write_bytes(data)
    try:
        loaded = load_file(path)
    except LoadError as error:
        assert error.reason in {
            "empty file",
            "no text (only whitespace)",
            "binary file (contains NUL bytes)",
            "binary file (UTF-16 text with NUL characters)",
        }
        assert "\x00" in text or is_blank(text.removeprefix("\ufeff"))
        return
    assert loaded.data == data
    assert loaded.sha256 == hashlib.sha256(data).hexdigest()
    decoded = text.removeprefix("\ufeff") if encoding == "utf-8" else text
    assert decode(data, path)[0] == decoded
    assert_recoverable(decoded, loaded.articles)


@given(st.binary(max_size=600))
@FILE_SETTINGS
@example(b"\xff\xfe\x00")
@example(b"\xfe\xff\xd8\x00")
@example(b"\xef\xbb\xbf")
@example(b"caf\xe9 \x81\x8d\x8f\x90\x9d")
def test_any_bytes_load_or_give_a_load_error(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "item.txt"
    path.write_bytes(data)
    try:
        loaded = load_file(path)
    except LoadError as error:
        assert str(error) == f"{path}: {error.reason}"
        return
    assert loaded.data == data
    for article in loaded.articles:
        article.body.encode("utf-8")  # storable: no lone surrogates


@given(st.lists(texts, min_size=1, max_size=4))
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_stored_files_give_back_their_exact_bytes(tmp_path: Path, batch: list[str]) -> None:
    folder = tmp_path / "batch"
    folder.mkdir(exist_ok=True)
    for old in folder.iterdir():
        old.unlink()
    expected = {}
    for i, text in enumerate(batch):
        path = folder / f"{i}.txt"
        data = text.encode("utf-8")
        path.write_bytes(data)
        expected[str(path)] = data
    db = tmp_path / "corpus.db"
    db.unlink(missing_ok=True)
    tagger = NullTagger()
    with Store.open(db) as store:
        report = Ingest(store, lambda: tagger, tagger.fingerprint).run([str(folder)])
        failed = {f.split(": ")[0] for f in report.failed}
        for path, data in expected.items():
            stored = queries.raw_file(store, path)
            assert stored == (None if path in failed else data)
