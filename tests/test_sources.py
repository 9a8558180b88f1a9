"""Parsers on small hand-written files in each format."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from comity.ingest.sources.base import normalize_symbol, split_part
from comity.ingest.sources.detect import detect_format
from tests import minidata as M


@pytest.fixture
def mini(tmp_path: Path) -> Path:
    return M.write_all(tmp_path / "mini")


def test_detect_by_content(mini: Path, tmp_path: Path) -> None:
    assert detect_format(mini / "voeten.csv.gz") == "voeten2016"
    assert detect_format(mini / "un_votes.csv.gz") == "unvotes_votes"
    assert detect_format(mini / "un_roll_calls.csv.gz") == "unvotes_roll_calls"
    assert detect_format(mini / "un_roll_call_issues.csv.gz") == "unvotes_issues"
    assert detect_format(mini / "scrape.csv.gz") == "scrape"
    assert detect_format(mini / "75.json.gz") == "unxml"
    assert detect_format(mini / "README.md") is None
    # the name does not matter
    renamed = tmp_path / "whatever.txt"
    renamed.write_bytes((mini / "scrape.csv.gz").read_bytes())
    assert detect_format(renamed) == "scrape"


@pytest.mark.parametrize(("raw", "norm"), [
    ("A/RES/68/262", "A/RES/68/262"),
    ("R/68/262", "A/RES/68/262"),
    ("A/RES/377 (V)", "A/RES/377(V)"),
    ("S/RES/2323(2016)", "S/RES/2323"),
    ("a/res/es-11/1", "A/RES/ES-11/1"),
    ("", None),
    (None, None),
])
def test_normalize_symbol(raw, norm) -> None:
    assert normalize_symbol(raw) == norm


@pytest.mark.parametrize(("sym", "base", "part"), [
    ("A/RES/68/262", "A/RES/68/262", ""),
    ("A/RES/77/293A", "A/RES/77/293", "A"),
    ("A/RES/377(V)[A-C]", "A/RES/377(V)", "A-C"),
    ("A/RES/38/183I", "A/RES/38/183", "I"),
    ("A/RES/2758(XXVI)A/B/C", "A/RES/2758(XXVI)", "A/B/C"),
    ("A/RES/ES-11/4", "A/RES/ES-11/4", ""),
])
def test_split_part(sym, base, part) -> None:
    assert split_part(sym) == (base, part)


def test_voeten_unres_to_symbol() -> None:
    from comity.ingest.sources._common import voeten_unres_to_symbol

    s = voeten_unres_to_symbol(pd.Series(["R/26/2758A", "R/68/262", "A/RES/72/91", "R/5/377A",
                                          ""]), pd.Series([26, 68, 72, 5, 1]))
    assert s.tolist() == ["A/RES/2758(XXVI)A", "A/RES/68/262", "A/RES/72/91",
                          "A/RES/377(V)A", None]


def test_parse_voeten2016(mini: Path) -> None:
    from comity.ingest.sources.voeten import parse_voeten2016

    sd = parse_voeten2016(mini / "voeten.csv.gz")
    assert sd.source == "voeten2016" and not sd.lists_only_yna
    assert len(sd.resolutions) == 2
    v = sd.votes.set_index(["key", "state"])["vote"]
    assert v[("10", "SUN")] == "Y"  # COW 365 in 1985 is the USSR
    assert v[("11", "RUS")] == "N"  # and Russia in 1995
    assert v[("10", "SWE")] == "X"  # 8 = absent
    assert ("10", "MOZ") not in v.index  # 9 = not a member: no row
    r = sd.resolutions.set_index("key")
    assert r.loc["10", "symbol"] == "A/RES/40/100"
    assert r.loc["10", "date"] == pd.Timestamp("1985-12-10")
    assert bool(r.loc["10", "important"])
    assert set(map(tuple, sd.issues.values)) == {("10", "me"), ("11", "hr")}


def test_parse_unvotes(mini: Path) -> None:
    from comity.ingest.sources.voeten import parse_unvotes

    sd = parse_unvotes(mini / "un_votes.csv.gz", mini / "un_roll_calls.csv.gz",
                       mini / "un_roll_call_issues.csv.gz")
    assert sd.lists_only_yna
    v = sd.votes.set_index(["key", "state"])["vote"]
    assert v[("10", "SUN")] == "Y" and v[("11", "RUS")] == "N"
    assert v[("10", "USA")] == "N"
    assert sd.resolutions.set_index("key").loc["10", "title"] == "QUESTION OF PALESTINE, A TEST"


def test_parse_scrape(mini: Path) -> None:
    from comity.ingest.sources.scrape import parse_scrape

    sd = parse_scrape(mini / "scrape.csv.gz")
    r = sd.resolutions.set_index("key")
    # misleading headers: ABSENT COUNT = abstentions, NO-VOTE COUNT = non-voting
    assert (r.loc["2", "yes"], r.loc["2", "no"], r.loc["2", "abstain"],
            r.loc["2", "non_voting"]) == (3, 1, 1, 1)
    assert r.loc["3", "body"] == "SC" and r.loc["3", "symbol"] == "S/RES/2527"
    assert r.loc["1", "session"] == 50
    v = sd.votes.set_index(["key", "state"])["vote"]
    assert v[("2", "CAN")] == "X" and v[("2", "CHN")] == "Y"
    assert ("3", "CAN") not in v.index  # empty cell on an SC row: not on the Council


def test_parse_unxml(mini: Path) -> None:
    from comity.ingest.sources.unxml import parse_unxml

    sd = parse_unxml(mini / "75.json.gz")
    assert sd.lists_only_yna
    r = sd.resolutions.set_index("key")
    assert r.loc["A/RES/75/10", "adoption"] == "recorded"
    assert r.loc["A/RES/75/11", "adoption"] == "without_vote"
    assert r.loc["A/RES/75/10", "date"] == pd.Timestamp("2020-12-01")
    assert r.loc["A/RES/75/10", "session"] == 75
    v = sd.votes.set_index(["key", "state"])["vote"]
    assert v[("A/RES/75/10", "USA")] == "Y" and v[("A/RES/75/10", "SWE")] == "A"
    assert len(v.loc["A/RES/75/10"]) == 5


def _frames_equal(a, b) -> None:
    for f in ("resolutions", "votes", "issues", "quality"):
        pd.testing.assert_frame_equal(getattr(a, f).astype(object), getattr(b, f).astype(object))


def test_gzip_members_and_damage(tmp_path: Path) -> None:
    """A gzip file of several members reads whole; a bad checksum or size is an error."""
    import gzip

    from comity.errors import DataFormatError
    from comity.ingest.sources._io import read_bytes

    data = ("\n".join([M.VOETEN_HEADER, *M.VOETEN_ROWS * 50]) + "\n").encode()
    one = gzip.compress(data)
    cases = {
        "multi.gz": gzip.compress(data[:700]) + gzip.compress(data[700:]),
        "padded.gz": one + b"\0\0\0\0",
    }
    for name, blob in cases.items():
        (tmp_path / name).write_bytes(blob)
        assert read_bytes(tmp_path / name) == data
    bad_crc = one[:-8] + bytes([one[-8] ^ 1]) + one[-7:]
    bad_size = one[:-4] + bytes([one[-4] ^ 1]) + one[-3:]
    for name, blob in (("crc.gz", bad_crc), ("size.gz", bad_size)):
        (tmp_path / name).write_bytes(blob)
        with pytest.raises(DataFormatError, match="gzip"):
            read_bytes(tmp_path / name)


def test_voeten2016_line_endings(mini: Path, tmp_path: Path) -> None:
    """CRLF line ends, a blank line or a BOM take the general path: same result."""
    from comity.ingest.sources.voeten import parse_voeten2016

    ref = parse_voeten2016(mini / "voeten.csv.gz")
    lines = [M.VOETEN_HEADER, *M.VOETEN_ROWS]
    variants = {
        "crlf.csv": "\r\n".join(lines) + "\r\n",
        "blank.csv": "\n".join([*lines[:4], "", *lines[4:]]),  # no final newline either
        "bom.csv": "\ufeff" + "\n".join(lines) + "\n",
    }
    for name, text in variants.items():
        (tmp_path / name).write_text(text, encoding="utf-8", newline="")
        _frames_equal(parse_voeten2016(tmp_path / name), ref)


def test_scrape_cells_with_spaces(mini: Path, tmp_path: Path) -> None:
    """Cells with spaces around the vote take the general (trimming) path: same votes."""
    from comity.ingest.sources.scrape import parse_scrape

    ref = parse_scrape(mini / "scrape.csv.gz")
    rows = [[*r[:11], *(f" {c} " if c else c for c in r[11:])] for r in M.SCRAPE_ROWS]
    p = M.write_csv(tmp_path / "scrape.csv", M.SCRAPE_META + "," + ",".join(M.SCRAPE_STATES),
                    rows)
    got = parse_scrape(p)
    pd.testing.assert_frame_equal(got.votes.astype(object), ref.votes.astype(object))
    rows[1][12] = "Q"
    p = M.write_csv(tmp_path / "scrape.csv", M.SCRAPE_META + "," + ",".join(M.SCRAPE_STATES),
                    rows)
    from comity.errors import DataFormatError

    with pytest.raises(DataFormatError) as info:
        parse_scrape(p)
    assert info.value.row == 2 and info.value.field == "CANADA" and "'Q'" in str(info.value)


def test_unxml_two_spellings_and_unknown_name(tmp_path: Path) -> None:
    """A state under two spellings in one list is kept once (noted); an unknown name is
    reported as an unknown state."""
    import gzip
    import json

    from comity.errors import UnknownStateError
    from comity.ingest.sources.unxml import parse_unxml

    objs = M.unxml_objects()
    objs[0]["MS_in_favour"] = [*objs[0]["MS_in_favour"], "UNITED STATES"]
    p = tmp_path / "75.json.gz"
    p.write_bytes(gzip.compress(("\n".join(json.dumps(o) for o in objs) + "\n").encode()))
    sd = parse_unxml(p)
    v = sd.votes[sd.votes.key == "A/RES/75/10"]
    assert (v.state == "USA").sum() == 1 and len(v) == 5
    assert "name the same state" in " ".join(sd.quality.detail)
    objs[0]["MS_against"] = ["ATLANTIS"]
    p.write_bytes(gzip.compress(("\n".join(json.dumps(o) for o in objs) + "\n").encode()))
    with pytest.raises(UnknownStateError, match="ATLANTIS"):
        parse_unxml(p)


def test_header_names_as_arrow_infers(tmp_path: Path) -> None:
    """Header names that Arrow's inference reads as something else than text."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    from comity.ingest.sources._io import _header_names

    line = (b'rcid,0x1F,"a,b",Inf,1.5e3,2020-01-01,12:30,NA,"",N/A,true,+5,00012, x ,'
            b'\xc3\x9cber')
    row = pacsv.read_csv(pa.BufferReader(line + b"\n"),
                         read_options=pacsv.ReadOptions(autogenerate_column_names=True))
    want = [str(v) if v is not None else "" for v in row.to_pylist()[0].values()]
    assert _header_names(line, "x") == want
    assert _header_names(b"rcid,country, vote", "x") == ["rcid", "country", " vote"]
