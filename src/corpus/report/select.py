"""Which articles a report holds: all, those mentioning the focus entity, at most N of them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from corpus import analysis, export
from corpus.queries import Row, list_articles
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
    filters: dict[str, str] = field(default_factory=dict)

    @property
    def sampled(self) -> bool:
        return len(self.articles) < self.matched


def select_articles(
    store: Store,
    *,
    focus: str | None = None,
    max_articles: int | None = DEFAULT_MAX_ARTICLES,
    progress: Callable[[int, int], None] = lambda done, total: None,
) -> Selection:
    """The articles a report shows; `focus` is an entity's id, name or alias.

    A sample keeps the articles whose ids come first: ids are hashes of the text, so that is an
    even, reproducible spread over sources and dates, and a report of a grown corpus keeps most
    of the articles it showed before. `progress(done, total)` is called as articles are read.
    """
    listed = list_articles(store)
    stored = len(listed)
    found = analysis.find_entity(store, focus) if focus else None
    if found is not None:
        mentioning = {row["article"] for row in analysis.kwic(store, found["id"], width=0)}
        listed = [row for row in listed if row["id"] in mentioning]
    ids = [row["id"] for row in listed]
    if max_articles is not None and len(ids) > max_articles:
        kept = set(sorted(ids)[:max_articles])
        ids = [i for i in ids if i in kept]
    articles: list[Row] = []
    for article in export.export_articles(store, ids):
        articles.append(article)
        if len(articles) % 100 == 0 or len(articles) == len(ids):
            progress(len(articles), len(ids))
    filters = {"entity": found["id"]} if found else {}
    return Selection(articles, stored, len(listed), found, filters)
