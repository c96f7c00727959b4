"""Spark MLlib's LDA against the default engine, both with ``--backend spark``, on the shopping reviews.

online_shopping_10_cats (62,773 Chinese reviews, 10 categories), one customer per review, loaded
with ``load --backend spark``; then, on the same SparkSession (``local[2]`` by default), back to back:

  (a) ``fit --backend spark --topics 10``                     tomotopy on the driver (the sample = all)
  (b) ``fit --backend spark --engine spark-lda --topics 10``  MLlib LDA (online VB) on every comment

and for each: wall seconds and NMI of each review's dominant topic (``doc_topics.parquet``, the
fold-in mixtures) against its category, as bench_fit.py computes it.

    python benchmarks/bench_spark_lda.py [--master local[2]] [--iterations 50] [--seed 0]
"""

from __future__ import annotations

import argparse
import gzip
import time
from pathlib import Path

import pandas as pd

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "chinese_labelled_reviews_zh" / "online_shopping_10_cats.csv.gz"
OUT = Path(__file__).resolve().parent / "out" / "spark_lda"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--master", default="local[2]")
    ap.add_argument("--iterations", type=int, default=50, help="MLlib LDA maxIter")
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()

    from textprofile.core.config import FitConfig, LoadConfig
    from textprofile.core.workspace import Workspace
    from textprofile.pipeline import spark as on_spark
    from textprofile.spark.session import SparkOptions, spark_session
    from textprofile.topics.evaluate import clustering_scores
    from textprofile.topics.fitted import load_model

    OUT.mkdir(parents=True, exist_ok=True)
    export = OUT / "shop.csv"
    if not export.exists():
        with gzip.open(DATA, "rt", encoding="utf-8") as f:
            df = pd.read_csv(f).dropna(subset=["review"]).reset_index(drop=True)
        pd.DataFrame({"customer_id": [f"r{i:06d}" for i in range(len(df))], "review": df["review"],
                      "cat": df["cat"]}).to_csv(export, index=False)
    cats = pd.read_csv(export)
    cat_of = dict(zip(cats["customer_id"], cats["cat"].astype(str), strict=True))
    ws = Workspace.resolve(OUT / "ws")
    opts = SparkOptions(master=a.master, conf=("spark.ui.enabled=false", "spark.sql.shuffle.partitions=8",
                                               "spark.driver.memory=3g"))
    rows = []
    with spark_session(opts) as spark:
        spark.sparkContext.setLogLevel("ERROR")
        t = time.perf_counter()
        on_spark.load([export], "shop", LoadConfig(customer_col="customer_id", text_col="review"), ws)
        print(f"load --backend spark: {time.perf_counter() - t:.0f} s", flush=True)
        import pyarrow.parquet as pq

        owner = dict(zip(*pq.read_table(ws.corpus_dir("shop") / "comments.parquet",
                                        columns=["comment_id", "customer_id"]).to_pydict().values(), strict=True))
        for label, cfg in (("tomotopy (driver, sample = all)", FitConfig(topics=10, seed=a.seed)),
                           ("spark-lda (MLlib online, all)", FitConfig(topics=10, seed=a.seed, engine="spark-lda",
                                                                        iterations=a.iterations))):
            t = time.perf_counter()
            res = on_spark.fit("shop", cfg, ws)
            secs = time.perf_counter() - t
            dt = load_model(ws, "shop").doc_topics()
            dom = dt.filter(like="topic_").to_numpy().argmax(axis=1)
            s = clustering_scores([cat_of[owner[c]] for c in dt["comment_id"]], dom)
            rows.append((label, secs, s["nmi"], res["coherence"], len(dt)))
            print(f"{label}: {secs:.0f} s, NMI {s['nmi']:.3f}, NPMI {res['coherence']:.3f}, {len(dt):,} reviews", flush=True)
    print("\nengine                               wall s    NMI   NPMI")
    for label, secs, nmi, npmi, _ in rows:
        print(f"{label:36s} {secs:7.0f}  {nmi:.3f}  {npmi:.3f}")
    print(f"time ratio spark-lda / tomotopy: {rows[1][1] / rows[0][1]:.2f}")


if __name__ == "__main__":
    main()
