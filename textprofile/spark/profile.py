"""The driver's side of ``profile build --backend spark``: plan the jobs, read back customer rows.

The driver computes the reference time (one aggregate), ships the model, writes the two
``profiles.parquet/`` datasets from the executors' rows, and reads back only the customer
table (one row per customer: behaviour, K shares, keywords, keyword vector) to cluster
segments and build the DuckDB store. Comments never reach it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textprofile.core.config import ProfileConfig
from textprofile.core.errors import StateError


def check_corpus(corpus_dir: Path, fm: Any, name: str) -> None:
    """Refuse a model fitted on other tokens (the local ``check_corpus``, for files or datasets)."""
    from textprofile.spark.datasets import digest

    tokens = corpus_dir / "tokens.parquet"
    if not tokens.exists():
        raise StateError(f"{tokens} not found — run: textprofile tokenize {name}")
    expected = (fm.manifest.get("corpus") or {}).get("tokens_sha256")
    if expected and digest(tokens) != expected:
        raise StateError(f"model {name!r} was fitted on other tokens than the corpus now holds — "
                         f"re-fit it: textprofile fit {name}")


PROFILE_COMMENT_COLUMNS = ["comment_id", "customer_id", "text", "time", "channel", "is_customer", "rating", "amount"]


def joined_rows(comments: Any, tokens: Any) -> Any:
    """Comments (``read_ordered``, with their order columns) joined to their tokens: the profile rows."""
    from pyspark.sql import functions as F

    from textprofile.spark.datasets import FILE_COL, ROW_COL

    return (comments.join(tokens.select("comment_id", "lang", "tokens"), "comment_id", "inner")
            .select("comment_id", "customer_id", F.unix_micros("time").alias("time_us"), "channel",
                    "is_customer", "rating", "amount", F.coalesce(F.char_length("text"), F.lit(0)).alias("n_chars"),
                    "lang", "tokens", F.col(FILE_COL).alias("o_file"), F.col(ROW_COL).alias("o_row")))


def reference_time(config: ProfileConfig, latest_us: int | None) -> int | None:
    """``--as-of`` in microseconds, else the latest customer comment's time (None: no time at all)."""
    from textprofile.core.config import parse_as_of

    if config.as_of is not None:
        as_of = parse_as_of(config.as_of)
        return int(as_of.value // 1000) if as_of.unit == "ns" else int(as_of.as_unit("us").value)
    return None if latest_us is None else int(latest_us)


def profile_parts(spark: Any, rows: Any, fm: Any, config: ProfileConfig, as_of_us: int | None) -> Any:
    """Each customer's rows in one task, in corpus order, through ``profile_task``: 'm' and 'p' rows (persisted)."""
    from pyspark import StorageLevel

    from textprofile.spark.customers import out_schema, profile_task, ship_model

    model = ship_model(spark, fm.folder)
    return (rows.repartition("customer_id").sortWithinPartitions("customer_id", "o_file", "o_row")
            .mapInPandas(profile_task(model, config, as_of_us, config.as_of is not None), out_schema(fm.k))
            .persist(StorageLevel.MEMORY_AND_DISK))


def mixtures(parts: Any, k: int) -> Any:
    """The 'm' rows as ``doc_topics`` columns, with their order columns ``o_file``, ``o_row``."""
    from pyspark.sql import functions as F

    return parts.filter(F.col("kind") == "m").select(
        "comment_id", "n_tokens", *[F.col("theta")[i].alias(f"topic_{i}") for i in range(k)], "o_file", "o_row")


def customer_rows(parts: Any) -> Any:
    """The 'p' rows: one per customer, the ``customers`` dataset's columns."""
    from pyspark.sql import functions as F

    return parts.filter(F.col("kind") == "p").drop("kind", "comment_id", "n_tokens", "theta", "o_file", "o_row")


def customer_tables(spark: Any, corpus_dir: Path, fm: Any, config: ProfileConfig, out: Path) -> dict[str, Any]:
    """Write ``out/comment_topics`` and ``out/customers``; return as_of, rows and comments used."""
    from pyspark.sql import functions as F

    from textprofile.spark.datasets import read_ordered, uri, write_ordered

    comments = read_ordered(spark, corpus_dir / "comments.parquet", PROFILE_COMMENT_COLUMNS)
    tokens = spark.read.parquet(uri(corpus_dir / "tokens.parquet"))
    rows = joined_rows(comments, tokens)
    n_rows, n_tokens = comments.count(), tokens.count()
    own = F.coalesce(F.col("is_customer"), F.lit(False))
    stats = rows.agg(F.count(F.lit(1)).alias("joined"), F.max(F.when(own, F.col("time_us"))).alias("latest"),
                     F.sum(own.cast("long")).alias("own")).first()
    if not (n_rows == n_tokens == stats["joined"]):
        raise StateError(f"{corpus_dir / 'tokens.parquet'} does not match comments.parquet — run: "
                         f"textprofile tokenize {corpus_dir.name} --backend spark")
    as_of_us = reference_time(config, stats["latest"])
    parts = profile_parts(spark, rows, fm, config, as_of_us)
    try:
        write_ordered(mixtures(parts, fm.k), out / "comment_topics", ["o_file", "o_row"])
        customer_rows(parts).orderBy("customer_id").write.mode("overwrite").parquet(uri(out / "customers"))
    finally:
        parts.unpersist()
    return {"as_of_us": as_of_us, "comments_rows": n_rows}


def keyword_table(terms: Any, scores: Any, vocab: Any):
    """The customers' keywords (``kw_terms`` list<string>, ``kw_scores`` list<double>) as a ``KeywordTable``.

    Arrow and numpy only: as Python lists of (term, score) tuples they cost the driver about
    1 kB per customer (0.8 GB at 800,000 customers), as a table 120 bytes.
    """
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    from textprofile.profiles.keyword_table import KeywordTable

    lengths = pc.fill_null(pc.list_value_length(terms), 0).to_numpy(zero_copy_only=False)
    if not np.array_equal(lengths, pc.fill_null(pc.list_value_length(scores), 0).to_numpy(zero_copy_only=False)):
        raise StateError("the customers dataset's keyword terms and scores differ in length — rebuild: "
                         "textprofile profile build NAME --backend spark")
    found = pc.index_in(terms.flatten(), value_set=pa.array(list(vocab), type=pa.string()))
    if found.null_count:
        raise StateError("the customers dataset holds keywords outside the model's vocabulary — rebuild: "
                         "textprofile profile build NAME --backend spark")
    ptr = np.concatenate([[0], np.cumsum(lengths, dtype=np.int64)])
    return KeywordTable(vocab, ptr, found.to_numpy(zero_copy_only=False),
                        scores.flatten().to_numpy(zero_copy_only=False))


PART_CUSTOMERS = 20_000  # customers the driver reads from the customers dataset at once


class CustomerDataset:
    """The customers dataset (``profiles.parquet/customers/``, one row per customer, sorted by id)
    read by the driver a part at a time: never more than ``rows`` customers in memory at once.

    ``vocab``: the model's terms, ``k`` its topics. Each part is converted as ``read_customers``
    converts the whole table, so any partition of the rows gives the same rows.
    """

    def __init__(self, path: Path, k: int, vocab: Any, rows: int | None = None, segments: Path | None = None) -> None:
        import pyarrow.parquet as pq

        from textprofile.spark.datasets import part_files

        self.files, self.k, self.vocab, self.rows = part_files(path), k, vocab, rows or PART_CUSTOMERS
        self.n = sum(pq.ParquetFile(f).metadata.num_rows for f in self.files)
        self.segments = segments  # (customer_id, segment) in id order: ``parts()``' behaviour gains ``segment``

    def tables(self, columns: list[str], files: list[Path] | None = None):
        """The dataset's ``columns`` as Arrow tables of at most ``rows`` rows, in row order."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        for f in self.files if files is None else files:
            for batch in pq.ParquetFile(f).iter_batches(batch_size=self.rows, columns=columns):
                yield pa.Table.from_batches([batch])

    def _segment_stream(self):
        """``take(ids)``: the segments of the next customers, read a part at a time beside the customers."""
        import numpy as np

        from textprofile.spark.datasets import part_files

        tables = self.tables(["customer_id", "segment"], part_files(self.segments))
        ids, segs = np.zeros(0, dtype=object), np.zeros(0, dtype=np.int64)

        def take(want):
            nonlocal ids, segs
            while len(ids) < len(want):
                table = next(tables, None)
                if table is None:
                    break
                ids = np.concatenate([ids, _column(table, "customer_id").to_numpy(zero_copy_only=False)])
                segs = np.concatenate([segs, _column(table, "segment").to_numpy(zero_copy_only=False).astype(np.int64)])
            got, ids, (out, segs) = ids[:len(want)], ids[len(want):], (segs[:len(want)], segs[len(want):])
            if len(got) != len(want) or not np.array_equal(got, np.asarray(want, dtype=object)):
                raise StateError(f"{self.segments} does not match the customers dataset — rebuild: "
                                 "textprofile profile build NAME --backend spark")
            return out

        def done():
            if len(ids) or next(tables, None) is not None:
                raise StateError(f"{self.segments} holds customers the customers dataset does not — rebuild: "
                                 "textprofile profile build NAME --backend spark")

        take.done = done
        return take

    def segment_inputs(self):
        """(shares, behaviour) of each part."""
        from textprofile.profiles.behaviour import BEHAVIOUR_COLUMNS

        for table in self.tables(["customer_id", *BEHAVIOUR_COLUMNS, "shares"]):
            yield _shares(table, self.k), _behaviour(table)

    def sample(self, rows):
        """(shares, behaviour) of the customers at positions ``rows`` (ascending)."""
        import numpy as np
        import pandas as pd

        rows = np.asarray(rows, dtype=np.int64)
        shares, beh, start = [], [], 0
        for part_shares, part_beh in self.segment_inputs():
            stop = start + len(part_beh)
            take = rows[(rows >= start) & (rows < stop)] - start
            shares.append(part_shares[take])
            beh.append(part_beh.iloc[take])
            start = stop
        if not beh:
            return np.zeros((0, self.k)), pd.DataFrame()
        return np.concatenate(shares), pd.concat(beh, ignore_index=True)

    def parts(self, vectors: bool = True):
        """(behaviour, shares, keywords, keyword vectors or None when not ``vectors``) of each part,
        as ``read_customers``; the behaviour with its ``segment`` when the dataset was given its segments."""
        from textprofile.profiles.behaviour import BEHAVIOUR_COLUMNS

        take = self._segment_stream() if self.segments is not None else None
        columns = ["customer_id", *BEHAVIOUR_COLUMNS, "shares", "kw_terms", "kw_scores"]
        for table in self.tables(columns + (["vec_idx", "vec_val"] if vectors else [])):
            beh = _behaviour(table)
            if take is not None:
                beh["segment"] = take(beh["customer_id"].to_numpy())
            yield (beh, _shares(table, self.k), _keywords(table, self.vocab),
                   _vectors(table, len(self.vocab)) if vectors else None)
        if take is not None:
            take.done()

    def index_rows(self):
        """(customer ids, keyword vectors CSR, shares) of each part: the neighbour index's rows."""
        for table in self.tables(["customer_id", "shares", "vec_idx", "vec_val"]):
            yield (_column(table, "customer_id").to_numpy(zero_copy_only=False), _vectors(table, len(self.vocab)),
                   _shares(table, self.k))

    def comments_used(self) -> int:
        """The customers' comments in all (their ``n_comments``)."""
        import pyarrow.compute as pc

        return sum(int(pc.sum(table["n_comments"]).as_py() or 0) for table in self.tables(["n_comments"]))

    def index_sizes(self) -> tuple[int, int]:
        """(keyword entries in all, the longest customer id in UTF-8 bytes), read from two columns."""
        import pyarrow.compute as pc

        nnz, width = 0, 1
        for table in self.tables(["customer_id", "vec_idx"]):
            nnz += int(pc.sum(pc.fill_null(pc.list_value_length(table["vec_idx"]), 0)).as_py() or 0)
            width = max(width, int(pc.max(pc.binary_length(table["customer_id"])).as_py() or 0))
        return nnz, width


def read_customers(path: Path, k: int, vocab: Any):
    """(behaviour frame, shares (n, K), keywords (``KeywordTable``), keyword vectors CSR) of the whole
    customers dataset at ``path`` (``update`` reads its touched customers so)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from textprofile.spark.datasets import part_files

    table = pa.concat_tables([pq.read_table(f) for f in part_files(path)]).combine_chunks()
    if table.num_rows == 0:
        raise StateError("no customer comments to profile (all rows are agent turns or after --as-of)")
    return _behaviour(table), _shares(table, k), _keywords(table, vocab), _vectors(table, len(vocab))


def _column(table: Any, name: str):
    """One column of ``table`` as a single Arrow array."""
    column = table.column(name)
    return column.combine_chunks() if column.num_chunks != 1 else column.chunk(0)


def _behaviour(table: Any):
    """The behaviour frame: customer_id and the ``BEHAVIOUR_COLUMNS`` with the local store's dtypes."""
    import numpy as np
    import pandas as pd

    from textprofile.profiles.behaviour import BEHAVIOUR_COLUMNS

    beh = table.select(["customer_id", *BEHAVIOUR_COLUMNS]).to_pandas()
    for c in ("first_seen", "last_seen"):  # UTC wall time in microseconds, naive as the store keeps it
        beh[c] = pd.to_datetime(beh[c].astype("Int64"), unit="us").astype("datetime64[us]")
    for c, t in BEHAVIOUR_COLUMNS.items():
        if t == "BIGINT":
            beh[c] = beh[c].astype("int64")
        elif t == "DOUBLE":
            beh[c] = beh[c].astype(np.float64)
    return beh


def _shares(table: Any, k: int):
    import numpy as np

    return np.asarray(_column(table, "shares").flatten().to_numpy(), dtype=np.float64).reshape(-1, k)


def _keywords(table: Any, vocab: Any):
    return keyword_table(_column(table, "kw_terms"), _column(table, "kw_scores"), vocab)


def _vectors(table: Any, vocab_size: int):
    import numpy as np
    from scipy import sparse

    idx, val = _column(table, "vec_idx"), _column(table, "vec_val")
    indptr = np.asarray(idx.offsets.to_numpy(), dtype=np.int64)
    indptr = indptr - indptr[0]
    return sparse.csr_matrix((np.asarray(val.flatten().to_numpy(), dtype=np.float32),
                              np.asarray(idx.flatten().to_numpy(), dtype=np.int32), indptr),
                             shape=(table.num_rows, vocab_size))
