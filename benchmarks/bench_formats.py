"""Figures of the input formats, on the BBC News corpus; prints a table (and --json PATH).

    python benchmarks/bench_formats.py [--corpus PATH] [--pages 300] [--big-mb 1000] [--json PATH]

- HTML: pages per second of the web-page loader (trafilatura) on the BBC articles wrapped in a
  news page (navigation, cookie banner, share bar, related links, comments, scripts), against
  the plain-text loader on the same articles as .txt; and the share of a real `corpus ingest
  --jobs 1` of those pages that extraction takes.
- JSON Lines: the BBC corpus as one JSONL, ingested with tagging off (NullTagger: reading,
  parsing, language detection and store writes), against the same articles as .txt files, and
  against merely reading the file with the json module.
- Streaming memory: peak RSS of reading a ~100 MB and a ~1 GB JSONL made from BBC through the
  loader's stream (records -> articles -> parts, as the ingest gets them), and of a whole
  ingest with tagging off of ~100 MB and of `--ingest-mb` (each copy's words shuffled, so that
  copies are neither the same text nor near-duplicates; the copies carry `"language": "en"`, so
  language detection, measured above with the original articles, does not set the pace).

Each figure is a whole process (interpreter start included), measured in the same run; ratios
are against a baseline of the same run. The machine may be shared: read ratios, not seconds.
"""

from __future__ import annotations

import argparse
import html
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = ROOT.parent / "shared" / "bench" / "bbc"
PYTHON = sys.executable
CORPUS = [str(Path(PYTHON).with_name("corpus"))]

NULL_INGEST = """\
import json, sys
from corpus.ingest import Ingest, NullTagger
from corpus.store import Store
tagger = NullTagger()
with Store.open(sys.argv[1]) as store:
    report = Ingest(store, lambda: tagger, tagger.fingerprint).run(sys.argv[2:])
print(json.dumps({"new": report.new, "failed": len(report.failed)}))
"""
STREAM = """\
import json, os, sys
from pathlib import Path
from corpus.loader import format_of, record_reader
from corpus.loader.records import FieldMap
from corpus.loader.streams import Plan, stream_records
path = Path(sys.argv[1])
fmt = format_of(path)
articles = parts = 0
limit = 20 * 2**20
for part in stream_records(path, str(path), fmt, record_reader(fmt), Plan(), FieldMap(), limit):
    articles += len(part.articles)
    parts += 1
print(json.dumps({"articles": articles, "parts": parts}))
"""
JSON_READ = """\
import json, sys
count = 0
with open(sys.argv[1], "rb") as handle:
    for line in handle:
        if line.strip():
            json.loads(line)
            count += 1
print(json.dumps({"records": count}))
"""
LOAD_FILES = """\
import json, sys, time
from pathlib import Path
from corpus.languages import detect_language
from corpus.loader import load_file
paths = sorted(Path(sys.argv[1]).iterdir())
load_file(paths[0])  # the one-off loads (trafilatura, the language model) are not timed
detect_language("A warm-up sentence for the language model.")
start = time.perf_counter()
words = sum(a.words for p in paths for a in load_file(p).articles)
print(json.dumps({"files": len(paths), "words": words, "seconds": time.perf_counter() - start}))
"""
PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title} - BBC News</title>
<link rel="canonical" href="https://news.example/{slug}">
<meta property="og:site_name" content="BBC News">
<style>body {{ margin: 0 }} .nav li {{ display: inline }}</style>
<script>window.analytics = {{"page": "{slug}"}};</script></head>
<body><div class="cookie-banner">We use cookies. <button>Accept</button></div>
<header><nav class="nav"><ul><li><a href="/">Home</a></li><li><a href="/business">Business</a>
</li><li><a href="/politics">Politics</a></li><li><a href="/tech">Tech</a></li></ul></nav></header>
<main><article><h1>{title}</h1><div class="share"><a href="#">Share</a> <a href="#">Tweet</a></div>
{paragraphs}
<aside class="related"><h3>Related</h3><ul><li><a href="/a">Markets rally</a></li>
<li><a href="/b">Election latest</a></li></ul></aside></article>
<section class="comments"><h2>Comments</h2><div class="comment"><p>Great article!</p></div>
<div class="comment"><p>I disagree with all of this.</p></div></section></main>
<footer><p>Copyright BBC. All rights reserved.</p></footer><script>track();</script></body></html>
"""


def articles(corpus: Path) -> list[tuple[str, str, str]]:
    """(relative name, title, body) of every BBC file."""
    out = []
    for path in sorted(corpus.rglob("*.txt")):
        text = path.read_bytes().decode("utf-8", "replace").replace("\r\n", "\n")
        title, _, body = text.strip().partition("\n")
        if body.strip():
            out.append((str(path.relative_to(corpus)), title.strip(), body.strip()))
    return out


def make_txt(items: list[tuple[str, str, str]], folder: Path) -> None:
    folder.mkdir(parents=True)
    for name, title, body in items:
        (folder / (name.replace("/", "-"))).write_text(f"{title}\n\n{body}\n", "utf-8")


def make_pages(items: list[tuple[str, str, str]], folder: Path) -> None:
    folder.mkdir(parents=True)
    for name, title, body in items:
        paragraphs = "\n".join(f"<p>{html.escape(p)}</p>" for p in body.split("\n") if p.strip())
        slug = name.replace("/", "-").removesuffix(".txt")
        page = PAGE.format(title=html.escape(title), slug=slug, paragraphs=paragraphs)
        (folder / f"{slug}.html").write_text(page, "utf-8")


def make_jsonl(items: list[tuple[str, str, str]], path: Path, target: int = 0) -> int:
    """The articles as JSON Lines; copies (words shuffled) until `target` bytes. Records."""
    written = records = copy = 0
    with path.open("w", encoding="utf-8") as out:
        while True:
            shuffle = random.Random(copy)
            for name, title, body in items:
                if copy:
                    words = body.split()
                    shuffle.shuffle(words)
                    title, body = f"{title} (copy {copy})", " ".join(words)
                record = {"id": f"{name}#{copy}", "title": title, "text": body, "source": "BBC"}
                if copy:
                    record["language"] = "en"
                line = json.dumps(record, ensure_ascii=False) + "\n"
                out.write(line)
                written += len(line.encode())
                records += 1
            copy += 1
            if written >= target:
                return records


def run(args: list[str]) -> tuple[float, float, dict[str, Any]]:
    """(wall seconds, peak RSS in MB, its JSON output) of one process."""
    start = time.perf_counter()
    process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    assert process.stdout is not None
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    if status != 0 and not output.strip():
        raise SystemExit(f"failed: {' '.join(args)}")
    last = output.decode().strip().splitlines()[-1] if output.strip() else "{}"
    return seconds, usage.ru_maxrss / 1024, json.loads(last) if last.startswith("{") else {}


def null_ingest(db: Path, *paths: Path) -> tuple[float, float, dict[str, Any]]:
    return run([PYTHON, "-c", NULL_INGEST, str(db), *map(str, paths)])


def html_figures(sample: list[tuple[str, str, str]], work: Path, results: dict[str, Any]) -> None:
    make_pages(sample, work / "pages")
    make_txt(sample, work / "pages-txt")
    html_s = run([PYTHON, "-c", LOAD_FILES, str(work / "pages")])[2]
    txt_s = run([PYTHON, "-c", LOAD_FILES, str(work / "pages-txt")])[2]
    ingest_s, _, _ = run(
        [
            *CORPUS,
            "ingest",
            str(work / "pages"),
            "--jobs",
            "1",
            "--no-progress",
            "--json",
            "--db",
            str(work / "pages.db"),
        ]
    )
    results["html"] = {
        "pages": html_s["files"],
        "pages_per_s": html_s["files"] / html_s["seconds"],
        "txt_files_per_s": txt_s["files"] / txt_s["seconds"],
        "ingest_s": ingest_s,
        "extraction_share_of_ingest": html_s["seconds"] / ingest_s,
        "same_words": html_s["words"] == txt_s["words"],
        "words_html_vs_txt": html_s["words"] / max(1, txt_s["words"]),
    }
    print(json.dumps({"html": results["html"]}), flush=True)


def jsonl_figures(items: list[tuple[str, str, str]], work: Path, results: dict[str, Any]) -> None:
    make_txt(items, work / "txt")
    records = make_jsonl(items, work / "bbc.jsonl")
    txt_time, txt_rss, _ = null_ingest(work / "txt.db", work / "txt")
    jsonl_time, jsonl_rss, jsonl_out = null_ingest(work / "jsonl.db", work / "bbc.jsonl")
    read_time, _, _ = run([PYTHON, "-c", JSON_READ, str(work / "bbc.jsonl")])
    reingest_time, _, _ = null_ingest(work / "jsonl.db", work / "bbc.jsonl")
    results["jsonl"] = {
        "records": records,
        "stored": jsonl_out.get("new"),
        "jsonl_articles_per_s": records / jsonl_time,
        "txt_articles_per_s": len(items) / txt_time,
        "jsonl_vs_txt": txt_time / jsonl_time,
        "json_module_read_s": read_time,
        "jsonl_ingest_s": jsonl_time,
        "ingest_vs_json_read": jsonl_time / read_time,
        "reingest_unchanged_s": reingest_time,
        "peak_rss_mb": {"jsonl": jsonl_rss, "txt": txt_rss},
    }
    print(json.dumps({"jsonl": results["jsonl"]}), flush=True)
    shutil.rmtree(work / "txt")


def memory_figures(
    items: list[tuple[str, str, str]],
    work: Path,
    results: dict[str, Any],
    big_mb: int,
    ingest_mb: int,
) -> None:
    memory: dict[str, dict[int, dict[str, Any]]] = {"stream": {}, "ingest": {}}
    for megabytes in sorted({100, big_mb, ingest_mb}):
        path = work / f"bbc-{megabytes}mb.jsonl"
        count = make_jsonl(items, path, megabytes * 10**6)
        size = path.stat().st_size
        if megabytes in (100, big_mb):
            seconds, rss, out = run([PYTHON, "-c", STREAM, str(path)])
            memory["stream"][megabytes] = {
                "bytes": size,
                "records": count,
                "articles": out.get("articles"),
                "parts": out.get("parts"),
                "mb_per_s": size / 1e6 / seconds,
                "peak_rss_mb": rss,
            }
            print(json.dumps({"stream": {megabytes: memory["stream"][megabytes]}}), flush=True)
        if megabytes in (100, ingest_mb):
            seconds, rss, out = null_ingest(work / f"big-{megabytes}.db", path)
            memory["ingest"][megabytes] = {
                "bytes": size,
                "records": count,
                "stored": out.get("new"),
                "seconds": seconds,
                "records_per_s": count / seconds,
                "peak_rss_mb": rss,
            }
            print(json.dumps({"ingest": {megabytes: memory["ingest"][megabytes]}}), flush=True)
            (work / f"big-{megabytes}.db").unlink()
        path.unlink()
    results["memory"] = memory
    for kind, big in (("stream", big_mb), ("ingest", ingest_mb)):
        figures = memory[kind]
        results[f"{kind}_memory_ratio"] = figures[big]["peak_rss_mb"] / figures[100]["peak_rss_mb"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--pages", type=int, default=300, help="web pages to extract and ingest")
    parser.add_argument("--big-mb", type=int, default=1000, help="the large JSONL streamed, in MB")
    parser.add_argument(
        "--ingest-mb", type=int, default=1000, help="the large JSONL ingested whole, in MB"
    )
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument(
        "--parts", default="html,jsonl,memory", help="which figures (default: all three)"
    )
    options = parser.parse_args()
    parts = set(options.parts.split(","))
    items = articles(options.corpus)
    words = sum(len(body.split()) for _, _, body in items)
    results: dict[str, Any] = {"articles": len(items), "words": words}
    with tempfile.TemporaryDirectory(prefix="bench-formats-") as tmp:
        work = Path(tmp)
        sample = items[:: max(1, len(items) // options.pages)][: options.pages]
        if "html" in parts:
            html_figures(sample, work, results)
        if "jsonl" in parts:
            jsonl_figures(items, work, results)
        if "memory" in parts:
            memory_figures(items, work, results, options.big_mb, options.ingest_mb)
    print(json.dumps(results, indent=2))
    if options.json:
        options.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
