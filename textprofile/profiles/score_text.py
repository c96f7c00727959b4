"""The text sub-model of a score: what a customer's own words say about the label.

A customer's stored keywords are their ten most distinctive terms, which are mostly product
words; the words that carry intent or dissatisfaction ("return", "broke", "退款") are rarely among
them. So the score reads the customer's whole pooled vocabulary instead:

- input: the customer's pooled token counts over the topic model's vocabulary (every comment the
  profile was built from), sublinear TF (1 + log count) times an idf learned on the training
  customers (no labels), each row L2-normalised;
- model: L2 logistic regression with balanced class weights; its strength C is chosen from
  ``TEXT_CS`` by the ROC AUC of an inner stratified ``FOLDS``-fold cross-validation;
- stacking: the inner cross-validation's out-of-fold log odds are the training customers'
  ``text: pooled words`` feature (so the explained model never sees text scores fitted on the same
  customer), and the model refitted on all training customers scores everyone else.

Its weights are plain data (terms, idf, coefficients); its top words up and down are reported
beside the drivers, and a customer's own top words name their ``text: pooled words`` reason.
"""

from __future__ import annotations

from typing import Any

import numpy as np

TEXT_CS = (0.1, 0.3, 1.0, 3.0, 10.0)
FOLDS = 5
MIN_CUSTOMERS = 2  # a word used by one training customer only cannot generalise
TOP_WORDS = 10
REASON_WORDS = 3
FEATURE = "text: pooled words"


def project_terms(model, counts, terms: list[str]):
    """``counts`` (columns: ``terms``) taken to the columns of ``model.terms_`` (CSR); the 0/1 map
    is cached on ``model`` for the last ``terms`` seen (training and scoring reuse one)."""
    from scipy import sparse

    counts = sparse.csr_matrix(counts)
    if list(terms) != getattr(model, "_terms_in", None):
        pos = {t: j for j, t in enumerate(model.terms_)}
        src = [(i, pos[t]) for i, t in enumerate(terms) if t in pos]
        cols = np.asarray([s for s, _ in src], dtype=np.int64)
        dst = np.asarray([d for _, d in src], dtype=np.int64)
        model._map = sparse.csr_matrix((np.ones(len(cols)), (cols, dst)), shape=(len(terms), len(model.terms_)))
        model._terms_in = list(terms)
    return counts @ model._map


def sublinear_tfidf(counts, idf: np.ndarray):
    """(1 + log count) x idf, rows L2-normalised (sparse in, sparse out)."""
    from scipy import sparse

    M = sparse.csr_matrix(counts, dtype=np.float64, copy=True)
    M.sum_duplicates()
    M.eliminate_zeros()
    M.data = np.log(M.data) + 1.0
    M = M.multiply(idf[None, :]).tocsr()
    norm = np.sqrt(np.asarray(M.multiply(M).sum(axis=1)).ravel())
    return (sparse.diags(1.0 / np.where(norm > 0, norm, 1.0)) @ M).tocsr()


def _logistic(C: float, seed: int):
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=C, class_weight="balanced", solver="liblinear", max_iter=1000,
                              random_state=seed)


class TextModel:
    """``fit(counts, y)`` learns idf, C and weights; ``oof_`` holds the training customers'
    out-of-fold log odds; ``decision(counts)`` scores new customers."""

    def __init__(self, seed: int = 0):
        self.seed = seed

    def fit(self, counts, y: np.ndarray, terms: list[str]) -> TextModel:
        from scipy import sparse
        from sklearn.metrics import roc_auc_score
        from sklearn.model_selection import StratifiedKFold

        counts = sparse.csr_matrix(counts)
        users = np.asarray((counts > 0).sum(axis=0)).ravel()
        keep = np.flatnonzero(users >= MIN_CUSTOMERS)
        self.terms_ = [terms[j] for j in keep.tolist()]
        n = counts.shape[0]
        self.idf_ = np.log((1.0 + n) / (1.0 + users[keep])) + 1.0
        T = sublinear_tfidf(counts[:, keep], self.idf_)
        oof = np.zeros((len(TEXT_CS), n))
        for train, test in StratifiedKFold(FOLDS, shuffle=True, random_state=self.seed).split(np.zeros(n), y):
            for k, C in enumerate(TEXT_CS):
                oof[k, test] = _logistic(C, self.seed).fit(T[train], y[train]).decision_function(T[test])
        aucs = [float(roc_auc_score(y, row)) for row in oof]
        best = int(np.argmax(aucs))  # first of equals: the stronger penalty
        self.C_, self.inner_auc_ = float(TEXT_CS[best]), round(aucs[best], 4)
        self.oof_ = oof[best]
        est = _logistic(self.C_, self.seed).fit(T, y)
        self.coef_, self.intercept_ = est.coef_[0].astype(np.float64), float(est.intercept_[0])
        return self

    def _matrix(self, counts, terms: list[str]):
        return sublinear_tfidf(project_terms(self, counts, terms), self.idf_)

    def decision(self, counts, terms: list[str]) -> np.ndarray:
        """Log odds (balanced prior) of each row of ``counts`` (columns: ``terms``)."""
        return np.asarray(self._matrix(counts, terms) @ self.coef_).ravel() + self.intercept_

    def top_words(self, n: int = TOP_WORDS) -> dict[str, list[dict[str, Any]]]:
        """The words whose use raises / lowers the text score most (weights of the TF-IDF logistic)."""
        order = np.lexsort((np.arange(len(self.coef_)), -self.coef_))
        up = [j for j in order.tolist() if self.coef_[j] > 0][:n]
        down = [j for j in order[::-1].tolist() if self.coef_[j] < 0][:n]

        def row(j: int) -> dict[str, Any]:
            return {"feature": f"keyword: {self.terms_[j]}", "weight": round(float(self.coef_[j]), 4)}

        return {"up": [row(j) for j in up], "down": [row(j) for j in down]}

    def customer_words(self, counts, terms: list[str], k: int = REASON_WORDS) -> list[tuple[list[str], list[str]]]:
        """Per row: (its ``k`` words raising the text score most, its ``k`` lowering it most); ties
        go to the earlier term. Sorted once over all non-zeros, no loop over customers' words."""
        C = self._matrix(counts, terms).multiply(self.coef_[None, :]).tocsr()
        C.eliminate_zeros()
        n = C.shape[0]
        rows = np.repeat(np.arange(n), np.diff(C.indptr))
        out: list[tuple[list[str], list[str]]] = [([], []) for _ in range(n)]
        for side, sign in ((0, 1.0), (1, -1.0)):
            mask = C.data * sign > 0
            r, c, v = rows[mask], C.indices[mask], C.data[mask] * sign
            order = np.lexsort((c, -v, r))
            r, c = r[order], c[order]
            first = np.searchsorted(r, r, side="left")  # r is sorted: rank within the row
            pick = (np.arange(len(r)) - first) < k
            for i, j in zip(r[pick].tolist(), c[pick].tolist()):
                out[i][side].append(self.terms_[j])
        return out

    # -- plain data ------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        return {"terms": self.terms_, "C": self.C_, "inner_auc": self.inner_auc_,
                "intercept": round(self.intercept_, 12)}

    @classmethod
    def from_parts(cls, d: dict[str, Any], idf: np.ndarray, coef: np.ndarray, seed: int) -> TextModel:
        self = cls(seed)
        self.terms_, self.C_, self.inner_auc_ = list(d["terms"]), float(d["C"]), d.get("inner_auc")
        self.intercept_, self.idf_, self.coef_ = float(d["intercept"]), idf, coef
        return self
