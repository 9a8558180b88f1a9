"""The UNDL and UNxml parsers at their boundaries (issue 21): ambiguous day/month dates
(day ≤ 12), duplicate rows and objects, blank adoption types, and the P5 on the first and last
day of a permanent seat. Each case is a hand-written file with its exact expected rows.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pandas as pd
import pytest

from comity.errors import DataFormatError, UnknownStateError
from comity.ingest.sources.undl import GA_COLUMNS, SC_COLUMNS, parse_undl_ga, parse_undl_sc
from comity.ingest.sources.unxml import parse_unxml


# -- UNDL ----------------------------------------------------------------------------------------
def _undl(path: Path, columns: list[str], rows: list[dict]) -> Path:
    buf = io.StringIO(newline="")
    w = csv.DictWriter(buf, fieldnames=columns, lineterminator="\n")
    w.writeheader()
    for r in rows:
        w.writerow({c: r.get(c, "") for c in columns})
    path.write_text(buf.getvalue(), encoding="utf-8")
    return path


def _ga_row(undl_id: str, code: str, vote: str, day: str, **kw: str) -> dict:
    return {"undl_id": undl_id, "ms_code": code, "ms_name": "", "ms_vote": vote, "date": day,
            "session": "45", "resolution": f"A/RES/45/{undl_id}", "title": "A test",
            "total_yes": "1", "total_no": "1", "total_abstentions": "0",
            "total_non_voting": "0", "total_ms": "2", "undl_link": "", **kw}


@pytest.mark.parametrize(("text", "day"), [
    ("04/03/1990", "1990-03-04"),   # DD/MM/YYYY: the 4th of March, not April the 3rd
    ("12/11/1990", "1990-11-12"),
    ("01/02/1990", "1990-02-01"),
    ("1990-03-04", "1990-03-04"),
    ("1990-03-04 00:00:00", "1990-03-04"),
    ("1990-03-04T00:00:00", "1990-03-04"),
    ("19900304", "1990-03-04"),
])
def test_undl_ga_dates(tmp_path: Path, text: str, day: str) -> None:
    p = _undl(tmp_path / "ga.csv", GA_COLUMNS,
              [_ga_row("1", "FRA", "Y", text), _ga_row("1", "GBR", "N", text)])
    sd = parse_undl_ga(p)
    assert [str(d.date()) for d in pd.to_datetime(sd.resolutions["date"])] == [day]
    assert sd.votes[["key", "state", "vote"]].values.tolist() == [
        ["1", "FRA", "Y"], ["1", "GBR", "N"]]


def test_undl_duplicate_state_row_is_an_error(tmp_path: Path) -> None:
    rows = [_ga_row("1", "FRA", "Y", "1990-03-04"), _ga_row("1", "GBR", "N", "1990-03-04"),
            _ga_row("1", "FRA", "Y", "1990-03-04")]
    with pytest.raises(DataFormatError, match=r"duplicate vote rows for state FRA on 1 "
                                              r"\(rows 1, 3\)") as e:
        parse_undl_ga(_undl(tmp_path / "ga.csv", GA_COLUMNS, rows))
    assert e.value.row == 3
    # the same state in two records is not a duplicate
    rows[2] = _ga_row("2", "FRA", "Y", "1990-03-04")
    rows.append(_ga_row("2", "GBR", "N", "1990-03-04"))
    sd = parse_undl_ga(_undl(tmp_path / "ga2.csv", GA_COLUMNS, rows))
    assert sorted(map(tuple, sd.votes[["key", "state"]].values.tolist())) == [
        ("1", "FRA"), ("1", "GBR"), ("2", "FRA"), ("2", "GBR")]


def _sc_row(undl_id: str, code: str, perm: str, day: str) -> dict:
    return {"undl_id": undl_id, "ms_code": code, "ms_name": "", "permanent_member": perm,
            "ms_vote": "Y", "date": day, "resolution": f"S/RES/{undl_id}", "description": "t",
            "total_yes": "2", "total_no": "0", "total_abstentions": "0",
            "total_non_voting": "0", "total_ms": "2", "undl_link": ""}


@pytest.mark.parametrize(("code", "day", "perm", "mismatch"), [
    # the Republic of China held the seat until 1971-10-25 (exclusive)
    ("TWN", "1971-10-24", "True", False),
    ("TWN", "1971-10-24", "False", True),
    ("TWN", "1971-10-25", "False", False),  # its seat ended that day
    ("TWN", "1971-10-25", "True", True),
    # the People's Republic from 1971-10-25
    ("CHN", "1971-10-25", "True", False),
    ("CHN", "1971-10-25", "False", True),
    # the USSR until 1991-12-24, the Russian Federation from that day
    ("SUN", "1991-12-23", "True", False),
    ("SUN", "1991-12-24", "False", False),
    ("SUN", "1991-12-24", "True", True),
    ("RUS", "1991-12-24", "True", False),
    ("RUS", "1991-12-24", "False", True),
    # never permanent
    ("SWE", "1991-12-24", "False", False),
    ("SWE", "1991-12-24", "True", True),
])
def test_undl_sc_p5_on_the_edges_of_a_seat(tmp_path: Path, code: str, day: str, perm: str,
                                           mismatch: bool) -> None:
    rows = [_sc_row("9", code, perm, day), _sc_row("9", "FRA", "True", day)]
    path = _undl(tmp_path / "sc.csv", SC_COLUMNS, rows)
    sd = parse_undl_sc(path)
    assert sd.votes["state"].tolist() == [code, "FRA"]
    q = sd.quality[sd.quality["kind"] == "permanent_member_mismatch"]
    if not mismatch:
        assert q.empty
        return
    not_ = "a" if perm == "False" else "not a"
    assert q[["key", "detail"]].values.tolist() == [[
        "9", f"{code}: permanent_member {perm} in {path} row 1, but {not_} permanent member on "
             "that date"]]


# -- UNxml ---------------------------------------------------------------------------------------
def _obj(symbol: str, **kw) -> dict:
    return {"symbol": symbol, "title": "A test", "adoption_date": "2019-10-10 00:00:00",
            "adoption_type": "By a recorded vote", "MS_in_favour_count": "1",
            "MS_against_count": "1", "MS_abstaining_count": "0",
            "MS_in_favour": ["FRANCE"], "MS_against": ["SWEDEN"], "MS_abstaining": [], **kw}


def _jsonl(path: Path, objs: list[dict]) -> Path:
    path.write_text("\n".join(json.dumps(o) for o in objs) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(("text", "day"), [
    ("2019-03-04 00:00:00", "2019-03-04"),   # YYYY-MM-DD: the 4th of March
    ("2019-12-01 00:00:00", "2019-12-01"),
    ("2019-03-04", "2019-03-04"),
    ("4 March 2019", "2019-03-04"),
    ("4\u00a0March 2019", "2019-03-04"),
    (" 12 January 2019 ", "2019-01-12"),
])
def test_unxml_dates(tmp_path: Path, text: str, day: str) -> None:
    sd = parse_unxml(_jsonl(tmp_path / "x.json", [_obj("A/RES/73/1", adoption_date=text)]))
    assert [str(d.date()) for d in pd.to_datetime(sd.resolutions["date"])] == [day]


@pytest.mark.parametrize("fuller_first", [True, False])
def test_unxml_duplicate_keeps_the_fuller_copy(tmp_path: Path, fuller_first: bool) -> None:
    sparse = _obj("A/RES/73/1")
    full = _obj("A/RES/73/1", agenda_item_name="Disarmament", subjects=[["ARMS", "UNBIS"]],
                sponsors=["France"])
    objs = [full, sparse] if fuller_first else [sparse, full]
    path = _jsonl(tmp_path / "x.json", objs)
    sd = parse_unxml(path)
    r = sd.resolutions
    assert r[["key", "agenda", "subjects", "row"]].values.tolist() == [
        ["A/RES/73/1", "Disarmament", "ARMS", 1 if fuller_first else 2]]
    assert sd.votes[["key", "state", "vote"]].values.tolist() == [
        ["A/RES/73/1", "FRA", "Y"], ["A/RES/73/1", "SWE", "N"]]
    assert sd.quality[["key", "kind", "detail"]].values.tolist() == [[
        "A/RES/73/1", "duplicate_record",
        f"{path}: line 2 repeats line 1 (metadata differs: agenda_item_name, sponsors, "
        "subjects; kept the fuller one)"]]


def test_unxml_identical_duplicate_keeps_the_first(tmp_path: Path) -> None:
    path = _jsonl(tmp_path / "x.json", [_obj("A/RES/73/1"), _obj("A/RES/73/1")])
    sd = parse_unxml(path)
    assert sd.resolutions["row"].tolist() == [1]
    assert sd.quality["detail"].tolist() == [
        f"{path}: line 2 repeats line 1 (identical); kept once"]


def test_unxml_duplicate_with_another_vote_is_an_error(tmp_path: Path) -> None:
    objs = [_obj("A/RES/73/1"), _obj("A/RES/73/1", MS_against=[], MS_abstaining=["SWEDEN"])]
    with pytest.raises(DataFormatError, match="appears again with a different vote") as e:
        parse_unxml(_jsonl(tmp_path / "x.json", objs))
    assert (e.value.row, e.value.field) == (2, "MS_against")


@pytest.mark.parametrize(("atype", "lists", "counts", "adoption", "tally"), [
    ("", True, ("1", "1", "0"), "recorded", (1, 1, 0)),
    ("", True, ("", "", ""), "recorded", (None, None, None)),
    ("", False, ("3", "N.A.", ""), "recorded", (3, 0, 0)),
    ("", False, ("N.A.", "N.A.", "N.A."), "without_vote", (None, None, None)),
    ("", False, ("0", "0", "0"), "without_vote", (0, 0, 0)),
    ("Without a vote", False, ("N.A.", "N.A.", "N.A."), "without_vote", (None, None, None)),
    ("By a Recorded vote ", True, ("1", "", "N.A."), "recorded", (1, 0, 0)),
])
def test_unxml_adoption_type(tmp_path: Path, atype: str, lists: bool,
                             counts: tuple[str, str, str], adoption: str,
                             tally: tuple) -> None:
    o = _obj("A/RES/73/1", adoption_type=atype, MS_in_favour_count=counts[0],
             MS_against_count=counts[1], MS_abstaining_count=counts[2])
    if not lists:
        o.update(MS_in_favour=[], MS_against=[])
    sd = parse_unxml(_jsonl(tmp_path / "x.json", [o]))
    r = sd.resolutions.iloc[0]
    assert r["adoption"] == adoption
    got = tuple(None if pd.isna(r[c]) else int(r[c]) for c in ("yes", "no", "abstain"))
    assert got == tally
    assert len(sd.votes) == (2 if lists else 0)


# -- UNDL: every error and note, word for word ----------------------------------------------------
def _plain(rec: dict) -> dict:
    return {k: (None if not isinstance(v, str | list) and pd.isna(v) else v)
            for k, v in rec.items()}


D = "1990-03-04"
UNDL_ERRORS = [  # (rows of a GA file, row, field, message after "field '...': ")
    ([_ga_row("1", "FRA", "Y", D), _ga_row("", "GBR", "N", D)], 2, "undl_id",
     "empty value (expected a undl_id on every row)"),
    ([_ga_row("1", "FRA", "Y", D), _ga_row("1", "GBR", "Q", D)], 2, "ms_vote",
     "unknown vote code 'Q' (expected Y, N, A or X)"),
    ([_ga_row("1", "FRA", "Y", D), _ga_row("1", "GBR", "N", "3 March 1990")], 2, "date",
     "unparseable date '3 March 1990' (expected YYYY-MM-DD)"),
    ([_ga_row("1", "FRA", "Y", D), _ga_row("1", "GBR", "N", D, total_yes="2")], 2, "total_yes",
     "record 1 has total_yes '2' here but '1' on row 1 (expected the same value on every row "
     "of one record (undl_id))"),
    ([_ga_row("1", "FRA", "Y", D), _ga_row("1", "QQQ", "N", D)], 2, "ms_code",
     "ms_code 'QQQ' is not a known state code and ms_name is empty (expected an ISO 3166 "
     "alpha-3 code, or an ms_name comity knows)"),
    ([_ga_row("1", "FRA", "Y", D), _ga_row("1", "QQQ", "N", D, ms_name="NOWHERE")], 2,
     "ms_code", "state with ms_code 'QQQ' and ms_name 'NOWHERE' is unknown (neither the code "
     "nor the name maps to a state; add it to comity/data/aliases.csv) (expected an ISO 3166 "
     "alpha-3 code or a known state name)"),
]


@pytest.mark.parametrize(("rows", "row", "field", "message"), UNDL_ERRORS)
def test_undl_errors_word_for_word(tmp_path: Path, rows: list[dict], row: int, field: str,
                                   message: str) -> None:
    path = _undl(tmp_path / "ga.csv", GA_COLUMNS, rows)
    with pytest.raises(DataFormatError) as e:
        parse_undl_ga(path)
    assert (e.value.row, e.value.field) == (row, field)
    assert str(e.value) == f"{path}, row {row}, field '{field}': {message}"


def test_undl_sc_bad_permanent_member_word_for_word(tmp_path: Path) -> None:
    path = _undl(tmp_path / "sc.csv", SC_COLUMNS,
                 [_sc_row("9", "FRA", "True", D), _sc_row("9", "GBR", "maybe", D)])
    with pytest.raises(DataFormatError) as e:
        parse_undl_sc(path)
    assert str(e.value) == (f"{path}, row 2, field 'permanent_member': 'maybe' is not "
                            "true/false (expected True or False)")


@pytest.mark.parametrize(("edit", "note"), [
    ({"ms_code": "QQQ", "ms_name": "United Kingdom"},
     [None, "state_code_unknown", "ms_code 'QQQ' unknown; resolved by ms_name 'United Kingdom' "
      "to GBR ({path})"]),
    ({"total_ms": "3"},
     ["1", "total_ms_mismatch", "{path} row 1: total_ms 3 but yes+no+abstentions+non_voting "
      "= 2"]),
    ({"vote_note": "voted in error"}, ["1", "vote_note", "GBR: voted in error"]),
])
def test_undl_notes_word_for_word(tmp_path: Path, edit: dict, note: list) -> None:
    rows = [_ga_row("1", "FRA", "Y", D, total_ms=edit.get("total_ms", "2")),
            _ga_row("1", "GBR", "N", D, **edit)]
    path = _undl(tmp_path / "ga.csv", GA_COLUMNS, rows)
    sd = parse_undl_ga(path)
    assert sd.quality.values.tolist() == [[x if x is None else x.format(path=path)
                                           for x in note]]
    assert sd.votes[["key", "state", "vote", "row"]].values.tolist() == [
        ["1", "FRA", "Y", 1], ["1", "GBR", "N", 2]]


def test_undl_ga_record_every_column(tmp_path: Path) -> None:
    kw = {"session": "ES-10", "resolution": "A/RES/ES-10/2", "draft": "A/ES-10/L.1",
          "committee_report": " ", "meeting": "A/ES-10/PV.5", "agenda_title": "Item 5",
          "subjects": "PEACE | ARMS", "undl_link": "https://x/1", "title": "T\r\nU",
          "total_non_voting": "3", "total_ms": "5"}
    path = _undl(tmp_path / "ga.csv", GA_COLUMNS, [_ga_row("7", "FRA", "Y", D, **kw),
                                                   _ga_row("7", "GBR", "N", D, **kw)])
    sd = parse_undl_ga(path)
    assert (sd.source, sd.lists_only_yna, sd.rows_read) == ("undl_ga", False, 2)
    assert [_plain(r) for r in sd.resolutions.to_dict("records")] == [{
        "key": "7", "body": "GA", "session": 44, "special": "ES-10",
        "date": pd.Timestamp(D), "symbol": "A/RES/ES-10/2", "title": "T\nU",
        "agenda": "Item 5", "subjects": "PEACE; ARMS", "important": None, "amend": False,
        "para": False, "adoption": "recorded", "outcome": "adopted", "yes": 1, "no": 1,
        "abstain": 0, "non_voting": 3, "link": "https://x/1", "draft": "A/ES-10/L.1",
        "committee_report": None, "meeting": "A/ES-10/PV.5", "total_ms": 5,
        "modality": None, "row": 1}]
    assert sd.quality.empty


def test_undl_sc_record_every_column(tmp_path: Path) -> None:
    kw = {"agenda": "Item", "subjects": "A|B", "meeting": "S/PV.1", "draft": "S/1"}
    rows = [{**_sc_row("9", "FRA", "True", D), **kw, "modality": "Adopted without vote"},
            {**_sc_row("9", "CHN", "True", D), **kw, "modality": "Adopted without vote"}]
    path = _undl(tmp_path / "sc.csv", SC_COLUMNS, rows)
    sd = parse_undl_sc(path)
    assert (sd.source, sd.lists_only_yna, sd.rows_read) == ("undl_sc", False, 2)
    assert [_plain(r) for r in sd.resolutions.to_dict("records")] == [{
        "key": "9", "body": "SC", "session": 1990, "special": None, "date": pd.Timestamp(D),
        "symbol": "S/RES/9", "title": "t", "agenda": "Item", "subjects": "A; B",
        "important": None, "amend": False, "para": False, "adoption": "recorded",
        "outcome": "adopted", "yes": 2, "no": 0, "abstain": 0, "non_voting": 0, "link": None,
        "draft": "S/1", "committee_report": None, "meeting": "S/PV.1", "total_ms": 2,
        "modality": "Adopted without vote", "row": 1}]
    assert sd.votes[["state", "vote"]].values.tolist() == [["FRA", "Y"], ["CHN", "Y"]]
    assert sd.quality.values.tolist() == [[
        "9", "adopted_without_vote", "modality 'Adopted without vote': adopted without a vote; "
        "every member recorded as Y by the Library"]]


# -- UNxml: every error and note, word for word ---------------------------------------------------
def _without(obj: dict, key: str) -> dict:
    return {k: v for k, v in obj.items() if k != key}


BASE = _obj("A/RES/73/1")
UNXML_ERRORS = [  # (file text, row, field, message after the location)
    (json.dumps(BASE) + "\n{bad\n", 2, None, "invalid JSON (Expecting property name enclosed in "
     "double quotes at column 2) (expected one JSON object per line)"),
    (json.dumps(BASE) + "\n[1]\n", 2, None,
     "line is not a JSON object (expected one JSON object per line)"),
    (json.dumps(_without(BASE, "title")) + "\n", 1, "title", "required field missing (expected "
     "every object to have symbol, title, adoption_date, MS_in_favour, MS_against, "
     "MS_abstaining)"),
    (json.dumps({**BASE, "MS_against": "SWEDEN"}) + "\n", 1, "MS_against",
     "a string instead of a list (expected a list of state names)"),
    (json.dumps(BASE) + "\n" + json.dumps({**BASE, "symbol": " "}) + "\n", 2, "symbol",
     "empty symbol (expected a resolution symbol such as A/RES/79/1)"),
    (json.dumps({**BASE, "MS_in_favour_count": "ten"}) + "\n", 1, "MS_in_favour_count",
     "'ten' is not a number (expected a whole number from 0 to 250, 'N.A.' or blank)"),
    (json.dumps({**BASE, "adoption_date": "March 4th"}) + "\n", 1, "adoption_date",
     "unparseable date 'March 4th' (expected 'YYYY-MM-DD HH:MM:SS' or 'D Month YYYY')"),
    (json.dumps({**BASE, "MS_against": ["FRANCE"]}) + "\n", 1, "MS_against",
     "'FRANCE' is listed both as Y and N (expected each state in at most one list)"),
    (json.dumps({**BASE, "MS_against": ["France"]}) + "\n", 1, "MS_in_favour",
     "state FRA listed with two different votes on A/RES/73/1 (expected each state in at "
     "most one list)"),
]


@pytest.mark.parametrize(("text", "row", "field", "message"), UNXML_ERRORS)
def test_unxml_errors_word_for_word(tmp_path: Path, text: str, row: int, field: str | None,
                                    message: str) -> None:
    path = tmp_path / "x.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataFormatError) as e:
        parse_unxml(path)
    where = f"{path}, row {row}" + (f", field '{field}'" if field else "")
    assert (e.value.row, e.value.field) == (row, field)
    assert str(e.value) == f"{where}: {message}"


@pytest.mark.parametrize(("lists", "note"), [
    ({"MS_in_favour": ["FRANCE", "FRANCE"]},
     "{path} line 1: 1 name(s) repeated in MS_in_favour; kept once"),
    ({"MS_in_favour": ["FRANCE", "France"]},
     "{path}: spellings FRANCE, France name the same state; kept once"),
    ({"MS_in_favour": ["FRANCE", " France "]},  # names are trimmed before they are compared
     "{path}: spellings FRANCE, France name the same state; kept once"),
    ({"MS_in_favour": ["FRANCE", " FRANCE "]},
     "{path}: spellings FRANCE name the same state; kept once"),
])
def test_unxml_repeated_names_are_noted(tmp_path: Path, lists: dict, note: str) -> None:
    path = _jsonl(tmp_path / "x.json", [{**BASE, **lists}])
    sd = parse_unxml(path)
    assert sd.quality.values.tolist() == [["A/RES/73/1", "duplicate_listing",
                                           note.format(path=path)]]
    assert sd.votes[["state", "vote", "row"]].values.tolist() == [["FRA", "Y", 1],
                                                                  ["SWE", "N", 1]]


def test_unxml_record_every_column(tmp_path: Path) -> None:
    path = _jsonl(tmp_path / "x.json", [
        {**BASE, "agenda_item_name": "", "agenda_item": "Item 7",
         "subjects": [["A", "UNBIS"], ["C", "UNBIS"]]},
        {**_obj("A/RES/ES-10/3", adoption_date="1 December 2020", adoption_type=""),
         "agenda_item_name": "Name", "agenda_item": "Item 8", "MS_abstaining": ["CHINA"],
         "MS_abstaining_count": "1"}])
    sd = parse_unxml(path)
    assert (sd.source, sd.lists_only_yna, sd.rows_read) == ("unxml", True, 2)
    common = {"body": "GA", "title": "A test", "important": None, "amend": False,
              "para": False, "adoption": "recorded", "outcome": "adopted", "yes": 1, "no": 1,
              "non_voting": None, "link": None, "draft": None, "committee_report": None,
              "meeting": None, "total_ms": None, "modality": None}
    assert [_plain(r) for r in sd.resolutions.to_dict("records")] == [
        {**common, "key": "A/RES/73/1", "session": 73, "special": None,
         "date": pd.Timestamp("2019-10-10"), "symbol": "A/RES/73/1", "agenda": "Item 7",
         "subjects": "A; C", "abstain": 0, "row": 1},
        {**common, "key": "A/RES/ES-10/3", "session": 75, "special": "ES-10",
         "date": pd.Timestamp("2020-12-01"), "symbol": "A/RES/ES-10/3", "agenda": "Name",
         "subjects": None, "abstain": 1, "row": 2}]
    assert sd.votes[["key", "state", "vote", "row"]].values.tolist() == [
        ["A/RES/73/1", "FRA", "Y", 1], ["A/RES/73/1", "SWE", "N", 1],
        ["A/RES/ES-10/3", "FRA", "Y", 2], ["A/RES/ES-10/3", "SWE", "N", 2],
        ["A/RES/ES-10/3", "CHN", "A", 2]]


def test_undl_padded_headers_and_an_error(tmp_path: Path) -> None:
    """Header names with spaces around them are the official names; an error in such a file
    is still reported at its row and field."""
    cols = [f" {c} " for c in GA_COLUMNS]

    def padded(r: dict) -> dict:
        return {f" {k} ": v for k, v in r.items()}

    good = [padded(_ga_row("1", "FRA", "Y", D)), padded(_ga_row("1", "GBR", "N", D))]
    sd = parse_undl_ga(_undl(tmp_path / "ok.csv", cols, good))
    assert sd.votes[["key", "state", "vote"]].values.tolist() == [["1", "FRA", "Y"],
                                                                  ["1", "GBR", "N"]]
    bad = [*good, padded(_ga_row("1", "SWE", "Q", D))]
    path = _undl(tmp_path / "bad.csv", cols, bad)
    with pytest.raises(DataFormatError) as e:
        parse_undl_ga(path)
    assert str(e.value) == (f"{path}, row 3, field 'ms_vote': unknown vote code 'Q' "
                            "(expected Y, N, A or X)")


def test_undl_special_session_from_the_symbol(tmp_path: Path) -> None:
    """The symbol names the emergency session even when ``session`` holds a number; a
    padded ``undl_id`` is the same record."""
    kw = {"session": "55", "resolution": "A/RES/ES-10/7"}
    path = _undl(tmp_path / "ga.csv", GA_COLUMNS, [_ga_row("1", "FRA", "Y", D, **kw),
                                                   _ga_row(" 1 ", "GBR", "N", D, **kw)])
    sd = parse_undl_ga(path)
    r = sd.resolutions
    assert r[["key", "session", "special", "symbol"]].values.tolist() == [
        ["1", 55, "ES-10", "A/RES/ES-10/7"]]
    assert sd.votes[["key", "state"]].astype(str).values.tolist() == [["1", "FRA"],
                                                                      ["1", "GBR"]]


def test_undl_first_unknown_code_without_a_name_is_named(tmp_path: Path) -> None:
    rows = [_ga_row("1", "FRA", "Y", D), _ga_row("1", "QQQ", "N", D, ms_name="United Kingdom"),
            _ga_row("1", "ZZZ", "A", D)]
    path = _undl(tmp_path / "ga.csv", GA_COLUMNS, rows)
    with pytest.raises(DataFormatError) as e:
        parse_undl_ga(path)
    assert (e.value.row, e.value.field) == (3, "ms_code")
    assert "ms_code 'ZZZ' is not a known state code and ms_name is empty" in str(e.value)


def test_unxml_padded_names_and_bad_bytes(tmp_path: Path) -> None:
    path = _jsonl(tmp_path / "x.json", [{**BASE, "MS_in_favour": [" FRANCE "],
                                         "MS_against": [" SWEDEN"]}])
    sd = parse_unxml(path)
    assert sd.votes[["state", "vote", "row"]].values.tolist() == [["FRA", "Y", 1],
                                                                  ["SWE", "N", 1]]
    assert sd.quality.empty
    bad = tmp_path / "b.json"
    bad.write_bytes(b'{"symbol": "\xff"}\n')
    with pytest.raises(DataFormatError) as e:
        parse_unxml(bad)
    assert str(e.value) == (f"{bad}, row 1: invalid UTF-8 byte b'\\xff' at line 1 (wrong "
                            "encoding?) (expected UTF-8 text)")


# -- UNxml limits: one below, at and one above -----------------------------------------------------
@pytest.mark.parametrize(("edit", "field", "message"), [
    ({"symbol": "A/RES/73/1" + "X" * 91}, "symbol",
     "a text of 101 characters (expected a resolution symbol such as A/RES/79/1)"),
    ({"MS_in_favour_count": "N.A.", "MS_against_count": "x"}, "MS_against_count",
     "'x' is not a number (expected a whole number from 0 to 250, 'N.A.' or blank)"),
    ({"MS_in_favour_count": None, "MS_against_count": "x"}, "MS_against_count",
     "'x' is not a number (expected a whole number from 0 to 250, 'N.A.' or blank)"),
    ({"MS_in_favour": ["F" * 201]}, "MS_in_favour",
     "a name of 201 characters (expected a list of state names)"),
])
def test_unxml_limits(tmp_path: Path, edit: dict, field: str, message: str) -> None:
    path = _jsonl(tmp_path / "x.json", [_obj("A/RES/73/1"), {**_obj("A/RES/73/2"), **edit}])
    with pytest.raises(DataFormatError) as e:
        parse_unxml(path)
    assert (e.value.row, e.value.field) == (2, field)
    assert str(e.value) == f"{path}, row 2, field '{field}': {message}"


def test_unxml_limits_at_the_edge(tmp_path: Path) -> None:
    sym = "A/RES/73/1" + "X" * 90  # 100 characters: accepted
    sd = parse_unxml(_jsonl(tmp_path / "x.json", [{**_obj("A/RES/73/1"), "symbol": sym}]))
    assert sd.resolutions["symbol"].tolist() == [sym]
    with pytest.raises(UnknownStateError):  # 200 characters: read, then not a known state
        parse_unxml(_jsonl(tmp_path / "y.json", [{**_obj("A/RES/73/1"),
                                                  "MS_in_favour": ["F" * 200]}]))


def test_unxml_without_a_vote_despite_totals(tmp_path: Path) -> None:
    """The adoption type decides: 'Without a vote' with totals is not a recorded vote."""
    o = {**_obj("A/RES/73/1"), "adoption_type": "Without a vote", "MS_in_favour": [],
         "MS_against": [], "MS_in_favour_count": "3"}
    sd = parse_unxml(_jsonl(tmp_path / "x.json", [o]))
    assert sd.resolutions[["adoption", "yes", "no", "abstain"]].values.tolist() == [
        ["without_vote", 3, 1, 0]]
    assert sd.votes.empty


# --- a whole-file CSV read stops at the first row with the wrong number of fields ------------
_VHEAD = "rcid,session,vote,ccode,member,importantvote,date,unres,me,nu,di,hr,co,ec,year\n"
_VROW = "1,50,1,2,1,0,1995-12-12,R/50/1,0,0,0,1,0,0,1995\n"


@pytest.mark.parametrize("good_before", [0, 10, 120_000])  # 120,000 rows: past the 4 MiB block
def test_first_malformed_row_is_named_exactly_across_blocks(tmp_path: Path,
                                                            good_before: int) -> None:
    from comity.ingest.sources.voeten import parse_voeten2016

    # the first bad row, then 5 MiB of good rows and more bad rows in later blocks (parsed
    # in other threads, perhaps first)
    body = _VROW * good_before + "x,y\n" + (_VROW * 60_000 + "junk\n") * 2
    path = tmp_path / "voeten.csv"
    path.write_text(_VHEAD + body)
    with pytest.raises(DataFormatError) as e:
        parse_voeten2016(path)
    assert (e.value.row, e.value.field) == (good_before + 1, None)
    assert str(e.value) == (f"{path}, row {good_before + 1}: row has 2 fields ('x,y') "
                            "(truncated file?) (expected 15 comma-separated fields per row)")


def test_malformed_row_stops_the_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Junk under a valid header is refused at its first row: the reader is not asked about
    each of the 200,000 junk rows (it was, and a 1 GB junk file took 3 minutes)."""
    import pyarrow.csv as pacsv

    from comity.ingest.sources.voeten import parse_voeten2016

    seen: list[int] = []
    real = pacsv.ParseOptions

    def counting(**kw):
        handler = kw.get("invalid_row_handler")
        if handler is not None:
            def wrapped(row):
                seen.append(1)
                return handler(row)
            kw["invalid_row_handler"] = wrapped
        return real(**kw)

    monkeypatch.setattr(pacsv, "ParseOptions", counting)
    path = tmp_path / "voeten.csv"
    path.write_text(_VHEAD + _VROW * 10 + "x" * 40 + "\n" * 1 + ("x" * 40 + "\n") * 200_000)
    with pytest.raises(DataFormatError, match=r"row 11: row has 1 fields"):
        parse_voeten2016(path)
    assert 1 <= len(seen) <= 16  # one per block at most, not one per junk row


@pytest.mark.parametrize("good_before", [0, 10, 120_000])  # 120,000 rows: past the 4 MiB block
def test_first_bad_number_is_named_exactly_across_blocks(tmp_path: Path,
                                                         good_before: int) -> None:
    from comity.ingest.sources.voeten import parse_voeten2016

    bad = _VROW.replace("1,50,", "x1,50,", 1)
    body = _VROW * good_before + bad + _VROW * 60_000 + bad.replace("x1", "y1")
    path = tmp_path / "voeten.csv"
    path.write_text(_VHEAD + body)
    with pytest.raises(DataFormatError) as e:
        parse_voeten2016(path)
    assert str(e.value) == (f"{path}, row {good_before + 1}, field 'rcid': 'x1' is not a "
                            "number (expected an integer)")


def test_bad_number_after_a_malformed_row_names_the_malformed_row(tmp_path: Path) -> None:
    from comity.ingest.sources.voeten import parse_voeten2016

    path = tmp_path / "voeten.csv"
    path.write_text(_VHEAD + _VROW * 5 + "1,2\n" + _VROW.replace("1,50,", "x,50,", 1))
    with pytest.raises(DataFormatError, match=r"row 6: row has 2 fields"):
        parse_voeten2016(path)
