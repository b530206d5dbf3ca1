"""The language of a text (ISO 639-1), detected by py3langid, whose model ships in its wheel.

py3langid (a maintained fork of langid.py, 97 languages, naive Bayes over byte n-grams) was
chosen over lingua-language-detector after measuring both on the bench corpora (see
benchmarks/languages.py): both were right on every article of ../shared/bench ja, ko and BBC
News, but on English py3langid (first 1,000 characters) ran at 1.5 M characters a second and
lingua at 0.09 M, a cost close to tagging's own; and py3langid is 4.5 MB installed, lingua 96 MB.

Only the first DETECT_CHARS characters are read: an article's language shows in its opening,
and the cost stays flat however long the article. A text where the model hesitates (below
MIN_PROBABILITY: a short English sentence full of names, "Naver and SoftBank own LY Corp.",
scores 0.17), or with no letters at all, is undetermined (None).
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from corpus.models import Article

DETECT_CHARS = 1000
MIN_PROBABILITY = 0.5

_IDENTIFIER: Any = None
_LOCK = threading.Lock()


def _identifier() -> Any:
    """py3langid's identifier, loaded on first use (about a second: not at import)."""
    global _IDENTIFIER
    with _LOCK:
        if _IDENTIFIER is None:
            _IDENTIFIER = _load_identifier()
        return _IDENTIFIER


def _load_identifier() -> Any:
    """The identifier from py3langid's shipped model, decompressed in memory.

    py3langid's own loader streams the model through a temporary file: on a full disk (or under a
    file-size limit) every file of an ingest would then fail on language detection instead of the
    one store write that cannot happen. The model's layout is py3langid's documented npz keys.
    """
    import io
    import lzma
    from array import array

    import numpy as np
    from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier

    def unsigned(values: Any) -> array[int]:
        out = array({2: "H", 4: "I", 8: "L"}[values.dtype.itemsize])
        out.frombytes(np.ascontiguousarray(values).tobytes())
        return out

    with lzma.open(MODEL_DIR / MODEL_FILE) as source:
        packed = io.BytesIO(source.read())
    with np.load(packed, allow_pickle=False) as model:
        return LanguageIdentifier(
            np.asarray(model["ptc"]),
            np.asarray(model["pc"]),
            model["classes"].tolist(),
            unsigned(model["nextmove"]),
            model["out_feat"].tolist(),
            norm_probs=True,
            tk_row=unsigned(model["nextmove_row"]),
        )


def detect_language(text: str) -> str | None:
    """The ISO 639-1 code of `text`'s language, or None when it cannot be told."""
    sample = text[:DETECT_CHARS]
    if not any(char.isalpha() for char in sample):
        return None
    code, probability = _identifier().classify(sample)
    return str(code) if probability >= MIN_PROBABILITY else None


def with_language(article: Article) -> Article:
    """`article` with its language detected, unless it already has one (from the file's
    metadata, or stored)."""
    if article.lang is not None:
        return article
    lang = detect_language(f"{article.title}\n{article.body}" if article.title else article.body)
    return article.model_copy(update={"lang": lang}) if lang else article
