"""`corpus dupes`: the clusters of near-duplicate articles."""

from __future__ import annotations

import itertools
from pathlib import Path

import click

from corpus.cli.options import (
    handle_errors,
    json_option,
    open_store,
    rows_to_show,
    store_option,
    stream_json,
)
from corpus.dupes import CONTAINED, DEFAULT_THRESHOLD, PAIR_FLOOR
from corpus.dupes.queries import iter_clusters
from corpus.queries import resolve_id

TABLE_TOP = 50
TABLE_ROWS = 100  # without --top, a table stops at the cluster that would pass this many rows


@click.command("dupes")
@click.argument("article_id", required=False)
@click.option(
    "--threshold",
    type=click.FloatRange(PAIR_FLOOR, 1.0),
    default=DEFAULT_THRESHOLD,
    show_default=True,
    help="Join articles at this estimated Jaccard similarity of their word 5-shingles "
    f"or more ({PAIR_FLOOR} to 1); a copy with {CONTAINED:.0%} of its shingles in another "
    "joins it whatever the threshold.",
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
    article_id: str | None,
    threshold: float,
    top: int | None,
    show_all: bool,
    as_json: bool,
    db: Path,
) -> None:
    """Near-duplicates: articles that are versions of one story (republished under another
    headline, with a dateline, updated, cut), in clusters, largest first.

    Each cluster shows its representative (the earliest by date, else the longest: the one
    `--dedupe` keeps on other commands) and each member's similarity to it. With ARTICLE_ID
    (a unique prefix of 4 characters or more), only the cluster holding that article, whole.

    \b
    Examples:
      corpus dupes
      corpus dupes 38dc
      corpus dupes --threshold 0.8
      corpus dupes --json | jq '.[].articles'
    """
    whole = as_json or show_all or article_id is not None
    capped = top is None and not whole
    top = rows_to_show(top, TABLE_TOP, in_table=not whole, show_all=show_all)
    with open_store(db) as store:
        holding = None if article_id is None else resolve_id(store, article_id)
        total, found = iter_clusters(store, threshold, top, holding)
        if as_json:
            stream_json(found)
            return
        shown = list(found)
    if capped:  # rich draws long tables slowly
        rows = list(itertools.accumulate(len(c["articles"]) for c in shown))
        shown = shown[: max(1, sum(1 for n in rows if n <= TABLE_ROWS))]
    from corpus.render import stdout_console  # rich: only for a table
    from corpus.views.dupes import clusters_table

    stdout_console().print(clusters_table(shown, total, threshold, holding))


COMMANDS = [dupes_command]
