"""The paired engine behind claim verdicts: the windows a claim compares, each party's
positions on their votes (a bloc's majority), and one bootstrap over resolutions that
recomputes every measure on the same resample (paired), with leave-one-out contributions.

The rules are documented in :mod:`comity.claims.evaluation`."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from comity.analysis.measures import (
    MEASURES,
    _compute,
    _onehot9,
    _percentile_interval,
    _positions,
    _resample_weights,
)
from comity.analysis.query import (
    Party,
    _body,
    _load,
    _member_block,
    _open,
    _query,
    _self_codes,
    bloc_position,
    latest_complete_year,
)
from comity.claims.grammar import (
    ClaimError,
    Period,
)
from comity.store.panel import ABSTAIN, NO, YES, Panel
from comity.world.blocs import Bloc

if TYPE_CHECKING:

    pass


_DIST = np.abs(np.subtract.outer(np.arange(3.0), np.arange(3.0)))
_YAN_MS = tuple(m for m in MEASURES if m != "coincidence")  # on the votes all cast Y/A/N
_ORDER = np.array([(*_YAN_MS, "coincidence").index(m) for m in MEASURES])
_MIN_MEMBERS = 2
_TOP_REMOVED = 5
# ------------------------------------------------------------------------------------ context
@dataclass(frozen=True)
class _Window:
    role: str
    label: str
    start: pd.Timestamp | None
    end: pd.Timestamp | None
    session: int | None = None


class _Ctx:
    """The data a claim is evaluated on: a store (opened once) or an in-memory panel."""

    def __init__(self, store: Any, panel: Panel | None, body: str, issue: str | None,
                 extra: dict[str, Bloc] | None, topic: tuple[str, ...] | None = None) -> None:
        self.panel = panel
        self.body = _body(body)
        self.issue = issue
        self.topic = topic
        self.extra = extra
        self.store: Any = None
        self.owned = False
        if panel is None:
            self.store, self.owned = _open(store)
        self._last: pd.Timestamp | None = None
        self._have_last = False

    def close(self) -> None:
        if self.owned and self.store is not None:
            self.store.close()

    def load(self, rows: Sequence[str] | None, win: _Window, strict: bool = False) -> Panel:
        q = _query(body=self.body, start=win.start, end=win.end, session=win.session,
                   issue=self.issue, important=None, search=None, strict=strict,
                   topic=self.topic)
        return _load(self.store, self.panel, None if rows is None else list(rows), q)

    def last_date(self, body: str | None = None) -> pd.Timestamp | None:
        """The date of the last recorded vote of the body (any issue; ``body``: another
        body than the claim's)."""
        b = self.body if body is None else body
        if b == self.body and self._have_last:
            return self._last
        if self.panel is not None:
            res = self.panel.resolutions
            if b != "BOTH" and "body" in res.columns:
                res = res[res["body"].astype(str).str.upper() == b]
            d = pd.to_datetime(res["date"]).max() if len(res) else None
        else:
            where = "adoption = 'recorded'" + ("" if b == "BOTH" else " AND body = ?")
            got = self.store.query(f"SELECT max(date) AS d FROM resolutions WHERE {where}",
                                   [] if b == "BOTH" else [b])
            d = got["d"].iloc[0] if len(got) else None
        last = None if d is None or pd.isna(d) else pd.Timestamp(d).normalize()
        if b == self.body:
            self._last, self._have_last = last, True
        return last

    def symbols(self) -> set[str]:
        """The symbols of every recorded vote the data holds (for the known-holes notes)."""
        if self.panel is not None:
            return set(self.panel.resolutions.get("symbol", pd.Series(dtype=str)).astype(str))
        got = self.store.query("SELECT DISTINCT symbol FROM resolutions WHERE symbol IS NOT "
                               "NULL")
        return set(got["symbol"].astype(str))


LATEST_DAYS = 365
"""'now': the latest 12 months of data (365 days ending on the last recorded vote)."""


def _window(period: Period, ctx: _Ctx, role: str) -> _Window:
    if period.kind == "session":
        return _Window(role, period.bare, None, None, period.session)
    if period.kind in ("latest", "now"):
        last = ctx.last_date()
        if last is None:
            raise ClaimError("the store holds no recorded votes")
        if period.kind == "now":
            start = last - pd.Timedelta(days=LATEST_DAYS - 1)
            return _Window(role, f"now: {start.date()} to {last.date()}", start, last)
        y = latest_complete_year(last)
        return _Window(role, f"{y} (latest complete year)", pd.Timestamp(y, 1, 1),
                       pd.Timestamp(y, 12, 31))
    assert period.start is not None
    start = pd.Timestamp(period.start)
    if period.kind == "since":
        last = ctx.last_date()
        end = start if last is None or last < start else last
        return _Window(role, period.bare, start, end)
    assert period.end is not None
    return _Window(role, period.bare, start, pd.Timestamp(period.end))


def _window_before(period: Period, after: _Window, ctx: _Ctx) -> _Window:
    """The window of the same length just before ``after`` (module docstring)."""
    if period.kind == "session":
        assert period.session is not None
        if period.session <= 1:
            raise ClaimError("there is no session before session 1; give the window to compare "
                             "with (from D1 to D2)")
        return _Window("before", f"session {period.session - 1}", None, None,
                       period.session - 1)
    assert after.start is not None and after.end is not None
    if period.kind in ("year", "years", "latest"):
        n = after.end.year - after.start.year + 1
        y0, y1 = after.start.year - n, after.start.year - 1
        label = str(y0) if n == 1 else f"{y0}-{y1}"
        return _Window("before", label, pd.Timestamp(y0, 1, 1), pd.Timestamp(y1, 12, 31))
    days = (after.end - after.start).days + 1
    end = after.start - pd.Timedelta(days=1)
    start = after.start - pd.Timedelta(days=days)
    return _Window("before", f"{start.date()} to {end.date()}", start, end)


def _rows(parties: Sequence[Party]) -> list[str]:
    rows: list[str] = []
    for p in parties:
        codes = p.bloc.ever_members() if p.bloc is not None else [p.code]
        rows.extend(c for c in codes if c not in rows)
    return rows


# --------------------------------------------------------------------------------- positions
@dataclass(frozen=True)
class _Side:
    """One party's row for one comparison: vote codes, ties and (blocs) members' Y/A/N."""

    party: Party
    codes: np.ndarray
    tied: np.ndarray
    split: np.ndarray | None  # (3, R) counts of Y, A, N among members


def _side(p: Panel, party: Party, other: Party | None) -> _Side:
    if not party.is_bloc:
        return _Side(party, p.votes[p.states.index(party.code)],
                     np.zeros(p.n_resolutions, dtype=bool), None)
    assert party.bloc is not None
    excl: set[str] = set()
    if other is not None and not other.is_bloc:
        excl = _self_codes(other.code, False) & set(party.bloc.ever_members())
    v, mem, _ = _member_block(p, party.bloc, excl)
    codes, tied = bloc_position(v, mem)
    split = np.stack([((v == k) & mem).sum(axis=0) for k in (YES, ABSTAIN, NO)])
    return _Side(party, codes, tied, split)


_VOTE_LABELS = np.array(["-", "Y", "A", "N", "X"], dtype=object)


def _labels(side: _Side, cols: np.ndarray) -> np.ndarray:
    pos = _positions(side.codes[cols]).astype(np.int64)
    out = _VOTE_LABELS[pos + 1]
    out[side.tied[cols]] = "tie"
    return out


def _split_text(side: _Side, cols: np.ndarray) -> np.ndarray | None:
    if side.split is None:
        return None
    s = side.split[:, cols].astype(np.int64)
    return pd.Series(s[0]).astype(str).str.cat([pd.Series(s[1]).astype(str),
                                                pd.Series(s[2]).astype(str)], sep="-")\
        .to_numpy(dtype=object)


# ---------------------------------------------------------------------------- paired engine
@dataclass(frozen=True)
class _Win:
    """One window of a paired comparison: pairs of sides and their cell codes."""

    window: _Window
    panel: Panel
    pairs: tuple[tuple[_Side, _Side], ...]
    cd: np.ndarray  # (P, R) cell codes where every side of every pair voted Y/A/N
    cc: np.ndarray  # (P, R) the same where every side voted Y or N (coincidence)

    @classmethod
    def build(cls, window: _Window, panel: Panel, pairs: Sequence[tuple[_Side, _Side]]) -> _Win:
        r = panel.n_resolutions
        if not pairs or r == 0:
            z = np.full((len(pairs), r), -1, dtype=np.int8)
            return cls(window, panel, tuple(pairs), z, z.copy())
        pos = np.stack([_positions(s.codes) for pair in pairs for s in pair])  # (2P, R)
        ok = ((pos >= 0) & (pos < 3)).all(axis=0)
        ok_c = ok & (pos != 1).all(axis=0)
        a, b = pos[0::2].astype(np.int16), pos[1::2].astype(np.int16)
        cell = 3 * a + b
        cd = np.where(ok[None, :], cell, -1).astype(np.int8)
        cc = np.where(ok_c[None, :], cell, -1).astype(np.int8)
        return cls(window, panel, tuple(pairs), cd, cc)

    def keep(self, mask: np.ndarray) -> _Win:
        def cut(s: _Side) -> _Side:
            return dataclasses.replace(s, codes=s.codes[mask], tied=s.tied[mask],
                                       split=None if s.split is None else s.split[:, mask])

        pairs = tuple((cut(a), cut(b)) for a, b in self.pairs)
        return _Win(self.window, self.panel.select_resolutions(mask), pairs,
                    self.cd[:, mask], self.cc[:, mask])

    @property
    def n_pairs(self) -> int:
        return self.cd.shape[0]


def _values(td: np.ndarray, tc: np.ndarray, min_votes: int) -> tuple[np.ndarray, np.ndarray]:
    """(N, 9) tables on the votes where all had Y/A/N (``td``: every measure but
    coincidence) and where all voted Y or N (``tc``: coincidence) -> values and n, (N, M),
    columns in :data:`~comity.analysis.measures.MEASURES` order."""
    v1, n1 = _compute(td.reshape(-1, 3, 3), _YAN_MS, _DIST, min_votes)
    v2, n2 = _compute(tc.reshape(-1, 3, 3), ("coincidence",), _DIST, min_votes)
    v, n = np.concatenate([v1, v2], axis=1), np.concatenate([n1, n2], axis=1)
    return v[:, _ORDER], n[:, _ORDER]


@dataclass
class _Est:
    effect: np.ndarray  # (5,)
    lo: np.ndarray
    hi: np.ndarray
    values: list[np.ndarray]  # per window (P, 5)
    vlo: list[np.ndarray]
    vhi: list[np.ndarray]
    ns: list[np.ndarray]  # per window (P, 5)


def _estimate(wins: Sequence[_Win], coef: np.ndarray, bootstrap: int, seed: int | None,
              ci: float, min_votes: int) -> _Est:
    """Effect ``sum coef[w, p] * m(pair p in window w)`` for all five measures, with a paired
    bootstrap inside each window (one generator, windows in order)."""
    rng = np.random.default_rng(seed) if bootstrap else None
    effect = np.zeros(len(MEASURES))
    draws = np.zeros((int(bootstrap), len(MEASURES))) if bootstrap else None
    values, vlo, vhi, ns = [], [], [], []
    for w, win in enumerate(wins):
        n_p = win.n_pairs
        oh = _onehot9(np.concatenate([win.cd, win.cc]))  # (R, 2P*9)
        t = oh.sum(axis=0, dtype=np.float64).reshape(2 * n_p, 9)
        v, n = _values(t[:n_p], t[n_p:], min_votes)
        values.append(v)
        ns.append(n)
        effect = effect + coef[w, :n_p] @ v
        lo_w = np.full_like(v, np.nan)
        hi_w = np.full_like(v, np.nan)
        if rng is not None and draws is not None:
            wts = _resample_weights(rng, int(bootstrap), win.panel.n_resolutions)
            bt = (wts @ oh).reshape(int(bootstrap), 2 * n_p, 9)
            bv, _ = _values(bt[:, :n_p].reshape(-1, 9), bt[:, n_p:].reshape(-1, 9), min_votes)
            bv = bv.reshape(int(bootstrap), n_p, len(MEASURES))
            draws = draws + np.einsum("p,bpm->bm", coef[w, :n_p], bv)
            lo_f, hi_f = _percentile_interval(bv.reshape(int(bootstrap), -1), ci)
            fin = np.isfinite(v)
            lo_w = np.where(fin, lo_f.reshape(n_p, -1), np.nan)
            hi_w = np.where(fin, hi_f.reshape(n_p, -1), np.nan)
        vlo.append(lo_w)
        vhi.append(hi_w)
    lo = np.full(len(MEASURES), np.nan)
    hi = np.full(len(MEASURES), np.nan)
    if draws is not None:
        lo, hi = _percentile_interval(draws, ci)
        fin = np.isfinite(effect)
        lo, hi = np.where(fin, lo, np.nan), np.where(fin, hi, np.nan)
    return _Est(effect, lo, hi, values, vlo, vhi, ns)


def _contributions(wins: Sequence[_Win], coef: np.ndarray, k: int
                   ) -> list[tuple[np.ndarray, np.ndarray]]:
    """Per window, ``effect - effect without resolution r`` for measure index ``k`` and the
    mask of resolutions that enter a table of that measure (NaN where the resolution enters
    none, or where the measure is undefined without it)."""
    out = []
    for w, win in enumerate(wins):
        n_p = win.n_pairs
        codes = win.cc if MEASURES[k] == "coincidence" else win.cd
        oh = _onehot9(codes).astype(np.float64).reshape(-1, n_p, 9)  # (R, P, 9)
        t = oh.sum(axis=0)
        full = _values(t, t, 0)[0][:, k]  # (P,)
        minus = t[None] - oh  # (R, P, 9)
        vm = _values(minus.reshape(-1, 9), minus.reshape(-1, 9), 0)[0][:, k]\
            .reshape(-1, n_p)
        contrib = (full[None, :] - vm) @ coef[w, :n_p]
        used = (codes >= 0).any(axis=0)
        out.append((np.where(used, contrib, np.nan), used))
    return out


def _point(wins: Sequence[_Win], coef: np.ndarray, k: int) -> float:
    """The effect for measure index ``k`` without the ``min_votes`` rule (its sign ranks the
    evidence)."""
    total = 0.0
    for w, win in enumerate(wins):
        n_p = win.n_pairs
        t = _onehot9(np.concatenate([win.cd, win.cc])).sum(axis=0, dtype=np.float64)\
            .reshape(2 * n_p, 9)
        total += float(coef[w, :n_p] @ _values(t[:n_p], t[n_p:], 0)[0][:, k])
    return total


def _verdict(effect: float, lo: float, hi: float, direction: int, n_min: int,
             min_votes: int) -> str:
    if n_min < max(int(min_votes), 1):
        return "insufficient data"
    if not (np.isfinite(effect) and np.isfinite(lo) and np.isfinite(hi)):
        return "inconclusive"
    if direction * lo > 0 and direction * hi > 0:
        return "supported"
    if direction * lo < 0 and direction * hi < 0:
        return "contradicted"
    return "inconclusive"


@dataclass(frozen=True)
class _Opts:
    bootstrap: int
    seed: int | None
    ci: float
    min_votes: int
    top_evidence: int | None


def _measure_table(est: _Est, direction: int, opts: _Opts) -> dict[str, dict[str, Any]]:
    out = {}
    for j, m in enumerate(MEASURES):
        n_min = int(min(int(n[:, j].min()) for n in est.ns)) if est.ns else 0
        n_tot = int(sum(int(n[:, j].max()) for n in est.ns))
        out[m] = {"effect": _f(est.effect[j]), "lo": _f(est.lo[j]), "hi": _f(est.hi[j]),
                  "n": n_tot, "verdict": _verdict(est.effect[j], est.lo[j], est.hi[j],
                                                  direction, n_min, opts.min_votes)}
    return out


def _f(x: Any) -> float | None:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return v if np.isfinite(v) else None
