"""Benchmark: held-out macro-F1 of the issue classifier (later sessions held out).

    python bench/issues.py [--db PATH | --data DIR] [--train-until 68] [--test-until 73]
                           [--rolling]

The classifier of :mod:`comity.issuecoding` is trained on Voeten's coded GA resolutions of
sessions ``<= --train-until`` and tested on the coded resolutions of the later sessions up to
``--test-until`` (the reference split: 1-68 -> 69-73; never random rows). Session 74 is left
out of both (its codes in the source are inconsistent, see :mod:`comity.issuecoding`); the
same split with session 74 kept (in the test set) is reported as ``macro_f1_with_74``. With
``--rolling``, one-session-ahead splits (train ``<= S``, test ``S + 1``) for S = 64..72 too.

Without ``--db`` a temporary store is built from ``--data`` (default ``$COMITY_TEST_DATA`` or
``../shared/data``). Per-issue lines are printed first; the last line is JSON:
``{"bench": "issues", "macro_f1", "per_issue": {issue: f1}, "precision": {...},
"recall": {...}, "support": {...}, "train_until", "test_sessions", "n_train", "n_test",
"macro_f1_with_74", "per_issue_with_74", "rolling": [{"train_until", "test_session",
"macro_f1", "n_test"}] | null, "seconds"}``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from _store import ensure_store  # noqa: E402
from comity.issuecoding import corpus, evaluate  # noqa: E402
from comity.store import Store  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--db", type=Path, default=None, help="an existing store (read-only)")
    ap.add_argument("--data", type=Path,
                    default=Path(os.environ.get("COMITY_TEST_DATA", ROOT / ".." / "shared" /
                                                "data")))
    ap.add_argument("--train-until", type=int, default=68)
    ap.add_argument("--test-until", type=int, default=73)
    ap.add_argument("--rolling", action="store_true", help="also one-session-ahead splits")
    args = ap.parse_args()

    db, tmp = ensure_store(args.db, args.data)
    with Store(db, read_only=True) as store:
        frame = corpus(store)
    t0 = time.perf_counter()
    ev = evaluate(frame, train_until=args.train_until, test_until=args.test_until)
    seconds = time.perf_counter() - t0
    ev74 = evaluate(frame, train_until=args.train_until, test_until=None, exclude_sessions=())
    print(ev.summary())
    print(f"with session 74 in the test set ({ev74.n_test} votes): macro-F1 "
          f"{ev74.macro_f1:.3f}")
    rolling = None
    if args.rolling:
        rolling = []
        for s in range(64, 73):
            r = evaluate(frame, train_until=s, test_until=s + 1)
            rolling.append({"train_until": s, "test_session": s + 1,
                            "macro_f1": round(r.macro_f1, 4), "n_test": r.n_test})
            print(f"train <= {s}, test {s + 1}: macro-F1 {r.macro_f1:.3f} ({r.n_test} votes)")
    per = ev.per_issue.set_index("issue")
    out = {
        "bench": "issues",
        "macro_f1": round(ev.macro_f1, 4),
        "per_issue": {k: round(float(v), 4) for k, v in per["f1"].items()},
        "precision": {k: round(float(v), 4) for k, v in per["precision"].items()},
        "recall": {k: round(float(v), 4) for k, v in per["recall"].items()},
        "support": {k: int(v) for k, v in per["support"].items()},
        "train_until": ev.train_until, "test_sessions": list(ev.test_sessions),
        "n_train": ev.n_train, "n_test": ev.n_test,
        "macro_f1_with_74": round(ev74.macro_f1, 4),
        "per_issue_with_74": {r.issue: round(float(r.f1), 4)
                              for r in ev74.per_issue.itertuples(index=False)},
        "rolling": rolling,
        "seconds": round(seconds, 2),
    }
    if tmp is not None:
        tmp.cleanup()
    print(json.dumps(out))


if __name__ == "__main__":
    main()
