"""comity.analysis.align on the real data (the session's ``full_store``; slow because of the
ingest)."""

from __future__ import annotations

import json
import time

import numpy as np
import pandas as pd
import pytest

from comity.analysis.align import alignment, alignment_matrix, cohesion
from comity.analysis.measures import MEASURES, dyad_measures
from comity.analysis.query import TIDY_COLUMNS

pytestmark = pytest.mark.slow


def test_usa_israel_far_above_usa_ussr_in_the_1980s(full_store) -> None:
    r = alignment("USA", "ISR", "SUN", period=("1980", "1989"), store=full_store,
                  measure=["agreement", "kappa"], bootstrap=500, seed=1)
    f = r.to_frame().set_index(["state_b", "measure"])
    isr, sun = f.loc[("ISR", "agreement")], f.loc[("SUN", "agreement")]
    assert isr["value"] > 0.7 > 0.35 > sun["value"]
    assert isr["lo"] > sun["hi"] + 0.3  # intervals far apart
    assert isr["n"] > 1000 and sun["n"] > 1000
    assert f.loc[("ISR", "kappa"), "value"] > 0 > f.loc[("SUN", "kappa"), "value"]


def test_russia_carries_the_ussr_votes_unless_strict(full_store) -> None:
    a = alignment("USA", "RUS", "SUN", period=("1980", "1989"), store=full_store,
                  bootstrap=0).to_frame().set_index("state_b")
    assert a.loc["RUS", "value"] == a.loc["SUN", "value"]
    s = alignment("USA", "RUS", period=("1980", "1989"), store=full_store, bootstrap=0,
                  strict=True).to_frame()
    assert np.isnan(s["value"].iloc[0]) and s["n"].iloc[0] == 0


def test_cli_align_usa_rus_eu_from_2015(full_store) -> None:
    from typer.testing import CliRunner

    from comity.cli import app

    t = time.perf_counter()
    r = CliRunner().invoke(app, ["align", "USA", "RUS", "EU", "--from", "2015", "--by", "year",
                                 "--db", str(full_store.path), "--json", "--seed", "1"])
    seconds = time.perf_counter() - t
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    rows = pd.DataFrame(out["rows"])
    assert set(rows.columns) == set(TIDY_COLUMNS)
    assert set(rows["state_b"]) == {"RUS", "eu"}
    assert rows["period"].min() == 2015 and rows["period"].nunique() >= 10
    full = rows[rows["n"] >= 50]
    assert (full["lo"] <= full["value"]).all() and (full["value"] <= full["hi"]).all()
    assert (full["hi"] - full["lo"] < 0.25).all()
    # the USA stood closer to the EU's majority than to Russia in every year 2015-2024
    piv = rows[rows["period"] <= 2024].pivot(index="period", columns="state_b", values="value")
    assert (piv["eu"] > piv["RUS"]).all()
    assert seconds < 10


def test_eu_cohesion_high_and_uk_out_after_brexit(full_store) -> None:
    c = cohesion("EU", start=2000, end=2019, store=full_store, bootstrap=0).to_frame()
    assert c["value"].mean() > 0.85
    g = alignment("GBR", "EU", start=2019, end=2021, store=full_store,
                  bootstrap=0).to_frame().set_index("period")
    assert g.loc[2019, "value"] > 0.8  # while a member, against the other members' majority
    eu = alignment("FRA", "EU", start=2021, end=2021, store=full_store, bootstrap=0,
                   period="all").to_frame()
    assert eu["value"].iloc[0] > 0.9


def test_bloc_mean_method_is_the_mean_of_member_dyads(full_store) -> None:
    from comity.world.blocs import get_bloc

    kw = {"start": 2010, "end": 2014, "period": "all", "store": full_store, "bootstrap": 0}
    m = alignment("USA", "NATO", bloc_method="mean", **kw).to_frame()
    members = [c for c in get_bloc("NATO").members_at("2012-01-01") if c != "USA"]
    assert members == [c for c in get_bloc("NATO").members_at("2014-12-31") if c != "USA"]
    dyads = alignment("USA", *members, **kw).to_frame()
    assert m["value"].iloc[0] == pytest.approx(dyads["value"].mean())
    r = alignment("USA", "NATO", **kw).to_frame()
    assert 0.5 < r["value"].iloc[0] < 1 and r["n"].iloc[0] > 300


def test_matrix_real_year_equals_dyad_measures(full_store) -> None:
    m = alignment_matrix(2020, store=full_store, measure=list(MEASURES))
    w = m.to_wide()
    assert 18000 < len(w) < 18800  # 193 members
    top = m.top(5)
    assert (top[top["side"] == "least"]["state_a"].astype(str).eq("USA")
            | top[top["side"] == "least"]["state_b"].astype(str).eq("USA")).all()
    p = full_store.panel(body="GA", start="2020-01-01", end="2020-12-31")
    d = dyad_measures(p, measures=["agreement"])
    d = d[d["n"] + d["n_absent"] > 0].astype({"state_a": str, "state_b": str})
    j = w.astype({"state_a": str, "state_b": str}).merge(d, on=["state_a", "state_b"])
    assert len(j) == len(w)
    np.testing.assert_allclose(j["agreement"], j["value"], equal_nan=True)


def test_all_dyads_all_years_is_fast(full_store) -> None:
    p = full_store.panel(body="GA")
    t = time.perf_counter()
    m = alignment_matrix(panel=p, start=1946, period="year", measure=list(MEASURES))
    assert time.perf_counter() - t < 5
    years = m.wide["period"]
    assert years.min() == 1946 and years.nunique() >= 75
    t = time.perf_counter()
    r = alignment("USA", "RUS", start=1991, end=2020, panel=p, measure=list(MEASURES),
                  bootstrap=2000, seed=1)
    assert time.perf_counter() - t < 1
    assert r.to_frame()["period"].nunique() == 30


def test_issue_and_important_slices(full_store) -> None:
    hr = alignment("USA", "CHN", start=2000, end=2015, period="all", issue="human rights",
                   store=full_store, bootstrap=0)
    allv = alignment("USA", "CHN", start=2000, end=2015, period="all", store=full_store,
                     bootstrap=0)
    assert 0 < hr.query["resolutions"] < allv.query["resolutions"]
    imp = alignment("USA", "GBR", start=2000, end=2015, period="all", important=True,
                    store=full_store, bootstrap=0)
    assert 0 < imp.query["resolutions"] < allv.query["resolutions"]


def test_identical_and_agreement_usa_rus_2025(full_store) -> None:
    """The two agreement numbers side by side (issue 16): 24 identical votes of 184."""
    kw = {"start": 2025, "end": 2025, "period": "year", "bootstrap": 0, "store": full_store}
    ident = alignment("USA", "RUS", measure="identical", **kw).to_frame()
    agree = alignment("USA", "RUS", measure="agreement", **kw).to_frame()
    assert ident["n"].item() == agree["n"].item() == 184
    assert ident["value"].item() == 24 / 184
    assert round(agree["value"].item(), 4) == 0.1875
