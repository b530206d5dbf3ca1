"""Component `corpus_gazetteer`: gazetteer names and governments, overwriting the model's entities.

Gazetteer names are found by a PhraseMatcher; governments are a country's adjective or possessive
+ government / ministry / authorities / embassy / administration, or + "Ministry of ...". A rule
span replaces every statistical entity it overlaps.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span, Token
from spacy.util import filter_spans

from corpus.canonical import Canonicaliser
from corpus.countries import with_world
from corpus.gazetteer import (
    GOV,
    AliasRule,
    CountryRef,
    Gazetteer,
    alias_rules,
    country_refs,
    load_gazetteers,
)
from corpus.names import word_set
from corpus.pipeline.ner_fixes import DASHES, POSSESSIVES

DETERMINERS = frozenset({"a", "an", "the", "this", "that", "one", "each", "every", "another", "no"})
NOT_BEFORE_NAMES = frozenset({"of"})


# Heads naming a government as a whole, and heads naming one of its bodies.
WHOLE_GOV_HEADS = word_set("government governments authorities administration")
GOV_HEADS = WHOLE_GOV_HEADS | word_set(
    """ministry ministries cabinet department departments office agency agencies commission
    regulator regulators embassy embassies"""
)
GOV_MODIFIERS = word_set(
    """foreign science ict finance financial trade defence defense interior health education economy
    industry environment justice culture agriculture transport communications home internal labour
    labor energy national central federal municipal local provincial regional state communist
    military commerce cyberspace securities competition telecommunications telecoms privacy
    immigration customs tax police intelligence security patent statistics consumer banking
    information media nuclear maritime aviation war and"""
)
# What a head followed by these names is a thing, not the body: "Japanese government bonds".
GOV_THINGS = word_set(
    """bond bonds debt securities yield yields note notes bill bills paper spending borrowing
    deficit"""
)
GOV_THING_SUFFIXES = word_set("backed owned run funded controlled linked sponsored led")
TITLED_GOV_HEADS = frozenset({"Ministry", "Department", "Agency"})  # "Ministry of ..."
TITLED_CONNECTORS = frozenset({",", "and", "&", "of", "the", "for"})
MAX_MODIFIERS = 4
NEAR_WINDOW = 6  # tokens: five words and a punctuation mark, roughly


@Language.factory("corpus_gazetteer", default_config={"gazetteers": []})
def make_gazetteer_rules(nlp: Language, name: str, gazetteers: list[str]) -> GazetteerRules:
    return GazetteerRules(nlp, with_world(load_gazetteers([Path(path) for path in gazetteers])))


@dataclass(frozen=True)
class _CountryHit:
    start: int
    end: int
    ref: CountryRef


class GazetteerRules:
    """Tags gazetteer names and governments; rule spans overwrite the statistical entities."""

    def __init__(self, nlp: Language, gazetteer: Gazetteer) -> None:
        self.gazetteer = gazetteer
        self.canonical = Canonicaliser(gazetteer)
        self._aliases = alias_rules(gazetteer)
        self._countries = country_refs(gazetteer)
        self._not_before = {
            entry.id: NOT_BEFORE_NAMES | {w.lower() for w in entry.not_before}
            for entry in gazetteer.entities.values()
        }
        self._not_near = {
            entry.id: frozenset(w.lower() for w in entry.not_near)
            for entry in gazetteer.entities.values()
        }
        self._descriptors = _descriptor_tokens(nlp, gazetteer)
        self._modifiers = (
            GOV_MODIFIERS
            | {
                word
                for phrases in self._descriptors.values()
                for phrase in phrases
                for word in phrase
            }
        ) - GOV_HEADS
        self.matcher = PhraseMatcher(nlp.vocab, attr="ORTH")
        for surface in self._aliases:
            self.matcher.add("E" + surface, [nlp.make_doc(surface)])
        for surface in self._countries:
            self.matcher.add("C" + surface, [nlp.make_doc(surface)])

    def __call__(self, doc: Doc) -> Doc:
        names: list[Span] = []
        countries: list[_CountryHit] = []
        for match_id, start, end in self.matcher(doc):
            key = doc.vocab.strings[match_id]
            if key[0] == "E":
                if span := self._name_span(doc, start, end, self._aliases[key[1:]]):
                    names.append(span)
            else:
                countries.append(_CountryHit(start, end, self._countries[key[1:]]))
        governments = [
            span for hit in _longest(countries) if (span := self._government_span(doc, hit))
        ]
        if names or governments:
            doc.ents = _overwrite(doc, filter_spans(governments + names))
        return doc

    # --- gazetteer names -------------------------------------------------------------------------

    def _name_span(self, doc: Doc, start: int, end: int, rule: AliasRule) -> Span | None:
        if rule.ambiguous and not (
            _reads_as_name(doc, start, end, self._not_before[rule.entity_id])
            and not _near(doc, start, end, self._not_near[rule.entity_id])
        ):
            return None
        label = self.gazetteer.entities[rule.entity_id].label
        if label == GOV and start > 0 and doc[start - 1].lower_ == "the":
            start -= 1
        return Span(doc, start, end, label=label, kb_id=rule.entity_id)

    # --- governments -----------------------------------------------------------------------------

    def _government_span(self, doc: Doc, hit: _CountryHit) -> Span | None:
        body_start = hit.end
        possessive = body_start < len(doc) and doc[body_start].text in POSSESSIVES
        if possessive and hit.ref.forms & {"name", "capital"}:
            body_start += 1
        elif "adjective" not in hit.ref.forms:
            return None
        body_end = self._government_body_end(doc, body_start, hit.ref.code)
        if body_end is None or _names_a_thing(doc, body_end):
            return None
        if hit.ref.forms == {"capital"} and doc[body_end - 1].lower_ in WHOLE_GOV_HEADS:
            return None  # "Tokyo's metropolitan government" is the city's
        start = hit.start - 1 if hit.start > 0 and doc[hit.start - 1].lower_ == "the" else hit.start
        kb_id = self.canonical.gov_id(hit.ref.code, doc[body_start:body_end].text)
        return Span(doc, start, body_end, label=GOV, kb_id=kb_id)

    def _government_body_end(self, doc: Doc, start: int, code: str) -> int | None:
        ends = [
            _descriptor_end(doc, start, self._descriptors.get(code, ())),
            _modified_head_end(doc, start, self._modifiers),
            _titled_body_end(doc, start),
            _titled_head_end(doc, start),
        ]
        found = [end for end in ends if end is not None]
        return max(found) if found else None


def _names_a_thing(doc: Doc, end: int) -> bool:
    """Whether the words after a government head make a thing of it: "government bonds",
    "government-backed"; "government officials" still names the government."""
    if end >= len(doc):
        return False
    after = doc[end]
    if after.lower_ in GOV_THINGS:
        return True
    return (
        after.text == "-"
        and not doc[end - 1].whitespace_
        and end + 1 < len(doc)
        and doc[end + 1].lower_ in GOV_THING_SUFFIXES
    )


def _titled_head_end(doc: Doc, start: int) -> int | None:
    """End of capitalised words ending in a head: "Cyberspace Administration", "Fair Trade
    Commission", "Foreign Office"."""
    i = start
    while i < len(doc) and i - start <= MAX_MODIFIERS and _is_titled(doc[i]):
        if i > start and doc[i].lower_ in GOV_HEADS:
            return i + 1
        i += 1
    return None


def _descriptor_tokens(nlp: Language, gazetteer: Gazetteer) -> dict[str, list[tuple[str, ...]]]:
    """Country code -> GOV descriptors as lower-case token tuples."""
    table: dict[str, list[tuple[str, ...]]] = {}
    for entry in gazetteer.entities.values():
        if entry.label == GOV and entry.country:
            phrases = [tuple(t.lower_ for t in nlp.make_doc(d)) for d in entry.descriptors]
            table.setdefault(entry.country, []).extend(phrases)
    return table


def _descriptor_end(doc: Doc, start: int, phrases: Iterable[tuple[str, ...]]) -> int | None:
    ends = [
        start + len(p) for p in phrases if tuple(t.lower_ for t in doc[start : start + len(p)]) == p
    ]
    return max(ends) if ends else None


def _modified_head_end(doc: Doc, start: int, modifiers: frozenset[str]) -> int | None:
    """End of "[modifiers] head": "foreign ministry", "national and local governments"."""
    i = start
    while i < len(doc) and i - start < MAX_MODIFIERS and doc[i].lower_ in modifiers:
        i += 1
    if i >= len(doc) or doc[i].lower_ not in GOV_HEADS:
        return None
    if doc[start].lower_ == "and" or (i > start and doc[i - 1].lower_ == "and"):
        return None
    return i + 1


def _titled_body_end(doc: Doc, start: int) -> int | None:
    """End of "Ministry of <Title Case words>": "Ministry of Science, ICT and Future Planning"."""
    if (
        start + 2 >= len(doc)
        or doc[start].text not in TITLED_GOV_HEADS
        or doc[start + 1].lower_ != "of"
    ):
        return None
    last = None
    i = start + 2
    while i < len(doc) and (_is_titled(doc[i]) or doc[i].lower_ in TITLED_CONNECTORS):
        if _is_titled(doc[i]):
            last = i
        i += 1
    if last is None:
        return None
    words = [t.lower_ for t in doc[start : last + 1]]
    if "," in words and "and" not in words:
        return start + words.index(",")  # "Ministry of Finance, Tokyo": a list needs an "and"
    return last + 1


def _is_titled(token: Token) -> bool:
    return bool(token.is_alpha and (token.is_title or token.is_upper))


def _reads_as_name(doc: Doc, start: int, end: int, not_before: frozenset[str]) -> bool:
    """Whether an ambiguous alias ("Line") is a name here, not a word or part of another name."""
    if start > 0:
        prev = doc[start - 1]
        if prev.lower_ in DETERMINERS:
            return False  # "a line of", "the Line of Beauty"
        if (
            prev.is_alpha
            and (prev.is_title or prev.is_upper)
            and not (prev.is_sent_start and prev.is_stop)
        ):
            return False  # "New Line", "Digital Subscriber Line"
    if end < len(doc):
        nxt = doc[end]
        if nxt.like_num or nxt.lower_ in not_before:
            return False  # "Line 2", "Line of Duty"
        if nxt.text in DASHES and not doc[end - 1].whitespace_:
            return False  # "Line-up"
        if end + 1 < len(doc) and doc[end + 1].text == doc[start:end].text.lower():
            return False  # "Line by line"
    return True


def _near(doc: Doc, start: int, end: int, words: frozenset[str]) -> bool:
    """Whether one of `words` is within NEAR_WINDOW tokens of doc[start:end]."""
    if not words:
        return False
    window = [*doc[max(0, start - NEAR_WINDOW) : start], *doc[end : end + NEAR_WINDOW]]
    return any(token.lower_ in words for token in window)


def _longest(hits: list[_CountryHit]) -> list[_CountryHit]:
    """Drop country hits inside longer ones ("Korea" inside "South Korea")."""
    hits.sort(key=lambda hit: (hit.start, -hit.end))
    kept: list[_CountryHit] = []
    for hit in hits:
        if not kept or hit.start >= kept[-1].end:
            kept.append(hit)
    return kept


def _overwrite(doc: Doc, rules: list[Span]) -> list[Span]:
    """Statistical entities that overlap no rule span, plus the rule spans.

    When the model put "the" before a gazetteer name ("the SoftBank Group"), the rule span adopts
    that boundary, as OntoNotes-style names keep their article.
    """
    ents = list(doc.ents)
    rules = [_adopt_article(rule, ents) for rule in rules]
    kept = [ent for ent in ents if not any(ent.start < r.end and r.start < ent.end for r in rules)]
    return sorted(kept + rules, key=lambda span: span.start)


def _adopt_article(rule: Span, ents: list[Span]) -> Span:
    for ent in ents:
        if (
            ent.end == rule.end
            and ent.start == rule.start - 1
            and ent.doc[ent.start].lower_ == "the"
        ):
            return Span(rule.doc, ent.start, rule.end, label=rule.label, kb_id=rule.kb_id)
    return rule
