"""Scoring customers from their profiles: readable features, a seeded classifier, honest figures.

Features, each named so a person can read it:

- ``interest: <topic label>``: the customer's share of each topic;
- ``behaviour: <column>``: the numeric behaviour columns (counts, amounts and recency as
  log(1 + x)), plus ``rating_last``, the customer's most recent rating;
- ``keyword: <term>`` (logistic, ``profiles.score_joint``): one column per word of the customer's
  pooled vocabulary, sublinear TF-IDF, beside the dense columns in the same logistic model;
- ``text: pooled words`` (gbm, ``profiles.score_text``): the out-of-fold log odds of a text
  sub-model over that vocabulary.

Missing values take the training mean; every dense column is centred and divided by its training
standard deviation. Every fit (the final one and each cross-validation fold's) learns its own
scaling and idf on its own training customers.

The default model is L2 logistic regression, its strength chosen by an inner stratified 5-fold
cross-validation on the class-weighted log loss, with balanced class weights; probabilities are
then moved back from the balanced 50/50 prior to the training prior (a constant added to the log
odds: ranking is unchanged, calibration is restored). ``gbm`` is scikit-learn's
HistGradientBoostingClassifier with the same weights and the same correction.
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
    "rating_last", "amount_total", "amount_mean",
)
# heavy-tailed counts, amounts and waits: one customer with 900 comments should not set the scale
LOG_FEATURES = frozenset({"n_comments", "n_chars", "recency_days", "active_days", "comments_per_30d",
                          "amount_total", "amount_mean"})
CS = tuple(float(c) for c in np.logspace(-3, 2, 6))
CALIBRATION_BINS = 10
WIDE = 20_000  # columns above which a sparse logistic fit uses liblinear (the raw-text baseline)
KINDS = ("interest", "behaviour", "text")


@dataclass
class ProfileInputs:
    """The profile columns features are made from; rows align.

    ``customers``: customer_id + behaviour columns. ``shares``: (n, K) over ``topic_ids``.
    ``keywords``: per customer, [(term, score), ...]. ``words``: (n, V) pooled token counts over
    ``terms`` and ``customers['rating_last']`` come from ``with_history`` (the comments themselves).
    """

    customers: pd.DataFrame
    shares: np.ndarray
    topic_ids: list[int]
    keywords: list[list[tuple[str, float]]]
    words: Any = None
    terms: list[str] | None = None
    texts: list[str] | None = None  # the pooled raw text (``with_texts``), for the TF-IDF baseline

    def take(self, rows: np.ndarray) -> ProfileInputs:
        rows = np.asarray(rows, dtype=np.int64)
        return ProfileInputs(self.customers.iloc[rows].reset_index(drop=True), self.shares[rows],
                             list(self.topic_ids), [self.keywords[i] for i in rows.tolist()],
                             None if self.words is None else self.words[rows], self.terms,
                             None if self.texts is None else [self.texts[i] for i in rows.tolist()])

    def with_texts(self, own: pd.DataFrame) -> ProfileInputs:
        """These inputs plus each customer's comments' ``text`` from ``own`` joined in time order."""
        import dataclasses

        import pandas as pd

        frame = pd.DataFrame({"customer_id": own["customer_id"].astype(str).to_numpy(),
                              "t": pd.to_datetime(own["time"], utc=True).to_numpy() if "time" in own.columns else 0,
                              "text": own["text"].fillna("").astype(str).to_numpy(), "row": np.arange(len(own))})
        frame = frame.sort_values(["customer_id", "t", "row"], kind="stable", na_position="first")
        pooled = frame.groupby("customer_id")["text"].agg("\n".join)
        texts = pooled.reindex(self.customers["customer_id"].astype(str)).fillna("").tolist()
        return dataclasses.replace(self, texts=texts)

    def with_history(self, own: pd.DataFrame, X, terms: list[str]) -> ProfileInputs:
        """These inputs plus each customer's pooled token counts and last rating, from ``own`` (their
        comment rows, every one of each customer in ``customers``) and ``X`` (its counts over ``terms``)."""
        import pandas as pd

        from textprofile.profiles.interests import customer_codes, pool_rows

        ids, codes = customer_codes(own["customer_id"].astype(str).to_numpy())
        pooled = pool_rows(X, codes, len(ids), np.ones(len(codes)))
        pos = pd.Index(ids).get_indexer(self.customers["customer_id"].astype(str))
        from scipy import sparse

        words = sparse.csr_matrix((len(pos), len(terms)), dtype=np.float64)
        if (pos >= 0).any():
            words = sparse.vstack([pooled, sparse.csr_matrix((1, len(terms)))], format="csr")[np.where(pos >= 0, pos, len(ids))]
        customers = self.customers.copy()
        customers["rating_last"] = last_rating(own).reindex(customers["customer_id"].astype(str)).to_numpy()
        return ProfileInputs(customers, self.shares, list(self.topic_ids), self.keywords, words, list(terms))


def last_rating(own: pd.DataFrame):
    """Each customer's most recent rating (ties in time: the later row), NaN without ratings."""
    import pandas as pd

    if "rating" not in own.columns or not len(own):
        return pd.Series(dtype=np.float64)
    r = pd.DataFrame({"customer_id": own["customer_id"].astype(str).to_numpy(),
                      "t": pd.to_datetime(own["time"], utc=True).to_numpy() if "time" in own.columns else 0,
                      "rating": pd.to_numeric(own["rating"], errors="coerce").to_numpy(), "row": np.arange(len(own))})
    r = r[r["rating"].notna()].sort_values(["customer_id", "t", "row"], kind="stable", na_position="first")
    return r.groupby("customer_id")["rating"].last()


@dataclass
class FeatureSpec:
    """What the columns of the feature matrix are, and how raw profile values become them."""

    behaviour: list[str]
    fill: list[float]
    topic_ids: list[int]
    topic_labels: list[str]
    kinds: tuple[str, ...] = KINDS
    mean: np.ndarray = field(default_factory=lambda: np.zeros(0))
    scale: np.ndarray = field(default_factory=lambda: np.ones(0))

    @property
    def names(self) -> list[str]:
        out = []
        if "interest" in self.kinds:
            out += [f"interest: {lab}" for lab in self.topic_labels]
        if "behaviour" in self.kinds:
            out += [f"behaviour: {c}" for c in self.behaviour]
        if "text" in self.kinds:
            from textprofile.profiles.score_text import FEATURE

            out.append(FEATURE)
        return out

    def to_dict(self) -> dict[str, Any]:
        return {"behaviour": self.behaviour, "fill": [round(float(v), 12) for v in self.fill],
                "topic_ids": [int(t) for t in self.topic_ids], "topic_labels": self.topic_labels,
                "kinds": list(self.kinds), "log_features": sorted(LOG_FEATURES)}

    @classmethod
    def from_dict(cls, d: dict[str, Any], mean: np.ndarray, scale: np.ndarray) -> FeatureSpec:
        return cls(list(d["behaviour"]), [float(v) for v in d["fill"]], [int(t) for t in d["topic_ids"]],
                   list(d["topic_labels"]), tuple(d["kinds"]), mean, scale)


def _behaviour_values(customers: pd.DataFrame, cols: list[str]) -> np.ndarray:
    import pandas as pd

    out = np.full((len(customers), len(cols)), np.nan)
    for j, c in enumerate(cols):
        if c in customers.columns:
            v = pd.to_numeric(customers[c], errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
            out[:, j] = np.sign(v) * np.log1p(np.abs(v)) if c in LOG_FEATURES else v
    return out


def learn_spec(inputs: ProfileInputs, topic_labels: dict[int, str], text: np.ndarray | None = None,
               kinds: tuple[str, ...] = KINDS) -> FeatureSpec:
    """The feature layout for ``inputs`` (no labels used): behaviour columns with data, fill values,
    and each column's mean and standard deviation. ``text``: the training customers' out-of-fold
    text log odds (without it the text column is left out)."""
    raw = _behaviour_values(inputs.customers, list(BEHAVIOUR_FEATURES))
    keep = [j for j in range(raw.shape[1]) if np.isfinite(raw[:, j]).any() and np.nanstd(raw[:, j]) > 0]
    kinds = tuple(k for k in kinds if k != "text" or text is not None)
    spec = FeatureSpec([BEHAVIOUR_FEATURES[j] for j in keep], [float(np.nanmean(raw[:, j])) for j in keep],
                       [int(t) for t in inputs.topic_ids],
                       [topic_labels.get(int(t), f"topic {t}") for t in inputs.topic_ids], kinds)
    X = raw_matrix(spec, inputs, text)
    sd = X.std(axis=0)
    spec.mean, spec.scale = X.mean(axis=0), np.where(sd > 1e-12, sd, 1.0)
    return spec


def raw_matrix(spec: FeatureSpec, inputs: ProfileInputs, text: np.ndarray | None = None) -> np.ndarray:
    """(n, p) unscaled feature values in ``spec.names`` order (no text: the text column's mean)."""
    n = len(inputs.customers)
    blocks = []
    if "interest" in spec.kinds:
        pos = {int(t): j for j, t in enumerate(inputs.topic_ids)}
        dense = np.zeros((n, len(spec.topic_ids)))
        for j, t in enumerate(spec.topic_ids):
            if t in pos:
                dense[:, j] = inputs.shares[:, pos[t]]
        blocks.append(dense)
    if "behaviour" in spec.kinds:
        b = _behaviour_values(inputs.customers, spec.behaviour).reshape(n, len(spec.behaviour))
        fill = np.asarray(spec.fill, dtype=np.float64)
        blocks.append(np.where(np.isfinite(b), b, fill[None, :]) if b.size else b)
    if "text" in spec.kinds:
        col = np.full(n, spec.mean[-1] if len(spec.mean) else 0.0) if text is None else np.asarray(text, np.float64)
        blocks.append(col.reshape(n, 1))
    return np.hstack(blocks) if blocks else np.zeros((n, 0))


def scaled_matrix(spec: FeatureSpec, inputs: ProfileInputs, text: np.ndarray | None = None) -> np.ndarray:
    """The model's input: every column centred and divided by its training SD."""
    return (raw_matrix(spec, inputs, text) - spec.mean[None, :]) / spec.scale[None, :]


# -- models --------------------------------------------------------------------------------

def fit_logistic(X, y: np.ndarray, seed: int):
    """L2 logistic regression with balanced weights, C chosen from ``CS`` by inner stratified 5-fold
    CV on the class-weighted log loss (``score_joint.choose_c``); ``chosen_C_`` is that C.
    liblinear for a wide sparse matrix (the TF-IDF baseline), lbfgs otherwise."""
    from textprofile.profiles.score_joint import choose_c, logistic

    wide = hasattr(X, "tocsr") and X.shape[1] > WIDE
    C = choose_c(X, y, seed, CS, FOLDS, liblinear=wide)
    est = logistic(C, seed, wide).fit(X, y)
    est.chosen_C_ = C
    return est


def gbm(seed: int):
    from sklearn.ensemble import HistGradientBoostingClassifier

    return HistGradientBoostingClassifier(class_weight="balanced", random_state=seed)


def prior_offset(y: np.ndarray) -> float:
    """log odds of the training prior: added to a balanced model's log odds to undo the weighting."""
    p = float(np.mean(y))
    return math.log(p / (1.0 - p))


def fit_estimator(kind: str, X, y: np.ndarray, seed: int):
    if kind == "logistic":
        return fit_logistic(X, y, seed)
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


def cross_validate(fit, decision, y: np.ndarray, seed: int, folds: int = FOLDS) -> tuple[dict[str, Any], np.ndarray]:
    """Stratified ``folds``-fold out-of-fold probabilities and their ROC AUC, PR AUC and Brier score.

    ``fit(train_rows)`` refits everything that sees labels on a fold's training customers and
    returns a model; ``decision(model, test_rows)`` gives its balanced log odds for the others.
    """
    from sklearn.model_selection import StratifiedKFold

    oof = np.zeros(len(y))
    for train, test in StratifiedKFold(folds, shuffle=True, random_state=seed).split(np.zeros(len(y)), y):
        oof[test] = sigmoid(decision(fit(train), test) + prior_offset(y[train]))
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
