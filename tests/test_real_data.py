"""Correctness on the real staged files (``COMITY_TEST_DATA``): counts, famous votes,
succession, coverage by year, tallies."""

from __future__ import annotations

import numpy as np
import pytest

pytestmark = pytest.mark.slow


def test_counts_per_source_match_the_data_readme(full_store) -> None:
    rows = full_store.query("""
        SELECT source, count(*) AS n, count(*) FILTER (adoption = 'recorded') AS recorded
        FROM src_resolutions GROUP BY source""").set_index("source")
    assert rows.loc["unvotes", "n"] == 6202            # roll calls, sessions 1–74
    assert rows.loc["voeten2016", "n"] == 5429         # roll calls, sessions 1–70
    assert rows.loc["scrape", "n"] == 7855             # 5,238 GA + 2,617 SC
    assert rows.loc["unxml", "n"] == 2232 - 39         # 39 repeated session-79 entries
    # 730 recorded votes with country lists, plus A/RES/75/254 A-C (totals, no lists)
    assert rows.loc["unxml", "recorded"] == 731
    votes = full_store.source_vote_counts()
    assert votes["unvotes"] == 869937
    # Voeten 2016: 1,066,613 rows less 254,521 "not a member" (9)
    assert votes["voeten2016"] == 1066613 - 254521
    # scrape: Y+A+N+X cells, less the one vote in the junk column DONOTKNOW
    assert votes["scrape"] == 681677 + 93764 + 41355 + 80867 - 1
    # unxml: names over the 730 recorded votes, after removing the repeats
    assert votes["unxml"] == 105446 + 9182 + 13771
    sc = full_store.query("""
        SELECT count(*) FILTER (list_contains(sources, 'scrape')) AS scrape,
               min(date) FILTER (outcome = 'adopted' AND NOT list_contains(sources, 'scrape'))
                   AS first_other
        FROM resolutions WHERE body = 'SC'""")
    assert sc["scrape"].iloc[0] == 2617
    # every adopted resolution of the SC drafts sheet up to 2021 is one record with the
    # scrape's (the sheet adds the adopted ones of 2022-2025 and the drafts not adopted)
    assert str(sc["first_other"].iloc[0]) >= "2022-01-01"
    issues = full_store.query("SELECT count(DISTINCT key) AS n FROM src_issues "
                              "WHERE source = 'unvotes'")
    assert issues["n"].iloc[0] == 4099


def test_recorded_votes_every_year_but_1964(full_store) -> None:
    years = set(full_store.query(
        "SELECT DISTINCT year(date) AS y FROM resolutions "
        "WHERE body = 'GA' AND adoption = 'recorded'")["y"])
    assert years == set(range(1946, 2027)) - {1964}


def test_quality_kinds_are_all_documented(full_store) -> None:
    from comity.ingest.merge import QUALITY_KINDS

    kinds = set(full_store.query("SELECT DISTINCT kind FROM quality")["kind"])
    assert kinds and kinds <= set(QUALITY_KINDS)


def test_every_recorded_tally_reproduced_or_in_quality(full_store) -> None:
    from comity.ingest.merge import load_staged

    staged, _ = load_staged(full_store.con)
    res = full_store.query("""
        SELECT ingest_id, kid, yes, no, abstain FROM src_resolutions
        WHERE adoption = 'recorded' AND yes IS NOT NULL""")
    n_bad = 0
    for stg in staged:
        r = res[res["ingest_id"] == stg.ingest_id]
        m = stg.votes[r["kid"].to_numpy()]
        counted = np.stack([(m == 1).sum(1), (m == 3).sum(1), (m == 2).sum(1)], axis=1)
        rec = r[["yes", "no", "abstain"]].fillna(-1).to_numpy(dtype=np.int64)
        n_bad += int((counted != rec).any(axis=1).sum())
    q = full_store.quality("tally_mismatch")
    assert n_bad == len(q) and n_bad < 10
    assert set(q["rid"]) >= {"A/RES/77/293", "S/RES/1966"}


def _votes(store, rid):
    return store.votes_on(rid).set_index("state")["vote"]


@pytest.mark.parametrize(("symbol", "tally", "expect"), [
    # Uniting for Peace, 3 Nov 1950
    ("A/RES/377(V)", (52, 5, 2), {"USA": "Y", "SUN": "N", "IND": "A", "TWN": "Y"}),
    # China's seat, 25 Oct 1971
    ("A/RES/2758(XXVI)", (76, 35, 17), {"USA": "N", "GBR": "Y", "FRA": "Y", "SUN": "Y",
                                         "ALB": "Y", "JPN": "N"}),
    # Territorial integrity of Ukraine, 27 Mar 2014
    ("A/RES/68/262", (100, 11, 58), {"USA": "Y", "RUS": "N", "CHN": "A", "IND": "A",
                                      "BLR": "N", "UKR": "Y"}),
    # Aggression against Ukraine, 2 Mar 2022
    ("A/RES/ES-11/1", (141, 5, 35), {"RUS": "N", "BLR": "N", "PRK": "N", "ERI": "N",
                                      "SYR": "N", "CHN": "A", "IND": "A", "USA": "Y"}),
    # Cuba embargo, 29 Oct 2025
    ("A/RES/80/4", (165, 7, 12), {"USA": "N", "ISR": "N", "UKR": "N", "RUS": "Y",
                                   "CHN": "Y"}),
])
def test_famous_votes(full_store, symbol, tally, expect) -> None:
    res = full_store.find_resolution(symbol)
    res = res[res["adoption"] == "recorded"]
    assert len(res) == 1, res[["rid", "symbol"]]
    r = res.iloc[0]
    assert (r["yes"], r["no"], r["abstain"]) == tally
    v = _votes(full_store, r["rid"])
    counted = v.value_counts()
    assert (counted.get("Y", 0), counted.get("N", 0), counted.get("A", 0)) == tally
    for state, vote in expect.items():
        assert v[state] == vote, (symbol, state)


def test_russia_series_unbroken_since_1946(full_store) -> None:
    p = full_store.panel(states=["RUS"])
    voted = p.voted()[0]
    years = p.resolutions["date"].dt.year.to_numpy()
    assert set(years[voted]) == set(range(1946, 2027)) - {1964}
    # before 1991-12-24 the votes are the USSR's, flagged
    early = (p.resolutions["date"] < "1991-12-24").to_numpy()
    assert p.flagged[0, early & voted].all() and not p.flagged[0, ~early & voted].any()
    strict = full_store.panel(states=["RUS"], strict=True)
    first = strict.resolutions["date"][strict.voted()[0]].min()
    assert first >= np.datetime64("1991-12-24")


def test_germany_before_reunification_is_the_frg(full_store) -> None:
    p = full_store.panel(states=["DEU", "DDR"], start="1974-01-01", end="1990-10-02",
                         strict=True)
    v = p.voted()
    assert v[0].sum() > 1000 and v[1].sum() > 1000
    after = full_store.panel(states=["DDR"], start="1990-10-03", strict=True)
    assert not after.voted().any()
    # the GDR is not in Germany's lineage
    lax = full_store.panel(states=["DEU"], start="1974-01-01", end="1990-10-02")
    assert not lax.flagged.any()


def test_one_record_per_vote_in_the_overlap(full_store) -> None:
    # 2019–2021: the scrape and the UNxml extract hold the same resolutions
    dup = full_store.query("""
        SELECT symbol, count(*) AS n FROM resolutions
        WHERE body = 'GA' AND adoption = 'recorded' AND date >= '2019-09-01'
          AND symbol IS NOT NULL GROUP BY symbol HAVING count(*) > 1""")
    assert dup.empty
    both = full_store.query("""
        SELECT count(*) AS n FROM resolutions
        WHERE list_contains(sources, 'scrape') AND list_contains(sources, 'unxml')""")
    assert both["n"].iloc[0] > 250


def test_inferred_absences_where_only_yna_listed(full_store) -> None:
    v = full_store.votes_on("A/RES/ES-11/1")
    x = v[v["vote"] == "X"]
    assert len(v) == 193 and len(x) == 12 and x["inferred"].all()


def test_issue_codes_attach(full_store) -> None:
    im = full_store.report.issue_match
    assert im["coded_roll_calls"] == 4635
    assert im["resolutions_with_issues"] >= 4500
