"""Members of the Security Council by year (the UN DPPA's list, 1946 → 2024).

Source: ``tanxpyox/io-unsc``, ``DPPA-SCMEMBERSHIP.csv``, a copy of the UN Department of
Political and Peacebuilding Affairs data hub's ``DPPA-SCMEMBERSHIP`` (staged as
``sc/dppa_sc_membership_1946-2024.csv.gz``). UTF-8 CSV, columns matched by name:
``year`` and ``security_council_member`` (required), ``id`` and ``last_update`` (ignored).

One row per member and calendar year; the file holds no votes, only the ``council`` table of
:class:`~comity.ingest.sources.base.SourceData` (``year, state, row``). Names are resolved with
the dates of the year's first and last day, so that the China seat in 1971 gives both the
Republic of China (TWN, to 25 October) and the PRC, and the USSR's seat in 1991 both SUN and
RUS (from 24 December). DPPA writes some names with their long form in parentheses (``USSR
(Union of Soviet Socialist Republics)``, ``German FR (German Federal Republic)``): the name,
then the part before the parenthesis, then the part inside are tried.

Quirks (in ``quality``): 13 rows have an empty name (``member_unnamed``: the members whose
names hold non-ASCII letters, Türkiye and Côte d'Ivoire, lost them; comity then completes
those years from the votes, see :func:`comity.analysis.security_council.council`); years with
another number of named members than seats (11 to 1965, 15 since) are ``council_size``.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from comity.errors import DataFormatError
from comity.ingest.sources._io import first_bad_row, label, read_csv_strings
from comity.ingest.sources.base import SourceData, empty_quality

REQUIRED = ["year", "security_council_member"]


def seats(year: int) -> int:
    """Seats on the Council in ``year``: 11 until the 1965 enlargement took effect, 15 since."""
    return 11 if year < 1966 else 15


def _candidates(name: str) -> list[str]:
    out = [name]
    m = re.match(r"^(.*?)\s*\((.*)\)\s*$", name)
    if m:
        out += [m.group(1).strip(), m.group(2).strip()]
    return [c for c in out if c]


def _resolve(names: list[str], years: dict[str, list[int]], first_row: dict[str, int],
             file: str) -> dict[tuple[str, int], list[str]]:
    """(name, year) → codes (one, or two where the seat changed hands that year)."""
    from comity.world import states as st

    al = st.aliases_table()
    known = set(al.loc[al["kind"] == "name", "spelling"].map(st.normalize_name))
    out: dict[tuple[str, int], list[str]] = {}
    for name in names:
        pick = next((c for c in _candidates(name) if st.normalize_name(c) in known), None)
        if pick is None:
            raise DataFormatError(f"unknown state {name!r}", file=file, row=first_row[name],
                                  field="security_council_member",
                                  expected="a UN member's name (add a new spelling to "
                                  "comity/world/data/aliases.csv)")
        ys = years[name]
        dates = pd.Series(pd.to_datetime([f"{y}-01-01" for y in ys] + [f"{y}-12-31" for y in ys]))
        codes = st.resolve(pd.Series([pick] * len(dates)), kind="name", file=file,
                           dates=dates).tolist()
        k = len(ys)
        for j, y in enumerate(ys):
            out[(name, y)] = list(dict.fromkeys([codes[j], codes[j + k]]))
    return out


def parse_sc_membership(path: str | Path) -> SourceData:
    """Parse the DPPA Security Council membership list (see the module docstring)."""
    file = label(path)
    df = read_csv_strings(path, REQUIRED, strip_headers=True)
    n = len(df)
    rows = pd.Series(np.arange(1, n + 1), index=df.index)
    year_txt = df["year"].str.strip()
    year = pd.to_numeric(year_txt, errors="coerce")
    bad = (year.isna() | (year != year.round())).to_numpy()
    if bad.any():
        raise DataFormatError(f"{year_txt[bad].iloc[0][:40]!r} is not a year", file=file,
                              row=first_bad_row(bad, rows), field="year", expected="a year")
    now = pd.Timestamp.now().year + 1
    bad = ((year < 1946) | (year > now)).to_numpy()  # before the cast: 1e23 does not fit
    if bad.any():
        raise DataFormatError(f"year {year_txt[bad].iloc[0][:40]} is impossible", file=file,
                              row=first_bad_row(bad, rows), field="year",
                              expected=f"a year from 1946 to {now}")
    year = year.astype(int)
    name = df["security_council_member"].str.replace("\xa0", " ").str.strip()
    quality: list[dict] = []
    unnamed = (name == "").to_numpy()
    ident = df["id"].str.strip() if "id" in df.columns else rows.astype(str)
    for i in np.flatnonzero(unnamed):
        quality.append({"key": None, "kind": "member_unnamed", "detail": (
            f"{file} row {i + 1} (id {ident.iloc[i]}): a member of {int(year.iloc[i])} without "
            "a name")})
    keep = ~unnamed
    names = name[keep]
    yrs = year[keep]
    by_name: dict[str, list[int]] = {}
    first_row: dict[str, int] = {}
    for nm, y, r in zip(names, yrs, rows[keep], strict=True):
        by_name.setdefault(nm, [])
        if y not in by_name[nm]:
            by_name[nm].append(int(y))
        first_row.setdefault(nm, int(r))
    codes = _resolve(list(by_name), by_name, first_row, file)
    recs = [{"year": int(y), "state": c, "row": int(r)}
            for nm, y, r in zip(names, yrs, rows[keep], strict=True) for c in codes[(nm, y)]]
    council = pd.DataFrame(recs, columns=["year", "state", "row"])
    dup = council.duplicated(["year", "state"])
    for r in council[dup].itertuples():
        quality.append({"key": None, "kind": "duplicate_listing", "detail": (
            f"{file} row {r.row}: {r.state} listed twice for {r.year}")})
    council = council[~dup].reset_index(drop=True)
    # the number of members named per year (a seat that changed hands counts once)
    named = pd.Series(keep.astype(int)).groupby(year.to_numpy()).sum()
    for y, k in named.items():
        if k != seats(int(y)):
            quality.append({"key": None, "kind": "council_size", "detail": (
                f"{file}: {k} members named for {y} ({seats(int(y))} seats)")})
    council["year"] = council["year"].astype("int64")
    council["row"] = council["row"].astype("int64")
    from comity.ingest.sources import _common as C

    empty_res = C.finish_resolutions(pd.DataFrame({
        "key": pd.Series(dtype=object), "body": pd.Series(dtype=object),
        "date": pd.Series(dtype="datetime64[ns]"), "session": pd.Series(dtype="Int64"),
        "row": pd.Series(dtype="int64")}))
    votes = C.finish_votes(pd.DataFrame({"key": pd.Series(dtype=object),
                                         "state": pd.Series(dtype=object),
                                         "vote": pd.Series(dtype=object),
                                         "row": pd.Series(dtype="int64")}))
    q = (pd.DataFrame(quality, columns=["key", "kind", "detail"]).astype(object)
         if quality else empty_quality())
    return SourceData(source="dppa_sc", file=file, resolutions=empty_res, votes=votes,
                      lists_only_yna=True, quality=q, rows_read=n, council=council)
