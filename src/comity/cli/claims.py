"""CLI command ``comity claim "..."``: a thin shell over :func:`comity.claims.evaluation.evaluate`
(registered on ``comity.cli.app.app``).

Prints the claim, the verdict, the effect with its interval, n, the period and the measure
(:meth:`~comity.claims.result.ClaimResult.summary`), then the evidence table (the votes that decide
the claim, most decisive first, with links to the official records). ``--plot FILE`` writes
the alignment series around the claim period (``.png``, ``.svg`` or ``.pdf``).

Exit codes: 0 whatever the verdict; a claim that cannot be read exits 2 (the message lists the
claim forms), an unknown or ambiguous state/bloc 4 (with candidates), other errors as in
:mod:`comity.cli.app`.

JSON output (``--json``; stable keys)
-------------------------------------
Only JSON goes to stdout. Dates are ISO strings, missing numbers ``null``::

    {"claim": {"kind": "closer"|"moved"|"cohesion"|"ranking", "text": canonical claim text,
               ...the fields of the claim dataclass: closer a, b, c, period, issue, measure,
               direction; moved a, b, after, before, reference, issue, measure, direction;
               cohesion bloc, period, than, issue, direction; ranking anchor, k, period,
               issue, measure, direction. A period is {"kind", "start", "end", "session",
               "label"}; a party a canonical token ("USA", "bloc:eu"); direction 1 or -1 (the
               claimed sign of the effect)},
     "sentence": the claim in words, with names and the windows used,
     "verdict": "supported"|"contradicted"|"inconclusive"|"insufficient data"|"ranking",
     "effect", "lo", "hi", "ci", "n", "measure",
     "period": {"start", "end",
                "windows": [{"role": "claim"|"before"|"after"|"than", "label", "start",
                             "end", "session", "first_vote", "last_vote", "resolutions",
                             "n"}, ...]},
     "parties": [{"token", "kind": "state"|"bloc", "code", "name"}, ...],
     "components": [{"window", "label", "pair": "a-b"|"a-c"|"bloc"|"anchor-state",
                     "value", "lo", "hi", "n"}, ...],
     "counts": closer {"n", "with_b_against_c", "with_c_against_b", "all_agree", "apart"};
               moved {"before": {...}, "after": {...}} each {"n", "same", "different"} (with
               a reference: the closer keys); cohesion {"claim": {...}, "than": {...}} each
               {"n", "unanimous", "split"}; ranking {"states_ranked"},
     "robustness": {"measures": {measure: {"effect", "lo", "hi", "n", "verdict"}, ...},
                    "without_top5": {"removed": [symbols], "effect", "lo", "hi", "n",
                                     "verdict"} | null,
                    "stable": bool}
                   (ranking: {"measures": {measure: [top K codes]}, "overlap": {measure: int}}),
     "evidence": [{"rank", "window", "rid", "symbol", "date", "title", "vote_a", "vote_b",
                   "vote_c", "split_a"/"split_b"/"split_c" (bloc parties), "sided",
                   "contribution", "issues", "yes", "no", "abstain", "link"}, ...]
                 (cohesion: "position", "members_yes", "members_abstain", "members_no",
                 "cohesion" instead of the votes and "sided"; ranking: {"rank", "state",
                 "name", "value", "lo", "hi", "n"[, "bloc_member"]}),
     "query": {"measure", "bootstrap", "seed", "ci", "min_votes", "body", "issue",
               "top_evidence", "blocs_file"},
     "notes": [text, ...]}

``effect = m(A, B) - m(A, C)`` (closer), the change after minus before (moved), cohesion of
the claimed period minus the other (cohesion); ``lo``/``hi`` its percentile bootstrap
interval; ``contribution`` = effect minus the effect without that resolution. Definitions in
:mod:`comity.claims.evaluation`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import numpy as np
import pandas as pd
import typer
from rich import box
from rich.markup import escape
from rich.table import Table

from comity.cli.app import _print_json, app, console, err_console

DbOpt = Annotated[Path | None, typer.Option("--db", help="Store file (default: $COMITY_DB or "
                                            "the user data dir).", envvar="COMITY_DB")]

_COLOUR = {"supported": "green", "contradicted": "red", "inconclusive": "yellow",
           "insufficient data": "magenta", "ranking": "cyan"}


@app.command()
def claim(
    text: Annotated[str | None, typer.Argument(
        metavar="CLAIM", help='A claim as a sentence ("In 2025 the US voted closer to Russia '
        'than to the EU") or in template form ("USA closer to RUS than to EU in 2025", "USA '
        'moved toward RUS since 2025-01-20 relative to EU", "EU more cohesive in 2024 than in '
        '2014", "top 10 closest to CHN in 2025 on ec", "ISR isolated in 2024", "IND neutral '
        'between RUS and USA in 2023").')] = None,
    file: Annotated[str | None, typer.Option(
        "--file", "-f", help="Read a whole article from this file ('-': standard input) and "
        "test every claim in it.")] = None,
    measure: Annotated[str | None, typer.Option(
        "--measure", "-m", help="agreement, S, kappa, pi or coincidence (default: the claim's "
        "'measure' clause, else agreement).")] = None,
    bootstrap: Annotated[int, typer.Option("--bootstrap", help="Bootstrap draws.")] = 2000,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the bootstrap.")] = 0,
    min_votes: Annotated[int, typer.Option(
        "--min-votes", help="Fewer shared votes -> insufficient data.")] = 10,
    body: Annotated[str, typer.Option("--body", help="GA, SC or both.")] = "GA",
    evidence: Annotated[int, typer.Option("--evidence", help="Evidence rows to show.")] = 20,
    plot: Annotated[Path | None, typer.Option(
        "--plot", help="Write the alignment series around the claim period (.png/.svg/.pdf).")]
    = None,
    blocs: Annotated[Path | None, typer.Option(
        "--blocs", help="User bloc file (TOML, YAML or CSV).")] = None,
    db: DbOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the whole result as JSON.")]
    = False,
) -> None:
    """Check claims about who stands with whom: a sentence, a template or an article; each
    claim's reading, verdict, effect, interval and the votes."""
    from comity.claims.check import CheckedText, check
    from comity.errors import ComityError

    if (text is None) == (file is None):
        raise ComityError("give a CLAIM or --file PATH (an article; '-' reads standard input)")
    if file is not None:
        text = _read_article(file)
    assert text is not None
    res = check(text, store=db, measure=measure, bootstrap=bootstrap, seed=seed,
                min_votes=min_votes, body=body, blocs_file=blocs, top_evidence=evidence)
    if isinstance(res, CheckedText):
        if plot is not None:
            raise ComityError("--plot draws one claim; this text holds "
                              f"{len(res.claims)} (test them one by one to plot)")
        if as_json:
            _print_json(res.to_dict())
        else:
            _print_text(res, min(evidence, 5))
        return
    if plot is not None:
        res.plot(plot)
        err_console.print(f"[dim]wrote {plot}[/dim]", highlight=False)
    if as_json:
        _print_json(res.to_dict())
        return
    colour = _COLOUR.get(res.verdict, "white")
    lines = res.summary().splitlines()
    lines.insert(1, f"Read as: {res.reading}")
    console.print(f"[bold]{escape(lines[0])}[/bold]", highlight=False)
    console.print(f"[dim]{escape(lines[1])}[/dim]", highlight=False)
    if len(lines) > 2 and lines[2].startswith("Verdict:"):
        console.print(f"[bold {colour}]{escape(lines[2])}[/bold {colour}]", highlight=False)
        rest = lines[3:]
    else:
        rest = lines[2:]
    for line in rest:
        console.print(escape(line), highlight=False)
    ev = res.evidence
    if res.verdict == "ranking" or ev.empty:
        return
    console.print()
    _evidence_table(ev, res)


def _read_article(path: str) -> str:
    """The article at ``path`` ('-': standard input), at most MAX_TEXT characters."""
    import sys

    from comity.claims.check import MAX_TEXT
    from comity.errors import ComityError

    if path == "-":
        data = sys.stdin.read(MAX_TEXT + 1)
        where = "standard input"
    else:
        p = Path(path)
        if not p.is_file():
            raise ComityError(f"{p}: not a readable file (expected an article as plain text)")
        try:
            with p.open(encoding="utf-8", errors="strict") as fh:
                data = fh.read(MAX_TEXT + 1)
        except UnicodeDecodeError as exc:
            raise ComityError(f"{p}: byte {exc.start}: not UTF-8 text (expected an article "
                              "as plain text)") from None
        where = str(p)
    if len(data) > MAX_TEXT:
        raise ComityError(f"{where}: longer than {MAX_TEXT:,} characters")
    return data


def _print_text(res: object, evidence: int) -> None:
    """Every claim of an article: sentence, reading, verdict, effect and the top evidence;
    then the sentences skipped and why."""
    claims = getattr(res, "claims", ())
    skipped = getattr(res, "skipped", ())
    console.print(f"[bold]{len(claims)} claim{'' if len(claims) == 1 else 's'} found, "
                  f"{len(skipped)} sentence{'' if len(skipped) == 1 else 's'} skipped[/bold]",
                  highlight=False)
    for i, c in enumerate(claims, 1):
        r = c.result
        colour = _COLOUR.get(r.verdict, "white")
        console.print()
        console.print(f"[bold]{i}. {escape(c.read.sentence)}[/bold]", highlight=False)
        console.print(f"   [dim]read as: {escape(r.reading)}[/dim]", highlight=False)
        head = r.headline.upper()
        if r.headline == "measure-dependent":
            head += " (" + "; ".join(f"{m}: {v}" for m, v in r.by_measure.items()) + ")"
        eff = "n/a" if not np.isfinite(r.effect) else f"{r.effect:+.3f}"
        ci = "" if not np.isfinite(r.lo) else f" [{r.lo:+.3f}, {r.hi:+.3f}]"
        holes = f", touches {r.data_holes} known data hole(s)" if r.data_holes else ""
        console.print(f"   [bold {colour}]{escape(head)}[/bold {colour}]  effect {eff}{ci}, "
                      f"n = {r.n}, {escape(r.measure)}{holes}", highlight=False)
        if r.explanation:
            console.print(f"   {escape(r.explanation)}", highlight=False)
        for note in r.notes:
            console.print(f"   [dim]note: {escape(note)}[/dim]", highlight=False)
        ev = r.evidence.head(evidence)
        if r.verdict != "ranking" and not ev.empty:
            _evidence_table(ev, r)
    if skipped:
        console.print()
        t = Table(title="sentences skipped (not testable with votes)", header_style="bold",
                  box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False)
        t.add_column("sentence", overflow="fold", ratio=3)
        t.add_column("why", overflow="fold", ratio=2)
        for s in skipped:
            t.add_row(escape(s.sentence), escape(s.why))
        console.print(t)


def _evidence_table(ev: pd.DataFrame, res: object) -> None:
    """The evidence as a compact table (symbols link to the record), then the links."""
    names = {"vote_a": "A", "vote_b": "B", "vote_c": "C"}
    parties = getattr(res, "parties", ())
    for key, p in zip(("vote_a", "vote_b", "vote_c"), parties, strict=False):
        names[key] = p.code
    t = Table(title="the votes that drive the effect, most decisive first",
              header_style="bold", box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False)
    cols = ["rank", "window", "symbol", "date", "title"]
    if "vote_a" in ev.columns:
        cols += [c for c in ("vote_a", "vote_b", "vote_c") if c in ev.columns]
        cols += [c for c in ("split_a", "split_b", "split_c") if c in ev.columns]
        cols += ["sided", "contribution", "issues"]
    elif "position_a" in ev.columns:  # isolation: the members' shares on each vote
        cols += ["position_a", "opposed", "abstained", "absent", "sided"]
    else:
        cols += ["position", "members_yes", "members_abstain", "members_no", "cohesion",
                 "contribution", "issues"]
    if "window" not in ev.columns or ev["window"].nunique() <= 1:
        cols.remove("window")
    cols = [c for c in cols if c in ev.columns]
    wide = console.width >= 120
    if not wide:  # keep the essentials on a narrow terminal
        cols = [c for c in cols if not c.startswith(("split_", "members_"))
                and c not in ("issues", "sided")]
    heads = {"members_yes": "Y", "members_abstain": "A", "members_no": "N",
             "contribution": "contrib.", "position": "pos", "rank": "#",
             "position_a": names.get("vote_a", "A")}
    spec = []
    for c in cols:
        head = heads.get(c, names.get(c, c))
        if c.startswith("split_"):
            head = f"{names.get('vote_' + c[-1], c[-1].upper())} Y-A-N"
        width = max([len(str(head))] + [len(_cell(c, v)) for v in ev[c].tolist()])
        spec.append((c, str(head), width))
    used = sum(w + 3 for c, _, w in spec if c != "title") + 2
    for c, head, width in spec:
        if c == "title":
            t.add_column(head, overflow="ellipsis", no_wrap=True,
                         width=max(12, min(width, console.width - used)))
        else:
            t.add_column(head, no_wrap=True, width=width, justify="right" if c in (
                "rank", "contribution", "cohesion", "members_yes", "members_abstain",
                "members_no", "opposed", "abstained", "absent", "sided") else "left")
    links = ev["link"].tolist() if "link" in ev.columns else [None] * len(ev)
    for row, link in zip(ev[cols].itertuples(index=False), links, strict=True):
        cells = []
        for c, v in zip(cols, row, strict=True):
            text = escape(_cell(c, v))
            cells.append(f"[link={link}]{text}[/link]" if c == "symbol" and link else text)
        t.add_row(*cells)
    console.print(t)
    shown = [(r, k) for r, k in zip(ev["rank"], links, strict=True) if k]
    if shown:
        console.print("[dim]official records:[/dim]", highlight=False)
        for r, k in shown:
            console.print(f"[dim]{r:>3}[/dim] {escape(str(k))}", highlight=False,
                          soft_wrap=True)


def _cell(col: str, v: object) -> str:
    if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)):
        return ""
    if col == "date":
        return pd.Timestamp(v).date().isoformat()  # type: ignore[arg-type]
    if col == "contribution":
        return f"{float(v):+.4f}"  # type: ignore[arg-type]
    if col in ("cohesion", "opposed", "abstained", "absent", "sided") and isinstance(
            v, int | float | np.number):  # shares (isolation); closer's "sided" is words
        return f"{float(v):.2f}"
    return str(v)
