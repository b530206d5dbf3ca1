"""The co-occurrence network of a report: entity pairs sharing a sentence in its articles.

Counted as `corpus cooccur` counts them (sentence windows, the labels shown: names unless
`--all-labels` or `--label`, PMI over the sentences), but over the report's articles only, so
that a focused or sampled report agrees with itself. The page shows the graph of the top
entities; `graph_file` writes it for Gephi.
"""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from corpus import analysis, counted, export
from corpus.analysis import Cooccurrence
from corpus.queries import Row
from corpus.report import gexf

DEFAULT_NODES = 100
MAX_EDGES = 600  # the strongest edges among the shown nodes; more only slow the layout


def sentence_sets(articles: Sequence[Row]) -> Iterator[set[str]]:
    """The entity ids of each sentence holding a mention (one whose [start, end) holds its
    start); the articles hold the mentions of the labels shown only (`build._with_labels`)."""
    for article in articles:
        starts = [s["start"] for s in article["sentences"]]
        ends = [s["end"] for s in article["sentences"]]
        groups: dict[int, set[str]] = {}
        for mention in article["entities"]:
            i = bisect.bisect_right(starts, mention["start"]) - 1
            if i >= 0 and mention["start"] < ends[i]:
                groups.setdefault(i, set()).add(mention["entity"])
        yield from groups.values()


@dataclass
class Pairs:
    """Pair counts of a report's articles: N (sentences), the ranked pairs as
    (count, pmi, a, b, npmi), and each entity's sentence count."""

    units: int
    ranked: counted.Ranked
    frequency: Counter[str]


def count_pairs(articles: Sequence[Row]) -> Pairs:
    frequency, together = analysis.count_pairs(list(sentence_sets(articles)), None)
    units = sum(len(a["sentences"]) for a in articles)
    return Pairs(units, analysis.rank_pairs(together, frequency, units), frequency)


def cooccurrence(pairs: Pairs, entities: Mapping[str, Row]) -> Cooccurrence:
    """Every pair as `analysis.cooccurrence` gives it; `entities` (id -> a row of
    `entity_table`) names them."""
    return analysis.pair_result("sentence", pairs.units, pairs.ranked, pairs.frequency, entities)


def top_graph(
    pairs: Pairs,
    table: Sequence[Row],
    *,
    nodes: int = DEFAULT_NODES,
    focus: str | None = None,
    max_edges: int = MAX_EDGES,
) -> Cooccurrence:
    """The graph the page draws: the `nodes` most mentioned entities that have a pair (or the
    focus and its strongest neighbours), and the strongest pairs among them."""
    if focus is not None:
        neighbours = [b if a == focus else a for _, _, a, b, _ in pairs.ranked if focus in (a, b)]
        chosen = [focus, *neighbours[: nodes - 1]] if neighbours else []
    else:
        paired = {i for row in pairs.ranked for i in row[2:4]}
        chosen = [row["id"] for row in table if row["id"] in paired][:nodes]
    keep = set(chosen)
    ranked = [row for row in pairs.ranked if row[2] in keep and row[3] in keep][:max_edges]
    shown = {i for row in ranked for i in row[2:4]}
    named = {row["id"]: row for row in table if row["id"] in shown}
    graph = analysis.pair_result("sentence", pairs.units, ranked, pairs.frequency, named)
    graph.entities = {i: graph.entities[i] for i in chosen if i in shown}  # most mentioned first
    return graph


def write_graph(graph: Cooccurrence, path: Path) -> None:
    """GEXF when the name ends in .gexf, else GraphML; replaced only once complete."""
    text = gexf.pairs_gexf(graph) if path.suffix.lower() == ".gexf" else export.pairs_graphml(graph)
    with export.replacing(path) as handle:
        handle.write(text)
