"""Interest aggregation (pure functions) and planted interests on the demo corpus, end to end."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from profile_corpus import (
    NAME,
    copy_workspace,
    demo_workspace,
    planted,
    recovered_interests,
    topic_to_interest,
)
from scipy import sparse

from textprofile.profiles.interests import (
    comment_log_likelihood,
    customer_codes,
    decay_weights,
    mean_interests,
    normalise,
    one_topic_interests,
    pool_tokens,
    pooled_interests,
    word_shares,
)


def test_customer_codes_keep_string_ids():
    ids, codes = customer_codes(["b", "00123", "b", "a"])
    assert list(ids) == ["00123", "a", "b"] and codes.tolist() == [2, 0, 2, 1]


def test_decay_weights_half_life_relative_to_each_customers_newest():
    t = pd.Series(pd.to_datetime(
        ["2024-01-31", "2024-01-01", "2024-01-21", None, "2024-03-01"], utc=True))
    codes = np.array([0, 0, 1, 1, 2])
    as_of = pd.Timestamp("2024-03-01", tz="UTC")
    w = decay_weights(t, codes, 3, as_of, half_life_days=30)
    assert w == pytest.approx([1.0, 0.5, 1.0, 1.0, 1.0])  # 30 days older than the newest: half
    # moving the as-of time does not change anything (only relative ages matter)
    w2 = decay_weights(t, codes, 3, pd.Timestamp("2025-01-01", tz="UTC"), half_life_days=30)
    assert w2 == pytest.approx(w)
    assert decay_weights(t, codes, 3, as_of, None).tolist() == [1.0] * 5
    from textprofile.core.errors import ConfigError

    with pytest.raises(ConfigError, match="half-life"):
        decay_weights(t, codes, 3, as_of, -1)


def test_mean_interests_is_length_and_recency_weighted():
    theta = np.array([[1.0, 0.0], [0.0, 1.0], [0.5, 0.5], [0.2, 0.8]])
    n_tokens = np.array([3, 1, 0, 0])  # the last two carry no in-vocabulary token
    codes = np.array([0, 0, 0, 1])
    out = mean_interests(theta, n_tokens, codes, 2, np.array([1.0, 1.0, 1.0, 1.0]), prior=np.array([1.0, 3.0]))
    assert out[0] == pytest.approx([0.75, 0.25])
    assert out[1] == pytest.approx([0.25, 0.75])  # no tokens at all: the prior
    out = mean_interests(theta, n_tokens, codes, 2, np.array([1.0, 3.0, 1.0, 1.0]), prior=np.ones(2))
    assert out[0] == pytest.approx([0.5, 0.5])


def test_word_shares_take_the_prior_out_of_fold_in_mixtures():
    from textprofile.topics.base import fold_in

    phi = np.array([[0.5, 0.5, 0.0, 0.0], [0.0, 0.0, 0.5, 0.5]]) + 1e-9
    phi /= phi.sum(axis=1, keepdims=True)
    alpha = np.array([0.5, 0.5])
    X = sparse.csr_matrix(np.array([[2, 1, 0, 0], [1, 0, 1, 0], [0, 0, 0, 0]]))
    theta = fold_in(X, phi, alpha, 50)
    assert theta[0, 0] == pytest.approx(3.5 / 4, abs=1e-6)  # three words of topic 0, smoothed
    shares = word_shares(theta, np.array([3, 2, 0]), alpha)
    np.testing.assert_allclose(shares[0], [1.0, 0.0], atol=1e-6)  # all its words are topic 0
    np.testing.assert_allclose(shares[1], [0.5, 0.5], atol=1e-6)
    np.testing.assert_allclose(shares[2], theta[2])  # no tokens: the prior mean stays
    np.testing.assert_allclose(shares.sum(axis=1), 1.0)


def test_pooled_interests_recovers_a_planted_mixture():
    # two topics with disjoint words; a customer writing 30 words of topic 0 and 10 of topic 1
    phi = np.array([[0.5, 0.5, 0.0, 0.0], [0.0, 0.0, 0.5, 0.5]])
    X = sparse.csr_matrix(np.array([[15, 15, 0, 0], [0, 0, 5, 5], [0, 0, 1, 0]]))
    codes = np.array([0, 0, 1])
    out = pooled_interests(X, codes, 2, np.ones(3), phi, np.array([0.01, 0.01]))
    assert out[0] == pytest.approx([0.75, 0.25], abs=0.01)
    assert out[1][1] > 0.9
    # with recency weights the older comment counts for less
    out_w = pooled_interests(X, codes, 2, np.array([0.5, 1.0, 1.0]), phi, np.array([0.01, 0.01]))
    assert out_w[0][0] == pytest.approx(0.6, abs=0.01)


def test_comment_log_likelihood_mixes_topic_and_background():
    phi = np.array([[0.5, 0.5, 0.0], [0.0, 0.0, 1.0]])
    tf = np.array([1.0, 1.0, 2.0])  # background p = 0.25, 0.25, 0.5
    X = sparse.csr_matrix(np.array([[2, 0, 1]]))
    ll = comment_log_likelihood(X, phi, tf, background=0.5)
    assert ll[0, 0] == pytest.approx(2 * np.log(0.5 * 0.5 + 0.5 * 0.25) + np.log(0.5 * 0.5))
    assert ll[0, 1] == pytest.approx(2 * np.log(0.5 * 0.25) + np.log(0.5 * 1.0 + 0.5 * 0.5))


def test_one_topic_gives_a_mixed_comment_to_its_specific_topic():
    # words: 0 "delivery" (everywhere), 1 "fast" (everywhere), 2 "apple", 3 "fresh", 4 "phone", 5 "screen"
    tf = np.array([40.0, 40.0, 10.0, 10.0, 10.0, 10.0])
    phi = np.array([
        [0.45, 0.45, 0.0, 0.0, 0.05, 0.05],  # delivery
        [0.05, 0.05, 0.45, 0.45, 0.0, 0.0],  # fruit
        [0.05, 0.05, 0.0, 0.0, 0.45, 0.45],  # phones
    ]) + 1e-6
    alpha = np.full(3, 0.1)
    # customer 0: "delivery fast apple fresh" twice; customer 1: one phone comment and one about
    # delivery only; customer 2: nothing in the vocabulary
    X = sparse.csr_matrix(np.array([
        [1, 1, 1, 1, 0, 0], [1, 1, 1, 1, 0, 0], [0, 0, 0, 0, 2, 1], [2, 1, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0],
    ], dtype=float))
    codes = np.array([0, 0, 1, 1, 2])
    out = one_topic_interests(X, codes, 3, np.ones(5), phi, tf, alpha)
    np.testing.assert_allclose(out.sum(axis=1), 1.0)
    assert out[0].argmax() == 1 and out[0, 1] > 0.9  # fruit, although half its words are generic
    assert out[1] == pytest.approx([0.45, 0.05, 0.5], abs=0.05)  # alpha's pseudo-counts: 0.1 / 2.3
    np.testing.assert_allclose(out[2], alpha / alpha.sum())  # no words: the prior
    # word shares split the mixed comments half to the delivery topic
    from textprofile.topics.base import fold_in

    ws = word_shares(fold_in(X, phi, alpha, 50), np.asarray(X.sum(axis=1)).ravel(), alpha)
    assert ws[0, 0] > 0.3
    # recency weights: the older comment of customer 1 counts for less
    w = one_topic_interests(X, codes, 3, np.array([1.0, 1.0, 1.0, 0.25, 1.0]), phi, tf, alpha)
    assert w[1, 2] > 0.7
    # each customer is fitted on their own comments: the same rows alone give the same numbers
    alone = one_topic_interests(X[2:4], np.array([0, 0]), 1, np.ones(2), phi, tf, alpha)
    np.testing.assert_array_equal(alone[0], out[1])


def test_pool_tokens_and_normalise():
    assert pool_tokens([["a"], [], ["b", "c"], ["d"]], np.array([1, 0, 1, 0]), 2) == [["d"], ["a", "b", "c"]]
    n = normalise(np.array([[2.0, 2.0], [0.0, 0.0]]))
    assert n.tolist() == [[0.5, 0.5], [0.5, 0.5]]


# -- the demo corpus, through the real pipeline ------------------------------------------------


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    return demo_workspace(tmp_path_factory)


def _planted_recovery(ws, paths) -> tuple[int, float, float, float]:
    """(customers scored, top interest right, top interest among the planted ones, mean TV)."""
    from textprofile.store.profile_store import ProfileStore
    from textprofile.topics.fitted import load_model

    fm = load_model(ws, NAME)
    mapping = topic_to_interest(fm)
    covered = set(mapping.values())
    assert len(covered) >= 8, f"the model should separate most planted interests, got {mapping}"
    truth = planted(paths["planted"])
    top_hits, in_planted, tvs, n = 0, 0, [], 0
    with ProfileStore.open(ws, NAME) as store:
        for cid, interests in truth.items():
            card = store.get(cid)
            if card is None:  # every row of this customer was held out for the update tests
                continue
            assert sum(i["share"] for i in card["interests"]) == pytest.approx(1.0)
            true_top = max(interests, key=interests.get)
            if true_top not in covered:
                continue  # no topic for it: a topic-model limit, not a profile one
            n += 1
            rec = recovered_interests(card, mapping)
            top = max(rec, key=rec.get)
            top_hits += top == true_top
            in_planted += top in interests
            tvs.append(0.5 * sum(abs(rec.get(k, 0.0) - interests.get(k, 0.0)) for k in set(rec) | set(interests)))
    return n, top_hits / n, in_planted / n, float(np.mean(tvs))


def test_planted_interests_come_back_as_top_interests(demo):
    n, top, in_planted, tv = _planted_recovery(*demo)
    assert n >= 300
    assert top >= 0.8, top
    assert in_planted >= 0.85, in_planted
    assert tv <= 0.25, tv


def test_one_topic_method_recovers_planted_interests_too(demo, tmp_path):
    from textprofile.core.config import ProfileConfig
    from textprofile.pipeline.profile import build_profiles

    ws = copy_workspace(demo[0], tmp_path / "ws")
    assert build_profiles(NAME, ProfileConfig(method="one-topic"), ws)["method"] == "one-topic"
    n, top, in_planted, tv = _planted_recovery(ws, demo[1])
    assert n >= 300 and top >= 0.8 and in_planted >= 0.85 and tv <= 0.25, (top, in_planted, tv)


def test_behaviour_on_the_demo_matches_hand_computation(demo):
    """Recompute a few customers' behaviour straight from the export CSV, the slow obvious way."""
    import csv
    from datetime import datetime

    from textprofile.store.profile_store import ProfileStore

    ws, paths = demo
    with open(paths["base"], encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    comments = pd.read_parquet(ws.corpus_dir(NAME) / "comments.parquet")
    kept = set(zip(comments["customer_id"], comments["text"]))  # cleaned text; ids unchanged
    by_customer: dict[str, list[dict]] = {}
    for r in rows:
        if r["role"] != "agent":
            by_customer.setdefault(r["customer_id"], []).append(r)
    as_of = comments.loc[comments["is_customer"], "time"].max().to_pydatetime().replace(tzinfo=None)
    chosen = sorted(c for c, rs in by_customer.items() if any(x["rating"] for x in rs))[:3]
    chosen += sorted(c for c, rs in by_customer.items() if any(x["channel"] == "chat" for x in rs))[:2]
    assert len(chosen) == 5
    with ProfileStore.open(ws, NAME) as store:
        for cid in chosen:
            mine = comments[(comments["customer_id"] == cid) & comments["is_customer"]]
            rs = by_customer[cid]
            assert len(rs) >= len(mine)  # exact duplicates were dropped by load
            b = store.get(cid)["behaviour"]
            assert b["n_comments"] == len(mine)
            assert b["n_chars"] == int(mine["text"].str.len().sum())
            times = sorted(datetime.fromisoformat(t.replace("Z", "")[:19]) for t in mine["time"].dt.strftime("%Y-%m-%dT%H:%M:%S"))
            assert b["first_seen"] == times[0].strftime("%Y-%m-%dT%H:%M:%SZ")
            assert b["last_seen"] == times[-1].strftime("%Y-%m-%dT%H:%M:%SZ")
            assert b["recency_days"] == pytest.approx((as_of - times[-1]).total_seconds() / 86400, abs=1e-3)
            assert b["active_days"] == len({t.date() for t in times})
            span = max((times[-1] - times[0]).total_seconds() / 86400, 30.0)
            assert b["comments_per_30d"] == pytest.approx(len(mine) * 30 / span)
            ch = list(mine["channel"])
            assert b["share_chat"] == pytest.approx(ch.count("chat") / len(ch))
            assert b["share_review"] == pytest.approx(ch.count("review") / len(ch))
            ratings = [float(x) for x in mine["rating"].dropna()]
            if ratings:
                assert b["rating_mean"] == pytest.approx(sum(ratings) / len(ratings))
                assert b["rating_min"] == min(ratings)
                assert b["share_low_rating"] == pytest.approx(sum(r <= 2 for r in ratings) / len(ratings))
            else:
                assert b["rating_mean"] is None
            amounts = [float(x) for x in mine["amount"].dropna()]
            assert b["amount_total"] == (pytest.approx(sum(amounts)) if amounts else None)
    assert kept  # the parquet really was read


def test_agent_turns_do_not_count(demo):
    from textprofile.store.profile_store import ProfileStore

    ws, _ = demo
    comments = pd.read_parquet(ws.corpus_dir(NAME) / "comments.parquet")
    agent = comments[~comments["is_customer"]]
    assert len(agent) > 0
    cid = agent["customer_id"].iloc[0]
    with ProfileStore.open(ws, NAME) as store:
        card = store.get(cid)
    own = comments[(comments["customer_id"] == cid) & comments["is_customer"]]
    assert card["behaviour"]["n_comments"] == len(own)
    json.dumps(card, allow_nan=False)


def test_build_is_deterministic_and_half_life_changes_interests(demo, tmp_path):
    from profile_corpus import copy_workspace

    from textprofile.core.config import ProfileConfig
    from textprofile.pipeline.export import export_table
    from textprofile.pipeline.profile import build_profiles

    ws, _ = demo
    ws2 = copy_workspace(ws, tmp_path / "ws")
    export_table(ws, NAME, "profiles", "csv", tmp_path / "a.csv")
    build_profiles(NAME, None, ws2)
    export_table(ws2, NAME, "profiles", "csv", tmp_path / "b.csv")
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()
    # every table of the two stores, row for row (the files themselves differ only in the
    # random database identifier DuckDB writes into each new file's header)
    import duckdb

    from textprofile.store.profile_store import store_path

    def tables(w):
        with duckdb.connect(str(store_path(w.model_dir(NAME))), read_only=True) as con:
            names = [r[0] for r in con.execute("SELECT table_name FROM duckdb_tables() ORDER BY 1").fetchall()]
            return {t: con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in names}

    first, second = tables(ws), tables(ws2)
    assert {"customers", "interests", "keywords", "segments", "meta"} <= set(first)
    assert first == second
    build_profiles(NAME, ProfileConfig(half_life_days=14), ws2)
    export_table(ws2, NAME, "profiles", "csv", tmp_path / "c.csv")
    a, c = pd.read_csv(tmp_path / "a.csv"), pd.read_csv(tmp_path / "c.csv")
    topics = [col for col in a.columns if col.startswith("topic_")]
    assert np.allclose(c[topics].sum(axis=1), 1.0)
    assert not np.allclose(a[topics], c[topics])
    assert a["n_comments"].equals(c["n_comments"])


def test_vectorised_encoding_and_keywords_equal_the_models(demo):
    import pyarrow.parquet as pq

    from textprofile.profiles.interests import encode_lists, tfidf_top_terms
    from textprofile.topics.fitted import load_model
    from textprofile.topics.tfidf import TfidfKeywords

    ws, _ = demo
    fm = load_model(ws, NAME)
    tokens = pq.read_table(ws.corpus_dir(NAME) / "tokens.parquet").column("tokens")
    X = encode_lists(tokens, fm.vocab)
    lists = tokens.to_pylist()
    assert abs(X - fm.encode(lists)).sum() == 0
    tf = TfidfKeywords.load(fm.folder, fm.vocab)
    pooled = [[t for lst in lists[i : i + 7] for t in lst] for i in range(0, 700, 7)]  # 100 "customers"
    codes = np.repeat(np.arange(100), 7)
    from textprofile.profiles.interests import pool_rows

    mine = tfidf_top_terms(pool_rows(X[:700], codes, 100, np.ones(700)), tf.idf_, fm.vocab, 10, tf.sublinear_tf, tf.norm)
    assert mine == fm.keywords(pooled, 10)
