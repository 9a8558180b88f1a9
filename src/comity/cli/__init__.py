"""The ``comity`` command line: a thin typer + rich shell over the Python API.

:mod:`comity.cli.app` holds the typer app, the shared options and rendering helpers and the
data commands (ingest, info, states, resolutions, votes, check, export); each other module adds
one command group to the same app: :mod:`~comity.cli.align` (align, matrix, cohesion, blocs),
:mod:`~comity.cli.compare`, :mod:`~comity.cli.sc` (fetch, vetoes, council),
:mod:`~comity.cli.idealpoints`,
:mod:`~comity.cli.claims`, :mod:`~comity.cli.shifts` (shifts, movers, switches, clusters,
issues) and :mod:`~comity.cli.serve`.
"""

from __future__ import annotations

from comity.cli import align, claims, compare, idealpoints, serve, shifts
from comity.cli import sc as _sc
from comity.cli.app import app, main

__all__ = ["app", "main"]

_COMMAND_GROUPS = (align, _sc, idealpoints, serve, claims, shifts, compare)  # imported to register
