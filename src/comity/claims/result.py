"""What a claim evaluates to: :class:`ClaimResult` (verdict, effect, interval, n, counts,
robustness, evidence), its plain-text :meth:`~ClaimResult.summary`, JSON-safe
:meth:`~ClaimResult.to_dict` and :meth:`~ClaimResult.plot` (through
:func:`comity.analysis.plothook.plotter`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from comity.analysis.align import AlignmentError, alignment, cohesion
from comity.analysis.plothook import plotter
from comity.analysis.query import (
    Party,
)
from comity.analysis.results import records
from comity.claims.engine import (
    _f,
    _Window,
)
from comity.claims.grammar import (
    Claim,
    CloserClaim,
    CohesionClaim,
    IsolationClaim,
    MovedClaim,
    NeutralityClaim,
    RankingClaim,
    _canon,
    _claim_dict,
)
from comity.errors import PlotError
from comity.store.panel import Panel
from comity.world.issues import ISSUES

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure



VERDICTS: tuple[str, ...] = ("supported", "contradicted", "inconclusive", "insufficient data")
"""The possible verdicts of a claim (a ranking claim has the verdict ``"ranking"``)."""

# ------------------------------------------------------------------------------------ result
@dataclass(frozen=True, eq=False)
class ClaimResult:
    """The answer to a claim.

    ``effect``/``lo``/``hi``/``n`` are for ``measure``; ``period`` holds the windows actually
    used (``{"start", "end", "windows": [{"role", "label", "start", "end", "session",
    "first_vote", "last_vote", "resolutions", "n"}]}``); ``components`` the measures the effect
    is made of, each with its own interval; ``evidence``, ``counts`` and ``robustness`` as in
    the module docstring; ``query`` the options used.
    """

    claim: Claim
    verdict: str
    effect: float
    lo: float
    hi: float
    n: int
    measure: str
    period: Mapping[str, Any]
    evidence: pd.DataFrame
    counts: Mapping[str, Any]
    robustness: Mapping[str, Any]
    parties: tuple[Party, ...] = ()
    components: tuple[Mapping[str, Any], ...] = ()
    query: Mapping[str, Any] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    _source: Mapping[str, Any] = field(default_factory=dict, repr=False)

    # -- names -----------------------------------------------------------------------------
    def _name(self, token: str | None, full: bool = False) -> str:
        """A party's name (``full``: with its code, for a state)."""
        if token is None:
            return ""
        for p in self.parties:
            if _canon(p) == token:
                return f"{p.name} ({p.code})" if full and not p.is_bloc and p.name != p.code \
                    else p.name
        return token

    def sentence(self) -> str:
        """The claim in words, with names and the windows actually used."""
        c = self.claim
        wins = {w["role"]: w["label"] for w in self.period.get("windows", [])}
        n = self._name
        if isinstance(c, CloserClaim):
            rel = ("closer to", "than to") if c.direction > 0 else ("further from", "than from")
            text = (f"{n(c.a, True)} {rel[0]} {n(c.b, True)} {rel[1]} {n(c.c, True)} "
                    f"{_when(wins.get('claim', ''))}")
        elif isinstance(c, MovedClaim):
            verb = "moved toward" if c.direction > 0 else "moved away from"
            text = f"{n(c.a, True)} {verb} {n(c.b, True)}"
            if c.reference:
                text += f" relative to {n(c.reference, True)}"
            text += (f" {_when(wins.get('after', ''))} (compared with "
                     f"{wins.get('before', '')})")
        elif isinstance(c, CohesionClaim):
            word = "more" if c.direction > 0 else "less"
            if c.other is not None:
                text = (f"{n(c.bloc)} {word} cohesive than {n(c.other)} "
                        f"{_when(wins.get('claim', ''))}")
            else:
                text = (f"{n(c.bloc)} {word} cohesive {_when(wins.get('claim', ''))} than "
                        f"{_when(wins.get('than', ''))}")
        elif isinstance(c, IsolationClaim):
            word = "isolated" if c.direction > 0 else "not isolated (the majority at least " \
                "neutral towards it)"
            text = f"{n(c.a, True)} {word} {_when(wins.get('claim', ''))}"
        elif isinstance(c, NeutralityClaim):
            text = (f"{n(c.a, True)} neutral between {n(c.b, True)} and {n(c.c, True)} "
                    f"{_when(wins.get('claim', ''))}")
        else:
            word = "closest to" if c.direction > 0 else "furthest from"
            text = f"top {c.k} states {word} {n(c.anchor, True)} {_when(wins.get('claim', ''))}"
        if c.issue:
            text += f", on {ISSUES.get(c.issue, c.issue)}"
        if c.topic:
            text += f", on {c.topic}"
        return " ".join(text.split())

    @property
    def reading(self) -> str:
        """The claim in template form as the reader shows it, with the body and measure:
        ``USA closer to RUS than to EU, since 2025-01-20, GA, measure agreement``."""
        from comity.claims.reader import reading_text

        body = self.query.get("body", "GA")
        return f"{reading_text(self.claim)}, {body}, measure {self.measure}"

    # -- headline --------------------------------------------------------------------------
    @property
    def by_measure(self) -> dict[str, str]:
        """The verdict under each measure (closer, moved, neutrality), else ``{}``."""
        ms = self.robustness.get("measures", {}) or {}
        if len(ms) < 2 or not all(isinstance(v, Mapping) for v in ms.values()):
            return {}  # a ranking lists states per measure, not verdicts
        return {m: v["verdict"] for m, v in ms.items()}

    @property
    def headline(self) -> str:
        """The verdict as the first line says it: ``measure-dependent`` when the five
        measures do not agree (some support the claim and others do not), else
        :attr:`verdict`."""
        got = {v for v in self.by_measure.values() if v != "insufficient data"}
        if self.verdict != "ranking" and len(got) > 1 and (
                "supported" in got or "contradicted" in got):
            return "measure-dependent"
        return self.verdict

    @property
    def data_holes(self) -> int:
        """How many known holes of the data (recorded votes no loaded source holds, Council
        days after its last loaded vote) the claim's windows touch (see ``notes``)."""
        return sum(1 for n in self.notes if "no loaded source holds" in n
                   or n.startswith("Security Council votes are loaded up to"))

    @property
    def explanation(self) -> str | None:
        """What moved, in words, for a moved claim (``USA–RUS fell 0.285 → 0.185 and
        USA–EU fell 0.700 → 0.240: the gap narrowed by 0.380``); None otherwise."""
        c = self.claim
        if not isinstance(c, MovedClaim):
            return None
        by = {(x["window"], x["pair"]): x.get("value") for x in self.components}

        def move(pair: str, who: str) -> str | None:
            v0, v1 = by.get(("before", pair)), by.get(("after", pair))
            if v0 is None or v1 is None:
                return None
            word = "rose" if v1 > v0 else "fell" if v1 < v0 else "stayed"
            return f"{who} {word} {v0:.3f} → {v1:.3f}"

        a = self._name(c.a)
        ab = move("a-b", f"{a}–{self._name(c.b)}")
        if c.reference is None:
            return ab
        ac = move("a-c", f"{a}–{self._name(c.reference)}")
        if ab is None or ac is None:
            return ab or ac
        g0 = by[("before", "a-b")] - by[("before", "a-c")]
        g1 = by[("after", "a-b")] - by[("after", "a-c")]
        change = abs(g1) - abs(g0)
        word = "narrowed" if change < 0 else "widened" if change > 0 else "did not change"
        return f"{ab} and {ac}: the gap {word} by {abs(change):.3f}"

    # -- output ----------------------------------------------------------------------------
    def to_frame(self) -> pd.DataFrame:
        """Closer/moved/cohesion: one row per measure (``measure, chosen, effect, lo, hi, n,
        verdict``) plus a row ``without top 5``; ranking: the ranking table."""
        if isinstance(self.claim, RankingClaim):
            return self.evidence.copy()
        rows = [{"measure": m, "chosen": m == self.measure, **v}
                for m, v in self.robustness.get("measures", {}).items()]
        wo = self.robustness.get("without_top5")
        if wo:
            rows.append({"measure": f"{self.measure} without top {len(wo['removed'])}",
                         "chosen": False, **{k: wo[k] for k in ("effect", "lo", "hi", "n",
                                                                "verdict")}})
        out = pd.DataFrame(rows, columns=["measure", "chosen", "effect", "lo", "hi", "n",
                                          "verdict"])
        for c in ("effect", "lo", "hi"):
            out[c] = out[c].astype(float)
        return out

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe (keys documented in :mod:`comity.cli.claims`)."""
        return _jsonable({
            "claim": _claim_dict(self.claim), "sentence": self.sentence(),
            "reading": self.reading,
            "verdict": self.verdict, "headline": self.headline, "data_holes": self.data_holes,
            "verdicts_by_measure": self.by_measure, "explanation": self.explanation,
            "measure_definition": MEASURE_DEFINITIONS.get(self.measure),
            "effect": self.effect, "lo": self.lo, "hi": self.hi,
            "ci": self.query.get("ci"), "n": self.n, "measure": self.measure,
            "period": dict(self.period), "parties": [p.describe() for p in self.parties],
            "components": [dict(c) for c in self.components], "counts": dict(self.counts),
            "robustness": dict(self.robustness), "evidence": records(self.evidence),
            "query": dict(self.query), "notes": list(self.notes),
        })

    def summary(self) -> str:
        """A few lines of plain text: the claim, the verdict, the effect with its interval, n,
        the period and the measure."""
        return _summary(self)

    def plot(self, path: str | Path | None = None, ax: Axes | None = None) -> Figure:
        """The alignment series (cohesion: the bloc's cohesion) by year around the claim
        period, with bootstrap bands, the claim windows shaded; ranking: the top K with their
        intervals. ``path``: write the figure (.png, .svg or .pdf)."""
        return plotter("plot_claim")(self, _plot_series(self), path=path, ax=ax)


def _when(label: str) -> str:
    """A window label as words: ``in 2025``, ``since 2025-01-20``, ``from D1 to D2``."""
    if not label or label.startswith(("since", "now:")):
        return label
    if label.startswith("session"):
        return f"in {label}"
    if " to " in label:
        return f"from {label}"
    return f"in {label}"


def _jsonable(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return _jsonable(obj.tolist())
    if isinstance(obj, np.generic):
        return _jsonable(obj.item())
    if isinstance(obj, float):
        return obj if np.isfinite(obj) else None
    if isinstance(obj, pd.Timestamp):
        return None if pd.isna(obj) else obj.date().isoformat()
    if isinstance(obj, date):
        return obj.isoformat()
    if obj is pd.NA or obj is pd.NaT:
        return None
    return obj


def _iso(ts: Any) -> str | None:
    if ts is None or (not isinstance(ts, str) and pd.isna(ts)):
        return None
    return pd.Timestamp(ts).date().isoformat()


def _window_info(win: _Window, p: Panel, n: int) -> dict[str, Any]:
    d = pd.to_datetime(p.resolutions["date"]) if p.n_resolutions else pd.Series([], dtype="M8[ns]")
    first = d.min() if len(d) else None
    last = d.max() if len(d) else None
    start = win.start if win.start is not None else first
    end = win.end if win.end is not None else last
    pred = (int(p.resolutions["issues_predicted"].fillna(False).astype(bool).sum())
            if "issues_predicted" in p.resolutions.columns else 0)
    return {"role": win.role, "label": win.label, "start": _iso(start), "end": _iso(end),
            "session": win.session, "first_vote": _iso(first), "last_vote": _iso(last),
            "resolutions": int(p.n_resolutions), "n": int(n), "issues_predicted": pred}


def _period_info(infos: list[dict[str, Any]]) -> dict[str, Any]:
    starts = [w["start"] for w in infos if w["start"]]
    ends = [w["end"] for w in infos if w["end"]]
    return {"start": min(starts) if starts else None, "end": max(ends) if ends else None,
            "windows": infos}


# ----------------------------------------------------------------------------------- summary
def _num(x: Any, signed: bool = False) -> str:
    v = _f(x)
    if v is None:
        return "n/a"
    return f"{v:+.3f}" if signed else f"{v:.3f}"


MEASURE_DEFINITIONS = {
    "identical": "share of identical votes among the votes both cast (Voeten's agreement "
                 "score)",
    "agreement": "1 − |vote difference|/2 with Y=1, A=2, N=3 (an abstention against a vote "
                 "is half agreement)",
    "S": "Signorino–Ritter S: 1 − 2·mean distance/2",
    "kappa": "Cohen's kappa: agreement beyond what each state's own Y/A/N shares predict",
    "pi": "Scott's pi: agreement beyond the two states' pooled Y/A/N shares",
    "coincidence": "identical Yes/No votes ÷ (identical + opposite Yes/No votes), "
                   "abstentions left out (State Department)",
    "cohesion": "Hix–Noury–Roland agreement index of the bloc's members",
    "opposed": "share of the other members voting against the state's Yes/No",
}
"""Each measure in one short phrase, for every place a result is reported in words."""

_EXPLAIN_TOST = {
    "supported": "the {ci}% bootstrap interval of the difference lies within ±{margin:g}",
    "contradicted": "the {ci}% bootstrap interval of the difference lies outside ±{margin:g}",
    "inconclusive": "the {ci}% bootstrap interval of the difference crosses ±{margin:g}",
    "insufficient data": "fewer than {min_votes} shared votes",
}

_EXPLAIN = {
    "supported": "the {ci}% bootstrap interval of the effect lies entirely on the claimed side "
                 "of zero",
    "contradicted": "the {ci}% bootstrap interval of the effect lies entirely on the opposite "
                    "side of zero",
    "inconclusive": "the {ci}% bootstrap interval of the effect includes zero",
    "insufficient data": "fewer than {min_votes} shared votes on at least one side",
}


def _summary(res: ClaimResult) -> str:
    q = res.query
    ci = round(float(q.get("ci", 0.95)) * 100)
    body = q.get("body", "GA")
    lines = [f"Claim: {res.sentence()}"]
    if isinstance(res.claim, RankingClaim):
        w = res.period["windows"][0]
        lines.append(f"Ranking by {res.measure} on {w['resolutions']} recorded {body} votes, "
                     f"{w['start']} to {w['end']} ({ci}% bootstrap intervals, "
                     f"{q.get('bootstrap')} draws):")
        for row in res.evidence.itertuples():
            lines.append(f"  {row.rank:>2}. {row.name} ({row.state}) {_num(row.value)} "
                         f"[{_num(row.lo)}, {_num(row.hi)}], n={row.n}")
        return "\n".join(lines)
    why = _EXPLAIN[res.verdict].format(ci=ci, min_votes=q.get("min_votes"))
    if isinstance(res.claim, NeutralityClaim):
        why = _EXPLAIN_TOST[res.verdict].format(ci=ci, min_votes=q.get("min_votes"),
                                                margin=res.claim.margin)
    if res.verdict == "inconclusive" and not np.isfinite(res.lo):
        why = "no usable bootstrap interval"
    if res.headline == "measure-dependent":
        per = "; ".join(f"{m}: {v}" for m, v in res.by_measure.items())
        lines.append(f"Verdict: MEASURE-DEPENDENT ({per}); under {res.measure}: "
                     f"{res.verdict} ({why}).")
    else:
        lines.append(f"Verdict: {res.verdict.upper()} ({why}).")
    if res.data_holes:
        lines[-1] = lines[-1][:-1] + (f"; the period touches {res.data_holes} known "
                                      f"hole{'s' if res.data_holes > 1 else ''} in the data "
                                      "(notes below).")
    if res.measure in MEASURE_DEFINITIONS:
        lines.append(f"Measure: {res.measure} = {MEASURE_DEFINITIONS[res.measure]}.")
    if res.explanation:
        lines.append(f"What moved ({res.measure}): {res.explanation}.")
    comps = res.components
    m = res.measure
    if isinstance(res.claim, CloserClaim) and len(comps) == 2:
        a, b, c = res._name(res.claim.a), res._name(res.claim.b), res._name(res.claim.c)
        lines.append(f"{m.capitalize() if m != 'S' else 'S'} of {a} with {b}: "
                     f"{_num(comps[0]['value'])}; with {c}: {_num(comps[1]['value'])}. "
                     f"Difference {_num(res.effect, True)} ({ci}% CI "
                     f"{_num(res.lo, True)} to {_num(res.hi, True)}).")
    elif isinstance(res.claim, MovedClaim):
        a, b = res._name(res.claim.a), res._name(res.claim.b)
        by = {(x["window"], x["pair"]): x for x in comps}
        bw, aw = res.period["windows"][0], res.period["windows"][1]
        ab0, ab1 = by.get(("before", "a-b")), by.get(("after", "a-b"))
        text = (f"{m.capitalize() if m != 'S' else 'S'} of {a} with {b}: "
                f"{_num(ab0['value'] if ab0 else None)} ({bw['label']}, n={ab0['n'] if ab0 else 0})"
                f" -> {_num(ab1['value'] if ab1 else None)} ({aw['label']}, "
                f"n={ab1['n'] if ab1 else 0}).")
        if res.claim.reference:
            c = res._name(res.claim.reference)
            ac0, ac1 = by.get(("before", "a-c")), by.get(("after", "a-c"))
            text += (f" With {c}: {_num(ac0['value'] if ac0 else None)} -> "
                     f"{_num(ac1['value'] if ac1 else None)}.")
            text += (f" Change relative to {c}: {_num(res.effect, True)} ({ci}% CI "
                     f"{_num(res.lo, True)} to {_num(res.hi, True)}).")
        else:
            text += (f" Change {_num(res.effect, True)} ({ci}% CI {_num(res.lo, True)} to "
                     f"{_num(res.hi, True)}).")
        lines.append(text)
    elif isinstance(res.claim, IsolationClaim):
        sh = res.counts.get("shares", {})
        lines.append(f"Share of the other members voting against {res._name(res.claim.a)}'s "
                     f"Yes/No: {_num(comps[0]['value'])} ({ci}% CI {_num(comps[0]['lo'])} to "
                     f"{_num(comps[0]['hi'])}) against the threshold "
                     f"{res.counts.get('threshold')} (abstained {_num(sh.get('abstained'))}, "
                     f"absent {_num(sh.get('absent'))}, sided {_num(sh.get('sided'))}).")
        years = [x for x in comps if x["label"] == "by year"]
        if years:
            lines.append("By year: " + ", ".join(
                f"{x['window'][5:]} {_num(x['value'])} (n={x['n']})" for x in years) + ".")
    elif isinstance(res.claim, CohesionClaim):
        w = res.period["windows"]
        lines.append(f"Cohesion of {res._name(res.claim.bloc)} (Hix–Noury–Roland agreement "
                     f"index): {_num(comps[0]['value'])} in {w[0]['label']} (n={comps[0]['n']})"
                     f" vs {_num(comps[1]['value'])} in {w[1]['label']} (n={comps[1]['n']}). "
                     f"Difference {_num(res.effect, True)} ({ci}% CI {_num(res.lo, True)} to "
                     f"{_num(res.hi, True)}).")
    wins = res.period["windows"]
    span = "; ".join(f"{w['role']} {w['start']} to {w['end']} ({w['resolutions']} recorded "
                     f"votes, first {w['first_vote']}, last {w['last_vote']})" for w in wins)
    issue = f", issue {res.claim.issue}" if res.claim.issue else ""
    what = "votes on which all sides had a Y/A/N position" if res.measure != "cohesion" \
        else "votes with at least two members voting"
    lines.append(f"n = {res.n} {body} {what}{issue}; {span}. Measure: {res.measure}; "
                 f"{q.get('bootstrap')} bootstrap draws, seed {q.get('seed')}.")
    cnt = res.counts
    if isinstance(res.claim, CloserClaim) and cnt:
        a, b, c = res._name(res.claim.a), res._name(res.claim.b), res._name(res.claim.c)
        def times(k: str) -> str:
            return f"{cnt[k]} time{'' if cnt[k] == 1 else 's'}"

        lines.append(f"{a} voted with {b} against {c} {times('with_b_against_c')}, with "
                     f"{c} against {b} {times('with_c_against_b')} (all three alike "
                     f"{cnt['all_agree']}, {a} apart from both {cnt['apart']}).")
    rob = res.robustness
    if rob.get("measures") and len(rob["measures"]) > 1:
        others = [f"{mm} {v['verdict']}" for mm, v in rob["measures"].items()]
        lines.append("Under each measure: " + ", ".join(others) + ".")
    wo = rob.get("without_top5")
    if wo:
        lines.append(f"Without the {len(wo['removed'])} most decisive votes "
                     f"({', '.join(map(str, wo['removed']))}): {wo['verdict']} "
                     f"(effect {_num(wo['effect'], True)}).")
    for note in res.notes:
        lines.append(f"Note: {note}.")
    return "\n".join(lines)


# -------------------------------------------------------------------------------------- plot
def _plot_series(res: ClaimResult) -> Any:
    """The yearly series a claim's figure draws around its windows: an alignment of A with the
    other parties (closer, moved) or the bloc's cohesion, four years either side; None for a
    ranking (drawn from its evidence)."""
    if isinstance(res.claim, RankingClaim):
        if res.evidence.empty:
            raise PlotError("nothing to plot: the ranking is empty")
        return None
    src = res._source
    wins = res.period.get("windows", [])
    starts = [pd.Timestamp(w["start"]) for w in wins if w.get("start")]
    ends = [pd.Timestamp(w["end"]) for w in wins if w.get("end")]
    if not starts or not ends:
        raise PlotError("nothing to plot: the claim period has no recorded votes")
    common = {"period": "year", "start": min(starts).year - 4, "end": max(ends).year + 4,
              "body": src.get("body", "GA"), "issue": res.claim.issue,
              "bootstrap": min(int(res.query.get("bootstrap", 0)), 1000),
              "seed": res.query.get("seed"), "min_votes": int(res.query.get("min_votes", 10)),
              "store": src.get("store"), "panel": src.get("panel"),
              "blocs_file": src.get("extra")}
    try:
        if isinstance(res.claim, CohesionClaim):
            return cohesion(res.claim.bloc, **common)
        c = res.claim
        if isinstance(c, CloserClaim):
            others = [c.b, c.c]
        else:
            assert isinstance(c, MovedClaim)
            others = [c.b] + ([c.reference] if c.reference else [])
        return alignment(c.a, *others, measure=res.measure, **common)
    except AlignmentError as exc:
        raise PlotError(f"nothing to plot: {exc}") from None
