"""The `corpus` command: a thin layer over the library, one module per command group."""

from __future__ import annotations

import click

from corpus import __version__
from corpus.cli import articles, entities, explore, ingest, maintenance


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, "--version", "-V", prog_name="corpus")
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


for module in (ingest, articles, entities, explore, maintenance):
    for command in module.COMMANDS:
        main.add_command(command)
