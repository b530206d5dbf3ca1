"""Conventions of real-world news text, one module each, composed by `corpus.loader.plaintext`.

In the order they apply: `discovery` (files that are not articles), `headers` (metadata at the
top of a file), `bylines`, `paragraphs` (hard-wrapped lines), `signoffs` (end matter),
`datelines`; `wire` holds what datelines, bylines and sign-offs share (agencies, places). Each
takes lines or a paragraph and returns what it found plus the text without it.
"""
