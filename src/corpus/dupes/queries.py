"""Reading near-duplicates: plain SQL and pure Python (read commands never import numpy)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from corpus.dupes import CONTAINED, DEFAULT_THRESHOLD, PAIR_FLOOR
from corpus.dupes.clusters import components, representative, similarity
from corpus.parallel import chunked
from corpus.store import Store

Row = dict[str, Any]

MEMBER_COLUMNS = "a.id, a.title, a.source, a.date, a.words"
Groups = dict[str, list[Row]]  # representative -> its members, in order, with similarity


def not_a_copy(column: str) -> str:
    """An SQL condition: the article `column` names is no cluster's non-representative member
    (what `--dedupe` adds to a query, so that each cluster counts once). The subquery is not
    correlated: `column` may be any name, even one of dupe_clusters' own."""
    return (
        f"{column} NOT IN (SELECT article_id FROM dupe_clusters WHERE article_id != representative)"
    )


def clusters(
    store: Store,
    threshold: float | None = None,
    top: int | None = None,
    holding: str | None = None,
) -> tuple[list[Row], int]:
    """The `top` largest clusters (all when None), largest first, and how many there are;
    with `holding` (an article id), only the cluster holding that article, if any.

    Each has its `representative`, `articles` (member ids, the representative first, then by
    similarity to it) and `members` (id, title, source, date, words, similarity to the
    representative). threshold None: the stored clusters; another: recomputed from the pairs.
    """
    total, found = iter_clusters(store, threshold, top, holding)
    return list(found), total


def iter_clusters(
    store: Store,
    threshold: float | None = None,
    top: int | None = None,
    holding: str | None = None,
) -> tuple[int, Iterator[Row]]:
    """How many clusters there are, and the clusters `clusters` gives, one at a time. Only
    the members of the clusters returned are read, in one query when all are."""
    if threshold is None or threshold == DEFAULT_THRESHOLD:
        sql = "SELECT representative, count(*) FROM dupe_clusters"
        if holding is not None:
            sql += " WHERE representative = ?"
        rows = store.conn.execute(
            sql + " GROUP BY representative",
            () if holding is None else (representative_of(store, holding),),
        )
        sizes = dict(rows.fetchall())
        chosen = sorted(sizes, key=lambda rep: (-sizes[rep], rep))[:top]
        every = holding is None and len(chosen) == len(sizes)
        groups = _stored_groups(store, None if every else chosen)
    elif threshold < PAIR_FLOOR:
        raise ValueError(f"threshold {threshold} is below the stored pairs' floor {PAIR_FLOOR}")
    else:
        groups = _recomputed(store, threshold)
        sizes = {
            rep: len(members)
            for rep, members in groups.items()
            if holding is None or any(m["id"] == holding for m in members)
        }
        chosen = sorted(sizes, key=lambda rep: (-sizes[rep], rep))[:top]
    return len(sizes), (_cluster(rep, groups[rep]) for rep in chosen)


def _cluster(rep: str, members: list[Row]) -> Row:
    return {"representative": rep, "articles": [m["id"] for m in members], "members": members}


def _in_order(rep: str, id_: str, score: float) -> tuple[bool, float, str]:
    """How a cluster's members are listed: the representative, then by similarity to it."""
    return id_ != rep, -score, id_


def _stored_groups(store: Store, reps: list[str] | None) -> Groups:
    """The stored clusters of the representatives `reps` (None: all) with their members'
    columns (a covering index of articles holds them: no article row is read)."""
    sql = (
        f"SELECT c.representative, {MEMBER_COLUMNS}, c.similarity "
        "FROM dupe_clusters c JOIN articles a ON a.id = c.article_id"
    )
    rows: list[tuple[Any, ...]] = []
    for part in [None] if reps is None else chunked(reps, 500):
        where = "" if part is None else f" WHERE c.representative IN ({','.join('?' * len(part))})"
        rows += store.conn.execute(sql + where, part or ()).fetchall()
    rows.sort(key=lambda row: (row[0], row[1] != row[0], -row[-1], row[1]))  # as _in_order
    groups: Groups = {}
    for rep, id_, title, source, date, words, score in rows:
        groups.setdefault(rep, []).append(
            {
                "id": id_,
                "title": title,
                "source": source,
                "date": date,
                "words": words,
                "similarity": score,
            }
        )
    return groups


def _recomputed(store: Store, threshold: float) -> Groups:
    edges = store.conn.execute(
        "SELECT a, b FROM dupe_pairs WHERE similarity >= ? OR contained >= ?",
        (threshold, CONTAINED),
    ).fetchall()
    found = components((), edges)
    ids = sorted(id_ for group in found for id_ in group)
    rows, blobs = _members(store, ids), signatures(store, ids)
    groups: Groups = {}
    for group in found:
        rep = representative((id_, rows[id_]["date"], rows[id_]["words"]) for id_ in group)
        scores = {id_: similarity(blobs[rep], blobs[id_]) for id_ in group}
        ordered = sorted(group, key=lambda id_: _in_order(rep, id_, scores[id_]))
        groups[rep] = [rows[id_] | {"similarity": scores[id_]} for id_ in ordered]
    return groups


def _members(store: Store, ids: list[str]) -> dict[str, Row]:
    found: dict[str, Row] = {}
    for chunk in chunked(ids, 500):
        rows = store.conn.execute(
            f"SELECT {MEMBER_COLUMNS} FROM articles a WHERE a.id IN ({','.join('?' * len(chunk))})",
            chunk,
        )
        names = [d[0] for d in rows.description]
        for values in rows:
            found[values[0]] = dict(zip(names, values, strict=True))
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
    members = list(_members(store, others).values())
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
