"""Hard-wrapped text (wire copy, e-mail, old archives) -> one paragraph a line.

Text is hard-wrapped when most of its lines fill one width and end mid-sentence. Its paragraphs
are rebuilt: lines joined by a space (a word hyphenated at the wrap keeps its hyphen and no
space); a paragraph ends at a blank line, before an indented line, and after a short line that
ends a sentence. Text laid out one paragraph a line is returned as it is.
"""

from __future__ import annotations

import re
from collections import Counter

_MID_SENTENCE = re.compile(r"[\w,;:(\-–—/&%$]$")
_SENTENCE_END = re.compile(r"[.!?:][\"'”’)\]]*$")
_HYPHENATED = re.compile(r"[^\W\d]-$")
MIN_LINES = 3
MAX_WIDTH = 100  # wrapped text is narrower; one paragraph a line is usually wider
MIN_WIDTH = 50  # a list of short lines (a table, a poem) is not wrapped prose
MID_SENTENCE_SHARE = 0.4
SHORT = 0.75  # a line shorter than this share of the width ends its paragraph if it ends a sentence


def wrap_width(lines: list[str]) -> int | None:
    """The width the text is wrapped at, or None when it is not hard-wrapped."""
    texts = [line.rstrip() for line in lines if line.strip()]
    if len(texts) < MIN_LINES:
        return None
    lengths = sorted(len(text) for text in texts)
    width = lengths[int(0.9 * (len(lengths) - 1))]
    if not MIN_WIDTH <= width <= MAX_WIDTH or lengths[-1] > MAX_WIDTH + 20:
        return None
    full = [text for text in texts if len(text) >= SHORT * width]
    if len(full) < max(2, len(texts) // 2):
        return None
    mid = sum(1 for text in full if _MID_SENTENCE.search(text))
    if mid < MID_SENTENCE_SHARE * len(full):
        return None
    return width


def rebuild(lines: list[str]) -> list[str]:
    """Paragraphs of hard-wrapped lines, one a line; blank lines kept between blocks.

    Lines that are not hard-wrapped come back unchanged."""
    width = wrap_width(lines)
    if width is None:
        return lines
    indents = Counter(_indent(line) for line in lines if line.strip())
    base = indents.most_common(1)[0][0]  # continuation lines; paragraphs are indented more
    out: list[str] = []
    current: list[str] = []

    def flush() -> None:
        if current:
            out.append(_join(current))
            current.clear()

    for line in lines:
        if not line.strip():
            flush()
            if out and out[-1] != "":
                out.append("")
            continue
        if _indent(line) > base:
            flush()
        current.append(line.strip())
        if len(line.rstrip()) < SHORT * width and _SENTENCE_END.search(line.rstrip()):
            flush()
    flush()
    return out


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _join(lines: list[str]) -> str:
    text = lines[0]
    for line in lines[1:]:
        if _HYPHENATED.search(text) and line[:1].isalpha():
            text += line
        else:
            text += " " + line
    return text
