"""Helpers for the reader corpus (tests/claims/reader_cases.jsonl): expected claims as dicts
(kind, parties, period strings such as ``year:2025``, ``term:biden``, ``since_event:brexit``)
compared with what :func:`comity.claims.reader.read_sentence` gives."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

from comity.claims.grammar import Period
from comity.claims.reader.when import FIRST_DAY
from comity.world import terms as T

HERE = Path(__file__).parent
TERM_ALIASES = {"putin": "putin2", "lula3": "lula3", "amlo": "amlo"}


def load(name: str = "reader_cases.jsonl") -> list[dict[str, Any]]:
    return [json.loads(line) for line in (HERE / name).read_text("utf-8").splitlines()
            if line.strip()]


def period(spec: str | None) -> Period | None:
    if spec is None:
        return None
    kind, _, rest = spec.partition(":")
    if kind == "year":
        return Period.year(int(rest))
    if kind == "years":
        a, b = rest.split("-")
        return Period.years(int(a), int(b))
    if kind == "since":
        return Period.since(rest)
    if kind == "between":
        a, b = rest.split(":")
        return Period.between(a, b)
    if kind == "session":
        return Period.of_session(int(rest))
    if kind == "now":
        return Period.now()
    if kind == "latest":
        return Period.latest()
    if kind in ("term", "since_term"):
        t = T.terms()[TERM_ALIASES.get(rest, rest)]
        if kind == "since_term" or t.end is None:
            return Period.since(t.start)
        return Period.between(t.start, t.end - timedelta(days=1))
    e = T.events()[rest]
    if kind in ("since_event", "after_event"):
        return Period.since(e.date)
    if kind == "before_event":
        return Period.between(FIRST_DAY, e.date - timedelta(days=1))
    raise ValueError(spec)


def as_dict(claim: Any) -> dict[str, Any]:
    """The claim in the corpus' terms (periods as Period objects)."""
    k = claim.kind
    d: dict[str, Any] = {"kind": k, "issue": claim.issue, "topic": claim.topic}
    if k == "closer":
        d.update(a=claim.a, b=claim.b, c=claim.c, direction=claim.direction,
                 period=claim.period)
    elif k == "moved":
        d.update(a=claim.a, b=claim.b, reference=claim.reference, direction=claim.direction,
                 after=claim.after, before=claim.before)
    elif k == "cohesion":
        d.update(bloc=claim.bloc, other=claim.other, direction=claim.direction,
                 period=claim.period, than=claim.than)
    elif k == "ranking":
        d.update(anchor=claim.anchor, k=claim.k, direction=claim.direction, period=claim.period)
    elif k == "isolation":
        d.update(a=claim.a, direction=claim.direction, period=claim.period)
    else:
        d.update(a=claim.a, b=claim.b, c=claim.c, period=claim.period)
    return d


def expected(exp: dict[str, Any]) -> dict[str, Any]:
    out = dict(exp)
    for key in ("period", "after", "before", "than"):
        if key in out:
            out[key] = period(out[key])
    return out


def diff(got: Any, exp: dict[str, Any]) -> list[str]:
    g, e = as_dict(got), expected(exp)
    return [f"{k}: got {g.get(k)!r}, expected {e[k]!r}" for k in e
            if k in g and g.get(k) != e[k]]
