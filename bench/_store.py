"""Shared by the benchmarks: the store to measure on (``--db``, or one built from the data)."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

DEFAULT_DATA = Path(os.environ.get("COMITY_TEST_DATA",
                                   Path(__file__).resolve().parents[1] / ".." / "shared" / "data"))


def add_store_options(ap: argparse.ArgumentParser) -> None:
    """``--db`` (an existing store, read-only) and ``--data`` (the folder a store is built
    from otherwise; default ``$COMITY_TEST_DATA`` or ``../shared/data``)."""
    ap.add_argument("--db", type=Path, default=None,
                    help="an existing store (read-only; default: build one from --data)")
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)


def ensure_store(db: str | Path | None, data: str | Path
                 ) -> tuple[Path, tempfile.TemporaryDirectory | None]:
    """``db`` if given; else a store ingested from ``data`` in a temporary directory, which
    the caller cleans up (the second value; None when nothing was built)."""
    if db is not None:
        return Path(db), None
    from comity.store.db import Store

    tmp = tempfile.TemporaryDirectory()
    path = Path(tmp.name) / "bench.duckdb"
    print(f"building a store from {data} ...", file=sys.stderr)
    with Store(path) as s:
        s.ingest([data])
    return path, tmp
