"""``--phrases`` on Spark: counted on the executors, scored by gensim on the driver, joined on the executors.

The same two passes as ``text.phrases.detect_phrases``, over the tokens dataset written by the
tokenize task (``textprofile.spark.tokens``):

1. Count: a ``mapInPandas`` task runs ``phrases.count_grams`` (gensim's own ``Phrases.add_vocab``
   over the maximal Latin runs, unpruned) on each Arrow batch and emits ``(gram, n)`` rows; Spark
   sums them by gram (``groupBy``, a shuffle). The driver collects only that table of types
   (unigrams and ``a_b`` bigrams with their counts), never a comment, and gensim scores it
   (``phrases.freeze_counts``: a ``Phrases`` whose ``vocab`` is the summed table, then
   ``freeze()``). gensim's ``freeze`` reads the counts, the settings and ``len(vocab)`` only, so
   the phrasegrams are the local backend's whenever the local count was not pruned (at most
   ``MAX_VOCAB_SIZE`` types).
2. Join: the phrasegrams are broadcast and ``phrases.join_tokens`` runs in a second
   ``mapInPandas`` over the dataset, written in the same row order; ``joined`` is the drop in the
   token total, a Spark aggregate.

More than ``MAX_VOCAB_SIZE`` types: the local backend's gensim prunes as it streams (after a
comment that takes its table past the cap it drops every type counted ``<= r`` so far, r = 1, 2,
... on successive prunes), so its result depends on the row order and on counts seen so far.
Spark counts exactly, then keeps the types counted more than ``r`` for the smallest ``r >= 1``
that brings the table to at most ``MAX_VOCAB_SIZE`` types (a histogram of counts picks ``r``), so
the driver never holds more than the local backend does. The phrasegrams may then differ from
the local ones; the record says so (``pruned``: that ``r``).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from textprofile.core.config import TokenizeConfig

COUNT_SCHEMA = "gram string, n long"


def count_task(config: TokenizeConfig):
    """``mapInPandas`` function: (tokens) -> (gram, n), gensim's counts of each Arrow batch, and
    one row with a null gram counting the batch's tokens (all of them: ``joined`` is their drop)."""

    def run(batches):
        import pandas as pd

        from textprofile.text.phrases import LatinTest, count_grams

        test = LatinTest()
        for batch in batches:
            toks = batch["tokens"]
            vocab = count_grams(toks, config, test)
            yield pd.DataFrame({"gram": [*vocab, None],
                                "n": pd.array([*vocab.values(), int(toks.map(len).sum())], dtype="int64")})

    return run


def join_task(grams: Any):
    """``mapInPandas`` function: tokens rows with the broadcast phrasegrams ``grams`` joined."""

    def run(batches):
        from textprofile.text.phrases import LatinTest, join_tokens

        table = grams.value
        test = LatinTest()
        for batch in batches:
            batch["tokens"] = [join_tokens(table, t, test)[0] if len(t) > 1 else list(t) for t in batch["tokens"]]
            yield batch

    return run


def gram_counts(spark: Any, tokens_path: Path, config: TokenizeConfig) -> Any:
    """The summed ``(gram, n)`` table of the tokens dataset (a DataFrame; nothing collected).

    The row with a null gram holds the dataset's token total."""
    from pyspark.sql import functions as F

    from textprofile.spark.datasets import uri

    tokens = spark.read.parquet(uri(tokens_path)).select("tokens")
    return tokens.mapInPandas(count_task(config), COUNT_SCHEMA).groupBy("gram").agg(F.sum("n").alias("n"))


def keep_below(histogram: dict[int, int], cap: int) -> int:
    """The smallest ``r >= 1`` such that the types counted more than ``r`` are at most ``cap``
    (``histogram``: count -> number of types); 0 when the table fits and nothing is pruned."""
    total = sum(histogram.values())
    if total <= cap:
        return 0
    r = 0
    for n in sorted(histogram):
        total -= histogram[n]
        r = n
        if total <= cap:
            break
    return max(r, 1)


def _collect(counts: Any, cap: int) -> tuple[dict[str, int] | None, int]:
    """(``{gram: n}``, token total) streamed from ``counts`` a partition at a time; the dict is None
    when it would pass ``cap`` types (the caller cuts the table first)."""
    vocab: dict[str, int] = {}
    total = 0
    for row in counts.toLocalIterator(prefetchPartitions=True):
        gram, n = row["gram"], int(row["n"])
        if gram is None:
            total = n
        elif len(vocab) >= cap:
            return None, total
        else:
            vocab[gram] = n
    return vocab, total


def learn(spark: Any, tokens_path: Path, config: TokenizeConfig, max_vocab_size: int | None = None):
    """``(FrozenPhrases, {phrase: count}, r, tokens)``: the tokens dataset's phrases, ``r`` as
    ``keep_below`` (0: nothing cut), and the dataset's token total."""
    from pyspark import StorageLevel
    from pyspark.sql import functions as F

    from textprofile.text.phrases import DELIMITER, MAX_VOCAB_SIZE, freeze_counts

    config.validate()
    cap = MAX_VOCAB_SIZE if max_vocab_size is None else max_vocab_size
    counts = gram_counts(spark, tokens_path, config).persist(StorageLevel.MEMORY_AND_DISK)
    try:
        vocab, tokens = _collect(counts, cap)
        r = 0
        if vocab is None:  # more types than the cap: cut at the smallest count that fits (module docstring)
            grams = counts.filter(F.col("gram").isNotNull())
            hist = {int(x["n"]): int(x["k"]) for x in grams.groupBy("n").agg(F.count(F.lit(1)).alias("k")).collect()}
            r = keep_below(hist, cap)
            vocab, tokens = _collect(counts.filter(F.col("gram").isNull() | (F.col("n") > r)), cap)
            assert vocab is not None
    finally:
        counts.unpersist()
    # gensim's corpus_word_count: the Latin tokens, the unigrams' counts (a Latin word has no "_")
    words = sum(n for g, n in vocab.items() if DELIMITER not in g)
    frozen, found = freeze_counts(config, vocab, words)
    return frozen, found, r, tokens


def detect_phrases(spark: Any, src: Path, dst: Path, config: TokenizeConfig, table_path: Path,
                   order: list[str]) -> dict[str, Any]:
    """Learn phrases from the tokens dataset ``src`` and write it joined to ``dst``; the record.

    As the local ``detect_phrases``: the table goes to ``table_path`` also when no phrase was
    found, and the record holds min_count, threshold, learned, top, joined and seconds (plus
    ``pruned``, the ``r`` of the module docstring, when the counts passed ``MAX_VOCAB_SIZE``).
    ``src`` holds the rows in any order with the ``order`` columns; ``dst`` is written sorted by
    them, without them (sorted, then joined: ``datasets.write_sorted``).
    """
    from pyspark.sql import functions as F

    from textprofile.spark.datasets import uri, write_sorted
    from textprofile.text.phrases import phrase_record, phrase_table, write_table

    started = time.perf_counter()
    frozen, counts, r, before = learn(spark, src, config)
    rows = spark.read.parquet(uri(src))
    schema = ", ".join(f"{f.name} {f.dataType.simpleString()}" for f in rows.schema.fields)
    grams = spark.sparkContext.broadcast(dict(frozen.phrasegrams))
    try:
        # sorted first, so the join runs once (write_sorted)
        write_sorted(rows.orderBy(*order).mapInPandas(join_task(grams), schema), dst, order)
    finally:
        grams.unpersist()
    after = spark.read.parquet(uri(dst)).agg(F.sum(F.size("tokens")).alias("t")).first()["t"] or 0
    write_table(table_path, phrase_table(frozen))
    record = phrase_record(config, frozen, counts, int(before - after), started)
    if r:
        record["pruned"] = r
    return record
