"""The corpus as a whole: entity lookup, keyword in context, co-occurrence, overview, search.

Plain functions over the store returning plain dicts (like `queries.py`), shared by the views
and `--json`; one module per kind of question. Nothing here imports spaCy.
"""

from corpus.aggregates import VALUE_LABELS
from corpus.analysis.cooccur import (
    Cooccurrence,
    Unit,
    cooccurrence,
    count_pairs,
    pair_result,
    pair_rows,
    rank_pairs,
)
from corpus.analysis.corpus_overview import overview
from corpus.analysis.fulltext import BadQuery, phrase_query, search, search_rows, unmark
from corpus.analysis.keyword_context import KwicPage, kwic, kwic_page, kwic_rows
from corpus.analysis.lookup import entity_info, find_entity
from corpus.analysis.text import collapse, fold
from corpus.counted import association

__all__ = [
    "VALUE_LABELS",
    "BadQuery",
    "Cooccurrence",
    "KwicPage",
    "Unit",
    "association",
    "collapse",
    "cooccurrence",
    "count_pairs",
    "entity_info",
    "find_entity",
    "fold",
    "kwic",
    "kwic_page",
    "kwic_rows",
    "overview",
    "pair_result",
    "pair_rows",
    "phrase_query",
    "rank_pairs",
    "search",
    "search_rows",
    "unmark",
]
