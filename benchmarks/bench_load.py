"""Benchmark ``textprofile load`` on a generated 2-million-row CSV: wall time and peak memory.

Run by hand (not a test):  python benchmarks/bench_load.py [--rows 2000000] [--keep] [--baseline-code DIR]

Writes benchmarks/out/load_2m.csv (deterministic; reused when present) and loads it with
``textprofile load --no-tokenize --json`` under ``/usr/bin/time -v``, then, side by side in the
same run, reads it with plain ``pandas.read_csv(dtype=str)`` (the non-chunked baseline) and prints
both peak RSS figures (from /usr/bin/time and from ru_maxrss) and the ratios.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

OUT = Path(__file__).resolve().parent / "out"

ZH = ["电池续航很好", "快递太慢了", "这款面霜很滋润", "尺码偏小一号", "申请退款一直没处理", "屏幕很清晰",
      "客服态度不错", "物流很快第二天就到了", "颜色和图片一样", "质量一般般", "性价比很高", "包装破损了"]
EN = ["battery life is great", "delivery took two weeks", "this moisturizer is lovely",
      "runs one size small", "still waiting for my refund", "the screen is sharp",
      "support was helpful", "arrived the next day", "color matches the photo",
      "quality is so-so", "great value for money", "the box was damaged"]
CHANNELS = ["review", "chat", "social"]


def generate(path: Path, rows: int, seed: int = 0) -> None:
    """A realistic-ish export: 200k customers, zh/en/mixed texts, some PII, ~1% exact duplicates."""
    rng = random.Random(seed)
    tmp = path.with_suffix(".tmp")
    t0 = 1_700_000_000
    with open(tmp, "w", encoding="utf-8", newline="") as f:
        f.write("customer_id,text,time,channel,rating\n")
        prev = None
        for i in range(rows):
            if prev is not None and rng.random() < 0.01:
                f.write(prev)
                continue
            cust = f"{rng.randrange(200_000):06d}"
            kind = rng.random()
            if kind < 0.45:
                text = "，".join(rng.choice(ZH) for _ in range(rng.randint(1, 4)))
            elif kind < 0.85:
                text = ". ".join(rng.choice(EN) for _ in range(rng.randint(1, 4)))
            else:
                text = rng.choice(ZH) + " " + rng.choice(EN) + " iPhone 15"
            if rng.random() < 0.02:
                text += f" 电话 138{rng.randrange(10**8):08d}"
            if rng.random() < 0.01:
                text += f" mail me at user{i}@example.com"
            ts = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(t0 + rng.randrange(15_000_000)))
            line = f'{cust},"{text}",{ts},{rng.choice(CHANNELS)},{rng.randint(1, 5)}\n'
            f.write(line)
            prev = line
    os.replace(tmp, path)


def run_timed(cmd: list[str], env: dict | None = None, cwd: str | Path | None = None) -> dict:
    """Run under /usr/bin/time -v; return wall seconds, peak RSS (MB) from time -v and ru_maxrss.

    ``cwd``: ``python -m textprofile`` imports the package from the working directory before
    PYTHONPATH, so a baseline tree must be run from its own folder (and this tree from its root)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    with tempfile.NamedTemporaryFile("r", suffix=".time") as tf:
        full = ["/usr/bin/time", "-v", "-o", tf.name, *cmd] if Path("/usr/bin/time").exists() else cmd
        t = time.perf_counter()
        proc = subprocess.run(full, check=False, capture_output=True, text=True, env=env, cwd=cwd)
        wall = time.perf_counter() - t
        report = Path(tf.name).read_text() if full[0] == "/usr/bin/time" else ""
    if proc.returncode != 0:
        sys.exit(f"command failed ({proc.returncode}): {' '.join(cmd)}\n{proc.stderr[-2000:]}")
    m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", report)
    after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return {
        "wall_s": round(wall, 1),
        "time_v_max_rss_mb": round(int(m.group(1)) / 1024, 1) if m else None,
        # ru_maxrss of children is the max over all children so far, and at least this benchmark's own
        # peak (Linux keeps the parent's high-water mark through vfork+exec): a floor, only meaningful
        # when it grew; time -v's figure has no such floor (GNU time, a small process, forks the command)
        "ru_maxrss_mb": round(after / 1024, 1) if after > before else None,
        "time_v_elapsed": (re.search(r"Elapsed \(wall clock\) time.*: (\S+)", report) or [None, None])[1],
        # CPU seconds: on a shared machine wall time depends on the other jobs, CPU time less so
        "cpu_s": round(sum(float(x) for x in re.findall(r"(?:User|System) time \(seconds\): ([\d.]+)", report)), 1),
        "stdout": proc.stdout,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=2_000_000)
    ap.add_argument("--keep", action="store_true", help="keep the loaded corpus under benchmarks/out/")
    ap.add_argument("--baseline-code", default=None,
                    help="a folder holding an older textprofile/ package: load with it too, same run")
    args = ap.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    csv_path = OUT / f"load_{args.rows}.csv"
    if not csv_path.exists():
        t = time.perf_counter()
        generate(csv_path, args.rows)
        print(f"generated {csv_path} ({csv_path.stat().st_size / 1e6:.0f} MB) in {time.perf_counter() - t:.1f}s")
    size_mb = csv_path.stat().st_size / 1e6
    home = OUT / "home"
    root = Path(__file__).resolve().parents[1]
    load = run_timed([sys.executable, "-m", "textprofile", "load", str(csv_path), "--name", "bench",
                      "--no-tokenize", "--json", "--home", str(home)], cwd=root)
    summary = json.loads(load.pop("stdout"))
    baseline = run_timed([sys.executable, "-c",
                          "import sys, pandas as pd; df = pd.read_csv(sys.argv[1], dtype=str); print(len(df))",
                          str(csv_path)])
    baseline.pop("stdout")
    print(f"input: {csv_path.name}, {args.rows:,} rows, {size_mb:.0f} MB; load average {os.getloadavg()[0]:.1f}")
    print("load counts:", json.dumps(summary["counts"], sort_keys=True))
    print(f"customers: {summary['customers']:,}; languages: {summary['languages']}")
    print(f"textprofile load --no-tokenize : {load}")
    print(f"  {args.rows / max(load['cpu_s'], 0.1):,.0f} rows per CPU-second")
    if args.baseline_code:
        base = Path(args.baseline_code).resolve()
        env = {**os.environ, "PYTHONPATH": str(base)}
        old = run_timed([sys.executable, "-m", "textprofile", "load", str(csv_path), "--name", "bench_old",
                         "--no-tokenize", "--json", "--home", str(home)], env=env, cwd=base)
        where = subprocess.run([sys.executable, "-c", "import textprofile; print(textprofile.__file__)"], env=env,
                               cwd=base, capture_output=True, text=True, check=True).stdout.strip()
        print(f"baseline package: {where}")
        old_counts = json.loads(old.pop("stdout"))["counts"]
        print(f"baseline code {args.baseline_code}: {old}; counts equal: {old_counts == summary['counts']}")
        print(f"  {args.rows / max(old['cpu_s'], 0.1):,.0f} rows per CPU-second; now/baseline CPU "
              f"{load['cpu_s'] / max(old['cpu_s'], 0.1):.2f}x (load average {os.getloadavg()[0]:.1f})")
    print(f"pandas.read_csv(dtype=str)     : {baseline}")
    if load["time_v_max_rss_mb"] and baseline["time_v_max_rss_mb"]:
        print(f"ratio load/pandas: time {load['wall_s'] / baseline['wall_s']:.2f}x, "
              f"CPU {load['cpu_s'] / max(baseline['cpu_s'], 0.1):.2f}x, "
              f"peak RSS {load['time_v_max_rss_mb'] / baseline['time_v_max_rss_mb']:.2f}x")
        print(f"load throughput: {args.rows / load['wall_s']:,.0f} rows/s; "
              f"peak RSS {load['time_v_max_rss_mb']:.0f} MB (bar: well under 2048 MB)")
    if not args.keep:
        import shutil

        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
