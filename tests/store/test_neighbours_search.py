"""The neighbour index: known neighbours on a tiny store, exact scores, crash safety, posting lists."""

from __future__ import annotations

from itertools import pairwise

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from test_profile_store import keyword_matrix, make_tables

from textprofile.core.errors import ConfigError
from textprofile.store import neighbour_files as W
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


def _grouped(n: int = 3000, v: int = 600, k: int = 5, groups: int = 40, seed: int = 0):
    """Customers in groups that share 15 words (6 each, plus 4 from anywhere) and 3 of 10 common
    words that weigh little (as idf^1.5 makes them), unit vectors."""
    rng = np.random.default_rng(seed)
    group = rng.integers(0, groups, n)
    rows, cols, vals = [], [], []
    for i, g in enumerate(group):
        words = np.concatenate([rng.choice(15, 6, replace=False) + 15 * g, rng.choice(v - 10, 4)])
        common = v - 10 + rng.choice(10, 3, replace=False)
        rows += [i] * (len(words) + 3)
        cols += words.tolist() + common.tolist()
        vals += (rng.random(len(words)) + 0.5).tolist() + [0.15] * 3
    kw = sp.csr_matrix((vals, (rows, cols)), shape=(n, v))
    kw = sp.csr_matrix(kw.multiply(1 / np.sqrt(kw.multiply(kw).sum(axis=1))))
    topics = np.sqrt(rng.dirichlet(np.ones(k), n))
    ids = np.array([f"c{i:05d}" for i in range(n)], dtype=object)
    return ids, kw, topics


def _exact_top(index, q, n=10):
    kw, tp = index.vector([q])
    s = (1 - 0.15) * (index.keywords @ kw) + 0.15 * (np.asarray(index.topics, dtype=np.float64) @ tp)
    s[q] = -np.inf
    return s, [int(r) for r in np.lexsort((np.arange(len(s)), -s))[:n]]


def test_neighbours_posting_lists_give_the_exact_answer(tmp_path):
    """Within the budget a search sums the query terms' posting lists: the exact top ten."""
    ids, kw, topics = _grouped()
    W.write_index(tmp_path / "i", ids, kw, topics, 0.15)
    index = N.NeighbourIndex(tmp_path / "i")
    for q in range(0, 3000, 60):
        s, top = _exact_top(index, q)
        assert index._candidates(*index.vector([q]), "mixed", 1000) is None
        got = index.search(*index.vector([q]), 10, "mixed", exclude=[q])
        assert [r for r, _ in got] == top
        assert [sc for _, sc in got] == pytest.approx(s[top].tolist(), abs=1e-6)
        kv = index.vector([q])[0]
        assert index._posting_scores(kv, np.flatnonzero(kv)).tobytes() == (index.keywords @ kv).tobytes()


def test_neighbours_over_budget_candidates_keep_the_true_neighbours(tmp_path, monkeypatch):
    """Past the posting budget the candidates come from the query's weightiest terms and are
    re-scored exactly; on grouped customers they still hold the exact top ten."""
    ids, kw, topics = _grouped()
    W.write_index(tmp_path / "i", ids, kw, topics, 0.15)
    index = N.NeighbourIndex(tmp_path / "i")
    monkeypatch.setattr(N, "POSTINGS_BUDGET", 400)  # a common word's list (~900) never fits
    monkeypatch.setattr(N, "CANDIDATES", 100)
    found = []
    for q in range(0, 3000, 60):
        assert index._candidates(*index.vector([q]), "mixed", 100) is not None  # the budget path
        s, top = _exact_top(index, q)
        got = index.search(*index.vector([q]), 10, "mixed", exclude=[q])
        assert q not in [r for r, _ in got]
        assert [sc for _, sc in got] == pytest.approx(s[[r for r, _ in got]].tolist(), abs=1e-6)  # exact scores
        found.append(len({r for r, _ in got} & set(top)) / 10)
    assert np.mean(found) >= 0.95
    again = [index.search(*index.vector([q]), 10, "mixed", exclude=[q]) for q in (0, 60)]
    assert again == [index.search(*index.vector([q]), 10, "mixed", exclude=[q]) for q in (0, 60)]


def test_neighbours_index_without_posting_lists_is_searched_exactly(tmp_path):
    """A folder written before the posting lists existed (format 1) still answers, exactly."""
    import json

    ids, kw, topics = _grouped(n=500)
    W.write_index(tmp_path / "i", ids, kw, topics, 0.15)
    for name in ("post_indptr.npy", "post_rows.npy", "post_data.npy", "post_max.npy"):
        (tmp_path / "i" / name).unlink()
    meta = json.loads((tmp_path / "i" / "meta.json").read_text())
    del meta["format"]
    (tmp_path / "i" / "meta.json").write_text(json.dumps(meta))
    index = N.NeighbourIndex(tmp_path / "i")
    for q in (0, 7, 499):
        assert [r for r, _ in index.search(*index.vector([q]), 10, "mixed", exclude=[q])] == _exact_top(index, q)[1]


def test_neighbours_ties_go_to_the_lower_row_at_the_cut():
    s = np.array([0.5, 0.9, 0.5, 0.5, -np.inf, 0.5])
    assert N._best(s, 3).tolist() == [1, 0, 2]
    assert N._best(s, 10).tolist() == [1, 0, 2, 3, 5]  # never an excluded (-inf) row
    assert N._best(s, 2, rows=np.array([10, 11, 12, 13, 14, 15])).tolist() == [1, 0]


def test_neighbours_merge_replaces_and_adds_rows(tmp_path):
    ids = np.array(["a", "c", "e"], dtype=object)
    kw = sp.csr_matrix(np.eye(3, 4))
    top = np.full((3, 2), np.sqrt(0.5))
    store_file = tmp_path / "profiles.duckdb"
    token = W.build_index(store_file, ids, kw, top, 0.2)
    old = N.NeighbourIndex(N.folder_for(store_file, token))
    new = W.merge_index(old, store_file, np.array(["c", "b"], dtype=object),
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
    (orphans[0] / "post_rows.npy").write_bytes(b"half")
    orphans[1].write_bytes(b"half a store")
    running = path.with_name(f".profiles.neighbours-{os.getppid()}.building")  # a live process's
    running.mkdir()
    write_store(path, make_tables(), {"model": "m"})
    assert not any(p.exists() for p in orphans)
    assert running.is_dir()


@pytest.mark.parametrize("block", [1, 7, 50, 10**9])
def test_neighbours_posting_lists_written_by_blocks_are_the_bytes_of_a_by_term_copy(tmp_path, monkeypatch, block):
    """The posting lists are written a block of terms at a time; the files are the bytes np.save
    gives of scipy's by-term (CSC) copy, whatever the block: one term larger than a block, empty
    terms (the last ones included) and empty rows."""
    import io

    rng = np.random.default_rng(3)
    dense = rng.random((60, 40)) * (rng.random((60, 40)) < 0.2)
    dense[:, 5] = rng.random(60) + 0.1  # a term in every row: more entries than most blocks
    dense[:, 30:] = 0.0  # empty terms at the end
    dense[10] = 0.0  # an empty row
    kw = sp.csr_matrix(dense, dtype=np.float32)
    monkeypatch.setattr(W, "POSTING_BLOCK", block)
    W.write_index(tmp_path / "i", [f"c{i:03d}" for i in range(60)], kw, np.zeros((60, 3)), 0.15)
    by_term = kw.tocsc()
    by_term.sort_indices()
    top = np.zeros(40, dtype=np.float32)
    top[:30] = dense[:, :30].max(axis=0)
    expected = {"post_indptr.npy": by_term.indptr.astype(np.int64), "post_rows.npy": by_term.indices.astype(np.int32),
                "post_data.npy": by_term.data.astype(np.float32), "post_max.npy": top}
    for name, arr in expected.items():
        buf = io.BytesIO()
        np.save(buf, arr, allow_pickle=False)
        assert (tmp_path / "i" / name).read_bytes() == buf.getvalue(), name


def test_neighbours_index_of_no_customers_is_written_and_opened(tmp_path):
    W.write_index(tmp_path / "i", [], sp.csr_matrix((0, 12), dtype=np.float32), np.zeros((0, 3)), 0.15)
    index = N.NeighbourIndex(tmp_path / "i")
    assert len(index.ids) == 0 and len(index._post[1]) == 0 and index._post[3].tolist() == [0.0] * 12


@pytest.mark.parametrize("cuts", [[0, 3000], [0, 1, 700, 700, 2999, 3000]])
def test_neighbours_index_written_in_parts_is_the_same_files(tmp_path, monkeypatch, cuts):
    """``write_index_parts`` (rows a part at a time, posting lists from the row files, in blocks)
    writes the bytes ``write_index`` writes, and the posting lists are ``tocsc``'s arrays."""
    import io

    ids, kw, topics = _grouped()
    kw = sp.csr_matrix(kw, dtype=np.float32)
    W.write_index(tmp_path / "whole", ids, kw, topics, 0.15)
    monkeypatch.setattr(W, "POSTING_BLOCK", 997)  # many term blocks, entries read in many pieces
    width = max(len(i.encode()) for i in ids)
    parts = W.IndexParts(len(ids), kw.nnz, width, kw.shape[1], topics.shape[1],
                         lambda: ((ids[a:b], kw[a:b], topics[a:b]) for a, b in pairwise(cuts)))
    W.write_index_parts(tmp_path / "parts", parts, 0.15)
    names = sorted(p.name for p in (tmp_path / "whole").iterdir())
    assert names == sorted(p.name for p in (tmp_path / "parts").iterdir())
    for name in names:
        assert (tmp_path / "parts" / name).read_bytes() == (tmp_path / "whole" / name).read_bytes(), name
    csc = kw.tocsc()
    csc.sort_indices()
    for name, arr in (("post_indptr", csc.indptr.astype(np.int64)), ("post_rows", csc.indices),
                      ("post_data", csc.data)):
        buf = io.BytesIO()
        np.save(buf, arr, allow_pickle=False)
        assert (tmp_path / "parts" / f"{name}.npy").read_bytes() == buf.getvalue(), name
