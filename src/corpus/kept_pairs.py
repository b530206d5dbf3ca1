"""The pairs `pair_counts` keeps (`aggregates.kept`), kept so by every write, and the pairs it
leaves out, read from the mention rows when a reader reaches them.

Most pairs touch an entity of one article (in the BBC corpus 191,685 of 314,187 pairs), and such
a pair lives in that article alone: its counts are that article's, known exactly from its rows.
The table keeps a pair whose two entities are each in two articles or more, or that two
sentences or more hold; so every pair counted twice or more in either window is in the table,
and each pair left out counts one article and at most one sentence.

A write (`write`, inside `aggregates.apply`) adds the counts of its pairs to the table as before
when both entities are in two articles or more on both sides of the write. A pair touching an
entity in at most one article before an insert (after a removal) gets its exact count instead:
an entity going from one article to two brings in the pairs of its earlier article (read from
its rows) that are now kept, once however many of their entities go up; one falling back to one
article takes out those of its last article that are no longer kept.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable, Iterator
from typing import Any

from corpus import aggregates
from corpus.parallel import chunked

CHUNK = 500
Pair = tuple[str, str]
State = dict[str, tuple[int, int]]  # entity id -> (key, articles)


def write(
    conn: Any, counts: aggregates.Tally, state: State, sign: int, outside: Collection[str]
) -> None:
    """Add `sign` times the pairs of a tally to `pair_counts`, keeping exactly the pairs the
    rule keeps. `state` holds each entity of the tally with its articles after the write (the
    counts of `entity_counts` already updated); `outside` names the articles whose rows are in
    the store but not counted in the tables at this point (this write's, and any written in
    the same transaction and not counted yet)."""
    # The side of the write where an entity may be in one article or none: before an insert,
    # after a removal. A pair touching such an entity gets its exact count; one touching an
    # entity in one article there, also what that other article holds (read from its rows).
    edge = {e: n - counts.entities[e][1] if sign > 0 else n for e, (_, n) in state.items()}
    exact_ends = {e for e, n in edge.items() if n <= 1}
    moving = {e for e, n in edge.items() if n == 1}
    added, exact = _split(counts, state, sign, exact_ends, moving)
    if moving:
        sentences, articles = pair_counts(conn, _articles_of(conn, moving, outside), moving)
        for pair, n in articles.items():
            s, m = exact.get(pair, (0, 0))
            exact[pair] = (s + sentences[pair], m + n)
        state = state | entity_state(conn, {e for p in articles for e in p if e not in state})
    put, drop = _exact_rows(counts, state, sign, exact)
    added.sort()  # in key order, each upsert near the one before
    conn.executemany(
        "INSERT INTO pair_counts VALUES (?, ?, ?, ?) ON CONFLICT DO UPDATE SET "
        "sentences = sentences + excluded.sentences, articles = articles + excluded.articles",
        added,
    )
    put.sort()
    conn.executemany(
        "INSERT INTO pair_counts VALUES (?, ?, ?, ?) ON CONFLICT DO UPDATE SET "
        "sentences = excluded.sentences, articles = excluded.articles",
        put,
    )
    conn.executemany("DELETE FROM pair_counts WHERE a = ? AND b = ?", sorted(drop))
    if sign < 0:  # a pair of entities in two articles or more, no longer seen together
        conn.executemany(
            "DELETE FROM pair_counts WHERE a = ? AND b = ? AND articles = 0",
            [row[:2] for row in added],
        )


Row = tuple[int, int, int, int]  # a, b (keys, a < b), sentences, articles


def _split(
    counts: aggregates.Tally, state: State, sign: int, exact_ends: set[str], moving: set[str]
) -> tuple[list[Row], dict[Pair, tuple[int, int]]]:
    """The tally's pairs as rows to add to the table (both entities in two articles or more
    on both sides), and the exact counts after the write of those touching `exact_ends`
    (before what the articles of `moving` entities add)."""
    in_sentences = counts.sentence_pairs
    added: list[Row] = []
    exact: dict[Pair, tuple[int, int]] = {}
    for pair, n in counts.article_pairs.items():
        a, b = pair
        if a in exact_ends or b in exact_ends:
            exact[pair] = (in_sentences[pair], n) if sign > 0 else (0, 0)
        else:
            x, y, s = state[a][0], state[b][0], sign * in_sentences[pair]
            added.append((x, y, s, sign * n) if x < y else (y, x, s, sign * n))
    return added, exact


def _exact_rows(
    counts: aggregates.Tally, state: State, sign: int, exact: dict[Pair, tuple[int, int]]
) -> tuple[list[Row], list[tuple[int, int]]]:
    """Rows to set to their exact counts (the pairs kept after the write), and the keys of
    the pairs kept before it and no longer (only a removal drops a pair)."""
    put, drop = [], []
    for (a, b), (s, n) in exact.items():
        (x, na), (y, nb) = state[a], state[b]
        x, y = (x, y) if x < y else (y, x)
        if n > 0 and aggregates.kept(s, na, nb):
            put.append((x, y, s, n))
        elif sign < 0 and n + counts.article_pairs[(a, b)] > 0:
            ta, tb = (counts.entities[e][1] if e in counts.entities else 0 for e in (a, b))
            if aggregates.kept(s + counts.sentence_pairs[(a, b)], na + ta, nb + tb):
                drop.append((x, y))
    return put, drop


def _articles_of(conn: Any, entities: Iterable[str], outside: Collection[str]) -> list[str]:
    """The counted articles that mention any of these entities."""
    found: set[str] = set()
    for chunk in chunked(entities, CHUNK):
        marks = ",".join("?" * len(chunk))
        found.update(
            row[0]
            for row in conn.execute(
                f"SELECT DISTINCT article_id FROM mentions WHERE entity_id IN ({marks})", chunk
            )
        )
    return sorted(found.difference(outside))


def pair_counts(
    conn: Any, articles: Iterable[str], touching: Collection[str]
) -> tuple[Counter[Pair], Counter[Pair]]:
    """The sentences and articles holding each pair of these articles (from their rows) that
    touches one of the `touching` entities."""
    sentences: Counter[Pair] = Counter()
    in_articles: Counter[Pair] = Counter()
    wanted = set(touching)
    for _, units, actors in windows(conn, articles):
        mine = actors & wanted
        if mine:
            in_articles.update(_touching(actors, mine))
            for unit in units:
                if len(unit) > 1 and (ends := unit & mine):
                    sentences.update(_touching(unit & actors, ends))
    return sentences, in_articles


def _touching(entities: set[str], mine: set[str]) -> set[Pair]:
    """The pairs (a < b) of `entities` with an end in `mine` (a subset of them)."""
    return {(m, e) if m < e else (e, m) for m in mine for e in entities if e != m}


def windows(conn: Any, articles: Iterable[str]) -> Iterator[tuple[str, list[set[str]], set[str]]]:
    """(article, the entities of each of its sentences, its actors: the entities that pairs are
    counted of) for these articles, from their rows, as `aggregates.Tally` counts them."""
    for chunk in chunked(articles, CHUNK):
        marks = ",".join("?" * len(chunk))
        by_sentence = aggregates.Grouped(
            conn.execute(
                f"SELECT article_id, start, end FROM sentences WHERE article_id IN ({marks}) "
                "ORDER BY article_id, start",
                chunk,
            )
        )
        by_mention = aggregates.Grouped(
            conn.execute(
                f"SELECT article_id, start, entity_id, label FROM mentions "
                f"WHERE article_id IN ({marks}) ORDER BY article_id, start",
                chunk,
            )
        )
        for article in sorted(chunk):
            spans = [(start, end) for _, start, end in by_sentence.take(article)]
            found = [row[1:] for row in by_mention.take(article)]
            units = aggregates.sentence_sets(spans, found)
            yield article, units, aggregates.actors(found)


def entity_state(conn: Any, ids: Iterable[str]) -> State:
    """entity id -> (key, articles) in `entity_counts`, for those that have a row."""
    found: State = {}
    for chunk in chunked(ids, CHUNK):
        marks = ",".join("?" * len(chunk))
        found.update(
            (e, (k, n))
            for e, k, n in conn.execute(
                f"SELECT entity_id, key, articles FROM entity_counts WHERE entity_id IN ({marks})",
                chunk,
            )
        )
    return found


# --- reading the pairs left out ----------------------------------------------------------------


def left_out(conn: Any, focus: str | None) -> Iterator[tuple[str, str, int, int]]:
    """The pairs the table leaves out, as (a, b, sentences, articles) with a < b by id (each
    counts one article and at most one sentence); with `focus`, only its pairs. Read from the
    rows of the articles holding an entity of one article (with `focus`, of its articles)."""
    if conn.execute("SELECT 1 FROM entity_counts WHERE articles = 1 LIMIT 1").fetchone() is None:
        return  # no entity of one article: the table holds every pair
    holding = (
        "SELECT DISTINCT m.article_id FROM entity_counts c "
        "JOIN mentions m ON m.entity_id = c.entity_id WHERE c.articles = 1"
    )
    if focus is not None:  # those of its articles
        holding = (
            "SELECT DISTINCT f.article_id FROM mentions f JOIN mentions m "
            "ON m.article_id = f.article_id JOIN entity_counts c ON c.entity_id = m.entity_id "
            "WHERE f.entity_id = ? AND c.articles = 1"
        )
    articles = sorted(str(row[0]) for row in conn.execute(holding, [focus] if focus else []))
    known: dict[str, int] = {}
    for chunk in chunked(windows(conn, articles), CHUNK):
        ids = {e for _, _, actors in chunk for e in actors if e not in known}
        known.update((e, n) for e, (_, n) in entity_state(conn, ids).items())
        for _, units, actors in chunk:
            if focus is not None and focus not in actors:
                continue
            single = {e for e in actors if known.get(e) == 1}
            if not single:
                continue
            together: Counter[Pair] = Counter()
            for unit in units:
                together.update(aggregates.pairs_of(unit & actors))
            for a, b in aggregates.pairs_of(actors):
                if focus is not None and focus not in (a, b):
                    continue
                s = together.get((a, b), 0)
                if (a in single or b in single) and not aggregates.kept(s, known[a], known[b]):
                    yield a, b, s, 1
