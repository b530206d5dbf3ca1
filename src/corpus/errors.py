"""Errors that every command reports as one line (of the tagging set-up, of a lookup); cheap
to import."""


class ModelNotFound(Exception):
    """The spaCy model cannot be found or loaded; the message names it."""


class GazetteerError(Exception):
    """A gazetteer file cannot be used; the message names the file and the problem on one line."""


class NotFound(Exception):
    """An id, prefix or name that matches nothing, or more than one thing."""
