"""``load --backend spark``: exports in, ``corpora/<name>/`` with Parquet datasets out.

Same folder, same columns and row order as the local loader: ``comments.parquet/`` and
``tokens.parquet/`` are directories of part files (in row order by name), ``quarantine.csv/``
a directory of CSV parts with the same header. Duplicates (same customer, text and time after
cleaning, across all files) keep their first occurrence in file then row order, as locally.
The driver sees only counts, the files' manifest entries and the summary, never comments.
"""

from __future__ import annotations

import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from textprofile.core.config import LoadConfig, TokenizeConfig
from textprofile.core.errors import InputFileError
from textprofile.core.workspace import Workspace

CORPUS_FILES = ("comments.parquet", "tokens.parquet", "phrases.json", "quarantine.csv", "manifest.json")


def load_corpus(spark: Any, exports: list[str], name: str, config: LoadConfig, ws: Workspace,
                tokenize_config: TokenizeConfig | None = None, progress=None) -> dict[str, Any]:
    """Build ``corpora/<name>/`` on Spark; return what the local ``load`` returns (plus ``backend``)."""
    from pyspark import StorageLevel
    from pyspark.sql import functions as F

    from textprofile.core.artifacts import atomic_dir, checksums, write_manifest
    from textprofile.ingest.pii import key_fingerprint, pseudonym_key
    from textprofile.spark.datasets import persisted, write_ordered, write_sorted
    from textprofile.spark.ingest import (
        COMMENT_COLUMNS,
        F_COL,
        POS_COL,
        check_exports,
        erased_rows,
        read_exports,
        split_read,
    )
    from textprofile.spark.tokens import check_config, normalized, tokens_info, write_tokens
    from textprofile.text.phrases import PHRASES_FILE

    started = time.perf_counter()
    exports = check_exports(exports)
    target = ws.corpus_dir(name)
    if tokenize_config is not None:
        tokenize_config = normalized(check_config(tokenize_config))
    key = pseudonym_key() if config.pseudonymize else None
    erased = erased_ids(target, key)
    step = progress or (lambda stage, done, total=None: None)
    step("spark: read", 0, None)
    # the read rows, kept on disk for the jobs below: a partition is a whole export (1M rows of a
    # 200 MB CSV), which held in memory ran 4 x 200 MB out of a 3g heap; on disk they load at 3g,
    # and at 6g in 294 s against 314 s in memory (README, "Memory")
    raw = read_exports(spark, exports, config, key, erased=erased).persist(StorageLevel.DISK_ONLY)
    kept = None
    try:
        sources, rows, unique = split_read(raw)
        order = [F_COL, POS_COL]
        # the kept comments, sorted once into corpus order and kept: the comments and the tokens
        # datasets are written from the same sorted partitions, and the tokenizer runs once
        kept = persisted(unique.select(*COMMENT_COLUMNS, *order).orderBy(*order))
        quarantine = raw.filter(F.col("kind") == "q")
        counts = _counts(rows, kept, quarantine, None if erased is None else erased_rows(raw))
        if counts["kept"] == 0:
            reasons = ", ".join(f"{k}: {v}" for k, v in counts["quarantined_by_reason"].items()) or "none"
            raise InputFileError(
                f"no comments kept from {counts['read']} rows read (duplicates {counts['duplicates']}; "
                f"quarantined by reason — {reasons}); fix the export or the column flags")
        with atomic_dir(target, owned=CORPUS_FILES) as tmp:
            step("spark: write comments", 0, None)
            write_sorted(kept, tmp / "comments.parquet", order)
            write_ordered(quarantine.select(F.col("source").alias("file"), F.col("source_row").alias("row"),
                                            F.col("q_reason").alias("reason"), F.col("q_text").alias("text"),
                                            F.coalesce(F.col("customer_id"), F.lit("")).alias("customer_id"),
                                            *order),
                          tmp / "quarantine.csv", order, fmt="csv", header="true", escape='"',
                          emptyValue="", nullValue="")
            summary = _summary(kept)
            result = {
                "name": name, "corpus_dir": str(target), "backend": "spark",
                "sources": [{k: s[k] for k in ("name", "format", "encoding", "mapping", "rows")} for s in sources],
                "counts": counts, **summary,
            }
            manifest = {"name": name, "created": datetime.now(UTC).replace(microsecond=0).isoformat(),
                        "config": config.to_dict(), "sources": sources, "counts": counts, "summary": summary,
                        "backend": "spark"}
            if key is not None:
                manifest["pseudonym_key_check"] = key_fingerprint(key)
            if config.row_as_customer:
                from textprofile.ingest.read_export import ROW_ID_SCHEME

                manifest["row_id_scheme"] = ROW_ID_SCHEME
            if tokenize_config is not None:
                step("spark: tokenize", 0, None)
                phrases = write_tokens(spark, kept, tokenize_config, order, tmp / "tokens.parquet", tmp / PHRASES_FILE)
                info = tokens_info(spark, tmp / "tokens.parquet", tmp / "comments.parquet", tokenize_config, started,
                                   phrases)
                manifest["tokenize"] = info
                result["tokenize"] = {**info, "cached": False}
            if erased is not None:
                erased.write(tmp)  # checksummed with the rest (the local load does the same)
            write_manifest(tmp, manifest, files=checksums(tmp))
    finally:
        if kept is not None:
            kept.unpersist()
        raw.unpersist()
    result["seconds"] = round(time.perf_counter() - started, 3)
    return result


def erased_ids(corpus_dir: Path, key: bytes | None):
    """The corpus's ``ErasedIds`` when customers were erased from it with ``forget`` (else None):
    their rows stay out of every later load and update, as locally."""
    from textprofile.ingest.erasure import ERASED_FILE, ErasedIds

    if not (corpus_dir / ERASED_FILE).is_file():
        return None
    erased = ErasedIds.open(corpus_dir)
    erased.pseudonym_key = key
    return erased


def _counts(rows: Any, kept: Any, quarantine: Any, erased: int | None = None) -> dict[str, Any]:
    """read = kept + duplicates + quarantined (+ erased, when the corpus has erased customers)."""
    from pyspark.sql import functions as F

    n_rows, n_kept = rows.count(), kept.count()
    by_reason = Counter()
    for r in quarantine.groupBy(F.split("q_reason", ":").getItem(0).alias("k")).count().collect():
        by_reason[r["k"]] += int(r["count"])
    n_q = sum(by_reason.values())
    counts = {"read": n_rows + n_q + (erased or 0), "kept": n_kept, "duplicates": n_rows - n_kept, "quarantined": n_q,
              "quarantined_by_reason": dict(sorted(by_reason.items()))}
    if erased is not None:
        counts["erased"] = erased
    assert counts["read"] == counts["kept"] + counts["duplicates"] + counts["quarantined"] + (erased or 0)
    return counts


def _summary(kept: Any) -> dict[str, Any]:
    """The local loader's summary (customers, channels, script languages, time range), aggregated."""
    from pyspark.sql import functions as F

    agg = kept.agg(
        F.countDistinct(F.when(F.col("is_customer"), F.col("customer_id"))).alias("customers"),
        F.sum((~F.col("is_customer")).cast("long")).alias("agent_turns"),
        F.sum(F.col("time").isNull().cast("long")).alias("no_time"),
        F.unix_micros(F.min("time")).alias("tmin"), F.unix_micros(F.max("time")).alias("tmax"),
    ).first()
    channels = {r["c"]: int(r["count"]) for r in
                kept.groupBy(F.coalesce(F.col("channel"), F.lit("(none)")).alias("c")).count().collect()}
    langs: Counter = Counter()
    for r in kept.select("text").mapInPandas(_language_task, "lang string, n long").groupBy("lang").sum("n").collect():
        langs[r["lang"]] += int(r["sum(n)"])

    def iso(micros: int) -> str:
        import pandas as pd

        return pd.Timestamp(int(micros), unit="us", tz="UTC").isoformat().replace("+00:00", "Z")

    tr = [iso(agg["tmin"]), iso(agg["tmax"])] if agg["tmin"] is not None else None
    return {"customers": int(agg["customers"]), "agent_turns": int(agg["agent_turns"] or 0),
            "channels": dict(sorted(channels.items())), "languages": dict(sorted((+langs).items())),
            "time_range": tr, "rows_without_time": int(agg["no_time"] or 0)}


def _language_task(batches):
    import pandas as pd

    from textprofile.ingest.rows import script_languages

    total: Counter = Counter()
    for b in batches:
        total.update(script_languages(b["text"].tolist()))
    yield pd.DataFrame({"lang": list(total), "n": [int(v) for v in total.values()]}, columns=["lang", "n"])

