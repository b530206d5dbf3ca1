"""Words of personal names: titles and honorifics that come with a name but are not part of it.

Used by the pipeline's `corpus_person_names` on spans, and by cross-article merging on stored
ids; nothing here imports spaCy.
"""

from __future__ import annotations

import re


def word_set(text: str) -> frozenset[str]:
    return frozenset(text.split())


TITLES = word_set(
    """mr mr. mrs mrs. ms ms. miss dr dr. prof prof. sir dame lord lady president
    vice-president chairman chairwoman chair ceo cfo coo cto founder executive director
    congressman congresswoman senator sen. rep. representative lawmaker assemblyman
    assemblywoman minister premier chancellor governor gov. mayor judge justice ambassador
    secretary general gen. col. lt. capt. chief commissioner spokesman spokeswoman spokesperson
    prince princess king queen emperor pope rev. father brother sister coach professor
    deputy prime foreign finance vice"""
)
HONORIFICS = word_set("san sama kun chan sensei ssi nim shi")
_POSSESSIVE = re.compile(r"['\u2019][sS]?$")


def person_words(words: str | list[str]) -> list[str]:
    """The words of a name without a leading "the", titles, an honorific or a possessive:
    "Mr. Miyakawa" -> ["Miyakawa"], "idezawa-san" -> ["idezawa"]."""
    found = words.split() if isinstance(words, str) else list(words)
    while found and (found[0].lower() in TITLES or found[0].lower() == "the"):
        found.pop(0)
    if found:
        found[-1] = _POSSESSIVE.sub("", found[-1])
        stem, dash, suffix = found[-1].rpartition("-")
        if dash and stem and suffix.lower() in HONORIFICS:
            found[-1] = stem
    return [word for word in found if word]
