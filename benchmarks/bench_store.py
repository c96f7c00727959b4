"""Lookup bar: ``ProfileStore.get`` p99 on a 1,000,000-customer store, and ``profile show`` wall time.

Generates a synthetic store (random behaviour, Dirichlet topic shares, keywords) under
benchmarks/out/ (reused when present), then measures in one run, side by side:
  - in-process ``get`` latency over 2,000 random ids (p50/p99), a miss with suggestions, ``similar``
    (p50/p99 over 500 ids, on the neighbour index built with the store; and its recall of the
    exact top 10 over 100 ids) and ``audience --like``;
  - ``textprofile profile show ID --model NAME`` and ``--json``, ``profile similar`` and
    ``audience --like`` (100 seeds) wall time (fresh processes),
    next to ``python -c pass`` as the interpreter's own start-up floor.

    python benchmarks/bench_store.py [--customers 1000000] [--topics 20] [--rebuild]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

OUT = Path(__file__).resolve().parent / "out" / "store"
NAME = "bench1m"


def build(path: Path, n: int, k: int, seed: int = 0) -> None:
    import numpy as np
    import pandas as pd

    from textprofile.profiles.behaviour import BEHAVIOUR_COLUMNS
    from textprofile.profiles.similarity import W_TOPICS
    from textprofile.store.profile_store import ProfileTables, write_store

    rng = np.random.default_rng(seed)
    ids = np.array([f"C{i:07d}" for i in range(n)], dtype=object)
    t0 = pd.Timestamp("2023-01-01")
    first = t0 + pd.to_timedelta(rng.integers(0, 300, n), unit="D")
    last = first + pd.to_timedelta(rng.integers(0, 60, n), unit="D")
    nc = rng.integers(1, 40, n)
    cust = pd.DataFrame({"customer_id": ids})
    for col, typ in BEHAVIOUR_COLUMNS.items():
        if typ == "BIGINT":
            cust[col] = nc if col != "n_chars" else nc * 35
        elif typ == "DOUBLE":
            cust[col] = rng.random(n)
        elif typ == "TIMESTAMP":
            cust[col] = (first if col == "first_seen" else last).astype("datetime64[us]")
        else:
            cust[col] = "zh"
    cust["segment"] = rng.integers(0, 6, n)
    shares = rng.dirichlet(np.full(k, 0.3), n)
    vocab = np.array([f"词{i}" for i in range(5000)], dtype=object)
    terms = vocab[rng.integers(0, len(vocab), (n, 10))].tolist()
    scores = np.sort(rng.random((n, 10)), axis=1)[:, ::-1].tolist()
    keywords = [list(zip(t, s)) for t, s in zip(terms, scores)]
    seg = pd.DataFrame({"segment_id": np.arange(6), "size": 0, "description": "synthetic",
                        "top_topics": "[]", "behaviour": "{}"})
    topics = pd.DataFrame({"topic_id": np.arange(k, dtype="int32"), "label": [f"topic {i}" for i in range(k)],
                           "share": np.full(k, 1 / k)})
    t = time.perf_counter()
    write_store(path, ProfileTables(cust, shares, list(range(k)), keywords, seg, topics,
                                    keyword_vectors=keyword_vectors(shares, rng), neighbour_weight=W_TOPICS),
                {"model": NAME})
    print(f"write_store (with the neighbour index): {time.perf_counter() - t:.1f} s")


def keyword_vectors(shares, rng, vocab: int = 20_000, words: int = 40):
    """Unit keyword vectors made the way ``profile build`` makes them (``profiles.similarity``:
    sublinear counts x idf^1.5, idf over the customers): each customer's 40 words come mostly
    from their top topics' blocks of the vocabulary, Zipf-distributed within a block."""
    import numpy as np
    import scipy.sparse as sp

    from textprofile.profiles.similarity import keyword_vectors as product_vectors

    n, k = shares.shape
    block = vocab // k
    cum = np.cumsum(shares, axis=1)
    u = rng.random((n, words))
    topic = (u[:, :, None] > cum[:, None, :]).sum(axis=2).clip(0, k - 1)
    cols = (topic * block + rng.zipf(1.3, (n, words)).clip(1, block) - 1).ravel()
    rows = np.repeat(np.arange(n), words)
    counts = sp.csr_matrix((np.ones(len(rows), dtype=np.float32), (rows, cols)), shape=(n, vocab))
    counts.sum_duplicates()
    df = np.bincount(counts.indices, minlength=vocab)
    idf = np.log((1 + n) / (1 + df)) + 1  # scikit-learn's smooth idf, customers as documents
    return product_vectors(counts, idf)


def recall(store, ids, n: int = 10) -> tuple[float, float, float]:
    """How well ``similar`` finds the exact top ``n`` (every row scored): the share of it found,
    the lowest share for one id, and the mean score given up per answer."""
    import numpy as np

    from textprofile.store.neighbours import _best

    index = store.neighbour_index()
    found, lost = [], []
    for cid in ids:
        row = index.row(cid)
        kw, tp = index.vector([row])
        exact = index.scores(kw, tp, "mixed")
        exact[row] = -np.inf
        best = _best(exact, n)
        got = store.similar(cid, n)
        rows = {index.row(g["customer_id"]) for g in got}
        found.append(len(rows & set(best.tolist())) / n)
        lost.append((exact[best].sum() - sum(g["score"] for g in got)) / n)
    return float(np.mean(found)), float(np.min(found)), float(np.mean(lost))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--customers", type=int, default=1_000_000)
    ap.add_argument("--topics", type=int, default=20)
    ap.add_argument("--rebuild", action="store_true")
    a = ap.parse_args()
    path = OUT / "models" / NAME / "profiles.duckdb"
    if a.rebuild or not path.exists():
        t = time.perf_counter()
        build(path, a.customers, a.topics)
        print(f"built {a.customers:,} customers x {a.topics} topics in {time.perf_counter() - t:.1f} s, "
              f"{path.stat().st_size / 1e6:.0f} MB")

    import random

    from textprofile.store.profile_store import ProfileStore

    t = time.perf_counter()
    store = ProfileStore(path)
    n = store.count()
    print(f"open: {(time.perf_counter() - t) * 1000:.1f} ms; {n:,} customers")
    rng = random.Random(0)
    ids = [f"C{rng.randrange(n):07d}" for _ in range(2000)]
    for cid in ids[:50]:
        store.get(cid)  # warm-up
    lat, cpu = [], []
    for cid in ids:
        t, c = time.perf_counter(), time.process_time()
        card = store.get(cid)
        lat.append((time.perf_counter() - t) * 1000)
        cpu.append((time.process_time() - c) * 1000)
        assert card is not None
    lat.sort()
    cpu.sort()
    print(f"get CPU time (unaffected by other processes' load): p50 {statistics.median(cpu):.2f} ms, "
          f"p99 {cpu[int(0.99 * len(cpu)) - 1]:.2f} ms")
    p50, p99 = statistics.median(lat), lat[int(0.99 * len(lat)) - 1]
    print(f"get: p50 {p50:.2f} ms, p99 {p99:.2f} ms, max {lat[-1]:.2f} ms over {len(lat)} lookups "
          f"(bar p99 <= 5 ms: {'PASS' if p99 <= 5 else 'FAIL'}, ratio {p99 / 5:.2f})")
    t = time.perf_counter()
    sugg = store.suggest("C000123x")
    print(f"miss + suggestions: {(time.perf_counter() - t) * 1000:.0f} ms -> {sugg}")
    t = time.perf_counter()
    sim = store.similar(ids[0], 10)
    print(f"similar n=10, first call (opens the index): {(time.perf_counter() - t) * 1000:.0f} ms "
          f"(first {sim[0]['customer_id']})")
    from textprofile.pipeline.lookup import similar_customers

    lat = []
    for cid in ids[:500]:
        t = time.perf_counter()
        store.similar(cid, 10)
        lat.append((time.perf_counter() - t) * 1000)
    lat.sort()
    p99 = lat[int(0.99 * len(lat)) - 1]
    print(f"similar n=10 (ProfileStore.similar): p50 {statistics.median(lat):.1f} ms, p99 {p99:.1f} ms over "
          f"{len(lat)} ids (bar p99 <= 50 ms: {'PASS' if p99 <= 50 else 'FAIL'})")
    found, worst, lost = recall(store, ids[500:600])
    print(f"similar top 10 against the exact top 10 (every customer scored), 100 ids: recall {found:.3f} "
          f"(lowest {worst:.1f}), score given up per answer {lost:.5f}")
    lat = []
    from textprofile.core.workspace import Workspace  # similar_customers opens the store itself

    ws = Workspace.resolve(OUT)
    for cid in ids[:100]:
        t = time.perf_counter()
        similar_customers(NAME, cid, 10, ws=ws)
        lat.append((time.perf_counter() - t) * 1000)
    lat.sort()
    print(f"similar_customers (open store + search + why): p50 {statistics.median(lat):.1f} ms, "
          f"p99 {lat[int(0.99 * len(lat)) - 1]:.1f} ms")
    from textprofile.pipeline.audience import audience

    seeds = ids[1000:1100]
    t = time.perf_counter()
    aud = audience(NAME, ws, like=seeds, n=1000)
    print(f"audience --like 100 seeds, n=1000 (in process): {time.perf_counter() - t:.2f} s, {aud['size']} members")
    seed_file = OUT / "seeds.txt"
    seed_file.write_text("\n".join(seeds) + "\n", encoding="utf-8")
    store.close()

    env = {**os.environ, "TEXTPROFILE_HOME": str(OUT)}
    cpu_times: dict[str, float] = {}

    def wall(cmd: list[str], reps: int = 5) -> float:
        import resource

        times, cpus = [], []
        for _ in range(reps):
            t = time.perf_counter()
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            r = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            times.append(time.perf_counter() - t)
            cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
            assert r.returncode == 0, r.stderr
        cpu_times[" ".join(cmd[-4:])] = statistics.median(cpus)
        return statistics.median(times)
    floor = wall([sys.executable, "-c", "pass"])
    show = wall([sys.executable, "-m", "textprofile", "profile", "show", ids[1], "--model", NAME])
    js = wall([sys.executable, "-m", "textprofile", "profile", "show", ids[1], "--model", NAME, "--json"])
    print(f"python -c pass: {floor:.3f} s; profile show: {show:.3f} s; profile show --json: {js:.3f} s "
          f"(median of 5; bar <= 1 s: {'PASS' if max(show, js) <= 1 else 'FAIL'}, ratio {max(show, js):.2f})")
    sim_wall = wall([sys.executable, "-m", "textprofile", "profile", "similar", ids[2], "--model", NAME, "--json"])
    print(f"profile similar --json: {sim_wall:.3f} s (median of 5; bar <= 1 s: {'PASS' if sim_wall <= 1 else 'FAIL'})")
    aud_wall = wall([sys.executable, "-m", "textprofile", "audience", NAME, "--like", str(seed_file), "-n", "1000",
                     "-o", str(OUT / "audience.csv")], reps=3)
    print(f"audience --like (100 seeds) -n 1000 -o FILE: {aud_wall:.2f} s (median of 3; bar <= 5 s: "
          f"{'PASS' if aud_wall <= 5 else 'FAIL'})")
    print("CPU seconds (user+sys, median): " + "; ".join(f"{k}: {v:.2f}" for k, v in cpu_times.items()))
    print(f"load average now: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
