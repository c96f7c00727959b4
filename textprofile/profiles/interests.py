"""Per-customer interests: pure functions from comment-level data to one topic mixture per customer.

Four ways to get a customer's mixture (compared on benchmarks/bench_recovery.py and
bench_heldout.py):

- ``pooled``: add up the customer's comments' bags of words (optionally recency-weighted) and infer
  one mixture for the pooled document with the model's fold-in. Short comments get little prior
  smoothing this way, because the customer's whole history is one long document.
- ``mean``: the length-weighted (n_tokens x recency weight) mean of the per-comment mixtures in
  ``doc_topics.parquet``. Each short comment's mixture carries its own prior smoothing, which the
  mean keeps.
- ``comment`` (the default): every comment weighted equally (x recency), each contributing the
  share of its words the model gives each topic (``word_shares``: its mixture with the prior's
  pseudo-counts taken out, so a three-word comment is not 40% prior smoothing spread over every
  topic). A customer's interests are then "what their comments are about, comment by comment".
  Measured on benchmarks/bench_recovery.py it recovers the dominant interest far better than
  length weighting, because one long comment (a hotel story) no longer outweighs ten short ones;
  see the README for the figures.
- ``one-topic``: each comment is about one topic, drawn from the customer's mixture, and each
  of its words comes either from that topic or from the corpus background (probability
  ``BACKGROUND_WEIGHT``; the model's own term frequencies). The customer's mixture is the
  maximum-a-posteriori fit of that model to their comments (``one_topic_interests``: EM with
  the model's alpha as pseudo-counts, a fixed number of iterations). A short comment that mixes
  "fast delivery" with "fresh apples" counts for the fruit topic, whose specific words explain
  it far better than the background does, instead of being split half to a delivery topic.
  On benchmarks/bench_recovery.py (synthetic customers, short reviews) this beats ``comment``
  at every model seed; on real Amazon customers (benchmarks/bench_heldout.py, longer reviews
  that touch several topics) it predicts their next review worse, so ``comment`` stays the
  default.

Recency decay: a comment ``d`` days older than the as-of time weighs ``0.5 ** (d / half_life)``.
Weights are scaled so each customer's newest comment weighs 1, which keeps a customer's evidence
at full strength however long ago they were last seen, and makes interests independent of the
as-of time (only their relative ages matter). Undated comments weigh 1.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

# one-topic: share of a comment's words drawn from the corpus background rather than its topic
BACKGROUND_WEIGHT = 0.5
ONE_TOPIC_ITERATIONS = 30


def customer_codes(customer_ids: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """(sorted unique ids, code of each row into them)."""
    ids = np.asarray(customer_ids, dtype=object)
    uniq, codes = np.unique(ids.astype(str), return_inverse=True)
    return uniq.astype(object), codes.astype(np.int64)


def decay_weights(
    times: pd.Series, codes: np.ndarray, n_customers: int, as_of: pd.Timestamp | None,
    half_life_days: float | None,
) -> np.ndarray:
    """Recency weight of each comment (1.0 everywhere without a half-life); see the module doc."""
    import pandas as pd

    n = len(codes)
    if not half_life_days:
        return np.ones(n)
    if half_life_days <= 0:
        from textprofile.core.errors import ConfigError

        raise ConfigError(f"--half-life must be a positive number of days, got {half_life_days}")
    t = pd.to_datetime(times, utc=True)
    ref = as_of if as_of is not None else t.max()
    if ref is None or pd.isna(ref):
        return np.ones(n)
    age = ((ref - t) / pd.Timedelta(days=1)).to_numpy(dtype=np.float64, na_value=np.nan)
    # per-customer shift so the newest comment has age 0 (weight 1)
    newest = np.full(n_customers, np.inf)
    dated = ~np.isnan(age)
    np.minimum.at(newest, codes[dated], age[dated])
    rel = age - newest[codes]
    w = np.power(0.5, rel / float(half_life_days))
    w[~dated] = 1.0
    return w


def pool_rows(X, codes: np.ndarray, n_customers: int, weights: np.ndarray):
    """Sparse (customers x V) weighted sum of the comment rows of ``X``."""
    from scipy import sparse

    W = sparse.csr_matrix(
        (np.asarray(weights, dtype=np.float64), (codes, np.arange(len(codes)))),
        shape=(n_customers, len(codes)),
    )
    return (W @ sparse.csr_matrix(X, dtype=np.float64)).tocsr()


def pooled_interests(
    X, codes: np.ndarray, n_customers: int, weights: np.ndarray, topic_word: np.ndarray,
    alpha: np.ndarray, iterations: int = 100,
) -> np.ndarray:
    """(customers, K) mixtures inferred from each customer's pooled (weighted) bag of words.

    ``X``: (comments, V) counts over the model vocabulary (``FittedModel.encode``). Uses the
    model's own deterministic fold-in, the same inference ``FittedModel.infer`` runs.
    """
    from textprofile.topics.base import fold_in

    pooled = pool_rows(X, codes, n_customers, weights)
    return fold_in(pooled, topic_word, alpha, iterations)


def word_shares(theta: np.ndarray, n_tokens: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    """(n, K) share of each comment's in-vocabulary words assigned to each topic.

    The fold-in's mixture is ``theta = (alpha + expected topic counts) / (n_tokens + sum(alpha))``
    (``topics.base.fold_in``), so ``theta * (n_tokens + sum(alpha)) - alpha`` recovers the expected
    counts; they are normalised per comment. Rows with no tokens (or nothing left) keep ``theta``.
    """
    theta = np.asarray(theta, dtype=np.float64)
    alpha = np.asarray(alpha, dtype=np.float64)
    n = np.asarray(n_tokens, dtype=np.float64)
    # the same operations in place on one (n, K) array (one corpus-sized temporary, not five)
    counts = theta * (n + alpha.sum())[:, None]
    counts -= alpha[None, :]
    np.clip(counts, 0.0, None, out=counts)
    total = counts.sum(axis=1, keepdims=True)
    keep = ~((n > 0) & (total[:, 0] > 0))
    np.divide(counts, np.where(total > 0, total, 1.0), out=counts)
    counts[keep] = theta[keep]
    return counts


def comment_log_likelihood(X, topic_word: np.ndarray, term_frequency: np.ndarray,
                           background: float = BACKGROUND_WEIGHT) -> np.ndarray:
    """(n, K) log-likelihood of each comment's words if it is about topic k.

    Each word comes from topic k with probability ``1 - background`` and from the corpus
    distribution ``term_frequency`` (normalised) otherwise.
    """
    phi = np.asarray(topic_word, dtype=np.float64)
    phi = phi / phi.sum(axis=1, keepdims=True)
    b = np.asarray(term_frequency, dtype=np.float64)
    b = np.maximum(b, 0.0) / max(float(b.sum()), 1e-300)
    logq = np.log(np.maximum((1.0 - background) * phi + background * b[None, :], 1e-300))
    return np.asarray(X @ logq.T, dtype=np.float64)


def one_topic_interests(
    X, codes: np.ndarray, n_customers: int, weights: np.ndarray, topic_word: np.ndarray,
    term_frequency: np.ndarray, alpha: np.ndarray, iterations: int = ONE_TOPIC_ITERATIONS,
    background: float = BACKGROUND_WEIGHT,
) -> np.ndarray:
    """(customers, K) mixtures under the one-topic-per-comment model (see the module doc).

    EM from a uniform start: a comment's topic posterior is its customer's mixture times its
    likelihood under each topic; the mixture is ``alpha`` plus the (recency-weighted) posteriors,
    normalised. Each customer is fitted on their own comments only, so the result does not depend
    on which other customers are in the batch. Comments with no in-vocabulary token carry no
    weight; a customer with none at all gets ``alpha`` normalised.
    """
    from scipy import sparse

    alpha = np.asarray(alpha, dtype=np.float64)
    K = len(alpha)
    lik = comment_log_likelihood(X, topic_word, term_frequency, background)
    lik -= lik.max(axis=1, keepdims=True)
    np.exp(lik, out=lik)  # likelihood ratios: each row's best topic is 1
    has_words = np.asarray(sparse.csr_matrix(X).sum(axis=1)).ravel() > 0
    w = np.asarray(weights, dtype=np.float64) * has_words
    W = sparse.csr_matrix((w, (codes, np.arange(len(codes)))), shape=(n_customers, len(codes)))
    theta = np.full((n_customers, K), 1.0 / K)
    post = np.empty_like(lik)  # (comments, K) buffers reused across iterations
    row_sum = np.empty((len(lik), 1))
    for _ in range(iterations):
        np.take(theta, codes, axis=0, out=post)
        post *= lik
        np.sum(post, axis=1, keepdims=True, out=row_sum)
        np.maximum(row_sum, 1e-300, out=row_sum)
        post /= row_sum
        theta = np.asarray(W @ post) + alpha[None, :]
        theta /= theta.sum(axis=1, keepdims=True)
    return theta


def mean_interests(
    theta: np.ndarray, n_tokens: np.ndarray, codes: np.ndarray, n_customers: int,
    weights: np.ndarray, prior: np.ndarray,
) -> np.ndarray:
    """(customers, K) length- and recency-weighted mean of per-comment mixtures.

    Comments with no in-vocabulary token (n_tokens 0) carry no weight; a customer with none
    at all gets ``prior`` (normalised).
    """
    from scipy import sparse

    w = np.asarray(weights, dtype=np.float64) * np.asarray(n_tokens, dtype=np.float64)
    W = sparse.csr_matrix((w, (codes, np.arange(len(codes)))), shape=(n_customers, len(codes)))
    num = np.asarray(W @ np.asarray(theta, dtype=np.float64))
    den = num.sum(axis=1, keepdims=True)
    prior = np.asarray(prior, dtype=np.float64) / np.sum(prior)
    out = np.where(den > 0, num / np.where(den > 0, den, 1.0), prior[None, :])
    return out / out.sum(axis=1, keepdims=True)


def pool_tokens(token_lists: Sequence[Sequence[str]], codes: np.ndarray, n_customers: int) -> list[list[str]]:
    """Each customer's tokens, their comments concatenated in input order."""
    out: list[list[str]] = [[] for _ in range(n_customers)]
    for c, toks in zip(codes.tolist(), token_lists):
        if len(toks):
            out[c].extend(toks)
    return out


def normalise(shares: np.ndarray) -> np.ndarray:
    """Rows scaled to sum to exactly 1 (float64), so exported shares add up."""
    shares = np.clip(np.asarray(shares, dtype=np.float64), 0.0, None)
    s = shares.sum(axis=1, keepdims=True)
    k = shares.shape[1] if shares.ndim == 2 else 1
    return np.where(s > 0, shares / np.where(s > 0, s, 1.0), 1.0 / max(k, 1))


def encode_lists(tokens, vocab: Sequence[str], value_set=None):
    """Sparse (rows, V) counts of an Arrow list<string> array over ``vocab`` (unknown terms dropped).

    Vectorised in Arrow/numpy: no Python loop over comments or tokens. ``value_set``: ``vocab``
    as an Arrow string array, when the caller encodes many batches.
    """
    import pyarrow as pa
    import pyarrow.compute as pc
    from scipy import sparse

    tokens = tokens.combine_chunks() if isinstance(tokens, pa.ChunkedArray) else tokens
    n = len(tokens)
    lengths = pc.fill_null(pc.list_value_length(tokens), 0).to_numpy(zero_copy_only=False)
    flat = pc.list_flatten(tokens)
    if value_set is None:
        value_set = pa.array(list(vocab), type=pa.string())
    found = pc.index_in(flat, value_set=value_set)
    known = pc.is_valid(found).to_numpy(zero_copy_only=False)
    ids = pc.fill_null(found, 0).to_numpy(zero_copy_only=False).astype(np.int64)[known]
    rows = np.repeat(np.arange(n), lengths)[known]
    X = sparse.csr_matrix((np.ones(len(ids), dtype=np.float64), (rows, ids)), shape=(n, len(vocab)))
    X.sum_duplicates()
    return X


def tfidf_top_terms(
    counts, idf: np.ndarray, vocab: Sequence[str], top_n: int, sublinear_tf: bool = True, norm: str | None = "l2",
) -> list[list[tuple[str, float]]]:
    """Top-``top_n`` TF-IDF (term, score) per row of a count matrix, best first (ties: vocabulary order).

    The same numbers as the model's ``TfidfKeywords.keywords`` on the token lists the counts came
    from (scikit-learn's TfidfVectorizer is counting, then exactly this), computed without a Python
    loop over terms.
    """
    from scipy import sparse

    M = sparse.csr_matrix(counts, dtype=np.float64, copy=True)
    M.sum_duplicates()
    if sublinear_tf:
        M.data = np.log(M.data) + 1.0
    M = M.multiply(np.asarray(idf, dtype=np.float64)[None, :]).tocsr()
    if norm == "l2":
        sq = np.sqrt(np.asarray(M.multiply(M).sum(axis=1)).ravel())
        M = sparse.diags(np.where(sq > 0, 1.0 / np.where(sq > 0, sq, 1.0), 0.0)) @ M
        M = M.tocsr()
    M.sort_indices()
    n = M.shape[0]
    rows = np.repeat(np.arange(n), np.diff(M.indptr))
    order = np.lexsort((M.indices, -M.data, rows))
    start = M.indptr[rows[order]]
    rank = np.arange(len(order)) - start
    keep = order[(rank < top_n) & (M.data[order] > 0)]
    terms = np.asarray(vocab, dtype=object)[M.indices[keep]]
    scores = np.round(M.data[keep], 6)
    out: list[list[tuple[str, float]]] = [[] for _ in range(n)]
    for r, t, s in zip(rows[keep].tolist(), terms.tolist(), scores.tolist()):
        out[r].append((t, s))
    return out
