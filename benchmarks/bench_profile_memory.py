"""Peak RSS of ``fit`` and ``profile build`` against the corpus size, this tree vs an older one (issue 18).

    git archive HEAD | tar -x -C /tmp/base      # from the repo root: the code before, as a folder
    python benchmarks/bench_profile_memory.py --sizes 300000,1000000 --baseline-code /tmp/base [--fit-both]

For each size N: bench_build's generator (N comments, N/5 customers, 99 % of the rows), ``load``
and ``fit --topics 10 --sample 200000`` with this tree (``--fit-both``: ``fit`` with the baseline
code as well, this tree's model kept), then ``profile build`` with the baseline code and with this
tree, one after the other on the same workspace, each a fresh CLI process under ``/usr/bin/time``
(wall s, peak RSS), run from the scratch folder so each process imports the tree its PYTHONPATH
names. The two stores' ``export --table profiles`` CSVs are compared byte for byte. Scratch in
benchmarks/out/profile_memory/ (git-ignored); one JSON line per size in its results.jsonl.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_build

OUT = Path(__file__).resolve().parent / "out" / "profile_memory"
TREE = Path(__file__).resolve().parent.parent


def timed(args: list[str], home: Path, code: Path) -> dict:
    cmd = ["/usr/bin/time", "-f", "%e %M %U %S", sys.executable, "-m", "textprofile", *args, "--home", str(home), "--json"]
    env = {**os.environ, "PYTHONPATH": str(code)}
    r = subprocess.run(cmd, capture_output=True, text=True, check=False, cwd=OUT, env=env)
    if r.returncode != 0:
        raise SystemExit(f"{' '.join(args)} ({code}) failed:\n{r.stderr[-3000:]}")
    wall, rss_kb, user, sys_ = r.stderr.strip().splitlines()[-1].split()
    return {"wall_s": float(wall), "peak_gb": round(int(rss_kb) / 1024 / 1024, 3), "cpu_s": round(float(user) + float(sys_), 1),
            "load_avg": round(os.getloadavg()[0], 1), "result": json.loads(r.stdout)}


def profiles_digest(home: Path, code: Path) -> str:
    target = OUT / "profiles.csv"
    timed(["export", "big", "--table", "profiles", "--format", "csv", "-o", str(target)], home, code)
    digest = hashlib.sha256(target.read_bytes()).hexdigest()
    target.unlink()
    return digest


def run_size(n: int, baseline: Path, fit_both: bool, keep: bool) -> dict:
    base, _ = bench_build.make_exports(n // 5, n)
    home = OUT / f"home_{n}"
    out: dict = {"comments": n}
    if not (home / "models" / "big" / "manifest.json").is_file():
        shutil.rmtree(home, ignore_errors=True)
        home.mkdir(parents=True)
        out["load"] = timed(["load", str(base), "--name", "big", "--customer-col", "customer_id", "--text-col", "review",
                             "--time-col", "time", "--rating-col", "rating", "--channel", "review"], home, TREE)
        print(f"  {n:,}: load+tokenize {out['load']['wall_s']:.0f} s, {out['load']['peak_gb']:.2f} GB", flush=True)
        fit = ["fit", "big", "--topics", "10", "--sample", "200000"]
        if fit_both:
            out["fit_before"] = timed(fit, home, baseline)
            print(f"  {n:,}: fit before {out['fit_before']['wall_s']:.0f} s, {out['fit_before']['peak_gb']:.2f} GB", flush=True)
        out["fit"] = timed(fit, home, TREE)
        print(f"  {n:,}: fit {out['fit']['wall_s']:.0f} s, {out['fit']['peak_gb']:.2f} GB", flush=True)
    for label, code in (("profile_before", baseline), ("profile", TREE)):
        out[label] = timed(["profile", "build", "big"], home, code)
        out[label + "_digest"] = profiles_digest(home, TREE)
        print(f"  {n:,}: profile build {label}: {out[label]['wall_s']:.0f} s, {out[label]['cpu_s']:.0f} CPU s, "
              f"{out[label]['peak_gb']:.2f} GB (load avg {out[label]['load_avg']})", flush=True)
    out["same_profiles"] = out["profile_before_digest"] == out["profile_digest"]
    print(f"  {n:,}: profiles export identical: {out['same_profiles']}", flush=True)
    for v in out.values():
        if isinstance(v, dict):
            v.pop("result", None)
    if not keep:
        shutil.rmtree(home)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="300000,1000000")
    ap.add_argument("--baseline-code", type=Path, required=True, help="a folder holding the older textprofile package")
    ap.add_argument("--fit-both", action="store_true", help="fit with the baseline code too")
    ap.add_argument("--keep", action="store_true", help="keep each size's workspace (re-runs skip load and fit)")
    a = ap.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    bench_build.OUT = OUT
    for n in (int(s) for s in a.sizes.split(",")):
        res = run_size(n, a.baseline_code.resolve(), a.fit_both, a.keep)
        with open(OUT / "results.jsonl", "a", encoding="utf-8") as f:
            f.write(json.dumps(res) + "\n")


if __name__ == "__main__":
    main()
