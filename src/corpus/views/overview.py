"""View of `corpus summary`: the corpus at a glance, on one screen."""

from __future__ import annotations

from rich.columns import Columns
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from corpus.queries import Row
from corpus.render import literal
from corpus.views import label_style
from corpus.views.cooccur import pair_table

NONE = "(none)"


def headline(data: Row) -> Text:
    out = Text()
    out.append(f"{data['articles']:,} articles", style="bold")
    if kinds := _kinds(data["kinds"]):
        out.append(f" ({kinds})")
    out.append(f" · {data['words']:,} words\n")
    out.append(f"{data['sentences']:,} sentences")
    out.append(f" · {data['mentions']:,} mentions of {data['entities']:,} entities")
    return out


def _kinds(kinds: dict[str, int]) -> str:
    """"16 briefs, 3 articles"; "all briefs" when all are of one kind; "" when all are articles."""
    if len(kinds) == 1:
        [kind] = kinds
        return "" if kind == "article" else f"all {kind}s"
    return ", ".join(f"{n:,} {kind}{'s' * (n != 1)}" for kind, n in kinds.items())


def _small_table(title: str, *columns: str) -> Table:
    table = Table(
        title=title,
        title_justify="left",
        box=None,
        padding=(0, 1),
        show_header=False,
        min_width=len(title),
    )
    table.add_column(columns[0], overflow="fold", max_width=40)
    for name in columns[1:]:
        table.add_column(name, justify="right")
    return table


def sources_table(sources: Row) -> Table:
    table = _small_table(f"{sources['count']} sources", "source", "articles")
    for row in sources["top"]:
        table.add_row(literal(row["source"] or NONE), str(row["articles"]))
    return table


def languages_table(languages: list[Row]) -> Table:
    table = _small_table("languages", "lang", "articles")
    for row in languages:
        code = literal(row["lang"]) if row["lang"] else Text("undetermined", style="dim")
        table.add_row(code, str(row["articles"]))
    return table


def dates_table(dates: Row) -> Table:
    table = _small_table("dates", "month", "articles")
    if dates["first"]:
        table.add_row(literal(f"{dates['first']} to {dates['last']}"), "", style="dim")
    for row in dates["months"]:
        table.add_row(literal(row["month"]), str(row["articles"]))
    if dates["undated"]:
        table.add_row(Text("undated", style="dim"), str(dates["undated"]))
    return table


def labels_table(labels: list[Row]) -> Table:
    table = Table(title="top entities by label", title_justify="left", box=None, padding=(0, 1))
    table.add_column("label", no_wrap=True)
    table.add_column("mentions", justify="right")
    table.add_column("entities", justify="right")
    table.add_column("top (mentions)", overflow="fold")
    for row in labels:
        top = Text(", ").join(literal(f"{e['name']} {e['mentions']}") for e in row["top"])
        label = Text(row["label"], style=label_style(row["label"]))
        table.add_row(label, str(row["mentions"]), str(row["entities"]), top)
    return table


def overview_view(data: Row) -> RenderableType:
    parts: list[RenderableType] = [
        headline(data),
        Text(),
        Columns(
            [
                languages_table(data["languages"]),
                sources_table(data["sources"]),
                dates_table(data["dates"]),
            ],
            padding=(0, 4),
        ),
    ]
    if data["labels"]:
        parts += [Text(), labels_table(data["labels"])]
    if data["pairs"]:
        parts += [Text(), pair_table(data["pairs"], "strongest pairs (same sentence)")]
    return Group(*parts)
