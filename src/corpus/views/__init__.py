"""Rich renderables built from the plain rows of `corpus.queries`; one module per kind of view."""

LABEL_STYLES: dict[str, str] = {
    "PERSON": "bold magenta",
    "ORG": "bold cyan",
    "GOV": "bold red",
    "GPE": "bold green",
    "LOC": "green",
    "NORP": "yellow",
    "PRODUCT": "bold blue",
    "WORK_OF_ART": "blue",
    "EVENT": "bright_blue",
    "LAW": "bright_red",
    "FAC": "bright_green",
    "DATE": "dim cyan",
    "TIME": "dim cyan",
    "MONEY": "bright_yellow",
    "PERCENT": "bright_yellow",
    "QUANTITY": "dim yellow",
    "CARDINAL": "dim",
    "ORDINAL": "dim",
    "LANGUAGE": "bright_magenta",
}


def label_style(label: str) -> str:
    return LABEL_STYLES.get(label, "underline")
