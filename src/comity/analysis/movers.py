"""Who moved: the states whose alignment with a reference changed most between two periods
(:func:`movers`), and vote switches on recurring resolutions (:func:`vote_switches`).

The rules (windows, bloc positions, bootstrap, the recurring-text key) are documented in
:mod:`comity.analysis.shifts`, which re-exports both functions."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from comity.analysis.measures import (
    MEASURES,
    _check_distance,
    _compute,
    _onehot9,
    _pair_codes,
    _percentile_interval,
    _positions,
    _resample_weights,
)
from comity.analysis.query import (
    VOTE_LABELS,
    Party,
    _bound,
    _extra_blocs,
    _load,
    _member_block,
    _open,
    _query,
    _require_votes,
    _self_codes,
    resolve_party,
)
from comity.analysis.results import records
from comity.errors import ComityError, ShiftError
from comity.store.panel import ABSENT, ABSTAIN, NO, NONMEMBER, YES, Panel
from comity.world import states as st
from comity.world.blocs import Bloc
from comity.world.recurring import recurring_keys, whole_text_votes

if TYPE_CHECKING:

    from comity.store.db import Store


_YEARS = re.compile(r"^\s*(\d{4})\s*(?:-|–|\.\.)\s*(\d{4})\s*$")


def _window(spec: Any, name: str) -> tuple[pd.Timestamp, pd.Timestamp, str]:
    """(start, end, label) of a period spec (module docstring)."""
    lo = hi = None
    if isinstance(spec, tuple | list) and len(spec) == 2:
        lo, hi = _bound(spec[0], "start"), _bound(spec[1], "end")
    elif isinstance(spec, int | np.integer):
        lo, hi = _bound(int(spec), "start"), _bound(int(spec), "end")
    elif isinstance(spec, str):
        text = spec.strip()
        m = _YEARS.match(text)
        if m:
            lo, hi = _bound(int(m.group(1)), "start"), _bound(int(m.group(2)), "end")
        else:
            parts = re.split(r"\s*(?::|/|\.\.)\s*", text)
            if len(parts) == 2:
                lo, hi = _bound(parts[0], "start"), _bound(parts[1], "end")
            elif len(parts) == 1 and text:
                lo, hi = _bound(text, "start"), _bound(text, "end")
    if lo is None or hi is None:
        raise ShiftError(
            f"{name}: cannot read {spec!r} as a period (a year 2014, years '2014-2016', or "
            "'2014-01-01:2016-12-31')")
    if lo > hi:
        raise ShiftError(f"{name}: start {lo.date()} is after end {hi.date()}")
    label = (str(lo.year) if lo.year == hi.year and (lo.month, lo.day, hi.month, hi.day)
             == (1, 1, 12, 31) else f"{lo.date()}/{hi.date()}")
    if lo.year != hi.year and (lo.month, lo.day, hi.month, hi.day) == (1, 1, 12, 31):
        label = f"{lo.year}-{hi.year}"
    return lo, hi, label


def _bloc_rows(base: Panel, bloc: Bloc, strict: bool, include_self: bool) -> np.ndarray:
    """(S, R) codes: the bloc's majority position as seen by each state of the panel (the state
    and its lineage left out of the bloc unless ``include_self``). Vectorised: the members' Y/A/N
    counts once, minus each state's own contribution."""
    v, mem, members = _member_block(base, bloc, set())
    onehot = np.stack([((v == k) & mem) for k in (YES, ABSTAIN, NO)]).astype(np.int32)
    counts = onehot.sum(axis=1)  # (3, R)
    pres = (mem & (v != NONMEMBER)).astype(np.int32)
    n_present = pres.sum(axis=0)
    s = base.n_states
    own = np.zeros((s, len(members)), dtype=np.int32)
    if not include_self:
        pos = {c: j for j, c in enumerate(members)}
        for i, code in enumerate(base.states):
            for c in _self_codes(code, strict):
                j = pos.get(c)
                if j is not None:
                    own[i, j] = 1
    c_s = counts[None, :, :] - np.einsum("sj,kjr->skr", own, onehot)  # (S, 3, R)
    present = (n_present[None, :] - own @ pres) > 0
    top = c_s.max(axis=1)
    n_top = (c_s == top[:, None, :]).sum(axis=1)
    pos_ = c_s.argmax(axis=1) + 1
    codes = np.where(top == 0, np.where(present, ABSENT, NONMEMBER),
                     np.where(n_top > 1, ABSENT, pos_))
    return codes.astype(np.int8)


def _window_stats(codes: np.ndarray, cols: np.ndarray, measure: str, dist: np.ndarray,
                  min_votes: int, bootstrap: int, rng: np.random.Generator
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Point values (S,), their n (S,) and bootstrap draws (B, S) of one window."""
    c = codes[:, cols]
    s = c.shape[0]
    ok = c >= 0
    flat = (np.nonzero(ok)[0] * 9 + c[ok]).astype(np.intp)
    tables = np.bincount(flat, minlength=s * 9).reshape(s, 9).astype(np.float64)
    vals, ns = _compute(tables.reshape(-1, 3, 3), (measure,), dist, min_votes)
    draws = np.full((max(bootstrap, 0), s), np.nan)
    if bootstrap and len(cols):
        w = _resample_weights(rng, bootstrap, len(cols))
        h = _onehot9(c)  # (R_w, S*9)
        bt = (w @ h).reshape(bootstrap * s, 3, 3)
        bv, _ = _compute(bt, (measure,), dist, min_votes)
        draws = bv.reshape(bootstrap, s)
    return vals[:, 0], ns[:, 0], draws


@dataclass(frozen=True, eq=False)
class MoversResult:
    """States ranked by the change of their alignment with a reference between two periods.

    ``frame``: ``rank, state, name, value_a, lo_a, hi_a, n_a, value_b, lo_b, hi_b, n_b, change,
    lo, hi, significant, direction`` for every state with a value in both periods, by
    ``|change|`` descending. ``ideal``: the same ranking by ideal point (``state, name,
    estimate_a, estimate_b, change, lo, hi, significant``), or None without a cached fit.
    """

    frame: pd.DataFrame
    reference: Party
    query: Mapping[str, Any]
    ideal: pd.DataFrame | None = None

    def to_frame(self) -> pd.DataFrame:
        return self.frame.copy()

    def top(self, n: int | None = None) -> pd.DataFrame:
        k = int(self.query["top"] if n is None else n)
        return self.frame.head(k).copy()

    def to_dict(self, top: int | None = None) -> dict[str, Any]:
        """JSON-ready: ``{"query", "reference", "movers": [...], "ideal": [...] | None}``."""
        k = int(self.query["top"] if top is None else top)
        return {"query": dict(self.query), "reference": self.reference.describe(),
                "movers": records(self.frame.head(k)),
                "ideal": None if self.ideal is None else records(self.ideal.head(k))}

    def summary(self) -> str:
        q = self.query
        lines = [f"Biggest movers relative to {self.reference.name} ({self.reference.code}), "
                 f"{q['measure']}: {q['period_a']} -> {q['period_b']} "
                 f"({q['n_resolutions_a']} and {q['n_resolutions_b']} votes)"]
        for r in self.top().itertuples(index=False):
            ci = "" if not np.isfinite(r.lo) else f" [{r.lo:+.3f}, {r.hi:+.3f}]"
            lines.append(f"  {r.rank:>3}. {r.state} {r.name}: {r.value_a:.3f} -> "
                         f"{r.value_b:.3f} ({r.change:+.3f}{ci}) {r.direction}")
        if self.ideal is not None:
            lines.append(f"  ideal points ({q['ideal']}): biggest change "
                         + ", ".join(f"{r.state} {r.change:+.2f}"
                                     for r in self.ideal.head(5).itertuples(index=False)))
        return "\n".join(lines)


def _stored_codes(store: Any) -> list[str]:
    s, owned = _open(store)
    try:
        got = s.query("SELECT DISTINCT state FROM votes ORDER BY state")
    finally:
        if owned:
            s.close()
    return [str(c) for c in got["state"]]


def _movers_rows(store: Any, panel: Panel | None, ref: Party, strict: bool) -> list[str]:
    """Rows of the movers panel: every stored state, a predecessor merged into its successor
    (lineage) unless ``strict``, plus the members of a bloc reference."""
    if panel is not None:
        rows = list(panel.states)
    else:
        known = set(st.states_table()["code"])
        stored = [c for c in _stored_codes(store) if c in known]
        pm = st.predecessor_map()
        merged = set() if strict else {pm[c] for c in stored if c in pm}
        rows = [c for c in stored if c not in merged]
    if ref.bloc is not None:
        rows.extend(c for c in ref.bloc.ever_members() if c not in rows)
    elif ref.code not in rows:
        rows.append(ref.code)
    return rows


def _ideal_movers(store: Any, name: str | None, lo_a: pd.Timestamp, hi_a: pd.Timestamp,
                  lo_b: pd.Timestamp, hi_b: pd.Timestamp) -> tuple[pd.DataFrame | None,
                                                                   str | None]:
    """Ranking by the change of cached ideal points (module docstring); (None, None) without a
    cached fit."""
    try:
        from comity.analysis.fitstore import load_fit
    except ImportError:  # pragma: no cover
        return None, None
    s, owned = _open(store)
    try:
        con = s.con
        has = con.execute("SELECT count(*) FROM information_schema.tables "
                          "WHERE table_name = 'ideal_points'").fetchall()[0][0]
        if not has:
            return None, None
        if name is None:
            got = con.execute("SELECT name FROM ideal_points GROUP BY name "
                              "ORDER BY max(fitted_at) DESC LIMIT 1").fetchall()
            if not got:
                return None, None
            name = str(got[0][0])
        model = load_fit(s, name)
    finally:
        if owned:
            s.close()
    if model is None:
        return None, None
    ip = model.ideal_points_
    ip = ip[ip["dim"] == ip["dim"].min()]
    kind = str(getattr(model, "cache_meta_", {}).get("period_kind", "year"))
    year = ip["period"].to_numpy() + (1945 if kind == "session" else 0)

    def side(lo: pd.Timestamp, hi: pd.Timestamp) -> pd.DataFrame:
        sel = ip[(year >= lo.year) & (year <= hi.year)]
        return sel.groupby("state").agg(estimate=("estimate", "mean"), se=("se", "mean"))

    a, b = side(lo_a, hi_a), side(lo_b, hi_b)
    j = a.add_suffix("_a").join(b.add_suffix("_b"), how="inner")\
        .dropna(subset=["estimate_a", "estimate_b"])
    if j.empty:
        return None, name
    change = j["estimate_b"] - j["estimate_a"]
    half = 1.959964 * np.sqrt(j["se_a"] ** 2 + j["se_b"] ** 2)
    out = pd.DataFrame({
        "state": j.index.astype(str), "name": _names(j.index.astype(str)),
        "estimate_a": j["estimate_a"].to_numpy(), "estimate_b": j["estimate_b"].to_numpy(),
        "change": change.to_numpy(), "lo": (change - half).to_numpy(),
        "hi": (change + half).to_numpy()})
    out["significant"] = (out["lo"] > 0) | (out["hi"] < 0)
    out = out.iloc[np.argsort(-np.abs(out["change"].to_numpy()), kind="stable")]
    return out.reset_index(drop=True), name


def _name(code: str) -> str:
    try:
        return st.name(code)
    except ComityError:
        return code


def _names(codes: Any) -> np.ndarray:
    """Names of many codes (each distinct code looked up once)."""
    arr = np.asarray(codes, dtype=object)
    uniq, inv = np.unique(arr.astype(str), return_inverse=True)
    return np.array([_name(c) for c in uniq], dtype=object)[inv] if len(arr) else arr


def movers(
    reference: str,
    period_a: Any,
    period_b: Any,
    *,
    measure: str = "agreement",
    top: int = 10,
    bootstrap: int = 1000,
    seed: int | None = None,
    ci: float = 0.95,
    min_votes: int = 10,
    body: str = "GA",
    issue: str | None = None,
    important: bool | None = None,
    strict: bool = False,
    include_self: bool = False,
    distance: Literal["absolute", "squared"] = "absolute",
    ideal: str | None = "auto",
    predicted_issues: bool = True,
    store: Store | str | Path | None = None,
    panel: Panel | None = None,
    blocs_file: str | Path | Mapping[str, Bloc] | None = None,
) -> MoversResult:
    """The states whose alignment with ``reference`` (a state or bloc) changed most between
    ``period_a`` and ``period_b``, with bootstrap intervals (module docstring).

    ``ideal``: ``"auto"`` (the latest cached ideal-point fit, if any), a fit name, or None
    (with ``panel``, cached fits are looked up only when ``store`` is given too).
    """
    if measure not in MEASURES:
        raise ShiftError(f"unknown measure {measure!r}; expected one of {list(MEASURES)}")
    if int(bootstrap) < 0 or not 0 < ci < 1 or int(min_votes) < 0 or int(top) < 1:
        raise ShiftError("bootstrap >= 0, 0 < ci < 1, min_votes >= 0 and top >= 1 required")
    dist = _check_distance(distance)
    lo_a, hi_a, lab_a = _window(period_a, "period_a")
    lo_b, hi_b, lab_b = _window(period_b, "period_b")
    q = _query(body=body, start=min(lo_a, lo_b), end=max(hi_a, hi_b), session=None,
               issue=issue, important=important, search=None, strict=strict)
    ref = resolve_party(reference, _extra_blocs(blocs_file))
    rows = _movers_rows(store, panel, ref, q.strict)
    base = _load(store, panel, rows, q, predicted_issues=predicted_issues)
    _require_votes(base, q)
    pos = _positions(base.votes)
    if ref.is_bloc:
        assert ref.bloc is not None
        ref_pos = _positions(_bloc_rows(base, ref.bloc, q.strict, include_self))
    else:
        ref_pos = np.broadcast_to(pos[base.states.index(ref.code)], pos.shape)
    codes = _pair_codes(ref_pos, pos)  # (S, R)
    keep = np.ones(base.n_states, dtype=bool)
    if not ref.is_bloc:
        keep &= ~np.isin(np.asarray(base.states), list(_self_codes(ref.code, q.strict)))
    d = pd.to_datetime(base.resolutions["date"])
    cols_a = np.flatnonzero(((d >= lo_a) & (d <= hi_a)).to_numpy())
    cols_b = np.flatnonzero(((d >= lo_b) & (d <= hi_b)).to_numpy())
    if len(cols_a) == 0 or len(cols_b) == 0:
        empty = lab_a if len(cols_a) == 0 else lab_b
        raise ShiftError(f"no recorded vote of the query falls in period {empty}")
    rng = np.random.default_rng(seed)
    b = int(bootstrap)
    va, na, da = _window_stats(codes, cols_a, measure, dist, int(min_votes), b, rng)
    vb, nb, db = _window_stats(codes, cols_b, measure, dist, int(min_votes), b, rng)
    lo_va, hi_va = _percentile_interval(da, ci) if b else (np.full_like(va, np.nan),) * 2
    lo_vb, hi_vb = _percentile_interval(db, ci) if b else (np.full_like(vb, np.nan),) * 2
    change = vb - va
    lo_c, hi_c = _percentile_interval(db - da, ci) if b else (np.full_like(va, np.nan),) * 2
    ok = keep & np.isfinite(change)
    lo_c = np.where(np.isfinite(change), lo_c, np.nan)
    hi_c = np.where(np.isfinite(change), hi_c, np.nan)
    states = np.asarray(base.states, dtype=object)
    frame = pd.DataFrame({
        "state": states, "name": _names(states),
        "value_a": va, "lo_a": lo_va, "hi_a": hi_va, "n_a": na.astype(np.int64),
        "value_b": vb, "lo_b": lo_vb, "hi_b": hi_vb, "n_b": nb.astype(np.int64),
        "change": change, "lo": lo_c, "hi": hi_c,
    })[ok]
    frame["significant"] = (frame["lo"] > 0) | (frame["hi"] < 0)
    frame["direction"] = np.where(frame["change"] >= 0, "toward", "away")
    frame = frame.iloc[np.lexsort((frame["state"].to_numpy(),
                                   -np.abs(frame["change"].to_numpy())))]
    frame.insert(0, "rank", np.arange(1, len(frame) + 1))
    frame = frame.reset_index(drop=True)
    ideal_frame, ideal_name = (None, None)
    if ideal is not None and (panel is None or store is not None):
        ideal_frame, ideal_name = _ideal_movers(
            store, None if ideal == "auto" else ideal, lo_a, hi_a, lo_b, hi_b)
    query = {
        "reference": reference, "period_a": lab_a, "period_b": lab_b,
        "start_a": lo_a.date().isoformat(), "end_a": hi_a.date().isoformat(),
        "start_b": lo_b.date().isoformat(), "end_b": hi_b.date().isoformat(),
        "body": q.describe()["body"], "issue": q.issue, "important": q.important,
        "strict": q.strict, "measure": measure, "top": int(top), "bootstrap": b, "seed": seed,
        "ci": ci, "min_votes": int(min_votes), "distance": distance,
        "include_self": bool(include_self), "ideal": ideal_name,
        "n_resolutions_a": len(cols_a), "n_resolutions_b": len(cols_b),
    }
    return MoversResult(frame=frame, reference=ref, query=query, ideal=ideal_frame)


# ========================================================================= recurring / switches
# the grouping rule lives in comity.world.recurring (also used by the store's recurring_key)
def _with_agenda(res: pd.DataFrame, store: Any) -> pd.DataFrame:
    """Add the ``agenda`` column (Store.panel does not carry it)."""
    if "agenda" in res.columns or store is None:
        return res
    s, owned = _open(store)
    try:
        ag = s.query("SELECT rid, agenda FROM resolutions")
    finally:
        if owned:
            s.close()
    return res.merge(ag, on="rid", how="left")


def recurring_series(resolutions: pd.DataFrame, *, max_gap: int = 3) -> pd.DataFrame:
    """Pairs of consecutive occurrences of recurring texts.

    One row per occurrence that has a previous occurrence of its key at most ``max_gap``
    sessions earlier: ``key, col_before, col_after`` (row positions in ``resolutions``),
    ``session_before, session_after``. Keys repeated within a session (ambiguous) and votes
    on amendments or paragraphs are left out (module docstring).
    """
    res = resolutions.reset_index(drop=True)
    keys = recurring_keys(res)
    ok = whole_text_votes(res) & (keys != "").to_numpy() & res["session"].notna().to_numpy()
    f = pd.DataFrame({"key": keys[ok].to_numpy(), "session": res["session"][ok].astype(int)
                      .to_numpy(), "col": np.flatnonzero(ok)})
    dup = f.duplicated(["key", "session"], keep=False)
    f = f[~dup.to_numpy()].sort_values(["key", "session"], kind="stable")
    prev_key = f["key"].shift(1)
    prev_sess = f["session"].shift(1)
    prev_col = f["col"].shift(1)
    gap = f["session"] - prev_sess
    m = (f["key"] == prev_key) & (gap >= 1) & (gap <= int(max_gap))
    out = pd.DataFrame({
        "key": f["key"][m].to_numpy(),
        "col_before": prev_col[m].astype(np.int64).to_numpy(),
        "col_after": f["col"][m].to_numpy(),
        "session_before": prev_sess[m].astype(np.int64).to_numpy(),
        "session_after": f["session"][m].to_numpy(),
    })
    return out


def _link(link: Any, symbol: Any) -> str | None:
    if isinstance(link, str) and link:
        return link
    if isinstance(symbol, str) and symbol.startswith(("A/", "S/")):
        return f"https://undocs.org/en/{symbol}"
    return None


@dataclass(frozen=True, eq=False)
class SwitchResult:
    """Vote switches on recurring resolutions.

    ``frame``: ``state, name, key, title, session_before, symbol_before, date_before,
    vote_before, link_before, session_after, symbol_after, date_after, vote_after, link_after,
    change`` (e.g. ``"Y->N"``), ``shift`` (``vote_after - vote_before`` on Y=1, A=2, N=3; NaN
    when an X is involved); ordered by the later date, then key, then state. ``pairs``: the
    number of recurring pairs compared.
    """

    frame: pd.DataFrame
    query: Mapping[str, Any]
    pairs: int

    def to_frame(self) -> pd.DataFrame:
        return self.frame.copy()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: ``{"query", "pairs", "n", "switches": [...]}``."""
        return {"query": dict(self.query), "pairs": int(self.pairs), "n": len(self.frame),
                "switches": records(self.frame)}

    def summary(self) -> str:
        q = self.query
        who = q["state"] or "every state"
        when = f" in session {q['session']}" if q["session"] is not None else ""
        when += f" in {q['year']}" if q["year"] is not None else ""
        lines = [f"Vote switches of {who} on recurring resolutions{when}: {len(self.frame)} "
                 f"switches over {self.pairs} recurring pairs"]
        for r in self.frame.head(20).itertuples(index=False):
            lines.append(f"  {r.state} {r.change}  {r.symbol_before} -> {r.symbol_after}  "
                         f"{str(r.title)[:70]}")
        if len(self.frame) > 20:
            lines.append(f"  ... {len(self.frame) - 20} more")
        return "\n".join(lines)


def vote_switches(
    state: str | None = None,
    session: int | None = None,
    *,
    year: int | None = None,
    body: str = "GA",
    include_absent: bool = False,
    max_gap: int = 3,
    strict: bool = False,
    store: Store | str | Path | None = None,
    panel: Panel | None = None,
) -> SwitchResult:
    """Where a state's vote on a recurring text changed from its previous occurrence.

    ``state``: one state (code or name; lineage applies unless ``strict``) or None (all);
    ``session`` / ``year``: only switches whose later vote is in that session / calendar year.
    Grouping rule and switch definition: module docstring.
    """
    if int(max_gap) < 1:
        raise ShiftError(f"max_gap must be at least 1, got {max_gap!r}")
    q = _query(body=body, start=None, end=None, session=None, issue=None, important=None,
               search=None, strict=strict)
    rows = None
    if state is not None:
        party = resolve_party(state)
        if party.is_bloc:
            raise ShiftError(f"{state!r} is a bloc; vote switches are listed for states")
        rows = [party.code]
    base = _load(store, panel, rows, q)
    _require_votes(base, q)
    res = _with_agenda(base.resolutions, store if panel is None else None)
    pairs = recurring_series(res, max_gap=max_gap)
    if session is not None:
        pairs = pairs[pairs["session_after"] == int(session)]
    if year is not None:
        yr = pd.to_datetime(res["date"]).dt.year.to_numpy()
        pairs = pairs[yr[pairs["col_after"].to_numpy()] == int(year)]
    cb = pairs["col_before"].to_numpy()
    ca = pairs["col_after"].to_numpy()
    v0 = base.votes[:, cb]
    v1 = base.votes[:, ca]
    valid = (YES, ABSTAIN, NO, ABSENT) if include_absent else (YES, ABSTAIN, NO)
    both = np.isin(v0, valid) & np.isin(v1, valid)
    si, pi = np.nonzero(both & (v0 != v1))
    order = np.lexsort((si, pi))
    si, pi = si[order], pi[order]
    lab = np.array([VOTE_LABELS.get(k, "?") for k in range(10)], dtype=object)
    vb, va = v0[si, pi], v1[si, pi]
    r0 = res.iloc[cb[pi]].reset_index(drop=True)
    r1 = res.iloc[ca[pi]].reset_index(drop=True)
    codes = np.asarray(base.states, dtype=object)[si]
    shift = np.where((vb <= NO) & (va <= NO), va.astype(float) - vb, np.nan)
    frame = pd.DataFrame({
        "state": codes, "name": _names(codes),
        "key": pairs["key"].to_numpy()[pi],
        "title": r1["title"].to_numpy(),
        "session_before": pairs["session_before"].to_numpy()[pi],
        "symbol_before": r0["symbol"].to_numpy(),
        "date_before": pd.to_datetime(r0["date"]).to_numpy(),
        "vote_before": lab[vb],
        "link_before": [_link(lk, sy) for lk, sy in zip(
            r0.get("link", pd.Series([None] * len(r0))), r0["symbol"], strict=True)],
        "session_after": pairs["session_after"].to_numpy()[pi],
        "symbol_after": r1["symbol"].to_numpy(),
        "date_after": pd.to_datetime(r1["date"]).to_numpy(),
        "vote_after": lab[va],
        "link_after": [_link(lk, sy) for lk, sy in zip(
            r1.get("link", pd.Series([None] * len(r1))), r1["symbol"], strict=True)],
    })
    frame["change"] = frame["vote_before"] + "->" + frame["vote_after"]
    frame["shift"] = shift
    frame = frame.sort_values(["date_after", "key", "state"], kind="stable")\
        .reset_index(drop=True)
    query = {"state": None if rows is None else rows[0], "session": session, "year": year,
             "body": q.describe()["body"], "include_absent": bool(include_absent),
             "max_gap": int(max_gap), "strict": bool(strict)}
    return SwitchResult(frame=frame, query=query, pairs=len(pairs))
