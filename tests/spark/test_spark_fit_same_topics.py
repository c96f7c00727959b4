"""``fit --backend spark``: the local fit's vocabulary; one seed, one model on any partitioning."""

from __future__ import annotations

import json
import shutil

import numpy as np

from textprofile.core.config import FitConfig


def _topic_word(ws, name: str) -> np.ndarray:
    return np.load(ws.model_dir(name) / "topic_word.npy", allow_pickle=False)


def test_spark_fit_has_the_local_vocabulary_and_counts(loaded, profiled, run_fit):
    """The sampled Spark fit of 'spk' (``run --backend spark``) against the local fit of 'loc'.

    Same terms, document and collection frequencies and idf. Term ids differ: Spark numbers
    terms by first appearance in corpus order, the local ``build_vocab`` in the order pyarrow's
    group_by returns them batch by batch (not strictly first appearance), so the two models are
    not bit-identical.
    """
    ws, result = loaded[0], loaded[4]["fit"]
    assert result["backend"] == "spark"
    assert result["sample"]["trained"] == run_fit["sample"] and result["sample"]["method"].startswith("blake2b")
    local = json.loads((ws.model_dir("loc") / "vocab.json").read_text(encoding="utf-8"))
    remote = json.loads((ws.model_dir("spk") / "vocab.json").read_text(encoding="utf-8"))

    def by_term(v):
        return {t: (d, c) for t, d, c in zip(v["terms"], v["dfs"], v["cfs"], strict=True)}

    assert by_term(remote) == by_term(local) and remote["num_docs"] == local["num_docs"]
    local_manifest = json.loads((ws.model_dir("loc") / "manifest.json").read_text(encoding="utf-8"))
    assert result["n_comments"] == local_manifest["corpus"]["comments"]
    assert result["sample"]["rows"] == local_manifest["sample"]["rows"]  # the same eligible comments
    idf_l = dict(zip(local["terms"], np.load(ws.model_dir("loc") / "tfidf" / "idf.npy"), strict=True))
    idf_r = dict(zip(remote["terms"], np.load(ws.model_dir("spk") / "tfidf" / "idf.npy"), strict=True))
    assert idf_r == idf_l


def test_two_spark_fits_same_seed_same_topics_on_other_partitions(loaded, spark, run_fit):
    """The run's fit (2 shuffle partitions) and a refit of a copy of its corpus on 5: the same model."""
    from textprofile.pipeline import spark as on_spark

    ws, first = loaded[0], loaded[4]["fit"]
    shutil.copytree(ws.corpus_dir("spk"), ws.corpus_dir("spk_again"), dirs_exist_ok=True)
    old = spark.conf.get("spark.sql.shuffle.partitions")
    spark.conf.set("spark.sql.shuffle.partitions", "5")
    try:
        second = on_spark.fit("spk_again", FitConfig(**run_fit), ws)
    finally:
        spark.conf.set("spark.sql.shuffle.partitions", old)
    assert np.array_equal(_topic_word(ws, "spk"), _topic_word(ws, "spk_again"))
    assert first["topics"] == json.loads(json.dumps(second["topics"]))
