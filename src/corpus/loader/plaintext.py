"""Plain text -> Articles: a main article, then any digest of dated briefs.

The three seed files are the specification: a plain article (000), an article followed by a
digest of dated briefs (001) and an article ending in a copyright line (002).
"""

from __future__ import annotations

import re

from corpus.loader.conventions.bylines import parse_byline
from corpus.loader.conventions.datelines import split_dateline
from corpus.loader.conventions.headers import Header, split_header
from corpus.loader.conventions.paragraphs import rebuild
from corpus.loader.conventions.signoffs import strip_end_matter
from corpus.loader.dates import normalise_date
from corpus.loader.decoding import is_blank, normalise_newlines
from corpus.models import Article

_MONTHS = "Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec"
_DATE = rf"(?i:(?P<month>{_MONTHS})[a-z]*)\.? (?P<day>\d{{1,2}})(?:,? (?P<year>\d{{4}}))?"
BRIEF_HEADER = re.compile(rf"^(?P<source>\S.{{0,80}}?) [-–—] (?P<date>{_DATE})$")
MAX_HEADLINE_CHARS = 200
_SENTENCE_END = re.compile(r"[.!?][\"”’)]*\s+")
_ABBREVIATIONS = {"mr", "mrs", "ms", "dr", "st", "inc", "corp", "co", "ltd", "jr", "sr", "vs", "no"}
_INITIALISM = re.compile(r"^(?:[A-Za-z]\.)*[A-Za-z]$")


def looks_like_headline(line: str) -> bool:
    stripped = line.strip()
    return (
        0 < len(stripped) <= MAX_HEADLINE_CHARS
        and len(stripped.split()) <= 25
        and (stripped[-1] not in ".!?;,:" or _ends_in_abbreviation(stripped))
    )


def _ends_in_abbreviation(line: str) -> bool:
    """`... TRADE DEAL WITH U.S.` ends in an initialism, not a sentence's period."""
    word = line.split()[-1]
    return bool(re.fullmatch(r"(?:[A-Za-z]\.){2,}", word))


def _headline(line: str, after_header: bool) -> bool:
    """Under a header block the first line is the headline, whatever it ends with."""
    if after_header:
        return len(line.strip()) <= MAX_HEADLINE_CHARS
    return looks_like_headline(line)


def first_sentence(paragraph: str) -> str:
    for match in _SENTENCE_END.finditer(paragraph):
        before = paragraph[: match.start() + 1].split()
        word = before[-1].rstrip(".!?") if before else ""
        if word.lower() in _ABBREVIATIONS or _INITIALISM.match(word):
            continue
        return paragraph[: match.end()].strip()
    return paragraph.strip()


def _clean_lines(lines: list[str]) -> list[str]:
    """Blank out whitespace-only lines, collapse runs of blanks, trim blank edges."""
    out: list[str] = []
    for line in lines:
        line = line.rstrip()
        if is_blank(line):
            if out and out[-1] != "":
                out.append("")
        else:
            out.append(line)
    while out and out[-1] == "":
        out.pop()
    return out


def _brief_starts(lines: list[str]) -> list[int]:
    """Indices of brief header lines: `Source - Mon DD` after a blank line, before text."""
    starts = []
    for i, line in enumerate(lines):
        if not BRIEF_HEADER.match(line.strip()):
            continue
        after_blank = i == 0 or is_blank(lines[i - 1])
        has_text = i + 1 < len(lines) and not is_blank(lines[i + 1])
        if after_blank and has_text:
            starts.append(i)
    return starts


def parse_text(text: str, path: str, encoding: str = "utf-8") -> list[Article]:
    """Split one decoded text into Articles: a main article, then any briefs."""
    lines = normalise_newlines(text).split("\n")
    header, header_end = split_header(lines)
    if all(is_blank(line) for line in lines[header_end:]):  # all "header" (a lone URL): the text
        header, header_end = Header(), 0
    starts = [i for i in _brief_starts(lines) if i >= header_end]
    first = next((i for i in range(header_end, len(lines)) if not is_blank(lines[i])), None)
    if starts == [first]:  # one header at the top and no digest: a headline (`ZINC - APR 7`)
        starts = []
    segments = [(0, starts[0] if starts else len(lines))]
    segments += [(s, e) for s, e in zip(starts, [*starts[1:], len(lines)], strict=False)]
    articles: list[Article] = []
    for position, (start, end) in enumerate(segments):
        segment = lines[start:end]
        raw = "\n".join(segment)
        if position == 0:
            article = _parse_article(lines[header_end:end], path, encoding, raw, header)
        else:
            article = _parse_brief(segment, path, encoding, raw)
        if article is not None:
            articles.append(article.model_copy(update={"position": len(articles)}))
    return articles


def _parse_article(
    lines: list[str], path: str, encoding: str, raw: str, header: Header
) -> Article | None:
    """The conventions in order: header block, headline (and a `Source - date` line under it),
    byline, paragraphs, dateline, end matter."""
    cleaned = _clean_lines(lines)
    if not cleaned:
        return None
    header_used = header != Header()
    title = header.title
    if title is not None and cleaned[0].strip() == title and len(cleaned) > 1:
        cleaned = _clean_lines(cleaned[1:])
    elif title is None and len(cleaned) > 1 and _headline(cleaned[0], after_header=header_used):
        title = cleaned[0].strip()
        cleaned = _clean_lines(cleaned[1:])
    if title is not None and len(cleaned) > 1 and (under := BRIEF_HEADER.match(cleaned[0].strip())):
        header = header.fill("source", under["source"].strip())
        header = header.fill("date", normalise_date(under["date"]))
        cleaned = _clean_lines(cleaned[1:])
    if len(cleaned) > 1 and (byline := parse_byline(cleaned[0])) is not None:
        header = header.fill("author", byline.author)
        cleaned = _clean_lines(cleaned[1:])
    else:
        byline = None
    paragraphs, end = strip_end_matter(rebuild(cleaned))
    dateline = None
    if paragraphs:
        dateline, first = split_dateline(paragraphs[0])
        paragraphs = [first, *paragraphs[1:]] if first else paragraphs[1:]
    body = "\n".join(_clean_lines(paragraphs))
    if not body:  # only a title or a trailer: that line is the body, so no article is empty
        body, title, dateline = title or "\n".join(_clean_lines(lines)), None, None
    if dateline is not None:
        header = header.fill("date", dateline.date)
    sources = (header.source, end.source, dateline and dateline.source, byline and byline.source)
    return Article(
        kind="article",
        title=title,
        source=next((source for source in sources if source), None),
        date=header.date,
        rights=end.rights,
        author=header.author,
        place=dateline.place if dateline else None,
        url=header.url,
        lang=header.lang,
        body=body,
        path=path,
        encoding=encoding,
        raw=raw,
    )


def _parse_brief(lines: list[str], path: str, encoding: str, raw: str) -> Article | None:
    header = BRIEF_HEADER.match(lines[0].strip())
    assert header is not None  # _brief_starts only returns header lines
    paragraphs = rebuild(_clean_lines(lines[1:]))
    dateline, first = split_dateline(paragraphs[0])
    rest = _clean_lines([first, *paragraphs[1:]])
    if not rest:  # only a dateline: keep it as the body
        dateline, rest = None, paragraphs
    body = "\n".join(rest)
    return Article(
        kind="brief",
        title=first_sentence(body.split("\n")[0]),
        source=header["source"].strip(),
        date=normalise_date(header["date"]),
        place=dateline.place if dateline else None,
        body=body,
        path=path,
        encoding=encoding,
        raw=raw,
    )
