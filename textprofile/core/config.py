"""Frozen settings for each stage. One ``seed`` (default 0) is threaded everywhere and recorded.

Each stage owns one dataclass; ``to_dict()`` is what goes into manifests, and a stage's cache key
is the sha256 of that dict.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

DEFAULT_SEED = 0


class _Config:
    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)  # type: ignore[call-overload]

    def hash(self) -> str:
        """Stable hash of the settings, used as a cache key."""
        blob = json.dumps(self.to_dict(), sort_keys=True, ensure_ascii=False, default=str)
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class LoadConfig(_Config):
    """How exports are read, mapped and cleaned (``textprofile load``)."""

    customer_col: str | None = None
    text_col: str | None = None
    time_col: str | None = None
    channel_col: str | None = None
    channel: str | None = None  # constant channel for every row, e.g. "review"
    rating_col: str | None = None
    amount_col: str | None = None
    role_col: str | None = None
    thread_col: str | None = None
    format: str | None = None
    encoding: str | None = None
    sheet: str | None = None
    row_as_customer: bool = False
    customer_filter: str | None = None
    lenient_time: bool = False
    keep_pii: bool = False
    pseudonymize: bool = False
    max_text_chars: int = 100_000  # longer texts are quarantined (pasted logs, not comments)
    timezone: str | None = None  # IANA zone of timestamps written without one (default UTC)


@dataclass(frozen=True)
class TokenizeConfig(_Config):
    """How comments become tokens (jieba for Han runs, spaCy lookup lemmas for Latin runs)."""

    user_dicts: tuple[str, ...] = ()
    stopword_files: tuple[str, ...] = ()
    keep_single_han: tuple[str, ...] = ()
    phrases: bool = False
    phrase_min_count: int = 20
    phrase_threshold: float = 10.0
    # Languages given tokens. Latin-only comments detected as another language (text/langid.py)
    # are kept with their language and no tokens, so topics never see them; en and zh always on.
    languages: tuple[str, ...] = ("en", "zh")


@dataclass(frozen=True)
class FitConfig(_Config):
    """How the vocabulary, topic model and TF-IDF are fitted (``textprofile fit``)."""

    engine: str = "tomotopy"
    topics: int | None = None  # None = auto: sweep k_range and pick the K with the highest NPMI
    k_range: tuple[int, ...] = (5, 8, 10, 12, 15, 20, 25, 30)
    seed: int = DEFAULT_SEED
    no_below: int = 5
    no_above: float = 0.5
    keep_n: int = 100_000
    iterations: int | None = None  # None = the engine's default (tomotopy 200, gensim 10 passes)
    workers: int = 2  # fixed, not "all cores", so results match across machines
    sweep_iterations: int | None = None  # None = half the final fit's iterations
    sweep_max_docs: int | None = 100_000  # the auto sweep trains on a seeded sample this big
    params: dict[str, Any] = field(default_factory=dict)  # engine priors etc., see topics/*_engine.py
    # screen this many seeds (seed, seed+1, ...) for a quarter of the iterations; the most
    # coherent (NPMI) trains on to the full count
    restarts: int = 1


@dataclass(frozen=True)
class ProfileConfig(_Config):
    """How customer profiles are built (``textprofile profile build``)."""

    half_life_days: float | None = None
    as_of: str | None = None  # ISO date; default the latest timestamp in the corpus
    # "comment" (each comment counts once, by the topic shares of its words), "one-topic" (each
    # comment is about one topic drawn from the customer's mixture, fitted by EM), "mean" (length-
    # weighted mean of comment mixtures) or "pooled" (fold-in of the customer's pooled tokens).
    # "comment" predicts real customers' next reviews best (benchmarks/bench_heldout.py);
    # "one-topic" recovers synthetic short-review interests best (bench_recovery.py); README
    method: str = "comment"
    n_keywords: int = 10
    seed: int = DEFAULT_SEED

    def validate(self) -> ProfileConfig:
        """Refuse bad settings up front (before ``run`` loads and fits anything); return self."""
        from textprofile.core.errors import ConfigError
        from textprofile.profiles.interests import METHODS

        if self.method not in METHODS:
            raise ConfigError(f"--method must be one of {', '.join(METHODS)} (got {self.method!r})")
        if self.half_life_days is not None and not self.half_life_days > 0:
            raise ConfigError(f"--half-life must be a positive number of days (got {self.half_life_days})")
        if self.n_keywords < 0:
            raise ConfigError(f"--keywords must be 0 or more (got {self.n_keywords})")
        if self.as_of is not None:
            from textprofile.profiles.behaviour import resolve_as_of

            resolve_as_of(self.as_of, None)  # a ConfigError naming --as-of when it is not a date
        return self
