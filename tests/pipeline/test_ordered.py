"""Per-bucket tables joined straight into customer order are the tables concat-then-take gives."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from textprofile.pipeline import ordered
from textprofile.profiles.keyword_table import KeywordTable


def _parts(sizes=(4, 0, 7, 3), seed=5):
    """Per-bucket customer ids (each bucket in its own order) and their position in sorted order."""
    rng = np.random.default_rng(seed)
    ids = rng.permutation([f"c{i:03d}" for i in range(sum(sizes))]).astype(object)
    keys = np.split(ids, np.cumsum(sizes)[:-1])
    order = np.argsort(np.concatenate(keys), kind="stable")
    return keys, order, rng


def test_destinations_invert_the_stable_sort():
    keys, order, _ = _parts()
    dest = ordered.destinations(keys)
    assert np.array_equal(dest[order], np.arange(len(order)))


def test_frames_join_into_order_with_their_dtypes():
    keys, order, rng = _parts()
    frames = []
    for k in keys:
        n = len(k)
        frames.append(pd.DataFrame({
            "customer_id": k,
            "n_comments": rng.integers(1, 9, n).astype(np.int64),
            "rating_mean": np.where(rng.random(n) < 0.3, np.nan, rng.random(n)),
            "first_seen": pd.to_datetime(rng.integers(1.6e9, 1.7e9, n), unit="s", utc=True),
            "last_seen": pd.Series(pd.to_datetime(rng.integers(1.6e9, 1.7e9, n), unit="s")).where(
                rng.random(n) < 0.7).dt.tz_localize("UTC").astype("datetime64[us, UTC]"),
            "channels": pd.Series(rng.integers(0, 3, n)).astype("Int64").where(rng.random(n) < 0.8),
            "flag": rng.random(n) < 0.5,
        }))
    expected = pd.concat(frames, ignore_index=True).iloc[order].reset_index(drop=True)
    parts = list(frames)
    got = ordered.frame(parts, ordered.destinations(keys))
    pd.testing.assert_frame_equal(got, expected, check_exact=True)
    assert parts == [None] * len(frames)  # every part freed once placed


def test_dense_and_csr_join_into_order():
    keys, order, rng = _parts()
    blocks = [rng.random((len(k), 3)) for k in keys]
    mats = [sp.csr_matrix(rng.random((len(k), 9)) * (rng.random((len(k), 9)) < 0.4), dtype=np.float32) for k in keys]
    dest = ordered.destinations(keys)
    assert np.array_equal(ordered.dense(list(blocks), dest), np.vstack(blocks)[order])
    got = ordered.csr(list(mats), dest)
    want = sp.vstack(mats, format="csr")[order]
    assert got.shape == want.shape and got.dtype == want.dtype and got.indices.dtype == want.indices.dtype
    for a, b in ((got.indptr, want.indptr), (got.indices, want.indices), (got.data, want.data)):
        assert np.array_equal(a, b)


def test_keyword_tables_join_into_order():
    keys, order, rng = _parts()
    vocab = [f"w{i}" for i in range(12)]
    tables = [KeywordTable.from_lists([[(vocab[t], float(rng.random())) for t in rng.choice(12, rng.integers(0, 4), replace=False)]
                                       for _ in k], vocab) for k in keys]
    ptr, (term, score) = ordered.ragged(list(tables), ordered.destinations(keys), lambda t: (t.ptr, [t.term, t.score]))
    want = KeywordTable.from_lists([row for t in tables for row in t], vocab).take(order)
    assert list(KeywordTable(vocab, ptr, term, score)) == list(want)
    assert np.array_equal(ptr, want.ptr) and term.dtype == want.term.dtype and score.dtype == want.score.dtype


@pytest.mark.parametrize("sizes", [(1,), (5,), (0, 3)])
def test_one_part_and_empty_parts(sizes):
    keys, order, rng = _parts(sizes)
    mats = [sp.csr_matrix(rng.random((len(k), 4)), dtype=np.float32) for k in keys]
    got = ordered.csr(list(mats), ordered.destinations(keys))
    assert np.array_equal(got.toarray(), sp.vstack(mats).toarray()[order] if len(order) else np.zeros((0, 4)))
