"""End matter: what wire and web copy put after the story's last paragraph.

Taken from the end, one paragraph at a time: a sign-off (` Reuter`, `==Kyodo`, `(END)`, `-30-`,
`###`), a reporter's e-mail line, an editor's note (`(ADDS comments from minister)`), credit lines
(`Reporting by ...; Editing by ...`, `Additional reporting by ...`, `... contributed to this
report.`), a copyright line of any holder (`Copyright 2024 The Associated Press. All rights
reserved.`, `© BusinessKorea`) and a source trailer (`- Nikkei`). A sign-off or a copyright
holder gives the source; a copyright line is kept as `rights`; the rest is dropped from the body
(the file's raw bytes keep all of it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from corpus.loader.conventions.wire import agency_name

_SIGNOFF = re.compile(
    r"^(?:==\s*(?P<agency>[A-Z][\w .'’&-]{1,40})|(?P<wire>reuters?)(?:\.\.\.)?)\s*$", re.I
)
# A sign-off wrapped onto the last line (`... of debt Reuter`, `... 16.69 billion. REUTER`).
_SIGNOFF_AFTER_TEXT = re.compile(r"(?<=\S)\s+(?P<wire>REUTERS?|Reuter)(?:\.\.\.)?$")
_DROPPED = (
    re.compile(r"^(?:\(END\)|-+ ?30 ?-+|#{3}|\[?END\]?|-?ENDS?-?)$", re.I),
    re.compile(r"^\(?[\w.+-]+@[\w-]+(?:\.[\w-]+)+\)?$"),  # a reporter's e-mail line
    re.compile(r"^(?:\w+(?: \w+)*:\s*)?[\w.+-]+@[\w-]+(?:\.[\w-]+)+$"),  # `Contact: x@y.com`
    re.compile(  # an editor's note, in capitals as the wires write it
        r"^\((?:ADDS|UPDATES|CORRECTS|RECASTS|REFILES|REPEATS|ADVISORY|FIXES|WRITETHRU|NEW)\b"
        r"[^()]*\)$"
    ),
    re.compile(  # credit lines: the names that follow "by" are capitalised
        r"^(?:\(?(?i:(?:Additional |Further )?(?:reporting|writing|editing|compiled|"
        r"contributing reporting|research) by) [A-Z].{0,200}|"
        r"(?i:Contributing):.{0,200}|.{0,200}\b(?i:contributed (?:to )?(?:this|the) report)\.?\)?)$"
    ),
)
RIGHTS = re.compile(
    r"^(?:Copyright\b\s*(?:©|\(c\))?|©|\(c\))\s*"
    r"(?:(?:\d{4}(?:\s*[-–]\s*\d{4})?),?\s*)?(?:by\s+)?(?P<holder>[^.©]{1,80}?)\s*"
    r"(?:\.|,|;|$|\s+All rights reserved)",
    re.IGNORECASE,
)
SOURCE_TRAILER = re.compile(r"^[-–—]\s*(?P<source>[^\s.].{0,60})$")
MAX_RIGHTS_CHARS = 400
MAX_NAME_WORDS = 6


@dataclass(frozen=True)
class EndMatter:
    source: str | None = None
    rights: str | None = None


def strip_end_matter(paragraphs: list[str]) -> tuple[list[str], EndMatter]:
    """The paragraphs without their end matter, and the source and rights it gave."""
    out = list(paragraphs)
    source = rights = trailer = None
    if out and (match := _SIGNOFF_AFTER_TEXT.search(out[-1])):
        out[-1], source = out[-1][: match.start()], agency_name(match["wire"])
    while out:
        last = out[-1].strip()
        if not last:
            out.pop()
            continue
        if match := _SIGNOFF.match(last):
            source = source or agency_name(match["agency"] or match["wire"])
        elif any(rule.match(last) for rule in _DROPPED):
            pass
        elif rights is None and (holder := rights_holder(last)) is not None:
            rights, source = last, source or holder
        elif trailer is None and (found := source_trailer(last)) is not None:
            trailer = found
        else:
            break
        out.pop()
    return out, EndMatter(trailer or source, rights)


def rights_holder(line: str) -> str | None:
    """The holder named by a copyright line, or None when the line is not one."""
    if len(line) > MAX_RIGHTS_CHARS or (match := RIGHTS.match(line)) is None:
        return None
    starts_as_notice = re.match(r"^(?:©|\(c\)|Copyright\s*(?:©|\(c\)|\d{4}))", line, re.I)
    if not starts_as_notice and "rights reserved" not in line.lower():
        return None  # "Copyright law is..." is a sentence
    return match["holder"].strip()


def source_trailer(line: str) -> str | None:
    """`- Nikkei`, `- The Japan Times`, `- washingtonpost.com`: a short name, not a sentence."""
    match = SOURCE_TRAILER.match(line)
    return match["source"].strip() if match and reads_as_name(match["source"]) else None


def reads_as_name(text: str) -> bool:
    words = text.split()
    if not 0 < len(words) <= MAX_NAME_WORDS or re.search(r"[!?;:()\"“”]|[^.][.]$", text.strip()):
        return False  # a sentence, a list, a quote
    named = sum(1 for word in words if word[0].isupper() or word[0].isdigit() or "." in word)
    return named >= len(words) - 1 and (words[-1][0].isupper() or "." in words[-1])
