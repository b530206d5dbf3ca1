"""Entity tagging: a statistical spaCy model, fixed up, merged with gazetteer and government rules.

Pipeline (after `spacy.load` with everything but `senter` and `ner` excluded):

    senter -> ner -> corpus_ner_fixes -> corpus_span_edges -> corpus_gazetteer
        -> corpus_person_names -> corpus_acronyms -> corpus_paragraph_sentences

* `ner` runs untouched, so its entities away from the rules are exactly the bare model's.
* `corpus_ner_fixes` trims a trailing possessive off each statistical entity ("South Korea's" ->
  "South Korea") and cuts entities at datelines and line breaks ("Reuters - Apr" -> "Reuters").
* `corpus_span_edges` trims whitespace off every entity's edges and cuts it at its first line
  break (the Japanese pipeline runs it after GiNZA's ner too).
* `corpus_gazetteer` finds gazetteer names (PhraseMatcher) and governments (a country's adjective
  or possessive + government / ministry / authorities / embassy / administration, or + "Ministry of
  ..."), then overwrites: a rule span replaces every statistical entity it overlaps. This has the
  effect of an overwriting ruler placed before `ner`, but runs after it: the model's entities
  outside rule matches are then identical to the bare model's by construction, not by
  measurement, and a rule span can adopt the article the model put before a name ("the SoftBank
  Group"), which a preset entity would have cut off. GOV spans keep the country and a leading
  "the" ("Japan's Ministry of Internal Affairs and Communications", "the Chinese government");
  only a trailing possessive is ever trimmed.
* `corpus_person_names` and `corpus_acronyms` resolve within an article: a surname, a titled
  name, an acronym or a short ORG form joins the article's fuller name (its id and label, its own
  span); Korean names with a hyphenated given name become whole PERSON spans.
* `corpus_paragraph_sentences` starts a sentence after each line break.
"""

from __future__ import annotations

from corpus.errors import GazetteerError, ModelNotFound
from corpus.pipeline.build import EXCLUDED_COMPONENTS, build_pipeline
from corpus.pipeline.ner_fixes import fix_entity
from corpus.pipeline.tagger import Tagger, load_tagger
from corpus.tagging import MODEL_CANDIDATES, resolve_model_name

__all__ = [
    "DEFAULT_MODEL_CANDIDATES",
    "EXCLUDED_COMPONENTS",
    "GazetteerError",
    "ModelNotFound",
    "Tagger",
    "build_pipeline",
    "fix_entity",
    "load_tagger",
    "resolve_model_name",
]

DEFAULT_MODEL_CANDIDATES = MODEL_CANDIDATES
