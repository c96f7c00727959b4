"""Topic quality measured on the corpus itself: NPMI, C_V and topic diversity.

Co-occurrence is counted per document (a document is the context window). Customer comments
are short (median tens of tokens), so this equals gensim's 110-token sliding window for almost
every document while needing only one sparse matrix product per topic.

- NPMI (Bouma 2009; Lau et al. 2014): mean over pairs of the top-``n`` words of
  log(p(a,b) / p(a)p(b)) / -log p(a,b); a pair that never co-occurs scores -1.
- C_V (Röder et al. 2015): for each top word, the cosine between its NPMI context vector and
  the summed vector of all top words (epsilon 1e-12, gamma 1), averaged.
- Diversity (Dieng et al. 2020): the fraction of unique words among all topics' top-25 words.
"""

from __future__ import annotations

import numpy as np

EPS = 1e-12


def top_ids(topic_word: np.ndarray, n: int) -> np.ndarray:
    """(K, n) term ids of each topic's ``n`` most probable terms (ties: lower id first)."""
    n = min(n, topic_word.shape[1])
    # stable argsort on the negated row keeps lower ids first among equal weights
    return np.argsort(-topic_word, axis=1, kind="stable")[:, :n]


def _binary(X):
    B = X.tocsc(copy=True).astype(np.float64)
    B.data[:] = 1.0
    return B


def _cooc(B, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    sub = B[:, ids]
    co = (sub.T @ sub).toarray()
    return np.diag(co).copy(), co


def _npmi_matrix(df: np.ndarray, co: np.ndarray, n_docs: int, eps: float = 0.0) -> np.ndarray:
    """Pairwise NPMI of the words behind ``df``/``co``.

    With ``eps == 0`` a pair that never co-occurs scores -1 (NPMI's limit); with ``eps > 0`` the
    probabilities are smoothed instead, as C_V does.
    """
    p = df / n_docs
    pj = co / n_docs
    with np.errstate(divide="ignore", invalid="ignore"):
        if eps:
            return np.log((pj + eps) / (np.outer(p, p) + eps)) / -np.log(pj + eps)
        return np.where(pj > 0, np.log(pj / np.outer(p, p)) / -np.log(pj), -1.0)


def npmi_per_topic(X, topic_ids: np.ndarray, B=None) -> np.ndarray:
    """Mean pairwise NPMI of each topic's words; ``X`` is the (docs, V) bag-of-words."""
    B = _binary(X) if B is None else B
    n_docs = max(B.shape[0], 1)
    out = np.zeros(len(topic_ids))
    for k, ids in enumerate(topic_ids):
        df, co = _cooc(B, np.asarray(ids))
        pairs = _npmi_matrix(df, co, n_docs)[np.triu_indices(len(ids), 1)]
        out[k] = float(np.mean(pairs)) if pairs.size else 0.0
    return out


def cv_per_topic(X, topic_ids: np.ndarray, B=None) -> np.ndarray:
    """C_V of each topic (document-window variant; see the module docstring)."""
    B = _binary(X) if B is None else B
    n_docs = max(B.shape[0], 1)
    out = np.zeros(len(topic_ids))
    for k, ids in enumerate(topic_ids):
        df, co = _cooc(B, np.asarray(ids))
        m = _npmi_matrix(df, co, n_docs, EPS)
        m = np.nan_to_num(m, nan=0.0, posinf=0.0, neginf=0.0)
        total = m.sum(axis=0)
        sims = []
        for i in range(len(ids)):
            a = m[i]
            denom = np.linalg.norm(a) * np.linalg.norm(total)
            sims.append(float(a @ total / denom) if denom > 0 else 0.0)
        out[k] = float(np.mean(sims)) if sims else 0.0
    return out


def diversity(topic_word: np.ndarray, n: int = 25) -> float:
    """Fraction of unique terms among all topics' top-``n`` terms (1.0 = no overlap)."""
    ids = top_ids(topic_word, n)
    return float(len(np.unique(ids)) / ids.size) if ids.size else 0.0


def score_topics(X, topic_word: np.ndarray, top_n: int = 10, cv: bool = False) -> dict:
    """NPMI (and C_V when asked) per topic and on average, plus diversity over the top 25."""
    B = _binary(X)
    ids = top_ids(topic_word, top_n)
    npmi = npmi_per_topic(X, ids, B)
    out = {
        "npmi": float(npmi.mean()),
        "npmi_per_topic": [round(float(v), 6) for v in npmi],
        "diversity": diversity(topic_word, 25),
        "top_n": int(top_n),
    }
    if cv:
        c = cv_per_topic(X, ids, B)
        out["c_v"] = float(c.mean())
        out["c_v_per_topic"] = [round(float(v), 6) for v in c]
    return out
