"""The aggregate tables recounted from the rows in bulk, for `corpus check` (numpy).

`aggregates` counts a batch of articles as it writes them, one article at a time in Python;
this counts the whole store at once, to the same rules, with arrays: the rows are read (in the
caller's read transaction) as integers a whole article at a time (`grouped`), a mention's
label, entity and text as one string, coded, and every count is a sort or a bincount in C. A
mention belongs to the first sentence (by start) ending after its start, if that sentence
starts at or before it (`aggregates.sentence_sets`); pairs are of the entities an article
mentions with a label outside `aggregates.VALUE_LABELS` (`aggregates.actors`), and the table
holds those of `aggregates.kept`. Each table is compared with the stored one row by row,
entities by id: `differences` names each table that differs, in how many rows, and the first
of them.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

import numpy as np
import numpy.typing as npt

from corpus.aggregates import ENTITY_FACETS, FACETS, VALUE_LABELS, kept
from corpus.arrays import (
    Array,
    counted,
    distinct,
    joined,
    lexsorted,
    merged,
    pairs_within,
    within,
)
from corpus.grouped import per_article, placed, scanned

Status = Callable[[str], None]
FETCH = 50_000  # forms read at a time
BLOCK = 10_000  # articles whose pairs are counted at a time (bounds the memory of the pairs)


@dataclass(frozen=True)
class Difference:
    """A table that differs from the rows: in how many rows, the first (by key) and its
    values, stored and counted (None where the row is missing)."""

    table: str
    rows: int
    first: object
    stored: tuple[object, ...] | None
    counted: tuple[object, ...] | None


class Codes(dict[Any, int]):
    """Dense integer codes, in the order values are first seen."""

    def __missing__(self, value: Any) -> int:
        code = self[value] = len(self)
        return code

    def of(self, values: Iterable[Any]) -> Array:
        return np.fromiter(map(self.__getitem__, values), np.int64)

    def names(self) -> list[Any]:
        return list(self)


@dataclass(frozen=True)
class Table:
    """Rows of a table: each key as one number (unique), and its values (integers)."""

    keys: Array
    values: Array  # [rows, columns]


def differences(
    conn: sqlite3.Connection, status: Status = lambda text: None
) -> Iterator[Difference]:
    """Every aggregate table that differs from a recount of the rows, in the order of
    `aggregates.ALL_TABLES` reversed (as `aggregates.expected` gives them)."""
    rows = Rows.read(conn, status)
    yield from _compare_dicts("article_counts", rows.article_counts(), _stored_articles(conn))
    stored = Stored.read(conn, rows)
    e = max(len(rows.entities), 1)  # final: every stored entity has its code now
    names = rows.entities.names()
    labels = rows.labels.names()
    held, in_article = np.unique(rows.m_article * e + rows.m_entity, return_counts=True)
    members = rows.members(e)
    yield from _compare(
        "entity_counts",
        rows.entity_counts(conn, e, held, members),
        stored.entity_counts,
        lambda key: names[key],
        lambda values: (labels[values[0]], *values[1:]),
    )
    facet_values = rows.values.names()
    yield from _compare(
        "entity_facets",
        rows.entity_facets(e, held, in_article),
        stored.entity_facets(e),
        lambda key: (*facet_values[key // e], names[key % e]),
    )
    texts = Codes()
    counted, found = _aliases(rows.aliases.items(), texts), _aliases(stored.aliases, texts)
    t, text_names = max(len(texts), 1), texts.names()
    yield from _compare(
        "entity_aliases",
        Table(counted[:, 0] * t + counted[:, 1], counted[:, 2:]),
        Table(found[:, 0] * t + found[:, 1], found[:, 2:]),
        lambda key: (names[key // t], text_names[key % t]),
    )

    def pair(key: int) -> object:
        a, b = str(names[key // e]), str(names[key % e])
        return (a, b) if a < b else (b, a)

    yield from _compare(
        "pair_counts", rows.pair_counts(e, held, members, status), stored.pairs(e), pair
    )


# --- the rows --------------------------------------------------------------------------------


@dataclass
class Rows:
    """The article, mention and sentence rows as arrays, articles numbered in id order."""

    per_article: list[tuple[Any, ...]]  # (words, kind, source, date, lang), in id order
    values: Codes  # (facet, value) -> code
    facet_values: dict[str, Array]  # per entity facet: each article's value code (-1: none)
    entities: Codes  # entity id -> code
    labels: Codes
    aliases: Counter[tuple[int, str]]  # (entity code, text) -> mentions
    m_article: Array  # per mention, in (article, start) order
    m_start: Array
    m_entity: Array
    m_label: Array
    s_article: Array  # per sentence, in (article, start) order
    s_start: Array
    s_end: Array

    @classmethod
    def read(cls, conn: sqlite3.Connection, status: Status) -> Rows:
        articles = conn.execute(f"SELECT id, words, {', '.join(FACETS)} FROM articles ORDER BY id")
        per_article = [tuple(row) for row in articles]
        number = _Numbers({str(row[0]): n for n, row in enumerate(per_article)})
        values = Codes()
        facet_values = {
            facet: np.array(
                [
                    values[facet, v] if (v := row[2 + FACETS.index(facet)]) else -1
                    for row in per_article
                ],
                dtype=np.int64,
            )
            for facet in ENTITY_FACETS
        }
        entities, labels = Codes(), Codes()
        m_article, m_start, m_form, parts = _mentions(conn, number, status)
        form_label = np.array([labels[label] for label, _, _ in parts], np.int64)
        form_entity = np.array([entities[entity] for _, entity, _ in parts], np.int64)
        m_entity, m_label = form_entity[m_form], form_label[m_form]
        s_article, s_start, s_end = _sentences(conn, number)
        per_form = np.bincount(m_form, minlength=len(parts)).tolist()
        aliases: Counter[tuple[int, str]] = Counter()  # forms of one alias differ by label
        for (_, entity, text), n in zip(parts, per_form, strict=True):
            if n:
                aliases[entities[entity], text] += n
        return cls(
            [row[1:] for row in per_article],
            values,
            facet_values,
            entities,
            labels,
            aliases,
            m_article,
            m_start,
            m_entity,
            m_label,
            s_article,
            s_start,
            s_end,
        )

    def article_counts(self) -> dict[object, tuple[int, ...]]:
        n = len(self.per_article)
        sentences = np.bincount(self.s_article, minlength=n).tolist()
        mentions = np.bincount(self.m_article, minlength=n).tolist()
        counted: dict[object, list[int]] = {}
        for (words, *facets), s, m in zip(self.per_article, sentences, mentions, strict=True):
            for key in [("", ""), *zip(FACETS, (value or "" for value in facets), strict=True)]:
                counts = counted.setdefault(key, [0, 0, 0, 0])
                counts[0] += 1
                counts[1] += words
                counts[2] += s
                counts[3] += m
        return {key: tuple(c) for key, c in counted.items()}

    def sentence_of_mentions(self) -> Array:
        """Each mention's sentence (its place in the s_ arrays), -1 for none: the first
        sentence of its article, by start, that ends after the mention starts, if it starts
        at or before it. With the sentences' ends made their running maximum, the first to
        end after a point is found by a binary search."""
        n = len(self.s_start)
        if not n or not len(self.m_start):
            return np.full(len(self.m_start), -1, np.int64)
        offsets = [self.s_start, self.s_end, self.m_start]
        low = min(int(offset.min()) for offset in offsets)
        r = max(int(offset.max()) for offset in offsets) - low + 1
        if r * len(self.per_article) < 2**62:  # (article, offset) as one number: a * r + offset
            s_start, s_end, m_start = (offset - low for offset in offsets)
        else:  # offsets far apart become their ranks
            every = np.concatenate(offsets)
            ranks = np.unique(every, return_inverse=True)[1].reshape(-1).astype(np.int64)
            r = int(ranks.max()) + 1
            s_start, s_end, m_start = ranks[:n], ranks[n : 2 * n], ranks[2 * n :]
        ends = np.maximum.accumulate(self.s_article * r + s_end)
        found = np.searchsorted(ends, self.m_article * r + m_start, side="right")
        at = np.minimum(found, n - 1)
        inside = (found < n) & (self.s_article[at] == self.m_article) & (s_start[at] <= m_start)
        return np.where(inside, found, -1)

    def members(self, e: int) -> Array:
        """(sentence, entity) as sentence * e + entity, once each: the entities of each
        sentence (sorted by sentence, then entity)."""
        sentence = self.sentence_of_mentions()
        inside = sentence >= 0
        return distinct(sentence[inside] * e + self.m_entity[inside])

    def entity_counts(self, conn: sqlite3.Connection, e: int, held: Array, members: Array) -> Table:
        mentions = np.bincount(self.m_entity, minlength=e)
        articles = np.bincount(held % e, minlength=e)
        sentences = np.bincount(members % e, minlength=e)
        present = np.flatnonzero(mentions)
        # the label `entities` gives it, else the label of its first mention
        known = dict(conn.execute("SELECT id, label FROM entities"))
        names, labels = self.entities.names(), self.labels.names()
        first: dict[int, int] = {}
        if unlabelled := [code for code in present.tolist() if not known.get(names[code])]:
            theirs = within(self.m_entity, np.array(unlabelled, np.int64))  # sorted, each once
            seen, at = np.unique(self.m_entity[theirs], return_index=True)
            first = dict(zip(seen.tolist(), self.m_label[theirs][at].tolist(), strict=True))
        label = np.array(
            [
                self.labels[known.get(names[code]) or labels[first[code]]]
                for code in present.tolist()
            ],
            dtype=np.int64,
        )
        columns = [label, mentions[present], articles[present], sentences[present]]
        return Table(present, np.stack(columns, axis=1))

    def entity_facets(self, e: int, held: Array, in_article: Array) -> Table:
        article, entity = held // e, held % e
        keys, weights = [], []
        for facet in ENTITY_FACETS:
            value = self.facet_values[facet][article]
            has = value >= 0
            keys.append(value[has] * e + entity[has])
            weights.append(in_article[has])
        key, inverse = np.unique(joined(keys), return_inverse=True)
        inverse = inverse.reshape(-1)
        mentions = np.bincount(inverse, weights=joined(weights), minlength=len(key))
        articles = np.bincount(inverse, minlength=len(key))
        return Table(key, np.stack([mentions.astype(np.int64), articles], axis=1))

    def pair_counts(self, e: int, held: Array, members: Array, status: Status) -> Table:
        """(a, b) as a * e + b, a < b by code -> (sentences, articles) holding both: the pairs
        of each article's actors, and of each sentence's entities that are actors of its
        article; counted a block of articles at a time."""
        values = distinct(np.array([self.labels[label] for label in VALUE_LABELS], np.int64))
        actor = ~within(self.m_label, values)
        actors = distinct(self.m_article[actor] * e + self.m_entity[actor])  # (article, entity)
        member_article = self.s_article[members // e]
        chosen = within(member_article * e + members % e, actors)
        member_article, members = member_article[chosen], members[chosen]
        n = len(self.per_article)
        article_parts, sentence_parts = [], []
        for low in range(0, n, BLOCK):
            status(f"pairs counted in {low:,} of {n:,} articles")
            a, b = np.searchsorted(actors, [low * e, (low + BLOCK) * e])
            article_parts.append(counted(pairs_within(actors[a:b] // e, actors[a:b] % e, e)))
            a, b = np.searchsorted(member_article, [low, low + BLOCK])
            sentence_parts.append(counted(pairs_within(members[a:b] // e, members[a:b] % e, e)))
        keys, in_articles = merged(article_parts)
        sentence_keys, in_sentences = merged(sentence_parts)
        sentences = np.zeros(len(keys), np.int64)
        sentences[np.searchsorted(keys, sentence_keys)] = in_sentences
        entity_articles = np.bincount(held % e, minlength=e)  # the table keeps `kept` pairs
        keep = kept(sentences, entity_articles[keys // e], entity_articles[keys % e])
        return Table(keys[keep], np.stack([sentences, in_articles], axis=1)[keep])


def _mentions(
    conn: sqlite3.Connection, number: _Numbers, status: Status
) -> tuple[Array, Array, Array, list[tuple[str, str, str]]]:
    """Each mention's article, start and form code, in (article, start) order, and the forms
    (label, entity id, text): the article, start and rowid of each from the key's index, its
    form in rowid order (a table scan); a mention of no article is left to the check of
    references."""
    mentions = per_article(conn, "mentions", ["rowid", "start"])
    article = mentions.owners(_numbers(number, mentions.ids))
    rowid, start = mentions.columns
    by_rowid, parts = _forms(
        conn, lambda done: status(f"{done:,} of {len(article):,} mentions read")
    )
    form = by_rowid[_places(rowid)]
    article, start, form = _ordered(article >= 0, [article, start, form], [1, 0])
    return article, start, form, parts


def _places(rowid: Array) -> Array:
    """Each rowid's place in rowid order: its distance from the least when they are
    consecutive (n distinct rowids that span n), else found by a binary search."""
    if not len(rowid):
        return rowid
    low = int(rowid.min())
    if int(rowid.max()) - low + 1 == len(rowid):
        return rowid - low
    return np.searchsorted(np.sort(rowid), rowid)


def _forms(
    conn: sqlite3.Connection, done: Callable[[int], None]
) -> tuple[Array, list[tuple[str, str, str]]]:
    """Each mention's form code, in rowid order, and the forms' (label, entity id, text).
    A form is read as the bytes of "label<US>entity<US>text" (US: the unit separator; bytes,
    so that only the distinct forms are decoded), taken apart at its two separators; if one
    has more, all are read again as "5,8,LABELentityidtext", lengths first (exact for any
    text, and far slower for SQLite to make)."""
    parsers: tuple[tuple[str, Callable[[Any], tuple[str, str, str] | None]], ...] = (
        (f"CAST(label || {_US} || entity_id || {_US} || text AS BLOB)", _separated),
        ("length(label) || ',' || length(entity_id) || ',' || label || entity_id || text", _form),
    )
    for expression, parsed in parsers:
        forms, coded = Codes(), list[Array]()
        cursor = conn.execute(f"SELECT {expression} FROM mentions ORDER BY rowid")
        while chunk := cursor.fetchmany(FETCH):
            done(FETCH * len(coded))
            coded.append(forms.of(map(itemgetter(0), chunk)))
        codes = joined(coded)
        parts = [parsed(form) for form in forms]
        if None not in parts:
            break
    return codes, [part for part in parts if part is not None]


_US = "char(31)"


def _separated(form: bytes) -> tuple[str, str, str] | None:
    """A mention's (label, entity id, text) from the UTF-8 of "LABEL<US>entityid<US>text",
    None when it has more separators (one of them may be the label's or the entity id's)."""
    if form.count(b"\x1f") != 2:
        return None
    label, entity, text = form.decode().split("\x1f")
    return label, entity, text


def _form(form: str) -> tuple[str, str, str]:
    """A mention's (label, entity id, text) from its form: "5,8,LABELentityidtext"."""
    label, entity, rest = form.split(",", 2)
    a, b = int(label), int(entity)
    return rest[:a], rest[a : a + b], rest[a + b :]


def _sentences(conn: sqlite3.Connection, number: _Numbers) -> tuple[Array, Array, Array]:
    """Each sentence's article, start and end, in (article, start, idx) order (a sentence of
    no article left out): the article, rowid and idx of each from the key's index, its start
    and end by a scan of the table."""
    sentences = per_article(conn, "sentences", ["rowid", "idx"])
    article = sentences.owners(_numbers(number, sentences.ids))
    rowid, idx = sentences.columns
    scan, (starts, ends) = scanned(conn, "sentences", ["start", "end"])
    at = placed(rowid, scan)
    start, end = starts[at], ends[at]
    article, start, end, _ = _ordered(article >= 0, [article, start, end, idx], [3, 1, 0])
    return article, start, end


def _ordered(kept: npt.NDArray[np.bool_], columns: list[Array], keys: list[int]) -> list[Array]:
    """The rows kept, sorted by the columns numbered in `keys` (the last first)."""
    if not kept.all():
        columns = [column[kept] for column in columns]
    order = lexsorted([columns[key] for key in keys])
    return columns if order is None else [column[order] for column in columns]


class _Numbers(dict[str, int]):
    """Each article id's number; -1 for an id of no article."""

    def __missing__(self, id_: str) -> int:
        return -1


def _numbers(number: _Numbers, ids: list[str]) -> Array:
    return np.fromiter(map(number.__getitem__, ids), np.int64, len(ids))


# --- the stored tables -------------------------------------------------------------------------


@dataclass
class Stored:
    """The stored tables of entities, entities in the codes of the rows: a key of no
    `entity_counts` row is named by the key."""

    entity_counts: Table
    facet_rows: Array  # [rows, 4]: value code, entity code, mentions, articles
    aliases: list[tuple[tuple[int, str], int]]
    pair_rows: Array  # [rows, 4]: a, b (codes), sentences, articles

    @classmethod
    def read(cls, conn: sqlite3.Connection, rows: Rows) -> Stored:
        counts = conn.execute(
            "SELECT key, entity_id, label, mentions, articles, sentences FROM entity_counts"
        ).fetchall()
        code_of = {key: rows.entities[str(id_)] for key, id_, *_ in counts}

        def entity(key: int) -> int:
            return code_of[key] if key in code_of else rows.entities[key]

        entity_counts = Table(
            np.array([code_of[row[0]] for row in counts], np.int64),
            np.array([(rows.labels[row[2]], *row[3:]) for row in counts], np.int64).reshape(-1, 4),
        )
        facet_rows = np.array(
            [
                (rows.values[f, v], entity(k), m, a)
                for f, v, k, m, a in conn.execute("SELECT * FROM entity_facets")
            ],
            np.int64,
        ).reshape(-1, 4)
        aliases = [
            ((entity(k), text), n)
            for k, text, n in conn.execute("SELECT entity, text, mentions FROM entity_aliases")
        ]
        pairs = np.array(
            conn.execute("SELECT a, b, sentences, articles FROM pair_counts").fetchall(), np.int64
        ).reshape(-1, 4)
        keys, inverse = np.unique(pairs[:, :2], return_inverse=True)
        codes = np.array([entity(k) for k in keys.tolist()], np.int64)
        pairs[:, :2] = codes[inverse.reshape(-1)].reshape(-1, 2)
        return cls(entity_counts, facet_rows, aliases, pairs)

    def entity_facets(self, e: int) -> Table:
        return Table(self.facet_rows[:, 0] * e + self.facet_rows[:, 1], self.facet_rows[:, 2:])

    def pairs(self, e: int) -> Table:
        a, b = self.pair_rows[:, 0], self.pair_rows[:, 1]
        return Table(np.minimum(a, b) * e + np.maximum(a, b), self.pair_rows[:, 2:])


def _stored_articles(conn: sqlite3.Connection) -> dict[object, tuple[int, ...]]:
    return {(f, v): tuple(rest) for f, v, *rest in conn.execute("SELECT * FROM article_counts")}


def _aliases(rows: Iterable[tuple[tuple[int, str], int]], texts: Codes) -> Array:
    """[rows, 3]: entity code, text code, mentions."""
    return np.array([(entity, texts[text], n) for (entity, text), n in rows], np.int64).reshape(
        -1, 3
    )


# --- counting --------------------------------------------------------------------------------


# --- comparing -------------------------------------------------------------------------------


def _compare(
    table: str,
    counted: Table,
    stored: Table,
    key: Callable[[int], object],
    values: Callable[[list[int]], tuple[object, ...]] = tuple,
) -> Iterator[Difference]:
    """The rows that differ: missing on either side, with other values, or stored twice."""
    keys, first, times = np.unique(stored.keys, return_index=True, return_counts=True)
    every = distinct(np.concatenate([counted.keys, keys]))
    order = np.argsort(counted.keys)
    counted_keys = counted.keys[order]
    c = np.minimum(np.searchsorted(counted_keys, every), max(len(counted_keys) - 1, 0))
    s = np.minimum(np.searchsorted(keys, every), max(len(keys) - 1, 0))
    in_counted = (
        (c < len(counted_keys)) & (counted_keys[c] == every)
        if len(counted_keys)
        else np.zeros(len(every), bool)
    )
    in_stored = (keys[s] == every) if len(keys) else np.zeros(len(every), bool)
    same = in_counted & in_stored
    if len(counted_keys) and len(keys):
        counted_values = counted.values[order][c]
        stored_values = stored.values[first[s]]
        same &= (times[s] == 1) & (counted_values == stored_values).all(axis=1)
    wrong = np.flatnonzero(~same)
    if not len(wrong):
        return
    shown = min(wrong.tolist(), key=lambda i: str(key(int(every[i]))))
    yield Difference(
        table,
        len(wrong),
        key(int(every[shown])),
        values(stored.values[first[s[shown]]].tolist()) if in_stored[shown] else None,
        values(counted.values[order][c[shown]].tolist()) if in_counted[shown] else None,
    )


def _compare_dicts(
    table: str, counted: dict[object, tuple[int, ...]], stored: dict[object, tuple[int, ...]]
) -> Iterator[Difference]:
    wrong = sorted(
        (k for k in counted.keys() | stored.keys() if counted.get(k) != stored.get(k)), key=str
    )
    if wrong:
        yield Difference(table, len(wrong), wrong[0], stored.get(wrong[0]), counted.get(wrong[0]))
