"""Security Council votes on drafts, adopted AND failed (a third-party compilation, 1994 → 2025).

Source: ``oliverunv/Voting-Agent``, ``data/sc_voting.xlsx`` (staged as
``sc/sc_votes_drafts_1994-2025.xlsx``): one row per Council member and vote on a draft, the
failed drafts included, which the official UNDL Security Council file (adopted resolutions
only) does not have. Read from the ``.xlsx`` workbook (first sheet, through
``python-calamine``) or from a CSV export of the same sheet; columns are matched by NAME
(surrounding blanks and a trailing comma removed: the real header says ``Date,``).

==================  ========  ===============================================================
column              required  meaning
==================  ========  ===============================================================
``ID``              yes       number of the vote: the rows sharing an ID are one vote
``Date``            yes       date of the vote (a date cell, ``YYYY-MM-DD`` or ``M/D/YYYY``)
``Resolution``      yes       resolution symbol (``893 (1994)``, ``S/RES/2777 (2025)``,
                              ``S/RES/2776/2025``, ``Resolution 1234 (1999)``), empty when the
                              draft was not adopted
``Draft``           yes       draft symbol (``S/2024/255``), with free text in some rows
``Outcome results`` yes       ``Adopted unanimously`` / ``by majority`` / ``by consensus`` /
                              ``by acclamation``, ``Not adopted - veto``, ``Not adopted -
                              failed to receive required number of votes``
``Vote``            yes       ``Yes``, ``No``, ``Abstain`` (``Non-voting``/``Absent`` → X)
``Member State``    yes       the member's name
``Meeting``         no        meeting number (``3326``, ``S/PV.9913``, ``PV.8780``, ``V108``
                              for the 2020–2021 videoconferences)
``Agenda item``     no        → ``agenda``
``Topic``           no        → ``subjects``
==================  ========  ===============================================================

Mapping: one record per vote (key ``ID``), body SC, ``session`` = year, ``outcome`` =
``adopted`` / ``vetoed`` / ``failed``; ``symbol`` = the resolution (``S/RES/893``) for an
adopted text, else the draft (``S/2024/255``), so that the record merges with the same vote in
the scrape, the official SC file, the veto list and supplements; votes on amendments
(``Draft`` mentions an amendment) have ``amend`` set and no symbol of their own. The file has
no tallies: they are counted from the rows.

Quirks, each reported in ``quality`` (the source is never edited):

* ``date_swapped``: up to February 2021 nearly every date whose day is 12 or less was read
  month-first (S/RES/893 of 6 January 1994 is dated 1994-06-01). Votes are in chronological
  order of ``ID``, so a date that does not fit between the unambiguous dates before and after
  it while its day/month swap does is swapped (when both fit, the reading of the nearest
  decided votes is followed); ``date_uncertain`` when neither fits (kept as given).
* ``columns_swapped``: in 2025 rows ``Resolution`` holds the draft and ``Draft`` the
  resolution (``S/2025/270`` / ``S/RES/2779(2025)``); read the right way round.
* ``duplicate_record``: a vote listed twice under two IDs (same date, draft, meeting and
  votes; IDs 75–80 repeat six vetoed drafts labelled "Adopted"): the copy whose outcome
  agrees with its votes is kept.
* ``duplicate_listing``: a member listed twice in one vote (the first row is kept; a second
  row with another vote is reported with both values).
* ``members_missing``: fewer rows than seats (15; members that did not take part, or rows
  lost: one 2025 vote lists 6 members).
* ``state_name_typo``: a name comity does not know that is one typo away from one it does
  (``Ethipia`` → Ethiopia); any other unknown name is an error naming its row.
* ``outcome_inconsistent``: an outcome that the votes contradict (a "veto" without a
  permanent member's no, an "adopted" text with a permanent member's no...).
* ``symbol_year_mismatch`` (``899 (1999)`` voted in 1994), ``symbol_out_of_sequence`` (a
  resolution number far from its neighbours', ``425 (2002)``: not used to merge, the vote is
  matched by content), ``resolution_missing`` (an adopted vote without a resolution number).
* ``adopted_without_vote``: adopted by consensus or acclamation, every member listed Yes.

Rows that are entirely empty (the sheet ends with 327) are skipped. ``row`` numbers are data
rows, 1-based (the header is not counted: sheet row = row + 1).
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from pathlib import Path

import numpy as np
import pandas as pd

from comity.errors import DataFormatError, UnknownStateError
from comity.ingest.sources import _common as C
from comity.ingest.sources._io import (
    check_regular,
    first_bad_row,
    human_size,
    label,
    max_size,
    read_csv_strings,
)
from comity.ingest.sources.base import SourceData, empty_quality

REQUIRED = ["ID", "Date", "Resolution", "Draft", "Outcome results", "Vote", "Member State"]
XLSX_MAGIC = b"PK\x03\x04"
SEATS = 15  # since 1966; the file starts in 1994
MAX_FOREIGN = 3  # non-members in a listing beyond which the whole listing is dropped
_VOTES = {"yes": "Y", "y": "Y", "no": "N", "n": "N", "abstain": "A", "abstention": "A",
          "a": "A", "non-voting": "X", "non voting": "X", "did not vote": "X",
          "did not participate": "X", "absent": "X", "x": "X"}
_DATE_FORMATS = ["%Y-%m-%d", "%Y-%m-%d %H:%M:%S", "%m/%d/%Y", "%d %B %Y"]
_DRAFT = re.compile(r"S/(\d{4})/(\d+)(/REV\.\s?\d+)?", re.IGNORECASE)
_DRAFT_ONLY = re.compile(r"^S/\d{4}/\d+$", re.IGNORECASE)
_RES = re.compile(r"^(?:S/RES/|RESOLUTION\s+)?(\d{1,4})\s*(?:\((\d{4})\)?|/\s*(\d{4}))?$",
                  re.IGNORECASE)
_MEETING = re.compile(r"^(?:S/)?PV\.?\s*(\d+)", re.IGNORECASE)


# -- reading ------------------------------------------------------------------------------
def _clean(v: object) -> str:
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).replace("\xa0", " ").strip()


def _sheet_rows(path: Path, file: str) -> list[list]:
    """Rows of the workbook's first sheet (python-calamine; openpyxl if it is missing)."""
    try:
        from python_calamine import CalamineWorkbook
    except ImportError:  # pragma: no cover - calamine is a dependency
        CalamineWorkbook = None
    try:
        if CalamineWorkbook is not None:
            wb = CalamineWorkbook.from_path(str(path))
            return wb.get_sheet_by_index(0).to_python()
        import openpyxl

        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
        return [list(r) for r in wb.worksheets[0].iter_rows(values_only=True)]
    except ImportError:
        raise DataFormatError("reading .xlsx needs the python-calamine package "
                              "(pip install python-calamine)", file=file) from None
    except Exception as exc:
        raise DataFormatError(f"not a readable .xlsx workbook ({type(exc).__name__}: {exc})",
                              file=file, expected="an Excel workbook") from None


def _check_unzipped_size(path: Path, file: str) -> None:
    """Refuse a workbook whose members would inflate beyond the size limit (a zip bomb),
    by the sizes its directory states, before anything is inflated."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as zf:
            total = sum(max(i.file_size, 0) for i in zf.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return  # the reader reports a damaged workbook
    limit = max_size()
    if total > limit:
        raise DataFormatError(
            f"the workbook inflates to {human_size(total)}, beyond the size limit of "
            f"{human_size(limit)}; refused (raise it with comity ingest --max-size)",
            file=file)


def _header_name(h: object) -> str:
    return _clean(h).rstrip(",").strip()


def _column(values: list) -> pd.Series:
    """Cells → cleaned text, each distinct value cleaned once (dates are kept as cells)."""
    clean = {v: _clean(v) for v in set(values)}
    return pd.Series([clean[v] for v in values], dtype=object)


_USED = [*REQUIRED, "Meeting", "Agenda item", "Topic"]


def _table(path: str | Path) -> tuple[str, pd.DataFrame, pd.Series]:
    """The sheet's columns that comity uses, as text (the dates as cells), blank rows
    dropped; and the 1-based data row of each row."""
    file = label(path)
    p = Path(path)
    check_regular(p)
    try:
        with p.open("rb") as fh:
            head = fh.read(4)
    except OSError as exc:
        raise DataFormatError(f"cannot read the file ({exc.strerror})", file=file) from None
    if head == XLSX_MAGIC:
        _check_unzipped_size(p, file)
        rows = _sheet_rows(p, file)
        if not rows:
            raise DataFormatError("the first sheet is empty", file=file,
                                  expected="a header and data rows")
        names = [_header_name(h) for h in rows[0]]
        body = rows[1:]
        width = len(names)
        if any(len(r) != width for r in body):
            body = [list(r[:width]) + [None] * (width - len(r)) for r in body]
        columns = list(zip(*body, strict=True)) if body else [()] * width
        cols: dict[str, list] = {}
        for j, n in enumerate(names):
            if n in _USED and n not in cols:
                cols[n] = list(columns[j])
    else:
        raw = read_csv_strings(path, [], strip_headers=True)
        names = [_header_name(c) for c in raw.columns]
        cols = {}
        for c, n in zip(raw.columns, names, strict=True):
            if n in _USED and n not in cols:
                cols[n] = raw[c].tolist()
    missing = [c for c in REQUIRED if c not in cols]
    if missing:
        raise DataFormatError(
            f"required column(s) {', '.join(map(repr, missing))} missing; header has "
            f"{', '.join(repr(n) for n in names[:8])}", file=file, row=0, field=missing[0],
            expected="the columns of the SC voting sheet: " + ", ".join(REQUIRED))
    dates = pd.Series(cols.pop("Date"), dtype=object)
    text = {c: _column(v) for c, v in cols.items()}
    blank = np.logical_and.reduce([(t == "").to_numpy() for t in text.values()]) & \
        _column(dates.tolist()).eq("").to_numpy()
    keep = ~blank
    if not keep.any():
        raise DataFormatError("no data rows after the header", file=file,
                              expected="at least one vote")
    rows_no = pd.Series(np.arange(1, len(dates) + 1)[keep])
    out = pd.DataFrame({c: t[keep].to_numpy() for c, t in text.items()})
    out["Date"] = dates[keep].to_numpy()
    return file, out, rows_no


_TS_MIN = pd.Timestamp(pd.Timestamp.min.ceil("D").date())
_TS_MAX = pd.Timestamp(pd.Timestamp.max.floor("D").date())


def _dates(values: pd.Series, rows: pd.Series, file: str) -> pd.Series:
    """Date cells, text dates or Excel serial numbers → datetime64; errors located."""
    def one(v: object) -> object:
        if isinstance(v, dt.datetime):
            return pd.Timestamp(v.date())
        if isinstance(v, dt.date):
            return pd.Timestamp(v)
        if isinstance(v, int | float) and not isinstance(v, bool) and 20000 < v < 80000:
            return pd.Timestamp("1899-12-30") + pd.Timedelta(days=int(v))
        return None

    vals = values.tolist()
    cells = {v: one(v) for v in set(vals)}
    got = [cells[v] for v in vals]
    far = np.array([c is not None and not (_TS_MIN <= c <= _TS_MAX) for c in got], dtype=bool)
    if far.any():
        i = int(np.argmax(far))
        raise DataFormatError(f"date {_clean(values.iloc[i])[:40]!r} is out of range",
                              file=file, row=int(rows.iloc[i]), field="Date",
                              expected="a date between 1945-10-24 and today")
    out = pd.to_datetime(pd.Series(got, index=values.index, dtype=object),
                         errors="coerce").astype("datetime64[ns]")
    todo = out.isna()
    if todo.any():
        txt = values[todo].map(_clean)
        out[todo] = C.parse_dates(txt, _DATE_FORMATS, file=file, field="Date",
                                  rows=rows[todo.to_numpy()])
    bad = out.isna().to_numpy()
    if bad.any():
        i = int(np.argmax(bad))
        raise DataFormatError(f"unparseable date {_clean(values.iloc[i])!r}", file=file,
                              row=int(rows.iloc[i]), field="Date",
                              expected="a date (YYYY-MM-DD or M/D/YYYY)")
    out = pd.to_datetime(out).astype("datetime64[ns]")
    C.check_date_range(out, file=file, field="Date", rows=rows)
    return out


# -- symbols --------------------------------------------------------------------------------
def _draft_symbol(text: str) -> str | None:
    m = _DRAFT.search(text)
    if m is None:
        return None
    return f"S/{m.group(1)}/{m.group(2)}" + (m.group(3).upper().replace(" ", "")
                                            if m.group(3) else "")


def _res_number(text: str) -> tuple[int | None, int | None]:
    s = re.sub(r"\s+", " ", text).strip()
    m = _RES.match(s)
    if m is None:
        return None, None
    year = m.group(2) or m.group(3)
    return int(m.group(1)), int(year) if year else None


def _meeting(text: str) -> str | None:
    if not text:
        return None
    if text.isdigit():
        return f"S/PV.{int(text)}"
    m = _MEETING.match(text)
    return f"S/PV.{int(m.group(1))}" if m else text


# -- date swaps ---------------------------------------------------------------------------
def swapped_dates(dates: np.ndarray, k: int = 3, tolerance: int = 3) -> tuple[np.ndarray,
                                                                              np.ndarray]:
    """Which dates (in the file's chronological order) were read day-for-month?

    ``dates`` are datetime64[D] in vote order. A date is ambiguous when its day is 12 or less
    and differs from its month. Each ambiguous date is compared with the medians of the
    ``k`` nearest unambiguous dates before and after it (± ``tolerance`` days): swapped when
    only its swap fits, kept when only it fits; when both fit, the nearest unambiguous date on
    each side decides, else the decision of the four nearest decided votes (majority).
    Returns ``(swap, uncertain)`` masks (``uncertain``: neither reading fits; kept as given).
    """
    d = np.asarray(dates, dtype="datetime64[D]")
    n = len(d)
    month = d.astype("datetime64[M]")
    day = (d - month).astype(np.int64) + 1
    mon = month.astype(np.int64) % 12 + 1
    year = d.astype("datetime64[Y]").astype(np.int64) + 1970
    amb = (day <= 12) & (day != mon)
    alt = d.copy()
    if amb.any():
        alt[amb] = np.array([np.datetime64(f"{y:04d}-{dd:02d}-{mm:02d}")
                             for y, mm, dd in zip(year[amb], mon[amb], day[amb],
                                                  strict=True)], dtype="datetime64[D]")
    anchors = np.flatnonzero(~amb)
    state = np.zeros(n, dtype=np.int8)  # 0 not ambiguous, 1 keep, 2 swap, 3 both, 4 neither
    tol = np.timedelta64(tolerance, "D")
    for i in np.flatnonzero(amb):
        p = int(np.searchsorted(anchors, i))
        prev, nxt = anchors[max(0, p - k):p], anchors[p:p + k]
        lo = np.sort(d[prev])[len(prev) // 2] if len(prev) else None
        hi = np.sort(d[nxt])[len(nxt) // 2] if len(nxt) else None

        def fits(x: np.datetime64, lo=lo, hi=hi) -> bool:
            return (lo is None or x >= lo - tol) and (hi is None or x <= hi + tol)

        f1, f2 = fits(d[i]), fits(alt[i])
        if f1 and f2:  # both within the medians: try the nearest unambiguous dates alone
            near_lo = d[prev[-1]] if len(prev) else None
            near_hi = d[nxt[0]] if len(nxt) else None
            t1, t2 = fits(d[i], near_lo, near_hi), fits(alt[i], near_lo, near_hi)
            if t1 != t2:
                f1, f2 = t1, t2
        state[i] = 1 if f1 and not f2 else 2 if f2 and not f1 else 3 if f1 else 4
    decided = np.flatnonzero((state == 1) | (state == 2))
    for i in np.flatnonzero(state == 3):
        if not len(decided):
            state[i] = 1
            continue
        near = decided[np.argsort(np.abs(decided - i), kind="stable")[:4]]
        state[i] = 2 if (state[near] == 2).sum() > (state[near] == 1).sum() else 1
    return state == 2, state == 4


# -- states -------------------------------------------------------------------------------
def _resolve_names(names: pd.Series, dates: pd.Series, rows: pd.Series, file: str
                   ) -> tuple[pd.Series, list[dict]]:
    """Codes for member names (dated); a name one typo away from a known one is read as it
    and reported."""
    from comity.world import states as st

    al = st.aliases_table()
    known = {st.normalize_name(s): s for s in al.loc[al["kind"] == "name", "spelling"]}
    notes: list[dict] = []
    fixed = names.copy()
    for name in pd.unique(names):
        if st.normalize_name(name) in known:
            continue
        close = difflib.get_close_matches(st.normalize_name(name), list(known), n=1,
                                          cutoff=0.85)
        if not close:
            i = int(np.flatnonzero((names == name).to_numpy())[0])
            raise DataFormatError(f"unknown state {name!r}", file=file, row=int(rows.iloc[i]),
                                  field="Member State",
                                  expected="a UN member's name (add a new spelling to "
                                  "comity/world/data/aliases.csv)")
        mask = (names == name).to_numpy()
        fixed[mask] = known[close[0]]
        first = np.flatnonzero(mask)
        notes.append({"kind": "state_name_typo", "detail": (
            f"{name!r} (rows {', '.join(str(int(rows.iloc[j])) for j in first[:5])}"
            f"{', …' if len(first) > 5 else ''}) read as {known[close[0]]!r} ({file})")})
    d_codes, d_uniq = pd.factorize(dates)
    try:
        codes = C.resolve_coded(fixed.to_numpy(dtype=object), d_codes,
                                pd.Series(d_uniq), kind="name", file=file,
                                rows=rows.to_numpy())
    except UnknownStateError as exc:
        bad = [s for s in exc.spellings if s != "<missing>"]
        i = int(np.flatnonzero((fixed == bad[0]).to_numpy())[0]) if bad else 0
        raise DataFormatError(f"state {fixed.iloc[i]!r} has no meaning on "
                              f"{dates.iloc[i].date()}", file=file, row=int(rows.iloc[i]),
                              field="Member State", expected="a member on that date") from None
    return pd.Series(np.asarray(codes, dtype=object), index=names.index), notes


# -- the parser -----------------------------------------------------------------------------
def parse_sc_drafts(path: str | Path) -> SourceData:
    """Parse the SC drafts sheet (``.xlsx`` or its CSV export); see the module docstring."""
    file, df, rows = _table(path)
    n_read = len(df)
    for col in ("ID", "Vote", "Member State", "Outcome results"):
        empty = (df[col] == "").to_numpy()
        if empty.any():
            raise DataFormatError("empty value", file=file, row=first_bad_row(empty, rows),
                                  field=col, expected=f"a {col} on every row")
    vid = pd.to_numeric(df["ID"], errors="coerce")
    bad = (vid.isna() | (vid != vid.round())).to_numpy()
    if bad.any():
        raise DataFormatError(f"{df['ID'][bad].iloc[0][:40]!r} is not a vote number",
                              file=file, row=first_bad_row(bad, rows), field="ID",
                              expected="an integer")
    bad = ((vid < 0) | (vid > C.INT32_MAX)).to_numpy()
    if bad.any():
        raise DataFormatError(f"vote number {df['ID'][bad].iloc[0][:40]!r} is out of range",
                              file=file, row=first_bad_row(bad, rows), field="ID",
                              expected=f"an integer from 0 to {C.INT32_MAX}")
    vid = vid.astype(np.int64)
    vote = df["Vote"].str.lower().map(_VOTES)
    bad = vote.isna().to_numpy()
    if bad.any():
        raise DataFormatError(f"unknown vote {df['Vote'][bad].iloc[0]!r}", file=file,
                              row=first_bad_row(bad, rows), field="Vote",
                              expected="Yes, No or Abstain")
    out_txt = df["Outcome results"].str.replace(r"\s+", " ", regex=True)
    low = out_txt.str.lower()
    outcome = pd.Series(np.select(
        [low.str.startswith("adopted"), low.str.contains("veto"),
         low.str.contains("fail") | low.str.startswith("not adopted")],
        ["adopted", "vetoed", "failed"], default=""), index=df.index)
    bad = (outcome == "").to_numpy()
    if bad.any():
        raise DataFormatError(f"unknown outcome {out_txt[bad].iloc[0]!r}", file=file,
                              row=first_bad_row(bad, rows), field="Outcome results",
                              expected="Adopted …, Not adopted - veto, or Not adopted - "
                              "failed to receive required number of votes")
    dates = _dates(df["Date"], rows, file)
    # one value per vote for the fields that describe the vote
    order = np.argsort(vid.to_numpy(), kind="stable")
    first_of = pd.Series(np.arange(len(df))).groupby(vid.to_numpy()).transform("first")
    ref = first_of.to_numpy()
    for col, vals in (("Date", dates.to_numpy()), ("Resolution", df["Resolution"].to_numpy()),
                      ("Draft", df["Draft"].to_numpy()), ("Outcome results", low.to_numpy()),
                      *((c, df[c].to_numpy()) for c in ("Meeting",) if c in df.columns)):
        diff = vals != vals[ref]
        if diff.any():
            i = int(np.argmax(diff))
            raise DataFormatError(
                f"vote ID {vid.iloc[i]} has {col} {str(vals[i])[:40]!r} here but "
                f"{str(vals[ref[i]])[:40]!r} on row {int(rows.iloc[ref[i]])}", file=file,
                row=int(rows.iloc[i]), field=col, expected=f"one {col} per vote (ID)")
    quality: list[dict] = []
    state, notes = _resolve_names(df["Member State"], dates, rows, file)
    quality += [{"key": None, **q} for q in notes]
    rows_df = pd.DataFrame({"id": vid, "state": state, "vote": vote, "row": rows,
                            "date": dates}).iloc[order].reset_index(drop=True)
    # a member listed twice in one vote: the first row is kept
    dup = rows_df.duplicated(["id", "state"], keep="first")
    if dup.any():
        firsts = rows_df[~dup].set_index(["id", "state"])
        for r in rows_df[dup].itertuples():
            f = firsts.loc[(r.id, r.state)]
            same = f["vote"] == r.vote
            quality.append({"key": str(r.id), "kind": "duplicate_listing", "detail": (
                f"vote ID {r.id}: {r.state} listed twice, {f['vote']} (row {int(f['row'])}) "
                f"and {r.vote} (row {int(r.row)})" + ("" if same else "; the first is kept")
                + f" ({file})")})
        rows_df = rows_df[~dup].reset_index(drop=True)
    meta = _votes_meta(df, vid, dates, outcome, out_txt, rows, file, quality)
    rows_df, meta = _drop_duplicate_votes(rows_df, meta, file, quality)
    meta = _finish_meta(meta, file, quality)
    rows_df = _check_members(rows_df, meta, file, quality)
    _check_outcomes(rows_df, meta, file, quality)
    has_votes = meta["id"].isin(rows_df["id"]).to_numpy()
    meta.loc[~has_votes, "adoption"] = "partial"
    res = meta.drop(columns=["id", "signature"], errors="ignore")
    votes = pd.DataFrame({"key": rows_df["id"].astype(str).to_numpy(),
                          "state": rows_df["state"].to_numpy(),
                          "vote": rows_df["vote"].to_numpy(), "row": rows_df["row"].to_numpy()})
    q = (pd.DataFrame(quality, columns=["key", "kind", "detail"]).astype(object)
         if quality else empty_quality())
    return SourceData(source="sc_drafts", file=file, resolutions=C.finish_resolutions(res),
                      votes=C.finish_votes(votes), lists_only_yna=True, quality=q,
                      rows_read=n_read)


def _votes_meta(df: pd.DataFrame, vid: pd.Series, dates: pd.Series, outcome: pd.Series,
                out_txt: pd.Series, rows: pd.Series, file: str, quality: list[dict]
                ) -> pd.DataFrame:
    """One row per vote (ID order): symbols, outcome, meeting... (dates as given)."""
    first = pd.Series(np.arange(len(df))).groupby(vid.to_numpy()).first()
    ids = first.index.to_numpy(dtype=np.int64)
    pos = first.to_numpy()
    g = df.iloc[pos].reset_index(drop=True)
    keys = [str(i) for i in ids]
    rows_l = rows.iloc[pos].astype(int).tolist()
    outcome_l = outcome.iloc[pos].tolist()
    years = pd.DatetimeIndex(dates.iloc[pos]).year.tolist()
    modality = out_txt.iloc[pos].tolist()
    meta = pd.DataFrame({
        "id": ids, "key": keys, "body": "SC", "date": dates.iloc[pos].to_numpy(),
        "outcome": outcome_l, "row": rows_l, "modality": modality,
        "agenda": g["Agenda item"].replace("", None).to_numpy() if "Agenda item" in g
        else None,
        "subjects": g["Topic"].replace("", None).to_numpy() if "Topic" in g else None,
        "meeting": [_meeting(m) for m in g["Meeting"]] if "Meeting" in g else None,
    })
    drafts, amend, resno = [], [], []
    for key, row, year, out, mod, res_txt, draft_txt in zip(
            keys, rows_l, years, outcome_l, modality, g["Resolution"].tolist(),
            g["Draft"].tolist(), strict=True):
        where = f"vote ID {key} ({file} row {row})"
        if out == "adopted" and re.search("consensus|acclamation|without", mod, re.I):
            quality.append({"key": key, "kind": "adopted_without_vote",
                            "detail": f"{where}: {mod!r}, every member listed as Yes"})
        if _DRAFT_ONLY.match(res_txt) and "RES" in draft_txt.upper():
            quality.append({"key": key, "kind": "columns_swapped", "detail": (
                f"{where}: Resolution {res_txt!r} and Draft {draft_txt!r} are swapped; read "
                "the other way round")})
            res_txt, draft_txt = draft_txt.upper().replace("S/RES/", ""), res_txt
        number, ryear = _res_number(res_txt) if res_txt else (None, None)
        if out == "adopted" and number is None:
            quality.append({"key": key, "kind": "resolution_missing", "detail": (
                f"{where}: adopted, but " + (f"Resolution is {res_txt!r}" if res_txt else
                                             "no resolution number")
                + ": the vote is matched by its draft and content")})
        if number is not None and ryear is not None and ryear != year:
            quality.append({"key": key, "kind": "symbol_year_mismatch", "detail": (
                f"{where}: resolution {res_txt!r} voted in {year}")})
        amend.append("amend" in draft_txt.lower())
        drafts.append(_draft_symbol(draft_txt))
        resno.append(number if out == "adopted" else None)
    meta["draft"] = drafts
    meta["amend"] = amend
    meta["resno"] = pd.array(resno, dtype="Int64")
    return meta


def _finish_meta(meta: pd.DataFrame, file: str, quality: list[dict]) -> pd.DataFrame:
    """Sequence checks (dates, resolution numbers), then the symbol each vote merges by."""
    _sequence_checks(meta, file, quality)
    sym = [f"S/RES/{int(n)}" if pd.notna(n) else (None if a else d)
           for n, d, a in zip(meta["resno"], meta["draft"], meta["amend"], strict=True)]
    meta["symbol"] = sym
    meta["session"] = pd.to_datetime(meta["date"]).dt.year.astype("Int64")
    meta["adoption"] = "recorded"
    return meta.drop(columns=["resno"])


def _sequence_checks(meta: pd.DataFrame, file: str, quality: list[dict]) -> None:
    """Resolution numbers far from their neighbours' (not used to merge) and day/month swaps
    (undone), in the file's vote order."""
    num = meta["resno"].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    has = ~np.isnan(num)
    if has.sum() >= 5:
        s = pd.Series(num[has])
        med = s.rolling(11, center=True, min_periods=3).median().to_numpy()
        far = np.abs(s.to_numpy() - med) > 100
        for j in np.flatnonzero(far):
            i = int(np.flatnonzero(has)[j])
            quality.append({"key": meta["key"].iloc[i], "kind": "symbol_out_of_sequence",
                            "detail": f"vote ID {meta['key'].iloc[i]} ({file} row "
                            f"{int(meta['row'].iloc[i])}): resolution {int(num[i])} among "
                            f"resolutions numbered about {int(med[j])}: not used to merge, "
                            "the vote is matched by its content"})
            meta.loc[meta.index[i], "resno"] = pd.NA
    d = pd.to_datetime(meta["date"]).to_numpy(dtype="datetime64[D]")
    swap, unsure = swapped_dates(d)
    new = d.copy()
    new[swap] = np.array([np.datetime64(f"{x.astype('datetime64[Y]').astype(int) + 1970:04d}"
                                        f"-{(x - x.astype('datetime64[M]')).astype(int) + 1:02d}"
                                        f"-{x.astype('datetime64[M]').astype(int) % 12 + 1:02d}")
                          for x in d[swap]], dtype="datetime64[D]")
    for i in np.flatnonzero(swap):
        quality.append({"key": meta["key"].iloc[i], "kind": "date_swapped", "detail": (
            f"vote ID {meta['key'].iloc[i]} ({file} row {int(meta['row'].iloc[i])}): date "
            f"{d[i]} read as {new[i]} (day and month swapped: only the swapped date fits "
            "between the votes listed before and after it)")})
    for i in np.flatnonzero(unsure):
        quality.append({"key": meta["key"].iloc[i], "kind": "date_uncertain", "detail": (
            f"vote ID {meta['key'].iloc[i]} ({file} row {int(meta['row'].iloc[i])}): date "
            f"{d[i]} fits neither as given nor with day and month swapped between the votes "
            "listed before and after it; kept as given")})
    meta["date"] = pd.to_datetime(new)


def _drop_duplicate_votes(rows_df: pd.DataFrame, meta: pd.DataFrame, file: str,
                          quality: list[dict]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A vote listed under two IDs (same date, draft, meeting and votes) is kept once: the
    copy whose outcome its votes support (see :func:`_implied`), else the first."""
    head = (meta["date"].astype(str) + "|" + meta["draft"].fillna(meta["key"]) + "|"
            + meta["meeting"].fillna(""))
    maybe = head.duplicated(keep=False).to_numpy()
    if not maybe.any():
        return rows_df, meta
    # the votes of the few IDs that share date, draft and meeting
    some = rows_df[rows_df["id"].isin(meta.loc[maybe, "id"])]
    sig = (some.sort_values(["id", "state"]).assign(sv=lambda f: f["state"] + f["vote"])
           .groupby("id")["sv"].agg("".join))
    key = head + "|" + meta["id"].map(sig).fillna("")
    dup = (key.duplicated(keep=False).to_numpy() & maybe)
    if not dup.any():
        return rows_df, meta
    implied = _implied(rows_df, meta)
    drop: set[int] = set()
    for _, grp in meta[dup].groupby(key[dup].to_numpy(), sort=False):
        ok = grp[grp["outcome"].to_numpy() == implied.loc[grp["id"]].to_numpy()]
        keep = int((ok if len(ok) else grp)["id"].iloc[0])
        kept = grp[grp["id"] == keep].iloc[0]
        for r in grp[grp["id"] != keep].itertuples():
            drop.add(int(r.id))
            quality.append({"key": str(keep), "kind": "duplicate_record", "detail": (
                f"vote ID {r.id} ({file} row {int(r.row)}, {r.modality!r}) repeats vote ID "
                f"{keep} ({kept['modality']!r}): same date, draft, meeting and votes; ID "
                f"{r.id} dropped")})
    rows_df = rows_df[~rows_df["id"].isin(drop)].reset_index(drop=True)
    meta = meta[~meta["id"].isin(drop)].reset_index(drop=True)
    gone = {str(i) for i in drop}
    quality[:] = [q for q in quality if q["kind"] == "duplicate_record" or q["key"] not in gone]
    return rows_df, meta


def _counts(rows_df: pd.DataFrame, meta: pd.DataFrame) -> pd.DataFrame:
    """Per vote: yes, listed, and whether a permanent member voted no."""
    from comity.ingest.sources.undl import _p5_on

    p5 = _p5_on(rows_df["state"], rows_df["date"])
    f = rows_df.assign(y=rows_df["vote"] == "Y", p5n=p5 & (rows_df["vote"] == "N").to_numpy())
    c = f.groupby("id").agg(yes=("y", "sum"), listed=("y", "size"), p5n=("p5n", "any"))
    return c.reindex(meta["id"]).fillna({"yes": 0, "listed": 0, "p5n": False})


def _implied(rows_df: pd.DataFrame, meta: pd.DataFrame) -> pd.Series:
    """The outcome the votes imply: adopted with ≥ 9 yes and no permanent member's no,
    vetoed with ≥ 9 yes and one, failed below 9 yes (by ID)."""
    c = _counts(rows_df, meta)
    out = np.where(c["yes"] >= 9, np.where(c["p5n"], "vetoed", "adopted"), "failed")
    return pd.Series(out, index=c.index)


def _check_outcomes(rows_df: pd.DataFrame, meta: pd.DataFrame, file: str,
                    quality: list[dict]) -> None:
    c = _counts(rows_df, meta)
    for key, row, out, mod, yes, listed, p5n in zip(
            meta["key"], meta["row"], meta["outcome"], meta["modality"],
            c["yes"].astype(int), c["listed"].astype(int), c["p5n"].astype(bool),
            strict=True):
        if listed == 0:
            continue  # its listing was dropped (members_mismatch)
        where = f"vote ID {key} ({file} row {int(row)}, {mod!r})"
        if listed < SEATS:
            quality.append({"key": key, "kind": "members_missing", "detail": (
                f"{where}: {listed} members listed, {SEATS} sat on the Council (those not "
                "listed have no row: absent, or missing from the source)")})
        problem = None
        if out == "vetoed" and not p5n:
            problem = "no permanent member's no is listed"
        elif out == "vetoed" and yes < 9 and listed >= SEATS:
            problem = f"only {yes} yes votes (9 needed): not a veto by the Charter's count"
        elif out == "failed" and p5n and yes >= 9:
            problem = f"{yes} yes votes and a permanent member's no: that is a veto"
        elif out == "adopted" and yes < 9 and listed >= SEATS:
            problem = f"only {yes} yes votes (9 needed)"
        elif out == "adopted" and p5n:
            problem = "a permanent member voted no (adoptable only as a procedural vote)"
        if problem:
            quality.append({"key": key, "kind": "outcome_inconsistent",
                            "detail": f"{where}: {problem}"})


def _check_members(rows_df: pd.DataFrame, meta: pd.DataFrame, file: str,
                   quality: list[dict]) -> pd.DataFrame:
    """The Council changes only on 1 January: a year's members are the states listed in at
    least half of its votes. A vote listing others has rows of another vote: with more than
    :data:`MAX_FOREIGN` of them its whole listing is dropped (the record stays, without
    votes), else only theirs."""
    year = pd.DatetimeIndex(meta["date"]).year
    year_of = pd.Series(year, index=meta["id"].to_numpy())
    f = rows_df.assign(year=rows_df["id"].map(year_of).to_numpy())
    n_votes = f.groupby("year")["id"].nunique()
    share = f.groupby(["year", "state"]).size() / n_votes.reindex(
        f.groupby(["year", "state"]).size().index.get_level_values(0)).to_numpy()
    members = share[share >= 0.5].reset_index()[["year", "state"]]
    size = members.groupby("year").size()
    for y, k in size.items():
        if k < SEATS:
            quality.append({"key": None, "kind": "members_mismatch", "detail": (
                f"{y}: only {k} states are listed in at least half of the year's "
                f"{int(n_votes[y])} votes ({file}): the member lists of that year belong to "
                "other votes")})
    f = f.merge(members.assign(member=True), on=["year", "state"], how="left")
    f["member"] = f["member"].fillna(False).astype(bool)
    foreign = f[~f["member"]]
    if foreign.empty:
        return rows_df
    per = foreign.groupby("id")["state"].agg(list)
    drop_all = {int(i) for i, sts in per.items() if len(sts) > MAX_FOREIGN}
    for i, sts in per.items():
        r = meta.loc[meta["id"] == i].iloc[0]
        where = f"vote ID {i} ({file} row {int(r['row'])}, {r['date'].date()})"
        if int(i) in drop_all:
            detail = (f"{where}: {len(sts)} of the states listed did not sit on the Council "
                      f"that year ({', '.join(sorted(sts))}): the listing is another vote's; "
                      "its votes are dropped")
        else:
            detail = (f"{where}: {', '.join(sorted(sts))} did not sit on the Council that "
                      "year: their rows are dropped")
        quality.append({"key": str(i), "kind": "members_mismatch", "detail": detail})
    bad = f["id"].isin(drop_all).to_numpy() | ~f["member"].to_numpy()
    return rows_df[~bad].reset_index(drop=True)
