"""View of `corpus cooccur`: entity pairs with counts and association scores."""

from __future__ import annotations

from rich import box
from rich.table import Table
from rich.text import Text

from corpus.queries import Row
from corpus.render import literal
from corpus.views import label_style


def _entity(name: str, label: str) -> Text:
    out = literal(name)
    out.append(f" {label}", style=label_style(label))
    return out


def pair_table(pairs: list[Row], title: str, *, framed: bool = False) -> Table:
    frame = box.HEAVY_HEAD if framed else None
    table = Table(title=title, title_justify="left", box=frame, padding=(0, 1))
    table.add_column("entity", overflow="fold")
    table.add_column("entity", overflow="fold")
    table.add_column("count", justify="right")
    table.add_column("pmi", justify="right")
    table.add_column("npmi", justify="right")
    for p in pairs:
        table.add_row(
            _entity(p["a_name"], p["a_label"]),
            _entity(p["b_name"], p["b_label"]),
            str(p["count"]),
            f"{p['pmi']:.2f}",
            f"{p['npmi']:.2f}",
        )
    return table


def cooccur_table(pairs: list[Row], unit: str, units: int) -> Table:
    what = "pair" if len(pairs) == 1 else "pairs"
    title = f"{len(pairs)} {what} in the same {unit} ({units} {unit}s)"
    return pair_table(pairs, title, framed=True)
