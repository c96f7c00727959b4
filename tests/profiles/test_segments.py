"""Segments: KMeans on topic shares + scaled behaviour, K by silhouette, deterministic."""

from __future__ import annotations

import json
from itertools import pairwise

import numpy as np
import pandas as pd

from textprofile.profiles.segments import assign, describe, fit_segments, segment_parts


def _data(seed=0, per=60):
    rng = np.random.default_rng(seed)
    groups = []
    for g, (mix, comments) in enumerate([([0.9, 0.05, 0.05], 3), ([0.05, 0.9, 0.05], 30), ([0.05, 0.05, 0.9], 8)]):
        s = rng.dirichlet(np.array(mix) * 50, per)
        n = rng.poisson(comments, per) + 1
        groups.append((s, n, np.full(per, g)))
    shares = np.vstack([g[0] for g in groups])
    beh = pd.DataFrame({
        "n_comments": np.concatenate([g[1] for g in groups]),
        "n_chars": np.concatenate([g[1] for g in groups]) * 40,
        "recency_days": rng.random(3 * per) * 30,
        "comments_per_30d": rng.random(3 * per),
        "share_review": 1.0, "share_chat": 0.0, "share_social": 0.0,  # constant: dropped
        "rating_mean": np.nan, "amount_mean": np.nan,  # missing everywhere: dropped
    })
    return shares, beh, np.concatenate([g[2] for g in groups])


def test_recovers_planted_groups_and_is_deterministic():
    shares, beh, truth = _data()
    labels, model = fit_segments(shares, beh, seed=0)
    assert len(model.centers) == 3, model.k_scores  # silhouette picks the planted K
    # each planted group is one segment
    for g in range(3):
        assert len(set(labels[truth == g])) == 1
    assert "rating_mean" not in model.features and "share_review" not in model.features
    labels2, model2 = fit_segments(shares, beh, seed=0)
    assert labels.tolist() == labels2.tolist() and model2.to_dict() == model.to_dict()
    # ids are ordered by size (equal here) and the saved model assigns the same way
    assert assign(shares, beh, model).tolist() == labels.tolist()
    json.dumps(model.to_dict())


def test_descriptions_name_dominant_interests():
    shares, beh, _ = _data()
    labels, model = fit_segments(shares, beh, seed=0)
    seg = describe(labels, shares, beh, [0, 1, 2], {0: "battery", 1: "coffee", 2: "baby"}, len(model.centers))
    assert seg["size"].sum() == len(shares)
    tops = {json.loads(t)[0]["label"] for t in seg["top_topics"]}
    assert tops == {"battery", "coffee", "baby"}
    assert all("comments (median)" in d for d in seg["description"])


def test_tiny_inputs_give_one_segment():
    shares = np.array([[0.5, 0.5]])
    beh = pd.DataFrame({"n_comments": [1]})
    labels, model = fit_segments(shares, beh)
    assert labels.tolist() == [0] and len(model.centers) == 1


def test_nearest_centre_by_parts_is_the_same_as_at_once():
    """Segment assignment runs ``NEAREST_ROWS`` customers at a time: the same labels as one pass,
    and the brute-force nearest centre."""
    from textprofile.profiles.segments import _nearest

    rng = np.random.default_rng(4)
    F = rng.random((1_003, 6))
    centers = rng.random((5, 6))
    whole = _nearest(F, centers, rows=len(F))
    assert np.array_equal(_nearest(F, centers, rows=7), whole)
    brute = np.argmin(((F[:, None, :] - centers[None, :, :]) ** 2).sum(2), axis=1)
    assert np.array_equal(whole, brute)


def test_segments_of_customers_in_parts_are_the_segments_of_all_at_once():
    """``segment_parts`` (the Spark driver's: customers read a part at a time) gives the labels and
    the segments table of ``fit_segments`` + ``describe``, the centres to rounding."""
    rng = np.random.default_rng(3)
    n, k = 12_000, 6  # more than SAMPLE: KMeans sees a sample, everyone is assigned
    shares = rng.dirichlet(np.ones(k) * 0.3, n)
    beh = pd.DataFrame({
        "n_comments": rng.poisson(4, n) + 1, "n_chars": rng.integers(10, 500, n),
        "recency_days": np.where(rng.random(n) < 0.1, np.nan, rng.exponential(30, n)),
        "comments_per_30d": rng.exponential(1, n), "share_review": rng.random(n), "share_chat": np.zeros(n),
        "share_social": rng.random(n), "rating_mean": np.where(rng.random(n) < 0.3, np.nan, rng.uniform(1, 5, n)),
        "amount_mean": rng.exponential(50, n)})
    labels, model = fit_segments(shares, beh, 7)
    table = describe(labels, shares, beh, list(range(k)), {2: "phones"}, len(model.centers))
    cuts = [0, 1000, 5000, 5001, 9000, n]
    parts = lambda: ((shares[a:b], beh.iloc[a:b]) for a, b in pairwise(cuts))
    got, got_model, got_table = segment_parts(n, parts, lambda rows: (shares[rows], beh.iloc[rows]), 7,
                                              list(range(k)), {2: "phones"})
    assert len(model.centers) > 1 and (got == labels).all()
    pd.testing.assert_frame_equal(got_table, table)
    assert got_model.features == model.features == [c for c in beh.columns if c != "share_chat"]
    assert (got_model.silhouette, got_model.k_scores) == (model.silhouette, model.k_scores)
    assert np.abs(np.array(got_model.centers) - np.array(model.centers)).max() < 1e-12
    assert np.allclose(got_model.mean, model.mean, rtol=1e-13) and np.allclose(got_model.scale, model.scale, rtol=1e-13)


def test_segments_in_parts_of_too_few_customers_are_one_segment():
    shares = np.tile([[0.5, 0.5]], (4, 1))
    beh = pd.DataFrame({"n_comments": [1] * 4, "recency_days": [2.0] * 4, "comments_per_30d": [1.0] * 4,
                        "rating_mean": [np.nan] * 4, "amount_mean": [np.nan] * 4})
    labels, model = fit_segments(shares, beh)
    got, got_model, table = segment_parts(4, lambda: iter([(shares[:1], beh[:1]), (shares[1:], beh[1:])]),
                                          lambda rows: (shares[rows], beh.iloc[rows]), 0, [0, 1], {})
    assert (got == labels).all() and got_model.centers == model.centers and table["size"].tolist() == [4]
    pd.testing.assert_frame_equal(table, describe(labels, shares, beh, [0, 1], {}, 1))
