"""View of `corpus mentions`: keyword-in-context lines, the mention aligned in one column."""

from __future__ import annotations

from rich.cells import cell_len
from rich.console import Group, RenderableType
from rich.text import Text

from corpus.analysis import KwicPage
from corpus.queries import Row
from corpus.render import literal, safe
from corpus.views import label_style


def kwic_line(row: Row, width: int) -> Text:
    """`article  left context|mention|right context`, the text as it runs, so every mention
    starts in the same column; each context is cut to `width` terminal cells (a Chinese,
    Japanese or Korean character takes two)."""
    line = Text()
    line.append(row["article"], style="dim")
    line.append("  ")
    left = _fit(safe(row["left"])[::-1], width)[::-1]
    line.append(" " * (width - cell_len(left)) + left)
    line.append(safe(row["text"]), style=f"{label_style(row['label'])} reverse")
    line.append(_fit(safe(row["right"]), width))
    return line


def _fit(text: str, cells: int) -> str:
    """The longest start of `text` that fits in `cells` terminal cells."""
    used = 0
    for i, char in enumerate(text):
        used += cell_len(char)
        if used > cells:
            return text[:i]
    return text


def kwic_view(entity: Row, page: KwicPage, width: int) -> RenderableType:
    title = literal(f"{entity['name']} ({entity['id']}, {entity['label']}): ", style="bold")
    title.append(f"{page.mentions} mentions in {page.articles} articles")
    if len(page.rows) < page.mentions:
        title.append(f" (the first {len(page.rows):,}; --limit N or --all for more)")
    return Group(title, *(kwic_line(row, width) for row in page.rows))
