"""The checks of what is derived from the rows and kept beside them: the aggregate counts,
the entities' names chosen from their forms, and the near-duplicate signatures, pairs and
clusters; and the repair of the first two."""

from __future__ import annotations

import shlex
from collections.abc import Iterator

from corpus import aggregates, naming
from corpus.check.core import Problem, Status
from corpus.loader import printable
from corpus.store import Store

REPAIR_COMMAND = "corpus check --repair --db {db}"


def aggregate_counts(store: Store, status: Status) -> Iterator[Problem]:
    """Every count kept at write time against a recount from the rows (`recount`)."""
    from corpus.recount import differences  # numpy: only when checking

    for found in differences(store.conn, status):
        yield Problem(
            "aggregate",
            "store",
            f"{found.table} differs from the rows in {found.rows} "
            f"row{'s' * (found.rows != 1)} (first {found.first}: {found.stored} stored, "
            f"{found.counted} counted); recount them: {REPAIR_COMMAND.format(db=_quoted(store))}",
        )


def names(store: Store) -> Iterator[Problem]:
    """Every entity's stored name against the one its counted forms choose (`naming`)."""
    if wrong := naming.stale(store.conn):
        first, stored, chosen = wrong[0]
        yield Problem(
            "aggregate",
            "store",
            f"{len(wrong)} entity name{'s' * (len(wrong) != 1)} not chosen from their forms "
            f"(first {first}: {stored!r} stored, {chosen!r} chosen); rename them: "
            f"{REPAIR_COMMAND.format(db=_quoted(store))}",
        )


def near_duplicates(store: Store) -> Iterator[Problem]:
    from corpus.dupes.verify import differences

    for subject, message in differences(store.conn):
        yield Problem("dupes", subject, message)


def repair(store: Store) -> None:
    """Recount the aggregates from the rows and rename the entities from them, in one
    transaction (the only things it changes)."""
    with store.transaction() as conn:
        aggregates.rebuild(conn)
        naming.rename_all(conn)


def _quoted(store: Store) -> str:
    return shlex.quote(printable(store.path))
