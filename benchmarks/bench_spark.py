"""Scale bars for ``--backend spark``: local[2] against the local backend, side by side, one run.

bench_build's generator (labelled Chinese reviews, 1 + Poisson(4) comments per customer, a year of
times, ratings) at each size (default 1M; the issue asks 1, 2 and 4 million), written as 4 CSV
part files (the Spark loader reads one file per task). For each backend, each stage is its own
CLI process: load (+tokenize) -> fit --topics 10 -> profile build. Printed per stage: wall
seconds, the ratio spark/local, and the peak RSS of the Python driver process itself
(``ru_maxrss`` of that process: the JVM, which in local mode also runs the executors, and the
Python workers are reported apart as "children").

    python benchmarks/bench_spark.py [--sizes 1000000,2000000,4000000] [--partitions 16]
        [--backends local,spark] [--event-log DIR] [--spark-conf KEY=VALUE ...]

``--event-log DIR`` turns on Spark's own event log (``spark.eventLog.enabled``) and prints, after
each Spark stage, where its time went: the wall time inside Spark jobs against the rest (JVM
start, imports, the driver's own work such as the engine's training), and each job's call site,
duration, tasks and the Python workers' time (Spark's ``time to run Python workers`` and
``time to initialize Python workers`` metrics), slowest first.
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


def jobs_summary(log: Path) -> dict:
    """Spark jobs of one event log: [(call site, seconds, tasks, python s, python init s)], their wall time."""
    jobs: dict[int, dict] = {}
    stage_job: dict[int, int] = {}
    app = [None, None]
    for line in log.read_text(encoding="utf-8").splitlines():
        e = json.loads(line)
        kind = e.get("Event")
        if kind == "SparkListenerApplicationStart":
            app[0] = e["Timestamp"]
        elif kind == "SparkListenerApplicationEnd":
            app[1] = e["Timestamp"]
        elif kind == "SparkListenerJobStart":
            props = e.get("Properties") or {}
            site = props.get("callSite.short") or e["Stage Infos"][-1]["Stage Name"]
            jobs[e["Job ID"]] = {"site": site, "start": e["Submission Time"], "end": None, "tasks": 0,
                                 "python": 0.0, "init": 0.0, "run": 0.0}
            for st in e["Stage IDs"]:
                stage_job.setdefault(st, e["Job ID"])
        elif kind == "SparkListenerJobEnd":
            jobs[e["Job ID"]]["end"] = e["Completion Time"]
        elif kind == "SparkListenerStageCompleted":
            info = e["Stage Info"]
            job = jobs.get(stage_job.get(info["Stage ID"], -1))
            if job is None or "Submission Time" not in info:
                continue
            job["tasks"] += info["Number of Tasks"]
            for acc in info.get("Accumulables", []):
                name, value = acc.get("Name"), acc.get("Value")
                if name == "time to run Python workers":
                    job["python"] += float(value) / 1e3
                elif name == "time to initialize Python workers":
                    job["init"] += float(value) / 1e3
        elif kind == "SparkListenerTaskEnd":
            job = jobs.get(stage_job.get(e["Stage ID"], -1))
            if job is not None and e.get("Task Metrics"):
                job["run"] += e["Task Metrics"]["Executor Run Time"] / 1e3
    done = [j for j in jobs.values() if j["end"] is not None]
    return {"app_s": (app[1] - app[0]) / 1e3 if None not in app else None,
            "jobs_s": sum(j["end"] - j["start"] for j in done) / 1e3, "n_jobs": len(done),
            "jobs": sorted(({**j, "s": (j["end"] - j["start"]) / 1e3} for j in done), key=lambda j: -j["s"])}


def print_jobs(summary: dict, top: int = 12) -> None:
    print(f"    spark app {summary['app_s'] or 0:.1f} s, {summary['n_jobs']} jobs {summary['jobs_s']:.1f} s "
          f"(outside jobs: {(summary['app_s'] or 0) - summary['jobs_s']:.1f} s)", flush=True)
    by_site: dict[str, list] = {}
    for j in summary["jobs"]:
        agg = by_site.setdefault(j["site"], [0, 0.0, 0, 0.0, 0.0, 0.0])
        agg[0] += 1
        agg[1] += j["s"]
        agg[2] += j["tasks"]
        agg[3] += j["run"]
        agg[4] += j["python"]
        agg[5] += j["init"]
    for site, (n, s, tasks, run, py, init) in sorted(by_site.items(), key=lambda kv: -kv[1][1])[:top]:
        print(f"    {s:7.1f} s  {n:2d} job(s) {tasks:4d} tasks  task time {run:7.1f} s  python {py:7.1f} s "
              f"(init {init:5.1f} s)  {site}", flush=True)


def run_backend(files: list[Path], home: Path, spark: list[str], event_log: Path | None = None
                ) -> dict[str, dict]:
    if home.exists():
        shutil.rmtree(home)
    home.mkdir(parents=True)
    load = ["load", *map(str, files), "--name", NAME, "--customer-col", "customer_id", "--text-col", "review",
            "--time-col", "time", "--rating-col", "rating", "--channel", "review"]
    out = {}
    for key, args in (("load", load), ("fit", ["fit", NAME, "--topics", "10"]), ("profile", ["profile", "build", NAME])):
        seen = set(event_log.iterdir()) if event_log is not None else set()
        out[key] = stage(args + spark, home)
        print(f"  {key:8s} {out[key]['wall']:8.1f} s  driver {out[key]['driver_gb']:.2f} GB  "
              f"children {out[key]['children_gb']:.2f} GB", flush=True)
        if event_log is not None:
            for log in sorted(set(event_log.iterdir()) - seen):
                out[key]["jobs"] = jobs_summary(log)
                print_jobs(out[key]["jobs"])
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="1000000")
    ap.add_argument("--partitions", type=int, default=16, help="spark.sql.shuffle.partitions")
    ap.add_argument("--driver-memory", default="3g", help="spark.driver.memory (the JVM, with the executors in local mode)")
    ap.add_argument("--backends", default="local,spark", help="which backends to run: local,spark (default both)")
    ap.add_argument("--event-log", type=Path, default=None,
                    help="write Spark's event log here and print each stage's Spark jobs")
    ap.add_argument("--spark-conf", action="append", default=[], help="more KEY=VALUE settings for the session")
    a = ap.parse_args()
    backends = a.backends.split(",")
    spark = ["--backend", "spark", "--spark-master", "local[2]",
             "--spark-conf", f"spark.sql.shuffle.partitions={a.partitions}",
             "--spark-conf", f"spark.driver.memory={a.driver_memory}", "--spark-conf", "spark.ui.enabled=false"]
    if a.event_log is not None:
        a.event_log = a.event_log.resolve()
        a.event_log.mkdir(parents=True, exist_ok=True)
        spark += ["--spark-conf", "spark.eventLog.enabled=true", "--spark-conf", f"spark.eventLog.dir={a.event_log.as_uri()}",
                  "--spark-conf", "spark.eventLog.compress=false"]
    for kv in a.spark_conf:
        spark += ["--spark-conf", kv]
    table = {}
    for n in [int(s) for s in a.sizes.split(",")]:
        base, _ = make_exports(n // 5, n)
        files = split(base, 4)
        print(f"{n:,} comments ({len(files)} files)", flush=True)
        local = remote = None
        if "local" in backends:
            print(" local:", flush=True)
            local = run_backend(files, OUT / f"local_{n}", [])
        if "spark" in backends:
            print(" spark local[2]:", flush=True)
            remote = run_backend(files, OUT / f"spark_{n}", spark, a.event_log)
        if local is None or remote is None:
            continue
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
