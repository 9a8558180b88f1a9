"""Recognise a file's format by its content (``--format auto``), never by its name alone."""

from __future__ import annotations

import gzip
import json
import zipfile
import zlib
from pathlib import Path

from comity.ingest.sources._io import GZIP_MAGIC

#: kinds in the order a directory is ingested (oldest, least authoritative first)
KINDS = (
    "voeten2016",
    "unvotes_roll_calls",
    "unvotes_votes",
    "unvotes_issues",
    "scrape",
    "unxml",
    "undl_ga",
    "undl_sc",
    "sc_membership",
    "unsc_vetoes",
    "sc_drafts",
    "supplement",
)

_CSV_SIGNATURES: list[tuple[str, set[str]]] = [
    ("undl_sc", {"undl_id", "ms_code", "ms_vote", "permanent_member"}),
    ("undl_ga", {"undl_id", "ms_code", "ms_vote", "resolution"}),
    ("voeten2016", {"rcid", "ccode", "vote", "unres"}),
    ("unvotes_votes", {"rcid", "country", "vote"}),
    ("unvotes_roll_calls", {"rcid", "unres", "amend", "para"}),
    ("unvotes_issues", {"rcid", "short_name", "issue"}),
    ("scrape", {"Council", "Resolution", "token", "YES COUNT"}),
    ("supplement", {"resolution", "date", "body", "state", "vote", "source_url"}),
    ("sc_membership", {"year", "security_council_member"}),
    ("unsc_vetoes", {"draft", "meeting_record", "member_veto1"}),
    ("sc_drafts", {"ID", "Vote", "Member State", "Outcome results"}),
]
#: strings that the header of the SC drafts workbook (sc_drafts) holds
_XLSX_HEADER = (b"Outcome results", b"Member State")


def _xlsx_kind(path: Path) -> str | None:
    """``sc_drafts`` for an .xlsx workbook whose strings hold the SC drafts sheet's header
    (looked for in the shared strings and the first sheet's beginning, not parsed)."""
    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
            if "xl/workbook.xml" not in names:
                return None
            text = b""
            for member in ("xl/sharedStrings.xml", "xl/worksheets/sheet1.xml"):
                if member in names:
                    with zf.open(member) as fh:
                        text += fh.read(1 << 18)
    except (zipfile.BadZipFile, OSError, KeyError, EOFError):
        return None
    return "sc_drafts" if all(h in text for h in _XLSX_HEADER) else None


def _head(path: Path, n: int = 65536) -> bytes:
    with path.open("rb") as fh:
        raw = fh.read(n)
    if raw[:2] == GZIP_MAGIC:
        try:
            with gzip.open(path, "rb") as gz:
                raw = gz.read(n)
        except (EOFError, OSError, zlib.error):
            d = zlib.decompressobj(16 + zlib.MAX_WBITS)
            try:
                raw = d.decompress(raw)
            except zlib.error:
                return b""
    return raw


def detect_format(path: str | Path) -> str | None:
    """The kind of ``path`` (one of :data:`KINDS`) or None when it is not a known format."""
    p = Path(path)
    if not p.is_file():
        return None
    head = _head(p)
    if head.startswith(b"PK\x03\x04"):
        return _xlsx_kind(p)
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    text = head.decode("utf-8", errors="replace").lstrip()
    if text.startswith("{"):
        first = text.splitlines()[0]
        try:
            obj = json.loads(first)
        except (json.JSONDecodeError, RecursionError):  # RecursionError: absurdly deep nesting
            obj = None
            if '"MS_in_favour"' in first or '"symbol"' in first:
                return "unxml"
        if isinstance(obj, dict) and "symbol" in obj and "MS_in_favour" in obj:
            return "unxml"
        return None
    header_line = text.splitlines()[0] if text else ""
    cols = {c.strip().strip('"').strip() for c in header_line.split(",")}
    for kind, sig in _CSV_SIGNATURES:
        if sig <= cols:
            return kind
    return None
