"""Customer buckets: a large corpus split out of core for ``profile build``.

A customer's profile needs every comment of that customer and nothing else, so the corpus is cut
into ``n`` buckets by a hash of ``customer_id`` and the profiles are composed one bucket at a
time: the per-comment working set (frame, counts, mixtures) is one bucket's, not the corpus's.
DuckDB does the split (comments and tokens side by side, their row number, each comment's mixture
from doc_topics.parquet joined by id), with a memory limit and its spill files in the same
temporary folder inside the model's folder, so nothing of the corpus lands outside the workspace.
The folder (``models/<name>/.profile-buckets-<hex>/``) is removed when the build ends, failed or
not; one left by a killed process is removed by the next build of that model and by ``forget``.
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textprofile.core.errors import StateError

if TYPE_CHECKING:
    import pandas as pd

BUCKET_ROWS = 250_000  # customer comments per bucket: ~0.3 GB of per-comment working set
BUCKETS_PREFIX = ".profile-buckets-"
DUCKDB_MEMORY = "768MB"
SCAN_ROWS = 262_144
_FRAME = ["comment_id", "customer_id", "time", "channel", "is_customer", "rating", "amount"]


def bucket_count(n_own: int, bucket_rows: int = BUCKET_ROWS) -> int:
    """Buckets for ``n_own`` customer comments (1: the corpus in one piece, as small corpora are)."""
    return max(1, -(-int(n_own) // max(1, int(bucket_rows))))


@dataclass
class CorpusScan:
    """What is global to a build, from one streamed pass over the id, time and role columns."""

    n_rows: int         # corpus rows
    n_customer: int     # customer rows (``is_customer``)
    n_own: int          # customer rows at or before ``as_of`` (or undated): the comments used
    as_of: Any          # pd.Timestamp | None, as ``profiles.behaviour.resolve_as_of`` gives it


def scan_corpus(corpus_dir: Path, as_of_setting: str | None) -> CorpusScan:
    """Rows, customer rows and the reference time, checking tokens.parquet against comments.parquet."""
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    from textprofile.profiles.behaviour import resolve_as_of

    tokens_path = corpus_dir / "tokens.parquet"
    if not tokens_path.is_file():
        raise StateError(f"{tokens_path} not found — run: textprofile tokenize {corpus_dir.name}")
    mismatch = StateError(f"{tokens_path} does not match comments.parquet — run: textprofile tokenize {corpus_dir.name}")
    cf, tf = pq.ParquetFile(corpus_dir / "comments.parquet"), pq.ParquetFile(tokens_path)
    if cf.metadata.num_rows != tf.metadata.num_rows:
        raise mismatch
    fixed = None if as_of_setting is None else resolve_as_of(as_of_setting, None)
    latest, n_customer, later = None, 0, 0
    for cb, tb in zip(cf.iter_batches(SCAN_ROWS, columns=["comment_id", "time", "is_customer"]),
                      tf.iter_batches(SCAN_ROWS, columns=["comment_id"]), strict=True):
        if not tb.column(0).equals(cb.column(0)):
            raise mismatch
        own = pc.fill_null(cb.column(2), False)
        times = cb.column(1).filter(own).to_pandas()
        n_customer += len(times)
        if fixed is not None:
            later += int((times > fixed).sum())
        elif len(times):
            top = times.max()  # a Timestamp in the column's own unit, as resolve_as_of takes it
            if not _is_nat(top) and (latest is None or top > latest):
                latest = top
    return CorpusScan(cf.metadata.num_rows, n_customer, n_customer - later, fixed if fixed is not None else latest)


def _is_nat(value) -> bool:
    import pandas as pd

    return value is None or bool(pd.isna(value))


def remove_stale(model_dir: Path) -> None:
    """Remove bucket folders a killed build left in ``model_dir``."""
    if model_dir.is_dir():
        for p in sorted(model_dir.glob(BUCKETS_PREFIX + "*")):
            shutil.rmtree(p, ignore_errors=True)


def _sql_path(p: Path) -> str:
    return "'" + str(p).replace("'", "''") + "'"


@contextmanager
def customer_buckets(corpus_dir: Path, model_dir: Path, n: int, k: int | None,
                     expected_rows: int) -> Iterator[list[Path]]:
    """Split the customer rows into ``n`` bucket folders (one per hash of customer_id); yield them.

    Each holds Parquet files of: ``row`` (the position in comments.parquet), the comment columns
    profiles read, ``n_chars``, ``lang``, ``tokens`` and, when ``k`` is given, ``n_tokens`` and
    ``topic_0..topic_{k-1}`` from doc_topics.parquet (null for a comment without a mixture).
    ``expected_rows``: the corpus's customer rows; more rows out means doc_topics repeats an id.
    """
    from textprofile.store.sql import connect
    from textprofile.topics.fitted import DOC_TOPICS_FILE

    tmp = model_dir / f"{BUCKETS_PREFIX}{uuid.uuid4().hex[:12]}"
    (tmp / "spill").mkdir(parents=True)
    con = None
    try:
        con = connect(config={"memory_limit": DUCKDB_MEMORY, "threads": 2, "preserve_insertion_order": False,
                                     "temp_directory": str(tmp / "spill")})
        cols = ", ".join(f"c.{c}" for c in _FRAME)
        inner = (f"SELECT c.file_row_number AS row, {cols}, coalesce(length(c.text), 0) AS n_chars, t.lang, t.tokens "
                 f"FROM read_parquet({_sql_path(corpus_dir / 'comments.parquet')}, file_row_number = true) c "
                 f"POSITIONAL JOIN read_parquet({_sql_path(corpus_dir / 'tokens.parquet')}) t "
                 "WHERE coalesce(c.is_customer, false)")
        if k is None:
            query = f"SELECT *, coalesce(hash(customer_id) % {n}, 0) AS bucket FROM ({inner})"
        else:
            mix = ", ".join(["d.n_tokens", *[f"d.topic_{i}" for i in range(k)]])
            query = (f"SELECT r.*, {mix}, coalesce(hash(r.customer_id) % {n}, 0) AS bucket FROM ({inner}) r "
                     f"LEFT JOIN read_parquet({_sql_path(model_dir / DOC_TOPICS_FILE)}) d ON d.comment_id = r.comment_id")
        out = tmp / "buckets"
        written = con.execute(f"COPY ({query}) TO {_sql_path(out)} "
                              "(FORMAT parquet, PARTITION_BY (bucket), COMPRESSION zstd)").fetchone()[0]
        con.close()
        con = None
        if written != expected_rows:
            raise StateError(f"{model_dir / DOC_TOPICS_FILE} repeats a comment id — refit the model")
        yield [out / f"bucket={b}" for b in range(n)]
    finally:
        if con is not None:
            con.close()
        shutil.rmtree(tmp, ignore_errors=True)


def read_bucket(folder: Path, comments_schema, vocab, value_set, k: int | None, as_of, filter_as_of: bool
                ) -> tuple[pd.DataFrame, Any, Any] | None:
    """(customer rows in corpus order, their counts over ``vocab``, mixtures or None) of one bucket.

    The same values ``read_corpus`` + ``aligned_mixtures`` give for these rows: the columns are cast
    back to comments.parquet's types; a missing or NaN mixture is zero. None for an empty bucket.
    """
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    from textprofile.profiles.interests import encode_lists

    files = sorted(folder.glob("*.parquet")) if folder.is_dir() else []
    if not files:
        return None
    table = pa.concat_tables([pq.read_table(f) for f in files])
    table = table.take(pc.sort_indices(table, [("row", "ascending")]))
    frame = pa.table([table.column(c).cast(comments_schema.field(c).type) for c in _FRAME]
                     + [table.column("n_chars"), table.column("lang")], names=[*_FRAME, "n_chars", "lang"])
    own = frame.to_pandas()
    keep = None
    if filter_as_of:  # "as of" a date: later comments did not exist yet
        keep = ~(own["time"] > as_of).fillna(False).to_numpy()
        own = own[keep].reset_index(drop=True)
    X = encode_lists(table.column("tokens"), vocab, value_set)
    mixtures = None
    if k is not None:
        ntok = pc.fill_null(table.column("n_tokens"), 0).to_numpy().astype(np.float64)
        theta = np.zeros((table.num_rows, k), dtype=np.float64)
        for i in range(k):
            theta[:, i] = pc.fill_null(table.column(f"topic_{i}"), 0.0).to_numpy()
        theta[np.isnan(theta)] = 0.0
        mixtures = (theta, ntok) if keep is None else (theta[keep], ntok[keep])
    del table
    return own, (X if keep is None else X[np.flatnonzero(keep)]), mixtures
