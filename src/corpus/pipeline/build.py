"""Loading the model and assembling the corpus pipeline around its `senter` and `ner`."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import spacy
from spacy.language import Language

from corpus.errors import ModelNotFound

# Importing the component modules registers their factories with spaCy.
from corpus.pipeline import (  # noqa: F401
    acronyms,
    gazetteer_rules,
    ner_fixes,
    paragraph_sentences,
    person_names,
    span_edges,
)
from corpus.tagging import resolve_model_name

EXCLUDED_COMPONENTS = ["tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer"]


def load_model(name: str, exclude: Sequence[str], failure: str) -> Language:
    """`spacy.load` of an installed pipeline; ModelNotFound with `failure` when it cannot."""
    try:
        return spacy.load(name, exclude=list(exclude))
    except (OSError, ImportError) as exc:
        raise ModelNotFound(failure) from exc


def build_pipeline(model: str | None = None, gazetteers: Sequence[Path] = ()) -> Language:
    """The spaCy pipeline: senter and ner of the model, then the corpus components."""
    name = resolve_model_name(model)
    nlp = load_model(
        name,
        EXCLUDED_COMPONENTS,
        f"cannot load spaCy model {name!r}: it is not installed or not a spaCy pipeline "
        "(install it with pip; nothing is downloaded at run time)",
    )
    if "ner" not in nlp.pipe_names:
        raise ModelNotFound(f"spaCy model {name!r} has no 'ner' component")
    if "senter" in nlp.disabled:
        nlp.enable_pipe("senter")
    elif "senter" not in nlp.pipe_names:
        nlp.add_pipe("sentencizer", first=True)
    nlp.add_pipe("corpus_ner_fixes", after="ner")
    nlp.add_pipe("corpus_span_edges", after="corpus_ner_fixes")
    nlp.add_pipe(
        "corpus_gazetteer",
        after="corpus_span_edges",
        config={"gazetteers": [str(path) for path in gazetteers]},
    )
    nlp.add_pipe("corpus_person_names", after="corpus_gazetteer")
    nlp.add_pipe("corpus_acronyms", after="corpus_person_names")
    nlp.add_pipe("corpus_paragraph_sentences", last=True)
    return nlp
