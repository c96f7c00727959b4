"""Recovery bar: do profiles find customers' true interests?

Synthetic customers from the labelled Chinese reviews (online_shopping_10_cats): each customer
gets a random Dirichlet mixture over the 10 categories and 5-40 reviews drawn from it, with
random dates. We run the real pipeline (load -> fit -> profile build) for each K in --topics
('auto' is the pipeline's default) and, for each interest method side by side (equal-weight
comment mean, one topic per comment, length-weighted mean, pooled inference), map each topic to
the category it mostly covers (several topics may map to one category) and report:

- dominant-interest accuracy: share of customers whose top recovered category is the category
  most of their reviews came from (ties count as correct when the top category is one of the tied);
  also on customers with a unique top category only;
- mean total-variation distance between recovered and true category mixtures (true = the
  categories of the reviews actually drawn).

The topic -> category map counts token mass (a long review weighs more); the "comment map"
columns count each comment's mixture once, as the default profile method does. LDA's result
depends on its seed, so --fit-seeds fits several and prints their mean. --reference also scores
a supervised classifier trained on the category labels, as a ceiling for reading the figures.

    python benchmarks/bench_recovery.py [--customers 2000] [--alpha 0.5] [--seed 0] [--topics auto,10,20]
                                        [--fit-seeds 0,1,2] [--restarts 3] [--reuse-corpus] [--reference]
Bars: accuracy >= 0.85, mean TV <= 0.25.
"""

from __future__ import annotations

import argparse
import gzip
import time
from pathlib import Path

import numpy as np
import pandas as pd

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "chinese_labelled_reviews_zh" / "online_shopping_10_cats.csv.gz"
OUT = Path(__file__).resolve().parent / "out" / "recovery"


def make_export(path: Path, n_customers: int, alpha: float, seed: int) -> pd.DataFrame:
    with gzip.open(DATA, "rt", encoding="utf-8") as f:
        reviews = pd.read_csv(f)
    reviews = reviews.dropna(subset=["review"])
    reviews = reviews[reviews["review"].str.strip().str.len() > 0].reset_index(drop=True)
    cats = sorted(reviews["cat"].unique())
    by_cat = {c: np.flatnonzero(reviews["cat"].to_numpy() == c) for c in cats}
    rng = np.random.default_rng(seed)
    rows = []
    start = pd.Timestamp("2024-01-01", tz="UTC")
    for i in range(n_customers):
        mix = rng.dirichlet(np.full(len(cats), alpha))
        n = int(rng.integers(5, 41))
        drawn = rng.choice(len(cats), size=n, p=mix)
        for c in drawn:
            r = int(rng.choice(by_cat[cats[c]]))
            t = start + pd.Timedelta(minutes=int(rng.integers(0, 365 * 24 * 60)))
            rows.append((f"u{i:05d}", reviews.at[r, "review"], t.isoformat(), cats[c]))
    df = pd.DataFrame(rows, columns=["customer_id", "review", "time", "cat"])
    path.parent.mkdir(parents=True, exist_ok=True)
    df.to_csv(path, index=False)
    return df


def evaluate(ws, name: str, export: pd.DataFrame, method: str) -> dict:
    from textprofile.core.config import ProfileConfig
    from textprofile.pipeline.profile import build_profiles
    from textprofile.store.profile_store import ProfileStore
    from textprofile.topics.fitted import load_model

    t = time.perf_counter()
    build_profiles(name, ProfileConfig(method=method), ws)
    seconds = time.perf_counter() - t
    fm = load_model(ws, name)
    comments = pd.read_parquet(ws.corpus_dir(name) / "comments.parquet", columns=["comment_id", "customer_id", "meta"])
    comments["cat"] = comments["meta"].map(lambda m: __import__("json").loads(m)["cat"])
    dt = fm.doc_topics().merge(comments[["comment_id", "cat"]], on="comment_id")
    cols = [f"topic_{k}" for k in range(fm.k)]
    # topic -> the category holding most of its token mass
    mass = dt.groupby("cat")[cols].apply(lambda g: (g.to_numpy() * dt.loc[g.index, "n_tokens"].to_numpy()[:, None]).sum(0))
    cats = sorted(export["cat"].unique())
    mass_m = np.vstack([mass.loc[c] for c in cats])  # (cats, K)
    topic_cat = mass_m.argmax(axis=0)
    # the same, counting each comment's mixture once (as the default profile method does)
    by_comment = dt.groupby("cat")[cols].sum()
    topic_cat_c = np.vstack([by_comment.loc[c] for c in cats]).argmax(axis=0)
    truth = pd.crosstab(export["customer_id"], export["cat"]).reindex(columns=cats, fill_value=0)
    truth = truth.div(truth.sum(axis=1), axis=0)
    store = ProfileStore.open(ws, name)
    prof = store.export_profiles().set_index("customer_id").loc[truth.index]
    store.close()
    shares = prof[cols].to_numpy()
    true = truth.to_numpy()
    tmax = true.max(axis=1, keepdims=True)
    tied = (true >= tmax - 1e-12)
    unique = tied.sum(axis=1) == 1

    def score(mapping):
        rec = np.zeros((len(shares), len(cats)))
        for k in range(fm.k):
            rec[:, mapping[k]] += shares[:, k]
        correct = tied[np.arange(len(rec)), rec.argmax(axis=1)]
        return correct, 0.5 * np.abs(rec - true).sum(axis=1)

    correct, tv = score(topic_cat)
    correct_c, tv_c = score(topic_cat_c)
    return {
        "method": method, "customers": len(true), "accuracy": float(correct.mean()),
        "accuracy_unique_top": float(correct[unique].mean()), "mean_tv": float(tv.mean()),
        "accuracy_comment_map": float(correct_c.mean()), "mean_tv_comment_map": float(tv_c.mean()),
        "categories_with_a_topic": len(set(topic_cat.tolist())), "build_s": seconds,
    }


def supervised_reference(ws, name: str) -> dict:
    """What the labels themselves allow: TF-IDF + logistic regression trained on the categories.

    Not part of the pipeline; a ceiling for reading the unsupervised figures. Each review's
    category is predicted by a model that never saw that review's text (5-fold cross-validation,
    grouped by text, since the synthetic customers share reviews), then customers are scored
    exactly as profiles are (mean of the per-review predicted category shares).
    """
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GroupKFold, cross_val_predict

    com = pd.read_parquet(ws.corpus_dir(name) / "comments.parquet", columns=["comment_id", "customer_id", "meta"])
    com["cat"] = com["meta"].map(lambda m: __import__("json").loads(m)["cat"])
    tok = pd.read_parquet(ws.corpus_dir(name) / "tokens.parquet", columns=["comment_id", "tokens"]).merge(com, on="comment_id")
    docs = tok["tokens"].map(" ".join)
    X = TfidfVectorizer(token_pattern=r"\S+", min_df=2).fit_transform(docs)
    y = tok["cat"].to_numpy()
    cats = sorted(set(y))
    p = cross_val_predict(LogisticRegression(max_iter=2000, C=5.0), X, y, cv=GroupKFold(5),
                          groups=pd.factorize(docs)[0], method="predict_proba")
    truth = pd.crosstab(tok["customer_id"], tok["cat"]).reindex(columns=cats, fill_value=0)
    truth = truth.div(truth.sum(axis=1), axis=0)
    per = pd.DataFrame(p, columns=cats)
    per["c"] = tok["customer_id"].to_numpy()
    rec = per.groupby("c")[cats].mean().reindex(truth.index).to_numpy()
    t = truth.to_numpy()
    tied = t >= t.max(axis=1, keepdims=True) - 1e-12
    return {"review_accuracy": float((np.array(cats)[p.argmax(1)] == y).mean()),
            "accuracy": float(tied[np.arange(len(rec)), rec.argmax(1)].mean()),
            "mean_tv": float((0.5 * np.abs(rec - t).sum(axis=1)).mean())}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--customers", type=int, default=2000)
    ap.add_argument("--alpha", type=float, default=0.5)
    ap.add_argument("--seed", type=int, default=0, help="seed of the synthetic customers")
    ap.add_argument("--fit-seeds", default="0", help="comma-separated model seeds; figures are averaged over them")
    ap.add_argument("--topics", default="auto,10,20", help="comma-separated K values or 'auto'")
    ap.add_argument("--methods", default="comment,one-topic,mean,pooled")
    ap.add_argument("--reuse-corpus", action="store_true", help="skip load when the corpus is already there")
    ap.add_argument("--restarts", type=int, default=1, help="fit --restarts (keep the most coherent of N seeds)")
    ap.add_argument("--reference", action="store_true", help="also score a supervised classifier (uses the labels)")
    ap.add_argument("--sample-fraction", type=float, default=1.0,
                    help="fit --sample as a share of the reviews (1 = all)")
    a = ap.parse_args()
    from textprofile.core.config import FitConfig, LoadConfig
    from textprofile.core.workspace import Workspace
    from textprofile.pipeline.fit import fit
    from textprofile.pipeline.load import load

    ws = Workspace.resolve(OUT)
    name = f"rec{a.customers}a{a.alpha}s{a.seed}".replace(".", "_")
    export_path = OUT / f"{name}.csv"
    t = time.perf_counter()
    export = make_export(export_path, a.customers, a.alpha, a.seed)
    if not (a.reuse_corpus and (ws.corpus_dir(name) / "tokens.parquet").is_file()):
        load([export_path], name, LoadConfig(customer_col="customer_id", text_col="review", time_col="time",
                                              channel="review"), ws)
    t_load = time.perf_counter() - t
    print(f"{a.customers} customers, {len(export):,} reviews, Dirichlet alpha={a.alpha}, seed={a.seed}; "
          f"load {t_load:.0f} s")
    if a.reference:
        r = supervised_reference(ws, name)
        print(f"supervised reference (TF-IDF + logistic regression on the labels, 5-fold): review accuracy "
              f"{r['review_accuracy']:.3f}; customers: accuracy {r['accuracy']:.3f}, mean TV {r['mean_tv']:.3f}")
    print("accuracy / mean TV: topics mapped to the category holding most of their token mass; "
          "'comment map': most of their comments")
    head = (f"{'K':>7} {'seed':>4} {'method':8} {'accuracy':>9} {'acc(unique top)':>16} {'mean TV':>8} "
            f"{'acc comment map':>16} {'TV comment map':>15} {'cats':>5} {'fit s':>6} {'build s':>8}  bar")
    print(head)
    seeds = [int(x) for x in a.fit_seeds.split(",")]
    for topics in a.topics.split(","):
        rows = []
        for seed in seeds:
            t = time.perf_counter()
            sample = None if a.sample_fraction >= 1 else round(a.sample_fraction * len(export))
            res = fit(name, FitConfig(topics=None if topics == "auto" else int(topics), seed=seed,
                                      restarts=a.restarts, sample=sample), ws)
            t_fit = time.perf_counter() - t
            label = f"{topics}={res['k']}" if topics == "auto" else topics
            for method in a.methods.split(","):
                r = evaluate(ws, name, export, method)
                r.update(label=label, seed=seed, fit_s=t_fit)
                rows.append(r)
                _print_row(r)
        if len(seeds) > 1:
            for method in a.methods.split(","):
                rs = [r for r in rows if r["method"] == method]
                mean = {key: float(np.mean([r[key] for r in rs])) for key in
                        ("accuracy", "accuracy_unique_top", "mean_tv", "accuracy_comment_map",
                         "mean_tv_comment_map", "categories_with_a_topic", "fit_s", "build_s")}
                _print_row({**mean, "method": method, "label": topics, "seed": "mean"})


def _print_row(r: dict) -> None:
    ok = r["accuracy"] >= 0.85 and r["mean_tv"] <= 0.25
    print(f"{r['label']:>7} {r['seed']:>4} {r['method']:8} {r['accuracy']:9.3f} {r['accuracy_unique_top']:16.3f} "
          f"{r['mean_tv']:8.3f} {r['accuracy_comment_map']:16.3f} {r['mean_tv_comment_map']:15.3f} "
          f"{r['categories_with_a_topic']:5.0f} {r['fit_s']:6.0f} {r['build_s']:8.1f}  {'PASS' if ok else 'FAIL'}",
          flush=True)


if __name__ == "__main__":
    main()
