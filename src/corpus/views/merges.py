"""Views of merges and of merge candidates."""

from __future__ import annotations

from rich.table import Table

from corpus.queries import Row
from corpus.render import literal


def merges_table(rows: list[Row]) -> Table:
    table = Table(title=f"{len(rows):,} merges", title_justify="left")
    table.add_column("entity", overflow="fold")
    table.add_column("into", style="bold", overflow="fold")
    table.add_column("how")
    table.add_column("evidence", overflow="fold")
    for row in rows:
        table.add_row(
            literal(f"{row['source_name']} ({row['source']})"),
            literal(f"{row['target_name']} ({row['target']})"),
            literal(str(row["how"])),
            literal(str(row["evidence"] or "")),
        )
    return table


def candidates_table(rows: list[Row], total: int) -> Table:
    title = f"{total:,} pairs that may be one entity"
    if total > len(rows):
        title += f" (the {len(rows):,} most mentioned; --top N or --all for more)"
    table = Table(title=title, title_justify="left")
    table.add_column("entity", overflow="fold")
    table.add_column("mentions", justify="right")
    table.add_column("may be", overflow="fold")
    table.add_column("mentions", justify="right")
    table.add_column("evidence", overflow="fold")
    for row in rows:
        table.add_row(
            literal(f"{row['a_name']} ({row['a']})"),
            str(row["a_mentions"]),
            literal(f"{row['b_name']} ({row['b']})"),
            str(row["b_mentions"]),
            literal(str(row["evidence"])),
        )
    return table
