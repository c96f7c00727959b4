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
