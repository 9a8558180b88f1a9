"""Lazy re-exports for the wing packages (PEP 562).

A wing's ``__init__`` names its public API in a table ``name -> module``; the module is
imported on first use, so that ``import comity.store`` does not pay for scikit-learn and
importing one CLI command does not load every estimator.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any


def lazy_exports(package: str, table: Mapping[str, str],
                 namespace: dict[str, Any]) -> Callable[[str], Any]:
    """A module ``__getattr__`` for ``package`` that imports ``table[name]`` (a module name
    relative to the package, e.g. ``".align"``) and caches the attribute in ``namespace``."""

    def __getattr__(name: str) -> Any:
        module = table.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module, package), name)
        namespace[name] = value
        return value

    return __getattr__
