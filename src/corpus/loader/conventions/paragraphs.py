"""Hard-wrapped text (wire copy, e-mail, old archives) -> one paragraph a line.

Text is hard-wrapped when most of its lines fill one width and end mid-sentence. Its paragraphs
are rebuilt: lines joined by a space (a word hyphenated at the wrap keeps its hyphen and no
space); a paragraph ends at a blank line, before an indented line, and after a short line (the
last line of a paragraph, or a row of a table). Text laid out one paragraph a line is returned
as it is.
"""

from __future__ import annotations

import re
from itertools import pairwise

_MID_SENTENCE = re.compile(r"[\w,;:(\-–—/&%$]$")
_HYPHENATED = re.compile(r"[^\W\d]-$")
MIN_LINES = 3
MAX_WIDTH = 100  # wrapped text is narrower; one paragraph a line is usually wider
MIN_WIDTH = 50  # a list of short lines (a table, a poem) is not wrapped prose
MID_SENTENCE_SHARE = 0.4
SHORT = 0.75  # a line shorter than this share of the width ends its paragraph


def wrap_width(lines: list[str]) -> int | None:
    """The width the text is wrapped at, or None when it is not hard-wrapped."""
    texts = [line.rstrip() for line in lines if line.strip()]
    if len(texts) < MIN_LINES:
        return None
    lengths = sorted(len(text) for text in texts)
    width = lengths[int(0.9 * (len(lengths) - 1))]
    if not MIN_WIDTH <= width <= MAX_WIDTH or lengths[-1] > MAX_WIDTH + 20:
        return None
    full = [
        text
        for text, after in pairwise([*(line.rstrip() for line in lines), ""])
        if len(text.strip()) and len(text) >= SHORT * width and after.strip()
    ]
    mid = sum(1 for text in full if _MID_SENTENCE.search(text))
    if mid < max(2, MID_SENTENCE_SHARE * len(full)):
        return None
    return width


def rebuild(lines: list[str]) -> list[str]:
    """Paragraphs of hard-wrapped lines, one a line; blank lines kept between blocks.

    In text that is not hard-wrapped only a line that goes on in lower case after a line ending
    mid-sentence is joined to it (a wrapped note under a table); the other lines are kept as
    they are."""
    width = wrap_width(lines)
    # Lines that continue a full line are the least indented; a line indented more starts a
    # paragraph (wire copy indents each paragraph's first line, and each row of its tables).
    base = min(
        (
            _indent(after)
            for line, after in pairwise(lines)
            if width and after.strip() and len(line.rstrip()) >= SHORT * width
        ),
        default=0,
    )
    out: list[str] = []
    current: list[str] = []
    for line, after in pairwise([*lines, ""]):
        if not line.strip():
            if out and out[-1] != "":
                out.append("")
            continue
        current.append(line)
        if not _continues(line, after, width, base):
            out.append(_join(current, keep_indent=width is None))
            current = []
    return out


def _continues(line: str, after: str, width: int | None, base: int) -> bool:
    """Whether `after` goes on with the paragraph that `line` is in."""
    if not after.strip():
        return False
    in_lower_case = (
        bool(_MID_SENTENCE.search(line.rstrip()))
        and after.lstrip()[:1].islower()
        and _indent(after) <= _indent(line)
    )
    if width is None:
        return in_lower_case
    if _indent(after) > base:
        return False
    return len(line.rstrip()) >= SHORT * width or in_lower_case  # a short line ends a paragraph


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _join(lines: list[str], keep_indent: bool) -> str:
    if keep_indent and len(lines) == 1:
        return lines[0]
    text = lines[0].strip()
    for line in lines[1:]:
        line = line.strip()
        if _HYPHENATED.search(text) and line[:1].isalpha():
            text += line
        else:
            text += " " + line
    return (lines[0][: _indent(lines[0])] if keep_indent else "") + text
