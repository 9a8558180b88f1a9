"""Alignment between any states and blocs, per period, with bootstrap intervals and coverage.

This module is the public face of :mod:`comity.analysis.measures`: it resolves names (states *and*
blocs), queries the store, slices the votes into periods, builds the bloc positions and hands
the vote matrix to the vectorised measures. ``comity.analysis.align``, ``comity.alignment_matrix``
and ``comity.cohesion`` are re-exported from the package.

Who can be compared
-------------------
Every argument naming a party is a state *or* a bloc:

* a canonical state code (``USA``, ``NAM`` = Namibia) is always a state;
* otherwise an exact bloc key, name or alias (``EU``, ``nato``, ``Arab League``, ``AU`` =
  African Union, ``Non-Aligned Movement``) is a bloc, looked up with
  :func:`comity.world.blocs.get_bloc` (user blocs from ``blocs_file`` first);
* otherwise any state spelling known to :func:`comity.world.states.lookup` (``Russia``, ``GB``);
* ``state:X`` and ``bloc:X`` force one reading (``bloc:nam`` is the Non-Aligned Movement).

An unknown name raises :class:`~comity.errors.UnknownStateError` listing state and bloc
candidates. Named states use their lineage unless ``strict=True`` (RUS includes the USSR's votes
before 1991-12-24, see :func:`comity.world.states.lineage`).

``alignment(a, b, c, ...)`` compares ``a`` with each of the others: pairs ``(a, b), (a, c),
...``. In the output a state is its canonical code (upper case) and a bloc its key (lower case,
``eu``), so the two never clash.

Measures
--------
``agreement``, ``S``, ``kappa``, ``pi`` and ``coincidence``, as defined (formulas and
references) in :mod:`comity.analysis.measures`. Votes are coded Y = 1, A = 2, N = 3; a resolution
counts
for a pair only where both sides have a Y/A/N position; everything else is counted in the
coverage columns. A pair with fewer than ``min_votes`` usable votes gets NaN.

Bloc positions (``bloc_method="majority"``, the default)
--------------------------------------------------------
A bloc's position on a resolution is the most frequent of Y, A, N among its members *on the
date of the vote* (dated membership, :meth:`comity.world.blocs.Bloc.membership_matrix`) that voted
Y, A or N. It is a synthetic row of the vote matrix, built for all resolutions at once from the
membership matrix and the members' votes (counts of Y/A/N per resolution, then argmax), and is
then compared with a state (or another bloc) exactly like a state. Rules:

* **ties**: when the top count is shared (e.g. 5 Y, 5 N, 2 A; or 4 Y, 4 A) the bloc has *no*
  position on that resolution: it is left out of the measure and counted in ``n_tied``;
* members all absent / not voting: no position, counted in ``n_absent``;
* no member in the UN on that date (before the bloc existed, ...): counted in ``n_nonmember``;
* **self-exclusion**: a state compared with a bloc it belongs to is left out of the bloc's
  position (with its lineage predecessors unless ``strict``), so USA–NATO is the agreement of
  the USA with the majority of the *other* NATO members. ``include_self=True`` keeps it in.
  Two blocs are compared position against position, with no exclusion;
* if a member and its lineage predecessor both belong to a bloc (a user file listing SUN and RUS
  without dates), the predecessor's votes are counted once, under the predecessor.

``bloc_method="mean"``: the mean, over the bloc's members (self excluded as above), of the
state's dyadic measure with each member, each dyad on the resolutions of the period where that
state was a bloc member; member dyads with fewer than ``min_votes`` votes are left out of the
mean. Its bootstrap resamples the period's resolutions once per draw for all member dyads. Its
``n`` counts the resolutions where at least one member dyad voted, ``n_absent`` those where at
least one pair of members was in the UN but none voted, ``n_tied`` is 0.

Cohesion
--------
:func:`cohesion`: the agreement index of Hix, Noury & Roland (2005) per resolution,
``AI = (max(Y, A, N) - (Y + A + N - max(Y, A, N)) / 2) / (Y + A + N)`` over the bloc's members
voting Y/A/N (1 = all voted alike, 0 = an even three-way split), averaged over the resolutions
of the period where at least ``min_members`` (default 2) members voted; bootstrap percentile
interval over those resolutions.

Periods
-------
``period`` is one of:

* ``"year"``: calendar years (label: the year, ``int``);
* ``"session"``: GA sessions (label: the session number; SC "sessions" are years; mixing both
  bodies with sessions is an error);
* ``"all"``: one period over the whole query (label ``"all"``);
* ``(start, end)``: one window (label ``"start/end"``, ISO dates);
* a list of ``(label, start, end)`` windows (they may overlap);
* ``{"rolling": n}`` (optionally ``"step": k``, default 1) or the string ``"rolling:n"``:
  windows of ``n`` calendar years moving by ``k`` years (label ``"2010-2014"``); only whole
  windows inside the query range are formed.

Each resolution is counted once in every window that contains its date; bootstrap draws
resample within a window. Periods without any recorded vote are not reported. ``start`` /
``end`` (a year like ``2010`` or a date ``"2010-06-01"``; ``end`` inclusive, a year meaning its
31 December) bound the query itself. Other slices: ``issue`` (Voeten's codes ``me nu di hr co
ec`` or names: ``"human rights"``, ``"nuclear weapons"``, ... see :data:`ISSUES`), ``body``
(``"GA"``, ``"SC"`` or ``"both"``), ``important`` (``True``: only the votes the US State
Department lists as important; ``False``: only the others), ``search`` (case-insensitive text in
the title or symbol) and ``session`` (one session number or several).

Tidy frames
-----------
:meth:`AlignmentResult.to_frame` and :meth:`MatrixResult.to_frame` have the columns::

    period, start, end, state_a, state_b, measure, value, lo, hi, n, n_absent, n_nonmember,
    n_tied

``start``/``end``: the dates the period covers (inclusive, clipped to the query bounds; for a
session the first and last vote); ``lo``/``hi``: the percentile bootstrap interval (NaN without
bootstrap); ``n``: resolutions the value rests on (Y/N votes only for coincidence) and
``n + n_absent + n_nonmember + n_tied`` = resolutions of the period for every row (``n_absent``
counts resolutions where both sides were members but one had no Y/A/N position; for
coincidence the abstentions are in none of the four counts).

Every result's ``query`` holds ``resolutions`` (recorded votes in the query) and
``failed_drafts``: how many of them are Security Council drafts that were not adopted (vetoed or
failed for lack of votes; 0 for the Assembly), which a Council analysis on adopted texts alone
would miss.

JSON output of the CLI
----------------------
The keys of ``comity align/matrix/cohesion/blocs --json`` are documented in
:mod:`comity.cli.align`.

References
----------
Hix, S., Noury, A. & Roland, G. (2005). Power to the Parties: Cohesion and Competition in the
European Parliament, 1979-2001. *British Journal of Political Science* 35(2), 209-234. Other
references in :mod:`comity.analysis.measures`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

# The closed forms, bootstrap weights and percentile rule of comity.analysis.measures are reused as
# is,
# so every path below gives exactly the numbers of ``dyad_measures``.
from comity.analysis.measures import (
    _check_distance,
    _check_options,
    _compute,
    _onehot9,
    _pair_codes,
    _percentile_interval,
    _positions,
    _resample_weights,
    dyad_measures,
)
from comity.analysis.query import (
    Party,
    PeriodSpec,
    _assign_periods,
    _dates,
    _describe_period,
    _extra_blocs,
    _filter_panel,
    _load,
    _measures,
    _member_block,
    _one_blas_thread,
    _open,
    _Query,
    _query,
    _require_votes,
    _self_codes,
    bloc_position,
    latest_complete_year,
    resolve_party,
)
from comity.analysis.results import (
    AlignmentResult,
    CohesionResult,
    MatrixResult,
)
from comity.analysis.security_council import failed_drafts
from comity.errors import AlignmentError
from comity.store.panel import ABSTAIN, NO, NONMEMBER, YES, Panel
from comity.world.blocs import Bloc
from comity.world.issues import ISSUES

if TYPE_CHECKING:

    from comity.store.db import Store

__all__ = [
    "ISSUES",
    "AlignmentError",
    "AlignmentResult",
    "CohesionResult",
    "MatrixResult",
    "Party",
    "alignment",
    "alignment_matrix",
    "bloc_position",
    "cohesion",
    "resolve_party",
]

# ----------------------------------------------------------------------------------- engines
def _mean_method(
    p: Panel, cols: np.ndarray, group: np.ndarray, left: list[tuple[int, np.ndarray]],
    right: list[tuple[int, np.ndarray]], exclude_same: bool, ms: tuple[str, ...],
    dist: np.ndarray, min_votes: int, bootstrap: int, rng: np.random.Generator | None,
    ci: float, chunk_cells: int = 1 << 23,
) -> dict[str, np.ndarray]:
    """Mean of the dyadic measures over member dyads (left x right), per period.

    ``left``/``right``: (panel row, membership mask over the panel's columns). Returns arrays
    keyed value/lo/hi (P, M) and n/n_absent/n_nonmember (P,) for the periods present in
    ``group`` (sorted).
    """
    pos = _positions(p.votes)
    pairs = [(i, mi, j, mj) for i, mi in left for j, mj in right
             if not (exclude_same and i == j)]
    periods = np.unique(group)
    n_p, n_m = len(periods), len(ms)
    out = {k: np.full((n_p, n_m), np.nan) for k in ("value", "lo", "hi")}
    cover = {k: np.zeros(n_p, dtype=np.int64) for k in ("n", "n_absent", "n_nonmember")}
    if not pairs:
        cover["n_nonmember"] = np.bincount(group, minlength=len(periods))[periods]
        return {**out, **cover}
    pl = np.stack([np.where(mi, pos[i], -1) for i, mi, _, _ in pairs])[:, cols]
    pr = np.stack([np.where(mj, pos[j], -1) for _, _, j, mj in pairs])[:, cols]
    codes = _pair_codes(pl, pr)  # (D, C)
    both_mem = (pl >= 0) & (pr >= 0)
    usable = (codes >= 0).any(axis=0)
    member_any = both_mem.any(axis=0)
    d = len(pairs)
    chunk = max(1, chunk_cells // (9 * max(bootstrap, 1)))
    order = np.argsort(group, kind="stable")
    bounds = np.searchsorted(group[order], np.r_[periods, periods[-1] + 1] if n_p else [0])
    for k in range(n_p):
        sel = order[bounds[k]:bounds[k + 1]]
        cover["n"][k] = int(usable[sel].sum())
        cover["n_absent"][k] = int((member_any[sel] & ~usable[sel]).sum())
        cover["n_nonmember"][k] = int((~member_any[sel]).sum())
        c = codes[:, sel]
        tables = (c[:, :, None] == np.arange(9, dtype=np.int8)).sum(axis=1)  # (D, 9)
        vals, _ = _compute(tables.reshape(-1, 3, 3), ms, dist, min_votes)
        ok = np.isfinite(vals)
        cnt = ok.sum(axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            out["value"][k] = np.where(cnt > 0, np.where(ok, vals, 0).sum(axis=0) / cnt,
                                       np.nan)
        if bootstrap and rng is not None:
            w = _resample_weights(rng, bootstrap, len(sel))
            s = np.zeros((bootstrap, n_m))
            n_ok = np.zeros((bootstrap, n_m))
            for c0 in range(0, d, chunk):
                c1 = min(c0 + chunk, d)
                bt = (w @ _onehot9(c[c0:c1])).reshape(-1, 3, 3)
                bv, _ = _compute(bt, ms, dist, min_votes)
                bv = bv.reshape(bootstrap, c1 - c0, n_m)
                fin = np.isfinite(bv)
                s += np.where(fin, bv, 0).sum(axis=1)
                n_ok += fin.sum(axis=1)
            with np.errstate(invalid="ignore", divide="ignore"):
                draws = np.where(n_ok > 0, s / np.maximum(n_ok, 1), np.nan)
            lo, hi = _percentile_interval(draws, ci)
            fin = np.isfinite(out["value"][k])
            out["lo"][k] = np.where(fin, lo, np.nan)
            out["hi"][k] = np.where(fin, hi, np.nan)
    return {**out, **cover}


def alignment(
    a: str,
    b: str,
    *more: str,
    period: PeriodSpec = "year",
    start: Any = None,
    end: Any = None,
    session: int | Sequence[int] | None = None,
    issue: str | None = None,
    body: str = "GA",
    important: bool | None = None,
    search: str | None = None,
    measure: str | Sequence[str] = "agreement",
    bootstrap: int = 2000,
    seed: int | None = None,
    min_votes: int = 10,
    strict: bool = False,
    bloc_method: Literal["majority", "mean"] = "majority",
    include_self: bool = False,
    distance: Literal["absolute", "squared"] = "absolute",
    ci: float = 0.95,
    store: Store | str | Path | None = None,
    panel: Panel | None = None,
    blocs_file: str | Path | Mapping[str, Bloc] | None = None,
) -> AlignmentResult:
    """How aligned was ``a`` with ``b`` (and each of ``more``), per period?

    Parties are states or blocs (module docstring); ``a`` is compared with each other party.
    ``store`` is a :class:`~comity.store.db.Store`, a path, or None (the default store, opened
    read-only); ``panel`` (a ready-made :class:`~comity.store.panel.Panel`) replaces the store, the
    slices then being applied in memory and lineage being whatever the panel holds.
    ``measure``: one name or a list (``agreement, S, kappa, pi, coincidence``);
    ``bootstrap``: draws over the resolutions of each period (0: no interval).
    Returns an :class:`AlignmentResult`.
    """
    ms = _measures(measure)
    dist = _check_distance(distance)
    _check_options(bootstrap, ci, min_votes)
    if bloc_method not in ("majority", "mean"):
        raise AlignmentError(f"bloc_method must be 'majority' or 'mean', got {bloc_method!r}")
    q = _query(body=body, start=start, end=end, session=session, issue=issue,
               important=important, search=search, strict=strict)
    extra = _extra_blocs(blocs_file)
    parties = [resolve_party(t, extra) for t in (a, b, *more)]
    rows: list[str] = []
    for party in parties:
        codes = party.bloc.ever_members() if party.bloc is not None else [party.code]
        rows.extend(c for c in codes if c not in rows)
    base = _load(store, panel, rows, q)
    _require_votes(base, q)
    cols, group, table = _assign_periods(base.resolutions, period, q)
    if len(cols) == 0:
        raise AlignmentError("no recorded vote of the query falls in the requested periods")
    row_of = {c: i for i, c in enumerate(base.states)}

    # synthetic rows (majority method) and the list of comparisons
    syn_votes: list[np.ndarray] = []
    syn_tied: list[np.ndarray] = []
    syn_names: list[str] = []
    cache: dict[tuple[str, frozenset[str]], int] = {}

    def row_for(party: Party, other: Party) -> int:
        if not party.is_bloc:
            return row_of[party.code]
        assert party.bloc is not None
        excl: frozenset[str] = frozenset()
        if not other.is_bloc and not include_self:
            excl = frozenset(_self_codes(other.code, q.strict)) & set(party.bloc.ever_members())
        key = (party.code, excl)
        if key not in cache:
            v, mem, _ = _member_block(base, party.bloc, set(excl))
            codes, tied = bloc_position(v, mem)
            cache[key] = base.n_states + len(syn_names)
            syn_votes.append(codes)
            syn_tied.append(tied)
            syn_names.append(f"{party.code}~{'+'.join(sorted(excl))}")
        return cache[key]

    a_party = parties[0]
    dyadic: list[tuple[int, int, int]] = []  # (pair index, left row, right row)
    mean_pairs: list[int] = []
    for k, other in enumerate(parties[1:]):
        if bloc_method == "mean" and (a_party.is_bloc or other.is_bloc):
            mean_pairs.append(k)
        else:
            dyadic.append((k, row_for(a_party, other), row_for(other, a_party)))

    frames: list[pd.DataFrame] = []
    present = np.unique(group)
    if dyadic:
        all_votes = np.vstack([base.votes, *[v[None, :] for v in syn_votes]]) \
            if syn_votes else base.votes
        tied_all = np.zeros(all_votes.shape, dtype=bool)
        for i, t in enumerate(syn_tied):
            tied_all[base.n_states + i] = t
        used = sorted({r for _, i, j in dyadic for r in (i, j)})
        names = [f"r{r}" for r in used]
        sub = all_votes[used][:, cols]
        aug = Panel(votes=sub, states=tuple(names),
                    resolutions=pd.DataFrame({"rid": np.arange(len(cols))}))
        with _one_blas_thread():
            df = dyad_measures(aug, periods=group, measures=ms,
                               pairs=[(f"r{i}", f"r{j}") for _, i, j in dyadic],
                               min_votes=min_votes, distance=distance, bootstrap=bootstrap,
                               seed=seed, ci=ci)
        # ties: both sides members, one side a bloc without position because of a tie
        v_l = all_votes[[i for _, i, _ in dyadic]][:, cols]
        v_r = all_votes[[j for _, _, j in dyadic]][:, cols]
        t = (tied_all[[i for _, i, _ in dyadic]][:, cols]
             | tied_all[[j for _, _, j in dyadic]][:, cols]) \
            & (v_l != NONMEMBER) & (v_r != NONMEMBER)
        n_groups = int(group.max()) + 1
        flat = (np.arange(len(dyadic))[:, None] * n_groups + group[None, :])[t]
        n_tied = np.bincount(flat, minlength=len(dyadic) * n_groups)\
            .reshape(len(dyadic), n_groups)[:, present].T  # (P, K)
        n_m = len(ms)
        df["n_tied"] = np.repeat(n_tied.ravel(), n_m)
        df["n_absent"] = df["n_absent"].to_numpy() - df["n_tied"].to_numpy()
        df["_p"] = df["period"].to_numpy()
        df["_k"] = np.tile(np.repeat([k for k, _, _ in dyadic], n_m), len(present))
        df["_m"] = df["measure"].cat.codes.to_numpy()
        frames.append(df.drop(columns=["period", "state_a", "state_b", "measure"]))
    if mean_pairs:
        rng = np.random.default_rng(seed) if bootstrap else None
        dates = _dates(base.resolutions)

        def sides(party: Party, opposite: Party) -> list[tuple[int, np.ndarray]]:
            """(panel row, dated membership) of each member on one side of a mean pair."""
            if not party.is_bloc:
                return [(row_of[party.code], np.ones(base.n_resolutions, dtype=bool))]
            assert party.bloc is not None
            excl = set() if (opposite.is_bloc or include_self) else \
                _self_codes(opposite.code, q.strict)
            members = [c for c in party.bloc.ever_members() if c not in excl]
            mem = party.bloc.membership_matrix(members, dates)
            return [(row_of[c], mem[i]) for i, c in enumerate(members)]

        for k in mean_pairs:
            other = parties[k + 1]
            with _one_blas_thread():
                res = _mean_method(base, cols, group, sides(a_party, other),
                                   sides(other, a_party), exclude_same=True, ms=ms, dist=dist,
                                   min_votes=min_votes, bootstrap=int(bootstrap), rng=rng,
                                   ci=ci)
            n_p, n_m = len(present), len(ms)
            frames.append(pd.DataFrame({
                "value": res["value"].ravel(), "lo": res["lo"].ravel(),
                "hi": res["hi"].ravel(), "n": np.repeat(res["n"], n_m),
                "n_absent": np.repeat(res["n_absent"], n_m),
                "n_nonmember": np.repeat(res["n_nonmember"], n_m),
                "n_tied": np.zeros(n_p * n_m, dtype=np.int64),
                "_p": np.repeat(present, n_m), "_k": k, "_m": np.tile(np.arange(n_m), n_p),
            }))
    out = pd.concat(frames, ignore_index=True)
    out = out.sort_values(["_p", "_k", "_m"], kind="stable").reset_index(drop=True)
    p_idx = out["_p"].to_numpy()
    others = np.array([p.code for p in parties[1:]], dtype=object)
    frame = pd.DataFrame({
        "period": table["period"].to_numpy()[p_idx],
        "start": table["start"].to_numpy()[p_idx],
        "end": table["end"].to_numpy()[p_idx],
        "state_a": a_party.code,
        "state_b": others[out["_k"].to_numpy()],
        "measure": pd.Categorical.from_codes(out["_m"].to_numpy(), categories=list(ms)),
        "value": out["value"].to_numpy(dtype=float),
        "lo": out["lo"].to_numpy(dtype=float),
        "hi": out["hi"].to_numpy(dtype=float),
        "n": out["n"].to_numpy(dtype=np.int64),
        "n_absent": out["n_absent"].to_numpy(dtype=np.int64),
        "n_nonmember": out["n_nonmember"].to_numpy(dtype=np.int64),
        "n_tied": out["n_tied"].to_numpy(dtype=np.int64),
    })
    query = {
        "parties": [p.token for p in parties], "period": _describe_period(period),
        **q.describe(), "measures": list(ms), "bootstrap": int(bootstrap), "seed": seed,
        "ci": ci, "min_votes": int(min_votes), "distance": distance,
        "bloc_method": bloc_method, "include_self": bool(include_self),
        "blocs_file": None if blocs_file is None or isinstance(blocs_file, Mapping)
        else str(blocs_file),
        "resolutions": int(base.n_resolutions),
        "failed_drafts": failed_drafts(base.resolutions),
    }
    return AlignmentResult(frame=frame, parties=tuple(parties), measures=ms,
                           period=period, query=query)


def cohesion(
    bloc: str,
    *more: str,
    period: PeriodSpec = "year",
    start: Any = None,
    end: Any = None,
    session: int | Sequence[int] | None = None,
    issue: str | None = None,
    body: str = "GA",
    important: bool | None = None,
    search: str | None = None,
    bootstrap: int = 2000,
    seed: int | None = None,
    min_votes: int = 10,
    min_members: int = 2,
    strict: bool = False,
    ci: float = 0.95,
    store: Store | str | Path | None = None,
    panel: Panel | None = None,
    blocs_file: str | Path | Mapping[str, Bloc] | None = None,
) -> CohesionResult:
    """Hix–Noury–Roland agreement index of one or more blocs per period, with bootstrap CI.

    A resolution counts when at least ``min_members`` members (on its date) voted Y/A/N;
    periods with fewer than ``min_votes`` such resolutions get NaN.
    """
    _check_options(bootstrap, ci, min_votes)
    if int(min_members) < 1:
        raise AlignmentError(f"min_members must be at least 1, got {min_members!r}")
    q = _query(body=body, start=start, end=end, session=session, issue=issue,
               important=important, search=search, strict=strict)
    extra = _extra_blocs(blocs_file)
    parties = [
        resolve_party(t, extra) if str(t).casefold().startswith(("bloc:", "state:"))
        else dataclasses.replace(resolve_party(f"bloc:{t}", extra), token=str(t))
        for t in (bloc, *more)
    ]
    for party in parties:
        if not party.is_bloc:
            raise AlignmentError(f"{party.token!r} is a state; cohesion is measured for blocs")
    rows: list[str] = []
    for party in parties:
        assert party.bloc is not None
        rows.extend(c for c in party.bloc.ever_members() if c not in rows)
    base = _load(store, panel, rows, q)
    _require_votes(base, q)
    cols, group, table = _assign_periods(base.resolutions, period, q)
    if len(cols) == 0:
        raise AlignmentError("no recorded vote of the query falls in the requested periods")
    present = np.unique(group)
    rng = np.random.default_rng(seed) if bootstrap else None
    order = np.argsort(group, kind="stable")
    bounds = np.searchsorted(group[order], np.r_[present, present[-1] + 1])
    parts = []
    for party in parties:
        assert party.bloc is not None
        v, mem, _ = _member_block(base, party.bloc, set())
        counts = np.stack([((v == k) & mem).sum(axis=0) for k in (YES, ABSTAIN, NO)])
        total = counts.sum(axis=0)
        top = counts.max(axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            ai = (top - 0.5 * (total - top)) / total
        ok = total >= int(min_members)
        in_un = (mem & (v != NONMEMBER)).any(axis=0)
        ai_c, ok_c, in_c, tot_c = ai[cols], ok[cols], in_un[cols], total[cols]
        n_p = len(present)
        val = np.full(n_p, np.nan)
        lo = np.full(n_p, np.nan)
        hi = np.full(n_p, np.nan)
        n = np.zeros(n_p, dtype=np.int64)
        n_exc = np.zeros(n_p, dtype=np.int64)
        n_non = np.zeros(n_p, dtype=np.int64)
        members = np.full(n_p, np.nan)
        for k in range(n_p):
            sel = order[bounds[k]:bounds[k + 1]]
            use = sel[ok_c[sel]]
            n[k] = len(use)
            n_exc[k] = int((in_c[sel] & ~ok_c[sel]).sum())
            n_non[k] = int((~in_c[sel]).sum())
            if len(use):
                members[k] = float(tot_c[use].mean())
            if len(use) >= max(int(min_votes), 1):
                x = ai_c[use]
                val[k] = float(x.mean())
                if bootstrap and rng is not None:
                    w = _resample_weights(rng, int(bootstrap), len(use))
                    draws = (w @ x.astype(np.float32)).astype(np.float64) / len(use)
                    lo_k, hi_k = _percentile_interval(draws[:, None], ci)
                    lo[k], hi[k] = lo_k[0], hi_k[0]
        parts.append(pd.DataFrame({
            "period": table["period"].to_numpy()[present],
            "start": table["start"].to_numpy()[present],
            "end": table["end"].to_numpy()[present],
            "bloc": party.code, "measure": "cohesion", "value": val, "lo": lo, "hi": hi,
            "n": n, "n_excluded": n_exc, "n_nonmember": n_non, "members": members,
            "_p": present,
        }))
    frame = pd.concat(parts, ignore_index=True)
    frame = frame.sort_values("_p", kind="stable").drop(columns="_p").reset_index(drop=True)
    query = {
        "blocs": [p.token for p in parties], "period": _describe_period(period),
        **q.describe(), "measure": "cohesion", "bootstrap": int(bootstrap), "seed": seed,
        "ci": ci, "min_votes": int(min_votes), "min_members": int(min_members),
        "resolutions": int(base.n_resolutions),
        "failed_drafts": failed_drafts(base.resolutions),
    }
    return CohesionResult(frame=frame, blocs=tuple(parties), period=period, query=query)


def _latest_year(store: Any, panel: Panel | None, q: _Query) -> tuple[int, str]:
    """The default year of :func:`alignment_matrix`: the latest complete year
    (:func:`~comity.analysis.query.latest_complete_year` of the last recorded vote of the
    query's body), and a note saying so; the year of the last vote only when the complete
    year before it holds no recorded vote (said so too)."""
    if panel is not None:
        p = _filter_panel(panel, q)
        d = _dates(p.resolutions)
        d = d[~np.isnat(d)]
        if len(d) == 0:
            _require_votes(p.select_resolutions(np.zeros(p.n_resolutions, bool)), q)
        last = pd.Timestamp(d.max())
        years = set((d.astype("datetime64[Y]").astype(np.int64) + 1970).tolist())
    else:
        s, owned = _open(store)
        try:
            where = "adoption = 'recorded'" + ("" if q.body == "BOTH"
                                               else f" AND body = '{q.body}'")
            got = s.query(f"SELECT max(date) AS last, list(DISTINCT year(date)) AS years "
                          f"FROM resolutions WHERE {where}")
        finally:
            if owned:
                s.close()
        last = got["last"].iloc[0] if len(got) else None
        if last is None or pd.isna(last):
            raise AlignmentError("the store holds no recorded votes")
        last = pd.Timestamp(last)
        years = {int(y) for y in got["years"].iloc[0]}
    y = latest_complete_year(last)
    if y in years:
        return y, (f"no year given: {y}, the latest complete year (the last recorded vote is "
                   f"of {last.date().isoformat()})")
    return int(last.year), (f"no year given: {last.year}, a partial year (the last recorded "
                            f"vote is of {last.date().isoformat()}; no vote in {y})")


def _matrix_wide(
    p: Panel, cols: np.ndarray, group: np.ndarray, table: pd.DataFrame,
    ms: tuple[str, ...], dist: np.ndarray, min_votes: int,
) -> tuple[pd.DataFrame, dict[Any, int]]:
    """All dyads of states present in each period: one position-table product per period."""
    order = np.argsort(group, kind="stable")
    present = np.unique(group)
    bounds = np.searchsorted(group[order], np.r_[present, present[-1] + 1]) \
        if len(present) else np.zeros(1, np.intp)
    col_sorted = cols[order]
    pos_all = _positions(p.votes)
    out_p, out_a, out_b, out_v, out_n, out_u, out_abs, out_non = ([] for _ in range(8))
    n_res: dict[Any, int] = {}
    labels = table["period"].to_numpy()
    for k, per in enumerate(present):
        cc = col_sorted[bounds[k]:bounds[k + 1]]
        n_res[labels[per]] = len(cc)
        pos = pos_all[:, cc]  # (S, R_p)
        act = np.flatnonzero((pos >= 0).any(axis=1))
        s = len(act)
        if s < 2:
            continue
        pa = pos[act]
        x = np.empty((len(cc), 3, s), dtype=np.float32)
        for j in range(3):
            x[:, j, :] = (pa == j).T
        x2 = x.reshape(len(cc), 3 * s)
        g = (x2.T @ x2).reshape(3, s, 3, s)
        mem = (pa >= 0).T.astype(np.float32)
        both = mem.T @ mem
        ia, ib = np.triu_indices(s, 1)
        co = both[ia, ib] > 0.5  # both members at some vote of the period
        ia, ib = ia[co], ib[co]
        tables = g[:, ia, :, ib]  # (D, 3, 3)
        vals, ns = _compute(tables, ms, dist, min_votes)
        n_used = np.rint(tables.reshape(-1, 9).sum(axis=1)).astype(np.int64)
        nb = np.rint(both[ia, ib]).astype(np.int64)
        out_p.append(np.full(len(ia), per, dtype=np.int64))
        out_a.append(act[ia])
        out_b.append(act[ib])
        out_v.append(vals)
        out_n.append(ns)
        out_u.append(n_used)
        out_abs.append(nb - n_used)
        out_non.append(len(cc) - nb)
    if out_p:
        pp = np.concatenate(out_p)
        va = np.concatenate(out_v)
        nn = np.concatenate(out_n)
        nu = np.concatenate(out_u)
        aa, bb = np.concatenate(out_a), np.concatenate(out_b)
        ab, non = np.concatenate(out_abs), np.concatenate(out_non)
    else:
        pp = np.zeros(0, np.int64)
        va = np.zeros((0, len(ms)))
        nn = np.zeros((0, len(ms)), np.int64)
        nu = aa = bb = ab = non = np.zeros(0, np.int64)
    cats = pd.Index(p.states)
    data: dict[str, Any] = {
        "period": labels[pp],
        "start": table["start"].to_numpy()[pp],
        "end": table["end"].to_numpy()[pp],
        "state_a": pd.Categorical.from_codes(aa, categories=cats),
        "state_b": pd.Categorical.from_codes(bb, categories=cats),
    }
    for j, m in enumerate(ms):
        data[m] = va[:, j]
    data["n"] = nu
    if "coincidence" in ms:
        data["n_coincidence"] = nn[:, ms.index("coincidence")]
    data["n_absent"] = ab
    data["n_nonmember"] = non
    return pd.DataFrame(data), n_res


def alignment_matrix(
    year: int | None = None,
    *,
    start: Any = None,
    end: Any = None,
    period: PeriodSpec | None = None,
    states: Sequence[str] | None = None,
    measure: str | Sequence[str] = "agreement",
    session: int | Sequence[int] | None = None,
    issue: str | None = None,
    body: str = "GA",
    important: bool | None = None,
    search: str | None = None,
    min_votes: int = 10,
    distance: Literal["absolute", "squared"] = "absolute",
    bootstrap: int = 0,
    seed: int | None = None,
    ci: float = 0.95,
    strict: bool = False,
    store: Store | str | Path | None = None,
    panel: Panel | None = None,
) -> MatrixResult:
    """Every dyad of states for one period: ``year``, or ``start``..``end``, or (neither given)
    the latest complete year (:func:`~comity.analysis.query.latest_complete_year`: the year of
    the last recorded vote if that vote is in December, else the year before; said so in
    ``query["note"]``, None otherwise).

    ``states``: restrict to these states (codes or names; lineage applies unless ``strict``);
    default: every state stored, each code as the entity it was (SUN and RUS apart). Dyads whose
    states were never both members during the period are left out. ``period`` (as in
    :func:`alignment`) splits the range into several periods, e.g. ``period="year"`` with
    ``start=1946`` gives every dyad of every year. ``bootstrap`` > 0 adds percentile intervals
    for every dyad (costly: draws x resolutions x 9 x dyads per period).
    """
    ms = _measures(measure)
    dist = _check_distance(distance)
    _check_options(bootstrap, ci, min_votes)
    if year is not None:
        if start is not None or end is not None:
            raise AlignmentError("give either year or start/end, not both")
        start, end = int(year), int(year)
        period = "year" if period is None else period
    q = _query(body=body, start=start, end=end, session=session, issue=issue,
               important=important, search=search, strict=strict)
    note = None
    if year is None and start is None and end is None and session is None:
        y, note = _latest_year(store, panel, q)
        q = _query(body=body, start=y, end=y, session=None, issue=issue, important=important,
                   search=search, strict=strict)
        period = "year" if period is None else period
    rows = None
    if states is not None:
        rows = []
        for t in states:
            party = resolve_party(t)
            if party.is_bloc:
                raise AlignmentError(
                    f"{t!r} is a bloc; alignment_matrix takes states (use its members)")
            if party.code not in rows:
                rows.append(party.code)
        rows.sort()  # dyads come out as state_a < state_b
    base = _load(store, panel, rows, q)
    _require_votes(base, q)
    per = "all" if period is None else period
    cols, group, table = _assign_periods(base.resolutions, per, q)
    if len(cols) == 0:
        raise AlignmentError("no recorded vote of the query falls in the requested periods")
    with _one_blas_thread():
        wide, n_res = _matrix_wide(base, cols, group, table, ms, dist, int(min_votes))
    if bootstrap:
        wide = _matrix_bootstrap(base, cols, group, table, wide, ms, int(min_votes), distance,
                                 int(bootstrap), seed, ci)
    query = {
        "year": year, "period": _describe_period(per), **q.describe(),
        "states": None if rows is None else list(rows), "measures": list(ms),
        "bootstrap": int(bootstrap), "seed": seed, "ci": ci, "min_votes": int(min_votes),
        "distance": distance, "resolutions": int(base.n_resolutions),
        "failed_drafts": failed_drafts(base.resolutions), "note": note,
    }
    return MatrixResult(wide=wide, measures=ms, period=per, query=query, n_resolutions=n_res)


def _matrix_bootstrap(
    base: Panel, cols: np.ndarray, group: np.ndarray, table: pd.DataFrame, wide: pd.DataFrame,
    ms: tuple[str, ...], min_votes: int, distance: Literal["absolute", "squared"],
    bootstrap: int, seed: int | None, ci: float,
) -> pd.DataFrame:
    """Percentile intervals for every dyad of ``wide``, one vectorised bootstrap per period."""
    present = np.unique(group)
    seeds = np.random.default_rng(seed).integers(0, 2**63 - 1, size=len(present))
    labels = table["period"].to_numpy()
    lo = np.full((len(wide), len(ms)), np.nan)
    hi = np.full((len(wide), len(ms)), np.nan)
    for k, per in enumerate(present):
        sel = np.flatnonzero((wide["period"] == labels[per]).to_numpy())
        if not len(sel):
            continue
        cc = cols[group == per]
        sub = Panel(votes=base.votes[:, cc], states=base.states,
                    resolutions=base.resolutions.iloc[cc].reset_index(drop=True))
        pairs = list(zip(wide["state_a"].to_numpy()[sel].astype(str),
                         wide["state_b"].to_numpy()[sel].astype(str), strict=True))
        df = dyad_measures(sub, periods=None, measures=ms, pairs=pairs, min_votes=min_votes,
                           distance=distance, bootstrap=bootstrap, seed=int(seeds[k]), ci=ci)
        lo[sel] = df["lo"].to_numpy().reshape(len(sel), len(ms))
        hi[sel] = df["hi"].to_numpy().reshape(len(sel), len(ms))
    wide = wide.copy()
    for j, m in enumerate(ms):
        wide[f"lo_{m}"] = lo[:, j]
        wide[f"hi_{m}"] = hi[:, j]
    return wide
