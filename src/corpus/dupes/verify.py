"""What `corpus check` verifies of near-duplicates: everything stored against a recomputation
from the article bodies (signatures, band keys, pairs, clusters and their representatives)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from itertools import combinations
from typing import TYPE_CHECKING

from corpus.dupes import DEFAULT_THRESHOLD, PAIR_FLOOR
from corpus.dupes.clusters import components, contained, joins, representative, similarity

if TYPE_CHECKING:
    from corpus.dupes.signatures import Signed

Difference = tuple[str, str]  # subject, message
Pair = tuple[str, str]


def differences(conn: sqlite3.Connection) -> Iterator[Difference]:
    from corpus.dupes.signatures import Signed, band_keys, sign  # numpy: only when checking

    stored = {
        id_: Signed(bytes(blob), shingles)
        for id_, blob, shingles in conn.execute(
            "SELECT article_id, minhash, shingles FROM dupe_signatures"
        )
    }
    signatures: dict[str, Signed] = {}
    members: dict[str, tuple[str | None, int]] = {}
    for id_, body, date, words in conn.execute("SELECT id, body, date, words FROM articles"):
        fresh = sign(body)
        members[id_] = (date, words)
        if id_ not in stored:
            yield f"article {id_}", "no near-duplicate signature"
        elif stored[id_] != fresh:
            yield f"article {id_}", "its near-duplicate signature does not match its body"
        # The rest is checked against the stored signature: one wrong signature, one problem.
        signatures[id_] = stored.get(id_, fresh)
    yield from _bands(conn, {id_: band_keys(s.minhash) for id_, s in signatures.items()})
    pairs = _pairs(signatures)
    yield from _compare_pairs(conn, pairs)
    yield from _compare_clusters(conn, pairs, signatures, members)


def _bands(conn: sqlite3.Connection, expected: dict[str, list[int]]) -> Iterator[Difference]:
    found: dict[str, set[int]] = {}
    for key, id_ in conn.execute("SELECT key, article_id FROM dupe_bands"):
        found.setdefault(id_, set()).add(key)
    for id_ in sorted(expected.keys() | found.keys()):
        if found.get(id_, set()) != set(expected.get(id_, ())) and id_ in expected:
            yield f"article {id_}", "its LSH band keys do not match its signature"


def _pairs(signatures: dict[str, Signed]) -> dict[Pair, tuple[float, float]]:
    """Every pair of articles sharing a band at PAIR_FLOOR or more: (similarity, contained)."""
    from corpus.dupes.signatures import band_keys

    buckets: dict[int, list[str]] = {}
    for id_, signed in signatures.items():
        for key in band_keys(signed.minhash):
            buckets.setdefault(key, []).append(id_)
    pairs: dict[Pair, tuple[float, float]] = {}
    for ids in buckets.values():
        for a, b in combinations(sorted(ids), 2):
            if (a, b) not in pairs:
                score = similarity(signatures[a].minhash, signatures[b].minhash)
                share = contained(score, signatures[a].shingles, signatures[b].shingles)
                pairs[a, b] = (score, share)
    return {pair: scores for pair, scores in pairs.items() if scores[0] >= PAIR_FLOOR}


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
