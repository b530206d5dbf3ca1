"""Time `corpus ingest --engine dask` against `--engine local --jobs 2`; print a table and JSON.

    python benchmarks/bench_dask.py [--corpus PATH] [--sample N] [--workers 2] [--skip-4x]
                                    [--json PATH]

Rows (every one a fresh store; every address 127.0.0.1):

* `local --jobs 2`: today's path, the reference.
* `dask LocalCluster`: `--engine dask --workers N`; the ingest process starts the cluster, so
  its wall time includes starting the workers and loading the model in each.
* `dask scheduler + workers, cold`: `dask scheduler` and `dask worker --nworkers N --nthreads 1`
  started beforehand as separate processes, configured as the README recommends (CLUSTER_ENV);
  `--scheduler` connects to them, and the workers load the model on their first batch (counted).
* `... warm`: the same cluster again, with the model already loaded: the steady state of a
  long-lived cluster.

Throughput is the word count of the distinct files over the ingest process's wall time, so a
ratio is the ratio of wall times; the dask rows must stay within 15% of the local one (ratio
>= 0.85). Every store is compared with the local one, table by table. Then the single writer:
the local store's tagging is rebuilt from plain data (as the workers send it) and written to a
fresh store in the ingest's batches, timed alone, and set against the tagging rate of one worker
core. With the 4x corpus, the client's peak RSS on 4x the articles shows whether it stays flat.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench import (
    DEFAULT_CORPUS,
    copy_corpus,
    corpus_cmd,
    describe,
    environment,
    log,
    run,
    verdict,
    write_results,
)

from corpus.ingest import WRITE_BATCH_ARTICLES
from corpus.loader import load_file
from corpus.models import Entity, Mention, Sentence, TaggedArticle
from corpus.store import Store, StoredFile

DASK = [str(Path(sys.executable).with_name("dask"))]
HOST = "127.0.0.1"
# What the README recommends for a standing cluster: no profiler sampling the workers, and no
# debug log of the last 1,000 messages (article text included) of every connection.
CLUSTER_ENV = {
    "DASK_DISTRIBUTED__WORKER__PROFILE__ENABLED": "False",
    "DASK_DISTRIBUTED__ADMIN__LOW_LEVEL_LOG_LENGTH": "16",
}
MAX_OVERHEAD = 0.15
LABELS = {
    "local": "local --jobs {n}",
    "dask_localcluster": "dask LocalCluster, {n} workers",
    "dask_scheduler_cold": "dask scheduler + {n} workers, cold",
    "dask_scheduler_warm": "dask scheduler + {n} workers, warm",
}
TABLES = {
    "articles": "SELECT id, kind, title, source, date, rights, body, words, fingerprint "
    "FROM articles ORDER BY id",
    "mentions": "SELECT * FROM mentions ORDER BY article_id, start",
    "sentences": "SELECT * FROM sentences ORDER BY article_id, idx",
    "entities": "SELECT * FROM entities ORDER BY id",
    "occurrences": "SELECT * FROM occurrences ORDER BY path, position",
}


# --- ingest runs ---------------------------------------------------------------------------------


def ingest(root: Path, db: Path, words: int, *engine_args: str) -> dict[str, Any]:
    args = ["ingest", str(root), "--db", str(db), "--no-progress", "--json", *engine_args]
    result = run(corpus_cmd(*args), watch=True)
    if result.rc:
        sys.exit(f"corpus {' '.join(args)} failed ({result.rc}):\n{result.stderr}")
    report = json.loads(result.stdout)
    return {
        "args": engine_args,
        "wall_s": result.wall,
        "words_per_s": words / result.wall,
        "client_cpu_s": result.parent_cpu_s,
        "tree_cpu_s": result.cpu_s,
        "cpu_wait_s": result.cpu_wait_s,
        "client_peak_mb": result.peak_parent_mb,
        "tree_peak_mb": result.peak_tree_mb,
        "new": report["new"],
        "failed": len(report["failed"]),
    }


@contextmanager
def separate_cluster(work: Path, workers: int) -> Iterator[str]:
    """`dask scheduler` and `dask worker` as their own processes on loopback; yields the address."""
    scheduler_file = work / "scheduler.json"
    env = {**os.environ, **CLUSTER_ENV}
    logs = (work / "scheduler.log").open("w"), (work / "workers.log").open("w")
    scheduler = subprocess.Popen(
        [*DASK, "scheduler", "--host", HOST, "--port", "0", "--no-dashboard",
         "--scheduler-file", str(scheduler_file)],
        stdout=logs[0], stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env,
    )  # fmt: skip
    started: list[subprocess.Popen[bytes]] = [scheduler]
    try:
        address = _wait_for_file(scheduler_file)
        worker = [*DASK, "worker", address, "--nworkers", str(workers), "--nthreads", "1"]
        started.append(
            subprocess.Popen(
                [*worker, "--host", HOST, "--no-dashboard"],
                stdout=logs[1],
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env=env,
            )
        )
        _wait_for_workers(address, workers)
        yield address
    finally:
        for proc in reversed(started):
            proc.terminate()
        for proc in reversed(started):
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        for log_file in logs:
            log_file.close()


def _wait_for_file(path: Path, timeout: float = 60) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists() and path.stat().st_size:
            address: str = json.loads(path.read_text())["address"]
            return address
        time.sleep(0.1)
    sys.exit(f"dask scheduler did not start within {timeout:g} s")


def _wait_for_workers(address: str, count: int) -> None:
    from distributed import Client

    with Client(address, set_as_default=False) as client:
        client.wait_for_workers(count, timeout=120)


# --- the single writer ---------------------------------------------------------------------------


def writer_throughput(source_db: Path, target_db: Path) -> dict[str, Any]:
    """Rebuild the tagging of source_db from plain data and write it again, timed alone."""
    files, plain = _stored_work(source_db)
    rebuilt: list[StoredFile] = []
    start = time.perf_counter()
    for loaded in files:
        tagged = {  # an article in several files is tagged for the first one only, as in Ingest
            a.id: TaggedArticle.model_validate({"article": a, **plain.pop(a.id)})
            for a in loaded.articles
            if a.id in plain
        }
        rebuilt.append(StoredFile(loaded, tagged))
    rebuild_s = time.perf_counter() - start
    with Store.open(target_db) as store:
        start = time.perf_counter()
        for batch in _write_batches(rebuilt):
            store.write_files(batch)
        write_s = time.perf_counter() - start
    articles = sum(len(f.tagged) for f in rebuilt)
    words = sum(t.article.words for f in rebuilt for t in f.tagged.values())
    return {
        "articles": articles,
        "words": words,
        "rebuild_s": rebuild_s,
        "write_s": write_s,
        "write_articles_per_s": articles / write_s,
        "write_words_per_s": words / write_s,
        "client_articles_per_s": articles / (rebuild_s + write_s),
        "client_words_per_s": words / (rebuild_s + write_s),
    }


def _write_batches(files: list[StoredFile]) -> Iterator[list[StoredFile]]:
    batch: list[StoredFile] = []
    for stored in files:
        batch.append(stored)
        if sum(len(s.loaded.articles) for s in batch) >= WRITE_BATCH_ARTICLES:
            yield batch
            batch = []
    if batch:
        yield batch


def _stored_work(db: Path) -> tuple[list[Any], dict[str, dict[str, Any]]]:
    """The files (loaded again from disk) and each article's tagging as plain data."""
    with sqlite3.connect(db) as conn:
        paths = [row[0] for row in conn.execute("SELECT path FROM files ORDER BY path")]
        prints = dict(conn.execute("SELECT id, fingerprint FROM articles"))
        fields = ("id", "name", "label", "kind", "country")
        entities = {
            row[0]: Entity(**dict(zip(fields, row, strict=True)))
            for row in conn.execute("SELECT id, name, label, kind, country FROM entities")
        }
        plain: dict[str, dict[str, Any]] = {
            id_: {"mentions": [], "entities": [], "sentences": [], "fingerprint": fp}
            for id_, fp in prints.items()
        }
        for id_, start, end, text, label, entity in conn.execute(
            "SELECT * FROM mentions ORDER BY article_id, start"
        ):
            item = plain[id_]
            item["mentions"].append(
                Mention(text=text, label=label, start=start, end=end, entity=entity).model_dump()
            )
            if all(e["id"] != entity for e in item["entities"]):
                item["entities"].append(entities[entity].model_dump())
        for id_, _idx, start, end, rank in conn.execute(
            "SELECT * FROM sentences ORDER BY article_id, idx"
        ):
            plain[id_]["sentences"].append(Sentence(start=start, end=end, rank=rank).model_dump())
    return [load_file(Path(p)) for p in paths], plain


def same_store(a: Path, b: Path) -> bool:
    with sqlite3.connect(a) as one, sqlite3.connect(b) as other:
        return all(
            one.execute(sql).fetchall() == other.execute(sql).fetchall() for sql in TABLES.values()
        )


# --- the report ----------------------------------------------------------------------------------


def report(results: dict[str, Any]) -> None:
    table = Table(title=f"corpus ingest --engine dask: {results['corpus']['label']}")
    for column in ("measure", "value", "target", ""):
        table.add_column(column)
    local = results["runs"]["local"]
    for key, r in results["runs"].items():
        ratio = r["words_per_s"] / local["words_per_s"]
        floor = 1 - MAX_OVERHEAD
        target, ok = ("", None) if key == "local" else (f">= {floor:.2f}x", ratio >= floor)
        same = "" if key == "local" else (
            ", same store" if results["same_store"][key] else ", [red]STORE DIFFERS[/]"
        )  # fmt: skip
        walls = "/".join(f"{wall:.1f}" for wall in r["walls_s"])
        value = (
            f"{r['words_per_s']:,.0f} words/s = {ratio:.2f}x (wall {walls} s, client CPU "
            f"{r['client_cpu_s']:.1f} s, client peak {r['client_peak_mb']:.0f} MB{same})"
        )
        label = LABELS[key].format(n=results["workers"])
        table.add_row(label, value, target, verdict(ok, unjudged=""))
    w = results["writer"]
    table.add_row(
        "single writer (SQLite)",
        f"{w['write_articles_per_s']:,.0f} articles/s = {w['write_words_per_s']:,.0f} words/s; "
        f"with rebuilding from plain data {w['client_words_per_s']:,.0f} words/s",
        "", "",
    )  # fmt: skip
    per_core = results["per_worker_core_words_per_s"]
    table.add_row(
        "tagging per worker core (warm)",
        f"{per_core:,.0f} words/s: one writer keeps up with "
        f"{w['client_words_per_s'] / per_core:.0f} worker cores",
        "", "",
    )  # fmt: skip
    if growth := results.get("memory_growth"):
        big = results["x4_dask_localcluster"]
        table.add_row(
            "client peak RSS, 4x corpus / 1x (LocalCluster)",
            f"{growth:.2f}x ({big['client_peak_mb']:.0f} MB; {big['words_per_s']:,.0f} words/s)",
            "<= 1.10x", verdict(growth <= 1.10),
        )  # fmt: skip
    before, after = results["before"], results["after"]
    table.caption = (
        f"{before['cores']} cores, {results['workers']} workers of 1 thread, median of "
        f"{results['repeat']} interleaved rounds; load average (1 min) "
        f"{before['load_average'][0]:.2f} before, {after['load_average'][0]:.2f} after"
    )
    Console(width=130).print(table)


# --- main ----------------------------------------------------------------------------------------


def measure(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    root = args.corpus.resolve()
    if args.sample:
        root = copy_corpus(root, work / "sample", 1, args.sample)
    stats = describe(root)
    label = f"{args.corpus}" + (f" (sample of {stats['files']} files)" if args.sample else "")
    results: dict[str, Any] = {
        "corpus": {"label": label, **stats},
        "workers": args.workers,
        "repeat": args.repeat,
        "before": environment(),
    }
    log(f"corpus: {stats}")
    attempts: dict[str, list[dict[str, Any]]] = {}
    for round_ in range(args.repeat):  # interleaved, so that outside load hits every row alike
        for key, result in one_round(root, work / f"round{round_}", stats["words"], args.workers):
            attempts.setdefault(key, []).append(result)
    results["runs"] = runs = {key: median_run(tries) for key, tries in attempts.items()}
    first = work / "round0"
    results["same_store"] = {key: same_store(first / "local.db", first / f"{key}.db")
                             for key in runs if key != "local"}  # fmt: skip
    results["per_worker_core_words_per_s"] = (
        runs["dask_scheduler_warm"]["words_per_s"] / args.workers
    )
    log("single writer...")
    results["writer"] = writer_throughput(first / "local.db", work / "writer.db")
    if not (args.sample or args.skip_4x):
        x4 = copy_corpus(root, work / "x4", 4)
        log("4x corpus, dask LocalCluster...")
        big = ingest(x4, work / "x4.db", describe(x4)["words"], *local_cluster(args.workers))
        results["x4_dask_localcluster"] = big
        results["memory_growth"] = (
            big["client_peak_mb"] / runs["dask_localcluster"]["client_peak_mb"]
        )
    results["after"] = environment()
    return results


def local_cluster(workers: int) -> tuple[str, ...]:
    return ("--engine", "dask", "--workers", str(workers))


def one_round(
    root: Path, work: Path, words: int, workers: int
) -> Iterator[tuple[str, dict[str, Any]]]:
    work.mkdir()
    log(f"{work.name}: local --jobs {workers}...")
    local = ("--engine", "local", "--jobs", str(workers))
    yield "local", ingest(root, work / "local.db", words, *local)
    log(f"{work.name}: dask LocalCluster --workers {workers}...")
    yield "dask_localcluster", ingest(root, work / "dask_localcluster.db", words,
                                      *local_cluster(workers))  # fmt: skip
    with separate_cluster(work, workers) as address:
        for key in ("dask_scheduler_cold", "dask_scheduler_warm"):
            log(f"{work.name}: {key.replace('_', ' ')} ({address})...")
            engine = ("--engine", "dask", "--scheduler", address)
            yield key, ingest(root, work / f"{key}.db", words, *engine)


def median_run(tries: list[dict[str, Any]]) -> dict[str, Any]:
    """The run of median wall time, with every try's wall time."""
    ordered = sorted(tries, key=lambda r: r["wall_s"])
    return {**ordered[(len(ordered) - 1) // 2], "walls_s": [r["wall_s"] for r in tries]}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--sample", type=int, help="only this many files (no 4x)")
    parser.add_argument("--workers", type=int, default=2, help="dask workers and local --jobs")
    parser.add_argument("--repeat", type=int, default=3, help="rounds; the median is reported")
    parser.add_argument("--skip-4x", action="store_true", help="skip the 4x memory run")
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="corpus-bench-dask-") as tmp:
        results = measure(args, Path(tmp))
    report(results)
    write_results(results, args.json)


if __name__ == "__main__":
    main()
