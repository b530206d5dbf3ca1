"""`corpus ingest`, `corpus retag` and `corpus tag`: the commands that run the NLP pipeline."""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

import click

from corpus.cli.options import (
    EXIT_FAILED,
    CorpusError,
    handle_errors,
    json_option,
    language_code,
    open_store,
    print_json,
    store_option,
)
from corpus.ingest import Ingest, IngestOptions, IngestReport, Reporter
from corpus.loader import FORMAT_NAMES
from corpus.loader.records import FIELDS, FieldMap
from corpus.tagging import (
    BATCH_CHARACTERS,
    ENGINES,
    Fingerprints,
    LocalEngine,
    SummarizingTagger,
)

if TYPE_CHECKING:
    from rich.console import Console

    from corpus.engines import Engine

F = TypeVar("F", bound=Callable[..., Any])


def pipeline_options(func: F) -> F:
    func = click.option(
        "--gazetteer",
        "gazetteers",
        multiple=True,
        envvar="CORPUS_GAZETTEER",
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        help="An extra gazetteer TOML file merged over the shipped one (repeatable).",
    )(func)
    return click.option(
        "--model",
        envvar="CORPUS_MODEL",
        show_envvar=True,
        help="spaCy model package or path (default: en_core_web_sm, else its pinned copy).",
    )(func)


def engine_options(func: F) -> F:
    func = click.option(
        "--workers",
        type=click.IntRange(min=1),
        help="Worker processes of the local Dask cluster (default: the number of cores).",
    )(func)
    func = click.option(
        "--scheduler",
        metavar="tcp://HOST:PORT",
        help="Tag on the running Dask cluster of this scheduler (with --engine dask).",
    )(func)
    return click.option(
        "--engine",
        type=click.Choice(ENGINES),
        default="local",
        show_default=True,
        help="Where tagging runs: this machine, or a Dask cluster (pip install '.[dask]').",
    )(func)


@contextmanager
def tagging_engine(
    name: str, scheduler: str | None, workers: int | None, warn: Callable[[str], None]
) -> Iterator[Engine]:
    """The engine, opened before the store is touched; its errors are one line, exit 1."""
    if name == "local" and (scheduler or workers):
        raise click.UsageError("--scheduler and --workers need --engine dask")
    if name == "local":  # without importing the other engines
        yield LocalEngine()
        return
    from corpus.engines import DaskSettings, EngineError, open_engine

    if scheduler and workers:
        raise click.UsageError("--workers starts a local cluster; it cannot go with --scheduler")
    settings = DaskSettings(scheduler=scheduler, workers=workers or os.cpu_count() or 1)
    try:
        engine = open_engine(name, settings, warn=warn)
        try:
            yield engine
        finally:
            engine.close()
    except EngineError as error:
        raise CorpusError(str(error)) from None


class EngineChoice(NamedTuple):
    """What --engine, --scheduler and --workers chose."""

    name: str
    scheduler: str | None
    workers: int | None


@contextmanager
def ingest_job(
    db: Path,
    options: IngestOptions,
    engine: EngineChoice,
    model: str | None,
    gazetteers: tuple[Path, ...],
    *,
    progress: bool = False,
) -> Iterator[Ingest]:
    """An ingest job on the store, tagging on the chosen engine, reporting to stderr."""
    with (
        progress_reporter(progress) as reporter,
        tagging_engine(*engine, reporter.warning) as tagging,
        open_store(db, readonly=False, on_upgrade=reporter.note) as store,
    ):
        store.on_wait = reporter.warning
        tagger = tagging.tagger_factory(model, gazetteers)
        fingerprints = Fingerprints.remembered(model, gazetteers, store)
        yield Ingest(store, tagger, fingerprints, options, reporter)


@contextmanager
def progress_reporter(enabled: bool) -> Iterator[Reporter]:
    """A reporter printing warnings and errors to stderr, with a progress bar on a terminal.

    rich is imported only for a terminal: a re-ingest of unchanged files to a pipe or a file
    imports none of it, and prints its notes as rich would.
    """

    @functools.cache
    def console() -> Console:
        from corpus.render import stderr_console

        return stderr_console()

    plain = not _may_be_terminal()

    def printer(prefix: str, style: str = "") -> Callable[[str], None]:
        def say(message: str) -> None:
            if plain and "\t" not in message:  # as rich would print it (it expands tabs by
                click.echo(plain_line(f"{prefix}: {message}"), err=True)  # cell widths)
                return
            from rich.text import Text

            console().print(Text(f"{prefix}: {message}", style=style))

        return say

    reporter = Reporter(
        warning=printer("warning", "yellow"), note=printer("note"), error=printer("error", "red")
    )
    if not (enabled and _may_be_terminal() and console().is_terminal):
        yield reporter
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console(), transient=True) as progress:
        task = progress.add_task("files", total=None)
        tagged = progress.add_task("articles tagged", total=None, visible=False)
        reporter.files_found = lambda count: progress.update(task, total=count)
        reporter.file_done = lambda path: progress.advance(task)
        reporter.tagging_started = lambda: progress.update(tagged, visible=True)
        reporter.articles_tagged = lambda count: progress.advance(tagged, count)
        yield reporter


_STRIPPED_BY_RICH = dict.fromkeys(map(ord, "\a\b\v\f\r"))


def plain_line(text: str) -> str:
    """A line of no tab as rich prints it where there is no terminal: without the control
    characters it strips."""
    return text.translate(_STRIPPED_BY_RICH)


def _may_be_terminal() -> bool:
    """False when rich would plainly not take stderr for a terminal (asked without it)."""
    forced = "FORCE_COLOR" in os.environ or "TTY_COMPATIBLE" in os.environ
    return forced or sys.stderr.isatty()


def finish(report: IngestReport, as_json: bool) -> None:
    if as_json:
        print_json(
            {
                "files": report.files,
                "new": report.new,
                "unchanged": report.unchanged,
                "duplicates": report.duplicates,
                "skipped_records": report.skipped_records,
                "replaced_files": report.replaced_files,
                "retagged": report.retagged,
                "merged": report.merged,
                "failed": report.failed,
                "warnings": report.warnings,
                "skipped": report.skipped,
            }
        )
    else:
        click.echo(report.summary(), err=True)
    if report.failed:
        raise SystemExit(EXIT_FAILED)


@click.command("ingest")
@click.argument("paths", nargs=-1, required=True)
@click.option(
    "--glob",
    "pattern",
    help="Which files to take from directories (default: every supported format, by suffix).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMAT_NAMES, case_sensitive=False),
    help="Read every file as this format (and take only its suffixes from directories).",
)
@click.option(
    "--field",
    "field_specs",
    multiple=True,
    metavar="NAME=PATH",
    help=f"Where records (JSONL, CSV) keep a field, by dotted path: body=content, "
    f"source=source.name (repeatable; NAME is one of {', '.join(FIELDS)}).",
)
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1),
    default=lambda: os.cpu_count() or 1,
    show_default="the number of cores",
    help="Processes for tagging (--engine local; a Dask cluster has its workers).",
)
@click.option(
    "--batch-size",
    type=click.IntRange(min=1),
    default=64,
    show_default=True,
    help=f"Articles per spaCy batch (a batch also stops at {BATCH_CHARACTERS:,} characters).",
)
@click.option(
    "--all-files",
    is_flag=True,
    help="Also take README, LICENSE, CHANGES, COPYING, NOTICE and AUTHORS files found in "
    "directories (skipped by default, with a note).",
)
@click.option("--progress/--no-progress", default=True, help="Progress bar on a terminal.")
@engine_options
@pipeline_options
@json_option
@store_option
@handle_errors
def ingest_command(
    paths: tuple[str, ...],
    pattern: str | None,
    fmt: str | None,
    field_specs: tuple[str, ...],
    jobs: int,
    batch_size: int,
    all_files: bool,
    progress: bool,
    engine: str,
    scheduler: str | None,
    workers: int | None,
    model: str | None,
    gazetteers: tuple[Path, ...],
    as_json: bool,
    db: Path,
) -> None:
    """Parse, tag and store news articles from files, directories or globs.

    Reads plain text (.txt), saved web pages (.html, .htm, .xhtml: the article's text and
    metadata, without menus, banners or comments), exports of one article a record (JSON Lines
    .jsonl/.ndjson, CSV/TSV with a header row) and WARC crawls (.warc, .warc.gz: each HTML page).
    A directory gives every file of these formats, in any case of suffix; a named file of
    another suffix is read as plain text. Record files are streamed (the size limit is per
    record), a bad record is named with its line and the others are stored, and a file that
    grew is read on from where it ended.

    Idempotent: unchanged files are skipped, a changed file replaces its articles, and the same
    text in two files is stored once with both paths. A file that cannot be read is named on
    stderr and the others are still ingested; the exit status is then 1. README, LICENSE,
    CHANGES, COPYING, NOTICE and AUTHORS files found in directories are not articles: each gets
    a `note:` line and is skipped (`--all-files` takes them; a file named alone is taken).

    \b
    Examples:
      corpus ingest seeds/
      corpus ingest 'archive/**/*.txt' --db line.db
      corpus ingest notes/ --glob '*.md' --jobs 2
      corpus ingest saved-pages/ --format html
      corpus ingest newsapi.jsonl --field body=content --field source=source.name
      corpus ingest crawl/CC-NEWS-20240501.warc.gz
      corpus ingest archive/ --engine dask --workers 4
      corpus ingest archive/ --engine dask --scheduler tcp://10.0.0.5:8786
    """
    try:
        fields = FieldMap.parse(field_specs)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--field") from None
    options = IngestOptions(pattern, fmt, jobs, batch_size, all_files=all_files, fields=fields)
    engine_choice = EngineChoice(engine, scheduler, workers)
    with ingest_job(db, options, engine_choice, model, gazetteers, progress=progress) as job:
        report = job.run(list(paths))
    finish(report, as_json)


@click.command("retag")
@click.option("--stale", is_flag=True, help="Only articles tagged by another pipeline version.")
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Processes for tagging (--engine local; a Dask cluster has its workers).",
)
@engine_options
@pipeline_options
@json_option
@store_option
@handle_errors
def retag_command(
    stale: bool,
    jobs: int,
    engine: str,
    scheduler: str | None,
    workers: int | None,
    model: str | None,
    gazetteers: tuple[Path, ...],
    as_json: bool,
    db: Path,
) -> None:
    """Re-tag every stored article from its stored text, without re-reading files.

    \b
    Example:
      corpus retag --gazetteer my-names.toml
    """
    engine_choice = EngineChoice(engine, scheduler, workers)
    with ingest_job(db, IngestOptions(jobs=jobs), engine_choice, model, gazetteers) as job:
        job.retag(stale_only=stale)
    finish(job.report, as_json)


@click.command("tag")
@click.argument("source", type=click.File("r", encoding="utf-8", errors="replace"), default="-")
@click.option(
    "--lang",
    metavar="CODE",
    callback=language_code,
    help="The text's language (ISO 639-1), which chooses the pipeline  [default: detected]",
)
@pipeline_options
@json_option
@handle_errors
def tag_command(
    source: Any, lang: str | None, model: str | None, gazetteers: tuple[Path, ...], as_json: bool
) -> None:
    """Tag text from a FILE or stdin (-) and print its entities, storing nothing.

    The text's language is detected (or given with --lang) and chooses the pipeline, as at
    ingest. Use it to check a gazetteer edit before re-tagging the store.

    \b
    Examples:
      echo "Naver and SoftBank own LY Corp." | corpus tag - --json
      echo "네이버는 라인야후 지분을 팔지 않았다." | corpus tag - --lang ko
    """
    from corpus.render import stdout_console
    from corpus.views.articles import tagged_text

    text = source.read()
    tagger = SummarizingTagger(model, gazetteers)
    mentions = [m.model_dump() for m in tagger.tag_text(text, lang)]
    if as_json:
        print_json({"entities": mentions})
    else:
        stdout_console().print(tagged_text(text, mentions))


COMMANDS = [ingest_command, retag_command, tag_command]
