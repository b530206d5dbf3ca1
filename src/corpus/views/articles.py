"""Views of articles: the `list` table and the `show` panel."""

from __future__ import annotations

from collections import Counter

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from corpus.queries import Row
from corpus.render import highlighted, literal
from corpus.summarize import SentenceSpan, summary_text
from corpus.views import label_style
from corpus.views.dupes import near_duplicates_table


def article_table(
    rows: list[Row], summaries: dict[str, str] | None = None, total: int | None = None
) -> Table:
    total = len(rows) if total is None else total
    title = f"{total:,} articles"
    if total > len(rows):
        title += f" (the first {len(rows):,}; --limit N or --all for more)"
    table = Table(title=title, title_justify="left", expand=False)
    table.add_column("id", style="bold", no_wrap=True)
    table.add_column("kind")
    table.add_column("source")
    table.add_column("date", no_wrap=True)
    table.add_column("lang", no_wrap=True)
    table.add_column("title", overflow="fold")
    table.add_column("words", justify="right")
    if summaries is not None:
        table.add_column("summary", overflow="fold")
    for row in rows:
        cells = [
            literal(row["id"]),
            literal(row["kind"]),
            literal(row["source"]),
            literal(row["date"]),
            literal(row["lang"]),
            literal(row["title"]),
            literal(str(row["words"])),
        ]
        if summaries is not None:
            cells.append(literal(summaries.get(row["id"], "")))
        table.add_row(*cells)
    return table


def article_summary(article: Row, n: int = 2) -> str:
    sentences = [SentenceSpan(s["start"], s["end"], s["rank"]) for s in article["sentences"]]
    return summary_text(article["body"], sentences, n)


def metadata_table(article: Row) -> Table:
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column(overflow="fold")
    fields = [
        *("id", "kind", "source", "author", "date", "place", "lang", "url", "rights"),
        *("words", "encoding", "fingerprint"),
    ]
    for name in fields:
        if article.get(name) not in (None, ""):
            grid.add_row(name, literal(str(article[name])))
    for occurrence in article["occurrences"]:
        grid.add_row("path", literal(f"{occurrence['path']} (item {occurrence['position']})"))
    return grid


def mentions_table(article: Row) -> Table:
    counts = Counter((m["entity"], m["name"], m["label"]) for m in article["entities"])
    texts: dict[str, Counter[str]] = {}
    for m in article["entities"]:
        texts.setdefault(m["entity"], Counter())[m["text"]] += 1
    table = Table(title="entities", title_justify="left")
    table.add_column("entity")
    table.add_column("label")
    table.add_column("mentions", justify="right")
    table.add_column("as written", overflow="fold")
    table.add_column("id", style="dim", overflow="fold")
    for (entity, name, label), count in counts.most_common():
        written = ", ".join(t for t, _ in texts[entity].most_common(3))
        style = label_style(label)
        table.add_row(
            literal(name), Text(label, style=style), str(count), literal(written), literal(entity)
        )
    return table


def legend(labels: list[str]) -> Text:
    out = Text("legend: ", style="dim")
    for label in labels:
        out.append(label, style=label_style(label))
        out.append(" ")
    return out


def highlighted_body(text: str, mentions: list[Row]) -> Text:
    return highlighted(text, [(m["start"], m["end"], label_style(m["label"])) for m in mentions])


def tagged_text(text: str, mentions: list[Row]) -> RenderableType:
    """What `corpus tag` prints: the legend, then the text with its entities highlighted."""
    return Group(legend(sorted({m["label"] for m in mentions})), highlighted_body(text, mentions))


def article_panel(article: Row, sentences: int = 2) -> RenderableType:
    body = highlighted_body(article["body"], article["entities"])
    parts: list[RenderableType] = [metadata_table(article)]
    summary = article_summary(article, sentences)
    if summary:
        parts += [Text(), Text("summary", style="bold"), literal(summary, style="italic")]
    if article.get("near_duplicates"):
        parts += [Text(), near_duplicates_table(article["near_duplicates"], article["id"])]
    if article["entities"]:
        parts += [Text(), mentions_table(article)]
        parts += [legend(sorted({m["label"] for m in article["entities"]}))]
    parts += [Text(), body]
    title = literal(article["title"] or "(untitled)", style="bold")
    return Panel(Group(*parts), title=title, title_align="left")
