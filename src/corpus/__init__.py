"""corpus: turn folders of raw news-article text into a searchable, entity-tagged corpus."""

from __future__ import annotations


def __getattr__(name: str) -> str:
    # Looked up on demand: reading package metadata costs start-up time every command would pay.
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            return version("corpus")
        except PackageNotFoundError:  # a source tree that is not installed
            return "0.0.0"
    raise AttributeError(f"module 'corpus' has no attribute {name!r}")
