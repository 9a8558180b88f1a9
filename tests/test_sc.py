"""Security Council: votes, membership per year, vetoes (hand-made failed drafts), body filter,
supplement ``outcome`` validation, and the CLI commands.

Two hand-made stores: ``db`` (the official SC file's fixture, a supplement of failed drafts and
the mini data) and ``db2`` (the SC drafts sheet, the veto list and the DPPA membership list of
``tests/fixtures/sc/``, with the official SC fixture), plus the real staged files (slow)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from comity.analysis import security_council as sc
from comity.errors import ComityError, DataFormatError
from comity.ingest.sources.supplement import parse_supplement
from comity.store.db import Store
from tests import minidata as M

FIX = Path(__file__).resolve().parent / "fixtures"
SC_FILE = FIX / "undl" / "2026_02_06_sc_voting.csv"
VETOES = FIX / "sc" / "vetoes_supplement.csv"
ELECTED_2024 = ["CHE", "DZA", "ECU", "GUY", "JPN", "KOR", "MLT", "MOZ", "SLE", "SVN"]


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sc") / "sc.duckdb"
    with Store(path) as s:
        s.ingest([SC_FILE, VETOES, M.write_all(tmp_path_factory.mktemp("mini"))])
    return path


@pytest.fixture
def store(db: Path):
    with Store(db, read_only=True) as s:
        yield s


# -- vetoes --------------------------------------------------------------------------------------
def test_vetoes_from_failed_drafts(store: Store) -> None:
    v = sc.vetoes(store)
    assert v[["symbol", "state"]].values.tolist() == [["S/2022/155", "RUS"],
                                                     ["S/2024/255", "CHN"],
                                                     ["S/2024/255", "RUS"]]
    row = v.iloc[1]
    assert (row["yes"], row["no"], row["abstain"], row["required"]) == (11, 3, 1, 9)
    assert bool(row["decisive"]) and row["sources"] == "supplement"
    assert str(row["date"])[:10] == "2024-03-22"
    # Algeria also voted no on S/2024/255: not a permanent member, not a veto
    assert "DZA" not in set(v["state"])


def test_no_veto_on_adopted_resolutions(store: Store) -> None:
    # Russia voted no on S/RES/2623 (2022, procedural): adopted, so not a veto
    votes = sc.sc_votes(store, symbol="S/RES/2623")
    assert votes.set_index("state").loc["RUS", "vote"] == "N"
    assert "S/RES/2623" not in set(sc.vetoes(store, include_negative=True)["rid"])


def test_non_decisive_negative_votes(store: Store) -> None:
    # S/2016/847 had 4 yes: it failed without the P5 no votes (not in the UN's veto list)
    assert "S/2016/847" not in set(sc.vetoes(store)["symbol"])
    allv = sc.vetoes(store, include_negative=True)
    nd = allv[allv["symbol"] == "S/2016/847"]
    assert sorted(nd["state"]) == ["FRA", "GBR", "USA"]
    assert not nd["decisive"].any() and (nd["yes"] == 4).all() and not nd["veto"].any()


def test_veto_filters(store: Store) -> None:
    assert sc.vetoes(store, state="China")["state"].tolist() == ["CHN"]
    # lineage: RUS includes the USSR (none here), so only Russia's own veto
    assert sc.vetoes(store, state="USSR").empty
    assert sc.vetoes(store, state="RUS")["symbol"].tolist()[-1] == "S/2024/255"
    assert sc.vetoes(store, start_year=2025).empty
    assert len(sc.vetoes(store, start_year=2024, end_year=2024)) == 2
    assert sc.vetoes(store, state="USA").empty
    assert len(sc.vetoes(store, state="USA", include_negative=True)) == 1
    assert len(sc.vetoes(store, decisive_only=True)) == 3


def test_failed_draft_with_the_same_votes_as_a_later_resolution(store: Store) -> None:
    v = sc.vetoes(store, state="RUS")
    assert v["symbol"].tolist() == ["S/2022/155", "S/2024/255"]
    res = store.query("SELECT rid, outcome FROM resolutions WHERE body = 'SC'")
    assert res.set_index("rid").loc["S/2022/155", "outcome"] == "failed"
    assert res.set_index("rid").loc["S/RES/2623", "outcome"] == "adopted"


def test_failed_drafts_keep_their_outcome(store: Store) -> None:
    res = store.query("SELECT rid, outcome, adoption, session, title FROM resolutions "
                      "WHERE rid IN ('S/2024/255', 'S/2016/847')").set_index("rid")
    assert set(res["outcome"]) == {"failed"} and set(res["adoption"]) == {"recorded"}
    assert res.loc["S/2024/255", "session"] == 2024
    assert res.loc["S/2024/255", "title"].startswith("Draft resolution")
    q = store.quality("user_supplied")
    assert "(draft not adopted)" in q[q["rid"] == "S/2024/255"]["detail"].iloc[0]


# -- council -------------------------------------------------------------------------------------
def test_council_2024(store: Store) -> None:
    c = sc.council(store, 2024)
    m = c.members
    assert c.resolutions == 2  # S/2024/255 (failed) and S/RES/2728
    assert c.failed_drafts == 1 and c.source == "votes" and c.notes
    assert len(m) == 15
    assert sorted(m.loc[m["permanent"], "state"]) == ["CHN", "FRA", "GBR", "RUS", "USA"]
    assert sorted(m.loc[~m["permanent"], "state"]) == ELECTED_2024
    assert set(m.loc[m["permanent"], "seat"]) == {"permanent"}
    assert set(m.loc[~m["permanent"], "seat"]) == {"elected"}
    assert (m["votes"] == 2).all()


def test_council_historical_seats(store: Store) -> None:
    m = sc.council(store, 1950).members.set_index("state")
    assert len(m) == 11
    assert m.loc["TWN", "permanent"] and m.loc["SUN", "permanent"]
    assert not m.loc["YUG", "permanent"] and not m.loc["EGY", "permanent"]
    # a year without stored votes: the P5 only (both China seats in 1971)
    c = sc.council(store, 1971)
    assert c.resolutions == 0
    assert sorted(c.members["state"]) == ["CHN", "FRA", "GBR", "SUN", "TWN", "USA"]


def test_council_from_the_scrape(store: Store) -> None:
    # minidata's scrape holds S/RES/2527 (2020) with cells for USA, RUS, FRA and CHN only
    m = sc.council(store, 2020).members.set_index("state")
    assert sorted(m.index) == ["CHN", "FRA", "GBR", "RUS", "USA"]
    assert m["permanent"].all()
    assert m.loc["GBR", "votes"] == 0 and m.loc["RUS", "votes"] == 1


def test_sc_votes_columns_and_filters(store: Store) -> None:
    v = sc.sc_votes(store, year=2024)
    assert list(v.columns) == ["rid", "symbol", "date", "outcome", "adoption", "state", "name",
                               "vote", "permanent", "source"]
    assert set(v["rid"]) == {"S/2024/255", "S/RES/2728"}
    assert set(sc.sc_votes(store, year=2024, outcome="failed")["rid"]) == {"S/2024/255"}
    assert set(sc.sc_votes(store, year=2024, outcome="not_adopted")["rid"]) == {"S/2024/255"}
    with pytest.raises(ComityError, match="outcome"):
        sc.sc_votes(store, outcome="lost")
    usa = sc.sc_votes(store, state="United States", start="2024-01-01")
    assert usa["vote"].tolist() == ["Y", "A"]


def test_council_rejects_impossible_year(store: Store) -> None:
    with pytest.raises(ComityError):
        sc.council(store, 1900)


# -- body is a filter everywhere --------------------------------------------------------------
def test_body_filter(store: Store) -> None:
    ga = store.resolutions(body="GA")
    scr = store.resolutions(body="SC")
    both = store.resolutions(body="both")
    assert set(ga["body"]) == {"GA"} and set(scr["body"]) == {"SC"}
    assert len(both) == len(ga) + len(scr)
    assert {"S/RES/2728", "S/2024/255"} <= set(scr["rid"])
    p_sc = store.panel(body="SC")
    p_ga = store.panel(body="GA")
    p_all = store.panel(body="both")
    assert set(p_sc.resolutions["rid"]) == set(scr["rid"])
    assert set(p_ga.resolutions["rid"]) == set(ga["rid"])
    assert set(p_all.resolutions["rid"]) == set(both["rid"])
    assert "S/RES/2728" in set(p_all.resolutions["rid"])


# -- supplement format ----------------------------------------------------------------------------
HEADER = "resolution,date,body,state,vote,source_url,outcome"


def _supp(tmp_path: Path, rows: list[str], header: str = HEADER) -> Path:
    p = tmp_path / "supp.csv"
    p.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return p


def test_supplement_outcome_default_and_title_optional(tmp_path: Path) -> None:
    sd = parse_supplement(_supp(tmp_path, [
        "A/RES/ES-11/8,2025-02-24,GA,USA,Y,https://digitallibrary.un.org/record/4076358",
        "A/RES/ES-11/8,2025-02-24,GA,Ukraine,A,https://digitallibrary.un.org/record/4076358",
    ], header="resolution,date,body,state,vote,source_url"))
    assert sd.resolutions["outcome"].tolist() == ["adopted"]
    assert sd.resolutions["special"].tolist() == ["ES-11"]
    assert sorted(sd.votes["state"]) == ["UKR", "USA"]


def test_supplement_dates_resolve_historical_codes(tmp_path: Path) -> None:
    sd = parse_supplement(_supp(tmp_path, [
        "S/1950/1,1950-06-30,SC,CHN,Y,,failed", "S/1950/1,1950-06-30,SC,USSR,N,,failed",
    ]))
    assert sorted(sd.votes["state"]) == ["SUN", "TWN"]


@pytest.mark.parametrize(("rows", "field", "row"), [
    (["S/2024/255,2024-03-22,SC,RUS,N,,lost"], "outcome", 1),
    (["S/RES/2728,2024-03-25,SC,USA,A,,vetoed"], "resolution", 1),
    (["S/RES/2728,2024-03-25,SC,USA,A,,failed"], "resolution", 1),
    (["S/2024/255,2024-03-22,SC,RUS,N,,failed", "S/2024/255,2024-03-22,SC,CHN,N,,adopted"],
     "outcome", 2),
    (["S/2024/255,2024-03-22,SC,RUS,N,,failed", "S/2024/255,2024-03-22,SC,Atlantis,N,,failed"],
     "state", 2),
    (["S/2024/255,2024-03-22,SC,RUS,N,,failed", "S/2024/255,2024-03-23,SC,CHN,N,,failed"],
     "date", 2),
    (["S/2024/255,2024-03-22,UN,RUS,N,,failed"], "body", 1),
    (["S/2024/255,2024-03-22,SC,RUS,V,,failed"], "vote", 1),
    (["S/2024/255,2024-03-22,SC,RUS,N,,failed", "S/2024/255,2024-03-22,SC,RUS,N,,failed"],
     "state", 2),
])
def test_bad_supplement(tmp_path: Path, rows: list[str], field: str, row: int) -> None:
    from tests.test_ingest_bad import store_fingerprint

    db = tmp_path / "s.duckdb"
    with Store(db) as s:
        s.ingest([VETOES])
    before = store_fingerprint(db)
    path = _supp(tmp_path, rows)
    with Store(db) as s, pytest.raises(DataFormatError) as info:
        s.ingest([path])
    assert store_fingerprint(db) == before
    assert (info.value.field, info.value.row) == (field, row)
    assert "supp.csv" in str(info.value)


# -- CLI -------------------------------------------------------------------------------------------
def _cli(*args: str) -> str:
    from comity.cli import app

    res = CliRunner().invoke(app, list(args))
    assert res.exit_code == 0, res.output
    return res.stdout


def test_cli_vetoes_json(db: Path) -> None:
    out = json.loads(_cli("vetoes", "--state", "RUS", "--from", "2023", "--db", str(db),
                          "--json"))
    assert [v["symbol"] for v in out] == ["S/2024/255"]
    assert set(out[0]) == set(sc.VETO_COLUMNS) == {
        "rid", "date", "state", "name", "draft", "symbol", "meeting", "agenda", "title",
        "outcome", "yes", "no", "abstain", "non_voting", "members", "required", "decisive",
        "veto", "sources", "link"}
    assert out[0]["date"] == "2024-03-22"
    table = _cli("vetoes", "--db", str(db))
    assert "S/2024/255" in table.replace("\n", "") or "S/2024/2" in table


def test_cli_council_json(db: Path) -> None:
    out = json.loads(_cli("council", "--year", "2024", "--db", str(db), "--json"))
    assert out["year"] == 2024 and out["resolutions"] == 2
    assert len(out["members"]) == 15
    assert set(out) == {"year", "resolutions", "failed_drafts", "source", "members", "notes"}
    assert set(out["members"][0]) == {"state", "name", "permanent", "seat", "votes",
                                      "first_vote", "last_vote", "source"}
    assert sum(m["permanent"] for m in out["members"]) == 5
    assert "Security Council 2024" in _cli("council", "--year", "2024", "--db", str(db))


def test_cli_vetoes_bad_range(db: Path) -> None:
    from comity.cli import app

    res = CliRunner().invoke(app, ["vetoes", "--from", "2025", "--to", "2020", "--db", str(db)])
    assert res.exit_code != 0


# -- the staged scrape (real data) ---------------------------------------------------------------
def test_real_scrape_council_and_no_vetoes(real_data: Path, tmp_path: Path) -> None:
    with Store(tmp_path / "s.duckdb") as s:
        s.ingest([real_data / "un_dl_scrape_ga_sc_wide_1946-2021.csv.gz"])
        c = sc.council(s, 2020)
        m = c.members
        assert c.resolutions == 57 and len(m) == 15
        assert sorted(m.loc[~m["permanent"], "state"]) == [
            "BEL", "DEU", "DOM", "EST", "IDN", "NER", "TUN", "VCT", "VNM", "ZAF"]
        assert sorted(sc.council(s, 1965).members.query("permanent")["state"]) == [
            "FRA", "GBR", "SUN", "TWN", "USA"]
        # the scrape lists adopted resolutions only: no veto can be derived from it, even
        # though permanent members voted no on some adopted (procedural) resolutions
        assert sc.vetoes(s, include_negative=True).empty
        assert (s.query("SELECT count(*) AS n FROM resolutions WHERE body = 'SC' "
                        "AND outcome = 'failed'")["n"].iloc[0]) == 0


# == the SC drafts sheet, the veto list and the DPPA list, merged (hand-made) ==================
SHEET = FIX / "sc" / "sc_votes_drafts.csv"
VETO_LIST = FIX / "sc" / "unsc_vetoes.csv"
DPPA = FIX / "sc" / "dppa_sc_membership.csv"


@pytest.fixture(scope="module")
def db2(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sc2") / "sc2.duckdb"
    with Store(path) as s:
        s.ingest([SHEET, VETO_LIST, DPPA, SC_FILE])
    return path


@pytest.fixture
def store2(db2: Path):
    with Store(db2, read_only=True) as s:
        yield s


def test_one_record_per_vote_across_sources(store2: Store) -> None:
    res = store2.query("SELECT rid, outcome, adoption, sources, date FROM resolutions "
                       "WHERE body = 'SC'").set_index("rid")
    # the veto in both the sheet and the list is one record naming both
    assert list(res.loc["S/2024/239", "sources"]) == ["sc_drafts", "unsc_vetoes"]
    assert res.loc["S/2024/239", "adoption"] == "recorded"
    # joined by date and vetoing member where the symbols differ (S/2024/302 vs …/Rev.1)
    assert list(res.loc["S/2024/302/REV.1", "sources"]) == ["sc_drafts", "unsc_vetoes"]
    assert "S/2024/302" not in res.index
    # the adopted resolution of the sheet joins the official file's record
    assert list(res.loc["S/RES/2728", "sources"]) == ["sc_drafts", "undl_sc"]
    # records of the veto list alone keep only the vetoing members: partial, out of panels
    assert res.loc["S/12211", "adoption"] == "partial"
    assert store2.query("SELECT count(*) AS n FROM (SELECT date, draft FROM resolutions "
                        "WHERE body = 'SC' AND outcome <> 'adopted' GROUP BY ALL "
                        "HAVING count(*) > 1)")["n"].iloc[0] == 0
    panel = store2.panel(body="SC")
    assert "S/12211" not in set(panel.resolutions["rid"])
    assert "S/RES/2745" not in set(panel.resolutions["rid"])  # its listing was dropped
    assert sc.failed_drafts(panel.resolutions) == 9


def test_vetoes_merged(store2: Store) -> None:
    v = sc.vetoes(store2)
    got = [(str(d)[:10], None if pd.isna(r) else r, s)
           for d, r, s in zip(v["date"], v["draft"], v["state"], strict=True)]
    assert got == [
        ("1946-02-16", None, "SUN"), ("1976-10-19", "S/12211", "FRA"),
        ("1976-10-19", "S/12211", "GBR"), ("1976-10-19", "S/12211", "USA"),
        ("1990-05-31", "S/21326", "USA"), ("2024-02-20", "S/2024/173", "USA"),
        ("2024-03-22", "S/2024/239", "CHN"), ("2024-03-22", "S/2024/239", "RUS"),
        ("2024-03-28", "S/2024/255", "RUS"), ("2024-04-18", "S/2024/312", "USA"),
        ("2024-04-24", "S/2024/302", "RUS"), ("2024-06-14", "S/2024/460", "RUS"),
        ("2024-11-20", "S/2024/835", "USA"), ("2025-06-04", "S/2025/353", "USA")]
    row = v[v["draft"] == "S/2024/239"].iloc[0]
    assert (row["yes"], row["no"], row["abstain"], row["members"]) == (11, 3, 1, 15)
    assert bool(row["decisive"]) and row["sources"] == "sc_drafts;unsc_vetoes"
    assert row["meeting"] == "S/PV.9584" and row["agenda"].startswith("The situation")
    old = v[v["draft"] == "S/12211"]
    assert old["yes"].isna().all() and old["decisive"].isna().all() and old["veto"].all()
    # "failed for lack of votes" in the sheet, but 13 yes and Russia's no: a veto
    assert bool(v[v["draft"] == "S/2024/460"]["decisive"].iloc[0])
    # the permanent members' no on a draft with 2 yes is not a veto
    neg = sc.vetoes(store2, include_negative=True, start_year=2025)
    assert neg[~neg["veto"]][["draft", "state"]].values.tolist() == [
        ["S/2025/109", "RUS"], ["S/2025/109", "USA"]]
    assert not neg[~neg["veto"]]["decisive"].any()
    assert len(sc.vetoes(store2, decisive_only=True)) == 9
    assert sc.vetoes(store2, state="Russia", start_year=1946, end_year=1991)[
        "state"].tolist() == ["SUN"]


def test_veto_counts_by_decade(store2: Store, tmp_path: Path) -> None:
    vl = sc.veto_list(store2)
    c = vl.counts("decade")
    assert list(c.columns) == sc.COUNT_COLUMNS
    rows = {(r.period, r.state): (r.vetoes, r.in_veto_list, r.with_votes)
            for r in c.itertuples()}
    assert rows[("2020s", "RUS")] == (4, 3, 4)
    assert rows[("2020s", "USA")] == (4, 1, 4)
    assert rows[("1940s", "SUN")] == (1, 1, 0)
    assert rows[("1970s", "FRA")] == (1, 1, 0)
    t = vl.totals().set_index("state")
    assert t.loc["USA", "vetoes"] == 6 and t.loc["USA", "in_veto_list"] == 3
    assert vl.counts("year")["period"].iloc[0] == "1946"
    d = vl.to_dict("decade")
    assert set(d) == {"query", "n", "by", "counts", "totals"} and d["n"] == 14
    assert vl.summary().startswith("14 vetoes on 11 drafts, 1946-02-16 to 2025-06-04")
    out = vl.plot(tmp_path / "v.png")
    assert (tmp_path / "v.png").stat().st_size > 1000 and out is not None
    with pytest.raises(ComityError, match="--by"):
        vl.counts("century")
    with pytest.raises(ComityError, match="after"):
        sc.veto_list(store2, start_year=2025, end_year=2020)


def test_council_from_the_membership_list(store2: Store) -> None:
    c = sc.council(store2, 2024)
    m = c.members.set_index("state")
    assert c.source == "dppa_sc" and len(m) == 15
    # DPPA names 14 of the 15 (one name lost): the 15th voted that year
    assert m.loc["CHE", "source"] == "votes" and (m.drop("CHE")["source"] == "dppa_sc").all()
    assert "names 14 of the 15 members of 2024" in c.notes[0]
    assert c.failed_drafts == 7 and c.resolutions == 13
    c71 = sc.council(store2, 1971).members
    assert {"TWN", "CHN", "SUN"} <= set(c71["state"]) and len(c71) == 16
    assert c71.set_index("state").loc["CHN", "permanent"]
    c25 = sc.council(store2, 2025)
    assert c25.source == "votes" and len(c25.members) == 15
    assert "DNK" in set(c25.members["state"]) and c25.failed_drafts == 2


def test_council_members_table(store2: Store) -> None:
    m = store2.council_members(2024)
    assert list(m.columns) == ["year", "state", "seat", "sources"] and len(m) == 14
    assert len(store2.council_members()) == 14 + 16 + 1


def test_sheet_quirks_in_quality(store2: Store) -> None:
    q = store2.quality_summary()
    for kind in ("date_swapped", "columns_swapped", "duplicate_record", "duplicate_listing",
                 "members_missing", "members_mismatch", "state_name_typo",
                 "outcome_inconsistent", "veto_flags_inconsistent", "draft_unknown",
                 "member_unnamed", "council_size"):
        assert q.get(kind, 0) >= 1, kind
    rows = store2.quality("date_swapped")
    assert rows["rid"].tolist() == ["S/RES/2726"] and rows["source"].tolist() == ["sc_drafts"]


def test_votes_outside_the_council_reported(tmp_path: Path) -> None:
    supp = tmp_path / "supp.csv"
    supp.write_text("resolution,date,body,state,vote,source_url,outcome\n"
                    "S/1971/1,1971-03-01,SC,IND,Y,,failed\n"
                    "S/1971/1,1971-03-01,SC,ARG,N,,failed\n", encoding="utf-8")
    with Store(tmp_path / "s.duckdb") as s:
        s.ingest([DPPA, supp])
        q = s.quality("outside_council")
        assert q["detail"].tolist() == [
            "IND voted Y on S/1971/1 (1971-03-01) but did not sit on the Council in 1971"]


def test_known_holes_in_info_and_check(tmp_path: Path) -> None:
    db = tmp_path / "h.duckdb"
    with Store(db) as s:
        s.ingest([SC_FILE])
        assert s.missing()["symbol"].tolist() == ["A/RES/ES-10/23", "A/RES/ES-11/7",
                                                  "A/RES/ES-11/8"]
    info = json.loads(_cli("info", "--db", str(db), "--json"))
    assert [m["symbol"] for m in info["missing"]] == ["A/RES/ES-10/23", "A/RES/ES-11/7",
                                                      "A/RES/ES-11/8"]
    assert set(info["missing"][0]) == {"body", "date", "symbol", "title", "note"}
    assert info["missing"][1]["date"] == "2025-02-24"
    chk = json.loads(_cli("check", "--kind", "missing", "--db", str(db), "--json"))
    assert chk["summary"]["missing"] == 3 and len(chk["rows"]) == 3
    assert chk["rows"][0]["kind"] == "missing" and chk["rows"][0]["rid"] is None
    assert "A/RES/ES-10/23" in chk["rows"][0]["detail"] and len(chk["missing"]) == 3
    assert "known holes: 3" in _cli("info", "--db", str(db))
    # a file that brings A/RES/ES-11/7 drops it from the report
    supp = tmp_path / "es11.csv"
    supp.write_text("resolution,date,body,state,vote,source_url\n"
                    "A/RES/ES-11/7,2025-02-24,GA,UKR,Y,\nA/RES/ES-11/7,2025-02-24,GA,USA,N,\n",
                    encoding="utf-8")
    with Store(db) as s:
        s.ingest([supp])
    chk = json.loads(_cli("check", "--kind", "missing", "--db", str(db), "--json"))
    assert [m["symbol"] for m in chk["missing"]] == ["A/RES/ES-10/23", "A/RES/ES-11/8"]
    assert "A/RES/ES-11/7" not in _cli("check", "--kind", "missing", "--db", str(db))


def test_alignment_counts_failed_drafts(store2: Store) -> None:
    import comity

    r = comity.alignment("USA", "RUS", body="SC", period="all", store=store2, bootstrap=0,
                         min_votes=1)
    assert r.query["failed_drafts"] == 9 and r.query["resolutions"] == 20
    assert "9 of the 20 votes are Council drafts that were not adopted" in r.summary()


def test_cli_vetoes_by_decade_and_plot(db2: Path, tmp_path: Path) -> None:
    out = json.loads(_cli("vetoes", "--by", "decade", "--db", str(db2), "--json"))
    assert set(out) == {"query", "n", "by", "counts", "totals"}
    assert set(out["counts"][0]) == set(sc.COUNT_COLUMNS)
    assert out["totals"][0] == {"state": "USA", "name": "United States", "vetoes": 6,
                                "in_veto_list": 3, "with_votes": 4}
    text = _cli("vetoes", "--by", "decade", "--plot", str(tmp_path / "v.svg"), "--db",
                str(db2))
    assert "2020s" in text and (tmp_path / "v.svg").exists()
    rows = json.loads(_cli("vetoes", "--from", "2024", "--to", "2024", "--db", str(db2),
                           "--json"))
    assert all(r["date"].startswith("2024") for r in rows) and len(rows) == 8
    assert rows[0]["decisive"] is True and rows[0]["yes"] == 13
    listed = json.loads(_cli("vetoes", "--to", "1990", "--db", str(db2), "--json"))
    assert all(r["yes"] is None and r["decisive"] is None for r in listed)
    table = _cli("vetoes", "--all", "--from", "2025", "--db", str(db2))
    assert "S/2025/109" in table and "failed anyway" in table


def test_cli_council_from_the_list(db2: Path) -> None:
    out = json.loads(_cli("council", "--year", "2024", "--db", str(db2), "--json"))
    assert out["source"] == "dppa_sc" and len(out["members"]) == 15
    assert out["failed_drafts"] == 7 and out["notes"]
    assert "membership from the DPPA list" in _cli("council", "--year", "2024", "--db",
                                                   str(db2))


def test_bad_sheet_leaves_the_store_unchanged(db2: Path, tmp_path: Path) -> None:
    from tests.test_ingest_bad import store_fingerprint

    copy = tmp_path / "copy.duckdb"
    copy.write_bytes(db2.read_bytes())
    before = store_fingerprint(copy)
    bad = tmp_path / "sheet.csv"
    bad.write_text(SHEET.read_text(encoding="utf-8").replace(",Malta,", ",Atlantis,", 1),
                   encoding="utf-8")
    with Store(copy) as s, pytest.raises(DataFormatError) as info:
        s.ingest([bad])
    assert (info.value.field, "Atlantis" in str(info.value)) == ("Member State", True)
    assert store_fingerprint(copy) == before


# == the real staged files (COMITY_TEST_DATA) ================================================
@pytest.mark.slow
def test_real_vetoes_since_2022(full_store) -> None:
    v = sc.vetoes(full_store, start_year=2022)
    got = {(r.draft, r.state): f"{r.yes}-{r.no}-{r.abstain}" for r in v.itertuples()}
    # Russia on Ukraine drafts
    assert got[("S/2022/155", "RUS")] == "11-1-3"
    assert got[("S/2022/720", "RUS")] == "10-1-4"
    # the United States on Gaza drafts
    for draft, tally in (("S/2023/773", "12-1-2"), ("S/2023/970", "13-1-1"),
                         ("S/2024/173", "13-1-1"), ("S/2024/835", "14-1-0"),
                         ("S/2025/353", "14-1-0")):
        assert got[(draft, "USA")] == tally, draft
    assert v["decisive"].all() and v["veto"].all()
    ukraine = v[v["draft"] == "S/2022/155"].iloc[0]
    assert ukraine["sources"] == "sc_drafts;unsc_vetoes" and "Ukraine" in ukraine["agenda"]


def _veto_file_counts(real_data: Path) -> dict[str, int]:
    import gzip

    code = {"USSR": "SUN", "Russia": "RUS", "USA": "USA", "UK": "GBR", "France": "FRA",
            "China": "CHN"}
    counts: dict[str, int] = {}
    with gzip.open(real_data / "sc" / "unsc_vetoes_1946-2022.csv.gz", "rt",
                   encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            for c in ("member_veto1", "member_veto2", "member_veto3"):
                if row[c]:
                    counts[code[row[c]]] = counts.get(code[row[c]], 0) + 1
    return counts


@pytest.mark.slow
def test_real_vetoes_by_decade_match_the_veto_file(full_store, real_data: Path) -> None:
    expected = _veto_file_counts(real_data)
    assert expected == {"SUN": 90, "USA": 82, "RUS": 31, "GBR": 29, "CHN": 17, "FRA": 16}
    vl = sc.veto_list(full_store)
    by_state = vl.counts("decade").groupby("state")["in_veto_list"].sum().to_dict()
    assert by_state == expected
    # to the veto file's end, only the sheet adds a veto (S/1996/952, the Secretary-General)
    upto = sc.veto_list(full_store, end_year=2022)
    f = upto.to_frame()
    f = f[pd.to_datetime(f["date"]) <= "2022-07-08"]
    extra = f[~f["sources"].str.contains("unsc_vetoes")]
    assert extra[["draft", "state"]].values.tolist() == [["S/1996/952", "USA"]]
    assert len(f) == sum(expected.values()) + 1
    t = vl.totals().set_index("state")["vetoes"].to_dict()
    assert t["RUS"] >= 41 and t["USA"] >= 90 and t["CHN"] >= 19


@pytest.mark.slow
def test_real_council_membership(full_store) -> None:
    c = sc.council(full_store, 2023)
    assert c.source == "dppa_sc" and sorted(c.members["state"]) == sorted(
        ["ALB", "ARE", "BRA", "CHE", "CHN", "ECU", "FRA", "GAB", "GBR", "GHA", "JPN", "MLT",
         "MOZ", "RUS", "USA"])
    assert c.failed_drafts > 0
    for year in range(1946, 2025):
        m = sc.council(full_store, year).members
        seats = sc.seats(year)
        # a seat that changed hands that year counts twice (China 1971, USSR 1991, Yemen 1990)
        assert seats <= len(m) <= seats + 1, (year, len(m))
    c91 = sc.council(full_store, 1991)
    assert "CIV" in set(c91.members["state"]) and "completed from the votes" in c91.notes[0]
    c25 = sc.council(full_store, 2025)
    assert c25.source == "votes" and len(c25.members) == 15


@pytest.mark.slow
def test_real_failed_drafts_and_quirks(full_store) -> None:
    n = full_store.query("""SELECT outcome, adoption, count(*) AS n FROM resolutions
                            WHERE body = 'SC' AND outcome <> 'adopted' GROUP BY ALL""")
    got = {(r.outcome, r.adoption): int(r.n) for r in n.itertuples()}
    assert got[("failed", "recorded")] >= 45 and got[("vetoed", "recorded")] >= 60
    q = full_store.quality_summary()
    assert q["date_swapped"] >= 300 and q["columns_swapped"] == 3
    assert q["veto_flags_inconsistent"] == 29 and q["draft_unknown"] == 23
    assert q["member_unnamed"] == 13 and q["members_mismatch"] >= 60
    typo = full_store.quality("state_name_typo")["detail"].iloc[0]
    assert "'Ethipia'" in typo
    # 6 repeated votes of the sheet kept once (IDs 75-80 repeat vetoed drafts as "adopted")
    dup = full_store.quality("duplicate_record")
    assert (dup["source"] == "sc_drafts").sum() == 6
    # S/RES/893 is dated 6 January 1994 (the sheet wrote 1994-06-01)
    d = full_store.query("SELECT date FROM resolutions WHERE rid = 'S/RES/893'")["date"]
    assert str(d.iloc[0])[:10] == "1994-01-06"
    assert full_store.query("SELECT count(*) AS n FROM quality WHERE kind = "
                            "'outside_council'")["n"].iloc[0] == 0
    # SC alignment uses the failed drafts and says how many
    import comity

    r = comity.alignment("USA", "RUS", body="SC", start=2022, period="all", store=full_store,
                         bootstrap=0)
    assert r.query["failed_drafts"] >= 25
    assert full_store.missing()["symbol"].tolist() == ["A/RES/ES-10/23", "A/RES/ES-11/7",
                                                       "A/RES/ES-11/8"]
