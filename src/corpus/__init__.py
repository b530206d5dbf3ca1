"""corpus: turn folders of raw news-article text into a searchable, entity-tagged corpus."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("corpus")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0"
