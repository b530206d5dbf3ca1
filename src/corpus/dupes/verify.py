"""What `corpus check` verifies of near-duplicates: everything stored against the bodies and a
recomputation (signatures, band keys, marks, pairs, clusters and their representatives).

A body is not signed again: each signature stores its seals (`signatures.Seals`), digests of
the scheme's version and the body it was computed from, of the signature, and of the marks; a
body that changed, a scheme that changed, or a signature or mark that changed since it was
written makes its digest differ. The band keys are computed again from the signatures; the
pairs from the band keys and marks (every pair of articles sharing a band, or enough marks),
with their similarity from the signatures and their containment from the shingles of the
articles in a candidate pair only; and the clusters from the pairs.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import pairwise
from typing import TYPE_CHECKING, Any

import numpy as np

from corpus.arrays import Array, counted, distinct, joined, pairs_within
from corpus.dupes import DEFAULT_THRESHOLD, NUM_PERM
from corpus.dupes.clusters import components, joins, kept, promising, representative, similarity

if TYPE_CHECKING:
    from corpus.dupes.signatures import Shingles

Difference = tuple[str, str]  # subject, message
Pair = tuple[str, str]
SIGNATURE_BYTES = NUM_PERM * 4
FETCH = 50_000  # keys read at a time


@dataclass
class Signatures:
    """Each article's signature (stored, or computed for an article without one), in id
    order, and its stored marks."""

    ids: list[str]
    members: dict[str, tuple[str | None, int]]  # id -> date, words
    minhashes: list[bytes]
    shingles: Array  # how many shingles each body has
    marks: list[Array]  # each article's marks, sorted


def differences(conn: sqlite3.Connection) -> Iterator[Difference]:
    signatures = Signatures([], {}, [], np.zeros(0, np.int64), [])
    yield from _signatures(conn, signatures)
    bands = _bands(signatures)
    yield from _compare_keys(
        conn, "dupe_bands", signatures.ids, bands, "its LSH band keys do not match its signature"
    )
    pairs = _pairs(conn, signatures, bands)
    yield from _compare_pairs(conn, pairs)
    yield from _compare_clusters(conn, pairs, signatures)


def _signatures(conn: sqlite3.Connection, found: Signatures) -> Iterator[Difference]:
    """Each article's signature and marks against their seals (read into `found`)."""
    from corpus.dupes.signatures import (
        Signed,
        marks,
        seals,
        shingle_hashes,
        sign_shingles,
        text_digest,
    )

    stored_marks = dict(_keys_of(conn, "dupe_marks"))
    shingle_counts = []
    rows = conn.execute(
        "SELECT a.id, a.body, a.date, a.words, s.minhash, s.shingles, s.text_digest, "
        "s.signature_seal, s.marks_seal FROM articles a "
        "LEFT JOIN dupe_signatures s ON s.article_id = a.id ORDER BY a.id"
    )
    for id_, body, date, words, blob, shingles, text, signature_seal, marks_seal in rows:
        subject = f"article {id_}"
        found.ids.append(id_)
        found.members[id_] = (date, words)
        mine = stored_marks.get(id_, np.zeros(0, np.int64))
        if blob is None:
            yield subject, "no near-duplicate signature"
            fresh = shingle_hashes(body)  # the rest is checked with what it would be
            signed = sign_shingles(fresh)
            mine = np.array(marks(fresh), np.int64)
        else:
            signed = Signed(bytes(blob), shingles)
            want = seals(text_digest(body), signed, mine)
            if (text, signature_seal) != (want.text, want.signature):
                yield subject, "its near-duplicate signature does not match its body"
            elif marks_seal != want.marks:
                yield subject, "its near-duplicate marks do not match its body"
        found.minhashes.append(signed.minhash)
        shingle_counts.append(signed.shingles)
        found.marks.append(mine)
    found.shingles = np.array(shingle_counts, np.int64)


def _keys_of(conn: sqlite3.Connection, table: str) -> Iterator[tuple[str, Array]]:
    """(article id, its keys sorted) of a table of keys: the keys read as integers alone,
    in (article, key) order, and each article's count."""
    per_article = conn.execute(
        f"SELECT article_id, count(*) FROM {table} GROUP BY article_id ORDER BY article_id"
    ).fetchall()
    cursor = conn.execute(f"SELECT key FROM {table} ORDER BY article_id, key")
    keys = joined([np.array(chunk, np.int64).reshape(-1) for chunk in iter(_chunk(cursor), [])])
    ends = np.cumsum([n for _, n in per_article])
    for (id_, _), (start, end) in zip(per_article, pairwise([0, *ends.tolist()]), strict=True):
        yield id_, keys[start:end]


def _chunk(cursor: sqlite3.Cursor) -> Callable[[], list[Any]]:
    return lambda: cursor.fetchmany(FETCH)


def _bands(signatures: Signatures) -> list[Array]:
    """Each article's band keys, from its signature, sorted, each once."""
    from corpus.dupes.signatures import band_keys, bands_of

    whole = [blob for blob in signatures.minhashes if len(blob) == SIGNATURE_BYTES]
    computed = bands_of(np.frombuffer(b"".join(whole), dtype="<u4").reshape(-1, NUM_PERM))
    rows = iter(computed)
    return [
        distinct(next(rows) if len(blob) == SIGNATURE_BYTES else np.array(band_keys(blob)))
        for blob in signatures.minhashes
    ]


def _compare_keys(
    conn: sqlite3.Connection, table: str, ids: list[str], expected: list[Array], message: str
) -> Iterator[Difference]:
    found = dict(_keys_of(conn, table))
    none = np.zeros(0, np.int64)
    for id_, keys in zip(ids, expected, strict=True):
        if not np.array_equal(found.get(id_, none), keys):
            yield f"article {id_}", message


def _pairs(
    conn: sqlite3.Connection, signatures: Signatures, bands: list[Array]
) -> dict[Pair, tuple[float, float]]:
    """Every stored pair a recomputation finds: of articles sharing a band, or enough marks,
    with a similarity of PAIR_FLOOR or more or one almost whole in the other."""
    from corpus.dupes.signatures import containment

    n = len(signatures.ids)
    candidates = set(_sharing(bands, n).tolist())
    shared, times = counted(_sharing(signatures.marks, n, distinct_pairs=False))
    sizes = signatures.shingles
    shorter = np.minimum(sizes[shared // n], sizes[shared % n])
    candidates.update(shared[promising(times, shorter)].tolist())
    ids = signatures.ids
    shingles = _shingles(conn, sorted({ids[i] for code in candidates for i in divmod(code, n)}))
    pairs: dict[Pair, tuple[float, float]] = {}
    for code in sorted(candidates):
        a, b = divmod(code, n)
        score = similarity(signatures.minhashes[a], signatures.minhashes[b])
        share = containment(shingles[ids[a]], shingles[ids[b]])
        if kept(score, share):
            pairs[ids[a], ids[b]] = (score, share)
    return pairs


def _sharing(keys: list[Array], n: int, *, distinct_pairs: bool = True) -> Array:
    """The pairs of articles (a * n + b, a < b by number, so by id) holding one key, for each
    key held by two or more: each pair once, or once per key it shares."""
    sizes = np.array([len(k) for k in keys], np.int64)
    owners = np.repeat(np.arange(len(keys), dtype=np.int64), sizes)
    flat = np.concatenate(keys) if keys else np.zeros(0, np.int64)
    order = np.lexsort((owners, flat))
    found = pairs_within(flat[order], owners[order], n)
    return distinct(found) if distinct_pairs else found


def _shingles(conn: sqlite3.Connection, ids: list[str]) -> dict[str, Shingles]:
    from corpus.dupes.signatures import shingle_hashes
    from corpus.parallel import chunked

    found: dict[str, Shingles] = {}
    for chunk in chunked(ids, 500):
        rows = conn.execute(
            f"SELECT id, body FROM articles WHERE id IN ({','.join('?' * len(chunk))})", chunk
        )
        found.update((id_, shingle_hashes(body)) for id_, body in rows)
    return found


def _compare_pairs(
    conn: sqlite3.Connection, expected: dict[Pair, tuple[float, float]]
) -> Iterator[Difference]:
    found = {
        (a, b): (score, share)
        for a, b, score, share in conn.execute("SELECT a, b, similarity, contained FROM dupe_pairs")
    }
    for a, b in sorted(expected.keys() | found.keys()):
        subject = f"near-duplicate pair {a} {b}"
        if (a, b) not in found:
            yield subject, "missing: a recomputation finds it"
        elif (a, b) not in expected:
            yield subject, "stored, but a recomputation does not find it"
        elif not _close(found[a, b], expected[a, b]):
            yield subject, f"similarity {found[a, b]} stored, {expected[a, b]} computed"


def _close(x: tuple[float, ...], y: tuple[float, ...]) -> bool:
    return all(abs(a - b) <= 1e-9 for a, b in zip(x, y, strict=True))


def _compare_clusters(
    conn: sqlite3.Connection, pairs: dict[Pair, tuple[float, float]], signatures: Signatures
) -> Iterator[Difference]:
    members = signatures.members
    minhash = dict(zip(signatures.ids, signatures.minhashes, strict=True))
    expected: dict[str, tuple[str, float]] = {}
    joined = [pair for pair, scores in pairs.items() if joins(*scores, DEFAULT_THRESHOLD)]
    for group in components((), joined):
        rep = representative((id_, *members[id_]) for id_ in group)
        for id_ in group:
            expected[id_] = (rep, similarity(minhash[rep], minhash[id_]))
    found = {
        id_: (rep, s)
        for id_, rep, s in conn.execute(
            "SELECT article_id, representative, similarity FROM dupe_clusters"
        )
    }
    for id_ in sorted(expected.keys() | found.keys()):
        want, have = expected.get(id_), found.get(id_)
        if want is None or have is None or want[0] != have[0] or not _close(want[1:], have[1:]):
            stored = f"cluster of {have[0]}" if have else "no cluster"
            computed = f"cluster of {want[0]}" if want else "no cluster"
            yield f"article {id_}", f"{stored} stored, a recomputation puts it in {computed}"
