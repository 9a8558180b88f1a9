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

from comity.errors import DataFormatError
from comity.sources import _common as C
from comity.sources._io import first_bad_row, label, read_csv_strings
from comity.sources.base import ISSUE_CODES, SourceData, empty_issues, empty_quality

VOETEN2016_COLUMNS = ["rcid", "session", "vote", "ccode", "member", "importantvote", "date",
                      "unres", "me", "nu", "di", "hr", "co", "ec"]
UNVOTES_VOTES_COLUMNS = ["rcid", "country", "country_code", "vote"]
UNVOTES_ROLLCALL_COLUMNS = ["rcid", "session", "importantvote", "date", "unres", "amend",
                            "para", "short", "descr"]
UNVOTES_ISSUES_COLUMNS = ["rcid", "short_name", "issue"]

_VOETEN_CODES = {"1": "Y", "2": "A", "3": "N", "8": "X", "9": None}
_UNVOTES_CODES = {"yes": "Y", "abstain": "A", "no": "N"}


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
    """Parse Voeten's 2016 Dataverse file (COW codes, absences 8, non-members 9)."""
    from comity.states import resolve

    file = label(path)
    df = read_csv_strings(path, VOETEN2016_COLUMNS)
    n = len(df)
    rows = pd.Series(np.arange(1, n + 1), index=df.index)
    vote = _map_codes(df["vote"], _VOETEN_CODES, file=file, field="vote", rows=rows)
    keep = vote.notna()
    df = df[keep]
    rows = rows[keep]
    vote = vote[keep]
    rcid = df["rcid"].str.strip().str.removesuffix(".0")
    if (rcid == "").any():
        raise DataFormatError("empty roll-call id", file=file,
                              row=first_bad_row(rcid == "", rows), field="rcid",
                              expected="a roll-call number")
    # one metadata row per roll call
    first = ~rcid.duplicated()
    meta = df[first]
    mrows = rows[first]
    dates = C.parse_dates(meta["date"], ["%m/%d/%Y", "%Y-%m-%d"])
    C.check_date_range(dates, file=file, field="date", rows=mrows)
    session = C.to_int(meta["session"].str.removesuffix(".0"), file=file, field="session",
                       rows=mrows)
    res = pd.DataFrame({
        "key": rcid[first].to_numpy(),
        "body": "GA",
        "session": session.to_numpy(),
        "date": dates.to_numpy(),
        "symbol": C.voeten_unres_to_symbol(meta["unres"], session).to_numpy(),
        "important": (meta["importantvote"].str.strip().str.removesuffix(".0") == "1")
        .to_numpy(),
        "row": mrows.to_numpy(),
    })
    res["special"] = None
    quality = empty_quality()
    nodate = res["date"].isna()
    if nodate.any():
        quality = pd.DataFrame({"key": res.loc[nodate, "key"], "kind": "date_missing",
                                "detail": "roll call has no parseable date in " + file})
    # dates for state resolution (roll calls without a date: nearest by session)
    rc_date = pd.Series(res["date"].to_numpy(), index=res["key"])
    vdates = rcid.map(rc_date)
    if vdates.isna().any():
        fill = C.session_to_midyear(df["session"].str.removesuffix(".0"))
        vdates = vdates.fillna(fill)
    states = resolve(df["ccode"].str.strip().str.removesuffix(".0"), kind="cow", file=file,
                     dates=vdates, rows=rows)
    votes = pd.DataFrame({"key": rcid.to_numpy(), "state": states.to_numpy(),
                          "vote": vote.to_numpy(), "row": rows.to_numpy()})
    C.check_duplicates(votes, file=file)
    # issue dummies
    iss = []
    for code in ISSUE_CODES:
        flag = meta[code].str.strip().str.removesuffix(".0") == "1"
        if flag.any():
            iss.append(pd.DataFrame({"key": rcid[first][flag].to_numpy(), "issue": code}))
    issues = pd.concat(iss, ignore_index=True) if iss else empty_issues()
    return SourceData(
        source="voeten2016", file=file, resolutions=C.finish_resolutions(res),
        votes=C.finish_votes(votes), lists_only_yna=False, issues=issues,
        quality=quality.reset_index(drop=True), rows_read=n,
    )


def parse_unvotes(votes_path: str | Path, roll_calls_path: str | Path,
                  issues_path: str | Path | None = None) -> SourceData:
    """Parse the three ``unvotes`` tables (votes, roll calls, issues) into one source."""
    from comity.states import resolve

    vfile, rfile = label(votes_path), label(roll_calls_path)
    rc = read_csv_strings(roll_calls_path, UNVOTES_ROLLCALL_COLUMNS)
    rrows = pd.Series(np.arange(1, len(rc) + 1), index=rc.index)
    rc_key = rc["rcid"].str.strip()
    if rc_key.duplicated().any():
        d = rc_key.duplicated()
        raise DataFormatError(f"roll call {rc_key[d].iloc[0]} appears twice", file=rfile,
                              row=first_bad_row(d, rrows), field="rcid",
                              expected="one row per roll call")
    dates = C.parse_dates(rc["date"], ["%Y-%m-%d", "%m/%d/%Y"])
    C.check_date_range(dates, file=rfile, field="date", rows=rrows)
    session = C.to_int(rc["session"], file=rfile, field="session", rows=rrows)
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

    vt = read_csv_strings(votes_path, UNVOTES_VOTES_COLUMNS)
    n = len(vt)
    vrows = pd.Series(np.arange(1, n + 1), index=vt.index)
    vote = _map_codes(vt["vote"].str.lower(), _UNVOTES_CODES, file=vfile, field="vote",
                      rows=vrows)
    key = vt["rcid"].str.strip()
    known = key.isin(set(res["key"]))
    if not known.all():
        raise DataFormatError(
            f"roll call {key[~known].iloc[0]} is not in the roll-call file {rfile}",
            file=vfile, row=first_bad_row(~known, vrows), field="rcid",
            expected="an rcid listed in un_roll_calls",
        )
    vdates = key.map(pd.Series(res["date"].to_numpy(), index=res["key"]))
    if vdates.isna().any():
        vdates = vdates.fillna(key.map(pd.Series(
            C.session_to_midyear(res["session"].astype(str)).to_numpy(), index=res["key"])))
    states = resolve(vt["country"].str.strip(), kind="name", file=vfile, dates=vdates,
                     rows=vrows)
    votes = pd.DataFrame({"key": key.to_numpy(), "state": states.to_numpy(),
                          "vote": vote.to_numpy(), "row": vrows.to_numpy()})
    C.check_duplicates(votes, file=vfile)

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
        votes=C.finish_votes(votes), lists_only_yna=True, issues=issues,
        quality=quality.reset_index(drop=True), rows_read=n + len(rc),
    )
