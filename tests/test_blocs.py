"""Tests of comity.world.blocs: built-in dated memberships, user bloc files, lookup by name."""

from __future__ import annotations

import sys
import types
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from comity.errors import DataFormatError, UnknownBlocError, UnknownStateError
from comity.world import blocs as B
from comity.world.blocs import (
    KNOWN_CODES,
    Bloc,
    Membership,
    blocs_table,
    builtin_blocs,
    get_bloc,
    is_bloc,
    load_bloc_file,
    memberships_frame,
)

FIXTURES = Path(__file__).parent / "fixtures" / "blocs"
UN_GROUPS = ["un_african", "un_asia_pacific", "un_eastern_european", "un_grulac", "un_weog"]


def members(key: str, day: str) -> list[str]:
    return get_bloc(key).members_at(day)


# --------------------------------------------------------------------------- dated facts
def test_eu_sizes_and_brexit() -> None:
    assert members("eu", "1960-01-01") == ["BEL", "DEU", "FRA", "ITA", "LUX", "NLD"]
    assert len(members("eu", "2019-12-31")) == 28
    assert "GBR" in members("eu", "2020-01-31")  # withdrawal took effect at the end of the day
    after = members("eu", "2020-02-01")
    assert len(after) == 27
    assert "GBR" not in after
    assert "DDR" not in get_bloc("eu").ever_members()  # the GDR joined through reunification


@pytest.mark.parametrize(
    ("day", "size"),
    [
        ("1972-12-31", 6),
        ("1973-01-01", 9),
        ("1981-01-01", 10),
        ("1986-01-01", 12),
        ("1995-01-01", 15),
        ("2004-05-01", 25),
        ("2007-01-01", 27),
        ("2013-07-01", 28),
    ],
)
def test_eu_enlargements(day: str, size: int) -> None:
    assert len(members("eu", day)) == size


def test_nato() -> None:
    assert len(members("nato", "2024-06-01")) == 32
    assert len(members("nato", "2022-01-01")) == 30
    assert "FIN" in members("nato", "2023-04-04")
    assert "FIN" not in members("nato", "2023-04-03")
    assert "SWE" not in members("nato", "2024-03-06")
    assert "SWE" in members("nato", "2024-03-07")
    assert "FRA" in members("nato", "1970-01-01")  # left only the integrated command in 1966
    assert {"GRC", "TUR"} <= set(members("nato", "1952-02-18"))
    assert "DEU" in members("nato", "1955-05-06")
    assert "ESP" not in members("nato", "1980-01-01")
    assert len(members("nato", "1950-01-01")) == 12


def test_brics_sizes() -> None:
    assert members("brics", "2010-06-01") == ["BRA", "CHN", "IND", "RUS"]
    assert len(members("brics", "2023-06-01")) == 5
    assert len(members("brics", "2024-06-01")) == 9
    assert len(members("brics", "2025-06-01")) == 10
    assert "IDN" not in members("brics", "2025-01-05")
    assert "IDN" in members("brics", "2025-01-06")
    assert "SAU" not in get_bloc("brics").ever_members()  # unclear status: excluded
    assert "Saudi" in get_bloc("brics").description


def test_p5_seats() -> None:
    p5_1970 = members("p5", "1970-01-01")
    assert {"TWN", "SUN"} <= set(p5_1970)
    assert not {"CHN", "RUS"} & set(p5_1970)
    assert members("p5", "2000-01-01") == ["CHN", "FRA", "GBR", "RUS", "USA"]
    assert "TWN" in members("p5", "1971-10-24")
    assert "CHN" in members("p5", "1971-10-25")
    for day in pd.date_range("1946-01-01", "2026-01-01", freq="90D"):
        assert len(get_bloc("p5").members_at(day)) == 5


def test_african_union_and_morocco_gap() -> None:
    assert "MAR" in members("au", "1963-05-25")
    assert "MAR" in members("au", "1984-11-11")
    assert "MAR" not in members("au", "1984-11-12")
    assert "MAR" not in members("au", "2016-12-31")
    assert "MAR" in members("au", "2017-06-01")
    assert len(members("au", "1963-06-01")) == 32
    assert len(members("au", "2024-06-01")) == 55
    assert get_bloc("OAU").key == "au"


def test_g7_g8_and_others() -> None:
    assert len(members("g7", "2020-01-01")) == 7
    assert "RUS" not in get_bloc("g7").ever_members()
    assert "RUS" in members("g8", "2010-01-01")
    assert members("g8", "2015-01-01") == []
    assert len(members("asean", "2000-01-01")) == 10
    assert len(members("gcc", "2000-01-01")) == 6
    assert len(members("arab_league", "2024-06-01")) == 22
    assert len(members("oic", "2024-06-01")) == 57
    assert len(members("nam", "2024-06-01")) == 120
    assert len(members("sco", "2024-08-01")) == 10
    assert "UZB" not in members("csto", "2020-01-01")
    assert "YEM" in members("arab_league", "1990-05-22")
    assert not {"YAR", "YMD"} & set(members("arab_league", "1990-05-22"))


def test_un_groups_partition_membership() -> None:
    """On any day no state is in two groups; today the five groups hold the 193 members."""
    groups = [get_bloc(k) for k in UN_GROUPS]
    for day in pd.date_range("1946-01-01", "2026-01-01", freq="180D"):
        sets = [set(g.members_at(day)) for g in groups]
        assert sum(len(s) for s in sets) == len(set().union(*sets))
    now = [set(g.members_at("2024-06-01")) for g in groups]
    assert sum(len(s) for s in now) == 193
    assert [len(s) for s in now] == [54, 54, 23, 33, 29]
    weog = get_bloc("WEOG")
    assert {"TUR", "USA", "ISR"} <= set(weog.members_at("2024-06-01"))
    assert "ISR" not in weog.members_at("1999-01-01")
    assert "1963" in weog.description and "LIMITATION" in weog.description


def test_un_groups_agree_with_states_module() -> None:
    """Group members are UN members on each date (if comity.world.states is available)."""
    states = pytest.importorskip("comity.world.states")
    groups = [get_bloc(k) for k in UN_GROUPS]
    for day in pd.date_range("1946-01-01", "2026-01-01", freq="45D"):
        un = set(states.members_at(day.date()))
        grouped = set().union(*(g.members_at(day) for g in groups))
        assert grouped <= un, day
        assert un - grouped <= {"ISR"}, day


# --------------------------------------------------------------------------- integrity
def test_every_builtin_entry_has_source_and_valid_code() -> None:
    blocs = builtin_blocs()
    assert len(blocs) >= 19
    for bloc in blocs.values():
        assert bloc.source_file is None
        assert bloc.key == B._slug(bloc.key)
        assert bloc.name and bloc.description
        assert bloc.memberships
        for m in bloc.memberships:
            assert m.source.strip(), (bloc.key, m.state)
            assert m.state in KNOWN_CODES, (bloc.key, m.state)
            assert m.start is not None, (bloc.key, m.state)
            assert m.end is None or m.start < m.end


def test_builtin_names_unambiguous() -> None:
    seen: dict[str, str] = {}
    for bloc in builtin_blocs().values():
        for name in {B._norm(n) for n in (bloc.key, bloc.name, *bloc.aliases)}:
            assert seen.setdefault(name, bloc.key) == bloc.key, name


def test_iso_code_list() -> None:
    assert len(B.ISO3_CODES) == 249
    assert {"SUN", "YUG", "SCG", "CSK", "DDR", "YAR", "YMD", "ZAN", "TWN"} <= KNOWN_CODES


def test_builtin_cached() -> None:
    assert builtin_blocs()["eu"] is builtin_blocs()["eu"]
    copy = builtin_blocs()
    copy.pop("eu")
    assert "eu" in builtin_blocs()


# --------------------------------------------------------------------------- membership matrix
def _grid_for(bloc: Bloc) -> list[date]:
    days = {d.date() for d in pd.date_range("1945-01-01", "2026-12-31", freq="97D")}
    for m in bloc.memberships:
        for d in (m.start, m.end):
            if d is not None:
                days |= {d - timedelta(days=1), d, d + timedelta(days=1)}
    return sorted(days)


@pytest.mark.parametrize("key", sorted(builtin_blocs()))
def test_membership_matrix_equals_members_at(key: str) -> None:
    bloc = get_bloc(key)
    states = [*bloc.ever_members(), "XXX"]
    days = _grid_for(bloc)
    matrix = bloc.membership_matrix(states, days)
    assert matrix.shape == (len(states), len(days))
    assert matrix.dtype == bool
    expected = np.array([[s in set(bloc.members_at(d)) for d in days] for s in states])
    np.testing.assert_array_equal(matrix, expected)
    assert not matrix[-1].any()


def test_membership_matrix_input_types() -> None:
    eu = get_bloc("eu")
    states = ["GBR", "FRA", "USA", "GBR"]
    as_str = ["2020-01-31", "2020-02-01"]
    expected = np.array([[True, False], [True, True], [False, False], [True, False]])
    for dates in (
        as_str,
        [date(2020, 1, 31), date(2020, 2, 1)],
        pd.to_datetime(as_str),
        np.array(as_str, dtype="datetime64[D]"),
        pd.Series(pd.to_datetime(["2020-01-31 23:30", "2020-02-01 00:10"])),
    ):
        np.testing.assert_array_equal(eu.membership_matrix(states, dates), expected)
    with_nat = eu.membership_matrix(["FRA"], pd.to_datetime(["2000-01-01", None]))
    np.testing.assert_array_equal(with_nat, [[True, False]])
    assert eu.membership_matrix([], as_str).shape == (0, 2)
    assert eu.membership_matrix(["FRA"], []).shape == (1, 0)
    with pytest.raises(TypeError):
        eu.membership_matrix(["FRA"], "2020-01-01")


def test_members_at_input_types() -> None:
    nato = get_bloc("nato")
    ref = nato.members_at("2023-04-04")
    assert nato.members_at(date(2023, 4, 4)) == ref
    assert nato.members_at(pd.Timestamp("2023-04-04 18:00")) == ref
    assert nato.members_at(np.datetime64("2023-04-04")) == ref
    assert nato.is_member("FIN", "2023-04-04")
    with pytest.raises(ValueError, match="not a date"):
        nato.members_at("2023-13-45")


def test_membership_validates_order() -> None:
    with pytest.raises(ValueError):
        Membership("FRA", date(2000, 1, 1), date(1990, 1, 1))


# --------------------------------------------------------------------------- frames
def test_to_frame_and_tables() -> None:
    frame = get_bloc("eu").to_frame()
    assert list(frame.columns) == ["bloc", "state", "start", "end", "source", "note"]
    gbr = frame[frame.state == "GBR"].iloc[0]
    assert gbr.start == pd.Timestamp("1973-01-01")
    assert gbr.end == pd.Timestamp("2020-02-01")
    assert pd.isna(frame[frame.state == "FRA"].iloc[0].end)

    table = blocs_table()
    assert list(table.columns) == ["key", "name", "aliases", "n_members_now", "first_date"]
    assert len(table) == len(builtin_blocs())
    eu = table.set_index("key").loc["eu"]
    assert eu["n_members_now"] == 27
    assert eu["first_date"] == pd.Timestamp("1958-01-01")
    assert "EEC" in eu["aliases"]

    allm = memberships_frame()
    assert list(allm.columns) == ["bloc", "state", "start", "end", "source", "note"]
    assert len(allm) == sum(len(b.memberships) for b in builtin_blocs().values())
    assert (allm.source.str.len() > 0).all()


def test_tables_with_extra() -> None:
    extra = load_bloc_file(FIXTURES / "good.toml")
    table = blocs_table(extra)
    assert {"nordic", "commonwealth_sample"} <= set(table.key)
    assert table.set_index("key").loc["nordic", "n_members_now"] == 5
    assert set(memberships_frame(extra).bloc) >= {"nordic", "eu"}


# --------------------------------------------------------------------------- lookup by name
@pytest.mark.parametrize(
    ("query", "key"),
    [
        ("European Union", "eu"),
        ("EEC", "eu"),
        ("eec", "eu"),
        ("  EU ", "eu"),
        ("E.U.", "eu"),
        ("European Communities", "eu"),
        ("NATO", "nato"),
        ("G-7", "g7"),
        ("BRIC", "brics"),
        ("Organisation of African Unity", "au"),
        ("weog", "un_weog"),
        ("GRULAC", "un_grulac"),
        ("Asia-Pacific Group", "un_asia_pacific"),
        ("Arab League", "arab_league"),
        ("P5", "p5"),
    ],
)
def test_get_bloc_by_alias(query: str, key: str) -> None:
    assert get_bloc(query).key == key
    assert is_bloc(query)


def test_get_bloc_unknown_lists_candidates() -> None:
    with pytest.raises(UnknownBlocError) as info:
        get_bloc("Europen Union")
    assert "eu" in info.value.candidates
    assert "did you mean" in str(info.value) and "eu (European Union)" in str(info.value)
    with pytest.raises(UnknownBlocError, match="unknown bloc 'Warsaw Pact'"):
        get_bloc("Warsaw Pact")
    assert not is_bloc("Warsaw Pact")


def test_extra_blocs_found_and_override() -> None:
    extra = load_bloc_file(FIXTURES / "good.toml")
    assert get_bloc("Norden", extra).key == "nordic"
    assert get_bloc("nordic council", extra).key == "nordic"
    assert not is_bloc("Norden")
    mine = {"eu": Bloc("eu", "My EU", (), "", (Membership("FRA"),), "x.toml")}
    assert get_bloc("eu", mine).name == "My EU"
    assert get_bloc("EEC").name == "European Union"  # built-ins untouched


# --------------------------------------------------------------------------- user files: good
def _summary(blocs: dict[str, Bloc]) -> dict[str, list[tuple]]:
    return {
        k: sorted((m.state, m.start, m.end, m.source, m.note) for m in b.memberships)
        for k, b in blocs.items()
    }


def test_good_files_agree_across_formats() -> None:
    toml = load_bloc_file(FIXTURES / "good.toml")
    yaml = load_bloc_file(FIXTURES / "good.yaml")
    csv = load_bloc_file(str(FIXTURES / "good.csv"))
    assert _summary(toml) == _summary(yaml) == _summary(csv)
    nordic = toml["nordic"]
    assert nordic.name == "Nordic Council"
    assert nordic.aliases == ("Norden", "Nordic countries")
    assert yaml["nordic"].aliases == nordic.aliases
    assert nordic.source_file == str(FIXTURES / "good.toml")
    assert all(m.source == "norden.org" for m in nordic.memberships)  # bloc-level default
    cw = toml["commonwealth_sample"]
    assert "ZAF" in cw.members_at("1960-01-01")
    assert "ZAF" not in cw.members_at("1961-05-31")
    assert "ZAF" in cw.members_at("1994-06-01")
    assert "PAK" not in cw.members_at("1980-01-01")


def test_minimal_and_list_form_files() -> None:
    csv = load_bloc_file(FIXTURES / "good_minimal.csv")
    assert list(csv) == ["benelux"]
    assert csv["benelux"].name == "Benelux"
    assert csv["benelux"].members_at("1800-01-01") == ["BEL", "LUX", "NLD"]  # undated
    listed = load_bloc_file(FIXTURES / "good_list_form.yaml")
    assert listed["benelux"].name == "Benelux Union"
    assert listed["benelux"].ever_members() == ["BEL", "LUX", "NLD"]


@pytest.mark.parametrize("suffix", [".csv", ".toml", ".yaml"])
def test_round_trip_through_files(tmp_path: Path, suffix: str) -> None:
    """Built-in blocs written out as user files load back identical."""
    originals = {k: get_bloc(k) for k in ("eu", "au", "p5", "un_eastern_european")}
    frame = pd.concat([b.to_frame() for b in originals.values()], ignore_index=True)
    path = tmp_path / f"roundtrip{suffix}"
    if suffix == ".csv":
        frame.rename(columns={"start": "from", "end": "to"}).to_csv(path, index=False)
    else:
        data = {
            b.key: {
                "name": b.name,
                "aliases": list(b.aliases),
                "description": b.description,
                "memberships": [
                    {
                        "state": m.state,
                        "from": m.start.isoformat() if m.start else "",
                        "to": m.end.isoformat() if m.end else "",
                        "source": m.source,
                        "note": m.note,
                    }
                    for m in b.memberships
                ],
            }
            for b in originals.values()
        }
        if suffix == ".yaml":
            import yaml

            path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
        else:
            path.write_text(_to_toml(data), encoding="utf-8")
    loaded = load_bloc_file(path)
    assert _summary(loaded) == _summary(originals)
    for key, bloc in originals.items():
        assert (
            loaded[key]
            .membership_matrix(
                bloc.ever_members(), ["1960-01-01", "1991-12-23", "1991-12-24", "2020-02-01"]
            )
            .tolist()
            == bloc.membership_matrix(
                bloc.ever_members(), ["1960-01-01", "1991-12-23", "1991-12-24", "2020-02-01"]
            ).tolist()
        )
        if suffix != ".csv":
            assert loaded[key].aliases == bloc.aliases


def _to_toml(data: dict) -> str:
    import json

    lines = []
    for key, spec in data.items():
        lines.append(f"[{key}]")
        lines.append(f"name = {json.dumps(spec['name'])}")
        lines.append("aliases = [" + ", ".join(json.dumps(a) for a in spec["aliases"]) + "]")
        lines.append(f"description = {json.dumps(spec['description'])}")
        for m in spec["memberships"]:
            lines.append(f"[[{key}.memberships]]")
            lines.extend(f"{k} = {json.dumps(v)}" for k, v in m.items())
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- user files: bad
BAD_FILES = [
    ("bad_extension.txt", ["'.txt'", ".toml"]),
    ("bad_unparsable.toml", ["cannot parse TOML", "line 2"]),
    ("bad_unparsable.yaml", ["cannot parse YAML", "line 4"]),
    ("bad_unparsable.csv", ["cannot parse CSV", "row 1"]),
    ("bad_empty.toml", ["empty"]),
    ("bad_empty.yaml", ["no blocs"]),
    ("bad_empty.csv", ["no rows"]),
    ("bad_missing_bloc.csv", ["row 2", "field 'bloc'", "missing bloc name"]),
    ("bad_missing_name.yaml", ["bloc 1", "field 'key'", "missing bloc name"]),
    ("bad_missing_state.toml", ["membership 2", "field 'state'", "missing state"]),
    ("bad_no_memberships.toml", ["bloc 'nordic'", "field 'memberships'"]),
    ("bad_from_after_to.csv", ["row 2", "field 'to'", "NOR"]),
    ("bad_impossible_date.toml", ["membership 2", "field 'from'", "2021-02-30"]),
    ("bad_date_format.yaml", ["membership 1", "field 'from'", "16/03/1952"]),
    ("bad_unknown_state.yaml", ["membership 2", "field 'state'", "Narnia"]),
    ("bad_overlap.toml", ["membership 2", "field 'from'", "ZAF", "membership 1"]),
    ("bad_overlap.csv", ["row 3", "field 'from'", "DNK", "row 1"]),
    ("bad_unknown_column.csv", ["field 'form'", "unknown column"]),
    ("bad_duplicate_key.yaml", ["duplicate key 'nordic'", "line 3"]),
]


@pytest.mark.parametrize(("name", "fragments"), BAD_FILES, ids=[n for n, _ in BAD_FILES])
def test_bad_files_raise_data_format_error(name: str, fragments: list[str]) -> None:
    with pytest.raises(DataFormatError) as info:
        load_bloc_file(FIXTURES / name)
    message = str(info.value)
    assert name in message
    for fragment in fragments:
        assert fragment in message, (fragment, message)
    assert info.value.file == str(FIXTURES / name)


def test_every_bad_fixture_is_tested() -> None:
    on_disk = {p.name for p in FIXTURES.glob("bad_*")}
    assert on_disk == {n for n, _ in BAD_FILES}


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(DataFormatError, match=r"nothere\.toml"):
        load_bloc_file(tmp_path / "nothere.toml")


def test_bad_structures(tmp_path: Path) -> None:
    cases = {
        "top.yaml": ("- just\n- a list\n", "expected a mapping"),
        "field.toml": (
            '[x]\nmemberships = [{ state = "FRA", start_date = "2000-01-01" }]\n',
            "field 'start_date'",
        ),
        "blocfield.toml": ('[x]\ncolour = "red"\nmemberships = ["FRA"]\n', "field 'colour'"),
        "aliases.yaml": ("x:\n  aliases: {a: 1}\n  memberships: [FRA]\n", "field 'aliases'"),
        "number.yaml": ("x:\n  memberships:\n    - {state: 123}\n", "field 'state'"),
        "empty_period.csv": ("bloc,state,from,to\nx,FRA,2000-01-01,2000-01-01\n", "field 'to'"),
        "wide.csv": ("bloc,state\nx,FRA,extra\n", "row 1"),
    }
    for fname, (text, fragment) in cases.items():
        path = tmp_path / fname
        path.write_text(text, encoding="utf-8")
        with pytest.raises(DataFormatError) as info:
            load_bloc_file(path)
        assert fname in str(info.value) and fragment in str(info.value), str(info.value)


# --------------------------------------------------------------------------- state resolution
def _fake_states(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = types.ModuleType("comity.world.states")

    def lookup(query: str) -> str:
        names = {"norway": "NOR", "denmark": "DNK", "soviet union": "SUN"}
        q = query.strip()
        if q.upper() in {"NOR", "DNK", "FRA"}:
            return q.upper()
        if q.casefold() in names:
            return names[q.casefold()]
        raise UnknownStateError(f"{query!r} is not a known state", spellings=[query])

    fake.lookup = lookup  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "comity.world.states", fake)


def test_state_names_mapped_with_states_lookup(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fake_states(monkeypatch)
    path = tmp_path / "names.csv"
    path.write_text("bloc,state,from\nx,Norway,1990-01-01\nx,denmark,\nx,Soviet Union,\n")
    bloc = load_bloc_file(path)["x"]
    assert bloc.ever_members() == ["DNK", "NOR", "SUN"]
    path.write_text("bloc,state\nx,XYZ\n")
    with pytest.raises(DataFormatError, match=r"row 1.*field 'state'.*XYZ"):
        load_bloc_file(path)


def test_names_overlap_detected_after_mapping(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fake_states(monkeypatch)
    path = tmp_path / "dup.csv"
    path.write_text("bloc,state,from\nx,NOR,1990-01-01\nx,Norway,2000-01-01\n")
    with pytest.raises(DataFormatError, match=r"row 2.*NOR overlaps.*row 1"):
        load_bloc_file(path)


def test_fallback_without_states_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "comity.world.states", None)  # import now raises ImportError
    path = tmp_path / "codes.csv"
    path.write_text("bloc,state\nx,XYZ\nx,fra\nx,SUN\n")
    assert load_bloc_file(path)["x"].ever_members() == ["FRA", "SUN", "XYZ"]
    path.write_text("bloc,state\nx,Norway\n")
    with pytest.raises(DataFormatError, match="three-letter"):
        load_bloc_file(path)
