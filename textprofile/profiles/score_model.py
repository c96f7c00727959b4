"""``ScoreModel``: a trained score as plain data, and the baselines it is judged against.

On disk (``models/<name>/scores/<score>/``): ``score.json`` (feature layout, intercept, prior
offset, chosen C, the training summary), ``mean.npy`` / ``scale.npy`` (feature scaling),
``coef.npy`` (logistic) or ``model.skops`` (gbm), and ``manifest.json`` with the sha256 of each.
Nothing is pickled; every file is verified against the manifest before it is read.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from textprofile.profiles import explain
from textprofile.profiles.scoring import (
    FeatureSpec,
    ProfileInputs,
    calibration,
    cross_validate,
    fit_estimator,
    learn_spec,
    log_odds,
    prior_offset,
    scaled_matrix,
    scaled_means,
    sigmoid,
    unit_sd,
)

SCORE_FILE = "score.json"
SCORE_FORMAT = 1
SKOPS_FILE = "model.skops"


class ScoreModel:
    """A fitted score: ``predict`` gives probabilities and each customer's top reasons."""

    def __init__(self, kind: str = "logistic", seed: int = 0):
        self.kind = kind
        self.seed = seed

    def fit(self, inputs: ProfileInputs, y: np.ndarray, topic_labels: dict[int, str]) -> ScoreModel:
        y = np.asarray(y, dtype=np.int64)
        if self.kind == "gbm":
            _skops()  # refuse before training, not after
        self.spec_ = learn_spec(inputs, topic_labels)
        X = scaled_matrix(self.spec_, inputs)
        self.offset_ = prior_offset(y)
        est = fit_estimator(self.kind, X, y, self.seed)
        self.estimator_ = est
        self.scaled_mean_ = scaled_means(self.spec_)
        names = self.spec_.names
        if self.kind == "logistic":
            self.C_ = float(est.C_[0])
            self.coef_ = est.coef_[0].astype(np.float64)
            self.intercept_ = float(est.intercept_[0])
            lo, hi = explain.bootstrap_odds_ratios(X, y, self.C_, self.seed)
            sd = unit_sd(self.spec_)  # odds ratios per SD of the raw feature
            self.drivers_ = explain.logistic_drivers(names, self.coef_ * sd, lo ** sd, hi ** sd)
        else:
            self.C_ = None
            self.drivers_ = explain.gbm_drivers(est, names, X, y, self.seed)
        self.cv_, oof = cross_validate(self.kind, X, y, self.seed)
        self.calibration_ = calibration(y, oof)
        return self

    def predict(self, inputs: ProfileInputs) -> tuple[np.ndarray, list[list[dict[str, Any]]]]:
        """(probabilities, top reasons per customer) for ``inputs``."""
        if not len(inputs.customers):
            return np.zeros(0), []
        X = scaled_matrix(self.spec_, inputs)
        names = self.spec_.names
        if self.kind == "logistic":
            z = np.asarray(X @ self.coef_).ravel() + self.intercept_
            reasons = explain.logistic_reasons(X, self.coef_, self.scaled_mean_, names)
        else:
            z = log_odds(self.estimator_, self.kind, X)
            important = [d["feature"] for d in self.drivers_["up"]]
            reasons = explain.gbm_reasons(self.estimator_, X, self.scaled_mean_, names, important)
        return sigmoid(z + self.offset_), reasons

    # -- plain-data persistence ------------------------------------------------------------

    def save(self, folder: Path, summary: dict[str, Any]) -> None:
        """Write the model into ``folder`` (which the caller swaps in atomically)."""
        from textprofile.core.artifacts import dumps_json, write_manifest

        folder.mkdir(parents=True, exist_ok=True)
        np.save(folder / "mean.npy", self.spec_.mean, allow_pickle=False)
        np.save(folder / "scale.npy", self.spec_.scale, allow_pickle=False)
        doc = {"format": SCORE_FORMAT, "kind": self.kind, "seed": self.seed, "spec": self.spec_.to_dict(),
               "offset": round(self.offset_, 12), "C": self.C_, "summary": summary}
        if self.kind == "logistic":
            np.save(folder / "coef.npy", self.coef_, allow_pickle=False)
            doc["intercept"] = self.intercept_
        else:
            _skops().dump(self.estimator_, folder / SKOPS_FILE)
        (folder / SCORE_FILE).write_text(dumps_json(doc), encoding="utf-8")
        write_manifest(folder, {"kind": "score", "score_kind": self.kind, "seed": self.seed})

    @classmethod
    def load(cls, folder: Path) -> tuple[ScoreModel, dict[str, Any]]:
        """(model, saved summary) after verifying every file against the manifest."""
        from textprofile.core.artifacts import verify_all, verify_file
        from textprofile.core.errors import IntegrityError

        manifest = verify_all(folder)
        doc = json.loads(verify_file(folder, SCORE_FILE, manifest).read_text(encoding="utf-8"))
        if doc.get("format") != SCORE_FORMAT:
            raise IntegrityError(f"{folder / SCORE_FILE} has format {doc.get('format')!r}; retrain it with: textprofile score train")
        self = cls(doc["kind"], int(doc["seed"]))

        def arr(name: str) -> np.ndarray:
            return np.load(verify_file(folder, name, manifest), allow_pickle=False)

        self.spec_ = FeatureSpec.from_dict(doc["spec"], arr("mean.npy"), arr("scale.npy"))
        self.scaled_mean_ = scaled_means(self.spec_)
        self.offset_, self.C_ = float(doc["offset"]), doc.get("C")
        summary = doc["summary"]
        self.drivers_ = summary.get("drivers", {"up": [], "down": []})
        if self.kind == "logistic":
            self.coef_ = arr("coef.npy")
            self.intercept_ = float(doc["intercept"])
        else:
            sio = _skops()
            path = verify_file(folder, SKOPS_FILE, manifest)
            types = sio.get_untrusted_types(file=path)
            foreign = [t for t in types if not t.startswith(("sklearn.", "numpy."))]
            if foreign:
                raise IntegrityError(f"{path} holds types other than scikit-learn's ({foreign[0]}); refusing to load it")
            self.estimator_ = sio.load(path, trusted=types)
        return self, summary


def _skops():
    try:
        import skops.io as sio
    except ImportError:
        from textprofile.core.errors import ConfigError

        raise ConfigError("--model gbm needs skops to save the model without pickle — "
                          "run: pip install 'textprofile[gbm]'") from None
    return sio


def baselines(inputs: ProfileInputs, y: np.ndarray, pooled_tokens: list[list[str]], seed: int) -> dict[str, Any]:
    """The two yardsticks, cross-validated exactly like the model (logistic, same folds and seed):
    behaviour only, and TF-IDF of the customer's pooled tokens plus behaviour."""
    from scipy import sparse
    from sklearn.feature_extraction.text import TfidfVectorizer

    y = np.asarray(y, dtype=np.int64)
    spec = learn_spec(inputs, {}, kinds=("behaviour",))
    B = scaled_matrix(spec, inputs)
    behaviour, _ = cross_validate("logistic", B, y, seed)
    # TF-IDF over all labelled customers' text uses no labels, like the model's scaling
    tfidf = TfidfVectorizer(analyzer=_identity, min_df=2, sublinear_tf=True)
    T = tfidf.fit_transform(pooled_tokens)
    both, _ = cross_validate("logistic", sparse.hstack([T, B], format="csr"), y, seed)
    return {"behaviour": behaviour, "tfidf_behaviour": both}


def _identity(tokens: list[str]) -> list[str]:
    return tokens
