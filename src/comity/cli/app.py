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
    add_completion=True,  # --install-completion / --show-completion (bash, zsh, fish, pwsh)
    pretty_exceptions_enable=False,
)

#: Width of tables and text when the output is not a terminal (piped, redirected): wide
#: enough that no title or cell is cut or folded; a table takes only the width it needs.
PIPE_WIDTH = 250


def _console(stderr: bool = False) -> Console:
    """A rich console: the terminal's width on a terminal; otherwise ``$COLUMNS`` if set,
    else :data:`PIPE_WIDTH` (rich would use 80 columns, which cuts titles and folds cells),
    and lines of text are not wrapped (``soft_wrap``)."""
    c = Console(stderr=stderr)
    if c.is_terminal or os.environ.get("COLUMNS"):
        return c
    return Console(stderr=stderr, width=PIPE_WIDTH, soft_wrap=True)


console = _console()
err_console = _console(stderr=True)

DbOpt = Annotated[Path | None, typer.Option("--db", help="Store file (default: $COMITY_DB or "
                                            "the user data dir).", envvar="COMITY_DB")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON (stable keys) instead of a "
                                       "table.")]


def _show_version(value: bool) -> None:
    if value:
        from comity import __version__

        sys.stdout.write(f"comity {__version__}\n")
        raise typer.Exit()


@app.callback()
def _root(
    ctx: typer.Context,
    db: Annotated[Path | None, typer.Option(
        "--db", help="Store file for the command that follows (as $COMITY_DB; a command's "
        "own --db wins).")] = None,
    version: Annotated[bool, typer.Option(
        "--version", help="Print the version and exit.", callback=_show_version,
        is_eager=True)] = False,
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
    """Plain JSON values: missing values (None, NaN, NaT, pd.NA) and infinities are ``null``
    (never the strings ``NaN``/``NaT``/``Infinity``), dates ISO strings, numpy values Python
    numbers, frames lists of records."""
    if isinstance(obj, pd.DataFrame):
        return [_jsonable(r) for r in obj.to_dict(orient="records")]
    if isinstance(obj, pd.Series):
        return _jsonable(obj.tolist())
    if isinstance(obj, dict):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple | set | frozenset):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, str | bool) or obj is None:
        return obj
    if isinstance(obj, np.ndarray):
        return _jsonable(obj.tolist())
    try:
        if pd.isna(obj):  # None, NaN, NaT (pandas or numpy), pd.NA
            return None
    except (TypeError, ValueError):
        pass
    if isinstance(obj, np.datetime64):
        obj = pd.Timestamp(obj)
    elif isinstance(obj, np.generic):
        obj = obj.item()
    if isinstance(obj, float):
        return obj if np.isfinite(obj) else None
    if isinstance(obj, pd.Timestamp):
        return obj.date().isoformat() if obj == obj.normalize() else obj.isoformat()
    if isinstance(obj, Path):
        return str(obj)
    if hasattr(obj, "isoformat"):
        return obj.isoformat()
    if hasattr(obj, "tolist"):
        return _jsonable(obj.tolist())
    return obj


def _print_json(obj: Any) -> None:
    """One JSON document on stdout; ``allow_nan=False``: a stray NaN is a bug, not output."""
    sys.stdout.write(json.dumps(_jsonable(obj), ensure_ascii=False, allow_nan=False) + "\n")


def _table(df: pd.DataFrame, title: str | None = None, max_rows: int | None = None) -> None:
    t = Table(title=title, show_lines=False, header_style="bold")
    for c in df.columns:
        dates = _is_date_column(df[c])
        t.add_column(str(c), overflow="fold", no_wrap=dates, min_width=10 if dates else None,
                     justify="right" if pd.api.types.is_numeric_dtype(df[c]) else "left")
    shown = df if max_rows is None else df.head(max_rows)
    for row in shown.itertuples(index=False):
        t.add_row(*["" if _is_na(v) else _fmt(v) for v in row])
    console.print(t)
    if max_rows is not None and len(df) > max_rows:
        console.print(f"[dim]… {len(df) - max_rows} more rows (use --json or --limit)[/dim]")


def _is_date_column(col: pd.Series) -> bool:
    """Dates (datetime dtype, or ISO date strings / date objects): never wrapped in a table
    ("1946-01-0 / 1")."""
    if pd.api.types.is_datetime64_any_dtype(col):
        return True
    if col.dtype != object:
        return False
    vals = col.dropna()
    if vals.empty:
        return False
    head = vals.iloc[:50]
    import datetime as _dt

    return bool(head.map(lambda v: isinstance(v, _dt.date | pd.Timestamp) or (
        isinstance(v, str) and len(v) >= 10 and v[4] == "-" and v[7] == "-"
        and v[:4].isdigit())).all())


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


def _size_option(value: str) -> str:
    """Check a ``--max-size`` value (a usage error if it is not a size); returned as given."""
    from comity.ingest.sources._io import parse_size

    try:
        parse_size(value)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None
    return value


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Files or directories to load.")],
    db: DbOpt = None,
    fmt: Annotated[str, typer.Option("--format", help="auto (detect each file by content), "
                                     "or force one: voeten2016, unvotes, scrape, unxml, "
                                     "undl_ga, undl_sc, sc_drafts, unsc_vetoes, "
                                     "sc_membership, supplement.")] = "auto",
    strict: Annotated[bool, typer.Option("--strict", help="Fail (and write nothing) on any "
                                         "tally mismatch.")] = False,
    predict_issues: Annotated[bool, typer.Option(
        "--predict/--no-predict", help="Then code the resolutions Voeten did not code with "
        "the issue classifier (trained on the store if no model is saved), so that issue "
        "slices work for the newest sessions.")] = True,
    max_size: Annotated[str, typer.Option(
        "--max-size", help="Refuse a file bigger than this once decompressed (a gzip bomb "
        "is refused before it is inflated in full): 500MB, 2GB, 1GiB...",
        callback=_size_option)] = "2GB",
    as_json: JsonOpt = False,
) -> None:
    """Load voting files (detected by content) into the store, in one transaction; then
    predict the issue codes of the resolutions Voeten did not code."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from comity.store.db import Store

    with Store(db) as store:
        from comity.ingest.sources._io import parse_size

        limit = parse_size(max_size)
        if as_json:
            report = store.ingest(paths, strict=strict, fmt=fmt, max_size=limit)
        else:
            with Progress(TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(),
                          console=err_console, transient=True) as prog:
                task = prog.add_task("ingest", total=1)

                def cb(desc: str, done: int, total: int) -> None:
                    prog.update(task, description=desc, completed=done, total=total)

                report = store.ingest(paths, strict=strict, fmt=fmt, progress=cb,
                                      max_size=limit)
        store_path = store.path
    predicted: dict[str, Any] | None = None
    why_not = None
    if predict_issues and report.loaded:
        from comity.cli.shifts import predict_issues as run_predictions

        try:
            out, _ = run_predictions(Path(store_path), None, as_json=as_json)
            predicted = {k: out[k] for k in ("resolutions", "rows", "per_issue", "model_path")}
        except ComityError as exc:  # e.g. no coded resolutions to learn from
            why_not = str(exc)
    if as_json:
        _print_json({**report.to_dict(), "issue_predictions": predicted,
                     **({"issue_predictions_skipped": why_not} if why_not else {})})
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
    if predicted:
        console.print(f"issue codes predicted for {predicted['resolutions']} resolutions "
                      "Voeten did not code (comity issues report gives the classifier's "
                      "held-out F1)")
    elif why_not:
        console.print(f"[yellow]issue codes not predicted[/yellow]: {why_not}")


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
    _missing_table(data["missing"])


def _missing_table(missing: list[dict]) -> None:
    if missing:
        _table(pd.DataFrame(missing)[["body", "date", "symbol", "title"]],
               f"known holes: {len(missing)} recorded vote(s) that no loaded file holds")
        for m in missing:
            console.print(f"[dim]{m['symbol']}: {m['note']}[/dim]")
    else:
        console.print("[green]known holes: none (every known missing vote is loaded)[/green]")


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
    limit: Annotated[int, typer.Option("--limit", help="Rows to show (the total is said).")]
    = 50,
    oldest_first: Annotated[bool, typer.Option(
        "--oldest-first", help="Oldest first (default: newest first).")] = False,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Recorded votes matching the filters, newest first."""
    filters = {"search": search, "session": session, "year": year, "issue": issue,
               "body": body}
    with _open(db) as store:
        df = store.resolutions(**filters, limit=limit, newest_first=not oldest_first)
        total = store.count_resolutions(**filters)
    order = "oldest" if oldest_first else "newest"
    if as_json:  # the list of rows, as always; the count on stderr when rows were left out
        _print_json(df)
        if total > len(df):
            err_console.print(f"[dim]{len(df)} of {total} recorded votes ({order} first; "
                              "--limit N for more)[/dim]", highlight=False)
        return
    cols = ["rid", "date", "title", "yes", "no", "abstain", "issues"]
    view = df[cols].copy()
    view["title"] = view["title"].fillna("").str.slice(0, 70)
    pred = df["issues_predicted"].fillna(False).astype(bool).to_numpy()
    issues = [[] if v is None or isinstance(v, float) else list(v) for v in view["issues"]]
    view["issues"] = [", ".join(v) + (" *" if p and v else "") for v, p in
                      zip(issues, pred, strict=True)]
    _table(view, f"{len(df)} of {total} recorded votes, {order} first"
           + (" (--limit N for more)" if total > len(df) else ""))
    if pred.any():
        console.print("[dim]* issue codes predicted by comity's classifier (`comity issues "
                      "report`); the others are Voeten's[/dim]")


@app.command()
def votes(
    symbol: Annotated[str, typer.Argument(
        help="Resolution symbol or rid, as typed: A/RES/68/262, 68/262, ES-11/4, A/ES-11/4, "
        "'res 2758', 'S/RES/2758 (2024)'.")],
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """How every state voted on one resolution."""
    from comity.errors import ComityError as CE

    with _open(db) as store:
        found = store.find_symbol(symbol)
        if found.empty:
            from comity.store.symbols import symbol_forms

            forms = symbol_forms(symbol)
            tried = ", ".join(f.rstrip("(") + ("(…)" if f.endswith("(") else "")
                              for f in forms)
            last = ""
            if forms and forms[0].startswith("S/"):  # the Council's files end early
                got = store.query("SELECT max(date) AS d FROM resolutions WHERE body = 'SC'")
                if len(got) and pd.notna(got["d"].iloc[0]):
                    last = f"; the store's Council votes end on {_fmt(got['d'].iloc[0])}"
            raise CE(f"no recorded vote with symbol {symbol!r} in the store"
                     + (f" (tried {tried}{last})" if tried else ""))
        # the votes on the best candidate's symbol (every roll call of it); others listed
        first = found["symbol"].iloc[0]
        same = (found["symbol"] == first) if pd.notna(first) else \
            (found["rid"] == found["rid"].iloc[0])
        others = found[~same.to_numpy(dtype=bool)]
        out = []
        for _, r in found[same.to_numpy(dtype=bool)].iterrows():
            out.append({"resolution": r.to_dict(), "votes": store.votes_on(r["rid"])})
    if len(others):
        err_console.print(f"[dim]also matching {symbol!r}: "
                          + ", ".join(f"{r.rid} ({_fmt(pd.Timestamp(r.date))})"
                                      for r in others.head(10).itertuples())
                          + (" …" if len(others) > 10 else "")
                          + " (give the full symbol)[/dim]", highlight=False)
    if as_json:
        _print_json(out)
        return
    for item in out:
        r = item["resolution"]
        v = item["votes"]
        console.print(f"[bold]{r['rid']}[/bold] {_fmt(pd.Timestamp(r['date']))}  "
                      f"{r.get('title') or ''}")
        tally = "-".join("?" if _is_na(r[k]) else str(r[k]) for k in ("yes", "no", "abstain"))
        nv = "?" if _is_na(r["non_voting"]) else r["non_voting"]
        console.print(f"recorded tally Y-N-A: {tally} (non-voting {nv}); sources: "
                      f"{', '.join(r['sources'])}", highlight=False)
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
    """The quality table: tally mismatches and disagreements between sources; ``--kind
    missing``: the known holes (recorded votes no loaded file holds)."""
    with _open(db) as store:
        summary = store.quality_summary()
        missing = store.missing()
        if len(missing):
            summary["missing"] = len(missing)
        if kind == "missing":
            rows = pd.DataFrame({
                "rid": None, "source": None, "kind": "missing",
                "detail": [f"{m.symbol} ({m.body}, {m.date}): {m.title} — {m.note}"
                           for m in missing.itertuples()]},
                columns=["rid", "source", "kind", "detail"]).head(limit)
        else:
            rows = store.quality(kind, limit=limit)
    if as_json:
        out = {"summary": summary, "rows": rows}
        if kind == "missing":
            out["missing"] = missing
        _print_json(out)
        return
    if kind == "missing":
        _missing_table(missing.to_dict(orient="records"))
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

