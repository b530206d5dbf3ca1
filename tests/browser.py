"""A real headless Chromium for the HTML report's tests: Debian's `chromium`, driven by
Playwright's Python package over the DevTools protocol (Playwright's own browser downloads are
not used). A missing browser fails the tests, with the command that installs it."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
INSTALL = "apt-get install -y chromium (the README's test set-up does it)"


def chromium_path() -> str:
    """$CHROMIUM, else `chromium` (Debian) or `chromium-browser` on PATH; fails when none."""
    for candidate in (os.environ.get("CHROMIUM"), "chromium", "chromium-browser"):
        if candidate and (found := shutil.which(candidate)):
            return found
    pytest.fail(f"no Chromium for the browser tests: {INSTALL}")


@dataclass
class PageLog:
    """What a page did: console messages, uncaught errors, and every URL it requested."""

    console: list[tuple[str, str]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    def problems(self) -> list[str]:
        bad = [f"{kind}: {text}" for kind, text in self.console if kind in ("error", "warning")]
        return bad + [f"uncaught: {error}" for error in self.errors]


@contextmanager
def browser() -> Iterator[Any]:
    """A Playwright Browser running the system's Chromium with a fresh profile."""
    from playwright.sync_api import sync_playwright

    executable = chromium_path()
    with tempfile.TemporaryDirectory(prefix="chromium-") as profile, sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            profile,
            executable_path=executable,
            args=FLAGS,
            headless=True,
            viewport={"width": 1400, "height": 1000},
        )
        try:
            yield context
        finally:
            context.close()


def open_page(context: Any, path: Path, fragment: str = "") -> tuple[Any, PageLog]:
    """`path` opened from disk (file://), once the report says it has drawn."""
    page = context.new_page()
    log = PageLog()
    page.on("console", lambda message: log.console.append((message.type, message.text)))
    page.on("pageerror", lambda error: log.errors.append(str(error)))
    page.on("request", lambda request: log.requests.append(request.url))
    page.goto(path.resolve().as_uri() + fragment)
    page.wait_for_selector("html[data-ready=true]", state="attached", timeout=30_000)
    return page, log
