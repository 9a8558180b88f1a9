"""The list of vetoed Security Council drafts, 1946 → 2022 (one row per vetoed draft).

Source: ``world-politics-datalab/vetoes-un-security-council``,
``unsc_vetoes_1946_sept2022.csv`` (MIT; staged as ``sc/unsc_vetoes_1946-2022.csv.gz``).
UTF-8 CSV, columns matched by name:

=====================  ========  ==========================================================
column                 required  meaning
=====================  ========  ==========================================================
``date``               yes       ``M/D/YYYY`` (ISO dates are read too)
``draft``              yes       the draft's symbol (``S/2022/155``, ``S/1408/Rev.1``, with
                                 free text in some rows); in early years the meeting record
                                 (``S/PV.23``) where the draft's symbol is unknown
``meeting_record``     yes       the meeting (``S/PV.8979``; some 2020 rows list two letters)
``agenda_item``        yes       → ``agenda``
``member_veto1..3``    yes       the vetoing permanent members (``USSR``, ``Russia``,
                                 ``China``, ``USA``, ``UK``, ``France``)
``crisis_topic``       no        → ``subjects`` (with ``region``)
``year``               no        checked against ``date``
``China`` … ``UK``     no        0/1 flags per permanent member; ``single_veto``,
                                 ``multiple_vetoes``: checked against ``member_veto1..3``
=====================  ========  ==========================================================

Each row becomes one record (key ``row<n>``), body SC, ``outcome = vetoed``, ``adoption =
partial``: only the vetoing members' votes are known (``N``), so the record stays out of every
vote matrix until a full vote joins it. ``symbol`` is the draft's (``S/2022/155``), or None
when only the meeting is known; the merge joins the record to the full vote of the same draft
(the SC drafts sheet, supplements) so that one veto is one record naming both sources.
``USSR`` and ``Russia`` are separate columns (SUN before 1991-12-24, RUS after); ``China``
before 1971-10-25 is the Republic of China (TWN, one veto in 1955).

Quirks (reported in ``quality``, never edited): the 0/1 member flags and ``single_veto`` /
``multiple_vetoes`` disagree with ``member_veto1..3`` in 28 rows (``veto_flags_inconsistent``;
the named members are used); 23 rows name a meeting record instead of a draft
(``draft_unknown``); quoted values hold line breaks (two ``meeting_record`` cells of 2020), so
the file has 216 lines of data for 214 vetoed drafts; the file ends with the veto of
2022-07-08 (despite its name, not the one of 30 September 2022).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from comity.errors import DataFormatError, UnknownStateError
from comity.ingest.sources import _common as C
from comity.ingest.sources._io import first_bad_row, label, read_csv_strings
from comity.ingest.sources.base import SourceData, empty_quality

REQUIRED = ["date", "draft", "meeting_record", "agenda_item", "member_veto1", "member_veto2",
            "member_veto3"]
VETOERS = ["member_veto1", "member_veto2", "member_veto3"]
#: the 0/1 flag columns and the vetoer names they stand for
FLAGS = {"China": "China", "France": "France", "Russia": "Russia", "USSR": "USSR",
         "USA": "USA", "UK": "UK"}
_SYMBOL = re.compile(r"S/\d+(?:/\d+)?(?:/Rev\.\s?\d+)?", re.IGNORECASE)
_MEETING_ONLY = re.compile(r"^S/PV\.?\s*\d+", re.IGNORECASE)


def _symbol(text: str) -> str | None:
    m = _SYMBOL.search(text)
    return m.group(0).upper().replace(" ", "") if m else None


def parse_vetoes(path: str | Path) -> SourceData:
    """Parse the veto list (see the module docstring)."""
    file = label(path)
    df = read_csv_strings(path, REQUIRED, strip_headers=True)
    n = len(df)
    rows = pd.Series(np.arange(1, n + 1), index=df.index)
    df = df.apply(lambda c: c.str.strip())
    for col in ("date", "draft", "member_veto1"):
        empty = (df[col] == "").to_numpy()
        if empty.any():
            raise DataFormatError("empty value", file=file, row=first_bad_row(empty, rows),
                                  field=col, expected=f"a {col} on every row")
    dates = C.parse_dates(df["date"], ["%m/%d/%Y", "%Y-%m-%d"], file=file, field="date",
                          rows=rows)
    bad = dates.isna().to_numpy()
    if bad.any():
        raise DataFormatError(f"unparseable date {df['date'][bad].iloc[0]!r}", file=file,
                              row=first_bad_row(bad, rows), field="date",
                              expected="M/D/YYYY")
    C.check_date_range(dates, file=file, field="date", rows=rows)
    quality: list[dict] = []
    if "year" in df.columns:
        yr = C.to_int(df["year"], file=file, field="year", rows=rows, lo=1945,
                      hi=pd.Timestamp.now().year + 1, what="a year")
        off = (yr.notna() & (yr != dates.dt.year)).to_numpy()
        for i in np.flatnonzero(off):
            quality.append({"key": f"row{i + 1}", "kind": "date_disagreement", "detail": (
                f"{file} row {i + 1}: year {df['year'].iloc[i]} but date {df['date'].iloc[i]}")})
    keys = [f"row{i}" for i in rows]
    # vetoing members, resolved with the date (USSR, China before 1971-10-25...)
    long = pd.DataFrame({"key": np.repeat(keys, 3), "i": np.repeat(np.arange(n), 3),
                         "name": df[VETOERS].to_numpy().ravel(),
                         "field": VETOERS * n})
    long = long[long["name"] != ""].reset_index(drop=True)
    ldates = dates.iloc[long["i"].to_numpy()].reset_index(drop=True)
    lrows = rows.iloc[long["i"].to_numpy()].reset_index(drop=True)
    from comity.world import states as st

    try:
        codes = st.resolve(long["name"], kind="name", file=file, dates=ldates, rows=lrows)
    except UnknownStateError as exc:
        bad_name = next((s for s in exc.spellings if s != "<missing>"), "")
        j = int(np.flatnonzero((long["name"] == bad_name).to_numpy())[0])
        raise DataFormatError(f"unknown vetoing member {bad_name!r}", file=file,
                              row=int(lrows.iloc[j]), field=str(long["field"].iloc[j]),
                              expected="USSR, Russia, China, USA, UK or France") from None
    from comity.ingest.sources.undl import _p5_on

    p5 = _p5_on(codes, ldates)
    if not p5.all():
        j = int(np.argmax(~p5))
        raise DataFormatError(
            f"{long['name'].iloc[j]!r} ({codes.iloc[j]}) was not a permanent member on "
            f"{ldates.iloc[j].date()}", file=file, row=int(lrows.iloc[j]),
            field=str(long["field"].iloc[j]), expected="a permanent member of the Council")
    votes = pd.DataFrame({"key": long["key"], "state": codes.to_numpy(), "vote": "N",
                          "row": lrows.to_numpy()})
    dup = votes.duplicated(["key", "state"])
    if dup.any():
        j = int(np.argmax(dup.to_numpy()))
        raise DataFormatError(f"{long['name'].iloc[j]!r} named twice", file=file,
                              row=int(lrows.iloc[j]), field=str(long["field"].iloc[j]),
                              expected="each vetoing member once")
    _check_flags(df, keys, file, quality)
    draft_txt = df["draft"]
    meeting_only = draft_txt.str.match(_MEETING_ONLY.pattern, case=False).to_numpy()
    symbols = [None if mo else _symbol(t) for mo, t in zip(meeting_only, draft_txt,
                                                           strict=True)]
    for i in np.flatnonzero(meeting_only):
        quality.append({"key": keys[i], "kind": "draft_unknown", "detail": (
            f"{file} row {i + 1} ({dates.iloc[i].date()}): the draft is given as the meeting "
            f"record {draft_txt.iloc[i]!r}; the vetoed draft's symbol is unknown")})
    for i in np.flatnonzero(~meeting_only & pd.isna(pd.Series(symbols)).to_numpy()):
        raise DataFormatError(f"no draft symbol in {draft_txt.iloc[i]!r}", file=file,
                              row=i + 1, field="draft", expected="a symbol such as S/2022/155")
    meeting = df["meeting_record"].str.split("\n").str[0].str.strip().replace("", None)
    meeting = meeting.where(~pd.Series(meeting_only), draft_txt)
    subjects = df["crisis_topic"] if "crisis_topic" in df.columns else pd.Series("", index=df.index)
    if "region" in df.columns:
        subjects = subjects.where(df["region"] == "", subjects + "; " + df["region"])
    res = pd.DataFrame({
        "key": keys, "body": "SC", "date": dates.to_numpy(),
        "session": dates.dt.year.astype("Int64").to_numpy(), "symbol": symbols,
        "draft": symbols, "meeting": meeting.to_numpy(),
        "agenda": df["agenda_item"].replace("", None).to_numpy(),
        "subjects": subjects.str.strip("; ").replace("", None).to_numpy(),
        "adoption": "partial", "outcome": "vetoed", "row": rows.to_numpy(),
    })
    q = (pd.DataFrame(quality, columns=["key", "kind", "detail"]).astype(object)
         if quality else empty_quality())
    return SourceData(source="unsc_vetoes", file=file, resolutions=C.finish_resolutions(res),
                      votes=C.finish_votes(votes), lists_only_yna=True, quality=q,
                      rows_read=n)


def _check_flags(df: pd.DataFrame, keys: list[str], file: str, quality: list[dict]) -> None:
    """The 0/1 columns and single/multiple flags against the named vetoing members."""
    named = [frozenset(v for v in row if v) for row in df[VETOERS].to_numpy().tolist()]
    flags = [c for c in FLAGS if c in df.columns]
    for i, who in enumerate(named):
        problems = []
        if flags:
            flagged = frozenset(FLAGS[c] for c in flags if df[c].iloc[i] == "1")
            if flagged != who:
                problems.append(f"the 0/1 columns name {', '.join(sorted(flagged)) or 'none'}")
        for col, want in (("single_veto", len(who) == 1), ("multiple_vetoes", len(who) > 1)):
            if col in df.columns and df[col].iloc[i] != ("1" if want else "0"):
                problems.append(f"{col} is {df[col].iloc[i] or 'empty'!r}")
        if problems:
            quality.append({"key": keys[i], "kind": "veto_flags_inconsistent", "detail": (
                f"{file} row {i + 1} ({df['draft'].iloc[i]}, {df['date'].iloc[i]}): "
                f"member_veto1–3 name {', '.join(sorted(who))}, but {'; '.join(problems)}; "
                "the named members are used")})
