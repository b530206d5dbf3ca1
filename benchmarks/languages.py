"""Language detection on the bench corpora: accuracy and speed of py3langid (used) and lingua.

    python benchmarks/languages.py [--per-corpus N]

Reads ../shared/bench ja, ko and bbc through the loader (so titles and bodies are what corpus
detects on), and runs corpus's own detect_language (py3langid, first 1,000 characters) and, when
`lingua-language-detector` is installed, lingua on the same texts (the whole text; lingua's
default lazy model loading). Prints per corpus: articles, accuracy, the wrong answers, and
characters per second of detection alone. The machine may be shared: compare the libraries within
one run only.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from pathlib import Path

from corpus.languages import DETECT_CHARS, detect_language
from corpus.loader.plaintext import parse_text

BENCH = Path(__file__).resolve().parent.parent.parent / "shared" / "bench"
CORPORA = {"ja": "ja", "ko": "ko", "bbc": "en"}
NOTES = {"LICENSE.txt", "CHANGES.txt", "README.txt"}


def texts(corpus: str, limit: int) -> list[str]:
    files = sorted(p for p in (BENCH / corpus).rglob("*.txt") if p.name not in NOTES)[:limit]
    out = []
    for path in files:
        for article in parse_text(path.read_text(encoding="utf-8", errors="replace"), str(path)):
            out.append(f"{article.title}\n{article.body}" if article.title else article.body)
    return out


def lingua_detector() -> Callable[[str], str | None] | None:
    try:
        from lingua import LanguageDetectorBuilder
    except ImportError:
        return None
    detector = LanguageDetectorBuilder.from_all_languages().build()

    def detect(text: str) -> str | None:
        found = detector.detect_language_of(text)
        return found.iso_code_639_1.name.lower() if found else None

    return detect


def measure(name: str, detect: Callable[[str], str | None], samples: dict[str, list[str]]) -> None:
    detect(samples["bbc"][0])  # loads the model
    for corpus, items in samples.items():
        expected = CORPORA[corpus]
        started = time.perf_counter()
        found = [detect(text) for text in items]
        seconds = time.perf_counter() - started
        wrong = sorted({str(f) for f in found if f != expected})
        right = sum(1 for f in found if f == expected)
        chars = sum(len(t) for t in items)
        print(
            f"{name:10} {corpus:4} {len(items):5} articles  accuracy {right / len(items):.4f}"
            f"  wrong {wrong or '-'}  {chars / seconds / 1e6:.2f} M chars/s"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--per-corpus", type=int, default=10_000, help="files per corpus")
    args = parser.parse_args()
    samples = {corpus: texts(corpus, args.per_corpus) for corpus in CORPORA}
    print(f"py3langid reads the first {DETECT_CHARS:,} characters; lingua the whole text")
    measure("py3langid", detect_language, samples)
    lingua = lingua_detector()
    if lingua is None:
        print("lingua: not installed (pip install lingua-language-detector to compare)")
    else:
        measure("lingua", lingua, samples)


if __name__ == "__main__":
    main()
