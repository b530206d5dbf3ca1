"""Within-article resolution, shared by `corpus_person_names` and `corpus_acronyms`.

A short mention ("Idezawa", "the PIPC", "First Interstate") *joins* a fuller one in the same
article: it takes the fuller mention's canonical id (its `kb_id`) and label, and keeps its own
boundaries. Which spans were joined, and with which label the model had tagged them, is kept in
`doc.user_data[JOINED]` ("start:end" character offsets -> {"label", "name"}), so that the tagger
can name the entity after the fuller mention, and the no-damage test can tell a join (a label
repair at most) from a rule match.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from spacy.language import Language
from spacy.tokens import Doc, Span

from corpus.canonical import Canonicaliser

JOINED = "corpus_joined"


@dataclass(frozen=True)
class Antecedent:
    """A fuller mention that shorter ones may join: where it is, its id, label and text."""

    start: int  # token offsets
    end: int
    entity_id: str
    label: str
    text: str


def canonicaliser_of(nlp: Language) -> Canonicaliser:
    """The canonicaliser of the pipeline's gazetteer component (added before resolution)."""
    rules = nlp.get_pipe("corpus_gazetteer") if "corpus_gazetteer" in nlp.pipe_names else None
    canonical = getattr(rules, "canonical", None)
    if not isinstance(canonical, Canonicaliser):
        raise ValueError("resolution components need corpus_gazetteer earlier in the pipeline")
    return canonical


def antecedent(span: Span, canonical: Canonicaliser) -> Antecedent:
    entity_id = span.kb_id_ or canonical.entity_id(span.text, span.label_)
    name = joined_name(span.doc, span) or span.text
    return Antecedent(span.start, span.end, entity_id, span.label_, name)


def nearest(candidates: Sequence[Antecedent], position: int) -> Antecedent | None:
    """The antecedent a mention at token `position` joins: the only candidate, else the
    nearest preceding one; None when several candidates follow and none precedes."""
    distinct = {candidate.entity_id: candidate for candidate in candidates}
    if len(distinct) == 1:
        return next(iter(distinct.values()))
    before = [candidate for candidate in candidates if candidate.end <= position]
    return max(before, key=lambda candidate: candidate.end) if before else None


def join(span: Span, target: Antecedent) -> Span:
    """`span` as a mention of `target`: same boundaries, the target's id and label."""
    doc = span.doc
    record = doc.user_data.setdefault(JOINED, {})
    key = f"{span.start_char}:{span.end_char}"
    record.setdefault(key, {"label": span.label_})["name"] = target.text
    return Span(doc, span.start, span.end, label=target.label, kb_id=target.entity_id)


def joined_name(doc: Doc, span: Span) -> str | None:
    """The fuller mention's text when `span` was joined to one, else None."""
    entry = doc.user_data.get(JOINED, {}).get(f"{span.start_char}:{span.end_char}")
    return str(entry["name"]) if entry else None


def joined_spans(doc: Doc) -> dict[tuple[int, int], str]:
    """(start_char, end_char) of every joined span -> the label the model had given it."""
    return {
        (int(start), int(end)): str(entry["label"])
        for key, entry in doc.user_data.get(JOINED, {}).items()
        for start, end in [key.split(":")]
    }
