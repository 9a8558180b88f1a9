"""The claim grammar: the claim types and the template text they are written in.

Claims are frozen dataclasses holding canonical tokens (``"USA"``, ``"bloc:eu"``), so claims
compare equal whatever the spelling, and ``str(claim)`` is a canonical template text that
:func:`parse_claim` reads back. The forms, periods and party rules are documented in
:mod:`comity.claims.evaluation` (with what each claim measures); the reader of ordinary prose
(:mod:`comity.claims.reader`) emits these same objects."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from comity.analysis.align import AlignmentError
from comity.analysis.measures import (
    MEASURES,
)
from comity.analysis.query import (
    Party,
    _bound,
    _extra_blocs,
    resolve_party,
)
from comity.errors import ComityError, UnknownBlocError
from comity.world.blocs import Bloc
from comity.world.issues import ISSUES, issue_code
from comity.world.topics import TOPICS, find_topic
from comity.world.topics import topic as world_topic

if TYPE_CHECKING:

    pass


_MEASURE_NAMES = {m.casefold(): m for m in MEASURES}
FORMS = """\
  A closer to B than to C [PERIOD] [on ISSUE] [measure M]    (or: A further from B than from C)
  A moved toward B [PERIOD] [from D1 to D2] [relative to C] [on ISSUE] [measure M]
                                                             (or: A moved away from B)
  BLOC more cohesive PERIOD than PERIOD [on ISSUE]           (or: less cohesive)
  BLOC more cohesive than BLOC [PERIOD] [on ISSUE]
  top K closest to A [PERIOD] [on ISSUE] [measure M]         (or: top K furthest from A)
  A isolated [PERIOD] [on ISSUE]                             (or: A not isolated)
  A neutral between B and C [PERIOD] [on ISSUE] [margin X] [measure M]
PERIOD: in 2025 | in 2015-2020 | since 2025-01-20 | between 2020-01-01 and 2024-12-31 |
        from 2021-01-20 to 2025-01-19 | in session 79 | now (the latest 12 months)
ISSUE: a Voeten code (hr, me, nu, di, co, ec) or name, or topic WORD (titles, agenda, subjects)
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
PeriodKind = Literal["year", "years", "since", "between", "session", "latest", "now"]


@dataclass(frozen=True)
class Period:
    """The time a claim is about. ``start``/``end`` are inclusive days; ``since`` has no end
    (the last recorded vote), ``session`` only a session number, ``latest`` (no period given)
    means the latest complete calendar year of the data, ``now`` the latest 12 months of data.

    ``label`` is how a reader wrote it (``"under Biden"``, ``"since the invasion of
    Ukraine"``); it is shown beside the dates and does not take part in equality."""

    kind: PeriodKind
    start: date | None = None
    end: date | None = None
    session: int | None = None
    label: str | None = field(default=None, compare=False)

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

    @classmethod
    def now(cls) -> Period:
        return cls("now")

    def labelled(self, label: str | None) -> Period:
        """The same period with a reader's ``label``."""
        return dataclasses.replace(self, label=label)

    @property
    def described(self) -> str:
        """The reader's label with the dates (``under Biden (2021-01-20 to 2025-01-19)``), or
        :attr:`bare`."""
        if not self.label:
            return self.bare
        if self.kind in ("now", "latest"):
            return self.label
        if self.kind == "since":
            return f"{self.label} (from {self.start})"
        return f"{self.label} ({self.bare})"

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
        if self.kind == "now":
            return "now"
        return "latest complete year"

    @property
    def text(self) -> str:
        """The period as it is written in a claim (empty for ``latest``)."""
        if self.kind in ("year", "years", "session"):
            return f"in {self.bare}"
        if self.kind == "since":
            return self.bare
        if self.kind == "between":
            return f"from {self.start} to {self.end}"
        if self.kind == "now":
            return "now"
        return ""

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "start": None if self.start is None else str(self.start),
                "end": None if self.end is None else str(self.end), "session": self.session,
                "label": self.bare, "written": self.label}


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
        ("now", r"(?:now|today|currently|at\s+present)"),
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
    if kind == "now":
        return Period.now()
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
def _opt(issue: str | None, measure: str | None, topic: str | None = None) -> str:
    parts = []
    if issue:
        parts.append(f"on {issue}")
    if topic:
        parts.append(f"on topic {topic}")
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
    topic: str | None = None
    kind: ClassVar[str] = "closer"

    def __str__(self) -> str:
        rel = "closer to" if self.direction > 0 else "further from"
        than = "than to" if self.direction > 0 else "than from"
        return _join(self.a, rel, self.b, than, self.c, self.period.text) \
            + _opt(self.issue, self.measure, self.topic)


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
    topic: str | None = None
    kind: ClassVar[str] = "moved"

    def __post_init__(self) -> None:
        _check_order(self.after, self.before)

    def __str__(self) -> str:
        verb = "moved toward" if self.direction > 0 else "moved away from"
        before = ""
        if self.before is not None:
            before = self.before.text if self.before.kind == "between" \
                else f"compared with {self.before.bare}"
        rel = f"relative to {self.reference}" if self.reference else ""
        return _join(self.a, verb, self.b, self.after.text, before, rel) \
            + _opt(self.issue, self.measure, self.topic)


@dataclass(frozen=True)
class CohesionClaim:
    """``bloc`` was more cohesive in ``period`` than in ``than`` (``direction=-1``: less);
    ``than=None``: the window of the same length just before. With ``other`` (a second bloc),
    ``bloc`` is more cohesive than ``other`` in ``period`` (``than`` unused)."""

    bloc: str
    period: Period
    than: Period | None = None
    issue: str | None = None
    direction: int = 1
    other: str | None = None
    topic: str | None = None
    kind: ClassVar[str] = "cohesion"

    def __post_init__(self) -> None:
        if self.than is not None and self.other is None:
            _check_disjoint(self.period, self.than)

    @property
    def measure(self) -> str | None:
        return None

    def __str__(self) -> str:
        word = "more cohesive" if self.direction > 0 else "less cohesive"
        if self.other is not None:
            return _join(self.bloc, word, "than", self.other, self.period.text) \
                + _opt(self.issue, None, self.topic)
        than = "" if self.than is None else "than " + (self.than.text or self.than.bare)
        return _join(self.bloc, word, self.period.text, than) + _opt(self.issue, None, self.topic)


@dataclass(frozen=True)
class RankingClaim:
    """The ``k`` states closest to ``anchor`` (``direction=-1``: furthest from it)."""

    anchor: str
    k: int = 10
    period: Period = field(default_factory=Period.latest)
    issue: str | None = None
    measure: str | None = None
    direction: int = 1
    topic: str | None = None
    kind: ClassVar[str] = "ranking"

    def __str__(self) -> str:
        word = "closest to" if self.direction > 0 else "furthest from"
        return _join(f"top {self.k}", word, self.anchor, self.period.text) \
            + _opt(self.issue, self.measure, self.topic)


@dataclass(frozen=True)
class IsolationClaim:
    """State ``a`` is isolated in ``period``: on the votes where it voted Yes or No, more than
    ``threshold`` of the other members voted against it (``direction=-1``: not isolated, the
    majority at least neutral towards it)."""

    a: str
    period: Period = field(default_factory=Period.latest)
    issue: str | None = None
    direction: int = 1
    topic: str | None = None
    threshold: float = 0.5
    kind: ClassVar[str] = "isolation"

    @property
    def measure(self) -> str | None:
        return None

    def __str__(self) -> str:
        word = "isolated" if self.direction > 0 else "not isolated"
        return _join(self.a, word, self.period.text) + _opt(self.issue, None, self.topic)


@dataclass(frozen=True)
class NeutralityClaim:
    """``a`` is neutral between ``b`` and ``c``: the paired difference m(a, b) − m(a, c) lies
    within ``±margin`` (an equivalence test: two one-sided tests)."""

    a: str
    b: str
    c: str
    period: Period = field(default_factory=Period.latest)
    issue: str | None = None
    measure: str | None = None
    topic: str | None = None
    margin: float = 0.05
    kind: ClassVar[str] = "neutrality"

    @property
    def direction(self) -> int:
        return 0

    def __str__(self) -> str:
        margin = "" if self.margin == 0.05 else f"margin {self.margin:g}"
        return _join(self.a, "neutral between", self.b, "and", self.c, self.period.text,
                     margin) + _opt(self.issue, self.measure, self.topic)


Claim = (CloserClaim | MovedClaim | CohesionClaim | RankingClaim | IsolationClaim
         | NeutralityClaim)
CLAIM_TYPES = (CloserClaim, MovedClaim, CohesionClaim, RankingClaim, IsolationClaim,
               NeutralityClaim)


def _claim_dict(claim: Claim) -> dict[str, Any]:
    out: dict[str, Any] = {"kind": claim.kind, "text": str(claim)}
    for f in dataclasses.fields(claim):
        v = getattr(claim, f.name)
        out[f.name] = v.to_dict() if isinstance(v, Period) else v
    return out


# ------------------------------------------------------------------------------------ parsing
_PSTART = r"(?:(?:in|during|since|after|between|from|session|over|now|today|currently)\b|\d)"
_STOP = (r"(?=\s+(?:on|about|regarding|measure|using|relative|in|during|since|after|between|"
         r"from|session|over|than|compared|versus|vs|now|today|currently|margin)\b|\s+\d|$)")
_RX_MEASURE = re.compile(r"\s+(?:(?:with|by|using)\s+(?:the\s+)?)?measure\s+(?P<m>[\w-]+)"
                         r"|\s+using\s+(?:the\s+)?(?P<m2>[\w-]+)", re.IGNORECASE)
_RX_ISSUE = re.compile(r"\s+(?:on|about|regarding)\s+(?:the\s+)?(?:issue\s+(?:of\s+)?)?"
                       r"(?P<issue>.+?)" + _STOP, re.IGNORECASE)
_RX_RELATIVE = re.compile(r"\s+relative\s+to\s+(?P<ref>.+?)" + _STOP, re.IGNORECASE)
_RX_TOPIC = re.compile(r"\s+(?:on|about|regarding)\s+topic\s+(?P<topic>.+?)" + _STOP,
                       re.IGNORECASE)
_RX_MARGIN = re.compile(r"\s+(?:with\s+)?margin\s+(?P<margin>\d*\.?\d+)" + _STOP, re.IGNORECASE)
_RX_ISOLATED = re.compile(
    r"^(?P<a>.+?)\s+(?:(?:is|was|are|were|has\s+been|have\s+been|became|remains|remained)\s+)?"
    rf"(?P<neg>not\s+)?isolated(?:\s+(?P<tail>{_PSTART}.*|now))?$", re.IGNORECASE)
_RX_NEUTRAL = re.compile(
    r"^(?P<a>.+?)\s+(?:(?:is|was|are|were|has\s+been|have\s+been|stayed|stays|remained|remains)"
    r"\s+)?neutral\s+between\s+(?P<b>.+?)\s+and\s+(?P<c>.+?)"
    rf"(?:\s+(?P<tail>{_PSTART}.*|now))?$", re.IGNORECASE)
_RX_COHESION_OTHER = re.compile(
    r"^(?P<a>.+?)\s+(?:(?:is|was|were|are|has\s+been|have\s+been|became|grew|got)\s+)?"
    r"(?P<dir>more|less)\s+(?:cohesive|united|unified)\s+than\s+(?P<b>(?!in\b|during\b|since\b)"
    rf"[^\d].*?)(?:\s+(?P<tail>{_PSTART}.*|now))?$", re.IGNORECASE)
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


def _issue(name: str) -> tuple[str | None, str | None]:
    """``(issue, topic)`` from the words after ``on``: a Voeten issue, else a default keyword
    topic (:data:`comity.world.topics.TOPICS`); anything else is an error naming both."""
    try:
        code = issue_code(name)
    except AlignmentError as exc:
        found = find_topic(name)
        if found is not None:
            return None, found.key
        raise ClaimSyntaxError(f"{exc}; or a keyword topic ({', '.join(TOPICS)}), or any word "
                               f"as 'on topic WORD'", candidates=list(ISSUES)) from None
    return code, None


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
    if isinstance(text, CLAIM_TYPES):
        return text
    raw = str(text)
    extra = _extra_blocs(blocs_file)
    t = _clean(raw)
    if not t:
        raise _syntax(raw, "the claim is empty")
    m_meas, t = _take(_RX_MEASURE, t)
    measure = None if m_meas is None else _measure_name(m_meas.group("m") or m_meas.group("m2"))
    m_top, t = _take(_RX_TOPIC, t)
    topic_key = None if m_top is None else world_topic(m_top.group("topic")).key
    m_mar, t = _take(_RX_MARGIN, t)
    margin = None if m_mar is None else float(m_mar.group("margin"))
    m_iss, t = _take(_RX_ISSUE, t)
    issue = None
    if m_iss is not None:
        issue, topic2 = _issue(m_iss.group("issue"))
        topic_key = topic_key or topic2
    m_rel, t = _take(_RX_RELATIVE, t)
    reference = None if m_rel is None else m_rel.group("ref")
    if margin is not None and not _RX_NEUTRAL.match(t):
        raise _syntax(raw, "'margin' belongs to a neutrality claim")

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
                            issue=issue, measure=measure, direction=d, topic=topic_key)
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
                           measure=measure, direction=d, topic=topic_key)
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
                          reference=ref, issue=issue, measure=measure, direction=d,
                          topic=topic_key)
    m = _RX_NEUTRAL.match(t)
    if m:
        no_reference("neutrality")
        ps = periods(m.group("tail"))
        if len(ps) > 1:
            raise _syntax(raw, "a neutrality claim is about one period")
        pa, pb, pc = (_party(m.group(g), extra) for g in ("a", "b", "c"))
        _distinct([pa, pb, pc], "the claim")
        if margin is not None and not 0 < margin < 1:
            raise ClaimError(f"margin {margin:g}: expected a number between 0 and 1")
        return NeutralityClaim(a=_canon(pa), b=_canon(pb), c=_canon(pc),
                               period=ps[0] if ps else Period.latest(), issue=issue,
                               measure=measure, topic=topic_key,
                               margin=0.05 if margin is None else margin)
    m = _RX_ISOLATED.match(t)
    if m:
        no_reference("isolation")
        if measure is not None:
            raise ClaimError("an isolation claim uses the share of members voting against the "
                             "state; 'measure' does not apply")
        ps = periods(m.group("tail"))
        if len(ps) > 1:
            raise _syntax(raw, "an isolation claim is about one period")
        pa = _party(m.group("a"), extra)
        if pa.is_bloc:
            raise ClaimError(f"{pa.token!r} is a bloc; isolation is measured for states")
        return IsolationClaim(a=_canon(pa), period=ps[0] if ps else Period.latest(),
                              issue=issue, topic=topic_key,
                              direction=-1 if m.group("neg") else 1)
    m = _RX_COHESION_OTHER.match(t)
    if m:
        no_reference("cohesion")
        if measure is not None:
            raise ClaimError("a cohesion claim uses the Hix–Noury–Roland agreement index; "
                             "'measure' does not apply")
        ps = periods(m.group("tail"))
        if len(ps) > 1:
            raise _syntax(raw, "two blocs are compared in one period")
        bloc, other = _bloc_party(m.group("a"), extra), _bloc_party(m.group("b"), extra)
        _distinct([bloc, other], "the claim")
        return CohesionClaim(bloc=_canon(bloc), other=_canon(other),
                             period=ps[0] if ps else Period.latest(), issue=issue,
                             topic=topic_key,
                             direction=-1 if m.group("dir").casefold() == "less" else 1)
    m = _RX_COHESION.match(t)
    if m:
        no_reference("cohesion")
        if measure is not None:
            raise ClaimError("a cohesion claim uses the Hix–Noury–Roland agreement index; "
                             "'measure' does not apply")
        ps = periods(m.group("tail"))
        if len(ps) not in (1, 2):
            raise _syntax(raw, "a cohesion claim compares two periods: "
                          "'more cohesive in 2024 than in 2014'")
        bloc = _bloc_party(m.group("a"), extra)
        return CohesionClaim(bloc=_canon(bloc), period=ps[0],
                             than=ps[1] if len(ps) == 2 else None, issue=issue,
                             direction=-1 if m.group("dir").casefold() == "less" else 1,
                             topic=topic_key)
    raise _syntax(raw)


def _check_disjoint(a: Period, b: Period) -> None:
    """Two windows compared with each other must not share a day (in either order)."""
    if a.session is not None and b.session is not None:
        same = a.session == b.session
    elif a.start is not None and b.start is not None:
        same = a.start <= (b.end or date.max) and b.start <= (a.end or date.max)
    else:
        return
    if same:
        raise ClaimError(f"the two windows compared ({a.bare} and {b.bare}) overlap: "
                         "compare periods that do not share a day")


def _check_order(after: Period, before: Period | None) -> None:
    if before is None or after.start is None or before.end is None:
        return
    if before.end >= after.start:
        raise ClaimError(f"the window compared with ({before.bare}) must end before the claim "
                         f"window ({after.bare}) starts")
