"""Gazetteer names, countries and governments in Korean, Japanese and Chinese text, by character.

These scripts put no space between words (Japanese, Chinese) or attach particles to them
(Korean: 네이버는, 네이버가, 라인의), so a name is found by its characters, not its tokens, and
its edges decide whether it is a word of its own:

* An edge between two letters of one script is inside a word: 라인 in 온라인 ("online") or
  가이드라인 ("guideline"), ライン in オンライン, LINE in ONLINE are no names. The scripts told
  apart are Latin letters and digits, katakana and hangul; Chinese characters and kana of another
  kind are always an edge (ソフトバンクは, 日本政府).
* In Korean a name may be followed by particles, any number of them (네이버에서는), and by nothing
  else of hangul: 네이버웹툰 is another name, 라인업 ("line-up") no name at all.
* Where a tokeniser has split the text into words (Japanese with GiNZA's Sudachi), a name must
  begin and end at word boundaries instead, which also settles Chinese characters (日本 in 日本人).
* An ambiguous name that is also a common word (라인, ライン: "line") is taken only in an article
  that holds one of its gazetteer entry's `cues` (메신저, LINE, アプリ...).

A country's name is a GPE, or, followed by a government word (정부, 政府, 외교부, 外務省, 당국,
大使館...; in Korean after an optional space), a government body (GOV) with the same canonical
id as in English ("gov:jp", "gov:kr:mofa").
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from corpus.canonical import Canonicaliser
from corpus.gazetteer import GOV, Gazetteer
from corpus.naming import normalise_text

# Government words after a country's name, and what they are in English (see Canonicaliser.gov_id).
GOV_HEADS = {
    "정부": "government",
    "政府": "government",
    "당국": "authorities",
    "当局": "authorities",
    "외교부": "foreign ministry",
    "外交部": "foreign ministry",
    "外務省": "foreign ministry",
    "외무성": "foreign ministry",
    "총무성": "communications ministry",
    "総務省": "communications ministry",
    "대사관": "embassy",
    "大使館": "embassy",
    "大使馆": "embassy",
}
# Korean particles (josa) and the copula forms that attach to a noun.
_PARTICLE_TEXT = """은 는 이 가 을 를 의 에 에서 에게 께 한테 와 과 도 만 로 으로 까지 부터 보다
    처럼 마저 조차 이나 나 랑 이랑 라는 이라는 이다 였다 이었다 이며 이고 이자 와의 과의 에의 로서
    으로서 로써 으로써 측 쪽 등 들"""
KOREAN_PARTICLES = frozenset(_PARTICLE_TEXT.split())
_LONGEST_PARTICLE = max(map(len, KOREAN_PARTICLES))
_FULLWIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}  # Ａ -> A, same length


@dataclass(frozen=True)
class RuleSpan:
    """A name found by the rules: character offsets, label and canonical entity id."""

    start: int
    end: int
    label: str
    entity_id: str


@dataclass(frozen=True)
class _Surface:
    entity_id: str | None  # an entity's alias, or
    country: str | None  # a country's name
    ambiguous: bool = False


@cache
def script(char: str) -> str | None:
    """The script whose letters join into one word: latin, kana (katakana), hangul; else None."""
    code = ord(char)
    if char.isascii():
        return "latin" if char.isalnum() else None
    if 0xAC00 <= code <= 0xD7A3 or 0x1100 <= code <= 0x11FF or 0x3130 <= code <= 0x318F:
        return "hangul"
    if (0x30A1 <= code <= 0x30FA) or (0x30FC <= code <= 0x30FF) or (0x31F0 <= code <= 0x31FF):
        return "kana"
    if 0xFF66 <= code <= 0xFF9F:
        return "kana"
    name = unicodedata.name(char, "")
    if char.isalnum() and ("LATIN" in name or "DIGIT" in name):
        return "latin"
    return None


def particles_only(text: str, start: int) -> bool:
    """Whether the run of hangul from `start` is made of Korean particles alone."""
    end = start
    while end < len(text) and script(text[end]) == "hangul":
        end += 1
    reachable = {start}
    for i in range(start, end):
        if i in reachable:
            for size in range(1, _LONGEST_PARTICLE + 1):
                if i + size <= end and text[i : i + size] in KOREAN_PARTICLES:
                    reachable.add(i + size)
    return end in reachable


class CjkRules:
    """Finds gazetteer names, countries and governments in text of any language but English."""

    def __init__(self, gazetteer: Gazetteer, canonical: Canonicaliser) -> None:
        self.gazetteer = gazetteer
        self.canonical = canonical
        surfaces: dict[str, _Surface] = {}
        for country in gazetteer.countries.values():
            for name in country.all_names:
                surfaces.setdefault(name, _Surface(None, country.code))
        for entry in gazetteer.entities.values():  # an entity's alias wins over a country name
            for alias in entry.aliases:
                surfaces[alias] = _Surface(entry.id, None, alias in entry.ambiguous)
        self._surfaces = surfaces
        self._by_first: dict[str, list[str]] = {}
        for surface in sorted(surfaces, key=len, reverse=True):
            self._by_first.setdefault(surface[0], []).append(surface)
        self._heads = sorted(GOV_HEADS, key=len, reverse=True)
        self._country_ids = {
            code: f"gpe:{normalise_text(country.name)}"
            for code, country in gazetteer.countries.items()
        }

    def spans(
        self, text: str, lang: str | None, boundaries: Iterable[int] | None = None
    ) -> list[RuleSpan]:
        """Rule spans of `text`, leftmost-longest, not overlapping; `boundaries` are word
        boundaries (character offsets) when a tokeniser found them."""
        folded = text.translate(_FULLWIDTH)
        edges = _Edges(folded, lang, None if boundaries is None else frozenset(boundaries))
        cues = _Cues(folded, self.gazetteer)
        found: list[RuleSpan] = []
        i = 0
        while i < len(folded):
            span = self._match_at(folded, i, edges, cues)
            if span is None:
                i += 1
            else:
                found.append(span)
                i = span.end
        return found

    def _match_at(self, text: str, i: int, edges: _Edges, cues: _Cues) -> RuleSpan | None:
        for surface in self._by_first.get(text[i], ()):
            end = i + len(surface)
            if not text.startswith(surface, i) or not edges.start(i):
                continue
            meaning = self._surfaces[surface]
            if meaning.country is not None:
                if country := self._country_span(text, i, end, meaning.country, edges):
                    return country
                continue
            assert meaning.entity_id is not None
            if not edges.end(i, end):
                continue
            ambiguous = meaning.ambiguous and script(surface[0]) != "latin"
            if ambiguous and not cues.present(meaning.entity_id):
                continue
            label = self.gazetteer.entities[meaning.entity_id].label
            return RuleSpan(i, end, label, meaning.entity_id)
        return None

    def _country_span(
        self, text: str, start: int, end: int, code: str, edges: _Edges
    ) -> RuleSpan | None:
        """A government ("일본 정부", "日本政府") when a government word follows, else the GPE
        if the name is a word of its own."""
        for gap in (0, 1):
            head_start = end + gap
            if gap and (head_start > len(text) or text[end] != " " or edges.lang != "ko"):
                break
            for head in self._heads:
                head_end = head_start + len(head)
                if text.startswith(head, head_start) and edges.end(head_start, head_end):
                    gov_id = self.canonical.gov_id(code, GOV_HEADS[head])
                    return RuleSpan(start, head_end, GOV, gov_id)
        if not edges.end(start, end):
            return None
        return RuleSpan(start, end, "GPE", self._country_ids[code])


class _Edges:
    """Whether text[start:end] is a word of its own in `lang` (see the module's docstring)."""

    def __init__(self, text: str, lang: str | None, boundaries: frozenset[int] | None) -> None:
        self.text = text
        self.lang = lang
        self.boundaries = boundaries

    def start(self, start: int) -> bool:
        if self.boundaries is not None:
            return start in self.boundaries
        first = script(self.text[start])
        return start == 0 or first is None or script(self.text[start - 1]) != first

    def end(self, start: int, end: int) -> bool:
        if self.boundaries is not None:
            return end in self.boundaries
        last = script(self.text[end - 1])
        if end == len(self.text) or last is None or script(self.text[end]) != last:
            return True
        return self.lang == "ko" and last == "hangul" and particles_only(self.text, end)


class _Cues:
    """Which entities have one of their cues in the text (computed once per entity)."""

    def __init__(self, text: str, gazetteer: Gazetteer) -> None:
        self.text = text
        self.gazetteer = gazetteer
        self._known: dict[str, bool] = {}

    def present(self, entity_id: str) -> bool:
        if entity_id not in self._known:
            cues = self.gazetteer.entities[entity_id].cues
            self._known[entity_id] = any(cue in self.text for cue in cues)
        return self._known[entity_id]
