"""`corpus check`: verifying the store, reading only."""

from __future__ import annotations

from pathlib import Path

import click

from corpus.check import Problem, check_store, counts
from corpus.cli.options import (
    EXIT_FAILED,
    handle_errors,
    json_option,
    open_store,
    print_json,
    store_option,
)
from corpus.loader import printable
from corpus.render import safe


@click.command("check")
@json_option
@store_option
@handle_errors
def check_command(as_json: bool, db: Path) -> None:
    """Verify the store, changing nothing; exit status 1 when anything is wrong.

    Runs SQLite's integrity check, compares every file's stored bytes with their recorded
    size and sha256, every item's text with its file, every article id with its title and
    body, and every entity mention and sentence with the body it points into. Each problem is
    one line on stdout; the verdict is the last line, on stderr.

    \b
    Examples:
      corpus check
      corpus check --json | jq '.problems[].message'
    """
    with open_store(db) as store:
        problems = check_store(store)
        totals = counts(store)
    if as_json:
        print_json(
            {
                "store": str(db),
                "ok": not problems,
                "checked": totals,
                "problems": [problem.as_dict() for problem in problems],
            }
        )
    else:
        for problem in problems:
            click.echo(safe(str(problem)))
        click.echo(verdict(db, problems, totals), err=True)
    if problems:
        raise SystemExit(EXIT_FAILED)


def verdict(db: Path, problems: list[Problem], totals: dict[str, int]) -> str:
    checked = ", ".join(f"{count} {table}" for table, count in totals.items() if count >= 0)
    found = f"{len(problems)} problem{'s' * (len(problems) != 1)}" if problems else "ok"
    return f"{printable(db)}: {found} ({checked} checked)"


COMMANDS = [check_command]
