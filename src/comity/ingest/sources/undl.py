"""The UN Dag Hammarskjöld Library's official voting bulk files (UN Digital Library).

Formats (``shared/data/formats/undl_*_voting_v5_description.md``)
-------------------------------------------------------------------
* **General Assembly voting data** (record 4060887), versions 1–5: one row per Member State
  and resolution adopted by recorded vote, with the columns ``undl_id, ms_code, ms_name,
  ms_vote, date, session, resolution, draft, committee_report, meeting, title, agenda_title,
  subjects, vote_note, total_yes, total_no, total_abstentions, total_non_voting, total_ms,
  undl_link``. ``vote_note`` exists only from version 5 on. Columns are matched by NAME, never
  by position (their order may differ between versions); unknown extra columns are ignored.
* **Security Council voting data** (record 4055387): one row per Council member and adopted
  resolution, with ``undl_id, ms_code, ms_name, permanent_member, ms_vote, date, resolution,
  draft, meeting, description, agenda, subjects, vote_note, total_yes, total_no,
  total_abstentions, total_non_voting, total_ms, modality, undl_link``. ``vote_note`` and
  ``modality`` are optional here too (older releases may lack them).

Both: UTF-8, optionally with a BOM, LF or CRLF line ends, quoted values that may hold newlines
(titles); every value is read as text and validated here.

Mapping to canonical rows (:mod:`comity.ingest.sources.base`)
------------------------------------------------------
* ``undl_id`` (the voting record) is the key; ``resolution`` → ``symbol`` (normalised:
  ``S/RES/2728 (2024)`` → ``S/RES/2728``); ``date`` → ``date``; ``undl_link`` → ``link``;
  ``subjects`` → ``subjects`` (``|``-separated terms re-joined with ``"; "``).
* GA: ``session`` → ``session`` when it is a number, else the regular session in progress on
  the date; ``ES-11``/``S-32`` (from ``session`` or the symbol) → ``special``; ``title`` →
  ``title`` (a CRLF inside a quoted title becomes LF); ``agenda_title`` → ``agenda``.
* SC: ``session`` = the year of the vote; ``description`` → ``title``; ``agenda`` → ``agenda``.
* ``ms_vote``: ``Y`` yes, ``N`` no, ``A`` abstention, ``X`` non-voting (kept as ``X``: a
  member that was present in the record but did not vote). Anything else is an error.
* ``total_yes/no/abstentions/non_voting`` → ``yes/no/abstain/non_voting``. Every field that
  describes the record as a whole (``resolution, date, session, draft, meeting, total_*``)
  must be identical on all rows of one ``undl_id``; a row that differs is a
  :class:`~comity.errors.DataFormatError` naming its row and field. ``total_ms`` is checked
  against ``total_yes + total_no + total_abstentions + total_non_voting``; a difference is a
  ``quality`` note (``total_ms_mismatch``), not an error.
* ``vote_note`` (non-empty) → a ``quality`` row ``vote_note`` with ``"STATE: note"``.
* SC ``modality``: a resolution adopted without a vote (``modality`` mentioning "without",
  "acclamation" or "consensus") keeps the Library's convention (every member recorded as
  ``Y``) and stays a recorded vote, so that it is counted as unanimous support and shows who
  sat on the Council; it gets a ``quality`` row ``adopted_without_vote`` naming the modality.
* SC ``permanent_member`` (True/False, also 1/0, yes/no) is validated and compared with the
  P5 of :func:`comity.world.blocs.get_bloc` on the vote's date; a difference is a ``quality`` row
  ``permanent_member_mismatch``.
* ``draft``, ``committee_report``, ``meeting``, ``total_ms`` and ``modality`` are kept in the
  canonical columns of the same names.

States
------
``ms_code`` is the three-letter code: ISO 3166-1 alpha-3, historical states under their
ISO 3166-3 / UN codes (``CSK``, ``DDR``, ``YUG``, ``SUN``, ``ZAR``, ``BUR``, ...). It is
resolved with :func:`comity.world.states.resolve` (``kind="iso3"``) AND the vote's date, so that a
current code written on a historical row means the entity then in the seat (``RUS`` before
1991-12-24 → ``SUN``, ``CHN`` before 1971-10-25 → ``TWN``, ``YEM`` before 1990-05-22 →
``YAR``, ``SRB`` → ``YUG``/``SCG``, ``CZE`` before 1993 → ``CSK``). A code comity does not know
(or an empty code) falls back to ``ms_name`` (``kind="name"``, with the date) and is noted in
``quality`` (``state_code_unknown``); when neither maps, the error names file, row and field.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

from comity.errors import DataFormatError, UnknownStateError
from comity.ingest.sources import _common as C
from comity.ingest.sources._io import first_bad_row, label, read_csv_strings
from comity.ingest.sources.base import SourceData, empty_quality, normalize_symbol

#: GA columns in the order of the version 5 description; ``vote_note`` only from v5.
GA_COLUMNS = ["undl_id", "ms_code", "ms_name", "ms_vote", "date", "session", "resolution",
              "draft", "committee_report", "meeting", "title", "agenda_title", "subjects",
              "vote_note", "total_yes", "total_no", "total_abstentions", "total_non_voting",
              "total_ms", "undl_link"]
GA_OPTIONAL = ["vote_note"]
GA_REQUIRED = [c for c in GA_COLUMNS if c not in GA_OPTIONAL]
#: SC columns in the order of the description.
SC_COLUMNS = ["undl_id", "ms_code", "ms_name", "permanent_member", "ms_vote", "date",
              "resolution", "draft", "meeting", "description", "agenda", "subjects",
              "vote_note", "total_yes", "total_no", "total_abstentions", "total_non_voting",
              "total_ms", "modality", "undl_link"]
SC_OPTIONAL = ["vote_note", "modality"]
SC_REQUIRED = [c for c in SC_COLUMNS if c not in SC_OPTIONAL]

VOTE_CODES = ("Y", "N", "A", "X")
_DATE_FORMATS = ["%Y-%m-%d", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%d/%m/%Y", "%Y%m%d"]
_TALLIES = (("yes", "total_yes"), ("no", "total_no"), ("abstain", "total_abstentions"),
            ("non_voting", "total_non_voting"))
_TRUE = ("true", "1", "yes", "y", "t")
_FALSE = ("false", "0", "no", "n", "f")
_WITHOUT_VOTE = r"without|acclamation|consensus|no vote"


@cache
def _known_iso3() -> frozenset[str]:
    from comity.world import states as st

    al = st.aliases_table()
    return frozenset(al.loc[al["kind"] == "iso3", "spelling"].astype(str).str.upper())


def _blank_to_none(s: pd.Series) -> np.ndarray:
    t = s.str.strip()
    return t.where(t != "", None).to_numpy(dtype=object)


def _resolve_states(code: pd.Series, name: pd.Series, dates: pd.Series, rows: pd.Series,
                    file: str) -> tuple[pd.Series, pd.DataFrame | None]:
    """Codes by ``ms_code`` (iso3, dated), falling back to ``ms_name`` for unknown codes."""
    from comity.world.states import resolve

    out = pd.Series(None, index=code.index, dtype=object)
    by_code = code.isin(_known_iso3()).to_numpy()
    if by_code.any():
        out[by_code] = resolve(code[by_code], kind="iso3", file=file, dates=dates[by_code],
                               rows=rows[by_code]).to_numpy()
    rest = ~by_code
    note = None
    if rest.any():
        empty = (name[rest] == "").to_numpy()
        if empty.any():
            i = int(np.flatnonzero(rest)[np.argmax(empty)])
            raise DataFormatError(
                f"ms_code {code.iloc[i]!r} is not a known state code and ms_name is empty",
                file=file, row=int(rows.iloc[i]), field="ms_code",
                expected="an ISO 3166 alpha-3 code, or an ms_name comity knows")
        try:
            got = resolve(name[rest], kind="name", file=file, dates=dates[rest],
                          rows=rows[rest])
        except UnknownStateError as exc:
            i = int(np.flatnonzero(rest)[0])
            bad = [s for s in exc.spellings if s != "<missing>"]
            if bad:
                i = int(np.flatnonzero(rest & (name == bad[0]).to_numpy())[0])
            raise DataFormatError(
                f"state with ms_code {code.iloc[i]!r} and ms_name {name.iloc[i]!r} is "
                "unknown (neither the code nor the name maps to a state; add it to "
                "comity/data/aliases.csv)", file=file, row=int(rows.iloc[i]), field="ms_code",
                expected="an ISO 3166 alpha-3 code or a known state name") from None
        out[rest] = got.to_numpy()
        pairs = pd.DataFrame({"code": code[rest], "name": name[rest], "state": got,
                              "key": None}).drop_duplicates(["code", "name", "state"])
        note = pd.DataFrame({
            "key": None, "kind": "state_code_unknown",
            "detail": ("ms_code " + pairs["code"].map(repr) + " unknown; resolved by ms_name "
                       + pairs["name"].map(repr) + " to " + pairs["state"] + " (" + file
                       + ")").to_numpy()})
    return out, note


def _check_same_per_record(df: pd.DataFrame, cols: list[str], kcodes: np.ndarray,
                           first_pos: np.ndarray, key: pd.Series, rows: pd.Series,
                           file: str) -> None:
    """Every column in ``cols`` must hold one value per record (vectorised)."""
    ref_pos = first_pos[kcodes]
    for col in cols:
        vals = df[col].str.strip().to_numpy(dtype=object)
        bad = vals != vals[ref_pos]
        if bad.any():
            i = int(np.argmax(bad))
            j = int(ref_pos[i])
            raise DataFormatError(
                f"record {key.iloc[i]} has {col} {vals[i]!r} here but {vals[j]!r} on row "
                f"{int(rows.iloc[j])}", file=file, row=int(rows.iloc[i]), field=col,
                expected="the same value on every row of one record (undl_id)")


def _read(path: str | Path, required: list[str], consistent: list[str], body: str
          ) -> tuple[str, pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame, list,
                     pd.Series]:
    """Read and validate what the GA and SC files share.

    Returns ``file, df, meta (first row of each record), res, votes, quality parts, dates``.
    """
    file = label(path)
    df = read_csv_strings(path, required, strip_headers=True)
    n = len(df)
    rows = pd.Series(np.arange(1, n + 1), index=df.index)
    for col in ("undl_id", "resolution", "ms_vote", "date"):
        empty = (df[col].str.strip() == "").to_numpy()
        if empty.any():
            raise DataFormatError("empty value", file=file, row=first_bad_row(empty, rows),
                                  field=col, expected=f"a {col} on every row")
    vote = df["ms_vote"].str.strip().str.upper()
    bad = ~vote.isin(VOTE_CODES).to_numpy()
    if bad.any():
        raise DataFormatError(f"unknown vote code {df['ms_vote'][bad].iloc[0]!r}", file=file,
                              row=first_bad_row(bad, rows), field="ms_vote",
                              expected="Y, N, A or X")
    date_txt = df["date"].str.strip()
    dates = C.parse_dates(date_txt, _DATE_FORMATS)
    nodate = dates.isna().to_numpy()
    if nodate.any():
        raise DataFormatError(f"unparseable date {date_txt[nodate].iloc[0]!r}", file=file,
                              row=first_bad_row(nodate, rows), field="date",
                              expected="YYYY-MM-DD")
    C.check_date_range(dates, file=file, field="date", rows=rows)
    key = df["undl_id"].str.strip()
    kcodes, _ = pd.factorize(key)
    _, first_pos = np.unique(kcodes, return_index=True)
    _check_same_per_record(df, [c for c in consistent if c in df.columns], kcodes, first_pos,
                           key, rows, file)
    quality: list[pd.DataFrame] = []
    state, note = _resolve_states(df["ms_code"].str.strip().str.upper(),
                                  df["ms_name"].str.strip(), dates, rows, file)
    if note is not None:
        quality.append(note)
    votes = pd.DataFrame({"key": key.to_numpy(), "state": state.to_numpy(),
                          "vote": vote.to_numpy(), "row": rows.to_numpy()})
    C.check_duplicates(votes, file=file)
    # one row per record, in file order
    order = np.sort(first_pos)
    meta = df.iloc[order]
    mrows = rows.iloc[order]
    tallies = {out: C.to_int(meta[col], file=file, field=col, rows=mrows)
               for out, col in _TALLIES}
    total_ms = C.to_int(meta["total_ms"], file=file, field="total_ms", rows=mrows)
    res = pd.DataFrame({
        "key": key.iloc[order].to_numpy(), "body": body, "date": dates.iloc[order].to_numpy(),
        "symbol": meta["resolution"].map(normalize_symbol).to_numpy(),
        "subjects": _subjects(meta["subjects"]),
        "link": _blank_to_none(meta["undl_link"]),
        "draft": _blank_to_none(meta["draft"]),
        "meeting": _blank_to_none(meta["meeting"]),
        "total_ms": total_ms.to_numpy(),
        "row": mrows.to_numpy(), **{k: v.to_numpy() for k, v in tallies.items()},
    })
    tsum = sum(tallies[k] for k in ("yes", "no", "abstain", "non_voting"))
    off = (tsum.notna() & total_ms.notna() & (tsum != total_ms)).to_numpy(dtype=bool)
    if off.any():
        quality.append(pd.DataFrame({
            "key": res.loc[off, "key"].to_numpy(), "kind": "total_ms_mismatch",
            "detail": (file + " row " + res.loc[off, "row"].astype(str) + ": total_ms "
                       + total_ms[off].astype(str).to_numpy() + " but yes+no+abstentions+"
                       "non_voting = " + tsum[off].astype(str).to_numpy())}))
    if "vote_note" in df.columns:
        note_txt = df["vote_note"].str.strip()
        has = (note_txt != "").to_numpy()
        if has.any():
            quality.append(pd.DataFrame({
                "key": key[has].to_numpy(), "kind": "vote_note",
                "detail": (state[has] + ": " + note_txt[has]).to_numpy()}))
    return file, df, meta, res, votes, quality, dates


def _subjects(s: pd.Series) -> np.ndarray:
    t = s.str.strip().str.replace(r"\s*\|\s*", "; ", regex=True)
    return t.where(t != "", None).to_numpy(dtype=object)


def _finish(source: str, file: str, res: pd.DataFrame, votes: pd.DataFrame,
            quality: list[pd.DataFrame], n: int) -> SourceData:
    parts = [q for q in quality if len(q)]
    q = (pd.concat(parts, ignore_index=True).astype(object) if parts else empty_quality())
    return SourceData(source=source, file=file, resolutions=C.finish_resolutions(res),
                      votes=C.finish_votes(votes), lists_only_yna=False, quality=q,
                      rows_read=n)


def parse_undl_ga(path: str | Path) -> SourceData:
    """Parse any version (1–5) of the official UNDL General Assembly voting CSV."""
    consistent = ["resolution", "date", "session", "draft", "committee_report", "meeting",
                  "total_yes", "total_no", "total_abstentions", "total_non_voting",
                  "total_ms"]
    file, df, meta, res, votes, quality, _ = _read(path, GA_REQUIRED, consistent, "GA")
    sess_txt = meta["session"].str.strip().str.upper()
    num = pd.to_numeric(sess_txt.where(sess_txt.str.fullmatch(r"\d+")), errors="coerce")
    session = pd.Series(pd.array(num.to_numpy(), dtype="Int64"))
    sym = pd.Series(res["symbol"])
    session = session.fillna(C.session_from_symbol(sym)).fillna(
        C.session_from_date(pd.Series(res["date"])))
    res["session"] = session.to_numpy()
    special = C.special_from_symbol(sym).to_numpy(dtype=object)
    from_text = sess_txt.str.extract(r"^((?:ES|S)-\d+)$")[0].to_numpy(dtype=object)
    special = np.where(pd.notna(special), special, from_text)
    res["special"] = np.where(pd.notna(special), special, None)
    res["title"] = _blank_to_none(meta["title"].str.replace("\r\n", "\n", regex=False))
    res["agenda"] = _blank_to_none(meta["agenda_title"])
    res["committee_report"] = _blank_to_none(meta["committee_report"])
    res["modality"] = None  # GA files hold recorded votes only
    return _finish("undl_ga", file, res, votes, quality, len(df))


def parse_undl_sc(path: str | Path) -> SourceData:
    """Parse the official UNDL Security Council voting CSV."""
    consistent = ["resolution", "date", "draft", "meeting", "total_yes", "total_no",
                  "total_abstentions", "total_non_voting", "total_ms", "modality"]
    file, df, meta, res, votes, quality, dates = _read(path, SC_REQUIRED, consistent, "SC")
    n = len(df)
    rows = pd.Series(np.arange(1, n + 1), index=df.index)
    res["session"] = pd.to_datetime(res["date"]).dt.year.astype("Int64")
    res["title"] = _blank_to_none(meta["description"].str.replace("\r\n", "\n", regex=False))
    res["agenda"] = _blank_to_none(meta["agenda"])
    res["committee_report"] = None  # no such column in the SC file
    res["modality"] = None
    perm_txt = df["permanent_member"].str.strip().str.lower()
    is_true = perm_txt.isin(_TRUE).to_numpy()
    bad = ~(is_true | perm_txt.isin(_FALSE).to_numpy())
    if bad.any():
        raise DataFormatError(f"{df['permanent_member'][bad].iloc[0]!r} is not true/false",
                              file=file, row=first_bad_row(bad, rows),
                              field="permanent_member", expected="True or False")
    p5 = _p5_on(votes["state"], dates)
    off = is_true != p5
    if off.any():
        quality.append(pd.DataFrame({
            "key": votes.loc[off, "key"].to_numpy(), "kind": "permanent_member_mismatch",
            "detail": (votes.loc[off, "state"] + ": permanent_member "
                       + df.loc[off, "permanent_member"].str.strip()
                       + " in " + file + " row " + rows[off].astype(str)
                       + ", but " + np.where(p5[off], "a", "not a") + " permanent member on "
                       "that date").to_numpy()}))
    if "modality" in df.columns:
        modality = meta["modality"].str.strip()
        res["modality"] = _blank_to_none(modality)
        wv = modality.str.lower().str.contains(_WITHOUT_VOTE, regex=True).to_numpy()
        if wv.any():
            quality.append(pd.DataFrame({
                "key": res.loc[wv, "key"].to_numpy(), "kind": "adopted_without_vote",
                "detail": ("modality " + modality[wv].map(repr) + ": adopted without a vote; "
                           "every member recorded as Y by the Library").to_numpy()}))
    return _finish("undl_sc", file, res, votes, quality, n)


def _p5_on(states: pd.Series, dates: pd.Series) -> np.ndarray:
    """Was ``states[i]`` a permanent member of the Council on ``dates[i]``? (vectorised)"""
    from comity.world.blocs import get_bloc

    p5 = get_bloc("p5").to_frame()
    start = p5["start"].to_numpy(dtype="datetime64[D]")
    end = p5["end"].to_numpy(dtype="datetime64[D]")
    start = np.where(np.isnat(start), np.datetime64("0001-01-01"), start)
    end = np.where(np.isnat(end), np.datetime64("9999-12-31"), end)
    st = states.to_numpy(dtype=object)
    d = dates.to_numpy(dtype="datetime64[D]")
    out = np.zeros(len(st), dtype=bool)
    for code, s0, s1 in zip(p5["state"], start, end, strict=True):
        out |= (st == code) & (d >= s0) & (d < s1)
    return out
