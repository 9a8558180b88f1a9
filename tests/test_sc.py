"""Security Council: votes, membership per year, vetoes (hand-made failed drafts), body filter,
supplement ``outcome`` validation, and the CLI commands."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from comity.analysis import security_council as sc
from comity.errors import DataFormatError
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
    assert "S/RES/2623" not in set(sc.vetoes(store, decisive_only=False)["rid"])


def test_non_decisive_negative_votes(store: Store) -> None:
    # S/2016/847 had 4 yes: it failed without the P5 no votes (not in the UN's veto list)
    allv = sc.vetoes(store, decisive_only=False)
    nd = allv[allv["symbol"] == "S/2016/847"]
    assert sorted(nd["state"]) == ["FRA", "GBR", "USA"]
    assert not nd["decisive"].any() and (nd["yes"] == 4).all()


def test_veto_filters(store: Store) -> None:
    assert sc.vetoes(store, state="China")["state"].tolist() == ["CHN"]
    # lineage: RUS includes the USSR (none here), so only Russia's own veto
    assert sc.vetoes(store, state="USSR").empty
    assert sc.vetoes(store, state="RUS")["symbol"].tolist()[-1] == "S/2024/255"
    assert sc.vetoes(store, start_year=2025).empty
    assert len(sc.vetoes(store, start_year=2024, end_year=2024)) == 2
    assert sc.vetoes(store, state="USA").empty
    assert len(sc.vetoes(store, state="USA", decisive_only=False)) == 1


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
    usa = sc.sc_votes(store, state="United States", start="2024-01-01")
    assert usa["vote"].tolist() == ["Y", "A"]


def test_council_rejects_impossible_year(store: Store) -> None:
    from comity.errors import ComityError

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
    (["S/2024/255,2024-03-22,SC,RUS,N,,vetoed"], "outcome", 1),
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
    assert set(out[0]) == {"rid", "symbol", "date", "state", "name", "yes", "no", "abstain",
                           "non_voting", "required", "decisive", "title", "link", "sources"}
    assert out[0]["date"] == "2024-03-22"
    table = _cli("vetoes", "--db", str(db))
    assert "S/2024/255" in table.replace("\n", "") or "S/2024/2" in table


def test_cli_council_json(db: Path) -> None:
    out = json.loads(_cli("council", "--year", "2024", "--db", str(db), "--json"))
    assert out["year"] == 2024 and out["resolutions"] == 2
    assert len(out["members"]) == 15
    assert set(out["members"][0]) == {"state", "name", "permanent", "seat", "votes",
                                      "first_vote", "last_vote"}
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
        assert sc.vetoes(s, decisive_only=False).empty
        assert (s.query("SELECT count(*) AS n FROM resolutions WHERE body = 'SC' "
                        "AND outcome = 'failed'")["n"].iloc[0]) == 0
