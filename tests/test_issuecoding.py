"""Tests of comity.analysis.issuecoding: the classifier on a small synthetic corpus (held out by
later
sessions), the predictions table and its readers, the CLI, and the held-out F1 on the real
data (slow)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from comity.analysis.issuecoding import (
    ISSUE_CODES,
    IssueModelError,
    document_text,
    evaluate,
    label_matrix,
    load_model,
    predict,
    read_predictions,
    resolution_issues,
    save_model,
    select_hyperparameters,
    session_weights,
    train,
    with_predicted_issues,
    write_predictions,
)
from comity.store.panel import Panel

TEMPLATES: list[tuple[str, list[str]]] = [
    ("Question of Palestine and the {c} peace process", ["me"]),
    ("Israeli settlements in the occupied Palestinian territory near {c}", ["me", "hr"]),
    ("Establishment of a nuclear-weapon-free zone in {c}", ["nu"]),
    ("Comprehensive nuclear-test-ban treaty: report of {c}", ["nu", "di"]),
    ("General and complete disarmament: conventional arms in {c}", ["di"]),
    ("Prohibition of chemical weapons, stockpiles held by {c}", ["di"]),
    ("Situation of human rights in {c}", ["hr"]),
    ("The right to food and human rights defenders in {c}", ["hr"]),
    ("Question of the non-self-governing territory of {c}, decolonization", ["co"]),
    ("Granting of independence to colonial countries and peoples: {c}", ["co"]),
    ("International trade and development with {c}", ["ec"]),
    ("Eradication of poverty and sustainable development in {c}", ["ec"]),
    ("Credentials of representatives of {c}", []),
    ("Scale of assessments for the apportionment of expenses, {c}", []),
]
PLACES = ["Kiribati", "Peru", "Tonga", "Chad", "Nepal", "Fiji", "Oman", "Laos", "Mali", "Iraq",
          "Togo", "Cuba", "Guam", "Niue", "Benin", "Gabon", "Haiti", "Malta"]


def synthetic_corpus(sessions: int = 20, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for s in range(1, sessions + 1):
        for t, (tmpl, iss) in enumerate(TEMPLATES):
            for k in range(2):
                title = tmpl.format(c=PLACES[rng.integers(len(PLACES))])
                rows.append({"rid": f"A/RES/{s}/{t}{k}", "body": "GA", "session": s,
                             "date": pd.Timestamp(f"{1945 + s}-12-01"), "symbol": None,
                             "title": title + " : resolution / adopted by the General Assembly",
                             "agenda": None, "subjects": None, "issues": list(iss),
                             "coded": s <= 17})
    df = pd.DataFrame(rows)
    df["text"] = document_text(df)
    return df


def test_document_text_and_labels() -> None:
    df = pd.DataFrame({"title": ["Jerusalem : resolution / adopted by the General Assembly",
                                 "Long title cut [...]", None],
                       "agenda": ["Question of Palestine", None, "Item"],
                       "subjects": [None, "POVERTY; TRADE", None]})
    assert document_text(df).tolist() == ["Jerusalem Question of Palestine",
                                          "Long title cut POVERTY; TRADE", "Item"]
    y = label_matrix(pd.Series([["me", "hr"], [], ["ec", "xx"]]))
    assert y.tolist() == [[1, 0, 0, 1, 0, 0], [0] * 6, [0, 0, 0, 0, 0, 1]]


def test_classifier_on_synthetic_corpus_held_out_by_session() -> None:
    df = synthetic_corpus()
    ev = evaluate(df, train_until=12, test_until=17, exclude_sessions=())
    assert ev.test_sessions == (13, 14, 15, 16, 17)
    assert ev.n_test == 5 * len(TEMPLATES) * 2
    assert ev.macro_f1 >= 0.9
    assert list(ev.per_issue["issue"]) == list(ISSUE_CODES)
    d = ev.to_dict()
    assert set(d["per_issue"]) == set(ISSUE_CODES) and d["macro_f1"] == ev.macro_f1
    assert "macro-F1" in ev.summary()


def test_predict_uncoded_rows_with_probabilities() -> None:
    df = synthetic_corpus()
    model = train(df, exclude_sessions=())
    assert model.n_train == 17 * len(TEMPLATES) * 2 and model.sessions == (1, 17)
    pred = predict(model, df)
    uncoded = df[~df["coded"]]
    assert len(pred) == 6 * len(uncoded)
    assert set(pred["rid"]) == set(uncoded["rid"])
    assert ((pred["probability"] >= 0) & (pred["probability"] <= 1)).all()
    assert (pred["predicted"] == (pred["probability"] >= 0.5)).all()
    assert (pred["model_version"] == model.version).all()
    got = pred[pred["predicted"]].groupby("rid")["issue"].agg(sorted)
    truth = uncoded.set_index("rid")["issues"].map(sorted)
    agree = np.mean([got.get(r, []) == truth[r] for r in truth.index])
    assert agree > 0.9
    # the same data gives the same version; other data another
    assert train(df, exclude_sessions=()).version == model.version
    assert train(df, until=10, exclude_sessions=()).version != model.version


def test_training_needs_both_classes_and_sane_options() -> None:
    df = synthetic_corpus(sessions=3)
    df["issues"] = [["me"]] * len(df)
    with pytest.raises(IssueModelError):
        train(df, exclude_sessions=())
    with pytest.raises(IssueModelError):
        train(synthetic_corpus(sessions=3), threshold=1.5)
    with pytest.raises(IssueModelError):
        evaluate(synthetic_corpus(), train_until=17, test_until=20, exclude_sessions=())
    with pytest.raises(IssueModelError):
        train(synthetic_corpus(sessions=3), half_life=0)
    with pytest.raises(IssueModelError):
        select_hyperparameters(synthetic_corpus(), folds=[(8, 8)], exclude_sessions=())


def test_session_weights_halve_every_half_life() -> None:
    sess = np.array([60, 65, 70, 70, 50])
    w = session_weights(sess, 10)
    assert w is not None
    assert w.mean() == pytest.approx(1.0)
    assert w[2] == w[3] == w.max()
    assert w[0] / w[2] == pytest.approx(0.5 ** 1.0)
    assert w[1] / w[2] == pytest.approx(0.5 ** 0.5)
    assert w[4] / w[0] == pytest.approx(0.5 ** 1.0)
    assert session_weights(sess, None) is None


def drifting_corpus() -> pd.DataFrame:
    """The synthetic corpus where one recurring text changes its coding: "co" in sessions
    1-11, "hr" in 12-17 (the coded ones)."""
    df = synthetic_corpus()
    rows = []
    for s in range(1, 21):
        for k in range(2):
            rows.append({"rid": f"A/RES/{s}/D{k}", "body": "GA", "session": s,
                         "date": pd.Timestamp(f"{1945 + s}-12-02"), "symbol": None,
                         "title": "Report of the special committee on the territory of Pitcairn",
                         "agenda": None,
                         "subjects": None, "issues": ["co"] if s <= 11 else ["hr"],
                         "coded": s <= 17})
    extra = pd.DataFrame(rows)
    extra["text"] = document_text(extra)
    return pd.concat([df, extra], ignore_index=True)


def test_recency_weighting_follows_the_recent_coding() -> None:
    df = drifting_corpus()
    later = df[df["rid"].str.contains("/D") & ~df["coded"]]
    hr, co = ISSUE_CODES.index("hr"), ISSUE_CODES.index("co")
    recent = train(df, exclude_sessions=(), half_life=3).predict_proba(later["text"])
    flat = train(df, exclude_sessions=(), half_life=None).predict_proba(later["text"])
    # 22 old "co" codes against 12 recent "hr" ones: unweighted, the old coding wins...
    assert (flat[:, co] > 0.5).all() and (flat[:, hr] < 0.5).all()
    # ...weighted by recency, the recent one does
    assert (recent[:, hr] > 0.5).all() and (recent[:, co] < 0.5).all()
    assert train(df, exclude_sessions=(), half_life=3).version != train(
        df, exclude_sessions=(), half_life=None).version


def test_evaluate_scores_the_train_predict_path() -> None:
    df = drifting_corpus()
    ev = evaluate(df, train_until=12, test_until=17, exclude_sessions=())
    model = train(df, until=12, exclude_sessions=())
    test = df[df["coded"] & (df["session"] > 12) & (df["session"] <= 17)]
    pred = predict(model, test, uncoded_only=False)
    got = pred[pred["predicted"]].groupby("rid")["issue"].agg(list)
    y = label_matrix(test["issues"])
    yp = label_matrix(test["rid"].map(got).map(lambda v: v if isinstance(v, list) else []))
    for k, issue in enumerate(ISSUE_CODES):
        tp = int((y[:, k] & yp[:, k]).sum())
        f1 = 2 * tp / (y[:, k].sum() + yp[:, k].sum()) if y[:, k].sum() + yp[:, k].sum() else 0
        assert ev.per_issue.set_index("issue").loc[issue, "f1"] == pytest.approx(f1)
    assert ev.half_life == model.half_life and ev.to_dict()["half_life"] == model.half_life


def test_hyperparameter_selection_uses_only_the_validation_folds() -> None:
    df = drifting_corpus()
    folds = [(10, 13), (13, 15)]
    grid = {"c": (1.0, 10.0), "half_life": (None, 1.0)}
    sel = select_hyperparameters(df, folds=folds, grid=grid, exclude_sessions=())
    assert list(sel.columns) == ["c", "half_life", "f1_11_13", "f1_14_15", "macro_f1",
                                 "selected"]
    assert len(sel) == 4 and sel["selected"].sum() == 1
    assert np.allclose(sel["macro_f1"], sel[["f1_11_13", "f1_14_15"]].mean(axis=1))
    # the coding drifts in session 12: validated on 14-15, recency weighting wins
    best = sel[sel["selected"]].iloc[0]
    assert best["half_life"] == 1.0 and best["macro_f1"] == sel["macro_f1"].max()
    assert best["macro_f1"] > sel[sel["half_life"].isna()]["macro_f1"].max()
    # scrambling every session after the last fold (texts and codes) changes nothing
    scrambled = df.copy()
    late = scrambled["session"] > 15
    rng = np.random.default_rng(1)
    scrambled.loc[late, "text"] = rng.permutation(scrambled.loc[late, "text"].to_numpy())
    scrambled.loc[late, "issues"] = pd.Series([["ec"]] * int(late.sum()),
                                              index=scrambled.index[late])
    again = select_hyperparameters(scrambled, folds=folds, grid=grid, exclude_sessions=())
    pd.testing.assert_frame_equal(sel, again)
    # while scrambling a validation session does change the scores
    val = scrambled["session"] == 14
    scrambled.loc[val, "issues"] = pd.Series([["ec"]] * int(val.sum()),
                                             index=scrambled.index[val])
    moved = select_hyperparameters(scrambled, folds=folds, grid=grid, exclude_sessions=())
    assert not np.allclose(moved["f1_14_15"], sel["f1_14_15"])


def make_db(path: Path) -> None:
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE resolutions (rid VARCHAR, body VARCHAR, sources VARCHAR[], "
                "issues VARCHAR[])")
    con.execute("""INSERT INTO resolutions VALUES
        ('R1', 'GA', ['unvotes'], ['me', 'hr']),
        ('R2', 'GA', ['unvotes', 'scrape'], []),
        ('R3', 'GA', ['unxml'], []),
        ('R4', 'GA', ['scrape'], [])""")
    con.close()


def test_write_read_and_complete_issues(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    make_db(db)
    assert read_predictions(db).empty
    pred = pd.DataFrame({
        "rid": ["R3"] * 6 + ["R4"] * 6 + ["R2"] * 6,
        "issue": list(ISSUE_CODES) * 3,
        "probability": [0.9, 0.1, 0.2, 0.7, 0.1, 0.1] + [0.1] * 5 + [0.95] + [0.99] * 6,
    })
    pred["predicted"] = pred["probability"] >= 0.5
    assert write_predictions(db, pred, "v1") == 18
    back = read_predictions(db)
    assert len(back) == 18 and set(back["model_version"]) == {"v1"}
    # writing again replaces the table
    assert write_predictions(db, pred.iloc[:6], "v2") == 6
    assert set(read_predictions(db)["model_version"]) == {"v2"}
    write_predictions(db, pred, "v3")
    iss = resolution_issues(db)
    got = {(r.rid, r.issue, r.source) for r in iss.itertuples()}
    # R2 is coded by Voeten (no issue): its predictions are ignored
    assert got == {("R1", "me", "voeten"), ("R1", "hr", "voeten"), ("R3", "me", "predicted"),
                   ("R3", "hr", "predicted"), ("R4", "ec", "predicted")}
    assert np.isnan(iss[iss["source"] == "voeten"]["probability"]).all()
    assert len(resolution_issues(db, include_predicted=False)) == 2
    p = Panel(votes=np.ones((1, 4), dtype=np.int8), states=("USA",),
              resolutions=pd.DataFrame({"rid": ["R1", "R2", "R3", "R4"],
                                        "issues": [["me", "hr"], [], [], []]}))
    q = with_predicted_issues(p, db)
    assert q.resolutions["issues"].tolist() == [["me", "hr"], [], ["hr", "me"], ["ec"]]
    assert q.resolutions["issues_predicted"].tolist() == [False, False, True, True]
    with pytest.raises(IssueModelError):
        write_predictions(db, pred.assign(issue="xx"), "v4")
    with pytest.raises(IssueModelError):
        write_predictions(tmp_path / "missing.duckdb", pred, "v4")


def test_model_file_roundtrip(tmp_path: Path) -> None:
    """The model file holds arrays and JSON only (issue 19: no pickle) and gives back the
    same probabilities; a pickle or any other file is refused, never loaded."""
    import pickle
    import zipfile

    model = train(synthetic_corpus(sessions=6), exclude_sessions=())
    path = save_model(model, tmp_path / "m.npz")
    back = load_model(path)
    assert back.version == model.version and back.describe() == model.describe()
    texts = synthetic_corpus(sessions=2, seed=9)["title"]
    np.testing.assert_allclose(back.predict_proba(list(texts)), model.predict_proba(
        list(texts)), atol=1e-12)
    with zipfile.ZipFile(path) as z:  # .npy members only
        assert all(n.endswith(".npy") for n in z.namelist())
    with pytest.raises(IssueModelError):
        load_model(tmp_path / "none.npz")
    evil = tmp_path / "evil.npz"
    evil.write_bytes(pickle.dumps({"x": 1}))
    with pytest.raises(IssueModelError, match="not a comity issue model"):
        load_model(evil)


def test_cli_predict_on_a_small_store(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from comity.cli import app
    from comity.store.db import Store
    from tests import minidata as M

    d = M.write_all(tmp_path / "mini")
    db = tmp_path / "mini.duckdb"
    with Store(db) as s:
        s.ingest([d])
    model = tmp_path / "model.npz"
    save_model(train(synthetic_corpus(), exclude_sessions=()), model)
    out = CliRunner().invoke(app, ["issues", "predict", "--db", str(db), "--model", str(model),
                                   "--json"])
    assert out.exit_code == 0, out.output
    got = json.loads(out.stdout)
    assert set(got) == {"model", "model_path", "db", "rows", "resolutions", "per_issue"}
    with Store(db, read_only=True) as s:
        n_uncoded = s.query("SELECT count(*) AS n FROM resolutions WHERE body = 'GA' AND NOT "
                            "list_has_any(sources, ['unvotes', 'voeten2016'])")["n"].iloc[0]
        stored = read_predictions(s)
    assert got["resolutions"] == n_uncoded > 0 and got["rows"] == 6 * n_uncoded == len(stored)


@pytest.mark.slow
def test_real_held_out_f1_and_predicted_issue_slices(full_store, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from comity.analysis.issuecoding import corpus
    from comity.analysis.shifts import change_points
    from comity.cli import app

    out = CliRunner().invoke(app, ["issues", "report", "--db", str(full_store.path), "--json"])
    assert out.exit_code == 0, out.output
    ev = json.loads(out.stdout)["evaluation"]
    assert ev["train_until"] == 68 and ev["test_sessions"] == [69, 70, 71, 72, 73]
    assert ev["macro_f1"] >= 0.9, ev
    # every issue but "co" >= 0.85; "co" is capped near 0.83 by the recoding of recurring texts
    # in sessions 69-73 (module docstring)
    assert min(ev["per_issue"].values()) >= 0.8, ev
    assert sorted(k for k, v in ev["per_issue"].items() if v < 0.85) in ([], ["co"]), ev
    assert ev["half_life"] == 10.0 and ev["C"] == 10.0
    # predictions written to a copy of the store complete the issue slices after 2019
    frame = corpus(full_store)
    model = train(frame)
    copy = tmp_path / "copy.duckdb"
    shutil.copy(full_store.path, copy)
    write_predictions(copy, predict(model, frame))
    r = change_points("USA", "RUS", issue="hr", start=2015, store=copy, bootstrap=0)
    assert pd.to_datetime(r.series["date"]).max().year >= 2025
    r0 = change_points("USA", "RUS", issue="hr", start=2015, store=copy, bootstrap=0,
                       predicted_issues=False)
    assert pd.to_datetime(r0.series["date"]).max().year <= 2019
