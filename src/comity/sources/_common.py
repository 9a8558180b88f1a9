"""Helpers shared by several parsers: symbols, sessions, dates, vote codes, frames."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from comity.errors import DataFormatError
from comity.sources.base import RESOLUTION_COLUMNS, VOTE_COLUMNS

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
    out = pd.Series(pd.NA, index=symbols.index, dtype="Int64")
    s = symbols.fillna("").astype(str)
    new = s.str.extract(r"^A/RES/(\d+)/\d+")
    m = new[0].notna()
    out[m] = new.loc[m, 0].astype(int)
    old = s.str.extract(r"^A/RES/\d+\(([IVXL]+)\)")
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
    ext = s.str.extract(r"^A/RES/((?:ES|S)-\d+)/")[0]
    return ext.where(ext.notna(), None)


def voeten_unres_to_symbol(unres: pd.Series, session: pd.Series) -> pd.Series:
    """Voeten/unvotes ``unres`` (``R/26/2758A``, ``R/68/262``, ``A/RES/72/91``) → symbol.

    Sessions 1–30 numbered resolutions consecutively with the session in Roman numerals,
    ``A/RES/2758(XXVI)``; from session 31 on, ``A/RES/31/1``. Parts (``A``, ``B``) are kept.
    """
    s = unres.fillna("").astype(str).str.replace(r"\s+", "", regex=True).str.upper()
    ext = s.str.extract(r"^(?:R|A/RES)/(\d+)/(\d+)(.*)$")
    out = pd.Series(None, index=s.index, dtype=object)
    ok = ext[0].notna()
    sess = pd.to_numeric(ext[0], errors="coerce")
    new = ok & (sess >= 31)
    out[new] = "A/RES/" + ext.loc[new, 0] + "/" + ext.loc[new, 1] + ext.loc[new, 2]
    old = ok & (sess < 31)
    if old.any():
        romans = sess[old].astype(int).map(roman)
        out[old] = "A/RES/" + ext.loc[old, 1] + "(" + romans + ")" + ext.loc[old, 2]
    rest = ~ok & (s != "")
    out[rest] = s[rest]
    return out.astype(object).where(out.notna(), None)


def parse_dates(values: pd.Series, formats: list[str]) -> pd.Series:
    """Parse text dates trying each format in turn (vectorised); NaT where none fits."""
    out = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
    todo = values.notna() & (values.astype(str).str.strip() != "")
    for fmt in formats:
        if not todo.any():
            break
        got = pd.to_datetime(values[todo], format=fmt, errors="coerce")
        ok = got.notna()
        out[got.index[ok]] = got[ok]
        todo[got.index[ok]] = False
    return out


def to_int(values: pd.Series, *, file: str, field: str, rows: pd.Series | None = None,
           allow_blank: bool = True) -> pd.Series:
    """Text → nullable Int64; non-numeric text raises a located DataFormatError."""
    s = values.astype(str).str.strip()
    blank = s.isin(["", "N.A.", "NA", "nan", "None"])
    num = pd.to_numeric(s.where(~blank), errors="coerce")
    bad = num.isna() & ~blank
    if bad.any():
        from comity.sources._io import first_bad_row

        i = first_bad_row(bad, rows)
        raise DataFormatError(f"{s[bad].iloc[0]!r} is not a number", file=file, row=i,
                              field=field, expected="an integer")
    if not allow_blank and blank.any():
        from comity.sources._io import first_bad_row

        raise DataFormatError("empty value", file=file, row=first_bad_row(blank, rows),
                              field=field, expected="an integer")
    frac = num.notna() & (num != np.floor(num.fillna(0)))
    if frac.any():
        from comity.sources._io import first_bad_row

        raise DataFormatError(f"{s[frac].iloc[0]!r} is not a whole number", file=file,
                              row=first_bad_row(frac, rows), field=field,
                              expected="an integer")
    return num.astype("Int64")


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


def finish_resolutions(df: pd.DataFrame) -> pd.DataFrame:
    """Fill the optional columns and order them as the contract says."""
    defaults: dict[str, object] = {
        "special": None, "symbol": None, "title": None, "agenda": None, "subjects": None,
        "important": pd.NA, "amend": False, "para": False, "adoption": "recorded",
        "outcome": "adopted",
        "yes": pd.NA, "no": pd.NA, "abstain": pd.NA, "non_voting": pd.NA, "link": None,
        "draft": None, "committee_report": None, "meeting": None, "total_ms": pd.NA,
        "modality": None,
    }
    for col, val in defaults.items():
        if col not in df.columns:
            df[col] = val
    for col in ("yes", "no", "abstain", "non_voting", "session", "total_ms"):
        df[col] = df[col].astype("Int64")
    for col in ("important", "amend", "para"):
        df[col] = df[col].astype("boolean")
    df["date"] = pd.to_datetime(df["date"])
    df["row"] = df["row"].astype("int64")
    df["key"] = df["key"].astype(str)
    return df[RESOLUTION_COLUMNS].reset_index(drop=True)


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
    from comity.states import aliases_table, resolve

    bounds = _alias_boundaries(aliases_table())
    dvals = pd.to_datetime(dates).to_numpy(dtype="datetime64[ns]")
    epoch_of_date = np.searchsorted(bounds, dvals, side="right").astype(np.int64)
    epoch_of_date[np.isnat(dvals)] = len(bounds) + 1
    n_epochs = len(bounds) + 2
    epochs = epoch_of_date[date_codes]
    combo = v_codes.astype(np.int64) * n_epochs + epochs
    uniq, first, inv = np.unique(combo, return_index=True, return_inverse=True)
    sp = pd.Series(np.asarray(spellings, dtype=object)[uniq // n_epochs])
    dd = pd.Series(dvals[date_codes[first]])
    got = resolve(sp, kind=kind, file=file, dates=dd, rows=pd.Series(rows[first]))
    s_codes, s_uniq = pd.factorize(got)
    return pd.Categorical.from_codes(s_codes[inv], categories=pd.Index(s_uniq))


def _alias_boundaries(aliases: pd.DataFrame) -> np.ndarray:
    vals = pd.concat([aliases["valid_from"], aliases["valid_to"]]).dropna()
    return np.unique(pd.to_datetime(vals).to_numpy(dtype="datetime64[ns]"))


def duplicate_check(key_codes: np.ndarray, state_codes: np.ndarray, rows: np.ndarray,
                    keys: pd.Index, states: pd.Index, *, file: str) -> None:
    """Raise a located error for two rows with the same (resolution, state)."""
    combo = key_codes.astype(np.int64) * (len(states) + 1) + state_codes
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
