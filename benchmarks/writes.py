"""What the aggregates cost at write time: `python benchmarks/writes.py [--files N] [--ingest]`.

1. The store's write path alone: the tagged articles of a store (tagged once, by a first ingest
   of the corpus, or `--from DB`) written into a fresh store in ingest-sized batches, with and
   without `aggregates.account`, alternating, median of 3: the seconds the aggregates add, and
   the aggregates' share of that store's bytes (SQLite's dbstat, as an ingest lays them out).
2. With `--ingest`: a first ingest of N files (a sample of the corpus) as a whole process, with
   and without `account` (patched out in the process), alternating, median of 3.
3. With `--reingest [--before SRC]`: first ingest and re-ingest of unchanged files,
   whole-process, on N files and on the whole corpus (the re-ingest a median of 3), and the
   speed-up; with `--before`, by the `src` directory of an older checkout too, in the same run.

Ratios are of runs in the same invocation; the machine may be shared, so say so with figures.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench import DEFAULT_CORPUS, copy_corpus, log
from reads import (
    SIZE_TABLES,
    WRITE_BATCH,
    first_and_again,
    renamed,
    sides,
    table_bytes,
    tagged_articles,
)

from corpus import store as store_module
from corpus.models import TaggedArticle
from corpus.parallel import chunked
from corpus.store import Store

REPEATS = 3
WITHOUT = "import corpus.store\ncorpus.store.account = lambda conn, ids, sign: None\n"
INGEST = (
    "import sys\n{patch}from corpus.cli import main\n"
    "main(['ingest', *sys.argv[1:], '--no-progress', '--jobs', '1'])\n"
)


def write_all(db: Path, tagged: list[TaggedArticle], with_account: bool) -> float:
    """Seconds to write every tagged article (as its own file) into a fresh store."""
    kept = store_module.account
    if not with_account:
        store_module.account = lambda conn, ids, sign: None  # type: ignore[assignment]
    try:
        files = [renamed(item, 0) for item in tagged]
        start = time.perf_counter()
        with Store.open(db) as store:
            for batch in chunked(files, WRITE_BATCH):
                store.write_files(batch)
        return time.perf_counter() - start
    finally:
        store_module.account = kept


def alternating(run: Any) -> dict[str, float]:
    """Median seconds of `run(with_account)` for both sides, the order swapped each round."""
    times: dict[bool, list[float]] = {True: [], False: []}
    for n in range(REPEATS):
        for side in (True, False) if n % 2 == 0 else (False, True):
            times[side].append(run(side))
    with_s, without_s = (statistics.median(times[side]) for side in (True, False))
    return {
        "with_s": round(with_s, 2),
        "without_s": round(without_s, 2),
        "added_s": round(with_s - without_s, 2),
        "added": round(with_s / without_s - 1, 4),
    }


def write_path(tagged: list[TaggedArticle], work: Path) -> dict[str, Any]:
    rounds = iter(range(2 * REPEATS))

    def run(side: bool) -> float:
        db = work / f"write-{next(rounds)}.db"
        seconds = write_all(db, tagged, side)
        if side:
            sizes = table_bytes(db)
            total, extra = sum(sizes.values()), sum(sizes.get(t, 0) for t in SIZE_TABLES)
            found["size"] = {
                "store_mb": round(total / 1e6, 1),
                "aggregates_mb": round(extra / 1e6, 2),
                "share": round(extra / total, 4),
                "by_table_mb": {t: round(sizes.get(t, 0) / 1e6, 2) for t in SIZE_TABLES},
            }
        for path in work.glob(f"{db.name}*"):
            path.unlink()
        return seconds

    found: dict[str, Any] = {}
    found |= alternating(run)
    return found


def whole_ingest(folder: Path, work: Path) -> dict[str, float]:
    rounds = iter(range(2 * REPEATS))

    def run(side: bool) -> float:
        db = work / f"ingest-{next(rounds)}.db"
        script = INGEST.format(patch="" if side else WITHOUT)
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-c", script, str(folder), "--db", str(db)],
            check=False,
            capture_output=True,
        )
        seconds = time.perf_counter() - start
        for path in work.glob(f"{db.name}*"):
            path.unlink()
        return seconds

    return alternating(run)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--from", dest="source", type=Path, help="a store tagged before")
    parser.add_argument("--files", type=int, default=400, help="files of the sampled runs")
    parser.add_argument("--ingest", action="store_true", help="also whole first ingests")
    parser.add_argument("--reingest", action="store_true", help="also re-ingest speed-ups")
    parser.add_argument("--before", type=Path, help="with --reingest: also this older `src`")
    parser.add_argument("--work", type=Path, help="where to build the stores (default: /tmp)")
    args = parser.parse_args(argv)
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(dir=args.work) as tmp:
        work = Path(tmp)
        source = args.source
        if args.reingest:
            small = copy_corpus(args.corpus, work / "small", 1, limit=args.files)
            for side, src in sides(args.before).items():
                for name, folder in ((f"{args.files} files", small), ("whole corpus", args.corpus)):
                    log(f"first ingest of {name} and its re-ingest ({side})")
                    db = work / f"{side}-{name.split()[0]}.db"
                    results[f"reingest, {name}, {side}"] = first_and_again(folder, db, src)
                    log(json.dumps(results))  # each figure as soon as it is measured
            source = source or work / "after-whole.db"
        if source is None:
            log("first ingest of the corpus")
            source = work / "whole.db"
            first_and_again(args.corpus, source, None)
        log("the write path, with and without the aggregates")
        results["write path"] = write_path(tagged_articles(source), work)
        log(json.dumps(results))
        if args.ingest:
            log(f"first ingest of {args.files} files, with and without the aggregates")
            sample = copy_corpus(args.corpus, work / "sample", 1, limit=args.files)
            results[f"first ingest, {args.files} files"] = whole_ingest(sample, work)
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
