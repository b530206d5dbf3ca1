"""Entity names people read, chosen from how the corpus writes each entity.

An entity the tagger made from its mentions ("gpe:tokyo", "person:takeshi idezawa") is named by
its most frequent surface form, counted in `entity_aliases` (exact at write time), among the forms
that spell its id: so a person joined by surname, or an acronym or short name merged into a long
one, keeps the full name. Mixed case comes before ALL CAPS ("Tokyo", not the dateline's "TOKYO").
The value labels (dates, numbers, amounts) take their most frequent form as it is written: in
running text that is lower case ("first", "last year": 1,024 and 295 times in the BBC corpus,
against 24 and 52 for the "First" and "Last year" that open sentences) but for the names of days
and months ("Friday"); number words are always in lower case ("two", "One" opening a sentence).
Gazetteer entities, countries and governments (those with a kind) keep their entry's name.

`rename` runs in every write transaction (from `aggregates.account`), for the entities the
write touched, so a name is exact after any insert, replacement, deletion, re-tag or merge and
does not depend on the order files were ingested. The comparison keys of names
(`normalise_text`) live here too: they are what "spells its id" means, and the tagger's
canonical ids (`canonical.py`) are made of them.
"""

from __future__ import annotations

import re
import sqlite3
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator
from functools import lru_cache
from itertools import groupby

from corpus import aggregates
from corpus.names import korean_name_key
from corpus.parallel import chunked

CHUNK = 500
_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "\u00a0": " "})
_SPACES = re.compile(r"\s+")
_LEADING_THE = re.compile(r"^the\s+")
_POSSESSIVE = re.compile(r"\s*'s?$")
_EDGE_PUNCTUATION = " \"'.,;:!?()[]{}"
_CORPORATE_SUFFIX = re.compile(
    r"(?:,?\s+(?:inc|incorporated|corp|corporation|co|company|ltd|limited|plc|llc|gmbh|ag|kk)\.?)+$"
)
NUMBER_LABELS = frozenset({"CARDINAL", "ORDINAL"})
_ACRONYM = re.compile(r"^[A-Z&.]{2,4}$")
_WORDS = re.compile(r"^[^\W\d_]+(?:[ -][^\W\d_]+)*$")  # "Two", "Twenty-first": words, no digits


# --- comparison keys -------------------------------------------------------------------------


def fold(text: str) -> str:
    """Comparison key for names as typed: Unicode-normalised, case-folded, one kind of quote
    and space (how read commands look a name up)."""
    key = unicodedata.normalize("NFKC", text).translate(_QUOTES)
    return _SPACES.sub(" ", key).strip().casefold()


def normalise_text(text: str) -> str:
    """Comparison key for a name: "The  Korea’s" -> "korea"."""
    key = _LEADING_THE.sub("", fold(text))
    key = _POSSESSIVE.sub("", key)
    return key.strip(_EDGE_PUNCTUATION)


def strip_corporate_suffix(key: str) -> str:
    """ "naver corp." -> "naver"; never strips a name down to nothing."""
    stripped = _CORPORATE_SUFFIX.sub("", key).strip(_EDGE_PUNCTUATION)
    return stripped or key


def name_key(text: str, label: str) -> str:
    """The key of a mention's text in its entity id ("<label>:<key>"): for ORG without a
    corporate suffix; for a Korean name written apart ("Kim Do Hyun") the hyphenated form's
    ("kim do-hyun"), so that both spellings are one person."""
    key = normalise_text(text)
    if label == "ORG":
        return strip_corporate_suffix(key)
    if label == "PERSON" and (korean := korean_name_key(display_name(text).split())):
        return korean
    return key


def display_name(text: str) -> str:
    """A mention's text as an entity name: one-line spacing, no leading "the", no possessive,
    no punctuation the span caught at its edges ("Grand Theft Auto:", a lone opening quote)."""
    name = _SPACES.sub(" ", text.translate(_QUOTES)).strip()
    name = re.sub(r"^[Tt]he\s+", "", name)
    name = _POSSESSIVE.sub("", name).strip(" :;,")
    for mark in "\"'([":
        closing = {"(": ")", "[": "]"}.get(mark, mark)
        if name.count(mark) + (name.count(closing) if closing != mark else 0) == 1:
            name = name.strip(mark + closing).strip()
    return name or text.strip()


# --- choosing a name -------------------------------------------------------------------------


def named_by_forms(entity_id: str, label: str, kind: str | None) -> bool:
    """Whether an entity takes its name from its mentions: one the tagger made from a mention
    ("<label>:<key>"), not a gazetteer entry, country or government (which have their name)."""
    return kind is None and entity_id.startswith(f"{label.lower()}:")


def choose(entity_id: str, label: str, forms: Iterable[tuple[str, int]]) -> str | None:
    """The name of an entity from its (surface form, mentions) pairs; None without forms."""
    counts: Counter[str] = Counter()
    own: Counter[str] = Counter()
    key = entity_id.partition(":")[2]
    for text, mentions in forms:
        name, spelled = _form(text, label)
        counts[name] += mentions
        if spelled == key:
            own[name] += mentions
    candidates = own or counts
    if not candidates:
        return None
    values = label in aggregates.VALUE_LABELS
    best = min(candidates.items(), key=lambda item: _rank(*item, values=values))[0]
    if label in NUMBER_LABELS and _WORDS.match(best):
        return best.lower()  # number words are no proper nouns ("Two" opens a sentence)
    return best


@lru_cache(maxsize=1 << 16)
def _form(text: str, label: str) -> tuple[str, str]:
    """A surface form's name and key (cached: every write sees the same forms again)."""
    return display_name(text), name_key(text, label)


def _rank(name: str, mentions: int, *, values: bool) -> tuple[int, int, str]:
    """The sort key of a candidate name, the best first; ties go to the smallest text."""
    if values:  # the most frequent, in lower case on a tie
        return -mentions, int(name != name.lower()), name
    return _case_rank(name), -mentions, name


def _case_rank(name: str) -> int:
    """Mixed case (or a script without case) first, then ALL CAPS, then all lower case. An
    acronym (one word of up to four capitals: "CIA", "NATO") ranks as mixed case, so that the
    spelling the corpus writes more often wins ("CIA" 60 times over a stray "Cia"); a dateline
    ("TOKYO") is longer."""
    if name.upper() == name.lower() or (name != name.upper() and name != name.lower()):
        return 0
    if name == name.upper():
        return 0 if _ACRONYM.match(name) else 1
    return 2


# --- keeping names in the store ----------------------------------------------------------------


def rename(conn: sqlite3.Connection, ids: Iterable[str]) -> None:
    """Give these entities the names their forms choose (inside the caller's transaction);
    an entity without forms left (merged away, or no longer mentioned) keeps its name."""
    conn.executemany(
        "UPDATE entities SET name = ? WHERE id = ?",
        [(name, entity_id) for entity_id, _, name in _choices(conn, sorted(set(ids)))],
    )


def rename_all(conn: sqlite3.Connection) -> None:
    """Rename every entity (for the migrations that choose names, and `check --repair`)."""
    rename(conn, (str(row[0]) for row in conn.execute("SELECT entity_id FROM entity_counts")))


def stale(conn: sqlite3.Connection) -> list[tuple[str, str, str]]:
    """(id, stored name, chosen name) of every entity whose stored name is not the chosen one."""
    ids = [str(row[0]) for row in conn.execute("SELECT entity_id FROM entity_counts")]
    return list(_choices(conn, sorted(ids)))


def _choices(conn: sqlite3.Connection, ids: list[str]) -> Iterator[tuple[str, str, str]]:
    """(id, stored name, chosen name) of those of `ids` whose chosen name differs."""
    for chunk in chunked(ids, CHUNK):
        rows = conn.execute(
            "SELECT e.id, e.name, e.label, a.text, a.mentions FROM entities e "
            "JOIN entity_counts c ON c.entity_id = e.id JOIN entity_aliases a ON a.entity = c.key "
            f"WHERE e.id IN ({','.join('?' * len(chunk))}) AND e.kind IS NULL "
            "ORDER BY e.id",
            chunk,
        )
        for (entity_id, stored, label), group in groupby(rows, key=lambda row: row[:3]):
            if not named_by_forms(entity_id, label, None):
                continue
            chosen = choose(entity_id, label, [(text, n) for *_, text, n in group])
            if chosen is not None and chosen != stored:
                yield entity_id, stored, chosen
