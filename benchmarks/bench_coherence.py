"""Topic coherence (NPMI, C_V, top-10 words, on the corpus) and diversity for K = 10, 20, 30.

    python benchmarks/bench_coherence.py [--corpora amazon shopping] [--engines tomotopy gensim]
                                          [--ks 10 20 30] [--seed 0]

Corpora: the Amazon 5-core reviews (Musical Instruments + Digital Music (partial) + All Beauty,
reviewText, exact duplicates dropped) and the Chinese online_shopping_10_cats reviews, both
tokenized with the project tokenizer. Scratch output in benchmarks/out/ (git-ignored).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
OUT = Path(__file__).resolve().parent / "out" / "bench_coherence"


def _texts(corpus: str) -> list[str]:
    if corpus == "amazon":
        from bench_phrases import reviews  # the same deduplicated reviews bench_phrases labels

        return reviews()[0]
    import pandas as pd

    df = pd.read_csv(DATA / "chinese_labelled_reviews_zh" / "online_shopping_10_cats.csv.gz")
    return df["review"].dropna().astype(str).tolist()


def prepare(corpus: str):
    import pyarrow as pa
    import pyarrow.parquet as pq

    from textprofile.core.config import TokenizeConfig
    from textprofile.core.workspace import Workspace
    from textprofile.text.tokenizer import Tokenizer

    ws = Workspace.resolve(OUT)
    d = ws.corpus_dir(corpus)
    if (d / "tokens.parquet").is_file():
        return ws
    texts = _texts(corpus)
    t = time.perf_counter()
    pairs = Tokenizer(TokenizeConfig()).tokenize_many(texts)
    print(f"{corpus}: tokenized {len(texts):,} texts in {time.perf_counter() - t:.1f} s", flush=True)
    ids = [f"{i:016x}" for i in range(len(texts))]
    d.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.table({"comment_id": ids, "customer_id": ids, "text": texts,
                             "is_customer": [True] * len(texts), "meta": ["{}"] * len(texts)}),
                   d / "comments.parquet")
    pq.write_table(pa.table({"comment_id": ids, "lang": [p[0] for p in pairs],
                             "tokens": pa.array([list(p[1]) for p in pairs], pa.list_(pa.string()))}),
                   d / "tokens.parquet")
    return ws


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpora", nargs="+", default=["amazon", "shopping"])
    ap.add_argument("--engines", nargs="+", default=["tomotopy"])
    ap.add_argument("--ks", type=int, nargs="+", default=[10, 20, 30])
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()

    from textprofile.core.config import FitConfig
    from textprofile.pipeline.evaluate import evaluate
    from textprofile.pipeline.fit import fit

    print(f"{'corpus':<9} {'engine':<9} {'K':>3} {'NPMI':>7} {'C_V':>7} {'diversity':>9} {'fit s':>7}  top topics")
    for corpus in args.corpora:
        ws = prepare(corpus)
        for engine in args.engines:
            for k in args.ks:
                t = time.perf_counter()
                fit(corpus, FitConfig(engine=engine, topics=k, seed=args.seed), ws)
                secs = time.perf_counter() - t
                ev = evaluate(corpus, ws)
                labels = "; ".join(p["label"] for p in ev["per_topic"][:3])
                print(f"{corpus:<9} {engine:<9} {k:>3} {ev['npmi']:>7.3f} {ev['c_v']:>7.3f} "
                      f"{ev['diversity']:>9.3f} {secs:>7.1f}  {labels}", flush=True)


if __name__ == "__main__":
    main()
