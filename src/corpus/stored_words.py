"""Stored word counts brought to today's `count_words`, with what is derived from them.

A store written before `wordcount.py` counted `len(body.split())`: a Japanese article of a
thousand characters was a few "words". `recount` (a migration) counts every body again and,
for the articles whose count changes, in the caller's transaction: their `words`, the words of
each `article_counts` row counting them (the whole store, their kind, source, date, language),
and the clusters of near-duplicates holding them, whose representative prefers more words.
"""

from __future__ import annotations

import sqlite3
from collections import Counter

from corpus.aggregates import FACETS
from corpus.dupes import index as dupes_index
from corpus.parallel import chunked
from corpus.wordcount import count_words


def recount(conn: sqlite3.Connection) -> None:
    """Count every stored body's words again; keep the aggregates and clusters exact."""
    changed: dict[str, int] = {}
    deltas: Counter[tuple[str, str]] = Counter()
    rows = conn.execute(f"SELECT id, words, body, {', '.join(FACETS)} FROM articles")
    for id_, words, body, *values in rows:
        if (now := count_words(body)) != words:
            changed[id_] = now
            for key in [("", ""), *((f, v or "") for f, v in zip(FACETS, values, strict=True))]:
                deltas[key] += now - words
    conn.executemany(
        "UPDATE articles SET words = ? WHERE id = ?", [(n, i) for i, n in changed.items()]
    )
    conn.executemany(
        "UPDATE article_counts SET words = words + ? WHERE facet = ? AND value = ?",
        [(delta, *key) for key, delta in deltas.items() if delta],
    )
    clustered: list[str] = []
    for chunk in chunked(sorted(changed), 500):
        marks = ",".join("?" * len(chunk))
        found = conn.execute(
            f"SELECT article_id FROM dupe_clusters WHERE article_id IN ({marks})", chunk
        )
        clustered.extend(row[0] for row in found)
    dupes_index.recluster(conn, clustered)
