"""Label colours for HTML and graph files: the terminal legend's colours (`views.LABEL_STYLES`)
as RGB, so an entity has the same colour in `corpus show` and in the report."""

from __future__ import annotations

from rich.color_triplet import ColorTriplet
from rich.style import Style

from corpus.views import LABEL_STYLES

GREY = ColorTriplet(136, 136, 136)


def label_rgb(label: str) -> ColorTriplet:
    """The label's terminal colour in rich's standard palette; dim styles paled, others grey."""
    style = Style.parse(LABEL_STYLES.get(label, ""))
    if style.color is None:
        return GREY
    rgb = style.color.get_truecolor()
    if style.dim:
        return ColorTriplet(*((c + 255) // 2 for c in rgb))
    return rgb


def label_colour(label: str) -> str:
    """#rrggbb"""
    return label_rgb(label).hex


def label_colours(labels: set[str]) -> dict[str, str]:
    return {label: label_colour(label) for label in sorted(labels | set(LABEL_STYLES))}
