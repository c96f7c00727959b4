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


def test_store_built_in_parts_matches_the_local_one(profiled):
    """The driver read the customers in parts of 7 and wrote the index in posting blocks of 50
    (the fixture): the neighbour index is the local one byte for byte (its token hashes its files),
    the cards and segments are the local ones, the segment centres equal to rounding."""
    import json

    ws, ws2, _, remote = profiled
    meta = [dict(zip(*store_frame(w, "loc", "SELECT key, value FROM meta ORDER BY key").to_dict("list").values(),
                     strict=True)) for w in (ws, ws2)]
    assert meta[0]["neighbours"] and meta[0]["neighbours"] == meta[1]["neighbours"]
    assert remote["customers"] > 5 * 7  # many parts
    assert not (ws2.model_dir("loc") / "profiles.parquet" / "segments").exists()  # the build's own, removed
    for sql in ("SELECT * FROM cards ORDER BY customer_id", "SELECT * FROM segments ORDER BY segment_id"):
        pd.testing.assert_frame_equal(store_frame(ws, "loc", sql), store_frame(ws2, "loc", sql))
    a, b = (json.loads(m["segment_model"]) for m in meta)
    assert a["features"] == b["features"] and a["k_scores"] == b["k_scores"] and a["silhouette"] == b["silhouette"]
    assert np.abs(np.array(a["centers"]) - np.array(b["centers"])).max() <= 1e-12


def test_saved_score_is_reapplied_part_by_part(profiled, spark, tmp_path):
    """A saved score re-applied by the parts build: the same scores rows (one per customer) and
    store whether the driver reads the customers 7 at a time or all at once."""
    import shutil

    from textprofile.core.config import ProfileConfig
    from textprofile.core.workspace import Workspace
    from textprofile.pipeline.profile import store_profile_parts
    from textprofile.pipeline.score import train_score
    from textprofile.spark.profile import CustomerDataset
    from textprofile.spark.segments import segment_customers
    from textprofile.topics.fitted import PROFILES_DIR, load_model

    _, ws2, _, remote = profiled
    shutil.copytree(ws2.root, tmp_path / "ws")
    ws = Workspace.resolve(tmp_path / "ws")
    t0 = store_frame(ws, "loc", "SELECT customer_id, share FROM interests WHERE topic_id = 0 ORDER BY customer_id")
    t0.assign(label=(t0["share"] > t0["share"].median()).astype(int)).drop(columns="share").to_csv(
        tmp_path / "labels.csv", index=False)  # half and half
    train_score("loc", tmp_path / "labels.csv", score="likes_top", ws=ws)
    fm = load_model(ws, "loc")
    customers, labels = ws.model_dir("loc") / PROFILES_DIR / "customers", tmp_path / "segments"
    seg_model, segments = segment_customers(spark, customers, fm.k, fm.vocab, 0, labels, list(range(fm.k)), {})
    built = []
    for rows in (7, 10**6):
        result = store_profile_parts("loc", ws, fm, ProfileConfig(), None,
                                     CustomerDataset(customers, fm.k, fm.vocab, rows, segments=labels),
                                     seg_model, segments, comments_rows=1, step=lambda *a: None)
        assert result["scores"] == ["likes_top"] and result["customers"] == remote["customers"]
        built.append([store_frame(ws, "loc", f"SELECT * FROM {t} ORDER BY ALL")
                      for t in ("scores", "cards", "customers", "segments")])
    assert len(built[0][0]) == remote["customers"]
    for a, b in zip(*built, strict=True):
        pd.testing.assert_frame_equal(a, b)


def test_one_segment_when_there_is_nothing_to_cluster(profiled, spark, tmp_path):
    """No centres (too few distinct customers): everyone in segment 0, its centre the mean of
    everyone's features, as ``fit_segments`` makes it."""
    from textprofile.profiles.segments import _features, _raw_behaviour
    from textprofile.spark.profile import read_customers
    from textprofile.spark.segments import assign, scaling_model
    from textprofile.topics.fitted import PROFILES_DIR, load_model

    _, ws2, _, remote = profiled
    fm = load_model(ws2, "loc")
    customers = ws2.model_dir("loc") / PROFILES_DIR / "customers"
    model = scaling_model(spark, customers, fm.k)
    table = assign(spark, customers, model, None, tmp_path / "segments", list(range(fm.k)), {})
    assert table["size"].tolist() == [remote["customers"]]
    beh, shares, _, _ = read_customers(customers, fm.k, fm.vocab)
    cols, raw = _raw_behaviour(beh)
    F = _features(shares, raw[:, [cols.index(c) for c in model.features]], model)
    assert np.abs(np.array(model.centers[0]) - F.mean(axis=0)).max() < 1e-12
    seg = pq.read_table(tmp_path / "segments").to_pandas()
    assert list(seg["customer_id"]) == sorted(beh["customer_id"]) and (seg["segment"] == 0).all()
