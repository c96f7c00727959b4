"""Real customer histories: which interest method best predicts what a customer writes next?

bench_recovery.py scores methods on synthetic customers; this scores them on real ones, with no
labels: the Amazon 5-core reviews (three categories, real reviewer ids; English). For every
customer with at least --min-history reviews, their latest review is held out; the rest is
loaded, fitted once per seed (the real pipeline, K from --topics) and profiled with each method
side by side. For each held-out review:

- hit@1 / hit@3: the review's own dominant topic (the model's fold-in, the same for every
  method) is the profile's top interest / one of its top three;
- likelihood lift: log-likelihood per token of its words under the profile's mixture, minus
  the same under the mean mixture of all customers (how much better than knowing nothing about
  the customer; higher is better). "mixture": every word draws its own topic (sum_k share_k
  p(w|k)), the view the ``comment`` method takes; "one-topic": the whole review draws one topic
  (``profiles.comment_log_likelihood``), the view the ``one-topic`` method takes.

(The Douban histories in ../shared/data, 44 users and about 1,200 reviews, are too few for a
20-topic model: every method scored within noise of knowing nothing, so they are not used.)

    python benchmarks/bench_heldout.py [--topics 20] [--fit-seeds 0,1,2] [--restarts 1]
                                       [--min-history 3] [--methods comment,one-topic,mean,pooled]

No bar: a side-by-side comparison for choosing the default method. Scratch output in
benchmarks/out/heldout/ (git-ignored).
"""

from __future__ import annotations

import argparse
import gzip
import json
import time
from pathlib import Path

import numpy as np
import pandas as pd

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
OUT = Path(__file__).resolve().parent / "out" / "heldout"
AMAZON = ["reviews_Musical_Instruments_5.json.gz", "reviews_Digital_Music_5.partial.json.gz", "All_Beauty_5.json.gz"]


def amazon() -> pd.DataFrame:
    rows = []
    for f in AMAZON:
        with gzip.open(DATA / "amazon_reviews_5core_en" / f, "rt", encoding="utf-8") as fh:
            for line in fh:
                r = json.loads(line)
                rows.append((r["reviewerID"], r.get("reviewText") or "", int(r["unixReviewTime"]), r.get("overall")))
    df = pd.DataFrame(rows, columns=["customer_id", "text", "unix", "rating"])
    df["time"] = pd.to_datetime(df["unix"], unit="s", utc=True).map(lambda t: t.isoformat())
    return df.drop(columns="unix")


def split(df: pd.DataFrame, min_history: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(history, held out): each customer's latest non-empty review, for those with enough reviews."""
    df = df[df["text"].fillna("").str.strip().str.len() > 0].copy()
    df["_t"] = pd.to_datetime(df["time"], utc=True, format="mixed")
    df = df.sort_values(["customer_id", "_t", "text"], kind="stable")
    n = df.groupby("customer_id")["text"].transform("size")
    last = df.groupby("customer_id").cumcount(ascending=False) == 0
    held = last & (n >= min_history)
    return df[~held].drop(columns="_t"), df[held].drop(columns="_t")


def encode_held(fm, held: pd.DataFrame):
    """(counts over the model vocabulary, customer ids) of the held-out reviews with a known token."""
    from textprofile.core.config import TokenizeConfig
    from textprofile.text.tokenizer import Tokenizer

    tokens = [list(t) for _, t in Tokenizer(TokenizeConfig()).tokenize_many(held["text"].tolist())]
    X = fm.encode(tokens).tocsr().astype(np.float64)
    keep = np.asarray(X.sum(axis=1)).ravel() > 0
    return X[keep], held["customer_id"].to_numpy()[keep], [t for t, k in zip(tokens, keep) if k]


def loglik_per_token(X, topic_word: np.ndarray, term_frequency: np.ndarray, mix: np.ndarray):
    """(mixture view, one-topic view) log-likelihood per token of each row of ``X`` under ``mix``."""
    from textprofile.profiles.interests import comment_log_likelihood

    phi = topic_word / topic_word.sum(axis=1, keepdims=True)
    ntok = np.asarray(X.sum(axis=1)).ravel()
    mixture = np.asarray(X.multiply(np.log(mix @ phi)).sum(axis=1)).ravel() / ntok
    loglik = comment_log_likelihood(X, topic_word, term_frequency)
    top = loglik.max(axis=1, keepdims=True)
    one = (np.log((np.exp(loglik - top) * mix).sum(axis=1)) + top[:, 0]) / ntok
    return mixture, one


def score(ws, name: str, held: pd.DataFrame, methods: list[str]) -> dict[str, dict[str, float]]:
    from textprofile.core.config import ProfileConfig
    from textprofile.pipeline.profile import build_profiles
    from textprofile.store.profile_store import ProfileStore
    from textprofile.topics.fitted import load_model

    fm = load_model(ws, name)
    cols = [f"topic_{k}" for k in range(fm.k)]
    X, ids, tokens = encode_held(fm, held)
    own_topic = fm.infer(tokens).argmax(axis=1)

    out = {}
    for method in methods:
        build_profiles(name, ProfileConfig(method=method), ws)
        with ProfileStore.open(ws, name) as store:
            prof = store.export_profiles().set_index("customer_id")
        shares = prof.loc[ids, cols].to_numpy()
        base = np.tile(prof[cols].to_numpy().mean(axis=0), (len(ids), 1))
        order = np.argsort(-shares, axis=1, kind="stable")
        mixture, one = loglik_per_token(X, fm.topic_word, fm.term_frequency, shares)
        base_mixture, base_one = loglik_per_token(X, fm.topic_word, fm.term_frequency, base)
        out[method] = {"hit1": float((order[:, 0] == own_topic).mean()),
                       "hit3": float((order[:, :3] == own_topic[:, None]).any(axis=1).mean()),
                       "lift_mixture": float((mixture - base_mixture).mean()),
                       "lift_one_topic": float((one - base_one).mean()),
                       "n": len(ids)}
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--topics", default="20", help="K, or 'auto'")
    ap.add_argument("--fit-seeds", default="0,1,2")
    ap.add_argument("--restarts", type=int, default=1, help="fit --restarts")
    ap.add_argument("--min-history", type=int, default=3)
    ap.add_argument("--methods", default="comment,one-topic,mean,pooled")
    a = ap.parse_args()
    from textprofile.core.config import FitConfig, LoadConfig
    from textprofile.core.workspace import Workspace
    from textprofile.pipeline.fit import fit
    from textprofile.pipeline.load import load

    methods = a.methods.split(",")
    ws = Workspace.resolve(OUT)
    history, held = split(amazon(), a.min_history)
    path = OUT / "amazon.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    history.to_csv(path, index=False)
    t = time.perf_counter()
    load([path], "amazon", LoadConfig(customer_col="customer_id", text_col="text", time_col="time",
                                      rating_col="rating", channel="review"), ws)
    print(f"amazon: {len(history):,} history reviews, {len(held):,} held out (customers with >= "
          f"{a.min_history} reviews); load {time.perf_counter() - t:.0f} s", flush=True)
    print(f"{'K':>3} {'seed':>4} {'method':9} {'hit@1':>6} {'hit@3':>6} {'lift mixture':>13} {'lift one-topic':>15}")
    rows = []
    for seed in [int(s) for s in a.fit_seeds.split(",")]:
        res = fit("amazon", FitConfig(topics=None if a.topics == "auto" else int(a.topics), seed=seed,
                                      restarts=a.restarts), ws)
        for method, r in score(ws, "amazon", held, methods).items():
            rows.append({"seed": seed, "k": res["k"], "method": method, **r})
            print(f"{res['k']:>3} {seed:>4} {method:9} {r['hit1']:6.3f} {r['hit3']:6.3f} "
                  f"{r['lift_mixture']:+13.4f} {r['lift_one_topic']:+15.4f}   (n={r['n']})", flush=True)
    mean = pd.DataFrame(rows).groupby("method", sort=False)[["hit1", "hit3", "lift_mixture", "lift_one_topic"]].mean()
    for method, r in mean.iterrows():
        print(f"{'mean':>8} {method:9} {r['hit1']:6.3f} {r['hit3']:6.3f} {r['lift_mixture']:+13.4f} "
              f"{r['lift_one_topic']:+15.4f}")


if __name__ == "__main__":
    main()
