"""The driver keeps what Spark hands back as arrays: keywords as a ``KeywordTable``, the fit's
training sample as an Arrow list array (no Spark session needed: these are the driver's own
conversions)."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

from textprofile.core.errors import StateError
from textprofile.profiles.keyword_table import KeywordTable
from textprofile.spark.profile import keyword_table
from textprofile.topics.vocab import Vocab

VOCAB = ("快递", "质量", "price", "好评", "物流")


def _lists(rows):
    terms = pa.array([None if r is None else [t for t, _ in r] for r in rows], type=pa.list_(pa.string()))
    scores = pa.array([None if r is None else [s for _, s in r] for r in rows], type=pa.list_(pa.float64()))
    return terms, scores


def test_keyword_table_equals_the_lists_it_replaces():
    rows = [[("质量", 0.5), ("快递", 0.25)], [], None, [("物流", 1.0)], [("price", 0.125), ("好评", 0.75), ("质量", 0.1)]]
    terms, scores = _lists([[("好评", 9.0)], *rows])  # sliced: offsets not starting at 0
    got = keyword_table(terms.slice(1), scores.slice(1), VOCAB)
    want = KeywordTable.from_lists([r or [] for r in rows], VOCAB)
    assert len(got) == len(rows)
    assert list(got) == list(want) == [r or [] for r in rows]
    assert np.array_equal(got.ptr, want.ptr) and np.array_equal(got.term, want.term)
    assert got.term.dtype == np.int32 and got.score.dtype == np.float64


def test_keyword_table_refuses_foreign_terms_and_ragged_scores():
    terms, scores = _lists([[("质量", 0.5), ("不在", 0.1)]])
    with pytest.raises(StateError, match="outside the model's vocabulary"):
        keyword_table(terms, scores, VOCAB)
    terms, _ = _lists([[("质量", 0.5), ("快递", 0.1)]])
    _, scores = _lists([[("质量", 0.5)]])
    with pytest.raises(StateError, match="differ in length"):
        keyword_table(terms, scores, VOCAB)


def test_vocab_encode_array_equals_encode_on_chunked_arrays():
    vocab = Vocab(terms=VOCAB, dfs=np.ones(5, dtype=np.int64), cfs=np.ones(5, dtype=np.int64), num_docs=3)
    docs = [["质量", "质量", "不在"], [], ["price", "物流", "快递", "price"], ["不在"]]
    chunked = pa.chunked_array([pa.array(docs[:1], type=pa.list_(pa.string())),
                                pa.array(docs[1:], type=pa.list_(pa.string()))])
    got, want = vocab.encode_array(chunked), vocab.encode(docs)
    assert got.dtype == want.dtype and got.shape == want.shape == (4, 5)
    assert (got != want).nnz == 0
    assert got[0, 1] == 2 and got[2, 2] == 2 and got[3].nnz == 0


def _customers_part(path, ids, k=2):
    import pyarrow.parquet as pq

    from textprofile.profiles.behaviour import BEHAVIOUR_COLUMNS

    arrow = {"BIGINT": pa.int64(), "TIMESTAMP": pa.int64(), "DOUBLE": pa.float64(), "VARCHAR": pa.string()}
    n = len(ids)
    cols = {"customer_id": pa.array(ids, type=pa.string())}
    for j, (c, t) in enumerate(BEHAVIOUR_COLUMNS.items()):
        values = [("zh" if t == "VARCHAR" else (1_700_000_000_000_000 + i if t == "TIMESTAMP" else i + j))
                  for i in range(n)]
        cols[c] = pa.array(values, type=arrow[t])
    cols["shares"] = pa.array([[i / 10, 1 - i / 10][:k] for i in range(n)], type=pa.list_(pa.float64()))
    cols["kw_terms"] = pa.array([VOCAB[i % 5:i % 5 + 2] for i in range(n)], type=pa.list_(pa.string()))
    cols["kw_scores"] = pa.array([[0.5, 0.25][:len(VOCAB[i % 5:i % 5 + 2])] for i in range(n)], type=pa.list_(pa.float64()))
    cols["vec_idx"] = pa.array([[i % 5] for i in range(n)], type=pa.list_(pa.int32()))
    cols["vec_val"] = pa.array([[1.0 + i] for i in range(n)], type=pa.list_(pa.float32()))
    pq.write_table(pa.table(cols), path)


def test_read_customers_reads_every_part_in_order(tmp_path):
    from textprofile.spark.profile import read_customers

    folder = tmp_path / "customers"
    folder.mkdir()
    _customers_part(folder / "part-00000.parquet", ["a", "b", "c"])
    _customers_part(folder / "part-00001.parquet", [])
    _customers_part(folder / "part-00002.parquet", ["d", "e"])
    (folder / "_SUCCESS").write_text("")
    beh, shares, keywords, vectors = read_customers(folder, 2, VOCAB)
    assert beh["customer_id"].tolist() == ["a", "b", "c", "d", "e"]
    assert beh["n_comments"].dtype == np.int64 and str(beh["first_seen"].dtype) == "datetime64[us]"
    assert shares.shape == (5, 2) and shares[4].tolist() == [0.1, 0.9]
    assert keywords[4] == [("质量", 0.5), ("price", 0.25)] and keywords[2] == [("price", 0.5), ("好评", 0.25)]
    assert keywords[3] == [("快递", 0.5), ("质量", 0.25)]
    assert vectors.shape == (5, 5) and vectors.dtype == np.float32
    assert vectors.toarray()[3].tolist() == [1.0, 0, 0, 0, 0] and vectors[2, 2] == 3.0


def test_read_customers_refuses_an_empty_dataset(tmp_path):
    from textprofile.spark.profile import read_customers

    folder = tmp_path / "customers"
    folder.mkdir()
    _customers_part(folder / "part-00000.parquet", [])
    with pytest.raises(StateError, match="no customer comments"):
        read_customers(folder, 2, VOCAB)


def _segments_part(path, ids, segs):
    import pyarrow.parquet as pq

    pq.write_table(pa.table({"customer_id": pa.array(ids, type=pa.string()), "segment": pa.array(segs, pa.int64())}),
                   path)


def test_customer_dataset_parts_are_read_customers_in_pieces_with_their_segments(tmp_path):
    """The store build's reader: any part size gives read_customers' rows; each customer's segment
    comes from the segments dataset, read beside it (its part files cut elsewhere)."""
    import pandas as pd
    import scipy.sparse as sp

    from textprofile.spark.profile import CustomerDataset, read_customers

    folder, segs = tmp_path / "customers", tmp_path / "segments"
    folder.mkdir()
    segs.mkdir()
    _customers_part(folder / "part-00000.parquet", ["a", "b", "c"])
    _customers_part(folder / "part-00001.parquet", ["d", "e"])
    _segments_part(segs / "part-00000.parquet", ["a"], [2])
    _segments_part(segs / "part-00001.parquet", ["b", "c", "d", "e"], [0, 1, 0, 2])
    beh, shares, keywords, vectors = read_customers(folder, 2, VOCAB)
    for rows in (1, 2, 100):
        ds = CustomerDataset(folder, 2, VOCAB, rows, segments=segs)
        parts = list(ds.parts())
        assert ds.n == 5 and len(parts) == (5 if rows == 1 else 3 if rows == 2 else 2)
        got = pd.concat([p[0] for p in parts], ignore_index=True)
        pd.testing.assert_frame_equal(got.drop(columns="segment"), beh)
        assert got["segment"].tolist() == [2, 0, 1, 0, 2]
        assert np.array_equal(np.vstack([p[1] for p in parts]), shares)
        assert [kw for p in parts for kw in p[2]] == list(keywords)
        assert (sp.vstack([p[3] for p in parts]) != vectors).nnz == 0
        assert ds.comments_used() == int(beh["n_comments"].sum()) and ds.index_sizes() == (5, 1)
        assert all(p[3] is None for p in ds.parts(vectors=False))
        s_shares, s_beh = ds.sample(np.array([1, 4]))
        assert s_beh["customer_id"].tolist() == ["b", "e"] and np.array_equal(s_shares, shares[[1, 4]])


def test_customer_dataset_refuses_segments_of_other_customers(tmp_path):
    from textprofile.spark.profile import CustomerDataset

    folder, segs = tmp_path / "customers", tmp_path / "segments"
    folder.mkdir()
    segs.mkdir()
    _customers_part(folder / "part-00000.parquet", ["a", "b", "c"])
    _segments_part(segs / "part-00000.parquet", ["a", "x", "c"], [0, 1, 0])
    with pytest.raises(StateError, match="does not match the customers dataset"):
        list(CustomerDataset(folder, 2, VOCAB, segments=segs).parts())
    _segments_part(segs / "part-00000.parquet", ["a", "b"], [0, 1])  # one missing
    with pytest.raises(StateError, match="does not match the customers dataset"):
        list(CustomerDataset(folder, 2, VOCAB, segments=segs).parts())
    _segments_part(segs / "part-00000.parquet", ["a", "b", "c", "d"], [0, 1, 0, 1])  # one more
    with pytest.raises(StateError, match="holds customers the customers dataset does not"):
        list(CustomerDataset(folder, 2, VOCAB, segments=segs).parts())
