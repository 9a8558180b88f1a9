"""Low-level reading shared by the parsers: bytes (gzip-aware), text decoding, CSV tables.

Every failure becomes a :class:`~comity.errors.DataFormatError` that names the file and,
where it can be known, the row and field.
"""

from __future__ import annotations

import gzip
import os
import stat
import struct
import threading
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from comity.errors import DataFormatError

T = TypeVar("T")

GZIP_MAGIC = b"\x1f\x8b"

#: Default limit on the bytes a file may hold once decompressed (``comity ingest --max-size``):
#: 2 GB, about five times the largest known source (the UN Digital Library's GA file, ~360 MB).
DEFAULT_MAX_SIZE = 2_000_000_000
_LIMIT = [DEFAULT_MAX_SIZE]
_LIMIT_LOCK = threading.Lock()


def max_size() -> int:
    """The current limit on a file's decompressed size, in bytes (see :func:`size_limit`)."""
    return _LIMIT[0]


@contextmanager
def size_limit(limit: int | None) -> Iterator[int]:
    """Within the block, files bigger than ``limit`` bytes once decompressed are refused
    (None: :data:`DEFAULT_MAX_SIZE`). The limit is process-wide (parsers run in threads)."""
    value = DEFAULT_MAX_SIZE if limit is None else int(limit)
    if value <= 0:
        raise DataFormatError(f"size limit {value} is not positive", expected="a size > 0")
    with _LIMIT_LOCK:
        before = _LIMIT[0]
        _LIMIT[0] = value
    try:
        yield value
    finally:
        with _LIMIT_LOCK:
            _LIMIT[0] = before


_UNITS = {"": 1, "B": 1, "K": 10**3, "KB": 10**3, "M": 10**6, "MB": 10**6, "G": 10**9,
          "GB": 10**9, "T": 10**12, "TB": 10**12, "KIB": 2**10, "MIB": 2**20, "GIB": 2**30,
          "TIB": 2**40}


def parse_size(text: str) -> int:
    """``"2GB"`` → 2,000,000,000; units B, KB, MB, GB, TB (powers of 1000) and KiB, MiB, GiB,
    TiB (powers of 1024), case-insensitive; a bare number is bytes. ValueError if unreadable."""
    import re

    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([A-Za-z]*)\s*", str(text))
    unit = m.group(2).upper() if m else ""
    if m is None or unit not in _UNITS:
        raise ValueError(f"{text!r} is not a size (expected e.g. 500MB, 2GB, 1GiB)")
    value = int(float(m.group(1)) * _UNITS[unit])
    if value <= 0:
        raise ValueError(f"{text!r} is not a positive size")
    return value


def human_size(n: int) -> str:
    """``2000000000`` → ``2 GB`` (powers of 1000, as :func:`parse_size` reads them)."""
    for unit, f in (("TB", 10**12), ("GB", 10**9), ("MB", 10**6), ("KB", 10**3)):
        if n >= f:
            return f"{n / f:.3g} {unit}"
    return f"{n} bytes"


def label(path: str | Path) -> str:
    """The name used for a file in messages and in the store: its path as given, with any
    byte that is not UTF-8 (a file name in another encoding) written as ``\\xNN``."""
    text = os.fspath(path)
    if isinstance(text, bytes):
        return text.decode("utf-8", "backslashreplace")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return os.fsencode(text).decode("utf-8", "backslashreplace")
    return text


def check_regular(path: str | Path) -> os.stat_result:
    """The file's stat; a located DataFormatError unless it is a regular file (a FIFO, a
    device such as /dev/zero, a socket or a directory would hang or make no sense)."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise DataFormatError("file not found", file=label(path)) from None
    except OSError as exc:
        raise DataFormatError(f"cannot read the file ({exc.strerror})", file=label(path)) \
            from None
    if stat.S_ISDIR(st.st_mode):
        raise DataFormatError("is a directory, expected a file", file=label(path))
    if not stat.S_ISREG(st.st_mode):
        what = ("a FIFO (named pipe)" if stat.S_ISFIFO(st.st_mode) else
                "a character device" if stat.S_ISCHR(st.st_mode) else
                "a block device" if stat.S_ISBLK(st.st_mode) else
                "a socket" if stat.S_ISSOCK(st.st_mode) else "not a regular file")
        raise DataFormatError(f"is {what}, not a regular file; refused", file=label(path),
                              expected="a regular file")
    return st


def _too_big(path: str | Path, size: int | None, limit: int, how: str) -> DataFormatError:
    got = f" ({human_size(size)})" if size is not None else ""
    return DataFormatError(
        f"{how}{got} exceeds the size limit of {human_size(limit)}; refused (raise it with "
        "comity ingest --max-size)", file=label(path))


def read_bytes(path: str | Path, *, expected: str = "a header and data rows") -> bytes:
    """Whole file content, gunzipped when it is gzip (by magic bytes, not by name);
    ``expected`` is what the error for an empty file says the file should hold."""
    raw = read_buffer(path, expected=expected)
    return raw if isinstance(raw, bytes) else raw.to_pybytes()


def read_buffer(path: str | Path, *, expected: str = "a header and data rows"
                ) -> bytes | pa.Buffer:
    """As :func:`read_bytes`, but a gzip file may come back as an Arrow buffer (no copy).

    Only regular files are read; a file (or its decompressed content) bigger than
    :func:`max_size` is refused before it is read (decompressed) in full."""
    p = Path(path)
    st = check_regular(p)
    limit = max_size()
    try:
        with p.open("rb") as fh:
            head = fh.read(2)
            if st.st_size > limit and head != GZIP_MAGIC:
                raise _too_big(path, st.st_size, limit, "the file")
            raw = head + fh.read()
    except OSError as exc:
        raise DataFormatError(f"cannot read the file ({exc.strerror})", file=label(path)) \
            from None
    out: bytes | pa.Buffer = raw
    if raw[:2] == GZIP_MAGIC:
        out = _gunzip(raw, path)
    head = out[:65536]
    if not bytes(head).strip() and not bytes(out).strip():
        raise DataFormatError("file is empty", file=label(path), expected=expected)
    return out


# deflate cannot expand data by more than ~1032:1: a larger stated size is a damaged trailer
_MAX_RATIO = 1032


def _gunzip(raw: bytes, path: str | Path) -> bytes | pa.Buffer:
    """Decompress a gzip file, refusing more than :func:`max_size` bytes of output.

    Arrow does the usual case in one pass into a buffer of the size stated in the trailer
    (zlib checks every member's CRC-32 and length). A stated size above the limit is refused
    at once (the true size is the stated one plus a multiple of 4 GiB); anything unexpected
    (another size, several members, damage) is first inflated without keeping the output,
    counting bytes and stopping as soon as the limit is passed, then decompressed by
    :mod:`gzip`, whose errors are reported."""
    limit = max_size()
    if len(raw) >= 20:
        isize = struct.unpack("<I", raw[-4:])[0]
        if isize > limit:
            raise _too_big(path, isize, limit, "the decompressed size stated in the gzip "
                           "trailer")
        if 0 < isize <= len(raw) * _MAX_RATIO:
            try:
                with pa.CompressedInputStream(pa.BufferReader(raw), "gzip") as stream:
                    buf = stream.read_buffer(isize + 1)
                    more = stream.read_buffer(1).size
                if buf.size == isize and not more:
                    return buf
            except (OSError, ValueError, pa.ArrowException):
                pass
    _inflated_size(raw, path, limit)
    try:
        return gzip.decompress(raw)
    except (EOFError, gzip.BadGzipFile, zlib.error, OSError) as exc:
        raise DataFormatError(
            f"gzip data is damaged or cut short ({exc})", file=label(path),
            expected="a complete gzip stream",
        ) from None


_INFLATE_STEP = 1 << 24


def _inflated_size(raw: bytes, path: str | Path, limit: int) -> int:
    """Bytes that the gzip members in ``raw`` inflate to, counted in steps of 16 MiB without
    keeping them: a DataFormatError as soon as more than ``limit`` come out. Damage is left
    to the caller (:mod:`gzip` reports it)."""
    total = 0
    data = raw
    while data[:2] == GZIP_MAGIC:
        d = zlib.decompressobj(16 + zlib.MAX_WBITS)
        try:
            while True:
                out = d.decompress(data, _INFLATE_STEP)
                total += len(out)
                if total > limit:
                    raise _too_big(path, None, limit, "the decompressed content")
                data = d.unconsumed_tail
                if d.eof or (not data and len(out) < _INFLATE_STEP):
                    break
        except zlib.error:
            return total
        if not d.eof:
            return total
        data = d.unused_data
    return total


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
    names, names_clean = _check_header(first_line, required, path, strip_headers)
    types = types or {}
    include = None
    if columns is not None and len(set(names)) == len(names):
        wanted = set(columns)
        include = [n for n, c in zip(names, names_clean, strict=True) if c in wanted]
    col_types = {n: types.get(c, pa.string()) for n, c in zip(names, names_clean, strict=True)}
    try:
        tbl = _arrow_read(buf, names, col_types, multiline, path, include)
    except _ConversionError:
        _locate_conversion_error(buf, names, names_clean, types, multiline, path, include)
        raise DataFormatError("a value could not be converted", file=label(path)) from None
    if tbl.num_rows == 0:
        raise DataFormatError("no data rows after the header", file=label(path),
                              expected="at least one data row")
    if strip_headers:
        clean = dict(zip(names, names_clean, strict=True))
        tbl = tbl.rename_columns([clean[n] for n in tbl.column_names])
    return tbl


def _locate_conversion_error(buf: pa.Buffer, names: list[str], names_clean: list[str],
                             types: dict[str, pa.DataType], multiline: bool,
                             path: str | Path, include: list[str] | None = None) -> None:
    """The slow path after Arrow refused a typed column: stream the typed columns as text,
    batch by batch, and raise a located DataFormatError at the first value that is not an
    integer (or number) in range. Stops at that batch: memory stays that of a batch."""
    typed = [(n, c) for n, c in zip(names, names_clean, strict=True)
             if c in types and (include is None or n in include)
             and (pa.types.is_integer(types[c]) or pa.types.is_floating(types[c]))]
    if not typed:
        return
    try:
        reader = pacsv.open_csv(
            pa.BufferReader(buf),
            read_options=pacsv.ReadOptions(column_names=names, skip_rows=1,
                                           block_size=1 << 22, use_threads=False),
            parse_options=pacsv.ParseOptions(newlines_in_values=multiline),
            convert_options=pacsv.ConvertOptions(
                column_types={n: pa.string() for n in names},
                include_columns=[n for n, _ in typed], strings_can_be_null=False,
                quoted_strings_can_be_null=False, check_utf8=False))
        base = 0
        for batch in reader:
            for n, c in typed:
                col = batch.column(n).to_pandas().str.strip()
                conv = pd.to_numeric(col.where(col != ""), errors="coerce")
                bad = conv.isna() & (col != "")
                if pa.types.is_integer(types[c]):
                    bad |= conv.notna() & ((conv != conv.round()) | (conv.abs() >= 2.0**63))
                if pa.types.is_integer(types[c]) and not types.get("__nullable__", True):
                    bad |= col == ""
                if bad.any():
                    i = int(bad.to_numpy().argmax())
                    what = "is not a number" if pd.isna(conv.iloc[i]) else "is out of range"
                    raise DataFormatError(
                        f"{col.iloc[i][:40]!r} {what}", file=label(path), row=base + i + 1,
                        field=c, expected="an integer" if pa.types.is_integer(types[c])
                        else "a number")
            base += batch.num_rows
    except pa.ArrowInvalid:
        # a malformed row before any bad value: the one-thread read names it exactly
        _arrow_read(buf, names, {n: pa.string() for n in names}, multiline, path,
                    use_threads=False)


def _check_header(first_line: bytes, required: list[str], path: str | Path,
                  strip_headers: bool) -> tuple[list[str], list[str]]:
    """The header's names as written and as matched (stripped with ``strip_headers``); a
    located error when a required column is missing."""
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
    return names, names_clean


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
                path: str | Path, include: list[str] | None = None,
                use_threads: bool = True) -> pa.Table:
    """Read the whole buffer; a row with the wrong number of fields stops the read at once
    (junk under a valid header costs the time to reach it, not the time to read it all),
    and is then found again by a one-thread read, which knows the first such row exactly."""
    bad_rows: list = []

    def on_invalid(row: object) -> str:
        bad_rows.append(row)
        return "error"

    try:
        tbl = pacsv.read_csv(
            pa.BufferReader(buf),
            read_options=pacsv.ReadOptions(column_names=names, skip_rows=1,
                                           block_size=1 << 22, use_threads=use_threads),
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
        if bad_rows and use_threads:
            # several blocks are parsed at once: the first bad row seen need not be the
            # file's first; one thread reads up to the first one and stops there
            return _arrow_read(buf, names, col_types, multiline, path, include,
                               use_threads=False)
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
                f"row has {b.actual_columns} fields ({(b.text or '')[:60]!r}) "
                "(truncated file?)", file=label(path), row=row,
                expected=f"{b.expected_columns} comma-separated fields per row") from None
        msg = str(exc)
        if "conversion error" in msg.lower():
            raise _ConversionError(msg) from None
        row = _row_from_arrow_message(msg)
        raise DataFormatError(
            f"malformed CSV ({msg.splitlines()[0]})", file=label(path), row=row,
            expected=f"{len(names)} comma-separated fields per row",
        ) from None
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


# -- streaming ----------------------------------------------------------------------------
#: decompressed bytes per Arrow CSV block when a file is read in batches (one thread: the
#: blocks of a streaming read are parsed one after another, and small blocks stay in cache)
STREAM_BLOCK = 1 << 22


def _open_stream(path: str | Path) -> tuple[pa.NativeFile, bytes]:
    """The file's decompressed bytes as an Arrow stream (gzip by magic bytes), and its first
    line (the header, BOM removed); a file whose size (or the size its gzip trailer states)
    is over :func:`max_size` is refused before it is read."""
    p = Path(path)
    st = check_regular(p)
    limit = max_size()
    with p.open("rb") as fh:
        magic = fh.read(2)
        if magic == GZIP_MAGIC and st.st_size >= 20:
            fh.seek(-4, os.SEEK_END)
            isize = struct.unpack("<I", fh.read(4))[0]
            if isize > limit:
                raise _too_big(path, isize, limit, "the decompressed size stated in the gzip "
                               "trailer")
    if magic != GZIP_MAGIC and st.st_size > limit:
        raise _too_big(path, st.st_size, limit, "the file")

    def open_() -> pa.NativeFile:
        raw: pa.NativeFile = pa.OSFile(str(p), "rb")
        return pa.CompressedInputStream(raw, "gzip") if magic == GZIP_MAGIC else raw

    head = b""
    try:
        with open_() as f:
            while b"\n" not in head and len(head) < 1 << 24:
                chunk = f.read(1 << 16)
                if not chunk:
                    break
                head += chunk
    except (OSError, pa.ArrowException) as exc:
        raise DataFormatError(f"cannot read the file ({exc})", file=label(path),
                              expected="a complete (gzip) file") from None
    if not head.strip():
        raise DataFormatError("file is empty", file=label(path), expected="a header and data rows")
    head = head.removeprefix(b"\xef\xbb\xbf")
    nl = head.find(b"\n")
    return open_(), (head[:nl] if nl >= 0 else head)


def read_ahead(items: Iterator[T], depth: int = 2) -> Iterator[T]:
    """``items`` produced in a background thread, at most ``depth`` ahead of the consumer, in
    the same order, with the producer's exception raised where it occurred. The CSV reader
    decodes (releasing the GIL) while the caller checks the batch before: a single-threaded
    reader keeps row numbers exact and batch boundaries the same, and memory stays bounded.
    Stopping early (the consumer's own error, ``close()``) stops the producer."""
    import queue

    q: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()
    done = object()

    def put(item: object) -> bool:
        while not stop.is_set():
            try:
                q.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for x in items:
                if not put((x, None)):
                    return
            put((done, None))
        except BaseException as exc:  # handed to the consumer, raised there
            put((done, exc))
        finally:
            close = getattr(items, "close", None)
            if close is not None:
                close()

    th = threading.Thread(target=produce, name="comity-read-ahead", daemon=True)
    th.start()
    try:
        while True:
            x, exc = q.get()
            if exc is not None:
                raise exc
            if x is done:
                return
            yield x
    finally:
        stop.set()
        th.join()


def iter_csv_batches(path: str | Path, required: list[str], *, strip_headers: bool = False,
                     block_size: int = STREAM_BLOCK) -> Iterator[pa.RecordBatch]:
    """Read a CSV file in record batches of string columns (empty cells ``""``), columns
    matched by NAME, without holding the file in memory: what :func:`read_csv_table`
    checks (required columns, UTF-8, fields per row, at least one data row, the size limit),
    each failure a located DataFormatError (rows counted from 1 after the header)."""
    stream, first_line = _open_stream(path)
    try:
        names, names_clean = _check_header(first_line.rstrip(b"\r"), required, path,
                                           strip_headers)
        bad_rows: list = []

        def on_invalid(row: object) -> str:
            bad_rows.append(row)
            return "skip"

        try:
            reader = pacsv.open_csv(
                stream,
                read_options=pacsv.ReadOptions(column_names=names, skip_rows=1,
                                               block_size=block_size, use_threads=False),
                parse_options=pacsv.ParseOptions(newlines_in_values=True,
                                                 invalid_row_handler=on_invalid),
                convert_options=pacsv.ConvertOptions(
                    column_types={n: pa.string() for n in names},
                    strings_can_be_null=False, quoted_strings_can_be_null=False,
                    check_utf8=True))
        except StopIteration:
            raise DataFormatError("no data rows after the header", file=label(path),
                                  expected="at least one data row") from None
        except pa.ArrowInvalid as exc:
            raise _stream_error(exc, path, len(names), 0) from None
        rename = dict(zip(names, names_clean, strict=True))
        seen, size, limit = 0, 0, max_size()
        while True:
            try:
                batch = reader.read_next_batch()
            except StopIteration:
                break
            except pa.ArrowInvalid as exc:
                raise _stream_error(exc, path, len(names), seen) from None
            except (OSError, pa.ArrowException) as exc:
                raise DataFormatError(f"cannot read the file ({exc})", file=label(path),
                                      expected="a complete (gzip) file") from None
            size += batch.nbytes
            if size > limit:
                raise _too_big(path, None, limit, "the decompressed content")
            if bad_rows:
                b = bad_rows[0]
                raise DataFormatError(
                    f"row has {b.actual_columns} fields ({(b.text or '')[:60]!r}) "
                    "(truncated file?)", file=label(path), row=seen + 1,
                    expected=f"{b.expected_columns} comma-separated fields per row")
            seen += batch.num_rows
            if strip_headers:
                batch = batch.rename_columns([rename[n] for n in batch.schema.names])
            yield batch
        if seen == 0:
            raise DataFormatError("no data rows after the header", file=label(path),
                                  expected="at least one data row")
    finally:
        stream.close()


def _stream_error(exc: Exception, path: str | Path, n_fields: int, seen: int
                  ) -> DataFormatError:
    msg = str(exc).splitlines()[0]
    row = _row_from_arrow_message(msg)
    if "UTF8" in msg or "utf8" in msg.lower():
        return DataFormatError("invalid UTF-8 (wrong encoding?)", file=label(path),
                               row=seen + row if row else None, expected="UTF-8 text")
    return DataFormatError(f"malformed CSV ({msg})", file=label(path),
                           row=seen + row if row else None,
                           expected=f"{n_fields} comma-separated fields per row")
