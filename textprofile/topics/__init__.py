"""Topic engines (tomotopy, gensim) behind one interface, K selection and coherence."""

from __future__ import annotations

from typing import Any

from textprofile.core.errors import ConfigError

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
