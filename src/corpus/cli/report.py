"""`corpus report`: the corpus as one offline HTML page (and its network as GEXF/GraphML)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import click
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn

from corpus.cli.options import (
    CorpusError,
    handle_errors,
    json_option,
    label_options,
    open_store,
    print_json,
    scope_options,
    store_option,
)
from corpus.labels import Labels
from corpus.render import stderr_console
from corpus.report import Filters, build_report, report_summary, write_report
from corpus.report.network import DEFAULT_NODES
from corpus.report.select import DEFAULT_MAX_ARTICLES
from corpus.scope import Scope

Progressor = Callable[[str, int, int], None]


@contextmanager
def progress_bar(enabled: bool) -> Iterator[Progressor]:
    """progress(stage, done, total) drawing a bar on stderr when it is a terminal."""
    console = stderr_console()
    if not enabled or not console.is_terminal:
        yield lambda stage, done, total: None
        return
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, console=console, transient=True) as bar:
        tasks: dict[str, TaskID] = {}

        def update(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total)
            bar.update(tasks[stage], completed=done, total=total)

        yield update


@click.command("report")
@click.option(
    "--out",
    "-o",
    type=click.Path(path_type=Path, dir_okay=False),
    default=Path("report.html"),
    show_default=True,
    help="The HTML file to write (replaced only once complete).",
)
@click.option("--entity", help="Focus on one entity (id, name or alias): its articles only.")
@label_options
@scope_options
@click.option(
    "--max-articles",
    type=click.IntRange(min=1),
    default=DEFAULT_MAX_ARTICLES,
    show_default=True,
    help="At most N articles; beyond, an even sample (the page says so).",
)
@click.option(
    "--nodes",
    type=click.IntRange(min=2),
    default=DEFAULT_NODES,
    show_default=True,
    help="Entities in the network: the most mentioned (or the focus's strongest neighbours).",
)
@click.option(
    "--graph",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Also write the network for Gephi: GEXF if FILE ends in .gexf, else GraphML.",
)
@click.option("--progress/--no-progress", default=True, help="Progress bar on a terminal.")
@json_option
@store_option
@handle_errors
def report_command(
    out: Path,
    entity: str | None,
    labels: Labels,
    scope: Scope,
    max_articles: int,
    nodes: int,
    graph: Path | None,
    progress: bool,
    as_json: bool,
    db: Path,
) -> None:
    """Write the corpus as one HTML page that opens from disk, offline, in any browser:
    overview charts, the entity table, the co-occurrence network, a timeline, every article
    with its entities highlighted, and search. Nothing in it loads anything from a network.
    Its entities are names (people, organisations, places...) unless --all-labels or --label.

    \b
    Examples:
      corpus report                              writes report.html
      corpus report --entity Naver --out naver.html
      corpus report --lang ja --since 2024-01-01 --until 2024-06-30
      corpus report --graph network.gexf         the network for Gephi too
      corpus report --all-labels                 dates and numbers too
      corpus report --dedupe                     republished stories once
      corpus report --max-articles 1000 --json
    """
    filters = Filters(entity=entity, scope=scope, labels=labels)
    with open_store(db) as store, progress_bar(progress) as update:
        report = build_report(
            store, filters, max_articles=max_articles, nodes=nodes, progress=update
        )
        update("writing the page", 0, 1)
        try:
            size = write_report(report, out, graph)
        except OSError as error:
            where = error.filename or out
            raise CorpusError(f"{where}: cannot write: {error.strerror or error}") from None
        update("writing the page", 1, 1)
    summary = report_summary(report, out, size, graph)
    if as_json:
        print_json(summary)
        return
    note = f" (a sample of the {summary['matched']:,} that match)" if summary["sampled"] else ""
    line = f"wrote {out} ({size / 1e6:.1f} MB): {summary['articles']:,} articles{note}"
    if graph:
        line += f"; network ({summary['network']['nodes']} nodes) in {graph}"
    stderr_console().print(line, markup=False, highlight=False)


COMMANDS = [report_command]
