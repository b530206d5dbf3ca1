"""Shared fixtures: the seed files, the BBC bench corpus, a fresh store, and ways to run the CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from corpus.cli import main

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
BENCH = ROOT.parent / "shared" / "bench"
BBC = BENCH / "bbc"


@pytest.fixture
def seeds_dir() -> Path:
    return SEEDS


@pytest.fixture
def bbc_dir() -> Path:
    if not BBC.is_dir():
        pytest.skip(f"the BBC bench corpus is not at {BBC}")
    return BBC


def _bench_sample(name: str, count: int) -> list[Path]:
    folder = BENCH / name
    notes = {"LICENSE.txt", "CHANGES.txt", "README.txt"}  # the corpora's own notes
    files = sorted(p for p in folder.rglob("*.txt") if p.name not in notes)
    if not files:
        pytest.skip(f"the {name} bench corpus is not at {folder}")
    step = max(1, len(files) // count)
    return files[::step][:count]


@pytest.fixture(scope="session")
def bench_sample() -> Callable[[str, int], list[Path]]:
    """bench_sample(corpus, n): n article files spread over a bench corpus (ja, ko, bbc...);
    skips the test when the corpus is absent."""
    return _bench_sample


@pytest.fixture(scope="session")
def tagged_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seeds ingested once, with the real pipeline, for tests that only read the store."""
    db = tmp_path_factory.mktemp("tagged") / "corpus.db"
    result = CliRunner().invoke(main, ["ingest", str(SEEDS), "--jobs", "1", "--db", str(db)])
    assert result.exit_code == 0, result.output
    return db


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "store" / "corpus.db"


@pytest.fixture
def cli(db: Path) -> Callable[..., Result]:
    """Run `corpus ARGS...` in-process against the test store; returns click's Result."""

    def run(*args: str, input: str | None = None, env: dict[str, str] | None = None) -> Result:
        runner = CliRunner()
        env = {"CORPUS_DB": str(db), **(env or {})}
        return runner.invoke(main, [str(a) for a in args], input=input, env=env)

    return run


@pytest.fixture
def corpus_process(db: Path) -> Callable[..., subprocess.CompletedProcess[str]]:
    """Run the real `corpus` in a subprocess (python -m corpus) against the test store."""

    def run(
        *args: str, input: str | None = None, **kwargs: object
    ) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "CORPUS_DB": str(db)}
        env.pop("NO_COLOR", None)
        return subprocess.run(
            [sys.executable, "-m", "corpus", *map(str, args)],
            input=input,
            capture_output=True,
            text=True,
            env=env,
            timeout=600,
            **kwargs,  # type: ignore[call-overload]
        )

    return run
