"""Dated terms of office and events: what "under Biden", "Trump's second term" or "since the
invasion of Ukraine" mean in days (reference data, no votes).

Tables in ``comity/world/data/`` (each row with its source):

- ``leaders.csv``: heads of state or government of the major states since 1990 (``key, state,
  name, aliases, office, term_start, term_end, source, note``); ``term_end`` is the first day
  out of office (half-open, empty while in office), as for memberships. A key such as
  ``obama`` spans consecutive terms (``obama1``, ``obama2``).
- ``events.csv``: turning points articles cite (``key, date, names, description, source,
  note``); ``date`` is the first day of the "since"/"after" window.

A phrase that names two terms (bare "Bush", "Trump") is ambiguous: :func:`find_terms` returns
every candidate and the reader decides (tense) or asks.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from importlib import resources

__all__ = ["Event", "Term", "events", "find_events", "find_terms", "terms"]


@dataclass(frozen=True)
class Term:
    """One leader's time in office: ``start`` inclusive, ``end`` exclusive (None: in office)."""

    key: str
    state: str
    name: str
    office: str
    start: date
    end: date | None
    aliases: tuple[str, ...]
    source: str

    @property
    def last_day(self) -> date | None:
        """The last day in office (inclusive), None while in office."""
        return None if self.end is None else self.end - timedelta(days=1)


@dataclass(frozen=True)
class Event:
    """A dated event: ``date`` is the first day after (or of) it."""

    key: str
    date: date
    names: tuple[str, ...]
    description: str
    source: str


def _norm(text: str) -> str:
    t = str(text).replace("’", "'").replace("‘", "'").casefold()
    t = re.sub(r"[.,]", "", t)
    return " ".join(t.split())


def _rows(name: str) -> list[dict[str, str]]:
    text = (resources.files("comity.world") / "data" / name).read_text("utf-8")
    return list(csv.DictReader(text.splitlines()))


@cache
def terms() -> dict[str, Term]:
    """Every term of ``leaders.csv`` by key.

    A row that spans another person's term in the same office (an umbrella such as
    ``trump`` over 2017 → now, which would include Biden's term) is not a window: its aliases
    go to each of that person's own terms inside it, so that the bare name is ambiguous
    between them."""
    raw = {}
    for r in _rows("leaders.csv"):
        raw[r["key"]] = Term(
            key=r["key"], state=r["state"], name=r["name"], office=r["office"],
            start=date.fromisoformat(r["term_start"]),
            end=date.fromisoformat(r["term_end"]) if r["term_end"].strip() else None,
            aliases=tuple(a.strip() for a in r["aliases"].split(";") if a.strip()),
            source=r["source"])

    def inside(o: Term, t: Term) -> bool:
        return t.start < o.start and (t.end is None or o.start < t.end)

    gaps = {k for k, t in raw.items()
            if any(o.state == t.state and o.office == t.office and o.name != t.name
                   and inside(o, t) for o in raw.values())}
    out = {k: t for k, t in raw.items() if k not in gaps}
    for k in gaps:
        u = raw[k]
        parts = [t for t in out.values() if t.name == u.name and t.state == u.state
                 and t.start >= u.start and (u.end is None or (t.end is not None
                                                                and t.end <= u.end))]
        for t in parts:
            out[t.key] = Term(t.key, t.state, t.name, t.office, t.start, t.end,
                              tuple(dict.fromkeys((*t.aliases, *u.aliases))), t.source)
    return out


@cache
def events() -> dict[str, Event]:
    """Every event of ``events.csv`` by key."""
    return {r["key"]: Event(key=r["key"], date=date.fromisoformat(r["date"]),
                            names=tuple(n.strip() for n in r["names"].split(";") if n.strip()),
                            description=r["description"], source=r["source"])
            for r in _rows("events.csv")}


@cache
def _term_index() -> dict[str, tuple[str, ...]]:
    idx: dict[str, list[str]] = {}
    for t in terms().values():
        for a in {t.key, *t.aliases}:
            idx.setdefault(_norm(a), []).append(t.key)
    return {k: tuple(dict.fromkeys(v)) for k, v in idx.items()}


@cache
def _event_index() -> dict[str, tuple[str, ...]]:
    idx: dict[str, list[str]] = {}
    for e in events().values():
        for n in {e.key.replace("_", " "), *e.names}:
            idx.setdefault(_norm(n), []).append(e.key)
    return {k: tuple(dict.fromkeys(v)) for k, v in idx.items()}


def find_terms(phrase: str) -> tuple[Term, ...]:
    """The terms ``phrase`` names ("Biden", "the Biden administration", "Trump's second
    term"); several when it is ambiguous, none when it names no term."""
    keys = _term_index().get(_norm(phrase), ())
    return tuple(terms()[k] for k in keys)


def find_events(phrase: str) -> tuple[Event, ...]:
    """The events ``phrase`` names ("the invasion of Ukraine", "Brexit", "9/11")."""
    p = _norm(phrase)
    keys = _event_index().get(p) or _event_index().get(re.sub(r"^the ", "", p), ())
    return tuple(events()[k] for k in keys)


def term_phrases() -> list[str]:
    """Every phrase that names a term, longest first (for scanning text)."""
    return sorted(_term_index(), key=len, reverse=True)


def event_phrases() -> list[str]:
    """Every phrase that names an event, longest first."""
    return sorted(_event_index(), key=len, reverse=True)
