"""Figures from results objects (matplotlib, Agg backend; no statistics here).

* :func:`plot_alignment`: an :class:`~comity.analysis.align.AlignmentResult` over time, one line per
  pair (and measure), with its bootstrap interval as a band;
* :func:`plot_cohesion`: a :class:`~comity.analysis.align.CohesionResult`, one line per bloc;
* :func:`plot_matrix`: one period of a :class:`~comity.analysis.align.MatrixResult` as a heat map.

Each takes ``path`` (write the figure: ``.png`` or ``.svg``, also ``.pdf``, chosen by the file
extension) and/or ``ax`` (draw into an existing matplotlib ``Axes``) and returns the
``Figure``. Periods are placed on the time axis at the middle of the dates they cover
(``start``/``end`` of the tidy frame), so years, sessions, rolling and custom windows share one
axis. Figures are built with :class:`matplotlib.figure.Figure` directly: no global ``pyplot``
state, and the interactive backend of the caller (if any) is left alone.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from comity.errors import ComityError

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from comity.analysis.align import AlignmentResult, CohesionResult, MatrixResult

__all__ = ["FORMATS", "PlotError", "plot", "plot_alignment", "plot_cohesion", "plot_matrix",
           "save"]

FORMATS: dict[str, str] = {".png": "png", ".svg": "svg", ".pdf": "pdf"}
"""File extensions understood by :func:`save` and the format each one writes."""


class PlotError(ComityError, ValueError):
    """A figure cannot be drawn or written (unknown file type, nothing to draw)."""


def _figure(ax: Axes | None, size: tuple[float, float] = (9.0, 5.0)) -> tuple[Figure, Axes]:
    if ax is not None:
        fig = ax.figure
        return fig, ax  # type: ignore[return-value]
    from matplotlib.figure import Figure

    fig = Figure(figsize=size, layout="constrained")
    return fig, fig.add_subplot()


def save(fig: Figure, path: str | Path) -> Path:
    """Write ``fig`` to ``path``; the format comes from the extension (:data:`FORMATS`)."""
    p = Path(path)
    fmt = FORMATS.get(p.suffix.lower())
    if fmt is None:
        raise PlotError(
            f"{p}: unknown figure type {p.suffix or '(no extension)'!r} "
            f"(expected one of {', '.join(FORMATS)})")
    if p.parent and not p.parent.exists():
        raise PlotError(f"{p}: directory {p.parent} does not exist")
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    if fig.canvas is None or type(fig.canvas).__name__ == "FigureCanvasBase":
        FigureCanvasAgg(fig)
    fig.savefig(p, format=fmt, dpi=150)
    return p


def _midpoints(frame: pd.DataFrame) -> np.ndarray:
    start = pd.to_datetime(frame["start"]).to_numpy()
    end = pd.to_datetime(frame["end"]).to_numpy()
    return start + (end - start) / 2


def _lines(ax: Axes, frame: pd.DataFrame, keys: list[str], label_of: Any) -> int:
    """One line (and CI band) per group of ``keys``; returns the number of lines drawn."""
    drawn = 0
    for key, s in frame.groupby(keys, sort=False, observed=True):
        s = s.sort_values("start")
        x = _midpoints(s)
        y = s["value"].to_numpy(dtype=float)
        lo = s["lo"].to_numpy(dtype=float)
        hi = s["hi"].to_numpy(dtype=float)
        label = label_of(key if isinstance(key, tuple) else (key,))
        few = len(s) <= 15
        if len(s) == 1:
            err = None
            if np.isfinite(lo[0]) and np.isfinite(hi[0]):
                err = np.array([[y[0] - lo[0]], [hi[0] - y[0]]])
            ax.errorbar(x, y, yerr=err, fmt="o", capsize=4, label=label)
        else:
            (line,) = ax.plot(x, y, marker="o" if few else None, markersize=4, label=label)
            band = np.isfinite(lo) & np.isfinite(hi)
            if band.any():
                ax.fill_between(x, np.where(band, lo, np.nan), np.where(band, hi, np.nan),
                                color=line.get_color(), alpha=0.2, linewidth=0)
        drawn += 1
    return drawn


def _finish(fig: Figure, ax: Axes, path: str | Path | None, title: str, ylabel: str,
            n_lines: int) -> Figure:
    ax.set_title(title, fontsize=11)
    ax.set_ylabel(ylabel)
    ax.set_xlabel("date (middle of each period)")
    ax.grid(True, alpha=0.3)
    if n_lines:
        ax.legend(fontsize=8, loc="best")
    if path is not None:
        save(fig, path)
    return fig


def plot_alignment(result: AlignmentResult, path: str | Path | None = None,
                   ax: Axes | None = None, measure: str | None = None) -> Figure:
    """Alignment over time: one line per pair (per measure when several), CI bands."""
    frame = result.to_frame()
    if measure is not None:
        frame = frame[frame["measure"].astype(str) == measure]
    if frame.empty:
        raise PlotError("nothing to plot: the result has no rows"
                        + (f" for measure {measure!r}" if measure else ""))
    fig, ax = _figure(ax)
    names = {p.code: p.name for p in result.parties}
    measures = list(pd.unique(frame["measure"].astype(str)))
    several = len(measures) > 1

    def label(key: tuple) -> str:
        a, b, m = key
        text = f"{a} – {names.get(b, b)}" if b in names and names[b] != b else f"{a} – {b}"
        return f"{text} ({m})" if several else text

    frame = frame.assign(measure=frame["measure"].astype(str))
    n = _lines(ax, frame, ["state_a", "state_b", "measure"], label)
    q = result.query
    title = (f"Alignment with {result.parties[0].name}: {', '.join(measures)} "
             f"({q.get('body', '')}{', issue ' + q['issue'] if q.get('issue') else ''})")
    ylabel = measures[0] if not several else "value"
    if q.get("bootstrap"):
        ylabel += f"  (band: {int(q.get('ci', 0.95) * 100)}% bootstrap interval)"
    return _finish(fig, ax, path, title, ylabel, n)


def plot_cohesion(result: CohesionResult, path: str | Path | None = None,
                  ax: Axes | None = None) -> Figure:
    """Cohesion (agreement index) over time, one line per bloc, CI bands."""
    frame = result.to_frame()
    if frame.empty:
        raise PlotError("nothing to plot: the result has no rows")
    fig, ax = _figure(ax)
    names = {b.code: b.name for b in result.blocs}
    n = _lines(ax, frame, ["bloc"], lambda key: names.get(key[0], key[0]))
    q = result.query
    ylabel = "agreement index"
    if q.get("bootstrap"):
        ylabel += f"  (band: {int(q.get('ci', 0.95) * 100)}% bootstrap interval)"
    return _finish(fig, ax, path, f"Bloc cohesion (Hix–Noury–Roland), {q.get('body', '')}",
                   ylabel, n)


def plot_matrix(result: MatrixResult, path: str | Path | None = None, ax: Axes | None = None,
                measure: str | None = None, period: Any = None) -> Figure:
    """Heat map of one period's dyad matrix (states in alphabetical order)."""
    mat = result.matrix(measure=measure, period=period)
    if mat.empty:
        raise PlotError("nothing to plot: the matrix is empty")
    m = measure or result.measures[0]
    k = len(mat)
    size = min(max(6.0, 0.09 * k + 3), 24.0)
    fig, ax = _figure(ax, (size + 1.5, size))
    lo = -1.0 if m in ("S", "kappa", "pi") else 0.0
    im = ax.imshow(mat.to_numpy(dtype=float), vmin=lo, vmax=1.0, cmap="viridis",
                   interpolation="nearest")
    step = max(1, k // 60)
    ticks = np.arange(0, k, step)
    ax.set_xticks(ticks, [mat.columns[i] for i in ticks], rotation=90, fontsize=5)
    ax.set_yticks(ticks, [mat.index[i] for i in ticks], fontsize=5)
    fig.colorbar(im, ax=ax, shrink=0.8, label=m)
    shown = period if period is not None else list(pd.unique(result.wide["period"]))[-1]
    ax.set_title(f"{m}, {result.query.get('body', '')} {shown}", fontsize=11)
    if path is not None:
        save(fig, path)
    return fig


def plot(result: Any, path: str | Path | None = None, ax: Axes | None = None,
         **kwargs: Any) -> Figure:
    """Dispatch on the kind of result."""
    from comity.analysis.align import AlignmentResult, CohesionResult, MatrixResult

    if isinstance(result, AlignmentResult):
        return plot_alignment(result, path=path, ax=ax, **kwargs)
    if isinstance(result, CohesionResult):
        return plot_cohesion(result, path=path, ax=ax)
    if isinstance(result, MatrixResult):
        return plot_matrix(result, path=path, ax=ax, **kwargs)
    raise PlotError(f"cannot plot a {type(result).__name__}")
