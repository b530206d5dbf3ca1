"""Finding an entity by id, name or alias, with the closest names on a miss."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from corpus import counted
from corpus.analysis.text import collapse, fold
from corpus.errors import NotFound
from corpus.merges import final_target
from corpus.queries import Row
from corpus.store import Store

SUGGESTIONS = 3


def entity_info(store: Store, ids: Iterable[str] | None = None) -> dict[str, Row]:
    """Entities that have mentions (all, or these ids): id, name, label, mentions, articles."""
    return counted.entity_info(store, ids)


def _label_matches(row: Row, label: str | None) -> bool:
    return label is None or str(row["label"]).upper() == label.upper()


def find_entity(store: Store, query: str, *, label: str | None = None) -> Row:
    """The entity named by `query`: its id, else its name, else any alias (case-insensitive).

    Raises NotFound naming the closest names when nothing matches, or the candidates when the
    name is ambiguous.
    """
    if not fold(query):
        raise NotFound("give an entity: its name, id or any alias")
    query = final_target(store.conn, query.strip())  # a merged entity's id names its target
    quick = _find_indexed(store, query, label)
    if quick is not None:
        return quick
    names = _Names.read(store)
    for level in (names.ids, names.names, names.aliases):
        found = _with_label(store, level.get(fold(query), set()), label)
        if found:
            return _one(query, found)
    raise NotFound(_not_found_message(store, query, label, names))


def _with_label(store: Store, ids: Iterable[str], label: str | None) -> list[Row]:
    return [e for e in entity_info(store, ids).values() if _label_matches(e, label)]


def _one(query: str, found: list[Row]) -> Row:
    if len(found) > 1:
        shown = ", ".join(_describe(e) for e in sorted(found, key=lambda e: -e["mentions"]))
        raise NotFound(f"entity {query!r} is ambiguous: {shown}; give the id or --label")
    return dict(found[0])


def _find_indexed(store: Store, query: str, label: str | None) -> Row | None:
    """The lookup through indexes, for the usual query whose case differs in ASCII only.

    None when no level matches, and the full lookup (Unicode case folding) must decide.
    """
    text = collapse(query).strip()
    variants = sorted({text, text.lower(), text.replace("'", "’")})
    for level in range(3):
        found = _with_label(store, counted.ids_named(store, variants, level), label)
        if found:
            return _one(query, found)
    return None


@dataclass
class _Names:
    """Folded ids, names and aliases (surface forms) -> the ids of entities with mentions."""

    ids: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    names: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    aliases: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))

    @classmethod
    def read(cls, store: Store) -> _Names:
        found = cls()
        folded: dict[str, str] = {}
        for entity_id, name, text in counted.names_and_aliases(store):
            found.ids[fold(entity_id)].add(entity_id)
            found.names[fold(name)].add(entity_id)
            if text not in folded:
                folded[text] = fold(text)
            found.aliases[folded[text]].add(entity_id)
        return found

    def choices(self) -> dict[str, set[str]]:
        merged: dict[str, set[str]] = defaultdict(set)
        for level in (self.ids, self.names, self.aliases):
            for key, ids in level.items():
                merged[key] |= ids
        return merged


def _describe(entity: Row) -> str:
    return f"{entity['name']} ({entity['id']}, {entity['label']})"


def _not_found_message(store: Store, query: str, label: str | None, names: _Names) -> str:
    what = f"no {label.upper()} entity" if label else "no entity"
    choices = names.choices()
    import difflib  # only to suggest a name

    close = difflib.get_close_matches(fold(query), list(choices), n=10, cutoff=0.6)
    ordered = list(dict.fromkeys(i for match in close for i in sorted(choices[match])))
    known = {e["id"]: e for e in _with_label(store, ordered, label)}
    suggested = [known[i] for i in ordered if i in known][:SUGGESTIONS]
    if not suggested:
        return f"{what} {query!r}; `corpus entities` lists them"
    return f"{what} {query!r}; closest: {', '.join(_describe(e) for e in suggested)}"
