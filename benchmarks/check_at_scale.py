"""`corpus check` at scale: `python benchmarks/check_at_scale.py DB... [--before SRC] [--rounds N]`.

For each store, times `corpus check --db DB` as a whole process (wall seconds, CPU seconds:
user + system, and peak resident memory), then each check on its own, one after another, in a
process of its own (wall and CPU seconds of each). With `--before SRC` (the `src` directory of
an older checkout) the same runs are made with that code too, the sides alternated in each
round (before, after, before, after...), and the medians printed side by side with their ratio.
The stores must be writable copies: the search index's check needs write access (it writes
nothing). The 1-minute load average is printed before and after.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve()
SRC = HERE.parents[1] / "src"


def whole(db: Path, src: Path) -> dict[str, float]:
    """Wall, CPU (user + system) seconds and peak memory (MB) of `corpus check --db DB`."""
    env = {**os.environ, "PYTHONPATH": str(src)}
    env.pop("NO_COLOR", None)
    start = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-m", "corpus", "check", "--db", str(db)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    _, status, used = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    assert child.stderr is not None
    verdict = child.stderr.read().decode().strip().splitlines()[-1:]
    child.stderr.close()
    child.returncode = os.waitstatus_to_exitcode(status)
    return {
        "wall": wall,
        "cpu": used.ru_utime + used.ru_stime,
        "peak_mb": used.ru_maxrss / 1024,
        "exit": child.returncode,
        "verdict": verdict[0] if verdict else "",
    }


def per_check(db: Path, src: Path) -> dict[str, dict[str, float]]:
    """Each check's wall and CPU seconds, run alone in a process with `src` first."""
    env = {**os.environ, "PYTHONPATH": str(src)}
    done = subprocess.run(
        [sys.executable, str(HERE), "--profile", str(db)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return dict(json.loads(done.stdout))


def profile(db: Path) -> None:
    """(In the child) run each check of `corpus.check.CHECKS` alone, in order, in one read
    transaction, and print their times as JSON."""
    from corpus import check
    from corpus.store import Store

    times: dict[str, dict[str, float]] = {}
    with Store.open(db, readonly=True) as store:
        store.conn.execute("BEGIN")
        for name, run in check.CHECKS:
            wall, cpu = time.perf_counter(), time.process_time()
            found = list(run(store, lambda text: None))
            times[name] = {
                "wall": time.perf_counter() - wall,
                "cpu": time.process_time() - cpu,
                "problems": len(found),
            }
        store.conn.execute("ROLLBACK")
    print(json.dumps(times))


def load() -> str:
    return f"{os.getloadavg()[0]:.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "stores",
        nargs="+",
        help="a store, or BEFORE=AFTER: a copy for each side (a newer schema's for the after)",
    )
    parser.add_argument("--before", type=Path, help="the src directory of the code before")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--profile", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--no-per-check", action="store_true", help="whole processes only")
    args = parser.parse_args()
    if args.profile:
        profile(Path(args.stores[0]))
        return
    sides = {"after": SRC} if args.before is None else {"before": args.before, "after": SRC}
    print(f"load average (1 min) before: {load()}", flush=True)
    runs: dict[tuple[str, str], list[dict[str, float]]] = {}
    checks: dict[tuple[str, str], list[dict[str, dict[str, float]]]] = {}
    for round_ in range(args.rounds):
        for given in args.stores:
            copies = [Path(p) for p in given.split("=")]
            name = copies[-1].name
            for (side, src), db in zip(
                sides.items(), copies if len(copies) == 2 else copies * 2, strict=False
            ):
                result = whole(db, src)
                runs.setdefault((name, side), []).append(result)
                print(
                    f"round {round_ + 1} {db.name} {side}: {_figures(result)} "
                    f"(exit {result['exit']}; load {load()})",
                    flush=True,
                )
                if not args.no_per_check:
                    checks.setdefault((name, side), []).append(per_check(db, src))
    print(f"load average (1 min) after: {load()}")
    report(runs, checks, list(sides))


def _figures(result: dict[str, Any]) -> str:
    return f"{result['wall']:.1f} s wall, {result['cpu']:.1f} s CPU, {result['peak_mb']:.0f} MB"


def report(
    runs: dict[tuple[str, str], list[dict[str, float]]],
    checks: dict[tuple[str, str], list[dict[str, dict[str, float]]]],
    sides: list[str],
) -> None:
    for db in dict.fromkeys(db for db, _ in runs):
        print(f"\n{db}: `corpus check`, whole process, medians of {len(runs[db, sides[0]])}")
        medians = {
            side: {
                k: statistics.median(r[k] for r in runs[db, side])
                for k in ("wall", "cpu", "peak_mb")
            }
            for side in sides
        }
        for side in sides:
            print(f"  {side:>6}: {_figures(medians[side])}")
        if len(sides) == 2:
            b, a = medians["before"], medians["after"]
            print(
                f"  before/after: wall {b['wall'] / a['wall']:.1f}x, "
                f"CPU {b['cpu'] / a['cpu']:.1f}x, memory {b['peak_mb'] / a['peak_mb']:.1f}x"
            )
        if (db, sides[0]) not in checks:
            continue
        print(f"  each check alone (wall / CPU s, medians) {' | '.join(sides)}")
        names = dict.fromkeys(n for side in sides for r in checks[db, side] for n in r)
        for name in names:
            cells = []
            for side in sides:
                found = [r[name] for r in checks[db, side] if name in r]
                if not found:
                    cells.append("-")
                    continue
                wall = statistics.median(f["wall"] for f in found)
                cpu = statistics.median(f["cpu"] for f in found)
                cells.append(f"{wall:7.2f} / {cpu:7.2f}")
            print(f"    {name:<28} {' | '.join(cells)}")


if __name__ == "__main__":
    main()
