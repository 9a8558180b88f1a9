"""The DuckDB store: schema, one-transaction ingest, queries that return a
:class:`~comity.store.panel.Panel` (the vote matrix), provenance and the ``quality`` table, and
the fit cache (:mod:`~comity.store.fitcache`: arrays, not estimators).

``from comity.store import Store`` is the entry point; :mod:`comity.store.db` holds it. Names
are imported on first use, so that the estimators, which need only the ``Panel``, do not load
DuckDB.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from comity._lazy import lazy_exports

if TYPE_CHECKING:
    from comity.store.db import Store, default_db_path, issues_view
    from comity.store.panel import Panel

_EXPORTS = {"Store": ".db", "default_db_path": ".db", "issues_view": ".db", "Panel": ".panel"}
__getattr__ = lazy_exports(__name__, _EXPORTS, globals())
__all__ = [
    "Panel",
    "Store",
    "default_db_path",
    "issues_view",
]
