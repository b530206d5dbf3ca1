"""What a report holds, gathered from the store: the data the page draws, as one JSON value.

Entities are referred to by their index in the entity table, mentions as flat
[start, end, entity, ...] arrays with offsets in UTF-16 code units (what JavaScript strings
count), to keep the page small and fast to load.
"""

from __future__ import annotations

import bisect
import os
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import PurePath
from typing import Any

from corpus.analysis import Cooccurrence
from corpus.labels import Labels
from corpus.queries import Row
from corpus.report import network, timeline
from corpus.report.colours import label_colours
from corpus.report.entities import entity_table
from corpus.report.select import DEFAULT_MAX_ARTICLES, Filters, Selection, select_articles
from corpus.store import Store
from corpus.views.articles import article_summary

ARTICLE_FIELDS = ("id", "kind", "title", "source", "date", "rights", "words")
# Fields other loaders may add; shown when present.
OPTIONAL_FIELDS = ("author", "place", "url", "lang")


@dataclass
class Report:
    data: dict[str, Any]
    graph: Cooccurrence  # the network the page draws, for --graph
    selection: Selection


def build_report(
    store: Store,
    filters: Filters | None = None,
    *,
    max_articles: int | None = DEFAULT_MAX_ARTICLES,
    nodes: int = network.DEFAULT_NODES,
    progress: Callable[[str, int, int], None] = lambda stage, done, total: None,
) -> Report:
    """Read the store and compute every section; `progress(stage, done, total)` as it goes."""
    selection = select_articles(
        store,
        filters,
        max_articles=max_articles,
        progress=lambda done, total: progress("reading articles", done, total),
    )
    focus_id = selection.focus["id"] if selection.focus else None
    labels = (filters or Filters()).labels
    selection.articles = [_with_labels(a, labels, focus_id) for a in selection.articles]
    articles = selection.articles
    progress("counting", 0, 3)
    table = entity_table(store, articles)
    index = {row["id"]: i for i, row in enumerate(table)}
    progress("counting", 1, 3)
    graph = network.top_graph(network.count_pairs(articles), table, nodes=nodes, focus=focus_id)
    progress("counting", 2, 3)
    axis = timeline.periods(articles)
    series = timeline.mention_series(articles, axis, table, focus=focus_id)
    progress("counting", 3, 3)
    data = {
        "meta": _meta(store, selection, graph),
        "labels": label_colours({row["label"] for row in table}),
        "overview": _overview(articles, axis),
        "entities": [
            [r["id"], r["name"], r["label"], r["mentions"], r["articles"], r["aliases"]]
            for r in table
        ],
        "articles": [_article(a, index) for a in articles],
        "network": {
            "nodes": [[index[i], e["units"]] for i, e in graph.entities.items()],
            "edges": [[index[p["a"]], index[p["b"]], p["count"], p["npmi"]] for p in graph.pairs],
        },
        "timeline": {
            "unit": axis.unit,
            "periods": axis.labels,
            "articles": timeline.article_counts(articles, axis),
            "series": [[index[s["entity"]], s["counts"]] for s in series],
            "undated": axis.undated,
        },
        "focus": index[focus_id] if focus_id is not None else None,
    }
    return Report(data, graph, selection)


def _with_labels(article: Row, labels: Labels, focus: str | None) -> Row:
    """The article with the mentions of the labels shown only (and the focus's, whatever its
    label): the entity table, the network and the highlights all follow from them."""
    if labels.all_labels and not labels.chosen:
        return article
    kept = [m for m in article["entities"] if labels.shows(m["label"]) or m["entity"] == focus]
    return article | {"entities": kept}


def _meta(store: Store, selection: Selection, graph: Cooccurrence) -> dict[str, Any]:
    return {
        "store": PurePath(store.path).name,
        "generated": datetime.now(UTC).isoformat(timespec="seconds"),
        "stored": selection.stored,
        "matched": selection.matched,
        "included": len(selection.articles),
        "sampled": selection.sampled,
        "filters": selection.filters,
        "units": graph.units,
    }


def _overview(articles: Sequence[Row], axis: timeline.Periods) -> dict[str, Any]:
    sources = Counter(a["source"] for a in articles if a["source"])
    folders = _folders([a["path"] for a in articles if a.get("path")])
    languages = Counter(a["lang"] for a in articles if a.get("lang"))
    return {
        "articles": len(articles),
        "words": sum(a["words"] for a in articles),
        "mentions": sum(len(a["entities"]) for a in articles),
        "unsourced": sum(1 for a in articles if not a["source"]),
        "sources": sources.most_common(),
        "folders": folders.most_common(),
        "kinds": Counter(a["kind"] for a in articles).most_common(),
        "languages": languages.most_common(),
        "first": axis.first,
        "last": axis.last,
        "undated": axis.undated,
    }


def _folders(paths: Sequence[str]) -> Counter[str]:
    """Articles per folder, named from the folder all of them share ("bbc/sport")."""
    parents = [PurePath(path).parent for path in paths]
    if not parents:
        return Counter()
    common = PurePath(os.path.commonpath(parents))
    top = common.parent
    return Counter(str(parent.relative_to(top)) for parent in parents)


def _article(article: Row, index: dict[str, int]) -> dict[str, Any]:
    body: str = article["body"]
    to16 = utf16_offsets(body)
    flat: list[int] = []
    for m in article["entities"]:
        flat += (to16(m["start"]), to16(m["end"]), index[m["entity"]])
    out = {key: article[key] for key in ARTICLE_FIELDS}
    out |= {key: article[key] for key in OPTIONAL_FIELDS if article.get(key)}
    path = article.get("path")
    out |= {
        "file": PurePath(path).name if path else None,
        "summary": article_summary(article),
        "body": body,
        "m": flat,
    }
    return out


_WIDE = re.compile("[\U00010000-\U0010ffff]")


def utf16_offsets(text: str) -> Callable[[int], int]:
    """Maps a code point offset into `text` to its UTF-16 offset (they differ after any
    character beyond the Basic Multilingual Plane, such as an emoji)."""
    wide = [match.start() for match in _WIDE.finditer(text)]
    if not wide:
        return lambda offset: offset
    return lambda offset: offset + bisect.bisect_left(wide, offset)
