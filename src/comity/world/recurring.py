"""Recurring resolutions: the rule that says two resolutions of different sessions carry the
same text (used by the store's ``resolutions.recurring_key``, by vote switches in
:mod:`comity.analysis.shifts`).

The *recurring key* of a resolution is its normalised title: the catalogue suffix
(" : resolution / adopted by the General Assembly") removed, parenthesised and bracketed parts
removed, digits and ordinal words (session numbers, years) removed, lower-cased, every run of
non-letters made one space, cut at 100 characters on a word boundary. Where the same title is
used for several whole-text votes of one session (e.g. "Question of Palestine" A, B, C…), the
normalised agenda item is appended (``title | agenda``). Pure functions; no I/O.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

_ORD_UNITS = ("first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|"
              "twelfth|thirteenth|fourteenth|fifteenth|sixteenth|seventeenth|eighteenth|"
              "nineteenth")
_ORD_TENS = "twentieth|thirtieth|fortieth|fiftieth|sixtieth|seventieth|eightieth|ninetieth"
_TENS = "twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety"
_ORDINAL = (rf"\b(?:(?:{_TENS})[\s-]+)?(?:{_ORD_UNITS})\b|\b(?:{_ORD_TENS}|hundredth)\b")
_CATALOGUE = r"(?i)\s*:\s*resolution\s*/.*$"
_TRUNC_MARK = r"\s*\[\.\.\.\]\s*$"
_CUT_COLON = r"\s+:\s*\S{0,12}$"
_PAREN = r"\([^()]*\)|\[[^\[\]]*\]"
_DIGITS = r"\d+(?:st|nd|rd|th|d)?\b|\d+"
_NONALPHA = r"[^a-z]+"
MAX_KEY = 100


def title_parts(values: Any) -> np.ndarray:
    """The normalised form (module docstring) of every title or agenda text in ``values``.

    Vectorised with Arrow's RE2 kernels over the distinct values; a missing value gives "".
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    vals = pd.Series(values, dtype=object)
    codes, uniq = pd.factorize(vals, use_na_sentinel=True)
    if len(uniq) == 0:
        return np.full(len(vals), "", dtype=object)
    arr = pa.array([v if isinstance(v, str) else str(v) for v in uniq], type=pa.string())

    def sub(a: Any, pattern: str, repl: str = " ") -> Any:
        return pc.replace_substring_regex(a, pattern, repl)

    t = sub(pc.utf8_trim_whitespace(arr), _CATALOGUE, "")
    cut = sub(sub(t, _TRUNC_MARK, ""), _CUT_COLON, "")
    t = pc.if_else(pc.match_substring_regex(t, _TRUNC_MARK), cut, t)
    t = pc.utf8_lower(t)
    for _ in range(2):
        t = sub(t, _PAREN)
    for pattern in (_DIGITS, _ORDINAL, _NONALPHA):
        t = sub(t, pattern)
    t = pc.utf8_trim_whitespace(t)
    short = sub(pc.utf8_slice_codeunits(t, 0, MAX_KEY + 1), r" [^ ]*$", "")
    t = pc.if_else(pc.greater(pc.utf8_length(t), MAX_KEY), short, t)
    norm = np.asarray(t.to_pylist(), dtype=object)
    out = np.full(len(vals), "", dtype=object)
    ok = codes >= 0
    out[ok] = norm[codes[ok]]
    return out


def recurring_key(title: str | None, agenda: str | None = None) -> str:
    """The recurring key of one resolution: its normalised title, with ``" | "`` and the
    normalised agenda item when ``agenda`` is given (the module docstring says when
    :func:`recurring_keys` uses it)."""
    key = str(title_parts([title])[0])
    if agenda is not None:
        key = f"{key} | {title_parts([agenda])[0]}"
    return key


def recurring_keys(resolutions: pd.DataFrame) -> pd.Series:
    """The recurring key of every row of ``resolutions`` (columns ``title``, ``session`` and,
    if present, ``agenda``, ``amend``, ``para``): the normalised title; where that title occurs
    more than once among the session's votes on whole texts, title and agenda item."""
    titles = pd.Series(title_parts(resolutions["title"]), dtype=object)
    if "agenda" not in resolutions.columns or "session" not in resolutions.columns:
        return titles.rename("recurring_key")
    whole = pd.Series(whole_text_votes(resolutions))
    sess = resolutions["session"].reset_index(drop=True)
    counts = whole.astype(int).groupby([sess, titles], dropna=False).transform("sum")
    agenda = pd.Series(title_parts(resolutions["agenda"]), dtype=object)
    use = (counts > 1).to_numpy() & (titles != "").to_numpy()
    out = titles.where(~use, titles + " | " + agenda)
    return out.rename("recurring_key")


def whole_text_votes(res: pd.DataFrame) -> np.ndarray:
    m = np.ones(len(res), dtype=bool)
    for c in ("amend", "para"):
        if c in res.columns:
            m &= ~res[c].astype("boolean").fillna(False).to_numpy(dtype=bool)
    return m


