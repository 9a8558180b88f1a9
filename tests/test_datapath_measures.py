"""The measures' bootstrap intervals and limits by exact value (issue 21).

The bootstrap protocol is part of the documented contract of :mod:`comity.analysis.measures`
(``numpy.random.default_rng(seed)``, one ``integers(0, n, (draws, n))`` per period in period
order, percentile bounds by numpy's linear rule over the defined draws): the reference below
re-implements it from the docstring, with plain loops, and the bounds must match it.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from comity.analysis.measures import dyad_measures, measures_from_tables, paired_difference
from comity.store.panel import Panel

Y, A, N, X, NM = 1, 2, 3, 8, 9
# the hand dyad of test_measures: n = 5 (r1..r5), |d| = 0, 2, 0, 0, 1 -> agreement 0.7
HAND = {"USA": [Y, Y, A, N, Y, X, NM, Y], "FRA": [Y, N, A, N, A, Y, Y, X]}


def _panel(rows: dict[str, list[int]], dates: list[str] | None = None) -> Panel:
    states = tuple(rows)
    votes = np.array([rows[s] for s in states], dtype=np.int8)
    r = votes.shape[1]
    d = pd.to_datetime(dates) if dates else pd.date_range("2000-01-01", periods=r, freq="D")
    res = pd.DataFrame({"rid": np.arange(1, r + 1), "date": d,
                        "symbol": [f"A/RES/{k}" for k in range(1, r + 1)],
                        "title": [f"t{k}" for k in range(1, r + 1)]})
    return Panel(votes=votes, states=states, resolutions=res)


def _agreement_draw(a: list[int], b: list[int], idx: np.ndarray, min_votes: int) -> float:
    pos = {Y: 0, A: 1, N: 2}
    d = [abs(pos[a[i]] - pos[b[i]]) for i in idx if a[i] in pos and b[i] in pos]
    if len(d) < min_votes or not d:
        return math.nan
    return 1 - sum(d) / len(d) / 2


def _reference(a: list[int], b: list[int], periods: list[list[int]], draws: int, seed: int,
               min_votes: int, ci: float = 0.95) -> list[tuple[float, float]]:
    rng = np.random.default_rng(seed)
    out = []
    for cols in periods:
        idx = rng.integers(0, len(cols), size=(draws, len(cols)))
        vals = np.array([_agreement_draw(a, b, [cols[j] for j in row], min_votes)
                         for row in idx])
        ok = vals[np.isfinite(vals)]
        if draws - len(ok) > (1 - ci) / 2 * draws:
            out.append((math.nan, math.nan))
            continue
        lo, hi = np.percentile(ok, [100 * (1 - ci) / 2, 100 * (1 + ci) / 2])
        out.append((float(lo), float(hi)))
    return out


@pytest.mark.parametrize(("draws", "seed"), [(40, 1), (200, 7), (501, 2024)])
def test_bootstrap_bounds_equal_the_reference(draws: int, seed: int) -> None:
    df = dyad_measures(_panel(HAND), measures=["agreement", "S"], bootstrap=draws, seed=seed,
                       min_votes=1)
    (lo, hi), = _reference(HAND["USA"], HAND["FRA"], [list(range(8))], draws, seed, 1)
    ag = df[df["measure"] == "agreement"].iloc[0]
    s = df[df["measure"] == "S"].iloc[0]
    assert (ag["value"], ag["n"], ag["n_absent"], ag["n_nonmember"]) == (
        pytest.approx(0.7), 5, 2, 1)
    assert (ag["lo"], ag["hi"]) == (pytest.approx(lo, abs=1e-6), pytest.approx(hi, abs=1e-6))
    # S = 2 * agreement - 1, draw by draw, hence bound by bound
    assert (s["lo"], s["hi"]) == (pytest.approx(2 * lo - 1, abs=1e-6),
                                  pytest.approx(2 * hi - 1, abs=1e-6))


def test_bootstrap_one_generator_period_by_period() -> None:
    """Two periods: the second period's draws come after the first's from one generator."""
    a = [Y, Y, N, A, Y, N, Y, A, Y]
    b = [Y, N, N, A, A, N, Y, Y, Y]
    dates = ["2001-01-01"] * 4 + ["2002-01-01"] * 5
    df = dyad_measures(_panel({"A": a, "B": b}, dates), measures=["agreement"],
                       periods="year", bootstrap=300, seed=5, min_votes=1)
    ref = _reference(a, b, [[0, 1, 2, 3], [4, 5, 6, 7, 8]], 300, 5, 1)
    assert df["period"].tolist() == [2001, 2002]
    assert df["value"].tolist() == pytest.approx([1 - 2 / 4 / 2, 1 - 2 / 5 / 2])
    got = list(zip(df["lo"], df["hi"], strict=True))
    assert got == [(pytest.approx(lo, abs=1e-6), pytest.approx(hi, abs=1e-6))
                   for lo, hi in ref]


@pytest.mark.parametrize(("min_votes", "defined"), [(4, True), (5, True), (6, False)])
def test_min_votes_at_the_limit(min_votes: int, defined: bool) -> None:
    df = dyad_measures(_panel(HAND), measures=["agreement"], min_votes=min_votes)
    row = df.iloc[0]
    assert row["n"] == 5
    assert (row["value"] == pytest.approx(0.7)) if defined else math.isnan(row["value"])


def test_bootstrap_undefined_share_at_the_limit() -> None:
    """Bounds are NaN only when MORE than (1 - ci) / 2 of the draws are undefined."""
    a = [Y, N, Y, N, Y, N, Y, N, Y, N, Y]
    b = [Y, N, N, N, Y, X, X, X, X, X, X]
    for seed in range(30):
        df = dyad_measures(_panel({"A": a, "B": b}), measures=["agreement"], bootstrap=40,
                           seed=seed, min_votes=3)
        (lo, hi), = _reference(a, b, [list(range(11))], 40, seed, 3)
        row = df.iloc[0]
        if math.isnan(lo):
            assert math.isnan(row["lo"]) and math.isnan(row["hi"])
        else:
            assert (row["lo"], row["hi"]) == (pytest.approx(lo, abs=1e-6),
                                              pytest.approx(hi, abs=1e-6))


def test_paired_difference_bounds_equal_the_reference() -> None:
    a = [Y, Y, N, A, Y, N, Y, A, Y, N]
    b = [Y, N, N, A, A, N, Y, Y, Y, N]
    c = [N, N, Y, A, Y, Y, N, A, N, N]
    df = paired_difference(_panel({"A": a, "B": b, "C": c}), "A", "B", "C",
                           measure="agreement", bootstrap=100, seed=3, min_votes=1)
    rng = np.random.default_rng(3)
    idx = rng.integers(0, 10, size=(100, 10))
    diffs = np.array([_agreement_draw(a, b, row, 1) - _agreement_draw(a, c, row, 1)
                      for row in idx])
    lo, hi = np.percentile(diffs, [2.5, 97.5])
    row = df.iloc[0]
    # |d| A-B: 0 2 0 0 1 0 0 1 0 0 (4); A-C: 2 2 2 0 0 2 2 0 2 0 (12)
    ab, ac = 1 - 4 / 10 / 2, 1 - 12 / 10 / 2
    assert row["effect"] == pytest.approx(ab - ac)
    assert (row["n_ab"], row["n_ac"]) == (10, 10)
    assert (row["lo"], row["hi"]) == (pytest.approx(lo, abs=1e-6), pytest.approx(hi, abs=1e-6))


def test_measures_from_tables_exact() -> None:
    # the hand table: YY 1, YN 1, AA 1, NN 1, YA 1 (rows USA, columns FRA)
    t = np.array([[1, 1, 1], [0, 1, 0], [0, 0, 1]], dtype=float)
    m = measures_from_tables(t, min_votes=1)
    want = {"agreement": pytest.approx(0.7), "S": pytest.approx(0.4),
            "kappa": pytest.approx(0.4), "pi": pytest.approx(1 / 3),
            "coincidence": pytest.approx(2 / 3), "identical": pytest.approx(3 / 5)}
    assert {k: float(v) for k, v in m.items() if k != "n"} == want
    # the same table with its absences (row and column X): they do not enter the measures
    t4 = np.array([[1, 1, 1, 1], [0, 1, 0, 0], [0, 0, 1, 0], [1, 0, 0, 0]], dtype=float)
    m4 = measures_from_tables(t4, min_votes=1)
    assert {k: float(v) for k, v in m4.items() if k != "n"} == want


def test_pair_codes_only_where_both_voted() -> None:
    """Cell ``3a + b`` of the 3 x 3 table where both voted Y/A/N, else -1 (absent: 3,
    not a member: -1)."""
    from comity.analysis.measures import _pair_codes

    a = np.array([[0, 3, 1, -1, 2, 3]], dtype=np.int8)
    b = np.array([[1, 0, 3, 0, 2, 3]], dtype=np.int8)
    got = _pair_codes(a, b)
    assert got.tolist() == [[1, -1, -1, -1, 8, -1]] and got.dtype == np.int8


def test_majority_alignment_without_resolutions() -> None:
    from comity.analysis.measures import majority_alignment

    p = Panel(votes=np.zeros((2, 0), dtype=np.int8), states=("A", "B"),
              resolutions=pd.DataFrame({"rid": [], "date": pd.to_datetime([]), "symbol": [],
                                        "title": []}))
    df = majority_alignment(p, min_votes=1)
    assert df["state"].astype(str).tolist() == ["A", "B"]
    assert df["n"].tolist() == [0, 0] and df["value"].isna().all()


# -- every refusal, word for word -----------------------------------------------------------------
MEASURE_LIST = "['agreement', 'S', 'kappa', 'pi', 'coincidence', 'identical']"
REFUSALS = [
    ({"measures": ["tau"]}, f"unknown measure(s) ['tau']; expected any of {MEASURE_LIST}"),
    ({"measures": []}, "no measure requested"),
    ({"distance": "euclid"}, "unknown distance 'euclid'; expected 'absolute' or 'squared'"),
    ({"periods": np.array([1, 2])}, "periods has 2 labels, expected one per resolution (8)"),
    ({"periods": "nope"}, "periods='nope' is neither 'year' nor a column of the resolutions "
     "(columns: ['rid', 'date', 'symbol', 'title'])"),
    ({"bootstrap": 10, "ci": 1.5}, "ci must be strictly between 0 and 1, got 1.5"),
    ({"bootstrap": 10, "ci": 0.0}, "ci must be strictly between 0 and 1, got 0.0"),
    ({"bootstrap": -1}, "bootstrap must be a non-negative integer, got -1"),
    ({"bootstrap": 2.5}, "bootstrap must be a non-negative integer, got 2.5"),
    ({"min_votes": -1}, "min_votes must be a non-negative integer, got -1"),
    ({"min_votes": 1.5}, "min_votes must be a non-negative integer, got 1.5"),
]


@pytest.mark.parametrize(("kw", "message"), REFUSALS)
def test_refusals_word_for_word(kw: dict, message: str) -> None:
    from comity.analysis.measures import MeasureError

    with pytest.raises(MeasureError) as e:
        dyad_measures(_panel(HAND), **kw)
    assert str(e.value) == message


def test_other_refusals_word_for_word() -> None:
    from comity.analysis.measures import MeasureError, divergent_votes

    with pytest.raises(MeasureError) as e:
        measures_from_tables(np.zeros((2, 2)))
    assert str(e.value) == "tables must end in (3, 3) or (4, 4), got shape (2, 2)"
    with pytest.raises(MeasureError) as e:
        divergent_votes(_panel(HAND), "USA", "FRA", tallies="x")  # type: ignore[arg-type]
    assert str(e.value) == "unknown tallies 'x'; expected 'panel' or 'official'"
    with pytest.raises(MeasureError) as e:
        paired_difference(_panel(HAND), "USA", "FRA", "FRA", measure="tau")
    assert str(e.value) == f"unknown measure(s) ['tau']; expected any of {MEASURE_LIST}"


def test_divergent_votes_and_position_matrix_exact() -> None:
    from comity.analysis.measures import divergent_votes, position_matrix

    p = _panel(HAND)
    d = divergent_votes(p, "USA", "FRA")
    assert d.drop(columns="date").to_dict("records") == [
        {"rid": 2, "symbol": "A/RES/2", "title": "t2", "vote_a": "Y", "vote_b": "N",
         "distance": 2, "yes": 1, "abstain": 0, "no": 1, "contestedness": 1.0},
        {"rid": 5, "symbol": "A/RES/5", "title": "t5", "vote_a": "Y", "vote_b": "A",
         "distance": 1, "yes": 1, "abstain": 1, "no": 0, "contestedness": 0.0}]
    assert d["distance"].dtype == np.int64
    assert divergent_votes(p, "USA", "FRA", top=1)["rid"].tolist() == [2]
    assert divergent_votes(p, "USA", "FRA", top=0).empty
    m = position_matrix(p, "USA", "FRA", include_absent=True)
    assert (list(m.index), list(m.columns)) == (["Y", "A", "N", "X"], ["Y", "A", "N", "X"])
    assert m.values.tolist() == [[1, 1, 1, 1], [0, 1, 0, 0], [0, 0, 1, 0], [1, 0, 0, 0]]
    assert position_matrix(p, "USA", "FRA").values.tolist() == [[1, 1, 1], [0, 1, 0],
                                                                [0, 0, 1]]
