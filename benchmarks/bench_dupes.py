"""Near-duplicates measured: what the clusters find, what they cost at ingest, and `dupes` time.

    python benchmarks/bench_dupes.py [--corpus PATH] [--quick] [--json PATH]

1. On the corpus (BBC News), every pair of distinct articles with their exact word 5-shingle
   Jaccard similarity and containment (brute force, through an inverted index of shingles),
   against the stored clusters: the recall of pairs at 0.8 or more (both in one cluster), of
   pairs at 0.55-0.8, and of pairs below 0.55 with one 80% in the other; and the pairs that a
   cluster joins (directly or through other members) below Jaccard 0.3, and of those the ones
   neither contained in the other (wrong).
2. Copies of its stories republished (tests/republish.py): a new headline and dateline, typos,
   the last paragraph cut, one added, and all of these at once; the share of copies found in
   their original's cluster (with the exact Jaccard and containment of those missed), and the
   pairs of different stories a cluster joins whose originals are neither one article nor
   near-duplicates (wrong).
3. Ingest time with and without signatures: the same `corpus ingest` process (spaCy tagging,
   --jobs 2), once as shipped and once with signing and the near-duplicate index switched off,
   alternated, on a sample of the corpus (all of it without --quick); the ratio of the medians.
4. `corpus dupes` whole-process time (table and --json) on the corpus's store and on one ten
   times larger (each story and nine republished copies; stored without tagging).

Ratios are against a baseline measured in the same run; the machine may be shared.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
from collections import Counter, defaultdict
from itertools import combinations
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from bench import (
    DEFAULT_CORPUS,
    PYTHON,
    copy_corpus,
    corpus_cmd,
    describe,
    environment,
    log,
    run,
    verdict,
    write_results,
)

from corpus.dupes import CONTAINED, CONTAINED_SHINGLES
from corpus.dupes.queries import clusters
from corpus.dupes.signatures import shingle_hashes
from corpus.ingest import Ingest, NullTagger
from corpus.store import Store
from republish import EDITS, republish

QUICK_FILES, QUICK_STORIES, REPEATS = 300, 150, 3
# `corpus ingest` with near-duplicates switched off: signing returns nothing, nothing is indexed.
UNSIGNED_INGEST = """\
import sys
import corpus.dupes.index as index, corpus.dupes.signatures as signatures
signatures.sign = lambda text: signatures.Signed(b"", 0)
index.add = lambda conn, articles, seeds=(): None
from corpus.cli import main
main(sys.argv[1:])
"""


def store_untagged(root: Path, db: Path) -> None:
    with Store.open(db) as store:
        Ingest(store, NullTagger, NullTagger.fingerprint).run([str(root)])


Exact = tuple[float, float]  # Jaccard similarity, containment (as the store counts it)


def exact_pairs(store: Store) -> dict[tuple[str, str], Exact]:
    """Every pair of stored articles sharing a shingle, with their exact Jaccard similarity and
    containment (the share of the shorter's shingles in the longer; 0 below CONTAINED_SHINGLES
    shared)."""
    shingles = {
        id_: set(shingle_hashes(body).tolist())
        for id_, body in store.conn.execute("SELECT id, body FROM articles")
    }
    postings: defaultdict[int, list[str]] = defaultdict(list)
    for id_, found in shingles.items():
        for shingle in found:
            postings[shingle].append(id_)
    shared: Counter[tuple[str, str]] = Counter()
    for ids in postings.values():
        if 1 < len(ids) < 200:  # a shingle in 200 articles is boilerplate, not a story
            shared.update(combinations(sorted(ids), 2))
    out = {}
    for (a, b), n in shared.items():
        sizes = len(shingles[a]), len(shingles[b])
        share = n / min(sizes) if n >= CONTAINED_SHINGLES else 0.0
        out[a, b] = (n / (sum(sizes) - n), share)
    return out


def wrong(exact: Exact | None) -> bool:
    """A pair neither similar (Jaccard under 0.3) nor one contained in the other."""
    return exact is None or (exact[0] < 0.3 and exact[1] < CONTAINED)


def cluster_of(store: Store) -> dict[str, str]:
    return {m: c["representative"] for c in clusters(store)[0] for m in c["articles"]}


def joined_pairs(joined: dict[str, str]) -> set[tuple[str, str]]:
    members: defaultdict[str, list[str]] = defaultdict(list)
    for id_, rep in joined.items():
        members[rep].append(id_)
    return {pair for ids in members.values() for pair in combinations(sorted(ids), 2)}


def brute_force(root: Path, work: Path) -> dict[str, Any]:
    db = work / "bbc.db"
    store_untagged(root, db)
    with Store.open(db, readonly=True) as store:
        pairs = exact_pairs(store)
        joined = cluster_of(store)
        articles = store.conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    same = joined_pairs(joined)
    high = [p for p, (j, _) in pairs.items() if j >= 0.8]
    mid = [p for p, (j, _) in pairs.items() if 0.55 <= j < 0.8]
    held = [p for p, (j, c) in pairs.items() if j < 0.55 and c >= CONTAINED]
    return {
        "articles": articles,
        "clusters": len(set(joined.values())),
        "clustered_articles": len(joined),
        "pairs_at_0.8": len(high),
        "recall_at_0.8": sum(p in same for p in high) / max(1, len(high)),
        "pairs_0.55_to_0.8": len(mid),
        "recall_0.55_to_0.8": sum(p in same for p in mid) / max(1, len(mid)),
        "pairs_contained_below_0.55": len(held),
        "recall_contained_below_0.55": sum(p in same for p in held) / max(1, len(held)),
        "joined_below_0.3": sum(pairs.get(p, (0.0, 0.0))[0] < 0.3 for p in same),
        "joined_wrongly": sum(wrong(pairs.get(p)) for p in same),
        "joined_pairs": len(same),
        "db": str(db),
    }


def synthetic(root: Path, work: Path, stories: int) -> dict[str, Any]:
    files = sorted(root.rglob("*.txt"))
    picked = random.Random(17).sample(files, min(stories, len(files)))
    folder = work / "republished"
    variants = [(edit,) for edit in EDITS[1:]] + [EDITS]  # headline goes with every copy
    for n, path in enumerate(picked):
        text = path.read_text(errors="replace")
        (folder / "original").mkdir(parents=True, exist_ok=True)
        (folder / "original" / f"{n}.txt").write_text(text)
        for edits in variants:
            name = "+".join(edits) if len(edits) > 1 else edits[0]
            (folder / name).mkdir(exist_ok=True)
            (folder / name / f"{n}.txt").write_text(republish(text, n, ("headline", *edits)))
    db = work / "republished.db"
    store_untagged(folder, db)
    with Store.open(db, readonly=True) as store:
        joined = cluster_of(store)
        by_path = dict(store.conn.execute("SELECT path, article_id FROM occurrences"))
        pairs = exact_pairs(store)
    story = {id_: int(Path(path).stem) for path, id_ in by_path.items()}
    originals = {int(Path(path).stem): id_ for path, id_ in by_path.items() if "/original/" in path}
    found: dict[str, float] = {}
    missed: dict[str, list[tuple[float, float]]] = {}  # the exact figures of each copy missed
    for edits in variants:
        name = "+".join(edits) if len(edits) > 1 else edits[0]
        label = "headline+" + name if name != "+".join(EDITS) else "all"
        hits = 0
        for n in range(len(picked)):
            original = by_path[str((folder / "original" / f"{n}.txt").resolve())]
            copy = by_path[str((folder / name / f"{n}.txt").resolve())]
            if original in joined and joined.get(copy) == joined[original]:
                hits += 1
            else:
                pair = (min(original, copy), max(original, copy))
                figures = pairs.get(pair, (0.0, 0.0))
                missed.setdefault(label, []).append((round(figures[0], 3), round(figures[1], 3)))
        found[label] = hits / len(picked)
    same = joined_pairs(joined)
    # Two stories joined: wrong unless their originals are one article (BBC's exact copies) or
    # near-duplicates themselves.
    across = [(a, b) for a, b in same if story[a] != story[b]]
    stories_joined = {tuple(sorted((story[a], story[b]))) for a, b in across}
    wrongly = {
        (m, n)
        for m, n in stories_joined
        if originals[m] != originals[n]
        and wrong(pairs.get((min(originals[m], originals[n]), max(originals[m], originals[n]))))
    }
    return {
        "stories": len(picked),
        "found": found,
        "missed_exact": {k: sorted(v) for k, v in missed.items()},
        "stories_joined": len(stories_joined),
        "stories_joined_wrongly": sorted(wrongly),
        "joined_pairs": len(same),
    }


def ingest_cost(root: Path, work: Path, limit: int | None, jobs: int) -> dict[str, Any]:
    sample = copy_corpus(root, work / "sample", 1, limit) if limit else root
    walls: dict[str, list[float]] = {"signed": [], "unsigned": []}
    cpus: dict[str, list[float]] = {"signed": [], "unsigned": []}  # the process tree's CPU
    for repeat in range(REPEATS):
        for name in ("unsigned", "signed") if repeat % 2 == 0 else ("signed", "unsigned"):
            db = work / f"cost-{name}-{repeat}.db"
            args = ["ingest", str(sample), "--jobs", str(jobs), "--db", str(db)]
            cmd = corpus_cmd(*args) if name == "signed" else [PYTHON, "-c", UNSIGNED_INGEST, *args]
            result = run(cmd)
            if result.rc != 0:
                raise SystemExit(f"{name} ingest failed: {result.stderr.strip()[-300:]}")
            walls[name].append(result.wall)
            cpus[name].append(result.cpu_s)
            log(f"ingest {name} #{repeat + 1}: {result.wall:.1f} s, {result.cpu_s:.1f} s CPU")
    signed, unsigned = (statistics.median(walls[k]) for k in ("signed", "unsigned"))
    signed_cpu, unsigned_cpu = (statistics.median(cpus[k]) for k in ("signed", "unsigned"))
    return {
        "files": describe(sample)["files"],
        "jobs": jobs,
        "walls": walls,
        "cpus": cpus,
        "ratio": signed / unsigned,
        "cpu_ratio": signed_cpu / unsigned_cpu,
    }


def dupes_time(db: Path) -> dict[str, float]:
    out = {}
    for name, extra in (("table", []), ("json", ["--json"])):
        walls = []
        for _ in range(REPEATS):
            result = run(corpus_cmd("dupes", *extra, "--db", str(db)))
            if result.rc != 0:
                raise SystemExit(f"dupes failed: {result.stderr.strip()}")
            walls.append(result.wall)
        out[name] = min(walls)
    return out


def tenfold(root: Path, work: Path) -> Path:
    folder = work / "tenfold"
    for n, path in enumerate(sorted(root.rglob("*.txt"))):
        text = path.read_text(errors="replace")
        target = folder / path.relative_to(root).parent
        target.mkdir(parents=True, exist_ok=True)
        (target / path.name).write_text(text)
        for copy in range(1, 10):
            rng = random.Random(n * 10 + copy)
            edits = tuple(e for e in EDITS if rng.random() < 0.5) or ("headline",)
            (target / f"{path.stem}-{copy}.txt").write_text(republish(text, n * 10 + copy, edits))
    db = work / "tenfold.db"
    store_untagged(folder, db)
    return db


def report(results: dict[str, Any]) -> None:
    console = Console(stderr=True)
    table = Table(title="near-duplicates", title_justify="left")
    for column in ("measure", "value", "target", "verdict"):
        table.add_column(column)
    bf, syn = results["brute_force"], results["synthetic"]
    table.add_row(
        "BBC: recall of pairs at Jaccard >= 0.8",
        f"{bf['recall_at_0.8']:.3f} of {bf['pairs_at_0.8']}",
        "1.0",
        verdict(bf["recall_at_0.8"] == 1.0),
    )
    table.add_row(
        "BBC: recall of pairs at 0.55-0.8",
        f"{bf['recall_0.55_to_0.8']:.3f} of {bf['pairs_0.55_to_0.8']}",
        "",
        verdict(None),
    )
    table.add_row(
        f"BBC: recall of pairs below 0.55, one {CONTAINED:.0%} in the other",
        f"{bf['recall_contained_below_0.55']:.3f} of {bf['pairs_contained_below_0.55']}",
        "",
        verdict(None),
    )
    table.add_row(
        "BBC: pairs joined below Jaccard 0.3 (of them, neither contained)",
        f"{bf['joined_below_0.3']} ({bf['joined_wrongly']}) of {bf['joined_pairs']}",
        "0",
        verdict(bf["joined_wrongly"] == 0),
    )
    for name, share in syn["found"].items():
        table.add_row(
            f"copies found: {name}", f"{share:.3f} of {syn['stories']}", "", verdict(None)
        )
    wrongly = len(syn["stories_joined_wrongly"])
    table.add_row(
        "copies: two stories joined (of them, originals not near-duplicates)",
        f"{syn['stories_joined']} ({wrongly})",
        "0",
        verdict(wrongly == 0),
    )
    cost = results["ingest_cost"]
    table.add_row(
        f"ingest with / without signatures ({cost['files']} files, --jobs {cost['jobs']})",
        f"{cost['ratio']:.3f}x wall, {cost.get('cpu_ratio', float('nan')):.3f}x CPU",
        "< 1.05x",
        verdict(cost["ratio"] < 1.05),
    )
    for name, times in results["dupes_time"].items():
        worst = max(times.values())
        shown = " / ".join(f"{t:.2f}" for t in times.values())
        table.add_row(
            f"`corpus dupes` table / --json, {name}", f"{shown} s", "< 0.5 s", verdict(worst < 0.5)
        )
    console.print(table)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--quick", action="store_true", help="a sample for the costly parts")
    parser.add_argument("--jobs", type=int, default=2, help="tagging processes when timing ingest")
    parser.add_argument("--skip-ingest", action="store_true", help="skip the ingest timing")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-dupes-") as tmp:
        work = Path(tmp)
        results: dict[str, Any] = {"environment": environment()}
        log("brute force on the corpus")
        results["brute_force"] = brute_force(args.corpus, work)
        log("republished copies")
        results["synthetic"] = synthetic(args.corpus, work, QUICK_STORIES if args.quick else 600)
        log("ten times the corpus")
        big = tenfold(args.corpus, work)
        results["dupes_time"] = {
            "1x": dupes_time(Path(results["brute_force"]["db"])),
            "10x": dupes_time(big),
        }
        if not args.skip_ingest:
            log("ingest with and without signatures")
            limit = QUICK_FILES if args.quick else None
            results["ingest_cost"] = ingest_cost(args.corpus, work, limit, args.jobs)
        else:
            results["ingest_cost"] = {"files": 0, "jobs": args.jobs, "ratio": float("nan")}
        report(results)
        write_results(results, args.json)


if __name__ == "__main__":
    main()
