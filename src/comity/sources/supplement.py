"""User-supplied votes for resolutions that no bulk file holds yet.

A small CSV format, documented in the README::

    resolution,date,body,state,vote,source_url
    A/RES/ES-11/7,2025-02-24,GA,USA,N,https://digitallibrary.un.org/record/...

``state`` is a code or any name comity knows; ``vote`` is Y, N, A or X. Members not listed
are inferred absent (as for sources that list only Y/N/A). Every row is stored with source
``supplement`` (user-supplied), the lowest precedence: a bulk file that later holds the same
resolution wins, and disagreements go to ``quality``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from comity.errors import DataFormatError, UnknownStateError
from comity.sources import _common as C
from comity.sources._io import first_bad_row, label, read_csv_strings
from comity.sources.base import SourceData, normalize_symbol

REQUIRED = ["resolution", "date", "body", "state", "vote", "source_url"]


def parse_supplement(path: str | Path) -> SourceData:
    from comity.states import lookup

    file = label(path)
    df = read_csv_strings(path, REQUIRED, strip_headers=True)
    n = len(df)
    rows = pd.Series(np.arange(1, n + 1), index=df.index)
    for col in REQUIRED[:5]:
        empty = df[col].str.strip() == ""
        if empty.any():
            raise DataFormatError("empty value", file=file, row=first_bad_row(empty, rows),
                                  field=col, expected=f"a {col} on every row")
    body = df["body"].str.strip().str.upper()
    bad = ~body.isin(["GA", "SC"])
    if bad.any():
        raise DataFormatError(f"{df['body'][bad].iloc[0]!r}", file=file,
                              row=first_bad_row(bad, rows), field="body", expected="GA or SC")
    vote = df["vote"].str.strip().str.upper()
    bad = ~vote.isin(["Y", "N", "A", "X"])
    if bad.any():
        raise DataFormatError(f"unknown vote code {df['vote'][bad].iloc[0]!r}", file=file,
                              row=first_bad_row(bad, rows), field="vote",
                              expected="Y, N, A or X")
    dates = C.parse_dates(df["date"].str.strip(), ["%Y-%m-%d"])
    if dates.isna().any():
        raise DataFormatError(f"unparseable date {df['date'][dates.isna()].iloc[0]!r}",
                              file=file, row=first_bad_row(dates.isna(), rows), field="date",
                              expected="YYYY-MM-DD")
    C.check_date_range(dates, file=file, field="date", rows=rows)
    uniq = df["state"].str.strip().unique()
    codes = {}
    for u in uniq:
        try:
            codes[u] = lookup(u)
        except UnknownStateError as exc:
            i = first_bad_row(df["state"].str.strip() == u, rows)
            raise DataFormatError(str(exc), file=file, row=i, field="state",
                                  expected="a state code or name") from None
    symbol = df["resolution"].map(normalize_symbol)
    key = body + ":" + symbol
    state = df["state"].str.strip().map(codes)
    votes = pd.DataFrame({"key": key, "state": state, "vote": vote, "row": rows})
    C.check_duplicates(votes, file=file)
    per = df.assign(key=key, d=dates).groupby("key")["d"].nunique()
    if (per > 1).any():
        k = per[per > 1].index[0]
        raise DataFormatError(f"{k} has several dates", file=file,
                              row=first_bad_row(key == k, rows), field="date",
                              expected="one date per resolution")
    first = ~key.duplicated()
    sym = symbol[first]
    res = pd.DataFrame({
        "key": key[first].to_numpy(), "body": body[first].to_numpy(),
        "date": dates[first].to_numpy(), "symbol": sym.to_numpy(),
        "link": df["source_url"][first].str.strip().replace("", None).to_numpy(),
        "row": rows[first].to_numpy(),
    })
    res["session"] = C.session_from_symbol(res["symbol"]).fillna(
        C.session_from_date(res["date"]))
    sc = res["body"] == "SC"
    res.loc[sc, "session"] = pd.to_datetime(res.loc[sc, "date"]).dt.year
    res["special"] = C.special_from_symbol(res["symbol"]).to_numpy()
    q = pd.DataFrame({"key": res["key"], "kind": "user_supplied",
                      "detail": "votes supplied by the user in " + file})
    return SourceData(source="supplement", file=file, resolutions=C.finish_resolutions(res),
                      votes=C.finish_votes(votes), lists_only_yna=True, quality=q,
                      rows_read=n)
