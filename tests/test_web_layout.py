"""The dashboard's claim evidence fits its column on a 1,280-px desktop and a 390-px phone
(issue 18): Debian's Chromium through Playwright, screenshots in ``artifacts/``."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser import watched_page

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(),
                                reason="Chromium not installed at /usr/bin/chromium")

#: every box must end inside the claim section, and the page must not scroll sideways
GEOMETRY = """() => {
  const sec = document.querySelector('#claim').getBoundingClientRect();
  const boxes = Array.from(document.querySelectorAll('#claim-list .evidence-box'));
  const tables = Array.from(document.querySelectorAll('#claim-list table.evidence'));
  return {
    page: document.documentElement.scrollWidth, view: window.innerWidth,
    section: [sec.left, sec.right],
    boxes: boxes.map(b => { const r = b.getBoundingClientRect(); return [r.left, r.right]; }),
    rows: tables.map(t => t.tBodies[0] ? t.tBodies[0].rows.length : 0),
    wraps: tables.map(t => { const w = t.closest('.table-wrap');
                             return w ? getComputedStyle(w).overflowX : null; }),
  };
}"""


@pytest.mark.parametrize("width", [1280, 390])
def test_evidence_table_fits_its_column(live_server: str, browser, width: int) -> None:
    page, external, errors = watched_page(browser, live_server, width=width, height=900,
                                          timeout_ms=90_000)
    claim = "USA closer to RUS than to FRA in 2020"
    page.goto(live_server + "/?claim=" + claim.replace(" ", "+") + "#claim")
    page.wait_for_selector("body[data-ready='1']")
    page.click("#claim-submit")
    page.wait_for_selector("#claim-list table.evidence tbody tr", timeout=90_000)
    g = page.evaluate(GEOMETRY)
    ARTIFACTS.mkdir(exist_ok=True)
    page.locator("#claim").screenshot(path=str(ARTIFACTS / f"web_evidence_{width}.png"))
    assert g["page"] <= g["view"], g  # no sideways scrolling of the whole page
    left, right = g["section"]
    assert g["boxes"] and all(lo >= left - 1 and hi <= right + 1 for lo, hi in g["boxes"]), g
    assert all(n > 0 for n in g["rows"]), g
    # a table wider than the column scrolls inside its own box
    assert all(w in ("auto", "scroll") for w in g["wraps"]), g
    assert errors == [] and external == []
    page.close()
