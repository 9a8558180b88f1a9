"""The in-memory vote matrix: states x recorded votes, int8 codes, with resolution metadata.

Codes follow Voeten's convention so that users of the field recognise them:

=====  =========================================================
code   meaning
=====  =========================================================
1      Y  yes
2      A  abstain
3      N  no
8      X  member, absent or did not vote (explicit or inferred)
9      not a member on that date (or not on the Council, for SC)
=====  =========================================================

A :class:`Panel` does no I/O; :func:`comity.store.db.Store.panel` builds one from one query.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

YES, ABSTAIN, NO, ABSENT, NONMEMBER = 1, 2, 3, 8, 9
CODE_OF_VOTE = {"Y": YES, "A": ABSTAIN, "N": NO, "X": ABSENT}
VOTE_OF_CODE = {v: k for k, v in CODE_OF_VOTE.items()}


@dataclass(frozen=True, eq=False)
class Panel:
    """Votes of ``states`` (rows) on ``resolutions`` (columns).

    Attributes
    ----------
    votes:
        ``int8`` array of shape ``(n_states, n_resolutions)`` with the codes above.
    states:
        canonical state codes, one per row of ``votes``.
    resolutions:
        one row per column of ``votes``: ``rid, body, session, date, symbol, title, issues,
        important, recurring_key, yes, no, abstain, non_voting`` (as in the store).
    inferred:
        boolean array like ``votes``; True where an X was deduced from membership.
    flagged:
        boolean array like ``votes``; True where the vote was cast by a predecessor state
        (e.g. the USSR in RUS's row) because the panel was built with ``strict=False``.
    """

    votes: np.ndarray
    states: tuple[str, ...]
    resolutions: pd.DataFrame
    inferred: np.ndarray | None = None
    flagged: np.ndarray | None = None
    meta: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        v = self.votes
        if v.ndim != 2:
            raise ValueError("votes must be a 2-D array")
        if v.shape != (len(self.states), len(self.resolutions)):
            raise ValueError(
                f"votes has shape {v.shape}, expected "
                f"({len(self.states)}, {len(self.resolutions)})"
            )
        if v.dtype != np.int8:
            object.__setattr__(self, "votes", v.astype(np.int8))

    # -- shape -------------------------------------------------------------------------
    @property
    def n_states(self) -> int:
        return len(self.states)

    @property
    def n_resolutions(self) -> int:
        return len(self.resolutions)

    def state_index(self, code: str) -> int:
        try:
            return self.states.index(code)
        except ValueError:
            from comity.errors import UnknownStateError

            raise UnknownStateError(
                f"state {code!r} is not in this panel", spellings=[code]
            ) from None

    # -- slicing -----------------------------------------------------------------------
    def select_resolutions(self, mask: np.ndarray | pd.Series) -> Panel:
        m = np.asarray(mask, dtype=bool)
        return Panel(
            votes=self.votes[:, m],
            states=self.states,
            resolutions=self.resolutions.loc[m].reset_index(drop=True),
            inferred=None if self.inferred is None else self.inferred[:, m],
            flagged=None if self.flagged is None else self.flagged[:, m],
            meta=dict(self.meta),
        )

    def select_states(self, codes: list[str] | tuple[str, ...]) -> Panel:
        idx = [self.state_index(c) for c in codes]
        return Panel(
            votes=self.votes[idx],
            states=tuple(codes),
            resolutions=self.resolutions,
            inferred=None if self.inferred is None else self.inferred[idx],
            flagged=None if self.flagged is None else self.flagged[idx],
            meta=dict(self.meta),
        )

    def between(self, start: str | pd.Timestamp | None, end: str | pd.Timestamp | None) -> Panel:
        d = pd.to_datetime(self.resolutions["date"])
        m = np.ones(len(d), dtype=bool)
        if start is not None:
            m &= (d >= pd.Timestamp(start)).to_numpy()
        if end is not None:
            m &= (d <= pd.Timestamp(end)).to_numpy()
        return self.select_resolutions(m)

    def voted(self) -> np.ndarray:
        """Boolean mask of cells holding a Y, A or N."""
        return (self.votes >= YES) & (self.votes <= NO)

    # -- conversions -------------------------------------------------------------------
    def to_frame(self) -> pd.DataFrame:
        """Long form: one row per (state, rid) that is not a non-member cell."""
        s_idx, r_idx = np.nonzero(self.votes != NONMEMBER)
        codes = self.votes[s_idx, r_idx]
        out = pd.DataFrame(
            {
                "state": np.asarray(self.states, dtype=object)[s_idx],
                "rid": self.resolutions["rid"].to_numpy()[r_idx],
                "vote": pd.Series(codes).map(VOTE_OF_CODE).to_numpy(),
            }
        )
        return out

    @classmethod
    def from_long(
        cls,
        votes: pd.DataFrame,
        resolutions: pd.DataFrame,
        states: list[str] | None = None,
    ) -> Panel:
        """Build a panel from long rows ``(state, rid, vote)`` with vote in Y/A/N/X.

        Cells with no row are non-member (9). Vectorised: no Python loop over votes.
        """
        res = resolutions.reset_index(drop=True)
        if states is None:
            states = sorted(votes["state"].unique().tolist())
        s_pos = pd.Index(states).get_indexer(votes["state"])
        r_pos = pd.Index(res["rid"]).get_indexer(votes["rid"])
        keep = (s_pos >= 0) & (r_pos >= 0)
        mat = np.full((len(states), len(res)), NONMEMBER, dtype=np.int8)
        codes = votes["vote"].map(CODE_OF_VOTE).to_numpy()
        if pd.isna(codes[keep]).any():
            raise ValueError("vote must be one of Y, A, N, X")
        mat[s_pos[keep], r_pos[keep]] = codes[keep].astype(np.int8)
        inferred = None
        if "inferred" in votes.columns:
            inferred = np.zeros(mat.shape, dtype=bool)
            inferred[s_pos[keep], r_pos[keep]] = votes["inferred"].to_numpy(dtype=bool)[keep]
        flagged = None
        if "flagged" in votes.columns:
            flagged = np.zeros(mat.shape, dtype=bool)
            flagged[s_pos[keep], r_pos[keep]] = votes["flagged"].to_numpy(dtype=bool)[keep]
        return cls(votes=mat, states=tuple(states), resolutions=res, inferred=inferred,
                   flagged=flagged)
