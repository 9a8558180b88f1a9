"""Recurring resolutions: the rule that says two resolutions of different sessions carry the
same text (used by the store's ``resolutions.recurring_key``, by vote switches in
:mod:`comity.shifts`).

The *recurring key* of a resolution is its normalised title: the catalogue suffix
(" : resolution / adopted by the General Assembly") removed, parenthesised and bracketed parts
removed, digits and ordinal words (session numbers, years) removed, lower-cased, every run of
non-letters made one space, cut at 100 characters on a word boundary. Where the same title is
used for several whole-text votes of one session (e.g. "Question of Palestine" A, B, C…), the
normalised agenda item is appended (``title | agenda``). Pure functions; no I/O.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

_ORD_UNITS = ("first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|"
              "twelfth|thirteenth|fourteenth|fifteenth|sixteenth|seventeenth|eighteenth|"
              "nineteenth")
_ORD_TENS = "twentieth|thirtieth|fortieth|fiftieth|sixtieth|seventieth|eightieth|ninetieth"
_TENS = "twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety"
_ORDINAL = re.compile(
    rf"\b(?:(?:{_TENS})[\s-]+)?(?:{_ORD_UNITS})\b|\b(?:{_ORD_TENS}|hundredth)\b")
_CATALOGUE = re.compile(r"\s*:\s*resolution\s*/.*$", re.IGNORECASE)
_TRUNC_MARK = re.compile(r"\s*\[\.\.\.\]\s*$")
_CUT_COLON = re.compile(r"\s+:\s*\S{0,12}$")
_PAREN = re.compile(r"\([^()]*\)|\[[^\[\]]*\]")
_DIGITS = re.compile(r"\d+(?:st|nd|rd|th|d)?\b|\d+")
_NONALPHA = re.compile(r"[^a-z]+")
MAX_KEY = 100


def _norm_text(text: str) -> str:
    t = text.lower()
    for _ in range(2):
        t = _PAREN.sub(" ", t)
    t = _DIGITS.sub(" ", t)
    t = _ORDINAL.sub(" ", t)
    t = _NONALPHA.sub(" ", t)
    return " ".join(t.split())


def _title_part(title: Any) -> str:
    if title is None or (isinstance(title, float) and np.isnan(title)):
        return ""
    t = str(title).strip()
    t = _CATALOGUE.sub("", t)
    if _TRUNC_MARK.search(t):
        t = _TRUNC_MARK.sub("", t)
        t = _CUT_COLON.sub("", t)
    key = _norm_text(t)
    if len(key) > MAX_KEY:
        key = key[: MAX_KEY + 1].rsplit(" ", 1)[0]
    return key


def recurring_key(title: str | None, agenda: str | None = None) -> str:
    """The recurring key of one resolution: its normalised title, with ``" | "`` and the
    normalised agenda item when ``agenda`` is given (the module docstring says when
    :func:`recurring_keys` uses it)."""
    key = _title_part(title)
    if agenda is not None:
        key = f"{key} | {_title_part(agenda)}"
    return key


def recurring_keys(resolutions: pd.DataFrame) -> pd.Series:
    """The recurring key of every row of ``resolutions`` (columns ``title``, ``session`` and,
    if present, ``agenda``, ``amend``, ``para``): the normalised title; where that title occurs
    more than once among the session's votes on whole texts, title and agenda item."""
    titles = resolutions["title"].map(_title_part).reset_index(drop=True)
    if "agenda" not in resolutions.columns or "session" not in resolutions.columns:
        return titles.rename("recurring_key")
    whole = pd.Series(_whole_text_votes(resolutions))
    sess = resolutions["session"].reset_index(drop=True)
    counts = whole.astype(int).groupby([sess, titles], dropna=False).transform("sum")
    agenda = resolutions["agenda"].reset_index(drop=True).map(_title_part)
    use = (counts > 1).to_numpy() & (titles != "").to_numpy()
    out = titles.where(~use, titles + " | " + agenda)
    return out.rename("recurring_key")


def _whole_text_votes(res: pd.DataFrame) -> np.ndarray:
    m = np.ones(len(res), dtype=bool)
    for c in ("amend", "para"):
        if c in res.columns:
            m &= ~res[c].astype("boolean").fillna(False).to_numpy(dtype=bool)
    return m


