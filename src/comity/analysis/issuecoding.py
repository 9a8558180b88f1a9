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
terms in at least 2 documents), then one binary logistic regression per issue (multi-label;
liblinear, ``C = 10``: :data:`DEFAULT_C`). Each training vote is weighted by recency: its weight
halves every 10 sessions (:data:`DEFAULT_HALF_LIFE`) back from the latest training session
(:func:`session_weights`), because Voeten's coding conventions drift and the recent coding is
the better guide to how the next sessions would be coded. An issue is *predicted* where its
probability is at least ``threshold`` (0.5). :func:`train` fits this model and
:func:`predict` applies it; :func:`evaluate` uses exactly these two, so the held-out figures
below describe the model that codes the uncoded resolutions (``comity issues train/predict``).

Choosing the hyper-parameters (validation protocol)
---------------------------------------------------
Everything was chosen on validation folds carved from the training sessions of the reference
split only (:data:`VALIDATION_FOLDS`): train ``<= 58``, validate 59-63 and train ``<= 63``,
validate 64-68 (coded votes, session 74 excluded). The criterion is the mean of the two folds'
macro-F1; a variant is adopted only if it raises that mean by at least 0.005 (about one
decision per issue and fold; smaller differences are within the spread between folds) and
the model family was restricted beforehand to classifiers giving probabilities, which the
product stores. :func:`select_hyperparameters` (``python bench/issues.py --select``) reproduces
the grid ``C`` in {3, 10, 30} x half-life in {none, 10, 20} (:data:`SELECTION_GRID`); it reads
no session after the last fold. Mean validation macro-F1 (59-63 / 64-68):

================================================  ==============================
variant                                            validation macro-F1
================================================  ==============================
``C = 10``, unweighted (the previous model)        0.932 (0.911 / 0.952)
``C = 10``, half-life 10 (**adopted**)             0.939 (0.928 / 0.951)
``C = 10``, half-life 20 / ``C = 30``, unweighted  0.936 / 0.937
``C = 3`` / ``C = 30`` with half-life 10           0.933 / 0.936
+ class_weight="balanced"                          0.942 (+0.002: not adopted)
+ per-issue thresholds chosen on an inner fold     0.940 (+0.001: not adopted)
+ label of the nearest earlier coded title         0.936 (blend 0.3 where TF-IDF
(TF-IDF cosine >= 0.8 on the normalised title)     cosine >= 0.8: not adopted)
agenda dropped where it repeats the title          0.940 (+0.001: not adopted)
title / agenda vectorised separately, weighted     0.933 (vs 0.932 unweighted)
LinearSVC (C 1), half-life 10                      0.944 (no probabilities)
================================================  ==============================

The n-gram features already memorise the recurring texts, which is why propagating the label
of the most similar earlier resolution adds nothing. The choice follows from this rule alone
(the scores on the test sessions 69-73 played no part in it); the chosen model is then
refitted on sessions ``<= 68`` and scored on 69-73.

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

On the reference split the model scores macro-F1 0.908 (me 0.896, nu 0.959, di 0.892, hr
0.920, co 0.826, ec 0.952; 0.837 with session 74 in the test set). ``co`` stays below 0.85
because the test sessions recode recurring texts: of the 45 test votes whose text was coded
``co`` every time it was voted in sessions 61-68 (at least three times), 15 are coded without
it in 69-73 -- the Israeli settlements, Israeli practices, permanent sovereignty and occupied
Syrian Golan texts of 69, 70 and 73 (coded ``co`` again in 72), and in 73 the Special
Committee, Geneva Convention and economic-activities-in-non-self-governing-territories texts
-- while none of the 218 test votes whose text was never ``co`` in 61-68 gained it. A model of
the earlier coding must call those ``co``. Checked afterwards (not used for any choice): no
threshold on the test probabilities lifts ``co`` above 0.826, and neither did any of the 99
variants compared on the validation folds (the table above and the grid behind it).

Stored predictions
------------------
:func:`write_predictions` writes the table ``issue_predictions(rid VARCHAR, issue VARCHAR,
probability DOUBLE, predicted BOOLEAN, model_version VARCHAR)``: one row per uncoded resolution
and issue (six rows per resolution), ``predicted`` = probability >= threshold. It opens its own
``duckdb.connect(path)`` (read-write: no other connection to the file may be open, including a
read-only :class:`~comity.store.db.Store` in the same process) and replaces the whole table in one
transaction. :func:`resolution_issues` and :func:`with_predicted_issues` read Voeten's codes and,
where a resolution has none, the stored predictions.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from comity.errors import ComityError
from comity.store.panel import Panel

if TYPE_CHECKING:
    from comity.store.db import Store

__all__ = [
    "ISSUE_CODES",
    "REFERENCE_SPLIT",
    "SUSPECT_SESSIONS",
    "VALIDATION_FOLDS",
    "IssueClassifier",
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
    "select_hyperparameters",
    "session_weights",
    "train",
    "with_predicted_issues",
    "write_predictions",
]

from comity.world.issues import ISSUE_CODES

"""Voeten's issue codes, in his order."""

VOETEN_SOURCES: tuple[str, ...] = ("unvotes", "voeten2016")
"""Sources whose resolutions carry Voeten's coding."""

SUSPECT_SESSIONS: tuple[int, ...] = (74,)
"""Sessions whose Voeten codes are left out of training (module docstring)."""

REFERENCE_SPLIT: tuple[int, int] = (68, 73)
"""``(train_until, test_until)`` of the reference held-out evaluation."""

DEFAULT_C = 10.0
"""Inverse regularisation strength of each issue's logistic regression (chosen by
:func:`select_hyperparameters` on the validation folds, module docstring)."""

DEFAULT_HALF_LIFE: float | None = 10.0
"""Recency weighting: a vote's training weight halves every this many sessions back."""

VALIDATION_FOLDS: tuple[tuple[int, int], ...] = ((58, 63), (63, 68))
"""``(train_until, validate_until)`` folds carved from the reference training sessions
(``<= 68``) on which the hyper-parameters are chosen; the test sessions 69-73 are never used."""

SELECTION_GRID: dict[str, tuple[Any, ...]] = {"c": (3.0, 10.0, 30.0),
                                              "half_life": (None, 10.0, 20.0)}
"""Hyper-parameter values compared by :func:`select_hyperparameters`."""

MODEL_NAME = "tfidf-lr-recency"
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
    from comity.store.db import Store

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
        # a vote whose only "title" was meeting-record text (quality kind
        # ``transcript_title``: the store leaves its title empty) is read by the classifier
        # with those words, which name the draft voted on
        df = s.query(
            "SELECT r.rid, r.body, r.session, r.date, r.symbol, "
            "coalesce(r.title, t.title) AS title, r.agenda, r.subjects, r.issues, "
            "list_has_any(r.sources, ['unvotes', 'voeten2016']) AND r.body = 'GA' AS coded "
            "FROM resolutions r LEFT JOIN (SELECT key, any_value(title) AS title "
            "FROM src_resolutions WHERE source = 'unvotes' AND title IS NOT NULL "
            "GROUP BY key) t ON r.title IS NULL AND t.key = CAST(r.rcid AS VARCHAR) "
            f"WHERE r.body IN ({','.join('?' * len(bl))}) ORDER BY r.date, r.rid", bl)
    finally:
        if owned:
            s.close()
    df["coded"] = df["coded"].astype(bool)
    df["text"] = document_text(df)
    return df


# ===================================================================================== model
def _features() -> Any:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import make_union

    return make_union(
        TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True),
        TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), min_df=2, sublinear_tf=True),
    )


class IssueClassifier:
    """Fitted TF-IDF features and one binary logistic regression per issue (columns in
    :data:`ISSUE_CODES` order)."""

    def __init__(self, features: Any, estimators: Sequence[Any]) -> None:
        self.features = features
        self.estimators = list(estimators)

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        return _proba(self.estimators, self.features.transform(list(texts)))


def _proba(estimators: Sequence[Any], x: Any) -> np.ndarray:
    return np.column_stack([e.predict_proba(x)[:, 1] for e in estimators])


def session_weights(sessions: Sequence[int] | np.ndarray | pd.Series,
                    half_life: float | None) -> np.ndarray | None:
    """Sample weights halving every ``half_life`` sessions back from the latest one, scaled
    to mean 1 (None: no weighting)."""
    if half_life is None:
        return None
    s = np.asarray(sessions, dtype=np.float64)
    w = 0.5 ** ((s.max() - s) / float(half_life))
    return w / w.mean()


def _check_labels(y: np.ndarray) -> None:
    if y.shape[0] == 0:
        raise IssueModelError("no coded resolution to train on")
    missing = [ISSUE_CODES[k] for k in range(y.shape[1]) if y[:, k].min() == y[:, k].max()]
    if missing:
        raise IssueModelError(
            f"issue(s) {missing} have only one class in the training data; need examples with "
            "and without each issue")


Progress = Callable[[str, int, "int | None"], None]
"""``progress(description, done, total)``: called as a fit goes (features, then each issue)."""


def _fit_estimators(x: Any, y: np.ndarray, c: float, weights: np.ndarray | None,
                    progress: Progress | None = None) -> list[Any]:
    from sklearn.linear_model import LogisticRegression
    from threadpoolctl import threadpool_limits

    out = []
    # liblinear's BLAS calls are on short vectors: with a threaded BLAS they spent most of
    # their time waiting for threads (5 s instead of 1.4 s for the six fits on 2 busy cores),
    # and one thread also makes the coefficients the same on every machine
    with threadpool_limits(limits=1, user_api="blas"):
        for k in range(y.shape[1]):
            if progress is not None:
                progress(f"issue {ISSUE_CODES[k]}", k + 1, y.shape[1] + 1)
            out.append(LogisticRegression(C=c, solver="liblinear", max_iter=5000)
                       .fit(x, y[:, k], sample_weight=weights))
    return out


def _fit(texts: Sequence[str], y: np.ndarray, c: float,
         weights: np.ndarray | None = None, progress: Progress | None = None
         ) -> IssueClassifier:
    _check_labels(y)
    if progress is not None:
        progress("text features", 0, y.shape[1] + 1)
    features = _features()
    x = features.fit_transform(list(texts))
    return IssueClassifier(features, _fit_estimators(x, y, c, weights, progress))


@dataclass(eq=False)
class IssueModel:
    """A fitted issue classifier: ``pipeline`` (:class:`IssueClassifier`), ``version``,
    ``threshold``, the hyper-parameters (``c``, ``half_life``) and what it was trained on
    (``n_train``, ``sessions``, ``trained_at``)."""

    pipeline: Any
    version: str
    threshold: float = 0.5
    c: float = DEFAULT_C
    n_train: int = 0
    sessions: tuple[int, int] = (0, 0)
    trained_at: str = ""
    meta: dict[str, Any] = field(default_factory=dict)
    half_life: float | None = DEFAULT_HALF_LIFE

    def predict_proba(self, texts: Sequence[str] | pd.Series) -> np.ndarray:
        """(n, 6) probabilities, columns in :data:`ISSUE_CODES` order."""
        t = list(texts)
        if not t:
            return np.zeros((0, len(ISSUE_CODES)))
        return np.asarray(self.pipeline.predict_proba(t), dtype=np.float64)

    def describe(self) -> dict[str, Any]:
        return {"model_version": self.version, "threshold": self.threshold, "C": self.c,
                "half_life": self.half_life, "n_train": self.n_train,
                "sessions": list(self.sessions), "trained_at": self.trained_at, **self.meta}


def _version(rids: Sequence[str], y: np.ndarray, c: float, threshold: float,
             half_life: float | None) -> str:
    import sklearn

    h = hashlib.sha1()
    h.update(f"{MODEL_NAME}|{c}|{threshold}|{half_life}|{sklearn.__version__}".encode())
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


def _test_rows(frame: pd.DataFrame, after: int, until: int | None,
               exclude: Sequence[int]) -> np.ndarray:
    sess = frame["session"].fillna(-1).astype(int).to_numpy()
    m = frame["coded"].to_numpy(dtype=bool) & (sess > int(after))
    if until is not None:
        m &= sess <= int(until)
    if exclude:
        m &= ~np.isin(sess, list(exclude))
    return m


def _check_options(c: float, threshold: float, half_life: float | None) -> None:
    if not 0.0 < threshold < 1.0:
        raise IssueModelError(f"threshold must be strictly between 0 and 1, got {threshold!r}")
    if not c > 0:
        raise IssueModelError(f"C must be positive, got {c!r}")
    if half_life is not None and not half_life > 0:
        raise IssueModelError(f"half_life must be positive or None, got {half_life!r}")


def train(
    frame: pd.DataFrame | None = None,
    *,
    store: Store | str | Path | None = None,
    until: int | None = None,
    exclude_sessions: Sequence[int] = SUSPECT_SESSIONS,
    c: float = DEFAULT_C,
    threshold: float = 0.5,
    half_life: float | None = DEFAULT_HALF_LIFE,
    progress: Progress | None = None,
) -> IssueModel:
    """Fit the classifier on the coded resolutions of ``frame`` (default :func:`corpus` of the
    store) up to session ``until`` (None: all), leaving out ``exclude_sessions``; each vote is
    weighted by :func:`session_weights` with ``half_life`` (None: unweighted).
    ``progress(description, done, total)`` follows the fit (features, then each issue)."""
    _check_options(c, threshold, half_life)
    df = corpus(store) if frame is None else frame
    m = _training_rows(df, until, exclude_sessions)
    sub = df[m]
    y = label_matrix(sub["issues"])
    _check_labels(y)
    sess = sub["session"].astype(int)
    pipe = _fit(sub["text"].tolist(), y, float(c), session_weights(sess, half_life),
                progress)
    hl = None if half_life is None else float(half_life)
    return IssueModel(
        pipeline=pipe,
        version=_version(sub["rid"].astype(str).tolist(), y, c, threshold, hl),
        threshold=float(threshold), c=float(c), half_life=hl, n_train=len(sub),
        sessions=(int(sess.min()), int(sess.max())),
        trained_at=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        meta={"exclude_sessions": [int(x) for x in exclude_sessions]})


FORMAT = "comity-issue-model/1"
"""Version tag of the file :func:`save_model` writes."""


def save_model(model: IssueModel, path: str | Path) -> Path:
    """Write the fitted model as arrays and JSON in one ``.npz`` (no pickle): each TF-IDF
    vocabulary and its idf weights, each issue's coefficients and intercept, and the
    configuration. :func:`load_model` rebuilds the same classifier from them."""
    p = Path(path)
    pipe = model.pipeline
    arrays: dict[str, np.ndarray] = {}
    vecs = [v for _, v in pipe.features.transformer_list]
    for i, vec in enumerate(vecs):
        terms = sorted(vec.vocabulary_, key=vec.vocabulary_.__getitem__)
        arrays[f"terms{i}"] = np.array(terms, dtype=str)
        arrays[f"idf{i}"] = np.asarray(vec.idf_, dtype=np.float64)
    arrays["coef"] = np.vstack([e.coef_ for e in pipe.estimators]).astype(np.float64)
    arrays["intercept"] = np.concatenate([e.intercept_ for e in pipe.estimators])
    meta = {"format": FORMAT, "version": model.version, "threshold": model.threshold,
            "c": model.c, "n_train": model.n_train, "sessions": list(model.sessions),
            "trained_at": model.trained_at, "meta": model.meta, "half_life": model.half_life,
            "vectorizers": [{k: v for k, v in vec.get_params().items()
                             if isinstance(v, (str, int, float, bool, tuple, type(None)))}
                            for vec in vecs]}
    arrays["meta"] = np.array(json.dumps(meta, default=list))
    with p.open("wb") as fh:
        np.savez_compressed(fh, **arrays)
    return p


def load_model(path: str | Path) -> IssueModel:
    """The model :func:`save_model` wrote (arrays and JSON only: nothing in the file runs)."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_union

    p = Path(path)
    if not p.is_file():
        raise IssueModelError(f"no issue model at {p}: run `comity issues train` first")
    try:
        with np.load(p, allow_pickle=False) as z:
            data = {k: z[k] for k in z.files}
        meta = json.loads(str(data["meta"]))
    except (OSError, ValueError, KeyError) as exc:
        raise IssueModelError(f"{p} is not a comity issue model ({FORMAT}): {exc}") from None
    if meta.get("format") != FORMAT:
        raise IssueModelError(f"{p}: format {meta.get('format')!r}, expected {FORMAT!r}")
    vecs = []
    for i, params in enumerate(meta["vectorizers"]):
        params = {k: tuple(v) if k == "ngram_range" else v for k, v in params.items()}
        vec = TfidfVectorizer(**params)
        vec.vocabulary_ = {str(t): j for j, t in enumerate(data[f"terms{i}"])}
        vec.idf_ = data[f"idf{i}"]
        vecs.append(vec)
    features = make_union(*vecs)
    estimators = []
    for k in range(data["coef"].shape[0]):
        e = LogisticRegression()
        e.classes_ = np.array([0, 1])
        e.coef_ = data["coef"][k:k + 1]
        e.intercept_ = data["intercept"][k:k + 1]
        estimators.append(e)
    return IssueModel(pipeline=IssueClassifier(features, estimators), version=meta["version"],
                      threshold=float(meta["threshold"]), c=float(meta["c"]),
                      n_train=int(meta["n_train"]), sessions=tuple(meta["sessions"]),
                      trained_at=meta["trained_at"], meta=dict(meta["meta"]),
                      half_life=meta["half_life"])


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
def _scores(y: np.ndarray, pred: np.ndarray) -> pd.DataFrame:
    from sklearn.metrics import precision_recall_fscore_support

    p, r, f, sup = precision_recall_fscore_support(y, pred, average=None, zero_division=0,
                                                   labels=list(range(len(ISSUE_CODES))))
    return pd.DataFrame({"issue": list(ISSUE_CODES), "f1": f, "precision": p, "recall": r,
                         "support": sup.astype(np.int64),
                         "predicted_positive": pred.sum(axis=0).astype(np.int64)})


@dataclass(frozen=True, eq=False)
class IssueEvaluation:
    """Held-out scores: ``per_issue`` (``issue, f1, precision, recall, support,
    predicted_positive``), ``macro_f1``, the split, the sizes and the hyper-parameters."""

    per_issue: pd.DataFrame
    macro_f1: float
    train_until: int
    test_sessions: tuple[int, ...]
    n_train: int
    n_test: int
    exclude_sessions: tuple[int, ...]
    c: float
    threshold: float
    half_life: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "macro_f1": self.macro_f1,
            "per_issue": {r.issue: r.f1 for r in self.per_issue.itertuples(index=False)},
            "detail": [{k: (v.item() if isinstance(v, np.generic) else v) for k, v in r.items()}
                       for r in self.per_issue.to_dict(orient="records")],
            "train_until": self.train_until, "test_sessions": list(self.test_sessions),
            "n_train": self.n_train, "n_test": self.n_test,
            "exclude_sessions": list(self.exclude_sessions), "C": self.c,
            "threshold": self.threshold, "half_life": self.half_life,
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
    c: float = DEFAULT_C,
    threshold: float = 0.5,
    half_life: float | None = DEFAULT_HALF_LIFE,
    progress: Progress | None = None,
) -> IssueEvaluation:
    """Train (:func:`train`) on coded sessions ``<= train_until`` and test on the coded
    resolutions of the later sessions ``train_until < s <= test_until`` (None: all later
    ones); ``exclude_sessions`` are left out of both (pass ``()`` to test on session 74 too)."""
    df = corpus(store) if frame is None else frame
    _check_options(c, threshold, half_life)
    m = _test_rows(df, train_until, test_until, exclude_sessions)
    test = df[m]
    if test.empty:
        raise IssueModelError(f"no coded resolution after session {train_until} to test on")
    model = train(df, until=train_until, exclude_sessions=exclude_sessions, c=c,
                  threshold=threshold, half_life=half_life, progress=progress)
    y = label_matrix(test["issues"])
    pred = (model.predict_proba(test["text"].tolist()) >= threshold).astype(np.int8)
    per = _scores(y, pred)
    sess = test["session"].astype(int)
    return IssueEvaluation(
        per_issue=per, macro_f1=float(per["f1"].mean()), train_until=int(train_until),
        test_sessions=tuple(sorted({int(x) for x in sess})), n_train=model.n_train,
        n_test=len(test), exclude_sessions=tuple(int(x) for x in exclude_sessions),
        c=float(c), threshold=float(threshold), half_life=model.half_life)


def select_hyperparameters(
    frame: pd.DataFrame | None = None,
    *,
    store: Store | str | Path | None = None,
    folds: Sequence[tuple[int, int]] = VALIDATION_FOLDS,
    grid: dict[str, Sequence[Any]] | None = None,
    exclude_sessions: Sequence[int] = SUSPECT_SESSIONS,
    threshold: float = 0.5,
) -> pd.DataFrame:
    """Validation macro-F1 of every ``(c, half_life)`` of ``grid`` (default
    :data:`SELECTION_GRID`) on each fold ``(train_until, validate_until)``: trained on the coded
    sessions ``<= train_until``, scored on ``train_until < s <= validate_until``. Only sessions
    up to the last ``validate_until`` are read, so later (test) sessions cannot influence the
    choice. Returns ``c, half_life, f1_<fold>..., macro_f1 (mean over folds), selected`` (the
    first row with the highest mean), in grid order."""
    df = corpus(store) if frame is None else frame
    g = SELECTION_GRID if grid is None else grid
    combos = [(float(c), None if h is None else float(h))
              for c in g.get("c", (DEFAULT_C,)) for h in g.get("half_life", (DEFAULT_HALF_LIFE,))]
    if not folds or not combos:
        raise IssueModelError("need at least one validation fold and one grid point")
    for c, h in combos:
        _check_options(c, threshold, h)
    rows = {k: {"c": c, "half_life": h} for k, (c, h) in enumerate(combos)}
    cols = []
    for tu, vu in folds:
        if not int(vu) > int(tu):
            raise IssueModelError(f"validation fold {(tu, vu)}: validate_until must be later")
        tr = df[_training_rows(df, tu, exclude_sessions)]
        va = df[_test_rows(df, tu, vu, exclude_sessions)]
        if va.empty:
            raise IssueModelError(f"no coded resolution in validation sessions {tu + 1}-{vu}")
        y = label_matrix(tr["issues"])
        _check_labels(y)
        features = _features()
        x = features.fit_transform(tr["text"].tolist())
        xv = features.transform(va["text"].tolist())
        yv = label_matrix(va["issues"])
        sess = tr["session"].astype(int)
        col = f"f1_{int(tu) + 1}_{int(vu)}"
        cols.append(col)
        for k, (c, h) in enumerate(combos):
            est = _fit_estimators(x, y, c, session_weights(sess, h))
            pred = (_proba(est, xv) >= threshold).astype(np.int8)
            rows[k][col] = float(_scores(yv, pred)["f1"].mean())
    out = pd.DataFrame(list(rows.values()))
    out["macro_f1"] = out[cols].mean(axis=1)
    out["selected"] = False
    out.loc[int(out["macro_f1"].to_numpy().argmax()), "selected"] = True
    return out


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
    from comity.store.db import issues_view  # the store's rule for where predictions apply

    con, s, owned = _con(store)
    try:
        view = issues_view(con if include_predicted else None)
        sql = (f"SELECT rid, unnest(issues) AS issue, CASE WHEN issues_predicted THEN "
               f"'predicted' ELSE 'voeten' END AS source FROM {view} WHERE len(issues) > 0")
        if view == issues_view(None):
            sql = f"SELECT *, CAST(NULL AS DOUBLE) AS probability FROM ({sql})"
        else:
            sql = (f"SELECT v.*, p.probability FROM ({sql}) v LEFT JOIN {TABLE} p "
                   "ON v.source = 'predicted' AND p.rid = v.rid AND p.issue = v.issue")
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
