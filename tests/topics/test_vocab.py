"""Vocabulary building and the compact bag-of-words encoding."""

from __future__ import annotations

import numpy as np
import pytest

from textprofile.core.errors import ConfigError, StateError
from textprofile.topics.vocab import Vocab, build_vocab, encode_tokens_file, iter_token_batches

DOCS = [["a", "b", "a"], ["a", "c"], ["a", "b"], ["d"], [], ["b", "c", "x"]]


def test_filter_extremes_bounds():
    v = build_vocab([DOCS], no_below=2, no_above=0.9)
    # a is in 3/5 non-empty docs (kept at 0.9), d and x in 1 doc (dropped)
    assert set(v.terms) == {"a", "b", "c"}
    assert v.num_docs == 5
    idx = v.index
    assert v.dfs[idx["a"]] == 3 and v.cfs[idx["a"]] == 4
    v2 = build_vocab([DOCS], no_below=1, no_above=0.5)
    assert "a" not in v2.terms and "d" in v2.terms


def test_encode_counts_and_drops_unknown_terms():
    v = build_vocab([DOCS], no_below=2, no_above=0.9)
    X = v.encode([["a", "a", "zzz", "c"], [], ["b"]])
    assert X.dtype == np.int32 and X.shape == (3, 3)
    dense = X.toarray()
    assert dense[0, v.index["a"]] == 2 and dense[0, v.index["c"]] == 1 and dense[1].sum() == 0


def test_batches_give_the_same_vocabulary_as_one_pass():
    one = build_vocab([DOCS], no_below=1, no_above=1.0)
    many = build_vocab([DOCS[:2], DOCS[2:4], DOCS[4:]], no_below=1, no_above=1.0)
    assert one.terms == many.terms and np.array_equal(one.dfs, many.dfs)


def test_tokens_file_roundtrip(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    ids = [f"id{i}" for i in range(len(DOCS))]
    pq.write_table(pa.table({"comment_id": ids, "lang": ["en"] * len(DOCS),
                             "tokens": pa.array(DOCS, pa.list_(pa.string()))}), tmp_path / "t.parquet")
    v = build_vocab(iter_token_batches(tmp_path / "t.parquet", batch_rows=2), no_below=1, no_above=1.0)
    cids, X = encode_tokens_file(tmp_path / "t.parquet", v, batch_rows=4)
    assert cids.tolist() == ids
    assert (X != v.encode(DOCS)).nnz == 0
    v.save(tmp_path / "v.json")
    back = Vocab.load(tmp_path / "v.json")
    assert back.terms == v.terms and np.array_equal(back.cfs, v.cfs)
    g = back.to_gensim()
    assert g.token2id == back.index and g.dfs[back.index["a"]] == 3


def test_tokens_file_nonempty_leaves_out_rows_without_a_known_term(tmp_path):
    """``nonempty``: the same rows as filtering afterwards, and the mask of the rows kept."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    docs = DOCS + [["zzz"], ["a"]]  # "d" and "x" are dropped by no_below=2: rows 3, 4, 6 are empty
    ids = [f"id{i}" for i in range(len(docs))]
    pq.write_table(pa.table({"comment_id": ids, "tokens": pa.array(docs, pa.list_(pa.string()))}),
                   tmp_path / "t.parquet")
    v = build_vocab([docs], no_below=2, no_above=1.0)
    _, X = encode_tokens_file(tmp_path / "t.parquet", v, batch_rows=3)
    cids, Xk, kept = encode_tokens_file(tmp_path / "t.parquet", v, batch_rows=3, nonempty=True)
    assert kept.tolist() == [True, True, True, False, False, True, False, True]
    assert cids.to_pylist() == [i for i, k in zip(ids, kept) if k]
    assert (Xk != X[kept]).nnz == 0 and Xk.shape == (5, len(v))
    assert Xk.dtype == np.int32 and Xk.indices.dtype == np.int32


def test_errors():
    with pytest.raises(ConfigError):
        build_vocab([DOCS], no_below=0)
    with pytest.raises(StateError, match="no tokens"):
        build_vocab([[[], []]])
    with pytest.raises(StateError, match="no-below"):
        build_vocab([DOCS], no_below=10)


@pytest.mark.parametrize("no_below,no_above,keep_n", [(1, 1.0, None), (2, 0.5, None), (1, 0.6, 3), (2, 1.0, 2)])
def test_same_terms_as_gensim_filter_extremes(no_below, no_above, keep_n):
    from gensim.corpora import Dictionary

    rng = np.random.default_rng(1)
    words = [f"w{i}" for i in range(30)]
    docs = [list(rng.choice(words, size=int(rng.integers(1, 8)), p=np.arange(30, 0, -1) / 465)) for _ in range(60)]
    g = Dictionary(docs)
    g.filter_extremes(no_below=no_below, no_above=no_above, keep_n=keep_n)
    ours = build_vocab([docs], no_below=no_below, no_above=no_above, keep_n=keep_n)
    assert set(ours.terms) == set(g.token2id)
    assert all(ours.dfs[i] == g.dfs[g.token2id[t]] for i, t in enumerate(ours.terms))
