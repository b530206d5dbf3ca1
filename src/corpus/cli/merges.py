"""`corpus merge`, `corpus unmerge` and `corpus merges`: entities made one by hand."""

from __future__ import annotations

from pathlib import Path

import click

from corpus import merges
from corpus.analysis import find_entity
from corpus.cli.options import (
    CorpusError,
    handle_errors,
    json_option,
    open_store,
    print_json,
    store_option,
)
from corpus.render import safe, stdout_console
from corpus.store import now
from corpus.views.merges import merges_table


@click.command("merge")
@click.argument("sources", nargs=-1, required=True)
@click.option("--into", "target", required=True, help="The entity the others become.")
@store_option
@handle_errors
def merge_command(sources: tuple[str, ...], target: str, db: Path) -> None:
    """Make entities one: every mention of each SOURCE counts as TARGET, in every command.

    Instant (no re-tagging), kept across `retag` and re-ingest, undone by `corpus unmerge`.
    Entities are given by id, name or any alias, as `corpus mentions` takes them.

    \b
    Examples:
      corpus merge person:idezawa --into "person:takeshi idezawa"
      corpus merge org:pipc "org:the pipc" --into "org:personal information protection commission"
    """
    with open_store(db, readonly=False) as store:
        into = find_entity(store, target)["id"]
        ids = [find_entity(store, source)["id"] for source in sources]
        with store.transaction() as conn:
            try:
                moved = merges.merge(conn, ids, into, stamp=now())
            except merges.MergeError as error:
                raise CorpusError(str(error)) from None
    click.echo(safe(f"merged {', '.join(moved)} into {into}"))


@click.command("unmerge")
@click.argument("entity")
@store_option
@handle_errors
def unmerge_command(entity: str, db: Path) -> None:
    """Undo a merge: ENTITY (a merged source, or a target: all merged into it) is restored.

    The pair then stays apart: merging across articles does not redo it.

    \b
    Examples:
      corpus unmerge person:idezawa
    """
    with open_store(db, readonly=False) as store, store.transaction() as conn:
        try:
            restored = merges.unmerge(conn, entity.strip())
        except merges.MergeError as error:
            raise CorpusError(f"{error}; `corpus merges` lists the merges") from None
    click.echo(safe(f"restored {', '.join(restored)}"))


@click.command("merges")
@click.option(
    "--gazetteer",
    "as_gazetteer",
    is_flag=True,
    help="Print the merges as gazetteer TOML: each target with its surface forms as aliases "
    "(a person's part names, such as a surname alone, in a comment).",
)
@json_option
@store_option
@handle_errors
def merges_command(as_gazetteer: bool, as_json: bool, db: Path) -> None:
    """The merges: by hand, across articles ("auto", with the evidence), and kept apart.

    \b
    Examples:
      corpus merges
      corpus merges --gazetteer > merged.toml && corpus retag --gazetteer merged.toml
    """
    with open_store(db) as store:
        if as_gazetteer:
            click.echo(merges.gazetteer_toml(store.conn), nl=False)
            return
        rows = merges.merge_rows(store.conn)
    if as_json:
        print_json(rows)
    else:
        stdout_console().print(merges_table(rows))


COMMANDS = [merge_command, unmerge_command, merges_command]
