"""Audit of malformed input (issue 19): every case is refused with one line naming the file,
row and field (or the file and what is wrong with it) and leaves the store as it was.

The corpus is generated here, from the tiny hand-written files of ``tests/minidata.py`` and
``tests/fixtures/sc`` with one value changed; the only big input is a gzip bomb (~6 MB that
inflate to 6 GiB), built in a fraction of a second from one repeated deflate block.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import struct
import sys
import time
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from comity.errors import DataFormatError, StoreError
from comity.store.db import SCHEMA, Store
from tests import minidata as M
from tests.test_ingest_bad import store_fingerprint

SC_FIX = Path(__file__).resolve().parent / "fixtures" / "sc"
BIG = "100000000000000000000000"  # 10^23


# -- writing the corpus -----------------------------------------------------------------------
def _csv(header: str, rows: list[str], edits: dict[tuple[int, str], str]) -> str:
    """``header`` + ``rows`` with ``edits[(row, column)] = value`` (rows 1-based)."""
    cols = header.split(",")
    parsed = [next(csv.reader([r])) for r in rows]
    for (r, col), value in edits.items():
        parsed[r - 1][cols.index(col)] = value
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(cols)
    w.writerows(parsed)
    return out.getvalue()


SUPP_HEADER = "resolution,date,body,state,vote,source_url"
SUPP_ROWS = ["A/RES/ES-11/7,2025-02-24,GA,USA,N,https://digitallibrary.un.org/record/4076357",
             "A/RES/ES-11/7,2025-02-24,GA,UKR,Y,https://digitallibrary.un.org/record/4076357"]
SHEET_HEADER = "ID,Date,Resolution,Draft,Outcome results,Vote,Member State"
SHEET_ROWS = ["1,2024-01-15,2722 (2024),S/2024/40,Adopted unanimously,Yes,China",
              "1,2024-01-15,2722 (2024),S/2024/40,Adopted unanimously,Yes,France"]
SCRAPE_HEADER = M.SCRAPE_META + "," + ",".join(M.SCRAPE_STATES)
SCRAPE_ROWS = [",".join(M._q(c) for c in r) for r in M.SCRAPE_ROWS]


def voeten(**edits: str) -> Callable[[Path], Path]:
    """A Voeten 2016 file with edits given as ``col_row=value`` (``session_1="-5"``)."""
    def make(d: Path) -> Path:
        e = {(int(k.rsplit("_", 1)[1]), k.rsplit("_", 1)[0]): v for k, v in edits.items()}
        p = d / "voeten.csv"
        p.write_text(_csv(M.VOETEN_HEADER, M.VOETEN_ROWS, e), encoding="utf-8")
        return p
    return make


def unvotes(table: str, row: int, col: str, value: str) -> Callable[[Path], Path]:
    """The unvotes votes + roll calls side by side, one value changed in ``table``."""
    def make(d: Path) -> Path:
        u = d / "unvotes"
        u.mkdir()
        vt = {(row, col): value} if table == "votes" else {}
        rc = {(row, col): value} if table == "roll_calls" else {}
        (u / "un_votes.csv").write_text(
            _csv(M.UNVOTES_VOTES_HEADER, M.UNVOTES_VOTES_ROWS, vt), encoding="utf-8")
        (u / "un_roll_calls.csv").write_text(
            _csv(M.UNVOTES_RC_HEADER, M.UNVOTES_RC_ROWS, rc), encoding="utf-8")
        return u
    return make


def table(name: str, header: str, rows: list[str], row: int, col: str,
          value: str) -> Callable[[Path], Path]:
    def make(d: Path) -> Path:
        p = d / name
        p.write_text(_csv(header, rows, {(row, col): value}), encoding="utf-8")
        return p
    return make


def replaced(name: str, fixture: str, old: str, new: str, append: str = ""
             ) -> Callable[[Path], Path]:
    """A copy of an SC fixture with ``old`` replaced by ``new`` once (and a line appended)."""
    def make(d: Path) -> Path:
        text = (SC_FIX / fixture).read_text(encoding="utf-8")
        assert old in text
        p = d / name
        p.write_text(text.replace(old, new, 1) + append, encoding="utf-8")
        return p
    return make


def sheet_xlsx(date: object) -> Callable[[Path], Path]:
    """The SC drafts sheet as a real workbook, with a date cell (not text)."""
    def make(d: Path) -> Path:
        import openpyxl

        wb = openpyxl.Workbook()
        ws = wb.active
        ws.append(SHEET_HEADER.split(","))
        for r in SHEET_ROWS:
            cells: list[object] = r.split(",")
            cells[1] = date
            ws.append(cells)
        p = d / "sheet.xlsx"
        wb.save(p)
        return p
    return make


@dataclass(frozen=True)
class Case:
    id: str
    make: Callable[[Path], Path]
    file: str  # the file the error names (its name)
    row: int | None
    field: str | None
    text: str  # in the message


CORPUS = [
    # -- Voeten 2016 (items 7, 8, 10) --------------------------------------------------------
    Case("voeten-session-negative", voeten(session_1="-5"), "voeten.csv", 1, "session",
         "'-5' is out of range"),
    Case("voeten-session-1e23", voeten(session_1=BIG), "voeten.csv", 1, "session",
         "out of range"),
    Case("voeten-session-list", voeten(session_1="[40, 41]"), "voeten.csv", 1, "session",
         "not a number"),
    Case("voeten-date-9999", voeten(date_1="12/31/9999"), "voeten.csv", 1, "date",
         "'12/31/9999' is out of range"),
    Case("voeten-date-0001", voeten(date_7="1/1/0001"), "voeten.csv", 7, "date",
         "'1/1/0001' is out of range"),
    Case("voeten-later-date-differs", voeten(date_3="12/11/1985"), "voeten.csv", 3, "date",
         "roll call 10 has date '12/11/1985' here but '12/10/1985' on row 1"),
    Case("voeten-later-date-garbage", voeten(date_2="13/45/1985"), "voeten.csv", 2, "date",
         "'13/45/1985'"),
    Case("voeten-later-session-differs", voeten(session_4="41"), "voeten.csv", 4, "session",
         "here but '40' on row 1"),
    Case("voeten-later-unres-differs", voeten(unres_9="R/50/21"), "voeten.csv", 9, "unres",
         "roll call 11 has unres 'R/50/21'"),
    Case("voeten-later-issue-differs", voeten(me_6="0"), "voeten.csv", 6, "me",
         "here but '1' on row 1"),
    Case("voeten-importantvote-7", voeten(importantvote_1="7"), "voeten.csv", 1,
         "importantvote", "'7' is not 0/1"),
    Case("voeten-rcid-1e23", voeten(rcid_2=BIG), "voeten.csv", 2, "rcid", "out of range"),
    Case("voeten-ccode-1e23", voeten(ccode_3=BIG), "voeten.csv", 3, "ccode", "out of range"),
    Case("voeten-vote-list", voeten(vote_2="[1]"), "voeten.csv", 2, "vote", "not a number"),
    # -- unvotes ----------------------------------------------------------------------------
    Case("unvotes-session-negative", unvotes("roll_calls", 1, "session", "-5"),
         "un_roll_calls.csv", 1, "session", "'-5' is out of range"),
    Case("unvotes-session-1e23", unvotes("roll_calls", 2, "session", BIG),
         "un_roll_calls.csv", 2, "session", "out of range"),
    Case("unvotes-date-9999", unvotes("roll_calls", 1, "date", "9999-12-31"),
         "un_roll_calls.csv", 1, "date", "'9999-12-31' is out of range"),
    Case("unvotes-date-0001", unvotes("roll_calls", 2, "date", "0001-01-01"),
         "un_roll_calls.csv", 2, "date", "'0001-01-01' is out of range"),
    Case("unvotes-rcid-1e23", unvotes("votes", 3, "rcid", BIG), "un_votes.csv", 3, "rcid",
         "out of range"),
    Case("unvotes-amend-list", unvotes("roll_calls", 1, "amend", "[0]"), "un_roll_calls.csv",
         1, "amend", "is not 0/1"),
    # -- the UNDL wide scrape ---------------------------------------------------------------
    Case("scrape-yes-negative", table("scrape.csv", SCRAPE_HEADER, SCRAPE_ROWS, 1,
                                      "YES COUNT", "-3"),
         "scrape.csv", 1, "YES COUNT", "'-3' is out of range"),
    Case("scrape-no-1e23", table("scrape.csv", SCRAPE_HEADER, SCRAPE_ROWS, 2, "NO COUNT", BIG),
         "scrape.csv", 2, "NO COUNT", "out of range"),
    Case("scrape-abstain-list", table("scrape.csv", SCRAPE_HEADER, SCRAPE_ROWS, 3,
                                      "ABSENT COUNT", "[1, 2]"),
         "scrape.csv", 3, "ABSENT COUNT", "not a number"),
    Case("scrape-nonvoting-fraction", table("scrape.csv", SCRAPE_HEADER, SCRAPE_ROWS, 1,
                                            "NO-VOTE COUNT", "1.5"),
         "scrape.csv", 1, "NO-VOTE COUNT", "not a whole number"),
    Case("scrape-yes-absurd", table("scrape.csv", SCRAPE_HEADER, SCRAPE_ROWS, 3,
                                    "YES COUNT", "5000"),
         "scrape.csv", 3, "YES COUNT", "'5000' is out of range"),
    Case("scrape-date-9999", table("scrape.csv", SCRAPE_HEADER, SCRAPE_ROWS, 2, "Date",
                                   "9999-12-31"),
         "scrape.csv", 2, "Date", "'9999-12-31' is out of range"),
    Case("scrape-date-0001", table("scrape.csv", SCRAPE_HEADER, SCRAPE_ROWS, 1, "Date",
                                   "0001-01-01"),
         "scrape.csv", 1, "Date", "'0001-01-01' is out of range"),
    Case("scrape-cell-list", table("scrape.csv", SCRAPE_HEADER, SCRAPE_ROWS, 2, "CANADA",
                                   "['Y']"),
         "scrape.csv", 2, "CANADA", "unknown vote code"),
    # -- supplements ------------------------------------------------------------------------
    Case("supplement-date-9999", table("supp.csv", SUPP_HEADER, SUPP_ROWS, 2, "date",
                                       "9999-12-31"),
         "supp.csv", 2, "date", "'9999-12-31' is out of range"),
    Case("supplement-date-0001", table("supp.csv", SUPP_HEADER, SUPP_ROWS, 1, "date",
                                       "0001-01-01"),
         "supp.csv", 1, "date", "'0001-01-01' is out of range"),
    Case("supplement-vote-list", table("supp.csv", SUPP_HEADER, SUPP_ROWS, 2, "vote", "['Y']"),
         "supp.csv", 2, "vote", "unknown vote code"),
    Case("supplement-state-dict", table("supp.csv", SUPP_HEADER, SUPP_ROWS, 1, "state",
                                        '{"code": "USA"}'),
         "supp.csv", 1, "state", '{"code": "USA"}'),
    Case("supplement-body-list", table("supp.csv", SUPP_HEADER, SUPP_ROWS, 1, "body", "[GA]"),
         "supp.csv", 1, "body", "unknown body"),
    Case("supplement-date-differs", table("supp.csv", SUPP_HEADER, SUPP_ROWS, 2, "date",
                                          "2025-02-25"),
         "supp.csv", 2, "date", "one date per resolution"),
    # -- the SC drafts sheet ----------------------------------------------------------------
    Case("sheet-date-9999", table("sheet.csv", SHEET_HEADER, SHEET_ROWS, 1, "Date",
                                  "9999-12-31"),
         "sheet.csv", 1, "Date", "'9999-12-31' is out of range"),
    Case("sheet-date-0001", table("sheet.csv", SHEET_HEADER, SHEET_ROWS, 2, "Date",
                                  "0001-01-01"),
         "sheet.csv", 2, "Date", "'0001-01-01' is out of range"),
    Case("sheet-id-1e23", table("sheet.csv", SHEET_HEADER, SHEET_ROWS, 1, "ID", BIG),
         "sheet.csv", 1, "ID", "out of range"),
    Case("sheet-id-negative", table("sheet.csv", SHEET_HEADER, SHEET_ROWS, 2, "ID", "-5"),
         "sheet.csv", 2, "ID", "out of range"),
    Case("sheet-vote-list", table("sheet.csv", SHEET_HEADER, SHEET_ROWS, 1, "Vote", "[Yes]"),
         "sheet.csv", 1, "Vote", "unknown vote"),
    Case("sheet-xlsx-date-cell-9999", sheet_xlsx(dt.datetime(9999, 12, 31)), "sheet.xlsx", 1,
         "Date", "'9999-12-31' is out of range"),
    # Excel has no dates before 1900: the cell comes back as a time of day
    Case("sheet-xlsx-date-cell-0001", sheet_xlsx(dt.datetime(1, 1, 1)), "sheet.xlsx", 1,
         "Date", "unparseable date '00:00:00'"),
    # -- the veto list ----------------------------------------------------------------------
    Case("vetoes-date-9999", replaced("vetoes.csv", "unsc_vetoes.csv", "2/20/2024",
                                      "12/31/9999"),
         "vetoes.csv", 4, "date", "'12/31/9999' is out of range"),
    Case("vetoes-date-0001", replaced("vetoes.csv", "unsc_vetoes.csv", "2/16/1946",
                                      "1/1/0001"),
         "vetoes.csv", 1, "date", "'1/1/0001' is out of range"),
    Case("vetoes-year-1e23", replaced("vetoes.csv", "unsc_vetoes.csv", "\n1990,", f"\n{BIG},"),
         "vetoes.csv", 3, "year", "out of range"),
    Case("vetoes-year-negative", replaced("vetoes.csv", "unsc_vetoes.csv", "\n1976,", "\n-5,"),
         "vetoes.csv", 2, "year", "'-5' is out of range"),
    # -- the DPPA membership list -----------------------------------------------------------
    Case("membership-year-1e23", replaced("m.csv", "dppa_sc_membership.csv", "id,", "id,",
                                          f"32,{BIG},Japan,x\n"),
         "m.csv", 32, "year", f"year {BIG} is impossible"),
    Case("membership-year-negative", replaced("m.csv", "dppa_sc_membership.csv", "id,", "id,",
                                              "32,-5,Japan,x\n"),
         "m.csv", 32, "year", "year -5 is impossible"),
    Case("membership-year-list", replaced("m.csv", "dppa_sc_membership.csv", "id,", "id,",
                                          '32,"[2024, 2025]",Japan,x\n'),
         "m.csv", 32, "year", "is not a year"),
]


# -- the store every case is tried against ---------------------------------------------------
@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    d = M.write_all(tmp_path_factory.mktemp("good"))
    db = tmp_path_factory.mktemp("store") / "store.duckdb"
    with Store(db) as s:
        s.ingest([d])
    return db, store_fingerprint(db)


def _refused(base: tuple[Path, str], path: Path, *, fmt: str = "auto",
             **kw: object) -> DataFormatError:
    db, before = base
    with Store(db) as s, pytest.raises(DataFormatError) as info:
        s.ingest([path], fmt=fmt, **kw)  # type: ignore[arg-type]
    assert store_fingerprint(db) == before, "the store changed after a refused file"
    msg = str(info.value)
    assert "\n" not in msg
    return info.value


@pytest.mark.parametrize("case", CORPUS, ids=[c.id for c in CORPUS])
def test_corpus(case: Case, base: tuple[Path, str], tmp_path: Path) -> None:
    path = case.make(tmp_path)
    err = _refused(base, path)
    assert err.file is not None and err.file.endswith(case.file), str(err)
    assert (err.row, err.field) == (case.row, case.field), str(err)
    assert case.text in str(err)


def test_corpus_is_large_enough() -> None:
    assert len(CORPUS) >= 45


def test_real_voeten_rows_agree_within_each_roll_call(real_data: Path) -> None:
    """Item 10 holds on the real file: no roll-call field differs between rows (so every
    disagreement is an error, not a quality note), and the file still parses."""
    from comity.ingest.sources.voeten import parse_voeten2016

    sd = parse_voeten2016(real_data / "voeten_unvotes_published_2016.csv.gz")
    assert len(sd.resolutions) == 5429 and len(sd.votes) == 812092


# -- item 8: what is not a regular file, names that are not UTF-8 ------------------------------
@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_fifo_is_refused(base: tuple[Path, str], tmp_path: Path) -> None:
    fifo = tmp_path / "votes.csv"
    os.mkfifo(fifo)
    for fmt in ("auto", "supplement"):
        err = _refused(base, fifo, fmt=fmt)
        assert err.file == str(fifo) and "FIFO" in str(err) and "not a regular file" in str(err)


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero")
def test_dev_zero_is_refused(base: tuple[Path, str]) -> None:
    err = _refused(base, Path("/dev/zero"), fmt="supplement")
    assert err.file == "/dev/zero" and "character device" in str(err)


def test_directory_of_nothing_is_refused(base: tuple[Path, str], tmp_path: Path) -> None:
    d = tmp_path / "empty"
    d.mkdir()
    (d / "notes.txt").write_text("not votes\n")
    err = _refused(base, d, fmt="supplement")
    assert err.file == str(d) and "no recognised voting file in this directory" in str(err)


def _latin1_name(tmp_path: Path, stem: bytes) -> Path:
    name = os.fsdecode(stem + b"\xe9.csv")
    try:
        (tmp_path / name).write_bytes(b"")
    except (UnicodeEncodeError, OSError):
        pytest.skip("this file system takes UTF-8 names only")
    return tmp_path / name


def test_non_utf8_name_bad_content(base: tuple[Path, str], tmp_path: Path) -> None:
    p = _latin1_name(tmp_path, b"caf")
    p.write_text(_csv(SUPP_HEADER, SUPP_ROWS, {(2, "vote"): "Maybe"}), encoding="utf-8")
    err = _refused(base, p)
    assert err.file is not None and err.file.endswith("caf\\xe9.csv")
    assert (err.row, err.field) == (2, "vote")
    str(err).encode("utf-8")  # printable


def test_non_utf8_name_good_content_ingests(tmp_path: Path) -> None:
    p = _latin1_name(tmp_path, b"caf")
    p.write_text(_csv(SUPP_HEADER, SUPP_ROWS, {}), encoding="utf-8")
    with Store(tmp_path / "s.duckdb") as s:
        rep = s.ingest([p])
        files = [r[0] for r in s.con.execute("SELECT file FROM ingests").fetchall()]
    assert rep.loaded and files == [str(tmp_path / "caf\\xe9.csv")]


# -- item 6: sizes -----------------------------------------------------------------------------
def _bomb(path: Path, *, gib: int = 6, header: bytes = SUPP_HEADER.encode() + b"\n",
          isize: int | None = None) -> Path:
    """A gzip file: a first member holding ``header``, then ``gib`` GiB of zero bytes in a
    second member of ~6 MB (one 16 MiB deflate block, fully flushed, repeated), with the
    trailer's size field true (mod 2^32) or ``isize``; the CRC is not computed (zero)."""
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = c.compress(bytes(1 << 24)) + c.flush(zlib.Z_FULL_FLUSH)
    n = gib * (1 << 30) // (1 << 24)
    true = n << 24
    first = zlib.compressobj(9, zlib.DEFLATED, 31)
    member1 = first.compress(header) + first.flush()
    member2 = (b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03" + block * n + c.flush()
               + struct.pack("<II", 0, (true if isize is None else isize) & 0xFFFFFFFF))
    path.write_bytes(member1 + member2)
    return path


def test_gzip_bomb_refused_quickly(base: tuple[Path, str], tmp_path: Path) -> None:
    p = _bomb(tmp_path / "supp.csv.gz")
    assert p.stat().st_size < 8_000_000
    t0 = time.perf_counter()
    err = _refused(base, p)  # detected as a supplement by its first line, then refused
    assert time.perf_counter() - t0 < 20
    assert err.file == str(p) and "exceeds the size limit of 2 GB" in str(err)
    assert "--max-size" in str(err)


def test_gzip_bomb_with_forged_trailer(base: tuple[Path, str], tmp_path: Path) -> None:
    """The trailer says 1,000 bytes: inflated in steps without keeping them, refused as soon
    as the limit is passed."""
    p = _bomb(tmp_path / "supp.csv.gz", gib=1, isize=1000)
    t0 = time.perf_counter()
    err = _refused(base, p, max_size=10_000_000)
    assert time.perf_counter() - t0 < 20
    assert "decompressed content exceeds the size limit of 10 MB" in str(err)


def test_plain_file_over_the_limit(base: tuple[Path, str], tmp_path: Path) -> None:
    p = tmp_path / "supp.csv"
    p.write_text(_csv(SUPP_HEADER, SUPP_ROWS * 20, {}), encoding="utf-8")
    err = _refused(base, p, max_size=1000)
    assert err.file == str(p) and "the file (" in str(err) and "1 KB" in str(err)


def test_workbook_bomb(base: tuple[Path, str], tmp_path: Path) -> None:
    p = tmp_path / "sheet.xlsx"
    with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/workbook.xml", "<workbook/>")
        zf.writestr("xl/sharedStrings.xml", "<sst><si><t>Outcome results</t></si>"
                    "<si><t>Member State</t></si></sst>")
        zf.writestr("xl/worksheets/sheet1.xml", bytes(5_000_000))
    err = _refused(base, p, max_size=1_000_000)
    assert err.file == str(p) and "the workbook inflates to 5 MB" in str(err)


def test_good_files_pass_under_the_limit(tmp_path: Path) -> None:
    d = M.write_all(tmp_path / "good")
    with Store(tmp_path / "s.duckdb") as s:
        rep = s.ingest([d], max_size=100_000)
    assert len(rep.loaded) == 4


def test_parse_size() -> None:
    from comity.ingest.sources._io import parse_size

    assert parse_size("2GB") == 2_000_000_000 and parse_size("1GiB") == 2**30
    assert parse_size("500 mb") == 500_000_000 and parse_size("1234") == 1234
    for bad in ("two", "1XB", "0", "-5MB"):
        with pytest.raises(ValueError):
            parse_size(bad)


# -- item 9: a full disk, a half-made store ---------------------------------------------------
class _FullDisk:
    """A connection whose COMMIT fails as DuckDB's does on a full disk: the transaction is
    over (rolled back) and an IOException is raised."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self._con = con

    def __getattr__(self, name: str) -> object:
        return getattr(self._con, name)

    def execute(self, sql: str, *args: object) -> object:
        if sql.strip().upper() == "COMMIT":
            self._con.execute("ROLLBACK")
            raise duckdb.IOException('IO Error: Could not write file "store.duckdb.wal": '
                                     "No space left on device")
        return self._con.execute(sql, *args)


def test_disk_full_reports_the_first_cause(base: tuple[Path, str], tmp_path: Path) -> None:
    db, before = base
    p = tmp_path / "supp.csv"
    p.write_text(_csv(SUPP_HEADER, SUPP_ROWS, {}), encoding="utf-8")
    with Store(db) as s:
        real = s.con
        s.con = _FullDisk(real)  # type: ignore[assignment]
        with pytest.raises(StoreError) as info:
            s.ingest([p])
        s.con = real
    msg = str(info.value)
    assert "No space left on device" in msg and "no transaction is active" not in msg
    assert "\n" not in msg and str(db) in msg
    assert store_fingerprint(db) == before


def test_interrupted_creation_leaves_nothing_half_made(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "new.duckdb"

    def killed(self: Store) -> None:
        raise KeyboardInterrupt  # as a kill in the middle of the schema

    with monkeypatch.context() as m:
        m.setattr(Store, "_write_reference_tables", killed)
        with pytest.raises(KeyboardInterrupt):
            Store(db)
    # the creation was one transaction: nothing of it is left; opening repairs
    con = duckdb.connect(str(db))
    assert con.execute("SELECT count(*) FROM information_schema.tables").fetchall()[0][0] == 0
    con.close()
    with Store(db, read_only=True) as s:
        info = s.info()
    assert info["counts"]["resolutions"] == 0 and info["ingests"] == []


def _half_made(db: Path) -> None:
    """What an older comity left when killed after its first statements: the tables of
    SCHEMA (ingests without ``verified``) and the version, but no reference or canonical
    tables."""
    con = duckdb.connect(str(db))
    con.execute(SCHEMA.replace(', "at" TIMESTAMP, verified VARCHAR)', ', "at" TIMESTAMP)'))
    con.execute("INSERT INTO meta VALUES ('schema_version', '2')")
    con.close()


def test_half_made_store_repairs_itself_read_only(tmp_path: Path) -> None:
    db = tmp_path / "half.duckdb"
    _half_made(db)
    with Store(db, read_only=True) as s:  # `comity info` opens read-only
        info = s.info()
    assert info["counts"] == {"resolutions": 0, "recorded": 0, "votes": 0, "states": 0}


def test_half_made_store_repairs_itself_for_ingest(tmp_path: Path) -> None:
    db = tmp_path / "half.duckdb"
    _half_made(db)
    with Store(db) as s:
        rep = s.ingest([M.write_all(tmp_path / "good")])
        assert rep.counts["resolutions"] > 0
        assert {r[0] for r in s.con.execute("SELECT verified FROM ingests").fetchall()} == {
            "unverified"}


def test_old_store_gets_the_verified_column(tmp_path: Path) -> None:
    db = tmp_path / "old.duckdb"
    with Store(db) as s:
        s.ingest([M.write_all(tmp_path / "good")])
    con = duckdb.connect(str(db))
    con.execute("ALTER TABLE ingests DROP COLUMN verified")
    n = con.execute("SELECT count(*) FROM ingests").fetchall()[0][0]
    con.close()
    with Store(db, read_only=True) as s:
        rows = s.info()["ingests"]
    assert len(rows) == n and all(r["verified"] is None for r in rows)


# -- the command line: one line on stderr, the exit code of the error ------------------------
def _cli(argv: list[str], capsys: pytest.CaptureFixture[str],
         monkeypatch: pytest.MonkeyPatch) -> tuple[int, str]:
    from comity.cli.app import main

    monkeypatch.setattr(sys, "argv", ["comity", *argv])
    code = 0
    try:
        main()
    except SystemExit as exc:
        code = int(exc.code or 0)
    return code, capsys.readouterr().err


def _one_line(err: str) -> str:
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1, err
    assert lines[0].startswith("error: "), err
    return lines[0]


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero")
def test_cli_dev_zero(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                      monkeypatch: pytest.MonkeyPatch) -> None:
    code, err = _cli(["--db", str(tmp_path / "s.duckdb"), "ingest", "--no-predict",
                      "--format", "supplement", "/dev/zero"], capsys, monkeypatch)
    assert code == 3
    assert _one_line(err).startswith("error: /dev/zero: is a character device")


def test_cli_bomb_and_max_size(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                               monkeypatch: pytest.MonkeyPatch) -> None:
    p = _bomb(tmp_path / "supp.csv.gz", gib=1, isize=1000)
    code, err = _cli(["--db", str(tmp_path / "s.duckdb"), "ingest", "--no-predict",
                      "--max-size", "5MB", str(p)], capsys, monkeypatch)
    assert code == 3 and "exceeds the size limit of 5 MB" in _one_line(err)
    code, err = _cli(["--db", str(tmp_path / "s.duckdb"), "ingest", "--max-size", "lots",
                      str(p)], capsys, monkeypatch)
    assert code == 2 and "--max-size" in err


@pytest.mark.parametrize(("case_id", "where"), [
    ("supplement-date-9999", "row 2, field 'date'"),
    ("scrape-no-1e23", "row 2, field 'NO COUNT'"),
    ("voeten-later-date-differs", "row 3, field 'date'"),
    ("sheet-xlsx-date-cell-9999", "row 1, field 'Date'"),
])
def test_cli_bad_values(case_id: str, where: str, tmp_path: Path,
                        capsys: pytest.CaptureFixture[str],
                        monkeypatch: pytest.MonkeyPatch) -> None:
    case = next(c for c in CORPUS if c.id == case_id)
    p = case.make(tmp_path)
    code, err = _cli(["--db", str(tmp_path / "s.duckdb"), "ingest", "--no-predict", str(p)],
                     capsys, monkeypatch)
    line = _one_line(err)
    assert code == 3 and where in line and case.file in line


def test_cli_disk_full(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                       monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "s.duckdb"
    Store(db).close()  # created before the disk "fills"
    p = tmp_path / "supp.csv"
    p.write_text(_csv(SUPP_HEADER, SUPP_ROWS, {}), encoding="utf-8")
    real_connect = Store._connect

    def connect(self: Store, read_only: bool) -> object:
        con = real_connect(self, read_only)
        return con if read_only else _FullDisk(con)

    monkeypatch.setattr(Store, "_connect", connect)
    code, err = _cli(["--db", str(db), "ingest", "--no-predict", str(p)], capsys, monkeypatch)
    assert code == 5 and "No space left on device" in _one_line(err)


def test_cli_info_on_half_made_store(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "half.duckdb"
    _half_made(db)
    code, _ = _cli(["--db", str(db), "info", "--json"], capsys, monkeypatch)
    assert code == 0
