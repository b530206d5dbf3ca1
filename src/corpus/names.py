"""Words of personal names: titles and honorifics that come with a name but are not part of it,
and the gender a title or a given name says.

Used by the pipeline's `corpus_person_names` on spans, and by cross-article merging on stored
ids; nothing here imports spaCy.
"""

from __future__ import annotations

import re
from functools import cache


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
KOREAN_SURNAMES = word_set(
    """Kim Lee Yi Rhee Park Pak Choi Choe Chey Jung Jeong Chung Kang Cho Jo Yoon Yun Jang Chang
    Lim Im Han Oh Seo Suh Shin Sin Kwon Hwang Ahn An Song Yoo Yu Ryu Hong Jeon Jun Chun Ko Koh
    Go Moon Mun Yang Son Sohn Bae Baek Paik Heo Huh Nam Noh Roh Ha Kwak Sung Seong Cha Joo Ju
    Woo Min Na Jin Ji Um Eom Chae Won Bang Kong Hyun Ham Byun Yeom Yeo Choo Chu Do So Seok
    Sun Seol Ma Gil Yeon Wi Goo Koo Ku Kil Pyo Tak Maeng Ok Yook Yuk In"""
)
# One romanised Korean syllable ("do", "hyun", "sik"): an onset, a vowel and a final consonant,
# in Revised Romanization and the common older spellings (hyun, young, joon, shin). Short English
# words fit it too ("Man", "Long"): it is asked only after a Korean surname.
_KOREAN_SYLLABLE = re.compile(
    r"^(?:kk|tt|pp|ss|jj|ch|sh|[gkndtrlmbpsjhyw])?"
    r"(?:yae|wae|yeo|ae|ya|eo|ye|wa|oe|yo|wo|we|wi|yu|eu|ui|oo|ee|ou|a|e|o|u|i)(?:ng|[kntlmp])?$"
)
_POSSESSIVE = re.compile(r"['\u2019][sS]?$")


def spaced_korean_name(words: list[str]) -> bool:
    """A Korean surname and a given name of two syllables written apart: "Kim Do Hyun",
    "Choi Won Sik" (the same name as "Kim Do-hyun", "Choi Won-sik")."""
    return (
        len(words) == 3
        and words[0] in KOREAN_SURNAMES
        and all(w[:1].isupper() and _KOREAN_SYLLABLE.match(w.lower()) for w in words[1:])
    )


def korean_name_key(words: list[str]) -> str | None:
    """ "kim do-hyun" for a spaced Korean name ("Kim Do Hyun"), else None."""
    if not spaced_korean_name(words):
        return None
    return f"{words[0]} {words[1]}-{words[2]}".lower()


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


# --- titles that say a gender ---------------------------------------------------------------

MALE_TITLES = word_set(
    """mr mr. sir lord king prince emperor father brother congressman chairman spokesman
    assemblyman"""
)
FEMALE_TITLES = word_set(
    """mrs mrs. ms ms. miss dame lady queen princess empress sister congresswoman chairwoman
    spokeswoman assemblywoman"""
)
# A given name says a gender when the US census of 1990 (the `names` package's lists, MIT)
# counts it at least this many times more often for one than for the other, and for at least
# this share (in percent) of that one: "Michael", "Tony", "Sandra"; not "Kim", "Jean", "Andrea"
# (39 to 1) or "Simone" (rare and, in Italy, a man's name).
GENDER_RATIO = 40
GENDER_FLOOR = 0.02


def title_gender(title: str) -> str | None:
    """ "male" or "female" for a title that says so ("Mrs", "Lord"), else None."""
    word = title.lower()
    return "male" if word in MALE_TITLES else "female" if word in FEMALE_TITLES else None


def given_name_gender(word: str) -> str | None:
    """ "male" or "female" for a given name the census is clear about, else None."""
    return _census_genders().get(word.upper())


def other_gender(title: str, short: str, full_name: str) -> bool:
    """Whether a mention of `short` after `title` ("Mrs" "Howard") names someone of the other
    gender than `full_name` ("Michael Howard") says: its given name is the word it does not
    share with the short form (the first, or the last for a surname first: "Kim Do-hyun")."""
    said = title_gender(title)
    words = person_words(full_name)
    if said is None or len(words) < 2:
        return False
    given = words[-1] if words[0].lower() == short.lower() else words[0]
    found = given_name_gender(given)
    return found is not None and found != said


@cache
def _census_genders() -> dict[str, str]:
    from importlib import resources  # not at import: every command imports this module

    frequency: dict[str, dict[str, float]] = {"male": {}, "female": {}}
    for gender, table in frequency.items():
        text = (resources.files("names") / f"dist.{gender}.first").read_text(encoding="ascii")
        for line in text.splitlines():
            name, percent, *_ = line.split()
            table[name] = float(percent)
    found: dict[str, str] = {}
    for gender, other in (("male", "female"), ("female", "male")):
        for name, share in frequency[gender].items():
            if share >= GENDER_FLOOR and share >= GENDER_RATIO * frequency[other].get(name, 0.0):
                found[name] = gender
    return found
