"""Helpers shared by several parsers: symbols, sessions, dates, vote codes, frames."""

from __future__ import annotations

import itertools
import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from comity.errors import DataFormatError
from comity.ingest.sources.base import RESOLUTION_COLUMNS, VOTE_COLUMNS

_ROMAN_VALUES = [
    (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"),
]


def roman(n: int) -> str:
    out = []
    for value, letters in _ROMAN_VALUES:
        while n >= value:
            out.append(letters)
            n -= value
    return "".join(out)


def from_roman(s: str) -> int:
    vals = {"I": 1, "V": 5, "X": 10, "L": 50}
    total = 0
    prev = 0
    for ch in reversed(s.upper()):
        v = vals[ch]
        total = total - v if v < prev else total + v
        prev = max(prev, v)
    return total


_OLD_STYLE = re.compile(r"^A/RES/(\d+)\((ES-)?([IVXL]+)\)(.*)$")
_NEW_STYLE = re.compile(r"^A/RES/(?:(ES|S)-(\d+)/)?(\d+)/(\d+)(.*)$")


def session_from_symbol(symbols: pd.Series) -> pd.Series:
    """Regular session number from a normalised GA symbol (NA where it cannot be told).

    ``A/RES/68/262`` → 68, ``A/RES/377(V)`` → 5; emergency/special-session symbols
    (``A/RES/ES-11/1``) → NA (their regular session comes from the date).
    """
    s = symbols.fillna("").astype(str)
    vals = s.tolist()
    if not all(v.isascii() for v in vals):  # Unicode digits: the general (pandas) path
        return _session_from_symbol_pandas(s)
    out: list[int | None] = []
    for v in vals:
        m = _SESSION_NEW.search(v)
        if m is not None:
            out.append(int(m.group(1)))
            continue
        m = _SESSION_OLD.search(v)
        out.append(from_roman(m.group(1)) if m is not None else None)
    return pd.Series(pd.array(out, dtype="Int64"), index=symbols.index)


_SESSION_NEW = re.compile(r"^A/RES/(\d+)/\d+")
_SESSION_OLD = re.compile(r"^A/RES/\d+\(([IVXL]+)\)")
_SPECIAL = re.compile(r"^A/RES/((?:ES|S)-\d+)/")


def _session_from_symbol_pandas(s: pd.Series) -> pd.Series:
    out = pd.Series(pd.NA, index=s.index, dtype="Int64")
    new = s.str.extract(_SESSION_NEW.pattern)
    m = new[0].notna()
    out[m] = new.loc[m, 0].astype(int)
    old = s.str.extract(_SESSION_OLD.pattern)
    m2 = old[0].notna()
    if m2.any():
        out[m2] = old.loc[m2, 0].map(from_roman).astype(int)
    return out


def session_from_date(dates: pd.Series) -> pd.Series:
    """Regular GA session in progress on each date (sessions open in mid-September).

    Session 1 ran 1946-01-10 → 1947-09; session n opens in September of 1945 + n.
    """
    d = pd.to_datetime(dates)
    year = d.dt.year
    sess = year - 1945 - (d.dt.month < 9).astype("Int64")
    sess = sess.where(sess >= 1, 1)
    return sess.astype("Int64")


def special_from_symbol(symbols: pd.Series) -> pd.Series:
    s = symbols.fillna("").astype(str)
    found = []
    for v in s.tolist():
        m = _SPECIAL.search(v)
        found.append(m.group(1) if m is not None else None)
    ext = pd.Series(found, index=s.index, dtype=s.dtype, name=0)  # as str.extract names it
    return ext.where(ext.notna(), None)


def voeten_unres_to_symbol(unres: pd.Series, session: pd.Series) -> pd.Series:
    """Voeten/unvotes ``unres`` (``R/26/2758A``, ``R/68/262``, ``A/RES/72/91``) → symbol.

    Sessions 1–30 numbered resolutions consecutively with the session in Roman numerals,
    ``A/RES/2758(XXVI)``; from session 31 on, ``A/RES/31/1``. Parts (``A``, ``B``) are kept.
    """
    s = unres.fillna("").astype(str)
    # as ``.str.replace(r"\s+", "", regex=True).str.upper()``: Python's re (pandas' choice
    # for \s), then Arrow's upper-casing (pandas' for Arrow strings), over the values
    no_ws = [_WS_RUN.sub("", v) for v in s.tolist()]
    upper = pc.utf8_upper(pa.array(no_ws, type=pa.string())).to_pylist()
    out: list[str | None] = []
    for v in upper:
        m = _UNRES.search(v)
        if m is None:
            out.append(v if v != "" else None)
            continue
        sess_txt, num, rest = m.groups()
        sess = int(sess_txt) if sess_txt.isascii() else pd.to_numeric(
            pd.Series([sess_txt]), errors="coerce").iloc[0]
        if sess >= 31:
            out.append("A/RES/" + sess_txt + "/" + num + rest)
        elif sess < 31:
            out.append("A/RES/" + num + "(" + roman(int(sess)) + ")" + rest)
        else:  # not a number pandas can read
            out.append(None)
    return pd.Series(out, index=s.index, dtype=object)


_WS_RUN = re.compile(r"\s+")
_UNRES = re.compile(r"^(?:R|A/RES)/(\d+)/(\d+)(.*)$")


def parse_dates(values: pd.Series, formats: list[str], *, file: str | None = None,
                field: str | None = None, rows: pd.Series | np.ndarray | None = None
                ) -> pd.Series:
    """Parse text dates trying each format in turn (vectorised); NaT where none fits.

    A date that fits a format but lies outside the range pandas can hold (before 1677-09-22
    or after 2262-04-11: ``9999-12-31``, ``0001-01-01``) is NaT too, unless ``file`` is
    given: then it is a DataFormatError naming the file, the row (``rows`` at its position,
    else position + 1) and ``field``."""
    if not values.index.is_unique:  # positions, not labels
        out_u = parse_dates(values.reset_index(drop=True), formats, file=file, field=field,
                            rows=rows)
        return pd.Series(out_u.to_numpy(), index=values.index)
    todo_s = values.notna() & (values.astype(str).str.strip() != "")
    out = np.full(len(values), np.datetime64("NaT"), dtype="datetime64[ns]")
    far = np.zeros(len(values), dtype=bool)
    todo = todo_s.to_numpy(dtype=bool, copy=True)
    for fmt in formats:
        if not todo.any():
            break
        pos = np.flatnonzero(todo)
        got = pd.to_datetime(values.iloc[pos], format=fmt, errors="coerce")
        got_ns, got_far = _as_ns(got)
        ok = ~np.isnat(got_ns) | got_far
        out[pos[ok]] = got_ns[ok]
        far[pos[got_far]] = True
        todo[pos[ok]] = False
    _far_error(values, far, file=file, field=field, rows=rows)
    return pd.Series(out, index=values.index)


_NS_LO = np.datetime64(pd.Timestamp.min.ceil("D").date(), "us")
_NS_HI = np.datetime64(pd.Timestamp.max.floor("D").date(), "us")


def _as_ns(got: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Parsed dates (any unit) as datetime64[ns] values, NaT where they do not fit; and the
    mask of those that did not fit."""
    if isinstance(got.dtype, pd.DatetimeTZDtype):
        got = got.dt.tz_convert(None)
    arr = got.to_numpy()
    us = arr.astype("datetime64[us]")
    far = ~np.isnat(us) & ((us < _NS_LO) | (us > _NS_HI))
    if far.any():
        us = us.copy()
        us[far] = np.datetime64("NaT")
    return us.astype("datetime64[ns]"), far


def _far_error(values: pd.Series, far: np.ndarray, *, file: str | None, field: str | None,
               rows: pd.Series | np.ndarray | None) -> None:
    if file is None or not far.any():
        return
    i = int(np.argmax(far))
    row = int(np.asarray(rows)[i]) if rows is not None else i + 1
    raise DataFormatError(f"date {str(values.iloc[i]).strip()[:40]!r} is out of range",
                          file=file, row=row, field=field,
                          expected="a date between 1945-10-24 and today")


#: the most states a tally can count (193 members today; the bound leaves room)
MAX_COUNT = 300
#: the widest range :func:`to_int` accepts by default: the store keeps counts and sessions in
#: 32-bit INTEGER columns
INT32_MAX = 2**31 - 1


def _parse_dates_by_label(values: pd.Series, formats: list[str],
                          todo: pd.Series) -> pd.Series:
    """:func:`parse_dates` written label by label (the reference the tests compare it
    with; dates outside pandas' range are NaT)."""
    out = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
    todo = todo.copy()
    for fmt in formats:
        if not todo.any():
            break
        got = pd.to_datetime(values[todo], format=fmt, errors="coerce")
        got = pd.Series(_as_ns(got)[0], index=got.index)
        ok = got.notna()
        out[got.index[ok]] = got[ok]
        todo[got.index[ok]] = False
    return out


def to_int(values: pd.Series, *, file: str, field: str, rows: pd.Series | None = None,
           allow_blank: bool = True, lo: int | None = 0, hi: int | None = INT32_MAX,
           what: str = "an integer") -> pd.Series:
    """Text → nullable Int64; non-numeric text, or a value outside ``lo``..``hi`` (default: 0
    to 2^31 - 1; None: no bound), raises a DataFormatError naming the row and field.
    ``what`` names the value in messages (``a count``, ``a session number``)."""
    from comity.ingest.sources._io import first_bad_row

    s = values.astype(str).str.strip()
    blank = s.isin(_BLANKS)
    num = _plain_ints(s, blank, allow_blank)
    if num is None:
        num = pd.to_numeric(s.where(~blank), errors="coerce")
        bad = num.isna() & ~blank
        if bad.any():
            i = first_bad_row(bad, rows)
            raise DataFormatError(f"{s[bad].iloc[0][:40]!r} is not a number", file=file,
                                  row=i, field=field, expected=what)
        if not allow_blank and blank.any():
            raise DataFormatError("empty value", file=file, row=first_bad_row(blank, rows),
                                  field=field, expected=what)
        frac = num.notna() & (num != np.floor(num.fillna(0)))
        if frac.any():
            raise DataFormatError(f"{s[frac].iloc[0][:40]!r} is not a whole number",
                                  file=file, row=first_bad_row(frac, rows), field=field,
                                  expected=what)
    low = -(2.0**63) if lo is None else lo
    high = 2.0**63 - 1 if hi is None else hi
    vals = num.astype("Float64") if not pd.api.types.is_float_dtype(num) else num
    out = vals.notna() & ((vals < low) | (vals > high))
    if out.any():
        rng = (f"from {lo} to {hi}" if lo is not None and hi is not None else
               f"at least {lo}" if lo is not None else f"at most {hi}")
        raise DataFormatError(f"{s[out.to_numpy(dtype=bool)].iloc[0][:40]!r} is out of range",
                              file=file, row=first_bad_row(out.to_numpy(dtype=bool), rows),
                              field=field, expected=f"{what} {rng}")
    return num if num.dtype == "Int64" else num.astype("Int64")


_BLANKS = ["", "N.A.", "NA", "nan", "None"]


def _plain_ints(s: pd.Series, blank: pd.Series, allow_blank: bool) -> pd.Series | None:
    """:func:`to_int`'s result when every value of ``s`` is blank or up to 15 ASCII digits
    (converted by Arrow, exactly as pd.to_numeric would), else None."""
    arr = getattr(s.array, "_pa_array", None)
    if arr is None or arr.null_count or not (pa.types.is_string(arr.type)
                                             or pa.types.is_large_string(arr.type)):
        return None
    digits = pc.match_substring_regex(arr, r"^[0-9]{1,15}$")
    isblank = pa.chunked_array([pa.array(blank.to_numpy(dtype=bool))])
    if not pc.all(pc.or_(digits, isblank), min_count=0).as_py():
        return None
    if not allow_blank and blank.any():
        return None
    num = pc.cast(pc.if_else(digits, arr, pa.scalar(None, pa.string())), pa.int64())
    return pd.Series(pd.array(num, dtype="Int64"), index=s.index, name=s.name)


def check_date_range(dates: pd.Series, *, file: str, field: str, rows: pd.Series) -> None:
    """Impossible dates (before the UN or in the future) raise a located error."""
    lo, hi = pd.Timestamp("1945-10-24"), pd.Timestamp.now() + pd.Timedelta(days=1)
    bad = dates.notna() & ((dates < lo) | (dates > hi))
    if bad.any():
        i = int(np.argmax(bad.to_numpy()))
        raise DataFormatError(
            f"impossible date {dates.iloc[i].date()}", file=file, row=int(rows.iloc[i]),
            field=field, expected="a date between 1945-10-24 and today",
        )


_RESOLUTION_DEFAULTS: dict[str, object] = {
    "special": None, "symbol": None, "title": None, "agenda": None, "subjects": None,
    "important": pd.NA, "amend": False, "para": False, "adoption": "recorded",
    "outcome": "adopted",
    "yes": pd.NA, "no": pd.NA, "abstain": pd.NA, "non_voting": pd.NA, "link": None,
    "draft": None, "committee_report": None, "meeting": None, "total_ms": pd.NA,
    "modality": None,
}
_AS_INT64 = frozenset(("yes", "no", "abstain", "non_voting", "session", "total_ms"))
_AS_BOOLEAN = frozenset(("important", "amend", "para"))


def finish_resolutions(df: pd.DataFrame) -> pd.DataFrame:
    """Fill the optional columns and order them as the contract says."""
    cols: dict[str, pd.Series] = {}
    for col in RESOLUTION_COLUMNS:
        if col in df.columns:
            s = df[col]
        elif col in _RESOLUTION_DEFAULTS:
            val = _RESOLUTION_DEFAULTS[col]
            s = (pd.Series([None] * len(df), index=df.index, dtype=object) if val is None
                 else pd.Series(val, index=df.index))  # as ``df[col] = val`` makes it
        else:
            raise KeyError(col)
        if col in _AS_INT64:
            s = s.astype("Int64")
        elif col in _AS_BOOLEAN:
            s = s.astype("boolean")
        elif col == "date":
            s = pd.to_datetime(s)
        elif col == "row":
            s = s.astype("int64")
        elif col == "key":
            s = s.astype(str)
        cols[col] = s
    return pd.DataFrame(cols, index=df.index).reset_index(drop=True)


def finish_votes(df: pd.DataFrame) -> pd.DataFrame:
    df["row"] = df["row"].astype("int64")
    df["key"] = df["key"].astype(str)
    return df[VOTE_COLUMNS].reset_index(drop=True)


def check_duplicates(votes: pd.DataFrame, *, file: str) -> None:
    """Two rows for the same (resolution, state) are an error naming both rows."""
    dup = votes.duplicated(["key", "state"], keep=False)
    if dup.any():
        d = votes[dup].sort_values(["key", "state", "row"])
        first = d.iloc[0]
        rows = d[(d.key == first.key) & (d.state == first.state)]["row"].tolist()
        raise DataFormatError(
            f"duplicate vote rows for state {first.state} on {first.key} (rows "
            f"{', '.join(map(str, rows[:5]))}); {int(dup.sum())} duplicated rows in all",
            file=file, row=int(rows[1]) if len(rows) > 1 else int(rows[0]), field="state",
            expected="one row per (resolution, state)",
        )


def session_to_midyear(sessions: pd.Series) -> pd.Series:
    """A date inside regular session ``n`` (1 Dec of 1945 + n): used only to pick a
    state's code when a roll call has no date."""
    n = pd.to_numeric(sessions, errors="coerce").fillna(1).astype(int)
    return pd.to_datetime((1945 + n).astype(str) + "-12-01")


def resolve_coded(values: np.ndarray, date_codes: np.ndarray, dates: pd.Series, *, kind: str,
                  file: str, rows: np.ndarray) -> pd.Categorical:
    """Resolve state spellings given per row as ``values`` with a per-row date index.

    Resolves each distinct (spelling, date) pair once (vectorised) and returns a categorical
    of canonical codes aligned with ``values``.
    """
    v_codes, v_uniq = pd.factorize(values)
    if (v_codes < 0).any():
        i = int(np.argmax(v_codes < 0))
        raise DataFormatError("empty state", file=file, row=int(rows[i]), field=kind,
                              expected="a state")
    return resolve_factorized(v_codes, np.asarray(v_uniq).astype(str), date_codes, dates,
                              kind=kind, file=file, rows=rows)


def resolve_factorized(v_codes: np.ndarray, spellings: np.ndarray, date_codes: np.ndarray,
                       dates: pd.Series, *, kind: str, file: str,
                       rows: np.ndarray) -> pd.Categorical:
    """As :func:`resolve_coded`, with values given as codes into ``spellings``.

    A spelling's meaning changes only at the dates where some alias's validity window starts
    or ends, so dates are first reduced to "epochs" between those boundaries: each distinct
    (spelling, epoch) is resolved once, however many rows share it.
    """
    from comity.world.states import resolve

    bounds = _boundaries()
    dvals = pd.to_datetime(dates).to_numpy(dtype="datetime64[ns]")
    epoch_of_date = np.searchsorted(bounds, dvals, side="right").astype(np.int64)
    epoch_of_date[np.isnat(dvals)] = len(bounds) + 1
    n_epochs = len(bounds) + 2
    epochs = epoch_of_date[date_codes]
    combo = v_codes.astype(np.int64) * n_epochs + epochs
    uniq, first, inv = unique_index_inverse(combo)
    sp = pd.Series(np.asarray(spellings, dtype=object)[uniq // n_epochs])
    dd = pd.Series(dvals[date_codes[first]])
    # (kind, spelling, epoch) → code, kept while the alias table is the same object
    cache = _resolve_cache()
    pairs = list(zip(itertools.repeat(kind), sp.tolist(), (uniq % n_epochs).tolist()))
    todo = [i for i, pair in enumerate(pairs) if pair not in cache]
    if todo:
        try:
            new = resolve(sp.iloc[todo], kind=kind, file=file, dates=dd.iloc[todo],
                          rows=pd.Series(rows[first[todo]]))
        except Exception:  # report exactly as when every pair is resolved at once
            resolve(sp, kind=kind, file=file, dates=dd, rows=pd.Series(rows[first]))
            raise
        cache.update(zip([pairs[i] for i in todo], new.tolist(), strict=True))
    got = pd.Series([cache[pair] for pair in pairs], dtype="str")
    s_codes, s_uniq = pd.factorize(got)
    return pd.Categorical.from_codes(s_codes[inv], categories=pd.Index(s_uniq))


_RESOLVED: list[tuple[object, dict]] = []


def _alias_source() -> object:
    """The loaded alias table (the cached object that ``aliases_table()`` copies): derived
    data below is kept as long as it is the same object."""
    from comity.world import states

    return states._aliases()


def _resolve_cache() -> dict:
    """Codes of (kind, spelling, epoch) already resolved, for the current alias table."""
    table = _alias_source()
    got = _RESOLVED[0] if _RESOLVED else None
    if got is not None and got[0] is table:
        return got[1]
    cache: dict = {}
    _RESOLVED[:] = [(table, cache)]
    return cache


_BOUNDS: list[tuple[object, np.ndarray]] = []


def _boundaries() -> np.ndarray:
    """:func:`_alias_boundaries` of the alias table, computed once per loaded table."""
    table = _alias_source()
    got = _BOUNDS[0] if _BOUNDS else None
    if got is not None and got[0] is table:
        return got[1]
    bounds = _alias_boundaries(table)  # type: ignore[arg-type]
    _BOUNDS[:] = [(table, bounds)]
    return bounds


def _alias_boundaries(aliases: pd.DataFrame) -> np.ndarray:
    vals = pd.concat([aliases["valid_from"], aliases["valid_to"]]).dropna()
    return np.unique(pd.to_datetime(vals).to_numpy(dtype="datetime64[ns]"))


def duplicate_check(key_codes: np.ndarray, state_codes: np.ndarray, rows: np.ndarray,
                    keys: pd.Index, states: pd.Index, *, file: str) -> None:
    """Raise a located error for two rows with the same (resolution, state)."""
    combo = key_codes.astype(np.int64) * (len(states) + 1) + state_codes
    if not has_repeats(combo):
        return
    dup = pd.Series(combo).duplicated(keep=False).to_numpy()
    if dup.any():
        idx = np.flatnonzero(dup)
        first = combo[idx[0]]
        same = idx[combo[idx] == first]
        k, st = keys[key_codes[idx[0]]], states[state_codes[idx[0]]]
        raise DataFormatError(
            f"duplicate vote rows for state {st} on {k} (rows "
            f"{', '.join(str(int(rows[j])) for j in same[:5])}); {int(dup.sum())} duplicated "
            "rows in all", file=file, row=int(rows[same[-1]]), field="state",
            expected="one row per (resolution, state)")


# -- fast grouping of integer codes ------------------------------------------------------
def _dense_range(a: np.ndarray) -> tuple[int, int] | None:
    """(min, max) of an int array when its range is small enough for a lookup table."""
    if a.dtype.kind not in "iu" or not len(a):
        return None
    lo, hi = int(a.min()), int(a.max())
    return (lo, hi) if hi - lo <= 4 * len(a) + 4096 else None


def has_repeats(a: np.ndarray) -> bool:
    """Does any value occur twice in the int array ``a``?"""
    if len(a) < 2:
        return False
    rng = _dense_range(a)
    if rng is not None:
        return bool(np.bincount(a - rng[0] if rng[0] else a).max() > 1)
    return bool(pd.Series(a).duplicated().any())


def unique_index_inverse(a: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``np.unique(a, return_index=True, return_inverse=True)`` for a 1-D int array, without
    sorting ``a`` when it is already sorted or its values span a small range."""
    a = np.asarray(a)
    n = len(a)
    if n and a.dtype.kind in "iu":
        if (a[1:] >= a[:-1]).all():  # sorted: runs of equal values
            new = np.empty(n, dtype=bool)
            new[0] = True
            np.not_equal(a[1:], a[:-1], out=new[1:])
            first = np.flatnonzero(new)
            return a[first], first, np.cumsum(new) - 1
        rng = _dense_range(a)
        if rng is not None:
            b = a - rng[0]
            first_of = np.full(rng[1] - rng[0] + 1, n, dtype=np.int64)
            np.minimum.at(first_of, b, np.arange(n, dtype=np.int64))
            present = first_of < n
            vals = np.flatnonzero(present)
            remap = np.cumsum(present) - 1
            return (vals + rng[0]).astype(a.dtype), first_of[vals], remap[b]
    return np.unique(a, return_index=True, return_inverse=True)


def dict_factorize(values: pa.ChunkedArray | pa.Array,
                   fn: object = None) -> tuple[np.ndarray, list]:
    """Factorize an Arrow string column through its dictionary: ``(codes, uniques)`` as
    ``pd.factorize`` gives them for the column transformed by ``fn`` (an Arrow function
    applied to the distinct values only, e.g. ``pc.utf8_trim_whitespace``, which is what
    pandas' ``.str.strip()`` runs): codes in order of first appearance, -1 for nulls."""
    enc = pc.dictionary_encode(values)
    if isinstance(enc, pa.ChunkedArray):
        enc = (enc.combine_chunks() if enc.num_chunks != 1 else enc.chunk(0))
    dictionary = enc.dictionary
    if fn is not None:
        dictionary = fn(dictionary)  # type: ignore[operator]
    pos: dict = {}
    remap = np.array([pos.setdefault(v, len(pos)) for v in dictionary.to_pylist()] + [-1],
                     dtype=np.int64)
    idx = enc.indices
    if idx.null_count:
        idx = idx.fill_null(-1)
    return remap[idx.to_numpy(zero_copy_only=False)], list(pos)


def strip_lower(values: pa.Array) -> pa.Array:
    """pandas' ``.str.strip().str.lower()`` on Arrow strings."""
    return pc.utf8_lower(pc.utf8_trim_whitespace(values))


def resolve_column(values: pa.ChunkedArray | pa.Array, date_codes: np.ndarray,
                   dates: pd.Series, *, kind: str, file: str,
                   rows: np.ndarray) -> pd.Categorical:
    """:func:`resolve_coded` of an Arrow string column after ``.str.strip()``, with the
    distinct spellings found through the column's dictionary (no per-row Python objects)."""
    v_codes, v_uniq = dict_factorize(values, pc.utf8_trim_whitespace)
    if (v_codes < 0).any():
        i = int(np.argmax(v_codes < 0))
        raise DataFormatError("empty state", file=file, row=int(rows[i]), field=kind,
                              expected="a state")
    return resolve_factorized(v_codes, np.asarray(v_uniq, dtype=object).astype(str),
                              date_codes, dates, kind=kind, file=file, rows=rows)
