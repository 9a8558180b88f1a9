"""The estimation engine behind :class:`comity.analysis.idealpoints.DynamicIdealPoints`.

Priors, the bridging of recurring texts into shared items, the data layout, and the EM / ECM
iterations (truncated-normal E-step, batched least squares for the items, a block-tridiagonal
Kalman-smoother solve for all states' paths, Newton steps for the cut points, parameter
expansion and SQUAREM), plus the bootstrap workers. The model and its identification are
described in :mod:`comity.analysis.idealpoints`; this module holds no public estimator."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd
from scipy import special

from comity.errors import EstimationError

PRIOR_X0_VAR = 1.0
PRIOR_BETA_VAR = 1.0
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
    max_gap: int | None = None,
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
        new_chain[1:] = (ke[1:] != ke[:-1]) if max_gap is None else \
            (ke[1:] != ke[:-1]) | (np.diff(pe) > max_gap)
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
    se: np.ndarray | None = None  # Laplace standard errors on the identified scale


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

    def run(self, p: _Params, progress: Any = None) -> _Result:
        """Iterate :meth:`step`, accelerated by SQUAREM (Varadhan & Roland 2008): from two
        successive steps, extrapolate along the slow direction, take a step from there and
        keep it only if it increases the log posterior. ``progress(description, iterations,
        None)`` is called once per round (the number of rounds is not known ahead)."""
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
            if progress is not None and n:
                progress(f"ideal points: iteration {n} (change {change:.0e}, tol {cfg.tol:g})",
                         n, None)
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
        se_raw = self.x_se(p, t)
        scale = self.orient(p)
        se = None if se_raw is None else se_raw / scale[None, None, :]
        return _Result(params=p, raw=raw, scale=scale, n_iter=n, converged=converged,
                       change=change, loglik=_dot(self.w, t.logp), objective=obj, se=se)

    def x_se(self, p: _Params, t: _Terms) -> np.ndarray | None:
        """Standard errors of the paths at the mode (one dimension): the inverse diagonal of
        each state's tridiagonal precision, the observed curvature of the log-likelihood in
        the linear predictor (times the squared discriminations) plus the random-walk prior,
        item parameters held at their estimates (a Laplace approximation conditional on the
        items). One forward and one backward pass of pivots over the periods."""
        d = self.d
        if p.x.shape[2] != 1:
            return None
        wc = self.w * np.maximum(t.curv_eta, 1e-12)
        bk = p.beta[d.ck, 0]
        n_st = d.n_states * d.n_periods
        a = np.bincount(d.cst, weights=wc * bk * bk, minlength=n_st).reshape(
            d.n_states, d.n_periods)
        lk = np.where(self.link, self.q[None, :], 0.0)
        diag = a + lk
        diag[:, :-1] += lk[:, 1:]
        diag[np.arange(d.n_states), d.first] += 1.0 / PRIOR_X0_VAR
        diag[~d.inrange] = 1.0
        off2 = lk ** 2  # (S, T): the squared coupling of t-1 and t
        fwd = np.empty_like(diag)
        bwd = np.empty_like(diag)
        fwd[:, 0] = diag[:, 0]
        for k in range(1, d.n_periods):
            fwd[:, k] = diag[:, k] - off2[:, k] / fwd[:, k - 1]
        bwd[:, -1] = diag[:, -1]
        for k in range(d.n_periods - 2, -1, -1):
            bwd[:, k] = diag[:, k] - off2[:, k + 1] / bwd[:, k + 1]
        var = 1.0 / (fwd + bwd - diag)
        var[~d.inrange] = np.nan
        return np.sqrt(var)[..., None]



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


def _fit(data: _Data, cfg: _Config, start: _Params | None, progress: Any = None) -> _Result:
    p = _initial_params(data, cfg) if start is None else start.copy()
    return _Core(data, cfg).run(p, progress)


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
