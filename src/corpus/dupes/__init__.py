"""Near-duplicates: the same story republished (a new headline, a dateline, an update, a cut).

Each article's body gets a MinHash signature of its word 5-shingles at ingest
(`signatures.py`); its LSH band keys go to an indexed table, and so do its marks (the shingles
of one value range, a sample of one in 2**MARK_BITS), so that the candidates of a new article
are index lookups (`index.py`): sharing a band finds articles of a similar Jaccard similarity,
sharing marks finds a copy cut to a fraction of its original. Candidates whose estimated
similarity reaches PAIR_FLOOR, or whose shorter article lies almost whole in the longer
(checked exactly on their shingles), are stored as pairs, and pairs at the threshold or
CONTAINED join articles into clusters with a representative, kept in the same transaction as
the articles (`clusters.py`). Reads (`corpus dupes`, `show`, `--dedupe`) use plain SQL and
never import numpy (`queries.py`).
"""

from __future__ import annotations

SHINGLE_WORDS = 5
NUM_PERM = 128
# 40 bands of 3 rows: a pair at similarity s shares a band with probability 1 - (1 - s^3)^40,
# 0.9993 at the threshold, 0.93 at the floor, 0.04 at 0.1 (two stories on one topic).
BAND_ROWS = 3
BANDS = 40
# Pairs are stored from this estimated similarity up, so that `dupes --threshold` can go as low.
PAIR_FLOOR = 0.4
# A copy that lost a paragraph or more (BBC paragraphs are blocks: a cut can take most of a
# story) keeps its similarity low; it joins still when this share of the shorter article's
# shingles, exactly, is in the longer (BBC: a version measures 0.94, different stories sharing
# quotes up to 0.68), and they share CONTAINED_SHINGLES or more (one short sentence is no copy).
CONTAINED = 0.8
CONTAINED_SHINGLES = 10
# Marks: the shingles whose 64-bit hash has its top MARK_BITS bits zero (one in 8, 48 for a
# BBC story). What an article holds of another's shingles it holds of its marks, so a cut copy
# shares its few marks with the original; a pair is checked exactly when they share at least
# MARKS_SHARED of the fewer marks.
MARK_BITS = 3
MARKS_SHARED = 0.5
# The stored clusters' threshold, chosen on BBC News (benchmarks/bench_dupes.py): versions of one
# story measure 0.56 and up, two stories sharing quotes up to 0.47.
DEFAULT_THRESHOLD = 0.55
# The version of the signature scheme (the words, shingles, hash functions, bands and marks of
# `signatures.py`): each signature stores a digest of it and of the body it was computed from,
# which `corpus check` compares instead of signing every body again. Any change to what a body
# signs to bumps it, with a migration that signs every article again.
SCHEME = 1
