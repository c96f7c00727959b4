"""``fit --engine spark-lda --backend spark``: Spark MLlib's LDA trained on every customer comment.

For users who want the topic model itself distributed. The comments' bags of words are built
by MLlib's ``CountVectorizerModel`` over the model vocabulary (counted by ``training``), and
``pyspark.ml.clustering.LDA`` (online variational Bayes by default) trains on all of them. The
result is kept as a textprofile model: the topic-word matrix (rows normalised) and the learned
document-topic prior, with mixtures by the project's deterministic fold-in like every engine,
so ``profile build``, lookups and reports treat it like the others. MLlib's online optimizer
samples mini-batches with the seed: the same seed on the same partitioning gives the same
model; another partitioning may not.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from textprofile.core.errors import ConfigError

ENGINE = "spark-lda"
DEFAULT_ITERATIONS = 50


class MllibLDA:
    """The engine interface ``topics.fitted.write_model_files`` needs, around an MLlib LDA fit."""

    def __init__(self, k: int, seed: int = 0, iterations: int | None = None, optimizer: str = "online"):
        if optimizer not in ("online", "em"):
            raise ConfigError(f"spark-lda optimizer {optimizer!r}: use online or em")
        self.k = k
        self.seed = seed
        self.iterations = iterations
        self.optimizer = optimizer

    def fit(self, rows: Any, terms: tuple[str, ...]) -> MllibLDA:
        """Train on the customers' comments of ``rows`` (``training.corpus_rows``: tokens, authored)."""
        from pyspark.ml.clustering import LDA
        from pyspark.ml.feature import CountVectorizerModel

        cv = CountVectorizerModel.from_vocabulary(list(terms), inputCol="tokens", outputCol="features")
        # MLlib's optimizers skip documents without an in-vocabulary term themselves
        docs = cv.transform(rows.filter("authored").select("tokens")).select("features")
        lda = LDA(k=self.k, maxIter=int(self.iterations or DEFAULT_ITERATIONS), seed=int(self.seed),
                  optimizer=self.optimizer, featuresCol="features")
        model = lda.fit(docs)
        tm = np.asarray(model.topicsMatrix().toArray(), dtype=np.float64)  # (V, K) expected counts
        tw = tm.T
        self.topic_word_ = tw / tw.sum(axis=1, keepdims=True)
        alpha = np.asarray(model.estimatedDocConcentration().toArray(), dtype=np.float64).ravel()
        self.alpha_ = alpha if alpha.size == self.k else np.full(self.k, float(alpha.mean()))
        return self

    def transform(self, X) -> np.ndarray:
        from textprofile.topics.base import fold_in

        return fold_in(X, self.topic_word_, self.alpha_)

    def settings(self) -> dict[str, Any]:
        return {"engine": ENGINE, "k": self.k, "seed": self.seed, "optimizer": self.optimizer,
                "iterations": int(self.iterations or DEFAULT_ITERATIONS)}

    def save(self, folder) -> list[str]:
        """Nothing beyond the topic-word matrix and prior, which ``write_model_files`` writes."""
        return []
