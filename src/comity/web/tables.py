"""DataFrames to JSON records and CSV downloads (presentation only, no computation)."""

from __future__ import annotations

import io
import math
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from enum import Enum, StrEnum
from typing import Any

import numpy as np
import pandas as pd
from fastapi.responses import Response

CSV_MEDIA = "text/csv; charset=utf-8"


class Format(StrEnum):
    """Answer as JSON (the default) or as a CSV table download."""

    json = "json"
    csv = "csv"


def plain(v: Any) -> Any:
    """A JSON-ready Python value: ISO dates, None for NaN/NaT, lists for arrays."""
    if v is None or v is pd.NaT:
        return None
    if isinstance(v, str | bool | int):
        return v
    if isinstance(v, float):
        return v if math.isfinite(v) else None
    if isinstance(v, np.generic):
        return plain(v.item())
    if isinstance(v, pd.Timestamp):
        if pd.isna(v):
            return None
        return v.date().isoformat() if v == v.normalize() else v.isoformat()
    if isinstance(v, datetime):
        return v.date().isoformat() if v.time() == datetime.min.time() else v.isoformat()
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, Mapping):
        return {str(k): plain(x) for k, x in v.items()}
    if isinstance(v, np.ndarray | list | tuple | set | frozenset):
        return [plain(x) for x in v]
    if isinstance(v, pd.DataFrame):
        return records(v)
    try:
        if pd.isna(v):
            return None
    except (TypeError, ValueError):
        pass
    return str(v) if not isinstance(v, Enum) else v.value


def records(df: pd.DataFrame, columns: Iterable[str] | None = None) -> list[dict[str, Any]]:
    """JSON-ready rows of ``df`` (optionally only ``columns``, in that order)."""
    if columns is not None:
        df = df[[c for c in columns if c in df.columns]]
    cols = [str(c) for c in df.columns]
    out: list[dict[str, Any]] = []
    for row in df.itertuples(index=False, name=None):
        out.append({c: plain(v) for c, v in zip(cols, row, strict=True)})
    return out


def _csv_cell(v: Any) -> Any:
    v = plain(v)
    if isinstance(v, list):
        return ";".join("" if x is None else str(x) for x in v)
    if isinstance(v, dict):
        return ";".join(f"{k}={x}" for k, x in v.items())
    return v


def csv_response(df: pd.DataFrame, filename: str) -> Response:
    """The table as a CSV download (dates ISO, lists joined by ';', NaN empty)."""
    out = pd.DataFrame({str(c): [_csv_cell(v) for v in df[c]] for c in df.columns},
                       columns=[str(c) for c in df.columns])
    buf = io.StringIO()
    out.to_csv(buf, index=False, lineterminator="\n")
    safe = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in filename)[:80]
    return Response(content=buf.getvalue(), media_type=CSV_MEDIA,
                    headers={"Content-Disposition": f'attachment; filename="{safe}.csv"'})


def csv_doc(description: str = "The table as CSV (with format=csv).") -> dict[int | str, Any]:
    """OpenAPI ``responses`` entry documenting the CSV alternative of a 200 answer."""
    return {200: {"content": {"text/csv": {"schema": {"type": "string"}}},
                  "description": description}}
