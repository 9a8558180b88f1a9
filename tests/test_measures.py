"""Tests of comity.analysis.measures: hand-computed cases, properties, bootstrap coverage."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from comity.analysis.measures import (
    MEASURES,
    MeasureError,
    contestedness,
    divergent_votes,
    dyad_measures,
    majority_alignment,
    measures_from_tables,
    pair_tables,
    paired_difference,
    position_matrix,
)
from comity.errors import ComityError, UnknownStateError
from comity.store.panel import Panel

Y, A, N, X, NM = 1, 2, 3, 8, 9


def make_panel(rows: dict[str, list[int]], **extra: list) -> Panel:
    states = tuple(rows)
    votes = np.array([rows[s] for s in states], dtype=np.int8)
    r = votes.shape[1]
    res = pd.DataFrame(
        {
            "rid": np.arange(1, r + 1),
            "date": pd.date_range("2000-01-01", periods=r, freq="D"),
            "symbol": [f"A/RES/{k}" for k in range(1, r + 1)],
            "title": [f"title {k}" for k in range(1, r + 1)],
            **extra,
        }
    )
    return Panel(votes=votes, states=states, resolutions=res)


def value(df: pd.DataFrame, measure: str, a: str | None = None, b: str | None = None,
          col: str = "value") -> float:
    sel = df["measure"] == measure
    if a is not None:
        sel &= (df["state_a"] == a) & (df["state_b"] == b)
    rows = df.loc[sel, col]
    assert len(rows) == 1
    return rows.iloc[0]


# --------------------------------------------------------------------------------------------
# Hand-computed dyad.
#            r1 r2 r3 r4 r5 r6 r7 r8
#   USA:     Y  Y  A  N  Y  X  -  Y        (- = not a member, X = absent)
#   FRA:     Y  N  A  N  A  Y  Y  X
# Used (both voted Y/A/N): r1..r5 -> n = 5; r6, r8 absent (both members) -> n_absent = 2;
# r7: USA not a member -> n_nonmember = 1.
# |vi - vj| on r1..r5: 0, 2, 0, 0, 1 -> sum 3, mean D_o = 0.6
#   agreement = 1 - 0.6/2 = 0.7 ;  S = 1 - 2*0.6/2 = 0.4
# Table (USA rows, FRA cols): YY=1, YN=1, AA=1, NN=1, YA=1.
#   USA marginal r = (Y .6, A .2, N .2); FRA marginal c = (Y .2, A .4, N .4)
#   kappa D_e = sum r_a c_b |a-b|:
#     Y: .6*(.4*1 + .4*2) = .72 ; A: .2*(.2*1 + .4*1) = .12 ; N: .2*(.2*2 + .4*1) = .16 -> 1.0
#     kappa = 1 - .6/1.0 = 0.4
#   pi pooled m = (.4, .3, .3): D_e = 2*(.4*.3*1 + .4*.3*2 + .3*.3*1) = 2*.45 = .9
#     pi = 1 - .6/.9 = 1/3     (kappa != pi since the marginals differ)
#   coincidence: identical Y/N = YY, NN = 2; opposite = YN = 1 -> 2/3, n = 3
# Squared distance (d_max = 4): 0, 4, 0, 0, 1 -> mean 1.0
#   agreement = 1 - 1/4 = .75 ; S = 1 - 2/4 = .5
#   kappa D_e = Y: .6*(.4*1 + .4*4) = 1.2 ; A: .2*(.2*1 + .4*1) = .12 ;
#               N: .2*(.2*4 + .4*1) = .24 -> 1.56 ; kappa = 1 - 1/1.56 = 14/39
#   pi D_e = 2*(.4*.3*1 + .4*.3*4 + .3*.3*1) = 2*.69 = 1.38 ; pi = 1 - 1/1.38 = 19/69
# --------------------------------------------------------------------------------------------
HAND = {"USA": [Y, Y, A, N, Y, X, NM, Y], "FRA": [Y, N, A, N, A, Y, Y, X]}


def test_hand_case_absolute():
    df = dyad_measures(make_panel(HAND), min_votes=1)
    assert list(df.columns) == ["period", "state_a", "state_b", "measure", "value", "lo", "hi",
                                "n", "n_absent", "n_nonmember"]
    assert set(df["state_a"]) == {"USA"} and set(df["state_b"]) == {"FRA"}
    assert value(df, "agreement") == pytest.approx(0.7)
    assert value(df, "S") == pytest.approx(0.4)
    assert value(df, "kappa") == pytest.approx(0.4)
    assert value(df, "pi") == pytest.approx(1 / 3)
    assert value(df, "coincidence") == pytest.approx(2 / 3)
    assert value(df, "agreement", col="n") == 5
    assert value(df, "coincidence", col="n") == 3
    assert (df["n_absent"] == 2).all() and (df["n_nonmember"] == 1).all()
    assert df["lo"].isna().all() and df["hi"].isna().all()
    assert (df["period"] == "all").all()


def test_hand_case_squared():
    df = dyad_measures(make_panel(HAND), min_votes=1, distance="squared")
    assert value(df, "agreement") == pytest.approx(0.75)
    assert value(df, "S") == pytest.approx(0.5)
    assert value(df, "kappa") == pytest.approx(14 / 39)
    assert value(df, "pi") == pytest.approx(19 / 69)
    assert value(df, "coincidence") == pytest.approx(2 / 3)  # distance does not enter


def test_hand_case_tables_and_position_matrix():
    panel = make_panel(HAND)
    t = pair_tables(panel)
    assert t.shape == (2, 2, 3, 3) and t.dtype == np.int64
    expected = np.array([[1, 1, 1], [0, 1, 0], [0, 0, 1]])  # rows USA Y/A/N, cols FRA
    np.testing.assert_array_equal(t[0, 1], expected)
    np.testing.assert_array_equal(t[1, 0], expected.T)
    # diagonal: USA's own tallies Y = 4 (r1, r2, r5, r8), A = 1 (r3), N = 1 (r4)
    np.testing.assert_array_equal(np.diag(t[0, 0]), [4, 1, 1])
    t4 = pair_tables(panel, include_absent=True)
    assert t4.shape == (2, 2, 4, 4)
    np.testing.assert_array_equal(t4[0, 1, :3, :3], expected)
    assert t4[0, 1, 3, 0] == 1  # r6: USA X, FRA Y
    assert t4[0, 1, 0, 3] == 1  # r8: USA Y, FRA X
    assert t4[0, 1].sum() == 7  # r7 (non-member) never counts
    pm = position_matrix(panel, "USA", "FRA", include_absent=True)
    assert list(pm.index) == ["Y", "A", "N", "X"] and list(pm.columns) == ["Y", "A", "N", "X"]
    assert pm.index.name == "USA" and pm.columns.name == "FRA"
    assert pm.loc["Y", "N"] == 1 and pm.loc["X", "Y"] == 1 and pm.to_numpy().sum() == 7
    pm3 = position_matrix(panel, "FRA", "USA")
    np.testing.assert_array_equal(pm3.to_numpy(), expected.T)
    # measures_from_tables on the 4x4 ignores X
    m = measures_from_tables(t4, min_votes=1)
    assert m["pi"][0, 1] == pytest.approx(1 / 3)
    assert m["kappa"].shape == (2, 2)


def test_min_votes_nan_keeps_n():
    df = dyad_measures(make_panel(HAND))  # default min_votes=10 > n = 5
    assert df["value"].isna().all()
    assert value(df, "agreement", col="n") == 5
    assert value(df, "coincidence", col="n") == 3
    df = dyad_measures(make_panel(HAND), min_votes=4)
    assert value(df, "agreement") == pytest.approx(0.7)
    assert math.isnan(value(df, "coincidence"))  # its own n = 3 < 4


def test_expected_distance_zero_is_nan():
    # Both always Y: D_o = 0, D_e = 0 -> kappa, pi undefined; agreement = S = 1
    p = make_panel({"A": [Y, Y, Y], "B": [Y, Y, Y]})
    m = measures_from_tables(pair_tables(p), min_votes=1)
    assert m["agreement"][0, 1] == 1.0 and m["S"][0, 1] == 1.0
    assert m["coincidence"][0, 1] == 1.0
    assert math.isnan(m["kappa"][0, 1]) and math.isnan(m["pi"][0, 1])
    # A always Y, B always N: kappa D_e = |1-3| = 2 = D_o -> kappa 0;
    # pi m = (.5, 0, .5): D_e = 2*.5*.5*2 = 1 -> pi = 1 - 2/1 = -1
    p = make_panel({"A": [Y, Y, Y], "B": [N, N, N]})
    m = measures_from_tables(pair_tables(p), min_votes=1)
    assert m["kappa"][0, 1] == pytest.approx(0.0)
    assert m["pi"][0, 1] == pytest.approx(-1.0)
    assert m["agreement"][0, 1] == 0.0 and m["S"][0, 1] == -1.0
    assert m["coincidence"][0, 1] == 0.0


def test_kappa_pi_differ_with_different_marginals_equal_with_same():
    # A: Y Y Y N, B: Y Y N N. Table: YY=2, YN=1, NN=1; D_o = 2/4 = .5
    # r = (.75, 0, .25), c = (.5, 0, .5): kappa D_e = .75*.5*2 + .25*.5*2 = 1 -> kappa = .5
    # m = (.625, 0, .375): pi D_e = 2*.625*.375*2 = .9375 -> pi = 1 - .5/.9375 = 7/15
    p = make_panel({"A": [Y, Y, Y, N], "B": [Y, Y, N, N]})
    m = measures_from_tables(pair_tables(p), min_votes=1)
    assert m["kappa"][0, 1] == pytest.approx(0.5)
    assert m["pi"][0, 1] == pytest.approx(7 / 15)
    # Same marginals (A: Y Y N N, B: Y N Y N): r = c = (.5, 0, .5)
    # D_o = 2*2/4 = 1, D_e = 1 -> kappa = pi = 0
    p = make_panel({"A": [Y, Y, N, N], "B": [Y, N, Y, N]})
    m = measures_from_tables(pair_tables(p), min_votes=1)
    assert m["kappa"][0, 1] == pytest.approx(0.0)
    assert m["pi"][0, 1] == pytest.approx(0.0)


def test_state_department_coincidence():
    #       r1 r2 r3 r4 r5 r6 r7 r8 r9 r10
    # USA:  Y  N  Y  N  A  Y  A  X  Y  -
    # GBR:  Y  N  N  Y  Y  A  A  Y  Y  Y
    # identical Y/N: r1 (YY), r2 (NN), r9 (YY) = 3; opposite: r3 (YN), r4 (NY) = 2
    # abstentions (r5, r6, r7), the absence (r8) and non-membership (r10) are left out
    # coincidence = 3 / (3 + 2) = 0.6 with n = 5 (while the Y/A/N measures rest on n = 8)
    p = make_panel({"USA": [Y, N, Y, N, A, Y, A, X, Y, NM],
                    "GBR": [Y, N, N, Y, Y, A, A, Y, Y, Y]})
    df = dyad_measures(p, min_votes=5, measures=["coincidence", "agreement"])
    assert value(df, "coincidence") == pytest.approx(0.6)
    assert value(df, "coincidence", col="n") == 5
    assert value(df, "agreement", col="n") == 8
    # agreement: distances 0,0,2,2,1,1,0,0 -> 6/8 = .75 -> 1 - .75/2 = .625
    assert value(df, "agreement") == pytest.approx(0.625)
    assert list(df["measure"]) == ["coincidence", "agreement"]
    assert (df["n_absent"] == 1).all() and (df["n_nonmember"] == 1).all()
    # no Y/N pair at all -> NaN, n = 0
    p = make_panel({"A": [A, A, Y], "B": [Y, N, A]})
    m = measures_from_tables(pair_tables(p), measures=["coincidence"], min_votes=0)
    assert math.isnan(m["coincidence"][0, 1])


def test_all_dyads_pairs_and_periods():
    rows = {"AAA": [Y, N, A, Y, X, Y], "BBB": [Y, Y, A, N, Y, NM], "CCC": [N, N, Y, Y, A, A]}
    p = make_panel(rows)
    df = dyad_measures(p, min_votes=1)
    dyads = df[["state_a", "state_b"]].drop_duplicates().astype(str)
    assert [tuple(r) for r in dyads.to_numpy()] == [("AAA", "BBB"), ("AAA", "CCC"),
                                                    ("BBB", "CCC")]
    assert len(df) == 3 * len(MEASURES)
    # pairs: any orientation, same numbers (symmetric measures)
    dp = dyad_measures(p, pairs=[("CCC", "AAA")], min_votes=1)
    for m in MEASURES:
        assert value(dp, m, "CCC", "AAA") == pytest.approx(value(df, m, "AAA", "CCC"),
                                                           nan_ok=True)
    # periods: r1-r3 in 2001, r4-r6 in 2000 -> sorted labels, each equals the sub-panel
    per = np.array([2001, 2001, 2001, 2000, 2000, 2000])
    dq = dyad_measures(p, periods=per, min_votes=1)
    assert list(dq["period"].unique()) == [2000, 2001]
    sub = dyad_measures(p.select_resolutions(per == 2000), min_votes=1)
    got = dq[dq["period"] == 2000].reset_index(drop=True)
    pd.testing.assert_series_equal(got["value"], sub["value"])
    pd.testing.assert_series_equal(got["n_nonmember"], sub["n_nonmember"])
    # BBB-? in 2000: r6 BBB non-member -> n_nonmember = 1; AAA absent on r5 -> AAA-BBB n_absent 1
    ab = got[(got["state_a"] == "AAA") & (got["state_b"] == "BBB")]
    assert (ab["n"] == [1] * len(MEASURES)).all()  # only r4 (Y vs N) used
    assert (ab["n_absent"] == 1).all() and (ab["n_nonmember"] == 1).all()
    # the resolution date works as a period source too
    dy = dyad_measures(p, periods="year", min_votes=1)
    assert set(dy["period"]) == {2000}
    # missing period labels drop resolutions
    per2 = pd.Series([2000, None, 2000, 2000, None, 2000])
    dn = dyad_measures(p, periods=per2, min_votes=1, measures="agreement")
    assert (dn["n"] + dn["n_absent"] + dn["n_nonmember"] == 4).all()


def test_errors():
    p = make_panel(HAND)
    with pytest.raises(MeasureError, match="unknown measure"):
        dyad_measures(p, measures=["tau"])
    with pytest.raises(MeasureError):
        dyad_measures(p, distance="euclid")
    with pytest.raises(MeasureError):
        dyad_measures(p, periods=np.array([1, 2]))
    with pytest.raises(MeasureError):
        dyad_measures(p, periods="nope")
    with pytest.raises(MeasureError):
        dyad_measures(p, bootstrap=10, ci=1.5)
    with pytest.raises(ComityError):
        paired_difference(p, "USA", "FRA", "FRA", measure="tau")
    with pytest.raises(UnknownStateError):
        dyad_measures(p, pairs=[("USA", "XXX")])
    with pytest.raises(UnknownStateError):
        position_matrix(p, "USA", "XXX")
    with pytest.raises(MeasureError):
        measures_from_tables(np.zeros((2, 2)))
    assert issubclass(MeasureError, ValueError)


# -- majority alignment and divergent votes -----------------------------------------------------
def test_majority_alignment_hand_case():
    #        r1 r2 r3 r4
    # S1:    Y  Y  A  N
    # S2:    Y  N  A  N
    # S3:    N  Y  X  Y
    # S4:    A  N  -  N
    # r1: Y2 A1 N1 -> plurality Y ; r2: Y2 N2 -> tie, left out ; r3: A2 -> A ; r4: N3 Y1 -> N
    # S1: r1 hit, r3 hit, r4 hit -> 3/3 ; S2: r1, r3, r4 hits -> 3/3
    # S3: r1 miss, r3 absent, r4 miss -> 0/2 ; S4: r1 miss, r3 non-member, r4 hit -> 1/2
    p = make_panel({"S1": [Y, Y, A, N], "S2": [Y, N, A, N], "S3": [N, Y, X, Y],
                    "S4": [A, N, NM, N]})
    df = majority_alignment(p, min_votes=1)
    assert list(df.columns) == ["period", "state", "value", "n"]
    got = df.set_index(df["state"].astype(str))
    assert got.loc["S1", "value"] == 1.0 and got.loc["S1", "n"] == 3
    assert got.loc["S3", "value"] == 0.0 and got.loc["S3", "n"] == 2
    assert got.loc["S4", "value"] == 0.5 and got.loc["S4", "n"] == 2
    # default min_votes = 10 -> NaN, n kept
    df = majority_alignment(p)
    assert df["value"].isna().all() and list(df["n"]) == [3, 3, 2, 2]
    # per period: r1, r2 in 1990; r3, r4 in 1991
    df = majority_alignment(p, periods=np.array([1990, 1990, 1991, 1991]), min_votes=1)
    s4 = df[df["state"] == "S4"]
    assert list(s4["period"]) == [1990, 1991]
    assert list(s4["value"]) == [0.0, 1.0] and list(s4["n"]) == [1, 1]


def test_majority_alignment_official_tallies():
    # Only two states in the panel, but the official tallies say r1 was 100 N to 3 Y.
    p = make_panel({"S1": [Y, Y], "S2": [Y, N]}, yes=[3, 90], no=[100, 10], abstain=[0, 5])
    off = majority_alignment(p, min_votes=1, tallies="official")
    assert list(off["value"]) == [0.5, 0.0]  # S1: r1 miss, r2 hit ; S2: r1 miss, r2 miss
    pan = majority_alignment(p, min_votes=1)  # r1: Y2 -> Y ; r2: Y1 N1 tie, out
    assert list(pan["value"]) == [1.0, 1.0] and list(pan["n"]) == [1, 1]


def test_contestedness():
    # 1 - |y - n| / (y + n): 50/50 -> 1 ; 90/10 -> .2 ; 10/0 -> 0 ; 0/0 -> 0 by convention
    np.testing.assert_allclose(contestedness([50, 90, 10, 0], [50, 10, 0, 0]), [1, .2, 0, 0])


def test_divergent_votes_ranking():
    # 6 states; USA vs RUS differ on r1, r2, r3, r5 (r4 same, r6 RUS absent)
    #        r1 r2 r3 r4 r5 r6
    # USA:   Y  Y  N  Y  A  Y
    # RUS:   N  A  Y  Y  N  X
    # S3:    Y  Y  Y  Y  Y  N
    # S4:    N  Y  Y  Y  Y  N
    # S5:    N  N  Y  Y  Y  N
    # S6:    Y  N  A  Y  Y  N
    # Y/N counts: r1 Y3 N3 -> 1.0 ; r2 Y3 N2 -> 1 - 1/5 = .8 ; r3 Y4 N1 -> 1 - 3/5 = .4 ;
    #             r5 Y4 N1 -> .4
    # ranking: r1 (1.0), r2 (.8), then r3 and r5 tie at .4: r3 is Y vs N (distance 2), r5 is
    # A vs N (distance 1) -> r3 before r5
    rows = {"USA": [Y, Y, N, Y, A, Y], "RUS": [N, A, Y, Y, N, X], "S3": [Y, Y, Y, Y, Y, N],
            "S4": [N, Y, Y, Y, Y, N], "S5": [N, N, Y, Y, Y, N], "S6": [Y, N, A, Y, Y, N]}
    p = make_panel(rows)
    df = divergent_votes(p, "USA", "RUS")
    assert list(df["rid"]) == [1, 2, 3, 5]
    np.testing.assert_allclose(df["contestedness"], [1.0, 0.8, 0.4, 0.4])
    assert list(df["vote_a"]) == ["Y", "Y", "N", "A"]
    assert list(df["vote_b"]) == ["N", "A", "Y", "N"]
    assert list(df["distance"]) == [2, 1, 2, 1]
    assert list(df["yes"]) == [3, 3, 4, 4] and list(df["no"]) == [3, 2, 1, 1]
    assert {"symbol", "date", "title"} <= set(df.columns)
    assert list(divergent_votes(p, "USA", "RUS", top=2)["rid"]) == [1, 2]
    # reindexed resolutions frame (non-range index) must not confuse row selection
    p2 = Panel(votes=p.votes, states=p.states, resolutions=p.resolutions.set_index("symbol",
                                                                              drop=False))
    assert list(divergent_votes(p2, "USA", "RUS", top=None)["rid"]) == [1, 2, 3, 5]


# -- properties ---------------------------------------------------------------------------------
codes = st.sampled_from([Y, A, N, X, NM])


@st.composite
def vote_panels(draw, min_states=2, max_states=5, max_res=30):
    s = draw(st.integers(min_states, max_states))
    r = draw(st.integers(0, max_res))
    votes = draw(hnp.arrays(np.int8, (s, r), elements=codes))
    return Panel(votes=votes, states=tuple(f"S{i}" for i in range(s)),
                 resolutions=pd.DataFrame({"rid": np.arange(r)}))


def reference(va: np.ndarray, vb: np.ndarray, distance: str = "absolute") -> dict[str, float]:
    """Loop-by-loop implementation of the definitions (min_votes = 1)."""
    both = [(int(a), int(b)) for a, b in zip(va, vb, strict=True) if a in (1, 2, 3)
            and b in (1, 2, 3)]
    out = dict.fromkeys(MEASURES, math.nan)
    power = 1 if distance == "absolute" else 2
    dmax = 2**power

    def d(x, y):
        return abs(x - y) ** power

    if both:
        n = len(both)
        d_o = sum(d(a, b) for a, b in both) / n
        out["agreement"] = 1 - d_o / dmax
        out["S"] = 1 - 2 * d_o / dmax
        pa = [sum(a == k for a, _ in both) / n for k in (1, 2, 3)]
        pb = [sum(b == k for _, b in both) / n for k in (1, 2, 3)]
        pm = [(x + y) / 2 for x, y in zip(pa, pb, strict=True)]
        de_k = sum(pa[i] * pb[j] * d(i, j) for i in range(3) for j in range(3))
        de_p = sum(pm[i] * pm[j] * d(i, j) for i in range(3) for j in range(3))
        out["kappa"] = 1 - d_o / de_k if de_k > 0 else math.nan
        out["pi"] = 1 - d_o / de_p if de_p > 0 else math.nan
        out["identical"] = sum(a == b for a, b in both) / n
    same = sum(a == b and a in (1, 3) for a, b in both)
    opp = sum({a, b} == {1, 3} for a, b in both)
    if same + opp:
        out["coincidence"] = same / (same + opp)
    return out


@settings(max_examples=150, deadline=None)
@given(vote_panels(), st.sampled_from(["absolute", "squared"]))
def test_matches_loop_reference(panel, distance):
    m = measures_from_tables(pair_tables(panel), min_votes=1, distance=distance)
    for i in range(panel.n_states):
        for j in range(panel.n_states):
            ref = reference(panel.votes[i], panel.votes[j], distance)
            for name in MEASURES:
                assert m[name][i, j] == pytest.approx(ref[name], nan_ok=True, abs=1e-12)


@settings(max_examples=150, deadline=None)
@given(vote_panels(), st.sampled_from(["absolute", "squared"]))
def test_symmetry_bounds_identity(panel, distance):
    t = pair_tables(panel)
    m = measures_from_tables(t, min_votes=1, distance=distance)
    n = t.sum(axis=(2, 3))
    for name, v in m.items():
        np.testing.assert_array_equal(np.isnan(v), np.isnan(v.T))
        np.testing.assert_allclose(v, v.T, rtol=0, atol=1e-12)
        # never a real-looking number without votes
        assert np.isnan(v[n == 0]).all()
        ok = ~np.isnan(v)
        if name in ("agreement", "coincidence"):
            assert ((v[ok] >= 0) & (v[ok] <= 1)).all()
        elif name == "S":
            assert ((v[ok] >= -1) & (v[ok] <= 1)).all()
        else:
            assert (v[ok] <= 1 + 1e-12).all()
        # identity: a state with itself scores 1 wherever the measure is defined
        d = np.diag(v)
        np.testing.assert_allclose(d[~np.isnan(d)], 1.0)
    # coverage partition
    df = dyad_measures(panel, min_votes=1, measures=["agreement"])
    assert (df["n"] + df["n_absent"] + df["n_nonmember"] == panel.n_resolutions).all()


@settings(max_examples=100, deadline=None)
@given(vote_panels(), st.randoms(use_true_random=False))
def test_invariant_to_resolution_order(panel, rnd):
    perm = list(range(panel.n_resolutions))
    rnd.shuffle(perm)
    shuffled = Panel(votes=panel.votes[:, perm], states=panel.states,
                     resolutions=panel.resolutions.iloc[perm].reset_index(drop=True))
    a = dyad_measures(panel, min_votes=1)
    b = dyad_measures(shuffled, min_votes=1)
    pd.testing.assert_frame_equal(a, b, check_exact=False, rtol=1e-12, atol=1e-12)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from([Y, A, N]), min_size=1, max_size=25), st.randoms(
    use_true_random=False))
def test_kappa_equals_pi_with_equal_marginals(votes, rnd):
    other = list(votes)
    rnd.shuffle(other)  # a permutation of the same votes: identical marginal distributions
    p = make_panel({"A": votes, "B": other})
    for distance in ("absolute", "squared"):
        m = measures_from_tables(pair_tables(p), min_votes=1, distance=distance)
        assert m["kappa"][0, 1] == pytest.approx(m["pi"][0, 1], nan_ok=True)


# -- bootstrap ----------------------------------------------------------------------------------
def simulate_dyads(rng: np.random.Generator, joint: np.ndarray, n_sims: int, n_res: int) -> Panel:
    """Two states; period k holds n_res resolutions drawn iid from the 3x3 ``joint``."""
    cells = rng.choice(9, size=n_sims * n_res, p=joint.ravel())
    votes = np.stack([cells // 3 + 1, cells % 3 + 1]).astype(np.int8)
    res = pd.DataFrame({"rid": np.arange(n_sims * n_res),
                        "period": np.repeat(np.arange(n_sims), n_res)})
    return Panel(votes=votes, states=("A", "B"), resolutions=res)


def copy_joint(p_a, p_b, q):
    """B copies A with probability q, else votes independently with marginal p_b."""
    p_a, p_b = np.asarray(p_a), np.asarray(p_b)
    return p_a[:, None] * (q * np.eye(3) + (1 - q) * p_b[None, :])


def test_bootstrap_coverage():
    # 2,000 simulated dyads, each in its own period of 151 resolutions drawn iid from a known
    # joint distribution; the true values are the population measures of that joint
    # distribution (a 3x3 table of probabilities, min_votes=0). 151 (not 150) keeps the true
    # agreement 0.77 off the lattice of attainable sample values (ties at a bound).
    joint = copy_joint([0.6, 0.15, 0.25], [0.4, 0.3, 0.3], q=0.5)
    truth = measures_from_tables(joint, min_votes=0)
    assert truth["agreement"] == pytest.approx(0.77)  # 1 - E|vi - vj|/2
    rng = np.random.default_rng(20240611)
    n_sims = 2000
    panel = simulate_dyads(rng, joint, n_sims=n_sims, n_res=151)
    df = dyad_measures(panel, periods="period", bootstrap=1000, seed=7)
    for name in MEASURES:
        sub = df[df["measure"] == name]
        assert len(sub) == n_sims and sub["lo"].notna().all()
        cover = ((sub["lo"] <= truth[name]) & (truth[name] <= sub["hi"])).mean()
        assert 0.93 <= cover <= 0.97, (name, cover)


def test_bootstrap_reproducible_and_brackets():
    rng = np.random.default_rng(3)
    two = simulate_dyads(rng, copy_joint([0.5, 0.2, 0.3], [0.3, 0.3, 0.4], 0.6), 4, 60)
    third = rng.choice(np.array([Y, A, N, X, NM], dtype=np.int8), size=(1, two.n_resolutions))
    panel = Panel(votes=np.vstack([two.votes, third]), states=("A", "B", "C"),
                  resolutions=two.resolutions)
    kw = {"periods": "period", "bootstrap": 500, "seed": 11}
    a = dyad_measures(panel, **kw)
    b = dyad_measures(panel, **kw)
    pd.testing.assert_frame_equal(a, b)
    # percentile bounds need not bracket a skewed statistic, but do here for the proportions
    ok = a["lo"].notna() & a["measure"].isin(["agreement", "S"])
    assert ok.sum() > 10
    assert ((a.loc[ok, "lo"] <= a.loc[ok, "value"]) & (a.loc[ok, "value"] <= a.loc[ok, "hi"])
            ).all()
    # bounds only where the value is defined
    assert a.loc[a["value"].isna(), "lo"].isna().all()
    c = dyad_measures(panel, **{**kw, "seed": 12})
    assert not np.allclose(a["lo"], c["lo"])
    # the interval for a pair requested alone equals the one computed among all dyads
    d = dyad_measures(panel, pairs=[("B", "C")], **kw)
    pd.testing.assert_frame_equal(a[a["state_a"] == "B"].reset_index(drop=True), d)


def test_bootstrap_undefined_draws():
    # n = 10 = min_votes: about half of the draws have n < 10 -> bounds NaN, value kept
    votes = {"A": [Y] * 10 + [N] * 10 + [A] * 5, "B": [Y] * 5 + [N] * 5 + [X] * 15}
    df = dyad_measures(make_panel(votes), bootstrap=200, seed=1)
    assert df["value"].notna().any()
    assert df["lo"].isna().all() and df["hi"].isna().all()


def test_paired_difference_known_sign():
    # B copies A 90% of the time, C 20%: agreement(A,B) - agreement(A,C) > 0 in every period
    rng = np.random.default_rng(5)
    n_per, n_res = 3, 80
    a = rng.choice([Y, A, N], size=n_per * n_res, p=[0.5, 0.2, 0.3])
    b = np.where(rng.random(a.size) < 0.9, a, rng.choice([Y, A, N], size=a.size))
    c = np.where(rng.random(a.size) < 0.2, a, rng.choice([Y, A, N], size=a.size))
    c[:5] = X  # C absent on 5 resolutions
    per = np.repeat([2001, 2002, 2003], n_res)
    p = make_panel({"A": list(a), "B": list(b), "C": list(c)})
    for measure in MEASURES:
        df = paired_difference(p, "A", "B", "C", measure=measure, periods=per, seed=1)
        assert list(df.columns[:7]) == ["period", "effect", "lo", "hi", "n_ab", "n_ac",
                                        "n_both"]
        assert list(df["period"]) == [2001, 2002, 2003]
        assert (df["effect"] > 0).all() and (df["lo"] > 0).all(), measure
        assert (df["lo"] <= df["effect"]).all() and (df["effect"] <= df["hi"]).all()
        # the effect is the difference of the two dyad values (default: each dyad's own votes)
        dm = dyad_measures(p, periods=per, measures=[measure],
                           pairs=[("A", "B"), ("A", "C")])
        ab = dm[dm["state_b"] == "B"]["value"].to_numpy()
        ac = dm[dm["state_b"] == "C"]["value"].to_numpy()
        np.testing.assert_allclose(df["effect"], ab - ac)
        np.testing.assert_array_equal(df["n_ab"], dm[dm["state_b"] == "B"]["n"])
    df = paired_difference(p, "A", "B", "C", periods=per, seed=1)
    assert list(df["n_ab"]) == [80, 80, 80] and list(df["n_ac"]) == [75, 80, 80]
    assert list(df["n_both"]) == [75, 80, 80]
    # common=True: both dyads on the 75 resolutions where all three voted in 2001
    dc = paired_difference(p, "A", "B", "C", periods=per, seed=1, common=True)
    assert list(dc["n_ab"]) == [75, 80, 80]
    np.testing.assert_allclose(dc["effect"].iloc[1:], df["effect"].iloc[1:])
    # reversed roles flip the sign; same seed -> mirrored interval
    rv = paired_difference(p, "A", "C", "B", periods=per, seed=1)
    np.testing.assert_allclose(rv["effect"], -df["effect"])
    np.testing.assert_allclose(rv["lo"], -df["hi"])
    # no bootstrap -> no interval
    nb = paired_difference(p, "A", "B", "C", periods=per, bootstrap=0)
    assert nb["lo"].isna().all() and nb["effect"].notna().all()


def test_identical_is_the_share_of_identical_votes():
    """Voeten's agreement score: identical votes / votes both cast (Y/A/N); a Yes against an
    Abstain is a disagreement (agreement gives it half credit)."""
    # 8 shared votes: YY NN AA YA AY YN NA YY -> identical 4/8 = 0.5;
    # agreement = 1 - (0+0+0+1+1+2+1+0)/8/2 = 1 - 5/16 = 0.6875; X and non-member left out
    p = make_panel({"AAA": [Y, N, A, Y, A, Y, N, Y, X, NM],
                    "BBB": [Y, N, A, A, Y, N, A, Y, Y, Y]})
    d = dyad_measures(p, measures=["identical", "agreement"], min_votes=1)
    assert d.loc[d["measure"] == "identical", "value"].item() == 0.5
    assert d.loc[d["measure"] == "agreement", "value"].item() == 0.6875
    assert (d["n"] == 8).all()
    # below min_votes: NaN with its n
    d = dyad_measures(p, measures=["identical"], min_votes=9)
    assert np.isnan(d["value"].item()) and d["n"].item() == 8
