"""An ordered, bounded process pool for tagging on several cores.

Workers are forked after the model is loaded, so each inherits it instead of loading its own,
and each runs the whole per-article job (spaCy, entity extraction, sentence ranking) on a chunk,
returning small records. The parent only reads files and writes the store. This beats spaCy's
`n_process`, whose workers send every Doc back for the parent to unpack and post-process alone.
"""

from __future__ import annotations

import itertools
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:  # the store and read commands use `chunked` without loading the pool
    from concurrent.futures import Future

T = TypeVar("T")
R = TypeVar("R")


def chunked(items: Iterable[T], size: int) -> Iterator[list[T]]:
    iterator = iter(items)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


def chunked_by_weight(
    items: Iterable[T], size: int, budget: int, weight: Callable[[T], int]
) -> Iterator[list[T]]:
    """Chunks of at most `size` items weighing at most `budget` together (an item heavier
    than the budget alone makes a chunk of one), streamed, in order."""
    chunk: list[T] = []
    total = 0
    for item in items:
        heft = weight(item)
        if chunk and (len(chunk) >= size or total + heft > budget):
            yield chunk
            chunk, total = [], 0
        chunk.append(item)
        total += heft
    if chunk:
        yield chunk


def ordered_map(
    func: Callable[[list[T]], R], chunks: Iterable[list[T]], processes: int, in_flight: int = 0
) -> Iterator[R]:
    """func over chunks in forked worker processes; results in input order.

    At most `in_flight` chunks (default: two per process) are queued at once, so memory stays
    flat however long the input is. A worker that dies raises BrokenProcessPool here.
    """
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    limit = in_flight or 2 * processes
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=processes, mp_context=context) as pool:
        pending: deque[Future[R]] = deque()
        for chunk in chunks:
            pending.append(pool.submit(func, chunk))
            if len(pending) >= limit:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
