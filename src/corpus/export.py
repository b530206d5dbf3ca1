"""Writing the corpus out: articles with their entities as JSONL, CSV or a spaCy DocBin, and
co-occurrence graphs as CSV, GraphML or DOT.

Only `write_docbin` imports spaCy, inside the function: every other path reads the store only.
"""

from __future__ import annotations

import bisect
import csv
import itertools
import json
import os
import re
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any
from xml.etree import ElementTree as ET

from corpus.analysis import Cooccurrence
from corpus.parallel import chunked
from corpus.queries import Row, list_articles
from corpus.scope import EVERYTHING, Scope
from corpus.store import Store

CHUNK = 500
ARTICLE_KEYS = (
    *("id", "kind", "title", "source", "date", "rights", "author", "place", "url", "lang"),
    *("words", "path", "body"),
)
CSV_KEYS = (
    *("id", "kind", "title", "source", "date", "author", "place", "url", "lang"),
    *("words", "path", "mentions", "entities"),
)
PAIR_KEYS = (
    *("a", "a_name", "a_label", "b", "b_name", "b_label"),
    *("count", "a_count", "b_count", "pmi", "npmi"),
)
GRAPHML_NS = "http://graphml.graphdrawing.org/xmlns"
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


# --- reading articles for export -------------------------------------------------------------


def export_articles(
    store: Store,
    ids: Sequence[str] | None = None,
    *,
    scope: Scope = EVERYTHING,
) -> Iterator[Row]:
    """Every article in `scope` (in `corpus list` order), or these ids in this order, with its
    body, entities and sentences.

    Mentions and sentences are read a chunk of articles at a time, not one query per article.
    """
    if ids is None:
        ids = [row["id"] for row in list_articles(store, scope=scope)]
    order = list(ids)
    for chunk in chunked(order, CHUNK):
        articles = _by_id(store, chunk)
        mentions = _grouped(
            store,
            "SELECT m.article_id, m.text, m.label, m.start, m.end, m.entity_id AS entity,"
            " coalesce(e.name, m.text) AS name FROM mentions m"
            " LEFT JOIN entities e ON e.id = m.entity_id"
            " WHERE m.article_id IN ({}) ORDER BY m.article_id, m.start",
            chunk,
        )
        sentences = _grouped(
            store,
            "SELECT article_id, start, end, rank FROM sentences "
            "WHERE article_id IN ({}) ORDER BY article_id, idx",
            chunk,
        )
        for article_id in chunk:
            yield articles[article_id] | {
                "entities": mentions.get(article_id, []),
                "sentences": sentences.get(article_id, []),
            }


def _by_id(store: Store, ids: Sequence[str]) -> dict[str, Row]:
    marks = ",".join("?" * len(ids))
    cursor = store.conn.execute(
        "SELECT a.id, a.kind, a.title, a.source, a.date, a.rights, a.author, a.place, a.url,"
        " a.lang, a.words,"
        " (SELECT o.path FROM occurrences o WHERE o.article_id = a.id"
        "  ORDER BY o.path, o.position LIMIT 1) AS path, a.body "
        f"FROM articles a WHERE a.id IN ({marks})",
        list(ids),
    )
    return {row[0]: dict(zip(ARTICLE_KEYS, row, strict=True)) for row in cursor}


def _grouped(store: Store, sql: str, ids: Sequence[str]) -> dict[str, list[Row]]:
    cursor = store.conn.execute(sql.format(",".join("?" * len(ids))), list(ids))
    names = [d[0] for d in cursor.description][1:]
    grouped: dict[str, list[Row]] = {}
    for article_id, *values in cursor:
        grouped.setdefault(article_id, []).append(dict(zip(names, values, strict=True)))
    return grouped


# --- article writers -------------------------------------------------------------------------


def write_jsonl(articles: Iterable[Row], out: IO[str]) -> int:
    """One JSON object per line per article; returns how many were written."""
    count = 0
    for article in articles:
        out.write(json.dumps(article, ensure_ascii=False) + "\n")
        count += 1
    return count


def entity_ids(article: Row) -> list[str]:
    """The article's distinct entity ids in order of first mention."""
    return list(dict.fromkeys(m["entity"] for m in article["entities"]))


def write_csv(articles: Iterable[Row], out: IO[str]) -> int:
    """One row per article: metadata, mention count, entity ids joined by "|", then the body."""
    writer = csv.writer(out)
    writer.writerow((*CSV_KEYS, "body"))
    count = 0
    for a in articles:
        row = (*(a[k] for k in CSV_KEYS[:-2]), len(a["entities"]), "|".join(entity_ids(a)))
        writer.writerow((*row, a["body"]))
        count += 1
    return count


@dataclass
class DocBinReport:
    articles: int = 0
    entities: int = 0
    dropped: list[str] = field(default_factory=list)  # spans that could not be set, and why


def split_points(article: Row) -> list[int]:
    """Offsets that must be token boundaries: every entity edge and sentence start."""
    points = {m["start"] for m in article["entities"]} | {m["end"] for m in article["entities"]}
    points |= {s["start"] for s in article["sentences"]}
    return sorted(points)


def tokens_for(
    body: str, natural: Iterable[tuple[int, str, bool]], points: list[int]
) -> tuple[list[str], list[bool]]:
    """Words and trailing-space flags rebuilding `body` exactly, with a boundary at every point.

    `natural` is the tokenizer's (offset, text, followed by a space) for each token; a token
    that straddles a point is cut there, so any entity span aligns to whole tokens.
    """
    words: list[str] = []
    spaces: list[bool] = []
    for start, text, space in natural:
        end = start + len(text)
        cuts = points[bisect.bisect_right(points, start) : bisect.bisect_left(points, end)]
        edges = [start, *cuts, end]
        for left, right in itertools.pairwise(edges):
            words.append(body[left:right])
            spaces.append(space and right == end)
    return words, spaces


def write_docbin(articles: Iterable[Row], out: IO[bytes]) -> DocBinReport:
    """A spaCy DocBin: one Doc per article with its entities (label, kb_id = entity id),
    sentence starts, and the article's metadata in `doc.user_data`."""
    import spacy
    from spacy.tokens import DocBin

    nlp = spacy.blank("en")
    docbin = DocBin(store_user_data=True)
    report = DocBinReport()
    for article in articles:
        docbin.add(_article_doc(nlp, article, report))
        report.articles += 1
    out.write(docbin.to_bytes())
    return report


def _article_doc(nlp: Any, article: Row, report: DocBinReport) -> Any:
    from spacy.tokens import Doc
    from spacy.util import filter_spans

    body: str = article["body"]
    natural = ((t.idx, t.text, bool(t.whitespace_)) for t in nlp.make_doc(body))
    words, spaces = tokens_for(body, natural, split_points(article))
    doc = Doc(
        nlp.vocab, words=words, spaces=spaces, sent_starts=_sent_starts(words, spaces, article)
    )
    spans = []
    for m in article["entities"]:
        span = doc.char_span(m["start"], m["end"], label=m["label"], kb_id=m["entity"])
        if span is None:
            report.dropped.append(f"{article['id']}: {m['start']}-{m['end']} is off the text")
        else:
            spans.append(span)
    kept = filter_spans(spans)
    for span in set(spans) - set(kept):
        report.dropped.append(f"{article['id']}: {span.start_char}-{span.end_char} overlaps")
    doc.ents = kept
    report.entities += len(kept)
    doc.user_data.update(
        {key: article[key] for key in ("id", "kind", "title", "source", "date", "path")}
    )
    return doc


def _sent_starts(
    words: list[str], spaces: list[bool], article: Row
) -> list[bool | int | None] | None:
    """Per token, whether a stored sentence starts there (None: no sentences stored).

    Given to the Doc constructor: setting `Token.is_sent_start` one by one is quadratic.
    """
    starts = {s["start"] for s in article["sentences"]}
    if not starts or not words:
        return None
    flags: list[bool | int | None] = []
    offset = 0
    for i, (word, space) in enumerate(zip(words, spaces, strict=True)):
        flags.append(i == 0 or offset in starts)
        offset += len(word) + space
    return flags


# --- co-occurrence writers -------------------------------------------------------------------


def pairs_csv(pairs: Iterable[Row], out: IO[str]) -> None:
    """The rows of `cooccurrence(...).pairs` (or `pair_rows`, streamed) as CSV."""
    writer = csv.writer(out)
    writer.writerow(PAIR_KEYS)
    for pair in pairs:
        writer.writerow([pair[k] for k in PAIR_KEYS])


def pairs_graphml(result: Cooccurrence) -> str:
    """An undirected GraphML graph (Gephi, yEd, networkx): entities as nodes, pairs as edges."""
    ET.register_namespace("", GRAPHML_NS)
    root = ET.Element(f"{{{GRAPHML_NS}}}graphml")
    # Gephi takes the node attribute "label" as the caption and the edge "weight" as weight.
    keys = (
        ("label", "node", "string"),
        ("type", "node", "string"),
        ("mentions", "node", "int"),
        ("units", "node", "int"),
        ("weight", "edge", "int"),
        ("pmi", "edge", "double"),
        ("npmi", "edge", "double"),
    )
    for name, domain, kind in keys:
        attrs = {"id": f"{domain[0]}_{name}", "for": domain, "attr.name": name}
        ET.SubElement(root, f"{{{GRAPHML_NS}}}key", attrs | {"attr.type": kind})
    graph = ET.SubElement(root, f"{{{GRAPHML_NS}}}graph", id="cooccurrence")
    graph.set("edgedefault", "undirected")
    for entity_id, entity in result.entities.items():
        node = ET.SubElement(graph, f"{{{GRAPHML_NS}}}node", id=xml_text(entity_id))
        _data(node, "n_label", entity["name"])
        _data(node, "n_type", entity["label"])
        _data(node, "n_mentions", entity["mentions"])
        _data(node, "n_units", entity["units"])
    for i, pair in enumerate(result.pairs):
        edge = ET.SubElement(graph, f"{{{GRAPHML_NS}}}edge", id=f"e{i}")
        edge.set("source", xml_text(pair["a"]))
        edge.set("target", xml_text(pair["b"]))
        _data(edge, "e_weight", pair["count"])
        _data(edge, "e_pmi", pair["pmi"])
        _data(edge, "e_npmi", pair["npmi"])
    ET.indent(root)
    body = ET.tostring(root, encoding="unicode")
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{body}\n'


def _data(parent: ET.Element, key: str, value: object) -> None:
    ET.SubElement(parent, f"{{{GRAPHML_NS}}}data", key=key).text = xml_text(str(value))


def xml_text(text: str) -> str:
    """Without the control characters XML 1.0 cannot hold at all."""
    return _XML_INVALID.sub("\ufffd", text)


def dot_string(text: str) -> str:
    """A DOT quoted string: backslashes and quotes escaped, line breaks as \\n."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + escaped.replace("\r", "").replace("\n", "\\n") + '"'


def pairs_dot(result: Cooccurrence) -> str:
    """An undirected Graphviz graph; edge pen width grows with the count."""
    top = max((p["count"] for p in result.pairs), default=1)
    lines = [
        f"graph cooccurrence {{  // by {result.unit}, {result.units} units",
        "  node [shape=box];",
    ]
    for entity_id, entity in result.entities.items():
        label = dot_string(f"{entity['name']}\n{entity['label']}")
        lines.append(f"  {dot_string(entity_id)} [label={label}];")
    for p in result.pairs:
        width = 1 + 4 * p["count"] / top
        attrs = f'label="{p["count"]}", weight={p["count"]}, penwidth={width:.2f}'
        lines.append(f"  {dot_string(p['a'])} -- {dot_string(p['b'])} [{attrs}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


# --- output files ----------------------------------------------------------------------------


@contextmanager
def replacing(path: Path, binary: bool = False) -> Iterator[IO[Any]]:
    """A file written beside `path` and moved over it only once complete."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        mode = "wb" if binary else "w"
        encoding = None if binary else "utf-8"
        with os.fdopen(fd, mode, encoding=encoding, newline=None if binary else "") as handle:
            yield handle
        os.chmod(temporary, 0o666 & ~_umask())  # mkstemp makes it private; use the usual mode
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
