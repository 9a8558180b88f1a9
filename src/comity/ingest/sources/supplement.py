"""User-supplied votes for resolutions (or failed drafts) that no bulk file holds yet.

A small CSV format (UTF-8, optional BOM, LF or CRLF; columns matched by name)::

    resolution,date,body,state,vote,source_url
    A/RES/ES-11/7,2025-02-24,GA,USA,N,https://digitallibrary.un.org/record/4076357
    A/RES/ES-11/7,2025-02-24,GA,Ukraine,Y,https://digitallibrary.un.org/record/4076357

==============  ========  ==================================================================
column          required  meaning
==============  ========  ==================================================================
``resolution``  yes       symbol of the resolution (``A/RES/ES-11/7``, ``S/RES/2728``), or,
                          for a draft that was NOT adopted, the draft's symbol
                          (``S/2024/255``): a failed draft has no resolution number
``date``        yes       date of the vote, ``YYYY-MM-DD``; one date per resolution
``body``        yes       ``GA`` or ``SC``
``state``       yes       a three-letter code, read as an ISO 3166 alpha-3 code for the
                          seat on the vote's date (``CHN`` in 1950 is ``TWN``, ``RUS`` in
                          1980 is ``SUN``; ``SUN``, ``TWN``, ``YUG``... are themselves), or
                          any name comity knows (also resolved with the date)
``vote``        yes       ``Y``, ``N``, ``A`` or ``X`` (X = member present but not voting)
``source_url``  yes       where the votes were read (may be empty, but the column must exist)
``outcome``     no        ``adopted`` (default when the column or the cell is empty),
                          ``vetoed`` (a Security Council draft not adopted because of a
                          permanent member's no) or ``failed`` (a draft put to the vote and
                          not adopted; a Council draft that had the votes it needed and a
                          permanent member's no is counted as vetoed); one per resolution
``title``       no        title of the resolution or draft
==============  ========  ==================================================================

Every row is stored with source ``supplement`` and every resolution it describes gets a
``quality`` row ``user_supplied`` (flagged as user-supplied). Supplements have the lowest
precedence (:mod:`comity.ingest.merge`): a bulk file that later holds the same resolution wins, and
disagreements go to ``quality``. For GA votes, members not listed are inferred absent (``X``,
``inferred``), as for the other sources that list only Y/N/A; for SC votes nothing is
inferred: list all fifteen members.

Security Council vetoes: the official SC file and the staged scrape hold adopted resolutions
only; the SC drafts sheet and the veto list (``sources/sc_drafts.py``, ``sources/vetoes.py``)
hold the failed drafts to 2025-06, and a supplement with ``outcome = vetoed`` or ``failed``
adds later ones; see :mod:`comity.analysis.security_council`.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from comity.errors import DataFormatError, UnknownStateError
from comity.ingest.sources import _common as C
from comity.ingest.sources._io import first_bad_row, label, read_csv_strings
from comity.ingest.sources.base import SourceData, normalize_symbol

REQUIRED = ["resolution", "date", "body", "state", "vote", "source_url"]
OPTIONAL = ["outcome", "title"]
OUTCOMES = ("adopted", "vetoed", "failed")


def _states(values: pd.Series, dates: pd.Series, rows: pd.Series, file: str) -> pd.Series:
    """Canonical codes for codes/names given per row, resolved with each row's date.

    Resolved once per distinct (spelling, date): three-letter codes as ISO alpha-3 codes with
    the date (:func:`comity.world.states.resolve`, ``kind="iso3"``: ``CHN`` in 1950 is ``TWN``, the
    historical codes ``SUN``, ``YUG``... are themselves), other canonical codes as they are,
    names with the date (``kind="name"``), anything else through :func:`comity.world.states.lookup`
    (partial names).
    """
    from comity.world import states as st

    pairs = pd.DataFrame({"s": values.to_numpy(), "d": dates.to_numpy(),
                          "row": rows.to_numpy()})
    uniq = pairs.drop_duplicates(["s", "d"]).reset_index(drop=True)
    codes = set(st.states_table()["code"])
    out = pd.Series(None, index=uniq.index, dtype=object)
    up = uniq["s"].str.upper()
    al = st.aliases_table()
    iso3 = set(al.loc[al["kind"] == "iso3", "spelling"].str.upper())
    names = set(al.loc[al["kind"] == "name", "spelling"].map(st.normalize_name))
    names |= {st.normalize_name(n) for n in st.states_table()["name"]}
    by_iso = up.isin(iso3)
    canon = ~by_iso & up.isin(codes)
    out[canon] = up[canon]
    if by_iso.any():
        out[by_iso] = st.resolve(up[by_iso], kind="iso3", file=file, dates=uniq["d"][by_iso],
                                 rows=uniq["row"][by_iso]).to_numpy()
    by_name = ~canon & ~by_iso & uniq["s"].map(st.normalize_name).isin(names)
    if by_name.any():
        try:
            out[by_name] = st.resolve(uniq["s"][by_name], kind="name", file=file,
                                      dates=uniq["d"][by_name],
                                      rows=uniq["row"][by_name]).to_numpy()
        except UnknownStateError:
            by_name[:] = False  # a dated spelling without meaning that day: try lookup
    for i in np.flatnonzero((~canon & ~by_iso & ~by_name).to_numpy()):
        try:
            out.iloc[i] = st.lookup(uniq["s"].iloc[i])
        except UnknownStateError as exc:
            raise DataFormatError(str(exc), file=file, row=int(uniq["row"].iloc[i]),
                                  field="state", expected="a state code or name") from None
    got = pairs.merge(uniq[["s", "d"]].assign(code=out.to_numpy()), on=["s", "d"],
                      how="left", validate="many_to_one")
    return pd.Series(got["code"].to_numpy(dtype=object), index=values.index, dtype=object)


def parse_supplement(path: str | Path) -> SourceData:
    """Parse a supplement CSV (see the module docstring for the format)."""
    file = label(path)
    df = read_csv_strings(path, REQUIRED, strip_headers=True)
    n = len(df)
    rows = pd.Series(np.arange(1, n + 1), index=df.index)
    for col in REQUIRED[:5]:
        empty = (df[col].str.strip() == "").to_numpy()
        if empty.any():
            raise DataFormatError("empty value", file=file, row=first_bad_row(empty, rows),
                                  field=col, expected=f"a {col} on every row")
    body = df["body"].str.strip().str.upper()
    bad = ~body.isin(["GA", "SC"]).to_numpy()
    if bad.any():
        raise DataFormatError(f"unknown body {df['body'][bad].iloc[0]!r}", file=file,
                              row=first_bad_row(bad, rows), field="body", expected="GA or SC")
    vote = df["vote"].str.strip().str.upper()
    bad = ~vote.isin(["Y", "N", "A", "X"]).to_numpy()
    if bad.any():
        raise DataFormatError(f"unknown vote code {df['vote'][bad].iloc[0]!r}", file=file,
                              row=first_bad_row(bad, rows), field="vote",
                              expected="Y, N, A or X")
    dates = C.parse_dates(df["date"].str.strip(), ["%Y-%m-%d"], file=file, field="date",
                          rows=rows)
    nodate = dates.isna().to_numpy()
    if nodate.any():
        raise DataFormatError(f"unparseable date {df['date'][nodate].iloc[0]!r}",
                              file=file, row=first_bad_row(nodate, rows), field="date",
                              expected="YYYY-MM-DD")
    C.check_date_range(dates, file=file, field="date", rows=rows)
    if "outcome" in df.columns:
        outcome = df["outcome"].str.strip().str.lower().replace("", "adopted")
    else:
        outcome = pd.Series("adopted", index=df.index, dtype=object)
    bad = ~outcome.isin(OUTCOMES).to_numpy()
    if bad.any():
        raise DataFormatError(f"unknown outcome {df['outcome'][bad].iloc[0]!r}", file=file,
                              row=first_bad_row(bad, rows), field="outcome",
                              expected="adopted, vetoed or failed (empty = adopted)")
    symbol = df["resolution"].map(normalize_symbol)
    failed_res = (outcome != "adopted") & symbol.str.contains("/RES/", regex=False)
    if failed_res.any():
        raise DataFormatError(
            f"{df['resolution'][failed_res].iloc[0]!r} is a resolution symbol, but the row "
            "says the draft failed", file=file, row=first_bad_row(failed_res, rows),
            field="resolution", expected="the draft's symbol (e.g. S/2024/255) for a failed "
            "draft: a draft that was not adopted has no resolution number")
    key = body + ":" + symbol
    state = _states(df["state"].str.strip(), dates, rows, file)
    votes = pd.DataFrame({"key": key, "state": state, "vote": vote, "row": rows})
    C.check_duplicates(votes, file=file)
    kcodes, _ = pd.factorize(key)
    _, first_pos = np.unique(kcodes, return_index=True)
    ref = first_pos[kcodes]
    per_record = {"date": dates.to_numpy(), "outcome": outcome.to_numpy(dtype=object)}
    if "title" in df.columns:
        per_record["title"] = df["title"].str.strip().to_numpy(dtype=object)
    for col, vals in per_record.items():
        diff = vals != vals[ref]
        if diff.any():
            i = int(np.argmax(diff))
            raise DataFormatError(
                f"{key.iloc[i]} has {col} {df[col].iloc[i]!r} here but "
                f"{df[col].iloc[ref[i]]!r} on row {int(rows.iloc[ref[i]])}", file=file,
                row=int(rows.iloc[i]), field=col,
                expected=f"one {col} per resolution")
    first = np.sort(first_pos)
    res = pd.DataFrame({
        "key": key.iloc[first].to_numpy(), "body": body.iloc[first].to_numpy(),
        "date": dates.iloc[first].to_numpy(), "symbol": symbol.iloc[first].to_numpy(),
        "outcome": outcome.iloc[first].to_numpy(),
        "link": df["source_url"].iloc[first].str.strip().replace("", None).to_numpy(),
        "row": rows.iloc[first].to_numpy(),
    })
    if "title" in df.columns:
        res["title"] = df["title"].iloc[first].str.strip().replace("", None).to_numpy()
    session = C.session_from_symbol(res["symbol"]).fillna(C.session_from_date(res["date"]))
    sc = (res["body"] == "SC").to_numpy()
    session[sc] = pd.to_datetime(res.loc[sc, "date"]).dt.year.astype("Int64").to_numpy()
    res["session"] = session
    res["special"] = C.special_from_symbol(res["symbol"]).to_numpy()
    q = pd.DataFrame({"key": res["key"].to_numpy(dtype=object), "kind": "user_supplied",
                      "detail": ("votes supplied by the user in " + file
                                 + np.where(res["outcome"] != "adopted",
                                            " (draft not adopted)", ""))}).astype(object)
    return SourceData(source="supplement", file=file, resolutions=C.finish_resolutions(res),
                      votes=C.finish_votes(votes), lists_only_yna=True, quality=q,
                      rows_read=n)
