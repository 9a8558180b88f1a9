"""Voeten's United Nations General Assembly Voting Data, in its two published forms.

* ``voeten2016``: the Dataverse file (hdl:1902.1/12379) as ``UNVotesPublished`` 2016: one row
  per roll call and COW country code, ``vote`` 1 yes / 2 abstain / 3 no / 8 absent /
  9 not a member; ``date`` is ``M/D/YYYY`` text (some blank); issue dummies ``me nu di hr co ec``.
* ``unvotes``: the R package ``unvotes`` (v0.3.0), three tables joined by ``rcid``:
  ``un_votes`` (rcid, country, country_code (ISO-2, sometimes empty), vote yes/no/abstain —
  absent members and non-members dropped), ``un_roll_calls`` (session, importantvote, date,
  unres, amend, para, short, descr) and ``un_roll_call_issues`` (rcid, short_name, issue).

Both number roll calls with the same ``rcid``. A roll call may be on an amendment (``amend``)
or a paragraph (``para``) rather than the resolution as a whole, and several roll calls may
share one resolution; the merge step decides which roll call is the resolution's final vote.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from comity.errors import DataFormatError
from comity.ingest.sources import _common as C
from comity.ingest.sources._io import (
    first_bad_row,
    label,
    read_buffer,
    read_csv_strings,
    read_csv_table,
)
from comity.ingest.sources.base import SourceData, empty_issues, empty_quality
from comity.world.issues import ISSUE_CODES

VOETEN2016_COLUMNS = ["rcid", "session", "vote", "ccode", "member", "importantvote", "date",
                      "unres", "me", "nu", "di", "hr", "co", "ec"]
UNVOTES_VOTES_COLUMNS = ["rcid", "country", "country_code", "vote"]
UNVOTES_ROLLCALL_COLUMNS = ["rcid", "session", "importantvote", "date", "unres", "amend",
                            "para", "short", "descr"]
UNVOTES_ISSUES_COLUMNS = ["rcid", "short_name", "issue"]

# per roll call (``member`` and ``year`` are required in the header but not used)
_VOETEN2016_META = ["session", "importantvote", "date", "unres", *ISSUE_CODES]
_VOETEN_CODES = {"1": "Y", "2": "A", "3": "N", "8": "X", "9": None}
_UNVOTES_CODES = {"yes": "Y", "abstain": "A", "no": "N"}
#: sessions are numbered from 1 (1946); 200 leaves room for the next century and a half
MAX_SESSION = 200


def _map_codes(values: pd.Series, mapping: dict[str, str | None], *, file: str, field: str,
               rows: pd.Series) -> pd.Series:
    """Map vote codes via factorize (fast on 1M rows); unknown codes raise."""
    codes, uniques = pd.factorize(values.str.strip().str.removesuffix(".0"))
    unknown = [u for u in uniques if u not in mapping]
    if unknown:
        bad = values.str.strip().str.removesuffix(".0").isin(unknown)
        raise DataFormatError(
            f"unknown vote code {unknown[0]!r}", file=file, row=first_bad_row(bad, rows),
            field=field, expected=" or ".join(repr(k) for k in mapping),
        )
    lut = np.array([mapping[u] for u in uniques] + [None], dtype=object)
    return pd.Series(lut[codes], index=values.index, dtype=object)


def parse_voeten2016(path: str | Path) -> SourceData:
    """Parse Voeten's 2016 Dataverse file (COW codes, absences 8, non-members 9).

    The roll-call fields (session, date, resolution, issue codes...) repeat on every row of a
    roll call: every row is checked against the roll call's first row, and a row that
    disagrees is an error naming it and the field."""
    file = label(path)
    buf = read_buffer(path)
    dict_str = pa.dictionary(pa.int32(), pa.string())
    tbl = read_csv_table(path, VOETEN2016_COLUMNS, raw=buf, multiline=False,
                         types={"rcid": pa.int64(), "vote": pa.int64(), "ccode": pa.int64(),
                                **{c: dict_str for c in _VOETEN2016_META}},
                         columns=["rcid", "vote", "ccode", *_VOETEN2016_META])
    del buf
    n = tbl.num_rows
    rows = np.arange(1, n + 1)
    rcid = _ints(tbl, "rcid", file)
    vote = _ints(tbl, "vote", file)
    ccode = _ints(tbl, "ccode", file)
    lut = np.full(10, -1, dtype=np.int8)
    lut[[1, 2, 3, 8, 9]] = [0, 1, 2, 3, 4]
    vcode = np.where((vote >= 0) & (vote <= 9), lut[np.clip(vote, 0, 9)], -1)
    if (vcode < 0).any():
        i = int(np.argmax(vcode < 0))
        raise DataFormatError(f"unknown vote code '{vote[i]}'", file=file, row=i + 1,
                              field="vote", expected="1, 2, 3, 8 or 9")
    rc_uniq, rc_first, rc_inv = C.unique_index_inverse(rcid)
    meta, disagreement = _first_row_meta(tbl, rcid, rc_first, rc_inv, rows, file)
    del tbl
    mrows = pd.Series(rows[rc_first])
    dates = C.parse_dates(meta["date"].str.strip(), ["%m/%d/%Y", "%Y-%m-%d"], file=file,
                          field="date", rows=mrows)
    C.check_date_range(dates, file=file, field="date", rows=mrows)
    session = C.to_int(meta["session"].str.removesuffix(".0"), file=file, field="session",
                       rows=mrows, lo=1, hi=MAX_SESSION, what="a session number")
    imp = meta["importantvote"].str.strip().str.removesuffix(".0")
    bad = ~imp.isin(["0", "1", ""])
    if bad.any():
        raise DataFormatError(f"{meta['importantvote'][bad].iloc[0][:40]!r} is not 0/1",
                              file=file, row=first_bad_row(bad, mrows), field="importantvote",
                              expected="0, 1 or empty")
    if disagreement is not None:  # the first rows are sound: a later row disagrees
        raise disagreement
    keys = pd.Index(rc_uniq.astype(str))
    res = pd.DataFrame({
        "key": keys, "body": "GA", "session": session.to_numpy(), "date": dates.to_numpy(),
        "symbol": C.voeten_unres_to_symbol(meta["unres"], session).to_numpy(),
        "important": (imp == "1").to_numpy(),
        "row": mrows.to_numpy(),
    })
    res["special"] = None
    quality = empty_quality()
    nodate = res["date"].isna()
    if nodate.any():
        quality = pd.DataFrame({"key": res.loc[nodate, "key"], "kind": "date_missing",
                                "detail": "roll call has no parseable date in " + file})
    # a state's code can depend on the date (COW 365: USSR, then Russia)
    rc_dates = dates.fillna(C.session_to_midyear(session.astype(str)))
    keep = vcode != 4  # 9 = not a member: no row
    states = C.resolve_coded(ccode[keep], rc_inv[keep], rc_dates.reset_index(
        drop=True), kind="cow", file=file, rows=rows[keep])
    C.duplicate_check(rc_inv[keep], states.codes, rows[keep], keys,
                      states.categories, file=file)
    votes = pd.DataFrame({
        "key": pd.Categorical.from_codes(rc_inv[keep], categories=keys),
        "state": states,
        "vote": pd.Categorical.from_codes(vcode[keep], categories=["Y", "A", "N", "X"]),
        "row": rows[keep],
    })
    iss = []
    for code in ISSUE_CODES:
        flag = (meta[code].str.strip().str.removesuffix(".0") == "1").to_numpy()
        if flag.any():
            iss.append(pd.DataFrame({"key": keys[flag], "issue": code}))
    issues = pd.concat(iss, ignore_index=True) if iss else empty_issues()
    return SourceData(
        source="voeten2016", file=file, resolutions=C.finish_resolutions(res),
        votes=votes, lists_only_yna=False, issues=issues,
        quality=quality.reset_index(drop=True), rows_read=n,
    )


def _first_row_meta(tbl: pa.Table, rcid: np.ndarray, rc_first: np.ndarray,
                    rc_inv: np.ndarray, rows: np.ndarray, file: str
                    ) -> tuple[pd.DataFrame, DataFormatError | None]:
    """The roll-call columns (read dictionary-encoded) at each roll call's first row; and,
    where some row of a roll call does not give the same text as its first row, the
    DataFormatError naming the first such row, the field and the first row's value (raised
    by the caller once the first rows' values are checked)."""
    out: dict[str, np.ndarray] = {}
    first_bad: tuple[int, str, str, str] | None = None
    for col in _VOETEN2016_META:
        arr = tbl.column(col).unify_dictionaries()
        dictionary = arr.chunk(0).dictionary if arr.num_chunks else pa.array([], pa.string())
        idx = (np.concatenate([c.indices.to_numpy(zero_copy_only=False) for c in arr.chunks])
               if arr.num_chunks else np.zeros(0, dtype=np.int32))
        ref = idx[rc_first][rc_inv]
        diff = idx != ref
        if diff.any():
            i = int(np.argmax(diff))
            if first_bad is None or i < first_bad[0]:
                first_bad = (i, col, str(dictionary[int(idx[i])].as_py()),
                             str(dictionary[int(ref[i])].as_py()))
        values = np.asarray(dictionary.to_pylist(), dtype=object)
        out[col] = values[idx[rc_first]] if len(values) else np.zeros(0, dtype=object)
    err = None
    if first_bad is not None:
        i, col, got, want = first_bad
        r0 = int(rows[rc_first[rc_inv[i]]])
        err = DataFormatError(
            f"roll call {rcid[i]} has {col} {got[:40]!r} here but {want[:40]!r} on row {r0}",
            file=file, row=int(rows[i]), field=col,
            expected=f"the same {col} on every row of a roll call")
    return pd.DataFrame({c: pd.Series(v, dtype="str") for c, v in out.items()}), err


def _index_ints(keys: pd.Index, values: np.ndarray) -> np.ndarray:
    """Positions of integer ``values`` in an index of their string forms (-1 if absent)."""
    ki = pd.to_numeric(pd.Series(keys), errors="coerce").to_numpy()
    if len(ki) and ki.dtype.kind in "iu" and values.dtype.kind in "iu":
        lo, hi = int(ki.min()), int(ki.max())
        if hi - lo <= 4 * len(ki) + 4096 and len(np.unique(ki)) == len(ki):
            lut = np.full(hi - lo + 1, -1, dtype=np.intp)
            lut[ki - lo] = np.arange(len(ki))
            inside = (values >= lo) & (values <= hi)
            return np.where(inside, lut[np.where(inside, values - lo, 0)], -1)
    order = np.argsort(ki)
    pos = np.searchsorted(ki[order], values)
    pos = np.clip(pos, 0, len(ki) - 1)
    found = ki[order][pos] == values
    return np.where(found, order[pos], -1)


def _ints(tbl: pa.Table, col: str, file: str) -> np.ndarray:
    arr = tbl.column(col)
    if arr.null_count:
        i = int(np.argmax(np.asarray(arr.is_null())))
        raise DataFormatError("empty value", file=file, row=i + 1, field=col,
                              expected="an integer")
    return arr.to_numpy()


def parse_unvotes(votes_path: str | Path, roll_calls_path: str | Path,
                  issues_path: str | Path | None = None) -> SourceData:
    """Parse the three ``unvotes`` tables (votes, roll calls, issues) into one source."""

    vfile, rfile = label(votes_path), label(roll_calls_path)
    rc = read_csv_strings(roll_calls_path, UNVOTES_ROLLCALL_COLUMNS)
    rrows = pd.Series(np.arange(1, len(rc) + 1), index=rc.index)
    rc_key = rc["rcid"].str.strip()
    if rc_key.duplicated().any():
        d = rc_key.duplicated()
        raise DataFormatError(f"roll call {rc_key[d].iloc[0]} appears twice", file=rfile,
                              row=first_bad_row(d, rrows), field="rcid",
                              expected="one row per roll call")
    dates = C.parse_dates(rc["date"], ["%Y-%m-%d", "%m/%d/%Y"], file=rfile, field="date",
                          rows=rrows)
    C.check_date_range(dates, file=rfile, field="date", rows=rrows)
    session = C.to_int(rc["session"], file=rfile, field="session", rows=rrows, lo=1,
                       hi=MAX_SESSION, what="a session number")
    flags = {}
    for col in ("importantvote", "amend", "para"):
        s = rc[col].str.strip()
        bad = ~s.isin(["0", "1", ""])
        if bad.any():
            raise DataFormatError(f"{s[bad].iloc[0]!r} is not 0/1", file=rfile,
                                  row=first_bad_row(bad, rrows), field=col, expected="0 or 1")
        flags[col] = (s == "1").to_numpy()
    title = rc["descr"].where(rc["descr"].str.strip() != "", rc["short"])
    res = pd.DataFrame({
        "key": rc_key.to_numpy(), "body": "GA", "session": session.to_numpy(),
        "date": dates.to_numpy(),
        "symbol": C.voeten_unres_to_symbol(rc["unres"], session).to_numpy(),
        "title": title.str.strip().to_numpy(), "agenda": rc["short"].str.strip().to_numpy(),
        "important": flags["importantvote"], "amend": flags["amend"], "para": flags["para"],
        "row": rrows.to_numpy(),
    })
    quality = empty_quality()
    nodate = res["date"].isna()
    if nodate.any():
        quality = pd.DataFrame({"key": res.loc[nodate, "key"], "kind": "date_missing",
                                "detail": "roll call has no parseable date in " + rfile})

    vt = read_csv_table(votes_path, UNVOTES_VOTES_COLUMNS, multiline=False,
                        types={"rcid": pa.int64()}, columns=["rcid", "country", "vote"])
    n = vt.num_rows
    vrows = np.arange(1, n + 1)
    rcid = _ints(vt, "rcid", vfile)
    keys = pd.Index(res["key"])
    key_codes = keys.get_indexer(rcid.astype(str)) if n < 1000 else _index_ints(keys, rcid)
    if (key_codes < 0).any():
        i = int(np.argmax(key_codes < 0))
        raise DataFormatError(
            f"roll call {rcid[i]} is not in the roll-call file {rfile}", file=vfile,
            row=i + 1, field="rcid", expected="an rcid listed in un_roll_calls")
    vcodes, vuniq = C.dict_factorize(vt.column("vote"), C.strip_lower)
    lut = {"yes": 0, "abstain": 1, "no": 2}
    unknown = [u for u in vuniq if u not in lut]
    if unknown:
        i = int(np.argmax(vcodes == list(vuniq).index(unknown[0])))
        raise DataFormatError(f"unknown vote code {unknown[0]!r}", file=vfile, row=i + 1,
                              field="vote", expected="'yes', 'abstain' or 'no'")
    vcode = np.array([lut[u] for u in vuniq], dtype=np.int8)[vcodes]
    rc_dates = res["date"].fillna(C.session_to_midyear(res["session"].astype(str)))
    states = C.resolve_column(vt.column("country"), key_codes, rc_dates, kind="name",
                              file=vfile, rows=vrows)
    C.duplicate_check(key_codes, states.codes, vrows, keys, states.categories, file=vfile)
    votes = pd.DataFrame({
        "key": pd.Categorical.from_codes(key_codes, categories=keys),
        "state": states,
        "vote": pd.Categorical.from_codes(vcode, categories=["Y", "A", "N", "X"]),
        "row": vrows,
    })

    issues = empty_issues()
    if issues_path is not None:
        ifile = label(issues_path)
        it = read_csv_strings(issues_path, UNVOTES_ISSUES_COLUMNS)
        irows = pd.Series(np.arange(1, len(it) + 1), index=it.index)
        code = it["short_name"].str.strip().str.lower()
        bad = ~code.isin(ISSUE_CODES)
        if bad.any():
            raise DataFormatError(f"unknown issue code {code[bad].iloc[0]!r}", file=ifile,
                                  row=first_bad_row(bad, irows), field="short_name",
                                  expected=", ".join(ISSUE_CODES))
        issues = pd.DataFrame({"key": it["rcid"].str.strip(), "issue": code})
        issues = issues.drop_duplicates().reset_index(drop=True)
    return SourceData(
        source="unvotes", file=vfile, resolutions=C.finish_resolutions(res),
        votes=votes, lists_only_yna=True, issues=issues,
        quality=quality.reset_index(drop=True), rows_read=n + len(rc),
    )
