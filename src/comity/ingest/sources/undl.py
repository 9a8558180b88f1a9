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
import pyarrow as pa
import pyarrow.compute as pc

from comity.errors import DataFormatError, UnknownStateError
from comity.ingest.sources import _common as C
from comity.ingest.sources._io import iter_csv_batches, label, read_ahead, read_csv_table
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


#: record-level columns kept from each record's first row (besides the consistent ones)
_RECORD_TEXT = ("title", "agenda_title", "subjects", "undl_link", "description", "agenda",
                "modality")
#: a file read in one go below this decompressed size when a streaming read fails, so that
#: the error names the exact row (the streaming reader knows only the batch)
_EXACT_ERRORS_BELOW = 1 << 26


class _Records:
    """Record-level state gathered batch by batch: ids in order of first appearance, the
    first row's values of every record-level column, and that row's number."""

    def __init__(self, cols: list[str]) -> None:
        self.ids: dict[str, int] = {}
        self.cols = cols
        self.values: dict[str, list[str]] = {c: [] for c in cols}
        self.first_row: list[int] = []

    def add(self, batch: pa.RecordBatch, base: int) -> np.ndarray:
        """Global record ids of the batch's rows (new records registered)."""
        kc, kuniq = C.dict_factorize(batch.column("undl_id"), pc.utf8_trim_whitespace)
        gid = np.fromiter((self.ids.setdefault(k, len(self.ids)) for k in kuniq),
                          dtype=np.int64, count=len(kuniq))
        _, first = np.unique(kc, return_index=True)
        new = gid >= len(self.first_row)
        if new.any():
            idx = first[new]
            order = np.argsort(gid[new])
            idx = idx[order]
            take = pa.array(idx)
            for c in self.cols:
                self.values[c].extend(batch.column(c).take(take).to_pylist())
            self.first_row.extend((idx + base + 1).tolist())
        return gid[kc]


def _check_consistent(batch: pa.RecordBatch, rec: _Records, cols: list[str],
                      row_rec: np.ndarray, base: int, file: str) -> None:
    """Every column in ``cols`` holds on each row the value of its record's first row."""
    local, inv = np.unique(row_rec, return_inverse=True)
    keys = list(rec.ids)
    for col in cols:
        codes, uniq = C.dict_factorize(batch.column(col), pc.utf8_trim_whitespace)
        pos = {u: i for i, u in enumerate(uniq)}
        ref = np.array([pos.get(rec.values[col][g].strip(), -2) for g in local.tolist()],
                       dtype=np.int64)
        bad = codes != ref[inv]
        if bad.any():
            i = int(np.argmax(bad))
            g = int(row_rec[i])
            raise DataFormatError(
                f"record {keys[g]} has {col} {uniq[codes[i]]!r} here but "
                f"{rec.values[col][g].strip()!r} on row {rec.first_row[g]}", file=file,
                row=base + i + 1, field=col,
                expected="the same value on every row of one record (undl_id)")


def _check_rows(batch: pa.RecordBatch, base: int, file: str) -> tuple[np.ndarray, list]:
    """Row-level checks of one batch: required values present, vote codes, dates; returns
    the vote codes (0–3: ``VOTE_CODES``) and the batch's distinct date strings."""
    for col in ("undl_id", "resolution", "ms_vote", "date"):
        empty = pc.equal(pc.utf8_trim_whitespace(batch.column(col)), "").to_numpy(
            zero_copy_only=False)
        if empty.any():
            raise DataFormatError("empty value", file=file, row=base + int(np.argmax(empty)) + 1,
                                  field=col, expected=f"a {col} on every row")
    vc, vuniq = C.dict_factorize(batch.column("ms_vote"),
                                 lambda a: pc.utf8_upper(pc.utf8_trim_whitespace(a)))
    lut = np.array([VOTE_CODES.index(v) if v in VOTE_CODES else -1 for v in vuniq] + [-1],
                   dtype=np.int8)
    vote = lut[vc]
    if (vote < 0).any():
        i = int(np.argmax(vote < 0))
        raise DataFormatError(f"unknown vote code {batch.column('ms_vote')[i].as_py()!r}",
                              file=file, row=base + i + 1, field="ms_vote",
                              expected="Y, N, A or X")
    dc, duniq = C.dict_factorize(batch.column("date"), pc.utf8_trim_whitespace)
    dates = C.parse_dates(pd.Series(duniq, dtype=object), _DATE_FORMATS)
    nodate = dates.isna().to_numpy()[dc]
    if nodate.any():
        i = int(np.argmax(nodate))
        raise DataFormatError(f"unparseable date {duniq[dc[i]]!r}", file=file,
                              row=base + i + 1, field="date", expected="YYYY-MM-DD")
    first = np.unique(dc, return_index=True)[1]
    C.check_date_range(pd.Series(dates.to_numpy()[dc[first]]), file=file, field="date",
                       rows=pd.Series(first + base + 1))
    return vote, duniq


def _scan(path: str | Path, required: list[str], consistent: list[str], body: str
          ) -> tuple[_Records, np.ndarray, np.ndarray, np.ndarray, list, dict, int]:
    """Read the file batch by batch, keeping only integer codes per row.

    Returns the records, and per row: record id, (ms_code, ms_name) pair id, vote code; the
    pairs; the non-empty vote notes and SC ``permanent_member`` texts by row index
    (``extra``); the number of rows."""
    file = label(path)
    rec: _Records | None = None
    pairs: dict[tuple[str, str], int] = {}
    parts: dict[str, list[np.ndarray]] = {"rec": [], "pair": [], "vote": []}
    notes: list[tuple[np.ndarray, list]] = []
    perm: list[tuple[np.ndarray, list]] = []
    base = 0
    for batch in read_ahead(iter_csv_batches(path, required, strip_headers=True)):
        if rec is None:
            names = batch.schema.names
            cons = [c for c in consistent if c in names]
            rec = _Records(cons + [c for c in _RECORD_TEXT if c in names and c not in cons])
        vote, _ = _check_rows(batch, base, file)
        row_rec = rec.add(batch, base)
        _check_consistent(batch, rec, cons, row_rec, base, file)
        cc, cuniq = C.dict_factorize(batch.column("ms_code"),
                                     lambda a: pc.utf8_upper(pc.utf8_trim_whitespace(a)))
        nc, nuniq = C.dict_factorize(batch.column("ms_name"), pc.utf8_trim_whitespace)
        combo = cc.astype(np.int64) * (len(nuniq) + 1) + nc
        u, inv = np.unique(combo, return_inverse=True)
        gp = np.fromiter((pairs.setdefault((cuniq[x // (len(nuniq) + 1)],
                                            nuniq[x % (len(nuniq) + 1)]), len(pairs))
                          for x in u.tolist()), dtype=np.int32, count=len(u))
        parts["rec"].append(row_rec.astype(np.int32))
        parts["pair"].append(gp[inv])
        parts["vote"].append(vote)
        if "vote_note" in batch.schema.names:
            txt = pc.utf8_trim_whitespace(batch.column("vote_note"))
            has = pc.not_equal(txt, "").to_numpy(zero_copy_only=False)
            if has.any():
                idx = np.flatnonzero(has)
                notes.append((idx + base, txt.take(pa.array(idx)).to_pylist()))
        if body == "SC":
            perm.append(_permanent(batch, base, file))
        base += batch.num_rows
    assert rec is not None  # iter_csv_batches raises on a file without data rows
    extra = {"notes": notes, "perm": perm}
    return (rec, np.concatenate(parts["rec"]), np.concatenate(parts["pair"]),
            np.concatenate(parts["vote"]), list(pairs), extra, base)


def _permanent(batch: pa.RecordBatch, base: int, file: str) -> tuple[np.ndarray, list]:
    """The SC ``permanent_member`` flag of each row (validated) and the distinct texts."""
    pc_, puniq = C.dict_factorize(batch.column("permanent_member"), pc.utf8_trim_whitespace)
    low = [p.lower() for p in puniq]
    ok = np.array([x in _TRUE or x in _FALSE for x in low] + [False])
    bad = ~ok[pc_]
    if bad.any():
        i = int(np.argmax(bad))
        raise DataFormatError(f"{batch.column('permanent_member')[i].as_py()!r} is not "
                              "true/false", file=file, row=base + i + 1,
                              field="permanent_member", expected="True or False")
    return pc_, puniq


def _read(path: str | Path, required: list[str], consistent: list[str], body: str
          ) -> tuple[str, pd.DataFrame, pd.DataFrame, pd.DataFrame, list, dict]:
    """Read and validate what the GA and SC files share, streaming (bounded memory).

    Returns ``file, meta (first row of each record, raw texts), res, votes (categorical
    key, state and vote), quality parts, per-row extras`` (``dates`` of every row,
    ``perm`` texts for SC)."""
    file = label(path)
    try:
        rec, row_rec, row_pair, row_vote, pairs, extra, n = _scan(path, required,
                                                                  consistent, body)
    except DataFormatError:
        _exact_error(path, required)
        raise
    keys = list(rec.ids)
    meta = pd.DataFrame(rec.values, dtype=object)
    mrows = pd.Series(rec.first_row, dtype="int64")
    rec_dates = C.parse_dates(meta["date"].str.strip(), _DATE_FORMATS)
    quality: list[pd.DataFrame] = []
    state_cat, note = _resolve_pairs(pairs, row_pair, row_rec, rec_dates, file)
    if note is not None:
        quality.append(note)
    rows = np.arange(1, n + 1, dtype=np.int32 if n < 2**31 - 1 else np.int64)
    C.duplicate_check(row_rec, state_cat.codes, rows, pd.Index(keys), state_cat.categories,
                      file=file)
    votes = pd.DataFrame({
        "key": pd.Categorical.from_codes(row_rec, categories=pd.Index(keys)),
        "state": state_cat,
        "vote": pd.Categorical.from_codes(row_vote, categories=list(VOTE_CODES)),
        "row": rows})
    tallies = {out: C.to_int(meta[col], file=file, field=col, rows=mrows)
               for out, col in _TALLIES}
    total_ms = C.to_int(meta["total_ms"], file=file, field="total_ms", rows=mrows)
    res = pd.DataFrame({
        "key": keys, "body": body, "date": rec_dates.to_numpy(),
        "symbol": meta["resolution"].map(normalize_symbol).to_numpy(),
        "subjects": _subjects(meta["subjects"]),
        "link": _blank_to_none(meta["undl_link"]),
        "draft": _blank_to_none(meta["draft"]),
        "meeting": _blank_to_none(meta["meeting"]),
        "total_ms": total_ms.to_numpy(),
        "row": mrows.to_numpy(), **{k: v.to_numpy() for k, v in tallies.items()},
    })
    _check_symbols(res["symbol"], body, mrows, file)
    tsum = sum(tallies[k] for k in ("yes", "no", "abstain", "non_voting"))
    off = (tsum.notna() & total_ms.notna() & (tsum != total_ms)).to_numpy(dtype=bool)
    if off.any():
        quality.append(pd.DataFrame({
            "key": res.loc[off, "key"].to_numpy(), "kind": "total_ms_mismatch",
            "detail": (file + " row " + res.loc[off, "row"].astype(str) + ": total_ms "
                       + total_ms[off].astype(str).to_numpy() + " but yes+no+abstentions+"
                       "non_voting = " + tsum[off].astype(str).to_numpy())}))
    if extra["notes"]:
        idx = np.concatenate([i for i, _ in extra["notes"]])
        txt = [t for _, ts in extra["notes"] for t in ts]
        quality.append(pd.DataFrame({
            "key": np.asarray(keys, dtype=object)[row_rec[idx]], "kind": "vote_note",
            "detail": (pd.Series(np.asarray(state_cat)[idx], dtype=object) + ": "
                       + pd.Series(txt, dtype=object)).to_numpy()}))
    extra["dates"] = rec_dates.iloc[row_rec].reset_index(drop=True) if body == "SC" else None
    return file, meta, res, votes, quality, extra


#: a resolution symbol as the Library writes it, once normalised (``A/RES/68/262``,
#: ``A/RES/377(V)A``, ``A/RES/ES-11/1``, ``S/RES/2728``): the body's prefix, then letters,
#: digits and ``/ ( ) [ ] - .`` only — never a list or a quoted text
_SYMBOL = {"GA": r"(?:A/RES/|R/)[A-Z0-9/()\[\].-]+", "SC": r"S/RES/[A-Z0-9/()\[\].-]+"}


def _check_symbols(symbols: pd.Series | np.ndarray, body: str, rows: pd.Series,
                   file: str) -> None:
    sym = pd.Series(np.asarray(symbols, dtype=object))
    bad = ~sym.fillna("").str.fullmatch(_SYMBOL[body]).to_numpy(dtype=bool)
    if bad.any():
        i = int(np.argmax(bad))
        raise DataFormatError(
            f"{sym.iloc[i]!r} is not a resolution symbol", file=file, row=int(rows.iloc[i]),
            field="resolution", expected=f"a symbol such as "
            f"{'A/RES/68/262' if body == 'GA' else 'S/RES/2728 (2024)'}")


#: a GA ``session``: a regular session's number (1 to 200) or a special or emergency
#: special session (``S-32``, ``ES-11``), or empty
_SESSION = r"(?:[1-9]\d{0,2}|(?:ES|S)-\d{1,2})?"


def _exact_error(path: str | Path, required: list[str]) -> None:
    """For a small file, the whole-file reader's error (it knows the exact row)."""
    try:
        st = Path(path).stat()
    except OSError:
        return
    if st.st_size < _EXACT_ERRORS_BELOW // 8:
        read_csv_table(path, required, strip_headers=True)


def _resolve_pairs(pairs: list[tuple[str, str]], row_pair: np.ndarray, row_rec: np.ndarray,
                   rec_dates: pd.Series, file: str) -> tuple[pd.Categorical, pd.DataFrame | None]:
    """Canonical states of every row: each distinct (code, name, date epoch) resolved once
    (:func:`_resolve_states`), in order of its first row, so errors name the first row."""
    bounds = C._boundaries()
    dvals = rec_dates.to_numpy(dtype="datetime64[ns]")
    epoch_rec = np.searchsorted(bounds, dvals, side="right").astype(np.int64)
    n_ep = len(bounds) + 2
    combo = row_pair.astype(np.int64) * n_ep + epoch_rec[row_rec]
    uniq, first, inv = C.unique_index_inverse(combo)
    order = np.argsort(first, kind="stable")
    pu = uniq[order] // n_ep
    f = first[order]
    code = pd.Series([pairs[i][0] for i in pu.tolist()], dtype=object)
    name = pd.Series([pairs[i][1] for i in pu.tolist()], dtype=object)
    dates = pd.Series(dvals[row_rec[f]])
    state, note = _resolve_states(code, name, dates, pd.Series(f + 1), file)
    got = np.empty(len(uniq), dtype=object)
    got[order] = state.to_numpy()
    s_codes, s_uniq = pd.factorize(pd.Series(got, dtype=object))
    return pd.Categorical.from_codes(s_codes[inv], categories=pd.Index(s_uniq)), note


def _subjects(s: pd.Series) -> np.ndarray:
    t = s.str.strip().str.replace(r"\s*\|\s*", "; ", regex=True)
    return t.where(t != "", None).to_numpy(dtype=object)


def _finish(source: str, file: str, res: pd.DataFrame, votes: pd.DataFrame,
            quality: list[pd.DataFrame], n: int) -> SourceData:
    parts = [q for q in quality if len(q)]
    q = (pd.concat(parts, ignore_index=True).astype(object) if parts else empty_quality())
    return SourceData(source=source, file=file, resolutions=C.finish_resolutions(res),
                      votes=votes, lists_only_yna=False, quality=q,
                      rows_read=n)


def parse_undl_ga(path: str | Path) -> SourceData:
    """Parse any version (1–5) of the official UNDL General Assembly voting CSV."""
    consistent = ["resolution", "date", "session", "draft", "committee_report", "meeting",
                  "total_yes", "total_no", "total_abstentions", "total_non_voting",
                  "total_ms"]
    file, meta, res, votes, quality, _ = _read(path, GA_REQUIRED, consistent, "GA")
    sess_txt = meta["session"].str.strip().str.upper()
    bad = ~sess_txt.str.fullmatch(_SESSION).to_numpy(dtype=bool)
    bad |= pd.to_numeric(sess_txt.where(sess_txt.str.fullmatch(r"\d+")),
                         errors="coerce").gt(200).to_numpy(dtype=bool)
    if bad.any():
        i = int(np.argmax(bad))
        raise DataFormatError(f"session {sess_txt.iloc[i]!r} is not a session", file=file,
                              row=int(res["row"].iloc[i]), field="session",
                              expected="a regular session number from 1 to 200, S-n or ES-n, "
                              "or empty")
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
    return _finish("undl_ga", file, res, votes, quality, len(votes))


def parse_undl_sc(path: str | Path) -> SourceData:
    """Parse the official UNDL Security Council voting CSV."""
    consistent = ["resolution", "date", "draft", "meeting", "total_yes", "total_no",
                  "total_abstentions", "total_non_voting", "total_ms", "modality"]
    file, meta, res, votes, quality, extra = _read(path, SC_REQUIRED, consistent, "SC")
    n = len(votes)
    rows = pd.Series(np.arange(1, n + 1))
    res["session"] = pd.to_datetime(res["date"]).dt.year.astype("Int64")
    res["title"] = _blank_to_none(meta["description"].str.replace("\r\n", "\n", regex=False))
    res["agenda"] = _blank_to_none(meta["agenda"])
    res["committee_report"] = None  # no such column in the SC file
    res["modality"] = None
    perm_txt = pd.Series(np.concatenate([np.asarray(u, dtype=object)[c]
                                         for c, u in extra["perm"]]), dtype=object)
    is_true = perm_txt.str.lower().isin(_TRUE).to_numpy()
    dates = extra["dates"]
    p5 = _p5_on(votes["state"], dates)
    off = is_true != p5
    if off.any():
        quality.append(pd.DataFrame({
            "key": votes.loc[off, "key"].to_numpy(dtype=object),
            "kind": "permanent_member_mismatch",
            "detail": (votes.loc[off, "state"].astype(object) + ": permanent_member "
                       + perm_txt[off]
                       + " in " + file + " row " + rows[off].astype(str)
                       + ", but " + np.where(p5[off], "a", "not a") + " permanent member on "
                       "that date").to_numpy()}))
    if "modality" in meta.columns:
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
