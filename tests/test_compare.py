"""``comity.analysis.comparison`` on a hand-made Assembly, every number worked out below; then the
CLI (``comity compare --json`` keys, no NaN) on the mini store, and the figure.

The panel: seven states, seven recorded votes (codes 1 Y, 2 A, 3 N, 8 absent)::

    vote  date        title                              USA RUS FRA GBR CHN IND BRA  official Y-A-N
    r1    2020-03-01  Situation in Ukraine          (hr)  Y   N   Y   Y   A   A   Y    4-2-1
    r2    2020-06-01  Nuclear disarmament        (nu di)  N   Y   N   N   Y   Y   Y    4-0-3
    r3    2020-09-01  Economic development          (ec)  A   Y   N   N   Y   Y   N    none
    r4    2021-02-01  Gaza humanitarian     (me, predicted) N N   Y   A   Y   Y   Y    4-1-2
    r5    2021-05-01  Convention on Cluster Munitions     N   N   Y   Y   Y   Y   Y    5-0-2
    r6    2021-08-01  Situation of human rights in Iran (hr) Y X  Y   Y   N   A   A    3-2-1
    r7    2021-10-01  Climate change                      Y   Y   Y   Y   Y   A   Y    6-1-0

r5's subjects say "Weapons", r4's agenda "Item 99: Gaza"; r3 has no official tally, so its
tally is counted from the panel: 3 Y (RUS CHN IND), 1 A (USA), 3 N (FRA GBR BRA).

USA (rows) and RUS (columns), positions Y/A/N:
r1 Y–N, r2 N–Y, r3 A–Y, r4 N–N, r5 N–N, r6 RUS absent, r7 Y–Y. So the matrix is
``[[1, 0, 1], [1, 0, 0], [1, 0, 2]]`` (YY 1, YN 1, AY 1, NY 1, NN 2), n = 6, shares /6;
identical 3/6 = 0.5; opposed (Y–N or N–Y) 2; n_absent 1 (r6).
agreement = 1 − mean|d|/2 with distances 2, 2, 1, 0, 0, 0: 1 − (5/6)/2 = 7/12.
Per year: 2020 holds r1 r2 r3 (d = 2, 2, 1): 1 − (5/3)/2 = 1/6; 2021 r4 r5 r7 (d = 0): 1.

Topics (agreement, n):
  hr: r1 (r6 has no pair) → 0.0, n 1, 2 votes, basis coded; nu, di: r2 → 0.0; ec: r3 → 0.5;
  me: r4 → 1.0, predicted 1, basis predicted; co: no vote → null.
  ukraine: r1 → 0.0; gaza: r4 → 1.0; disarmament ("disarmament" in r2's title, "weapons" in
  r5's subjects): d = 2, 0 → 0.5, n 2; development: r3 → 0.5; climate: r7 → 1.0;
  iran and human rights situations: r6 only → 1 vote, n 0, null;
  added words: "Item 99" (r4's agenda) → 1.0; "Cluster" (r5's title) → 1.0.

Divergent votes: r1 (d 2), r2 (d 2), r3 (d 1). Contestedness 1 − |Y − N|/(Y + N):
r1 1 − 3/5 = 0.4, r2 1 − 1/7 = 6/7, r3 (counted 3-1-3) 1.0. Order: distance first, then
contestedness: r2, r1, r3 (r3 is the most contested, but only a Yes against an abstention).

Shared minority positions (same position, fewer than half of the Y/A/N votes cast):
r4 N with 2 of 7 (4-1-2), r5 N with 2 of 5 + 2 = 2/7 (5-0-2); r7 Y with 6 of 7 is not.
Equal shares: the later first, r5 then r4.

USA and the P5 (the USA left out of the bloc: RUS FRA GBR CHN's majority):
r1 Y (2 Y, 1 N, 1 A) vs USA Y; r2 and r3 a 2–2 tie (no position, n_tied 2); r4 Y (2 Y) vs
USA N; r5 Y vs N; r6 Y (FRA GBR; RUS absent, CHN N) vs Y; r7 Y vs Y. YY 3, NY 2: n 5,
agreement 1 − (4/5)/2 = 0.6.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from comity.analysis import CompareResult, alignment, compare
from comity.analysis.links import UNDL_SEARCH, record_link
from comity.store.panel import Panel

STATES = ("USA", "RUS", "FRA", "GBR", "CHN", "IND", "BRA")
VOTES = np.array([
    # r1 r2 r3 r4 r5 r6 r7
    [1, 3, 2, 3, 3, 1, 1],  # USA
    [3, 1, 1, 3, 3, 8, 1],  # RUS
    [1, 3, 3, 1, 1, 1, 1],  # FRA
    [1, 3, 3, 2, 1, 1, 1],  # GBR
    [2, 1, 1, 1, 1, 3, 1],  # CHN
    [2, 1, 1, 1, 1, 2, 2],  # IND
    [1, 1, 3, 1, 1, 2, 1],  # BRA
], dtype=np.int8)


def _panel() -> Panel:
    res = pd.DataFrame({
        "rid": [f"r{i}" for i in range(1, 8)],
        "body": "GA",
        "session": [74, 74, 75, 75, 75, 75, 76],
        "date": pd.to_datetime(["2020-03-01", "2020-06-01", "2020-09-01", "2021-02-01",
                                "2021-05-01", "2021-08-01", "2021-10-01"]),
        "symbol": ["A/RES/74/1", "A/RES/74/2", "A/RES/75/3", "A/RES/75/4", "A/RES/75/5",
                   "A/RES/75/6", None],
        "title": ["Situation in Ukraine", "Nuclear disarmament", "Economic development",
                  "Gaza humanitarian", "Convention on Cluster Munitions",
                  "Situation of human rights in Iran", "Climate change"],
        "agenda": [None, None, None, "Item 99: Gaza", None, None, None],
        "subjects": [None, None, None, None, "Weapons", None, None],
        "issues": [["hr"], ["nu", "di"], ["ec"], ["me"], [], ["hr"], []],
        "issues_predicted": [False, False, False, True, False, False, False],
        "yes": pd.array([4, 4, None, 4, 5, 3, 6], dtype="Int64"),
        "abstain": pd.array([2, 0, None, 1, 0, 2, 1], dtype="Int64"),
        "no": pd.array([1, 3, None, 2, 2, 1, 0], dtype="Int64"),
        "link": ["https://digitallibrary.un.org/record/1", None, None, None, None, None, None],
    })
    return Panel(votes=VOTES, states=STATES, resolutions=res)


@pytest.fixture(scope="module")
def result() -> CompareResult:
    return compare("USA", "RUS", panel=_panel(), min_votes=1, bootstrap=200, seed=3,
                   topics=["Item 99", "Cluster"])


def _topic(r: CompareResult, kind: str, key: str) -> dict:
    t = r.topics
    rows = t[(t["kind"] == kind) & (t["key"] == key)]
    assert len(rows) == 1, (kind, key)
    return rows.iloc[0].to_dict()


def test_position_matrix_counts_and_shares(result: CompareResult) -> None:
    assert result.matrix.tolist() == [[1, 0, 1], [1, 0, 0], [1, 0, 2]]
    assert np.allclose(result.shares(), np.array([[1, 0, 1], [1, 0, 0], [1, 0, 2]]) / 6)
    o = result.overall
    assert o["n"] == 6 and o["n_absent"] == 1 and o["n_nonmember"] == 0 and o["n_tied"] == 0
    assert o["resolutions"] == 7 and o["opposed"] == 2
    assert o["identical"] == pytest.approx(0.5)
    assert o["value"] == pytest.approx(7 / 12)
    assert o["lo"] <= o["value"] <= o["hi"]
    y = result.matrix_by_year.set_index("year")
    assert y.loc[2020, "n"] == 3 and y.loc[2021, "n"] == 3
    assert (y.loc[2020, "YN"], y.loc[2020, "NY"], y.loc[2020, "AY"]) == (1, 1, 1)
    assert (y.loc[2021, "NN"], y.loc[2021, "YY"]) == (2, 1)


def test_overall_equals_alignment_over_the_whole_period(result: CompareResult) -> None:
    ref = alignment("USA", "RUS", panel=_panel(), period="all", min_votes=1, bootstrap=0)
    assert result.overall["value"] == pytest.approx(float(ref.to_frame()["value"].iloc[0]))


def test_trend_is_alignment_per_year(result: CompareResult) -> None:
    f = result.to_frame()
    assert f["period"].tolist() == [2020, 2021]
    assert f["value"].tolist() == pytest.approx([1 / 6, 1.0])
    ref = alignment("USA", "RUS", panel=_panel(), min_votes=1, bootstrap=200, seed=3)
    pd.testing.assert_frame_equal(f, ref.to_frame())


def test_topics(result: CompareResult) -> None:
    hr = _topic(result, "issue", "hr")
    assert (hr["value"], hr["n"], hr["resolutions"], hr["basis"]) == (0.0, 1, 2, "coded")
    assert _topic(result, "issue", "nu")["value"] == 0.0
    assert _topic(result, "issue", "di")["value"] == 0.0
    assert _topic(result, "issue", "ec")["value"] == 0.5
    me = _topic(result, "issue", "me")
    assert (me["value"], me["predicted"], me["basis"]) == (1.0, 1, "predicted")
    co = _topic(result, "issue", "co")
    assert co["resolutions"] == 0 and math.isnan(co["value"]) and pd.isna(co["basis"])
    assert _topic(result, "keyword", "ukraine")["value"] == 0.0
    assert _topic(result, "keyword", "gaza")["value"] == 1.0
    dis = _topic(result, "keyword", "disarmament")
    assert (dis["value"], dis["n"]) == (0.5, 2)  # r2 by its title, r5 by its subjects
    assert _topic(result, "keyword", "development")["value"] == 0.5
    assert _topic(result, "keyword", "climate")["value"] == 1.0
    for key in ("iran", "human rights situations"):
        t = _topic(result, "keyword", key)
        assert (t["resolutions"], t["n"]) == (1, 0) and math.isnan(t["value"])
    assert _topic(result, "keyword", "item 99")["value"] == 1.0  # found in the agenda item
    assert _topic(result, "keyword", "cluster")["value"] == 1.0
    # the six issues first, then the default topics, then the words added
    assert result.topics["kind"].tolist()[:6] == ["issue"] * 6
    assert result.topics["key"].tolist()[-2:] == ["item 99", "cluster"]


def test_divergent_votes_order_and_tallies(result: CompareResult) -> None:
    d = result.divergent
    assert d["rid"].tolist() == ["r2", "r1", "r3"]
    assert d["rank"].tolist() == [1, 2, 3]
    assert d["distance"].tolist() == [2, 2, 1]
    assert d["kind"].tolist() == ["Y/N", "Y/N", "Y/A"]
    assert d["vote_a"].tolist() == ["N", "Y", "A"] and d["vote_b"].tolist() == ["Y", "N", "Y"]
    assert d["contestedness"].tolist() == pytest.approx([6 / 7, 0.4, 1.0])
    assert d["tally"].tolist() == ["official", "official", "counted"]
    assert d[["yes", "abstain", "no"]].values.tolist() == [[4, 0, 3], [4, 2, 1], [3, 1, 3]]
    # the store's link where there is one, else a search for the symbol
    assert d["link"].tolist() == [record_link("A/RES/74/2"),
                                  "https://digitallibrary.un.org/record/1",
                                  record_link("A/RES/75/3")]
    assert d["link"].iloc[0].startswith(UNDL_SEARCH.split("{")[0])


def test_shared_minority(result: CompareResult) -> None:
    s = result.shared_minority
    assert s["rid"].tolist() == ["r5", "r4"]  # equal shares: the later vote first
    assert s["vote"].tolist() == ["N", "N"]
    assert s["share"].tolist() == pytest.approx([2 / 7, 2 / 7])


def test_shared_minority_smallest_share_first_and_half_is_not_a_minority() -> None:
    p = _panel()
    res = p.resolutions.copy()
    res.loc[4, ["yes", "abstain", "no"]] = [3, 0, 3]  # r5: N with 3 of 6, not fewer than half
    res.loc[3, ["yes", "abstain", "no"]] = [10, 0, 2]  # r4: N with 2 of 12
    r = compare("USA", "RUS", panel=Panel(votes=p.votes, states=p.states, resolutions=res),
                min_votes=1, bootstrap=0)
    assert r.shared_minority["rid"].tolist() == ["r4"]
    assert r.shared_minority["share"].iloc[0] == pytest.approx(2 / 12)


def test_state_and_bloc() -> None:
    r = compare("USA", "P5", panel=_panel(), min_votes=1, bootstrap=0)
    assert r.parties[1].code == "p5"
    assert r.matrix.tolist() == [[3, 0, 0], [0, 0, 0], [2, 0, 0]]
    assert r.overall["n_tied"] == 2 and r.overall["n"] == 5
    assert r.overall["value"] == pytest.approx(0.6)
    ref = alignment("USA", "P5", panel=_panel(), period="all", min_votes=1, bootstrap=0)
    assert r.overall["value"] == pytest.approx(float(ref.to_frame()["value"].iloc[0]))
    # both N against Y; contestedness r4 1 − 2/6 = 2/3 > r5 1 − 3/7 = 4/7
    assert r.divergent["rid"].tolist() == ["r4", "r5"]


def test_the_name_compare_is_the_function() -> None:
    import comity.analysis
    from comity.analysis.comparison import compare as function

    assert comity.analysis.compare is function
    r = comity.analysis.compare("USA", "RUS", panel=_panel(), min_votes=1, bootstrap=0)
    assert r.overall["value"] == pytest.approx(7 / 12)


def test_other_measure_and_errors() -> None:
    r = compare("USA", "RUS", panel=_panel(), min_votes=1, bootstrap=0, measure="identical")
    assert r.overall["value"] == pytest.approx(0.5)
    assert r.query["measure"] == "identical"
    from comity.analysis.measures import MeasureError
    from comity.errors import AlignmentError

    with pytest.raises(AlignmentError, match="not USA with itself"):
        compare("USA", "United States", panel=_panel(), bootstrap=0)
    with pytest.raises(MeasureError, match=r"unknown measure\(s\) \['nonsense'\]"):
        compare("USA", "RUS", panel=_panel(), bootstrap=0, measure="nonsense")
    with pytest.raises(AlignmentError, match="no recorded votes match the query"):
        compare("USA", "RUS", panel=_panel(), bootstrap=0, start=1990, end=1991)


def test_to_dict_is_json_without_nan(result: CompareResult) -> None:
    d = result.to_dict()
    text = json.dumps(d, allow_nan=False)  # raises on NaN
    assert set(d) == {"query", "parties", "measure", "overall", "trend", "matrix",
                      "matrix_by_year", "topics", "divergent_total", "divergent",
                      "shared_minority_total", "shared_minority", "cosponsorship"}
    assert d["cosponsorship"] is None  # a ready-made panel: no store, no sponsor lists
    assert set(d["query"]) == {"a", "b", "body", "start", "end", "strict", "measure", "topics",
                               "bootstrap", "seed", "ci", "min_votes", "top", "resolutions",
                               "blocs_file"}
    assert set(d["overall"]) == {"value", "lo", "hi", "n", "n_absent", "n_nonmember",
                                 "n_tied", "resolutions", "identical", "opposed"}
    assert d["matrix"] == {"labels": ["Y", "A", "N"], "n": 6,
                           "counts": [[1, 0, 1], [1, 0, 0], [1, 0, 2]],
                           "shares": [[1 / 6, 0.0, 1 / 6], [1 / 6, 0.0, 0.0],
                                      [1 / 6, 0.0, 2 / 6]]}
    assert d["matrix_by_year"][0]["year"] == 2020 and d["matrix_by_year"][0]["n"] == 3
    assert set(d["topics"][0]) == {"kind", "key", "name", "keywords", "resolutions", "n",
                                   "value", "lo", "hi", "predicted", "basis"}
    co = next(t for t in d["topics"] if t["key"] == "co")
    assert co["value"] is None and co["lo"] is None
    assert set(d["divergent"][0]) == {"rank", "rid", "date", "symbol", "title", "vote_a",
                                      "vote_b", "distance", "kind", "yes", "abstain", "no",
                                      "tally", "contestedness", "link"}
    assert d["divergent"][0]["date"] == "2020-06-01"
    assert set(d["shared_minority"][0]) == {"rank", "rid", "date", "symbol", "title", "vote",
                                            "yes", "abstain", "no", "share", "tally", "link"}
    assert d["divergent_total"] == 3 and d["shared_minority_total"] == 2
    assert "NaN" not in text
    assert "USA" in result.summary() and "r2" not in result.summary()  # symbols shown


def test_top_limits_the_dict_not_the_tables() -> None:
    r = compare("USA", "RUS", panel=_panel(), min_votes=1, bootstrap=0, top=1)
    d = r.to_dict()
    assert len(d["divergent"]) == 1 and d["divergent_total"] == 3
    assert len(r.divergent) == 3
    assert d["overall"]["lo"] is None  # no bootstrap: no interval, null not NaN


def test_plot(result: CompareResult, tmp_path: Path) -> None:
    fig = result.plot(tmp_path / "c.png")
    assert (tmp_path / "c.png").stat().st_size > 10_000
    assert len(fig.axes) >= 3


def test_cli_json_keys_and_table(mini_db: Path, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from comity.cli import app

    run = CliRunner()
    r = run.invoke(app, ["compare", "USA", "RUS", "--db", str(mini_db), "--json",
                         "--min-votes", "1", "--bootstrap", "50", "--seed", "1", "--topic",
                         "test", "--plot", str(tmp_path / "m.png")])
    assert r.exit_code == 0, r.output
    assert "NaN" not in r.stdout
    out = json.loads(r.stdout)
    assert set(out) == {"query", "parties", "measure", "overall", "trend", "matrix",
                        "matrix_by_year", "topics", "divergent_total", "divergent",
                        "shared_minority_total", "shared_minority", "cosponsorship"}
    assert [p["code"] for p in out["parties"]] == ["USA", "RUS"]
    assert out["query"]["topics"][-1] == "test"
    # the mini store: 1985 USA N / USSR Y (lineage: RUS), 1995 USA Y / RUS N, 2020 Y / N
    assert out["matrix"]["counts"][0][2] + out["matrix"]["counts"][2][0] == out["matrix"]["n"]
    assert out["divergent_total"] == out["matrix"]["n"] and out["divergent"][0]["distance"] == 2
    assert (tmp_path / "m.png").exists()
    r = run.invoke(app, ["compare", "USA", "RUS", "--db", str(mini_db), "--min-votes", "1",
                         "--bootstrap", "0"])
    assert r.exit_code == 0, r.output
    assert "most divergent votes" in r.stdout and "positions" in r.stdout
    r = run.invoke(app, ["compare", "USA", "Atlantis", "--db", str(mini_db)])
    assert r.exit_code != 0 and "Atlantis" in str(r.exception)


def test_table_says_why_a_year_has_no_value(monkeypatch: pytest.MonkeyPatch) -> None:
    """A year under --min-votes shows ``n<K`` rather than an empty cell."""
    from rich.console import Console

    import comity.cli.compare as cc

    rec = Console(record=True, width=150)
    monkeypatch.setattr(cc, "console", rec)
    cc._render(compare("USA", "RUS", panel=_panel(), min_votes=4, bootstrap=0))
    rows = [ln for ln in rec.export_text().splitlines() if ln.startswith(("│ 2020", "│ 2021"))]
    assert len(rows) == 2 and all("n<4" in ln for ln in rows)
    rec = Console(record=True, width=150)
    monkeypatch.setattr(cc, "console", rec)
    cc._render(compare("USA", "RUS", panel=_panel(), min_votes=3, bootstrap=0))
    assert "n<" not in rec.export_text()
