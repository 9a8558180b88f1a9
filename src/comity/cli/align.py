"""CLI commands for alignment: ``comity align``, ``comity matrix``, ``comity cohesion``,
``comity blocs``. A thin shell over :mod:`comity.analysis.align` (registered on
``comity.cli.app.app``).

JSON output (``--json``; stable keys)
-------------------------------------
Only JSON goes to stdout (notices such as "wrote FILE" go to stderr). Dates are ISO strings
(``YYYY-MM-DD``), missing numbers ``null``. A state is its canonical code (upper case), a bloc
its key (lower case). ``query`` echoes the parameters used; ``resolutions`` in it is the number
of recorded votes the query selected.

``comity align A B [C ...]``::

    {"query": {"parties", "period", "body", "start", "end", "session", "issue", "important",
               "search", "strict", "measures", "bootstrap", "seed", "ci", "min_votes",
               "distance", "bloc_method", "include_self", "blocs_file", "resolutions"},
     "parties": [{"token", "kind": "state"|"bloc", "code", "name"}, ...],   # A first
     "rows": [{"period", "start", "end", "state_a", "state_b", "measure", "value", "lo", "hi",
               "n", "n_absent", "n_nonmember", "n_tied"}, ...]}

``comity align A B [C ...] --signal cosponsor`` (co-sponsorship instead of votes: the Jaccard
index of the resolutions both sponsored over those either sponsored, with a bootstrap interval
over resolutions; states only; sponsor lists exist for sessions 74-80, 2019-10 to 2026-06;
see :mod:`comity.analysis.cosponsorship`)::

    {"query": {"parties", "signal": "cosponsor", "period", "body", "start", "end", "kinds",
               "measures": ["jaccard"], "bootstrap", "seed", "ci", "min_votes", "texts",
               "blocs_file"},
     "parties": [{"token", "kind": "state", "code", "name"}, ...],
     "rows": [{"period", "start", "end", "state_a", "state_b", "measure": "jaccard", "value",
               "lo", "hi", "n", "both", "only_a", "only_b", "texts"}, ...]}

``n``: texts of the period either state sponsored, ``both``: sponsored together, ``only_a``,
``only_b``; ``texts``: texts of the period with any sponsoring state; ``value`` is null when
``n`` is below ``--min-votes`` (read as a number of texts) or the period has no sponsor data.
The vote-only options (``--measure``, ``--issue``, ``--important``, ``--search``,
``--bloc-method``, ``--include-self``, ``--strict``) are refused with this signal. The default
signal, ``votes``, gives the vote-based table above.

``period`` is a year (int), a session (int), ``"all"`` or a window label (``"2010-2014"``);
``start``/``end`` the dates it covers; ``lo``/``hi`` the bootstrap interval; ``n`` the votes the
value rests on, ``n_absent`` (a side present but without a Y/A/N position), ``n_nonmember``
(a side not a member), ``n_tied`` (a bloc split evenly: no bloc position); the four add up to
the resolutions of the period (see :mod:`comity.analysis.align`). Rows are ordered by period, then
pair (in the order given), then measure.

``comity matrix``::

    {"query": {"year", "period", "body", "start", "end", "session", "issue", "important",
               "search", "strict", "states", "measures", "bootstrap", "seed", "ci",
               "min_votes", "distance", "resolutions"},
     "measure": "agreement",
     "periods": [{"period", "resolutions", "states", "dyads", "dyads_defined"}, ...],
     "most":  [{"period", "rank", "state_a", "state_b", "value", "lo", "hi", "n"}, ...],
     "least": [{"period", "rank", "state_a", "state_b", "value", "lo", "hi", "n"}, ...],
     "note": null | "no year given: 2025, the latest complete year (...)"}

Without ``--year`` (nor ``--from``/``--to``) the year is the latest complete one (the year of
the last recorded vote if that vote is in December, else the year before), and ``note`` (also
``query.note``) says so. Equal values rank by ``n`` (more shared votes first), then by codes.
The heat map (``--plot``) orders the states by a hierarchical clustering of the matrix
(:func:`comity.analysis.results.seriation`).
``dyads`` counts the pairs of states that were both members at some vote of the period,
``dyads_defined`` those with at least ``min_votes`` shared votes (the only ones ranked).

``comity cohesion BLOC [BLOC ...]``::

    {"query": {"blocs", "period", "body", "start", "end", "session", "issue", "important",
               "search", "strict", "measure": "cohesion", "bootstrap", "seed", "ci",
               "min_votes", "min_members", "resolutions"},
     "blocs": [{"token", "kind": "bloc", "code", "name"}, ...],
     "rows": [{"period", "start", "end", "bloc", "measure", "value", "lo", "hi", "n",
               "n_excluded", "n_nonmember", "members"}, ...]}

``n``: votes with at least ``min_members`` members voting Y/A/N; ``n_excluded``: votes where
fewer did; ``n_nonmember``: votes with no member in the UN; ``members``: the mean number of
members voting Y/A/N on the ``n`` votes.

``comity blocs``::

    {"at": "YYYY-MM-DD",
     "blocs": [{"key", "name", "aliases": [...], "description", "members": [codes on "at"],
                "n_members", "first_date", "source_file"}, ...]}

and ``comity blocs NAME`` gives that one bloc plus its full history,
``"memberships": [{"state", "start", "end", "source", "note"}, ...]`` (``end`` is the first
day no longer a member, ``null`` = still a member).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import pandas as pd
import typer
from rich.table import Table

from comity.cli.app import DbOpt, JsonOpt, _print_json, _table, app, console, err_console

FromOpt = Annotated[str | None, typer.Option("--from", help="First year or date (YYYY-MM-DD).")]
ToOpt = Annotated[str | None, typer.Option("--to", help="Last year or date (inclusive).")]
ByOpt = Annotated[str, typer.Option("--by", help="year, session, all, or rolling:N (N-year "
                                    "windows).")]
IssueOpt = Annotated[str | None, typer.Option(
    "--issue", help="Voeten issue: me nu di hr co ec, or a name ('human rights').")]
BodyOpt = Annotated[str, typer.Option("--body", help="GA, SC or both.")]
ImportantOpt = Annotated[bool, typer.Option("--important", help="Only votes the US State "
                                            "Department lists as important.")]
SearchOpt = Annotated[str | None, typer.Option("--search", help="Text in title or symbol.")]
BootOpt = Annotated[int, typer.Option("--bootstrap", help="Bootstrap draws (0: no interval).")]
SeedOpt = Annotated[int | None, typer.Option("--seed", help="Seed of the bootstrap.")]
MinOpt = Annotated[int, typer.Option("--min-votes", help="Fewer shared votes -> no value.")]
BlocsOpt = Annotated[Path | None, typer.Option("--blocs", help="User bloc file (TOML, YAML or "
                                               "CSV).")]
StrictOpt = Annotated[bool, typer.Option("--strict", help="No lineage: RUS without the USSR's "
                                         "votes, etc.")]
PlotOpt = Annotated[Path | None, typer.Option("--plot", help="Write a figure (.png or .svg).")]
CsvOpt = Annotated[Path | None, typer.Option("--csv", help="Write the tidy table as CSV.")]


def _ci_text(lo: Any, hi: Any) -> str:
    if lo is None or hi is None or not (np.isfinite(lo) and np.isfinite(hi)):
        return ""
    return f"{lo:.3f}–{hi:.3f}"


def _num(v: Any, digits: int = 3) -> str:
    try:
        return "" if v is None or not np.isfinite(v) else f"{v:.{digits}f}"
    except TypeError:
        return str(v)


def _write_csv(frame: pd.DataFrame, path: Path) -> None:
    out = frame.copy()
    for c in ("start", "end"):
        if c in out.columns:
            out[c] = pd.to_datetime(out[c]).dt.strftime("%Y-%m-%d")
    out.to_csv(path, index=False)
    err_console.print(f"[dim]wrote {path}[/dim]", highlight=False)


@app.command()
def align(
    parties: Annotated[list[str], typer.Argument(
        help="A state, then the states or blocs to compare it with (USA RUS EU).")],
    from_: FromOpt = None,
    to: ToOpt = None,
    by: ByOpt = "year",
    measure: Annotated[list[str] | None, typer.Option(
        "--measure", "-m", help="agreement, S, kappa, pi, coincidence (repeat or comma-separate)."
    )] = None,
    issue: IssueOpt = None,
    body: BodyOpt = "GA",
    important: ImportantOpt = False,
    search: SearchOpt = None,
    bootstrap: BootOpt = 2000,
    seed: SeedOpt = None,
    min_votes: MinOpt = 10,
    bloc_method: Annotated[str, typer.Option(
        "--bloc-method", help="majority (bloc's majority position) or mean (mean dyadic "
        "alignment with its members).")] = "majority",
    include_self: Annotated[bool, typer.Option(
        "--include-self", help="Keep a state in the position of a bloc it belongs to.")] = False,
    strict: StrictOpt = False,
    signal: Annotated[str, typer.Option(
        "--signal", help="votes (default) or cosponsor (Jaccard index of the resolutions "
        "sponsored together; states only, sessions 74-80).")] = "votes",
    kinds: Annotated[str, typer.Option(
        "--kinds", help="With --signal cosponsor: all, sponsor (named on the draft) or "
        "additional (joined later).")] = "all",
    plot: PlotOpt = None,
    csv: CsvOpt = None,
    blocs: BlocsOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Alignment of the first state or bloc with each of the others, per period, with bootstrap
    intervals and coverage (--signal cosponsor: co-sponsorship of resolutions instead)."""
    from comity.analysis.align import AlignmentError, alignment

    if len(parties) < 2:
        raise AlignmentError("give at least two states or blocs: comity align USA RUS [EU ...]")
    sig = signal.strip().casefold()
    if sig in ("cosponsor", "cosponsorship", "sponsor", "sponsors"):
        given = [name for name, on in (
            ("--measure", bool(measure)), ("--issue", issue is not None),
            ("--important", important), ("--search", search is not None),
            ("--bloc-method", bloc_method != "majority"), ("--include-self", include_self),
            ("--strict", strict)) if on]
        if given:
            raise AlignmentError(f"not with --signal cosponsor: {', '.join(given)} (vote "
                                 "options: --signal votes)")
        _align_cosponsor(parties, by, from_, to, body, kinds, bootstrap, seed, min_votes,
                         blocs, db, csv, plot, as_json)
        return
    if sig != "votes":
        raise AlignmentError(f"unknown signal {signal!r}; expected votes or cosponsor")
    if kinds != "all":
        raise AlignmentError("--kinds applies to --signal cosponsor only")
    res = alignment(
        *parties, period=by, start=from_, end=to, issue=issue, body=body,
        important=True if important else None, search=search,
        measure=measure or ["agreement"], bootstrap=bootstrap, seed=seed, min_votes=min_votes,
        strict=strict, bloc_method=bloc_method,  # type: ignore[arg-type]
        include_self=include_self, store=db, blocs_file=blocs,
    )
    if csv is not None:
        _write_csv(res.to_frame(), csv)
    if plot is not None:
        res.plot(plot)
        err_console.print(f"[dim]wrote {plot}[/dim]", highlight=False)
    if as_json:
        _print_json(res.to_dict())
        return
    f = res.to_frame()
    names = {p.code: p.name for p in res.parties}
    order = {p.code: i for i, p in enumerate(res.parties)}
    f = f.assign(_k=f["state_b"].map(order), _m=f["measure"].cat.codes)
    f = f.sort_values(["_k", "_m", "start"], kind="stable")
    q = res.query
    title = (f"{names[res.parties[0].code]} — {', '.join(res.measures)}, {q['body']}"
             + (f", issue {q['issue']}" if q["issue"] else "")
             + (", important votes" if q["important"] else "")
             + (f", '{q['search']}'" if q["search"] else ""))
    t = Table(title=title, header_style="bold")
    ci_label = f"{int(q['ci'] * 100)}% CI" if q["bootstrap"] else "CI"
    several = len(res.measures) > 1
    heads = [("period", "left"), ("pair", "left")] + ([("measure", "left")] if several else [])
    heads += [("value", "right"), (ci_label, "right"), ("n", "right"), ("left out", "right")]
    for c, just in heads:
        t.add_column(c, justify=just, no_wrap=c != "measure")  # type: ignore[arg-type]
    for r in f.itertuples(index=False):
        row = [str(r.period), f"{r.state_a}–{r.state_b}"] + ([str(r.measure)] if several else [])
        row += [_num(r.value), _ci_text(r.lo, r.hi), str(r.n),
                str(r.n_absent + r.n_nonmember + r.n_tied)]
        t.add_row(*row)
    console.print(t)
    legend = "; ".join(f"{p.code} = {p.name}" + (" (bloc)" if p.is_bloc else "")
                       for p in res.parties)
    console.print(f"[dim]{legend}. n: votes used; left out: votes where a side was absent, "
                  f"not a member or (a bloc) split evenly (details: --json or --csv). Fewer "
                  f"than {q['min_votes']} votes: no value.[/dim]", highlight=False)


def _align_cosponsor(parties: list[str], by: str, from_: str | None, to: str | None,
                     body: str, kinds: str, bootstrap: int, seed: int | None, min_votes: int,
                     blocs: Path | None, db: Any, csv: Path | None, plot: Path | None,
                     as_json: bool) -> None:
    """``comity align --signal cosponsor``: co-sponsorship of the first state with the
    others, per period."""
    from comity.analysis.cosponsorship import cosponsorship

    res = cosponsorship(*parties, period=by, start=from_, end=to, body=body, kinds=kinds,
                        bootstrap=bootstrap, seed=seed, min_texts=min_votes, store=db,
                        blocs_file=blocs)
    if csv is not None:
        _write_csv(res.to_frame(), csv)
    if plot is not None:
        res.plot(plot)
        err_console.print(f"[dim]wrote {plot}[/dim]", highlight=False)
    if as_json:
        _print_json(res.to_dict())
        return
    q = res.query
    a = res.parties[0]
    t = Table(title=f"{a.name} — co-sponsorship (Jaccard index of the texts sponsored), "
              f"{q['body']}", header_style="bold")
    ci_label = f"{int(q['ci'] * 100)}% CI" if q["bootstrap"] else "CI"
    for c, just in (("period", "left"), ("pair", "left"), ("jaccard", "right"),
                    (ci_label, "right"), ("together", "right"), ("either", "right"),
                    ("texts", "right")):
        t.add_column(c, justify=just, no_wrap=True)  # type: ignore[arg-type]
    for r in res.to_frame().itertuples(index=False):
        t.add_row(str(r.period), f"{r.state_a}–{r.state_b}", _num(r.value),
                  _ci_text(r.lo, r.hi), str(r.both), str(r.n), str(r.texts))
    console.print(t)
    legend = "; ".join(f"{p.code} = {p.name}" for p in res.parties)
    console.print(f"[dim]{legend}. together: texts both sponsored; either: texts either "
                  f"sponsored (the index is together / either; fewer than {q['min_votes']}: "
                  "no value); texts: texts of the period with sponsors. Sponsor lists cover "
                  "sessions 74-80 (2019-2026) only.[/dim]", highlight=False)


@app.command()
def matrix(
    year: Annotated[int | None, typer.Option("--year", help="One year (default: the latest "
                                             "complete year: the year of the last recorded "
                                             "vote if it is in December, else the year "
                                             "before).")] = None,
    from_: FromOpt = None,
    to: ToOpt = None,
    top: Annotated[int, typer.Option("--top", help="How many most and least aligned pairs.")]
    = 20,
    measure: Annotated[str, typer.Option("--measure", "-m", help="agreement, S, kappa, pi or "
                                         "coincidence.")] = "agreement",
    states: Annotated[str | None, typer.Option(
        "--states", help="Only these states (comma-separated codes or names).")] = None,
    issue: IssueOpt = None,
    body: BodyOpt = "GA",
    important: ImportantOpt = False,
    search: SearchOpt = None,
    min_votes: MinOpt = 10,
    bootstrap: Annotated[int, typer.Option("--bootstrap", help="Bootstrap draws for every "
                                           "dyad (slow; default 0).")] = 0,
    seed: SeedOpt = None,
    strict: StrictOpt = False,
    plot: PlotOpt = None,
    csv: CsvOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """All dyads of states for one period: the most and least aligned pairs."""
    from comity.analysis.align import alignment_matrix

    res = alignment_matrix(
        year, start=from_, end=to, period="all" if (from_ or to) and year is None else None,
        states=None if not states else [s for s in states.split(",") if s.strip()],
        measure=measure, issue=issue, body=body, important=True if important else None,
        search=search, min_votes=min_votes, bootstrap=bootstrap, seed=seed, strict=strict,
        store=db,
    )
    m = res.measures[0]
    tops = res.top(top)
    w = res.wide
    periods = []
    for per, n_res in res.n_resolutions.items():
        sub = w[w["period"] == per]
        periods.append({
            "period": per, "resolutions": int(n_res),
            "states": len(set(sub["state_a"].astype(str)) | set(sub["state_b"].astype(str))),
            "dyads": len(sub), "dyads_defined": int(np.isfinite(sub[m].to_numpy(float)).sum()),
        })
    if csv is not None:
        _write_csv(res.to_frame(), csv)
    if plot is not None:
        res.plot(plot)
        err_console.print(f"[dim]wrote {plot}[/dim]", highlight=False)
    if as_json:
        cols = ["period", "rank", "state_a", "state_b", "value", "lo", "hi", "n"]
        _print_json({
            "query": dict(res.query), "measure": m, "periods": periods,
            "most": tops[tops["side"] == "most"][cols],
            "least": tops[tops["side"] == "least"][cols],
            "note": res.query.get("note"),
        })
        return
    if res.query.get("note"):
        console.print(f"[dim]{res.query['note']} (choose one with --year)[/dim]",
                      highlight=False)
    for p in periods:
        console.print(f"[bold]{res.query['body']} {p['period']}[/bold]: {p['resolutions']} "
                      f"recorded votes, {p['states']} states, {p['dyads']} dyads "
                      f"({p['dyads_defined']} with at least {min_votes} shared votes)",
                      highlight=False)
    names = {}
    from comity.world import states as st

    for code in set(tops["state_a"].astype(str)) | set(tops["state_b"].astype(str)):
        try:
            names[code] = st.name(code)
        except Exception:  # a code outside the reference table: show it as is
            names[code] = code
    for side in ("most", "least"):
        s = tops[tops["side"] == side]
        view = pd.DataFrame({
            "period": s["period"].astype(str), "rank": s["rank"],
            "pair": [f"{a} – {b}" for a, b in zip(s["state_a"], s["state_b"], strict=True)],
            "names": [f"{names[str(a)]} – {names[str(b)]}"
                      for a, b in zip(s["state_a"], s["state_b"], strict=True)],
            m: s["value"], "n": s["n"],
        })
        if bootstrap:
            view.insert(5, "CI", [_ci_text(lo, hi) for lo, hi in zip(s["lo"], s["hi"],
                                                                      strict=True)])
        _table(view, f"{side} aligned ({m})")
    for per in pd.unique(tops["period"]):  # how many pairs share the extreme values
        sub = w[w["period"] == per][m].to_numpy(dtype=float)
        sub = sub[np.isfinite(sub)]
        best = tops[(tops["period"] == per) & (tops["side"] == "most")]["value"]
        if len(best) and (sub == best.iloc[0]).sum() > 1:
            console.print(f"[dim]{per}: {(sub == best.iloc[0]).sum()} pairs tied at "
                          f"{best.iloc[0]:.3f}; ties are ordered by shared votes (n), then by "
                          "code[/dim]", highlight=False)


@app.command()
def cohesion(
    blocs_: Annotated[list[str], typer.Argument(metavar="BLOC...",
                                                help="One or more blocs (EU NATO G7).")],
    from_: FromOpt = None,
    to: ToOpt = None,
    by: ByOpt = "year",
    issue: IssueOpt = None,
    body: BodyOpt = "GA",
    important: ImportantOpt = False,
    search: SearchOpt = None,
    bootstrap: BootOpt = 2000,
    seed: SeedOpt = None,
    min_votes: MinOpt = 10,
    min_members: Annotated[int, typer.Option(
        "--min-members", help="Members that must vote Y/A/N for a vote to count.")] = 2,
    strict: StrictOpt = False,
    plot: PlotOpt = None,
    csv: CsvOpt = None,
    blocs: BlocsOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Bloc cohesion per period (Hix–Noury–Roland agreement index), with bootstrap intervals."""
    from comity.analysis.align import cohesion as _cohesion

    res = _cohesion(
        *blocs_, period=by, start=from_, end=to, issue=issue, body=body,
        important=True if important else None, search=search, bootstrap=bootstrap, seed=seed,
        min_votes=min_votes, min_members=min_members, strict=strict, store=db,
        blocs_file=blocs,
    )
    if csv is not None:
        _write_csv(res.to_frame(), csv)
    if plot is not None:
        res.plot(plot)
        err_console.print(f"[dim]wrote {plot}[/dim]", highlight=False)
    if as_json:
        _print_json(res.to_dict())
        return
    f = res.to_frame()
    order = {b.code: i for i, b in enumerate(res.blocs)}
    f = f.assign(_k=f["bloc"].map(order)).sort_values(["_k", "start"], kind="stable")
    q = res.query
    view = pd.DataFrame({
        "period": f["period"].astype(str), "bloc": f["bloc"], "cohesion": f["value"],
        f"{int(q['ci'] * 100)}% CI": [_ci_text(lo, hi) for lo, hi in zip(f["lo"], f["hi"],
                                                                          strict=True)],
        "n": f["n"], "excluded": f["n_excluded"], "members voting": f["members"],
    })
    _table(view, "cohesion (Hix–Noury–Roland agreement index), " + q["body"])
    console.print("[dim]" + "; ".join(f"{b.code} = {b.name}" for b in res.blocs)
                  + f". excluded: votes with fewer than {min_members} members voting.[/dim]",
                  highlight=False)


@app.command(name="blocs")
def blocs_cmd(
    name: Annotated[str | None, typer.Argument(help="One bloc: show its membership history.")]
    = None,
    at: Annotated[str | None, typer.Option("--at", help="Members on this date (YYYY-MM-DD; "
                                           "default today).")] = None,
    blocs: BlocsOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Built-in (and user) blocs with their members on a date."""
    from comity.analysis.align import AlignmentError
    from comity.analysis.results import records
    from comity.world.blocs import builtin_blocs, get_bloc, load_bloc_file

    extra = load_bloc_file(blocs) if blocs is not None else None
    try:
        when = date.today() if at is None else pd.Timestamp(at).date()
    except (ValueError, TypeError):
        raise AlignmentError(f"--at {at!r} is not a date (expected YYYY-MM-DD)") from None
    registry = builtin_blocs()
    for b in (extra or {}).values():
        registry[b.key] = b
    chosen = [get_bloc(name, extra)] if name else sorted(registry.values(), key=lambda b: b.key)
    items = []
    for b in chosen:
        members = b.members_at(when)
        first = b.first_date()
        items.append({
            "key": b.key, "name": b.name, "aliases": list(b.aliases),
            "description": b.description, "members": members, "n_members": len(members),
            "first_date": None if first is None else first.isoformat(),
            "source_file": b.source_file,
        })
    if name:
        hist = chosen[0].to_frame().drop(columns=["bloc"])
        if as_json:
            _print_json({"at": when.isoformat(), "blocs": items,
                         "memberships": records(hist)})
            return
        it = items[0]
        console.print(f"[bold]{it['name']}[/bold] ({it['key']}); aliases: "
                      f"{', '.join(it['aliases']) or '-'}", highlight=False)
        if it["description"]:
            console.print(it["description"], highlight=False)
        console.print(f"{it['n_members']} members on {when}: {', '.join(it['members'])}",
                      highlight=False)
        hist = hist.assign(start=hist["start"].dt.strftime("%Y-%m-%d").fillna(""),
                           end=hist["end"].dt.strftime("%Y-%m-%d").fillna(""))
        _table(hist, "membership periods (end = first day no longer a member)")
        return
    if as_json:
        _print_json({"at": when.isoformat(), "blocs": items})
        return
    view = pd.DataFrame({
        "key": [i["key"] for i in items], "name": [i["name"] for i in items],
        "n": [i["n_members"] for i in items],
        "members": [" ".join(i["members"]) for i in items],
    })
    _table(view, f"blocs and their members on {when}")
