"""Reading prose: sentences and whole articles → claims in the template grammar, with the
reading shown.

A sentence is read in four passes: time phrases (:mod:`.when`), the topic or issue ("on human
rights", "on Ukraine", "the Gaza resolutions"), the parties (:mod:`.names`), and finally the
relation, matched against the sentence's skeleton by the data table :mod:`.patterns`. Clauses
joined by ``while``, ``whereas``, ``;``, ``, but`` or ``, and`` are read one by one (a time or
topic said once applies to every clause). What is not a testable claim is skipped with a short
reason: no party, no relation between parties, a prediction ("will align"), a recommendation
("should align"), or not about votes (trade, troops, speeches).

Defaults, always said in the reading: no period → the latest complete year; "now", "today",
"currently" → the latest 12 months of data; a change ("moved toward") with no period → now,
compared with the 12 months before. A name with two meanings (``NAM``, ``EC``, ``Congo``,
bare "Trump" in the past tense) is never resolved silently: :func:`read_sentence` raises
:class:`AmbiguousNameError` listing the choices, and :func:`read_text` skips the sentence
with them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from comity.claims.grammar import (
    Claim,
    ClaimError,
    ClaimSyntaxError,
    CloserClaim,
    CohesionClaim,
    IsolationClaim,
    MovedClaim,
    NeutralityClaim,
    Period,
    RankingClaim,
)
from comity.claims.reader.names import Mention, norm, scan_parties
from comity.claims.reader.patterns import COMPILED
from comity.claims.reader.when import TimeMention, scan_times
from comity.world.blocs import builtin_blocs
from comity.world.issues import ISSUE_NAMES, ISSUES
from comity.world.topics import TOPICS

__all__ = ["AmbiguousNameError", "ReadClaim", "Reading", "Skipped", "read_sentence",
           "read_text", "reading_text", "split_sentences"]


class AmbiguousNameError(ClaimSyntaxError):
    """A name in the sentence with several meanings; ``candidates`` lists them."""

    exit_code = 4


@dataclass(frozen=True)
class ReadClaim:
    """One claim read from a sentence: the ``claim`` (grammar object), the ``reading`` in
    template form, and ``notes`` on the defaults used."""

    sentence: str
    claim: Claim
    reading: str
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"sentence": self.sentence, "reading": self.reading, "kind": self.claim.kind,
                "template": str(self.claim), "notes": list(self.notes)}


@dataclass(frozen=True)
class Skipped:
    """A sentence that holds no claim testable with votes, and why."""

    sentence: str
    why: str

    def to_dict(self) -> dict[str, str]:
        return {"sentence": self.sentence, "why": self.why}


@dataclass(frozen=True)
class Reading:
    """Every claim found in a text, and the sentences skipped."""

    claims: tuple[ReadClaim, ...] = ()
    skipped: tuple[Skipped, ...] = field(default=())


# ------------------------------------------------------------------------------- sentences
_ABBREV = re.compile(r"\b(?:U\.S|U\.K|U\.N|U\.S\.A|Mr|Mrs|Ms|Dr|Prof|St|Gen|Sen|Rep|Gov|"
                     r"e\.g|i\.e|etc|vs|No|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|"
                     r"approx|cf|al)\.$")


def split_sentences(text: str) -> list[str]:
    """Sentences of ``text``: split at ``. ! ?`` followed by a capital, a quote or a digit,
    and at blank lines; abbreviations (U.S., Mr., Feb.) do not end a sentence."""
    out: list[str] = []
    for para in re.split(r"\n\s*\n|\r\n\s*\r\n", str(text)):
        para = " ".join(para.split())
        start = 0
        for m in re.finditer(r"[.!?]+[\"'”’)]*\s+(?=[\"'“‘(]?[A-Z0-9])", para):
            piece = para[start:m.end()].strip()
            if _ABBREV.search(para[start:m.start() + 1]):
                continue
            out.append(piece)
            start = m.end()
        if para[start:].strip():
            out.append(para[start:].strip())
    return [s for s in out if s]


# ---------------------------------------------------------------------------------- topics
@cache
def _topic_rx() -> re.Pattern[str]:
    words: dict[str, tuple[str | None, str | None]] = {}
    for t in TOPICS.values():  # a named conflict or place is a topic ("on Palestine")
        if t.key in _ISSUE_TOPICS:
            continue  # Voeten's own issues (development, disarmament, colonialism) win
        for w in (t.key, *t.words):
            words[w] = (None, t.key)
    for name, code in ISSUE_NAMES.items():
        words.setdefault(name, (code, None))
    for code, name in ISSUES.items():
        words.setdefault(name.casefold(), (code, None))
        words.setdefault(code, (code, None))
    words.update({"human-rights": ("hr", None), "nuclear disarmament": ("nu", None),
                  "nuclear weapons": ("nu", None), "nuclear issues": ("nu", None),
                  "decolonisation": ("co", None), "decolonization": ("co", None)})
    _TOPIC_WORDS.update(words)
    alt = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    lead = r"(?:on|over|about|regarding|concerning|in\s+votes\s+on|in\s+the\s+votes\s+on)"
    return re.compile(
        rf"(?:\b{lead}\s+(?:the\s+)?(?:issue\s+of\s+)?(?:(?:most|all|every|the)\s+)?"
        rf"(?P<t1>{alt})(?:\s+(?:votes?|resolutions?|texts?|issues?|questions?|conflict|"
        rf"war))?|\b(?:the\s+)?(?P<t2>{alt})\s+(?:votes?|resolutions?|texts?|debates?))(?![\w-])",
        re.I)


_TOPIC_WORDS: dict[str, tuple[str | None, str | None]] = {}
_ISSUE_TOPICS = ("colonialism", "disarmament", "development")


def _scan_topic(text: str) -> tuple[str | None, str | None, list[tuple[int, int]]]:
    rx = _topic_rx()
    issue = topic = None
    spans = []
    for m in rx.finditer(text):
        word = norm(m.group("t1") or m.group("t2"))
        code, key = _TOPIC_WORDS.get(word, (None, None))
        if issue is None and topic is None:
            issue, topic = code, key
        spans.append((m.start(), m.end()))
    return issue, topic, spans


# -------------------------------------------------------------------------------- skeleton
@dataclass
class _Sentence:
    text: str
    mentions: list[Mention]
    times: list[TimeMention]
    issue: str | None
    topic: str | None
    skeleton: str


def _analyse(text: str) -> _Sentence:
    times = scan_times(text)
    issue, topic, tspans = _scan_topic(text)
    masked = list(text)
    for s, e in [(t.start, t.end) for t in times] + tspans:
        masked[s:e] = [" "] * (e - s)
    mentions = scan_parties("".join(masked))
    sk, pos = [], 0
    for i, m in enumerate(mentions):
        sk.append("".join(masked[pos:m.start]))
        sk.append(f" @{i}{chr(39) + 's' if m.possessive else ''} ")
        pos = m.end
    sk.append("".join(masked[pos:]))
    skeleton = " ".join(norm("".join(sk)).replace("@ ", "@").split())
    skeleton = re.sub(r"\b(?:the|its|their|his|her|our|fellow)\s+(?=@\d)", "", skeleton)
    return _Sentence(text, mentions, times, issue, topic, skeleton)


_CLAUSE = re.compile(r"\s*(?:;|,?\s+while\s+|,?\s+whereas\s+|,\s+but\s+|,\s+and\s+(?:even\s+)?|"
                     r",\s+even\s+as\s+)\s*")
_PREDICTION = re.compile(r"\b(?:will|would|shall|is\s+expected\s+to|are\s+expected\s+to|"
                         r"is\s+likely\s+to|are\s+likely\s+to|is\s+set\s+to|could|might|"
                         r"(?:is|are)\s+going\s+to|plans?\s+to|intends?\s+to)\b", re.I)
_NORMATIVE = re.compile(r"\b(?:should|ought\s+to|must|needs?\s+to|has\s+to|have\s+to)\b", re.I)
_NONVOTE = re.compile(r"\b(?:trade|troops|soldiers|military\s+aid|aid|imports?|exports?|oil|gas|"
                      r"prisoners?|immigration|speech|summit|visit|deal|tariffs?|sanctions|"
                      r"weapons\s+deliveries|investment|tourism|minutes)\b", re.I)
_VOTECUE = re.compile(r"\b(?:vot\w*|UN|U\.N\.|United\s+Nations|General\s+Assembly|Assembly|"
                      r"Security\s+Council|resolutions?|aligned|alignment|sided|isolated|"
                      r"cohesive|united|divided|neutral|partners?|allies|ally)\b", re.I)

_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
            "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15,
            "twenty": 20, "a dozen": 12}


def _target(m: Mention) -> str:
    if m.ambiguous:
        shown = ", ".join(m.targets)
        raise AmbiguousNameError(f"{m.text!r} is ambiguous: it may mean {shown}; name the one "
                                 "you mean",
                                 candidates=list(m.targets))
    return m.targets[0]


def _count(word: str | None, noun: str | None) -> int:
    if word:
        w = word.casefold()
        return int(w) if w.isdigit() else _NUMBERS.get(" ".join(w.split()), 10)
    if noun and noun.casefold() in ("partner", "ally", "friend", "supporter", "state",
                                     "country"):
        return 1
    return 10


def _is_bloc(t: str) -> bool:
    return t.startswith("bloc:")


def _clause_claims(sk: str, parties: list[Mention], main: Period | None, than: Period | None,
                   since_before: Period | None, issue: str | None, topic: str | None
                   ) -> list[Claim]:
    for kind, direction, rx in COMPILED:
        m = rx.search(sk)
        if not m:
            continue
        g = m.groupdict()

        def p(name: str, g: dict[str, Any] = g) -> str:
            return _target(parties[int(g[name])])

        a = p("a")
        b = p("b") if g.get("b") else None
        c = p("c") if g.get("c") else None
        if len({x for x in (a, b, c) if x}) < len([x for x in (a, b, c) if x]):
            continue  # the same party twice: not this pattern
        period = main or Period.latest()
        common = {"issue": issue, "topic": topic}
        if kind == "closer":
            assert b and c
            return [CloserClaim(a, b, c, period=period, direction=direction, **common)]
        if kind in ("moved", "moved_ref", "moved_than"):
            if kind == "moved_than" and than is None:
                continue
            assert b
            return [MovedClaim(a, b, after=main or Period.now().labelled("now"),
                               before=than, reference=c if kind == "moved_ref" else None,
                               direction=direction, **common)]
        if kind in ("moved_away_toward", "moved_toward_away"):
            assert b and c
            after = main or Period.now().labelled("now")
            first = -1 if kind == "moved_away_toward" else 1
            return [MovedClaim(a, b, after=after, before=than, direction=first, **common),
                    MovedClaim(a, c, after=after, before=than, direction=-first, **common)]
        if kind in ("cohesion", "cohesion2"):
            word = (g.get("w") or "").casefold()
            d = -1 if (g.get("dir") or "").casefold() == "less" else 1
            if word in ("divided", "split", "fragmented", "polarised", "polarized",
                        "disunited"):
                d = -d
            if kind == "cohesion2":
                if not (b and _is_bloc(a) and _is_bloc(b)):
                    continue
                return [CohesionClaim(a, period=period, other=b, direction=d, **common)]
            if not _is_bloc(a):
                continue
            if main is None:
                return []
            return [CohesionClaim(a, period=main, than=than or since_before, direction=d,
                                  **common)]
        if kind == "ranking":
            return [RankingClaim(a, k=_count(g.get("k"), g.get("noun")), period=period,
                                 direction=direction, **common)]
        if kind == "isolation":
            if _is_bloc(a):
                continue
            return [IsolationClaim(a, period=period, direction=direction, **common)]
        if kind == "neutrality":
            assert b and c
            return [NeutralityClaim(a, b, c, period=period, **common)]
    return []


def _skip_reason(text: str, s: _Sentence) -> str | None:
    if not s.mentions:
        return "no parties: names no state or group" + (
            " (a question about votes in general)" if text.rstrip().endswith("?") else "")
    if _PREDICTION.search(text):
        return "a prediction: votes cannot test what has not happened"
    if _NORMATIVE.search(text):
        return "a recommendation, not a claim about votes"
    if _NONVOTE.search(text) and not _VOTECUE.search(text):
        return "not about votes (trade, troops, speeches, …)"
    return None


def read_sentence(text: str) -> list[ReadClaim]:
    """The claims of one sentence (empty when there is none). Raises
    :class:`AmbiguousNameError` when a party's name has several meanings."""
    claims, _ = _read(text)
    return claims


def _read(text: str) -> tuple[list[ReadClaim], str | None]:
    sentence = " ".join(str(text).split())
    s = _analyse(sentence)
    why = _skip_reason(sentence, s)
    if why:
        return [], why
    mains = [t for t in s.times if t.role == "main"]
    thans = [t for t in s.times if t.role == "than"]
    main = mains[0].period if mains else None
    than = thans[0].period if thans else None
    since_before = mains[0].before_event if mains else None
    out: list[Claim] = []
    for clause in _CLAUSE.split(s.skeleton):
        if "@" not in clause:
            continue
        out += _clause_claims(clause, s.mentions, main, than, since_before, s.issue, s.topic)
    if not out:
        out = _clause_claims(s.skeleton, s.mentions, main, than, since_before, s.issue,
                             s.topic)
    if not out:
        if _NONVOTE.search(sentence) and not _VOTECUE.search(sentence):
            return [], "not about votes (trade, troops, speeches, …)"
        return [], ("no relation between the parties that votes can test (closer, moved, "
                    "cohesive, isolated, neutral, closest partners)")
    return [ReadClaim(sentence, c, reading_text(c), _notes(c)) for c in out], None


def _notes(c: Claim) -> tuple[str, ...]:
    notes = []
    periods = [getattr(c, "period", None), getattr(c, "after", None)]
    if any(p is not None and p.kind == "latest" for p in periods):
        notes.append("no period given: the latest complete year of the data")
    if any(p is not None and p.kind == "now" for p in periods):
        notes.append("'now': the latest 12 months of data")
    if isinstance(c, MovedClaim) and c.before is None:
        notes.append("compared with the window of the same length just before")
    return tuple(notes)


def read_text(text: str) -> Reading:
    """Every claim of a text (an article, a paragraph, a sentence), sentence by sentence;
    sentences without one, or with an ambiguous name, are listed as skipped with the reason."""
    claims: list[ReadClaim] = []
    skipped: list[Skipped] = []
    for sentence in split_sentences(text):
        try:
            got, why = _read(sentence)
        except ClaimError as exc:  # a syntax error, or windows that cannot be compared
            skipped.append(Skipped(sentence, str(exc)))
            continue
        if got:
            claims.extend(got)
        else:
            skipped.append(Skipped(sentence, why or "no claim"))
    return Reading(tuple(claims), tuple(skipped))


# --------------------------------------------------------------------------------- reading
@cache
def _bloc_labels() -> dict[str, str]:
    out = {}
    for key, b in builtin_blocs().items():
        short = [a for a in b.aliases if a.replace("-", "").isupper() and len(a) <= 6]
        out[f"bloc:{key}"] = short[0] if short else b.name
    return out


def party_label(token: str) -> str:
    """How a party is shown in a reading: a state code, a bloc's acronym or name."""
    return _bloc_labels().get(token, token)


def _period_label(p: Period | None) -> str:
    if p is None:
        return ""
    if p.kind == "latest":
        return "latest complete year"
    return p.described


def reading_text(c: Claim) -> str:
    """The claim in template form as a reader sees it: ``USA closer to RUS than to EU, now``
    (the CLI adds the body and the measure)."""
    L = party_label
    if isinstance(c, CloserClaim):
        rel = ("closer to", "than to") if c.direction > 0 else ("further from", "than from")
        head = f"{L(c.a)} {rel[0]} {L(c.b)} {rel[1]} {L(c.c)}, {_period_label(c.period)}"
    elif isinstance(c, MovedClaim):
        verb = "moved toward" if c.direction > 0 else "moved away from"
        head = f"{L(c.a)} {verb} {L(c.b)}"
        if c.reference:
            head += f" relative to {L(c.reference)}"
        head += f", {_period_label(c.after)}"
        head += f" compared with {_period_label(c.before)}" if c.before is not None else \
            " compared with the window just before"
    elif isinstance(c, CohesionClaim):
        word = "more cohesive" if c.direction > 0 else "less cohesive"
        if c.other:
            head = f"{L(c.bloc)} {word} than {L(c.other)}, {_period_label(c.period)}"
        else:
            than = _period_label(c.than) if c.than else "the window just before"
            head = f"{L(c.bloc)} {word}, {_period_label(c.period)} than {than}"
    elif isinstance(c, RankingClaim):
        word = "closest to" if c.direction > 0 else "furthest from"
        head = f"top {c.k} {word} {L(c.anchor)}, {_period_label(c.period)}"
    elif isinstance(c, IsolationClaim):
        word = "isolated" if c.direction > 0 else "not isolated"
        head = f"{L(c.a)} {word}, {_period_label(c.period)}"
    else:
        head = (f"{L(c.a)} neutral between {L(c.b)} and {L(c.c)} (margin {c.margin:g}), "
                f"{_period_label(c.period)}")
    if c.issue:
        head += f", on {ISSUES.get(c.issue, c.issue)}"
    if c.topic:
        head += f", on {TOPICS[c.topic].name if c.topic in TOPICS else c.topic}"
    return head
