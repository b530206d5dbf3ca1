"""Read commands at scale: `python benchmarks/bench.py --reads-at N [--before SRC] [--work DIR]`.

Tags the corpus once, then builds stores of 1x, 10x and Nx its articles by writing renamed
copies of the tagged articles (a new title, and words outside the mentions shifted: see
`renamed`; mentions and sentences are unchanged) through the store's own write path, so every
aggregate is kept as an ingest keeps it. Times each read command as a whole process at each
size (median of 5 runs, interleaved: each round runs it once on every store, so that a change of
load falls on all alike), and the ratio Nx/1x, with the CPU seconds each process used (user +
system: on a shared machine, the figure other load changes least) and the load average.
With `--work DIR` the stores are kept there (`1x.db`, `10x.db`, `Nx.db`), and a later run with
the same DIR reads them instead of building them again. With `--before SRC` (the `src`
directory of an older checkout), the same stores, stripped of what that checkout does not
know, are read by it too, in the same run, for the before/after figures; the first ingest and
the re-ingest of unchanged files (400 files and the whole corpus) are timed with both.
"""

from __future__ import annotations

import os
import re
import resource
import sqlite3
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

from corpus.loader import LoadedFile
from corpus.models import Article, Entity, Mention, Sentence, TaggedArticle
from corpus.parallel import chunked
from corpus.store import Store, StoredFile

REPEATS = 3
READ_ROUNDS = 5  # runs of each read command on each store, interleaved
WRITE_BATCH = 256
SIZE_TABLES = ("pair_counts", "entity_aliases", "entity_facets", "entity_counts", "article_counts")


def read_commands(db: Path) -> dict[str, list[str]]:
    """Every read command the issue names, with arguments that exist in the BBC corpus."""
    with sqlite3.connect(db) as conn:
        prefix = conn.execute("SELECT id FROM articles ORDER BY id LIMIT 1").fetchone()[0][:8]
    return {
        "entities": ["entities"],
        "entities --json": ["entities", "--json"],
        "summary": ["summary"],
        "cooccur": ["cooccur"],
        "cooccur Blair": ["cooccur", "Blair"],
        "cooccur --by article": ["cooccur", "--by", "article"],
        "mentions Blair": ["mentions", "Blair"],
        "list": ["list"],
        "search government": ["search", "government"],
        "show": ["show", prefix],
    }


# --- running -------------------------------------------------------------------------------------


def corpus(args: list[str], src: Path | None) -> tuple[float, float, int]:
    """Wall time, CPU time (user + system) and exit status of `python -m corpus ARGS` (with
    `src` first on the path)."""
    env = dict(os.environ)
    env.pop("NO_COLOR", None)
    if src is not None:
        env["PYTHONPATH"] = str(src)
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "corpus", *args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        check=False,
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - used.ru_utime - used.ru_stime
    return wall, cpu, done.returncode


def medians(runs: list[tuple[float, float, int]]) -> dict[str, Any]:
    """Median wall and CPU seconds of runs of one command, and the last one's exit status."""
    return {
        "wall_s": round(statistics.median(w for w, _, _ in runs), 3),
        "cpu_s": round(statistics.median(c for _, c, _ in runs), 3),
        "rc": runs[-1][2],
    }


# --- building the stores -------------------------------------------------------------------------


def tagged_articles(db: Path) -> list[TaggedArticle]:
    """Every stored article with its tagging, as the tagger handed it to the store."""
    with Store.open(db, readonly=True) as store:
        conn = store.conn
        entities = {
            row[0]: Entity(id=row[0], name=row[1], label=row[2], kind=row[3], country=row[4])
            for row in conn.execute("SELECT id, name, label, kind, country FROM entities")
        }
        mentions: dict[str, list[Mention]] = {}
        for article_id, start, end, text, label, entity in conn.execute(
            "SELECT article_id, start, end, text, label, entity_id FROM mentions "
            "ORDER BY article_id, start"
        ):
            mentions.setdefault(article_id, []).append(
                Mention(text=text, label=label, start=start, end=end, entity=entity)
            )
        sentences: dict[str, list[Sentence]] = {}
        for article_id, start, end, rank in conn.execute(
            "SELECT article_id, start, end, rank FROM sentences ORDER BY article_id, idx"
        ):
            sentences.setdefault(article_id, []).append(Sentence(start=start, end=end, rank=rank))
        found = []
        for row in conn.execute(
            "SELECT id, kind, title, source, date, rights, author, place, url, lang, body, "
            "fingerprint FROM articles ORDER BY id"
        ):
            id_, kind, title, source, date, rights, author, place, url, lang, body, print_ = row
            article = Article(
                kind=kind,
                title=title,
                source=source,
                date=date,
                rights=rights,
                author=author,
                place=place,
                url=url,
                lang=lang,
                body=body,
                path="",
            )
            own = mentions.get(id_, [])
            found.append(
                TaggedArticle(
                    article=article,
                    mentions=own,
                    entities=[entities[i] for i in dict.fromkeys(m.entity for m in own)],
                    sentences=sentences.get(id_, []),
                    fingerprint=print_,
                )
            )
        return found


def renamed(tagged: TaggedArticle, copy: int) -> StoredFile:
    """Copy number `copy` of a tagged article, in a file of its own: a new title, and every
    third word outside the mentions with its letters shifted (same length, so every offset
    holds), so that a copy is not a near-duplicate of the article (which `corpus.dupes` would
    cluster, at a cost no real corpus of distinct articles pays)."""
    original = tagged.article
    title = f"{original.title or 'Untitled'} (copy {copy})"
    path = f"/copies/{copy}/{original.id}.txt"
    body = scrambled(original.body, [(m.start, m.end) for m in tagged.mentions], copy)
    raw = f"{title}\n\n{body}"
    article = original.model_copy(update={"title": title, "body": body, "path": path, "raw": raw})
    article = Article.model_validate(article.model_dump() | {"id": ""})  # its own id
    data = raw.encode()
    loaded = LoadedFile(
        path=path, data=data, size=len(data), mtime_ns=0, encoding="utf-8", articles=[article]
    )
    copied = tagged.model_copy(update={"article": article})
    return StoredFile(loaded=loaded, tagged={article.id: copied})


WORD = re.compile(r"[a-z]+")


def scrambled(body: str, spans: list[tuple[int, int]], copy: int) -> str:
    """Every third lower-case word not inside a span, its letters shifted by `copy`."""
    chars = list(body)
    covered = set()
    for start, end in spans:
        covered.update(range(start, end))
    for n, match in enumerate(WORD.finditer(body)):
        if n % 3 == copy % 3 and not covered.intersection(range(match.start(), match.end())):
            for i in range(match.start(), match.end()):
                chars[i] = chr((ord(chars[i]) - 97 + copy) % 26 + 97)
    return "".join(chars)


def grow(db: Path, tagged: list[TaggedArticle], first: int, last: int) -> float:
    """Write copies first..last of every tagged article into the store; the seconds it took."""
    start = time.perf_counter()
    with Store.open(db) as store:

        def files() -> Iterator[StoredFile]:
            for copy in range(first, last + 1):
                for item in tagged:
                    yield renamed(item, copy)

        for batch in chunked(files(), WRITE_BATCH):
            store.write_files(batch)
    return time.perf_counter() - start


def schema_of(src: Path) -> int:
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "from corpus.migrations import SCHEMA_VERSION; print(SCHEMA_VERSION)",
        ],
        env={**os.environ, "PYTHONPATH": str(src)},
        capture_output=True,
        text=True,
        check=True,
    )
    return int(done.stdout)


def strip(db: Path, target: Path, version: int) -> None:
    """A copy of the store as a checkout of schema `version` reads it: without the aggregate
    tables of migrations 4 and 5 when it is older."""
    backup(db, target)
    with sqlite3.connect(target) as conn:
        for table in SIZE_TABLES:
            if version < (5 if table == "entity_aliases" else 4):
                conn.execute(f"DROP TABLE IF EXISTS {table}")
        conn.execute(f"PRAGMA user_version = {version}")


def table_bytes(db: Path) -> dict[str, int]:
    """Bytes of each table with its indexes (SQLite's dbstat)."""
    with sqlite3.connect(db) as conn:
        rows = conn.execute(
            "SELECT coalesce(m.tbl_name, d.name), sum(d.pgsize) FROM dbstat d "
            "LEFT JOIN sqlite_master m ON m.name = d.name GROUP BY 1"
        ).fetchall()
    return {name: int(size) for name, size in rows}


# --- measuring -----------------------------------------------------------------------------------


def first_and_again(corpus_dir: Path, db: Path, src: Path | None) -> dict[str, float]:
    """The first ingest of a folder and the re-ingest of it unchanged, whole-process."""
    first, _, rc = corpus(["ingest", str(corpus_dir), "--db", str(db), "--no-progress"], src)
    if rc not in (0, 1):
        raise SystemExit(f"ingest failed ({rc})")
    again = statistics.median(
        corpus(["ingest", str(corpus_dir), "--db", str(db), "--no-progress"], src)[0]
        for _ in range(REPEATS)
    )
    return {"first_s": round(first, 2), "again_s": round(again, 3), "speedup": first / again}


def measure(
    corpus_dir: Path, work: Path, copies: int, before: Path | None, keep: Path | None = None
) -> dict[str, Any]:
    """Ingest figures, then the stores of each size built one after the other, read by each;
    with `keep`, the stores are saved there, or read from there when a run saved them."""
    from bench import copy_corpus, log  # the main benchmark's helpers

    sizes = sorted({1, min(10, copies), copies})
    results: dict[str, Any] = {"ingest": {}, "reads": {}, "size": {}, "grow_s": {}, "load": {}}
    kept = {size: keep / f"{size}x.db" for size in sizes} if keep is not None else {}
    if kept and all(path.exists() for path in kept.values()):
        log(f"reading the stores kept in {keep}")
        read_stores(results, {f"{size}x": path for size, path in kept.items()}, before, work)
        return results
    small = copy_corpus(corpus_dir, work / "small", 1, limit=400)
    for side, src in sides(before).items():
        for name, folder in (("400 files", small), ("whole corpus", corpus_dir)):
            log(f"ingest {name} ({side})")
            db = work / f"ingest-{side}-{name.split()[0]}.db"
            results["ingest"][f"{name}, {side}"] = first_and_again(folder, db, src)
    base = work / "ingest-after-whole.db"
    tagged = tagged_articles(base)
    db = work / "reads.db"
    backup(base, db)
    stores: dict[str, Path] = {}
    done = 1
    for size in sizes:
        if size > done:
            log(f"growing the store to {size}x")
            results["grow_s"][f"{size}x"] = round(grow(db, tagged, done, size - 1), 1)
            done = size
        stores[f"{size}x"] = kept.get(size, db if size == sizes[-1] else work / f"{size}x.db")
        if stores[f"{size}x"] != db:
            backup(db, stores[f"{size}x"])
    read_stores(results, stores, before, work)
    return results


def backup(db: Path, target: Path) -> None:
    """A copy of a store with what its write-ahead log holds (a file copy would miss it),
    complete or not there at all."""
    part = target.with_name(target.name + ".part")
    remove(part)
    with closing(sqlite3.connect(db)) as source, closing(sqlite3.connect(part)) as copy:
        source.backup(copy)
    remove(target)  # a write-ahead log left beside it would be read into the copy
    part.replace(target)


def remove(db: Path) -> None:
    """A store and the files SQLite keeps beside it."""
    for suffix in ("", "-wal", "-shm", "-journal"):
        db.with_name(db.name + suffix).unlink(missing_ok=True)


def sides(before: Path | None) -> dict[str, Path | None]:
    """The code each side runs: this checkout, and the `before` one when given."""
    return {"after": None} | ({"before": before} if before is not None else {})


def read_stores(
    results: dict[str, Any], stores: dict[str, Path], before: Path | None, work: Path
) -> None:
    """Time every read command on every store by each side, interleaved: each round runs a
    command once on every store by each side, so that a change of the machine's load falls on
    all alike (their ratios are the figures); and how much of each store is aggregates."""
    from bench import log

    cells: dict[tuple[str, str], tuple[Path, Path | None, dict[str, list[str]]]] = {}
    for size, db in stores.items():
        bytes_by_table = table_bytes(db)
        total = sum(bytes_by_table.values())
        extra = sum(bytes_by_table.get(t, 0) for t in SIZE_TABLES)
        results["size"][size] = {
            "store_mb": round(total / 1e6, 1),
            "aggregates_mb": round(extra / 1e6, 1),
            "share": round(extra / total, 3),
        }
        for side, src in sides(before).items():
            path = db
            if src is not None:
                path = work / f"reads-{side}-{size}.db"
                strip(db, path, schema_of(src))
            cells[(side, size)] = (path, src, read_commands(path))
    results["load"] = {"before": round(os.getloadavg()[0], 1)}
    for label in next(iter(cells.values()))[2]:
        log(f"{label}: {READ_ROUNDS} rounds over {len(cells)} stores")
        runs: dict[tuple[str, str], list[tuple[float, float, int]]] = {key: [] for key in cells}
        for _ in range(READ_ROUNDS):
            for key, (path, src, commands) in cells.items():
                runs[key].append(corpus([*commands[label], "--db", str(path)], src))
        for (side, size), found in runs.items():
            results["reads"].setdefault(label, {}).setdefault(side, {})[size] = medians(found)
    results["load"]["after"] = round(os.getloadavg()[0], 1)
    for path, _, _ in cells.values():
        if path not in stores.values():
            remove(path)


def report(results: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    sizes = list(results["size"])
    console = Console(width=140)
    load = results.get("load", {})
    table = Table(
        title=f"read commands: whole-process wall seconds (CPU seconds), median of {READ_ROUNDS} "
        "interleaved runs; ratio last/first size; load average (1 min) "
        f"{load.get('before', '?')} to {load.get('after', '?')}"
    )
    table.add_column("command")
    sides = sorted({side for timings in results["reads"].values() for side in timings})
    for side in sides:
        for size in sizes:
            table.add_column(f"{side} {size}", justify="right")
        table.add_column(f"{side} ratio", justify="right")
    for label, timings in results["reads"].items():
        cells = []
        for side in sides:
            walls = [timings[side][s]["wall_s"] for s in sizes]
            cpus = [timings[side][s].get("cpu_s", 0.0) for s in sizes]
            cells += [f"{w:.2f} ({c:.2f})" for w, c in zip(walls, cpus, strict=True)]
            ratio = f"{walls[-1] / walls[0]:.2f}x"
            cells.append(ratio + (f" ({cpus[-1] / cpus[0]:.2f}x)" if cpus[0] else ""))
        table.add_row(label, *cells)
    console.print(table)
    ingest = Table(title="first ingest and re-ingest of unchanged files")
    for column in ("run", "first (s)", "re-ingest (s)", "speed-up"):
        ingest.add_column(column)
    for name, row in results["ingest"].items():
        ingest.add_row(
            name, f"{row['first_s']:.1f}", f"{row['again_s']:.3f}", f"{row['speedup']:.0f}x"
        )
    console.print(ingest)
    sizes_table = Table(title="store size")
    for column in ("size", "store (MB)", "aggregates (MB)", "share"):
        sizes_table.add_column(column)
    for size, row in results["size"].items():
        sizes_table.add_row(
            size, str(row["store_mb"]), str(row["aggregates_mb"]), f"{row['share']:.1%}"
        )
    console.print(sizes_table)


def main(
    corpus_dir: Path,
    copies: int,
    before: Path | None,
    work_dir: Path | None,
    stores: list[str] | None = None,
) -> dict[str, Any]:
    """The whole benchmark (its stores kept in `work_dir` when given, and read from there by
    the next run); or, with `stores` ("10x=PATH", ...), only the reads of stores built before
    (by `grow`), in the order given."""
    import tempfile

    if work_dir is not None:
        work_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=work_dir) as work:
        if stores:
            results: dict[str, Any] = {"ingest": {}, "reads": {}, "size": {}}
            given = dict(item.partition("=")[::2] for item in stores)
            read_stores(
                results, {size: Path(path) for size, path in given.items()}, before, Path(work)
            )
        else:
            results = measure(corpus_dir, Path(work), copies, before, work_dir)
    report(results)
    return results
