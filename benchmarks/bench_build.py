"""Build and update bars: 200,000 customers / 1,000,000 comments.

Generates an export from the labelled Chinese reviews (online_shopping_10_cats): 200k customers,
1M comments (1 + Poisson(4) per customer), random times over a year, ratings. 1% of the rows
(seeded) are held back as ``new.csv``. Then, each stage as its own CLI process under
``/usr/bin/time`` (wall seconds and peak RSS):

  full run = load (+tokenize) -> fit --topics 10 -> profile build     on the other 99%
  update   = textprofile update NAME new.csv                          (the 1%)

and prints the profile-build time and peak memory (bars: < 120 s, < 3 GB) and update / full-run
time (bar: < 5%) side by side.

    python benchmarks/bench_build.py [--customers 200000] [--comments 1000000] [--keep]
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "chinese_labelled_reviews_zh" / "online_shopping_10_cats.csv.gz"
OUT = Path(__file__).resolve().parent / "out" / "build"
NAME = "big"


def make_exports(n_customers: int, n_comments: int, seed: int = 0) -> tuple[Path, Path]:
    base, new = OUT / f"base_{n_comments}.csv", OUT / f"new_{n_comments}.csv"
    if base.exists() and new.exists():
        return base, new
    with gzip.open(DATA, "rt", encoding="utf-8") as f:
        reviews = pd.read_csv(f).dropna(subset=["review"])
    texts = reviews["review"].to_numpy(dtype=object)
    rng = np.random.default_rng(seed)
    per = 1 + rng.poisson(n_comments / n_customers - 1, n_customers)
    per = np.maximum(1, np.round(per * n_comments / per.sum()).astype(int))
    cust = np.repeat(np.arange(n_customers), per)[:n_comments]
    n = len(cust)
    start = np.datetime64("2024-01-01T00:00:00")
    times = start + rng.integers(0, 365 * 24 * 3600, n).astype("timedelta64[s]")
    df = pd.DataFrame({
        "customer_id": [f"c{c:06d}" for c in cust],
        "review": texts[rng.integers(0, len(texts), n)],
        "time": pd.Series(times).dt.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "rating": rng.integers(1, 6, n),
    })
    held = np.zeros(n, dtype=bool)
    held[rng.choice(n, n // 100, replace=False)] = True
    OUT.mkdir(parents=True, exist_ok=True)
    df[~held].to_csv(base, index=False)
    df[held].to_csv(new, index=False)
    return base, new


def timed(args: list[str], home: Path) -> tuple[float, float, dict]:
    """Run ``textprofile ARGS --home HOME --json``; return (wall s, peak RSS GB, JSON result)."""
    cmd = ["/usr/bin/time", "-f", "%e %M", sys.executable, "-m", "textprofile", *args, "--home", str(home), "--json"]
    r = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if r.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{r.stderr[-3000:]}")
    wall, rss_kb = r.stderr.strip().splitlines()[-1].split()
    return float(wall), int(rss_kb) / 1024 / 1024, json.loads(r.stdout)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--customers", type=int, default=200_000)
    ap.add_argument("--comments", type=int, default=1_000_000)
    ap.add_argument("--keep", action="store_true", help="reuse a loaded and fitted corpus from a previous run")
    a = ap.parse_args()
    t = time.perf_counter()
    base, new = make_exports(a.customers, a.comments)
    print(f"exports: {base.name} / {new.name} ({time.perf_counter() - t:.0f} s to generate)", flush=True)
    home = OUT / f"home_{a.comments}"
    stages = {}
    state = home / "stages.json"
    if a.keep and state.exists():
        stages = json.loads(state.read_text())
    else:
        if home.exists():
            shutil.rmtree(home)
        home.mkdir(parents=True)
        stages["load"] = timed(["load", str(base), "--name", NAME, "--customer-col", "customer_id",
                                "--text-col", "review", "--time-col", "time", "--rating-col", "rating",
                                "--channel", "review"], home)[:2]
        print(f"load+tokenize: {stages['load'][0]:.0f} s, peak {stages['load'][1]:.2f} GB", flush=True)
        stages["fit"] = timed(["fit", NAME, "--topics", "10"], home)[:2]
        print(f"fit K=10: {stages['fit'][0]:.0f} s, peak {stages['fit'][1]:.2f} GB", flush=True)
        state.write_text(json.dumps(stages))
    build_s, build_gb, res = timed(["profile", "build", NAME], home)
    print(f"profile build: {build_s:.1f} s, peak {build_gb:.2f} GB; {res['customers']:,} customers, "
          f"{res['comments_used']:,} comments (in-process {res['seconds']} s)", flush=True)
    snapshot = home.with_name(home.name + "_before_update")
    if snapshot.exists():
        shutil.rmtree(snapshot)
    shutil.copytree(home, snapshot)  # so the update can be re-measured with --keep
    upd_s, upd_gb, upd = timed(["update", NAME, str(new)], home)
    shutil.rmtree(home)
    os.replace(snapshot, home)
    full = stages["load"][0] + stages["fit"][0] + build_s
    print(f"update 1%: {upd_s:.1f} s, peak {upd_gb:.2f} GB; {upd['comments_added']:,} comments added, "
          f"{upd['customers_changed']:,} customers changed")
    print(f"full run (load+fit+profile) {full:.0f} s; update/full = {upd_s / full:.3f} "
          f"(bar < 0.05: {'PASS' if upd_s / full < 0.05 else 'FAIL'})")
    print(f"profile build bar (< 120 s, < 3 GB): {'PASS' if build_s < 120 and build_gb < 3 else 'FAIL'} "
          f"(time ratio {build_s / 120:.2f}, memory ratio {build_gb / 3:.2f})")


if __name__ == "__main__":
    main()
