"""The UN Dag Hammarskjöld Library's official voting bulk files (UN Digital Library).

* General Assembly voting data (record 4060887), versions 1–5: one row per Member State and
  resolution adopted by recorded vote. Columns are matched by NAME (their order changed
  between versions); ``vote_note`` exists only from version 5 on. Files may start with a BOM,
  use CRLF line ends and hold quoted newlines in titles.
* Security Council voting data (record 4055387): one row per Council member and resolution,
  with ``permanent_member``, ``modality`` (adopted with or without a vote; when no vote was
  taken, every member is recorded as "Y") and ``vote_note``.

``ms_vote``: Y yes, N no, A abstention, X non-voting. ``ms_code`` is the three-letter code
(ISO 3166-1 alpha-3; historical states by their ISO 3166-3 codes), resolved with the vote's
date; ``ms_name`` is the official name at the time of the vote (used when a code is unknown).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from comity.errors import DataFormatError, UnknownStateError
from comity.sources import _common as C
from comity.sources._io import first_bad_row, label, read_csv_strings
from comity.sources.base import SourceData, normalize_symbol

GA_REQUIRED = ["undl_id", "ms_code", "ms_name", "ms_vote", "date", "session", "resolution",
               "draft", "committee_report", "meeting", "title", "agenda_title", "subjects",
               "total_yes", "total_no", "total_abstentions", "total_non_voting", "total_ms",
               "undl_link"]
SC_REQUIRED = ["undl_id", "ms_code", "ms_name", "permanent_member", "ms_vote", "date",
               "resolution", "draft", "meeting", "description", "agenda", "subjects",
               "vote_note", "total_yes", "total_no", "total_abstentions", "total_non_voting",
               "total_ms", "modality", "undl_link"]
_VOTES = ("Y", "N", "A", "X")
_DATE_FORMATS = ["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S", "%d/%m/%Y", "%Y%m%d"]


def _states(df: pd.DataFrame, dates: pd.Series, rows: pd.Series, file: str) -> pd.Series:
    from comity.states import resolve

    code = df["ms_code"].str.strip().str.upper()
    try:
        return resolve(code, kind="iso3", file=file, dates=dates, rows=rows)
    except UnknownStateError:
        # fall back to the official name for codes we do not know
        return resolve(df["ms_name"].str.strip(), kind="name", file=file, dates=dates,
                       rows=rows)


def _common(path: str | Path, required: list[str], body: str) -> tuple:
    file = label(path)
    df = read_csv_strings(path, required, strip_headers=True)
    n = len(df)
    rows = pd.Series(np.arange(1, n + 1), index=df.index)
    for col in ("undl_id", "ms_code", "resolution"):
        empty = df[col].str.strip() == ""
        if empty.any():
            raise DataFormatError("empty value", file=file, row=first_bad_row(empty, rows),
                                  field=col, expected=f"a {col} on every row")
    vote = df["ms_vote"].str.strip().str.upper()
    bad = ~vote.isin(_VOTES)
    if bad.any():
        raise DataFormatError(f"unknown vote code {df['ms_vote'][bad].iloc[0]!r}", file=file,
                              row=first_bad_row(bad, rows), field="ms_vote",
                              expected="Y, N, A or X")
    dates = C.parse_dates(df["date"].str.strip(), _DATE_FORMATS)
    nodate = dates.isna()
    if nodate.any():
        raise DataFormatError(f"unparseable date {df['date'][nodate].iloc[0]!r}", file=file,
                              row=first_bad_row(nodate, rows), field="date",
                              expected="YYYY-MM-DD")
    C.check_date_range(dates, file=file, field="date", rows=rows)
    key = df["undl_id"].str.strip()
    state = _states(df, dates, rows, file)
    votes = pd.DataFrame({"key": key.to_numpy(), "state": state.to_numpy(),
                          "vote": vote.to_numpy(), "row": rows.to_numpy()})
    C.check_duplicates(votes, file=file)
    first = ~key.duplicated()
    meta = df[first]
    mrows = rows[first]
    symbol = meta["resolution"].map(normalize_symbol)
    tallies = {
        out: C.to_int(meta[col], file=file, field=col, rows=mrows)
        for out, col in (("yes", "total_yes"), ("no", "total_no"),
                         ("abstain", "total_abstentions"), ("non_voting", "total_non_voting"))
    }
    # per-resolution fields must not change between the rows of one record
    for col in ("resolution", "date", "total_yes", "total_no", "total_abstentions"):
        per = df.groupby(key, sort=False)[col].nunique()
        if (per > 1).any():
            k = per[per > 1].index[0]
            bad_rows = rows[(key == k).to_numpy()]
            raise DataFormatError(f"record {k} has different {col} values on its rows",
                                  file=file, row=int(bad_rows.iloc[-1]), field=col,
                                  expected="the same value on every row of a record")
    res = pd.DataFrame({
        "key": key[first].to_numpy(), "body": body, "date": dates[first].to_numpy(),
        "symbol": symbol.to_numpy(), "link": meta["undl_link"].str.strip()
        .replace("", None).to_numpy(),
        "subjects": meta["subjects"].str.strip().replace("", None).to_numpy(),
        "row": mrows.to_numpy(), **{k: v.to_numpy() for k, v in tallies.items()},
    })
    quality = []
    if "vote_note" in df.columns:
        note = df["vote_note"].str.strip()
        has = note != ""
        if has.any():
            quality.append(pd.DataFrame({
                "key": key[has].to_numpy(), "kind": "vote_note",
                "detail": (state[has] + ": " + note[has]).to_numpy()}))
    return file, df, first, res, votes, quality, n


def parse_undl_ga(path: str | Path) -> SourceData:
    """Parse any version (1–5) of the official UNDL General Assembly voting CSV."""
    file, df, first, res, votes, quality, n = _common(path, GA_REQUIRED, "GA")
    meta = df[first]
    sess_txt = meta["session"].str.strip().str.upper()
    num = pd.to_numeric(sess_txt, errors="coerce")
    res["session"] = pd.array(num.to_numpy(), dtype="Int64")
    res["session"] = res["session"].fillna(C.session_from_symbol(res["symbol"]))
    res["session"] = res["session"].fillna(C.session_from_date(res["date"]))
    res["special"] = C.special_from_symbol(res["symbol"]).to_numpy()
    res["title"] = meta["title"].str.strip().replace("", None).to_numpy()
    res["agenda"] = meta["agenda_title"].str.strip().replace("", None).to_numpy()
    q = pd.concat(quality, ignore_index=True) if quality else None
    return SourceData(source="undl_ga", file=file, resolutions=C.finish_resolutions(res),
                      votes=C.finish_votes(votes), lists_only_yna=False,
                      quality=q if q is not None else pd.DataFrame(
                          columns=["key", "kind", "detail"]),
                      rows_read=n)


def parse_undl_sc(path: str | Path) -> SourceData:
    """Parse the official UNDL Security Council voting CSV."""
    file, df, first, res, votes, quality, n = _common(path, SC_REQUIRED, "SC")
    meta = df[first]
    res["session"] = pd.to_datetime(res["date"]).dt.year.astype("Int64")
    res["title"] = meta["description"].str.strip().replace("", None).to_numpy()
    res["agenda"] = meta["agenda"].str.strip().replace("", None).to_numpy()
    modality = meta["modality"].str.strip()
    wv = modality.str.lower().str.contains("without")
    if wv.any():
        quality.append(pd.DataFrame({
            "key": meta["undl_id"][wv].str.strip().to_numpy(), "kind": "adopted_without_vote",
            "detail": ("modality: " + modality[wv] + "; members recorded as Y by the "
                       "Library").to_numpy()}))
    perm = df["permanent_member"].str.strip().str.lower()
    bad = ~perm.isin(["true", "false", "1", "0", "yes", "no", ""])
    if bad.any():
        raise DataFormatError(f"{df['permanent_member'][bad].iloc[0]!r} is not true/false",
                              file=file, row=int(np.argmax(bad.to_numpy())) + 1,
                              field="permanent_member", expected="True or False")
    q = pd.concat(quality, ignore_index=True) if quality else None
    return SourceData(source="undl_sc", file=file, resolutions=C.finish_resolutions(res),
                      votes=C.finish_votes(votes), lists_only_yna=False,
                      quality=q if q is not None else pd.DataFrame(
                          columns=["key", "kind", "detail"]),
                      rows_read=n)
