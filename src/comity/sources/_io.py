"""Low-level reading shared by the parsers: bytes (gzip-aware), text decoding, CSV tables.

Every failure becomes a :class:`~comity.errors.DataFormatError` that names the file and,
where it can be known, the row and field.
"""

from __future__ import annotations

import gzip
import io
import zlib
from pathlib import Path

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
    p = Path(path)
    try:
        raw = p.read_bytes()
    except FileNotFoundError:
        raise DataFormatError("file not found", file=label(path)) from None
    except IsADirectoryError:
        raise DataFormatError("is a directory, expected a file", file=label(path)) from None
    if raw[:2] == GZIP_MAGIC:
        try:
            raw = gzip.decompress(raw)
        except (EOFError, gzip.BadGzipFile, zlib.error, OSError) as exc:
            raise DataFormatError(
                f"gzip data is damaged or cut short ({exc})", file=label(path),
                expected="a complete gzip stream",
            ) from None
    if not raw[:65536].strip() and not raw.strip():
        raise DataFormatError("file is empty", file=label(path), expected="a header and data rows")
    return raw


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


def check_utf8(raw: bytes, path: str | Path) -> None:
    """Raise a located DataFormatError if ``raw`` is not valid UTF-8 (cheap when it is)."""
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        decode_utf8(raw, path)


def read_csv_table(
    path: str | Path,
    required: list[str],
    *,
    raw: bytes | None = None,
    strip_headers: bool = False,
    types: dict[str, pa.DataType] | None = None,
    multiline: bool = True,
) -> pa.Table:
    """Read a CSV file into an Arrow table, columns matched by NAME.

    ``required`` columns must all be present (order does not matter, extra columns are
    kept). Columns in ``types`` are converted by Arrow (fast); a value that does not convert
    raises a DataFormatError naming its row and field. Other columns are strings, empty cells
    ``""``. ``multiline`` allows quoted newlines in values (slower).
    """
    if raw is None:
        raw = read_bytes(path)
    check_utf8(raw, path)
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        header_names = pacsv.read_csv(
            io.BytesIO(raw[: raw.find(b"\n") if b"\n" in raw[:1 << 20] else len(raw)] + b"\n"),
            read_options=pacsv.ReadOptions(autogenerate_column_names=True),
        ).to_pylist()[0]
    except pa.ArrowInvalid as exc:
        raise DataFormatError(f"unreadable header ({exc})", file=label(path), row=0) from None
    names = [str(n) if n is not None else "" for n in header_names.values()]
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
    col_types = {n: types.get(c, pa.string()) for n, c in zip(names, names_clean, strict=True)}
    try:
        tbl = _arrow_read(raw, names, col_types, multiline, path)
    except _ConversionError:
        # locate the offending value on the slow path
        tbl = _arrow_read(raw, names, {n: pa.string() for n in names}, multiline, path)
        for n, c in zip(names, names_clean, strict=True):
            if c not in types:
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
        tbl = tbl.rename_columns(names_clean)
    return tbl


class _ConversionError(Exception):
    pass


def _arrow_read(raw: bytes, names: list[str], col_types: dict, multiline: bool,
                path: str | Path) -> pa.Table:
    bad_rows: list = []

    def on_invalid(row: object) -> str:
        bad_rows.append(row)
        return "skip"

    try:
        tbl = pacsv.read_csv(
            io.BytesIO(raw),
            read_options=pacsv.ReadOptions(column_names=names, skip_rows=1,
                                           block_size=1 << 22),
            parse_options=pacsv.ParseOptions(newlines_in_values=multiline,
                                             invalid_row_handler=on_invalid),
            convert_options=pacsv.ConvertOptions(
                column_types=col_types,
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
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
            pos = raw.find(text)
            line = raw.count(b"\n", 0, pos) + 1 if pos >= 0 else None
        row = line - 1 if line else None
        raise DataFormatError(
            f"row has {b.actual_columns} fields ({b.text[:60]!r}); "
            f"{len(bad_rows)} malformed row(s) in all (truncated file?)",
            file=label(path), row=row,
            expected=f"{b.expected_columns} comma-separated fields per row")
    return tbl


def read_csv_strings(
    path: str | Path,
    required: list[str],
    *,
    raw: bytes | None = None,
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
