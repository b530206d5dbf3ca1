"""Options and error handling shared by every command."""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
import sqlite3
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import click

from corpus.errors import GazetteerError, ModelNotFound, NotFound
from corpus.escapes import UNSAFE_IN_JSON, UNSAFE_IN_LINE, escape
from corpus.parallel import chunked
from corpus.store import DEFAULT_DB, Store, StoreError, describe_sqlite_error

F = TypeVar("F", bound=Callable[..., Any])

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def store_option(func: F) -> F:
    return click.option(
        "--db",
        "db",
        type=click.Path(path_type=Path, dir_okay=False),
        default=DEFAULT_DB,
        envvar="CORPUS_DB",
        show_default=True,
        show_envvar=True,
        help="The store file (created by `ingest` when missing).",
    )(func)


def json_option(func: F) -> F:
    return click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")(
        func
    )


def language_code(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is None:
        return None
    code = value.strip().lower()
    if not re.fullmatch(r"[a-z]{2,3}", code):
        raise click.BadParameter(f"{value!r} is not a language code (ISO 639-1: en, ja, ko...)")
    return code


def _lang_option(func: F) -> F:
    return click.option(
        "--lang",
        metavar="CODE",
        callback=language_code,
        help="Only articles in this language (ISO 639-1: en, ja, ko, zh...; see `corpus summary`).",
    )(func)


def _iso_day(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value.strip()).isoformat()
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date as YYYY-MM-DD") from None


def _dedupe_option(func: F) -> F:
    return click.option(
        "--dedupe",
        is_flag=True,
        help="Each cluster of near-duplicates once, by its representative (see `corpus dupes`).",
    )(func)


def _date_options(func: F) -> F:
    undated = "undated articles, and those dated without a year (Apr 10), are left out"
    for name, side in (("--until", "on or before"), ("--since", "on or after")):
        func = click.option(
            name,
            metavar="YYYY-MM-DD",
            callback=_iso_day,
            help=f"Only articles dated {side} this day ({undated}).",
        )(func)
    return func


def scope_options(func: F) -> F:
    """--lang, --since, --until and --dedupe: which articles a read command takes, given to
    the command as one `scope` (a `corpus.scope.Scope`)."""

    @functools.wraps(func)
    def scoped(*args: Any, **kwargs: Any) -> Any:
        from corpus.scope import Scope

        lang, since, until = kwargs.pop("lang"), kwargs.pop("since"), kwargs.pop("until")
        if since and until and since > until:
            raise click.UsageError(f"--since is after --until ({since} > {until})")
        scope = Scope(lang=lang, since=since, until=until, dedupe=kwargs.pop("dedupe"))
        return func(*args, scope=scope, **kwargs)

    return _lang_option(_date_options(_dedupe_option(scoped)))  # type: ignore[return-value]


def label_options(func: F) -> F:
    """--label (repeatable) and --all-labels: which entities a read command shows, given to
    the command as one `labels` (a `corpus.labels.Labels`): names unless told otherwise."""
    from corpus.aggregates import VALUE_LABELS
    from corpus.labels import NAME_LABELS, Labels

    @functools.wraps(func)
    def labelled(*args: Any, **kwargs: Any) -> Any:
        labels = Labels.of(kwargs.pop("label"), kwargs.pop("all_labels"))
        return func(*args, labels=labels, **kwargs)

    values = ", ".join(sorted(VALUE_LABELS))
    all_labels = click.option(
        "--all-labels",
        is_flag=True,
        help=f"Also dates, times, numbers and amounts ({values}); without it (and without "
        "--label) only names.",
    )
    label = click.option(
        "--label",
        metavar="LABEL",
        multiple=True,
        help=f"Only this label (repeatable): {', '.join(NAME_LABELS)}, or a value label.",
    )
    return label(all_labels(labelled))  # type: ignore[return-value]


def rows_to_show(
    requested: int | None, default: int, *, in_table: bool, show_all: bool = False
) -> int | None:
    """How many rows a listing shows (None: all): all with --all, else as asked, else
    `default` in a table, which rich draws slowly; JSON and CSV are complete unless asked."""
    if show_all:
        return None
    if requested is None and in_table:
        return default
    return requested


def print_json(data: object) -> None:
    text = json.dumps(data, ensure_ascii=False, indent=2)
    click.echo(escape(text, UNSAFE_IN_JSON, as_json=True))


JSON_CHUNK = 256  # rows written at once: neither a write per row nor the whole list


def stream_json(rows: Iterable[object]) -> None:
    """A JSON array, one compact row a line, written a chunk of rows at a time as the rows
    come, so that a large result is never held whole (nor indented: slow in Python)."""
    encode = json.JSONEncoder(ensure_ascii=False).encode
    stream_json_texts(encode(row) for row in rows)


def stream_json_texts(texts: Iterable[str]) -> None:
    """`stream_json` of rows already written as JSON, one text each (by SQLite, say)."""
    out = sys.stdout
    opened = False
    for chunk in chunked(texts, JSON_CHUNK):
        out.write(("[\n", ",\n")[opened] + escape(",\n".join(chunk), UNSAFE_IN_JSON, as_json=True))
        opened = True
    out.write("\n]\n" if opened else "[]\n")
    out.flush()


class CorpusError(click.ClickException):
    """A failure the user can act on: printed as one line, exit status 1."""

    exit_code = EXIT_FAILED

    def show(self, file: Any = None) -> None:
        click.echo(f"corpus: error: {self.format_message()}", err=True)


def handle_errors(func: F) -> F:
    """Turn the library's expected failures into one-line errors instead of tracebacks."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except (StoreError, NotFound, ModelNotFound, GazetteerError) as error:
            raise CorpusError(str(error)) from None
        except sqlite3.Error as error:  # e.g. corruption found by a read, past opening the store
            store = Path(kwargs.get("db") or DEFAULT_DB)
            raise CorpusError(describe_sqlite_error(store, error)) from None
        except KeyboardInterrupt:
            click.echo("corpus: interrupted; what was committed is kept", err=True)
            sys.exit(130)
        except BrokenPipeError:
            sys.stderr.close()  # output piped to a closed reader such as `head`
            sys.exit(EXIT_OK)

    return wrapper  # type: ignore[return-value]


def note(message: str) -> None:
    """A `note:` line on stderr, escaped to one printable line."""
    click.echo(f"note: {escape(message, UNSAFE_IN_LINE)}", err=True)


@contextmanager
def open_store(
    db: Path, *, readonly: bool = True, on_upgrade: Callable[[str], None] = note
) -> Iterator[Store]:
    store = Store.open(db, readonly=readonly, on_upgrade=on_upgrade)
    try:
        yield store
    finally:
        store.close()
