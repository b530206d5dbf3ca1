"""Sentence boundaries by rule, for the languages tagged without the English model.

* Japanese and Chinese: a sentence ends at 。！？ (or ! ?), with any closing quotes or brackets
  after them (」』）), spaces or none.
* Korean: at `.`, `!` or `?` even with no space after it, as the Korean news sample glues
  sentences (`…전망했다.이창영…`), but only after hangul or a closing quote or bracket, so that
  3.5, mk.co.kr and e-mail addresses stay whole.
* Every other language: at `.`, `!`, `?` (and 。！？) followed by a space.
* Everywhere: a line break ends a sentence.
"""

from __future__ import annotations

import re

_CLOSERS = re.escape("」』）)]】〕\"'”’»")  # inside a character class
_JAPANESE = re.compile(rf"[。！？!?]+[{_CLOSERS}]*+(?!と)")
_KOREAN = re.compile(rf"(?<=[\uac00-\ud7a3{_CLOSERS}])[.!?]+[{_CLOSERS}]*(?![0-9A-Za-z])")
_OTHER = re.compile(rf"(?:[.!?]+[{_CLOSERS}]*(?=\s)|[。！？]+[{_CLOSERS}]*)")
_BY_LANGUAGE = {"ja": _JAPANESE, "zh": _JAPANESE, "ko": _KOREAN}


def sentence_spans(text: str, lang: str | None) -> list[tuple[int, int]]:
    """[start, end) of each sentence, without surrounding whitespace, in order."""
    ends = _BY_LANGUAGE.get(lang or "", _OTHER)
    spans: list[tuple[int, int]] = []
    line_start = 0
    for line in text.split("\n"):
        start = 0
        for match in ends.finditer(line):
            _add(spans, line, line_start, start, match.end())
            start = match.end()
        _add(spans, line, line_start, start, len(line))
        line_start += len(line) + 1
    return spans


def _add(spans: list[tuple[int, int]], line: str, offset: int, start: int, end: int) -> None:
    piece = line[start:end]
    stripped = piece.strip()
    if stripped:
        first = start + len(piece) - len(piece.lstrip())
        spans.append((offset + first, offset + first + len(stripped)))
