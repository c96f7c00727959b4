"""Scoring customers from their profiles: readable features, a seeded classifier, honest figures.

Features, each named so a person can read it:

- ``interest: <topic label>``: the customer's share of each topic;
- ``behaviour: <column>``: the numeric behaviour columns (counts and amounts as log(1 + x));
- ``keyword: <term>``: the customer's TF-IDF keyword score (0 when the term is not among their
  keywords) for the terms that are keywords of at least ``MIN_KEYWORD_CUSTOMERS`` training customers
  (at most ``MAX_KEYWORDS`` of the most common).

Missing values take the training mean; every column is divided by its training standard deviation
(not centred, so the keyword block stays sparse), so a logistic coefficient is the change in log
odds per standard deviation. Scaling and the keyword vocabulary use no labels, which is why they
are learned once on all labelled customers and shared by the cross-validation folds.

The default model is L2 logistic regression, its strength chosen by an inner stratified 5-fold
cross-validation, with balanced class weights; probabilities are then moved back from the
balanced 50/50 prior to the training prior (a constant added to the log odds: ranking is
unchanged, calibration is restored). ``gbm`` is scikit-learn's HistGradientBoostingClassifier
with the same weights and the same correction.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

MODELS = ("logistic", "gbm")
FOLDS = 5
BEHAVIOUR_FEATURES = (
    "n_comments", "n_chars", "recency_days", "active_days", "comments_per_30d",
    "share_review", "share_chat", "share_social", "rating_mean", "rating_min", "share_low_rating",
    "amount_total", "amount_mean",
)
# heavy-tailed counts and amounts: one customer with 900 comments should not set the scale
LOG_FEATURES = frozenset({"n_comments", "n_chars", "active_days", "comments_per_30d", "amount_total", "amount_mean"})
MIN_KEYWORD_CUSTOMERS = 5
MAX_KEYWORDS = 300
CS = tuple(float(c) for c in np.logspace(-3, 2, 8))
CALIBRATION_BINS = 10
# Keyword columns are many and each weak: at unit scale a single L2 strength lets a thousand of
# them outvote a dozen behaviour columns. Scaling the block by 1/sqrt(MAX_KEYWORDS) gives the
# block as a whole about the prior weight of one column (the L2 analogue of group-size weighting).
KEYWORD_BLOCK_WEIGHT = MAX_KEYWORDS ** -0.5


@dataclass
class ProfileInputs:
    """The profile columns features are made from; rows align.

    ``customers``: customer_id + behaviour columns. ``shares``: (n, K) over ``topic_ids``.
    ``keywords``: per customer, [(term, score), ...].
    """

    customers: pd.DataFrame
    shares: np.ndarray
    topic_ids: list[int]
    keywords: list[list[tuple[str, float]]]

    def take(self, rows: np.ndarray) -> ProfileInputs:
        rows = np.asarray(rows, dtype=np.int64)
        return ProfileInputs(self.customers.iloc[rows].reset_index(drop=True), self.shares[rows],
                             list(self.topic_ids), [self.keywords[i] for i in rows.tolist()])


@dataclass
class FeatureSpec:
    """What the columns of the feature matrix are, and how raw profile values become them."""

    behaviour: list[str]
    fill: list[float]
    topic_ids: list[int]
    topic_labels: list[str]
    keywords: list[str]
    kinds: tuple[str, ...] = ("interest", "behaviour", "keyword")
    mean: np.ndarray = field(default_factory=lambda: np.zeros(0))
    scale: np.ndarray = field(default_factory=lambda: np.ones(0))

    @property
    def names(self) -> list[str]:
        out = []
        if "interest" in self.kinds:
            out += [f"interest: {lab}" for lab in self.topic_labels]
        if "behaviour" in self.kinds:
            out += [f"behaviour: {c}" for c in self.behaviour]
        if "keyword" in self.kinds:
            out += [f"keyword: {t}" for t in self.keywords]
        return out

    def to_dict(self) -> dict[str, Any]:
        return {"behaviour": self.behaviour, "fill": [round(float(v), 12) for v in self.fill],
                "topic_ids": [int(t) for t in self.topic_ids], "topic_labels": self.topic_labels,
                "keywords": self.keywords, "kinds": list(self.kinds), "log_features": sorted(LOG_FEATURES)}

    @classmethod
    def from_dict(cls, d: dict[str, Any], mean: np.ndarray, scale: np.ndarray) -> FeatureSpec:
        return cls(list(d["behaviour"]), [float(v) for v in d["fill"]], [int(t) for t in d["topic_ids"]],
                   list(d["topic_labels"]), list(d["keywords"]), tuple(d["kinds"]), mean, scale)


def _behaviour_values(customers: pd.DataFrame, cols: list[str]) -> np.ndarray:
    import pandas as pd

    out = np.full((len(customers), len(cols)), np.nan)
    for j, c in enumerate(cols):
        if c in customers.columns:
            v = pd.to_numeric(customers[c], errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
            out[:, j] = np.sign(v) * np.log1p(np.abs(v)) if c in LOG_FEATURES else v
    return out


def learn_spec(inputs: ProfileInputs, topic_labels: dict[int, str], kinds=("interest", "behaviour", "keyword")) -> FeatureSpec:
    """The feature layout for ``inputs`` (no labels used): behaviour columns with data, fill values,
    the keyword vocabulary, and each column's mean and standard deviation."""
    raw = _behaviour_values(inputs.customers, list(BEHAVIOUR_FEATURES))
    keep = [j for j in range(raw.shape[1]) if np.isfinite(raw[:, j]).any() and np.nanstd(raw[:, j]) > 0]
    behaviour = [BEHAVIOUR_FEATURES[j] for j in keep]
    fill = [float(np.nanmean(raw[:, j])) for j in keep]
    counts: dict[str, int] = {}
    for kw in inputs.keywords:
        for term in {t for t, _ in kw}:
            counts[term] = counts.get(term, 0) + 1
    common = sorted((t for t, c in counts.items() if c >= MIN_KEYWORD_CUSTOMERS), key=lambda t: (-counts[t], t))
    spec = FeatureSpec(behaviour, fill, [int(t) for t in inputs.topic_ids],
                       [topic_labels.get(int(t), f"topic {t}") for t in inputs.topic_ids],
                       sorted(common[:MAX_KEYWORDS]), tuple(kinds))
    X = raw_matrix(spec, inputs)
    mean = np.asarray(X.mean(axis=0)).ravel()
    sq = np.asarray(X.multiply(X).mean(axis=0)).ravel()
    sd = np.sqrt(np.maximum(sq - mean**2, 0.0))
    spec.mean, spec.scale = mean, np.where(sd > 1e-12, sd, 1.0)
    return spec


def raw_matrix(spec: FeatureSpec, inputs: ProfileInputs):
    """(n, p) sparse matrix of unscaled feature values in ``spec.names`` order."""
    from scipy import sparse

    n = len(inputs.customers)
    blocks = []
    if "interest" in spec.kinds:
        pos = {int(t): j for j, t in enumerate(inputs.topic_ids)}
        cols = [pos.get(t) for t in spec.topic_ids]
        dense = np.zeros((n, len(cols)))
        for j, c in enumerate(cols):
            if c is not None:
                dense[:, j] = inputs.shares[:, c]
        blocks.append(sparse.csr_matrix(dense))
    if "behaviour" in spec.kinds:
        b = _behaviour_values(inputs.customers, spec.behaviour)
        fill = np.asarray(spec.fill, dtype=np.float64)
        b = np.where(np.isfinite(b), b, fill[None, :]) if b.size else b
        blocks.append(sparse.csr_matrix(b.reshape(n, len(spec.behaviour))))
    if "keyword" in spec.kinds:
        index = {t: j for j, t in enumerate(spec.keywords)}
        rows, cols, vals = [], [], []
        for i, kw in enumerate(inputs.keywords):
            for term, score in kw:
                j = index.get(term)
                if j is not None:
                    rows.append(i)
                    cols.append(j)
                    vals.append(float(score))
        K = sparse.csr_matrix((vals, (rows, cols)), shape=(n, len(spec.keywords)), dtype=np.float64)
        K.sum_duplicates()
        blocks.append(K)
    return sparse.hstack(blocks, format="csr") if blocks else sparse.csr_matrix((n, 0))


def n_dense(spec: FeatureSpec) -> int:
    """Interest and behaviour columns come first; keyword columns (sparse) after them."""
    return len(spec.names) - (len(spec.keywords) if "keyword" in spec.kinds else 0)


def unit_sd(spec: FeatureSpec) -> np.ndarray:
    """Standard deviation of each model input column (1, or the keyword block weight)."""
    out = np.ones(len(spec.names))
    out[n_dense(spec):] = KEYWORD_BLOCK_WEIGHT
    return out


def scaled_means(spec: FeatureSpec) -> np.ndarray:
    """Training mean of each model input column (0 for the centred dense columns)."""
    out = np.zeros(len(spec.names))
    d = n_dense(spec)
    out[d:] = spec.mean[d:] / spec.scale[d:] * KEYWORD_BLOCK_WEIGHT
    return out


def scaled_matrix(spec: FeatureSpec, inputs: ProfileInputs):
    """The model's input: dense columns centred and divided by their SD; keyword columns divided
    by their SD times ``KEYWORD_BLOCK_WEIGHT`` (kept sparse)."""
    from scipy import sparse

    R = raw_matrix(spec, inputs)
    d = n_dense(spec)
    dense = (R[:, :d].toarray() - spec.mean[None, :d]) / spec.scale[None, :d]
    kw = R[:, d:] @ sparse.diags(KEYWORD_BLOCK_WEIGHT / spec.scale[d:])
    return sparse.hstack([sparse.csr_matrix(dense), kw], format="csr")


# -- models --------------------------------------------------------------------------------

def logistic_cv(seed: int):
    """L2 logistic regression, C chosen by inner stratified 5-fold CV (log loss), balanced weights."""
    from sklearn.linear_model import LogisticRegressionCV
    from sklearn.model_selection import StratifiedKFold

    return LogisticRegressionCV(
        Cs=list(CS), cv=StratifiedKFold(FOLDS, shuffle=True, random_state=seed), penalty="l2",
        scoring="neg_log_loss", class_weight="balanced", solver="lbfgs", max_iter=5000, n_jobs=1,
        random_state=seed,
    )


def gbm(seed: int):
    from sklearn.ensemble import HistGradientBoostingClassifier

    return HistGradientBoostingClassifier(class_weight="balanced", random_state=seed)


def prior_offset(y: np.ndarray) -> float:
    """log odds of the training prior: added to a balanced model's log odds to undo the weighting."""
    p = float(np.mean(y))
    return math.log(p / (1.0 - p))


def fit_estimator(kind: str, X, y: np.ndarray, seed: int):
    if kind == "logistic":
        return logistic_cv(seed).fit(X, y)
    if kind == "gbm":
        return gbm(seed).fit(_dense(X), y)
    from textprofile.core.errors import ConfigError

    raise ConfigError(f"--model must be one of {', '.join(MODELS)} (got {kind!r})")


def _dense(X) -> np.ndarray:
    return X.toarray() if hasattr(X, "toarray") else np.asarray(X)


def log_odds(estimator, kind: str, X) -> np.ndarray:
    """The balanced model's log odds (before the prior offset)."""
    if kind == "logistic":
        return np.asarray(estimator.decision_function(X), dtype=np.float64)
    p = np.clip(estimator.predict_proba(_dense(X))[:, 1], 1e-12, 1 - 1e-12)
    return np.log(p / (1 - p))


def sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(z, -500, 500)))


def metrics(y: np.ndarray, p: np.ndarray) -> dict[str, Any]:
    from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score

    return {"roc_auc": round(float(roc_auc_score(y, p)), 4), "pr_auc": round(float(average_precision_score(y, p)), 4),
            "brier": round(float(brier_score_loss(y, p)), 4), "n": len(y), "positives": int(np.sum(y))}


def cross_validate(kind: str, X, y: np.ndarray, seed: int, folds: int = FOLDS) -> tuple[dict[str, Any], np.ndarray]:
    """Stratified ``folds``-fold out-of-fold probabilities and their ROC AUC, PR AUC and Brier score.

    Each fold refits everything that sees labels (for logistic: the inner CV choosing C).
    """
    from sklearn.model_selection import StratifiedKFold

    oof = np.zeros(len(y))
    for train, test in StratifiedKFold(folds, shuffle=True, random_state=seed).split(np.zeros(len(y)), y):
        est = fit_estimator(kind, X[train], y[train], seed)
        oof[test] = sigmoid(log_odds(est, kind, X[test]) + prior_offset(y[train]))
    return metrics(y, oof), oof


def calibration(y: np.ndarray, p: np.ndarray, bins: int = CALIBRATION_BINS) -> list[dict[str, Any]]:
    """Customers in ``bins`` equal-count groups by predicted probability: mean predicted vs observed."""
    order = np.argsort(p, kind="stable")
    out = []
    for part in np.array_split(order, bins):
        if len(part):
            out.append({"predicted": round(float(p[part].mean()), 4), "observed": round(float(y[part].mean()), 4),
                        "n": len(part)})
    return out
