"""Errors of the tagging set-up that every command reports as one line; cheap to import."""


class ModelNotFound(Exception):
    """The spaCy model cannot be found or loaded; the message names it."""


class GazetteerError(Exception):
    """A gazetteer file cannot be used; the message names the file and the problem on one line."""
