"""The ``comity`` command line: a thin typer + rich shell over the Python API.

Every command that prints results takes ``--json`` (stable keys, documented in the README).
Errors are :class:`~comity.errors.ComityError`: one message on stderr, no traceback, non-zero
exit.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import pandas as pd
import typer
from rich.console import Console
from rich.table import Table

from comity.errors import ComityError

app = typer.Typer(
    name="comity",
    help="Who stands with whom: UN General Assembly and Security Council votes.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console()
err_console = Console(stderr=True)

DbOpt = Annotated[Path | None, typer.Option("--db", help="Store file (default: $COMITY_DB or "
                                            "the user data dir).", envvar="COMITY_DB")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON (stable keys) instead of a "
                                       "table.")]


@app.callback()
def _root(
    ctx: typer.Context,
    db: Annotated[Path | None, typer.Option(
        "--db", help="Store file for the command that follows (as $COMITY_DB; a command's "
        "own --db wins).")] = None,
) -> None:
    """Who stands with whom: UN General Assembly and Security Council votes."""
    if db is None:
        return
    # every command's --db falls back to COMITY_DB; restored when the command is done
    before = os.environ.get("COMITY_DB")
    os.environ["COMITY_DB"] = str(db)

    def restore() -> None:
        if before is None:
            os.environ.pop("COMITY_DB", None)
        else:
            os.environ["COMITY_DB"] = before

    ctx.call_on_close(restore)


def _jsonable(obj: Any) -> Any:
    if isinstance(obj, pd.DataFrame):
        return [_jsonable(r) for r in obj.to_dict(orient="records")]
    if isinstance(obj, dict):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_jsonable(v) for v in obj]
    if hasattr(obj, "tolist") and not isinstance(obj, str):
        return _jsonable(obj.tolist())
    if isinstance(obj, pd.Timestamp):
        return None if pd.isna(obj) else obj.date().isoformat() if obj == obj.normalize() \
            else obj.isoformat()
    if hasattr(obj, "isoformat"):
        return obj.isoformat()
    try:
        if pd.isna(obj):
            return None
    except (TypeError, ValueError):
        pass
    return obj


def _print_json(obj: Any) -> None:
    sys.stdout.write(json.dumps(_jsonable(obj), ensure_ascii=False) + "\n")


def _table(df: pd.DataFrame, title: str | None = None, max_rows: int | None = None) -> None:
    t = Table(title=title, show_lines=False, header_style="bold")
    for c in df.columns:
        t.add_column(str(c), overflow="fold",
                     justify="right" if pd.api.types.is_numeric_dtype(df[c]) else "left")
    shown = df if max_rows is None else df.head(max_rows)
    for row in shown.itertuples(index=False):
        t.add_row(*["" if _is_na(v) else _fmt(v) for v in row])
    console.print(t)
    if max_rows is not None and len(df) > max_rows:
        console.print(f"[dim]… {len(df) - max_rows} more rows (use --json or --limit)[/dim]")


def _is_na(v: Any) -> bool:
    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


def _fmt(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:.0f}" if v.is_integer() and abs(v) >= 10 else f"{v:.3f}"
    if isinstance(v, str) and v.endswith(" 00:00:00"):
        return v[:-9]
    if isinstance(v, np.generic):
        return _fmt(v.item())
    if isinstance(v, list | tuple | np.ndarray):
        return ", ".join(map(str, list(v)))
    if isinstance(v, pd.Timestamp):
        return v.date().isoformat() if v == v.normalize() else v.isoformat(sep=" ")
    return str(v)


def _open(db: Path | None, read_only: bool = True):
    from comity.store.db import Store

    return Store(db, read_only=read_only)


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Files or directories to load.")],
    db: DbOpt = None,
    fmt: Annotated[str, typer.Option("--format", help="auto (detect each file by content), "
                                     "or force one: voeten2016, unvotes, scrape, unxml, "
                                     "undl_ga, undl_sc, supplement.")] = "auto",
    strict: Annotated[bool, typer.Option("--strict", help="Fail (and write nothing) on any "
                                         "tally mismatch.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Load voting files (detected by content) into the store, in one transaction."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from comity.store.db import Store

    with Store(db) as store:
        if as_json:
            report = store.ingest(paths, strict=strict, fmt=fmt)
        else:
            with Progress(TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(),
                          console=err_console, transient=True) as prog:
                task = prog.add_task("ingest", total=1)

                def cb(desc: str, done: int, total: int) -> None:
                    prog.update(task, description=desc, completed=done, total=total)

                report = store.ingest(paths, strict=strict, fmt=fmt, progress=cb)
    if as_json:
        _print_json(report.to_dict())
        return
    for item in report.loaded:
        console.print(f"[green]loaded[/green] {item['source']}: {', '.join(item['files'])} "
                      f"({item['resolutions']} resolutions, {item['votes']} votes)")
    for f in report.unchanged:
        console.print(f"[dim]unchanged (same sha256)[/dim] {f}")
    for f in report.skipped:
        console.print(f"[yellow]skipped[/yellow] {f}")
    c = report.counts
    console.print(f"store: {c.get('recorded', 0)} recorded votes, {c.get('votes', 0)} state "
                  f"votes, {c.get('states', 0)} states  ({report.seconds:.1f} s)")
    if report.issue_match:
        im = report.issue_match
        console.print(f"issue codes: {im['coded_roll_calls']} coded roll calls → "
                      f"{im['resolutions_with_issues']} stored votes with issues")
    if report.quality:
        console.print("quality: " + ", ".join(f"{k} {v}" for k, v in report.quality.items())
                      + "  (details: comity check)")


@app.command()
def info(db: DbOpt = None, as_json: JsonOpt = False) -> None:
    """What the store holds: bodies, sessions, dates, counts per source, last ingests."""
    with _open(db) as store:
        data = store.info()
    if as_json:
        _print_json(data)
        return
    console.print(f"[bold]store[/bold] {data['db']}")
    _table(pd.DataFrame(data["bodies"]), "bodies")
    _table(pd.DataFrame(data["sources"]), "sources (rows as parsed)")
    if data["quality"]:
        _table(pd.DataFrame(list(data["quality"].items()), columns=["kind", "n"]), "quality")
    ing = pd.DataFrame(data["ingests"])
    if not ing.empty:
        ing["sha256"] = ing["sha256"].str[:12]
        ing["rows"] = ing["rows"].astype("Int64")  # a count: no decimals
        _table(ing, "last ingests")


@app.command()
def states(
    at: Annotated[str | None, typer.Option("--at", help="Members on this date (YYYY-MM-DD).")]
    = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """States with their membership periods (or the members on a date)."""
    with _open(db) as store:
        df = store.states_at(at)
    if as_json:
        _print_json(df)
        return
    _table(df, f"UN members on {at} ({len(df)})" if at else f"states ({len(df)})")


@app.command()
def resolutions(
    search: Annotated[str | None, typer.Option("--search", help="Text in title/symbol.")]
    = None,
    session: Annotated[int | None, typer.Option("--session")] = None,
    year: Annotated[int | None, typer.Option("--year")] = None,
    issue: Annotated[str | None, typer.Option("--issue", help="me nu di hr co ec")] = None,
    body: Annotated[str, typer.Option("--body", help="GA, SC or both")] = "both",
    limit: Annotated[int, typer.Option("--limit")] = 50,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Recorded votes matching the filters."""
    with _open(db) as store:
        df = store.resolutions(search=search, session=session, year=year, issue=issue,
                               body=body, limit=limit)
    if as_json:
        _print_json(df)
        return
    cols = ["rid", "date", "title", "yes", "no", "abstain", "issues"]
    view = df[cols].copy()
    view["title"] = view["title"].fillna("").str.slice(0, 70)
    pred = df["issues_predicted"].fillna(False).astype(bool).to_numpy()
    issues = [[] if v is None or isinstance(v, float) else list(v) for v in view["issues"]]
    view["issues"] = [", ".join(v) + (" *" if p and v else "") for v, p in
                      zip(issues, pred, strict=True)]
    _table(view, f"{len(df)} recorded votes")
    if pred.any():
        console.print("[dim]* issue codes predicted by comity's classifier (`comity issues "
                      "report`); the others are Voeten's[/dim]")


@app.command()
def votes(
    symbol: Annotated[str, typer.Argument(help="Resolution symbol or rid, e.g. A/RES/68/262")],
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """How every state voted on one resolution."""
    from comity.errors import ComityError as CE

    with _open(db) as store:
        found = store.find_resolution(symbol)
        if found.empty:
            raise CE(f"no recorded vote with symbol {symbol!r} in the store")
        out = []
        for _, r in found.iterrows():
            out.append({"resolution": r.to_dict(), "votes": store.votes_on(r["rid"])})
    if as_json:
        _print_json(out)
        return
    for item in out:
        r = item["resolution"]
        v = item["votes"]
        console.print(f"[bold]{r['rid']}[/bold] {_fmt(pd.Timestamp(r['date']))}  "
                      f"{r.get('title') or ''}")
        console.print(f"recorded tally Y-N-A: {r['yes']}-{r['no']}-{r['abstain']} "
                      f"(non-voting {r['non_voting']}); sources: {', '.join(r['sources'])}")
        counts = v["vote"].value_counts().to_dict()
        console.print("counted: " + "  ".join(f"{k} {counts.get(k, 0)}" for k in "YNAX"))
        _table(v, None, max_rows=None)


@app.command()
def check(
    kind: Annotated[str | None, typer.Option("--kind", help="Only this kind of issue.")]
    = None,
    limit: Annotated[int, typer.Option("--limit")] = 30,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """The quality table: tally mismatches and disagreements between sources."""
    with _open(db) as store:
        summary = store.quality_summary()
        rows = store.quality(kind, limit=limit)
    if as_json:
        _print_json({"summary": summary, "rows": rows})
        return
    _table(pd.DataFrame(list(summary.items()), columns=["kind", "n"]), "quality summary")
    _table(rows, f"first {limit} rows" + (f" of kind {kind}" if kind else ""))


@app.command()
def export(
    outdir: Annotated[Path, typer.Argument(help="Directory to write the tables into.")],
    fmt: Annotated[str, typer.Option("--format", help="parquet or csv")] = "parquet",
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Tidy tables (votes, resolutions, issues, states, memberships, quality)."""
    with _open(db) as store:
        files = store.export(outdir, fmt)
    if as_json:
        _print_json({"files": files})
        return
    for f in files:
        console.print(f"wrote {f}")


def main() -> None:
    try:
        app(standalone_mode=False)
    except ComityError as exc:
        sys.stderr.write(f"error: {exc}\n")
        raise SystemExit(getattr(exc, "exit_code", 1)) from None
    except typer.Exit as exc:
        raise SystemExit(exc.exit_code) from None
    except typer.Abort:
        err_console.print("aborted")
        raise SystemExit(130) from None
    except Exception as exc:  # click usage errors, then bugs
        # typer >= 0.20 raises its vendored copy of click's exceptions (typer._click), not
        # click's own: recognise a usage error by its class name
        if any(c.__name__ == "ClickException" for c in type(exc).__mro__):
            exc.show()  # type: ignore[attr-defined]
            raise SystemExit(getattr(exc, "exit_code", 2)) from None
        if os.environ.get("COMITY_DEBUG"):
            raise
        sys.stderr.write(f"internal error: {type(exc).__name__}: {exc} (please report it; "
                         "set COMITY_DEBUG=1 to see the traceback)\n")
        raise SystemExit(70) from None

