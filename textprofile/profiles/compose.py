"""One customer table from customer rows: behaviour, interests by the profile method, keywords.

The composition both backends run (``pipeline.profile.customer_profiles`` over the whole corpus,
``spark.customers`` inside each executor task), so a profile is computed one way only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from textprofile.core.config import ProfileConfig


def compose_profiles(
    own: pd.DataFrame, X, fm, config: ProfileConfig, as_of: pd.Timestamp | None,
    idf: np.ndarray, settings: dict[str, Any],
    mixtures: Callable[[], tuple[np.ndarray, np.ndarray]] | None = None, threaded: bool = False,
) -> tuple[pd.DataFrame, np.ndarray, list[list[tuple[str, float]]], Any]:
    """(behaviour, normalised topic shares (n, K), keywords, pooled counts (n, V)) of ``own``'s customers.

    ``own``: customer rows only, with ``lang``, every comment of each customer present; ``X``:
    their token counts over the model vocabulary. ``idf``/``settings``: the model's TF-IDF state.
    ``mixtures()`` (methods ``mean`` and ``comment``): each row's (theta float64 (rows, K),
    in-vocabulary token count float64), zero for a row without one. ``threaded``: keywords on a
    second thread while this one computes behaviour and interests (the same bytes either way:
    each reads its inputs only). Rows are sorted by customer_id.
    """
    from concurrent.futures import ThreadPoolExecutor

    from textprofile.core.config import PROFILE_METHODS
    from textprofile.core.errors import ConfigError
    from textprofile.profiles.behaviour import behaviour
    from textprofile.profiles.interests import (
        customer_codes,
        decay_weights,
        mean_interests,
        normalise,
        one_topic_interests,
        pool_rows,
        pooled_interests,
        tfidf_top_terms,
        word_shares,
    )

    if config.method not in PROFILE_METHODS:
        raise ConfigError(f"unknown profile method {config.method!r}; use one of {', '.join(PROFILE_METHODS)}")
    ids, codes = customer_codes(own["customer_id"].astype(str).to_numpy())
    n = len(ids)

    def keywords():
        # the model's TF-IDF over each customer's pooled tokens (unweighted counts); identical
        # to fm.keywords(pooled token lists), without building those lists
        pooled = pool_rows(X, codes, n, np.ones(len(codes)))
        return pooled, tfidf_top_terms(pooled, idf, fm.vocab, config.n_keywords,
                                       settings.get("sublinear_tf", True), settings.get("norm", "l2"))

    def interests():
        beh = behaviour(own, as_of, own["lang"])
        weights = decay_weights(own["time"], codes, n, as_of, config.half_life_days)
        if config.method == "pooled":
            # the same fold-in as FittedModel.infer, on each customer's pooled (weighted) counts
            shares = pooled_interests(X, codes, n, weights, fm.topic_word, fm.alpha)
        elif config.method == "one-topic":
            shares = one_topic_interests(X, codes, n, weights, fm.topic_word, fm.term_frequency, fm.alpha)
        else:  # "mean" or "comment"
            theta, ntok = mixtures()
            if config.method == "comment":  # every modelled comment counts once, by its words' topics
                theta = word_shares(theta, ntok, fm.alpha)
                ntok = (ntok > 0).astype(np.float64)
            shares = mean_interests(theta, ntok, codes, n, weights, fm.alpha)
        return beh, shares

    if threaded:
        with ThreadPoolExecutor(max_workers=1) as pool:
            job = pool.submit(keywords)
            beh, shares = interests()
            pooled, kw = job.result()
    else:
        beh, shares = interests()
        pooled, kw = keywords()
    return beh, normalise(shares), kw, pooled
