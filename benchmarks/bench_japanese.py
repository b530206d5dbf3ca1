"""Japanese ingest with GiNZA against a bare GiNZA script on the same livedoor texts.

    python benchmarks/bench_japanese.py [--files N] [--jobs 1]

Both sides are whole processes (interpreter start and model load included) over the same N
files of ../shared/bench/ja, copied to a temporary folder: the bare script is `spacy.load
("ja_ginza")` (its full pipeline, as GiNZA ships it) and `nlp.pipe` over the files' texts;
corpus is `corpus ingest --jobs 1` into a fresh store (language detection, the Japanese
pipeline, sentences, summaries and the store). Throughput is characters of the files over wall
time, so the ratio is the ratio of the two wall times. The machine may be shared: the figures
compare within one run only.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT.parent / "shared" / "bench" / "ja"
BARE = """\
import sys
from pathlib import Path
import spacy
texts = [p.read_text(encoding="utf-8") for p in sorted(Path(sys.argv[1]).glob("*.txt"))]
nlp = spacy.load("ja_ginza")
print(sum(len(doc.ents) for doc in nlp.pipe(texts, batch_size=64)))
"""


def timed(args: list[str]) -> float:
    started = time.perf_counter()
    result = subprocess.run(args, capture_output=True, text=True)
    if result.returncode:
        sys.exit(f"{args[:3]} failed ({result.returncode}):\n{result.stderr[-2000:]}")
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--files", type=int, default=100)
    parser.add_argument("--jobs", type=int, default=1)
    args = parser.parse_args()
    files = sorted(p for p in BENCH.rglob("*-*.txt"))[: args.files]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "ja"
        folder.mkdir()
        for path in files:
            shutil.copy(path, folder / path.name)
        chars = sum(len(p.read_text(encoding="utf-8")) for p in folder.iterdir())
        script = Path(tmp) / "bare.py"
        script.write_text(BARE)
        corpus = str(Path(sys.executable).with_name("corpus"))
        bare = timed([sys.executable, str(script), str(folder)])
        ours = timed(
            [
                corpus,
                "ingest",
                str(folder),
                "--db",
                str(Path(tmp) / "c.db"),
                "--jobs",
                str(args.jobs),
                "--no-progress",
            ]
        )
    print(f"{len(files)} files, {chars:,} characters; load average {os.getloadavg()[0]:.1f}")
    print(f"bare GiNZA nlp.pipe: {bare:.1f} s, {chars / bare:,.0f} characters/s")
    print(f"corpus ingest --jobs {args.jobs}: {ours:.1f} s, {chars / ours:,.0f} characters/s")
    print(f"ratio: {bare / ours:.2f}x (target >= 0.9x)")


if __name__ == "__main__":
    main()
