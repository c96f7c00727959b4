"""The default score's features in one logistic model: dense profile columns beside keyword columns.

The issue's plain reading: interest shares, behaviour (scaled) and the customer's keywords
(TF-IDF), named ``keyword: <term>``, in ONE L2 logistic regression. The keyword columns are the
customer's whole pooled vocabulary over the topic model's terms (the stored top-10 keywords are
mostly product words; the words of intent or dissatisfaction are in the rest):

- ``KeywordBlock``: terms used by at least ``MIN_CUSTOMERS`` training customers, sublinear TF
  (1 + log count) times an idf learned on the training customers (no labels), each row
  L2-normalised, then multiplied by ``block_weight`` = sqrt(number of dense columns): a dense row
  of standardised columns has squared norm about p, a keyword row 1, so the two blocks weigh about
  the same under one L2 penalty (without it the one C is a compromise between a block that wants
  little shrinkage and one that wants a lot);
- ``choose_c``: C from ``CS`` by an inner stratified 5-fold CV on the log loss **weighted by the
  same balanced class weights the model is fitted with** (the loss the fit minimises). The
  unweighted log loss of a balanced model mixes in how far its 50/50 prior is from the real one
  and picks weak penalties: on the Amazon split it chose C = 1 for this model (ROC AUC 0.705)
  where the weighted loss chooses 0.01 (0.739).
"""

from __future__ import annotations

from typing import Any

import numpy as np

MIN_CUSTOMERS = 2  # a word used by one training customer only cannot generalise
PREFIX = "keyword: "


def balanced_weights(y: np.ndarray) -> np.ndarray:
    """scikit-learn's ``class_weight='balanced'`` as per-row weights."""
    counts = np.bincount(y, minlength=2).astype(np.float64)
    return (len(y) / (2.0 * np.where(counts > 0, counts, 1.0)))[y]


def logistic(C: float, seed: int, sparse_input: bool):
    """L2, balanced weights. liblinear for the wide TF-IDF baseline (several times faster there),
    lbfgs otherwise (its intercept is not penalised)."""
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=C, class_weight="balanced", solver="liblinear" if sparse_input else "lbfgs",
                              max_iter=3000, random_state=seed)


def choose_c(X, y: np.ndarray, seed: int, cs: tuple[float, ...], folds: int, liblinear: bool = False) -> float:
    """The C of ``cs`` with the least class-weighted inner-CV log loss (ties: the stronger penalty)."""
    from sklearn.metrics import log_loss
    from sklearn.model_selection import StratifiedKFold

    loss = np.zeros(len(cs))
    for train, test in StratifiedKFold(folds, shuffle=True, random_state=seed).split(np.zeros(len(y)), y):
        w = balanced_weights(y[test])
        for k, C in enumerate(cs):
            p = logistic(C, seed, liblinear).fit(X[train], y[train]).predict_proba(X[test])[:, 1]
            loss[k] += log_loss(y[test], p, sample_weight=w, labels=[0, 1]) * len(test)
    return float(cs[int(np.argmin(np.round(loss, 9)))])


class KeywordBlock:
    """``fit(counts, terms)`` learns the kept terms and their idf (no labels); ``matrix(counts,
    terms)`` gives the weighted sublinear TF-IDF columns in ``terms_`` order."""

    def fit(self, counts, terms: list[str], dense_columns: int) -> KeywordBlock:
        from scipy import sparse

        counts = sparse.csr_matrix(counts)
        users = np.asarray((counts > 0).sum(axis=0)).ravel()
        keep = np.flatnonzero(users >= MIN_CUSTOMERS)
        self.terms_ = [terms[j] for j in keep.tolist()]
        self.idf_ = np.log((1.0 + counts.shape[0]) / (1.0 + users[keep])) + 1.0
        self.weight_ = float(np.sqrt(max(dense_columns, 1)))
        return self

    @property
    def names(self) -> list[str]:
        return [f"{PREFIX}{t}" for t in self.terms_]

    def matrix(self, counts, terms: list[str]):
        from textprofile.profiles.score_text import project_terms, sublinear_tfidf

        return (sublinear_tfidf(project_terms(self, counts, terms), self.idf_) * self.weight_).tocsr()

    def empty(self, n: int):
        from scipy import sparse

        return sparse.csr_matrix((n, len(self.terms_)))

    def to_dict(self) -> dict[str, Any]:
        return {"terms": self.terms_, "weight": round(self.weight_, 12), "min_customers": MIN_CUSTOMERS}

    @classmethod
    def from_parts(cls, d: dict[str, Any], idf: np.ndarray) -> KeywordBlock:
        self = cls()
        self.terms_, self.weight_, self.idf_ = list(d["terms"]), float(d["weight"]), idf
        return self


def column_sd(X) -> np.ndarray:
    """Each column's standard deviation (sparse or dense), for odds ratios per SD."""
    if hasattr(X, "multiply"):
        mean = np.asarray(X.mean(axis=0)).ravel()
        sq = np.asarray(X.multiply(X).mean(axis=0)).ravel()
        return np.sqrt(np.maximum(sq - mean ** 2, 0.0))
    return np.asarray(X).std(axis=0)
