"""CLI commands for fetching the official files and for the Security Council.

Registered on the main ``comity`` app by :mod:`comity.cli.app` (imported if present). The logic
lives in :mod:`comity.ingest.download` and :mod:`comity.analysis.security_council`; this module
only parses options and prints.

``--json`` output (stable keys)
-------------------------------
``comity fetch --json``
    ``{"source": str, "files": [{"url", "path", "sha256", "size", "status"}], "ingested":
    [path], "ingest": {...}}``; ``status`` is ``downloaded``, ``resumed`` or ``cached``;
    ``files`` is empty for a local ``--from``; ``ingest`` is the ``comity ingest --json``
    object (``loaded, unchanged, skipped, counts, quality, issue_match, seconds``).
``comity vetoes --json``
    a list of ``{"rid", "symbol", "date", "state", "name", "yes", "no", "abstain",
    "non_voting", "required", "decisive", "title", "link", "sources"}``, one per (failed
    draft, permanent member voting no); ``date`` is ``YYYY-MM-DD``.
``comity council --json``
    ``{"year": int, "resolutions": int, "members": [{"state", "name", "permanent", "seat",
    "votes", "first_vote", "last_vote"}]}``; ``resolutions`` counts the stored SC votes of the
    year that the elected members are inferred from (0: only the P5 can be listed).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

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


@app.command()
def vetoes(
    state: Annotated[str | None, typer.Option("--state", help="Code or name (its lineage: "
                                              "RUS includes the USSR).")] = None,
    year_from: Annotated[int | None, typer.Option("--from", help="First year.")] = None,
    year_to: Annotated[int | None, typer.Option("--to", help="Last year.")] = None,
    all_failed: Annotated[bool, typer.Option(
        "--all", help="Also permanent members' no votes on drafts that lacked the majority "
        "anyway (not vetoes by the UN's count).")] = False,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Security Council vetoes: failed drafts on which a permanent member voted no."""
    from comity.analysis import security_council as sc

    if year_from is not None and year_to is not None and year_from > year_to:
        raise ComityError(f"--from {year_from} is after --to {year_to}")
    with _open(db) as store:
        df = sc.vetoes(store, state=state, start_year=year_from, end_year=year_to,
                       decisive_only=not all_failed)
        n_failed = store.query("SELECT count(*) AS n FROM resolutions WHERE body = 'SC' "
                               "AND outcome = 'failed'")["n"].iloc[0]
    if as_json:
        _print_json(df)
        return
    view = df[["date", "symbol", "state", "name", "yes", "no", "abstain", "title"]].copy()
    view["title"] = view["title"].fillna("").str.slice(0, 60)
    _table(view, f"{len(df)} veto(es)")
    if int(n_failed) == 0:
        console.print("[yellow]the store holds no failed Security Council draft: the official "
                      "SC file and the scrape list adopted resolutions only, so vetoes come "
                      "from supplements with outcome=failed (see the README)[/yellow]")


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
    _table(c.members, f"Security Council {c.year} ({len(c.members)} members, "
           f"{c.resolutions} stored votes)")
    if c.resolutions == 0:
        console.print(f"[yellow]no Security Council vote of {c.year} in the store: elected "
                      "members cannot be inferred[/yellow]")
