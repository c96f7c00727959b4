"""Fold-in on two threads gives the same bytes as on one (chunks are computed alone)."""

from __future__ import annotations

import numpy as np
from scipy import sparse

from textprofile.topics import base


def test_two_workers_same_bytes_as_one(monkeypatch):
    rng = np.random.default_rng(4)
    n, V, K = 3_000, 400, 6
    X = sparse.random(n, V, density=0.02, random_state=1, format="csr", data_rvs=lambda k: rng.integers(1, 4, k))
    X = X.tolil()
    X[5] = 0  # an empty row
    X = sparse.csr_matrix(X, dtype=np.int32)
    tw = rng.dirichlet(np.full(V, 0.2), K)
    alpha = np.full(K, 0.3)
    monkeypatch.setattr(base, "_CHUNK_NNZ", 1_000)  # many chunks on a small matrix
    one = base.fold_in(X, tw, alpha, workers=1)
    two = base.fold_in(X, tw, alpha, workers=2)
    assert one.tobytes() == two.tobytes()
    assert np.allclose(one.sum(axis=1), 1.0) and np.allclose(one[5], alpha / alpha.sum())
