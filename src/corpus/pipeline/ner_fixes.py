"""Component `corpus_ner_fixes`: trailing possessives off, entities cut at datelines and breaks."""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc, Span

POSSESSIVES = frozenset({"'s", "\u2019s", "'S", "\u2019S", "'", "\u2019"})
DASHES = frozenset({"-", "--", "---", "\u2013", "\u2014"})
NUMERIC_LABELS = frozenset({"MONEY", "PERCENT", "CARDINAL", "QUANTITY", "ORDINAL"})


@Language.factory("corpus_ner_fixes", default_config={})
def make_ner_fixes(nlp: Language, name: str) -> NerFixes:
    return NerFixes()


class NerFixes:
    """Trims trailing possessives and cuts statistical entities at datelines and line breaks."""

    def __call__(self, doc: Doc) -> Doc:
        ents = list(doc.ents)
        fixed = [span for ent in ents if (span := fix_entity(ent)) is not None]
        if fixed != ents:
            doc.ents = fixed
        return doc


def fix_entity(ent: Span) -> Span | None:
    """`ent` cut at its first plausible boundary-free part, without a trailing possessive."""
    part = _first_plausible_part(ent)
    if part is None:
        return None
    start, end = part
    while end - start > 1 and ent.doc[end - 1].text in POSSESSIVES:
        end -= 1
    if (start, end) == (ent.start, ent.end):
        return ent
    return Span(ent.doc, start, end, label=ent.label, kb_id=ent.kb_id)


def _first_plausible_part(ent: Span) -> tuple[int, int] | None:
    if not any(_is_boundary(ent.doc, i) for i in range(ent.start, ent.end)):
        return ent.start, ent.end
    for start, end in _parts(ent):
        if _plausible(ent.doc[start:end], ent.label_):
            return start, end
    return None


def _parts(ent: Span) -> list[tuple[int, int]]:
    """Token ranges of `ent` between boundaries (spaced dashes, line breaks), edges trimmed."""
    doc = ent.doc
    parts: list[tuple[int, int]] = []
    start = ent.start
    for i in range(ent.start, ent.end):
        if _is_boundary(doc, i):
            parts.append((start, i))
            start = i + 1
    parts.append((start, ent.end))
    return [trimmed for part in parts if (trimmed := _trim_edges(doc, *part)) is not None]


def _is_boundary(doc: Doc, i: int) -> bool:
    token = doc[i]
    if token.is_space:
        return "\n" in token.text
    return (
        token.text in DASHES and i > 0 and bool(doc[i - 1].whitespace_) and bool(token.whitespace_)
    )


def _trim_edges(doc: Doc, start: int, end: int) -> tuple[int, int] | None:
    while start < end and (doc[start].is_space or doc[start].is_punct):
        start += 1
    while end > start and (doc[end - 1].is_space or doc[end - 1].text in {",", ";", ":", "-"}):
        end -= 1
    return (start, end) if start < end else None


def _plausible(span: Span, label: str) -> bool:
    if label in NUMERIC_LABELS:
        return any(token.like_num or any(c.isdigit() for c in token.text) for token in span)
    return any(token.is_alpha or token.is_digit for token in span)
