"""``GET /api/compare`` and the Compare page.

The API on the mini store (``mini_db``): the keys of ``comity compare --json``, the same numbers
as :func:`comity.analysis.comparison.compare`, CSV of the divergent votes, the bounds (80 years,
5,000 draws), errors, the cache. Then the page in Debian's Chromium driven by Playwright
against ``comity serve`` on the full real store (``live_server``): the heat map, the trend and
the tables render, the tables hold the API's rows, a click on a column heading sorts; the
screenshot goes to ``artifacts/web_compare.png``.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pandas as pd
import pytest

from tests.browser import watched_page

pytest.importorskip("fastapi")
pytest.importorskip("httpx")

from fastapi.testclient import TestClient

from comity.analysis.comparison import compare
from comity.web import create_app

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "artifacts"
CHROMIUM = Path("/usr/bin/chromium")

KEYS = {"query", "parties", "measure", "overall", "trend", "matrix", "matrix_by_year",
        "topics", "divergent_total", "divergent", "shared_minority_total", "shared_minority",
        "cosponsorship"}


@pytest.fixture(scope="module")
def client(mini_db: Path):
    with TestClient(create_app(mini_db)) as c:
        yield c


def _get(client, **params):
    return client.get("/api/compare", params=params)


def test_json_keys_and_numbers_are_the_analysis(client, mini_db: Path) -> None:
    r = _get(client, a="USA", b="RUS", **{"from": "1980"}, to="2025", min_votes=1,
             bootstrap=50, seed=2, topic=["test"])
    assert r.status_code == 200, r.text
    assert "NaN" not in r.text
    got = r.json()
    assert set(got) == KEYS
    want = compare("USA", "RUS", start="1980", end="2025", min_votes=1, bootstrap=50, seed=2,
                   topics=["test"], store=mini_db).to_dict()
    assert got == json.loads(json.dumps(want))
    assert got["query"]["start"] == "1980-01-01" and got["query"]["topics"][-1] == "test"
    assert got["divergent"][0]["link"].startswith("https://")


def test_csv_is_every_divergent_vote(client) -> None:
    r = _get(client, a="USA", b="RUS", **{"from": "1980"}, min_votes=1, bootstrap=0, top=1,
             format="csv")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/csv")
    assert "divergent_USA_RUS.csv" in r.headers["content-disposition"]
    table = pd.read_csv(io.StringIO(r.text))
    js = _get(client, a="USA", b="RUS", **{"from": "1980"}, min_votes=1, bootstrap=0,
              top=1).json()
    assert len(js["divergent"]) == 1
    assert len(table) == js["divergent_total"] >= 2
    assert list(table.columns) == ["rank", "rid", "date", "symbol", "title", "vote_a", "vote_b",
                                   "distance", "kind", "yes", "abstain", "no", "tally",
                                   "contestedness", "link"]


def test_bounds_and_errors(client) -> None:
    assert _get(client, a="USA", b="RUS", bootstrap=5001).status_code == 422
    r = _get(client, a="USA", b="RUS", **{"from": "1946"}, to="2030")
    assert r.status_code == 422 and "80" in r.json()["detail"]
    assert _get(client, a="USA", b="RUS", **{"from": "1946"}, to="2025",
                bootstrap=0).status_code == 200  # 80 years
    r = _get(client, a="USA", b="Atlantis")
    assert r.status_code == 404 and "Atlantis" in r.json()["detail"]
    assert _get(client, a="USA", b="RUS", measure="nonsense").status_code == 422
    assert _get(client, a="USA", b="USA").status_code == 422
    assert _get(client, a="USA", b="RUS", **{"from": "2015-13"}).status_code == 422
    assert _get(client, a="USA", b="RUS", topic=[f"t{i}" for i in range(11)]).status_code == 422
    r = _get(client, a="USA", b="RUS", to="2025", min_votes=1, bootstrap=0)
    assert r.json()["query"]["start"] == "1946-01-01"  # without from: 80 years up to `to`


def test_cached_and_top_shares_one_computation(client) -> None:
    ctx = client.app.state.ctx
    before = len(ctx.results)
    a = _get(client, a="USA", b="CAN", min_votes=1, bootstrap=20, top=1)
    b = _get(client, a="USA", b="CAN", min_votes=1, bootstrap=20, top=2)
    assert a.status_code == b.status_code == 200
    assert len(ctx.results) == before + 1  # one result for both values of top
    assert a.json()["overall"] == b.json()["overall"]
    again = _get(client, a="USA", b="CAN", min_votes=1, bootstrap=20, top=1)
    assert again.content == a.content


def test_page_and_schema(client) -> None:
    r = client.get("/compare?a=USA&b=RUS&from=2015")
    assert r.status_code == 200 and "compare.js" in r.text
    assert "script-src 'self'" in r.headers["content-security-policy"]
    assert client.get("/static/compare.js").status_code == 200
    schema = client.get("/openapi.json").json()
    assert "/api/compare" in schema["paths"]
    assert "/compare" not in schema["paths"]


# ----------------------------------------------------------------------------- the browser

def _column(page, table: str, index: int) -> list[str]:
    return page.eval_on_selector_all(
        f"#{table} tbody tr", f"rows => rows.map(r => r.cells[{index}].textContent)")


def test_compare_page_in_chromium(live_server: str, browser) -> None:
    import httpx

    page, external, errors = watched_page(browser, live_server, width=1280, height=1000,
                                          timeout_ms=60_000)
    page.goto(live_server + "/compare?a=USA&b=RUS&from=2015")
    page.wait_for_selector("body[data-loaded='1']")

    # the charts: a 3 x 3 heat map, the trend with its band, the topic bars
    page.wait_for_selector("#matrix-chart svg .mark-rect path")
    assert page.locator("#matrix-chart svg .mark-rect path").count() == 9
    assert page.locator("#trend-chart svg .mark-line path").count() == 1
    assert page.locator("#trend-chart svg .mark-area path").count() == 1
    assert page.locator("#topics-chart svg .mark-rect path").count() >= 6

    # the tables hold the API's rows, each symbol linked to the official record
    to = page.input_value("#to")
    api = httpx.get(live_server + "/api/compare", timeout=120, params={
        "a": "USA", "b": "RUS", "from": "2015", "to": to, "body": "GA",
        "measure": "agreement", "bootstrap": "1000", "top": "100", "seed": "0"}).json()
    assert page.locator("#divergent-table tbody tr").count() == len(api["divergent"]) > 10
    assert _column(page, "divergent-table", 0) == [str(r["rank"]) for r in api["divergent"]]
    assert _column(page, "divergent-table", 2) == [r["symbol"] or r["rid"]
                                                   for r in api["divergent"]]
    links = page.eval_on_selector_all("#divergent-table tbody a", "as => as.map(a => a.href)")
    assert links == [r["link"] for r in api["divergent"]]
    assert page.locator("#shared-table tbody tr").count() == len(api["shared_minority"]) > 0
    assert page.inner_text("#divergent-a").startswith("USA")

    # a click on a heading sorts the table (ascending, then descending)
    page.click("#divergent-table th[data-key='contestedness'] button")
    assert page.get_attribute("#divergent-table th[data-key='contestedness']",
                              "aria-sort") == "ascending"
    values = [float(x) for x in _column(page, "divergent-table", 9)]
    assert values == sorted(values) and values != [float(f"{r['contestedness']:.2f}")
                                                   for r in api["divergent"]]
    page.click("#divergent-table th[data-key='contestedness'] button")
    values = [float(x) for x in _column(page, "divergent-table", 9)]
    assert values == sorted(values, reverse=True)
    page.click("#divergent-table th[data-key='date'] button")
    dates = _column(page, "divergent-table", 1)
    assert dates == sorted(dates)

    # one year's matrix; the page state is in the URL
    page.select_option("#matrix-year", "2022")
    page.wait_for_function("() => document.querySelector('#matrix-note').textContent"
                           ".includes('in 2022')")
    assert "year=2022" in page.url and "a=USA" in page.url and "from=2015" in page.url
    n22 = next(y for y in api["matrix_by_year"] if y["year"] == 2022)["n"]
    assert f"{n22} votes both cast in 2022" in page.inner_text("#matrix-note")

    page.locator("#positions").scroll_into_view_if_needed()
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "web_compare.png"
    page.screenshot(path=str(shot), full_page=False)
    assert shot.stat().st_size > 10_000
    assert external == [], f"the page loaded assets from elsewhere: {external}"
    assert errors == [], errors
    page.close()
