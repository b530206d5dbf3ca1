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
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from corpus.arrays import Array, counted, distinct, joined, pairs_within
from corpus.dupes import DEFAULT_THRESHOLD, NUM_PERM
from corpus.dupes.clusters import components, joins, kept, promising, representative, similarity
from corpus.grouped import per_article

if TYPE_CHECKING:
    from corpus.dupes.signatures import Shingles

Difference = tuple[str, str]  # subject, message
Pair = tuple[str, str]
SIGNATURE_BYTES = NUM_PERM * 4


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
    whole = Whole.of(signatures.minhashes)
    bands = _bands(signatures, whole)
    yield from _compare_keys(
        conn, "dupe_bands", signatures.ids, bands, "its LSH band keys do not match its signature"
    )
    pairs = _pairs(conn, signatures, whole, bands)
    yield from _compare_pairs(conn, pairs)
    yield from _compare_clusters(conn, pairs, signatures, whole)


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

    number = {
        id_: n for n, (id_,) in enumerate(conn.execute("SELECT id FROM articles ORDER BY id"))
    }
    stored_marks = _keys_of(conn, "dupe_marks", number)
    shingle_counts = []
    rows = conn.execute(
        "SELECT a.id, a.body, a.date, a.words, s.minhash, s.shingles, s.text_digest, "
        "s.signature_seal, s.marks_seal FROM articles a "
        "LEFT JOIN dupe_signatures s ON s.article_id = a.id ORDER BY a.id"
    )
    marks_of = stored_marks.split()
    for id_, body, date, words, blob, shingles, text, signature_seal, marks_seal in rows:
        mine = marks_of[number[id_]]
        found.ids.append(id_)
        found.members[id_] = (date, words)
        if blob is None:
            yield f"article {id_}", "no near-duplicate signature"
            fresh = shingle_hashes(body)  # the rest is checked with what it would be
            signed = sign_shingles(fresh)
            mine = np.array(marks(fresh), np.int64)
        else:
            signed = Signed(bytes(blob), shingles)
            want = seals(text_digest(body), signed, mine)
            if (text, signature_seal) != (want.text, want.signature):
                yield f"article {id_}", "its near-duplicate signature does not match its body"
            elif marks_seal != want.marks:
                yield f"article {id_}", "its near-duplicate marks do not match its body"
        found.minhashes.append(signed.minhash)
        shingle_counts.append(signed.shingles)
        found.marks.append(mine)
    found.shingles = np.array(shingle_counts, np.int64)


@dataclass(frozen=True)
class Keys:
    """The keys of a table of keys (dupe_marks, dupe_bands) by article: each article's sorted,
    one after another, articles by number (in id order)."""

    keys: Array
    counts: Array  # how many each article has
    ends: Array  # where each article's keys end in `keys`

    @classmethod
    def of_lists(cls, keys: list[Array]) -> Keys:
        counts = np.array([len(k) for k in keys], np.int64)
        return cls(joined(keys), counts, np.cumsum(counts))

    def split(self) -> list[Array]:
        """Each article's keys."""
        ends = self.ends.tolist()
        return [self.keys[start:end] for start, end in zip([0, *ends], ends, strict=False)]

    def owners(self) -> Array:
        return np.repeat(np.arange(len(self.counts), dtype=np.int64), self.counts)


def _keys_of(conn: sqlite3.Connection, table: str, number: dict[str, int]) -> Keys:
    """The keys of a table of keys by article (`number`: each article id's; the keys of an id
    of no article left out), each article's sorted."""
    grouped = per_article(conn, table, ["key"])
    numbers = np.array([number.get(id_, -1) for id_ in grouped.ids], np.int64)
    owners, [keys] = grouped.owners(numbers), grouped.columns
    known = owners >= 0
    owners, keys = owners[known], keys[known]
    # SQLite gives each article's keys in its index's order, sorted, but need not
    if len(keys) > 1 and not ((keys[1:] > keys[:-1]) | (owners[1:] != owners[:-1])).all():
        order = np.lexsort((keys, owners))
        owners, keys = owners[order], keys[order]
    counts = np.bincount(owners, minlength=len(number))
    return Keys(keys, counts, np.cumsum(counts))


@dataclass(frozen=True)
class Whole:
    """The signatures of NUM_PERM values (all but a corrupted one) as one array."""

    rows: npt.NDArray[np.uint32]  # [signatures, NUM_PERM]
    row: Array  # each article's row, -1 for a signature of another length

    @classmethod
    def of(cls, minhashes: list[bytes]) -> Whole:
        whole = np.array([len(blob) == SIGNATURE_BYTES for blob in minhashes], bool)
        row = np.where(whole, np.cumsum(whole) - 1, -1)
        blobs = b"".join(blob for blob in minhashes if len(blob) == SIGNATURE_BYTES)
        return cls(np.frombuffer(blobs, dtype="<u4").reshape(-1, NUM_PERM), row)


def _bands(signatures: Signatures, whole: Whole) -> Keys:
    """Each article's band keys, from its signature, sorted, each once."""
    from corpus.dupes.signatures import band_keys, bands_of

    computed = np.sort(bands_of(whole.rows), axis=1)
    once = np.ones(computed.shape, bool)  # each key once in its row
    once[:, 1:] = computed[:, 1:] != computed[:, :-1]
    if (whole.row >= 0).all():
        counts = once.sum(axis=1).astype(np.int64)
        return Keys(computed[once], counts, np.cumsum(counts))
    keys = []
    for blob, row in zip(signatures.minhashes, whole.row.tolist(), strict=True):
        keys.append(computed[row][once[row]] if row >= 0 else distinct(np.array(band_keys(blob))))
    return Keys.of_lists(keys)


def _compare_keys(
    conn: sqlite3.Connection, table: str, ids: list[str], expected: Keys, message: str
) -> Iterator[Difference]:
    found = _keys_of(conn, table, {id_: n for n, id_ in enumerate(ids)})
    for n in np.flatnonzero(_unequal(found, expected)).tolist():
        yield f"article {ids[n]}", message


def _unequal(a: Keys, b: Keys) -> npt.NDArray[np.bool_]:
    """Whether each article's keys differ: in number, or at a place."""
    differ: npt.NDArray[np.bool_] = a.counts != b.counts
    alike = ~differ
    a_rows, b_rows = np.repeat(alike, a.counts), np.repeat(alike, b.counts)
    differ[a.owners()[a_rows][a.keys[a_rows] != b.keys[b_rows]]] = True
    return differ


def _pairs(
    conn: sqlite3.Connection, signatures: Signatures, whole: Whole, bands: Keys
) -> dict[Pair, tuple[float, float]]:
    """Every stored pair a recomputation finds: of articles sharing a band, or enough marks,
    with a similarity of PAIR_FLOOR or more or one almost whole in the other."""
    from corpus.dupes.signatures import containment

    n = len(signatures.ids)
    candidates = set(_sharing(bands, n).tolist())
    shared, times = counted(_sharing(Keys.of_lists(signatures.marks), n, distinct_pairs=False))
    sizes = signatures.shingles
    shorter = np.minimum(sizes[shared // n], sizes[shared % n])
    candidates.update(shared[promising(times, shorter)].tolist())
    ids = signatures.ids
    shingles = _shingles(conn, sorted({ids[i] for code in candidates for i in divmod(code, n)}))
    codes = np.array(sorted(candidates), np.int64)
    scores = _similarities(signatures.minhashes, whole, codes // n, codes % n)
    pairs: dict[Pair, tuple[float, float]] = {}
    for code, score in zip(codes.tolist(), scores, strict=True):
        a, b = divmod(code, n)
        share = containment(shingles[ids[a]], shingles[ids[b]])
        if kept(score, share):
            pairs[ids[a], ids[b]] = (score, share)
    return pairs


def _similarities(minhashes: list[bytes], whole: Whole, a: Array, b: Array) -> list[float]:
    """`clusters.similarity` of each pair (a[i], b[i]): of whole signatures in numpy."""
    ra, rb = whole.row[a], whole.row[b]
    equal = (whole.rows[ra] == whole.rows[rb]).sum(axis=1)
    scores: list[float] = (equal / NUM_PERM).tolist()
    for i in np.flatnonzero((ra < 0) | (rb < 0)).tolist():
        scores[i] = similarity(minhashes[a[i]], minhashes[b[i]])
    return scores


def _sharing(keys: Keys, n: int, *, distinct_pairs: bool = True) -> Array:
    """The pairs of articles (a * n + b, a < b by number, so by id) holding one key, for each
    key held by two or more: each pair once, or once per key it shares."""
    order = np.argsort(keys.keys, kind="stable")  # then by owner, as they come
    found = pairs_within(keys.keys[order], keys.owners()[order], n)
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
    conn: sqlite3.Connection,
    pairs: dict[Pair, tuple[float, float]],
    signatures: Signatures,
    whole: Whole,
) -> Iterator[Difference]:
    members = signatures.members
    number = {id_: n for n, id_ in enumerate(signatures.ids)}
    placed: list[tuple[str, str]] = []  # (member, representative)
    joined = [pair for pair, scores in pairs.items() if joins(*scores, DEFAULT_THRESHOLD)]
    for group in components((), joined):
        rep = representative((id_, *members[id_]) for id_ in group)
        placed.extend((id_, rep) for id_ in group)
    ours = np.array([number[id_] for id_, _ in placed], np.int64)
    reps = np.array([number[rep] for _, rep in placed], np.int64)
    scores = _similarities(signatures.minhashes, whole, reps, ours)
    expected = {id_: (rep, s) for (id_, rep), s in zip(placed, scores, strict=True)}
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
