"""``score train`` on real customers: its cross-validated figures beside both baselines, same run.

1. Amazon 5-core reviews (all three files, real reviewer ids): for every reviewer with at least
   two reviews the latest one is held out; profiles are built from the earlier ones only (the
   held-out reviews are never loaded); label 1 when the held-out review has 3 stars or fewer.
   Bar: ``score train`` defaults reach ROC AUC >= 0.75 and at least the TF-IDF + behaviour baseline.
2. Customer support on Twitter (twcs, the first 5,000 tweets, whose threads are intact): for every
   customer with at least two tweets the latest one is held out; profiles are built from the
   earlier ones; label 1 when the held-out tweet complains by a fixed, transparent rule: it
   contains a word of ``COMPLAINT`` (negations and words of failure, waiting or anger, matched as
   whole lower-cased words). No bar. (The Douban histories used before have 43 users: too few.)

    python benchmarks/bench_score.py [--topics 15] [--seed 0] [--model logistic] [--skip-twcs]

Nothing is tuned here: ``score train`` runs with its defaults. Scratch output in
benchmarks/out/score/ (git-ignored).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_heldout import DATA, amazon, split

OUT = Path(__file__).resolve().parent / "out" / "score"


TWCS = DATA / "twcs_customer_support_en" / "twcs_head_5000.csv.gz"
COMPLAINT = (
    "not", "no", "never", "still", "worst", "terrible", "awful", "horrible", "ridiculous", "unacceptable",
    "useless", "broken", "fix", "cannot", "don't", "doesn't", "can't", "won't", "isn't", "didn't", "haven't",
    "wasn't", "disappoint*", "frustrat*", "annoy*", "cancel*", "refund*", "wait*", "issue*", "problem*", "fail*",
)


def complains(text: pd.Series) -> pd.Series:
    """The label rule: the tweet holds a ``COMPLAINT`` word (``*``: any ending), case-insensitive."""
    words = "|".join(w.replace("*", r"\w*") for w in COMPLAINT)
    return text.str.lower().str.replace("\u2019", "'").str.contains(rf"\b(?:{words})\b", regex=True)


def twcs() -> tuple[pd.DataFrame, pd.DataFrame]:
    df = pd.read_csv(TWCS, index_col=0, dtype={"author_id": str}, lineterminator="\n")
    df = df[df["inbound"] == True]
    df = pd.DataFrame({"customer_id": df["author_id"], "text": df["text"],
                       "time": pd.to_datetime(df["created_at"], format="%a %b %d %H:%M:%S %z %Y", utc=True)
                       .map(lambda t: t.isoformat())})
    history, held = split(df, 2)
    return history, pd.DataFrame({"customer_id": held["customer_id"], "label": complains(held["text"]).astype(int)})


def run(ws, name: str, history: pd.DataFrame, labels: pd.DataFrame, topics: int, seed: int, model: str,
        channel: str = "review") -> dict:
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
                                    rating_col="rating" if "rating" in history else None, channel=channel), ws)
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
                     ("baseline: TF-IDF of pooled raw text + behaviour", r["baselines"]["tfidf_behaviour"])):
        print(f"{label:48} {m['roc_auc']:8.3f} {m['pr_auc']:7.3f} {m['brier']:6.3f}")
    print("top drivers up:  ", "; ".join(d["feature"] for d in r["drivers"]["up"][:5]))
    print("top drivers down:", "; ".join(d["feature"] for d in r["drivers"]["down"][:5]))
    if r.get("text"):
        w = r["drivers"]["words"]
        how = ", ".join(f"{k} {v}" for k, v in r["text"].items() if k != "terms")
        print(f"keywords: {r['text']['terms']:,} terms, {how}; words up: "
              f"{', '.join(d['feature'][9:] for d in w['up'][:8])}; down: {', '.join(d['feature'][9:] for d in w['down'][:8])}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--topics", type=int, default=15)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--model", default="logistic")
    ap.add_argument("--skip-twcs", action="store_true")
    a = ap.parse_args()
    from textprofile.core.workspace import Workspace

    ws = Workspace.resolve(OUT)
    history, held = split(amazon(), 2)
    labels = pd.DataFrame({"customer_id": held["customer_id"], "label": (held["rating"] <= 3).astype(int)})
    r = run(ws, "amazon", history, labels, a.topics, a.seed, a.model)
    table("Amazon, held-out review <= 3 stars", r)
    ok = r["cv"]["roc_auc"] >= 0.75 and r["cv"]["roc_auc"] >= r["baselines"]["tfidf_behaviour"]["roc_auc"]
    print(f"bar (ROC AUC >= 0.75 and >= TF-IDF + behaviour): {'met' if ok else 'NOT met'}")
    if not a.skip_twcs:
        history, labels = twcs()
        table("twcs, held-out tweet complains", run(ws, "twcs", history, labels, 10, a.seed, a.model, "social"))


if __name__ == "__main__":
    main()
