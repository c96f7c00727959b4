"""Segments on Spark: ``profiles.segments.fit_segments`` with its passes over customers distributed.

Over the ``customers`` dataset: Spark's aggregates give the behaviour scaling (each feature's
count, mean and population deviation after ``FEATURES``' transform, the topics' total variance);
the driver reads ``fit_segments``' own seeded sample of at most ``SAMPLE`` customers and runs
KMeans on it; the executors assign every customer to the nearest centre (``nearest``, the
function the local fit calls) and aggregate the segments' figures (size, mean shares, the
medians and means ``describe`` reports); the ids are numbered by size as locally and written,
one row per customer in id order, to a dataset the store build reads beside the customers.
Means and deviations are Spark's sums, so the centres equal the local ones to about 1e-13.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

SEGMENTS_DATASET = "segments"  # under profiles.parquet/, while a build runs: each customer's segment


def _schema(k: int) -> str:
    from textprofile.profiles.segments import MEANS, MEDIANS

    return ("customer_id string, raw int, shares array<double>, "
            + ", ".join(f"{c} double" for c in (*MEDIANS, *MEANS)))


def segment_customers(spark: Any, customers: Path, k: int, vocab: Any, seed: int, out: Path,
                      topic_ids: list[int], topic_labels: dict[int, str]):
    """``fit_segments`` + ``describe`` of the customers dataset: (the ``SegmentModel``, the segments
    table); every customer's segment written to ``out`` (customer_id, segment; in id order)."""
    from textprofile.profiles.segments import fit_centres, part_features, sample_rows
    from textprofile.spark.profile import CustomerDataset

    model = scaling_model(spark, customers, k)
    source = CustomerDataset(customers, k, vocab)
    shares, beh = source.sample(sample_rows(source.n, seed))
    centres = fit_centres(part_features(shares, beh, model), model, seed)
    return model, assign(spark, customers, model, centres, out, topic_ids, topic_labels)


def scaling_model(spark: Any, customers: Path, k: int):
    """The ``SegmentModel``'s scaling (no centres yet) from Spark aggregates over ``customers``."""
    from pyspark.sql import functions as F

    from textprofile.profiles.segments import FEATURES, scaling
    from textprofile.spark.datasets import uri

    df = spark.read.parquet(uri(customers))
    cols = [c for c in FEATURES if c in df.columns]
    exprs = []
    for c in cols:
        v = _number(F.col(c))
        if FEATURES[c] == "log1p":
            v = F.log1p(F.when(v < 0, F.lit(0.0)).otherwise(v))  # null stays null (greatest would make it 0)
        exprs += [F.count(v), F.avg(v), F.stddev_pop(v)]
    exprs += [F.var_pop(F.col("shares")[i]) for i in range(k)]
    row = list(df.agg(*exprs).first())
    moments = [row[3 * j:3 * j + 3] for j in range(len(cols))]
    topic_var = sum(v or 0.0 for v in row[3 * len(cols):])
    return scaling(cols, [m[0] for m in moments], [_float(m[1]) for m in moments],
                   [_float(m[2]) for m in moments], topic_var)


def assign(spark: Any, customers: Path, model: Any, centres: Any, out: Path, topic_ids: list[int],
           topic_labels: dict[int, str]):
    """Every customer's segment (``out``: customer_id, segment; id order) and the segments table.

    ``model`` holds the scaling, ``centres`` KMeans' centres (None: one segment, its centre the
    mean of everyone's features). Numbers segments by size as ``fit_segments`` does and fills in
    ``model.centers``.
    """
    import numpy as np
    from pyspark.sql import functions as F

    from textprofile.profiles.segments import MEANS, MEDIANS, SegmentFigures, number, segments_table
    from textprofile.spark.datasets import persisted, uri

    df = spark.read.parquet(uri(customers))
    k = len(topic_ids)
    model_dict = model.to_dict()
    one = centres is None
    centre_list = None if one else np.asarray(centres).tolist()
    needed = list(dict.fromkeys(["customer_id", "shares", *model.features, *MEDIANS, *MEANS]))
    raw = persisted(df.select(*needed).mapInPandas(_assign_task(model_dict, centre_list, k), _schema(k)))
    try:
        aggs = [F.count(F.lit(1)).alias("size"), *[F.avg(F.col("shares")[i]).alias(f"s{i}") for i in range(k)],
                *[F.median(_number(F.col(c))).alias(c) for c in MEDIANS],
                *[F.avg(_number(F.col(c))).alias(c) for c in MEANS]]
        rows = {r["raw"]: r for r in raw.groupBy("raw").agg(*aggs).collect()}
        n_raw = 1 if one else len(centres)
        sizes = np.array([rows[j]["size"] if j in rows else 0 for j in range(n_raw)], dtype=np.int64)
        if one:  # too few distinct customers to cluster
            model.centers = [_mean_features(df, model, k)]
            remap = np.zeros(1, dtype=np.int64)
        else:
            remap = number(model, np.asarray(centres), sizes)
        figures = []
        for j in np.argsort(remap):  # segment id order
            r = rows.get(int(j))
            if r is None:
                figures.append(SegmentFigures(0, np.zeros(k), *([float("nan")] * 5)))
                continue
            figures.append(SegmentFigures(int(r["size"]), np.array([_float(r[f"s{i}"]) for i in range(k)]),
                                          *(_float(r[c]) for c in MEDIANS), *(_float(r[c]) for c in MEANS)))
        segment = F.element_at(F.array(*[F.lit(int(x)) for x in remap]), F.col("raw") + 1).cast("long")
        raw.select("customer_id", segment.alias("segment")).orderBy("customer_id").write.mode("overwrite") \
            .parquet(uri(out))
    finally:
        raw.unpersist()
    return segments_table(figures, topic_ids, topic_labels)


def _assign_task(model_dict: dict, centres: list | None, k: int):
    """``mapInPandas``: each customer's KMeans label (before numbering) by ``profiles.segments.nearest``."""

    def run(batches):
        yield from (_labels(b, model_dict, centres, k) for b in batches)

    return run


def _labels(batch, model_dict: dict, centres: list | None, k: int):
    import numpy as np
    import pandas as pd

    from textprofile.profiles.segments import MEANS, MEDIANS, SegmentModel, nearest, part_features

    model = SegmentModel.from_dict(model_dict)
    shares = np.stack(batch["shares"].to_numpy()).reshape(-1, k) if len(batch) else np.zeros((0, k))
    beh = batch.drop(columns=["customer_id", "shares"])
    if centres is None:
        raw = np.zeros(len(batch), dtype=np.int32)
    else:
        raw = nearest(part_features(shares, beh, model), np.asarray(centres)).astype(np.int32)
    out = pd.DataFrame({"customer_id": batch["customer_id"].to_numpy(), "raw": raw, "shares": batch["shares"]})
    for c in (*MEDIANS, *MEANS):
        out[c] = batch[c].astype("float64")
    return out


def _mean_features(df: Any, model: Any, k: int) -> list[float]:
    """The mean of everyone's features (the one centre when there is nothing to cluster)."""
    from pyspark.sql import functions as F

    from textprofile.profiles.segments import FEATURES

    exprs = [F.avg(F.col("shares")[i]) for i in range(k)]
    for c, mean, scale in zip(model.features, model.mean, model.scale, strict=True):
        v = _number(F.col(c))
        if FEATURES[c] == "log1p":
            v = F.log1p(F.when(v < 0, F.lit(0.0)).otherwise(v))  # null stays null (greatest would make it 0)
        z = F.coalesce((v - F.lit(mean)) / F.lit(scale), F.lit(0.0)) * F.lit(model.block_weight)
        exprs.append(F.avg(z))
    return [_float(x) for x in df.agg(*exprs).first()]


def _number(col: Any) -> Any:
    """A column as double, NaN as null (Spark's aggregates skip nulls, as pandas skips NaN)."""
    from pyspark.sql import functions as F

    v = col.cast("double")
    return F.when(F.isnan(v), F.lit(None)).otherwise(v)


def _float(x: Any) -> float:
    return float("nan") if x is None else float(x)
