"""The write side: signatures, LSH bands, marks, pairs and clusters, kept with the articles.

Everything runs on the connection of the store's open transaction, so the near-duplicate
tables change in the same commit as the articles they describe. The band and mark tables are
the index: an article's candidates are the articles sharing any of its band keys, or enough of
its marks, indexed lookups, and the index grows and shrinks with the articles (rows cascade on
delete).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, NamedTuple

from corpus.dupes import CONTAINED, DEFAULT_THRESHOLD, MARK_BITS, MARKS_SHARED
from corpus.dupes.clusters import kept, representative, similarity
from corpus.parallel import chunked

if TYPE_CHECKING:
    from corpus.dupes.signatures import Shingles

ToSign = tuple[str, str, bytes, int]  # id, body, signature and shingles (b"", 0: unsigned)


def _marks(values: Sequence[object]) -> str:
    return ",".join("?" * len(values))


def cluster_mates(conn: sqlite3.Connection, ids: Iterable[str]) -> set[str]:
    """The articles in a cluster with any of ids, and ids: read them before ids are deleted."""
    found = set(ids)
    for chunk in chunked(sorted(found), 500):
        rows = conn.execute(
            "SELECT c2.article_id FROM dupe_clusters c1 JOIN dupe_clusters c2 "
            f"ON c2.representative = c1.representative WHERE c1.article_id IN ({_marks(chunk)})",
            chunk,
        )
        found.update(row[0] for row in rows)
    return found


def add(conn: sqlite3.Connection, articles: Iterable[ToSign], seeds: Iterable[str] = ()) -> None:
    """Sign and index the articles not signed yet, store their pairs, and re-cluster around
    them and the seeds (the cluster mates of what this transaction deleted)."""
    from corpus.dupes.signatures import (
        Signed,
        band_keys,
        marks,
        seals,
        shingle_hashes,
        sign_shingles,
        text_digest,
    )

    todo = {id_: (body, Signed(blob, shingles)) for id_, body, blob, shingles in articles}
    for chunk in chunked(sorted(todo), 500):
        signed = conn.execute(
            f"SELECT article_id FROM dupe_signatures WHERE article_id IN ({_marks(chunk)})", chunk
        )
        for (id_,) in signed:
            del todo[id_]
    new: dict[str, Indexed] = {}
    for id_, (body, signature) in todo.items():
        shingles = shingle_hashes(body)  # the workers signed it; its shingles are for pairing
        signature = signature if signature.minhash else sign_shingles(shingles)
        indexed = Indexed(
            signature.minhash, shingles, band_keys(signature.minhash), marks(shingles)
        )
        new[id_] = indexed
        conn.execute(
            "INSERT INTO dupe_signatures (article_id, minhash, shingles, text_digest, "
            "signature_seal, marks_seal) VALUES (?, ?, ?, ?, ?, ?)",
            (id_, *signature, *seals(text_digest(body), signature, indexed.marks)),
        )
        conn.executemany(
            "INSERT OR IGNORE INTO dupe_bands (key, article_id) VALUES (?, ?)",
            [(key, id_) for key in indexed.bands],
        )
        conn.executemany(
            "INSERT INTO dupe_marks (key, article_id) VALUES (?, ?)",
            [(mark, id_) for mark in indexed.marks],
        )
    read: dict[str, Shingles] = {}  # the shingles of stored candidates, read once
    for id_, indexed in new.items():
        _pair(conn, id_, indexed, new, read)
    recluster(conn, set(seeds) | new.keys())


class Indexed(NamedTuple):
    minhash: bytes
    shingles: Shingles
    bands: list[int]
    marks: list[int]


def _pair(
    conn: sqlite3.Connection,
    id_: str,
    mine: Indexed,
    new: dict[str, Indexed],
    read: dict[str, Shingles],
) -> None:
    """Store the pairs of a newly indexed article with its candidates: the articles sharing a
    band, and those sharing enough marks. A pair of two new articles is scored once."""
    from corpus.dupes.signatures import containment, shingle_hashes

    blobs: dict[str, bytes] = dict(
        conn.execute(
            "SELECT s.article_id, s.minhash FROM dupe_signatures s WHERE s.article_id IN "
            f"(SELECT article_id FROM dupe_bands WHERE key IN ({_marks(mine.bands)}))",
            mine.bands,
        ).fetchall()
    )
    if mine.marks:  # `promising`, in SQL: most articles share a common phrase or two
        rows = conn.execute(
            "SELECT s.article_id, s.minhash FROM (SELECT article_id, count(*) AS shared "
            f"FROM dupe_marks WHERE key IN ({_marks(mine.marks)}) GROUP BY article_id) m "
            "JOIN dupe_signatures s ON s.article_id = m.article_id "
            "WHERE m.shared >= ? * min(?, s.shingles)",
            [*mine.marks, MARKS_SHARED / 2**MARK_BITS, len(mine.shingles)],
        )
        for other, blob in rows:
            blobs.setdefault(other, blob)
    others = sorted(o for o in blobs if o != id_ and not (o in new and o < id_))
    missing = [o for o in others if o not in new and o not in read]
    for chunk in chunked(missing, 500):
        rows = conn.execute(f"SELECT id, body FROM articles WHERE id IN ({_marks(chunk)})", chunk)
        read.update((other, shingle_hashes(body)) for other, body in rows)
    pairs = []
    for other in others:
        if other in new:
            blob, theirs = new[other].minhash, new[other].shingles
        else:
            blob, theirs = bytes(blobs[other]), read[other]
        score = similarity(mine.minhash, blob)
        share = containment(mine.shingles, theirs)
        if kept(score, share):
            pairs.append((min(id_, other), max(id_, other), score, share))
    conn.executemany(
        "INSERT OR REPLACE INTO dupe_pairs (a, b, similarity, contained) VALUES (?, ?, ?, ?)", pairs
    )


def recluster(
    conn: sqlite3.Connection, seeds: Iterable[str], threshold: float = DEFAULT_THRESHOLD
) -> None:
    """Recompute the clusters of the components holding the seeds, from the stored pairs."""
    seen: set[str] = set()
    groups: list[set[str]] = []
    for seed in sorted(set(seeds)):
        if seed in seen:
            continue
        group = _component(conn, seed, threshold)
        seen |= group
        groups.append(group)
    for chunk in chunked(sorted(seen), 500):
        conn.execute(f"DELETE FROM dupe_clusters WHERE article_id IN ({_marks(chunk)})", chunk)
    for group in groups:
        if len(group) > 1:
            _store_cluster(conn, sorted(group))


def _component(conn: sqlite3.Connection, seed: str, threshold: float) -> set[str]:
    group, frontier = {seed}, [seed]
    while frontier:
        node = frontier.pop()
        rows = conn.execute(
            "SELECT b FROM dupe_pairs WHERE a = ?1 AND (similarity >= ?2 OR contained >= ?3) "
            "UNION SELECT a FROM dupe_pairs WHERE b = ?1 AND (similarity >= ?2 OR contained >= ?3)",
            (node, threshold, CONTAINED),
        )
        for (other,) in rows:
            if other not in group:
                group.add(other)
                frontier.append(other)
    return group


def _store_cluster(conn: sqlite3.Connection, members: list[str]) -> None:
    rows = conn.execute(
        "SELECT a.id, a.date, a.words, s.minhash FROM articles a "
        f"JOIN dupe_signatures s ON s.article_id = a.id WHERE a.id IN ({_marks(members)})",
        members,
    ).fetchall()
    rep = representative((id_, date, words) for id_, date, words, _ in rows)
    rep_blob = next(blob for id_, _, _, blob in rows if id_ == rep)
    conn.executemany(
        "INSERT INTO dupe_clusters (article_id, representative, similarity) VALUES (?, ?, ?)",
        [(id_, rep, similarity(rep_blob, blob)) for id_, _, _, blob in rows],
    )


def sign_stored(conn: sqlite3.Connection) -> None:
    """Sign, index and cluster every stored article without a signature (the migration that
    adds near-duplicates to an older store), in the caller's transaction."""
    ids = [
        row[0]
        for row in conn.execute(
            "SELECT id FROM articles WHERE id NOT IN (SELECT article_id FROM dupe_signatures) "
            "ORDER BY rowid"  # as ingested: copies that came together are paired together
        )
    ]
    for part in chunked(ids, 256):
        rows = conn.execute(
            f"SELECT id, body FROM articles WHERE id IN ({_marks(part)})", part
        ).fetchall()
        add(conn, [(id_, body, b"", 0) for id_, body in rows])
