"""Component `corpus_span_edges`: no entity crosses a line break or has whitespace at an edge.

A statistical model's span may run past the end of a line (GiNZA: `本田\n`, `イチロー\n自己管理
力、...`, `配当ゲット\n他`) or take a space with it (`ベンツ\u3000`). Each entity is trimmed of
whitespace at its edges and cut at its first line break, keeping the part before it; one with
nothing left is dropped. It runs right after the model's ner in every spaCy pipeline (English,
Japanese); the rules tagger (`rules.py`) bounds its spans with `span_bounds` too.
"""

from __future__ import annotations

import re

from spacy.language import Language
from spacy.tokens import Doc, Span

LINE_BREAK = re.compile("[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]")  # where str.splitlines splits


@Language.factory("corpus_span_edges", default_config={})
def make_span_edges(nlp: Language, name: str) -> SpanEdges:
    return SpanEdges()


class SpanEdges:
    """Cuts each entity at its first line break and trims whitespace off its edges."""

    def __call__(self, doc: Doc) -> Doc:
        ents = list(doc.ents)
        fixed = [span for ent in ents if (span := bounded(ent)) is not None]
        if fixed != ents:
            doc.ents = fixed
        return doc


def span_bounds(text: str, start: int, end: int) -> tuple[int, int] | None:
    """The characters of text[start:end] that a mention may cover: whitespace off its edges,
    then only what comes before its first line break, whitespace off again; None if empty."""
    part = text[start:end]
    start += len(part) - len(part.lstrip())
    part = part.strip()
    if (found := LINE_BREAK.search(part)) is not None:
        part = part[: found.start()].rstrip()
    return (start, start + len(part)) if part else None


def bounded(ent: Span) -> Span | None:
    """`ent` within its bounds (the tokens inside them), or None when none are left."""
    bounds = span_bounds(ent.doc.text, ent.start_char, ent.end_char)
    if bounds == (ent.start_char, ent.end_char):
        return ent
    if bounds is None:
        return None
    span = ent.doc.char_span(*bounds, label=ent.label, kb_id=ent.kb_id, alignment_mode="contract")
    return span if span is not None and len(span) else None
