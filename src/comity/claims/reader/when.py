"""Time in prose: years, ranges, dates, sessions, "now", terms of office and events.

:func:`scan_times` returns every time expression of a sentence with its character span, the
:class:`~comity.claims.grammar.Period` it means (labelled with the words used) and its role:
``"than"`` when it is the window compared with ("than in 2014", "compared with the Obama
years", "than it was during the Cold War"), else ``"main"``. Terms and events come from the
world tables (:mod:`comity.world.terms`, each row with its source):

- "under Biden", "the Biden administration", "during Trump's first term" → the term's days;
- "since Trump took office", "since Lula returned to power" → since the term began;
- "since/after/following the invasion of Ukraine", "since Brexit" → since the event's day;
  "before …", "until …", "during the Cold War" → up to the day before the event;
- "now", "today", "currently", "these days", "nowadays", "at present" → the latest 12 months
  of data (said so in the result).

A name that fits two terms (bare "Trump") is resolved to the open term when the sentence is
in the present or present perfect tense, and is otherwise ambiguous
(:class:`AmbiguousTerm`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache

from comity.claims.grammar import ClaimSyntaxError, Period
from comity.world import terms as T

__all__ = ["AmbiguousTerm", "TimeMention", "scan_times"]

FIRST_DAY = date(1946, 1, 1)
"""The start of a "before EVENT" window (the first recorded votes are of 1946)."""

MONTHS = {m: i for i, m in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august", "september",
     "october", "november", "december"], start=1)}
_MON = r"(?:january|february|march|april|may|june|july|august|september|october|november|" \
       r"december|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec)\.?"
_YEAR = r"(?:19[4-9]\d|20[0-4]\d)"
_DAYDATE = (rf"(?:(?P<{{p}}d>\d{{{{1,2}}}})(?:st|nd|rd|th)?\s+(?P<{{p}}m>{_MON})\s+"
            rf"(?P<{{p}}y>{_YEAR})"
            rf"|(?P<{{p}}m2>{_MON})\s+(?P<{{p}}d2>\d{{{{1,2}}}})(?:st|nd|rd|th)?,?\s+(?P<{{p}}y2>{_YEAR})"
            rf"|(?P<{{p}}iso>{_YEAR}-\d{{{{2}}}}-\d{{{{2}}}}))")
_WORDS_NOW = r"(?:right\s+)?(?:now|today|currently|these\s+days|nowadays|at\s+present|" \
             r"at\s+the\s+moment)"
_THAN = re.compile(r"(?:than|compared\s+(?:with|to)|relative\s+to|versus|vs\.?|as\s+against)"
                   r"(?:\s+(?:it|they|he|she|its|their|the\s+\w+)\s+(?:was|were|had\s+been|did|"
                   r"had|voted|stood))?(?:\s+(?:in|during|under|with))?\s*,?\s*$", re.I)
_PRESENT = re.compile(r"\b(?:is|are|has|have|now|today|currently|remains|votes|sides|stands)\b",
                      re.I)


class AmbiguousTerm(ClaimSyntaxError):
    """A leader's name that fits several terms (the message lists them)."""


@dataclass(frozen=True)
class TimeMention:
    start: int
    end: int
    text: str
    period: Period
    role: str  # "main" or "than"
    before_event: Period | None = None  # for "since EVENT": the window before it


def _month(word: str) -> int:
    w = word.casefold().rstrip(".")
    for name, i in MONTHS.items():
        if name.startswith(w[:3]):
            return i
    raise ValueError(word)


def _date_of(m: re.Match[str], p: str) -> date:
    g = m.groupdict()
    if g.get(p + "iso"):
        return date.fromisoformat(g[p + "iso"])
    if g.get(p + "d"):
        return date(int(g[p + "y"]), _month(g[p + "m"]), int(g[p + "d"]))
    return date(int(g[p + "y2"]), _month(g[p + "m2"]), int(g[p + "d2"]))


def _dd(p: str) -> str:
    return _DAYDATE.format(p=p)


@cache
def _term_rx() -> re.Pattern[str]:
    alt = "|".join(re.escape(x) for x in T.term_phrases())
    return re.compile(rf"(?<![\w])(?P<t>{alt})(?:'s)?(?![\w])", re.I)


@cache
def _event_rx() -> re.Pattern[str]:
    alt = "|".join(re.escape(x) for x in T.event_phrases())
    return re.compile(rf"(?<![\w])(?:the\s+|its\s+|their\s+)?(?P<e>{alt})(?![\w])", re.I)


_OFFICE_VERBS = (r"(?:took|take|taking|returned\s+to|return\s+to|came\s+to|come\s+to|entered|"
                 r"was\s+(?:re-?)?elected|won\s+the\s+election|was\s+inaugurated|assumed)"
                 r"(?:\s+(?:office|power|the\s+presidency|the\s+white\s+house))?")


def _term_period(keys: tuple[T.Term, ...], sentence: str, phrase: str, since: bool) -> Period:
    cands = list(keys)
    if len(cands) > 1:
        # the umbrella of consecutive terms covers them all ("obama" = obama1 + obama2)
        spans = [c for c in cands if all(c.start <= o.start and (c.end is None or (
            o.end is not None and o.end <= c.end)) for o in cands)]
        if spans:
            cands = spans[:1]
    if len(cands) > 1:
        open_ = [c for c in cands if c.end is None]
        if open_ and (since or _PRESENT.search(sentence)):
            cands = open_[:1]
        else:
            shown = ", ".join(f"term:{c.key} ({c.start} to {c.last_day or 'now'})"
                              for c in sorted(cands, key=lambda c: c.start))
            raise AmbiguousTerm(f"{phrase!r} names several terms: {shown}; name the term "
                                "(e.g. \"Trump's first term\") or give the dates",
                                candidates=[f"term:{c.key}" for c in cands])
    t = cands[0]
    if since or t.end is None:
        return Period.since(t.start).labelled(f"since {t.name} took office"
                                             if since else f"under {t.name}")
    assert t.last_day is not None
    return Period.between(t.start, t.last_day).labelled(f"under {t.name}")


def scan_times(text: str) -> list[TimeMention]:
    """Every time expression of ``text``, left to right (see the module docstring)."""
    found: list[tuple[int, int, Period, Period | None]] = []
    taken = [False] * len(text)

    def take(s: int, e: int, p: Period, before: Period | None = None) -> None:
        if any(taken[s:e]):
            return
        taken[s:e] = [True] * (e - s)
        found.append((s, e, p, before))

    for m in re.finditer(rf"\bbetween\s+{_dd('a')}\s+and\s+{_dd('b')}", text, re.I):
        take(m.start(), m.end(), Period.between(_date_of(m, "a"), _date_of(m, "b")))
    for m in re.finditer(rf"\bfrom\s+{_dd('a')}\s+(?:to|until|till|through)\s+{_dd('b')}",
                         text, re.I):
        take(m.start(), m.end(), Period.between(_date_of(m, "a"), _date_of(m, "b")))
    for m in re.finditer(rf"\bsince\s+{_dd('a')}", text, re.I):
        take(m.start(), m.end(), Period.since(_date_of(m, "a")))
    for m in re.finditer(rf"\bsince\s+(?P<m>{_MON})\s+(?P<y>{_YEAR})\b", text, re.I):
        take(m.start(), m.end(), Period.since(f"{m.group('y')}-{_month(m.group('m')):02d}"))
    term_rx = _term_rx().pattern
    for m in re.finditer(rf"\bsince\s+{term_rx}\s+{_OFFICE_VERBS}", text, re.I):
        take(m.start(), m.end(), _term_period(T.find_terms(m.group("t")), text,
                                              m.group("t"), True))
    for m in re.finditer(rf"\b(?P<w>since|after|following|before|until|prior\s+to|during|in|"
                         rf"throughout|over)\s+{_event_rx().pattern}", text, re.I):
        ev = T.find_events(m.group("e"))
        if not ev:
            continue
        e0 = ev[0]
        w = m.group("w").casefold()
        name = m.group(0)[len(m.group("w")):].strip()
        pre = Period.between(FIRST_DAY, e0.date - timedelta(days=1)).labelled(f"before {name}")
        if w in ("before", "until", "prior to") or (
                w in ("during", "in", "throughout", "over") and e0.key.endswith("_end")):
            take(m.start(), m.end(), pre.labelled(" ".join(m.group(0).split()).casefold()))
        else:
            take(m.start(), m.end(), Period.since(e0.date).labelled(f"since {name}"), pre)
    for m in re.finditer(rf"\b(?:under|during|in|throughout|over)\s+(?:the\s+)?{term_rx}"
                         r"(?:\s+(?:administration|presidency|government|era|years|term))?",
                         text, re.I):
        take(m.start(), m.end(), _term_period(T.find_terms(m.group("t")), text,
                                              m.group("t"), False))
    for m in re.finditer(rf"\b(?:the\s+)?{term_rx}(?:\s+(?:administration|presidency|"
                         r"government|era|years))", text, re.I):
        take(m.start(), m.end(), _term_period(T.find_terms(m.group(0)) or T.find_terms(
            m.group("t")), text, m.group("t"), False))
    for m in re.finditer(rf"\b(?:between|from)\s+(?P<a>{_YEAR})\s+(?:and|to|until|through)\s+"
                         rf"(?P<b>{_YEAR})\b", text, re.I):
        take(m.start(), m.end(), Period.years(int(m.group("a")), int(m.group("b"))))
    for m in re.finditer(rf"\b(?:since|after)\s+(?P<y>{_YEAR})\b", text, re.I):
        take(m.start(), m.end(), Period.since(m.group("y")))
    for m in re.finditer(rf"\b(?:in\s+|during\s+)?(?:the\s+)?(?P<a>{_YEAR})\s*[-–]\s*"
                         rf"(?P<b>{_YEAR}|\d{{2}})\b", text, re.I):
        b = m.group("b")
        y1 = int(b) if len(b) == 4 else int(m.group("a")[:2] + b)
        take(m.start(), m.end(), Period.years(int(m.group("a")), y1))
    for m in re.finditer(r"\b(?:in\s+|during\s+)?the\s+(?P<d>19[4-9]0|20[0-2]0)s\b", text, re.I):
        d = int(m.group("d"))
        take(m.start(), m.end(), Period.years(d, d + 9))
    for m in re.finditer(r"\b(?:in\s+|during\s+)?(?:the\s+)?(?:(?P<n>\d{1,2})(?:st|nd|rd|th)\s+"
                         r"(?:(?:GA|General\s+Assembly)\s+)?session|session\s+(?P<n2>\d{1,2}))\b",
                         text, re.I):
        take(m.start(), m.end(), Period.of_session(int(m.group("n") or m.group("n2"))))
    for m in re.finditer(rf"\b(?:in|during|by|of|over|throughout)?\s*(?P<y>{_YEAR})\b(?!-\d)",
                         text, re.I):
        s = m.start() if m.group(0)[:1].isalpha() else m.start("y")
        take(s, m.end(), Period.year(int(m.group("y"))))
    for m in re.finditer(rf"\b{_WORDS_NOW}\b", text, re.I):
        take(m.start(), m.end(), Period.now().labelled("now"))
    out = []
    for s, e, p, before in sorted(found, key=lambda x: x[0]):
        role = "than" if _THAN.search(text[max(0, s - 40):s]) else "main"
        out.append(TimeMention(s, e, text[s:e], p, role, before))
    return out
