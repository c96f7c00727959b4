"""Check that the demo corpus's planted interests can be recovered by a plain LDA.

Independent of the textprofile pipeline on purpose: a private ``jieba.Tokenizer()`` for Chinese
runs, lower-cased words for Latin runs, a short stopword list, then tomotopy LDA with K = number
of planted interests. Each topic is mapped to the interest whose key terms carry most of its
top-word weight; each customer's topic mixture (customer-authored rows only) is compared with
the planted interests.

    python benchmarks/check_demo_recovery.py [--corpus corpora/demo] [--iterations 300] [--seed 0]
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from textprofile.demo_corpus import INTEREST_NAMES, interest_keywords

_STRIP = re.compile(r"https?://\S+|\S+@\S+\.\w+|@\S+|<[^>]+>|&\w+;")
_RUNS = re.compile(r"[\u4e00-\u9fff]+|[A-Za-z][A-Za-z'-]*")
_ZH_STOP = """的 了 是 也 都 很 我 你 他 她 它 们 这 那 就 还 和 在 有 没 不 太 又 吧 吗 呢 啊 给 说 要 会 能 把 被
比 着 过 一 个 次 点 些 但 真 好 用 买 来 去 到 让 对 下 上 多 后 里 才 再 跟 得 地 着 么 什么 一下 一点 这个 那个
这次 这款 东西 已经 还是 就是 但是 因为 所以 而且 然后 感觉 觉得 非常 特别 真的 一直 现在 时候 可以 没有 不是
我们 你们 他们 自己 之前 总的来说 说实话 老实讲"""
ZH_STOP = set(_ZH_STOP.split())
_EN_STOP = """a an the and or but if so of to in on at for with from by is are was were be been it its
it's this that these those i i'm i've my me we our you your he she they them their not no too very
just really all any some more most than then there here what which who when how up out about after
before again also as do does did have has had can could would will get got one two only even still
ever way much every"""
EN_STOP = set(_EN_STOP.split())


def tokenizer():
    import jieba

    tok = jieba.Tokenizer()  # private instance: no global state
    tok.initialize()

    def tokenize(text: str) -> list[str]:
        out: list[str] = []
        for run in _RUNS.findall(_STRIP.sub(" ", text)):
            if run[0] >= "\u4e00":
                out += [w for w in tok.lcut(run) if len(w) > 1 and w not in ZH_STOP]
            else:
                w = run.lower().strip("'-")
                if len(w) > 1 and w not in EN_STOP:
                    out.append(w)
        return out

    return tokenize


def fit_and_score(docs, planted, key_tokens, k: int, seed: int, iterations: int, verbose: bool) -> dict:
    """Fit LDA with one seed; map topics to interests; score customers against the plants."""
    import tomotopy as tp

    mdl = tp.LDAModel(k=k, seed=seed, min_cf=2)
    for _, toks in docs:
        mdl.add_doc(toks)
    t0 = time.perf_counter()
    mdl.train(iterations, workers=1)  # one worker: bit-reproducible
    t_fit = time.perf_counter() - t0

    topic_interest: dict[int, str] = {}
    if verbose:
        print(f"seed {seed}: vocabulary {len(mdl.used_vocabs)}, fit {t_fit:.1f}s, "
              f"log-likelihood per word {mdl.ll_per_word:.3f}")
    for t in range(k):
        words = mdl.get_topic_words(t, top_n=30)
        scores = {n: sum(p for w, p in words if w in keys) for n, keys in key_tokens.items()}
        best = max(sorted(scores), key=lambda n: scores[n])
        topic_interest[t] = best
        if verbose:
            purity = scores[best] / sum(p for _, p in words)
            print(f"  topic {t} -> {best:9s} ({purity:4.0%} of top-30 weight on its key terms): "
                  + " ".join(w for w, _ in words[:12]))
    mapped = Counter(topic_interest.values())

    # each customer's interest mixture = token-weighted sum of their comments' topic shares
    mix: dict[str, Counter] = defaultdict(Counter)
    for doc, (cid, toks) in zip(mdl.docs, docs):
        for t, share in enumerate(doc.get_topic_dist()):
            mix[cid][topic_interest[t]] += share * len(toks)
    top1 = exact = covered = 0
    for cid, m in mix.items():
        plant = sorted(planted[cid], key=lambda p: (-p[1], p[0]))
        ranked = [n for n, _ in sorted(m.items(), key=lambda kv: (-kv[1], kv[0]))]
        top1 += ranked[0] == plant[0][0]
        names = {n for n, _ in plant}
        exact += set(ranked[: len(names)]) == names
        covered += sum(v for n, v in m.items() if n in names) / sum(m.values())
    return {
        "seed": seed, "fit_s": t_fit, "customers": len(mix),
        "interests_with_topic": len(mapped),
        "unrecovered": [n for n in INTEREST_NAMES if n not in mapped],
        "top1": top1 / len(mix), "planted_set": exact / len(mix), "planted_share": covered / len(mix),
    }


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", default=str(REPO / "corpora" / "demo"))
    ap.add_argument("--iterations", type=int, default=300)
    ap.add_argument("--seeds", type=int, nargs="+", default=[0],
                    help="LDA seeds; topic words are printed for the first")
    args = ap.parse_args()

    corpus = Path(args.corpus)
    with open(corpus / "export" / "comments.csv", encoding="utf-8", newline="") as f:
        rows = [r for r in csv.DictReader(f) if r["role"] != "agent"]
    planted: dict[str, list[tuple[str, float]]] = defaultdict(list)
    with open(corpus / "planted_interests.csv", encoding="utf-8", newline="") as f:
        for r in csv.DictReader(f):
            planted[r["customer_id"]].append((r["interest"], float(r["weight"])))

    t0 = time.perf_counter()
    tokenize = tokenizer()
    docs = [(r["customer_id"], tokenize(r["text"])) for r in rows]
    docs = [(c, t) for c, t in docs if t]
    t_tok = time.perf_counter() - t0
    key_tokens = {name: {w for term in terms for w in tokenize(term)}
                  for name, terms in interest_keywords().items()}
    k = len(INTEREST_NAMES)
    print(f"customer-authored rows: {len(rows)}, non-empty docs: {len(docs)}, tokenize {t_tok:.1f}s; "
          f"tomotopy LDA K={k}, {args.iterations} iterations, 1 worker\n")

    results = [fit_and_score(docs, planted, key_tokens, k, seed, args.iterations, i == 0)
               for i, seed in enumerate(args.seeds)]
    print("\nseed  interests-with-topic  unrecovered        top1==planted-top  top-k==planted-set  "
          "share-on-planted  fit")
    for r in results:
        print(f"{r['seed']:>4}  {r['interests_with_topic']:>7}/{k:<12}  "
              f"{','.join(r['unrecovered']) or '-':18s} {r['top1']:>10.1%}  {r['planted_set']:>17.1%}  "
              f"{r['planted_share']:>16.1%}  {r['fit_s']:.1f}s")
    print(f"({results[0]['customers']} customers; a topic is mapped to the interest whose key terms carry "
          "most of its top-30 weight)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
