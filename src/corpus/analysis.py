"""The corpus as a whole: overview, keyword in context, co-occurrence, entity lookup, search.

Plain functions over the store returning plain dicts (like `queries.py`), shared by the views
and `--json`. Nothing here imports spaCy.
"""

from __future__ import annotations

import difflib
import heapq
import itertools
import re
import sqlite3
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from corpus import counted, search_cjk
from corpus.counted import association as association  # re-exported
from corpus.merges import final_target
from corpus.parallel import chunked
from corpus.queries import NotFound, Row, dict_rows, in_scope
from corpus.store import Store

Unit = Literal["sentence", "article"]

# Labels for amounts and times rather than actors: left out of co-occurrence unless asked for.
VALUE_LABELS = frozenset({"DATE", "TIME", "PERCENT", "MONEY", "QUANTITY", "ORDINAL", "CARDINAL"})
SUGGESTIONS = 3
CHUNK = 500

_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"'})
_SPACES = re.compile(r"\s+")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})(?:-(\d{2}))?")
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_WRITTEN_DATE = re.compile(r"^(?P<month>[A-Za-z]{3})[a-z]*\.? (?P<day>\d{1,2})\b")
MARK_START, MARK_END = "\x02", "\x03"


class BadQuery(Exception):
    """A full-text query FTS5 cannot parse; the message says why and how to quote."""


def fold(text: str) -> str:
    """Comparison key for names: Unicode-normalised, case-folded, one kind of quote and space."""
    key = unicodedata.normalize("NFKC", text).translate(_QUOTES)
    return _SPACES.sub(" ", key).strip().casefold()


def collapse(text: str) -> str:
    """Runs of whitespace (newlines, no-break spaces) as one space, for one-line display."""
    return _SPACES.sub(" ", text)


# --- entities ------------------------------------------------------------------------------


def entity_info(store: Store, ids: Iterable[str] | None = None) -> dict[str, Row]:
    """Entities that have mentions (all, or these ids): id, name, label, mentions, articles."""
    return counted.entity_info(store, ids)


def _label_matches(row: Row, label: str | None) -> bool:
    return label is None or str(row["label"]).upper() == label.upper()


def find_entity(store: Store, query: str, *, label: str | None = None) -> Row:
    """The entity named by `query`: its id, else its name, else any alias (case-insensitive).

    Raises NotFound naming the closest names when nothing matches, or the candidates when the
    name is ambiguous.
    """
    if not fold(query):
        raise NotFound("give an entity: its name, id or any alias")
    query = final_target(store.conn, query.strip())  # a merged entity's id names its target
    quick = _find_indexed(store, query, label)
    if quick is not None:
        return quick
    names = _Names.read(store)
    for level in (names.ids, names.names, names.aliases):
        found = _with_label(store, level.get(fold(query), set()), label)
        if found:
            return _one(query, found)
    raise NotFound(_not_found_message(store, query, label, names))


def _with_label(store: Store, ids: Iterable[str], label: str | None) -> list[Row]:
    return [e for e in entity_info(store, ids).values() if _label_matches(e, label)]


def _one(query: str, found: list[Row]) -> Row:
    if len(found) > 1:
        shown = ", ".join(_describe(e) for e in sorted(found, key=lambda e: -e["mentions"]))
        raise NotFound(f"entity {query!r} is ambiguous: {shown}; give the id or --label")
    return dict(found[0])


def _find_indexed(store: Store, query: str, label: str | None) -> Row | None:
    """The lookup through indexes, for the usual query whose case differs in ASCII only.

    None when no level matches, and the full lookup (Unicode case folding) must decide.
    """
    text = _SPACES.sub(" ", query).strip()
    variants = sorted({text, text.lower(), text.replace("'", "’")})
    for level in range(3):
        found = _with_label(store, counted.ids_named(store, variants, level), label)
        if found:
            return _one(query, found)
    return None


@dataclass
class _Names:
    """Folded ids, names and aliases (surface forms) -> the ids of entities with mentions."""

    ids: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    names: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    aliases: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))

    @classmethod
    def read(cls, store: Store) -> _Names:
        found = cls()
        folded: dict[str, str] = {}
        for entity_id, name, text in counted.names_and_aliases(store):
            found.ids[fold(entity_id)].add(entity_id)
            found.names[fold(name)].add(entity_id)
            if text not in folded:
                folded[text] = fold(text)
            found.aliases[folded[text]].add(entity_id)
        return found

    def choices(self) -> dict[str, set[str]]:
        merged: dict[str, set[str]] = defaultdict(set)
        for level in (self.ids, self.names, self.aliases):
            for key, ids in level.items():
                merged[key] |= ids
        return merged


def _describe(entity: Row) -> str:
    return f"{entity['name']} ({entity['id']}, {entity['label']})"


def _not_found_message(store: Store, query: str, label: str | None, names: _Names) -> str:
    what = f"no {label.upper()} entity" if label else "no entity"
    choices = names.choices()
    close = difflib.get_close_matches(fold(query), list(choices), n=10, cutoff=0.6)
    ordered = list(dict.fromkeys(i for match in close for i in sorted(choices[match])))
    known = {e["id"]: e for e in _with_label(store, ordered, label)}
    suggested = [known[i] for i in ordered if i in known][:SUGGESTIONS]
    if not suggested:
        return f"{what} {query!r}; `corpus entities` lists them"
    return f"{what} {query!r}; closest: {', '.join(_describe(e) for e in suggested)}"


# --- keyword in context ----------------------------------------------------------------------


def kwic(
    store: Store,
    entity_id: str,
    *,
    width: int = 40,
    lang: str | None = None,
    dedupe: bool = False,
) -> list[Row]:
    """Every mention of an entity with `width` characters of one-line context on each side.

    In the order of `corpus list` (by file and position), then by offset; with `lang`, only in
    articles of that language; with `dedupe`, in one article of each near-duplicate cluster.
    """
    return kwic_page(store, entity_id, width=width, lang=lang, dedupe=dedupe).rows


@dataclass
class KwicPage:
    rows: list[Row]  # the first `limit` mentions (all without a limit)
    mentions: int  # how many there are in all
    articles: int  # in how many articles


def kwic_page(
    store: Store,
    entity_id: str,
    *,
    width: int = 40,
    lang: str | None = None,
    dedupe: bool = False,
    limit: int | None = None,
) -> KwicPage:
    """The first `limit` mentions of `kwic`, and how many there are. The articles are placed
    first (one row each), and only those shown have their text read."""
    scope, scope_params = in_scope("m.article_id", None, None, None, dedupe)
    placed = store.conn.execute(
        "WITH found AS (SELECT m.article_id, count(*) AS n FROM mentions m WHERE m.entity_id = ?1"
        " AND (?2 IS NULL OR m.article_id IN (SELECT id FROM articles WHERE lang = ?2))"
        f" AND {scope} GROUP BY m.article_id), "
        "placed AS (SELECT f.article_id, f.n, min(o.path) AS path FROM found f"
        " JOIN occurrences o ON o.article_id = f.article_id GROUP BY f.article_id) "
        "SELECT p.article_id, p.n FROM placed p ORDER BY p.path, (SELECT min(o.position)"
        " FROM occurrences o WHERE o.article_id = p.article_id AND o.path = p.path)",
        (entity_id, lang, *scope_params),
    ).fetchall()
    page = KwicPage([], sum(n for _, n in placed), len(placed))
    chosen: list[str] = []
    taken = 0
    for article, n in placed:
        if limit is not None and taken >= limit:
            break
        chosen.append(article)
        taken += n
    reach = width * 3 + 16  # whitespace is collapsed after cutting, so take more than needed
    found: dict[str, list[Row]] = {}
    for chunk in chunked(chosen, CHUNK):
        for row in dict_rows(
            store.conn.execute(
                "SELECT m.article_id AS article, a.lang, m.start, m.end, m.text, m.label,"
                " m.entity_id AS entity,"
                " substr(a.body, max(m.start - ?1, 0) + 1, m.start - max(m.start - ?1, 0))"
                " AS left, substr(a.body, m.end + 1, ?1) AS right "
                "FROM mentions m JOIN articles a ON a.id = m.article_id "
                f"WHERE m.entity_id = ?2 AND m.article_id IN ({','.join('?' * len(chunk))}) "
                "ORDER BY m.article_id, m.start",
                (reach, entity_id, *chunk),
            )
        ):
            row["left"] = collapse(row["left"])[-width:] if width else ""
            row["right"] = collapse(row["right"])[:width]
            row["text"] = collapse(row["text"])
            found.setdefault(row["article"], []).append(row)
    page.rows = [row for article in chosen for row in found.get(article, [])][:limit]
    return page


# --- co-occurrence ---------------------------------------------------------------------------


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
    lang: str | None = None,
    since: str | None = None,
    until: str | None = None,
    dedupe: bool = False,
) -> tuple[str, list[str | None]]:
    """SQL condition (and its parameters) on `mentions m` for the mentions taking part."""
    if labels:
        chosen = sorted({label.upper() for label in labels})
        condition, params = f"upper(m.label) IN ({','.join('?' * len(chosen))})", [*chosen]
    elif all_labels:
        condition, params = "1", []
    else:
        values = sorted(VALUE_LABELS)
        condition, params = f"m.label NOT IN ({','.join('?' * len(values))})", values
    if focus is not None:
        condition, params = f"({condition}) OR m.entity_id = ?", [*params, focus]
    scope, scope_params = in_scope("m.article_id", lang, since, until, dedupe)
    return f"({condition}) AND {scope}", [*params, *scope_params]


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
    lang: str | None,
    since: str | None = None,
    until: str | None = None,
    dedupe: bool = False,
) -> tuple[int, counted.Ranked, dict[str, int]]:
    """What `counted.pairs` answers, counted from the mention rows: for the questions the pair
    table does not cover (value labels, a language, a date range, near-duplicates once). Only
    the rows they select are read: with a language or range, its articles; otherwise, with a
    focus, the articles that mention it."""
    condition, params = _mention_filter(labels, all_labels, focus, lang, since, until, dedupe)
    read = _sentence_units if unit == "sentence" else _article_units
    scoped = lang is not None or since is not None or until is not None or dedupe
    only = None if scoped else focus
    frequency, together = count_pairs(read(store, condition, params, only), focus)
    if only is not None:  # each entity's units over the whole store, not the focus's articles
        frequency = Counter(counted.unit_counts(store, {i for p in together for i in p}, unit))
    units = counted.units(store, unit, lang, since, until, dedupe)
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
    lang: str | None = None,
    since: str | None = None,
    until: str | None = None,
    dedupe: bool = False,
) -> Cooccurrence:
    """Unordered pairs (a < b by id) of distinct entities mentioned in the same unit.

    Only entities with one of `labels` take part; without labels, all but the value labels
    (dates, amounts, numbers) unless `all_labels`. With `entity`, only its pairs; with `lang`,
    `since` or `until`, only the articles in that language and date range (see
    `queries.in_scope`; N counts theirs); with `dedupe`, one article of each near-duplicate
    cluster. Sorted by count, then PMI, then ids. Read from the pair counts, unless a value
    label, a language, a date range or `dedupe` is asked for.
    """
    focus_label = entity_info(store, [entity]).get(entity, {}).get("label") if entity else None
    whole = lang is None and since is None and until is None and not dedupe
    if whole and counted.covers(labels, all_labels, focus_label):
        units, ranked, frequency = counted.pairs(
            store, unit=unit, focus=entity, labels=labels, min_count=min_count, top=top
        )
    else:
        units, ranked, frequency = _scanned_pairs(
            store,
            unit=unit,
            focus=entity,
            labels=labels,
            all_labels=all_labels,
            min_count=min_count,
            top=top,
            lang=lang,
            since=since,
            until=until,
            dedupe=dedupe,
        )
    info = entity_info(store, {id_ for row in ranked for id_ in row[2:4]})
    return pair_result(unit, units, ranked, frequency, info)


def pair_result(
    unit: Unit,
    units: int,
    ranked: counted.Ranked,
    frequency: Mapping[str, int],
    info: Mapping[str, Row],
) -> Cooccurrence:
    """The ranked pairs as rows naming both entities (`info`: id -> name, label...)."""
    result = Cooccurrence(unit=unit, units=units)
    for count, pmi, a, b, npmi in ranked:
        result.pairs.append(
            {
                "a": a,
                "a_name": info[a]["name"],
                "a_label": info[a]["label"],
                "b": b,
                "b_name": info[b]["name"],
                "b_label": info[b]["label"],
                "count": count,
                "a_count": frequency[a],
                "b_count": frequency[b],
                "pmi": pmi,
                "npmi": npmi,
            }
        )
    paired = sorted({i for row in ranked for i in row[2:4]})
    result.entities = {i: info[i] | {"units": frequency[i]} for i in paired}
    return result


# --- overview --------------------------------------------------------------------------------


def overview(
    store: Store,
    *,
    top: int = 5,
    sources: int = 10,
    pairs: int = 10,
    lang: str | None = None,
    dedupe: bool = False,
) -> Row:
    """The corpus at a glance: counts, kinds, languages, sources, dates, top entities, strongest
    pairs; with `lang`, of the articles in that language, with `dedupe`, each near-duplicate
    cluster once (both counted from their rows)."""
    if lang is not None or dedupe:
        return _scanned_overview(
            store, top=top, sources=sources, pairs=pairs, lang=lang, dedupe=dedupe
        )
    whole = counted.totals(store).get("", {})
    labels = counted.labels(store, top)
    return {
        "articles": whole.get("articles", 0),
        "words": whole.get("words", 0),
        "sentences": whole.get("sentences", 0),
        "mentions": whole.get("mentions", 0),
        "entities": sum(group["entities"] for group in labels),
        "kinds": dict(_by_count(store, "kind")),
        "languages": [{"lang": code, "articles": n} for code, n in _by_count(store, "lang")],
        "sources": _counted_sources(store, sources),
        "dates": _counted_dates(store),
        "labels": labels,
        "pairs": cooccurrence(store, top=pairs).pairs if pairs else [],
    }


def _by_count(store: Store, facet: str) -> list[tuple[str | None, int]]:
    """(value, articles) of a facet, most articles first, then by value (none first)."""
    rows = [(value or None, row["articles"]) for value, row in counted.totals(store, facet).items()]
    return sorted(rows, key=lambda r: (-r[1], r[0] or ""))


def _counted_sources(store: Store, limit: int) -> Row:
    rows = _by_count(store, "source")
    return {
        "count": sum(1 for source, _ in rows if source is not None),
        "top": [{"source": source, "articles": n} for source, n in rows[:limit]],
    }


def _counted_dates(store: Store) -> Row:
    dated = counted.totals(store, "date")
    return _months({value or None: row["articles"] for value, row in dated.items()})


def _scanned_overview(
    store: Store, *, top: int, sources: int, pairs: int, lang: str | None, dedupe: bool
) -> Row:
    conn = store.conn
    where, params = in_scope("id", lang, dedupe=dedupe)
    articles, words = conn.execute(
        f"SELECT count(*), coalesce(sum(words), 0) FROM articles WHERE {where}", params
    ).fetchone()
    in_lang, _ = in_scope("article_id", lang, dedupe=dedupe)
    counts = conn.execute(
        "SELECT entity_id, min(label), count(*), count(DISTINCT article_id) FROM mentions "
        f"WHERE {in_lang} GROUP BY entity_id",
        params,
    ).fetchall()
    return {
        "articles": articles,
        "words": words,
        "sentences": counted.units(store, "sentence", lang, dedupe=dedupe),
        "mentions": sum(row[2] for row in counts),
        "entities": len(counts),
        "kinds": dict(
            conn.execute(
                f"SELECT kind, count(*) FROM articles WHERE {where} GROUP BY kind "
                "ORDER BY 2 DESC, 1",
                params,
            )
        ),
        "languages": [
            {"lang": code, "articles": n}
            for code, n in conn.execute(
                f"SELECT lang, count(*) FROM articles WHERE {where} GROUP BY lang "
                "ORDER BY 2 DESC, 1",
                params,
            )
        ],
        "sources": _sources(store, sources, lang, dedupe),
        "dates": _dates(store, lang, dedupe),
        "labels": _labels(store, counts, top),
        "pairs": cooccurrence(store, top=pairs, lang=lang, dedupe=dedupe).pairs if pairs else [],
    }


def _sources(store: Store, limit: int, lang: str | None, dedupe: bool) -> Row:
    where, params = in_scope("id", lang, dedupe=dedupe)
    rows = store.conn.execute(
        f"SELECT source, count(*) FROM articles WHERE {where} GROUP BY source ORDER BY 2 DESC, 1",
        params,
    ).fetchall()
    return {
        "count": sum(1 for source, _ in rows if source is not None),
        "top": [{"source": source, "articles": n} for source, n in rows[:limit]],
    }


def _date_key(date: str) -> tuple[int, int, int, str]:
    """Chronological order for ISO dates, then month and day for dates without a year."""
    if match := _ISO_DATE.match(date):
        year, month, day = match.groups()
        return (int(year), int(month), int(day or 0), date)
    if (match := _WRITTEN_DATE.match(date)) and match["month"].lower() in _MONTHS:
        return (0, _MONTHS.index(match["month"].lower()) + 1, int(match["day"]), date)
    return (0, 13, 0, date)


def _month(date: str) -> str:
    """ISO dates by year and month ("2021-04"), dates without a year by month ("Apr")."""
    if match := _ISO_DATE.match(date):
        return f"{match[1]}-{match[2]}"
    if (match := _WRITTEN_DATE.match(date)) and match["month"].lower() in _MONTHS:
        return match["month"].capitalize()
    return date


def _dates(store: Store, lang: str | None, dedupe: bool) -> Row:
    where, params = in_scope("id", lang, dedupe=dedupe)
    counts = dict(
        store.conn.execute(
            f"SELECT date, count(*) FROM articles WHERE {where} GROUP BY date", params
        )
    )
    return _months(counts)


def _months(counts: dict[str | None, int]) -> Row:
    """First and last date, undated articles, and articles per month, from articles per date."""
    undated = counts.pop(None, 0)
    ordered = sorted((date for date in counts if date is not None), key=_date_key)
    months: Counter[str] = Counter()
    for date in ordered:
        months[_month(date)] += counts[date]
    return {
        "first": ordered[0] if ordered else None,
        "last": ordered[-1] if ordered else None,
        "undated": undated,
        "months": [{"month": month, "articles": n} for month, n in months.items()],
    }


def _labels(store: Store, counts: list[tuple[str, str, int, int]], top: int) -> list[Row]:
    """Per label (names first, then values; then by mentions): counts and top entities."""
    by_label: dict[str, list[tuple[str, str, int, int]]] = defaultdict(list)
    for row in counts:
        by_label[row[1]].append(row)
    labels: list[Row] = []
    for label, rows in by_label.items():
        rows.sort(key=lambda r: (-r[2], -r[3], r[0]))
        labels.append(
            {
                "label": label,
                "mentions": sum(r[2] for r in rows),
                "entities": len(rows),
                "top": [{"id": r[0], "mentions": r[2], "articles": r[3]} for r in rows[:top]],
            }
        )
    labels.sort(key=lambda r: (r["label"] in VALUE_LABELS, -r["mentions"], r["label"]))
    info = entity_info(store, (e["id"] for group in labels for e in group["top"]))
    for group in labels:
        group["top"] = [{"id": e["id"], "name": info[e["id"]]["name"]} | e for e in group["top"]]
    return labels


# --- full-text search ------------------------------------------------------------------------


def phrase_query(text: str) -> str:
    """`text` as one FTS5 phrase: whatever it holds is matched literally."""
    return '"' + text.replace('"', '""') + '"'


def search(
    store: Store,
    query: str,
    *,
    source: str | None = None,
    entity: str | None = None,
    kind: str | None = None,
    limit: int | None = 20,
    phrase: bool = False,
    lang: str | None = None,
    since: str | None = None,
    until: str | None = None,
    dedupe: bool = False,
) -> list[Row]:
    """Articles matching an FTS5 query over titles and bodies, best first (bm25, titles x2);
    with `lang`, `since`, `until`, `dedupe`, only those articles (see `queries.in_scope`).

    A query with a Chinese, Japanese or Korean character is answered by substring instead
    (`search_cjk`)."""
    scope, scope_params = in_scope("a.id", lang, since, until, dedupe)
    expression = phrase_query(query.strip()) if phrase else query.strip()
    if not expression or expression == '""':
        raise BadQuery("empty search query")
    if search_cjk.has_cjk(query):
        return search_cjk.search(
            store,
            query,
            source=source,
            entity=entity,
            kind=kind,
            limit=limit,
            phrase=phrase,
            scope=(scope, scope_params),
        )
    try:
        # FTS5 ranks by `rank` itself and stops at the limit, so only the results shown have
        # their highlights and snippets made (a join ordered by bm25() made them for every
        # match); the filters are a condition on the rowid, tested as FTS5 yields.
        where, params = "", []
        if source or entity or kind or scope_params:
            where = _SEARCH_FILTER.format(scope=scope)
            params = [source, source, entity, entity, kind, kind, *scope_params]
        rows = dict_rows(
            store.conn.execute(
                "SELECT a.id, a.kind, a.source, a.date, a.lang, a.words, f.bm25, f.title,"
                " f.snippet FROM (SELECT rowid, rank AS bm25,"
                " highlight(articles_fts, 0, char(2), char(3)) AS title,"
                " snippet(articles_fts, 1, char(2), char(3), '…', 24) AS snippet "
                "FROM articles_fts WHERE articles_fts MATCH ? AND rank MATCH 'bm25(2.0, 1.0)'"
                f"{where} ORDER BY rank LIMIT ?) f JOIN articles a ON a.rowid = f.rowid "
                "ORDER BY f.bm25, a.id",
                (expression, *params, -1 if limit is None else limit),
            )
        )
    except sqlite3.OperationalError as error:
        if not str(error).startswith(_QUERY_ERRORS):
            raise  # a locked or broken store, not the query
        raise BadQuery(_bad_query_message(query, error)) from None
    for row in rows:
        row["bm25"] = round(row["bm25"], 4)
        row["title"], row["title_highlights"] = unmark(row["title"] or "")
        row["snippet"], row["highlights"] = unmark(collapse(row["snippet"] or "").strip())
    return rows


_SEARCH_FILTER = (
    " AND rowid IN (SELECT a.rowid FROM articles a WHERE (? IS NULL OR a.source = ? COLLATE"
    " NOCASE) AND (? IS NULL OR EXISTS (SELECT 1 FROM mentions m WHERE m.article_id = a.id"
    " AND m.entity_id = ?)) AND (? IS NULL OR a.kind = ?) AND {scope})"
)

# How SQLite words an FTS5 query it cannot parse
_QUERY_ERRORS = (
    "fts5:",
    "unterminated string",
    "no such column",
    "unknown special query",
    "expected integer",
)


def _bad_query_message(query: str, error: sqlite3.Error) -> str:
    reason = str(error).removeprefix("fts5: ")
    return (
        f"malformed search query {query!r} ({reason}); put words with punctuation in double "
        "quotes ('\"LY Corp.\"'), or use --phrase to match the query literally"
    )


def unmark(marked: str) -> tuple[str, list[list[int]]]:
    """Text without FTS5 highlight markers, and the [start, end) offsets they enclosed."""
    text: list[str] = []
    spans: list[list[int]] = []
    length = 0
    start: int | None = None
    for piece in re.split(f"([{MARK_START}{MARK_END}])", marked):
        if piece == MARK_START:
            start = length
        elif piece == MARK_END:
            if start is not None and length > start:
                spans.append([start, length])
            start = None
        else:
            text.append(piece)
            length += len(piece)
    return "".join(text), spans
