"""Blocs found in the data: clusters of states on their agreement matrix, per period.

Agreement matrix
----------------
For each period (``period`` as in :mod:`comity.analysis.align`: ``"year"``, ``"session"``,
``"all"``, ``"rolling:N"``, a ``(start, end)`` window, ...), the agreement of every pair of
states (``1 - mean |v_i - v_j| / 2`` over the votes where both voted Y/A/N; Y = 1, A = 2, N = 3)
comes from one product of the stacked one-hot position matrices (``(3S x R) @ (R x 3S)``; with
bootstrap weights ``w``, ``X.T @ (w * X)``). States with fewer than ``min_votes`` Y/A/N votes in
the period are left out; a pair sharing fewer than ``min_votes`` votes (rare once both states
pass) gets the period's mean distance. Distance = ``1 - agreement``.

``issue=`` slices as in :mod:`comity.analysis.shifts` (Voeten's codes, completed by stored
predictions
with ``predicted_issues=True``).

Methods
-------
* ``method="hierarchical"``: average-linkage (UPGMA) agglomerative clustering on the distance
  (``scipy.cluster.hierarchy.linkage(..., "average")``). Average linkage splits off outliers
  first (since 2000 the United States and Israel alone, most years), so the number chosen is
  that of *major* clusters, those of at least ``min_size`` states (default 5): for each ``k`` in
  ``2..k_max`` the tree is cut (``fcluster(..., "maxclust")``) at the fewest clusters that give
  ``k`` major ones, the smaller clusters being kept as clusters of their own, and the ``k``
  with the highest mean silhouette (Rousseeuw 1987) on the same distance wins (ties: the
  smaller ``k``; ``k=`` fixes it). ``min_size=1`` gives the plain rule.
* ``method="community"``: Louvain modularity maximisation (Blondel et al. 2008;
  ``networkx.community.louvain_communities``, ``resolution=1``) on the *agreement graph*: states
  are nodes, a pair is an edge weighted by its agreement when that agreement is above the
  threshold ``tau``. ``tau`` is ``threshold`` when given, else the ``threshold_quantile``
  (default 0.5: the median) of the period's pairwise agreements, so that the graph keeps the
  upper half of the pairs whatever the period's overall level of agreement (which varies from
  about 0.6 in the 1950s to 0.8 and more later). A state with no edge is a cluster of its own.

Clusters are numbered within a period by size (1 = the largest).

Stability
---------
``bootstrap`` draws resample the resolutions of the period with replacement; each draw
recomputes the agreement matrix and reruns the whole method (``k`` chosen again). Stability is
the adjusted Rand index (Hubert & Arabie 1985; ``sklearn.metrics.adjusted_rand_score``) between
the full-data clustering and each draw's (1 = identical partitions, about 0 = chance): the table
reports its mean and 2.5 / 97.5 percentiles. Per state, ``stability`` is the share of draws in
which the state lands in the draw's cluster that overlaps most with its own full-data cluster.

Clusters over time
------------------
Cluster numbers are made comparable across periods by maximal overlap: for periods in time order,
the clusters of a period are matched one-to-one to the (already numbered) clusters of the
previous period so as to maximise the total number of states kept in a matched cluster
(Hungarian algorithm, ``scipy.optimize.linear_sum_assignment`` on the contingency table of
states present in both); a matched cluster takes the number of its match, the others get new
numbers (one more than the largest used so far). ``cluster`` is that aligned number, ``raw``
the within-period number. :meth:`ClusterResult.history` gives state x period,
:meth:`ClusterResult.changes` the states whose aligned cluster changed between consecutive
periods.

References
----------
- Rousseeuw, P. J. (1987). Silhouettes: a graphical aid to the interpretation and validation of
  cluster analysis. *J. Comput. Appl. Math.* 20, 53-65.
- Blondel, V. D., Guillaume, J.-L., Lambiotte, R. & Lefebvre, E. (2008). Fast unfolding of
  communities in large networks. *J. Stat. Mech.* P10008.
- Hubert, L. & Arabie, P. (1985). Comparing partitions. *J. Classification* 2, 193-218.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from comity.analysis.measures import _positions, _resample_weights
from comity.analysis.plothook import plotter
from comity.analysis.query import (
    PeriodSpec,
    _assign_periods,
    _describe_period,
    _query,
    _require_votes,
    resolve_party,
)
from comity.analysis.results import records
from comity.errors import ComityError
from comity.store.panel import Panel

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from comity.store.db import Store

__all__ = ["ClusterError", "ClusterResult", "agreement_matrix", "clusters", "silhouette"]

Method = Literal["hierarchical", "community"]


class ClusterError(ComityError, ValueError):
    """An invalid clustering request (unknown method, bad k or threshold, too few states)."""


# ================================================================================== building
def agreement_matrix(pos: np.ndarray, weights: np.ndarray | None = None
                     ) -> tuple[np.ndarray, np.ndarray]:
    """Agreement (S, S) and shared Y/A/N votes (S, S) from positions ``pos`` (S, R; 0 Y, 1 A,
    2 N, anything else no vote), optionally with per-resolution ``weights`` (R,), or a batch of
    weight vectors (B, R), which gives (B, S, S) arrays (one product for the whole batch)."""
    return _agreement(pos, None if weights is None else np.asarray(weights))


def _agreement(pos: np.ndarray, weights: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """:func:`agreement_matrix` in four products instead of nine, one draw at a time on the
    votes it draws (weight > 0).

    With ``m`` the Y/A/N indicator, ``p`` the position (0, 1, 2) and ``w`` the weights:
    ``n = m w m'``, and ``sum |p_i - p_j| = sum (p_i - p_j)^2 - 2 [Y against N]`` (a squared
    difference is 0, 1 or 4 where the absolute one is 0, 1 or 2), i.e.
    ``p2 w m' + m w p2' - 2 p w p' - 2 (y w n' + n w y')``. Every sum is an integer when the
    weights are (no weights, bootstrap counts), and is then computed exactly in float32
    whenever every partial sum stays below 2**24, so the result equals the float64 one.
    """
    s, r = pos.shape
    y, nn = pos == 0, pos == 2
    m = y | (pos == 1) | nn
    p = np.where(m, pos, 0).astype(np.float64)
    if weights is None:
        w = np.ones((1, r))
    else:
        w = np.asarray(weights, dtype=np.float64)
        w = w[None, :] if w.ndim == 1 else w
    exact = bool(np.all(w == np.round(w)) and np.all(w >= 0)
                 and 8.0 * float(w.sum(axis=1).max(initial=0.0)) < 2.0 ** 24)
    dt = np.float32 if exact else np.float64
    lhs = np.concatenate([m, p * p, p, y]).astype(dt)  # (4S, R)
    mt, pt, nt = m.T.astype(dt), p.T.astype(dt), nn.T.astype(dt)
    n = np.empty((len(w), s, s))
    dsum = np.empty((len(w), s, s))
    for j, wj in enumerate(w.astype(dt)):  # one draw at a time, on its votes drawn
        nz = np.flatnonzero(wj)
        lw = lhs[:, nz] * wj[nz]
        g = lw[:2 * s] @ mt[nz]  # m w m' and p2 w m'
        opp = lw[3 * s:] @ nt[nz]  # y w n'
        t1 = g[s:]
        n[j] = g[:s]
        dsum[j] = (t1 + t1.T) - 2 * (lw[2 * s:3 * s] @ pt[nz]) - 2 * (opp + opp.T)
    with np.errstate(invalid="ignore", divide="ignore"):
        agree = 1.0 - dsum / (2.0 * n)
    if weights is None or np.ndim(weights) == 1:
        return agree[0], n[0]
    return agree, n


def _distance(agree: np.ndarray, n: np.ndarray, min_votes: int) -> np.ndarray:
    """Distance ``1 - agreement`` (S, S), or (B, S, S) for a batch: pairs sharing fewer than
    ``min_votes`` votes get the mean distance of the other pairs, symmetric, zero diagonal."""
    off = ~np.eye(agree.shape[-1], dtype=bool)
    if agree.ndim == 3:
        with np.errstate(invalid="ignore"):
            d = 1.0 - agree
        bad = ~np.isfinite(d) | (n < max(min_votes, 1))
        for j in np.flatnonzero((bad & off).any(axis=(1, 2))):  # the fill, draw by draw
            d[j] = np.where(bad[j], _fill(d[j], bad[j], off), d[j])
        return _symmetric(d)
    d = 1.0 - agree
    bad = ~np.isfinite(d) | (n < max(min_votes, 1))
    return _symmetric(np.where(bad, _fill(d, bad, off), d))


def _fill(d: np.ndarray, bad: np.ndarray, off: np.ndarray) -> float:
    """The mean distance of the usable pairs (1 if there is none)."""
    return float(np.nanmean(np.where(bad | ~off, np.nan, d))) if (off & ~bad).any() else 1.0


def _symmetric(d: np.ndarray) -> np.ndarray:
    d = (d + np.swapaxes(d, -1, -2)) / 2.0
    idx = np.arange(d.shape[-1])
    d[..., idx, idx] = 0.0
    return np.clip(d, 0.0, None)


def silhouette(dist: np.ndarray, labels: np.ndarray) -> tuple[float, np.ndarray]:
    """Mean silhouette and per-sample silhouettes on a precomputed distance (vectorised; equals
    ``sklearn.metrics.silhouette_score(..., metric="precomputed")``; a sample alone in its
    cluster scores 0)."""
    _, lab = np.unique(labels, return_inverse=True)
    k = int(lab.max()) + 1 if len(lab) else 0
    if k < 2 or k >= len(lab):
        return float("nan"), np.full(len(lab), np.nan)
    onehot = np.eye(k)[lab]
    size = onehot.sum(axis=0)
    sums = dist @ onehot  # (S, k)
    own = sums[np.arange(len(lab)), lab]
    with np.errstate(invalid="ignore", divide="ignore"):
        a = own / (size[lab] - 1)
        mean_other = sums / size[None, :]
    mean_other[np.arange(len(lab)), lab] = np.inf
    b = mean_other.min(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        s = (b - a) / np.maximum(a, b)
    s = np.where(size[lab] > 1, np.nan_to_num(s, nan=0.0), 0.0)
    return float(s.mean()), s


def _by_size(labels: np.ndarray) -> np.ndarray:
    """Relabel 1..k by decreasing size (ties: first appearance)."""
    uniq, inv, counts = np.unique(labels, return_inverse=True, return_counts=True)
    first = np.array([np.flatnonzero(inv == i)[0] for i in range(len(uniq))])
    order = np.lexsort((first, -counts))
    rank = np.empty(len(uniq), dtype=np.int64)
    rank[order] = np.arange(1, len(uniq) + 1)
    return rank[inv]


def _maxclust(z: np.ndarray, want: np.ndarray) -> np.ndarray:
    """(C, n) flat clusterings of the linkage ``z``, one per entry of ``want``: the same
    partitions as ``fcluster(z, want[c], criterion="maxclust")`` (every merge whose height is
    at most the smallest height leaving at most ``want[c]`` clusters is applied), found at
    once for every ``c`` by pointer jumping up the tree. Labels are node numbers (not
    consecutive)."""
    n = len(z) + 1
    h = z[:, 2]
    # merges applied: all with height <= the height of merge n - want - 1 (ties included)
    need = np.minimum(np.maximum(n - np.asarray(want, dtype=np.int64) - 1, 0), n - 2)
    applied = np.searchsorted(h, h[need], side="right")
    applied = np.where(np.asarray(want) >= n, 0, applied)
    nodes = 2 * n - 1
    parent = np.arange(nodes)
    parent[z[:, 0].astype(np.int64)] = np.arange(n, nodes)
    parent[z[:, 1].astype(np.int64)] = np.arange(n, nodes)
    made_by = np.r_[np.full(n, -1), np.arange(n - 1)]  # merge creating each node
    off = (np.arange(len(applied)) * nodes)[:, None]  # flat indices, one row per cut
    up = np.where(made_by[parent][None, :] < applied[:, None], parent[None, :],
                  np.arange(nodes)[None, :]) + off
    for _ in range(max(1, int(np.ceil(np.log2(nodes))))):
        up = up.ravel()[up]
    return (up - off)[:, :n]


def _silhouettes(dist: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Mean silhouette of each row of ``labels`` (C, n) on ``dist``: :func:`silhouette` for
    many partitions at once (NaN where a partition has fewer than 2 or n clusters); equal
    to it up to rounding in the last bit when the partitions are nested."""
    c, n = labels.shape
    base = int(labels.max()) + 1
    uniq, g = np.unique(np.arange(c)[:, None] * base + labels, return_inverse=True)
    g = g.reshape(c, n)  # column of each state's cluster, the partitions side by side
    starts = np.searchsorted(uniq // base, np.arange(c))
    k = np.diff(np.r_[starts, len(uniq)])
    size = np.bincount(g.ravel(), minlength=len(uniq)).astype(np.float64)
    rows = np.broadcast_to(np.arange(n), (c, n))
    # distance of each state to each cluster. The partitions are cuts of one tree, so every
    # cluster is a union of clusters of the finest cut: one product with the finest cut's
    # clusters, then sums of its columns (equal to silhouette()'s sums up to rounding in the
    # last bit; the reported silhouettes come from silhouette() itself)
    fine = int(np.argmax(k))
    onehot = np.zeros((n, k[fine]))
    onehot[np.arange(n), g[fine] - starts[fine]] = 1.0
    part = np.zeros((k[fine], len(uniq)))
    part[(g[fine] - starts[fine])[None, :].repeat(c, 0), g] = 1.0
    if (part.sum(axis=1) == c).all():  # nested partitions (cuts of one tree)
        sums = (dist @ onehot) @ part
    else:
        sums = np.concatenate([dist @ np.eye(k_c)[g[i] - starts[i]] for i, k_c in
                               enumerate(k)], axis=1)
    own = sums[rows, g]  # (C, n)
    own_size = size[g]
    with np.errstate(invalid="ignore", divide="ignore"):
        a = own / (own_size - 1)
        mean_other = sums / size[None, :]
    mean_other[rows, g] = np.inf  # each cluster belongs to one partition
    b = np.minimum.reduceat(mean_other, starts, axis=1).T  # nearest other cluster, (C, n)
    with np.errstate(invalid="ignore", divide="ignore"):
        sil = (b - a) / np.maximum(a, b)
    sil = np.where(own_size > 1, np.nan_to_num(sil, nan=0.0), 0.0)
    return np.where((k < 2) | (k >= n), np.nan, sil.mean(axis=1))


def _hierarchical(dist: np.ndarray, k: int | None, k_max: int, min_size: int
                  ) -> tuple[np.ndarray, float, int]:
    """Average linkage; the number of *major* clusters (at least ``min_size`` states) chosen
    by silhouette (module docstring). Returns (labels by size, silhouette, major clusters)."""
    from scipy.cluster.hierarchy import linkage
    from scipy.spatial.distance import squareform

    n = len(dist)
    z = linkage(squareform(dist, checks=False), method="average")
    want = np.arange(2, int(k_max) + 1) if k is None else np.array([int(k)])
    # major clusters after each merge, from the sizes in the linkage (no labels needed)
    m = max(min_size, 1)
    size = np.r_[np.ones(n, dtype=np.int64), z[:, 3].astype(np.int64)]
    left, right = z[:, 0].astype(np.int64), z[:, 1].astype(np.int64)
    delta = (size[n:] >= m).astype(np.int64) - (size[left] >= m) - (size[right] >= m)
    major_after = int((size[:n] >= m).sum()) + np.cumsum(delta)  # after merge t (t + 1 merged)
    n_clusters = n - 1 - np.arange(n - 1)  # clusters after merge t
    # for each number of major clusters wanted, the cut with the fewest clusters giving it
    ts = np.flatnonzero(np.isin(major_after, want))[::-1]
    if not len(ts):
        return np.ones(n, dtype=np.int64), float("nan"), int(n >= m)
    majors, first = np.unique(major_after[ts], return_index=True)
    labels = _maxclust(z, n_clusters[ts[first]])
    scores = _silhouettes(dist, labels)
    best: tuple[float, int, int] = (-np.inf, 0, -1)
    for i, sc in enumerate(scores):  # fewest major clusters first; ties keep the smaller
        if np.isfinite(sc) and sc > best[0] + 1e-12:
            best = (float(sc), int(majors[i]), i)
    if best[2] < 0:
        return np.ones(n, dtype=np.int64), float("nan"), int(n >= m)
    lab = _by_size(labels[best[2]])
    # k counts the major clusters of the partition itself (the cut's count, best[1], unless
    # merges tied in height were applied together)
    return lab, best[0], int((np.bincount(lab) >= m).sum())


def _community(agree: np.ndarray, tau: float, seed: int | None
               ) -> tuple[np.ndarray, float, float]:
    """Louvain on the thresholded agreement graph: (labels, modularity, tau)."""
    import networkx as nx

    n = len(agree)
    iu, ju = np.triu_indices(n, 1)
    w = agree[iu, ju]
    keep = np.isfinite(w) & (w > tau)
    g = nx.Graph()
    g.add_nodes_from(range(n))
    g.add_weighted_edges_from(zip(iu[keep].tolist(), ju[keep].tolist(), w[keep].tolist(),
                                  strict=True))
    comms = nx.community.louvain_communities(g, weight="weight", resolution=1.0, seed=seed)
    lab = np.empty(n, dtype=np.int64)
    for c, members in enumerate(comms):
        lab[list(members)] = c
    mod = float(nx.community.modularity(g, comms, weight="weight")) if keep.any() else np.nan
    return _by_size(lab), mod, tau


def _tau(agree: np.ndarray, threshold: float | None, quantile: float) -> float:
    if threshold is not None:
        return float(threshold)
    iu = np.triu_indices(len(agree), 1)
    vals = agree[iu]
    vals = vals[np.isfinite(vals)]
    return float(np.quantile(vals, quantile)) if len(vals) else 1.0


def _run(agree: np.ndarray, n: np.ndarray, method: str, k: int | None, k_max: int,
         min_size: int, threshold: float | None, quantile: float, min_votes: int,
         seed: int | None, dist: np.ndarray | None = None) -> dict[str, Any]:
    if dist is None:
        dist = _distance(agree, n, min_votes)
    if method == "hierarchical":
        lab, sil, kk = _hierarchical(dist, k, k_max, min_size)
        return {"labels": lab, "silhouette": sil, "k": kk, "modularity": np.nan,
                "threshold": np.nan, "dist": dist}
    a = np.where(n >= max(min_votes, 1), agree, np.nan)
    np.fill_diagonal(a, np.nan)
    tau = _tau(a, threshold, quantile)
    lab, mod, tau = _community(a, tau, seed)
    sil = silhouette(dist, lab)[0]
    major = int((np.bincount(lab) >= max(min_size, 1)).sum())
    return {"labels": lab, "silhouette": sil, "k": major, "modularity": mod,
            "threshold": tau, "dist": dist}


def _fit_period(pa: np.ndarray, seed: int, opts: Mapping[str, Any]) -> dict[str, Any]:
    """One period: the clustering of the positions ``pa`` (states x votes) and, with
    ``opts["bootstrap"]`` draws, each draw's clustering compared with it (ARI, states kept).
    The draws' agreement matrices and distances come from a few batched products."""
    from comity.analysis.query import _one_blas_thread

    args = (opts["method"], opts["k"], opts["k_max"], opts["min_size"], opts["threshold"],
            opts["quantile"], opts["min_votes"], seed)
    nb_draws = opts["bootstrap"]
    with _one_blas_thread():
        agree, n = agreement_matrix(pa)
        full = _run(agree, n, *args)
        lab = full["labels"]
        # the period's silhouette as silhouette() gives it (the batched one used to choose
        # k may differ in the last bit)
        full["silhouette"], sil_s = silhouette(full["dist"], lab)
        ari = np.zeros(0)
        kept = np.zeros(len(pa))
        if nb_draws:
            w_all = _resample_weights(np.random.default_rng(seed), nb_draws, pa.shape[1])
            s, r = pa.shape
            step = max(1, int(4e6 // max(1, s * (s + r))))  # draws per batch: ~100 MB at most
            got = []
            for b0 in range(0, nb_draws, step):
                ab, nb = agreement_matrix(pa, w_all[b0:b0 + step])
                db = _distance(ab, nb, opts["min_votes"])
                got.extend(_run(ab[j], nb[j], *args, dist=db[j])["labels"]
                           for j in range(len(ab)))
            ari, kept = _ari_and_kept(lab, np.stack(got))
    return {"agree": agree, "full": full, "sil": sil_s, "ari": ari, "kept": kept}


def _fit_periods(work: Sequence[tuple[np.ndarray, int]], opts: Mapping[str, Any],
                 n_jobs: int, labels: Sequence[Any],
                 progress: Callable[[str, int, int], None] | None) -> list[dict[str, Any]]:
    """:func:`_fit_period` of every ``(positions, seed)``, in order; in ``n_jobs`` forked
    processes when there is enough work (at least 1,000 bootstrap clusterings)."""
    total = len(work)
    if progress:
        progress("clusters", 0, total)
    jobs = max(1, min(int(n_jobs), total, os.cpu_count() or 1))
    # starting workers costs about 0.3 s: worth it from some 1,000 bootstrap clusterings
    if jobs == 1 or total * opts["bootstrap"] < 1000 or not hasattr(os, "fork"):
        out = []
        for i, (pa, seed) in enumerate(work):
            out.append(_fit_period(pa, seed, opts))
            if progress:
                progress(f"clusters {labels[i]}", i + 1, total)
        return out
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor, as_completed

    res: list[dict[str, Any] | None] = [None] * total
    with ProcessPoolExecutor(max_workers=jobs, mp_context=mp.get_context("fork")) as ex:
        # the largest periods first, so that the workers finish together
        order = sorted(range(total), key=lambda i: -work[i][0].size)
        futs = {ex.submit(_fit_period, work[i][0], work[i][1], opts): i for i in order}
        for done, f in enumerate(as_completed(futs), start=1):
            i = futs[f]
            res[i] = f.result()
            if progress:
                progress(f"clusters {labels[i]}", done, total)
    return res  # type: ignore[return-value]


def _ari_and_kept(lab: np.ndarray, draws: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For the full-data labels ``lab`` (n,; 1..k) and the draws' labels (B, n; 1..):
    the adjusted Rand index of each draw (B,; exactly
    ``sklearn.metrics.adjusted_rand_score(lab, draw)``, from the pair counts of the
    contingency table) and, per state, how many draws put it in the draw's cluster that
    overlaps most with its own (n,; ties: the lower full-data label)."""
    b, n = draws.shape
    kf, kd = int(lab.max()), int(draws.max())
    cell = (np.arange(b)[:, None] * kd + (draws - 1)) * kf + (lab - 1)[None, :]
    cont = np.bincount(cell.ravel(), minlength=b * kd * kf).reshape(b, kd, kf)
    sum_sq = (cont.astype(np.int64) ** 2).sum(axis=(1, 2))
    n_true = (cont.sum(axis=1).astype(np.int64) ** 2).sum(axis=1)  # full-data cluster sizes
    n_pred = (cont.sum(axis=2).astype(np.int64) ** 2).sum(axis=1)  # the draw's
    tp = sum_sq - n
    fp = n_pred - sum_sq
    fn = n_true - sum_sq
    tn = n * n - fp - fn - sum_sq
    with np.errstate(invalid="ignore", divide="ignore"):
        ari = 2.0 * (tp * tn - fn * fp).astype(np.float64) \
            / ((tp + fn) * (fn + tn) + (tp + fp) * (fp + tn)).astype(np.float64)
    ari = np.where((fn == 0) & (fp == 0), 1.0, ari)
    best = cont.argmax(axis=2) + 1  # (B, kd): full-data label of each draw cluster
    kept = (np.take_along_axis(best, draws - 1, axis=1) == lab[None, :]).sum(axis=0)
    return ari, kept.astype(np.float64)


# ==================================================================================== result
@dataclass(frozen=True, eq=False)
class ClusterResult:
    """Clusters of states per period.

    ``assignments``: ``period, start, end, state, name, cluster`` (aligned across periods),
    ``raw`` (1 = the period's largest cluster), ``stability`` (share of bootstrap draws keeping
    the state in its cluster; NaN without bootstrap), ``silhouette`` (the state's own), ``n``
    (its Y/A/N votes in the period). ``periods``: ``period, start, end, resolutions, states,
    method, k`` (major clusters, at least ``min_size`` states)``, silhouette, modularity,
    threshold, ari_mean, ari_lo, ari_hi, bootstrap``.
    ``clusters``: ``period, cluster, raw, size, major`` (at least ``min_size`` states: the
    ``k`` clusters of the period are the rows with ``major`` true), ``core`` (the three members
    with the highest mean agreement with their cluster), ``members`` (codes). ``matrices``:
    period -> agreement matrix (DataFrame) of the states clustered.
    """

    assignments: pd.DataFrame
    periods: pd.DataFrame
    clusters: pd.DataFrame
    query: Mapping[str, Any]
    matrices: Mapping[Any, pd.DataFrame] = field(default_factory=dict, repr=False)

    def to_frame(self) -> pd.DataFrame:
        """The assignments (a copy)."""
        return self.assignments.copy()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: ``{"query", "periods", "clusters", "assignments", "changes"}``."""
        cl = self.clusters.copy()
        cl["members"] = cl["members"].map(list)
        cl["core"] = cl["core"].map(list)
        return {"query": dict(self.query), "periods": records(self.periods),
                "clusters": records(cl), "assignments": records(self.assignments),
                "changes": records(self.changes())}

    def history(self) -> pd.DataFrame:
        """State x period table of aligned cluster numbers (NaN: not clustered that period)."""
        return self.assignments.pivot_table(index="state", columns="period", values="cluster",
                                            aggfunc="first", observed=True)

    def changes(self) -> pd.DataFrame:
        """States whose aligned cluster differs from the previous period's: ``state, name,
        period_before, cluster_before, period, cluster``."""
        a = self.assignments[["period", "state", "name", "cluster"]]
        order = {p: i for i, p in enumerate(self.periods["period"])}
        a = a.assign(_i=a["period"].map(order)).sort_values(["state", "_i"], kind="stable")
        prev_state = a["state"].shift(1)
        prev_i = a["_i"].shift(1)
        m = (a["state"] == prev_state) & (a["_i"] == prev_i + 1) \
            & (a["cluster"] != a["cluster"].shift(1))
        out = pd.DataFrame({
            "state": a["state"][m], "name": a["name"][m],
            "period_before": a["period"].astype(object).shift(1)[m], "cluster_before":
            a["cluster"].shift(1)[m].astype("Int64"), "period": a["period"][m],
            "cluster": a["cluster"][m]})
        return out.sort_values(["period", "state"], kind="stable").reset_index(drop=True)

    def matrix(self, period: Any = None) -> pd.DataFrame:
        if not self.matrices:
            raise ClusterError("no agreement matrix kept in this result")
        if period is None:
            period = list(self.matrices)[-1]
        if period not in self.matrices:
            raise ClusterError(f"no period {period!r}; have {list(self.matrices)}")
        return self.matrices[period]

    def summary(self) -> str:
        q = self.query
        lines = [f"Clusters of states ({q['method']}), {q['body']} votes, by {q['period']}"]
        for p in self.periods.itertuples(index=False):
            ari = "" if not np.isfinite(p.ari_mean) else \
                f", stability ARI {p.ari_mean:.2f} [{p.ari_lo:.2f}, {p.ari_hi:.2f}]"
            sil = "" if not np.isfinite(p.silhouette) else f", silhouette {p.silhouette:.2f}"
            lines.append(f"  {p.period}: {p.k} clusters of {p.states} states on "
                         f"{p.resolutions} votes{sil}{ari}")
            cl = self.clusters[self.clusters["period"] == p.period]
            small = []
            for c in cl.itertuples(index=False):
                if c.size >= q["min_size"]:
                    lines.append(f"    #{c.cluster} ({c.size}): core {', '.join(c.core)}")
                else:
                    small.append(f"#{c.cluster} {'+'.join(c.members)}")
            if small:
                lines.append(f"    smaller: {'; '.join(small)}")
        ch = self.changes()
        if len(ch):
            lines.append(f"  {len(ch)} changes of cluster between consecutive periods")
        return "\n".join(lines)

    def plot(self, path: str | Path | None = None, ax: Axes | None = None, period: Any = None,
             kind: Literal["auto", "map", "history"] = "auto") -> Figure:
        """``kind="map"``: one period's states on the first two axes of classical MDS of the
        distance, coloured by cluster; ``"history"``: state x period aligned clusters.
        ``"auto"``: a map for one period (or with ``period``), the history otherwise."""
        if kind == "auto":
            kind = "map" if (period is not None or len(self.periods) == 1) else "history"
        if kind == "map":
            return plotter("plot_cluster_map")(self, path=path, ax=ax, period=period)
        if kind == "history":
            return plotter("plot_cluster_history")(self, path=path, ax=ax)
        raise ClusterError(f"unknown plot kind {kind!r}; expected 'map' or 'history'")

    def mds(self, period: Any = None) -> pd.DataFrame:
        """One period's states (default: the last) on the first two axes of classical MDS of
        ``1 - agreement``: columns ``state, x, y, cluster``."""
        m = self.matrix(period)
        if period is None:
            period = list(self.matrices)[-1]
        d = 1.0 - m.to_numpy(dtype=float)
        d = np.where(np.isfinite(d), d, np.nanmean(d))
        np.fill_diagonal(d, 0.0)
        nn = len(d)
        j = np.eye(nn) - 1.0 / nn
        b = -0.5 * j @ (d ** 2) @ j
        vals, vecs = np.linalg.eigh(b)
        top = np.argsort(vals)[::-1][:2]
        xy = vecs[:, top] * np.sqrt(np.clip(vals[top], 0, None))
        a = self.assignments[self.assignments["period"] == period].set_index("state")
        return pd.DataFrame({"state": m.index.to_numpy(), "x": xy[:, 0], "y": xy[:, 1],
                             "cluster": a["cluster"].reindex(m.index).to_numpy()})


def _names(codes: np.ndarray) -> np.ndarray:
    from comity.analysis.movers import _names as names

    return names(codes)


# ===================================================================================== public
def clusters(
    period: PeriodSpec = "year",
    start: Any = None,
    end: Any = None,
    *,
    year: int | None = None,
    method: Method = "hierarchical",
    k: int | None = None,
    k_max: int = 10,
    min_size: int = 5,
    threshold: float | None = None,
    threshold_quantile: float = 0.5,
    bootstrap: int = 100,
    seed: int | None = None,
    min_votes: int = 20,
    body: str = "GA",
    issue: str | None = None,
    important: bool | None = None,
    states: Sequence[str] | None = None,
    predicted_issues: bool = True,
    store: Store | str | Path | None = None,
    panel: Panel | None = None,
    progress: Callable[[str, int, int], None] | None = None,
    n_jobs: int = 1,
) -> ClusterResult:
    """Cluster states on their agreement per period (methods, stability and alignment of
    labels over time: module docstring). ``year`` is a shortcut for ``start=end=year``.

    ``n_jobs`` processes share the periods (forked workers; the result does not depend on
    it: each period has its own seed). ``progress(description, done, total)`` is called as
    periods are done (periods done, of all)."""
    if method not in ("hierarchical", "community"):
        raise ClusterError(f"unknown method {method!r}; expected 'hierarchical' or 'community'")
    if k is not None and int(k) < 2:
        raise ClusterError(f"k must be at least 2, got {k!r}")
    if int(k_max) < 2:
        raise ClusterError(f"k_max must be at least 2, got {k_max!r}")
    if int(min_size) < 1:
        raise ClusterError(f"min_size must be at least 1, got {min_size!r}")
    if not 0.0 <= threshold_quantile <= 1.0:
        raise ClusterError(f"threshold_quantile must be in [0, 1], got {threshold_quantile!r}")
    if int(bootstrap) < 0 or int(min_votes) < 0:
        raise ClusterError("bootstrap and min_votes must be non-negative")
    if int(n_jobs) < 1:
        raise ClusterError(f"n_jobs must be at least 1, got {n_jobs!r}")
    if year is not None:
        if start is not None or end is not None:
            raise ClusterError("give either year or start/end, not both")
        start = end = int(year)
    from comity.analysis.shifts import _load_panel

    q = _query(body=body, start=start, end=end, session=None, issue=issue,
               important=important, search=None, strict=False)
    rows = None
    if states is not None:
        rows = []
        for t in states:
            p = resolve_party(t)
            if p.is_bloc:
                rows.extend(c for c in p.bloc.ever_members() if c not in rows)  # type: ignore
            elif p.code not in rows:
                rows.append(p.code)
    base = _load_panel(store, panel, rows, q, predicted_issues)
    _require_votes(base, q)
    cols, group, table = _assign_periods(base.resolutions, period, q)
    if len(cols) == 0:
        raise ClusterError("no recorded vote of the query falls in the requested periods")
    pos_all = _positions(base.votes)
    present = np.unique(group)
    rng = np.random.default_rng(seed)
    seeds = rng.integers(0, 2**31 - 1, size=len(present))
    codes = np.asarray(base.states, dtype=object)
    names = dict(zip(codes, _names(codes), strict=True)) if len(codes) else {}
    assign_parts, period_rows, cluster_rows = [], [], []
    matrices: dict[Any, pd.DataFrame] = {}
    prev_aligned: pd.Series | None = None
    next_id = 1
    opts = {"method": method, "k": k, "k_max": int(k_max), "min_size": int(min_size),
            "threshold": threshold, "quantile": threshold_quantile,
            "min_votes": int(min_votes), "bootstrap": int(bootstrap)}
    jobs = []  # (period index, label, columns, active states, positions)
    for i, per in enumerate(present):
        cc = cols[group == per]
        pos = pos_all[:, cc]
        nvotes = ((pos >= 0) & (pos < 3)).sum(axis=1)
        act = np.flatnonzero(nvotes >= max(int(min_votes), 1))
        if len(act) >= 3:
            jobs.append((i, per, cc, act, nvotes, pos[act]))
    fits = _fit_periods([(j[5], int(seeds[j[0]])) for j in jobs], opts, n_jobs,
                        [table["period"].iloc[j[1]] for j in jobs], progress)
    for (_, per, cc, act, nvotes, _), out in zip(jobs, fits, strict=True):
        label = table["period"].iloc[per]
        agree, full, sil_s, ari, kept = (out["agree"], out["full"], out["sil"], out["ari"],
                                         out["kept"])
        lab = full["labels"]
        # align labels with the previous period by maximal overlap
        aligned = _align(lab, codes[act], prev_aligned, next_id)
        next_id = max(next_id, int(aligned.max()) + 1)
        prev_aligned = pd.Series(aligned, index=codes[act])
        a_mat = pd.DataFrame(agree, index=codes[act], columns=codes[act])
        matrices[label] = a_mat
        ag = np.where(np.isfinite(agree), agree, np.nan)
        assign_parts.append(pd.DataFrame({
            "period": label, "start": table["start"].iloc[per], "end": table["end"].iloc[per],
            "state": codes[act], "name": [names[c] for c in codes[act]], "cluster": aligned,
            "raw": lab, "stability": kept / bootstrap if bootstrap else np.nan,
            "silhouette": sil_s, "n": nvotes[act].astype(np.int64)}))
        for c in np.unique(lab):
            sel = np.flatnonzero(lab == c)
            inner = np.nanmean(ag[np.ix_(sel, sel)] + np.where(np.eye(len(sel)) > 0, np.nan,
                                                                 0.0), axis=1) \
                if len(sel) > 1 else np.ones(1)
            core = codes[act][sel[np.argsort(-np.nan_to_num(inner, nan=-1), kind="stable")[:3]]]
            cluster_rows.append({"period": label, "cluster": int(aligned[sel[0]]),
                                 "raw": int(c), "size": len(sel),
                                 "major": len(sel) >= int(min_size), "core": tuple(core),
                                 "members": tuple(sorted(codes[act][sel]))})
        period_rows.append({
            "period": label, "start": table["start"].iloc[per], "end": table["end"].iloc[per],
            "resolutions": len(cc), "states": len(act), "method": method, "k": full["k"],
            "silhouette": full["silhouette"], "modularity": full["modularity"],
            "threshold": full["threshold"],
            "ari_mean": float(ari.mean()) if len(ari) else np.nan,
            "ari_lo": float(np.percentile(ari, 2.5)) if len(ari) else np.nan,
            "ari_hi": float(np.percentile(ari, 97.5)) if len(ari) else np.nan,
            "bootstrap": int(bootstrap)})
    if not period_rows:
        raise ClusterError(f"no period has at least 3 states with {min_votes} Y/A/N votes "
                           "(lower min_votes for a narrow slice)")
    assignments = pd.concat(assign_parts, ignore_index=True)
    query = {"period": _describe_period(period), **q.describe(), "method": method,
             "k": k, "k_max": int(k_max), "min_size": int(min_size), "threshold": threshold,
             "threshold_quantile": threshold_quantile, "bootstrap": int(bootstrap),
             "seed": seed, "min_votes": int(min_votes), "states": rows,
             "resolutions": int(base.n_resolutions)}
    return ClusterResult(assignments=assignments, periods=pd.DataFrame(period_rows),
                         clusters=pd.DataFrame(cluster_rows), query=query, matrices=matrices)


def _align(lab: np.ndarray, codes: np.ndarray, prev: pd.Series | None, next_id: int
           ) -> np.ndarray:
    """Aligned numbers for this period's labels (module docstring: maximal overlap)."""
    if prev is None:
        return lab.copy()
    from scipy.optimize import linear_sum_assignment

    cur_ids = np.unique(lab)
    prev_ids = np.unique(prev.to_numpy())
    prev_lab = prev.reindex(codes).to_numpy()
    both = ~pd.isna(prev_lab)
    c = np.zeros((len(cur_ids), len(prev_ids)), dtype=np.int64)
    if both.any():
        ci = np.searchsorted(cur_ids, lab[both])
        pi = np.searchsorted(prev_ids, prev_lab[both].astype(np.int64))
        np.add.at(c, (ci, pi), 1)
    rows, cols_ = linear_sum_assignment(-c)
    mapping: dict[int, int] = {}
    for r, cidx in zip(rows, cols_, strict=True):
        if c[r, cidx] > 0:
            mapping[int(cur_ids[r])] = int(prev_ids[cidx])
    nid = max(next_id, int(prev_ids.max()) + 1 if len(prev_ids) else 1)
    for cid in cur_ids:
        if int(cid) not in mapping:
            mapping[int(cid)] = nid
            nid += 1
    return np.array([mapping[int(v)] for v in lab], dtype=np.int64)
