"""What `corpus check` verifies of near-duplicates: everything stored against a recomputation
from the article bodies (signatures, band keys, pairs, clusters and their representatives)."""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Iterator
from itertools import combinations
from typing import TYPE_CHECKING

from corpus.dupes import DEFAULT_THRESHOLD
from corpus.dupes.clusters import components, joins, kept, promising, representative, similarity

if TYPE_CHECKING:
    from corpus.dupes.signatures import Shingles, Signed

Difference = tuple[str, str]  # subject, message
Pair = tuple[str, str]


def differences(conn: sqlite3.Connection) -> Iterator[Difference]:
    from corpus.dupes.signatures import (  # numpy: only when checking
        Signed,
        band_keys,
        marks,
        shingle_hashes,
        sign_shingles,
    )

    stored = {
        id_: Signed(bytes(blob), shingles)
        for id_, blob, shingles in conn.execute(
            "SELECT article_id, minhash, shingles FROM dupe_signatures"
        )
    }
    signatures: dict[str, Signed] = {}
    shingles: dict[str, Shingles] = {}
    members: dict[str, tuple[str | None, int]] = {}
    for id_, body, date, words in conn.execute("SELECT id, body, date, words FROM articles"):
        shingles[id_] = shingle_hashes(body)
        fresh = sign_shingles(shingles[id_])
        members[id_] = (date, words)
        if id_ not in stored:
            yield f"article {id_}", "no near-duplicate signature"
        elif stored[id_] != fresh:
            yield f"article {id_}", "its near-duplicate signature does not match its body"
        # The rest is checked against the stored signature: one wrong signature, one problem.
        signatures[id_] = stored.get(id_, fresh)
    bands = {id_: band_keys(s.minhash) for id_, s in signatures.items()}
    yield from _keys(conn, "dupe_bands", bands, "its LSH band keys do not match its signature")
    sampled = {id_: marks(found) for id_, found in shingles.items()}
    yield from _keys(conn, "dupe_marks", sampled, "its near-duplicate marks do not match its body")
    pairs = _pairs(signatures, shingles, bands, sampled)
    yield from _compare_pairs(conn, pairs)
    yield from _compare_clusters(conn, pairs, signatures, members)


def _keys(
    conn: sqlite3.Connection, table: str, expected: dict[str, list[int]], message: str
) -> Iterator[Difference]:
    found: dict[str, set[int]] = {}
    for key, id_ in conn.execute(f"SELECT key, article_id FROM {table}"):
        found.setdefault(id_, set()).add(key)
    for id_ in sorted(expected):
        if found.get(id_, set()) != set(expected[id_]):
            yield f"article {id_}", message


def _pairs(
    signatures: dict[str, Signed],
    shingles: dict[str, Shingles],
    bands: dict[str, list[int]],
    sampled: dict[str, list[int]],
) -> dict[Pair, tuple[float, float]]:
    """Every stored pair a recomputation finds: of articles sharing a band, or enough marks,
    with a similarity of PAIR_FLOOR or more or one almost whole in the other."""
    from corpus.dupes.signatures import containment

    candidates = {pair for ids in _buckets(bands) for pair in combinations(sorted(ids), 2)}
    shared = Counter(pair for ids in _buckets(sampled) for pair in combinations(sorted(ids), 2))
    candidates.update(
        (a, b) for (a, b), n in shared.items() if promising(n, len(shingles[a]), len(shingles[b]))
    )
    pairs: dict[Pair, tuple[float, float]] = {}
    for a, b in candidates:
        score = similarity(signatures[a].minhash, signatures[b].minhash)
        share = containment(shingles[a], shingles[b])
        if kept(score, share):
            pairs[a, b] = (score, share)
    return pairs


def _buckets(keys: dict[str, list[int]]) -> list[list[str]]:
    """The articles of each key held by two or more."""
    buckets: dict[int, list[str]] = {}
    for id_, held in keys.items():
        for key in set(held):
            buckets.setdefault(key, []).append(id_)
    return [ids for ids in buckets.values() if len(ids) > 1]


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
    conn: sqlite3.Connection,
    pairs: dict[Pair, tuple[float, float]],
    signatures: dict[str, Signed],
    members: dict[str, tuple[str | None, int]],
) -> Iterator[Difference]:
    expected: dict[str, tuple[str, float]] = {}
    joined = [pair for pair, scores in pairs.items() if joins(*scores, DEFAULT_THRESHOLD)]
    for group in components((), joined):
        rep = representative((id_, *members[id_]) for id_ in group)
        for id_ in group:
            expected[id_] = (rep, similarity(signatures[rep].minhash, signatures[id_].minhash))
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
