"""Party names in prose: every phrase that names a state or a bloc, compiled from the world
data (``states.csv``, ``aliases.csv``, the blocs' names and aliases, and ``gazetteer.csv`` for
capitals, demonyms, informal names and group words), never copied.

:func:`scan_parties` finds the longest phrases in a sentence, left to right. Rules:

- names match case-insensitively (accents and apostrophes normalised); a possessive ``'s`` or
  a leading ``the`` is part of the mention;
- three-letter codes (``USA``, ``RUS``) and ``US``/``UK``/``EC``/``UN`` match only in capitals,
  and no code matches in a sentence written in capitals (a headline);
- a phrase with several meanings (``NAM``: Namibia or the Non-Aligned Movement; ``EC``:
  Ecuador or the European Community; ``Congo``, ``Korea``, ``Guinea``) is kept with all of them:
  the reader never picks one silently.
"""

from __future__ import annotations

import contextlib
import csv
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib import resources

from comity.world import states as st
from comity.world.blocs import builtin_blocs

__all__ = ["Mention", "scan_parties"]

AMBIGUOUS_NAMES: dict[str, tuple[str, ...]] = {
    "congo": ("COG", "COD"),
    "the congo": ("COG", "COD"),
    "korea": ("KOR", "PRK"),
    "guinea": ("GIN", "GNB", "GNQ"),
    "ec": ("ECU", "bloc:eu"),
}
"""Names the reader never resolves alone (the templates' resolver has its own rules)."""

_CODE_WORDS = {"US": ("USA",), "U.S.": ("USA",), "U.S.A.": ("USA",), "UK": ("GBR",),
               "U.K.": ("GBR",), "EC": ("ECU", "bloc:eu")}
_SKIP_CODES = {"AND", "ARE", "CAN", "PER", "TON", "MAR", "NOR", "TUN", "NIC", "PAN", "GAB",
               "BEN", "DOM", "ITA"}  # English words or names written in capitals in headlines


@dataclass(frozen=True)
class Mention:
    """A party named in a sentence: ``start``/``end`` character offsets, the ``text``, its
    meanings (``("USA",)``; several when ambiguous) and whether it was possessive."""

    start: int
    end: int
    text: str
    targets: tuple[str, ...]
    possessive: bool = False

    @property
    def ambiguous(self) -> bool:
        return len(self.targets) > 1


def norm(text: str) -> str:
    """Lower case, accents and apostrophes normalised, single spaces."""
    t = unicodedata.normalize("NFKD", str(text))
    t = "".join(c for c in t if not unicodedata.combining(c))
    t = t.replace("’", "'").replace("‘", "'").replace("–", "-").replace("—", "-")
    return " ".join(t.casefold().split())


def _add(idx: dict[str, list[str]], phrase: str, target: str) -> None:
    key = norm(phrase)
    if not key:
        return
    cur = idx.setdefault(key, [])
    if target not in cur:
        cur.append(target)


@cache
def _index() -> dict[str, tuple[str, ...]]:
    """Lower-case phrase -> targets (state codes, ``bloc:key``)."""
    idx: dict[str, list[str]] = {}
    for r in st.states_table().itertuples(index=False):
        _add(idx, r.name, r.code)
    al = st.aliases_table()
    al = al[al["kind"] == "name"]
    for spelling, rows in al.groupby("spelling", sort=False):
        codes = list(dict.fromkeys(rows["code"].astype(str)))
        dated = rows["valid_from"].fillna("").astype(str).str.len().gt(0).any() \
            or rows["valid_to"].fillna("").astype(str).str.len().gt(0).any()
        if len(codes) > 1 and dated:
            # a dated spelling ("Russia": the USSR before 1991-12-24) reads as its default
            # meaning; the evaluation applies lineage by date
            with contextlib.suppress(Exception):  # ambiguous: keep every meaning
                codes = [st.lookup(str(spelling))]
        for c in codes:
            _add(idx, str(spelling), c)
    gaz: dict[str, list[str]] = {}
    text = (resources.files("comity.world") / "data" / "gazetteer.csv").read_text("utf-8")
    for r in csv.DictReader(text.splitlines()):
        _add(gaz, r["phrase"], r["target"].strip())
    for key, bloc in builtin_blocs().items():
        for phrase in (bloc.name, *bloc.aliases):
            if len(phrase) <= 4 and phrase.isupper():
                continue  # acronyms are matched in capitals below
            _add(idx, phrase, f"bloc:{key}")
    for k, v in gaz.items():  # the gazetteer's readings win over a name's other meanings
        idx[k] = list(v)
    for k, v in AMBIGUOUS_NAMES.items():
        idx[k] = list(v)
    return {k: tuple(v) for k, v in idx.items()}


@cache
def _acronyms() -> dict[str, tuple[str, ...]]:
    """Words matched only in capitals: state codes, bloc acronyms, US/UK/EC."""
    out: dict[str, list[str]] = {}
    for code in st.states_table()["code"]:
        out.setdefault(str(code), []).append(str(code))
    for key, bloc in builtin_blocs().items():
        for phrase in (key, bloc.name, *bloc.aliases):
            p = phrase.replace("-", "")
            if p.isupper() and 2 <= len(p) <= 5:
                out.setdefault(p, []).append(f"bloc:{key}")
                if phrase != p:
                    out.setdefault(phrase, []).append(f"bloc:{key}")
    for w, targets in _CODE_WORDS.items():
        out[w] = list(targets)
    return {k: tuple(dict.fromkeys(v)) for k, v in out.items()}


@cache
def _phrase_rx() -> re.Pattern[str]:
    words = sorted(_index(), key=len, reverse=True)
    alt = "|".join(re.escape(w) for w in words)
    return re.compile(rf"(?<![\w-])(?:the\s+)?(?P<p>{alt})(?P<poss>'s?)?(?![\w-])")


_ACRO = re.compile(r"(?<![\w.])(?P<p>U\.S\.(?:A\.)?|U\.K\.|[A-Z][A-Z0-9-]{1,5})(?P<poss>'s?)?"
                   r"(?![\w])")


def _headline(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and sum(c.isupper() for c in letters) > 0.6 * len(letters)


def scan_parties(text: str) -> list[Mention]:
    """The parties named in ``text`` (a sentence), longest match first, left to right."""
    low = norm(text)
    if len(low) != len(text):  # keep offsets aligned with the original text
        low = _align(text)
    found: list[Mention] = []
    taken = [False] * len(text)
    for m in _phrase_rx().finditer(low):
        s, e = m.start(), m.end()
        if any(taken[s:e]):
            continue
        targets = _index()[m.group("p")]
        found.append(Mention(s, e, text[s:e], targets, bool(m.group("poss"))))
        taken[s:e] = [True] * (e - s)
    if not _headline(text):
        for m in _ACRO.finditer(text):
            s, e = m.start(), m.end()
            word = m.group("p")
            if any(taken[s:e]) or word in _SKIP_CODES or word not in _acronyms():
                continue
            found.append(Mention(s, e, text[s:e], _acronyms()[word], bool(m.group("poss"))))
            taken[s:e] = [True] * (e - s)
    return sorted(found, key=lambda x: x.start)


def _align(text: str) -> str:
    """:func:`norm` character by character (same length), for offsets."""
    out = []
    for c in text:
        n = norm(c) if not c.isspace() else " "
        out.append(n[:1] if n else " ")
    return "".join(out)
