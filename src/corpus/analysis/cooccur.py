"""Co-occurrence: entity pairs mentioned in the same sentence or article, with PMI."""

from __future__ import annotations

import heapq
import itertools
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from corpus import counted
from corpus.analysis.lookup import entity_info
from corpus.counted import association
from corpus.labels import Labels
from corpus.parallel import chunked
from corpus.queries import Row
from corpus.scope import EVERYTHING, Scope
from corpus.store import Store

Unit = Literal["sentence", "article"]
CHUNK = 500  # pairs named at once when streamed


@dataclass
class Cooccurrence:
    """Entity pairs found in the same unit, with counts and association scores.

    `units` is N, the number of sentences (or articles) in the store; `entities` holds, for
    every entity in a pair, its record plus `units`: how many units mention it.
    """

    unit: Unit
    units: int
    pairs: list[Row] = field(default_factory=list)
    entities: dict[str, Row] = field(default_factory=dict)


def _mention_filter(
    labels: Sequence[str],
    all_labels: bool,
    focus: str | None,
    scope: Scope = EVERYTHING,
) -> tuple[str, list[str | None]]:
    """SQL condition (and its parameters) on `mentions m` for the mentions taking part."""
    shown = Labels(tuple(sorted({label.upper() for label in labels})), all_labels)
    condition, params = shown.condition("upper(m.label)" if labels else "m.label")
    if focus is not None:
        condition, params = f"({condition}) OR m.entity_id = ?", [*params, focus]
    in_scope, scope_params = scope.condition("m.article_id")
    return f"({condition}) AND {in_scope}", [*params, *scope_params]


def _sentence_units(
    store: Store, condition: str, params: list[str | None], focus: str | None
) -> list[set[str]]:
    """The entity ids of each sentence: a mention belongs to the sentence whose [start, end)
    holds its start. One merge pass over mentions and sentences in (article, offset) order;
    with a focus, only over the articles that mention it."""
    only, only_params = _focus_articles(focus)
    sentences = store.conn.execute(
        f"SELECT article_id, start, end FROM sentences s WHERE {only} ORDER BY article_id, start",
        only_params,
    ).fetchall()
    sets: list[set[str]] = []
    i, current = 0, -1
    mentions = store.conn.execute(
        f"SELECT article_id, start, entity_id FROM mentions m WHERE ({condition}) AND {only} "
        "ORDER BY article_id, start",
        [*params, *only_params],
    )
    for article, start, entity in mentions:
        while i < len(sentences):
            s_article, _, s_end = sentences[i]
            if s_article > article or (s_article == article and s_end > start):
                break
            i += 1
        if i == len(sentences):
            break
        s_article, s_start, _ = sentences[i]
        if s_article != article or s_start > start:
            continue  # between sentences
        if i != current:
            current = i
            sets.append(set())
        sets[-1].add(entity)
    return sets


def _focus_articles(focus: str | None) -> tuple[str, list[str]]:
    """SQL condition on `article_id`: every article, or those that mention the focus."""
    if focus is None:
        return "1", []
    return "article_id IN (SELECT f.article_id FROM mentions f WHERE f.entity_id = ?)", [focus]


def _article_units(
    store: Store, condition: str, params: list[str | None], focus: str | None
) -> list[set[str]]:
    only, only_params = _focus_articles(focus)
    rows = store.conn.execute(
        f"SELECT DISTINCT article_id, entity_id FROM mentions m WHERE ({condition}) AND {only} "
        "ORDER BY article_id",
        [*params, *only_params],
    )
    return [{row[1] for row in group} for _, group in itertools.groupby(rows, lambda r: r[0])]


def count_pairs(
    sets: list[set[str]], focus: str | None
) -> tuple[Counter[str], Counter[tuple[str, str]]]:
    """How many units each entity is in, and each pair (a < b by id); with `focus`, only its
    pairs."""
    frequency: Counter[str] = Counter()
    together: Counter[tuple[str, str]] = Counter()
    for ids in sets:
        frequency.update(ids)
        if len(ids) < 2:
            continue
        if focus is None:
            together.update(itertools.combinations(sorted(ids), 2))
        elif focus in ids:
            together.update(_ordered(focus, other) for other in ids if other != focus)
    return frequency, together


def _ordered(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a < b else (b, a)


def _scanned_pairs(
    store: Store,
    *,
    unit: Unit,
    focus: str | None,
    labels: Sequence[str],
    all_labels: bool,
    min_count: int,
    top: int | None,
    scope: Scope,
) -> tuple[int, counted.Ranked, dict[str, int]]:
    """What `counted.pairs` answers, counted from the mention rows: for the questions the pair
    table does not cover (value labels, a narrower scope). Only the rows they select are read:
    those of the scope's articles; otherwise, with a focus, the articles that mention it."""
    condition, params = _mention_filter(labels, all_labels, focus, scope)
    read = _sentence_units if unit == "sentence" else _article_units
    only = focus if scope.everything else None
    frequency, together = count_pairs(read(store, condition, params, only), focus)
    if only is not None:  # each entity's units over the whole store, not the focus's articles
        frequency = Counter(counted.unit_counts(store, {i for p in together for i in p}, unit))
    units = counted.units(store, unit, scope)
    return units, rank_pairs(together, frequency, units, min_count, top), dict(frequency)


def rank_pairs(
    together: Counter[tuple[str, str]],
    frequency: Counter[str],
    units: int,
    min_count: int = 1,
    top: int | None = None,
) -> counted.Ranked:
    """Pairs seen at least `min_count` times as (count, pmi, a, b, npmi), sorted by count,
    then PMI, then ids; only the first `top`. `frequency` is each entity's unit count."""
    ranked = []
    for (a, b), count in together.items():
        if count >= min_count:
            pmi, npmi = association(count, frequency[a], frequency[b], units)
            ranked.append((-count, -round(pmi, 4), a, b, round(npmi, 4)))
    ranked = heapq.nsmallest(top, ranked) if top is not None else sorted(ranked)
    return [(-count, -pmi + 0.0, a, b, npmi) for count, pmi, a, b, npmi in ranked]


def cooccurrence(
    store: Store,
    *,
    unit: Unit = "sentence",
    entity: str | None = None,
    labels: Sequence[str] = (),
    all_labels: bool = False,
    min_count: int = 1,
    top: int | None = None,
    scope: Scope = EVERYTHING,
) -> Cooccurrence:
    """Unordered pairs (a < b by id) of distinct entities mentioned in the same unit.

    Only entities with one of `labels` take part; without labels, all but the value labels
    (dates, amounts, numbers) unless `all_labels`. With `entity`, only its pairs; only the
    articles in `scope` (N counts theirs). Sorted by count, then PMI, then ids. Read from the
    pair counts, unless a value label or a narrower scope is asked for.
    """
    units, found = _ranked(store, unit, entity, labels, all_labels, min_count, top, scope)
    ranked = list(found)
    info = entity_info(store, {id_ for row in ranked for id_ in row[2:4]})
    frequency = {a: fa for r in ranked for a, fa in ((r[2], r[5]), (r[3], r[6]))}
    return pair_result(unit, units, [r[:5] for r in ranked], frequency, info)


def pair_rows(
    store: Store,
    *,
    unit: Unit = "sentence",
    entity: str | None = None,
    labels: Sequence[str] = (),
    all_labels: bool = False,
    min_count: int = 1,
    top: int | None = None,
    scope: Scope = EVERYTHING,
) -> Iterator[Row]:
    """The rows of `cooccurrence(...).pairs`, streamed: from the pair counts, read in order
    a run of one count at a time; the entities named a chunk of pairs at a time."""
    _, found = _ranked(store, unit, entity, labels, all_labels, min_count, top, scope)
    for chunk in chunked(found, CHUNK):
        info = entity_info(store, {id_ for row in chunk for id_ in row[2:4]})
        for count, pmi, a, b, npmi, fa, fb in chunk:
            yield _pair_row((count, pmi, a, b, npmi), fa, fb, info)


def _ranked(
    store: Store,
    unit: Unit,
    entity: str | None,
    labels: Sequence[str],
    all_labels: bool,
    min_count: int,
    top: int | None,
    scope: Scope,
) -> tuple[int, Iterator[counted.RankedPair]]:
    """N, and the first `top` ranked pairs with each one's unit count, in order."""
    focus_label = entity_info(store, [entity]).get(entity, {}).get("label") if entity else None
    if scope.everything and counted.covers(labels, all_labels, focus_label):
        units, found = counted.ranked_pairs(
            store, unit=unit, focus=entity, labels=labels, min_count=min_count
        )
        return units, itertools.islice(found, top)
    units, ranked, frequency = _scanned_pairs(
        store,
        unit=unit,
        focus=entity,
        labels=labels,
        all_labels=all_labels,
        min_count=min_count,
        top=top,
        scope=scope,
    )
    return units, ((*r, frequency[r[2]], frequency[r[3]]) for r in ranked)


def pair_result(
    unit: Unit,
    units: int,
    ranked: counted.Ranked,
    frequency: Mapping[str, int],
    info: Mapping[str, Row],
) -> Cooccurrence:
    """The ranked pairs as rows naming both entities (`info`: id -> name, label...)."""
    result = Cooccurrence(unit=unit, units=units)
    for pair in ranked:
        result.pairs.append(_pair_row(pair, frequency[pair[2]], frequency[pair[3]], info))
    paired = sorted({i for row in ranked for i in row[2:4]})
    result.entities = {i: info[i] | {"units": frequency[i]} for i in paired}
    return result


def _pair_row(
    pair: tuple[int, float, str, str, float], a_count: int, b_count: int, info: Mapping[str, Row]
) -> Row:
    count, pmi, a, b, npmi = pair
    return {
        "a": a,
        "a_name": info[a]["name"],
        "a_label": info[a]["label"],
        "b": b,
        "b_name": info[b]["name"],
        "b_label": info[b]["label"],
        "count": count,
        "a_count": a_count,
        "b_count": b_count,
        "pmi": pmi,
        "npmi": npmi,
    }
