"""Checking claims as people write them: one template claim, a plain sentence, or a whole
article → every claim read, each with its reading and its verdict.

:func:`check` is what ``comity claim`` and ``POST /api/claims`` call. A text that the template
grammar reads is one claim, evaluated as before (:func:`~comity.claims.evaluation.evaluate`).
Anything else goes through the reader (:mod:`comity.claims.reader`): one sentence with one
claim is again a single :class:`~comity.claims.result.ClaimResult`; otherwise the answer is a
:class:`CheckedText` listing every claim (sentence, reading, verdict) and every sentence
skipped with its reason. A single sentence whose party name is ambiguous is an error listing
the choices; in an article that sentence is skipped with them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from comity.analysis.query import _open
from comity.claims.evaluation import evaluate
from comity.claims.grammar import ClaimSyntaxError, parse_claim
from comity.claims.reader import ReadClaim, Skipped, read_text, split_sentences
from comity.claims.result import ClaimResult
from comity.errors import ComityError, UnknownBlocError, UnknownStateError
from comity.world.blocs import Bloc

__all__ = ["MAX_TEXT", "CheckedClaim", "CheckedText", "check", "check_text"]

MAX_TEXT = 1_000_000
"""Longest text accepted (characters): an article, not a book."""


@dataclass(frozen=True)
class CheckedClaim:
    """A claim read from a sentence and its result."""

    read: ReadClaim
    result: ClaimResult

    def to_dict(self) -> dict[str, Any]:
        r = self.result.to_dict()
        claim = r["claim"]
        wins = {w["role"]: w for w in r["period"].get("windows", [])}
        before = wins.get("before") or wins.get("than")
        main = wins.get("claim") or wins.get("after") or {}
        return {
            "sentence": self.read.sentence, "reading": r["reading"], "kind": claim["kind"],
            "template": claim["text"], "parties": r["parties"],
            "period": {"start": main.get("start"), "end": main.get("end"),
                       "label": main.get("label")},
            "before": None if before is None else {"start": before.get("start"),
                                                   "end": before.get("end"),
                                                   "label": before.get("label")},
            "issue": claim.get("issue"), "topic": claim.get("topic"),
            "verdict": r["verdict"], "headline": r["headline"], "data_holes": r["data_holes"],
            "verdicts_by_measure": r["verdicts_by_measure"], "effect": r["effect"],
            "lo": r["lo"], "hi": r["hi"], "ci": r["ci"], "n": r["n"], "measure": r["measure"],
            "measure_definition": r["measure_definition"], "explanation": r["explanation"],
            "robustness": r["robustness"], "evidence": r["evidence"], "notes": r["notes"],
            "reader_notes": list(self.read.notes),
        }


@dataclass(frozen=True)
class CheckedText:
    """Every claim of a text with its result, and the sentences skipped."""

    claims: tuple[CheckedClaim, ...]
    skipped: tuple[Skipped, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"claims": [c.to_dict() for c in self.claims],
                "skipped": [s.to_dict() for s in self.skipped]}


def check_text(text: str, *, store: Any = None, blocs_file: Any = None,
               max_claims: int | None = None, **options: Any) -> CheckedText:
    """Read every sentence of ``text`` and evaluate every claim found (the store is opened
    once); ``options`` go to :func:`~comity.claims.evaluation.evaluate`. With
    ``max_claims``, the claims after the first ``max_claims`` are listed as skipped (over the
    limit) instead of evaluated: the work of one request stays bounded."""
    _check_size(text)
    reading = read_text(text)
    s, owned = _open(store) if options.get("panel") is None else (store, False)
    try:
        out = []
        skipped = list(reading.skipped)
        for i, rc in enumerate(reading.claims):
            if max_claims is not None and i >= max_claims:
                skipped.append(Skipped(rc.sentence, f"over the limit of {max_claims} claims "
                                                    "per request"))
                continue
            try:
                res = evaluate(rc.claim, store=s, blocs_file=blocs_file, **options)
            except ComityError as exc:
                skipped.append(Skipped(rc.sentence, f"read as {rc.reading}, but: {exc}"))
                continue
            out.append(CheckedClaim(rc, res))
    finally:
        if owned:
            s.close()
    return CheckedText(tuple(out), tuple(skipped))


def check(text: str, *, store: Any = None,
          blocs_file: str | Path | Mapping[str, Bloc] | None = None,
          max_claims: int | None = None, **options: Any) -> ClaimResult | CheckedText:
    """One claim (template or plain sentence) → its :class:`ClaimResult`; several, or an
    article → :class:`CheckedText`. Raises the template grammar's error (with its
    suggestions) when a single sentence holds no claim the reader can find either."""
    _check_size(text)
    sentences = split_sentences(text)
    if len(sentences) <= 1:
        try:
            claim = parse_claim(text, blocs_file=blocs_file)
        except (UnknownStateError, UnknownBlocError) as exc:
            if "ambiguous" in str(exc):
                raise  # a name with several meanings: the choices, never a guess
            template_error: ComityError | None = exc
        except ClaimSyntaxError as exc:
            template_error = exc
        else:
            return evaluate(claim, store=store, blocs_file=blocs_file, **options)
        from comity.claims.reader import AmbiguousNameError, read_sentence

        try:
            found = read_sentence(text)
        except AmbiguousNameError:
            raise
        except ClaimSyntaxError as exc:  # e.g. a leader's name that fits two terms
            raise exc from None
        if not found:
            why = read_text(text).skipped
            reason = why[0].why if why else "no claim"
            assert template_error is not None
            raise type(template_error)(f"{template_error}\n(read as a sentence: {reason})") \
                if isinstance(template_error, ClaimSyntaxError) else template_error
        if len(found) == 1:
            return evaluate(found[0].claim, store=store, blocs_file=blocs_file, **options)
    return check_text(text, store=store, blocs_file=blocs_file, max_claims=max_claims,
                      **options)


def _check_size(text: str) -> None:
    if len(str(text)) > MAX_TEXT:
        raise ComityError(f"the text has {len(str(text)):,} characters; at most {MAX_TEXT:,} "
                          "are read at once")
