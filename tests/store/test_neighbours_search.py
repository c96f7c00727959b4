"""The neighbour index: known neighbours on a tiny store, exact scores, crash safety, ANN path."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from test_profile_store import keyword_matrix, make_tables

from textprofile.core.errors import ConfigError
from textprofile.store import neighbours as N
from textprofile.store.profile_store import ProfileStore, store_path, write_store


def _planted(n_pairs: int = 4, k: int = 3) -> tuple:
    """Pairs of customers who use the same rare words (pair i: 'word{i}'), topics shuffled."""
    tables = make_tables(n=2 * n_pairs, k=k)
    keywords = [[(f"word{i // 2}", 0.9), ("common", 0.3)] for i in range(2 * n_pairs)]
    rng = np.random.default_rng(1)
    shares = rng.dirichlet(np.ones(k), 2 * n_pairs)
    tables.keywords, tables.shares = keywords, shares
    tables.keyword_vectors = keyword_matrix(keywords)
    return tables


def test_neighbours_mixed_finds_the_customer_who_writes_the_same(workspace):
    tables = _planted()
    path = write_store(store_path(workspace.model_dir("m")), tables, {"model": "m"})
    with ProfileStore(path) as store:
        for i in range(8):
            sim = store.similar(f"cust{i:03d}", 3)
            partner = i + 1 if i % 2 == 0 else i - 1
            assert sim[0]["customer_id"] == f"cust{partner:03d}"
            kw = tables.keyword_vectors.toarray()
            bc = np.sqrt(tables.shares[i] * tables.shares[partner]).sum()
            assert sim[0]["score"] == pytest.approx(0.85 * kw[i] @ kw[partner] + 0.15 * bc, abs=1e-6)


def test_neighbours_unknown_mode_is_a_one_line_error(workspace):
    path = write_store(store_path(workspace.model_dir("m")), make_tables(), {"model": "m"})
    with ProfileStore(path) as store, pytest.raises(ConfigError, match="--by must be one of mixed, keywords, topics"):
        store.similar("cust000", 3, by="nearest")


def test_neighbours_index_is_named_by_its_content(workspace, tmp_path):
    """The same tables give the same folder (and the same meta row) every time."""
    a = write_store(store_path(workspace.model_dir("a")), make_tables(), {"model": "m"})
    b = write_store(store_path(workspace.model_dir("b")), make_tables(), {"model": "m"})
    with ProfileStore(a) as sa, ProfileStore(b) as sb:
        assert sa.meta["neighbours"] == sb.meta["neighbours"]
    fa = N.folder_for(a, ProfileStore(a).meta["neighbours"])
    fb = N.folder_for(b, ProfileStore(b).meta["neighbours"])
    assert sorted(p.name for p in fa.iterdir()) == sorted(p.name for p in fb.iterdir())
    for p in fa.iterdir():
        assert p.read_bytes() == (fb / p.name).read_bytes(), p.name


def test_neighbours_crash_mid_build_keeps_the_previous_store_and_index(workspace):
    path = store_path(workspace.model_dir("m"))
    write_store(path, _planted(), {"model": "m"})
    with ProfileStore(path) as store:
        before = store.similar("cust000", 3)
        token = store.meta["neighbours"]

    def crash(stage):
        if stage == "cards":
            raise RuntimeError("power cut")

    other = make_tables(n=8, seed=5, tag="v2")
    with pytest.raises(RuntimeError, match="power cut"):
        write_store(path, other, {"model": "m"}, checkpoint=crash)
    with ProfileStore(path) as store:
        assert store.meta["neighbours"] == token
        assert store.similar("cust000", 3) == before
    write_store(path, other, {"model": "m"})  # the next good build cleans up after the crash
    folders = sorted(p.name for p in path.parent.glob("profiles.neighbours-*"))
    with ProfileStore(path) as store:
        assert folders == [f"profiles.neighbours-{store.meta['neighbours']}"]
    assert not list(path.parent.glob(".profiles.neighbours-*"))


def test_neighbours_approximate_search_agrees_with_exact(tmp_path, monkeypatch):
    """Above the exact limit candidates come from the HNSW index and are re-scored exactly."""
    rng = np.random.default_rng(0)
    n, v, k, groups = 3000, 600, 5, 40
    group = rng.integers(0, groups, n)  # customers of a group share its 15 words, plus noise
    rows, cols = [], []
    for i, g in enumerate(group):
        words = np.concatenate([rng.choice(15, 6, replace=False) + 15 * g, rng.choice(v, 4)])
        rows += [i] * len(words)
        cols += words.tolist()
    kw = sp.csr_matrix((rng.random(len(rows)) + 0.5, (rows, cols)), shape=(n, v))
    kw = sp.csr_matrix(kw.multiply(1 / np.sqrt(kw.multiply(kw).sum(axis=1))))
    topics = np.sqrt(rng.dirichlet(np.ones(k), n))
    ids = np.array([f"c{i:05d}" for i in range(n)], dtype=object)
    exact_folder, ann_folder = tmp_path / "exact", tmp_path / "ann"
    N.write_index(exact_folder, ids, kw, topics, 0.15)
    monkeypatch.setattr(N, "EXACT_LIMIT", 1000)
    monkeypatch.setattr(N, "PROJECTION_DIM", 64)
    N.write_index(ann_folder, ids, kw, topics, 0.15)
    exact, ann = N.NeighbourIndex(exact_folder), N.NeighbourIndex(ann_folder)
    assert ann.meta["ann"] and not exact.meta["ann"]
    agree = []
    for q in rng.choice(n, 50, replace=False):
        a, b = exact.vector([q]), ann.vector([q])
        top_e = [r for r, _ in exact.search(*a, 10, "mixed", exclude=[q])]
        top_a = [r for r, _ in ann.search(*b, 10, "mixed", exclude=[q])]
        agree.append(len(set(top_e) & set(top_a)) / 10)
    assert np.mean(agree) >= 0.9  # the graph is built on every core: not the same twice


def test_neighbours_merge_replaces_and_adds_rows(tmp_path):
    ids = np.array(["a", "c", "e"], dtype=object)
    kw = sp.csr_matrix(np.eye(3, 4))
    top = np.full((3, 2), np.sqrt(0.5))
    store_file = tmp_path / "profiles.duckdb"
    token = N.build_index(store_file, ids, kw, top, 0.2)
    old = N.NeighbourIndex(N.folder_for(store_file, token))
    new = N.merge_index(old, store_file, np.array(["c", "b"], dtype=object),
                        sp.csr_matrix(np.array([[0, 0, 0, 1.0], [1.0, 0, 0, 0]])), np.full((2, 2), np.sqrt(0.5)))
    merged = N.NeighbourIndex(N.folder_for(store_file, new))
    assert [x.decode() for x in merged.ids] == ["a", "b", "c", "e"]
    dense = merged.keywords.toarray()
    assert dense[merged.row("c")].tolist() == [0, 0, 0, 1.0]
    assert dense[merged.row("b")].tolist() == [1.0, 0, 0, 0]
    assert merged.row("zz") is None
    assert pd.Series([merged.row(x) for x in "abce"]).tolist() == [0, 1, 2, 3]


def test_neighbours_build_removes_what_killed_builds_left_and_spares_running_ones(workspace):
    import os
    import subprocess
    import sys

    path = store_path(workspace.model_dir("m"))
    path.parent.mkdir(parents=True, exist_ok=True)
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    orphans = [path.with_name(f".profiles.neighbours-{dead.pid}.building"),
               path.with_name(f".profiles.duckdb.{dead.pid}.building")]
    orphans[0].mkdir()
    (orphans[0] / "index.usearch").write_bytes(b"half")
    orphans[1].write_bytes(b"half a store")
    running = path.with_name(f".profiles.neighbours-{os.getppid()}.building")  # a live process's
    running.mkdir()
    write_store(path, make_tables(), {"model": "m"})
    assert not any(p.exists() for p in orphans)
    assert running.is_dir()
