"""CLI commands for fetching the official files and for the Security Council.

Registered on the main ``comity`` app by :mod:`comity.cli.app` (imported if present). The logic
lives in :mod:`comity.ingest.download` and :mod:`comity.analysis.security_council`; this module
only parses options and prints.

``--json`` output (stable keys)
-------------------------------
``comity fetch --json``
    ``{"source": str, "files": [{"url", "path", "sha256", "size", "status", "verified"}],
    "ingested": [path], "ingest": {...}, "notes": [str]}``; ``status`` is ``downloaded``,
    ``resumed`` or ``cached``; ``verified`` is ``sha256`` or ``md5`` (the bytes matched a
    recorded checksum) or ``unverified`` (none is known; a note says so too); ``files`` is
    empty for a local ``--from``; ``ingest`` is the ``comity ingest --json`` object
    (``loaded, unchanged, skipped, counts, quality, issue_match, seconds``);
    ``notes`` say how each UN Digital Library file was found (its file list, or a known name).
``comity vetoes --json``
    a list of ``{"rid", "date", "state", "name", "draft", "symbol", "meeting", "agenda",
    "title", "outcome", "yes", "no", "abstain", "non_voting", "members", "required",
    "decisive", "veto", "sources", "link"}``, one per (draft not adopted, permanent member
    voting no); ``date`` is ``YYYY-MM-DD``; the tally (``yes`` … ``members``) is null where
    only the veto list holds the draft; ``decisive`` is true, false or null (cannot be told);
    ``veto`` is false only for the rows ``--all`` adds; ``sources`` is ``;``-joined (a veto in
    both the veto list and the drafts sheet is one row naming both).
    With ``--by decade|year``: ``{"query": {...}, "n": int, "by": str, "counts": [{"period",
    "start", "state", "name", "vetoes", "in_veto_list", "with_votes"}], "totals": [{"state",
    "name", "vetoes", "in_veto_list", "with_votes"}]}``.
``comity council --json``
    ``{"year": int, "resolutions": int, "failed_drafts": int, "source": "dppa_sc"|"votes",
    "members": [{"state", "name", "permanent", "seat", "votes", "first_vote", "last_vote",
    "source"}], "notes": [str]}``; ``resolutions`` counts the stored SC votes of the year
    (``failed_drafts`` of them on drafts not adopted); ``source`` says where the membership
    comes from (the DPPA list through 2024, the stored votes after).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import pandas as pd
import typer

from comity.cli.app import DbOpt, JsonOpt, _open, _print_json, _table, app, console, err_console
from comity.errors import ComityError

if TYPE_CHECKING:
    from rich.progress import ProgressColumn


def _bytes_column() -> ProgressColumn:
    """Bytes done/total for download tasks, nothing for the ingest task."""
    from rich.progress import DownloadColumn, Task
    from rich.text import Text

    class BytesColumn(DownloadColumn):
        def render(self, task: Task) -> Text:
            return super().render(task) if task.fields.get("bytes") else Text("")

    return BytesColumn()


@app.command()
def fetch(
    source: Annotated[str | None, typer.Option(
        "--from", help="A local file or directory, or an http(s) URL of a file or of a "
        "directory listing, instead of the official releases.")] = None,
    cache_dir: Annotated[Path | None, typer.Option(
        "--cache-dir", help="Download cache (default: $COMITY_CACHE or the user cache dir).",
        envvar="COMITY_CACHE")] = None,
    only: Annotated[str | None, typer.Option(
        "--only", help="Comma-separated groups: ga, sc, voeten, unxml.")] = None,
    timeout: Annotated[float, typer.Option("--timeout", help="Seconds without data before a "
                                           "transfer is retried.")] = 60.0,
    retries: Annotated[int, typer.Option("--retries", help="Retries (resuming) per file.")]
    = 3,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Download the newest official files (or take --from PATH|URL), check them, ingest them."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from comity.ingest.download import fetch as do_fetch
    from comity.store.db import Store

    groups = only.split(",") if only else None
    with Store(db) as store:
        if as_json:
            report = do_fetch(store, source=source, only=groups, cache_dir=cache_dir,
                              timeout=timeout, retries=retries)
        else:
            with Progress(TextColumn("{task.description}"), BarColumn(), _bytes_column(),
                          TimeElapsedColumn(), console=err_console, transient=True) as prog:
                tasks: dict[str, int] = {}

                def cb(event: str, name: str, done: int, total: int | None) -> None:
                    if name not in tasks:
                        tasks[name] = prog.add_task(name, total=total, bytes=True)
                    t = tasks[name]
                    if event == "cached":
                        prog.update(t, description=f"{name} (cached)", total=total,
                                    completed=done)
                    elif event == "retry":
                        prog.update(t, description=f"{name} (resuming)")
                    else:
                        prog.update(t, total=total, completed=done,
                                    description=name)

                ingest_task: list[int] = []

                def icb(desc: str, done: int, total: int) -> None:
                    if not ingest_task:
                        ingest_task.append(prog.add_task("ingest", total=total))
                    prog.update(ingest_task[0], description=desc, completed=done, total=total)

                report = do_fetch(store, source=source, only=groups, cache_dir=cache_dir,
                                  timeout=timeout, retries=retries, progress=cb,
                                  ingest_progress=icb)
    data = report.to_dict()
    if as_json:
        _print_json(data)
        return
    for f in data["files"]:
        console.print(f"[green]{f['status']}[/green] {f['url']} → {f['path']} "
                      f"(sha256 {f['sha256'][:16]}…, {f['size']} bytes)")
    for note in data.get("notes", []):
        console.print(f"[dim]{note}[/dim]")
    ing = data["ingest"]
    for item in ing.get("loaded", []):
        console.print(f"[green]loaded[/green] {item['source']}: {', '.join(item['files'])} "
                      f"({item['resolutions']} resolutions, {item['votes']} votes)")
    for f in ing.get("unchanged", []):
        console.print(f"[dim]unchanged (same sha256)[/dim] {f}")
    for f in ing.get("skipped", []):
        console.print(f"[yellow]skipped[/yellow] {f}")
    c = ing.get("counts", {})
    console.print(f"store: {c.get('recorded', 0)} recorded votes, {c.get('votes', 0)} state "
                  f"votes, {c.get('states', 0)} states")


_SHORT = {"sc_drafts": "sheet", "unsc_vetoes": "list", "supplement": "suppl",
          "undl_sc": "undl"}


@app.command()
def vetoes(
    state: Annotated[str | None, typer.Option("--state", help="Code or name (its lineage: "
                                              "RUS includes the USSR).")] = None,
    year_from: Annotated[int | None, typer.Option("--from", help="First year.")] = None,
    year_to: Annotated[int | None, typer.Option("--to", help="Last year.")] = None,
    by: Annotated[str | None, typer.Option(
        "--by", help="Count the vetoes per permanent member and decade (or year).")] = None,
    decisive: Annotated[bool, typer.Option(
        "--decisive", help="Only vetoes of drafts that had the nine (seven before 1966) "
        "affirmative votes they needed.")] = False,
    all_failed: Annotated[bool, typer.Option(
        "--all", help="Also permanent members' no votes on drafts that lacked the majority "
        "anyway (not vetoes; veto = false).")] = False,
    plot: Annotated[Path | None, typer.Option(
        "--plot", help="Write a figure of the vetoes per member and decade (or --by year): "
        ".png, .svg or .pdf.")] = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Security Council vetoes 1946 → 2025: every permanent member's no that kept a draft
    from being adopted, with the tally and whether the draft had the votes it needed."""
    from comity.analysis import security_council as sc

    if by is not None and by not in ("decade", "year"):
        raise ComityError(f"--by {by!r}: expected decade or year")
    with _open(db) as store:
        result = sc.veto_list(store, state=state, start_year=year_from, end_year=year_to,
                              decisive_only=decisive, include_negative=all_failed)
        n_failed = int(store.query(
            "SELECT count(*) AS n FROM resolutions WHERE body = 'SC' "
            "AND outcome IN ('vetoed', 'failed')")["n"].iloc[0])
    if plot is not None:
        result.plot(plot, by=by or "decade")
        err_console.print(f"wrote {plot}")
    if as_json:
        _print_json(result.to_dict(by) if by else result.to_frame())
        return
    if by:
        counts = result.counts(by)
        if counts.empty:
            console.print("no veto in the store for this query")
        else:
            wide = counts.pivot_table(index="period", columns="state", values="vetoes",
                                      aggfunc="sum", fill_value=0)
            wide = wide.loc[counts.drop_duplicates("period")["period"]]
            wide["total"] = wide.sum(axis=1)
            _table(wide.reset_index(), f"vetoes per permanent member and {by}")
            t = result.totals()
            _table(t, "totals (in_veto_list: also in the 1946–2022 veto list; with_votes: the "
                   "full vote is stored)")
    else:
        f = result.to_frame()
        view = pd.DataFrame({
            "date": f["date"], "draft": f["draft"].fillna(f["meeting"]), "state": f["state"],
            "Y-N-A": [("-".join(str(int(x)) for x in (y, n, a)) if pd.notna(y) else "")
                      for y, n, a in zip(f["yes"], f["no"], f["abstain"], strict=True)],
            "decisive": f["decisive"].map({True: "yes", False: "no"}).fillna("?"),
            "sources": f["sources"].fillna("").map(
                lambda x: "+".join(_SHORT.get(p, p) for p in x.split(";") if p)),
            "agenda": f["agenda"].fillna(f["title"]).fillna("").str.slice(0, 40)})
        if all_failed:
            view.insert(3, "veto", f["veto"].map({True: "veto", False: "no (failed anyway)"}))
        _table(view, f"{int(f['veto'].sum())} veto(es)"
               + (f" and {int((~f['veto']).sum())} other no vote(s)" if all_failed else ""))
        if len(f):
            console.print(result.summary())
            console.print("[dim]Y-N-A: the tally counted from the stored votes (empty: only "
                          "the veto list holds the draft); decisive: the draft had the "
                          "votes it needed (?: cannot be told); sources: sheet = SC drafts "
                          "sheet 1994–2025, list = veto list 1946–2022, suppl = supplement, "
                          "undl = official SC file (full names in --json)[/dim]")
    if n_failed == 0:
        console.print("[yellow]the store holds no Security Council draft that was not "
                      "adopted: load the SC drafts sheet and the veto list (`comity ingest "
                      "../shared/data`) or a supplement with outcome=vetoed[/yellow]")


@app.command()
def council(
    year: Annotated[int, typer.Option("--year", help="Calendar year.")],
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Members of the Security Council in a year (permanent and elected)."""
    from comity.analysis import security_council as sc

    with _open(db) as store:
        c = sc.council(store, year)
    if as_json:
        _print_json(c.to_dict())
        return
    view = c.members.drop(columns=["permanent"])
    for col in ("first_vote", "last_vote"):
        view[col] = pd.to_datetime(view[col]).dt.strftime("%Y-%m-%d")
    _table(view, f"Security Council {c.year} ({len(c.members)} members; membership "
           f"from {'the DPPA list' if c.source == 'dppa_sc' else 'the stored votes'}; "
           f"{c.resolutions} stored votes, {c.failed_drafts} on drafts not adopted)")
    for note in c.notes:
        console.print(f"[yellow]{note}[/yellow]")
