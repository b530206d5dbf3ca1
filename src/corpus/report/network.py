"""The co-occurrence network of a report: entity pairs sharing a sentence in its articles.

Counted as `corpus cooccur` counts them (sentence windows, value labels left out, PMI over the
sentences), but over the report's articles only, so that a focused or sampled report agrees
with itself. The page shows the graph of the top entities; `graph_file` writes it for Gephi.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator, Sequence
from pathlib import Path

from corpus import analysis, export
from corpus.analysis import VALUE_LABELS, Cooccurrence
from corpus.queries import Row
from corpus.report import gexf

DEFAULT_NODES = 100
MAX_EDGES = 600  # the strongest edges among the shown nodes; more only slow the layout


def sentence_sets(articles: Sequence[Row]) -> Iterator[set[str]]:
    """The entity ids of each sentence holding a mention (one whose [start, end) holds its
    start) that is not a value (date, amount, number)."""
    for article in articles:
        starts = [s["start"] for s in article["sentences"]]
        ends = [s["end"] for s in article["sentences"]]
        groups: dict[int, set[str]] = {}
        for mention in article["entities"]:
            if mention["label"] in VALUE_LABELS:
                continue
            i = bisect.bisect_right(starts, mention["start"]) - 1
            if i >= 0 and mention["start"] < ends[i]:
                groups.setdefault(i, set()).add(mention["entity"])
        yield from groups.values()


def cooccurrence(articles: Sequence[Row], entities: dict[str, Row]) -> Cooccurrence:
    """Every pair of entities sharing a sentence, with count, PMI and NPMI, sorted like
    `analysis.cooccurrence`; `entities` (id -> a row of `entity_table`) names them."""
    frequency, together = analysis.count_pairs(list(sentence_sets(articles)), None)
    units = sum(len(a["sentences"]) for a in articles)
    ranked = analysis.rank_pairs(together, frequency, units)
    return analysis.pair_result("sentence", units, ranked, frequency, entities)


def top_graph(
    full: Cooccurrence,
    table: Sequence[Row],
    *,
    nodes: int = DEFAULT_NODES,
    focus: str | None = None,
    max_edges: int = MAX_EDGES,
) -> Cooccurrence:
    """The graph the page draws: the `nodes` most mentioned entities that have a pair (or the
    focus and its strongest neighbours), and the strongest pairs among them."""
    if focus is not None:
        neighbours = [
            p["b"] if p["a"] == focus else p["a"] for p in full.pairs if focus in (p["a"], p["b"])
        ]
        chosen = [focus, *neighbours[: nodes - 1]] if neighbours else []
    else:
        paired = full.entities.keys()
        chosen = [row["id"] for row in table if row["id"] in paired][:nodes]
    keep = set(chosen)
    pairs = [p for p in full.pairs if p["a"] in keep and p["b"] in keep][:max_edges]
    shown = {i for p in pairs for i in (p["a"], p["b"])}
    entities = {i: full.entities[i] for i in chosen if i in shown}
    return Cooccurrence(unit=full.unit, units=full.units, pairs=pairs, entities=entities)


def write_graph(graph: Cooccurrence, path: Path) -> None:
    """GEXF when the name ends in .gexf, else GraphML; replaced only once complete."""
    text = gexf.pairs_gexf(graph) if path.suffix.lower() == ".gexf" else export.pairs_graphml(graph)
    with export.replacing(path) as handle:
        handle.write(text)
