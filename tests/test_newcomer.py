"""The "newcomer's first hour" fixes: fast clusters (vectorised pieces equal to scipy/sklearn,
results independent of the number of processes), progress bars, k and the listed clusters,
the matrix's default year and order, JSON without NaN/NaT/Infinity for every command, one
row per state on a date, --version and completion, tables in pipes, symbols as people type
them, resolutions newest first with their total, transcript text never a title, and export
validating its format first. Runs on a small synthetic store (:mod:`tests.newcomer_data`)."""

from __future__ import annotations

import importlib
import io
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from comity.analysis import clustering as C
from comity.cli import app
from comity.store.panel import Panel
from tests.newcomer_data import build_store

Y, A, N, X, NM = 1, 2, 3, 8, 9
run = CliRunner()


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> str:
    return str(build_store(tmp_path_factory.mktemp("newcomer")))


def cli(*args: str) -> tuple[int, str, str]:
    r = run.invoke(app, list(args))
    return r.exit_code, r.stdout, r.stderr


def same_partition(a: np.ndarray, b: np.ndarray) -> bool:
    t = pd.crosstab(np.asarray(a), np.asarray(b))
    return bool(((t > 0).sum(axis=0) == 1).all() and ((t > 0).sum(axis=1) == 1).all())


# ------------------------------------------------------------------ 1. clusters, vectorised
def test_maxclust_equals_fcluster_even_with_ties() -> None:
    from scipy.cluster.hierarchy import fcluster, linkage
    from scipy.spatial.distance import pdist, squareform

    rng = np.random.default_rng(0)
    for _ in range(60):
        n = int(rng.integers(3, 35))
        pts = rng.integers(0, 4, size=(n, 2))  # a coarse grid: many tied distances
        d = squareform(pdist(pts, "cityblock")).astype(float)
        z = linkage(squareform(d, checks=False), "average")
        want = np.arange(1, n + 2)
        got = C._maxclust(z, want)
        for w, lab in zip(want, got, strict=True):
            assert same_partition(lab, fcluster(z, int(w), "maxclust")), (n, w)


def test_batched_silhouettes_equal_one_by_one() -> None:
    rng = np.random.default_rng(1)
    pts = rng.normal(size=(25, 3))
    d = np.sqrt(((pts[:, None] - pts[None]) ** 2).sum(-1))
    labels = np.stack([rng.integers(0, k, size=25) for k in (1, 2, 3, 5, 25)])
    labels[2, 0] = 7  # a singleton
    got = C._silhouettes(d, labels)  # not nested: one product per partition, bit for bit
    for lab, g in zip(labels, got, strict=True):
        ref = C.silhouette(d, lab)[0]
        assert (np.isnan(ref) and np.isnan(g)) or g == ref
    # cuts of one tree (nested): sums of the finest cut's columns, equal up to rounding
    from scipy.cluster.hierarchy import linkage
    from scipy.spatial.distance import squareform

    z = linkage(squareform(d, checks=False), "average")
    cuts = C._maxclust(z, np.arange(2, 12))
    got = C._silhouettes(d, cuts)
    for lab, g in zip(cuts, got, strict=True):
        assert g == pytest.approx(C.silhouette(d, lab)[0], abs=1e-14)


def test_ari_and_kept_equal_sklearn_and_the_loop() -> None:
    from sklearn.metrics import adjusted_rand_score

    rng = np.random.default_rng(2)
    lab = rng.integers(1, 4, size=30)
    draws = np.stack([lab] + [rng.integers(1, 5, size=30) for _ in range(20)])
    ari, kept = C._ari_and_kept(lab, draws)
    for a, g in zip(ari, draws, strict=True):
        assert a == adjusted_rand_score(lab, g)
    ref = np.zeros(30)
    for g in draws:  # the former per-draw loop
        c = np.zeros((g.max(), lab.max()), dtype=int)
        np.add.at(c, (g - 1, lab - 1), 1)
        ref += (c.argmax(axis=1)[g - 1] + 1) == lab
    assert np.array_equal(kept, ref)


def test_agreement_matrix_batch_equals_single_draws() -> None:
    from comity.analysis.measures import _positions

    rng = np.random.default_rng(3)
    votes = rng.choice([Y, A, N, X, NM], size=(12, 80), p=[0.4, 0.2, 0.2, 0.1, 0.1])
    pos = _positions(votes.astype(np.int8))
    w = rng.multinomial(80, np.full(80, 1 / 80), size=7).astype(np.float32)
    ab, nb = C.agreement_matrix(pos, w)
    assert ab.shape == (7, 12, 12)
    for j in range(7):
        a1, n1 = C.agreement_matrix(pos, w[j])
        assert np.array_equal(np.nan_to_num(ab[j], nan=-9), np.nan_to_num(a1, nan=-9))
        assert np.array_equal(nb[j], n1)
        # the plain definition: mean of 1 - |v_i - v_j| / 2 over the shared votes, weighted
        rep = np.repeat(np.arange(80), w[j].astype(int))
        v = votes[:, rep].astype(float)
        ok = (v >= 1) & (v <= 3)
        for i, k in ((0, 1), (3, 7), (5, 11)):
            both = ok[i] & ok[k]
            assert n1[i, k] == both.sum()
            assert a1[i, k] == pytest.approx(np.mean(1 - np.abs(v[i, both] - v[k, both]) / 2))


def _years_panel(years: int = 12) -> Panel:
    from tests.test_clusters import bloc_panel, concat

    return concat(*[bloc_panel(year=2000 + y, seed=y, n_res=40)[0] for y in range(years)])


def _plain_clusters(panel: Panel, bootstrap: int, seed: int) -> tuple[list, list]:
    """The textbook loop (fcluster for each k, sklearn's silhouette and ARI, one matrix per
    draw): the former implementation, kept as the reference."""
    from scipy.cluster.hierarchy import fcluster, linkage
    from scipy.spatial.distance import squareform
    from sklearn.metrics import adjusted_rand_score, silhouette_score

    from comity.analysis.measures import _positions, _resample_weights

    def plain(d: np.ndarray) -> np.ndarray:
        z = linkage(squareform(d, checks=False), "average")
        best, lab = -np.inf, np.ones(len(d), dtype=int)
        for k in range(2, 11):
            cut = fcluster(z, k, "maxclust")
            if 2 <= len(np.unique(cut)) < len(cut):
                s = silhouette_score(d, cut, metric="precomputed")
                if s > best + 1e-12:
                    best, lab = s, cut
        return lab

    years = pd.to_datetime(panel.resolutions["date"]).dt.year.to_numpy()
    pos_all = _positions(panel.votes)
    uniq = np.unique(years)
    seeds = np.random.default_rng(seed).integers(0, 2**31 - 1, size=len(uniq))
    labels, aris = [], []
    for y, s in zip(uniq, seeds, strict=True):
        pos = pos_all[:, years == y]
        act = ((pos >= 0) & (pos < 3)).sum(axis=1) >= 5
        pa = pos[act]
        lab = plain(C._distance(*C.agreement_matrix(pa), 5))
        labels.append(lab)
        ws = _resample_weights(np.random.default_rng(int(s)), bootstrap, pa.shape[1])
        aris.append([adjusted_rand_score(lab, plain(C._distance(*C.agreement_matrix(pa, w), 5)))
                     for w in ws])
    return labels, aris


def test_clusters_equal_the_plain_loop_and_do_not_depend_on_jobs() -> None:
    p = _years_panel(12)
    one = C.clusters(panel=p, bootstrap=100, seed=3, min_votes=5, min_size=1, n_jobs=1)
    two = C.clusters(panel=p, bootstrap=100, seed=3, min_votes=5, min_size=1, n_jobs=2)
    pd.testing.assert_frame_equal(one.assignments, two.assignments, check_exact=True)
    pd.testing.assert_frame_equal(one.periods, two.periods, check_exact=True)
    labels, aris = _plain_clusters(p, 20, 3)
    ref = C.clusters(panel=p, bootstrap=20, seed=3, min_votes=5, min_size=1)
    for (per, g), lab, ari in zip(ref.assignments.groupby("period"), labels, aris,
                                  strict=True):
        assert same_partition(g["raw"].to_numpy(), lab), per
        row = ref.periods.set_index("period").loc[per]
        assert row["ari_mean"] == pytest.approx(np.mean(ari), abs=1e-12)


# --------------------------------------------------------------------- 2. progress bars
def _tty() -> object:
    from rich.console import Console

    return Console(file=io.StringIO(), force_terminal=True, width=120)


def test_progress_bar_silent_under_json_and_off_a_terminal() -> None:
    from rich.console import Console

    from comity.cli import progress as P

    piped = Console(file=io.StringIO())  # not a terminal
    with P.progress_bar("work", console=piped) as cb:
        cb("step", 1, 2)
    assert cb is P._silent and piped.file.getvalue() == ""
    tty = _tty()
    with P.progress_bar("work", console=tty, as_json=True) as cb:
        cb("step", 1, 2)
    assert cb is P._silent and tty.file.getvalue() == ""
    with P.progress_bar("work", console=tty) as cb:
        cb("step one", 1, 2)
    assert "step one" in tty.file.getvalue()


def test_progress_callbacks_of_the_analyses() -> None:
    seen: list[tuple] = []
    C.clusters(panel=_years_panel(3), bootstrap=2, seed=1, min_votes=5,
               progress=lambda *a: seen.append(a))
    assert seen[0] == ("clusters", 0, 3) and seen[-1][1:] == (3, 3)
    assert seen[-1][0].startswith("clusters 200")


def test_long_commands_show_progress_on_a_terminal_only(db: str, monkeypatch,
                                                        tmp_path: Path) -> None:
    appmod = importlib.import_module("comity.cli.app")
    for args, text in (
            (["clusters", "--from", "2010", "--to", "2011", "--bootstrap", "5"], "clusters 201"),
            (["idealpoints", "--from", "2005", "--to", "2018", "--no-cache"], "ideal points"),
            (["issues", "train", "--model", str(tmp_path / "m.npz")], "final model")):
        tty = _tty()
        monkeypatch.setattr(appmod, "err_console", tty)
        code, out, _ = cli(*args, "--db", db)
        assert code == 0, out
        assert text in tty.file.getvalue(), args
        tty = _tty()
        monkeypatch.setattr(appmod, "err_console", tty)
        code, out, _ = cli(*args, "--db", db, "--json")
        assert code == 0 and tty.file.getvalue() == "", args
        json.loads(out)
    monkeypatch.undo()
    code, _, err = cli("clusters", "--from", "2010", "--to", "2011", "--bootstrap", "5",
                       "--db", db)  # stderr is not a terminal here: no bar
    assert code == 0 and "━" not in err


# ---------------------------------------------------------- 3. k and the listed clusters
def test_k_equals_the_clusters_listed(db: str) -> None:
    code, out, _ = cli("clusters", "--from", "2010", "--to", "2012", "--method", "community",
                       "--bootstrap", "0", "--db", db, "--json")
    assert code == 0
    d = json.loads(out)
    small = 0
    for p in d["periods"]:
        rows = [c for c in d["clusters"] if c["period"] == p["period"]]
        assert p["k"] == sum(c["major"] for c in rows)
        assert all(c["major"] == (c["size"] >= d["query"]["min_size"]) for c in rows)
        small += sum(not c["major"] for c in rows)
    assert small  # the pair voting against both blocs forms a cluster of its own
    code, out, _ = cli("clusters", "--from", "2010", "--to", "2012", "--method", "community",
                       "--bootstrap", "0", "--db", db)
    main = out.split("smaller clusters")[0].split("the k clusters")[1]
    for p in d["periods"]:  # the main table lists exactly k clusters of each period
        assert len(re.findall(rf"^│ {p['period']} ", main, flags=re.M)) == p["k"]
    assert "smaller clusters" in out


# ------------------------------------------------------------- 4. matrix: year and order
def test_latest_complete_year_rule() -> None:
    from comity.analysis.query import latest_complete_year

    assert latest_complete_year("2026-06-04") == 2025
    assert latest_complete_year(pd.Timestamp("2025-12-10")) == 2025
    assert latest_complete_year("2026-01-02") == 2025


def _panel(votes: dict, dates: list[str]) -> Panel:
    states = tuple(votes)
    res = pd.DataFrame({"rid": [f"R{i}" for i in range(len(dates))], "body": "GA",
                        "session": 55, "date": pd.to_datetime(dates),
                        "symbol": [f"A/RES/{i}" for i in range(len(dates))], "title": "t",
                        "issues": [[] for _ in dates], "important": False})
    return Panel(votes=np.array([votes[s] for s in states], dtype=np.int8), states=states,
                 resolutions=res)


def test_matrix_defaults_to_the_latest_complete_year() -> None:
    from comity.analysis.align import alignment_matrix

    p = _panel({"USA": [Y, Y, N, Y], "CAN": [Y, Y, N, N], "FRA": [N, A, N, Y]},
               ["2000-03-01", "2000-12-01", "2001-02-01", "2001-03-01"])
    m = alignment_matrix(panel=p, min_votes=1)  # 2001 is partial (last vote in March)
    assert m.wide["period"].unique().tolist() == [2000]
    assert "2000, the latest complete year" in m.query["note"]
    assert alignment_matrix(2001, panel=p, min_votes=1).query["note"] is None
    p2 = _panel({"USA": [Y, N], "CAN": [Y, N]}, ["2001-02-01", "2001-03-01"])
    m2 = alignment_matrix(panel=p2, min_votes=1)  # no vote in 2000: the partial year, said so
    assert m2.wide["period"].unique().tolist() == [2001] and "partial" in m2.query["note"]


def test_cli_matrix_says_which_year(db: str) -> None:
    code, out, _ = cli("matrix", "--db", db, "--json", "--min-votes", "1")
    assert code == 0
    d = json.loads(out)
    assert d["note"].startswith("no year given: 2020, the latest complete year")
    code, out, _ = cli("matrix", "--db", db, "--min-votes", "1")
    assert "the latest complete year" in out
    code, out, _ = cli("matrix", "--year", "2015", "--db", db, "--json")
    assert json.loads(out)["note"] is None


def test_seriation_groups_blocs_and_breaks_ties_by_code() -> None:
    from comity.analysis.results import seriation

    codes = ["E1", "W3", "E2", "W1", "E3", "W2", "Z1"]
    group = {"E": 0, "W": 1, "Z": 2}
    v = np.array([[1.0 if group[a[0]] == group[b[0]] else 0.3 for b in codes] for a in codes])
    v[codes.index("Z1")] = v[:, codes.index("Z1")] = 0.1
    v[codes.index("Z1"), codes.index("Z1")] = 1.0
    order = seriation(pd.DataFrame(v, index=codes, columns=codes))
    assert sorted(order) == sorted(codes)
    blocks = ["".join(order[i:i + 3]) for i in range(0, 6, 3)]
    assert {"E1E2E3", "W1W2W3"} <= set(blocks) | {"".join(order[1:4]), "".join(order[4:7])}
    assert order == seriation(pd.DataFrame(v, index=codes, columns=codes).iloc[::-1, ::-1])


def test_matrix_ties_ordered_by_votes_then_code_and_heat_map_seriated() -> None:
    from comity.analysis.results import MatrixResult

    cats = ["ZZZ", "AAA", "MMM", "BBB"]  # categories not in alphabetical order
    w = pd.DataFrame({
        "period": 2000, "start": pd.Timestamp("2000-01-01"), "end": pd.Timestamp("2000-12-31"),
        "state_a": pd.Categorical(["ZZZ", "AAA", "AAA", "ZZZ"], categories=cats),
        "state_b": pd.Categorical(["MMM", "MMM", "BBB", "BBB"], categories=cats),
        "agreement": [1.0, 1.0, 1.0, 0.2], "n": [10, 10, 12, 10], "n_absent": 0,
        "n_nonmember": 0})
    m = MatrixResult(wide=w, measures=("agreement",), period="year", query={})
    most = m.top(3)
    most = most[most["side"] == "most"]
    assert list(zip(most["state_a"].astype(str), most["state_b"].astype(str),
                    strict=True)) == [
        ("AAA", "BBB"), ("AAA", "MMM"), ("ZZZ", "MMM")]
    assert list(m.matrix().index) == ["AAA", "BBB", "MMM", "ZZZ"]
    assert set(m.matrix(order="cluster").index) == set(cats)


# -------------------------------------------------------- 5. JSON: no NaN, NaT, Infinity
def _reject(constant: str) -> None:
    raise ValueError(f"{constant} in JSON output")


def _json_commands() -> set[str]:
    import typer

    def walk(c, prefix=()):  # type: ignore[no-untyped-def]
        for name, sc in getattr(c, "commands", {}).items():
            if getattr(sc, "commands", None):
                yield from walk(sc, (*prefix, name))
            elif any("--json" in getattr(p, "opts", []) for p in sc.params):
                yield " ".join((*prefix, name))

    return set(walk(typer.main.get_command(app)))


def test_every_json_command_prints_plain_json(db: str, tmp_path: Path) -> None:
    synth = str(Path(db).parent / "synth")
    cases = {
        "ingest": ["ingest", synth],
        "info": ["info"],
        "states": ["states"],
        "resolutions": ["resolutions", "--limit", "500"],
        "votes": ["votes", "70/5"],
        "check": ["check"],
        "export": ["export", str(tmp_path / "out")],
        "align": ["align", "USA", "RUS", "EU", "--from", "2004", "--bootstrap", "50"],
        "matrix": ["matrix", "--year", "2015"],
        "cohesion": ["cohesion", "EU", "--from", "2004", "--bootstrap", "50"],
        "blocs": ["blocs", "eu", "--at", "2015-01-01"],
        "claim": ["claim", "USA closer to CAN than to RUS in 2015", "--bootstrap", "50"],
        "compare": ["compare", "USA", "RUS", "--from", "2004", "--bootstrap", "50"],
        "idealpoints": ["idealpoints", "--from", "2005", "--to", "2018", "--no-cache"],
        "shifts": ["shifts", "USA", "RUS", "--bootstrap", "20", "--min-size", "10"],
        "movers": ["movers", "USA", "--from", "2006", "--to", "2016", "--bootstrap", "20"],
        "switches": ["switches"],
        "clusters": ["clusters", "--from", "2004", "--to", "2006", "--bootstrap", "5"],
        "fetch": ["fetch", "--from", synth],
        "vetoes": ["vetoes", "--all"],
        "council": ["council", "--year", "2020"],
        "issues train": ["issues", "train", "--model", str(tmp_path / "m.npz")],
        "issues predict": ["issues", "predict", "--model", str(tmp_path / "m.npz")],
        "issues report": ["issues", "report"],
    }
    extra = {"states --at": ["states", "--at", "1991-06-01"]}
    # every command that takes --json is run (a new one must be added here)
    assert _json_commands() <= set(cases), _json_commands() - set(cases)
    for name, args in {**cases, **extra}.items():
        code, out, err = cli("--db", db, *args, "--json")
        assert code == 0, (name, err)
        for word in ("NaN", "NaT", "Infinity"):
            assert not re.search(rf"\b{word}\b", out), (name, word)
        json.loads(out, parse_constant=_reject)


def test_jsonable_missing_values_are_null() -> None:
    from comity.cli.app import _jsonable

    got = _jsonable({"a": pd.NaT, "b": np.datetime64("NaT"), "c": float("inf"),
                     "d": np.float32("nan"), "e": pd.NA, "f": pd.Timestamp("2020-01-02"),
                     "g": np.datetime64("2020-01-02"), "h": [np.int64(3), None],
                     "frame": pd.DataFrame({"x": [pd.NaT, pd.Timestamp("2021-05-06")]})})
    assert got == {"a": None, "b": None, "c": None, "d": None, "e": None, "f": "2020-01-02",
                   "g": "2020-01-02", "h": [3, None],
                   "frame": [{"x": None}, {"x": "2021-05-06"}]}


# -------------------------------------------------------- 6. one row per state on a date
@pytest.mark.parametrize(("date", "kind"), [
    ("1974-11-11", "member"), ("1974-11-12", "excluded"), ("1991-06-01", "excluded"),
    ("1994-06-22", "excluded"), ("1994-06-23", "member")])
def test_states_at_one_row_per_state(db: str, date: str, kind: str) -> None:
    code, out, _ = cli("states", "--at", date, "--db", db, "--json")
    assert code == 0
    rows = json.loads(out)
    codes = [r["code"] for r in rows]
    assert len(codes) == len(set(codes))
    assert [r["kind"] for r in rows if r["code"] == "ZAF"] == [kind]


# ------------------------------------------------------- 7. --version and shell completion
def test_version_and_completion_options() -> None:
    from comity import __version__

    code, out, _ = cli("--version")
    assert code == 0 and out.strip() == f"comity {__version__}"
    code, out, _ = cli("--help")
    assert "--install-completion" in out and "--show-completion" in out


# ------------------------------------------------------------------------------ 8. tables
def test_tables_keep_dates_whole_and_use_the_width_of_a_pipe(monkeypatch) -> None:
    from rich.console import Console

    appmod = importlib.import_module("comity.cli.app")
    narrow = Console(file=io.StringIO(), width=60)  # `comity states` folded "1946-01-0 / 1"
    monkeypatch.setattr(appmod, "console", narrow)
    df = pd.DataFrame({"code": ["AAA", "BBB"],
                       "name": ["The United Kingdom of Great Britain and Northern Ireland",
                                "Bolivia (Plurinational State of)"],
                       "member_from": pd.to_datetime(["1946-01-01", "1945-11-14"]),
                       "member_to": [pd.NaT, pd.Timestamp("1991-12-24")],
                       "until": ["1991-12-24", None], "predecessor": ["SUN", None]})
    appmod._table(df, "a title")
    text = narrow.file.getvalue()
    assert all(d in text for d in ("1946-01-01", "1945-11-14", "1991-12-24")), text
    monkeypatch.delenv("COLUMNS", raising=False)
    piped = appmod._console()  # under pytest stdout is not a terminal
    assert piped.width == appmod.PIPE_WIDTH and piped.soft_wrap
    monkeypatch.setenv("COLUMNS", "100")
    assert appmod._console().width == 100


# --------------------------------------------------------------------------- 9. symbols
@pytest.mark.parametrize(("typed", "forms"), [
    ("ES-11/4", ["A/RES/ES-11/4", "ES-11/4"]), ("A/ES-11/4", ["A/RES/ES-11/4", "A/ES-11/4"]),
    ("68/262", ["A/RES/68/262", "68/262"]), ("A/RES/68/262", ["A/RES/68/262"]),
    ("res 2758", ["S/RES/2758", "A/RES/2758(", "2758"]),
    ("GA res 2758", ["A/RES/2758(", "2758"]), ("SC 2758", ["S/RES/2758", "2758"]),
    ("S/RES/2758 (2024)", ["S/RES/2758"]),
    ("2758 (XXVI)", ["A/RES/2758(XXVI)", "2758(XXVI)"]),
    ("resolution no. 377 (V)", ["A/RES/377(V)", "377(V)"]),
    ("S-32/1", ["A/RES/S-32/1", "S-32/1"]),
    ("S/2024/255", ["S/2024/255", "S/RES/2024/255"]), ("", [])])
def test_symbol_forms(typed: str, forms: list[str]) -> None:
    from comity.store.symbols import symbol_forms

    assert symbol_forms(typed) == forms


def test_votes_accepts_the_short_forms(db: str) -> None:
    from comity.store.db import Store

    with Store(db, read_only=True) as s:
        for typed, rid in (("40/100", "A/RES/40/100"), ("A/40/100", "A/RES/40/100"),
                           ("R/40/100", "A/RES/40/100"), ("res 2527", "S/RES/2527"),
                           ("S/RES/2527 (2020)", "S/RES/2527"), ("sc 2527", "S/RES/2527"),
                           ("75/10", "A/RES/75/10")):
            got = s.find_symbol(typed)
            assert got["rid"].iloc[0] == rid, typed
        assert s.find_symbol("40/10").empty  # never a longer number: 40/100 is not 40/10
        assert s.find_resolution("40/100")["rid"].iloc[0] == "A/RES/40/100"
    code, out, _ = cli("votes", "40/100", "--db", db, "--json")
    assert code == 0 and json.loads(out)[0]["resolution"]["rid"] == "A/RES/40/100"
    code, out, _ = cli("votes", "res 2527", "--db", db)
    assert code == 0 and "S/RES/2527" in out
    r = run.invoke(app, ["votes", "99/999", "--db", db])
    assert r.exit_code != 0 and "tried A/RES/99/999" in str(r.exception)


# ------------------------------------------------------------------ 10. resolutions
def test_resolutions_newest_first_with_the_total(db: str) -> None:
    from comity.store.db import Store

    with Store(db, read_only=True) as s:
        total = s.count_resolutions()
        newest = s.resolutions(limit=3, newest_first=True)
    code, out, _ = cli("resolutions", "--limit", "3", "--db", db)
    assert code == 0 and f"3 of {total} recorded votes, newest first" in out
    code, out, _ = cli("resolutions", "--limit", "3", "--db", db, "--json")
    rows = json.loads(out)
    assert isinstance(rows, list) and len(rows) == 3  # the JSON shape is unchanged
    assert [r["rid"] for r in rows] == newest["rid"].tolist()
    assert rows[0]["date"] >= rows[-1]["date"]
    code, out, _ = cli("resolutions", "--limit", "3", "--oldest-first", "--db", db, "--json")
    assert json.loads(out)[0]["date"] == "1985-12-10"


# ------------------------------------------------------------------------- 11. export
def test_export_with_a_bad_format_creates_nothing(db: str, tmp_path: Path) -> None:
    out = tmp_path / "not" / "there"
    r = run.invoke(app, ["export", str(out), "--format", "x", "--db", db])
    assert r.exit_code != 0 and "unknown export format" in str(r.exception)
    assert not out.exists() and not out.parent.exists()


# ------------------------------------------------------- ingest leaves issue slices ready
def test_ingest_predicts_issue_codes_or_says_why(tmp_path: Path) -> None:
    """`comity ingest` codes what Voeten did not (or says why it could not), in --json too."""
    from tests import minidata as M

    d = M.write_all(tmp_path / "mini")
    db = tmp_path / "m.duckdb"
    r = run.invoke(app, ["ingest", str(d), "--db", str(db), "--json"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert "issue_predictions" in out
    if out["issue_predictions"] is None:  # too few coded texts to learn every issue
        assert out["issue_predictions_skipped"]
    r = run.invoke(app, ["ingest", str(d), "--db", str(db), "--json", "--no-predict"])
    assert json.loads(r.stdout)["issue_predictions"] is None


@pytest.mark.slow
def test_real_ingest_makes_recent_issue_slices_work(real_data: Path, tmp_path: Path) -> None:
    db = tmp_path / "real.duckdb"
    r = run.invoke(app, ["ingest", str(real_data), "--db", str(db), "--json"])
    assert r.exit_code == 0, r.output
    pred = json.loads(r.stdout)["issue_predictions"]
    assert pred["resolutions"] > 2000 and pred["per_issue"]["ec"] > 100
    r = run.invoke(app, ["resolutions", "--issue", "ec", "--year", "2025", "--db", str(db),
                         "--json"])
    rows = json.loads(r.stdout)
    assert len(rows) > 20 and all(x["issues_predicted"] for x in rows)


def test_export_of_identical_stores_is_byte_identical(tmp_path: Path) -> None:
    """Issue 19: the tables are exported in a total order (quality.csv was not)."""
    from tests import minidata as M

    d = M.write_all(tmp_path / "mini")
    outs = []
    for k in (1, 2):
        db = tmp_path / f"s{k}.duckdb"
        assert run.invoke(app, ["ingest", str(d), "--db", str(db), "--no-predict"]).exit_code == 0
        out = tmp_path / f"export{k}"
        r = run.invoke(app, ["export", str(out), "--format", "csv", "--db", str(db)])
        assert r.exit_code == 0, r.output
        outs.append(out)
    names = sorted(p.name for p in outs[0].iterdir())
    assert "quality.csv" in names
    for name in names:
        assert (outs[0] / name).read_bytes() == (outs[1] / name).read_bytes(), name


def test_a_bare_number_lists_both_bodies(full_store) -> None:
    """``res 2758``: the Council's S/RES/2758 matches exactly, and the Assembly's
    A/RES/2758(XXVI) (numbered without a session before 1976) is listed too, never hidden."""
    s = full_store
    got = s.find_symbol("res 2758")["rid"].tolist()
    assert got[0] == "S/RES/2758"
    assert got[1] == "A/RES/2758(XXVI)"  # the whole text before its part votes
    assert set(got[2:]) == {f"A/RES/2758(XXVI){p}" for p in "ABCDEF"}
    assert s.find_symbol("GA res 2758")["rid"].iloc[0] == "A/RES/2758(XXVI)"
    assert s.find_symbol("SC 2758")["rid"].tolist() == ["S/RES/2758"]
    r = run.invoke(app, ["votes", "res 2758", "--db", str(s.path)])
    assert r.exit_code == 0
    assert "also matching 'res 2758': A/RES/2758(XXVI) (1971-10-25)" in \
        " ".join(r.output.split())


def test_api_votes_lists_the_other_matches(full_store) -> None:
    from fastapi.testclient import TestClient

    from comity.web.app import create_app

    with TestClient(create_app(full_store.path)) as c:
        d = c.get("/api/resolutions/res 2758/votes").json()
    assert d["resolution"]["rid"] == "S/RES/2758" and d["matches"] == 8
    assert d["also"][0] == "A/RES/2758(XXVI)" and len(d["also"]) == 7
