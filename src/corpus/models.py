"""Validated records that flow through the tool: files -> Article -> tagged Article -> store."""

from __future__ import annotations

import hashlib
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from corpus.wordcount import count_words

ArticleKind = Literal["article", "brief"]


def article_id(title: str | None, body: str) -> str:
    """First 12 hex digits of sha256 over the normalised title and body."""
    digest = hashlib.sha256(f"{title or ''}\n\n{body}".encode()).hexdigest()
    return digest[:12]


class Mention(BaseModel):
    """One entity mention: character offsets into the article body, and its canonical entity."""

    model_config = ConfigDict(frozen=True)

    text: str
    label: str
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    entity: str  # canonical entity id, e.g. "line" or "org:ministry of finance"


class Entity(BaseModel):
    """A canonical entity: what mentions point to."""

    model_config = ConfigDict(frozen=True)

    id: str
    name: str
    label: str
    kind: str | None = None
    country: str | None = None


class Sentence(BaseModel):
    """A sentence of the body (character offsets) and its summary rank (0 = most central)."""

    model_config = ConfigDict(frozen=True)

    start: int = Field(ge=0)
    end: int = Field(ge=0)
    rank: int | None = None


class Article(BaseModel):
    """One news item as parsed from a file; `id` is derived from title and body."""

    model_config = ConfigDict(frozen=True)

    id: str = ""
    kind: ArticleKind = "article"
    title: str | None = None
    source: str | None = None
    date: str | None = None
    rights: str | None = None
    author: str | None = None
    place: str | None = None  # a dateline's place: "TOKYO", "NAMIE, Japan"
    url: str | None = None
    lang: str | None = None  # ISO 639-1, when known
    body: str
    path: str
    position: int = Field(default=0, ge=0)
    encoding: str = "utf-8"
    raw: str = ""  # the exact text of this item as decoded from the file
    words: int = 0

    @model_validator(mode="after")
    def _derive(self) -> Article:
        expected = article_id(self.title, self.body)
        if self.id and self.id != expected:
            raise ValueError(f"id {self.id!r} does not match title and body ({expected})")
        object.__setattr__(self, "id", expected)
        object.__setattr__(self, "words", count_words(self.body))
        return self


class TaggedArticle(BaseModel):
    """An article with what the NLP pipeline found in its body."""

    model_config = ConfigDict(frozen=True)

    article: Article
    mentions: list[Mention] = []
    entities: list[Entity] = []
    sentences: list[Sentence] = []
    fingerprint: str = ""
    signature: bytes = b""  # MinHash of the body's shingles (corpus.dupes); b"": sign on store
    shingles: int = 0  # how many distinct shingles it was made of
