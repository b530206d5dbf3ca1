"""The `corpus` command: a thin layer over the library, one module per command group.

Command modules are imported only when their command runs, so that a read command never pays
for what `ingest` needs (spaCy, numpy): start-up time is part of the product.
"""

from __future__ import annotations

import importlib

import click

# command name -> the module under corpus.cli that defines it (in its COMMANDS list)
COMMAND_MODULES: dict[str, str] = {
    "ingest": "ingest",
    "retag": "ingest",
    "tag": "ingest",
    "list": "articles",
    "show": "articles",
    "entities": "entities",
    "summary": "explore",
    "mentions": "explore",
    "cooccur": "explore",
    "search": "explore",
    "export": "explore",
    "check": "maintenance",
    "merge": "merges",
    "unmerge": "merges",
    "merges": "merges",
    "report": "report",
    "dupes": "dupes",
}


class LazyGroup(click.Group):
    """A group that imports a command's module on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMAND_MODULES)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        module_name = COMMAND_MODULES.get(cmd_name)
        if module_name is None:
            return None
        module = importlib.import_module(f"corpus.cli.{module_name}")
        commands: list[click.Command] = module.COMMANDS
        return next(command for command in commands if command.name == cmd_name)


@click.group(
    cls=LazyGroup,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(None, "--version", "-V", package_name="corpus", prog_name="corpus")
def main() -> None:
    """Turn folders of raw news-article text into a searchable, entity-tagged corpus.

    \b
    Start with:
      corpus ingest seeds/        parse, tag and store every *.txt file under seeds/
      corpus list                 the stored articles
      corpus show 38dc            one article: metadata, summary, entities, text
      corpus entities             who is mentioned, how often, in how many articles

    The store is an SQLite file, data/corpus.db by default (--db or CORPUS_DB to change).
    Exit status: 0 success, 1 failure (a file or the store; the message says which), 2 usage.
    """
