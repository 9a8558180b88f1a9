"""Tests of comity.analysis.shifts: change points on simulated series, movers and vote switches on
hand-made panels, the recurring-resolution rule on real titles, and the CLI on the real data."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from comity.analysis.movers import _bloc_rows, _window
from comity.analysis.shifts import (
    ShiftError,
    change_points,
    detect_change_points,
    movers,
    recurring_key,
    recurring_keys,
    recurring_series,
    vote_switches,
)
from comity.errors import AlignmentError
from comity.store.panel import Panel
from comity.world.blocs import Bloc, Membership

Y, A, N, X, NM = 1, 2, 3, 8, 9


def simulate(means: list[float], n: int, seed: int) -> np.ndarray:
    """Per-resolution agreement values in {0, 0.5, 1} with the given segment means."""
    rng = np.random.default_rng(seed)
    parts = []
    for m in means:
        # P(1) = m - 0.05, P(0.5) = 0.1, P(0) = rest: mean m
        p = np.array([1 - m - 0.05, 0.1, m - 0.05])
        parts.append(rng.choice([0.0, 0.5, 1.0], size=n, p=p))
    return np.concatenate(parts)


# ------------------------------------------------------------------------- change points
@pytest.mark.parametrize("method", ["pelt", "binseg"])
def test_breaks_recovered_on_simulated_series(method: str) -> None:
    means = [0.3, 0.75, 0.45]
    x = simulate(means, 300, seed=3)
    br, seg, info = detect_change_points(x, method=method, bootstrap=500, seed=1)  # type: ignore
    assert len(br) == 2
    assert abs(br["index"].iloc[0] - 300) <= 15
    assert abs(br["index"].iloc[1] - 600) <= 15
    true = [0.45, -0.30]
    for k, size in enumerate(true):
        assert abs(br["size"].iloc[k] - size) < 0.08
        assert br["lo"].iloc[k] < size < br["hi"].iloc[k]
    assert seg["n"].sum() == 900
    assert np.allclose(seg["mean"], [x[s:e + 1].mean() for s, e in zip(seg["first"],
                                                                        seg["last"], strict=True)])
    assert info["pen"] > 0 and info["sigma2"] > 0


def test_no_break_in_a_stationary_series() -> None:
    for seed in range(5):
        x = simulate([0.6], 800, seed=seed)
        br, seg, _ = detect_change_points(x, bootstrap=0)
        assert br.empty and len(seg) == 1


def test_autocorrelated_runs_are_not_breaks() -> None:
    # runs of 20 identical values (same-day votes on one topic) around one mean: the
    # long-run variance keeps them from being split off; a plain iid BIC would split them
    rng = np.random.default_rng(0)
    x = np.repeat(rng.choice([0.0, 1.0], size=60, p=[0.4, 0.6]), 20).astype(float)
    br, _, info = detect_change_points(x, bootstrap=0, min_size=10)
    assert info["sigma2"] > info["sigma2_iid"]
    plain, _, _ = detect_change_points(x, penalty=2 * np.log(len(x)) * info["sigma2_iid"],
                                       bootstrap=0, min_size=10)
    assert len(br) < len(plain)


def test_numeric_penalty_and_errors() -> None:
    x = simulate([0.2, 0.8], 100, seed=1)
    br, _, info = detect_change_points(x, penalty=0.5, bootstrap=0)
    assert info["pen"] == 0.5 and len(br) >= 1
    with pytest.raises(ShiftError):
        detect_change_points(x, method="nope")  # type: ignore[arg-type]
    with pytest.raises(ShiftError):
        detect_change_points(x, penalty="aic")
    with pytest.raises(ShiftError):
        detect_change_points(np.r_[x, np.nan])
    short, seg, _ = detect_change_points(x[:40], min_size=30, bootstrap=0)
    assert short.empty and len(seg) == 1


def panel_of(rows: dict[str, list[int]], dates: list[str] | pd.DatetimeIndex,
             **cols: list) -> Panel:
    states = tuple(rows)
    votes = np.array([rows[s] for s in states], dtype=np.int8)
    r = votes.shape[1]
    base = {
        "rid": [f"R{k:04d}" for k in range(r)], "body": ["GA"] * r,
        "session": [55] * r, "date": pd.to_datetime(list(dates)),
        "symbol": [f"A/RES/55/{k}" for k in range(r)],
        "title": [f"title {k}" for k in range(r)], "issues": [[] for _ in range(r)],
        "important": [False] * r,
    }
    base.update(cols)
    return Panel(votes=votes, states=states, resolutions=pd.DataFrame(base))


def test_change_points_on_a_panel() -> None:
    n = 120
    dates = pd.date_range("2000-01-01", periods=2 * n, freq="3D")
    usa = [Y] * (2 * n)
    fra = [Y] * n + [N] * n
    fra[5] = A  # a little noise
    fra[n + 7] = Y
    p = panel_of({"USA": usa, "FRA": fra}, dates)
    r = change_points("USA", "FRA", panel=p, bootstrap=200, seed=1)
    assert len(r.breaks) == 1
    b = r.breaks.iloc[0]
    assert pd.Timestamp(b["date"]) == dates[n]
    assert pd.Timestamp(b["date_before"]) == dates[n - 1]
    assert b["size"] == pytest.approx(r.segments["mean"].iloc[1] - r.segments["mean"].iloc[0])
    assert b["size"] < -0.9 and b["hi"] < 0
    assert len(r.series) == 2 * n
    assert set(r.to_dict()) == {"query", "parties", "n", "breaks", "segments"}
    assert "change point" in r.summary().lower() or "->" in r.summary()
    # absent and non-member cells are left out of the series
    fra2 = list(fra)
    fra2[0], fra2[1] = X, NM
    r2 = change_points("USA", "FRA", panel=panel_of({"USA": usa, "FRA": fra2}, dates),
                       bootstrap=0)
    assert len(r2.series) == 2 * n - 2


def test_change_points_state_and_bloc(tmp_path) -> None:
    n = 80
    dates = pd.date_range("2001-01-01", periods=2 * n, freq="2D")
    rows = {"USA": [Y] * n + [N] * n, "FRA": [Y] * (2 * n), "DEU": [Y] * (2 * n),
            "ITA": [Y] * (2 * n)}
    blocs = {"trio": Bloc(key="trio", name="Trio", memberships=(
        Membership("FRA"), Membership("DEU"), Membership("ITA")))}
    r = change_points("USA", "trio", panel=panel_of(rows, dates), blocs_file=blocs,
                      bootstrap=0)
    assert len(r.breaks) == 1 and r.breaks["size"].iloc[0] == pytest.approx(-1.0)
    path = tmp_path / "cp.png"
    r.plot(path)
    assert path.stat().st_size > 1000


# ---------------------------------------------------------------------------------- movers
def test_window_parsing() -> None:
    lo, hi, lab = _window(2014, "p")
    assert (lo, hi, lab) == (pd.Timestamp("2014-01-01"), pd.Timestamp("2014-12-31"), "2014")
    assert _window("2010-2014", "p")[2] == "2010-2014"
    lo, hi, lab = _window("2014-05-01:2014-06-30", "p")
    assert (lo, hi) == (pd.Timestamp("2014-05-01"), pd.Timestamp("2014-06-30"))
    assert _window(("2014-05-01", "2015"), "p")[1] == pd.Timestamp("2015-12-31")
    with pytest.raises(ShiftError):
        _window("2015-2014", "p")
    with pytest.raises(AlignmentError, match=r"cannot read start 'soon' as a date"):
        _window("soon", "p")


def mover_panel() -> Panel:
    dates = list(pd.date_range("2010-01-01", periods=40, freq="7D")) + \
        list(pd.date_range("2015-01-01", periods=40, freq="7D"))
    rng = np.random.default_rng(5)
    noise = list(rng.choice([Y, N], size=80))
    rows = {
        "USA": [Y] * 80,
        "CAN": [Y] * 80,                  # always with the USA
        "CUB": [N] * 40 + [Y] * 40,       # moves toward the USA
        "GBR": [Y] * 40 + [A] * 40,       # moves away (half a step)
        "RND": noise,                     # no systematic change
    }
    return panel_of(rows, dates)


def test_movers_ranking_and_intervals() -> None:
    r = movers("USA", 2010, 2015, panel=mover_panel(), bootstrap=300, seed=2, min_votes=5)
    f = r.to_frame().set_index("state")
    assert "USA" not in f.index
    assert list(r.frame["state"][:2]) == ["CUB", "GBR"]
    assert f.loc["CUB", "change"] == pytest.approx(1.0)
    assert f.loc["GBR", "change"] == pytest.approx(-0.5)
    assert f.loc["CAN", "change"] == pytest.approx(0.0)
    assert f.loc["CUB", "direction"] == "toward" and f.loc["GBR", "direction"] == "away"
    assert not f.loc["CAN", "significant"]
    assert f.loc["RND", "lo"] < f.loc["RND", "change"] < f.loc["RND", "hi"]
    assert f.loc["RND", "lo"] < 0 < f.loc["RND", "hi"]
    assert (f["n_a"] == 40).all() and (f["n_b"] == 40).all()
    d = r.to_dict(top=2)
    assert len(d["movers"]) == 2 and d["ideal"] is None
    assert "CUB" in r.summary()
    k = movers("USA", 2010, 2015, panel=mover_panel(), bootstrap=0, measure="kappa",
               min_votes=5)
    assert np.isnan(k.frame["lo"]).all()


def test_movers_by_cached_ideal_points(tmp_path) -> None:
    import duckdb

    from comity.store.fitcache import _CACHE_DDL

    db = tmp_path / "ip.duckdb"
    con = duckdb.connect(str(db))
    con.execute(_CACHE_DDL)
    rows = [("USA", 2010, 1.0), ("USA", 2015, 1.1), ("CUB", 2010, -1.5), ("CUB", 2015, 0.5),
            ("GBR", 2010, 0.8), ("GBR", 2015, 0.6)]
    for state, period, est in rows:
        con.execute("INSERT INTO ideal_points VALUES ('fit1', ?, ?, ?, 0.1, "
                    "TIMESTAMP '2026-01-01', '{\"period_kind\": \"year\"}', 1, ?, ?, 50)",
                    [state, period, est, est - 0.2, est + 0.2])
    con.close()
    r = movers("USA", 2010, 2015, panel=mover_panel(), store=db, bootstrap=0, min_votes=5)
    assert r.query["ideal"] == "fit1"
    g = r.ideal.set_index("state")
    assert r.ideal["state"].iloc[0] == "CUB"
    assert g.loc["CUB", "change"] == pytest.approx(2.0)
    half = 1.959964 * np.sqrt(0.02)
    assert g.loc["CUB", "lo"] == pytest.approx(2.0 - half)
    assert g.loc["CUB", "significant"] and not g.loc["USA", "significant"]
    none = movers("USA", 2010, 2015, panel=mover_panel(), store=db, bootstrap=0,
                  min_votes=5, ideal="other")
    assert none.ideal is None and none.to_dict()["ideal"] is None


def test_movers_errors() -> None:
    with pytest.raises(ShiftError):
        movers("USA", 2010, 2015, panel=mover_panel(), measure="nope")
    with pytest.raises(ShiftError):
        movers("USA", 2010, 2012, panel=mover_panel(), bootstrap=0)  # 2012 has no vote


def test_bloc_rows_match_bloc_position_with_self_exclusion() -> None:
    from comity.analysis.query import bloc_position

    rng = np.random.default_rng(0)
    codes = ["FRA", "DEU", "ITA", "USA"]
    votes = rng.choice([Y, A, N, X], size=(4, 50))
    dates = pd.date_range("2005-01-01", periods=50, freq="5D")
    p = panel_of({c: list(v) for c, v in zip(codes, votes, strict=True)}, dates)
    bloc = Bloc(key="trio", name="Trio", memberships=(
        Membership("FRA"), Membership("DEU"), Membership("ITA")))
    rows = _bloc_rows(p, bloc, strict=True, include_self=False)
    mem = np.ones((3, 50), dtype=bool)
    for i, c in enumerate(codes):
        others = [j for j in range(3) if codes[j] != c]
        want, _ = bloc_position(votes[others], mem[: len(others)])
        assert (rows[i] == want).all(), c


# ------------------------------------------------------------------ recurring resolutions
CUBA_UNDL = ("Necessity of ending the economic, commercial and financial embargo imposed by "
             "the United States of America against Cuba : resolution / adopted by the [...]")
CUBA_UNXML = ("Necessity of ending the economic, commercial and financial embargo imposed by "
              "the United States of America against Cuba")


def test_recurring_key_on_real_titles() -> None:
    # the annual Cuba embargo resolution: UN DL catalogue title (truncated) and UNxml title
    assert recurring_key(CUBA_UNDL) == recurring_key(CUBA_UNXML)
    assert recurring_key(CUBA_UNXML).startswith("necessity of ending the economic commercial")
    # digits vs spelled-out ordinals, and a title cut by the catalogue mid-word
    assert recurring_key(
        "Implementation of the outcome of the World Summit for Social Development and of the "
        "24th special session of the General Assembly : resolution / adopte[...]"
    ) == recurring_key(
        "Implementation of the outcome of the World Summit for Social Development and of the "
        "twenty-fourth special session of the General Assembly")
    assert recurring_key(
        "Conclusion of effective international arrangements to assure non-nuclear-weapon "
        "States against the use or threat of use of nuclear weapons : resolutio[...]"
    ) == recurring_key(
        "Conclusion of effective international arrangements to assure non-nuclear-weapon "
        "States against the use or threat of use of nuclear weapons")
    assert recurring_key("Credentials of representatives to the seventy-fourth session of the "
                         "General Assembly") == recurring_key(
        "Credentials of representatives to the seventy-fifth session of the General Assembly")
    assert recurring_key("Place of meeting of the 6th regular session (1951)") == \
        "place of meeting of the regular session"
    # different texts stay apart
    assert recurring_key("Peaceful settlement of the question of Palestine") != \
        recurring_key("Special information programme on the question of Palestine of the "
                      "Department of Global Communications of the Secretariat")
    assert recurring_key(None) == ""


def test_question_of_palestine_series_uses_agenda_where_titles_repeat() -> None:
    # real titles and agenda items (Voeten's short descriptions) of sessions 33-35 and 48
    res = pd.DataFrame({
        "rid": ["33A", "33B", "33C", "34A", "34C", "35A", "35B", "48D", "49D"],
        "session": [33, 33, 33, 34, 34, 35, 35, 48, 49],
        "title": ["Question of Palestine"] * 7 + [
            "Peaceful settlement of the question of Palestine"] * 2,
        "agenda": ["PLO PARTICIPATION", "PALESTINE, INALIENABLE RIGHTS",
                   "PALESTINE, RIGHTS COMMITTEE", "MIDDLE EAST PEACE",
                   "PALESTINE, RIGHTS, COMMITTEE", "MIDDLE EAST PEACE",
                   "PALESTINE, RIGHTS COMMITTEE", "PALESTINE, PEACEFUL SETTLEMENT",
                   "Question of Palestine"],
        "amend": [False] * 9, "para": [False] * 9,
    })
    keys = recurring_keys(res)
    assert keys[2] == keys[4] == keys[6] == "question of palestine | palestine rights committee"
    assert keys[0] != keys[1] and keys[3] == keys[5]
    # the 1990s series has one text per session: keyed by title alone despite other agendas
    assert keys[7] == keys[8] == "peaceful settlement of the question of palestine"
    pairs = recurring_series(res)
    got = {(r.col_before, r.col_after) for r in pairs.itertuples()}
    assert got == {(2, 4), (4, 6), (3, 5), (7, 8)}


def test_recurring_series_skips_ambiguous_amendments_and_gaps() -> None:
    res = pd.DataFrame({
        "rid": list("abcdefg"),
        "session": [60, 61, 61, 62, 62, 67, 68],
        "title": ["Text A", "Text A", "Text A", "Text B", "Text B", "Text B", "Text B"],
        "agenda": [None, "x", "x", None, None, None, None],
        "amend": [False, False, False, False, True, False, False],
        "para": [False] * 7,
    })
    pairs = recurring_series(res, max_gap=3)
    # session 61 has "Text A" twice with the same agenda: ambiguous, not compared;
    # 62 -> 67 is a gap of 5 sessions; the amendment vote (e) is left out
    assert {(r.col_before, r.col_after) for r in pairs.itertuples()} == {(5, 6)}


def switch_panel() -> Panel:
    titles = ["Necessity of ending the embargo (2019)", "Necessity of ending the embargo",
              "Necessity of ending the embargo", "Human rights in X", "Human rights in X",
              "Human rights in X : amendment"]
    rows = {"USA": [N, N, N, Y, N, N], "ISR": [N, Y, N, A, A, Y], "MEX": [Y, Y, Y, X, Y, Y]}
    dates = ["2019-11-07", "2021-06-23", "2022-11-03", "2021-12-01", "2022-12-01",
             "2022-12-01"]
    return panel_of(rows, dates, session=[74, 75, 77, 76, 77, 77],
                    symbol=["A/RES/74/7", "A/RES/75/289", "A/RES/77/7", "A/RES/76/1",
                            "A/RES/77/2", "A/RES/77/2#a"],
                    title=titles, amend=[False] * 5 + [True], para=[False] * 6,
                    agenda=[None] * 6, link=["https://digitallibrary.un.org/record/1"] + [None] * 5)


def test_vote_switches_on_a_panel() -> None:
    r = vote_switches(panel=switch_panel())
    f = r.frame
    got = set(zip(f["state"], f["symbol_before"], f["symbol_after"], f["change"], strict=True))
    assert got == {("ISR", "A/RES/74/7", "A/RES/75/289", "N->Y"),
                   ("ISR", "A/RES/75/289", "A/RES/77/7", "Y->N"),
                   ("USA", "A/RES/76/1", "A/RES/77/2", "Y->N")}
    assert r.pairs == 3  # the amendment vote is not a recurring text
    row = f[f["symbol_after"] == "A/RES/75/289"].iloc[0]
    assert row["link_before"] == "https://digitallibrary.un.org/record/1"
    assert row["link_after"] == "https://undocs.org/en/A/RES/75/289"
    assert row["shift"] == -2 and row["vote_before"] == "N"
    # MEX: X -> Y is not a switch unless absences count
    assert "MEX" not in set(f["state"])
    a = vote_switches(panel=switch_panel(), include_absent=True).frame
    assert ("MEX", "X->Y") in set(zip(a["state"], a["change"], strict=True))
    assert np.isnan(a[a["state"] == "MEX"]["shift"].iloc[0])
    s = vote_switches("ISR", 77, panel=switch_panel()).frame
    assert list(s["symbol_after"]) == ["A/RES/77/7"]
    y = vote_switches(year=2021, panel=switch_panel()).frame
    assert list(y["symbol_after"]) == ["A/RES/75/289"]
    assert set(r.to_dict()) == {"query", "pairs", "n", "switches"}


def test_vote_switches_errors() -> None:
    with pytest.raises(ShiftError):
        vote_switches(panel=switch_panel(), max_gap=0)
    with pytest.raises(ShiftError):
        vote_switches("EU", panel=switch_panel())


# ----------------------------------------------------------------------------- real data
@pytest.mark.slow
def test_real_change_points_usa_russia(full_store) -> None:
    r = change_points("USA", "RUS", store=full_store, bootstrap=200, seed=1)
    years = pd.to_datetime(r.breaks["date"]).dt.year.tolist()
    # the end of the Cold War: agreement jumps up around 1991
    k = [i for i, y in enumerate(years) if 1989 <= y <= 1992]
    assert k and r.breaks["size"].iloc[k[0]] > 0.15 and r.breaks["lo"].iloc[k[0]] > 0
    assert 2 <= len(r.breaks) <= 8


@pytest.mark.slow
def test_real_recurring_cuba_series_and_2025_switches(full_store) -> None:
    res = full_store.query(
        "SELECT rid, session, title, agenda, amend, para FROM resolutions "
        "WHERE body = 'GA' AND adoption = 'recorded' ORDER BY date, rid")
    keys = recurring_keys(res)
    cuba = keys[res["title"].str.contains("embargo imposed by the United States", na=False)]
    assert cuba.nunique() == 1 and len(cuba) >= 30  # every year since 1992, both sources
    w = vote_switches(session=80, store=full_store)
    f = w.frame
    emb = f[f["key"] == cuba.iloc[0]]
    # Argentina, Hungary, North Macedonia and Paraguay voted against in October 2025
    assert {"ARG", "HUN", "PRY", "MKD"} <= set(emb[emb["vote_after"] == "N"]["state"])
    assert (emb["symbol_after"] == "A/RES/80/4").all()


@pytest.mark.slow
def test_real_movers_and_cli(full_store) -> None:
    from typer.testing import CliRunner

    from comity.cli import app

    r = movers("USA", 2023, 2025, store=full_store, bootstrap=200, seed=1)
    assert len(r.frame) > 150 and r.frame["change"].abs().is_monotonic_decreasing
    runner = CliRunner()
    db = str(full_store.path)
    out = runner.invoke(app, ["movers", "EU", "--from", "2010-2014", "--to", "2021-2025",
                              "--top", "5", "--bootstrap", "100", "--db", db, "--json"])
    assert out.exit_code == 0, out.output
    d = json.loads(out.stdout)
    assert set(d) == {"query", "reference", "movers", "ideal"} and len(d["movers"]) == 5
    out = runner.invoke(app, ["shifts", "USA", "ISR", "--from", "1980", "--bootstrap", "100",
                              "--db", db, "--json"])
    assert out.exit_code == 0, out.output
    d = json.loads(out.stdout)
    assert set(d) == {"query", "parties", "n", "breaks", "segments"}
    out = runner.invoke(app, ["switches", "--state", "USA", "--session", "80", "--db", db,
                              "--json"])
    assert out.exit_code == 0, out.output
    d = json.loads(out.stdout)
    assert d["n"] == len(d["switches"]) > 0
    assert {"vote_before", "vote_after", "symbol_before", "link_after"} <= set(d["switches"][0])


def test_title_parts_rule_by_hand() -> None:
    from comity.world.recurring import MAX_KEY, title_parts

    got = title_parts([
        "Question of Palestine : resolution / adopted by the General Assembly",
        "Report of the Special Committee (A/75/23) [...]",
        "Seventy-fifth anniversary of the United Nations, 2020",
        "The twenty-first session: 3rd report on item 12",
        "Follow-up to the report : partA [...]",
        None,
        float("nan"),
        "Question of Palestine : resolution / adopted by the General Assembly",
        " Zoé's   human   rights!! ",
        "word " * 40,
    ])
    assert list(got[:8]) == [
        "question of palestine",
        "report of the special committee",
        "anniversary of the united nations",  # session ordinals go too
        "the session report on item",
        "follow up to the report",  # a cut title loses its dangling ": xyz" [...]
        "", "",
        "question of palestine",
    ]
    assert got[8] == "zo s human rights"  # non a-z letters become spaces
    assert len(got[9]) <= MAX_KEY and got[9].startswith("word word") and not got[9].endswith(" ")
    assert got[9] == " ".join(["word"] * 20)
