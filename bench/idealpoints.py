"""Benchmark: comity's EM ideal points vs. R ``pscl::ideal`` (MCMC), and the full GA fit.

    python bench/idealpoints.py [--db STORE] [--data DATA_DIR] [--session 70]
                                [--pscl-maxiter 10000] [--repeat 5]

1. *Same matrix, against pscl.* The recorded GA votes of one session (default 70, 2015-16) as a
   binary roll-call matrix: Y = 1, N = 0, and abstentions, absences and non-membership missing
   (pscl's ``ideal`` is a binary IRT model, so abstentions cannot be used fairly by it).
   ``pscl::ideal`` runs with its default priors (x ~ N(0, 1), item parameters ~ N(0, 25)),
   ``maxiter`` 10000, ``burnin`` 5000, ``thin`` 100 (its defaults), ``normalize = TRUE``,
   unanimous votes dropped (``lop = 0``); it is timed inside R (``system.time`` around
   ``ideal`` only, so R's start-up is excluded). comity fits the *same* matrix (one period, so
   the random walk plays no part) with its defaults, timed in a fresh subprocess (imports and
   one warm-up fit excluded), best of ``--repeat`` runs. ``corr_vs_pscl`` is the Pearson
   correlation of comity's estimates with pscl's posterior means (``xbar``), the sign of
   pscl's arbitrary axis aligned;
   ``ratio_vs_pscl`` = pscl seconds / comity seconds (> 1: comity is faster). For information,
   the correlation of comity's *ordinal* fit of the same session (abstentions as the middle
   category) with pscl is reported too (``corr_ordinal_vs_pscl``).
2. *Full fit.* In a fresh subprocess: the whole GA store (1946 to the latest session) as one
   panel, ``DynamicIdealPoints()`` with its defaults (period = session, one dimension).
   ``full_fit_seconds`` is ``fit`` alone (``panel_seconds`` the query that builds the panel);
   ``peak_mib`` the subprocess's maximum resident set size.

R packages come from Debian (``apt-get install r-base-core r-cran-pscl``). Without
``Rscript`` the bench says so on stderr and reports ``corr_vs_pscl``/``ratio_vs_pscl`` as
null, with the other figures. Without ``--db`` a temporary store is built from ``--data``
(default ``$COMITY_TEST_DATA`` or ``../shared/data``). The last line is JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

from _store import add_store_options, ensure_store  # noqa: E402
from comity.store.db import Store  # noqa: E402
from comity.store.panel import ABSENT, ABSTAIN, NO, YES, Panel  # noqa: E402

R_SCRIPT = r"""
suppressPackageStartupMessages(library(pscl))
cli <- commandArgs(trailingOnly = TRUE)
n_iter <- as.integer(cli[4])
n_burn <- as.integer(cli[5])
n_thin <- as.integer(cli[6])
m <- as.matrix(read.csv(cli[1], row.names = 1, check.names = FALSE))
rc <- rollcall(m, yea = 1, nay = 0, missing = NA, notInLegis = 9,
               legis.names = rownames(m), desc = "comity bench")
set.seed(as.integer(cli[3]))
tm <- system.time(fit <- ideal(rc, d = 1, maxiter = n_iter, burnin = n_burn, thin = n_thin,
                               normalize = TRUE, verbose = FALSE,
                               dropList = list(codes = "notInLegis", lop = 0)))
xb <- fit$xbar[, 1]
out <- data.frame(state = names(xb), xbar = as.numeric(xb))
write.csv(out, cli[2], row.names = FALSE)
cat(sprintf("{\"seconds\": %f}\n", tm[["elapsed"]]))
"""

SESSION_FIT = r"""
import json, sys, time
from comity.store.db import Store
from comity.analysis.idealpoints import DynamicIdealPoints
from comity.store.panel import ABSENT, ABSTAIN, Panel
with Store(sys.argv[1], read_only=True) as s:
    panel = s.panel(body="GA", session=int(sys.argv[2]))
v = panel.votes.copy()
v[v == ABSTAIN] = ABSENT  # binary: abstentions missing, as for pscl
binary = Panel(votes=v, states=panel.states, resolutions=panel.resolutions)
DynamicIdealPoints().fit(binary)  # warm-up (first calls of numpy/scipy routines)
best = float("inf")
for _ in range(int(sys.argv[3])):
    t = time.perf_counter()
    m = DynamicIdealPoints().fit(binary)
    best = min(best, time.perf_counter() - t)
ordinal = DynamicIdealPoints().fit(panel)
est = lambda mod: dict(zip(mod.ideal_points_["state"], mod.ideal_points_["estimate"]))
print(json.dumps({"seconds": best, "n_iter": m.n_iter_, "binary": est(m),
                  "ordinal": est(ordinal)}))
"""

FULL_FIT = r"""
import json, resource, sys, time
from comity.store.db import Store
from comity.analysis.idealpoints import DynamicIdealPoints
t = time.perf_counter()
with Store(sys.argv[1], read_only=True) as s:
    panel = s.panel(body="GA")
tp = time.perf_counter() - t
t = time.perf_counter()
m = DynamicIdealPoints().fit(panel)
tf = time.perf_counter() - t
if len(sys.argv) > 2:  # where to write the ideal points for the BSV comparison
    m.ideal_points_.to_csv(sys.argv[2], index=False)
print(json.dumps({"panel_seconds": tp, "fit_seconds": tf, "n_iter": m.n_iter_,
                  "converged": m.converged_, "summary": m.summary(),
                  "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def binary_panel(panel: Panel) -> Panel:
    """Y/N only: abstentions become missing (coded absent)."""
    v = panel.votes.copy()
    v[v == ABSTAIN] = ABSENT
    return Panel(votes=v, states=panel.states, resolutions=panel.resolutions)


def pscl_matrix(panel: Panel) -> pd.DataFrame:
    v = panel.votes
    m = np.where(v == YES, 1.0, np.where(v == NO, 0.0, np.nan))
    m = np.where(v == 9, 9.0, m)
    keep = ((v == YES) | (v == NO)).any(axis=1)
    cols = [str(r) for r in panel.resolutions["rid"]]
    return pd.DataFrame(m[keep], index=np.asarray(panel.states)[keep], columns=cols)


def run_python(code: str, *args: str) -> dict:
    """Run ``code`` in a fresh interpreter (the timings exclude imports); last line JSON."""
    proc = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                          check=False, env={**os.environ, "PYTHONPATH": str(ROOT / "src")})
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr)
        raise SystemExit(proc.returncode)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def run_pscl(mat: pd.DataFrame, a: argparse.Namespace) -> tuple[float, pd.Series] | None:
    rscript = shutil.which("Rscript")
    if rscript is None:
        print("R is not installed (no Rscript on PATH): skipping the pscl comparison; install "
              "it with `apt-get install -y r-base-core r-cran-pscl`", file=sys.stderr)
        return None
    with tempfile.TemporaryDirectory() as tmp:
        src, out, script = (Path(tmp) / n for n in ("m.csv", "xbar.csv", "bench.R"))
        mat.to_csv(src, na_rep="NA")
        script.write_text(R_SCRIPT)
        proc = subprocess.run(
            [rscript, str(script), str(src), str(out), str(a.seed), str(a.pscl_maxiter),
             str(a.pscl_burnin), str(a.pscl_thin)], capture_output=True, text=True,
            check=False)
        if proc.returncode != 0 or not out.exists():
            print(f"pscl::ideal failed (is r-cran-pscl installed?):\n{proc.stderr}",
                  file=sys.stderr)
            return None
        secs = json.loads(proc.stdout.strip().splitlines()[-1])["seconds"]
        xbar = pd.read_csv(out).set_index("state")["xbar"]
    return float(secs), xbar


def aligned_corr(ours: pd.Series, ref: pd.Series) -> float:
    both = pd.concat([ours, ref], axis=1, join="inner").dropna()
    r = float(np.corrcoef(both.iloc[:, 0], both.iloc[:, 1])[0, 1])
    return abs(r)  # pscl's axis has an arbitrary sign


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    add_store_options(ap)
    ap.add_argument("--session", type=int, default=70)
    ap.add_argument("--pscl-maxiter", type=int, default=10000)
    ap.add_argument("--pscl-burnin", type=int, default=5000)
    ap.add_argument("--pscl-thin", type=int, default=100)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--bsv", type=Path, default=None,
                    help="a Bailey-Strezhnev-Voeten release of ideal points (CSV with iso3c, "
                    "session, IdealPoint, e.g. IdealpointestimatesAll_Jun2024.csv); read, "
                    "never copied")
    a = ap.parse_args()
    db_path, tmp = ensure_store(a.db, a.data)
    db = str(db_path)
    try:
        with Store(db, read_only=True) as s:
            sess = s.panel(body="GA", session=a.session)
        if sess.n_resolutions == 0:
            raise SystemExit(f"no recorded GA votes in session {a.session}")
        binp = binary_panel(sess)
        ours = run_python(SESSION_FIT, db, str(a.session), str(a.repeat))
        ours_s = ours["seconds"]
        est, ordinal = pd.Series(ours["binary"]), pd.Series(ours["ordinal"])
        mat = pscl_matrix(binp)
        print(f"session {a.session}: {mat.shape[0]} states x {mat.shape[1]} votes; comity "
              f"{ours_s:.3f} s ({ours['n_iter']} iterations)", file=sys.stderr)
        ref = run_pscl(mat, a)
        corr = ratio = corr_ord = pscl_s = None
        if ref is not None:
            pscl_s, xbar = ref
            corr = round(aligned_corr(est, xbar), 4)
            corr_ord = round(aligned_corr(ordinal, xbar), 4)
            ratio = round(pscl_s / ours_s, 1)
            print(f"pscl::ideal {pscl_s:.2f} s (maxiter {a.pscl_maxiter}); r = {corr}, "
                  f"{ratio}x faster; ordinal fit r = {corr_ord}", file=sys.stderr)
        ip_csv = Path(tempfile.mkdtemp()) / "ip.csv"
        full = run_python(FULL_FIT, db, str(ip_csv))
        bsv = compare_bsv(a.bsv, ip_csv) if a.bsv is not None else {}
        summ = full["summary"]
        print(f"full GA fit: {summ['n_states']} states, {summ['n_periods']} sessions, "
              f"{summ['n_votes']} votes, {summ['n_items']} items; panel "
              f"{full['panel_seconds']:.1f} s, fit {full['fit_seconds']:.1f} s "
              f"({full['n_iter']} iterations, converged {full['converged']}), peak "
              f"{full['peak_mib']:.0f} MiB", file=sys.stderr)
    finally:
        if tmp is not None:
            tmp.cleanup()
    print(json.dumps({
        "bench": "idealpoints", "corr_vs_pscl": corr, "ratio_vs_pscl": ratio,
        "full_fit_seconds": round(full["fit_seconds"], 2),
        "peak_mib": round(full["peak_mib"], 1), "pscl_seconds": pscl_s,
        "comity_session_seconds": round(ours_s, 4), "corr_ordinal_vs_pscl": corr_ord,
        "session": a.session, "panel_seconds": round(full["panel_seconds"], 2),
        "full_fit_iterations": full["n_iter"], "r_installed": shutil.which("Rscript")
        is not None, **bsv}))


def compare_bsv(path: Path, ip_csv: Path) -> dict:
    """Pooled and per-session Pearson correlations of the full fit (dimension 1, one point per
    state and session) with a BSV release: ``bsv_pooled_r``, ``bsv_median_session_r``,
    ``bsv_worst_session_r`` (and which session), ``bsv_sessions_below_090``, ``bsv_pairs``."""
    ref = pd.read_csv(path, encoding="latin-1")
    need = {"iso3c", "session", "IdealPoint"}
    if need - set(ref.columns):
        raise SystemExit(f"{path}: expected the columns {sorted(need)}")
    ref = ref.dropna(subset=["iso3c", "IdealPoint"]).drop_duplicates(["iso3c", "session"])
    ip = pd.read_csv(ip_csv)
    ip = ip[ip["dim"] == 1]
    j = ref.merge(ip, left_on=["iso3c", "session"], right_on=["state", "period"])
    j = j.dropna(subset=["estimate"])
    per = {int(s): float(np.corrcoef(g["IdealPoint"], g["estimate"])[0, 1])
           for s, g in j.groupby("session") if len(g) > 5}
    worst = min(per, key=per.get)
    out = {"bsv_pooled_r": round(float(np.corrcoef(j["IdealPoint"], j["estimate"])[0, 1]), 4),
           "bsv_median_session_r": round(float(np.median(list(per.values()))), 4),
           "bsv_worst_session_r": round(per[worst], 4), "bsv_worst_session": worst,
           "bsv_sessions_below_090": sum(v < 0.90 for v in per.values()),
           "bsv_pairs": len(j), "bsv_sessions": len(per)}
    print("BSV per session: " + " ".join(f"{s}:{v:.2f}" for s, v in sorted(per.items())),
          file=sys.stderr)
    return out


if __name__ == "__main__":
    main()
