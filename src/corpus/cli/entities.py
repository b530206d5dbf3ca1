"""`corpus entities`: the corpus-wide table of canonical entities."""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import NamedTuple

import click

from corpus import queries
from corpus.cli.options import (
    handle_errors,
    json_option,
    label_options,
    open_store,
    print_json,
    rows_to_show,
    scope_options,
    store_option,
    stream_json_texts,
)
from corpus.labels import Labels
from corpus.merges import candidate_rows as merge_candidates
from corpus.queries import Row
from corpus.scope import Scope

TABLE_TOP = 50
CSV_KEYS = ("id", "name", "label", "kind", "country", "mentions", "articles", "aliases")


@click.command("entities")
@label_options
@click.option(
    "--top",
    type=click.IntRange(min=1),
    help=f"Only the N most mentioned. [default: {TABLE_TOP} in a table, all in JSON and CSV]",
)
@click.option("--all", "show_all", is_flag=True, help="Every entity, also in a table.")
@click.option("--min-count", type=click.IntRange(min=1), default=1, help="At least N mentions.")
@click.option("--article", "article_id", help="Only the entities of this article (id prefix).")
@scope_options
@click.option(
    "--candidates",
    is_flag=True,
    help="List pairs of entities that may be one (with the evidence), to `corpus merge`.",
)
@click.option("--csv", "as_csv", is_flag=True, help="Print CSV instead of a table.")
@json_option
@store_option
@handle_errors
def entities_command(
    labels: Labels,
    top: int | None,
    show_all: bool,
    min_count: int,
    article_id: str | None,
    scope: Scope,
    candidates: bool,
    as_csv: bool,
    as_json: bool,
    db: Path,
) -> None:
    """Who is mentioned, how often and in how many articles, by canonical entity: names
    (people, organisations, governments, places...) unless --all-labels or --label.
    Each is named by its most frequent surface form.

    \b
    Examples:
      corpus entities --label GOV
      corpus entities --label PERSON --label ORG
      corpus entities --all-labels --top 20
      corpus entities --lang ko --top 20
      corpus entities --since 2024-01-01 --label ORG
      corpus entities --all | less -R
      corpus entities --top 20 --csv > entities.csv
      corpus entities --candidates
    """
    if candidates:
        show_candidates(db, top, show_all, as_json)
        return
    with open_store(db) as store:
        article = queries.resolve_id(store, article_id) if article_id else None
        top = rows_to_show(top, TABLE_TOP, in_table=not (as_json or as_csv), show_all=show_all)
        chosen = Filters(labels, article, min_count, top, scope)
        if as_json:  # streamed as read
            stream_json_texts(queries.entity_json(store, **chosen._asdict()))
            return
        if as_csv:
            _write_csv(json.loads(text) for text in queries.entity_json(store, **chosen._asdict()))
            return
        page, total = queries.entity_page(store, **chosen._asdict())
    from corpus.render import stdout_console  # rich: only for a table
    from corpus.views.entities import entity_table

    stdout_console().print(entity_table(page, total))


class Filters(NamedTuple):
    labels: Labels
    article: str | None
    min_count: int
    top: int | None
    scope: Scope


def _write_csv(rows: Iterable[Row]) -> None:
    writer = csv.writer(sys.stdout)
    writer.writerow(CSV_KEYS)
    for row in rows:
        writer.writerow([*(row[k] for k in CSV_KEYS[:-1]), "|".join(row["aliases"])])


def show_candidates(db: Path, top: int | None, show_all: bool, as_json: bool) -> None:
    with open_store(db) as store:
        rows = merge_candidates(store.conn)
    shown = rows[: rows_to_show(top, TABLE_TOP, in_table=not as_json, show_all=show_all)]
    if as_json:
        print_json(shown)
        return
    from corpus.render import stdout_console  # rich: only for a table
    from corpus.views.merges import candidates_table

    stdout_console().print(candidates_table(shown, len(rows)))


COMMANDS = [entities_command]
