"""MinHash signatures of word shingles and their LSH band keys (numpy; write side only).

Words are runs of letters and digits, folded to lower case; each Han or kana character is a
word of its own, so Japanese and Chinese text (no spaces) shingles by characters. A shingle is
SHINGLE_WORDS consecutive words, hashed by combining the words' CRC-32s; each of the NUM_PERM
hash functions is a multiply-add-shift of the 64-bit shingle hash, and the signature keeps each
function's minimum over the shingles. The fraction of equal positions in two signatures
estimates the Jaccard similarity of their shingle sets.
"""

from __future__ import annotations

import hashlib
import re
import zlib
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from corpus.dupes import (
    BAND_ROWS,
    BANDS,
    CONTAINED_SHINGLES,
    MARK_BITS,
    NUM_PERM,
    SCHEME,
    SHINGLE_WORDS,
)

Signature = npt.NDArray[np.uint32]
Shingles = npt.NDArray[np.uint64]  # sorted, distinct


class Signed(NamedTuple):
    minhash: bytes
    shingles: int


_IDEOGRAPHS = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
WORD = re.compile(f"[{_IDEOGRAPHS}]|[^\\W_{_IDEOGRAPHS}]+")

_RANDOM = np.random.default_rng(20261201)  # fixed: stored signatures must stay comparable
_WORD_WEIGHTS = _RANDOM.integers(1, 2**63, SHINGLE_WORDS, dtype=np.uint64) * np.uint64(2) + 1
_MULTIPLIERS = _RANDOM.integers(1, 2**63, NUM_PERM, dtype=np.uint64) * np.uint64(2) + 1
_OFFSETS = _RANDOM.integers(0, 2**63, NUM_PERM, dtype=np.uint64)
_BAND_WEIGHTS = _RANDOM.integers(1, 2**63, BAND_ROWS, dtype=np.uint64) * np.uint64(2) + 1
_BAND_SALTS = _RANDOM.integers(0, 2**63, BANDS, dtype=np.uint64)


def words(text: str) -> list[str]:
    return WORD.findall(text.lower())


class _WordHashes(dict[str, int]):
    """Each word's CRC-32, computed once (a corpus has far fewer words than it writes): a dict
    looked up from C, its CRC-32 computed only when missing; emptied past WORDS_KEPT."""

    def __missing__(self, word: str) -> int:
        found = self[word] = zlib.crc32(word.encode())
        return found


WORDS_KEPT = 1 << 18
_WORD_HASHES = _WordHashes()


def shingle_hashes(text: str) -> Shingles:
    """64-bit hashes of the text's shingles (one shingle of all words when there are fewer),
    sorted, each once."""
    if len(_WORD_HASHES) > WORDS_KEPT:
        _WORD_HASHES.clear()
    hashes = np.fromiter(map(_WORD_HASHES.__getitem__, words(text)), dtype=np.uint64)
    if len(hashes) < SHINGLE_WORDS:
        hashes = np.concatenate([hashes, np.zeros(SHINGLE_WORDS - len(hashes), np.uint64)])
    count = len(hashes) - SHINGLE_WORDS + 1
    combined = np.zeros(count, dtype=np.uint64)
    for k in range(SHINGLE_WORDS):  # wraps modulo 2**64, as intended
        combined += hashes[k : k + count] * _WORD_WEIGHTS[k]
    combined.sort()  # numpy's `unique` hashes, far slower on an article's few hundred
    once: Shingles = combined[np.concatenate([[True], combined[1:] != combined[:-1]])]
    return once


def minhash(shingles: npt.NDArray[np.uint64]) -> Signature:
    signature = np.empty(NUM_PERM, dtype=np.uint32)
    for start in range(0, len(shingles), 2048):  # bounded memory on very long articles
        block = shingles[start : start + 2048]
        values = (_MULTIPLIERS[:, None] * block[None, :] + _OFFSETS[:, None]) >> np.uint64(32)
        lowest = values.min(axis=1).astype(np.uint32)
        signature = lowest if start == 0 else np.minimum(signature, lowest)
    return signature


def to_blob(signature: Signature) -> bytes:
    return signature.astype("<u4").tobytes()


def from_blob(blob: bytes) -> Signature:
    return np.frombuffer(blob, dtype="<u4").astype(np.uint32)


def sign(text: str) -> Signed:
    """The stored form: NUM_PERM little-endian 32-bit minima, and how many shingles."""
    return sign_shingles(shingle_hashes(text))


def sign_shingles(shingles: Shingles) -> Signed:
    return Signed(to_blob(minhash(shingles)), len(shingles))


def marks(shingles: Shingles) -> list[int]:
    """The shingles below 2**(64 - MARK_BITS): positive, so SQLite's INTEGER keeps them."""
    return [int(mark) for mark in shingles[shingles >> np.uint64(64 - MARK_BITS) == 0]]


def containment(a: Shingles, b: Shingles) -> float:
    """The share of the shorter article's shingles that the longer holds, exactly; 0 when they
    share fewer than CONTAINED_SHINGLES (one short sentence in common is no copy)."""
    shared = len(np.intersect1d(a, b, assume_unique=True))
    return shared / min(len(a), len(b)) if shared >= CONTAINED_SHINGLES else 0.0


def band_keys(blob: bytes) -> list[int]:
    """One signed 64-bit key per band (SQLite's INTEGER), salted by the band's number."""
    return [int(key) for key in bands_of(from_blob(blob)[None, :])[0]]


def bands_of(signatures: npt.NDArray[np.uint32]) -> npt.NDArray[np.int64]:
    """The band keys of signatures, one a row: [articles, BANDS]."""
    rows = signatures[:, : BANDS * BAND_ROWS].astype(np.uint64).reshape(-1, BANDS, BAND_ROWS)
    keys: npt.NDArray[np.uint64] = rows[:, :, 0] * _BAND_WEIGHTS[0]  # wraps modulo 2**64
    for k in range(1, BAND_ROWS):  # a sum term by term: numpy's sum on an axis is slower
        keys += rows[:, :, k] * _BAND_WEIGHTS[k]
    keys += _BAND_SALTS
    return keys.view(np.int64)


# --- seals: what `corpus check` compares instead of signing every body again ------------------


class Seals(NamedTuple):
    """Digests stored with a signature: of the scheme's version and the body (`text`), and of
    that and the signature (`signature`), and of that and the marks (`marks`)."""

    text: bytes
    signature: bytes
    marks: bytes


def text_digest(body: str) -> bytes:
    return _digest(SCHEME.to_bytes(4, "little"), body.encode())


def seals(text: bytes, signed: Signed, marks: npt.NDArray[np.int64] | list[int]) -> Seals:
    """The seals of a signature and marks computed from a body of this text digest."""
    return Seals(
        text,
        _digest(text, signed.minhash, signed.shingles.to_bytes(8, "little", signed=True)),
        _digest(text, np.asarray(marks, dtype="<i8").tobytes()),
    )


def _digest(*parts: bytes) -> bytes:
    digest = hashlib.blake2b(digest_size=16)
    for part in parts:
        digest.update(len(part).to_bytes(8, "little"))
        digest.update(part)
    return digest.digest()
