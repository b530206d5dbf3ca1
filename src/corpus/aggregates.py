"""Counts kept at write time, so that read commands cost the same on any size of store.

Every write of articles, mentions or sentences (insert, replace, orphan delete, retag) runs
`account` inside its own transaction: `-1` with the rows of the articles about to change, `+1`
with their new rows. Nothing runs in the background, so the counts cannot drift; `recount`
computes them afresh from the rows (for the migration that creates them, `corpus check` and
its `--repair`).

- `article_counts`, a row per (facet, value): `('', '')` is the whole store, then each kind,
  source, date and language; articles, words, sentences, mentions.
- `entity_counts`, a row per entity (`key`, an integer the other tables use): its label,
  mentions, articles and sentences mentioning it.
- `entity_facets`, a row per (facet, value, entity) for each source, date and language (none
  for articles without one): mentions, articles.
- `entity_aliases`, a row per (entity, text): how often it is mentioned as written so (for the
  top aliases, and for finding an entity by any alias through an index).
- `pair_counts`, a row per (a, b), a < b by key, of entities found in one article: how many
  sentences and how many articles hold both (a pair of one sentence is a pair of its article,
  so both windows share the row). It keeps the pairs of entities each in two articles or more,
  and those two sentences or more hold (`kept`); a pair touching an entity of one article is
  that article's, counted from its rows when a reader reaches it (`kept_pairs`: most pairs are
  such). The indexes that rank pairs by a count hold only those seen more than once (`RANKED`),
  so that each pair costs the table and the index by `b` (for an entity's pairs), and a ranking
  that reaches the pairs seen once reads the table.

Pairs leave out the value labels (dates, amounts, numbers), as `cooccur` does by default; a
question about them reads the rows it selects instead. A filter no table covers (a language, a
date range, a merge of entities) reads the mentions of the articles it selects, by the
`mentions` primary key: `tally(conn, ids)` counts any set of articles exactly as stored here.
"""

from __future__ import annotations

import itertools
import sqlite3
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, overload

from corpus import kept_pairs, naming
from corpus.parallel import chunked

if TYPE_CHECKING:  # numpy only for the type of `kept` of arrays
    import numpy as np
    import numpy.typing as npt

    Counts = npt.NDArray[np.int64]
    Flags = npt.NDArray[np.bool_]

# Article columns counted per value, for the articles and for each entity. A new filter column
# is one more name here, and `rebuild` as the last step of the migration that adds it.
FACETS = ("kind", "source", "date", "lang")
ENTITY_FACETS = ("source", "date", "lang")
VALUE_LABELS = frozenset({"DATE", "TIME", "PERCENT", "MONEY", "QUANTITY", "ORDINAL", "CARDINAL"})
CHUNK = 500

TABLES = [
    """CREATE TABLE article_counts (
        facet TEXT NOT NULL,
        value TEXT NOT NULL,
        articles INTEGER NOT NULL,
        words INTEGER NOT NULL,
        sentences INTEGER NOT NULL,
        mentions INTEGER NOT NULL,
        PRIMARY KEY (facet, value)
    ) WITHOUT ROWID""",
    """CREATE TABLE entity_counts (
        key INTEGER PRIMARY KEY,
        entity_id TEXT NOT NULL UNIQUE,
        label TEXT NOT NULL,
        mentions INTEGER NOT NULL,
        articles INTEGER NOT NULL,
        sentences INTEGER NOT NULL
    )""",
    "CREATE INDEX entity_counts_rank ON entity_counts(mentions DESC, articles DESC)",
    "CREATE INDEX entity_counts_label ON entity_counts(label, mentions DESC, articles DESC)",
    """CREATE TABLE entity_facets (
        facet TEXT NOT NULL,
        value TEXT NOT NULL,
        entity INTEGER NOT NULL,
        mentions INTEGER NOT NULL,
        articles INTEGER NOT NULL,
        PRIMARY KEY (facet, value, entity)
    ) WITHOUT ROWID""",
    """CREATE TABLE pair_counts (
        unit INTEGER NOT NULL,
        a INTEGER NOT NULL,
        b INTEGER NOT NULL,
        count INTEGER NOT NULL,
        PRIMARY KEY (unit, a, b)
    ) WITHOUT ROWID""",
    "CREATE INDEX pair_counts_rank ON pair_counts(unit, count DESC)",
    "CREATE INDEX pair_counts_b ON pair_counts(unit, b)",
]  # as migration 4 made them; migration 13 replaces pair_counts with PAIR_TABLES
PAIR_WINDOWS = ("sentences", "articles")  # the count columns of pair_counts, by unit
RANKED = "{} > 1"  # the pairs the rank index of a window holds (a read names it literally)
PAIR_TABLES = [
    "DROP TABLE pair_counts",
    """CREATE TABLE pair_counts (
        a INTEGER NOT NULL,
        b INTEGER NOT NULL,
        sentences INTEGER NOT NULL,
        articles INTEGER NOT NULL,
        PRIMARY KEY (a, b)
    ) WITHOUT ROWID""",
    "CREATE INDEX pair_counts_b ON pair_counts(b)",
    *(
        f"CREATE INDEX pair_counts_{w} ON pair_counts({w} DESC) WHERE {RANKED.format(w)}"
        for w in PAIR_WINDOWS
    ),
]
ALIAS_TABLES = [
    """CREATE TABLE entity_aliases (
        entity INTEGER NOT NULL,
        text TEXT NOT NULL,
        mentions INTEGER NOT NULL,
        PRIMARY KEY (entity, text)
    ) WITHOUT ROWID""",
    "CREATE INDEX entity_aliases_text ON entity_aliases(text COLLATE NOCASE)",
]
KEPT_SQL = "({sentences} >= 2 OR ({a} >= 2 AND {b} >= 2))"  # `kept`, of columns named so


@overload
def kept(sentences: int, a_articles: int, b_articles: int) -> bool: ...
@overload
def kept(sentences: Counts, a_articles: Counts, b_articles: Counts) -> Flags: ...
def kept(
    sentences: int | Counts, a_articles: int | Counts, b_articles: int | Counts
) -> bool | Flags:
    """Whether `pair_counts` holds a pair seen in `sentences` sentences, of entities in
    `a_articles` and `b_articles` articles (the one statement of the rule; `KEPT_SQL` is the
    same in SQL), of numbers or of numpy arrays of them (`recount`, for every pair at once).
    Every pair counted twice or more in either window is kept."""
    found: bool | Flags = (sentences >= 2) | ((a_articles >= 2) & (b_articles >= 2))
    return found


_ARTICLES = "(SELECT articles FROM entity_counts WHERE key = pair_counts.{})"
LEAVE_OUT = "DELETE FROM pair_counts WHERE NOT " + KEPT_SQL.format(
    sentences="sentences", a=_ARTICLES.format("a"), b=_ARTICLES.format("b")
)  # migration 16: the pairs a store made before `kept` holds and leaves out now
ALL_TABLES = ("pair_counts", "entity_aliases", "entity_facets", "entity_counts", "article_counts")


@dataclass
class Tally:
    """What a set of articles adds to each table (entities by id, not yet by key)."""

    articles: dict[tuple[str, str], list[int]] = field(default_factory=lambda: defaultdict(_four))
    entities: dict[str, list[int]] = field(default_factory=lambda: defaultdict(_three))
    labels: dict[str, str] = field(default_factory=dict)
    facets: dict[tuple[str, str, str], list[int]] = field(default_factory=lambda: defaultdict(_two))
    aliases: Counter[tuple[str, str]] = field(default_factory=Counter)
    # Pairs by window, each a Counter updated from an iterator (counted in C: the pairs are
    # most of the work); every pair of a sentence is one of its article.
    sentence_pairs: Counter[tuple[str, str]] = field(default_factory=Counter)
    article_pairs: Counter[tuple[str, str]] = field(default_factory=Counter)

    @property
    def pairs(self) -> dict[tuple[str, str], tuple[int, int]]:
        """(a, b) -> (sentences, articles) holding both."""
        sentences = self.sentence_pairs
        return {pair: (sentences.get(pair, 0), n) for pair, n in self.article_pairs.items()}

    def add(
        self,
        values: dict[str, str | None],
        words: int,
        sentences: Sequence[tuple[int, int]],
        mentions: Sequence[tuple[int, str, str, str]],
    ) -> None:
        """One article: its facet values, words, sentence spans and (start, entity, label,
        text) mentions, both in offset order."""
        for key in [("", ""), *((f, values[f] or "") for f in FACETS)]:
            counts = self.articles[key]
            counts[0] += 1
            counts[1] += words
            counts[2] += len(sentences)
            counts[3] += len(mentions)
        entities = [mention[1] for mention in mentions]
        labels = [mention[2] for mention in mentions]
        per_entity = Counter(entities)
        self.aliases.update(zip(entities, [mention[3] for mention in mentions], strict=True))
        units = sentence_sets(sentences, mentions)
        in_sentences = Counter(itertools.chain.from_iterable(units))
        facet_values = [(facet, value) for facet in ENTITY_FACETS if (value := values[facet])]
        known = self.labels
        first = dict(zip(reversed(entities), reversed(labels), strict=True))  # first label
        for entity, n in per_entity.items():
            counts = self.entities[entity]
            counts[0] += n
            counts[1] += 1
            counts[2] += in_sentences.get(entity, 0)
            for facet, value in facet_values:
                facet_counts = self.facets[(facet, value, entity)]
                facet_counts[0] += n
                facet_counts[1] += 1
            if entity not in known:
                known[entity] = first[entity]
        found = actors(mentions)
        for unit in units:
            self.sentence_pairs.update(pairs_of(unit & found))
        self.article_pairs.update(pairs_of(found))


def _two() -> list[int]:
    return [0, 0]


def _three() -> list[int]:
    return [0, 0, 0]


def _four() -> list[int]:
    return [0, 0, 0, 0]


def pairs_of(ids: set[str]) -> Iterator[tuple[str, str]]:
    """The pairs (a < b by id) of a set of entities."""
    return itertools.combinations(sorted(ids), 2)


def actors(mentions: Iterable[Sequence[Any]]) -> set[str]:
    """The entities of (start, entity, label, ...) mentions that pairs are counted of: those
    mentioned with a label other than the value labels."""
    return {mention[1] for mention in mentions if mention[2] not in VALUE_LABELS}


def sentence_sets(
    sentences: Sequence[tuple[int, int]], mentions: Sequence[tuple[int, str, object, object]]
) -> list[set[str]]:
    """The entity ids of each sentence of one article that holds a mention: a mention belongs
    to the first sentence (by start) ending after its start, if that sentence starts at or
    before it (otherwise it falls between sentences and belongs to none)."""
    sets: dict[int, set[str]] = {}
    i = 0
    for start, entity, *_ in mentions:
        while i < len(sentences) and sentences[i][1] <= start:
            i += 1
        if i == len(sentences):
            break
        if sentences[i][0] <= start:
            sets.setdefault(i, set()).add(entity)
    return list(sets.values())


# --- reading the rows ------------------------------------------------------------------------


def tally(conn: sqlite3.Connection, ids: Iterable[str]) -> Tally:
    """The counts of these stored articles, from their rows."""
    result = Tally()
    for chunk in chunked(ids, CHUNK):
        marks = ",".join("?" * len(chunk))
        _tally_rows(
            result,
            conn.execute(
                f"SELECT id, words, {', '.join(FACETS)} FROM articles WHERE id IN ({marks})",
                chunk,
            ),
            conn.execute(
                f"SELECT article_id, start, end FROM sentences WHERE article_id IN ({marks}) "
                "ORDER BY article_id, start",
                chunk,
            ),
            conn.execute(
                f"SELECT article_id, start, entity_id, label, text FROM mentions "
                f"WHERE article_id IN ({marks}) ORDER BY article_id, start",
                chunk,
            ),
        )
    return result


def tally_all(conn: sqlite3.Connection, progress: Iterable[None] | None = None) -> Tally:
    """The counts of the whole store, streamed: each table is read once, in article order."""
    result = Tally()
    _tally_rows(
        result,
        conn.execute(f"SELECT id, words, {', '.join(FACETS)} FROM articles ORDER BY id"),
        conn.execute("SELECT article_id, start, end FROM sentences ORDER BY article_id, start"),
        conn.execute(
            "SELECT article_id, start, entity_id, label, text FROM mentions "
            "ORDER BY article_id, start"
        ),
        progress,
    )
    return result


def _tally_rows(
    result: Tally,
    articles: Iterable[Any],
    sentences: Iterable[Any],
    mentions: Iterable[Any],
    progress: Iterable[None] | None = None,
) -> None:
    """Merge three cursors ordered by article id (articles sorted the same way)."""
    ordered = sorted(articles, key=lambda row: str(row[0]))
    by_sentence = Grouped(sentences)
    by_mention = Grouped(mentions)
    ticks = iter(progress) if progress is not None else None
    for id_, words, *values in ordered:
        article = str(id_)
        spans = [(start, end) for _, start, end in by_sentence.take(article)]
        found = [row[1:] for row in by_mention.take(article)]
        result.add(dict(zip(FACETS, values, strict=True)), words, spans, found)
        if ticks is not None:
            next(ticks, None)


class Grouped:
    """Rows of a cursor ordered by their first column, taken one article at a time."""

    def __init__(self, rows: Iterable[Any]) -> None:
        self._rows = iter(rows)
        self._next = next(self._rows, None)

    def take(self, article: str) -> list[Any]:
        found = []
        while self._next is not None and self._next[0] <= article:
            if self._next[0] == article:
                found.append(self._next)
            self._next = next(self._rows, None)
        return found


# --- writing the tables ----------------------------------------------------------------------


def account(
    conn: sqlite3.Connection, ids: Sequence[str], sign: int, *, uncounted: Iterable[str] = ()
) -> None:
    """Add (`sign` 1) or take away (-1) what these stored articles count, from their rows;
    the entities they mention are renamed from their new counts (`naming`). `uncounted`:
    other articles already in the store that the tables do not count yet."""
    if ids:
        apply(conn, counts := tally(conn, ids), sign, outside={*ids, *uncounted})
        naming.rename(conn, counts.entities)


def apply(
    conn: sqlite3.Connection, counts: Tally, sign: int, outside: Collection[str] = ()
) -> None:
    """Add `sign` times a tally to the tables; rows that fall to zero are deleted. `outside`:
    the articles in the store that the tables do not count once this is added (the tally's,
    when taken away), for the pairs the table keeps (`kept_pairs.write`)."""
    conn.executemany(
        "INSERT INTO article_counts VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET "
        "articles = articles + excluded.articles, words = words + excluded.words, "
        "sentences = sentences + excluded.sentences, mentions = mentions + excluded.mentions",
        [(*key, *(sign * n for n in c)) for key, c in counts.articles.items()],
    )
    labels = _entity_labels(conn, counts.entities)
    conn.executemany(
        "INSERT INTO entity_counts (entity_id, label, mentions, articles, sentences) "
        "VALUES (?, ?, ?, ?, ?) ON CONFLICT (entity_id) DO UPDATE SET "
        "label = iif(excluded.mentions > 0, excluded.label, label), "
        "mentions = mentions + excluded.mentions, articles = articles + excluded.articles, "
        "sentences = sentences + excluded.sentences",
        [
            (entity, labels.get(entity) or counts.labels[entity], *(sign * n for n in c))
            for entity, c in counts.entities.items()
        ],
    )
    state = kept_pairs.entity_state(conn, counts.entities)
    keys = {entity: key for entity, (key, _) in state.items()}
    facets = [(f, v, keys[e], *(sign * n for n in c)) for (f, v, e), c in counts.facets.items()]
    conn.executemany(
        "INSERT INTO entity_facets VALUES (?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET "
        "mentions = mentions + excluded.mentions, articles = articles + excluded.articles",
        facets,
    )
    aliases = [(keys[e], text, sign * n) for (e, text), n in counts.aliases.items()]
    conn.executemany(
        "INSERT INTO entity_aliases VALUES (?, ?, ?) ON CONFLICT DO UPDATE SET "
        "mentions = mentions + excluded.mentions",
        aliases,
    )
    kept_pairs.write(conn, counts, state, sign, outside)
    if sign > 0:
        return  # only taking away brings a count to zero
    for sql, rows in (
        ("DELETE FROM article_counts WHERE facet = ? AND value = ?", list(counts.articles)),
        ("DELETE FROM entity_facets WHERE facet = ? AND value = ? AND entity = ?", facets),
        ("DELETE FROM entity_aliases WHERE entity = ? AND text = ?", aliases),
        ("DELETE FROM entity_counts WHERE key = ?", [(k,) for k in keys.values()]),
    ):
        keyed = [row[: sql.count("?")] for row in rows]
        column = "mentions" if "aliases" in sql else "articles"
        conn.executemany(f"{sql} AND {column} = 0", keyed)


def _entity_labels(conn: sqlite3.Connection, ids: Iterable[str]) -> dict[str, str]:
    """The label each entity has in `entities` (what `corpus entities` shows and filters by)."""
    found: dict[str, str] = {}
    for chunk in chunked(ids, CHUNK):
        marks = ",".join("?" * len(chunk))
        found.update(conn.execute(f"SELECT id, label FROM entities WHERE id IN ({marks})", chunk))
    return found


def rebuild(conn: sqlite3.Connection) -> None:
    """Recount every table from the rows (inside the caller's transaction)."""
    for table in ALL_TABLES:
        conn.execute(f"DELETE FROM {table}")
    apply(conn, tally_all(conn), 1)


# --- comparing with the rows -----------------------------------------------------------------


_ID = "coalesce({0}.entity_id, CAST(p.{0} AS TEXT))"  # a pair's entity, by id (else its key)


def stored(conn: sqlite3.Connection) -> dict[str, dict[object, tuple[object, ...]]]:
    """Every aggregate table as a dict, entities by id (the form `expected` gives)."""
    ids = dict(conn.execute("SELECT key, entity_id FROM entity_counts"))
    return {
        "article_counts": {
            (f, v): tuple(rest) for f, v, *rest in conn.execute("SELECT * FROM article_counts")
        },
        "entity_counts": {
            row[0]: tuple(row[1:])
            for row in conn.execute(
                "SELECT entity_id, label, mentions, articles, sentences FROM entity_counts"
            )
        },
        "entity_facets": {
            (f, v, ids.get(e, e)): (m, a)
            for f, v, e, m, a in conn.execute("SELECT * FROM entity_facets")
        },
        "entity_aliases": {
            (ids.get(e, e), text): (n,)
            for e, text, n in conn.execute("SELECT * FROM entity_aliases")
        },
        "pair_counts": {
            ((a, b) if a < b else (b, a)): (s, n)
            for a, b, s, n in conn.execute(
                f"SELECT {_ID.format('a')}, {_ID.format('b')}, p.sentences, p.articles "
                "FROM pair_counts p LEFT JOIN entity_counts a ON a.key = p.a "
                "LEFT JOIN entity_counts b ON b.key = p.b"
            )
        },
    }


def expected(
    conn: sqlite3.Connection, progress: Iterable[None] | None = None
) -> dict[str, dict[object, tuple[object, ...]]]:
    """What every aggregate table should hold, counted from the rows."""
    counts = tally_all(conn, progress)
    labels = _entity_labels(conn, counts.entities)
    return {
        "article_counts": {key: tuple(c) for key, c in counts.articles.items()},
        "entity_counts": {
            e: (labels.get(e) or counts.labels[e], *c) for e, c in counts.entities.items()
        },
        "entity_facets": {key: tuple(c) for key, c in counts.facets.items()},
        "entity_aliases": {key: (n,) for key, n in counts.aliases.items()},
        "pair_counts": {
            (a, b): (s, n)
            for (a, b), (s, n) in counts.pairs.items()
            if kept(s, counts.entities[a][1], counts.entities[b][1])
        },
    }
