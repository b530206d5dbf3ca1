"""Component `corpus_acronyms`: acronyms and short forms of organisations within an article.

* An acronym defined in parentheses after a name ("the Personal Information Protection
  Commission (PIPC)") joins that name everywhere in the article, including where the model did
  not tag it ("the PIPC"). The definition must spell the acronym (Schwartz & Hearst's test: its
  letters in order, the first at the start of a word).
* An acronym that is the initials of a longer ORG or GOV name in the article ("KCC", "the Korea
  Communications Commission") joins that name.
* A short ORG name that is a prefix of a longer one in the article ("First Interstate", "First
  Interstate Bancorp") joins it.

With several candidates a mention joins the nearest preceding one, or none when it cannot tell.
"""

from __future__ import annotations

from collections import defaultdict

from spacy.language import Language
from spacy.tokens import Doc, Span

from corpus.canonical import Canonicaliser
from corpus.pipeline.joining import Antecedent, antecedent, canonicaliser_of, join, nearest

BODY_LABELS = frozenset({"ORG", "GOV"})
DEFINED_LABELS = BODY_LABELS | {"FAC", "LAW", "EVENT", "PRODUCT", "WORK_OF_ART", "NORP", "LOC"}
MINOR_WORDS = frozenset({"of", "and", "the", "for", "&", "on", "in", "de", "du", "des", "la"})
MAX_ACRONYM = 10


@Language.factory("corpus_acronyms", default_config={})
def make_acronyms(nlp: Language, name: str) -> Acronyms:
    return Acronyms(canonicaliser_of(nlp))


class Acronyms:
    """Acronyms and short ORG names joined to the article's fuller names."""

    def __init__(self, canonical: Canonicaliser) -> None:
        self.canonical = canonical

    def __call__(self, doc: Doc) -> Doc:
        ents = list(doc.ents)
        defined = self._definitions(doc, ents)
        initials, prefixes = self._long_forms(ents)
        if not (defined or initials or prefixes):
            return doc
        resolved = []
        for ent in ents:
            key = _without_the(ent)
            if ent.kb_id_ or not key:
                resolved.append(ent)
            elif key[0] in defined and len(key) == 1:
                resolved.append(join(ent, defined[key[0]]))
            elif len(key) == 1 and _is_acronym(key[0]) and key[0] in initials:
                target = nearest(_others(initials[key[0]], ent), ent.start)
                resolved.append(join(ent, target) if target else ent)
            elif ent.label_ == "ORG" and tuple(key) in prefixes:
                target = nearest(_others(prefixes[tuple(key)], ent), ent.start)
                resolved.append(join(ent, target) if target else ent)
            else:
                resolved.append(ent)
        resolved += _untagged_uses(doc, resolved, defined, initials)
        doc.ents = sorted(resolved, key=lambda span: span.start)
        return doc

    def _definitions(self, doc: Doc, ents: list[Span]) -> dict[str, Antecedent]:
        """Acronym -> the name it is defined after: `NAME (ACRONYM)`."""
        ending = {ent.end: ent for ent in ents if ent.label_ in DEFINED_LABELS}
        defined: dict[str, Antecedent] = {}
        for i in range(1, len(doc) - 2):
            if doc[i].text != "(" or doc[i + 2].text != ")" or i not in ending:
                continue
            short, long = doc[i + 1].text, ending[i]
            if _is_acronym(short) and short not in defined and abbreviates(short, long.text):
                defined[short] = antecedent(long, self.canonical)
        return defined

    def _long_forms(
        self, ents: list[Span]
    ) -> tuple[dict[str, list[Antecedent]], dict[tuple[str, ...], list[Antecedent]]]:
        """Initials of the multi-word ORG and GOV names, and the proper prefixes of ORG names."""
        initials: dict[str, list[Antecedent]] = defaultdict(list)
        prefixes: dict[tuple[str, ...], list[Antecedent]] = defaultdict(list)
        for ent in ents:
            words = _without_the(ent)
            if ent.label_ not in BODY_LABELS or len(words) < 2:
                continue
            full = antecedent(ent, self.canonical)
            for variant in _initials(words):
                initials[variant].append(full)
            if ent.label_ == "ORG":
                for n in range(1, len(words)):
                    if words[n - 1].lower() not in MINOR_WORDS and words[n - 1][:1].isupper():
                        prefixes[tuple(words[:n])].append(full)
        return initials, prefixes


def abbreviates(short: str, long: str) -> bool:
    """Whether `long` can spell `short` (Schwartz & Hearst 2003): each letter of the acronym,
    right to left, found in order in the name, the first one at the start of a word."""
    letters = [c.lower() for c in short if c.isalnum()]
    text = long.lower()
    j = len(text) - 1
    for i in range(len(letters) - 1, -1, -1):
        while j >= 0 and (text[j] != letters[i] or (i == 0 and j > 0 and text[j - 1].isalnum())):
            j -= 1
        if j < 0:
            return False
        j -= 1
    return bool(letters)


def _is_acronym(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return (
        2 <= len(text) <= MAX_ACRONYM
        and sum(c.isupper() for c in letters) >= 2
        and text[0].isupper()
        and all(c.isalnum() or c in "&-." for c in text)
    )


def _initials(words: list[str]) -> set[str]:
    """ "Korea Communications Commission" -> {"KCC"}; "Bank of Japan" -> {"BJ", "BOJ"}."""
    content = [w for w in words if w.lower() not in MINOR_WORDS]
    if len(content) < 2 or not all(w[:1].isupper() for w in content):
        return set()
    return {
        "".join(w[0] for w in content).upper(),
        "".join(w[0] for w in words if w[:1].isalnum()).upper(),
    }


def _without_the(span: Span) -> list[str]:
    words = [t.text for t in span if not t.is_space]
    return words[1:] if words and words[0].lower() == "the" else words


def _others(candidates: list[Antecedent], ent: Span) -> list[Antecedent]:
    return [c for c in candidates if (c.start, c.end) != (ent.start, ent.end)]


def _untagged_uses(
    doc: Doc,
    ents: list[Span],
    defined: dict[str, Antecedent],
    initials: dict[str, list[Antecedent]],
) -> list[Span]:
    """Mentions for the uses of an acronym (defined, or initials) the model did not tag."""
    tagged = {i for ent in ents for i in range(ent.start, ent.end)}
    added = []
    for i, token in enumerate(doc):
        if i in tagged or not _is_acronym(token.text):
            continue
        if (target := defined.get(token.text)) is None and token.text in initials:
            target = nearest(initials[token.text], i)
        if target is not None:
            added.append(join(Span(doc, i, i + 1, label=""), target))
    return added
