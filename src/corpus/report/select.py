"""Which articles a report holds: all, or those passing its filters (an entity, a language, a
date range, one per near-duplicate cluster), at most N of them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

from corpus import analysis, export
from corpus.dupes import queries as dupes
from corpus.labels import NAMES, Labels
from corpus.queries import Row, count_articles, list_articles
from corpus.scope import EVERYTHING, Scope
from corpus.store import Store

DEFAULT_MAX_ARTICLES = 5000


@dataclass
class Selection:
    """The articles of a report (with body, entities and sentences), in `corpus list` order;
    once built into a report, with the mentions of the labels it shows only.

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
    `scope` (a language, a date range, each near-duplicate cluster once); and which of their
    entities it shows (`labels`: names by default)."""

    entity: str | None = None
    scope: Scope = EVERYTHING
    labels: Labels = NAMES


def _described(labels: Labels) -> str | None:
    """The labels as the page's header names them: chosen, "all", or None for names only."""
    return ", ".join(labels.chosen) or ("all" if labels.all_labels else None)


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
    scope = filters.scope
    listed = list_articles(store, scope=replace(scope, dedupe=False))  # copies counted below
    stored = count_articles(store)
    found = analysis.find_entity(store, filters.entity) if filters.entity else None
    if found is not None:
        mentioning = {row["article"] for row in analysis.kwic(store, found["id"], width=0)}
        listed = [row for row in listed if row["id"] in mentioning]
    copies = 0
    if scope.dedupe:
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
        "lang": scope.lang,
        "since": scope.since,
        "until": scope.until,
        "dedupe": copies if scope.dedupe else None,  # how many copies were left out
        "labels": ", ".join(filters.labels.chosen)
        or ("all" if filters.labels.all_labels else None),
    }
    applied = {key: value for key, value in described.items() if value is not None}
    return Selection(articles, stored, len(listed), found, applied)
