"""The UNxml parser (``comity.ingest.sources.unxml``) on hand-written files (issue 21): every
error word for word (file, line, field, what was expected), every limit on both sides, the
resolution rows and the tallies, repeated objects and the sponsor lists (``sponsors`` and
``additional_sponsors``): each repair of a damaged name, each note, the dated resolution of a
name, duplicates. Each expected value is written out by hand.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from comity.errors import DataFormatError, UnknownStateError
from comity.ingest.sources.unxml import parse_unxml


def _obj(symbol: str = "A/RES/74/1", **kw: Any) -> dict[str, Any]:
    """A recorded vote of 2019: FRANCE yes, SWEDEN no."""
    return {"symbol": symbol, "title": "A test", "adoption_date": "2019-10-10 00:00:00",
            "adoption_type": "By a recorded vote", "MS_in_favour_count": "1",
            "MS_against_count": "1", "MS_abstaining_count": "0",
            "MS_in_favour": ["FRANCE"], "MS_against": ["SWEDEN"], "MS_abstaining": [], **kw}


def _write(tmp_path: Path, objs: list[dict[str, Any]], name: str = "x.json") -> Path:
    path = tmp_path / name
    path.write_text("".join(json.dumps(o) + "\n" for o in objs), encoding="utf-8")
    return path


def _text(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "x.json"
    path.write_text(text, encoding="utf-8")
    return path


def _error(path: Path) -> DataFormatError:
    with pytest.raises(DataFormatError) as e:
        parse_unxml(path)
    return e.value


def _plain(v: Any) -> Any:
    return None if not isinstance(v, str | list) and pd.isna(v) else v


# -- every error of the reader and of the object check, word for word -----------------------------
COUNT = "a whole number from 0 to 250, 'N.A.' or blank"
DATE = "'YYYY-MM-DD HH:MM:SS' or 'D Month YYYY'"
SYMBOL = "a resolution symbol such as A/RES/79/1"
SESSION = "a session such as 'Seventy-ninth session' or 79"
TEXT = "a text (or null)"
NAMES = "a list of state names"
SPONSORS = "a list of sponsor names (or null)"

# (edit of line 2, field, message before " (expected ...)", expected)
OBJECT_ERRORS: list[tuple[dict[str, Any], str, str, str]] = [
    ({"symbol": 7}, "symbol", "a number instead of a string", SYMBOL),
    ({"symbol": None}, "symbol", "null instead of a string", SYMBOL),
    ({"symbol": True}, "symbol", "a boolean instead of a string", SYMBOL),
    ({"symbol": "A" * 101}, "symbol", "a text of 101 characters", SYMBOL),
    ({"title": 1.5}, "title", "a number instead of a string", TEXT),
    ({"adoption_type": ["x"]}, "adoption_type", "a list instead of a string", TEXT),
    ({"agenda_item": {"a": 1}}, "agenda_item", "an object instead of a string", TEXT),
    ({"agenda_item_name": False}, "agenda_item_name", "a boolean instead of a string", TEXT),
    ({"session": True}, "session", "a boolean instead of a session", SESSION),
    ({"session": 74.0}, "session", "a number instead of a session", SESSION),
    ({"session": {"n": 74}}, "session", "an object instead of a session", SESSION),
    ({"session": 0}, "session", "session 0 is out of range", "a session number from 1 to 200"),
    ({"session": 201}, "session", "session 201 is out of range",
     "a session number from 1 to 200"),
    ({"session": " +201 "}, "session", "session 201 is out of range",
     "a session number from 1 to 200"),
    ({"session": "0"}, "session", "session 0 is out of range", "a session number from 1 to 200"),
    ({"adoption_date": None}, "adoption_date", "null instead of a date", DATE),
    ({"adoption_date": ["2019-10-10"]}, "adoption_date", "a list instead of a date", DATE),
    ({"adoption_date": "10/10/2019"}, "adoption_date", "unparseable date '10/10/2019'", DATE),
    ({"adoption_date": "x" * 50}, "adoption_date", f"unparseable date {'x' * 40!r}", DATE),
    ({"adoption_date": "1945-10-23"}, "adoption_date", "impossible date 1945-10-23",
     "a date between 1945-10-24 and today"),
    ({"adoption_date": "1 January 2999"}, "adoption_date", "impossible date 2999-01-01",
     "a date between 1945-10-24 and today"),
    ({"MS_in_favour_count": 1.0}, "MS_in_favour_count", "a number instead of a count", COUNT),
    ({"MS_against_count": False}, "MS_against_count", "a boolean instead of a count", COUNT),
    ({"MS_abstaining_count": [1]}, "MS_abstaining_count", "a list instead of a count", COUNT),
    ({"MS_against_count": "1.5"}, "MS_against_count", "'1.5' is not a number", COUNT),
    ({"MS_against_count": " " + "y" * 50}, "MS_against_count", f"{'y' * 40!r} is not a number",
     COUNT),
    ({"MS_in_favour_count": "251"}, "MS_in_favour_count", "count 251 is out of range", COUNT),
    ({"MS_in_favour_count": 251}, "MS_in_favour_count", "count 251 is out of range", COUNT),
    ({"MS_in_favour_count": "-1"}, "MS_in_favour_count", "count -1 is out of range", COUNT),
    ({"MS_in_favour_count": "0000001"}, "MS_in_favour_count", "count 0000001 is out of range",
     COUNT),
    ({"MS_in_favour_count": "9" * 50}, "MS_in_favour_count", f"count {'9' * 40} is out of range",
     COUNT),
    ({"MS_in_favour": None}, "MS_in_favour", "null instead of a list", NAMES),
    ({"MS_against": ["SWEDEN", 3]}, "MS_against", "a number in the list", NAMES),
    ({"MS_abstaining": ["C" * 201]}, "MS_abstaining", "a name of 201 characters", NAMES),
    ({"sponsors": "FRANCE"}, "sponsors", "a string instead of a list", SPONSORS),
    ({"sponsors": ["FRANCE", None]}, "sponsors", "null in the list", SPONSORS),
    ({"additional_sponsors": ["S" * 2001]}, "additional_sponsors", "a name of 2001 characters",
     SPONSORS),
    ({"subjects": "PEACE"}, "subjects", "a string instead of a list", "a list of subject terms"),
    ({"subjects": ["PEACE", 4]}, "subjects", "a number in the list",
     "subject terms as strings or lists of strings"),
    ({"subjects": [["PEACE", 4]]}, "subjects", "a list in the list",
     "subject terms as strings or lists of strings"),
]


@pytest.mark.parametrize(("edit", "field", "message", "expected"), OBJECT_ERRORS,
                         ids=[f"{c[1]}-{i}" for i, c in enumerate(OBJECT_ERRORS)])
def test_object_errors_word_for_word(tmp_path: Path, edit: dict, field: str, message: str,
                                     expected: str) -> None:
    path = _write(tmp_path, [_obj("A/RES/74/1"), {**_obj("A/RES/74/2"), **edit}])
    e = _error(path)
    assert (e.file, e.row, e.field, e.expected) == (str(path), 2, field, expected)
    assert str(e) == f"{path}, row 2, field '{field}': {message} (expected {expected})"


def test_limits_accepted_on_their_edge(tmp_path: Path) -> None:
    """One step inside every limit of the object check is read."""
    edits = [{"symbol": "A/RES/74/1" + "X" * 90}, {"session": 1}, {"session": 200},
             {"session": " 200 "}, {"session": "Seventy-fourth session"},
             {"adoption_date": "1945-10-24"}, {"MS_in_favour_count": "250"},
             {"MS_in_favour_count": 250}, {"MS_in_favour_count": "000250"},
             {"MS_in_favour_count": " NA "}, {"MS_abstaining": ["C" * 200]},
             {"sponsors": ["S" * 2000]}, {"sponsors": None, "additional_sponsors": None},
             {"subjects": None}, {"subjects": [["A", "B"], "C", []]}, {"title": None}]
    for i, edit in enumerate(edits):
        obj = {**_obj(f"A/RES/74/{i + 1}"), **edit}
        if "C" * 200 in obj["MS_abstaining"]:
            continue  # read by the check, then not a known state (below)
        sd = parse_unxml(_write(tmp_path, [obj], f"ok{i}.json"))
        assert len(sd.resolutions) == 1, edit
    with pytest.raises(UnknownStateError) as e:
        parse_unxml(_write(tmp_path, [_obj(MS_abstaining=["C" * 200])]))
    assert e.value.spellings == ["C" * 200]


@pytest.mark.parametrize(("text", "row", "field", "message"), [
    ('{"symbol": \n', 1, None, "invalid JSON (Expecting value at column 12) "
     "(expected one JSON object per line)"),
    ("\n\n" + json.dumps(_obj()) + "\n[1, 2]\n", 4, None,
     "line is not a JSON object (expected one JSON object per line)"),
    ('"A/RES/74/1"\n', 1, None, "line is not a JSON object (expected one JSON object per line)"),
    ("[" * 100_000 + "]" * 100_000 + "\n", 1, None, "JSON nested too deeply to read (expected "
     "one JSON object per line, its values texts, numbers or lists of texts)"),
    ('{"subjects": ' + "[" * 100_000 + "]" * 100_000 + "}\n", 1, "subjects",
     "JSON nested too deeply to read (expected one JSON object per line, its values texts, "
     "numbers or lists of texts)"),
    (json.dumps({k: v for k, v in _obj().items() if k != "MS_abstaining"}) + "\n", 1,
     "MS_abstaining", "required field missing (expected every object to have symbol, title, "
     "adoption_date, MS_in_favour, MS_against, MS_abstaining)"),
    (json.dumps({k: v for k, v in _obj().items() if k not in ("symbol", "MS_against")}), 1,
     "symbol", "required field missing (expected every object to have symbol, title, "
     "adoption_date, MS_in_favour, MS_against, MS_abstaining)"),
    (json.dumps(_obj()) + "\n" + json.dumps(_obj(" \t")) + "\n", 2, "symbol",
     "empty symbol (expected a resolution symbol such as A/RES/79/1)"),
    (json.dumps(_obj(MS_abstaining=["SWEDEN"])) + "\n", 1, "MS_abstaining",
     "'SWEDEN' is listed both as N and A (expected each state in at most one list)"),
    (json.dumps(_obj(MS_against=["Sweden", "CHINA"], MS_abstaining=["FRANCE", "CHINA"])), 1,
     "MS_abstaining", "'CHINA' is listed both as N and A (expected each state in at most one "
     "list)"),
    (json.dumps(_obj(MS_abstaining=["Sweden"])) + "\n", 1, "MS_in_favour",
     "state SWE listed with two different votes on A/RES/74/1 (expected each state in at most "
     "one list)"),
])
def test_reader_errors_word_for_word(tmp_path: Path, text: str, row: int, field: str | None,
                                     message: str) -> None:
    path = _text(tmp_path, text)
    e = _error(path)
    assert (e.file, e.row, e.field) == (str(path), row, field)
    where = f"{path}, row {row}" + (f", field '{field}'" if field else "")
    assert str(e) == f"{where}: {message}"


def test_a_file_without_resolutions(tmp_path: Path) -> None:
    # blank lines only (a no-break space is blank to the reader, not to the empty-file check)
    path = _text(tmp_path, "\n\u00a0\n \u3000\t\n")
    e = _error(path)
    assert (e.file, e.row, e.field) == (str(path), None, None)
    assert str(e) == (f"{path}: no resolutions in file (expected JSON Lines with one "
                      "resolution per line)")


def test_repeat_with_another_vote_names_the_fields(tmp_path: Path) -> None:
    path = _write(tmp_path, [_obj(), _obj("A/RES/74/2"),
                             _obj(" a/res/74/1", MS_against=[], MS_abstaining=["SWEDEN"],
                                  MS_abstaining_count="1")])
    e = _error(path)
    assert (e.row, e.field) == (3, "MS_abstaining_count")
    assert str(e) == (f"{path}, row 3, field 'MS_abstaining_count': A/RES/74/1 appears again "
                      "with a different vote (first at line 1; differs in "
                      "MS_abstaining_count, MS_against, MS_abstaining) (expected repeated "
                      "resolutions to record the same vote)")


def test_an_unknown_name_is_reported_before_any_other_error(tmp_path: Path) -> None:
    # line 2 has an empty symbol, line 3 an unknown state: the unknown name is the error
    path = _write(tmp_path, [_obj(), _obj(" "), _obj("A/RES/74/3", MS_against=["ATLANTIS"])])
    with pytest.raises(UnknownStateError) as e:
        parse_unxml(path)
    assert e.value.spellings == ["ATLANTIS"]
    assert e.value.file == str(path)
    # alone, it is reported with the line it is on
    path = _write(tmp_path, [_obj(), _obj("A/RES/74/3", MS_against=[" ATLANTIS "])], "y.json")
    with pytest.raises(UnknownStateError) as e:
        parse_unxml(path)
    assert e.value.spellings == ["ATLANTIS"]
    assert str(e.value) == (f"{path}: 1 unknown state spelling(s) of kind 'name': 'ATLANTIS' "
                            "(row 1); add them to comity/data/aliases.csv")


# -- resolutions: every column and the tallies ----------------------------------------------------
RES_COLS = ["key", "symbol", "session", "special", "date", "title", "agenda", "subjects",
            "adoption", "yes", "no", "abstain", "row"]


def test_resolution_rows(tmp_path: Path) -> None:
    objs = [
        _obj("A/RES/74/1", subjects=[["PEACE", "UNBIS"], "WAR", [], "", ["ARMS"]],
             agenda_item="Item 1", agenda_item_name="The item"),
        _obj("A/RES/ES-11/1", adoption_date="2\u00a0March 2022", title="", agenda_item="Item 2",
             agenda_item_name=None, MS_in_favour_count=" 3 ", MS_against_count=2,
             MS_abstaining_count=" N.A. ", MS_abstaining=[], subjects=[[], ""]),
        _obj("r/74/3", adoption_type="Without a vote", MS_in_favour=[], MS_against=[],
             MS_in_favour_count="N.A.", MS_against_count="", MS_abstaining_count=None,
             subjects=[]),
        _obj("A/RES/S-32/1", adoption_date="2023-06-01", adoption_type=" ",
             MS_in_favour=[], MS_against=[], MS_in_favour_count="5",
             MS_against_count="N.A.", MS_abstaining_count=""),
        _obj("A/RES/74/5", adoption_type=None, MS_in_favour_count="NA",
             MS_against_count="NA", MS_abstaining_count="NA"),
    ]
    sd = parse_unxml(_write(tmp_path, objs))
    got = [[_plain(v) for v in r] for r in sd.resolutions[RES_COLS].values.tolist()]
    assert got == [
        ["A/RES/74/1", "A/RES/74/1", 74, None, pd.Timestamp("2019-10-10"), "A test",
         "The item", "PEACE; WAR; ARMS", "recorded", 1, 1, 0, 1],
        ["A/RES/ES-11/1", "A/RES/ES-11/1", 76, "ES-11", pd.Timestamp("2022-03-02"), None,
         "Item 2", None, "recorded", 3, 2, 0, 2],
        ["A/RES/74/3", "A/RES/74/3", 74, None, pd.Timestamp("2019-10-10"), "A test", None,
         None, "without_vote", None, None, None, 3],
        ["A/RES/S-32/1", "A/RES/S-32/1", 77, "S-32", pd.Timestamp("2023-06-01"), "A test",
         None, None, "recorded", 5, 0, 0, 4],
        ["A/RES/74/5", "A/RES/74/5", 74, None, pd.Timestamp("2019-10-10"), "A test", None,
         None, "recorded", None, None, None, 5],
    ]
    assert sd.votes[["key", "state", "vote", "row"]].values.tolist() == [
        ["A/RES/74/1", "FRA", "Y", 1], ["A/RES/74/1", "SWE", "N", 1],
        ["A/RES/ES-11/1", "FRA", "Y", 2], ["A/RES/ES-11/1", "SWE", "N", 2],
        ["A/RES/74/5", "FRA", "Y", 5], ["A/RES/74/5", "SWE", "N", 5]]
    assert (sd.source, sd.lists_only_yna, sd.rows_read) == ("unxml", True, 5)
    assert sd.quality.empty and sd.sponsors.empty


def test_votes_are_resolved_with_the_date(tmp_path: Path) -> None:
    """CHINA is the Republic of China before 1971-10-25; USSR is the Russian Federation from
    1991-12-24; lines, lists and order are kept."""
    objs = [
        _obj("A/RES/2758(XXVI)", adoption_date="25 October 1971", MS_in_favour=["CHINA"],
             MS_against=["SWEDEN"], MS_abstaining=["USSR"]),
        _obj("A/RES/26/1", adoption_date="1971-10-24", MS_in_favour=["CHINA", "FRANCE"],
             MS_against=[], MS_abstaining=["USSR"]),
        _obj("A/RES/46/1", adoption_date="1991-12-24", MS_in_favour=["USSR"],
             MS_against=["CHINA"], MS_abstaining=[]),
    ]
    sd = parse_unxml(_write(tmp_path, objs))
    assert sd.votes[["key", "state", "vote", "row"]].values.tolist() == [
        ["A/RES/2758(XXVI)", "CHN", "Y", 1], ["A/RES/2758(XXVI)", "SWE", "N", 1],
        ["A/RES/2758(XXVI)", "SUN", "A", 1],
        ["A/RES/26/1", "TWN", "Y", 2], ["A/RES/26/1", "FRA", "Y", 2],
        ["A/RES/26/1", "SUN", "A", 2],
        ["A/RES/46/1", "RUS", "Y", 3], ["A/RES/46/1", "CHN", "N", 3]]
    assert [str(t) for t in sd.votes.dtypes] == ["str", "str", "str", "int64"]
    # the same names under two spellings take the general path: same rows, one note
    objs[2]["MS_in_favour"] = ["USSR", "Union of Soviet Socialist Republics"]
    path = _write(tmp_path, objs, "y.json")
    sd = parse_unxml(path)
    assert sd.votes[["key", "state", "vote", "row"]].values.tolist()[-2:] == [
        ["A/RES/46/1", "RUS", "Y", 3], ["A/RES/46/1", "CHN", "N", 3]]
    assert sd.quality.values.tolist() == [[
        "A/RES/46/1", "duplicate_listing",
        f"{path}: spellings USSR, Union of Soviet Socialist Republics name the same state; "
        "kept once"]]
    assert sd.votes["row"].dtype == np.int64


# -- repeated objects ------------------------------------------------------------------------------
def test_repeat_under_another_spelling_is_the_same_vote(tmp_path: Path) -> None:
    """The lists of a repeated object are compared as states (spelling and order aside)."""
    first = _obj(sponsors=["FRANCE"], subjects=["N.A."], MS_against=["SWEDEN", "CHINA"],
                 MS_abstaining=["CHILE", "GERMANY"])
    again = _obj("a/res/74/1", MS_in_favour=[" France "], sponsors=[], agenda_item="",
                 MS_against=["China", "SWEDEN"], MS_abstaining=["Germany", "Chile"])
    path = _write(tmp_path, [first, _obj("A/RES/74/2"), again])
    sd = parse_unxml(path)
    assert sd.resolutions[["key", "row"]].values.tolist() == [["A/RES/74/1", 1],
                                                              ["A/RES/74/2", 2]]
    assert sd.quality.values.tolist() == [[
        "A/RES/74/1", "duplicate_record",
        f"{path}: line 3 repeats line 1 (metadata differs: MS_abstaining, MS_against, "
        "MS_in_favour, agenda_item, sponsors, subjects, symbol; kept the fuller one)"]]
    assert sd.sponsors.values.tolist() == [["A/RES/74/1", "FRA", "sponsor", 1]]
    assert sd.votes[["key", "state", "vote"]].values.tolist()[:5] == [
        ["A/RES/74/1", "FRA", "Y"], ["A/RES/74/1", "SWE", "N"], ["A/RES/74/1", "CHN", "N"],
        ["A/RES/74/1", "CHL", "A"], ["A/RES/74/1", "DEU", "A"]]


def test_repeat_with_more_filled_fields_wins(tmp_path: Path) -> None:
    """Blank, "N.A." and empty-list values are not filled; on a tie the first copy stays."""
    sparse = _obj(agenda_item="N.A.", subjects=[], title="")
    full = _obj(agenda_item="Item 9", sponsors=["SWEDEN"], title="")
    path = _write(tmp_path, [sparse, full, sparse])
    sd = parse_unxml(path)
    assert sd.resolutions[["agenda", "row"]].values.tolist() == [["Item 9", 2]]
    assert sd.sponsors.values.tolist() == [["A/RES/74/1", "SWE", "sponsor", 2]]
    assert sd.quality["detail"].tolist() == [
        f"{path}: line 2 repeats line 1 (metadata differs: agenda_item, sponsors, subjects; "
        "kept the fuller one)",
        f"{path}: line 3 repeats line 2 (metadata differs: agenda_item, sponsors, subjects; "
        "kept the fuller one)"]
    tie = [_obj(agenda_item="Item 1"), _obj(agenda_item="Item 2")]
    sd = parse_unxml(_write(tmp_path, tie, "y.json"))
    assert sd.resolutions[["agenda", "row"]].values.tolist() == [["Item 1", 1]]
    one_more = [_obj(agenda_item="Item 1"), _obj(agenda_item="Item 2", sponsors=["CHILE"])]
    sd = parse_unxml(_write(tmp_path, one_more, "z.json"))
    assert sd.resolutions[["agenda", "row"]].values.tolist() == [["Item 2", 2]]
    na = [_obj(agenda_item="N.A."), _obj(sponsors=["CHILE"])]  # "N.A." is not filled
    sd = parse_unxml(_write(tmp_path, na, "n.json"))
    assert sd.resolutions["row"].tolist() == [2]
    assert sd.sponsors.values.tolist() == [["A/RES/74/1", "CHL", "sponsor", 2]]


# -- sponsors -------------------------------------------------------------------------------------
def _sponsors(tmp_path: Path, entries: list[str], field: str = "sponsors",
              **kw: Any) -> tuple[Path, Any]:
    objs = [_obj("A/RES/74/1"), _obj("A/RES/74/2", **{field: entries}, **kw)]
    path = _write(tmp_path, objs)
    return path, parse_unxml(path)


REPAIRS = [  # (entry, states, how it is read)
    ("CHILE, FRANCE", ["CHL", "FRA"], "'CHILE' + 'FRANCE'"),
    ("CHILE; FRANCE.", ["CHL", "FRA"], "'CHILE' + 'FRANCE'"),
    ("TRINIDAD AND TOBAGO AND URUGUAY", ["TTO", "URY"], "'TRINIDAD and TOBAGO' + 'URUGUAY'"),
    ("SERBIA AND MONTENEGRO AND FRANCE", ["SCG", "FRA"],
     "'SERBIA and MONTENEGRO' + 'FRANCE'"),
    ("UNITED STATES AND VIET NAM", ["USA", "VNM"], "'UNITED STATES' + 'VIET NAM'"),
    ("GE RMANY", ["DEU"], "'GERMANY'"),
    ("SOLOMON ISLANDSAND FRANCE", ["SLB", "FRA"], "'SOLOMON ISLANDS' + 'FRANCE'"),
    ("ANGOLA BAHAMAS", ["AGO", "BHS"], "'ANGOLA' + 'BAHAMAS'"),
    ("UNITED KINGDOMAND URUGUAY", ["GBR", "URY"], "'UNITED KINGDOM' + 'URUGUAY'"),
    ("ISLAMIC REPUBLIC OF IRAN", ["IRN"], "'IRAN (ISLAMIC REPUBLIC OF)'"),
    ("VENEZUELA (BOLIVARIAN REPUBLIC)", ["VEN"], "'VENEZUELA (BOLIVARIAN REPUBLIC OF)'"),
    ("TIMOR LESTE", ["TLS"], "'TIMOR-LESTE'"),
    ("THE NETHERLANDS", ["NLD"], "'NETHERLANDS'"),
    ("THENETHERLANDS", ["NLD"], "'NETHERLANDS'"),
    ("FRANCE (ON BEHALF OF THE GROUP OF (SOME) STATES)", ["FRA"], "'FRANCE'"),
    ("FRANCE (on behalf of the European Union) AND CHILE", ["FRA", "CHL"],
     "'FRANCE' + 'CHILE'"),
    ("FRANCE, ON BEHALF OF THE EUROPEAN UNION", ["FRA"], "'FRANCE'"),
    ("FRANCE, of behalf of the European Union", ["FRA"], "'FRANCE'"),
    ("FRANCE (ON BEHALF OF THE GROUP", ["FRA"], "'FRANCE'"),
    ("FRANCE.", ["FRA"], "'FRANCE'"),
    ("FRANCE ;", ["FRA"], "'FRANCE'"),
    ("SWEDEN ( THE )", ["SWE"], "'SWEDEN'"),
    ("SWEDEN ()", ["SWE"], "'SWEDEN'"),
]


@pytest.mark.parametrize(("entry", "states", "read"), REPAIRS, ids=[r[0] for r in REPAIRS])
def test_sponsor_name_repaired(tmp_path: Path, entry: str, states: list[str],
                               read: str) -> None:
    path, sd = _sponsors(tmp_path, [entry])
    assert sd.sponsors.values.tolist() == [["A/RES/74/2", s, "sponsor", 2] for s in states]
    assert sd.quality.values.tolist() == [[
        "A/RES/74/2", "sponsor_name_repaired",
        f"{path} line 2: sponsors entry {entry!r} read as {read}"]]


@pytest.mark.parametrize("entry", ["ATLANTIS", "SOLOMON", "GE RMANY X", "CHILE, ATLANTIS",
                                   "FRANCE AND ATLANTIS", "ATLANTISAND FRANCE", "THE",
                                   "(ON BEHALF OF FRANCE)",
                                   "BOLIVARIAN REPUBLIC OF ATLANTIS", "ATLANTIS (REPUBLIC)"])
def test_sponsor_unknown(tmp_path: Path, entry: str) -> None:
    path, sd = _sponsors(tmp_path, [entry, "CHILE"], field="additional_sponsors")
    assert sd.sponsors.values.tolist() == [["A/RES/74/2", "CHL", "additional", 2]]
    assert sd.quality.values.tolist() == [[
        "A/RES/74/2", "sponsor_unknown",
        f"{path} line 2: additional_sponsors entry {entry!r} names no known state; "
        "not counted"]]


@pytest.mark.parametrize("entry", [
    "SUBMITTED BY THE CHAIR OF THE COMMITTEE", "Introduced by the Vice-Chair",
    "The representative of FRANCE", "On the basis of informal consultations",
    "WAS SUBMITTED BY THE PRESIDENT", "ANNEX", "The amendment was withdrawn",
    "Draft resolution adopted on the basis of A/74/L.1",
    "FRANCE, ON BEHALF OF THE BUREAU", "FRANCE (IN ITS CAPACITY AS CHAIR)"])
def test_sponsor_not_a_state(tmp_path: Path, entry: str) -> None:
    path, sd = _sponsors(tmp_path, ["CHILE", entry])
    assert sd.sponsors.values.tolist() == [["A/RES/74/2", "CHL", "sponsor", 2]]
    assert sd.quality.values.tolist() == [[
        "A/RES/74/2", "sponsor_not_a_state",
        f"{path} line 2: sponsors entry {entry!r} names no sponsoring state; not counted"]]


def test_sponsor_notes_quote_the_entry_as_written(tmp_path: Path) -> None:
    """The note quotes the raw entry (no-break spaces and all), cut at 120 characters; both
    fields are named."""
    long = "ATLANTIS " * 20
    path = _write(tmp_path, [_obj(sponsors=["GE\u00a0 RMANY ", long],
                                  additional_sponsors=["SUBMITTED BY\u00a0THE CHAIR", "  "])])
    sd = parse_unxml(path)
    assert sd.sponsors.values.tolist() == [["A/RES/74/1", "DEU", "sponsor", 1]]
    assert sd.quality.values.tolist() == [
        ["A/RES/74/1", "sponsor_name_repaired",
         f"{path} line 1: sponsors entry 'GE\\xa0 RMANY ' read as 'GERMANY'"],
        ["A/RES/74/1", "sponsor_unknown",
         f"{path} line 1: sponsors entry {long[:120]!r} names no known state; not counted"],
        ["A/RES/74/1", "sponsor_not_a_state",
         f"{path} line 1: additional_sponsors entry 'SUBMITTED BY\\xa0THE CHAIR' names no "
         "sponsoring state; not counted"]]


def test_sponsor_rows_of_several_resolutions(tmp_path: Path) -> None:
    """Names are trimmed and resolved; a state twice is kept once as a sponsor rather than an
    additional sponsor, and noted with the number of repeated names."""
    objs = [
        _obj("A/RES/74/1", sponsors=["\u00a0FRANCE ", "France", "CHILE"],
             additional_sponsors=["chile", "SWEDEN", "FRANCE", "SWEDEN"]),
        _obj("A/RES/74/2", sponsors=[], additional_sponsors=[]),
        _obj("A/RES/74/3", sponsors=None, additional_sponsors=["GERMANY", " ", ""]),
        _obj("A/RES/74/4", sponsors=["CHILE"], additional_sponsors=None),
    ]
    path = _write(tmp_path, objs)
    sd = parse_unxml(path)
    assert sd.sponsors.values.tolist() == [
        ["A/RES/74/1", "FRA", "sponsor", 1], ["A/RES/74/1", "CHL", "sponsor", 1],
        ["A/RES/74/1", "SWE", "additional", 1],
        ["A/RES/74/3", "DEU", "additional", 3], ["A/RES/74/4", "CHL", "sponsor", 4]]
    assert sd.quality.values.tolist() == [[
        "A/RES/74/1", "duplicate_listing",
        f"{path} line 1: 4 sponsor name(s) name a state already listed; kept once"]]
    assert [str(t) for t in sd.sponsors.dtypes][3] == "int64"


def test_sponsor_names_are_resolved_with_the_date(tmp_path: Path) -> None:
    objs = [_obj("A/RES/26/1", adoption_date="1971-10-24", sponsors=["CHINA", "USSR"],
                 additional_sponsors=["YUGOSLAVIA"]),
            _obj("A/RES/74/2", sponsors=["CHINA", "USSR"], additional_sponsors=["YUGOSLAVIA"])]
    sd = parse_unxml(_write(tmp_path, objs))
    assert sd.sponsors.values.tolist() == [
        ["A/RES/26/1", "TWN", "sponsor", 1], ["A/RES/26/1", "SUN", "sponsor", 1],
        ["A/RES/26/1", "YUG", "additional", 1],
        ["A/RES/74/2", "CHN", "sponsor", 2], ["A/RES/74/2", "RUS", "sponsor", 2],
        ["A/RES/74/2", "SRB", "additional", 2]]
    assert sd.quality.empty


@pytest.fixture
def zembla(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """An alias table where the name Zembla means Serbia and Montenegro from 2000-01-01 to
    2010-01-01 only, with no undated meaning (no shipped spelling is like this yet)."""
    from comity.world import states as S

    extra = pd.DataFrame({"spelling": ["Zembla"], "kind": ["name"], "code": ["SCG"],
                          "valid_from": [pd.Timestamp("2000-01-01")],
                          "valid_to": [pd.Timestamp("2010-01-01")],
                          "key": [S._key("name", "Zembla")]})
    table = pd.concat([S._aliases(), extra], ignore_index=True)
    monkeypatch.setattr(S, "_aliases", lambda: table)
    S._alias_index.cache_clear()
    yield
    monkeypatch.undo()
    S._alias_index.cache_clear()


def test_vote_name_with_no_meaning_on_the_date(tmp_path: Path, zembla: None) -> None:
    objs = [_obj("A/RES/64/1", adoption_date="2009-12-31", MS_abstaining=["ZEMBLA"])]
    sd = parse_unxml(_write(tmp_path, objs))
    assert sd.votes[["state", "vote"]].values.tolist() == [["FRA", "Y"], ["SWE", "N"],
                                                          ["SCG", "A"]]
    objs.append(_obj("A/RES/74/2", MS_abstaining=[" ZEMBLA"]))
    path = _write(tmp_path, objs, "y.json")
    with pytest.raises(UnknownStateError) as e:
        parse_unxml(path)
    assert e.value.spellings == ["ZEMBLA"]
    assert str(e.value) == (f"{path}: 1 unknown state spelling(s) of kind 'name': 'ZEMBLA' "
                            "(row 2: a known spelling, but with no meaning on 2019-10-10); "
                            "add them to comity/data/aliases.csv")


def test_sponsor_with_no_meaning_on_the_date(tmp_path: Path, zembla: None) -> None:
    """A spelling that has meaning only in a window resolves without a date; on a date
    outside the window it is noted and not counted (on the dates inside, it is)."""
    objs = [_obj("A/RES/64/1", adoption_date="2009-12-31", sponsors=["ZEMBLA", "CHILE"]),
            _obj("A/RES/74/2", sponsors=["CHILE", "ZEMBLA"],
                 additional_sponsors=["ZEMBLA", "SWEDEN"]),
            _obj("A/RES/74/3", additional_sponsors=["ZEMBLA"])]
    path = _write(tmp_path, objs)
    sd = parse_unxml(path)
    assert sd.sponsors.values.tolist() == [
        ["A/RES/64/1", "SCG", "sponsor", 1], ["A/RES/64/1", "CHL", "sponsor", 1],
        ["A/RES/74/2", "CHL", "sponsor", 2], ["A/RES/74/2", "SWE", "additional", 2]]
    note = "sponsor 'ZEMBLA' names no state on the resolution's date; not counted"
    assert sd.quality.values.tolist() == [
        ["A/RES/74/2", "sponsor_unknown", f"{path} line 2: {note}"],
        ["A/RES/74/3", "sponsor_unknown", f"{path} line 3: {note}"]]
    # every sponsor name without meaning: an empty frame of the same columns
    path = _write(tmp_path, [_obj("A/RES/74/3", sponsors=["ZEMBLA"])], "y.json")
    sd = parse_unxml(path)
    assert sd.sponsors.empty and list(sd.sponsors.columns) == ["key", "state", "kind", "row"]
    assert sd.quality["detail"].tolist() == [f"{path} line 1: {note}"]


def test_no_sponsors_is_an_empty_frame_of_the_right_types(tmp_path: Path) -> None:
    for i, kw in enumerate([{}, {"sponsors": [], "additional_sponsors": None},
                            {"sponsors": [" ", "\u00a0"], "additional_sponsors": [""]}]):
        sd = parse_unxml(_write(tmp_path, [_obj(**kw)], f"x{i}.json"))
        s = sd.sponsors
        assert list(s.columns) == ["key", "state", "kind", "row"] and s.empty
        assert [str(t) for t in s.dtypes] == ["object", "object", "object", "int64"]
        assert sd.quality.empty


@pytest.mark.parametrize("content", [b"", b"  \n\t\n"])
def test_an_empty_file_says_what_it_should_hold(tmp_path: Path, content: bytes) -> None:
    import gzip as gz

    path = tmp_path / "79.json.gz"
    path.write_bytes(gz.compress(content))
    e = _error(path)
    assert str(e) == (f"{path}: file is empty (expected JSON Lines with one resolution "
                      "per line)")
