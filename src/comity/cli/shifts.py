"""CLI commands for shifts, blocs found in the data and issue coding: ``comity shifts``,
``comity movers``, ``comity switches``, ``comity clusters``, ``comity issues train|predict|
report``. A thin shell over :mod:`comity.analysis.shifts`, :mod:`comity.analysis.clustering` and
:mod:`comity.analysis.issuecoding` (registered on ``comity.cli.app.app``).

JSON output (``--json``; stable keys)
-------------------------------------
Only JSON goes to stdout (notices such as "wrote FILE" go to stderr). Dates are ISO strings,
missing numbers ``null``; a state is its code (upper case), a bloc its key (lower case).

``comity shifts A B``::

    {"query": {"a", "b", "body", "start", "end", "session", "issue", "important", "search",
               "strict", "method", "penalty", "penalty_factor", "pen", "sigma2", "sigma2_iid",
               "block", "min_size", "bootstrap", "seed", "ci", "include_self",
               "predicted_issues", "resolutions"},
     "parties": [{"token", "kind", "code", "name"}, {...}],
     "n": votes in the series,
     "breaks": [{"date", "date_before", "rid", "symbol", "mean_before", "mean_after", "size",
                 "lo", "hi", "n_before", "n_after"}, ...],
     "segments": [{"segment", "start", "end", "n", "mean"}, ...]}

``date`` is the first vote after the change, ``size = mean_after - mean_before`` (agreement),
``lo``/``hi`` its block-bootstrap interval; ``pen`` the penalty used, ``sigma2`` the long-run
variance it is scaled by (see :mod:`comity.analysis.shifts`).

``comity movers REF --from P1 --to P2``::

    {"query": {"reference", "period_a", "period_b", "start_a", "end_a", "start_b", "end_b",
               "body", "issue", "important", "strict", "measure", "top", "bootstrap", "seed",
               "ci", "min_votes", "distance", "include_self", "ideal", "n_resolutions_a",
               "n_resolutions_b"},
     "reference": {"token", "kind", "code", "name"},
     "movers": [{"rank", "state", "name", "value_a", "lo_a", "hi_a", "n_a", "value_b", "lo_b",
                 "hi_b", "n_b", "change", "lo", "hi", "significant", "direction"}, ...],
     "ideal": null | [{"state", "name", "estimate_a", "estimate_b", "change", "lo", "hi",
                       "significant"}, ...]}

``movers`` holds the ``--top`` states with the largest ``|change|`` (``change = value_b -
value_a``; ``direction`` "toward" / "away" from the reference); ``ideal`` the same ranking by
cached ideal points (``query.ideal`` names the fit), null without a cached fit.

``comity switches``::

    {"query": {"state", "session", "year", "body", "include_absent", "max_gap", "strict"},
     "pairs": recurring pairs compared, "n": switches,
     "switches": [{"state", "name", "key", "title", "session_before", "symbol_before",
                   "date_before", "vote_before", "link_before", "session_after",
                   "symbol_after", "date_after", "vote_after", "link_after", "change",
                   "shift"}, ...]}

``key`` is the recurring key (normalised title, see :mod:`comity.analysis.shifts`), ``change`` e.g.
``"Y->N"``, ``shift`` the vote difference on Y=1, A=2, N=3 (null when an X is involved).

``comity clusters``::

    {"query": {"period", "body", "start", "end", "session", "issue", "important", "search",
               "strict", "method", "k", "k_max", "min_size", "threshold",
               "threshold_quantile", "bootstrap", "seed", "min_votes", "states",
               "resolutions"},
     "periods": [{"period", "start", "end", "resolutions", "states", "method", "k",
                  "silhouette", "modularity", "threshold", "ari_mean", "ari_lo", "ari_hi",
                  "bootstrap"}, ...],
     "clusters": [{"period", "cluster", "raw", "size", "major", "core": [codes],
                   "members": [codes]}, ...],
     "assignments": [{"period", "start", "end", "state", "name", "cluster", "raw",
                      "stability", "silhouette", "n"}, ...],
     "changes": [{"state", "name", "period_before", "cluster_before", "period", "cluster"},
                 ...]}

``cluster`` is aligned across periods (maximal overlap), ``raw`` the number within the period
(1 = largest); ``k`` counts clusters of at least ``min_size`` states, the rows of ``clusters``
with ``major`` true (the table lists those, and the smaller ones apart); ``ari_*`` the bootstrap
adjusted Rand index (mean, 2.5 and 97.5 percentiles); ``stability`` per state.

``comity issues train``::

    {"model": {"model_version", "threshold", "C", "n_train", "sessions", "trained_at",
               "exclude_sessions"},
     "model_path": "...",
     "evaluation": EVAL}

``comity issues predict``::

    {"model": {...as above}, "model_path", "db", "rows": rows written,
     "resolutions": resolutions predicted, "per_issue": {"me": n predicted, ...}}

``comity issues report``::

    {"evaluation": EVAL,
     "stored": null | {"model_version", "resolutions", "per_issue": {"me": n, ...},
                       "mean_probability": {"me": p, ...}}}

where ``EVAL`` = ``{"macro_f1", "per_issue": {"me": f1, ...}, "detail": [{"issue", "f1",
"precision", "recall", "support", "predicted_positive"}, ...], "train_until",
"test_sessions", "n_train", "n_test", "exclude_sessions", "C", "threshold"}``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import numpy as np
import pandas as pd
import typer

from comity.cli.app import DbOpt, JsonOpt, _print_json, _table, app, console, err_console

IssueOpt = Annotated[str | None, typer.Option(
    "--issue", help="Voeten issue: me nu di hr co ec, or a name ('human rights').")]
BodyOpt = Annotated[str, typer.Option("--body", help="GA, SC or both.")]
SeedOpt = Annotated[int | None, typer.Option("--seed", help="Seed of the bootstrap.")]
PlotOpt = Annotated[Path | None, typer.Option("--plot", help="Write a figure (.png or .svg).")]
BlocsOpt = Annotated[Path | None, typer.Option("--blocs", help="User bloc file (TOML, YAML or "
                                               "CSV).")]


def _num(v: Any, fmt: str = "{:.3f}") -> str:
    try:
        return "" if v is None or not np.isfinite(v) else fmt.format(v)
    except TypeError:
        return str(v)


def _ci(lo: Any, hi: Any, fmt: str = "{:+.3f}") -> str:
    if not (np.isfinite(lo) and np.isfinite(hi)):
        return ""
    return f"{fmt.format(lo)} – {fmt.format(hi)}"


def _wrote(path: Path) -> None:
    err_console.print(f"[dim]wrote {path}[/dim]", highlight=False)


# =================================================================================== shifts
@app.command()
def shifts(
    a: Annotated[str, typer.Argument(help="A state or bloc (USA, EU, ...).")],
    b: Annotated[str, typer.Argument(help="The other state or bloc.")],
    from_: Annotated[str | None, typer.Option("--from", help="First year or date.")] = None,
    to: Annotated[str | None, typer.Option("--to", help="Last year or date (inclusive).")]
    = None,
    issue: IssueOpt = None,
    body: BodyOpt = "GA",
    method: Annotated[str, typer.Option("--method", help="pelt (exact) or binseg.")] = "pelt",
    penalty: Annotated[str, typer.Option(
        "--penalty", help="'bic' (c*log(n)*long-run variance) or a number.")] = "bic",
    penalty_factor: Annotated[float, typer.Option(
        "--penalty-factor", help="c in the 'bic' penalty (2 = BIC).")] = 2.0,
    min_size: Annotated[int, typer.Option("--min-size", help="Shortest segment (votes).")]
    = 30,
    bootstrap: Annotated[int, typer.Option("--bootstrap", help="Draws for the size "
                                           "intervals (0: none).")] = 1000,
    seed: SeedOpt = None,
    strict: Annotated[bool, typer.Option("--strict", help="No lineage (RUS without USSR).")]
    = False,
    plot: PlotOpt = None,
    blocs: BlocsOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Change points in the per-resolution agreement of two states or blocs."""
    from comity.analysis.shifts import ShiftError, change_points

    try:
        pen: float | str = float(penalty)
    except ValueError:
        pen = penalty
    if method not in ("pelt", "binseg"):
        raise ShiftError(f"--method {method!r}: expected pelt or binseg")
    res = change_points(a, b, start=from_, end=to, issue=issue, body=body,
                        method=method,  # type: ignore[arg-type]
                        penalty=pen, penalty_factor=penalty_factor, min_size=min_size,
                        bootstrap=bootstrap, seed=seed, strict=strict, store=db,
                        blocs_file=blocs)
    if plot is not None:
        res.plot(plot)
        _wrote(plot)
    if as_json:
        _print_json(res.to_dict())
        return
    console.print(res.summary().splitlines()[0], highlight=False)
    seg = res.segments
    view = pd.DataFrame({
        "segment": seg["segment"], "from": pd.to_datetime(seg["start"]).dt.date.astype(str),
        "to": pd.to_datetime(seg["end"]).dt.date.astype(str), "votes": seg["n"],
        "agreement": seg["mean"]})
    _table(view, "segments")
    if len(res.breaks):
        br = res.breaks
        _table(pd.DataFrame({
            "date": pd.to_datetime(br["date"]).dt.date.astype(str), "first vote": br["symbol"],
            "before": br["mean_before"], "after": br["mean_after"],
            "size": [f"{v:+.3f}" for v in br["size"]],
            "95% CI": [_ci(lo, hi) for lo, hi in zip(br["lo"], br["hi"], strict=True)]}),
            "change points")
    else:
        console.print("no change point at this penalty")


@app.command()
def movers(
    reference: Annotated[str, typer.Argument(help="Reference state or bloc (USA, EU, ...).")],
    from_: Annotated[str, typer.Option("--from", help="First period: 2014, 2010-2014 or "
                                       "2014-01-01:2014-06-30.")],
    to: Annotated[str, typer.Option("--to", help="Second period (same forms).")],
    top: Annotated[int, typer.Option("--top", help="How many states to list.")] = 10,
    measure: Annotated[str, typer.Option("--measure", "-m", help="agreement, S, kappa, pi or "
                                         "coincidence.")] = "agreement",
    issue: IssueOpt = None,
    body: BodyOpt = "GA",
    bootstrap: Annotated[int, typer.Option("--bootstrap", help="Draws per period (0: no "
                                           "interval).")] = 1000,
    seed: SeedOpt = None,
    min_votes: Annotated[int, typer.Option("--min-votes", help="Fewer shared votes -> no "
                                           "value.")] = 10,
    ideal: Annotated[str, typer.Option("--ideal", help="Cached ideal-point fit: auto (latest),"
                                       " a name, or none.")] = "auto",
    blocs: BlocsOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """States whose alignment with a reference changed most between two periods."""
    from comity.analysis.shifts import movers as _movers

    res = _movers(reference, from_, to, measure=measure, top=top, issue=issue, body=body,
                  bootstrap=bootstrap, seed=seed, min_votes=min_votes,
                  ideal=None if ideal.casefold() == "none" else ideal, store=db,
                  blocs_file=blocs)
    if as_json:
        _print_json(res.to_dict())
        return
    q = res.query
    f = res.top()
    view = pd.DataFrame({
        "rank": f["rank"], "state": f["state"], "name": f["name"].str.slice(0, 28),
        str(q["period_a"]): f["value_a"], str(q["period_b"]): f["value_b"],
        "change": [f"{v:+.3f}" for v in f["change"]],
        "95% CI": [_ci(lo, hi) for lo, hi in zip(f["lo"], f["hi"], strict=True)],
        "n": [f"{a}/{b}" for a, b in zip(f["n_a"], f["n_b"], strict=True)],
        "": np.where(f["significant"], f["direction"], ""),
    })
    _table(view, f"biggest movers relative to {res.reference.name} ({q['measure']}, "
           f"{q['n_resolutions_a']} and {q['n_resolutions_b']} votes)")
    if res.ideal is not None:
        g = res.ideal.head(top)
        _table(pd.DataFrame({
            "state": g["state"], "name": g["name"].str.slice(0, 28), "before": g["estimate_a"],
            "after": g["estimate_b"], "change": [f"{v:+.2f}" for v in g["change"]],
            "95% CI": [_ci(lo, hi, "{:+.2f}") for lo, hi in zip(g["lo"], g["hi"],
                                                                strict=True)]}),
            f"biggest moves of ideal points (fit {q['ideal']})")


@app.command()
def switches(
    state: Annotated[str | None, typer.Option("--state", help="One state (default: all).")]
    = None,
    session: Annotated[int | None, typer.Option("--session", help="Only switches whose later "
                                                "vote is in this session.")] = None,
    year: Annotated[int | None, typer.Option("--year", help="Only switches whose later vote "
                                             "is in this year.")] = None,
    include_absent: Annotated[bool, typer.Option(
        "--include-absent", help="Count a change to or from absent (X) as a switch.")] = False,
    max_gap: Annotated[int, typer.Option("--max-gap", help="Most sessions between two "
                                         "occurrences of a text.")] = 3,
    limit: Annotated[int, typer.Option("--limit", help="Rows to show (table only).")] = 50,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Vote switches on recurring resolutions (a state voting differently on the same text)."""
    from comity.analysis.shifts import vote_switches

    res = vote_switches(state, session, year=year, include_absent=include_absent,
                        max_gap=max_gap, store=db)
    if as_json:
        _print_json(res.to_dict())
        return
    f = res.frame
    view = pd.DataFrame({
        "state": f["state"], "change": f["change"],
        "before": f["symbol_before"], "after": f["symbol_after"],
        "date": pd.to_datetime(f["date_after"]).dt.date.astype(str),
        "title": f["title"].astype(str).str.slice(0, 60),
    })
    q = res.query
    when = (f" in session {q['session']}" if q["session"] is not None else "") + \
        (f" in {q['year']}" if q["year"] is not None else "")
    _table(view, f"{len(f)} vote switches on recurring texts{when} ({res.pairs} recurring "
           "pairs compared)", max_rows=limit)


# ================================================================================== clusters
@app.command(name="clusters")
def clusters_cmd(
    year: Annotated[int | None, typer.Option("--year", help="One year.")] = None,
    from_: Annotated[str | None, typer.Option("--from", help="First year or date.")] = None,
    to: Annotated[str | None, typer.Option("--to", help="Last year or date.")] = None,
    by: Annotated[str, typer.Option("--by", help="year, session, all or rolling:N.")] = "year",
    method: Annotated[str, typer.Option("--method", help="hierarchical or community.")]
    = "hierarchical",
    k: Annotated[int | None, typer.Option("--k", help="Fix the number of clusters.")] = None,
    k_max: Annotated[int, typer.Option("--k-max", help="Most clusters tried.")] = 10,
    min_size: Annotated[int, typer.Option("--min-size", help="Smallest cluster counted in k "
                                          "and listed; smaller ones are listed apart.")] = 5,
    threshold: Annotated[float | None, typer.Option(
        "--threshold", help="Agreement above which two states are linked (community; "
        "default: the period's median).")] = None,
    issue: IssueOpt = None,
    body: BodyOpt = "GA",
    bootstrap: Annotated[int, typer.Option("--bootstrap", help="Draws for stability (0: "
                                           "none).")] = 100,
    seed: SeedOpt = None,
    min_votes: Annotated[int, typer.Option("--min-votes", help="Fewer Y/A/N votes in a "
                                           "period: state left out.")] = 20,
    jobs: Annotated[int, typer.Option("--jobs", help="Processes sharing the periods (the "
                                      "result does not depend on it).")] = 2,
    plot: PlotOpt = None,
    plot_kind: Annotated[str, typer.Option(
        "--plot-kind", help="auto (map for one period, history for several), map (one file per "
        "period: OUT-PERIOD.png) or history.")] = "auto",
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Blocs found in the data: clusters of states on their agreement, per period."""
    from comity.analysis.clustering import ClusterError, clusters
    from comity.cli.progress import progress_bar

    if method not in ("hierarchical", "community"):
        raise ClusterError(f"--method {method!r}: expected hierarchical or community")
    if year is None and from_ is None and to is None:
        raise ClusterError("give --year or --from/--to")
    with progress_bar("clusters: reading the store", as_json=as_json) as cb:
        res = clusters(by, from_, to, year=year, method=method,  # type: ignore[arg-type]
                       k=k, k_max=k_max, min_size=min_size, threshold=threshold, issue=issue,
                       body=body, bootstrap=bootstrap, seed=seed, min_votes=min_votes,
                       store=db, progress=cb, n_jobs=jobs)
    if plot is not None:
        if plot_kind == "map" and len(res.periods) > 1:  # one map per period
            for per in res.periods["period"]:
                out = plot.with_name(f"{plot.stem}-{per}{plot.suffix}")
                res.plot(out, period=per, kind="map")
                _wrote(out)
        else:
            res.plot(plot, kind=plot_kind)  # type: ignore[arg-type]
            _wrote(plot)
    if as_json:
        _print_json(res.to_dict())
        return
    p = res.periods
    _table(pd.DataFrame({
        "period": p["period"].astype(str), "votes": p["resolutions"], "states": p["states"],
        "k": p["k"], "silhouette": p["silhouette"],
        "stability (ARI)": [_num(v, "{:.2f}") for v in p["ari_mean"]],
        "ARI 95%": [_ci(lo, hi, "{:.2f}") for lo, hi in zip(p["ari_lo"], p["ari_hi"],
                                                          strict=True)]}),
        f"clusters ({method}), {res.query['body']}")
    c = res.clusters
    major = c[c["major"]]
    _table(pd.DataFrame({
        "period": major["period"].astype(str), "cluster": major["cluster"],
        "size": major["size"], "core": major["core"].map(", ".join),
        "members": major["members"].map(lambda m: " ".join(m[:25]) + (" …" if len(m) > 25
                                                                       else ""))}),
        f"the k clusters of at least {res.query['min_size']} states (numbers aligned across "
        "periods)")
    small = c[~c["major"]]
    if len(small):  # not counted in k: listed apart, so that k and the table above agree
        _table(pd.DataFrame({
            "period": small["period"].astype(str), "cluster": small["cluster"],
            "size": small["size"], "members": small["members"].map(" ".join)}),
            f"smaller clusters (fewer than {res.query['min_size']} states; not counted in k)",
            max_rows=40)
    ch = res.changes()
    if len(ch):
        _table(ch.assign(period_before=ch["period_before"].astype(str),
                         period=ch["period"].astype(str)),
               "states that changed cluster", max_rows=40)


# ==================================================================================== issues
issues_app = typer.Typer(help="Issue coding: train the classifier, predict the uncoded "
                         "resolutions, report held-out scores.", no_args_is_help=True)
app.add_typer(issues_app, name="issues")

ModelOpt = Annotated[Path | None, typer.Option(
    "--model", help="Model file (default: next to the store, STORE.issues.npz).")]


def _db_path(db: Path | None) -> Path:
    from comity.store.db import default_db_path

    return Path(db) if db is not None else default_db_path()


def _model_path(db: Path, model: Path | None) -> Path:
    return model if model is not None else db.with_name(db.name + ".issues.npz")


def _corpus(db: Path) -> pd.DataFrame:
    from comity.analysis.issuecoding import corpus
    from comity.store.db import Store

    with Store(db, read_only=True) as s:
        return corpus(s)


def _print_eval(ev: Any) -> None:
    console.print(ev.summary().splitlines()[0], highlight=False)
    _table(ev.per_issue, "held-out scores per issue")


@issues_app.command("train")
def issues_train(
    train_until: Annotated[int, typer.Option("--train-until", help="Held-out check: train on "
                                             "sessions up to this one...")] = 68,
    test_until: Annotated[int, typer.Option("--test-until", help="...test on the later ones "
                                            "up to this one.")] = 73,
    model: ModelOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Fit the classifier on every coded resolution (and check it on held-out sessions)."""
    from comity.analysis.issuecoding import evaluate, save_model, train
    from comity.cli.progress import progress_bar

    path = _db_path(db)
    with progress_bar("issues: reading the coded resolutions", as_json=as_json) as cb:
        frame = _corpus(path)
        ev = evaluate(frame, train_until=train_until, test_until=test_until,
                      progress=lambda d, i, n: cb(f"held-out check (train to session "
                                                  f"{train_until}): {d}", i, n))
        fitted = train(frame, progress=lambda d, i, n: cb(f"final model: {d}", i, n))
        cb("saving the model", 1, 1)
        mp = save_model(fitted, _model_path(path, model))
    if as_json:
        _print_json({"model": fitted.describe(), "model_path": str(mp),
                     "evaluation": ev.to_dict()})
        return
    _print_eval(ev)
    console.print(f"model {fitted.version}: {fitted.n_train} coded votes, sessions "
                  f"{fitted.sessions[0]}-{fitted.sessions[1]} (without "
                  f"{fitted.meta.get('exclude_sessions')}); saved to {mp}", highlight=False)


@issues_app.command("predict")
def issues_predict(
    model: ModelOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Predict the issues of every resolution Voeten did not code and store them in the table
    issue_predictions (trains a model first if none is saved)."""
    path = _db_path(db)
    out, per = predict_issues(path, model, as_json=as_json)
    if as_json:
        _print_json(out)
        return
    console.print(f"wrote {out['rows']} rows ({out['resolutions']} resolutions) to "
                  f"issue_predictions with model {out['model']['model_version']}",
                  highlight=False)
    _table(pd.DataFrame({"issue": list(per), "predicted": list(per.values())}),
           "resolutions predicted per issue")


def predict_issues(path: Path, model: Path | None, *, as_json: bool
                   ) -> tuple[dict[str, Any], dict[str, int]]:
    """Code the resolutions Voeten did not code (training a model first if none is saved
    next to the store) and store the predictions; shared by ``comity issues predict`` and
    ``comity ingest``. Returns the JSON document and the count per issue."""
    from comity.analysis.issuecoding import (
        load_model,
        predict,
        save_model,
        train,
        write_predictions,
    )
    from comity.cli.progress import progress_bar

    mp = _model_path(path, model)
    frame = _corpus(path)
    if mp.exists():
        fitted = load_model(mp)
    else:
        if not as_json:
            err_console.print(f"[dim]no model at {mp}: training one[/dim]", highlight=False)
        with progress_bar("issues: training", as_json=as_json) as cb:
            fitted = train(frame, progress=lambda d, i, n: cb(f"training: {d}", i, n))
        save_model(fitted, mp)
    pred = predict(fitted, frame)
    rows = write_predictions(path, pred)
    pos = pred[pred["predicted"]]
    per = {i: int((pos["issue"] == i).sum()) for i in pd.unique(pred["issue"])}
    out = {"model": fitted.describe(), "model_path": str(mp), "db": str(path), "rows": rows,
           "resolutions": int(pred["rid"].nunique()), "per_issue": per}
    return out, per


@issues_app.command("report")
def issues_report(
    train_until: Annotated[int, typer.Option("--train-until", help="Train on sessions up to "
                                             "this one...")] = 68,
    test_until: Annotated[int | None, typer.Option(
        "--test-until", help="...test on the later coded sessions up to this one.")] = 73,
    include_74: Annotated[bool, typer.Option(
        "--include-74", help="Keep session 74 (codes inconsistent in the source) in training "
        "and test.")] = False,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Held-out macro-F1 per issue (later sessions held out) and the stored predictions."""
    from comity.analysis.issuecoding import SUSPECT_SESSIONS, evaluate, read_predictions
    from comity.store.db import Store

    path = _db_path(db)
    frame = _corpus(path)
    ev = evaluate(frame, train_until=train_until, test_until=test_until,
                  exclude_sessions=() if include_74 else SUSPECT_SESSIONS)
    with Store(path, read_only=True) as s:
        pred = read_predictions(s)
    stored = None
    if len(pred):
        pos = pred[pred["predicted"]]
        stored = {
            "model_version": str(pred["model_version"].iloc[0]),
            "resolutions": int(pred["rid"].nunique()),
            "per_issue": {i: int((pos["issue"] == i).sum()) for i in pd.unique(pred["issue"])},
            "mean_probability": {i: float(g.mean()) for i, g in
                                 pred.groupby("issue", sort=False)["probability"]},
        }
    if as_json:
        _print_json({"evaluation": ev.to_dict(), "stored": stored})
        return
    _print_eval(ev)
    if stored is None:
        console.print("no stored predictions (run `comity issues predict`)")
    else:
        console.print(f"stored predictions: {stored['resolutions']} resolutions, model "
                      f"{stored['model_version']}; predicted per issue: "
                      + ", ".join(f"{k} {v}" for k, v in stored["per_issue"].items()),
                      highlight=False)
