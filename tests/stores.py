"""Looking into store files from tests: their bytes' digest and every row of every table."""

from __future__ import annotations

import hashlib
import sqlite3
from collections import Counter
from contextlib import closing
from pathlib import Path

TABLES = (
    "files",
    "articles",
    "occurrences",
    "entities",
    "mentions",
    "sentences",
    "dupe_signatures",
    "dupe_bands",
    "dupe_marks",
    "dupe_pairs",
    "dupe_clusters",
)
# Rows of each table, as a multiset: compared with ==, contained with <=, iterated for its rows.
Dump = dict[str, Counter[tuple[object, ...]]]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def dump(db: Path) -> Dump:
    """Every row of every table, without ingestion times (opened read-only: changes nothing).

    Mentions carry the tagger's entity id: the merges across articles are made at the end of an
    ingest, from the whole corpus, so they are no part of what one article's rows must be.
    """
    with closing(sqlite3.connect(f"{db.as_uri()}?mode=ro", uri=True)) as conn:
        out: Dump = {}
        for table in TABLES:
            names = [r[1] for r in conn.execute(f"PRAGMA table_info({table})")]
            kept = [n for n in names if n not in {"ingested_at", "tagged_entity_id"}]
            if "tagged_entity_id" in names:
                kept[kept.index("entity_id")] = "coalesce(tagged_entity_id, entity_id)"
            out[table] = Counter(conn.execute(f"SELECT {', '.join(kept)} FROM {table}"))
        return out


# The columns the record formats' migration adds (record files: their records' own bytes).
RECORD_COLUMNS = {
    "files": ("format", "resume_at"),
    "occurrences": ("offset", "data", "sha256", "encoding"),
}


def drop_record_columns(conn: sqlite3.Connection) -> None:
    """Undo the record formats' migration and the later ones (merges), for a test that re-runs
    the migrations before them."""
    for table, columns in RECORD_COLUMNS.items():
        for column in columns:
            conn.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
    conn.execute("DROP INDEX mentions_tagged")
    conn.execute("ALTER TABLE mentions DROP COLUMN tagged_entity_id")
    conn.execute("DROP TABLE merges")
    conn.execute("DROP TABLE merges_pending")


def drop_cjk_index(conn: sqlite3.Connection) -> None:
    """Undo the CJK trigram index's migration, for a test that re-runs the migrations before."""
    for trigger in ("articles_cjk_insert", "articles_cjk_delete", "articles_cjk_update"):
        conn.execute(f"DROP TRIGGER {trigger}")
    conn.execute("DROP TABLE articles_cjk")
