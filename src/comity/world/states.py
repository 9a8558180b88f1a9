"""State identity over time: canonical codes, spellings, membership periods and lineages.

Every state that ever sat in the UN gets ONE canonical code, its ISO 3166-1 alpha-3 code
(the 193 members, the observers ``VAT`` and ``PSE``), and every historical entity that voted
under a seat of its own gets its own code: ``SUN`` (USSR), ``YUG`` (SFR Yugoslavia), ``SCG``
(FR Yugoslavia / Serbia and Montenegro), ``CSK`` (Czechoslovakia), ``DDR`` (German Democratic
Republic), ``YAR`` (Yemen Arab Republic), ``YMD`` (Democratic Yemen), ``ZAN`` (Zanzibar) and
``TWN`` (the Republic of China while it held China's seat). This module knows nothing about votes.

Data files (``comity/data/``, UTF-8 CSV, small and hand-checked, each entry with its source)
-----------------------------------------------------------------------------------------
``states.csv``
    ``code,name,member_from,member_to,predecessor,cow,iso2,note``: one row per code.
    ``member_from``/``member_to`` summarise the *voting* membership (admission, end of the last
    ``member`` period); gaps and exclusions are in ``memberships.csv``. ``predecessor`` is the
    lineage predecessor (see :func:`lineage`).
``memberships.csv``
    ``code,start,end,kind,note,source``; ``kind`` is ``member`` or ``excluded`` (still a member,
    barred from taking part: South Africa 1974-11-12 to 1994-06-23; the Yugoslav seat after GA
    res 47/1, 1992-09-22 to 2000-11-01). Periods are half-open: ``start <= date < end``; an empty
    ``end`` means "still a member". Syria (1958-1961, UAR) and Indonesia (1965-1966) have gaps.
``aliases.csv``
    ``spelling,kind,code,valid_from,valid_to`` with ``kind`` in ``name, cow, iso2, iso3``.
    Spellings are stored in a readable raw form (as some source writes them, e.g. ``TÜRKÝYE``,
    ``Côte d’Ivoire``, ``St. Kitts & Nevis``) and compared after normalisation: names through
    :func:`normalize_name`, ISO codes upper-cased, COW codes as integers (``365``, ``"365"`` and
    ``365.0`` are the same spelling). Two rows that normalise to the same spelling are allowed
    only with disjoint validity windows (checked when the file is loaded).

Date-dependent aliases
----------------------
One spelling can mean different states over time. For such a spelling ``aliases.csv`` holds one
row WITHOUT dates (its default meaning) and dated rows (half-open ``[valid_from, valid_to)``) that
override the default inside their window:

* ``China`` (name), ``CN`` (iso2): CHN; TWN before 1971-10-25 (UN records and the scrape use one
  "CHINA" for both governments; unvotes itself already separates "Taiwan" and "China").
* ``Russia``, ``RU``, COW 365: RUS; SUN before 1991-12-24 (unvotes has no separate USSR rows:
  "Russia"/"RU" covers 1946-2019, as does Voeten's 365).
* ``USSR``, ``Union of Soviet Socialist Republics``: SUN; RUS from 1991-12-24 (the scrape records
  S/RES/725 of 1991-12-31 under "USSR": the Russian delegation voted).
* ``Yugoslavia``, ``YU``, COW 345: YUG; SCG 2000-11-01 to 2006-06-03, SRB from 2006-06-03
  (unvotes' "Yugoslavia"/"YU" runs to 2019, Voeten's 345 to 2015; the UNDL called the FRY
  "YUGOSLAVIA" until 2003).
* ``Yemen``, ``YE``: YEM; YAR before 1990-05-22 (the YAR sat as "Yemen").
* ``Yemen Arab Republic``, COW 678: YAR; YEM from 1990-05-22 (Voeten and unvotes code unified
  Yemen's 1990 votes as 678 / "Yemen Arab Republic").
* ``CS`` (iso2): CSK; SCG 2000-11-01 to 2006-06-03 (ISO reused CS for Serbia and Montenegro).
* iso3 ``CHN``, ``RUS``, ``YEM``, ``SRB``, ``CZE``: themselves; TWN, SUN, YAR, YUG/SCG, CSK before
  the change. A source that writes today's code on historical rows (the UNDL ``ms_code`` may)
  means the entity then in the seat; historical codes (SUN, YUG, CSK, DDR, YMD, SCG) map directly.

:func:`resolve` picks, row by row, the dated row whose window contains the row's date, else the
default. Without ``dates`` (or where a date is NaT) it uses the default, or the latest window when
a spelling has no default. COW 710 is always CHN: Voeten's 710 has no votes before 1971 (only nine
"absent" codes in roll calls where 713 voted), so a TWN window would create duplicates.

Design decisions
----------------
* **China.** ``TWN`` (Republic of China, 1945-10-24 to 1971-10-25) and ``CHN`` (PRC from
  1971-10-25, GA res 2758) are two codes with NO lineage link: different governments with
  opposite alignments, and researchers keep them apart (Voeten: COW 713 vs 710; unvotes:
  "Taiwan" vs "China"). Joining them would make "China's" ideal point jump in 1971.
* **Yugoslavia.** ``YUG`` votes until GA res 47/1 (1992-09-22). The seat itself stayed (UN
  Legal Counsel, A/47/485; the UN DL scrape lists "YUGOSLAVIA" as X (non-voting) at 573 GA
  votes until 2000-10-30, plus an N on A/RES/47/1 itself, cast on 1992-09-22) and the UN kept
  counting it (179 members at the end of 1992, 189 after the FRY's admission in 2000), so
  ``memberships.csv`` records 1992-09-22 to 2000-11-01 as ``excluded``: a member for
  :func:`members_at`, not participating for :func:`participating_at`. The FRY was admitted as a
  new member on 2000-11-01 (``SCG``), continued by Serbia (``SRB``) from 2006-06-03. Lineage
  SRB: YUG -> SCG -> SRB; Croatia, Slovenia, BIH, MKD and MNE are new states.
* **Germany.** The FRG *is* ``DEU`` from 1973-09-18 (COW 260 and 255 both map to DEU); the GDR
  (``DDR``) was absorbed in 1990 and is NOT in DEU's lineage: its votes are never DEU's.
* **Czechoslovakia.** ``CSK`` to 1992-12-31 (half-open, so not a member ON that last day;
  no votes were taken then); CZE and SVK admitted 1993-01-19; CZE's lineage
  predecessor is CSK (as Russia's is the USSR), SVK has none.
* **Yemen.** YAR and YMD merge into ``YEM`` on 1990-05-22; YEM continues the YAR's seat (its
  lineage predecessor); YMD's votes are never YEM's.
* **Zanzibar** (``ZAN``, 1963-12-16 to 1964-04-26) merged into ``TZA``, which keeps ONE code from
  Tanganyika's admission (1961-12-14); ZAN is not TZA's lineage predecessor (a few weeks of
  votes, different government). Likewise ``EGY`` covers the United Arab Republic 1958-1971 and
  ``MYS`` the Federation of Malaya; renamings (Eswatini, Türkiye, Myanmar, DR Congo/Zaire,
  Sri Lanka, Benin, Burkina Faso, Cambodia, Belarus, Ukraine, Thailand, North Macedonia,
  Czechia, Cabo Verde, Côte d'Ivoire, ...) never change a code.

UN DL scrape columns (``un_dl_scrape_ga_sc_wide_1946-2021.csv``)
------------------------------------------------------------------
259 country columns. All legitimate ones are names in ``aliases.csv``, including historical
ones and date-dependent ones: ``CHINA`` (TWN before 1971-10-25), ``YEMEN`` (YAR before
1990-05-22), ``YUGOSLAVIA`` (YUG to 1992-09-22, 574 cells as the excluded seat, 207 cells as the
FRY 2000-11 to 2002-12: SCG) and ``USSR`` (one SC cell after 1991-12-24: RUS); a parser should
resolve the cells of those columns with :func:`resolve` and their dates. Misspelled columns are
aliases too (``REPULIC OF MOLDOVA``, ``BOLIVIA (PLUNATIONAL STATE OF)`` [2 cells],
``BOLIVIA (PLURINATIOANL STATE OF)`` [1], ``TKAZAKHSTAN`` [1], ``DEMOCRATIC CAMPUCHEA`` [1],
``SERBIAMONTENEGRO`` [1], ``COTE D’IVOIRE`` [1]). :func:`scrape_column_state` also repairs
garbled headers. Every junk column holds the state's vote in a row where that state's proper
column is empty (never a duplicate):

* `` UNITED KINGDOM`` (1 cell, A/RES/37/99E, 1982-12-13, A), `` UNITED STATES`` (1, A/RES/37/114,
  1982-12-16, A), `` CHILE`` (1, 1980-12-15, Y), `` SOMALIA`` (1, 1980-12-16, Y), `` ALGERIA``
  (1, 1980-12-15, Y), `` BELGIUM`` (1, A/RES/33/199, 1979-01-29, N): leading space -> the state.
* ``Aa UNITED STATES`` (1, A/RES/2554(XXIV), 1969-12-12, X), ``AY DENMARK`` (1, A/RES/36/146B,
  1981-12-16, X), ``AY SWEDEN`` (1, A/RES/34/113, 1979-12-14, X), ``AY UNION OF SOUTH AFRICA``
  (1, A/RES/1605(XV), 1961-04-21, X): a vote-letter prefix glued to the name -> the state.
* ``CHILEs `` (2 SC cells, S/RES/2214 and 2215 (2015), Y) -> CHL.
* ``DONOTKNOW`` (1 SC cell, S/RES/1966 (2010) of 2010-12-22, Y): pure junk, returns None. It is
  in fact Mexico's vote: Mexico is the only 2010 Council member missing from that row (14-0-1 with
  Russia abstaining), so the parser may assign it to MEX for that one row.

Votes outside membership in the staged data (checked by ``tests/test_states.py``)
---------------------------------------------------------------------------------
* unvotes and Voeten (Y/A/N): 266 rows each dated up to 42 days before the state's admission;
  their dates are approximate (e.g. 1955-12-02 for the states admitted 1955-12-14). None further.
* Voeten code 8 ("absent") for non-members: Syria 1958-1961 (in the UAR, 192 rows) and Indonesia
  1965 (withdrawn, 41 rows) beyond that tolerance; CHN has 9 in Sept/Oct 1971, before its seat.
* UN DL scrape: 25 cells, all data errors upstream (wrong dates such as A/RES/37/46 "1980-12-03",
  year-only dates "1977"/"2011", X cells for JPN/DMA/WSM/ARE/MNG before admission, KIR, NRU and
  TON on A/RES/ES-10/6 of 1999-02-09); plus ZAF's 2,282 X while excluded and YUG's 574.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date as _date
from datetime import datetime
from functools import cache
from importlib import resources
from typing import Any, Literal

import numpy as np
import pandas as pd

from comity.errors import DataFormatError, UnknownStateError

__all__ = [
    "aliases_table",
    "lineage",
    "lookup",
    "members_at",
    "membership_matrix",
    "memberships_table",
    "name",
    "normalize_name",
    "participating_at",
    "predecessor_map",
    "resolve",
    "scrape_column_state",
    "states_table",
]

Kind = Literal["name", "cow", "iso2", "iso3"]
KINDS: tuple[str, ...] = ("name", "cow", "iso2", "iso3")
MEMBERSHIP_KINDS: tuple[str, ...] = ("member", "excluded")

_NAT = np.iinfo(np.int64).min  # int64 view of NaT
_OPEN_LO = _NAT + 1  # open window start (NaT stays below it, so never matches)
_OPEN_HI = np.iinfo(np.int64).max
_MAX_LISTED = 20

_APOSTROPHES = str.maketrans(
    {
        "\u2019": "'",  # right single quotation mark
        "\u2018": "'",  # left single quotation mark
        "\u201b": "'",
        "\u02bc": "'",  # modifier letter apostrophe
        "\u2032": "'",  # prime
        "\u00b4": "'",  # acute accent
        "`": "'",
    }
)


# -- names -------------------------------------------------------------------------------
def _normalize_once(s: str) -> str:
    s = s.translate(_APOSTROPHES)
    s = unicodedata.normalize("NFKD", s).casefold()
    s = unicodedata.normalize("NFKD", s)
    s = "".join(ch for ch in s if not unicodedata.combining(ch))
    s = s.translate(_APOSTROPHES)
    return " ".join(s.split())


def normalize_name(s: str) -> str:
    """Normalise a state name for matching.

    Case-folded, accents stripped (Unicode NFKD, combining marks dropped), the apostrophes
    ``’ ‘ ` ´ ʼ`` unified to ``'``, whitespace stripped and collapsed. Idempotent.

    >>> normalize_name("  CÔTE D’IVOIRE ")
    "cote d'ivoire"
    >>> normalize_name("TÜRKİYE")
    'turkiye'
    """
    out = _normalize_once(str(s))
    for _ in range(4):  # reach a fixed point (NFKD/casefold can interact on exotic input)
        again = _normalize_once(out)
        if again == out:
            break
        out = again
    return out


def _key(kind: str, value: Any) -> str | None:
    """The normalised spelling used to match ``value`` against aliases of ``kind``."""
    if value is None:
        return None
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    if kind == "name":
        return normalize_name(str(value))
    text = str(value).strip()
    if kind == "cow":
        try:
            number = float(text)
        except ValueError:
            return text
        return str(int(number)) if number.is_integer() else text
    return text.upper()


# -- tables ------------------------------------------------------------------------------
def _read_csv(filename: str) -> pd.DataFrame:
    path = resources.files("comity.world") / "data" / filename
    with path.open("r", encoding="utf-8") as fh:
        return pd.read_csv(fh, dtype=str, keep_default_na=False)


def _to_dates(col: pd.Series, filename: str, field: str) -> pd.Series:
    out = pd.to_datetime(col.where(col != ""), format="%Y-%m-%d", errors="coerce")
    bad = out.isna() & (col != "")
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise DataFormatError(
            f"bad date {col.iloc[i]!r}", file=f"comity/data/{filename}", row=i + 1, field=field,
            expected="yyyy-mm-dd or empty",
        )
    return out.astype("datetime64[ns]")


@cache
def _states() -> pd.DataFrame:
    df = _read_csv("states.csv")
    expected = ["code", "name", "member_from", "member_to", "predecessor", "cow", "iso2", "note"]
    if list(df.columns) != expected:
        raise DataFormatError("unexpected header", file="comity/data/states.csv",
                              expected=",".join(expected))
    if not df["code"].is_unique:
        dup = df.loc[df["code"].duplicated(), "code"].tolist()
        raise DataFormatError(f"duplicate codes {dup}", file="comity/data/states.csv")
    df["member_from"] = _to_dates(df["member_from"], "states.csv", "member_from")
    df["member_to"] = _to_dates(df["member_to"], "states.csv", "member_to")
    for col in ("predecessor", "iso2", "note"):
        df[col] = df[col].where(df[col] != "", None)
    df["cow"] = pd.array([int(c) if c else pd.NA for c in df["cow"]], dtype="Int64")
    unknown = set(df["predecessor"].dropna()) - set(df["code"])
    if unknown:
        raise DataFormatError(f"unknown predecessor codes {sorted(unknown)}",
                              file="comity/data/states.csv", field="predecessor")
    return df


@cache
def _codes() -> tuple[str, ...]:
    return tuple(sorted(_states()["code"]))


@cache
def _code_pos() -> dict[str, int]:
    return {c: i for i, c in enumerate(_codes())}


@cache
def _memberships() -> pd.DataFrame:
    df = _read_csv("memberships.csv")
    expected = ["code", "start", "end", "kind", "note", "source"]
    if list(df.columns) != expected:
        raise DataFormatError("unexpected header", file="comity/data/memberships.csv",
                              expected=",".join(expected))
    codes = set(_codes())
    for i, (code, kind, start) in enumerate(zip(df["code"], df["kind"], df["start"], strict=True)):
        if code not in codes:
            raise DataFormatError(f"unknown code {code!r}", file="comity/data/memberships.csv",
                                  row=i + 1, field="code")
        if kind not in MEMBERSHIP_KINDS:
            raise DataFormatError(f"unknown kind {kind!r}", file="comity/data/memberships.csv",
                                  row=i + 1, field="kind", expected="member or excluded")
        if not start:
            raise DataFormatError("empty start", file="comity/data/memberships.csv", row=i + 1,
                                  field="start")
    df["start"] = _to_dates(df["start"], "memberships.csv", "start")
    df["end"] = _to_dates(df["end"], "memberships.csv", "end")
    df["note"] = df["note"].where(df["note"] != "", None)
    return df


@cache
def _aliases() -> pd.DataFrame:
    df = _read_csv("aliases.csv")
    expected = ["spelling", "kind", "code", "valid_from", "valid_to"]
    if list(df.columns) != expected:
        raise DataFormatError("unexpected header", file="comity/data/aliases.csv",
                              expected=",".join(expected))
    codes = set(_codes())
    for i, (kind, code) in enumerate(zip(df["kind"], df["code"], strict=True)):
        if kind not in KINDS:
            raise DataFormatError(f"unknown kind {kind!r}", file="comity/data/aliases.csv",
                                  row=i + 1, field="kind", expected="name, cow, iso2 or iso3")
        if code not in codes:
            raise DataFormatError(f"unknown code {code!r}", file="comity/data/aliases.csv",
                                  row=i + 1, field="code")
    df["valid_from"] = _to_dates(df["valid_from"], "aliases.csv", "valid_from")
    df["valid_to"] = _to_dates(df["valid_to"], "aliases.csv", "valid_to")
    df["key"] = [_key(k, s) for k, s in zip(df["kind"], df["spelling"], strict=True)]
    return df


@dataclass(frozen=True)
class _AliasIndex:
    """Aliases of one kind, keyed by normalised spelling; code ids index :func:`_codes`."""

    default: dict[str, int]
    windows: dict[str, tuple[tuple[int, int, int], ...]]
    latest: dict[str, int]


def _ns(ts: pd.Timestamp | None, open_value: int) -> int:
    return open_value if ts is None or pd.isna(ts) else int(pd.Timestamp(ts).value)


@cache
def _alias_index(kind: str) -> _AliasIndex:
    df = _aliases()
    pos = _code_pos()
    default: dict[str, int] = {}
    windows: dict[str, list[tuple[int, int, int]]] = {}
    sub = df[df["kind"] == kind]
    for i, row in zip(sub.index, sub.itertuples(index=False), strict=True):
        key, code = row.key, pos[row.code]
        if not key:
            raise DataFormatError("empty spelling", file="comity/data/aliases.csv", row=i + 1)
        if pd.isna(row.valid_from) and pd.isna(row.valid_to):
            if default.get(key, code) != code:
                raise DataFormatError(
                    f"{kind} spelling {row.spelling!r} (normalised {key!r}) has two undated "
                    f"meanings: {_codes()[default[key]]} and {row.code}",
                    file="comity/data/aliases.csv", row=i + 1,
                )
            default[key] = code
        else:
            lo, hi = _ns(row.valid_from, _OPEN_LO), _ns(row.valid_to, _OPEN_HI)
            if lo >= hi:
                raise DataFormatError("empty validity window", file="comity/data/aliases.csv",
                                      row=i + 1, field="valid_to")
            for olo, ohi, ocode in windows.get(key, []):
                if lo < ohi and olo < hi and ocode != code:
                    raise DataFormatError(
                        f"{kind} spelling {row.spelling!r} has overlapping windows for "
                        f"{_codes()[ocode]} and {row.code}",
                        file="comity/data/aliases.csv", row=i + 1,
                    )
            windows.setdefault(key, []).append((lo, hi, code))
    latest = {k: max(w)[2] for k, w in windows.items()}
    return _AliasIndex(default, {k: tuple(sorted(w)) for k, w in windows.items()}, latest)


def states_table() -> pd.DataFrame:
    """One row per canonical code: ``code, name, member_from, member_to, predecessor, cow,
    iso2, note`` (dates as ``datetime64``, NaT where empty; ``cow`` as ``Int64``)."""
    return _states().copy()


def aliases_table() -> pd.DataFrame:
    """Every spelling: ``spelling, kind, code, valid_from, valid_to, key`` (``key`` = the
    normalised spelling that is actually matched)."""
    return _aliases().copy()


def memberships_table() -> pd.DataFrame:
    """Membership periods: ``code, start, end, kind, note, source`` (half-open, NaT = open)."""
    return _memberships().copy()


def name(code: str) -> str:
    """The display name of a canonical ``code`` (``"RUS"`` -> ``"Russian Federation"``)."""
    st = _states().set_index("code")["name"]
    c = str(code).strip().upper()
    if c not in st.index:
        raise UnknownStateError(f"{code!r} is not a canonical state code", spellings=[str(code)])
    return str(st[c])


def predecessor_map() -> dict[str, str]:
    """``{code: lineage predecessor}`` for codes that have one (RUS -> SUN, SRB -> SCG, ...)."""
    st = _states()
    sub = st[st["predecessor"].notna()]
    return dict(zip(sub["code"], sub["predecessor"], strict=True))


def _timestamp(value: Any) -> pd.Timestamp | None:
    return None if pd.isna(value) else pd.Timestamp(value)


def lineage(code: str) -> list[tuple[str, pd.Timestamp | None, pd.Timestamp | None]]:
    """The chain ``(code, start, end)``, oldest first, whose votes count as ``code``'s when a
    panel is built with ``strict=False``: ``lineage("RUS")`` is
    ``[("SUN", 1945-10-24, 1991-12-24), ("RUS", 1991-12-24, None)]``; SRB gives YUG, SCG, SRB;
    CZE gives CSK, CZE; YEM gives YAR, YEM; a state without predecessor only itself.
    ``start``/``end`` are ``member_from``/``member_to`` of ``states.csv`` (None when open)."""
    c = str(code).strip().upper()
    st = _states().set_index("code")
    if c not in st.index:
        raise UnknownStateError(f"{code!r} is not a canonical state code", spellings=[str(code)])
    pred = predecessor_map()
    chain: list[str] = []
    while c and c not in chain:
        chain.append(c)
        c = pred.get(c, "")
    chain.reverse()
    return [
        (c, _timestamp(st.at[c, "member_from"]), _timestamp(st.at[c, "member_to"]))
        for c in chain
    ]


# -- resolve -----------------------------------------------------------------------------
def _dates_ns(dates: Any) -> np.ndarray:
    """int64 nanoseconds (NaT -> min int64) of a Series/sequence/scalar of dates."""
    if isinstance(dates, pd.Series | pd.Index | np.ndarray | list | tuple):
        ser = pd.Series(np.asarray(dates, dtype=object) if isinstance(dates, list | tuple)
                        else dates)
    else:
        ser = pd.Series([dates])
    if not pd.api.types.is_datetime64_any_dtype(ser.dtype):
        ser = pd.to_datetime(ser, errors="coerce", format="mixed")
    if getattr(ser.dt, "tz", None) is not None:
        ser = ser.dt.tz_localize(None)
    return ser.to_numpy(dtype="datetime64[ns]").view(np.int64)


def _fmt_ns(value: int) -> str:
    return "no date" if value == _NAT else str(pd.Timestamp(value).date())


def resolve(
    values: pd.Series,
    *,
    kind: Kind,
    file: str,
    dates: pd.Series | None = None,
    rows: pd.Series | None = None,
) -> pd.Series:
    """Map state spellings to canonical codes (vectorised; aligned with ``values``).

    ``kind`` says what the values are: ``name`` (matched after :func:`normalize_name`),
    ``cow`` (Correlates of War numbers, int/float/str), ``iso2`` or ``iso3``. ``dates``
    (aligned by position) selects the meaning of date-dependent spellings (module docstring);
    without it the undated default (or the latest window) applies. Every spelling that cannot be
    mapped, including a missing value, raises one :class:`UnknownStateError` naming up to 20 of
    them with the first row of each (``rows`` if given, else the 1-based position) and ``file``.
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
    vals = values if isinstance(values, pd.Series) else pd.Series(values)
    n = len(vals)
    index = _alias_index(kind)
    fcodes, uniques = pd.factorize(vals, use_na_sentinel=True)
    fcodes = np.asarray(fcodes, dtype=np.int64)
    nu = len(uniques)
    keys = [_key(kind, u) for u in uniques]
    d: np.ndarray | None = None
    if dates is not None:
        if len(dates) != n:
            raise ValueError(f"dates has {len(dates)} rows, values has {n}")
        d = _dates_ns(dates)

    base = np.full(nu + 1, -1, dtype=np.int32)  # last slot: missing values
    for i, k in enumerate(keys):
        if k is None:
            continue
        c = index.default.get(k)
        if c is None and d is None:
            c = index.latest.get(k)
        if c is not None:
            base[i] = c
    if nu and (fcodes < 0).any():
        fcodes = np.where(fcodes < 0, nu, fcodes)
    elif nu == 0:
        fcodes = np.full(n, nu, dtype=np.int64)
    out = base[fcodes]

    if d is not None:
        for i, k in enumerate(keys):
            wins = index.windows.get(k) if k is not None else None
            if not wins:
                continue
            m = fcodes == i
            for lo, hi, c in wins:
                out[m & (d >= lo) & (d < hi)] = c
            if k not in index.default:  # undated rows of a spelling without a default
                out[m & (d == _NAT)] = index.latest[k]

    missing = out < 0
    if missing.any():
        _raise_unmapped(vals, fcodes, uniques, keys, missing, kind, file, d, rows, index)
    codes_arr = np.array(_codes(), dtype=object)
    return pd.Series(codes_arr[out], index=vals.index, name=vals.name, dtype="str")


def _raise_unmapped(
    vals: pd.Series,
    fcodes: np.ndarray,
    uniques: Any,
    keys: list[str | None],
    missing: np.ndarray,
    kind: str,
    file: str,
    d: np.ndarray | None,
    rows: pd.Series | None,
    index: _AliasIndex,
) -> None:
    positions = np.flatnonzero(missing)
    ids, first = np.unique(fcodes[positions], return_index=True)
    order = np.argsort(positions[first])
    ids, firsts = ids[order], positions[first][order]
    nu = len(uniques)
    parts: list[str] = []
    spellings: list[str] = []
    for uid, pos in zip(ids, firsts, strict=True):
        spelling = "<missing>" if uid >= nu else str(uniques[uid])
        spellings.append(spelling)
        if len(parts) >= _MAX_LISTED:
            continue
        row = rows.iloc[pos] if rows is not None else pos + 1
        text = f"{spelling!r} (row {row}"
        k = keys[uid] if uid < nu else None
        if k is not None and k in index.windows and d is not None:
            text += f": a known spelling, but with no meaning on {_fmt_ns(int(d[pos]))}"
        parts.append(text + ")")
    more = len(spellings) - len(parts)
    listed = ", ".join(parts) + (f", and {more} more" if more > 0 else "")
    msg = (
        f"{file}: {len(spellings)} unknown state spelling(s) of kind {kind!r}: {listed}; "
        "add them to comity/data/aliases.csv"
    )
    raise UnknownStateError(msg, spellings=spellings, file=file)


# -- lookup ------------------------------------------------------------------------------
def _undated(kind: str, key: str | None) -> int | None:
    if key is None:
        return None
    index = _alias_index(kind)
    c = index.default.get(key)
    return index.latest.get(key) if c is None else c


@cache
def _state_names() -> dict[str, str]:
    st = _states()
    return {normalize_name(n): c for c, n in zip(st["code"], st["name"], strict=True)}


@cache
def _name_keys() -> dict[str, set[str]]:
    """normalised name spelling -> codes it can mean (any date)."""
    out: dict[str, set[str]] = {}
    for k, c in _state_names().items():
        out.setdefault(k, set()).add(c)
    al = _aliases()
    sub = al[al["kind"] == "name"]
    for k, c in zip(sub["key"], sub["code"], strict=True):
        out.setdefault(k, set()).add(c)
    return out


def _tokens(text: str) -> list[str]:
    return re.findall(r"[0-9a-z]+", text)


def _describe(codes: Sequence[str]) -> str:
    return ", ".join(f"{c} ({name(c)})" for c in codes)


PLACE_QUALIFIERS: frozenset[str] = frozenset({
    "south", "north", "east", "west", "central", "equatorial", "new", "northern", "southern",
    "western", "eastern", "upper", "lower"})
"""Words that make a name another place: a partial name never leaves them out ("Africa"
does not mean "South Africa")."""


def lookup(query: str) -> str:
    """User input -> canonical code.

    Accepts a canonical code (``rus``), an ISO-2 code (``GB``), a COW number (``365``) or any
    name spelling (case-, accent- and apostrophe-insensitive). A date-dependent spelling gives its
    default meaning (``"China"`` -> CHN, ``"Yugoslavia"`` -> YUG). A query that is only part of
    names (``"Korea"``) is accepted if all those names mean one state, else it is ambiguous.
    Unknown or ambiguous input raises :class:`UnknownStateError` with candidates and names.
    """
    raw = str(query)
    q = raw.strip()
    if not q:
        raise UnknownStateError("empty state name", spellings=[raw])
    codes = _codes()
    up = q.upper()
    if up in _code_pos():
        return up
    if re.fullmatch(r"\d+(\.0+)?", q):
        c = _undated("cow", _key("cow", q))
        if c is not None:
            return codes[c]
        raise UnknownStateError(f"{raw!r} is not a known COW state code", spellings=[raw])
    if re.fullmatch(r"[A-Za-z]{2}", q):
        c = _undated("iso2", up)
        if c is not None:
            return codes[c]
    if re.fullmatch(r"[A-Za-z]{3}", q):
        c = _undated("iso3", up)
        if c is not None:
            return codes[c]
    norm = normalize_name(q)
    if norm in _state_names():
        return _state_names()[norm]
    c = _undated("name", norm)
    if c is not None:
        return codes[c]
    # part of names: every query token must be a token of the name
    qt = set(_tokens(norm))
    hits: dict[str, set[str]] = {}
    if qt:
        for k, cs in _name_keys().items():
            # every query token is in the name, and the name adds no word that makes it
            # another place ("Africa" is not "South Africa", "Sudan" not "South Sudan")
            if qt <= set(_tokens(k)) and not (set(_tokens(k)) - qt) & PLACE_QUALIFIERS:
                for cc in cs:
                    hits.setdefault(cc, set()).add(k)
    if len(hits) == 1:
        return next(iter(hits))
    if len(hits) > 1:
        cands = sorted(hits)
        raise UnknownStateError(
            f"{raw!r} is ambiguous: it may mean {_describe(cands[:15])}"
            + (f" and {len(cands) - 15} more" if len(cands) > 15 else ""),
            spellings=[raw], candidates=cands,
        )
    keys = list(_name_keys())
    close = difflib.get_close_matches(norm, keys, n=8, cutoff=0.6)
    cands = []
    for k in close:
        for cc in sorted(_name_keys()[k]):
            if cc not in cands:
                cands.append(cc)
    if up[:3] and len(q) <= 3:
        cands += [c for c in difflib.get_close_matches(up, codes, n=3, cutoff=0.6)
                  if c not in cands]
    hint = f"; did you mean {_describe(cands[:6])}?" if cands else ""
    raise UnknownStateError(f"{raw!r} is not a known state{hint}", spellings=[raw],
                            candidates=cands[:6])


_VOTE_PREFIX = re.compile(r"^[YNAXyanx]{1,2}\s+(?=\S)")
_LOWER_TAIL = re.compile(r"^([^a-z]*[A-Z)])[a-z]{1,2}$")


def scrape_column_state(header: str) -> str | None:
    """Canonical code of a country column header of the UN DL wide scrape, or None for junk.

    Tries the header as a name (whitespace stripped), then repairs the garbling seen in the
    file: a vote-letter prefix glued to the name (``Aa UNITED STATES``, ``AY DENMARK``) and a
    lower-case tail (``CHILEs``). Returns the spelling's default meaning: for the date-dependent
    headers ``CHINA``, ``YEMEN``, ``YUGOSLAVIA`` and ``USSR`` resolve the cells with
    :func:`resolve` (``kind="name"``, with dates). The findings per junk column are in the
    module docstring; ``DONOTKNOW`` -> None.
    """
    text = " ".join(str(header).split())
    if not text:
        return None
    candidates = [text]
    stripped = _VOTE_PREFIX.sub("", text)
    if stripped != text:
        candidates.append(stripped)
    for cand in list(candidates):
        m = _LOWER_TAIL.match(cand)
        if m:
            candidates.append(m.group(1))
    for cand in candidates:
        norm = normalize_name(cand)
        if norm in _state_names():
            return _state_names()[norm]
        c = _undated("name", norm)
        if c is not None:
            return _codes()[c]
    return None


# -- membership --------------------------------------------------------------------------
@dataclass(frozen=True)
class _Periods:
    code: np.ndarray  # int index into _codes()
    start: np.ndarray  # int64 ns
    end: np.ndarray  # int64 ns (open -> max)
    excluded: np.ndarray  # bool


@cache
def _periods() -> _Periods:
    m = _memberships()
    pos = _code_pos()
    return _Periods(
        code=np.array([pos[c] for c in m["code"]], dtype=np.int64),
        start=m["start"].to_numpy(dtype="datetime64[ns]").view(np.int64).copy(),
        end=np.where(m["end"].isna().to_numpy(), _OPEN_HI,
                     m["end"].to_numpy(dtype="datetime64[ns]").view(np.int64)),
        excluded=(m["kind"] == "excluded").to_numpy(),
    )


def membership_matrix(
    dates: Sequence[Any] | pd.Series, *, participating: bool = True
) -> tuple[list[str], np.ndarray]:
    """All canonical codes (sorted) and a boolean matrix ``(n_codes, n_dates)``: was the state a
    member on that date (``participating=True``: a member not in an ``excluded`` period)?

    Periods are half-open (``start <= date < end``); NaT dates give all-False columns.
    """
    d = _dates_ns(dates)
    p = _periods()
    codes = list(_codes())
    valid = d != _NAT
    inside = (p.start[:, None] <= d[None, :]) & (d[None, :] < p.end[:, None]) & valid[None, :]
    n_codes = len(codes)
    indicator = np.zeros((n_codes, len(p.code)), dtype=np.int32)
    indicator[p.code, np.arange(len(p.code))] = 1
    member = (indicator[:, ~p.excluded] @ inside[~p.excluded].astype(np.int32)) > 0
    excluded = (indicator[:, p.excluded] @ inside[p.excluded].astype(np.int32)) > 0
    mat = member & ~excluded if participating else member | excluded
    return codes, mat


def _single_date(date: Any) -> Any:
    if isinstance(date, str | _date | datetime | pd.Timestamp | np.datetime64):
        return [pd.Timestamp(date)]
    raise TypeError(f"expected one date, got {type(date).__name__}")


def members_at(date: Any) -> list[str]:
    """Codes that were UN members on ``date`` (excluded periods count as membership)."""
    codes, mat = membership_matrix(_single_date(date), participating=False)
    return [c for c, ok in zip(codes, mat[:, 0], strict=True) if ok]


def participating_at(date: Any) -> list[str]:
    """Codes that were members on ``date`` and not barred from taking part (South Africa
    1974-11-12 to 1994-06-23 and the Yugoslav seat 1992-09-22 to 2000-11-01 are left out)."""
    codes, mat = membership_matrix(_single_date(date), participating=True)
    return [c for c, ok in zip(codes, mat[:, 0], strict=True) if ok]
