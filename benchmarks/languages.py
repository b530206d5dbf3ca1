"""Figures of the languages issue, on the bench corpora.

    python benchmarks/languages.py detect [--per-corpus N]   # language detection
    python benchmarks/languages.py entities DB [DB...]        # cross-script entities, punctuation
    python benchmarks/languages.py search DB [DB...]          # search recall against grep

`detect` reads ../shared/bench ja, ko and bbc through the loader (so titles and bodies are what
corpus detects on), and runs corpus's own detect_language (py3langid, first 1,000 characters)
and, when `lingua-language-detector` is installed, lingua on the same texts (the whole text;
lingua's default lazy model loading). Prints per corpus: articles, accuracy, the wrong answers, and
characters per second of detection alone. The machine may be shared: compare the libraries within
one run only.
"""

from __future__ import annotations

import argparse
import sqlite3
import time
from collections import Counter
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


def detect(per_corpus: int) -> None:
    samples = {corpus: texts(corpus, per_corpus) for corpus in CORPORA}
    print(f"py3langid reads the first {DETECT_CHARS:,} characters; lingua the whole text")
    measure("py3langid", detect_language, samples)
    lingua = lingua_detector()
    if lingua is None:
        print("lingua: not installed (pip install lingua-language-detector to compare)")
    else:
        measure("lingua", lingua, samples)


# --- entities ------------------------------------------------------------------------------------

# A term, the entity id its mentions should carry, and the language of the articles counted.
TERMS = (("네이버", "naver", "ko"), ("카카오", "kakao", "ko"), ("ソフトバンク", "softbank", "ja"))
TERMS += (("LINE", "line", "ja"),)


def entity_figures(db: Path) -> None:
    """For each term: of the articles (in its language) whose body holds it, the share with a
    mention on its entity id; and the mentions of CJK articles without a letter or digit. The
    language is the stored one, else guessed from the script, for stores from before it."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    stored = conn.execute("SELECT id, body, lang FROM articles").fetchall()
    rows = [(article, body) for article, body, _ in stored]
    lang = {article: code or _script_language(body) for article, body, code in stored}
    print(f"{db}: {len(rows)} articles ({dict(Counter(lang.values()))})")
    for term, entity, language in TERMS:
        holding = {a for a, body in rows if term in body and lang[a] == language}
        tagged = {
            a
            for (a,) in conn.execute(
                "SELECT DISTINCT article_id FROM mentions WHERE entity_id = ?", (entity,)
            )
        }
        share = len(holding & tagged) / len(holding) if holding else float("nan")
        hits = len(holding & tagged)
        print(f"  {term} in {language}: {hits}/{len(holding)} articles on {entity!r} ({share:.1%})")
    cjk = {a for a, language in lang.items() if language in ("ja", "ko")}
    mentions = conn.execute("SELECT article_id, text, label FROM mentions").fetchall()
    in_cjk = [(t, label) for a, t, label in mentions if a in cjk]
    punctuation = Counter((t, label) for t, label in in_cjk if not any(c.isalnum() for c in t))
    only = sum(punctuation.values())
    print(f"  mentions in ja/ko articles: {len(in_cjk)}, punctuation-only: {only}")
    for (text, label), count in punctuation.most_common(3):
        print(f"    {text!r} {label} x{count}")
    top = Counter((t, label) for t, label in in_cjk).most_common(5)
    print(f"  top mentions in ja/ko articles: {top}")
    conn.close()


def _script_language(body: str) -> str:
    hangul = sum(1 for c in body if "\uac00" <= c <= "\ud7a3")
    kana = sum(1 for c in body if "\u3040" <= c <= "\u30ff")
    return "ko" if hangul > kana else "ja" if kana else "en"


# --- search ------------------------------------------------------------------------------------

SEARCH_TERMS = ("ドコモ", "ソフトバンク", "日本", "韓国", "政府", "選手")
SEARCH_TERMS += ("네이버", "카카오", "삼성전자", "넥슨", "한국", "게임")


def search_figures(db: Path) -> None:
    """Recall of `corpus search TERM` against a substring search (grep) of titles and bodies,
    for each term, and the size of the full-text index."""
    from corpus.analysis import search
    from corpus.store import Store

    with Store.open(db, readonly=True) as store:
        rows = store.conn.execute("SELECT id, coalesce(title, '') || ' ' || body FROM articles")
        texts = dict(rows.fetchall())
        total_holding = total_found = 0
        for term in SEARCH_TERMS:
            holding = {a for a, text in texts.items() if term in text}
            started = time.perf_counter()
            found = {row["id"] for row in search(store, term, limit=None)}
            seconds = time.perf_counter() - started
            hits = len(found & holding)
            total_holding += len(holding)
            total_found += hits
            print(
                f"  search {term}: {hits}/{len(holding)} of the articles holding it"
                f" ({hits / max(len(holding), 1):.1%}), {len(found - holding)} others,"
                f" {seconds * 1000:.0f} ms"
            )
        print(f"  all terms: {total_found}/{total_holding} ({total_found / total_holding:.1%})")
        text = sum(len(t.encode()) for t in texts.values()) / 1e6
        words = _index_bytes(store.conn, "articles_fts") / 1e6
        trigrams = _index_bytes(store.conn, "articles_cjk") / 1e6
        print(
            f"  text {text:.1f} MB; unicode61 index {words:.1f} MB; trigram index {trigrams:.1f} MB"
        )


def _index_bytes(conn: sqlite3.Connection, table: str) -> int:
    try:
        row = conn.execute(
            "SELECT sum(pgsize) FROM dbstat WHERE name LIKE ? || '%'", (table,)
        ).fetchone()
        return int(row[0] or 0)
    except sqlite3.OperationalError:  # SQLite without dbstat
        return 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    detecting = commands.add_parser("detect", help="language detection accuracy and speed")
    detecting.add_argument("--per-corpus", type=int, default=10_000, help="files per corpus")
    for name in ("entities", "search"):
        command = commands.add_parser(name)
        command.add_argument("dbs", nargs="+", type=Path, help="stores (ingest the bench first)")
    args = parser.parse_args()
    if args.command == "detect":
        detect(args.per_corpus)
    elif args.command == "entities":
        for db in args.dbs:
            entity_figures(db)
    else:
        for db in args.dbs:
            search_figures(db)


if __name__ == "__main__":
    main()
