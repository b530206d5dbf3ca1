"""`corpus list` and `corpus show`: reading articles from the store."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

import click

from corpus import queries
from corpus.cli.options import (
    handle_errors,
    json_option,
    open_store,
    print_json,
    rows_to_show,
    scope_options,
    store_option,
    stream_json,
)
from corpus.dupes.queries import near_duplicates
from corpus.queries import Row
from corpus.scope import Scope
from corpus.store import Store

TABLE_LIMIT = 100
LIST_KEYS = (
    "id",
    "kind",
    "title",
    "source",
    "date",
    "author",
    "place",
    "url",
    "lang",
    "path",
    "words",
)


@click.command("list")
@click.option("--kind", type=click.Choice(["article", "brief"]), help="Only this kind of item.")
@click.option("--source", help="Only articles from this source (exact).")
@scope_options
@click.option("--summaries", is_flag=True, help="Add each article's summary.")
@click.option("--sentences", default=2, show_default=True, help="Sentences per summary.")
@click.option(
    "--limit",
    type=click.IntRange(min=1),
    help=f"At most N articles. [default: {TABLE_LIMIT} in a table, all in JSON]",
)
@click.option("--all", "show_all", is_flag=True, help="Every article, also in a table.")
@json_option
@store_option
@handle_errors
def list_command(
    kind: str | None,
    source: str | None,
    scope: Scope,
    summaries: bool,
    sentences: int,
    limit: int | None,
    show_all: bool,
    as_json: bool,
    db: Path,
) -> None:
    """List the stored articles: id, kind, source, date, title, words.

    \b
    Example:
      corpus list --kind brief --json | jq '.[].title'
      corpus list --lang ja
      corpus list --since 2024-04-01 --until 2024-04-30
    """
    shown = rows_to_show(limit, TABLE_LIMIT, in_table=not as_json, show_all=show_all)
    with open_store(db) as store:
        rows = queries.article_rows(store, kind=kind, source=source, scope=scope, limit=shown)
        if as_json:  # streamed as read
            stream_json(_listed(store, rows, sentences if summaries else None))
            return
        table = list(rows)
        total = queries.count_articles(store, kind=kind, source=source, scope=scope)
        texts = None
        if summaries:
            texts = {row["id"]: _summary(store, row["id"], sentences) for row in table}
    from corpus.render import stdout_console  # rich: only for a table
    from corpus.views.articles import article_table

    stdout_console().print(article_table(table, texts, total))


def _listed(store: Store, rows: Iterable[Row], sentences: int | None) -> Iterator[Row]:
    """The rows of `list --json`: the documented keys, and a summary of `sentences`."""
    for row in rows:
        listed = {key: row[key] for key in LIST_KEYS}
        if sentences is not None:
            listed["summary"] = _summary(store, row["id"], sentences)
        yield listed


def _summary(store: Store, article_id: str, sentences: int) -> str:
    from corpus.views.articles import article_summary  # rich: only with --summaries

    return article_summary(queries.get_article(store, article_id), sentences)


@click.command("show")
@click.argument("article_id")
@click.option("--sentences", default=2, show_default=True, help="Sentences in the summary.")
@click.option(
    "--raw",
    is_flag=True,
    help="Write the exact bytes the article was read from to stdout: its file, or its record.",
)
@json_option
@store_option
@handle_errors
def show_command(article_id: str, sentences: int, raw: bool, as_json: bool, db: Path) -> None:
    """Show one article: metadata, summary, near-duplicates, entities, and the text with
    entities highlighted.

    ARTICLE_ID is any unique prefix of at least 4 characters of an id from `corpus list`.

    \b
    Example:
      corpus show 38dc
      corpus show 38dc28e4aff7 --json | jq '.entities[] | select(.label == "GOV")'
    """
    with open_store(db) as store:
        article = queries.get_article(store, queries.resolve_id(store, article_id))
        article["near_duplicates"] = near_duplicates(store, article["id"])
        data = queries.raw_item(store, article["id"]) if raw else None
    if data is not None:
        stdout: BinaryIO = sys.stdout.buffer
        stdout.write(data)
        stdout.flush()
        return
    from corpus.views.articles import article_panel, article_summary  # rich, to summarise

    if as_json:
        article["summary"] = article_summary(article, sentences)
        print_json(article)
        return
    from corpus.render import stdout_console

    stdout_console().print(article_panel(article, sentences))


COMMANDS = [list_command, show_command]
