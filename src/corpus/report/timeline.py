"""Articles and mentions over time: each dated article placed in a week, month or day."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from corpus.analysis import VALUE_LABELS
from corpus.queries import Row

TOP_ENTITIES = 10
WEEKS_UP_TO_DAYS = 183  # a span of half a year or less is counted by week, a longer one by month
_ISO = re.compile(r"^(\d{4})-(\d{2})(?:-(\d{2}))?")
_YEARLESS = re.compile(r"^([A-Za-z]{3})[a-z]*\.? (\d{1,2})\b")
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


@dataclass
class Periods:
    """The report's time axis: `labels` in order, and the period index of each dated article.

    ISO dates are counted by week (the Monday it starts) or month; when no article has a year,
    dates as written ("Apr 10") are counted by day. `undated` counts the articles left out.
    """

    unit: str = "day"
    labels: list[str] = field(default_factory=list)
    of_article: dict[str, int] = field(default_factory=dict)
    undated: int = 0
    first: str | None = None  # the earliest and latest dates
    last: str | None = None


def iso_date(date: str | None) -> dt.date | None:
    """The date of an ISO date string (a month alone counts as its first day), else None."""
    match = _ISO.match(date or "")
    if not match:
        return None
    try:
        return dt.date(int(match[1]), int(match[2]), int(match[3] or 1))
    except ValueError:
        return None


def _yearless(date: str | None) -> tuple[int, int] | None:
    match = _YEARLESS.match(date or "")
    if not match or match[1].lower() not in _MONTHS:
        return None
    return _MONTHS.index(match[1].lower()) + 1, int(match[2])


def periods(articles: Sequence[Row]) -> Periods:
    iso = {a["id"]: d for a in articles if (d := iso_date(a["date"])) is not None}
    if iso:
        return _iso_periods(iso, len(articles))
    days = {a["id"]: day for a in articles if (day := _yearless(a["date"])) is not None}
    ordered = sorted(set(days.values()))
    index = {day: i for i, day in enumerate(ordered)}
    labels = [f"{_MONTHS[m - 1].capitalize()} {d:02d}" for m, d in ordered]
    return Periods(
        unit="day",
        labels=labels,
        of_article={article: index[day] for article, day in days.items()},
        undated=len(articles) - len(days),
        first=labels[0] if labels else None,
        last=labels[-1] if labels else None,
    )


def _iso_periods(dates: dict[str, dt.date], articles: int) -> Periods:
    first, last = min(dates.values()), max(dates.values())
    if (last - first).days <= WEEKS_UP_TO_DAYS:
        start = first - dt.timedelta(days=first.weekday())
        weeks = (last - start).days // 7 + 1
        labels = [(start + dt.timedelta(weeks=i)).isoformat() for i in range(weeks)]
        placed = {a: (d - start).days // 7 for a, d in dates.items()}
        unit = "week"
    else:
        months = (last.year - first.year) * 12 + last.month - first.month + 1
        labels = [
            f"{first.year + (first.month - 1 + i) // 12}-{(first.month - 1 + i) % 12 + 1:02d}"
            for i in range(months)
        ]
        placed = {a: (d.year - first.year) * 12 + d.month - first.month for a, d in dates.items()}
        unit = "month"
    return Periods(unit, labels, placed, articles - len(dates), first.isoformat(), last.isoformat())


def article_counts(articles: Sequence[Row], axis: Periods) -> list[int]:
    counts = [0] * len(axis.labels)
    for article in articles:
        if (i := axis.of_article.get(article["id"])) is not None:
            counts[i] += 1
    return counts


def mention_series(
    articles: Sequence[Row],
    axis: Periods,
    table: Sequence[Row],
    *,
    top: int = TOP_ENTITIES,
    focus: str | None = None,
) -> list[Row]:
    """Mentions per period of the `top` most mentioned entities in dated articles (names and
    actors, not values), and of the focus entity first when there is one."""
    counts: dict[str, list[int]] = {}
    for article in articles:
        if (i := axis.of_article.get(article["id"])) is None:
            continue
        for mention in article["entities"]:
            series = counts.setdefault(mention["entity"], [0] * len(axis.labels))
            series[i] += 1
    chosen = [
        row["id"] for row in table if row["label"] not in VALUE_LABELS and row["id"] in counts
    ][:top]
    if focus is not None and focus in counts:
        chosen = [focus, *(i for i in chosen if i != focus)][:top]
    return [{"entity": entity_id, "counts": counts[entity_id]} for entity_id in chosen]
