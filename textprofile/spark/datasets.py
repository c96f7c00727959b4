"""Parquet datasets (directories of part files) in a stable row order, and their checksums.

Where the local backend writes one file (``comments.parquet``), Spark writes a directory of
that name. Rows are written sorted by an order key and each range partition becomes one part
file, so part files in name order hold the rows in corpus order; ``read_ordered`` adds that
order back (``_metadata.file_name``, ``_metadata.row_index``) to a dataset or a single file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textprofile.core.artifacts import digest, part_files

__all__ = ["digest", "is_dataset", "num_rows", "part_files", "persisted", "read_ordered", "uri", "write_ordered",
           "write_sorted"]

FILE_COL, ROW_COL = "_tp_file", "_tp_row"


def uri(path: str | Path) -> str:
    """A local path as a ``file://`` URL; a Hadoop URL (``hdfs://``, ``s3a://``...) unchanged."""
    s = str(path)
    return s if "://" in s else Path(s).resolve().as_uri()


def write_ordered(frame: Any, path: str | Path, order: list[str], fmt: str = "parquet",
                  **options: str) -> None:
    """Write ``frame`` sorted by ``order`` (the columns are dropped) to the dataset ``path``."""
    write_sorted(frame.orderBy(*order), path, order, fmt, **options)


def write_sorted(frame: Any, path: str | Path, order: list[str], fmt: str = "parquet", **options: str) -> None:
    """Write ``frame``, already sorted by ``order`` (an ``orderBy``, then only row-wise steps such as
    ``mapInPandas``, which keep each partition's rows in order), to ``path`` without ``order``.

    For a costly row-wise step (the tokenizer): run after the sort, it runs once; sorting its output
    instead runs it twice, since the range partitioner's sampling job computes the sort's input too.
    """
    out = frame.drop(*order).write.mode("overwrite")
    for k, v in options.items():
        out = out.option(k, v)
    out.format(fmt).save(uri(path))


def read_ordered(spark: Any, path: str | Path | list[str | Path], columns: list[str] | None = None) -> Any:
    """A dataset (or one Parquet file) with ``FILE_COL``/``ROW_COL``: sort by them for its row order.

    ``path`` may be a list: their union, in file name order (``update`` reads the corpus and its new parts).
    """
    from pyspark.sql import functions as F

    paths = path if isinstance(path, list) else [path]
    df = spark.read.parquet(*(uri(p) for p in paths))
    cols = [F.col(c) for c in (columns or df.columns)]
    return df.select(*cols, F.col("_metadata.file_name").alias(FILE_COL),
                     F.col("_metadata.row_index").alias(ROW_COL))


def is_dataset(path: str | Path) -> bool:
    return Path(path).is_dir()


def num_rows(path: str | Path) -> int:
    import pyarrow.parquet as pq

    return sum(pq.ParquetFile(f).metadata.num_rows for f in part_files(path))


def persisted(frame: Any) -> Any:
    """``frame`` kept (memory, spilling to disk) for the several jobs that read it."""
    from pyspark import StorageLevel

    return frame.persist(StorageLevel.MEMORY_AND_DISK)
