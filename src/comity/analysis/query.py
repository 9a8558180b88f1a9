"""The parts of an alignment query: parties (states and blocs), options, the votes loaded
from the store or a panel, periods, and bloc positions.

Shared by :mod:`comity.analysis.align`, the claims and the other analyses, so that a party, a
period and a bloc's position mean the same everywhere (see :mod:`comity.analysis.align` for
the rules)."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from comity.analysis.measures import (
    MEASURES,
    _check_measures,
)
from comity.errors import AlignmentError, UnknownBlocError, UnknownStateError
from comity.store.panel import ABSENT, ABSTAIN, NO, NONMEMBER, YES, Panel
from comity.world import states as st
from comity.world.blocs import Bloc, get_bloc, load_bloc_file
from comity.world.issues import issue_code

if TYPE_CHECKING:

    from comity.store.db import Store


TIDY_COLUMNS: tuple[str, ...] = (
    "period", "start", "end", "state_a", "state_b", "measure", "value", "lo", "hi", "n",
    "n_absent", "n_nonmember", "n_tied",
)

VOTE_LABELS = {YES: "Y", ABSTAIN: "A", NO: "N", ABSENT: "X"}
"""Letters of the vote codes."""

PeriodSpec = str | tuple[Any, Any] | Sequence[tuple[Any, Any, Any]] | Mapping[str, int]


def latest_complete_year(last_date: Any) -> int:
    """The latest calendar year whose votes are all in, from the date of the last recorded
    vote: that vote's year when it is from December (the Assembly's main part ends in
    December), else the year before. A partial year is never the silent default (the matrix
    and claims without a period use it)."""
    last = pd.Timestamp(last_date)
    return int(last.year) if last.month == 12 else int(last.year) - 1


@contextlib.contextmanager
def _one_blas_thread() -> Iterator[None]:
    """Run many small matrix products on one BLAS thread.

    The per-period products here are small (a few hundred rows); OpenBLAS's thread start-up and
    spin-waiting then cost far more than the arithmetic (ten times more on a busy two-core
    machine). ``threadpoolctl`` ships with scikit-learn; without it nothing changes.
    """
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover
        yield
        return
    with threadpool_limits(limits=1, user_api="blas"):
        yield


# ----------------------------------------------------------------------------------- parties
@dataclass(frozen=True)
class Party:
    """One side of a comparison: a state (canonical code) or a bloc (its key)."""

    token: str
    kind: Literal["state", "bloc"]
    code: str
    name: str
    bloc: Bloc | None = field(default=None, repr=False, compare=False)

    @property
    def is_bloc(self) -> bool:
        return self.kind == "bloc"

    def describe(self) -> dict[str, str]:
        return {"token": self.token, "kind": self.kind, "code": self.code, "name": self.name}


def _state_party(token: str, code: str) -> Party:
    return Party(token=token, kind="state", code=code, name=st.name(code))


def _bloc_party(token: str, bloc: Bloc) -> Party:
    return Party(token=token, kind="bloc", code=bloc.key, name=bloc.name, bloc=bloc)


def resolve_party(token: str, extra: Mapping[str, Bloc] | None = None) -> Party:
    """A state or a bloc from user input (rules in the module docstring)."""
    raw = str(token).strip()
    low = raw.casefold()
    if low.startswith("bloc:"):
        return _bloc_party(raw, get_bloc(raw[5:].strip(), extra))
    if low.startswith("state:"):
        return _state_party(raw, st.lookup(raw[6:].strip()))
    if re.fullmatch(r"[A-Za-z]{2,3}", raw):
        # a code that is both a state's and a bloc's (NAM: Namibia or the Non-Aligned
        # Movement; EC: Ecuador or the European Community) is never read one way silently
        try:
            code = st.lookup(raw)
        except UnknownStateError:
            code = None
        try:
            bloc = get_bloc(raw, extra)
        except UnknownBlocError:
            bloc = None
        # a bloc whose own key is the token wins over a state's ISO-2 code (AU: the African
        # Union, not Australia); a state's three-letter code never does (NAM)
        if bloc is not None and len(raw) == 2 and bloc.key.casefold() == raw.casefold():
            code = None
        if code is not None and bloc is not None:
            err = UnknownBlocError(
                f"{raw!r} is ambiguous: the state {code} ({st.name(code)}) or the bloc "
                f"{bloc.name}; write state:{code} or bloc:{bloc.key}")
            err.candidates = [f"state:{code}", f"bloc:{bloc.key}"]  # type: ignore[attr-defined]
            raise err
        if code == raw.upper() and len(raw) == 3:
            return _state_party(raw, code)
    try:
        return _bloc_party(raw, get_bloc(raw, extra))
    except UnknownBlocError as exc:
        bloc_err = exc
    try:
        return _state_party(raw, st.lookup(raw))
    except UnknownStateError as exc:
        state_cands = list(exc.candidates)
        bloc_cands = list(getattr(bloc_err, "candidates", []))
        if "ambiguous" in str(exc):
            msg = str(exc)
        else:
            msg = f"{raw!r} is neither a known state nor a known bloc"
            if state_cands:
                shown = ", ".join(f"{c} ({st.name(c)})" for c in state_cands[:6])
                msg += f"; states: did you mean {shown}?"
        if bloc_cands:
            msg += f"; blocs: did you mean {', '.join(bloc_cands)}?"
        elif not state_cands:
            msg += " (list the blocs with `comity blocs`)"
        raise UnknownStateError(
            msg, spellings=[raw], candidates=state_cands + [f"bloc:{k}" for k in bloc_cands]
        ) from None


def _extra_blocs(blocs_file: str | Path | Mapping[str, Bloc] | None) -> dict[str, Bloc] | None:
    if blocs_file is None:
        return None
    if isinstance(blocs_file, Mapping):
        return dict(blocs_file)
    return load_bloc_file(blocs_file)


def _self_codes(code: str, strict: bool) -> set[str]:
    """The code and, unless strict, its lineage predecessors (whose votes fill its row)."""
    if strict:
        return {code}
    try:
        return {c for c, _, _ in st.lineage(code)}
    except UnknownStateError:
        return {code}


# ----------------------------------------------------------------------------------- options
def _measures(measure: str | Sequence[str]) -> tuple[str, ...]:
    names = [measure] if isinstance(measure, str) else list(measure)
    canon = {m.casefold(): m for m in MEASURES}
    out: list[str] = []
    for m in names:
        for part in str(m).split(","):
            part = part.strip()
            if part:
                out.append(canon.get(part.casefold(), part))
    return _check_measures(tuple(dict.fromkeys(out)))


def _body(body: str | None) -> str:
    text = "both" if body is None else " ".join(str(body).casefold().split())
    table = {"ga": "GA", "general assembly": "GA", "sc": "SC", "security council": "SC",
             "both": "BOTH", "all": "BOTH", "ga+sc": "BOTH"}
    if text not in table:
        raise AlignmentError(f"unknown body {body!r}; expected 'GA', 'SC' or 'both'")
    return table[text]


def _bound(value: Any, side: Literal["start", "end"]) -> pd.Timestamp | None:
    """A query bound: a year (``2010`` -> 1 January / 31 December), ``YYYY-MM`` or a date."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        text = f"{int(value):04d}"
    elif isinstance(value, (date, datetime, pd.Timestamp, np.datetime64)):
        return pd.Timestamp(value).normalize()
    else:
        text = str(value).strip()
    try:
        if re.fullmatch(r"\d{4}", text):
            y = int(text)
            return pd.Timestamp(y, 1, 1) if side == "start" else pd.Timestamp(y, 12, 31)
        if re.fullmatch(r"\d{4}-\d{1,2}", text):
            ts = pd.Timestamp(text + "-01")
            return ts if side == "start" else ts + pd.offsets.MonthEnd(0)
        ts = pd.Timestamp(text)
    except (ValueError, TypeError):
        ts = None
    if ts is None or pd.isna(ts):
        raise AlignmentError(
            f"cannot read {side} {value!r} as a date (expected a year like 2010 or YYYY-MM-DD)"
        )
    return ts.normalize()


@dataclass(frozen=True)
class _Query:
    body: str
    lo: pd.Timestamp | None
    hi: pd.Timestamp | None
    session: tuple[int, ...] | None
    issue: str | None
    important: bool | None
    search: str | None
    strict: bool
    topic: tuple[str, ...] | None = None

    def describe(self) -> dict[str, Any]:
        out = {
            "body": self.body if self.body != "BOTH" else "both",
            "start": None if self.lo is None else self.lo.date().isoformat(),
            "end": None if self.hi is None else self.hi.date().isoformat(),
            "session": None if self.session is None else list(self.session),
            "issue": self.issue,
            "important": self.important,
            "search": self.search,
            "strict": self.strict,
        }
        if self.topic is not None:  # only for keyword topics (claims), so other keys stay
            out["topic"] = list(self.topic)
        return out


def _query(
    *, body: str | None, start: Any, end: Any, session: int | Sequence[int] | None,
    issue: str | None, important: bool | None, search: str | None, strict: bool,
    topic: Sequence[str] | None = None,
) -> _Query:
    lo, hi = _bound(start, "start"), _bound(end, "end")
    if lo is not None and hi is not None and lo > hi:
        raise AlignmentError(f"start {lo.date()} is after end {hi.date()}")
    if session is None:
        sessions = None
    elif isinstance(session, (int, np.integer)):
        sessions = (int(session),)
    else:
        sessions = tuple(int(s) for s in session)
    return _Query(body=_body(body), lo=lo, hi=hi, session=sessions, issue=issue_code(issue),
                  important=None if important is None else bool(important),
                  search=search or None, strict=bool(strict),
                  topic=tuple(topic) if topic else None)


# ----------------------------------------------------------------------------------- data
def _open(store: Any) -> tuple[Store, bool]:
    from comity.store.db import Store

    if isinstance(store, Store):
        return store, False
    return Store(store, read_only=True), True


def _filter_panel(panel: Panel, q: _Query) -> Panel:
    """The query's slices applied in memory to a ready-made panel."""
    res = panel.resolutions
    m = np.ones(len(res), dtype=bool)
    if q.body != "BOTH" and "body" in res.columns:
        m &= (res["body"].astype(str).str.upper() == q.body).to_numpy()
    if (q.lo is not None or q.hi is not None) and "date" in res.columns:
        d = pd.to_datetime(res["date"])
        if q.lo is not None:
            m &= (d >= q.lo).to_numpy()
        if q.hi is not None:
            m &= (d <= q.hi).to_numpy()
    if q.session is not None:
        m &= res["session"].isin(q.session).to_numpy()
    if q.issue is not None:
        if "issues" not in res.columns:
            raise AlignmentError("this panel has no 'issues' column to slice by issue")
        ex = res["issues"].explode()
        m &= (ex == q.issue).groupby(level=0).any().reindex(res.index, fill_value=False)\
            .to_numpy()
    if q.important is not None:
        imp = res["important"].astype("boolean").fillna(False).to_numpy(dtype=bool)
        m &= imp == q.important
    if q.search:
        hit = np.zeros(len(res), dtype=bool)
        for col in ("title", "symbol"):
            if col in res.columns:
                hit |= res[col].astype(str).str.contains(q.search, case=False, regex=False)\
                    .to_numpy()
        m &= hit
    if q.topic:
        hit = np.zeros(len(res), dtype=bool)
        for col in ("title", "agenda", "subjects"):
            if col in res.columns:
                text = res[col].fillna("").astype(str)
                for word in q.topic:
                    hit |= text.str.contains(word, case=False, regex=False).to_numpy()
        m &= hit
    return panel if m.all() else panel.select_resolutions(m)


def _rows_panel(panel: Panel, rows: Sequence[str]) -> Panel:
    """``panel`` restricted to ``rows`` in that order; codes not in it get non-member rows."""
    have = {s: i for i, s in enumerate(panel.states)}
    votes = np.full((len(rows), panel.n_resolutions), NONMEMBER, dtype=np.int8)
    flagged = None if panel.flagged is None else np.zeros(votes.shape, dtype=bool)
    for k, code in enumerate(rows):
        i = have.get(code)
        if i is not None:
            votes[k] = panel.votes[i]
            if flagged is not None and panel.flagged is not None:
                flagged[k] = panel.flagged[i]
    return Panel(votes=votes, states=tuple(rows), resolutions=panel.resolutions,
                 flagged=flagged, meta=dict(panel.meta))


def _load(store: Any, panel: Panel | None, rows: Sequence[str] | None, q: _Query,
          predicted_issues: bool = True) -> Panel:
    """The vote matrix of ``rows`` (None: every stored state) for the query (an issue slice
    takes the classifier's stored predictions where Voeten has not coded, unless
    ``predicted_issues`` is False: :meth:`comity.store.db.Store.panel`)."""
    if panel is not None:
        p = _filter_panel(panel, q)
        return p if rows is None else _rows_panel(p, rows)
    known = set(st.states_table()["code"])
    wanted = None if rows is None else [r for r in rows if r in known]
    s, owned = _open(store)
    try:
        p = s.panel(
            body=q.body, start=None if q.lo is None else q.lo.date().isoformat(),
            end=None if q.hi is None else q.hi.date().isoformat(), session=q.session,
            issue=q.issue, important=q.important, search=q.search, topic=q.topic,
            states=wanted,
            strict=q.strict, predicted_issues=predicted_issues,
        )
    finally:
        if owned:
            s.close()
    if rows is not None and wanted != list(rows):
        p = _rows_panel(p, rows)
    return p


def _require_votes(p: Panel, q: _Query) -> None:
    if p.n_resolutions == 0:
        desc = {k: v for k, v in q.describe().items() if v not in (None, False)}
        raise AlignmentError(f"no recorded votes match the query {desc}")


# ----------------------------------------------------------------------------------- periods
def _dates(res: pd.DataFrame) -> np.ndarray:
    return pd.to_datetime(res["date"]).to_numpy().astype("datetime64[D]")


def _table(labels: Sequence[Any], starts: Sequence[Any], ends: Sequence[Any]) -> pd.DataFrame:
    return pd.DataFrame({
        "period": list(labels),
        "start": pd.to_datetime(pd.Series(list(starts), dtype="datetime64[ns]")),
        "end": pd.to_datetime(pd.Series(list(ends), dtype="datetime64[ns]")),
    })


def _clip(lo_default: np.ndarray, hi_default: np.ndarray, q: _Query) -> tuple[Any, Any]:
    lo = lo_default.astype("datetime64[ns]")
    hi = hi_default.astype("datetime64[ns]")
    if q.lo is not None:
        lo = np.maximum(lo, np.datetime64(q.lo.to_datetime64(), "ns"))
    if q.hi is not None:
        hi = np.minimum(hi, np.datetime64(q.hi.to_datetime64(), "ns"))
    return lo, hi


def _windows(d: np.ndarray, labels: Sequence[Any], lo: np.ndarray, hi: np.ndarray
             ) -> tuple[np.ndarray, np.ndarray, pd.DataFrame]:
    """Columns and window codes for (possibly overlapping) windows ``[lo, hi]`` (inclusive)."""
    dd = d.astype("datetime64[D]")
    lo_d = np.asarray(lo).astype("datetime64[D]")
    hi_d = np.asarray(hi).astype("datetime64[D]")
    inside = (dd[None, :] >= lo_d[:, None]) & (dd[None, :] <= hi_d[:, None])
    group, cols = np.nonzero(inside)  # ordered by window, then column
    return cols, group, _table(labels, lo_d, hi_d)


def _assign_periods(res: pd.DataFrame, period: Any, q: _Query
                    ) -> tuple[np.ndarray, np.ndarray, pd.DataFrame]:
    """``(cols, group, table)``: column ``cols[k]`` of the panel belongs to period
    ``group[k]``, described by row ``group[k]`` of ``table`` (``period, start, end``)."""
    d = _dates(res)
    valid = ~np.isnat(d)
    if isinstance(period, str):
        p = period.strip().casefold()
        m = re.fullmatch(r"rolling[:=_ ]?(\d+)", p)
        if m:
            return _assign_periods(res, {"rolling": int(m.group(1))}, q)
        if p == "year":
            years = d[valid].astype("datetime64[Y]").astype(np.int64) + 1970
            uniq, inv = np.unique(years, return_inverse=True)
            lo, hi = _clip(
                (uniq - 1970).astype("datetime64[Y]").astype("datetime64[D]"),
                (uniq - 1969).astype("datetime64[Y]").astype("datetime64[D]")
                - np.timedelta64(1, "D"), q)
            return np.flatnonzero(valid), inv, _table(uniq.astype(int).tolist(), lo, hi)
        if p == "session":
            if "body" in res.columns and res["body"].nunique() > 1:
                raise AlignmentError(
                    "period='session' with body='both' would mix GA session numbers and SC "
                    "years; use period='year' or one body")
            sess = res["session"].to_numpy()
            ok = valid & pd.notna(sess)
            uniq, inv = np.unique(sess[ok].astype(np.int64), return_inverse=True)
            dd = d[ok]
            order = np.lexsort((dd, inv))
            bounds = np.searchsorted(inv[order], np.arange(len(uniq)))
            ends = np.r_[bounds[1:], len(order)] - 1
            first = dd[order][bounds]
            last = dd[order][ends]
            return np.flatnonzero(ok), inv, _table(uniq.tolist(), first, last)
        if p == "all":
            if not valid.any():
                return np.zeros(0, np.intp), np.zeros(0, np.intp), _table([], [], [])
            lo, hi = _clip(np.array([d[valid].min()]), np.array([d[valid].max()]), q)
            return np.flatnonzero(valid), np.zeros(int(valid.sum()), np.intp), \
                _table(["all"], lo, hi)
        raise AlignmentError(
            f"unknown period {period!r}; expected 'year', 'session', 'all', 'rolling:N', a "
            "(start, end) pair, a list of (label, start, end) windows or {'rolling': N}")
    if isinstance(period, Mapping):
        if "rolling" not in period or set(period) - {"rolling", "step"}:
            raise AlignmentError(
                f"a period mapping must be {{'rolling': years[, 'step': years]}}, got {period!r}")
        n, step = int(period["rolling"]), int(period.get("step", 1))
        if n < 1 or step < 1:
            raise AlignmentError(f"rolling windows need years >= 1 and step >= 1: {period!r}")
        if not valid.any():
            return np.zeros(0, np.intp), np.zeros(0, np.intp), _table([], [], [])
        years = d[valid].astype("datetime64[Y]").astype(np.int64) + 1970
        y0 = q.lo.year if q.lo is not None else int(years.min())
        y1 = q.hi.year if q.hi is not None else int(years.max())
        firsts = np.arange(y0, y1 - n + 2, step)
        if len(firsts) == 0:
            raise AlignmentError(
                f"no whole {n}-year window fits between {y0} and {y1}; widen the range or "
                "shorten the window")
        lo, hi = _clip(
            (firsts - 1970).astype("datetime64[Y]").astype("datetime64[D]"),
            (firsts + n - 1970).astype("datetime64[Y]").astype("datetime64[D]")
            - np.timedelta64(1, "D"), q)
        labels = [f"{y}-{y + n - 1}" for y in firsts.tolist()]
        return _windows(d, labels, lo, hi)
    if isinstance(period, tuple) and len(period) == 2 and not isinstance(period[0], tuple):
        lo, hi = _bound(period[0], "start"), _bound(period[1], "end")
        if lo is None or hi is None or lo > hi:
            raise AlignmentError(f"bad window {period!r}: expected (start, end), start <= end")
        label = f"{lo.date().isoformat()}/{hi.date().isoformat()}"
        return _windows(d, [label], np.array([lo.to_datetime64()]),
                        np.array([hi.to_datetime64()]))
    if isinstance(period, Sequence) and not isinstance(period, (str, bytes)):
        labels, los, his = [], [], []
        for w in period:
            if not (isinstance(w, Sequence) and len(w) in (2, 3)):
                raise AlignmentError(
                    f"bad window {w!r}: expected (label, start, end) or (start, end)")
            lab, s, e = (None, *w) if len(w) == 2 else w
            lo, hi = _bound(s, "start"), _bound(e, "end")
            if lo is None or hi is None or lo > hi:
                raise AlignmentError(f"bad window {w!r}: start must be on or before end")
            labels.append(f"{lo.date().isoformat()}/{hi.date().isoformat()}" if lab is None
                          else lab)
            los.append(lo.to_datetime64())
            his.append(hi.to_datetime64())
        if not labels:
            raise AlignmentError("an empty list of windows")
        if len(set(map(str, labels))) != len(labels):
            raise AlignmentError(f"window labels must be unique: {labels}")
        return _windows(d, labels, np.array(los), np.array(his))
    raise AlignmentError(f"unknown period {period!r}")


def _describe_period(period: Any) -> Any:
    if isinstance(period, Mapping):
        return dict(period)
    if isinstance(period, tuple) and len(period) == 2 and not isinstance(period[0], tuple):
        return [str(period[0]), str(period[1])]
    if isinstance(period, Sequence) and not isinstance(period, str):
        return [[str(x) for x in w] for w in period]
    return period


# ----------------------------------------------------------------------------------- blocs
def bloc_position(votes: np.ndarray, member: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A bloc's majority position per resolution, as a synthetic row of vote codes.

    ``votes``: int8 codes ``(members, resolutions)``; ``member``: boolean, same shape, True where
    the state belonged to the bloc on the date of the vote. Counts of Y, A, N among members
    voting (one vectorised pass), then the argmax. Returns ``(codes, tied)``: ``codes`` is 1/2/3
    for the bloc's position, 8 where members were in the UN but there is no position (none voted
    Y/A/N, or a tie for the top count: ``tied`` is True there) and 9 where no member was in the
    UN.
    """
    v = np.asarray(votes)
    mem = np.asarray(member, dtype=bool)
    if v.shape != mem.shape:
        raise ValueError(f"votes {v.shape} and member {mem.shape} differ in shape")
    counts = np.stack([((v == k) & mem).sum(axis=0) for k in (YES, ABSTAIN, NO)])  # (3, R)
    present = (mem & (v != NONMEMBER)).any(axis=0)
    top = counts.max(axis=0) if v.shape[1] else np.zeros(0, np.int64)
    n_top = (counts == top[None, :]).sum(axis=0)
    tied = (top > 0) & (n_top > 1)
    pos = (counts.argmax(axis=0) + 1) if v.shape[1] else np.zeros(0, np.int64)
    codes = np.where(top == 0, np.where(present, ABSENT, NONMEMBER),
                     np.where(tied, ABSENT, pos)).astype(np.int8)
    return codes, tied


def _member_block(p: Panel, bloc: Bloc, exclude: set[str]) -> tuple[np.ndarray, np.ndarray,
                                                                     list[str]]:
    """Votes ``(m, R)`` and dated membership ``(m, R)`` of the bloc's members in panel ``p``."""
    members = [c for c in bloc.ever_members() if c not in exclude]
    idx = [p.states.index(c) for c in members]
    votes = p.votes[idx].copy()
    if p.flagged is not None:
        # a member whose predecessor is a member too: the predecessor's votes count once
        ever = set(bloc.ever_members())
        for k, c in enumerate(members):
            preds = _self_codes(c, strict=False) - {c}
            if preds & ever:
                votes[k][p.flagged[idx[k]]] = NONMEMBER
    mem = bloc.membership_matrix(members, _dates(p.resolutions))
    return votes, mem, members
