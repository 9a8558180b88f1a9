"""Shifts: change points in an alignment series, the biggest movers between two periods, and
vote switches on recurring resolutions.

Change points (:func:`change_points`)
-------------------------------------
The series is the *per-resolution agreement* of two parties (states or blocs, resolved as in
:mod:`comity.analysis.align`: a bloc is its majority position, the state itself left out of a bloc
it belongs to), ``x_t = 1 - |v_a - v_b| / 2`` with Y = 1, A = 2, N = 3, over the recorded votes
where both sides have a Y/A/N position, ordered by date (then rid). Its mean over a stretch of
votes is the agreement of :mod:`comity.analysis.measures` over that stretch.

Segmentation minimises the within-segment sum of squares (``l2`` cost: a change in the mean)
plus a penalty per change point:

* ``method="pelt"``: the exact optimum by PELT (Killick, Fearnhead & Eckley 2012), run by
  ``ruptures.KernelCPD(kernel="linear")`` (a linear kernel *is* the ``l2`` cost; that class runs
  PELT in C, where ``ruptures.Pelt`` is pure Python and takes minutes on 7,000 votes);
* ``method="binseg"``: binary segmentation (``ruptures.Binseg(model="l2")``), greedy, faster to
  reason about, the same penalty.

Penalty (``penalty="bic"``, the default): ``pen = c * log(n) * sigma2`` with ``c =
penalty_factor`` (default 2, the BIC: two parameters per change, its location and the new
mean). Votes are serially dependent (a committee's resolutions on one topic are voted one after
the other on the same day; lag-1 autocorrelation about 0.2 for USA-RUS), so ``sigma2`` is the
*long-run* variance of the series around its segment means: the Newey-West estimate (Bartlett
kernel, bandwidth ``L = floor(n ** (1/3))``) of the residuals from the current segment means,
starting from no change point (the series mean: the largest value) and re-estimated after each
segmentation until the change points no longer move (at most :data:`MAX_PASSES` passes; these
passes use PELT whatever ``method``, which then segments once with the final penalty). For
reference the result also carries ``sigma2_iid``, the difference-based noise variance (Rice
1984), ``sum((x_t - x_{t-1})**2) / (2 (n - 1))``, which ignores the dependence.

Without this correction the plain BIC splits off runs of 30-60 same-day votes on one topic. A
number passed as ``penalty`` is used as ``pen`` as is. ``min_size`` (default 30 votes) is the
shortest segment allowed.

Each change point has its ``date`` (first vote after the change), ``date_before`` (last vote
before it), ``mean_before``/``mean_after`` (the means of the two adjacent segments),
``size = mean_after - mean_before`` and a percentile bootstrap interval of the size:
``bootstrap`` draws resample each of the two segments independently by a moving-block bootstrap
(Kunsch 1989; blocks of ``L`` consecutive votes, the bandwidth above, so that same-day runs stay
together). The interval is conditional on the location of the change: it does not carry the
uncertainty of *where* the break is.

Biggest movers (:func:`movers`)
-------------------------------
For every state, its alignment (``measure``, any of :data:`comity.analysis.measures.MEASURES`) with
a
reference state or bloc in ``period_a`` and in ``period_b``; ``change = value_b - value_a``;
the interval of the change comes from ``bootstrap`` draws that resample the resolutions of each
period independently (the same draws for every state: one weight matrix per period, one matrix
product for all states). States are ranked by ``|change|``; ``significant`` is True where the
interval excludes 0; ``direction`` is ``"toward"`` (the state moved closer to the reference) or
``"away"``. A bloc reference is its majority position with the state itself left out of it
(as in :mod:`comity.analysis.align`), computed for all member states at once.

Periods are a year (``2014``, ``"2014"``), a span of years (``"2014-2016"``), a pair of bounds
(``("2014-05-01", "2016-12-31")``) or ``"START:END"`` / ``"START/END"`` text.

With ``ideal="auto"`` (default) and a cached ideal-point fit in the store
(:func:`comity.store.fitcache.store_fit`, the most recent one) or ``ideal=NAME``, the result also
ranks states by the change of their (first-dimension) ideal point between the two periods:
mean estimate over the fitted periods falling in each window (a session ``s`` counts for the
year ``1945 + s`` it opens in), interval ``change +- 1.96 sqrt(se_a**2 + se_b**2)`` with
``se`` the mean of the periods' standard errors (conservative: it assumes the periods' errors
fully correlated). No cached fit: the ideal-point part is skipped (``ideal`` is None).

Vote switches on recurring resolutions (:func:`vote_switches`)
--------------------------------------------------------------
Many General Assembly texts come back every session (the Cuba embargo resolution, the
"Question of Palestine" series, ...). The *recurring key* of a resolution (:func:`recurring_key`,
:func:`recurring_keys`) is its normalised title:

1. the UN Digital Library catalogue suffix is removed (``" : resolution / adopted by the General
   Assembly"``, and the ``"[...]"`` truncation mark with a cut-off ``" : r"`` before it);
2. lower-cased; parenthesised and bracketed parts removed; digits with their ordinal suffixes
   (``1995``, ``73rd``) and spelled-out ordinals (``fifty-first``, ``seventieth``, ``second``)
   removed; every run of non-letters becomes one space; whitespace collapsed;
3. cut at the last word boundary within 100 characters (one source truncates titles at 150
   characters, another gives them in full: the cut makes both give the same key).

Where a normalised title occurs more than once among one session's votes on whole texts
(``"Question of Palestine"`` had parts A-E in the 1970s and 1980s), those votes are keyed by
title *and* the normalised agenda item (``"question of palestine | palestine rights
committee"``); everywhere else the title alone is the key, so that the changing wording of
agenda items between sources does not break a series. A key still repeated within a session is
*ambiguous* there and is not compared. Only votes on whole
texts count (roll calls flagged as amendment or separate-paragraph votes are left out).

A *switch* is a state whose Y/A/N vote on a key differs from its vote on the previous occurrence
of that key (the latest earlier session holding it, at most ``max_gap`` sessions before; default
3). Absences are not switches unless ``include_absent=True`` (then X counts as a position).

Issue slices
------------
``issue=`` (in :func:`change_points` and :func:`movers`) selects Voeten's issue codes, which
stop in 2019; with ``predicted_issues=True`` (the default) a resolution Voeten did not code is
included when the stored predictions of :mod:`comity.analysis.issuecoding` (table
``issue_predictions``, ``predicted`` true) give it the issue. Without stored predictions this
is Voeten's codes alone.

References
----------
- Killick, R., Fearnhead, P. & Eckley, I. A. (2012). Optimal detection of changepoints with a
  linear computational cost. *JASA* 107(500), 1590-1598.
- Truong, C., Oudre, L. & Vayatis, N. (2020). Selective review of offline change point detection
  methods. *Signal Processing* 167 (the ``ruptures`` library).
- Rice, J. (1984). Bandwidth choice for nonparametric regression. *Annals of Statistics* 12(4),
  1215-1230 (the difference-based variance estimate).
- Newey, W. K. & West, K. D. (1987). A simple, positive semi-definite, heteroskedasticity and
  autocorrelation consistent covariance matrix. *Econometrica* 55(3), 703-708.
- Kunsch, H. R. (1989). The jackknife and the bootstrap for general stationary observations.
  *Annals of Statistics* 17(3), 1217-1241.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from comity.analysis.measures import (
    _percentile_interval,
)
from comity.analysis.movers import (
    MoversResult,
    SwitchResult,
    movers,
    recurring_series,
    vote_switches,
)
from comity.analysis.plothook import plotter
from comity.analysis.query import (
    VOTE_LABELS,
    Party,
    _extra_blocs,
    _load,
    _member_block,
    _Query,
    _query,
    _require_votes,
    _self_codes,
    bloc_position,
    resolve_party,
)
from comity.analysis.results import records
from comity.errors import ShiftError
from comity.store.panel import NO, YES, Panel
from comity.world.blocs import Bloc
from comity.world.recurring import recurring_key, recurring_keys

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from comity.store.db import Store

__all__ = [
    "ChangePointResult",
    "MoversResult",
    "ShiftError",
    "SwitchResult",
    "change_points",
    "detect_change_points",
    "movers",
    "recurring_key",
    "recurring_keys",
    "recurring_series",
    "vote_switches",
]

MAX_PASSES = 10
"""Most re-estimations of the long-run variance in the ``"bic"`` penalty (module docstring)."""


# ==================================================================================== loading
def _load_panel(store: Any, panel: Panel | None, rows: Sequence[str] | None, q: _Query,
                predicted: bool) -> Panel:
    """The vote matrix of the query; an issue slice also uses the stored predicted issues
    (where Voeten's codes are missing) unless ``predicted`` is False
    (:meth:`comity.store.db.Store.panel`)."""
    return _load(store, panel, rows, q, predicted_issues=predicted)


def _party_rows(parties: Sequence[Party]) -> list[str]:
    rows: list[str] = []
    for party in parties:
        codes = party.bloc.ever_members() if party.bloc is not None else [party.code]
        rows.extend(c for c in codes if c not in rows)
    return rows


def _side_codes(base: Panel, party: Party, other: Party, strict: bool,
                include_self: bool) -> np.ndarray:
    """Vote codes (R,) of one side: a state's row, or a bloc's majority position (``other``
    left out of it when ``other`` is a state that belongs to the bloc)."""
    if not party.is_bloc:
        return base.votes[base.states.index(party.code)]
    assert party.bloc is not None
    excl: set[str] = set()
    if not other.is_bloc and not include_self:
        excl = _self_codes(other.code, strict) & set(party.bloc.ever_members())
    v, mem, _ = _member_block(base, party.bloc, excl)
    codes, _ = bloc_position(v, mem)
    return codes


def _order(res: pd.DataFrame) -> np.ndarray:
    """Columns in date order (then rid), resolutions without a date left out."""
    d = pd.to_datetime(res["date"]).to_numpy()
    rid = res["rid"].astype(str).to_numpy()
    ok = ~np.isnat(d)
    idx = np.flatnonzero(ok)
    return idx[np.lexsort((rid[idx], d[idx]))]


# ============================================================================== change points
def _rice(x: np.ndarray) -> float:
    """Difference-based noise variance (Rice 1984)."""
    n = len(x)
    return float(np.sum(np.diff(x) ** 2) / (2.0 * (n - 1))) if n > 1 else 0.0


def _bandwidth(n: int) -> int:
    """Bartlett bandwidth and bootstrap block length: ``floor(n ** (1/3))`` (at least 1)."""
    return max(int(np.floor(max(n, 1) ** (1.0 / 3.0))), 1)


def _long_run_variance(e: np.ndarray) -> float:
    """Newey-West (Bartlett kernel) long-run variance of residuals ``e``."""
    n = len(e)
    if n < 2:
        return 0.0
    e = e - e.mean()
    lags = min(_bandwidth(n), n - 1)
    g = np.array([np.dot(e[: n - k], e[k:]) / n for k in range(lags + 1)])
    w = 1.0 - np.arange(1, lags + 1) / (lags + 1.0)
    return float(max(g[0] + 2.0 * np.dot(w, g[1:]), 1e-12))


def _residuals(x: np.ndarray, ends: list[int]) -> np.ndarray:
    starts = [0, *ends[:-1]]
    means = np.concatenate([np.full(e - s, x[s:e].mean()) for s, e in zip(starts, ends,
                                                                          strict=True) if e > s])
    return x - means


def _segment(x: np.ndarray, method: str, pen: float, min_size: int) -> list[int]:
    """End indices (exclusive) of the segments, the last being ``len(x)``."""
    import ruptures as rpt

    n = len(x)
    if n < 2 * min_size:
        return [n]
    signal = x.reshape(-1, 1).astype(np.float64)
    if method == "pelt":
        algo = rpt.KernelCPD(kernel="linear", min_size=min_size, jump=1).fit(signal)
    elif method == "binseg":
        algo = rpt.Binseg(model="l2", min_size=min_size, jump=1).fit(signal)
    else:
        raise ShiftError(f"unknown method {method!r}; expected 'pelt' or 'binseg'")
    ends = [int(b) for b in algo.predict(pen=pen)]
    return ends if ends and ends[-1] == n else [*ends, n]


def detect_change_points(
    values: Sequence[float] | np.ndarray,
    *,
    method: Literal["pelt", "binseg"] = "pelt",
    penalty: float | str = "bic",
    penalty_factor: float = 2.0,
    min_size: int = 30,
    bootstrap: int = 1000,
    seed: int | None = None,
    ci: float = 0.95,
) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, float]]:
    """Change points in the mean of one ordered series (rules in the module docstring).

    Returns ``(breaks, segments, info)``: ``breaks`` has one row per change point with
    ``index`` (position of the first value after the change), ``mean_before``, ``mean_after``,
    ``size``, ``lo``, ``hi``, ``n_before``, ``n_after``; ``segments`` has ``segment, first,
    last`` (positions, inclusive), ``n``, ``mean``; ``info`` holds ``pen``, ``sigma2`` (the
    long-run variance the penalty uses), ``sigma2_iid`` (Rice), ``block`` (bootstrap block
    length) and ``n``.
    """
    x = np.asarray(values, dtype=np.float64)
    if x.ndim != 1:
        raise ShiftError("values must be one-dimensional")
    if not np.isfinite(x).all():
        raise ShiftError("values must be finite (drop missing votes first)")
    if int(min_size) < 1:
        raise ShiftError(f"min_size must be at least 1, got {min_size!r}")
    if int(bootstrap) < 0 or not 0 < ci < 1:
        raise ShiftError("bootstrap must be >= 0 and ci strictly between 0 and 1")
    n = len(x)
    sigma2_iid = _rice(x)
    if isinstance(penalty, str):
        if penalty.casefold() != "bic":
            raise ShiftError(f"unknown penalty {penalty!r}; expected 'bic' or a number")
        if not penalty_factor > 0:
            raise ShiftError(f"penalty_factor must be positive, got {penalty_factor!r}")
        logn = float(np.log(max(n, 2)))
        ends = [n]  # start from no change: the largest variance, iterate downwards
        sigma2 = pen = 0.0
        for _ in range(MAX_PASSES):
            sigma2 = _long_run_variance(_residuals(x, ends)) if n > 1 else 0.0
            pen = float(penalty_factor * logn * max(sigma2, 1e-12))
            again = _segment(x, "pelt", pen, int(min_size)) if n else [0]
            if again == ends:
                break
            ends = again
        if method != "pelt":
            ends = _segment(x, method, pen, int(min_size)) if n else [0]
    else:
        pen = float(penalty)
        if not np.isfinite(pen) or pen < 0:
            raise ShiftError(f"penalty must be a non-negative number or 'bic', got {penalty!r}")
        sigma2 = _long_run_variance(_residuals(x, [n])) if n > 1 else 0.0
        ends = _segment(x, method, pen, int(min_size)) if n else [0]
    starts = [0, *ends[:-1]]
    csum = np.r_[0.0, np.cumsum(x)]
    seg_n = np.array([e - s for s, e in zip(starts, ends, strict=True)], dtype=np.int64)
    seg_mean = np.array([(csum[e] - csum[s]) / max(e - s, 1)
                         for s, e in zip(starts, ends, strict=True)])
    segments = pd.DataFrame({
        "segment": np.arange(len(ends)), "first": starts,
        "last": np.asarray(ends) - 1, "n": seg_n, "mean": seg_mean})
    rng = np.random.default_rng(seed)
    block = _bandwidth(n)
    rows = []
    for k in range(1, len(ends)):
        before = x[starts[k - 1]:ends[k - 1]]
        after = x[starts[k]:ends[k]]
        size = float(after.mean() - before.mean())
        lo = hi = np.nan
        if bootstrap:
            draws = _block_means(after, int(bootstrap), block, rng) \
                - _block_means(before, int(bootstrap), block, rng)
            lo_a, hi_a = _percentile_interval(draws[:, None], ci)
            lo, hi = float(lo_a[0]), float(hi_a[0])
        rows.append({"index": starts[k], "mean_before": float(before.mean()),
                     "mean_after": float(after.mean()), "size": size, "lo": lo, "hi": hi,
                     "n_before": len(before), "n_after": len(after)})
    cols = ["index", "mean_before", "mean_after", "size", "lo", "hi", "n_before", "n_after"]
    breaks = pd.DataFrame(rows, columns=cols)
    return breaks, segments, {"pen": pen, "sigma2": sigma2, "sigma2_iid": sigma2_iid,
                              "block": block, "n": n}


def _block_means(x: np.ndarray, draws: int, block: int, rng: np.random.Generator
                 ) -> np.ndarray:
    """Means of ``draws`` moving-block bootstrap resamples of ``x`` (Kunsch 1989)."""
    n = len(x)
    b = min(block, n)
    n_blocks = -(-n // b)
    starts = rng.integers(0, n - b + 1, size=(draws, n_blocks))
    idx = (starts[:, :, None] + np.arange(b)).reshape(draws, n_blocks * b)[:, :n]
    return x[idx].mean(axis=1)


@dataclass(frozen=True, eq=False)
class ChangePointResult:
    """Change points of one pair's per-resolution agreement series.

    ``breaks``: ``date, date_before, rid, symbol, mean_before, mean_after, size, lo, hi,
    n_before, n_after`` (one row per change point); ``segments``: ``segment, start, end, n,
    mean``; ``series``: ``rid, date, symbol, title, vote_a, vote_b, value, segment`` (the votes
    the series rests on); ``query``: every parameter used, the penalty and ``sigma2``.
    """

    breaks: pd.DataFrame
    segments: pd.DataFrame
    series: pd.DataFrame
    parties: tuple[Party, Party]
    query: Mapping[str, Any]

    def to_frame(self) -> pd.DataFrame:
        """The change points (a copy)."""
        return self.breaks.copy()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: ``{"query", "parties", "n", "breaks": [...], "segments": [...]}``."""
        return {"query": dict(self.query), "parties": [p.describe() for p in self.parties],
                "n": len(self.series), "breaks": records(self.breaks),
                "segments": records(self.segments)}

    def summary(self) -> str:
        a, b = self.parties
        q = self.query
        head = (f"Change points in the agreement of {a.name} ({a.code}) with {b.name} "
                f"({b.code}): {len(self.series)} votes {q['start'] or 'first'} to "
                f"{q['end'] or 'last'}, {q['method']}, penalty {q['pen']:.3g}"
                f" (sigma2 {q['sigma2']:.3g}), min_size {q['min_size']}")
        lines = [head]
        if self.breaks.empty:
            lines.append("  no change point: one segment, mean "
                         + (f"{self.segments['mean'].iloc[0]:.3f}" if len(self.segments)
                            else "n/a"))
        for r in self.breaks.itertuples(index=False):
            ci = "" if not np.isfinite(r.lo) else f" [{r.lo:+.3f}, {r.hi:+.3f}]"
            lines.append(f"  {pd.Timestamp(r.date).date()}: {r.mean_before:.3f} -> "
                         f"{r.mean_after:.3f} ({r.size:+.3f}{ci}; {r.n_before} votes before, "
                         f"{r.n_after} after)")
        return "\n".join(lines)

    def plot(self, path: str | Path | None = None, ax: Axes | None = None) -> Figure:
        """Yearly means of the series (points, area ~ votes), segment means as steps and the
        change points as dashed lines annotated with their size and interval
        (:func:`comity.plots.plot_change_points`)."""
        return plotter("plot_change_points")(self, path=path, ax=ax)


def change_points(
    a: str,
    b: str,
    *,
    start: Any = None,
    end: Any = None,
    issue: str | None = None,
    body: str = "GA",
    method: Literal["pelt", "binseg"] = "pelt",
    penalty: float | str = "bic",
    penalty_factor: float = 2.0,
    min_size: int = 30,
    bootstrap: int = 1000,
    seed: int | None = None,
    ci: float = 0.95,
    important: bool | None = None,
    strict: bool = False,
    include_self: bool = False,
    predicted_issues: bool = True,
    store: Store | str | Path | None = None,
    panel: Panel | None = None,
    blocs_file: str | Path | Mapping[str, Bloc] | None = None,
) -> ChangePointResult:
    """Change points in the per-resolution agreement of ``a`` and ``b`` (states or blocs).

    Method, penalty and intervals: module docstring. ``issue`` slices by Voeten's codes and, with
    ``predicted_issues``, by stored predictions where Voeten's are missing.
    """
    if method not in ("pelt", "binseg"):
        raise ShiftError(f"unknown method {method!r}; expected 'pelt' or 'binseg'")
    q = _query(body=body, start=start, end=end, session=None, issue=issue,
               important=important, search=None, strict=strict)
    extra = _extra_blocs(blocs_file)
    pa, pb = resolve_party(a, extra), resolve_party(b, extra)
    base = _load_panel(store, panel, _party_rows([pa, pb]), q, predicted_issues)
    _require_votes(base, q)
    va = _side_codes(base, pa, pb, q.strict, include_self)
    vb = _side_codes(base, pb, pa, q.strict, include_self)
    order = _order(base.resolutions)
    va, vb = va[order], vb[order]
    both = (va >= YES) & (va <= NO) & (vb >= YES) & (vb <= NO)
    cols = order[both]
    x = 1.0 - np.abs(va[both].astype(np.float64) - vb[both]) / 2.0
    if len(x) < 2:
        raise ShiftError(f"{pa.code} and {pb.code} share fewer than 2 Y/A/N votes in the query")
    breaks, segs, info = detect_change_points(
        x, method=method, penalty=penalty, penalty_factor=penalty_factor, min_size=min_size,
        bootstrap=bootstrap, seed=seed, ci=ci)
    res = base.resolutions.iloc[cols].reset_index(drop=True)
    dates = pd.to_datetime(res["date"]).to_numpy()
    seg_of = np.repeat(segs["segment"].to_numpy(), segs["n"].to_numpy())
    labels = np.array([VOTE_LABELS.get(k, "?") for k in range(10)], dtype=object)
    series = pd.DataFrame({
        "rid": res["rid"].astype(str).to_numpy(), "date": dates,
        "symbol": res["symbol"].to_numpy() if "symbol" in res else None,
        "title": res["title"].to_numpy() if "title" in res else None,
        "vote_a": labels[va[both]], "vote_b": labels[vb[both]], "value": x, "segment": seg_of,
    })
    idx = breaks["index"].to_numpy(dtype=np.int64)
    out_breaks = pd.DataFrame({
        "date": dates[idx] if len(idx) else np.array([], dtype="datetime64[ns]"),
        "date_before": dates[idx - 1] if len(idx) else np.array([], dtype="datetime64[ns]"),
        "rid": series["rid"].to_numpy()[idx], "symbol": series["symbol"].to_numpy()[idx],
        **{c: breaks[c].to_numpy() for c in ("mean_before", "mean_after", "size", "lo", "hi",
                                             "n_before", "n_after")},
    })
    segments = pd.DataFrame({
        "segment": segs["segment"], "start": dates[segs["first"].to_numpy()],
        "end": dates[segs["last"].to_numpy()], "n": segs["n"], "mean": segs["mean"]})
    query = {
        "a": a, "b": b, **q.describe(), "method": method,
        "penalty": penalty if isinstance(penalty, str) else float(penalty),
        "penalty_factor": float(penalty_factor), "pen": info["pen"], "sigma2": info["sigma2"],
        "sigma2_iid": info["sigma2_iid"], "block": info["block"],
        "min_size": int(min_size), "bootstrap": int(bootstrap), "seed": seed, "ci": ci,
        "include_self": bool(include_self), "predicted_issues": bool(predicted_issues),
        "resolutions": int(base.n_resolutions),
    }
    return ChangePointResult(breaks=out_breaks, segments=segments, series=series,
                             parties=(pa, pb), query=query)


# ==================================================================================== movers
