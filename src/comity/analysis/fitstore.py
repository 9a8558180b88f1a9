"""Fitted ideal points in the store: the estimator's side of :mod:`comity.store.fitcache`.

The store keeps a fit as frames and a metadata dict (it never imports the estimator);
:func:`store_fit` takes a fitted :class:`~comity.analysis.idealpoints.DynamicIdealPoints`
apart for it, and :func:`load_fit` rebuilds one with
:meth:`~comity.analysis.idealpoints.DynamicIdealPoints.from_results` (which can ``summary()``,
``plot()`` and ``to_frame()`` but not be refitted from the cache). :func:`cache_name` and
:func:`data_fingerprint` name and date a fit as the CLI does.
"""

from __future__ import annotations

from typing import Any

from comity.analysis.idealpoints import DynamicIdealPoints
from comity.store import fitcache
from comity.store.fitcache import data_fingerprint

__all__ = ["cache_name", "data_fingerprint", "load_fit", "store_fit"]


def cache_name(model: DynamicIdealPoints, start: int | None = None, end: int | None = None,
               body: str = "GA") -> str:
    """The cache name of a fit of ``body`` votes from year ``start`` to ``end`` with
    ``model``'s options (:func:`comity.store.fitcache.cache_name`)."""
    return fitcache.cache_name(model.get_params(), start, end, body)


def store_fit(con_or_store_path: Any, model: DynamicIdealPoints, name: str,
              extra: dict[str, Any] | None = None) -> int:
    """Write a fitted ``model`` under ``name`` (see :func:`comity.store.fitcache.store_fit`):
    its ideal points, items, :meth:`~DynamicIdealPoints.summary`, period kind and ``extra``.
    Returns the number of ideal-point rows written."""
    model._check_fitted()
    meta = {"summary": model.summary(), "period_kind": model.period, **(extra or {})}
    return fitcache.store_fit(con_or_store_path, name, model.ideal_points_, model.items_, meta)


def load_fit(con_or_store_path: Any, name: str) -> DynamicIdealPoints | None:
    """The model stored under ``name`` (None if there is none), with ``cache_meta_`` (the
    stored metadata, with ``fitted_at``)."""
    fit = fitcache.load_fit(con_or_store_path, name)
    if fit is None:
        return None
    m = DynamicIdealPoints.from_results(fit.ideal_points, fit.items,
                                        fit.meta.get("summary", {}))
    m.cache_meta_ = fit.meta
    return m
