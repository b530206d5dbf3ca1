"""Every country: ISO 3166-1 codes, names, demonyms and capitals, from the `countryinfo` package.

The gazetteer's own `[[country]]` tables (shipped and `--gazetteer`) come first and replace these
by code; the package fills in the rest of the world, so that "Kenya's foreign ministry" or "the
Chilean government" is a government without a gazetteer entry. Only the tagging pipeline reads
it (loading the package's data takes ~0.4 s).
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import metadata

from corpus.gazetteer import Country, Gazetteer

# Codes that news writes as names; other all-capital alternative spellings are ISO codes.
NAMED_CODES = frozenset({"UK", "US", "USA", "UAE", "DRC", "PRC", "DPRK", "ROK"})
_LATIN_NAME = re.compile(r"^[A-Z][A-Za-z\u00c0-\u024f.'\u2019 -]+$")


def version() -> str:
    """The countryinfo version, part of the pipeline's fingerprint."""
    try:
        return metadata.version("countryinfo")
    except metadata.PackageNotFoundError:
        return "absent"


@lru_cache(maxsize=1)
def world_countries() -> tuple[Country, ...]:
    """Every country and territory countryinfo knows that has an ISO alpha-2 code."""
    from countryinfo import all_countries

    found: dict[str, Country] = {}
    for record in all_countries():
        info = record.info()
        code = (info.get("ISO") or {}).get("alpha2")
        name = info.get("name")
        if not isinstance(code, str) or not re.fullmatch(r"[A-Z]{2}", code) or not name:
            continue
        if code in found:
            continue  # Wales, Scotland... under GB: the first record of a code is the country
        names = [name, *(info.get("altSpellings") or [])]
        demonym = info.get("demonym")
        capital = info.get("capital")
        capitals = capital if isinstance(capital, list) else [capital] if capital else []
        found[code] = Country(
            code=code,
            name=name,
            names=tuple(dict.fromkeys(n for n in names if _reads_as_name(n))),
            adjectives=(demonym,) if isinstance(demonym, str) and demonym else (),
            capitals=tuple(
                dict.fromkeys(c.removesuffix(" D.C.") for c in capitals if _reads_as_name(c))
            ),
        )
    return tuple(found.values())


def _reads_as_name(text: object) -> bool:
    """A name as English news writes it: Latin letters, no "Korea, Republic of", no ISO code."""
    if not isinstance(text, str) or "," in text or "(" in text:
        return False
    if text.isupper() and len(text) <= 4:
        return text in NAMED_CODES
    return len(text) >= 3 and bool(_LATIN_NAME.match(text))


def with_world(gazetteer: Gazetteer) -> Gazetteer:
    """`gazetteer` with every country it does not list (its own come first and win; those
    without capitals take the package's)."""
    world = {c.code: c for c in world_countries()}
    own = {
        code: country
        if country.capitals or code not in world
        else country.model_copy(update={"capitals": world[code].capitals})
        for code, country in gazetteer.countries.items()
    }
    rest = {code: country for code, country in world.items() if code not in own}
    return Gazetteer(
        entities=gazetteer.entities, countries={**own, **rest}, sources=gazetteer.sources
    )
