"""Extractive summaries: TextRank over sentences (Mihalcea & Tarau 2004), with entity bonus.

Sentences are nodes of a weighted, undirected graph. The edge weight between two sentences
is the number of distinct content words they share divided by ``log|Si| + log|Sj|``
(word counts), plus ``ENTITY_BONUS`` for every canonical entity (``Mention.entity``) that
is mentioned in both. PageRank (damping 0.85, power iteration) scores the nodes; rank 0 is
the most central sentence. Fragments shorter than ``MIN_WORDS`` words get no edges and
always rank after full sentences. Ties are broken by position, so ranks are a total order.

Japanese, Chinese and Korean sentences are compared by character bigrams instead of words
(Japanese and Chinese put no spaces between words; Korean attaches particles to them): the
bigrams of their runs of Chinese characters, kana and hangul, hiragana-only pairs left out as
they are mostly grammar. A fragment there is a sentence of fewer than MIN_BIGRAMS bigrams.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, NamedTuple, Protocol

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    from corpus.models import Mention, Sentence

DAMPING = 0.85
ENTITY_BONUS = 1.0
MIN_WORDS = 4
MAX_ITER = 200
TOLERANCE = 1e-12

_STOPWORD_TEXT = """a about above after again against all also am an and any are as at be because
    been before being below between both but by can could did do does doing down during each few
    for from further had has have having he her here hers herself him himself his how i if in
    into is it its itself just me more most my myself no nor not now of off on once only or
    other our ours ourselves out over own same she should so some such than that the their
    theirs them themselves then there these they this those through to too under until up
    very was we were what when where which while who whom why will with would you your yours
    yourself yourselves said says say per mr mrs ms"""
STOPWORDS: frozenset[str] = frozenset(_STOPWORD_TEXT.split())

_WORD = re.compile(r"[^\W_]+(?:['\u2019][^\W_]+)*")
CJK_LANGUAGES = frozenset({"ja", "zh", "ko"})
MIN_BIGRAMS = 6
_CJK_RUN = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7a3\uf900-\ufaff]+")
_HIRAGANA = re.compile(r"^[\u3040-\u309f]+$")


def _bigrams(text: str) -> list[str]:
    return [
        run[i : i + 2]
        for run in _CJK_RUN.findall(text)
        for i in range(len(run) - 1)
        if not _HIRAGANA.match(run[i : i + 2])
    ]


def _units(text: str, lang: str | None) -> tuple[frozenset[str], int, int]:
    """A sentence's content units (words, or CJK bigrams), its length in units, and the length
    below which it is a fragment."""
    if lang in CJK_LANGUAGES:
        bigrams = _bigrams(text)
        return frozenset(bigrams), len(bigrams), MIN_BIGRAMS
    return content_words(text), len(_WORD.findall(text)), MIN_WORDS


def content_words(text: str) -> frozenset[str]:
    """Lowercased words of ``text`` without stopwords, possessive 's and bare numbers."""
    words: set[str] = set()
    for token in _WORD.findall(text.lower()):
        token = re.sub(r"['\u2019]s$", "", token)
        if token not in STOPWORDS and not token.isdigit() and len(token) > 1:
            words.add(token)
    return frozenset(words)


def _entities(sentence: Sentence, mentions: Sequence[Mention]) -> frozenset[str]:
    """Canonical ids of the mentions that start inside ``sentence``."""
    return frozenset(m.entity for m in mentions if sentence.start <= m.start < sentence.end)


def _incidence(sets: Sequence[frozenset[str]]) -> npt.NDArray[np.float64]:
    """A 0/1 matrix: row i has a 1 in the column of every member of sets[i]."""
    import numpy as np

    columns: dict[str, int] = {}
    cells = [
        (i, columns.setdefault(item, len(columns)))
        for i, items in enumerate(sets)
        for item in items
    ]
    matrix = np.zeros((len(sets), max(len(columns), 1)), dtype=np.float64)
    if cells:
        rows, cols = zip(*cells, strict=True)
        matrix[list(rows), list(cols)] = 1.0
    return matrix


def similarity_matrix(
    body: str,
    sentences: Sequence[Sentence],
    mentions: Sequence[Mention] = (),
    lang: str | None = None,
) -> npt.NDArray[np.float64]:
    """Symmetric edge weights with a zero diagonal; fragments have no edges."""
    import numpy as np  # imported here: `corpus show` needs summary_text only

    units = [_units(body[s.start : s.end], lang) for s in sentences]
    words = [u[0] for u in units]
    lengths = [u[1] if u[1] >= u[2] else 0 for u in units]  # 0: a fragment
    ents = [_entities(s, mentions) for s in sentences]
    # Shared words and entities of every pair at once, as products of incidence matrices.
    word_matrix, entity_matrix = _incidence(words), _incidence(ents)
    shared_words = word_matrix @ word_matrix.T
    shared_entities = entity_matrix @ entity_matrix.T
    full = np.array([n > 0 for n in lengths], dtype=bool)
    logs = np.array([math.log(n) if n > 1 else 1.0 for n in lengths], dtype=np.float64)
    weights = shared_words / (logs[:, None] + logs[None, :]) + ENTITY_BONUS * shared_entities
    weights[~(full[:, None] & full[None, :])] = 0.0  # fragments have no edges
    np.fill_diagonal(weights, 0.0)
    return weights


def pagerank(weights: npt.NDArray[np.float64], damping: float = DAMPING) -> npt.NDArray[np.float64]:
    """Weighted PageRank by power iteration; nodes without edges spread their score evenly."""
    import numpy as np  # imported here: `corpus show` needs summary_text only

    size = weights.shape[0]
    if size == 0:
        return np.zeros(0, dtype=np.float64)
    out = weights.sum(axis=1)
    dangling = out == 0
    # transition[i, j] = share of j's score that flows to i
    transition = np.divide(weights.T, out, out=np.zeros_like(weights), where=~dangling)
    transition[:, dangling] = 1.0 / size
    scores = np.full(size, 1.0 / size)
    for _ in range(MAX_ITER):
        updated = (1.0 - damping) / size + damping * (transition @ scores)
        done = float(np.abs(updated - scores).sum()) < TOLERANCE
        scores = updated
        if done:
            break
    return scores


def rank_sentences(
    body: str,
    sentences: Sequence[Sentence],
    mentions: Sequence[Mention] = (),
    lang: str | None = None,
) -> list[Sentence]:
    """The same sentences, same order, with ``rank`` set (0 = most central, a total order)."""
    import numpy as np  # imported here: `corpus show` needs summary_text only

    scores = pagerank(similarity_matrix(body, sentences, mentions, lang))
    # scores equal up to float noise must tie, so that position decides
    rounded = np.round(scores, 9)
    fragment = [(u := _units(body[s.start : s.end], lang))[1] < u[2] for s in sentences]
    order = sorted(
        range(len(sentences)),
        key=lambda i: (fragment[i], -float(rounded[i]), sentences[i].start, i),
    )
    ranks = {index: rank for rank, index in enumerate(order)}
    return [s.model_copy(update={"rank": ranks[i]}) for i, s in enumerate(sentences)]


class RankedSpan(Protocol):
    """What a summary needs of a sentence: a `Sentence`, or a `SentenceSpan` read from the store."""

    @property
    def start(self) -> int: ...
    @property
    def end(self) -> int: ...
    @property
    def rank(self) -> int | None: ...


class SentenceSpan(NamedTuple):
    start: int
    end: int
    rank: int | None


def summary_text(body: str, sentences: Sequence[RankedSpan], n: int = 2) -> str:
    """The ``n`` best-ranked sentences in document order, joined by a space (unranked ignored)."""
    ranked = [(s.rank, s.start, s) for s in sentences if s.rank is not None]
    best = [s for _, _, s in sorted(ranked, key=lambda t: (t[0], t[1]))[: max(n, 0)]]
    chosen = sorted(best, key=lambda s: (s.start, s.end))
    return " ".join(t for t in (body[s.start : s.end].strip() for s in chosen) if t)
