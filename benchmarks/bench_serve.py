"""``textprofile serve`` under load, on loopback only, for a bounded time.

On the 1,000,000-customer store of bench_store.py (built there by its ``build`` and reused):
  1. ``ProfileStore.get`` on random ids in this process, one thread: the in-process rate;
  2. the real server (``python -m textprofile serve``, a subprocess) and C concurrent keep-alive
     clients for D seconds on ``GET /v1/models/{model}/customers/{id}`` with random ids:
     errors, p50/p99 latency, requests/s, and its ratio to (1);
  3. the same while the store is replaced (``--replacements``, default 2) the way ``update``
     replaces it (``patch_store``: a patched copy renamed into place, in another process), for
     at least D seconds and until 3 s after the last replacement: failed requests, and how
     many swaps the server logged.
``--schemathesis`` instead runs schemathesis against /openapi.json of a server on the bundled
demo corpus (built under benchmarks/out/demo), with a valid token: no 5xx, responses match.

    python benchmarks/bench_serve.py [--clients 32] [--seconds 20] [--workers 1] [--cache-mb MB]
    python benchmarks/bench_serve.py --schemathesis [--examples 50]

The load generator is a minimal asyncio HTTP/1.1 client in this process (httpx would spend
more CPU per request than the server on these 2 shared cores, and measure itself).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

import bench_store

TOKEN = "bench-token-" + "0123456789abcdef" * 2
N_CUSTOMERS = 1_000_000


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(home: Path, log: Path, *args: str) -> tuple[subprocess.Popen, int]:
    import httpx

    port = free_port()
    env = {**os.environ, "TEXTPROFILE_API_TOKENS": TOKEN,
           "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])}
    out = open(log, "wb")  # noqa: SIM115 - the server's log, open while it runs
    proc = subprocess.Popen([sys.executable, "-m", "textprofile", "serve", "--home", str(home), "--port", str(port), *args],
                            env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited: {log.read_text()[-2000:]}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=5).status_code == 200:
                return proc, port
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    stop_server(proc)
    raise SystemExit("server not ready after 120 s")


def stop_server(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


# -- load generator ---------------------------------------------------------------------------

async def _client(port: int, model: str, going, rng: random.Random, lat: list, errors: list) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    auth = f"Authorization: Bearer {TOKEN}\r\n"
    try:
        while going():
            cid = f"C{rng.randrange(N_CUSTOMERS):07d}"
            req = f"GET /v1/models/{model}/customers/{cid} HTTP/1.1\r\nHost: b\r\n{auth}\r\n".encode()
            t = time.perf_counter()
            try:
                writer.write(req)
                head = await reader.readuntil(b"\r\n\r\n")
                status = int(head.split(b" ", 2)[1])
                length = 0
                for line in head.split(b"\r\n"):
                    if line[:15].lower() == b"content-length:":
                        length = int(line[15:])
                body = await reader.readexactly(length)
            except (OSError, asyncio.IncompleteReadError, ValueError) as e:
                errors.append(repr(e))
                writer.close()
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
                continue
            lat.append((time.perf_counter() - t) * 1000)
            if status != 200:
                errors.append(f"{status} {body[:120]!r}")
    finally:
        writer.close()


def load(port: int, model: str, clients: int, seconds: float, seed: int = 0, busy=None) -> dict:
    """C clients for ``seconds``, and for as long as ``busy()`` is true."""
    lat: list[float] = []
    errors: list[str] = []

    async def main():
        until = time.perf_counter() + seconds

        def going() -> bool:
            return time.perf_counter() < until or (busy is not None and busy())

        await asyncio.gather(*(_client(port, model, going, random.Random(seed * 1000 + i), lat, errors)
                               for i in range(clients)))

    t = time.perf_counter()
    asyncio.run(main())
    wall = time.perf_counter() - t
    lat.sort()
    return {"requests": len(lat), "errors": errors, "rps": len(lat) / wall,
            "p50": statistics.median(lat) if lat else float("nan"),
            "p99": lat[int(0.99 * len(lat)) - 1] if lat else float("nan"), "max": lat[-1] if lat else float("nan")}


def group_cpu_seconds(pgid: int) -> float:
    """user+system CPU seconds of every process in the server's process group (workers too)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            if os.getpgid(int(pid)) != pgid:
                continue
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except (OSError, IndexError, ValueError):
            continue
    return total / tick


def in_process_rate(path: Path, seconds: float) -> tuple[float, float]:
    """(lookups per second, CPU seconds per lookup) of ``ProfileStore.get`` in one thread."""
    from textprofile.store.profile_store import ProfileStore

    rng = random.Random(1)
    with ProfileStore(path) as store:
        for _ in range(200):
            store.get(f"C{rng.randrange(N_CUSTOMERS):07d}")
        n, t, c = 0, time.perf_counter(), time.process_time()
        while time.perf_counter() - t < seconds:
            assert store.get(f"C{rng.randrange(N_CUSTOMERS):07d}") is not None
            n += 1
        return n / (time.perf_counter() - t), (time.process_time() - c) / n


REPLACER = """
import sys, time
from datetime import datetime, timedelta, timezone
from textprofile.store.profile_store import patch_store
path, n = sys.argv[1], int(sys.argv[2])
time.sleep(2)
for i in range(1, n + 1):
    as_of = datetime(2024, 1, 1, tzinfo=timezone.utc) + timedelta(days=i)
    t = time.time()
    patch_store(path, None, {"as_of": as_of.isoformat()})
    print(f"replacement {i} renamed into place after {time.time() - t:.1f} s of copying and patching", flush=True)
"""


def report(label: str, r: dict, base: float) -> None:
    print(f"{label}: {r['requests']:,} requests, {len(r['errors'])} errors, {r['rps']:.0f} req/s "
          f"(ratio to in-process ProfileStore.get {r['rps'] / base:.2f}), p50 {r['p50']:.1f} ms, "
          f"p99 {r['p99']:.1f} ms, max {r['max']:.0f} ms (bar p99 <= 50 ms: {'PASS' if r['p99'] <= 50 else 'FAIL'})")
    for e in r["errors"][:5]:
        print("   error:", e)


def bench_load(a) -> None:
    home = bench_store.OUT
    path = home / "models" / bench_store.NAME / "profiles.duckdb"
    if not path.exists():
        bench_store.build(path, N_CUSTOMERS, 20)
    base, base_cpu = in_process_rate(path, 5.0)
    print(f"in-process ProfileStore.get, one thread: {base:.0f} lookups/s")
    log = HERE / "out" / "serve_bench.log"
    cache = [] if a.cache_mb is None else ["--cache-mb", str(a.cache_mb)]
    proc, port = start_server(home, log, "--model", bench_store.NAME, "--workers", str(a.workers), *cache)
    try:
        if a.cache_mb != 0:  # steady state: each worker has read the store into memory (or declined to)
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline and log.read_text().count("preloaded") + log.read_text().count(
                    "not preloading") < a.workers:
                time.sleep(0.2)
            print("server log:", *[line.split(" INFO ")[-1] for line in log.read_text().splitlines()
                                   if "preload" in line], sep="\n   ")
        load(port, bench_store.NAME, a.clients, 2.0, seed=99)  # warm-up
        cpu0, self0 = group_cpu_seconds(proc.pid), time.process_time()
        r = load(port, bench_store.NAME, a.clients, a.seconds)
        cpu, own = group_cpu_seconds(proc.pid) - cpu0, time.process_time() - self0
        report(f"serve --workers {a.workers}, {a.clients} keep-alive clients, {a.seconds:.0f} s", r, base)
        print(f"CPU per request (unaffected by other processes' load): server {cpu / r['requests'] * 1000:.2f} ms, "
              f"load generator {own / r['requests'] * 1000:.2f} ms; in-process get {base_cpu * 1000:.2f} ms")
        if a.skip_swap:
            return
        rep = subprocess.Popen([sys.executable, "-c", REPLACER, str(path), str(a.replacements)], stdout=subprocess.PIPE,
                               text=True, env={**os.environ, "PYTHONPATH": str(REPO)})
        done: dict = {}

        def busy() -> bool:  # until 3 s after the last replacement
            if rep.poll() is None:
                return True
            done.setdefault("t", time.perf_counter())
            return time.perf_counter() - done["t"] < 3

        r = load(port, bench_store.NAME, a.clients, a.seconds, seed=7, busy=busy)
        out, _ = rep.communicate(timeout=600)
        swaps = out.strip().splitlines()
        report(f"same, while update's patch_store replaces the store {len(swaps)} times ({r['requests'] / r['rps']:.0f} s)", r, base)
        for line in swaps:
            print("  ", line)
        import httpx

        from textprofile.store.profile_store import ProfileStore

        with ProfileStore(path) as store:
            expected = store.get("C0000001")
        got = httpx.get(f"http://127.0.0.1:{port}/v1/models/{bench_store.NAME}/customers/C0000001",
                        headers={"Authorization": f"Bearer {TOKEN}"}).json()
        print(f"after the last replacement the server answers with the new store: {got == expected}")
        served = log.read_text().count("now serving the replaced store")
        print(f"server log: {served} swap(s) to a replaced store; failed requests during replacement: {len(r['errors'])}")
    finally:
        stop_server(proc)
        print(f"load average now: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


def bench_schemathesis(a) -> None:
    home = HERE / "out" / "demo"
    if not (home / "models" / "demo" / "profiles.duckdb").exists():
        env = {**os.environ, "PYTHONPATH": str(REPO)}
        subprocess.run([sys.executable, "-m", "textprofile", "demo", "--home", str(home)], check=True, env=env,
                       stdout=subprocess.DEVNULL)
    from textprofile.core.workspace import Workspace
    from textprofile.store.profile_store import ProfileStore

    with ProfileStore.open(Workspace.resolve(home), "demo") as store:
        some_id = store.export_profiles()["customer_id"].iloc[0]
    # model and customer id fixed to real ones, so the fuzzed queries and bodies reach real data
    # (unknown models and ids are the security tests' job)
    config = HERE / "out" / "schemathesis.toml"
    config.write_text(f'[parameters]\nmodel = "demo"\ncustomer_id = "{some_id}"\n', encoding="utf-8")
    proc, port = start_server(home, HERE / "out" / "serve_schemathesis.log")
    try:
        cmd = ["schemathesis", "--config-file", str(config), "run", f"http://127.0.0.1:{port}/openapi.json", "-H", f"Authorization: Bearer {TOKEN}",
               "-n", str(a.examples), "--generation-deterministic", "--checks", "all", "--request-timeout", "60"]
        t = time.perf_counter()
        # cwd: schemathesis keeps its case database in ./.schemathesis
        r = subprocess.run(cmd, capture_output=True, text=True, check=False, cwd=HERE / "out")
        print(r.stdout[-6000:])
        print(f"schemathesis exit {r.returncode} in {time.perf_counter() - t:.0f} s")
        log = (HERE / "out" / "serve_schemathesis.log").read_text()
        print(f"server log: {log.count(' 500 ')} responses with status 500, "
              f"{log.count('internal error')} internal errors")
    finally:
        stop_server(proc)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--clients", type=int, default=32)
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--cache-mb", type=int, default=None, help="passed to serve (default: serve's own)")
    ap.add_argument("--skip-swap", action="store_true")
    ap.add_argument("--replacements", type=int, default=2)
    ap.add_argument("--schemathesis", action="store_true")
    ap.add_argument("--examples", type=int, default=50)
    a = ap.parse_args()
    a.seconds = min(a.seconds, 120.0)  # bounded
    bench_schemathesis(a) if a.schemathesis else bench_load(a)


if __name__ == "__main__":
    main()
