"""One large JSON Lines export on ``--backend spark``: read whole by one task, or in parts.

bench_build's generator (``--comments`` comments, default 1,000,000) written as one JSON Lines file.
In one run, three loads of it (each its own CLI process, a fresh workspace): the local backend;
Spark ``local[2]`` with ``spark.sql.files.maxPartitionBytes`` above the file's size (one task reads
it all, as before parts); Spark with its default 128 MB (the file cut into parts, one task each).
Printed: wall and CPU seconds, the driver's and the JVM's peak RSS, and that the three counts agree.

    python benchmarks/bench_spark_parts.py [--comments 1000000] [--driver-memory 2g]
"""

from __future__ import annotations

import argparse
import csv
import json
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_build import make_exports
from bench_spark import OUT, stage

NAME = "parts"


def as_jsonl(path: Path) -> Path:
    out = path.with_suffix(".jsonl")
    if not out.exists():
        with open(path, encoding="utf-8", newline="") as f, open(out, "w", encoding="utf-8") as g:
            g.writelines(json.dumps(rec, ensure_ascii=False) + "\n" for rec in csv.DictReader(f))
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--comments", type=int, default=1_000_000)
    ap.add_argument("--driver-memory", default="2g", help="spark.driver.memory (the JVM runs the executors)")
    a = ap.parse_args()
    export = as_jsonl(make_exports(a.comments // 5, a.comments)[0])
    size = export.stat().st_size
    print(f"{export.name}: {size / 2**20:.0f} MB", flush=True)
    load = ["load", str(export), "--name", NAME, "--customer-col", "customer_id", "--text-col", "review",
            "--time-col", "time", "--rating-col", "rating", "--channel", "review"]
    spark = ["--backend", "spark", "--spark-master", "local[2]", "--spark-conf", "spark.ui.enabled=false",
             "--spark-conf", f"spark.driver.memory={a.driver_memory}"]
    runs = {"local": [], "spark, one task": [*spark, "--spark-conf", f"spark.sql.files.maxPartitionBytes={size + 1}"],
            "spark, in parts (128 MB)": spark}
    counts = {}
    for label, extra in runs.items():
        home = OUT / f"parts_{label.split(',')[0]}_{len(counts)}"
        shutil.rmtree(home, ignore_errors=True)
        home.mkdir(parents=True)
        r = stage(load + extra, home)
        counts[label] = r["result"]["counts"]
        print(f"  {label:26s} {r['wall']:7.1f} s  cpu {r['cpu']:6.1f} s  driver {r['driver_gb']:.2f} GB  "
              f"JVM {r['children_gb']:.2f} GB  kept {counts[label]['kept']:,}", flush=True)
        shutil.rmtree(home)
    same = len({json.dumps(c, sort_keys=True) for c in counts.values()}) == 1
    print(f"counts equal across the three: {same}")


if __name__ == "__main__":
    main()
