"""Choosing the number of topics K (``fit --topics auto``).

Each candidate K is fitted with the configured engine and scored on the corpus by
NPMI coherence (top-10 words) and topic diversity (top-25 words).

The rule: pick the K with the highest NPMI (mean over topics of their top-10 words); ties go
to the smaller K. Diversity is reported but does not decide: the product NPMI x diversity
(Dieng, Ruiz & Blei 2020 compare models of one K with it) falls with K whatever the corpus,
because more topics share more top words, so it always favoured the smallest K tried: on the
synthetic customers of benchmarks/bench_recovery.py it chose K=5 for 10 real categories, where
NPMI peaks at K=15 (the sweep is quoted in the README).

To keep the sweep cheap on big corpora it trains on a seeded sample of at most
``sweep_max_docs`` documents and for ``sweep_iterations`` iterations (default: half the final
fit's); the chosen K is then refitted on everything with the full settings.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from textprofile.core.progress import Progress
from textprofile.topics import make_engine
from textprofile.topics.coherence import score_topics


def sweep_sample(X, max_docs: int | None, seed: int):
    """Rows of ``X`` to sweep on: all, or a seeded sample of ``max_docs`` in corpus order."""
    n = X.shape[0]
    if not max_docs or n <= max_docs:
        return X
    rng = np.random.default_rng(seed)
    rows = np.sort(rng.choice(n, size=max_docs, replace=False))
    return X[rows]


def pick_k(table: list[dict[str, Any]]) -> int:
    """Apply the documented rule to a sweep table of {k, npmi, diversity}."""
    if not table:
        raise ValueError("empty sweep table")
    best = max(table, key=lambda r: (round(r["npmi"], 9), -r["k"]))
    return int(best["k"])


def sweep(X, vocab: tuple[str, ...], k_range: tuple[int, ...], engine: str, seed: int,
          iterations: int | None, workers: int, params: dict[str, Any],
          progress: Progress | None = None) -> tuple[int, list[dict[str, Any]]]:
    """Fit every K in ``k_range`` on ``X``; return (chosen K, table rows in K order)."""
    n_docs = X.shape[0]
    ks = sorted({int(k) for k in k_range if 2 <= int(k) <= max(2, n_docs)})
    table = []
    for i, k in enumerate(ks):
        if progress is not None:
            progress("sweep", i, len(ks))
        eng = make_engine(engine, k=k, seed=seed, iterations=iterations, workers=workers, **params)
        eng.fit(X, vocab)
        s = score_topics(X, eng.topic_word_, top_n=10)
        table.append({
            "k": k,
            "npmi": round(s["npmi"], 6),
            "diversity": round(s["diversity"], 6),
            "tq": round(s["npmi"] * s["diversity"], 6),
        })
    if progress is not None:
        progress("sweep", len(ks), len(ks))
    return pick_k(table), table
