"""Known holes: recorded votes that the staged sources do not hold (reference data).

``comity/world/data/known_holes.csv`` lists them (body, date, symbol, title, note, source). A
result whose period covers one of them says so unless the store has loaded that vote from some
file (the official GA file has them from version 3 on); ``comity info`` and ``comity check
--kind missing`` list the ones still missing.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources
from typing import Any

__all__ = ["Hole", "holes", "known_holes"]


@dataclass(frozen=True)
class Hole:
    body: str
    date: date
    symbol: str
    title: str
    note: str
    source: str


@cache
def holes() -> tuple[Hole, ...]:
    """Every known hole, oldest first."""
    text = (resources.files("comity.world") / "data" / "known_holes.csv").read_text("utf-8")
    rows = [Hole(r["body"], date.fromisoformat(r["date"]), r["symbol"], r["title"], r["note"],
                 r["source"]) for r in csv.DictReader(text.splitlines())]
    return tuple(sorted(rows, key=lambda h: (h.date, h.symbol)))


def known_holes(body: str, start: Any, end: Any) -> list[Hole]:
    """The holes of ``body`` (``GA``, ``SC`` or ``BOTH``) dated ``start`` to ``end``
    (inclusive; ISO dates or dates)."""
    lo, hi = date.fromisoformat(str(start)[:10]), date.fromisoformat(str(end)[:10])
    b = str(body).upper()
    return [h for h in holes() if (b == "BOTH" or h.body == b) and lo <= h.date <= hi]
