"""Reading the store: plain functions returning plain dicts, shared by the CLI views and --json."""

from __future__ import annotations

import sqlite3
from typing import Any

from corpus.store import Store

Row = dict[str, Any]
MIN_PREFIX = 4


class NotFound(Exception):
    """An id, prefix or name that matches nothing, or more than one thing."""


def dict_rows(cursor: sqlite3.Cursor) -> list[Row]:
    """Every row of the cursor as a dict keyed by column name."""
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor]


def in_language(column: str, lang: str | None) -> tuple[str, list[str]]:
    """SQL condition (and its parameters) that the article id in `column` is in language `lang`
    (any language when None)."""
    if lang is None:
        return "1", []
    return f"{column} IN (SELECT id FROM articles WHERE lang = ?)", [lang]


def list_articles(
    store: Store,
    *,
    kind: str | None = None,
    source: str | None = None,
    lang: str | None = None,
) -> list[Row]:
    return dict_rows(
        store.conn.execute(
            "SELECT a.id, a.kind, a.source, a.date, a.title, a.author, a.place, a.url, a.lang, "
            "a.words, "
            "(SELECT o.path FROM occurrences o WHERE o.article_id = a.id "
            " ORDER BY o.path, o.position LIMIT 1) AS path "
            "FROM articles a WHERE (?1 IS NULL OR a.kind = ?1) AND (?2 IS NULL OR a.source = ?2) "
            "AND (?3 IS NULL OR a.lang = ?3) "
            "ORDER BY path, (SELECT min(position) FROM occurrences o WHERE o.article_id = a.id)",
            (kind, source, lang),
        )
    )


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
            "SELECT o.path, o.position, f.encoding FROM occurrences o "
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
    row = store.conn.execute("SELECT raw FROM files WHERE path = ?", (path,)).fetchone()
    return bytes(row[0]) if row else None


def entity_page(
    store: Store,
    *,
    label: str | None = None,
    article: str | None = None,
    min_count: int = 1,
    top: int | None = None,
    aliases: int = 3,
    lang: str | None = None,
) -> tuple[list[Row], int]:
    """The `top` canonical entities by mentions, with counts and aliases; and how many match.

    With `lang`, only mentions in articles of that language count. The whole store's are read
    from the aggregate counts; one article's, or one language's, from the rows they select.
    """
    if article is None and lang is None:
        from corpus import counted  # it builds on this module

        rows, total = counted.entity_page(store, label=label, min_count=min_count, top=top)
        found = counted.aliases(store, [row["id"] for row in rows], aliases)
        for row in rows:
            row["aliases"] = found.get(row["id"], [])
        return rows, total
    entities = dict_rows(
        store.conn.execute(
            "SELECT m.entity_id AS id, coalesce(e.name, min(m.text)) AS name, "
            "coalesce(e.label, min(m.label)) AS label, e.kind, e.country, "
            "count(*) AS mentions, count(DISTINCT m.article_id) AS articles, "
            "count(*) OVER () AS total "
            "FROM mentions m LEFT JOIN entities e ON e.id = m.entity_id "
            "WHERE (?1 IS NULL OR m.article_id = ?1) "
            " AND (?5 IS NULL OR m.article_id IN (SELECT id FROM articles WHERE lang = ?5)) "
            "GROUP BY m.entity_id "
            "HAVING (?2 IS NULL OR upper(coalesce(e.label, min(m.label))) = upper(?2))"
            " AND count(*) >= ?3 "
            "ORDER BY mentions DESC, articles DESC, name LIMIT ?4",
            (article, label, min_count, -1 if top is None else top, lang),
        )
    )
    total = entities[0]["total"] if entities else 0
    top_aliases = _top_aliases(store, article, aliases, lang) if entities else {}
    for entity in entities:
        del entity["total"]
        entity["aliases"] = top_aliases.get(entity["id"], [])
    return entities, total


def _top_aliases(
    store: Store, article: str | None, per_entity: int, lang: str | None
) -> dict[str, list[str]]:
    """The most frequent surface forms of every entity, in one pass (not one query each)."""
    found: dict[str, list[str]] = {}
    rows = store.conn.execute(
        "SELECT entity_id, text FROM mentions WHERE (?1 IS NULL OR article_id = ?1) "
        " AND (?2 IS NULL OR article_id IN (SELECT id FROM articles WHERE lang = ?2)) "
        "GROUP BY entity_id, text ORDER BY entity_id, count(*) DESC, text",
        (article, lang),
    )
    for entity_id, text in rows:
        texts = found.setdefault(entity_id, [])
        if len(texts) < per_entity:
            texts.append(text)
    return found
