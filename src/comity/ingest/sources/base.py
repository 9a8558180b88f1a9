"""The contract every source parser fulfils: a pure function from one file to canonical rows.

A parser never touches the store. It returns a :class:`SourceData` whose frames have exactly
the columns listed below (extra columns are not allowed), every format quirk already resolved:
state spellings mapped to canonical codes (``comity.world.states``), symbols normalised
(:func:`normalize_symbol`), dates parsed, vote codes mapped to ``Y/A/N/X``.

``resolutions`` (one row per recorded vote in the file; ``key`` unique within the file):

==================  ==========  =================================================================
column              dtype       meaning
==================  ==========  =================================================================
key                 str         source-local id (rcid, undl id, symbol...) unique in the file
body                str         ``GA`` or ``SC``
session             Int64       regular GA session number in progress (SC: year); may be NA
special             str/None    ``ES-11``, ``S-32`` for emergency/special sessions, else None
date                datetime64  date of the vote (NaT if the source has none)
symbol              str/None    normalised symbol, e.g. ``A/RES/68/262``, ``A/RES/377(V)A``
title               str/None
agenda              str/None
subjects            str/None    ``; ``-joined subject terms
important           boolean     US State Dept "important vote" flag where the source has it
amend               boolean     the roll call was on an amendment (not the resolution as a whole)
para                boolean     the roll call was on a paragraph (not the resolution as a whole)
adoption            str         ``recorded``, ``without_vote`` (adopted without a vote:
                                kept as metadata, has no vote rows) or ``partial`` (only some
                                members' votes are known, e.g. a veto list that names the
                                vetoing members: kept out of every panel)
outcome             str         ``adopted``; for SC drafts that were not: ``vetoed`` (a
                                permanent member's no) or ``failed`` (too few votes)
yes/no/abstain/non_voting  Int64  tallies as the source records them (NA where not given)
link                str/None    URL of the official record
draft               str/None    symbol of the draft resolution (official files)
committee_report    str/None    report of the Main Committee transmitting the draft
meeting             str/None    symbol of the meeting record (e.g. ``A/80/PV.30``)
total_ms            Int64       total members counted by the source
modality            str/None    SC: adopted with or without a vote
row                 int64       1-based data record of the first row describing it
==================  ==========  =================================================================

``votes`` (one row per state and recorded vote):

=========  =======  ==========================================================
key        str      joins ``resolutions.key``
state      str      canonical code (``comity.world.states``)
vote       str      ``Y``, ``A``, ``N`` or ``X`` (X = member absent / non-voting)
row        int64    1-based data record where it was read (for error messages)
=========  =======  ==========================================================

``issues`` (optional): ``key, issue`` with Voeten's six codes ``me nu di hr co ec``.

``quality``: ``key, kind, detail`` notes found while parsing (deduplicated repeats, ...).

``council`` (optional): ``year, state, row``: the members of the Security Council in a calendar
year (a membership list such as the UN DPPA's); a file may hold only this.

``sponsors`` (optional): ``key, state, kind, row``: the states that sponsored a resolution
(``kind`` ``sponsor``: listed on the draft; ``additional``: joined later), names resolved to
canonical codes with the resolution's date.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pandas as pd

RESOLUTION_COLUMNS = [
    "key", "body", "session", "special", "date", "symbol", "title", "agenda", "subjects",
    "important", "amend", "para", "adoption", "outcome", "yes", "no", "abstain", "non_voting",
    "link", "draft", "committee_report", "meeting", "total_ms", "modality", "row",
]
VOTE_COLUMNS = ["key", "state", "vote", "row"]
ISSUE_COLUMNS = ["key", "issue"]
QUALITY_COLUMNS = ["key", "kind", "detail"]
COUNCIL_COLUMNS = ["year", "state", "row"]
SPONSOR_COLUMNS = ["key", "state", "kind", "row"]
SPONSOR_KINDS = ("sponsor", "additional")
OUTCOMES = ("adopted", "vetoed", "failed")


@dataclass(frozen=True, eq=False)
class SourceData:
    """Canonical rows parsed from one file (see the module docstring for the columns)."""

    source: str
    file: str
    resolutions: pd.DataFrame
    votes: pd.DataFrame
    lists_only_yna: bool
    issues: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=ISSUE_COLUMNS))
    quality: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=QUALITY_COLUMNS))
    rows_read: int = 0
    council: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=COUNCIL_COLUMNS))
    sponsors: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=SPONSOR_COLUMNS))

    def __post_init__(self) -> None:
        for name, cols in (
            ("resolutions", RESOLUTION_COLUMNS),
            ("votes", VOTE_COLUMNS),
            ("issues", ISSUE_COLUMNS),
            ("quality", QUALITY_COLUMNS),
            ("council", COUNCIL_COLUMNS),
            ("sponsors", SPONSOR_COLUMNS),
        ):
            got = list(getattr(self, name).columns)
            if got != cols:
                raise AssertionError(f"{self.source}: {name} columns {got} != {cols}")


def empty_quality() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in QUALITY_COLUMNS})


def empty_issues() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in ISSUE_COLUMNS})


_ROMAN = r"[IVXL]+"
_WS = re.compile(r"\s+")


def normalize_symbol(raw: str | None) -> str | None:
    """Normalise a UN document symbol to the canonical form used as a merge key.

    ``A/RES/68/262``, ``A/RES/377 (V)`` → ``A/RES/377(V)``, ``R/68/262`` → ``A/RES/68/262``,
    ``S/RES/2323(2016)`` → ``S/RES/2323``, ``A/RES/ES-11/1`` unchanged. Whitespace is removed and
    letters upper-cased; part suffixes (``A``, ``[A-C]``, ``I``) are kept: see
    :func:`split_part`.
    """
    if raw is None or (isinstance(raw, float) and pd.isna(raw)):
        return None
    s = _WS.sub("", str(raw)).upper()
    if not s:
        return None
    if s.startswith("R/"):
        s = "A/RES/" + s[2:]
    if s.startswith("S/RES/"):
        s = re.sub(r"\(\d{4}\)", "", s)
    return s


_SYMBOL_BASES = (
    re.compile(r"^(A/RES/(?:ES-\d+/|S-\d+/)?\d+/\d+)(.*)$"),
    re.compile(r"^(A/RES/\d+\(" + _ROMAN + r"\))(.*)$"),
    re.compile(r"^(A/RES/\d+)(.*)$"),
)


def split_part(symbol: str | None) -> tuple[str | None, str]:
    """Split a normalised GA symbol into (base, part).

    ``A/RES/68/262`` → (``A/RES/68/262``, ""), ``A/RES/77/293A`` → (``A/RES/77/293``, "A"),
    ``A/RES/377(V)[A-C]`` → (``A/RES/377(V)``, "A-C"), ``A/RES/38/183I`` → (``A/RES/38/183``,
    "I"), ``A/RES/26/2758A/B/C`` → (``A/RES/26/2758``, "A/B/C").
    """
    if symbol is None:
        return None, ""
    m = None
    for pattern in _SYMBOL_BASES:
        m = pattern.match(symbol)
        if m is not None:
            break
    if m is None:
        return symbol, ""
    base, rest = m.group(1), m.group(2)
    part = rest.strip("[]()- ")
    return base, part
