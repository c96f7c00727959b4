"""``fit --backend spark``: the vocabulary counted by Spark, the training sample brought to the driver.

The vocabulary is gensim's ``filter_extremes`` over the customers' comments, counted by Spark
(document and collection frequency of every term, and where it first appears in corpus order,
which gives term ids the local ``build_vocab`` gives). The engine's training rows are those of
``topics.sample``: every customer comment with an in-vocabulary token, in corpus order, when
there are at most ``FitConfig.sample``; else the ``sample`` smallest ``blake2b(comment_id, seed)``
keys (ties by id), in key order. Only those token lists reach the driver. The topics' shares of
the customers' tokens are then summed by Spark with the trained topic-word matrix (fold-in).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from textprofile.core.config import FitConfig
from textprofile.core.errors import StateError


def corpus_rows(spark: Any, corpus_dir: Path) -> Any:
    """tokens joined to comments' ``is_customer`` (null counts as the customer's, as locally), ordered."""
    from pyspark.sql import functions as F

    from textprofile.spark.datasets import FILE_COL, ROW_COL, read_ordered, uri

    tokens = read_ordered(spark, corpus_dir / "tokens.parquet", ["comment_id", "tokens"])
    comments = spark.read.parquet(uri(corpus_dir / "comments.parquet")).select("comment_id", "is_customer")
    return (tokens.join(comments, "comment_id", "left")
            .select("comment_id", F.coalesce("tokens", F.array().cast("array<string>")).alias("tokens"),
                    F.coalesce("is_customer", F.lit(True)).alias("authored"), FILE_COL, ROW_COL))


def count_vocab(rows: Any, config: FitConfig):
    """The model vocabulary (``topics.vocab.Vocab``) from the customers' comments, counted by Spark."""
    from pyspark.sql import functions as F

    from textprofile.spark.datasets import FILE_COL, ROW_COL
    from textprofile.topics.vocab import Vocab, filter_extremes

    own = rows.filter(F.col("authored"))
    n_docs = own.filter(F.size("tokens") > 0).count()
    per_doc = (own.select(FILE_COL, ROW_COL, F.posexplode("tokens").alias("pos", "term"))
               .filter(F.col("term").isNotNull())
               .groupBy("term", FILE_COL, ROW_COL).agg(F.count(F.lit(1)).alias("c"), F.min("pos").alias("p")))
    terms = (per_doc.groupBy("term").agg(F.sum("c").alias("cf"), F.count(F.lit(1)).alias("df"),
                                           F.min(F.struct(FILE_COL, ROW_COL, "p")).alias("first"))
             .filter((F.col("df") >= config.no_below) & (F.col("df") <= int(config.no_above * n_docs)))
             .orderBy("first").select("term", "cf", "df").toArrow())
    if terms.num_rows == 0:
        raise StateError(f"no term is in at least {config.no_below} and at most {config.no_above:.0%} of the "
                         f"{n_docs} documents — lower --no-below or raise --no-above")
    dfs = terms.column("df").to_numpy().astype(np.int64)
    cfs = terms.column("cf").to_numpy().astype(np.int64)
    keep = filter_extremes(dfs, n_docs, config.no_below, config.no_above, config.keep_n)
    words = np.asarray(terms.column("term").to_pylist(), dtype=object)
    return Vocab(terms=tuple(words[keep].tolist()), dfs=dfs[keep], cfs=cfs[keep], num_docs=int(n_docs))


def _key_task(terms: tuple[str, ...], seed: int):
    def run(batches):
        import pandas as pd
        import pyarrow as pa

        from textprofile.profiles.interests import encode_lists
        from textprofile.topics.sample import sample_keys

        value_set = pa.array(list(terms), type=pa.string())
        for b in batches:
            X = encode_lists(pa.array(b["tokens"].tolist(), type=pa.list_(pa.string())), terms, value_set)
            keys = sample_keys(b["comment_id"].tolist(), seed).astype(">u8")
            yield pd.DataFrame({"comment_id": b["comment_id"].to_numpy(), "n_in": np.asarray(X.sum(axis=1)).ravel(),
                                "key": [k.tobytes() for k in keys], "o_file": b["o_file"].to_numpy(),
                                "o_row": b["o_row"].to_numpy()})

    return run


def training_sample(rows: Any, vocab, config: FitConfig) -> tuple[Any, Any, int, bool]:
    """(ids, token lists) the engine trains on, in training order, as pyarrow arrays (never Python
    lists: two million comments' token lists as Python objects would cost the driver about 0.5 GB
    more); rows eligible; sampled?"""
    from pyspark.sql import functions as F

    from textprofile.spark.datasets import FILE_COL, ROW_COL

    own = rows.filter(F.col("authored")).select("comment_id", "tokens", F.col(FILE_COL).alias("o_file"),
                                                 F.col(ROW_COL).alias("o_row"))
    keyed = own.mapInPandas(_key_task(tuple(vocab.terms), config.seed),
                            "comment_id string, n_in long, key binary, o_file string, o_row long")
    eligible = keyed.filter(F.col("n_in") > 0)
    n = eligible.count()
    if n < 2:
        raise StateError(f"the corpus has {n} customer comment(s) with in-vocabulary tokens; a topic model "
                         "needs more — lower --no-below or load more comments")
    sampled = bool(config.sample) and n > config.sample
    chosen = (eligible.orderBy("key", "comment_id").limit(config.sample) if sampled
              else eligible.orderBy("o_file", "o_row"))
    picked = chosen.select("comment_id", "key", "o_file", "o_row")
    table = (picked.join(own.select("comment_id", "tokens"), "comment_id")
             .orderBy(*(["key", "comment_id"] if sampled else ["o_file", "o_row"]))
             .select("comment_id", "tokens").toArrow())
    return table.column("comment_id").combine_chunks(), table.column("tokens"), n, sampled


def _share_task(terms: tuple[str, ...], topic_word: np.ndarray, alpha: np.ndarray):
    def run(batches):
        import pandas as pd
        import pyarrow as pa

        from textprofile.profiles.interests import encode_lists
        from textprofile.topics.base import fold_in

        value_set = pa.array(list(terms), type=pa.string())
        k = topic_word.shape[0]
        acc = np.zeros(k + 1)
        for b in batches:
            X = encode_lists(pa.array(b["tokens"].tolist(), type=pa.list_(pa.string())), terms, value_set)
            nt = np.asarray(X.sum(axis=1)).ravel().astype(np.float64)
            has = nt > 0
            if has.any():
                acc[:k] += nt[has] @ fold_in(X[np.flatnonzero(has)], topic_word, alpha)
                acc[k] += nt[has].sum()
        yield pd.DataFrame({"i": np.arange(k + 1), "v": acc})

    return run


def topic_shares(rows: Any, vocab, topic_word: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    """Each topic's share of the customers' in-vocabulary tokens (the local ``corpus_shares``)."""
    from pyspark.sql import functions as F

    own = rows.filter(F.col("authored")).select("tokens")
    sums = {int(r["i"]): float(r["s"]) for r in own.mapInPandas(
        _share_task(tuple(vocab.terms), topic_word, alpha), "i long, v double").groupBy("i").agg(
        F.sum("v").alias("s")).collect()}
    k = topic_word.shape[0]
    return np.array([sums.get(i, 0.0) for i in range(k)]) / max(sums.get(k, 0.0), 1.0)
