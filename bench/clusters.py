"""Benchmark: ``comity clusters --from 1946 --to 2025`` vs. a plain scipy hierarchical clustering.

    python bench/clusters.py [--db PATH | --data DIR] [--from 1946] [--to 2025]
                             [--bootstrap 100] [--jobs 2] [--repeat 3] [--seed 1]

Both sides cluster the same yearly GA agreement matrices (1 - agreement, the states with at
least 20 Y/A/N votes in the year) and the same bootstrap resamples of each year's votes:

* comity (``seconds``): :func:`comity.analysis.clustering.clusters` on the in-memory panel
  (read once from the store, ``load_seconds``), as ``comity clusters`` runs it: hierarchical,
  ``--bootstrap`` draws per year (default 100), ``--jobs`` processes (default 2), the agreement
  matrices included. Best of ``--repeat`` runs (default 3). ``seconds_one_job``: the same with
  one process (one run). ``command_seconds``: the command itself, ``comity --db DB clusters
  --from Y --to Y --json``, in a fresh process (imports, store read and JSON included), best of
  ``--repeat`` runs — the figure the target (< 15 s on 2 cores) is about;
  ``command_seconds_all`` lists every run.
* baseline (``baseline_seconds``): the textbook way, one matrix at a time — for the full
  year and every bootstrap draw, ``scipy.cluster.hierarchy.linkage(squareform(1 - agreement),
  "average")``, ``fcluster(..., k, "maxclust")`` for every k = 2..10,
  ``sklearn.metrics.silhouette_score(..., metric="precomputed")`` to choose k, and
  ``sklearn.metrics.adjusted_rand_score`` of each draw against the full-year partition. The
  matrices themselves are computed by comity beforehand and *not* timed (so the baseline is
  timed on the clustering alone).
* ``ratio`` = baseline seconds / comity seconds (> 1: comity is faster).
* Same results? ``partitions_identical``: years whose full-data partition by comity with the
  plain rule (``min_size=1``: k is the number of clusters, chosen by silhouette) is the
  baseline's; ``max_silhouette_diff`` between the two.

Without ``--db`` a temporary store is built from ``--data`` (default ``$COMITY_TEST_DATA`` or
``../shared/data``). The last line is JSON: ``{"bench": "clusters", "seconds",
"baseline_seconds", "ratio", "command_seconds", "command_seconds_all", "seconds_one_job",
"load_seconds", "periods", "matrices", "bootstrap", "jobs", "states_max",
"partitions_identical", "max_silhouette_diff", "years", "repeat"}``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

from _store import add_store_options, ensure_store  # noqa: E402
from comity.analysis.clustering import _distance, agreement_matrix, clusters  # noqa: E402
from comity.analysis.measures import _positions, _resample_weights  # noqa: E402
from comity.store.db import Store  # noqa: E402
from comity.store.panel import Panel  # noqa: E402

MIN_VOTES = 20
K_MAX = 10


def yearly_positions(panel: Panel, first: int, last: int) -> list[tuple[int, np.ndarray]]:
    """(year, positions of the states with >= MIN_VOTES Y/A/N votes) for every year."""
    years = pd.to_datetime(panel.resolutions["date"]).dt.year.to_numpy()
    pos_all = _positions(panel.votes)
    out = []
    for y in range(first, last + 1):
        pos = pos_all[:, years == y]
        if pos.shape[1] == 0:
            continue
        act = ((pos >= 0) & (pos < 3)).sum(axis=1) >= MIN_VOTES
        if act.sum() >= 3:
            out.append((y, pos[act]))
    return out


def plain(dist: np.ndarray) -> tuple[np.ndarray, float]:
    """The textbook clustering: average linkage, k = 2..K_MAX by silhouette."""
    from scipy.cluster.hierarchy import fcluster, linkage
    from scipy.spatial.distance import squareform
    from sklearn.metrics import silhouette_score

    z = linkage(squareform(dist, checks=False), method="average")
    best: tuple[float, np.ndarray | None] = (-np.inf, None)
    for k in range(2, K_MAX + 1):
        lab = fcluster(z, k, criterion="maxclust")
        if not 2 <= len(np.unique(lab)) < len(lab):
            continue
        sc = silhouette_score(dist, lab, metric="precomputed")
        if sc > best[0] + 1e-12:
            best = (float(sc), lab)
    return (best[1] if best[1] is not None else np.ones(len(dist), dtype=int)), best[0]


def baseline(work: list[tuple[int, np.ndarray]], draws: int, seed: int
             ) -> tuple[float, dict[int, tuple[np.ndarray, float]], int]:
    """Clustering time only (matrices computed outside the clock), the full-year results."""
    from sklearn.metrics import adjusted_rand_score

    timed = 0.0
    full: dict[int, tuple[np.ndarray, float]] = {}
    matrices = 0
    rng = np.random.default_rng(seed)
    for year, pa in work:
        agree, n = agreement_matrix(pa)
        d = _distance(agree, n, MIN_VOTES)
        t = time.perf_counter()
        lab, sil = plain(d)
        timed += time.perf_counter() - t
        full[year] = (lab, sil)
        matrices += 1
        if not draws:
            continue
        w_all = _resample_weights(rng, draws, pa.shape[1])
        for w in w_all:
            ab, nb = agreement_matrix(pa, w)
            d = _distance(ab, nb, MIN_VOTES)
            t = time.perf_counter()
            got, _ = plain(d)
            adjusted_rand_score(lab, got)
            timed += time.perf_counter() - t
            matrices += 1
    return timed, full, matrices


def same_partition(a: np.ndarray, b: np.ndarray) -> bool:
    pairs = pd.crosstab(a, b)
    return bool(((pairs > 0).sum(axis=1) == 1).all() and ((pairs > 0).sum(axis=0) == 1).all())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_store_options(ap)
    ap.add_argument("--from", dest="first", type=int, default=1946)
    ap.add_argument("--to", dest="last", type=int, default=2025)
    ap.add_argument("--bootstrap", type=int, default=100)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()

    db, tmp = ensure_store(args.db, args.data)
    with Store(db, read_only=True) as store:
        t = time.perf_counter()
        panel = store.panel(body="GA")
        load = time.perf_counter() - t

    kw = {"start": args.first, "end": args.last, "panel": panel, "seed": args.seed,
          "bootstrap": args.bootstrap}
    clusters("year", year=2000, panel=panel, bootstrap=2)  # warm-up (imports, caches)
    times = []
    res = None
    for _ in range(max(1, args.repeat)):
        t = time.perf_counter()
        res = clusters("year", n_jobs=args.jobs, **kw)
        times.append(time.perf_counter() - t)
    assert res is not None
    seconds = min(times)
    t = time.perf_counter()
    one = clusters("year", n_jobs=1, **kw)
    seconds_one = time.perf_counter() - t
    pd.testing.assert_frame_equal(one.assignments, res.assignments)  # jobs change nothing

    command_times = []
    for _ in range(max(1, args.repeat)):
        t = time.perf_counter()
        cmd = subprocess.run([sys.executable, "-m", "comity.cli", "--db", str(db), "clusters",
                              "--from", str(args.first), "--to", str(args.last), "--bootstrap",
                              str(args.bootstrap), "--jobs", str(args.jobs), "--json"],
                             capture_output=True, text=True)
        command_times.append(time.perf_counter() - t)
        if cmd.returncode != 0:
            raise SystemExit(f"comity clusters failed: {cmd.stderr}")
        json.loads(cmd.stdout)
    command_seconds = min(command_times)

    work = yearly_positions(panel, args.first, args.last)
    base_seconds, base_full, matrices = baseline(work, args.bootstrap, args.seed)

    # same partitions as the plain rule?
    plain_rule = clusters("year", min_size=1, **{**kw, "bootstrap": 0})
    a = plain_rule.assignments
    ident, sil_diff = 0, 0.0
    sil = plain_rule.periods.set_index("period")["silhouette"]
    for year, pa in work:
        ours = a[a["period"] == year]["raw"].to_numpy()
        lab, s = base_full[year]
        ident += same_partition(ours, lab) and len(ours) == len(pa)
        if np.isfinite(s) and np.isfinite(sil.get(year, np.nan)):
            sil_diff = max(sil_diff, abs(float(sil[year]) - s))

    out = {
        "bench": "clusters",
        "seconds": round(seconds, 3),
        "baseline_seconds": round(base_seconds, 3),
        "ratio": round(base_seconds / seconds, 1),
        "command_seconds": round(command_seconds, 3),
        "command_seconds_all": [round(x, 2) for x in command_times],
        "seconds_one_job": round(seconds_one, 3),
        "load_seconds": round(load, 3),
        "periods": len(res.periods),
        "matrices": matrices,
        "bootstrap": args.bootstrap,
        "jobs": args.jobs,
        "states_max": int(res.periods["states"].max()),
        "partitions_identical": f"{ident}/{len(work)}",
        "max_silhouette_diff": sil_diff,
        "years": [args.first, args.last],
        "repeat": len(times),
    }
    print(f"comity: {len(res.periods)} years x (1 + {args.bootstrap} draws) clustered in "
          f"{seconds:.2f} s with {args.jobs} processes ({seconds_one:.2f} s with one); "
          f"the command: {command_seconds:.2f} s; plain scipy/sklearn on the same matrices: "
          f"{base_seconds:.1f} s (ratio {base_seconds / seconds:.1f}, "
          f"{base_seconds / seconds_one:.1f} with one process); same partitions as the "
          f"plain rule in {ident} of {len(work)} years", file=sys.stderr)
    print(json.dumps(out))
    if tmp is not None:
        tmp.cleanup()


if __name__ == "__main__":
    main()
