"""Conventions of real-world news text, one module each, composed by `corpus.loader.plaintext`.

`headers` (metadata at the top of a file), `bylines`, `paragraphs` (hard-wrapped lines),
`datelines`, `signoffs` (end matter), `discovery` (files that are not articles). Each takes
lines or a paragraph and returns what it found plus the text without it.
"""
