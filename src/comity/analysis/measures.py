"""Alignment between states from recorded votes, vectorised over all dyads at once.

Coding and coverage
-------------------
Votes are coded Y = 1, A = 2, N = 3 (Voeten). A resolution counts for a dyad ``(i, j)`` only
where *both* states voted Y, A or N. Every other resolution of the period is counted in the
dyad's coverage, and the three counts partition the period's resolutions exactly::

    n            both voted Y/A/N                                   (the measure rests on these)
    n_absent     both were members, at least one absent/non-voting  (code 8, or any code
                                                                     other than 1/2/3/9)
    n_nonmember  at least one was not a member                      (code 9)

Position tables
---------------
With one-hot indicator matrices ``I_Y, I_A, I_N`` (``float32``, states x resolutions), the
3 x 3 *position table* of every dyad comes from matrix products,
``C[i, j, a, b] = (I_a @ I_b.T)[i, j]`` = number of resolutions where ``i`` voted ``a`` and
``j`` voted ``b``. Every measure below is a closed-form function of that table ``C`` (with
``n = sum(C)``, ``p = C / n``, row marginal ``r_a = sum_b p_ab``, column marginal
``c_b = sum_a p_ab``, and a distance ``d_ab`` between positions ``a, b`` in 1..3:
``|a - b|`` (default, ``d_max = 2``) or ``(a - b)**2`` (``distance="squared"``, ``d_max = 4``))::

    D_o          = sum_ab p_ab d_ab                       mean observed distance
    agreement    = 1 - D_o / d_max                        (absolute: mean of 1 - |vi - vj|/2)
    S            = 1 - 2 D_o / d_max                      Signorino & Ritter (1999), in [-1, 1]
    kappa        = 1 - D_o / sum_ab r_a c_b d_ab          Häge (2011), Cohen-type chance term
    pi           = 1 - D_o / sum_ab m_a m_b d_ab,         Häge (2011), Scott-type chance term
                   m = (r + c) / 2
    identical    = (C_YY + C_AA + C_NN) / n                share of identical votes: Voeten's
                   agreement score (the "agree" of his dyadic data and of the Bailey-
                   Strezhnev-Voeten releases); a Yes against an Abstain is a disagreement
    coincidence  = (C_YY + C_NN) / (C_YY + C_NN + C_YN + C_NY)
                   US State Department, "Voting Practices in the United Nations": identical
                   Y/N votes over identical plus opposite Y/N votes; abstentions and absences
                   are left out; its own ``n`` is ``C_YY + C_NN + C_YN + C_NY``.

``identical`` and ``agreement`` are two different numbers: ``agreement`` gives half credit for
an abstention against a vote (1 - |d|/2), ``identical`` none (USA-RUS in 2025: 0.188 and
0.130). ``distance`` applies to every distance-based measure (agreement, S, kappa, pi); with the
default absolute distance, ``S = 2 * agreement - 1``. The expected distance of kappa/pi uses the
marginals over the dyad's shared resolutions in the period; where it is 0 (both states cast
one and the same position on every shared resolution) kappa/pi are NaN. A dyad with fewer than
``min_votes`` usable votes (``n``, or the coincidence ``n`` for coincidence) gets NaN, never a
real-looking number, but still reports its ``n``.

Bootstrap
---------
Percentile intervals from resampling the *resolutions of each period* with replacement
(``numpy.random.default_rng(seed)``, one generator consumed period by period in period order).
A draw is a weight matrix ``W`` (draws x resolutions, multinomial counts, rows summing to the
number of resolutions of the period); ``W @ H``, with ``H`` the per-resolution one-hot of each
requested dyad's pair of positions (resolutions x (dyads * 9)), gives every draw's 3 x 3 table
at once; the measures follow in closed form. Since whole resolutions are resampled, a draw's
``n`` for a dyad varies around the observed ``n``. Draws where the measure is undefined
(``n < min_votes``, expected distance 0) are left out of the percentiles; when more than
``(1 - ci) / 2`` of the draws are undefined, the bounds are NaN (they would depend on where the
undefined draws rank). Bounds are NaN as well where the point estimate is NaN.

References
----------
- Signorino, C. S. & Ritter, J. M. (1999). Tau-b or Not Tau-b: Measuring the Similarity of
  Foreign Policy Positions. *International Studies Quarterly* 43(1), 115-144.
- Häge, F. M. (2011). Choice or Circumstance? Adjusting Measures of Foreign Policy Similarity
  for Chance Agreement. *Political Analysis* 19(3), 287-305.
- U.S. Department of State, *Voting Practices in the United Nations* (annual report to Congress).
- Voeten, E., Strezhnev, A. & Bailey, M. *United Nations General Assembly Voting Data*
  (vote coding 1 = Y, 2 = A, 3 = N, 8 = absent, 9 = not a member).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd

from comity.errors import ComityError
from comity.store.panel import ABSTAIN, NO, NONMEMBER, YES, Panel

__all__ = [
    "MEASURES",
    "POSITIONS",
    "MeasureError",
    "contestedness",
    "divergent_votes",
    "dyad_measures",
    "majority_alignment",
    "measures_from_tables",
    "pair_tables",
    "paired_difference",
    "position_matrix",
]

MEASURES: tuple[str, ...] = ("agreement", "S", "kappa", "pi", "coincidence", "identical")
"""Names of the dyadic measures, in their canonical order."""

POSITIONS: tuple[str, ...] = ("Y", "A", "N", "X")
"""Labels of the table positions (index 0..3); X (absent/non-voting) only with include_absent."""

Distance = Literal["absolute", "squared"]
Tallies = Literal["panel", "official"]

_DISTANCES: dict[str, np.ndarray] = {
    "absolute": np.abs(np.subtract.outer(np.arange(3.0), np.arange(3.0))),
    "squared": np.subtract.outer(np.arange(3.0), np.arange(3.0)) ** 2,
}

# int8 vote code -> position index: 0 Y, 1 A, 2 N, 3 member not voting, -1 not a member.
_POS_OF_CODE = np.full(256, 3, dtype=np.int8)
_POS_OF_CODE[YES] = 0
_POS_OF_CODE[ABSTAIN] = 1
_POS_OF_CODE[NO] = 2
_POS_OF_CODE[NONMEMBER] = -1

_CHUNK_CELLS = 1 << 23  # float32 cells of one bootstrap product block (32 MiB)


class MeasureError(ComityError, ValueError):
    """An unknown measure, distance or period column, or an invalid option value."""


# -- validation -------------------------------------------------------------------------------
def _check_measures(measures: Sequence[str] | str) -> tuple[str, ...]:
    if isinstance(measures, str):
        measures = (measures,)
    out = tuple(measures)
    bad = [m for m in out if m not in MEASURES]
    if bad:
        raise MeasureError(f"unknown measure(s) {bad}; expected any of {list(MEASURES)}")
    if not out:
        raise MeasureError("no measure requested")
    return out


def _check_distance(distance: str) -> np.ndarray:
    try:
        return _DISTANCES[distance]
    except KeyError:
        raise MeasureError(
            f"unknown distance {distance!r}; expected 'absolute' or 'squared'"
        ) from None


def _check_options(bootstrap: int, ci: float, min_votes: int) -> None:
    if int(bootstrap) != bootstrap or bootstrap < 0:
        raise MeasureError(f"bootstrap must be a non-negative integer, got {bootstrap!r}")
    if not 0.0 < ci < 1.0:
        raise MeasureError(f"ci must be strictly between 0 and 1, got {ci!r}")
    if int(min_votes) != min_votes or min_votes < 0:
        raise MeasureError(f"min_votes must be a non-negative integer, got {min_votes!r}")


# -- building blocks --------------------------------------------------------------------------
def _positions(votes: np.ndarray) -> np.ndarray:
    """Position index per cell (int8): 0 Y, 1 A, 2 N, 3 member not voting, -1 not a member."""
    v = np.asarray(votes)
    if v.dtype != np.int8:
        v = v.astype(np.int8)
    return _POS_OF_CODE[v.view(np.uint8)]


def _period_groups(
    panel: Panel, periods: np.ndarray | pd.Series | str | None
) -> tuple[pd.Index, np.ndarray, np.ndarray]:
    """(labels, column order, bounds): period ``k`` holds columns ``order[bounds[k]:bounds[k+1]]``.

    Labels are sorted; resolutions whose period label is missing are left out.
    """
    r = panel.n_resolutions
    if periods is None:
        return pd.Index(["all"]), np.arange(r), np.array([0, r])
    if isinstance(periods, str):
        res = panel.resolutions
        if periods in res.columns:
            vals = res[periods].reset_index(drop=True)
        elif periods == "year" and "date" in res.columns:
            vals = pd.Series(pd.to_datetime(res["date"]).dt.year, dtype="Int64")
        else:
            raise MeasureError(
                f"periods={periods!r} is neither 'year' nor a column of the resolutions "
                f"(columns: {list(res.columns)})"
            )
    else:
        if isinstance(periods, pd.Series):
            vals = periods.reset_index(drop=True)
        else:
            vals = pd.Series(np.asarray(periods))
        if len(vals) != r:
            raise MeasureError(
                f"periods has {len(vals)} labels, expected one per resolution ({r})"
            )
    try:
        codes, uniques = pd.factorize(vals, sort=True)
    except TypeError:  # labels of mixed, unorderable types
        codes, uniques = pd.factorize(vals, sort=False)
    uniques = pd.Index(uniques)
    np_dtype = getattr(uniques.dtype, "numpy_dtype", None)
    if np_dtype is not None and np_dtype.kind in "iufb":
        uniques = uniques.astype(np_dtype)
    order = np.argsort(codes, kind="stable")
    n_missing = int((codes < 0).sum())
    order = order[n_missing:]
    counts = np.bincount(codes[codes >= 0], minlength=len(uniques))
    bounds = np.concatenate([[0], np.cumsum(counts)])
    return uniques, order, bounds


def _resample_weights(rng: np.random.Generator, draws: int, n: int) -> np.ndarray:
    """(draws, n) float32 multinomial counts: ``n`` resolutions drawn with replacement per row."""
    if n == 0:
        return np.zeros((draws, 0), dtype=np.float32)
    idx = rng.integers(0, n, size=(draws, n))
    idx += (np.arange(draws, dtype=idx.dtype) * n)[:, None]
    return np.bincount(idx.ravel(), minlength=draws * n).reshape(draws, n).astype(np.float32)


def _pair_codes(pa: np.ndarray, pb: np.ndarray) -> np.ndarray:
    """Cell of the 3 x 3 table per resolution (``3*a + b``), -1 where not both voted Y/A/N."""
    both = (pa >= 0) & (pa < 3) & (pb >= 0) & (pb < 3)
    return np.where(both, 3 * pa.astype(np.int16) + pb, -1).astype(np.int8)


def _onehot9(codes: np.ndarray) -> np.ndarray:
    """(dyads, resolutions) cell codes -> (resolutions, dyads * 9) float32 indicators."""
    d, r = codes.shape
    oh = codes.T[:, :, None] == np.arange(9, dtype=np.int8)
    return oh.reshape(r, d * 9).astype(np.float32)


def _percentile_interval(draws: np.ndarray, ci: float) -> tuple[np.ndarray, np.ndarray]:
    """Percentile bounds over axis 0 (numpy's linear rule), leaving NaN draws out.

    Bounds are NaN where more than ``(1 - ci) / 2`` of the draws are NaN.
    """
    b = draws.shape[0]
    s = np.sort(draws, axis=0)  # NaN sort last
    k = np.isfinite(draws).sum(axis=0)
    alpha = 1.0 - ci
    out = []
    for q in (alpha / 2.0, 1.0 - alpha / 2.0):
        pos = q * np.maximum(k - 1, 0)
        i0 = np.floor(pos).astype(np.intp)
        i1 = np.minimum(i0 + 1, np.maximum(k - 1, 0))
        frac = pos - i0
        v0 = np.take_along_axis(s, i0[None], axis=0)[0]
        v1 = np.take_along_axis(s, i1[None], axis=0)[0]
        val = v0 + frac * (v1 - v0)
        val = np.where(frac == 0, v0, val)
        out.append(np.where((b - k) > alpha / 2.0 * b, np.nan, val))
    return out[0], out[1]


# f @ _ROW[:, a] = row marginal count of position a; f @ _COL[:, b] = column marginal count
_ROW = np.kron(np.eye(3), np.ones((3, 1)))  # (9, 3): cell 3a+b -> a
_COL = np.kron(np.ones((3, 1)), np.eye(3))  # (9, 3): cell 3a+b -> b


def _compute(
    tables: np.ndarray, measures: tuple[str, ...], dist: np.ndarray, min_votes: int
) -> tuple[np.ndarray, np.ndarray]:
    """Closed forms on (N, 3, 3) tables -> values (N, M) and each measure's n (N, M)."""
    f = np.asarray(tables, dtype=np.float64).reshape(-1, 9)
    n = f @ np.ones(9)
    ok = (n >= min_votes) & (n > 0)
    dmax = dist.max()
    values = np.empty((f.shape[0], len(measures)))
    ns = np.empty((f.shape[0], len(measures)), dtype=np.int64)
    with np.errstate(divide="ignore", invalid="ignore"):
        d_o = (f @ dist.ravel()) / n
        r = c = None
        if "kappa" in measures or "pi" in measures:
            r = (f @ _ROW) / n[:, None]
            c = (f @ _COL) / n[:, None]
        for k, m in enumerate(measures):
            ns[:, k] = n
            if m == "agreement":
                values[:, k] = np.where(ok, 1.0 - d_o / dmax, np.nan)
            elif m == "S":
                values[:, k] = np.where(ok, 1.0 - 2.0 * d_o / dmax, np.nan)
            elif m == "kappa":
                d_e = ((r @ dist) * c) @ np.ones(3)
                values[:, k] = np.where(ok & (d_e > 0), 1.0 - d_o / d_e, np.nan)
            elif m == "pi":
                mm = (r + c) / 2.0
                d_e = ((mm @ dist) * mm) @ np.ones(3)
                values[:, k] = np.where(ok & (d_e > 0), 1.0 - d_o / d_e, np.nan)
            elif m == "identical":
                values[:, k] = np.where(ok, (f[:, 0] + f[:, 4] + f[:, 8]) / n, np.nan)
            else:  # coincidence
                same = f[:, 0] + f[:, 8]
                nc = same + f[:, 2] + f[:, 6]
                ns[:, k] = nc
                values[:, k] = np.where((nc >= min_votes) & (nc > 0), same / nc, np.nan)
    return values, ns


# -- public API -------------------------------------------------------------------------------
def pair_tables(panel: Panel, *, include_absent: bool = False) -> np.ndarray:
    """Position tables of every dyad: ``T[i, j, a, b]`` = resolutions where ``i`` voted ``a``
    and ``j`` voted ``b``.

    Positions are ``Y, A, N`` (index 0, 1, 2) and, with ``include_absent``, ``X`` (index 3: a
    member that was absent or did not vote). Non-member cells never count. Computed as
    ``K**2`` blocks of one product ``I @ I.T`` of the stacked one-hot indicators
    ``I = [I_Y; I_A; I_N(; I_X)]`` (``float32``, exact for counts below 2**24).

    Returns an ``int64`` array of shape ``(n_states, n_states, K, K)``, K = 3 or 4;
    ``T[i, j] == T[j, i].T``; the diagonal ``T[i, i]`` is diagonal (a state's own tallies).
    """
    k = 4 if include_absent else 3
    pos = _positions(panel.votes)
    s, r = pos.shape
    ind = np.empty((k, s, r), dtype=np.float32)
    for a in range(k):
        ind[a] = pos == a
    flat = ind.reshape(k * s, r)
    g = flat @ flat.T
    g = np.rint(g).astype(np.int64).reshape(k, s, k, s)
    return np.ascontiguousarray(g.transpose(1, 3, 0, 2))


def measures_from_tables(
    tables: np.ndarray,
    *,
    measures: Sequence[str] = MEASURES,
    distance: Distance = "absolute",
    min_votes: int = 10,
) -> dict[str, np.ndarray]:
    """Every requested measure from position tables of shape ``(..., 3, 3)`` (or ``(..., 4, 4)``,
    whose X row and column are ignored).

    See the module docstring for the formulas. Returns ``{measure: array of shape (...)}``;
    NaN where the measure rests on fewer than ``min_votes`` votes (for ``coincidence``, identical
    plus opposite Y/N votes) and, for kappa/pi, where the expected distance is 0 (an empty
    table is always NaN). Tables may hold counts or probabilities: with ``min_votes=0`` a
    3 x 3 table of joint probabilities gives the population value of each measure.
    """
    ms = _check_measures(measures)
    dist = _check_distance(distance)
    _check_options(0, 0.5, min_votes)
    t = np.asarray(tables)
    if t.shape[-2:] == (4, 4):
        t = t[..., :3, :3]
    elif t.shape[-2:] != (3, 3):
        raise MeasureError(f"tables must end in (3, 3) or (4, 4), got shape {t.shape}")
    lead = t.shape[:-2]
    values, _ = _compute(t, ms, dist, min_votes)
    return {m: values[:, k].reshape(lead) for k, m in enumerate(ms)}


def dyad_measures(
    panel: Panel,
    *,
    periods: np.ndarray | pd.Series | str | None = None,
    measures: Sequence[str] = MEASURES,
    pairs: list[tuple[str, str]] | None = None,
    min_votes: int = 10,
    distance: Distance = "absolute",
    bootstrap: int = 0,
    seed: int | None = None,
    ci: float = 0.95,
) -> pd.DataFrame:
    """Dyadic alignment per period, tidy.

    Parameters
    ----------
    periods:
        one label per resolution (array or Series, positional), or the name of a column of
        ``panel.resolutions``, or ``"year"`` (the year of ``date``); ``None``: one period
        labelled ``"all"``. Resolutions with a missing label are left out.
    measures:
        any of :data:`MEASURES` (formulas in the module docstring).
    pairs:
        dyads ``(state_a, state_b)`` to report, in that orientation; ``None``: every dyad
        ``i < j`` in panel order (for a panel with sorted states, alphabetical ``state_a <
        state_b``).
    min_votes:
        fewer usable votes than this -> NaN value (``n`` is still reported).
    distance:
        ``"absolute"`` |vi - vj| (d_max = 2) or ``"squared"`` (vi - vj)**2 (d_max = 4).
    bootstrap, seed, ci:
        number of bootstrap draws over the resolutions of each period (0: no interval), seed of
        ``numpy.random.default_rng``, and the coverage of the percentile interval. The cost is
        ``draws x resolutions x 9 x dyads`` per period: pass ``pairs`` when bootstrapping.

    Returns
    -------
    DataFrame with columns ``period, state_a, state_b, measure, value, lo, hi, n, n_absent,
    n_nonmember``, ordered by period, dyad, measure. ``state_a``, ``state_b`` and ``measure``
    are categoricals. ``n`` is what the value rests on (Y/N votes only for coincidence);
    ``n + n_absent + n_nonmember`` = resolutions in the period.
    """
    ms = _check_measures(measures)
    dist = _check_distance(distance)
    _check_options(bootstrap, ci, min_votes)
    if pairs is None:
        sub = np.arange(panel.n_states)
        ia, ib = np.triu_indices(panel.n_states, 1)
    else:
        left = [panel.state_index(a) for a, _ in pairs]
        right = [panel.state_index(b) for _, b in pairs]
        sub, inv = np.unique(np.asarray(left + right, dtype=np.intp), return_inverse=True)
        ia, ib = inv[: len(pairs)], inv[len(pairs) :]
    states = pd.Index(panel.states)
    labels, order, bounds = _period_groups(panel, periods)

    pos = _positions(panel.votes[sub][:, order])  # (S', R') columns grouped by period
    s = len(sub)
    # resolutions-major layout: each period is a contiguous block of rows
    ind = np.empty((pos.shape[1], 3, s), dtype=np.float32)
    for a in range(3):
        ind[:, a, :] = (pos == a).T
    mem = (pos >= 0).T.astype(np.float32)

    n_p, n_d, n_m = len(labels), len(ia), len(ms)
    values = np.empty((n_p, n_d, n_m))
    ns = np.empty((n_p, n_d, n_m), dtype=np.int64)
    n_absent = np.empty((n_p, n_d), dtype=np.int64)
    n_nonmember = np.empty((n_p, n_d), dtype=np.int64)
    lo = np.full((n_p, n_d, n_m), np.nan)
    hi = np.full((n_p, n_d, n_m), np.nan)
    rng = np.random.default_rng(seed) if bootstrap else None
    chunk = max(1, _CHUNK_CELLS // (9 * max(int(bootstrap), 1)))

    for p in range(n_p):
        b0, b1 = int(bounds[p]), int(bounds[p + 1])
        rp = b1 - b0
        x = ind[b0:b1].reshape(rp, 3 * s)
        g = (x.T @ x).reshape(3, s, 3, s)
        tables = g[:, ia, :, ib]  # (D, 3, 3)
        mp = mem[b0:b1]
        both_members = np.rint((mp.T @ mp)[ia, ib]).astype(np.int64)
        v, nn = _compute(tables, ms, dist, min_votes)
        values[p], ns[p] = v, nn
        n_used = np.rint(tables.reshape(-1, 9) @ np.ones(9, dtype=np.float32)).astype(np.int64)
        n_absent[p] = both_members - n_used
        n_nonmember[p] = rp - both_members
        if bootstrap:
            w = _resample_weights(rng, int(bootstrap), rp)
            codes = _pair_codes(pos[ia, b0:b1], pos[ib, b0:b1])
            for c0 in range(0, n_d, chunk):
                c1 = min(c0 + chunk, n_d)
                bt = (w @ _onehot9(codes[c0:c1])).reshape(-1, 3, 3)
                bv, _ = _compute(bt, ms, dist, min_votes)
                bv = bv.reshape(int(bootstrap), c1 - c0, n_m)
                lo[p, c0:c1], hi[p, c0:c1] = _percentile_interval(bv, ci)
    undefined = np.isnan(values)
    lo[undefined] = np.nan
    hi[undefined] = np.nan

    per = n_d * n_m
    p_codes = np.repeat(np.arange(n_p), per)
    a_codes = np.tile(np.repeat(sub[ia], n_m), n_p)
    b_codes = np.tile(np.repeat(sub[ib], n_m), n_p)
    m_codes = np.tile(np.arange(n_m), n_p * n_d)
    return pd.DataFrame(
        {
            "period": labels.take(p_codes),
            "state_a": pd.Categorical.from_codes(a_codes, categories=states),
            "state_b": pd.Categorical.from_codes(b_codes, categories=states),
            "measure": pd.Categorical.from_codes(m_codes, categories=pd.Index(ms)),
            "value": values.ravel(),
            "lo": lo.ravel(),
            "hi": hi.ravel(),
            "n": ns.ravel(),
            "n_absent": np.repeat(n_absent.ravel(), n_m),
            "n_nonmember": np.repeat(n_nonmember.ravel(), n_m),
        }
    )


def paired_difference(
    panel: Panel,
    a: str,
    b: str,
    c: str,
    *,
    measure: str = "agreement",
    periods: np.ndarray | pd.Series | str | None = None,
    bootstrap: int = 2000,
    seed: int | None = None,
    ci: float = 0.95,
    min_votes: int = 10,
    distance: Distance = "absolute",
    common: bool = False,
) -> pd.DataFrame:
    """Does ``a`` stand closer to ``b`` than to ``c``? ``effect = m(a, b) - m(a, c)`` per period,
    with a paired bootstrap interval.

    Each bootstrap draw resamples the period's resolutions once and recomputes *both* dyads'
    measures on that same resample, so the interval accounts for the two measures sharing
    resolutions (and ``a``'s votes).

    Which resolutions enter each measure: by default (``common=False``) each dyad uses the
    resolutions where the measure is defined for that dyad (both voted Y/A/N; Y/N only for
    coincidence), so ``effect`` equals the difference of the two :func:`dyad_measures` values;
    ``n_ab`` and ``n_ac`` count them. With ``common=True`` both dyads are restricted to the
    ``n_both`` resolutions where all three states voted Y/A/N (Y or N for coincidence), which
    compares like with like when ``b`` and ``c`` were members or present at different times.

    Returns a DataFrame with columns ``period, effect, lo, hi, n_ab, n_ac, n_both, value_ab,
    value_ac``; ``effect`` is NaN where either measure is (``min_votes``), and ``lo``/``hi`` are
    NaN when ``bootstrap=0`` (see the module docstring for undefined draws).
    """
    (m,) = _check_measures((measure,))
    dist = _check_distance(distance)
    _check_options(bootstrap, ci, min_votes)
    idx = [panel.state_index(x) for x in (a, b, c)]
    labels, order, bounds = _period_groups(panel, periods)
    pos = _positions(panel.votes[idx][:, order])  # (3, R')
    voted = (pos >= 0) & (pos < 3)
    if m == "coincidence":
        voted &= pos != 1
    both = voted.all(axis=0)
    codes = np.stack([_pair_codes(pos[0], pos[1]), _pair_codes(pos[0], pos[2])])
    if common:
        codes[:, ~both] = -1
    oh = _onehot9(codes)  # (R', 18)
    rng = np.random.default_rng(seed) if bootstrap else None

    n_p = len(labels)
    cols: dict[str, np.ndarray] = {
        k: np.full(n_p, np.nan) for k in ("effect", "lo", "hi", "value_ab", "value_ac")
    }
    n_ab = np.empty(n_p, dtype=np.int64)
    n_ac = np.empty(n_p, dtype=np.int64)
    n_both = np.empty(n_p, dtype=np.int64)
    for p in range(n_p):
        b0, b1 = int(bounds[p]), int(bounds[p + 1])
        ohp = oh[b0:b1]
        v, nn = _compute(ohp.sum(axis=0).reshape(2, 3, 3), (m,), dist, min_votes)
        cols["value_ab"][p], cols["value_ac"][p] = v[0, 0], v[1, 0]
        effect = v[0, 0] - v[1, 0]
        cols["effect"][p] = effect
        n_ab[p], n_ac[p] = nn[0, 0], nn[1, 0]
        n_both[p] = both[b0:b1].sum()
        if bootstrap:
            w = _resample_weights(rng, int(bootstrap), b1 - b0)
            bv, _ = _compute((w @ ohp).reshape(-1, 3, 3), (m,), dist, min_votes)
            bv = bv.reshape(int(bootstrap), 2)
            if np.isfinite(effect):
                lo, hi = _percentile_interval((bv[:, 0] - bv[:, 1])[:, None], ci)
                cols["lo"][p], cols["hi"][p] = lo[0], hi[0]
    return pd.DataFrame(
        {
            "period": labels,
            "effect": cols["effect"],
            "lo": cols["lo"],
            "hi": cols["hi"],
            "n_ab": n_ab,
            "n_ac": n_ac,
            "n_both": n_both,
            "value_ab": cols["value_ab"],
            "value_ac": cols["value_ac"],
        }
    )


def position_matrix(
    panel: Panel, a: str, b: str, *, include_absent: bool = False
) -> pd.DataFrame:
    """Cross-tabulation of the positions of ``a`` (rows) and ``b`` (columns) over the panel.

    Labels ``Y, A, N`` and, with ``include_absent``, ``X`` (member absent or not voting).
    Resolutions where either was not a member are not counted.
    """
    t = pair_tables(panel.select_states([a, b]), include_absent=include_absent)[0, 1]
    labels = list(POSITIONS[: t.shape[0]])
    return pd.DataFrame(
        t,
        index=pd.Index(labels, name=a),
        columns=pd.Index(labels, name=b),
    )


def _tallies(panel: Panel, pos: np.ndarray, how: str) -> np.ndarray:
    """(R, 3) counts of Y, A, N per resolution.

    ``"panel"``: counted over the states of the panel. ``"official"``: the ``yes, abstain, no``
    columns of ``panel.resolutions``, falling back to the panel counts for a resolution where
    any of the three is missing.
    """
    counts = np.stack([(pos == k).sum(axis=0) for k in range(3)], axis=1).astype(np.float64)
    if how == "panel":
        return counts
    if how != "official":
        raise MeasureError(f"unknown tallies {how!r}; expected 'panel' or 'official'")
    res = panel.resolutions
    cols = ["yes", "abstain", "no"]
    if not all(col in res.columns for col in cols):
        return counts
    off = np.column_stack(
        [pd.to_numeric(res[col], errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
         for col in cols]
    )
    ok = np.isfinite(off).all(axis=1)
    counts[ok] = off[ok]
    return counts


def contestedness(yes: np.ndarray, no: np.ndarray) -> np.ndarray:
    """``1 - |yes - no| / (yes + no)`` = twice the minority share of the Y/N votes.

    1 for an even split, 0 for a unanimous vote (and, by convention, where nobody voted Y or N);
    abstentions do not enter.
    """
    y = np.asarray(yes, dtype=np.float64)
    n = np.asarray(no, dtype=np.float64)
    tot = y + n
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(tot > 0, 1.0 - np.abs(y - n) / tot, 0.0)


def divergent_votes(
    panel: Panel,
    a: str,
    b: str,
    *,
    top: int | None = 20,
    tallies: Tallies = "panel",
) -> pd.DataFrame:
    """Resolutions where ``a`` and ``b`` both voted Y/A/N and differed, most contested first.

    Contestedness is :func:`contestedness` of the resolution's Y and N counts over all states
    voting (``tallies="panel"``: the states of the panel; ``"official"``: the recorded tallies,
    panel counts where they are missing). Ranking: contestedness descending, then the vote
    distance |va - vb| descending (a Y against an N before a Y against an A), then panel order.

    Returns ``rid, symbol, date, title`` (those present in the resolutions), ``vote_a, vote_b``
    (Y/A/N), ``distance``, the tallies used ``yes, abstain, no``, and ``contestedness``;
    at most ``top`` rows (all with ``top=None``).
    """
    ia, ib = panel.state_index(a), panel.state_index(b)
    pos = _positions(panel.votes)
    counts = _tallies(panel, pos, tallies)
    pa, pb = pos[ia], pos[ib]
    differ = (pa >= 0) & (pa < 3) & (pb >= 0) & (pb < 3) & (pa != pb)
    cols = np.flatnonzero(differ)
    dist = np.abs(pa[cols].astype(np.int64) - pb[cols])
    cont = contestedness(counts[cols, 0], counts[cols, 2])
    rank = np.lexsort((cols, -dist, -cont))
    if top is not None:
        rank = rank[: max(int(top), 0)]
    sel = cols[rank]
    res = panel.resolutions
    meta = [k for k in ("rid", "symbol", "date", "title") if k in res.columns]
    out = res.iloc[sel][meta].reset_index(drop=True)
    labels = np.array(POSITIONS[:3], dtype=object)
    out["vote_a"] = labels[pa[sel]]
    out["vote_b"] = labels[pb[sel]]
    out["distance"] = dist[rank]
    for k, name in enumerate(("yes", "abstain", "no")):
        out[name] = counts[sel, k].astype(np.int64)
    out["contestedness"] = cont[rank]
    return out


def majority_alignment(
    panel: Panel,
    *,
    periods: np.ndarray | pd.Series | str | None = None,
    min_votes: int = 10,
    tallies: Tallies = "panel",
) -> pd.DataFrame:
    """Share of each state's Y/A/N votes that match the Assembly's plurality position.

    The plurality position of a resolution is the most frequent of Y, A, N among all states
    voting Y/A/N on it (``tallies`` as in :func:`divergent_votes`). Resolutions with a tied
    plurality (e.g. 60 Y, 60 N) have no plurality position and are left out, as are a state's
    absences and non-member cells. ``value = matches / n`` per period, with ``n`` the state's
    Y/A/N votes on resolutions with a plurality position; NaN where ``n < min_votes``.

    Returns ``period, state, value, n`` for every period and every state of the panel.
    """
    _check_options(0, 0.5, min_votes)
    labels, order, bounds = _period_groups(panel, periods)
    pos_all = _positions(panel.votes)
    counts = _tallies(panel, pos_all, tallies)[order]
    pos = pos_all[:, order]
    top = counts.max(axis=1)
    unique = ((counts == top[:, None]).sum(axis=1) == 1) & (top > 0)
    plural = counts.argmax(axis=1)
    used = (pos >= 0) & (pos < 3) & unique[None, :]
    match = used & (pos == plural[None, :])
    n_p, n_s = len(labels), panel.n_states
    if pos.shape[1]:
        starts = bounds[:-1]
        n = np.add.reduceat(used.astype(np.int64), starts, axis=1)
        hits = np.add.reduceat(match.astype(np.int64), starts, axis=1)
    else:
        n = np.zeros((n_s, n_p), dtype=np.int64)
        hits = n.copy()
    with np.errstate(divide="ignore", invalid="ignore"):
        value = np.where(n >= max(min_votes, 1), hits / n, np.nan)
    return pd.DataFrame(
        {
            "period": labels.take(np.repeat(np.arange(n_p), n_s)),
            "state": pd.Categorical.from_codes(
                np.tile(np.arange(n_s), n_p), categories=pd.Index(panel.states)
            ),
            "value": value.T.ravel(),
            "n": n.T.ravel(),
        }
    )
