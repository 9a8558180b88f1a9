"""Tests of comity.claims.evaluation and the ``comity claim`` command on hand-made panels whose
verdicts
and evidence are worked out by hand in the comments, plus the real data (slow)."""

from __future__ import annotations

import json
import math
import time
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from comity.analysis.align import cohesion
from comity.analysis.measures import MEASURES, paired_difference
from comity.claims.evaluation import (
    VERDICTS,
    ClaimError,
    ClaimResult,
    ClaimSyntaxError,
    CloserClaim,
    CohesionClaim,
    MovedClaim,
    Period,
    RankingClaim,
    evaluate,
    parse_claim,
    parse_period,
    record_link,
)
from comity.errors import ComityError, UnknownBlocError, UnknownStateError
from comity.store.panel import Panel
from comity.world.blocs import Bloc, Membership

Y, A, N, X, NM = 1, 2, 3, 8, 9


def make_panel(rows: dict[str, list[int]], dates: list[str] | pd.DatetimeIndex,
               **cols: list) -> Panel:
    states = tuple(rows)
    votes = np.array([rows[s] for s in states], dtype=np.int8)
    r = votes.shape[1]
    base = {
        "rid": [f"R{k}" for k in range(r)],
        "body": ["GA"] * r,
        "session": [55] * r,
        "date": pd.to_datetime(list(dates)),
        "symbol": [f"A/RES/55/{k}" for k in range(r)],
        "title": [f"title {k}" for k in range(r)],
        "issues": [["hr"] if k % 2 else [] for k in range(r)],
        "important": [False] * r,
    }
    base.update(cols)
    return Panel(votes=votes, states=states, resolutions=pd.DataFrame(base))


def days(start: str, n: int, step: int = 7) -> pd.DatetimeIndex:
    return pd.date_range(start, periods=n, freq=f"{step}D")


def trio() -> dict[str, Bloc]:
    return {"trio": Bloc(key="trio", name="Trio", memberships=(
        Membership("FRA"), Membership("DEU"), Membership("ITA")))}


# --------------------------------------------------------------------------------------------
# Parser
# --------------------------------------------------------------------------------------------
def test_parse_closer_forms() -> None:
    c = parse_claim("USA closer to RUS than to EU in 2025")
    assert c == CloserClaim("USA", "RUS", "bloc:eu", Period.year(2025))
    assert parse_claim("United States closer to Russia than to the European Union in 2025") == c
    assert parse_claim("Is the USA closer to Russia than to the EU in 2025?") == c
    c = parse_claim("USA closer to RUS than to EU in 2025 [on hr] [measure kappa]")
    assert (c.issue, c.measure) == ("hr", "kappa")
    assert parse_claim("usa closer to rus than eu on human rights using kappa in 2025") == c
    c = parse_claim("France further from USA than from Germany in 2015-2020")
    assert c == CloserClaim("FRA", "USA", "DEU", Period.years(2015, 2020), direction=-1)
    c = parse_claim("USA closer to ISR than to SUN")
    assert c.period == Period.latest()
    assert parse_claim("USA closer to ISR than to SUN in session 79").period == \
        Period.of_session(79)
    assert parse_claim("USA closer to ISR than to SUN in the 79th session").period == \
        Period.of_session(79)
    assert parse_claim("USA closer to ISR than to SUN between 2020-01-01 and 2024-12-31")\
        .period == Period("between", date(2020, 1, 1), date(2024, 12, 31))
    assert parse_claim("USA closer to ISR than to SUN between 2020 and 2024").period == \
        Period("between", date(2020, 1, 1), date(2024, 12, 31))
    assert parse_claim("USA closer to ISR than to SUN since 2025-01-20").period == \
        Period.since("2025-01-20")
    assert parse_claim("USA closer to ISR than to SUN from 2021-01 to 2021-06").period == \
        Period("between", date(2021, 1, 1), date(2021, 6, 30))
    # a state code that is also a bloc key is the state; bloc:X forces the bloc
    assert parse_claim("USA closer to state:NAM than to bloc:nam in 2000").b == "NAM"
    assert parse_claim("USA closer to state:NAM than to bloc:nam in 2000").c == "bloc:nam"


def test_parse_moved_cohesion_ranking() -> None:
    c = parse_claim("USA moved toward RUS since 2025-01-20")
    assert c == MovedClaim("USA", "RUS", Period.since("2025-01-20"))
    c = parse_claim("USA moved toward RUS since 2025-01-20 relative to EU")
    assert c.reference == "bloc:eu" and c.before is None
    c = parse_claim("USA moved toward RUS since 2025-01-20 from 2021-01-20 to 2025-01-19")
    assert c.before == Period("between", date(2021, 1, 1).replace(day=20),
                              date(2025, 1, 19))
    c = parse_claim("Has the USA moved away from the EU relative to Russia in 2025 "
                    "compared with 2024 on hr measure S?")
    assert c == MovedClaim("USA", "bloc:eu", Period.year(2025), Period.year(2024), "RUS",
                           "hr", "S", -1)
    c = parse_claim("EU more cohesive in 2024 than in 2014")
    assert c == CohesionClaim("bloc:eu", Period.year(2024), Period.year(2014))
    c = parse_claim("Was NATO less cohesive in session 70 than 2000-2004 on disarmament")
    assert c == CohesionClaim("bloc:nato", Period.of_session(70), Period.years(2000, 2004),
                              "di", -1)
    c = parse_claim("top 10 closest to CHN in 2025 [on ec]")
    assert c == RankingClaim("CHN", 10, Period.year(2025), "ec")
    c = parse_claim("top 3 furthest from the EU using pi")
    assert c == RankingClaim("bloc:eu", 3, Period.latest(), None, "pi", -1)


@pytest.mark.parametrize("text", [
    "USA closer to RUS than to EU in 2025 on hr measure kappa",
    "FRA further from USA than from DEU in 2015-2020",
    "USA closer to ISR than to SUN in session 79",
    "USA closer to ISR than to SUN from 2020-03-01 to 2020-06-30",
    "USA moved toward RUS since 2025-01-20 relative to EU",
    "USA moved away from RUS in 2025 compared with 2020-2021 measure pi",
    "USA moved toward RUS since 2025-01-20 from 2021-01-20 to 2025-01-19",
    "EU less cohesive in 2024 than in session 69 on hr",
    "top 7 furthest from CHN in 2025 on ec measure coincidence",
])
def test_canonical_text_round_trips(text: str) -> None:
    c = parse_claim(text)
    assert parse_claim(str(c)) == c


def test_parse_period() -> None:
    assert parse_period("2025") == Period.year(2025)
    assert parse_period("in 2015-2020") == Period.years(2015, 2020)
    assert parse_period("2015 to 2015") == Period.year(2015)
    assert parse_period("since 2025-01") == Period.since("2025-01-01")
    assert parse_period("session 79").bare == "session 79"
    for bad in ("in twenty25", "2020-2015", "between 2020 and 2019", "session 0"):
        with pytest.raises(ClaimSyntaxError):
            parse_period(bad)


def test_parse_errors_list_candidates_and_forms() -> None:
    with pytest.raises(ClaimSyntaxError) as e:
        parse_claim("USA likes RUS")
    msg = str(e.value)
    assert "expected one of" in msg and "USA closer to RUS than to EU in 2025" in msg
    assert "top 10 closest to CHN" in msg and isinstance(e.value, ComityError)
    with pytest.raises(UnknownStateError) as e2:
        parse_claim("USA closer to Korea than to EU in 2025")
    assert {"KOR", "PRK"} <= set(e2.value.candidates)
    with pytest.raises(UnknownStateError) as e2:
        parse_claim("USA closer to Rusia than to EU in 2025")
    assert "RUS" in e2.value.candidates
    with pytest.raises(UnknownBlocError) as e3:
        parse_claim("NATOO more cohesive in 2024 than in 2014")
    assert "nato" in e3.value.candidates  # type: ignore[attr-defined]
    with pytest.raises(ClaimError, match="is a state"):
        parse_claim("state:USA more cohesive in 2024 than in 2014")
    with pytest.raises(ClaimSyntaxError) as e4:
        parse_claim("USA closer to RUS than to EU in 2025 on fisheries")
    assert set(e4.value.candidates) == {"me", "nu", "di", "hr", "co", "ec"}
    with pytest.raises(ClaimSyntaxError, match="unknown measure"):
        parse_claim("USA closer to RUS than to EU measure cosine")
    with pytest.raises(ClaimSyntaxError, match="cannot read the period"):
        parse_claim("USA closer to RUS than to EU in 20x5")
    with pytest.raises(ClaimSyntaxError, match="needs a period"):
        parse_claim("USA moved toward RUS")
    with pytest.raises(ClaimSyntaxError, match="cannot read the claim"):
        parse_claim("EU more cohesive")
    # one period: compared with the window of the same length just before (issue 14)
    assert parse_claim("EU more cohesive in 2024").than is None
    with pytest.raises(ClaimSyntaxError, match="relative to"):
        parse_claim("USA closer to RUS than to EU in 2025 relative to CHN")
    with pytest.raises(ClaimError, match="same party twice"):
        parse_claim("USA closer to RUS than to Russia in 2025")
    with pytest.raises(ClaimError, match="must end before"):
        parse_claim("USA moved toward RUS in 2020 compared with 2021")
    with pytest.raises(ClaimError, match="does not apply"):
        parse_claim("EU more cohesive in 2024 than in 2014 measure kappa")
    with pytest.raises(ClaimSyntaxError):
        parse_claim("   ")


def test_record_link() -> None:
    assert record_link("A/RES/68/262", "https://digitallibrary.un.org/record/1") == \
        "https://digitallibrary.un.org/record/1"
    assert record_link("A/RES/68/262", None) == \
        "https://digitallibrary.un.org/search?ln=en&p=%22A%2FRES%2F68%2F262%22"
    assert record_link(None, float("nan")) is None


# --------------------------------------------------------------------------------------------
# Closer. 30 votes in 2000: CAN votes as the USA on all; MEX opposes the USA on 20 of them.
# agreement USA-CAN 1, USA-MEX 1/3 -> effect 2/3; every resample keeps it positive.
# --------------------------------------------------------------------------------------------
@pytest.fixture
def closer_panel() -> Panel:
    usa = [Y, N] * 15
    mex = [N, Y] * 10 + [Y, N] * 5
    return make_panel({"USA": usa, "CAN": list(usa), "MEX": mex}, days("2000-01-03", 30))


def test_closer_supported_contradicted(closer_panel: Panel) -> None:
    r = evaluate("USA closer to CAN than to MEX in 2000", panel=closer_panel, bootstrap=300)
    assert isinstance(r, ClaimResult)
    assert r.verdict == "supported" and r.measure == "agreement"
    assert r.effect == pytest.approx(2 / 3) and r.n == 30
    # the paired bootstrap (default seed 0, 300 draws of the 30 votes): USA-CAN agree on
    # every vote, USA-MEX on the last 10 only -> each draw's effect is 1 - that share
    mex_agrees = np.array([0] * 20 + [1] * 10)
    draws = 1 - mex_agrees[np.random.default_rng(0).integers(0, 30, (300, 30))].mean(axis=1)
    lo, hi = np.percentile(draws, [2.5, 97.5])
    assert (r.lo, r.hi) == (pytest.approx(lo), pytest.approx(hi))
    assert r.lo > 0
    assert r.counts == {"n": 30, "with_b_against_c": 20, "with_c_against_b": 0,
                        "all_agree": 10, "apart": 0}
    assert r.period["windows"][0]["start"] == "2000-01-01"
    assert r.period["windows"][0]["end"] == "2000-12-31"
    assert r.period["windows"][0]["first_vote"] == "2000-01-03"
    r2 = evaluate("USA closer to MEX than to CAN in 2000", panel=closer_panel, bootstrap=300)
    assert r2.verdict == "contradicted" and r2.effect == pytest.approx(-2 / 3)
    r3 = evaluate("USA further from MEX than from CAN in 2000", panel=closer_panel,
                  bootstrap=300)
    assert r3.verdict == "supported"
    assert set(r.robustness["measures"]) == set(MEASURES)
    assert r.robustness["without_top5"]["verdict"] == "supported"
    assert r.robustness["stable"] is True
    assert {r.verdict, r2.verdict} <= set(VERDICTS)


def test_closer_inconclusive_and_insufficient() -> None:
    # USA sides with CAN on 10 votes and with MEX on 10: effect 0, the interval straddles it
    usa = [Y] * 20
    can = [Y] * 10 + [N] * 10
    mex = [N] * 10 + [Y] * 10
    p = make_panel({"USA": usa, "CAN": can, "MEX": mex}, days("2000-01-03", 20))
    r = evaluate("USA closer to CAN than to MEX in 2000", panel=p, bootstrap=300)
    assert r.verdict == "inconclusive" and r.effect == pytest.approx(0.0)
    can_agrees = np.array([1] * 10 + [0] * 10)
    idx = np.random.default_rng(0).integers(0, 20, (300, 20))
    draws = can_agrees[idx].mean(axis=1) - (1 - can_agrees)[idx].mean(axis=1)
    lo, hi = np.percentile(draws, [2.5, 97.5])
    assert (r.lo, r.hi) == (pytest.approx(lo), pytest.approx(hi))
    assert r.lo < 0 < r.hi
    # 2001: nothing recorded; 2000 with min_votes=25: 20 < 25
    r = evaluate("USA closer to CAN than to MEX in 2001", panel=p, bootstrap=100)
    assert r.verdict == "insufficient data" and r.n == 0 and math.isnan(r.effect)
    assert any("no recorded GA votes" in n for n in r.notes)
    r = evaluate("USA closer to CAN than to MEX in 2000", panel=p, bootstrap=100, min_votes=25)
    assert r.verdict == "insufficient data" and r.n == 20
    assert "insufficient data" in r.summary()
    # without bootstrap: no interval, never more than inconclusive
    r = evaluate("USA closer to CAN than to MEX in 2000", panel=p, bootstrap=0)
    assert r.verdict == "inconclusive" and math.isnan(r.lo)


def test_closer_same_resolutions_only() -> None:
    # MEX absent on the 10 votes where USA and CAN disagree: they are left out of both
    # measures, so USA-CAN 1 and USA-MEX 0 on the 10 shared votes
    usa = [Y] * 20
    can = [Y] * 10 + [N] * 10
    mex = [N] * 10 + [X] * 10
    p = make_panel({"USA": usa, "CAN": can, "MEX": mex}, days("2000-01-03", 20))
    r = evaluate("USA closer to CAN than to MEX in 2000", panel=p, bootstrap=200, min_votes=3)
    assert r.n == 10 and r.effect == pytest.approx(1.0) and r.verdict == "supported"
    # with min_votes=10 over half the resamples have fewer than 10 shared votes: no interval
    r = evaluate("USA closer to CAN than to MEX in 2000", panel=p, bootstrap=200)
    assert r.verdict == "inconclusive" and math.isnan(r.lo)


def test_closer_matches_paired_difference() -> None:
    rng = np.random.default_rng(5)
    votes = rng.choice([Y, A, N, X], size=(3, 60), p=[.45, .2, .3, .05])
    p = make_panel({"USA": votes[0], "CAN": votes[1], "MEX": votes[2]},
                   days("2000-01-03", 60, 5))
    for m in MEASURES:
        r = evaluate("USA closer to CAN than to MEX in 2000", panel=p, measure=m,
                     bootstrap=300, seed=3)
        ref = paired_difference(p, "USA", "CAN", "MEX", measure=m, bootstrap=300, seed=3,
                                common=True).iloc[0]
        assert r.effect == pytest.approx(ref["effect"])
        assert (r.lo, r.hi) == pytest.approx((ref["lo"], ref["hi"]))
        assert r.n == ref["n_both"]
        row = r.robustness["measures"][m]
        assert row["effect"] == pytest.approx(ref["effect"])


def test_evidence_ranking_by_hand() -> None:
    #        r0 r1 r2 r3 r4
    # USA    Y  Y  Y  N  A
    # CAN    Y  N  Y  N  Y     similarity s_ab 1 0 1 1 .5 -> 0.7
    # MEX    N  Y  Y  Y  A     similarity s_ac 0 1 1 0 1  -> 0.6 ; effect 0.1
    # leave-one-out: contribution = [(s_ab - .7) - (s_ac - .6)] / 4
    #   r0 .225, r1 -.275, r2 -.025, r3 .225, r4 -.15
    # ranked in the direction of the effect (positive), ties: later vote first
    p = make_panel({"USA": [Y, Y, Y, N, A], "CAN": [Y, N, Y, N, Y],
                    "MEX": [N, Y, Y, Y, A]}, days("2000-01-03", 5))
    r = evaluate("USA closer to CAN than to MEX in 2000", panel=p, bootstrap=0, min_votes=1)
    assert r.effect == pytest.approx(0.1)
    ev = r.evidence
    assert ev["rid"].tolist() == ["R3", "R0", "R2", "R4", "R1"]
    assert ev["contribution"].tolist() == pytest.approx([.225, .225, -.025, -.15, -.275])
    assert ev["rank"].tolist() == [1, 2, 3, 4, 5]
    assert ev["sided"].tolist() == ["with B", "with B", "all agree", "with C", "with C"]
    assert ev.loc[0, ["vote_a", "vote_b", "vote_c"]].tolist() == ["N", "N", "Y"]
    assert ev.loc[0, "issues"] == "hr" and ev.loc[1, "issues"] == ""
    assert ev.loc[0, "link"] == record_link("A/RES/55/3")
    assert r.counts == {"n": 5, "with_b_against_c": 2, "with_c_against_b": 2,
                        "all_agree": 1, "apart": 0}
    # the two top rows push the effect up; without them (r1, r2, r4) USA-CAN .5, USA-MEX 1
    wo = r.robustness["without_top5"]
    assert wo["removed"] == ["A/RES/55/3", "A/RES/55/0"]
    assert wo["effect"] == pytest.approx(-0.5)
    assert len(evaluate("USA closer to CAN than to MEX in 2000", panel=p, bootstrap=0,
                        min_votes=1, top_evidence=2).evidence) == 2


def test_closer_with_bloc_excludes_self() -> None:
    # FRA against the trio: the trio's position is DEU+ITA's (FRA left out);
    #   r: DEU Y, ITA Y -> Y ; DEU N, ITA N -> N ; DEU Y, ITA N -> tie (no position)
    n = 12
    fra = [Y] * n
    deu = [Y] * 8 + [N] * 2 + [Y] * 2
    ita = [Y] * 8 + [N] * 2 + [N] * 2
    usa = [N] * 6 + [Y] * 6
    p = make_panel({"FRA": fra, "DEU": deu, "ITA": ita, "USA": usa}, days("2000-01-03", n))
    r = evaluate("FRA closer to trio than to USA in 2000", panel=p, blocs_file=trio(),
                 bootstrap=0, min_votes=1)
    # shared votes: the 10 with a trio position; FRA-trio 8/10, FRA-USA (6 N, 4 Y)/10 -> .4
    assert r.n == 10
    assert r.components[0]["value"] == pytest.approx(0.8)
    assert r.components[1]["value"] == pytest.approx(0.4)
    assert "split_b" in r.evidence.columns
    row = r.evidence[r.evidence["rid"] == "R8"].iloc[0]
    assert (row["vote_b"], row["split_b"]) == ("N", "0-0-2")
    full = evaluate("FRA closer to trio than to USA in 2000", panel=p, blocs_file=trio(),
                    bootstrap=0, min_votes=1, top_evidence=None)
    assert "R10" not in set(full.evidence["rid"])  # the tie is not compared


# --------------------------------------------------------------------------------------------
# Moved. USA-CAN: 2000 agree on 4 of 20 votes, 2001 on 16 of 20.
# --------------------------------------------------------------------------------------------
@pytest.fixture
def moved_panel() -> Panel:
    usa = [Y] * 40
    can = [Y] * 4 + [N] * 16 + [Y] * 16 + [N] * 4
    mex = [Y] * 40
    dates = list(days("2000-01-03", 20, 14)) + list(days("2001-01-03", 20, 14))
    return make_panel({"USA": usa, "CAN": can, "MEX": mex}, pd.DatetimeIndex(dates))


def test_moved_verdicts(moved_panel: Panel) -> None:
    r = evaluate("USA moved toward CAN in 2001", panel=moved_panel, bootstrap=300)
    assert r.verdict == "supported" and r.effect == pytest.approx(0.8 - 0.2)
    wins = r.period["windows"]
    assert [w["role"] for w in wins] == ["before", "after"]
    assert (wins[0]["label"], wins[1]["label"]) == ("2000", "2001")
    assert r.counts["before"] == {"n": 20, "same": 4, "different": 16}
    assert r.n == 40
    assert set(r.evidence["window"]) <= {"before", "after"}
    assert r.evidence.loc[0, "contribution"] > 0
    r = evaluate("USA moved away from CAN in 2001 compared with 2000", panel=moved_panel,
                 bootstrap=300)
    assert r.verdict == "contradicted"
    r = evaluate("USA moved toward CAN in 2002", panel=moved_panel, bootstrap=100)
    assert r.verdict == "insufficient data"
    # relative to MEX (always with the USA: 1 -> 1): the same change
    r = evaluate("USA moved toward CAN in 2001 relative to MEX", panel=moved_panel,
                 bootstrap=300)
    assert r.verdict == "supported" and r.effect == pytest.approx(0.6)
    assert r.counts["after"]["with_c_against_b"] == 4
    # no real change: 2001 H1 vs H2 both 16/20 ... split the second year in halves
    r = evaluate("USA moved toward CAN since 2001-07-01", panel=moved_panel, bootstrap=300)
    assert r.period["windows"][1]["end"] == "2001-09-26"  # the last vote
    assert r.verdict in VERDICTS


def test_moved_default_windows() -> None:
    p = make_panel({"USA": [Y] * 4, "CAN": [Y] * 4},
                   ["2000-03-01", "2000-10-01", "2001-03-01", "2001-10-01"],
                   session=[54, 55, 55, 56])
    r = evaluate("USA moved toward CAN in session 56", panel=p, bootstrap=0, min_votes=1)
    assert [w["label"] for w in r.period["windows"]] == ["session 55", "session 56"]
    r = evaluate("USA moved toward CAN in 2000-2001", panel=p, bootstrap=0, min_votes=1)
    assert r.period["windows"][0]["label"] == "1998-1999"
    r = evaluate("USA moved toward CAN between 2001-01-01 and 2001-01-10", panel=p,
                 bootstrap=0, min_votes=1)
    assert r.period["windows"][0]["start"] == "2000-12-22"
    assert r.period["windows"][0]["end"] == "2000-12-31"


# --------------------------------------------------------------------------------------------
# Cohesion of the trio: 2000 split votes (Y, Y, N: index .5), 2001 unanimous (1).
# --------------------------------------------------------------------------------------------
@pytest.fixture
def cohesion_panel() -> Panel:
    fra = [Y] * 24
    deu = [Y] * 24
    ita = [N] * 10 + [Y] * 2 + [Y] * 12
    dates = list(days("2000-01-03", 12, 14)) + list(days("2001-01-03", 12, 14))
    return make_panel({"FRA": fra, "DEU": deu, "ITA": ita}, pd.DatetimeIndex(dates))


def test_cohesion_verdicts(cohesion_panel: Panel) -> None:
    b = trio()
    r = evaluate("trio more cohesive in 2001 than in 2000", panel=cohesion_panel,
                 blocs_file=b, bootstrap=300)
    # 2000: 10 votes at .5, 2 at 1 -> 7/12 ; 2001: 1
    assert r.effect == pytest.approx(1 - 7 / 12)
    assert r.verdict == "supported" and r.measure == "cohesion" and r.n == 24
    ref = cohesion("trio", panel=cohesion_panel, blocs_file=b, bootstrap=0, min_votes=1)\
        .to_frame()
    assert r.components[0]["value"] == pytest.approx(ref["value"].iloc[1])
    assert r.components[1]["value"] == pytest.approx(ref["value"].iloc[0])
    assert r.counts["than"] == {"n": 12, "unanimous": 2, "split": 10}
    ev = r.evidence
    assert ev.loc[0, "window"] == "than" and ev.loc[0, "cohesion"] == pytest.approx(0.5)
    assert ev.loc[0, ["position", "members_yes", "members_no"]].tolist() == ["Y", 2, 1]
    assert evaluate("trio less cohesive in 2001 than in 2000", panel=cohesion_panel,
                    blocs_file=b, bootstrap=300).verdict == "contradicted"
    with pytest.raises(ClaimError, match=r"the two windows compared \(2001 and 2001\) overlap"):
        evaluate("trio more cohesive in 2001 than in 2001", panel=cohesion_panel,
                 blocs_file=b, bootstrap=300)
    assert evaluate("trio more cohesive in 2001 than in 1999", panel=cohesion_panel,
                    blocs_file=b, bootstrap=300).verdict == "insufficient data"
    with pytest.raises(ClaimError):
        evaluate("trio more cohesive in 2001 than in 2000", panel=cohesion_panel,
                 blocs_file=b, measure="kappa")
    fig = r.plot()
    assert fig.axes and "cohesive" in fig.axes[0].get_title()


# --------------------------------------------------------------------------------------------
# Ranking: CHN's closest in 2000. PAK votes as CHN on all, IND on 3 of 4, USA on none.
# --------------------------------------------------------------------------------------------
def test_ranking() -> None:
    chn = [Y, Y, N, A] * 5
    pak = list(chn)
    ind = [Y, Y, N, Y] * 5
    usa = [N, N, Y, Y] * 5
    p = make_panel({"CHN": chn, "PAK": pak, "IND": ind, "USA": usa}, days("2000-01-03", 20))
    r = evaluate("top 2 closest to CHN in 2000", panel=p, bootstrap=200)
    assert r.verdict == "ranking"
    f = r.to_frame()
    assert f["state"].tolist() == ["PAK", "IND"]
    assert f["value"].tolist() == pytest.approx([1.0, 0.875])
    assert (f["lo"] <= f["value"]).all() and (f["value"] <= f["hi"]).all()
    r = evaluate("top 1 furthest from CHN in 2000", panel=p, bootstrap=0)
    assert r.to_frame()["state"].tolist() == ["USA"]
    assert r.robustness["measures"]["agreement"] == ["USA"]
    assert r.plot().axes
    r = evaluate("top 2 closest to CHN in 1990", panel=p, bootstrap=0)
    assert r.verdict == "insufficient data"
    assert "Ranking" in evaluate("top 2 closest to CHN in 2000", panel=p, bootstrap=0)\
        .summary()


# --------------------------------------------------------------------------------------------
# Output: summary, JSON, plot
# --------------------------------------------------------------------------------------------
def test_outputs(closer_panel: Panel, tmp_path: Path) -> None:
    r = evaluate("USA closer to CAN than to MEX in 2000 on hr", panel=closer_panel,
                 bootstrap=200)
    assert r.n == 15  # the odd resolutions are coded hr
    text = r.summary()
    assert text.splitlines()[0].startswith("Claim: United States (USA) closer to Canada")
    # the five measures do not all agree here, so the verdict line says so (issue 14)
    assert r.verdict == "supported" and r.headline == "measure-dependent"
    per = "; ".join(f"{m}: {v}" for m, v in r.by_measure.items())
    assert f"Verdict: MEASURE-DEPENDENT ({per}); under agreement: supported" in text
    assert "95% CI" in text and "n = 15" in text
    assert "agreement" in text.lower() and "2000-01-01 to 2000-12-31" in text
    d = r.to_dict()
    json.dumps(d, allow_nan=False)
    assert set(d) == {"claim", "sentence", "verdict", "effect", "lo", "hi", "ci", "n",
                      "measure", "period", "parties", "components", "counts", "robustness",
                      "evidence", "query", "notes", "headline", "verdicts_by_measure",
                      "explanation", "measure_definition", "reading", "data_holes"}
    assert d["reading"] == "USA closer to CAN than to MEX, 2000, on human rights, GA, measure " \
        "agreement"
    assert d["headline"] == "measure-dependent" and d["explanation"] is None
    assert d["measure_definition"].startswith("1 − |vote difference|/2")
    assert d["claim"]["kind"] == "closer" and d["claim"]["period"]["label"] == "2000"
    assert d["evidence"][0]["date"].startswith("2000-")
    f = r.to_frame()
    assert f["measure"].tolist()[:len(MEASURES)] == list(MEASURES)
    assert f["chosen"].sum() == 1
    fig = r.plot(tmp_path / "c.png")
    assert (tmp_path / "c.png").exists() and fig.axes
    with pytest.raises(ComityError):
        r.plot(tmp_path / "c.bmp")
    # a claim object is evaluated as is; anything else is refused
    c = parse_claim("USA closer to CAN than to MEX in 2000")
    assert parse_claim(c) is c
    assert evaluate(c, panel=closer_panel, bootstrap=0).claim == c
    with pytest.raises(ClaimError, match="not a claim"):
        evaluate(42, panel=closer_panel)  # type: ignore[arg-type]


# --------------------------------------------------------------------------------------------
# CLI on a small store
# --------------------------------------------------------------------------------------------
def test_cli_claim(mini_db: Path, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from comity.cli import app

    run = CliRunner()
    db = str(mini_db)
    # 1985: USA N, CAN A, USSR Y (RUS by lineage)
    r = run.invoke(app, ["claim", "USA closer to CAN than to RUS in 1985", "--db", db,
                         "--min-votes", "1", "--bootstrap", "50", "--json", "--plot",
                         str(tmp_path / "p.png")])
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert out["verdict"] in VERDICTS and out["n"] == 1
    assert out["effect"] == pytest.approx(0.5)
    assert out["evidence"][0]["vote_c"] == "Y" and out["evidence"][0]["link"]
    assert (tmp_path / "p.png").exists()
    r = run.invoke(app, ["claim", "USA closer to CAN than to RUS in 1985", "--db", db,
                         "--min-votes", "1", "--bootstrap", "50"])
    assert r.exit_code == 0, r.output
    assert "Verdict" in r.stdout and "A/RES/40/100" in r.stdout
    r = run.invoke(app, ["claim", "USA adores CAN", "--db", db])
    assert r.exit_code != 0 and isinstance(r.exception, ClaimSyntaxError)


def test_cli_claim_errors_exit_codes(mini_db: Path) -> None:
    import subprocess
    import sys

    r = subprocess.run([sys.executable, "-m", "comity.cli", "claim", "USA closer to Korea "
                        "than to CAN", "--db", str(mini_db)], capture_output=True, text=True)
    assert r.returncode == 4 and "ambiguous" in r.stderr and "Traceback" not in r.stderr
    r = subprocess.run([sys.executable, "-m", "comity.cli", "claim", "USA adores CAN", "--db",
                        str(mini_db)], capture_output=True, text=True)
    assert r.returncode == 2 and "expected one of" in r.stderr


# --------------------------------------------------------------------------------------------
# Real data
# --------------------------------------------------------------------------------------------
@pytest.mark.slow
def test_real_claims(full_store) -> None:  # type: ignore[no-untyped-def]
    r = evaluate("USA closer to ISR than to SUN in 1985", store=full_store)
    assert r.verdict == "supported"
    assert r.effect > 0.3 and r.n > 100
    assert r.evidence["link"].notna().all()
    assert r.robustness["stable"]
    json.dumps(r.to_dict(), allow_nan=False)
    timings = {}
    for text in ("USA closer to RUS than to EU in 2025",
                 "USA moved toward RUS since 2025-01-20 relative to EU",
                 "EU more cohesive in 2024 than in 2014",
                 "top 10 closest to CHN in 2025"):
        t0 = time.perf_counter()
        res = evaluate(text, store=full_store)
        timings[text] = time.perf_counter() - t0
        assert res.verdict in (*VERDICTS, "ranking")
    for text, sec in timings.items():
        print(f"benchmark: {sec:.2f} s  {text}  ")
