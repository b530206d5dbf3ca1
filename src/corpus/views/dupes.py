"""The `corpus dupes` table: clusters of near-duplicates, and the `show` panel's list of them."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text

from corpus.queries import Row
from corpus.render import literal

SHOWN_NEAR = 10  # near-duplicates `show` lists; `corpus dupes ID` lists them all


def clusters_table(
    clusters: list[Row], total: int, threshold: float, holding: str | None = None
) -> Table:
    members = sum(len(c["articles"]) for c in clusters)
    title = f"{total:,} clusters of near-duplicates (similarity >= {threshold:g})"
    if holding is not None:
        title = f"the near-duplicates of {holding} (similarity >= {threshold:g})"
        if not clusters:
            title = f"{holding} has no near-duplicates (similarity >= {threshold:g})"
    elif total > len(clusters):
        title += f"; the largest {len(clusters):,} (--top N or --all for more)"
    table = Table(title=title, title_justify="left", expand=False)
    table.add_column("#", justify="right", style="dim")
    table.add_column("id", style="bold", no_wrap=True)
    table.add_column("similar", justify="right")
    table.add_column("source")
    table.add_column("date", no_wrap=True)
    table.add_column("title", overflow="fold")
    for number, cluster in enumerate(clusters, 1):
        for member in cluster["members"]:
            first = member["id"] == cluster["representative"]
            table.add_row(
                str(number) if first else "",
                literal(member["id"], style="" if first else "dim"),
                "rep." if first else f"{member['similarity']:.2f}",
                literal(member["source"]),
                literal(member["date"]),
                literal(member["title"] or "(untitled)"),
                end_section=member is cluster["members"][-1],
            )
    table.caption = f"{members:,} articles; rep. = the representative, which --dedupe keeps"
    table.caption_justify = "left"
    return table


def near_duplicates_table(rows: list[Row], article_id: str) -> Table:
    """The first SHOWN_NEAR near-duplicates, and a note naming the command that lists all."""
    table = Table(title=f"near-duplicates ({len(rows):,})", title_justify="left")
    table.add_column("id", no_wrap=True)
    table.add_column("similar", justify="right")
    table.add_column("source")
    table.add_column("date", no_wrap=True)
    table.add_column("title", overflow="fold")
    for row in rows[:SHOWN_NEAR]:
        ident = literal(row["id"])
        if row["representative"]:
            ident.append(Text(" (rep.)", style="dim"))
        table.add_row(
            ident,
            f"{row['similarity']:.2f}",
            literal(row["source"]),
            literal(row["date"]),
            literal(row["title"] or "(untitled)"),
        )
    if len(rows) > SHOWN_NEAR:
        table.caption = f"and {len(rows) - SHOWN_NEAR:,} more: corpus dupes {article_id}"
        table.caption_justify = "left"
    return table
