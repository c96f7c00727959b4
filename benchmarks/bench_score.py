"""``score train`` on real customers: its cross-validated figures beside both baselines, same run.

1. Amazon 5-core reviews (all three files, real reviewer ids): for every reviewer with at least
   two reviews the latest one is held out; profiles are built from the earlier ones only (the
   held-out reviews are never loaded); label 1 when the held-out review has 3 stars or fewer.
   Bar: ``score train`` defaults reach ROC AUC >= 0.75 and at least the TF-IDF + behaviour baseline.
2. Douban movie reviews (Chinese, 44 users with their whole earlier history): label 1 when the
   user's target review is labelled spam (the dataset's own label); the target reviews (all of one
   movie) are left out of the histories. Tiny, so its figures are noisy; no bar.

    python benchmarks/bench_score.py [--topics 15] [--seed 0] [--model logistic]

Nothing is tuned here: ``score train`` runs with its defaults. Scratch output in
benchmarks/out/score/ (git-ignored).
"""

from __future__ import annotations

import argparse
import gzip
import sys
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_heldout import DATA, amazon, split

OUT = Path(__file__).resolve().parent / "out" / "score"


def douban() -> tuple[pd.DataFrame, pd.DataFrame]:
    with gzip.open(DATA / "douban_dmr_zh" / "user_reviews_flat.csv.gz", "rt", encoding="utf-8") as f:
        df = pd.read_csv(f, dtype={"movie_id": str, "user_id": str})
    labels = df.groupby("user_id", as_index=False)["target_review_label"].first()
    labels["label"] = (labels["target_review_label"] == 0).astype(int)  # 0 = spam in the dataset
    target_movie = "25779217"  # every target review is of this movie; keep it out of the history
    history = df[df["movie_id"] != target_movie].rename(columns={"user_id": "customer_id", "date": "time",
                                                                    "stars": "rating"})
    return history[["customer_id", "text", "time", "rating"]], labels[["user_id", "label"]].rename(
        columns={"user_id": "customer_id"})


def run(ws, name: str, history: pd.DataFrame, labels: pd.DataFrame, topics: int, seed: int, model: str) -> dict:
    from textprofile.core.config import FitConfig, LoadConfig, ProfileConfig
    from textprofile.pipeline.fit import fit
    from textprofile.pipeline.load import load
    from textprofile.pipeline.profile import build_profiles
    from textprofile.pipeline.score import train_score

    OUT.mkdir(parents=True, exist_ok=True)
    export, label_file = OUT / f"{name}.csv", OUT / f"{name}_labels.csv"
    history.to_csv(export, index=False)
    labels.to_csv(label_file, index=False)
    t = time.perf_counter()
    load([export], name, LoadConfig(customer_col="customer_id", text_col="text", time_col="time",
                                    rating_col="rating", channel="review"), ws)
    fit(name, FitConfig(topics=topics, seed=seed), ws)
    build_profiles(name, ProfileConfig(), ws)
    prep = time.perf_counter() - t
    t = time.perf_counter()
    result = train_score(name, label_file, model=model, seed=seed, ws=ws)
    result["prep_seconds"], result["train_seconds"] = round(prep, 1), round(time.perf_counter() - t, 1)
    return result


def table(title: str, r: dict) -> None:
    c = r["counts"]
    print(f"\n{title}: {c['labelled']:,} labelled customers ({r['cv']['positives']:,} positive, "
          f"{r['cv']['positives'] / r['cv']['n']:.1%}); {c['unknown_ids']:,} label ids without a profile, "
          f"{c['unlabelled_profiles']:,} profiles without a label; {r['features']} features; "
          f"prep {r['prep_seconds']} s, score train {r['train_seconds']} s")
    print(f"{'model':48} {'ROC AUC':>8} {'PR AUC':>7} {'Brier':>6}")
    for label, m in ((f"score train --model {r['model']}", r["cv"]),
                     ("baseline: behaviour only", r["baselines"]["behaviour"]),
                     ("baseline: TF-IDF of pooled text + behaviour", r["baselines"]["tfidf_behaviour"])):
        print(f"{label:48} {m['roc_auc']:8.3f} {m['pr_auc']:7.3f} {m['brier']:6.3f}")
    print("top drivers up:  ", "; ".join(d["feature"] for d in r["drivers"]["up"][:5]))
    print("top drivers down:", "; ".join(d["feature"] for d in r["drivers"]["down"][:5]))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--topics", type=int, default=15)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--model", default="logistic")
    ap.add_argument("--skip-douban", action="store_true")
    a = ap.parse_args()
    from textprofile.core.workspace import Workspace

    ws = Workspace.resolve(OUT)
    history, held = split(amazon(), 2)
    labels = pd.DataFrame({"customer_id": held["customer_id"], "label": (held["rating"] <= 3).astype(int)})
    r = run(ws, "amazon", history, labels, a.topics, a.seed, a.model)
    table("Amazon, held-out review <= 3 stars", r)
    ok = r["cv"]["roc_auc"] >= 0.75 and r["cv"]["roc_auc"] >= r["baselines"]["tfidf_behaviour"]["roc_auc"]
    print(f"bar (ROC AUC >= 0.75 and >= TF-IDF + behaviour): {'met' if ok else 'NOT met'}")
    if not a.skip_douban:
        history, labels = douban()
        table("Douban, target review labelled spam", run(ws, "douban", history, labels, 10, a.seed, a.model))


if __name__ == "__main__":
    main()
