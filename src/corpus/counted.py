"""Answers read from the aggregate tables (`aggregates.py`): indexed top-N queries whose cost
does not grow with the number of articles. `queries.py` and `analysis/` use them whenever no
filter asks for something the tables do not count.
"""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from corpus import kept_pairs
from corpus.aggregates import RANKED, VALUE_LABELS
from corpus.labels import EVERY_LABEL, Labels
from corpus.parallel import chunked
from corpus.queries import Row, dict_rows
from corpus.scope import EVERYTHING, Scope
from corpus.store import Store

CHUNK = 500
# An entity's name; one without an `entities` row is named by its first alias.
NAME = "coalesce(e.name, (SELECT min(text) FROM entity_aliases WHERE entity = c.key))"
Ranked = list[tuple[int, float, str, str, float]]  # count, pmi, a, b, npmi; a < b by id
_RANK = "ORDER BY c.mentions DESC, c.articles DESC, name, id"  # the order of the entity table
_ENTITY = (
    f"SELECT c.key, c.entity_id AS id, {NAME} AS name, c.label, e.kind, "
    "e.country, c.mentions, c.articles FROM entity_counts c "
    "LEFT JOIN entities e ON e.id = c.entity_id "
)


def totals(store: Store, facet: str = "") -> dict[str, Row]:
    """value -> articles, words, sentences, mentions (for the whole store: the value '')."""
    rows = store.conn.execute(
        "SELECT value, articles, words, sentences, mentions FROM article_counts WHERE facet = ?",
        (facet,),
    )
    return {
        value: {"articles": a, "words": w, "sentences": s, "mentions": m}
        for value, a, w, s, m in rows
    }


def units(store: Store, unit: str, scope: Scope = EVERYTHING) -> int:
    """How many sentences (or articles) the store's articles in `scope` hold: the N of PMI.
    A date range, or `dedupe`, is counted from the rows."""
    if scope.dated or scope.dedupe:
        table, column = ("sentences", "article_id") if unit == "sentence" else ("articles", "id")
        condition, params = scope.condition(column)
        found: int = store.conn.execute(
            f"SELECT count(*) FROM {table} WHERE {condition}", params
        ).fetchone()[0]
        return found
    lang = scope.lang
    whole = totals(store, "lang" if lang else "").get(lang or "", {})
    return int(whole.get("sentences" if unit == "sentence" else "articles", 0))


def entity_page(
    store: Store,
    *,
    labels: Labels = EVERY_LABEL,
    min_count: int,
    top: int | None,
    aliases: int = 3,
) -> tuple[list[Row], int]:
    """The `top` entities by mentions (then articles, then name), and how many match."""
    texts = entity_json(store, labels=labels, min_count=min_count, top=top, aliases=aliases)
    rows = [json.loads(text) for text in texts]
    where, params = _entity_where(labels, min_count)
    total: int = store.conn.execute(
        f"SELECT count(*) FROM entity_counts c {where}", params
    ).fetchone()[0]
    return rows, total


def entity_json(
    store: Store,
    *,
    labels: Labels = EVERY_LABEL,
    min_count: int,
    top: int | None,
    aliases: int = 3,
) -> Iterator[str]:
    """The rows of `entity_page` with their top aliases, each as one JSON object that SQLite
    writes (text), streamed as read: a list of every entity costs no Python object per field."""
    where, params = _entity_where(labels, min_count)
    cursor = store.conn.execute(
        "SELECT json_object('id', id, 'name', name, 'label', label, 'kind', kind, 'country', "
        "country, 'mentions', mentions, 'articles', articles, 'aliases', json((SELECT "
        "json_group_array(text) FROM (SELECT text FROM entity_aliases WHERE entity = r.key "
        f"ORDER BY mentions DESC, text LIMIT ?)))) FROM ({_ENTITY}{where} {_RANK} LIMIT ?) r "
        f"{_RANK.replace('c.', '')}",
        [aliases, *params, -1 if top is None else top],
    )
    for (text,) in cursor:
        yield text


_NAMES_ONLY = " AND c.label NOT IN ({})".format(",".join(f"'{v}'" for v in sorted(VALUE_LABELS)))


def _entity_where(labels: Labels, min_count: int) -> tuple[str, list[object]]:
    # Two texts, so that each query uses its own index (by label, or by mentions alone).
    if labels.chosen:
        marks = ",".join("?" * len(labels.chosen))
        return f"WHERE c.label IN ({marks}) AND c.mentions >= ?", [*labels.chosen, min_count]
    names_only = "" if labels.all_labels else _NAMES_ONLY
    return f"WHERE c.mentions >= ?{names_only}", [min_count]


def entity_info(store: Store, ids: Iterable[str] | None = None) -> dict[str, Row]:
    """Entities with mentions (all, or these ids): id, name, label, mentions, articles."""
    columns = (
        f"SELECT c.entity_id AS id, {NAME} AS name, c.label, "
        "c.mentions, c.articles FROM entity_counts c LEFT JOIN entities e ON e.id = c.entity_id"
    )
    if ids is None:
        return {row["id"]: row for row in dict_rows(store.conn.execute(columns))}
    found: dict[str, Row] = {}
    for chunk in chunked(sorted(set(ids)), CHUNK):
        where = f" WHERE c.entity_id IN ({','.join('?' * len(chunk))})"
        found.update((r["id"], r) for r in dict_rows(store.conn.execute(columns + where, chunk)))
    return found


def unit_counts(store: Store, ids: Iterable[str], unit: str) -> dict[str, int]:
    """How many sentences (or articles) mention each of these entities."""
    column = "sentences" if unit == "sentence" else "articles"
    found: dict[str, int] = {}
    for chunk in chunked(sorted(ids), CHUNK):
        marks = ",".join("?" * len(chunk))
        found.update(
            store.conn.execute(
                f"SELECT entity_id, {column} FROM entity_counts WHERE entity_id IN ({marks})",
                chunk,
            )
        )
    return found


def ids_named(store: Store, variants: Sequence[str], level: int) -> list[str]:
    """Entities with mentions whose id (level 0), name (1) or any alias (2) is one of these
    texts, compared ignoring ASCII case: each an index lookup."""
    marks = ",".join("?" * len(variants))
    sql = (
        f"SELECT entity_id FROM entity_counts WHERE entity_id IN ({marks})",
        "SELECT c.entity_id FROM entities e JOIN entity_counts c ON c.entity_id = e.id "
        f"WHERE e.name COLLATE NOCASE IN ({marks})",
        "SELECT DISTINCT c.entity_id FROM entity_aliases a "
        f"JOIN entity_counts c ON c.key = a.entity WHERE a.text COLLATE NOCASE IN ({marks})",
    )[level]
    return [row[0] for row in store.conn.execute(sql, variants)]


def names_and_aliases(store: Store) -> Iterator[tuple[str, str, str]]:
    """(entity id, its name, one of its aliases) for every alias of every entity mentioned."""
    yield from store.conn.execute(
        f"SELECT c.entity_id, {NAME}, a.text FROM entity_counts c "
        "LEFT JOIN entities e ON e.id = c.entity_id JOIN entity_aliases a ON a.entity = c.key"
    )


# --- co-occurrence -----------------------------------------------------------------------------


def covers(labels: Sequence[str], all_labels: bool, focus_label: str | None) -> bool:
    """Whether the pair table answers this question: it leaves out the value labels."""
    if all_labels or (focus_label is not None and focus_label in VALUE_LABELS):
        return False
    return not any(label.upper() in VALUE_LABELS for label in labels)


def pairs(
    store: Store,
    *,
    unit: str,
    focus: str | None,
    labels: Sequence[str],
    min_count: int,
    top: int | None,
) -> tuple[int, Ranked, dict[str, int]]:
    """N, the ranked pairs as (count, pmi, a, b, npmi) with a < b by id, and each entity's
    unit count. Sorted by count, then PMI, then ids; only the first `top`."""
    n, found = ranked_pairs(store, unit=unit, focus=focus, labels=labels, min_count=min_count)
    ranked: Ranked = []
    frequency: dict[str, int] = {}
    for count, pmi, a, b, npmi, fa, fb in itertools.islice(found, top):
        ranked.append((count, pmi, a, b, npmi))
        frequency[a], frequency[b] = fa, fb
    return n, ranked, frequency


RankedPair = tuple[int, float, str, str, float, int, int]  # and each one's unit count


def ranked_pairs(
    store: Store, *, unit: str, focus: str | None, labels: Sequence[str], min_count: int
) -> tuple[int, Iterator[RankedPair]]:
    """N, and the pairs of `pairs` with each entity's unit count, streamed in their order:
    read by count, and each run of pairs of one count sorted by PMI, then ids (so that only
    one run is held, and the first `top` read only as far as the run of the last). The pairs
    seen once come last: those the table keeps, then those it leaves out (`kept_pairs`), read
    from the rows only when a reader reaches them."""
    n = units(store, unit)
    frequency_column = "sentences" if unit == "sentence" else "articles"
    chosen = sorted({label.upper() for label in labels})
    condition, params = "", []
    if chosen:
        marks = ",".join("?" * len(chosen))
        condition = (
            f" AND (ea.label IN ({marks}) OR ea.entity_id = ?)"
            f" AND (eb.label IN ({marks}) OR eb.entity_id = ?)"
        )
        params = [*chosen, focus or "", *chosen, focus or ""]
    column = frequency_column  # pair_counts names its windows' counts alike
    where, args = "", []
    if focus is not None:
        row = store.conn.execute(
            "SELECT key FROM entity_counts WHERE entity_id = ?", (focus,)
        ).fetchone()
        where = " AND (p.a = ? OR p.b = ?)"
        args = [row[0], row[0]] if row else [-1, -1]

    def read(least: object, also: str, order: str = f" ORDER BY p.{column} DESC") -> Iterator[Any]:
        return store.conn.execute(
            f"SELECT p.{column}, ea.entity_id, eb.entity_id, ea.{frequency_column}, "
            f"eb.{frequency_column} FROM pair_counts p "
            "JOIN entity_counts ea ON ea.key = p.a JOIN entity_counts eb ON eb.key = p.b "
            f"WHERE p.{column} {least}{where}{also}{condition}{order}",
            [*args, *params],
        )

    # The rank index holds the pairs seen more than once, in order (an entity's pairs are read
    # by key and sorted); those seen once (most of them) are read after them, and only when
    # read that far: from the table, then those it leaves out, from the rows.
    more = max(2, min_count)
    twice = read(f">= {more}", f" AND p.{RANKED.format(column)}" if focus is None else "")
    found = _in_order(twice, n)
    if min_count > 1:
        return n, found

    def once() -> Iterator[Any]:
        yield from read("= 1", "", "")
        yield from _left_out(store, unit, focus, chosen)

    return n, itertools.chain(found, _in_order(once(), n))


def _left_out(
    store: Store, unit: str, focus: str | None, chosen: Sequence[str]
) -> Iterator[tuple[int, str, str, int, int]]:
    """The pairs seen once in `unit` that the table leaves out, as rows of `ranked_pairs`'s
    query (the labels chosen, unless an end is the focus)."""
    column = "sentences" if unit == "sentence" else "articles"
    window = 2 if unit == "sentence" else 3
    found = (pair for pair in kept_pairs.left_out(store.conn, focus) if pair[window] == 1)
    for chunk in chunked(found, CHUNK):
        ids = sorted({e for pair in chunk for e in pair[:2]})
        info: dict[str, tuple[str, int]] = {}
        for part in chunked(ids, CHUNK):
            info.update(
                (e, (label, n))
                for e, label, n in store.conn.execute(
                    f"SELECT entity_id, label, {column} FROM entity_counts "
                    f"WHERE entity_id IN ({','.join('?' * len(part))})",
                    part,
                )
            )
        for a, b, *_ in chunk:
            (label_a, fa), (label_b, fb) = info[a], info[b]
            if chosen and not (
                (label_a in chosen or a == focus) and (label_b in chosen or b == focus)
            ):
                continue
            yield 1, a, b, fa, fb


def _in_order(rows: Iterable[tuple[int, str, str, int, int]], n: int) -> Iterator[RankedPair]:
    for count, run in itertools.groupby(rows, key=lambda row: row[0]):
        ranked = []
        for _, a, b, fa, fb in run:
            if b < a:
                a, b, fa, fb = b, a, fb, fa
            pmi, npmi = association(count, fa, fb, n)
            ranked.append((count, round(pmi, 4) + 0.0, a, b, round(npmi, 4), fa, fb))
        ranked.sort(key=lambda r: (-r[1], r[2], r[3]))
        yield from ranked


def association(pair: int, a: int, b: int, units: int) -> tuple[float, float]:
    """PMI in bits, log2(p(a,b) / (p(a) p(b))), and its normalised form in [-1, 1]."""
    pmi = math.log2(pair * units / (a * b))
    joint = -math.log2(pair / units)
    return pmi, (pmi / joint if joint > 0 else 1.0)


# --- overview ----------------------------------------------------------------------------------


def labels(store: Store, top: int) -> list[Row]:
    """Per label (names first, then values; then by mentions): counts and the top entities."""
    groups = dict_rows(
        store.conn.execute(
            "SELECT label, sum(mentions) AS mentions, count(*) AS entities FROM entity_counts "
            "GROUP BY label"
        )
    )
    for group in groups:
        group["top"] = dict_rows(
            store.conn.execute(
                f"SELECT c.entity_id AS id, {NAME} AS name, c.mentions, "
                "c.articles FROM entity_counts c LEFT JOIN entities e ON e.id = c.entity_id "
                "WHERE c.label = ? ORDER BY c.mentions DESC, c.articles DESC, c.entity_id "
                "LIMIT ?",
                (group["label"], top),
            )
        )
    groups.sort(key=lambda r: (r["label"] in VALUE_LABELS, -r["mentions"], r["label"]))
    return groups
