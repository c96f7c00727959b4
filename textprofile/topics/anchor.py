"""A seed-independent start for LDA: topic-word priors from a deterministic NMF.

Collapsed Gibbs LDA finds a local optimum that the seed picks: on the Amazon reviews two seeds at
the same K kept a customer's dominant interest only 0.51-0.64 of the time. NMF of the
document-term counts under the Kullback-Leibler divergence (the PLSA objective, LDA's maximum-
likelihood cousin) from the NNDSVDa start (Boutsidis & Gallopoulos 2008) by multiplicative
updates has no random element at all, so its topics are the same for every seed. Turned into
word priors (a share of each word's own count, spread over the topics by the NMF's weights of
that word), they give every seed's chain the same basin; the sampler then refines the topics on
the counts as usual. (A Frobenius NMF of the TF-IDF, tried first, gave the same stability but a
basin of less coherent topics: NPMI 0.20 against LDA's 0.24 on the Amazon reviews; under KL the
anchored topics score 0.24.)

The anchor is fitted on at most ``ANCHOR_MAX_DOCS`` training documents, taken at evenly spaced
rows (no seed: the sample must not depend on it either), for ``ANCHOR_MAX_ITER`` updates (the
divergence is within 0.3% of its converged value by then on the Amazon reviews).
"""

from __future__ import annotations

import numpy as np

ANCHOR_MAX_DOCS = 50_000
ANCHOR_MAX_ITER = 50
ANCHOR_STATE = 0  # the randomized SVD inside NNDSVD: a constant, so every fit seed gets one anchor


def anchor_rows(n: int, max_docs: int = ANCHOR_MAX_DOCS) -> np.ndarray:
    """Evenly spaced row numbers (all rows when ``n <= max_docs``); the same for every seed."""
    if n <= max_docs:
        return np.arange(n)
    return np.unique(np.linspace(0, n - 1, max_docs).round().astype(np.int64))


def nmf_topics(X, k: int, max_docs: int = ANCHOR_MAX_DOCS, max_iter: int = ANCHOR_MAX_ITER) -> np.ndarray:
    """(k, V) non-negative topic-term weights: KL-divergence NMF (NNDSVDa start) of ``X``'s counts.

    Deterministic and the same for every seed: NNDSVDa starts from scikit-learn's randomized
    SVD, which is given a fixed random state (``ANCHOR_STATE``, never the fit's seed; without
    one it would draw from numpy's global generator), and multiplicative updates draw nothing.
    """
    import warnings

    from scipy import sparse
    from sklearn.decomposition import NMF
    from sklearn.exceptions import ConvergenceWarning

    X = sparse.csr_matrix(X)
    X = X[anchor_rows(X.shape[0], max_docs)]
    X = X[np.asarray(X.sum(axis=1)).ravel() > 0].astype(np.float64)
    k_eff = min(k, *X.shape)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        H = NMF(n_components=k_eff, init="nndsvda", solver="mu", beta_loss="kullback-leibler",
                max_iter=max_iter, tol=1e-4, random_state=ANCHOR_STATE).fit(X).components_
    if k_eff < k:  # fewer documents or terms than topics: the rest get no anchor
        H = np.vstack([H, np.zeros((k - k_eff, H.shape[1]))])
    return np.asarray(H, dtype=np.float64)


def word_priors(H: np.ndarray, term_frequency: np.ndarray, eta: float, strength: float) -> np.ndarray:
    """(k, V) Dirichlet topic-word priors: eta + strength x the word's count x its NMF topic share.

    A word the NMF gave no weight keeps the flat ``eta`` everywhere. ``strength`` is the
    share of each word's corpus count given as pseudo-counts (0 = no anchor).
    """
    col = H.sum(axis=0)
    share = np.divide(H, col, out=np.zeros_like(H), where=col > 0)
    return eta + float(strength) * share * np.asarray(term_frequency, dtype=np.float64)[None, :]
