"""Resolution symbols as people type them: the forms :meth:`comity.store.db.Store.find_symbol`
tries, in order.

The store keys resolutions by the canonical symbol of
:func:`comity.ingest.sources.base.normalize_symbol` (``A/RES/68/262``, ``A/RES/377(V)``,
``A/RES/ES-11/4``, ``S/RES/2758``). People type shorter forms; each is read as:

============================  ===========================================================
typed                         tried
============================  ===========================================================
``A/RES/68/262``, rid         itself (normalised: spaces removed, upper case, ``R/`` →
                              ``A/RES/``, ``S/RES/2758 (2024)`` → ``S/RES/2758``)
``68/262``                    ``A/RES/68/262`` (session/number: the General Assembly)
``ES-11/4``, ``S-32/1``       ``A/RES/ES-11/4`` (emergency and special sessions)
``A/ES-11/4``, ``A/68/262``   ``A/RES/ES-11/4``, ``A/RES/68/262`` (``A/`` without ``RES/``)
``S/2758``                    ``S/2758`` (a draft's symbol), then ``S/RES/2758``
``2758 (XXVI)``               ``A/RES/2758(XXVI)``
``2758 (2024)``               ``S/RES/2758`` (a year in brackets: the Security Council)
``res 2758``, ``2758``        ``S/RES/2758`` and the Assembly's ``A/RES/2758(…)`` (numbered
                              without a session before 1976), both
============================  ===========================================================

A leading ``resolution``, ``res``, ``res.``, ``no.``, ``GA``/``General Assembly`` or
``SC``/``Security Council`` is dropped (the last two keep only that body's forms). Each form
is matched exactly (rid or symbol); only if no form matches are the forms tried as prefixes
(``A/RES/77/293`` finds ``A/RES/77/293A`` and ``B``).
"""

from __future__ import annotations

import re

from comity.ingest.sources.base import normalize_symbol

__all__ = ["symbol_forms"]

_LEAD = re.compile(
    r"^(?:(?P<body>GA|G\.A\.|GENERAL\s+ASSEMBLY|SC|S\.C\.|SECURITY\s+COUNCIL)\s*)?"
    r"(?:(?:RESOLUTIONS?|RES)\b\.?\s*)?(?:(?:NO|NR|NUMBER)\b\.?\s*)?#?\s*")
_SESSION_NUMBER = re.compile(r"^(?:ES-\d+|S-\d+|\d+)/\d+[A-Z]*$")
_ROMAN_NUMBER = re.compile(r"^\d+\([IVXLC]+\)[A-Z]*$")
_YEAR_NUMBER = re.compile(r"^(\d+)\((\d{4})\)$")
_BARE_NUMBER = re.compile(r"^\d+$")


def symbol_forms(text: str) -> list[str]:
    """Canonical symbols (or symbol beginnings, for a bare Assembly number: ``A/RES/2758(``)
    that ``text`` may mean, most likely first; see the module docstring. Empty for empty
    text."""
    s = re.sub(r"\s+", " ", str(text or "")).strip().upper()
    if not s:
        return []
    m = _LEAD.match(s)
    body = None
    if m is not None and m.end() > 0:
        g = (m.group("body") or "").replace(".", "").replace(" ", "")
        body = {"GA": "GA", "GENERALASSEMBLY": "GA", "SC": "SC",
                "SECURITYCOUNCIL": "SC"}.get(g)
        rest = s[m.end():]
        if rest:
            s = rest
    c = s.replace(" ", "")
    forms: list[str] = []

    def add(form: str | None) -> None:
        if form and form not in forms:
            forms.append(form)

    if c.startswith(("A/RES/", "S/RES/", "R/")):
        add(normalize_symbol(c))
    elif c.startswith("A/"):
        add(normalize_symbol("A/RES/" + c[2:]))
        add(normalize_symbol(c))
    elif c.startswith("S/"):
        add(normalize_symbol(c))  # a draft's symbol (S/2024/255) as stored
        add(normalize_symbol("S/RES/" + c[2:]))
    elif _SESSION_NUMBER.match(c) or _ROMAN_NUMBER.match(c):
        add("A/RES/" + c)
    elif (ym := _YEAR_NUMBER.match(c)) is not None:
        add("S/RES/" + ym.group(1))
    elif _BARE_NUMBER.match(c):
        if body != "GA":
            add("S/RES/" + c)
        if body != "SC":
            add("A/RES/" + c + "(")  # the Assembly's numbering before 1976: 2758 (XXVI)
    add(normalize_symbol(c))  # as typed (a rid, or a symbol of another form)
    return forms
