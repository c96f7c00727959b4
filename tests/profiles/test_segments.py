"""Segments: KMeans on topic shares + scaled behaviour, K by silhouette, deterministic."""

from __future__ import annotations

import json
from itertools import pairwise

import numpy as np
import pandas as pd

from textprofile.profiles import segments as S
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
    from textprofile.profiles.segments import nearest

    rng = np.random.default_rng(4)
    F = rng.random((1_003, 6))
    centers = rng.random((5, 6))
    whole = nearest(F, centers, rows=len(F))
    assert np.array_equal(nearest(F, centers, rows=7), whole)
    brute = np.argmin(((F[:, None, :] - centers[None, :, :]) ** 2).sum(2), axis=1)
    assert np.array_equal(whole, brute)


def _mixed(n=12_000, k=6):
    rng = np.random.default_rng(3)
    shares = rng.dirichlet(np.ones(k) * 0.3, n)
    beh = pd.DataFrame({
        "n_comments": rng.poisson(4, n) + 1, "n_chars": rng.integers(10, 500, n),
        "recency_days": np.where(rng.random(n) < 0.1, np.nan, rng.exponential(30, n)),
        "comments_per_30d": rng.exponential(1, n), "share_review": rng.random(n), "share_chat": np.zeros(n),
        "share_social": rng.random(n), "rating_mean": np.where(rng.random(n) < 0.3, np.nan, rng.uniform(1, 5, n)),
        "amount_mean": rng.exponential(50, n)})
    return shares, beh


def test_segments_from_their_pieces_are_fit_segments_and_describe():
    """The pieces the Spark backend composes (scaling from moments, KMeans on ``sample_rows``'
    customers, nearest centres by parts, numbering, the table from per-segment figures) give
    ``fit_segments`` and ``describe``: the same labels, model and table."""
    shares, beh = _mixed()
    n, k = shares.shape  # more than SAMPLE customers: KMeans sees a sample, everyone is assigned
    labels, model = fit_segments(shares, beh, 7)
    table = describe(labels, shares, beh, list(range(k)), {2: "phones"}, len(model.centers))
    cols, raw = S._raw_behaviour(beh)
    got_model = S.scaling(cols, (~np.isnan(raw)).sum(axis=0), np.nanmean(raw, axis=0), np.nanstd(raw, axis=0),
                          float(np.var(shares, axis=0).sum()))
    assert got_model.features == model.features == [c for c in beh.columns if c != "share_chat"]
    rows = S.sample_rows(n, 7)
    centres = S.fit_centres(S.part_features(shares[rows], beh.iloc[rows], got_model), got_model, 7)
    raw_labels = np.concatenate([S.nearest(S.part_features(shares[a:b], beh.iloc[a:b], got_model), centres)
                                 for a, b in pairwise([0, 1000, 5000, 5001, n])])
    remap = S.number(got_model, centres, np.bincount(raw_labels, minlength=len(centres)))
    got = remap[raw_labels]
    assert len(model.centers) > 1 and (got == labels).all()
    assert (got_model.silhouette, got_model.k_scores) == (model.silhouette, model.k_scores)
    assert np.abs(np.array(got_model.centers) - np.array(model.centers)).max() < 1e-12
    figures = [S.SegmentFigures(int((got == s).sum()), shares[got == s].mean(axis=0),
                                *(np.nanmedian(beh[c].to_numpy(float)[got == s]) for c in S.MEDIANS),
                                *(np.nanmean(beh[c].to_numpy(float)[got == s]) for c in S.MEANS))
               for s in range(len(centres))]
    pd.testing.assert_frame_equal(S.segments_table(figures, list(range(k)), {2: "phones"}), table)


def test_scaling_from_moments_of_missing_and_single_values():
    model = S.scaling(["n_comments", "rating_mean", "amount_mean"], [5, 0, 1], [1.5, np.nan, 3.0],
                      [0.5, np.nan, 0.0], 0.08)
    assert model.features == ["n_comments"] and model.mean == [1.5] and model.scale == [0.5]
    assert model.block_weight == np.sqrt(0.08)
