"""The phrasings the reader knows, as data: one row per pattern over a sentence's *skeleton*.

A skeleton is the sentence in lower case with every party replaced by ``@N`` (``@N's`` when
possessive) and the time and topic phrases taken out, e.g. ``"@0 voted closer to @1 than to
@2"``. Each row is ``(kind, direction, pattern)``; the pattern names the parties ``a``, ``b``
and ``c`` (and ``k``, a count, for rankings). :data:`PATTERNS` is tried in order and the first
that matches a clause wins, so more specific phrasings come first. Rows are validated on import
(every group a pattern names must fit its kind).
"""

from __future__ import annotations

import re

__all__ = ["PATTERNS", "Pattern"]

F = r"(?:(?!@\d)[^;])*?"  # filler: anything but another party
A, B, C = r"@(?P<a>\d+)(?:'s)?", r"@(?P<b>\d+)(?:'s)?", r"@(?P<c>\d+)(?:'s)?"
_WITH = r"(?:aligned|align|aligns|voted|votes|vote|voting|sided|sides|side|siding|stood|stands|" \
        r"stand|standing|lined\s+up|lines\s+up|sat|sits|agreed|agrees|went|goes|been)"
_MOVE = r"(?:moved|moving|moves|move|drifted|drifting|drifts|drift|shifted|shifting|shifts|" \
        r"shift|pivoted|pivoting|pivots|pivot|tilted|tilting|tilts|leaned|leaning|leans|" \
        r"gravitated|gravitating|turned|turning|turns|edged|edging|edges|inched|swung|swings|" \
        r"veered|come|came|grew|grown|growing|drawn|drew|gotten|got)"
_AWAY = r"(?:moved|moving|moves|move|drifted|drifting|drifts|drift|shifted|shifting|shifts|" \
        r"turned|turning|turns|pulled|pulling|grew|grown|growing|distanced|distancing|" \
        r"distances|distance|edged|backed|broke|broken|split|tilted|tilting|tilts|veered|" \
        r"swung|swings|turned)"
_COH = r"(?P<w>united|unified|cohesive|cohesively|coherent|divided|split|fragmented|" \
       r"polari[sz]ed|disunited)"
_NUM = r"(?P<k>\d+|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|" \
       r"twenty|a\s+dozen)"

Pattern = tuple[str, int, str]

PATTERNS: tuple[Pattern, ...] = (
    # -- neutrality ------------------------------------------------------------------------
    ("neutrality", 0, rf"{A}{F}\b(?:neutral|on\s+the\s+fence|balanced|balancing|balance|"
                      rf"equidistant|non-?aligned|hedged|hedging|even-?handed|in\s+the\s+middle|"
                      rf"middle\s+ground|impartial)\b{F}\bbetween\s+{B}\s+and\s+{C}"),
    # -- isolation --------------------------------------------------------------------------
    ("isolation", -1, rf"\bmajority\b{F}\bneutral(?:ity)?\b{F}\b(?:towards?|to|on)\s+{A}"),
    ("isolation", -1, rf"{A}{F}\b(?:is|was|are|were|been|remains|remained)\s+(?:not|no\s+longer|"
                      rf"hardly|far\s+from)\s+(?:\w+\s+)?isolated\b"),
    ("isolation", 1, rf"{A}{F}\b(?:isolated|isolation|alone|lonely|outvoted|"
                     rf"in\s+(?:a|the)\s+(?:small\s+)?minority)\b"),
    # -- ranking ----------------------------------------------------------------------------
    ("ranking", 1, rf"{A}{F}\b(?:closest|nearest|strongest|best|most\s+loyal|most\s+reliable|"
                   rf"top)\s+(?:{_NUM}\s+)?(?:voting\s+)?(?P<noun>partners?|all(?:y|ies)|"
                   rf"friends?|supporters?|states|countries)\b"),
    ("ranking", -1, rf"{A}{F}\b(?:furthest|farthest|most\s+distant|least\s+aligned)\s+"
                    rf"(?:{_NUM}\s+)?(?P<noun>partners?|states|countries|members)\b"),
    ("ranking", 1, rf"\b(?:(?:the|which|what)\s+)?(?:top\s+)?(?:{_NUM}\s+)?(?P<noun>states|"
                   rf"countries|members|nations|partners|state|country){F}\b(?:closest|nearest|"
                   rf"most\s+aligned|most\s+often\s+with|most\s+like|most\s+in\s+line)\b"
                   rf"(?:\s+(?:to|with))?\s+{A}"),
    ("ranking", -1, rf"\b(?:(?:the|which|what)\s+)?(?:top\s+)?(?:{_NUM}\s+)?(?P<noun>states|"
                    rf"countries|members|nations|state|country){F}\b(?:furthest|farthest|"
                    rf"least\s+aligned|most\s+distant)\b(?:\s+(?:from|with|to))?\s+{A}"),
    ("ranking", 1, rf"\btop\s+{_NUM}\s+(?:closest|nearest)\s+(?:to|with)\s+{A}"),
    ("ranking", -1, rf"\btop\s+{_NUM}\s+(?:furthest|farthest)\s+from\s+{A}"),
    ("ranking", 1, rf"\bwho\b{F}\b(?:closest|most\s+like|most\s+often\s+with)\s+(?:to\s+)?{A}"),
    # -- cohesion ---------------------------------------------------------------------------
    ("cohesion2", 0, rf"{A}{F}\b(?P<dir>more|less)\s+(?:\w+\s+)?{_COH}{F}\bthan\s+{B}"),
    ("cohesion2", 0, rf"{A}{F}\b{_COH}\s+(?P<dir>more|less)\s+(?:often\s+)?{F}\bthan\s+{B}"),
    ("cohesion", 0, rf"{A}{F}\b(?P<dir>more|less|increasingly)\s+(?:\w+\s+)?{_COH}\b"),
    ("cohesion", 0, rf"{A}{F}\b{_COH}\s+(?P<dir>more|less)\s+often\b"),
    # -- moved (two claims: away from B and toward C) ---------------------------------------
    ("moved_away_toward", 0, rf"{A}{F}\b{_AWAY}\s+(?:\w+\s+)?away\s+from\s+{B}{F}\band\s+"
                             rf"(?:\w+\s+)?(?:towards?|closer\s+to|to)\s+{C}"),
    ("moved_toward_away", 0, rf"{A}{F}\b{_MOVE}\s+(?:\w+\s+)?(?:towards?|closer\s+to|to)\s+{B}"
                             rf"{F}\band\s+(?:\w+\s+)?away\s+from\s+{C}"),
    # -- moved with a reference -------------------------------------------------------------
    ("moved_ref", 1, rf"{A}{F}\b(?:began|begun|begins|started|starts|starting)\s+to\s+"
                     rf"(?:align|vote|side)\s+more\s+(?:closely\s+|often\s+)?with\s+{B}{F}\b(?:compared\s+"
                     rf"(?:to|with)|relative\s+to|rather\s+than|than)\s+(?:with\s+|to\s+)?{C}"),
    ("moved_ref", 1, rf"{A}{F}\b{_MOVE}\s+(?:\w+\s+)?(?:towards?|closer\s+to|nearer\s+to)\s+{B}"
                     rf"{F}\b(?:compared\s+(?:to|with)|relative\s+to)\s+{C}"),
    ("moved_ref", -1, rf"{A}{F}\b{_AWAY}\s+(?:\w+\s+)?(?:away|apart|further|farther)\s+from\s+"
                      rf"{B}{F}\b(?:compared\s+(?:to|with)|relative\s+to)\s+{C}"),
    # -- moved ------------------------------------------------------------------------------
    ("moved", 1, rf"{A}{F}\b(?:began|begun|begins|started|starts|starting)\s+to\s+(?:align|vote|"
                 rf"side)\s+(?:more\s+)?(?:closely\s+|often\s+)?with\s+{B}"),
    ("moved", -1, rf"{A}{F}\bdistanc\w*\s+(?:itself|themselves|himself|herself)\s+from\s+{B}"),
    ("moved", -1, rf"{A}{F}\b{_AWAY}\s+(?:\w+\s+)?(?:away|apart|further|farther)\s+from\s+{B}"),
    ("moved", 1, rf"{A}{F}\b{_MOVE}\s+(?:\w+\s+)?(?:towards?|closer\s+to|nearer\s+to|"
                 rf"into\s+(?:the\s+)?(?:orbit|camp)\s+of|in\s+line\s+with)\s+{B}"),
    ("moved", 1, rf"{A}{F}\b(?:pivoted|pivoting|pivots|pivot|tilted|tilting|tilts|turned|turning|"
                 rf"swung)\s+to\s+{B}"),
    ("moved", 1, rf"{A}{F}\band\s+{B}{F}\b(?:grown|grew|growing|moved|drawn|drew|come|came|"
                 rf"got|gotten|edged)\s+(?:\w+\s+)?closer\b"),
    ("moved", 1, rf"\brapprochement\s+between\s+{A}\s+and\s+{B}"),
    ("moved", 1, rf"{A}{F}\brapprochement\s+with\s+{B}"),
    ("moved", 1, rf"{A}{F}\b(?:grown|grew|growing)\s+(?:\w+\s+)?closer\s+to\s+{B}"),
    # -- closer / further -------------------------------------------------------------------
    ("closer", -1, rf"{A}{F}\b(?:further|farther|more\s+distant)\s+(?:away\s+)?from\s+{B}{F}"
                   rf"\bthan\b{F}{C}"),
    ("closer", -1, rf"{A}{F}\bless\b{F}\blike\s+{B}{F}\bthan\b{F}{C}"),
    ("closer", -1, rf"{A}{F}\bless\s+(?:closely\s+)?(?:aligned|in\s+step|in\s+line|in\s+tune)\s+"
                   rf"with\s+{B}{F}\bthan\b{F}{C}"),
    ("closer", 1, rf"{A}{F}\b(?:closer|nearer)\b(?:\s+(?:to|with))?\s+{B}{F}\b(?:than|or)\b{F}{C}"),
    ("closer", 1, rf"{A}{F}\bmore\s+(?:\w+\s+)?(?:aligned|in\s+step|in\s+line|in\s+tune|attuned|"
                  rf"in\s+sync|allied)\s+(?:with|to)\s+{B}{F}\bthan\b{F}{C}"),
    ("closer", 1, rf"{A}{F}\b(?:aligned|aligns|align)\s+more\s+(?:closely\s+)?with\s+{B}{F}"
                  rf"\bthan\b{F}{C}"),
    ("closer", 1, rf"{A}{F}\b{_WITH}\b{F}\bwith\s+{B}{F}\b(?:more|rather|instead|not)\b{F}"
                  rf"(?:\bthan\b|\bover\b|\bnot\b){F}{C}"),
    ("closer", 1, rf"{A}{F}\bmore\b{F}\bwith\s+{B}{F}\bthan\b{F}{C}"),
    ("closer", 1, rf"{A}{F}\bmore\b{F}\blike\s+{B}{F}\bthan\b{F}{C}"),
    ("closer", 1, rf"{A}{F}\b(?:tracks?|tracked|tracking|echo|echoes|echoed|mirrors?|mirrored|"
                  rf"follows?|followed)\s+{B}{F}\bmore\b{F}\bthan\b{F}{C}"),
    ("closer", 1, rf"{A}{F}\b(?:sided|sides|stood|stands|voted|votes)\s+with\s+{B}\s*,?\s*"
                  rf"(?:and\s+)?not\s+(?:with\s+)?{C}"),
    # closer/further with no third party but a window compared with: a moved claim
    ("moved_than", -1, rf"{A}{F}\b(?:further|farther)\s+(?:away\s+)?from\s+{B}"),
    ("moved_than", 1, rf"{A}{F}\b(?:closer|nearer)\s+to\s+{B}"),
)
"""The patterns, most specific first (kinds: closer, moved, moved_ref, moved_away_toward,
moved_than, cohesion, cohesion2, ranking, isolation, neutrality)."""

_GROUPS = {"closer": {"a", "b", "c"}, "moved": {"a", "b"}, "moved_ref": {"a", "b", "c"},
           "moved_away_toward": {"a", "b", "c"},
           "moved_toward_away": {"a", "b", "c"}, "moved_than": {"a", "b"},
           "cohesion": {"a", "dir", "w"}, "cohesion2": {"a", "b", "dir", "w"},
           "ranking": {"a", "k", "noun"}, "isolation": {"a"}, "neutrality": {"a", "b", "c"}}


def _compile() -> tuple[tuple[str, int, re.Pattern[str]], ...]:
    out = []
    for kind, direction, rx in PATTERNS:
        if kind not in _GROUPS:
            raise ValueError(f"pattern of unknown kind {kind!r}: {rx}")
        c = re.compile(rx)
        if not set(c.groupindex) <= _GROUPS[kind] or "a" not in c.groupindex:
            raise ValueError(f"pattern {rx!r}: groups {sorted(c.groupindex)} do not fit {kind}")
        out.append((kind, direction, c))
    return tuple(out)


COMPILED = _compile()
