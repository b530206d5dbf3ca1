"""Forward-only schema migrations, tracked by `PRAGMA user_version`.

Each migration is a list of SQL statements (or functions of the connection, for what SQL
alone cannot compute); migration N (1-based) brings the store to version N. Never edit a
released migration: append a new one.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from corpus import aggregates, merges, naming, stored_words
from corpus.dupes import index as dupes_index

Step = str | Callable[[sqlite3.Connection], None]

_CJK = "('ja', 'ko', 'zh')"  # the languages of the trigram index (migration 8)


def yearless_dates_in_one_form(conn: sqlite3.Connection) -> None:
    """Each stored date without a year as `normalise_date` now writes it; the articles whose
    date changes are taken out of the aggregate counts and counted again."""
    from corpus.loader.dates import normalise_date  # dateutil: only when upgrading

    iso = "[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]"
    rows = conn.execute(f"SELECT id, date FROM articles WHERE date NOT GLOB '{iso}'")  # not NULL
    changed = {id_: new for id_, date in rows if (new := normalise_date(date)) not in (None, date)}
    ids = sorted(changed)
    aggregates.account(conn, ids, -1)
    conn.executemany("UPDATE articles SET date = ? WHERE id = ?", [(changed[i], i) for i in ids])
    aggregates.account(conn, ids, 1)


def schema_version(conn: sqlite3.Connection) -> int:
    version: int = conn.execute("PRAGMA user_version").fetchone()[0]
    return version


def migrate(conn: sqlite3.Connection) -> None:
    """Apply pending migrations, all in one transaction (the connection is in autocommit mode)."""
    if schema_version(conn) >= SCHEMA_VERSION:
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        # Functions run once each, after every statement: they compute from today's code,
        # which may read columns that a later migration adds.
        late: list[Callable[[sqlite3.Connection], None]] = []
        # Re-read under the write lock: another process may have migrated meanwhile.
        for number in range(schema_version(conn) + 1, SCHEMA_VERSION + 1):
            for step in MIGRATIONS[number - 1]:
                if isinstance(step, str):
                    conn.execute(step)
                elif step not in late:
                    late.append(step)
            conn.execute(f"PRAGMA user_version = {number}")
        for function in late:
            function(conn)
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:  # SQLite may have rolled back already (e.g. a full disk)
            conn.execute("ROLLBACK")
        raise


MIGRATIONS: list[list[Step]] = [
    [
        """CREATE TABLE files (
            path TEXT PRIMARY KEY,
            size INTEGER NOT NULL,
            mtime_ns INTEGER NOT NULL,
            sha256 TEXT NOT NULL,
            encoding TEXT NOT NULL,
            raw BLOB NOT NULL,
            ingested_at TEXT NOT NULL
        )""",
        """CREATE TABLE articles (
            id TEXT PRIMARY KEY,
            kind TEXT NOT NULL,
            title TEXT,
            source TEXT,
            date TEXT,
            rights TEXT,
            body TEXT NOT NULL,
            words INTEGER NOT NULL,
            fingerprint TEXT NOT NULL,
            ingested_at TEXT NOT NULL
        )""",
        """CREATE TABLE occurrences (
            path TEXT NOT NULL REFERENCES files(path) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            article_id TEXT NOT NULL REFERENCES articles(id),
            raw TEXT NOT NULL,
            PRIMARY KEY (path, position)
        )""",
        "CREATE INDEX occurrences_article ON occurrences(article_id)",
        """CREATE TABLE entities (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            label TEXT NOT NULL,
            kind TEXT,
            country TEXT
        )""",
        """CREATE TABLE mentions (
            article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            start INTEGER NOT NULL,
            end INTEGER NOT NULL,
            text TEXT NOT NULL,
            label TEXT NOT NULL,
            entity_id TEXT NOT NULL,
            PRIMARY KEY (article_id, start)
        )""",
        "CREATE INDEX mentions_entity ON mentions(entity_id)",
        """CREATE TABLE sentences (
            article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            idx INTEGER NOT NULL,
            start INTEGER NOT NULL,
            end INTEGER NOT NULL,
            rank INTEGER,
            PRIMARY KEY (article_id, idx)
        )""",
        "CREATE INDEX articles_source ON articles(source)",
        "CREATE INDEX articles_kind ON articles(kind)",
    ],
    # 2: full-text search over titles and bodies (external content: the text is stored once, in
    # `articles`; triggers keep the index in step, and 'rebuild' indexes what is already stored).
    [
        """CREATE VIRTUAL TABLE articles_fts USING fts5(
            title, body,
            content = 'articles', content_rowid = 'rowid',
            tokenize = 'unicode61 remove_diacritics 2'
        )""",
        """CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN
            INSERT INTO articles_fts (rowid, title, body) VALUES (new.rowid, new.title, new.body);
        END""",
        """CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN
            INSERT INTO articles_fts (articles_fts, rowid, title, body)
            VALUES ('delete', old.rowid, old.title, old.body);
        END""",
        """CREATE TRIGGER articles_fts_update AFTER UPDATE OF title, body ON articles BEGIN
            INSERT INTO articles_fts (articles_fts, rowid, title, body)
            VALUES ('delete', old.rowid, old.title, old.body);
            INSERT INTO articles_fts (rowid, title, body) VALUES (new.rowid, new.title, new.body);
        END""",
        "INSERT INTO articles_fts (articles_fts) VALUES ('rebuild')",
    ],
    # 3: metadata that real-world layouts carry (bylines, datelines, header blocks, languages).
    [
        "ALTER TABLE articles ADD COLUMN author TEXT",
        "ALTER TABLE articles ADD COLUMN place TEXT",
        "ALTER TABLE articles ADD COLUMN url TEXT",
        "ALTER TABLE articles ADD COLUMN lang TEXT",
        "CREATE INDEX articles_date ON articles(date)",
        "CREATE INDEX articles_lang ON articles(lang)",
    ],
    # 4: the counts read commands answer from, kept by every write (`aggregates.py`), and
    # counted here from what is already stored.
    [*aggregates.TABLES, aggregates.rebuild],
    # 5: each entity's surface forms with their counts (top aliases; lookup by any alias).
    [*aggregates.ALIAS_TABLES, aggregates.rebuild],
    # 6: near-duplicates (src/corpus/dupes): each article's MinHash signature, its LSH band keys
    # (the index of candidates), the pairs at or above the floor, and the clusters; then the
    # articles already stored are signed and clustered. A cluster's representative is checked
    # at commit, when the clusters of a transaction's deletions have been recomputed.
    [
        """CREATE TABLE dupe_signatures (
            article_id TEXT PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
            minhash BLOB NOT NULL,
            shingles INTEGER NOT NULL
        ) WITHOUT ROWID""",
        """CREATE TABLE dupe_bands (
            key INTEGER NOT NULL,
            article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            PRIMARY KEY (key, article_id)
        ) WITHOUT ROWID""",
        "CREATE INDEX dupe_bands_article ON dupe_bands(article_id)",
        """CREATE TABLE dupe_pairs (
            a TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            b TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            similarity REAL NOT NULL,
            contained REAL NOT NULL,
            PRIMARY KEY (a, b),
            CHECK (a < b)
        ) WITHOUT ROWID""",
        "CREATE INDEX dupe_pairs_b ON dupe_pairs(b)",
        """CREATE TABLE dupe_clusters (
            article_id TEXT PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
            representative TEXT NOT NULL
                REFERENCES articles(id) DEFERRABLE INITIALLY DEFERRED,
            similarity REAL NOT NULL
        ) WITHOUT ROWID""",
        "CREATE INDEX dupe_clusters_representative ON dupe_clusters(representative)",
        dupes_index.sign_stored,
    ],
    # 7: record-based files (JSON Lines, CSV, WARC), streamed: such a file's `raw` is empty and
    # its `size` and `sha256` cover the bytes read so far, `resume_at` is the byte an appended
    # file is read on from; each record's own bytes, hash and offset are in its occurrence.
    [
        "ALTER TABLE files ADD COLUMN format TEXT",
        "ALTER TABLE files ADD COLUMN resume_at INTEGER",
        "ALTER TABLE occurrences ADD COLUMN offset INTEGER",
        "ALTER TABLE occurrences ADD COLUMN data BLOB",
        "ALTER TABLE occurrences ADD COLUMN sha256 TEXT",
        "ALTER TABLE occurrences ADD COLUMN encoding TEXT",
    ],
    # 8: a trigram index of the titles and bodies of Japanese, Korean and Chinese articles, for
    # substring search (`search_cjk.py`): contentless, kept by triggers, filled from the store.
    [
        """CREATE VIRTUAL TABLE articles_cjk USING fts5(
            title, body, content = '', tokenize = 'trigram'
        )""",
        f"""CREATE TRIGGER articles_cjk_insert AFTER INSERT ON articles
            WHEN new.lang IN {_CJK} BEGIN
            INSERT INTO articles_cjk (rowid, title, body) VALUES (new.rowid, new.title, new.body);
        END""",
        f"""CREATE TRIGGER articles_cjk_delete AFTER DELETE ON articles
            WHEN old.lang IN {_CJK} BEGIN
            INSERT INTO articles_cjk (articles_cjk, rowid, title, body)
            VALUES ('delete', old.rowid, old.title, old.body);
        END""",
        f"""CREATE TRIGGER articles_cjk_update AFTER UPDATE OF title, body, lang ON articles BEGIN
            INSERT INTO articles_cjk (articles_cjk, rowid, title, body)
            SELECT 'delete', old.rowid, old.title, old.body WHERE old.lang IN {_CJK};
            INSERT INTO articles_cjk (rowid, title, body)
            SELECT new.rowid, new.title, new.body WHERE new.lang IN {_CJK};
        END""",
        f"""INSERT INTO articles_cjk (rowid, title, body)
            SELECT rowid, title, body FROM articles WHERE lang IN {_CJK}""",
    ],
    # 9: merges of entities (`merges.py`): the tagger's own id of a merged mention, and the table
    # of merges, by hand and across articles.
    [*merges.MIGRATION],
    # 10: names people read (`naming.py`): each entity the tagger made is renamed from its
    # counted surface forms (until now it kept the smallest, "TOKYO").
    [naming.rename_all],
    # 11: what lists name of an article (title, source, date, words) in an index by id, so that
    # `corpus dupes` reads its clusters' members without reading article rows (bodies). IF NOT
    # EXISTS: a test that re-runs the migrations before it need not drop it first.
    ["CREATE INDEX IF NOT EXISTS articles_heading ON articles(id, title, source, date, words)"],
    # 12: names chosen again by today's rules (`naming.py`: value labels by frequency, acronyms
    # by frequency, no punctuation caught at a name's edges), which `corpus check` compares with.
    [naming.rename_all],
    # 13: one row per pair of entities for both windows (sentences, articles), ranked only
    # among the pairs seen more than once: a third of the bytes (`aggregates.py`); recounted.
    [*aggregates.PAIR_TABLES, aggregates.rebuild],
    # 14: near-duplicate marks (a sample of each article's shingles, `dupes/__init__.py`), which
    # find cut copies, and the share of one article in another counted exactly: every article
    # is indexed again from its body (the same function as migration 6: run once for both).
    [
        """CREATE TABLE IF NOT EXISTS dupe_marks (
            key INTEGER NOT NULL,
            article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            PRIMARY KEY (key, article_id)
        ) WITHOUT ROWID""",
        "CREATE INDEX IF NOT EXISTS dupe_marks_article ON dupe_marks(article_id)",
        *(
            f"DELETE FROM {table}"
            for table in (
                "dupe_clusters",
                "dupe_pairs",
                "dupe_marks",
                "dupe_bands",
                "dupe_signatures",
            )
        ),
        dupes_index.sign_stored,
    ],
    # 15: the fingerprints of the pipelines computed for one environment (`tagging.py`:
    # environment_key), so that a re-ingest of unchanged files reads no package metadata. IF
    # NOT EXISTS: a test re-runs the last migration.
    [
        """CREATE TABLE IF NOT EXISTS pipeline_fingerprints (
            key TEXT NOT NULL,
            pipeline TEXT NOT NULL,
            fingerprint TEXT NOT NULL,
            PRIMARY KEY (key, pipeline)
        ) WITHOUT ROWID""",
    ],
    # 16: pair_counts keeps only the pairs of `aggregates.kept`; a pair touching an entity of
    # one article is read from that article's rows (`kept_pairs`).
    [aggregates.LEAVE_OUT],
    # 17: each signature's seals (`dupes/signatures.py`: digests of the scheme's version and
    # the body, of the signature, of the marks), which `corpus check` compares instead of
    # signing every body again: the table is made again and every article signed again from
    # its body (the same function as migrations 6 and 14: run once for all).
    [
        "DROP TABLE IF EXISTS dupe_signatures",
        """CREATE TABLE dupe_signatures (
            article_id TEXT PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
            minhash BLOB NOT NULL,
            shingles INTEGER NOT NULL,
            text_digest BLOB NOT NULL,
            signature_seal BLOB NOT NULL,
            marks_seal BLOB NOT NULL
        ) WITHOUT ROWID""",
        *(
            f"DELETE FROM {table}"
            for table in ("dupe_clusters", "dupe_pairs", "dupe_marks", "dupe_bands")
        ),
        dupes_index.sign_stored,
    ],
    # 18: a date without a year in one form however it was written (`loader/dates.py`:
    # `March 2`, `MARCH 2`, `2 March` -> `Mar 02`), the counts by date kept exact.
    [yearless_dates_in_one_form],
    # 19: words counted as word processors count them (`wordcount.py`: each CJK ideograph and
    # kana a word; a Japanese article was a few "words"): the articles whose count changes,
    # with their aggregate counts and the representatives of their clusters (`stored_words`).
    [stored_words.recount],
]

SCHEMA_VERSION = len(MIGRATIONS)
