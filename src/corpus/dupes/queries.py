"""Reading near-duplicates: plain SQL and pure Python (read commands never import numpy)."""

from __future__ import annotations

from typing import Any

from corpus.dupes import CONTAINED, DEFAULT_THRESHOLD, PAIR_FLOOR
from corpus.dupes.clusters import components, representative, similarity
from corpus.parallel import chunked
from corpus.store import Store

Row = dict[str, Any]

MEMBER_COLUMNS = (
    "a.id, a.title, a.source, a.date, a.words, "
    "(SELECT min(o.path) FROM occurrences o WHERE o.article_id = a.id) AS path"
)


def not_a_copy(column: str) -> str:
    """An SQL condition: the article `column` names is no cluster's non-representative member
    (what `--dedupe` adds to a query, so that each cluster counts once)."""
    return (
        f"NOT EXISTS (SELECT 1 FROM dupe_clusters dc WHERE dc.article_id = {column} "
        f"AND dc.representative != {column})"
    )


def clusters(store: Store, threshold: float | None = None) -> list[Row]:
    """Every cluster, largest first: representative, `articles` (member ids, representative
    first) and `members` (id, title, source, date, words, path, similarity to the
    representative). None: the stored clusters; a threshold: recomputed from the stored pairs."""
    if threshold is None or threshold == DEFAULT_THRESHOLD:
        rows = store.conn.execute(
            "SELECT c.representative, c.similarity, " + MEMBER_COLUMNS + " FROM dupe_clusters c "
            "JOIN articles a ON a.id = c.article_id"
        )
        groups: dict[str, list[Row]] = {}
        names = [d[0] for d in rows.description]
        for values in rows:
            row = dict(zip(names, values, strict=True))
            groups.setdefault(row.pop("representative"), []).append(row)
        return _ordered(groups)
    if threshold < PAIR_FLOOR:
        raise ValueError(f"threshold {threshold} is below the stored pairs' floor {PAIR_FLOOR}")
    return _ordered(_recomputed(store, threshold))


def _recomputed(store: Store, threshold: float) -> dict[str, list[Row]]:
    edges = store.conn.execute(
        "SELECT a, b FROM dupe_pairs WHERE similarity >= ? OR contained >= ?",
        (threshold, CONTAINED),
    ).fetchall()
    groups: dict[str, list[Row]] = {}
    for group in components((), edges):
        members = _members(store, sorted(group))
        rep = representative((m["id"], m["date"], m["words"]) for m in members)
        blobs = signatures(store, sorted(group))
        for member in members:
            member["similarity"] = similarity(blobs[rep], blobs[member["id"]])
        groups[rep] = members
    return groups


def _ordered(groups: dict[str, list[Row]]) -> list[Row]:
    out = []
    for rep, members in groups.items():
        members.sort(key=lambda m: (m["id"] != rep, -m["similarity"], m["id"]))
        out.append(
            {"representative": rep, "articles": [m["id"] for m in members], "members": members}
        )
    out.sort(key=lambda c: (-len(c["articles"]), c["representative"]))
    return out


def _members(store: Store, ids: list[str]) -> list[Row]:
    found: list[Row] = []
    for chunk in chunked(ids, 500):
        rows = store.conn.execute(
            f"SELECT {MEMBER_COLUMNS} FROM articles a WHERE a.id IN ({','.join('?' * len(chunk))})",
            chunk,
        )
        names = [d[0] for d in rows.description]
        found.extend(dict(zip(names, values, strict=True)) for values in rows)
    return found


def signatures(store: Store, ids: list[str]) -> dict[str, bytes]:
    found: dict[str, bytes] = {}
    for chunk in chunked(ids, 500):
        rows = store.conn.execute(
            "SELECT article_id, minhash FROM dupe_signatures "
            f"WHERE article_id IN ({','.join('?' * len(chunk))})",
            chunk,
        )
        found.update((id_, bytes(blob)) for id_, blob in rows)
    return found


def near_duplicates(store: Store, article_id: str) -> list[Row]:
    """The other members of the article's cluster, most similar to it first, each with its
    estimated similarity to this article and whether it is the representative."""
    rows = store.conn.execute(
        "SELECT c2.article_id, c2.representative FROM dupe_clusters c1 JOIN dupe_clusters c2 "
        "ON c2.representative = c1.representative WHERE c1.article_id = ?",
        (article_id,),
    ).fetchall()
    others = sorted(id_ for id_, _ in rows if id_ != article_id)
    if not others:
        return []
    rep = rows[0][1]
    blobs = signatures(store, [article_id, *others])
    members = _members(store, others)
    for member in members:
        member["similarity"] = similarity(blobs[article_id], blobs[member["id"]])
        member["representative"] = member["id"] == rep
    members.sort(key=lambda m: (-m["similarity"], m["id"]))
    return members


def representative_of(store: Store, article_id: str) -> str:
    row = store.conn.execute(
        "SELECT representative FROM dupe_clusters WHERE article_id = ?", (article_id,)
    ).fetchone()
    return str(row[0]) if row else article_id
