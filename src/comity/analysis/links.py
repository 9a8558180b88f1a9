"""Links to the official record of a resolution, shared by every result that lists votes
(:mod:`comity.analysis.compare`, the claims' evidence)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote_plus

import pandas as pd

__all__ = ["UNDL_SEARCH", "record_link", "record_links"]

UNDL_SEARCH = "https://digitallibrary.un.org/search?ln=en&p={query}"
"""UN Digital Library search URL used when the store has no link for a resolution."""


def record_link(symbol: Any, link: Any = None) -> str | None:
    """The official record of a resolution: ``link`` where the store has one, else a UN Digital
    Library search for the quoted symbol (:data:`UNDL_SEARCH`), else None."""
    if isinstance(link, str) and link.strip():
        return link.strip()
    if isinstance(symbol, str) and symbol.strip():
        return UNDL_SEARCH.format(query=quote_plus(f'"{symbol.strip()}"'))
    return None


def record_links(symbols: pd.Series, links: pd.Series | None = None) -> list[str | None]:
    """:func:`record_link` for each row of a result table (one per listed vote)."""
    lk = [None] * len(symbols) if links is None else links.tolist()
    return [record_link(s, k) for s, k in zip(symbols.tolist(), lk, strict=True)]
