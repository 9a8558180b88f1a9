"""Tests of comity.analysis.align, comity.plots and comity.cli.align on hand-made panels and stores
whose answers are worked out by hand in the comments."""

from __future__ import annotations

import dataclasses
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from comity.analysis.align import AlignmentError, alignment, alignment_matrix, cohesion
from comity.analysis.measures import MEASURES, MeasureError, dyad_measures
from comity.analysis.query import TIDY_COLUMNS, bloc_position, resolve_party
from comity.analysis.results import AlignmentResult
from comity.errors import ComityError, UnknownBlocError, UnknownStateError
from comity.store.panel import Panel
from comity.world.blocs import Bloc, Membership
from tests import minidata as M

Y, A, N, X, NM = 1, 2, 3, 8, 9


def make_panel(rows: dict[str, list[int]], dates: list[str], **cols: list) -> Panel:
    states = tuple(rows)
    votes = np.array([rows[s] for s in states], dtype=np.int8)
    r = votes.shape[1]
    assert len(dates) == r
    base = {
        "rid": [f"R{k}" for k in range(r)],
        "body": ["GA"] * r,
        "session": [2000 - 1945] * r,
        "date": pd.to_datetime(dates),
        "symbol": [f"A/RES/{k}" for k in range(r)],
        "title": [f"title {k}" for k in range(r)],
        "issues": [[] for _ in range(r)],
        "important": [False] * r,
    }
    base.update(cols)
    return Panel(votes=votes, states=states, resolutions=pd.DataFrame(base))


def trio() -> dict[str, Bloc]:
    return {"trio": Bloc(key="trio", name="Trio", memberships=(
        Membership("FRA"), Membership("DEU"), Membership("ITA")))}


def one(df: pd.DataFrame, **sel: object) -> pd.Series:
    m = np.ones(len(df), dtype=bool)
    for k, v in sel.items():
        m &= (df[k].astype(str) == str(v)).to_numpy()
    rows = df[m]
    assert len(rows) == 1, rows
    return rows.iloc[0]


# --------------------------------------------------------------------------------------------
# bloc_position
#           r0 r1 r2 r3 r4 r5
#   m1:     Y  Y  Y  X  -  Y
#   m2:     Y  N  A  X  -  Y
#   m3:     N  N  A  X  -  Y
#   m4:     A  -  Y  -  -  N     (not a bloc member on r5)
# r0 Y2 N1 A1 -> Y ; r1 N2 Y1 -> N ; r2 Y2 A2 -> tie ; r3 all absent -> 8 (not a tie) ;
# r4 nobody in the UN -> 9 ; r5 Y3 (m4's N does not count) -> Y
# --------------------------------------------------------------------------------------------
def test_bloc_position_majority_ties_absent_nonmember() -> None:
    votes = np.array([[Y, Y, Y, X, NM, Y],
                      [Y, N, A, X, NM, Y],
                      [N, N, A, X, NM, Y],
                      [A, NM, Y, NM, NM, N]], dtype=np.int8)
    member = np.ones(votes.shape, dtype=bool)
    member[3, 5] = False
    codes, tied = bloc_position(votes, member)
    assert codes.tolist() == [Y, N, X, X, NM, Y]
    assert tied.tolist() == [False, False, True, False, False, False]
    assert codes.dtype == np.int8


def test_bloc_position_shape_mismatch() -> None:
    with pytest.raises(ValueError):
        bloc_position(np.ones((2, 3), np.int8), np.ones((3, 2), bool))


# --------------------------------------------------------------------------------------------
# State vs bloc "trio" = FRA, DEU, ITA (undated), all votes in 2000.
#            r0 r1 r2 r3 r4 r5
#   USA:     Y  Y  N  A  Y  X
#   FRA:     Y  N  N  Y  A  Y
#   DEU:     Y  N  Y  N  A  Y
#   ITA:     N  Y  A  A  X  Y
# trio majority: r0 Y ; r1 N ; r2 tie (N,Y,A) ; r3 tie (Y,N,A) ; r4 A ; r5 Y
# USA-trio: r0 1, r1 0, r4 .5 -> n 3, agreement .5 ; r2, r3 tied ; r5 USA absent
# FRA-trio, FRA left out -> DEU+ITA: r0 tie, r1 tie, r2 tie, r3 tie, r4 A, r5 Y
#   FRA: r4 A-A 1, r5 Y-Y 1 -> n 2, agreement 1, tied 4
# FRA-trio, include_self: r0 Y, r1 N, r2 tie, r3 tie, r4 A, r5 Y -> n 4, agreement 1, tied 2
# mean method, USA: USA-FRA 1,0,1,.5,.5 -> .6 ; USA-DEU 1,0,0,.5,.5 -> .4 ;
#   USA-ITA 0,1,.5,1 -> .625 ; mean .541666.. ; n 5 (r0..r4), r5 absent
# --------------------------------------------------------------------------------------------
ROWS = {
    "USA": [Y, Y, N, A, Y, X],
    "FRA": [Y, N, N, Y, A, Y],
    "DEU": [Y, N, Y, N, A, Y],
    "ITA": [N, Y, A, A, X, Y],
}
DATES_2000 = ["2000-02-01", "2000-03-01", "2000-04-01", "2000-05-01", "2000-06-01", "2000-07-01"]


@pytest.fixture
def trio_panel() -> Panel:
    return make_panel(ROWS, DATES_2000)


def test_state_vs_bloc_majority_with_ties(trio_panel: Panel) -> None:
    r = alignment("USA", "trio", panel=trio_panel, blocs_file=trio(), period="all",
                  min_votes=1, bootstrap=0)
    row = one(r.to_frame())
    assert row["state_b"] == "trio"
    assert row["value"] == pytest.approx(0.5)
    assert (row["n"], row["n_tied"], row["n_absent"], row["n_nonmember"]) == (3, 2, 1, 0)
    assert math.isnan(row["lo"]) and math.isnan(row["hi"])


def test_state_left_out_of_its_own_bloc(trio_panel: Panel) -> None:
    r = alignment("FRA", "trio", panel=trio_panel, blocs_file=trio(), period="all",
                  min_votes=1, bootstrap=0)
    row = one(r.to_frame())
    assert row["value"] == pytest.approx(1.0)
    assert (row["n"], row["n_tied"], row["n_absent"]) == (2, 4, 0)
    r = alignment("FRA", "trio", panel=trio_panel, blocs_file=trio(), period="all",
                  min_votes=1, bootstrap=0, include_self=True)
    row = one(r.to_frame())
    assert (row["n"], row["n_tied"]) == (4, 2)
    assert r.query["include_self"] is True


def test_bloc_first_is_symmetric(trio_panel: Panel) -> None:
    a = one(alignment("USA", "trio", panel=trio_panel, blocs_file=trio(), period="all",
                      min_votes=1, bootstrap=0).to_frame())
    b = one(alignment("trio", "USA", panel=trio_panel, blocs_file=trio(), period="all",
                      min_votes=1, bootstrap=0).to_frame())
    assert b["state_a"] == "trio" and b["state_b"] == "USA"
    assert a["value"] == b["value"] and a["n_tied"] == b["n_tied"]


def test_mean_method(trio_panel: Panel) -> None:
    r = alignment("USA", "trio", panel=trio_panel, blocs_file=trio(), period="all",
                  min_votes=1, bootstrap=200, seed=1, bloc_method="mean")
    row = one(r.to_frame())
    assert row["value"] == pytest.approx((0.6 + 0.4 + 0.625) / 3)
    assert (row["n"], row["n_absent"], row["n_nonmember"], row["n_tied"]) == (5, 1, 0, 0)
    # the interval by the bootstrap contract (issue 21): default_rng(1), 200 draws of 6 of
    # r0..r5; each draw is the mean over the dyads of their agreement on the drawn votes
    pos = {Y: 0, A: 1, N: 2}

    def agree(a: list[int], b: list[int], idx: np.ndarray) -> float:
        d = [abs(pos[a[i]] - pos[b[i]]) for i in idx if a[i] in pos and b[i] in pos]
        return 1 - np.mean(d) / 2 if d else np.nan

    draws = []
    for idx in np.random.default_rng(1).integers(0, 6, size=(200, 6)):
        vals = [agree(ROWS["USA"], ROWS[m], idx) for m in ("FRA", "DEU", "ITA")]
        draws.append(np.nanmean(vals))
    lo, hi = np.percentile(draws, [2.5, 97.5])
    assert (row["lo"], row["hi"]) == (pytest.approx(lo), pytest.approx(hi))
    # with min_votes=5 the USA-ITA dyad (4 votes) drops out of the mean
    r = alignment("USA", "trio", panel=trio_panel, blocs_file=trio(), period="all",
                  min_votes=5, bootstrap=0, bloc_method="mean")
    assert one(r.to_frame())["value"] == pytest.approx(0.5)


def test_cohesion_by_hand(trio_panel: Panel) -> None:
    # per resolution: r0 Y2 N1 -> (2 - .5)/3 = .5 ; r1 .5 ; r2 (1 - 1)/3 = 0 ; r3 0 ;
    # r4 A2 (ITA absent) -> 1 ; r5 Y3 -> 1 ; mean 3/6 = .5 ; members voting 17/6
    c = cohesion("trio", panel=trio_panel, blocs_file=trio(), period="all", min_votes=1,
                 bootstrap=500, seed=2)
    row = one(c.to_frame())
    assert row["value"] == pytest.approx(0.5)
    assert (row["n"], row["n_excluded"], row["n_nonmember"]) == (6, 0, 0)
    assert row["members"] == pytest.approx(17 / 6)
    # the bootstrap of measures' contract: default_rng(2), 500 draws of 6 of r0..r5 -> the
    # percentile interval of the draws' mean score (issue 21: an exact value, not a bracket)
    scores = np.array([0.5, 0.5, 0.0, 0.0, 1.0, 1.0])
    draws = scores[np.random.default_rng(2).integers(0, 6, size=(500, 6))].mean(axis=1)
    lo, hi = np.percentile(draws, [2.5, 97.5])
    assert (row["lo"], row["hi"]) == (pytest.approx(lo), pytest.approx(hi))
    assert (lo, hi) == (pytest.approx(1 / 6), pytest.approx(5 / 6))
    # three members must vote: r4 is left out -> 2/5
    c = cohesion("trio", panel=trio_panel, blocs_file=trio(), period="all", min_votes=1,
                 bootstrap=0, min_members=3)
    row = one(c.to_frame())
    assert row["value"] == pytest.approx(0.4)
    assert (row["n"], row["n_excluded"]) == (5, 1)
    assert "Trio" in c.summary()


# --------------------------------------------------------------------------------------------
# The UK leaves the EU (built-in bloc; its last day as a member is 2020-01-31).
#             r0 2019-06-01  r1 2020-01-31  r2 2020-02-01  r3 2021-06-01
#   USA:      Y              Y              Y              Y
#   GBR:      Y              Y              Y              Y
#   FRA:      Y              Y              N              N
#   DEU:      N              N              N              N
# EU position (other members not in the panel): r0 Y, r1 Y (GBR still in), r2 N, r3 N
# USA-EU by year: 2019 1.0 ; 2020 (1 + 0)/2 = .5 ; 2021 0
# GBR-EU, GBR left out: r0, r1 tie (FRA Y, DEU N) ; r2 Y-N 0 ; r3 0
# EU cohesion: r0 (2 - .5)/3 = .5 ; r1 .5 ; r2 1 ; r3 1
# --------------------------------------------------------------------------------------------
@pytest.fixture
def brexit_panel() -> Panel:
    return make_panel(
        {"USA": [Y, Y, Y, Y], "GBR": [Y, Y, Y, Y], "FRA": [Y, Y, N, N], "DEU": [N, N, N, N]},
        ["2019-06-01", "2020-01-31", "2020-02-01", "2021-06-01"])


def test_bloc_with_changing_membership(brexit_panel: Panel) -> None:
    f = alignment("USA", "EU", panel=brexit_panel, min_votes=1, bootstrap=0).to_frame()
    assert f["period"].tolist() == [2019, 2020, 2021]
    assert f["value"].tolist() == pytest.approx([1.0, 0.5, 0.0])
    assert f["n"].tolist() == [1, 2, 1]
    g = alignment("GBR", "EU", panel=brexit_panel, min_votes=1, bootstrap=0).to_frame()
    assert math.isnan(g["value"].iloc[0])  # 2019: only a tie
    assert g["n_tied"].tolist() == [1, 1, 0]
    assert g["value"].iloc[1:].tolist() == pytest.approx([0.0, 0.0])
    c = cohesion("EU", panel=brexit_panel, min_votes=1, bootstrap=0, period="year").to_frame()
    assert c["value"].tolist() == pytest.approx([0.5, 0.75, 1.0])


def test_predecessor_and_successor_in_one_bloc_count_once() -> None:
    # RUS's row carries the USSR's 1985 vote (flagged, as store.panel does with lineage); a user
    # bloc lists SUN, RUS and FRA without dates: 1985 = SUN Y, FRA N -> tie (not Y 2 - N 1)
    votes = np.array([[Y, N], [Y, NM], [N, N], [Y, Y]], dtype=np.int8)
    flagged = np.zeros(votes.shape, dtype=bool)
    flagged[0, 0] = True
    res = pd.DataFrame({"rid": ["a", "b"], "date": pd.to_datetime(["1985-06-01", "1995-06-01"]),
                        "body": "GA"})
    p = Panel(votes=votes, states=("RUS", "SUN", "FRA", "USA"), resolutions=res,
              flagged=flagged)
    blocs = {"duo": Bloc(key="duo", name="Duo", memberships=(
        Membership("SUN"), Membership("RUS"), Membership("FRA")))}
    f = alignment("USA", "duo", panel=p, blocs_file=blocs, period="all", min_votes=1,
                  bootstrap=0).to_frame()
    row = one(f)
    assert (row["n"], row["n_tied"]) == (1, 1)  # 1995: RUS N, FRA N -> N vs USA Y
    assert row["value"] == 0.0


# --------------------------------------------------------------------------------------------
# Periods. A always Y; B's votes give per-resolution agreement 1, 1, 0, 1, .5, 0, 1.
#   date        session
#   2000-03-01  54
#   2000-10-01  55
#   2001-03-01  55
#   2001-10-01  56
#   2002-03-01  56
#   2002-10-01  57
#   2003-03-01  57
# --------------------------------------------------------------------------------------------
P_DATES = ["2000-03-01", "2000-10-01", "2001-03-01", "2001-10-01", "2002-03-01", "2002-10-01",
           "2003-03-01"]


@pytest.fixture
def period_panel() -> Panel:
    return make_panel({"USA": [Y] * 7, "CAN": [Y, Y, N, Y, A, N, Y]}, P_DATES,
                      session=[54, 55, 55, 56, 56, 57, 57])


def run(p: Panel, **kw: object) -> pd.DataFrame:
    kw = {"min_votes": 1, "bootstrap": 0, **kw}
    return alignment("USA", "CAN", panel=p, **kw).to_frame()  # type: ignore[arg-type]


def test_period_year(period_panel: Panel) -> None:
    f = run(period_panel)
    assert f["period"].tolist() == [2000, 2001, 2002, 2003]
    assert f["value"].tolist() == pytest.approx([1.0, 0.5, 0.25, 1.0])
    assert f["start"].iloc[0] == pd.Timestamp("2000-01-01")
    assert f["end"].iloc[0] == pd.Timestamp("2000-12-31")
    f = run(period_panel, start=2001, end="2002")
    assert f["period"].tolist() == [2001, 2002]
    f = run(period_panel, start="2001-06-01")
    assert f["start"].iloc[0] == pd.Timestamp("2001-06-01")  # clipped to the query
    assert f["n"].iloc[0] == 1


def test_period_session(period_panel: Panel) -> None:
    f = run(period_panel, period="session")
    assert f["period"].tolist() == [54, 55, 56, 57]
    assert f["value"].tolist() == pytest.approx([1.0, 0.5, 0.75, 0.5])
    s55 = one(f, period=55)
    assert (s55["start"], s55["end"]) == (pd.Timestamp("2000-10-01"),
                                          pd.Timestamp("2001-03-01"))


def test_period_all_and_range(period_panel: Panel) -> None:
    f = run(period_panel, period="all")
    assert one(f)["value"] == pytest.approx(4.5 / 7)
    assert one(f)["n"] == 7
    f = run(period_panel, period=("2000-06-01", "2001-12-31"))
    row = one(f)
    assert row["period"] == "2000-06-01/2001-12-31"
    assert row["value"] == pytest.approx(2 / 3)


def test_period_custom_windows_may_overlap(period_panel: Panel) -> None:
    f = run(period_panel, period=[("early", 2000, 2001), ("late", "2001", "2003-12-31"),
                                  ("empty", 1990, 1991)])
    assert f["period"].tolist() == ["early", "late"]  # windows without votes are not reported
    assert f["value"].tolist() == pytest.approx([0.75, 0.5])
    assert f["n"].tolist() == [4, 5]


def test_period_rolling(period_panel: Panel) -> None:
    f = run(period_panel, period={"rolling": 2})
    assert f["period"].tolist() == ["2000-2001", "2001-2002", "2002-2003"]
    assert f["value"].tolist() == pytest.approx([0.75, 0.375, 0.5])
    assert f["n"].tolist() == [4, 4, 3]
    assert f["end"].iloc[0] == pd.Timestamp("2001-12-31")
    g = run(period_panel, period="rolling:2")
    pd.testing.assert_frame_equal(f, g)
    f = run(period_panel, period={"rolling": 2}, start=2001)
    assert f["period"].tolist() == ["2001-2002", "2002-2003"]
    f = run(period_panel, period={"rolling": 2, "step": 2})
    assert f["period"].tolist() == ["2000-2001", "2002-2003"]
    with pytest.raises(AlignmentError, match="no whole 10-year window"):
        run(period_panel, period={"rolling": 10})


def test_bad_periods_and_options(period_panel: Panel) -> None:
    for bad in ("decade", {"rolling": 0}, {"window": 2}, ("2001", "2000"), [("x", 2001)]):
        with pytest.raises(AlignmentError):
            run(period_panel, period=bad)
    with pytest.raises(AlignmentError, match="after end"):
        run(period_panel, start=2002, end=2001)
    with pytest.raises(AlignmentError, match="cannot read start"):
        run(period_panel, start="soon")
    with pytest.raises(AlignmentError, match="no recorded votes"):
        run(period_panel, start=1990, end=1991)
    with pytest.raises(MeasureError):
        run(period_panel, measure="tau-b")
    with pytest.raises(AlignmentError, match="bloc_method"):
        run(period_panel, bloc_method="median")
    assert issubclass(AlignmentError, ComityError)


def test_slices_issue_important_search_body() -> None:
    p = make_panel(
        {"USA": [Y, Y, Y, Y], "CAN": [Y, N, N, Y]},
        ["2000-01-01", "2000-02-01", "2000-03-01", "2000-04-01"],
        body=["GA", "GA", "GA", "SC"], issues=[["hr"], ["me", "hr"], ["ec"], []],
        important=[True, False, None, True],
        title=["Human rights in X", "Question of Palestine", "Trade", "Council matter"])
    f = run(p, issue="human rights", period="all")
    assert one(f)["n"] == 2 and one(f)["value"] == pytest.approx(0.5)
    f = run(p, issue="ME", period="all")
    assert one(f)["n"] == 1
    with pytest.raises(AlignmentError, match="unknown issue"):
        run(p, issue="fisheries")
    assert one(run(p, important=True, period="all"))["n"] == 1
    assert one(run(p, important=False, period="all"))["n"] == 2
    assert one(run(p, search="palestine", period="all"))["value"] == 0.0
    assert one(run(p, body="SC", period="all"))["n"] == 1
    assert one(run(p, body="both", period="all"))["n"] == 4
    with pytest.raises(AlignmentError, match="mix GA session"):
        run(p, body="both", period="session")
    with pytest.raises(AlignmentError, match="unknown body"):
        run(p, body="ECOSOC")


# --------------------------------------------------------------------------------------------
# Results objects
# --------------------------------------------------------------------------------------------
def test_results_object(period_panel: Panel) -> None:
    r = alignment("USA", "Canada", "trio", panel=period_panel, blocs_file=trio(),
                  measure=["agreement", "kappa"], bootstrap=50, seed=3, min_votes=1)
    assert isinstance(r, AlignmentResult)
    f = r.to_frame()
    assert tuple(f.columns) == TIDY_COLUMNS
    assert r.pairs == [("USA", "CAN"), ("USA", "trio")]
    assert r.measures == ("agreement", "kappa")
    assert r.query["period"] == "year" and r.query["seed"] == 3
    # coverage partitions the resolutions of each period
    per_year = {2000: 2, 2001: 2, 2002: 2, 2003: 1}
    total = f["n"] + f["n_absent"] + f["n_nonmember"] + f["n_tied"]
    assert (total == f["period"].map(per_year)).all()
    trio_rows = f[f["state_b"] == "trio"]
    assert (trio_rows["n_nonmember"] == trio_rows["period"].map(per_year)).all()
    assert trio_rows["value"].isna().all()
    with pytest.raises(dataclasses.FrozenInstanceError):
        r.measures = ("S",)  # type: ignore[misc]
    text = r.summary()
    assert "United States" in text and "Canada" in text and "kappa" in text
    d = r.to_dict()
    assert set(d) == {"query", "parties", "rows"}
    assert d["parties"][2]["kind"] == "bloc"
    f.iloc[0, 0] = 1999
    assert r.to_frame().iloc[0, 0] == 2000  # to_frame returns a copy


def test_bootstrap_seeded_and_same_as_measures(period_panel: Panel) -> None:
    a = alignment("USA", "CAN", panel=period_panel, min_votes=1, bootstrap=300, seed=7,
                  measure=list(MEASURES)).to_frame()
    b = alignment("USA", "CAN", panel=period_panel, min_votes=1, bootstrap=300, seed=7,
                  measure=list(MEASURES)).to_frame()
    pd.testing.assert_frame_equal(a, b)
    d = dyad_measures(period_panel, periods="year", pairs=[("USA", "CAN")], min_votes=1,
                      bootstrap=300, seed=7)
    for col in ("value", "lo", "hi", "n", "n_absent", "n_nonmember"):
        np.testing.assert_array_equal(a[col].to_numpy(), d[col].to_numpy())


def test_measure_names_are_case_insensitive(period_panel: Panel) -> None:
    f = run(period_panel, measure="s,KAPPA", period="all")
    assert f["measure"].astype(str).tolist() == ["S", "kappa"]


def test_plot_png_svg_and_axes(tmp_path: Path, period_panel: Panel) -> None:
    from matplotlib.figure import Figure

    from comity.plots import PlotError

    r = alignment("USA", "CAN", "trio", panel=period_panel, blocs_file=trio(), min_votes=1,
                  bootstrap=50, seed=1)
    png, svg = tmp_path / "a.png", tmp_path / "a.svg"
    fig = r.plot(png)
    r.plot(svg)
    assert isinstance(fig, Figure)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "<svg" in svg.read_text()
    fig2 = Figure()
    ax = fig2.add_subplot()
    assert r.plot(ax=ax) is fig2
    assert len(ax.get_lines()) == 2
    with pytest.raises(PlotError, match="unknown figure type"):
        r.plot(tmp_path / "a.gif")
    r1 = alignment("USA", "CAN", panel=period_panel, period="all", min_votes=1, bootstrap=50,
                   seed=1)
    r1.plot(tmp_path / "one.svg")  # a single period: a point with an error bar
    assert (tmp_path / "one.svg").stat().st_size > 0


def test_cohesion_plot(tmp_path: Path, trio_panel: Panel) -> None:
    c = cohesion("trio", panel=trio_panel, blocs_file=trio(), period=[("a", 2000, 2000),
                 ("b", "2000-04-01", "2000-12-31")], min_votes=1, bootstrap=100, seed=1)
    c.plot(tmp_path / "c.png")
    assert (tmp_path / "c.png").read_bytes()[:4] == b"\x89PNG"


# --------------------------------------------------------------------------------------------
# Matrix
# --------------------------------------------------------------------------------------------
@pytest.fixture
def matrix_panel() -> Panel:
    # SWE only votes in 2001: no dyad with it in 2000
    return make_panel(
        {"USA": [Y, Y, N, Y, Y], "CAN": [Y, Y, N, N, Y], "FRA": [N, A, N, Y, Y],
         "SWE": [NM, NM, NM, NM, Y]},
        ["2000-01-01", "2000-02-01", "2000-03-01", "2000-04-01", "2001-01-01"])


def test_matrix_by_hand(matrix_panel: Panel) -> None:
    m = alignment_matrix(2000, panel=matrix_panel, min_votes=1, measure=["agreement", "S"])
    w = m.to_wide()
    assert w["period"].unique().tolist() == [2000]
    pairs = set(zip(w["state_a"].astype(str), w["state_b"].astype(str), strict=True))
    assert pairs == {("USA", "CAN"), ("USA", "FRA"), ("CAN", "FRA")}
    # USA-CAN: 1 1 1 0 -> .75 ; USA-FRA: 0 .5 1 1 -> .625 ; CAN-FRA: 0 .5 1 0 -> .375
    got = {(a, b): v for a, b, v in zip(w["state_a"].astype(str), w["state_b"].astype(str),
                                        w["agreement"], strict=True)}
    assert got == pytest.approx({("USA", "CAN"): 0.75, ("USA", "FRA"): 0.625,
                                 ("CAN", "FRA"): 0.375})
    top = m.top(1)
    assert top[["side", "state_a", "state_b"]].values.tolist() == [
        ["most", "USA", "CAN"], ["least", "CAN", "FRA"]]
    mat = m.matrix()
    assert mat.loc["FRA", "USA"] == mat.loc["USA", "FRA"] == pytest.approx(0.625)
    f = m.to_frame()
    assert tuple(f.columns) == TIDY_COLUMNS and len(f) == 6
    assert "most aligned" in m.summary()


def test_matrix_equals_dyad_measures(matrix_panel: Panel) -> None:
    m = alignment_matrix(panel=matrix_panel, start=2000, period="year", min_votes=1,
                         measure=list(MEASURES))
    t = m.to_frame()
    d = dyad_measures(matrix_panel, periods="year", min_votes=1)
    d = d[d["n"] + d["n_absent"] > 0]
    key = ["period", "state_a", "state_b", "measure"]
    j = t.astype({"state_a": str, "state_b": str, "measure": str}).merge(
        d.astype({"state_a": str, "state_b": str, "measure": str}), on=key, suffixes=("", "_d"))
    assert len(j) == len(t)
    for col in ("value", "n", "n_absent", "n_nonmember"):
        np.testing.assert_allclose(j[col].to_numpy(float), j[col + "_d"].to_numpy(float))


def test_matrix_latest_year_states_and_bootstrap(matrix_panel: Panel) -> None:
    # no year: the latest complete year (the last vote, 2001-01-01, is not from December)
    m = alignment_matrix(panel=matrix_panel, min_votes=1)
    assert m.wide["period"].unique().tolist() == [2000]
    assert "2000, the latest complete year" in m.query["note"]
    m = alignment_matrix(2000, panel=matrix_panel, states=["USA", "Canada"], min_votes=1,
                         bootstrap=100, seed=1)
    assert len(m.wide) == 1 and {"lo_agreement", "hi_agreement"} <= set(m.wide.columns)
    # one period: its seed is the first of default_rng(1)'s seeds, then dyad_measures' draws
    # over USA-CAN's four votes of 2000 (|d| = 0, 0, 0, 2: agreement .75) (issue 21)
    seed = int(np.random.default_rng(1).integers(0, 2**63 - 1, size=1)[0])
    d = np.array([0, 0, 0, 2])
    draws = 1 - d[np.random.default_rng(seed).integers(0, 4, size=(100, 4))].mean(axis=1) / 2
    lo, hi = np.percentile(draws, [2.5, 97.5])
    assert m.wide["agreement"].iloc[0] == 0.75
    assert (m.wide["lo_agreement"].iloc[0], m.wide["hi_agreement"].iloc[0]) == (
        pytest.approx(lo), pytest.approx(hi))
    with pytest.raises(AlignmentError, match="is a bloc"):
        alignment_matrix(2000, panel=matrix_panel, states=["USA", "EU"])
    with pytest.raises(AlignmentError, match="either year or start"):
        alignment_matrix(2000, start=2000, panel=matrix_panel)


# --------------------------------------------------------------------------------------------
# Names
# --------------------------------------------------------------------------------------------
def test_resolve_party() -> None:
    # issue 14: a code with two meanings is an error listing both (NAM, EC), never a guess
    for token, cands in (("NAM", ["state:NAM", "bloc:nam"]), ("EC", ["state:ECU", "bloc:eu"])):
        with pytest.raises(UnknownBlocError, match="ambiguous") as amb:
            resolve_party(token)
        assert amb.value.candidates == cands  # type: ignore[attr-defined]
    assert resolve_party("state:NAM").code == "NAM"
    with pytest.raises(UnknownStateError, match="neither a known state"):
        resolve_party("Africa")  # not South Africa
    assert resolve_party("G77").code == "g77"
    assert resolve_party("bloc:nam").code == "nam"
    assert resolve_party("Non-Aligned Movement").code == "nam"
    assert resolve_party("AU").code == "au"  # African Union, not Australia's ISO-2
    assert resolve_party("state:AU").code == "AUS"
    assert resolve_party("Russia").code == "RUS"
    assert resolve_party("EU").code == "eu"
    with pytest.raises(UnknownStateError) as exc:
        resolve_party("Atlantis")
    assert "neither a known state nor a known bloc" in str(exc.value)
    with pytest.raises(UnknownStateError) as exc:
        resolve_party("Europen Union")
    assert "bloc:eu" in exc.value.candidates


def test_unknown_party_in_alignment(period_panel: Panel) -> None:
    with pytest.raises(ComityError):
        alignment("USA", "Narnia", panel=period_panel)


# --------------------------------------------------------------------------------------------
# A hand-made store and the CLI
# --------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def mini_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from comity.store.db import Store

    d = M.write_all(tmp_path_factory.mktemp("mini") / "data")
    db = tmp_path_factory.mktemp("db") / "mini.duckdb"
    with Store(db) as s:
        s.ingest([d])
    return db


def test_store_path_lineage_and_strict(mini_db: Path) -> None:
    # 1985: USA N, CAN A, USSR Y ; 1995: USA Y, CAN Y, RUS N ; 2020: USA Y, RUS N
    f = alignment("USA", "CAN", "RUS", store=mini_db, min_votes=1, bootstrap=0).to_frame()
    assert one(f, period=1985, state_b="CAN")["value"] == 0.5
    assert one(f, period=1995, state_b="CAN")["value"] == 1.0
    assert one(f, period=1985, state_b="RUS")["value"] == 0.0  # the USSR's vote, lineage
    g = alignment("USA", "RUS", store=str(mini_db), min_votes=1, bootstrap=0,
                  strict=True).to_frame()
    assert math.isnan(one(g, period=1985)["value"])
    assert one(g, period=1985)["n_nonmember"] == 1


def test_cli_align_matrix_cohesion_blocs(mini_db: Path, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from comity.cli import app

    run = CliRunner()
    db = str(mini_db)
    r = run.invoke(app, ["align", "USA", "CAN", "NATO", "--db", db, "--json", "--min-votes",
                         "1", "--bootstrap", "20", "--seed", "1", "--csv",
                         str(tmp_path / "a.csv"), "--plot", str(tmp_path / "a.png")])
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert set(out) == {"query", "parties", "rows"}
    assert set(out["rows"][0]) == set(TIDY_COLUMNS)
    assert out["parties"][2] == {"token": "NATO", "kind": "bloc", "code": "nato",
                                 "name": "North Atlantic Treaty Organization"}
    assert out["rows"][0]["start"] == "1985-01-01"
    assert pd.read_csv(tmp_path / "a.csv").shape[0] == len(out["rows"])
    assert (tmp_path / "a.png").exists()
    r = run.invoke(app, ["align", "USA", "CAN", "--db", db, "--min-votes", "1", "--by", "all",
                         "-m", "agreement", "-m", "S"])
    assert r.exit_code == 0, r.output
    assert "USA–CAN" in r.stdout
    r = run.invoke(app, ["matrix", "--year", "1995", "--db", db, "--json", "--min-votes", "1",
                         "--top", "2"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert set(out) == {"query", "measure", "periods", "most", "least", "note"}
    assert out["note"] is None  # a year was given
    assert set(out["most"][0]) == {"period", "rank", "state_a", "state_b", "value", "lo", "hi",
                                   "n"}
    r = run.invoke(app, ["matrix", "--year", "1995", "--db", db, "--min-votes", "1"])
    assert r.exit_code == 0, r.output
    r = run.invoke(app, ["cohesion", "NATO", "--db", db, "--json", "--min-votes", "1",
                         "--bootstrap", "0"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert set(out["rows"][0]) == {"period", "start", "end", "bloc", "measure", "value", "lo",
                                   "hi", "n", "n_excluded", "n_nonmember", "members"}
    r = run.invoke(app, ["blocs", "--at", "2019-06-01", "--json"])
    out = json.loads(r.stdout)
    eu = next(b for b in out["blocs"] if b["key"] == "eu")
    assert "GBR" in eu["members"] and eu["n_members"] == 28
    r = run.invoke(app, ["blocs", "EU", "--at", "2021-01-01", "--json"])
    out = json.loads(r.stdout)
    assert "GBR" not in out["blocs"][0]["members"]
    gbr = next(m for m in out["memberships"] if m["state"] == "GBR")
    assert gbr["end"] == "2020-02-01"
    r = run.invoke(app, ["blocs"])
    assert r.exit_code == 0 and "nato" in r.stdout
    r = run.invoke(app, ["align", "USA", "Narnia", "--db", db])
    assert r.exit_code != 0 and isinstance(r.exception, ComityError)


def test_cli_error_message_no_traceback(mini_db: Path) -> None:
    import subprocess
    import sys

    r = subprocess.run([sys.executable, "-m", "comity.cli", "align", "USA", "Narnia", "--db",
                        str(mini_db)], capture_output=True, text=True)
    assert r.returncode != 0
    assert "neither a known state nor a known bloc" in r.stderr
    assert "Traceback" not in r.stderr


# -- issue 21: the same query through the store and through a panel, at the window's edges -------
@pytest.mark.parametrize(("start", "end", "n"), [
    ("1985-12-10", "1985-12-10", 1),  # a window of one day: the vote on it counts
    ("1985-12-11", "1995-11-20", 1),  # starts the day after a vote, ends on one
    ("1985-12-11", "1995-11-19", 0),  # ends the day before it
])
def test_store_and_panel_agree_on_window_edges(mini_db, start: str, end: str, n: int) -> None:
    from comity.store.db import Store

    kw = {"start": start, "end": end, "period": "all", "min_votes": 1, "bootstrap": 0}
    with Store(mini_db, read_only=True) as s:
        via_store = alignment("USA", "CAN", store=s, **kw).to_frame() if n else None
        panel = s.panel(body="GA")
    if n == 0:
        with pytest.raises(AlignmentError):
            alignment("USA", "CAN", panel=panel, **kw)
        return
    via_panel = alignment("USA", "CAN", panel=panel, **kw).to_frame()
    assert via_store["n"].tolist() == via_panel["n"].tolist() == [n]
