"""Claims about alignment, answered with a verdict, an effect with its interval, and the votes.

A user states a claim in a short text form (or builds one of the frozen dataclasses below);
:func:`evaluate` answers with a :class:`ClaimResult`. ``comity.parse_claim`` and
``comity.evaluate`` are re-exported from the package; ``comity claim "..."`` is the CLI
(:mod:`comity.cli.claims`, whose docstring lists the JSON keys).

Claim forms
-----------
Square brackets mark optional parts; ``A``, ``B``, ``C`` are states or blocs (see below)::

    A closer to B than to C [PERIOD] [on ISSUE] [measure M]        -> CloserClaim
    A further from B than from C ...                                   (claims the reverse)
    A moved toward B [PERIOD] [BEFORE] [relative to C] [on ISSUE] [measure M]  -> MovedClaim
    A moved away from B ...                                            (claims the reverse)
    BLOC more cohesive PERIOD than PERIOD [on ISSUE]               -> CohesionClaim
    BLOC less cohesive PERIOD than PERIOD ...
    top K closest to A [PERIOD] [on ISSUE] [measure M]             -> RankingClaim
    top K furthest from A ...

Examples: ``USA closer to RUS than to EU in 2025 on hr measure kappa``, ``USA moved toward
RUS since 2025-01-20 relative to EU``, ``USA moved toward RUS since 2025-01-20 from 2021-01-20
to 2025-01-19``, ``EU more cohesive in 2024 than in 2014``, ``top 10 closest to CHN in 2025
on ec``. A question works too (``Is the USA closer to Russia than to the EU in 2025?``);
brackets, a leading ``is/was/has/did`` and a trailing ``?`` are ignored; keywords are
case-insensitive.

``PERIOD`` is one of: a year (``in 2025``), years (``in 2015-2020``, both inclusive),
``since DATE`` (up to the last recorded vote of the store), ``between D1 and D2`` or ``from D1
to D2`` (both inclusive), ``in session 79`` (``in the 79th session``). A ``DATE`` is
``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY`` (a year or month as a start means its first day, as an
end its last day). Without a period a closer or ranking claim is about the latest calendar year
with recorded votes.

``BEFORE`` (moved claims) is the window the claim period is compared with: ``from D1 to D2``
or ``compared with PERIOD``. Default: the window of the same length just before the claim
period (the previous year(s) for a year or years, the previous session for a session, the same
number of days for ``since``/``between``; ``since D`` runs from ``D`` to the last recorded vote
of the body, so the window before ends the day before ``D``).

``ISSUE``: Voeten's codes ``me nu di hr co ec`` or names (``human rights``, ``nuclear
weapons``, ...; :data:`comity.analysis.align.ISSUES`): only votes coded with the issue count.
``M``: ``agreement`` (default), ``S``, ``kappa``, ``pi``, ``coincidence``
(:mod:`comity.analysis.measures`).

Parties are resolved as in :func:`comity.analysis.align.resolve_party`: a canonical state code is a
state (``NAM`` = Namibia), else a bloc key, name or alias (``EU``, ``NATO``, ``Non-Aligned
Movement``), else any state spelling (``Russia``); ``state:X``/``bloc:X`` force a reading and a
leading ``the`` is dropped. The subject of a cohesion claim is always a bloc. Unknown or
ambiguous names raise :class:`~comity.errors.UnknownStateError` /
:class:`~comity.errors.UnknownBlocError` whose ``candidates`` list the possible meanings; text
that fits none of the forms raises :class:`ClaimSyntaxError` with the forms and examples. The
dataclasses hold canonical tokens (``"USA"``, ``"bloc:eu"``), so claims compare equal
whatever the spelling, and ``str(claim)`` is a canonical text that parses back to the claim.

What is measured
----------------
Votes, periods and bloc positions follow :mod:`comity.analysis.align` (votes coded Y = 1, A = 2,
N = 3; a bloc's position is the majority of its members on the date of the vote; a state
compared with a bloc it belongs to is left out of the bloc's position; named states use their
lineage: RUS includes the USSR before 1991-12-24).

* **closer**: ``effect = m(A, B) - m(A, C)`` on the *same* resolutions: those of the period
  where A, B and C all had a Y/A/N position (for ``coincidence``: all three voted Y or N). One
  bootstrap resamples the period's resolutions; each draw recomputes both measures on the same
  resample (paired), as :func:`comity.analysis.measures.paired_difference` with ``common=True``,
  whose
  numbers it reproduces for states.
* **moved**: ``effect = m(A, B)[after] - m(A, B)[before]``, each on the resolutions where both
  had a position; with ``relative to C``: ``effect = [m(A, B) - m(A, C)][after] - [m(A, B) -
  m(A, C)][before]``, each bracket paired as for closer. The two windows are resampled
  independently (first the window before, then the window after, from one generator).
* **cohesion**: ``effect = HNR[period] - HNR[than]``: the Hix–Noury–Roland agreement index of
  :func:`comity.analysis.align.cohesion` (resolutions where at least two members voted Y/A/N),
  bootstrapped independently in each period (the claimed period first).
* **ranking**: every state's measure with A in the period (a bloc anchor is compared with each
  of its members without that member), the top ``K`` with bootstrap intervals. No verdict
  (``verdict == "ranking"``).

Verdict
-------
With the percentile bootstrap interval ``[lo, hi]`` (95 %) of the effect and the claimed sign
(closer/toward/more: positive; further/away/less: negative): **supported** when the interval
excludes zero on the claimed side, **contradicted** when it excludes zero on the other side,
**inconclusive** otherwise (also when there is no interval: ``bootstrap=0``, or when more
than 2.5 % of the draws leave the measure undefined, or when the measure itself is undefined,
e.g. kappa when every vote was the same), and **insufficient data** when a side rests on
fewer than ``min_votes`` votes (``n`` is reported).

Evidence
--------
The resolutions that drive the effect, most decisive first: the *contribution* of a
resolution is ``effect - effect without it`` (leave-one-out, recomputing the measure exactly as
defined, so it is weighted as in the measure; for agreement on resolutions all three voted it
is proportional to ``|vote A - vote C| - |vote A - vote B|`` minus its mean). Rows are ranked
by contribution in the direction of the observed effect (ties: the later vote first); the
columns are ``rank, window, rid, symbol, date, title, vote_a, vote_b[, vote_c]`` (Y/A/N; a
bloc's majority position, ``tie`` for an even split), ``split_a``/``split_b``/``split_c`` for
bloc parties (members' ``Y-A-N`` counts), ``sided`` (closer/moved with a reference:
``with B``, ``with C``, ``all agree``, ``apart``; moved: ``same``/``different``),
``contribution``, ``issues``, ``yes, no, abstain`` (official tallies) and ``link``: the
official record (``resolutions.link`` where the store has one, else a UN Digital Library
search for the symbol: ``https://digitallibrary.un.org/search?ln=en&p="<symbol>"``, see
:func:`record_link`). Cohesion evidence has ``position`` (the bloc majority),
``members_yes/abstain/no`` and ``cohesion`` (the resolution's index) instead of the votes.

``counts``: closer: on the resolutions compared, how often A voted with B against C
(``with_b_against_c``), with C against B (``with_c_against_b``), with both (``all_agree``)
or with neither (``apart``); moved: per window ``same``/``different`` (and the four counts
with a reference); cohesion: per window ``unanimous``/``split`` votes.

``robustness``: ``measures``: the effect, interval, n and verdict under each of the five
measures (cohesion: the index only); ``without_top5``: the same claim re-evaluated (bootstrap
included) without the five most decisive evidence resolutions, with their symbols; ``stable``:
whether every verdict there equals the main one. Ranking: the top K under each measure.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Literal
from urllib.parse import quote_plus

import numpy as np
import pandas as pd

from comity.analysis.align import AlignmentError, alignment, cohesion
from comity.analysis.measures import (
    MEASURES,
    _check_options,
    _compute,
    _onehot9,
    _percentile_interval,
    _positions,
    _resample_weights,
)
from comity.analysis.plothook import plotter
from comity.analysis.query import (
    Party,
    _body,
    _bound,
    _extra_blocs,
    _load,
    _member_block,
    _one_blas_thread,
    _open,
    _query,
    _self_codes,
    bloc_position,
    resolve_party,
)
from comity.analysis.results import _records
from comity.errors import ComityError, PlotError, UnknownBlocError, UnknownStateError
from comity.store.panel import ABSENT, ABSTAIN, NO, NONMEMBER, YES, Panel
from comity.world.blocs import Bloc
from comity.world.issues import ISSUES, issue_code

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from comity.store.db import Store

__all__ = [
    "UNDL_SEARCH",
    "VERDICTS",
    "Claim",
    "ClaimError",
    "ClaimResult",
    "ClaimSyntaxError",
    "CloserClaim",
    "CohesionClaim",
    "MovedClaim",
    "Period",
    "RankingClaim",
    "evaluate",
    "parse_claim",
    "parse_period",
    "record_link",
]

VERDICTS: tuple[str, ...] = ("supported", "contradicted", "inconclusive", "insufficient data")
"""The possible verdicts of a claim (a ranking claim has the verdict ``"ranking"``)."""

UNDL_SEARCH = "https://digitallibrary.un.org/search?ln=en&p={query}"
"""UN Digital Library search URL used when the store has no link for a resolution."""

_DIST = np.abs(np.subtract.outer(np.arange(3.0), np.arange(3.0)))
_DIST_MS = ("agreement", "S", "kappa", "pi")
_MEASURE_NAMES = {m.casefold(): m for m in MEASURES}
_MIN_MEMBERS = 2
_TOP_REMOVED = 5

FORMS = """\
  A closer to B than to C [PERIOD] [on ISSUE] [measure M]    (or: A further from B than from C)
  A moved toward B [PERIOD] [from D1 to D2] [relative to C] [on ISSUE] [measure M]
                                                             (or: A moved away from B)
  BLOC more cohesive PERIOD than PERIOD [on ISSUE]           (or: less cohesive)
  top K closest to A [PERIOD] [on ISSUE] [measure M]         (or: top K furthest from A)
PERIOD: in 2025 | in 2015-2020 | since 2025-01-20 | between 2020-01-01 and 2024-12-31 |
        from 2021-01-20 to 2025-01-19 | in session 79
examples:
  USA closer to RUS than to EU in 2025 on hr measure kappa
  USA moved toward RUS since 2025-01-20 relative to EU
  EU more cohesive in 2024 than in 2014
  top 10 closest to CHN in 2025 on ec"""


class ClaimError(ComityError, ValueError):
    """A claim that cannot be evaluated as stated (same party twice, windows that overlap, a
    measure that does not apply, ...)."""


class ClaimSyntaxError(ClaimError):
    """Claim text that fits none of the claim forms; the message lists them with examples."""

    exit_code = 2

    def __init__(self, message: str, *, candidates: Sequence[str] = ()) -> None:
        self.candidates = list(candidates)
        super().__init__(message)


# ------------------------------------------------------------------------------------ periods
PeriodKind = Literal["year", "years", "since", "between", "session", "latest"]


@dataclass(frozen=True)
class Period:
    """The time a claim is about. ``start``/``end`` are inclusive days; ``since`` has no end
    (the last recorded vote), ``session`` only a session number, ``latest`` (no period given)
    means the latest calendar year with recorded votes."""

    kind: PeriodKind
    start: date | None = None
    end: date | None = None
    session: int | None = None

    @classmethod
    def year(cls, y: int) -> Period:
        return cls("year", date(int(y), 1, 1), date(int(y), 12, 31))

    @classmethod
    def years(cls, y0: int, y1: int) -> Period:
        if int(y1) < int(y0):
            raise ClaimSyntaxError(f"years {y0}-{y1}: the first year must not be after the last")
        if int(y0) == int(y1):
            return cls.year(y0)
        return cls("years", date(int(y0), 1, 1), date(int(y1), 12, 31))

    @classmethod
    def since(cls, d: Any) -> Period:
        return cls("since", _day(d, "start"))

    @classmethod
    def between(cls, d1: Any, d2: Any) -> Period:
        lo, hi = _day(d1, "start"), _day(d2, "end")
        if lo > hi:
            raise ClaimSyntaxError(f"the period {lo} to {hi} ends before it starts")
        return cls("between", lo, hi)

    @classmethod
    def of_session(cls, n: int) -> Period:
        if int(n) < 1:
            raise ClaimSyntaxError(f"session {n}: sessions are numbered from 1")
        return cls("session", session=int(n))

    @classmethod
    def latest(cls) -> Period:
        return cls("latest")

    @property
    def bare(self) -> str:
        """Short label: ``2025``, ``2015-2020``, ``since 2025-01-20``, ``2021-01-20 to
        2025-01-19``, ``session 79``, ``latest year``."""
        if self.kind == "year":
            assert self.start is not None
            return str(self.start.year)
        if self.kind == "years":
            assert self.start is not None and self.end is not None
            return f"{self.start.year}-{self.end.year}"
        if self.kind == "since":
            return f"since {self.start}"
        if self.kind == "between":
            return f"{self.start} to {self.end}"
        if self.kind == "session":
            return f"session {self.session}"
        return "latest year"

    @property
    def text(self) -> str:
        """The period as it is written in a claim (empty for ``latest``)."""
        if self.kind in ("year", "years", "session"):
            return f"in {self.bare}"
        if self.kind == "since":
            return self.bare
        if self.kind == "between":
            return f"from {self.start} to {self.end}"
        return ""

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "start": None if self.start is None else str(self.start),
                "end": None if self.end is None else str(self.end), "session": self.session,
                "label": self.bare}


def _day(value: Any, side: Literal["start", "end"]) -> date:
    try:
        ts = _bound(value, side)
    except AlignmentError as exc:
        raise ClaimSyntaxError(f"cannot read the date {value!r} (expected YYYY-MM-DD, YYYY-MM "
                               "or a year)") from exc
    if ts is None:
        raise ClaimSyntaxError("a date is missing (expected YYYY-MM-DD, YYYY-MM or a year)")
    return ts.date()


_DATE = r"\d{4}(?:-\d{1,2}(?:-\d{1,2})?)?"
_END = r"(?=\s|,|;|$)"
_IN = r"(?:(?:in|during|over)\s+)?"
_PERIOD_FORMS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(pattern + _END, re.IGNORECASE)) for kind, pattern in (
        ("session", _IN + r"(?:the\s+)?(?:(?P<s1>\d+)(?:st|nd|rd|th)\s+(?:ga\s+)?session"
         r"|(?:ga\s+)?session\s+(?P<s2>\d+))"),
        ("since", rf"(?:since|after)\s+(?P<d>{_DATE})"
         rf"(?:\s+(?:until|till|to|through)\s+(?P<d2>{_DATE}))?"),
        ("between", _IN + rf"(?:the\s+period\s+)?between\s+(?P<d1>{_DATE})\s+and\s+"
         rf"(?P<d2>{_DATE})"),
        ("between", _IN + rf"(?:the\s+period\s+)?from\s+(?P<d1>{_DATE})\s+"
         rf"(?:to|until|till|through)\s+(?P<d2>{_DATE})"),
        ("years", _IN + r"(?P<y1>\d{4})\s*(?:-|to)\s*(?P<y2>\d{4})(?![\d-])"),
        ("year", _IN + r"(?P<y>\d{4})(?![\d-])"),
    )
)
_CONNECT = re.compile(r",?\s*(?:(?:than|compared\s+(?:with|to)|versus|vs\.?|against|and|with)"
                      r"\s+)?", re.IGNORECASE)
_PERIOD_HELP = ("expected a year (in 2025), years (in 2015-2020), since 2025-01-20, between "
                "2020-01-01 and 2024-12-31, from 2021-01-20 to 2025-01-19 or in session 79")


def _period_from_match(kind: str, m: re.Match[str]) -> Period:
    g = m.groupdict()
    if kind == "session":
        return Period.of_session(int(g["s1"] or g["s2"]))
    if kind == "since":
        return Period.since(g["d"]) if g["d2"] is None else Period.between(g["d"], g["d2"])
    if kind == "between":
        return Period.between(g["d1"], g["d2"])
    if kind == "years":
        return Period.years(int(g["y1"]), int(g["y2"]))
    return Period.year(int(g["y"]))


def _scan_periods(text: str) -> list[Period]:
    """Every period in ``text``, left to right, joined by connectors (``than``, ``compared
    with``, ``vs``, ``and``); anything else is a :class:`ClaimSyntaxError`."""
    out: list[Period] = []
    pos, text = 0, text.strip()
    while pos < len(text):
        if out:
            c = _CONNECT.match(text, pos)
            if c:
                pos = c.end()
        for kind, rx in _PERIOD_FORMS:
            m = rx.match(text, pos)
            if m:
                out.append(_period_from_match(kind, m))
                pos = m.end()
                while pos < len(text) and text[pos] in " ,;":
                    pos += 1
                break
        else:
            raise ClaimSyntaxError(f"cannot read the period {text[pos:]!r}: {_PERIOD_HELP}")
    return out


def parse_period(text: str) -> Period:
    """One period in the claim syntax (``2025``, ``in 2015-2020``, ``since 2025-01-20``, ...)."""
    got = _scan_periods(str(text))
    if len(got) != 1:
        raise ClaimSyntaxError(f"expected one period in {text!r}, found {len(got)}: "
                               f"{_PERIOD_HELP}")
    return got[0]


# ------------------------------------------------------------------------------------- claims
def _opt(issue: str | None, measure: str | None) -> str:
    parts = []
    if issue:
        parts.append(f"on {issue}")
    if measure:
        parts.append(f"measure {measure}")
    return (" " + " ".join(parts)) if parts else ""


def _join(*parts: str) -> str:
    return " ".join(p for p in parts if p)


@dataclass(frozen=True)
class CloserClaim:
    """``a`` is closer to ``b`` than to ``c`` (``direction=-1``: further from ``b``)."""

    a: str
    b: str
    c: str
    period: Period = field(default_factory=Period.latest)
    issue: str | None = None
    measure: str | None = None
    direction: int = 1
    kind: ClassVar[str] = "closer"

    def __str__(self) -> str:
        rel = "closer to" if self.direction > 0 else "further from"
        than = "than to" if self.direction > 0 else "than from"
        return _join(self.a, rel, self.b, than, self.c, self.period.text) \
            + _opt(self.issue, self.measure)


@dataclass(frozen=True)
class MovedClaim:
    """``a`` moved toward ``b`` (``direction=-1``: away from) in ``after`` compared with
    ``before`` (None: the window of the same length just before), optionally relative to
    ``reference``."""

    a: str
    b: str
    after: Period
    before: Period | None = None
    reference: str | None = None
    issue: str | None = None
    measure: str | None = None
    direction: int = 1
    kind: ClassVar[str] = "moved"

    def __str__(self) -> str:
        verb = "moved toward" if self.direction > 0 else "moved away from"
        before = ""
        if self.before is not None:
            before = self.before.text if self.before.kind == "between" \
                else f"compared with {self.before.bare}"
        rel = f"relative to {self.reference}" if self.reference else ""
        return _join(self.a, verb, self.b, self.after.text, before, rel) \
            + _opt(self.issue, self.measure)


@dataclass(frozen=True)
class CohesionClaim:
    """``bloc`` was more cohesive in ``period`` than in ``than`` (``direction=-1``: less)."""

    bloc: str
    period: Period
    than: Period
    issue: str | None = None
    direction: int = 1
    kind: ClassVar[str] = "cohesion"

    @property
    def measure(self) -> str | None:
        return None

    def __str__(self) -> str:
        word = "more cohesive" if self.direction > 0 else "less cohesive"
        than = self.than.text or self.than.bare
        return _join(self.bloc, word, self.period.text, "than", than) + _opt(self.issue, None)


@dataclass(frozen=True)
class RankingClaim:
    """The ``k`` states closest to ``anchor`` (``direction=-1``: furthest from it)."""

    anchor: str
    k: int = 10
    period: Period = field(default_factory=Period.latest)
    issue: str | None = None
    measure: str | None = None
    direction: int = 1
    kind: ClassVar[str] = "ranking"

    def __str__(self) -> str:
        word = "closest to" if self.direction > 0 else "furthest from"
        return _join(f"top {self.k}", word, self.anchor, self.period.text) \
            + _opt(self.issue, self.measure)


Claim = CloserClaim | MovedClaim | CohesionClaim | RankingClaim


def _claim_dict(claim: Claim) -> dict[str, Any]:
    out: dict[str, Any] = {"kind": claim.kind, "text": str(claim)}
    for f in dataclasses.fields(claim):
        v = getattr(claim, f.name)
        out[f.name] = v.to_dict() if isinstance(v, Period) else v
    return out


# ------------------------------------------------------------------------------------ parsing
_PSTART = r"(?:(?:in|during|since|after|between|from|session|over)\b|\d)"
_STOP = (r"(?=\s+(?:on|about|regarding|measure|using|relative|in|during|since|after|between|"
         r"from|session|over|than|compared|versus|vs)\b|\s+\d|$)")
_RX_MEASURE = re.compile(r"\s+(?:(?:with|by|using)\s+(?:the\s+)?)?measure\s+(?P<m>[\w-]+)"
                         r"|\s+using\s+(?:the\s+)?(?P<m2>[\w-]+)", re.IGNORECASE)
_RX_ISSUE = re.compile(r"\s+(?:on|about|regarding)\s+(?:the\s+)?(?:issue\s+(?:of\s+)?)?"
                       r"(?P<issue>.+?)" + _STOP, re.IGNORECASE)
_RX_RELATIVE = re.compile(r"\s+relative\s+to\s+(?P<ref>.+?)" + _STOP, re.IGNORECASE)
_RX_CLOSER = re.compile(
    r"^(?P<a>.+?)\s+(?:(?:is|was|are|were|has\s+been|have\s+been|stands?|stood|votes?|voted)"
    r"\s+)?(?:(?:much|significantly|clearly)\s+)?(?P<dir>closer|nearer|more\s+aligned|further|"
    r"farther|less\s+aligned)\s+(?:to|with|from)\s+(?P<b>.+?)\s+than\s+(?:(?:to|with|from)\s+)?"
    rf"(?P<c>.+?)(?:\s+(?P<tail>{_PSTART}.*))?$", re.IGNORECASE)
_RX_MOVED = re.compile(
    r"^(?P<a>.+?)\s+(?:(?:has|have|had)\s+)?(?:moved|moves|move|shifted|shifts|shift|drifted|"
    r"drifts|drift|turned|turns|turn)\s+(?P<dir>towards?|closer\s+to|nearer\s+to|away\s+from|"
    rf"further\s+from|farther\s+from)\s+(?P<b>.+?)(?:\s+(?P<tail>{_PSTART}.*))?$",
    re.IGNORECASE)
_RX_COHESION = re.compile(
    r"^(?P<a>.+?)\s+(?:(?:is|was|were|are|has\s+been|have\s+been|became|grew|got)\s+)?"
    r"(?P<dir>more|less)\s+(?:cohesive|united|unified)\s+(?P<tail>.+)$", re.IGNORECASE)
_RX_RANKING = re.compile(
    r"^(?:the\s+)?(?:top\s+)?(?P<k>\d+)?\s*(?:states\s+|countries\s+|members\s+)?"
    r"(?P<dir>closest|nearest|most\s+aligned|furthest|farthest|least\s+aligned)\s+(?:to|with|"
    rf"from)\s+(?P<a>.+?)(?:\s+(?P<tail>{_PSTART}.*))?$", re.IGNORECASE)


def _syntax(text: str, why: str = "") -> ClaimSyntaxError:
    head = f"cannot read the claim {text!r}"
    if why:
        head += f": {why}"
    return ClaimSyntaxError(f"{head}\nexpected one of:\n{FORMS}")


def _clean(text: str) -> str:
    t = str(text).replace("–", "-").replace("—", "-").replace("[", " ").replace("]", " ")
    t = " ".join(t.split()).strip().rstrip("?.!").strip()
    t = re.sub(r"^(?:is|was|are|were|has|have|did|does|do)\s+(?=\S)", "", t, flags=re.I)
    return t


def _take(rx: re.Pattern[str], text: str) -> tuple[re.Match[str] | None, str]:
    """The first match of ``rx`` and the text without it."""
    m = rx.search(text)
    if m is None:
        return None, text
    return m, " ".join((text[: m.start()] + " " + text[m.end():]).split())


def _measure_name(name: str) -> str:
    m = _MEASURE_NAMES.get(str(name).strip().casefold())
    if m is None:
        raise ClaimSyntaxError(f"unknown measure {name!r}; expected one of {', '.join(MEASURES)}",
                               candidates=list(MEASURES))
    return m


def _issue(name: str) -> str:
    try:
        code = issue_code(name)
    except AlignmentError as exc:
        raise ClaimSyntaxError(str(exc), candidates=list(ISSUES)) from None
    assert code is not None
    return code


def _strip_the(token: str) -> str:
    t = token.strip().strip(",;")
    return re.sub(r"^the\s+", "", t, flags=re.IGNORECASE)


def _party(token: str, extra: Mapping[str, Bloc] | None) -> Party:
    t = _strip_the(token)
    if not t:
        raise ClaimSyntaxError("a state or bloc name is missing")
    return resolve_party(t, extra)


def _canon(party: Party) -> str:
    return f"bloc:{party.code}" if party.is_bloc else party.code


def _bloc_party(token: str, extra: Mapping[str, Bloc] | None) -> Party:
    t = _strip_the(token)
    if t.casefold().startswith(("bloc:", "state:")):
        party = resolve_party(t, extra)
    else:
        try:
            party = dataclasses.replace(resolve_party(f"bloc:{t}", extra), token=t)
        except UnknownBlocError as exc:
            err = UnknownBlocError(f"{exc} (cohesion is measured for blocs)")
            err.candidates = list(getattr(exc, "candidates", []))  # type: ignore[attr-defined]
            raise err from None
    if not party.is_bloc:
        raise ClaimError(f"{token!r} is a state; cohesion is measured for blocs")
    return party


def _distinct(parties: Sequence[Party], what: str) -> None:
    keys = [(p.kind, p.code) for p in parties]
    if len(set(keys)) != len(keys):
        raise ClaimError(f"{what} names the same party twice: "
                         f"{', '.join(p.code for p in parties)}")


def parse_claim(text: str | Claim, *,
                blocs_file: str | Path | Mapping[str, Bloc] | None = None) -> Claim:
    """The claim written in ``text`` (forms in the module docstring), names resolved.

    ``blocs_file``: a user bloc file (or a mapping of :class:`~comity.world.blocs.Bloc`) whose blocs
    may be named. Raises :class:`ClaimSyntaxError`, :class:`~comity.errors.UnknownStateError`
    or :class:`~comity.errors.UnknownBlocError` (with ``candidates``).
    """
    if isinstance(text, (CloserClaim, MovedClaim, CohesionClaim, RankingClaim)):
        return text
    raw = str(text)
    extra = _extra_blocs(blocs_file)
    t = _clean(raw)
    if not t:
        raise _syntax(raw, "the claim is empty")
    m_meas, t = _take(_RX_MEASURE, t)
    measure = None if m_meas is None else _measure_name(m_meas.group("m") or m_meas.group("m2"))
    m_iss, t = _take(_RX_ISSUE, t)
    issue = None if m_iss is None else _issue(m_iss.group("issue"))
    m_rel, t = _take(_RX_RELATIVE, t)
    reference = None if m_rel is None else m_rel.group("ref")

    def periods(tail: str | None) -> list[Period]:
        return [] if not tail else _scan_periods(tail)

    def no_reference(kind: str) -> None:
        if reference is not None:
            raise _syntax(raw, f"'relative to' belongs to a moved claim, not a {kind} claim")

    m = _RX_RANKING.match(t)
    if m:
        no_reference("ranking")
        ps = periods(m.group("tail"))
        if len(ps) > 1:
            raise _syntax(raw, "a ranking is about one period")
        k = int(m.group("k") or 10)
        if k < 1:
            raise _syntax(raw, "top K needs K >= 1")
        a = _party(m.group("a"), extra)
        d = -1 if m.group("dir").casefold().split()[0] in ("furthest", "farthest", "least") \
            else 1
        return RankingClaim(anchor=_canon(a), k=k, period=ps[0] if ps else Period.latest(),
                            issue=issue, measure=measure, direction=d)
    m = _RX_CLOSER.match(t)
    if m:
        no_reference("closer")
        ps = periods(m.group("tail"))
        if len(ps) > 1:
            raise _syntax(raw, "a closer claim is about one period")
        pa, pb, pc = (_party(m.group(g), extra) for g in ("a", "b", "c"))
        _distinct([pa, pb, pc], "the claim")
        d = -1 if m.group("dir").casefold().split()[0] in ("further", "farther", "less") else 1
        return CloserClaim(a=_canon(pa), b=_canon(pb), c=_canon(pc),
                           period=ps[0] if ps else Period.latest(), issue=issue,
                           measure=measure, direction=d)
    m = _RX_MOVED.match(t)
    if m:
        ps = periods(m.group("tail"))
        if not ps:
            raise _syntax(raw, "a moved claim needs a period (e.g. since 2025-01-20)")
        if len(ps) > 2:
            raise _syntax(raw, "a moved claim compares two windows at most")
        pa, pb = _party(m.group("a"), extra), _party(m.group("b"), extra)
        parties = [pa, pb]
        ref = None
        if reference is not None:
            pr = _party(reference, extra)
            parties.append(pr)
            ref = _canon(pr)
        _distinct(parties, "the claim")
        d = -1 if m.group("dir").casefold().split()[0] in ("away", "further", "farther") else 1
        before = ps[1] if len(ps) > 1 else None
        _check_order(ps[0], before)
        return MovedClaim(a=_canon(pa), b=_canon(pb), after=ps[0], before=before,
                          reference=ref, issue=issue, measure=measure, direction=d)
    m = _RX_COHESION.match(t)
    if m:
        no_reference("cohesion")
        if measure is not None:
            raise ClaimError("a cohesion claim uses the Hix–Noury–Roland agreement index; "
                             "'measure' does not apply")
        ps = periods(m.group("tail"))
        if len(ps) != 2:
            raise _syntax(raw, "a cohesion claim compares two periods: "
                          "'more cohesive in 2024 than in 2014'")
        bloc = _bloc_party(m.group("a"), extra)
        return CohesionClaim(bloc=_canon(bloc), period=ps[0], than=ps[1], issue=issue,
                             direction=-1 if m.group("dir").casefold() == "less" else 1)
    raise _syntax(raw)


def _check_order(after: Period, before: Period | None) -> None:
    if before is None or after.start is None or before.end is None:
        return
    if before.end >= after.start:
        raise ClaimError(f"the window compared with ({before.bare}) must end before the claim "
                         f"window ({after.bare}) starts")


# ------------------------------------------------------------------------------------ context
@dataclass(frozen=True)
class _Window:
    role: str
    label: str
    start: pd.Timestamp | None
    end: pd.Timestamp | None
    session: int | None = None


class _Ctx:
    """The data a claim is evaluated on: a store (opened once) or an in-memory panel."""

    def __init__(self, store: Any, panel: Panel | None, body: str, issue: str | None,
                 extra: dict[str, Bloc] | None) -> None:
        self.panel = panel
        self.body = _body(body)
        self.issue = issue
        self.extra = extra
        self.store: Any = None
        self.owned = False
        if panel is None:
            self.store, self.owned = _open(store)
        self._last: pd.Timestamp | None = None
        self._have_last = False

    def close(self) -> None:
        if self.owned and self.store is not None:
            self.store.close()

    def load(self, rows: Sequence[str] | None, win: _Window, strict: bool = False) -> Panel:
        q = _query(body=self.body, start=win.start, end=win.end, session=win.session,
                   issue=self.issue, important=None, search=None, strict=strict)
        return _load(self.store, self.panel, None if rows is None else list(rows), q)

    def last_date(self) -> pd.Timestamp | None:
        """The date of the last recorded vote of the body (any issue)."""
        if self._have_last:
            return self._last
        if self.panel is not None:
            res = self.panel.resolutions
            if self.body != "BOTH" and "body" in res.columns:
                res = res[res["body"].astype(str).str.upper() == self.body]
            d = pd.to_datetime(res["date"]).max() if len(res) else None
        else:
            where = "adoption = 'recorded'" + ("" if self.body == "BOTH"
                                               else f" AND body = '{self.body}'")
            got = self.store.query(f"SELECT max(date) AS d FROM resolutions WHERE {where}")
            d = got["d"].iloc[0] if len(got) else None
        last = None if d is None or pd.isna(d) else pd.Timestamp(d).normalize()
        self._last, self._have_last = last, True
        return last


def _window(period: Period, ctx: _Ctx, role: str) -> _Window:
    if period.kind == "session":
        return _Window(role, period.bare, None, None, period.session)
    if period.kind == "latest":
        last = ctx.last_date()
        if last is None:
            raise ClaimError("the store holds no recorded votes")
        y = last.year
        return _Window(role, str(y), pd.Timestamp(y, 1, 1), pd.Timestamp(y, 12, 31))
    assert period.start is not None
    start = pd.Timestamp(period.start)
    if period.kind == "since":
        last = ctx.last_date()
        end = start if last is None or last < start else last
        return _Window(role, period.bare, start, end)
    assert period.end is not None
    return _Window(role, period.bare, start, pd.Timestamp(period.end))


def _window_before(period: Period, after: _Window, ctx: _Ctx) -> _Window:
    """The window of the same length just before ``after`` (module docstring)."""
    if period.kind == "session":
        assert period.session is not None
        if period.session <= 1:
            raise ClaimError("there is no session before session 1; give the window to compare "
                             "with (from D1 to D2)")
        return _Window("before", f"session {period.session - 1}", None, None,
                       period.session - 1)
    assert after.start is not None and after.end is not None
    if period.kind in ("year", "years", "latest"):
        n = after.end.year - after.start.year + 1
        y0, y1 = after.start.year - n, after.start.year - 1
        label = str(y0) if n == 1 else f"{y0}-{y1}"
        return _Window("before", label, pd.Timestamp(y0, 1, 1), pd.Timestamp(y1, 12, 31))
    days = (after.end - after.start).days + 1
    end = after.start - pd.Timedelta(days=1)
    start = after.start - pd.Timedelta(days=days)
    return _Window("before", f"{start.date()} to {end.date()}", start, end)


def _rows(parties: Sequence[Party]) -> list[str]:
    rows: list[str] = []
    for p in parties:
        codes = p.bloc.ever_members() if p.bloc is not None else [p.code]
        rows.extend(c for c in codes if c not in rows)
    return rows


# --------------------------------------------------------------------------------- positions
@dataclass(frozen=True)
class _Side:
    """One party's row for one comparison: vote codes, ties and (blocs) members' Y/A/N."""

    party: Party
    codes: np.ndarray
    tied: np.ndarray
    split: np.ndarray | None  # (3, R) counts of Y, A, N among members


def _side(p: Panel, party: Party, other: Party | None) -> _Side:
    if not party.is_bloc:
        return _Side(party, p.votes[p.states.index(party.code)],
                     np.zeros(p.n_resolutions, dtype=bool), None)
    assert party.bloc is not None
    excl: set[str] = set()
    if other is not None and not other.is_bloc:
        excl = _self_codes(other.code, False) & set(party.bloc.ever_members())
    v, mem, _ = _member_block(p, party.bloc, excl)
    codes, tied = bloc_position(v, mem)
    split = np.stack([((v == k) & mem).sum(axis=0) for k in (YES, ABSTAIN, NO)])
    return _Side(party, codes, tied, split)


_VOTE_LABELS = np.array(["-", "Y", "A", "N", "X"], dtype=object)


def _labels(side: _Side, cols: np.ndarray) -> np.ndarray:
    pos = _positions(side.codes[cols]).astype(np.int64)
    out = _VOTE_LABELS[pos + 1]
    out[side.tied[cols]] = "tie"
    return out


def _split_text(side: _Side, cols: np.ndarray) -> np.ndarray | None:
    if side.split is None:
        return None
    s = side.split[:, cols].astype(np.int64)
    return pd.Series(s[0]).astype(str).str.cat([pd.Series(s[1]).astype(str),
                                                pd.Series(s[2]).astype(str)], sep="-")\
        .to_numpy(dtype=object)


# ---------------------------------------------------------------------------- paired engine
@dataclass(frozen=True)
class _Win:
    """One window of a paired comparison: pairs of sides and their cell codes."""

    window: _Window
    panel: Panel
    pairs: tuple[tuple[_Side, _Side], ...]
    cd: np.ndarray  # (P, R) cell codes where every side of every pair voted Y/A/N
    cc: np.ndarray  # (P, R) the same where every side voted Y or N (coincidence)

    @classmethod
    def build(cls, window: _Window, panel: Panel, pairs: Sequence[tuple[_Side, _Side]]) -> _Win:
        r = panel.n_resolutions
        if not pairs or r == 0:
            z = np.full((len(pairs), r), -1, dtype=np.int8)
            return cls(window, panel, tuple(pairs), z, z.copy())
        pos = np.stack([_positions(s.codes) for pair in pairs for s in pair])  # (2P, R)
        ok = ((pos >= 0) & (pos < 3)).all(axis=0)
        ok_c = ok & (pos != 1).all(axis=0)
        a, b = pos[0::2].astype(np.int16), pos[1::2].astype(np.int16)
        cell = 3 * a + b
        cd = np.where(ok[None, :], cell, -1).astype(np.int8)
        cc = np.where(ok_c[None, :], cell, -1).astype(np.int8)
        return cls(window, panel, tuple(pairs), cd, cc)

    def keep(self, mask: np.ndarray) -> _Win:
        def cut(s: _Side) -> _Side:
            return dataclasses.replace(s, codes=s.codes[mask], tied=s.tied[mask],
                                       split=None if s.split is None else s.split[:, mask])

        pairs = tuple((cut(a), cut(b)) for a, b in self.pairs)
        return _Win(self.window, self.panel.select_resolutions(mask), pairs,
                    self.cd[:, mask], self.cc[:, mask])

    @property
    def n_pairs(self) -> int:
        return self.cd.shape[0]


def _values(td: np.ndarray, tc: np.ndarray, min_votes: int) -> tuple[np.ndarray, np.ndarray]:
    """(N, 9) tables for the distance measures and for coincidence -> values and n, (N, 5)."""
    v1, n1 = _compute(td.reshape(-1, 3, 3), _DIST_MS, _DIST, min_votes)
    v2, n2 = _compute(tc.reshape(-1, 3, 3), ("coincidence",), _DIST, min_votes)
    return np.concatenate([v1, v2], axis=1), np.concatenate([n1, n2], axis=1)


@dataclass
class _Est:
    effect: np.ndarray  # (5,)
    lo: np.ndarray
    hi: np.ndarray
    values: list[np.ndarray]  # per window (P, 5)
    vlo: list[np.ndarray]
    vhi: list[np.ndarray]
    ns: list[np.ndarray]  # per window (P, 5)


def _estimate(wins: Sequence[_Win], coef: np.ndarray, bootstrap: int, seed: int | None,
              ci: float, min_votes: int) -> _Est:
    """Effect ``sum coef[w, p] * m(pair p in window w)`` for all five measures, with a paired
    bootstrap inside each window (one generator, windows in order)."""
    rng = np.random.default_rng(seed) if bootstrap else None
    effect = np.zeros(len(MEASURES))
    draws = np.zeros((int(bootstrap), len(MEASURES))) if bootstrap else None
    values, vlo, vhi, ns = [], [], [], []
    for w, win in enumerate(wins):
        n_p = win.n_pairs
        oh = _onehot9(np.concatenate([win.cd, win.cc]))  # (R, 2P*9)
        t = oh.sum(axis=0, dtype=np.float64).reshape(2 * n_p, 9)
        v, n = _values(t[:n_p], t[n_p:], min_votes)
        values.append(v)
        ns.append(n)
        effect = effect + coef[w, :n_p] @ v
        lo_w = np.full_like(v, np.nan)
        hi_w = np.full_like(v, np.nan)
        if rng is not None and draws is not None:
            wts = _resample_weights(rng, int(bootstrap), win.panel.n_resolutions)
            bt = (wts @ oh).reshape(int(bootstrap), 2 * n_p, 9)
            bv, _ = _values(bt[:, :n_p].reshape(-1, 9), bt[:, n_p:].reshape(-1, 9), min_votes)
            bv = bv.reshape(int(bootstrap), n_p, len(MEASURES))
            draws = draws + np.einsum("p,bpm->bm", coef[w, :n_p], bv)
            lo_f, hi_f = _percentile_interval(bv.reshape(int(bootstrap), -1), ci)
            fin = np.isfinite(v)
            lo_w = np.where(fin, lo_f.reshape(n_p, -1), np.nan)
            hi_w = np.where(fin, hi_f.reshape(n_p, -1), np.nan)
        vlo.append(lo_w)
        vhi.append(hi_w)
    lo = np.full(len(MEASURES), np.nan)
    hi = np.full(len(MEASURES), np.nan)
    if draws is not None:
        lo, hi = _percentile_interval(draws, ci)
        fin = np.isfinite(effect)
        lo, hi = np.where(fin, lo, np.nan), np.where(fin, hi, np.nan)
    return _Est(effect, lo, hi, values, vlo, vhi, ns)


def _contributions(wins: Sequence[_Win], coef: np.ndarray, k: int
                   ) -> list[tuple[np.ndarray, np.ndarray]]:
    """Per window, ``effect - effect without resolution r`` for measure index ``k`` and the
    mask of resolutions that enter a table of that measure (NaN where the resolution enters
    none, or where the measure is undefined without it)."""
    out = []
    for w, win in enumerate(wins):
        n_p = win.n_pairs
        codes = win.cc if MEASURES[k] == "coincidence" else win.cd
        oh = _onehot9(codes).astype(np.float64).reshape(-1, n_p, 9)  # (R, P, 9)
        t = oh.sum(axis=0)
        full = _values(t, t, 0)[0][:, k]  # (P,)
        minus = t[None] - oh  # (R, P, 9)
        vm = _values(minus.reshape(-1, 9), minus.reshape(-1, 9), 0)[0][:, k]\
            .reshape(-1, n_p)
        contrib = (full[None, :] - vm) @ coef[w, :n_p]
        used = (codes >= 0).any(axis=0)
        out.append((np.where(used, contrib, np.nan), used))
    return out


def _point(wins: Sequence[_Win], coef: np.ndarray, k: int) -> float:
    """The effect for measure index ``k`` without the ``min_votes`` rule (its sign ranks the
    evidence)."""
    total = 0.0
    for w, win in enumerate(wins):
        n_p = win.n_pairs
        t = _onehot9(np.concatenate([win.cd, win.cc])).sum(axis=0, dtype=np.float64)\
            .reshape(2 * n_p, 9)
        total += float(coef[w, :n_p] @ _values(t[:n_p], t[n_p:], 0)[0][:, k])
    return total


def _verdict(effect: float, lo: float, hi: float, direction: int, n_min: int,
             min_votes: int) -> str:
    if n_min < max(int(min_votes), 1):
        return "insufficient data"
    if not (np.isfinite(effect) and np.isfinite(lo) and np.isfinite(hi)):
        return "inconclusive"
    if direction * lo > 0 and direction * hi > 0:
        return "supported"
    if direction * lo < 0 and direction * hi < 0:
        return "contradicted"
    return "inconclusive"


@dataclass(frozen=True)
class _Opts:
    bootstrap: int
    seed: int | None
    ci: float
    min_votes: int
    top_evidence: int | None


def _measure_table(est: _Est, direction: int, opts: _Opts) -> dict[str, dict[str, Any]]:
    out = {}
    for j, m in enumerate(MEASURES):
        n_min = int(min(int(n[:, j].min()) for n in est.ns)) if est.ns else 0
        n_tot = int(sum(int(n[:, j].max()) for n in est.ns))
        out[m] = {"effect": _f(est.effect[j]), "lo": _f(est.lo[j]), "hi": _f(est.hi[j]),
                  "n": n_tot, "verdict": _verdict(est.effect[j], est.lo[j], est.hi[j],
                                                  direction, n_min, opts.min_votes)}
    return out


def _f(x: Any) -> float | None:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return v if np.isfinite(v) else None


def _rank_order(contrib: np.ndarray, effect: float, dates: np.ndarray) -> np.ndarray:
    """Row order: most decisive in the direction of ``effect`` first (ties: the later vote
    first; undefined contributions last)."""
    idx = np.arange(len(contrib))
    s = np.sign(effect) if np.isfinite(effect) else 0.0
    key = contrib * s if s != 0 else np.abs(contrib)
    key = np.where(np.isfinite(key), key, -np.inf)  # undefined contributions last
    d = dates.astype("datetime64[D]").astype(np.int64)
    return np.lexsort((idx, -d, -key))


def _meta(p: Panel, cols: np.ndarray) -> pd.DataFrame:
    res = p.resolutions.iloc[cols].reset_index(drop=True)
    out = pd.DataFrame({
        "rid": res["rid"].astype(str) if "rid" in res.columns else pd.Series([None] * len(cols)),
        "symbol": res["symbol"] if "symbol" in res.columns else None,
        "date": pd.to_datetime(res["date"]) if "date" in res.columns else pd.NaT,
        "title": res["title"] if "title" in res.columns else None,
    })
    return out


def record_link(symbol: Any, link: Any = None) -> str | None:
    """The official record of a resolution: ``link`` where the store has one, else a UN Digital
    Library search for the quoted symbol (:data:`UNDL_SEARCH`), else None."""
    if isinstance(link, str) and link.strip():
        return link.strip()
    if isinstance(symbol, str) and symbol.strip():
        return UNDL_SEARCH.format(query=quote_plus(f'"{symbol.strip()}"'))
    return None


def _tail(p: Panel, cols: np.ndarray) -> dict[str, Any]:
    res = p.resolutions.iloc[cols].reset_index(drop=True)
    issues = res["issues"] if "issues" in res.columns else pd.Series([[]] * len(cols))
    iss = issues.map(lambda v: " ".join(map(str, v)) if isinstance(v, (list, tuple, np.ndarray))
                     else ("" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v)))
    out: dict[str, Any] = {"issues": iss.to_numpy(dtype=object)}
    for c in ("yes", "no", "abstain"):
        out[c] = pd.to_numeric(res[c], errors="coerce").astype("Int64") if c in res.columns \
            else pd.array([pd.NA] * len(cols), dtype="Int64")
    out["link"] = res["link"].to_numpy(dtype=object) if "link" in res.columns \
        else np.full(len(cols), None, dtype=object)
    return out


def _with_links(ev: pd.DataFrame, limit: int | None) -> pd.DataFrame:
    """The first ``limit`` evidence rows, ``link`` completed by :func:`record_link`."""
    out = (ev if limit is None else ev.head(limit)).copy()
    if len(out) and "link" in out.columns:
        out["link"] = [record_link(sy, lk) for sy, lk in
                       zip(out["symbol"].tolist(), out["link"].tolist(), strict=True)]
    return out


def _sided(a_b: np.ndarray, a_c: np.ndarray) -> np.ndarray:
    return np.select([a_b & a_c, a_b & ~a_c, ~a_b & a_c], ["all agree", "with B", "with C"],
                     default="apart").astype(object)


def _four_counts(a_b: np.ndarray, a_c: np.ndarray) -> dict[str, int]:
    return {"n": len(a_b), "with_b_against_c": int((a_b & ~a_c).sum()),
            "with_c_against_b": int((~a_b & a_c).sum()), "all_agree": int((a_b & a_c).sum()),
            "apart": int((~a_b & ~a_c).sum())}


def _pair_evidence(wins: Sequence[_Win], contrib: list[tuple[np.ndarray, np.ndarray]],
                   effect: float, limit: int | None, letters: Sequence[str]) -> pd.DataFrame:
    """Evidence rows for the paired kinds (closer, moved), ranked over all windows."""
    parts = []
    for win, (con, used) in zip(wins, contrib, strict=True):
        cols = np.flatnonzero(used)
        df = _meta(win.panel, cols)
        df.insert(0, "window", win.window.role)
        first = win.pairs[0]
        df["vote_a"] = _labels(first[0], cols)
        df["vote_b"] = _labels(first[1], cols)
        if len(win.pairs) > 1:
            df["vote_c"] = _labels(win.pairs[1][1], cols)
        for letter, side in zip(letters, _distinct_sides(win), strict=False):
            sp = _split_text(side, cols)
            if sp is not None:
                df[f"split_{letter}"] = sp
        same_ab = _same(win.pairs[0], cols)
        if len(win.pairs) > 1:
            df["sided"] = _sided(same_ab, _same(win.pairs[1], cols))
        else:
            df["sided"] = np.where(same_ab, "same", "different").astype(object)
        df["contribution"] = con[cols]
        for name, v in _tail(win.panel, cols).items():
            df[name] = v
        parts.append(df)
    ev = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    if ev.empty:
        return _empty_evidence()
    order = _rank_order(ev["contribution"].to_numpy(dtype=float), effect,
                        ev["date"].to_numpy(dtype="datetime64[ns]"))
    if limit is not None:
        order = order[:limit]
    ev = ev.iloc[order].reset_index(drop=True)
    ev.insert(0, "rank", np.arange(1, len(ev) + 1))
    return ev


def _distinct_sides(win: _Win) -> list[_Side]:
    """A, B[, C] of a paired window (A as compared with B)."""
    sides = [win.pairs[0][0], win.pairs[0][1]]
    if len(win.pairs) > 1:
        sides.append(win.pairs[1][1])
    return sides


def _same(pair: tuple[_Side, _Side], cols: np.ndarray) -> np.ndarray:
    return _positions(pair[0].codes[cols]) == _positions(pair[1].codes[cols])


def _empty_evidence() -> pd.DataFrame:
    return pd.DataFrame(columns=["rank", "window", "rid", "symbol", "date", "title",
                                 "contribution", "issues", "yes", "no", "abstain", "link"])


def _gone(p: Panel, removed: pd.DataFrame, role: str) -> np.ndarray:
    """Mask of the panel's resolutions listed in ``removed`` for window ``role``."""
    rid = p.resolutions["rid"].astype(str).to_numpy()
    drop = removed.loc[removed["window"] == role, "rid"].astype(str).to_numpy()
    return np.isin(rid, drop)


def _top_removed(ev: pd.DataFrame, effect: float) -> pd.DataFrame:
    """The (at most five) top evidence rows that push the effect in its direction (any
    direction when the effect is zero); none when no resolution moves it."""
    if ev.empty:
        return ev
    con = ev["contribution"].to_numpy(dtype=float)
    s = np.sign(effect) if np.isfinite(effect) else 0.0
    push = con * s > 0 if s != 0 else np.abs(con) > 0
    return ev[np.nan_to_num(push, nan=0.0).astype(bool)].head(_TOP_REMOVED)


# ------------------------------------------------------------------------------------ result
@dataclass(frozen=True, eq=False)
class ClaimResult:
    """The answer to a claim.

    ``effect``/``lo``/``hi``/``n`` are for ``measure``; ``period`` holds the windows actually
    used (``{"start", "end", "windows": [{"role", "label", "start", "end", "session",
    "first_vote", "last_vote", "resolutions", "n"}]}``); ``components`` the measures the effect
    is made of, each with its own interval; ``evidence``, ``counts`` and ``robustness`` as in
    the module docstring; ``query`` the options used.
    """

    claim: Claim
    verdict: str
    effect: float
    lo: float
    hi: float
    n: int
    measure: str
    period: Mapping[str, Any]
    evidence: pd.DataFrame
    counts: Mapping[str, Any]
    robustness: Mapping[str, Any]
    parties: tuple[Party, ...] = ()
    components: tuple[Mapping[str, Any], ...] = ()
    query: Mapping[str, Any] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    _source: Mapping[str, Any] = field(default_factory=dict, repr=False)

    # -- names -----------------------------------------------------------------------------
    def _name(self, token: str | None, full: bool = False) -> str:
        """A party's name (``full``: with its code, for a state)."""
        if token is None:
            return ""
        for p in self.parties:
            if _canon(p) == token:
                return f"{p.name} ({p.code})" if full and not p.is_bloc and p.name != p.code \
                    else p.name
        return token

    def sentence(self) -> str:
        """The claim in words, with names and the windows actually used."""
        c = self.claim
        wins = {w["role"]: w["label"] for w in self.period.get("windows", [])}
        n = self._name
        if isinstance(c, CloserClaim):
            rel = ("closer to", "than to") if c.direction > 0 else ("further from", "than from")
            text = (f"{n(c.a, True)} {rel[0]} {n(c.b, True)} {rel[1]} {n(c.c, True)} "
                    f"{_when(wins.get('claim', ''))}")
        elif isinstance(c, MovedClaim):
            verb = "moved toward" if c.direction > 0 else "moved away from"
            text = f"{n(c.a, True)} {verb} {n(c.b, True)}"
            if c.reference:
                text += f" relative to {n(c.reference, True)}"
            text += (f" {_when(wins.get('after', ''))} (compared with "
                     f"{wins.get('before', '')})")
        elif isinstance(c, CohesionClaim):
            word = "more" if c.direction > 0 else "less"
            text = (f"{n(c.bloc)} {word} cohesive {_when(wins.get('claim', ''))} than "
                    f"{_when(wins.get('than', ''))}")
        else:
            word = "closest to" if c.direction > 0 else "furthest from"
            text = f"top {c.k} states {word} {n(c.anchor, True)} {_when(wins.get('claim', ''))}"
        if c.issue:
            text += f", on {ISSUES.get(c.issue, c.issue)}"
        return " ".join(text.split())

    # -- output ----------------------------------------------------------------------------
    def to_frame(self) -> pd.DataFrame:
        """Closer/moved/cohesion: one row per measure (``measure, chosen, effect, lo, hi, n,
        verdict``) plus a row ``without top 5``; ranking: the ranking table."""
        if isinstance(self.claim, RankingClaim):
            return self.evidence.copy()
        rows = [{"measure": m, "chosen": m == self.measure, **v}
                for m, v in self.robustness.get("measures", {}).items()]
        wo = self.robustness.get("without_top5")
        if wo:
            rows.append({"measure": f"{self.measure} without top {len(wo['removed'])}",
                         "chosen": False, **{k: wo[k] for k in ("effect", "lo", "hi", "n",
                                                                "verdict")}})
        out = pd.DataFrame(rows, columns=["measure", "chosen", "effect", "lo", "hi", "n",
                                          "verdict"])
        for c in ("effect", "lo", "hi"):
            out[c] = out[c].astype(float)
        return out

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe (keys documented in :mod:`comity.cli.claims`)."""
        return _jsonable({
            "claim": _claim_dict(self.claim), "sentence": self.sentence(),
            "verdict": self.verdict, "effect": self.effect, "lo": self.lo, "hi": self.hi,
            "ci": self.query.get("ci"), "n": self.n, "measure": self.measure,
            "period": dict(self.period), "parties": [p.describe() for p in self.parties],
            "components": [dict(c) for c in self.components], "counts": dict(self.counts),
            "robustness": dict(self.robustness), "evidence": _records(self.evidence),
            "query": dict(self.query), "notes": list(self.notes),
        })

    def summary(self) -> str:
        """A few lines of plain text: the claim, the verdict, the effect with its interval, n,
        the period and the measure."""
        return _summary(self)

    def plot(self, path: str | Path | None = None, ax: Axes | None = None) -> Figure:
        """The alignment series (cohesion: the bloc's cohesion) by year around the claim
        period, with bootstrap bands, the claim windows shaded; ranking: the top K with their
        intervals. ``path``: write the figure (.png, .svg or .pdf)."""
        return plotter("plot_claim")(self, _plot_series(self), path=path, ax=ax)


def _when(label: str) -> str:
    """A window label as words: ``in 2025``, ``since 2025-01-20``, ``from D1 to D2``."""
    if not label or label.startswith("since"):
        return label
    if label.startswith("session"):
        return f"in {label}"
    if " to " in label:
        return f"from {label}"
    return f"in {label}"


def _jsonable(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return _jsonable(obj.tolist())
    if isinstance(obj, np.generic):
        return _jsonable(obj.item())
    if isinstance(obj, float):
        return obj if np.isfinite(obj) else None
    if isinstance(obj, pd.Timestamp):
        return None if pd.isna(obj) else obj.date().isoformat()
    if isinstance(obj, date):
        return obj.isoformat()
    if obj is pd.NA or obj is pd.NaT:
        return None
    return obj


def _iso(ts: Any) -> str | None:
    if ts is None or (not isinstance(ts, str) and pd.isna(ts)):
        return None
    return pd.Timestamp(ts).date().isoformat()


def _window_info(win: _Window, p: Panel, n: int) -> dict[str, Any]:
    d = pd.to_datetime(p.resolutions["date"]) if p.n_resolutions else pd.Series([], dtype="M8[ns]")
    first = d.min() if len(d) else None
    last = d.max() if len(d) else None
    start = win.start if win.start is not None else first
    end = win.end if win.end is not None else last
    pred = (int(p.resolutions["issues_predicted"].fillna(False).astype(bool).sum())
            if "issues_predicted" in p.resolutions.columns else 0)
    return {"role": win.role, "label": win.label, "start": _iso(start), "end": _iso(end),
            "session": win.session, "first_vote": _iso(first), "last_vote": _iso(last),
            "resolutions": int(p.n_resolutions), "n": int(n), "issues_predicted": pred}


def _period_info(infos: list[dict[str, Any]]) -> dict[str, Any]:
    starts = [w["start"] for w in infos if w["start"]]
    ends = [w["end"] for w in infos if w["end"]]
    return {"start": min(starts) if starts else None, "end": max(ends) if ends else None,
            "windows": infos}


# ------------------------------------------------------------------------------- evaluation
def evaluate(
    claim_or_text: Claim | str,
    *,
    store: Store | str | Path | None = None,
    panel: Panel | None = None,
    measure: str | None = None,
    bootstrap: int = 2000,
    seed: int | None = 0,
    min_votes: int = 10,
    body: str = "GA",
    blocs_file: str | Path | Mapping[str, Bloc] | None = None,
    top_evidence: int | None = 20,
    ci: float = 0.95,
) -> ClaimResult:
    """Evaluate a claim (text or dataclass): verdict, effect with bootstrap interval, evidence.

    ``store``: a :class:`~comity.store.db.Store`, a path or None (the default store, read-only);
    ``panel``: a ready-made :class:`~comity.store.panel.Panel` instead of a store (hand-made data,
    tests). ``measure``: overrides the claim's own ``measure`` clause (default: the clause,
    else ``agreement``). ``bootstrap``: draws (0: no interval, so no verdict beyond
    inconclusive); ``seed``: of ``numpy.random.default_rng`` (the default 0 makes verdicts
    reproducible); ``min_votes``: fewer shared votes on any side -> ``insufficient data``;
    ``body``: ``GA``, ``SC`` or ``both``; ``blocs_file``: user blocs;
    ``top_evidence``: evidence rows kept (None: all). Rules in the module docstring.
    """
    _check_options(bootstrap, ci, min_votes)
    extra = _extra_blocs(blocs_file)
    if not isinstance(claim_or_text, (str, CloserClaim, MovedClaim, CohesionClaim,
                                      RankingClaim)):
        raise ClaimError(f"not a claim: {claim_or_text!r}")
    claim = parse_claim(claim_or_text, blocs_file=extra)
    if isinstance(claim, CohesionClaim):
        if measure is not None and str(measure).casefold() not in ("cohesion", "hnr"):
            raise ClaimError("a cohesion claim uses the Hix–Noury–Roland agreement index; "
                             f"measure {measure!r} does not apply")
        m = "cohesion"
    else:
        m = _measure_name(measure or claim.measure or "agreement")
    if top_evidence is not None and int(top_evidence) < 0:
        raise ClaimError(f"top_evidence must be >= 0 or None, got {top_evidence!r}")
    opts = _Opts(int(bootstrap), seed, float(ci), int(min_votes),
                 None if top_evidence is None else int(top_evidence))
    ctx = _Ctx(store, panel, body, claim.issue, extra)
    source = {"store": store, "panel": panel, "extra": extra, "body": ctx.body}
    try:
        with _one_blas_thread():
            if isinstance(claim, CloserClaim):
                out = _eval_closer(claim, ctx, m, opts)
            elif isinstance(claim, MovedClaim):
                out = _eval_moved(claim, ctx, m, opts)
            elif isinstance(claim, CohesionClaim):
                out = _eval_cohesion(claim, ctx, opts)
            else:
                out = _eval_ranking(claim, ctx, m, opts)
    finally:
        ctx.close()
    notes = list(out.notes)
    for w in out.period.get("windows", []):
        if w["resolutions"] == 0:
            text = f"no recorded {ctx.body} votes in the {w['role']} window ({w['label']})"
            if claim.issue:
                text += (f" with issue {claim.issue}: Voeten's issue codes stop before the "
                         "newest sessions; `comity issues predict` codes the later ones")
            notes.append(text)
    if claim.issue:
        n_pred = sum(int(w.get("issues_predicted", 0)) for w in out.period.get("windows", []))
        if n_pred:
            notes.append(f"the issue codes of {n_pred} of these votes are predicted by comity's "
                         "classifier (Voeten has not coded them; `comity issues report` gives "
                         "its held-out F1)")
    query = {"measure": m, "bootstrap": opts.bootstrap, "seed": seed, "ci": opts.ci,
             "min_votes": opts.min_votes, "body": ctx.body if ctx.body != "BOTH" else "both",
             "issue": claim.issue, "top_evidence": opts.top_evidence,
             "blocs_file": None if blocs_file is None or isinstance(blocs_file, Mapping)
             else str(blocs_file)}
    return dataclasses.replace(out, query=query, notes=tuple(notes), _source=source)


def _resolve(token: str, extra: Mapping[str, Bloc] | None) -> Party:
    return resolve_party(token, extra)


def _paired_result(claim: Claim, parties: tuple[Party, ...], wins: list[_Win],
                   coef: np.ndarray, m: str, opts: _Opts, direction: int,
                   labels: list[tuple[str, str]], counts: dict[str, Any],
                   letters: Sequence[str]) -> ClaimResult:
    k = MEASURES.index(m)
    est = _estimate(wins, coef, opts.bootstrap, opts.seed, opts.ci, opts.min_votes)
    table = _measure_table(est, direction, opts)
    contrib = _contributions(wins, coef, k)
    eff0 = _point(wins, coef, k)
    ev_all = _pair_evidence(wins, contrib, eff0, None, letters)
    evidence = _with_links(ev_all, opts.top_evidence)
    removed = _top_removed(ev_all, eff0)
    without: dict[str, Any] | None = None
    if len(removed):
        kept = []
        for win in wins:
            gone = _gone(win.panel, removed, win.window.role)
            kept.append(win.keep(~gone))
        est2 = _estimate(kept, coef, opts.bootstrap, opts.seed, opts.ci, opts.min_votes)
        t2 = _measure_table(est2, direction, opts)[m]
        without = {"removed": removed["symbol"].where(removed["symbol"].notna(),
                                                      removed["rid"]).tolist(), **t2}
    main = table[m]
    verdicts = [v["verdict"] for v in table.values()]
    if without:
        verdicts.append(without["verdict"])
    robustness = {"measures": table, "without_top5": without,
                  "stable": all(v == main["verdict"] for v in verdicts)}
    components = []
    for w, win in enumerate(wins):
        for p_i in range(win.n_pairs):
            components.append({
                "window": win.window.role, "label": labels[p_i][0],
                "pair": labels[p_i][1], "value": _f(est.values[w][p_i, k]),
                "lo": _f(est.vlo[w][p_i, k]), "hi": _f(est.vhi[w][p_i, k]),
                "n": int(est.ns[w][p_i, k])})
    infos = [_window_info(win.window, win.panel, int(est.ns[w][:, k].max()))
             for w, win in enumerate(wins)]
    notes = []
    if opts.bootstrap == 0:
        notes.append("no bootstrap (bootstrap=0): no interval, so no verdict beyond "
                     "inconclusive")
    if main["verdict"] == "inconclusive" and main["effect"] is None \
            and main["n"] >= opts.min_votes:
        notes.append(f"{m} is undefined on these votes (e.g. kappa/pi when every vote was the "
                     "same)")
    return ClaimResult(
        claim=claim, verdict=main["verdict"], effect=float(est.effect[k]),
        lo=float(est.lo[k]), hi=float(est.hi[k]), n=int(main["n"]), measure=m,
        period=_period_info(infos), evidence=evidence, counts=counts, robustness=robustness,
        parties=parties, components=tuple(components), notes=tuple(notes))


def _eval_closer(claim: CloserClaim, ctx: _Ctx, m: str, opts: _Opts) -> ClaimResult:
    pa, pb, pc = (_resolve(t, ctx.extra) for t in (claim.a, claim.b, claim.c))
    win = _window(claim.period, ctx, "claim")
    p = ctx.load(_rows([pa, pb, pc]), win)
    pairs = [(_side(p, pa, pb), _side(p, pb, pa)), (_side(p, pa, pc), _side(p, pc, pa))]
    w = _Win.build(win, p, pairs)
    codes = w.cc if m == "coincidence" else w.cd
    cols = np.flatnonzero((codes >= 0).all(axis=0))
    counts = _four_counts(_same(pairs[0], cols), _same(pairs[1], cols))
    labels = [(f"{pa.code}–{pb.code}", "a-b"), (f"{pa.code}–{pc.code}", "a-c")]
    return _paired_result(claim, (pa, pb, pc), [w], np.array([[1.0, -1.0]]), m, opts,
                          claim.direction, labels, counts, "abc")


def _eval_moved(claim: MovedClaim, ctx: _Ctx, m: str, opts: _Opts) -> ClaimResult:
    pa, pb = _resolve(claim.a, ctx.extra), _resolve(claim.b, ctx.extra)
    pc = None if claim.reference is None else _resolve(claim.reference, ctx.extra)
    parties = (pa, pb) if pc is None else (pa, pb, pc)
    after = _window(claim.after, ctx, "after")
    before = _window_before(claim.after, after, ctx) if claim.before is None \
        else _window(claim.before, ctx, "before")
    if before.end is not None and after.start is not None and before.end >= after.start:
        raise ClaimError(f"the window compared with ({before.label}) must end before the claim "
                         f"window ({after.label}) starts")
    rows = _rows(parties)
    wins = []
    counts: dict[str, Any] = {}
    for wdef in (before, after):
        p = ctx.load(rows, wdef)
        pairs = [(_side(p, pa, pb), _side(p, pb, pa))]
        if pc is not None:
            pairs.append((_side(p, pa, pc), _side(p, pc, pa)))
        w = _Win.build(wdef, p, pairs)
        wins.append(w)
        codes = w.cc if m == "coincidence" else w.cd
        cols = np.flatnonzero((codes >= 0).all(axis=0))
        same = _same(pairs[0], cols)
        if pc is None:
            counts[wdef.role] = {"n": len(cols), "same": int(same.sum()),
                                 "different": int((~same).sum())}
        else:
            counts[wdef.role] = _four_counts(same, _same(pairs[1], cols))
    if pc is None:
        coef = np.array([[-1.0], [1.0]])
        labels = [(f"{pa.code}–{pb.code}", "a-b")]
    else:
        coef = np.array([[-1.0, 1.0], [1.0, -1.0]])
        labels = [(f"{pa.code}–{pb.code}", "a-b"), (f"{pa.code}–{pc.code}", "a-c")]
    return _paired_result(claim, parties, wins, coef, m, opts, claim.direction, labels, counts,
                          "abc")


# ---------------------------------------------------------------------------------- cohesion
def _eval_cohesion(claim: CohesionClaim, ctx: _Ctx, opts: _Opts) -> ClaimResult:
    party = _bloc_party(claim.bloc, ctx.extra)
    assert party.bloc is not None
    w1 = _window(claim.period, ctx, "claim")
    w2 = _window(claim.than, ctx, "than")
    data = []
    for wdef in (w1, w2):
        p = ctx.load(party.bloc.ever_members(), wdef)
        v, mem, _ = _member_block(p, party.bloc, set())
        counts = np.stack([((v == k) & mem).sum(axis=0) for k in (YES, ABSTAIN, NO)])
        total = counts.sum(axis=0)
        top = counts.max(axis=0) if p.n_resolutions else np.zeros(0, np.int64)
        with np.errstate(invalid="ignore", divide="ignore"):
            ai = (top - 0.5 * (total - top)) / total
        ok = total >= _MIN_MEMBERS
        codes, tied = bloc_position(v, mem)
        data.append((wdef, p, ai, ok, counts, codes, tied))
    return _cohesion_result(claim, party, data, opts)


def _cohesion_stats(data: list[tuple[Any, ...]], opts: _Opts) -> dict[str, Any]:
    rng = np.random.default_rng(opts.seed) if opts.bootstrap else None
    vals, ns, lows, highs, draws = [], [], [], [], []
    for _, _, ai, ok, *_ in data:
        x = ai[ok].astype(np.float64)
        n = len(x)
        ns.append(n)
        val = float(x.mean()) if n >= max(opts.min_votes, 1) else np.nan
        vals.append(val)
        lo = hi = np.nan
        if rng is not None:
            wts = _resample_weights(rng, opts.bootstrap, n)
            d = (wts @ x.astype(np.float32)).astype(np.float64) / max(n, 1) if n \
                else np.full(opts.bootstrap, np.nan)
            draws.append(d)
            if np.isfinite(val):
                lo_a, hi_a = _percentile_interval(d[:, None], opts.ci)
                lo, hi = float(lo_a[0]), float(hi_a[0])
        lows.append(lo)
        highs.append(hi)
    effect = vals[0] - vals[1]
    lo = hi = np.nan
    if draws and np.isfinite(effect):
        lo_a, hi_a = _percentile_interval((draws[0] - draws[1])[:, None], opts.ci)
        lo, hi = float(lo_a[0]), float(hi_a[0])
    return {"values": vals, "n": ns, "lo": lows, "hi": highs, "effect": effect,
            "effect_lo": lo, "effect_hi": hi}


def _cohesion_result(claim: CohesionClaim, party: Party, data: list[tuple[Any, ...]],
                     opts: _Opts) -> ClaimResult:
    s = _cohesion_stats(data, opts)
    verdict = _verdict(s["effect"], s["effect_lo"], s["effect_hi"], claim.direction,
                       min(s["n"]), opts.min_votes)
    # evidence: leave-one-out contribution of each resolution to the difference
    parts = []
    for i, (wdef, p, ai, ok, counts, codes, tied) in enumerate(data):
        cols = np.flatnonzero(ok)
        n = len(cols)
        x = ai[cols]
        mean = x.mean() if n else np.nan
        with np.errstate(invalid="ignore", divide="ignore"):
            con = (x - mean) / (n - 1) if n > 1 else np.full(n, np.nan)
        con = con if i == 0 else -con
        df = _meta(p, cols)
        df.insert(0, "window", wdef.role)
        side = _Side(party, codes, tied, counts)
        df["position"] = _labels(side, cols)
        df["members_yes"] = counts[0, cols]
        df["members_abstain"] = counts[1, cols]
        df["members_no"] = counts[2, cols]
        df["cohesion"] = x
        df["contribution"] = con
        for name, v in _tail(p, cols).items():
            df[name] = v
        parts.append(df)
    ev = pd.concat(parts, ignore_index=True)
    eff0 = float(np.nanmean(data[0][2][data[0][3]]) - np.nanmean(data[1][2][data[1][3]])) \
        if data[0][3].any() and data[1][3].any() else np.nan
    if len(ev):
        order = _rank_order(ev["contribution"].to_numpy(dtype=float), eff0,
                            ev["date"].to_numpy(dtype="datetime64[ns]"))
        ev = ev.iloc[order].reset_index(drop=True)
        ev.insert(0, "rank", np.arange(1, len(ev) + 1))
    else:
        ev = _empty_evidence()
    removed = _top_removed(ev, eff0)
    without = None
    if len(removed):
        data2 = []
        for wdef, p, ai, ok, counts, codes, tied in data:
            gone = _gone(p, removed, wdef.role)
            data2.append((wdef, p, ai, ok & ~gone, counts, codes, tied))
        s2 = _cohesion_stats(data2, opts)
        without = {"removed": removed["symbol"].where(removed["symbol"].notna(),
                                                      removed["rid"]).tolist(),
                   "effect": _f(s2["effect"]), "lo": _f(s2["effect_lo"]),
                   "hi": _f(s2["effect_hi"]), "n": int(sum(s2["n"])),
                   "verdict": _verdict(s2["effect"], s2["effect_lo"], s2["effect_hi"],
                                       claim.direction, min(s2["n"]), opts.min_votes)}
    main = {"effect": _f(s["effect"]), "lo": _f(s["effect_lo"]), "hi": _f(s["effect_hi"]),
            "n": int(sum(s["n"])), "verdict": verdict}
    robustness = {"measures": {"cohesion": main}, "without_top5": without,
                  "stable": without is None or without["verdict"] == verdict}
    counts_out = {}
    components = []
    infos = []
    for i, (wdef, p, ai, ok, *_rest) in enumerate(data):
        x = ai[ok]
        counts_out[wdef.role] = {"n": int(ok.sum()), "unanimous": int((x >= 1.0 - 1e-12).sum()),
                                 "split": int((x < 1.0 - 1e-12).sum())}
        components.append({"window": wdef.role, "label": f"cohesion {party.code}",
                           "pair": "bloc", "value": _f(s["values"][i]), "lo": _f(s["lo"][i]),
                           "hi": _f(s["hi"][i]), "n": int(s["n"][i])})
        infos.append(_window_info(wdef, p, int(s["n"][i])))
    limit = opts.top_evidence
    return ClaimResult(
        claim=claim, verdict=verdict, effect=float(s["effect"]), lo=float(s["effect_lo"]),
        hi=float(s["effect_hi"]), n=int(sum(s["n"])), measure="cohesion",
        period=_period_info(infos), evidence=_with_links(ev, limit),
        counts=counts_out, robustness=robustness, parties=(party,),
        components=tuple(components))


# ----------------------------------------------------------------------------------- ranking
def _eval_ranking(claim: RankingClaim, ctx: _Ctx, m: str, opts: _Opts) -> ClaimResult:
    anchor = _resolve(claim.anchor, ctx.extra)
    win = _window(claim.period, ctx, "claim")
    base = ctx.load(None, win, strict=True)  # every state as the entity it was
    r = base.n_resolutions
    states = np.array(base.states, dtype=object)
    if anchor.is_bloc:
        assert anchor.bloc is not None
        dates = pd.to_datetime(base.resolutions["date"]).to_numpy() if r \
            else np.zeros(0, "datetime64[ns]")
        mem = anchor.bloc.membership_matrix(list(base.states), dates)  # (S, R)
        v = base.votes
        own = np.stack([(v == k) & mem for k in (YES, ABSTAIN, NO)], axis=1)  # (S, 3, R)
        total = own.sum(axis=0)  # (3, R)
        present = (mem & (v != NONMEMBER))
        cnt = total[None, :, :] - own.astype(np.int64)  # bloc without each state
        top = cnt.max(axis=1)
        n_top = (cnt == top[:, None, :]).sum(axis=1)
        pres = present.sum(axis=0)[None, :] - present.astype(np.int64)
        anchor_codes = np.where(top == 0, np.where(pres > 0, ABSENT, NONMEMBER),
                                np.where(n_top > 1, ABSENT, cnt.argmax(axis=1) + 1))\
            .astype(np.int8)  # (S, R): the anchor as compared with each state
        member = mem.any(axis=1)
        keep = np.ones(len(states), dtype=bool)
    else:
        row = ctx.load([anchor.code], win).votes[0]
        anchor_codes = np.broadcast_to(row, base.votes.shape)
        member = np.zeros(len(states), dtype=bool)
        keep = ~np.isin(states, list(_self_codes(anchor.code, False)))
    pa = _positions(anchor_codes)
    pb = _positions(base.votes)
    ok = (pa >= 0) & (pa < 3) & (pb >= 0) & (pb < 3)
    cell = np.where(ok, 3 * pa.astype(np.int16) + pb, -1)
    tables = (cell[:, :, None] == np.arange(9)).sum(axis=1).astype(np.float64)  # (S, 9)
    vals, ns = _values(tables, tables, opts.min_votes)  # (S, 5)
    k = MEASURES.index(m)

    def top_of(j: int) -> np.ndarray:
        idx = np.flatnonzero(keep & np.isfinite(vals[:, j]))
        key = vals[idx, j] * claim.direction
        order = np.lexsort((states[idx].astype(str), -ns[idx, j], -key))
        return idx[order][: claim.k]

    chosen = top_of(k)
    lo = np.full(len(chosen), np.nan)
    hi = np.full(len(chosen), np.nan)
    if opts.bootstrap and len(chosen) and r:
        rng = np.random.default_rng(opts.seed)
        wts = _resample_weights(rng, opts.bootstrap, r)
        oh = _onehot9(cell[chosen].astype(np.int8))  # (R, K*9)
        bt = (wts @ oh).reshape(-1, 9)
        bv, _ = _values(bt, bt, opts.min_votes)
        lo, hi = _percentile_interval(bv[:, k].reshape(opts.bootstrap, len(chosen)), opts.ci)
    from comity.world import states as st

    def nm(code: str) -> str:
        try:
            return st.name(code)
        except (UnknownStateError, KeyError):  # a code outside the reference table
            return code

    ranking = pd.DataFrame({
        "rank": np.arange(1, len(chosen) + 1), "state": states[chosen].astype(str),
        "name": [nm(c) for c in states[chosen]], "value": vals[chosen, k], "lo": lo, "hi": hi,
        "n": ns[chosen, k].astype(np.int64)})
    if anchor.is_bloc:
        ranking["bloc_member"] = member[chosen]
    per_measure = {mm: states[top_of(j)].astype(str).tolist() for j, mm in enumerate(MEASURES)}
    main = per_measure[m]
    robustness = {"measures": per_measure,
                  "overlap": {mm: len(set(v) & set(main)) for mm, v in per_measure.items()}}
    info = _window_info(win, base, r)
    return ClaimResult(
        claim=claim, verdict="ranking" if len(chosen) else "insufficient data",
        effect=float("nan"), lo=float("nan"),
        hi=float("nan"), n=int(r), measure=m, period=_period_info([info]), evidence=ranking,
        counts={"states_ranked": int((keep & np.isfinite(vals[:, k])).sum())},
        robustness=robustness, parties=(anchor,),
        components=tuple({"window": "claim", "label": f"{anchor.code}–{row.state}",
                          "pair": "anchor-state", "value": _f(row.value), "lo": _f(row.lo),
                          "hi": _f(row.hi), "n": int(row.n)} for row in ranking.itertuples()))


# ----------------------------------------------------------------------------------- summary
def _num(x: Any, signed: bool = False) -> str:
    v = _f(x)
    if v is None:
        return "n/a"
    return f"{v:+.3f}" if signed else f"{v:.3f}"


_EXPLAIN = {
    "supported": "the {ci}% bootstrap interval of the effect lies entirely on the claimed side "
                 "of zero",
    "contradicted": "the {ci}% bootstrap interval of the effect lies entirely on the opposite "
                    "side of zero",
    "inconclusive": "the {ci}% bootstrap interval of the effect includes zero",
    "insufficient data": "fewer than {min_votes} shared votes on at least one side",
}


def _summary(res: ClaimResult) -> str:
    q = res.query
    ci = round(float(q.get("ci", 0.95)) * 100)
    body = q.get("body", "GA")
    lines = [f"Claim: {res.sentence()}"]
    if isinstance(res.claim, RankingClaim):
        w = res.period["windows"][0]
        lines.append(f"Ranking by {res.measure} on {w['resolutions']} recorded {body} votes, "
                     f"{w['start']} to {w['end']} ({ci}% bootstrap intervals, "
                     f"{q.get('bootstrap')} draws):")
        for row in res.evidence.itertuples():
            lines.append(f"  {row.rank:>2}. {row.name} ({row.state}) {_num(row.value)} "
                         f"[{_num(row.lo)}, {_num(row.hi)}], n={row.n}")
        return "\n".join(lines)
    why = _EXPLAIN[res.verdict].format(ci=ci, min_votes=q.get("min_votes"))
    if res.verdict == "inconclusive" and not np.isfinite(res.lo):
        why = "no usable bootstrap interval"
    lines.append(f"Verdict: {res.verdict.upper()} ({why}).")
    comps = res.components
    m = res.measure
    if isinstance(res.claim, CloserClaim) and len(comps) == 2:
        a, b, c = res._name(res.claim.a), res._name(res.claim.b), res._name(res.claim.c)
        lines.append(f"{m.capitalize() if m != 'S' else 'S'} of {a} with {b}: "
                     f"{_num(comps[0]['value'])}; with {c}: {_num(comps[1]['value'])}. "
                     f"Difference {_num(res.effect, True)} ({ci}% CI "
                     f"{_num(res.lo, True)} to {_num(res.hi, True)}).")
    elif isinstance(res.claim, MovedClaim):
        a, b = res._name(res.claim.a), res._name(res.claim.b)
        by = {(x["window"], x["pair"]): x for x in comps}
        bw, aw = res.period["windows"][0], res.period["windows"][1]
        ab0, ab1 = by.get(("before", "a-b")), by.get(("after", "a-b"))
        text = (f"{m.capitalize() if m != 'S' else 'S'} of {a} with {b}: "
                f"{_num(ab0['value'] if ab0 else None)} ({bw['label']}, n={ab0['n'] if ab0 else 0})"
                f" -> {_num(ab1['value'] if ab1 else None)} ({aw['label']}, "
                f"n={ab1['n'] if ab1 else 0}).")
        if res.claim.reference:
            c = res._name(res.claim.reference)
            ac0, ac1 = by.get(("before", "a-c")), by.get(("after", "a-c"))
            text += (f" With {c}: {_num(ac0['value'] if ac0 else None)} -> "
                     f"{_num(ac1['value'] if ac1 else None)}.")
            text += (f" Change relative to {c}: {_num(res.effect, True)} ({ci}% CI "
                     f"{_num(res.lo, True)} to {_num(res.hi, True)}).")
        else:
            text += (f" Change {_num(res.effect, True)} ({ci}% CI {_num(res.lo, True)} to "
                     f"{_num(res.hi, True)}).")
        lines.append(text)
    elif isinstance(res.claim, CohesionClaim):
        w = res.period["windows"]
        lines.append(f"Cohesion of {res._name(res.claim.bloc)} (Hix–Noury–Roland agreement "
                     f"index): {_num(comps[0]['value'])} in {w[0]['label']} (n={comps[0]['n']})"
                     f" vs {_num(comps[1]['value'])} in {w[1]['label']} (n={comps[1]['n']}). "
                     f"Difference {_num(res.effect, True)} ({ci}% CI {_num(res.lo, True)} to "
                     f"{_num(res.hi, True)}).")
    wins = res.period["windows"]
    span = "; ".join(f"{w['role']} {w['start']} to {w['end']} ({w['resolutions']} recorded "
                     f"votes, first {w['first_vote']}, last {w['last_vote']})" for w in wins)
    issue = f", issue {res.claim.issue}" if res.claim.issue else ""
    what = "votes on which all sides had a Y/A/N position" if res.measure != "cohesion" \
        else "votes with at least two members voting"
    lines.append(f"n = {res.n} {body} {what}{issue}; {span}. Measure: {res.measure}; "
                 f"{q.get('bootstrap')} bootstrap draws, seed {q.get('seed')}.")
    cnt = res.counts
    if isinstance(res.claim, CloserClaim) and cnt:
        a, b, c = res._name(res.claim.a), res._name(res.claim.b), res._name(res.claim.c)
        def times(k: str) -> str:
            return f"{cnt[k]} time{'' if cnt[k] == 1 else 's'}"

        lines.append(f"{a} voted with {b} against {c} {times('with_b_against_c')}, with "
                     f"{c} against {b} {times('with_c_against_b')} (all three alike "
                     f"{cnt['all_agree']}, {a} apart from both {cnt['apart']}).")
    rob = res.robustness
    if rob.get("measures") and len(rob["measures"]) > 1:
        others = [f"{mm} {v['verdict']}" for mm, v in rob["measures"].items()]
        lines.append("Under each measure: " + ", ".join(others) + ".")
    wo = rob.get("without_top5")
    if wo:
        lines.append(f"Without the {len(wo['removed'])} most decisive votes "
                     f"({', '.join(map(str, wo['removed']))}): {wo['verdict']} "
                     f"(effect {_num(wo['effect'], True)}).")
    for note in res.notes:
        lines.append(f"Note: {note}.")
    return "\n".join(lines)


# -------------------------------------------------------------------------------------- plot
def _plot_series(res: ClaimResult) -> Any:
    """The yearly series a claim's figure draws around its windows: an alignment of A with the
    other parties (closer, moved) or the bloc's cohesion, four years either side; None for a
    ranking (drawn from its evidence)."""
    if isinstance(res.claim, RankingClaim):
        if res.evidence.empty:
            raise PlotError("nothing to plot: the ranking is empty")
        return None
    src = res._source
    wins = res.period.get("windows", [])
    starts = [pd.Timestamp(w["start"]) for w in wins if w.get("start")]
    ends = [pd.Timestamp(w["end"]) for w in wins if w.get("end")]
    if not starts or not ends:
        raise PlotError("nothing to plot: the claim period has no recorded votes")
    common = {"period": "year", "start": min(starts).year - 4, "end": max(ends).year + 4,
              "body": src.get("body", "GA"), "issue": res.claim.issue,
              "bootstrap": min(int(res.query.get("bootstrap", 0)), 1000),
              "seed": res.query.get("seed"), "min_votes": int(res.query.get("min_votes", 10)),
              "store": src.get("store"), "panel": src.get("panel"),
              "blocs_file": src.get("extra")}
    try:
        if isinstance(res.claim, CohesionClaim):
            return cohesion(res.claim.bloc, **common)
        c = res.claim
        if isinstance(c, CloserClaim):
            others = [c.b, c.c]
        else:
            assert isinstance(c, MovedClaim)
            others = [c.b] + ([c.reference] if c.reference else [])
        return alignment(c.a, *others, measure=res.measure, **common)
    except AlignmentError as exc:
        raise PlotError(f"nothing to plot: {exc}") from None
