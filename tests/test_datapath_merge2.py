"""The merge's units (issue 21, continued from ``test_datapath_merge.py``): the exact unit map
``build_units`` gives (rows, order, index), which roll call wins a record (tally, part,
amendment, date; a record without a date), the ids of roll calls that link to nothing, the
metadata of a roll call held by both Voeten files, tallies counted from the lists, and the
veto list joined to the full vote of the same draft (``_link_vetoes``), case by case.

Every file is hand-written (a few lines) into a temporary directory; every expected value is
written out.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from comity.ingest import merge
from comity.ingest.merge import Staged, build_units, load_staged
from comity.store.db import Store
from comity.world import states as S
from tests import minidata as M
from tests.test_datapath_merge import _unxml


def _members_1995(n: int) -> list[tuple[str, int, str]]:
    """``n`` (code, COW code, ISO2) of states that were UN members throughout 1995."""
    t = S.states_table()
    ok = (t["member_from"] <= "1990-01-01") & t["member_to"].isna() & t["cow"].notna()
    rows = t[ok].sort_values("code").head(n)
    return [(c, int(w), i) for c, w, i in zip(rows["code"], rows["cow"], rows["iso2"],
                                              strict=True)]


def _voeten(path: Path, rolls: list[tuple]) -> Path:
    """A Voeten 2016 file: (rcid, MM/DD/YYYY, unres, COW codes voting yes[, no]) per roll
    call."""
    rows = [f"{roll[0]},50,{code},{cow},1,0,{roll[1]},{roll[2]},0,0,0,1,0,0,1995.0"
            for roll in rolls for code, cows in zip((1, 3), roll[3:], strict=False)
            for cow in cows]
    return M.write_csv(path, M.VOETEN_HEADER, rows)


def _unvotes(d: Path, rolls: list[tuple]) -> Path:
    """The unvotes tables in ``d``: (rcid, YYYY-MM-DD, unres, amend, para, codes of the states
    voting yes) per roll call."""
    d.mkdir(parents=True, exist_ok=True)
    iso2 = dict(zip(S.states_table()["code"], S.states_table()["iso2"], strict=True))
    M.write_csv(d / "un_votes.csv", M.UNVOTES_VOTES_HEADER,
                [f"{r[0]},{S.name(c)},{iso2[c]},yes" for r in rolls for c in r[5]])
    M.write_csv(d / "un_roll_calls.csv", M.UNVOTES_RC_HEADER,
                [f"{r[0]},50,0,{r[1]},{r[2]},{r[3]},{r[4]},SHORT {r[0]},Text {r[0]}"
                 for r in rolls])
    return d


def _scrape(path: Path, rows: list[tuple[str, str, int]]) -> Path:
    """A UNDL scrape: (date or "", symbol, yes votes) per General Assembly row; the votes
    themselves are not listed (no state column is filled)."""
    meta = M.SCRAPE_META + ",FRANCE"
    lines = [["General Assembly", day, "A scraped test", sym, str(yes), "0", "0", "0",
              str(yes), "", str(i + 1), ""] for i, (day, sym, yes) in enumerate(rows)]
    return M.write_csv(path, meta, lines)


def _records(db: Path) -> list[tuple[str, list[str], Any]]:
    with Store(db, read_only=True) as s:
        res = s.query("SELECT rid, sources, rcid FROM resolutions WHERE body = 'GA' "
                      "ORDER BY rid")
    return [(r, list(src), None if pd.isna(rc) else rc)
            for r, src, rc in zip(res["rid"], res["sources"], res["rcid"], strict=True)]


# -- the unit map itself --------------------------------------------------------------------------
def test_build_units_exact_frame(tmp_path: Path) -> None:
    """Every staged record with its rid, roll call and uid, in staging order (symbol sources
    first), on a fresh 0..n-1 index."""
    cows = [c for _, c, _ in _members_1995(10)]
    v = _voeten(tmp_path / "v.csv", [(11, "11/20/1995", "R/50/20", cows),
                                      (12, "11/20/1995", "R/50/30", cows),
                                      (13, "11/21/1995", "", cows[:5])])
    u = _unxml(tmp_path / "u.json.gz", [
        {"symbol": "A/RES/50/20", "adoption_date": "1995-11-20", "MS_in_favour_count": "10"},
        {"symbol": "A/RES/50/21", "adoption_date": "1995-11-20", "MS_in_favour_count": "3"},
        {"symbol": "A/RES/50/22", "adoption_date": "1995-11-20", "adoption_type":
         "Without a vote", "MS_in_favour_count": "N.A."}])
    with Store(tmp_path / "s.duckdb") as s:
        s.ingest([v, u])
        staged, codes = load_staged(s.con)
        assert [(x.ingest_id, x.source) for x in staged] == [(2, "unxml"), (1, "voeten2016")]
        out = build_units(s.con, staged, len(codes))
        again = build_units(s.con, staged, len(codes), merge._counts(staged))
    assert list(out.columns) == ["ingest_id", "kid", "rid", "rc", "uid"]
    assert out.index.tolist() == [0, 1, 2, 3, 4, 5]
    assert out.values.tolist() == [
        [2, 0, "A/RES/50/20", None, 0], [2, 1, "A/RES/50/21", None, 1],
        [2, 2, "A/RES/50/22", None, 2],
        [1, 0, "A/RES/50/20", "11", 0], [1, 1, "A/RES/50/30", "12", 3], [1, 2, "RC13", "13", 4]]
    assert [str(t) for t in out.dtypes[["ingest_id", "kid", "uid"]]] == ["int32"] * 3
    pd.testing.assert_frame_equal(out, again)


def test_build_units_of_an_empty_store(tmp_path: Path) -> None:
    with Store(tmp_path / "s.duckdb") as s:
        out = build_units(s.con, [], 0)
    assert out.empty and list(out.columns) == ["ingest_id", "kid", "rid", "rc", "uid"]
    assert [str(t) for t in out.dtypes] == ["int32", "int32", "object", "object", "int32"]


# -- which roll call a record takes ----------------------------------------------------------------
def test_a_record_without_a_date_counts_as_dated_that_day(tmp_path: Path) -> None:
    """Two records of one base symbol fit the roll call alike: part A is dated a day after
    it, part B (scraped) has no date. A missing date is neither outside the 30 days nor a
    day off in the score: B takes the roll call, A stays a vote of its own."""
    cows = [c for _, c, _ in _members_1995(10)]
    v = _voeten(tmp_path / "v.csv", [(11, "11/20/1995", "R/50/20", cows)])
    u = _unxml(tmp_path / "u.json.gz", [{"symbol": "A/RES/50/20 A", "adoption_date":
                                         "1995-11-21", "MS_in_favour_count": "10"}])
    sc = _scrape(tmp_path / "scrape.csv", [("", "A/RES/50/20 B", 10)])
    with Store(tmp_path / "s.duckdb") as s:
        s.ingest([v, u, sc])
    assert _records(tmp_path / "s.duckdb") == [
        ("A/RES/50/20A", ["unxml"], None), ("A/RES/50/20B", ["scrape", "voeten2016"], "11")]


def test_a_record_dated_that_day_beats_one_a_day_off(tmp_path: Path) -> None:
    cows = [c for _, c, _ in _members_1995(10)]
    v = _voeten(tmp_path / "v.csv", [(11, "11/20/1995", "R/50/20", cows)])
    u = _unxml(tmp_path / "u.json.gz", [
        {"symbol": "A/RES/50/20 A", "adoption_date": "1995-11-21", "MS_in_favour_count": "10"},
        {"symbol": "A/RES/50/20 B", "adoption_date": "1995-11-20", "MS_in_favour_count": "10"}])
    with Store(tmp_path / "s.duckdb") as s:
        s.ingest([v, u])
    assert _records(tmp_path / "s.duckdb") == [
        ("A/RES/50/20A", ["unxml"], None), ("A/RES/50/20B", ["unxml", "voeten2016"], "11")]


def test_the_matching_part_wins_over_a_closer_tally(tmp_path: Path) -> None:
    """A part mismatch costs half a vote: a roll call on A/RES/50/20B takes the record of
    part B over part A (both exact); one on A/RES/50/30B takes the exact part A over part B,
    whose tally is a vote off."""
    cows = [c for _, c, _ in _members_1995(12)]
    v = _voeten(tmp_path / "v.csv", [(11, "11/20/1995", "R/50/20B", cows[:10]),
                                      (12, "11/20/1995", "R/50/30B", cows[:10])])
    u = _unxml(tmp_path / "u.json.gz", [
        {"symbol": "A/RES/50/20 A", "adoption_date": "1995-11-20", "MS_in_favour_count": "10"},
        {"symbol": "A/RES/50/20 B", "adoption_date": "1995-11-20", "MS_in_favour_count": "10"},
        {"symbol": "A/RES/50/30 A", "adoption_date": "1995-11-20", "MS_in_favour_count": "10"},
        {"symbol": "A/RES/50/30 B", "adoption_date": "1995-11-20", "MS_in_favour_count": "11"},
    ])
    with Store(tmp_path / "s.duckdb") as s:
        s.ingest([v, u])
    assert _records(tmp_path / "s.duckdb") == [
        ("A/RES/50/20A", ["unxml"], None), ("A/RES/50/20B", ["unxml", "voeten2016"], "11"),
        ("A/RES/50/30A", ["unxml", "voeten2016"], "12"), ("A/RES/50/30B", ["unxml"], None)]


def test_an_amendment_roll_call_yields_the_record(tmp_path: Path) -> None:
    """unvotes flags roll call 21 as a vote on an amendment: the plain roll call 22 takes the
    record although its tally is one vote off; the amendment stays a vote of its own. The
    amendment's flag survives on its own record."""
    iso = [c for c, _, _ in _members_1995(11)]
    d = _unvotes(tmp_path / "unv", [(21, "1995-11-20", "R/50/20", 1, 0, iso[:10]),
                                    (22, "1995-11-20", "R/50/20", 0, 0, iso[:11]),
                                    (23, "1995-11-20", "R/50/30", 0, 1, iso[:10])])
    u = _unxml(tmp_path / "u.json.gz", [
        {"symbol": "A/RES/50/20", "adoption_date": "1995-11-20", "MS_in_favour_count": "10"},
        {"symbol": "A/RES/50/30", "adoption_date": "1995-11-20", "MS_in_favour_count": "10"}])
    with Store(tmp_path / "s.duckdb") as s:
        s.ingest([d, u])
        flags = s.query("SELECT rid, amend, para FROM resolutions ORDER BY rid")
    assert _records(tmp_path / "s.duckdb") == [
        ("A/RES/50/20", ["unvotes", "unxml"], "22"), ("A/RES/50/20#rc21", ["unvotes"], "21"),
        ("A/RES/50/30", ["unvotes", "unxml"], "23")]
    assert flags.values.tolist() == [["A/RES/50/20", False, False],
                                     ["A/RES/50/20#rc21", True, False],
                                     ["A/RES/50/30", False, True]]


def test_an_exact_amendment_beats_a_plain_roll_call_three_votes_off(tmp_path: Path) -> None:
    """The amendment costs two votes in the score: exact (2) beats three votes off (3)."""
    iso = [c for c, _, _ in _members_1995(13)]
    d = _unvotes(tmp_path / "unv", [(24, "1995-11-20", "R/50/20", 1, 0, iso[:10]),
                                    (25, "1995-11-20", "R/50/20", 0, 0, iso[:13])])
    u = _unxml(tmp_path / "u.json.gz", [
        {"symbol": "A/RES/50/20", "adoption_date": "1995-11-20", "MS_in_favour_count": "10"}])
    with Store(tmp_path / "s.duckdb") as s:
        s.ingest([d, u])
    assert _records(tmp_path / "s.duckdb") == [
        ("A/RES/50/20", ["unvotes", "unxml"], "24"), ("A/RES/50/20#rc25", ["unvotes"], "25")]


@pytest.mark.parametrize("together", [True, False])
def test_unvotes_metadata_wins_for_a_roll_call_in_both(tmp_path: Path, together: bool) -> None:
    """One rcid in both Voeten files: one unit, named by unvotes' symbol (the newer release),
    with the amendment flag of either, whichever file was staged first."""
    mem = _members_1995(10)
    v = _voeten(tmp_path / "v.csv", [(31, "11/20/1995", "R/50/99", [c for _, c, _ in mem])])
    d = _unvotes(tmp_path / "unv", [(31, "1995-11-20", "R/50/40", 1, 0,
                                     [c for c, _, _ in mem])])
    with Store(tmp_path / "s.duckdb") as s:
        if together:
            s.ingest([v, d])
        else:  # Voeten's rows staged (and stored) before unvotes'
            s.ingest([v])
            s.ingest([d])
        flags = s.query("SELECT rid, amend, rcid FROM resolutions")
    assert _records(tmp_path / "s.duckdb") == [
        ("A/RES/50/40", ["unvotes", "voeten2016"], "31")]
    assert flags.values.tolist() == [["A/RES/50/40", True, "31"]]


def test_roll_calls_linked_by_their_votes(tmp_path: Path) -> None:
    """Roll calls without a resolution symbol are linked by content: 62 and 63 hold the vote
    of A/RES/50/90 (12 states, all alike); the first takes it, the other stays a vote of its
    own (one roll call per record); 61, five years earlier, has no record near it."""
    mem = _members_1995(14)
    cows = [c for _, c, _ in mem]
    names = [S.name(c).upper() for c, _, _ in mem]
    v = _voeten(tmp_path / "v.csv", [(61, "11/20/1990", "", cows[:12]),
                                      (62, "11/20/1995", "", cows[:10], cows[10:12]),
                                      (63, "11/21/1995", "", cows[:10], cows[10:12])])
    u = _unxml(tmp_path / "u.json.gz", [
        {"symbol": "A/RES/50/90", "adoption_date": "1995-11-20", "MS_in_favour": names[:10],
         "MS_against": names[10:12], "MS_in_favour_count": "10", "MS_against_count": "2"}])
    with Store(tmp_path / "s.duckdb") as s:
        s.ingest([v, u])
    assert _records(tmp_path / "s.duckdb") == [
        ("A/RES/50/90", ["unxml", "voeten2016"], "62"), ("RC61", ["voeten2016"], "61"),
        ("RC63", ["voeten2016"], "63")]


def test_absences_are_inferred_for_every_member_only_where_votes_are_listed(
        tmp_path: Path) -> None:
    """A record listing FRANCE's yes: every other member on that day (Afghanistan, the
    first state of the table, too) is absent (X, inferred); a record listing no vote gets no
    rows at all."""
    u = _unxml(tmp_path / "u.json.gz", [
        {"symbol": "A/RES/75/1", "adoption_date": "2020-12-01", "MS_in_favour": ["FRANCE"],
         "MS_in_favour_count": "1"},
        {"symbol": "A/RES/75/2", "adoption_date": "2020-12-01", "MS_in_favour_count": "120"}])
    with Store(tmp_path / "s.duckdb") as s:
        s.ingest([u])
        got = s.query("SELECT rid, vote, inferred, count(*) AS n FROM votes GROUP BY ALL "
                      "ORDER BY ALL")
        afg = s.query("SELECT vote, inferred, source FROM votes WHERE state = 'AFG'")
        outside = s.quality("outside_membership")
    assert got.values.tolist() == [["A/RES/75/1", "X", True, 192],
                                   ["A/RES/75/1", "Y", False, 1]]
    assert afg.values.tolist() == [["X", True, "inferred"]]
    assert outside.empty


def test_a_tally_counted_from_the_lists(tmp_path: Path) -> None:
    """A record with lists but blank totals is compared by the votes it lists: 10 listed
    yes is the roll call's tally, 6 is not (distance 4)."""
    mem = _members_1995(10)
    names = [S.name(c).upper() for c, _, _ in mem]
    v = _voeten(tmp_path / "v.csv", [(11, "11/20/1995", "R/50/20", [c for _, c, _ in mem]),
                                      (12, "11/20/1995", "R/50/30", [c for _, c, _ in mem])])
    u = _unxml(tmp_path / "u.json.gz", [
        {"symbol": "A/RES/50/20", "adoption_date": "1995-11-20", "MS_in_favour": names,
         "MS_in_favour_count": "", "MS_against_count": "", "MS_abstaining_count": ""},
        {"symbol": "A/RES/50/30", "adoption_date": "1995-11-20", "MS_in_favour": names[:6],
         "MS_against": names[6:8], "MS_in_favour_count": "", "MS_against_count": "",
         "MS_abstaining_count": ""}])
    with Store(tmp_path / "s.duckdb") as s:
        s.ingest([v, u])
    assert _records(tmp_path / "s.duckdb") == [
        ("A/RES/50/20", ["unxml", "voeten2016"], "11"), ("A/RES/50/30", ["unxml"], None),
        ("A/RES/50/30#rc12", ["voeten2016"], "12")]


def test_ids_of_roll_calls_that_link_to_nothing(tmp_path: Path) -> None:
    """An unlinked roll call is its symbol, ``symbol#rc<rcid>`` when two roll calls (or a
    record) share the symbol, ``RC<rcid>`` without a symbol."""
    cows = [c for _, c, _ in _members_1995(10)]
    v = _voeten(tmp_path / "v.csv", [(41, "11/20/1995", "R/50/50", cows),
                                      (42, "11/20/1995", "R/50/50", cows[:4]),
                                      (43, "11/20/1995", "R/50/60", cows[:4]),
                                      (44, "11/20/1995", "R/50/70", cows[:4]),
                                      (45, "11/20/1995", "", cows[:4])])
    u = _unxml(tmp_path / "u.json.gz", [
        {"symbol": "A/RES/50/60", "adoption_date": "1995-11-20", "MS_in_favour_count": "9"}])
    with Store(tmp_path / "s.duckdb") as s:
        s.ingest([v, u])
    assert _records(tmp_path / "s.duckdb") == [
        ("A/RES/50/50#rc41", ["voeten2016"], "41"), ("A/RES/50/50#rc42", ["voeten2016"], "42"),
        ("A/RES/50/60", ["unxml"], None), ("A/RES/50/60#rc43", ["voeten2016"], "43"),
        ("A/RES/50/70", ["voeten2016"], "44"), ("RC45", ["voeten2016"], "45")]


# -- the veto list joined to the full vote (``_link_vetoes``) -------------------------------------
RUS, USA, CHN, FRA = 0, 1, 2, 3  # global state indexes of the hand-made matrices below


def _stage(iid: int, source: str, rows: list[dict[int, int]]) -> Staged:
    votes = np.zeros((len(rows), 4), dtype=np.int8)
    for k, r in enumerate(rows):
        for c, v in r.items():
            votes[k, c] = v
    return Staged(ingest_id=iid, source=source, file=f"{source}.csv", prec=iid, states=[],
                  votes=votes, rows=np.zeros_like(votes, dtype=np.int32),
                  cols=np.arange(4, dtype=np.int64))


def _sym(records: list[tuple]) -> pd.DataFrame:
    """(source, body, outcome, unit, symbol, key, date, ingest_id, kid) per record, on an
    index that is not 0..n-1."""
    cols = ["source", "body", "outcome", "unit", "symbol", "key", "date", "ingest_id", "kid"]
    frame = pd.DataFrame(records, columns=cols, index=[10 * (i + 1) for i in range(len(records))])
    frame["date"] = pd.to_datetime(frame["date"])
    return frame


def _link(records: list[tuple], full: list[dict[int, int]],
          vetoes: list[dict[int, int]]) -> list[str]:
    sym = _sym(records)
    by_ingest = {1: _stage(1, "sc_drafts", full), 2: _stage(2, "unsc_vetoes", vetoes)}
    merge._link_vetoes(sym, by_ingest)
    return sym["unit"].tolist()


NO = 3
FAILED = [("sc_drafts", "SC", "vetoed", "S/2024/10", "S/2024/10", "S/2024/10", "2024-03-01",
           1, 0)]


def _veto(symbol: str | None, day: str | None, kid: int = 0, key: str = "v1") -> tuple:
    unit = symbol if symbol else f"src:unsc_vetoes:{key}"
    return ("unsc_vetoes", "SC", "vetoed", unit, symbol, key, day, 2, kid)


@pytest.mark.parametrize(("veto", "listed", "full", "unit"), [
    # the same symbol: joined, whatever the date (but not when the full vote contradicts it)
    (_veto("S/2024/10", "2024-06-01"), {RUS: NO}, {RUS: NO, USA: 1}, "S/2024/10"),
    (_veto("S/2024/10", None), {RUS: NO}, {RUS: NO}, "S/2024/10"),
    (_veto("S/2024/10", "2024-03-01"), {}, {RUS: NO}, "S/2024/10"),
    (_veto("S/2024/10", "2024-03-01"), {RUS: NO}, {RUS: 1, USA: NO},
     "src:unsc_vetoes:v1"),
    (_veto("S/2024/10", "2024-03-01"), {RUS: NO}, {RUS: 2}, "src:unsc_vetoes:v1"),
    # another symbol (or none): joined within 3 days, the vetoing member voting no
    (_veto("S/2024/11", "2024-03-04"), {RUS: NO}, {RUS: NO}, "S/2024/10"),
    (_veto(None, "2024-02-27"), {RUS: NO}, {RUS: NO}, "S/2024/10"),
    (_veto("S/2024/11", "2024-03-05"), {RUS: NO}, {RUS: NO}, "S/2024/11"),
    (_veto("S/2024/11", "2024-02-25"), {RUS: NO}, {RUS: NO}, "S/2024/11"),
    (_veto(None, "2024-03-01"), {RUS: NO, CHN: NO}, {RUS: NO, CHN: NO}, "S/2024/10"),
    (_veto(None, "2024-03-01"), {RUS: NO, CHN: NO}, {RUS: NO}, "src:unsc_vetoes:v1"),
    (_veto(None, "2024-03-01"), {RUS: NO}, {USA: NO, CHN: 1}, "src:unsc_vetoes:v1"),
    (_veto(None, "2024-03-01"), {}, {RUS: NO}, "src:unsc_vetoes:v1"),
    (_veto(None, "2024-03-01"), {RUS: 1}, {RUS: 1}, "src:unsc_vetoes:v1"),
    (_veto(None, None), {RUS: NO}, {RUS: NO}, "src:unsc_vetoes:v1"),
])
def test_link_vetoes_case_by_case(veto: tuple, listed: dict, full: dict, unit: str) -> None:
    units = _link([*FAILED, veto], [full], [listed])
    assert units == ["S/2024/10", unit]


def test_link_vetoes_candidates() -> None:
    """Adopted drafts and General Assembly records are no candidates; a ``#n`` of a repeated
    symbol is ignored; the same symbol beats a nearer date, then the nearest date wins, then
    the first record."""
    recs = [
        ("sc_drafts", "SC", "adopted", "S/2024/20", "S/2024/20", "a", "2024-05-01", 1, 0),
        ("sc_drafts", "GA", "failed", "S/2024/21", "S/2024/21", "b", "2024-05-01", 1, 1),
        ("sc_drafts", "SC", None, "S/2024/22", "S/2024/22", "c", "2024-05-01", 1, 2),
        ("sc_drafts", "SC", "vetoed", "S/2024/30#2", "S/2024/30", "d", "2024-07-01", 1, 3),
        ("sc_drafts", "SC", "vetoed", "S/2024/40", "S/2024/40", "e", "2024-09-03", 1, 4),
        ("sc_drafts", "SC", "vetoed", "S/2024/41", "S/2024/41", "f", "2024-09-02", 1, 5),
        ("sc_drafts", "SC", "failed", "S/2024/42", "S/2024/42", "g", "2024-09-01", 1, 6),
        ("sc_drafts", "SC", "vetoed", "S/2024/50", "S/2024/50", "h", "2024-11-02", 1, 7),
        ("sc_drafts", "SC", "vetoed", "S/2024/51", "S/2024/51", "i", "2024-11-02", 1, 8),
        _veto("S/2024/20", "2024-05-01", 0, "v1"),   # adopted: not a candidate
        _veto("S/2024/21", "2024-05-01", 1, "v2"),   # a GA record: not a candidate
        _veto("S/2024/30", "2024-07-09", 2, "v3"),   # S/2024/30#2 has its symbol
        _veto("S/2024/41", "2024-09-03", 3, "v4"),   # its symbol, not the nearer S/2024/40
        _veto("S/2024/49", "2024-09-02", 4, "v5"),   # nearest: S/2024/41 (same day)
        _veto("S/2024/59", "2024-11-01", 5, "v6"),   # two a day off: the first
        _veto("S/2024/22", "2024-05-01", 6, "v7"),   # no outcome: counted as adopted
    ]
    full = [{RUS: NO}] * 9
    vetoes = [{RUS: NO}] * 7
    units = _link(recs, full, vetoes)
    assert units[9:] == ["S/2024/20", "S/2024/21", "S/2024/30#2", "S/2024/41", "S/2024/41",
                         "S/2024/50", "S/2024/22"]
    assert units[:9] == [r[3] for r in recs[:9]]


def test_link_vetoes_two_unknown_dates_are_not_near() -> None:
    """An undated veto record joins an undated draft of its own symbol, never another
    undated draft as if their (unknown) dates were the same."""
    undated = ("sc_drafts", "SC", "vetoed", "S/2024/10", "S/2024/10", "k", None, 1, 0)
    assert _link([undated, _veto("S/1999/1", None)], [{RUS: NO}], [{RUS: NO}]) == [
        "S/2024/10", "S/1999/1"]
    assert _link([undated, _veto("S/2024/10", None)], [{RUS: NO}], [{RUS: NO}]) == [
        "S/2024/10", "S/2024/10"]
    dated = ("sc_drafts", "SC", "vetoed", "S/2024/10", "S/2024/10", "k", "2024-03-01", 1, 0)
    assert _link([dated, _veto(None, None)], [{RUS: NO}], [{RUS: NO}]) == [
        "S/2024/10", "src:unsc_vetoes:v1"]


def test_link_vetoes_without_a_veto_record_changes_nothing() -> None:
    sym = _sym(FAILED)
    merge._link_vetoes(sym, {1: _stage(1, "sc_drafts", [{RUS: NO}])})
    assert sym["unit"].tolist() == ["S/2024/10"]
