"""Search for Chinese, Japanese and Korean terms, which FTS5's unicode61 index cannot find.

unicode61 makes one token of a run of letters between spaces: a Japanese sentence is one token,
and a Korean word carries its particles (네이버는), so `search ドコモ` found 0 of the 2 bench
articles that hold it. A query with a CJK character is therefore answered by substring:

* terms of three or more characters through `articles_cjk`, an FTS5 index with the trigram
  tokenizer over the titles and bodies of Japanese, Korean and Chinese articles (migration 6,
  kept by triggers), together with the unicode61 index for any article (a Korean word between
  spaces in an English one);
* shorter terms (日本, 한국: trigrams cannot hold them) by a scan of every title and body.

Every term must occur (a phrase is one term; the FTS5 operators are not read here). Results are
ranked by occurrences, a title's counting double (the `bm25` field holds minus that count, so
that lower is better as for FTS5's bm25), and get a snippet around the first occurrence.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence

from corpus.queries import Row, dict_rows
from corpus.store import Store

CJK = re.compile(
    r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7a3\uf900-\ufaff\uff66-\uff9f]"
)
CJK_LANGUAGES = ("ja", "ko", "zh")
TRIGRAM_MIN = 3
SNIPPET_REACH = 40  # characters of context before the first occurrence
SNIPPET_CHARS = 120

_QUOTED = re.compile(r'"([^"]*)"|(\S+)')


def has_cjk(text: str) -> bool:
    return CJK.search(text) is not None


def terms_of(query: str, phrase: bool) -> list[str]:
    """The substrings that must all occur: the whole query as a phrase, else its words and
    "quoted phrases"."""
    if phrase:
        return [query.strip()]
    return [quoted or word for quoted, word in _QUOTED.findall(query) if (quoted or word).strip()]


def search(
    store: Store,
    query: str,
    *,
    source: str | None,
    entity: str | None,
    kind: str | None,
    limit: int | None,
    phrase: bool,
    scope: tuple[str, Sequence[object]] = ("1", ()),
) -> list[Row]:
    """`scope` is a condition on `a.id` and its parameters (`queries.in_scope`)."""
    terms = terms_of(query, phrase)
    ids: set[int] | None = None
    for term in terms:
        found = _rowids(store, term)
        ids = found if ids is None else ids & found
        if not ids:
            return []
    assert ids is not None
    rows = _filtered(store, sorted(ids), source, entity, kind, scope)
    for row in rows:
        title, body = row.pop("title") or "", row.pop("body")
        score = sum(2 * title.count(t) + body.count(t) for t in terms)
        row["bm25"] = float(-score)
        row["title"], row["title_highlights"] = title, _occurrences(title, terms)
        row["snippet"], row["highlights"] = _snippet(body, terms)
    rows.sort(key=lambda row: (row["bm25"], row["id"]))
    return rows if limit is None else rows[:limit]


def _rowids(store: Store, term: str) -> set[int]:
    """Rowids of the articles whose title or body holds `term`."""
    if len(term) >= TRIGRAM_MIN:
        quoted = '"' + term.replace('"', '""') + '"'
        rows = store.conn.execute(
            "SELECT rowid FROM articles_cjk WHERE articles_cjk MATCH ?1 "
            "UNION SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?1",
            (quoted,),
        )
        return {row[0] for row in rows}
    pattern = "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    rows = store.conn.execute(
        "SELECT rowid FROM articles WHERE body LIKE ?1 ESCAPE '\\' OR title LIKE ?1 ESCAPE '\\'",
        (pattern,),
    )
    return {row[0] for row in rows}


def _filtered(
    store: Store,
    rowids: list[int],
    source: str | None,
    entity: str | None,
    kind: str | None,
    scope: tuple[str, Sequence[object]],
) -> list[Row]:
    condition, params = scope
    return dict_rows(
        store.conn.execute(
            "SELECT a.id, a.kind, a.source, a.date, a.lang, a.words, a.title, a.body "
            "FROM articles a WHERE a.rowid IN (SELECT value FROM json_each(?))"
            " AND (? IS NULL OR a.source = ? COLLATE NOCASE)"
            " AND (? IS NULL OR EXISTS (SELECT 1 FROM mentions m"
            "  WHERE m.article_id = a.id AND m.entity_id = ?))"
            f" AND (? IS NULL OR a.kind = ?) AND {condition}",
            [json.dumps(rowids), source, source, entity, entity, kind, kind, *params],
        )
    )


def _occurrences(text: str, terms: Iterable[str]) -> list[list[int]]:
    spans = []
    for term in terms:
        start = text.find(term)
        while term and start != -1:
            spans.append([start, start + len(term)])
            start = text.find(term, start + len(term))
    return sorted(spans)


def _snippet(body: str, terms: list[str]) -> tuple[str, list[list[int]]]:
    """About SNIPPET_CHARS of one-line text around the first occurrence, and the occurrences
    in it."""
    firsts = [i for i in (body.find(t) for t in terms) if i != -1]
    start = max(0, min(firsts, default=0) - SNIPPET_REACH)
    end = min(len(body), start + SNIPPET_CHARS)
    text = body[start:end].replace("\n", " ")
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(body) else ""
    spans = [[a + len(prefix), b + len(prefix)] for a, b in _occurrences(text, terms)]
    return prefix + text + suffix, spans
