"""Scale bars for ``--backend spark``: local[2] against the local backend, side by side, one run.

bench_build's generator (labelled Chinese reviews, 1 + Poisson(4) comments per customer, a year of
times, ratings) at each size (default 1M; the issue asks 1, 2 and 4 million), written as 4 CSV
part files (``--files N``; the Spark loader reads each file whole, in one task). For each backend, each stage is its own
CLI process: load (+tokenize) -> fit --topics 10 -> profile build. Printed per stage: wall
seconds, the ratio spark/local, and the peak RSS of the Python driver process itself
(``VmHWM`` of that process; the JVM, which in local mode also runs the executors, is reported apart
as "children": the largest ``VmHWM`` of a process still running below the driver at its end).

    python benchmarks/bench_spark.py [--sizes 1000000,2000000,4000000] [--partitions 16]
        [--backends local,spark] [--event-log DIR] [--spark-conf KEY=VALUE ...] [--sample N] [--files N]
        [--profile-only | --load-only]

``--event-log DIR`` turns on Spark's own event log (``spark.eventLog.enabled``) and prints, after
each Spark stage, where its time went: the wall time inside Spark jobs against the rest (JVM
start, imports, the driver's own work such as the engine's training), and each job's call site,
duration, tasks and the Python workers' time (Spark's ``time to run Python workers`` and
``time to initialize Python workers`` metrics), slowest first.
"""

from __future__ import annotations

import argparse
import json
import os
import re
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
wall = time.perf_counter() - t
# the driver's own peak: VmHWM of this process's address space. Not ru_maxrss: Linux carries the
# parent's high-water mark into a vfork+exec child, so ru_maxrss would report at least the
# benchmark's own peak (its generated export: 2.6 GB at 4 million comments)
self_kb = int([ln for ln in open("/proc/self/status") if ln.startswith("VmHWM")][0].split()[1])
# CPU seconds of this process and every process below it (the JVM, which reaps the Python
# workers' daemon, which reaps the workers), read from /proc while the JVM is still up: a
# machine shared with other jobs stretches wall time much more than CPU time
import os
tick = os.sysconf("SC_CLK_TCK")
kids, cpu = {}, 0.0
for d in os.listdir("/proc"):
    if d.isdigit():
        try:
            f = open(f"/proc/{d}/stat").read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        kids.setdefault(int(f[1]), []).append((int(d), sum(int(x) for x in f[11:15]) / tick))
todo, child_kb = [os.getpid()], 0
while todo:
    for pid, s in kids.get(todo.pop(), []):
        cpu += s
        todo.append(pid)
        try:  # the largest peak of a process still up below this one (the JVM; reaped ones are gone)
            status = open(f"/proc/{pid}/status").read().split("VmHWM:")
            child_kb = max(child_kb, int(status[1].split()[0]) if len(status) > 1 else 0)
        except OSError:
            pass
u = resource.getrusage(resource.RUSAGE_SELF)
c = resource.getrusage(resource.RUSAGE_CHILDREN)
cpu += u.ru_utime + u.ru_stime + c.ru_utime + c.ru_stime
print(f"@@bench {wall:.2f} {self_kb} {child_kb} {cpu:.1f}", file=sys.stderr)
sys.exit(code)
"""


def split(base: Path, parts: int) -> list[Path]:
    """The export as ``parts`` CSV files with the same header (cached beside it)."""
    out = [base.with_name(f"{base.stem}.part{i}of{parts}.csv") for i in range(parts)]
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
    wall, self_kb, child_kb, cpu = line[-1].split()[1:]
    return {"wall": float(wall), "driver_gb": int(self_kb) / 2**20, "children_gb": int(child_kb) / 2**20,
            "cpu": float(cpu), "result": json.loads(r.stdout)}


PY_RUN, PY_CODE = "time to run Python workers", "time to execute Python code"  # Spark's SQL metrics (ms)


def jobs_summary(log: Path) -> dict:
    """One event log's Spark actions (SQL executions) in time order, with their jobs' wall time, tasks,
    task time and the Python workers' time (summed from the tasks' metric updates)."""
    actions: dict = {}
    job_action: dict[int, object] = {}
    stage_job: dict[int, int] = {}
    jobs: dict[int, list] = {}
    app = [None, None]
    files = sorted(log.glob("events_*")) if log.is_dir() else [log]  # Spark 4 writes a directory (v2 log)
    for line in (ln for f in files for ln in f.read_text(encoding="utf-8").splitlines()):
        e = json.loads(line)
        kind = e.get("Event", "")
        if kind == "SparkListenerApplicationStart":
            app[0] = e["Timestamp"]
        elif kind == "SparkListenerApplicationEnd":
            app[1] = e["Timestamp"]
        elif kind.endswith("SparkListenerSQLExecutionStart"):
            label = e["description"]
            target = re.search(r"Arguments: file:(\S+?),", e.get("physicalPlanDescription", ""))
            if target:  # a write: name its dataset
                label += " -> " + "/".join(target.group(1).split("/")[-2:])
            actions[e["executionId"]] = {"label": label, "jobs": 0, "s": 0.0, "tasks": 0, "run": 0.0,
                                         "python": 0.0, "code": 0.0, "start": e["time"]}
        elif kind == "SparkListenerJobStart":
            props = e.get("Properties") or {}
            sql = props.get("spark.sql.execution.id")
            key = int(sql) if sql is not None and int(sql) in actions else f"job {e['Job ID']}"
            if key not in actions:
                actions[key] = {"label": props.get("callSite.short", "?"), "jobs": 0, "s": 0.0, "tasks": 0,
                                "run": 0.0, "python": 0.0, "code": 0.0, "start": e["Submission Time"]}
            job_action[e["Job ID"]] = key
            jobs[e["Job ID"]] = [e["Submission Time"], None]
            for st in e["Stage IDs"]:
                stage_job.setdefault(st, e["Job ID"])
        elif kind == "SparkListenerJobEnd":
            t0 = jobs[e["Job ID"]][0]
            a = actions[job_action[e["Job ID"]]]
            a["jobs"] += 1
            a["s"] += (e["Completion Time"] - t0) / 1e3
            a["end"] = max(a.get("end", 0), e["Completion Time"])
        elif kind == "SparkListenerTaskEnd":
            job = stage_job.get(e["Stage ID"])
            if job is None or job not in job_action:
                continue
            a = actions[job_action[job]]
            a["tasks"] += 1
            if e.get("Task Metrics"):
                a["run"] += e["Task Metrics"]["Executor Run Time"] / 1e3
            for acc in e["Task Info"].get("Accumulables", []):
                if acc.get("Name") == PY_RUN:
                    a["python"] += float(acc.get("Update") or 0) / 1e3
                elif acc.get("Name") == PY_CODE:
                    a["code"] += float(acc.get("Update") or 0) / 1e3
    done = sorted((a for a in actions.values() if a["jobs"]), key=lambda a: a["start"])
    last = app[0]
    for a in done:  # the driver's time between actions (its own work, or waiting on nothing)
        a["gap"] = max(0.0, (a["start"] - last) / 1e3) if last is not None else 0.0
        last = max(last or 0, a["end"])
    return {"app_s": (app[1] - app[0]) / 1e3 if None not in app else None,
            "jobs_s": sum(a["s"] for a in done), "n_jobs": sum(a["jobs"] for a in done), "actions": done,
            "tail_s": (app[1] - last) / 1e3 if None not in app else None}


def print_jobs(summary: dict, top: int = 40) -> None:
    """The actions in time order (the ``top`` slowest; the rest summed)."""
    acts = summary["actions"]
    app = summary["app_s"] or 0.0
    print(f"    spark app {app:.1f} s: {len(acts)} actions, {summary['n_jobs']} jobs, {summary['jobs_s']:.1f} s "
          f"in jobs, {app - summary['jobs_s']:.1f} s outside them (session start, the driver's own work); "
          f"python workers {sum(a['python'] for a in acts):.1f} s (python code "
          f"{sum(a['code'] for a in acts):.1f} s) of {sum(a['run'] for a in acts):.1f} s task time", flush=True)
    keep = {id(a) for a in sorted(acts, key=lambda a: -a["s"])[:top]}
    rest = [a for a in acts if id(a) not in keep]
    for a in acts:
        if id(a) in keep:
            print(f"    +{a['gap']:5.1f} s  {a['s']:6.1f} s {a['jobs']:2d} job(s) {a['tasks']:4d} tasks  task {a['run']:6.1f} s  "
                  f"python {a['python']:6.1f} s (code {a['code']:6.1f} s)  {a['label']}", flush=True)
    if rest:
        print(f"    {sum(a['s'] for a in rest):6.1f} s in {len(rest)} more actions", flush=True)
    print(f"    +{summary['tail_s'] or 0:5.1f} s  after the last job, to the session's end", flush=True)


def run_backend(files: list[Path], home: Path, spark: list[str], event_log: Path | None = None,
                sample: int | None = None, profile_only: bool = False, load_only: bool = False) -> dict[str, dict]:
    if profile_only:
        if not (home / "models" / NAME).is_dir():
            sys.exit(f"error: {home} holds no fitted model {NAME!r} — run this size without --profile-only first")
    else:
        if home.exists():
            shutil.rmtree(home)
        home.mkdir(parents=True)
    load = ["load", *map(str, files), "--name", NAME, "--customer-col", "customer_id", "--text-col", "review",
            "--time-col", "time", "--rating-col", "rating", "--channel", "review"]
    fit = ["fit", NAME, "--topics", "10", *(["--sample", str(sample)] if sample else [])]
    out = {}
    stages = (("load", load), ("fit", fit), ("profile", ["profile", "build", NAME]))
    for key, args in stages[2:] if profile_only else stages[:1] if load_only else stages:
        seen = set(event_log.iterdir()) if event_log is not None else set()
        out[key] = stage(args + spark, home)
        print(f"  {key:8s} {out[key]['wall']:8.1f} s  cpu {out[key]['cpu']:7.1f} s  driver {out[key]['driver_gb']:.2f} GB  "
              f"children {out[key]['children_gb']:.2f} GB  (load average {os.getloadavg()[0]:.1f})", flush=True)
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
    ap.add_argument("--sample", type=int, default=None,
                    help="fit --sample N for both backends (default: fit's own); the engine, on the driver, "
                         "holds the sample, so a fixed N below the smallest size shows what grows with the corpus")
    ap.add_argument("--profile-only", action="store_true",
                    help="only profile build, again, on the workspaces an earlier run left in benchmarks/out/spark/")
    ap.add_argument("--load-only", action="store_true",
                    help="only load (a fresh workspace): the export reading's time and memory, e.g. with --files 1")
    ap.add_argument("--files", type=int, default=4, help="CSV part files per export (the Spark loader reads a file "
                                                          "per task, whole)")
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
    table, drivers = {}, {}
    for n in [int(s) for s in a.sizes.split(",")]:
        files = [] if a.profile_only else split(make_exports(n // 5, n)[0], a.files)
        print(f"{n:,} comments " + ("(profile build again, on the workspace an earlier run left)" if a.profile_only
                                    else f"({len(files)} files)"), flush=True)
        local = remote = None
        if "local" in backends:
            print(" local:", flush=True)
            local = run_backend(files, OUT / f"local_{n}", [], sample=a.sample, profile_only=a.profile_only,
                                load_only=a.load_only)
        if "spark" in backends:
            print(" spark local[2]:", flush=True)
            remote = run_backend(files, OUT / f"spark_{n}", spark, a.event_log, a.sample, a.profile_only, a.load_only)
            drivers[n] = remote
        if local is None or remote is None or a.profile_only or a.load_only:
            continue
        table[n] = (local, remote)
        for key in ("load", "fit", "profile"):
            lo, sp = local[key], remote[key]
            print(f"  {key:8s} local {lo['wall']:7.1f} s  spark {sp['wall']:7.1f} s  ratio {sp['wall'] / lo['wall']:.2f}  "
                  f"cpu local {lo['cpu']:.0f} s spark {sp['cpu']:.0f} s  "
                  f"driver RSS local {lo['driver_gb']:.2f} GB spark {sp['driver_gb']:.2f} GB", flush=True)
        print(f"  the fit trained on {remote['fit']['result']['n_modelled']:,} comments (spark; local "
              f"{local['fit']['result']['n_modelled']:,}); {remote['profile']['result']['customers']:,} customers",
              flush=True)
        lt = sum(local[k]["wall"] for k in local)
        st = sum(remote[k]["wall"] for k in remote)
        print(f"  full run local {lt:.0f} s, spark {st:.0f} s, ratio {st / lt:.2f}", flush=True)
    if len(drivers) > 1:
        sizes = sorted(drivers)
        for key in ("profile",) if a.profile_only else ("load",) if a.load_only else ("load", "fit", "profile"):
            peaks = [drivers[n][key]["driver_gb"] for n in sizes]
            growth = peaks[-1] / peaks[0] - 1
            print(f"driver peak RSS, spark {key}: " + ", ".join(f"{n:,}: {p:.2f} GB" for n, p in zip(sizes, peaks))
                  + f" -> growth {growth:+.0%} (bar: within 15%: {'PASS' if abs(growth) <= 0.15 else 'FAIL'})")


if __name__ == "__main__":
    main()
