"""Whole-pipeline and scale bars (issue 18), run by hand, each stage its own CLI process.

    python benchmarks/bench_scale.py --sizes 1000000 [--jieba] [--sample 200000]   (default: fit's own sample)
    python benchmarks/bench_scale.py --sizes 1000000,2000000,4000000

For each size N: bench_build's generator (N comments, N/5 customers, texts drawn from the
62,774 shopping reviews; 99% of the rows, as bench_build's base export), then ``load`` (with
tokenize), ``fit --topics 10`` (``--sample S`` when given) and ``profile build``, each under ``/usr/bin/time``:
wall seconds and peak RSS per stage (GiB: ``/usr/bin/time``'s kilobytes / 1024²; results.jsonl's
``peak_gb`` is the same number), with the load average (``uptime``) at each stage's end.
With ``--jieba``, a plain one-process ``jieba.lcut`` loop over the same texts runs right after,
in its own process (dictionary load included), and the ratio pipeline / loop is printed
(bar <= 0.7 at 1M). Scratch output in benchmarks/out/scale/ (git-ignored), one JSON line per
size appended to benchmarks/out/scale/results.jsonl. ``--keep`` keeps each workspace (``home_<N>``)
instead of deleting it, so one stage can be traced or re-run on it afterwards.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_build

OUT = Path(__file__).resolve().parent / "out" / "scale"


def timed(args: list[str], home: Path) -> dict:
    cmd = ["/usr/bin/time", "-f", "%e %M %U %S", sys.executable, "-m", "textprofile", *args, "--home", str(home), "--json"]
    r = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if r.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{r.stderr[-3000:]}")
    wall, rss_kb, user, sys_ = r.stderr.strip().splitlines()[-1].split()
    return {"wall_s": float(wall), "peak_gb": round(int(rss_kb) / 1024 / 1024, 3), "cpu_s": round(float(user) + float(sys_), 1),
            "load_avg": round(os.getloadavg()[0], 1), "result": json.loads(r.stdout)}


JIEBA_LOOP = """
import sys, time, pandas as pd, jieba
t0 = time.perf_counter()
tk = jieba.Tokenizer()
n = 0
for chunk in pd.read_csv(sys.argv[1], usecols=["review"], dtype=str, chunksize=200_000):
    for t in chunk["review"].fillna(""):
        n += len(tk.lcut(t))
print(time.perf_counter() - t0, n)
"""


def run_size(n: int, sample: int | None, jieba: bool, keep: bool = False) -> dict:
    base, _ = bench_build.make_exports(n // 5, n)
    home = OUT / f"home_{n}"
    if home.exists():
        shutil.rmtree(home)
    home.mkdir(parents=True)
    st = {}
    st["load"] = timed(["load", str(base), "--name", "big", "--customer-col", "customer_id", "--text-col", "review",
                        "--time-col", "time", "--rating-col", "rating", "--channel", "review"], home)
    print(f"  {n:,}: load+tokenize {st['load']['wall_s']:.0f} s, {st['load']['peak_gb']:.2f} GiB (load avg {st['load']['load_avg']})", flush=True)
    st["fit"] = timed(["fit", "big", "--topics", "10"] + ([] if sample is None else ["--sample", str(sample)]), home)
    split = st["fit"]["result"].get("stage_seconds", {})
    print(f"  {n:,}: fit {st['fit']['wall_s']:.0f} s, {st['fit']['peak_gb']:.2f} GiB (load avg {st['fit']['load_avg']}; "
          + ", ".join(f"{k} {v:.0f} s" for k, v in split.items()) + ")", flush=True)
    st["profile"] = timed(["profile", "build", "big"], home)
    print(f"  {n:,}: profile build {st['profile']['wall_s']:.0f} s, {st['profile']['peak_gb']:.2f} GiB (load avg {st['profile']['load_avg']})", flush=True)
    total = sum(s["wall_s"] for s in st.values())
    out = {"comments": n, "rows_loaded": st["load"]["result"]["counts"]["kept"], "sample": sample,
           "stages": {k: {kk: vv for kk, vv in v.items() if kk != "result"} for k, v in st.items()},
           "fit_split_s": st["fit"]["result"].get("stage_seconds", {}),
           "pipeline_wall_s": round(total, 1), "peak_gb": max(s["peak_gb"] for s in st.values()),
           "uptime": subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()}
    print(f"  {n:,}: pipeline {total:.0f} s, peak {out['peak_gb']:.2f} GiB", flush=True)
    if jieba:
        t0 = time.perf_counter()
        r = subprocess.run(["/usr/bin/time", "-f", "%U %S", sys.executable, "-c", JIEBA_LOOP, str(base)],
                           capture_output=True, text=True, check=True)
        loop = float(r.stdout.split()[0])
        out["jieba_loop_s"] = round(loop, 1)
        out["jieba_loop_cpu_s"] = round(sum(map(float, r.stderr.strip().splitlines()[-1].split())), 1)
        out["pipeline_cpu_s"] = round(sum(s["cpu_s"] for s in st.values()), 1)
        out["ratio_pipeline_over_jieba"] = round(total / loop, 3)
        print(f"  {n:,}: plain jieba.lcut loop {loop:.0f} s ({time.perf_counter() - t0:.0f} s with start-up); "
              f"pipeline / loop = {total / loop:.2f} (bar <= 0.7; load avg {os.getloadavg()[0]:.1f}); CPU seconds: "
              f"pipeline {out['pipeline_cpu_s']} / loop {out['jieba_loop_cpu_s']}", flush=True)
    if keep:
        print(f"  {n:,}: workspace kept in {home}", flush=True)
    else:
        shutil.rmtree(home)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="1000000")
    ap.add_argument("--sample", type=int, default=None,
                    help="fit --sample (0 = all; default: fit's own, every comment up to 2,000,000)")
    ap.add_argument("--jieba", action="store_true")
    ap.add_argument("--keep", action="store_true", help="keep each size's workspace (to trace a stage afterwards)")
    a = ap.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    bench_build.OUT = OUT  # exports generated beside this benchmark's scratch
    for n in (int(s) for s in a.sizes.split(",")):
        res = run_size(n, a.sample, a.jieba, a.keep)
        with open(OUT / "results.jsonl", "a", encoding="utf-8") as f:
            f.write(json.dumps(res) + "\n")


if __name__ == "__main__":
    main()
