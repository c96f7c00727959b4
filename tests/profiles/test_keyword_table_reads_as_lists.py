"""KeywordTable: the columns profile build keeps keywords in read back as the lists they replace."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from textprofile.profiles.keyword_table import KeywordTable

TERMS = ["退货", "quality", "快递", "包装", "price"]
ROWS = [[("退货", 0.9), ("quality", 0.5)], [], [("price", 0.333333)], [("快递", 0.7), ("包装", 0.7), ("price", 0.1)]]


def test_rows_and_take_equal_the_lists():
    t = KeywordTable.from_lists(ROWS, TERMS)
    assert len(t) == 4 and list(t) == ROWS and t[-1] == ROWS[-1] and t[1:3] == ROWS[1:3]
    order = np.array([3, 1, 0, 2, 0])
    assert list(t.take(order)) == [ROWS[i] for i in order]


def test_arrow_columns_equal_the_store_builders_list_path():
    lengths, terms, scores = KeywordTable.from_lists(ROWS, TERMS).arrow_columns()
    assert lengths.tolist() == [len(r) for r in ROWS]
    assert terms.equals(pa.array([w for r in ROWS for w, _ in r], type=pa.string()))
    assert scores.equals(pa.array([s for r in ROWS for _, s in r], type=pa.float64()))
