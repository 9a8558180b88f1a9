"""Benchmark: held-out macro-F1 of the issue classifier (later sessions held out).

    python bench/issues.py [--db PATH | --data DIR] [--train-until 68] [--test-until 73]
                           [--rolling] [--select]

Protocol (no tuning on the test sessions). The hyper-parameters of
:mod:`comity.analysis.issuecoding`
(``C`` of the per-issue logistic regressions and the ``half_life`` of the recency weighting) were
chosen once on validation folds carved from the training sessions only: train ``<= 58``,
validate 59-63 and train ``<= 63``, validate 64-68 (``VALIDATION_FOLDS``); the configuration
with the best mean validation macro-F1 is the module default. ``--select`` re-runs that
comparison over ``SELECTION_GRID`` (it reads no session after 68) and prints the table; every
run reports the validation scores of the defaults (``validation`` in the JSON). The model is then
refitted with :func:`~comity.analysis.issuecoding.train` on the coded GA resolutions of sessions
``<= --train-until`` and scored once on the coded resolutions of the later sessions up to
``--test-until`` (the reference split: 1-68 -> 69-73; never random rows) with
:func:`~comity.analysis.issuecoding.predict`'s probabilities at the model threshold -- the same
code that
codes the uncoded resolutions. Session 74 is left out of both (its codes in the source are
inconsistent, see :mod:`comity.analysis.issuecoding`); the same split with session 74 kept (in the
test
set) is reported as ``macro_f1_with_74``. With ``--rolling``, one-session-ahead splits (train
``<= S``, test ``S + 1``) for S = 64..72 too.

Without ``--db`` a temporary store is built from ``--data`` (default ``$COMITY_TEST_DATA`` or
``../shared/data``). Per-issue lines are printed first; the last line is JSON:
``{"bench": "issues", "macro_f1", "per_issue": {issue: f1}, "precision": {...},
"recall": {...}, "support": {...}, "train_until", "test_sessions", "n_train", "n_test",
"macro_f1_with_74", "per_issue_with_74", "rolling": [{"train_until", "test_session",
"macro_f1", "n_test"}] | null, "seconds", "C", "half_life", "threshold",
"validation": {"folds": [[train_until, validate_until], ...], "macro_f1": {"59-63": f1, ...},
"mean"}, "selection": [{"c", "half_life", "macro_f1", "selected"}] | null,
"train_seconds"}`` (``seconds``: the held-out evaluation; ``train_seconds``: fitting the
product model on every coded session).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from _store import add_store_options, ensure_store  # noqa: E402
from comity.analysis.issuecoding import (  # noqa: E402
    DEFAULT_C,
    DEFAULT_HALF_LIFE,
    VALIDATION_FOLDS,
    corpus,
    evaluate,
    select_hyperparameters,
    train,
)
from comity.store.db import Store  # noqa: E402


def _fold_name(col: str) -> str:
    return col.removeprefix("f1_").replace("_", "-")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_store_options(ap)
    ap.add_argument("--train-until", type=int, default=68)
    ap.add_argument("--test-until", type=int, default=73)
    ap.add_argument("--rolling", action="store_true", help="also one-session-ahead splits")
    ap.add_argument("--select", action="store_true",
                    help="re-run the hyper-parameter comparison on the validation folds")
    args = ap.parse_args()

    db, tmp = ensure_store(args.db, args.data)
    with Store(db, read_only=True) as store:
        frame = corpus(store)

    # validation folds, carved from the sessions <= 68: the defaults, or the whole grid
    grid = None if args.select else {"c": (DEFAULT_C,), "half_life": (DEFAULT_HALF_LIFE,)}
    sel = select_hyperparameters(frame, folds=VALIDATION_FOLDS, grid=grid)
    fold_cols = [c for c in sel.columns if c.startswith("f1_")]
    half_lives = [None if h != h else float(h) for h in sel["half_life"]]  # NaN -> None
    selection = None
    if args.select:
        print("validation macro-F1 (hyper-parameters chosen here; test sessions unused):")
        for r, h in zip(sel.itertuples(index=False), half_lives, strict=True):
            folds = "  ".join(f"{_fold_name(c)} {getattr(r, c):.3f}" for c in fold_cols)
            print(f"  C {r.c:g}, half-life {h}: {folds}  mean {r.macro_f1:.3f}"
                  + ("  <- selected" if r.selected else ""))
        selection = [{"c": float(r.c), "half_life": h, "macro_f1": round(float(r.macro_f1), 4),
                      "selected": bool(r.selected)}
                     for r, h in zip(sel.itertuples(index=False), half_lives, strict=True)]
        best = next(x for x in selection if x["selected"])
        if (best["c"], best["half_life"]) != (DEFAULT_C, DEFAULT_HALF_LIFE):
            print("warning: the selected configuration differs from the module defaults",
                  file=sys.stderr)
    mine = next(k for k, (c, h) in enumerate(zip(sel["c"], half_lives, strict=True))
                if (float(c), h) == (DEFAULT_C, DEFAULT_HALF_LIFE))
    validation = {"folds": [list(f) for f in VALIDATION_FOLDS],
                  "macro_f1": {_fold_name(c): round(float(sel[c].iloc[mine]), 4)
                               for c in fold_cols},
                  "mean": round(float(sel["macro_f1"].iloc[mine]), 4)}

    t0 = time.perf_counter()
    ev = evaluate(frame, train_until=args.train_until, test_until=args.test_until)
    seconds = time.perf_counter() - t0
    ev74 = evaluate(frame, train_until=args.train_until, test_until=None, exclude_sessions=())
    t0 = time.perf_counter()
    full = train(frame)
    train_seconds = time.perf_counter() - t0
    print(f"validation (C {DEFAULT_C:g}, half-life {DEFAULT_HALF_LIFE}): "
          + ", ".join(f"{k} {v:.3f}" for k, v in validation["macro_f1"].items())
          + f"; mean {validation['mean']:.3f}")
    print(ev.summary())
    print(f"with session 74 in the test set ({ev74.n_test} votes): macro-F1 "
          f"{ev74.macro_f1:.3f}; " + ", ".join(
              f"{r.issue} {r.f1:.3f}" for r in ev74.per_issue.itertuples(index=False)))
    print(f"product model: {full.n_train} coded votes, sessions {full.sessions[0]}-"
          f"{full.sessions[1]}, fitted in {train_seconds:.1f} s")
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
        "C": ev.c, "half_life": ev.half_life, "threshold": ev.threshold,
        "validation": validation,
        "selection": selection,
        "train_seconds": round(train_seconds, 2),
    }
    if tmp is not None:
        tmp.cleanup()
    print(json.dumps(out))


if __name__ == "__main__":
    main()
