"""Tests for corpus.summarize: TextRank sentence ranking and extractive summaries."""

from __future__ import annotations

import math

import numpy as np
import pytest

from corpus.models import Mention, Sentence
from corpus.summarize import (
    content_words,
    pagerank,
    rank_sentences,
    similarity_matrix,
    summary_text,
)

OSLO = "The weather in Oslo stayed mild and grey on Tuesday morning."
FOOTBALL = "A local football club won its match in the evening."
RATES_1 = "The central bank raised interest rates again to fight inflation."
RATES_2 = "Inflation has pushed the central bank toward higher interest rates."
RATES_3 = "Economists expect interest rates to stay high while inflation persists."


def make(*texts: str, sep: str = " ") -> tuple[str, list[Sentence]]:
    """A body made of ``texts`` joined by ``sep`` and one Sentence per text."""
    body, sentences = "", []
    for text in texts:
        if body:
            body += sep
        sentences.append(Sentence(start=len(body), end=len(body) + len(text)))
        body += text
    return body, sentences


def mention(body: str, text: str, entity: str, label: str = "ORG") -> Mention:
    start = body.index(text)
    return Mention(text=text, label=label, start=start, end=start + len(text), entity=entity)


def ranks(sentences: list[Sentence]) -> list[int | None]:
    return [s.rank for s in sentences]


# --- building blocks -----------------------------------------------------------------


def test_content_words_lowercase_no_stopwords_no_possessive() -> None:
    words = content_words("The Bank's CEO said that the bank and its 2 banks were fine.")
    assert words == {"bank", "ceo", "banks", "fine"}


def test_similarity_is_overlap_over_log_lengths() -> None:
    a = "Central banks raised interest rates sharply."  # 6 words
    b = "Interest rates rose as central banks acted."  # 7 words; shares 4 content words
    body, sentences = make(a, b)
    weights = similarity_matrix(body, sentences)
    expected = 4 / (math.log(6) + math.log(7))
    assert weights[0, 1] == pytest.approx(expected)
    assert weights[1, 0] == pytest.approx(expected)
    assert weights[0, 0] == weights[1, 1] == 0.0


def test_shared_entities_add_one_per_entity() -> None:
    a = "Naver and SoftBank own the messaging company together."
    b = "The Seoul portal operator and the Japanese group disagree."
    body, sentences = make(a, b)
    assert similarity_matrix(body, sentences)[0, 1] == 0.0
    mentions = [
        mention(body, "Naver", "org:naver"),
        mention(body, "SoftBank", "org:softbank"),
        mention(body, "The Seoul portal operator", "org:naver"),
        mention(body, "the Japanese group", "org:softbank"),
    ]
    assert similarity_matrix(body, sentences, mentions)[0, 1] == pytest.approx(2.0)


def test_fragments_get_no_edges() -> None:
    body, sentences = make("Interest rates rose.", RATES_1)
    assert not similarity_matrix(body, sentences).any()


def test_pagerank_star_graph_closed_form() -> None:
    weights = np.array([[0.0, 1.0, 1.0], [1.0, 0.0, 0.0], [1.0, 0.0, 0.0]])
    scores = pagerank(weights)
    centre = 0.135 / 0.2775  # c = 0.05 + 1.7 l, l = 0.05 + 0.425 c
    leaf = 0.05 + 0.425 * centre
    assert scores == pytest.approx([centre, leaf, leaf])
    assert scores.sum() == pytest.approx(1.0)


def test_pagerank_without_edges_is_uniform() -> None:
    assert pagerank(np.zeros((4, 4))) == pytest.approx([0.25] * 4)
    assert pagerank(np.zeros((0, 0))).shape == (0,)


# --- rank_sentences ------------------------------------------------------------------


def test_central_topic_beats_the_lead_sentence() -> None:
    body, sentences = make(OSLO, RATES_1, RATES_2, RATES_3, FOOTBALL)
    ranked = rank_sentences(body, sentences)
    # RATES_1/RATES_2 share 5 words with each other and 3 with RATES_3; OSLO/FOOTBALL nothing.
    assert ranks(ranked) == [3, 0, 1, 2, 4]
    assert summary_text(body, ranked, n=2) == f"{RATES_1} {RATES_2}"
    assert summary_text(body, ranked, n=2) != f"{OSLO} {RATES_1}"


def test_hub_sentence_ranks_first_even_when_last() -> None:
    body, sentences = make(
        "Shipping costs through the canal doubled this spring.",
        "Drought has lowered water levels across the region.",
        "Farmers in the valley planted less maize than usual.",
        "Because drought lowered canal water levels, shipping costs doubled and farmers"
        " planted less maize.",
    )
    ranked = rank_sentences(body, sentences)
    assert ranks(ranked) == [1, 2, 3, 0]
    assert summary_text(body, ranked, n=1) == body[sentences[3].start :]


def test_shared_entities_change_the_ranking() -> None:
    body, sentences = make(
        OSLO,
        FOOTBALL,
        "The Seoul portal operator reported record profits in March.",
        "Analysts think Naver will expand its cloud business.",
    )
    assert ranks(rank_sentences(body, sentences)) == [0, 1, 2, 3]
    mentions = [
        mention(body, "The Seoul portal operator", "org:naver"),
        mention(body, "Naver", "org:naver"),
        # an entity mentioned in one sentence only adds no edge
        mention(body, "Oslo", "loc:oslo", "LOC"),
    ]
    assert ranks(rank_sentences(body, sentences, mentions)) == [2, 3, 0, 1]


def test_short_fragments_rank_last() -> None:
    body, sentences = make("Interest rates rose.", RATES_1, RATES_2, RATES_3, "Inflation too.")
    ranked = rank_sentences(body, sentences)
    assert ranks(ranked) == [3, 0, 1, 2, 4]
    assert "Interest rates rose." not in summary_text(body, ranked, n=3)


def test_no_sentences() -> None:
    assert rank_sentences("", []) == []
    assert summary_text("", []) == ""


def test_one_sentence() -> None:
    body, sentences = make(RATES_1)
    ranked = rank_sentences(body, sentences)
    assert ranked == [Sentence(start=0, end=len(RATES_1), rank=0)]
    assert summary_text(body, ranked, n=5) == RATES_1


def test_identical_sentences_rank_by_position() -> None:
    body, sentences = make(RATES_1, RATES_1, RATES_1, RATES_1)
    ranked = rank_sentences(body, sentences)
    assert ranks(ranked) == [0, 1, 2, 3]
    assert summary_text(body, ranked) == f"{RATES_1} {RATES_1}"


def test_sentences_without_content_words_rank_by_position() -> None:
    body, sentences = make("And so it was, and so it is.", "It is what it is now.", "They did.")
    assert ranks(rank_sentences(body, sentences)) == [0, 1, 2]


def test_same_order_and_offsets_ties_by_start_not_list_order() -> None:
    body, sentences = make(RATES_1, RATES_1, RATES_1)
    shuffled = [sentences[2], sentences[0], sentences[1]]
    ranked = rank_sentences(body, shuffled)
    assert [(s.start, s.end) for s in ranked] == [(s.start, s.end) for s in shuffled]
    assert ranks(ranked) == [2, 0, 1]


def test_ranks_are_a_deterministic_permutation() -> None:
    body, sentences = make(OSLO, RATES_1, FOOTBALL, RATES_2, RATES_3, "Yes.", OSLO)
    first = rank_sentences(body, sentences)
    assert {s.rank for s in first} == set(range(len(sentences)))
    assert rank_sentences(body, sentences) == first


# --- summary_text --------------------------------------------------------------------


def test_summary_n_larger_than_count_returns_all_in_document_order() -> None:
    body, sentences = make(OSLO, RATES_1, RATES_2)
    ranked = rank_sentences(body, sentences)
    assert summary_text(body, ranked, n=10) == f"{OSLO} {RATES_1} {RATES_2}"


def test_summary_n_zero_or_negative_is_empty() -> None:
    body, sentences = make(OSLO, RATES_1)
    ranked = rank_sentences(body, sentences)
    assert summary_text(body, ranked, n=0) == ""
    assert summary_text(body, ranked, n=-1) == ""


def test_summary_ignores_unranked_and_uses_document_order() -> None:
    body, sentences = make(OSLO, RATES_1, RATES_2, RATES_3)
    given = [
        sentences[3].model_copy(update={"rank": 0}),
        sentences[0].model_copy(update={"rank": 1}),
        sentences[1],  # rank None: never chosen
        sentences[2].model_copy(update={"rank": 2}),
    ]
    assert summary_text(body, given, n=2) == f"{OSLO} {RATES_3}"
    assert summary_text(body, given, n=9) == f"{OSLO} {RATES_2} {RATES_3}"
    assert summary_text(body, [sentences[0]], n=2) == ""


def test_summary_strips_sentence_whitespace() -> None:
    body, sentences = make(RATES_1, RATES_2, sep="\n\n")
    padded = [Sentence(start=s.start, end=s.end + 1, rank=i) for i, s in enumerate(sentences[:1])]
    padded.append(sentences[1].model_copy(update={"rank": 1}))
    assert summary_text(body, padded) == f"{RATES_1} {RATES_2}"
