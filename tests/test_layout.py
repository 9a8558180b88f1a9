"""The package layout (issue 13): wings by stage, imports only downward, small modules.

import-linter checks the contracts of ``pyproject.toml`` in CI (``lint-imports``); these tests
check the same direction with the standard library, so that a local ``pytest`` fails too when
an import runs back up, lazily or not.
"""

from __future__ import annotations

import ast
import pathlib
import subprocess
import sys

import pytest

SRC = pathlib.Path(__file__).resolve().parents[1] / "src" / "comity"
WINGS = ["errors", "world", "ingest", "store", "analysis", "claims", "plots", "web", "cli"]
"""Bottom to top: a module may import its own wing and the wings before it."""


def _wing(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "comity" or len(parts) < 2:
        return None
    return parts[1] if parts[1] in WINGS else None


def _imports(module: str, text: str) -> list[tuple[int, str]]:
    """Every module imported by ``text`` (the source of ``module``), at any depth (lazy
    imports included)."""
    pkg = module
    out = []
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.Import):
            out += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = pkg.split(".")[: -node.level]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            out.append((node.lineno, mod))
            out += [(node.lineno, f"{mod}.{a.name}") for a in node.names]
    return out


def _modules() -> list[pathlib.Path]:
    return sorted(p for p in SRC.rglob("*.py") if "static" not in p.parts)


def _upward(module: str, text: str) -> list[str]:
    mine = _wing(module)
    if mine is None:
        return []  # the package root and its helpers (comity/__init__.py, _lazy.py)
    rank = WINGS.index(mine)
    return [f"line {ln}: {mod}" for ln, mod in _imports(module, text)
            if (w := _wing(mod)) is not None and WINGS.index(w) > rank]


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(SRC)))
def test_no_import_runs_up(path: pathlib.Path) -> None:
    parts = path.relative_to(SRC.parent).with_suffix("").parts
    module = ".".join(parts if path.name != "__init__.py" else (*parts[:-1], "__init__"))
    bad = _upward(module, path.read_text("utf-8"))
    assert not bad, f"{path.relative_to(SRC)} imports a wing above its own: {bad}"


def test_the_walker_sees_an_upward_import() -> None:
    """The check above can fail: a lazy import of the plots from the store, a relative
    import of the claims from the analysis."""
    lazy = "def f():\n    from comity.plots import save\n    return save\n"
    assert _upward("comity.store.probe", lazy) == ["line 2: comity.plots",
                                                   "line 2: comity.plots.save"]
    assert _upward("comity.analysis.probe", "from ..claims import evaluate\n")
    assert not _upward("comity.claims.probe", "from comity.analysis import align\n")


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(SRC)))
def test_no_module_over_1000_lines(path: pathlib.Path) -> None:
    n = len(path.read_text("utf-8").splitlines())
    assert n <= 1000, f"{path.relative_to(SRC)} has {n} lines"


def test_core_imports_without_cli_or_web_stack() -> None:
    """``import comity`` and the analysis entry points load neither typer, rich nor FastAPI,
    and the analysis does not load matplotlib until a figure is asked for."""
    code = ("import sys, comity; comity.alignment; comity.evaluate; comity.Store; "
            "bad = [m for m in ('typer', 'rich', 'fastapi', 'matplotlib', 'comity.plots', "
            "'comity.cli', 'comity.web') if m in sys.modules]; assert not bad, bad")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_plots_reached_through_the_hook() -> None:
    from comity.analysis.plothook import PLOTS_MODULE, plotter
    from comity.plots import plot_alignment

    assert PLOTS_MODULE == "comity.plots"
    assert plotter("plot_alignment") is plot_alignment
