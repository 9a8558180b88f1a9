"""The UN Digital Library voting records scraped into one wide CSV (GA and SC, 1946–2021).

Quirks handled here (see ``shared/data/README.md``):

* one row per resolution, ``Council`` = "General Assembly" or "Security Council";
* misleading headers: ``ABSENT COUNT`` is the number of **abstentions** and ``NO-VOTE COUNT``
  the number of **non-voting** members; ``TOTAL VOTES`` is the membership counted;
* one column per state NAME, historical names as separate columns (``USSR`` vs ``RUSSIAN
  FEDERATION``), some names mean different states over time (``CHINA`` before 1971-10-25 is
  the Republic of China): names are resolved with the vote's date;
* junk/typo columns holding a few cells (``Aa UNITED STATES``, ``AY DENMARK``, ``CHILEs ``,
  `` UNITED KINGDOM``): mapped to their state where recognisable
  (:func:`comity.states.scrape_column_state`); pure junk (``DONOTKNOW``) is dropped with a
  ``quality`` note. When two columns give the same state a vote on one resolution, identical
  values are kept once; different values keep the main column's and are noted in ``quality``;
* cells: ``Y``/``A``/``N``/``X`` (X = non-voting), empty = not a member (GA) or not on the
  Council (SC);
* symbols carry suffixes (``A/RES/377(V)[A-C]``, ``A/RES/38/183I``) and SC symbols a year
  (``S/RES/2323(2016)`` → ``S/RES/2323``); ``token`` is the UNDL record id (used as key).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from comity.errors import DataFormatError
from comity.sources import _common as C
from comity.sources._io import first_bad_row, label, read_csv_strings
from comity.sources.base import SourceData, normalize_symbol

META_COLUMNS = ["Council", "Date", "Title", "Resolution", "TOTAL VOTES", "NO-VOTE COUNT",
                "ABSENT COUNT", "NO COUNT", "YES COUNT", "Link", "token"]
_BODIES = {"General Assembly": "GA", "Security Council": "SC"}
_CELLS = ("Y", "A", "N", "X")


def parse_scrape(path: str | Path) -> SourceData:
    from comity import states as st

    file = label(path)
    df = read_csv_strings(path, META_COLUMNS)
    n = len(df)
    rows = pd.Series(np.arange(1, n + 1), index=df.index)

    body = df["Council"].str.strip().map(_BODIES)
    if body.isna().any():
        bad = body.isna()
        raise DataFormatError(f"unknown council {df['Council'][bad].iloc[0]!r}", file=file,
                              row=first_bad_row(bad, rows), field="Council",
                              expected="'General Assembly' or 'Security Council'")
    dates = C.parse_dates(df["Date"].str.strip(), ["%Y-%m-%d"])
    C.check_date_range(dates, file=file, field="Date", rows=rows)
    key = df["token"].str.strip()
    if (key == "").any():
        raise DataFormatError("empty record id", file=file, row=first_bad_row(key == "", rows),
                              field="token", expected="the UNDL record number")
    if key.duplicated().any():
        d = key.duplicated()
        raise DataFormatError(f"record {key[d].iloc[0]} appears twice", file=file,
                              row=first_bad_row(d, rows), field="token",
                              expected="one row per resolution")
    symbol = df["Resolution"].map(normalize_symbol)
    session = C.session_from_symbol(symbol)
    session = session.fillna(C.session_from_date(dates))
    sc = (body == "SC").to_numpy()
    session[sc] = dates[sc].dt.year.astype("Int64")
    tallies = {
        out: C.to_int(df[col], file=file, field=col, rows=rows)
        for out, col in (("yes", "YES COUNT"), ("no", "NO COUNT"), ("abstain", "ABSENT COUNT"),
                         ("non_voting", "NO-VOTE COUNT"))
    }
    res = pd.DataFrame({
        "key": key.to_numpy(), "body": body.to_numpy(), "session": session.to_numpy(),
        "special": C.special_from_symbol(symbol).to_numpy(), "date": dates.to_numpy(),
        "symbol": symbol.to_numpy(), "title": df["Title"].str.strip().to_numpy(),
        "link": df["Link"].str.strip().replace("", None).to_numpy(),
        "row": rows.to_numpy(), **{k: v.to_numpy() for k, v in tallies.items()},
    })
    quality_parts = []
    nodate = res["date"].isna()
    if nodate.any():
        quality_parts.append(pd.DataFrame({
            "key": res.loc[nodate, "key"], "kind": "date_missing",
            "detail": "unparseable Date " + df.loc[nodate, "Date"].astype(str) + " in " + file}))

    # --- the wide country block → long rows, vectorised ------------------------------
    ccols = [c for c in df.columns if c not in META_COLUMNS]
    block = df[ccols].to_numpy(dtype=object)
    r_idx, c_idx = np.nonzero(block != "")
    cells = block[r_idx, c_idx].astype(str)
    cells = np.char.strip(cells.astype("U2"))
    bad = ~np.isin(cells, _CELLS)
    if bad.any():
        i = int(np.argmax(bad))
        raise DataFormatError(f"unknown vote code {cells[i]!r}", file=file,
                              row=int(r_idx[i]) + 1, field=ccols[c_idx[i]],
                              expected="Y, A, N, X or empty")
    headers = pd.Series(ccols)
    alias_names = set(st.aliases_table().query("kind == 'name'")["spelling"].map(
        st.normalize_name))
    by_name = headers.map(lambda h: st.normalize_name(h) in alias_names)
    fixed = headers.map(lambda h: None if st.normalize_name(h) in alias_names
                        else st.scrape_column_state(h))
    junk = ~by_name & fixed.isna()
    main = by_name.to_numpy()
    # per-cell code: resolve name columns with the vote's date, others from the fixed map
    cell_by_name = main[c_idx]
    code = np.empty(len(cells), dtype=object)
    if cell_by_name.any():
        nm = pd.Series(headers.to_numpy()[c_idx[cell_by_name]])
        dd = pd.Series(dates.to_numpy()[r_idx[cell_by_name]])
        code[cell_by_name] = st.resolve(nm, kind="name", file=file, dates=dd,
                                        rows=pd.Series(r_idx[cell_by_name] + 1)).to_numpy()
    other = ~cell_by_name
    code[other] = fixed.to_numpy()[c_idx[other]]
    is_junk = junk.to_numpy()[c_idx]
    if is_junk.any():
        jk = pd.DataFrame({"key": key.to_numpy()[r_idx[is_junk]],
                           "col": headers.to_numpy()[c_idx[is_junk]],
                           "cell": cells[is_junk]})
        quality_parts.append(pd.DataFrame({
            "key": jk["key"], "kind": "junk_column",
            "detail": "vote " + jk["cell"] + " in unrecognised column " + jk["col"].map(repr)
            + " of " + file + " dropped"}))
    keep = ~is_junk
    votes = pd.DataFrame({
        "key": key.to_numpy()[r_idx[keep]], "state": code[keep], "vote": cells[keep],
        "row": r_idx[keep] + 1, "main": main[c_idx[keep]],
        "col": headers.to_numpy()[c_idx[keep]],
    })
    dup = votes.duplicated(["key", "state"], keep=False)
    if dup.any():
        d = votes[dup].sort_values(["key", "state", "main"], ascending=[True, True, False])
        agg = d.groupby(["key", "state"], sort=False).agg(
            n_values=("vote", "nunique"), votes=("vote", "/".join), cols=("col", " | ".join))
        agg = agg.reset_index()
        quality_parts.append(pd.DataFrame({
            "key": agg["key"],
            "kind": np.where(agg["n_values"] > 1, "source_conflict", "duplicate_column"),
            "detail": agg["state"] + " listed in several columns (" + agg["cols"] + "): "
            + agg["votes"] + "; kept the first (" + file + ")"}))
        votes = votes.sort_values(["key", "state", "main"], ascending=[True, True, False])
        votes = votes.drop_duplicates(["key", "state"], keep="first")
    quality = (pd.concat(quality_parts, ignore_index=True) if quality_parts
               else pd.DataFrame(columns=["key", "kind", "detail"]))
    return SourceData(
        source="scrape", file=file, resolutions=C.finish_resolutions(res),
        votes=C.finish_votes(votes), lists_only_yna=False, quality=quality, rows_read=n,
    )
