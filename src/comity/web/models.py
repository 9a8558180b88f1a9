"""Pydantic models of the JSON answers (they make the OpenAPI schema at ``/openapi.json``).

Dates are ISO strings (``YYYY-MM-DD``), missing numbers ``null``. A state is its canonical
code (upper case), a bloc its key (lower case).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Period = int | str


class _Model(BaseModel):
    model_config = ConfigDict(extra="allow")


class ErrorOut(BaseModel):
    detail: str = Field(description="What went wrong, naming the offending input.")
    error: str = Field(description="The comity exception class (e.g. UnknownStateError).")


class BodyInfo(_Model):
    body: str
    resolutions: int
    recorded: int
    first: str | None
    last: str | None
    first_session: int | None = None
    last_session: int | None = None


class SourceInfo(_Model):
    source: str
    resolutions: int
    votes: int


class IngestInfo(_Model):
    source: str
    file: str
    sha256: str
    rows: int | None = None
    at: str | None = None


class InfoOut(BaseModel):
    """What data the server answers from: counts, sources, files and their sha256."""

    version: str
    db: str = Field(description="File name of the store.")
    counts: dict[str, int]
    bodies: list[BodyInfo]
    sources: list[SourceInfo]
    ingests: list[IngestInfo] = Field(description="The latest loads (newest first).")
    quality: dict[str, int] = Field(description="Data-quality findings by kind.")
    measures: list[str]
    issues: dict[str, str] = Field(description="Voeten's issue codes and what they cover.")
    features: dict[str, bool] = Field(
        description="Optional analyses available in this installation.")
    limits: dict[str, int]


class MembershipPeriod(BaseModel):
    start: str | None
    end: str | None = Field(description="First day no longer a member (null: still one).")
    kind: str | None = None
    note: str | None = None


class StateOut(_Model):
    code: str
    name: str
    member_from: str | None = None
    member_to: str | None = None
    predecessor: str | None = None
    memberships: list[MembershipPeriod] = []


class StatesOut(BaseModel):
    at: str | None = Field(description="Only states that were members on this date.")
    count: int
    rows: list[StateOut]


class BlocOut(_Model):
    key: str
    name: str
    aliases: list[str]
    description: str
    n_members: int
    first_date: str | None
    members: list[str] = Field(description="Members on the date 'at'.")


class BlocMembership(BaseModel):
    state: str
    start: str | None
    end: str | None
    source: str | None = None
    note: str | None = None


class BlocsOut(BaseModel):
    at: str
    rows: list[BlocOut]


class BlocDetailOut(BlocOut):
    memberships: list[BlocMembership]


class ResolutionOut(_Model):
    rid: str
    body: str | None = None
    session: int | None = None
    date: str | None = None
    symbol: str | None = None
    title: str | None = None
    issues: list[str] | None = None
    important: bool | None = None
    amend: bool | None = None
    para: bool | None = None
    adoption: str | None = None
    outcome: str | None = None
    yes: int | None = None
    no: int | None = None
    abstain: int | None = None
    non_voting: int | None = None
    sources: list[str] | None = None
    link: str | None = None
    issues_predicted: bool | None = Field(
        None, description="True when `issues` are the classifier's predictions (Voeten has "
        "not coded this resolution; `comity issues predict`).")


class ResolutionsOut(BaseModel):
    total: int = Field(description="Resolutions matching the filters (all pages).")
    limit: int
    offset: int
    rows: list[ResolutionOut]


class VoteRow(BaseModel):
    state: str
    name: str | None
    vote: str = Field(description="Y yes, N no, A abstain, X present/member but not voting.")
    inferred: bool | None
    source: str | None


class VotesOut(BaseModel):
    resolution: ResolutionOut
    matches: int = Field(description="Stored votes matching the symbol (the first is shown).")
    also: list[str] = Field(default_factory=list, description="The rids of the other matches "
                            "(at most 20), e.g. A/RES/2758(XXVI) for 'res 2758' beside "
                            "S/RES/2758: give the full symbol to see one of them.")
    counts: dict[str, int]
    rows: list[VoteRow]


class PartyOut(BaseModel):
    token: str
    kind: str
    code: str
    name: str


class AlignmentRow(BaseModel):
    period: Period
    start: str | None
    end: str | None
    state_a: str
    state_b: str
    measure: str
    value: float | None
    lo: float | None
    hi: float | None
    n: int
    n_absent: int
    n_nonmember: int
    n_tied: int


class AlignmentOut(BaseModel):
    query: dict[str, Any]
    parties: list[PartyOut]
    rows: list[AlignmentRow]


class MatrixRow(BaseModel):
    state_a: str
    state_b: str
    value: float | None
    lo: float | None = None
    hi: float | None = None
    n: int
    n_absent: int
    n_nonmember: int


class MatrixOut(BaseModel):
    query: dict[str, Any]
    measure: str
    period: Period
    states: list[str]
    rows: list[MatrixRow]


class CohesionRow(BaseModel):
    period: Period
    start: str | None
    end: str | None
    bloc: str
    measure: str
    value: float | None
    lo: float | None
    hi: float | None
    n: int
    n_excluded: int
    n_nonmember: int
    members: float | None


class CohesionOut(BaseModel):
    query: dict[str, Any]
    blocs: list[PartyOut]
    rows: list[CohesionRow]


class VetoRow(_Model):
    """One veto: a permanent member's No on a failed draft. Before 1994 only the veto list
    knows it, so the tally and whether the draft had its nine votes may be unknown (null)."""

    rid: str
    symbol: str | None
    date: str | None
    state: str
    name: str | None
    yes: int | None
    no: int | None
    abstain: int | None
    non_voting: int | None
    required: int | None
    decisive: bool | None
    title: str | None
    link: str | None
    sources: str | list[str] | None


class VetoesOut(BaseModel):
    query: dict[str, Any]
    note: str
    rows: list[VetoRow]


class CouncilMember(_Model):
    state: str
    name: str | None
    permanent: bool
    seat: str
    votes: int
    first_vote: str | None
    last_vote: str | None


class CouncilOut(BaseModel):
    year: int
    resolutions: int
    members: list[CouncilMember]


class IdealPointRow(_Model):
    state: str
    period: int
    estimate: float | None
    se: float | None
    dim: int | None = None
    lo: float | None = None
    hi: float | None = None
    n_votes: int | None = None


class IdealPointsOut(BaseModel):
    name: str
    meta: dict[str, Any]
    rows: list[IdealPointRow]


MAX_CLAIM_TEXT = 65_536
"""Longest text of ``POST /api/claims`` without ``article`` (characters)."""

MAX_ARTICLE_TEXT = 1_000_000
"""Longest text with ``article=true`` (characters; ``comity.claims.check.MAX_TEXT``)."""


class ClaimIn(BaseModel):
    """A claim in template form, a plain sentence, or (``article``) a whole article."""

    model_config = ConfigDict(strict=True, extra="forbid")

    text: str = Field(min_length=1, max_length=MAX_ARTICLE_TEXT,
                      description="A claim ('USA closer to RUS than to EU in 2025'), a plain "
                      "sentence ('In 2025 the US voted closer to Russia than to the EU') or, "
                      f"with article=true, a whole article. At most {MAX_CLAIM_TEXT:,} "
                      f"characters, {MAX_ARTICLE_TEXT:,} with article=true.",
                      examples=["USA closer to RUS than to EU in 2025"])
    measure: str | None = Field(default=None, max_length=20,
                                description="agreement, S, kappa, pi or coincidence.")
    body: Literal["GA", "SC", "both"] | None = Field(default=None,
                                                     description="Default: GA.")
    bootstrap: int | None = Field(default=None, ge=0, le=5000,
                                  description="Bootstrap draws (default: comity's, 2000).")
    seed: int | None = Field(default=0, ge=0, le=2**32 - 1)
    article: bool = Field(default=False, description="The text is an article (many "
                          f"sentences): up to {MAX_ARTICLE_TEXT:,} characters instead of "
                          f"{MAX_CLAIM_TEXT:,}. The answer's shape depends on what is found, "
                          "not on this flag: one claim → ClaimOut, several → ArticleOut.")

    @model_validator(mode="after")
    def _text_size(self) -> ClaimIn:
        if not self.article and len(self.text) > MAX_CLAIM_TEXT:
            raise ValueError(f"the text has {len(self.text):,} characters: at most "
                             f"{MAX_CLAIM_TEXT:,} for a claim; send article=true for a text "
                             f"of up to {MAX_ARTICLE_TEXT:,}")
        return self


class ClaimOut(BaseModel):
    """One claim (a template claim or a sentence holding one claim) and its result."""

    text: str
    sentence: str | None = Field(description="The claim in words, with the periods used.")
    reading: str | None = Field(default=None, description="The claim as read, in template "
                                "form with body and measure ('USA closer to RUS than to EU, "
                                "2025, GA, measure agreement').")
    verdict: str
    headline: str | None = Field(default=None, description="The verdict as the first line "
                                 "says it: 'measure-dependent' when the measures disagree, "
                                 "else the verdict.")
    measure: str | None
    effect: float | None
    lo: float | None
    hi: float | None
    n: int | None
    evidence: list[dict[str, Any]]
    result: dict[str, Any] = Field(description="The whole claim result (ClaimResult.to_dict).")


class ArticleOut(BaseModel):
    """Every claim found in a text (``CheckedText.to_dict``): at most 50 are evaluated per
    request, the others are listed in ``skipped``."""

    claims: list[dict[str, Any]] = Field(
        description="One per claim, in the order of the text: sentence, reading, kind, "
        "template, parties, period {start, end, label}, before, issue, topic, verdict, "
        "headline, verdicts_by_measure, effect, lo, hi, ci, n, measure, measure_definition, "
        "explanation, robustness, evidence, notes, reader_notes.")
    skipped: list[dict[str, Any]] = Field(
        description="Sentences without a claim testable with votes: {sentence, why}.")


class AnalysisOut(BaseModel):
    """Answer of an optional analysis module (shifts, clusters): the query, a table and the
    module's own JSON description of its result."""

    query: dict[str, Any]
    rows: list[dict[str, Any]]
    result: dict[str, Any]


class CompareOverall(BaseModel):
    value: float | None
    lo: float | None
    hi: float | None
    n: int = Field(description="Votes where both sides had a Y/A/N position.")
    n_absent: int
    n_nonmember: int
    n_tied: int
    resolutions: int = Field(description="Recorded votes of the period.")
    identical: float | None = Field(description="Share of identical positions.")
    opposed: int = Field(description="Votes where one voted Yes and the other No.")


class CompareMatrix(BaseModel):
    labels: list[str] = Field(description="Y, A, N: rows are a's position, columns b's.")
    n: int
    counts: list[list[int]]
    shares: list[list[float | None]]


class CompareYear(BaseModel):
    year: int
    n: int
    counts: list[list[int]]
    shares: list[list[float | None]]


class CompareTopic(BaseModel):
    kind: Literal["issue", "keyword"]
    key: str
    name: str
    keywords: list[str] | None = Field(description="Searched in title, agenda and subjects "
                                       "(keyword topics).")
    resolutions: int
    n: int
    value: float | None
    lo: float | None
    hi: float | None
    predicted: int = Field(description="Votes of the issue coded by the classifier.")
    basis: str | None = Field(description="coded, predicted or coded+predicted (issues).")


class DivergentRow(_Model):
    rank: int
    rid: str
    date: str | None
    symbol: str | None
    title: str | None
    vote_a: str
    vote_b: str
    distance: int
    kind: str = Field(description="Y/N, Y/A or N/A.")
    yes: int
    abstain: int
    no: int
    tally: str = Field(description="official, or counted from the stored votes.")
    contestedness: float = Field(description="1 - |yes - no| / (yes + no).")
    link: str | None


class SharedMinorityRow(_Model):
    rank: int
    rid: str
    date: str | None
    symbol: str | None
    title: str | None
    vote: str
    yes: int
    abstain: int
    no: int
    share: float = Field(description="Share of the Y/A/N votes cast that took this position.")
    tally: str
    link: str | None


class CosponsorYear(BaseModel):
    year: int
    value: float | None
    lo: float | None
    hi: float | None
    n: int
    both: int
    texts: int


class VotedNoRow(_Model):
    rid: str
    date: str | None
    symbol: str | None
    title: str | None
    sponsor: str = Field(description="The state that sponsored the text.")
    sponsor_kind: str = Field(description="sponsor (on the draft) or additional.")
    voted_no: str = Field(description="The other state, which voted No.")
    yes: int | None
    no: int | None
    abstain: int | None
    link: str | None


class CompareCosponsorship(BaseModel):
    """Co-sponsorship of the two states (Jaccard index over the texts either sponsored)."""

    measure: str
    kinds: list[str]
    value: float | None
    lo: float | None
    hi: float | None
    n: int = Field(description="Texts of the period either state sponsored.")
    both: int = Field(description="Texts both sponsored.")
    only_a: int
    only_b: int
    sponsored_a: int
    sponsored_b: int
    texts: int = Field(description="Texts of the period with at least one sponsoring state.")
    first: str | None
    last: str | None
    by_year: list[CosponsorYear]
    voted_no_total: int
    voted_no: list[VotedNoRow]
    note: str | None = Field(description="Why there is no value (no sponsor data, a bloc).")


class CompareOut(BaseModel):
    """Two states or blocs compared (keys of ``comity compare --json``)."""

    query: dict[str, Any]
    parties: list[PartyOut]
    measure: str
    overall: CompareOverall
    trend: list[AlignmentRow]
    matrix: CompareMatrix
    matrix_by_year: list[CompareYear]
    topics: list[CompareTopic]
    divergent_total: int
    divergent: list[DivergentRow]
    shared_minority_total: int
    shared_minority: list[SharedMinorityRow]
    cosponsorship: CompareCosponsorship | None = None
