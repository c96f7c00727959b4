"""``update NAME NEW_EXPORT... --backend spark``: new rows appended as part files, touched customers re-profiled.

On the executors, as ``load --backend spark`` and ``profile build --backend spark`` do it: the new
exports are read with the corpus's saved LoadConfig and column mappings, deduplicated among
themselves (first in file then row order) and against the corpus (same customer, text and time;
then same comment id), and tokenized with the corpus's TokenizeConfig; the rows of every customer
with a new comment (their whole history, old and new rows) then go through the build's
``profile_task``. Everything is written under a staging folder first; committing is renames:

1. the new comments' mixtures join ``models/<name>/profiles.parquet/comment_topics/``;
2. the new tokens, then the new comments, join ``tokens.parquet/`` and ``comments.parquet/`` as
   part files named ``part-uNNNNN-IIIII.parquet`` (NNNNN: the update's number), which sort after
   every earlier part, so a dataset's file name order is still the corpus order (a single-file
   corpus, loaded locally, becomes a dataset whose first part is that file);
3. (the caller) the model's tokens digest and the corpus manifest, which records the update;
4. ``profiles.parquet/customers/`` with the touched customers' rows replaced, then (the caller) the store.

A ``part-uNNNNN-*`` file whose update the manifest does not record (an update interrupted
between 2 and 3) is removed by the next update before it reads anything (``roll_back``).
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from textprofile.core.config import LoadConfig, ProfileConfig, TokenizeConfig

CORPUS_DATASETS = ("comments.parquet", "tokens.parquet")
FIRST_PART = "part-00000-local.parquet"  # a single-file corpus's file, once it is a dataset


def part_prefix(seq: int) -> str:
    return f"part-u{seq:05d}-"


def roll_back(folders: list[Path], seq: int) -> int:
    """Remove update ``seq``'s part files from ``folders`` (an interrupted commit); how many."""
    n = 0
    for d in folders:
        if d.is_dir():
            for f in d.iterdir():
                if f.name.startswith(part_prefix(seq)):
                    f.unlink()
                    n += 1
    return n


def quarantine_prefix(seq: int) -> str:
    """Names of the quarantined rows an update keeps (numbered by the manifest's
    ``updates_quarantined``, so never rolled back with an update's comments)."""
    return f"part-q{seq:05d}-"


def _name_parts(folder: Path, seq: int, suffix: str = ".parquet", prefix: str | None = None) -> None:
    """Spark's part files in ``folder`` renamed, in name (= row) order, to update ``seq``'s names."""
    from textprofile.spark.datasets import part_files

    for i, f in enumerate(part_files(folder, suffix)):
        f.rename(f.with_name(f"{prefix or part_prefix(seq)}{i:05d}{suffix}"))


def _as_dataset(path: Path, first: str = FIRST_PART) -> None:
    """A single file becomes a directory of the same name holding it as its first part."""
    if path.is_dir():
        return
    tmp = path.with_name(f".{path.name}.dataset")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    if path.is_file():
        path.rename(tmp / first)
    tmp.rename(path)


def _move_parts(src: Path, dst: Path, seq: int, suffix: str = ".parquet", prefix: str | None = None) -> None:
    from textprofile.spark.datasets import part_files

    dst.mkdir(parents=True, exist_ok=True)
    for f in part_files(src, suffix):
        if f.name.startswith(prefix or part_prefix(seq)):
            f.rename(dst / f.name)


def stage_quarantine(spark: Any, raw: Any, corpus_dir: Path, staging: Path, seq: int) -> int:
    """The update's quarantined rows not in ``quarantine.csv`` already (the local update's rule: the
    same five fields), written under ``staging/quarantine`` as CSV parts; how many."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    from textprofile.spark.datasets import uri, write_ordered
    from textprofile.spark.ingest import F_COL, POS_COL, QUARANTINE_COLUMNS

    order = [F_COL, POS_COL]
    q = raw.filter(F.col("kind") == "q").select(
        F.col("source").alias("file"), F.col("source_row").cast("string").alias("row"),
        F.col("q_reason").alias("reason"), F.col("q_text").alias("text"),
        F.coalesce(F.col("customer_id"), F.lit("")).alias("customer_id"), *order)
    same = Window.partitionBy(*QUARANTINE_COLUMNS).orderBy(*order)
    q = q.withColumn("_tp_n", F.row_number().over(same)).filter(F.col("_tp_n") == 1).drop("_tp_n")
    old = corpus_dir / "quarantine.csv"
    if old.exists():
        prev = (spark.read.option("header", "true").option("escape", '"').option("multiLine", "true")
                .csv(uri(old)).select(*[F.coalesce(F.col(c), F.lit("")).alias(f"_q_{c}") for c in QUARANTINE_COLUMNS]))
        q = q.join(prev, [F.coalesce(F.col(c), F.lit("")) == F.col(f"_q_{c}") for c in QUARANTINE_COLUMNS], "left_anti")
    n = q.count()
    if n:
        write_ordered(q, staging / "quarantine", order, fmt="csv", header="true", escape='"',
                      emptyValue="", nullValue="")
        _name_parts(staging / "quarantine", seq, ".csv", quarantine_prefix(seq))
    return n


def commit_quarantine(corpus_dir: Path, staging: Path, seq: int) -> None:
    """``stage_quarantine``'s parts join ``quarantine.csv/`` (a local file becomes its first part)."""
    target = corpus_dir / "quarantine.csv"
    _as_dataset(target, "part-00000-local.csv")
    _move_parts(staging / "quarantine", target, seq, ".csv", quarantine_prefix(seq))


def stage_update(spark: Any, corpus_dir: Path, fm: Any, exports: list[str], load_config: LoadConfig,
                 key: bytes | None, mappings: list | None, tokenize_config: TokenizeConfig,
                 profile_config: ProfileConfig, customers_dir: Path, staging: Path, seq: int,
                 progress=None, erased: Any = None, phrasegrams: dict[str, float] | None = None) -> dict[str, Any]:
    """Write the update under ``staging`` (comments, tokens, comment_topics, touched, customers); its counts.

    ``erased``: the corpus's erased customers (``spark.load.erased_ids``), whose rows are skipped.
    ``phrasegrams``: the corpus's phrase table (``phrases.read_table``), broadcast and joined in the
    new comments' tokens, as the local update joins them (not relearned)."""

    from pyspark import StorageLevel
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    from textprofile.core.artifacts import read_manifest
    from textprofile.spark.datasets import read_ordered, uri, write_ordered, write_sorted
    from textprofile.spark.ingest import (
        COMMENT_COLUMNS,
        F_COL,
        POS_COL,
        erased_rows,
        read_exports,
        split_read,
    )
    from textprofile.spark.profile import (
        PROFILE_COMMENT_COLUMNS,
        customer_rows,
        joined_rows,
        mixtures,
        profile_parts,
        reference_time,
    )
    from textprofile.spark.tokens import tokens_frame

    step = progress or (lambda stage, done, total=None: None)
    step("spark: read", 0, None)
    order = [F_COL, POS_COL]
    old_comments, old_tokens = corpus_dir / "comments.parquet", corpus_dir / "tokens.parquet"
    raw = read_exports(spark, exports, load_config, key, mappings, erased).persist(StorageLevel.DISK_ONLY)  # as load
    try:
        sources, rows, unique = split_read(raw)
        old = spark.read.parquet(uri(old_comments)).select(
            F.col("customer_id").alias("_o_c"), F.col("text").alias("_o_t"), F.col("time").alias("_o_s"),
            F.col("comment_id").alias("_o_id"))
        same = [F.col("customer_id").eqNullSafe(F.col("_o_c")), F.col("text").eqNullSafe(F.col("_o_t")),
                F.col("time").eqNullSafe(F.col("_o_s"))]
        fresh = unique.join(old.select("_o_c", "_o_t", "_o_s"), same, "left_anti").persist(StorageLevel.MEMORY_AND_DISK)
        n_rows, n_fresh = rows.count(), fresh.count()
        n_q = raw.filter(F.col("kind") == "q").count()
        by_id = Window.partitionBy("comment_id").orderBy(*order)
        # sorted once into file, row order (and kept): comments and tokens are written from the same
        # sorted partitions, and the tokenizer runs once (``datasets.write_sorted``)
        new = (fresh.join(old.select(F.col("_o_id").alias("comment_id")), "comment_id", "left_anti")
               .withColumn("_tp_n", F.row_number().over(by_id)).filter(F.col("_tp_n") == 1).drop("_tp_n")
               .orderBy(*order).persist(StorageLevel.MEMORY_AND_DISK))
        n_new = new.count()
        q_seq = len(read_manifest(corpus_dir).get("updates_quarantined", [])) + 1
        info = {"sources": sources, "added": n_new, "duplicates": n_rows - n_fresh, "quarantined": n_q,
                "erased": 0 if erased is None else erased_rows(raw),
                "quarantine_kept": stage_quarantine(spark, raw, corpus_dir, staging, q_seq) if n_q else 0,
                "quarantine_seq": q_seq}
        if n_new:
            step("spark: tokenize", 0, n_new)
            write_sorted(new.select(*COMMENT_COLUMNS, *order), staging / "comments", order)
            grams = spark.sparkContext.broadcast(phrasegrams) if phrasegrams else None
            try:
                write_sorted(tokens_frame(new, tokenize_config, order, grams), staging / "tokens", order)
            finally:
                if grams is not None:
                    grams.unpersist()
            _name_parts(staging / "comments", seq)
            _name_parts(staging / "tokens", seq)
        new.unpersist()
        fresh.unpersist()
    finally:
        raw.unpersist()
    if not n_new:
        return info

    step("spark: profiles", 0, None)
    comments = read_ordered(spark, [old_comments, staging / "comments"], PROFILE_COMMENT_COLUMNS)
    own = F.coalesce(F.col("is_customer"), F.lit(False))
    stats = comments.agg(F.count(F.lit(1)).alias("rows"), F.max(F.when(own, F.unix_micros("time"))).alias("latest"),
                         F.sum(own.cast("long")).alias("own")).first()
    staged = spark.read.parquet(uri(staging / "comments"))
    # every new comment gets its mixture; the customers with a new comment of their own, their profile
    # (from their whole history), as the local update's "touched" customers
    involved = staged.select("customer_id").distinct()
    touched = staged.filter(own).select("customer_id").distinct()
    tokens = spark.read.parquet(uri(old_tokens), uri(staging / "tokens"))
    rows = joined_rows(comments, tokens).join(F.broadcast(involved), "customer_id", "left_semi")
    as_of_us = reference_time(profile_config, stats["latest"])
    parts = profile_parts(spark, rows, fm, profile_config, as_of_us)
    try:
        mix = mixtures(parts, fm.k).filter(F.col("o_file").startswith(part_prefix(seq)))
        write_ordered(mix, staging / "comment_topics", ["o_file", "o_row"])
        _name_parts(staging / "comment_topics", seq)
        (customer_rows(parts).join(F.broadcast(touched), "customer_id", "left_semi").orderBy("customer_id")
         .write.mode("overwrite").parquet(uri(staging / "touched")))
    finally:
        parts.unpersist()
    changed = spark.read.parquet(uri(staging / "touched"))
    kept = spark.read.parquet(uri(customers_dir)).join(changed.select("customer_id"), "customer_id", "left_anti")
    kept.unionByName(changed).orderBy("customer_id").write.mode("overwrite").parquet(uri(staging / "customers"))
    info.update({"as_of_us": as_of_us, "comments_rows": int(stats["rows"]), "comments_used": int(stats["own"] or 0)})
    return info


def commit_update(corpus_dir: Path, profiles_dir: Path, staging: Path, seq: int) -> None:
    """Steps 1 and 2 of the module docstring: renames only."""
    _move_parts(staging / "comment_topics", profiles_dir / "comment_topics", seq)
    for name, staged in (("tokens.parquet", "tokens"), ("comments.parquet", "comments")):
        _as_dataset(corpus_dir / name)
        _move_parts(staging / staged, corpus_dir / name, seq)


def swap_customers(profiles_dir: Path, staging: Path) -> None:
    """Step 4's dataset: the rewritten ``customers/`` in place of the old one."""
    target = profiles_dir / "customers"
    old = profiles_dir / ".customers.old"
    shutil.rmtree(old, ignore_errors=True)
    target.rename(old)
    (staging / "customers").rename(target)
    shutil.rmtree(old, ignore_errors=True)
