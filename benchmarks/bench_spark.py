"""Scale bars for ``--backend spark``: local[2] against the local backend, side by side, one run.

bench_build's generator (labelled Chinese reviews, 1 + Poisson(4) comments per customer, a year of
times, ratings) at each size (default 1M; the issue asks 1, 2 and 4 million), written as 4 CSV
part files (the Spark loader reads one file per task). For each backend, each stage is its own
CLI process: load (+tokenize) -> fit --topics 10 -> profile build. Printed per stage: wall
seconds, the ratio spark/local, and the peak RSS of the Python driver process itself
(``ru_maxrss`` of that process: the JVM, which in local mode also runs the executors, and the
Python workers are reported apart as "children").

    python benchmarks/bench_spark.py [--sizes 1000000,2000000,4000000] [--partitions 16]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_build import make_exports

OUT = Path(__file__).resolve().parent / "out" / "spark"
NAME = "big"
RUNNER = r"""
import resource, runpy, sys, time
sys.argv = ["textprofile", *sys.argv[1:]]
t = time.perf_counter()
code = 0
try:
    runpy.run_module("textprofile", run_name="__main__")
except SystemExit as e:
    code = e.code or 0
self_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
child_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(f"@@bench {time.perf_counter() - t:.2f} {self_kb} {child_kb}", file=sys.stderr)
sys.exit(code)
"""


def split(base: Path, parts: int) -> list[Path]:
    """The export as ``parts`` CSV files with the same header (cached beside it)."""
    out = [base.with_name(f"{base.stem}.part{i}.csv") for i in range(parts)]
    if all(p.exists() for p in out):
        return out
    with open(base, encoding="utf-8", newline="") as f:
        header = f.readline()
        lines = f.readlines()
    step = -(-len(lines) // parts)
    for i, p in enumerate(out):
        p.write_text(header + "".join(lines[i * step:(i + 1) * step]), encoding="utf-8")
    return out


def stage(args: list[str], home: Path) -> dict:
    r = subprocess.run([sys.executable, "-c", RUNNER, *args, "--home", str(home), "--json"],
                       capture_output=True, text=True, check=False)
    line = [ln for ln in r.stderr.splitlines() if ln.startswith("@@bench ")]
    if r.returncode != 0 or not line:
        raise SystemExit(f"{' '.join(args)} failed:\n{r.stderr[-3000:]}")
    wall, self_kb, child_kb = line[-1].split()[1:]
    return {"wall": float(wall), "driver_gb": int(self_kb) / 2**20, "children_gb": int(child_kb) / 2**20,
            "result": json.loads(r.stdout)}


def run_backend(files: list[Path], home: Path, spark: list[str]) -> dict[str, dict]:
    if home.exists():
        shutil.rmtree(home)
    home.mkdir(parents=True)
    load = ["load", *map(str, files), "--name", NAME, "--customer-col", "customer_id", "--text-col", "review",
            "--time-col", "time", "--rating-col", "rating", "--channel", "review"]
    out = {}
    for key, args in (("load", load), ("fit", ["fit", NAME, "--topics", "10"]), ("profile", ["profile", "build", NAME])):
        out[key] = stage(args + spark, home)
        print(f"  {key:8s} {out[key]['wall']:8.1f} s  driver {out[key]['driver_gb']:.2f} GB  "
              f"children {out[key]['children_gb']:.2f} GB", flush=True)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="1000000")
    ap.add_argument("--partitions", type=int, default=16, help="spark.sql.shuffle.partitions")
    ap.add_argument("--driver-memory", default="3g", help="spark.driver.memory (the JVM, with the executors in local mode)")
    a = ap.parse_args()
    spark = ["--backend", "spark", "--spark-master", "local[2]",
             "--spark-conf", f"spark.sql.shuffle.partitions={a.partitions}",
             "--spark-conf", f"spark.driver.memory={a.driver_memory}", "--spark-conf", "spark.ui.enabled=false"]
    table = {}
    for n in [int(s) for s in a.sizes.split(",")]:
        base, _ = make_exports(n // 5, n)
        files = split(base, 4)
        print(f"{n:,} comments ({len(files)} files)", flush=True)
        print(" local:", flush=True)
        local = run_backend(files, OUT / f"local_{n}", [])
        print(" spark local[2]:", flush=True)
        remote = run_backend(files, OUT / f"spark_{n}", spark)
        table[n] = (local, remote)
        for key in ("load", "fit", "profile"):
            lo, sp = local[key], remote[key]
            print(f"  {key:8s} local {lo['wall']:7.1f} s  spark {sp['wall']:7.1f} s  ratio {sp['wall'] / lo['wall']:.2f}  "
                  f"driver RSS local {lo['driver_gb']:.2f} GB spark {sp['driver_gb']:.2f} GB", flush=True)
        lt = sum(local[k]["wall"] for k in local)
        st = sum(remote[k]["wall"] for k in remote)
        print(f"  full run local {lt:.0f} s, spark {st:.0f} s, ratio {st / lt:.2f}", flush=True)
    if len(table) > 1:
        sizes = sorted(table)
        for key in ("load", "fit", "profile"):
            peaks = [table[n][1][key]["driver_gb"] for n in sizes]
            growth = peaks[-1] / peaks[0] - 1
            print(f"driver peak RSS, spark {key}: " + ", ".join(f"{n:,}: {p:.2f} GB" for n, p in zip(sizes, peaks))
                  + f" -> growth {growth:+.0%} (bar: within 15%: {'PASS' if abs(growth) <= 0.15 else 'FAIL'})")


if __name__ == "__main__":
    main()
