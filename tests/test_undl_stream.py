"""The UNDL parsers read their file in batches (bounded memory, issue 20): the result must
not depend on where the batches break, and an error found in a later batch names its row."""

from __future__ import annotations

import csv
import gzip
from pathlib import Path

import pandas as pd
import pytest

from comity.errors import DataFormatError
from comity.ingest.sources import _io, undl
from comity.ingest.sources.undl import parse_undl_ga, parse_undl_sc
from tests.test_undl import GA_FILES, SC_FILE, read_rows


def _frames(sd: object) -> dict[str, pd.DataFrame]:
    out = {}
    for name in ("resolutions", "votes", "quality"):
        df = getattr(sd, name).copy()
        for c in df.columns:
            if isinstance(df[c].dtype, pd.CategoricalDtype):
                df[c] = df[c].astype(object)
        out[name] = df.reset_index(drop=True)
    return out


def _same(a: object, b: object) -> None:
    fa, fb = _frames(a), _frames(b)
    for name in fa:
        pd.testing.assert_frame_equal(fa[name], fb[name], check_dtype=True)


@pytest.mark.parametrize("block", [1 << 10, 1 << 12, 3001])
@pytest.mark.parametrize("kind", ["ga", "sc"])
def test_batches_do_not_change_the_result(monkeypatch: pytest.MonkeyPatch, block: int,
                                          kind: str) -> None:
    path = GA_FILES[5] if kind == "ga" else SC_FILE
    parse = parse_undl_ga if kind == "ga" else parse_undl_sc
    whole = parse(path)
    seen = []
    real = _io.iter_csv_batches

    def counting(p: Path, r: list[str], strip_headers: bool):
        for b in real(p, r, strip_headers=strip_headers, block_size=block):
            seen.append(b.num_rows)
            yield b

    monkeypatch.setattr(undl, "iter_csv_batches", counting)
    parts = parse(path)
    assert len(seen) > 3  # really read in several batches
    assert sum(seen) == len(whole.votes)
    _same(whole, parts)


def _write(path: Path, header: list[str], rows: list[dict], gz: bool = False) -> Path:
    opener = gzip.open if gz else open
    with opener(path, "wt", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=header)
        w.writeheader()
        w.writerows(rows)
    return path


def test_gzip_and_plain_give_the_same_rows(tmp_path: Path) -> None:
    header, rows = read_rows(GA_FILES[5])
    plain = _write(tmp_path / "ga.csv", header, rows)
    gz = _write(tmp_path / "ga.csv.gz", header, rows, gz=True)
    a, b = parse_undl_ga(plain), parse_undl_ga(gz)
    assert len(a.votes) == len(rows)
    fa, fb = _frames(a), _frames(b)
    pd.testing.assert_frame_equal(fa["votes"], fb["votes"])
    pd.testing.assert_frame_equal(fa["resolutions"], fb["resolutions"])


@pytest.mark.parametrize(("field", "value", "message"), [
    ("ms_vote", "Q", "unknown vote code 'Q'"),
    ("date", "31/02/2024", "unparseable date '31/02/2024'"),
    ("undl_id", "", "empty value"),
    ("total_yes", "999", "record"),  # differs from its record's first row
])
def test_an_error_in_a_later_batch_names_its_row(monkeypatch: pytest.MonkeyPatch,
                                                 tmp_path: Path, field: str, value: str,
                                                 message: str) -> None:
    header, rows = read_rows(GA_FILES[5])
    target = len(rows) - 2  # near the end: in the last batches
    key = rows[target]["undl_id"]
    first_of_record = min(i for i, r in enumerate(rows) if r["undl_id"] == key)
    assert first_of_record < target
    rows[target][field] = value
    path = _write(tmp_path / "ga.csv", header, rows)
    # the streaming reader alone (no whole-file re-read for the exact row)
    monkeypatch.setattr(undl, "_EXACT_ERRORS_BELOW", 0)
    real = _io.iter_csv_batches
    monkeypatch.setattr(undl, "iter_csv_batches",
                        lambda p, r, strip_headers: real(p, r, strip_headers=strip_headers,
                                                         block_size=1 << 10))
    with pytest.raises(DataFormatError) as ei:
        parse_undl_ga(path)
    err = ei.value
    assert message in str(err)
    assert err.row == target + 1
    assert err.field == field
    assert "ga.csv" in str(err)


def test_a_file_over_the_size_limit_is_refused_before_reading(tmp_path: Path) -> None:
    header, rows = read_rows(GA_FILES[5])
    path = _write(tmp_path / "ga.csv", header, rows)
    with _io.size_limit(1000), pytest.raises(DataFormatError, match="size limit"):
        parse_undl_ga(path)


def test_a_forged_gzip_size_is_caught_while_streaming(tmp_path: Path) -> None:
    header, rows = read_rows(GA_FILES[5])
    many = [dict(r, undl_id=f"{r['undl_id']}{i}") for i in range(60) for r in rows]
    path = _write(tmp_path / "ga.csv.gz", header, many, gz=True)
    raw = bytearray(path.read_bytes())
    raw[-4:] = (10).to_bytes(4, "little")  # states 10 bytes
    path.write_bytes(bytes(raw))
    with _io.size_limit(50_000), pytest.raises(DataFormatError, match="size limit"):
        list(_io.iter_csv_batches(path, ["undl_id"], block_size=1 << 12))


# --- read_ahead: batches decoded in a background thread, handed over in order ------------------

def test_read_ahead_keeps_order_and_raises_where_the_producer_failed() -> None:
    def gen():
        yield from range(5)
        raise DataFormatError("bad row", file="f.csv", row=6, field="x")

    got: list[int] = []
    with pytest.raises(DataFormatError, match=r"f\.csv, row 6, field 'x'"):
        for x in _io.read_ahead(gen(), depth=2):
            got.append(x)
    assert got == [0, 1, 2, 3, 4]  # every item before the error, none lost or reordered
    assert list(_io.read_ahead(iter(range(100)), depth=1)) == list(range(100))
    assert list(_io.read_ahead(iter([]))) == []


def test_read_ahead_stops_and_closes_the_producer_when_the_consumer_stops() -> None:
    import threading

    closed = threading.Event()
    produced: list[int] = []

    def gen():
        try:
            for i in range(10_000):
                produced.append(i)
                yield i
        finally:
            closed.set()

    it = _io.read_ahead(gen(), depth=2)
    assert [next(it) for _ in range(3)] == [0, 1, 2]
    it.close()
    assert closed.wait(5)
    assert len(produced) <= 3 + 2 + 1  # never more than `depth` ahead (+ the one in hand)
    assert not any(t.name == "comity-read-ahead" for t in threading.enumerate())
