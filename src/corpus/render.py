"""Terminal output helpers: consoles that respect NO_COLOR and pipes, and text made safe to print.

Article text is data, never markup: it is always wrapped in `rich.text.Text` (which does not
parse `[bold]`), and control characters are shown as visible escapes so that a file cannot
move the cursor, change colours or retitle the terminal.
"""

from __future__ import annotations

from collections.abc import Iterable

from rich.console import Console
from rich.text import Text

from corpus.escapes import escape


def safe(text: str | None) -> str:
    """Replace control characters (except newline and tab) by visible escapes like \\x1b."""
    if not text:
        return ""
    return escape(text)


def literal(text: str | None, style: str = "") -> Text:
    return Text(safe(text), style=style)


def stdout_console() -> Console:
    return Console(highlight=False, soft_wrap=False)


def stderr_console() -> Console:
    return Console(stderr=True, highlight=False, soft_wrap=True)


def highlighted(text: str, spans: Iterable[tuple[int, int, str]], base: str = "") -> Text:
    """Text with [start, end) spans styled; the text is made safe piece by piece."""
    out = Text(style=base)
    position = 0
    for start, end, style in sorted(spans):
        if start < position or end > len(text):
            continue  # overlapping or out of range: leave the text plain there
        out.append(safe(text[position:start]))
        out.append(safe(text[start:end]), style=style)
        position = end
    out.append(safe(text[position:]))
    return out
