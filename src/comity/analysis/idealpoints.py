"""Dynamic ordinal ideal points from recorded votes: fast EM estimation with bootstrap errors.

Model
-----
Every recorded vote of state ``i`` on resolution ``r`` (in period ``t``: a GA session or a
calendar year) is an ordered choice ``N < A < Y`` (no, abstain, yes) driven by a latent utility
difference::

    y*_ir = beta_k . x_it + e_ir          e_ir ~ N(0, 1)  (probit)  or  logistic (logit)
    vote  = N  if y* < c1_k,   A  if c1_k <= y* < c2_k,   Y  if y* >= c2_k

``x_it`` (``n_dims`` numbers) is the ideal point of state ``i`` in period ``t``; the *item*
``k = k(r)`` of resolution ``r`` has a discrimination ``beta_k`` and two cut points
``c1_k <= c2_k``. An item on which nobody abstained has a single cut point (``c1 = c2``), i.e. it
is a binary probit/logit item. Absences (code 8) and non-membership (code 9) are missing data,
not votes: they carry no information about the position of a state.

*Dynamics.* Each state's ideal point follows a Gaussian random walk over the periods in which it
was a member: ``x_i,first ~ N(0, I)`` and ``x_it ~ N(x_i,t-1, walk_variance * gap * I)``, where
``gap`` is the distance between consecutive period labels (a year with no recorded vote widens
the step). Periods between a state's first and last vote without any vote of that state (e.g.
South Africa 1974-1994) are bridged by the walk but not reported.

*Bridging.* Resolutions that recur with the same text share one item (the same ``beta`` and cut
points), which ties the scale of one period to the next (Bailey, Strezhnev & Voeten 2017). "The
same text" is decided by :func:`bridge_key`: the title, lower-cased, with the catalogue
boilerplate (``: resolution / adopted by the General Assembly``) and every digit and punctuation
mark removed. Two resolutions are bridged when they have the same key and: (a) both are votes
on a whole text (not amendment or separate-paragraph votes, when the panel says so); (b) the key
occurs exactly once among the whole-text votes of each of their periods (a title under which
several resolutions were adopted in one session, e.g. "Question of Palestine" A, B, C...,
identifies none of them);
(c) they are in a chain of occurrences in which consecutive occurrences are at most
``bridge_max_gap`` periods apart (so a title reused after a long break starts a new item).

*Priors.* ``x_i,first ~ N(0, I)`` (above), ``beta_k ~ N(0, 25 I)``, cut points ``~ N(0, 25)``
(the defaults of ``pscl::ideal`` and of Imai, Lo & Olmsted). They make the posterior mode exist
(a state that always votes with one side would otherwise drift to infinity) and they set the
scale of the mode.

*Identification.* The likelihood does not change if all ideal points are moved, stretched
(with several dimensions: transformed linearly) or reflected, items compensating. The estimate
is the posterior mode under the priors above, reported after an affine transformation that
leaves the fit unchanged: over all (state, period) cells with at least one vote the reported
ideal points have mean 0 and identity covariance (unit variance); with several dimensions the
axes are then rotated to the principal axes of the item discriminations (dimension 1 separates
the most votes); every dimension is signed so that the ``anchor`` state's mean position is
positive (default USA; if the anchor is not in the panel, the state with the most votes, as
recorded in ``anchor_``). ``walk_variance`` is in the units of the prior (a state's first
position has variance 1); the same variance in the reported units is
``walk_variance_effective_`` (``walk_variance / scale_**2``, with ``scale_`` the standard
deviation of the posterior mode before the rescaling).

Estimation
----------
The posterior mode, by an EM algorithm in the manner of Imai, Lo & Olmsted (2016): the latent
``y*`` are the missing data, (x, beta, cut points) the parameters. For the probit link the
E-step is the mean of the truncated normal, ``E[y*] = eta + g`` with
``g = d log P(vote) / d eta``; for the logit link the same pseudo-response ``eta + g / w``
comes from a quadratic minorizer of the log-likelihood with curvature ``w = 1/4`` (Y, N) or
``1/2`` (A), which bounds the ordered-logit log-likelihood's curvature (an MM algorithm; with
the probit link ``w = 1`` and it *is* EM). Each iteration takes conditional-maximisation steps
(ECM/ECME, Meng & Rubin 1993; Liu & Rubin 1994):

1. items: weighted least squares of the pseudo-response on ``(1, x)``, every item at once (a
   batched ``(d+1) x (d+1)`` solve); the intercept is folded into the cut points;
2. ideal points: the random-walk prior makes the normal equations of a state's whole path
   block-tridiagonal; all states are solved together by one forward and one backward sweep
   over the periods (a Kalman smoother in information form);
3. cut points: a Newton step on the *observed* log-likelihood of every item (concave in the
   cut points), kept only where it increases it;
4. parameter expansion (Liu, Rubin & Wu 1998) along the directions the likelihood cannot see:
   the best common shift and per-dimension scale of all ideal points (closed form), then a
   Newton step on a shift of each period's ideal points with the cut points of that period's
   unbridged items moved along (kept if the log posterior increases). These remove the slow
   directions of plain EM (weakly bridged early sessions drift otherwise).

Steps 1-2 first use the exact (Newton/IRLS) curvature instead of the EM bound, which converges
in far fewer iterations; an iteration that would lower the log posterior is redone with the EM
curvature, which cannot. The sequence of iterations is accelerated by SQUAREM (Varadhan &
Roland 2008), an extrapolation kept only when it increases the log posterior; the log posterior
therefore never decreases. Everything is vectorised over votes (``numpy.bincount`` over the
observed cells); the only Python loops are over iterations and periods. Convergence: no
ideal point moves more than ``tol`` (on the scale of the mode) in an iteration; otherwise an
:class:`IdealPointsConvergenceWarning` is issued and ``converged_`` is False.

Uncertainty
-----------
Standard errors come from a bootstrap over resolutions, stratified by period: in each replicate
the resolutions of every period are drawn with replacement (multinomial counts used as weights:
a resolution drawn twice counts twice), the model is refitted starting from the full-data mode,
identified the same way (and, with several dimensions, rotated onto the full-data axes by
orthogonal Procrustes), and ``se`` is the standard deviation of the replicates. ``lo, hi`` are
``estimate -/+ 1.96 se``. Replicates run in ``n_jobs`` processes. In simulations like those of
``tests/test_idealpoints.py`` the 95% intervals cover the true (standardised) positions 90-98%
of the time.

Assumptions and limits
----------------------
- Votes are conditionally independent given the ideal points; bloc discipline or log-rolling
  shows up as shared position, not as dependence.
- ``n_dims`` dimension(s) with ordered Y > A > N: an abstention is a middle position, not a
  protest or a tactical choice. Absences are ignored (treated as missing at random).
- The scale is comparable across periods only through bridged items and the smoothness of the
  random walk; ``walk_variance`` trades responsiveness against noise and is a choice, not an
  estimate.
- Estimates are posterior modes (MAP), not posterior means: states with very one-sided records
  (e.g. the USSR in the 1950s-60s) are placed far out with wide intervals; states with few
  votes are pulled towards their neighbouring periods. The bootstrap captures the sampling
  variability of the resolutions, not the bias of the prior or of the smoothing.
- With a whole-GA panel the first sessions (few members, few bridged items) are the least
  anchored to the later scale.
- Bridging by title is a heuristic: same-titled resolutions may differ in text.
- A cached fit (:func:`comity.store.fitcache.store_fit`) is a snapshot: refit after new votes are
  ingested.

References
----------
- Imai, K., Lo, J. & Olmsted, J. (2016). Fast Estimation of Ideal Points with Massive Data.
  *American Political Science Review* 110(4), 631-656.
- Bailey, M. A., Strezhnev, A. & Voeten, E. (2017). Estimating Dynamic State Preferences from
  United Nations Voting Data. *Journal of Conflict Resolution* 61(2), 430-456.
- Varadhan, R. & Roland, C. (2008). Simple and Globally Convergent Methods for Accelerating
  the Convergence of Any EM Algorithm. *Scandinavian Journal of Statistics* 35(2), 335-353.
- Liu, C., Rubin, D. B. & Wu, Y. N. (1998). Parameter Expansion to Accelerate EM: the PX-EM
  Algorithm. *Biometrika* 85(4), 755-770.
- Martin, A. D. & Quinn, K. M. (2002). Dynamic Ideal Point Estimation via Markov Chain Monte
  Carlo for the U.S. Supreme Court. *Political Analysis* 10(2), 134-153.
"""

from __future__ import annotations

import math
import os
import re
import time
import warnings
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import special

from comity.errors import EstimationError
from comity.store.panel import ABSTAIN, NO, YES, Panel

__all__ = [
    "ConvergenceWarning",
    "DynamicIdealPoints",
    "IdealPointsConvergenceWarning",
    "bridge_items",
    "bridge_key",
]

PRIOR_X0_VAR = 1.0
PRIOR_BETA_VAR = 25.0
PRIOR_CUT_VAR = 25.0
_LOG_SQRT_2PI = 0.5 * math.log(2.0 * math.pi)


class ConvergenceWarning(UserWarning):
    """An iterative estimator stopped before meeting its convergence criterion.

    (Defined here rather than imported from scikit-learn, whose import costs a second of CLI
    start-up; filter it like ``sklearn.exceptions.ConvergenceWarning``.)
    """


class IdealPointsConvergenceWarning(ConvergenceWarning):
    """:class:`DynamicIdealPoints` reached ``max_iter`` before the change fell below ``tol``."""


# ------------------------------------------------------------------------------------------
# bridging
# ------------------------------------------------------------------------------------------
_BOILERPLATE = re.compile(
    r"(:\s*)?(draft\s+)?resolution\s*/?\s*(as\s+)?adopted\s+by\s+the\s+general\s+assembly\w*"
    r"|\[\.\.\.\]")
_NONLETTER = re.compile(r"[^a-z]+")


def bridge_key(title: str | None) -> str:
    """Normalised title used to decide that two resolutions have "the same text".

    Lower-case; the catalogue boilerplate (``: resolution / adopted by the General Assembly``)
    and a truncation mark ``[...]`` are removed; every run of characters other than the
    letters a-z (digits, punctuation, accents) becomes one space. ``""`` for a missing title.
    """
    if title is None or (isinstance(title, float) and math.isnan(title)):
        return ""
    t = _BOILERPLATE.sub(" ", str(title).lower())
    return _NONLETTER.sub(" ", t).strip()


def bridge_items(
    resolutions: pd.DataFrame,
    period: np.ndarray,
    *,
    max_gap: int = 3,
) -> tuple[np.ndarray, np.ndarray]:
    """Item index of every resolution (column) after bridging, and the key of every item.

    ``period`` gives the period label of every row of ``resolutions`` (integers). The rule is
    documented in the module docstring. Returns ``(item_of_column, item_keys)`` where items are
    numbered ``0..K-1`` in order of first appearance (column order).
    """
    n = len(resolutions)
    if n == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=object)
    period = np.asarray(period, dtype=np.int64)
    titles = resolutions["title"] if "title" in resolutions.columns else pd.Series([None] * n)
    keys = np.array([bridge_key(t) for t in titles], dtype=object)
    ok = keys != ""
    for flag in ("amend", "para"):
        if flag in resolutions.columns:
            ok &= ~resolutions[flag].fillna(False).to_numpy(dtype=bool)
    kcode = pd.factorize(keys)[0].astype(np.int64)
    _, pcode = np.unique(period, return_inverse=True)
    kp = kcode * (int(pcode.max()) + 1) + pcode
    # among the eligible votes, a key must occur once in a period
    n_same = np.bincount(kp[ok], minlength=int(kp.max()) + 1)
    ok &= n_same[kp] == 1
    group = np.arange(n, dtype=np.int64) + n  # singletons: distinct ids above the chain ids
    e = np.flatnonzero(ok)
    if len(e):
        e = e[np.lexsort((period[e], kcode[e]))]
        ke, pe = kcode[e], period[e]
        new_chain = np.ones(len(e), dtype=bool)
        new_chain[1:] = (ke[1:] != ke[:-1]) | (np.diff(pe) > max_gap)
        group[e] = np.cumsum(new_chain) - 1
    _, item = np.unique(group, return_inverse=True)
    # renumber by first appearance so that the item order follows the column order
    first = np.full(item.max() + 1, n, dtype=np.int64)
    np.minimum.at(first, item, np.arange(n))
    order = np.argsort(first, kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    item = rank[item]
    item_keys = np.empty(item.max() + 1, dtype=object)
    item_keys[item] = np.where(ok, keys, "")
    return item.astype(np.int64), item_keys


# ------------------------------------------------------------------------------------------
# prepared data
# ------------------------------------------------------------------------------------------
@dataclass
class _Data:
    """Observed cells in long form plus the structure of the state paths."""

    cs: np.ndarray  # state index per cell
    cc: np.ndarray  # column (resolution) index per cell
    ct: np.ndarray  # period index per cell
    cst: np.ndarray  # state * n_periods + period
    ck: np.ndarray  # item index per cell
    cy: np.ndarray  # category 0 = N, 1 = A, 2 = Y
    cw: np.ndarray | None  # cell weights (bootstrap), None = 1
    n_states: int
    n_periods: int
    n_items: int
    n_cols: int
    gap: np.ndarray  # (T,) distance to the previous period label (gap[0] unused)
    inrange: np.ndarray  # (S, T) between a state's first and last vote
    active: np.ndarray  # (S, T) at least one vote
    first: np.ndarray  # (S,) first period index
    ordinal: np.ndarray  # (K,) an abstention was observed on the item
    item_period: np.ndarray  # (K,) the item's period if all its resolutions are in one, -1
    col_period: np.ndarray  # (R,)

    def with_column_weights(self, w: np.ndarray) -> _Data:
        """The same data with resolution ``r`` counted ``w[r]`` times (0 drops it)."""
        cw = w[self.cc].astype(np.float64)
        keep = cw > 0
        return replace(
            self, cs=self.cs[keep], cc=self.cc[keep], ct=self.ct[keep], cst=self.cst[keep],
            ck=self.ck[keep], cy=self.cy[keep], cw=cw[keep])


@dataclass
class _Params:
    x: np.ndarray  # (S, T, d)
    beta: np.ndarray  # (K, d)
    cut: np.ndarray  # (K, 2)

    def copy(self) -> _Params:
        return _Params(self.x.copy(), self.beta.copy(), self.cut.copy())


@dataclass
class _Result:
    params: _Params  # identified (standardised, signed)
    raw: _Params  # the posterior mode itself (warm start of the bootstrap)
    scale: np.ndarray
    n_iter: int
    converged: bool
    change: float
    loglik: float
    objective: float


@dataclass(frozen=True)
class _Config:
    n_dims: int
    link: str
    walk_variance: float
    max_iter: int
    tol: float
    anchor_index: int


# ------------------------------------------------------------------------------------------
# per-cell likelihood terms
# ------------------------------------------------------------------------------------------
def _dot(a: np.ndarray, b: np.ndarray) -> float:
    """Inner product without BLAS (whose threads stall on a busy machine)."""
    return float(np.einsum("i,i->", a, b))


def _one_sided(u: np.ndarray, link: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``log F(u)``, ``r = d log F / du`` and ``h = d2 log F / du2``."""
    if link == "probit":
        p = special.ndtr(u)
        bad = ~(p > 1e-300)
        with np.errstate(divide="ignore"):
            logp = np.log(p)
        fu = np.exp(-0.5 * u * u - _LOG_SQRT_2PI)
        with np.errstate(invalid="ignore", divide="ignore"):
            r = fu / p
        if bad.any():  # far lower tail: log space on the few cells that need it
            lp = special.log_ndtr(u[bad])
            logp[bad] = lp
            r[bad] = np.exp(-0.5 * u[bad] ** 2 - _LOG_SQRT_2PI - lp)
        return logp, r, -r * (u + r)
    fm = special.expit(-u)
    return special.log_expit(u), fm, -fm * (1.0 - fm)


def _two_sided(a: np.ndarray, b: np.ndarray, link: str
               ) -> tuple[np.ndarray, ...]:
    """``log(F(b) - F(a))`` and its first and second derivatives in ``(a, b)``, ``a < b``."""
    if link == "probit":
        flip = a > 0
        a2 = np.where(flip, -b, a)
        b2 = np.where(flip, -a, b)
        p = special.ndtr(b2) - special.ndtr(a2)
        bad = ~(p > 1e-300)
        with np.errstate(divide="ignore"):
            logp = np.log(p)
        with np.errstate(invalid="ignore", divide="ignore"):
            fa = np.exp(-0.5 * a * a - _LOG_SQRT_2PI) / p
            fb = np.exp(-0.5 * b * b - _LOG_SQRT_2PI) / p
        if bad.any():
            la = special.log_ndtr(a2[bad])
            lb = special.log_ndtr(b2[bad])
            with np.errstate(divide="ignore"):
                lp = lb + np.log1p(-np.exp(la - lb))
            logp[bad] = lp
            fa[bad] = np.exp(-0.5 * a[bad] ** 2 - _LOG_SQRT_2PI - lp)
            fb[bad] = np.exp(-0.5 * b[bad] ** 2 - _LOG_SQRT_2PI - lp)
        # l_a = -fa, l_b = fb, f'(u) = -u f(u)
        return logp, -fa, fb, a * fa - fa * fa, -b * fb - fb * fb, fa * fb
    # logit: F(b) - F(a) = F(b) F(-a) (1 - exp(a - b))
    d = -np.expm1(a - b)
    logp = special.log_expit(b) + special.log_expit(-a) + np.log(d)
    faa = special.expit(a)
    fbb = special.expit(b)
    ra = faa / (fbb * d)
    rb = special.expit(-b) / (special.expit(-a) * d)
    return (logp, -ra, rb, -ra * (1.0 - 2.0 * faa) - ra * ra,
            rb * (1.0 - 2.0 * fbb) - rb * rb, ra * rb)


@dataclass
class _Terms:
    """Per-cell log-likelihood and derivatives at one parameter value (cells sorted N, A, Y).

    ``la, lb`` are the derivatives of ``log P(vote)`` w.r.t. the lower and upper bound
    ``a = cut_low - eta``, ``b = cut_high - eta``; ``laa, lbb, lab`` the second derivatives
    (zero where a bound is infinite).
    """

    eta: np.ndarray
    logp: np.ndarray
    la: np.ndarray
    lb: np.ndarray
    laa: np.ndarray
    lbb: np.ndarray
    lab: np.ndarray

    @cached_property
    def grad_eta(self) -> np.ndarray:
        return -(self.la + self.lb)

    @cached_property
    def curv_eta(self) -> np.ndarray:
        """``-d2 log P / d eta2`` (positive: the log-likelihood is concave in eta)."""
        return -(self.laa + self.lbb + 2.0 * self.lab)


# ------------------------------------------------------------------------------------------
# the estimator core
# ------------------------------------------------------------------------------------------
class _Core:
    """One fit on a prepared data set: the EM / Newton iterations."""

    def __init__(self, data: _Data, cfg: _Config) -> None:
        self.d = data
        self.cfg = cfg
        self.w = data.cw if data.cw is not None else np.ones(len(data.cs))
        cy = data.cy
        # cells are sorted by category: [N | A | Y]
        self.n0 = int(np.searchsorted(cy, 1))
        self.n1 = int(np.searchsorted(cy, 2))
        n = len(cy)
        self.em_curv = np.ones(n) if cfg.link == "probit" else np.where(cy == 1, 0.5, 0.25)
        self.n_item_obs = np.bincount(data.ck, weights=self.w, minlength=data.n_items)
        self.single = data.item_period >= 0
        self.br_idx = np.flatnonzero(~self.single[data.ck])  # cells of multi-period items
        self.br_ct = data.ct[self.br_idx]
        self.br_ck = data.ck[self.br_idx]
        self.br_w = self.w[self.br_idx]
        t_n = data.n_periods
        inr = data.inrange
        self.link = np.zeros((data.n_states, t_n), dtype=bool)
        self.link[:, 1:] = inr[:, 1:] & inr[:, :-1]
        q = np.ones(t_n)
        q[1:] = 1.0 / (cfg.walk_variance * data.gap[1:])
        self.q = q

    # -- evaluation ------------------------------------------------------------------------
    def eta(self, p: _Params) -> np.ndarray:
        d = self.d
        xf = p.x.reshape(-1, p.x.shape[2])
        if xf.shape[1] == 1:
            return p.beta[d.ck, 0] * xf[d.cst, 0]
        return np.einsum("nd,nd->n", p.beta[d.ck], xf[d.cst])

    def terms(self, p: _Params, eta: np.ndarray | None = None) -> _Terms:
        if eta is None:
            eta = self.eta(p)
        ck, n0, n1 = self.d.ck, self.n0, self.n1
        link = self.cfg.link
        n = len(eta)
        logp = np.empty(n)
        la = np.zeros(n)
        lb = np.zeros(n)
        laa = np.zeros(n)
        lbb = np.zeros(n)
        lab = np.zeros(n)
        c1, c2 = p.cut[:, 0], p.cut[:, 1]
        # N: log F(c1 - eta)
        u = c1[ck[:n0]] - eta[:n0]
        logp[:n0], lb[:n0], lbb[:n0] = _one_sided(u, link)
        # A: log(F(c2 - eta) - F(c1 - eta))
        a = c1[ck[n0:n1]] - eta[n0:n1]
        b = c2[ck[n0:n1]] - eta[n0:n1]
        (logp[n0:n1], la[n0:n1], lb[n0:n1], laa[n0:n1], lbb[n0:n1],
         lab[n0:n1]) = _two_sided(a, b, link)
        # Y: log(1 - F(c2 - eta)) = log F(eta - c2)
        u = eta[n1:] - c2[ck[n1:]]
        lp, r, h = _one_sided(u, link)
        logp[n1:], la[n1:], laa[n1:] = lp, -r, h
        return _Terms(eta=eta, logp=logp, la=la, lb=lb, laa=laa, lbb=lbb, lab=lab)

    def item_sum(self, v: np.ndarray, lo: int = 0, hi: int | None = None) -> np.ndarray:
        ck = self.d.ck if (lo == 0 and hi is None) else self.d.ck[lo:hi]
        return np.bincount(ck, weights=v, minlength=self.d.n_items)

    def x_prior(self, x: np.ndarray) -> float:
        """Minus the log density of the random-walk prior (up to a constant)."""
        d = self.d
        first = x[np.arange(d.n_states), d.first]
        dx = np.diff(x, axis=1)
        rw = (self.q[None, 1:, None] * dx * dx * self.link[:, 1:, None]).sum()
        return 0.5 * float((first * first).sum() / PRIOR_X0_VAR + rw)

    def objective(self, p: _Params, t: _Terms) -> float:
        """Log posterior (up to a constant): log-likelihood plus the log priors."""
        ordn = self.d.ordinal
        cut_pr = np.where(ordn, p.cut[:, 0] ** 2 + p.cut[:, 1] ** 2, p.cut[:, 0] ** 2).sum()
        return float(_dot(self.w, t.logp) - 0.5 * (p.beta ** 2).sum() / PRIOR_BETA_VAR
                     - 0.5 * cut_pr / PRIOR_CUT_VAR - self.x_prior(p.x))

    def cut_objective(self, logp: np.ndarray, cut: np.ndarray) -> np.ndarray:
        """Per-item observed log-likelihood plus the cut-point prior."""
        ll = self.item_sum(self.w * logp)
        pr = np.where(self.d.ordinal, cut[:, 0] ** 2 + cut[:, 1] ** 2, cut[:, 0] ** 2)
        return ll - 0.5 * pr / PRIOR_CUT_VAR

    # -- conditional maximisation steps ----------------------------------------------------
    def item_step(self, p: _Params, ytil: np.ndarray, wc: np.ndarray) -> np.ndarray:
        """Weighted LS of the pseudo-response on (1, x) per item; intercept folded into cuts.

        Returns the intercepts (the shift of the latent scale of every item)."""
        d = self.d
        nd = p.x.shape[2]
        xc = p.x.reshape(-1, nd)[d.cst]
        m = nd + 1
        a_mat = np.empty((d.n_items, m, m))
        rhs = np.empty((d.n_items, m))
        cols = [None, *[xc[:, i] for i in range(nd)]]
        for i in range(m):
            wz = wc if cols[i] is None else wc * cols[i]
            rhs[:, i] = self.item_sum(wz * ytil)
            for j in range(i, m):
                s = self.item_sum(wz if cols[j] is None else wz * cols[j])
                a_mat[:, i, j] = s
                a_mat[:, j, i] = s
        # the intercept a shifts both cut points, so the cut-point prior becomes its prior
        ncut = np.where(d.ordinal, 2.0, 1.0)
        mean_cut = np.where(d.ordinal, p.cut.mean(axis=1), p.cut[:, 0])
        pa = ncut / PRIOR_CUT_VAR
        a_mat[:, 0, 0] += pa
        rhs[:, 0] += pa * mean_cut
        idx = np.arange(1, m)
        a_mat[:, idx, idx] += 1.0 / PRIOR_BETA_VAR
        if m == 2:  # closed-form 2x2 solve
            det = a_mat[:, 0, 0] * a_mat[:, 1, 1] - a_mat[:, 0, 1] ** 2
            s0 = (a_mat[:, 1, 1] * rhs[:, 0] - a_mat[:, 0, 1] * rhs[:, 1]) / det
            s1 = (a_mat[:, 0, 0] * rhs[:, 1] - a_mat[:, 0, 1] * rhs[:, 0]) / det
            sol = np.stack([s0, s1], axis=1)
        else:
            sol = np.linalg.solve(a_mat, rhs[..., None])[..., 0]
        p.beta = sol[:, 1:]
        p.cut = p.cut - sol[:, :1]
        return sol[:, 0]

    def x_step(self, p: _Params, ytil: np.ndarray, wc: np.ndarray) -> None:
        """Ideal-point paths of all states (random-walk prior, batched Thomas solve)."""
        d = self.d
        nd = p.x.shape[2]
        bk = p.beta[d.ck]
        n_st = d.n_states * d.n_periods
        amat = np.empty((n_st, nd, nd))
        bvec = np.empty((n_st, nd))
        for i in range(nd):
            wb = wc * bk[:, i]
            bvec[:, i] = np.bincount(d.cst, weights=wb * ytil, minlength=n_st)
            for j in range(i, nd):
                s = np.bincount(d.cst, weights=wb * bk[:, j], minlength=n_st)
                amat[:, i, j] = s
                amat[:, j, i] = s
        amat = amat.reshape(d.n_states, d.n_periods, nd, nd)
        bvec = bvec.reshape(d.n_states, d.n_periods, nd)
        p.x = _solve_paths(amat, bvec, self)

    def cut_step(self, p: _Params, t: _Terms, mult: np.ndarray
                 ) -> tuple[np.ndarray, _Terms, np.ndarray]:
        """One safeguarded Newton step on every item's cut points (observed likelihood)."""
        n0, n1 = self.n0, self.n1
        w = self.w
        # d/d cut1: N cells (upper bound) and A cells (lower bound); d/d cut2: A (upper), Y
        g1 = self.item_sum(w[:n0] * t.lb[:n0], 0, n0) + self.item_sum(
            w[n0:n1] * t.la[n0:n1], n0, n1)
        g2 = self.item_sum(w[n0:n1] * t.lb[n0:n1], n0, n1) + self.item_sum(
            w[n1:] * t.la[n1:], n1)
        h11 = self.item_sum(w[:n0] * t.lbb[:n0], 0, n0) + self.item_sum(
            w[n0:n1] * t.laa[n0:n1], n0, n1)
        h22 = self.item_sum(w[n0:n1] * t.lbb[n0:n1], n0, n1) + self.item_sum(
            w[n1:] * t.laa[n1:], n1)
        h12 = self.item_sum(w[n0:n1] * t.lab[n0:n1], n0, n1)
        c1, c2 = p.cut[:, 0], p.cut[:, 1]
        pr = 1.0 / PRIOR_CUT_VAR
        ordn = self.d.ordinal
        g1o, g2o = g1 - c1 * pr, g2 - c2 * pr
        a11, a22, a12 = h11 - pr, h22 - pr, h12
        det = a11 * a22 - a12 * a12
        with np.errstate(invalid="ignore", divide="ignore"):
            s1 = -(a22 * g1o - a12 * g2o) / det
            s2 = -(-a12 * g1o + a11 * g2o) / det
            sb = -(g1 + g2 - c1 * pr) / (h11 + h22 + 2.0 * h12 - pr)
        s1 = np.nan_to_num(np.where(ordn, s1, sb))
        s2 = np.nan_to_num(np.where(ordn, s2, sb))
        big = np.maximum(np.abs(s1), np.abs(s2))
        m = mult * np.where(big > 2.0, 2.0 / np.maximum(big, 1e-300), 1.0)
        dgap = s2 - s1
        with np.errstate(invalid="ignore", divide="ignore"):
            lim = np.where(ordn & (dgap < 0), 0.9 * (c2 - c1) / np.maximum(-dgap, 1e-300),
                           np.inf)
        m = np.minimum(m, lim)
        old_obj = self.cut_objective(t.logp, p.cut)
        new_cut = np.stack([c1 + m * s1, c2 + m * s2], axis=1)
        nt = self.terms(_Params(p.x, p.beta, new_cut), t.eta)
        ok = self.cut_objective(nt.logp, new_cut) >= old_obj - 1e-10 * np.maximum(
            1.0, np.abs(old_obj))
        if ok.all():
            return new_cut, nt, np.minimum(1.0, mult * 2.0)
        new_cut[~ok] = p.cut[~ok]
        nt = self.terms(_Params(p.x, p.beta, new_cut), t.eta)
        return new_cut, nt, np.where(ok, np.minimum(1.0, mult * 2.0), mult * 0.25)

    def orient(self, p: _Params) -> np.ndarray:
        """Identification after the fit, leaving the likelihood unchanged: over the active
        cells, mean 0 and identity covariance (items transformed to match); with several
        dimensions, rotation to the principal axes of the discriminations; every dimension
        signed so that the anchor's mean is positive. Returns the standard deviations of
        the raw estimates along the final axes (the scale the priors had set)."""
        d = self.d
        xa = p.x[d.active]
        mu = xa.mean(axis=0)
        cov = np.atleast_2d(np.cov(xa, rowvar=False, bias=True))
        ev, evec = np.linalg.eigh(cov)
        if not ev.min() > 1e-12:
            raise EstimationError("ideal points collapsed to a point (or a line with several "
                                  "dimensions): the votes carry too little information")
        w_mat = evec @ np.diag(ev ** -0.5) @ evec.T
        w_inv = evec @ np.diag(ev ** 0.5) @ evec.T
        p.cut = p.cut - np.einsum("kd,d->k", p.beta, mu)[:, None]
        p.beta = p.beta @ w_inv
        p.x = (p.x - mu) @ w_mat
        q = np.eye(len(mu))
        if len(mu) > 1:
            has = self.n_item_obs > 0
            evb, q = np.linalg.eigh(p.beta[has].T @ p.beta[has])
            q = q[:, np.argsort(evb)[::-1]]
            p.x = p.x @ q
            p.beta = p.beta @ q
        p.x[~d.inrange] = 0.0
        i = self.cfg.anchor_index
        act = d.active[i]
        pos = p.x[i, act].mean(axis=0) if act.any() else np.ones(len(mu))
        sign = np.where(pos < 0, -1.0, 1.0)
        p.x = p.x * sign
        p.beta = p.beta * sign
        return np.sqrt(np.diag(q.T @ cov @ q))

    def px_step(self, p: _Params) -> None:
        """Parameter expansion (Liu, Rubin & Wu 1998): the likelihood is unchanged by moving
        every ideal point by ``m`` (cut points by ``beta . m``) and by scaling each dimension
        of x by ``s`` (of beta by ``1/s``); only the priors change, and the best ``m`` and
        ``s`` are in closed form. Taking them every iteration removes the slowest directions
        of the iterations (the location and scale the priors set)."""
        d = self.d
        nd = p.x.shape[2]
        has = self.n_item_obs > 0
        ncut = np.where(d.ordinal, 2.0, 1.0)[has]
        beta = p.beta[has]
        csum = np.where(d.ordinal, p.cut.sum(axis=1), p.cut[:, 0])[has]
        first = p.x[np.arange(d.n_states), d.first]  # (S, d)
        mat = (d.n_states / PRIOR_X0_VAR) * np.eye(nd) + np.einsum(
            "kd,k,ke->de", beta, ncut, beta) / PRIOR_CUT_VAR
        rhs = -(first.sum(axis=0) / PRIOR_X0_VAR + np.einsum("kd,k->d", beta, csum)
                / PRIOR_CUT_VAR)
        m = np.linalg.solve(mat, rhs)
        p.x = p.x + m
        p.x[~d.inrange] = 0.0
        p.cut = p.cut + np.einsum("kd,d->k", p.beta, m)[:, None]
        first = p.x[np.arange(d.n_states), d.first]
        dx = np.diff(p.x, axis=1) * self.link[:, 1:, None]
        a = 0.5 * ((first ** 2).sum(axis=0) / PRIOR_X0_VAR
                   + (self.q[None, 1:, None] * dx * dx).sum(axis=(0, 1)))
        b = 0.5 * (p.beta ** 2).sum(axis=0) / PRIOR_BETA_VAR
        ok = (a > 0) & (b > 0)
        sc = np.where(ok, (b / np.where(ok, a, 1.0)) ** 0.25, 1.0)
        p.x = p.x * sc
        p.beta = p.beta / sc

    def period_shift(self, p: _Params, t: _Terms, obj: float
                     ) -> tuple[_Params, _Terms, float]:
        """Newton step on a shift ``m_t`` of all ideal points of each period, with the cut
        points of the items voted in that period only moved along (so that their likelihood
        is unchanged): only the random-walk prior, the cut-point prior and the bridged items
        change. Removes the slow drift of weakly bridged periods; kept if it increases the
        log posterior."""
        d = self.d
        nd = p.x.shape[2]
        t_n = d.n_periods
        eye = np.eye(nd)
        grad = np.zeros((t_n, nd))
        hess = np.zeros((t_n, nd, nd))  # of minus the log posterior
        bi = self.br_idx
        if len(bi):
            ct = self.br_ct
            bk = p.beta[self.br_ck]
            wg = self.br_w * -(t.la[bi] + t.lb[bi])
            wc = self.br_w * -(t.laa[bi] + t.lbb[bi] + 2.0 * t.lab[bi])
            for i in range(nd):
                grad[:, i] += np.bincount(ct, weights=wg * bk[:, i], minlength=t_n)
                for j in range(i, nd):
                    h = np.bincount(ct, weights=wc * bk[:, i] * bk[:, j], minlength=t_n)
                    hess[:, i, j] += h
                    if j != i:
                        hess[:, j, i] += h
        s_n = d.n_states
        first = p.x[np.arange(s_n), d.first]
        np.add.at(grad, d.first, -first / PRIOR_X0_VAR)
        n_first = np.bincount(d.first, minlength=t_n)
        dx = np.diff(p.x, axis=1) * self.link[:, 1:, None]  # (S, T-1, d)
        qdx = (self.q[None, 1:, None] * dx).sum(axis=0)  # (T-1, d)
        grad[1:] -= qdx
        grad[:-1] += qdx
        qn = self.q[1:] * self.link[:, 1:].sum(axis=0)  # (T-1,)
        diag_prior = n_first / PRIOR_X0_VAR
        diag_prior = diag_prior + np.concatenate([[0.0], qn]) + np.concatenate([qn, [0.0]])
        hess += diag_prior[:, None, None] * eye
        single = self.single
        if single.any():
            ip = d.item_period[single]
            bs = p.beta[single]
            ncut = np.where(d.ordinal, 2.0, 1.0)[single]
            csum = np.where(d.ordinal, p.cut.sum(axis=1), p.cut[:, 0])[single]
            for i in range(nd):
                grad[:, i] -= np.bincount(ip, weights=csum * bs[:, i], minlength=t_n) / (
                    PRIOR_CUT_VAR)
                for j in range(i, nd):
                    h = np.bincount(ip, weights=ncut * bs[:, i] * bs[:, j], minlength=t_n)
                    hess[:, i, j] += h / PRIOR_CUT_VAR
                    if j != i:
                        hess[:, j, i] += h / PRIOR_CUT_VAR
        off = np.concatenate([[0.0], -qn])[None, :]
        cinv = _factor(hess[None], off)
        if cinv is None:
            return p, t, obj
        m = _back(cinv, off, grad[None, ..., None])[0, ..., 0]  # (T, d)
        q = p.copy()
        q.x = q.x + m[None, :, :] * d.inrange[..., None]
        if single.any():
            q.cut = q.cut + np.where(single, (p.beta * m[np.maximum(d.item_period, 0)]).sum(
                axis=1), 0.0)[:, None]
        nt = self.terms(q)
        with np.errstate(all="ignore"):
            new_obj = self.objective(q, nt)
        if new_obj >= obj:
            return q, nt, new_obj
        return p, t, obj

    # -- the loop --------------------------------------------------------------------------
    def step(self, p: _Params, t: _Terms, obj: float) -> tuple[_Params, _Terms, float]:
        """One iteration from ``p`` (``t``: its likelihood terms, ``obj``: its log posterior).

        Items (weighted least squares on the pseudo-response), then paths (batched
        solve), both from one quadratic expansion of the log-likelihood in the linear predictor
        at ``p``; then the cut points (safeguarded Newton on the observed likelihood). The
        expansion uses the Newton (IRLS) curvature where the resulting step increases the log
        posterior, and the EM (MM) curvature, which always does, where it does not.
        """
        for newton in (True, False):
            q = p.copy()
            curv = np.maximum(t.curv_eta, 1e-6) if newton else self.em_curv
            wc = self.w * curv
            ytil = t.eta + t.grad_eta / curv
            shift = self.item_step(q, ytil, wc)
            self.x_step(q, ytil - shift[self.d.ck], wc)
            nt = self.terms(q)
            q.cut, nt, self.mult = self.cut_step(q, nt, self.mult)
            self.px_step(q)  # leaves the likelihood terms unchanged
            nt.eta = self.eta(q)
            with np.errstate(all="ignore"):
                new_obj = self.objective(q, nt)
            if np.isfinite(new_obj) and self.d.n_periods > 1:
                q, nt, new_obj = self.period_shift(q, nt, new_obj)
            if newton and not new_obj >= obj - 1e-10 * abs(obj):
                continue
            break
        if not np.isfinite(new_obj):
            raise EstimationError("the estimation diverged (non-finite likelihood)")
        return q, nt, new_obj

    @staticmethod
    def _vec(p: _Params) -> np.ndarray:
        return np.concatenate([p.x.ravel(), p.beta.ravel(), p.cut.ravel()])

    def _unvec(self, v: np.ndarray, like: _Params) -> _Params:
        nx, nb = like.x.size, like.beta.size
        p = _Params(v[:nx].reshape(like.x.shape), v[nx:nx + nb].reshape(like.beta.shape),
                    v[nx + nb:].reshape(like.cut.shape).copy())
        ordn = self.d.ordinal
        p.cut[:, 1] = np.where(ordn, np.maximum(p.cut[:, 1], p.cut[:, 0] + 1e-3), p.cut[:, 0])
        return p

    def run(self, p: _Params) -> _Result:
        """Iterate :meth:`step`, accelerated by SQUAREM (Varadhan & Roland 2008): from two
        successive steps, extrapolate along the slow direction, take a step from there and
        keep it only if it increases the log posterior."""
        cfg = self.cfg
        act = self.d.active
        self.mult = np.ones(self.d.n_items)
        t = self.terms(p)
        obj = self.objective(p, t)
        n = 0
        change = np.inf
        converged = False
        step_max = 4.0
        while n < cfg.max_iter:
            p1, t1, o1 = self.step(p, t, obj)
            n += 1
            change = float(np.max(np.abs(p1.x[act] - p.x[act])))
            if change < cfg.tol or n >= cfg.max_iter:
                p, t, obj = p1, t1, o1
                converged = change < cfg.tol
                break
            p2, t2, o2 = self.step(p1, t1, o1)
            n += 1
            change = float(np.max(np.abs(p2.x[act] - p1.x[act])))
            if change < cfg.tol or n >= cfg.max_iter:
                p, t, obj = p2, t2, o2
                converged = change < cfg.tol
                break
            v0, v1, v2 = self._vec(p), self._vec(p1), self._vec(p2)
            r = v1 - v0
            v = v2 - 2.0 * v1 + v0
            vv = _dot(v, v)
            alpha = -math.sqrt(_dot(r, r) / vv) if vv > 0 else -1.0
            alpha = max(min(alpha, -1.0), -step_max)
            p, t, obj = p2, t2, o2
            if alpha < -1.0:
                pe = self._unvec(v0 - 2.0 * alpha * r + alpha * alpha * v, p2)
                te = self.terms(pe)
                with np.errstate(all="ignore"):
                    oe = self.objective(pe, te)
                if np.isfinite(oe):
                    try:
                        p3, t3, o3 = self.step(pe, te, oe)
                        n += 1
                    except EstimationError:
                        o3 = -np.inf
                    if np.isfinite(o3) and o3 >= o2:
                        change = float(np.max(np.abs(p3.x[act] - p2.x[act])))
                        p, t, obj = p3, t3, o3
                        if alpha == -step_max:
                            step_max *= 4.0
                        continue
                step_max = max(1.0, step_max / 2.0)
        raw = p.copy()
        scale = self.orient(p)
        return _Result(params=p, raw=raw, scale=scale, n_iter=n, converged=converged,
                       change=change, loglik=_dot(self.w, t.logp), objective=obj)



# ------------------------------------------------------------------------------------------
# the path solver: block-tridiagonal systems of all states at once
# ------------------------------------------------------------------------------------------
def _factor(diag: np.ndarray, o: np.ndarray) -> np.ndarray | None:
    """Forward sweep of the block Thomas algorithm; None if the system is not positive
    definite. ``diag`` (S, T, d, d), ``o`` (S, T) scalar off-diagonal between t-1 and t."""
    _, t_n, nd, _ = diag.shape
    cinv = np.empty_like(diag)
    if nd == 1:
        dg = diag[..., 0, 0]
        ci = cinv[..., 0, 0]
        c = dg[:, 0]
        for t in range(t_n):
            if t:
                c = dg[:, t] - o[:, t] ** 2 * ci[:, t - 1]
            if not (c > 0).all():
                return None
            ci[:, t] = 1.0 / c
        return cinv
    for t in range(t_n):
        c = diag[:, t] if t == 0 else diag[:, t] - (o[:, t] ** 2)[:, None, None] * cinv[:, t - 1]
        try:
            np.linalg.cholesky(c)
        except np.linalg.LinAlgError:
            return None
        cinv[:, t] = np.linalg.inv(c)
    return cinv


def _back(cinv: np.ndarray, o: np.ndarray, rhs: np.ndarray) -> np.ndarray:
    """Solve with a factorisation from :func:`_factor`; ``rhs`` (S, T, d, m)."""
    t_n = rhs.shape[1]
    if cinv.shape[2] == 1:
        ci = cinv[..., 0, 0][..., None]  # (S, T, 1)
        r = rhs[:, :, 0, :]  # (S, T, m)
        y = np.empty_like(r)
        y[:, 0] = r[:, 0]
        for t in range(1, t_n):
            y[:, t] = r[:, t] - o[:, t, None] * ci[:, t - 1] * y[:, t - 1]
        x = np.empty_like(r)
        x[:, -1] = ci[:, -1] * y[:, -1]
        for t in range(t_n - 2, -1, -1):
            x[:, t] = ci[:, t] * (y[:, t] - o[:, t + 1, None] * x[:, t + 1])
        return x[:, :, None, :]
    y = np.empty_like(rhs)
    y[:, 0] = rhs[:, 0]
    for t in range(1, t_n):
        y[:, t] = rhs[:, t] - o[:, t, None, None] * (cinv[:, t - 1] @ y[:, t - 1])
    x = np.empty_like(rhs)
    x[:, -1] = cinv[:, -1] @ y[:, -1]
    for t in range(t_n - 2, -1, -1):
        x[:, t] = cinv[:, t] @ (y[:, t] - o[:, t + 1, None, None] * x[:, t + 1])
    return x


def _solve_paths(amat: np.ndarray, bvec: np.ndarray, core: _Core) -> np.ndarray:
    """Minimise ``sum_t x_t'A_t x_t / 2 - b_t'x_t`` + the random-walk prior for every state
    at once: the normal equations of a state's path are block-tridiagonal (a Kalman smoother
    in information form); one forward and one backward sweep over periods."""
    d = core.d
    s_n, _, nd, _ = amat.shape
    eye = np.eye(nd)
    lk = np.where(core.link, core.q[None, :], 0.0)
    prec = lk.copy()
    prec[:, :-1] += lk[:, 1:]
    prec[np.arange(s_n), d.first] += 1.0 / PRIOR_X0_VAR
    diag = amat + prec[..., None, None] * eye
    out_r = ~d.inrange
    diag[out_r] = eye
    rhs = bvec.copy()
    rhs[out_r] = 0.0
    cinv = _factor(diag, -lk)
    if cinv is None:  # cannot happen with a positive prior; guard against NaN input
        raise EstimationError("the estimation diverged (singular system for the paths)")
    return _back(cinv, -lk, rhs[..., None])[..., 0]


def _initial_params(data: _Data, cfg: _Config) -> _Params:
    """SVD of the standardised vote matrix for x (constant path); cut points from margins."""
    s_n, r_n, nd = data.n_states, data.n_cols, cfg.n_dims
    cnt = np.bincount(data.cc, minlength=r_n).astype(float)
    mean = np.bincount(data.cc, weights=data.cy, minlength=r_n) / np.maximum(cnt, 1)
    var = np.bincount(data.cc, weights=data.cy.astype(float) ** 2, minlength=r_n) / np.maximum(
        cnt, 1) - mean ** 2
    sd = np.sqrt(np.maximum(var, 1e-12))
    mat = np.zeros((s_n, r_n))
    mat[data.cs, data.cc] = (data.cy - mean[data.cc]) / sd[data.cc]
    mat[:, var < 1e-9] = 0.0
    ev, evec = np.linalg.eigh(mat @ mat.T)  # left singular vectors, S x S only
    if s_n < nd or min(s_n, r_n) < nd:
        raise EstimationError(f"too few states or resolutions for {nd} dimensions")
    xs = evec[:, ::-1][:, :nd] * np.sqrt(np.maximum(ev[::-1][:nd], 0.0))
    x = np.repeat(xs[:, None, :], data.n_periods, axis=1)
    xa = x[data.active]
    x = (x - xa.mean(axis=0)) / np.maximum(xa.std(axis=0), 1e-12)
    x[~data.inrange] = 0.0
    k = data.n_items
    n_k = np.bincount(data.ck, minlength=k).astype(float)
    p_n = np.bincount(data.ck, weights=(data.cy == 0), minlength=k) / np.maximum(n_k, 1)
    p_a = np.bincount(data.ck, weights=(data.cy == 1), minlength=k) / np.maximum(n_k, 1)
    ppf = special.ndtri if cfg.link == "probit" else special.logit
    c1 = ppf(np.clip(p_n, 0.02, 0.98))
    c2 = np.where(data.ordinal, ppf(np.clip(p_n + p_a, 0.02, 0.98)), c1)
    c2 = np.where(data.ordinal, np.maximum(c2, c1 + 0.05), c2)
    return _Params(x=x, beta=np.zeros((k, nd)), cut=np.stack([c1, c2], axis=1))


def _fit(data: _Data, cfg: _Config, start: _Params | None) -> _Result:
    p = _initial_params(data, cfg) if start is None else start.copy()
    return _Core(data, cfg).run(p)


def _single_blas_thread() -> Any:
    """Context limiting BLAS/LAPACK to one thread: the fit's few dense products are small,
    and BLAS threads only stall on a machine whose cores are busy."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - threadpoolctl comes with scikit-learn
        import contextlib

        return contextlib.nullcontext()
    return threadpool_limits(1)


# -- bootstrap workers ----------------------------------------------------------------------
_WORKER: dict[str, Any] = {}


def _worker_init(data: _Data, cfg: _Config, start: _Params, ref_x: np.ndarray) -> None:
    _WORKER.update(data=data, cfg=cfg, start=start, ref_x=ref_x)
    try:  # one BLAS thread per worker process: the workers are the parallelism
        from threadpoolctl import threadpool_limits

        _WORKER["limits"] = threadpool_limits(1)
    except ImportError:  # pragma: no cover - threadpoolctl comes with scikit-learn
        pass


def _boot_one(seed: np.random.SeedSequence) -> tuple[np.ndarray, bool]:
    data: _Data = _WORKER["data"]
    cfg: _Config = _WORKER["cfg"]
    rng = np.random.default_rng(seed)
    w = np.zeros(data.n_cols)
    for t in range(data.n_periods):
        cols = np.flatnonzero(data.col_period == t)
        if len(cols):
            w[cols] = rng.multinomial(len(cols), np.full(len(cols), 1.0 / len(cols)))
    try:
        res = _fit(data.with_column_weights(w), cfg, _WORKER["start"])
    except EstimationError:  # a degenerate resample: left out of the standard errors
        return np.full_like(_WORKER["ref_x"], np.nan), False
    x = res.params.x
    ref = _WORKER["ref_x"]
    act = data.active
    xa, ra = x[act], ref[act]
    # orthogonal Procrustes onto the full-data axes (a sign check in one dimension)
    u, _, vt = np.linalg.svd(xa.T @ ra)
    x = x @ (u @ vt)
    return x, res.converged


# ------------------------------------------------------------------------------------------
# public estimator
# ------------------------------------------------------------------------------------------
class DynamicIdealPoints:
    """Dynamic ordinal IRT ideal points (random walk, bridged items), fitted by EM.

    Parameters
    ----------
    n_dims:
        number of latent dimensions (1 by default).
    link:
        ``"probit"`` (exact EM) or ``"logit"`` (MM with a quadratic bound).
    walk_variance:
        variance of the per-period step of every state's ideal point, in units of the
        cross-sectional variance (scaled by the distance between period labels).
    period:
        ``"session"`` (GA session number) or ``"year"`` (calendar year of the vote date).
    anchor:
        state whose mean ideal point is positive on every dimension (sign identification).
    bridge:
        share item parameters between recurring resolutions (see :func:`bridge_items`).
    bridge_max_gap:
        largest distance (in periods) between consecutive occurrences of a bridged title.
    max_iter, tol:
        stop after ``max_iter`` iterations or when no reported ideal point moves more than
        ``tol`` in an iteration.
    bootstrap:
        number of bootstrap replicates for standard errors (0: none, ``se`` is NaN).
    n_jobs:
        processes for the bootstrap.
    seed:
        seed of the bootstrap (``numpy.random.default_rng``).

    Attributes
    ----------
    ideal_points_:
        one row per state, period (session number or year) with at least one vote of the state,
        and dimension: ``state, period, dim, estimate, se, lo, hi, n_votes`` (``se``, ``lo``,
        ``hi`` NaN without bootstrap).
    items_:
        one row per item: ``item, key`` (the bridging key, ``""`` if not eligible), ``rids``
        (its resolutions), ``n_resolutions, first_period, last_period, n_votes, ordinal`` (an
        abstention was observed), ``discrimination`` (``discrimination_2``, ...) and the cut
        points ``cut1 <= cut2`` on the scale of the reported ideal points: a state at ``x``
        votes N with probability ``F(cut1 - beta . x)`` and Y with ``1 - F(cut2 - beta . x)``.
    n_iter_, converged_, final_change_:
        iterations, whether the change fell below ``tol``, and the last change.
    loglik_, scale_, walk_variance_effective_, anchor_, states_, periods_, fit_seconds_:
        log-likelihood at the mode; standard deviation(s) of the mode before the rescaling;
        ``walk_variance`` in the reported units; the anchor used; the states and periods kept;
        wall time of ``fit``.
    bootstrap_converged_:
        how many bootstrap replicates converged (None without bootstrap).
    """

    def __init__(
        self,
        n_dims: int = 1,
        link: Literal["probit", "logit"] = "probit",
        walk_variance: float = 0.1,
        period: Literal["session", "year"] = "session",
        anchor: str = "USA",
        bridge: bool = True,
        bridge_max_gap: int = 3,
        max_iter: int = 1000,
        tol: float = 1e-4,
        bootstrap: int = 0,
        n_jobs: int = 2,
        seed: int | None = None,
    ) -> None:
        self.n_dims = n_dims
        self.link = link
        self.walk_variance = walk_variance
        self.period = period
        self.anchor = anchor
        self.bridge = bridge
        self.bridge_max_gap = bridge_max_gap
        self.max_iter = max_iter
        self.tol = tol
        self.bootstrap = bootstrap
        self.n_jobs = n_jobs
        self.seed = seed

    # -- sklearn-style plumbing --------------------------------------------------------------
    _PARAMS = ("n_dims", "link", "walk_variance", "period", "anchor", "bridge",
               "bridge_max_gap", "max_iter", "tol", "bootstrap", "n_jobs", "seed")

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self._PARAMS}

    def set_params(self, **params: Any) -> DynamicIdealPoints:
        for k, v in params.items():
            if k not in self._PARAMS:
                raise EstimationError(f"unknown parameter {k!r} (expected one of "
                                      f"{', '.join(self._PARAMS)})")
            setattr(self, k, v)
        return self

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={getattr(self, k)!r}" for k in self._PARAMS)
        return f"DynamicIdealPoints({args})"

    def _check(self) -> None:
        if not isinstance(self.n_dims, int | np.integer) or self.n_dims < 1:
            raise EstimationError(f"n_dims must be a positive integer, got {self.n_dims!r}")
        if self.link not in ("probit", "logit"):
            raise EstimationError(f"link must be 'probit' or 'logit', got {self.link!r}")
        if self.period not in ("session", "year"):
            raise EstimationError(f"period must be 'session' or 'year', got {self.period!r}")
        if not (isinstance(self.walk_variance, int | float) and self.walk_variance > 0):
            raise EstimationError(f"walk_variance must be > 0, got {self.walk_variance!r}")
        if int(self.max_iter) < 1 or not float(self.tol) > 0:
            raise EstimationError("max_iter must be >= 1 and tol > 0")
        if int(self.bootstrap) < 0 or int(self.n_jobs) < 1:
            raise EstimationError("bootstrap must be >= 0 and n_jobs >= 1")

    # -- data preparation --------------------------------------------------------------------
    def _prepare(self, panel: Panel) -> tuple[_Data, dict[str, Any]]:
        res = panel.resolutions
        if panel.n_resolutions == 0 or panel.n_states == 0:
            raise EstimationError("the panel is empty: no states or no recorded votes")
        if self.period == "session":
            if "session" not in res.columns:
                raise EstimationError("period='session' needs a 'session' column in the "
                                      "panel's resolutions (use period='year')")
            lab = pd.to_numeric(res["session"], errors="coerce")
        else:
            if "date" not in res.columns:
                raise EstimationError("period='year' needs a 'date' column in the panel's "
                                      "resolutions")
            lab = pd.to_datetime(res["date"], errors="coerce").dt.year
        lab = lab.to_numpy(dtype=float)
        col_ok = np.isfinite(lab)
        votes = panel.votes
        obs = (votes == YES) | (votes == ABSTAIN) | (votes == NO)
        obs &= col_ok[None, :]
        # item structure (bridging) on the columns with a period label
        cols = np.flatnonzero(col_ok)
        if len(cols) == 0:
            raise EstimationError(f"no resolution has a {self.period} to place it in a period")
        labels = lab[cols].astype(np.int64)
        sub = res.iloc[cols].reset_index(drop=True)
        if self.bridge:
            item_of, item_keys = bridge_items(sub, labels, max_gap=self.bridge_max_gap)
        else:
            item_of = np.arange(len(cols))
            item_keys = np.full(len(cols), "", dtype=object)
        obs = obs[:, cols]
        vsub = votes[:, cols]
        # uninformative items: fewer than two distinct categories observed
        s_idx, c_idx = np.nonzero(obs)
        cat = np.where(vsub[s_idx, c_idx] == NO, 0, np.where(vsub[s_idx, c_idx] == ABSTAIN,
                                                              1, 2)).astype(np.int8)
        k_all = item_of[c_idx]
        n_items_all = int(item_of.max()) + 1
        seen = np.zeros((n_items_all, 3), dtype=bool)
        seen[k_all, cat] = True
        informative = seen.sum(axis=1) >= 2
        keep_col = informative[item_of]
        if not keep_col.any():
            raise EstimationError("no resolution divides the states (every vote was unanimous "
                                  "or there are no recorded votes)")
        keep_cell = keep_col[c_idx]
        s_idx, c_idx, cat = s_idx[keep_cell], c_idx[keep_cell], cat[keep_cell]
        # compact columns, items, states, periods
        col_new = np.cumsum(keep_col) - 1
        c_idx = col_new[c_idx]
        cols_kept = cols[keep_col]
        item_of_kept = item_of[keep_col]
        uniq_items, ck_col = np.unique(item_of_kept, return_inverse=True)
        lab_kept = labels[keep_col]
        periods, ct_col = np.unique(lab_kept, return_inverse=True)
        state_has = np.bincount(s_idx, minlength=panel.n_states) > 0
        if state_has.sum() < 2:
            raise EstimationError("fewer than two states voted on the resolutions given")
        state_new = np.cumsum(state_has) - 1
        s_idx = state_new[s_idx]
        states = tuple(np.asarray(panel.states, dtype=object)[state_has].tolist())
        s_n, t_n = len(states), len(periods)
        order = np.argsort(cat, kind="stable")  # cells sorted N, A, Y (see _Core.terms)
        s_idx, c_idx, cat = s_idx[order], c_idx[order], cat[order]
        ct = ct_col[c_idx]
        ck = ck_col[c_idx]
        active = np.zeros((s_n, t_n), dtype=bool)
        active[s_idx, ct] = True
        first = np.argmax(active, axis=1)
        last = t_n - 1 - np.argmax(active[:, ::-1], axis=1)
        tt = np.arange(t_n)
        inrange = (tt[None, :] >= first[:, None]) & (tt[None, :] <= last[:, None])
        gap = np.ones(t_n)
        gap[1:] = np.diff(periods).astype(float)
        k_n = len(uniq_items)
        ordinal = np.bincount(ck, weights=(cat == 1), minlength=k_n) > 0
        p_lo = np.full(k_n, t_n, dtype=np.int64)
        p_hi = np.full(k_n, -1, dtype=np.int64)
        np.minimum.at(p_lo, ck_col, ct_col)
        np.maximum.at(p_hi, ck_col, ct_col)
        item_period = np.where(p_lo == p_hi, p_lo, -1)
        data = _Data(
            cs=s_idx.astype(np.int64), cc=c_idx.astype(np.int64), ct=ct.astype(np.int64),
            cst=(s_idx * t_n + ct).astype(np.int64), ck=ck.astype(np.int64), cy=cat,
            cw=None, n_states=s_n, n_periods=t_n, n_items=k_n, n_cols=len(cols_kept),
            gap=gap, inrange=inrange, active=active, first=first, ordinal=ordinal,
            item_period=item_period,
            col_period=ct_col.astype(np.int64))
        info = {
            "states": states, "periods": periods, "cols": cols_kept, "ck_col": ck_col,
            "item_keys": item_keys[uniq_items], "dropped_states": [
                s for s, h in zip(panel.states, state_has, strict=True) if not h],
            "n_resolutions_given": panel.n_resolutions,
            "n_resolutions_unanimous": int((~keep_col).sum()),
            "n_resolutions_no_period": int((~col_ok).sum()),
        }
        return data, info

    # -- fit ---------------------------------------------------------------------------------
    def fit(self, panel: Panel) -> DynamicIdealPoints:
        """Estimate ideal points of every state in ``panel`` (rows) in every period."""
        self._check()
        t0 = time.perf_counter()
        data, info = self._prepare(panel)
        states = info["states"]
        if self.anchor in states:
            anchor_index = states.index(self.anchor)
        else:
            anchor_index = int(np.argmax(np.bincount(data.cs, minlength=data.n_states)))
        cfg = _Config(n_dims=int(self.n_dims), link=self.link,
                      walk_variance=float(self.walk_variance), max_iter=int(self.max_iter),
                      tol=float(self.tol), anchor_index=anchor_index)
        if data.n_states <= self.n_dims:
            raise EstimationError(f"{data.n_states} states cannot identify {self.n_dims} "
                                  "dimension(s)")
        with _single_blas_thread():
            res = _fit(data, cfg, None)
        self.n_iter_ = res.n_iter
        self.converged_ = res.converged
        self.final_change_ = res.change
        self.loglik_ = res.loglik
        self.scale_ = res.scale
        self.walk_variance_effective_ = [float(self.walk_variance / v ** 2) for v in res.scale]
        self.anchor_ = states[anchor_index]
        self.states_ = states
        self.periods_ = info["periods"]
        if not res.converged:
            warnings.warn(
                f"ideal points did not converge in {res.n_iter} iterations (last change "
                f"{res.change:.2e} > tol {self.tol:g}); raise max_iter or tol",
                IdealPointsConvergenceWarning, stacklevel=2)
        se = np.full_like(res.params.x, np.nan)
        self.bootstrap_converged_ = None
        if self.bootstrap:
            se, n_conv = self._bootstrap(data, cfg, res)
            self.bootstrap_converged_ = n_conv
        self._params = res.params
        self._data = data
        self._info = info
        self.fit_seconds_ = time.perf_counter() - t0
        self.ideal_points_ = self._ideal_frame(res.params.x, se, data, info)
        self.items_ = self._items_frame(res.params, data, info, panel)
        return self

    def _bootstrap(self, data: _Data, cfg: _Config, full: _Result) -> tuple[np.ndarray, int]:
        b = int(self.bootstrap)
        seeds = np.random.SeedSequence(self.seed).spawn(b)
        n_jobs = max(1, min(int(self.n_jobs), b, os.cpu_count() or 1))
        init = (data, cfg, full.raw, full.params.x)
        draws: list[np.ndarray] = []
        n_conv = 0
        if n_jobs == 1:
            _worker_init(*init)
            try:
                out = [_boot_one(s) for s in seeds]
            finally:
                _WORKER.clear()
        else:
            import multiprocessing as mp

            ctx = mp.get_context("fork") if hasattr(os, "fork") else None
            with ProcessPoolExecutor(max_workers=n_jobs, mp_context=ctx,
                                     initializer=_worker_init, initargs=init) as ex:
                out = list(ex.map(_boot_one, seeds, chunksize=max(1, b // (4 * n_jobs))))
        for x, conv in out:
            draws.append(x)
            n_conv += int(conv)
        arr = np.stack(draws)
        ok = np.isfinite(arr).all(axis=(1, 2, 3))
        se = (arr[ok].std(axis=0, ddof=1) if ok.sum() > 1
              else np.full_like(full.params.x, np.nan))
        return se, n_conv

    # -- result frames -----------------------------------------------------------------------
    def _ideal_frame(self, x: np.ndarray, se: np.ndarray, data: _Data,
                     info: dict[str, Any]) -> pd.DataFrame:
        s_i, t_i = np.nonzero(data.active)
        nvotes = np.bincount(data.cst, minlength=data.n_states * data.n_periods).reshape(
            data.n_states, data.n_periods)
        frames = []
        states = np.asarray(info["states"], dtype=object)
        for k in range(x.shape[2]):
            est = x[s_i, t_i, k]
            s = se[s_i, t_i, k]
            frames.append(pd.DataFrame({
                "state": states[s_i], "period": info["periods"][t_i].astype(np.int64),
                "dim": k + 1, "estimate": est, "se": s, "lo": est - 1.959964 * s,
                "hi": est + 1.959964 * s, "n_votes": nvotes[s_i, t_i].astype(np.int64)}))
        out = pd.concat(frames, ignore_index=True)
        return out.sort_values(["dim", "state", "period"], kind="stable").reset_index(drop=True)

    def _items_frame(self, p: _Params, data: _Data, info: dict[str, Any],
                     panel: Panel) -> pd.DataFrame:
        res = panel.resolutions
        cols = info["cols"]
        ck_col = info["ck_col"]
        rid = res["rid"].to_numpy()[cols] if "rid" in res.columns else cols
        per = info["periods"][data.col_period]
        k_n = data.n_items
        order = np.argsort(ck_col, kind="stable")
        counts = np.bincount(ck_col, minlength=k_n)
        rids = [list(a) for a in np.split(np.asarray(rid, dtype=object)[order],
                                          np.cumsum(counts)[:-1])]
        p_lo = np.full(k_n, np.iinfo(np.int64).max)
        p_hi = np.full(k_n, np.iinfo(np.int64).min)
        np.minimum.at(p_lo, ck_col, per)
        np.maximum.at(p_hi, ck_col, per)
        out = pd.DataFrame({"item": np.arange(k_n), "key": info["item_keys"], "rids": rids,
                            "n_resolutions": counts, "first_period": p_lo,
                            "last_period": p_hi})
        out["n_votes"] = np.bincount(data.ck, minlength=data.n_items)
        out["ordinal"] = data.ordinal
        for k in range(p.beta.shape[1]):
            out["discrimination" if k == 0 else f"discrimination_{k + 1}"] = p.beta[:, k]
        out["cut1"] = p.cut[:, 0]
        out["cut2"] = p.cut[:, 1]
        return out

    # -- results -----------------------------------------------------------------------------
    def _check_fitted(self) -> None:
        if not hasattr(self, "ideal_points_"):
            raise EstimationError("this DynamicIdealPoints is not fitted yet: call fit(panel) "
                                  "or comity.analysis.fitstore.load_fit(...)")

    @classmethod
    def from_results(cls, ideal_points: pd.DataFrame, items: pd.DataFrame,
                     summary: dict[str, Any]) -> DynamicIdealPoints:
        """An estimator holding results computed earlier (no data, no fitting), e.g. a fit
        read back by :func:`comity.analysis.fitstore.load_fit`.

        ``ideal_points`` and ``items`` are frames in the layout of ``ideal_points_`` and
        ``items_`` (``items`` may be empty); ``summary`` is a dict as :meth:`summary` returns
        it: its ``params`` set the configuration (unknown keys are ignored) and ``n_iter``,
        ``converged``, ``final_change``, ``loglik``, ``anchor``, ``walk_variance_effective``,
        ``fit_seconds``, ``bootstrap_converged`` the attributes of the same names (None when
        missing). The result can ``summary()``, ``plot()`` and ``to_frame()``; it cannot be
        refitted from these results.
        """
        m = cls(**{k: v for k, v in summary.get("params", {}).items() if k in cls._PARAMS})
        m.ideal_points_ = ideal_points.astype(
            {"period": np.int64, "dim": np.int64, "n_votes": np.int64})
        m.items_ = items
        m.n_iter_ = summary.get("n_iter")
        m.converged_ = summary.get("converged")
        m.final_change_ = summary.get("final_change")
        m.loglik_ = summary.get("loglik")
        m.anchor_ = summary.get("anchor")
        m.walk_variance_effective_ = summary.get("walk_variance_effective")
        m.fit_seconds_ = summary.get("fit_seconds")
        m.bootstrap_converged_ = summary.get("bootstrap_converged")
        m.states_ = tuple(sorted(ideal_points["state"].unique()))
        m.periods_ = np.sort(ideal_points["period"].unique())
        return m

    def to_frame(self) -> pd.DataFrame:
        """Ideal points in long form (a copy of ``ideal_points_``)."""
        self._check_fitted()
        return self.ideal_points_.copy()

    def summary(self) -> dict[str, Any]:
        """Plain-type description of the fit: data, configuration, convergence."""
        self._check_fitted()
        ip = self.ideal_points_
        out: dict[str, Any] = {
            "model": "dynamic ordinal IRT (EM)" if self.link == "probit" else
            "dynamic ordinal IRT (MM)",
            "params": self.get_params(),
            "n_states": int(ip["state"].nunique()),
            "n_periods": int(ip["period"].nunique()),
            "first_period": int(ip["period"].min()),
            "last_period": int(ip["period"].max()),
            "n_state_periods": int((ip["dim"] == 1).sum()),
            "n_iter": int(self.n_iter_),
            "converged": bool(self.converged_),
            "final_change": float(self.final_change_),
            "loglik": float(self.loglik_),
            "anchor": self.anchor_,
            "walk_variance_effective": self.walk_variance_effective_,
            "fit_seconds": round(float(self.fit_seconds_), 3),
            "bootstrap_converged": self.bootstrap_converged_,
        }
        if getattr(self, "items_", None) is not None and len(self.items_):
            it = self.items_
            out.update({
                "n_resolutions": int(it["n_resolutions"].sum()),
                "n_items": len(it),
                "n_bridged_items": int((it["n_resolutions"] > 1).sum()),
                "n_votes": int(it["n_votes"].sum()),
            })
        info = getattr(self, "_info", None)
        if info:
            out["dropped_states"] = list(info["dropped_states"])
            out["n_resolutions_unanimous"] = info["n_resolutions_unanimous"]
            out["n_resolutions_no_period"] = info["n_resolutions_no_period"]
        return out

    def plot(self, states: list[str] | tuple[str, ...] | None = None,
             path: str | Path | None = None, *, dim: int = 1, band: bool = True) -> Any:
        """Ideal-point paths of ``states`` on dimension ``dim`` (95% band if bootstrapped).

        Returns the :class:`matplotlib.figure.Figure`; with ``path`` it is also saved (format
        from the suffix: ``.png``, ``.svg``, ``.pdf``).
        """
        self._check_fitted()
        from matplotlib.figure import Figure

        ip = self.ideal_points_[self.ideal_points_["dim"] == dim]
        if states is None:
            top = ip.groupby("state")["n_votes"].sum().sort_values(ascending=False)
            states = list(top.index[:5])
        missing = [s for s in states if s not in set(ip["state"])]
        if missing:
            from comity.errors import UnknownStateError

            raise UnknownStateError(
                f"no ideal points for {', '.join(missing)} in this fit", spellings=missing)
        fig = Figure(figsize=(9, 5), layout="constrained")
        ax = fig.add_subplot()
        for s in states:
            d = ip[ip["state"] == s].sort_values("period")
            (line,) = ax.plot(d["period"], d["estimate"], marker=".", ms=3, lw=1.4, label=s)
            if band and d["se"].notna().any():
                ax.fill_between(d["period"], d["lo"], d["hi"], color=line.get_color(),
                                alpha=0.18, lw=0)
        ax.axhline(0, color="0.6", lw=0.6)
        ax.set_xlabel(self.period)
        ax.set_ylabel(f"ideal point, dimension {dim} ({self.anchor_} > 0)")
        ax.set_title("Dynamic ordinal ideal points (UN votes)")
        ax.legend(ncols=min(len(states), 6), fontsize="small", frameon=False)
        if path is not None:
            fig.savefig(str(path), dpi=150)
        return fig
