"""Reading near-duplicates: plain SQL and pure Python (read commands never import numpy)."""

from __future__ import annotations

from typing import Any

from corpus.dupes import CONTAINED, DEFAULT_THRESHOLD, PAIR_FLOOR
from corpus.dupes.clusters import components, representative, similarity
from corpus.parallel import chunked
from corpus.store import Store

Row = dict[str, Any]

MEMBER_COLUMNS = "a.id, a.title, a.source, a.date, a.words"
Groups = dict[str, dict[str, float]]  # representative -> member id -> similarity to it


def not_a_copy(column: str) -> str:
    """An SQL condition: the article `column` names is no cluster's non-representative member
    (what `--dedupe` adds to a query, so that each cluster counts once). The subquery is not
    correlated: `column` may be any name, even one of dupe_clusters' own."""
    return (
        f"{column} NOT IN (SELECT article_id FROM dupe_clusters "
        "WHERE article_id != representative)"
    )


def clusters(
    store: Store, threshold: float | None = None, top: int | None = None
) -> tuple[list[Row], int]:
    """The `top` largest clusters (all when None), largest first, and how many there are.

    Each has its `representative`, `articles` (member ids, the representative first, then by
    similarity to it) and `members` (id, title, source, date, words, similarity to the
    representative). threshold None: the stored clusters; another: recomputed from the pairs.
    Only the members of the clusters returned are read from `articles`.
    """
    if threshold is None or threshold == DEFAULT_THRESHOLD:
        groups: Groups = {}
        sql = "SELECT representative, article_id, similarity FROM dupe_clusters"
        rows = store.conn.execute(sql)
        for rep, id_, score in rows:
            groups.setdefault(rep, {})[id_] = score
    elif threshold < PAIR_FLOOR:
        raise ValueError(f"threshold {threshold} is below the stored pairs' floor {PAIR_FLOOR}")
    else:
        groups = _recomputed(store, threshold)
    chosen = sorted(groups.items(), key=lambda group: (-len(group[1]), group[0]))[:top]
    found = _members(store, [id_ for _, members in chosen for id_ in members])
    out = []
    for rep, scores in chosen:
        ids = sorted(scores, key=lambda id_: (id_ != rep, -scores[id_], id_))
        members = [found[id_] | {"similarity": scores[id_]} for id_ in ids]
        out.append({"representative": rep, "articles": ids, "members": members})
    return out, len(groups)


def _recomputed(store: Store, threshold: float) -> Groups:
    edges = store.conn.execute(
        "SELECT a, b FROM dupe_pairs WHERE similarity >= ? OR contained >= ?",
        (threshold, CONTAINED),
    ).fetchall()
    groups: Groups = {}
    for group in components((), edges):
        ids = sorted(group)
        found = _members(store, ids)
        rep = representative((m["id"], m["date"], m["words"]) for m in found.values())
        blobs = signatures(store, ids)
        groups[rep] = {id_: similarity(blobs[rep], blobs[id_]) for id_ in ids}
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
