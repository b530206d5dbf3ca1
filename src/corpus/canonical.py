"""Canonical entity ids: every mention points to one, whatever its spelling.

Gazetteer hits carry their entry's id ("line", "gov:kr:msit"). Governments found by pattern get
"gov:<country>" or "gov:<country>:<body>". Everything else gets "<label>:<key>", the key being the
mention text normalised: without a leading "the" or a trailing possessive, case-folded, spacing and
apostrophes unified, corporate suffixes dropped for ORG, and countries under one name
("Korea" = "South Korea"). The keys are `naming.name_key`'s; the model's spans are never cut for
them.
"""

from __future__ import annotations

from collections.abc import Iterable

from corpus.gazetteer import GOV, Country, Gazetteer, GazetteerEntry
from corpus.models import Entity
from corpus.naming import display_name, name_key, normalise_text, strip_corporate_suffix

# Heads that name a government as a whole rather than one of its bodies.
_WHOLE_GOVERNMENT = frozenset(
    {
        "government",
        "governments",
        "authorities",
        "administration",
        "national government",
        "central government",
        "federal government",
        "state",
    }
)


class Canonicaliser:
    """Maps mentions to canonical ids and ids to Entity records, from one merged gazetteer."""

    def __init__(self, gazetteer: Gazetteer) -> None:
        self.gazetteer = gazetteer
        self._aliases = _alias_index(gazetteer.entities.values())
        self._countries: dict[str, Country] = {}
        self._nationalities: dict[str, Country] = {}
        for country in reversed(gazetteer.countries.values()):  # earlier countries win shared forms
            self._countries.update({normalise_text(name): country for name in country.all_names})
            self._nationalities.update({normalise_text(adj): country for adj in country.adjectives})
        self._gov_phrases = _gov_phrase_index(gazetteer.entities.values())

    # --- ids -------------------------------------------------------------------------------------

    def entity_id(self, text: str, label: str) -> str:
        """Canonical id for a mention the gazetteer rules did not produce."""
        key = self.key(text, label)
        for candidate in dict.fromkeys((normalise_text(text), key)):
            if (label, candidate) in self._aliases:
                return self._aliases[(label, candidate)]
        if label == "GPE" and key in self._countries:
            return f"gpe:{normalise_text(self._countries[key].name)}"
        if label == "NORP" and key in self._nationalities:
            return f"norp:{normalise_text(_nationality(self._nationalities[key]))}"
        return f"{label.lower()}:{key}"

    def key(self, text: str, label: str) -> str:
        return name_key(text, label)

    def gov_id(self, country_code: str, body: str) -> str:
        """Id of a government body named by its country plus `body` ("foreign ministry")."""
        phrase = normalise_text(body)
        if phrase in _WHOLE_GOVERNMENT:
            return f"gov:{country_code.lower()}"
        known = self._gov_phrases.get((country_code, phrase))
        return known or f"gov:{country_code.lower()}:{phrase}"

    def country_of(self, surface: str) -> Country | None:
        key = normalise_text(surface)
        return self._countries.get(key) or self._nationalities.get(key)

    # --- records ---------------------------------------------------------------------------------

    def entity(self, entity_id: str, label: str, text: str) -> Entity:
        """The Entity record for `entity_id`, first seen as `text` with `label`."""
        if entry := self.gazetteer.entities.get(entity_id):
            return _entry_entity(entry)
        if label == GOV and entity_id.startswith("gov:"):
            return self._generated_gov(entity_id, text)
        if label == "GPE" and (country := self._countries.get(self.key(text, label))):
            return Entity(
                id=entity_id, name=country.name, label=label, kind="country", country=country.code
            )
        if label == "NORP" and (country := self._nationalities.get(self.key(text, label))):
            name = _nationality(country)
            return Entity(
                id=entity_id, name=name, label=label, kind="nationality", country=country.code
            )
        return Entity(id=entity_id, name=display_name(text), label=label)

    def _generated_gov(self, entity_id: str, text: str) -> Entity:
        _, code, *body = entity_id.split(":", 2)
        country = self.gazetteer.countries.get(code.upper())
        country_name = country.name if country else code.upper()
        if not body:
            name, kind = f"Government of {country_name}", "government"
        else:
            name, kind = f"{country_name} {body[0]}", "government body"
        return Entity(id=entity_id, name=name, label=GOV, kind=kind, country=code.upper())


def _nationality(country: Country) -> str:
    return country.adjectives[0] if country.adjectives else country.name


def _entry_entity(entry: GazetteerEntry) -> Entity:
    return Entity(
        id=entry.id, name=entry.name, label=entry.label, kind=entry.kind, country=entry.country
    )


def _alias_index(entries: Iterable[GazetteerEntry]) -> dict[tuple[str, str], str]:
    """(label, normalised alias) -> id, for looking up mentions the rules did not match.

    Ambiguous aliases ("Line") are left out: a statistical "Line" is not evidence of the app.
    """
    index: dict[tuple[str, str], str] = {}
    for entry in entries:
        ambiguous = {normalise_text(alias) for alias in entry.ambiguous}
        for alias in set(entry.aliases) - set(entry.ambiguous):
            key = normalise_text(alias)
            index[(entry.label, key)] = entry.id
            stripped = strip_corporate_suffix(key) if entry.label == "ORG" else key
            if stripped not in ambiguous:  # "Line Corp" must not make a bare "line" the app
                index[(entry.label, stripped)] = entry.id
    return index


def _gov_phrase_index(entries: Iterable[GazetteerEntry]) -> dict[tuple[str, str], str]:
    """(country code, normalised alias or descriptor) -> GOV entry id."""
    index: dict[tuple[str, str], str] = {}
    for entry in entries:
        if entry.label != GOV or entry.country is None:
            continue
        for phrase in (*entry.aliases, *entry.descriptors):
            index[(entry.country, normalise_text(phrase))] = entry.id
    return index
