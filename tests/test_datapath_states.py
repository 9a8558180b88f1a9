"""Membership windows of ``comity.world.states`` on their first and last days (issue 21).

Periods are half-open: a state is a member from ``start`` (inclusive) to ``end`` (exclusive);
an ``excluded`` period (South Africa 1974-11-12 to 1994-06-23, the Yugoslav seat 1992-09-22 to
2000-11-01) keeps membership but not participation.
"""

from __future__ import annotations

import pandas as pd
import pytest

from comity.errors import UnknownStateError
from comity.world import states as S


@pytest.mark.parametrize(("code", "day", "member", "participating"), [
    # the German Democratic Republic, 1973-09-18 to 1990-10-03
    ("DDR", "1973-09-17", False, False),
    ("DDR", "1973-09-18", True, True),
    ("DDR", "1990-10-02", True, True),
    ("DDR", "1990-10-03", False, False),
    # South Africa, excluded 1974-11-12 to 1994-06-23
    ("ZAF", "1974-11-11", True, True),
    ("ZAF", "1974-11-12", True, False),
    ("ZAF", "1994-06-22", True, False),
    ("ZAF", "1994-06-23", True, True),
    # the Yugoslav seat: excluded from 1992-09-22, Serbia and Montenegro from 2000-11-01
    ("YUG", "1992-09-21", True, True),
    ("YUG", "1992-09-22", True, False),
    ("YUG", "2000-10-31", True, False),
    ("YUG", "2000-11-01", False, False),
    ("SCG", "2000-10-31", False, False),
    ("SCG", "2000-11-01", True, True),
    ("SCG", "2006-06-02", True, True),
    ("SCG", "2006-06-03", False, False),
    ("SRB", "2006-06-03", True, True),
    # the USSR and the Russian Federation on the day of the succession
    ("SUN", "1991-12-23", True, True),
    ("SUN", "1991-12-24", False, False),
    ("RUS", "1991-12-23", False, False),
    ("RUS", "1991-12-24", True, True),
    # Indonesia's withdrawal 1965-01-20 and return 1966-09-28
    ("IDN", "1965-01-19", True, True),
    ("IDN", "1965-01-20", False, False),
    ("IDN", "1966-09-27", False, False),
    ("IDN", "1966-09-28", True, True),
])
def test_membership_on_the_edges(code: str, day: str, member: bool,
                                 participating: bool) -> None:
    assert (code in S.members_at(day)) is member
    assert (code in S.participating_at(day)) is participating
    codes, mat = S.membership_matrix(pd.Series([pd.Timestamp(day)]), participating=False)
    assert bool(mat[codes.index(code), 0]) is member


def test_member_counts_on_the_edges() -> None:
    assert (len(S.members_at("1945-10-23")), len(S.members_at("1945-10-24"))) == (0, 29)
    assert (len(S.members_at("2011-07-13")), len(S.members_at("2011-07-14"))) == (192, 193)
    assert "SSD" not in S.members_at("2011-07-13") and "SSD" in S.members_at("2011-07-14")


def test_membership_matrix_no_date_is_nobody() -> None:
    codes, mat = S.membership_matrix(pd.Series([pd.NaT, pd.Timestamp("2000-01-01")]))
    assert codes == sorted(codes) and mat.shape == (len(codes), 2)
    assert (int(mat[:, 0].sum()), int(mat[:, 1].sum())) == (0, 187)
    with pytest.raises(TypeError, match="expected one date, got int"):
        S.members_at(2000)


@pytest.mark.parametrize(("code", "chain"), [
    ("RUS", [("SUN", "1945-10-24", "1991-12-24"), ("RUS", "1991-12-24", None)]),
    ("SRB", [("YUG", "1945-10-24", "1992-09-22"), ("SCG", "2000-11-01", "2006-06-03"),
             ("SRB", "2006-06-03", None)]),
    ("CZE", [("CSK", "1945-10-24", "1992-12-31"), ("CZE", "1993-01-19", None)]),
    ("YEM", [("YAR", "1947-09-30", "1990-05-22"), ("YEM", "1990-05-22", None)]),
    ("fra ", [("FRA", "1945-10-24", None)]),
])
def test_lineage_exact(code: str, chain: list) -> None:
    got = [(c, str(s.date()), None if e is None else str(e.date()))
           for c, s, e in S.lineage(code)]
    assert got == chain


def test_lineage_unknown_code() -> None:
    with pytest.raises(UnknownStateError, match="'XXX' is not a canonical state code"):
        S.lineage("XXX")
    assert S.predecessor_map() == {"CZE": "CSK", "RUS": "SUN", "SRB": "SCG", "YEM": "YAR",
                                   "SCG": "YUG"}


# -- lookup: every kind of query, exact answers ---------------------------------------------------
@pytest.mark.parametrize(("query", "code"), [
    ("FR", "FRA"), ("fr", "FRA"), ("GB", "GBR"),        # ISO-2
    ("ROM", "ROU"), ("zar", "COD"), ("BUR", "MMR"),     # ISO-3 aliases that are not codes
    ("365", "RUS"), ("365.0", "RUS"), ("2", "USA"),     # COW numbers (undated: the latest)
    ("rus", "RUS"), (" Sweden ", "SWE"),
])
def test_lookup_exact(query: str, code: str) -> None:
    assert S.lookup(query) == code


@pytest.mark.parametrize(("query", "message"), [
    ("999", "'999' is not a known COW state code"),
    ("QQQ", "'QQQ' is not a known state"),
    ("SWX", "'SWX' is not a known state; did you mean SWZ (Eswatini), SWE (Sweden)?"),
    ("Swedn", "'Swedn' is not a known state; did you mean SWE (Sweden), SDN (Sudan)?"),
])
def test_lookup_unknown_word_for_word(query: str, message: str) -> None:
    with pytest.raises(UnknownStateError) as e:
        S.lookup(query)
    assert str(e.value) == message
    assert e.value.spellings == [query]


# -- resolve ---------------------------------------------------------------------------------------
def test_resolve_several_spellings_with_dates() -> None:
    got = S.resolve(pd.Series(["FRA", "SRB", "FRA", "SRB"]), kind="iso3", file="f.csv",
                    dates=pd.Series(["1995-01-01", "2001-01-01", "2001-01-01", "not a date"]))
    assert got.tolist() == ["FRA", "SCG", "FRA", "SRB"]  # an unreadable date: undated
    assert str(got.dtype) == "str"
    with pytest.raises(ValueError, match=r"^kind must be one of \('name', 'cow', 'iso2', "
                                         r"'iso3'\), not 'bad'$"):
        S.resolve(pd.Series(["FRA"]), kind="bad", file="f.csv")  # type: ignore[arg-type]


def test_resolve_spelling_without_default(monkeypatch: pytest.MonkeyPatch) -> None:
    """A dated spelling with no undated meaning: the latest window without a date, an error
    naming the date outside its windows (no shipped spelling is like this yet)."""
    pos = S._code_pos()
    lo, hi = pd.Timestamp("2000-01-01").value, pd.Timestamp("2010-01-01").value
    index = S._AliasIndex(default={}, windows={"QX": ((lo, hi, pos["SCG"]),)},
                          latest={"QX": pos["SCG"]})
    monkeypatch.setattr(S, "_alias_index", lambda kind: index)
    vals = pd.Series(["QX"])
    assert S.resolve(vals, kind="iso3", file="f.csv").tolist() == ["SCG"]
    assert S.resolve(vals, kind="iso3", file="f.csv", dates=pd.Series(["2009-12-31"])
                     ).tolist() == ["SCG"]
    with pytest.raises(UnknownStateError) as e:
        S.resolve(vals, kind="iso3", file="f.csv", dates=pd.Series(["2010-01-01"]),
                  rows=pd.Series([7]))
    assert str(e.value) == ("f.csv: 1 unknown state spelling(s) of kind 'iso3': 'QX' (row 7: "
                            "a known spelling, but with no meaning on 2010-01-01); add them to "
                            "comity/data/aliases.csv")


# -- the tables, read afresh (the cached copies hide a broken reader) ------------------------------
def test_tables_read_afresh() -> None:
    raw = S._read_csv("states.csv")
    assert list(raw.columns) == list(S.states_table().columns)
    assert raw.loc[raw["code"] == "DDR", ["member_from", "member_to"]].values.tolist() == [
        ["1973-09-18", "1990-10-03"]]
    fresh = S._states.__wrapped__()
    pd.testing.assert_frame_equal(fresh, S.states_table())
    assert fresh.loc[fresh["code"] == "DDR", "member_to"].tolist() == [pd.Timestamp("1990-10-03")]
    idx = S._alias_index.__wrapped__("iso3")
    cached = S._alias_index("iso3")
    assert (idx.default, idx.windows, idx.latest) == (cached.default, cached.windows,
                                                      cached.latest)
    pos = S._code_pos()
    assert idx.windows["SRB"] == (
        (S._OPEN_LO, pd.Timestamp("2000-11-01").value, pos["YUG"]),
        (pd.Timestamp("2000-11-01").value, pd.Timestamp("2006-06-03").value, pos["SCG"]))


def test_bad_date_in_a_data_file() -> None:
    from comity.errors import DataFormatError

    col = pd.Series(["1990-10-03", "", "1990-13-01"])
    with pytest.raises(DataFormatError) as e:
        S._to_dates(col, "states.csv", "member_to")
    assert (e.value.file, e.value.row, e.value.field) == ("comity/data/states.csv", 3,
                                                          "member_to")
    assert str(e.value) == ("comity/data/states.csv, row 3, field 'member_to': bad date "
                            "'1990-13-01' (expected yyyy-mm-dd or empty)")
    ok = S._to_dates(col[:2], "states.csv", "member_to")
    assert ok.tolist()[0] == pd.Timestamp("1990-10-03") and pd.isna(ok.tolist()[1])
    assert str(ok.dtype) == "datetime64[ns]"
