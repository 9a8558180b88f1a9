"""End to end on hand-made files: ingest, merge, precedence, inferred absences, panel, CLI."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from comity.store.db import Store
from tests import minidata as M


@pytest.fixture
def store(tmp_path: Path):
    d = M.write_all(tmp_path / "mini")
    with Store(tmp_path / "s.duckdb") as s:
        s.report = s.ingest([d])
        yield s


def test_ingest_report(store: Store) -> None:
    rep = store.report
    assert {x["source"] for x in rep.loaded} == {"voeten2016", "unvotes", "scrape", "unxml"}
    assert any(f.endswith("README.md") for f in rep.skipped)
    assert rep.issue_match["coded_roll_calls"] == 2
    assert rep.issue_match["resolutions_with_issues"] == 2


def test_one_record_per_vote(store: Store) -> None:
    res = store.query("SELECT rid, body, sources, issues FROM resolutions "
                      "WHERE adoption='recorded' ORDER BY rid")
    rids = res["rid"].tolist()
    # rcid 11 (Voeten + unvotes) and the scrape's A/RES/50/20 are one recorded vote
    assert "A/RES/50/20" in rids
    r = res.set_index("rid")
    assert list(r.loc["A/RES/50/20", "sources"]) == ["scrape", "unvotes", "voeten2016"]
    assert list(r.loc["A/RES/50/20", "issues"]) == ["hr"]
    # A/RES/75/10 is in the scrape and in unxml: stored once
    assert list(r.loc["A/RES/75/10", "sources"]) == ["scrape", "unxml"]
    assert rids.count("A/RES/75/10") == 1
    assert r.loc["S/RES/2527", "body"] == "SC"
    # adopted without a vote: kept as metadata, no votes
    wv = store.query("SELECT adoption FROM resolutions WHERE rid = 'A/RES/75/11'")
    assert wv["adoption"].tolist() == ["without_vote"]


def test_precedence_and_disagreements(store: Store) -> None:
    v = store.votes_on("A/RES/75/10").set_index("state")
    # unxml lists CAN nowhere; the scrape says X explicitly → X, not inferred
    assert v.loc["CAN", "vote"] == "X" and not v.loc["CAN", "inferred"]
    assert v.loc["CAN", "source"] == "scrape"
    # unxml outranks the scrape
    assert v.loc["USA", "source"] == "unxml"
    # a member no source lists is inferred absent
    assert v.loc["DEU", "vote"] == "X" and v.loc["DEU", "inferred"]
    # 1985: unvotes says nothing about Sweden, Voeten says absent (8)
    v85 = store.votes_on("A/RES/40/100").set_index("state")
    assert v85.loc["SWE", "vote"] == "X" and not v85.loc["SWE", "inferred"]
    assert v85.loc["SUN", "vote"] == "Y"
    assert "RUS" not in v85.index


def test_quality_vote_disagreement(tmp_path: Path) -> None:
    d = M.write_all(tmp_path / "mini")
    rows = [list(r) for r in M.SCRAPE_ROWS]
    rows[0][13] = "A"  # scrape: Russia abstains on A/RES/50/20; Voeten/unvotes: N
    M.write_csv(d / "scrape.csv.gz", M.SCRAPE_META + "," + ",".join(M.SCRAPE_STATES), rows,
                gz=True)
    with Store(tmp_path / "q.duckdb") as s:
        s.ingest([d])
        q = s.quality("vote_disagreement")
        assert len(q) == 1
        assert q["rid"].iloc[0] == "A/RES/50/20"
        assert "RUS" in q["detail"].iloc[0] and "scrape=A" in q["detail"].iloc[0]
        # scrape outranks Voeten
        assert s.votes_on("A/RES/50/20").set_index("state").loc["RUS", "vote"] == "A"


def test_reingest_same_file_changes_nothing(tmp_path: Path) -> None:
    d = M.write_all(tmp_path / "mini")
    db = tmp_path / "r.duckdb"
    with Store(db) as s:
        s.ingest([d])
        before = s.query("SELECT * FROM votes ORDER BY rid, state")
        n_ing = len(s.query("SELECT * FROM ingests"))
        rep = s.ingest([d])
        assert rep.loaded == ()
        assert len(rep.unchanged) == 6
        after = s.query("SELECT * FROM votes ORDER BY rid, state")
        assert before.equals(after)
        assert len(s.query("SELECT * FROM ingests")) == n_ing


def test_order_does_not_matter(tmp_path: Path) -> None:
    d = M.write_all(tmp_path / "mini")
    with Store(tmp_path / "a.duckdb") as a:
        a.ingest([d])
        va = a.query("SELECT rid, state, vote, inferred, source FROM votes ORDER BY rid, state")
    with Store(tmp_path / "b.duckdb") as b:
        for f in ["75.json.gz", "scrape.csv.gz", "voeten.csv.gz"]:
            b.ingest([d / f])
        b.ingest([d / "un_votes.csv.gz", d / "un_roll_calls.csv.gz",
                  d / "un_roll_call_issues.csv.gz"])
        vb = b.query("SELECT rid, state, vote, inferred, source FROM votes ORDER BY rid, state")
    assert va.equals(vb)


def test_panel_lineage(store: Store) -> None:
    p = store.panel(states=["RUS", "USA"])
    r = list(p.resolutions["rid"])
    i85 = r.index("A/RES/40/100")
    assert p.votes[0, i85] == 1  # the USSR's yes, in RUS's row
    assert p.flagged[0, i85]
    ps = store.panel(states=["RUS", "USA"], strict=True)
    assert ps.votes[0, list(ps.resolutions["rid"]).index("A/RES/40/100")] == 9
    assert p.votes.dtype == np.int8


def test_panel_filters(store: Store) -> None:
    p = store.panel(start="2000-01-01")
    assert (p.resolutions["date"] >= "2000-01-01").all()
    assert store.panel(issue="hr").n_resolutions == 1
    assert store.panel(body="SC").n_resolutions == 1
    assert store.panel(body="both").n_resolutions == store.panel().n_resolutions + 1


def test_cli_commands_json(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from comity.cli import app

    d = M.write_all(tmp_path / "mini")
    db = str(tmp_path / "cli.duckdb")
    run = CliRunner()
    r = run.invoke(app, ["ingest", str(d), "--db", db, "--json"])
    assert r.exit_code == 0, r.output
    rep = json.loads(r.stdout)
    assert set(rep) >= {"loaded", "skipped", "unchanged", "counts", "quality", "issue_match"}
    r = run.invoke(app, ["info", "--db", db, "--json"])
    info = json.loads(r.stdout)
    assert {b["body"] for b in info["bodies"]} == {"GA", "SC"}
    r = run.invoke(app, ["votes", "A/RES/75/10", "--db", db, "--json"])
    out = json.loads(r.stdout)
    assert out[0]["resolution"]["rid"] == "A/RES/75/10"
    assert {v["state"]: v["vote"] for v in out[0]["votes"]}["RUS"] == "N"
    r = run.invoke(app, ["resolutions", "--year", "1985", "--db", db, "--json"])
    assert [x["rid"] for x in json.loads(r.stdout)] == ["A/RES/40/100"]
    r = run.invoke(app, ["states", "--at", "1985-01-01", "--db", db, "--json"])
    codes = {x["code"] for x in json.loads(r.stdout)}
    assert "SUN" in codes and "RUS" not in codes
    r = run.invoke(app, ["check", "--db", db, "--json"])
    assert "summary" in json.loads(r.stdout)
    r = run.invoke(app, ["export", str(tmp_path / "out"), "--format", "csv", "--db", db,
                         "--json"])
    files = json.loads(r.stdout)["files"]
    assert any(f.endswith("votes.csv") for f in files)


def test_cli_error_no_traceback(tmp_path: Path) -> None:
    import subprocess
    import sys

    r = subprocess.run([sys.executable, "-m", "comity.cli", "ingest", str(tmp_path),
                        "--db", str(tmp_path / "x.duckdb")], capture_output=True, text=True)
    assert r.returncode != 0
    assert "no recognised voting file" in r.stderr
    assert "Traceback" not in r.stderr


@pytest.mark.parametrize("argv", [["--bogus", "info"], ["info", "--bogus"],
                                  ["nosuchcommand"]])
def test_cli_usage_error_is_not_an_internal_error(argv: list[str]) -> None:
    import subprocess
    import sys

    r = subprocess.run([sys.executable, "-m", "comity.cli", *argv], capture_output=True,
                       text=True)
    assert r.returncode == 2
    assert "Usage:" in r.stderr and ("No such option" in r.stderr
                                     or "No such command" in r.stderr)
    assert "internal error" not in r.stderr and "Traceback" not in r.stderr


def test_format_forced_and_unknown(tmp_path: Path) -> None:
    from comity.errors import DataFormatError

    d = M.write_all(tmp_path / "mini")
    renamed = tmp_path / "data.bin"
    renamed.write_bytes((d / "scrape.csv.gz").read_bytes())
    with Store(tmp_path / "f.duckdb") as s:
        rep = s.ingest([renamed], fmt="scrape")
        assert [x["source"] for x in rep.loaded] == ["scrape"]
        with pytest.raises(DataFormatError, match="unknown format"):
            s.ingest([renamed], fmt="excel")
        # forcing the wrong parser gives a located format error, not a crash
        with pytest.raises(DataFormatError, match=r"required column.*'rcid'"):
            s.ingest([d / "75.json.gz"], fmt="voeten2016")


def test_staged_matrices_round_trip_and_old_zlib_blobs() -> None:
    import zlib

    from comity.ingest.merge import pack_matrix, unpack_matrix

    rng = np.random.default_rng(3)
    votes = rng.choice(np.array([0, 1, 2, 3, 8], dtype=np.int8), size=(37, 11))
    rows = rng.integers(0, 2**31 - 1, size=(37, 11), dtype=np.int32)
    for a, dt in ((votes, np.int8), (rows, np.int32)):
        blob = pack_matrix(a)
        assert blob[:4] == bytes.fromhex("28b52ffd")  # a Zstandard frame
        assert np.array_equal(unpack_matrix(blob, a.shape, dt), a)
        # stores written by comity 0.1 hold zlib streams: still readable
        old = zlib.compress(a.tobytes(), 1)
        assert np.array_equal(unpack_matrix(old, a.shape, dt), a)


def test_cli_global_db_option(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    from typer.testing import CliRunner

    from comity.cli import app

    d = M.write_all(tmp_path / "mini")
    db = str(tmp_path / "g.duckdb")
    monkeypatch.delenv("COMITY_DB", raising=False)
    run = CliRunner()
    r = run.invoke(app, ["--db", db, "ingest", str(d), "--json"])
    assert r.exit_code == 0, r.output
    r = run.invoke(app, ["--db", db, "info", "--json"])
    assert json.loads(r.stdout)["db"] == db
    assert "COMITY_DB" not in os.environ  # the global option does not leak
    # a command's own --db wins over the global one
    other = str(tmp_path / "other.duckdb")
    r = run.invoke(app, ["--db", other, "info", "--db", db, "--json"])
    assert json.loads(r.stdout)["db"] == db


def test_issue_slices_use_predicted_issues_where_voeten_has_not_coded(tmp_path: Path) -> None:
    from comity.analysis.issuecoding import write_predictions

    d = M.write_all(tmp_path / "mini")
    db = tmp_path / "p.duckdb"
    with Store(db) as s:
        s.ingest([d])
        assert s.panel(issue="hr").resolutions["rid"].tolist() == ["A/RES/50/20"]
    # A/RES/75/10 (2020) has no Voeten codes; A/RES/40/100 is Voeten's (coded "me" only), so a
    # prediction for it must not override his coding
    pred = pd.DataFrame({"rid": ["A/RES/75/10", "A/RES/75/10", "A/RES/40/100"],
                         "issue": ["hr", "ec", "hr"], "probability": [0.9, 0.3, 0.8],
                         "predicted": [True, False, True]})
    write_predictions(db, pred, "test")
    with Store(db, read_only=True) as s:
        p = s.panel(issue="hr")
        res = p.resolutions.set_index("rid")
        assert sorted(res.index) == ["A/RES/50/20", "A/RES/75/10"]
        assert list(res.loc["A/RES/75/10", "issues"]) == ["hr"]  # ec was not predicted
        assert bool(res.loc["A/RES/75/10", "issues_predicted"])
        assert not bool(res.loc["A/RES/50/20", "issues_predicted"])
        assert s.panel(issue="hr", predicted_issues=False).resolutions["rid"].tolist() == [
            "A/RES/50/20"]
        assert s.panel(issue="me").resolutions["rid"].tolist() == ["A/RES/40/100"]
        listed = s.resolutions(issue="hr")
        assert listed.set_index("rid")["issues_predicted"].to_dict() == {
            "A/RES/50/20": False, "A/RES/75/10": True}
    from comity.claims.evaluation import evaluate

    r = evaluate("USA closer to RUS than to CHN in 2020 on hr", store=db, bootstrap=50)
    assert r.period["windows"][0]["issues_predicted"] == 1
    assert any("predicted by comity's classifier" in n for n in r.notes)


def test_a_new_version_of_a_loaded_file_replaces_it(tmp_path: Path) -> None:
    import gzip

    d = M.write_all(tmp_path / "mini")
    db = tmp_path / "v.duckdb"
    with Store(db) as s:
        s.ingest([d])
        n_res = s.con.execute("SELECT count(*) FROM src_resolutions WHERE source = 'unxml'"
                              ).fetchall()[0][0]
        before = s.con.execute("SELECT vote FROM votes WHERE rid = 'A/RES/75/10' "
                               "AND state = 'SWE'").fetchall()
    assert before == [("A",)]
    # the same file name with new content (Sweden now votes No): the old version goes
    objs = M.unxml_objects()
    objs[0] = {**objs[0], "MS_against": ["RUSSIAN FEDERATION", "SWEDEN"], "MS_abstaining": [],
               "MS_against_count": "2", "MS_abstaining_count": "0"}
    other = tmp_path / "v2"
    other.mkdir()
    (other / "75.json.gz").write_bytes(gzip.compress(
        ("\n".join(json.dumps(o) for o in objs) + "\n").encode()))
    with Store(db) as s:
        rep = s.ingest([other])
        assert [x["source"] for x in rep.loaded] == ["unxml"]
        assert s.con.execute("SELECT count(*) FROM src_resolutions WHERE source = 'unxml'"
                             ).fetchall()[0][0] == n_res
        assert s.con.execute("SELECT count(DISTINCT ingest_id) FROM src_matrix m JOIN ingests "
                             "i USING (ingest_id) WHERE i.source = 'unxml'").fetchall()[0][0] == 1
        assert s.con.execute("SELECT vote FROM votes WHERE rid = 'A/RES/75/10' "
                             "AND state = 'SWE'").fetchall() == [("N",)]


def test_cli_bad_arguments_are_clear_errors(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from comity.cli import app

    d = M.write_all(tmp_path / "mini")
    db = str(tmp_path / "e.duckdb")
    run = CliRunner()
    assert run.invoke(app, ["ingest", str(d), "--db", db]).exit_code == 0
    cases = [
        (["states", "--at", "notadate"], "expected a date"),
        (["resolutions", "--issue", "zz"], "unknown issue 'zz'"),
        (["check", "--kind", "nope"], "unknown quality kind 'nope'"),
        (["export", "/proc/comity-cannot-write-here"], "cannot create the export folder"),
    ]
    from comity.errors import ComityError

    for argv, message in cases:
        r = run.invoke(app, [*argv, "--db", db])
        assert r.exit_code != 0, argv
        # the CLI's main() prints a ComityError as one line "error: ..." (no traceback)
        assert isinstance(r.exception, ComityError), (argv, r.exception)
        assert message in str(r.exception), (argv, str(r.exception))
    # names of issues work as well as codes; a known kind with no rows is an empty list
    r = run.invoke(app, ["resolutions", "--issue", "human rights", "--db", db, "--json"])
    assert [x["rid"] for x in json.loads(r.stdout)] == ["A/RES/50/20"]
    r = run.invoke(app, ["check", "--kind", "tally_disagreement", "--db", db, "--json"])
    assert r.exit_code == 0 and json.loads(r.stdout)["rows"] == []


def test_ingest_caps_duckdb_memory_while_writing_and_resets_it(tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch
                                                              ) -> None:
    import comity.ingest.merge as merge
    import comity.store.db as sdb

    d = M.write_all(tmp_path / "mini")
    seen: list[str] = []
    real = merge.rebuild

    def spy(con):  # the setting while the canonical tables are rebuilt
        seen.append(con.execute("SELECT current_setting('memory_limit')").fetchone()[0])
        return real(con)

    monkeypatch.setattr(merge, "rebuild", spy)
    monkeypatch.setattr(sdb, "INGEST_MEMORY_LIMIT", "100MB")
    with Store(tmp_path / "m.duckdb") as s:
        default = s.con.execute("SELECT current_setting('memory_limit')").fetchone()[0]
        s.ingest([d])
        assert seen and seen[-1] in ("95.3 MiB", "100.0 MB", "100MB")
        assert s.con.execute("SELECT current_setting('memory_limit')").fetchone()[0] == default


    def boom(con):
        raise RuntimeError("planted failure")

    # a failed ingest (into a new store, so that nothing is skipped as already loaded)
    with Store(tmp_path / "m2.duckdb") as s:
        monkeypatch.setattr(merge, "rebuild", boom)
        with pytest.raises(RuntimeError, match="planted"):
            s.ingest([d])
        assert s.con.execute("SELECT current_setting('memory_limit')").fetchone()[0] == default
