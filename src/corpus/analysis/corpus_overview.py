"""The corpus at a glance: counts, kinds, languages, sources, dates, top entities, pairs."""

from __future__ import annotations

import re
from collections import Counter, defaultdict

from corpus import counted
from corpus.aggregates import VALUE_LABELS
from corpus.analysis.cooccur import cooccurrence
from corpus.analysis.lookup import entity_info
from corpus.labels import NAMES, Labels
from corpus.queries import Row
from corpus.scope import EVERYTHING, Scope
from corpus.store import Store

_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})(?:-(\d{2}))?")
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_WRITTEN_DATE = re.compile(r"^(?P<month>[A-Za-z]{3})[a-z]*\.? (?P<day>\d{1,2})\b")


def overview(
    store: Store,
    *,
    top: int = 5,
    sources: int = 10,
    pairs: int = 10,
    scope: Scope = EVERYTHING,
    labels: Labels = NAMES,
) -> Row:
    """The corpus at a glance: counts, kinds, languages, sources, dates, top entities, strongest
    pairs; of the articles in `scope` (a narrower scope than every article is counted from its
    rows). The top entities and pairs are of the labels `labels` shows (names by default);
    `entities` counts every entity."""
    if not scope.everything:
        return _scanned_overview(
            store, top=top, sources=sources, pairs=pairs, scope=scope, labels=labels
        )
    whole = counted.totals(store).get("", {})
    groups = counted.labels(store, top)
    return {
        "articles": whole.get("articles", 0),
        "words": whole.get("words", 0),
        "sentences": whole.get("sentences", 0),
        "mentions": whole.get("mentions", 0),
        "entities": sum(group["entities"] for group in groups),
        "kinds": dict(_by_count(store, "kind")),
        "languages": [{"lang": code, "articles": n} for code, n in _by_count(store, "lang")],
        "sources": _counted_sources(store, sources),
        "dates": _counted_dates(store),
        "labels": [group for group in groups if labels.shows(group["label"])],
        "pairs": _pairs(store, pairs, scope, labels),
    }


def _pairs(store: Store, top: int, scope: Scope, labels: Labels) -> list[Row]:
    if not top:
        return []
    found = cooccurrence(
        store, top=top, scope=scope, labels=labels.chosen, all_labels=labels.all_labels
    )
    return found.pairs


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
    store: Store, *, top: int, sources: int, pairs: int, scope: Scope, labels: Labels
) -> Row:
    conn = store.conn
    where, params = scope.condition("id")
    articles, words = conn.execute(
        f"SELECT count(*), coalesce(sum(words), 0) FROM articles WHERE {where}", params
    ).fetchone()
    in_lang, _ = scope.condition("article_id")
    counts = conn.execute(
        "SELECT entity_id, min(label), count(*), count(DISTINCT article_id) FROM mentions "
        f"WHERE {in_lang} GROUP BY entity_id",
        params,
    ).fetchall()
    return {
        "articles": articles,
        "words": words,
        "sentences": counted.units(store, "sentence", scope),
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
        "sources": _sources(store, sources, scope),
        "dates": _dates(store, scope),
        "labels": [group for group in _labels(store, counts, top) if labels.shows(group["label"])],
        "pairs": _pairs(store, pairs, scope, labels),
    }


def _sources(store: Store, limit: int, scope: Scope) -> Row:
    where, params = scope.condition("id")
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


def _dates(store: Store, scope: Scope) -> Row:
    where, params = scope.condition("id")
    counts = dict(
        store.conn.execute(
            f"SELECT date, count(*) FROM articles WHERE {where} GROUP BY date", params
        )
    )
    return _months(counts)


def _months(counts: dict[str | None, int]) -> Row:
    """First and last date, undated articles, and articles per month, from articles per date.
    The first and last are dates with a year when there are any: a date without one ("Feb 16")
    sorts before every year, and would start the range of a store of dated articles."""
    undated = counts.pop(None, 0)
    ordered = sorted((date for date in counts if date is not None), key=_date_key)
    months: Counter[str] = Counter()
    for date in ordered:
        months[_month(date)] += counts[date]
    spanned = [date for date in ordered if _ISO_DATE.match(date)] or ordered
    return {
        "first": spanned[0] if spanned else None,
        "last": spanned[-1] if spanned else None,
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
