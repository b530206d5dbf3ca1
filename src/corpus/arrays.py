"""Array helpers of the bulk checks (`recount`, `dupes.verify`): sets and counts of integer
keys by sorting, in C."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

Array = npt.NDArray[np.int64]


def pairs_within(groups: Array, members: Array, e: int) -> Array:
    """Every pair of members of one group, as a * e + b (a < b), of rows sorted by group,
    then member, each once: the rows d apart, for d = 1, 2, ... while any group has them."""
    found = []
    at = np.arange(len(groups) - 1)
    d = 1
    while len(at):
        at = at[groups[at + d] == groups[at]]
        found.append(members[at] * e + members[at + d])
        d += 1
        at = at[at + d < len(groups)]
    return joined(found)


def distinct(keys: Array) -> Array:
    """The keys sorted, each once (numpy's `unique` without counts hashes, far slower on
    millions of keys)."""
    ordered = np.sort(keys)
    return ordered[np.concatenate([[True], ordered[1:] != ordered[:-1]])] if len(keys) else ordered


def within(keys: Array, distinct: Array) -> Array:
    """Whether each key is one of `distinct` (sorted, each once)."""
    if not len(distinct):
        return np.zeros(len(keys), bool)
    at = np.minimum(np.searchsorted(distinct, keys), len(distinct) - 1)
    return np.asarray(distinct[at] == keys)


def counted(keys: Array) -> tuple[Array, Array]:
    """The keys sorted, each once, and how many times each occurs."""
    unique, counts = np.unique(keys, return_counts=True)
    return unique, counts.astype(np.int64)


def merged(parts: Sequence[tuple[Array, Array]]) -> tuple[Array, Array]:
    """The counts of several blocks (each its keys sorted, each once), added by key: the keys
    sorted by a stable sort (timsort, which merges the sorted runs) and the counts of equal
    keys summed, with no inverse of numpy's `unique` to make."""
    if len(parts) == 1:
        return parts[0]
    keys, counts = joined([k for k, _ in parts]), joined([c for _, c in parts])
    if not len(keys):
        return keys, counts
    order = np.argsort(keys, kind="stable")
    keys = keys[order]
    first = np.flatnonzero(np.concatenate([[True], keys[1:] != keys[:-1]]))
    return keys[first], np.add.reduceat(counts[order], first)


def lexsorted(keys: Sequence[Array]) -> Array | None:
    """`np.lexsort`'s order of rows (the last key first), or None when the rows are in it
    already (as SQLite often gives them): a pass to check is far cheaper than a sort."""
    if len(keys[0]) < 2:
        return None
    after = np.ones(len(keys[0]) - 1, bool)  # whether each row is at or after the one before
    for key in keys:  # the first key the least significant
        before, next_ = key[:-1], key[1:]
        after = (next_ > before) | ((next_ == before) & after)
    return None if after.all() else np.lexsort(keys)


def joined(arrays: Sequence[Array]) -> Array:
    return np.concatenate(arrays) if len(arrays) else np.zeros(0, np.int64)
