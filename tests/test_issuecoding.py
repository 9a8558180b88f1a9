"""Tests of comity.issuecoding: the classifier on a small synthetic corpus (held out by later
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

from comity.issuecoding import (
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
    train,
    with_predicted_issues,
    write_predictions,
)
from comity.panel import Panel

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
    model = train(synthetic_corpus(sessions=6), exclude_sessions=())
    path = save_model(model, tmp_path / "m.joblib")
    back = load_model(path)
    assert back.version == model.version
    with pytest.raises(IssueModelError):
        load_model(tmp_path / "none.joblib")


def test_cli_predict_on_a_small_store(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from comity.cli import app
    from comity.store import Store
    from tests import minidata as M

    d = M.write_all(tmp_path / "mini")
    db = tmp_path / "mini.duckdb"
    with Store(db) as s:
        s.ingest([d])
    model = tmp_path / "model.joblib"
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

    from comity.cli import app
    from comity.issuecoding import corpus
    from comity.shifts import change_points

    out = CliRunner().invoke(app, ["issues", "report", "--db", str(full_store.path), "--json"])
    assert out.exit_code == 0, out.output
    ev = json.loads(out.stdout)["evaluation"]
    assert ev["train_until"] == 68 and ev["test_sessions"] == [69, 70, 71, 72, 73]
    assert ev["macro_f1"] >= 0.85, ev
    assert min(ev["per_issue"].values()) >= 0.75, ev
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
