"""The three Security Council sources, parser by parser, each quirk on small hand-made files:
the SC drafts sheet (CSV export and .xlsx), the veto list, the DPPA membership list; their
detection by content; and located errors for bad input (file, row, field)."""

from __future__ import annotations

import csv
import datetime as dt
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from comity.errors import DataFormatError
from comity.ingest.sources.detect import detect_format
from comity.ingest.sources.sc_drafts import parse_sc_drafts, swapped_dates
from comity.ingest.sources.sc_membership import parse_sc_membership
from comity.ingest.sources.vetoes import parse_vetoes

FIX = Path(__file__).resolve().parent / "fixtures" / "sc"
SHEET = FIX / "sc_votes_drafts.csv"
VETOES = FIX / "unsc_vetoes.csv"
DPPA = FIX / "dppa_sc_membership.csv"


def write_xlsx(csv_path: Path, out: Path) -> Path:
    """The CSV fixture as the Library of the source would have it: an .xlsx workbook with
    date cells, numbers as numbers and the trailing blank rows."""
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    ws = wb.active
    with csv_path.open(encoding="utf-8") as fh:
        for i, row in enumerate(csv.reader(fh)):
            if i == 0:
                ws.append(row)
                continue
            cells: list[object] = []
            for j, v in enumerate(row):
                if j == 1 and v:
                    cells.append(dt.datetime.fromisoformat(v))
                elif j in (0, 3, 12) and v.isdigit():
                    cells.append(float(v))
                else:
                    cells.append(v or None)
            ws.append(cells)
    wb.save(out)
    return out


def _sheet(tmp_path: Path, edit) -> Path:
    """The fixture sheet with its rows changed by ``edit(rows)`` (header excluded)."""
    with SHEET.open(encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    head, body = rows[0], [r for r in rows[1:] if any(r)]
    body = edit(body) or body
    p = tmp_path / "sheet.csv"
    with p.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(head)
        w.writerows(body)
    return p


COL = {"date": 1, "res": 2, "meeting": 3, "draft": 4, "outcome": 9, "vote": 10, "state": 11,
       "id": 12}


# -- the SC drafts sheet ---------------------------------------------------------------------
@pytest.fixture(scope="module")
def sheet():
    return parse_sc_drafts(SHEET)


def test_one_record_per_vote_with_outcome_and_draft(sheet) -> None:
    r = sheet.resolutions.set_index("key")
    assert len(r) == 18  # 19 IDs, one a repeat
    assert r.loc["2", ["symbol", "draft", "outcome", "adoption", "meeting"]].tolist() == [
        "S/2024/173", "S/2024/173", "vetoed", "recorded", "S/PV.9552"]
    assert r.loc["1", "symbol"] == "S/RES/2722" and r.loc["1", "outcome"] == "adopted"
    assert r.loc["21", "outcome"] == "failed"
    assert set(r["body"]) == {"SC"} and r.loc["20", "session"] == 2025
    assert r.loc["2", "agenda"].startswith("The situation in the Middle East")
    assert r["yes"].isna().all()  # the sheet has no tallies: they are counted
    v = sheet.votes
    assert set(v["vote"]) == {"Y", "N", "A"}
    got = v[v["key"] == "2"].set_index("state")["vote"]
    assert got["USA"] == "N" and got["GBR"] == "A" and (got.drop(["USA", "GBR"]) == "Y").all()


def test_resolution_symbol_forms(sheet) -> None:
    r = sheet.resolutions.set_index("key")["symbol"]
    # '2722 (2024)', 'Resolution 2726 (2024)', 'S/RES/2728 (2024)', 'S/RES/2735/2024'
    assert (r["1"], r["3"], r["5"], r["10"]) == ("S/RES/2722", "S/RES/2726", "S/RES/2728",
                                                  "S/RES/2735")


def _notes(sd, kind: str) -> pd.DataFrame:
    return sd.quality[sd.quality["kind"] == kind]


def test_swapped_columns_read_the_right_way(sheet) -> None:
    r = sheet.resolutions.set_index("key")
    assert (r.loc["22", "symbol"], r.loc["22", "draft"]) == ("S/RES/2779", "S/2025/270")
    q = _notes(sheet, "columns_swapped")
    assert q["key"].tolist() == ["22"] and "'S/2025/270'" in q["detail"].iloc[0]


def test_day_month_swap_detected_and_reported(sheet) -> None:
    r = sheet.resolutions.set_index("key")
    assert str(r.loc["3", "date"].date()) == "2024-03-08"  # written 2024-08-03
    assert str(r.loc["10", "date"].date()) == "2024-06-10"  # ambiguous, but fits as given
    assert str(r.loc["22", "date"].date()) == "2025-05-08"
    q = _notes(sheet, "date_swapped")
    assert q["key"].tolist() == ["3"]
    assert "2024-08-03 read as 2024-03-08" in q["detail"].iloc[0]


def test_swapped_dates_rule() -> None:
    d = np.array(["2024-01-15", "2024-02-20", "2024-08-03", "2024-03-22", "2024-03-25",
                  "2024-04-18", "2024-05-06", "2024-05-20", "2024-06-14"],
                 dtype="datetime64[D]")
    swap, unsure = swapped_dates(d)
    assert swap.tolist() == [False, False, True] + [False] * 6  # 05-06 fits as given
    # neither reading fits: reported, kept
    d2 = np.array(["2024-01-20", "2024-01-25", "2024-11-10", "2024-01-28", "2024-01-30"],
                  dtype="datetime64[D]")
    swap, unsure = swapped_dates(d2)
    assert not swap.any() and unsure.tolist() == [False, False, True, False, False]


def test_duplicate_vote_kept_once(sheet) -> None:
    r = sheet.resolutions
    assert "30" not in set(r["key"]) and (r["symbol"] == "S/2024/255").sum() == 1
    assert r.set_index("key").loc["6", "outcome"] == "vetoed"  # the copy its votes support
    q = _notes(sheet, "duplicate_record")
    assert q["key"].tolist() == ["6"] and "ID 30" in q["detail"].iloc[0]
    assert "'Adopted unanimously'" in q["detail"].iloc[0]
    assert not (sheet.quality["key"] == "30").any()  # no other note for the dropped copy


def test_member_listed_twice(sheet) -> None:
    v = sheet.votes
    rus = v[(v["key"] == "10") & (v["state"] == "RUS")]
    assert rus["vote"].tolist() == ["A"]  # the first row is kept
    q = _notes(sheet, "duplicate_listing")
    assert "RUS listed twice, A" in q["detail"].iloc[0] and "the first is kept" in \
        q["detail"].iloc[0]


def test_name_typo_read_and_reported(sheet) -> None:
    v = sheet.votes
    assert v[(v["key"] == "8") & (v["state"] == "CHE")]["vote"].tolist() == ["A"]
    q = _notes(sheet, "state_name_typo")
    assert "'Switzerlnd'" in q["detail"].iloc[0] and "'Switzerland'" in q["detail"].iloc[0]


def test_members_missing_and_foreign_listing(sheet) -> None:
    v = sheet.votes
    assert len(v[v["key"] == "12"]) == 14
    assert "14 members listed" in _notes(sheet, "members_missing")["detail"].iloc[0]
    # vote 13 lists the Council of 2022: its listing is dropped, the record stays
    assert (v["key"] == "13").sum() == 0
    r = sheet.resolutions.set_index("key")
    assert r.loc["13", "adoption"] == "partial" and r.loc["13", "symbol"] == "S/RES/2745"
    q = _notes(sheet, "members_mismatch")
    assert q["key"].tolist() == ["13"] and "ALB" in q["detail"].iloc[0]


def test_outcome_contradicted_by_votes(sheet) -> None:
    q = _notes(sheet, "outcome_inconsistent")
    assert q["key"].tolist() == ["11"] and "that is a veto" in q["detail"].iloc[0]


def test_xlsx_and_csv_give_the_same_rows(sheet, tmp_path: Path) -> None:
    x = parse_sc_drafts(write_xlsx(SHEET, tmp_path / "sheet.xlsx"))
    cols = ["key", "date", "symbol", "draft", "outcome", "adoption", "meeting", "agenda"]
    pd.testing.assert_frame_equal(x.resolutions[cols], sheet.resolutions[cols])
    pd.testing.assert_frame_equal(x.votes.drop(columns="row"),
                                  sheet.votes.drop(columns="row"))
    assert sorted(x.quality["kind"]) == sorted(sheet.quality["kind"])
    assert x.source == "sc_drafts" and x.rows_read == sheet.rows_read


def test_detection_by_content(tmp_path: Path) -> None:
    xlsx = write_xlsx(SHEET, tmp_path / "whatever.bin")
    assert detect_format(xlsx) == "sc_drafts"
    assert detect_format(SHEET) == "sc_drafts"
    assert detect_format(VETOES) == "unsc_vetoes"
    assert detect_format(DPPA) == "sc_membership"
    other = tmp_path / "other.zip"
    with zipfile.ZipFile(other, "w") as zf:
        zf.writestr("xl/workbook.xml", "<workbook/>")
        zf.writestr("xl/sharedStrings.xml", "<sst><si><t>Name</t></si></sst>")
    assert detect_format(other) is None
    (tmp_path / "broken.xlsx").write_bytes(b"PK\x03\x04 not really a zip")
    assert detect_format(tmp_path / "broken.xlsx") is None


def _set(rows: list[list[str]], vote_id: str, col: str, value: str, first_only=True):
    for r in rows:
        if r[COL["id"]] == vote_id:
            r[COL[col]] = value
            if first_only:
                break


@pytest.mark.parametrize(("edit", "row", "field", "text"), [
    (lambda rows: _set(rows, "1", "state", "Atlantis"), 1, "Member State", "Atlantis"),
    (lambda rows: _set(rows, "2", "vote", "Maybe"), 16, "Vote", "Maybe"),
    (lambda rows: _set(rows, "2", "date", "31/31/2024"), 16, "Date", "31/31/2024"),
    (lambda rows: _set(rows, "2", "outcome", "Postponed"), 16, "Outcome results", "Postponed"),
    (lambda rows: _set(rows, "2", "id", "two"), 16, "ID", "two"),
    (lambda rows: _set(rows, "3", "draft", "S/2024/999"), 32, "Draft", "S/2024/999"),
    (lambda rows: _set(rows, "1", "state", ""), 1, "Member State", "empty"),
])
def test_bad_sheet_located(tmp_path: Path, edit, row: int, field: str, text: str) -> None:
    p = _sheet(tmp_path, edit)
    with pytest.raises(DataFormatError) as info:
        parse_sc_drafts(p)
    e = info.value
    assert (e.row, e.field) == (row, field) and "sheet.csv" in str(e)
    assert text in str(e) and "\n" not in str(e)


def test_missing_column(tmp_path: Path) -> None:
    p = tmp_path / "s.csv"
    p.write_text("ID,Date,Vote\n1,2024-01-01,Yes\n", encoding="utf-8")
    with pytest.raises(DataFormatError, match="'Resolution'") as info:
        parse_sc_drafts(p)
    assert info.value.row == 0


def test_not_a_workbook(tmp_path: Path) -> None:
    p = tmp_path / "s.xlsx"
    with zipfile.ZipFile(p, "w") as zf:
        zf.writestr("xl/workbook.xml", "garbage")
    with pytest.raises(DataFormatError, match=r"not a readable \.xlsx"):
        parse_sc_drafts(p)


def test_blank_rows_skipped_and_rows_numbered(tmp_path: Path) -> None:
    def add_blank(rows):
        rows.insert(5, [""] * len(rows[0]))
    sd = parse_sc_drafts(_sheet(tmp_path, add_blank))
    assert sd.rows_read == 285
    # rows after the blank one keep their place in the file
    assert sd.votes[sd.votes["key"] == "2"]["row"].min() == 17


# -- the veto list ---------------------------------------------------------------------------
def test_veto_list() -> None:
    sd = parse_vetoes(VETOES)
    r = sd.resolutions.set_index("key")
    assert len(r) == 7 and set(r["outcome"]) == {"vetoed"} and set(r["adoption"]) == {"partial"}
    # the draft is unknown in early rows: the meeting record stands in, reported
    assert pd.isna(r.loc["row1", "symbol"]) and r.loc["row1", "meeting"] == "S/PV.23"
    assert "S/PV.23" in _notes(sd, "draft_unknown")["detail"].iloc[0]
    assert r.loc["row5", "symbol"] == "S/2024/239" and r.loc["row5", "meeting"] == "S/PV.9584"
    v = sd.votes
    assert set(v["vote"]) == {"N"}
    assert v[v["key"] == "row1"]["state"].tolist() == ["SUN"]  # USSR in 1946
    assert sorted(v[v["key"] == "row2"]["state"]) == ["FRA", "GBR", "USA"]
    assert sorted(v[v["key"] == "row5"]["state"]) == ["CHN", "RUS"]
    q = _notes(sd, "veto_flags_inconsistent")
    assert q["key"].tolist() == ["row2", "row7"]
    assert "0/1 columns name UK, USA" in q["detail"].iloc[0]
    assert "multiple_vetoes is 'empty'" in q["detail"].iloc[1]


@pytest.mark.parametrize(("old", "new", "field"), [
    ("Russia,China,,0", "Russia,Atlantis,,0", "member_veto2"),
    ("USA,,,1,0,0,0,0,0,1", "Japan,,,1,0,0,0,0,0,1", "member_veto1"),
    ("2/20/2024", "2/30/2024", "date"),
])
def test_bad_veto_list_located(tmp_path: Path, old: str, new: str, field: str) -> None:
    text = VETOES.read_text(encoding="utf-8")
    assert old in text
    p = tmp_path / "vetoes.csv"
    p.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(DataFormatError) as info:
        parse_vetoes(p)
    assert info.value.field == field and info.value.row is not None
    assert "vetoes.csv" in str(info.value)


# -- the DPPA membership list ----------------------------------------------------------------
def test_membership_list() -> None:
    sd = parse_sc_membership(DPPA)
    assert sd.resolutions.empty and sd.votes.empty and sd.rows_read == 31
    c = sd.council
    y71 = sorted(c.loc[c["year"] == 1971, "state"])
    # the China seat changed hands in 1971: both governments; USSR's long name read
    assert y71 == sorted(["ARG", "BEL", "BDI", "CHN", "TWN", "FRA", "GBR", "ITA", "JPN", "NIC",
                          "POL", "SLE", "SOM", "SUN", "SYR", "USA"])
    assert c.loc[c["state"].isin(["CHN", "TWN"]) & (c["year"] == 1971), "row"].nunique() == 1
    assert c.loc[c["year"] == 1973, "state"].tolist() == ["DEU"]  # 'German FR (…)'
    assert len(c[c["year"] == 2024]) == 14
    q = sd.quality
    assert "a member of 2024 without a name" in q[q["kind"] == "member_unnamed"][
        "detail"].iloc[0]
    sizes = q[q["kind"] == "council_size"]["detail"].tolist()
    assert any("14 members named for 2024" in d for d in sizes)


@pytest.mark.parametrize(("line", "field"), [("32,20x4,Japan,x", "year"),
                                             ("32,1930,Japan,x", "year"),
                                             ("32,2024,Atlantis,x", "security_council_member")])
def test_bad_membership_list(tmp_path: Path, line: str, field: str) -> None:
    p = tmp_path / "m.csv"
    p.write_text(DPPA.read_text(encoding="utf-8") + line + "\n", encoding="utf-8")
    with pytest.raises(DataFormatError) as info:
        parse_sc_membership(p)
    assert (info.value.row, info.value.field) == (32, field)
