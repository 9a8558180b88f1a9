"""The official UNDL GA (v1–v5) and SC voting CSVs: every column into the store, every version,
BOM/CRLF/quoted newlines, historical codes, bad inputs, and precedence over older sources.

The files in ``tests/fixtures/undl/`` are hand-written in the exact format of the Library's
descriptions (``shared/data/formats/``); the expectations below are read from them with the
stdlib ``csv`` module, independently of the parser.
"""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from comity.errors import DataFormatError
from comity.ingest.sources.detect import detect_format
from comity.ingest.sources.undl import GA_COLUMNS, SC_COLUMNS, parse_undl_ga, parse_undl_sc
from comity.store.db import Store
from tests import minidata as M
from tests.test_ingest_bad import store_fingerprint

UNDL = Path(__file__).resolve().parent / "fixtures" / "undl"
GA_FILES = {
    1: UNDL / "2024_09_12_ga_voting.csv",
    2: UNDL / "2025_03_31_ga_voting.csv",
    3: UNDL / "2025_07_23_ga_voting.csv",
    4: UNDL / "2025_09_19_ga_voting.csv",
    5: UNDL / "2026_02_06_ga_voting.csv",
}
SC_FILE = UNDL / "2026_02_06_sc_voting.csv"


def read_rows(path: Path) -> tuple[list[str], list[dict]]:
    """The file as the stdlib reads it (BOM stripped, CRLF inside quotes kept)."""
    text = path.read_bytes().decode("utf-8").removeprefix("\ufeff")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    return list(reader.fieldnames or []), list(reader)


def expected_state(code: str, date: str) -> str:
    """Canonical code for an ``ms_code`` on a date (the historical seats in the fixtures)."""
    if code == "RUS" and date < "1991-12-24":
        return "SUN"
    if code == "CHN" and date < "1971-10-25":
        return "TWN"
    return code


def _ingest_cli(db: Path, *paths: Path) -> dict:
    import json

    from comity.cli import app

    res = CliRunner().invoke(app, ["ingest", *map(str, paths), "--db", str(db), "--json"])
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


# -- the files themselves ----------------------------------------------------------------------
@pytest.mark.parametrize("version", [1, 2, 3, 4, 5])
def test_fixture_has_the_official_columns(version: int) -> None:
    cols, rows = read_rows(GA_FILES[version])
    want = GA_COLUMNS if version == 5 else [c for c in GA_COLUMNS if c != "vote_note"]
    assert sorted(cols) == sorted(want)
    assert len(rows) >= 40
    assert detect_format(GA_FILES[version]) == "undl_ga"


def test_fixture_quirks_present() -> None:
    raw = {v: p.read_bytes() for v, p in GA_FILES.items()}
    assert any(b.startswith(b"\xef\xbb\xbf") for b in raw.values())
    assert any(b"\r\n" in b for b in raw.values())
    assert any(b"\n" in b and b"\r\n" not in b for b in raw.values())
    # a quoted newline inside a title, in a BOM + CRLF file
    assert b'"Aggression against Ukraine :\r\nresolution' in raw[5]
    # v1 has its columns in another order than v5
    assert read_rows(GA_FILES[1])[0] != [c for c in GA_COLUMNS if c != "vote_note"]
    cols, _ = read_rows(SC_FILE)
    assert cols == SC_COLUMNS
    assert detect_format(SC_FILE) == "undl_sc"


# -- every version parses --------------------------------------------------------------------
@pytest.mark.parametrize("version", [1, 2, 3, 4, 5])
def test_every_ga_version_parses(version: int) -> None:
    path = GA_FILES[version]
    _, rows = read_rows(path)
    sd = parse_undl_ga(path)
    assert sd.source == "undl_ga" and sd.rows_read == len(rows)
    assert len(sd.votes) == len(rows)
    assert set(sd.resolutions["key"]) == {r["undl_id"] for r in rows}
    assert sd.resolutions["title"].notna().all()
    notes = sd.quality[sd.quality["kind"] == "vote_note"]
    assert len(notes) == sum(bool(r.get("vote_note", "").strip()) for r in rows)
    if version < 5:
        assert notes.empty
    else:
        assert len(notes) == 2


def test_versions_agree_on_shared_records() -> None:
    frames = {v: parse_undl_ga(p) for v, p in GA_FILES.items()}
    base = frames[1].votes.set_index(["key", "state"])["vote"]
    for v in (2, 3, 4, 5):
        other = frames[v].votes.set_index(["key", "state"])["vote"]
        shared = base.index.intersection(other.index)
        assert len(shared) == len(base)
        assert (base[shared].to_numpy(dtype=object) == other[shared].to_numpy(dtype=object)).all()


# -- round trip into the store ----------------------------------------------------------------
def test_ga_v5_every_column_round_trips(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    rep = _ingest_cli(db, GA_FILES[5])
    assert [x["source"] for x in rep["loaded"]] == ["undl_ga"]
    _, rows = read_rows(GA_FILES[5])
    with Store(db, read_only=True) as s:
        res = s.query("SELECT * FROM resolutions").set_index("rid")
        staged = s.query("SELECT key, symbol FROM src_resolutions WHERE source = 'undl_ga'")
        key_of = dict(zip(staged["symbol"], staged["key"], strict=True))
        votes = s.query("SELECT rid, state, vote, inferred, source FROM votes")
        quality = s.quality()
    seen = set()
    for r in rows:
        sym = r["resolution"]
        rec = res.loc[sym]
        if sym not in seen:
            seen.add(sym)
            assert key_of[sym] == r["undl_id"]  # undl_id
            assert rec["body"] == "GA"
            assert str(rec["date"])[:10] == r["date"]  # date
            if r["session"].isdigit():  # session
                assert rec["session"] == int(r["session"])
                assert rec["special"] is None or rec["special"] != rec["special"]
            else:
                assert rec["special"] == r["session"]
                assert rec["session"] in (76, 79)  # regular session in progress
            assert rec["title"] == r["title"].replace("\r\n", "\n")  # title
            assert rec["agenda"] == r["agenda_title"]  # agenda_title
            assert rec["subjects"] == r["subjects"].replace("|", "; ")  # subjects
            assert (rec["yes"], rec["no"], rec["abstain"], rec["non_voting"]) == (
                int(r["total_yes"]), int(r["total_no"]), int(r["total_abstentions"]),
                int(r["total_non_voting"]))
            assert int(r["total_ms"]) == sum(int(r[c]) for c in (
                "total_yes", "total_no", "total_abstentions", "total_non_voting"))
            assert rec["link"] == r["undl_link"]  # undl_link
            assert list(rec["sources"]) == ["undl_ga"]
            assert rec["adoption"] == "recorded" and rec["outcome"] == "adopted"
        # ms_code / ms_name / ms_vote
        st = expected_state(r["ms_code"], r["date"])
        got = votes[(votes["rid"] == sym) & (votes["state"] == st)]
        assert len(got) == 1, (sym, st)
        assert got["vote"].iloc[0] == r["ms_vote"]
        assert not got["inferred"].iloc[0] and got["source"].iloc[0] == "undl_ga"
        if r["vote_note"]:  # vote_note
            q = quality[(quality["rid"] == sym) & (quality["kind"] == "vote_note")]
            assert f"{st}: {r['vote_note']}" in set(q["detail"])
    # the title with a quoted CRLF keeps one line break
    assert res.loc["A/RES/ES-11/1", "title"].count("\n") == 1
    # members the file does not list are inferred absent, never voting
    inferred = votes[(votes["rid"] == "A/RES/80/7") & votes["inferred"]]
    assert set(inferred["vote"]) == {"X"} and len(inferred) == 193 - 14


def test_historical_codes_resolved_with_the_date() -> None:
    sd = parse_undl_ga(GA_FILES[1])
    v = sd.votes.merge(sd.resolutions[["key", "symbol"]], on="key")
    uniting = v[v["symbol"] == "A/RES/377(V)A"].set_index("state")["vote"]
    assert uniting["SUN"] == "N"  # ms_code RUS, 1950: the USSR
    assert uniting["TWN"] == "Y"  # ms_code CHN, 1950: the Republic of China
    assert uniting["CSK"] == "N" and uniting["YUG"] == "Y"
    assert "RUS" not in uniting.index and "CHN" not in uniting.index
    later = v[v["symbol"] == "A/RES/68/262"].set_index("state")["vote"]
    assert later["RUS"] == "N" and later["CHN"] == "A"


def test_sc_every_column_round_trips(tmp_path: Path) -> None:
    from comity.analysis import security_council as sc

    db = tmp_path / "s.duckdb"
    _ingest_cli(db, SC_FILE)
    _, rows = read_rows(SC_FILE)
    with Store(db, read_only=True) as s:
        res = s.query("SELECT * FROM resolutions").set_index("rid")
        votes = sc.sc_votes(s)
        quality = s.quality()
        keys = s.query("SELECT key, symbol FROM src_resolutions")
    key_of = dict(zip(keys["symbol"], keys["key"], strict=True))
    for r in rows:
        sym = r["resolution"].split(" ")[0]
        rec = res.loc[sym]
        assert key_of[sym] == r["undl_id"]
        assert rec["body"] == "SC" and rec["session"] == int(r["date"][:4])
        assert str(rec["date"])[:10] == r["date"]
        assert rec["title"] == r["description"].replace("\r\n", "\n")
        assert rec["agenda"] == (r["agenda"] or None)
        assert (rec["subjects"] if isinstance(rec["subjects"], str) else "") == \
            r["subjects"].replace("|", "; ")
        assert (rec["yes"], rec["no"], rec["abstain"], rec["non_voting"]) == (
            int(r["total_yes"]), int(r["total_no"]), int(r["total_abstentions"]),
            int(r["total_non_voting"]))
        assert rec["link"] == r["undl_link"]
        st = expected_state(r["ms_code"], r["date"])
        got = votes[(votes["rid"] == sym) & (votes["state"] == st)]
        assert len(got) == 1
        assert got["vote"].iloc[0] == r["ms_vote"]
        assert bool(got["permanent"].iloc[0]) == (r["permanent_member"] == "True")
        if r["vote_note"]:
            q = quality[(quality["rid"] == sym) & (quality["kind"] == "vote_note")]
            assert f"{st}: {r['vote_note']}" in set(q["detail"])
    # X = non-voting: the USSR's absence on S/RES/83 is an X, not a missing row
    v83 = votes[votes["rid"] == "S/RES/83"].set_index("state")["vote"]
    assert v83["SUN"] == "X" and v83["EGY"] == "X" and v83["TWN"] == "Y" and len(v83) == 11
    # adopted without a vote: every member Y, still a recorded vote, with its modality noted
    v2592 = votes[votes["rid"] == "S/RES/2592"]
    assert len(v2592) == 15 and set(v2592["vote"]) == {"Y"}
    assert res.loc["S/RES/2592", "adoption"] == "recorded"
    wv = quality[quality["kind"] == "adopted_without_vote"]
    assert wv["rid"].tolist() == ["S/RES/2592"]
    assert "Adopted without vote" in wv["detail"].iloc[0]
    assert "permanent_member_mismatch" not in set(quality["kind"])
    assert "tally_mismatch" not in set(quality["kind"])


def test_all_versions_load_together(tmp_path: Path) -> None:
    with Store(tmp_path / "s.duckdb") as s:
        rep = s.ingest([UNDL])
        assert len(rep.loaded) == 6
        res = s.query("SELECT rid, sources FROM resolutions ORDER BY rid")
        # one record per resolution, whatever the number of versions that hold it
        assert res["rid"].is_unique and len(res) == 9
        assert "vote_disagreement" not in s.quality_summary()


# -- bad inputs ------------------------------------------------------------------------------
def _rewrite(src: Path, dest: Path, edit) -> Path:
    cols, rows = read_rows(src)
    cols, rows = edit(cols, rows)
    buf = io.StringIO(newline="")
    w = csv.DictWriter(buf, fieldnames=cols, lineterminator="\r\n", extrasaction="ignore")
    w.writeheader()
    w.writerows(rows)
    dest.write_bytes(b"\xef\xbb\xbf" + buf.getvalue().encode())
    return dest


@pytest.fixture
def loaded_db(tmp_path: Path) -> Path:
    d = M.write_all(tmp_path / "good")
    db = tmp_path / "store.duckdb"
    with Store(db) as s:
        s.ingest([d, GA_FILES[4]])
    return db


def _attempt(db: Path, path: Path) -> DataFormatError:
    before = store_fingerprint(db)
    with Store(db) as s, pytest.raises(DataFormatError) as info:
        s.ingest([path])
    assert store_fingerprint(db) == before, "store changed after a failed ingest"
    assert path.name in str(info.value)
    return info.value


def test_missing_column(loaded_db: Path, tmp_path: Path) -> None:
    bad = _rewrite(GA_FILES[5], tmp_path / "2026_02_06_ga_voting.csv",
                   lambda c, r: ([x for x in c if x != "total_no"], r))
    err = _attempt(loaded_db, bad)
    assert err.field == "total_no" and err.row == 0


def test_unknown_vote_code(loaded_db: Path, tmp_path: Path) -> None:
    def edit(c, r):
        r[7]["ms_vote"] = "Z"
        return c, r

    err = _attempt(loaded_db, _rewrite(GA_FILES[5], tmp_path / "ga.csv", edit))
    assert (err.field, err.row) == ("ms_vote", 8)
    assert "'Z'" in str(err)


def test_inconsistent_totals_within_a_record(loaded_db: Path, tmp_path: Path) -> None:
    def edit(c, r):
        r[20]["total_yes"] = "101"  # a row of A/RES/68/262 (100 on its other rows)
        return c, r

    err = _attempt(loaded_db, _rewrite(GA_FILES[5], tmp_path / "ga.csv", edit))
    assert (err.field, err.row) == ("total_yes", 21)
    assert "767565" in str(err) and "'100'" in str(err) and "row 13" in str(err)


def test_inconsistent_date_within_a_record(loaded_db: Path, tmp_path: Path) -> None:
    def edit(c, r):
        r[2]["date"] = "1950-11-04"
        return c, r

    err = _attempt(loaded_db, _rewrite(GA_FILES[3], tmp_path / "ga.csv", edit))
    assert (err.field, err.row) == ("date", 3)


@pytest.mark.parametrize(("field", "value", "row"), [
    ("date", "3 March 2022", 30), ("undl_id", "", 5), ("total_no", "five", 1),
    ("ms_code", "", None),
])
def test_bad_values(loaded_db: Path, tmp_path: Path, field: str, value: str,
                    row: int | None) -> None:
    def edit(c, r):
        if field == "ms_code":  # unknown code AND unknown name
            r[4]["ms_code"], r[4]["ms_name"] = "QQQ", "NOWHERE LAND"
        elif field == "total_no":
            for x in r[:12]:
                x["total_no"] = value
        else:
            r[row - 1][field] = value
        return c, r

    err = _attempt(loaded_db, _rewrite(GA_FILES[5], tmp_path / "ga.csv", edit))
    assert err.field == field
    assert err.row == (row or 5)


def test_sc_bad_permanent_member(loaded_db: Path, tmp_path: Path) -> None:
    def edit(c, r):
        r[3]["permanent_member"] = "maybe"
        return c, r

    err = _attempt(loaded_db, _rewrite(SC_FILE, tmp_path / "sc.csv", edit))
    assert (err.field, err.row) == ("permanent_member", 4)


def test_sc_permanent_member_disagreement_is_noted(tmp_path: Path) -> None:
    def edit(c, r):
        r[5]["permanent_member"] = "True"  # Cuba, 1950
        return c, r

    sd = parse_undl_sc(_rewrite(SC_FILE, tmp_path / "sc.csv", edit))
    q = sd.quality[sd.quality["kind"] == "permanent_member_mismatch"]
    assert len(q) == 1 and q["detail"].iloc[0].startswith("CUB:")


def test_unknown_code_falls_back_to_the_name(tmp_path: Path) -> None:
    def edit(c, r):
        r[4]["ms_code"] = "ZZZ"  # the USSR's row of A/RES/377(V)A under a code we don't know
        r[5]["ms_code"] = ""
        return c, r

    sd = parse_undl_ga(_rewrite(GA_FILES[5], tmp_path / "ga.csv", edit))
    assert sd.votes["state"].iloc[4] == "SUN" and sd.votes["state"].iloc[5] == "UKR"
    q = sd.quality[sd.quality["kind"] == "state_code_unknown"]
    assert len(q) == 2 and "'ZZZ'" in " ".join(q["detail"])


def test_total_ms_mismatch_is_noted(tmp_path: Path) -> None:
    def edit(c, r):
        for x in r:
            if x["undl_id"] == "767565":
                x["total_ms"] = "192"
        return c, r

    sd = parse_undl_ga(_rewrite(GA_FILES[5], tmp_path / "ga.csv", edit))
    q = sd.quality[sd.quality["kind"] == "total_ms_mismatch"]
    assert q["key"].tolist() == ["767565"]


# -- precedence over older sources -------------------------------------------------------------
def _official_75_10(path: Path, russia: str) -> Path:
    """An official GA file for A/RES/75/10, a vote the scrape and unxml of minidata hold."""
    cols = GA_COLUMNS
    base = {"undl_id": "3895181", "date": "2020-12-01", "session": "75",
            "resolution": "A/RES/75/10", "draft": "A/75/L.1", "committee_report": "",
            "meeting": "A/75/PV.40", "title": "A 2020 test (official title)",
            "agenda_title": "A test item", "subjects": "TEST", "vote_note": "",
            "total_yes": "3", "total_no": "1", "total_abstentions": "1",
            "total_non_voting": "1", "total_ms": "193",
            "undl_link": "https://digitallibrary.un.org/record/3895181"}
    votes = [("USA", "UNITED STATES", "Y"), ("FRA", "FRANCE", "Y"), ("CHN", "CHINA", "Y"),
             ("RUS", "RUSSIAN FEDERATION", russia), ("SWE", "SWEDEN", "A"),
             ("CAN", "CANADA", "X")]
    buf = io.StringIO(newline="")
    w = csv.DictWriter(buf, fieldnames=cols, lineterminator="\n")
    w.writeheader()
    for code, name, v in votes:
        w.writerow({**base, "ms_code": code, "ms_name": name, "ms_vote": v})
    path.write_text(buf.getvalue(), encoding="utf-8")
    return path


def test_official_file_wins_and_disagreement_is_kept(tmp_path: Path) -> None:
    d = M.write_all(tmp_path / "mini")
    with Store(tmp_path / "s.duckdb") as s:
        s.ingest([d])
        before = s.votes_on("A/RES/75/10").set_index("state")
        assert before.loc["RUS", "vote"] == "N" and before.loc["RUS", "source"] == "unxml"
        s.ingest([_official_75_10(tmp_path / "2026_02_06_ga_voting.csv", russia="A")])
        after = s.votes_on("A/RES/75/10").set_index("state")
        assert after.loc["RUS", "vote"] == "A" and after.loc["RUS", "source"] == "undl_ga"
        assert after.loc["USA", "source"] == "undl_ga"
        res = s.find_resolution("A/RES/75/10").iloc[0]
        assert list(res["sources"]) == ["scrape", "undl_ga", "unxml"]
        assert res["title"] == "A 2020 test (official title)"
        q = s.quality("vote_disagreement")
        rus = q[(q["rid"] == "A/RES/75/10") & q["detail"].str.startswith("RUS")]
        assert len(rus) == 1
        assert rus["detail"].iloc[0].startswith("RUS: undl_ga=A")
        assert "unxml=N" in rus["detail"].iloc[0] and "scrape=N" in rus["detail"].iloc[0]
        # still one record for the resolution
        assert (s.query("SELECT count(*) AS n FROM resolutions WHERE symbol = 'A/RES/75/10'")
                ["n"].iloc[0]) == 1


def test_a_newer_release_replaces_an_older_one(tmp_path: Path) -> None:
    d = tmp_path / "rel"
    d.mkdir()
    _official_75_10(d / "2025_09_19_ga_voting.csv", russia="N")
    with Store(tmp_path / "s.duckdb") as s:
        s.ingest([d])
        shutil.copy(_official_75_10(tmp_path / "x.csv", russia="A"),
                    d / "2026_02_06_ga_voting.csv")
        s.ingest([d / "2026_02_06_ga_voting.csv"])
        v = s.votes_on("A/RES/75/10").set_index("state")
        assert v.loc["RUS", "vote"] == "A"


def test_record_columns_reach_the_store(tmp_path: Path) -> None:
    """draft, committee_report, meeting, total_ms and SC modality are canonical columns."""
    ga = parse_undl_ga(GA_FILES[5]).resolutions.set_index("symbol")
    assert ga.loc["A/RES/ES-11/1", "draft"] == "A/ES-11/L.1"
    assert ga.loc["A/RES/377(V)A", "committee_report"] == "A/1456"
    assert ga.loc["A/RES/68/262", "meeting"] == "A/68/PV.80"
    assert ga.loc["A/RES/68/262", "total_ms"] == 193
    sc_ = parse_undl_sc(SC_FILE).resolutions.set_index("symbol")
    assert sc_.loc["S/RES/2592", "modality"] == "Adopted without vote"
    assert sc_.loc["S/RES/2728", "draft"] == "S/2024/269" and sc_.loc["S/RES/83", "total_ms"] == 11
    with Store(tmp_path / "cols.duckdb") as s:
        s.ingest([GA_FILES[5], SC_FILE])
        r = s.query("SELECT symbol, draft, committee_report, meeting, total_ms, modality "
                    "FROM resolutions").set_index("symbol")
    assert r.loc["A/RES/ES-11/1", "draft"] == "A/ES-11/L.1"
    assert r.loc["A/RES/68/262", "meeting"] == "A/68/PV.80"
    assert r.loc["A/RES/68/262", "total_ms"] == 193
    assert r.loc["S/RES/2592", "modality"] == "Adopted without vote"
