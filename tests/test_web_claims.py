"""``POST /api/claims`` reading claims as people write them (``comity.claims.check.check``):
a template claim, a plain sentence, a whole article; the limits on the request (64 KiB for a
claim, 1,000,000 characters for an article, 1 MiB + 4 KiB of body, 50 claims evaluated per
request); errors that name the candidates and never echo more than a short excerpt; equality
with :func:`comity.claims.evaluation.evaluate`. Then the dashboard's claim box in Debian's
Chromium driven by Playwright (screenshots at 1280 and 390 px into ``artifacts/``).
Everything runs on the full real store (``full_store``)."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path

import pandas as pd
import pytest

from tests.browser import watched_page

pytest.importorskip("fastapi")
pytest.importorskip("httpx")
pytest.importorskip("comity.claims.check")

from fastapi.testclient import TestClient

from comity.claims.evaluation import evaluate
from comity.claims.reader import read_text
from comity.web import create_app
from comity.web.api_extra import EXCERPT, MAX_BODY, MAX_CLAIMS, OVER_LIMIT

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "artifacts"
CHROMIUM = Path("/usr/bin/chromium")

TEMPLATE = "USA closer to RUS than to EU in 2025"
SENTENCE = "In 2025 the US voted closer to Russia than to the EU"
READING = "USA closer to RUS than to EU, 2025, GA, measure agreement"
ARTICLE = ("In 2025 the US voted closer to Russia than to the EU. "
           "The weather in New York was mild. "
           "Russia was isolated in the General Assembly in 2022.")
ARTICLE_READINGS = [READING, "RUS isolated, 2022, GA, measure opposed"]
ARTICLE_SKIPPED = [{"sentence": "The weather in New York was mild.",
                    "why": "no parties: names no state or group"}]

RESULT_KEYS = {"claim", "sentence", "reading", "verdict", "headline", "verdicts_by_measure",
               "explanation", "measure_definition", "effect", "lo", "hi", "ci", "n", "measure",
               "period", "parties", "components", "counts", "robustness", "evidence", "query",
               "notes"}
ITEM_KEYS = {"sentence", "reading", "kind", "template", "parties", "period", "before", "issue",
             "topic", "verdict", "headline", "verdicts_by_measure", "effect", "lo", "hi", "ci",
             "n", "measure", "measure_definition", "explanation", "robustness", "evidence",
             "notes", "reader_notes"}
VERDICTS = {"supported", "contradicted", "inconclusive", "insufficient data", "ranking"}
HEADLINES = VERDICTS | {"measure-dependent"}


@pytest.fixture(scope="module")
def client(full_store):
    app = create_app(full_store.path)
    with TestClient(app) as c:
        yield c


def _post(client, body: dict, **params):
    r = client.post("/api/claims", json=body, params=params or None)
    if r.status_code == 503:
        pytest.skip(r.json()["detail"])
    return r


def _longest_echo(message: str, text: str) -> int:
    """Length of the longest run of ``message`` copied from ``text`` (a text of one repeated
    character is all that the tests need: the longest run of that character)."""
    ch = text[0]
    assert set(text) == {ch}
    best = run = 0
    for c in message:
        run = run + 1 if c == ch else 0
        best = max(best, run)
    return best


# ------------------------------------------------------------------------------ one claim
def test_template_claim(client) -> None:
    r = _post(client, {"text": TEMPLATE, "bootstrap": 200, "seed": 0})
    assert r.status_code == 200, r.text
    d = r.json()
    assert {"text", "sentence", "reading", "verdict", "headline", "measure", "effect", "lo",
            "hi", "n", "evidence", "result"} <= set(d)
    assert "claims" not in d
    assert d["text"] == TEMPLATE
    assert d["reading"] == READING == d["result"]["reading"]
    assert d["verdict"] in VERDICTS and d["headline"] in HEADLINES
    assert d["headline"] == d["result"]["headline"]
    assert set(d["result"]) >= RESULT_KEYS  # (comity.claims may add keys)
    assert d["evidence"] == d["result"]["evidence"] and d["evidence"]
    assert all(row["link"].startswith("https://") for row in d["evidence"])


def test_plain_sentence_is_one_claim(client) -> None:
    r = _post(client, {"text": SENTENCE, "bootstrap": 200, "seed": 0})
    assert r.status_code == 200, r.text
    d = r.json()
    assert "claims" not in d and d["reading"] == READING
    t = _post(client, {"text": TEMPLATE, "bootstrap": 200, "seed": 0}).json()
    # the same claim, so the same numbers
    assert (d["verdict"], d["effect"], d["lo"], d["hi"], d["n"]) == \
        (t["verdict"], t["effect"], t["lo"], t["hi"], t["n"])


@pytest.mark.parametrize("article", [False, True])
def test_three_sentences_are_an_article(client, article: bool) -> None:
    r = _post(client, {"text": ARTICLE, "bootstrap": 200, "seed": 0, "article": article})
    assert r.status_code == 200, r.text
    d = r.json()
    assert set(d) == {"claims", "skipped"}
    assert [c["reading"] for c in d["claims"]] == ARTICLE_READINGS
    assert [c["sentence"] for c in d["claims"]] == [
        "In 2025 the US voted closer to Russia than to the EU.",
        "Russia was isolated in the General Assembly in 2022."]
    assert d["skipped"] == ARTICLE_SKIPPED
    for c in d["claims"]:
        assert set(c) >= ITEM_KEYS
        assert c["verdict"] in VERDICTS and c["headline"] in HEADLINES
    first = d["claims"][0]
    assert first["kind"] == "closer" and first["period"] == {
        "start": "2025-01-01", "end": "2025-12-31", "label": "2025"}
    assert [p["code"] for p in first["parties"]] == ["USA", "RUS", "eu"]


def test_article_evidence_as_csv(client) -> None:
    body = {"text": ARTICLE, "bootstrap": 200, "seed": 0}
    d = _post(client, body).json()
    r = _post(client, body, format="csv")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert "attachment" in r.headers["content-disposition"]
    t = pd.read_csv(io.StringIO(r.text))
    assert list(t.columns[:2]) == ["claim", "sentence"]
    assert len(t) == sum(len(c["evidence"]) for c in d["claims"]) > 0
    for i, c in enumerate(d["claims"], start=1):
        part = t[t["claim"] == i]
        assert len(part) == len(c["evidence"])
        assert set(part["sentence"]) == {c["sentence"]}
        assert list(part["symbol"]) == [e["symbol"] for e in c["evidence"]]


def test_single_claim_evidence_as_csv(client) -> None:
    body = {"text": TEMPLATE, "bootstrap": 200, "seed": 0}
    d = _post(client, body).json()
    t = pd.read_csv(io.StringIO(_post(client, body, format="csv").text))
    assert list(t.columns) == list(d["evidence"][0])
    assert list(t["symbol"]) == [e["symbol"] for e in d["evidence"]]


# ------------------------------------------------------------------------------ equality
@pytest.mark.parametrize("seed,bootstrap", [(0, 200), (7, 300)])
def test_same_numbers_as_evaluate(client, full_store, seed: int, bootstrap: int) -> None:
    d = _post(client, {"text": TEMPLATE, "bootstrap": bootstrap, "seed": seed}).json()
    ref = evaluate(TEMPLATE, store=full_store, bootstrap=bootstrap, seed=seed)
    assert d["verdict"] == ref.verdict and d["headline"] == ref.headline
    assert d["effect"] == ref.effect and d["lo"] == ref.lo and d["hi"] == ref.hi
    assert d["n"] == ref.n

    art = _post(client, {"text": ARTICLE, "bootstrap": bootstrap, "seed": seed}).json()
    read = read_text(ARTICLE).claims
    assert len(read) == len(art["claims"]) == 2
    for rc, got in zip(read, art["claims"], strict=True):
        want = evaluate(rc.claim, store=full_store, bootstrap=bootstrap, seed=seed)
        assert got["verdict"] == want.verdict
        assert got["effect"] == want.effect or (got["effect"] is None
                                                and want.effect != want.effect)  # NaN
        assert got["n"] == want.n


def test_default_bootstrap_same_as_evaluate(client, full_store) -> None:
    d = _post(client, {"text": SENTENCE}).json()
    ref = evaluate(TEMPLATE, store=full_store, seed=0)
    assert (d["verdict"], d["effect"], d["lo"], d["hi"]) == (ref.verdict, ref.effect, ref.lo,
                                                             ref.hi)
    assert d["result"]["query"]["bootstrap"] == 2000


# ------------------------------------------------------------------------------ errors
@pytest.mark.parametrize("text,choices", [
    ("Korea has moved closer to Washington since 2022.", ["KOR", "PRK"]),
    ("NAM voted with China more often than with the US in 2024.", ["NAM", "bloc:nam"]),
])
def test_ambiguous_name_lists_candidates(client, text: str, choices: list[str]) -> None:
    r = _post(client, {"text": text, "bootstrap": 0})
    assert 400 <= r.status_code < 500, r.text
    d = r.json()
    assert "ambiguous" in d["detail"]
    assert sorted(d["candidates"]) == sorted(choices)
    for c in choices:
        assert c.removeprefix("bloc:") in d["detail"]


def test_ambiguous_sentence_in_an_article_is_skipped(client) -> None:
    text = "Korea has moved closer to Washington since 2022. " + ARTICLE
    d = _post(client, {"text": text, "bootstrap": 0}).json()
    assert [c["reading"] for c in d["claims"]] == ARTICLE_READINGS
    korea = [s for s in d["skipped"] if s["sentence"].startswith("Korea")]
    assert len(korea) == 1 and "KOR" in korea[0]["why"] and "PRK" in korea[0]["why"]


def test_unknown_state_is_named(client) -> None:
    r = _post(client, {"text": "Narnia closer to RUS than to EU in 2025"})
    assert r.status_code in (404, 422) and "Narnia" in r.json()["detail"]


def test_claim_over_64k_needs_article(client) -> None:
    text = "x" * 65_537
    r = _post(client, {"text": text})
    assert r.status_code == 422
    assert "65,536" in r.json()["detail"] and "article" in r.json()["detail"]
    assert len(r.content) < 1024 and _longest_echo(r.text, text) <= EXCERPT
    # the same length as an article is read (and holds no claim)
    r = _post(client, {"text": text, "article": True})
    assert r.status_code == 422 and _longest_echo(r.text, text) <= EXCERPT


def test_bad_claim_echoes_an_excerpt_only(client) -> None:
    text = "x" * 65_536  # within the limit: the grammar's error quotes the text
    r = _post(client, {"text": text})
    assert r.status_code == 422
    assert r.json()["error"] == "ClaimSyntaxError"
    assert _longest_echo(r.json()["detail"], text) <= EXCERPT
    assert len(r.content) < 4096


def test_article_over_the_limit(client) -> None:
    text = "x" * 1_000_001
    r = _post(client, {"text": text, "article": True})
    assert r.status_code in (413, 422)
    assert len(r.content) < 1024 and _longest_echo(r.text, text) <= EXCERPT


def test_body_over_the_limit_is_413(client) -> None:
    big = b'{"text": "' + b"x" * (MAX_BODY + 10) + b'", "article": true}'
    r = client.post("/api/claims", content=big, headers={"content-type": "application/json"})
    assert r.status_code == 413 and len(r.content) < 1024
    assert r.json()["error"] == "RequestTooLarge"


def test_large_body_is_not_read_whole(client) -> None:
    """Streamed without Content-Length, the body is refused as soon as it passes the limit:
    the app stops asking for chunks (driven as a raw ASGI call to count them)."""
    chunk = b"x" * 65_536
    total = 64  # 4 MiB
    asked = {"n": 0}
    sent: list[dict] = []

    async def receive() -> dict:
        asked["n"] += 1
        if asked["n"] == 1:
            return {"type": "http.request", "body": b'{"article": true, "text": "',
                    "more_body": True}
        return {"type": "http.request", "body": chunk, "more_body": asked["n"] <= total}

    async def send(message: dict) -> None:
        sent.append(message)

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
             "method": "POST", "scheme": "http", "path": "/api/claims",
             "raw_path": b"/api/claims", "query_string": b"", "root_path": "",
             "headers": [(b"host", b"testserver"), (b"content-type", b"application/json")],
             "client": ("127.0.0.1", 12345), "server": ("testserver", 80)}
    asyncio.run(client.app(scope, receive, send))
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    assert start["status"] == 413, body
    assert asked["n"] * len(chunk) <= MAX_BODY + 2 * len(chunk) < total * len(chunk)
    assert len(body) < 1024


@pytest.mark.parametrize("body,status", [
    ({}, 422), ({"text": ""}, 422), ({"text": TEMPLATE, "bootstrap": 5001}, 422),
    ({"text": TEMPLATE, "article": "yes"}, 422), ({"text": TEMPLATE, "extra": 1}, 422),
    ({"text": TEMPLATE, "body": "XX"}, 422),
])
def test_bad_fields_are_422(client, body: dict, status: int) -> None:
    r = client.post("/api/claims", json=body)
    assert r.status_code == status, r.text
    assert isinstance(r.json()["detail"], str)


def test_body_not_json(client) -> None:
    r = client.post("/api/claims", content=b'{"text": ', headers={"content-type":
                                                                   "application/json"})
    assert r.status_code == 400 and "JSON" in r.json()["detail"]
    r = client.post("/api/claims", content=b"text=USA", headers={
        "content-type": "application/x-www-form-urlencoded"})
    assert r.status_code == 415


# ------------------------------------------------------------------------------ limits, cache
@pytest.mark.slow
def test_at_most_50_claims_per_request(client) -> None:
    years = range(1960, 2025)  # 65 sentences, one claim each
    text = " ".join(f"The US voted closer to Russia than to France in {y}." for y in years)
    r = _post(client, {"text": text, "bootstrap": 0, "article": True})
    assert r.status_code == 200, r.text[:500]
    d = r.json()
    over = [s for s in d["skipped"] if s["why"] == OVER_LIMIT]
    assert OVER_LIMIT == "over the limit of 50 claims per request"
    assert len(d["claims"]) + len([s for s in d["skipped"] if s["why"] != OVER_LIMIT]) \
        == MAX_CLAIMS
    assert [s["sentence"] for s in over] == [
        f"The US voted closer to Russia than to France in {y}." for y in years[MAX_CLAIMS:]]
    # one sentence with many claims is bounded too
    one = ", and ".join(["USA closer to RUS than to EU in 2025"] * 60)
    d = _post(client, {"text": one, "bootstrap": 0}).json()
    assert len(d["claims"]) == MAX_CLAIMS
    assert [s["why"] for s in d["skipped"]] == [OVER_LIMIT] * 10


def test_results_are_cached(client) -> None:
    ctx = client.app.state.ctx
    body = {"text": ARTICLE, "bootstrap": 100, "seed": 3}
    first = _post(client, body)
    hits = ctx.results.hits
    second = _post(client, body)
    assert ctx.results.hits == hits + 1 and first.content == second.content
    # another field, another answer
    _post(client, {**body, "seed": 4})
    assert ctx.results.hits == hits + 1


def test_openapi_documents_both_answers(client) -> None:
    spec = client.get("/openapi.json").json()
    op = spec["paths"]["/api/claims"]["post"]
    req = op["requestBody"]["content"]["application/json"]["schema"]
    assert req["properties"]["text"]["maxLength"] == 1_000_000
    assert req["properties"]["article"]["type"] == "boolean"
    ok = op["responses"]["200"]["content"]["application/json"]["schema"]
    refs = {x["$ref"].rsplit("/", 1)[1] for x in ok["anyOf"]}
    assert refs == {"ClaimOut", "ArticleOut"}
    assert {"reading", "headline"} <= set(spec["components"]["schemas"]["ClaimOut"]
                                          ["properties"])
    assert set(spec["components"]["schemas"]["ArticleOut"]["properties"]) == {"claims",
                                                                              "skipped"}
    assert {"400", "413", "422"} <= set(op["responses"])


# ------------------------------------------------------------------------------ browser
BROWSER_ARTICLE = ("In 2025 the US voted closer to Russia than to the EU. "
                   "Since 2018, Saudi Arabia has moved closer to China. "
                   "The EU was more cohesive in 2024 than in 2014.")
BROWSER_READINGS = [
    READING,
    "SAU moved toward CHN, since 2018-01-01 compared with the window just before, GA, "
    "measure agreement",
    "EU more cohesive, 2024 than 2014, GA, measure cohesion",
]


def _no_overflow(page) -> None:
    sizes = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert sizes[0] <= sizes[1], f"the page is wider than the window: {sizes}"


@pytest.mark.slow
def test_dashboard_checks_an_article(live_server: str, browser) -> None:
    import httpx

    server = live_server
    want = httpx.post(server + "/api/claims", json={"text": BROWSER_ARTICLE, "seed": 0,
                                                   "article": True}, timeout=300).json()
    assert [c["reading"] for c in want["claims"]] == BROWSER_READINGS

    page, external, errors = watched_page(browser, server, width=1280,
                                          height=900, timeout_ms=120_000)
    page.goto(server + "/")
    page.wait_for_selector("body[data-ready='1']")
    assert page.eval_on_selector("#claim-text", "e => e.tagName") == "TEXTAREA"

    page.fill("#claim-text", BROWSER_ARTICLE)
    page.click("#claim-submit")
    page.wait_for_selector("#claim-result:not([hidden])")
    page.wait_for_function("() => document.querySelectorAll('#claim-list .claim-card')"
                           ".length === 3")
    cards = page.locator("#claim-list .claim-card")
    for i, c in enumerate(want["claims"]):
        card = cards.nth(i)
        text = card.inner_text()
        assert c["sentence"] in text
        assert card.locator(".claim-reading").inner_text() == "read as: " + c["reading"]
        assert card.get_attribute("data-verdict") == c["verdict"]
        assert card.get_attribute("data-headline") == c["headline"]
        badges = card.locator(".verdict .badge").all_inner_texts()
        assert c["verdict"] in badges and c["headline"] in badges
        assert "Effect" in card.locator(".claim-effect").inner_text()
        assert f"n = {c['n']} votes" in card.locator(".claim-effect").inner_text()
        if c["measure_definition"]:
            assert c["measure_definition"] in text
        if c["explanation"]:
            assert c["explanation"] in text
        # the evidence: the five most decisive votes shown, linked to the official records
        rows = card.locator("table.evidence tbody tr")
        visible = [r for r in range(rows.count()) if rows.nth(r).is_visible()]
        assert len(visible) == min(5, len(c["evidence"]))
        assert rows.count() == max(1, len(c["evidence"]))
        if c["evidence"]:
            first = rows.nth(0)
            link = first.locator("a")
            assert link.inner_text() == c["evidence"][0]["symbol"]
            assert link.get_attribute("href") == c["evidence"][0]["link"]
            assert c["evidence"][0]["date"] in first.inner_text()
    # moved claim: what moved is said in words
    assert want["claims"][1]["explanation"]
    assert page.inner_text("#claim-verdict") == want["claims"][0]["verdict"]
    assert "claim=" in page.url  # a short text is kept in the URL

    ARTIFACTS.mkdir(exist_ok=True)
    page.locator("#claim").scroll_into_view_if_needed()
    _no_overflow(page)
    wide = ARTIFACTS / "web_claims_1280.png"
    page.screenshot(path=str(wide), full_page=True)
    assert wide.stat().st_size > 10_000

    page.set_viewport_size({"width": 390, "height": 844})
    page.wait_for_timeout(500)  # the charts follow the width of their box
    _no_overflow(page)
    page.locator("#claim").scroll_into_view_if_needed()
    narrow = ARTIFACTS / "web_claims_390.png"
    page.screenshot(path=str(narrow), full_page=True)
    assert narrow.stat().st_size > 10_000

    assert external == [], f"the page loaded assets from elsewhere: {external}"
    assert errors == [], errors
    page.close()


@pytest.mark.slow
def test_dashboard_long_text_and_skipped(live_server: str, browser) -> None:
    """A text longer than 500 characters is not put in the URL; skipped sentences are listed
    with their reasons."""
    filler = " ".join(["The weather in New York was mild that week."] * 12)
    text = "Russia was isolated in the General Assembly in 2022. " + filler
    assert len(text) > 500
    page = browser.new_page(viewport={"width": 390, "height": 844})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.set_default_timeout(120_000)
    page.goto(live_server + "/")
    page.wait_for_selector("body[data-ready='1']")
    page.fill("#claim-text", BROWSER_ARTICLE)  # answered from the server's cache
    page.click("#claim-submit")
    page.wait_for_function("() => document.querySelectorAll('#claim-list .claim-card')"
                           ".length === 3")
    assert "claim=" in page.url
    page.fill("#claim-text", text)
    page.click("#claim-submit")
    page.wait_for_function("() => !document.querySelector('#claim-skipped-box').hidden")
    assert page.locator("#claim-list .claim-card").count() == 1
    assert page.locator("#claim-skipped tbody tr").count() == 12
    assert "no parties" in page.inner_text("#claim-skipped")
    assert "claim=" not in page.url
    _no_overflow(page)
    assert errors == [], errors
    page.close()
