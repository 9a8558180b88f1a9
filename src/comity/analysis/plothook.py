"""The one documented way from a results object to its figure.

Figures live in :mod:`comity.plots`, a wing *above* the analysis (it draws results, the
analysis never draws). A results object's ``plot()`` therefore does not import it; it asks
:func:`plotter` for the drawing function by name, and :func:`plotter` loads
:data:`PLOTS_MODULE` at call time. This keeps ``import comity.analysis`` free of matplotlib
and keeps the import graph one-directional (checked by import-linter in CI); claims use the
same hook.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

__all__ = ["PLOTS_MODULE", "plotter"]

PLOTS_MODULE = "comity.plots"
"""The module that holds every figure function (``plot_alignment``, ``plot_claim``, …)."""


def plotter(name: str) -> Callable[..., Any]:
    """The figure function ``name`` of :data:`PLOTS_MODULE` (imported on first use)."""
    return getattr(importlib.import_module(PLOTS_MODULE), name)
