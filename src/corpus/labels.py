"""Which entity labels a read shows: names by default, every label on request, or those asked for.

`entities`, `summary`, `cooccur` and the report show names (people, organisations, governments,
places...) unless told otherwise: the value labels (dates, times, numbers, amounts) fill the
first screen of any news corpus ("two", "Tuesday", "last year") and say little about who is in
a story. Every one of them takes a `Labels`, from `--label` and `--all-labels`
(`cli.options.label_options`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from corpus.aggregates import VALUE_LABELS

# The names spaCy's English model and the gazetteer tag, GOV being the gazetteer's own; any
# other label (LANGUAGE) is a name too, in that it is no value.
NAME_LABELS = (
    *("PERSON", "ORG", "GOV", "GPE", "LOC", "NORP", "FAC"),
    *("PRODUCT", "EVENT", "WORK_OF_ART", "LAW"),
)


@dataclass(frozen=True)
class Labels:
    """The labels of `chosen` (upper case), or with none chosen every label but the values,
    or with `all_labels` every label."""

    chosen: tuple[str, ...] = ()
    all_labels: bool = False

    @classmethod
    def of(cls, chosen: Sequence[str] = (), all_labels: bool = False) -> Labels:
        return cls(tuple(sorted({label.strip().upper() for label in chosen})), all_labels)

    def shows(self, label: str) -> bool:
        if self.chosen:
            return label.upper() in self.chosen
        return self.all_labels or label not in VALUE_LABELS

    def condition(self, column: str) -> tuple[str, list[str]]:
        """SQL condition (and its parameters) that the label in `column` is one shown."""
        if self.chosen:
            return f"{column} IN ({','.join('?' * len(self.chosen))})", [*self.chosen]
        if self.all_labels:
            return "1", []
        values = sorted(VALUE_LABELS)
        return f"{column} NOT IN ({','.join('?' * len(values))})", values

    @property
    def names_only(self) -> bool:
        """Every label but the values: what the aggregate pair counts hold."""
        return not self.chosen and not self.all_labels


NAMES = Labels()
EVERY_LABEL = Labels(all_labels=True)
