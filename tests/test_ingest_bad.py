"""Bad input: each case gives a DataFormatError naming file, row and field, and leaves the
store exactly as it was."""

from __future__ import annotations

import gzip
import hashlib
import json
from pathlib import Path

import pytest

from comity.errors import DataFormatError
from comity.store.db import Store
from tests import minidata as M


def store_fingerprint(db: Path) -> str:
    """A digest of every table's full content, in a fixed order."""
    h = hashlib.sha256()
    with Store(db, read_only=True) as s:
        tables = [r[0] for r in s.con.execute(
            "SELECT table_name FROM information_schema.tables ORDER BY table_name").fetchall()]
        for t in tables:
            df = s.con.execute(f'SELECT * FROM "{t}"').df()
            df = df.astype(str)
            df = df.sort_values(list(df.columns)) if len(df) else df
            h.update(t.encode())
            h.update(df.to_csv(index=False).encode())
    return h.hexdigest()


@pytest.fixture
def loaded_db(tmp_path: Path) -> Path:
    d = M.write_all(tmp_path / "good")
    db = tmp_path / "store.duckdb"
    with Store(db) as s:
        s.ingest([d])
    return db


def _attempt(db: Path, path: Path) -> DataFormatError:
    before = store_fingerprint(db)
    with Store(db) as s, pytest.raises(DataFormatError) as info:
        s.ingest([path])
    assert store_fingerprint(db) == before, "store changed after a failed ingest"
    return info.value


def _voeten(tmp: Path, rows: list[str], header: str = M.VOETEN_HEADER, **kw) -> Path:
    return M.write_csv(tmp / "bad_voeten.csv", header, rows, **kw)


def test_truncated_csv(loaded_db: Path, tmp_path: Path) -> None:
    rows = [*M.VOETEN_ROWS[:-1], "11,50,1,380"]  # last row cut short
    err = _attempt(loaded_db, _voeten(tmp_path, rows))
    assert "bad_voeten.csv" in str(err)
    assert err.row is not None


def test_gzip_cut_short(loaded_db: Path, tmp_path: Path) -> None:
    p = _voeten(tmp_path, M.VOETEN_ROWS * 200, gz=True)
    raw = p.read_bytes()
    p.write_bytes(raw[: len(raw) // 2])
    err = _attempt(loaded_db, p)
    assert "gzip" in str(err) and "bad_voeten.csv" in str(err)


def test_wrong_encoding(loaded_db: Path, tmp_path: Path) -> None:
    rows = [*M.UNVOTES_VOTES_ROWS[:3], "11,Côte d'Ivoire,CI,yes"]
    d = tmp_path / "enc"
    d.mkdir()
    M.write_csv(d / "un_votes.csv", M.UNVOTES_VOTES_HEADER, rows, encoding="latin-1")
    M.write_csv(d / "un_roll_calls.csv", M.UNVOTES_RC_HEADER, M.UNVOTES_RC_ROWS)
    err = _attempt(loaded_db, d)
    assert "UTF-8" in str(err) and "un_votes.csv" in str(err)
    assert err.row == 4


def test_required_field_missing(loaded_db: Path, tmp_path: Path) -> None:
    header = M.VOETEN_HEADER.replace("ccode", "country")
    p = _voeten(tmp_path, M.VOETEN_ROWS, header=header)
    # no longer recognisable as Voeten 2016 → nothing recognised in this path
    err = _attempt(loaded_db, p)
    assert "bad_voeten.csv" in str(err)


def test_required_field_missing_direct(tmp_path: Path) -> None:
    from comity.ingest.sources.voeten import parse_voeten2016

    header = M.VOETEN_HEADER.replace(",date,", ",when,")
    p = _voeten(tmp_path, M.VOETEN_ROWS, header=header)
    with pytest.raises(DataFormatError) as info:
        parse_voeten2016(p)
    assert info.value.field == "date" and "bad_voeten.csv" in str(info.value)


def test_columns_reordered_is_fine(tmp_path: Path) -> None:
    from comity.ingest.sources.voeten import parse_voeten2016

    cols = M.VOETEN_HEADER.split(",")
    order = list(reversed(range(len(cols))))
    header = ",".join(cols[i] for i in order)
    rows = [",".join(r.split(",")[i] for i in order) for r in M.VOETEN_ROWS]
    sd = parse_voeten2016(_voeten(tmp_path, rows, header=header))
    sd0 = parse_voeten2016(_voeten(tmp_path / "..", M.VOETEN_ROWS))
    assert sd.votes.sort_values(["key", "state"]).reset_index(drop=True).equals(
        sd0.votes.sort_values(["key", "state"]).reset_index(drop=True))


def test_unknown_vote_code(loaded_db: Path, tmp_path: Path) -> None:
    rows = list(M.VOETEN_ROWS)
    rows[3] = rows[3].replace("10,40,3,220", "10,40,7,220")
    err = _attempt(loaded_db, _voeten(tmp_path, rows))
    assert err.row == 4 and err.field == "vote" and "'7'" in str(err)


def test_duplicate_rows(loaded_db: Path, tmp_path: Path) -> None:
    rows = [*M.VOETEN_ROWS, M.VOETEN_ROWS[1]]
    err = _attempt(loaded_db, _voeten(tmp_path, rows))
    assert "duplicate" in str(err) and err.row == len(rows)


def test_totals_do_not_match_strict(loaded_db: Path, tmp_path: Path) -> None:
    from comity.errors import ValidationError

    rows = [list(r) for r in M.SCRAPE_ROWS]
    rows[0][8] = "5"  # YES COUNT 5 but only 4 Y cells
    rows[0][10] = "101"
    rows[1][10] = "102"
    rows[2][10] = "103"
    p = M.write_csv(tmp_path / "scrape2.csv", M.SCRAPE_META + "," + ",".join(M.SCRAPE_STATES),
                    rows)
    before = store_fingerprint(loaded_db)
    with Store(loaded_db) as s, pytest.raises(ValidationError):
        s.ingest([p], strict=True)
    assert store_fingerprint(loaded_db) == before
    with Store(loaded_db) as s:
        rep = s.ingest([p])
        assert rep.quality.get("tally_mismatch", 0) >= 1
        q = s.quality("tally_mismatch")
        assert (q["rid"] == "A/RES/50/20").any()


def test_unknown_state_name(loaded_db: Path, tmp_path: Path) -> None:
    from comity.errors import UnknownStateError

    rows = [*M.UNVOTES_VOTES_ROWS, "11,Atlantis,AT,yes"]
    d = tmp_path / "unk"
    d.mkdir()
    M.write_csv(d / "un_votes.csv", M.UNVOTES_VOTES_HEADER, rows)
    M.write_csv(d / "un_roll_calls.csv", M.UNVOTES_RC_HEADER, M.UNVOTES_RC_ROWS)
    before = store_fingerprint(loaded_db)
    with Store(loaded_db) as s, pytest.raises((UnknownStateError, DataFormatError)) as info:
        s.ingest([d])
    assert "Atlantis" in str(info.value) and "un_votes.csv" in str(info.value)
    assert store_fingerprint(loaded_db) == before


def test_empty_file(loaded_db: Path, tmp_path: Path) -> None:
    from comity.ingest.sources.voeten import parse_voeten2016

    p = tmp_path / "empty.csv"
    p.write_text("")
    with pytest.raises(DataFormatError) as info:
        parse_voeten2016(p)
    assert "empty" in str(info.value) and "empty.csv" in str(info.value)
    # header only
    p2 = _voeten(tmp_path, [])
    with pytest.raises(DataFormatError) as info2:
        parse_voeten2016(p2)
    assert "no data rows" in str(info2.value)
    # through the store, an empty file is not recognised → no recognised file
    _attempt(loaded_db, p)


def test_directory_without_recognised_file(loaded_db: Path, tmp_path: Path) -> None:
    d = tmp_path / "nothing"
    d.mkdir()
    (d / "README.md").write_text("hello")
    (d / "notes.csv").write_text("a,b\n1,2\n")
    err = _attempt(loaded_db, d)
    assert "no recognised voting file" in str(err) and "nothing" in str(err)


def test_impossible_date(loaded_db: Path, tmp_path: Path) -> None:
    rows = [r.replace("12/10/1985", "12/10/1885") for r in M.VOETEN_ROWS]
    err = _attempt(loaded_db, _voeten(tmp_path, rows))
    assert err.field == "date" and "1885" in str(err)


def test_unxml_bad_json_line(loaded_db: Path, tmp_path: Path) -> None:
    objs = M.unxml_objects()
    text = json.dumps(objs[0]) + "\n" + json.dumps(objs[1])[:-10] + "\n"
    p = tmp_path / "bad.json.gz"
    p.write_bytes(gzip.compress(text.encode()))
    err = _attempt(loaded_db, p)
    assert err.row == 2 and "bad.json.gz" in str(err)


def test_unxml_missing_field(tmp_path: Path) -> None:
    from comity.ingest.sources.unxml import parse_unxml

    objs = M.unxml_objects()
    del objs[1]["adoption_date"]
    p = tmp_path / "x.json"
    p.write_text("\n".join(json.dumps(o) for o in objs))
    with pytest.raises(DataFormatError) as info:
        parse_unxml(p)
    assert info.value.row == 2 and info.value.field == "adoption_date"


def test_state_voting_outside_membership_is_reported(tmp_path: Path) -> None:
    # South Sudan (admitted 2011) voting in 1995: kept, and reported with file and row
    rows = [*M.UNVOTES_VOTES_ROWS, "11,South Sudan,SS,yes"]
    d = tmp_path / "outside"
    d.mkdir()
    M.write_csv(d / "un_votes.csv", M.UNVOTES_VOTES_HEADER, rows)
    M.write_csv(d / "un_roll_calls.csv", M.UNVOTES_RC_HEADER, M.UNVOTES_RC_ROWS)
    with Store(tmp_path / "s.duckdb") as s:
        s.ingest([d])
        q = s.quality("outside_membership")
    assert len(q) == 1
    assert "SSD" in q["detail"].iloc[0] and "un_votes.csv" in q["detail"].iloc[0]
    assert "row 10" in q["detail"].iloc[0]
