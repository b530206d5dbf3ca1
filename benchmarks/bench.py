"""Time `corpus` against a bare spaCy script on the BBC News corpus; print a table and JSON.

    python benchmarks/bench.py [--corpus PATH] [--quick] [--skip-4x] [--jobs-4x 1,2] [--json PATH]

Every figure is the wall time of a whole process (interpreter start and model load included).
Throughput of both sides is the same word count (whitespace-split words of the distinct files,
byte duplicates counted once) over its wall time, so a ratio is the ratio of the two wall times.
Peak memory is sampled from /proc every 50 ms over the ingest process and its worker children.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from corpus.tagging import resolve_model_name

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = ROOT.parent / "shared" / "bench" / "bbc"
PYTHON = sys.executable
CORPUS = (
    [str(Path(PYTHON).with_name("corpus"))]
    if Path(PYTHON).with_name("corpus").exists()
    else [PYTHON, "-m", "corpus"]
)
QUICK_FILES, COPIES, READ_REPEATS, POLL_SECONDS = 300, 4, 3, 0.05
SPACY_IMPORT = re.compile(r"\|\s+spacy(?:\.\w+)*\s*$", re.MULTILINE)
BASELINE = """\
import json, sys
from pathlib import Path
import spacy
texts, seen = [], set()
for path in sorted(Path(sys.argv[2]).rglob("*.txt")):
    data = path.read_bytes()
    if data not in seen:
        seen.add(data)
        try:
            texts.append(data.decode("utf-8"))
        except UnicodeDecodeError:
            texts.append(data.decode("cp1252"))
exclude = ["tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer"]
nlp = spacy.load(sys.argv[1], exclude=exclude)
nlp.enable_pipe("senter")
ents = sum(len(doc.ents) for doc in nlp.pipe(texts, batch_size=64))
print(json.dumps({"docs": len(texts), "ents": ents, "pipes": nlp.pipe_names}))
"""


# --- running a process: wall time and peak memory of its tree ------------------------------------


@dataclass
class Run:
    wall: float
    rc: int
    stdout: str
    stderr: str
    peak_tree_mb: float = 0.0  # max over samples of the summed VmRSS of the process tree
    peak_tree_pss_mb: float = 0.0  # max over samples of the summed Pss: shared pages split
    peak_worker_mb: float = 0.0  # the largest VmHWM of any child process
    peak_parent_mb: float = 0.0  # the parent's VmHWM at its last sample
    maxrss_mb: float = 0.0  # wait4 ru_maxrss: the largest single process of the tree (exact)
    cpu_s: float = 0.0  # user + system CPU of the process and its waited-for children
    cpu_wait_s: float = 0.0  # run-queue wait of the tree (sampled): time lost to other load
    parent_cpu_s: float = 0.0  # CPU of the parent process alone (sampled)


def _status_kb(pid: int) -> tuple[int, int]:
    """(VmRSS, VmHWM) of a live process in kB; zeros once it has gone."""
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    except OSError:
        return 0, 0
    values = {
        k: int(v.split()[0])
        for k, _, v in (line.partition(":") for line in lines)
        if k in ("VmRSS", "VmHWM")
    }
    return values.get("VmRSS", 0), values.get("VmHWM", 0)


def _pss_kb(pid: int) -> int:
    """Proportional set size in kB: each shared page divided among the processes sharing it."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def _tree(pid: int) -> list[int]:
    pids, todo = [], [pid]
    while todo:
        current = todo.pop()
        pids.append(current)
        for children in Path(f"/proc/{current}/task").glob("*/children"):
            try:
                todo.extend(int(child) for child in children.read_text().split())
            except OSError:
                continue
    return pids


def _runqueue_wait_ns(pid: int) -> int:
    """Time the process's threads spent runnable but waiting for a CPU (other load)."""
    total = 0
    for stat in Path(f"/proc/{pid}/task").glob("*/schedstat"):
        try:
            total += int(stat.read_text().split()[1])
        except (OSError, IndexError, ValueError):
            continue
    return total


def _cpu_s(pid: int) -> float:
    """User + system CPU seconds of a live process so far (0 once it has gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Watch(threading.Thread):
    """Samples a process tree every POLL_SECONDS: summed RSS, the parent's VmHWM, CPU waits."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.done = pid, threading.Event()
        self.peak_tree_kb = self.peak_parent_kb = self.peak_tree_pss_kb = 0
        self.peak_worker_kb = 0
        self.waits: dict[int, int] = {}
        self.parent_cpu_s = 0.0

    def run(self) -> None:
        while not self.done.wait(POLL_SECONDS):
            pids = _tree(self.pid)
            rss = [_status_kb(pid) for pid in pids]
            self.peak_tree_kb = max(self.peak_tree_kb, sum(r for r, _ in rss))
            self.peak_parent_kb = max(self.peak_parent_kb, rss[0][1])
            self.peak_worker_kb = max([self.peak_worker_kb, *(hwm for _, hwm in rss[1:])])
            pss = sum(_pss_kb(pid) for pid in pids)
            self.peak_tree_pss_kb = max(self.peak_tree_pss_kb, pss)
            self.parent_cpu_s = max(self.parent_cpu_s, _cpu_s(self.pid))
            for pid in pids:
                self.waits[pid] = max(self.waits.get(pid, 0), _runqueue_wait_ns(pid))


def run(cmd: list[str], watch: bool = False) -> Run:
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, stdin=subprocess.DEVNULL)
        watcher = Watch(proc.pid)
        if watch:
            watcher.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        watcher.done.set()
        if watch:
            watcher.join()
        out.seek(0)
        err.seek(0)
        mb = 1 / 1024
        return Run(
            wall,
            proc.returncode,
            out.read().decode(errors="replace"),
            err.read().decode(errors="replace"),
            watcher.peak_tree_kb * mb,
            watcher.peak_tree_pss_kb * mb,
            watcher.peak_worker_kb * mb,
            watcher.peak_parent_kb * mb,
            usage.ru_maxrss * mb,
            usage.ru_utime + usage.ru_stime,
            sum(watcher.waits.values()) / 1e9,
            watcher.parent_cpu_s,
        )


def corpus_cmd(*args: str) -> list[str]:
    return [*CORPUS, *args]


# --- the corpus: sample, 4x copy, word count -----------------------------------------------------


def text_files(root: Path) -> list[Path]:
    return sorted(root.rglob("*.txt"))


def decode(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252")


def describe(root: Path) -> dict[str, int]:
    """Files, distinct files (by bytes) and the words of the distinct files."""
    files = text_files(root)
    distinct = {path.read_bytes() for path in files}
    words = sum(len(decode(data).split()) for data in distinct)
    return {"files": len(files), "distinct_files": len(distinct), "words": words}


def copy_corpus(source: Path, target: Path, copies: int, limit: int | None = None) -> Path:
    """`copies` copies of the files (copy N gets a last line "Copy N."), or one sample of them."""
    files = text_files(source)
    if limit:
        files = files[:: max(1, len(files) // limit)][:limit]
    for n in range(1, copies + 1):
        for path in files:
            dest = target / (f"copy{n}" if copies > 1 else "") / path.relative_to(source)
            dest.parent.mkdir(parents=True, exist_ok=True)
            suffix = f"\nCopy {n}.\n".encode() if copies > 1 else b""
            dest.write_bytes(path.read_bytes() + suffix)
    return target


# --- the measurements ----------------------------------------------------------------------------


def baseline(root: Path, words: int, work: Path) -> dict[str, Any]:
    script = work / "baseline.py"
    script.write_text(BASELINE)
    result = run([PYTHON, str(script), resolve_model_name(), str(root)], watch=True)
    if result.rc:
        sys.exit(f"baseline failed:\n{result.stderr}")
    return {
        "words": words,
        "wall_s": result.wall,
        "words_per_s": words / result.wall,
        "cpu_s": result.cpu_s,
        "cpu_wait_s": result.cpu_wait_s,
        "peak_rss_mb": result.maxrss_mb,
        **json.loads(result.stdout),
    }


def ingest(root: Path, db: Path, words: int, jobs: int, base: dict[str, Any]) -> dict[str, Any]:
    """A first ingest into a fresh store; ratios are to the baseline's words/s and CPU time."""
    args = ["ingest", str(root), "--db", str(db), "--no-progress", "--json"]
    result = run(corpus_cmd(*args, "--jobs", str(jobs)), watch=True)
    report = json.loads(result.stdout) if result.stdout.strip().startswith("{") else {}
    if result.rc and not report:
        sys.exit(f"corpus ingest failed ({result.rc}):\n{result.stderr}")
    return {
        "jobs": jobs,
        "wall_s": result.wall,
        "words_per_s": words / result.wall,
        "ratio_to_baseline": words / result.wall / base["words_per_s"],
        "cpu_s": result.cpu_s,
        "cpu_wait_s": result.cpu_wait_s,
        "parent_cpu_s": result.parent_cpu_s,
        "cpu_ratio_to_baseline": result.cpu_s / base["cpu_s"] * base["words"] / words,
        "rc": result.rc,
        "new": report.get("new"),
        "unchanged": report.get("unchanged"),
        "failed": len(report.get("failed", [])),
        "peak_tree_mb": result.peak_tree_mb,
        "peak_tree_pss_mb": result.peak_tree_pss_mb,
        "peak_worker_mb": result.peak_worker_mb,
        "peak_parent_mb": result.peak_parent_mb,
        "maxrss_mb": result.maxrss_mb,
    }


def imports_spacy(args: list[str]) -> bool:
    result = run([PYTHON, "-X", "importtime", "-m", "corpus", *args])
    return bool(SPACY_IMPORT.search(result.stderr))


def timed(args: list[str]) -> dict[str, Any]:
    runs = [run(corpus_cmd(*args)) for _ in range(READ_REPEATS)]
    return {
        "wall_s": statistics.median(r.wall for r in runs),
        "rc": runs[-1].rc,
        "spacy_imported": imports_spacy(args),
        "args": args,
    }


def reingest(root: Path, db: Path, first_wall: float) -> dict[str, Any]:
    result = timed(["ingest", str(root), "--db", str(db), "--no-progress"])
    return {**result, "speedup": first_wall / result["wall_s"]}


def read_commands(db: Path) -> dict[str, dict[str, Any] | None]:
    with sqlite3.connect(db) as conn:
        prefix = conn.execute("SELECT id FROM articles ORDER BY id LIMIT 1").fetchone()[0][:6]
    commands = {
        "entities": ["entities"],
        "show": ["show", prefix],
        "list": ["list"],
        "search": ["search", "government"],
    }
    found: dict[str, dict[str, Any] | None] = {}
    for name, args in commands.items():
        exists = run(corpus_cmd(args[0], "--help")).rc == 0
        found[name] = timed([*args, "--db", str(db)]) if exists else None
    return found


# --- the report ----------------------------------------------------------------------------------


def verdict(ok: bool | None, unjudged: str = "n/a") -> str:
    return unjudged if ok is None else "[green]PASS[/]" if ok else "[red]MISS[/]"


def write_results(results: dict[str, Any], path: Path | None) -> None:
    """The results as JSON on stdout, and in `path` too when one is given."""
    text = json.dumps(results, indent=2)
    print(text)
    if path:
        path.write_text(text + "\n")


Row = tuple[str, str, str, bool | None]  # measure, value, target, met (None: no target)


def times(r: dict[str, Any]) -> str:
    return f"{r['wall_s']:.1f} s wall, {r['cpu_s']:.1f} s CPU, {r['cpu_wait_s']:.1f} s CPU wait"


def ingest_rows(base: dict[str, Any], runs: dict[str, dict[str, Any]]) -> list[Row]:
    value = f"{base['words_per_s']:,.0f} words/s ({times(base)})"
    rows: list[Row] = [("baseline: bare spaCy, 1 process", value, "", None)]
    for key, r in runs.items():
        target = {"jobs1": 0.9, "jobs2": 1.6}.get(key)
        parent = f" ({r['parent_cpu_s']:.1f} s in the parent)" if r["jobs"] > 1 else ""
        value = (
            f"{r['words_per_s']:,.0f} words/s = {r['ratio_to_baseline']:.2f}x ({times(r)}{parent}"
            f"; CPU per word {r['cpu_ratio_to_baseline']:.2f}x the baseline's)"
        )
        met = None if target is None else r["ratio_to_baseline"] >= target
        rows.append((f"ingest {key.replace('_', ' ')}", value, f">= {target}x" * bool(target), met))
    return rows


def read_rows(reingest: dict[str, Any], read: dict[str, dict[str, Any] | None]) -> list[Row]:
    spacy = ", imports spaCy" if reingest["spacy_imported"] else ", no spaCy"
    value = f"{reingest['wall_s']:.2f} s = {reingest['speedup']:.0f}x faster{spacy}"
    rows: list[Row] = [("re-ingest, unchanged", value, ">= 50x", reingest["speedup"] >= 50)]
    for name, r in read.items():
        if r is None:
            rows.append((f"corpus {name}", "n/a (no such command)", "< 0.5 s, no spaCy", None))
            continue
        spacy = "spaCy imported" if r["spacy_imported"] else "no spaCy"
        value = f"{r['wall_s']:.2f} s, {spacy}" + (f", exit {r['rc']}" if r["rc"] else "")
        met = r["wall_s"] < 0.5 and not r["spacy_imported"] and r["rc"] == 0
        rows.append((f"corpus {name}", value, "< 0.5 s, no spaCy", met))
    return rows


def memory_rows(runs: dict[str, dict[str, Any]], growth: dict[str, float]) -> list[Row]:
    rows: list[Row] = [
        (f"peak memory ingest {key.replace('_', ' ')}",
         f"{r['peak_parent_mb']:.0f} MB parent"
         + (f", tree {r['peak_tree_pss_mb']:.0f} MB PSS / {r['peak_tree_mb']:.0f} MB RSS,"
            f" largest worker {r['peak_worker_mb']:.0f} MB" if r["jobs"] > 1 else ""),
         "", None)
        for key, r in runs.items()
    ]  # fmt: skip
    for key, ratio in growth.items():
        targeted = key in TARGETED_GROWTH
        target = "<= 1.10x" if targeted else "(for reference)"
        rows.append((f"peak memory 4x / 1x, {key}", f"{ratio:.2f}x", target,
                     ratio <= 1.10 if targeted else None))  # fmt: skip
    return rows


def report(results: dict[str, Any]) -> None:
    table = Table(title=f"corpus benchmark: {results['corpus']['path']}")
    for column in ("measure", "value", "target", ""):
        table.add_column(column)
    rows = [
        *ingest_rows(results["baseline"], results["ingest"]),
        *read_rows(results["reingest"], results["read"]),
        *memory_rows(results["ingest"], results["memory_growth"]),
    ]
    for measure, value, target, ok in rows:
        table.add_row(measure, value, target, verdict(ok))
    before, after = results["before"], results["after"]
    table.caption = (
        f"{before['cores']} cores, model {before['model']}; load average (1 min) "
        f"{before['load_average'][0]:.2f} before, {after['load_average'][0]:.2f} after"
    )
    Console(width=120).print(table)


# The memory a job holds: the parent's own peak for one process; for a forked pool, the summed
# PSS of the tree (a page shared by the parent and its workers counted once, split among them).
# The summed RSS counts shared pages once per process, so it also grows as workers merely read
# pages they inherited: it is reported, with the largest worker's peak, but not judged.
GROWTH_FIELDS = {
    1: ("parent", "peak_parent_mb"),
    2: ("tree PSS", "peak_tree_pss_mb"),
}
TARGETED_GROWTH = {"jobs1 parent", "jobs2 tree PSS"}
REFERENCE_FIELDS = {"tree RSS": "peak_tree_mb", "largest worker": "peak_worker_mb"}


def memory_growth(runs: dict[str, dict[str, Any]]) -> dict[str, float]:
    growth = {}
    for key, r in runs.items():
        one = runs.get(key.removeprefix("x4_"))
        if not key.startswith("x4_") or one is None:
            continue
        jobs = key.removeprefix("x4_")
        fields = {GROWTH_FIELDS[min(r["jobs"], 2)][0]: GROWTH_FIELDS[min(r["jobs"], 2)][1]}
        if r["jobs"] > 1:
            fields |= REFERENCE_FIELDS
        for name, field_ in fields.items():
            if one[field_]:
                growth[f"{jobs} {name}"] = r[field_] / one[field_]
    return growth


def environment() -> dict[str, Any]:
    return {
        "cores": os.cpu_count(),
        "load_average": os.getloadavg(),
        "python": sys.version.split()[0],
        "model": resolve_model_name(),
    }


def measure(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    root = args.corpus.resolve()
    if args.quick:
        root = copy_corpus(root, work / "sample", 1, QUICK_FILES)
    stats = describe(root)
    label = f"{args.corpus}" + (f" (sample of {stats['files']} files)" if args.quick else "")
    results: dict[str, Any] = {"corpus": {"path": label, **stats}, "before": environment()}
    log(f"corpus: {stats}; baseline...")
    results["baseline"] = base = baseline(root, stats["words"], work)
    runs = results["ingest"] = {}
    for jobs in (1, 2):
        log(f"ingest --jobs {jobs}...")
        runs[f"jobs{jobs}"] = ingest(root, work / f"{jobs}.db", stats["words"], jobs, base)
    log("re-ingest and read commands...")
    results["reingest"] = reingest(root, work / "1.db", runs["jobs1"]["wall_s"])
    results["read"] = read_commands(work / "1.db")
    if not (args.quick or args.skip_4x):
        x4 = copy_corpus(root, work / "x4", COPIES)
        results["corpus"]["x4"] = x4_stats = describe(x4)
        for jobs in map(int, args.jobs_4x.split(",")):
            log(f"4x ingest --jobs {jobs}...")
            db = work / f"x4-{jobs}.db"
            runs[f"x4_jobs{jobs}"] = ingest(x4, db, x4_stats["words"], jobs, base)
    results["memory_growth"] = memory_growth(runs)
    results["after"] = environment()
    return results


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_FILES} files, no 4x")
    parser.add_argument("--skip-4x", action="store_true", help="skip the 4x corpus")
    parser.add_argument("--jobs-4x", default="1,2", help="--jobs values for the 4x ingest")
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    parser.add_argument(
        "--reads-at",
        type=int,
        metavar="N",
        help="instead: read commands on stores of 1x, 10x and Nx the corpus (benchmarks/reads.py)",
    )
    parser.add_argument(
        "--before",
        type=Path,
        metavar="SRC",
        help="with --reads-at: also time the `src` directory of an older checkout, same stores",
    )
    parser.add_argument("--work", type=Path, help="with --reads-at: where to build the stores")
    parser.add_argument(
        "--reads-of",
        action="append",
        metavar="SIZE=DB",
        help="with --reads-at: only time the reads of this store, built before (repeatable)",
    )
    args = parser.parse_args(argv)
    if args.reads_at:
        import reads

        results = reads.main(args.corpus, args.reads_at, args.before, args.work, args.reads_of)
        write_results(results, args.json)
        return
    with tempfile.TemporaryDirectory(prefix="corpus-bench-") as tmp:
        results = measure(args, Path(tmp))
    report(results)
    write_results(results, args.json)


if __name__ == "__main__":
    main()
