"""Which articles a report holds: all, or those passing its filters (an entity, a language, a
date range, one per near-duplicate cluster), at most N of them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from corpus import analysis, export
from corpus.dupes import queries as dupes
from corpus.queries import Row, list_articles
from corpus.report.timeline import iso_date
from corpus.store import Store

DEFAULT_MAX_ARTICLES = 5000


@dataclass
class Selection:
    """The articles of a report (with body, entities and sentences), in `corpus list` order.

    `stored` is how many articles the store holds, `matched` how many pass the filters;
    when more than `max_articles` match, `articles` is a sample of them.
    """

    articles: list[Row]
    stored: int
    matched: int
    focus: Row | None = None
    filters: dict[str, str | int] = field(default_factory=dict)

    @property
    def sampled(self) -> bool:
        return len(self.articles) < self.matched


@dataclass(frozen=True)
class Filters:
    """Which articles a report is about: those mentioning `entity` (an id, name or alias), in
    language `lang` (an ISO 639-1 code), dated from `since` to `until` (inclusive); with
    `dedupe`, no copy of an article already held."""

    entity: str | None = None
    lang: str | None = None
    since: dt.date | None = None
    until: dt.date | None = None
    dedupe: bool = False  # each near-duplicate cluster once: its representative

    def dated(self) -> bool:
        return self.since is not None or self.until is not None

    def in_range(self, row: Row) -> bool:
        """Whether an article row (of `list_articles`) is within the date range; an article
        without a full date is outside any range."""
        if not self.dated():
            return True
        date = iso_date(row["date"])
        return (
            date is not None
            and (self.since is None or date >= self.since)
            and (self.until is None or date <= self.until)
        )


def select_articles(
    store: Store,
    filters: Filters | None = None,
    *,
    max_articles: int | None = DEFAULT_MAX_ARTICLES,
    progress: Callable[[int, int], None] = lambda done, total: None,
) -> Selection:
    """The articles a report shows.

    A sample keeps the articles whose ids come first: ids are hashes of the text, so that is an
    even, reproducible spread over sources and dates, and a report of a grown corpus keeps most
    of the articles it showed before. `progress(done, total)` is called as articles are read.
    """
    filters = filters or Filters()
    listed = list_articles(store, lang=filters.lang)
    stored = len(list_articles(store)) if filters.lang else len(listed)
    found = analysis.find_entity(store, filters.entity) if filters.entity else None
    if found is not None:
        mentioning = {row["article"] for row in analysis.kwic(store, found["id"], width=0)}
        listed = [row for row in listed if row["id"] in mentioning]
    listed = [row for row in listed if filters.in_range(row)]
    copies = 0
    if filters.dedupe:
        groups, _ = dupes.clusters(store)
        left_out = {id_ for group in groups for id_ in group["articles"][1:]}
        copies = sum(1 for row in listed if row["id"] in left_out)
        listed = [row for row in listed if row["id"] not in left_out]
    ids = [row["id"] for row in listed]
    if max_articles is not None and len(ids) > max_articles:
        kept = set(sorted(ids)[:max_articles])
        ids = [i for i in ids if i in kept]
    articles: list[Row] = []
    for article in export.export_articles(store, ids):
        articles.append(article)
        if len(articles) % 100 == 0 or len(articles) == len(ids):
            progress(len(articles), len(ids))
    described = {
        "entity": found["id"] if found else None,
        "lang": filters.lang,
        "since": filters.since.isoformat() if filters.since else None,
        "until": filters.until.isoformat() if filters.until else None,
        "dedupe": copies if filters.dedupe else None,  # how many copies were left out
    }
    applied = {key: value for key, value in described.items() if value is not None}
    return Selection(articles, stored, len(listed), found, applied)
