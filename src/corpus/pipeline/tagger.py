"""The Tagger: runs the pipeline over articles, extracts plain mention, entity, sentence records."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc

from corpus.canonical import Canonicaliser
from corpus.gazetteer import Gazetteer
from corpus.models import Article, Entity, Mention, Sentence, TaggedArticle
from corpus.pipeline.build import build_pipeline
from corpus.pipeline.gazetteer_rules import GazetteerRules
from corpus.pipeline.japanese import JapaneseRules, build_japanese
from corpus.pipeline.joining import joined_name
from corpus.tagging import fingerprint, text_batches

ENTITY_CACHE_SIZE = 100_000
RULE_COMPONENTS = ("corpus_gazetteer", "corpus_japanese")  # where a pipeline keeps its gazetteer


def load_tagger(model: str | None = None, gazetteers: Sequence[Path] = ()) -> Tagger:
    """A Tagger over `model` (see resolve_model_name) and the shipped gazetteer + `gazetteers`."""
    return Tagger(build_pipeline(model, gazetteers), fingerprint(model, gazetteers))


def load_japanese_tagger(gazetteers: Sequence[Path] = ()) -> Tagger:
    """A Tagger over GiNZA (the `ja` extra) and the gazetteers."""
    return Tagger(build_japanese(list(gazetteers)), fingerprint(None, gazetteers, "ja"))


class EntityRecords:
    """The canonical entity of each mention; cached, as news repeats the same names endlessly."""

    def __init__(self, canonical: Canonicaliser) -> None:
        self.canonical = canonical
        self._entities: dict[tuple[str, str, str], Entity] = {}

    def entity(self, kb_id: str, text: str, label: str) -> Entity:
        key = (kb_id, text, label)
        if (entity := self._entities.get(key)) is None:
            if len(self._entities) >= ENTITY_CACHE_SIZE:
                self._entities.clear()
            entity_id = kb_id or self.canonical.entity_id(text, label)
            entity = self._entities[key] = self.canonical.entity(entity_id, label, text)
        return entity


VOCABULARY_WARM_UP_ARTICLES = 1000  # see Tagger._vocabulary_zone


class Tagger:
    """Tags article bodies: mentions with canonical entities, entity records, and sentences."""

    def __init__(self, nlp: Language, fingerprint: str) -> None:
        self.nlp = nlp
        self.fingerprint = fingerprint  # tagging.fingerprint of the model and gazetteers
        rules = next((nlp.get_pipe(n) for n in RULE_COMPONENTS if n in nlp.pipe_names), None)
        if not isinstance(rules, GazetteerRules | JapaneseRules):
            raise TypeError(f"the pipeline has none of the components {RULE_COMPONENTS}")
        self.gazetteer: Gazetteer = rules.gazetteer
        self.canonical: Canonicaliser = rules.canonical
        self.records = EntityRecords(self.canonical)
        self.model_name = f"{nlp.meta.get('lang', 'xx')}_{nlp.meta.get('name', 'unknown')}"
        self.model_version = str(nlp.meta.get("version", "0"))
        self.warm_up_articles = VOCABULARY_WARM_UP_ARTICLES
        self._tagged_articles = 0

    def tag(self, articles: Iterable[Article], *, batch_size: int = 64) -> Iterator[TaggedArticle]:
        """Tag each article's body; streams, and yields in input order."""
        for batch in text_batches(articles, batch_size):
            with self._vocabulary_zone(len(batch)):
                docs = self.nlp.pipe([article.body for article in batch], batch_size=len(batch))
                tagged = [
                    self._tagged(article, doc) for article, doc in zip(batch, docs, strict=True)
                ]
            yield from tagged

    def tag_text(self, text: str) -> tuple[list[Mention], list[Entity], list[Sentence]]:
        with self._vocabulary_zone(1):
            return self.extract(self.nlp(text))

    def _vocabulary_zone(self, articles: int) -> AbstractContextManager[object]:
        """Where to tag the next `articles`: a spaCy memory zone once the warm-up is over.

        The words of the first `warm_up_articles` a process tags stay in spaCy's vocabulary and
        tokenizer cache: the common ones, which every later batch reuses. After that each batch
        runs in a memory zone, which frees the strings and lexemes its new words add, so memory
        stops growing with the corpus's vocabulary. spaCy does not cache tokenization inside a
        zone: zones from the first article cost ~5% of the speed on BBC News, after a warm-up of
        1,000 articles ~2%. Nothing of a Doc may outlive its zone: extraction copies plain data.
        """
        zone = self._tagged_articles >= self.warm_up_articles
        self._tagged_articles += articles
        return self.nlp.memory_zone() if zone else nullcontext()

    def _tagged(self, article: Article, doc: Doc) -> TaggedArticle:
        mentions, entities, sentences = self.extract(doc)
        return TaggedArticle(
            article=article,
            mentions=mentions,
            entities=entities,
            sentences=sentences,
            fingerprint=self.fingerprint,
        )

    def extract(self, doc: Doc) -> tuple[list[Mention], list[Entity], list[Sentence]]:
        """Mentions, their entities (first-seen order, no repeats) and sentences of a tagged doc."""
        mentions: list[Mention] = []
        entities: dict[str, Entity] = {}
        for ent in doc.ents:
            text, label = ent.text, ent.label_
            # A mention joined to a fuller one names its entity by the fuller one's text.
            entity = self.records.entity(ent.kb_id_, joined_name(doc, ent) or text, label)
            # Built without re-validation: every field comes typed from spaCy (a hot path).
            mentions.append(
                Mention.model_construct(
                    text=text, label=label, start=ent.start_char, end=ent.end_char, entity=entity.id
                )
            )
            entities.setdefault(entity.id, entity)
        return mentions, list(entities.values()), _sentences(doc)


def _sentences(doc: Doc) -> list[Sentence]:
    sentences: list[Sentence] = []
    for sent in doc.sents:
        text = sent.text
        stripped = text.strip()
        if stripped:
            start = sent.start_char + (len(text) - len(text.lstrip()))
            sentences.append(Sentence.model_construct(start=start, end=start + len(stripped)))
    return sentences
