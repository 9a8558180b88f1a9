"""Persisting fitted ideal points in a comity store: tables ``ideal_points`` and
``ideal_point_items``.

This module stores *arrays*, not estimators: :func:`store_fit` writes an ideal-point frame, an
item frame and a plain metadata dict under a name, and :func:`load_fit` returns them as a
:class:`StoredFit`. The estimator (:mod:`comity.analysis.idealpoints`, which does no I/O) is
rebuilt from them one wing up, in :mod:`comity.analysis.fitstore`, so the store never imports
the analysis. The CLI's names come from :func:`cache_name`; the metadata carries whatever the
caller adds (the CLI: the :func:`data_fingerprint` of the store and the query).

Tables (other tools read them: keep these names, columns and meanings)::

    ideal_points(name, state, period, estimate, se, fitted_at, params_json, dim, lo, hi,
                 n_votes)                      -- one row per state, period, dimension
    ideal_point_items(name, item, "key", rids[], n_resolutions, first_period, last_period,
                      n_votes, ordinal, discrimination[], cut1, cut2)   -- one row per item

``params_json`` (the same on every row of a fit) holds ``summary``
(:meth:`~comity.analysis.idealpoints.DynamicIdealPoints.summary`), ``period_kind`` (``"session"`` or
``"year"``) and the caller's ``extra``. A stored fit is a snapshot: refit after new votes are
ingested.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from comity.errors import StoreError

__all__ = ["StoredFit", "cache_name", "data_fingerprint", "load_fit", "store_fit"]


@dataclass(frozen=True)
class StoredFit:
    """A fit as stored: ``ideal_points`` (state, period, dim, estimate, se, lo, hi,
    n_votes), ``items`` (item, key, rids, n_resolutions, first_period, last_period, n_votes,
    ordinal, discrimination[_k], cut1, cut2; may be empty) and ``meta`` (the stored
    ``params_json`` with ``fitted_at``)."""

    ideal_points: pd.DataFrame
    items: pd.DataFrame
    meta: dict[str, Any]

_CACHE_DDL = """
CREATE TABLE IF NOT EXISTS ideal_points (
    name VARCHAR, state VARCHAR, period INTEGER, estimate DOUBLE, se DOUBLE,
    fitted_at TIMESTAMP, params_json VARCHAR, dim INTEGER, lo DOUBLE, hi DOUBLE,
    n_votes INTEGER);
CREATE TABLE IF NOT EXISTS ideal_point_items (
    name VARCHAR, item INTEGER, "key" VARCHAR, rids VARCHAR[], n_resolutions INTEGER,
    first_period INTEGER, last_period INTEGER, n_votes INTEGER, ordinal BOOLEAN,
    discrimination DOUBLE[], cut1 DOUBLE, cut2 DOUBLE);
"""


def _connect(con_or_path: Any, read_only: bool) -> tuple[Any, bool]:
    """A DuckDB connection and whether we opened it (and must close it)."""
    if hasattr(con_or_path, "con"):  # a comity.store.db.Store
        return con_or_path.con, False
    if isinstance(con_or_path, str | Path):
        p = Path(con_or_path)
        if read_only and not p.exists():
            raise StoreError(f"no store at {p}")
        try:
            return duckdb.connect(str(p), read_only=read_only), True
        except duckdb.Error as exc:
            raise StoreError(f"cannot open {p} for the ideal-point cache: {exc}") from None
    return con_or_path, False


def cache_name(params: dict[str, Any], start: int | None = None, end: int | None = None,
               body: str = "GA") -> str:
    """The name under which the CLI (and any shell) caches a fit of ``body`` votes from year
    ``start`` to year ``end`` (None: first/latest) with the estimator's ``params``
    (``get_params()``), e.g. ``GA|first-last|session|d1|probit|w0.1|b0|s-|USA`` for the
    defaults on the whole store."""
    p = params
    seed = p["seed"] if p["bootstrap"] else "-"
    return (f"{body}|{start or 'first'}-{end or 'last'}|{p['period']}|d{p['n_dims']}|"
            f"{p['link']}|w{p['walk_variance']:g}|b{p['bootstrap']}|s{seed}|{p['anchor']}")


def data_fingerprint(con_or_store: Any) -> dict[str, Any]:
    """What a cached fit must match to be served: the number of stored votes and the time of
    the last ingest (a DuckDB connection or a :class:`comity.store.db.Store`)."""
    con = getattr(con_or_store, "con", con_or_store)
    votes = con.execute("SELECT count(*) FROM votes").fetchall()[0][0]
    try:
        last = con.execute('SELECT max("at") FROM ingests').fetchall()[0][0]
    except duckdb.Error:  # a store without an ingests table: no time part
        last = None
    return {"votes": int(votes), "last_ingest": None if last is None else str(last)}


def store_fit(con_or_store_path: Any, name: str, ideal_points: pd.DataFrame,
              items: pd.DataFrame, meta: dict[str, Any]) -> int:
    """Write a fit's ideal points and items to the DuckDB tables ``ideal_points``
    and ``ideal_point_items`` under ``name`` (rows of an earlier fit of that name are
    replaced, in one transaction). Returns the number of ideal-point rows written.

    ``con_or_store_path`` is a DuckDB connection, a :class:`comity.store.db.Store` opened for
    writing, or a path: then this function opens its own ``duckdb.connect(path)`` (read-write)
    and closes it, so no other process may hold the file open at the time. ``params_json``
    is ``meta`` as JSON (:mod:`comity.analysis.fitstore` puts the estimator's summary, its
    period kind and the caller's extra keys there).
    """
    con, own = _connect(con_or_store_path, read_only=False)
    try:
        params_json = json.dumps(_plain(meta), sort_keys=True)
        now = datetime.now(UTC).replace(tzinfo=None)
        ip = ideal_points
        df = pd.DataFrame({
            "name": name, "state": ip["state"].astype(str), "period": ip["period"].astype(int),
            "estimate": ip["estimate"], "se": ip["se"], "fitted_at": now,
            "params_json": params_json, "dim": ip["dim"].astype(int), "lo": ip["lo"],
            "hi": ip["hi"], "n_votes": ip["n_votes"].astype(int)})
        it = items
        dcols = [c for c in it.columns if c.startswith("discrimination")]
        items = pd.DataFrame({
            "name": name, "item": it["item"].astype(int), "key": it["key"].astype(str),
            "rids": it["rids"].map(lambda v: [str(x) for x in v]),
            "n_resolutions": it["n_resolutions"].astype(int),
            "first_period": it["first_period"].astype(int),
            "last_period": it["last_period"].astype(int), "n_votes": it["n_votes"].astype(int),
            "ordinal": it["ordinal"].astype(bool),
            "discrimination": list(it[dcols].to_numpy(dtype=float)),
            "cut1": it["cut1"], "cut2": it["cut2"]})
        try:
            con.execute("BEGIN TRANSACTION")
        except duckdb.Error as exc:
            raise StoreError(f"cannot write the ideal-point cache: {exc}") from None
        try:
            con.execute(_CACHE_DDL)
            con.execute("DELETE FROM ideal_points WHERE name = ?", [name])
            con.execute("DELETE FROM ideal_point_items WHERE name = ?", [name])
            con.register("ip_df", df)
            con.execute("INSERT INTO ideal_points BY NAME SELECT * FROM ip_df")
            con.unregister("ip_df")
            con.register("it_df", items)
            con.execute("INSERT INTO ideal_point_items BY NAME SELECT * FROM it_df")
            con.unregister("it_df")
            con.execute("COMMIT")
        except duckdb.Error as exc:
            con.execute("ROLLBACK")
            raise StoreError(f"cannot write the ideal-point cache: {exc}") from None
        except BaseException:
            con.execute("ROLLBACK")
            raise
        return len(df)
    finally:
        if own:
            con.close()


def load_fit(con_or_store_path: Any, name: str) -> StoredFit | None:
    """The fit stored by :func:`store_fit` under ``name`` (None if there is none), as frames
    and the metadata dict (with ``fitted_at``)."""
    con, own = _connect(con_or_store_path, read_only=True)
    try:
        q = ("SELECT count(*) FROM information_schema.tables WHERE table_name = "
             "'ideal_points'")
        if not con.execute(q).fetchall()[0][0]:
            return None
        ip = con.execute(
            "SELECT state, period, dim, estimate, se, lo, hi, n_votes, fitted_at, params_json "
            "FROM ideal_points WHERE name = ? ORDER BY dim, state, period", [name]).df()
        if ip.empty:
            return None
        items = pd.DataFrame()
        has_items = con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = "
            "'ideal_point_items'").fetchall()[0][0]
        if has_items:
            items = con.execute(
                "SELECT * EXCLUDE (name) FROM ideal_point_items WHERE name = ? ORDER BY item",
                [name]).df()
    finally:
        if own:
            con.close()
    meta = json.loads(ip["params_json"].iloc[0])
    if not items.empty:
        disc = np.stack(items.pop("discrimination").map(np.asarray).to_list())
        for k in range(disc.shape[1]):
            items["discrimination" if k == 0 else f"discrimination_{k + 1}"] = disc[:, k]
        items["rids"] = items["rids"].map(list)
    return StoredFit(ip.drop(columns=["fitted_at", "params_json"]), items,
                     {**meta, "fitted_at": ip["fitted_at"].iloc[0]})


def _plain(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {str(k): _plain(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_plain(v) for v in obj]
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return _plain(obj.tolist())
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    return obj
