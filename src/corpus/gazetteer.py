"""Gazetteers: TOML files of known entities and countries, merged and turned into match patterns.

The shipped file is `corpus/data/gazetteer.toml`; user files given with `--gazetteer` use the same
format and merge over it: an entity with the same id, or a country with the same code, replaces the
earlier one. See the shipped file's header for the fields.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from corpus.errors import GazetteerError

GOV = "GOV"
APOSTROPHES = ("'", "\u2019")
SHIPPED_NAME = "gazetteer.toml"

CountryForm = Literal["name", "adjective", "capital"]
M = TypeVar("M", bound=BaseModel)


class GazetteerEntry(BaseModel):
    """One known entity: its canonical id and the surface forms that name it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(min_length=1)
    name: str = Field(min_length=1)
    label: str = Field(pattern=r"^[A-Z][A-Z_]*$")
    kind: str | None = None
    country: str | None = Field(default=None, pattern=r"^[A-Z]{2,3}$")
    aliases: tuple[str, ...] = ()
    ambiguous: tuple[str, ...] = ()
    not_before: tuple[str, ...] = ()
    not_near: tuple[str, ...] = ()
    descriptors: tuple[str, ...] = ()
    cues: tuple[str, ...] = ()  # see ExtraNames.cues

    @field_validator("aliases", "ambiguous", "descriptors")
    @classmethod
    def _no_blank(cls, values: tuple[str, ...]) -> tuple[str, ...]:
        if any(not value.strip() for value in values):
            raise ValueError("contains an empty string")
        return values

    @model_validator(mode="after")
    def _consistent(self) -> GazetteerEntry:
        if not self.aliases and not self.descriptors:
            raise ValueError("needs at least one alias (or, for GOV, a descriptor)")
        if unknown := set(self.ambiguous) - set(self.aliases):
            raise ValueError(f"ambiguous names not among the aliases: {sorted(unknown)}")
        if self.label == GOV and self.country is None:
            raise ValueError("a GOV entry needs a country")
        if self.descriptors and self.label != GOV:
            raise ValueError("descriptors are for GOV entries only")
        return self


class Country(BaseModel):
    """A country: its ISO code, names and adjectives."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    code: str = Field(pattern=r"^[A-Z]{2,3}$")
    name: str = Field(min_length=1)
    names: tuple[str, ...] = ()
    adjectives: tuple[str, ...] = ()
    capitals: tuple[str, ...] = ()  # "Seoul's science ministry" names a body of the country

    @property
    def all_names(self) -> tuple[str, ...]:
        return self.names if self.name in self.names else (self.name, *self.names)


class ExtraNames(BaseModel):
    """More names of an entity (`entity`: its id) or a country (`country`: its code), kept apart
    from its entry: "[[names]]" tables, applied after every file is merged, so they add to the
    entry whichever file defines it (the shipped file's Korean and Japanese names are these)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    entity: str | None = None
    country: str | None = Field(default=None, pattern=r"^[A-Z]{2,3}$")
    aliases: tuple[str, ...] = Field(min_length=1)
    ambiguous: tuple[str, ...] = ()
    # For an ambiguous name in text without spaces between words (Japanese, Chinese) or with
    # particles attached (Korean), where its neighbours cannot tell a name from a word: it is
    # taken only in an article that also holds one of these.
    cues: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _consistent(self) -> ExtraNames:
        if (self.entity is None) == (self.country is None):
            raise ValueError("give either entity (an id) or country (a code)")
        if any(not alias.strip() for alias in self.aliases):
            raise ValueError("field 'aliases': contains an empty string")
        if unknown := set(self.ambiguous) - set(self.aliases):
            raise ValueError(f"ambiguous names not among the aliases: {sorted(unknown)}")
        if self.country and (self.ambiguous or self.cues):
            raise ValueError("a country's names take no ambiguous or cues")
        return self


class _GazetteerFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    entity: list[dict[str, Any]] = []
    country: list[dict[str, Any]] = []
    names: list[dict[str, Any]] = []


@dataclass(frozen=True)
class Gazetteer:
    """Merged gazetteer: entities by id and countries by code, in file order."""

    entities: dict[str, GazetteerEntry] = field(default_factory=dict)
    countries: dict[str, Country] = field(default_factory=dict)
    sources: tuple[str, ...] = ()
    names: tuple[tuple[str, ExtraNames], ...] = ()  # (source, table) not yet applied

    def merged(self, other: Gazetteer) -> Gazetteer:
        """`other` over `self`: same id (or country code) replaces."""
        return Gazetteer(
            entities={**self.entities, **other.entities},
            countries={**self.countries, **other.countries},
            sources=self.sources + other.sources,
            names=self.names + other.names,
        )

    def with_names(self) -> Gazetteer:
        """The [[names]] tables added to their entries (a missing id or code is an error)."""
        entities, countries = dict(self.entities), dict(self.countries)
        for source, extra in self.names:
            if extra.entity is not None:
                if (entry := entities.get(extra.entity)) is None:
                    raise GazetteerError(f"{source}: [[names]] for unknown entity {extra.entity!r}")
                entities[extra.entity] = entry.model_copy(
                    update={
                        "aliases": (*entry.aliases, *extra.aliases),
                        "ambiguous": (*entry.ambiguous, *extra.ambiguous),
                        "cues": (*entry.cues, *extra.cues),
                    }
                )
            elif extra.country is not None:
                if (country := countries.get(extra.country)) is None:
                    raise GazetteerError(
                        f"{source}: [[names]] for unknown country {extra.country!r}"
                    )
                countries[extra.country] = country.model_copy(
                    update={"names": (*country.all_names, *extra.aliases)}
                )
        return Gazetteer(entities=entities, countries=countries, sources=self.sources)


@dataclass(frozen=True)
class AliasRule:
    """What a matched alias means: the entry it names, and whether it needs a name-like context."""

    entity_id: str
    ambiguous: bool


@dataclass(frozen=True)
class CountryRef:
    """What a matched country surface form means."""

    code: str
    forms: frozenset[CountryForm]


# --- loading -------------------------------------------------------------------------------------


def shipped_gazetteer() -> Gazetteer:
    """The gazetteer shipped as package data."""
    resource = resources.files("corpus") / "data" / SHIPPED_NAME
    return parse_gazetteer(resource.read_bytes(), source=f"<shipped {SHIPPED_NAME}>")


def load_gazetteer_file(path: Path) -> Gazetteer:
    """Read and validate one gazetteer file."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise GazetteerError(f"{path}: cannot read gazetteer: {exc.strerror or exc}") from exc
    return parse_gazetteer(data, source=str(path))


def load_gazetteers(paths: Sequence[Path] = (), *, include_shipped: bool = True) -> Gazetteer:
    """The shipped gazetteer (unless excluded) with each of `paths` merged over it, in order."""
    gazetteer = shipped_gazetteer() if include_shipped else Gazetteer()
    for path in paths:
        gazetteer = gazetteer.merged(load_gazetteer_file(path))
    return gazetteer.with_names()


def parse_gazetteer(data: bytes, *, source: str) -> Gazetteer:
    """Parse gazetteer TOML; every problem becomes a one-line GazetteerError naming `source`."""
    try:
        document = tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise GazetteerError(
            f"{source}: not UTF-8 text ({exc.reason} at byte {exc.start})"
        ) from exc
    except tomllib.TOMLDecodeError as exc:
        raise GazetteerError(f"{source}: invalid TOML: {exc}") from exc
    try:
        tables = _GazetteerFile.model_validate(document)
    except ValidationError as exc:
        raise GazetteerError(
            f"{source}: {_describe(exc)} (expected [[entity]], [[country]] or [[names]] tables)"
        ) from exc
    entities = _validate_all(GazetteerEntry, tables.entity, "entity", "id", source)
    countries = _validate_all(Country, tables.country, "country", "code", source)
    names = []
    for number, table in enumerate(tables.names, start=1):
        try:
            names.append((source, ExtraNames.model_validate(table)))
        except ValidationError as exc:
            raise GazetteerError(f"{source}: names #{number}: {_describe(exc)}") from exc
    return Gazetteer(entities=entities, countries=countries, sources=(source,), names=tuple(names))


def _validate_all(
    model: type[M], tables: list[dict[str, Any]], what: str, key: str, source: str
) -> dict[str, M]:
    records: dict[str, M] = {}
    for number, table in enumerate(tables, start=1):
        where = f"{source}: {what} #{number}"
        if isinstance(table.get(key), str):
            where += f" ({key} {table[key]!r})"
        try:
            record = model.model_validate(table)
        except ValidationError as exc:
            raise GazetteerError(f"{where}: {_describe(exc)}") from exc
        identifier = getattr(record, key)
        if identifier in records:
            raise GazetteerError(f"{where}: duplicate {key} {identifier!r} in the same file")
        records[identifier] = record
    return records


def _describe(exc: ValidationError) -> str:
    error = exc.errors()[0]
    location = ".".join(str(part) for part in error["loc"])
    if error["type"] == "missing":
        return f"missing field {location!r}"
    if error["type"] == "extra_forbidden":
        return f"unknown field {location!r}"
    if not location:
        return error["msg"].removeprefix("Value error, ")
    return f"field {location!r}: {error['msg'].removeprefix('Value error, ')}"


# --- patterns ------------------------------------------------------------------------------------


def apostrophe_variants(text: str) -> set[str]:
    """`text` with straight and with curly apostrophes (they are the same to us)."""
    straight = text.replace("\u2019", "'")
    return {straight, straight.replace("'", "\u2019")}


def alias_rules(gazetteer: Gazetteer) -> dict[str, AliasRule]:
    """Surface form -> rule, for every alias; of two entries sharing an alias, the later wins."""
    rules: dict[str, AliasRule] = {}
    for entry in gazetteer.entities.values():
        for alias in entry.aliases:
            rule = AliasRule(entry.id, ambiguous=alias in entry.ambiguous)
            for variant in apostrophe_variants(alias):
                rules[variant] = rule
    return rules


def country_refs(gazetteer: Gazetteer) -> dict[str, CountryRef]:
    """Surface form -> country, for every country name, adjective and capital ("US" is both a
    name and an adjective)."""
    forms: dict[str, dict[str, set[CountryForm]]] = {}
    for country in gazetteer.countries.values():
        _add_forms(forms, country.code, country.all_names, "name")
        _add_forms(forms, country.code, country.adjectives, "adjective")
        _add_forms(forms, country.code, country.capitals, "capital")
    refs: dict[str, CountryRef] = {}
    for surface, by_code in forms.items():
        code = next(iter(by_code))  # a surface form shared by two countries goes to the first
        refs[surface] = CountryRef(code, frozenset(by_code[code]))
    return refs


def _add_forms(
    forms: dict[str, dict[str, set[CountryForm]]],
    code: str,
    surfaces: Iterable[str],
    form: CountryForm,
) -> None:
    for surface in surfaces:
        for variant in apostrophe_variants(surface):
            forms.setdefault(variant, {}).setdefault(code, set()).add(form)
