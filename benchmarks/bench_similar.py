"""Similar customers on real histories: ``profile similar`` against a pooled TF-IDF baseline.

Ground truth that the profiles never see:
  - Amazon reviews (all three files): a neighbour is right when the two reviewed at least one
    same product (``asin``);
  - twcs (both samples, customers = inbound authors): a neighbour is right when both wrote to the
    same company (the author of the company replies in their threads, or the brand handle they
    @mention — handles are social markup, never tokens, and are stripped from the baseline too).

For up to 1,500 sampled customers (seed 0), precision@10 of: the default (``--by mixed``),
``--by keywords``, ``--by topics``, and in the same run the baselines: scikit-learn's
``TfidfVectorizer`` cosine over each customer's pooled raw text, default settings and
``sublinear_tf=True``. Corpora are loaded, fitted and profiled with defaults under
benchmarks/out/similar/ (reused; ``--rebuild`` to redo).

    python benchmarks/bench_similar.py [--corpora amazon twcs] [--sample 1500] [--rebuild]
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import shutil
import time
from pathlib import Path

import numpy as np
import pandas as pd

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
OUT = Path(__file__).resolve().parent / "out" / "similar"
AMAZON = ["reviews_Musical_Instruments_5.json.gz", "reviews_Digital_Music_5.partial.json.gz", "All_Beauty_5.json.gz"]
TWCS = ["twcs_head_5000.csv.gz", "twcs_random_5000.csv.gz"]
MENTION = re.compile(r"@\w+")


def amazon_truth() -> tuple[list[Path], dict, pd.Series, list[str]]:
    rows = []
    for f in AMAZON:
        with gzip.open(DATA / "amazon_reviews_5core_en" / f, "rt", encoding="utf-8") as fh:
            for line in fh:
                r = json.loads(line)
                rows.append((r["reviewerID"], r["asin"], r.get("reviewText") or ""))
    df = pd.DataFrame(rows, columns=["cid", "item", "text"])
    files = [DATA / "amazon_reviews_5core_en" / f for f in AMAZON]
    return files, df.groupby("cid")["item"].apply(set).to_dict(), df.groupby("cid")["text"].apply(" ".join), \
        ["--channel", "review"]


def twcs_truth() -> tuple[list[Path], dict, pd.Series, list[str]]:
    frames = []
    for f in TWCS:
        d = pd.read_csv(DATA / "twcs_customer_support_en" / f, dtype={"author_id": str}, lineterminator="\n")
        frames.append(d.drop(columns=[c for c in d.columns if c.startswith("Unnamed")]))
    df = pd.concat(frames).drop_duplicates("tweet_id")
    df["inbound"] = df["inbound"].astype(str).str.lower() == "true"
    author = dict(zip(df["tweet_id"].astype(str), df["author_id"]))
    inbound = dict(zip(df["tweet_id"].astype(str), df["inbound"]))
    companies = set(df.loc[~df["inbound"], "author_id"])
    truth: dict[str, set] = {}
    for r in df[df["inbound"]].itertuples():
        got = truth.setdefault(r.author_id, set())
        linked = str(r.response_tweet_id).split(",") if isinstance(r.response_tweet_id, str) else []
        if r.in_response_to_tweet_id == r.in_response_to_tweet_id:  # not NaN
            linked.append(str(int(r.in_response_to_tweet_id)))
        got.update(author[t] for t in linked if t in author and not inbound[t])
        got.update(m[1:] for m in MENTION.findall(str(r.text)) if m[1:] in companies)
    texts = df[df["inbound"]].groupby("author_id")["text"].apply(lambda s: MENTION.sub(" ", " ".join(map(str, s))))
    files = [DATA / "twcs_customer_support_en" / f for f in TWCS]
    return files, {c: s for c, s in truth.items() if s}, texts, ["--customer-filter", "inbound=True",
                                                                   "--channel", "social"]


def prepare(name: str, files: list[Path], load_args: list[str], rebuild: bool) -> Path:
    from typer.testing import CliRunner

    from textprofile.cli.app import app

    home = OUT / name
    if rebuild and home.exists():
        shutil.rmtree(home)
    if not (home / "models" / name / "profiles.duckdb").is_file():
        home.mkdir(parents=True, exist_ok=True)
        for args in (["load", *map(str, files), "--name", name, *load_args], ["fit", name], ["profile", "build", name]):
            t = time.perf_counter()
            res = CliRunner().invoke(app, [*args, "--home", str(home)])
            if res.exit_code != 0:
                raise SystemExit(f"{' '.join(args[:2])} failed: {res.output[-2000:]}")
            print(f"  {name}: {args[0]} {time.perf_counter() - t:.1f} s", flush=True)
    return home


def precision(neigh: dict[str, list[str]], truth: dict) -> float:
    return float(np.mean([np.mean([len(truth.get(c, set()) & truth.get(o, set())) > 0 for o in ns])
                          for c, ns in neigh.items()]))


def tfidf_neighbours(texts: pd.Series, queries: list[str], pool: list[str], **kw) -> dict[str, list[str]]:
    from sklearn.feature_extraction.text import TfidfVectorizer

    M = TfidfVectorizer(**kw).fit_transform(texts.reindex(pool).fillna(""))
    pos = {c: i for i, c in enumerate(pool)}
    out = {}
    for q in queries:
        s = (M @ M[pos[q]].T).toarray().ravel()
        s[pos[q]] = -np.inf
        order = np.lexsort((np.arange(len(s)), -s))[:10]
        out[q] = [pool[j] for j in order]
    return out


def run(name: str, sample: int, rebuild: bool) -> dict:
    from textprofile.core.workspace import Workspace
    from textprofile.store.profile_store import ProfileStore

    files, truth, texts, load_args = {"amazon": amazon_truth, "twcs": twcs_truth}[name]()
    home = prepare(name, files, load_args, rebuild)
    with ProfileStore.open(Workspace.resolve(home), name) as store:
        pool = sorted(store.export_profiles()["customer_id"].astype(str))
        known = [c for c in pool if c in truth]
        rng = np.random.default_rng(0)
        queries = sorted(rng.choice(known, min(sample, len(known)), replace=False).tolist())
        out = {"customers": len(pool), "queries": len(queries)}
        for by in ("mixed", "keywords", "topics"):
            t = time.perf_counter()
            neigh = {q: [h["customer_id"] for h in store.similar(q, 10, by)] for q in queries}
            out[f"textprofile --by {by}"] = (precision(neigh, truth), time.perf_counter() - t)
    for label, kw in (("TfidfVectorizer() pooled raw text", {}),
                      ("TfidfVectorizer(sublinear_tf=True)", {"sublinear_tf": True})):
        t = time.perf_counter()
        out[label] = (precision(tfidf_neighbours(texts, queries, pool, **kw), truth), time.perf_counter() - t)
    rand = {q: rng.choice([c for c in pool if c != q], 10, replace=False).tolist() for q in queries[:300]}
    out["random neighbours"] = (precision(rand, truth), 0.0)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpora", nargs="+", default=["amazon", "twcs"], choices=["amazon", "twcs"])
    ap.add_argument("--sample", type=int, default=1500)
    ap.add_argument("--rebuild", action="store_true")
    args = ap.parse_args()
    for name in args.corpora:
        res = run(name, args.sample, args.rebuild)
        base = max(res["TfidfVectorizer() pooled raw text"][0], res["TfidfVectorizer(sublinear_tf=True)"][0])
        print(f"\n{name}: {res['customers']:,} customers, {res['queries']:,} queries, precision@10")
        print("| method | precision@10 | vs best baseline | seconds |\n| --- | --- | --- | --- |")
        for k, v in res.items():
            if isinstance(v, tuple):
                print(f"| {k} | {v[0]:.3f} | {v[0] / base:.2f}x | {v[1]:.1f} |")


if __name__ == "__main__":
    main()
