"""Tests of comity.analysis.idealpoints: recovery on simulated data, bootstrap calibration,
invariance,
bridging rules, cache round trip (comity.store.fitcache), CLI, and sanity on the real data
(slow)."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from comity.analysis.fitstore import cache_name, load_fit, store_fit
from comity.analysis.idealpoints import (
    DynamicIdealPoints,
    IdealPointsConvergenceWarning,
    bridge_items,
    bridge_key,
)
from comity.errors import ComityError, EstimationError, UnknownStateError
from comity.store.panel import ABSTAIN, NO, NONMEMBER, YES, Panel

Y, A, N, X, NM = 1, 2, 3, 8, 9


# ------------------------------------------------------------------------------------------
# simulation
# ------------------------------------------------------------------------------------------
def simulate(
    n_states: int = 100,
    n_periods: int = 5,
    per_period: int = 60,
    *,
    walk: float = 0.1,
    recurring: int = 18,
    missing: float = 0.1,
    binary_share: float = 0.3,
    link: str = "probit",
    n_dims: int = 1,
    seed: int = 0,
) -> tuple[Panel, np.ndarray, pd.DataFrame]:
    """A dynamic ordinal panel with known paths and item parameters.

    Paths: ``x_1 ~ N(0, I)``, random-walk steps of variance ``walk``. Per period,
    ``recurring`` resolutions repeat (same title, same parameters, every period: bridged);
    the others are new. Discriminations ~ N(0, 1.5^2); cut points sorted N(0, 1) pairs;
    ``binary_share`` of the new items have no abstention band. Votes missing at random with
    probability ``missing`` (absent, code 8); states 1-4 join in period 2 (code 9 before).
    State 0 is named "USA" (the default anchor).
    """
    rng = np.random.default_rng(seed)
    x = np.zeros((n_states, n_periods, n_dims))
    x[:, 0] = rng.normal(size=(n_states, n_dims))
    for t in range(1, n_periods):
        x[:, t] = x[:, t - 1] + rng.normal(scale=np.sqrt(walk), size=(n_states, n_dims))
    rec_beta = rng.normal(0, 1.5, (recurring, n_dims))
    rec_cut = np.sort(rng.normal(0, 1, (recurring, 2)), axis=1)
    rows, beta, cut = [], [], []
    for t in range(n_periods):
        for j in range(per_period):
            if j < recurring:
                b, c = rec_beta[j], rec_cut[j]
                name = "".join(chr(97 + int(d)) for d in f"{j:03d}")  # no digits in titles
                title = f"Recurring question {name} : resolution / adopted by the General " \
                        "Assembly"
            else:
                b = rng.normal(0, 1.5, n_dims)
                c = np.sort(rng.normal(0, 1, 2))
                if rng.random() < binary_share:
                    c = np.array([c.mean(), c.mean()])
                title = f"New matter {t}-{j} " + "".join(rng.choice(list("abcdefgh"), 10))
            beta.append(b)
            cut.append(c)
            rows.append({"rid": f"A/RES/{40 + t}/{j + 1}", "session": 40 + t,
                         "date": pd.Timestamp(1985 + t, 10, 1) + pd.Timedelta(days=j),
                         "title": title, "symbol": f"A/RES/{40 + t}/{j + 1}",
                         "amend": False, "para": False})
    beta_a, cut_a = np.array(beta), np.array(cut)
    per = np.repeat(np.arange(n_periods), per_period)
    eta = np.einsum("srd,rd->sr", x[:, per], beta_a) if n_dims > 1 else x[:, per, 0] * \
        beta_a[:, 0]
    noise = rng.normal(size=eta.shape) if link == "probit" else rng.logistic(size=eta.shape)
    ystar = eta + noise
    cat = np.where(ystar < cut_a[:, 0], 0, np.where(ystar < cut_a[:, 1], 1, 2))
    votes = np.choose(cat, [N, A, Y]).astype(np.int8)
    votes[rng.random(votes.shape) < missing] = X
    votes[1:5, per == 0] = NM
    states = ("USA", *[f"S{i:03d}" for i in range(1, n_states)])
    items = pd.DataFrame({"rid": [r["rid"] for r in rows], "period": 40 + per,
                          "beta": beta_a[:, 0], "cut1": cut_a[:, 0], "cut2": cut_a[:, 1]})
    return Panel(votes=votes, states=states, resolutions=pd.DataFrame(rows)), x, items


def truth_frame(panel: Panel, x: np.ndarray, ip: pd.DataFrame, dim: int = 1) -> np.ndarray:
    """True positions of the rows of ``ip`` identified as the estimator does: mean 0 and
    variance 1 over the reported state-periods, the anchor USA on the positive side."""
    si = {s: i for i, s in enumerate(panel.states)}
    r = ip[ip["dim"] == dim]
    tr = x[r["state"].map(si).to_numpy(), r["period"].to_numpy() - 40, dim - 1]
    tr = (tr - tr.mean()) / tr.std()
    return -tr if tr[(r["state"] == "USA").to_numpy()].mean() < 0 else tr


@pytest.fixture(scope="module")
def sim():
    return simulate()


@pytest.fixture(scope="module")
def fitted(sim):
    panel, _, _ = sim
    return DynamicIdealPoints(bootstrap=60, seed=3, n_jobs=2).fit(panel)


# ------------------------------------------------------------------------------------------
# recovery and calibration
# ------------------------------------------------------------------------------------------
def test_recovery_per_period(sim, fitted):
    panel, x, _ = sim
    ip = fitted.ideal_points_
    assert fitted.converged_ and fitted.n_iter_ < 200
    tr = truth_frame(panel, x, ip)
    for per in sorted(ip["period"].unique()):
        k = (ip["period"] == per).to_numpy()
        r = np.corrcoef(ip["estimate"].to_numpy()[k], tr[k])[0, 1]
        assert r >= 0.97, f"period {per}: r = {r:.3f}"  # sign too: anchor USA > 0


def test_item_recovery(sim, fitted):
    _, _, items = sim
    it = fitted.items_.explode("rids").rename(columns={"rids": "rid"})
    m = it.merge(items, on="rid")
    assert np.corrcoef(m["discrimination"], m["beta"])[0, 1] > 0.9
    # cut points on the latent scale of each item: compare the midpoints per unit beta
    rec = fitted.items_[fitted.items_["n_resolutions"] > 1]
    assert len(rec) == 18 and (rec["n_resolutions"] == 5).all()  # bridged across 5 sessions


def test_bootstrap_interval_coverage(sim, fitted):
    panel, x, _ = sim
    ip = fitted.ideal_points_
    tr = truth_frame(panel, x, ip)
    cover = float(((tr >= ip["lo"]) & (tr <= ip["hi"])).mean())
    assert 0.90 <= cover <= 0.98, cover
    assert fitted.bootstrap_converged_ == 60
    assert (ip["se"] > 0).all()
    np.testing.assert_allclose(ip["hi"] - ip["estimate"], 1.959964 * ip["se"])


def test_identification(fitted):
    ip = fitted.ideal_points_
    assert abs(ip["estimate"].mean()) < 1e-9
    assert ip["estimate"].std(ddof=0) == pytest.approx(1.0)
    assert ip.loc[ip["state"] == "USA", "estimate"].mean() > 0
    assert fitted.anchor_ == "USA"
    assert set(ip.columns) >= {"state", "period", "estimate", "se", "lo", "hi", "n_votes"}
    # states joining in period 2 have no row in period 1
    assert not ((ip["state"] == "S001") & (ip["period"] == 40)).any()


def test_logit_and_year_periods(sim, fitted):
    panel, _, _ = sim
    m = DynamicIdealPoints(link="logit", period="year").fit(panel)
    ip = m.ideal_points_
    assert sorted(ip["period"].unique()) == list(range(1985, 1990))
    assert np.corrcoef(ip["estimate"], fitted.ideal_points_["estimate"])[0, 1] > 0.99


def test_two_dimensions():
    panel, x, _ = simulate(n_states=80, n_periods=3, per_period=80, n_dims=2, seed=5)
    m = DynamicIdealPoints(n_dims=2).fit(panel)
    ip = m.ideal_points_
    est = np.stack([ip.loc[ip["dim"] == k, "estimate"].to_numpy() for k in (1, 2)], axis=1)
    r1 = ip[ip["dim"] == 1]
    si = {s: i for i, s in enumerate(panel.states)}
    tr = x[r1["state"].map(si).to_numpy(), r1["period"].to_numpy() - 40]
    # the axes are identified only up to rotation: the estimates must span the truth
    coef, *_ = np.linalg.lstsq(np.c_[est, np.ones(len(est))], tr, rcond=None)
    fit = np.c_[est, np.ones(len(est))] @ coef
    for k in range(2):
        assert np.corrcoef(fit[:, k], tr[:, k])[0, 1] > 0.95
    assert np.allclose(np.cov(est, rowvar=False, bias=True), np.eye(2), atol=1e-8)
    assert {"discrimination", "discrimination_2"} <= set(m.items_.columns)


# ------------------------------------------------------------------------------------------
# invariance
# ------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def small():
    panel, _, _ = simulate(n_states=50, n_periods=3, per_period=40, seed=11)
    return panel, DynamicIdealPoints(tol=1e-9).fit(panel)


def test_relabelling_states_gives_the_same_fit(small):
    panel, base = small
    rng = np.random.default_rng(0)
    perm = rng.permutation(panel.n_states)
    rename = {s: f"Q{i:03d}" for i, s in enumerate(rng.permutation(panel.states))}
    relab = Panel(votes=panel.votes[perm],
                  states=tuple(rename[panel.states[i]] for i in perm),
                  resolutions=panel.resolutions)
    m = DynamicIdealPoints(tol=1e-9, anchor=rename["USA"]).fit(relab)
    back = {v: k for k, v in rename.items()}
    a = base.ideal_points_.set_index(["state", "period"])["estimate"]
    b = m.ideal_points_.assign(state=m.ideal_points_["state"].map(back)).set_index(
        ["state", "period"])["estimate"]
    pd.testing.assert_series_equal(a.sort_index(), b.sort_index(), atol=1e-6, rtol=0)


def test_shuffling_resolutions_gives_the_same_fit(small):
    panel, base = small
    perm = np.random.default_rng(1).permutation(panel.n_resolutions)
    shuf = Panel(votes=panel.votes[:, perm], states=panel.states,
                 resolutions=panel.resolutions.iloc[perm].reset_index(drop=True))
    m = DynamicIdealPoints(tol=1e-9).fit(shuf)
    a = base.ideal_points_.set_index(["state", "period"])["estimate"].sort_index()
    b = m.ideal_points_.set_index(["state", "period"])["estimate"].sort_index()
    pd.testing.assert_series_equal(a, b, atol=1e-6, rtol=0)
    ia = base.items_.set_index("key")["discrimination"]
    ib = m.items_.set_index("key")["discrimination"]
    ia, ib = ia[ia.index != ""].sort_index(), ib[ib.index != ""].sort_index()
    pd.testing.assert_series_equal(ia, ib, atol=1e-6, rtol=0)


# ------------------------------------------------------------------------------------------
# data handling, bridging, errors
# ------------------------------------------------------------------------------------------
def test_bridge_key():
    assert bridge_key("Nuclear disarmament : resolution / adopted by the General Assembly") \
        == "nuclear disarmament"
    assert bridge_key("Implementation of the 10th special session [...]") == \
        "implementation of the th special session"
    assert bridge_key(None) == "" and bridge_key(float("nan")) == ""


def test_bridge_rules():
    res = pd.DataFrame({
        "title": ["Jerusalem", "Jerusalem", "Jerusalem", "Jerusalem",  # sessions 1,2,3,9
                  "Palestine", "Palestine", "Palestine",  # twice in session 1: unbridged
                  "Cuba embargo", "Cuba embargo", "Cuba embargo"],  # the 2nd: an amendment
        "amend": [False] * 8 + [True, False],
    })
    period = np.array([1, 2, 3, 9, 1, 1, 2, 1, 2, 2])
    item, keys = bridge_items(res, period, max_gap=3)
    assert item[0] == item[1] == item[2]  # a chain of consecutive sessions
    assert item[3] != item[0]  # six sessions later: a new item
    assert len({item[4], item[5], item[6]}) == 3  # ambiguous in session 1; alone in 2
    assert item[7] != item[8] and item[7] == item[9]  # the amendment vote does not count
    assert keys[item[0]] == "jerusalem"
    assert len(keys) == len(np.unique(item))


def test_absent_nonmember_unanimous_and_silent_states():
    panel, _, _ = simulate(n_states=40, n_periods=2, per_period=30, seed=2)
    v = panel.votes.copy()
    v[:, 20] = Y  # unanimous (not a recurring item): dropped
    v[7, :] = X  # never voted: dropped and reported
    p = Panel(votes=v, states=panel.states, resolutions=panel.resolutions)
    m = DynamicIdealPoints().fit(p)
    s = m.summary()
    assert s["dropped_states"] == ["S007"]
    assert s["n_resolutions_unanimous"] == 1
    assert "S007" not in set(m.ideal_points_["state"])
    assert panel.resolutions["rid"][20] not in set(m.items_["rids"].explode())
    # a state's absences are ignored, not votes: recoding them as non-membership is the same
    v2 = v.copy()
    v2[v2 == X] = NM
    m2 = DynamicIdealPoints().fit(Panel(votes=v2, states=p.states,
                                        resolutions=p.resolutions))
    np.testing.assert_allclose(m.ideal_points_["estimate"], m2.ideal_points_["estimate"],
                               atol=1e-8)


def test_errors():
    panel, _, _ = simulate(n_states=20, n_periods=1, per_period=10, seed=3)
    with pytest.raises(EstimationError):
        DynamicIdealPoints(link="cauchit").fit(panel)  # type: ignore[arg-type]
    with pytest.raises(EstimationError):
        DynamicIdealPoints(walk_variance=0).fit(panel)
    with pytest.raises(EstimationError):
        DynamicIdealPoints().to_frame()
    with pytest.raises(EstimationError, match="unknown parameter"):
        DynamicIdealPoints().set_params(foo=1)
    empty = Panel(votes=np.full((3, 2), Y, dtype=np.int8), states=("A", "B", "C"),
                  resolutions=panel.resolutions.iloc[:2])
    with pytest.raises(EstimationError, match="unanimous"):
        DynamicIdealPoints().fit(empty)
    assert issubclass(EstimationError, ComityError)


def test_convergence_warning(small):
    panel, _ = small
    with pytest.warns(IdealPointsConvergenceWarning, match="did not converge"):
        m = DynamicIdealPoints(max_iter=2).fit(panel)
    assert not m.converged_ and m.n_iter_ == 2 and m.final_change_ > m.tol


def test_anchor_fallback(small):
    panel, _ = small
    m = DynamicIdealPoints(anchor="ZZZ").fit(panel)
    assert m.anchor_ in panel.states
    assert m.ideal_points_.loc[m.ideal_points_["state"] == m.anchor_, "estimate"].mean() > 0


# ------------------------------------------------------------------------------------------
# results, cache, plot, CLI
# ------------------------------------------------------------------------------------------
def test_summary_plot_and_frame(small, tmp_path: Path):
    _, m = small
    s = m.summary()
    json.dumps(s)  # plain types only
    assert s["converged"] and s["n_bridged_items"] > 0
    assert m.to_frame().equals(m.ideal_points_)
    for suffix in ("png", "svg"):
        out = tmp_path / f"paths.{suffix}"
        m.plot(states=["USA", "S010"], path=out)
        assert out.stat().st_size > 1000
    with pytest.raises(UnknownStateError):
        m.plot(states=["NOPE"])


def test_store_and_load_fit(fitted, tmp_path: Path):
    db = tmp_path / "cache.duckdb"
    n = store_fit(db, fitted, "sim", extra={"fingerprint": {"votes": 1}})
    assert n == len(fitted.ideal_points_)
    store_fit(db, fitted, "sim")  # replaces, does not duplicate
    m = load_fit(db, "sim")
    assert m is not None and load_fit(db, "other") is None
    a, b = fitted.ideal_points_, m.ideal_points_
    pd.testing.assert_frame_equal(a.reset_index(drop=True), b[a.columns].reset_index(drop=True),
                                  check_dtype=False)
    assert m.summary()["n_iter"] == fitted.n_iter_
    np.testing.assert_allclose(m.items_["discrimination"], fitted.items_["discrimination"])
    import duckdb

    with duckdb.connect(str(db), read_only=True) as con:
        cols = [r[0] for r in con.execute("DESCRIBE ideal_points").fetchall()]
        assert cols[:7] == ["name", "state", "period", "estimate", "se", "fitted_at",
                            "params_json"]
        assert con.execute("SELECT count(*) FROM ideal_points").fetchall()[0][0] == n



def test_from_results_without_io(fitted):
    m = DynamicIdealPoints.from_results(fitted.ideal_points_, fitted.items_, fitted.summary())
    assert m.get_params() == fitted.get_params()
    pd.testing.assert_frame_equal(m.to_frame(), fitted.to_frame())
    assert m.summary()["loglik"] == pytest.approx(fitted.loglik_)
    assert m.states_ == tuple(sorted(fitted.ideal_points_["state"].unique()))


def test_idealpoints_does_no_io():
    import subprocess
    import sys

    code = ("import sys, comity.analysis.idealpoints as ip; assert 'duckdb' not in sys.modules; "
            "assert not hasattr(ip, 'duckdb')")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_store_does_not_import_the_estimator():
    """The fit cache stores frames; the store wing never imports the analysis (issue 13)."""
    import subprocess
    import sys

    code = ("import sys, comity.store.fitcache; "
            "assert 'comity.analysis.idealpoints' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True)


def _supplement_store(path: Path, tmp: Path) -> None:
    """A small GA store (three sessions, 24 real members) from a simulated supplement CSV."""
    from comity.store.db import Store

    codes = ["USA", "GBR", "FRA", "DEU", "ITA", "CAN", "JPN", "AUS", "RUS", "CHN", "IND",
             "BRA", "ZAF", "EGY", "IRN", "CUB", "VEN", "MEX", "ARG", "NGA", "KEN", "PAK",
             "IDN", "TUR"]
    panel, _, _ = simulate(n_states=len(codes), n_periods=3, per_period=25, missing=0.05,
                           seed=9)
    code = {1: "Y", 2: "A", 3: "N", 8: "X"}
    rows = []
    res = panel.resolutions
    for j in range(panel.n_resolutions):
        for i, c in enumerate(codes):
            v = int(panel.votes[i, j])
            if v in code:
                sess = int(res["session"][j]) + 20
                rows.append({"resolution": f"A/RES/{sess}/{j + 1}",
                             "date": (res["date"][j] + pd.DateOffset(years=20)).date(),
                             "body": "GA", "state": c, "vote": code[v], "source_url": "",
                             "title": res["title"][j]})
    f = tmp / "supplement.csv"
    pd.DataFrame(rows).to_csv(f, index=False)
    with Store(path) as s:
        s.ingest([f])


def test_cli(tmp_path: Path):
    from comity.cli import app

    db = tmp_path / "cli.duckdb"
    _supplement_store(db, tmp_path)
    runner = CliRunner()
    args = ["idealpoints", "--from", "2005", "--states", "USA,RUS,CHN", "--db", str(db)]
    r1 = runner.invoke(app, [*args, "--json", "--plot", str(tmp_path / "p.png")])
    assert r1.exit_code == 0, r1.output
    out = json.loads(r1.stdout.strip().splitlines()[-1])
    assert not out["cached"] and {r["state"] for r in out["rows"]} == {"USA", "RUS", "CHN"}
    assert out["query"]["cache_name"] == cache_name(DynamicIdealPoints(), 2005, None)
    assert (tmp_path / "p.png").exists()
    r2 = runner.invoke(app, [*args, "--json"])
    out2 = json.loads(r2.stdout.strip().splitlines()[-1])
    assert out2["cached"] and out2["rows"] == out["rows"]
    r3 = runner.invoke(app, [*args, "--no-cache"])
    assert r3.exit_code == 0 and "USA" in r3.stdout
    r4 = runner.invoke(app, ["idealpoints", "--states", "XYZ", "--db", str(db)])
    assert r4.exit_code != 0


# ------------------------------------------------------------------------------------------
# the real data
# ------------------------------------------------------------------------------------------
@pytest.mark.slow
def test_real_1980s_usa_isr_vs_ussr(full_store):
    panel = full_store.panel(body="GA", start="1980-01-01", end="1989-12-31")
    with warnings.catch_warnings():
        warnings.simplefilter("error", IdealPointsConvergenceWarning)
        m = DynamicIdealPoints().fit(panel)
    ip = m.ideal_points_
    for per, g in ip.groupby("period"):
        pos = g.set_index("state")["estimate"]
        rank = pos.rank(pct=True)
        assert pos["USA"] > 0 and pos["ISR"] > 0 and pos["SUN"] < 0, per
        assert rank["USA"] >= 0.95 and rank["ISR"] >= 0.9, per  # one end...
        assert rank["SUN"] <= 0.15, per  # ...and the USSR at the other


@pytest.mark.slow
def test_real_full_fit_converges_fast(full_store):
    import time

    panel = full_store.panel(body="GA")
    t = time.perf_counter()
    m = DynamicIdealPoints().fit(panel)
    assert time.perf_counter() - t < 120
    assert m.converged_
    ip = m.ideal_points_
    cold_war = ip[ip["period"].between(20, 40)].groupby("state")["estimate"].mean()
    assert cold_war["USA"] > 0 > cold_war["SUN"]


# ------------------------------------------------------------------------------------------
# issue 16: standard errors by default, lineage, no gap limit on bridges
# ------------------------------------------------------------------------------------------
def test_laplace_standard_errors_by_default(sim, fitted):
    """Without a bootstrap every state-period has a Laplace standard error; its 95% interval
    covers the simulated truth about as often as the bootstrap's does."""
    panel, x, _ = sim
    m = DynamicIdealPoints().fit(panel)
    ip = m.ideal_points_
    assert m.se_method_ == "laplace" and fitted.se_method_ == "bootstrap"
    assert ip["se"].notna().all() and (ip["se"] > 0).all()
    tr = truth_frame(panel, x, ip)
    cover = float(((tr >= ip["lo"]) & (tr <= ip["hi"])).mean())
    assert 0.85 <= cover <= 0.99, cover
    boot = fitted.ideal_points_["se"].median()
    assert 0.5 * boot < ip["se"].median() < 2.0 * boot


def test_paths_follow_the_lineage():
    """RUS asked for the 1980s is the USSR's estimate, flagged; strict gives nothing."""
    rng = np.random.default_rng(5)
    states = ("USA", "SUN", "RUS", "FRA", "CHN", "IND", "BRA", "GBR")
    n = 40
    years = np.repeat([1989, 1990, 1991, 1992, 1993], n // 5)
    votes = rng.choice([YES, NO, ABSTAIN], size=(len(states), n)).astype(np.int8)
    sun, rus = states.index("SUN"), states.index("RUS")
    votes[sun, years >= 1992] = NONMEMBER
    votes[rus, years < 1992] = NONMEMBER
    res = pd.DataFrame({"rid": [f"r{k}" for k in range(n)], "session": years - 1945,
                        "date": pd.to_datetime([f"{y}-11-01" for y in years]),
                        "title": [f"t{k}" for k in range(n)]})
    m = DynamicIdealPoints(period="year").fit(Panel(votes=votes, states=states,
                                                    resolutions=res))
    p = m.paths(["RUS"])
    assert p["state"].eq("RUS").all()
    assert dict(zip(p["period"], p["from_state"], strict=True)) == {
        1989: "SUN", 1990: "SUN", 1991: "SUN", 1992: "RUS", 1993: "RUS"}
    assert m.paths(["RUS"], strict=True)["period"].tolist() == [1992, 1993]


def test_bridges_have_no_gap_limit_by_default():
    res = pd.DataFrame({"title": ["Cuba embargo"] * 3, "symbol": ["a", "b", "c"]})
    items, _ = bridge_items(res, np.array([1, 10, 30]))
    assert len(set(items)) == 1
    items, _ = bridge_items(res, np.array([1, 10, 30]), max_gap=9)
    assert len(set(items)) == 2  # 1 -> 10 is at the limit, 10 -> 30 beyond it
