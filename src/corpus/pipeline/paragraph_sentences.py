"""Component `corpus_paragraph_sentences`: a line break always ends a sentence."""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc


@Language.factory("corpus_paragraph_sentences", default_config={})
def make_paragraph_sentences(nlp: Language, name: str) -> ParagraphSentences:
    return ParagraphSentences()


class ParagraphSentences:
    """Starts a sentence after every line break, which the senter alone does not always do.

    It runs after `ner` so that the statistical entities stay exactly the bare model's.
    """

    def __call__(self, doc: Doc) -> Doc:
        text = doc.text
        position = text.find("\n")
        while position != -1:
            token = doc.char_span(position, position + 1, alignment_mode="expand")
            if token is not None and token.end < len(doc) and not doc[token.end].is_space:
                doc[token.end].is_sent_start = True
            position = text.find("\n", position + 1)
        return doc
