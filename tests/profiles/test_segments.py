"""Segments: KMeans on topic shares + scaled behaviour, K by silhouette, deterministic."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from textprofile.profiles.segments import assign, describe, fit_segments


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
