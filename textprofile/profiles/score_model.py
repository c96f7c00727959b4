"""``ScoreModel``: a trained score as plain data, and the baselines it is judged against.

The default (logistic) model is one L2 logistic regression over the dense profile columns and the
customer's keyword columns (``profiles.score_joint``); ``gbm`` reads the dense columns plus the
stacked text sub-model's score (``profiles.score_text``), since trees do badly on thousands of
sparse columns.

On disk (``models/<name>/scores/<score>/``): ``score.json`` (feature layout, keyword terms and
block weight, intercept, prior offset, chosen C, the training summary), ``mean.npy`` /
``scale.npy`` (feature scaling), ``keyword_idf.npy`` and ``coef.npy`` (logistic: dense columns
first, then one per keyword) or ``text_*.npy`` and ``model.skops`` (gbm), and ``manifest.json``
with the sha256 of each.
Nothing is pickled; every file is verified against the manifest before it is read.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import numpy as np

from textprofile.profiles import explain
from textprofile.profiles.score_joint import KeywordBlock, column_sd
from textprofile.profiles.score_text import FEATURE as TEXT_FEATURE
from textprofile.profiles.score_text import TextModel, sublinear_tfidf
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
    sigmoid,
)

SCORE_FILE = "score.json"
SCORE_FORMAT = 3  # 3: the logistic model's keyword columns (2: a stacked text score)
SKOPS_FILE = "model.skops"
TEXT_FILES = ("text_idf.npy", "text_coef.npy")
KEYWORD_IDF = "keyword_idf.npy"
DENSE_KINDS = ("interest", "behaviour")


def _has_words(inputs: ProfileInputs) -> bool:
    return inputs.words is not None and inputs.words.nnz > 0


class ScoreModel:
    """A fitted score: ``predict`` gives probabilities and each customer's top reasons."""

    def __init__(self, kind: str = "logistic", seed: int = 0):
        self.kind = kind
        self.seed = seed

    def fit(self, inputs: ProfileInputs, y: np.ndarray, topic_labels: dict[int, str]) -> ScoreModel:
        """Fit on every labelled customer, explain it, and cross-validate the whole procedure."""
        y = np.asarray(y, dtype=np.int64)
        if self.kind == "gbm":
            _skops()  # refuse before training, not after
        X = self._fit_core(inputs, y, topic_labels)
        names = self.names
        if self.kind == "logistic":
            # odds ratio per SD: exp(coef x SD), its interval the bootstrap's raised to the SD
            sd = column_sd(X)
            lo, hi = explain.bootstrap_odds_ratios(X, y, self.C_, self.seed)
            self.drivers_ = explain.logistic_drivers(names, self.coef_ * sd, lo ** sd, hi ** sd)
            k = len(self.spec_.names)
            if self.keywords_ is not None:
                self.drivers_["words"] = explain.logistic_drivers(names[k:], self.coef_[k:] * sd[k:],
                                                                  lo[k:] ** sd[k:], hi[k:] ** sd[k:])
        else:
            self.drivers_ = explain.gbm_drivers(self.estimator_, names, X, y, self.seed)
        if self.text_ is not None:
            self.drivers_["words"] = self.text_.top_words()

        def fit_fold(rows):
            return ScoreModel(self.kind, self.seed)._fit_core(inputs.take(rows), y[rows], topic_labels, keep=True)

        self.cv_, oof = cross_validate(fit_fold, lambda m, rows: m._log_odds(inputs.take(rows))[0], y, self.seed)
        self.calibration_ = calibration(y, oof)
        return self

    @property
    def names(self) -> list[str]:
        """Every column's readable name: the dense ones, then (logistic) one per keyword."""
        return self.spec_.names + (self.keywords_.names if self.keywords_ is not None else [])

    def _fit_core(self, inputs: ProfileInputs, y: np.ndarray, topic_labels: dict[int, str], keep: bool = False):
        """Features (keyword block or text sub-model), scaling and the explained model on
        ``inputs``; returns the training matrix (or ``self`` with ``keep``, for cross-validation)."""
        self.text_ = self.keywords_ = None
        if self.kind == "logistic":
            self.spec_ = learn_spec(inputs, topic_labels, kinds=DENSE_KINDS)
            if _has_words(inputs):
                self.keywords_ = KeywordBlock().fit(inputs.words, inputs.terms, len(self.spec_.names))
            X = self._matrix(inputs)
        else:
            self.text_ = TextModel(self.seed).fit(inputs.words, y, inputs.terms) if _has_words(inputs) else None
            text = None if self.text_ is None else self.text_.oof_
            self.spec_ = learn_spec(inputs, topic_labels, text)
            X = scaled_matrix(self.spec_, inputs, text)
        self.offset_ = prior_offset(y)
        self.estimator_ = fit_estimator(self.kind, X, y, self.seed)
        if self.kind == "logistic":
            self.C_ = float(self.estimator_.chosen_C_)
            self.coef_ = self.estimator_.coef_[0].astype(np.float64)
            self.intercept_ = float(self.estimator_.intercept_[0])
        else:
            self.C_ = None
        return self if keep else X

    def _matrix(self, inputs: ProfileInputs):
        """The logistic model's input: scaled dense columns, then the keyword block (sparse)."""
        from scipy import sparse

        D = scaled_matrix(self.spec_, inputs)
        if self.keywords_ is None:
            return D
        K = self.keywords_.matrix(inputs.words, inputs.terms) if _has_words(inputs) else self.keywords_.empty(len(D))
        return sparse.hstack([sparse.csr_matrix(D), K], format="csr")

    def _log_odds(self, inputs: ProfileInputs) -> tuple[np.ndarray, np.ndarray]:
        """(balanced log odds, feature matrix) of ``inputs``."""
        if self.kind == "logistic":
            X = self._matrix(inputs)
            return np.asarray(X @ self.coef_).ravel() + self.intercept_, X
        text = None
        if "text" in self.spec_.kinds and _has_words(inputs):
            text = self.text_.decision(inputs.words, inputs.terms)
        X = scaled_matrix(self.spec_, inputs, text)
        if self.kind == "logistic":
            return X @ self.coef_ + self.intercept_, X
        return log_odds(self.estimator_, self.kind, X), X

    def predict(self, inputs: ProfileInputs) -> tuple[np.ndarray, list[list[dict[str, Any]]]]:
        """(probabilities, top reasons per customer) for ``inputs``."""
        if not len(inputs.customers):
            return np.zeros(0), []
        z, X = self._log_odds(inputs)
        names = self.names
        zero = np.zeros(X.shape[1])  # columns are centred: the mean customer is all zeros
        if self.kind == "logistic":
            reasons = explain.logistic_reasons(X, self.coef_, zero, names)
        else:
            important = [d["feature"] for d in self.drivers_["up"]]
            reasons = explain.gbm_reasons(self.estimator_, X, zero, names, important)
        self._name_words(inputs, reasons)
        return sigmoid(z + self.offset_), reasons

    def _name_words(self, inputs: ProfileInputs, reasons: list[list[dict[str, Any]]]) -> None:
        """``text: pooled words`` reasons name the customer's own words that move the text score."""
        rows = [i for i, rs in enumerate(reasons) if any(r["feature"] == TEXT_FEATURE for r in rs)]
        if not rows or self.text_ is None or not _has_words(inputs):
            return
        words = self.text_.customer_words(inputs.words[np.asarray(rows)], inputs.terms)
        for i, (up, down) in zip(rows, words):
            for r in reasons[i]:
                if r["feature"] == TEXT_FEATURE and (up if r["effect"] > 0 else down):
                    r["feature"] = f"{TEXT_FEATURE} ({', '.join(up if r['effect'] > 0 else down)})"

    # -- plain-data persistence ------------------------------------------------------------

    def save(self, folder: Path, summary: dict[str, Any]) -> None:
        """Write the model into ``folder`` (which the caller swaps in atomically)."""
        from textprofile.core.artifacts import dumps_json, write_manifest

        folder.mkdir(parents=True, exist_ok=True)
        np.save(folder / "mean.npy", self.spec_.mean, allow_pickle=False)
        np.save(folder / "scale.npy", self.spec_.scale, allow_pickle=False)
        doc = {"format": SCORE_FORMAT, "kind": self.kind, "seed": self.seed, "spec": self.spec_.to_dict(),
               "offset": round(self.offset_, 12), "C": self.C_, "summary": summary}
        if self.keywords_ is not None:
            doc["keywords"] = self.keywords_.to_dict()
            np.save(folder / KEYWORD_IDF, self.keywords_.idf_, allow_pickle=False)
        if self.text_ is not None:
            doc["text"] = self.text_.to_dict()
            for name, values in zip(TEXT_FILES, (self.text_.idf_, self.text_.coef_)):
                np.save(folder / name, values, allow_pickle=False)
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
        self.offset_, self.C_ = float(doc["offset"]), doc.get("C")
        self.text_ = TextModel.from_parts(doc["text"], *(arr(f) for f in TEXT_FILES), self.seed) if "text" in doc else None
        self.keywords_ = KeywordBlock.from_parts(doc["keywords"], arr(KEYWORD_IDF)) if "keywords" in doc else None
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


def baselines(inputs: ProfileInputs, y: np.ndarray, seed: int) -> dict[str, Any]:
    """The two yardsticks, cross-validated like the model (logistic, same folds and seed): behaviour
    only, and one logistic on the TF-IDF of the customer's pooled raw text (``baseline_terms``: stop
    words kept, as plain scikit-learn would) plus behaviour."""
    from scipy import sparse

    y = np.asarray(y, dtype=np.int64)
    spec = learn_spec(inputs, {}, kinds=("behaviour",))
    B = scaled_matrix(spec, inputs)
    out = {}
    # scaling and idf over all labelled customers use no labels; each fold refits the rest
    words = baseline_counts(inputs)
    users = np.asarray((words > 0).sum(axis=0)).ravel()
    keep = np.flatnonzero(users >= 2)
    idf = np.log((1.0 + len(y)) / (1.0 + users[keep])) + 1.0
    T = sublinear_tfidf(words[:, keep], idf)
    blocks = {"behaviour": B, "tfidf_behaviour": sparse.hstack([T, sparse.csr_matrix(B)], format="csr")}
    for key, X in blocks.items():
        out[key], _ = cross_validate(lambda rows, X=X: fit_estimator("logistic", X[rows], y[rows], seed),
                                     lambda est, rows, X=X: est.decision_function(X[rows]), y, seed)
    return out


def baseline_terms(text: str) -> list[str]:
    """The baseline's words: runs of letters or digits (apostrophes inside kept) and single Han
    characters, lower-cased; no stop list, no dictionary, the same for every language."""
    return BASELINE_UNITS.findall(text.lower().replace("\u2019", "'"))


_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
BASELINE_UNITS = re.compile(rf"[{_HAN}]|[^\W_{_HAN}]+(?:'[^\W_{_HAN}]+)*")


def baseline_counts(inputs: ProfileInputs):
    """(n, terms) counts of ``baseline_terms`` in each customer's pooled raw text; without the texts
    (inputs not from ``with_texts``), their pooled counts over the model vocabulary."""
    from scipy import sparse

    if inputs.texts is not None and any(BASELINE_UNITS.search(t) for t in inputs.texts):
        from sklearn.feature_extraction.text import CountVectorizer

        return CountVectorizer(analyzer=baseline_terms, lowercase=False).fit_transform(inputs.texts).astype(np.float64).tocsr()
    return inputs.words if _has_words(inputs) else sparse.csr_matrix((len(inputs.customers), 0))
