"""Full-text search: FTS5 over titles and bodies, substring search for CJK queries."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable, Iterator

from corpus import search_cjk
from corpus.analysis.text import collapse
from corpus.queries import Row, each_row, listed
from corpus.scope import EVERYTHING, Scope
from corpus.store import Store

MARK_START, MARK_END = "\x02", "\x03"


class BadQuery(Exception):
    """A full-text query FTS5 cannot parse; the message says why and how to quote."""


def phrase_query(text: str) -> str:
    """`text` as one FTS5 phrase: whatever it holds is matched literally."""
    return '"' + text.replace('"', '""') + '"'


def search_rows(
    store: Store,
    query: str,
    *,
    source: str | None = None,
    entity: str | None = None,
    kind: str | None = None,
    limit: int | None = 20,
    phrase: bool = False,
    scope: Scope = EVERYTHING,
) -> Iterator[Row]:
    """Articles matching an FTS5 query over titles and bodies, best first (bm25, titles x2);
    only the articles in `scope`. Streamed as read; a query that cannot be parsed raises
    BadQuery here, before any row.

    A query with a Chinese, Japanese or Korean character is answered by substring instead
    (`search_cjk`)."""
    in_scope, scope_params = scope.condition("a.id")
    expression = phrase_query(query.strip()) if phrase else query.strip()
    if not expression or expression == '""':
        raise BadQuery("empty search query")
    if search_cjk.has_cjk(query):
        return iter(
            search_cjk.search(
                store,
                query,
                source=source,
                entity=entity,
                kind=kind,
                limit=limit,
                phrase=phrase,
                scope=(in_scope, scope_params),
            )
        )
    try:
        # FTS5 ranks by `rank` itself and stops at the limit, so only the results shown have
        # their highlights and snippets made (a join ordered by bm25() made them for every
        # match); the filters are a condition on the rowid, tested as FTS5 yields.
        where, params = "", []
        if source or entity or kind or scope_params:
            where = _SEARCH_FILTER.format(scope=in_scope)
            params = [source, source, entity, entity, kind, kind, *scope_params]
        cursor = store.conn.execute(
            "SELECT a.id, a.kind, a.source, a.date, a.lang, a.words, f.bm25, f.title,"
            " f.snippet FROM (SELECT rowid, rank AS bm25,"
            " highlight(articles_fts, 0, char(2), char(3)) AS title,"
            " snippet(articles_fts, 1, char(2), char(3), '…', 24) AS snippet "
            "FROM articles_fts WHERE articles_fts MATCH ? AND rank MATCH 'bm25(2.0, 1.0)'"
            f"{where} ORDER BY rank LIMIT ?) f JOIN articles a ON a.rowid = f.rowid "
            "ORDER BY f.bm25, a.id",
            (expression, *params, -1 if limit is None else limit),
        )
    except sqlite3.OperationalError as error:
        if not str(error).startswith(_QUERY_ERRORS):
            raise  # a locked or broken store, not the query
        raise BadQuery(_bad_query_message(query, error)) from None
    return _unmarked(each_row(cursor))


search = listed(search_rows)


def _unmarked(rows: Iterable[Row]) -> Iterator[Row]:
    for row in rows:
        row["bm25"] = round(row["bm25"], 4)
        row["title"], row["title_highlights"] = unmark(row["title"] or "")
        row["snippet"], row["highlights"] = unmark(collapse(row["snippet"] or "").strip())
        yield row


_SEARCH_FILTER = (
    " AND rowid IN (SELECT a.rowid FROM articles a WHERE (? IS NULL OR a.source = ? COLLATE"
    " NOCASE) AND (? IS NULL OR EXISTS (SELECT 1 FROM mentions m WHERE m.article_id = a.id"
    " AND m.entity_id = ?)) AND (? IS NULL OR a.kind = ?) AND {scope})"
)

# How SQLite words an FTS5 query it cannot parse
_QUERY_ERRORS = (
    "fts5:",
    "unterminated string",
    "no such column",
    "unknown special query",
    "expected integer",
)


def _bad_query_message(query: str, error: sqlite3.Error) -> str:
    reason = str(error).removeprefix("fts5: ")
    return (
        f"malformed search query {query!r} ({reason}); put words with punctuation in double "
        "quotes ('\"LY Corp.\"'), or use --phrase to match the query literally"
    )


def unmark(marked: str) -> tuple[str, list[list[int]]]:
    """Text without FTS5 highlight markers, and the [start, end) offsets they enclosed."""
    text: list[str] = []
    spans: list[list[int]] = []
    length = 0
    start: int | None = None
    for piece in re.split(f"([{MARK_START}{MARK_END}])", marked):
        if piece == MARK_START:
            start = length
        elif piece == MARK_END:
            if start is not None and length > start:
                spans.append([start, length])
            start = None
        else:
            text.append(piece)
            length += len(piece)
    return "".join(text), spans
