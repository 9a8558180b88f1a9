"""The REST API (FastAPI TestClient) on the full real store: every endpoint, bad inputs, CSV
downloads, limits, and equality with the Python API it serves."""

from __future__ import annotations

import importlib.util
import io
import random
import shutil
from pathlib import Path

import pandas as pd
import pytest

pytest.importorskip("fastapi")
pytest.importorskip("httpx")

from fastapi.testclient import TestClient

from comity.web import create_app
from comity.web.tables import plain


@pytest.fixture(scope="module")
def client(full_store):
    app = create_app(full_store.path)
    with TestClient(app) as c:
        yield c


def _csv(resp) -> pd.DataFrame:
    assert resp.status_code == 200, resp.text
    assert resp.headers["content-type"].startswith("text/csv")
    assert "attachment" in resp.headers.get("content-disposition", "")
    return pd.read_csv(io.StringIO(resp.text))


def _missing(module: str) -> bool:
    return importlib.util.find_spec(f"comity.{module}") is None


# ------------------------------------------------------------------------------ info, page
def test_info_has_provenance(client, full_store):
    r = client.get("/api/info")
    assert r.status_code == 200
    d = r.json()
    assert d["counts"] == full_store.counts()
    assert {b["body"] for b in d["bodies"]} == {"GA", "SC"}
    assert d["ingests"] and all(len(g["sha256"]) == 64 for g in d["ingests"])
    assert {s["source"] for s in d["sources"]} >= {"unvotes", "voeten2016"}
    assert d["measures"] == ["agreement", "S", "kappa", "pi", "coincidence", "identical"]
    assert set(d["issues"]) == {"me", "nu", "di", "hr", "co", "ec"}
    assert set(d["features"]) == {"claims", "idealpoints", "shifts", "clusters"}
    assert d["limits"]["max_limit"] == 1000 and d["limits"]["max_bootstrap"] == 5000


def test_page_and_assets_are_local(client):
    r = client.get("/")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert "default-src 'self'" in r.headers["content-security-policy"]
    html = r.text
    for asset in ("/static/vendor/vega.min.js", "/static/vendor/vega-lite.min.js",
                  "/static/vendor/vega-embed.min.js", "/static/app.js", "/static/style.css"):
        assert asset in html
        a = client.get(asset)
        assert a.status_code == 200 and len(a.content) > 1000
    # no asset from elsewhere (offline): every src/href in the page is local or an anchor
    import re

    for url in re.findall(r'(?:src|href)="([^"]+)"', html):
        assert url.startswith(("/", "#")), url
    lic = client.get("/static/vendor/LICENSES.md")
    assert lic.status_code == 200 and "BSD" in lic.text


def test_openapi_schema(client):
    r = client.get("/openapi.json")
    assert r.status_code == 200
    paths = r.json()["paths"]
    for p in ("/api/info", "/api/states", "/api/blocs", "/api/blocs/{name}",
              "/api/resolutions", "/api/resolutions/{symbol}/votes", "/api/alignment",
              "/api/matrix", "/api/cohesion", "/api/idealpoints", "/api/claims",
              "/api/shifts", "/api/clusters", "/api/vetoes", "/api/council"):
        assert p in paths, p
    assert "post" in paths["/api/claims"]


def test_cors_off_by_default_and_on_when_asked(client, full_store):
    h = {"Origin": "https://example.org"}
    r = client.get("/api/info", headers=h)
    assert "access-control-allow-origin" not in r.headers
    app = create_app(full_store.path, cors_origins=["https://example.org"])
    with TestClient(app) as c:
        r = c.get("/api/info", headers=h)
        assert r.headers["access-control-allow-origin"] == "https://example.org"


def test_store_is_opened_read_only(client):
    import duckdb

    store = client.app.state.ctx.store
    assert store.read_only
    with pytest.raises(duckdb.Error):
        store.con.execute("CREATE TABLE web_probe (x INTEGER)")


# ------------------------------------------------------------------------------ states, blocs
def test_states_with_membership(client):
    r = client.get("/api/states")
    assert r.status_code == 200
    rows = {s["code"]: s for s in r.json()["rows"]}
    assert rows["RUS"]["predecessor"] == "SUN"
    assert rows["SUN"]["member_to"] == "1991-12-24"
    assert rows["USA"]["memberships"][0]["start"] == "1945-10-24"
    r = client.get("/api/states", params={"at": "2020-01-01"})
    d = r.json()
    assert d["at"] == "2020-01-01" and d["count"] == 193
    assert "SUN" not in {s["code"] for s in d["rows"]}
    t = _csv(client.get("/api/states", params={"at": "1980-06-01", "format": "csv"}))
    assert "SUN" in set(t["code"]) and "memberships" in t.columns


def test_states_bad_date(client):
    assert client.get("/api/states", params={"at": "2020-13-45"}).status_code == 422


def test_blocs(client):
    r = client.get("/api/blocs", params={"at": "2019-06-01"})
    assert r.status_code == 200
    blocs = {b["key"]: b for b in r.json()["rows"]}
    assert "GBR" in blocs["eu"]["members"] and blocs["eu"]["n_members"] == 28
    after = {b["key"]: b for b in client.get("/api/blocs", params={"at": "2020-06-01"})
             .json()["rows"]}
    assert "GBR" not in after["eu"]["members"] and after["eu"]["n_members"] == 27
    assert set(blocs["p5"]["members"]) == {"CHN", "FRA", "GBR", "RUS", "USA"}
    d = client.get("/api/blocs/NATO").json()
    assert d["key"] == "nato" and any(m["state"] == "USA" for m in d["memberships"])
    t = _csv(client.get("/api/blocs/EU", params={"format": "csv"}))
    assert {"state", "start", "end"} <= set(t.columns)
    _csv(client.get("/api/blocs", params={"format": "csv"}))


def test_unknown_bloc_is_404_naming_it(client):
    r = client.get("/api/blocs/Atlantis League")
    assert r.status_code == 404
    assert "Atlantis League" in r.json()["detail"]
    assert r.json()["error"] == "UnknownBlocError"


# ------------------------------------------------------------------------------ resolutions
def test_resolutions_search_and_paging(client, full_store):
    r = client.get("/api/resolutions", params={"search": "ukraine", "limit": 5})
    d = r.json()
    assert r.status_code == 200 and d["total"] >= 10 and len(d["rows"]) == 5
    assert any(x["symbol"] == "A/RES/68/262" for x in
               client.get("/api/resolutions", params={"search": "ukraine", "limit": 1000})
               .json()["rows"])
    page2 = client.get("/api/resolutions", params={"search": "ukraine", "limit": 5,
                                                   "offset": 5}).json()
    assert {x["rid"] for x in page2["rows"]}.isdisjoint({x["rid"] for x in d["rows"]})
    ref = full_store.resolutions(search="ukraine")
    assert d["total"] == len(ref)
    assert [x["rid"] for x in d["rows"]] == list(ref["rid"][:5])


def test_resolutions_filters(client, full_store):
    d = client.get("/api/resolutions", params={"year": 2014, "body": "GA", "issue": "hr",
                                               "limit": 1000}).json()
    ref = full_store.resolutions(year=2014, body="GA", issue="hr")
    assert d["total"] == len(ref) > 0
    assert [x["rid"] for x in d["rows"]] == list(ref["rid"])
    assert all(x["date"].startswith("2014") and "hr" in x["issues"] and x["body"] == "GA"
               for x in d["rows"])
    d = client.get("/api/resolutions", params={"session": 2020, "body": "SC"}).json()
    ref = full_store.resolutions(session=2020, body="SC")
    assert d["total"] == len(ref) > 0 and all(x["body"] == "SC" for x in d["rows"])
    assert [x["rid"] for x in d["rows"]] == list(ref["rid"][:50])
    t = _csv(client.get("/api/resolutions", params={"year": 2020, "format": "csv",
                                                    "limit": 7}))
    assert len(t) == 7 and "symbol" in t.columns


@pytest.mark.parametrize("params", [
    {"limit": 1001}, {"limit": 0}, {"offset": -1}, {"year": 1800}, {"issue": "xx"},
    {"body": "ECOSOC"}, {"search": "x" * 201}, {"format": "xml"},
])
def test_resolutions_limits(client, params):
    assert client.get("/api/resolutions", params=params).status_code == 422


def test_votes_on_a_resolution(client):
    r = client.get("/api/resolutions/A/RES/68/262/votes")
    assert r.status_code == 200
    d = r.json()
    res = d["resolution"]
    assert res["symbol"] == "A/RES/68/262" and res["title"].startswith("Territorial integrity")
    votes = {v["state"]: v["vote"] for v in d["rows"]}
    assert votes["UKR"] == "Y" and votes["RUS"] == "N" and votes["CHN"] == "A"
    assert d["counts"]["Y"] == sum(v == "Y" for v in votes.values())
    assert d["counts"]["Y"] == res["yes"] and d["counts"]["N"] == res["no"]
    t = _csv(client.get("/api/resolutions/a/res/68/262/votes", params={"format": "csv"}))
    assert set(t["vote"]) <= {"Y", "N", "A", "X"} and len(t) == len(votes)


def test_votes_unknown_symbol_is_404(client):
    r = client.get("/api/resolutions/A/RES/99/99999/votes")
    assert r.status_code == 404 and "A/RES/99/99999" in r.json()["detail"]


# ------------------------------------------------------------------------------ alignment
def test_alignment_equals_python_api(client, full_store):
    from comity.analysis.align import alignment

    params = {"a": "USA", "b": ["RUS", "EU"], "from": "2015", "bootstrap": 200, "seed": 7,
              "measure": ["agreement", "kappa"]}
    r = client.get("/api/alignment", params=params)
    assert r.status_code == 200, r.text
    ref = alignment("USA", "RUS", "EU", start="2015", bootstrap=200, seed=7,
                    measure=["agreement", "kappa"], store=full_store)
    assert r.json() == plain(ref.to_dict())
    d = r.json()
    assert [p["code"] for p in d["parties"]] == ["USA", "RUS", "eu"]
    assert all(x["lo"] <= x["value"] <= x["hi"] for x in d["rows"] if x["value"] is not None)
    t = _csv(client.get("/api/alignment", params={**params, "format": "csv"}))
    assert len(t) == len(d["rows"])
    assert t["value"].round(12).tolist() == pd.Series(
        [x["value"] for x in d["rows"]], dtype=float).round(12).tolist()


def test_alignment_fast_path_equals_python_api(client, full_store):
    """One year, two states, no bootstrap: served from the year's all-dyad table; the answer
    must be exactly that of alignment() (lineage and part-year members included)."""
    from comity.analysis.align import alignment

    rng = random.Random(3)
    pool = ["USA", "RUS", "CHN", "FRA", "GBR", "IND", "BRA", "DEU", "ZAF", "ISR", "CUB",
            "YEM", "CZE", "SRB", "UKR", "SYR", "IRN"]
    cases = [("RUS", "USA", 1991), ("RUS", "USA", 1992), ("CHN", "USA", 1971),
             ("DEU", "FRA", 1973), ("YEM", "SAU", 1990)]
    cases += [(*rng.sample(pool, 2), rng.randint(1947, 2025)) for _ in range(25)]
    measures = ["agreement", "S", "kappa", "pi", "coincidence"]
    for a, b, year in cases:
        for body in ("GA", "SC") if year in (1991, 2015) else ("GA",):
            params = {"a": a, "b": b, "from": str(year), "to": str(year),
                      "measure": measures, "body": body, "bootstrap": 0}
            r = client.get("/api/alignment", params=params)
            try:
                ref = plain(alignment(a, b, start=str(year), end=str(year), bootstrap=0,
                                      seed=0, measure=measures, body=body,
                                      store=full_store).to_dict())
            except Exception as exc:  # the API must fail the same way
                assert r.status_code in (404, 422), (a, b, year, r.text)
                assert str(exc) == r.json()["detail"]
                continue
            assert r.status_code == 200, (a, b, year, r.text)
            got = r.json()
            assert got["query"] == ref["query"] and got["parties"] == ref["parties"]
            assert len(got["rows"]) == len(ref["rows"])
            for x, y in zip(got["rows"], ref["rows"], strict=True):
                # the all-dyad table sums votes in float32 products: equal to ~1e-15
                assert x == {k: pytest.approx(v, rel=1e-12, abs=1e-12)
                             if isinstance(v, float) else v for k, v in y.items()}, \
                    (a, b, year, body)


def test_alignment_unknown_state_names_it(client):
    r = client.get("/api/alignment", params={"a": "USA", "b": ["Narnia"]})
    assert r.status_code == 404
    assert "Narnia" in r.json()["detail"] and r.json()["error"] == "UnknownStateError"
    r = client.get("/api/alignment", params={"a": "XQZ", "b": "RUS"})
    assert r.status_code == 404 and "XQZ" in r.json()["detail"]


@pytest.mark.parametrize("params", [
    {"a": "USA"},  # no b
    {"a": "USA", "b": "RUS", "bootstrap": 5001},
    {"a": "USA", "b": "RUS", "bootstrap": -1},
    {"a": "USA", "b": "RUS", "from": "20x5"},
    {"a": "USA", "b": "RUS", "by": "decade"},
    {"a": "USA", "b": "RUS", "measure": "euclid"},
    {"a": "USA", "b": "RUS", "body": "ECOSOC"},
    {"a": "USA", "b": "RUS", "ci": 1.5},
    {"a": "USA", "b": "RUS", "min_votes": 0},
    {"a": "USA", "b": [f"S{i}" for i in range(11)]},
    {"a": "USA", "b": "RUS", "issue": "astrology"},
    {"a": "USA", "b": "RUS", "from": "2020", "to": "2010"},
    {"a": "USA", "b": "RUS", "from": "2020-02-31"},
    {"a": "USA", "b": " "},
])
def test_alignment_bad_inputs_are_422(client, params):
    r = client.get("/api/alignment", params=params)
    assert r.status_code == 422, r.text
    assert r.json()["detail"]


def test_alignment_work_limit(client):
    b = ["RUS", "CHN", "FRA", "GBR", "IND", "BRA"]
    r = client.get("/api/alignment", params={"a": "USA", "b": b, "bootstrap": 5000,
                                             "from": "1946"})
    assert r.status_code == 422
    assert "too much work" in r.json()["detail"]


def test_alignment_empty_selection_is_422(client):
    r = client.get("/api/alignment", params={"a": "USA", "b": "RUS", "from": "2099"})
    assert r.status_code == 422 and "no recorded votes" in r.json()["detail"]


def test_matrix_equals_python_api(client, full_store):
    from comity.analysis.align import alignment_matrix

    states = ["USA", "RUS", "CHN", "FRA", "GBR", "IND"]
    r = client.get("/api/matrix", params={"year": 2019, "states": states,
                                          "measure": "kappa"})
    assert r.status_code == 200, r.text
    d = r.json()
    assert d["states"] == sorted(states) and d["period"] == 2019
    assert len(d["rows"]) == 15
    ref = alignment_matrix(2019, states=states, measure="kappa", store=full_store).wide
    got = {(x["state_a"], x["state_b"]): x["value"] for x in d["rows"]}
    for row in ref.itertuples():
        assert got[(str(row.state_a), str(row.state_b))] == pytest.approx(row.kappa)
    t = _csv(client.get("/api/matrix", params={"year": 2019, "states": states,
                                               "format": "csv"}))
    assert len(t) == 15
    full = client.get("/api/matrix", params={"year": 2019}).json()
    assert len(full["states"]) > 180


def test_matrix_bad_inputs(client):
    assert client.get("/api/matrix", params={"year": 1900}).status_code == 422
    r = client.get("/api/matrix", params={"year": 2019, "states": ["USA", "Narnia"]})
    assert r.status_code == 404 and "Narnia" in r.json()["detail"]
    r = client.get("/api/matrix", params={"year": 2019, "states": ["USA", "EU"]})
    assert r.status_code == 422 and "bloc" in r.json()["detail"]


def test_cohesion(client, full_store):
    from comity.analysis.align import cohesion

    r = client.get("/api/cohesion", params={"bloc": ["EU", "NATO"], "from": "2010",
                                            "to": "2020", "bootstrap": 100, "seed": 1})
    assert r.status_code == 200, r.text
    ref = cohesion("EU", "NATO", start="2010", end="2020", bootstrap=100, seed=1,
                   store=full_store)
    assert r.json() == plain(ref.to_dict())
    t = _csv(client.get("/api/cohesion", params={"bloc": "EU", "format": "csv"}))
    assert {"period", "bloc", "value", "n"} <= set(t.columns)
    r = client.get("/api/cohesion", params={"bloc": "USA"})  # a state, not a bloc
    assert r.status_code == 404 and "USA" in r.json()["detail"]


# ------------------------------------------------------------------------------ Security Council
def test_vetoes_and_council(client, full_store):
    r = client.get("/api/vetoes", params={"state": "RUS", "from": 2000, "to": 2024})
    assert r.status_code == 200
    from comity.analysis.security_council import vetoes as sc_vetoes

    ref = sc_vetoes(full_store, state="RUS", start_year=2000, end_year=2024)
    rows = r.json()["rows"]
    no = [None if pd.isna(v) else int(v) for v in ref["no"]]
    assert [(x["rid"], x["state"], x["no"]) for x in rows] == list(
        zip(ref["rid"], ref["state"].astype(str), no, strict=True))
    assert len(rows) > 10 and {x["state"] for x in rows} == {"RUS"}
    assert "veto" in r.json()["note"]
    assert client.get("/api/vetoes", params={"state": "Narnia"}).status_code == 404
    c = client.get("/api/council", params={"year": 2020}).json()
    perm = {m["state"] for m in c["members"] if m["permanent"]}
    assert perm == {"CHN", "FRA", "GBR", "RUS", "USA"} and c["resolutions"] > 0
    assert len(c["members"]) == 15
    t = _csv(client.get("/api/council", params={"year": 2020, "format": "csv"}))
    assert len(t) == 15
    assert client.get("/api/council", params={"year": 1900}).status_code == 422
    assert client.get("/api/council").status_code == 422


# ------------------------------------------------------------------------------ optional modules
def test_idealpoints_without_fit_is_404(client):
    pytest.importorskip("comity.analysis.idealpoints")
    r = client.get("/api/idealpoints", params={"name": "no_such_fit"})
    assert r.status_code == 404 and "no_such_fit" in r.json()["detail"]
    r = client.get("/api/idealpoints")  # the full store holds no fit
    assert r.status_code == 404 and "ideal-point fit" in r.json()["detail"]


def test_idealpoints_from_a_stored_fit(full_store, tmp_path: Path):
    ip = pytest.importorskip("comity.analysis.idealpoints")
    fitcache = pytest.importorskip("comity.analysis.fitstore")
    from comity.store.db import Store

    db = tmp_path / "ip.duckdb"
    shutil.copy(full_store.path, db)
    states = ["USA", "RUS", "CHN", "FRA", "GBR", "IND", "BRA", "CUB", "ISR", "CAN"]
    with Store(db, read_only=True) as s:
        panel = s.panel(body="GA", start="2018-01-01", end="2020-12-31", states=states)
    model = ip.DynamicIdealPoints(period="year", bootstrap=3, n_jobs=1, seed=0,
                                  max_iter=200).fit(panel)
    fitcache.store_fit(db, model, "default")
    ref = model.to_frame()
    with TestClient(create_app(db)) as c:
        r = c.get("/api/idealpoints", params={"state": ["USA", "Russia", "XKX"]})
        if r.status_code == 404 and "XKX" in r.text:  # XKX not a known state: named
            r = c.get("/api/idealpoints", params={"state": ["USA", "Russia"]})
        assert r.status_code == 200, r.text
        d = r.json()
        assert d["name"] == "default"  # the most recent fit
        assert {x["state"] for x in d["rows"]} == {"USA", "RUS"}
        usa = [x for x in d["rows"] if x["state"] == "USA"]
        want = ref[(ref["state"] == "USA") & (ref["dim"] == 1)]
        assert [x["estimate"] for x in usa] == pytest.approx(list(want["estimate"]))
        assert usa[0]["estimate"] is not None and "se" in usa[0]
        t = _csv(c.get("/api/idealpoints", params={"from": 2019, "format": "csv"}))
        assert set(t["period"]) == {2019, 2020} and set(t["state"]) == set(states)
        assert c.get("/api/idealpoints", params={"state": "Narnia"}).status_code == 404


def test_claims(client, full_store):
    from comity.claims.evaluation import evaluate

    r = client.post("/api/claims", json={"text": "USA closer to RUS than to EU in 2025",
                                         "bootstrap": 200, "seed": 0})
    assert r.status_code == 200, r.text
    d = r.json()
    want = evaluate("USA closer to RUS than to EU in 2025", store=full_store, bootstrap=200,
                    seed=0)
    assert (d["verdict"], d["effect"], d["n"]) == (want.verdict, want.effect, want.n)
    assert len(d["evidence"]) == len(want.evidence) > 0
    t = client.post("/api/claims", params={"format": "csv"},
                    json={"text": "USA closer to RUS than to EU in 2025", "bootstrap": 200,
                          "seed": 0})
    assert t.status_code == 200 and t.headers["content-type"].startswith("text/csv")
    bad = client.post("/api/claims", json={"text": "Narnia closer to RUS than to EU in 2025"})
    assert bad.status_code in (404, 422) and "Narnia" in bad.json()["detail"]


@pytest.mark.parametrize("body", [{}, {"text": ""}, {"text": "x" * 501},
                                  {"text": "USA closer to RUS", "bootstrap": 5001}])
def test_claims_bad_input_is_422(client, body):
    assert client.post("/api/claims", json=body).status_code == 422


def _last_full_year(store, body: str = "GA") -> int:
    """The last calendar year of ``body``'s votes that the data cover to December."""
    last = str(store.query("SELECT max(date) AS d FROM resolutions WHERE body = ?",
                           [body])["d"].iloc[0])[:10]
    return int(last[:4]) - (0 if last[5:7] == "12" else 1)


def _analysis_reference(url: str, params: dict, store) -> tuple[pd.DataFrame, dict]:
    """The rows and the result the Python API gives for the endpoint's query (with the
    endpoint's defaults written out)."""
    if url == "/api/shifts":
        from comity.analysis.shifts import change_points

        res = change_points(params["a"], params["b"], start=params["from"], end=params["to"],
                            issue=None, body="GA", method="pelt", min_size=30, bootstrap=200,
                            seed=0, store=store)
        return res.to_frame(), plain(res.to_dict())
    if url == "/api/shifts/movers":
        from comity.analysis.shifts import movers

        res = movers(params["reference"], params["period_a"], params["period_b"],
                     measure="agreement", issue=None, body="GA", top=20,
                     bootstrap=params["bootstrap"], seed=0, min_votes=10, store=store)
        return res.to_frame().head(20), plain(res.to_dict())
    if url == "/api/shifts/switches":
        from comity.analysis.shifts import vote_switches

        res = vote_switches(params["state"], None, year=params["year"], body="GA",
                            include_absent=False, max_gap=3, store=store)
        frame = res.to_frame()
        return frame.iloc[:200], {"query": plain(dict(res.query)), "pairs": int(res.pairs),
                                  "n": len(frame)}
    from comity.analysis.clustering import clusters

    res = clusters("year", start=None, end=None, year=params.get("year") or
                   _last_full_year(store), method="hierarchical", k=None, bootstrap=0, seed=0,
                   min_votes=20, issue=None, body="GA", store=store)
    return res.to_frame(), plain(res.to_dict())


@pytest.mark.parametrize("module,url,params", [
    ("analysis.shifts", "/api/shifts", {"a": "USA", "b": "RUS", "from": "2000", "to": "2025"}),
    ("analysis.shifts", "/api/shifts/movers", {"reference": "USA", "period_a": "2015",
                                      "period_b": "2023-2024", "bootstrap": 50}),
    ("analysis.shifts", "/api/shifts/switches", {"state": "USA", "year": 2024}),
    ("analysis.clustering", "/api/clusters", {"year": 2020}),
    ("analysis.clustering", "/api/clusters", {}),
])
def test_optional_analyses(client, full_store, module, url, params):
    """Each optional analysis answers exactly what the Python API gives for the same query:
    the same rows (JSON and CSV) and the same result."""
    if _missing(module):
        pytest.skip(f"comity.{module} is not installed")
    r = client.get(url, params=params)
    assert r.status_code == 200, r.text
    d = r.json()
    rows, result = _analysis_reference(url, params, full_store)
    assert d["rows"] == plain(rows)
    assert d["result"] == result
    if url == "/api/shifts":  # rows are the change points; the series itself has n votes
        assert d["result"]["n"] > 100 and d["result"]["segments"]
    else:
        assert len(rows) > 0
    if url == "/api/clusters":
        assert d["query"]["year"] == params.get("year", _last_full_year(full_store))
    t = _csv(client.get(url, params={**params, "format": "csv"}))
    assert list(t.columns) == [str(c) for c in rows.columns] and len(t) == len(rows)


def test_optional_analyses_validate_input(client):
    assert client.get("/api/shifts", params={"a": "USA"}).status_code == 422
    assert client.get("/api/shifts/movers", params={"reference": "USA", "period_a": "x",
                                                    "period_b": "2020"}).status_code == 422
    assert client.get("/api/clusters", params={"year": 1800}).status_code == 422
    r = client.get("/api/clusters", params={"from": "1990", "to": "2020", "bootstrap": 10})
    assert r.status_code == 422 and "too much work" in r.json()["detail"]
    r = client.get("/api/clusters", params={"year": 2020, "from": "2019"})
    assert r.status_code == 422
    r = client.get("/api/shifts/switches", params={"body": "GA"})
    assert r.status_code == 422 and "state" in r.json()["detail"]
    assert client.get("/api/idealpoints", params={"name": "a b"}).status_code == 422


# ------------------------------------------------------------------------------ caching
def test_repeated_query_is_cached(client):
    ctx = client.app.state.ctx
    params = {"a": "FRA", "b": "GBR", "from": "2011", "to": "2011"}
    first = client.get("/api/alignment", params=params)
    hits = ctx.responses.hits
    second = client.get("/api/alignment", params=params)
    assert ctx.responses.hits == hits + 1
    assert first.content == second.content


def test_bootstrap_default_is_the_clis_and_is_reported(client) -> None:
    """One documented default for the REST API and the CLI (issue 18): a request that names
    no draws gets the CLI's 2,000 and says so; bootstrap=0 asks for no interval."""
    import inspect

    from comity.cli import align as cli_align
    from comity.cli import compare as cli_compare
    from comity.web.api_align import DEFAULT_BOOTSTRAP

    def cli_default(fn: object) -> int:
        return inspect.signature(fn).parameters["bootstrap"].default

    assert DEFAULT_BOOTSTRAP == 2000
    assert cli_default(cli_align.align) == DEFAULT_BOOTSTRAP
    assert cli_default(cli_align.cohesion) == DEFAULT_BOOTSTRAP
    assert cli_default(cli_compare.compare) == DEFAULT_BOOTSTRAP
    r = client.get("/api/alignment", params={"a": "USA", "b": "RUS", "from": "2015",
                                             "to": "2016"})
    assert r.status_code == 200
    body = r.json()
    assert body["query"]["bootstrap"] == 2000
    assert all(row["lo"] is not None and row["lo"] <= row["value"] <= row["hi"]
               for row in body["rows"])
    r0 = client.get("/api/alignment", params={"a": "USA", "b": "RUS", "from": "2015",
                                              "to": "2016", "bootstrap": 0}).json()
    assert r0["query"]["bootstrap"] == 0
    assert [row["lo"] for row in r0["rows"]] == [None, None]
    assert [row["value"] for row in r0["rows"]] == [row["value"] for row in body["rows"]]
