"""Shared by the browser tests: a page that records requests leaving the server and page
errors (the dashboard must work offline and without script errors)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu",
               "--disable-background-networking", "--disable-component-update"]


def watched_page(browser: Any, server: str, *, width: int = 1280, height: int = 1000,
                 timeout_ms: int = 60_000) -> tuple[Any, list[str], list[str]]:
    """A new page, the list of external requests it makes and the list of its errors."""
    page = browser.new_page(viewport={"width": width, "height": height})
    external: list[str] = []
    errors: list[str] = []
    page.on("request", lambda r: None if r.url.startswith((server, "data:", "blob:"))
            else external.append(r.url))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.set_default_timeout(timeout_ms)
    return page, external, errors
