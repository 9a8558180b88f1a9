"""Malformed official UN Digital Library files (GA and SC): each is one located error —
file, row, field and what was expected — and the store is left as it was (issues 19, 20).
Every file is the small v5 fixture with one value changed, written by the test."""

from __future__ import annotations

import csv
import gzip
import subprocess
import sys
from pathlib import Path

import pytest

from comity.errors import DataFormatError
from comity.ingest.sources.undl import parse_undl_ga, parse_undl_sc
from comity.store.db import Store
from tests.test_ingest_bad import store_fingerprint
from tests.test_undl import GA_FILES, SC_FILE, read_rows

TARGET = 3  # 0-based data row changed (its record starts earlier or there)


def _record_rows(rows: list[dict], i: int) -> list[int]:
    return [j for j, r in enumerate(rows) if r["undl_id"] == rows[i]["undl_id"]]


def _write(path: Path, header: list[str], rows: list[dict]) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=header)
        w.writeheader()
        w.writerows(rows)
    return path


# (name, field, value, whole record?, message, expected row: "first" of the record or "target")
GA_CASES = [
    ("negative_tally", "total_yes", "-3", True, "'-3' is out of range", "first"),
    ("huge_count", "total_no", "1" + "0" * 23, True, "is out of range", "first"),
    ("fraction_count", "total_ms", "192.5", True, "'192.5'", "first"),
    ("count_not_number", "total_abstentions", "many", True, "'many'", "first"),
    ("date_9999", "date", "9999-12-31", True, "'9999-12-31'", "first"),
    ("date_0001", "date", "0001-01-01", True, "'0001-01-01'", "first"),
    ("date_before_un", "date", "1901-01-01", True, "impossible date 1901-01-01", "first"),
    ("date_text", "date", "yesterday", True, "unparseable date 'yesterday'", "first"),
    ("session_negative", "session", "-5", True, "session '-5' is not a session", "first"),
    ("session_huge", "session", "99999", True, "session '99999' is not a session", "first"),
    ("session_word", "session", "fifth", True, "session 'FIFTH' is not a session", "first"),
    ("symbol_list", "resolution", "['A/RES/1']", True, "is not a resolution symbol", "first"),
    ("symbol_sc_in_ga", "resolution", "S/RES/2728 (2024)", True,
     "is not a resolution symbol", "first"),
    ("vote_word", "ms_vote", "Yes", False, "unknown vote code 'Yes'", "target"),
    ("vote_empty", "ms_vote", "", False, "empty value", "target"),
    ("undl_id_empty", "undl_id", "", False, "empty value", "target"),
    ("resolution_empty", "resolution", "", False, "empty value", "target"),
    ("record_field_differs", "meeting", "A/99/PV.1", False, "here but", "target"),
    ("record_tally_differs", "total_yes", "1", False, "here but", "target"),
    ("state_unknown", "ms_code", "XXX", False, "unknown", "target"),
]


@pytest.mark.parametrize(("name", "field", "value", "whole", "message", "where"), GA_CASES,
                         ids=[c[0] for c in GA_CASES])
def test_ga_bad_value_is_a_located_error(tmp_path: Path, name: str, field: str, value: str,
                                         whole: bool, message: str, where: str) -> None:
    header, rows = read_rows(GA_FILES[5])
    rec = _record_rows(rows, TARGET)
    if field == "ms_code":
        rows[TARGET]["ms_name"] = "Narnia"
    for j in (rec if whole else [TARGET]):
        rows[j][field] = value
    path = _write(tmp_path / f"{name}.csv", header, rows)
    with pytest.raises(DataFormatError) as ei:
        parse_undl_ga(path)
    err = ei.value
    assert message in str(err)
    assert str(path.name) in str(err) and "\n" not in str(err)
    assert err.field == field
    assert err.row == (rec[0] if where == "first" else TARGET) + 1


def test_sc_permanent_member_not_boolean(tmp_path: Path) -> None:
    header, rows = read_rows(SC_FILE)
    rows[5]["permanent_member"] = "maybe"
    path = _write(tmp_path / "sc.csv", header, rows)
    with pytest.raises(DataFormatError) as ei:
        parse_undl_sc(path)
    assert (ei.value.row, ei.value.field) == (6, "permanent_member")
    assert "'maybe' is not true/false" in str(ei.value)


def test_sc_symbol_of_the_wrong_body(tmp_path: Path) -> None:
    header, rows = read_rows(SC_FILE)
    rec = _record_rows(rows, 0)
    for j in rec:
        rows[j]["resolution"] = "A/RES/68/262"
    path = _write(tmp_path / "sc.csv", header, rows)
    with pytest.raises(DataFormatError) as ei:
        parse_undl_sc(path)
    assert (ei.value.row, ei.value.field) == (1, "resolution")


@pytest.mark.parametrize(("name", "content", "message", "row"), [
    ("empty", b"", "file is empty", None),
    ("header_only", None, "no data rows after the header", None),
    ("missing_column", "drop:ms_vote", "required column(s) 'ms_vote' missing", 0),
    ("short_row", "short", "fields", 5),
    ("latin1", "latin1", "UTF-8", 4),
])
def test_ga_bad_file_shape(tmp_path: Path, name: str, content: bytes | str | None,
                           message: str, row: int | None) -> None:
    header, rows = read_rows(GA_FILES[5])
    path = tmp_path / f"{name}.csv"
    if content == b"":
        path.write_bytes(b"")
    elif content is None:
        _write(path, header, [])
    elif content == "drop:ms_vote":
        _write(path, [h for h in header if h != "ms_vote"],
               [{k: v for k, v in r.items() if k != "ms_vote"} for r in rows])
    elif content == "short":
        _write(path, header, rows)
        lines = path.read_bytes().split(b"\r\n")
        lines[5] = b"1,2,3"
        path.write_bytes(b"\r\n".join(lines))
    else:
        rows[3]["ms_name"] = "Côte d'Ivoire"
        _write(path, header, rows)
        path.write_bytes(path.read_bytes().replace("Côte".encode(), "Côte".encode("latin-1")))
    with pytest.raises(DataFormatError) as ei:
        parse_undl_ga(path)
    assert message in str(ei.value)
    if row is not None:
        assert ei.value.row == row


def test_bad_file_leaves_the_store_as_it_was(tmp_path: Path) -> None:
    """Through the CLI: one `error:` line naming file, row and field; exit 3; the store
    unchanged (a good file loaded before stays, nothing of the bad one is written)."""
    header, rows = read_rows(GA_FILES[5])
    db = tmp_path / "s.duckdb"
    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "comity.cli", "--db", str(db), *args],
                              capture_output=True, text=True, timeout=300, check=False)

    ok = cli("ingest", "--no-predict", str(GA_FILES[5]))
    assert ok.returncode == 0, ok.stderr
    before = store_fingerprint(db)
    for j in _record_rows(rows, TARGET):
        rows[j]["total_yes"] = "-3"
    bad = tmp_path / "bad.csv.gz"
    with gzip.open(bad, "wt", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=header)
        w.writeheader()
        w.writerows(rows)
    r = cli("ingest", "--no-predict", str(bad))
    assert r.returncode == DataFormatError.exit_code == 3
    assert r.stdout == ""
    lines = [x for x in r.stderr.splitlines() if x.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: ")
    assert "bad.csv.gz" in lines[0] and "field 'total_yes'" in lines[0]
    assert store_fingerprint(db) == before
    with Store(db, read_only=True) as s:
        assert s.counts()["resolutions"] > 0
