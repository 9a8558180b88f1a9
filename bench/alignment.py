"""Benchmark: every dyad x every year, all five measures, vs. a pandas self-join baseline.

    python bench/alignment.py [--db PATH | --data DIR] [--repeat N]

Both sides start from the same in-memory data, read once from the store (the read is timed on
its own, ``load_seconds``):

* comity: ``alignment_matrix(panel=..., start=1946, period="year", measure=<all five>)``, i.e.
  every dyad of GA members in every year 1946 -> latest, with agreement, S, kappa, pi and
  coincidence and the coverage counts, as a DataFrame (``MatrixResult.wide``). The best of
  ``--repeat`` runs is kept (as in ``bench/ingest.py``; ``seconds_median`` is reported too).
* baseline (agreement alone): the long votes table (``rid, year, state, v`` with Y/A/N coded
  1/2/3, states and rids as integer codes; preparing it is not timed) -> ``merge`` with itself
  on ``rid`` -> keep ``state_a < state_b`` -> ``agree = 1 - |v_a - v_b| / 2`` ->
  ``groupby([year, state_a, state_b]).agree.agg(["mean", "size"])``. One run (it is slow).
  Its agreement is checked against comity's (``max_abs_diff`` over the dyad-years both report
  with at least 10 shared votes). Best of ``--baseline-repeat`` runs (default 1).
* ``bootstrap_seconds``: ``alignment("USA", "RUS", start=1991, end=2020, period="year",
  measure=<all five>, bootstrap=2000)`` on the in-memory panel (one dyad, 30 years, 2,000
  draws).

Without ``--db`` a temporary store is built from ``--data`` (default ``$COMITY_TEST_DATA`` or
``../shared/data``). The last line is JSON: ``{"bench": "alignment", "ratio_vs_pandas",
"seconds", "baseline_seconds", "bootstrap_seconds", "load_seconds", "seconds_from_store",
"seconds_median", "dyad_years", "baseline_rows", "max_abs_diff", "years", "repeat"}``;
``ratio_vs_pandas`` = baseline seconds / comity seconds, ``seconds_from_store`` =
``load_seconds + seconds``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from _store import add_store_options, ensure_store  # noqa: E402
from comity.analysis.align import alignment, alignment_matrix  # noqa: E402
from comity.analysis.measures import MEASURES  # noqa: E402
from comity.store.db import Store  # noqa: E402
from comity.store.panel import Panel  # noqa: E402


def long_table(panel: Panel) -> pd.DataFrame:
    """``rid, year, state, v``: one row per Y/A/N vote, integer-coded (untimed preparation)."""
    s_idx, r_idx = np.nonzero((panel.votes >= 1) & (panel.votes <= 3))
    years = pd.to_datetime(panel.resolutions["date"]).dt.year.to_numpy()
    return pd.DataFrame({
        "rid": r_idx.astype(np.int32),
        "year": years[r_idx].astype(np.int16),
        "state": s_idx.astype(np.int16),
        "v": panel.votes[s_idx, r_idx].astype(np.int8),
    })


def baseline(long: pd.DataFrame) -> pd.DataFrame:
    """Agreement of every dyad per year with pandas: self-merge on rid, then groupby."""
    m = long.merge(long[["rid", "state", "v"]], on="rid", suffixes=("_a", "_b"))
    m = m[m["state_a"] < m["state_b"]]
    m = m.assign(agree=1.0 - (m["v_a"].astype(np.int16) - m["v_b"]).abs() / 2.0)
    return m.groupby(["year", "state_a", "state_b"])["agree"].agg(["mean", "size"])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_store_options(ap)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--baseline-repeat", type=int, default=1)
    args = ap.parse_args()

    db, tmp = ensure_store(args.db, args.data)
    with Store(db, read_only=True) as store:
        t = time.perf_counter()
        panel = store.panel(body="GA", start="1946-01-01")
        load = time.perf_counter() - t

    # comity: all dyads x years x five measures
    alignment_matrix(panel=panel, year=2000, measure=MEASURES)  # warm-up (imports, caches)
    times = []
    result = None
    for _ in range(max(1, args.repeat)):
        t = time.perf_counter()
        result = alignment_matrix(panel=panel, start=1946, period="year", measure=MEASURES)
        times.append(time.perf_counter() - t)
    assert result is not None
    seconds = min(times)
    wide = result.wide

    # bootstrap: one dyad, 30 years, 2000 draws
    alignment("USA", "RUS", start=2000, end=2001, panel=panel, bootstrap=10)  # warm-up
    t = time.perf_counter()
    boot = alignment("USA", "RUS", start=1991, end=2020, period="year", measure=MEASURES,
                     bootstrap=2000, seed=1, panel=panel)
    bootstrap_seconds = time.perf_counter() - t
    assert boot.frame["period"].nunique() == 30

    # pandas baseline
    long = long_table(panel)
    base_times = []
    for _ in range(max(1, args.baseline_repeat)):
        t = time.perf_counter()
        base = baseline(long)
        base_times.append(time.perf_counter() - t)
    baseline_seconds = min(base_times)

    # same numbers?
    codes = pd.Index(panel.states)
    b = base[base["size"] >= 10].reset_index()
    b["state_a"] = codes[b["state_a"].to_numpy()]
    b["state_b"] = codes[b["state_b"].to_numpy()]
    w = wide[["period", "state_a", "state_b", "agreement", "n"]].astype(
        {"state_a": str, "state_b": str})
    j = b.merge(w, left_on=["year", "state_a", "state_b"],
                right_on=["period", "state_a", "state_b"], how="left")
    if j["agreement"].isna().any() or (j["n"] != j["size"]).any():
        raise SystemExit("comity and the pandas baseline disagree on coverage")
    diff = float(np.max(np.abs(j["agreement"] - j["mean"]))) if len(j) else 0.0

    out = {
        "bench": "alignment",
        "ratio_vs_pandas": round(baseline_seconds / seconds, 1),
        "seconds": round(seconds, 3),
        "baseline_seconds": round(baseline_seconds, 3),
        "bootstrap_seconds": round(bootstrap_seconds, 3),
        "load_seconds": round(load, 3),
        "seconds_from_store": round(load + seconds, 3),
        "seconds_median": round(statistics.median(times), 3),
        "dyad_years": len(wide),
        "baseline_rows": len(base),
        "max_abs_diff": diff,
        "years": [int(wide["period"].min()), int(wide["period"].max())],
        "repeat": len(times),
    }
    print(f"comity: {len(wide)} dyad-years x {len(MEASURES)} measures in {seconds:.3f} s "
          f"(runs: {', '.join(f'{x:.3f}' for x in times)}); pandas agreement only: "
          f"{baseline_seconds:.1f} s; bootstrap (1 dyad, 30 years, 2000 draws, 5 measures): "
          f"{bootstrap_seconds:.3f} s; store read: {load:.2f} s", file=sys.stderr)
    print(json.dumps(out))
    if tmp is not None:
        tmp.cleanup()


if __name__ == "__main__":
    main()
