"""The checks of the articles: each id against its title and body, each word count, each
article held by a file, and each entity mention and sentence against the body it points into."""

from __future__ import annotations

from collections.abc import Iterator

from corpus import aggregates, wordcount
from corpus.check.core import Problem, rows
from corpus.ingest import NullTagger
from corpus.models import article_id
from corpus.store import Store


def articles(store: Store) -> Iterator[Problem]:
    found = store.conn.execute(
        "SELECT a.id, a.title, a.body, a.words, "
        "EXISTS (SELECT 1 FROM occurrences o WHERE o.article_id = a.id) FROM articles a "
        "ORDER BY a.id"
    )
    for id_, title, body, words, held in rows(found):
        subject = f"article {id_}"
        if (expected := article_id(title, body)) != id_:
            yield Problem("article", subject, f"id does not match its title and body ({expected})")
        if words != (actual := wordcount.count_words(body)):
            yield Problem("article", subject, f"{words} words recorded, the body has {actual}")
        if not held:
            yield Problem("article", subject, "no file holds it (an orphan)")


def mentions(store: Store) -> Iterator[Problem]:
    """Each mention against its article's body. SQLite picks out the mentions whose text is
    not the body's at their offsets (in C that lets go of the interpreter, so it runs beside
    the checks in Python), and each one picked is told apart here. A mention passes SQLite's
    test only if its text is `end - start` characters long and is the body's `end - start`
    characters from `start`: so only if it is inside the body and its text. Every mention
    Python would fault is picked; one picked that Python does not fault gives no problem
    (SQLite's `length` stops at a NUL)."""
    found = store.conn.execute(_MISPLACED_MENTIONS)
    for id_, start, end, text, body in rows(found):
        yield from _mention(id_, start, end, text, body)


_MISPLACED_MENTIONS = """
    SELECT m.article_id, m.start, m.end, m.text, a.body
    FROM articles a CROSS JOIN mentions m ON m.article_id = a.id
    WHERE (m.start >= 0 AND m.start < m.end AND length(m.text) = m.end - m.start
        AND substr(a.body, m.start + 1, m.end - m.start) = m.text) IS NOT 1
    ORDER BY m.article_id, m.start
"""  # CROSS JOIN: each article's mentions after it (not the article looked up for each)
# a mention of no article is left to the check of references


def _mention(id_: str, start: int, end: int, text: str, body: str) -> Iterator[Problem]:
    where = f"mention [{start}, {end})"
    if not 0 <= start < end <= len(body):
        yield Problem("mention", f"article {id_}", f"{where} is outside its body")
    elif body[start:end] != text:
        yield Problem("mention", f"article {id_}", f"{where} is not the text {text!r}")


def sentences(store: Store) -> Iterator[Problem]:
    """Each article's sentences against its body. The two tables are read side by side in
    article order: a join would measure the body again for each of its sentences."""
    bodies = store.conn.execute("SELECT id, fingerprint, length(body) FROM articles ORDER BY id")
    found = store.conn.execute(
        "SELECT article_id, start, end, rank FROM sentences ORDER BY article_id, idx"
    )  # a sentence of no article is left to the check of references
    by_article = aggregates.Grouped(found)
    for id_, fingerprint, length in rows(bodies):
        spans = [row[1:] for row in by_article.take(id_)]
        yield from _article_sentences(f"article {id_}", fingerprint, length, spans)


def _article_sentences(
    subject: str, fingerprint: str, length: int, spans: list[tuple[int, int, int | None]]
) -> Iterator[Problem]:
    if not spans and fingerprint != NullTagger.fingerprint:
        yield Problem("sentence", subject, "no sentences: its tagging is incomplete")
    for start, end, _ in spans:
        if not 0 <= start < end <= length:
            yield Problem("sentence", subject, f"sentence [{start}, {end}) is outside its body")
    ranks = sorted(rank for _, _, rank in spans if rank is not None)
    if ranks and ranks != list(range(len(spans))):
        yield Problem("sentence", subject, "summary ranks are not 0..n-1, each once")
