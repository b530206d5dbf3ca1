"""`corpus summary`, `mentions`, `cooccur`, `search` and `export`: reading the whole corpus.

All of them read the store only; `export --format docbin` is the one path that imports spaCy.
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any, TypedDict

import click

from corpus import analysis
from corpus.cli.options import (
    CorpusError,
    handle_errors,
    json_option,
    label_options,
    open_store,
    print_json,
    rows_to_show,
    scope_options,
    store_option,
    stream_json,
)
from corpus.labels import Labels
from corpus.queries import Row
from corpus.scope import Scope

# Imported where they are used: rich (corpus.render, corpus.views) only for a table, and
# corpus.export only to export, so that a command starts with no more than it needs.

PIPE_WIDTH = 40  # KWIC context when stdout is not a terminal
TABLE_TOP = 40  # pairs shown in a cooccur table unless --top says otherwise
KWIC_LIMIT = 100  # mentions shown on screen unless --limit says otherwise
ID_WIDTH = 12


@click.command("summary")
@click.option(
    "--top",
    type=click.IntRange(min=1),
    default=5,
    show_default=True,
    help="Entities shown per label.",
)
@click.option(
    "--pairs",
    type=click.IntRange(min=0),
    default=10,
    show_default=True,
    help="Co-occurring pairs shown.",
)
@click.option(
    "--sources", type=click.IntRange(min=0), default=10, show_default=True, help="Sources shown."
)
@label_options
@scope_options
@json_option
@store_option
@handle_errors
def summary_command(
    top: int, pairs: int, sources: int, labels: Labels, scope: Scope, as_json: bool, db: Path
) -> None:
    """The corpus on one screen: articles by kind, language, source and date, words, top
    entities per label, and the entity pairs that most often share a sentence; names only
    (people, organisations, places...) unless --all-labels or --label.

    \b
    Examples:
      corpus summary
      corpus summary --all-labels
      corpus summary --lang ja --label ORG --label GOV
      corpus summary --json | jq '.labels[] | {label, mentions}'
    """
    with open_store(db) as store:
        data = analysis.overview(
            store, top=top, sources=sources, pairs=pairs, scope=scope, labels=labels
        )
    if as_json:
        print_json(data)
        return
    from corpus.render import stdout_console
    from corpus.views.overview import overview_view

    stdout_console().print(overview_view(data))


def _kwic_width(width: int | None) -> int:
    """The context each side: as given, else what fits the terminal (without rich, which
    `--json` does not import)."""
    if width is not None:
        return width
    if not sys.stdout.isatty():
        return PIPE_WIDTH
    columns = shutil.get_terminal_size().columns
    return max(10, min(80, (columns - ID_WIDTH - 16) // 2))


@click.command("mentions")
@click.argument("entity")
@click.option(
    "--width",
    "-w",
    type=click.IntRange(min=0),
    help="Characters of context each side  [default: fit the terminal; 40 in a pipe]",
)
@click.option("--label", help="Only an entity with this label (ORG, GOV, PERSON...).")
@click.option(
    "--limit",
    type=click.IntRange(min=1),
    help=f"Only the first N mentions. [default: {KWIC_LIMIT} on screen, all in JSON]",
)
@click.option("--all", "show_all", is_flag=True, help="Every mention, also on screen.")
@scope_options
@json_option
@store_option
@handle_errors
def mentions_command(
    entity: str,
    width: int | None,
    label: str | None,
    limit: int | None,
    show_all: bool,
    scope: Scope,
    as_json: bool,
    db: Path,
) -> None:
    """Every mention of one entity in context (keyword in context), article by article.

    ENTITY is the canonical name, the id or any alias as written in the text, in any case.

    \b
    Examples:
      corpus mentions Line
      corpus mentions naver --lang ko
      corpus mentions 'gov:kr:msit' --width 30
      corpus mentions Korea --label GPE --json | jq -r '.[].article' | sort -u
    """
    chars = _kwic_width(width)
    shown = rows_to_show(limit, KWIC_LIMIT, in_table=not as_json, show_all=show_all)
    with open_store(db) as store:
        found = analysis.find_entity(store, entity, label=label)
        if as_json:  # streamed as read
            stream_json(
                analysis.kwic_rows(store, found["id"], width=chars, scope=scope, limit=shown)
            )
            return
        page = analysis.kwic_page(store, found["id"], width=chars, scope=scope, limit=shown)
    from corpus.render import stdout_console
    from corpus.views.kwic import kwic_view

    stdout_console().print(kwic_view(found, page, chars), soft_wrap=True)


COOCCUR_FORMATS = ("table", "json", "csv", "graphml", "dot")


@click.command("cooccur")
@click.argument("entity", required=False)
@click.option(
    "--by",
    "unit",
    type=click.Choice(["sentence", "article"]),
    default="sentence",
    show_default=True,
    help="What counts as occurring together.",
)
@label_options
@click.option(
    "--min-count",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Only pairs seen together at least N times.",
)
@click.option(
    "--top",
    type=click.IntRange(min=1),
    help=f"Only the first N pairs  [default: {TABLE_TOP} in a table, all otherwise]",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(COOCCUR_FORMATS),
    default="table",
    show_default=True,
    help="graphml opens in Gephi; dot renders with graphviz.",
)
@scope_options
@json_option
@store_option
@handle_errors
def cooccur_command(
    entity: str | None,
    unit: analysis.Unit,
    labels: Labels,
    min_count: int,
    top: int | None,
    fmt: str,
    scope: Scope,
    as_json: bool,
    db: Path,
) -> None:
    """Entity pairs mentioned in the same sentence (or article), with counts and PMI.

    PMI is log2(p(a,b) / (p(a) p(b))) over all sentences (or articles) of the store; NPMI
    scales it to [-1, 1]. Pairs are sorted by count, then PMI. With ENTITY (name, id or
    alias), only its pairs. Names only (people, organisations, places...), unless
    --all-labels or --label.

    \b
    Examples:
      corpus cooccur --label ORG --label GOV
      corpus cooccur --all-labels --top 20
      corpus cooccur Naver --by article
      corpus cooccur --lang ja --label ORG
      corpus cooccur Naver --since 2024-04-01 --until 2024-04-30
      corpus cooccur --min-count 2 --format graphml > pairs.graphml
      corpus cooccur --format dot | dot -Tsvg > pairs.svg
    """
    fmt = "json" if as_json else fmt
    top = rows_to_show(top, TABLE_TOP, in_table=fmt == "table")
    with open_store(db) as store:
        focus = analysis.find_entity(store, entity)["id"] if entity else None
        question: _PairQuestion = {
            "unit": unit,
            "entity": focus,
            "labels": labels.chosen,
            "all_labels": labels.all_labels,
            "min_count": min_count,
            "top": top,
            "scope": scope,
        }
        if fmt == "json":  # streamed as read, as is csv
            stream_json(analysis.pair_rows(store, **question))
            return
        if fmt == "csv":
            from corpus.export import pairs_csv

            pairs_csv(analysis.pair_rows(store, **question), sys.stdout)
            return
        result = analysis.cooccurrence(store, **question)
    _print_pairs(result, fmt)


class _PairQuestion(TypedDict):
    """What `cooccurrence` and `pair_rows` are asked."""

    unit: analysis.Unit
    entity: str | None
    labels: tuple[str, ...]
    all_labels: bool
    min_count: int
    top: int | None
    scope: Scope


def _print_pairs(result: analysis.Cooccurrence, fmt: str) -> None:
    if fmt in ("graphml", "dot"):
        from corpus.export import pairs_dot, pairs_graphml

        click.echo((pairs_graphml if fmt == "graphml" else pairs_dot)(result), nl=False)
        return
    from corpus.render import stdout_console
    from corpus.views.cooccur import cooccur_table

    stdout_console().print(cooccur_table(result.pairs, result.unit, result.units))


@click.command("search")
@click.argument("query")
@click.option("--source", help="Only articles from this source (case-insensitive).")
@click.option("--entity", help="Only articles mentioning this entity (name, id or alias).")
@click.option("--kind", type=click.Choice(["article", "brief"]), help="Only this kind of item.")
@click.option(
    "--limit", type=click.IntRange(min=1), default=20, show_default=True, help="At most N results."
)
@click.option("--phrase", is_flag=True, help="Match QUERY literally, as one phrase.")
@scope_options
@json_option
@store_option
@handle_errors
def search_command(
    query: str,
    source: str | None,
    entity: str | None,
    kind: str | None,
    limit: int,
    phrase: bool,
    scope: Scope,
    as_json: bool,
    db: Path,
) -> None:
    """Full-text search over titles and bodies, best match first (bm25, titles count double).

    QUERY is an SQLite FTS5 query: words (all must match), "a phrase", prefix*, OR, NOT,
    NEAR(a b), title:word. Case and accents are ignored.

    \b
    Examples:
      corpus search Kakao
      corpus search Kakao --lang ko
      corpus search Toshiba --since 2024-04-01
      corpus search '"personal data" NOT China' --source Nikkei
      corpus search 'messeng*' --entity Line --json | jq -r '.[].id'
    """
    with open_store(db) as store:
        entity_id = analysis.find_entity(store, entity)["id"] if entity else None
        try:
            rows = analysis.search_rows(
                store,
                query,
                source=source,
                entity=entity_id,
                kind=kind,
                limit=limit,
                phrase=phrase,
                scope=scope,
            )
        except analysis.BadQuery as error:
            raise CorpusError(str(error)) from None
        if as_json:  # streamed as read
            stream_json(rows)
            return
        found = list(rows)
    from corpus.render import stdout_console
    from corpus.views.search import search_view

    stdout_console().print(search_view(query, found))


EXPORT_FORMATS = ("jsonl", "csv", "docbin")


@click.command("export")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(EXPORT_FORMATS),
    default="jsonl",
    show_default=True,
    help="docbin is a spaCy DocBin (binary; needs --out or a pipe).",
)
@click.option(
    "--out",
    "-o",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write to this file (replaced only once complete) instead of stdout.",
)
@scope_options
@store_option
@handle_errors
def export_command(fmt: str, out: Path | None, scope: Scope, db: Path) -> None:
    """Export the articles with their entities: JSONL (one article per line), CSV (one row
    per article) or a spaCy DocBin whose Docs carry the entity spans (kb_id = entity id).

    \b
    Examples:
      corpus export > corpus.jsonl
      corpus export --format csv --out corpus.csv
      corpus export --lang ja > japanese.jsonl
      corpus export --format docbin --out corpus.spacy
    """
    binary = fmt == "docbin"
    if binary and out is None and sys.stdout.isatty():
        raise click.UsageError("a DocBin is binary: give --out FILE or redirect stdout")
    from corpus import export
    from corpus.render import stderr_console

    with open_store(db) as store:
        articles = export.export_articles(store, scope=scope)
        if out is not None:
            try:
                with export.replacing(out, binary=binary) as handle:
                    count = _write(fmt, articles, handle)
            except OSError as error:
                raise CorpusError(f"{out}: cannot write: {error.strerror or error}") from None
        elif binary:
            count = _write(fmt, articles, sys.stdout.buffer)
        else:
            count = _write(fmt, articles, sys.stdout)
    where = f" to {out}" if out else ""
    stderr_console().print(f"exported {count} articles{where}", markup=False, highlight=False)


def _write(fmt: str, articles: Iterator[Row], stream: IO[Any]) -> int:
    """Write in `fmt` to `stream` (text for jsonl and csv, binary for docbin)."""
    from corpus import export

    if fmt == "jsonl":
        return export.write_jsonl(articles, stream)
    if fmt == "csv":
        return export.write_csv(articles, stream)
    report = export.write_docbin(articles, stream)
    for problem in report.dropped:
        click.echo(f"warning: entity span left out: {problem}", err=True)
    return report.articles


COMMANDS = [summary_command, mentions_command, cooccur_command, search_command, export_command]
