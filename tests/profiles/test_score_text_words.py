"""The score's text sub-model finds the word that carries the label; history features are right."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import sparse

from textprofile.profiles.score_text import FEATURE, TextModel
from textprofile.profiles.scoring import ProfileInputs


def _customers(seed: int = 0, n: int = 300):
    """Pooled counts over 40 filler words plus "refund", used by 80% of positives, 10% of the rest."""
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < 0.3).astype(np.int64)
    terms = [f"w{j}" for j in range(40)] + ["refund", "lonely"]  # "lonely": one customer only
    counts = rng.poisson(0.6, size=(n, len(terms))).astype(np.float64)
    counts[:, -2] = np.where(rng.random(n) < np.where(y == 1, 0.8, 0.1), 1 + rng.poisson(1, n), 0)
    counts[:, -1] = 0
    counts[0, -1] = 3
    return sparse.csr_matrix(counts), y, terms


def test_text_model_ranks_the_planted_word_first_and_round_trips():
    counts, y, terms = _customers()
    tm = TextModel(seed=0).fit(counts, y, terms)
    assert tm.top_words()["up"][0]["feature"] == "keyword: refund"
    assert "lonely" not in tm.terms_  # used by one training customer: dropped
    assert tm.oof_.shape == (len(y),) and tm.inner_auc_ > 0.8
    again = TextModel(seed=0).fit(counts, y, terms)
    assert np.array_equal(again.coef_, tm.coef_) and np.array_equal(again.oof_, tm.oof_)
    # plain-data round trip, and new customers whose columns come in another order
    back = TextModel.from_parts(tm.to_dict(), tm.idf_.copy(), tm.coef_.copy(), 0)
    order = np.arange(len(terms))[::-1]
    assert np.allclose(back.decision(counts[:, order], [terms[j] for j in order]), tm.decision(counts, terms))
    up, _ = tm.customer_words(counts[:1].multiply(0) + sparse.csr_matrix(
        ([2.0], ([0], [terms.index("refund")])), shape=(1, len(terms))), terms)[0]
    assert up == ["refund"]
    # every customer's words, against a plain per-row computation
    T = tm._matrix(counts, terms).toarray() * tm.coef_[None, :]
    for row, (up, down) in zip(T[:50], tm.customer_words(counts[:50], terms)):
        order = sorted(range(len(row)), key=lambda j: (-row[j], j))
        assert up == [tm.terms_[j] for j in order if row[j] > 0][:3]
        order = sorted(range(len(row)), key=lambda j: (row[j], j))
        assert down == [tm.terms_[j] for j in order if row[j] < 0][:3]
    assert FEATURE == "text: pooled words"


def test_with_history_pools_words_and_takes_the_latest_rating():
    own = pd.DataFrame({
        "customer_id": ["b", "a", "a", "b", "a"],
        "time": pd.to_datetime(["2024-01-05", "2024-01-03", "2024-01-01", "2024-01-02", "2024-01-02"], utc=True),
        "rating": [1.0, 5.0, 2.0, 4.0, None],
    })
    X = sparse.csr_matrix(np.array([[1, 0], [0, 2], [1, 1], [0, 1], [3, 0]], dtype=np.float64))
    customers = pd.DataFrame({"customer_id": ["a", "b", "c"]})
    inputs = ProfileInputs(customers, np.ones((3, 1)), [0], [[], [], []]).with_history(own, X, ["x", "y"])
    assert inputs.words.toarray().tolist() == [[4, 3], [1, 1], [0, 0]]  # c has no comments here
    assert inputs.customers["rating_last"].tolist()[:2] == [5.0, 1.0]
    assert np.isnan(inputs.customers["rating_last"].iloc[2])
    assert "rating_last" not in customers.columns  # the caller's frame is left alone
    assert inputs.take(np.array([1])).words.toarray().tolist() == [[1, 1]]


def test_baseline_reads_the_raw_text_with_stop_words_and_negations_kept():
    from textprofile.profiles.score_model import baseline_counts, baseline_terms

    assert baseline_terms("It is NOT good, don\u2019t! 不好") == ["it", "is", "not", "good", "don't", "不", "好"]
    own = pd.DataFrame({"customer_id": ["b", "a", "a"], "text": ["not bad", "late", "early"],
                        "time": pd.to_datetime(["2024-01-01", "2024-01-03", "2024-01-01"], utc=True)})
    inputs = ProfileInputs(pd.DataFrame({"customer_id": ["a", "b", "c"]}), np.ones((3, 1)), [0], [[], [], []])
    inputs = inputs.with_texts(own)
    assert inputs.texts == ["early\nlate", "not bad", ""]  # time order; c has no comments
    assert inputs.take(np.array([1])).texts == ["not bad"]
    assert baseline_counts(inputs).toarray().tolist() == [[0, 1, 1, 0], [1, 0, 0, 1], [0, 0, 0, 0]]
