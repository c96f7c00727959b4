"""What makes two customers alike: the vectors the neighbour index is built from, and the why.

A customer is their keyword vector (sublinear term counts of everything they wrote, times the
model's idf to the power ``IDF_POWER``, unit length) beside their topic mixture. Neighbours are
ranked by ``(1 - W_TOPICS) cos(keywords) + W_TOPICS BC(topics)``, BC being the Bhattacharyya
coefficient of the mixtures (1 - Hellinger²). Both were chosen on real customer histories
(``benchmarks/bench_similar.py``: Amazon reviewers who reviewed the same product, twcs customers
who wrote to the same company); the README has the figures. What customers actually say finds
the customers who bought the same things far better than topic mixtures alone; the topics add a
little, mostly where two customers share few rare words.
"""

from __future__ import annotations

from typing import Any

import numpy as np

W_TOPICS = 0.15
IDF_POWER = 1.5
WHY_MIN_SHARE = 0.1  # a topic counts as a shared interest when both customers give it this much
WHY_TERMS = 5


def keyword_vectors(pooled, idf: np.ndarray, sublinear: bool = True):
    """Unit keyword vectors (CSR, float32) from pooled counts (customers x vocabulary)."""
    import scipy.sparse as sp
    from sklearn.preprocessing import normalize

    tf = sp.csr_matrix(pooled, dtype=np.float64, copy=True)
    if sublinear:
        tf.data = 1.0 + np.log(tf.data)
    weighted = tf @ sp.diags(np.asarray(idf, dtype=np.float64) ** IDF_POWER)
    return normalize(weighted, norm="l2", copy=False).astype(np.float32).tocsr()


def explain(query: dict[str, Any], other: dict[str, Any]) -> dict[str, Any]:
    """Why ``other`` is like ``query`` (two profile cards): shared top interests and keywords."""
    mine = {i["topic_id"]: i for i in query["interests"] if i["share"] >= WHY_MIN_SHARE}
    shared = [
        {"topic_id": i["topic_id"], "label": i["label"], "share": round(min(i["share"], mine[i["topic_id"]]["share"]), 4)}
        for i in other["interests"] if i["topic_id"] in mine and i["share"] >= WHY_MIN_SHARE
    ]
    shared.sort(key=lambda t: (-t["share"], t["topic_id"]))
    theirs = {k["term"] for k in other["keywords"]}
    words = [k["term"] for k in query["keywords"] if k["term"] in theirs][:WHY_TERMS]
    return {"shared_interests": shared, "shared_keywords": words}


def group_summary(seeds: list[dict[str, Any]]) -> dict[str, Any]:
    """What a seed list has in common (mean interest shares, keyword counts), for ``explain_group``."""
    n = max(1, len(seeds))
    share: dict[int, float] = {}
    label: dict[int, str] = {}
    terms: dict[str, int] = {}
    for card in seeds:
        for i in card["interests"]:
            share[i["topic_id"]] = share.get(i["topic_id"], 0.0) + i["share"] / n
            label[i["topic_id"]] = i["label"]
        for k in card["keywords"]:
            terms[k["term"]] = terms.get(k["term"], 0) + 1
    return {"share": share, "label": label, "terms": terms}


def explain_group(group: dict[str, Any], other: dict[str, Any]) -> dict[str, Any]:
    """Why ``other`` is like a seed list (its ``group_summary``): the interests and keywords it
    shares with the seeds, the keywords most seeds use first."""
    share, label, terms = group["share"], group["label"], group["terms"]
    shared = [
        {"topic_id": i["topic_id"], "label": label[i["topic_id"]],
         "share": round(min(i["share"], share[i["topic_id"]]), 4)}
        for i in other["interests"]
        if i["share"] >= WHY_MIN_SHARE and share.get(i["topic_id"], 0.0) >= WHY_MIN_SHARE
    ]
    shared.sort(key=lambda t: (-t["share"], t["topic_id"]))
    words = sorted((k["term"] for k in other["keywords"] if k["term"] in terms),
                   key=lambda t: (-terms[t], t))[:WHY_TERMS]
    return {"shared_interests": shared, "shared_keywords": words}
