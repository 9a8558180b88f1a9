"""Co-sponsorship (issue 17, part 3): sponsor lists read from UNxml, stored and merged like the
votes, the Jaccard index with its bootstrap interval, the votes against a partner's text, and
the shells (``comity compare``, ``comity align --signal cosponsor``, ``GET /api/compare``).

All on a tiny hand-made UNxml file (:func:`write_sponsor_file`): four recorded votes and one
resolution adopted without a vote, in 2020.
"""

from __future__ import annotations

import gzip
import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from comity.errors import AlignmentError

STATES = {"USA": "UNITED STATES OF AMERICA", "RUS": "RUSSIAN FEDERATION", "FRA": "FRANCE",
          "CHN": "CHINA", "DEU": "GERMANY", "CHL": "CHILE"}


def _obj(n: int, day: str, sponsors: list[str], additional: list[str],
         yes: list[str], no: list[str], abstain: list[str] = ()) -> dict[str, Any]:
    recorded = bool(yes or no or abstain)
    return {
        "symbol": f"A/RES/75/{n}", "title": f"Text number {n}", "session": "Seventy-fifth session",
        "adoption_date": f"{day} 00:00:00",
        "adoption_type": "By a recorded vote" if recorded else "Without a vote",
        "agenda_item_name": "Test item",
        "MS_in_favour_count": str(len(yes)), "MS_against_count": str(len(no)),
        "MS_abstaining_count": str(len(abstain)),
        "MS_in_favour": [STATES[c] for c in yes], "MS_against": [STATES[c] for c in no],
        "MS_abstaining": [STATES[c] for c in abstain],
        "sponsors": sponsors, "additional_sponsors": additional, "subjects": [],
    }


ALL = ["USA", "RUS", "FRA", "CHN", "DEU", "CHL"]


def objects() -> list[dict[str, Any]]:
    """USA sponsors texts 1, 2, 3; RUS sponsors 2, 3, 4 (Jaccard 2/4 = 0.5); RUS votes No on
    text 1 (USA's), USA votes No on text 4 (RUS's)."""
    return [
        _obj(1, "2020-10-01", ["UNITED STATES OF AMERICA"], ["FRANCE"],
             ["USA", "FRA", "CHN", "DEU", "CHL"], ["RUS"]),
        _obj(2, "2020-10-02", ["UNITED STATES OF AMERICA, RUSSIAN FEDERATION"], [],
             ALL, []),
        _obj(3, "2020-11-01",
             ["RUSSIAN FEDERATION (ON BEHALF OF THE STATES MEMBERS OF THE UNITED NATIONS THAT "
              "ARE MEMBERS OF A GROUP)", "SUBMITTED BY THE CHAIR OF THE COMMITTEE"],
             ["UNITED STATES", "GE RMANY", "ATLANTIS"], ALL, []),
        _obj(4, "2020-12-01", ["RUSSIAN FEDERATION"], ["CHINA"],
             ["RUS", "CHN", "FRA", "CHL"], ["USA"], ["DEU"]),
        _obj(5, "2020-12-02", ["FRANCE"], ["CHILE"], [], []),  # adopted without a vote
    ]


def write_sponsor_file(d: Path, objs: list[dict[str, Any]] | None = None,
                       name: str = "75.json.gz") -> Path:
    d.mkdir(parents=True, exist_ok=True)
    text = "\n".join(json.dumps(o) for o in (objs or objects())) + "\n"
    p = d / name
    p.write_bytes(gzip.compress(text.encode()))
    return p


@pytest.fixture(scope="module")
def sp_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from comity.store.db import Store

    d = tmp_path_factory.mktemp("spdata")
    write_sponsor_file(d)
    db = tmp_path_factory.mktemp("spdb") / "sp.duckdb"
    with Store(db) as s:
        s.ingest([d])
    return db


def _q(db: Path, sql: str) -> list[tuple]:
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


# ----------------------------------------------------------------------- parse and store
def test_sponsor_names_are_resolved_and_reported(sp_db: Path) -> None:
    rows = _q(sp_db, "SELECT rid, state, kind, source FROM sponsors ORDER BY rid, state")
    assert rows == [
        ("A/RES/75/1", "FRA", "additional", "unxml"), ("A/RES/75/1", "USA", "sponsor", "unxml"),
        ("A/RES/75/2", "RUS", "sponsor", "unxml"), ("A/RES/75/2", "USA", "sponsor", "unxml"),
        ("A/RES/75/3", "DEU", "additional", "unxml"), ("A/RES/75/3", "RUS", "sponsor", "unxml"),
        ("A/RES/75/3", "USA", "additional", "unxml"),
        ("A/RES/75/4", "CHN", "additional", "unxml"), ("A/RES/75/4", "RUS", "sponsor", "unxml"),
        ("A/RES/75/5", "CHL", "additional", "unxml"), ("A/RES/75/5", "FRA", "sponsor", "unxml"),
    ]
    q = dict(_q(sp_db, "SELECT kind, count(*) FROM quality WHERE kind LIKE 'sponsor%' "
                       "GROUP BY kind"))
    # "A, B" split + the "(on behalf of ...)" suffix + "GE RMANY"; the Chair; ATLANTIS
    assert q == {"sponsor_name_repaired": 3, "sponsor_not_a_state": 1, "sponsor_unknown": 1}
    (detail,) = _q(sp_db, "SELECT detail FROM quality WHERE kind = 'sponsor_unknown'")[0]
    assert "line 3" in detail and "'ATLANTIS'" in detail
    from comity.ingest.merge import QUALITY_KINDS

    assert {"sponsor_name_repaired", "sponsor_not_a_state", "sponsor_unknown"} <= set(
        QUALITY_KINDS)


def test_sponsors_survive_reingest_and_merge(tmp_path: Path) -> None:
    from comity.store.db import Store
    from tests import minidata as M

    d = tmp_path / "a"
    write_sponsor_file(d)
    db = tmp_path / "s.duckdb"
    with Store(db) as s:
        s.ingest([d])
    before = _q(db, "SELECT * FROM sponsors ORDER BY ALL")
    # another source ingested later: the merge rebuilds, sponsors stay
    other = M.write_all(tmp_path / "mini")
    (other / "75.json.gz").unlink()  # its own UNxml file has other resolutions
    with Store(db) as s:
        s.ingest([other])
    assert _q(db, "SELECT * FROM sponsors ORDER BY ALL") == before
    # a new version of the same file replaces its sponsors
    objs = objects()
    objs[0]["additional_sponsors"] = ["CHILE"]
    write_sponsor_file(d, objs)
    with Store(db) as s:
        s.ingest([d])
    got = _q(db, "SELECT state FROM sponsors WHERE rid = 'A/RES/75/1' ORDER BY state")
    assert got == [("CHL",), ("USA",)]
    assert _q(db, "SELECT count(*) FROM src_sponsors")[0][0] == len(before)


# ----------------------------------------------------------------------------- measure
def test_jaccard_by_hand(sp_db: Path) -> None:
    from comity.analysis.cosponsorship import cosponsorship

    r = cosponsorship("USA", "RUS", "FRA", period="all", bootstrap=500, seed=1, store=sp_db)
    f = r.to_frame()
    rus = f[f["state_b"] == "RUS"].iloc[0]
    # USA {1, 2, 3}, RUS {2, 3, 4}: both 2, either 4; texts with sponsors: 5
    assert (rus["both"], rus["only_a"], rus["only_b"], rus["n"], rus["texts"]) == (2, 1, 1, 4, 5)
    assert rus["value"] == pytest.approx(0.5)
    assert 0 <= rus["lo"] <= 0.5 <= rus["hi"] <= 1
    fra = f[f["state_b"] == "FRA"].iloc[0]
    # FRA {1, 5}: both {1}, either {1, 2, 3, 5}
    assert (fra["both"], fra["n"]) == (1, 4) and fra["value"] == pytest.approx(0.25)
    assert list(f.columns) == ["period", "start", "end", "state_a", "state_b", "measure",
                               "value", "lo", "hi", "n", "both", "only_a", "only_b", "texts"]
    # sponsors only (not additional): USA {1, 2}, RUS {2, 3, 4}
    r2 = cosponsorship("USA", "RUS", period="all", kinds="sponsor", bootstrap=0, store=sp_db)
    row = r2.to_frame().iloc[0]
    assert (row["both"], row["n"]) == (1, 4) and math.isnan(row["lo"])


def test_bootstrap_is_over_resolutions(sp_db: Path) -> None:
    """The multinomial shortcut has the distribution of resampling texts: compare with a
    direct resampling of the five texts."""
    from comity.analysis.cosponsorship import cosponsorship

    r = cosponsorship("USA", "RUS", period="all", bootstrap=4000, seed=3, store=sp_db)
    row = r.to_frame().iloc[0]
    rng = np.random.default_rng(0)
    cells = np.array([1, 0, 0, 2, 3])  # text 1 only USA, 2 and 3 both, 4 only RUS, 5 neither
    draws = cells[rng.integers(0, 5, size=(20000, 5))]
    both = (draws == 0).sum(1)
    union = (draws <= 2).sum(1)
    j = both[union > 0] / union[union > 0]
    lo, hi = np.quantile(j, [0.025, 0.975])
    assert row["lo"] == pytest.approx(lo, abs=0.05) and row["hi"] == pytest.approx(hi, abs=0.05)


def test_periods_without_sponsor_data(sp_db: Path) -> None:
    from comity.analysis.cosponsorship import cosponsorship

    r = cosponsorship("USA", "RUS", start=2001, end=2002, bootstrap=0, store=sp_db)
    assert r.to_frame().empty and r.to_dict()["rows"] == []


def test_blocs_are_refused(sp_db: Path) -> None:
    from comity.analysis.cosponsorship import cosponsorship

    with pytest.raises(AlignmentError, match="bloc"):
        cosponsorship("USA", "EU", store=sp_db)
    with pytest.raises(AlignmentError, match="kinds"):
        cosponsorship("USA", "RUS", kinds="cosponsor", store=sp_db)


# ----------------------------------------------------------------------------- compare
def test_compare_has_cosponsorship_and_the_no_votes(sp_db: Path) -> None:
    from comity.analysis.comparison import compare

    r = compare("USA", "RUS", store=sp_db, bootstrap=200, seed=0, min_votes=1)
    d = r.to_dict()
    json.dumps(d, allow_nan=False)
    c = d["cosponsorship"]
    assert set(c) == {"measure", "kinds", "value", "lo", "hi", "n", "both", "only_a", "only_b",
                      "sponsored_a", "sponsored_b", "texts", "first", "last", "by_year",
                      "voted_no_total", "voted_no", "note"}
    assert c["value"] == pytest.approx(0.5) and c["note"] is None
    assert (c["sponsored_a"], c["sponsored_b"], c["texts"]) == (3, 3, 5)
    assert (c["first"], c["last"]) == ("2020-10-01", "2020-12-02")
    assert [y["year"] for y in c["by_year"]] == [2020]
    assert c["voted_no_total"] == 2
    got = [(v["symbol"], v["sponsor"], v["voted_no"]) for v in c["voted_no"]]
    assert got == [("A/RES/75/4", "RUS", "USA"), ("A/RES/75/1", "USA", "RUS")]  # latest first
    v = c["voted_no"][0]
    assert set(v) == {"rid", "date", "symbol", "title", "sponsor", "sponsor_kind", "voted_no",
                      "yes", "no", "abstain", "link"}
    assert (v["date"], v["title"], v["yes"], v["no"], v["abstain"]) == (
        "2020-12-01", "Text number 4", 4, 1, 1)
    assert v["link"].startswith("https://")
    assert "co-sponsorship" in r.summary()


def test_compare_with_a_bloc_or_outside_the_data(sp_db: Path) -> None:
    from comity.analysis.comparison import compare

    c = compare("FRA", "EU", store=sp_db, bootstrap=0, min_votes=1).to_dict()["cosponsorship"]
    assert c["value"] is None and "bloc" in c["note"]


def test_cli_compare_json_and_table(sp_db: Path) -> None:
    from typer.testing import CliRunner

    from comity.cli import app

    run = CliRunner()
    r = run.invoke(app, ["compare", "USA", "RUS", "--db", str(sp_db), "--json",
                         "--bootstrap", "50", "--seed", "1", "--min-votes", "1"])
    assert r.exit_code == 0, r.output
    assert "NaN" not in r.stdout
    c = json.loads(r.stdout)["cosponsorship"]
    assert c["both"] == 2 and c["voted_no_total"] == 2
    r = run.invoke(app, ["compare", "USA", "RUS", "--db", str(sp_db), "--bootstrap", "0",
                         "--min-votes", "1"])
    assert r.exit_code == 0, r.output
    assert "co-sponsorship" in r.stdout and "A/RES/75/4" in r.stdout
    assert "voted No" in r.stdout


def test_api_compare_has_cosponsorship(sp_db: Path) -> None:
    pytest.importorskip("fastapi")
    from fastapi.testclient import TestClient

    from comity.web.app import create_app

    with TestClient(create_app(sp_db)) as client:
        r = client.get("/api/compare", params={"a": "USA", "b": "RUS", "from": "2020",
                                               "bootstrap": 0, "min_votes": 1, "top": 1})
        assert r.status_code == 200, r.text
        c = r.json()["cosponsorship"]
        assert c["value"] == pytest.approx(0.5)
        assert c["voted_no_total"] == 2 and len(c["voted_no"]) == 1
        page = client.get("/compare").text
        assert 'id="cosponsor-table"' in page


# ------------------------------------------------------------------------------- align
def test_cli_align_signal_cosponsor(sp_db: Path, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from comity.cli import app

    run = CliRunner()
    r = run.invoke(app, ["align", "USA", "RUS", "FRA", "--signal", "cosponsor", "--by", "all",
                         "--db", str(sp_db), "--json", "--bootstrap", "100", "--seed", "2",
                         "--min-votes", "1", "--csv", str(tmp_path / "c.csv")])
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert set(out) == {"query", "parties", "rows"}
    assert out["query"]["signal"] == "cosponsor" and out["query"]["measures"] == ["jaccard"]
    assert [(x["state_b"], x["both"], x["n"]) for x in out["rows"]] == [("RUS", 2, 4),
                                                                        ("FRA", 1, 4)]
    assert (tmp_path / "c.csv").exists()
    r = run.invoke(app, ["align", "USA", "RUS", "--signal", "cosponsor", "--db", str(sp_db),
                         "--min-votes", "1", "--bootstrap", "0"])
    assert r.exit_code == 0 and "USA–RUS" in r.stdout and "0.500" in r.stdout
    # the vote options are refused with this signal; an unknown signal too
    r = run.invoke(app, ["align", "USA", "RUS", "--signal", "cosponsor", "--issue", "hr",
                         "--db", str(sp_db)])
    assert isinstance(r.exception, AlignmentError) and "--issue" in str(r.exception)
    r = run.invoke(app, ["align", "USA", "RUS", "--signal", "tweets", "--db", str(sp_db)])
    assert isinstance(r.exception, AlignmentError)
    # the default signal is the votes
    r = run.invoke(app, ["align", "USA", "RUS", "--db", str(sp_db), "--json", "--bootstrap",
                         "0", "--min-votes", "1"])
    assert r.exit_code == 0 and json.loads(r.stdout)["rows"][0]["measure"] == "agreement"


# --------------------------------------------------------------------------- real data
@pytest.mark.slow
def test_real_sponsor_lists(full_store) -> None:
    """The staged UNxml extract: every sponsor entry resolved, mended, or reported."""
    n = full_store.query("SELECT count(*) AS n, count(DISTINCT rid) AS r, "
                         "count(DISTINCT state) AS s FROM sponsors").iloc[0]
    assert (n["n"], n["r"], n["s"]) == (63339, 1475, 194)
    q = dict(full_store.query("SELECT kind, count(*) FROM quality WHERE kind LIKE 'sponsor%' "
                              "GROUP BY kind").itertuples(index=False))
    assert q == {"sponsor_name_repaired": 421, "sponsor_not_a_state": 727,
                 "sponsor_unknown": 10}
    from comity.analysis.comparison import compare

    c = compare("USA", "RUS", store=full_store, bootstrap=200, seed=0).to_dict()
    cs = c["cosponsorship"]
    assert (cs["both"], cs["n"], cs["voted_no_total"]) == (47, 560, 168)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_jaccard_interval_equals_the_exact_bootstrap_quantiles(sp_db: Path, seed: int) -> None:
    """The bootstrap distribution of the index over 5 texts, enumerated exactly (multinomial
    over both / only a / only b / neither; empty unions left out): for RUS (2, 1, 1, 1) P(J=0)
    = 7.7 % and P(J=1) = 7.7 %, so the 95 % interval is [0, 1]; for FRA (1, 2, 1, 1) P(J=0) =
    32.8 % and P(J <= 2/3) = 96.6 % < 97.5 % <= P(J <= 3/4) = 98.5 %, so [0, 3/4]. With
    20,000 draws the percentiles sit well inside those steps whatever the seed."""
    from comity.analysis.cosponsorship import cosponsorship

    f = cosponsorship("USA", "RUS", "FRA", period="all", bootstrap=20_000, seed=seed,
                      store=sp_db).to_frame().set_index("state_b")
    assert (f.loc["RUS", "lo"], f.loc["RUS", "hi"]) == (0.0, 1.0)
    assert (f.loc["FRA", "lo"], f.loc["FRA", "hi"]) == (0.0, 0.75)
    half = cosponsorship("USA", "FRA", period="all", bootstrap=20_000, seed=seed, ci=0.5,
                         store=sp_db).to_frame().iloc[0]
    # the 50 % interval: P(J=0) = 32.8 % > 25 % -> 0; P(J <= 2/5) = 80.3 % >= 75 % -> 2/5
    assert (half["lo"], half["hi"]) == (0.0, 0.4)
