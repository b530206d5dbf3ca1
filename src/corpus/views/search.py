"""View of `corpus search`: ranked articles with their highlighted snippets."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.padding import Padding
from rich.text import Text

from corpus.queries import Row
from corpus.render import highlighted, literal

MATCH_STYLE = "bold yellow"
INDENT = 5


def _marked(text: str, spans: list[list[int]], base: str = "") -> Text:
    return highlighted(text, [(start, end, MATCH_STYLE) for start, end in spans], base=base)


def search_hit(rank: int, row: Row) -> RenderableType:
    head = Text(f"{rank:>3}. ")
    head.append(row["id"], style="bold")
    head.append("  ")
    head.append_text(_marked(row["title"] or "(untitled)", row["title_highlights"], "bold"))
    meta = [row["source"] or "", row["date"] or "", row["kind"], f"bm25 {row['bm25']:.2f}"]
    details = literal(" · ".join(part for part in meta if part), style="dim")
    snippet = _marked(row["snippet"], row["highlights"])
    return Group(head, Padding(Group(details, snippet), (0, 0, 0, INDENT), expand=False))


def search_view(query: str, rows: list[Row]) -> RenderableType:
    what = "article" if len(rows) == 1 else "articles"
    title = literal(f"{len(rows)} {what} match {query!r}", style="bold")
    parts: list[RenderableType] = [title]
    for rank, row in enumerate(rows, start=1):
        parts += [Text(), search_hit(rank, row)]
    return Group(*parts)
