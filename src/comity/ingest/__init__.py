"""Where data enters: one parser per external format, the merge into one record per vote, and
the download of the official files.

- :mod:`~comity.ingest.sources`: pure file → canonical rows functions (every format quirk lives
  in its parser) and detection by content;
- :mod:`~comity.ingest.merge`: links the sources' records of one vote, applies precedence,
  infers absences and reports every disagreement in ``quality``;
- :mod:`~comity.ingest.download`: downloads the newest official files (checksums, cache, resume).

The store (:mod:`comity.store`) calls these inside its one-transaction ingest.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from comity._lazy import lazy_exports

if TYPE_CHECKING:
    from comity.ingest.download import fetch
    from comity.ingest.merge import QUALITY_KINDS, rebuild
    from comity.ingest.sources.base import SourceData, normalize_symbol
    from comity.ingest.sources.detect import detect_format

_EXPORTS = {
    "fetch": ".download", "QUALITY_KINDS": ".merge", "rebuild": ".merge",
    "SourceData": ".sources.base", "normalize_symbol": ".sources.base",
    "detect_format": ".sources.detect",
}
__getattr__ = lazy_exports(__name__, _EXPORTS, globals())
__all__ = [
    "QUALITY_KINDS",
    "SourceData",
    "detect_format",
    "fetch",
    "normalize_symbol",
    "rebuild",
]
