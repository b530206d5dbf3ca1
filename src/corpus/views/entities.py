"""View of the corpus-wide entity table."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text

from corpus.queries import Row
from corpus.render import literal
from corpus.views import label_style


def entity_table(rows: list[Row], total: int | None = None) -> Table:
    total = len(rows) if total is None else total
    title = f"{total:,} entities"
    if total > len(rows):
        title += f" (the {len(rows):,} most mentioned; --top N or --all for more)"
    table = Table(title=title, title_justify="left")
    table.add_column("name", style="bold", overflow="fold")
    table.add_column("label")
    table.add_column("mentions", justify="right")
    table.add_column("articles", justify="right")
    table.add_column("top aliases", overflow="fold")
    table.add_column("id", style="dim", overflow="fold")
    for row in rows:
        table.add_row(
            literal(row["name"]),
            Text(row["label"], style=label_style(row["label"])),
            str(row["mentions"]),
            str(row["articles"]),
            literal(", ".join(row["aliases"])),
            literal(row["id"]),
        )
    return table
