"""Characters that must never reach a terminal raw, and their visible escapes.

Article text and file names are data: control characters (ESC starts colour and cursor
sequences; C1 0x9b is a one-byte CSI) and bidirectional overrides are shown as escapes.
"""

from __future__ import annotations

import re

_UNSAFE_BEYOND_C0 = "\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069"
# C0 controls except newline and tab, which text needs for its layout.
UNSAFE_IN_TEXT = re.compile(f"[\x00-\x08\x0b-\x1f{_UNSAFE_BEYOND_C0}]")
UNSAFE_IN_LINE = re.compile(f"[\x00-\x1f{_UNSAFE_BEYOND_C0}]")
# JSON escapes C0 itself, when it is not asked to keep non-ASCII raw.
UNSAFE_IN_JSON = re.compile(f"[{_UNSAFE_BEYOND_C0}]")


def python_escape(char: str) -> str:
    return char.encode("unicode_escape").decode("ascii")


def json_escape(char: str) -> str:
    return f"\\u{ord(char):04x}"


def escape(text: str, unsafe: re.Pattern[str] = UNSAFE_IN_TEXT, as_json: bool = False) -> str:
    """`text` with every `unsafe` character replaced by its visible escape."""
    replace = json_escape if as_json else python_escape
    return unsafe.sub(lambda match: replace(match.group()), text)
