"""``comity compare A B``: two states or blocs side by side. A thin shell over
:func:`comity.analysis.comparison.compare` (registered on ``comity.cli.app.app``).

JSON output (``--json``; stable keys)
-------------------------------------
Only JSON goes to stdout (notices such as "wrote FILE" go to stderr); dates are ISO strings,
missing numbers ``null`` (never NaN). The keys are those of
:meth:`comity.analysis.comparison.CompareResult.to_dict`::

    {"query": {"a", "b", "body", "start", "end", "strict", "measure", "topics", "bootstrap",
               "seed", "ci", "min_votes", "top", "resolutions", "blocs_file"},
     "parties": [{"token", "kind", "code", "name"}, {...}],
     "measure",
     "overall": {"value", "lo", "hi", "n", "n_absent", "n_nonmember", "n_tied", "resolutions",
                 "identical", "opposed"},
     "trend": [{"period", "start", "end", "state_a", "state_b", "measure", "value", "lo", "hi",
                "n", "n_absent", "n_nonmember", "n_tied"}, ...],
     "matrix": {"labels": ["Y", "A", "N"], "n", "counts": [[...]], "shares": [[...]]},
     "matrix_by_year": [{"year", "n", "counts", "shares"}, ...],
     "topics": [{"kind", "key", "name", "keywords", "resolutions", "n", "value", "lo", "hi",
                 "predicted", "basis"}, ...],
     "divergent_total", "divergent": [{"rank", "rid", "date", "symbol", "title", "vote_a",
                 "vote_b", "distance", "kind", "yes", "abstain", "no", "tally",
                 "contestedness", "link"}, ...],
     "shared_minority_total", "shared_minority": [{"rank", "rid", "date", "symbol", "title",
                 "vote", "yes", "abstain", "no", "share", "tally", "link"}, ...],
     "cosponsorship": {"measure": "jaccard", "kinds", "value", "lo", "hi", "n", "both",
                 "only_a", "only_b", "sponsored_a", "sponsored_b", "texts", "first", "last",
                 "by_year": [{"year", "value", "lo", "hi", "n", "both", "texts"}, ...],
                 "voted_no_total", "voted_no": [{"rid", "date", "symbol", "title",
                 "sponsor", "sponsor_kind", "voted_no", "yes", "no", "abstain", "link"}, ...],
                 "note"}}

Matrix rows are A's position, columns B's (Y, A, N). What each table holds and how it is
ordered: :mod:`comity.analysis.comparison`.

``cosponsorship`` is the second signal: the Jaccard index of the resolutions the two states
sponsored in the period (``n`` texts either sponsored, ``both`` together; ``sponsored_a``,
``sponsored_b``; ``texts`` with any sponsoring state, ``first``/``last`` their dates), its
bootstrap interval over resolutions, the same per year, and ``voted_no``: the recorded votes
where one voted No on a text the other sponsored (``sponsor``, ``sponsor_kind`` ``sponsor`` or
``additional``, ``voted_no``), latest first, the first ``--top``. Sponsor lists exist for
sessions 74-80 only (2019-10 to 2026-06); outside them, and for blocs, ``value`` is null and
``note`` says why (:mod:`comity.analysis.cosponsorship`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import numpy as np
import pandas as pd
import typer
from rich.table import Table

from comity.cli.app import DbOpt, JsonOpt, _print_json, app, console, err_console


def _num(v: Any, digits: int = 3) -> str:
    try:
        return "" if v is None or not np.isfinite(v) else f"{v:.{digits}f}"
    except TypeError:
        return str(v)


def _ci(lo: Any, hi: Any) -> str:
    a, b = _num(lo), _num(hi)
    return f"{a}–{b}" if a and b else ""


def _symbol(r: Any) -> str:
    return r.symbol if isinstance(r.symbol, str) and r.symbol else str(r.rid)


def _link(text: str, url: Any) -> str:
    if not isinstance(url, str) or not url:
        return text
    safe = url.replace("[", "%5B").replace("]", "%5D")
    return f"[link={safe}]{text}[/link]"


@app.command()
def compare(
    a: Annotated[str, typer.Argument(help="A state or bloc (USA, Russia, EU).")],
    b: Annotated[str, typer.Argument(help="The state or bloc to compare it with.")],
    from_: Annotated[str | None, typer.Option("--from", help="First year or date.")] = None,
    to: Annotated[str | None, typer.Option("--to", help="Last year or date (inclusive).")] = None,
    body: Annotated[str, typer.Option("--body", help="GA, SC or both.")] = "GA",
    measure: Annotated[str, typer.Option(
        "--measure", "-m", help="agreement, identical, S, kappa, pi or coincidence.")
    ] = "agreement",
    topic: Annotated[list[str] | None, typer.Option(
        "--topic", help="A keyword topic added to the default list (repeat): searched in "
        "titles, agenda items and subjects.")] = None,
    bootstrap: Annotated[int, typer.Option("--bootstrap", help="Bootstrap draws (0: no "
                                           "interval).")] = 2000,
    seed: Annotated[int | None, typer.Option("--seed", help="Seed of the bootstrap.")] = None,
    min_votes: Annotated[int, typer.Option("--min-votes", help="Fewer shared votes -> no "
                                           "value.")] = 10,
    top: Annotated[int, typer.Option("--top", help="Rows of the vote tables.")] = 15,
    strict: Annotated[bool, typer.Option("--strict", help="No lineage: RUS without the "
                                         "USSR's votes.")] = False,
    plot: Annotated[Path | None, typer.Option("--plot", help="Write the one-page figure "
                                              "(.png, .svg or .pdf).")] = None,
    blocs: Annotated[Path | None, typer.Option("--blocs", help="User bloc file (TOML, YAML "
                                               "or CSV).")] = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Compare two states or blocs: yearly trend, matrix of positions, agreement by topic,
    the most divergent votes and the votes where both stood against most of the Assembly."""
    from comity.analysis.comparison import compare as run

    res = run(a, b, start=from_, end=to, body=body, measure=measure, topics=topic,
              bootstrap=bootstrap, seed=seed, min_votes=min_votes, top=top, strict=strict,
              store=db, blocs_file=blocs)
    if plot is not None:
        res.plot(plot)
        err_console.print(f"[dim]wrote {plot}[/dim]", highlight=False)
    if as_json:
        _print_json(res.to_dict())
        return
    _render(res)


def _render(res: Any) -> None:
    pa, pb = res.parties
    q, o, m = res.query, res.overall, res.measure
    ci_label = f"{int(q['ci'] * 100)}% CI" if q["bootstrap"] else "CI"
    console.print(f"[bold]{pa.name} ({pa.code}) and {pb.name} ({pb.code})[/bold] — {m}, "
                  f"{q['body']} votes {q['start'] or 'first'} to {q['end'] or 'last'}: "
                  f"[bold]{_num(o['value']) or 'n/a'}[/bold] {_ci(o['lo'], o['hi'])} on "
                  f"{o['n']} of {o['resolutions']} recorded votes", highlight=False)

    by_year = res.matrix_by_year.set_index("year")
    t = Table(title=f"{m} per year", header_style="bold")
    for c, just in (("year", "left"), ("value", "right"), (ci_label, "right"), ("n", "right"),
                    ("same", "right"), ("Y vs N", "right")):
        t.add_column(c, justify=just)  # type: ignore[arg-type]
    for r in res.to_frame().itertuples(index=False):
        y = by_year.loc[r.period] if r.period in by_year.index else None
        same = "" if y is None else str(int(y["YY"] + y["AA"] + y["NN"]))
        opp = "" if y is None else str(int(y["YN"] + y["NY"]))
        value = _num(r.value) or (f"n<{q['min_votes']}" if q.get("min_votes") else "n/a")
        t.add_row(str(r.period), value, _ci(r.lo, r.hi), str(r.n), same, opp)
    console.print(t)

    shares = res.shares()
    t = Table(title=f"positions: rows {pa.code}, columns {pb.code} (votes, share)",
              header_style="bold")
    t.add_column(f"{pa.code} \\ {pb.code}")
    for lab in ("Yes", "Abstain", "No"):
        t.add_column(lab, justify="right")
    for i, lab in enumerate(("Yes", "Abstain", "No")):
        t.add_row(lab, *[f"{int(res.matrix[i, j]):,} ({_num(shares[i, j] * 100, 1)}%)"
                         for j in range(3)])
    console.print(t)

    t = Table(title=f"{m} by topic", header_style="bold")
    for c, just in (("topic", "left"), ("kind", "left"), ("value", "right"),
                    (ci_label, "right"), ("n", "right"), ("codes", "left")):
        t.add_column(c, justify=just)  # type: ignore[arg-type]
    for r in res.topics.itertuples(index=False):
        if not r.resolutions:
            continue
        kind = f"issue {r.key}" if r.kind == "issue" else "keywords"
        t.add_row(str(r.name), kind, _num(r.value), _ci(r.lo, r.hi), str(r.n),
                  "" if r.basis is None or pd.isna(r.basis) else str(r.basis))
    console.print(t)

    for what, frame, cols in (
            ("most divergent votes ({k} of {n}: Yes against No first, then the most "
             "contested)", res.divergent, ("vote_a", "vote_b")),
            ("shared minority positions ({k} of {n}: both voted alike, with fewer than half "
             "of the votes cast)", res.shared_minority, ("vote",))):
        title = what.format(k=min(res.top, len(frame)), n=len(frame))
        t = Table(title=title, header_style="bold")
        heads = ["#", "date", "symbol"] + ([pa.code, pb.code] if len(cols) == 2 else ["both"])
        heads += ["Y-N-A", "contested" if len(cols) == 2 else "share", "title"]
        rows = []
        for r in frame.head(res.top).itertuples(index=False):
            tally = f"{r.yes}-{r.no}-{r.abstain}" + ("" if r.tally == "official" else "*")
            extra = _num(r.contestedness, 2) if len(cols) == 2 else f"{r.share:.1%}"
            rows.append([str(r.rank), pd.Timestamp(r.date).date().isoformat(), _symbol(r),
                         *[str(getattr(r, c)) for c in cols], tally, extra,
                         str(r.title)[:200], r.link])
        widths = [max([len(h)] + [len(row[k]) for row in rows]) for k, h in enumerate(heads)]
        room = max(20, console.width - sum(widths[:-1]) - 3 * len(heads) - 1)
        for row in rows:  # the title is cut to the room left, every other column is whole
            row[-2] = row[-2] if len(row[-2]) <= room else row[-2][:room - 1] + "…"
        for h in heads:
            t.add_column(h, justify="right" if h in ("#", "contested", "share") else "left",
                         no_wrap=True)
        for row in rows:
            row[2] = _link(row[2], row[-1])
            t.add_row(*row[:-1])
        console.print(t)
    _render_cosponsorship(res)
    console.print("[dim]Y-N-A: the official tally (* counted from the stored votes where none "
                  "is recorded); contested: 1 = an even Yes/No split, 0 = unanimous. --json "
                  "for every table, --plot for the figure.[/dim]", highlight=False)


def _render_cosponsorship(res: Any) -> None:
    cs = res.cosponsorship
    if cs is None:
        return
    pa, pb = res.parties
    c = cs.overall
    if c["value"] is None or not np.isfinite(c["value"]):
        why = cs.note or "neither sponsored a text of the period"
        console.print(f"[bold]co-sponsorship[/bold]: no value ({why})", highlight=False)
        return
    ci = _ci(c["lo"], c["hi"])
    console.print(
        f"[bold]co-sponsorship[/bold] (Jaccard index of the texts sponsored, {c['first']} to "
        f"{c['last']}): [bold]{_num(c['value'])}[/bold] {ci} — {c['both']} texts together of "
        f"{c['n']} either sponsored ({pa.code} {c['sponsored_a']}, {pb.code} "
        f"{c['sponsored_b']}; {c['texts']} texts with sponsors)", highlight=False)
    t = Table(title="co-sponsorship per year", header_style="bold")
    for h in ("year", "jaccard", "CI", "together", "either", "texts"):
        t.add_column(h, justify="left" if h == "year" else "right")
    for r in cs.by_year.itertuples(index=False):
        t.add_row(str(r.year), _num(r.value), _ci(r.lo, r.hi), str(r.both), str(r.n),
                  str(r.texts))
    console.print(t)
    vn = cs.voted_no
    k = min(res.top, len(vn))
    t = Table(title=f"a No on the other's text ({k} of {len(vn)}: one voted No on a "
              "resolution the other sponsored, latest first)", header_style="bold")
    heads = ["date", "symbol", "sponsored by", "voted No", "Y-N-A", "title"]
    rows = []
    for r in vn.head(res.top).itertuples(index=False):
        who = r.sponsor + (" (additional)" if r.sponsor_kind == "additional" else "")
        tally = "" if pd.isna(r.yes) else f"{int(r.yes)}-{int(r.no)}-{int(r.abstain)}"
        rows.append([pd.Timestamp(r.date).date().isoformat(), _symbol(r), who, r.voted_no,
                     tally, str(r.title)[:200], r.link])
    widths = [max([len(h)] + [len(row[j]) for row in rows]) for j, h in enumerate(heads)]
    room = max(20, console.width - sum(widths[:-1]) - 3 * len(heads) - 1)
    for h in heads:
        t.add_column(h, no_wrap=True)
    for row in rows:
        row[-2] = row[-2] if len(row[-2]) <= room else row[-2][:room - 1] + "…"
        row[1] = _link(row[1], row[-1])
        t.add_row(*row[:-1])
    console.print(t)
