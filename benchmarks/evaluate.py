"""Score the tagger against the hand-made gold annotations in tests/gold/.

    python benchmarks/evaluate.py [--model NAME] [--gazetteer FILE ...] [--check]

Prints precision, recall and F1 per label (exact span and label), then for the targets (gazetteer
entities and governments) together, the share of matched mentions on the gold canonical id, and,
per gold file, the share of all matched mentions on the gold id (how well mentions of one person,
body or acronym come together: "Idezawa" on `person:takeshi idezawa`); a predicted span that is
a gold one with a leading title ("Mrs Howard" for "Howard") has its id checked too.
The gold files hold the article bodies themselves, so no loader is involved. With --check the exit
status is 1 when the targets miss recall >= 0.95, precision >= 0.9, or any canonical id.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GOLD_DIR = ROOT / "tests" / "gold"
TARGET_RECALL = 0.95
TARGET_PRECISION = 0.9

try:
    from corpus.names import TITLES
    from corpus.pipeline import Tagger, load_tagger
except ImportError:  # run from a checkout without installing
    sys.path.insert(0, str(ROOT / "src"))
    from corpus.names import TITLES
    from corpus.pipeline import Tagger, load_tagger

Key = tuple[int, int, str]  # start, end, label


@dataclass(frozen=True)
class GoldDocument:
    name: str
    body: str
    mentions: dict[Key, str]  # -> canonical entity id
    source: str = ""  # the gold file


@dataclass
class Scores:
    true_positive: Counter[str] = field(default_factory=Counter)
    gold: Counter[str] = field(default_factory=Counter)
    predicted: Counter[str] = field(default_factory=Counter)
    id_checked: int = 0
    id_wrong: list[str] = field(default_factory=list)
    missed: list[str] = field(default_factory=list)
    spurious: list[str] = field(default_factory=list)


def load_gold(directory: Path = GOLD_DIR) -> list[GoldDocument]:
    documents = []
    for path in sorted(directory.glob("*.json")):
        for doc in json.loads(path.read_text(encoding="utf-8"))["documents"]:
            mentions = {(m["start"], m["end"], m["label"]): m["entity"] for m in doc["mentions"]}
            documents.append(GoldDocument(doc["name"], doc["body"], mentions, path.name))
    return documents


def is_target(label: str, entity: str, target_ids: frozenset[str]) -> bool:
    return label == "GOV" or entity in target_ids


def evaluate(
    tagger: Tagger, documents: Iterable[GoldDocument], by_file: dict[str, Scores] | None = None
) -> tuple[Scores, Scores]:
    """Scores per label, and scores of the targets (all under the label "TARGETS").

    `by_file`, when given, receives the scores of every gold file (all under "ALL").
    """
    target_ids = frozenset(tagger.gazetteer.entities)
    by_label, targets = Scores(), Scores()
    for doc in documents:
        mentions, _, _ = tagger.tag_text(doc.body)
        predicted = {(m.start, m.end, m.label): m.entity for m in mentions}
        _score(by_label, doc, doc.mentions, predicted, lambda key: key[2])
        if by_file is not None:
            scores = by_file.setdefault(doc.source, Scores())
            _score(scores, doc, doc.mentions, predicted, lambda key: "ALL")
        gold_targets = {k: v for k, v in doc.mentions.items() if is_target(k[2], v, target_ids)}
        predicted_targets = {k: v for k, v in predicted.items() if is_target(k[2], v, target_ids)}
        _score(targets, doc, gold_targets, predicted_targets, lambda key: "TARGETS")
    return by_label, targets


def _score(
    scores: Scores,
    doc: GoldDocument,
    gold: dict[Key, str],
    predicted: dict[Key, str],
    name_of: Callable[[Key], str],
) -> None:
    for key in gold:
        scores.gold[name_of(key)] += 1
    for key, entity in predicted.items():
        scores.predicted[name_of(key)] += 1
        if key not in gold:
            scores.spurious.append(_describe(doc, key, entity))
            if (bare := _without_title(doc, key)) in gold:  # "Mrs Howard" for gold "Howard"
                scores.id_checked += 1
                if gold[bare] != entity:
                    wrong = f"{_describe(doc, key, entity)} (gold id {gold[bare]!r})"
                    scores.id_wrong.append(wrong)
            continue
        scores.true_positive[name_of(key)] += 1
        scores.id_checked += 1
        if gold[key] != entity:
            scores.id_wrong.append(f"{_describe(doc, key, entity)} (gold id {gold[key]!r})")
    scores.missed.extend(_describe(doc, key, gold[key]) for key in gold if key not in predicted)


def _without_title(doc: GoldDocument, key: Key) -> Key | None:
    """The span of a predicted mention without a leading title ("Mrs Howard" -> "Howard"): the
    gold leaves titles out, the model sometimes keeps them. Its id is still checked."""
    start, end, label = key
    title, _, rest = doc.body[start:end].partition(" ")
    return (end - len(rest), end, label) if rest and title.lower() in TITLES else None


def _describe(doc: GoldDocument, key: Key, entity: str) -> str:
    start, end, label = key
    return f"{doc.name}:{start}-{end} {doc.body[start:end]!r} {label} -> {entity}"


def prf(scores: Scores, label: str) -> tuple[float, float, float]:
    tp, gold, predicted = scores.true_positive[label], scores.gold[label], scores.predicted[label]
    precision = tp / predicted if predicted else 1.0
    recall = tp / gold if gold else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def table(scores: Scores) -> list[str]:
    lines = [f"{'label':<12}{'gold':>6}{'pred':>6}{'tp':>6}{'P':>8}{'R':>8}{'F1':>8}"]
    labels = sorted(set(scores.gold) | set(scores.predicted))
    for label in labels:
        p, r, f = prf(scores, label)
        lines.append(
            f"{label:<12}{scores.gold[label]:>6}{scores.predicted[label]:>6}{scores.true_positive[label]:>6}"
            f"{p:>8.3f}{r:>8.3f}{f:>8.3f}"
        )
    total = Scores(
        true_positive=Counter({"ALL": sum(scores.true_positive.values())}),
        gold=Counter({"ALL": sum(scores.gold.values())}),
        predicted=Counter({"ALL": sum(scores.predicted.values())}),
    )
    p, r, f = prf(total, "ALL")
    lines.append(
        f"{'ALL (micro)':<12}{total.gold['ALL']:>6}{total.predicted['ALL']:>6}"
        f"{total.true_positive['ALL']:>6}{p:>8.3f}{r:>8.3f}{f:>8.3f}"
    )
    return lines


def id_share(scores: Scores) -> float:
    return 1 - len(scores.id_wrong) / scores.id_checked if scores.id_checked else 1.0


def file_report(by_file: dict[str, Scores]) -> list[str]:
    """Per gold file: P/R/F1 over all labels and the share of matched mentions on the gold id."""
    lines = [f"{'gold file':<28}{'P':>7}{'R':>7}{'F1':>7}  mentions on the gold id"]
    for name, scores in sorted(by_file.items()):
        p, r, f = prf(scores, "ALL")
        right = scores.id_checked - len(scores.id_wrong)
        lines.append(
            f"{name:<28}{p:>7.3f}{r:>7.3f}{f:>7.3f}  "
            f"{right}/{scores.id_checked} ({id_share(scores):.3f})"
        )
        lines += [f"  id mismatch: {item}" for item in scores.id_wrong]
    return lines


def report(
    by_label: Scores, targets: Scores, by_file: dict[str, Scores] | None = None
) -> list[str]:
    lines = ["Per label (exact span + label):", *table(by_label), ""]
    lines += ["Targets (gazetteer entities + GOV):", *table(targets)[1:-1]]
    lines.append(
        f"canonical ids: {targets.id_checked - len(targets.id_wrong)}/{targets.id_checked} "
        "target matches "
        f"on the gold id ({id_share(targets):.3f}); all labels: "
        f"{by_label.id_checked - len(by_label.id_wrong)}/{by_label.id_checked}"
    )
    for title, items in (
        ("target misses", targets.missed),
        ("target false positives", targets.spurious),
        ("target id mismatches", targets.id_wrong),
    ):
        lines += [f"{title}: {len(items)}", *(f"  {item}" for item in items)]
    if by_file:
        lines += ["", *file_report(by_file)]
    return lines


def targets_met(targets: Scores) -> bool:
    precision, recall, _ = prf(targets, "TARGETS")
    return recall >= TARGET_RECALL and precision >= TARGET_PRECISION and not targets.id_wrong


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--model", help="spaCy model (default: $CORPUS_MODEL or the first installed)"
    )
    parser.add_argument(
        "--gazetteer", type=Path, action="append", default=[], help="extra gazetteer TOML"
    )
    parser.add_argument("--gold", type=Path, default=GOLD_DIR, help="directory of gold JSON files")
    parser.add_argument(
        "--check", action="store_true", help="exit 1 when the target thresholds are missed"
    )
    args = parser.parse_args(argv)
    tagger = load_tagger(args.model, args.gazetteer)
    by_file: dict[str, Scores] = {}
    by_label, targets = evaluate(tagger, load_gold(args.gold), by_file)
    print(f"model {tagger.model_name} {tagger.model_version}, fingerprint {tagger.fingerprint}")
    print("\n".join(report(by_label, targets, by_file)))
    return 0 if targets_met(targets) or not args.check else 1


if __name__ == "__main__":
    raise SystemExit(main())
