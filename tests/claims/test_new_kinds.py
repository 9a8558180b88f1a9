"""The claim kinds and headlines added with the reader (issue 14), on hand-made panels whose
numbers are worked out in the comments."""

from __future__ import annotations

import numpy as np
import pytest

from comity.claims.evaluation import evaluate, tost_verdict
from comity.claims.grammar import (
    CohesionClaim,
    IsolationClaim,
    MovedClaim,
    NeutralityClaim,
    Period,
)
from comity.claims.reader import read_sentence
from tests.test_claims import A, N, Y, days, make_panel, trio


def test_isolation_on_hand_counts() -> None:
    # 10 votes in 2000 (ISR Y on even, N on odd); 4 other members.
    # even votes: USA Y (sided), FRA N, DEU N, ITA A -> opposed 2/4
    # odd votes:  USA N (sided), FRA Y, DEU Y, ITA Y -> opposed 3/4
    # mean opposed = (5 * 0.5 + 5 * 0.75) / 10 = 0.625; effect = 0.125
    even = [Y, N, N, A]
    odd = [N, Y, Y, Y]
    cols = [(Y, *even) if k % 2 == 0 else (N, *odd) for k in range(10)]
    rows = {s: [c[i] for c in cols] for i, s in enumerate(["ISR", "USA", "FRA", "DEU", "ITA"])}
    p = make_panel(rows, days("2000-01-03", 10))
    r = evaluate(IsolationClaim("ISR", period=Period.year(2000)), panel=p, bootstrap=500,
                 min_votes=5)
    assert r.measure == "opposed" and r.n == 10
    assert r.effect == pytest.approx(0.125)
    assert r.components[0]["value"] == pytest.approx(0.625)
    assert r.counts["shares"]["sided"] == pytest.approx(0.25)
    assert r.counts["shares"]["abstained"] == pytest.approx(0.125)  # ITA on the even half
    assert r.verdict == "supported" and r.lo > 0  # every vote is above 0.5
    neg = evaluate(IsolationClaim("ISR", period=Period.year(2000), direction=-1), panel=p,
                   bootstrap=500, min_votes=5)
    assert neg.verdict == "contradicted"
    assert "Share of the other members voting against" in r.summary()
    assert [c["window"] for c in r.components] == ["claim", "year 2000"]


@pytest.mark.parametrize(("lo", "hi", "verdict"), [
    (-0.04, 0.04, "supported"), (-0.05, 0.04, "inconclusive"), (-0.0499, 0.0499, "supported"),
    (0.05, 0.2, "contradicted"), (0.049, 0.2, "inconclusive"), (-0.3, -0.05, "contradicted"),
    (-0.3, -0.051, "contradicted"), (-0.3, 0.3, "inconclusive")])
def test_tost_at_the_margin(lo: float, hi: float, verdict: str) -> None:
    """Supported only when the whole interval is strictly inside ±margin; contradicted when
    it is wholly outside (at or beyond the margin)."""
    assert tost_verdict((lo + hi) / 2, lo, hi, 0.05, 20, 10) == verdict
    assert tost_verdict(0.0, -0.01, 0.01, 0.05, 9, 10) == "insufficient data"
    assert tost_verdict(np.nan, np.nan, np.nan, 0.05, 20, 10) == "inconclusive"


def test_neutrality_equal_distance() -> None:
    # IND votes like RUS on half the votes and like USA on the other half: the agreement
    # with each is the same on every resample of pairs -> difference exactly 0
    n = 20
    ind = [Y] * n
    rus = [Y if k % 2 == 0 else N for k in range(n)]
    usa = [N if k % 2 == 0 else Y for k in range(n)]
    p = make_panel({"IND": ind, "RUS": rus, "USA": usa}, days("2003-01-06", n))
    r = evaluate(NeutralityClaim("IND", "RUS", "USA", period=Period.year(2003)), panel=p,
                 bootstrap=300)
    assert r.effect == pytest.approx(0.0)
    assert r.robustness["margin"] == 0.05
    # a resample can draw more even than odd votes: the interval is not a point, so whether
    # it lies inside ±0.05 is what decides
    inside = r.lo > -0.05 and r.hi < 0.05
    assert r.verdict == ("supported" if inside else "inconclusive")
    far = make_panel({"IND": ind, "RUS": [Y] * n, "USA": [N] * n}, days("2003-01-06", n))
    r2 = evaluate(NeutralityClaim("IND", "RUS", "USA", period=Period.year(2003)), panel=far,
                  bootstrap=300)
    assert r2.effect == pytest.approx(1.0) and r2.verdict == "contradicted"


def test_two_bloc_cohesion_and_window_before() -> None:
    # trio (FRA, DEU, ITA) unanimous on all 12 votes of 2004 -> index 1.0;
    # duo (USA, CAN) split on every vote -> index (1 - 0.5 * 1) / 2 = 0.25
    n = 12
    rows = {"FRA": [Y] * n, "DEU": [Y] * n, "ITA": [Y] * n, "USA": [Y] * n, "CAN": [N] * n}
    p = make_panel(rows, days("2004-01-05", n))
    from comity.world.blocs import Bloc, Membership

    blocs = {**trio(), "duo": Bloc(key="duo", name="Duo", memberships=(
        Membership("USA"), Membership("CAN")))}
    r = evaluate(CohesionClaim("bloc:trio", period=Period.year(2004), other="bloc:duo"),
                 panel=p, bootstrap=200, blocs_file=blocs)
    assert r.effect == pytest.approx(0.75) and r.verdict == "supported"
    assert [c["label"] for c in r.components] == ["cohesion trio", "cohesion duo"]
    # one period: compared with the same length just before (2003, no votes there)
    r = evaluate(CohesionClaim("bloc:trio", period=Period.year(2004)), panel=p,
                 bootstrap=200, blocs_file=blocs)
    assert r.period["windows"][1]["label"] == "2003" and r.verdict == "insufficient data"


def test_measure_dependent_headline_and_what_moved() -> None:
    # before (2001): USA Y, RUS N, CAN Y on 20 votes; after (2002): RUS Y on all, CAN still Y
    n = 20
    rows = {"USA": [Y] * (2 * n), "RUS": [N] * n + [Y] * n, "CAN": [Y] * (2 * n)}
    p = make_panel(rows, list(days("2001-01-08", n)) + list(days("2002-01-07", n)))
    r = evaluate(MovedClaim("USA", "RUS", after=Period.year(2002), before=Period.year(2001),
                            reference="CAN"), panel=p, bootstrap=200)
    # agreement USA-RUS 0.0 -> 1.0, USA-CAN 1.0 -> 1.0: the gap (-1.0) closed to 0.0
    assert r.explanation == ("United States–Russian Federation rose 0.000 → 1.000 and "
                             "United States–Canada stayed 1.000 → 1.000: the gap narrowed by "
                             "1.000")
    assert "What moved (agreement)" in r.summary()
    assert r.to_dict()["explanation"] == r.explanation
    # kappa is undefined when every vote is the same: no verdict there, agreement supported
    assert r.by_measure["agreement"] == "supported"
    assert r.headline == ("measure-dependent" if len(
        {v for v in r.by_measure.values() if v != "insufficient data"}) > 1 else r.verdict)


def test_reader_topic_reaches_the_votes() -> None:
    # votes whose title names Ukraine only are counted for 'on Ukraine'
    n = 24
    rows = {"USA": [Y] * n, "RUS": [N] * n, "FRA": [Y if k < 12 else N for k in range(n)]}
    titles = [f"Territorial integrity of Ukraine {k}" if k < 12 else f"Other {k}"
              for k in range(n)]
    p = make_panel(rows, days("2022-01-03", n), title=titles)
    (c,) = read_sentence("In 2022 the US voted closer to France than to Russia on Ukraine.")
    r = evaluate(c.claim, panel=p, bootstrap=100)
    assert r.n == 12 and r.effect == pytest.approx(1.0)
    assert any("topic Ukraine" in note for note in r.notes)


def test_known_hole_on_the_verdict_line() -> None:
    """A window touching A/RES/ES-11/7 (2025-02-24), which the panel lacks, says so on the
    verdict line and in the notes; a window ending the day before does not."""
    n = 12
    rows = {"USA": [Y] * n, "RUS": [N] * n, "FRA": [Y] * n}
    p = make_panel(rows, days("2025-01-06", n), session=[79] * n)
    r = evaluate("USA closer to FRA than to RUS from 2025-01-01 to 2025-02-24", panel=p,
                 bootstrap=50)
    assert r.data_holes == 2 and "touches 2 known holes" in r.summary().splitlines()[1]
    assert any("A/RES/ES-11/8 (2025-02-24)" in note for note in r.notes)
    r = evaluate("USA closer to FRA than to RUS from 2025-01-01 to 2025-02-23", panel=p,
                 bootstrap=50)
    assert r.data_holes == 0


def test_tied_evidence_is_ordered_by_contestedness_then_date() -> None:
    """Four votes where USA sides with RUS against FRA contribute equally; they are listed by
    how contested they were (Y/N split), then the latest first, and the note says so."""
    n = 12
    usa = [Y] * n
    rus = [Y] * 4 + [N] * 8
    fra = [N] * 4 + [N] * 8
    # the four decisive votes: tallies 50-50 (contested 1.0), 90-10 (0.2), 60-40 (0.8),
    # 60-40 on a later date; the rest 100-0
    yes = [90, 50, 60, 60] + [100] * 8
    no = [10, 50, 40, 40] + [0] * 8
    p = make_panel({"USA": usa, "RUS": rus, "FRA": fra}, days("2010-01-04", n),
                   yes=yes, no=no, abstain=[0] * n)
    r = evaluate("USA closer to RUS than to FRA in 2010", panel=p, bootstrap=50)
    top = r.evidence.head(4)
    assert top["symbol"].tolist() == ["A/RES/55/1", "A/RES/55/3", "A/RES/55/2",
                                      "A/RES/55/0"]
    assert any(note.startswith("the 4 most decisive votes are tied") for note in r.notes)
