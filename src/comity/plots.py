"""Figures from results objects (matplotlib, Agg backend; no statistics here).

* :func:`plot_alignment`: an :class:`~comity.analysis.align.AlignmentResult` over time, one line per
  pair (and measure), with its bootstrap interval as a band;
* :func:`plot_cohesion`: a :class:`~comity.analysis.align.CohesionResult`, one line per bloc;
* :func:`plot_matrix`: one period of a :class:`~comity.analysis.align.MatrixResult` as a heat map;
* :func:`plot_compare`: a :class:`~comity.analysis.comparison.CompareResult` on one page (trend,
  position matrix, topics).

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

from comity.errors import PlotError

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from comity.analysis.clustering import ClusterResult
    from comity.analysis.comparison import CompareResult
    from comity.analysis.results import AlignmentResult, CohesionResult, MatrixResult
    from comity.analysis.shifts import ChangePointResult
    from comity.claims import ClaimResult

__all__ = ["FORMATS", "PlotError", "plot", "plot_alignment", "plot_change_points", "plot_claim",
           "plot_cluster_history", "plot_cluster_map", "plot_cohesion", "plot_compare",
           "plot_matrix", "plot_vetoes", "save"]

FORMATS: dict[str, str] = {".png": "png", ".svg": "svg", ".pdf": "pdf"}
"""File extensions understood by :func:`save` and the format each one writes."""


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
    """Heat map of one period's dyad matrix, states ordered by a hierarchical clustering of
    the matrix (seriation: :func:`comity.analysis.results.seriation`), so that blocs show as
    blocks along the diagonal."""
    mat = result.matrix(measure=measure, period=period, order="cluster")
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


def plot_compare(result: CompareResult, path: str | Path | None = None,
                 ax: Axes | None = None) -> Figure:
    """Two parties on one page: the yearly trend with its band (top), the 3 x 3 matrix of
    their positions with counts and shares (bottom left) and the measure by topic with its
    interval (bottom right: Voeten's issues, then keyword topics with enough votes). With
    ``ax``, only the trend is drawn, into it."""
    a, b = result.parties
    q = result.query
    trend = result.to_frame()
    if ax is not None:
        fig_, ax_ = _figure(ax)
        _lines(ax_, trend, ["state_b"], lambda key: f"{a.code} – {b.code}")
        return _finish(fig_, ax_, path, f"{a.name} and {b.name}", result.measure, 1)
    from matplotlib.figure import Figure

    fig = Figure(figsize=(11.0, 8.5), layout="constrained")
    grid = fig.add_gridspec(2, 2, height_ratios=[1.0, 1.15], width_ratios=[1.0, 1.45])
    ax_t = fig.add_subplot(grid[0, :])
    ax_m = fig.add_subplot(grid[1, 0])
    ax_c = fig.add_subplot(grid[1, 1])
    fig.suptitle(f"{a.name} ({a.code}) and {b.name} ({b.code}), {q.get('body', '')} "
                 f"{q.get('start') or ''} to {q.get('end') or ''}", fontsize=12)

    if len(trend):
        _lines(ax_t, trend, ["state_b"], lambda key: f"{a.code} – {b.code}")
    ylabel = result.measure + (f"  (band: {int(q.get('ci', 0.95) * 100)}% bootstrap interval)"
                               if q.get("bootstrap") else "")
    ax_t.set_ylabel(ylabel, fontsize=9)
    ax_t.set_title(f"{result.measure} per year", fontsize=10)
    ax_t.grid(True, alpha=0.3)

    counts = np.asarray(result.matrix, dtype=float)
    shares = result.shares()
    ax_m.imshow(np.nan_to_num(shares), cmap="Blues", vmin=0.0, vmax=max(
        0.01, float(np.nanmax(shares)) if np.isfinite(shares).any() else 1.0))
    labels = ["Yes", "Abstain", "No"]
    ax_m.set_xticks(range(3), labels)
    ax_m.set_yticks(range(3), labels)
    ax_m.set_xlabel(f"{b.code} ({b.name})", fontsize=9)
    ax_m.set_ylabel(f"{a.code} ({a.name})", fontsize=9)
    top = np.nanmax(shares) if np.isfinite(shares).any() else 1.0
    for i in range(3):
        for j in range(3):
            share = "" if not np.isfinite(shares[i, j]) else f"\n{shares[i, j]:.1%}"
            ax_m.text(j, i, f"{int(counts[i, j]):,}{share}", ha="center", va="center",
                      fontsize=9, color="white" if np.isfinite(shares[i, j]) and
                      shares[i, j] > 0.6 * top else "black")
    ax_m.set_title(f"positions on {int(counts.sum()):,} votes", fontsize=10)

    t = result.topics[np.isfinite(result.topics["value"].to_numpy(dtype=float))]
    if len(t):
        y = np.arange(len(t))[::-1]
        val = t["value"].to_numpy(dtype=float)
        lo = t["lo"].to_numpy(dtype=float)
        hi = t["hi"].to_numpy(dtype=float)
        colours = np.where(t["kind"].to_numpy() == "issue", "#0072B2", "#E69F00")
        ax_c.barh(y, val, color=colours, height=0.7)
        ok = np.isfinite(lo) & np.isfinite(hi)
        ax_c.errorbar(val[ok], y[ok], xerr=np.vstack([val[ok] - lo[ok], hi[ok] - val[ok]]),
                      fmt="none", ecolor="black", elinewidth=0.8, capsize=2)
        names = [f"{n} ({k})" if kind == "issue" else str(n) for n, k, kind in
                 zip(t["name"], t["key"], t["kind"], strict=True)]
        ax_c.set_yticks(y, [f"{n}  n={int(c)}" for n, c in zip(names, t["n"], strict=True)],
                        fontsize=7)
        if result.measure in ("S", "kappa", "pi"):
            ax_c.axvline(0, color="0.4", lw=0.8)
    else:
        ax_c.text(0.5, 0.5, "no topic with enough shared votes", ha="center", va="center",
                  transform=ax_c.transAxes)
    ax_c.set_xlabel(result.measure, fontsize=9)
    ax_c.set_title("by topic (blue: Voeten issue, orange: keywords)", fontsize=10)
    ax_c.grid(True, axis="x", alpha=0.3)
    if path is not None:
        save(fig, path)
    return fig


def plot(result: Any, path: str | Path | None = None, ax: Axes | None = None,
         **kwargs: Any) -> Figure:
    """Dispatch on the kind of result."""
    from comity.analysis.comparison import CompareResult
    from comity.analysis.results import AlignmentResult, CohesionResult, MatrixResult

    if isinstance(result, CompareResult):
        return plot_compare(result, path=path, ax=ax)
    if isinstance(result, AlignmentResult):
        return plot_alignment(result, path=path, ax=ax, **kwargs)
    if isinstance(result, CohesionResult):
        return plot_cohesion(result, path=path, ax=ax)
    if isinstance(result, MatrixResult):
        return plot_matrix(result, path=path, ax=ax, **kwargs)
    raise PlotError(f"cannot plot a {type(result).__name__}")


# ------------------------------------------------------------------------------- clusters
def _colors() -> list[str]:
    return ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2",
            "#7f7f7f", "#bcbd22", "#17becf", "#393b79", "#637939"]


def plot_cluster_map(result: ClusterResult, path: str | Path | None = None,
                     ax: Axes | None = None, period: Any = None) -> Figure:
    """One period's states on the first two MDS axes (:meth:`ClusterResult.mds`), coloured
    by cluster."""
    xy = result.mds(period)
    if period is None:
        period = list(result.matrices)[-1]
    fig, ax_ = _figure(ax, size=(9.0, 7.0))
    cmap = _colors()
    lab = xy["cluster"].to_numpy()
    for c in np.unique(lab):
        sel = lab == c
        ax_.scatter(xy["x"][sel], xy["y"][sel], s=14, color=cmap[(int(c) - 1) % len(cmap)],
                    label=f"cluster {int(c)} ({int(sel.sum())})")
    for r in xy.itertuples(index=False):
        ax_.annotate(str(r.state), (r.x, r.y), fontsize=5, alpha=0.8,
                     xytext=(1, 1), textcoords="offset points")
    ax_.set_xlabel("MDS axis 1")
    ax_.set_ylabel("MDS axis 2")
    ax_.set_title(f"Clusters of states, {period} ({result.query['method']})")
    ax_.legend(fontsize=8, loc="best")
    if path is not None:
        save(fig, path)
    return fig


def plot_cluster_history(result: ClusterResult, path: str | Path | None = None,
                         ax: Axes | None = None) -> Figure:
    """State x period heat map of the clusters aligned across periods."""
    from matplotlib.colors import ListedColormap

    h = result.history()
    last = h.ffill(axis=1).iloc[:, -1] if h.shape[1] else pd.Series(dtype=float)
    h = h.loc[last.sort_values(kind="stable").index]
    vals = h.to_numpy(dtype=float)
    k = int(np.nanmax(vals)) if np.isfinite(vals).any() else 1
    cmap = ListedColormap([_colors()[i % len(_colors())] for i in range(k)])
    fig, ax_ = _figure(ax, size=(max(6.0, 0.25 * h.shape[1] + 3), max(6.0,
                                                                      0.06 * len(h) + 2)))
    ax_.imshow(np.ma.masked_invalid(vals), aspect="auto", interpolation="nearest",
               cmap=cmap, vmin=0.5, vmax=k + 0.5)
    ax_.set_xticks(range(h.shape[1]))
    ax_.set_xticklabels([str(c) for c in h.columns], rotation=90, fontsize=6)
    ax_.set_yticks(range(len(h)))
    ax_.set_yticklabels(h.index, fontsize=max(3, min(7, int(500 / max(len(h), 1)))))
    ax_.set_title(f"Clusters over time ({result.query['method']})")
    if path is not None:
        save(fig, path)
    return fig


# -------------------------------------------------------------------------- change points
def plot_change_points(result: ChangePointResult, path: str | Path | None = None,
                       ax: Axes | None = None) -> Figure:
    """Yearly means of a dyad's agreement series (points, area ~ votes), segment means as
    steps and the change points as dashed lines annotated with their size and interval."""

    if result.series.empty:
        raise PlotError("no votes to draw")
    fig, ax_ = _figure(ax)
    s = result.series
    yearly = s.groupby(pd.to_datetime(s["date"]).dt.year)["value"].agg(["mean", "size"])
    mid = pd.to_datetime(yearly.index.astype(str) + "-07-01")
    ax_.scatter(mid, yearly["mean"], s=4 + 40 * yearly["size"] / yearly["size"].max(),
                color="0.55", alpha=0.8, label="yearly mean", zorder=2)
    for r in result.segments.itertuples(index=False):
        ax_.hlines(r.mean, pd.Timestamp(r.start), pd.Timestamp(r.end), color="C0", lw=2.2)
    ax_.plot([], [], color="C0", lw=2.2, label="segment mean")
    for r in result.breaks.itertuples(index=False):
        ax_.axvline(pd.Timestamp(r.date), color="C3", ls="--", lw=1)
        ci = "" if not np.isfinite(r.lo) else f"\n[{r.lo:+.2f}, {r.hi:+.2f}]"
        ax_.annotate(f"{r.size:+.2f}{ci}", (pd.Timestamp(r.date), 0.02), fontsize=7,
                     color="C3", ha="left", va="bottom", xytext=(2, 0),
                     textcoords="offset points")
    a, b = result.parties
    ax_.set_ylim(-0.02, 1.02)
    ax_.set_ylabel("agreement")
    ax_.set_title(f"{a.name} – {b.name}: change points ({result.query['method']})")
    ax_.legend(loc="upper right", fontsize=8)
    if path is not None:
        save(fig, path)
    return fig


# ---------------------------------------------------------------------------------- claims
def _signed(x: Any) -> str:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return "n/a"
    return f"{v:+.3f}" if np.isfinite(v) else "n/a"


def plot_claim(result: ClaimResult, series: Any = None, path: str | Path | None = None,
               ax: Axes | None = None) -> Figure:
    """A claim's figure: a ranking's values with their intervals, or ``series`` (the
    alignment or cohesion around the claim, from :meth:`ClaimResult.plot`) with the claim's
    windows shaded and the verdict, effect and CI in the title."""
    import textwrap

    if series is None:
        ev = result.evidence
        if ev.empty:
            raise PlotError("nothing to plot: the ranking is empty")
        fig, ax_ = _figure(ax, (7.0, 0.35 * len(ev) + 1.8))
        y = np.arange(len(ev))[::-1]
        val = ev["value"].to_numpy(dtype=float)
        lo = ev["lo"].to_numpy(dtype=float)
        hi = ev["hi"].to_numpy(dtype=float)
        err = np.vstack([np.where(np.isfinite(lo), val - lo, 0),
                         np.where(np.isfinite(hi), hi - val, 0)])
        ax_.errorbar(val, y, xerr=err, fmt="o", capsize=3)
        ax_.set_yticks(y, [f"{s} {n}" for s, n in zip(ev["state"], ev["name"], strict=True)],
                       fontsize=8)
        ax_.set_xlabel(result.measure)
        ax_.set_title(textwrap.fill(result.sentence(), 70), fontsize=10)
        ax_.grid(True, alpha=0.3)
        if path is not None:
            save(fig, path)
        return fig
    fig = plot(series, ax=ax)
    axis = ax if ax is not None else fig.axes[0]
    colours = {"claim": "tab:green", "after": "tab:green", "before": "tab:purple",
               "than": "tab:purple"}
    for w in result.period.get("windows", []):
        if w.get("start") and w.get("end"):
            axis.axvspan(pd.Timestamp(w["start"]), pd.Timestamp(w["end"]) + pd.Timedelta(days=1),
                         color=colours.get(w["role"], "grey"), alpha=0.10,
                         label=f"{w['role']}: {w['label']}")
    axis.legend(fontsize=8, loc="best")
    pct = round(float(result.query.get("ci", 0.95)) * 100)
    axis.set_title(f"{textwrap.fill(result.sentence(), 100)}\nverdict: {result.verdict} "
                   f"(effect {_signed(result.effect)}, {pct}% CI "
                   f"{_signed(result.lo)} to {_signed(result.hi)}, n={result.n})", fontsize=9)
    if path is not None:
        save(fig, path)
    return fig


def plot_vetoes(result: Any, path: str | Path | None = None, ax: Axes | None = None,
                by: str = "decade") -> Figure:
    """A :class:`~comity.analysis.security_council.VetoList` as stacked bars: vetoes per
    permanent member and decade (or year, ``by="year"``)."""
    counts = result.counts(by)
    fig, ax_ = _figure(ax)
    if counts.empty:
        ax_.text(0.5, 0.5, "no veto in the store for this query", ha="center", va="center",
                 transform=ax_.transAxes)
    else:
        wide = counts.pivot_table(index="start", columns="state", values="vetoes",
                                  aggfunc="sum", fill_value=0).sort_index()
        labels = (counts.drop_duplicates("start").set_index("start")["period"]
                  .reindex(wide.index).tolist())
        x = np.arange(len(wide))
        bottom = np.zeros(len(wide))
        for state in wide.columns:
            vals = wide[state].to_numpy(dtype=float)
            ax_.bar(x, vals, bottom=bottom, label=state, width=0.8)
            bottom += vals
        ax_.set_xticks(x, labels, rotation=0 if len(x) <= 12 else 90, fontsize=8)
        ax_.legend(fontsize=8, loc="best", title="permanent member")
    q = getattr(result, "query", {}) or {}
    span = f"{q.get('from') or 'first'}–{q.get('to') or 'last'}"
    ax_.set_title(f"Security Council vetoes per permanent member and {by} ({span})",
                  fontsize=11)
    ax_.set_ylabel("vetoes (negative votes of a permanent member)")
    ax_.grid(True, axis="y", alpha=0.3)
    if path is not None:
        save(fig, path)
    return fig
