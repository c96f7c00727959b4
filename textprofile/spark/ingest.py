"""Exports read on the executors: one task per file, through ``ingest.ExportReader`` unchanged.

Each export reaches its task through Spark's ``binaryFile`` source. A local path (``file://``: local
disk in local mode, a shared mount on a cluster) is listed only, and the task streams the file from
that path; a file on another Hadoop file system (``hdfs://``, ``s3a://``) arrives as its bytes
(Spark's limit: 2 GB a file) and is written to a local temporary file of the same name. Either way it
is read, mapped, validated, cleaned and PII-scrubbed chunk by chunk exactly as the local loader does. The task
emits one table with five kinds of rows: comments (``c``), quarantined rows (``q``), the file's
manifest entry (``s``, JSON), how many rows of customers erased with ``forget`` it skipped (``x``,
the count; the local loader's ``counts.erased``) and, instead of a traceback, an input error
(``e``, its message).
"""

from __future__ import annotations

import json
from typing import Any

from textprofile.core.config import LoadConfig

F_COL, POS_COL = "_tp_f", "_tp_pos"  # file index (command-line order), row position in that file
PART_COL = "_tp_part"  # a large JSON Lines export's part (``ingest.export_parts.ExportPart``, JSON), else null
PART_SHIFT = 40  # a part's row positions start at its index << PART_SHIFT: file order across parts

RAW_SCHEMA = (
    "kind string, _tp_f int, _tp_pos long, comment_id string, customer_id string, text string, "
    "time timestamp, channel string, role string, is_customer boolean, thread_id string, "
    "rating double, amount double, source string, source_row long, meta string, "
    "q_reason string, q_text string, info string"
)
COMMENT_COLUMNS = ["comment_id", "customer_id", "text", "time", "channel", "role", "is_customer", "thread_id",
                   "rating", "amount", "source", "source_row", "meta"]
QUARANTINE_COLUMNS = ["file", "row", "reason", "text", "customer_id"]


def read_task(config: LoadConfig, key: bytes | None, mappings: list[dict[str, str] | None] | None = None,
              erased: Any = None):
    """The ``mapInPandas`` function: binaryFile rows (path, content, file index) -> RAW_SCHEMA rows.

    ``mappings``: a saved column mapping per export (``update`` replays the corpus's), else auto-mapped.
    ``erased``: the corpus's ``ingest.erasure.ErasedIds`` (its salted hashes travel with the task):
    their comments and quarantined rows are skipped and counted, as the local loader does.
    """

    def run(batches):
        import os
        import tempfile
        from pathlib import Path
        from urllib.parse import unquote, urlparse

        import pandas as pd

        from textprofile.core.errors import TextProfileError
        from textprofile.ingest.export_parts import ExportPart
        from textprofile.ingest.read_export import ExportReader
        from textprofile.ingest.rows import comment_ids
        from textprofile.ingest.timeparse import format_time_iso

        names = RAW_SCHEMA_NAMES

        def rows(kind: str, f: int, _pos=range(1), **cols) -> pd.DataFrame:
            n = len(_pos)
            out = pd.DataFrame({c: cols.get(c, [None] * n) for c in names[3:]})
            out.insert(0, POS_COL, list(_pos))
            out.insert(0, F_COL, [f] * n)
            out.insert(0, "kind", [kind] * n)
            out["time"] = pd.to_datetime(out["time"], utc=True)
            return out

        for batch in batches:
            for path, content, f, part in zip(batch["path"], batch["content"], batch[F_COL], batch[PART_COL],
                                              strict=True):
                part = ExportPart.from_json(part) if isinstance(part, str) else None  # null: NaN or None
                url = urlparse(path)
                name = Path(unquote(url.path)).name
                with tempfile.TemporaryDirectory(prefix="textprofile-export-") as tmp:
                    if content is None:  # a file:// export: streamed from its path, never held whole
                        local = Path(unquote(url.path))
                    else:
                        local = Path(tmp) / name
                        local.write_bytes(content)
                        del content
                    k = part.index if part is not None else 0
                    pos = q_pos = k << PART_SHIFT
                    n_erased = 0
                    try:
                        reader = ExportReader(local, config, key, mappings[f] if mappings else None, part)
                        for frame, quarantined in reader.chunks():
                            if erased is not None:
                                frame, quarantined, n = _skip_erased(erased, frame, quarantined)
                                n_erased += n
                            if quarantined:
                                qn = len(quarantined)
                                yield rows("q", f, _pos=range(q_pos, q_pos + qn),
                                           source=[q[0] for q in quarantined], source_row=[q[1] for q in quarantined],
                                           q_reason=[q[2] for q in quarantined], q_text=[q[3] for q in quarantined],
                                           customer_id=[q[4] for q in quarantined])
                                q_pos += qn
                            if len(frame):
                                frame = frame.reset_index(drop=True)
                                frame.insert(0, "comment_id", comment_ids(
                                    list(frame["customer_id"]), format_time_iso(frame["time"]),
                                    list(frame["channel"]), list(frame["role"]), list(frame["text"])))
                                cols = {c: frame[c].tolist() for c in COMMENT_COLUMNS if c != "time"}
                                cols["time"] = frame["time"]
                                yield rows("c", f, _pos=range(pos, pos + len(frame)), **cols)
                                pos += len(frame)
                        source = dict(reader.source)
                        source["file"] = unquote(url.path) if url.scheme == "file" else path
                        yield rows("s", f, _pos=range(k, k + 1), info=[json.dumps(source, ensure_ascii=False)])
                        if n_erased:
                            yield rows("x", f, info=[str(n_erased)])
                    except TextProfileError as e:
                        msg = str(e).replace(str(local), name).replace(os.fspath(tmp), "")
                        yield rows("e", f, info=[msg])

    return run


RAW_SCHEMA_NAMES = [part.strip().split(" ")[0] for part in RAW_SCHEMA.split(",")]


def _skip_erased(erased: Any, frame: Any, quarantined: list[tuple]) -> tuple[Any, list[tuple], int]:
    """``frame`` and ``quarantined`` without erased customers' rows, and how many went
    (``pipeline.load.CommentReader._skip_erased``'s rule: the id, or a piece of a raw record)."""
    import numpy as np

    q = [r for r in quarantined if not (erased.is_erased(r[4]) or erased.mentioned_in(r[3]))]
    gone = np.asarray(erased.mask(list(frame["customer_id"])), dtype=bool) if len(frame) else np.zeros(0, bool)
    return frame[~gone], q, int(gone.sum()) + len(quarantined) - len(q)


def erased_rows(raw: Any) -> int:
    """The rows ``read_exports`` skipped as erased customers' (the ``x`` rows' counts, summed)."""
    from pyspark.sql import functions as F

    total = raw.filter(F.col("kind") == "x").agg(F.sum(F.col("info").cast("long")).alias("n")).first()["n"]
    return int(total or 0)


def read_exports(spark: Any, exports: list[str], config: LoadConfig, key: bytes | None,
                 mappings: list[dict[str, str] | None] | None = None, erased: Any = None) -> Any:
    """The RAW_SCHEMA rows of every export, one task per file (``exports``: paths or Hadoop URLs);
    ``erased``: see ``read_task``."""
    from functools import reduce

    from pyspark.sql import functions as F

    from textprofile.spark.datasets import uri

    # one file a task, whole (a file is one reader's stream: its header, encoding, row numbers): a
    # binaryFile scan of one file is one partition (files are not split), and the union of the scans
    # keeps their partitions apart. (Hash partitioning by the file index instead put 3 of 4 files in
    # one task, and both of 2; a ``coalesce(1)`` per scan would make Spark 4.1+ zip the union's
    # single-partition children into one task.)
    # a large JSON Lines export on a file:// path is read in parts, one task each (plan_exports)
    planned = plan_exports(spark, exports, config, key, mappings)
    files = [scan_export(spark, uri(p)).withColumn(F_COL, F.lit(i)).withColumn(PART_COL, F.lit(None).cast("string"))
             if parts is None else _parts_frame(spark, uri(p), i, parts)
             for i, (p, parts) in enumerate(zip(exports, planned, strict=True))]
    frame = reduce(lambda a, b: a.unionByName(b), files)
    return frame.mapInPandas(read_task(config, key, mappings, erased), RAW_SCHEMA)


def plan_exports(spark: Any, exports: list[str], config: LoadConfig, key: bytes | None,
                 mappings: list[dict[str, str] | None] | None = None) -> list[list[Any] | None]:
    """Each export's parts (``ingest.export_parts``), or None where it is read whole by one task: a
    JSON Lines file on a ``file://`` path above ``spark.sql.files.maxPartitionBytes`` (Spark's own
    split size, 128 MB by default) is cut into parts of about that size. Its encoding check, and its
    sha256 with the line cuts, take two passes over it here on the driver; its column mapping comes
    from the keys of its first chunk's records, read a line at a time."""
    from pathlib import Path
    from urllib.parse import unquote, urlparse

    from textprofile.ingest.export_parts import plan
    from textprofile.ingest.read_export import resolve_parts
    from textprofile.ingest.sniff import detect_format, inspect
    from textprofile.spark.datasets import uri

    part_bytes = int(spark._jsparkSession.sessionState().conf().filesMaxPartitionBytes())
    out: list[list[Any] | None] = []
    for i, p in enumerate(exports):
        url = urlparse(uri(p))
        parts = None
        if url.scheme == "file":
            path = Path(unquote(url.path))
            # the format from the file's first bytes first: the encoding check reads the whole file,
            # which only a JSON Lines export to cut needs here (its task checks the others)
            if (path.is_file() and path.stat().st_size > part_bytes
                    and detect_format(path, config.format) == ("jsonl", False)):
                parts = plan(path, inspect(path, config.format, config.encoding), part_bytes)
            if parts is not None:
                parts = resolve_parts(parts, path, config, key, mappings[i] if mappings else None)
        out.append(parts)
    return out


def _parts_frame(spark: Any, url: str, f: int, parts: list[Any]) -> Any:
    """One row, and one partition, per part of export ``f`` (the columns of ``scan_export`` and ``PART_COL``)."""
    rows = [(url, None, f, part.to_json()) for part in parts]
    rdd = spark.sparkContext.parallelize(rows, len(rows))
    return spark.createDataFrame(rdd, f"path string, content binary, {F_COL} int, {PART_COL} string")


def scan_export(spark: Any, url: str) -> Any:
    """``(path, content)`` of the export at ``url``: its bytes from a Hadoop file system, null for a
    ``file://`` one, which its task opens itself (binaryFile reads no bytes when ``content`` is not
    selected: a 199 MB CSV then loaded with ``spark.driver.memory=1g``, which ran out of heap
    holding it)."""
    from pyspark.sql import functions as F

    scan = spark.read.format("binaryFile").load(url)
    if url.startswith("file:"):
        return scan.select("path", F.lit(None).cast("binary").alias("content"))
    return scan.select("path", "content")


def split_read(raw: Any) -> tuple[list[dict[str, Any]], Any, Any]:
    """``(sources, rows, unique)`` of ``read_exports``' frame: each file's source entry, the comment
    rows, and the first of each customer/text/time among them in file then row order (load's
    dedupe). An export that could not be read raises its one-line error here."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    from textprofile.core.errors import InputFileError

    errors = raw.filter(F.col("kind") == "e").orderBy(F_COL).select("info").limit(1).collect()
    if errors:
        raise InputFileError(errors[0]["info"])
    sources: list[dict[str, Any]] = []
    last = None
    for r in raw.filter(F.col("kind") == "s").orderBy(F_COL, POS_COL).select(F_COL, "info").collect():
        entry = json.loads(r["info"])
        if r[F_COL] == last:  # another part of the same export: its rows count
            sources[-1]["rows"] += entry["rows"]
        else:
            sources.append(entry)
        last = r[F_COL]
    rows = raw.filter(F.col("kind") == "c")
    first = Window.partitionBy("customer_id", "text", "time").orderBy(F_COL, POS_COL)
    unique = rows.withColumn("_tp_n", F.row_number().over(first)).filter(F.col("_tp_n") == 1).drop("_tp_n")
    return sources, rows, unique


def check_exports(exports: list[str]) -> list[str]:
    """Local paths must exist here (a clear error before any Spark job); URLs are left to Spark."""
    from pathlib import Path

    from textprofile.core.errors import ConfigError, InputFileError

    if not exports:
        raise ConfigError("no export files given — pass at least one EXPORT path")
    out = []
    for p in exports:
        s = str(p)
        if "://" not in s:
            path = Path(s)
            if not path.is_file():
                raise InputFileError(f"{s}: no such file — check the path")
            s = str(path.resolve())
        out.append(s)
    return out
