"""The merge at its boundaries (issue 21): the tally and date tolerances for linking a roll
call to a resolution record (one below, at and one above each limit), one record per roll
call, and inferred absences on the first and last day of a membership.

Every case is a hand-written Voeten 2016 file and/or UNxml extract ingested into a fresh
store; the expected rows of ``resolutions`` and ``votes`` are written out in full.
"""

from __future__ import annotations

import gzip
import json
from datetime import date, timedelta
from pathlib import Path

import pandas as pd

from comity.store.db import Store
from comity.world import states as S
from tests import minidata as M


def _members_1995(n: int) -> list[tuple[str, int]]:
    """``n`` (code, COW code) of states that were UN members throughout 1995."""
    t = S.states_table()
    ok = (t["member_from"] <= "1990-01-01") & t["member_to"].isna() & t["cow"].notna()
    rows = t[ok].sort_values("code")
    out = [(c, int(w)) for c, w in zip(rows["code"], rows["cow"], strict=True)]
    assert len(out) >= n
    return out[:n]


def _voeten(path: Path, rolls: list[tuple]) -> Path:
    """A Voeten 2016 file: (rcid, MM/DD/YYYY, unres, COW codes voting yes[, no[, abstaining]])
    per roll call."""
    rows = [f"{roll[0]},50,{code},{cow},1,0,{roll[1]},{roll[2]},0,0,0,1,0,0,1995.0"
            for roll in rolls for code, cows in zip((1, 3, 2), roll[3:], strict=False)
            for cow in cows]
    return M.write_csv(path, M.VOETEN_HEADER, rows)


def _unxml(path: Path, objs: list[dict]) -> Path:
    base = {"title": "A test", "adoption_type": "By a recorded vote", "MS_in_favour": [],
            "MS_against": [], "MS_abstaining": [], "MS_against_count": "0",
            "MS_abstaining_count": "0"}
    text = "\n".join(json.dumps({**base, **o}) for o in objs) + "\n"
    path.write_bytes(gzip.compress(text.encode()))
    return path


def _records(tmp_path: Path, *files: Path) -> list[tuple[str, list[str]]]:
    with Store(tmp_path / "s.duckdb") as s:
        s.ingest(list(files))
        res = s.query("SELECT rid, sources FROM resolutions WHERE adoption = 'recorded' "
                      "ORDER BY rid")
    return [(r, list(src)) for r, src in zip(res["rid"], res["sources"], strict=True)]


def _expected(cases: list[tuple[int, bool]]) -> list[tuple[str, list[str]]]:
    """The records of roll call ``rcid`` k (symbol ``A/RES/50/k``) linked or not."""
    out = []
    for k, linked in cases:
        if linked:
            out.append((f"A/RES/50/{k}", ["unxml", "voeten2016"]))
        else:
            out += [(f"A/RES/50/{k}", ["unxml"]), (f"A/RES/50/{k}#rc{k}", ["voeten2016"])]
    return sorted(out)


# -- tally tolerance: distance ≤ max(3, 5 % of the votes) ---------------------------------------
# Every case is a roll call of its own (rcid k, R/50/k) and the UNxml record of the same
# symbol, all in one store: roll calls only link to records of their own base symbol.
TALLY_CASES = [  # (rcid, yes votes in Voeten, extra yes in the record, linked)
    (11, 10, 2, True),    # small vote: 3 votes of slack
    (12, 10, 3, True),    # at the limit
    (13, 10, 4, False),   # one above
    (14, 100, 4, True),   # large vote: 5 % of the votes recorded (104)
    (15, 100, 5, True),   # 5 ≤ 5.25
    (16, 100, 6, False),  # 6 > 5.3
]


def test_tally_tolerance(tmp_path: Path) -> None:
    cows = [c for _, c in _members_1995(100)]
    v = _voeten(tmp_path / "v.csv", [(k, "11/20/1995", f"R/50/{k}", cows[:n])
                                      for k, n, _, _ in TALLY_CASES])
    u = _unxml(tmp_path / "u.json.gz", [
        {"symbol": f"A/RES/50/{k}", "adoption_date": "1995-11-20",
         "MS_in_favour_count": str(n + extra)} for k, n, extra, _ in TALLY_CASES])
    assert _records(tmp_path, v, u) == _expected([(k, ok) for k, _, _, ok in TALLY_CASES])


DISTANCE_CASES = [  # (rcid, (yes, no, abstaining) off, linked)
    (21, (0, 0, 0), True),
    (22, (1, 1, 1), True),     # one vote off in each of Y, N, A: distance 3
    (23, (0, -2, 1), True),
    (24, (0, 2, 2), False),    # distance 4
    (25, (0, -4, 0), False),   # noes alone
    (26, (0, 0, 4), False),    # abstentions alone
    (27, (0, 0, -4), False),
    (28, (-4, 0, 0), False),
]


def test_tally_distance_counts_every_column(tmp_path: Path) -> None:
    """Voeten's roll calls: 10 yes, 6 no, 5 abstaining; each record's tally is off by
    ``off`` (21 votes: 5 % is 1.05, so the limit is 3)."""
    cows = [c for _, c in _members_1995(21)]
    v = _voeten(tmp_path / "v.csv", [(k, "11/20/1995", f"R/50/{k}", cows[:10], cows[10:16],
                                      cows[16:]) for k, _, _ in DISTANCE_CASES])
    u = _unxml(tmp_path / "u.json.gz", [{
        "symbol": f"A/RES/50/{k}", "adoption_date": "1995-11-20",
        "MS_in_favour_count": str(10 + off[0]), "MS_against_count": str(6 + off[1]),
        "MS_abstaining_count": str(5 + off[2])} for k, off, _ in DISTANCE_CASES])
    assert _records(tmp_path, v, u) == _expected([(k, ok) for k, _, ok in DISTANCE_CASES])


# -- date tolerance: 30 days ---------------------------------------------------------------------
DATE_CASES = [(31, 0, True), (32, 29, True), (33, 30, True), (34, 31, False),
              (35, -30, True), (36, -31, False)]  # (rcid, days after the roll call, linked)


def test_date_tolerance(tmp_path: Path) -> None:
    cows = [c for _, c in _members_1995(10)]
    v = _voeten(tmp_path / "v.csv", [(k, "11/20/1995", f"R/50/{k}", cows)
                                      for k, _, _ in DATE_CASES])
    u = _unxml(tmp_path / "u.json.gz", [{
        "symbol": f"A/RES/50/{k}", "MS_in_favour_count": "10",
        "adoption_date": (date(1995, 11, 20) + timedelta(days=days)).isoformat()}
        for k, days, _ in DATE_CASES])
    assert _records(tmp_path, v, u) == _expected([(k, ok) for k, _, ok in DATE_CASES])


def test_a_record_is_linked_by_one_roll_call_only(tmp_path: Path) -> None:
    """Two roll calls fit the same record equally well: the first rcid takes it, the other
    stays a recorded vote of its own (each roll call links to at most one record and vice
    versa)."""
    cows = [c for _, c in _members_1995(10)]
    v = _voeten(tmp_path / "v.csv", [(11, "11/20/1995", "R/50/20", cows),
                                      (12, "11/20/1995", "R/50/20", cows)])
    u = _unxml(tmp_path / "u.json.gz", [{"symbol": "A/RES/50/20", "adoption_date":
                                           "1995-11-20", "MS_in_favour_count": "10"}])
    assert _records(tmp_path, v, u) == [("A/RES/50/20", ["unxml", "voeten2016"]),
                                        ("A/RES/50/20#rc12", ["voeten2016"])]
    with Store(tmp_path / "s.duckdb", read_only=True) as s:
        n = s.query("SELECT rid, count(*) AS n FROM votes WHERE vote = 'Y' GROUP BY rid "
                    "ORDER BY rid")
    assert n.values.tolist() == [["A/RES/50/20", 10], ["A/RES/50/20#rc12", 10]]


def test_the_closer_tally_wins(tmp_path: Path) -> None:
    """Two records of one base symbol, one roll call: it links to the record whose tally is
    nearer (greedy by score), the other record keeps its own unit."""
    cows = [c for _, c in _members_1995(10)]
    v = _voeten(tmp_path / "v.csv", [(11, "11/20/1995", "R/50/20", cows)])
    u = _unxml(tmp_path / "u.json.gz", [
        {"symbol": "A/RES/50/20 A", "adoption_date": "1995-11-20", "MS_in_favour_count": "12"},
        {"symbol": "A/RES/50/20 B", "adoption_date": "1995-11-20", "MS_in_favour_count": "11"},
    ])
    got = _records(tmp_path, v, u)
    assert got == [("A/RES/50/20A", ["unxml"]), ("A/RES/50/20B", ["unxml", "voeten2016"])]


# -- inferred absences on the first and last day of a membership --------------------------------
# the German Democratic Republic: a member from 1973-09-18 until 1990-10-03 (exclusive)
DDR_DAYS = [("1973-09-17", False), ("1973-09-18", True), ("1990-10-02", True),
            ("1990-10-03", False)]


def test_inferred_absence_on_the_edges_of_a_membership(tmp_path: Path) -> None:
    objs = [{"symbol": f"A/RES/45/{i + 1}", "adoption_date": day,
             "MS_in_favour": ["FRANCE"], "MS_in_favour_count": "1"}
            for i, (day, _) in enumerate(DDR_DAYS)]
    u = _unxml(tmp_path / "u.json.gz", objs)
    with Store(tmp_path / "s.duckdb") as s:
        s.ingest([u])
        ddr = s.query("SELECT r.date, v.vote, v.inferred, v.source FROM votes v "
                      "JOIN resolutions r USING (rid) WHERE v.state = 'DDR' ORDER BY r.date")
        fra = s.query("SELECT count(*) AS n FROM votes WHERE state = 'FRA' AND vote = 'Y'")
    want = [day for day, member in DDR_DAYS if member]
    assert [str(d.date()) for d in ddr["date"]] == want
    assert ddr[["vote", "inferred", "source"]].values.tolist() == [["X", True, "inferred"]] * 2
    assert fra["n"].tolist() == [4]


def test_votes_outside_membership_are_noted_on_the_edges(tmp_path: Path) -> None:
    """A vote listed for a state on the day its membership ended is outside it; on the last
    day inside it is not."""
    objs = [{"symbol": "A/RES/45/1", "adoption_date": "1990-10-02",
             "MS_in_favour": ["FRANCE", "GERMAN DEMOCRATIC REPUBLIC"], "MS_in_favour_count": "2"},
            {"symbol": "A/RES/45/2", "adoption_date": "1990-10-03",
             "MS_in_favour": ["FRANCE", "GERMAN DEMOCRATIC REPUBLIC"], "MS_in_favour_count": "2"}]
    u = _unxml(tmp_path / "u.json.gz", objs)
    with Store(tmp_path / "s.duckdb") as s:
        s.ingest([u])
        q = s.quality("outside_membership")
    assert q["rid"].tolist() == ["A/RES/45/2"]
    assert q["detail"].iloc[0].startswith("DDR voted Y on 1990-10-03 but was not a UN member")


# -- records of one vote under a draft symbol ----------------------------------------------------
def _names_2020(n: int) -> list[str]:
    t = S.states_table()
    ok = (t["member_from"] <= "2000-01-01") & t["member_to"].isna()
    return t[ok].sort_values("code")["name"].head(n).str.upper().tolist()


DRAFT_CASES = [  # (resolution A/RES/75/k's day, its draft's day, votes alike of 12, joined)
    (1, "2020-01-15", "2020-01-12", 12, True),    # 3 days before the resolution: the same vote
    (2, "2020-03-15", "2020-03-11", 12, False),   # 4 days: another vote
    (3, "2020-05-15", "2020-05-18", 12, True),
    (4, "2020-07-15", "2020-07-19", 12, False),
    (5, "2020-09-15", "2020-09-14", 11, False),   # 11 of 12 votes alike (< 97 %)
    (6, "2020-11-15", "2020-11-15", 12, True),
]


def test_draft_record_joins_the_resolution(tmp_path: Path) -> None:
    """A record under a draft symbol joins the resolution that holds the same vote (≥ 10
    states in both, ≥ 97 % alike, within 3 days); cases two months apart do not mix."""
    names = _names_2020(12)
    res = _unxml(tmp_path / "a.json.gz", [{
        "symbol": f"A/RES/75/{k}", "adoption_date": day, "MS_in_favour": names,
        "MS_in_favour_count": "12"} for k, day, _, _, _ in DRAFT_CASES])
    draft = _unxml(tmp_path / "b.json.gz", [{
        "symbol": f"A/75/L.{k}", "adoption_date": dday, "MS_in_favour": names[:same],
        "MS_against": names[same:], "MS_in_favour_count": str(same),
        "MS_against_count": str(12 - same)} for k, _, dday, same, _ in DRAFT_CASES])
    want = sorted([f"A/RES/75/{k}" for k, *_ in DRAFT_CASES]
                  + [f"A/75/L.{k}" for k, *_, joined in DRAFT_CASES if not joined])
    assert [r for r, _ in _records(tmp_path, res, draft)] == want


def test_repeated_symbol_in_one_source_is_two_records(tmp_path: Path) -> None:
    """Two rows of one scrape file with the same symbol are two votes: ``#2`` for the second."""
    rows = [list(M.SCRAPE_ROWS[1]), list(M.SCRAPE_ROWS[1])]
    rows[1][1] = "2020-12-02"
    rows[1][10] = "3"
    rows[1][11:] = ["N", "X", "Y", "N", "A", "N"]
    path = M.write_csv(tmp_path / "scrape.csv", M.SCRAPE_META + "," + ",".join(M.SCRAPE_STATES),
                       rows)
    with Store(tmp_path / "s.duckdb") as s:
        s.ingest([path])
        res = s.query("SELECT rid, symbol, CAST(date AS VARCHAR) AS d FROM resolutions "
                      "ORDER BY rid")
        usa = s.query("SELECT rid, vote FROM votes WHERE state = 'USA' ORDER BY rid")
    assert res.values.tolist() == [["A/RES/75/10", "A/RES/75/10", "2020-12-01"],
                                   ["A/RES/75/10#2", "A/RES/75/10", "2020-12-02"]]
    assert usa.values.tolist() == [["A/RES/75/10", "Y"], ["A/RES/75/10#2", "N"]]


def test_rebuild_is_idempotent_and_counts_its_tables(tmp_path: Path) -> None:
    from comity.ingest.merge import rebuild

    d = M.write_all(tmp_path / "mini")
    with Store(tmp_path / "s.duckdb") as s:
        s.ingest([d])
        before = s.query("SELECT * FROM votes ORDER BY rid, state")
        n = {t: int(s.query(f"SELECT count(*) AS n FROM {t}")["n"].iloc[0])
             for t in ("resolutions", "votes", "quality")}
        assert rebuild(s.con) == n
        pd.testing.assert_frame_equal(s.query("SELECT * FROM votes ORDER BY rid, state"),
                                      before)
    assert n["resolutions"] == 5
