"""Does phrase detection help the topics? Amazon reviews with and without it, side by side.

    python benchmarks/bench_phrases.py [--ks 10 20] [--seeds 0] [--jobs 2]
                                       [--min-count 20] [--threshold 10]

Corpus: the Amazon 5-core reviews bench_tokenize.py reads (Musical Instruments, Digital Music
(partial), All Beauty; reviewText, exact (reviewer, text) duplicates dropped), one category per
file. Each variant is tokenized end to end by ``tokenize_corpus`` (2 processes; with
``TokenizeConfig(phrases=True, ...)`` or without), then fitted with the default engine for each K
and seed, and scored: NMI of each review's dominant topic against its file, NPMI and C_V on
the top-10 terms and diversity on the top 25 (``textprofile.pipeline.evaluate``), the number of phrases
learned and the share of the topics' top-10 terms that are phrases. NPMI/C_V are counted on each
variant's own tokens, so they compare how well each model's top terms co-occur in its corpus.
Scratch output in benchmarks/out/bench_phrases/ (git-ignored).
"""

from __future__ import annotations

import argparse
import gzip
import itertools
import json
import time
from pathlib import Path

import numpy as np

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "amazon_reviews_5core_en"
OUT = Path(__file__).resolve().parent / "out" / "bench_phrases"
FILES = {
    "reviews_Musical_Instruments_5.json.gz": "musical_instruments",
    "reviews_Digital_Music_5.partial.json.gz": "digital_music",
    "All_Beauty_5.json.gz": "all_beauty",
}


def reviews() -> tuple[list[str], list[str]]:
    texts, cats, seen = [], [], set()
    for f, cat in FILES.items():
        with gzip.open(DATA / f, "rt", encoding="utf-8") as fh:
            for line in fh:
                r = json.loads(line)
                t = (r.get("reviewText") or "").strip()
                key = (r.get("reviewerID"), t)
                if t and key not in seen:
                    seen.add(key)
                    texts.append(t)
                    cats.append(cat)
    return texts, cats


def write_comments(folder: Path, texts: list[str], cats: list[str]) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    from textprofile.core.artifacts import write_manifest

    folder.mkdir(parents=True, exist_ok=True)
    ids = [f"{i:016x}" for i in range(len(texts))]
    pq.write_table(pa.table({"comment_id": ids, "customer_id": ids, "text": texts,
                             "is_customer": [True] * len(texts),
                             "meta": [json.dumps({"cat": c}) for c in cats]}), folder / "comments.parquet")
    write_manifest(folder, {"name": folder.name})


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--ks", type=int, nargs="+", default=[10, 20])
    ap.add_argument("--seeds", type=int, nargs="+", default=[0])
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--min-count", type=int, default=20)
    ap.add_argument("--threshold", type=float, default=10.0)
    args = ap.parse_args()

    from textprofile.core.config import FitConfig, TokenizeConfig
    from textprofile.core.workspace import Workspace
    from textprofile.pipeline.evaluate import evaluate
    from textprofile.pipeline.fit import fit
    from textprofile.text.stage import tokenize_corpus
    from textprofile.topics.fitted import load_model

    texts, cats = reviews()
    print(f"{len(texts):,} reviews, {len(FILES)} categories; K {args.ks}, seeds {args.seeds}, "
          f"{args.jobs} jobs; phrases min_count {args.min_count}, threshold {args.threshold}", flush=True)
    variants = {
        "off": TokenizeConfig(),
        "on": TokenizeConfig(phrases=True, phrase_min_count=args.min_count, phrase_threshold=args.threshold),
    }
    rows, tok_info = [], {}
    for label, config in variants.items():
        ws = Workspace.resolve(OUT / label)
        d = ws.corpus_dir("amazon")
        write_comments(d, texts, cats)
        t = time.perf_counter()
        info = tokenize_corpus(d, config, jobs=args.jobs, force=True)
        tok_info[label] = {**info, "wall": time.perf_counter() - t}
        ph = info.get("phrases") or {}
        print(f"tokenize {label:>3}: {tok_info[label]['wall']:.1f} s, {info['tokens']:,} tokens"
              + (f", {ph['learned']} phrases learned, {ph['joined']:,} pairs joined "
                 f"(phrase pass {ph['seconds']:.1f} s)" if ph else ""), flush=True)
        for k, seed in itertools.product(args.ks, args.seeds):
            t = time.perf_counter()
            res = fit("amazon", FitConfig(topics=k, seed=seed, workers=2), ws)
            secs = time.perf_counter() - t
            ev = evaluate("amazon", ws, label_col="cat")
            top10 = [term for tp in load_model(ws, "amazon").topics() for term, _ in tp["terms"][:10]]
            share = sum("_" in term for term in top10) / len(top10)
            rows.append({"phrases": label, "k": k, "seed": seed, "nmi": ev["labels"]["nmi"], "npmi": ev["npmi"],
                         "c_v": ev["c_v"], "diversity": ev["diversity"], "phrase_share_top10": share,
                         "vocab": res["vocab_size"], "fit_s": secs,
                         "phrase_terms": sorted({term for term in top10 if "_" in term})})
            r = rows[-1]
            print(f"  K {k:>2} seed {seed}: NMI {r['nmi']:.3f} NPMI {r['npmi']:.3f} C_V {r['c_v']:.3f} "
                  f"diversity {r['diversity']:.3f} phrase share of top-10 {share:.3f} "
                  f"vocab {r['vocab']:,} fit {secs:.1f} s", flush=True)

    print("\nside by side (off → on), mean over seeds " + "/".join(map(str, args.seeds)) + ":")
    print(f"{'K':>3} {'NMI':>15} {'NPMI':>15} {'C_V':>15} {'diversity':>15} {'phrase share':>13}")
    for k in args.ks:
        a, b = ({m: float(np.mean([r[m] for r in rows if r["k"] == k and r["phrases"] == v]))
                 for m in ("nmi", "npmi", "c_v", "diversity", "phrase_share_top10")} for v in ("off", "on"))
        print(f"{k:>3} {a['nmi']:.3f} → {b['nmi']:.3f}   {a['npmi']:.3f} → {b['npmi']:.3f}   "
              f"{a['c_v']:.3f} → {b['c_v']:.3f}   {a['diversity']:.3f} → {b['diversity']:.3f}   "
              f"{b['phrase_share_top10']:>12.3f}")
        terms = sorted({t for r in rows if r["k"] == k and r["phrases"] == "on" for t in r["phrase_terms"]})
        if terms:
            print(f"    phrases among K={k} top-10 terms: {', '.join(terms)}")
    ph = tok_info["on"].get("phrases", {})
    print(f"\n{ph.get('learned', 0)} phrases learned, {ph.get('joined', 0):,} pairs joined; top by count:")
    print("  " + ", ".join(f"{p} ({c})" for p, c, _ in ph.get("top", [])))
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "result.json").write_text(json.dumps({"rows": rows, "tokenize": tok_info}, indent=2, default=str))


if __name__ == "__main__":
    main()
