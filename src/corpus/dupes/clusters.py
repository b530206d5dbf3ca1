"""What a cluster is, in pure Python (no numpy: read commands use it too).

A cluster is a connected component of the articles joined by pairs at or above the threshold
(or with the shorter almost whole in the longer);
its representative is the earliest by ISO date, else the longest (then the smallest id, so that
the choice never depends on the order articles were ingested).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, overload

from corpus.dupes import CONTAINED, MARK_BITS, MARKS_SHARED, NUM_PERM, PAIR_FLOOR

if TYPE_CHECKING:  # numpy only for the type of `promising` of arrays
    import numpy as np
    import numpy.typing as npt

    Counts = npt.NDArray[np.int64]
    Flags = npt.NDArray[np.bool_]

ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")

Member = tuple[str, str | None, int]  # article id, date, words


def similarity(a: bytes, b: bytes) -> float:
    """Estimated Jaccard similarity: the fraction of equal positions of two signatures."""
    pairs = zip(memoryview(a).cast("I"), memoryview(b).cast("I"), strict=True)
    return sum(x == y for x, y in pairs) / NUM_PERM


@overload
def promising(shared_marks: int, shorter: int) -> bool: ...
@overload
def promising(shared_marks: Counts, shorter: Counts) -> Flags: ...
def promising(shared_marks: int | Counts, shorter: int | Counts) -> bool | Flags:
    """Whether two articles sharing this many marks (one or more) are worth checking exactly:
    MARKS_SHARED of the marks the shorter (of this many shingles) is expected to have (one
    shingle in 2**MARK_BITS); of numbers, or of arrays of them (`verify`). `index._pair` asks
    the same in SQL."""
    found: bool | Flags = shared_marks >= MARKS_SHARED / 2**MARK_BITS * shorter
    return found


def kept(similarity: float, contained: float) -> bool:
    """Whether a candidate pair is kept (`dupes --threshold` goes down to PAIR_FLOOR)."""
    return similarity >= PAIR_FLOOR or contained >= CONTAINED


def joins(similarity: float, contained: float, threshold: float) -> bool:
    """Whether a stored pair joins one cluster."""
    return similarity >= threshold or contained >= CONTAINED


def components(nodes: Iterable[str], edges: Iterable[tuple[str, str]]) -> list[set[str]]:
    """The connected components of two or more nodes (union-find)."""
    parent: dict[str, str] = {node: node for node in nodes}

    def root(node: str) -> str:
        while (up := parent[node]) != node:
            parent[node] = parent[up]
            node = up
        return node

    for a, b in edges:
        parent.setdefault(a, a)
        parent.setdefault(b, b)
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    groups: dict[str, set[str]] = {}
    for node in parent:
        groups.setdefault(root(node), set()).add(node)
    return [group for group in groups.values() if len(group) > 1]


def representative(members: Iterable[Member]) -> str:
    def key(member: Member) -> tuple[int, str, int, str]:
        id_, date, words = member
        dated = date is not None and ISO_DATE.match(date) is not None
        return (0 if dated else 1, date if dated and date else "", -words, id_)

    return min(members, key=key)[0]
