"""What the aggregates cost at write time: `python benchmarks/writes.py [--files N] [--ingest]`.

1. The store's write path alone: the tagged articles of a store (tagged once, by a first ingest
   of the corpus, or `--from DB`) written into a fresh store in ingest-sized batches, with and
   without `aggregates.account`, alternating, median of 3: the seconds the aggregates add, and
   the aggregates' share of that store's bytes (SQLite's dbstat, as an ingest lays them out).
2. With `--ingest`: a first ingest of N files (a sample of the corpus) as a whole process, with
   and without `account` (patched out in the process), alternating, median of 3. With
   `--phases`: the CPU seconds of `account`'s parts inside such an ingest, and their share.
3. With `--reingest [--before SRC]`: first ingest and re-ingest of unchanged files,
   whole-process, on N files and on the whole corpus, and the speed-up (first / again) of wall
   and of CPU seconds (user + system, the workers' too); with `--before`, by the `src`
   directory of an older checkout too, each side into its own store, the sides alternated in
   every round (`--first-rounds` first ingests, `--again-rounds` re-ingests; medians), with the
   1-minute load average before and after each figure.

Ratios are of runs in the same invocation; the machine may be shared, so say so with figures.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
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
    corpus,
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
Seconds = tuple[float, float]  # wall, CPU
WITHOUT = "import corpus.store\ncorpus.store.account = lambda conn, ids, sign, **_: None\n"
INGEST = (
    "import sys\n{patch}from corpus.cli import main\n"
    "main(['ingest', *sys.argv[1:], '--no-progress', '--jobs', '1'])\n"
)


def write_all(db: Path, tagged: list[TaggedArticle], with_account: bool) -> Seconds:
    """Wall and CPU seconds to write every tagged article (as its own file) into a fresh
    store."""
    kept = store_module.account
    if not with_account:
        store_module.account = lambda conn, ids, sign, **_: None  # type: ignore[assignment]
    try:
        files = [renamed(item, 0) for item in tagged]
        start, cpu = time.perf_counter(), time.process_time()
        with Store.open(db) as store:
            for batch in chunked(files, WRITE_BATCH):
                store.write_files(batch)
        return time.perf_counter() - start, time.process_time() - cpu
    finally:
        store_module.account = kept


def alternating(run: Any) -> dict[str, float]:
    """Median wall and CPU seconds of `run(with_account)` for both sides, the order swapped
    each round (CPU: user and system of the process, what a shared machine does not inflate)."""
    times: dict[bool, list[Seconds]] = {True: [], False: []}
    for n in range(REPEATS):
        for side in (True, False) if n % 2 == 0 else (False, True):
            times[side].append(run(side))
    found: dict[str, float] = {}
    for what, i in (("", 0), ("cpu_", 1)):
        with_s, without_s = (statistics.median(t[i] for t in times[side]) for side in (True, False))
        found |= {
            f"with_{what}s": round(with_s, 2),
            f"without_{what}s": round(without_s, 2),
            f"added_{what}s": round(with_s - without_s, 2),
            f"added{'_' + what[:-1] if what else ''}": round(with_s / without_s - 1, 4),
        }
    return found


def write_path(tagged: list[TaggedArticle], work: Path) -> dict[str, Any]:
    rounds = iter(range(2 * REPEATS))

    def run(side: bool) -> Seconds:
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

    def run(side: bool) -> Seconds:
        db = work / f"ingest-{next(rounds)}.db"
        script = INGEST.format(patch="" if side else WITHOUT)
        used = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-c", script, str(folder), "--db", str(db)],
            check=False,
            capture_output=True,
        )
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = after.ru_utime + after.ru_stime - used.ru_utime - used.ru_stime
        seconds = time.perf_counter() - start, cpu
        for path in work.glob(f"{db.name}*"):
            path.unlink()
        return seconds

    return alternating(run)


PHASES = (("aggregates", "tally"), ("aggregates", "apply"), ("naming", "rename"))
PHASE_SCRIPT = """import json, sys, time
from corpus import aggregates, naming, store
spent = dict.fromkeys(["tally", "apply", "rename"], 0.0)
def timed(module, name):
    function = getattr(module, name)
    def run(*args, **kwargs):
        start = time.process_time()
        try:
            return function(*args, **kwargs)
        finally:
            spent[name] += time.process_time() - start
    setattr(module, name, run)
for module, name in {phases}:
    timed(globals()[module], name)
from corpus.cli import main
try:
    main(["ingest", *sys.argv[1:], "--no-progress", "--jobs", "1"])
except SystemExit:
    pass
print(json.dumps({{"cpu_s": time.process_time(), **spent}}))
"""


def ingest_phases(folder: Path, work: Path) -> dict[str, float]:
    """CPU seconds of a first ingest (one process, `--jobs 1`), and of the parts of
    `aggregates.account` in it (the merges across articles' included), median of 3: the
    aggregates' cost measured inside the process, where runs of whole ingests with and without
    them differ by more than it on a shared machine."""
    runs = []
    for n in range(REPEATS):
        db = work / f"phases-{n}.db"
        script = PHASE_SCRIPT.format(phases=PHASES)
        done = subprocess.run(
            [sys.executable, "-c", script, str(folder), "--db", str(db)],
            check=True,
            capture_output=True,
            text=True,
        )
        runs.append(json.loads(done.stdout.splitlines()[-1]))
        for path in work.glob(f"{db.name}*"):
            path.unlink()
    found = {key: round(statistics.median(run[key] for run in runs), 2) for key in runs[0]}
    account = sum(found[name] for _, name in PHASES)
    return found | {"account_s": round(account, 2), "share": round(account / found["cpu_s"], 4)}


def alternated(
    sides_src: dict[str, Path | None], rounds: int, run: Any
) -> dict[str, dict[str, Any]]:
    """Median wall and CPU seconds of `run(side, src)` by each side, the sides' order swapped
    each round, with the load average before the first round and after the last."""
    times: dict[str, list[tuple[float, float, int]]] = {side: [] for side in sides_src}
    load = os.getloadavg()[0]
    for n in range(rounds):
        for side in list(sides_src) if n % 2 == 0 else list(sides_src)[::-1]:
            times[side].append(run(side, sides_src[side]))
            if times[side][-1][2] != 0:
                raise SystemExit(f"corpus ingest failed ({side}, exit status {times[side][-1][2]})")
    after = os.getloadavg()[0]
    return {
        side: {
            "wall_s": round(statistics.median(w for w, _, _ in runs), 3),
            "cpu_s": round(statistics.median(c for _, c, _ in runs), 3),
            "rc": runs[-1][2],
            "load": [round(load, 1), round(after, 1)],
        }
        for side, runs in times.items()
    }


def reingest(
    folder: Path, work: Path, before: Path | None, first_rounds: int, again_rounds: int
) -> dict[str, Any]:
    """First ingest and re-ingest of one folder by each side into its own store, alternated."""
    stores = {side: work / f"reingest-{side}-{folder.name}.db" for side in sides(before)}

    def first(side: str, src: Path | None) -> tuple[float, float, int]:
        for path in work.glob(f"{stores[side].name}*"):
            path.unlink()
        return corpus(["ingest", str(folder), "--db", str(stores[side]), "--no-progress"], src)

    def again(side: str, src: Path | None) -> tuple[float, float, int]:
        return corpus(["ingest", str(folder), "--db", str(stores[side]), "--no-progress"], src)

    found = {"first": alternated(sides(before), first_rounds, first)}
    alternated(sides(before), 1, again)  # each side's first re-ingest: compiled, kept, cached
    found["again"] = alternated(sides(before), again_rounds, again)
    for side in sides(before):
        one, two = found["first"][side], found["again"][side]
        found.setdefault("speedup", {})[side] = {
            "wall": round(one["wall_s"] / two["wall_s"], 1),
            "cpu": round(one["cpu_s"] / two["cpu_s"], 1),
        }
    if before is not None:
        found["after_vs_before"] = {
            "again_wall": round(
                found["again"]["before"]["wall_s"] / found["again"]["after"]["wall_s"], 2
            ),
            "again_cpu": round(
                found["again"]["before"]["cpu_s"] / found["again"]["after"]["cpu_s"], 2
            ),
            "first_wall": round(
                found["first"]["before"]["wall_s"] / found["first"]["after"]["wall_s"], 3
            ),
            "first_cpu": round(
                found["first"]["before"]["cpu_s"] / found["first"]["after"]["cpu_s"], 3
            ),
        }
    return found


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--from", dest="source", type=Path, help="a store tagged before")
    parser.add_argument("--files", type=int, default=400, help="files of the sampled runs")
    parser.add_argument("--ingest", action="store_true", help="also whole first ingests")
    parser.add_argument("--phases", action="store_true", help="also account's CPU in an ingest")
    parser.add_argument("--reingest", action="store_true", help="also re-ingest speed-ups")
    parser.add_argument("--before", type=Path, help="with --reingest: also this older `src`")
    parser.add_argument("--work", type=Path, help="where to build the stores (default: /tmp)")
    parser.add_argument("--no-write-path", action="store_true", help="skip the write path")
    parser.add_argument("--first-rounds", type=int, default=1, help="first ingests of each side")
    parser.add_argument("--again-rounds", type=int, default=5, help="re-ingests of each side")
    args = parser.parse_args(argv)
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(dir=args.work) as tmp:
        work = Path(tmp)
        source = args.source
        if args.reingest:
            # As installed: the bytecode of each side is written once and read after (a
            # PYTHONDONTWRITEBYTECODE environment would compile every module in every run).
            os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
            small = copy_corpus(args.corpus, work / "small", 1, limit=args.files)
            for name, folder in ((f"{args.files} files", small), ("whole corpus", args.corpus)):
                log(f"first ingest of {name} and its re-ingest")
                results[f"reingest, {name}"] = reingest(
                    folder, work, args.before, args.first_rounds, args.again_rounds
                )
                log(json.dumps(results))  # each figure as soon as it is measured
            source = source or work / f"reingest-after-{args.corpus.name}.db"
        if source is None and not args.no_write_path:
            log("first ingest of the corpus")
            source = work / "whole.db"
            first_and_again(args.corpus, source, None)
        if not args.no_write_path:
            log("the write path, with and without the aggregates")
            results["write path"] = write_path(tagged_articles(source), work)
            log(json.dumps(results))
        if args.ingest:
            log(f"first ingest of {args.files} files, with and without the aggregates")
            sample = copy_corpus(args.corpus, work / "sample", 1, limit=args.files)
            results[f"first ingest, {args.files} files"] = whole_ingest(sample, work)
        if args.phases:
            log(f"first ingest of {args.files} files, the aggregates' CPU in it")
            sample = copy_corpus(args.corpus, work / "phases", 1, limit=args.files)
            results[f"account in a first ingest, {args.files} files"] = ingest_phases(sample, work)
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
