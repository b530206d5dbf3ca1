"""`corpus dupes`: the clusters of near-duplicate articles."""

from __future__ import annotations

import itertools
from pathlib import Path

import click

from corpus.cli.options import (
    handle_errors,
    json_option,
    open_store,
    print_json_rows,
    rows_to_show,
    store_option,
)
from corpus.dupes import DEFAULT_THRESHOLD, PAIR_FLOOR
from corpus.dupes.queries import clusters
from corpus.render import stdout_console
from corpus.views.dupes import clusters_table

TABLE_TOP = 50
TABLE_ROWS = 100  # without --top, a table stops at the cluster that would pass this many rows


@click.command("dupes")
@click.option(
    "--threshold",
    type=click.FloatRange(PAIR_FLOOR, 1.0),
    default=DEFAULT_THRESHOLD,
    show_default=True,
    help="Join articles at this estimated Jaccard similarity of their word 5-shingles "
    f"or more ({PAIR_FLOOR} to 1).",
)
@click.option(
    "--top",
    type=click.IntRange(min=1),
    help=f"Only the N largest clusters. [default: in a table, up to {TABLE_TOP} and "
    f"{TABLE_ROWS} articles; all in JSON]",
)
@click.option("--all", "show_all", is_flag=True, help="Every cluster, also in a table.")
@json_option
@store_option
@handle_errors
def dupes_command(
    threshold: float, top: int | None, show_all: bool, as_json: bool, db: Path
) -> None:
    """Near-duplicates: articles that are versions of one story (republished under another
    headline, with a dateline, updated, cut), in clusters, largest first.

    Each cluster shows its representative (the earliest by date, else the longest: the one
    `--dedupe` keeps on other commands) and each member's similarity to it.

    \b
    Examples:
      corpus dupes
      corpus dupes --threshold 0.8
      corpus dupes --json | jq '.[].articles'
    """
    capped = top is None and not as_json and not show_all
    top = rows_to_show(top, TABLE_TOP, in_table=not as_json, show_all=show_all)
    with open_store(db) as store:
        found, total = clusters(store, threshold, top)
    if capped:  # rich draws long tables slowly
        rows = list(itertools.accumulate(len(c["articles"]) for c in found))
        found = found[: max(1, sum(1 for n in rows if n <= TABLE_ROWS))]
    if as_json:
        print_json_rows(found)
    else:
        stdout_console().print(clusters_table(found, total, threshold))


COMMANDS = [dupes_command]
