"""Why a score is what it is: drivers for the whole model, reasons for one customer.

Logistic model: each feature's effect is its odds ratio per standard deviation, exp(coef), with a
bootstrap percentile interval (the model refitted at the chosen C on resampled customers; the
score of the text sub-model is held fixed, so its interval leaves out that model's own
uncertainty). The reasons a customer scores as they do are the features whose contribution to
their log odds, coef x (their value - the mean) / SD, is largest in size; for a ``keyword:``
column the comparison is with not using the word (coef x their TF-IDF value).

Gradient boosting has no coefficients: drivers are permutation importances (drop in ROC AUC when a
feature is shuffled) and a customer's reasons are the change in their log odds when one of the
most important features is set to its mean.
"""

from __future__ import annotations

from typing import Any

import numpy as np

BOOTSTRAP = 50
TOP_DRIVERS = 10
TOP_REASONS = 3
GBM_REASON_FEATURES = 20
CHUNK = 20_000
CELLS = 4_000_000  # values densified at once for the reasons


def bootstrap_odds_ratios(X, y: np.ndarray, C: float, seed: int, n_boot: int = BOOTSTRAP) -> tuple[np.ndarray, np.ndarray]:
    """(2.5%, 97.5%) percentile intervals of exp(coef) over ``n_boot`` stratified resamples."""
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(seed)
    pos, neg = np.flatnonzero(y == 1), np.flatnonzero(y == 0)
    coefs = np.empty((n_boot, X.shape[1]))
    for b in range(n_boot):
        rows = np.concatenate([rng.choice(pos, len(pos)), rng.choice(neg, len(neg))])
        est = LogisticRegression(C=C, class_weight="balanced", solver="lbfgs", max_iter=5000)
        coefs[b] = est.fit(X[rows], y[rows]).coef_[0]
    lo, hi = np.percentile(coefs, [2.5, 97.5], axis=0)
    return np.exp(lo), np.exp(hi)


def logistic_drivers(names: list[str], coef: np.ndarray, lo: np.ndarray, hi: np.ndarray,
                     n: int = TOP_DRIVERS) -> dict[str, list[dict[str, Any]]]:
    """The ``n`` features raising the score most and the ``n`` lowering it most (ties: name)."""
    rows = [{"feature": f, "odds_ratio": round(float(np.exp(c)), 4), "low": round(float(a), 4),
             "high": round(float(b), 4), "coef": round(float(c), 6)}
            for f, c, a, b in zip(names, coef, lo, hi)]
    up = sorted((r for r in rows if r["coef"] > 0), key=lambda r: (-r["coef"], r["feature"]))[:n]
    down = sorted((r for r in rows if r["coef"] < 0), key=lambda r: (r["coef"], r["feature"]))[:n]
    return {"up": up, "down": down}


def gbm_drivers(estimator, names: list[str], X, y: np.ndarray, seed: int,
                n: int = TOP_DRIVERS) -> dict[str, list[dict[str, Any]]]:
    """Permutation importance on the training customers (ROC AUC lost when a feature is shuffled)."""
    from sklearn.inspection import permutation_importance

    dense = X.toarray() if hasattr(X, "toarray") else np.asarray(X)
    imp = permutation_importance(estimator, dense, y, scoring="roc_auc", n_repeats=5, random_state=seed, n_jobs=1)
    rows = [{"feature": f, "importance": round(float(m), 6), "sd": round(float(s), 6)}
            for f, m, s in zip(names, imp.importances_mean, imp.importances_std)]
    rows.sort(key=lambda r: (-r["importance"], r["feature"]))
    return {"up": [r for r in rows if r["importance"] > 0][:n], "down": []}


def _top(contrib: np.ndarray, names: list[str], k: int) -> list[list[dict[str, Any]]]:
    order = np.lexsort((np.broadcast_to(np.arange(contrib.shape[1]), contrib.shape), -np.abs(contrib)), axis=1)[:, :k]
    out = []
    for i, cols in enumerate(order):
        out.append([{"feature": names[j], "effect": round(float(contrib[i, j]), 4)}
                    for j in cols.tolist() if contrib[i, j] != 0])
    return out


def logistic_reasons(Xs, coef: np.ndarray, scaled_mean: np.ndarray, names: list[str],
                     k: int = TOP_REASONS) -> list[list[dict[str, Any]]]:
    """Per row of the scaled matrix ``Xs``: the ``k`` largest contributions to the log odds."""
    out: list[list[dict[str, Any]]] = []
    rows = max(1, min(CHUNK, CELLS // max(Xs.shape[1], 1)))  # thousands of keyword columns: smaller chunks
    for start in range(0, Xs.shape[0], rows):
        block = Xs[start:start + rows]
        dense = block.toarray() if hasattr(block, "toarray") else np.asarray(block)
        out += _top((dense - scaled_mean[None, :]) * coef[None, :], names, k)
    return out


def gbm_reasons(estimator, Xs, scaled_mean: np.ndarray, names: list[str], important: list[str],
                k: int = TOP_REASONS) -> list[list[dict[str, Any]]]:
    """Per row: the change in log odds when each of the ``important`` features is set to its mean."""
    cols = [names.index(f) for f in important[:GBM_REASON_FEATURES] if f in names]
    out: list[list[dict[str, Any]]] = []
    for start in range(0, Xs.shape[0], CHUNK):
        block = Xs[start:start + CHUNK]
        dense = block.toarray() if hasattr(block, "toarray") else np.asarray(block)
        base = _log_odds(estimator, dense)
        contrib = np.zeros_like(dense)
        for j in cols:
            moved = dense.copy()
            moved[:, j] = scaled_mean[j]
            contrib[:, j] = base - _log_odds(estimator, moved)
        out += _top(contrib, names, k)
    return out


def _log_odds(estimator, dense: np.ndarray) -> np.ndarray:
    p = np.clip(estimator.predict_proba(dense)[:, 1], 1e-12, 1 - 1e-12)
    return np.log(p / (1 - p))
