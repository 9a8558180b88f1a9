"""Progress bars for the long steps of the CLI (clusters, ideal points, issue training).

The analysis functions know nothing of rich: they take a plain callback
``progress(description, done, total)`` (``total`` None when the end is not known, e.g. an
iterative fit running to convergence). :func:`progress_bar` turns it into a rich bar on
stderr, and into a callback that does nothing when the output is JSON (``--json``) or when
stderr is not a terminal (piped, redirected, under a test runner), so that neither JSON nor
logs ever carry a progress bar.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator

from rich.console import Console

Callback = Callable[[str, int, "int | None"], None]


def _silent(description: str, done: int, total: int | None) -> None:
    """The callback used when no bar is shown."""


def shows_progress(as_json: bool, console: Console | None = None) -> bool:
    """Is a progress bar shown? Not under ``--json``, and only when stderr is a terminal."""
    if as_json:
        return False
    if console is None:
        from comity.cli.app import err_console as console
    return bool(console.is_terminal)


@contextlib.contextmanager
def progress_bar(description: str, *, as_json: bool = False,
                 console: Console | None = None) -> Iterator[Callback]:
    """A transient rich bar on stderr for the ``with`` block; yields the callback to hand to
    the analysis (``cb(description, done, total)``). Silent (a no-op callback) under
    ``--json`` or when stderr is not a terminal."""
    if console is None:
        from comity.cli.app import err_console as console
    if not shows_progress(as_json, console):
        yield _silent
        return
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
    )

    with Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                  MofNCompleteColumn(), TimeElapsedColumn(), console=console,
                  transient=True) as prog:
        task = prog.add_task(description, total=None)
        shown = [description]

        def cb(desc: str, done: int, total: int | None) -> None:
            # a new step is drawn at once (the bar redraws itself ten times a second)
            prog.update(task, description=desc, completed=done, total=total,
                        refresh=desc != shown[0])
            shown[0] = desc

        yield cb
