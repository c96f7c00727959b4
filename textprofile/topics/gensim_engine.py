"""LDA by online variational Bayes with gensim: the engine users of the field know.

Reproducibility: ``LdaModel`` (one process) with ``random_state=seed`` is reproducible;
``LdaMulticore`` is not, whatever the seed (gensim #2953, #3218), so it is not used.
Keeps gensim's online ``update`` for new documents (tomotopy has none).
gensim saves with pickle: the caller verifies every file's checksum before :meth:`load`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from textprofile.core.errors import ConfigError
from textprofile.core.progress import Progress
from textprofile.topics.base import TopicEngine

DEFAULTS: dict[str, Any] = {
    "alpha": "auto",  # learned asymmetric document-topic prior
    "eta": 0.01,  # sparse topics: customer comments are short
    "chunksize": 4000,
    "inner_iterations": 100,  # per-document variational iterations
    "decay": 0.5,
    "offset": 1.0,
    # "nndsvd": start the topics from a deterministic NMF (NNDSVDa) of the counts instead of
    # gensim's random start; variational LDA is prone to local optima (two themes merged, one
    # split) that the start decides. "random": gensim's own start from random_state.
    "init": "nndsvd",
    "init_max_iter": 100,
}
DEFAULT_PASSES = 10
MODEL_DIR = "engine"
MODEL_NAME = "gensim.lda"


class _CsrCorpus:
    """Streams rows of a CSR matrix as gensim bag-of-words, every pass, without copying."""

    def __init__(self, X) -> None:
        self.X = X

    def __len__(self) -> int:
        return self.X.shape[0]

    def __iter__(self):
        X = self.X
        for d in range(X.shape[0]):
            lo, hi = X.indptr[d], X.indptr[d + 1]
            yield list(zip(X.indices[lo:hi].tolist(), X.data[lo:hi].tolist()))


def _nndsvd_start(mdl, X, k: int, max_iter: int) -> None:
    """Set the model's topic sufficient statistics from an NMF of X (deterministic init).

    The randomized SVD inside NNDSVDa gets the anchor's constant state, not the fit's seed, so
    every seed starts from the same topics (the seed still drives gensim's own E-step start).
    """
    import warnings

    from sklearn.decomposition import NMF
    from sklearn.exceptions import ConvergenceWarning

    from textprofile.topics.anchor import ANCHOR_STATE

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        H = NMF(n_components=k, init="nndsvda", max_iter=max_iter, random_state=ANCHOR_STATE).fit(
            X.astype(np.float64)).components_
    H = H + 1e-12
    lam = H / H.sum(axis=1, keepdims=True) * (float(X.sum()) / k)
    mdl.state.sstats = lam.astype(mdl.dtype)
    mdl.sync_state()


class GensimEngine(TopicEngine):
    """gensim ``LdaModel`` behind the engine interface; ``iterations`` means passes here."""

    name = "gensim"
    defaults: ClassVar[dict[str, Any]] = DEFAULTS

    def settings(self) -> dict[str, Any]:
        import gensim

        return {
            "engine": self.name,
            "k": self.k,
            "seed": self.seed,
            "iterations": self.iterations or DEFAULT_PASSES,
            "workers": 1,
            "gensim_version": gensim.__version__,
            **self._opts(),
        }

    def fit(self, X, vocab: tuple[str, ...], progress: Progress | None = None,
            iterations: int | None = None) -> GensimEngine:
        """Train for ``iterations`` passes (default: the engine's own count); :meth:`resume` continues."""
        from gensim.models import LdaModel
        from scipy import sparse

        opts = self._opts()
        X = sparse.csr_matrix(X)
        X = X[np.asarray(X.sum(axis=1)).ravel() > 0]
        id2word = {i: t for i, t in enumerate(vocab)}
        mdl = LdaModel(
            corpus=None, id2word=id2word, num_topics=self.k, random_state=int(self.seed),
            alpha=opts["alpha"], eta=opts["eta"], chunksize=int(opts["chunksize"]),
            iterations=int(opts["inner_iterations"]), decay=float(opts["decay"]),
            offset=float(opts["offset"]), eval_every=None, passes=1,
        )
        if opts["init"] == "nndsvd":
            _nndsvd_start(mdl, X, self.k, int(opts["init_max_iter"]))
        elif opts["init"] != "random":
            raise ConfigError(f"gensim init must be 'nndsvd' or 'random' (got {opts['init']!r})")
        self.model_ = mdl
        self._train_X = X
        self.trained_iterations_ = 0
        return self._train(int(iterations or self.iterations or DEFAULT_PASSES), progress)

    def _train(self, passes: int, progress: Progress | None) -> GensimEngine:
        stage = f"fit k={self.k}"
        done0 = self.trained_iterations_
        total = done0 + passes
        corpus = _CsrCorpus(self._train_X)
        for p in range(passes):
            if progress is not None:
                progress(stage, done0 + p, total)
            self.model_.update(corpus, passes=1, eval_every=None)
        if progress is not None:
            progress(stage, total, total)
        self.trained_iterations_ = total  # passes
        self._learned()
        return self

    def update(self, X_new, passes: int = 1) -> GensimEngine:
        """Online update with new documents (bag-of-words over the same vocabulary)."""
        from scipy import sparse

        self._check_fitted()
        X_new = sparse.csr_matrix(X_new)
        X_new = X_new[np.asarray(X_new.sum(axis=1)).ravel() > 0]
        if X_new.shape[0]:
            self.model_.update(_CsrCorpus(X_new), passes=passes, eval_every=None)
            self._learned()
        return self

    def _learned(self) -> None:
        tw = np.asarray(self.model_.get_topics(), dtype=np.float64)
        self.topic_word_ = tw / tw.sum(axis=1, keepdims=True)
        self.alpha_ = np.asarray(self.model_.alpha, dtype=np.float64)

    def save(self, folder: Path) -> list[str]:
        self._check_fitted()
        d = Path(folder) / MODEL_DIR
        d.mkdir(parents=True, exist_ok=True)
        self.model_.save(str(d / MODEL_NAME), separately=None)
        return sorted(p.relative_to(folder).as_posix() for p in d.iterdir() if p.is_file())

    @classmethod
    def load(cls, folder: Path, settings: dict[str, Any]) -> GensimEngine:
        from gensim.models import LdaModel

        params = {k: settings[k] for k in DEFAULTS if k in settings}
        eng = cls(k=settings["k"], seed=settings["seed"], iterations=settings.get("iterations"), **params)
        eng.model_ = LdaModel.load(str(Path(folder) / MODEL_DIR / MODEL_NAME))
        eng._learned()
        return eng
