"""Component `corpus_person_names`: one entity per person within an article.

* Korean personal names, a common surname and a hyphenated given name ("Kim Do-hyun", "Yoon
  Suk-yeol"), are whole PERSON spans, where the model often keeps the surname only; so are
  those with the given name written apart ("Kim Do Hyun") where the model tagged a part as a
  person, and both spellings are one entity (`naming.name_key`).
* A mention that is part of a fuller PERSON name in the same article (surname or given name,
  after a title or before an honorific: "Idezawa", "Mr. Miyakawa", "Congressman Choi",
  "Idezawa-san") joins that person and takes the label PERSON. With several candidates ("Kim
  Do-hyun", "Kim Beom-su") it joins the nearest preceding one, or none when it cannot tell;
  never one whose given name says the other gender than its title ("Mrs Howard" is not
  "Michael Howard", `names.other_gender`).
  A mention the model tagged ORG or otherwise joins only with evidence that it names a person:
  a title, an honorific, or a verb of speech right after it ("Idezawa said"); one tagged as a
  place only after a title or before an honorific ("Washington said" stays the city).
* A title followed by such a surname that the model did not tag ("Ms. Lee") becomes a mention.
"""

from __future__ import annotations

import re
from collections import defaultdict

from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from corpus.canonical import Canonicaliser
from corpus.names import (
    HONORIFICS,
    KOREAN_SURNAMES,
    TITLES,
    other_gender,
    person_words,
    spaced_korean_name,
    word_set,
)
from corpus.pipeline.joining import Antecedent, antecedent, canonicaliser_of, join, nearest

PERSON = "PERSON"
# Labels the model puts on a lone surname by mistake; places (GPE, LOC) join only after a title
# or before an honorific ("Miyakawa-san"), not merely before "said" ("Washington said").
REPAIRABLE = frozenset({"ORG", "PRODUCT", "NORP", "WORK_OF_ART", "FAC", "EVENT"})
PLACES = frozenset({"GPE", "LOC"})

SPEECH_VERBS = word_set(
    """said says say told tells added adds noted notes explained explains stressed stresses
    argued argues insisted insists wrote writes asked asks replied replies declined
    admitted admits announced announces warned warns"""
)

_SYLLABLE = re.compile(r"^[a-z]{1,5}$")
_GIVEN_FIRST = re.compile(r"^[A-Z][a-z]{0,5}$")


@Language.factory("corpus_person_names", default_config={})
def make_person_names(nlp: Language, name: str) -> PersonNames:
    return PersonNames(canonicaliser_of(nlp))


class PersonNames:
    """Whole Korean names; surnames and titled names joined to the article's fuller names."""

    def __init__(self, canonical: Canonicaliser) -> None:
        self.canonical = canonical

    def __call__(self, doc: Doc) -> Doc:
        ents = self._korean_names(doc, list(doc.ents))
        fuller: dict[str, list[Antecedent]] = defaultdict(list)
        for ent in ents:
            words = name_words(ent)
            if ent.label_ == PERSON and len(words) >= 2:
                full = antecedent(ent, self.canonical)
                for word in {words[0], words[-1]}:
                    fuller[word].append(full)
        if not fuller:
            if ents != list(doc.ents):
                doc.ents = ents
            return doc
        resolved = [self._resolved(ent, fuller) for ent in ents]
        resolved += self._titled_surnames(doc, resolved, fuller)
        doc.ents = sorted(resolved, key=lambda span: span.start)
        return doc

    def _resolved(self, ent: Span, fuller: dict[str, list[Antecedent]]) -> Span:
        if ent.kb_id_ or not (ent.label_ == PERSON or ent.label_ in REPAIRABLE | PLACES):
            return ent
        words = name_words(ent)
        if len(words) != 1 or words[0] not in fuller:
            return ent
        if ent.label_ in PLACES and not _titled(ent):
            return ent
        if ent.label_ in REPAIRABLE and not (_titled(ent) or _before_speech(ent)):
            return ent
        title = _title_of(ent)
        candidates = [
            c
            for c in fuller[words[0]]
            if (c.start, c.end) != (ent.start, ent.end)
            and not other_gender(title, words[0], c.text)
        ]
        target = nearest(candidates, ent.start) if candidates else None
        return join(ent, target) if target is not None else ent

    def _korean_names(self, doc: Doc, ents: list[Span]) -> list[Span]:
        """`ents` with every Korean surname + hyphenated given name as one PERSON span."""
        names = []
        people = {i for ent in ents if ent.label_ == PERSON for i in range(ent.start, ent.end)}
        for i in range(len(doc) - 2):
            if doc[i].text not in KOREAN_SURNAMES:
                continue
            if i + 3 < len(doc) and _hyphenated_given_name(doc, i + 1):
                end = i + 4
            elif _spaced_given_name(doc, i) and people & {i, i + 1, i + 2}:
                end = i + 3  # "Kim Do Hyun", where the model saw a person in it
            else:
                continue
            kb_id = self.canonical.entity_id(doc[i:end].text, PERSON)
            names.append(Span(doc, i, end, label=PERSON, kb_id=kb_id))
        if not names:
            return ents
        kept = []
        for ent in ents:
            overlapping = [n for n in names if ent.start < n.end and n.start < ent.end]
            if not overlapping:
                kept.append(ent)
            elif not all(n.start <= ent.start and ent.end <= n.end for n in overlapping):
                # The model's span reaches past the name ("Kim Do-hyun Foundation"): keep it.
                names = [n for n in names if n not in overlapping]
                kept.append(ent)
        return sorted(kept + filter_spans(names), key=lambda span: span.start)

    def _titled_surnames(
        self, doc: Doc, ents: list[Span], fuller: dict[str, list[Antecedent]]
    ) -> list[Span]:
        """Mentions for an untagged surname of the article's people after a title ("Ms. Lee")."""
        tagged = {i for ent in ents for i in range(ent.start, ent.end)}
        added = []
        for i in range(1, len(doc)):
            token = doc[i]
            if i in tagged or token.text not in fuller or doc[i - 1].lower_ not in TITLES:
                continue
            if not doc[i - 1].text[:1].isupper():
                continue  # "the former president Moon" is a title; "vice" alone is not
            title = doc[i - 1].text
            candidates = [
                c for c in fuller[token.text] if not other_gender(title, token.text, c.text)
            ]
            target = nearest(candidates, i) if candidates else None
            if target is not None:
                added.append(join(Span(doc, i, i + 1, label=""), target))
        return added


def name_words(span: Span) -> list[str]:
    """The words of a name without a leading "the", titles, honorifics or a possessive."""
    return person_words(_glued(span))


def _glued(span: Span) -> list[str]:
    """The span's words, tokens not separated by whitespace glued ("Won", "-", "sik")."""
    words: list[str] = []
    glue = False
    for token in span:
        if token.is_space:
            glue = False
            continue
        if glue and words:
            words[-1] += token.text
        else:
            words.append(token.text)
        glue = not token.whitespace_
    return words


def _hyphenated_given_name(doc: Doc, i: int) -> bool:
    """doc[i:i+3] is a hyphenated given name: "Do", "-", "hyun" with no spaces between."""
    first, dash, second = doc[i], doc[i + 1], doc[i + 2]
    return bool(
        _GIVEN_FIRST.match(first.text)
        and dash.text == "-"
        and not first.whitespace_
        and not dash.whitespace_
        and _SYLLABLE.match(second.text)
        and doc[i - 1].whitespace_
    )


def _spaced_given_name(doc: Doc, i: int) -> bool:
    """doc[i:i+3] is a Korean name with its given name written apart ("Kim Do Hyun"), not
    followed by another capitalised word ("Kim Do Hyun Foundation")."""
    words = doc[i : i + 3]
    after = doc[i + 3] if i + 3 < len(doc) else None
    return (
        spaced_korean_name([token.text for token in words])
        and all(token.whitespace_ for token in words[:2])
        and not (after is not None and after.is_alpha and after.text[:1].isupper())
    )


def _titled(ent: Span) -> bool:
    """A title before the name ("Mr. Miyakawa") or an honorific after it ("Miyakawa-san")."""
    doc = ent.doc
    if ent[0].lower_ in TITLES or (ent.start > 0 and doc[ent.start - 1].lower_ in TITLES):
        return True
    stem, dash, suffix = ent.text.rpartition("-")
    if dash and stem and suffix.lower() in HONORIFICS:
        return True
    after = doc[ent.end : ent.end + 2]
    return (
        len(after) == 2
        and after[0].text == "-"
        and not ent[-1].whitespace_
        and after[1].lower_ in HONORIFICS
    )


def _title_of(ent: Span) -> str:
    """The title a name opens with or follows ("Mrs" of "Mrs Howard"), else ""."""
    if ent[0].lower_ in TITLES:
        return ent[0].text
    before = ent.doc[ent.start - 1] if ent.start > 0 else None
    return before.text if before is not None and before.lower_ in TITLES else ""


def _before_speech(ent: Span) -> bool:
    """A verb of speech right after the name: "Idezawa said"."""
    return ent.end < len(ent.doc) and ent.doc[ent.end].lower_ in SPEECH_VERBS
