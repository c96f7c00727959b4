"""Do customers keep their interests when the model is refitted with another seed?

For each anchor strength (0: none; the default 0.03: the NMF anchor of topics/anchor.py), on one
loaded corpus: fit seed 0 with defaults (K auto), then seeds 1 and 2 at the K seed 0 chose;
build profiles (defaults) after each fit. Topics of two runs are matched by the Hungarian
assignment (scipy.optimize.linear_sum_assignment) on the cosine similarity of their topic-word
rows; for each pair of seeds it prints the share of customers whose dominant interest (top topic
of their profile) is the same matched topic, and the mean total variation between their
matched mixtures, side by side for the methods, with the fit time as a ratio to today's.

    python benchmarks/bench_stability.py [--corpus amazon|shopping] [--anchors 0,0.03]
                                         [--seeds 0,1,2] [--engine tomotopy]

``--anchors``: comma-separated anchor strengths (``default`` = the engine's default; 0 = today's
method). The corpus is loaded once (as the README shows) into benchmarks/out/stability/ and
reused by later runs. Bar (Amazon): mean agreement >= 0.85, mean TV <= 0.15.
"""

from __future__ import annotations

import argparse
import itertools
import time
from pathlib import Path

import numpy as np

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
OUT = Path(__file__).resolve().parent / "out" / "stability"


def prepare(corpus: str):
    from textprofile.core.config import LoadConfig
    from textprofile.core.workspace import Workspace
    from textprofile.pipeline.load import load

    ws = Workspace.resolve(OUT)
    if (ws.corpus_dir(corpus) / "tokens.parquet").is_file():
        return ws
    t = time.perf_counter()
    if corpus == "amazon":
        files = sorted((DATA / "amazon_reviews_5core_en").glob("*.json.gz"))
        res = load(files, corpus, LoadConfig(channel="review"), ws)
    else:
        res = load([DATA / "chinese_labelled_reviews_zh" / "online_shopping_10_cats.csv.gz"], corpus,
                   LoadConfig(row_as_customer=True), ws)
    print(f"{corpus}: loaded {res.get('rows_kept', '?')} comments in {time.perf_counter() - t:.0f} s",
          flush=True)
    return ws


def run(ws, corpus: str, engine: str, anchor: str, seeds: list[int]) -> dict:
    """Per seed: topic-word matrix, customer shares (rows sorted by id), K, fit seconds."""
    import hashlib

    import textprofile.topics.anchor as anchor_module
    from textprofile.core.config import FitConfig
    from textprofile.pipeline.fit import fit
    from textprofile.pipeline.profile import build_profiles
    from textprofile.store.profile_store import ProfileStore
    from textprofile.topics.fitted import load_model

    params = {} if anchor == "default" else {"anchor": float(anchor)}
    # the anchor's code is part of the key: a changed method must not reuse the old fits
    code = hashlib.sha256(Path(anchor_module.__file__).read_bytes()).hexdigest()[:8]
    out, k = {}, None
    for seed in seeds:
        cache = OUT / "runs" / f"{corpus}-{engine}-anchor{anchor}-{code}-seed{seed}.npz"
        if cache.is_file():  # a finished run of an earlier invocation (delete runs/ to refit)
            z = np.load(cache, allow_pickle=False)
            out[seed] = {key: z[key] if z[key].ndim else z[key].item() for key in z.files}
            k = int(out[seed]["k"])
            print(f"  anchor={anchor:<8} seed {seed}: K={k} (cached {cache.name})", flush=True)
            continue
        res = fit(corpus, FitConfig(engine=engine, topics=k, seed=seed, params=params), ws)
        k = res["k"]
        build_profiles(corpus, None, ws)
        fm = load_model(ws, corpus)
        with ProfileStore.open(ws, corpus) as store:
            prof = store.export_profiles().sort_values("customer_id")
        shares = prof[[f"topic_{i}" for i in range(k)]].to_numpy(dtype=np.float64)
        out[seed] = {"tw": np.asarray(fm.topic_word), "shares": shares, "k": k, "seconds": res["seconds"],
                     "npmi": res["coherence"], "diversity": res["diversity"],
                     "ids": prof["customer_id"].to_numpy().astype(str)}
        cache.parent.mkdir(parents=True, exist_ok=True)
        np.savez(cache, **out[seed])
        print(f"  anchor={anchor:<8} seed {seed}: K={k} npmi={res['coherence']:.3f} "
              f"diversity={res['diversity']:.3f} fit {res['seconds']:.1f} s", flush=True)
    return out


def compare(a: dict, b: dict) -> tuple[float, float]:
    """(dominant-interest agreement, mean TV) of run b against run a, after matching topics."""
    from scipy.optimize import linear_sum_assignment

    assert (a["ids"] == b["ids"]).all()
    ta = a["tw"] / np.linalg.norm(a["tw"], axis=1, keepdims=True)
    tb = b["tw"] / np.linalg.norm(b["tw"], axis=1, keepdims=True)
    rows, cols = linear_sum_assignment(-(ta @ tb.T))
    perm = cols[np.argsort(rows)]  # topic i of a <-> topic perm[i] of b
    sb = b["shares"][:, perm]
    agree = float((a["shares"].argmax(axis=1) == sb.argmax(axis=1)).mean())
    tv = float(0.5 * np.abs(a["shares"] - sb).sum(axis=1).mean())
    return agree, tv


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", default="amazon", choices=["amazon", "shopping"])
    ap.add_argument("--anchors", default="0,0.03")
    ap.add_argument("--seeds", default="0,1,2")
    ap.add_argument("--engine", default="tomotopy")
    args = ap.parse_args()
    seeds = [int(s) for s in args.seeds.split(",")]
    anchors = args.anchors.split(",")

    ws = prepare(args.corpus)
    runs = {}
    for anchor in anchors:
        print(f"{args.engine}, anchor {anchor}:", flush=True)
        runs[anchor] = run(ws, args.corpus, args.engine, anchor, seeds)

    pairs = list(itertools.combinations(seeds, 2))
    head = "".join(f" | {'anchor ' + a:>22}" for a in anchors)
    print(f"\n{args.corpus}, {args.engine}, {len(runs[anchors[0]][seeds[0]]['ids']):,} customers; "
          f"agreement / TV per pair of seeds")
    print(f"{'pair':>6}{head}")
    summary = {a: [] for a in anchors}
    for s, t in pairs:
        line = f"{s}-{t:>4}"
        for a in anchors:
            agree, tv = compare(runs[a][s], runs[a][t])
            summary[a].append((agree, tv))
            line += f" | {agree:>10.3f} / {tv:>9.3f}"
        print(line)
    line = f"{'mean':>6}"
    for a in anchors:
        m = np.mean(summary[a], axis=0)
        line += f" | {m[0]:>10.3f} / {m[1]:>9.3f}"
    print(line)
    base = sum(r["seconds"] for r in runs[anchors[0]].values())
    for a in anchors:
        r = runs[a]
        secs = sum(x["seconds"] for x in r.values())
        print(f"anchor {a}: K={r[seeds[0]]['k']}, NPMI {np.mean([x['npmi'] for x in r.values()]):.3f}, "
              f"diversity {np.mean([x['diversity'] for x in r.values()]):.3f}, fit {secs:.0f} s in total "
              f"({secs / base:.2f}x anchor {anchors[0]})")


if __name__ == "__main__":
    main()
