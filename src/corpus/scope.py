"""Which articles a read takes: one language, a date range, each near-duplicate cluster once.

Every read command and the report take one `Scope`; `Scope.condition` is the one SQL form of
it, so that a filter means the same in every command.
"""

from __future__ import annotations

from dataclasses import dataclass

from corpus.dupes.queries import not_a_copy

ISO_DATE = "[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]*"
_IN_LANG = (
    "SELECT a.id FROM articles a, (SELECT ? AS lang, ? AS since, ? AS until) p "
    "WHERE (p.lang IS NULL OR a.lang = p.lang)"
)
_IN_RANGE = (
    " AND (p.since IS NULL OR substr(a.date, 1, 10) >= p.since)"
    f" AND (p.until IS NULL OR substr(a.date, 1, 10) <= p.until) AND a.date GLOB '{ISO_DATE}'"
)


@dataclass(frozen=True)
class Scope:
    """Articles in language `lang` (ISO 639-1), dated from `since` to `until` (ISO days,
    inclusive) and, with `dedupe`, no near-duplicate cluster's member but its representative
    (so that each cluster counts once). The default scope is every article.

    A date range leaves out undated articles and those dated without a year ("Apr 10")."""

    lang: str | None = None
    since: str | None = None
    until: str | None = None
    dedupe: bool = False

    @property
    def everything(self) -> bool:
        """No filter: what the aggregate counts of the whole store answer."""
        return self == EVERYTHING

    @property
    def dated(self) -> bool:
        return self.since is not None or self.until is not None

    def condition(self, column: str) -> tuple[str, list[str | None]]:
        """SQL condition (and its parameters, for three plain `?`s) that the article id in
        `column` is in scope; "1" and no parameters for every article."""
        if self.everything:
            return "1", []
        scope = _IN_LANG + _IN_RANGE if self.dated else _IN_LANG
        copies = f" AND {not_a_copy(column)}" if self.dedupe else ""
        return f"{column} IN ({scope}){copies}", [self.lang, self.since, self.until]


EVERYTHING = Scope()
