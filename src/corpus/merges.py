"""Merges of entities: by hand (`corpus merge`), and across articles where the corpus is sure.

A merge points a source entity id at a target. Every mention the tagger gave the source then
carries the target in `mentions.entity_id`, and keeps the tagger's own id in
`mentions.tagged_entity_id`; so every read command, export and aggregate sees one entity, a
merge costs one indexed update (no re-tagging), and `unmerge` restores the tagger's ids. The
`merges` table is kept across `retag` and re-ingest: new mentions of a source are stored under
its target (`apply_to_article`). Targets are final: merging into a source merges into its target.

`merges.how` is "hand", "auto" (a short name that the corpus makes unambiguous, see
`resolve_across_articles`), or "apart": a merge undone by hand, which nothing redoes by itself.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from corpus.aggregates import VALUE_LABELS, account
from corpus.names import other_gender, person_words, title_gender, word_set

APPLIED = ("hand", "auto")
MIGRATION = [
    "ALTER TABLE mentions ADD COLUMN tagged_entity_id TEXT",
    "CREATE INDEX mentions_tagged ON mentions(tagged_entity_id) WHERE tagged_entity_id IS NOT NULL",
    """CREATE TABLE merges (
        source TEXT PRIMARY KEY,
        target TEXT NOT NULL,
        how TEXT NOT NULL,
        evidence TEXT,
        made_at TEXT NOT NULL
    )""",
    "CREATE INDEX merges_target ON merges(target)",
    # A row here says articles were written since the last pass across articles.
    "CREATE TABLE merges_pending (stale INTEGER PRIMARY KEY CHECK (stale = 1))",
    "INSERT INTO merges_pending VALUES (1)",
]


class MergeError(Exception):
    """A merge that cannot be made or undone; the message says why."""


@dataclass(frozen=True)
class Merge:
    source: str
    target: str
    how: str
    evidence: str | None


def merges(conn: sqlite3.Connection, *, include_apart: bool = True) -> list[Merge]:
    rows = conn.execute(
        "SELECT source, target, how, evidence FROM merges ORDER BY target, source"
    ).fetchall()
    return [Merge(*row) for row in rows if include_apart or row[2] in APPLIED]


def final_target(conn: sqlite3.Connection, entity_id: str) -> str:
    """The entity `entity_id` is merged into (itself when it is not merged)."""
    row = conn.execute(
        "SELECT target FROM merges WHERE source = ? AND how IN ('hand', 'auto')", (entity_id,)
    ).fetchone()
    return str(row[0]) if row else entity_id


def merge(
    conn: sqlite3.Connection,
    sources: Sequence[str],
    target: str,
    *,
    how: str = "hand",
    evidence: str | None = None,
    stamp: str,
) -> list[str]:
    """Merge `sources` into `target` (inside the caller's transaction); the sources moved."""
    target = final_target(conn, target)
    moved = [source for source in dict.fromkeys(sources) if source != target]
    if not moved:
        raise MergeError(f"nothing to merge: every source is {target!r} already")
    for source in moved:
        conn.execute(
            "UPDATE merges SET target = ? WHERE target = ? AND how IN ('hand', 'auto')",
            (target, source),
        )
        conn.execute(
            "INSERT INTO merges (source, target, how, evidence, made_at) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (source) DO UPDATE SET target = excluded.target, how = excluded.how, "
            "evidence = excluded.evidence, made_at = excluded.made_at",
            (source, target, how, evidence, stamp),
        )
    _remap(
        conn,
        f"entity_id IN ({','.join('?' * len(moved))})",
        moved,
        "tagged_entity_id = coalesce(tagged_entity_id, entity_id), entity_id = ?",
        [target],
    )
    return moved


def unmerge(conn: sqlite3.Connection, entity_id: str, *, how: str = "apart") -> list[str]:
    """Undo the merge of `entity_id`, or every merge into it; the sources restored.

    By hand the undone merges stay listed as "apart", so that the corpus-wide pass does not
    merge them again; the pass itself drops the auto merges it no longer makes (`how` None).
    """
    sources = [
        str(row[0])
        for row in conn.execute(
            "SELECT source FROM merges WHERE (source = ?1 OR target = ?1) "
            "AND how IN ('hand', 'auto') ORDER BY source",
            (entity_id,),
        )
    ]
    if not sources:
        raise MergeError(f"{entity_id!r} is not merged, and nothing is merged into it")
    marks = ",".join("?" * len(sources))
    if how == "apart":
        conn.execute(f"UPDATE merges SET how = 'apart' WHERE source IN ({marks})", sources)
    else:
        conn.execute(f"DELETE FROM merges WHERE source IN ({marks})", sources)
    _remap(
        conn,
        f"tagged_entity_id IN ({marks})",
        sources,
        "entity_id = tagged_entity_id, tagged_entity_id = NULL",
        [],
    )
    return sources


def _remap(
    conn: sqlite3.Connection, where: str, params: list[str], assign: str, values: list[str]
) -> None:
    """Rewrite the entity ids of the mentions `where` selects, keeping the aggregates exact."""
    articles = [
        str(row[0])
        for row in conn.execute(
            f"SELECT DISTINCT article_id FROM mentions WHERE {where} ORDER BY 1", params
        )
    ]
    account(conn, articles, -1)
    conn.execute(f"UPDATE mentions SET {assign} WHERE {where}", [*values, *params])
    account(conn, articles, 1)


def apply_to_article(conn: sqlite3.Connection, article_id: str) -> None:
    """Store the new mentions of merged sources under their targets (before they are counted)."""
    conn.execute(
        "UPDATE mentions SET tagged_entity_id = entity_id, entity_id = (SELECT g.target "
        " FROM merges g WHERE g.source = mentions.entity_id AND g.how IN ('hand', 'auto')) "
        "WHERE article_id = ? AND entity_id IN "
        "(SELECT source FROM merges WHERE how IN ('hand', 'auto'))",
        (article_id,),
    )


# --- across articles -------------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    """Two entities that may be one, and why."""

    a: str
    b: str
    evidence: str


def _person_ids(conn: sqlite3.Connection) -> list[str]:
    """Every PERSON entity as the tagger named it (merged sources included)."""
    rows = conn.execute(
        "SELECT entity_id FROM entity_counts WHERE label = 'PERSON' "
        "UNION SELECT DISTINCT tagged_entity_id FROM mentions "
        "WHERE tagged_entity_id LIKE 'person:%'"
    )
    return sorted(str(row[0]) for row in rows if str(row[0]).startswith("person:"))


def _short_forms(ids: Iterable[str]) -> tuple[dict[str, str], dict[str, set[str]]]:
    """Single-word names (id -> word), and word -> the fuller names it begins or ends."""
    short: dict[str, str] = {}
    fuller: dict[str, set[str]] = defaultdict(set)
    for entity_id in ids:
        words = person_words(entity_id.removeprefix("person:"))
        if len(words) == 1:
            short[entity_id] = words[0]
        elif len(words) >= 2:
            fuller[words[0]].add(entity_id)
            fuller[words[-1]].add(entity_id)
    return short, fuller


@dataclass(frozen=True)
class Plan:
    """What the corpus-wide pass would change: auto merges to undo, and to make."""

    undo: list[str]
    make: list[tuple[str, str]]


def mark_stale(conn: sqlite3.Connection) -> None:
    """Articles were written: the next pass across articles has work (same transaction)."""
    conn.execute("INSERT OR IGNORE INTO merges_pending VALUES (1)")


def is_stale(conn: sqlite3.Connection) -> bool:
    return conn.execute("SELECT 1 FROM merges_pending").fetchone() is not None


def plan_across_articles(conn: sqlite3.Connection) -> Plan:
    """Each one-word person ("Idezawa") goes into the corpus's only fuller name that begins or
    ends with it; auto merges the corpus no longer supports are undone. Reads only."""
    short, fuller = _short_forms(_person_ids(conn))
    kept = {m.source: m for m in merges(conn)}
    other_labels = _other_label_mentions(conn)
    rare = _rare_entities(conn)
    wanted: dict[str, str] = {}
    for entity_id, word in short.items():
        names = fuller.get(word, set()) - {entity_id}
        if len(names) != 1 or not _reads_as_full_name(_name(conn, full := next(iter(names)))):
            continue
        if other_labels.get(entity_id[7:], 0) >= _person_mentions(conn, entity_id):
            continue  # mostly a place or a body ("England", "GB"): the model's PERSON is a slip
        if _other_gender(conn, entity_id, word, full):
            continue  # "Mrs Howard" is not "Michael Howard", nor one the corpus calls "Mr Howard"
        if len(_shared_company(conn, entity_id, full, rare)) < MIN_SHARED_COMPANY:
            continue  # "Lord Armstrong" in politics, "Bill Armstrong" in sport
        wanted[entity_id] = final_target(conn, full)
    undo = [
        source
        for source, merged in sorted(kept.items())
        if merged.how == "auto" and wanted.get(source) != merged.target
    ]
    make = [
        (source, target)
        for source, target in sorted(wanted.items())
        if source != target
        and (source not in kept or (kept[source].how == "auto" and source in undo))
    ]
    return Plan(undo, make)


def resolve_across_articles(conn: sqlite3.Connection, plan: Plan, *, stamp: str) -> None:
    """Carry out a plan (inside the caller's transaction)."""
    conn.execute("DELETE FROM merges_pending")
    for source in plan.undo:
        unmerge(conn, source, how="drop")
    for source, target in plan.make:
        evidence = f"the only person in the corpus named ... {_name(conn, source)}"
        merge(conn, [source], target, how="auto", evidence=evidence, stamp=stamp)


# Words that make a "full name" the model tagged PERSON something else ("Team GB", "Wembley
# Stadium", "Everton v Sunderland"), and particles that names hold in lower case.
NOT_IN_NAMES = word_set(
    """v vs cup stadium team award awards games agenda fellow city united club group europe
    south north east west schools' league trophy festival band party estate wine records music
    bank fund house street road hall centre center college university school hospital airport
    station"""
)
PARTICLES = word_set("van von de da di du del der den dos das le la al bin ibn")


def _reads_as_full_name(name: str) -> bool:
    words = name.split()
    return 2 <= len(words) <= 4 and all(
        (word[:1].isupper() or word in PARTICLES)
        and word.lower() not in NOT_IN_NAMES
        and not word.endswith(("'", "\u2019", "'s", "\u2019s"))
        for word in words
    )


def _other_gender(conn: sqlite3.Connection, short: str, word: str, full: str) -> bool:
    """Whether a titled short name ("person:mrs howard") says the other gender than a full
    name's given name, or than a title the corpus writes before it ("Mr Howard")."""
    title = short.removeprefix("person:").split(" ", 1)[0]
    said = title_gender(title)
    if said is None:
        return False
    if other_gender(title, word, _name(conn, full)):
        return True
    forms = conn.execute(
        "SELECT a.text FROM entity_aliases a JOIN entity_counts c ON c.key = a.entity "
        "WHERE c.entity_id = ?",
        (full,),
    )
    return any(title_gender(str(text).split(" ", 1)[0]) not in (None, said) for (text,) in forms)


MIN_SHARED_COMPANY = 2
RARE_SHARE = 0.05  # of the articles: an entity rarer than this says something about the story


def _rare_entities(conn: sqlite3.Connection) -> frozenset[str]:
    """Name entities mentioned in at most RARE_SHARE of the articles (or two)."""
    (articles,) = conn.execute(
        "SELECT coalesce(max(articles), 0) FROM article_counts WHERE facet = ''"
    ).fetchone()
    labels = ",".join(f"'{label}'" for label in sorted(VALUE_LABELS))
    rows = conn.execute(
        f"SELECT entity_id FROM entity_counts WHERE articles <= ? AND label NOT IN ({labels})",
        (max(2, int(articles) * RARE_SHARE),),
    )
    return frozenset(str(row[0]) for row in rows)


def _company(conn: sqlite3.Connection, where: str, entity_id: str) -> set[str]:
    """The entities mentioned in the articles where `entity_id` is (by `where`)."""
    return {
        str(row[0])
        for row in conn.execute(
            "SELECT DISTINCT entity_id FROM mentions WHERE article_id IN "
            f"(SELECT article_id FROM mentions WHERE {where})",
            (entity_id,),
        )
    }


def _shared_company(
    conn: sqlite3.Connection, short: str, full: str, rare: frozenset[str]
) -> set[str]:
    """Rare entities that the articles of a short name and of a full name both mention."""
    around_short = _company(conn, "tagged_entity_id = ?1", short) | _company(
        conn, "entity_id = ?1", short
    )
    around_full = _company(conn, "entity_id = ?1 AND tagged_entity_id IS NULL", full)
    return (around_short & around_full & rare) - {short, full}


def _other_label_mentions(conn: sqlite3.Connection) -> dict[str, int]:
    """Normalised text -> mentions under labels other than PERSON (all entities)."""
    found: dict[str, int] = defaultdict(int)
    for entity_id, mentions in conn.execute(
        "SELECT entity_id, mentions FROM entity_counts WHERE label != 'PERSON'"
    ):
        found[str(entity_id).partition(":")[2]] += int(mentions)
    return found


def _person_mentions(conn: sqlite3.Connection, entity_id: str) -> int:
    """Mentions the tagger gave this entity, merged or not."""
    (own,) = conn.execute(
        "SELECT coalesce(sum(mentions), 0) FROM entity_counts WHERE entity_id = ?", (entity_id,)
    ).fetchone()
    (moved,) = conn.execute(
        "SELECT count(*) FROM mentions WHERE tagged_entity_id = ?", (entity_id,)
    ).fetchone()
    return int(own) + int(moved)


def _name(conn: sqlite3.Connection, entity_id: str) -> str:
    row = conn.execute("SELECT name FROM entities WHERE id = ?", (entity_id,)).fetchone()
    return str(row[0]) if row else entity_id


def candidates(conn: sqlite3.Connection) -> list[Candidate]:
    """Pairs of entities that may be one: short names of several people, names in another
    order, short ORG forms and acronyms of a longer ORG name. Merged pairs are left out."""
    found: list[Candidate] = []
    person_ids = _person_ids(conn)
    short, fuller = _short_forms(person_ids)
    for entity_id, word in sorted(short.items()):
        names = sorted(fuller.get(word, set()) - {entity_id})
        if len(names) >= 2:
            evidence = f"names {len(names)} people: " + ", ".join(n[7:] for n in names[:4])
            found += [Candidate(entity_id, name, evidence) for name in names]
        elif names:
            evidence = "the only fuller name, but their articles have little in common"
            found.append(Candidate(entity_id, names[0], evidence))
    by_words: dict[tuple[str, ...], list[str]] = defaultdict(list)
    for entity_id in person_ids:
        words = person_words(entity_id.removeprefix("person:"))
        if len(words) >= 2:
            by_words[tuple(sorted(words))].append(entity_id)
    for group in by_words.values():
        found += [
            Candidate(a, b, "the same names in another order")
            for i, a in enumerate(group)
            for b in group[i + 1 :]
        ]
    found += _org_candidates(conn)
    merged = {(m.source, m.target) for m in merges(conn)}
    return [c for c in found if (c.a, c.b) not in merged and (c.b, c.a) not in merged]


def _org_candidates(conn: sqlite3.Connection) -> list[Candidate]:
    keys = sorted(
        str(row[0])[4:]
        for row in conn.execute("SELECT entity_id FROM entity_counts WHERE label = 'ORG'")
        if str(row[0]).startswith("org:")
    )
    initials: dict[str, list[str]] = defaultdict(list)
    found = []
    for i, key in enumerate(keys):
        for longer in keys[i + 1 :]:
            if not longer.startswith(key):
                break
            if longer[len(key) : len(key) + 1] == " ":
                found.append(Candidate(f"org:{key}", f"org:{longer}", "a shorter form of it"))
        words = [w for w in key.split() if w not in {"of", "and", "the", "for", "&"}]
        if len(words) >= 2:
            initials["".join(w[0] for w in words)].append(key)
    for key in keys:
        for longer in initials.get(key, []) if len(key) >= 2 and key.isalpha() else []:
            found.append(Candidate(f"org:{key}", f"org:{longer}", "its initials"))
    return found


# --- for the commands --------------------------------------------------------------------------


def _counts(conn: sqlite3.Connection, ids: Iterable[str]) -> dict[str, tuple[str, str, int]]:
    """id -> (name, label, mentions) for these entities (0 mentions when merged away)."""
    found: dict[str, tuple[str, str, int]] = {}
    for entity_id in set(ids):
        row = conn.execute(
            "SELECT e.name, e.label, coalesce(c.mentions, 0) FROM entities e "
            "LEFT JOIN entity_counts c ON c.entity_id = e.id WHERE e.id = ?",
            (entity_id,),
        ).fetchone()
        found[entity_id] = (str(row[0]), str(row[1]), int(row[2])) if row else (entity_id, "", 0)
    return found


def candidate_rows(conn: sqlite3.Connection) -> list[dict[str, object]]:
    """`candidates` with names and mention counts, the most mentioned pairs first."""
    found = candidates(conn)
    info = _counts(conn, [c.a for c in found] + [c.b for c in found])
    rows = [
        {
            "a": c.a,
            "a_name": info[c.a][0],
            "a_mentions": info[c.a][2],
            "b": c.b,
            "b_name": info[c.b][0],
            "b_mentions": info[c.b][2],
            "evidence": c.evidence,
        }
        for c in found
    ]
    rows.sort(key=lambda r: (-min(int(str(r["a_mentions"])), int(str(r["b_mentions"]))), r["a"]))
    return rows


def merge_rows(conn: sqlite3.Connection) -> list[dict[str, object]]:
    """Every merge with the names and labels of both sides."""
    found = merges(conn)
    info = _counts(conn, [m.source for m in found] + [m.target for m in found])
    return [
        {
            "source": m.source,
            "source_name": info[m.source][0],
            "target": m.target,
            "target_name": info[m.target][0],
            "label": info[m.target][1],
            "how": m.how,
            "evidence": m.evidence,
        }
        for m in found
    ]


def gazetteer_toml(conn: sqlite3.Connection) -> str:
    """The merges as gazetteer entries: each target with every surface form of its mentions,
    but a person's part names ("Kim", "Mr. Miyakawa" of "Kim Do-hyun", "Junichi Miyakawa"):
    as a gazetteer alias a part would name that one person in every article, where it names
    whoever the article is about. They are listed in a comment instead."""
    targets = sorted({m.target for m in merges(conn, include_apart=False)})
    blocks = ["# Merges exported by `corpus merges --gazetteer`; use with --gazetteer FILE."]
    for target in targets:
        row = conn.execute(
            "SELECT name, label, kind, country FROM entities WHERE id = ?", (target,)
        ).fetchone()
        if row is None:
            continue
        name, label, kind, country = row
        forms = [
            str(text)
            for (text,) in conn.execute(
                "SELECT DISTINCT text FROM mentions WHERE entity_id = ? ORDER BY text", (target,)
            )
        ]
        parts = [form for form in forms if label == "PERSON" and _part_name(form, name)]
        aliases = [form for form in forms if form not in parts]
        lines = [""]
        if parts:
            left_out = ", ".join(_toml(part) for part in parts)
            lines.append(f"# left out, a part of the name that names others too: {left_out}")
        lines += ["[[entity]]", f"id = {_toml(target)}", f"name = {_toml(name)}"]
        lines.append(f"label = {_toml(label)}")
        if kind:
            lines.append(f"kind = {_toml(kind)}")
        if country:
            lines.append(f"country = {_toml(country)}")
        lines.append(f"aliases = [{', '.join(_toml(alias) for alias in aliases)}]")
        blocks.append("\n".join(lines))
    return "\n".join(blocks) + "\n"


def _part_name(form: str, name: str) -> bool:
    """Whether a person's surface form is only a part of their name (fewer words once titles
    and honorifics are set aside): "Kim", "Mr. Miyakawa" of "Junichi Miyakawa"."""
    return len(person_words(form)) < len(person_words(name))


def _toml(value: object) -> str:
    """A TOML basic string (JSON's escapes are TOML's)."""
    import json

    return json.dumps(str(value), ensure_ascii=False)
