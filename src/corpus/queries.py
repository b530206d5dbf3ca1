"""Reading the store: plain functions returning plain dicts, shared by the CLI views and --json."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator
from typing import Any, ParamSpec, TypeVar

from corpus.errors import NotFound
from corpus.labels import EVERY_LABEL, Labels
from corpus.scope import EVERYTHING, Scope
from corpus.store import Store

Row = dict[str, Any]
MIN_PREFIX = 4
P = ParamSpec("P")
T = TypeVar("T")


def dict_rows(cursor: sqlite3.Cursor) -> list[Row]:
    """Every row of the cursor as a dict keyed by column name."""
    return list(each_row(cursor))


def each_row(cursor: sqlite3.Cursor) -> Iterator[Row]:
    """The rows of the cursor as dicts keyed by column name, one at a time as read."""
    names = [d[0] for d in cursor.description]
    for row in cursor:
        yield dict(zip(names, row, strict=True))


def listed(rows: Callable[P, Iterator[T]]) -> Callable[P, list[T]]:
    """The list form of a function that streams rows: the same parameters, every row."""

    def as_list(*args: P.args, **kwargs: P.kwargs) -> list[T]:
        return list(rows(*args, **kwargs))

    as_list.__doc__ = f"The rows of `{rows.__name__}`, as a list."
    as_list.__module__ = rows.__module__
    return as_list


def article_rows(
    store: Store,
    *,
    kind: str | None = None,
    source: str | None = None,
    scope: Scope = EVERYTHING,
    limit: int | None = None,
) -> Iterator[Row]:
    """Articles in the order of their first occurrence (by path, then position in the file),
    of a kind, a source and in `scope`.

    Read in that order from the occurrences' primary key, so that the first `limit` cost the
    same however many the store holds; streamed as read."""
    condition, params = scope.condition("a.id")
    return each_row(
        store.conn.execute(
            "SELECT a.id, a.kind, a.source, a.date, a.title, a.author, a.place, a.url, a.lang, "
            "a.words, o.path FROM occurrences o JOIN articles a ON a.id = o.article_id "
            "WHERE NOT EXISTS (SELECT 1 FROM occurrences e WHERE e.article_id = o.article_id"
            "  AND (e.path < o.path OR (e.path = o.path AND e.position < o.position))) "
            "AND (?1 IS NULL OR a.kind = ?1) AND (?2 IS NULL OR a.source = ?2) "
            f"AND {condition} "  # plain ?s: numbered on from ?3
            "ORDER BY o.path, o.position LIMIT ?",
            (kind, source, *params, -1 if limit is None else limit),
        )
    )


list_articles = listed(article_rows)


def count_articles(
    store: Store,
    *,
    kind: str | None = None,
    source: str | None = None,
    scope: Scope = EVERYTHING,
) -> int:
    """How many articles `list_articles` gives with these filters (all, without a limit)."""
    lang = scope.lang
    chosen = [(f, v) for f, v in (("kind", kind), ("source", source), ("lang", lang)) if v]
    if len(chosen) <= 1 and scope == Scope(lang=lang):  # one aggregate
        facet, value = chosen[0] if chosen else ("", "")
        row = store.conn.execute(
            "SELECT articles FROM article_counts WHERE facet = ? AND value = ?", (facet, value)
        ).fetchone()
        return int(row[0]) if row else 0
    condition, params = scope.condition("id")
    count: int = store.conn.execute(
        "SELECT count(*) FROM articles WHERE (?1 IS NULL OR kind = ?1) "
        f"AND (?2 IS NULL OR source = ?2) AND {condition}",
        (kind, source, *params),
    ).fetchone()[0]
    return count


def resolve_id(store: Store, prefix: str) -> str:
    """The one article id starting with prefix (at least 4 characters)."""
    prefix = prefix.strip().lower()
    if len(prefix) < MIN_PREFIX:
        raise NotFound(
            f"article id prefix {prefix!r} is too short: give at least {MIN_PREFIX} characters"
        )
    if not all(c in "0123456789abcdef" for c in prefix):
        raise NotFound(f"no article {prefix!r}: ids are hexadecimal")
    candidates: list[str] = [
        row[0]
        for row in store.conn.execute(
            "SELECT id FROM articles WHERE id >= ? AND id < ? ORDER BY id LIMIT 11",
            (prefix, prefix + "g"),
        )
    ]
    if not candidates:
        raise NotFound(f"no article with id {prefix!r}; `corpus list` shows the ids")
    if len(candidates) > 1:
        shown = ", ".join(candidates[:10]) + (", ..." if len(candidates) > 10 else "")
        raise NotFound(f"article id {prefix!r} is ambiguous: {shown}")
    return candidates[0]


def get_article(store: Store, article_id: str) -> Row:
    """One article with its paths, entity mentions and sentences."""
    rows = dict_rows(
        store.conn.execute(
            "SELECT id, kind, title, source, date, rights, author, place, url, lang, words, "
            "fingerprint, ingested_at, body "
            "FROM articles WHERE id = ?",
            (article_id,),
        )
    )
    if not rows:
        raise NotFound(f"no article with id {article_id!r}")
    article = rows[0]
    occurrences = dict_rows(
        store.conn.execute(
            "SELECT o.path, o.position, coalesce(o.encoding, f.encoding) AS encoding "
            "FROM occurrences o "
            "JOIN files f ON f.path = o.path "
            "WHERE o.article_id = ? ORDER BY o.path, o.position",
            (article_id,),
        )
    )
    article["path"] = occurrences[0]["path"] if occurrences else None
    article["encoding"] = occurrences[0]["encoding"] if occurrences else None
    article["occurrences"] = occurrences
    article["entities"] = article_mentions(store, article_id)
    article["sentences"] = dict_rows(
        store.conn.execute(
            "SELECT start, end, rank FROM sentences WHERE article_id = ? ORDER BY idx",
            (article_id,),
        )
    )
    return article


def article_mentions(store: Store, article_id: str) -> list[Row]:
    return dict_rows(
        store.conn.execute(
            "SELECT m.text, m.label, m.start, m.end, m.entity_id AS entity, "
            "coalesce(e.name, m.text) AS name FROM mentions m "
            "LEFT JOIN entities e ON e.id = m.entity_id WHERE m.article_id = ? ORDER BY m.start",
            (article_id,),
        )
    )


def raw_file(store: Store, path: str) -> bytes | None:
    """A file's stored bytes (empty for a record file: its records hold theirs)."""
    row = store.conn.execute("SELECT raw FROM files WHERE path = ?", (path,)).fetchone()
    return bytes(row[0]) if row else None


def raw_item(store: Store, article_id: str) -> bytes | None:
    """The exact bytes an article was read from: its record's (a JSONL line, a CSV row, a WARC
    record) or else its whole file's; its first occurrence, in the order of `get_article`."""
    row = store.conn.execute(
        "SELECT coalesce(o.data, f.raw) FROM occurrences o JOIN files f ON f.path = o.path "
        "WHERE o.article_id = ? ORDER BY o.path, o.position LIMIT 1",
        (article_id,),
    ).fetchone()
    return bytes(row[0]) if row else None


def entity_page(
    store: Store,
    *,
    labels: Labels = EVERY_LABEL,
    article: str | None = None,
    min_count: int = 1,
    top: int | None = None,
    aliases: int = 3,
    scope: Scope = EVERYTHING,
) -> tuple[list[Row], int]:
    """The `top` canonical entities by mentions, with counts and aliases; and how many match.

    Only entities `labels` shows (`corpus.labels`: all by default). Only mentions in the
    articles in `scope` count. The whole store's are read from the aggregate counts; one
    article's, or a narrower scope's, from the rows they select.
    """
    condition, scope_params = scope.condition("m.article_id")
    if article is None and scope.everything:
        from corpus import counted  # it builds on this module

        return counted.entity_page(
            store, labels=labels, min_count=min_count, top=top, aliases=aliases
        )
    label = "coalesce(e.label, min(m.label))"
    shown, shown_params = labels.condition(label)
    entities = dict_rows(
        store.conn.execute(
            "SELECT m.entity_id AS id, coalesce(e.name, min(m.text)) AS name, "
            f"{label} AS label, e.kind, e.country, "
            "count(*) AS mentions, count(DISTINCT m.article_id) AS articles, "
            "count(*) OVER () AS total "
            "FROM mentions m LEFT JOIN entities e ON e.id = m.entity_id "
            f"WHERE {condition} AND (? IS NULL OR m.article_id = ?) "
            f"GROUP BY m.entity_id HAVING count(*) >= ? AND {shown} "
            "ORDER BY mentions DESC, articles DESC, name LIMIT ?",
            (
                *scope_params,
                *(article, article, min_count),
                *shown_params,
                -1 if top is None else top,
            ),
        )
    )
    total = entities[0]["total"] if entities else 0
    top_aliases = _top_aliases(store, article, aliases, condition, scope_params) if entities else {}
    for entity in entities:
        del entity["total"]
        entity["aliases"] = top_aliases.get(entity["id"], [])
    return entities, total


def entity_json(
    store: Store,
    *,
    labels: Labels = EVERY_LABEL,
    article: str | None = None,
    min_count: int = 1,
    top: int | None = None,
    aliases: int = 3,
    scope: Scope = EVERYTHING,
) -> Iterator[str]:
    """The rows of `entity_page` as JSON texts (one each), streamed from the aggregates when
    they answer (the whole store), else counted from the rows first."""
    if article is None and scope.everything:
        from corpus import counted  # it builds on this module

        yield from counted.entity_json(
            store, labels=labels, min_count=min_count, top=top, aliases=aliases
        )
        return
    rows, _ = entity_page(
        store,
        labels=labels,
        article=article,
        min_count=min_count,
        top=top,
        aliases=aliases,
        scope=scope,
    )
    yield from map(json.JSONEncoder(ensure_ascii=False).encode, rows)


def _top_aliases(
    store: Store,
    article: str | None,
    per_entity: int,
    scope: str,
    scope_params: list[str | None],
) -> dict[str, list[str]]:
    """The most frequent surface forms of every entity, in one pass (not one query each);
    `scope` is a condition on `m.article_id` (of `Scope.condition`)."""
    found: dict[str, list[str]] = {}
    rows = store.conn.execute(
        f"SELECT entity_id, text FROM mentions m WHERE {scope}"
        " AND (? IS NULL OR article_id = ?) "
        "GROUP BY entity_id, text ORDER BY entity_id, count(*) DESC, text",
        (*scope_params, article, article),
    )
    for entity_id, text in rows:
        texts = found.setdefault(entity_id, [])
        if len(texts) < per_entity:
            texts.append(text)
    return found
