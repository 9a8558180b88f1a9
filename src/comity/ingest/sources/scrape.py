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
  (:func:`comity.world.states.scrape_column_state`); pure junk (``DONOTKNOW``) is dropped with a
  ``quality`` note. When two columns give the same state a vote on one resolution, identical
  values are kept once; different values keep the main column's and are noted in ``quality``;
* cells: ``Y``/``A``/``N``/``X`` (X = non-voting), empty = not a member (GA) or not on the
  Council (SC);
* titles end in " : resolution / adopted by the General Assembly" (removed);
* symbols carry suffixes (``A/RES/377(V)[A-C]``, ``A/RES/38/183I``) and SC symbols a year
  (``S/RES/2323(2016)`` → ``S/RES/2323``); ``token`` is the UNDL record id (used as key).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from comity.errors import DataFormatError
from comity.ingest.sources import _common as C
from comity.ingest.sources._io import first_bad_row, label, read_csv_table
from comity.ingest.sources.base import SourceData, normalize_symbol

META_COLUMNS = ["Council", "Date", "Title", "Resolution", "TOTAL VOTES", "NO-VOTE COUNT",
                "ABSENT COUNT", "NO COUNT", "YES COUNT", "Link", "token"]
_BODIES = {"General Assembly": "GA", "Security Council": "SC"}
_CELLS = ("Y", "A", "N", "X")


# the catalogue's " : resolution / adopted by the General Assembly" (any case) after a title
_TITLE_SUFFIX = re.compile(
    r":\s*resolution\s*/\s*adopted by the (General Assembly|Security Council)\s*$",
    re.IGNORECASE)


def _strip_title_suffix(titles: pd.Series) -> pd.Series:
    r"""``titles.str.replace(r"\s*" + _TITLE_SUFFIX, "", regex=True, case=False).str.strip()``.

    The suffix holds no colon, so it can only start at a title's last colon; the spaces
    before that colon go with it (``rstrip`` and ``\s`` agree on what a space is)."""
    out = []
    for t in titles.tolist():
        j = t.rfind(":")
        if j >= 0 and _TITLE_SUFFIX.match(t, j):
            t = t[:j].rstrip()
        out.append(t)
    return pd.Series(out, index=titles.index, dtype=titles.dtype).str.strip()


_CELL_OF_BYTE = np.full(256, -2, dtype=np.int8)  # -2: not a cell value
for _i, _c in enumerate(_CELLS):
    _CELL_OF_BYTE[ord(_c)] = _i


def _cell_codes(cells: pa.ChunkedArray) -> np.ndarray | None:
    """-1 for an empty cell, else the index of the cell in ``_CELLS``; None if some cell is
    anything else (surrounding spaces included). Read from the Arrow buffers: every
    value is empty or one byte."""
    arr = cells.combine_chunks() if isinstance(cells, pa.ChunkedArray) else cells
    n = len(arr)
    if arr.null_count or not pa.types.is_string(arr.type):
        return None
    if not n:
        return np.zeros(0, dtype=np.int8)
    _, offsets_buf, data_buf = arr.buffers()
    offsets = np.frombuffer(offsets_buf, dtype=np.int32, count=arr.offset + n + 1)[arr.offset:]
    length = np.diff(offsets)
    if (length > 1).any():
        return None
    if data_buf is None or not data_buf.size:
        return np.full(n, -1, dtype=np.int8)
    data = np.frombuffer(data_buf, dtype=np.uint8)
    cell = _CELL_OF_BYTE[data[np.minimum(offsets[:-1], len(data) - 1)]]
    cell[length == 0] = -1
    return None if (cell == -2).any() else cell


def parse_scrape(path: str | Path) -> SourceData:
    from comity.world import states as st

    file = label(path)
    tbl = read_csv_table(path, META_COLUMNS)
    n = tbl.num_rows
    df = tbl.select(META_COLUMNS).to_pandas()
    rows = pd.Series(np.arange(1, n + 1), index=df.index)

    body = df["Council"].str.strip().map(_BODIES)
    if body.isna().any():
        bad = body.isna()
        raise DataFormatError(f"unknown council {df['Council'][bad].iloc[0]!r}", file=file,
                              row=first_bad_row(bad, rows), field="Council",
                              expected="'General Assembly' or 'Security Council'")
    dates = C.parse_dates(df["Date"].str.strip(), ["%Y-%m-%d"], file=file, field="Date",
                          rows=rows)
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
        out: C.to_int(df[col], file=file, field=col, rows=rows, lo=0, hi=C.MAX_COUNT,
                      what="a count of states")
        for out, col in (("yes", "YES COUNT"), ("no", "NO COUNT"), ("abstain", "ABSENT COUNT"),
                         ("non_voting", "NO-VOTE COUNT"))
    }
    res = pd.DataFrame({
        "key": key.to_numpy(), "body": body.to_numpy(), "session": session.to_numpy(),
        "special": C.special_from_symbol(symbol).to_numpy(), "date": dates.to_numpy(),
        "symbol": symbol.to_numpy(),
        "title": _strip_title_suffix(df["Title"]).to_numpy(),
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
    names = tbl.column_names
    cpos = [i for i, c in enumerate(names) if c not in META_COLUMNS]
    ccols = [names[i] for i in cpos]
    columns = tbl.columns
    big = pa.chunked_array([chunk for i in cpos for chunk in columns[i].chunks],
                           type=pa.string())
    # cells column after column, as -1 (empty) or an index into _CELLS
    cell = _cell_codes(big)
    if cell is None:  # values to trim or unknown ones: trim each distinct value once
        codes, dict_vals = C.dict_factorize(big, pc.utf8_trim_whitespace)
        bad_vals = [v for v in dict_vals if v not in ("", *_CELLS)]
        if bad_vals:
            at = int(np.argmax(codes == dict_vals.index(bad_vals[0])))
            ci, ri = divmod(at, n)
            raise DataFormatError(f"unknown vote code {bad_vals[0]!r}", file=file,
                                  row=int(ri) + 1, field=ccols[ci],
                                  expected="Y, A, N, X or empty")
        lut = np.array([(_CELLS.index(v) if v in _CELLS else -1) for v in dict_vals] + [-1],
                       dtype=np.int8)
        cell = lut[codes]
    nz = np.flatnonzero(cell >= 0)
    c_idx, r_idx = np.divmod(nz, n) if n else (nz, nz)
    vcode = cell[nz]
    headers = np.asarray(ccols, dtype=object)
    # normalised name spellings (the alias table's ``key`` is normalize_name(spelling))
    aliases = st.aliases_table()
    names_known = set(aliases.loc[aliases["kind"] == "name", "key"])
    by_name = np.array([st.normalize_name(h) in names_known for h in ccols], dtype=bool)
    fixed = np.array([None if b else st.scrape_column_state(h)
                      for h, b in zip(ccols, by_name, strict=True)], dtype=object)
    junk = ~by_name & pd.isna(fixed)
    cell_by_name = by_name[c_idx]
    cell_junk = junk[c_idx]
    date_codes, date_uniq = pd.factorize(dates)
    date_codes = np.where(date_codes < 0, len(date_uniq), date_codes)
    date_series = pd.Series([*list(date_uniq), pd.NaT], dtype="datetime64[ns]")
    # resolve name columns with the vote's date; garbled columns through the fixed map.
    # States are numbered into ``state_names``.
    spell_idx = np.where(cell_by_name, c_idx, 0)
    spellings = np.where(by_name, headers, "")
    state_int = np.full(len(c_idx), -1, dtype=np.int64)
    state_names: list[str] = []
    if cell_by_name.any():
        cat = C.resolve_factorized(spell_idx[cell_by_name], spellings,
                                   date_codes[r_idx[cell_by_name]], date_series, kind="name",
                                   file=file, rows=r_idx[cell_by_name] + 1)
        state_int[cell_by_name] = cat.codes
        state_names = [str(x) for x in cat.categories]
    other = ~cell_by_name & ~cell_junk
    if other.any():
        pos = {name: i for i, name in enumerate(state_names)}
        col_state = np.full(len(ccols), -1, dtype=np.int64)
        for ci in np.flatnonzero(~by_name & ~junk):
            col_state[ci] = pos.setdefault(fixed[ci], len(pos))
        state_names = list(pos)
        state_int[other] = col_state[c_idx[other]]
    if cell_junk.any():
        jk = pd.DataFrame({"key": key.to_numpy()[r_idx[cell_junk]],
                           "col": headers[c_idx[cell_junk]],
                           "cell": np.asarray(_CELLS)[vcode[cell_junk]]})
        quality_parts.append(pd.DataFrame({
            "key": jk["key"], "kind": "junk_column",
            "detail": "vote " + jk["cell"] + " in unrecognised column " + jk["col"].map(repr)
            + " of " + file + " dropped"}))
    keep = ~cell_junk
    c_k, r_k, v_k, main_k = c_idx[keep], r_idx[keep], vcode[keep], cell_by_name[keep]
    # states numbered in order of first appearance (column after column)
    s_vals, s_first, s_inv = C.unique_index_inverse(state_int[keep])
    appear = np.argsort(s_first, kind="stable")
    rank = np.empty(len(appear), dtype=np.int64)
    rank[appear] = np.arange(len(appear))
    s_codes = rank[s_inv]
    s_uniq = [state_names[i] for i in s_vals[appear]]
    # one vote per (resolution, state): prefer the state's main (name) column
    combo = r_k.astype(np.int64) * (len(s_uniq) + 1) + s_codes
    order = np.argsort(combo * 2 + ~main_k, kind="stable")
    c_k, r_k, v_k, combo = c_k[order], r_k[order], v_k[order], combo[order]
    s_codes = s_codes[order]
    same_prev = combo[1:] == combo[:-1]
    dup_all = np.zeros(len(combo), dtype=bool)
    dup_all[1:] |= same_prev
    dup_all[:-1] |= same_prev
    if dup_all.any():
        d = pd.DataFrame({"key": key.to_numpy()[r_k[dup_all]],
                          "state": np.asarray(s_uniq, dtype=object)[s_codes[dup_all]],
                          "vote": np.asarray(_CELLS)[v_k[dup_all]],
                          "col": headers[c_k[dup_all]]})
        agg = d.groupby(["key", "state"], sort=False).agg(
            n_values=("vote", "nunique"), votes=("vote", "/".join), cols=("col", " | ".join))
        agg = agg.reset_index()
        quality_parts.append(pd.DataFrame({
            "key": agg["key"],
            "kind": np.where(agg["n_values"] > 1, "source_conflict", "duplicate_column"),
            "detail": agg["state"] + " listed in several columns (" + agg["cols"] + "): "
            + agg["votes"] + "; kept the first (" + file + ")"}))
    first = np.ones(len(combo), dtype=bool)
    first[1:] = ~same_prev
    keys_index = pd.Index(key.to_numpy())
    votes = pd.DataFrame({
        "key": pd.Categorical.from_codes(r_k[first], categories=keys_index),
        "state": pd.Categorical.from_codes(s_codes[first], categories=pd.Index(s_uniq)),
        "vote": pd.Categorical.from_codes(v_k[first], categories=list(_CELLS)),
        "row": r_k[first] + 1,
    })
    quality = (pd.concat(quality_parts, ignore_index=True) if quality_parts
               else pd.DataFrame(columns=["key", "kind", "detail"]))
    return SourceData(
        source="scrape", file=file, resolutions=C.finish_resolutions(res),
        votes=votes, lists_only_yna=False, quality=quality, rows_read=n,
    )
