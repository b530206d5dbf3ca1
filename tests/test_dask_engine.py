"""The dask engine: same store as the local one, bounded in flight, and faults that lose nothing.

Real Dask (LocalCluster, worker processes, one thread each, on 127.0.0.1 only), the real spaCy
pipeline and real SQLite files: the seeds and a sample of the BBC bench corpus.
"""

from __future__ import annotations

import importlib.util
import itertools
import json
import logging
import os
import signal
import socket
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result

from corpus.engines import (
    DaskEngine,
    DaskSettings,
    DaskTagger,
    EngineError,
    LocalEngine,
    pipeline_loads,
)
from corpus.ingest import Ingest, IngestOptions, IngestReport, NullTagger, Reporter, Untagged
from corpus.models import Article, TaggedArticle
from corpus.store import Store
from corpus.tagging import Fingerprints, ModelNotFound

Cli = Callable[..., Result]

HAS_DASK = importlib.util.find_spec("distributed") is not None
needs_dask = pytest.mark.skipif(not HAS_DASK, reason="dask.distributed is not installed")
BBC_SAMPLE = 30
TABLES = {
    "articles": "SELECT id, kind, title, source, date, rights, body, words, fingerprint "
    "FROM articles ORDER BY id",
    "mentions": "SELECT article_id, start, end, text, label, entity_id FROM mentions "
    "ORDER BY article_id, start",
    "sentences": "SELECT article_id, idx, start, end, rank FROM sentences ORDER BY article_id, idx",
    "entities": "SELECT id, name, label, kind, country FROM entities ORDER BY id",
    "occurrences": "SELECT path, position, article_id, raw FROM occurrences "
    "ORDER BY path, position",
    "files": "SELECT path, size, mtime_ns, sha256, encoding, raw FROM files ORDER BY path",
}
GAZETTEER = """\
[[entity]]
id = "bbc"
name = "BBC"
label = "ORG"
kind = "broadcaster"
country = "GB"
aliases = ["BBC", "the BBC"]
"""

_REFERENCE: dict[tuple[str, ...], dict[str, list[tuple[Any, ...]]]] = {}


def tables(db: Path) -> dict[str, list[tuple[Any, ...]]]:
    with sqlite3.connect(db) as conn:
        return {name: conn.execute(sql).fetchall() for name, sql in TABLES.items()}


@pytest.fixture
def sample(seeds_dir: Path, bbc_dir: Path) -> list[str]:
    """The seed directory and BBC_SAMPLE BBC files spread over the categories."""
    files = sorted(bbc_dir.rglob("*.txt"))
    return [str(seeds_dir), *(str(f) for f in files[:: len(files) // BBC_SAMPLE][:BBC_SAMPLE])]


@pytest.fixture
def reference(sample: list[str], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The store `--engine local` makes of the sample (computed once per session)."""
    key = tuple(sample)
    if key not in _REFERENCE:
        db = tmp_path_factory.mktemp("reference") / "local.db"
        with Store.open(db) as store:
            factory = LocalEngine().tagger_factory(None, ())
            report = Ingest(
                store, factory, Fingerprints.of_pipelines(None, ()), IngestOptions()
            ).run(sample)
        assert not report.failed
        _REFERENCE[key] = tables(db)
    return _REFERENCE[key]


def start_cluster(**config: Any) -> tuple[Any, Any]:
    import dask
    from distributed import Client, LocalCluster

    with dask.config.set(config):
        cluster = LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address="127.0.0.1:0",
            silence_logs=logging.ERROR,
        )
    return cluster, Client(cluster, set_as_default=False)


@pytest.fixture(scope="module")
def cluster() -> Iterator[Any]:
    """A LocalCluster as `dask scheduler` + `dask worker` would give; yields its client."""
    if not HAS_DASK:
        pytest.skip("dask.distributed is not installed")
    cluster, client = start_cluster()
    yield client
    client.close()
    cluster.close()


@pytest.fixture(scope="module")
def fragile_cluster() -> Iterator[Any]:
    """A cluster whose scheduler gives up on a task at once when its worker dies."""
    if not HAS_DASK:
        pytest.skip("dask.distributed is not installed")
    cluster, client = start_cluster(**{"distributed.scheduler.allowed-failures": 0})
    yield client
    client.close()
    cluster.close()


def dask_ingest(
    client: Any, db: Path, paths: list[str], reporter: Reporter | None = None, **settings: Any
) -> tuple[IngestReport, DaskTagger]:
    """Ingest through the library with the dask engine on `client`'s cluster, small batches."""
    engine = DaskEngine(DaskSettings(scheduler=client.scheduler.address, **settings))
    made: list[DaskTagger] = []

    def factory() -> DaskTagger:
        tagger = engine.tagger_factory(None, ())()
        assert isinstance(tagger, DaskTagger)
        made.append(tagger)
        return tagger

    with engine, Store.open(db) as store:
        report = Ingest(
            store, factory, Fingerprints.of_pipelines(None, ()), IngestOptions(), reporter
        ).run(paths)
    return report, made[0]


class KillOnFirstBatch:
    """A progress callback that SIGKILLs a busy worker process once the first batch is in."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.killed = False
        self.busy: list[str] = []  # what the scheduler had given the worker when it was killed
        self.tagged = 0

    def __call__(self, count: int) -> None:
        self.tagged += count
        if self.killed:
            return
        address, keys = max(self.client.processing().items(), key=lambda item: len(item[1]))
        if not keys:
            return  # wait for a worker that is tagging
        pid = self.client.run(os.getpid, workers=[address])[address]
        os.kill(pid, signal.SIGKILL)
        self.killed = True
        self.busy = [str(key) for key in keys]


# --- same result whatever the engine -------------------------------------------------------------


@needs_dask
def test_cli_dask_store_equals_local(
    cli: Cli, tmp_path: Path, sample: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    gazetteer = tmp_path / "bbc.toml"
    gazetteer.write_text(GAZETTEER)
    collected: list[int] = []
    rebuild = DaskTagger._rebuild

    def spy(self: DaskTagger, batch: Any, data: dict[str, Any]) -> Any:
        collected.append(len(batch.articles))
        return rebuild(self, batch, data)

    monkeypatch.setattr(DaskTagger, "_rebuild", spy)
    common = [*sample, "--gazetteer", gazetteer, "--json", "--no-progress"]
    local = cli("ingest", *common, "--engine", "local", "--jobs", "1", "--db", tmp_path / "l.db")
    dask = cli("ingest", *common, "--engine", "dask", "--workers", "2", "--db", tmp_path / "d.db")
    assert local.exit_code == 0 and dask.exit_code == 0, local.output + dask.output
    assert json.loads(dask.stdout) == json.loads(local.stdout)
    assert sum(collected) == json.loads(dask.stdout)["new"] > 40  # tagged on the cluster
    expected, got = tables(tmp_path / "l.db"), tables(tmp_path / "d.db")
    for name in TABLES:
        assert got[name] == expected[name], name
    assert any(row[0] == "bbc" for row in got["entities"]), "the shipped gazetteer file was used"
    batches = len(collected)
    again = cli("ingest", *common, "--engine", "dask", "--workers", "2", "--db", tmp_path / "d.db")
    assert again.exit_code == 0 and json.loads(again.stdout)["new"] == 0
    assert len(collected) == batches  # nothing to tag: no cluster work


@needs_dask
def test_library_dask_ingest_equals_local_and_loads_once_per_worker(
    cluster: Any, tmp_path: Path, sample: list[str], reference: dict[str, Any]
) -> None:
    tagged: list[int] = []
    reporter = Reporter(articles_tagged=tagged.append)
    report, tagger = dask_ingest(
        cluster, tmp_path / "d.db", sample, reporter, batch_articles=4, in_flight=3
    )
    assert not report.failed
    assert tables(tmp_path / "d.db") == reference
    assert sum(tagged) == report.new == len(reference["articles"])
    assert tagger.peak_in_flight == 3
    assert sorted(cluster.run(pipeline_loads).values()) == [1, 1]
    assert tagger.client.scheduler_comm.recent_message_log.maxlen <= 16  # no copies of texts


@needs_dask
def test_tagging_pulls_articles_only_as_fast_as_results_are_taken(cluster: Any) -> None:
    pulled = itertools.count()

    def many() -> Iterator[Article]:
        for n in range(1000):
            next(pulled)
            yield Article(body=f"Naver and Kakao met in Seoul on day {n}.", path="gen.txt")

    engine = DaskEngine(DaskSettings(scheduler=cluster.scheduler.address, batch_articles=5))
    tagger = engine.tagger_factory(None, ())()
    assert isinstance(tagger, DaskTagger)
    results = tagger.tag(many())
    first = list(itertools.islice(results, 12))
    results.close()
    engine.close()
    assert [r.article.body for r in first] == [
        f"Naver and Kakao met in Seoul on day {n}." for n in range(12)
    ]
    limit = 2 * 2  # IN_FLIGHT_PER_THREAD x two one-thread workers
    assert next(pulled) <= (limit + 3) * 5  # what 12 results need, plus the window: not more


@needs_dask
def test_a_worker_with_another_pipeline_is_an_error(cluster: Any) -> None:
    engine = DaskEngine(DaskSettings(scheduler=cluster.scheduler.address))
    tagger = engine.tagger_factory(None, ())()
    assert isinstance(tagger, DaskTagger)
    tagger.fingerprints = Fingerprints("0123456789abcdef")
    with engine, pytest.raises(EngineError, match="another pipeline"):
        list(tagger.tag([Article(body="Naver bought Line.", path="x.txt")]))


@needs_dask
def test_a_model_the_workers_lack_is_one_error_not_retried(cluster: Any) -> None:
    engine = DaskEngine(DaskSettings(scheduler=cluster.scheduler.address))
    tagger = engine.tagger_factory("no_such_model_pkg", ())()
    assert isinstance(tagger, DaskTagger)
    with engine, pytest.raises(ModelNotFound, match=r"on worker .*'no_such_model_pkg'"):
        list(tagger.tag([Article(body="Naver bought Line.", path="x.txt")]))
    assert tagger.resubmitted == 0


# --- faults --------------------------------------------------------------------------------------


@needs_dask
def test_killed_worker_loses_no_article(
    tmp_path: Path, sample: list[str], reference: dict[str, Any]
) -> None:
    cluster, client = start_cluster()
    try:
        killer = KillOnFirstBatch(client)
        report, _ = dask_ingest(
            client, tmp_path / "d.db", sample, Reporter(articles_tagged=killer), batch_articles=4
        )
    finally:
        client.close()
        cluster.close()
    assert killer.killed, "a worker was killed while it was tagging"
    assert not report.failed
    assert tables(tmp_path / "d.db") == reference
    assert killer.tagged == len(reference["articles"])


@needs_dask
def test_client_resubmits_a_batch_its_dead_worker_took_down(
    fragile_cluster: Any, tmp_path: Path, sample: list[str], reference: dict[str, Any]
) -> None:
    killer = KillOnFirstBatch(fragile_cluster)
    report, tagger = dask_ingest(
        fragile_cluster, tmp_path / "d.db", sample, Reporter(articles_tagged=killer),
        batch_articles=8,
    )  # fmt: skip
    fragile_cluster.wait_for_workers(2, timeout=60)
    assert killer.killed
    assert tagger.resubmitted >= 1, "the scheduler gave up on the batch: the client re-ran it"
    assert not report.failed
    assert tables(tmp_path / "d.db") == reference


@needs_dask
def test_batches_that_keep_failing_name_their_files_and_a_rerun_finishes(
    fragile_cluster: Any, cli: Cli, tmp_path: Path, sample: list[str], reference: dict[str, Any]
) -> None:
    db = tmp_path / "d.db"
    killer = KillOnFirstBatch(fragile_cluster)
    report, _ = dask_ingest(
        fragile_cluster, db, sample, Reporter(articles_tagged=killer),
        batch_articles=8, client_retries=0, task_retries=0,
    )  # fmt: skip
    fragile_cluster.wait_for_workers(2, timeout=60)
    assert killer.killed and report.failed
    assert all("not stored: tagging failed on the Dask cluster" in f for f in report.failed)
    assert all("KilledWorker" in f for f in report.failed)
    stored = tables(db)
    failed_paths = {f.split(": not stored")[0] for f in report.failed}
    expected_files = {row[0] for row in reference["files"]} - failed_paths
    assert {row[0] for row in stored["files"]} == expected_files
    assert report.new == len(stored["articles"]) < len(reference["articles"])
    rerun = cli("ingest", *sample, "--engine", "local", "--jobs", "1", "--db", db, "--json")
    assert rerun.exit_code == 0, rerun.output
    assert json.loads(rerun.stdout)["new"] == len(reference["articles"]) - report.new
    assert tables(db) == reference


class FailingOn(NullTagger):
    """Tags everything but the articles whose body holds `bad`, as a lost batch would."""

    fingerprint = "failing-on"

    def __init__(self, bad: str) -> None:
        self.bad = bad

    def tag(
        self, articles: Iterable[Article], *, batch_size: int = 64, n_process: int = 1
    ) -> Iterator[TaggedArticle | Untagged]:
        for article in articles:
            if self.bad in article.body:
                yield Untagged(article, "tagging failed on the Dask cluster 3 times")
            else:
                yield TaggedArticle(article=article, fingerprint=self.fingerprint)


def digest(title: str, *briefs: str) -> str:
    items = "".join(f"Reuters - Apr {n + 1}\n{brief}\n\n" for n, brief in enumerate(briefs))
    return f"{title}\n\nThe body of {title.lower()}. It says things.\n\n{items}"


def test_untagged_articles_fail_their_files_and_shared_articles_move_on(
    tmp_path: Path, db: Path
) -> None:
    lost, shared = "Naver bought Line in Seoul today.", "Kakao sold a unit in Tokyo today."
    (tmp_path / "a.txt").write_text(digest("Alpha news", lost, shared))
    (tmp_path / "b.txt").write_text(digest("Beta news", shared))
    (tmp_path / "c.txt").write_text(digest("Gamma news", lost))
    tagger = FailingOn("Naver bought")
    with Store.open(db) as store:
        report = Ingest(store, lambda: tagger, tagger.fingerprint).run([str(tmp_path)])
    assert [f.split(": ")[0] for f in report.failed] == [
        str((tmp_path / name).resolve()) for name in ("a.txt", "c.txt")
    ]
    assert all("not stored: tagging failed on the Dask cluster" in f for f in report.failed)
    stored = tables(db)
    assert [row[0] for row in stored["files"]] == [str((tmp_path / "b.txt").resolve())]
    bodies = sorted(row[6] for row in stored["articles"])
    assert bodies == [shared, "The body of beta news. It says things."]
    assert report.new == 2  # Alpha, Gamma and the lost brief were not stored


def test_untagged_articles_are_not_retagged_and_are_named(tmp_path: Path, db: Path) -> None:
    (tmp_path / "a.txt").write_text(digest("Alpha news", "Naver bought Line.", "Kakao sold."))
    with Store.open(db) as store:
        Ingest(store, NullTagger, NullTagger.fingerprint).run([str(tmp_path)])
        job = Ingest(store, lambda: FailingOn("Naver bought"), FailingOn.fingerprint)
        assert job.retag() == 2
    assert len(job.report.failed) == 1 and "not re-tagged" in job.report.failed[0]
    prints = {row[6]: row[8] for row in tables(db)["articles"]}
    assert prints["Naver bought Line."] == NullTagger.fingerprint
    assert prints["Kakao sold."] == FailingOn.fingerprint


@needs_dask
def test_losing_the_scheduler_is_one_error(
    tmp_path: Path, sample: list[str], cli: Cli, reference: dict[str, Any]
) -> None:
    cluster, client = start_cluster()

    def shut_down(count: int) -> None:
        cluster.close()  # scheduler and workers gone once tagging is under way

    try:
        with pytest.raises(EngineError, match=r"lost the Dask scheduler .* run the same command"):
            reporter = Reporter(articles_tagged=shut_down)
            dask_ingest(client, tmp_path / "d.db", sample, reporter, batch_articles=4)
    finally:
        client.close()
        cluster.close()
    rerun = cli("ingest", *sample, "--jobs", "1", "--db", tmp_path / "d.db")
    assert rerun.exit_code == 0 and tables(tmp_path / "d.db") == reference


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


@needs_dask
@pytest.mark.parametrize("existing", [False, True], ids=["no-store", "existing-store"])
def test_unreachable_scheduler_is_one_line_and_leaves_the_store(
    cli: Cli, db: Path, seeds_dir: Path, existing: bool
) -> None:
    if existing:
        assert cli("ingest", seeds_dir / "000_1603184ea48eea77.txt", "--jobs", "1").exit_code == 0
        before = db.read_bytes()
    address = f"tcp://127.0.0.1:{closed_port()}"
    result = cli("ingest", seeds_dir, "--engine", "dask", "--scheduler", address)
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("corpus: error: cannot reach the Dask scheduler")
    assert address in lines[0] and "connection refused" in lines[0]
    if existing:
        assert db.read_bytes() == before
    else:
        assert not db.exists() and not db.parent.exists()


# --- options and imports -------------------------------------------------------------------------


def test_missing_dask_is_one_clear_error(
    cli: Cli, db: Path, seeds_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)  # `import distributed` now fails
    result = cli("ingest", seeds_dir, "--engine", "dask", "--workers", "2")
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("corpus: error: --engine dask needs dask.distributed")
    assert "pip install '.[dask]'" in lines[0]
    assert not db.exists()


@pytest.mark.parametrize(
    "args",
    [
        ["--scheduler", "tcp://127.0.0.1:8786"],
        ["--workers", "2"],
        ["--engine", "dask", "--workers", "2", "--scheduler", "tcp://127.0.0.1:8786"],
        ["--engine", "spark"],
    ],
)
def test_engine_options_that_do_not_fit_are_usage_errors(
    cli: Cli, db: Path, seeds_dir: Path, args: list[str]
) -> None:
    result = cli("ingest", seeds_dir, *args)
    assert result.exit_code == 2, result.output
    assert not db.exists()


def test_read_commands_and_local_ingest_do_not_import_dask(
    cli: Cli, db: Path, seeds_dir: Path
) -> None:
    assert cli("ingest", seeds_dir, "--jobs", "1").exit_code == 0
    script = (
        "import sys\nfrom corpus.cli import main\n"
        f"for args in (['list'], ['entities'], ['summary'], ['ingest', {str(seeds_dir)!r}]):\n"
        "    try:\n        main(args, standalone_mode=False)\n"
        "    except SystemExit:\n        pass\n"
        "print(sorted(m for m in ('dask', 'distributed') if m in sys.modules))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        env={"CORPUS_DB": str(db), "PATH": "/usr/bin:/bin"},
        check=True,
    )
    assert out.stdout.strip().splitlines()[-1] == "[]"
