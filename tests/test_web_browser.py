"""The dashboard in a real browser: Playwright driving Debian's Chromium against
``comity serve`` started by the test on 127.0.0.1 (full real store).

Installed by ``.ci/run`` (``apt-get install chromium``, ``pip install playwright``); the test
never downloads a browser (no ``playwright install``) and skips when /usr/bin/chromium is
missing. The screenshot goes to ``artifacts/web_dashboard.png``.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from tests.browser import watched_page

CHROMIUM = Path("/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "artifacts"

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(),
                                reason="Chromium not installed at /usr/bin/chromium "
                                "(apt-get install chromium)")


@pytest.fixture(scope="module")
def server(live_server: str) -> str:
    return live_server


def test_dashboard_alignment_claim_and_screenshot(server: str, browser) -> None:
    import httpx

    info = httpx.get(server + "/api/info").json()
    latest = int(next(b for b in info["bodies"] if b["body"] == "GA")["last"][:4])

    page, external, errors = watched_page(browser, server, width=1280,
                                          height=1000, timeout_ms=60_000)
    page.goto(server + "/")
    page.wait_for_selector("body[data-ready='1']")
    page.wait_for_selector("#alignment-table tbody tr")

    # every control has a label (accessibility)
    unlabeled = page.evaluate("""() => Array.from(document.querySelectorAll('input, select'))
        .filter(e => e.type !== 'hidden' && !(e.labels && e.labels.length)
                     && !e.getAttribute('aria-label'))
        .map(e => e.id)""")
    assert unlabeled == []

    # choose USA / RUS / EU and 2015 - latest, with the keyboard where a user would
    page.fill("#a", "USA")
    while page.locator("#b-list button").count():
        page.locator("#b-list button").first.click()
    for party in ("RUS", "EU"):
        page.fill("#b-input", party)
        page.press("#b-input", "Enter")
    assert page.locator("#b-list li").count() == 2
    page.select_option("#bootstrap", "200")
    page.fill("#from", "2015")
    page.fill("#to", str(latest))
    page.press("#to", "Enter")  # submits the form
    page.wait_for_function(
        "() => { const r = document.querySelector('#alignment-table tbody tr');"
        " return r && r.dataset.period === '2015'; }")
    page.wait_for_selector("#alignment-chart svg .mark-line path")

    # the chart: one line per pair
    assert page.locator("#alignment-chart svg .mark-line path").count() >= 2
    assert page.locator("#alignment-chart svg .mark-area path").count() >= 2  # CI bands

    # the table's numbers are the API's
    params = [("a", "USA"), ("b", "RUS"), ("b", "EU"), ("from", "2015"), ("to", str(latest)),
              ("body", "GA"), ("measure", "agreement"), ("bootstrap", "200"), ("seed", "0")]
    api = httpx.get(server + "/api/alignment", params=params, timeout=60).json()
    cells = page.eval_on_selector_all(
        "#alignment-table tbody tr",
        "rows => rows.map(r => Array.from(r.cells).map(c => c.textContent))")
    assert len(cells) == len(api["rows"]) > 0

    def f(v: float | None) -> str:
        return "–" if v is None else f"{v:.3f}"

    for got, want in zip(cells, api["rows"], strict=True):
        assert got[0] == str(want["period"])
        assert got[1] == f"{want['state_a']}–{want['state_b']}"
        assert got[2:6] == [f(want["value"]), f(want["lo"]), f(want["hi"]), str(want["n"])]
    assert {w["state_b"] for w in api["rows"]} == {"RUS", "eu"}

    # the page state is in the URL: a shared link reproduces the view
    url = page.url
    assert "a=USA" in url and "b=RUS" in url and "b=EU" in url and "from=2015" in url
    other = browser.new_page()
    other.set_default_timeout(60_000)
    other.goto(url)
    other.wait_for_function(
        "() => { const r = document.querySelector('#alignment-table tbody tr');"
        " return r && r.dataset.period === '2015'; }")
    assert other.input_value("#from") == "2015"
    chips = [t.replace("×", "").strip() for t in other.locator("#b-list li").all_inner_texts()]
    assert chips == ["RUS", "EU"]
    other.close()

    # the matrix heat map and the provenance footer
    page.wait_for_selector("#matrix-chart svg .mark-rect path, #matrix-chart canvas")
    footer = page.inner_text("#provenance")
    assert "recorded votes" in footer and info["ingests"][0]["sha256"][:16] in \
        page.inner_html("#provenance")

    # a claim: verdict and evidence (when the claims module is installed)
    if importlib.util.find_spec("comity.claims.evaluation") is not None:
        text = "USA closer to RUS than to EU in 2025"
        page.fill("#claim-text", text)
        page.click("#claim-submit")
        page.wait_for_selector("#claim-result:not([hidden])")
        verdict = page.inner_text("#claim-verdict")
        want = httpx.post(server + "/api/claims", json={"text": text, "seed": 0},
                          timeout=120).json()
        assert verdict == want["verdict"]
        assert verdict in {"supported", "contradicted", "inconclusive", "insufficient data"}
        n_rows = page.locator("#claim-evidence tbody tr").count()
        assert n_rows == len(want["evidence"]) > 0
        links = page.eval_on_selector_all("#claim-evidence tbody a",
                                          "as => as.map(a => a.href)")
        assert links and all(u.startswith("https://") for u in links)
        assert "Effect" in page.inner_text("#claim-effect")
        page.locator("#claim").scroll_into_view_if_needed()

    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "web_dashboard.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000
    assert external == [], f"the page loaded assets from elsewhere: {external}"
    assert errors == [], errors
    page.close()
