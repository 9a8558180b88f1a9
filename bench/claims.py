"""Benchmark: read and test a whole article end to end (issue 14).

    python bench/claims.py [--db PATH | --data DIR] [--article FILE] [--repeat N]

The article (default ``tests/claims/article.txt``: 1,600 words, 10 claims among 75
sentences) is checked by ``comity claim --file ARTICLE --json`` in a fresh process, so the
time includes starting Python, importing comity, reading every sentence, opening the store
once and evaluating every claim with 2,000 bootstrap draws, the robustness checks and the
evidence. Best of ``--repeat`` runs (``seconds_median`` too).

Baseline, measured in the same run: the same claims checked one at a time, each in its own
``comity claim "TEMPLATE" --json`` process (the template text of each claim the reader
found), as a user of the template grammar had to. ``ratio_vs_one_by_one`` = baseline seconds /
article seconds. Target: the article under 5 s.

Without ``--db`` a temporary store is built from ``--data``. The last line is JSON:
``{"bench": "claims", "seconds", "seconds_median", "baseline_seconds", "ratio_vs_one_by_one",
"claims_found", "sentences_skipped", "words", "verdicts", "target_seconds", "repeat"}``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _store import add_store_options, ensure_store

ROOT = Path(__file__).resolve().parents[1]


def _run(args: list[str]) -> tuple[float, dict]:
    t = time.perf_counter()
    r = subprocess.run([sys.executable, "-m", "comity.cli", *args], capture_output=True,
                       text=True, check=False)
    dt = time.perf_counter() - t
    if r.returncode != 0:
        raise SystemExit(f"comity {' '.join(args[:2])} failed: {r.stderr.strip()[:500]}")
    return dt, json.loads(r.stdout)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_store_options(ap)
    ap.add_argument("--article", type=Path, default=ROOT / "tests" / "claims" / "article.txt")
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args()
    db, tmp = ensure_store(a.db, a.data)
    try:
        times = []
        out: dict = {}
        for _ in range(max(1, a.repeat)):
            dt, out = _run(["claim", "--file", str(a.article), "--db", str(db), "--json"])
            times.append(dt)
        claims = out["claims"]
        base = 0.0
        for c in claims:
            dt, _ = _run(["claim", c["template"], "--db", str(db), "--json"])
            base += dt
        words = len(a.article.read_text("utf-8").split())
        res = {"bench": "claims", "seconds": round(min(times), 3),
               "seconds_median": round(statistics.median(times), 3),
               "baseline_seconds": round(base, 3),
               "ratio_vs_one_by_one": round(base / min(times), 2) if claims else None,
               "claims_found": len(claims), "sentences_skipped": len(out["skipped"]),
               "words": words, "verdicts": [c["headline"] for c in claims],
               "target_seconds": 5.0, "repeat": len(times)}
        for c in claims:
            print(f"{c['headline']:>18}  {c['reading']}", file=sys.stderr)
        sys.stderr.flush()
        print(json.dumps(res), flush=True)
    finally:
        if tmp is not None:
            tmp.cleanup()


if __name__ == "__main__":
    main()
