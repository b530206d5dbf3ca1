"""Near-duplicates: the same story republished (a new headline, a dateline, an update, a cut).

Each article's body gets a MinHash signature of its word 5-shingles at ingest
(`signatures.py`); its LSH band keys go to an indexed table, so that the candidates of a new
article are an index lookup (`index.py`). Candidates whose estimated Jaccard similarity reaches
PAIR_FLOOR are stored as pairs, and pairs at the threshold (or with the shorter article
almost contained in the longer: a cut copy) join articles into clusters with a
representative, kept in the same transaction as the articles (`clusters.py`). Reads
(`corpus dupes`, `show`, `--dedupe`) use plain SQL and never import numpy (`queries.py`).
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
# A copy that lost a paragraph or more (a third of a short story) keeps its similarity low; it
# joins still when this much of the shorter is estimated to lie in the longer (at PAIR_FLOOR+).
CONTAINED = 0.9
# The stored clusters' threshold, chosen on BBC News (benchmarks/bench_dupes.py): versions of one
# story measure 0.56 and up, two stories sharing quotes up to 0.47.
DEFAULT_THRESHOLD = 0.55
