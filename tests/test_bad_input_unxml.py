"""Issue 19, UNxml hardening: every malformed value of a UNxml JSON Lines file is a
``DataFormatError`` whose one-line message names the file, the line and the field and says what
was expected; never an internal error, never stored.

Each malformed file is generated here (a few lines, a few KB at most): a well-formed object on
line 1, the malformed one on line 2 (or line 1 where the first line is the point).
"""

from __future__ import annotations

import copy
import gzip
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from comity.errors import DataFormatError
from comity.ingest.sources.unxml import parse_unxml

ROOT = Path(__file__).resolve().parents[1]


def _good(n: int = 1) -> dict[str, Any]:
    """A small well-formed UNxml object (hand-made; three voters, two sponsors)."""
    return {
        "symbol": f"A/RES/75/{n}", "resolution_number": f"75/{n}.",
        "title": "A hand-made test resolution", "session": "Seventy-fifth session",
        "adoption_date": "1\u00a0December 2020", "adoption_type": "By a recorded vote",
        "agenda_item": "Agenda item 1", "agenda_item_name": "A test item",
        "MS_in_favour_count": "2", "MS_against_count": "1", "MS_abstaining_count": "0",
        "MS_in_favour": ["FRANCE", "CHINA"], "MS_against": ["RUSSIAN FEDERATION"],
        "MS_abstaining": [], "sponsors": ["FRANCE"], "additional_sponsors": ["CHINA"],
        "SDGs": [], "subjects": [["TEST", "UNBIS Thesaurus"]],
    }


def _write(tmp_path: Path, lines: list[str], name: str = "bad.json") -> Path:
    p = tmp_path / name
    data = ("\n".join(lines) + "\n").encode()
    if name.endswith(".gz"):
        data = gzip.compress(data)
    assert len(data) < 8_000  # a few KB at most
    p.write_bytes(data)
    return p


def _bad(tmp_path: Path, field: str, value: Any) -> Path:
    """Line 1 well-formed, line 2 with ``field`` set to ``value``."""
    obj = copy.deepcopy(_good(2))
    obj[field] = value
    return _write(tmp_path, [json.dumps(_good(1)), json.dumps(obj)])


def _error(path: Path) -> DataFormatError:
    with pytest.raises(DataFormatError) as info:
        parse_unxml(path)
    return info.value


def _check(err: DataFormatError, path: Path, row: int, field: str, *words: str) -> None:
    text = str(err)
    assert "\n" not in text  # one line
    assert err.file == str(path) and err.row == row and err.field == field
    assert text.startswith(f"{path}, row {row}, field {field!r}: "), text
    assert "(expected " in text
    for w in words:
        assert w in text, (w, text)


def test_a_well_formed_file_parses(tmp_path: Path) -> None:
    sd = parse_unxml(_write(tmp_path, [json.dumps(_good(1)), json.dumps(_good(2))]))
    assert len(sd.resolutions) == 2 and len(sd.votes) == 6
    assert sorted(map(tuple, sd.sponsors[["key", "state", "kind"]].to_numpy().tolist())) == [
        ("A/RES/75/1", "CHN", "additional"), ("A/RES/75/1", "FRA", "sponsor"),
        ("A/RES/75/2", "CHN", "additional"), ("A/RES/75/2", "FRA", "sponsor")]


CASES = [
    # (id, field, value, words the message must hold)
    ("negative tally", "MS_in_favour_count", "-5", ("count -5 is out of range", "0 to 250")),
    ("negative tally (number)", "MS_against_count", -5, ("count -5 is out of range",)),
    ("huge tally 10^23", "MS_abstaining_count", 10**23,
     ("count 100000000000000000000000 is out of range",)),
    ("huge tally as text", "MS_in_favour_count", "1" + "0" * 23, ("out of range",)),
    ("tally not a number", "MS_in_favour_count", "twelve", ("'twelve' is not a number",)),
    ("tally a boolean", "MS_against_count", True, ("a boolean instead of a count",)),
    ("tally a fraction", "MS_against_count", 2.5, ("a number instead of a count",)),
    ("symbol a list", "symbol", ["A/RES/75/2"], ("a list instead of a string",
                                                 "A/RES/79/1")),
    ("symbol an object", "symbol", {"en": "A/RES/75/2"}, ("an object instead of a string",)),
    ("title a nested list", "title", [["a", ["b"]]], ("a list instead of a string",)),
    ("title an object", "title", {"en": "x", "fr": {"y": 1}}, ("an object instead of a string",)),
    ("session -5", "session", -5, ("session -5 is out of range", "1 to 200")),
    ("session '-5' as text", "session", "-5", ("session -5 is out of range",)),
    ("session a list", "session", [75], ("a list instead of a session",)),
    ("date 9999-12-31", "adoption_date", "9999-12-31 00:00:00",
     ("impossible date 9999-12-31", "1945-10-24")),
    ("date 0001-01-01", "adoption_date", "0001-01-01 00:00:00", ("impossible date 0001-01-01",)),
    ("date not a date", "adoption_date", "the first of December", ("unparseable date",)),
    ("date a number", "adoption_date", 20201201, ("a number instead of a date",)),
    ("vote list a string", "MS_in_favour", "FRANCE", ("a string instead of a list",)),
    ("vote list holding a list", "MS_against", [["RUSSIAN FEDERATION"]], ("a list in the list",)),
    ("vote list holding a number", "MS_abstaining", [7], ("a number in the list",)),
    ("sponsors a string", "sponsors", "FRANCE", ("a string instead of a list",)),
    ("sponsors holding an object", "additional_sponsors", [{"name": "CHINA"}],
     ("an object in the list",)),
    ("subjects an object", "subjects", {"a": 1}, ("an object instead of a list",)),
    ("agenda a number", "agenda_item_name", 12, ("a number instead of a string",)),
]


@pytest.mark.parametrize(("field", "value", "words"), [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])
def test_malformed_value_is_located(tmp_path: Path, field: str, value: Any,
                                    words: tuple[str, ...]) -> None:
    p = _bad(tmp_path, field, value)
    _check(_error(p), p, 2, field, *words)


def test_json_nested_200k_deep(tmp_path: Path) -> None:
    deep = "[" * 200_000 + "]" * 200_000
    line = json.dumps(_good(2)).replace('"title": "A hand-made test resolution"',
                                         f'"title": {deep}')
    p = _write(tmp_path, [json.dumps(_good(1)), line], "deep.json.gz")
    _check(_error(p), p, 2, "title", "JSON nested too deeply")


def test_repeated_symbol_with_a_malformed_copy(tmp_path: Path) -> None:
    # the malformed copy of a repeated resolution is refused before the repeat is compared
    obj = _good(1)
    obj["MS_in_favour_count"] = "-1"
    p = _write(tmp_path, [json.dumps(_good(1)), json.dumps(obj)])
    _check(_error(p), p, 2, "MS_in_favour_count", "out of range")


def test_first_line_malformed(tmp_path: Path) -> None:
    obj = _good(1)
    obj["session"] = -5
    p = _write(tmp_path, [json.dumps(obj), json.dumps(_good(2))])
    _check(_error(p), p, 1, "session", "out of range")


# ------------------------------------------------------------------------------- the CLI
def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT / "src"),
                                                     env.get("PYTHONPATH", "")) if p)
    env.pop("COMITY_DEBUG", None)
    return subprocess.run([sys.executable, "-m", "comity.cli", *args], capture_output=True,
                          text=True, env=env, timeout=120)


def test_cli_prints_one_error_line_and_stores_nothing(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    good = _write(tmp_path, [json.dumps(_good(1))], "good.json")
    r = _cli("--db", str(db), "ingest", str(good), "--no-predict")
    assert r.returncode == 0, r.stderr
    bad = _bad(tmp_path, "MS_in_favour_count", "-5")
    r = _cli("--db", str(db), "ingest", str(bad), "--no-predict")
    assert r.returncode == DataFormatError.exit_code == 3
    lines = r.stderr.strip().splitlines()
    assert lines == [f"error: {bad}, row 2, field 'MS_in_favour_count': count -5 is out of "
                     "range (expected a whole number from 0 to 250, 'N.A.' or blank)"]
    assert "internal error" not in r.stderr and "Traceback" not in r.stderr
    # nothing of the bad file was stored
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        assert con.execute("SELECT count(*) FROM resolutions").fetchall()[0][0] == 1
        assert con.execute("SELECT count(*) FROM ingests WHERE file LIKE '%bad.json'"
                           ).fetchall()[0][0] == 0
    finally:
        con.close()


def test_cli_deep_nesting_on_the_first_line_is_no_internal_error(tmp_path: Path) -> None:
    line = json.dumps(_good(1)).replace('"A/RES/75/1"', "[" * 200_000 + "]" * 200_000)
    p = _write(tmp_path, [line], "deep.json.gz")
    r = _cli("--db", str(tmp_path / "d.duckdb"), "ingest", str(p), "--no-predict")
    assert r.returncode == 3, r.stderr
    assert r.stderr.strip().startswith(f"error: {p}, row 1, field 'symbol': JSON nested too "
                                       "deeply")
    assert len(r.stderr.strip().splitlines()) == 1


def test_cli_runner_reports_the_same_error(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from comity.cli import app

    p = _bad(tmp_path, "title", {"nested": [1, 2]})
    r = CliRunner().invoke(app, ["ingest", str(p), "--db", str(tmp_path / "r.duckdb"),
                                 "--no-predict"])
    assert r.exit_code != 0
    assert isinstance(r.exception, DataFormatError)
    assert (r.exception.row, r.exception.field) == (2, "title")
