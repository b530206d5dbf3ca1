"""Republished copies of a story, as outlets make them: a new headline and a dateline, typos,
the last paragraph cut, or one added. Shared by the tests and benchmarks/bench_dupes.py."""

from __future__ import annotations

import random

EDITS = ("headline", "dateline", "typos", "cut", "added")
DATELINES = ("LONDON (Wire) - ", "SEOUL, Jan 5 (Agency) - ", "TOKYO — ")


def split_story(text: str) -> tuple[str, list[str]]:
    """A BBC file's headline and paragraphs."""
    title, _, body = text.strip().partition("\n")
    return title.strip(), [p.strip() for p in body.split("\n\n") if p.strip()]


def republish(text: str, seed: int, edits: tuple[str, ...] = EDITS) -> str:
    """A copy of a story file with the given edits, made reproducibly from seed."""
    rng = random.Random(seed)
    title, paragraphs = split_story(text)
    if "headline" in edits:
        title = f"{rng.choice(('UPDATE', 'Exclusive', 'Analysis'))}: {title} ({seed})"
    if "cut" in edits and len(paragraphs) > 1:
        del paragraphs[-1]
    if "added" in edits:
        paragraphs.append(
            "This story was updated with reaction from the companies and officials involved, "
            f"edition {seed}; an earlier version was published yesterday."
        )
    if "typos" in edits:
        paragraphs = [_typos(p, rng) for p in paragraphs]
    if "dateline" in edits:
        paragraphs[0] = rng.choice(DATELINES) + paragraphs[0]
    return title + "\n\n" + "\n\n".join(paragraphs) + "\n"


def _typos(paragraph: str, rng: random.Random, every: int = 80) -> str:
    """Swap two letters of about one word in `every`."""
    words = paragraph.split(" ")
    for _ in range(max(1, len(words) // every)):
        i = rng.randrange(len(words))
        word = words[i]
        if len(word) > 3:
            j = rng.randrange(1, len(word) - 2)
            words[i] = word[:j] + word[j + 1] + word[j] + word[j + 2 :]
    return " ".join(words)
