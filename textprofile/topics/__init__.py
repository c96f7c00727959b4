"""Topics: stage 3 of the data flow.

In: ``tokens.parquet``. Out: ``models/<name>/`` — the vocabulary (``vocab``), a topic engine
(``base.TopicEngine``; ``tomotopy_engine``, ``gensim_engine``) fitted by ``training`` (K chosen by
``select``, scored by ``coherence``), TF-IDF keywords (``tfidf``), and the fitted folder read back
with its checksums verified (``fitted.load_model``), which infers mixtures of new text.
"""

from __future__ import annotations

from typing import Any

from textprofile.core.errors import ConfigError

__all__ = ["DEFAULT_ENGINE", "ENGINES", "FittedModel", "TfidfKeywords", "Vocab", "engine_class", "load_model",
           "make_engine"]

ENGINES = ("tomotopy", "gensim")
DEFAULT_ENGINE = "tomotopy"


def engine_class(name: str):
    """The engine class for ``name`` (imports only that engine's module)."""
    if name == "tomotopy":
        from textprofile.topics.tomotopy_engine import TomotopyEngine

        return TomotopyEngine
    if name == "gensim":
        from textprofile.topics.gensim_engine import GensimEngine

        return GensimEngine
    raise ConfigError(f"unknown engine {name!r}; choose one of: {', '.join(ENGINES)}")


def make_engine(name: str, k: int, seed: int = 0, iterations: int | None = None, workers: int = 2,
                **params: Any):
    """A new, unfitted engine ``name`` with ``k`` topics."""
    return engine_class(name)(k=k, seed=seed, iterations=iterations, workers=workers, **params)


_EXPORTS = {"FittedModel": "textprofile.topics.fitted", "load_model": "textprofile.topics.fitted",
            "TfidfKeywords": "textprofile.topics.tfidf", "Vocab": "textprofile.topics.vocab"}


def __getattr__(name: str) -> Any:
    from textprofile.core.lazy import lazy_exports

    return lazy_exports(__name__, _EXPORTS)(name)
