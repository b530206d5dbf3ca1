"""Keyword in context: an entity's mentions with their surrounding text."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from corpus.analysis.text import collapse
from corpus.parallel import chunked
from corpus.queries import Row, each_row, listed
from corpus.scope import EVERYTHING, Scope
from corpus.store import Store

CHUNK = 500


@dataclass
class KwicPage:
    rows: list[Row]  # the first `limit` mentions (all without a limit)
    mentions: int  # how many there are in all
    articles: int  # in how many articles


def kwic_page(
    store: Store,
    entity_id: str,
    *,
    width: int = 40,
    scope: Scope = EVERYTHING,
    limit: int | None = None,
) -> KwicPage:
    """The first `limit` mentions of `kwic`, and how many there are. The articles are placed
    first (one row each), and only those shown have their text read."""
    placed = _placed(store, entity_id, scope)
    rows = list(_in_context(store, entity_id, _first(placed, limit), width, limit))
    return KwicPage(rows, sum(n for _, n in placed), len(placed))


def kwic_rows(
    store: Store,
    entity_id: str,
    *,
    width: int = 40,
    scope: Scope = EVERYTHING,
    limit: int | None = None,
) -> Iterator[Row]:
    """Every mention of an entity (the first `limit`) with `width` characters of one-line
    context on each side, streamed: the text of a chunk of articles read at a time.

    In the order of `corpus list` (by file and position), then by offset; only in the articles
    in `scope`."""
    chosen = _first(_placed(store, entity_id, scope), limit)
    return _in_context(store, entity_id, chosen, width, limit)


kwic = listed(kwic_rows)


def _placed(store: Store, entity_id: str, scope: Scope) -> list[tuple[str, int]]:
    """The articles in `scope` that mention the entity, in the order of `corpus list`, with
    how many times each does."""
    in_scope, scope_params = scope.condition("m.article_id")
    return store.conn.execute(
        "WITH found AS (SELECT m.article_id, count(*) AS n FROM mentions m WHERE m.entity_id = ?"
        f" AND {in_scope} GROUP BY m.article_id), "
        "placed AS (SELECT f.article_id, f.n, min(o.path) AS path FROM found f"
        " JOIN occurrences o ON o.article_id = f.article_id GROUP BY f.article_id) "
        "SELECT p.article_id, p.n FROM placed p ORDER BY p.path, (SELECT min(o.position)"
        " FROM occurrences o WHERE o.article_id = p.article_id AND o.path = p.path)",
        (entity_id, *scope_params),
    ).fetchall()


def _first(placed: list[tuple[str, int]], limit: int | None) -> list[str]:
    """The first of the placed articles, as many as hold the first `limit` mentions."""
    chosen: list[str] = []
    taken = 0
    for article, n in placed:
        if limit is not None and taken >= limit:
            break
        chosen.append(article)
        taken += n
    return chosen


def _in_context(
    store: Store, entity_id: str, chosen: list[str], width: int, limit: int | None
) -> Iterator[Row]:
    """The first `limit` mentions of the entity in these articles, in their order, each with
    `width` characters of context."""
    reach = width * 3 + 16  # whitespace is collapsed after cutting, so take more than needed
    left = limit
    for chunk in chunked(chosen, CHUNK):
        found: dict[str, list[Row]] = {}
        for row in each_row(
            store.conn.execute(
                "SELECT m.article_id AS article, a.lang, m.start, m.end, m.text, m.label,"
                " m.entity_id AS entity,"
                " substr(a.body, max(m.start - ?1, 0) + 1, m.start - max(m.start - ?1, 0))"
                " AS left, substr(a.body, m.end + 1, ?1) AS right "
                "FROM mentions m JOIN articles a ON a.id = m.article_id "
                f"WHERE m.entity_id = ?2 AND m.article_id IN ({','.join('?' * len(chunk))}) "
                "ORDER BY m.article_id, m.start",
                (reach, entity_id, *chunk),
            )
        ):
            row["left"] = collapse(row["left"])[-width:] if width else ""
            row["right"] = collapse(row["right"])[:width]
            row["text"] = collapse(row["text"])
            found.setdefault(row["article"], []).append(row)
        for article in chunk:
            for row in found.get(article, []):
                if left is not None:
                    if left == 0:
                        return
                    left -= 1
                yield row
