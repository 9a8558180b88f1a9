"""Issue coding for every resolution: a text classifier trained on Voeten's codes.

Voeten's six issue codes (``me`` Middle East, ``nu`` nuclear, ``di`` arms control and
disarmament, ``hr`` human rights, ``co`` colonialism, ``ec`` economic development; a roll call
may carry several or none) stop with session 74 (2019). This module learns them from the text of
the coded General Assembly votes and predicts them for the others.

Corpus
------
A GA resolution is *coded* when one of Voeten's releases lists it (``sources`` holds
``unvotes`` or ``voeten2016``): its ``issues`` are then Voeten's, and an empty list means "none
of the six". Every other GA resolution (the UNxml sessions 75-80, scrape-only rows, resolutions
adopted without a vote) is *uncoded* and gets predictions. The document of a resolution is its
title (without the UN Digital Library's ``" : resolution / adopted by ..."`` suffix and
``"[...]"`` mark), agenda item (Voeten's short description for old votes, the agenda item name
in UNxml) and UN subject headings (UNxml only), joined by spaces.

Model
-----
TF-IDF of word uni- and bigrams plus character 3-5-grams within word boundaries (sublinear tf,
terms in at least 2 documents), then one binary logistic regression per issue
(one-vs-rest, multi-label; ``C = 10``, liblinear, dual form: faster with more features than
documents). ``C`` was fixed beforehand; macro-F1 moves by
less than 0.01 for ``C`` between 3 and 30 on the held-out splits below. An issue is *predicted*
where its probability is at least ``threshold`` (0.5).

Session 74 is left out of training by default (:data:`SUSPECT_SESSIONS`): its codes in the
unvotes release disagree with Voeten's own coding of the same recurring texts one session
earlier. Of the 45 texts voted in both sessions 73 and 74, 51 % carry the same set of codes,
against 68-100 % (94 % on average) for every earlier pair of consecutive sessions since 60; the
colonialism codes vanish from the decolonisation resolutions of session 74 and appear, with
economic development, on arms-control ones (agreement 76 % for ``co`` and 64 % for ``ec``,
against at least 94 % and 98 % in sessions 60-72). Session 73 itself is also less consistent
with 72 (68 %), which shows in the rolling evaluation below.

Held-out evaluation
-------------------
:func:`evaluate` trains on the coded resolutions of sessions ``<= train_until`` and tests on the
coded resolutions of the *later* sessions up to ``test_until`` (never random rows: titles recur
every year, so a random split would leak the test texts into training). Reported per issue:
F1, precision, recall and support; macro-F1 is their unweighted mean. The reference split
(:data:`REFERENCE_SPLIT`) trains on sessions 1-68 and tests on 69-73; ``bench/issues.py``
also reports the split including session 74 and rolling one-session-ahead splits.

Stored predictions
------------------
:func:`write_predictions` writes the table ``issue_predictions(rid VARCHAR, issue VARCHAR,
probability DOUBLE, predicted BOOLEAN, model_version VARCHAR)``: one row per uncoded resolution
and issue (six rows per resolution), ``predicted`` = probability >= threshold. It opens its own
``duckdb.connect(path)`` (read-write: no other connection to the file may be open, including a
read-only :class:`~comity.store.Store` in the same process) and replaces the whole table in one
transaction. :func:`resolution_issues` and :func:`with_predicted_issues` read Voeten's codes and,
where a resolution has none, the stored predictions.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from comity.errors import ComityError
from comity.panel import Panel

if TYPE_CHECKING:
    from comity.store import Store

__all__ = [
    "ISSUE_CODES",
    "REFERENCE_SPLIT",
    "SUSPECT_SESSIONS",
    "IssueEvaluation",
    "IssueModel",
    "IssueModelError",
    "corpus",
    "document_text",
    "evaluate",
    "label_matrix",
    "load_model",
    "predict",
    "read_predictions",
    "resolution_issues",
    "save_model",
    "train",
    "with_predicted_issues",
    "write_predictions",
]

ISSUE_CODES: tuple[str, ...] = ("me", "nu", "di", "hr", "co", "ec")
"""Voeten's issue codes, in his order."""

VOETEN_SOURCES: tuple[str, ...] = ("unvotes", "voeten2016")
"""Sources whose resolutions carry Voeten's coding."""

SUSPECT_SESSIONS: tuple[int, ...] = (74,)
"""Sessions whose Voeten codes are left out of training (module docstring)."""

REFERENCE_SPLIT: tuple[int, int] = (68, 73)
"""``(train_until, test_until)`` of the reference held-out evaluation."""

MODEL_NAME = "tfidf-lr"
TABLE = "issue_predictions"
TABLE_DDL = (f"CREATE TABLE IF NOT EXISTS {TABLE} (rid VARCHAR, issue VARCHAR, "
             "probability DOUBLE, predicted BOOLEAN, model_version VARCHAR)")


class IssueModelError(ComityError, ValueError):
    """The classifier cannot be trained or applied (no coded resolutions, unknown issue, ...)."""


# ==================================================================================== corpus
_CATALOGUE = re.compile(r"\s*:\s*resolution\s*/.*$", re.IGNORECASE)
_TRUNC = re.compile(r"\s*\[\.\.\.\]\s*$")


def _clean(series: pd.Series) -> pd.Series:
    s = series.astype("string").fillna("")
    s = s.str.replace(_CATALOGUE, "", regex=True).str.replace(_TRUNC, "", regex=True)
    return s.str.strip()


def document_text(frame: pd.DataFrame) -> pd.Series:
    """The classifier's document per row: title (cleaned), agenda and subjects, joined."""
    parts = [_clean(frame[c]) for c in ("title", "agenda", "subjects") if c in frame.columns]
    if not parts:
        raise IssueModelError("no title, agenda or subjects column to build documents from")
    out = parts[0]
    for p in parts[1:]:
        out = out + " " + p
    return out.str.replace(r"\s+", " ", regex=True).str.strip().astype(object)


def label_matrix(issues: pd.Series) -> np.ndarray:
    """(n, 6) 0/1 matrix of :data:`ISSUE_CODES` from a column of issue lists."""
    ex = issues.reset_index(drop=True).explode()
    ex = ex[ex.notna()]
    y = np.zeros((len(issues), len(ISSUE_CODES)), dtype=np.int8)
    col = pd.Index(ISSUE_CODES).get_indexer(ex.astype(str))
    ok = col >= 0
    y[ex.index.to_numpy()[ok], col[ok]] = 1
    return y


def _open_store(store: Any) -> tuple[Any, bool]:
    from comity.store import Store

    if isinstance(store, Store):
        return store, False
    return Store(store, read_only=True), True


def corpus(store: Store | str | Path | None = None, *, bodies: Sequence[str] = ("GA",)
           ) -> pd.DataFrame:
    """Every resolution of ``bodies`` (all adoption kinds) with ``rid, body, session, date,
    symbol, title, agenda, subjects, issues, coded, text`` (``coded``: Voeten lists it)."""
    s, owned = _open_store(store)
    try:
        bl = [str(b).upper() for b in bodies]
        df = s.query(
            "SELECT rid, body, session, date, symbol, title, agenda, subjects, issues, "
            "list_has_any(sources, ['unvotes', 'voeten2016']) AND body = 'GA' AS coded "
            f"FROM resolutions WHERE body IN ({','.join('?' * len(bl))}) ORDER BY date, rid",
            bl)
    finally:
        if owned:
            s.close()
    df["coded"] = df["coded"].astype(bool)
    df["text"] = document_text(df)
    return df


# ===================================================================================== model
def _pipeline(c: float) -> Any:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.multiclass import OneVsRestClassifier
    from sklearn.pipeline import make_pipeline, make_union

    features = make_union(
        TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True),
        TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), min_df=2, sublinear_tf=True),
    )
    clf = OneVsRestClassifier(LogisticRegression(C=c, solver="liblinear", dual=True,
                                                 max_iter=5000))
    return make_pipeline(features, clf)


@dataclass(eq=False)
class IssueModel:
    """A fitted issue classifier: ``pipeline`` (scikit-learn), ``version``, ``threshold`` and
    what it was trained on (``n_train``, ``sessions``, ``trained_at``)."""

    pipeline: Any
    version: str
    threshold: float = 0.5
    c: float = 10.0
    n_train: int = 0
    sessions: tuple[int, int] = (0, 0)
    trained_at: str = ""
    meta: dict[str, Any] = field(default_factory=dict)

    def predict_proba(self, texts: Sequence[str] | pd.Series) -> np.ndarray:
        """(n, 6) probabilities, columns in :data:`ISSUE_CODES` order."""
        t = list(texts)
        if not t:
            return np.zeros((0, len(ISSUE_CODES)))
        return np.asarray(self.pipeline.predict_proba(t), dtype=np.float64)

    def describe(self) -> dict[str, Any]:
        return {"model_version": self.version, "threshold": self.threshold, "C": self.c,
                "n_train": self.n_train, "sessions": list(self.sessions),
                "trained_at": self.trained_at, **self.meta}


def _fit(texts: Sequence[str], y: np.ndarray, c: float) -> Any:
    if len(texts) == 0:
        raise IssueModelError("no coded resolution to train on")
    missing = [ISSUE_CODES[k] for k in range(y.shape[1]) if y[:, k].min() == y[:, k].max()]
    if missing:
        raise IssueModelError(
            f"issue(s) {missing} have only one class in the training data; need examples with "
            "and without each issue")
    pipe = _pipeline(c)
    pipe.fit(list(texts), y)
    return pipe


def _version(rids: Sequence[str], y: np.ndarray, c: float, threshold: float) -> str:
    import sklearn

    h = hashlib.sha1()
    h.update(f"{MODEL_NAME}|{c}|{threshold}|{sklearn.__version__}".encode())
    h.update("\n".join(map(str, rids)).encode())
    h.update(np.ascontiguousarray(y).tobytes())
    return f"{MODEL_NAME}-{h.hexdigest()[:12]}"


def _training_rows(frame: pd.DataFrame, until: int | None,
                   exclude: Sequence[int]) -> np.ndarray:
    m = frame["coded"].to_numpy(dtype=bool) & frame["session"].notna().to_numpy()
    sess = frame["session"].fillna(-1).astype(int).to_numpy()
    if until is not None:
        m &= sess <= int(until)
    if exclude:
        m &= ~np.isin(sess, list(exclude))
    return m


def train(
    frame: pd.DataFrame | None = None,
    *,
    store: Store | str | Path | None = None,
    until: int | None = None,
    exclude_sessions: Sequence[int] = SUSPECT_SESSIONS,
    c: float = 10.0,
    threshold: float = 0.5,
) -> IssueModel:
    """Fit the classifier on the coded resolutions of ``frame`` (default :func:`corpus` of the
    store) up to session ``until`` (None: all), leaving out ``exclude_sessions``."""
    if not 0.0 < threshold < 1.0:
        raise IssueModelError(f"threshold must be strictly between 0 and 1, got {threshold!r}")
    if not c > 0:
        raise IssueModelError(f"C must be positive, got {c!r}")
    df = corpus(store) if frame is None else frame
    m = _training_rows(df, until, exclude_sessions)
    sub = df[m]
    y = label_matrix(sub["issues"])
    pipe = _fit(sub["text"].tolist(), y, float(c))
    sess = sub["session"].astype(int)
    return IssueModel(
        pipeline=pipe, version=_version(sub["rid"].astype(str).tolist(), y, c, threshold),
        threshold=float(threshold), c=float(c), n_train=len(sub),
        sessions=(int(sess.min()), int(sess.max())),
        trained_at=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        meta={"exclude_sessions": [int(x) for x in exclude_sessions]})


def save_model(model: IssueModel, path: str | Path) -> Path:
    """Write the fitted model with joblib (a pickle: load only files you wrote)."""
    import joblib

    p = Path(path)
    joblib.dump(model, p)
    return p


def load_model(path: str | Path) -> IssueModel:
    import joblib

    p = Path(path)
    if not p.exists():
        raise IssueModelError(f"no issue model at {p}: run `comity issues train` first")
    model = joblib.load(p)
    if not isinstance(model, IssueModel):
        raise IssueModelError(f"{p} does not hold a comity issue model")
    return model


def predict(model: IssueModel, frame: pd.DataFrame | None = None, *,
            store: Store | str | Path | None = None, uncoded_only: bool = True) -> pd.DataFrame:
    """Predictions for the resolutions of ``frame`` (default :func:`corpus` of the store) that
    Voeten did not code (all rows with ``uncoded_only=False``): ``rid, issue, probability,
    predicted, model_version``, six rows per resolution."""
    df = corpus(store) if frame is None else frame
    if uncoded_only:
        df = df[~df["coded"].to_numpy(dtype=bool)]
    proba = model.predict_proba(df["text"].tolist())
    n = len(df)
    p = proba.ravel()
    return pd.DataFrame({
        "rid": np.repeat(df["rid"].astype(str).to_numpy(), len(ISSUE_CODES)),
        "issue": np.tile(np.array(ISSUE_CODES, dtype=object), n),
        "probability": p,
        "predicted": p >= model.threshold,
        "model_version": model.version,
    })


# ================================================================================ evaluation
@dataclass(frozen=True, eq=False)
class IssueEvaluation:
    """Held-out scores: ``per_issue`` (``issue, f1, precision, recall, support,
    predicted_positive``), ``macro_f1``, the split and the sizes."""

    per_issue: pd.DataFrame
    macro_f1: float
    train_until: int
    test_sessions: tuple[int, ...]
    n_train: int
    n_test: int
    exclude_sessions: tuple[int, ...]
    c: float
    threshold: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "macro_f1": self.macro_f1,
            "per_issue": {r.issue: r.f1 for r in self.per_issue.itertuples(index=False)},
            "detail": [{k: (v.item() if isinstance(v, np.generic) else v) for k, v in r.items()}
                       for r in self.per_issue.to_dict(orient="records")],
            "train_until": self.train_until, "test_sessions": list(self.test_sessions),
            "n_train": self.n_train, "n_test": self.n_test,
            "exclude_sessions": list(self.exclude_sessions), "C": self.c,
            "threshold": self.threshold,
        }

    def summary(self) -> str:
        ts = self.test_sessions
        span = f"{ts[0]}-{ts[-1]}" if ts else "none"
        lines = [f"Held-out issue coding: trained on sessions <= {self.train_until} "
                 f"({self.n_train} coded votes), tested on sessions {span} ({self.n_test}); "
                 f"macro-F1 {self.macro_f1:.3f}"]
        for r in self.per_issue.itertuples(index=False):
            lines.append(f"  {r.issue}: F1 {r.f1:.3f}  precision {r.precision:.3f}  recall "
                         f"{r.recall:.3f}  (support {r.support})")
        return "\n".join(lines)


def evaluate(
    frame: pd.DataFrame | None = None,
    *,
    store: Store | str | Path | None = None,
    train_until: int = REFERENCE_SPLIT[0],
    test_until: int | None = REFERENCE_SPLIT[1],
    exclude_sessions: Sequence[int] = SUSPECT_SESSIONS,
    c: float = 10.0,
    threshold: float = 0.5,
) -> IssueEvaluation:
    """Train on coded sessions ``<= train_until`` and test on the coded resolutions of the
    later sessions ``train_until < s <= test_until`` (None: all later ones);
    ``exclude_sessions`` are left out of both (pass ``()`` to test on session 74 too)."""
    from sklearn.metrics import precision_recall_fscore_support

    df = corpus(store) if frame is None else frame
    model = train(df, until=train_until, exclude_sessions=exclude_sessions, c=c,
                  threshold=threshold)
    sess = df["session"].fillna(-1).astype(int).to_numpy()
    m = df["coded"].to_numpy(dtype=bool) & (sess > int(train_until))
    if test_until is not None:
        m &= sess <= int(test_until)
    if exclude_sessions:
        m &= ~np.isin(sess, list(exclude_sessions))
    test = df[m]
    if test.empty:
        raise IssueModelError(f"no coded resolution after session {train_until} to test on")
    y = label_matrix(test["issues"])
    pred = (model.predict_proba(test["text"].tolist()) >= threshold).astype(np.int8)
    p, r, f, sup = precision_recall_fscore_support(y, pred, average=None, zero_division=0)
    per = pd.DataFrame({"issue": list(ISSUE_CODES), "f1": f, "precision": p, "recall": r,
                        "support": sup.astype(np.int64),
                        "predicted_positive": pred.sum(axis=0).astype(np.int64)})
    return IssueEvaluation(
        per_issue=per, macro_f1=float(np.mean(f)), train_until=int(train_until),
        test_sessions=tuple(sorted({int(x) for x in sess[m]})), n_train=model.n_train,
        n_test=len(test), exclude_sessions=tuple(int(x) for x in exclude_sessions),
        c=float(c), threshold=float(threshold))


# ================================================================================== storage
def write_predictions(path: str | Path, predictions: pd.DataFrame,
                      model_version: str | None = None) -> int:
    """Replace the table ``issue_predictions`` of the store at ``path`` with ``predictions``
    (``rid, issue, probability, predicted`` and ``model_version`` unless given), in one
    transaction on an own ``duckdb.connect(path)``. Returns the number of rows written."""
    import duckdb

    cols = ["rid", "issue", "probability", "predicted"]
    missing = [c for c in cols if c not in predictions.columns]
    if missing:
        raise IssueModelError(f"predictions lack column(s) {missing}")
    df = predictions[cols].copy()
    if model_version is not None:
        df["model_version"] = model_version
    elif "model_version" in predictions.columns:
        df["model_version"] = predictions["model_version"].astype(str)
    else:
        raise IssueModelError("give model_version or a model_version column")
    bad = set(df["issue"].astype(str)) - set(ISSUE_CODES)
    if bad:
        raise IssueModelError(f"unknown issue code(s) {sorted(bad)}; expected {ISSUE_CODES}")
    p = Path(path)
    if not p.exists():
        raise IssueModelError(f"no store at {p}")
    try:
        con = duckdb.connect(str(p))
    except duckdb.Error as exc:
        raise IssueModelError(f"cannot open {p} for writing issue predictions: {exc}") from None
    try:
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(TABLE_DDL)
            con.execute(f"DELETE FROM {TABLE}")
            con.register("pred_df", df)
            con.execute(f"INSERT INTO {TABLE} SELECT CAST(rid AS VARCHAR), "
                        "CAST(issue AS VARCHAR), CAST(probability AS DOUBLE), "
                        "CAST(predicted AS BOOLEAN), CAST(model_version AS VARCHAR) "
                        "FROM pred_df")
            con.unregister("pred_df")
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
    finally:
        con.close()
    return len(df)


def _con(store: Any) -> tuple[Any, Any, bool]:
    """(connection, store-or-None to close, owned)."""
    if hasattr(store, "execute") and not hasattr(store, "con"):
        return store, None, False
    s, owned = _open_store(store)
    return s.con, s, owned


def _has_table(con: Any) -> bool:
    q = "SELECT count(*) FROM information_schema.tables WHERE table_name = ?"
    return bool(con.execute(q, [TABLE]).fetchall()[0][0])


def read_predictions(store: Store | str | Path | Any | None = None) -> pd.DataFrame:
    """The stored ``issue_predictions`` (empty frame with its columns when there are none)."""
    con, s, owned = _con(store)
    try:
        if not _has_table(con):
            return pd.DataFrame({"rid": pd.Series(dtype=object),
                                 "issue": pd.Series(dtype=object),
                                 "probability": pd.Series(dtype=float),
                                 "predicted": pd.Series(dtype=bool),
                                 "model_version": pd.Series(dtype=object)})
        return con.execute(f"SELECT rid, issue, probability, predicted, model_version "
                           f"FROM {TABLE} ORDER BY rid, issue").df()
    finally:
        if owned and s is not None:
            s.close()


def resolution_issues(store: Store | str | Path | Any | None = None, *,
                      include_predicted: bool = True) -> pd.DataFrame:
    """Issues of every resolution: ``rid, issue, source ("voeten" | "predicted"),
    probability`` (NaN for Voeten's codes). A resolution coded by Voeten keeps his codes only;
    the others take the stored predictions with ``predicted`` True."""
    con, s, owned = _con(store)
    try:
        sql = ("SELECT rid, unnest(issues) AS issue, 'voeten' AS source, "
               "CAST(NULL AS DOUBLE) AS probability FROM resolutions WHERE len(issues) > 0")
        if include_predicted and _has_table(con):
            sql += (f" UNION ALL SELECT p.rid, p.issue, 'predicted', p.probability "
                    f"FROM {TABLE} p JOIN resolutions r USING (rid) WHERE p.predicted AND NOT "
                    "(r.body = 'GA' AND list_has_any(r.sources, ['unvotes', 'voeten2016']))")
        return con.execute(f"SELECT * FROM ({sql}) ORDER BY rid, issue").df()
    finally:
        if owned and s is not None:
            s.close()


def with_predicted_issues(panel: Panel, store: Store | str | Path | Any | None = None
                          ) -> Panel:
    """``panel`` with its ``issues`` column completed by stored predictions (resolutions
    without Voeten codes take their predicted issues) and a boolean ``issues_predicted``."""
    iss = resolution_issues(store, include_predicted=True)
    pred = iss[iss["source"] == "predicted"]
    res = panel.resolutions.copy()
    rid = res["rid"].astype(str)
    got = pred.groupby("rid")["issue"].agg(lambda s: sorted(s))
    new = rid.map(got)
    has = new.notna().to_numpy()
    if "issues" in res.columns:
        old = res["issues"].map(lambda v: [] if v is None or (isinstance(v, float)) else list(v))
        res["issues"] = [list(n) if h else o for n, h, o in zip(new, has, old, strict=True)]
    else:
        res["issues"] = [list(n) if h else [] for n, h in zip(new, has, strict=True)]
    res["issues_predicted"] = has
    return Panel(votes=panel.votes, states=panel.states, resolutions=res,
                 inferred=panel.inferred, flagged=panel.flagged, meta=dict(panel.meta))
