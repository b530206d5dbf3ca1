"""`corpus check`: verifying the store, reading only."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from corpus.check import CheckReport, counts, repair, run_checks
from corpus.cli.options import (
    EXIT_FAILED,
    handle_errors,
    json_option,
    open_store,
    print_json,
    store_option,
)
from corpus.loader import printable
from corpus.render import safe, stderr_console


@click.command("check")
@click.option(
    "--repair",
    "repair_counts",
    is_flag=True,
    help="First recount the aggregate counts from the rows and rename the entities from them "
    "(the only things it changes).",
)
@json_option
@store_option
@handle_errors
def check_command(repair_counts: bool, as_json: bool, db: Path) -> None:
    """Verify the store, changing nothing; exit status 1 when anything is wrong.

    Runs SQLite's integrity check, compares every file's stored bytes with their recorded
    size and sha256, every item's text with its file, every article id with its title and
    body, every entity mention and sentence with the body it points into, and the search
    index with the articles (skipped, and said so, when the store is read-only or being
    written), the counts read commands answer from with a recount from the rows, and each
    entity's name with the one its counted forms choose. Each problem is one line on stdout;
    the verdict is the last line, on stderr. With --repair, the counts are recounted and the
    names chosen again first (in one transaction), then everything is checked.

    \b
    Examples:
      corpus check
      corpus check --json | jq '.problems[].message'
      corpus check --repair
    """
    if repair_counts:
        with open_store(db, readonly=False) as store:
            repair(store)
    with open_store(db) as store, _progress() as on_check:
        report = run_checks(store, on_check)
        totals = counts(store)
    if as_json:
        print_json(
            {
                "store": str(db),
                "ok": not report.problems,
                "checked": totals,
                "skipped": report.skipped,
                "problems": [problem.as_dict() for problem in report.problems],
            }
        )
    else:
        for problem in report.problems:
            click.echo(safe(str(problem)))
        for skipped in report.skipped:
            click.echo(f"note: {skipped}", err=True)
        click.echo(verdict(db, report, totals), err=True)
    if report.problems:
        raise SystemExit(EXIT_FAILED)


@contextmanager
def _progress() -> Iterator[Callable[[str], None]]:
    """On a terminal, which check is running (and the time so far), on stderr."""
    console = stderr_console()
    if not console.is_terminal:
        yield lambda name: None
        return
    with console.status("checking") as status:
        started = time.monotonic()
        yield lambda name: status.update(f"checking {name} ({time.monotonic() - started:.0f} s)")


def verdict(db: Path, report: CheckReport, totals: dict[str, int]) -> str:
    checked = ", ".join(f"{count} {table}" for table, count in totals.items() if count >= 0)
    problems = len(report.problems)
    found = f"{problems} problem{'s' * (problems != 1)}" if problems else "ok"
    return f"{printable(db)}: {found} ({checked} checked)"


COMMANDS = [check_command]
