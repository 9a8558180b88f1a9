"""Low-level reading shared by the parsers: bytes (gzip-aware), text decoding, CSV tables.

Every failure becomes a :class:`~comity.errors.DataFormatError` that names the file and,
where it can be known, the row and field.
"""

from __future__ import annotations

import gzip
import struct
import zlib
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from comity.errors import DataFormatError

GZIP_MAGIC = b"\x1f\x8b"


def label(path: str | Path) -> str:
    """The name used for a file in messages: its path as given."""
    return str(path)


def read_bytes(path: str | Path) -> bytes:
    """Whole file content, gunzipped when it is gzip (by magic bytes, not by name)."""
    raw = read_buffer(path)
    return raw if isinstance(raw, bytes) else raw.to_pybytes()


def read_buffer(path: str | Path) -> bytes | pa.Buffer:
    """As :func:`read_bytes`, but a gzip file may come back as an Arrow buffer (no copy)."""
    p = Path(path)
    try:
        raw = p.read_bytes()
    except FileNotFoundError:
        raise DataFormatError("file not found", file=label(path)) from None
    except IsADirectoryError:
        raise DataFormatError("is a directory, expected a file", file=label(path)) from None
    out: bytes | pa.Buffer = raw
    if raw[:2] == GZIP_MAGIC:
        out = _gunzip(raw, path)
    head = out[:65536]
    if not bytes(head).strip() and not bytes(out).strip():
        raise DataFormatError("file is empty", file=label(path), expected="a header and data rows")
    return out


# deflate cannot expand data by more than ~1032:1: a larger stated size is a damaged trailer
_MAX_RATIO = 1032


def _gunzip(raw: bytes, path: str | Path) -> bytes | pa.Buffer:
    """Decompress a gzip file. Arrow does the usual case in one pass into a buffer of the
    size stated in the trailer (zlib checks every member's CRC-32 and length); anything
    unexpected (another size, damage) goes through :mod:`gzip`, whose errors are reported."""
    if len(raw) >= 20:
        isize = struct.unpack("<I", raw[-4:])[0]
        if 0 < isize <= len(raw) * _MAX_RATIO:
            try:
                with pa.CompressedInputStream(pa.BufferReader(raw), "gzip") as stream:
                    buf = stream.read_buffer(isize + 1)
                    more = stream.read_buffer(1).size
                if buf.size == isize and not more:
                    return buf
            except (OSError, ValueError, pa.ArrowException):
                pass
    try:
        return gzip.decompress(raw)
    except (EOFError, gzip.BadGzipFile, zlib.error, OSError) as exc:
        raise DataFormatError(
            f"gzip data is damaged or cut short ({exc})", file=label(path),
            expected="a complete gzip stream",
        ) from None


def decode_utf8(raw: bytes, path: str | Path) -> str:
    """Decode UTF-8 (BOM stripped); on failure name the line where the bad byte is."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise DataFormatError(
            f"invalid UTF-8 byte {raw[exc.start:exc.start + 1]!r} at line {line} "
            "(wrong encoding?)", file=label(path), row=max(line - 1, 1),
            expected="UTF-8 text",
        ) from None
    return text.removeprefix("\ufeff")


def check_utf8(raw: bytes | pa.Buffer, path: str | Path) -> None:
    """Raise a located DataFormatError if ``raw`` is not valid UTF-8 (cheap when it is:
    Arrow validates the bytes in place, without decoding them)."""
    buf = pa.py_buffer(raw) if not isinstance(raw, pa.Buffer) else raw
    offsets = pa.py_buffer(struct.pack("<qq", 0, buf.size))
    try:
        pa.LargeStringArray.from_buffers(1, offsets, buf).validate(full=True)
    except pa.ArrowInvalid:
        decode_utf8(bytes(raw), path)


def read_csv_table(
    path: str | Path,
    required: list[str],
    *,
    raw: bytes | pa.Buffer | None = None,
    strip_headers: bool = False,
    types: dict[str, pa.DataType] | None = None,
    multiline: bool = True,
    columns: list[str] | None = None,
) -> pa.Table:
    """Read a CSV file into an Arrow table, columns matched by NAME.

    ``required`` columns must all be present (order does not matter, extra columns are
    kept unless ``columns`` names the only ones wanted: the others are then still parsed,
    so every row must have the header's number of fields, but not converted). Columns in
    ``types`` are converted by Arrow (fast); a value that does not convert raises a
    DataFormatError naming its row and field. Other columns are strings, empty cells ``""``.
    ``multiline`` allows quoted newlines in values (slower).
    """
    if raw is None:
        raw = read_buffer(path)
    buf = raw if isinstance(raw, pa.Buffer) else pa.py_buffer(raw)
    check_utf8(buf, path)
    if bytes(buf[:3]) == b"\xef\xbb\xbf":
        buf = buf[3:]
    head = bytes(buf[:1 << 20])
    nl = head.find(b"\n")
    first_line = head[:nl] if nl >= 0 else bytes(buf)
    names = _header_names(first_line, path)
    names_clean = [n.strip() for n in names] if strip_headers else names
    missing = [c for c in required if c not in names_clean]
    if missing:
        raise DataFormatError(
            f"required column(s) {', '.join(repr(m) for m in missing)} missing; header has "
            f"{', '.join(repr(n[:30]) for n in names_clean[:8])}"
            f"{' …' if len(names_clean) > 8 else ''}",
            file=label(path), row=0, field=missing[0], expected="a header naming every "
            f"required column: {', '.join(required)}",
        )
    types = types or {}
    include = None
    if columns is not None and len(set(names)) == len(names):
        wanted = set(columns)
        include = [n for n, c in zip(names, names_clean, strict=True) if c in wanted]
    col_types = {n: types.get(c, pa.string()) for n, c in zip(names, names_clean, strict=True)}
    try:
        tbl = _arrow_read(buf, names, col_types, multiline, path, include)
    except _ConversionError:
        # locate the offending value on the slow path
        tbl = _arrow_read(buf, names, {n: pa.string() for n in names}, multiline, path, include)
        for n, c in zip(names, names_clean, strict=True):
            if c not in types or n not in tbl.column_names:
                continue
            col = tbl.column(n).to_pandas().str.strip()
            conv = pd.to_numeric(col.where(col != ""), errors="coerce")
            bad = conv.isna() & (col != "")
            if pa.types.is_integer(types[c]):
                bad |= conv.notna() & (conv != conv.round())
            if pa.types.is_integer(types[c]) and not types.get("__nullable__", True):
                bad |= col == ""
            if bad.any():
                i = int(bad.to_numpy().argmax())
                raise DataFormatError(f"{col.iloc[i]!r} is not a number", file=label(path),
                                      row=i + 1, field=c, expected="an integer") from None
        raise DataFormatError("a value could not be converted", file=label(path)) from None
    if tbl.num_rows == 0:
        raise DataFormatError("no data rows after the header", file=label(path),
                              expected="at least one data row")
    if strip_headers:
        clean = dict(zip(names, names_clean, strict=True))
        tbl = tbl.rename_columns([clean[n] for n in tbl.column_names])
    return tbl


def _header_names(first_line: bytes, path: str | Path) -> list[str]:
    """The header's column names: the first line read as a data row with Arrow's type
    inference, each value as ``str`` (null as "")."""
    def read(types: bool) -> pa.Table:
        n = first_line.count(b",") + 1
        convert = pacsv.ConvertOptions(column_types={f"f{i}": pa.string() for i in range(n)})
        return pacsv.read_csv(
            pa.BufferReader(first_line + b"\n"),
            read_options=pacsv.ReadOptions(autogenerate_column_names=True),
            convert_options=convert if types else None,
        )

    try:
        # inference costs ~35 µs a column: read the names as text, and infer only when
        # some name could be read as something else (null, number, boolean, date, time)
        tbl = read(True)
        raw = [c[0].as_py() if len(c) else None for c in tbl.columns]
        if not all(n is not None and _plain_name(n) for n in raw):
            row = read(False).to_pylist()[0]
            raw = list(row.values())
    except pa.ArrowInvalid as exc:
        raise DataFormatError(f"unreadable header ({exc})", file=label(path), row=0) from None
    return [str(n) if n is not None else "" for n in raw]


_NOT_TEXT_CHARS = frozenset("0123456789abcdefABCDEFxX \t+-.:/TZ")  # numbers (hex too), dates
_NOT_TEXT_WORDS = frozenset({
    "", "#n/a", "#n/a n/a", "#na", "-1.#ind", "-1.#qnan", "-nan", "1.#ind", "1.#qnan", "n/a",
    "na", "null", "nan", "true", "false", "inf", "infinity"})


def _plain_name(name: str) -> bool:
    """Is ``name`` certainly read as a string by Arrow's inference (not null, a number, a
    boolean or a date/time)? Conservative: False means "maybe not"."""
    low = name.strip().lower()
    return (not all(ch in _NOT_TEXT_CHARS for ch in name)
            and low not in _NOT_TEXT_WORDS and low.lstrip("+-") not in _NOT_TEXT_WORDS)


class _ConversionError(Exception):
    pass


def _arrow_read(buf: pa.Buffer, names: list[str], col_types: dict, multiline: bool,
                path: str | Path, include: list[str] | None = None) -> pa.Table:
    bad_rows: list = []

    def on_invalid(row: object) -> str:
        bad_rows.append(row)
        return "skip"

    try:
        tbl = pacsv.read_csv(
            pa.BufferReader(buf),
            read_options=pacsv.ReadOptions(column_names=names, skip_rows=1,
                                           block_size=1 << 22),
            parse_options=pacsv.ParseOptions(newlines_in_values=multiline,
                                             invalid_row_handler=on_invalid),
            convert_options=pacsv.ConvertOptions(
                column_types=col_types,
                include_columns=include,
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
                check_utf8=False,  # the whole file was checked by check_utf8
            ),
        )
    except pa.ArrowInvalid as exc:
        msg = str(exc)
        if "conversion error" in msg.lower():
            raise _ConversionError(msg) from None
        row = _row_from_arrow_message(msg)
        raise DataFormatError(
            f"malformed CSV ({msg.splitlines()[0]})", file=label(path), row=row,
            expected=f"{len(names)} comma-separated fields per row",
        ) from None
    if bad_rows:
        b = bad_rows[0]
        text = (b.text or "").encode()
        line = b.number
        if line is None and text:
            raw = buf.to_pybytes()
            pos = raw.find(text)
            line = raw.count(b"\n", 0, pos) + 1 if pos >= 0 else None
        row = line - 1 if line else None
        raise DataFormatError(
            f"row has {b.actual_columns} fields ({b.text[:60]!r}); "
            f"{len(bad_rows)} malformed row(s) in all (truncated file?)",
            file=label(path), row=row,
            expected=f"{b.expected_columns} comma-separated fields per row")
    return tbl


_SCAN_STEP = 1 << 23  # bytes scanned at a time by select_rows


def select_rows(buf: bytes | pa.Buffer, n_rows: int, rows: np.ndarray) -> bytes | None:
    """The header line and data rows ``rows`` (0-based, any order) of a CSV file read with
    ``multiline=False`` into ``n_rows`` rows, as a small CSV file; ``None`` unless each
    row is exactly one line (no CR, no blank line), which is checked.

    Lets a parser convert columns it needs for a few rows only (e.g. the first row of each
    roll call) without converting them for every row. The file is scanned in slices, so
    little memory is needed beside it."""
    data = np.frombuffer(buf, dtype=np.uint8)
    size = len(data)
    if not size:
        return None
    want = np.concatenate(([0], np.asarray(rows, dtype=np.int64) + 1))  # line numbers
    order = np.argsort(want, kind="stable")
    wanted = want[order]
    starts = np.full(len(want), -1, dtype=np.int64)
    ends = np.full(len(want), -1, dtype=np.int64)
    line_no = 0  # newlines before the slice
    prev_nl = -1  # position of the last newline before the slice
    step = _SCAN_STEP
    for off in range(0, size, step):
        piece = data[off:off + step]
        ctl = np.flatnonzero(piece <= 13)  # one pass finds both LF and CR
        ctl_val = piece[ctl]
        if (ctl_val == 13).any():
            return None
        nl = ctl[ctl_val == 10] + off
        if not len(nl):
            continue
        if nl[0] == prev_nl + 1 or (np.diff(nl) == 1).any():  # a blank line
            return None
        lo, hi = np.searchsorted(wanted, [line_no, line_no + len(nl)])
        if hi > lo:
            k = wanted[lo:hi] - line_no  # line line_no + k ends at nl[k]
            ends[order[lo:hi]] = nl[k]
            starts[order[lo:hi]] = np.where(k > 0, nl[k - 1] + 1, prev_nl + 1)
        line_no += len(nl)
        prev_nl = int(nl[-1])
    if data[-1] != 10:  # a last line without newline
        last = wanted == line_no
        ends[order[last]] = size
        starts[order[last]] = prev_nl + 1
        line_no += 1
    if line_no != n_rows + 1 or (ends < 0).any():
        return None
    mv = memoryview(buf)
    return b"\n".join(mv[s:e] for s, e in zip(starts.tolist(), ends.tolist(),
                                             strict=True)) + b"\n"


def read_csv_strings(
    path: str | Path,
    required: list[str],
    *,
    raw: bytes | pa.Buffer | None = None,
    strip_headers: bool = False,
    multiline: bool = True,
) -> pd.DataFrame:
    """:func:`read_csv_table` with every column as strings, as a pandas DataFrame."""
    return read_csv_table(path, required, raw=raw, strip_headers=strip_headers,
                          multiline=multiline).to_pandas()


def _row_from_arrow_message(msg: str) -> int | None:
    import re

    m = re.search(r"[Rr]ow #?(\d+)", msg)
    return int(m.group(1)) if m else None


def first_bad_row(mask: pd.Series | object, rows: pd.Series | None = None) -> int:
    """1-based row of the first True in ``mask`` (or its value in ``rows``)."""
    import numpy as np

    arr = np.asarray(mask, dtype=bool)
    i = int(np.argmax(arr))
    if rows is not None:
        return int(np.asarray(rows)[i])
    return i + 1
