"""Size and speed of `corpus report`: the file written, the time to write it, and the time a
real headless Chromium (the tests' one: $CHROMIUM or `chromium`) takes to open it from disk and
draw it.

    .venv/bin/python benchmarks/bench_report.py                    # the seeds and BBC (ingested)
    .venv/bin/python benchmarks/bench_report.py --db big.db --db other.db

For each store: `corpus report` whole-process (median of 3), the page's size, then in Chromium
(median of 3 fresh tabs): the time from navigation to the report saying it has drawn (data
parsed, overview charts, entity table), to the network laid out, and to the search index
built (in the background, after the first drawing). The baseline is an empty page opened in
the same browser in the same run. Prints a table, then JSON; asserts nothing.
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

ROOT = Path(__file__).resolve().parent.parent
BBC = ROOT.parent / "shared" / "bench" / "bbc"
RUNS = 3
TARGET_BYTES, TARGET_SECONDS = 15e6, 3.0


def corpus(*args: str) -> tuple[float, str]:
    """Seconds `corpus ARGS` took as a whole process, and what it printed."""
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "corpus", *args], capture_output=True, text=True)
    if done.returncode:
        sys.exit(f"corpus {' '.join(args)}: exit {done.returncode}\n{done.stderr}")
    return time.perf_counter() - started, done.stdout


def ingest(path: Path, work: Path) -> Path:
    db = work / f"{path.name}.db"
    print(f"ingesting {path} ...", file=sys.stderr)
    corpus("ingest", str(path), "--db", str(db), "--jobs", "2", "--no-progress")
    return db


def browser_times(page_file: Path, blank: Path, context: Any) -> dict[str, float]:
    """Medians over fresh tabs, in seconds."""
    ready, network, search, empty = [], [], [], []
    for _ in range(RUNS):
        tab = context.new_page()
        tab.goto(blank.as_uri())
        empty.append(tab.evaluate("() => performance.now()") / 1000)
        tab.close()
        tab = context.new_page()
        tab.goto(page_file.as_uri())
        tab.wait_for_selector("html[data-ready=true]", state="attached", timeout=120_000)
        ready.append(int(tab.evaluate("() => document.documentElement.dataset.readyAt")) / 1000)
        tab.click("#tabs a[href='#network']")
        tab.wait_for_selector("html[data-network-ms]", state="attached", timeout=120_000)
        network.append(int(tab.evaluate("() => document.documentElement.dataset.networkMs")) / 1000)
        tab.wait_for_selector("html[data-index-ms]", state="attached", timeout=120_000)
        search.append(int(tab.evaluate("() => document.documentElement.dataset.indexMs")) / 1000)
        tab.close()
    return {
        "blank_page_s": statistics.median(empty),
        "render_s": statistics.median(ready),
        "network_layout_s": statistics.median(network),
        "search_index_s": statistics.median(search),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", action="append", type=Path, help="a store (repeatable)")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "tests"))
    from browser import browser  # the tests' Chromium: the system's, with a fresh profile

    results: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="bench-report-") as scratch:
        work = Path(scratch)
        stores = args.db or [ingest(ROOT / "seeds", work), ingest(BBC, work)]
        blank = work / "blank.html"
        blank.write_text("<!DOCTYPE html><title>blank</title>", encoding="utf-8")
        with browser() as context:
            for db in stores:
                out = work / f"{db.stem}.html"
                runs = [
                    corpus("report", "--db", str(db), "--out", str(out), "--json")
                    for _ in range(RUNS)
                ]
                write = [seconds for seconds, _ in runs]
                articles = json.loads(runs[0][1])["articles"]
                results.append(
                    {
                        "store": str(db),
                        "articles": articles,
                        "bytes": out.stat().st_size,
                        "write_s": statistics.median(write),
                    }
                    | browser_times(out, blank, context)
                )
    print(
        f"{'store':<28} {'articles':>8} {'MB':>6} {'write s':>8} {'blank s':>8} "
        f"{'render s':>9} {'network s':>10} {'index s':>8}  verdict"
    )
    for r in results:
        ok = r["bytes"] < TARGET_BYTES and r["render_s"] < TARGET_SECONDS
        print(
            f"{Path(r['store']).name:<28} {r['articles']:>8,} {r['bytes'] / 1e6:>6.1f} "
            f"{r['write_s']:>8.2f} {r['blank_page_s']:>8.3f} {r['render_s']:>9.2f} "
            f"{r['network_layout_s']:>10.2f} {r['search_index_s']:>8.2f}  "
            f"{'PASS' if ok else 'MISS'} (< 15 MB, render < 3 s)"
        )
    print(json.dumps(results, indent=2))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
