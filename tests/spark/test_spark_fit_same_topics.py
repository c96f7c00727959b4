"""``fit --backend spark``: the local fit's topics on the same tokens; one seed, one model on any partitioning."""

from __future__ import annotations

import json

import numpy as np

from textprofile.core.config import FitConfig


def _topic_word(ws, name: str) -> np.ndarray:
    return np.load(ws.model_dir(name) / "topic_word.npy", allow_pickle=False)


def test_spark_fit_has_the_local_vocabulary_and_counts(loaded, profiled):
    """Same terms, document and collection frequencies as the local fit's vocabulary.

    Term ids differ: Spark numbers terms by first appearance in corpus order, the local
    ``build_vocab`` in the order pyarrow's group_by returns them batch by batch (not strictly
    first appearance), so the two models are not bit-identical.
    """
    from textprofile.pipeline import spark as on_spark

    ws = loaded[0]  # 'loc' was fitted locally (topics=6, seed=0) by the profiled fixture
    result = on_spark.fit("spk", FitConfig(topics=6, seed=0), ws)
    assert result["backend"] == "spark" and result["sample"]["method"] == "all rows, corpus order"
    local = json.loads((ws.model_dir("loc") / "vocab.json").read_text(encoding="utf-8"))
    remote = json.loads((ws.model_dir("spk") / "vocab.json").read_text(encoding="utf-8"))

    def by_term(v):
        return {t: (d, c) for t, d, c in zip(v["terms"], v["dfs"], v["cfs"], strict=True)}

    assert by_term(remote) == by_term(local) and remote["num_docs"] == local["num_docs"]
    assert result["n_comments"] == json.loads((ws.model_dir("loc") / "manifest.json").read_text())["corpus"]["comments"]
    idf_l = dict(zip(local["terms"], np.load(ws.model_dir("loc") / "tfidf" / "idf.npy"), strict=True))
    idf_r = dict(zip(remote["terms"], np.load(ws.model_dir("spk") / "tfidf" / "idf.npy"), strict=True))
    assert idf_r == idf_l  # the idf from Spark's document counts is the local one, term by term


def test_two_sampled_spark_fits_same_seed_same_topics_on_other_partitions(loaded, spark):
    from textprofile.pipeline import spark as on_spark

    ws = loaded[0]
    first = on_spark.fit("spk", FitConfig(topics=6, seed=3, sample=300), ws)
    tw = _topic_word(ws, "spk")
    old = spark.conf.get("spark.sql.shuffle.partitions")
    spark.conf.set("spark.sql.shuffle.partitions", "5")
    try:
        second = on_spark.fit("spk", FitConfig(topics=6, seed=3, sample=300), ws)
    finally:
        spark.conf.set("spark.sql.shuffle.partitions", old)
    assert first["sample"]["trained"] == 300 and first["sample"]["method"].startswith("blake2b")
    assert np.array_equal(tw, _topic_word(ws, "spk"))
    assert first["topics"] == second["topics"]
