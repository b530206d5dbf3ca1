"""Files that lie beside articles but are not articles: README, LICENSE, CHANGES and the like.

Matched by name in any case and with any extension (`README.txt`, `license`, `Changes.md`).
"""

from __future__ import annotations

from pathlib import PurePath

from corpus.loader.formats import file_name

NOT_ARTICLES = frozenset(
    {"README", "LICENSE", "LICENCE", "CHANGES", "CHANGELOG", "COPYING", "NOTICE", "AUTHORS"}
)


def not_an_article(path: str | PurePath) -> str | None:
    """Why a file is not an article (`a README`), or None when it may be one."""
    stem = file_name(path).split(".", 1)[0].upper()
    return f"a {stem} file, not an article" if stem in NOT_ARTICLES else None
