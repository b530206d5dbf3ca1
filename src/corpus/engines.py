"""Where tagging runs: in this process (`local`) or on a Dask cluster (`dask`).

Whatever the engine, the store is written by this process alone, in submission order; an engine
only changes where the spaCy pipeline runs. The dask engine sends batches of article bodies
(never file paths: workers need not see this machine's disk) to the cluster with a bounded
number of batches in flight, so memory stays flat on any corpus size, and rebuilds the tagged
articles from the plain data the workers return. Each worker process loads the pipeline once
(`worker_pipeline`), from the model name and the `--gazetteer` files' contents shipped with each
batch. A batch whose worker dies is re-run by Dask; one that still fails is resubmitted by the
client a few times, then its articles are reported as untagged, and `Ingest` names their files.

Dask is imported only when the dask engine is opened (`pip install '.[dask]'`).
"""

from __future__ import annotations

import hashlib
import itertools
import logging
import os
import shutil
import socket
import tempfile
import threading
import uuid
import weakref
from collections import deque
from collections.abc import Callable, Generator, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType, TracebackType
from typing import TYPE_CHECKING, Any, Protocol

from corpus.errors import GazetteerError, ModelNotFound
from corpus.ingest import Tagger, Untagged
from corpus.parallel import chunked
from corpus.tagging import ENGINES, Fingerprints, LocalEngine, SummarizingTagger, resolve_model_name

__all__ = ["ENGINES", "LocalEngine", "open_engine"]

if TYPE_CHECKING:  # the models and gazetteer load when tagging starts, not with the engine
    from corpus.models import Article, TaggedArticle

BATCH_ARTICLES = 64  # articles per Dask task
IN_FLIGHT_PER_THREAD = 2  # batches submitted and not yet collected, per worker thread
TASK_RETRIES = 2  # Dask re-runs a task that raised this often (a dead worker's tasks: always)
CLIENT_RETRIES = 2  # then the client resubmits a failed batch this often before giving up
CONNECT_TIMEOUT_S = 10.0
# Dask keeps the last 1,000 messages of each connection for debugging: with article text in
# every batch, that is up to 150 MB of the client (and of a local scheduler) that grows with the
# corpus. A few are enough.
CLIENT_CONFIG = {"distributed.admin.low-level-log-length": 16}
# The statistical profiler samples every worker thread 100 times a second for the dashboard,
# which a local cluster does not show: it costs a few percent of tagging throughput.
LOCAL_CLUSTER_CONFIG = {"distributed.worker.profile.enabled": False}
# What workers send back of each tagged article.
# What a worker sends back of each tagged article (the fingerprint: its language pipeline's).
TAGGING_FIELDS = {"mentions", "entities", "sentences", "signature", "shingles", "fingerprint"}
INSTALL_HINT = "install the dask extra: pip install '.[dask]' (or pip install 'dask[distributed]')"

Warn = Callable[[str], None]


class EngineError(Exception):
    """The tagging engine cannot be used (dask missing, scheduler unreachable); one line."""


class Engine(Protocol):
    """A place to run tagging: gives `Ingest` its tagger factory; closed when the run ends."""

    def tagger_factory(
        self, model: str | None, gazetteers: Sequence[Path]
    ) -> Callable[[], Tagger]: ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class DaskSettings:
    scheduler: str | None = None  # a running scheduler's address; None starts a LocalCluster
    workers: int = 2  # LocalCluster worker processes (one thread each)
    batch_articles: int = BATCH_ARTICLES
    in_flight: int | None = None  # batches in flight; None: IN_FLIGHT_PER_THREAD x threads
    task_retries: int = TASK_RETRIES
    client_retries: int = CLIENT_RETRIES
    connect_timeout: float = CONNECT_TIMEOUT_S
    quiet: bool = True  # drop the Dask client's log records: its failures come back as one line


def open_engine(
    name: str, settings: DaskSettings | None = None, *, warn: Warn = lambda message: None
) -> Engine:
    """The engine called `name`; a dask engine with a scheduler connects now, or fails now."""
    if name == "local":
        return LocalEngine()
    if name == "dask":
        engine = DaskEngine(settings or DaskSettings(), warn=warn)
        if engine.settings.scheduler:
            engine.connect()
        return engine
    raise EngineError(f"unknown engine {name!r} (choose from {', '.join(ENGINES)})")


def import_distributed() -> ModuleType:
    try:
        import distributed
    except ImportError as error:
        message = f"--engine dask needs dask.distributed ({error}); {INSTALL_HINT}"
        raise EngineError(message) from None
    return distributed


# --- the pipeline, as shipped to workers ---------------------------------------------------------


@dataclass(frozen=True)
class PipelineSpec:
    """What a worker needs to build the client's pipeline: no paths of the client's disk."""

    model: str  # resolved model name (a package the workers have installed)
    gazetteers: tuple[tuple[str, bytes], ...]  # (file name, contents) of the --gazetteer files
    fingerprints: tuple[tuple[str, str], ...]  # the client's, per language pipeline; a worker
    # whose pipelines differ is an error

    @property
    def key(self) -> str:
        digest = hashlib.sha256(self.model.encode())
        for name, data in self.gazetteers:
            digest.update(f"\0{name}\0{len(data)}\0".encode() + data)
        return digest.hexdigest()


def pipeline_spec(model: str | None, gazetteers: Sequence[Path]) -> PipelineSpec:
    """Resolve the model and read and validate the gazetteers here, naming the user's files."""
    from corpus.gazetteer import load_gazetteers

    load_gazetteers(list(gazetteers))  # a bad file fails here, before anything is started
    return PipelineSpec(
        model=resolve_model_name(model),
        gazetteers=tuple((path.name, path.read_bytes()) for path in gazetteers),
        fingerprints=tuple(Fingerprints.of_pipelines(model, gazetteers).by_pipeline.items()),
    )


_PIPELINES: dict[str, SummarizingTagger] = {}
_PIPELINES_MAX = 2  # a long-lived worker keeps the pipelines of the last two distinct specs
_LOAD_LOCK = threading.Lock()
_TAG_LOCK = threading.Lock()  # one batch at a time per process, whatever --nthreads says
_LOADS = 0


def worker_pipeline(spec: PipelineSpec) -> SummarizingTagger:
    """The pipeline for `spec` in this process, built on first use and cached."""
    global _LOADS
    with _LOAD_LOCK:
        tagger = _PIPELINES.get(spec.key)
        if tagger is None:
            tagger = _build(spec)
            _LOADS += 1
            while len(_PIPELINES) >= _PIPELINES_MAX:
                _PIPELINES.pop(next(iter(_PIPELINES)))
            _PIPELINES[spec.key] = tagger
        return tagger


def pipeline_loads() -> int:
    """How many pipelines this process has built (run on workers by the tests)."""
    return _LOADS


def _build(spec: PipelineSpec) -> SummarizingTagger:
    """Write the shipped gazetteers to a temporary directory: the pipeline reads files, each
    language's when it first meets that language, so the directory lives as long as the tagger."""
    tmp = tempfile.mkdtemp(prefix="corpus-gazetteers-")
    paths = []
    for number, (name, data) in enumerate(spec.gazetteers):
        path = Path(tmp) / f"{number}-{name}"
        path.write_bytes(data)
        paths.append(path)
    tagger = SummarizingTagger(spec.model, paths)
    weakref.finalize(tagger, shutil.rmtree, tmp, ignore_errors=True)
    return tagger


def tag_batch(
    spec: PipelineSpec, texts: list[tuple[str, str | None]], batch_size: int
) -> dict[str, Any]:
    """The Dask task: tag article (body, language) pairs on a worker; plain data back, in input
    order.

    A pipeline that cannot be built comes back as data, not as an exception, so that Dask does
    not retry what cannot succeed.
    """
    from corpus.models import Article

    articles = [Article(body=body, lang=lang, path="") for body, lang in texts]
    try:  # each language's pipeline is built when the first of its articles comes
        tagger = worker_pipeline(spec)
        with _TAG_LOCK:
            tagged = list(tagger.tag(articles, batch_size=batch_size))
    except (ModelNotFound, GazetteerError) as error:
        return {"error": type(error).__name__, "message": str(error), "worker": _worker_name()}
    return {
        "fingerprints": tagger.fingerprints.by_pipeline,
        "worker": _worker_name(),
        "tagged": [t.model_dump(include=TAGGING_FIELDS) for t in tagged],
    }


def _worker_name() -> str:
    return f"{socket.gethostname()} (pid {os.getpid()})"


# --- the client side -----------------------------------------------------------------------------


class DaskEngine:
    """A Dask client: connected to `settings.scheduler`, or to a LocalCluster it starts lazily."""

    def __init__(self, settings: DaskSettings, *, warn: Warn = lambda message: None) -> None:
        self.settings = settings
        self.warn = warn
        self._distributed = import_distributed()
        if settings.quiet:
            silence_logs("distributed")
        self._cluster: Any = None
        self._client: Any = None

    def connect(self) -> Any:
        """The client, connecting (or starting the LocalCluster) on first use."""
        if self._client is None:
            import dask

            with dask.config.set(CLIENT_CONFIG):
                if self.settings.scheduler:
                    self._client = self._connect(self.settings.scheduler)
                else:
                    self._client = self._start_local_cluster()
        return self._client

    def tagger_factory(self, model: str | None, gazetteers: Sequence[Path]) -> Callable[[], Tagger]:
        def make() -> Tagger:
            spec = pipeline_spec(model, gazetteers)
            return DaskTagger(self.connect(), spec, self.settings)

        return make

    def close(self) -> None:
        client, cluster, self._client, self._cluster = self._client, self._cluster, None, None
        if client is not None:
            client.close()
        if cluster is not None:
            cluster.close()

    def __enter__(self) -> DaskEngine:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _connect(self, address: str) -> Any:
        timeout = self.settings.connect_timeout
        probe(self._distributed, address, timeout)
        try:
            client = self._distributed.Client(address, timeout=timeout, set_as_default=False)
        except (OSError, ValueError) as error:
            raise EngineError(unreachable(address, str(error))) from None
        if not client.nthreads():
            self.warn(
                f"the Dask scheduler at {address} has no workers yet; tagging waits for "
                "`dask worker` processes to join it"
            )
        return client

    def _start_local_cluster(self) -> Any:
        """Worker processes of one thread on loopback, without the dashboard's profiler."""
        import dask

        try:
            with dask.config.set(LOCAL_CLUSTER_CONFIG):
                self._cluster = self._distributed.LocalCluster(
                    n_workers=self.settings.workers,
                    threads_per_worker=1,
                    processes=True,
                    host="127.0.0.1",
                    dashboard_address="127.0.0.1:0",
                    silence_logs=logging.ERROR,
                )
        except (OSError, RuntimeError) as error:  # TimeoutError is an OSError
            raise EngineError(f"cannot start a local Dask cluster: {error}") from None
        return self._distributed.Client(self._cluster, set_as_default=False)


def silence_logs(package: str) -> None:
    """Drop the log records of `package` (Dask sets levels on its modules' loggers too)."""
    names = [package, *(n for n in logging.root.manager.loggerDict if n.startswith(package + "."))]
    for name in names:
        logging.getLogger(name).setLevel(logging.CRITICAL)


def probe(distributed: ModuleType, address: str, timeout: float) -> None:
    """Fail at once, with one line, when the address is wrong or no scheduler answers there.

    A plain TCP connection first, so that a refused one fails now rather than after the
    timeout; then Dask's handshake, so that another kind of server there fails cleanly too.
    """
    try:
        scheme, location = distributed.comm.parse_address(address)
        if scheme == "tcp":
            host, port = distributed.comm.addressing.parse_host_port(location)
            socket.create_connection((host, port), timeout=timeout).close()
        import asyncio

        asyncio.run(asyncio.wait_for(_handshake(distributed, address, timeout), timeout))
    except TimeoutError:
        raise EngineError(unreachable(address, f"no answer within {timeout:g} s")) from None
    except (OSError, ValueError, TypeError) as error:
        reason = (error.strerror if isinstance(error, OSError) else None) or str(error)
        raise EngineError(unreachable(address, reason)) from None


async def _handshake(distributed: ModuleType, address: str, timeout: float) -> None:
    comm = await distributed.comm.connect(address, timeout=timeout)  # reads without a timeout
    await comm.close()


def unreachable(address: str, reason: str) -> str:
    if reason[:1].isupper() and reason[1:2].islower():
        reason = reason[0].lower() + reason[1:]
    return (
        f"cannot reach the Dask scheduler at {address}: {reason}; start "
        "one with `dask scheduler` and check the address (or leave out --scheduler to start a "
        "local cluster)"
    )


@dataclass
class _Batch:
    number: int
    articles: list[Article]
    future: Any = None
    attempts: int = 0
    errors: list[str] = field(default_factory=list)


class DaskTagger:
    """A `Tagger` whose batches run on a Dask cluster; yields in input order, bounded in flight."""

    def __init__(self, client: Any, spec: PipelineSpec, settings: DaskSettings) -> None:
        self.client = client
        self.spec = spec
        self.settings = settings
        self.fingerprints = Fingerprints(dict(spec.fingerprints))
        self.fingerprint = self.fingerprints.of("en")
        self.peak_in_flight = 0  # the most batches that were in flight at once
        self.resubmitted = 0  # batches the client ran again after Dask gave up on them
        self._run = uuid.uuid4().hex[:12]
        self._keys = itertools.count()

    def tag(
        self, articles: Iterable[Article], *, batch_size: int = 64, n_process: int = 1
    ) -> Generator[TaggedArticle | Untagged, None, None]:
        """Tag on the cluster; `n_process` is ignored (the workers are the processes)."""
        window: deque[_Batch] = deque()
        try:
            for number, chunk in enumerate(chunked(articles, self.settings.batch_articles)):
                window.append(self._submit(_Batch(number, chunk), batch_size))
                self.peak_in_flight = max(self.peak_in_flight, len(window))
                while len(window) >= self.in_flight_limit():
                    yield from self._collect(window.popleft(), batch_size)
            while window:
                yield from self._collect(window.popleft(), batch_size)
        finally:
            for batch in window:  # the consumer stopped early: drop what is still queued
                batch.future.cancel()

    def in_flight_limit(self) -> int:
        if self.settings.in_flight:
            return self.settings.in_flight
        threads: int = sum(self._ask(self.client.nthreads).values())
        return max(2, IN_FLIGHT_PER_THREAD * threads)

    def _submit(self, batch: _Batch, batch_size: int) -> _Batch:
        batch.attempts += 1
        batch.future = self._ask(
            self.client.submit,
            tag_batch,
            self.spec,
            [(article.body, article.lang) for article in batch.articles],
            batch_size,
            key=f"corpus-tag-{self._run}-{next(self._keys)}",
            retries=self.settings.task_retries,
            pure=False,
        )
        return batch

    def _collect(self, batch: _Batch, batch_size: int) -> list[TaggedArticle | Untagged]:
        """The batch's tagged articles; a failed batch is resubmitted, then reported untagged."""
        while True:
            try:
                data = batch.future.result()
            except Exception as error:  # the task raised, or its workers kept dying
                self._check_connected()
                batch.errors.append(f"{type(error).__name__}: {error}")
                if batch.attempts > self.settings.client_retries:
                    return self._untagged(batch)
                self.resubmitted += 1
                self._submit(batch, batch_size)
                continue
            return self._rebuild(batch, data)

    def _ask(self, call: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """A call to the scheduler; losing it is an EngineError."""
        self._check_connected()  # a lost scheduler would make the call wait for the timeout
        try:
            return call(*args, **kwargs)
        except OSError:
            self._check_connected()
            raise

    def _check_connected(self) -> None:
        if self.client.status != "running":
            raise EngineError(
                f"lost the Dask scheduler ({self.client.scheduler.address}); what was stored "
                "so far is kept: run the same command again to finish"
            )

    def _untagged(self, batch: _Batch) -> list[TaggedArticle | Untagged]:
        reason = (
            f"tagging failed on the Dask cluster {batch.attempts} times (last: {batch.errors[-1]})"
        )
        return [Untagged(article, reason) for article in batch.articles]

    def _rebuild(self, batch: _Batch, data: dict[str, Any]) -> list[TaggedArticle | Untagged]:
        if "error" in data:
            kind = ModelNotFound if data["error"] == "ModelNotFound" else GazetteerError
            raise kind(f"on worker {data['worker']}: {data['message']}")
        if Fingerprints(data["fingerprints"]) != self.fingerprints:
            raise EngineError(
                f"worker {data['worker']} tags with another pipeline (fingerprints "
                f"{data['fingerprints']}, this client's are {self.fingerprints.by_pipeline}): "
                "install the same corpus and model versions on every worker"
            )
        from corpus.models import TaggedArticle

        return [
            TaggedArticle.model_validate(
                {"article": article, **tagged}
            )
            for article, tagged in zip(batch.articles, data["tagged"], strict=True)
        ]
