"""Window and gap limits outside the data path proper (issue 21): bridging chains of ideal
points at a gap one below, at and one above ``max_gap``, and a claim's earlier window ending
the day before, on, or after the later window's start.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from comity.analysis.ideal_em import bridge_items
from comity.claims.grammar import ClaimError, parse_claim


@pytest.mark.parametrize(("gap", "items"), [
    (2, [0, 0]),   # below the limit: one chain
    (3, [0, 0]),   # a gap of exactly max_gap still bridges
    (4, [0, 1]),   # one above: a new item
])
def test_bridge_gap_at_the_limit(gap: int, items: list[int]) -> None:
    res = pd.DataFrame({"title": ["Cuba embargo", "Cuba embargo"]})
    item, keys = bridge_items(res, np.array([10, 10 + gap]), max_gap=3)
    assert item.tolist() == items
    assert keys.tolist() == ["cuba embargo"] * len(set(items))


def test_bridge_chain_of_three_cut_once() -> None:
    res = pd.DataFrame({"title": ["Jerusalem"] * 4})
    item, _ = bridge_items(res, np.array([1, 4, 7, 11]), max_gap=3)
    assert item.tolist() == [0, 0, 0, 1]  # 1→4→7 within 3; 7→11 is 4


@pytest.mark.parametrize(("earlier_end", "ok"), [
    ("2020-05-30", True),
    ("2020-05-31", True),    # the day before the later window starts
    ("2020-06-01", False),   # on its first day: the windows share a day
    ("2020-06-02", False),
])
def test_moved_claim_windows_must_not_share_a_day(earlier_end: str, ok: bool) -> None:
    text = ("USA moved toward RUS from 2020-06-01 to 2020-12-31 compared with from "
            f"2019-01-01 to {earlier_end}")
    if not ok:
        with pytest.raises(ClaimError, match=r"must end before the claim window "
                                             r"\(2020-06-01 to 2020-12-31\) starts"):
            parse_claim(text)
        return
    c = parse_claim(text)
    assert (str(c.after.start), str(c.after.end)) == ("2020-06-01", "2020-12-31")
    assert (str(c.before.start), str(c.before.end)) == ("2019-01-01", earlier_end)


def test_moved_claim_since_and_years() -> None:
    with pytest.raises(ClaimError, match="must end before"):
        parse_claim("USA moved toward RUS since 2020-06-01 compared with from 2019-01-01 to "
                    "2020-06-01")
    c = parse_claim("USA moved toward RUS in 2021 compared with 2020")
    assert (str(c.before.start), str(c.before.end)) == ("2020-01-01", "2020-12-31")
    with pytest.raises(ClaimError, match="must end before"):
        parse_claim("USA moved toward RUS in 2020 compared with 2020")


@pytest.mark.parametrize(("text", "ok"), [
    ("EU more cohesive in 2024 than in 2014", True),
    ("EU more cohesive in 2014 than in 2024", True),          # either order may be compared
    ("EU more cohesive in 2020-2023 than in 2024", True),     # ends the day before
    ("EU more cohesive in 2024 than in 2020-2023", True),
    ("EU more cohesive in 2020-2024 than in 2024", False),    # the later window inside
    ("EU more cohesive in 2024 than in 2023-2024", False),
    ("EU more cohesive in 2024 than in 2024", False),
    ("EU more cohesive since 2020 than in 2022", False),      # an open window covers 2022
    ("EU more cohesive from 2020-01-01 to 2020-06-01 than from 2020-06-01 to 2020-12-31",
     False),                                               # they share 2020-06-01
    ("EU more cohesive from 2020-01-01 to 2020-05-31 than from 2020-06-01 to 2020-12-31",
     True),
])
def test_cohesion_claim_windows_must_not_share_a_day(text: str, ok: bool) -> None:
    if not ok:
        with pytest.raises(ClaimError, match="overlap"):
            parse_claim(text)
        return
    c = parse_claim(text)
    assert c.than is not None and c.than != c.period


def test_cohesion_claim_overlap_in_the_constructor_and_reader() -> None:
    from comity.claims.grammar import CohesionClaim, Period
    with pytest.raises(ClaimError, match="overlap"):
        CohesionClaim("eu", period=Period.years(2020, 2024), than=Period.year(2022))
    # two blocs in one period is not a comparison of windows
    assert CohesionClaim("eu", period=Period.year(2024), other="au").other == "au"
    with pytest.raises(ClaimError, match="overlap"):
        CohesionClaim("eu", period=Period.of_session(78), than=Period.of_session(78))


def test_reader_skips_overlapping_windows_with_the_reason() -> None:
    from comity.claims.reader import read_text
    r = read_text("The US moved toward Russia in 2024 compared with 2020-2024. "
                  "The EU was more cohesive in 2020-2024 than in 2024. "
                  "The EU was more cohesive in 2024 than in 2014.")
    assert [s.why.split(":")[0] for s in r.skipped] == [
        "the window compared with (2020-2024) must end before the claim window (2024) starts",
        "the two windows compared (2020-2024 and 2024) overlap"]
    assert [c.reading for c in r.claims] == ["EU more cohesive, 2024 than 2014"]
