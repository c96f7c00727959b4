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
# how a customer's comments become one interest mixture (profiles/interests.py implements each)
PROFILE_METHODS = ("comment", "one-topic", "mean", "pooled")
# ISO 639-1 codes the Latin-language detector chooses between (English included). Each has a
# spaCy stop-word list and a spacy-lookups-data lemma table, so each can also be tokenized.
DETECTED = ("de", "en", "es", "fr", "id", "it", "nl", "pt", "tr")
# Languages that can be tokenized beside zh and en (``TokenizeConfig.languages``).
TOKENIZABLE = tuple(code for code in DETECTED if code != "en")
BASE_LANGUAGES = ("en", "zh")
# recency_days is rounded to this many decimals, by behaviour and by the store's own updates
RECENCY_DECIMALS = 4


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

    # "rjieba" (jieba-rs, default; falls back to "jieba" with a warning where its wheel is missing)
    # or "jieba" (Python). The engine that actually ran is part of the tokens cache key.
    zh_engine: str = "rjieba"
    user_dicts: tuple[str, ...] = ()
    stopword_files: tuple[str, ...] = ()
    keep_single_han: tuple[str, ...] = ()
    phrases: bool = False
    phrase_min_count: int = 20
    phrase_threshold: float = 10.0
    # Languages given tokens. Latin-only comments detected as another language (text/langid.py)
    # are kept with their language and no tokens, so topics never see them; en and zh always on.
    languages: tuple[str, ...] = ("en", "zh")

    def validate(self) -> TokenizeConfig:
        """Refuse out-of-range phrase settings, naming the flag (even with phrases off); return self."""
        import math

        from textprofile.core.errors import ConfigError

        n, x = self.phrase_min_count, self.phrase_threshold
        if isinstance(n, bool) or not isinstance(n, int) or n < 1:
            raise ConfigError(f"--phrase-min-count must be a whole number of at least 1 (got {n!r})")
        if isinstance(x, bool) or not isinstance(x, (int, float)) or not math.isfinite(x) or x <= 0:
            raise ConfigError(f"--phrase-threshold must be a number above 0 (got {x!r})")
        return self


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
    # the engine trains on at most this many comments (a seeded uniform sample beyond it, chosen
    # by topics/sample.py); every comment still gets its mixture. None or 0: all comments.
    sample: int | None = 2_000_000

    def validate(self) -> FitConfig:
        """Refuse a K below 2 or a bad restart count, naming the flag; return self.

        The engine name is checked by the topics package, which knows the engines.
        """
        from textprofile.core.errors import ConfigError

        if self.topics is not None and (isinstance(self.topics, bool) or self.topics < 2):
            raise ConfigError(f"--topics must be at least 2 or 'auto' (got {self.topics})")
        if isinstance(self.restarts, bool) or not isinstance(self.restarts, int) or self.restarts < 1:
            raise ConfigError(f"--restarts must be a whole number of at least 1 (got {self.restarts!r})")
        if any(k < 2 for k in self.k_range):
            raise ConfigError(f"--k-range values must be at least 2 (got {','.join(map(str, self.k_range))})")
        return self


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

        if self.method not in PROFILE_METHODS:
            raise ConfigError(f"--method must be one of {', '.join(PROFILE_METHODS)} (got {self.method!r})")
        if self.half_life_days is not None and not self.half_life_days > 0:
            raise ConfigError(f"--half-life must be a positive number of days (got {self.half_life_days})")
        if self.n_keywords < 0:
            raise ConfigError(f"--keywords must be 0 or more (got {self.n_keywords})")
        if self.as_of is not None:
            parse_as_of(self.as_of)  # a ConfigError naming --as-of when it is not a date
        return self


def parse_as_of(as_of: str):
    """``--as-of`` as a UTC ``pandas.Timestamp``; a ConfigError naming the option when it is no date."""
    import pandas as pd

    from textprofile.core.errors import ConfigError

    try:
        ts = pd.Timestamp(as_of)
    except (ValueError, TypeError):
        raise ConfigError(f"--as-of {as_of!r} is not a date; use ISO format, e.g. 2024-06-30") from None
    if ts is pd.NaT:
        raise ConfigError(f"--as-of {as_of!r} is not a date; use ISO format, e.g. 2024-06-30")
    return ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")


def normalize_languages(languages) -> tuple[str, ...]:
    """The sorted language codes to tokenize: ``languages`` plus en and zh (always tokenized).

    Raises ``ConfigError`` naming the valid codes for an unknown one.
    """
    from textprofile.core.errors import ConfigError

    codes = {str(c).strip().lower() for c in languages if str(c).strip()}
    unknown = sorted(codes - set(BASE_LANGUAGES) - set(TOKENIZABLE))
    if unknown:
        raise ConfigError(f"--languages: unknown language {', '.join(unknown)}; choose from "
                          f"{', '.join(sorted(BASE_LANGUAGES + TOKENIZABLE))} (comma-separated, e.g. en,zh,es)")
    return tuple(sorted(codes | set(BASE_LANGUAGES)))
