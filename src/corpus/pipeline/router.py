"""The Router: one tagger per language pipeline, each built on first use.

English articles (and undetermined ones) go to the English model's pipeline, Japanese to GiNZA's
(or to the rules, without the `ja` extra), Korean and every other language to the gazetteer's
rules; see `tagging.pipeline_of`. The English model never tags text in another language. A batch
is split by pipeline and put back in input order.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Protocol

from corpus.models import Article, Entity, Mention, Sentence, TaggedArticle
from corpus.tagging import Fingerprints, japanese_model_installed, pipeline_of


class LanguageTagger(Protocol):
    fingerprint: str

    def tag(
        self, articles: Iterable[Article], *, batch_size: int = 64
    ) -> Iterator[TaggedArticle]: ...


class Router:
    """Tags each article with its language's pipeline."""

    def __init__(self, model: str, gazetteers: Sequence[Path]) -> None:
        self.model = model
        self.gazetteers = list(gazetteers)
        self.fingerprints = Fingerprints.of_pipelines(model, self.gazetteers)
        self._taggers: dict[str, LanguageTagger] = {}

    def tagger(self, pipeline: str) -> LanguageTagger:
        if (tagger := self._taggers.get(pipeline)) is None:
            tagger = self._taggers[pipeline] = self._build(pipeline)
        return tagger

    def _build(self, pipeline: str) -> LanguageTagger:
        from corpus.pipeline.rules import RulesTagger
        from corpus.pipeline.tagger import load_japanese_tagger, load_tagger

        fingerprint = self.fingerprints.by_pipeline[pipeline]
        if pipeline == "en":
            tagger: LanguageTagger = load_tagger(self.model, self.gazetteers)
        elif pipeline == "ja" and japanese_model_installed():
            tagger = load_japanese_tagger(self.gazetteers)
        else:
            tagger = RulesTagger(self.gazetteers, fingerprint)
        assert tagger.fingerprint == fingerprint, (pipeline, tagger.fingerprint, fingerprint)
        return tagger

    def load_for(self, articles: Iterable[Article]) -> None:
        """Build the taggers these articles need (before forking workers that will share them)."""
        for pipeline in dict.fromkeys(pipeline_of(a.lang) for a in articles):
            self.tagger(pipeline)

    def tag(self, articles: Iterable[Article], *, batch_size: int = 64) -> Iterator[TaggedArticle]:
        """Tag in input order; each batch is split by pipeline."""
        from corpus.tagging import text_batches

        for batch in text_batches(articles, batch_size):
            groups: dict[str, list[int]] = {}
            for index, article in enumerate(batch):
                groups.setdefault(pipeline_of(article.lang), []).append(index)
            tagged: dict[int, TaggedArticle] = {}
            for pipeline, indices in groups.items():
                results = self.tagger(pipeline).tag(
                    [batch[i] for i in indices], batch_size=len(indices)
                )
                tagged.update(zip(indices, results, strict=True))
            yield from (tagged[i] for i in range(len(batch)))

    def tag_text(
        self, text: str, lang: str | None = None
    ) -> tuple[list[Mention], list[Entity], list[Sentence]]:
        """Tag one text (its language detected when not given), as `corpus tag` does."""
        if lang is None:
            from corpus.languages import detect_language

            lang = detect_language(text)
        [tagged] = self.tagger(pipeline_of(lang)).tag([Article(body=text, path="", lang=lang)])
        return tagged.mentions, tagged.entities, tagged.sentences
