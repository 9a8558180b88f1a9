"""Tests of comity.analysis.clustering: two clear blocs recovered by both methods, bootstrap
stability
(ARI), the vectorised agreement matrix and silhouette, labels aligned across periods, and the
real data."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from comity.analysis.clustering import ClusterError, agreement_matrix, clusters, silhouette
from comity.analysis.measures import _positions, dyad_measures
from comity.store.panel import Panel

Y, A, N, X, NM = 1, 2, 3, 8, 9


def bloc_panel(n_res: int = 60, noise: float = 0.1, seed: int = 0,
               sizes: tuple[int, int] = (10, 8), year: int = 2000,
               divisive_share: float = 0.7) -> tuple[Panel, list, list]:
    """Bloc W votes Y, bloc E votes N on 'divisive' resolutions, both Y on consensual ones;
    each vote flipped to A with probability ``noise``."""
    rng = np.random.default_rng(seed)
    west = [f"W{i:02d}" for i in range(sizes[0])]
    east = [f"E{i:02d}" for i in range(sizes[1])]
    divisive = rng.random(n_res) < divisive_share
    rows = {}
    for s in west:
        rows[s] = np.where(divisive, Y, Y)
    for s in east:
        rows[s] = np.where(divisive, N, Y)
    for s in rows:
        flip = rng.random(n_res) < noise
        rows[s] = np.where(flip, A, rows[s]).astype(np.int8)
    states = tuple(west + east)
    votes = np.stack([rows[s] for s in states])
    res = pd.DataFrame({
        "rid": [f"R{year}-{k}" for k in range(n_res)], "body": "GA", "session": year - 1945,
        "date": pd.date_range(f"{year}-01-01", periods=n_res, freq="5D"),
        "symbol": [f"A/RES/{k}" for k in range(n_res)], "title": "t",
        "issues": [[] for _ in range(n_res)], "important": False})
    return Panel(votes=votes, states=states, resolutions=res), west, east


def concat(*panels: Panel) -> Panel:
    states = sorted(set().union(*[p.states for p in panels]))
    blocks = []
    for p in panels:
        v = np.full((len(states), p.n_resolutions), NM, dtype=np.int8)
        for i, s in enumerate(p.states):
            v[states.index(s)] = p.votes[i]
        blocks.append(v)
    res = pd.concat([p.resolutions for p in panels], ignore_index=True)
    return Panel(votes=np.hstack(blocks), states=tuple(states), resolutions=res)


def partition(result, period) -> set[frozenset]:
    a = result.assignments[result.assignments["period"] == period]
    return {frozenset(g["state"]) for _, g in a.groupby("cluster")}


@pytest.mark.parametrize("method", ["hierarchical", "community"])
def test_two_clear_blocs(method: str) -> None:
    p, west, east = bloc_panel()
    r = clusters(panel=p, method=method, bootstrap=30, seed=1, min_votes=5)  # type: ignore
    assert partition(r, 2000) == {frozenset(west), frozenset(east)}
    per = r.periods.iloc[0]
    assert per["k"] == 2 and per["states"] == 18 and per["resolutions"] == 60
    assert per["ari_mean"] > 0.95 and per["ari_lo"] > 0.8
    assert (r.assignments["stability"] > 0.9).all()
    assert per["silhouette"] > 0.5
    cl = r.clusters.set_index("cluster")
    assert cl.loc[1, "size"] == 10 and set(cl.loc[1, "members"]) == set(west)
    d = r.to_dict()
    assert set(d) == {"query", "periods", "clusters", "assignments", "changes"}
    json.dumps(d)
    assert "2 clusters" in r.summary()


def test_no_structure_is_unstable() -> None:
    rng = np.random.default_rng(3)
    states = tuple(f"S{i:02d}" for i in range(20))
    votes = rng.choice([Y, A, N], size=(20, 40)).astype(np.int8)
    res = pd.DataFrame({"rid": [f"R{k}" for k in range(40)], "body": "GA", "session": 55,
                        "date": pd.date_range("2000-01-01", periods=40, freq="5D"),
                        "issues": [[] for _ in range(40)], "important": False})
    r = clusters(panel=Panel(votes=votes, states=states, resolutions=res), bootstrap=30,
                 seed=1, min_votes=5, min_size=3)
    assert r.periods["ari_mean"].iloc[0] < 0.5


def test_agreement_matrix_matches_measures() -> None:
    rng = np.random.default_rng(1)
    votes = rng.choice([Y, A, N, X, NM], size=(6, 50), p=[0.4, 0.2, 0.2, 0.1, 0.1])
    states = tuple(f"S{i}" for i in range(6))
    p = Panel(votes=votes.astype(np.int8), states=states,
              resolutions=pd.DataFrame({"rid": range(50)}))
    agree, n = agreement_matrix(_positions(p.votes))
    ref = dyad_measures(p, measures=("agreement",), min_votes=0, bootstrap=0)
    for r in ref.itertuples(index=False):
        i, j = states.index(r.state_a), states.index(r.state_b)
        assert agree[i, j] == pytest.approx(r.value)
        assert n[i, j] == r.n
    w = rng.integers(0, 3, size=50).astype(float)
    aw, _ = agreement_matrix(_positions(p.votes), w)
    rep = np.repeat(np.arange(50), w.astype(int))
    ar, _ = agreement_matrix(_positions(p.votes[:, rep]))
    assert np.allclose(np.nan_to_num(aw), np.nan_to_num(ar))


def test_silhouette_matches_sklearn() -> None:
    from sklearn.metrics import silhouette_samples, silhouette_score

    rng = np.random.default_rng(2)
    pts = rng.normal(size=(30, 2))
    d = np.sqrt(((pts[:, None] - pts[None]) ** 2).sum(-1))
    lab = rng.integers(0, 3, size=30)
    lab[0] = 5  # a singleton cluster scores 0
    m, s = silhouette(d, lab)
    assert m == pytest.approx(silhouette_score(d, lab, metric="precomputed"))
    assert np.allclose(s, silhouette_samples(d, lab, metric="precomputed"))


def test_small_outlier_clusters_do_not_count_in_k() -> None:
    # two blocs plus a pair voting against everyone: average linkage splits the pair off first
    p, west, east = bloc_panel(sizes=(10, 8), noise=0.05, divisive_share=0.4, seed=2)
    divisive = p.votes[west.index("W00")] != p.votes[10 + east.index("E00")]
    odd = np.where(divisive, A, N).astype(np.int8)[None, :]  # far from both blocs
    q = Panel(votes=np.vstack([p.votes, odd, odd]), states=(*p.states, "ZZ1", "ZZ2"),
              resolutions=p.resolutions)
    r = clusters(panel=q, bootstrap=0, min_votes=5)
    assert partition(r, 2000) == {frozenset(west), frozenset(east), frozenset({"ZZ1", "ZZ2"})}
    assert r.periods["k"].iloc[0] == 2
    plain = clusters(panel=q, bootstrap=0, min_votes=5, min_size=1)
    assert len(partition(plain, 2000)) >= 2


@pytest.mark.parametrize("method", ["hierarchical", "community"])
def test_k_counts_the_major_clusters_listed(method: str) -> None:
    # two blocs and a pair voting against both: the pair is a cluster, not counted in k
    p, west, east = bloc_panel(sizes=(10, 8), noise=0.05, divisive_share=0.4, seed=2)
    divisive = p.votes[west.index("W00")] != p.votes[10 + east.index("E00")]
    odd = np.where(divisive, A, N).astype(np.int8)[None, :]
    q = Panel(votes=np.vstack([p.votes, odd, odd]), states=(*p.states, "ZZ1", "ZZ2"),
              resolutions=p.resolutions)
    r = clusters(panel=q, bootstrap=0, min_votes=5, method=method, seed=1)  # type: ignore
    cl = r.clusters
    assert (cl["major"] == (cl["size"] >= 5)).all()
    assert r.periods["k"].iloc[0] == cl["major"].sum() == 2
    assert (~cl["major"]).sum() == 1 and set(cl[~cl["major"]]["members"].iloc[0]) == {
        "ZZ1", "ZZ2"}
    assert all("major" in c for c in r.to_dict()["clusters"])


def test_labels_aligned_across_periods() -> None:
    # 2000: W (10) larger than E (8); 2001: E grows to 14 and W01, W02 move east.
    # Raw numbers swap (E is the larger cluster in 2001) but aligned numbers follow overlap.
    p1, _, _ = bloc_panel(year=2000, sizes=(10, 8))
    p2, _, _ = bloc_panel(year=2001, sizes=(10, 14), seed=4)
    movers = ["W01", "W02"]
    v2 = p2.votes.copy()
    for m in movers:
        v2[p2.states.index(m)] = v2[p2.states.index("E00")]
    p2 = Panel(votes=v2, states=p2.states, resolutions=p2.resolutions)
    r = clusters(panel=concat(p1, p2), bootstrap=0, min_votes=5)
    a = r.assignments.set_index(["period", "state"])
    w_id = a.loc[(2000, "W00"), "cluster"]
    e_id = a.loc[(2000, "E00"), "cluster"]
    assert a.loc[(2001, "W05"), "cluster"] == w_id
    assert a.loc[(2001, "E13"), "cluster"] == e_id
    assert a.loc[(2001, "E00"), "raw"] == 1  # the larger cluster in 2001
    ch = r.changes()
    assert set(ch["state"]) == set(movers)
    assert (ch["cluster_before"] == w_id).all() and (ch["cluster"] == e_id).all()
    h = r.history()
    assert h.loc["E13"].isna().sum() == 1  # E08..E13 only in 2001
    assert list(h.columns) == [2000, 2001]


def test_plots(tmp_path) -> None:
    p1, _, _ = bloc_panel(year=2000)
    p2, _, _ = bloc_panel(year=2001, seed=5)
    r = clusters(panel=concat(p1, p2), bootstrap=0, min_votes=5)
    r.plot(tmp_path / "hist.png")
    r.plot(tmp_path / "map.png", period=2001)
    assert (tmp_path / "hist.png").stat().st_size > 1000
    assert (tmp_path / "map.png").stat().st_size > 1000
    assert r.matrix(2000).shape == (18, 18)


def test_errors() -> None:
    p, _, _ = bloc_panel()
    with pytest.raises(ClusterError):
        clusters(panel=p, method="kmeans")  # type: ignore[arg-type]
    with pytest.raises(ClusterError):
        clusters(panel=p, k=1)
    with pytest.raises(ClusterError):
        clusters(panel=p, year=2000, start=1999)
    with pytest.raises(ClusterError):
        clusters(panel=p, min_votes=1000, bootstrap=0)


@pytest.mark.slow
def test_real_clusters_2024(full_store) -> None:
    from typer.testing import CliRunner

    from comity.cli import app

    r = clusters(year=2024, store=full_store, bootstrap=10, seed=1)
    a = r.assignments.set_index("state")["cluster"]
    assert a["DEU"] == a["FRA"] == a["GBR"] == a["JPN"]
    assert a["CHN"] != a["DEU"] and a["RUS"] != a["DEU"]
    assert r.periods["ari_mean"].iloc[0] > 0.8
    c = clusters(year=2024, method="community", store=full_store, bootstrap=0, seed=1)
    b = c.assignments.set_index("state")["cluster"]
    assert b["DEU"] == b["FRA"] and b["CHN"] != b["DEU"]
    out = CliRunner().invoke(app, ["clusters", "--from", "2022", "--to", "2023",
                                   "--bootstrap", "5", "--db", str(full_store.path), "--json"])
    assert out.exit_code == 0, out.output
    d = json.loads(out.stdout)
    assert [p["period"] for p in d["periods"]] == [2022, 2023]
    assert {"cluster", "raw", "stability", "silhouette"} <= set(d["assignments"][0])
