"""Keyword topics: subjects that Voeten's six issue codes do not name, found by keywords in a
resolution's title, agenda item and UN subjects (no votes here; the store does the search).

:data:`TOPICS` is the documented default list: each topic has the words people write for it
and the keywords searched (case-insensitive substrings; a resolution is on the topic when any
keyword occurs). Any other word can be used as a topic too (``comity claim "… on Venezuela"``,
``--topic WORD``): it is searched as itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["TOPICS", "Topic", "find_topic", "topic"]


@dataclass(frozen=True)
class Topic:
    """A keyword topic: ``key`` (lower case), a display ``name``, the ``words`` people write
    for it and the ``keywords`` searched in titles, agenda items and subjects."""

    key: str
    name: str
    words: tuple[str, ...]
    keywords: tuple[str, ...]


TOPICS: dict[str, Topic] = {t.key: t for t in (
    Topic("ukraine", "Ukraine", ("ukraine", "the war in ukraine", "crimea"),
          ("Ukraine", "Crimea", "Sevastopol")),
    Topic("gaza", "Gaza", ("gaza", "the gaza war", "the war in gaza"), ("Gaza",)),
    Topic("palestine", "Palestine / Israel", ("palestine", "palestinian question",
                                               "the palestinian question", "israel-palestine",
                                               "israeli-palestinian conflict", "palestinians",
                                               "the occupied territories"),
          ("Palestin", "Occupied Arab", "Israeli practices", "Israeli settlements",
           "East Jerusalem", "UNRWA")),
    Topic("cuba embargo", "Cuba embargo", ("cuba embargo", "the cuba embargo",
                                           "the embargo on cuba", "the us embargo on cuba",
                                           "the blockade of cuba", "cuba"),
          ("embargo imposed by the United States of America against Cuba", "against Cuba")),
    Topic("iran", "Iran", ("iran", "iranian nuclear programme", "the iran deal"),
          ("Iran",)),
    Topic("syria", "Syria", ("syria", "the syrian war", "the syrian conflict", "the golan"),
          ("Syria", "Golan")),
    Topic("dprk", "North Korea (DPRK)", ("dprk", "north korea", "the korean peninsula"),
          ("Democratic People's Republic of Korea", "Korean Peninsula")),
    Topic("myanmar", "Myanmar", ("myanmar", "burma", "the rohingya", "rohingya"),
          ("Myanmar", "Rohingya")),
    Topic("venezuela", "Venezuela", ("venezuela",), ("Venezuela",)),
    Topic("afghanistan", "Afghanistan", ("afghanistan",), ("Afghanistan",)),
    Topic("colonialism", "colonialism", ("decolonisation", "decolonization",
                                         "non-self-governing territories"),
          ("colonial", "Non-Self-Governing", "decoloni")),
    Topic("disarmament", "disarmament", ("arms control", "weapons"),
          ("disarmament", "weapons", "arms ")),
    Topic("development", "development", ("sustainable development", "the economy", "trade"),
          ("development", "economic")),
    Topic("human rights situations", "human rights country situations",
          ("human rights country situations", "country situations",
           "human rights situations"), ("Situation of human rights in",)),
    Topic("climate", "climate", ("climate", "climate change", "the climate"), ("climate",)),
    Topic("terrorism", "terrorism", ("terrorism", "counter-terrorism"), ("terroris",)),
)}
"""The default keyword topics (a documented list; ``topic(WORD)`` makes any other)."""

_BY_WORD = {w: t for t in TOPICS.values() for w in (t.key, *t.words)}


def _norm(text: str) -> str:
    return " ".join(re.sub(r"[’']", "'", str(text)).casefold().split())


def find_topic(text: str) -> Topic | None:
    """The default topic ``text`` names (``"the war in Ukraine"`` → ukraine), or None."""
    t = _norm(text)
    return _BY_WORD.get(t) or _BY_WORD.get(re.sub(r"^the\s+", "", t))


def topic(text: str) -> Topic:
    """The topic ``text`` names: a default one, or a new topic searching ``text`` itself."""
    found = find_topic(text)
    if found is not None:
        return found
    word = " ".join(str(text).split())
    return Topic(word.casefold(), word, (word.casefold(),), (word,))
