"""What wire copy shares across conventions: agency names, and place names in capitals."""

from __future__ import annotations

import re

# Agencies seen in datelines and sign-offs; any other all-capitals initialism or a name ending
# in News, Press, Agency... is taken by pattern (see `looks_like_agency`).
AGENCIES = (
    "Reuters|Reuter|AP|AFP|Yonhap|Kyodo|Xinhua|Bernama|UPI|dpa|DPA|ANSA|EFE|PTI|IANS|TASS|Interfax"
    "|Anadolu|Antara|Jiji|Kyodo News|Yonhap News|Agence France-Presse|Associated Press|Bloomberg"
)
_AGENCY = re.compile(rf"^(?:{AGENCIES})$")
_AGENCY_SHAPE = re.compile(
    r"^(?:[A-Z]{2,6}|(?:The )?(?:[A-Z][\w'’&.-]*\s){0,4}"
    r"(?:News|Press|Agency|Wire|Newswire|Service|Telegraph|Times|Post|Herald))$"
)
_MONTH_AHEAD = r"(?!(?i:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.? \d)"
# A region after the place, as written: `Japan`, `Calif.`, `N.Y.`, `W.Va.`, `MINN.`, `Ontario`.
REGION = rf"(?:, {_MONTH_AHEAD}[A-Z][A-Za-z.'’-]*(?: {_MONTH_AHEAD}[A-Z][A-Za-z.'’-]*){{0,2}})"
# A place in capitals (`LOS ANGELES`, `ST. LOUIS`, `TOKYO/LONDON`), with an optional region.
CAPS_PLACE = rf"[A-Z][A-Z.'’-]*[A-Z.](?:[ /][A-Z][A-Z.'’-]*){{0,4}}{REGION}?"
# A place in title case (`Toronto`, `New York`): a dateline only when a date follows.
TITLE_PLACE = rf"[A-Z][a-z'’-]+(?: [A-Z][a-z'’-]+){{0,3}}{REGION}?"


def looks_like_agency(name: str) -> bool:
    name = name.strip()
    return bool(_AGENCY.match(name) or _AGENCY_SHAPE.match(name))


def agency_name(name: str) -> str:
    """The agency as usually written: the 1980s sign-off `Reuter` is Reuters."""
    name = name.strip()
    return "Reuters" if name.upper() in ("REUTER", "REUTERS") else name
