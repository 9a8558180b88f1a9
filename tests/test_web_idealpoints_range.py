"""``/api/idealpoints`` never answers 0 rows in silence (issue 18): a period, state or
dimension outside the stored fit is a 404 that says what the fit covers."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from comity.web.app import create_app


@pytest.fixture(scope="module")
def fitted(full_store, tmp_path_factory) -> Path:
    ip = pytest.importorskip("comity.analysis.idealpoints")
    fitstore = pytest.importorskip("comity.analysis.fitstore")
    from comity.store.db import Store

    db = tmp_path_factory.mktemp("ip") / "ip.duckdb"
    shutil.copy(full_store.path, db)
    with Store(db, read_only=True) as s:
        panel = s.panel(body="GA", start="2018-01-01", end="2020-12-31",
                        states=["USA", "RUS", "CHN", "FRA", "GBR", "IND", "BRA", "CUB"])
    model = ip.DynamicIdealPoints(period="year", bootstrap=2, n_jobs=1, seed=0,
                                  max_iter=100).fit(panel)
    fitstore.store_fit(db, model, "default")
    return db


@pytest.mark.parametrize(("params", "rows"), [
    ({"from": 2020}, 8),               # the fit's last year: one period of 8 states
    ({"from": 2018, "to": 2018}, 8),   # its first year
    ({"to": 2019, "state": "USA"}, 2),
])
def test_rows_inside_the_fit(fitted: Path, params: dict, rows: int) -> None:
    with TestClient(create_app(fitted)) as c:
        r = c.get("/api/idealpoints", params=params)
    assert r.status_code == 200, r.text
    assert len(r.json()["rows"]) == rows


@pytest.mark.parametrize(("params", "says"), [
    ({"from": 2021}, "no ideal points from 2021 to its end in dimension 1: it covers years "
                     "2018-2020 and 1 dimension(s)"),
    ({"to": 2017}, "no ideal points from its start to 2017"),
    ({"from": 2015, "to": 2017, "state": "USA"}, "from 2015 to 2017 for USA"),
    ({"dim": 2}, "in dimension 2: it covers years 2018-2020 and 1 dimension(s)"),
])
def test_outside_the_fit_is_a_404_that_says_what_it_covers(fitted: Path, params: dict,
                                                          says: str) -> None:
    with TestClient(create_app(fitted)) as c:
        r = c.get("/api/idealpoints", params=params)
    assert r.status_code == 404, r.text
    assert says in r.json()["detail"]
