"""View of `corpus mentions`: keyword-in-context lines, the mention aligned in one column."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.text import Text

from corpus.queries import Row
from corpus.render import literal, safe
from corpus.views import label_style


def kwic_line(row: Row, width: int) -> Text:
    """`article  left context|mention|right context`, the text as it runs, so every mention
    starts in the same column; each context is cut to `width` characters."""
    line = Text()
    line.append(row["article"], style="dim")
    line.append("  ")
    line.append(safe(row["left"])[-width:].rjust(width) if width else "")
    line.append(safe(row["text"]), style=f"{label_style(row['label'])} reverse")
    line.append(safe(row["right"])[:width])
    return line


def kwic_view(entity: Row, rows: list[Row], width: int) -> RenderableType:
    articles = len({row["article"] for row in rows})
    title = literal(f"{entity['name']} ({entity['id']}, {entity['label']}): ", style="bold")
    title.append(f"{len(rows)} mentions in {articles} articles")
    return Group(title, *(kwic_line(row, width) for row in rows))
