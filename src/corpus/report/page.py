"""The report as one HTML file: the page template, its style and scripts inlined, the data
embedded as JSON, and a Content-Security-Policy that lets the page run only its own scripts
and fetch nothing."""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
from importlib import resources
from typing import Any

VENDOR = ("vendor/chart.umd.min.js", "vendor/cytoscape.min.js", "vendor/minisearch.umd.js")
_PLACEHOLDER = re.compile(r"\{\{(csp|title|style|data|scripts)\}\}")
_SOURCE_MAP = re.compile(r"^//# sourceMappingURL=.*$", re.MULTILINE)
# In JSON inside <script>, "</script>" or "<!--" from an article would end or bend the element;
# U+2028/2029 are line breaks to older JavaScript parsers. All become \u escapes.
_SCRIPT_UNSAFE = (
    ("<", "\\u003c"),
    (">", "\\u003e"),
    ("&", "\\u0026"),
    ("\u2028", "\\u2028"),
    ("\u2029", "\\u2029"),
)


def asset(name: str) -> str:
    return (resources.files("corpus.report") / "assets" / name).read_text(encoding="utf-8")


def script_json(data: Any) -> str:
    """`data` as JSON that can sit inside a <script> element whatever its strings hold."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    for char, escaped in _SCRIPT_UNSAFE:  # str.replace: far faster than translate on megabytes
        text = text.replace(char, escaped)
    return text


def csp_hash(text: str) -> str:
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


def content_security_policy(scripts: list[str], styles: list[str]) -> str:
    """Nothing may load, connect, frame or submit; only these inline scripts and styles run."""
    return "; ".join(
        [
            "default-src 'none'",
            "script-src " + " ".join(csp_hash(s) for s in scripts),
            "style-src " + " ".join(csp_hash(s) for s in styles),
            "img-src data:",
            "base-uri 'none'",
            "form-action 'none'",
        ]
    )


def render_page(data: Any, title: str) -> str:
    style = asset("report.css")
    scripts = [_SOURCE_MAP.sub("", asset(name)) for name in VENDOR] + [asset("report.js")]
    for script in scripts:
        if "</script" in script.lower() or "<!--" in script:
            raise ValueError("an inlined script would end its <script> element early")
    values = {
        "csp": html.escape(content_security_policy(scripts, [style])),
        "title": html.escape(title),
        "style": style,
        "data": script_json(data),
        "scripts": "\n".join(f"<script>{script}</script>" for script in scripts),
    }
    # One pass: what a value holds is never read as a placeholder.
    return _PLACEHOLDER.sub(lambda match: values[match[1]], asset("page.html"))
