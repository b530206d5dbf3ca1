"""The RulesTagger: text in a language with no statistical model here, tagged by rules alone.

Korean (no Korean NER model is on PyPI; kiwipiepy's proper-noun tags are not measured yet),
Japanese without the `ja` extra, and every language but English and
Japanese: gazetteer names, countries and governments found by character (`cjk.py`), sentences
by rule (`sentences.py`). No spaCy Doc is made: the rules read the text itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from corpus.canonical import Canonicaliser
from corpus.gazetteer import load_gazetteers
from corpus.models import Article, Entity, Mention, Sentence, TaggedArticle
from corpus.pipeline.cjk import CjkRules
from corpus.pipeline.sentences import sentence_spans
from corpus.pipeline.span_edges import span_bounds
from corpus.pipeline.tagger import EntityRecords


class RulesTagger:
    """Tags articles of one pipeline ("ko", "ja" without GiNZA, "xx") by the gazetteer's rules."""

    def __init__(self, gazetteers: Sequence[Path], fingerprint: str) -> None:
        self.gazetteer = load_gazetteers(list(gazetteers))
        self.canonical = Canonicaliser(self.gazetteer)
        self.rules = CjkRules(self.gazetteer, self.canonical)
        self.records = EntityRecords(self.canonical)
        self.fingerprint = fingerprint

    def tag(self, articles: Iterable[Article], *, batch_size: int = 64) -> Iterator[TaggedArticle]:
        for article in articles:
            mentions, entities, sentences = self.tag_text(article.body, article.lang)
            yield TaggedArticle(
                article=article,
                mentions=mentions,
                entities=entities,
                sentences=sentences,
                fingerprint=self.fingerprint,
            )

    def tag_text(
        self, text: str, lang: str | None = None
    ) -> tuple[list[Mention], list[Entity], list[Sentence]]:
        mentions: list[Mention] = []
        entities: dict[str, Entity] = {}
        for hit in self.rules.spans(text, lang):
            if (bounds := span_bounds(text, hit.start, hit.end)) is None:
                continue
            start, end = bounds
            entity = self.records.entity(hit.entity_id, text[start:end], hit.label)
            mentions.append(
                Mention(
                    text=text[start:end], label=hit.label, start=start, end=end, entity=entity.id
                )
            )
            entities.setdefault(entity.id, entity)
        sentences = [Sentence(start=a, end=b) for a, b in sentence_spans(text, lang)]
        return mentions, list(entities.values()), sentences
