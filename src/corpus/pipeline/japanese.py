"""The Japanese pipeline: GiNZA's `ja_ginza` (tok2vec and ner) and the component `corpus_japanese`.

GiNZA (`ja-ginza` on PyPI, MIT, its model in the wheel; SudachiPy and its dictionary tokenise)
is an optional extra, `pip install '.[ja]'`; without it Japanese gets the gazetteer alone
(`corpus.pipeline.rules`). Its parser, morphologizer and bunsetu components are excluded: the
ner listens to the tok2vec alone, and sentences come from rules (`sentences.py`), so they cost
nothing for the same entities.

`corpus_japanese` maps GiNZA's Extended Named Entity labels onto OntoNotes' (GiNZA's own table:
Company -> ORG, Person -> PERSON, Country -> GPE...), drops the labels that have none (OTHERS,
URL, PHONE...) and spans without a letter or digit, then lets the gazetteer rules (`cjk.py`,
with Sudachi's word boundaries) replace every statistical entity they overlap, and sets
sentence starts at 。！？ and line breaks.
"""

from __future__ import annotations

from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from corpus.canonical import Canonicaliser
from corpus.gazetteer import Gazetteer, load_gazetteers
from corpus.pipeline.build import load_model  # registers the components, corpus_span_edges too
from corpus.pipeline.cjk import CjkRules
from corpus.pipeline.sentences import sentence_spans
from corpus.tagging import JAPANESE_MODEL

JAPANESE_EXCLUDED = ["parser", "morphologizer", "compound_splitter", "bunsetu_recognizer"]
# OntoNotes labels, as the English model gives them.
_LABEL_TEXT = """PERSON NORP FAC ORG GPE LOC PRODUCT EVENT WORK_OF_ART LAW LANGUAGE DATE TIME
    PERCENT MONEY QUANTITY ORDINAL CARDINAL"""
LABELS = frozenset(_LABEL_TEXT.split())


def build_japanese(gazetteers: list[Path]) -> Language:
    """GiNZA's tokenizer, tok2vec and ner, `corpus_span_edges`, then `corpus_japanese`."""
    nlp = load_model(
        JAPANESE_MODEL,
        JAPANESE_EXCLUDED,
        f"cannot load the Japanese model {JAPANESE_MODEL!r}: install the ja extra "
        "(pip install '.[ja]')",
    )
    nlp.add_pipe("corpus_span_edges", after="ner")
    nlp.add_pipe("corpus_japanese", last=True, config={"gazetteers": [str(p) for p in gazetteers]})
    return nlp


@Language.factory("corpus_japanese", default_config={"gazetteers": []})
def make_japanese(nlp: Language, name: str, gazetteers: list[str]) -> JapaneseRules:
    return JapaneseRules(load_gazetteers([Path(path) for path in gazetteers]))


class JapaneseRules:
    """GiNZA's entities with our labels, overwritten by gazetteer rules; rule-based sentences."""

    def __init__(self, gazetteer: Gazetteer) -> None:
        from ginza.ene_ontonotes_mapper import ENE_ONTONOTES_MAPPING

        self.gazetteer = gazetteer
        self.canonical = Canonicaliser(gazetteer)
        self.rules = CjkRules(gazetteer, self.canonical)
        self.labels = {ene: ours for ene, ours in ENE_ONTONOTES_MAPPING.items() if ours in LABELS}

    def __call__(self, doc: Doc) -> Doc:
        statistical = [
            Span(doc, ent.start, ent.end, label=self.labels[ent.label_])
            for ent in doc.ents
            if ent.label_ in self.labels and any(c.isalnum() for c in ent.text)
        ]
        boundaries = {token.idx for token in doc} | {token.idx + len(token) for token in doc}
        rules = []
        for hit in self.rules.spans(doc.text, "ja", boundaries):
            span = doc.char_span(hit.start, hit.end, label=hit.label, kb_id=hit.entity_id)
            if span is not None:  # on word boundaries by construction
                rules.append(span)
        kept = [e for e in statistical if not any(_overlap(e, r) for r in rules)]
        doc.ents = filter_spans(kept + rules)
        _set_sentences(doc)
        return doc


def _overlap(a: Span, b: Span) -> bool:
    return a.start < b.end and b.start < a.end


def _set_sentences(doc: Doc) -> None:
    starts = set()
    for start, _end in sentence_spans(doc.text, "ja"):
        span = doc.char_span(start, start + 1, alignment_mode="expand")
        if span is not None:
            starts.add(span.start)
    for token in doc:
        token.is_sent_start = token.i == 0 or token.i in starts
