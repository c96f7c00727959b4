"""LDA by collapsed Gibbs sampling with tomotopy (C++): the default engine.

Reproducibility: with several workers tomotopy is bit-reproducible only with
``ParallelScheme.PARTITION`` (its default COPY_MERGE is not), so that is what we use; a fixed
default of 2 workers keeps results identical across machines with different core counts.
Very short documents (fewer than ``min_train_tokens`` in-vocabulary tokens) carry little
co-occurrence signal and are left out of training; they still get a mixture by fold-in.
tomotopy has no online update (tomotopy #162): new data is folded in, or the model refitted.
Seed stability: with ``anchor`` > 0 (default 0.03; ``fit --anchor 0`` turns it off) the topics
start from seed-free word priors (topics/anchor.py), so refits with other seeds keep customers'
interests (benchmarks/bench_stability.py; README, "Stable interests").
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from textprofile.core.errors import ConfigError
from textprofile.core.progress import Progress
from textprofile.topics.base import TopicEngine

DEFAULTS: dict[str, Any] = {
    "alpha": 0.1,  # initial symmetric prior; optimised (asymmetric) every optim_interval iterations
    "eta": 0.01,
    "optim_interval": 10,
    "burn_in": 50,
    "term_weight": "one",
    # documents with fewer in-vocabulary tokens are not trained on (they are still folded in):
    # 3 rather than 2 raised mean NMI 0.560 -> 0.576 and NPMI 0.206 -> 0.227 on the shopping
    # reviews (benchmarks/bench_fit.py, seeds 0-2) and trains on fewer documents
    "min_train_tokens": 3,
    # topic-word priors from a deterministic NMF (topics/anchor.py): this share of each word's
    # count as pseudo-counts, spread by the NMF's topics, so every seed starts in the same basin.
    # 0.03 kept as much stability as 0.1 on the Amazon reviews; 0 = no anchor (each seed finds its
    # own optimum)
    "anchor": 0.03,
}
DEFAULT_ITERATIONS = 200
MODEL_FILE = "engine/tomotopy.bin"


class TomotopyEngine(TopicEngine):
    """tomotopy ``LDAModel`` behind the engine interface."""

    name = "tomotopy"
    defaults: ClassVar[dict[str, Any]] = DEFAULTS

    def settings(self) -> dict[str, Any]:
        import tomotopy as tp

        return {
            "engine": self.name,
            "k": self.k,
            "seed": self.seed,
            "iterations": self.iterations or DEFAULT_ITERATIONS,
            "workers": self.workers,
            "parallel": "PARTITION",
            "tomotopy_version": tp.__version__,
            **self._opts(),
        }

    def fit(self, X, vocab: tuple[str, ...], progress: Progress | None = None,
            iterations: int | None = None) -> TomotopyEngine:
        """Train for ``iterations`` (default: the engine's own count); :meth:`resume` continues."""
        import tomotopy as tp
        from scipy import sparse

        opts = self._opts()
        tw = {"one": tp.TermWeight.ONE, "idf": tp.TermWeight.IDF, "pmi": tp.TermWeight.PMI}.get(
            str(opts["term_weight"]).lower()
        )
        if tw is None:
            raise ConfigError(f"term_weight must be one, idf or pmi (got {opts['term_weight']!r})")
        X = sparse.csr_matrix(X)
        mdl = tp.LDAModel(tw=tw, k=self.k, alpha=float(opts["alpha"]), eta=float(opts["eta"]),
                          seed=int(self.seed))
        terms = np.asarray(vocab, dtype=object)
        lengths = np.asarray(X.sum(axis=1)).ravel()
        rows = np.flatnonzero(lengths >= int(opts["min_train_tokens"]))
        if len(rows) == 0:  # a corpus of very short documents: train on all of them instead
            rows = np.flatnonzero(lengths > 0)
        if len(rows) == 0:
            raise ConfigError("no document has an in-vocabulary token to train on")
        for d in rows:
            lo, hi = X.indptr[d], X.indptr[d + 1]
            mdl.add_doc(np.repeat(terms[X.indices[lo:hi]], X.data[lo:hi]).tolist())
        n_train = len(rows)
        if float(opts["anchor"]) != 0:
            _anchor(mdl, X[rows], terms, self.k, float(opts["eta"]), float(opts["anchor"]))
        mdl.optim_interval = int(opts["optim_interval"])
        mdl.burn_in = int(opts["burn_in"])
        self.model_ = mdl
        self.n_train_docs_ = n_train
        self.vocab_ = tuple(vocab)
        self.trained_iterations_ = 0
        return self._train(int(iterations or self.iterations or DEFAULT_ITERATIONS), progress)

    def _train(self, iterations: int, progress: Progress | None) -> TomotopyEngine:
        import tomotopy as tp

        mdl = self.model_
        stage = f"fit k={self.k}"
        done0 = self.trained_iterations_
        total = done0 + iterations

        def cb(_model, done: int, _total: int) -> None:
            if progress is not None:
                progress(stage, done0 + done, total)

        if iterations > 0:
            with warnings.catch_warnings():
                # tomotopy warns that several workers may differ run to run; PARTITION does not.
                warnings.simplefilter("ignore", RuntimeWarning)
                mdl.train(iterations, workers=int(self.workers), parallel=tp.ParallelScheme.PARTITION,
                          callback_interval=max(1, iterations // 20), callback=cb)
        if progress is not None:
            progress(stage, total, total)
        self.trained_iterations_ = total
        self.alpha_ = np.asarray(mdl.alpha, dtype=np.float64)
        self.topic_word_ = _topic_word(mdl, self.vocab_, float(self._opts()["eta"]))
        return self

    def save(self, folder: Path) -> list[str]:
        self._check_fitted()
        path = Path(folder) / MODEL_FILE
        path.parent.mkdir(parents=True, exist_ok=True)
        # full=False: topic parameters and the vocabulary only. A full save also stores every
        # training document (and grows with the corpus), which a customer's erasure could not
        # reach; resuming a fit needs the documents, and is only offered in the fitting process.
        self.model_.save(str(path), full=False)
        return [MODEL_FILE]

    @classmethod
    def load(cls, folder: Path, settings: dict[str, Any]) -> TomotopyEngine:
        import tomotopy as tp

        params = {k: settings[k] for k in DEFAULTS if k in settings}
        eng = cls(k=settings["k"], seed=settings["seed"], iterations=settings.get("iterations"),
                  workers=settings.get("workers", 2), **params)
        eng.model_ = tp.LDAModel.load(str(Path(folder) / MODEL_FILE))
        return eng


def _anchor(mdl, X, terms: np.ndarray, k: int, eta: float, strength: float) -> None:
    """Set every anchored word's per-topic prior before training (see topics/anchor.py)."""
    from textprofile.topics.anchor import nmf_topics, word_priors

    if strength < 0:
        raise ConfigError(f"anchor must be 0 (off) or more (got {strength})")
    tf = np.asarray(X.sum(axis=0)).ravel()
    H = nmf_topics(X, k)
    prior = word_priors(H, tf, eta, strength)
    for w in np.flatnonzero((H.sum(axis=0) > 0) & (tf > 0)):
        mdl.set_word_prior(str(terms[w]), prior[:, w].tolist())


def _topic_word(mdl, vocab: tuple[str, ...], eta: float) -> np.ndarray:
    """(K, V) p(w|k) in our vocabulary order; terms tomotopy never saw get the eta pseudo-count."""
    index = {t: i for i, t in enumerate(vocab)}
    cols = np.array([index[w] for w in mdl.used_vocabs], dtype=np.int64)
    out = np.full((mdl.k, len(vocab)), eta, dtype=np.float64)
    for k in range(mdl.k):
        out[k, cols] = np.asarray(mdl.get_topic_word_dist(k, normalize=False), dtype=np.float64)
    out /= out.sum(axis=1, keepdims=True)
    return out
