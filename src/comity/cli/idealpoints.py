"""CLI command ``comity idealpoints``: dynamic ordinal ideal points of GA members.

A thin shell over :mod:`comity.analysis.idealpoints` and :mod:`comity.analysis.fitstore`
(registered on
``comity.cli.app.app``). The fit covers *every* state that voted in the years asked for (positions
are relative to the whole Assembly); ``--states`` only chooses what is shown and plotted.

Cache
-----
With ``--cache`` (the default) a fit is stored in the store file itself (tables
``ideal_points`` and ``ideal_point_items``, see :func:`comity.analysis.fitstore.store_fit`) under
the
name :func:`comity.analysis.fitstore.cache_name` makes of the query and the model options, with the
store's :func:`~comity.store.fitcache.data_fingerprint` (number of votes, time of the last
ingest). The next identical query whose fingerprint matches is served from the cache without
refitting. Writing the cache needs the store file to be writable and not open in another
process; if it is not, the command says so on stderr and carries on.

JSON output (``--json``; stable keys)
-------------------------------------
::

    {"query": {"from", "to", "period", "dims", "link", "walk_variance", "bootstrap", "seed",
               "anchor", "states", "cache_name"},
     "cached": true|false,
     "summary": {... DynamicIdealPoints.summary() ...},
     "rows": [{"state", "period", "dim", "estimate", "se", "lo", "hi", "n_votes"}, ...]}

``rows`` holds the requested states (all states without ``--states``), ordered by dim,
state, period; ``se``/``lo``/``hi`` are ``null`` without ``--bootstrap``.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
import typer

from comity.cli.app import _print_json, _table, app, console, err_console
from comity.errors import ComityError, UnknownStateError


@app.command("idealpoints")
def idealpoints(
    start: Annotated[int | None, typer.Option("--from", help="First year (default: the "
                                              "first recorded vote).")] = None,
    end: Annotated[int | None, typer.Option("--to", help="Last year (default: the latest "
                                            "vote).")] = None,
    states: Annotated[str | None, typer.Option(
        "--states", help="Comma-separated state codes to show and plot (the fit always uses "
        "every state), e.g. USA,RUS,CHN,FRA,DEU.")] = None,
    dims: Annotated[int, typer.Option("--dims", help="Number of dimensions.")] = 1,
    period: Annotated[str, typer.Option("--period", help="'session' or 'year'.")] = "session",
    link: Annotated[str, typer.Option("--link", help="'probit' or 'logit'.")] = "probit",
    walk_variance: Annotated[float, typer.Option(
        "--walk-variance", help="Variance of a state's step per period (prior units).")] = 0.1,
    anchor: Annotated[str, typer.Option("--anchor", help="State placed on the positive side "
                                        "of every dimension.")] = "USA",
    bootstrap: Annotated[int, typer.Option("--bootstrap", help="Bootstrap replicates for "
                                           "standard errors (0: none).")] = 0,
    jobs: Annotated[int, typer.Option("--jobs", help="Processes for the bootstrap.")] = 2,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the bootstrap.")] = 1,
    plot: Annotated[Path | None, typer.Option("--plot", help="Write a figure of the paths "
                                              "(.png, .svg or .pdf).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON (stable keys) instead "
                                          "of a table.")] = False,
    db: Annotated[Path | None, typer.Option("--db", help="Store file (default: $COMITY_DB or "
                                            "the user data dir).", envvar="COMITY_DB")] = None,
    cache: Annotated[bool, typer.Option("--cache/--no-cache", help="Serve an identical "
                                        "earlier fit from the store and store new fits.")]
    = True,
) -> None:
    """Dynamic ordinal ideal points (random walk, bridged resolutions) of GA members."""
    from comity.analysis.fitstore import cache_name, data_fingerprint, load_fit, store_fit
    from comity.analysis.idealpoints import DynamicIdealPoints
    from comity.store.db import Store

    wanted = [s.strip().upper() for s in states.split(",") if s.strip()] if states else []
    model = DynamicIdealPoints(n_dims=dims, walk_variance=walk_variance, anchor=anchor.upper(),
                               bootstrap=bootstrap, n_jobs=jobs, seed=seed)
    model.set_params(link=link, period=period)
    model._check()
    name = cache_name(model, start, end)
    query = {"from": start, "to": end, "period": period, "dims": dims, "link": link,
             "walk_variance": walk_variance, "bootstrap": bootstrap, "seed": seed,
             "anchor": anchor.upper(), "states": wanted or None, "cache_name": name}
    cached = False
    with Store(db, read_only=True) as store:
        path = store.path
        fp = data_fingerprint(store)
        if cache:
            hit = load_fit(store.con, name)
            if hit is not None and hit.cache_meta_.get("fingerprint") == fp:
                model, cached = hit, True
        if not cached:
            panel = store.panel(body="GA", start=None if start is None else f"{start}-01-01",
                                end=None if end is None else f"{end}-12-31")
    if not cached:
        if not as_json:
            err_console.print(f"fitting {panel.n_states} states x {panel.n_resolutions} "
                              "recorded votes ...")
        from comity.cli.progress import progress_bar

        with progress_bar("ideal points", as_json=as_json) as cb:
            model.fit(panel, progress=cb)
        if cache:
            try:
                store_fit(path, model, name, extra={"fingerprint": fp, "query": query})
            except ComityError as exc:
                err_console.print(f"[yellow]not cached[/yellow]: {exc}")
    ip = model.ideal_points_
    shown = model.paths(wanted) if wanted else ip
    known = set(shown["state"])
    missing = [s for s in wanted if s not in known]
    if missing:
        raise UnknownStateError(
            f"no ideal points for {', '.join(missing)} in {start or 'the first'}-"
            f"{end or 'latest'} (not a member, no recorded votes, or an unknown code)",
            spellings=missing)
    rows = shown
    if plot is not None:
        model.plot(states=wanted or None, path=plot)
        err_console.print(f"wrote {plot}")
    if as_json:
        _print_json({"query": query, "cached": cached, "summary": model.summary(),
                     "rows": rows.reset_index(drop=True)})
        return
    _show(model, rows, wanted, cached)


def _show(model: Any, rows: pd.DataFrame, wanted: list[str], cached: bool) -> None:
    s = model.summary()
    conv = "converged" if s["converged"] else "[red]NOT converged[/red]"
    console.print(
        f"{s['n_states']} states, {model.period}s "
        f"{s['first_period']}-{s['last_period']}, {s.get('n_votes', '?')} votes on "
        f"{s.get('n_resolutions', '?')} resolutions ({s.get('n_items', '?')} items, "
        f"{s.get('n_bridged_items', '?')} bridged); {s['n_iter']} iterations, {conv}"
        f"{', from cache' if cached else ''}; sign: {s['anchor']} > 0")
    for dim in sorted(rows["dim"].unique()):
        r = rows[rows["dim"] == dim]
        title = f"ideal points, dimension {dim}" if model.n_dims > 1 else "ideal points"
        if wanted and len(wanted) <= 8:
            has_se = r["se"].notna().any()
            cell = r["estimate"].map(lambda v: f"{v:.2f}")
            if has_se:
                cell = cell + " ± " + r["se"].map(lambda v: f"{v:.2f}")
            wide = (r.assign(cell=cell).pivot(index="period", columns="state", values="cell")
                    .reindex(columns=wanted).fillna("").reset_index())
            _table(wide, title=title)
        else:
            last = r["period"].max()
            latest = r[r["period"] == last].sort_values("estimate", ascending=False)
            _table(latest[["state", "period", "estimate", "se", "n_votes"]],
                   title=f"{title}, {model.period} {last}", max_rows=40)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(app())
