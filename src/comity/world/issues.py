"""Voeten's issue codes: the vocabulary every wing shares (no votes here).

Voeten's UNGA data codes roll calls with six issues; :data:`ISSUES` names them, and
:func:`issue_code` reads a code or a common name (``"human rights"`` → ``"hr"``). The store
filters by these codes, the classifier predicts them, claims and the CLI accept their names.
"""

from __future__ import annotations

import re

from comity.errors import QueryError

__all__ = ["ISSUES", "ISSUE_CODES", "ISSUE_NAMES", "issue_code"]

ISSUES: dict[str, str] = {
    "me": "Middle East (Palestinian conflict)",
    "nu": "nuclear weapons and nuclear material",
    "di": "arms control and disarmament",
    "hr": "human rights",
    "co": "colonialism",
    "ec": "economic development",
}
"""Voeten's issue codes and what they cover (only votes coded by Voeten carry them)."""

ISSUE_CODES: tuple[str, ...] = tuple(ISSUES)
"""The six codes in Voeten's order (me, nu, di, hr, co, ec)."""

ISSUE_NAMES: dict[str, str] = {
    "middle east": "me", "palestinian conflict": "me", "palestine": "me",
    "israel palestine": "me", "nuclear": "nu", "nuclear weapons": "nu",
    "nuclear weapons and nuclear material": "nu", "disarmament": "di", "arms control": "di",
    "arms control and disarmament": "di", "human rights": "hr", "colonialism": "co",
    "decolonization": "co", "decolonisation": "co", "economic development": "ec",
    "development": "ec", "economic": "ec", "economy": "ec",
}
"""Names people write for the codes (lower case, single spaces)."""


def issue_code(issue: str | None) -> str | None:
    """The code of ``issue`` (a code or a name in :data:`ISSUE_NAMES`); None stays None.

    Raises :class:`~comity.errors.QueryError` naming the known codes for anything else.
    """
    if issue is None:
        return None
    text = " ".join(re.sub(r"[-_/]+", " ", str(issue)).casefold().split())
    if text in ISSUES:
        return text
    if text in ISSUE_NAMES:
        return ISSUE_NAMES[text]
    known = ", ".join(f"{k} ({v})" for k, v in ISSUES.items())
    raise QueryError(f"unknown issue {issue!r}; expected one of Voeten's codes: {known}")
