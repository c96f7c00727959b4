"""Quality and speed bars of ``fit`` on the Chinese shopping reviews, side by side in one run.

    python benchmarks/bench_fit.py [--seeds 0 1 2] [--engine tomotopy] [--tokenizer project|private]
                                   [--restarts N]

One customer per row of online_shopping_10_cats.csv.gz. For each seed it times
  (a) the reference: tomotopy.LDAModel(k=10) with its defaults, 200 iterations, 2 workers,
      on the same tokens, and
  (b) textprofile's fit(topics=10) with the default engine and settings (vocabulary, training,
      fold-in, TF-IDF, coherence and writing the model folder included),
back to back, and reports NMI(dominant topic, cat) for (b) (and for (a) from its own
document-topic distributions). Bars: mean NMI >= 0.55; time(b) <= 1.5 x time(a).
Scratch output goes to benchmarks/out/ (git-ignored).
"""

from __future__ import annotations

import argparse
import json
import time
import warnings
from pathlib import Path

import numpy as np

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "chinese_labelled_reviews_zh"
OUT = Path(__file__).resolve().parent / "out" / "bench_fit"


def _private_tokenize(texts):
    """Fallback before the project tokenizer existed: own jieba.Tokenizer + stopwords."""
    import re

    import jieba

    sw = set()
    for f in ("cn_stopwords.txt", "hit_stopwords.txt", "baidu_stopwords.txt", "scu_stopwords.txt"):
        sw |= {w.strip() for w in (DATA.parent / "stopwords" / f).read_text(encoding="utf-8").splitlines()}
    tk = jieba.Tokenizer()
    han = re.compile(r"[\u4e00-\u9fff]")
    out = []
    for s in texts:
        toks = []
        for w in tk.lcut(str(s)):
            w = w.strip().lower()
            if not w or w in sw or (han.search(w) and len(w) < 2):
                continue
            if not han.search(w) and not re.fullmatch(r"[a-z][a-z0-9]+", w):
                continue
            toks.append(w)
        out.append(toks)
    return out


def prepare(tokenizer: str):
    """Write corpora/shop/{comments,tokens}.parquet under OUT once per tokenizer; return (ws, cats)."""
    import pandas as pd
    import pyarrow as pa
    import pyarrow.parquet as pq

    from textprofile.core.workspace import Workspace

    root = OUT / tokenizer
    ws = Workspace.resolve(root)
    d = ws.corpus_dir("shop")
    df = pd.read_csv(DATA / "online_shopping_10_cats.csv.gz").dropna(subset=["review"]).reset_index(drop=True)
    cats = df["cat"].astype(str).to_numpy()
    if (d / "tokens.parquet").is_file() and "is_customer" in pq.read_schema(d / "comments.parquet").names:
        return ws, cats
    t = time.perf_counter()
    if tokenizer == "project":
        from textprofile.core.config import TokenizeConfig
        from textprofile.text.tokenizer import Tokenizer

        pairs = Tokenizer(TokenizeConfig()).tokenize_many(df["review"].astype(str).tolist())
        langs = [p[0] for p in pairs]
        tokens = [list(p[1]) for p in pairs]
    else:
        tokens = _private_tokenize(df["review"].tolist())
        langs = ["zh"] * len(tokens)
    print(f"tokenized {len(tokens):,} reviews with the {tokenizer} tokenizer in {time.perf_counter() - t:.1f} s")
    ids = [f"{i:016x}" for i in range(len(df))]
    d.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.table({
        "comment_id": ids, "customer_id": ids, "text": df["review"].astype(str).tolist(),
        "is_customer": [True] * len(ids),
        "meta": [json.dumps({"cat": c}, ensure_ascii=False) for c in cats],
    }), d / "comments.parquet")
    pq.write_table(pa.table({"comment_id": ids, "lang": langs,
                             "tokens": pa.array(tokens, pa.list_(pa.string()))}), d / "tokens.parquet")
    return ws, cats


def reference(token_lists, seed: int):
    """tomotopy LDAModel(k=10) defaults, 200 iterations, 2 workers; returns (seconds, dominant)."""
    import tomotopy as tp

    t = time.perf_counter()
    mdl = tp.LDAModel(k=10, seed=seed)
    kept = []
    for i, toks in enumerate(token_lists):
        if toks:
            mdl.add_doc(toks)
            kept.append(i)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        mdl.train(200, workers=2)
    secs = time.perf_counter() - t
    dom = np.full(len(token_lists), -1)
    dom[kept] = [int(np.argmax(doc.get_topic_dist())) for doc in mdl.docs]
    return secs, dom


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--engine", default=None)
    ap.add_argument("--tokenizer", choices=["project", "private"], default="project")
    ap.add_argument("--params", default="{}", help="JSON engine params (for tuning runs)")
    ap.add_argument("--no-above", type=float, default=None)
    ap.add_argument("--restarts", type=int, default=None, help="fit --restarts (default: FitConfig's)")
    ap.add_argument("--skip-reference", action="store_true", help="tuning runs: NMI only, no timing bar")
    ap.add_argument("--sample-fractions", default="1",
                    help="comma-separated shares of the reviews fit trains on (fit --sample), e.g. 1,0.2")
    args = ap.parse_args()

    import pyarrow.parquet as pq

    from textprofile.pipeline.fit import fit
    from textprofile.topics.evaluate import clustering_scores
    from textprofile.topics.fitted import load_model

    ws, cats = prepare(args.tokenizer)
    if args.skip_reference or args.params != "{}" or args.no_above is not None:
        # tuning runs get their own workspace (the corpus linked in) so runs can go in parallel
        import os

        from textprofile.core.workspace import Workspace

        run = Workspace.resolve(OUT / "runs" / str(os.getpid()))
        run.corpus_dir("shop").parent.mkdir(parents=True, exist_ok=True)
        if not run.corpus_dir("shop").exists():
            run.corpus_dir("shop").symlink_to(ws.corpus_dir("shop"))
        ws = run
    tokens = [list(t) for t in pq.read_table(ws.corpus_dir("shop") / "tokens.parquet").column("tokens").to_pylist()]
    ids = pq.read_table(ws.corpus_dir("shop") / "tokens.parquet").column("comment_id").to_pylist()
    cat_of = dict(zip(ids, cats))
    kw = {}
    if args.engine:
        kw["engine"] = args.engine
    if args.no_above is not None:
        kw["no_above"] = args.no_above
    if args.restarts is not None:
        kw["restarts"] = args.restarts
    params = json.loads(args.params)
    fractions = [float(f) for f in args.sample_fractions.split(",")]
    for frac in fractions:
        if len(fractions) > 1:
            print(f"--- fit --sample {frac:g} of the reviews", flush=True)
        kw["sample"] = None if frac >= 1 else round(frac * len(tokens))
        _run_seeds(args, kw, params, tokens, cats, cat_of, ws, fit, load_model, clustering_scores)


def _run_seeds(args, kw, params, tokens, cats, cat_of, ws, fit, load_model, clustering_scores) -> None:
    from textprofile.core.config import FitConfig

    rows = []
    for seed in args.seeds:
        if args.skip_reference:
            ref_s, ref_nmi = float("nan"), float("nan")
        else:
            ref_s, ref_dom = reference(tokens, seed)
            ok = ref_dom >= 0
            ref_nmi = clustering_scores(cats[ok], ref_dom[ok])["nmi"]
        cfg = FitConfig(topics=10, seed=seed, params=params, **kw)
        t = time.perf_counter()
        res = fit("shop", cfg, ws)
        ours_s = time.perf_counter() - t
        dt = load_model(ws, "shop").doc_topics()
        dom = dt.filter(like="topic_").to_numpy().argmax(axis=1)
        s = clustering_scores([cat_of[c] for c in dt["comment_id"]], dom)
        rows.append({"seed": seed, "ref_s": ref_s, "ref_nmi": ref_nmi, "fit_s": ours_s, "nmi": s["nmi"],
                     "ari": s["ari"], "purity": s["purity"], "npmi": res["coherence"],
                     "diversity": res["diversity"], "ratio": ours_s / ref_s})
        r = rows[-1]
        print(f"seed {seed}: reference {r['ref_s']:.1f} s NMI {r['ref_nmi']:.3f} | fit {r['fit_s']:.1f} s "
              f"NMI {r['nmi']:.3f} ARI {r['ari']:.3f} purity {r['purity']:.3f} NPMI {r['npmi']:.3f} "
              f"diversity {r['diversity']:.3f} | time ratio {r['ratio']:.2f}", flush=True)
    engine = res["engine"]
    mean = {k: float(np.mean([r[k] for r in rows])) for k in rows[0] if k != "seed"}
    total_ratio = sum(r["fit_s"] for r in rows) / sum(r["ref_s"] for r in rows)
    print(f"\nengine {engine}, tokenizer {args.tokenizer}, {len(tokens):,} reviews, "
          f"{res['n_modelled']:,} modelled, vocabulary {res['vocab_size']:,}")
    print(f"mean NMI {mean['nmi']:.3f} (bar >= 0.55: {'PASS' if mean['nmi'] >= 0.55 else 'FAIL'}); "
          f"reference mean NMI {mean['ref_nmi']:.3f}")
    print(f"time ratio fit/reference: per-seed mean {mean['ratio']:.2f}, total {total_ratio:.2f} "
          f"(bar <= 1.5: {'PASS' if total_ratio <= 1.5 else 'FAIL'})")
    print(f"mean NPMI {mean['npmi']:.3f}, diversity {mean['diversity']:.3f}; per-seed NMI "
          + " / ".join(f"{r['nmi']:.3f}" for r in rows) + f"; mean fit {mean['fit_s']:.1f} s", flush=True)


if __name__ == "__main__":
    main()
