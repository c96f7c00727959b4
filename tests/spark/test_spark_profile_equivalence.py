"""``profile build --backend spark`` on a model fitted locally gives the local profiles."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
from profile_corpus import store_frame


def test_every_comment_mixture_within_1e9(profiled):
    ws, ws2, _, _ = profiled
    local = pq.read_table(ws.model_dir("loc") / "doc_topics.parquet").to_pandas()
    remote = pq.read_table(ws2.model_dir("loc") / "profiles.parquet" / "comment_topics").to_pandas()
    assert list(remote["comment_id"]) == list(local["comment_id"])  # same comments, corpus order
    assert (remote["n_tokens"].to_numpy() == local["n_tokens"].to_numpy()).all()
    cols = [c for c in local.columns if c.startswith("topic_")]
    assert np.abs(remote[cols].to_numpy(np.float64) - local[cols].to_numpy(np.float64)).max() <= 1e-9


def test_interest_shares_within_1e6_and_tables_equal(profiled):
    ws, ws2, local, remote = profiled
    a = store_frame(ws, "loc", "SELECT customer_id, topic_id, share FROM interests ORDER BY customer_id, topic_id")
    b = store_frame(ws2, "loc", "SELECT customer_id, topic_id, share FROM interests ORDER BY customer_id, topic_id")
    assert list(a["customer_id"]) == list(b["customer_id"]) and len(a) > 0
    assert np.abs(a["share"].to_numpy() - b["share"].to_numpy()).max() <= 1e-6
    for sql in ("SELECT * FROM customers ORDER BY customer_id",
                "SELECT customer_id, term, rank FROM keywords ORDER BY customer_id, rank"):
        pd.testing.assert_frame_equal(store_frame(ws, "loc", sql), store_frame(ws2, "loc", sql), check_exact=False, rtol=0, atol=1e-6)
    same = ("customers", "comments_used", "method", "as_of", "topics", "segments")
    assert {k: remote[k] for k in same} == {k: local[k] for k in same}
    assert remote["backend"] == "spark"


def test_store_from_spark_serves_lookups(profiled):
    from textprofile.store.profile_store import ProfileStore

    ws, ws2, _, _ = profiled
    cid = store_frame(ws, "loc", "SELECT customer_id FROM customers ORDER BY customer_id LIMIT 1")["customer_id"][0]
    with_spark = ProfileStore.open(ws2, "loc")
    local = ProfileStore.open(ws, "loc")
    a, b = local.get(cid), with_spark.get(cid)
    assert [i["topic_id"] for i in a["interests"]] == [i["topic_id"] for i in b["interests"]]
    assert [n["customer_id"] for n in local.similar(cid, 5)] == [n["customer_id"] for n in with_spark.similar(cid, 5)]
