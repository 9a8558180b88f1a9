"""Benchmark: full ingest of every staged file vs. pandas.read_csv of the same CSV files.

    python bench/ingest.py [DATA_DIR] [--repeat N]

The baseline reads each staged CSV file with ``pandas.read_csv`` (doing nothing else); comity
parses, validates, merges and writes every staged file (CSV and JSON) into a fresh DuckDB
store. Both run in their own subprocess (imports excluded from the timing); the best of N runs
is kept. Peak memory is the comity subprocess's maximum resident set size. The last line is
JSON: ``{"bench": "ingest", "ratio_vs_pandas", "seconds", "baseline_seconds",
"read_floor_seconds", "peak_mib"}``; ``read_floor_seconds`` is the time to merely read every
staged file (CSV with ``pyarrow.csv``, JSON lines with ``json``) in two threads, a lower bound
for any ingest that must look at every row;
``ratio_vs_pandas`` = baseline seconds / comity seconds (> 1: comity is faster).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

BASELINE = r"""
import sys, time, json, glob
import pandas as pd
files = sorted(glob.glob(sys.argv[1] + '/*.csv.gz'))
t = time.perf_counter()
for f in files:
    pd.read_csv(f, low_memory=False)
dt = time.perf_counter() - t
import resource
print(json.dumps({"seconds": dt, "files": len(files),
                  "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

FLOOR = r"""
import sys, time, json, glob, gzip, os
from concurrent.futures import ThreadPoolExecutor
import pyarrow.csv as pc
d = sys.argv[1]
files = sorted(glob.glob(d + '/*.csv.gz') + glob.glob(d + '/*/*.json.gz'),
               key=lambda f: -os.path.getsize(f))
def read(f):
    if f.endswith('.csv.gz'):
        return pc.read_csv(f).num_rows
    return len([json.loads(x) for x in gzip.open(f).read().splitlines() if x.strip()])
t = time.perf_counter()
with ThreadPoolExecutor(2) as ex:
    list(ex.map(read, files))
print(json.dumps({"seconds": time.perf_counter() - t, "files": len(files)}))
"""

COMITY = r"""
import sys, time, json
from comity.store.db import Store
import comity.world.states, comity.ingest.merge, comity.ingest.sources.voeten
import comity.ingest.sources.scrape
import comity.ingest.sources.unxml
t = time.perf_counter()
with Store(sys.argv[2]) as s:
    rep = s.ingest([sys.argv[1]])
dt = time.perf_counter() - t
import resource
print(json.dumps({"seconds": dt, "counts": rep.counts,
                  "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def run(code: str, *args: str) -> dict:
    out = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                         check=False, env={**os.environ})
    if out.returncode != 0:
        sys.stderr.write(out.stderr)
        raise SystemExit(out.returncode)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    default = os.environ.get("COMITY_TEST_DATA",
                             str(Path(__file__).resolve().parents[1] / ".." / "shared" / "data"))
    ap.add_argument("data", nargs="?", default=default)
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args()
    data = str(Path(a.data).resolve())
    base, ours, floor = [], [], []
    for i in range(a.repeat):
        base.append(run(BASELINE, data))
        floor.append(run(FLOOR, data))
        with tempfile.TemporaryDirectory() as tmp:
            ours.append(run(COMITY, data, str(Path(tmp) / f"bench{i}.duckdb")))
        print(f"run {i + 1}: pandas.read_csv {base[-1]['seconds']:.2f} s, "
              f"comity ingest {ours[-1]['seconds']:.2f} s "
              f"(peak {ours[-1]['peak_mib']:.0f} MiB)", file=sys.stderr)
    b = min(x["seconds"] for x in base)
    o = min(x["seconds"] for x in ours)
    peak = max(x["peak_mib"] for x in ours)
    print(f"counts: {ours[-1]['counts']}", file=sys.stderr)
    f = min(x["seconds"] for x in floor)
    print(f"floor: reading every staged file with Arrow/json in 2 threads, nothing else: "
          f"{f:.2f} s", file=sys.stderr)
    print(json.dumps({"bench": "ingest", "ratio_vs_pandas": round(b / o, 3),
                      "seconds": round(o, 3), "baseline_seconds": round(b, 3),
                      "read_floor_seconds": round(f, 3), "peak_mib": round(peak, 1)}))


if __name__ == "__main__":
    main()
