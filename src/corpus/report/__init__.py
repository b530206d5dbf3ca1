"""`corpus report`: the corpus as one self-contained HTML page, and its network for Gephi.

`build` gathers what the page shows from the store (through `select`, `entities`, `network`
and `timeline`); `page` writes the HTML with the scripts of `assets/` inlined. Nothing here
imports spaCy.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from corpus.export import replacing
from corpus.report.build import Report, build_report
from corpus.report.network import write_graph
from corpus.report.page import render_page
from corpus.report.select import Filters

__all__ = ["Filters", "Report", "build_report", "report_summary", "report_title", "write_report"]


def report_title(report: Report) -> str:
    focus = report.selection.focus
    name = report.data["meta"]["store"]
    return f"corpus report: {focus['name']} in {name}" if focus else f"corpus report: {name}"


def write_report(report: Report, out: Path, graph: Path | None = None) -> int:
    """Write the page to `out` (and the network to `graph`); returns the page's size in bytes."""
    text = render_page(report.data, report_title(report))
    with replacing(out) as handle:
        handle.write(text)
    if graph is not None:
        write_graph(report.graph, graph)
    return len(text.encode("utf-8"))


def report_summary(report: Report, out: Path, size: int, graph: Path | None) -> dict[str, Any]:
    """What `corpus report --json` prints about the files it wrote."""
    meta = report.data["meta"]
    return {
        "out": str(out),
        "bytes": size,
        "articles": meta["included"],
        "matched": meta["matched"],
        "stored": meta["stored"],
        "sampled": meta["sampled"],
        "filters": meta["filters"],
        "entities": len(report.data["entities"]),
        "network": {"nodes": len(report.graph.entities), "edges": len(report.graph.pairs)},
        "graph": str(graph) if graph else None,
    }
