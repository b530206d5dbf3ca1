"""How well the loader reads real archives: ingest them and print the shares the issue tracks.

    python benchmarks/loader_figures.py [--bench DIR] [--jobs N] [--json PATH]

On `reuters/` (1987 wire stories): the share of distinct stories with a source, a date, a place,
an author (of the stories whose file has a byline), and of stored sentences that are whole (end
in . ! ? or a closing quote), of all and of those in paragraphs of 12 words or more (prose, not
the rows of a table or a story that is only its headline). On `ja/` (livedoor): titles that
are not URLs, dates, urls, and how many stored articles came from files that are not articles
(README, LICENSE, CHANGES).
Each corpus is ingested into a fresh temporary store with the `corpus` of this interpreter.
"""

from __future__ import annotations

import argparse
import json
import re
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_BENCH = ROOT.parent / "shared" / "bench"
WHOLE = re.compile(r"[.!?][\"'”’)\]]*$|[\"”’]$")
BYLINE = re.compile(r"^by [A-Z]", re.IGNORECASE)
URL = re.compile(r"^https?://")
PROSE_WORDS = 12  # a paragraph this long is prose; shorter ones are mostly table rows, headlines


def ingest(folder: Path, db: Path, jobs: int) -> None:
    command = [sys.executable, "-m", "corpus", "ingest", str(folder), "--db", str(db)]
    result = subprocess.run([*command, "--jobs", str(jobs)], capture_output=True, text=True)
    if result.returncode not in (0, 1):
        sys.exit(f"ingest of {folder} failed: {result.stderr.strip()}")


def stories(conn: sqlite3.Connection, path_like: str) -> list[sqlite3.Row]:
    """Distinct articles found in files whose path matches, with one of their files' raw text."""
    return conn.execute(
        "SELECT a.*, min(f.raw) AS file_raw, min(o.path) AS path_key FROM articles a "
        "JOIN occurrences o ON o.article_id = a.id JOIN files f ON f.path = o.path "
        "WHERE o.path LIKE ? GROUP BY a.id",
        (path_like,),
    ).fetchall()


def share(part: int, whole: int) -> dict[str, Any]:
    return {"count": part, "of": whole, "share": round(part / whole, 4) if whole else None}


def has_byline(raw: bytes) -> bool:
    lines = raw.decode("utf-8", "replace").split("\n")
    return len(lines) > 3 and bool(BYLINE.match(lines[2])) and not lines[3].strip()


def paragraph_words(body: str, offset: int) -> int:
    """Words of the body line (paragraph) holding `offset`."""
    start = body.rfind("\n", 0, offset) + 1
    end = body.find("\n", offset)
    return len(body[start : end if end >= 0 else len(body)].split())


def reuters_figures(db: Path) -> dict[str, Any]:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    rows = stories(conn, "%/reut-%")
    with_body = [r for r in rows if len(r["file_raw"].strip().split(b"\n")) > 1]
    bylined = [r for r in rows if has_byline(r["file_raw"])]
    sentences = [
        (body[start:end], paragraph_words(body, start))
        for body, start, end in conn.execute(
            "SELECT a.body, s.start, s.end FROM sentences s JOIN articles a ON a.id = s.article_id"
        )
    ]
    whole = sum(1 for text, _ in sentences if WHOLE.search(text.strip()))
    prose = [text for text, words in sentences if words >= PROSE_WORDS]
    whole_prose = sum(1 for text in prose if WHOLE.search(text.strip()))
    figures: dict[str, Any] = {"stories": len(rows), "stories_with_a_body": len(with_body)}
    for field in ("source", "date", "place"):
        figures[field] = share(sum(1 for r in rows if r[field]), len(rows))
        figures[f"{field}_of_stories_with_a_body"] = share(
            sum(1 for r in with_body if r[field]), len(with_body)
        )
    figures["author_of_bylined"] = share(sum(1 for r in bylined if r["author"]), len(bylined))
    figures["whole_sentences"] = share(whole, len(sentences))
    figures["whole_sentences_in_prose"] = share(whole_prose, len(prose))
    return figures


def ja_figures(db: Path) -> dict[str, Any]:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    rows = [r for r in stories(conn, "%") if re.search(r"/[a-z-]+-\d+\.txt$", r["path_key"])]
    total = len(rows)
    others = conn.execute(
        "SELECT count(DISTINCT path) FROM occurrences WHERE path NOT GLOB '*/*-[0-9]*.txt'"
    ).fetchone()[0]
    return {
        "articles": total,
        "title_not_url": share(
            sum(1 for r in rows if r["title"] and not URL.match(r["title"])), total
        ),
        "date": share(sum(1 for r in rows if r["date"]), total),
        "url": share(sum(1 for r in rows if r["url"]), total),
        "files_stored_that_are_not_articles": others,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bench", type=Path, default=DEFAULT_BENCH)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    figures: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, measure in (("reuters", reuters_figures), ("ja", ja_figures)):
            db = Path(tmp) / f"{name}.db"
            ingest(args.bench / name, db, args.jobs)
            figures[name] = measure(db)
    text = json.dumps(figures, indent=2, ensure_ascii=False)
    print(text)
    if args.json:
        args.json.write_text(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
